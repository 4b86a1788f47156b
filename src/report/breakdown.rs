//! `--breakdown COLUMN`: the tiers broken down by a customer-export column (region, industry,
//! channel, owner): per value and tier, customers and net revenue with their shares of
//! the value's totals, and a total row per value.

use std::collections::BTreeMap;

use polars::prelude::*;
use serde::Serialize;

use super::Money;
use crate::error::TieringError;

/// The label of an empty or missing cell (a cell reading `(blank)` stays a value of its
/// own).
pub fn blank_label(lang: crate::lang::Lang) -> &'static str {
    match lang {
        crate::lang::Lang::En => "(blank)",
        crate::lang::Lang::Zh => "（空）",
    }
}

/// One column's breakdown.
#[derive(Clone, Debug, Serialize)]
pub struct Breakdown {
    /// The column read: as given with `--breakdown`, or `customer_<name>` where the
    /// export's column shares a metric's name.
    pub column: String,
    /// Per value (in byte order, blank last) and tier (in the tiers' order), then the
    /// value's total (tier id `total`).
    pub rows: Vec<BreakdownRow>,
}

/// One value × tier cell.
#[derive(Clone, Debug, Serialize)]
pub struct BreakdownRow {
    /// The column's value.
    pub value: String,
    /// Tier id, or `total`.
    pub tier_id: String,
    /// Tier name.
    pub tier: String,
    /// Customers.
    pub customers: u64,
    /// Of the value's customers (0–1).
    pub customer_share: Option<f64>,
    /// Net revenue.
    pub revenue: Money,
    /// Of the value's net revenue (0–1); none when that is 0.
    pub revenue_share: Option<f64>,
}

/// The breakdown of `customers` by `column`; `tiers` are (id, name) in reading order.
pub fn breakdown(
    customers: &DataFrame,
    column: &str,
    group_id: &str,
    tiers: &[(String, String)],
    export_columns: &[String],
    decimals: u32,
    (total_label, blank): (&str, &str),
) -> anyhow::Result<Breakdown> {
    let renamed = format!("customer_{column}");
    let source = if export_columns.iter().any(|c| c == column) {
        column
    } else if export_columns.contains(&renamed) {
        renamed.as_str()
    } else {
        let columns: Vec<&str> = export_columns
            .iter()
            .map(String::as_str)
            .filter(|c| *c != "customer_id")
            .collect();
        let hint = if columns.is_empty() {
            "--breakdown reads a column of the customer export: pass --customers".to_string()
        } else {
            format!("the customer export has: {}", columns.join(", "))
        };
        return Err(TieringError::usage(
            format!("--breakdown `{column}` is not a column of the customer export"),
            Some(hint),
        )
        .into());
    };
    let values = customers.column(source)?.cast(&DataType::String)?;
    let values = values.str()?;
    let ids = customers.column(group_id)?.str()?;
    let revenue = customers
        .column("revenue")?
        .cast(&DataType::Int64)?
        .i64()?
        .clone();
    // value (none: blank, sorted last) -> tier -> (customers, revenue)
    let mut cells: BTreeMap<(bool, String), BTreeMap<String, (u64, i64)>> = BTreeMap::new();
    for row in 0..customers.height() {
        let value = match values.get(row).map(str::trim).filter(|v| !v.is_empty()) {
            Some(v) => (false, v.to_string()),
            None => (true, String::new()),
        };
        let tier = ids.get(row).unwrap_or_default().to_string();
        let cell = cells.entry(value).or_default().entry(tier).or_default();
        cell.0 += 1;
        cell.1 += revenue.get(row).unwrap_or(0);
    }
    let mut rows = Vec::new();
    for ((is_blank, value), by_tier) in &cells {
        let value = if *is_blank {
            blank.to_string()
        } else {
            value.clone()
        };
        let (all_customers, all_revenue) = by_tier
            .values()
            .fold((0u64, 0i64), |(c, r), (n, v)| (c + n, r + v));
        let share = |part: f64, whole: f64| (whole != 0.0).then(|| part / whole);
        let row = |tier_id: &str, tier: &str, (n, r): (u64, i64)| BreakdownRow {
            value: value.clone(),
            tier_id: tier_id.to_string(),
            tier: tier.to_string(),
            customers: n,
            customer_share: share(n as f64, all_customers as f64),
            revenue: Money::new(r, decimals),
            revenue_share: share(r as f64, all_revenue as f64),
        };
        for (id, name) in tiers {
            if let Some(cell) = by_tier.get(id) {
                rows.push(row(id, name, *cell));
            }
        }
        // Tier ids the list did not name (none expected) still count.
        for (id, cell) in by_tier {
            if !tiers.iter().any(|(t, _)| t == id) {
                rows.push(row(id, id, *cell));
            }
        }
        rows.push(row("total", total_label, (all_customers, all_revenue)));
    }
    Ok(Breakdown {
        column: source.to_string(),
        rows,
    })
}
