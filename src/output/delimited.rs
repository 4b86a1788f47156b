//! CSV and TSV output: a header line, then one line per row; text cells that a
//! spreadsheet would run as formulas are neutralised. Rows are formatted in parts on all
//! cores (`parts`); cells are written straight from the frame, without a string per cell.

use std::io::Write;
use std::ops::Range;

use super::cells::{Cell, Cells, neutralise};
use super::parts::write_in_parts;
use super::{Output, OutputData};

/// Delimited text with the given delimiter.
pub struct DelimitedOutput {
    /// `,` or tab.
    pub delimiter: u8,
}

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
        write_in_parts(cells.height(), out, |rows| {
            self.format_rows(&cells, rows, data.decimals)
        })?;
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
                    cell => {
                        scratch.clear();
                        cell.push_text(&mut scratch, decimals);
                        writer.write_field(scratch.as_bytes())?;
                    }
                }
            }
            writer.write_record(None::<&[u8]>)?;
        }
        Ok(writer.into_inner()?)
    }
}
