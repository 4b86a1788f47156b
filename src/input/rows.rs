//! The row contract every input format reads into: a header, then rows of text fields
//! handed to a [`RowVisitor`] with their location; row-level problems become
//! [`BadRow`]s. Visitors that fork and join ([`ForkingVisitor`]) let the parts of one file
//! be visited on all cores and joined in file order.

use super::faults::FaultLog;
use super::lines::RowFault;
use super::source::InputFile;
use crate::error::{BadRow, Location, TieringError};

/// The fields of one row, by header position.
pub trait Fields {
    /// Number of fields in the row.
    fn len(&self) -> usize;
    /// Whether the row has no fields.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Field `i` as UTF-8 text.
    fn get(&self, i: usize) -> Result<&str, RowFault>;
    /// All fields, lossily decoded, for rejects files.
    fn raw(&self) -> Vec<String>;
    /// Field `i` as days since the epoch, when its source column holds dates; `None`:
    /// read the text.
    fn date(&self, _i: usize) -> Option<i32> {
        None
    }
    /// Field `i` as an exact number (digits, decimal scale), when its source column holds
    /// integers or decimals; `None`: read the text.
    fn exact(&self, _i: usize) -> Option<(i128, u32)> {
        None
    }
}

/// Receives the header and rows of one file.
pub trait RowVisitor {
    /// Called once with the header before any row.
    fn header(&mut self, file: &InputFile, header: &[String]) -> Result<(), TieringError>;
    /// Called for every non-blank data row.
    fn row(&mut self, location: Location, fields: &dyn Fields) -> Result<(), RowFault>;
}

/// What was learnt about a file while reading it.
#[derive(Clone, Debug, Default)]
pub struct FileReport {
    /// "csv" or "parquet".
    pub format: &'static str,
    /// The delimiter used, for text.
    pub delimiter: Option<u8>,
    /// Data rows read (good and bad).
    pub rows: u64,
    /// Bad rows among them.
    pub bad_rows: u64,
    /// The encoding detected for a text file that is not UTF-8.
    pub detected_encoding: Option<&'static str>,
}

/// A visitor that can visit parts of a file independently and join them in order.
pub trait ForkingVisitor: RowVisitor + Send + Sync + Sized {
    /// An empty visitor for a later part of the file, in the state of `self`.
    fn fork(&self) -> Self;
    /// Whether `part`, visited from an earlier fork, may be joined as it is. When not
    /// (its rows depend on what was joined since), the part is visited again from a
    /// fresh fork before joining.
    fn can_join(&self, part: &Self) -> bool;
    /// Append a part that follows everything joined so far.
    fn join(&mut self, part: Self) -> anyhow::Result<()>;
}

/// Visit `parts` (consecutive pieces of one file) on all cores, each with a fork of
/// `visitor`, and join the forks in order; a fork that cannot be joined as it is gets
/// its piece visited again after the pieces before it. Returns the rows visited.
pub(super) fn visit_in_parallel<V: ForkingVisitor, P: Sync>(
    parts: &[P],
    visitor: &mut V,
    faults: &mut FaultLog,
    visit: impl Fn(&P, &mut V, &mut FaultLog) -> anyhow::Result<u64> + Sync,
) -> anyhow::Result<u64> {
    use rayon::prelude::*;
    let forks: Vec<anyhow::Result<(V, FaultLog, u64)>> = parts
        .par_iter()
        .map(|piece| {
            let mut fork = visitor.fork();
            let mut log = faults.fork();
            let rows = visit(piece, &mut fork, &mut log)?;
            Ok((fork, log, rows))
        })
        .collect();
    // The first failure in file order: rayon's collect into a `Result` keeps whichever
    // part failed first in time, so a file with two unreadable parts named either.
    let forks: Vec<(V, FaultLog, u64)> = forks.into_iter().collect::<anyhow::Result<_>>()?;
    let mut rows = 0;
    for (piece, (mut fork, mut log, read)) in parts.iter().zip(forks) {
        if !visitor.can_join(&fork) {
            fork = visitor.fork();
            log = faults.fork();
            visit(piece, &mut fork, &mut log)?;
        }
        visitor.join(fork)?;
        faults.join(log);
        rows += read;
    }
    Ok(rows)
}

/// An input that cannot be read at all, with a hint when it looks truncated.
pub(super) fn unreadable(file: &InputFile, reason: &str) -> anyhow::Error {
    let truncated = [
        "invalid",
        "corrupt",
        "eof",
        "incomplete",
        "out of specification",
    ];
    let hint = if truncated.iter().any(|word| reason.contains(word)) {
        Some("the file may be truncated or corrupt; export or download it again".to_string())
    } else {
        None
    };
    TieringError::Unreadable {
        file: file.display.clone(),
        reason: reason.to_string(),
        hint,
    }
    .into()
}

pub(super) fn bad_row(
    file: &InputFile,
    header: &[String],
    location: Location,
    fault: RowFault,
) -> BadRow {
    BadRow {
        file: file.display.clone(),
        location,
        column: fault.column.and_then(|i| header.get(i).cloned()),
        value: fault.value,
        reason: fault.reason,
        expected: fault.expected,
        hint: fault.hint,
    }
}
