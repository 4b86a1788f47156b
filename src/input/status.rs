//! Order statuses (DESIGN §3a): every distinct value of a status column is classified
//! `include` (the line counts), `exclude` (the line is dropped before any metric) or
//! `refunded` (refunded in full) from a built-in table (templates/statuses.toml) that
//! `[status]` in the config extends and overrides. A value in no list is never guessed:
//! the run stops listing every unknown value with its count.

use std::collections::HashMap;

use serde::Deserialize;

use super::columns::normalise;
use crate::error::TieringError;

const BUILT_IN: &str = include_str!("../../templates/statuses.toml");

/// What a status means for tiering.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StatusClass {
    /// The line counts.
    Include,
    /// The line is dropped before any metric.
    Exclude,
    /// Refunded in full: the refund column nets it to 0; without one it is excluded.
    Refunded,
    /// A credit note: the line is a return whatever the sign of its amount.
    Credit,
}

impl StatusClass {
    /// The word used in `check` and the config.
    pub fn name(self) -> &'static str {
        match self {
            StatusClass::Include => "include",
            StatusClass::Exclude => "exclude",
            StatusClass::Refunded => "refunded",
            StatusClass::Credit => "credit",
        }
    }
}

/// Lists of status values per class, as in templates/statuses.toml or `[status]`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusLists {
    /// The status column's header (default: detected).
    pub column: Option<String>,
    /// Values whose lines count.
    #[serde(default)]
    pub include: Vec<String>,
    /// Values whose lines are dropped.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Values that mean refunded in full.
    #[serde(default)]
    pub refunded: Vec<String>,
    /// Values that mark credit notes (returns, whatever the sign of the amount).
    #[serde(default)]
    pub credit: Vec<String>,
}

/// The classification in force: built-in values, then a layout's, then the config's
/// (a later list wins for a value it names).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StatusTable {
    classes: HashMap<String, StatusClass>,
}

impl StatusTable {
    /// The built-in table with `extra` lists on top, in order.
    pub fn with(extra: &[&StatusLists]) -> StatusTable {
        let built_in: StatusLists = toml::from_str(BUILT_IN).expect("embedded statuses are valid");
        let mut table = StatusTable::default();
        for lists in std::iter::once(&built_in).chain(extra.iter().copied()) {
            table.add(lists);
        }
        table
    }

    fn add(&mut self, lists: &StatusLists) {
        for (values, class) in [
            (&lists.include, StatusClass::Include),
            (&lists.exclude, StatusClass::Exclude),
            (&lists.refunded, StatusClass::Refunded),
            (&lists.credit, StatusClass::Credit),
        ] {
            for value in values {
                self.classes.insert(normalise(value), class);
            }
        }
    }

    /// The class of a status value, if the table knows it.
    pub fn classify(&self, value: &str) -> Option<StatusClass> {
        self.classes.get(&normalise(value)).copied()
    }
}

/// How an empty status cell is shown and classified (`include = ["(empty)"]` works).
pub const EMPTY_STATUS: &str = "(empty)";

/// Distinct status values seen in one status column beyond which it is not a status
/// column (a mapping mistake would otherwise fill memory with ids).
pub const MAX_DISTINCT_STATUSES: usize = 10_000;

/// A status column with more than [`MAX_DISTINCT_STATUSES`] values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TooManyValues;

/// The values of a status column as they were read: per raw value, its class (`None`:
/// unknown) and the lines that had it. Kept per file, joined across parts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StatusTally {
    values: HashMap<String, (Option<StatusClass>, u64)>,
}

impl StatusTally {
    /// Classify `raw` through `table`, counting it; cheap for values seen before.
    pub fn classify(
        &mut self,
        raw: &str,
        table: &StatusTable,
    ) -> Result<Option<StatusClass>, TooManyValues> {
        if let Some((class, lines)) = self.values.get_mut(raw) {
            *lines += 1;
            return Ok(*class);
        }
        if self.values.len() >= MAX_DISTINCT_STATUSES {
            return Err(TooManyValues);
        }
        let class = table.classify(raw);
        self.values.insert(raw.to_string(), (class, 1));
        Ok(class)
    }

    /// Count one more line of a value classified before (a carried status).
    pub fn count_again(&mut self, raw: &str) {
        if let Some((_, lines)) = self.values.get_mut(raw) {
            *lines += 1;
        }
    }

    /// Add the counts of a part read after this one.
    pub fn join(&mut self, part: &StatusTally) {
        for (value, (class, lines)) in &part.values {
            self.values.entry(value.clone()).or_insert((*class, 0)).1 += lines;
        }
    }

    /// (value, class, lines), most lines first, then by value.
    pub fn rows(&self) -> Vec<(String, Option<StatusClass>, u64)> {
        let mut rows: Vec<_> = self
            .values
            .iter()
            .map(|(v, (c, n))| (v.clone(), *c, *n))
            .collect();
        rows.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
        rows
    }

    /// Lines of values in `class`.
    pub fn lines_in(&self, class: StatusClass) -> u64 {
        self.values
            .values()
            .filter(|(c, _)| *c == Some(class))
            .map(|(_, n)| n)
            .sum()
    }

    /// The error for values no list classifies, if there are any.
    pub fn unknown_error(&self, file: &str, column: &str) -> Option<TieringError> {
        let unknown: Vec<(String, u64)> = self
            .rows()
            .into_iter()
            .filter(|(_, class, _)| class.is_none())
            .map(|(v, _, n)| (v, n))
            .collect();
        if unknown.is_empty() {
            return None;
        }
        const LISTED: usize = 30;
        let mut listed: Vec<String> = unknown
            .iter()
            .take(LISTED)
            .map(|(v, n)| format!("`{v}` ({})", crate::plural::count(*n, "line", "lines")))
            .collect();
        if unknown.len() > LISTED {
            listed.push(format!("and {} more values", unknown.len() - LISTED));
        }
        let quoted: Vec<String> = unknown
            .iter()
            .take(LISTED)
            .map(|(v, _)| format!("{v:?}"))
            .collect();
        let empty = if unknown.iter().any(|(v, _)| v == EMPTY_STATUS) {
            "\n  lines without a status: when an export gives the status on an order's first line only, read it with its layout (see `tiering check --layouts`) or map order_id"
        } else {
            ""
        };
        Some(TieringError::UnknownStatus {
            message: format!(
                "`{file}` column `{column}` has statuses tiering does not know: {}",
                listed.join(", ")
            ),
            hint: format!(
                "say what each means in tiering.toml, e.g.\n    [status]\n    include = [{}]   # the lines count (purchases, or returns when negative)\n    exclude = []   # the lines are dropped (cancelled, unpaid, open)\n    refunded = []  # refunded in full\n    credit = []    # credit notes: returns whatever their sign{empty}",
                quoted.join(", ")
            ),
        })
    }
}

/// The error for a status column with too many distinct values.
pub fn not_a_status_column(file: &str, column: &str) -> TieringError {
    TieringError::usage(
        format!(
            "`{file}` column `{column}` has more than {MAX_DISTINCT_STATUSES} distinct values: it does not look like an order status"
        ),
        Some(format!(
            "map the status column with --map status=<header>, or unset it with --map status= (column `{column}` was detected by its name)"
        )),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_table_covers_the_platforms_and_ignores_case_and_punctuation() {
        let table = StatusTable::with(&[]);
        for (value, class) in [
            ("Paid", StatusClass::Include),
            ("wc-completed", StatusClass::Include),
            ("Closed Won", StatusClass::Include),
            ("closedwon", StatusClass::Include),
            ("卖家已发货，等待买家确认", StatusClass::Include),
            ("交易关闭", StatusClass::Exclude),
            ("(删除)等待付款", StatusClass::Exclude),
            ("storniert", StatusClass::Exclude),
            ("voided", StatusClass::Exclude),
            ("Refunded", StatusClass::Refunded),
        ] {
            assert_eq!(table.classify(value), Some(class), "{value}");
        }
        assert_eq!(table.classify("offen"), None);
    }

    #[test]
    fn the_config_overrides_the_table() {
        let config = StatusLists {
            include: vec!["pending".into(), "offen".into()],
            ..StatusLists::default()
        };
        let table = StatusTable::with(&[&config]);
        assert_eq!(table.classify("Pending"), Some(StatusClass::Include));
        assert_eq!(table.classify("offen"), Some(StatusClass::Include));
    }

    #[test]
    fn unknown_values_are_listed_with_counts() {
        let table = StatusTable::with(&[]);
        let mut tally = StatusTally::default();
        for value in ["paid", "offen", "offen", "teilbezahlt", "paid"] {
            tally.classify(value, &table).unwrap();
        }
        let error = tally.unknown_error("f.csv", "Status").unwrap().to_string();
        assert!(
            error.contains("`offen` (2 lines), `teilbezahlt` (1 line)"),
            "{error}"
        );
        assert!(
            error.contains("include = [\"offen\", \"teilbezahlt\"]"),
            "{error}"
        );
    }
}
