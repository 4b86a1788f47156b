//! Cell values of a frame as the text formats print them: money with its decimals,
//! dates as YYYY-MM-DD, nulls empty; and neutralising cells a spreadsheet would run.

use std::borrow::Cow;
use std::fmt::Write as _;

use polars::prelude::*;
use polars_arrow::array::{BooleanArray, PrimitiveArray, Utf8ViewArray};

use super::OutputData;
use crate::arrays::single_chunk;
use crate::input::dates::push_date;
use crate::input::money::push_money;

/// One cell, typed for writers that care (JSON, XLSX).
#[derive(Clone, Debug, PartialEq)]
pub enum Cell<'a> {
    /// Missing.
    Null,
    /// Text.
    Text(Cow<'a, str>),
    /// Whole number.
    Int(i64),
    /// Money in minor units.
    Money(i64),
    /// Days since the epoch.
    Date(i32),
    /// Floating point.
    Float(f64),
    /// Boolean.
    Bool(bool),
}

impl Cell<'_> {
    /// The cell as text; money keeps exactly `decimals` digits.
    pub fn text(&self, decimals: u32) -> Cow<'_, str> {
        match self {
            Cell::Null => Cow::Borrowed(""),
            Cell::Text(t) => Cow::Borrowed(t.as_ref()),
            Cell::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
            _ => {
                let mut text = String::with_capacity(24);
                self.push_text(&mut text, decimals);
                Cow::Owned(text)
            }
        }
    }

    /// Append [`Cell::text`] to `out`, without a string of its own (writers format tens
    /// of millions of cells).
    pub fn push_text(&self, out: &mut String, decimals: u32) {
        match self {
            Cell::Null => {}
            Cell::Text(t) => out.push_str(t),
            Cell::Int(v) => {
                let _ = write!(out, "{v}");
            }
            Cell::Money(v) => push_money(out, *v, decimals),
            Cell::Date(d) => push_date(out, *d),
            Cell::Float(v) => {
                let _ = write!(out, "{v}");
            }
            Cell::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        }
    }
}

/// Column-wise access to the cells of an [`OutputData`] frame.
pub struct Cells<'a> {
    columns: Vec<(TypedColumn, bool)>,
    names: Vec<&'a str>,
    data: &'a OutputData,
}

/// A column as the single arrow array its cells are read from, so that reading a cell is
/// an array access (no chunk lookup, no dynamically typed value).
enum TypedColumn {
    Text(Utf8ViewArray),
    Int(PrimitiveArray<i64>),
    Date(PrimitiveArray<i32>),
    Float(PrimitiveArray<f64>),
    Bool(BooleanArray),
    Other(Series),
}

impl TypedColumn {
    fn new(column: &Column) -> PolarsResult<Self> {
        let series = column.as_materialized_series().rechunk();
        let other = || TypedColumn::Other(series.clone());
        Ok(match series.dtype() {
            DataType::String => single_chunk(series.str()?).map_or_else(other, TypedColumn::Text),
            DataType::Boolean => single_chunk(series.bool()?).map_or_else(other, TypedColumn::Bool),
            DataType::Date => {
                single_chunk(series.date()?.physical()).map_or_else(other, TypedColumn::Date)
            }
            DataType::Float32 | DataType::Float64 => {
                let floats = series.cast(&DataType::Float64)?;
                single_chunk(floats.f64()?).map_or_else(other, TypedColumn::Float)
            }
            DataType::Int8
            | DataType::Int16
            | DataType::Int32
            | DataType::Int64
            | DataType::UInt8
            | DataType::UInt16
            | DataType::UInt32 => {
                let ints = series.cast(&DataType::Int64)?;
                single_chunk(ints.i64()?).map_or_else(other, TypedColumn::Int)
            }
            _ => other(),
        })
    }
}

impl<'a> Cells<'a> {
    /// Prepare the frame's columns for cell access.
    pub fn new(data: &'a OutputData) -> Self {
        let columns = data
            .frame
            .columns()
            .iter()
            .map(|c| {
                let typed = TypedColumn::new(c)
                    .unwrap_or_else(|_| TypedColumn::Other(c.as_materialized_series().rechunk()));
                (typed, data.is_money(c.name()))
            })
            .collect();
        let names = data
            .frame
            .get_column_names()
            .into_iter()
            .map(|n| n.as_str())
            .collect();
        Cells {
            columns,
            names,
            data,
        }
    }

    /// Column names.
    pub fn names(&self) -> Vec<&str> {
        self.names.clone()
    }

    /// Number of rows.
    pub fn height(&self) -> usize {
        self.data.frame.height()
    }

    /// The cell at (`row`, `column`).
    pub fn get(&self, row: usize, column: usize) -> Cell<'_> {
        let (typed, money) = &self.columns[column];
        let cell = match typed {
            TypedColumn::Text(c) => c.get(row).map(|s| Cell::Text(Cow::Borrowed(s))),
            TypedColumn::Int(c) if *money => c.get(row).map(Cell::Money),
            TypedColumn::Int(c) => c.get(row).map(Cell::Int),
            TypedColumn::Date(c) => c.get(row).map(Cell::Date),
            TypedColumn::Float(c) => c.get(row).map(Cell::Float),
            TypedColumn::Bool(c) => c.get(row).map(Cell::Bool),
            TypedColumn::Other(series) => {
                Some(any_cell(series.get(row).unwrap_or(AnyValue::Null), *money))
            }
        };
        cell.unwrap_or(Cell::Null)
    }
}

fn any_cell(value: AnyValue<'_>, money: bool) -> Cell<'static> {
    match value {
        AnyValue::Null => Cell::Null,
        AnyValue::String(s) => Cell::Text(Cow::Owned(s.to_string())),
        AnyValue::StringOwned(s) => Cell::Text(Cow::Owned(s.to_string())),
        AnyValue::Boolean(b) => Cell::Bool(b),
        AnyValue::Date(d) => Cell::Date(d),
        AnyValue::Float32(v) => Cell::Float(f64::from(v)),
        AnyValue::Float64(v) => Cell::Float(v),
        other => match other.extract::<i64>() {
            Some(v) if money => Cell::Money(v),
            Some(v) => Cell::Int(v),
            None => Cell::Text(Cow::Owned(other.to_string())),
        },
    }
}

/// Text a spreadsheet would run as a formula gets a leading apostrophe in CSV and TSV:
/// text starting with `=`, `+`, `-`, `@`, tab or CR — unless it is only digits, spaces
/// and `+ - ( ) . , /` (a number or phone number such as `-5` or `+41 79 123 45 67`,
/// which can call nothing and must stay the id it is). Text that itself starts with an
/// apostrophe gets one more, so [`restore`] reads every cell back exactly.
/// Numbers are written as numbers; XLSX writes text as string cells, which never run.
pub fn neutralise(text: &str) -> Cow<'_, str> {
    if needs_apostrophe(text) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// The text [`neutralise`] was given, from what it wrote.
pub fn restore(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(original) if needs_apostrophe(original) => original,
        _ => cell,
    }
}

fn needs_apostrophe(text: &str) -> bool {
    match text.as_bytes().first() {
        Some(b'\t' | b'\r' | b'\'') => true,
        Some(b'=' | b'@') => true,
        Some(b'+' | b'-') => !is_number_or_phone(text),
        _ => false,
    }
}

/// Digits with at most sign, spaces and `+ - ( ) . , /` between them: nothing a
/// spreadsheet can run.
fn is_number_or_phone(text: &str) -> bool {
    text.bytes().any(|b| b.is_ascii_digit())
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || b" +-().,/".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neutralises_formula_starts_only() {
        assert_eq!(neutralise("=1+1"), "'=1+1");
        assert_eq!(neutralise("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralise("-2+HYPERLINK(1)"), "'-2+HYPERLINK(1)");
        assert_eq!(neutralise("+cmd|' /C calc'!A0"), "'+cmd|' /C calc'!A0");
        assert_eq!(neutralise("\tx"), "'\tx");
        assert_eq!(neutralise("Acme"), "Acme");
        assert_eq!(neutralise(""), "");
    }

    #[test]
    fn numbers_and_phone_numbers_stay_as_they_are() {
        for id in [
            "-5",
            "+41791234567",
            "+41 79 123 45 67",
            "+1 (555) 123-4567",
            "-12.50",
        ] {
            assert_eq!(neutralise(id), id);
        }
        assert_eq!(neutralise("-"), "'-");
    }

    #[test]
    fn every_text_reads_back_exactly() {
        for text in [
            "=1+1", "'=1+1", "''x", "'x", "x'", "-5", "+41 79", "@a", "", "'", "\r",
        ] {
            assert_eq!(restore(&neutralise(text)), text, "{text:?}");
        }
    }
}
