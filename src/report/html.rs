//! The report as one self-contained HTML page: inline CSS, charts as inline SVG, no
//! scripts and no external assets; readable on screen and when printed.

use std::io::Write;

use super::grids::{
    Grid, Value, labels_of, matrix_grid, mover_grid, reconciliation_grid, reconciliation_note,
    settings_grid, strategy_grid, tier_grid,
};
use super::migration::{Migration, MigrationSection, Mover};
use super::{Report, labels::Labels};
use crate::lang::Lang;

/// Customers listed per migration list in the page (all are in the workbook and JSON).
pub const LIST_LIMIT: usize = 50;

const STYLE: &str = "
body { font-family: system-ui, -apple-system, 'Segoe UI', 'Noto Sans', 'Noto Sans CJK SC', 'PingFang SC', 'Microsoft YaHei', sans-serif; color: #1a1a1a; margin: 2rem auto; max-width: 1280px; padding: 0 1rem; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.25rem; border-bottom: 1px solid #ccc; padding-bottom: 0.2rem; margin-top: 2rem; }
h3 { font-size: 1.05rem; }
.meta { color: #555; margin-top: 0; }
table { border-collapse: collapse; margin: 0.6rem 0 1rem; font-size: 0.9rem; }
th, td { border: 1px solid #d0d0d0; padding: 0.25rem 0.5rem; vertical-align: top; }
th { background: #f0f3f6; text-align: left; }
td.long { min-width: 20rem; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
tr.total td { font-weight: bold; background: #fafafa; }
.ok { color: #1b5e20; }
.bad { color: #b71c1c; font-weight: bold; }
.warnings li { margin-bottom: 0.3rem; }
figure { margin: 1rem 0; }
figure svg { max-width: 100%; height: auto; }
footer { color: #777; font-size: 0.8rem; margin-top: 2rem; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  section, figure, table { break-inside: avoid; }
  th { background: #eee !important; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
";

/// Write the page.
pub fn write_html(report: &Report, out: &mut dyn Write) -> anyhow::Result<()> {
    let w = labels_of(report);
    let lang = report.lang;
    let html_lang = if lang == Lang::Zh { "zh-CN" } else { "en" };
    let title = format!("{} · {} · {}", w.title, report.scorer, report.as_of);
    writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{html_lang}\">\n<head>\n<meta charset=\"utf-8\">"
    )?;
    writeln!(
        out,
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    )?;
    writeln!(
        out,
        "<meta name=\"generator\" content=\"{}\">",
        escape(&report.generator)
    )?;
    writeln!(
        out,
        "<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>",
        escape(&title)
    )?;
    writeln!(out, "<header>\n<h1>{}</h1>", escape(w.title))?;
    writeln!(
        out,
        "<p class=\"meta\">{}: <strong>{}</strong> · {}: {} ({}) · {}: {}</p>\n</header>",
        escape(w.as_of),
        escape(&report.as_of),
        escape(w.scorer),
        escape(&report.scorer),
        escape(&report.scorer_options),
        escape(w.customers),
        report.totals.customers
    )?;
    write_reconciliation(report, w, out)?;
    write_warnings(report, w, out)?;
    writeln!(
        out,
        "<section id=\"tiers\">\n<h2>{}</h2>",
        escape(w.summary)
    )?;
    write_table(out, &tier_grid(report), Some("tier-table"), true)?;
    write_figure(out, &report.charts.tiers, w.chart_tiers)?;
    writeln!(out, "</section>")?;
    writeln!(
        out,
        "<section id=\"charts\">\n<h2>{}</h2>",
        escape(w.charts)
    )?;
    write_figure(out, &report.charts.pareto, w.chart_pareto)?;
    write_figure(out, &report.charts.rf_heatmap, w.chart_rf)?;
    for (title, svg) in &report.charts.scorer {
        write_figure(out, svg, title)?;
    }
    writeln!(out, "</section>")?;
    writeln!(
        out,
        "<section id=\"migration\">\n<h2>{}</h2>",
        escape(w.migration)
    )?;
    match &report.migration {
        MigrationSection::Unavailable { reason } => {
            writeln!(out, "<p>{}</p>", escape(reason))?;
        }
        MigrationSection::Available(m) => write_migration(report, m, lang, out)?,
    }
    writeln!(out, "</section>")?;
    for (i, breakdown) in report.breakdowns.iter().enumerate() {
        writeln!(
            out,
            "<section class=\"breakdown\">\n<h2>{} {}</h2>",
            escape(w.by),
            escape(&breakdown.column)
        )?;
        write_table(
            out,
            &super::grids::breakdown_grid(breakdown, report),
            None,
            false,
        )?;
        if let Some(svg) = report.charts.breakdowns.get(i) {
            write_figure(out, svg, &breakdown.column)?;
        }
        writeln!(out, "</section>")?;
    }
    if let Some(periods) = &report.history {
        writeln!(
            out,
            "<section id=\"history\">\n<h2>{}</h2>",
            escape(w.history)
        )?;
        if periods.iter().all(|p| p.since.is_none()) {
            writeln!(out, "<p>{}</p>", escape(w.history_empty))?;
        } else {
            write_table(
                out,
                &super::grids::history_grid(periods, report),
                None,
                false,
            )?;
            writeln!(out, "<p>{}</p>", escape(w.history_note))?;
            for (title, svg) in &report.charts.history {
                write_figure(out, svg, title)?;
            }
        }
        writeln!(out, "</section>")?;
    }
    writeln!(
        out,
        "<section id=\"strategies\">\n<h2>{}</h2>",
        escape(w.strategies)
    )?;
    write_table(out, &strategy_grid(report), None, false)?;
    writeln!(out, "</section>")?;
    writeln!(
        out,
        "<section id=\"settings\">\n<h2>{}</h2>",
        escape(w.settings)
    )?;
    write_table(out, &settings_grid(report), None, false)?;
    writeln!(out, "</section>")?;
    writeln!(
        out,
        "<footer>{}</footer>\n</body>\n</html>",
        escape(&report.generator)
    )?;
    Ok(())
}

fn write_reconciliation(report: &Report, w: &Labels, out: &mut dyn Write) -> anyhow::Result<()> {
    let r = &report.reconciliation;
    writeln!(
        out,
        "<section id=\"reconciliation\">\n<h2>{}</h2>",
        escape(w.reconciliation)
    )?;
    let (class, verdict) = if r.matches {
        ("ok", format!("✓ {}", w.reconciles))
    } else {
        ("bad", format!("✗ {}", w.does_not_reconcile))
    };
    writeln!(
        out,
        "<p class=\"{class}\" id=\"reconciliation-line\">{}</p>",
        escape(&verdict)
    )?;
    write_table(
        out,
        &reconciliation_grid(report),
        Some("reconciliation-table"),
        false,
    )?;
    writeln!(
        out,
        "<p class=\"meta\">{}</p>\n</section>",
        escape(&reconciliation_note(report))
    )?;
    Ok(())
}

fn write_warnings(report: &Report, w: &Labels, out: &mut dyn Write) -> anyhow::Result<()> {
    writeln!(
        out,
        "<section id=\"warnings\">\n<h2>{}</h2>",
        escape(w.warnings)
    )?;
    if report.warnings.is_empty() {
        writeln!(out, "<p>{}</p>", escape(w.no_warnings))?;
    } else {
        writeln!(out, "<ul class=\"warnings\">")?;
        for warning in &report.warnings {
            writeln!(
                out,
                "<li data-code=\"{}\">{}</li>",
                warning.code,
                escape(&warning.message)
            )?;
        }
        writeln!(out, "</ul>")?;
    }
    writeln!(out, "</section>")?;
    Ok(())
}

fn write_migration(
    report: &Report,
    m: &Migration,
    lang: Lang,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let w = labels_of(report);
    let since = m
        .previous_as_of
        .as_deref()
        .map(|d| format!(" ({} {d})", w.as_of))
        .unwrap_or_default();
    writeln!(
        out,
        "<p>{}: {}{}</p>",
        escape(w.compared_with),
        escape(&m.previous),
        escape(&since)
    )?;
    let c = &m.counts;
    writeln!(
        out,
        "<p id=\"migration-counts\">{} {} · {} {} · {} {} · {} {} · {} {}</p>",
        escape(w.stayed),
        c.stayed,
        escape(w.promoted),
        c.promoted,
        escape(w.demoted),
        c.demoted,
        escape(w.new),
        c.new,
        escape(w.gone),
        c.gone
    )?;
    writeln!(out, "<h3>{}</h3>", escape(w.matrix_customers))?;
    write_table(
        out,
        &matrix_grid(m, lang, false),
        Some("migration-matrix"),
        false,
    )?;
    writeln!(out, "<h3>{}</h3>", escape(w.matrix_revenue))?;
    write_table(
        out,
        &matrix_grid(m, lang, true),
        Some("migration-revenue"),
        false,
    )?;
    if let Some(chart) = &report.charts.migration {
        write_figure(out, chart, w.chart_migration)?;
    }
    let lists: [(&str, &str, &Vec<Mover>); 4] = [
        ("promoted", w.promoted, &m.promoted),
        ("demoted", w.demoted, &m.demoted),
        ("new", w.new, &m.new),
        ("gone", w.gone, &m.gone),
    ];
    for (id, title, movers) in lists {
        writeln!(
            out,
            "<h3 id=\"{id}\">{} ({})</h3>",
            escape(title),
            movers.len()
        )?;
        if movers.is_empty() {
            continue;
        }
        write_table(
            out,
            &mover_grid(movers, lang, LIST_LIMIT),
            Some(&format!("{id}-table")),
            false,
        )?;
        if movers.len() > LIST_LIMIT {
            writeln!(
                out,
                "<p class=\"meta\">+{} {}</p>",
                movers.len() - LIST_LIMIT,
                escape(w.more)
            )?;
        }
    }
    Ok(())
}

fn write_table(
    out: &mut dyn Write,
    grid: &Grid,
    id: Option<&str>,
    last_is_total: bool,
) -> anyhow::Result<()> {
    match id {
        Some(id) => writeln!(out, "<table id=\"{id}\">")?,
        None => writeln!(out, "<table>")?,
    }
    write!(out, "<thead><tr>")?;
    for header in &grid.headers {
        write!(out, "<th>{}</th>", escape(header))?;
    }
    writeln!(out, "</tr></thead>\n<tbody>")?;
    for (i, row) in grid.rows.iter().enumerate() {
        if last_is_total && i + 1 == grid.rows.len() {
            write!(out, "<tr class=\"total\">")?;
        } else {
            write!(out, "<tr>")?;
        }
        for cell in row {
            let class = match cell {
                Value::Text(t) if t.chars().count() > 60 => " class=\"long\"",
                _ if cell.is_number() => " class=\"num\"",
                _ => "",
            };
            write!(out, "<td{class}>{}</td>", escape(&cell.text()))?;
        }
        writeln!(out, "</tr>")?;
    }
    writeln!(out, "</tbody>\n</table>")?;
    Ok(())
}

fn write_figure(out: &mut dyn Write, svg: &str, caption: &str) -> anyhow::Result<()> {
    let start = svg.find("<svg").unwrap_or(0);
    writeln!(
        out,
        "<figure role=\"img\" aria-label=\"{}\">\n{}\n</figure>",
        escape(caption),
        svg[start..].trim_end()
    )?;
    Ok(())
}

/// Text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            _ => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_markup() {
        assert_eq!(
            super::escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
