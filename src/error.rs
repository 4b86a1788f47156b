//! Errors a user can fix, each with the exit code of DESIGN §7 and a message that says
//! what went wrong and what to do next. Everything else is an `anyhow` runtime failure.

use std::fmt;

/// The process exit codes (documented in README and `--help`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitStatus {
    /// Success.
    Success = 0,
    /// Runtime failure (I/O, internal error).
    Failure = 1,
    /// Usage or configuration error.
    Usage = 2,
    /// Bad input data.
    BadData = 3,
}

/// Where in an input a bad value sits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Location {
    /// Physical line of a text file, the header being line 1.
    Line(u64),
    /// 1-based data row of a Parquet file.
    Row(u64),
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Line(n) => write!(f, "line {n}"),
            Location::Row(n) => write!(f, "row {n}"),
        }
    }
}

/// One bad input row: what, where and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadRow {
    /// Input file as the user named it.
    pub file: String,
    /// Line or row.
    pub location: Location,
    /// Column header, when one column is at fault.
    pub column: Option<String>,
    /// The offending value, when one value is at fault.
    pub value: Option<String>,
    /// Short reason (also written to rejects files).
    pub reason: String,
    /// What was expected instead.
    pub expected: Option<String>,
    /// What to do about it.
    pub hint: Option<String>,
}

/// Errors a user can fix.
#[derive(Debug, thiserror::Error)]
pub enum TieringError {
    /// Wrong flags or arguments.
    #[error("{message}{}", hint_line(.hint))]
    Usage {
        /// What is wrong.
        message: String,
        /// What to do.
        hint: Option<String>,
    },
    /// A configuration file problem.
    #[error("{message}{}", hint_line(.hint))]
    Config {
        /// What is wrong.
        message: String,
        /// What to do.
        hint: Option<String>,
    },
    /// A path or glob that names nothing.
    #[error("`{pattern}`: {what}{}", hint_line(.hint))]
    InputNotFound {
        /// The path or glob as given.
        pattern: String,
        /// "no such file", "no file matches this pattern", ...
        what: String,
        /// What to do.
        hint: Option<String>,
    },
    /// A required column is absent.
    #[error("{}{}", missing_column_message(.file, .column, .mapped_to.as_deref(), &.header.found, .closest.as_deref()), also_missing(&.header.also))]
    MissingColumn {
        /// File as the user named it.
        file: String,
        /// Canonical column name.
        column: String,
        /// The source name the user mapped it to, if any.
        mapped_to: Option<String>,
        /// The header as read, and any other columns missing from it.
        header: Box<HeaderSeen>,
        /// The nearest header name.
        closest: Option<String>,
    },
    /// A value that cannot be read.
    #[error("{}", bad_row_message(.row, *.more, *.rejects))]
    BadValue {
        /// The first bad row.
        row: Box<BadRow>,
        /// How many more bad rows there are.
        more: u64,
        /// Whether `--rejects` would set them aside (order files only).
        rejects: bool,
    },
    /// The file has no bytes (or only blank lines).
    #[error("`{file}` is empty{}", hint_line(&Some("export it again: a file needs a header line and at least one row".to_string())))]
    Empty {
        /// File as the user named it.
        file: String,
    },
    /// The file has a header and no rows.
    #[error("`{file}` has a header but no rows")]
    HeaderOnly {
        /// File as the user named it.
        file: String,
    },
    /// A file that cannot be read as what it claims to be.
    #[error("`{file}` cannot be read: {reason}{}", hint_line(.hint))]
    Unreadable {
        /// File as the user named it.
        file: String,
        /// What failed.
        reason: String,
        /// What to do.
        hint: Option<String>,
    },
    /// Inputs that contradict each other (an order in two files, one order with two totals).
    #[error("{message}{}", hint_line(.hint))]
    Conflict {
        /// What is wrong, naming the places.
        message: String,
        /// What to do.
        hint: Option<String>,
    },
    /// A date column whose day/month order no value decides.
    #[error("{message}\n  hint: {hint}")]
    AmbiguousDates {
        /// The column and an example.
        message: String,
        /// The `--date-format` for each order.
        hint: String,
    },
    /// Status values no list classifies.
    #[error("{message}\n  hint: {hint}")]
    UnknownStatus {
        /// The values with their counts.
        message: String,
        /// The config lines that would classify them.
        hint: String,
    },
    /// Input that parses but cannot be scored (nothing on or before the as-of date, ...).
    #[error("{message}{}", hint_line(.hint))]
    NoData {
        /// What is wrong.
        message: String,
        /// What to do.
        hint: Option<String>,
    },
}

impl TieringError {
    /// A usage error with an optional hint.
    pub fn usage(message: impl Into<String>, hint: Option<String>) -> Self {
        TieringError::Usage {
            message: message.into(),
            hint,
        }
    }

    /// A configuration error with an optional hint.
    pub fn config(message: impl Into<String>, hint: Option<String>) -> Self {
        TieringError::Config {
            message: message.into(),
            hint,
        }
    }

    /// The exit code this error maps to.
    pub fn exit_status(&self) -> ExitStatus {
        match self {
            TieringError::Usage { .. }
            | TieringError::Config { .. }
            | TieringError::InputNotFound { .. } => ExitStatus::Usage,
            TieringError::MissingColumn { .. }
            | TieringError::BadValue { .. }
            | TieringError::Empty { .. }
            | TieringError::HeaderOnly { .. }
            | TieringError::Unreadable { .. }
            | TieringError::Conflict { .. }
            | TieringError::UnknownStatus { .. }
            | TieringError::AmbiguousDates { .. }
            | TieringError::NoData { .. } => ExitStatus::BadData,
        }
    }
}

fn hint_line(hint: &Option<String>) -> String {
    match hint {
        Some(h) => format!("\n  hint: {h}"),
        None => String::new(),
    }
}

fn missing_column_message(
    file: &str,
    column: &str,
    mapped_to: Option<&str>,
    found: &[String],
    closest: Option<&str>,
) -> String {
    let found_list = found
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}'))
        .collect::<Vec<_>>()
        .join(", ");
    let first = match mapped_to {
        Some(source) => format!("`{file}` has no column `{source}` (mapped to `{column}`)"),
        None => format!("`{file}` has no column for `{column}`"),
    };
    let hint = match closest {
        _ if found.len() == 1 => {
            "the header has a single column: is the delimiter right? pass --delimiter".to_string()
        }
        Some(near) => format!("map it with --map {column}={near}"),
        None => format!("map it with --map {column}=<header name>"),
    };
    format!("{first}\n  found: {found_list}\n  hint: {hint}")
}

/// The header a missing column was looked for in, and the other columns missing from it.
#[derive(Debug, Default)]
pub struct HeaderSeen {
    /// The header as read.
    pub found: Vec<String>,
    /// Other columns missing from it: (column, what to do).
    pub also: Vec<(String, String)>,
}

impl HeaderSeen {
    /// A header with nothing else missing.
    pub fn of(found: &[String]) -> Box<HeaderSeen> {
        Box::new(HeaderSeen {
            found: found.to_vec(),
            also: Vec::new(),
        })
    }
}

fn also_missing(also: &[(String, String)]) -> String {
    also.iter()
        .map(|(column, hint)| format!("\n  also missing: `{column}`; {hint}"))
        .collect()
}

impl BadRow {
    /// One line: `` `file` line 3, column `amount`: not an amount: `ten` ``.
    pub fn summary(&self) -> String {
        let mut line = format!("`{}` {}", self.file, self.location);
        if let Some(column) = &self.column {
            line.push_str(&format!(", column `{column}`"));
        }
        match &self.value {
            Some(value) if !value.trim().is_empty() => {
                line.push_str(&format!(": {}: `{}`", self.reason, shorten(value)));
            }
            _ => line.push_str(&format!(": {}", self.reason)),
        }
        line
    }
}

fn bad_row_message(row: &BadRow, more: u64, rejects: bool) -> String {
    let mut message = row.summary();
    if let Some(expected) = &row.expected {
        message.push_str(&format!("\n  expected: {expected}"));
    }
    if let Some(hint) = &row.hint {
        message.push_str(&format!("\n  hint: {hint}"));
    }
    let rows = if more == 1 { "row" } else { "rows" };
    match (more, rejects) {
        (0, true) => message.push_str("\n  --rejects FILE writes bad rows out and scores the rest"),
        (0, false) => {}
        (_, true) => message.push_str(&format!(
            "\n  {more} more bad {rows}; --rejects FILE writes them all out and scores the rest"
        )),
        (_, false) => message.push_str(&format!("\n  {more} more bad {rows}")),
    }
    message
}

/// Long values are cut in messages so one bad cell cannot flood a terminal.
fn shorten(value: &str) -> String {
    const MAX: usize = 80;
    if value.chars().count() <= MAX {
        value.to_string()
    } else {
        let head: String = value.chars().take(MAX).collect();
        format!("{head}…")
    }
}

/// The message for any error: a user error as written, a runtime error with its causes.
pub fn render(error: &anyhow::Error) -> String {
    if let Some(user) = error.downcast_ref::<TieringError>() {
        return user.to_string();
    }
    let mut text = error.to_string();
    for cause in error.chain().skip(1) {
        text.push_str(&format!("\n  cause: {cause}"));
    }
    text
}
