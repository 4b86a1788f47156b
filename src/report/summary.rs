//! The per-tier summary of a report: customers, revenue, profit, orders, AOV, recency,
//! effort and strategy for every tier of the scorer (empty tiers included), and totals.

use std::collections::HashMap;

use polars::prelude::*;

use super::{Money, TierRow, share};
use crate::scored::ScoredRun;

/// Per-customer values the summary reads, column by column.
struct Columns<'a> {
    tier: &'a StringChunked,
    revenue: &'a Int64Chunked,
    profit: &'a Int64Chunked,
    orders: &'a Int64Chunked,
    recency: &'a Int64Chunked,
}

#[derive(Default)]
struct Sums {
    customers: u64,
    revenue: i64,
    profit: i64,
    profit_known: bool,
    orders: u64,
    recency_sum: i64,
    purchasers: u64,
}

impl Sums {
    fn add(&mut self, c: &Columns<'_>, row: usize) {
        self.customers += 1;
        self.revenue += c.revenue.get(row).unwrap_or(0);
        if let Some(p) = c.profit.get(row) {
            self.profit += p;
            self.profit_known = true;
        }
        self.orders += c.orders.get(row).unwrap_or(0).max(0) as u64;
        if let Some(r) = c.recency.get(row) {
            self.recency_sum += r;
            self.purchasers += 1;
        }
    }

    fn merge(&mut self, other: &Sums) {
        self.customers += other.customers;
        self.revenue += other.revenue;
        self.profit += other.profit;
        self.profit_known |= other.profit_known;
        self.orders += other.orders;
        self.recency_sum += other.recency_sum;
        self.purchasers += other.purchasers;
    }
}

/// The tier rows in the scorer's order and their total row.
pub fn tier_rows(run: &ScoredRun) -> PolarsResult<(Vec<TierRow>, TierRow)> {
    let frame = &run.customers;
    let group = run.scorer.group();
    let int = |name: &str| -> PolarsResult<Int64Chunked> {
        Ok(frame.column(name)?.cast(&DataType::Int64)?.i64()?.clone())
    };
    let (revenue, profit, orders, recency) = (
        int("revenue")?,
        int("profit")?,
        int("orders")?,
        int("recency_days")?,
    );
    let columns = Columns {
        tier: frame.column(group.id)?.str()?,
        revenue: &revenue,
        profit: &profit,
        orders: &orders,
        recency: &recency,
    };
    let mut sums: HashMap<String, Sums> = HashMap::new();
    let mut names: HashMap<String, (String, String)> = HashMap::new();
    let labels = frame.column(group.label)?.str()?;
    let strategies = frame.column("strategy")?.str()?;
    for row in 0..frame.height() {
        let id = columns.tier.get(row).unwrap_or_default();
        sums.entry(id.to_string()).or_default().add(&columns, row);
        names.entry(id.to_string()).or_insert_with(|| {
            (
                labels.get(row).unwrap_or(id).to_string(),
                strategies.get(row).unwrap_or_default().to_string(),
            )
        });
    }
    let ctx = &run.context;
    let mut order = run.scorer.group_order(ctx);
    // Ids the scorer did not list (none expected) go last, in byte order, so nothing is lost.
    let mut unlisted: Vec<String> = sums
        .keys()
        .filter(|id| !order.contains(id))
        .cloned()
        .collect();
    unlisted.sort();
    order.extend(unlisted);
    let efforts: Vec<f64> = order
        .iter()
        .map(|id| ctx.playbook.effort(&run.scorer.playbook_key(id)))
        .collect();
    let present: Vec<bool> = order
        .iter()
        .map(|id| sums.get(id).is_some_and(|s| s.customers > 0))
        .collect();
    let shares = crate::summary::effort_shares(&efforts, &present);
    let mut total = Sums::default();
    for s in sums.values() {
        total.merge(s);
    }
    let empty = Sums::default();
    let rows = order
        .iter()
        .zip(&shares)
        .map(|(id, effort)| {
            let key = run.scorer.playbook_key(id);
            let (name, strategy) = names.get(id).cloned().unwrap_or_else(|| {
                (
                    ctx.playbook.name(&key, ctx.lang),
                    ctx.playbook.strategy(&key, ctx.lang),
                )
            });
            let row = row(
                id,
                name,
                sums.get(id).unwrap_or(&empty),
                &total,
                ctx.decimals,
            );
            TierRow {
                strategy,
                effort_share: *effort,
                ..row
            }
        })
        .collect();
    let totals = row("total", String::new(), &total, &total, ctx.decimals);
    Ok((rows, totals))
}

fn row(id: &str, name: String, sums: &Sums, total: &Sums, decimals: u32) -> TierRow {
    let money = |units| Money::new(units, decimals);
    TierRow {
        id: id.to_string(),
        name,
        customers: sums.customers,
        customer_share: share(sums.customers as f64, total.customers as f64),
        revenue: money(sums.revenue),
        revenue_share: share(sums.revenue as f64, total.revenue as f64),
        profit: total.profit_known.then(|| money(sums.profit)),
        profit_share: total
            .profit_known
            .then(|| share(sums.profit as f64, total.profit as f64))
            .flatten(),
        margin: match (total.profit_known, sums.revenue > 0) {
            (true, true) => Some(sums.profit as f64 / sums.revenue as f64),
            _ => None,
        },
        orders: sums.orders,
        aov: (sums.orders > 0).then(|| money(divide_rounded(sums.revenue, sums.orders as i64))),
        avg_recency_days: (sums.purchasers > 0)
            .then(|| sums.recency_sum as f64 / sums.purchasers as f64),
        effort_share: None,
        budget: None,
        roi: None,
        strategy: String::new(),
    }
}

/// `numerator / denominator` rounded half away from zero (`denominator` > 0).
pub fn divide_rounded(numerator: i64, denominator: i64) -> i64 {
    let (n, d) = (i128::from(numerator), i128::from(denominator));
    let rounded = (2 * n.abs() + d) / (2 * d);
    (if n < 0 { -rounded } else { rounded }) as i64
}

#[cfg(test)]
mod tests {
    use super::divide_rounded;

    #[test]
    fn rounds_half_away_from_zero() {
        assert_eq!(divide_rounded(5, 2), 3);
        assert_eq!(divide_rounded(-5, 2), -3);
        assert_eq!(divide_rounded(4, 3), 1);
        assert_eq!(divide_rounded(-4, 3), -1);
        assert_eq!(divide_rounded(0, 7), 0);
    }
}
