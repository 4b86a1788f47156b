//! The optional customer export (`--customers`): one row per customer, joined on
//! customer_id. Its other columns are kept as text and passed through to the output.

use std::collections::HashMap;

use polars::prelude::*;

use super::InputOptions;
use super::columns::{self, Canonical, ColumnMapping, ExplicitMap};
use super::faults::FaultLog;
use super::lines::{RowFault, col_names};
use super::rows::{Fields, RowVisitor};
use super::source::InputFile;
use super::table::read_file;
use crate::error::{Location, TieringError};
use crate::scorers::ExportNumber;

/// The customer export as a frame: customer_id plus its other columns as text.
pub struct LoadedCustomers {
    /// One row per customer.
    pub frame: DataFrame,
    /// Names of the passed-through columns, in file order.
    pub extra_columns: Vec<String>,
    /// Their headers in the file (an output name may carry a `customer_` prefix).
    pub extra_headers: Vec<String>,
    /// Where each customer's row is, in frame order.
    pub locations: Vec<Location>,
    /// The file as the user named it.
    pub display: String,
    /// How its header was mapped.
    pub mapping: ColumnMapping,
    /// The encoding detected, when the file is not UTF-8.
    pub detected_encoding: Option<&'static str>,
}

/// Read a customer export. Its columns named like one of `reserved` (the output's own
/// columns) get a `customer_` prefix.
pub fn load_customers(
    file: &InputFile,
    options: &InputOptions,
    reserved: &[&str],
) -> anyhow::Result<LoadedCustomers> {
    let mut faults = FaultLog::without_rejects();
    let mut visitor = CustomersVisitor {
        explicit: &options.columns,
        own: &options.customer_columns,
        reserved,
        mapping: ColumnMapping::default(),
        ids: StringChunkedBuilder::new(col_names::CUSTOMER_ID.into(), 1024),
        extras: Vec::new(),
        headers: Vec::new(),
        locations: Vec::new(),
        seen: HashMap::new(),
        duplicate: None,
        display: file.display.clone(),
    };
    let report = read_file(file, &options.text, &mut visitor, &mut faults)?;
    if report.rows == 0 {
        return Err(TieringError::HeaderOnly {
            file: file.display.clone(),
        }
        .into());
    }
    faults.into_result()?;
    if let Some(error) = visitor.duplicate {
        return Err(error.into());
    }
    let height = visitor.seen.len();
    let mut columns = vec![visitor.ids.finish().into_column()];
    let mut extra_columns = Vec::new();
    for (name, values) in visitor.extras {
        extra_columns.push(name.clone());
        columns
            .push(StringChunked::from_iter_options(name.into(), values.into_iter()).into_column());
    }
    Ok(LoadedCustomers {
        frame: DataFrame::new(height, columns)?,
        extra_columns,
        extra_headers: visitor.headers,
        locations: visitor.locations,
        display: file.display.clone(),
        mapping: visitor.mapping,
        detected_encoding: report.detected_encoding,
    })
}

impl LoadedCustomers {
    /// Refuse the export unless every value of `columns` (those it has) is a plain
    /// decimal within ±10¹⁵, not negative where a count is meant, or empty: a scorer
    /// reading `n/a` or `1,5` as nothing would score silently wrong.
    pub fn check_numbers(&self, columns: &[ExportNumber]) -> Result<(), TieringError> {
        for wanted in columns {
            let Some(index) = self.extra_columns.iter().position(|c| *c == wanted.column) else {
                continue;
            };
            let values = self.text_column(&wanted.column)?;
            let mut bad = values.iter().enumerate().filter_map(|(row, value)| {
                let text = value?;
                number_fault(text, wanted.negative_allowed).map(|why| (row, text, why))
            });
            if let Some((row, text, why)) = bad.next() {
                let expected = if wanted.negative_allowed {
                    "a plain decimal such as 3 or -12.5, or nothing"
                } else {
                    "a plain decimal such as 3 or 12.5, not negative, or nothing"
                };
                let hint = format!(
                    "the scorer reads `{}` as a number; fix the customer export or leave the cell empty",
                    wanted.column
                );
                let more = bad.count() as u64;
                return Err(self.bad_cell((row, index), text, (why, expected, hint), more));
            }
        }
        Ok(())
    }

    /// `column` read as dates (days since the epoch; empty cells none), in frame order; a
    /// cell that is not an unambiguous date is refused with its file, line and column.
    /// `key` names the setting that asked for the column.
    pub fn dates(&self, column: &str, key: &str) -> Result<Vec<Option<i32>>, TieringError> {
        let Some(index) = self.extra_columns.iter().position(|c| c == column) else {
            return Err(TieringError::config(
                format!("{key} `{column}` is not a column of the customer export"),
                Some(format!(
                    "the customer export has: {}",
                    self.extra_columns.join(", ")
                )),
            ));
        };
        let values = self.text_column(column)?;
        let format = crate::input::dates::DateFormat::Auto;
        let mut dates = Vec::with_capacity(values.len());
        let mut bad = Vec::new();
        for (row, value) in values.iter().enumerate() {
            let text = value.map(str::trim).filter(|t| !t.is_empty());
            match text.map(|t| crate::input::dates::parse_date(t, &format)) {
                None => dates.push(None),
                Some(Ok(day)) => dates.push(Some(day)),
                Some(Err(e)) => {
                    bad.push((row, text.unwrap_or_default().to_string(), e.reason()));
                    dates.push(None);
                }
            }
        }
        if let Some((row, text, why)) = bad.first() {
            let hint = format!(
                "{key} reads `{column}` as the date the relationship started; fix the customer export or leave the cell empty"
            );
            let expected = "a date such as 2021-03-01, or nothing";
            let more = bad.len() as u64 - 1;
            return Err(self.bad_cell((*row, index), text, (why, expected, hint), more));
        }
        Ok(dates)
    }

    /// A passed-through column's cells as text.
    fn text_column(&self, column: &str) -> Result<StringChunked, TieringError> {
        self.frame
            .column(column)
            .and_then(|c| c.str().cloned())
            .map_err(|e| TieringError::Unreadable {
                file: self.display.clone(),
                reason: e.to_string(),
                hint: None,
            })
    }

    /// A cell (frame row, passed-through column index) a scorer cannot read, and how many
    /// more there are: file, line, the column as headed in the file, the value.
    fn bad_cell(
        &self,
        (row, index): (usize, usize),
        text: &str,
        (reason, expected, hint): (&str, &str, String),
        more: u64,
    ) -> TieringError {
        TieringError::BadValue {
            row: Box::new(crate::error::BadRow {
                file: self.display.clone(),
                location: self.locations[row],
                column: Some(self.extra_headers[index].clone()),
                value: Some(text.to_string()),
                reason: reason.into(),
                expected: Some(expected.into()),
                hint: Some(hint),
            }),
            more,
            rejects: false,
        }
    }
}

/// Largest magnitude accepted in a numeric customer-export column, in units.
const MAX_EXPORT_NUMBER: i128 = 1_000_000_000_000_000;

/// Why `text` is not a number a scorer can read, if it is not.
fn number_fault(text: &str, negative_allowed: bool) -> Option<&'static str> {
    if text.trim().is_empty() {
        return None;
    }
    let Some(millionths) = crate::scorers::profit::millionths(text) else {
        return Some("not a number");
    };
    if millionths.abs() > MAX_EXPORT_NUMBER * 1_000_000 {
        return Some("out of range (more than 10^15)");
    }
    if millionths < 0 && !negative_allowed {
        return Some("negative (a count or a number of days)");
    }
    None
}

struct CustomersVisitor<'a> {
    explicit: &'a ExplicitMap,
    own: &'a ExplicitMap,
    reserved: &'a [&'a str],
    mapping: ColumnMapping,
    ids: StringChunkedBuilder,
    extras: Vec<(String, Vec<Option<String>>)>,
    headers: Vec<String>,
    locations: Vec<Location>,
    seen: HashMap<String, Location>,
    duplicate: Option<TieringError>,
    display: String,
}

impl RowVisitor for CustomersVisitor<'_> {
    fn header(&mut self, file: &InputFile, header: &[String]) -> Result<(), TieringError> {
        // The export's own mapping (--customers-map) applies strictly; else the orders'
        // customer_id mapping applies only if this file has that column.
        let explicit: ExplicitMap = if self.own.contains_key(&Canonical::CustomerId) {
            self.own.clone()
        } else {
            self.explicit
                .iter()
                .filter(|(c, source)| **c == Canonical::CustomerId && header.contains(source))
                .map(|(c, s)| (*c, s.clone()))
                .collect()
        };
        self.mapping = columns::detect(
            &file.display,
            header,
            &explicit,
            &[Canonical::CustomerId],
            &[Canonical::CustomerId],
        )?;
        let id_index = self.mapping.get(Canonical::CustomerId);
        let mut used = vec![col_names::CUSTOMER_ID.to_string()];
        self.extras = header
            .iter()
            .enumerate()
            .filter(|(i, _)| Some(*i) != id_index)
            .map(|(i, name)| (output_name(name, i, self.reserved, &mut used), Vec::new()))
            .collect();
        self.headers = header
            .iter()
            .enumerate()
            .filter(|(i, _)| Some(*i) != id_index)
            .map(|(_, name)| name.clone())
            .collect();
        Ok(())
    }

    fn row(&mut self, location: Location, fields: &dyn Fields) -> Result<(), RowFault> {
        let id_index = self.mapping.get(Canonical::CustomerId).expect("required");
        let id = fields.get(id_index)?.trim();
        if id.is_empty() {
            return Err(RowFault {
                column: Some(id_index),
                value: Some(String::new()),
                reason: "empty customer id".into(),
                expected: None,
                hint: None,
            });
        }
        super::lines::check_id(id_index, id, "customer id")?;
        if let Some(first) = self.seen.get(id) {
            if self.duplicate.is_none() {
                self.duplicate = Some(TieringError::Unreadable {
                    file: self.display.clone(),
                    reason: format!("customer `{id}` appears twice ({first} and {location})"),
                    hint: Some("a customer export needs one row per customer".into()),
                });
            }
            return Ok(());
        }
        self.seen.insert(id.to_string(), location);
        self.locations.push(location);
        self.ids.append_value(id);
        let mut extra = self.extras.iter_mut();
        for i in (0..fields.len()).filter(|&i| i != id_index) {
            if let Some((_, values)) = extra.next() {
                let text = fields.get(i)?;
                values.push((!text.is_empty()).then(|| text.to_string()));
            }
        }
        Ok(())
    }
}

/// A customer column's output name: as in the file, unless it is empty, repeated, or
/// would shadow an output column.
pub fn output_name(name: &str, index: usize, reserved: &[&str], used: &mut Vec<String>) -> String {
    let mut candidate = if name.is_empty() {
        format!("column_{}", index + 1)
    } else if reserved.contains(&name) || used.iter().any(|u| u == name) {
        format!("customer_{name}")
    } else {
        name.to_string()
    };
    let base = candidate.clone();
    let mut n = 2;
    while used.contains(&candidate) {
        candidate = format!("{base}_{n}");
        n += 1;
    }
    used.push(candidate.clone());
    candidate
}
