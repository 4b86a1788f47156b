//! Account health (the playbooks' 客户健康度检查): a 0–100 score per customer from weighted
//! components, graded healthy / watch / at risk / critical, with the weakest component
//! named so the account owner knows what to act on.
//!
//! Components, each 0–100 points rounded half to even to 0.1:
//! - **activity**: r = recency ÷ the median gap between the customer's purchase days (one
//!   purchase day: `period_days`); 100 up to r = 1, 0 from r = `overdue_ratio`, linear between;
//! - **frequency**: purchases in the last `period_days` against the `period_days` before:
//!   100 × min(1, recent ÷ previous); 100 when only the recent period has any, 0 when neither;
//! - **spend**: the same on net revenue (a negative recent revenue is 0);
//! - **returns**: 100 × max(0, 1 − return rate ÷ `return_limit`), the return rate being
//!   returns ÷ (net revenue + returns);
//! - **complaints** (with `complaints_column`): 100 × max(0, 1 − complaints per purchase ÷
//!   `complaints_max`);
//! - **satisfaction** (with `satisfaction_column`, e.g. NPS 0–10): the value's position in
//!   `satisfaction_range`, 0 at its low end and 100 at its high end (clamped).
//!
//! `health_score` = Σ weight × points ÷ Σ weight over the components a customer has (a
//! blank export cell leaves that component out for that customer), rounded to 0.1. Grades
//! by the score shown: healthy from `grades[0]`, watch from `grades[1]`, at risk from
//! `grades[2]`, critical below. `weakest` is the weighted component with the fewest points
//! (ties: the first in the order above; none when every component has 100). `churn_warning`: overdue (r ≥ `overdue_ratio`) or
//! graded at risk or critical. Customers without a purchase are `no_purchase`.

use super::columns::{ColumnType, OutputColumn, tier_columns, typed};
use polars::prelude::*;
use serde::Deserialize;

use super::profit::{EXPORT_NUMBER_SCALE, export_number};
use super::segments::NO_PURCHASE;
use super::{
    ExportNumber, ScoreContext, Scored, Scorer, ScorerSettings, TIER_GROUP, fill_no_purchase,
    require_export_column,
};
use crate::error::TieringError;
use crate::lang::Lang;
use crate::metrics::{WindowKind, WindowMetric, revenue_trend_windows, trend_windows};

/// `[health]`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HealthSettings {
    /// Length of the recent and the previous period of the trends.
    #[serde(deserialize_with = "crate::config_numbers::period_days")]
    pub period_days: u32,
    /// Recency at this multiple of the median gap: no activity points, and overdue.
    #[serde(deserialize_with = "crate::config_numbers::gap_ratio")]
    pub overdue_ratio: f64,
    /// Return rate that leaves no return points.
    #[serde(deserialize_with = "crate::config_numbers::fraction")]
    pub return_limit: f64,
    /// A customer-export column counting complaints or tickets.
    pub complaints_column: Option<String>,
    /// Complaints per purchase that leave no complaint points.
    #[serde(deserialize_with = "crate::config_numbers::gap_ratio")]
    pub complaints_max: f64,
    /// A customer-export column with a satisfaction score (NPS, CSAT).
    pub satisfaction_column: Option<String>,
    /// The satisfaction scale: its worst and its best value.
    pub satisfaction_range: [f64; 2],
    /// Lowest scores of healthy, watch and at risk (critical below the last).
    pub grades: [f64; 3],
    /// Component weights; they sum to 1.
    pub weights: HealthWeights,
}

/// `[health.weights]`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HealthWeights {
    /// Days since the last purchase against the median gap.
    #[serde(deserialize_with = "crate::config_numbers::weight")]
    pub activity: f64,
    /// Purchases in the recent period against the one before.
    #[serde(deserialize_with = "crate::config_numbers::weight")]
    pub frequency: f64,
    /// Net revenue in the recent period against the one before.
    #[serde(deserialize_with = "crate::config_numbers::weight")]
    pub spend: f64,
    /// The return rate.
    #[serde(deserialize_with = "crate::config_numbers::weight")]
    pub returns: f64,
    /// Complaints per purchase (needs `complaints_column`).
    #[serde(deserialize_with = "crate::config_numbers::weight")]
    pub complaints: f64,
    /// The satisfaction score (needs `satisfaction_column`).
    #[serde(deserialize_with = "crate::config_numbers::weight")]
    pub satisfaction: f64,
}

impl Default for HealthSettings {
    fn default() -> Self {
        HealthSettings {
            period_days: 180,
            overdue_ratio: 2.0,
            return_limit: 0.3,
            complaints_column: None,
            complaints_max: 0.5,
            satisfaction_column: None,
            satisfaction_range: [0.0, 10.0],
            grades: [75.0, 50.0, 25.0],
            weights: HealthWeights::default(),
        }
    }
}

impl Default for HealthWeights {
    fn default() -> Self {
        HealthWeights {
            activity: 0.4,
            frequency: 0.2,
            spend: 0.2,
            returns: 0.2,
            complaints: 0.0,
            satisfaction: 0.0,
        }
    }
}

impl HealthSettings {
    /// `[health]` as the config gives it (`file`), else the defaults, validated.
    pub fn resolve(file: Option<&HealthSettings>) -> Result<HealthSettings, TieringError> {
        let settings = file.cloned().unwrap_or_default();
        settings.validate()?;
        Ok(settings)
    }

    /// Weights summing to 1, a weight for every service column given (and a column for
    /// every service weight), grades falling within 0–100, a usable scale.
    pub fn validate(&self) -> Result<(), TieringError> {
        let bad =
            |message: String, hint: &str| Err(TieringError::config(message, Some(hint.into())));
        let sum: f64 = self.components().iter().map(|c| c.weight).sum();
        if (sum - 1.0).abs() > 1e-9 {
            return bad(
                format!(
                    "[health.weights] sum to {}, not 1",
                    (sum * 1e9).round() / 1e9
                ),
                "give activity, frequency, spend, returns, complaints and satisfaction weights that sum to 1",
            );
        }
        // Every purchaser has the order components; the service ones may be blank, and a
        // score over no component at all would be no number.
        let w = &self.weights;
        if w.activity + w.frequency + w.spend + w.returns <= 0.0 {
            return bad(
                "[health.weights] give activity, frequency, spend or returns a weight".into(),
                "a customer with blank service cells would have no score at all",
            );
        }
        for (name, column, weight) in [
            (
                "complaints",
                &self.complaints_column,
                self.weights.complaints,
            ),
            (
                "satisfaction",
                &self.satisfaction_column,
                self.weights.satisfaction,
            ),
        ] {
            match (column, weight > 0.0) {
                (Some(_), false) => {
                    return bad(
                        format!("[health] {name}_column is set but [health.weights] {name} is 0"),
                        "give it a weight (and lower the others so they still sum to 1)",
                    );
                }
                (None, true) => {
                    return bad(
                        format!(
                            "[health.weights] {name} is weighted but [health] {name}_column is not set"
                        ),
                        "name the customer-export column, or set the weight to 0",
                    );
                }
                _ => {}
            }
        }
        if self.overdue_ratio <= 1.0 {
            return bad(
                format!(
                    "[health] overdue_ratio {} must be above 1",
                    self.overdue_ratio
                ),
                "activity points fall from 100 at the usual gap to 0 at this multiple of it, e.g. 2",
            );
        }
        if self.return_limit <= 0.0 || self.complaints_max <= 0.0 {
            return bad(
                "[health] return_limit and complaints_max must be above 0".into(),
                "they are the rates that leave no points, e.g. 0.3 and 0.5",
            );
        }
        let [low, high] = self.satisfaction_range;
        if !(low.is_finite() && high.is_finite() && low < high) {
            return bad(
                format!("[health] satisfaction_range [{low}, {high}] must rise"),
                "give the worst and the best value of the scale, e.g. [0, 10]",
            );
        }
        let [healthy, watch, at_risk] = self.grades;
        let ordered = (0.0..=100.0).contains(&at_risk)
            && at_risk < watch
            && watch < healthy
            && healthy <= 100.0;
        if !ordered {
            return bad(
                format!("[health] grades [{healthy}, {watch}, {at_risk}] must fall within 0–100"),
                "the lowest scores of healthy, watch and at risk, e.g. [75, 50, 25]",
            );
        }
        Ok(())
    }

    /// The components in order, with their weights.
    fn components(&self) -> Vec<Component> {
        let w = &self.weights;
        vec![
            Component::new("activity", w.activity),
            Component::new("frequency", w.frequency),
            Component::new("spend", w.spend),
            Component::new("returns", w.returns),
            Component::new("complaints", w.complaints),
            Component::new("satisfaction", w.satisfaction),
        ]
    }

    /// The components that count (a weight above 0).
    fn weighted(&self) -> Vec<Component> {
        self.components()
            .into_iter()
            .filter(|c| c.weight > 0.0)
            .collect()
    }
}

struct Component {
    name: &'static str,
    weight: f64,
}

impl Component {
    fn new(name: &'static str, weight: f64) -> Self {
        Component { name, weight }
    }

    fn points_column(&self) -> String {
        format!("{}_points", self.name)
    }
}

/// Grade ids, best first (they are also the playbook keys).
pub const GRADES: [&str; 4] = [
    "health_healthy",
    "health_watch",
    "health_at_risk",
    "health_critical",
];

/// The account-health scorer.
pub struct HealthScorer;

impl Scorer for HealthScorer {
    fn name(&self) -> &'static str {
        "health"
    }

    fn windows(&self, ctx: &ScoreContext) -> anyhow::Result<Vec<WindowMetric>> {
        let period = ctx.health.period_days;
        let mut windows = revenue_trend_windows(ctx.as_of, period);
        windows.extend(trend_windows(
            ctx.as_of,
            period,
            WindowKind::Orders,
            "orders",
        ));
        Ok(windows)
    }

    fn needs_median_gap(&self) -> bool {
        true
    }

    fn describe(&self, ctx: &ScorerSettings) -> String {
        let h = &ctx.health;
        let weights = h
            .weighted()
            .iter()
            .map(|c| format!("{} {}%", c.name, c.weight * 100.0))
            .collect::<Vec<_>>()
            .join(", ");
        let [healthy, watch, at_risk] = h.grades;
        match ctx.lang {
            Lang::En => format!(
                "{weights}; healthy ≥ {healthy}, watch ≥ {watch}, at risk ≥ {at_risk}; periods of {}d, overdue at {}× median gap",
                h.period_days, h.overdue_ratio
            ),
            Lang::Zh => format!(
                "{weights}；健康 ≥ {healthy}，关注 ≥ {watch}，风险 ≥ {at_risk}；比较周期 {} 天，超过中位间隔 {} 倍为逾期",
                h.period_days, h.overdue_ratio
            ),
        }
    }

    fn columns(&self, ctx: &ScorerSettings) -> Vec<OutputColumn> {
        use ColumnType::{Bool, Float, Integer, Money, Text};
        let mut columns = typed(&[
            ("median_gap_days", Float),
            ("overdue_ratio", Float),
            ("orders_recent", Integer),
            ("orders_previous", Integer),
            ("revenue_recent", Money),
            ("revenue_previous", Money),
        ]);
        columns.extend(
            ctx.health
                .weighted()
                .iter()
                .map(|c| OutputColumn::new(c.points_column(), Float)),
        );
        columns.extend(typed(&[
            ("health_score", Float),
            ("weakest", Text),
            ("churn_warning", Bool),
        ]));
        columns.extend(tier_columns());
        columns
    }

    fn signature_column(&self) -> &'static str {
        "health_score"
    }

    fn sql_refusal(&self) -> Option<&'static str> {
        Some(
            "its points and weights are floating-point arithmetic that SQL engines round differently",
        )
    }

    fn export_numbers(&self, ctx: &ScorerSettings) -> Vec<ExportNumber> {
        let h = &ctx.health;
        let mut numbers = Vec::new();
        if let Some(column) = &h.complaints_column {
            numbers.push(ExportNumber {
                column: column.clone(),
                negative_allowed: false,
            });
        }
        if let Some(column) = &h.satisfaction_column {
            numbers.push(ExportNumber {
                column: column.clone(),
                negative_allowed: true,
            });
        }
        numbers
    }

    fn score(&self, customers: LazyFrame, ctx: &ScoreContext) -> anyhow::Result<Scored> {
        let h = &ctx.health;
        h.validate()?;
        for (key, column) in [
            ("[health] complaints_column", &h.complaints_column),
            ("[health] satisfaction_column", &h.satisfaction_column),
        ] {
            if let Some(column) = column {
                require_export_column(ctx, key, column)?;
            }
        }
        let purchaser = col("orders").gt(lit(0i64));
        let float = |c: &str| col(c).cast(DataType::Float64);
        let gap = float("median_gap_days").fill_null(lit(f64::from(h.period_days)));
        let ratio = float("recency_days") / gap;
        let mut points = vec![
            (lit(h.overdue_ratio) - col("__ratio")) / lit(h.overdue_ratio - 1.0),
            trend(float("orders_recent"), float("orders_previous")),
            trend(float("revenue_recent"), float("revenue_previous")),
            lit(1.0) - return_rate() / lit(h.return_limit),
        ];
        let schema = customers.clone().collect_schema()?;
        let number = |column: &str| {
            export_number(column, &schema).cast(DataType::Float64) / lit(EXPORT_NUMBER_SCALE as f64)
        };
        points.push(match &h.complaints_column {
            Some(column) => lit(1.0) - number(column) / float("orders") / lit(h.complaints_max),
            None => lit(NULL).cast(DataType::Float64),
        });
        let [low, high] = h.satisfaction_range;
        points.push(match &h.satisfaction_column {
            Some(column) => (number(column) - lit(low)) / lit(high - low),
            None => lit(NULL).cast(DataType::Float64),
        });
        let components = h.components();
        let point_columns: Vec<Expr> = components
            .iter()
            .zip(points)
            .filter(|(c, _)| c.weight > 0.0)
            .map(|(c, share)| {
                (clamp_unit(share) * lit(100.0))
                    .round(1, RoundMode::HalfToEven)
                    .alias(c.points_column())
            })
            .collect();
        let weighted = h.weighted();
        let present = |c: &Component| col(c.points_column()).is_not_null();
        let numerator = weighted
            .iter()
            .map(|c| (col(c.points_column()) * lit(c.weight)).fill_null(lit(0.0)))
            .reduce(|a, b| a + b)
            .expect("weights sum to 1");
        let denominator = weighted
            .iter()
            .map(|c| when(present(c)).then(lit(c.weight)).otherwise(lit(0.0)))
            .reduce(|a, b| a + b)
            .expect("weights sum to 1");
        let lowest = polars::lazy::dsl::min_horizontal(
            weighted
                .iter()
                .map(|c| col(c.points_column()))
                .collect::<Vec<_>>(),
        )?;
        // Nothing is weak when every component is at full points.
        let mut weakest = lit(NULL).cast(DataType::String);
        for c in weighted.iter().rev() {
            weakest = when(
                col(c.points_column())
                    .eq(col("__lowest"))
                    .and(col("__lowest").lt(lit(100.0))),
            )
            .then(lit(c.name))
            .otherwise(weakest);
        }
        let [healthy, watch, at_risk] = h.grades;
        let grade = when(col("health_score").gt_eq(lit(healthy)))
            .then(lit(GRADES[0]))
            .when(col("health_score").gt_eq(lit(watch)))
            .then(lit(GRADES[1]))
            .when(col("health_score").gt_eq(lit(at_risk)))
            .then(lit(GRADES[2]))
            .otherwise(lit(GRADES[3]));
        let only_purchasers = |c: &str, dtype: DataType| {
            when(purchaser.clone())
                .then(col(c))
                .otherwise(lit(NULL).cast(dtype))
                .alias(c)
        };
        let mut blanks: Vec<Expr> = weighted
            .iter()
            .map(|c| only_purchasers(&c.points_column(), DataType::Float64))
            .collect();
        blanks.extend([
            only_purchasers("median_gap_days", DataType::Float64),
            only_purchasers("overdue_ratio", DataType::Float64),
            only_purchasers("health_score", DataType::Float64),
            only_purchasers("weakest", DataType::String),
            only_purchasers("churn_warning", DataType::Boolean),
        ]);
        let scored = customers
            .with_column(ratio.alias("__ratio"))
            .with_columns(point_columns)
            .with_columns([
                (numerator / denominator)
                    .round(1, RoundMode::HalfToEven)
                    .alias("health_score"),
                lowest.alias("__lowest"),
                col("__ratio")
                    .round(2, RoundMode::HalfToEven)
                    .alias("overdue_ratio"),
            ])
            .with_columns([grade.alias("tier_id"), weakest.alias("weakest")])
            .with_column(
                col("__ratio")
                    .gt_eq(lit(h.overdue_ratio))
                    .or(col("tier_id").eq(lit(GRADES[2])))
                    .or(col("tier_id").eq(lit(GRADES[3])))
                    .alias("churn_warning"),
            )
            .with_columns(super::playbook_texts(
                ctx,
                "tier_id",
                &GRADES,
                str::to_string,
            ))
            .with_columns(blanks)
            .drop(by_name(["__ratio", "__lowest"], true, false));
        Ok(Scored::from(fill_no_purchase(scored, TIER_GROUP, ctx)))
    }

    fn thresholds(&self, scored: LazyFrame, ctx: &ScoreContext) -> LazyFrame {
        super::per_tier(
            scored,
            self.group_order(ctx),
            vec![
                col("health_score").min().alias("lowest_score"),
                col("health_score").max().alias("highest_score"),
                col("churn_warning")
                    .sum()
                    .cast(DataType::Int64)
                    .alias("churn_warnings"),
                col("revenue").sum().alias("revenue"),
            ],
        )
    }

    fn threshold_money_columns(&self) -> Vec<&'static str> {
        vec!["revenue"]
    }

    fn group_order(&self, _ctx: &ScoreContext) -> Vec<String> {
        GRADES
            .iter()
            .map(|g| g.to_string())
            .chain(std::iter::once(NO_PURCHASE.to_string()))
            .collect()
    }

    /// Purchasers by grade and weakest component: what to act on, grade by grade.
    fn report_grids(
        &self,
        customers: &DataFrame,
        ctx: &ScoreContext,
    ) -> anyhow::Result<Vec<super::ReportGrid>> {
        let grades: Vec<String> = GRADES.iter().map(|g| g.to_string()).collect();
        let components: Vec<String> = ctx
            .health
            .weighted()
            .iter()
            .map(|c| c.name.to_string())
            .collect();
        let counts = super::count_by(customers, ("tier_id", &grades), ("weakest", &components))?;
        let zh = ctx.lang == Lang::Zh;
        Ok(vec![super::ReportGrid {
            title: if zh {
                "健康等级与最弱项（客户数）"
            } else {
                "Health grades by weakest component (customers)"
            }
            .into(),
            row_axis: if zh { "等级" } else { "grade" }.into(),
            column_axis: if zh { "最弱项" } else { "weakest" }.into(),
            grid: crate::report::charts::CountGrid {
                columns: components,
                rows: GRADES
                    .iter()
                    .map(|g| ctx.playbook.name(g, ctx.lang))
                    .collect(),
                counts,
                labels: Vec::new(),
            },
        }])
    }

    fn group_title(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => "Health",
            Lang::Zh => "健康度",
        }
    }

    fn warnings(&self, customers: &DataFrame, ctx: &ScoreContext) -> PolarsResult<Vec<String>> {
        let mut warnings = Vec::new();
        if let Some(column) = &ctx.health.satisfaction_column {
            let [low, high] = ctx.health.satisfaction_range;
            let schema = customers.schema().clone();
            let value = export_number(column, &schema).cast(DataType::Float64)
                / lit(EXPORT_NUMBER_SCALE as f64);
            let outside = customers
                .clone()
                .lazy()
                .filter(value.clone().lt(lit(low)).or(value.gt(lit(high))))
                .collect()?
                .height();
            if outside > 0 {
                warnings.push(format!(
                    "{} outside satisfaction_range [{low}, {high}] in `{column}`: counted as the range's end; is the range right?",
                    crate::plural::count(outside as u64, "value is", "values are")
                ));
            }
        }
        let critical = customers
            .clone()
            .lazy()
            .filter(col("tier_id").eq(lit(GRADES[3])))
            .collect()?
            .height();
        if critical > 0 {
            warnings.push(format!(
                "{} critical (score below {}): `weakest` names what to act on",
                crate::plural::count(critical as u64, "account is", "accounts are"),
                ctx.health.grades[2]
            ));
        }
        Ok(warnings)
    }
}

/// 1 when `recent` keeps up with `previous` (or only the recent period has any), the
/// share kept when it falls, 0 when neither period has any.
fn trend(recent: Expr, previous: Expr) -> Expr {
    when(previous.clone().gt(lit(0.0)))
        .then(recent.clone() / previous)
        .when(recent.gt(lit(0.0)))
        .then(lit(1.0))
        .otherwise(lit(0.0))
}

/// returns ÷ (net revenue + returns); 1 when something was returned and nothing kept.
fn return_rate() -> Expr {
    let returns = col("returns").cast(DataType::Float64);
    let gross = col("revenue").cast(DataType::Float64) + returns.clone();
    when(gross.clone().gt(lit(0.0)))
        .then(returns.clone() / gross)
        .when(returns.gt(lit(0.0)))
        .then(lit(1.0))
        .otherwise(lit(0.0))
}

/// Clamped to 0–1 (null stays null).
fn clamp_unit(share: Expr) -> Expr {
    when(share.clone().lt(lit(0.0)))
        .then(lit(0.0))
        .when(share.clone().gt(lit(1.0)))
        .then(lit(1.0))
        .otherwise(share)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_validate_and_sum_to_one() {
        HealthSettings::default().validate().unwrap();
    }

    #[test]
    fn a_service_weight_needs_its_column_and_the_reverse() {
        let mut settings = HealthSettings::default();
        settings.weights.activity = 0.3;
        settings.weights.complaints = 0.1;
        let message = settings.validate().unwrap_err().to_string();
        assert!(message.contains("complaints is weighted"), "{message}");
        settings.complaints_column = Some("tickets".into());
        settings.validate().unwrap();
        settings.weights.complaints = 0.0;
        settings.weights.activity = 0.4;
        let message = settings.validate().unwrap_err().to_string();
        assert!(message.contains("complaints_column is set"), "{message}");
    }

    #[test]
    fn service_signals_alone_are_refused() {
        let settings = HealthSettings {
            complaints_column: Some("tickets".into()),
            satisfaction_column: Some("nps".into()),
            weights: HealthWeights {
                activity: 0.0,
                frequency: 0.0,
                spend: 0.0,
                returns: 0.0,
                complaints: 0.5,
                satisfaction: 0.5,
            },
            ..HealthSettings::default()
        };
        let message = settings.validate().unwrap_err().to_string();
        assert!(message.contains("give activity, frequency, spend or returns a weight"));
    }

    #[test]
    fn grades_must_fall() {
        let settings = HealthSettings {
            grades: [50.0, 75.0, 25.0],
            ..HealthSettings::default()
        };
        assert!(settings.validate().is_err());
    }
}
