//! The `--rejects` file: every bad input row, verbatim, with its file, line and reason.
//! Every row has the same shape, so pandas, DuckDB and spreadsheets read it: the header's
//! fields, missing ones left empty, and any surplus fields in `extra_fields` (themselves
//! written as one CSV record, so nothing is lost).

use std::path::Path;

use super::guard::WriteGuard;
use crate::input::faults::{Rejected, location_number};

/// Write rejected rows as CSV: file, line, column, reason, the row's fields under the
/// header of the first file, then `extra_fields`.
pub fn write_rejects(
    path: &Path,
    rejected: &[Rejected],
    header: &[String],
    guard: &WriteGuard,
) -> anyhow::Result<()> {
    guard.write(path, "--rejects", |out| {
        let mut writer = csv::Writer::from_writer(out);
        let mut head = vec!["file", "line", "column", "reason"];
        head.extend(header.iter().map(String::as_str));
        head.push("extra_fields");
        writer.write_record(&head)?;
        for reject in rejected {
            let mut record = vec![
                reject.row.file.clone(),
                location_number(reject.row.location).to_string(),
                reject.row.column.clone().unwrap_or_default(),
                reject.row.reason.clone(),
            ];
            let fields = &reject.fields;
            let width = header.len();
            record.extend((0..width).map(|i| fields.get(i).cloned().unwrap_or_default()));
            record.push(extra_fields(fields.get(width..).unwrap_or_default())?);
            writer.write_record(&record)?;
        }
        writer.flush()?;
        Ok(())
    })
}

/// Surplus fields as one CSV record (empty when there are none).
fn extra_fields(extra: &[String]) -> anyhow::Result<String> {
    if extra.is_empty() {
        return Ok(String::new());
    }
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    writer.write_record(extra)?;
    let mut text = String::from_utf8(writer.into_inner()?)?;
    text.pop();
    Ok(text)
}
