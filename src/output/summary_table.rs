//! The terminal view: a comfy-table summary per segment, labelled in the output language.

use std::io::Write;

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{Cell, CellAlignment, ContentArrangement, Table};

use crate::input::money::format_money_grouped;
use crate::lang::Lang;
use crate::report::TierRow;

/// Column labels per language; the first is the scorer's group title.
fn labels(lang: Lang, group: &str) -> [String; 9] {
    let labels = match lang {
        Lang::En => [
            group,
            "Customers",
            "Share",
            "Revenue",
            "Revenue share",
            "Avg recency (days)",
            "Avg orders",
            "Effort",
            "Strategy",
        ],
        Lang::Zh => [
            group,
            "客户数",
            "占比",
            "销售额",
            "销售额占比",
            "平均最近购买(天)",
            "平均订单数",
            "建议投入",
            "策略建议",
        ],
    };
    labels.map(str::to_string)
}

/// Narrower than this, a terminal's reported width is not believed (`script` and some CI
/// terminals report 0, which would give one-character columns).
const MIN_BELIEVABLE_WIDTH: u16 = 20;
/// The width used when the terminal's own is not believable and `COLUMNS` is not set.
const FALLBACK_WIDTH: u16 = 120;

/// A table in the house style, as wide as the terminal: its reported width when
/// believable, else `COLUMNS`, else [`FALLBACK_WIDTH`].
fn new_table() -> Table {
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic);
    if let Some(reported) = table.width()
        && reported < MIN_BELIEVABLE_WIDTH
    {
        let columns = std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.trim().parse::<u16>().ok())
            .filter(|&c| c >= MIN_BELIEVABLE_WIDTH);
        table.set_width(columns.unwrap_or(FALLBACK_WIDTH));
    }
    table
}

/// Render the summary table with a title line; `group` heads the first column. The rows
/// are the report's tier rows (one summary for both); tiers without customers are left
/// out of the terminal view.
pub fn write_summary(
    out: &mut dyn Write,
    title: &str,
    group: &str,
    rows: &[TierRow],
    lang: Lang,
) -> anyhow::Result<()> {
    let mut table = new_table();
    table.set_header(labels(lang, group));
    let percent = |share: Option<f64>| share.map_or("-".into(), |s| format!("{:.1}%", 100.0 * s));
    for row in rows.iter().filter(|r| r.customers > 0) {
        let revenue = row.revenue;
        table.add_row(vec![
            Cell::new(&row.name),
            Cell::new(row.customers).set_alignment(CellAlignment::Right),
            Cell::new(percent(row.customer_share)).set_alignment(CellAlignment::Right),
            Cell::new(format_money_grouped(revenue.units, revenue.decimals))
                .set_alignment(CellAlignment::Right),
            Cell::new(percent(row.revenue_share)).set_alignment(CellAlignment::Right),
            Cell::new(
                row.avg_recency_days
                    .map_or("-".into(), |v| format!("{v:.0}")),
            )
            .set_alignment(CellAlignment::Right),
            Cell::new(format!("{:.1}", row.orders as f64 / row.customers as f64))
                .set_alignment(CellAlignment::Right),
            Cell::new(
                row.effort_share
                    .map_or("-".into(), |e| format!("{:.0}%", 100.0 * e)),
            )
            .set_alignment(CellAlignment::Right),
            Cell::new(&row.strategy),
        ]);
    }
    writeln!(out, "{title}")?;
    writeln!(out, "{table}")?;
    Ok(())
}

/// Render any output table for reading (used for `--thresholds` in a terminal and `-v`).
pub fn write_frame_table(out: &mut dyn Write, data: &super::OutputData) -> anyhow::Result<()> {
    let cells = super::cells::Cells::new(data);
    let mut table = new_table();
    table.set_header(cells.names());
    for row in 0..cells.height() {
        table.add_row(
            (0..cells.names().len())
                .map(|c| {
                    let cell = cells.get(row, c);
                    let align = match cell {
                        super::cells::Cell::Text(_) => CellAlignment::Left,
                        _ => CellAlignment::Right,
                    };
                    Cell::new(cell.text(data.decimals)).set_alignment(align)
                })
                .collect::<Vec<_>>(),
        );
    }
    writeln!(out, "{table}")?;
    Ok(())
}
