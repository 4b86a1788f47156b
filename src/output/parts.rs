//! Rows formatted in parts on all cores and written in order, so the bytes are those of
//! a sequential writer: while one batch of parts is written (on the calling thread), the
//! next is formatted on the pool.

use std::io::Write;
use std::ops::Range;

use rayon::prelude::*;

/// Rows formatted by one task: large enough to amortise the task, small enough that the
/// parts in flight stay a few MB.
const ROWS_PER_PART: usize = 16 * 1024;

/// Write rows `0..height` to `out`, each part's bytes made by `format` from its rows.
pub fn write_in_parts(
    height: usize,
    out: &mut dyn Write,
    format: impl Fn(Range<usize>) -> anyhow::Result<Vec<u8>> + Sync,
) -> anyhow::Result<()> {
    let parts: Vec<Range<usize>> = (0..height)
        .step_by(ROWS_PER_PART)
        .map(|start| start..(start + ROWS_PER_PART).min(height))
        .collect();
    // Writing a million rows into the page cache is a tenth of a large run; formatting
    // the next batch meanwhile keeps the other core busy.
    let in_flight = rayon::current_num_threads().max(1) * 2;
    let mut formatted: Vec<anyhow::Result<Vec<u8>>> = Vec::new();
    for batch in parts.chunks(in_flight).map(Some).chain([None]) {
        let mut next = Vec::new();
        let written = rayon::in_place_scope(|scope| {
            if let Some(batch) = batch {
                scope.spawn(|_| {
                    next = batch.par_iter().map(|rows| format(rows.clone())).collect();
                });
            }
            formatted
                .drain(..)
                .try_for_each(|bytes| anyhow::Ok(out.write_all(&bytes?)?))
        });
        written?;
        formatted = next;
    }
    Ok(())
}
