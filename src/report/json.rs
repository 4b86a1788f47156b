//! The report as one JSON document for other programs: the same content as the HTML and
//! the workbook (money as exact decimal numbers), plus every customer row.
//!
//! The customer rows are written straight to the output after the rest of the document,
//! not built in memory first: at 1.25M customers they are ~440 MB of JSON.

use std::io::Write;

use super::Report;
use crate::output::Output;
use crate::output::json::JsonOutput;

/// Write the document: the report's own fields, then `customers`, pretty-printed as
/// serde_json prints a struct (the customer rows as the JSON output writes them).
pub fn write_json(report: &Report, out: &mut dyn Write) -> anyhow::Result<()> {
    let head = serde_json::to_vec_pretty(report)?;
    // `{ ... \n}`: the last field is followed by the customers instead of the close.
    match head.strip_suffix(b"\n}") {
        Some(fields) => {
            out.write_all(fields)?;
            out.write_all(b",\n")?;
        }
        None if head == b"{}" => out.write_all(b"{\n")?,
        None => anyhow::bail!("internal error: the report did not serialise as an object"),
    }
    out.write_all(b"  \"customers\": ")?;
    let mut rows = WithoutTrailingWhitespace::new(&mut *out);
    JsonOutput { lines: false }.write(&report.customers, &mut rows)?;
    out.write_all(b"\n}\n")?;
    Ok(())
}

/// A writer that passes everything on except whitespace at the very end.
struct WithoutTrailingWhitespace<'a> {
    out: &'a mut dyn Write,
    held: Vec<u8>,
}

impl<'a> WithoutTrailingWhitespace<'a> {
    fn new(out: &'a mut dyn Write) -> Self {
        WithoutTrailingWhitespace {
            out,
            held: Vec::new(),
        }
    }
}

impl Write for WithoutTrailingWhitespace<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match buf.iter().rposition(|b| !b.is_ascii_whitespace()) {
            Some(last) => {
                self.out.write_all(&self.held)?;
                self.held.clear();
                self.out.write_all(&buf[..=last])?;
                self.held.extend_from_slice(&buf[last + 1..]);
            }
            None => self.held.extend_from_slice(buf),
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}
