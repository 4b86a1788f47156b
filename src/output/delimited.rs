//! CSV and TSV output: a header line, then one line per row; text cells that a
//! spreadsheet would run as formulas are neutralised.

use std::io::Write;

use super::cells::{Cell, Cells, neutralise};
use super::{Output, OutputData};

/// Delimited text with the given delimiter.
pub struct DelimitedOutput {
    /// `,` or tab.
    pub delimiter: u8,
}

impl Output for DelimitedOutput {
    fn write(&self, data: &OutputData, out: &mut dyn Write) -> anyhow::Result<()> {
        let cells = Cells::new(data);
        let mut writer = csv::WriterBuilder::new()
            .delimiter(self.delimiter)
            .from_writer(out);
        writer.write_record(cells.names())?;
        let width = cells.names().len();
        let mut record: Vec<String> = Vec::with_capacity(width);
        for row in 0..cells.height() {
            record.clear();
            for column in 0..width {
                let cell = cells.get(row, column);
                let text = match &cell {
                    Cell::Text(t) => neutralise(t).into_owned(),
                    other => other.text(data.decimals).into_owned(),
                };
                record.push(text);
            }
            writer.write_record(&record)?;
        }
        writer.flush()?;
        Ok(())
    }
}
