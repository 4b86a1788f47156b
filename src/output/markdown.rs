//! Markdown table output (GitHub-flavoured pipes), money right-aligned with its decimals.

use std::io::Write;

use super::cells::{Cell, Cells};
use super::{Output, OutputData};

/// A Markdown pipe table.
pub struct MarkdownOutput;

impl Output for MarkdownOutput {
    fn write(&self, data: &OutputData, out: &mut dyn Write) -> anyhow::Result<()> {
        let cells = Cells::new(data);
        let names = cells.names();
        writeln!(out, "| {} |", names.join(" | "))?;
        let aligns: Vec<&str> = (0..names.len())
            .map(|c| {
                match (0..cells.height())
                    .map(|r| cells.get(r, c))
                    .find(|v| *v != Cell::Null)
                {
                    Some(Cell::Int(_) | Cell::Money(_) | Cell::Float(_)) => "---:",
                    _ => "---",
                }
            })
            .collect();
        writeln!(out, "| {} |", aligns.join(" | "))?;
        for row in 0..cells.height() {
            let line: Vec<String> = (0..names.len())
                .map(|c| escape(&cells.get(row, c).text(data.decimals)))
                .collect();
            writeln!(out, "| {} |", line.join(" | "))?;
        }
        Ok(())
    }
}

fn escape(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}
