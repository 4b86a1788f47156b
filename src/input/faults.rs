//! Bad rows: by default the first one stops the run (with a count of the others);
//! with `--rejects` every one is kept, verbatim, to be written out while the rest is scored.

use crate::error::{BadRow, Location, TieringError};

/// A bad row with its original fields.
#[derive(Clone, Debug)]
pub struct Rejected {
    /// What, where and why.
    pub row: BadRow,
    /// The row's fields as read.
    pub fields: Vec<String>,
}

/// Collects bad rows according to the reject policy.
#[derive(Debug, Default)]
pub struct FaultLog {
    keep_all: bool,
    /// Whether `--rejects` applies to this input (the order files; not a customer export).
    rejects_offered: bool,
    first: Option<BadRow>,
    count: u64,
    rejected: Vec<Rejected>,
}

impl FaultLog {
    /// `keep_all`: `--rejects` was given.
    pub fn new(keep_all: bool) -> Self {
        FaultLog {
            keep_all,
            rejects_offered: true,
            ..FaultLog::default()
        }
    }

    /// A log for an input `--rejects` does not cover: the first bad row is an error.
    pub fn without_rejects() -> Self {
        FaultLog::default()
    }

    /// Record one bad row; `fields` is only called when the row is kept.
    pub fn record(&mut self, row: BadRow, fields: impl FnOnce() -> Vec<String>) {
        self.count += 1;
        if self.keep_all {
            self.rejected.push(Rejected {
                row,
                fields: fields(),
            });
        } else if self.first.is_none() {
            self.first = Some(row);
        }
    }

    /// An empty log with the same policy, for a part of a file read on its own.
    pub fn fork(&self) -> Self {
        FaultLog {
            keep_all: self.keep_all,
            rejects_offered: self.rejects_offered,
            ..FaultLog::default()
        }
    }

    /// Append the log of a part read after everything logged so far.
    pub fn join(&mut self, part: FaultLog) {
        self.count += part.count;
        self.rejected.extend(part.rejected);
        if self.first.is_none() {
            self.first = part.first;
        }
    }

    /// Number of bad rows seen so far.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Fail with the first bad row unless bad rows are being kept.
    pub fn into_result(self) -> Result<Vec<Rejected>, TieringError> {
        match self.first {
            Some(row) if !self.keep_all => Err(TieringError::BadValue {
                row: Box::new(row),
                more: self.count - 1,
                rejects: self.rejects_offered,
            }),
            _ => Ok(self.rejected),
        }
    }
}

/// Location text for rejects files.
pub fn location_number(location: Location) -> u64 {
    match location {
        Location::Line(n) | Location::Row(n) => n,
    }
}
