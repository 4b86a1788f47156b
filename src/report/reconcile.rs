//! Reconciliation: the report's totals against the input's, counted straight from the
//! order lines dated on or before the as-of date, so a lost or doubled row shows.

use polars::prelude::*;
use rayon::prelude::*;
use serde::Serialize;

use super::{Money, TierRow};
use crate::input::lines::col_names::{AMOUNT, CUSTOMER_ID};
use crate::metrics::line_counts::LineCounts;
use crate::metrics::{line_count, lines_after};
use crate::scored::ScoredRun;

/// Customers, purchases and net revenue.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Counts {
    /// Distinct customers.
    pub customers: u64,
    /// Purchases (orders with a positive net, or zero net and no return line).
    pub orders: u64,
    /// Net revenue.
    pub revenue: Money,
}

/// What the report's totals are checked against.
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Against {
    /// The order lines, counted straight from them.
    OrderLines,
    /// The rows of a scores file (`report --scores`): no order lines were read.
    ScoresFile,
}

/// Input totals against report totals.
#[derive(Clone, Debug, Serialize)]
pub struct Reconciliation {
    /// What the input counts come from.
    pub against: Against,
    /// Order lines read (valid ones, all dates).
    pub lines_read: u64,
    /// Of those, dated after the as-of date (ignored).
    pub lines_after_as_of: u64,
    /// Bad lines set aside with `--rejects`.
    pub lines_rejected: u64,
    /// Lines dropped by their status (cancelled, unpaid, open deals …) before any metric.
    pub lines_excluded_by_status: u64,
    /// Lines of other currencies dropped by `--currency`.
    pub lines_excluded_by_currency: u64,
    /// Orders up to the as-of date that are not purchases (return-only orders).
    pub non_purchase_orders: u64,
    /// Customers of the customer export without order lines up to the as-of date.
    pub customers_only_in_export: u64,
    /// Counted from the input.
    pub input: Counts,
    /// Summed over the report's tiers.
    pub report: Counts,
    /// Whether the two agree.
    pub matches: bool,
}

/// Count the input of `run` (`kept`: its order lines dated up to the as-of date, whose
/// chunks are aligned on the way) and compare it with the report's `totals`.
pub fn reconcile(
    run: &ScoredRun,
    kept: &mut DataFrame,
    totals: &TierRow,
) -> PolarsResult<Reconciliation> {
    let lines = &run.orders.lines;
    let as_of = run.context.as_of;
    let revenue: i64 = kept
        .column(AMOUNT)?
        .cast(&DataType::Int64)?
        .i64()?
        .iter()
        .flatten()
        .sum();
    let counts = LineCounts::of(kept)?;
    let report_ids = run.customers.column(CUSTOMER_ID)?.str()?;
    let report_ids: Vec<&str> = report_ids.iter().flatten().collect();
    let only_in_export = report_ids
        .par_iter()
        .filter(|id| !counts.has_customer(id))
        .count() as u64;
    let purchases = counts.purchases;
    let after = lines_after(lines, as_of)?;
    let decimals = run.context.decimals;
    let input = Counts {
        customers: counts.customers() + only_in_export,
        orders: purchases,
        revenue: Money::new(revenue, decimals),
    };
    let report = Counts {
        customers: totals.customers,
        orders: totals.orders,
        revenue: totals.revenue,
    };
    Ok(Reconciliation {
        against: Against::OrderLines,
        lines_read: line_count(lines)?,
        lines_after_as_of: after,
        lines_rejected: run.orders.rejected.len() as u64,
        lines_excluded_by_status: run.orders.excluded_by_status(),
        lines_excluded_by_currency: run.orders.excluded_by_currency(),
        non_purchase_orders: counts.orders - purchases,
        customers_only_in_export: only_in_export,
        matches: input == report,
        input,
        report,
    })
}

/// Count the rows of a scores file (`run.customers` as read, one row per customer) and
/// compare them with the report's `totals`: a row lost or doubled by the summary shows.
pub fn reconcile_scores(run: &ScoredRun, totals: &TierRow) -> PolarsResult<Reconciliation> {
    let frame = &run.customers;
    let sum = |name: &str| -> PolarsResult<i64> {
        Ok(frame
            .column(name)?
            .cast(&DataType::Int64)?
            .i64()?
            .iter()
            .flatten()
            .sum())
    };
    let input = Counts {
        customers: frame.height() as u64,
        orders: sum("orders")? as u64,
        revenue: Money::new(sum("revenue")?, run.context.decimals),
    };
    let report = Counts {
        customers: totals.customers,
        orders: totals.orders,
        revenue: totals.revenue,
    };
    Ok(Reconciliation {
        against: Against::ScoresFile,
        lines_read: 0,
        lines_after_as_of: 0,
        lines_rejected: 0,
        lines_excluded_by_status: 0,
        lines_excluded_by_currency: 0,
        non_purchase_orders: 0,
        customers_only_in_export: 0,
        matches: input == report,
        input,
        report,
    })
}
