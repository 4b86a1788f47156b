//! The report as Markdown (GitHub-flavoured tables), for Git hosts and chat. Charts are
//! left to the HTML and the workbook; every number is here.

use std::io::Write;

use super::Report;
use super::grids::{
    Grid, labels_of, matrix_grid, mover_grid, reconciliation_grid, reconciliation_note,
    settings_grid, strategy_grid, tier_grid,
};
use super::html::LIST_LIMIT;
use super::migration::MigrationSection;

/// Write the document.
pub fn write_markdown(report: &Report, out: &mut dyn Write) -> anyhow::Result<()> {
    let w = labels_of(report);
    let lang = report.lang;
    writeln!(out, "# {}\n", w.title)?;
    writeln!(
        out,
        "{}: **{}** · {}: {} ({}) · {}: {}\n",
        w.as_of,
        report.as_of,
        w.scorer,
        report.scorer,
        escape(&report.scorer_options),
        w.customers,
        report.totals.customers
    )?;
    let r = &report.reconciliation;
    writeln!(out, "## {}\n", w.reconciliation)?;
    if r.matches {
        writeln!(out, "✓ {}\n", w.reconciles)?;
    } else {
        writeln!(out, "**✗ {}**\n", w.does_not_reconcile)?;
    }
    write_table(out, &reconciliation_grid(report))?;
    writeln!(out, "{}\n", reconciliation_note(report))?;
    writeln!(out, "## {}\n", w.warnings)?;
    if report.warnings.is_empty() {
        writeln!(out, "{}\n", w.no_warnings)?;
    } else {
        for warning in &report.warnings {
            writeln!(out, "- {}", escape(&warning.message))?;
        }
        writeln!(out)?;
    }
    writeln!(out, "## {}\n", w.summary)?;
    write_table(out, &tier_grid(report))?;
    writeln!(out, "## {}\n", w.migration)?;
    match &report.migration {
        MigrationSection::Unavailable { reason } => writeln!(out, "{}\n", escape(reason))?,
        MigrationSection::Available(m) => {
            let since = m
                .previous_as_of
                .as_deref()
                .map(|d| format!(" ({} {d})", w.as_of))
                .unwrap_or_default();
            writeln!(out, "{}: `{}`{since}\n", w.compared_with, m.previous)?;
            let c = &m.counts;
            writeln!(
                out,
                "{} {} · {} {} · {} {} · {} {} · {} {}\n",
                w.stayed,
                c.stayed,
                w.promoted,
                c.promoted,
                w.demoted,
                c.demoted,
                w.new,
                c.new,
                w.gone,
                c.gone
            )?;
            writeln!(out, "### {}\n", w.matrix_customers)?;
            write_table(out, &matrix_grid(m, lang, false))?;
            writeln!(out, "### {}\n", w.matrix_revenue)?;
            write_table(out, &matrix_grid(m, lang, true))?;
            for (title, movers) in [
                (w.promoted, &m.promoted),
                (w.demoted, &m.demoted),
                (w.new, &m.new),
                (w.gone, &m.gone),
            ] {
                writeln!(out, "### {title} ({})\n", movers.len())?;
                if movers.is_empty() {
                    continue;
                }
                write_table(out, &mover_grid(movers, lang, LIST_LIMIT))?;
                if movers.len() > LIST_LIMIT {
                    writeln!(out, "+{} {}\n", movers.len() - LIST_LIMIT, w.more)?;
                }
            }
        }
    }
    for breakdown in &report.breakdowns {
        writeln!(out, "## {} {}\n", w.by, escape(&breakdown.column))?;
        write_table(out, &super::grids::breakdown_grid(breakdown, report))?;
    }
    if let Some(periods) = &report.history {
        writeln!(out, "## {}\n", w.history)?;
        if periods.iter().all(|p| p.since.is_none()) {
            writeln!(out, "{}\n", w.history_empty)?;
        } else {
            write_table(out, &super::grids::history_grid(periods, report))?;
            writeln!(out, "{}\n", escape(w.history_note))?;
        }
    }
    writeln!(out, "## {}\n", w.strategies)?;
    write_table(out, &strategy_grid(report))?;
    writeln!(out, "## {}\n", w.settings)?;
    write_table(out, &settings_grid(report))?;
    writeln!(out, "---\n{}", report.generator)?;
    Ok(())
}

fn write_table(out: &mut dyn Write, grid: &Grid) -> anyhow::Result<()> {
    let headers: Vec<String> = grid.headers.iter().map(|h| escape(h)).collect();
    writeln!(out, "| {} |", headers.join(" | "))?;
    let aligns: Vec<&str> = (0..grid.headers.len())
        .map(|c| {
            let numeric = grid
                .rows
                .iter()
                .any(|r| r.get(c).is_some_and(|v| v.is_number()));
            if numeric { "---:" } else { "---" }
        })
        .collect();
    writeln!(out, "| {} |", aligns.join(" | "))?;
    for row in &grid.rows {
        let cells: Vec<String> = row.iter().map(|v| escape(&v.text())).collect();
        writeln!(out, "| {} |", cells.join(" | "))?;
    }
    writeln!(out)?;
    Ok(())
}

/// Keep table cells and list items on one line and free of Markdown markup.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '|' | '\\' | '*' | '_' | '`' | '<' | '>' | '[' | ']' => {
                escaped.push('\\');
                escaped.push(c);
            }
            '\n' | '\r' => escaped.push(' '),
            _ => escaped.push(c),
        }
    }
    escaped
}
