//! Excel workbook output (rust_xlsxwriter): one sheet, bold frozen header, money with a
//! thousands format and the currency's decimals, dates as real dates, text as string cells (which never run);
//! no clock in the file, so the same input gives the same bytes.

use std::io::Write;

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet};

use super::cells::{Cell, Cells};
use super::{Output, OutputData};
use crate::input::dates::date_of_epoch_days;

/// An .xlsx workbook.
pub struct XlsxOutput;

/// Excel's sheet-name limit.
const MAX_SHEET_NAME: usize = 31;
/// Excel's row limit, header included.
const MAX_ROWS: usize = 1_048_576;

impl Output for XlsxOutput {
    fn write(&self, data: &OutputData, out: &mut dyn Write) -> anyhow::Result<()> {
        let cells = Cells::new(data);
        anyhow::ensure!(
            cells.height() < MAX_ROWS,
            "{} rows do not fit in one Excel sheet (limit {}); write CSV or Parquet instead",
            cells.height(),
            MAX_ROWS - 1
        );
        let mut workbook = reproducible_workbook(FIXED_CREATION_DATE)?;
        let sheet = workbook.add_worksheet();
        let title: String = data.title.chars().take(MAX_SHEET_NAME).collect();
        sheet.set_name(title)?;
        fill_sheet(sheet, &cells, data.decimals)?;
        let bytes = workbook.save_to_buffer()?;
        out.write_all(&bytes)?;
        Ok(())
    }
}

/// The creation date written into workbooks of per-customer rows: fixed, so the same
/// input gives the same bytes (the default is the clock).
const FIXED_CREATION_DATE: &str = "2000-01-01";

/// A workbook whose document properties do not depend on the clock: created on `date`
/// (YYYY-MM-DD).
pub fn reproducible_workbook(date: &str) -> anyhow::Result<Workbook> {
    let mut workbook = Workbook::new();
    let created = ExcelDateTime::parse_from_str(date)?;
    workbook.set_properties(&DocProperties::new().set_creation_datetime(&created));
    Ok(workbook)
}

/// Write `cells` to `sheet`: bold frozen header, money with the currency's decimals, dates
/// as dates, text as string cells.
pub fn fill_sheet(sheet: &mut Worksheet, cells: &Cells<'_>, decimals: u32) -> anyhow::Result<()> {
    let header = Format::new().set_bold();
    let money = Format::new().set_num_format(money_format(decimals));
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (column, name) in cells.names().iter().enumerate() {
        sheet.write_string_with_format(0, column as u16, *name, &header)?;
    }
    for row in 0..cells.height() {
        let r = row as u32 + 1;
        for column in 0..cells.names().len() {
            let c = column as u16;
            match cells.get(row, column) {
                Cell::Null => {}
                Cell::Text(t) => {
                    sheet.write_string(r, c, t.as_ref())?;
                }
                Cell::Int(v) => {
                    sheet.write_number(r, c, v as f64)?;
                }
                Cell::Money(v) => {
                    let value = v as f64 / 10f64.powi(decimals as i32);
                    sheet.write_number_with_format(r, c, value, &money)?;
                }
                Cell::Float(v) => {
                    sheet.write_number(r, c, v)?;
                }
                Cell::Bool(b) => {
                    sheet.write_boolean(r, c, b)?;
                }
                Cell::Date(d) => {
                    let day = date_of_epoch_days(d);
                    let excel = ExcelDateTime::parse_from_str(&day.format("%Y-%m-%d").to_string())?;
                    sheet.write_datetime_with_format(r, c, &excel, &date)?;
                }
            }
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofit();
    Ok(())
}

/// Excel's number format for money with `decimals` digits.
pub fn money_format(decimals: u32) -> String {
    if decimals == 0 {
        "#,##0".into()
    } else {
        format!("#,##0.{}", "0".repeat(decimals as usize))
    }
}
