//! JSON (one array of objects) and NDJSON (one object per line). Money is a JSON number
//! written with exactly the currency's decimals (`1234.50`), never through a float.

use std::fmt::Write as _;
use std::io::Write;

use super::cells::{Cell, Cells};
use super::{Output, OutputData};
use crate::input::dates::push_date;
use crate::input::money::push_money;

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
        let mut object = String::new();
        for row in 0..cells.height() {
            object.clear();
            object.push('{');
            for (column, key) in keys.iter().enumerate() {
                if column > 0 {
                    object.push(',');
                }
                object.push_str(key);
                object.push(':');
                push_json_value(&mut object, &cells.get(row, column), data.decimals)?;
            }
            object.push('}');
            if self.lines {
                object.push('\n');
            } else if row + 1 < cells.height() {
                object.push_str(",\n");
            }
            if !self.lines && row == 0 {
                out.write_all(b"\n")?;
            }
            out.write_all(object.as_bytes())?;
        }
        if !self.lines {
            out.write_all(b"\n]\n")?;
        }
        Ok(())
    }
}

/// Append `cell` as a JSON value, without a string per cell (a million-customer report
/// writes tens of millions of cells).
fn push_json_value(object: &mut String, cell: &Cell<'_>, decimals: u32) -> anyhow::Result<()> {
    match cell {
        Cell::Null => object.push_str("null"),
        Cell::Text(t) => object.push_str(&serde_json::to_string(t.as_ref())?),
        Cell::Int(v) => write!(object, "{v}")?,
        Cell::Money(v) => push_money(object, *v, decimals),
        Cell::Bool(b) => object.push_str(if *b { "true" } else { "false" }),
        Cell::Float(v) if v.is_finite() => write!(object, "{v}")?,
        Cell::Float(_) => object.push_str("null"),
        // YYYY-MM-DD needs no escaping.
        Cell::Date(d) => {
            object.push('"');
            push_date(object, *d);
            object.push('"');
        }
    }
    Ok(())
}
