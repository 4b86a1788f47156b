//! JSON (one array of objects) and NDJSON (one object per line). Money is a JSON number
//! written with exactly the currency's decimals (`1234.50`), never through a float.

use std::io::Write;

use super::cells::{Cell, Cells};
use super::{Output, OutputData};

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
                object.push_str(&json_value(&cells.get(row, column), data.decimals)?);
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

fn json_value(cell: &Cell<'_>, decimals: u32) -> anyhow::Result<String> {
    Ok(match cell {
        Cell::Null => "null".into(),
        Cell::Text(t) => serde_json::to_string(t.as_ref())?,
        Cell::Int(_) | Cell::Money(_) | Cell::Bool(_) => cell.text(decimals).into_owned(),
        Cell::Float(v) if v.is_finite() => v.to_string(),
        Cell::Float(_) => "null".into(),
        Cell::Date(_) => serde_json::to_string(cell.text(decimals).as_ref())?,
    })
}
