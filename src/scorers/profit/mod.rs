//! Weighted profit contribution: profit = revenue − cost − cost-to-serve, where
//! cost-to-serve adds configured parts (per order, per return line, per unit of a
//! customer-export column, capital tied up by receivable days). Factors are normalised to
//! 0–100 by percentile rank (ties shared, direction per factor) and weighted into `score`;
//! tiers are cuts on the score by share of customers. Loss makers (profit < 0) always form
//! the lowest tier, `loss_making`, with their own strategy.

mod exact;
mod settings;
mod tiers;

pub(super) use self::exact::export_number;
pub use self::exact::{
    EXPORT_NUMBER_SCALE, MONEY_RATE_SCALE, POINTS_SCALE, RETURN_RATE_SCALE, WEIGHT_SCALE,
    millionths, money_rate_units, weight_units,
};
pub use self::settings::{CapitalCost, CustomerCost, Direction, Factor, ProfitSettings};

use self::exact::{RETURN_RATE_UNITS, money_times, return_rate_units, shown_units};
use super::columns::{ColumnType, OutputColumn, tier_columns, typed};
use polars::prelude::*;

use super::pareto::{class_key, class_letter};
use super::rank::min_rank;
use super::{
    ExportNumber, ScoreContext, Scored, Scorer, ScorerSettings, TIER_GROUP, collect_scored,
    fill_no_purchase, require_export_column,
};
use crate::error::TieringError;
use crate::lang::Lang;

/// The profit contribution scorer.
pub struct ProfitScorer;

impl ProfitScorer {
    fn part_columns(ctx: &ScorerSettings) -> Vec<String> {
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

    fn describe(&self, ctx: &ScorerSettings) -> String {
        let weights: Vec<String> = ctx
            .profit
            .factors
            .iter()
            .map(|f| format!("{} {}", f.metric, f.weight))
            .collect();
        match ctx.lang {
            Lang::En => format!(
                "tiers {} by score; weights {}",
                ctx.profit.tiers,
                weights.join(", ")
            ),
            Lang::Zh => format!(
                "按得分分层 {}；权重 {}",
                ctx.profit.tiers,
                weights.join("，")
            ),
        }
    }

    fn columns(&self, ctx: &ScorerSettings) -> Vec<OutputColumn> {
        use ColumnType::{Bool, Float, Integer, Money};
        let mut columns = typed(&[("return_lines", Integer), ("return_rate", Float)]);
        columns.extend(
            Self::part_columns(ctx)
                .into_iter()
                .map(|c| OutputColumn::new(c, Money)),
        );
        columns.push(OutputColumn::new("cost_to_serve", Money));
        for f in &ctx.profit.factors {
            // A factor over a customer-export column shows the export's text.
            let value = crate::metrics::metric_type(&f.metric).unwrap_or(ColumnType::Text);
            columns.push(OutputColumn::new(format!("{}_value", f.metric), value));
            columns.push(OutputColumn::new(format!("{}_pct", f.metric), Float));
            columns.push(OutputColumn::new(format!("{}_points", f.metric), Float));
        }
        columns.extend(typed(&[("score", Float), ("loss_making", Bool)]));
        columns.extend(tier_columns());
        columns
    }

    fn export_numbers(&self, ctx: &ScorerSettings) -> Vec<ExportNumber> {
        let p = &ctx.profit;
        let metric = |name: &str| {
            crate::metrics::METRIC_COLUMNS.contains(&name)
                || ["return_rate", "return_lines"].contains(&name)
        };
        let counts = p
            .customer_costs
            .iter()
            .map(|c| c.column.clone())
            .chain(p.capital.iter().map(|c| c.days_column.clone()))
            .map(|column| ExportNumber {
                column,
                negative_allowed: false,
            });
        let factors = p
            .factors
            .iter()
            .filter(|f| !metric(&f.metric))
            .map(|f| ExportNumber {
                column: f.metric.clone(),
                negative_allowed: true,
            });
        counts.chain(factors).collect()
    }

    fn score(&self, customers: LazyFrame, ctx: &ScoreContext) -> anyhow::Result<Scored> {
        let cuts = ctx.profit.validate()?;
        for c in &ctx.profit.customer_costs {
            require_export_column(ctx, "[profit] customer_costs column", &c.column)?;
        }
        if let Some(capital) = &ctx.profit.capital {
            require_export_column(ctx, "[profit] capital days_column", &capital.days_column)?;
        }
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
        let with_costs = customers
            .with_columns(cost_parts(ctx, &schema))
            .with_column(
                Self::part_columns(ctx)
                    .iter()
                    .map(|c| col(c.as_str()))
                    .reduce(|a, b| a + b)
                    .unwrap_or_else(|| lit(0i64))
                    .alias("cost_to_serve"),
            );
        let gross = col("revenue") + col("returns");
        let with_profit = with_costs.with_columns([
            (col("revenue") - col("cost").fill_null(lit(0i64)) - col("cost_to_serve"))
                .alias("profit"),
            return_rate_units(col("returns"), gross).alias(RETURN_RATE_UNITS),
        ]);
        let with_profit = with_profit.with_column(
            shown_units(col(RETURN_RATE_UNITS), RETURN_RATE_SCALE).alias("return_rate"),
        );
        let scored = collect_scored(factor_points(with_profit, ctx, &schema))?;
        let tiered = tiers::with_tiers(scored, SCORE_UNITS, &cuts, ctx)?
            .lazy()
            .drop(by_name(working_columns(ctx), true, false));
        Ok(Scored::from(fill_no_purchase(tiered, TIER_GROUP, ctx)))
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

    fn sql_refusal(&self) -> Option<&'static str> {
        None
    }

    fn sql(
        &self,
        d: crate::sql::dialect::Dialect,
        ctx: &ScorerSettings,
        export: &[String],
    ) -> anyhow::Result<(String, Vec<String>)> {
        crate::sql::profit::profit(d, ctx, export)
    }

    fn signature_column(&self) -> &'static str {
        "cost_to_serve"
    }

    fn group_title(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => "Tier",
            Lang::Zh => "客户层级",
        }
    }
}

/// The cost-to-serve parts in minor units, each rounded half away from zero from exact
/// integer products: per order and per return line (rates in millionths of a minor
/// unit), per unit of an export column (its millionths × the rate), and capital:
/// max(revenue, 0) × days / 365 × annual rate (the rate in 10⁻⁹).
fn cost_parts(ctx: &ScoreContext, schema: &Schema) -> Vec<Expr> {
    let p = &ctx.profit;
    let mut parts = vec![
        money_times(col("orders"), p.per_order, ctx).alias("cts_orders"),
        money_times(col("return_lines"), p.per_return_line, ctx).alias("cts_returns"),
    ];
    // An empty cell costs nothing; a cost beyond 64-bit minor units stops the run
    // (strict cast) instead of turning into nothing.
    let rounded = |numerator: Expr, denominator: i128| {
        crate::metrics::rounded_ratio(numerator, lit(denominator))
            .fill_null(lit(0i64).cast(DataType::Int128))
            .strict_cast(DataType::Int64)
    };
    for c in &p.customer_costs {
        let rate = money_rate_units(c.per_unit, ctx.decimals);
        parts.push(
            rounded(
                export_number(&c.column, schema) * lit(i128::from(rate)),
                i128::from(EXPORT_NUMBER_SCALE * MONEY_RATE_SCALE),
            )
            .alias(format!("cts_{}", c.column)),
        );
    }
    if let Some(capital) = &p.capital {
        let receivable = when(col("revenue").gt(lit(0i64)))
            .then(col("revenue"))
            .otherwise(lit(0i64))
            .cast(DataType::Int128);
        let tied_up = receivable
            * export_number(&capital.days_column, schema)
            * lit(i128::from(weight_units(capital.annual_rate)));
        parts.push(
            rounded(
                tied_up,
                365 * i128::from(EXPORT_NUMBER_SCALE) * i128::from(WEIGHT_SCALE),
            )
            .alias("cts_capital"),
        );
    }
    parts
}

/// `<metric>_value`, `_pct` (0–100 percentile rank among purchasers, ties shared) and
/// `_points` (weight × pct) per factor, and `score`, their sum. Percentiles and points are
/// rounded half to even to hundredths in integers (see `POINTS_SCALE`), so that every
/// SQL engine gives the same digits.
fn factor_points(frame: LazyFrame, ctx: &ScoreContext, schema: &Schema) -> LazyFrame {
    let purchaser = col("orders").gt(lit(0i64));
    let n = purchaser.clone().sum().cast(DataType::Int64);
    let full = lit(100 * POINTS_SCALE);
    let mut ranks = Vec::new();
    let mut columns = Vec::new();
    let mut points = Vec::new();
    for f in &ctx.profit.factors {
        let value = if f.metric == "return_rate" {
            col(RETURN_RATE_UNITS)
        } else if schema.get(f.metric.as_str()) == Some(&DataType::String) {
            export_number(&f.metric, schema)
        } else {
            col(f.metric.as_str())
        };
        let ranked = when(purchaser.clone()).then(value).otherwise(lit(NULL));
        // A column of its own: the percentile below repeats its numerator (CSE is off,
        // see `collect_scored`), and the rank would be computed six times.
        ranks.push(
            min_rank(ranked, f.direction == Direction::Lower)
                .cast(DataType::Int64)
                .alias(rank_units(&f.metric)),
        );
        let rank = col(rank_units(&f.metric).as_str());
        // Non-purchasers are unranked (DESIGN §4): no percentile, points or score.
        let pct = when(purchaser.clone().not())
            .then(lit(NULL).cast(DataType::Int64))
            .when(n.clone().lt_eq(lit(1i64)))
            .then(full.clone())
            .otherwise(
                crate::metrics::half_even_ratio(
                    (rank - lit(1i64)) * full.clone(),
                    n.clone() - lit(1i64),
                )
                .fill_null(lit(0i64)),
            );
        let weighted = crate::metrics::half_even_ratio(
            col(pct_units(&f.metric).as_str()) * lit(weight_units(f.weight)),
            lit(WEIGHT_SCALE),
        );
        columns.push(col(f.metric.as_str()).alias(format!("{}_value", f.metric)));
        columns.push(pct.alias(pct_units(&f.metric)));
        points.push(weighted.alias(points_units(&f.metric)));
    }
    let total = ctx
        .profit
        .factors
        .iter()
        .map(|f| col(points_units(&f.metric).as_str()))
        .reduce(|a, b| a + b)
        .unwrap_or_else(|| lit(0i64));
    let shown =
        |units: String, name: String| shown_units(col(units.as_str()), POINTS_SCALE).alias(name);
    let mut display = vec![shown(SCORE_UNITS.into(), "score".into())];
    for f in &ctx.profit.factors {
        display.push(shown(pct_units(&f.metric), format!("{}_pct", f.metric)));
        display.push(shown(
            points_units(&f.metric),
            format!("{}_points", f.metric),
        ));
    }
    frame
        .with_columns(ranks)
        .with_columns(columns)
        .with_columns(points)
        .with_column(total.alias(SCORE_UNITS))
        .with_columns(display)
}

/// The score in hundredths, which ranks the tiers.
const SCORE_UNITS: &str = "__score_units";

fn pct_units(metric: &str) -> String {
    format!("__{metric}_pct_units")
}

fn points_units(metric: &str) -> String {
    format!("__{metric}_points_units")
}

fn rank_units(metric: &str) -> String {
    format!("__{metric}_rank")
}

/// The integer working columns, dropped once the tiers are cut.
fn working_columns(ctx: &ScoreContext) -> Vec<String> {
    let mut columns = vec![SCORE_UNITS.to_string(), RETURN_RATE_UNITS.to_string()];
    for f in &ctx.profit.factors {
        columns.extend([
            rank_units(&f.metric),
            pct_units(&f.metric),
            points_units(&f.metric),
        ]);
    }
    columns
}
