//! The report as one JSON document for other programs: the same content as the HTML and
//! the workbook (money as exact decimal numbers), plus every customer row.

use std::io::Write;

use serde::Serialize;
use serde_json::value::RawValue;

use super::Report;
use crate::output::Output;
use crate::output::json::JsonOutput;

#[derive(Serialize)]
struct Document<'a> {
    #[serde(flatten)]
    report: &'a Report,
    customers: &'a RawValue,
}

/// Write the document.
pub fn write_json(report: &Report, out: &mut dyn Write) -> anyhow::Result<()> {
    let mut customers = Vec::new();
    JsonOutput { lines: false }.write(&report.customers, &mut customers)?;
    let customers = RawValue::from_string(String::from_utf8(customers)?.trim_end().to_string())?;
    let document = Document {
        report,
        customers: &customers,
    };
    serde_json::to_writer_pretty(&mut *out, &document)?;
    out.write_all(b"\n")?;
    Ok(())
}
