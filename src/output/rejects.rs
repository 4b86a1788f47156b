//! The `--rejects` file: every bad input row, verbatim, with its file, line and reason.

use std::path::Path;

use super::guard::WriteGuard;
use crate::input::faults::{Rejected, location_number};

/// Write rejected rows as CSV: file, line, column, reason, then the row's own fields
/// under the header of the first file.
pub fn write_rejects(
    path: &Path,
    rejected: &[Rejected],
    header: &[String],
    guard: &WriteGuard,
) -> anyhow::Result<()> {
    guard.write(path, "--rejects", |out| {
        let mut writer = csv::WriterBuilder::new().flexible(true).from_writer(out);
        let mut head = vec!["file", "line", "column", "reason"];
        head.extend(header.iter().map(String::as_str));
        writer.write_record(&head)?;
        for reject in rejected {
            let mut record = vec![
                reject.row.file.clone(),
                location_number(reject.row.location).to_string(),
                reject.row.column.clone().unwrap_or_default(),
                reject.row.reason.clone(),
            ];
            record.extend(reject.fields.iter().cloned());
            writer.write_record(&record)?;
        }
        writer.flush()?;
        Ok(())
    })
}
