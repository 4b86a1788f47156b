//! The text report of `tiering check`: per file its format and column mapping, then
//! totals over all lines, then the bad rows.

use std::io::Write;

use crate::input::FileRead;
use crate::input::dates::format_date;
use crate::input::faults::Rejected;
use crate::input::money::format_money;

/// Totals over every line that could be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Totals {
    /// Order lines.
    pub lines: i64,
    /// Distinct customers.
    pub customers: i64,
    /// Distinct (customer, order) pairs.
    pub orders: i64,
    /// Orders that are purchases.
    pub purchases: i64,
    /// Earliest line date (days since the epoch).
    pub first_date: i32,
    /// Latest line date.
    pub last_date: i32,
    /// Lines with a negative amount.
    pub return_lines: i64,
    /// Their absolute sum, minor units.
    pub returns: i64,
    /// Sum of all amounts, minor units.
    pub net_revenue: i64,
}

/// Everything `check` reports.
pub struct CheckReport<'a> {
    /// Files as read.
    pub files: &'a [FileRead],
    /// Totals, when any line was read.
    pub totals: Option<Totals>,
    /// Bad rows.
    pub rejected: &'a [Rejected],
    /// How many bad rows to list.
    pub show: usize,
    /// Money digits.
    pub decimals: u32,
}

/// Write the report.
pub fn write_check_report(out: &mut dyn Write, report: &CheckReport<'_>) -> anyhow::Result<()> {
    for file in report.files {
        let delimiter = match file.report.delimiter {
            Some(b'\t') => " (delimiter TAB)".to_string(),
            Some(d) => format!(" (delimiter `{}`)", d as char),
            None => String::new(),
        };
        writeln!(
            out,
            "{}: {}{delimiter}, {} rows, {} bad",
            file.file.display, file.report.format, file.report.rows, file.report.bad_rows
        )?;
        writeln!(out, "  columns:")?;
        for line in file.mapping.describe() {
            writeln!(out, "    {line}")?;
        }
        let unused = file.mapping.unused();
        if !unused.is_empty() {
            writeln!(out, "  not used: {}", unused.join(", "))?;
        }
        write_export(out, file)?;
    }
    if let Some(t) = &report.totals {
        let money = |v| format_money(v, report.decimals);
        writeln!(out, "lines: {}", t.lines)?;
        writeln!(out, "customers: {}", t.customers)?;
        writeln!(
            out,
            "orders: {} ({}, {})",
            t.orders,
            crate::plural::count(t.purchases as u64, "purchase", "purchases"),
            match t.orders - t.purchases {
                1 => "1 not a purchase: returned in full or a credit note".to_string(),
                n => format!("{n} not purchases: returned in full or credit notes"),
            }
        )?;
        writeln!(
            out,
            "dates: {} to {}",
            format_date(t.first_date),
            format_date(t.last_date)
        )?;
        writeln!(
            out,
            "returns: {} lines, {}",
            t.return_lines,
            money(t.returns)
        )?;
        writeln!(out, "net revenue: {}", money(t.net_revenue))?;
    }
    if report.rejected.is_empty() {
        writeln!(out, "bad rows: none")?;
        return Ok(());
    }
    writeln!(out, "bad rows: {}", report.rejected.len())?;
    for reject in report.rejected.iter().take(report.show) {
        writeln!(out, "  {}", reject.row.summary())?;
    }
    if report.rejected.len() > report.show {
        writeln!(
            out,
            "  … and {} more (--show N lists more)",
            report.rejected.len() - report.show
        )?;
    }
    Ok(())
}

/// What the export layer made of a file: layout, status table, currencies, exclusions.
fn write_export(out: &mut dyn Write, file: &crate::input::FileRead) -> anyhow::Result<()> {
    use crate::input::columns::Canonical;
    let export = &file.export;
    if let Some(layout) = export.layout {
        writeln!(out, "  layout: {} (--layout {})", layout.title, layout.name)?;
    }
    if let Some(order) = export.date_order {
        let order = match order {
            crate::input::dates::DayMonth::DayFirst => "day-first",
            crate::input::dates::DayMonth::MonthFirst => "month-first",
        };
        writeln!(out, "  dates: {order}, decided by the column's values")?;
    }
    if let Some(i) = file.mapping.get(Canonical::Status) {
        writeln!(out, "  statuses (column `{}`):", file.mapping.header[i])?;
        let has_refund = file.mapping.get(Canonical::Refund).is_some();
        for (value, class, lines) in export.state.statuses.rows() {
            let class = match class {
                Some(crate::input::status::StatusClass::Refunded) if !has_refund => {
                    "refunded: excluded (no refund column)"
                }
                Some(crate::input::status::StatusClass::Refunded) => "refunded: nets to 0",
                Some(class) => class.name(),
                None => "UNKNOWN: classify it under [status]",
            };
            let lines = crate::plural::count(lines, "line", "lines");
            writeln!(out, "    {value:<28} {lines:>12}  {class}")?;
        }
        writeln!(
            out,
            "  excluded by status: {} lines",
            export.state.excluded_by_status
        )?;
    }
    if !export.state.currencies.is_empty() {
        let listed: Vec<String> = export
            .state
            .currencies
            .iter()
            .map(|(c, n)| format!("{c} {n}"))
            .collect();
        writeln!(out, "  currencies: {} lines", listed.join(", "))?;
    }
    Ok(())
}

/// Every known layout, for `check --layouts`.
pub fn write_layouts(out: &mut dyn Write) -> anyhow::Result<()> {
    for layout in crate::input::layout::layouts() {
        writeln!(out, "{}", layout.describe())?;
    }
    writeln!(
        out,
        "\nRecognised by their header unless --layout NAME forces one or --layout none turns recognition off; an explicit --map always wins."
    )?;
    Ok(())
}

/// Write configuration lint findings, most serious first.
pub fn write_findings(
    out: &mut dyn Write,
    config: &str,
    findings: &[crate::lint::Finding],
) -> anyhow::Result<()> {
    use crate::lint::Level;
    let count = |level| findings.iter().filter(|f| f.level == level).count();
    writeln!(
        out,
        "config `{config}`: {} errors, {} warnings, {} notes",
        count(Level::Error),
        count(Level::Warning),
        count(Level::Note)
    )?;
    let mut sorted: Vec<_> = findings.iter().collect();
    sorted.sort_by_key(|f| std::cmp::Reverse(f.level));
    for f in sorted {
        let label = match f.level {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Note => "note",
        };
        writeln!(out, "  {label}: {}", f.message.replace('\n', "\n    "))?;
    }
    Ok(())
}
