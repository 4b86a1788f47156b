//! CSV and TSV output: a header line, then one line per row; text cells that a
//! spreadsheet would run as formulas are neutralised. Rows are formatted in parts on all
//! cores and written in order, so the bytes are those of a sequential writer; cells are
//! written straight from the frame, without a string per cell.

use std::fmt::Write as _;
use std::io::Write;
use std::ops::Range;

use rayon::prelude::*;

use super::cells::{Cell, Cells, neutralise};
use super::{Output, OutputData};
use crate::input::dates::push_date;
use crate::input::money::push_money;

/// Delimited text with the given delimiter.
pub struct DelimitedOutput {
    /// `,` or tab.
    pub delimiter: u8,
}

/// Rows formatted by one task: large enough to amortise the task, small enough that the
/// parts in flight stay a few MB.
const ROWS_PER_PART: usize = 16 * 1024;

impl Output for DelimitedOutput {
    fn write(&self, data: &OutputData, out: &mut dyn Write) -> anyhow::Result<()> {
        let cells = Cells::new(data);
        let mut header = self.writer(Vec::new());
        // Header names come from customer exports too (`=cmd|…` is a legal column name).
        header.write_record(
            cells
                .names()
                .iter()
                .map(|name| neutralise(name).into_owned()),
        )?;
        out.write_all(&header.into_inner()?)?;
        let height = cells.height();
        let parts: Vec<Range<usize>> = (0..height)
            .step_by(ROWS_PER_PART)
            .map(|start| start..(start + ROWS_PER_PART).min(height))
            .collect();
        // While one batch of parts is written (on this thread), the next is formatted on
        // the pool: writing 200 MB into the page cache is a tenth of a large run.
        let in_flight = rayon::current_num_threads().max(1) * 2;
        let mut formatted: Vec<anyhow::Result<Vec<u8>>> = Vec::new();
        for batch in parts.chunks(in_flight).map(Some).chain([None]) {
            let mut next = Vec::new();
            let written = rayon::in_place_scope(|scope| {
                if let Some(batch) = batch {
                    scope.spawn(|_| {
                        next = batch
                            .par_iter()
                            .map(|rows| self.format_rows(&cells, rows.clone(), data.decimals))
                            .collect();
                    });
                }
                formatted
                    .drain(..)
                    .try_for_each(|bytes| anyhow::Ok(out.write_all(&bytes?)?))
            });
            written?;
            formatted = next;
        }
        out.flush()?;
        Ok(())
    }
}

impl DelimitedOutput {
    fn writer(&self, buffer: Vec<u8>) -> csv::Writer<Vec<u8>> {
        csv::WriterBuilder::new()
            .delimiter(self.delimiter)
            .from_writer(buffer)
    }

    /// The lines of `rows`, as the csv writer quotes them.
    fn format_rows(
        &self,
        cells: &Cells<'_>,
        rows: Range<usize>,
        decimals: u32,
    ) -> anyhow::Result<Vec<u8>> {
        let width = cells.names().len();
        let mut writer = self.writer(Vec::with_capacity(rows.len() * width * 12));
        let mut scratch = String::with_capacity(32);
        for row in rows {
            for column in 0..width {
                match cells.get(row, column) {
                    Cell::Text(text) => writer.write_field(neutralise(&text).as_bytes())?,
                    Cell::Null => writer.write_field(b"")?,
                    Cell::Int(v) => {
                        scratch.clear();
                        write!(scratch, "{v}")?;
                        writer.write_field(scratch.as_bytes())?;
                    }
                    Cell::Money(v) => {
                        scratch.clear();
                        push_money(&mut scratch, v, decimals);
                        writer.write_field(scratch.as_bytes())?;
                    }
                    Cell::Date(d) => {
                        scratch.clear();
                        push_date(&mut scratch, d);
                        writer.write_field(scratch.as_bytes())?;
                    }
                    Cell::Float(v) => {
                        scratch.clear();
                        write!(scratch, "{v}")?;
                        writer.write_field(scratch.as_bytes())?;
                    }
                    other => writer.write_field(other.text(decimals).as_bytes())?,
                }
            }
            writer.write_record(None::<&[u8]>)?;
        }
        Ok(writer.into_inner()?)
    }
}
