//! Reading one input file as a header plus rows of text fields, whatever its format:
//! delimited text (`delimited`), Parquet (`parquet`: each column cast to text, rows
//! numbered from 1) or a workbook (`workbook`). The visitor types the rows.

use super::delimited::{TextFile, visit_blocks_in_parallel};
use super::faults::FaultLog;
use super::parquet::{PARQUET_PART_ROWS, ParquetTable};
use super::rows::{FileReport, ForkingVisitor, RowVisitor, visit_in_parallel};
use super::source::{InputFile, Opened, open};
use super::workbook::read_workbook;

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
            let mut text = TextFile::open(file, reader, detected, options, visitor)?;
            let rows = text.visit(file, visitor, faults)?;
            text.report(rows)
        }
        Opened::Parquet(bytes) => {
            let mut table = ParquetTable::open(file, bytes, visitor)?;
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
                drop(frame);
                table.release(&slice);
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
            let mut text = TextFile::open(file, reader, detected, options, visitor)?;
            let rows = visit_blocks_in_parallel(file, &mut text, visitor, faults, on_rows)?;
            text.report(rows)
        }
        Opened::Parquet(bytes) => {
            let mut table = ParquetTable::open(file, bytes, visitor)?;
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
                drop(frame);
                table.release(&slice);
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
