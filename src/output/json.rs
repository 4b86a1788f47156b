//! JSON (one array of objects) and NDJSON (one object per line). Money is a JSON number
//! written with exactly the currency's decimals (`1234.50`), never through a float. Rows
//! are formatted in parts on all cores (`parts`).

use std::io::Write;

use super::cells::{Cell, Cells};
use super::parts::write_in_parts;
use super::{Output, OutputData};
use crate::input::dates::push_date;

/// JSON or NDJSON.
pub struct JsonOutput {
    /// One object per line instead of an array.
    pub lines: bool,
}

impl Output for JsonOutput {
    fn write(&self, data: &OutputData, out: &mut dyn Write) -> anyhow::Result<()> {
        let cells = Cells::new(data);
        let keys: Vec<String> = cells
            .names()
            .iter()
            .map(serde_json::to_string)
            .collect::<Result<_, _>>()?;
        if !self.lines {
            out.write_all(b"[")?;
        }
        let height = cells.height();
        write_in_parts(height, out, |rows| {
            let mut part = String::with_capacity(rows.len() * 256);
            let mut escaped = Vec::new();
            for row in rows {
                if !self.lines && row == 0 {
                    part.push('\n');
                }
                part.push('{');
                for (column, key) in keys.iter().enumerate() {
                    if column > 0 {
                        part.push(',');
                    }
                    part.push_str(key);
                    part.push(':');
                    let cell = cells.get(row, column);
                    push_json_value(&mut part, &cell, data.decimals, &mut escaped)?;
                }
                part.push('}');
                if self.lines {
                    part.push('\n');
                } else if row + 1 < height {
                    part.push_str(",\n");
                }
            }
            Ok(part.into_bytes())
        })?;
        if !self.lines {
            out.write_all(b"\n]\n")?;
        }
        Ok(())
    }
}

/// Append `cell` as a JSON value, without a string per cell (a million-customer report
/// writes tens of millions of cells); `escaped` is scratch room for text.
fn push_json_value(
    object: &mut String,
    cell: &Cell<'_>,
    decimals: u32,
    escaped: &mut Vec<u8>,
) -> anyhow::Result<()> {
    match cell {
        Cell::Null => object.push_str("null"),
        Cell::Text(t) => {
            escaped.clear();
            serde_json::to_writer(&mut *escaped, t.as_ref())?;
            object.push_str(std::str::from_utf8(escaped)?);
        }
        Cell::Float(v) if !v.is_finite() => object.push_str("null"),
        Cell::Int(_) | Cell::Money(_) | Cell::Bool(_) | Cell::Float(_) => {
            cell.push_text(object, decimals)
        }
        // YYYY-MM-DD needs no escaping.
        Cell::Date(d) => {
            object.push('"');
            push_date(object, *d);
            object.push('"');
        }
    }
    Ok(())
}
