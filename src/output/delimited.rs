//! CSV and TSV output: a header line, then one line per row; text cells that a
//! spreadsheet would run as formulas are neutralised. Rows are formatted in parts on all
//! cores (`parts`); cells are written straight from the frame into the part's text, quoted
//! as the csv crate quotes (`QuoteStyle::Necessary`).

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
        let mut header = String::new();
        // Header names come from customer exports too (`=cmd|…` is a legal column name).
        for (i, name) in cells.names().iter().enumerate() {
            self.push_separator(&mut header, i);
            self.push_text_field(&mut header, &neutralise(name));
        }
        end_line(&mut header, 0);
        out.write_all(header.as_bytes())?;
        write_in_parts(cells.height(), out, |rows| {
            Ok(self.format_rows(&cells, rows, data.decimals).into_bytes())
        })?;
        out.flush()?;
        Ok(())
    }
}

impl DelimitedOutput {
    /// The lines of `rows`.
    fn format_rows(&self, cells: &Cells<'_>, rows: Range<usize>, decimals: u32) -> String {
        let width = cells.names().len();
        let mut text = String::with_capacity(rows.len() * width * 12);
        for row in rows {
            let line_start = text.len();
            for column in 0..width {
                self.push_separator(&mut text, column);
                match cells.get(row, column) {
                    Cell::Text(cell) => self.push_text_field(&mut text, &neutralise(&cell)),
                    // Numbers, dates and booleans hold no delimiter, quote or line break.
                    cell => cell.push_text(&mut text, decimals),
                }
            }
            end_line(&mut text, line_start);
        }
        text
    }

    fn push_separator(&self, text: &mut String, column: usize) {
        if column > 0 {
            text.push(char::from(self.delimiter));
        }
    }

    /// `field`, quoted when it holds the delimiter, a quote or a line break (quotes in it
    /// doubled): what the csv crate's `QuoteStyle::Necessary` writes.
    fn push_text_field(&self, text: &mut String, field: &str) {
        let special = |b: &u8| matches!(*b, b'"' | b'\n' | b'\r') || *b == self.delimiter;
        if !field.as_bytes().iter().any(special) {
            text.push_str(field);
            return;
        }
        text.push('"');
        for (i, part) in field.split('"').enumerate() {
            if i > 0 {
                text.push_str("\"\"");
            }
            text.push_str(part);
        }
        text.push('"');
    }
}

/// End the line that started at `line_start`. A line with nothing on it (one column, an
/// empty cell) is written as `""`, as the csv crate does, so that it reads back as a row.
fn end_line(text: &mut String, line_start: usize) {
    if text.len() == line_start {
        text.push_str("\"\"");
    }
    text.push('\n');
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn ours(delimiter: u8, records: &[Vec<String>]) -> String {
        let output = DelimitedOutput { delimiter };
        let mut text = String::new();
        for record in records {
            let line_start = text.len();
            for (column, field) in record.iter().enumerate() {
                output.push_separator(&mut text, column);
                output.push_text_field(&mut text, field);
            }
            end_line(&mut text, line_start);
        }
        text
    }

    fn csv_crate(delimiter: u8, records: &[Vec<String>]) -> String {
        let mut writer = csv::WriterBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .from_writer(Vec::new());
        for record in records {
            writer.write_record(record).unwrap();
        }
        String::from_utf8(writer.into_inner().unwrap()).unwrap()
    }

    proptest! {
        #[test]
        fn fields_are_quoted_as_the_csv_crate_quotes_them(
            tab in any::<bool>(),
            width in 1..4usize,
            fields in proptest::collection::vec("[a ,\t\"\r\n=é中']{0,6}", 0..12),
        ) {
            let delimiter = if tab { b'\t' } else { b',' };
            let records: Vec<Vec<String>> = fields.chunks(width).map(<[String]>::to_vec).collect();
            prop_assert_eq!(ours(delimiter, &records), csv_crate(delimiter, &records));
        }
    }
}
