//! Reading one input file as a header plus rows of text fields, whatever its format:
//! delimited text through the `csv` crate (physical line numbers, any delimiter, quoted
//! newlines), Parquet through polars (each column cast to text, rows numbered from 1).
//! Row-level problems become [`BadRow`]s in the [`FaultLog`]; the visitor types the rows.

use super::limits::{MAX_COLUMNS, too_many_columns};
use std::io::{BufRead, Read};

use polars::prelude::*;

use super::faults::FaultLog;
use super::lines::RowFault;
use super::source::{InputFile, Opened, open};
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
        Opened::Text(reader) => read_text(file, reader, options, visitor, faults)?,
        Opened::Parquet(bytes) => read_parquet(file, bytes, visitor, faults)?,
    };
    report.bad_rows = faults.count() - bad_before;
    Ok(report)
}

fn read_text(
    file: &InputFile,
    mut reader: Box<dyn BufRead>,
    options: &TextOptions,
    visitor: &mut dyn RowVisitor,
    faults: &mut FaultLog,
) -> anyhow::Result<FileReport> {
    let head = first_line(&mut reader).map_err(|e| unreadable(file, &e.to_string()))?;
    let delimiter = options.delimiter.unwrap_or_else(|| sniff_delimiter(&head));
    let mut csv = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(std::io::Cursor::new(head).chain(reader));
    let mut record = csv::ByteRecord::new();
    if !read_record(file, &mut csv, &mut record)? {
        return Err(TieringError::Empty {
            file: file.display.clone(),
        }
        .into());
    }
    if record.len() > MAX_COLUMNS {
        return Err(unreadable(file, &too_many_columns(record.len())));
    }
    let header = decode_header(file, &record)?;
    visitor.header(file, &header)?;
    let header_bytes = record.clone();
    let mut rows = 0u64;
    while read_record(file, &mut csv, &mut record)? {
        if record.len() == 1 && record[0].is_empty() {
            continue;
        }
        rows += 1;
        let line = record.position().map_or(0, csv::Position::line);
        let location = Location::Line(line);
        let fields = ByteFields(&record);
        let outcome = if record.len() != header.len() {
            Err(RowFault::row(
                format!("expected {} fields, found {}", header.len(), record.len()),
                Some("check the delimiter and quoting of this line".into()),
            ))
        } else if record == header_bytes {
            Err(RowFault::row("the header line is repeated here", None))
        } else {
            visitor.row(location, &fields)
        };
        if let Err(fault) = outcome {
            faults.record(bad_row(file, &header, location, fault), || fields.raw());
        }
    }
    Ok(FileReport {
        format: "csv",
        delimiter: Some(delimiter),
        rows,
        bad_rows: 0,
    })
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

fn unreadable(file: &InputFile, reason: &str) -> anyhow::Error {
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
                    hint: Some(ENCODING_HINT.into()),
                })
        })
        .collect()
}

const ENCODING_HINT: &str = "exports from Chinese Excel or CRM systems are often GBK: pass --encoding gbk (or gb18030, utf-16)";

/// The bytes up to and including the first line break (at most 1 MiB), for sniffing.
/// Decoders may hand out the first bytes in tiny reads, so one `fill_buf` is not enough.
fn first_line(reader: &mut Box<dyn BufRead>) -> std::io::Result<Vec<u8>> {
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

fn bad_row(file: &InputFile, header: &[String], location: Location, fault: RowFault) -> BadRow {
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

struct ByteFields<'a>(&'a csv::ByteRecord);

impl Fields for ByteFields<'_> {
    fn len(&self) -> usize {
        self.0.len()
    }

    fn get(&self, i: usize) -> Result<&str, RowFault> {
        let bytes = self.0.get(i).unwrap_or_default();
        std::str::from_utf8(bytes).map_err(|_| RowFault {
            column: Some(i),
            value: Some(String::from_utf8_lossy(bytes).into_owned()),
            reason: "not valid UTF-8".into(),
            expected: None,
            hint: Some(ENCODING_HINT.into()),
        })
    }

    fn raw(&self) -> Vec<String> {
        self.0
            .iter()
            .map(|f| String::from_utf8_lossy(f).into_owned())
            .collect()
    }
}

struct TextFields<'a>(Vec<Option<&'a str>>);

impl Fields for TextFields<'_> {
    fn len(&self) -> usize {
        self.0.len()
    }

    fn get(&self, i: usize) -> Result<&str, RowFault> {
        Ok(self.0.get(i).copied().flatten().unwrap_or(""))
    }

    fn raw(&self) -> Vec<String> {
        self.0.iter().map(|v| v.unwrap_or("").to_string()).collect()
    }
}

fn read_parquet(
    file: &InputFile,
    bytes: Vec<u8>,
    visitor: &mut dyn RowVisitor,
    faults: &mut FaultLog,
) -> anyhow::Result<FileReport> {
    let mut reader = ParquetReader::new(std::io::Cursor::new(bytes));
    let width = reader
        .schema()
        .map_err(|e| unreadable(file, &format!("not a readable Parquet file ({e})")))?
        .len();
    if width > MAX_COLUMNS {
        return Err(unreadable(file, &too_many_columns(width)));
    }
    let frame = reader
        .finish()
        .map_err(|e| unreadable(file, &format!("not a readable Parquet file ({e})")))?;
    let header: Vec<String> = frame
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    visitor.header(file, &header)?;
    let text_columns: Vec<StringChunked> = frame
        .columns()
        .iter()
        .map(|c| {
            c.cast(&DataType::String)
                .and_then(|s| s.str().cloned())
                .map_err(|e| {
                    unreadable(
                        file,
                        &format!("column `{}` cannot be read as text ({e})", c.name()),
                    )
                })
        })
        .collect::<anyhow::Result<_>>()?;
    let rows = frame.height();
    for row in 0..rows {
        let fields = TextFields(text_columns.iter().map(|c| c.get(row)).collect());
        let location = Location::Row(row as u64 + 1);
        if let Err(fault) = visitor.row(location, &fields) {
            faults.record(bad_row(file, &header, location, fault), || fields.raw());
        }
    }
    Ok(FileReport {
        format: "parquet",
        delimiter: None,
        rows: rows as u64,
        bad_rows: 0,
    })
}
