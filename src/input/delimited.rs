//! Delimited text (CSV, TSV, any single-byte delimiter) read through the `csv` crate:
//! the delimiter sniffed from the header line, physical line numbers through quoted
//! newlines, blocks visited on all cores.

use std::io::{BufRead, Read};

use super::blocks::{BLOCK_BYTES, Block, Blocks, BufferPool, LineCounter};
use super::faults::FaultLog;
use super::limits::{MAX_COLUMNS, too_many_columns};
use super::lines::RowFault;
use super::rows::{
    Fields, FileReport, ForkingVisitor, RowVisitor, bad_row, unreadable, visit_in_parallel,
};
use super::source::InputFile;
use super::table::TextOptions;
use crate::error::{Location, TieringError};

/// Blocks read ahead while others are visited: enough to keep every core busy.
const BLOCKS_PER_CORE: usize = 2;

/// Visit the blocks of a text file in batches, read ahead on another thread.
pub(super) fn visit_blocks_in_parallel<V: ForkingVisitor>(
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

type TextBlocks = Box<dyn Iterator<Item = std::io::Result<Block>> + Send>;

/// What every block of a text file is read with.
pub(super) struct TextShape {
    delimiter: u8,
    header: Vec<String>,
    header_bytes: csv::ByteRecord,
}

/// A text file whose header has been read and handed to the visitor.
pub(super) struct TextFile {
    shape: TextShape,
    /// The rest of the file.
    blocks: TextBlocks,
    /// Where visited blocks go back for reuse.
    pool: BufferPool,
    /// The encoding detected, when not UTF-8.
    detected: Option<&'static encoding_rs::Encoding>,
}

impl TextFile {
    pub(super) fn open(
        file: &InputFile,
        mut reader: Box<dyn BufRead + Send>,
        detected: Option<&'static encoding_rs::Encoding>,
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
            detected,
        })
    }

    /// Visit every row in file order on this thread; returns the rows visited.
    pub(super) fn visit(
        &mut self,
        file: &InputFile,
        visitor: &mut (impl RowVisitor + ?Sized),
        faults: &mut FaultLog,
    ) -> anyhow::Result<u64> {
        let mut rows = 0;
        for block in self.blocks.by_ref() {
            let block = block.map_err(|e| unreadable(file, &e.to_string()))?;
            rows += self.shape.visit(file, &block, visitor, faults)?;
            self.pool.give(block.bytes);
        }
        Ok(rows)
    }

    pub(super) fn report(&self, rows: u64) -> FileReport {
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
