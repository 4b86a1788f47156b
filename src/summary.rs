//! The per-group summary behind the terminal table (one row per segment or tier):
//! customers and share, revenue and share, average recency and orders, strategy — in the
//! scorer's order.

use polars::prelude::*;

/// One summary row.
#[derive(Clone, Debug, PartialEq)]
pub struct SegmentSummary {
    /// Display name.
    pub segment: String,
    /// Customers in the segment.
    pub customers: u64,
    /// Net revenue, minor units.
    pub revenue: i64,
    /// Mean recency in days (purchasers only).
    pub avg_recency: Option<f64>,
    /// Mean purchases per customer.
    pub avg_orders: f64,
    /// Strategy text.
    pub strategy: String,
    /// Suggested share of effort (0-1), from the playbook's weights over the scorer's groups.
    pub effort: Option<f64>,
}

/// Totals across all segments.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Totals {
    /// All customers.
    pub customers: u64,
    /// All net revenue, minor units.
    pub revenue: i64,
}

/// The columns that name a customer's group: a stable id and a display label.
#[derive(Clone, Copy, Debug)]
pub struct GroupColumns {
    /// e.g. `segment_id` or `tier_id`.
    pub id: &'static str,
    /// e.g. `segment` or `tier`.
    pub label: &'static str,
}

/// Effort shares: each present group's weight over the sum of the present groups'
/// weights; a group without customers gets none (the terminal table and the report share
/// this, so their shares agree and always sum to 100%).
pub fn effort_shares(efforts: &[f64], present: &[bool]) -> Vec<Option<f64>> {
    let total: f64 = efforts
        .iter()
        .zip(present)
        .filter(|(_, p)| **p)
        .map(|(e, _)| e)
        .sum();
    efforts
        .iter()
        .zip(present)
        .map(|(e, p)| (*p && total > 0.0).then(|| e / total))
        .collect()
}

/// Summarise scored customers by group, ordered as `order` (group ids); `efforts` are the
/// relative effort weights of the groups in `order`, normalised to shares over the groups
/// present.
pub fn by_group(
    scored: &DataFrame,
    group: GroupColumns,
    order: &[String],
    efforts: &[f64],
) -> PolarsResult<(Vec<SegmentSummary>, Totals)> {
    let grouped = scored
        .clone()
        .lazy()
        .group_by([
            col(group.id).alias("segment_id"),
            col(group.label).alias("segment"),
            col("strategy"),
        ])
        .agg([
            len().cast(DataType::UInt64).alias("customers"),
            col("revenue").sum().alias("revenue"),
            col("recency_days")
                .cast(DataType::Float64)
                .mean()
                .alias("avg_recency"),
            col("orders")
                .cast(DataType::Float64)
                .mean()
                .alias("avg_orders"),
        ])
        .collect()?;
    let ids = grouped.column("segment_id")?.str()?;
    let names = grouped.column("segment")?.str()?;
    let strategies = grouped.column("strategy")?.str()?;
    let customers = grouped.column("customers")?.u64()?;
    let revenue = grouped.column("revenue")?.i64()?;
    let recency = grouped.column("avg_recency")?.f64()?;
    let orders = grouped.column("avg_orders")?.f64()?;
    let present: Vec<bool> = order
        .iter()
        .map(|id| ids.iter().any(|g| g == Some(id.as_str())))
        .collect();
    let shares = effort_shares(efforts, &present);
    let mut rows: Vec<(usize, SegmentSummary)> = (0..grouped.height())
        .map(|i| {
            let id = ids.get(i).unwrap_or_default();
            let rank = order.iter().position(|s| s == id).unwrap_or(usize::MAX);
            let row = SegmentSummary {
                segment: names.get(i).unwrap_or(id).to_string(),
                customers: customers.get(i).unwrap_or(0),
                revenue: revenue.get(i).unwrap_or(0),
                avg_recency: recency.get(i),
                avg_orders: orders.get(i).unwrap_or(0.0),
                strategy: strategies.get(i).unwrap_or_default().to_string(),
                effort: shares.get(rank).copied().flatten(),
            };
            (rank, row)
        })
        .collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.segment.cmp(&b.1.segment)));
    let totals = Totals {
        customers: rows.iter().map(|(_, r)| r.customers).sum(),
        revenue: rows.iter().map(|(_, r)| r.revenue).sum(),
    };
    Ok((rows.into_iter().map(|(_, r)| r).collect(), totals))
}
