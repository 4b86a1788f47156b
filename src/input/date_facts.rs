//! Where the extreme dates of the order lines are, for the warnings about dates that are
//! probably mistyped: a line dated after the day of the run, and a default as-of date
//! (the latest line) far beyond the rest. Only warnings read the clock; the result never
//! does.

use crate::error::Location;

/// One dated line: its date, the index of its file, its line or row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DatedLine {
    /// Days since the epoch.
    pub date: i32,
    /// Index of the file among the inputs.
    pub file: usize,
    /// Line or row in it (unknown for dates that waited for their column's day/month
    /// order).
    pub location: Option<Location>,
}

/// Extreme dates seen while reading, in file order.
#[derive(Clone, Debug, Default)]
pub struct DateFacts {
    /// The day of the run (days since the epoch, UTC).
    pub today: i32,
    /// The first line holding the latest date.
    pub latest: Option<DatedLine>,
    /// The first line dated after `today`.
    pub first_future: Option<DatedLine>,
    /// How many lines are dated after `today`.
    pub future_lines: u64,
}

impl DateFacts {
    /// Facts for a run on `today`.
    pub fn new(today: i32) -> Self {
        DateFacts {
            today,
            ..DateFacts::default()
        }
    }

    /// Empty facts for a later part of the same run.
    pub fn fork(&self) -> Self {
        DateFacts::new(self.today)
    }

    /// Note one good line.
    pub fn see(&mut self, line: DatedLine) {
        if self.latest.is_none_or(|l| line.date > l.date) {
            self.latest = Some(line);
        }
        if line.date > self.today {
            self.future_lines += 1;
            self.first_future.get_or_insert(line);
        }
    }

    /// Note a date resolved after its file was read (its line is not kept).
    pub fn see_resolved(&mut self, date: i32, file: usize) {
        if self.latest.is_none_or(|l| date > l.date) {
            self.latest = Some(DatedLine {
                date,
                file,
                location: None,
            });
        }
        if date > self.today {
            self.future_lines += 1;
            self.first_future.get_or_insert(DatedLine {
                date,
                file,
                location: None,
            });
        }
    }

    /// Add the facts of a part read after everything seen so far.
    pub fn join(&mut self, part: &DateFacts) {
        if let Some(latest) = part.latest
            && self.latest.is_none_or(|l| latest.date > l.date)
        {
            self.latest = Some(latest);
        }
        if self.first_future.is_none() {
            self.first_future = part.first_future;
        }
        self.future_lines += part.future_lines;
    }
}

/// Today as days since the epoch (UTC), for the warnings only.
pub fn today() -> i32 {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    i32::try_from(seconds / 86_400).unwrap_or(i32::MAX)
}
