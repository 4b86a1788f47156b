//! Overlapping exports: an order (its order id, or customer and day when an export has no
//! order id) found in two different input files is the same order exported
//! twice — week 1 plus weeks 1–2 — and adding both copies would double it. That is an
//! error naming the order and both files, unless `--dedupe orders` keeps the copy of the
//! first file that has it (and counts what it dropped). Lines of one order inside one
//! file are never touched: two identical items on one order are legal.
//!
//! One exception keeps split exports (`split -l`, `part-1.csv part-2.csv`) readable: the
//! order that ends one file and starts the next continues across the split and is read
//! as one order, with a note naming it — unless the two line groups are identical, which
//! is the same lines exported twice (inclusive date ranges). Where an export gives the
//! order's total (or refund) once per order, the continuation repeats it: it is counted
//! once, and a continuation with a different total is refused.

use std::ops::Range;

use polars::prelude::*;

use super::FileRead;
use super::continued::{PerOrder, RowEdit, apply, settle};
use super::lines::col_names::{AMOUNT, COST, CUSTOMER_ID, LINES, ORDER_DATE, ORDER_ID, RETURNS};
use crate::error::TieringError;

/// What `--dedupe` keeps when exports overlap.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Dedupe {
    /// Refuse overlapping exports (the default).
    #[default]
    #[value(skip)]
    Refuse,
    /// Keep each order from the first file that has it; drop its copies in later files.
    Orders,
}

/// Copies of orders dropped by `--dedupe orders`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DroppedCopies {
    /// Orders that had a copy dropped (counted once per later file).
    pub orders: u64,
    /// Order lines dropped.
    pub lines: u64,
    /// Dropped copies whose amount, lines, customer or day differ from the kept copy.
    pub differing: u64,
    /// One of them.
    pub example: Option<DroppedExample>,
}

/// A dropped copy that differs from the kept one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DroppedExample {
    /// Its customer.
    pub customer: String,
    /// Its order id (the day for exports without order ids).
    pub order: String,
    /// The file the dropped copy was in.
    pub file: String,
}

const FILE: &str = "__file";
const FIRST_FILE: &str = "__first_file";

/// An order that ends one file and continues at the start of the next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SplitOrder {
    /// The order id (the day for exports without order ids).
    pub order: String,
    /// Its customer.
    pub customer: String,
    /// The file it ends.
    pub first: String,
    /// The file it continues in.
    pub next: String,
}

impl SplitOrder {
    /// The note printed for it.
    pub fn note(&self) -> String {
        format!(
            "order `{}` of customer `{}` ends `{}` and continues at the start of `{}`: read as one order of a split export",
            self.order, self.customer, self.first, self.next
        )
    }
}

/// What resolving overlaps found.
#[derive(Debug, Default)]
pub struct Overlaps {
    /// Copies dropped by `--dedupe orders`.
    pub dropped: Option<DroppedCopies>,
    /// Orders continuing across a file boundary.
    pub split: Vec<SplitOrder>,
}

/// Check `lines` (the line groups of `files`, file `i` in rows `ranges[i]`) for orders
/// present in more than one file; refuse them, or drop later copies.
pub fn resolve_overlap(
    lines: DataFrame,
    ranges: &[Range<usize>],
    files: &[FileRead],
    order_ids: bool,
    dedupe: Dedupe,
) -> anyhow::Result<(DataFrame, Overlaps)> {
    let mut overlaps = Overlaps::default();
    if ranges.len() < 2 {
        return Ok((lines, overlaps));
    }
    let names: Vec<String> = files.iter().map(|f| f.file.display.clone()).collect();
    let names = &names[..];
    let mut file_of_row = Vec::with_capacity(lines.height());
    for (i, range) in ranges.iter().enumerate() {
        file_of_row.extend(std::iter::repeat_n(i as u32, range.len()));
    }
    let stitched = stitch_split_orders(&lines, ranges, files, &mut file_of_row)?;
    overlaps.split = stitched.orders;
    let lines = apply(lines, &stitched.edits)?;
    // With order ids in every file an order is its id, whoever it is booked to (a guest
    // in one export may be a registered customer in the next); without, the customer's
    // day.
    let keys: Vec<Expr> = if order_ids {
        vec![col(ORDER_ID)]
    } else {
        vec![col(CUSTOMER_ID), col(ORDER_ID)]
    };
    let marked = lines
        .lazy()
        .with_column(lit(Series::new(FILE.into(), file_of_row)))
        .with_column(col(FILE).min().over(keys.clone())?.alias(FIRST_FILE))
        .collect()?;
    let later = marked
        .clone()
        .lazy()
        .filter(col(FILE).neq(col(FIRST_FILE)))
        .collect()?;
    if later.height() == 0 {
        return Ok((marked.drop_many([FILE, FIRST_FILE]), overlaps));
    }
    let orders = later
        .clone()
        .lazy()
        .select(keys.iter().cloned().chain([col(FILE)]).collect::<Vec<_>>())
        .unique(None, UniqueKeepStrategy::Any)
        .collect()?
        .height() as u64;
    if dedupe == Dedupe::Refuse {
        let mut error = overlap_error(&later, names, orders)?;
        if let (
            TieringError::Conflict {
                hint: Some(hint), ..
            },
            Some(more),
        ) = (&mut error, stitched.identical.first())
        {
            hint.push_str(&format!("; {more}"));
        }
        return Err(error.into());
    }
    let dropped_lines = super::lines::line_count(&later)?;
    let key_names: &[&str] = if order_ids {
        &[ORDER_ID]
    } else {
        &[CUSTOMER_ID, ORDER_ID]
    };
    let (differing, example) = differing_copies(&marked, key_names, names)?;
    let kept = marked
        .lazy()
        .filter(col(FILE).eq(col(FIRST_FILE)))
        .drop(by_name([FILE, FIRST_FILE], true, false))
        .collect()?;
    overlaps.dropped = Some(DroppedCopies {
        orders,
        lines: dropped_lines,
        differing,
        example,
    });
    Ok((kept, overlaps))
}

/// Later copies of orders whose net amount, number of lines, customer or day differs
/// from the first file's copy (a corrected amount, an export cut inside an order, a guest
/// who registered): how many, and one.
fn differing_copies(
    marked: &DataFrame,
    keys: &[&str],
    names: &[String],
) -> PolarsResult<(u64, Option<DroppedExample>)> {
    let on: Vec<Expr> = keys.iter().map(|k| col(*k)).collect();
    let per_copy = marked
        .clone()
        .lazy()
        .group_by(
            on.iter()
                .cloned()
                .chain([col(FILE), col(FIRST_FILE)])
                .collect::<Vec<_>>(),
        )
        .agg([
            col(AMOUNT).sum().alias("__amount"),
            col(LINES).cast(DataType::Int64).sum().alias("__lines"),
            col(CUSTOMER_ID).min().alias("__customer"),
            col(ORDER_DATE).min().alias("__day"),
        ]);
    let first = per_copy
        .clone()
        .filter(col(FILE).eq(col(FIRST_FILE)))
        .select(
            on.iter()
                .cloned()
                .chain([
                    col("__amount").alias("__first_amount"),
                    col("__lines").alias("__first_lines"),
                    col("__customer").alias("__first_customer"),
                    col("__day").alias("__first_day"),
                ])
                .collect::<Vec<_>>(),
        );
    let differing = per_copy
        .filter(col(FILE).neq(col(FIRST_FILE)))
        .join(first, on.clone(), on, JoinArgs::new(JoinType::Inner))
        .filter(
            col("__amount")
                .neq(col("__first_amount"))
                .or(col("__lines").neq(col("__first_lines")))
                .or(col("__customer").neq(col("__first_customer")))
                .or(col("__day").neq(col("__first_day"))),
        )
        // The first by key, then by file: an order can have differing copies in several
        // later files, and the group-by leaves them in any order.
        .sort(
            keys.iter().copied().chain([FILE]).collect::<Vec<_>>(),
            SortMultipleOptions::default(),
        )
        .collect()?;
    let example = match differing.height() {
        0 => None,
        _ => {
            let text = |name: &str| -> PolarsResult<String> {
                Ok(differing.column(name)?.get(0)?.str_value().to_string())
            };
            let file = differing.column(FILE)?.u32()?.get(0).unwrap_or(0) as usize;
            Some(DroppedExample {
                customer: text("__customer")?,
                order: text(ORDER_ID)?,
                file: names.get(file).cloned().unwrap_or_default(),
            })
        }
    };
    Ok((differing.height() as u64, example))
}

/// Orders continued across files, the continuation rows whose total (or refund)
/// repeats the order's, and hints for boundary groups taken as overlaps.
struct Stitched {
    orders: Vec<SplitOrder>,
    edits: Vec<RowEdit>,
    identical: Vec<String>,
}

/// Count the first line groups of each file that continue the last order of the file
/// before as that earlier file's (see the module docs).
fn stitch_split_orders(
    lines: &DataFrame,
    ranges: &[Range<usize>],
    files: &[FileRead],
    file_of_row: &mut [u32],
) -> anyhow::Result<Stitched> {
    let names: Vec<&str> = files.iter().map(|f| f.file.display.as_str()).collect();
    let customers = lines.column(CUSTOMER_ID)?.str()?;
    let orders = lines.column(ORDER_ID)?.str()?;
    let key = |row: usize| (customers.get(row), orders.get(row));
    let same_group = |a: usize, b: usize| -> PolarsResult<bool> {
        for name in [ORDER_DATE, AMOUNT, RETURNS, LINES, COST] {
            let column = lines.column(name)?;
            if column.get(a)? != column.get(b)? {
                return Ok(false);
            }
        }
        Ok(true)
    };
    let mut split = Vec::new();
    let mut edits = Vec::new();
    let mut identical = Vec::new();
    let mut previous: Option<usize> = None;
    for (i, range) in ranges.iter().enumerate() {
        if range.is_empty() {
            continue;
        }
        if let Some(before) = previous {
            let last = ranges[before].end - 1;
            let mut row = range.start;
            // A group identical to the last one (same day, amounts and lines) is the same
            // lines exported twice (inclusive date ranges), not the rest of a split order.
            // Unless the reader carried the order over from the file before (both files
            // give it once per order): then its lines are the rest of it by definition.
            let carried = files[i].export.state.continued_previous_file();
            while row < range.end && key(row) == key(last) && (carried || !same_group(row, last)?) {
                file_of_row[row] = file_of_row[last];
                row += 1;
            }
            if row == range.start && row < range.end && key(row) == key(last) {
                let (_, order) = key(last);
                identical.push(format!(
                    "if order `{}` was cut in two equal halves between `{}` and `{}`, join the files into one instead: --dedupe orders would drop its second half",
                    order.unwrap_or_default(),
                    names[before],
                    names[i]
                ));
            }
            if row > range.start {
                let (customer, order) = key(last);
                let order = SplitOrder {
                    order: order.unwrap_or_default().to_string(),
                    customer: customer.unwrap_or_default().to_string(),
                    first: names[before].to_string(),
                    next: names[i].to_string(),
                };
                let (a, b) = (&files[before].export, &files[i].export);
                let once = PerOrder {
                    total: a.total_per_order || b.total_per_order,
                    refund: a.refund_per_order || b.refund_per_order,
                };
                edits.extend(settle(lines, last, range.start..row, once, &order)?);
                split.push(order);
            }
        }
        previous = Some(i);
    }
    Ok(Stitched {
        orders: split,
        edits,
        identical,
    })
}

/// The error for the first order found in two files.
fn overlap_error(later: &DataFrame, names: &[String], orders: u64) -> PolarsResult<TieringError> {
    let text = |name: &str| -> PolarsResult<String> {
        Ok(later
            .column(name)?
            .str()?
            .get(0)
            .unwrap_or_default()
            .to_string())
    };
    let file = |name: &str| -> PolarsResult<String> {
        let index = later.column(name)?.u32()?.get(0).unwrap_or(0) as usize;
        Ok(names.get(index).cloned().unwrap_or_default())
    };
    let more = match orders - 1 {
        0 => String::new(),
        1 => " (and 1 more order in more than one file)".to_string(),
        n => format!(" (and {n} more orders in more than one file)"),
    };
    Ok(TieringError::Conflict {
        message: format!(
            "order `{}` of customer `{}` is in both `{}` and `{}`{more}: the exports overlap, and adding both copies would count it twice",
            text(ORDER_ID)?,
            text(CUSTOMER_ID)?,
            file(FIRST_FILE)?,
            file(FILE)?,
        ),
        hint: Some(
            "pass --dedupe orders to keep each order from the first file that has it, or leave out the overlapping file".into(),
        ),
    })
}
