//! Cell values of a frame as the text formats print them: money with its decimals,
//! dates as YYYY-MM-DD, nulls empty; and neutralising cells a spreadsheet would run.

use std::borrow::Cow;

use polars::prelude::*;

use super::OutputData;
use crate::input::dates::format_date;
use crate::input::money::format_money;

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
            Cell::Int(v) => Cow::Owned(v.to_string()),
            Cell::Money(v) => Cow::Owned(format_money(*v, decimals)),
            Cell::Date(d) => Cow::Owned(format_date(*d)),
            Cell::Float(v) => Cow::Owned(v.to_string()),
            Cell::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
        }
    }
}

/// Column-wise access to the cells of an [`OutputData`] frame.
pub struct Cells<'a> {
    columns: Vec<(Series, bool)>,
    data: &'a OutputData,
}

impl<'a> Cells<'a> {
    /// Prepare the frame's columns for cell access.
    pub fn new(data: &'a OutputData) -> Self {
        let columns = data
            .frame
            .columns()
            .iter()
            .map(|c| {
                let series = c.as_materialized_series().rechunk();
                (series, data.is_money(c.name()))
            })
            .collect();
        Cells { columns, data }
    }

    /// Column names.
    pub fn names(&self) -> Vec<&str> {
        self.columns
            .iter()
            .map(|(s, _)| s.name().as_str())
            .collect()
    }

    /// Number of rows.
    pub fn height(&self) -> usize {
        self.data.frame.height()
    }

    /// The cell at (`row`, `column`).
    pub fn get(&self, row: usize, column: usize) -> Cell<'_> {
        let (series, money) = &self.columns[column];
        let value = series.get(row).unwrap_or(AnyValue::Null);
        match value {
            AnyValue::Null => Cell::Null,
            AnyValue::String(s) => Cell::Text(Cow::Borrowed(s)),
            AnyValue::StringOwned(s) => Cell::Text(Cow::Owned(s.to_string())),
            AnyValue::Boolean(b) => Cell::Bool(b),
            AnyValue::Date(d) => Cell::Date(d),
            AnyValue::Float32(v) => Cell::Float(f64::from(v)),
            AnyValue::Float64(v) => Cell::Float(v),
            other => match other.extract::<i64>() {
                Some(v) if *money => Cell::Money(v),
                Some(v) => Cell::Int(v),
                None => Cell::Text(Cow::Owned(other.to_string())),
            },
        }
    }
}

/// Text a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR first) gets a
/// leading apostrophe. Applied to text cells only: numbers are written as numbers.
pub fn neutralise(text: &str) -> Cow<'_, str> {
    match text.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => Cow::Owned(format!("'{text}")),
        _ => Cow::Borrowed(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neutralises_formula_starts_only() {
        assert_eq!(neutralise("=1+1"), "'=1+1");
        assert_eq!(neutralise("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralise("-2"), "'-2");
        assert_eq!(neutralise("Acme"), "Acme");
        assert_eq!(neutralise(""), "");
    }
}
