//! Reading one input file as a header plus rows of text fields, whatever its format
//! (workbooks are read by `workbook`):
//! delimited text through the `csv` crate (physical line numbers, any delimiter, quoted
//! newlines), Parquet through polars (each column cast to text, rows numbered from 1).
//! Row-level problems become [`BadRow`]s in the [`FaultLog`]; the visitor types the rows.

use super::limits::{MAX_COLUMNS, too_many_columns};
use std::io::{BufRead, Read};

use super::blocks::{BLOCK_BYTES, Block, Blocks, BufferPool, LineCounter};
use super::faults::FaultLog;
use super::lines::RowFault;
use super::parquet::{PARQUET_PART_ROWS, ParquetTable};
use super::source::{InputFile, Opened, open};
use super::workbook::read_workbook;
use crate::error::{BadRow, Location, TieringError};

/// The fields of one row, by header position.
pub trait Fields {
    /// Number of fields in the row.
    fn len(&self) -> usize;
    /// Whether the row has no fields.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Field `i` as UTF-8 text.
    fn get(&self, i: usize) -> Result<&str, RowFault>;
    /// All fields, lossily decoded, for rejects files.
    fn raw(&self) -> Vec<String>;
    /// Field `i` as days since the epoch, when its source column holds dates; `None`:
    /// read the text.
    fn date(&self, _i: usize) -> Option<i32> {
        None
    }
    /// Field `i` as an exact number (digits, decimal scale), when its source column holds
    /// integers or decimals; `None`: read the text.
    fn exact(&self, _i: usize) -> Option<(i128, u32)> {
        None
    }
}

/// Receives the header and rows of one file.
pub trait RowVisitor {
    /// Called once with the header before any row.
    fn header(&mut self, file: &InputFile, header: &[String]) -> Result<(), TieringError>;
    /// Called for every non-blank data row.
    fn row(&mut self, location: Location, fields: &dyn Fields) -> Result<(), RowFault>;
}

/// How delimited text is read.
#[derive(Clone, Debug, Default)]
pub struct TextOptions {
    /// Field delimiter; detected from the header line when `None`.
    pub delimiter: Option<u8>,
    /// Source encoding; UTF-8 (BOM or not, UTF-16 by BOM) when `None`.
    pub encoding: Option<&'static encoding_rs::Encoding>,
    /// The sheet of a workbook to read (default: the first).
    pub sheet: Option<String>,
}

/// What was learnt about a file while reading it.
#[derive(Clone, Debug, Default)]
pub struct FileReport {
    /// "csv" or "parquet".
    pub format: &'static str,
    /// The delimiter used, for text.
    pub delimiter: Option<u8>,
    /// Data rows read (good and bad).
    pub rows: u64,
    /// Bad rows among them.
    pub bad_rows: u64,
    /// The encoding detected for a text file that is not UTF-8.
    pub detected_encoding: Option<&'static str>,
}

/// Read one file into `visitor`, logging bad rows in `faults`. A file with a header and
/// no rows reads as 0 rows; callers decide whether that is an error.
pub fn read_file(
    file: &InputFile,
    options: &TextOptions,
    visitor: &mut dyn RowVisitor,
    faults: &mut FaultLog,
) -> anyhow::Result<FileReport> {
    let bad_before = faults.count();
    let mut report = match open(file, options.encoding)? {
        Opened::Text(reader, detected) => {
            let mut text = TextFile::open(file, reader, options, visitor)?;
            text.detected = detected;
            let mut rows = 0;
            for block in text.blocks.by_ref() {
                let block = block.map_err(|e| unreadable(file, &e.to_string()))?;
                rows += text.shape.visit(file, &block, visitor, faults)?;
                text.pool.give(block.bytes);
            }
            text.report(rows)
        }
        Opened::Parquet(bytes) => {
            let table = ParquetTable::open(file, bytes, visitor)?;
            for slice in table.slices() {
                let frame = table.decode(file, &slice)?;
                table.visit(
                    file,
                    &frame,
                    slice.start,
                    0..frame.height(),
                    visitor,
                    faults,
                )?;
            }
            table.report()
        }
        Opened::Workbook(bytes) => {
            read_workbook(file, bytes, options.sheet.as_deref(), visitor, faults)?
        }
    };
    report.bad_rows = faults.count() - bad_before;
    Ok(report)
}

/// Like [`read_file`], visiting the blocks of a text file on all cores: each block is
/// visited by a fork of `visitor`, and the forks are joined in file order, so rows,
/// faults and their order are those of a sequential read.
/// `on_rows` hears the rows read so far.
pub fn read_file_parallel<V: ForkingVisitor>(
    file: &InputFile,
    options: &TextOptions,
    visitor: &mut V,
    faults: &mut FaultLog,
    on_rows: &dyn Fn(u64),
) -> anyhow::Result<FileReport> {
    let bad_before = faults.count();
    let mut report = match open(file, options.encoding)? {
        Opened::Text(reader, detected) => {
            let mut text = TextFile::open(file, reader, options, visitor)?;
            text.detected = detected;
            let rows = visit_blocks_in_parallel(file, &mut text, visitor, faults, on_rows)?;
            text.report(rows)
        }
        Opened::Parquet(bytes) => {
            let table = ParquetTable::open(file, bytes, visitor)?;
            let mut rows = 0;
            for slice in table.slices() {
                let frame = table.decode(file, &slice)?;
                let height = frame.height();
                let parts: Vec<_> = (0..height)
                    .step_by(PARQUET_PART_ROWS)
                    .map(|start| start..(start + PARQUET_PART_ROWS).min(height))
                    .collect();
                rows += visit_in_parallel(&parts, visitor, faults, |part, fork, log| {
                    table.visit(file, &frame, slice.start, part.clone(), fork, log)
                })?;
                on_rows(rows);
            }
            table.report()
        }
        Opened::Workbook(bytes) => {
            read_workbook(file, bytes, options.sheet.as_deref(), visitor, faults)?
        }
    };
    report.bad_rows = faults.count() - bad_before;
    Ok(report)
}

/// A visitor that can visit parts of a file independently and join them in order.
pub trait ForkingVisitor: RowVisitor + Send + Sync + Sized {
    /// An empty visitor for a later part of the file, in the state of `self`.
    fn fork(&self) -> Self;
    /// Whether `part`, visited from an earlier fork, may be joined as it is. When not
    /// (its rows depend on what was joined since), the part is visited again from a
    /// fresh fork before joining.
    fn can_join(&self, part: &Self) -> bool;
    /// Append a part that follows everything joined so far.
    fn join(&mut self, part: Self) -> anyhow::Result<()>;
}

/// Blocks read ahead while others are visited: enough to keep every core busy.
const BLOCKS_PER_CORE: usize = 2;

/// Visit the blocks of a text file in batches, read ahead on another thread.
fn visit_blocks_in_parallel<V: ForkingVisitor>(
    file: &InputFile,
    text: &mut TextFile,
    visitor: &mut V,
    faults: &mut FaultLog,
    on_rows: &dyn Fn(u64),
) -> anyhow::Result<u64> {
    let batch = rayon::current_num_threads().max(1) * BLOCKS_PER_CORE;
    let blocks = std::mem::replace(&mut text.blocks, Box::new(std::iter::empty()));
    let (shape, pool) = (&text.shape, &text.pool);
    std::thread::scope(|scope| {
        let (sender, receiver) = std::sync::mpsc::sync_channel(batch);
        scope.spawn(move || {
            for block in blocks {
                if sender.send(block).is_err() {
                    break;
                }
            }
        });
        let mut rows = 0;
        loop {
            let mut pending = Vec::with_capacity(batch);
            for block in receiver.iter().take(batch) {
                pending.push(block.map_err(|e| unreadable(file, &e.to_string()))?);
            }
            if pending.is_empty() {
                return Ok(rows);
            }
            rows += visit_in_parallel(&pending, visitor, faults, |block, part, log| {
                shape.visit(file, block, part, log)
            })?;
            on_rows(rows);
            for block in pending {
                pool.give(block.bytes);
            }
        }
    })
}

/// Visit `parts` (consecutive pieces of one file) on all cores, each with a fork of
/// `visitor`, and join the forks in order; a fork that cannot be joined as it is gets
/// its piece visited again after the pieces before it. Returns the rows visited.
fn visit_in_parallel<V: ForkingVisitor, P: Sync>(
    parts: &[P],
    visitor: &mut V,
    faults: &mut FaultLog,
    visit: impl Fn(&P, &mut V, &mut FaultLog) -> anyhow::Result<u64> + Sync,
) -> anyhow::Result<u64> {
    use rayon::prelude::*;
    let forks: Vec<(V, FaultLog, u64)> = parts
        .par_iter()
        .map(|piece| {
            let mut fork = visitor.fork();
            let mut log = faults.fork();
            let rows = visit(piece, &mut fork, &mut log)?;
            Ok((fork, log, rows))
        })
        .collect::<anyhow::Result<_>>()?;
    let mut rows = 0;
    for (piece, (mut fork, mut log, read)) in parts.iter().zip(forks) {
        if !visitor.can_join(&fork) {
            fork = visitor.fork();
            log = faults.fork();
            visit(piece, &mut fork, &mut log)?;
        }
        visitor.join(fork)?;
        faults.join(log);
        rows += read;
    }
    Ok(rows)
}

type TextBlocks = Box<dyn Iterator<Item = std::io::Result<Block>> + Send>;

/// What every block of a text file is read with.
struct TextShape {
    delimiter: u8,
    header: Vec<String>,
    header_bytes: csv::ByteRecord,
}

/// A text file whose header has been read and handed to the visitor.
struct TextFile {
    shape: TextShape,
    /// The rest of the file.
    blocks: TextBlocks,
    /// Where visited blocks go back for reuse.
    pool: BufferPool,
    /// The encoding detected, when not UTF-8.
    detected: Option<&'static encoding_rs::Encoding>,
}

impl TextFile {
    fn open(
        file: &InputFile,
        mut reader: Box<dyn BufRead + Send>,
        options: &TextOptions,
        visitor: &mut (impl RowVisitor + ?Sized),
    ) -> anyhow::Result<TextFile> {
        let head = first_line(&mut reader).map_err(|e| unreadable(file, &e.to_string()))?;
        let delimiter = options.delimiter.unwrap_or_else(|| sniff_delimiter(&head));
        let pool = BufferPool::default();
        let mut blocks = Blocks::new(
            std::io::Cursor::new(head).chain(reader),
            delimiter,
            BLOCK_BYTES,
            1,
            pool.clone(),
        );
        // The header is the first record; blank lines before it are skipped.
        let (header_bytes, rest) = loop {
            let Some(block) = blocks.next() else {
                return Err(TieringError::Empty {
                    file: file.display.clone(),
                }
                .into());
            };
            let block = block.map_err(|e| unreadable(file, &e.to_string()))?;
            let mut csv = csv_reader(delimiter, &block.bytes);
            let mut record = csv::ByteRecord::new();
            if read_record(file, &mut csv, &mut record)? {
                let offset = usize::try_from(csv.position().byte())
                    .unwrap_or(usize::MAX)
                    .min(block.bytes.len());
                let breaks = memchr::memchr_iter(b'\n', &block.bytes[..offset]).count();
                let rest = Block {
                    bytes: block.bytes[offset..].to_vec(),
                    first_line: block.first_line + breaks as u64,
                };
                break (record, rest);
            }
        };
        if header_bytes.len() > MAX_COLUMNS {
            return Err(unreadable(file, &too_many_columns(header_bytes.len())));
        }
        let header = decode_header(file, &header_bytes)?;
        visitor.header(file, &header)?;
        Ok(TextFile {
            shape: TextShape {
                delimiter,
                header,
                header_bytes,
            },
            blocks: Box::new(std::iter::once(Ok(rest)).chain(blocks)),
            pool,
            detected: None,
        })
    }

    fn report(&self, rows: u64) -> FileReport {
        FileReport {
            format: "csv",
            delimiter: Some(self.shape.delimiter),
            rows,
            bad_rows: 0,
            detected_encoding: self.detected.map(encoding_rs::Encoding::name),
        }
    }
}

impl TextShape {
    /// Visit the rows of one block; returns the number of rows (blank lines skipped).
    fn visit(
        &self,
        file: &InputFile,
        block: &Block,
        visitor: &mut (impl RowVisitor + ?Sized),
        faults: &mut FaultLog,
    ) -> anyhow::Result<u64> {
        let mut csv = csv_reader(self.delimiter, &block.bytes);
        let mut lines = LineCounter::new(&block.bytes, block.first_line);
        let mut record = csv::ByteRecord::new();
        let mut rows = 0u64;
        while read_record(file, &mut csv, &mut record)? {
            if record.len() == 1 && record[0].is_empty() {
                continue;
            }
            rows += 1;
            let start = record.position().map_or(0, csv::Position::byte);
            let line = lines.line_at(usize::try_from(start).unwrap_or(usize::MAX));
            let location = Location::Line(line);
            let fields = ByteFields::new(&record);
            let outcome = if record.len() != self.header.len() {
                Err(RowFault::row(
                    format!(
                        "expected {} fields, found {}",
                        self.header.len(),
                        record.len()
                    ),
                    Some("check the delimiter and quoting of this line".into()),
                ))
            } else if record.get(0) == self.header_bytes.get(0) && record == self.header_bytes {
                Err(RowFault::row("the header line is repeated here", None))
            } else {
                visitor.row(location, &fields)
            };
            if let Err(fault) = outcome {
                faults.record(bad_row(file, &self.header, location, fault), || {
                    fields.raw()
                });
            }
        }
        Ok(rows)
    }
}

fn csv_reader(delimiter: u8, bytes: &[u8]) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes)
}

fn read_record<R: std::io::Read>(
    file: &InputFile,
    csv: &mut csv::Reader<R>,
    record: &mut csv::ByteRecord,
) -> anyhow::Result<bool> {
    csv.read_byte_record(record).map_err(|e| match e.kind() {
        csv::ErrorKind::Io(io) => unreadable(file, &io.to_string()),
        _ => unreadable(file, &e.to_string()),
    })
}

pub(super) fn unreadable(file: &InputFile, reason: &str) -> anyhow::Error {
    let truncated = [
        "invalid",
        "corrupt",
        "eof",
        "incomplete",
        "out of specification",
    ];
    let hint = if truncated.iter().any(|word| reason.contains(word)) {
        Some("the file may be truncated or corrupt; export or download it again".to_string())
    } else {
        None
    };
    TieringError::Unreadable {
        file: file.display.clone(),
        reason: reason.to_string(),
        hint,
    }
    .into()
}

fn decode_header(file: &InputFile, record: &csv::ByteRecord) -> Result<Vec<String>, TieringError> {
    record
        .iter()
        .map(|f| {
            std::str::from_utf8(f)
                .map(|s| s.trim().to_string())
                .map_err(|_| TieringError::Unreadable {
                    file: file.display.clone(),
                    reason: "the header is not valid UTF-8".into(),
                    hint: Some(encoding_hint(record.as_slice())),
                })
        })
        .collect()
}

/// What to do about bytes that are not UTF-8 after a sample that was: name the encoding
/// the bytes look like, not always GBK (which turns `Müller` into `M黮ler`).
fn encoding_hint(bytes: &[u8]) -> String {
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(bytes, true);
    let guess = detector.guess(None, true).name().to_ascii_lowercase();
    format!("the bytes look like {guess}: pass --encoding {guess} (see --help for the encodings)")
}

/// The bytes up to and including the first line break (at most 1 MiB), for sniffing.
/// Decoders may hand out the first bytes in tiny reads, so one `fill_buf` is not enough.
fn first_line(reader: &mut Box<dyn BufRead + Send>) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::new();
    reader.by_ref().take(1 << 20).read_until(b'\n', &mut head)?;
    Ok(head)
}

/// The delimiter that occurs most often outside quotes in the first line.
fn sniff_delimiter(head: &[u8]) -> u8 {
    const CANDIDATES: [u8; 4] = [b',', b'\t', b';', b'|'];
    let mut counts = [0usize; 4];
    let mut quoted = false;
    for &b in head {
        match b {
            b'"' => quoted = !quoted,
            b'\n' | b'\r' if !quoted => break,
            _ if !quoted => {
                if let Some(i) = CANDIDATES.iter().position(|&c| c == b) {
                    counts[i] += 1;
                }
            }
            _ => {}
        }
    }
    let best = (0..4).max_by_key(|&i| (counts[i], 4 - i)).unwrap_or(0);
    if counts[best] == 0 {
        b','
    } else {
        CANDIDATES[best]
    }
}

pub(super) fn bad_row(
    file: &InputFile,
    header: &[String],
    location: Location,
    fault: RowFault,
) -> BadRow {
    BadRow {
        file: file.display.clone(),
        location,
        column: fault.column.and_then(|i| header.get(i).cloned()),
        value: fault.value,
        reason: fault.reason,
        expected: fault.expected,
        hint: fault.hint,
    }
}

/// The fields of a text record. The record is checked for UTF-8 once; its fields are
/// then slices of that text (fields end at ASCII delimiters, on character boundaries).
struct ByteFields<'a>(&'a csv::ByteRecord, Option<&'a str>);

impl<'a> ByteFields<'a> {
    fn new(record: &'a csv::ByteRecord) -> Self {
        ByteFields(record, std::str::from_utf8(record.as_slice()).ok())
    }
}

impl Fields for ByteFields<'_> {
    fn len(&self) -> usize {
        self.0.len()
    }

    fn get(&self, i: usize) -> Result<&str, RowFault> {
        if let (Some(text), Some(range)) = (self.1, self.0.range(i))
            && let Some(field) = text.get(range)
        {
            return Ok(field);
        }
        let bytes = self.0.get(i).unwrap_or_default();
        std::str::from_utf8(bytes).map_err(|_| RowFault {
            column: Some(i),
            value: Some(String::from_utf8_lossy(bytes).into_owned()),
            reason: "not valid UTF-8".into(),
            expected: None,
            hint: Some(encoding_hint(bytes)),
        })
    }

    fn raw(&self) -> Vec<String> {
        self.0
            .iter()
            .map(|f| String::from_utf8_lossy(f).into_owned())
            .collect()
    }
}
