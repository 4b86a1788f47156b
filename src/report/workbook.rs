//! The report as an XLSX workbook: sheets Summary (tiers, reconciliation, warnings and a
//! native chart), Customers, Migration, Strategies and Settings; frozen header rows,
//! money and percent formats, text as string cells (which never run), no clock in the file.

use std::io::Write;

use rust_xlsxwriter::{Chart, ChartType, Format, Worksheet};

use super::Report;
use super::grids::{
    Grid, Value, labels_of, matrix_grid, mover_grid, reconciliation_grid, settings_grid,
    strategy_grid, tier_grid,
};
use super::migration::MigrationSection;
use crate::output::cells::Cells;
use crate::output::xlsx::{fill_sheet, money_format, reproducible_workbook};

/// Excel's row limit, header included.
const MAX_ROWS: usize = 1_048_576;

struct Formats {
    header: Format,
    bold: Format,
    money: Format,
    percent: Format,
    days: Format,
}

/// Write the workbook.
pub fn write_workbook(report: &Report, out: &mut dyn Write) -> anyhow::Result<()> {
    let w = labels_of(report);
    let lang = report.lang;
    let formats = Formats {
        header: Format::new().set_bold().set_background_color(0xF0F3F6),
        bold: Format::new().set_bold(),
        money: Format::new().set_num_format(money_format(report.currency_decimals)),
        percent: Format::new().set_num_format("0.0%"),
        days: Format::new().set_num_format("0.0"),
    };
    let mut workbook = reproducible_workbook(&report.as_of)?;

    let sheet = workbook.add_worksheet().set_name("Summary")?;
    let tiers = tier_grid(report);
    let mut row = write_grid(sheet, 0, &tiers, &formats)?;
    sheet.set_freeze_panes(1, 0)?;
    row += 1;
    let verdict = if report.reconciliation.matches {
        format!("✓ {}", w.reconciles)
    } else {
        format!("✗ {}", w.does_not_reconcile)
    };
    sheet.write_string_with_format(row, 0, w.reconciliation, &formats.bold)?;
    sheet.write_string(row, 1, &verdict)?;
    row = write_grid(sheet, row + 1, &reconciliation_grid(report), &formats)? + 1;
    sheet.write_string_with_format(row, 0, w.warnings, &formats.bold)?;
    if report.warnings.is_empty() {
        sheet.write_string(row + 1, 0, w.no_warnings)?;
    }
    for (i, warning) in report.warnings.iter().enumerate() {
        sheet.write_string(row + 1 + i as u32, 0, &warning.message)?;
    }
    sheet.autofit();
    insert_tier_chart(sheet, report, &tiers)?;

    let customers = &report.customers;
    let cells = Cells::new(customers);
    anyhow::ensure!(
        cells.height() < MAX_ROWS,
        "{} customers do not fit in one Excel sheet (limit {}); write the report as HTML or JSON",
        cells.height(),
        MAX_ROWS - 1
    );
    let sheet = workbook.add_worksheet().set_name("Customers")?;
    fill_sheet(sheet, &cells, customers.decimals)?;

    let sheet = workbook.add_worksheet().set_name("Migration")?;
    match &report.migration {
        MigrationSection::Unavailable { reason } => {
            sheet.write_string(0, 0, reason)?;
        }
        MigrationSection::Available(m) => {
            let mut row = write_grid(sheet, 0, &matrix_grid(m, lang, false), &formats)? + 1;
            sheet.set_freeze_panes(1, 0)?;
            sheet.write_string_with_format(row, 0, w.matrix_revenue, &formats.bold)?;
            row = write_grid(sheet, row + 1, &matrix_grid(m, lang, true), &formats)? + 1;
            for (title, movers) in [
                (w.promoted, &m.promoted),
                (w.demoted, &m.demoted),
                (w.new, &m.new),
                (w.gone, &m.gone),
            ] {
                sheet.write_string_with_format(
                    row,
                    0,
                    format!("{title} ({})", movers.len()),
                    &formats.bold,
                )?;
                row = if movers.is_empty() {
                    row + 2
                } else {
                    write_grid(
                        sheet,
                        row + 1,
                        &mover_grid(movers, lang, usize::MAX),
                        &formats,
                    )? + 1
                };
            }
            sheet.autofit();
        }
    }

    for (i, breakdown) in report.breakdowns.iter().enumerate() {
        let sheet = workbook
            .add_worksheet()
            .set_name(sheet_name(i, &breakdown.column))?;
        write_grid(
            sheet,
            0,
            &super::grids::breakdown_grid(breakdown, report),
            &formats,
        )?;
        sheet.set_freeze_panes(1, 0)?;
        sheet.autofit();
    }
    if let Some(periods) = &report.history {
        let sheet = workbook.add_worksheet().set_name("History")?;
        write_grid(
            sheet,
            0,
            &super::grids::history_grid(periods, report),
            &formats,
        )?;
        sheet.set_freeze_panes(1, 0)?;
        sheet.autofit();
    }

    let sheet = workbook.add_worksheet().set_name("Strategies")?;
    write_grid(sheet, 0, &strategy_grid(report), &formats)?;
    sheet.set_freeze_panes(1, 0)?;
    sheet.set_column_width(2, 100)?;

    let sheet = workbook.add_worksheet().set_name("Settings")?;
    write_grid(sheet, 0, &settings_grid(report), &formats)?;
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofit();

    out.write_all(&workbook.save_to_buffer()?)?;
    Ok(())
}

/// Write `grid` from `first_row`; returns the row after it.
fn write_grid(
    sheet: &mut Worksheet,
    first_row: u32,
    grid: &Grid,
    formats: &Formats,
) -> anyhow::Result<u32> {
    for (c, header) in grid.headers.iter().enumerate() {
        sheet.write_string_with_format(first_row, c as u16, header, &formats.header)?;
    }
    for (r, cells) in grid.rows.iter().enumerate() {
        let row = first_row + 1 + r as u32;
        for (c, value) in cells.iter().enumerate() {
            let c = c as u16;
            match value {
                Value::Empty => {}
                Value::Text(t) => {
                    sheet.write_string(row, c, t.as_str())?;
                }
                Value::Int(v) => {
                    sheet.write_number(row, c, *v as f64)?;
                }
                Value::Money(m) => {
                    sheet.write_number_with_format(row, c, m.as_f64(), &formats.money)?;
                }
                Value::Share(s) => {
                    sheet.write_number_with_format(row, c, *s, &formats.percent)?;
                }
                Value::Days(d) => {
                    sheet.write_number_with_format(row, c, *d, &formats.days)?;
                }
            }
        }
    }
    Ok(first_row + 1 + grid.rows.len() as u32)
}

/// A native bar chart of customer and revenue share per tier, beside the table.
fn insert_tier_chart(sheet: &mut Worksheet, report: &Report, tiers: &Grid) -> anyhow::Result<()> {
    let w = labels_of(report);
    let last = report.tiers.len() as u32;
    if last == 0 {
        return Ok(());
    }
    let column_of = |name: &str| {
        tiers
            .headers
            .iter()
            .position(|h| h == name)
            .map(|c| c as u16)
    };
    let (Some(customers), Some(revenue)) =
        (column_of(w.customer_share), column_of(w.revenue_share))
    else {
        return Ok(());
    };
    let mut chart = Chart::new(ChartType::Bar);
    chart.title().set_name(w.chart_tiers);
    for (name, column) in [
        (w.share_of_customers, customers),
        (w.share_of_revenue, revenue),
    ] {
        chart
            .add_series()
            .set_name(name)
            .set_categories(("Summary", 1, 0, last, 0))
            .set_values(("Summary", 1, column, last, column));
    }
    chart.y_axis().set_num_format("0%");
    chart.x_axis().set_reverse();
    chart.set_width(640).set_height(360);
    let below = last + 16 + report.warnings.len() as u32;
    sheet.insert_chart(below, 0, &chart)?;
    Ok(())
}

/// `By <column>`, without the characters Excel refuses in sheet names, at most 31
/// characters, numbered so that two columns never share a name.
fn sheet_name(index: usize, column: &str) -> String {
    let clean: String = column
        .chars()
        .map(|c| if "[]:*?/\\'".contains(c) { '_' } else { c })
        .collect();
    let name: String = format!("By {clean}").chars().take(27).collect();
    format!("{name} {}", index + 1)
}
