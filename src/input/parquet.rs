//! Parquet input: the file is read by polars and its rows are visited in parts, like the
//! rows of a text file. Each column is offered as text (what the file holds, formatted by
//! polars); date, integer and decimal columns are also offered typed, so dates and money
//! are taken exactly without being formatted and parsed again, and their text is only
//! made when something asks for it (a fault, a rejects file, an id column).

use std::cell::OnceCell;
use std::ops::Range;

use polars::io::parquet::metadata::FileMetadataRef;
use polars::prelude::*;
use polars_arrow::array::{PrimitiveArray, Utf8ViewArray};

use super::faults::FaultLog;
use super::limits::{MAX_COLUMNS, too_many_columns};
use super::lines::RowFault;
use super::rows::{Fields, FileReport, RowVisitor, bad_row, unreadable};
use super::source::InputFile;
use crate::arrays::single_chunk;
use crate::error::Location;

/// Rows per part when the rows of a Parquet file are typed on all cores.
pub const PARQUET_PART_ROWS: usize = 1 << 16;

/// Rows decoded at a time (whole row groups, so none is decoded twice): the decoded
/// columns of a big file would take several times the file's size.
const SLICE_ROWS: usize = 1 << 20;

/// A Parquet file in memory, its header handed to the visitor; its rows are decoded
/// slice by slice.
pub struct ParquetTable {
    header: Vec<String>,
    bytes: Vec<u8>,
    metadata: FileMetadataRef,
}

impl ParquetTable {
    /// Read the schema of `bytes` and hand the header to `visitor`.
    pub fn open(
        file: &InputFile,
        bytes: Vec<u8>,
        visitor: &mut (impl RowVisitor + ?Sized),
    ) -> anyhow::Result<ParquetTable> {
        let not_parquet =
            |e: PolarsError| unreadable(file, &format!("not a readable Parquet file ({e})"));
        let mut reader = ParquetReader::new(std::io::Cursor::new(bytes.as_slice()));
        let schema = reader.schema().map_err(not_parquet)?;
        if schema.len() > MAX_COLUMNS {
            return Err(unreadable(file, &too_many_columns(schema.len())));
        }
        let metadata = reader.get_metadata().map_err(not_parquet)?.clone();
        let header: Vec<String> = schema.iter_names().map(|n| n.to_string()).collect();
        visitor.header(file, &header)?;
        Ok(ParquetTable {
            header,
            bytes,
            metadata,
        })
    }

    /// Number of rows.
    pub fn height(&self) -> usize {
        self.metadata.num_rows
    }

    /// Consecutive row ranges of whole row groups, about [`SLICE_ROWS`] each.
    pub fn slices(&self) -> Vec<Range<usize>> {
        let mut slices = Vec::new();
        let mut start = 0;
        let mut end = 0;
        for group in &self.metadata.row_groups {
            end += group.num_rows();
            if end - start >= SLICE_ROWS {
                slices.push(start..end);
                start = end;
            }
        }
        if end > start || slices.is_empty() {
            slices.push(start..end);
        }
        slices
    }

    /// Decode the rows of `slice`.
    pub fn decode(&self, file: &InputFile, slice: &Range<usize>) -> anyhow::Result<DataFrame> {
        let mut reader = ParquetReader::new(std::io::Cursor::new(self.bytes.as_slice()))
            .with_slice(Some((slice.start, slice.len())));
        reader.set_metadata(self.metadata.clone());
        reader
            .finish()
            .map_err(|e| unreadable(file, &format!("not a readable Parquet file ({e})")))
    }

    /// Hand back the memory of the row groups of `slice` (from [`ParquetTable::slices`])
    /// once its rows are visited. They are not read again (the footer is parsed
    /// already), and a big file's bytes would otherwise be held in full until the end
    /// of the reading, on top of the lines typed from them (1.1 GB at 100M lines). Bytes
    /// that a later row group's chunks reach are kept, however the file lays them out.
    pub fn release(&mut self, slice: &Range<usize>) {
        let mut first_row = 0;
        let mut visited = Vec::new();
        let mut keep_from = u64::MAX;
        for group in &self.metadata.row_groups {
            let rows = first_row..first_row + group.num_rows();
            first_row = rows.end;
            if rows.start >= slice.start && rows.end <= slice.end {
                visited.extend(group.byte_ranges_iter());
            } else if rows.start >= slice.end {
                keep_from = group
                    .byte_ranges_iter()
                    .map(|r| r.start)
                    .fold(keep_from, u64::min);
            }
        }
        for range in visited {
            let (start, end) = (range.start as usize, range.end.min(keep_from) as usize);
            if let Some(bytes) = self.bytes.get_mut(start..end.max(start)) {
                crate::memory::discard(bytes);
            }
        }
    }

    /// Visit rows `range` of `frame`, the decoded rows from `first_row` (0-based; rows
    /// are reported from 1).
    pub fn visit(
        &self,
        file: &InputFile,
        frame: &DataFrame,
        first_row: usize,
        range: Range<usize>,
        visitor: &mut (impl RowVisitor + ?Sized),
        faults: &mut FaultLog,
    ) -> anyhow::Result<u64> {
        let part = frame.slice(range.start as i64, range.len());
        let columns: Vec<PartColumn> = part
            .columns()
            .iter()
            .map(|c| PartColumn::new(file, c))
            .collect::<anyhow::Result<_>>()?;
        for row in 0..part.height() {
            let fields = RowFields {
                columns: &columns,
                row,
            };
            let location = Location::Row((first_row + range.start + row) as u64 + 1);
            if let Err(fault) = visitor.row(location, &fields) {
                faults.record(bad_row(file, &self.header, location, fault), || {
                    fields.raw()
                });
            }
        }
        Ok(part.height() as u64)
    }

    /// What was read.
    pub fn report(&self) -> FileReport {
        FileReport {
            format: "parquet",
            delimiter: None,
            rows: self.height() as u64,
            bad_rows: 0,
            detected_encoding: None,
        }
    }
}

/// One column of a part: its text, and its typed values where it has them, each as the
/// single arrow array of the rechunked part, so that a row's cell is an array access
/// (several per row: no chunk lookup).
struct PartColumn {
    source: Series,
    text: OnceCell<Option<Utf8ViewArray>>,
    typed: Typed,
}

enum Typed {
    Not,
    Date(PrimitiveArray<i32>),
    Decimal(PrimitiveArray<i128>, u32),
    Integer(PrimitiveArray<i64>),
}

impl PartColumn {
    fn new(file: &InputFile, column: &Column) -> anyhow::Result<PartColumn> {
        let source = column.as_materialized_series().rechunk();
        let typed = match source.dtype() {
            DataType::Date => {
                single_chunk(source.date()?.physical()).map_or(Typed::Not, Typed::Date)
            }
            DataType::Decimal(_, scale) => single_chunk(source.decimal()?.physical())
                .map_or(Typed::Not, |values| Typed::Decimal(values, *scale as u32)),
            DataType::UInt64 => Typed::Not,
            dtype if dtype.is_integer() => single_chunk(source.cast(&DataType::Int64)?.i64()?)
                .map_or(Typed::Not, Typed::Integer),
            _ => Typed::Not,
        };
        let part = PartColumn {
            source,
            text: OnceCell::new(),
            typed,
        };
        if matches!(part.typed, Typed::Not) {
            // Columns without a typed form are needed as text: fail here if they cannot be.
            let text = part.cast_to_text().map_err(|e| {
                unreadable(
                    file,
                    &format!(
                        "column `{}` cannot be read as text ({e})",
                        part.source.name()
                    ),
                )
            })?;
            let _ = part.text.set(text);
        }
        Ok(part)
    }

    fn cast_to_text(&self) -> PolarsResult<Option<Utf8ViewArray>> {
        let text = self.source.cast(&DataType::String)?;
        let text = text.str()?.rechunk();
        Ok(single_chunk(&text))
    }

    fn text(&self, row: usize) -> Option<&str> {
        self.text
            .get_or_init(|| {
                // Dates and numbers always have a text form.
                self.cast_to_text().ok().flatten()
            })
            .as_ref()?
            .get(row)
    }
}

struct RowFields<'a> {
    columns: &'a [PartColumn],
    row: usize,
}

impl Fields for RowFields<'_> {
    fn len(&self) -> usize {
        self.columns.len()
    }

    fn get(&self, i: usize) -> Result<&str, RowFault> {
        Ok(self
            .columns
            .get(i)
            .and_then(|c| c.text(self.row))
            .unwrap_or(""))
    }

    fn raw(&self) -> Vec<String> {
        self.columns
            .iter()
            .map(|c| c.text(self.row).unwrap_or("").to_string())
            .collect()
    }

    fn date(&self, i: usize) -> Option<i32> {
        match &self.columns.get(i)?.typed {
            Typed::Date(days) => days.get(self.row),
            _ => None,
        }
    }

    fn exact(&self, i: usize) -> Option<(i128, u32)> {
        match &self.columns.get(i)?.typed {
            Typed::Decimal(values, scale) => values.get(self.row).map(|v| (v, *scale)),
            Typed::Integer(values) => values.get(self.row).map(|v| (i128::from(v), 0)),
            _ => None,
        }
    }
}
