//! Excel and OpenDocument exports (`.xlsx`, `.xls`, `.ods`, recognised by content) read
//! through calamine: the first sheet or `--sheet NAME`, the first row with two or more
//! cells as the header (a one-cell title row above it is skipped), cells typed as Excel stores them. Dates are read as dates; a number cell is an
//! exact decimal when it is within 1e-9 of a multiple of a millionth (a float that is
//! really `12.34`), otherwise its shortest text, which the money parser refuses if it has
//! more decimals than the currency. Locations are the sheet's row numbers.

use std::io::Cursor;

use calamine::{Data, Reader, open_workbook_auto_from_rs};

use super::dates::epoch_days_of;
use super::faults::FaultLog;
use super::lines::RowFault;
use super::rows::{Fields, FileReport, RowVisitor, bad_row, unreadable};
use super::source::InputFile;
use crate::error::{Location, TieringError};

/// Read the workbook `bytes` of `file` into `visitor`.
pub fn read_workbook(
    file: &InputFile,
    bytes: Vec<u8>,
    sheet: Option<&str>,
    visitor: &mut dyn RowVisitor,
    faults: &mut FaultLog,
) -> anyhow::Result<FileReport> {
    let mut book = open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|e| unreadable(file, &format!("not a readable workbook: {e}")))?;
    let names = book.sheet_names();
    let name = match sheet {
        Some(wanted) => names
            .iter()
            .find(|n| n.as_str() == wanted)
            .cloned()
            .ok_or_else(|| {
                TieringError::usage(
                    format!("`{}` has no sheet `{wanted}`", file.display),
                    Some(format!("its sheets: {}", names.join(", "))),
                )
            })?,
        None => names
            .first()
            .cloned()
            .ok_or_else(|| unreadable(file, "the workbook has no sheet"))?,
    };
    let range = book
        .worksheet_range(&name)
        .map_err(|e| unreadable(file, &format!("sheet `{name}`: {e}")))?;
    let first_row = range.start().map_or(0, |(row, _)| row);
    let mut rows = range
        .rows()
        .enumerate()
        .map(|(i, cells)| (u64::from(first_row) + i as u64 + 1, cells));
    // The header is the first row with two or more cells: a title row above it (one
    // cell, as reports often have) is skipped.
    let header: Vec<String> = loop {
        let Some((_, cells)) = rows.next() else {
            return Err(TieringError::Empty {
                file: file.display.clone(),
            }
            .into());
        };
        let filled = cells.iter().filter(|c| !matches!(c, Data::Empty)).count();
        if filled >= 2 {
            break cells
                .iter()
                .map(|c| text_of(c).trim().to_string())
                .collect();
        }
    };
    visitor.header(file, &header)?;
    let bad_before = faults.count();
    let mut count = 0u64;
    for (row, cells) in rows {
        if cells.iter().all(|c| matches!(c, Data::Empty)) {
            continue;
        }
        count += 1;
        let fields = CellFields::new(cells, header.len());
        let location = Location::Row(row);
        if let Err(fault) = visitor.row(location, &fields) {
            faults.record(bad_row(file, &header, location, fault), || fields.raw());
        }
    }
    Ok(FileReport {
        format: "workbook",
        delimiter: None,
        rows: count,
        bad_rows: faults.count() - bad_before,
        detected_encoding: None,
    })
}

/// One sheet row: its cells and their texts.
struct CellFields<'a> {
    cells: &'a [Data],
    texts: Vec<String>,
}

impl<'a> CellFields<'a> {
    fn new(cells: &'a [Data], width: usize) -> Self {
        let texts = (0..width)
            .map(|i| cells.get(i).map(text_of).unwrap_or_default())
            .collect();
        CellFields { cells, texts }
    }
}

impl Fields for CellFields<'_> {
    fn len(&self) -> usize {
        self.texts.len()
    }

    fn get(&self, i: usize) -> Result<&str, RowFault> {
        Ok(self.texts.get(i).map_or("", String::as_str))
    }

    fn raw(&self) -> Vec<String> {
        self.texts.clone()
    }

    fn date(&self, i: usize) -> Option<i32> {
        match self.cells.get(i)? {
            Data::DateTime(value) => value.as_datetime().map(|dt| epoch_days_of(dt.date())),
            _ => None,
        }
    }

    fn exact(&self, i: usize) -> Option<(i128, u32)> {
        match self.cells.get(i)? {
            Data::Int(v) => Some((i128::from(*v), 0)),
            Data::Float(v) => exact_decimal(*v),
            _ => None,
        }
    }
}

/// Decimals of the grid a float cell must sit on to be read as an exact number.
const GRID_DECIMALS: u32 = 6;

/// The exact decimal a float cell stands for: millionths, when the float is within 1e-9
/// of one (binary floats cannot hold 12.34 exactly; Excel stores 12.339999999999999).
fn exact_decimal(value: f64) -> Option<(i128, u32)> {
    if !value.is_finite() {
        return None;
    }
    let scaled = value * 10f64.powi(GRID_DECIMALS as i32);
    let rounded = scaled.round();
    let tolerance = 1e-9 * 10f64.powi(GRID_DECIMALS as i32);
    if (scaled - rounded).abs() > tolerance || rounded.abs() > 1e17 {
        return None;
    }
    Some((rounded as i128, GRID_DECIMALS))
}

/// A cell as text: strings as they are, numbers in their shortest form, dates ISO.
fn text_of(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(v) => v.to_string(),
        Data::Float(v) => v.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(value) => value
            .as_datetime()
            .map(|dt| dt.format("%Y-%m-%d %H:%M:%S").to_string())
            .unwrap_or_else(|| value.as_f64().to_string()),
        Data::Error(e) => format!("#{e:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::exact_decimal;

    #[test]
    fn floats_that_are_cents_read_exactly_and_others_do_not() {
        assert_eq!(exact_decimal(12.34), Some((12_340_000, 6)));
        assert_eq!(exact_decimal(0.1 + 0.2), Some((300_000, 6)));
        assert_eq!(exact_decimal(-5.0), Some((-5_000_000, 6)));
        assert_eq!(exact_decimal(1.0 / 3.0), None);
        assert_eq!(exact_decimal(f64::NAN), None);
    }
}
