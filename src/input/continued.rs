//! An order that ends one file and continues in the next, in exports giving its total or
//! refund once per order. Files read the same way carry the order across (the reader
//! counts the total once, as in one file); this settles what is left: files read
//! differently, where the continuation repeats the total or refund. Each is counted once;
//! a continuation with another total or refund is the same order with two, refused.

use std::ops::Range;

use polars::prelude::*;

use super::lines::col_names::{AMOUNT, RETURN_LINES, RETURNS};
use super::overlap::SplitOrder;
use crate::error::TieringError;

/// Which values the files give once per order.
#[derive(Clone, Copy, Debug)]
pub struct PerOrder {
    /// The order's total (the amount).
    pub total: bool,
    /// The refunded amount.
    pub refund: bool,
}

/// New values for one continuation row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RowEdit {
    row: usize,
    amount: i64,
    returns: i64,
    return_lines: i64,
}

/// The edits that count the `last` row's total and refund once over the `continuation`
/// rows. Amounts are net of refunds: a repeated refund goes back into the amount, and a
/// repeated total is the gross (amount + refund) equal to the order's.
pub fn settle(
    lines: &DataFrame,
    last: usize,
    continuation: Range<usize>,
    once: PerOrder,
    order: &SplitOrder,
) -> anyhow::Result<Vec<RowEdit>> {
    if !once.total && !once.refund {
        return Ok(Vec::new());
    }
    let amounts = lines.column(AMOUNT)?.i64()?;
    let returns = lines.column(RETURNS)?.i64()?;
    let return_lines = lines.column(RETURN_LINES)?.i32()?;
    let value = |column: &Int64Chunked, row: usize| column.get(row).unwrap_or(0);
    let (last_refund, last_gross) = (
        value(returns, last),
        value(amounts, last) + value(returns, last),
    );
    let mut edits = Vec::new();
    for row in continuation {
        let original = RowEdit {
            row,
            amount: value(amounts, row),
            returns: value(returns, row),
            return_lines: return_lines.get(row).map_or(0, i64::from),
        };
        let mut edit = original;
        if once.refund && edit.returns != 0 {
            if edit.returns == last_refund {
                edit.amount += edit.returns;
                edit.returns = 0;
                edit.return_lines = (edit.return_lines - 1).max(0);
            } else if once.total {
                return Err(two_values(order, "refund", edit.returns, last_refund).into());
            }
        }
        if once.total {
            let gross = edit.amount + edit.returns;
            if gross == last_gross {
                edit.amount -= gross;
            } else if gross != 0 {
                return Err(two_values(order, "total", gross, last_gross).into());
            }
        }
        if edit != original {
            edits.push(edit);
        }
    }
    Ok(edits)
}

fn two_values(order: &SplitOrder, what: &str, here: i64, before: i64) -> TieringError {
    TieringError::Conflict {
        message: format!(
            "order `{}` of customer `{}` continues from `{}` into `{}` with a different {what} ({} against {}), which the exports give once per order",
            order.order,
            order.customer,
            order.first,
            order.next,
            super::money::format_money(here, 2),
            super::money::format_money(before, 2)
        ),
        hint: Some(
            "export the order's lines into one file, or check which export is current".into(),
        ),
    }
}

/// `lines` with `edits` applied.
pub fn apply(mut lines: DataFrame, edits: &[RowEdit]) -> PolarsResult<DataFrame> {
    if edits.is_empty() {
        return Ok(lines);
    }
    type Field = fn(&RowEdit) -> i64;
    let fields: [(&str, Field); 3] = [
        (AMOUNT, |e| e.amount),
        (RETURNS, |e| e.returns),
        (RETURN_LINES, |e| e.return_lines),
    ];
    for (column, field) in fields {
        // Return lines are Int32: edits only lower them, so the cast back is exact.
        let dtype = lines.column(column)?.dtype().clone();
        let as_i64 = lines.column(column)?.cast(&DataType::Int64)?;
        let mut values: Vec<Option<i64>> = as_i64.i64()?.iter().collect();
        for edit in edits {
            values[edit.row] = Some(field(edit));
        }
        lines.with_column(
            Int64Chunked::from_iter_options(column.into(), values.into_iter())
                .into_column()
                .cast(&dtype)?,
        )?;
    }
    Ok(lines)
}
