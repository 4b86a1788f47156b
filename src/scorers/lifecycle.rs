//! Lifecycle stages judged against each customer's own rhythm: new, growing, stable,
//! declining, at risk, lapsed — with a churn early warning and its reason.
//!
//! A customer's usual gap is (last − first purchase) / (purchases − 1); one-order customers
//! borrow the median gap of the repeat customers. `overdue` = recency / usual gap. Beyond
//! `lapsed_ratio` the customer has lapsed, beyond `at_risk_ratio` is at risk; otherwise
//! revenue in the last `period_days` against the period before decides growing, declining
//! or stable. Customers whose first purchase is within `new_days` are new.

use super::columns::{ColumnType, OutputColumn, tier_columns, typed};
use polars::prelude::*;
use serde::Deserialize;

use super::ratio::{at_least, at_most};
use super::{ScoreContext, Scored, Scorer, ScorerSettings, TIER_GROUP, fill_no_purchase};
use crate::lang::Lang;
use crate::metrics::{WindowMetric, revenue_trend_windows};

/// `[lifecycle]` thresholds.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LifecycleSettings {
    /// First purchase at most this many days ago: new.
    pub new_days: u32,
    /// Length of the recent and the previous revenue period.
    #[serde(deserialize_with = "crate::config_numbers::period_days")]
    pub period_days: u32,
    /// Recency above this multiple of the usual gap: at risk.
    #[serde(deserialize_with = "crate::config_numbers::gap_ratio")]
    pub at_risk_ratio: f64,
    /// Recency above this multiple of the usual gap: lapsed.
    #[serde(deserialize_with = "crate::config_numbers::gap_ratio")]
    pub lapsed_ratio: f64,
    /// Recent revenue at least (1 + growth) × previous: growing.
    #[serde(deserialize_with = "crate::config_numbers::growth")]
    pub growth: f64,
    /// Recent revenue at most (1 − decline) × previous: declining.
    #[serde(deserialize_with = "crate::config_numbers::decline")]
    pub decline: f64,
}

impl Default for LifecycleSettings {
    fn default() -> Self {
        LifecycleSettings {
            new_days: 90,
            period_days: 90,
            at_risk_ratio: 1.5,
            lapsed_ratio: 3.0,
            growth: 0.2,
            decline: 0.2,
        }
    }
}

/// Stage ids in reading order.
pub const STAGES: [&str; 6] = ["new", "growing", "stable", "declining", "at_risk", "lapsed"];

/// The lifecycle scorer.
pub struct LifecycleScorer;

impl Scorer for LifecycleScorer {
    fn name(&self) -> &'static str {
        "lifecycle"
    }

    fn windows(&self, ctx: &ScoreContext) -> anyhow::Result<Vec<WindowMetric>> {
        Ok(revenue_trend_windows(ctx.as_of, ctx.lifecycle.period_days))
    }

    fn describe(&self, ctx: &ScorerSettings) -> String {
        let l = &ctx.lifecycle;
        match ctx.lang {
            Lang::En => format!(
                "new ≤ {}d, at risk > {}× usual gap, lapsed > {}×, periods of {}d",
                l.new_days, l.at_risk_ratio, l.lapsed_ratio, l.period_days
            ),
            Lang::Zh => format!(
                "新客 ≤ {} 天，风险 > 常规间隔 {} 倍，流失 > {} 倍，比较周期 {} 天",
                l.new_days, l.at_risk_ratio, l.lapsed_ratio, l.period_days
            ),
        }
    }

    fn columns(&self, _settings: &ScorerSettings) -> Vec<OutputColumn> {
        use ColumnType::{Bool, Float, Money, Text};
        let mut columns = typed(&[
            ("usual_gap_days", Float),
            ("overdue_ratio", Float),
            ("revenue_recent", Money),
            ("revenue_previous", Money),
            ("stage", Text),
            ("churn_warning", Bool),
            ("churn_reason", Text),
        ]);
        columns.extend(tier_columns());
        columns
    }

    fn score(&self, customers: LazyFrame, ctx: &ScoreContext) -> anyhow::Result<Scored> {
        let l = &ctx.lifecycle;
        let purchaser = col("orders").gt(lit(0i64));
        let own_gap = when(col("orders").gt(lit(1i64)))
            .then(
                col("tenure_days").cast(DataType::Float64)
                    - col("recency_days").cast(DataType::Float64),
            )
            .otherwise(lit(NULL).cast(DataType::Float64))
            / (col("orders") - lit(1i64)).cast(DataType::Float64);
        let staged = customers
            .with_column(own_gap.alias("__own_gap"))
            .with_column(
                col("__own_gap")
                    .fill_null(
                        col("__own_gap")
                            .median()
                            .fill_null(lit(f64::from(l.period_days))),
                    )
                    .round(1, RoundMode::HalfToEven)
                    .alias("usual_gap_days"),
            )
            .with_column(
                (col("recency_days").cast(DataType::Float64)
                    / when(col("usual_gap_days").gt(lit(0.0)))
                        .then(col("usual_gap_days"))
                        .otherwise(lit(1.0)))
                .round(2, RoundMode::HalfToEven)
                .alias("overdue_ratio"),
            )
            .with_column(stage(l).alias("stage"))
            .with_columns(churn(l)?)
            .with_columns(stage_texts(ctx))
            .with_columns([
                when(purchaser.clone())
                    .then(col("usual_gap_days"))
                    .otherwise(lit(NULL).cast(DataType::Float64))
                    .alias("usual_gap_days"),
                when(purchaser)
                    .then(col("overdue_ratio"))
                    .otherwise(lit(NULL).cast(DataType::Float64))
                    .alias("overdue_ratio"),
            ]);
        Ok(Scored::from(
            fill_no_purchase(staged, TIER_GROUP, ctx).with_column(
                when(col("orders").eq(lit(0i64)))
                    .then(lit(NULL).cast(DataType::String))
                    .otherwise(col("stage"))
                    .alias("stage"),
            ),
        ))
    }

    fn thresholds(&self, scored: LazyFrame, _ctx: &ScoreContext) -> LazyFrame {
        let stages = df!("stage" => STAGES.to_vec())
            .expect("static frame")
            .lazy();
        let counts = scored
            .filter(col("stage").is_not_null())
            .group_by([col("stage")])
            .agg([
                len().cast(DataType::Int64).alias("customers"),
                col("churn_warning")
                    .sum()
                    .cast(DataType::Int64)
                    .alias("churn_warnings"),
                col("revenue").sum().alias("revenue"),
                col("usual_gap_days").median().alias("median_gap_days"),
                col("recency_days").median().alias("median_recency_days"),
            ]);
        super::left_join(stages, counts, &["stage"])
    }

    fn threshold_money_columns(&self) -> Vec<&'static str> {
        vec!["revenue"]
    }

    fn lapsed_groups(&self, _ctx: &ScoreContext) -> Vec<String> {
        vec!["lapsed".into()]
    }

    fn group_order(&self, _ctx: &ScoreContext) -> Vec<String> {
        STAGES
            .iter()
            .map(|s| s.to_string())
            .chain(std::iter::once(super::segments::NO_PURCHASE.to_string()))
            .collect()
    }

    /// Growing customers are worth most, lapsed least; a new customer ranks below an
    /// established stable one and above a declining one.
    fn value_order(&self, _ctx: &ScoreContext) -> Vec<String> {
        ["growing", "stable", "new", "declining", "at_risk", "lapsed"]
            .iter()
            .map(|s| s.to_string())
            .chain(std::iter::once(super::segments::NO_PURCHASE.to_string()))
            .collect()
    }

    fn playbook_key(&self, id: &str) -> String {
        stage_key(id)
    }

    fn sql_refusal(&self) -> Option<&'static str> {
        Some(
            "its usual gaps and overdue ratios are floating-point arithmetic that SQL engines round differently",
        )
    }

    fn signature_column(&self) -> &'static str {
        "stage"
    }

    fn group_title(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => "Stage",
            Lang::Zh => "生命周期阶段",
        }
    }
}

/// The playbook entry of a stage: `new` -> `lifecycle_new`; other ids unchanged.
fn stage_key(id: &str) -> String {
    if STAGES.contains(&id) {
        format!("lifecycle_{id}")
    } else {
        id.to_string()
    }
}

fn stage(l: &LifecycleSettings) -> Expr {
    let (recent, previous) = (col("revenue_recent"), col("revenue_previous"));
    when(col("tenure_days").lt_eq(lit(i64::from(l.new_days))))
        .then(lit("new"))
        .when(col("overdue_ratio").gt(lit(l.lapsed_ratio)))
        .then(lit("lapsed"))
        .when(col("overdue_ratio").gt(lit(l.at_risk_ratio)))
        .then(lit("at_risk"))
        .when(
            recent
                .clone()
                .gt(lit(0i64))
                .and(at_least(recent.clone(), previous.clone(), 1.0 + l.growth))
                .and(
                    previous
                        .clone()
                        .gt(lit(0i64))
                        .or(col("orders").gt(lit(1i64))),
                ),
        )
        .then(lit("growing"))
        .when(at_most(recent, previous.clone(), 1.0 - l.decline).and(previous.gt(lit(0i64))))
        .then(lit("declining"))
        .otherwise(lit("stable"))
}

/// churn_warning (bool) and churn_reason (text).
fn churn(l: &LifecycleSettings) -> PolarsResult<Vec<Expr>> {
    let overdue = col("overdue_ratio").gt(lit(1.0));
    let declining = col("stage").eq(lit("declining"));
    let lapsed = col("stage").eq(lit("lapsed"));
    let at_risk = col("stage").eq(lit("at_risk"));
    let warning = col("stage")
        .neq(lit("new"))
        .and(overdue.clone().or(declining.clone()))
        .and(lapsed.clone().not());
    let reason = when(col("orders").eq(lit(0i64)))
        .then(lit(NULL).cast(DataType::String))
        .when(lapsed.or(at_risk).or(warning.clone().and(overdue)))
        .then(format_str(
            "no purchase for {} days; usually every {} days ({}× the usual gap)",
            &[
                col("recency_days"),
                col("usual_gap_days"),
                col("overdue_ratio"),
            ],
        )?)
        .when(declining)
        .then(lit(format!(
            "revenue in the last {0} days is down on the {0} days before",
            l.period_days
        )))
        .otherwise(lit(NULL).cast(DataType::String));
    Ok(vec![
        when(col("orders").eq(lit(0i64)))
            .then(lit(NULL).cast(DataType::Boolean))
            .otherwise(warning)
            .alias("churn_warning"),
        reason.alias("churn_reason"),
    ])
}

fn stage_texts(ctx: &ScoreContext) -> Vec<Expr> {
    let mut texts = vec![col("stage").alias("tier_id")];
    texts.extend(super::playbook_texts(ctx, "stage", &STAGES, stage_key));
    texts
}
