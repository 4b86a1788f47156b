//! Weighted profit contribution: profit = revenue − cost − cost-to-serve, where
//! cost-to-serve adds configured parts (per order, per return line, per unit of a
//! customer-export column, capital tied up by receivable days). Factors are normalised to
//! 0–100 by percentile rank (ties shared, direction per factor) and weighted into `score`;
//! tiers are cuts on the score by share of customers. Loss makers (profit < 0) always form
//! the lowest tier, `loss_making`, with their own strategy.

use polars::prelude::*;
use serde::Deserialize;

use super::pareto::{class_key, class_letter, parse_cuts};
use super::{ScoreContext, Scorer, TIER_GROUP, fill_no_purchase, left_join};
use crate::error::TieringError;
use crate::input::lines::col_names::CUSTOMER_ID;
use crate::lang::Lang;

/// A factor's direction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Larger values score higher.
    #[default]
    Higher,
    /// Smaller values score higher.
    Lower,
}

/// One weighted factor.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Factor {
    /// Any numeric column: a metric, `return_rate`, or a customer-export column.
    pub metric: String,
    /// Weight; all weights sum to 1.
    pub weight: f64,
    /// higher or lower is better.
    #[serde(default)]
    pub direction: Direction,
}

/// Cost per unit of a customer-export column (tickets × cost per ticket, or a cost
/// column itself with `per_unit = 1`).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerCost {
    /// Column of the customer export.
    pub column: String,
    /// Money per unit.
    pub per_unit: f64,
}

/// Capital tied up by payment terms: revenue × days / 365 × annual rate.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapitalCost {
    /// Column of the customer export with receivable (payment) days.
    pub days_column: String,
    /// Annual cost of capital, e.g. 0.08.
    pub annual_rate: f64,
}

/// `[profit]`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ProfitSettings {
    /// Money per purchase order.
    pub per_order: f64,
    /// Money per return line.
    pub per_return_line: f64,
    /// Per-customer cost parts from the customer export.
    pub customer_costs: Vec<CustomerCost>,
    /// Capital cost of payment terms.
    pub capital: Option<CapitalCost>,
    /// Weighted factors.
    pub factors: Vec<Factor>,
    /// Tier shares by customers, best first, e.g. "20/30/50".
    pub tiers: String,
}

impl Default for ProfitSettings {
    fn default() -> Self {
        let factor = |metric: &str, weight, direction| Factor {
            metric: metric.into(),
            weight,
            direction,
        };
        ProfitSettings {
            per_order: 0.0,
            per_return_line: 0.0,
            customer_costs: Vec::new(),
            capital: None,
            factors: vec![
                factor("profit", 0.6, Direction::Higher),
                factor("orders", 0.15, Direction::Higher),
                factor("recency_days", 0.15, Direction::Lower),
                factor("return_rate", 0.1, Direction::Lower),
            ],
            tiers: "20/30/50".into(),
        }
    }
}

impl ProfitSettings {
    /// Weights must sum to 1 and the tiers must parse.
    pub fn validate(&self) -> Result<Vec<u32>, TieringError> {
        let sum: f64 = self.factors.iter().map(|f| f.weight).sum();
        if self.factors.is_empty() || (sum - 1.0).abs() > 1e-9 {
            let list: Vec<String> = self
                .factors
                .iter()
                .map(|f| format!("{} {}", f.metric, f.weight))
                .collect();
            return Err(TieringError::config(
                format!(
                    "[profit] factor weights sum to {}, not 1 ({})",
                    (sum * 1e6).round() / 1e6,
                    list.join(", ")
                ),
                Some("make the weights of [[profit.factors]] add up to 1".into()),
            ));
        }
        if let Some(f) = self.factors.iter().find(|f| f.weight < 0.0) {
            return Err(TieringError::config(
                format!("[profit] factor `{}` has a negative weight", f.metric),
                None,
            ));
        }
        parse_cuts(&self.tiers)
            .map_err(|e| TieringError::config(format!("[profit] tiers: {e}"), None))
    }
}

/// The profit contribution scorer.
pub struct ProfitScorer;

impl ProfitScorer {
    fn part_columns(ctx: &ScoreContext) -> Vec<String> {
        let p = &ctx.profit;
        let mut parts = vec!["cts_orders".to_string(), "cts_returns".to_string()];
        parts.extend(p.customer_costs.iter().map(|c| format!("cts_{}", c.column)));
        if p.capital.is_some() {
            parts.push("cts_capital".into());
        }
        parts
    }

    fn classes(ctx: &ScoreContext) -> usize {
        ctx.profit.validate().map_or(3, |cuts| cuts.len() + 1)
    }
}

impl Scorer for ProfitScorer {
    fn name(&self) -> &'static str {
        "profit"
    }

    fn describe(&self, ctx: &ScoreContext) -> String {
        let weights: Vec<String> = ctx
            .profit
            .factors
            .iter()
            .map(|f| format!("{} {}", f.metric, f.weight))
            .collect();
        format!(
            "tiers {} by score; weights {}",
            ctx.profit.tiers,
            weights.join(", ")
        )
    }

    fn output_columns(&self, ctx: &ScoreContext) -> Vec<String> {
        let mut columns = vec!["return_lines".to_string(), "return_rate".to_string()];
        columns.extend(Self::part_columns(ctx));
        columns.push("cost_to_serve".into());
        for f in &ctx.profit.factors {
            columns.push(format!("{}_value", f.metric));
            columns.push(format!("{}_pct", f.metric));
            columns.push(format!("{}_points", f.metric));
        }
        columns.extend(["score", "loss_making", "tier_id", "tier", "strategy"].map(str::to_string));
        columns
    }

    fn money_columns(&self, ctx: &ScoreContext) -> Vec<String> {
        let mut money = Self::part_columns(ctx);
        money.push("cost_to_serve".into());
        for f in &ctx.profit.factors {
            if crate::metrics::MONEY_COLUMNS.contains(&f.metric.as_str()) {
                money.push(format!("{}_value", f.metric));
            }
        }
        money
    }

    fn score(&self, customers: LazyFrame, ctx: &ScoreContext) -> anyhow::Result<LazyFrame> {
        let cuts = ctx.profit.validate()?;
        let schema = customers.clone().collect_schema()?;
        let mut needed: Vec<&str> = ctx
            .profit
            .customer_costs
            .iter()
            .map(|c| c.column.as_str())
            .collect();
        needed.extend(ctx.profit.capital.as_ref().map(|c| c.days_column.as_str()));
        needed.extend(
            ctx.profit
                .factors
                .iter()
                .map(|f| f.metric.as_str())
                .filter(|m| *m != "return_rate"),
        );
        if let Some(missing) = needed.iter().find(|n| !schema.contains(n)) {
            let known: Vec<&str> = schema.iter_names().map(|n| n.as_str()).collect();
            return Err(TieringError::config(
                format!("[profit] uses the column `{missing}`, which the data does not have"),
                Some(format!(
                    "columns: {} (customer-export columns need --customers)",
                    known.join(", ")
                )),
            )
            .into());
        }
        let with_costs = customers.with_columns(cost_parts(ctx)).with_column(
            Self::part_columns(ctx)
                .iter()
                .map(|c| col(c.as_str()))
                .reduce(|a, b| a + b)
                .unwrap_or_else(|| lit(0i64))
                .alias("cost_to_serve"),
        );
        let with_profit = with_costs.with_columns([
            (col("revenue") - col("cost").fill_null(lit(0i64)) - col("cost_to_serve"))
                .alias("profit"),
            (col("returns").cast(DataType::Float64)
                / (col("revenue") + col("returns")).cast(DataType::Float64))
            .fill_nan(lit(0.0))
            .round(4, RoundMode::HalfToEven)
            .alias("return_rate"),
        ]);
        let scored = factor_points(with_profit, ctx);
        let tiered = tiers(scored, &cuts, ctx);
        Ok(fill_no_purchase(tiered, TIER_GROUP, ctx))
    }

    fn thresholds(&self, scored: LazyFrame, ctx: &ScoreContext) -> LazyFrame {
        super::per_tier(
            scored,
            self.group_order(ctx),
            vec![
                col("score").min().alias("score_min"),
                col("score").max().alias("score_max"),
                col("revenue").sum().alias("revenue"),
                col("cost_to_serve").sum().alias("cost_to_serve"),
                col("profit").sum().alias("profit"),
            ],
        )
    }

    fn threshold_money_columns(&self) -> Vec<&'static str> {
        vec!["revenue", "cost_to_serve", "profit"]
    }

    fn group_order(&self, ctx: &ScoreContext) -> Vec<String> {
        (0..Self::classes(ctx))
            .map(class_letter)
            .chain([
                "loss_making".to_string(),
                super::segments::NO_PURCHASE.to_string(),
            ])
            .collect()
    }

    fn playbook_key(&self, id: &str) -> String {
        class_key(id)
    }

    fn group_title(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => "Tier",
            Lang::Zh => "客户层级",
        }
    }
}

/// Money (currency units, from the config) × count column -> minor units, rounded half away.
fn money_times(count: Expr, money: f64, ctx: &ScoreContext) -> Expr {
    let per_unit = money * 10f64.powi(ctx.decimals as i32);
    (count.cast(DataType::Float64) * lit(per_unit))
        .round(0, RoundMode::HalfAwayFromZero)
        .fill_null(lit(0.0))
        .cast(DataType::Int64)
}

fn cost_parts(ctx: &ScoreContext) -> Vec<Expr> {
    let p = &ctx.profit;
    let mut parts = vec![
        money_times(col("orders"), p.per_order, ctx).alias("cts_orders"),
        money_times(col("return_lines"), p.per_return_line, ctx).alias("cts_returns"),
    ];
    for c in &p.customer_costs {
        let units = col(c.column.as_str()).cast(DataType::Float64);
        parts.push(money_times(units, c.per_unit, ctx).alias(format!("cts_{}", c.column)));
    }
    if let Some(capital) = &p.capital {
        let days = col(capital.days_column.as_str()).cast(DataType::Float64);
        let receivable = when(col("revenue").gt(lit(0i64)))
            .then(col("revenue"))
            .otherwise(lit(0i64))
            .cast(DataType::Float64);
        let tied_up = receivable * days / lit(365.0) * lit(capital.annual_rate);
        parts.push(
            tied_up
                .round(0, RoundMode::HalfAwayFromZero)
                .fill_null(lit(0.0))
                .cast(DataType::Int64)
                .alias("cts_capital"),
        );
    }
    parts
}

/// `<metric>_value`, `_pct` (0–100 percentile rank among purchasers, ties shared) and
/// `_points` (weight × pct) per factor, and `score`, their sum.
fn factor_points(frame: LazyFrame, ctx: &ScoreContext) -> LazyFrame {
    let purchaser = col("orders").gt(lit(0i64));
    let n = purchaser.clone().sum().cast(DataType::Float64);
    let mut columns = Vec::new();
    let mut points = Vec::new();
    for f in &ctx.profit.factors {
        let value = col(f.metric.as_str()).cast(DataType::Float64);
        let oriented = match f.direction {
            Direction::Higher => value.clone(),
            Direction::Lower => lit(0.0) - value.clone(),
        };
        let ranked = when(purchaser.clone())
            .then(oriented)
            .otherwise(lit(NULL).cast(DataType::Float64));
        let rank = ranked
            .rank(
                RankOptions {
                    method: RankMethod::Min,
                    descending: false,
                },
                None,
            )
            .cast(DataType::Float64);
        let pct = when(n.clone().lt_eq(lit(1.0)))
            .then(lit(100.0))
            .otherwise((rank - lit(1.0)) * lit(100.0) / (n.clone() - lit(1.0)))
            .fill_null(lit(0.0))
            .round(2, RoundMode::HalfToEven);
        let pct_name = format!("{}_pct", f.metric);
        let points_name = format!("{}_points", f.metric);
        columns.push(col(f.metric.as_str()).alias(format!("{}_value", f.metric)));
        columns.push(pct.alias(pct_name.as_str()));
        points.push(
            (col(pct_name.as_str()) * lit(f.weight))
                .round(2, RoundMode::HalfToEven)
                .alias(points_name.as_str()),
        );
    }
    let total = ctx
        .profit
        .factors
        .iter()
        .map(|f| col(format!("{}_points", f.metric).as_str()))
        .reduce(|a, b| a + b)
        .unwrap_or_else(|| lit(0.0));
    frame
        .with_columns(columns)
        .with_columns(points)
        .with_column(total.round(2, RoundMode::HalfToEven).alias("score"))
}

/// Tier letters by score among purchasers that make a profit (score descending, ties by
/// customer_id; the same crossing rule as Pareto by count); loss makers get `loss_making`.
fn tiers(frame: LazyFrame, cuts: &[u32], ctx: &ScoreContext) -> LazyFrame {
    let eligible = col("orders")
        .gt(lit(0i64))
        .and(col("profit").gt_eq(lit(0i64)));
    let ranked = frame
        .clone()
        .filter(eligible)
        .select([col(CUSTOMER_ID), col("score")])
        .sort_by_exprs(
            [col("score"), col(CUSTOMER_ID)],
            SortMultipleOptions::default()
                .with_order_descending_multi([true, false])
                .with_maintain_order(true),
        )
        .with_columns([
            col(CUSTOMER_ID)
                .cum_count(false)
                .cast(DataType::Int64)
                .alias("__rank"),
            len().cast(DataType::Int64).alias("__n"),
        ])
        .with_column({
            let before = col("__rank") - lit(1i64);
            cuts.iter()
                .map(|&c| {
                    (before.clone() * lit(10_000i64))
                        .gt_eq(col("__n") * lit(i64::from(c)))
                        .cast(DataType::Int64)
                })
                .reduce(|a, b| a + b)
                .unwrap_or_else(|| lit(0i64))
                .alias("__class")
        })
        .select([col(CUSTOMER_ID), col("__class")]);
    let classes = cuts.len() + 1;
    let pick = |text: &dyn Fn(&str) -> String| {
        let loss = text("loss_making");
        let mut expr = lit(loss);
        for index in (0..classes).rev() {
            let letter = class_letter(index);
            expr = when(col("__class").eq(lit(index as i64)))
                .then(lit(text(&letter)))
                .otherwise(expr);
        }
        expr
    };
    let key = class_key;
    left_join(frame, ranked, &[CUSTOMER_ID])
        .with_columns([
            col("profit").lt(lit(0i64)).alias("loss_making"),
            pick(&|id| id.to_string()).alias("tier_id"),
            pick(&|id| ctx.playbook.name(&key(id), ctx.lang)).alias("tier"),
            pick(&|id| ctx.playbook.strategy(&key(id), ctx.lang)).alias("strategy"),
        ])
        .drop(by_name(["__class"], true, false))
}
