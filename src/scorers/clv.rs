//! `clv`: customer lifetime value from the BG/NBD and Gamma-Gamma models (see
//! [`crate::clv`]). Per customer: repeat frequency, recency and age in the model's time
//! unit, P(alive), expected purchases and spend over the horizon, and the discounted CLV.
//! Tiers cut the purchasers by CLV, best first: by default the top 20 % (`clv_high`), the
//! next 30 % (`clv_medium`) and the rest (`clv_low`); equal CLVs share the tier of the
//! first of them. `churn_warning` flags P(alive) below the threshold.

use super::columns::{ColumnType, OutputColumn, tier_columns, typed};

use polars::prelude::*;
use rayon::prelude::*;
use serde::Deserialize;

use super::tier_text::tier_columns_taken;
use super::{
    FittedModel, ScoreContext, Scored, Scorer, ScorerSettings, TIER_GROUP, fill_no_purchase,
};
use std::collections::HashMap;

use crate::clv::bgnbd::BgNbd;
use crate::clv::frame::{Purchaser, fit_purchases, fit_spend, purchasers};
use crate::clv::gamma_gamma::GammaGamma;
use crate::clv::report::{FitReport, fit_notes};
use crate::clv::value::{Horizon, parse_horizon};
use crate::clv::{Summary, TimeUnit};
use crate::customer_order::sorted_by_id;
use crate::error::TieringError;
use crate::input::lines::col_names::CUSTOMER_ID;
use crate::lang::Lang;

/// Tier ids, best first (they are also the playbook keys).
pub const TIERS: [&str; 3] = ["clv_high", "clv_medium", "clv_low"];

/// `[clv]` settings.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ClvSettings {
    /// Time unit of the model.
    pub time_unit: TimeUnit,
    /// Projection horizon: `90d`, `13w`, `1y`.
    pub horizon: String,
    /// Annual discount rate.
    #[serde(deserialize_with = "crate::config_numbers::rate")]
    pub discount_rate: f64,
    /// Cumulative shares of purchasers, in percent, closing the high and medium tiers.
    pub cuts: Vec<f64>,
    /// P(alive) below this raises `churn_warning`.
    #[serde(deserialize_with = "crate::config_numbers::fraction")]
    pub churn_threshold: f64,
    /// Use these BG/NBD parameters instead of fitting (in `time_unit`).
    pub bgnbd: Option<BgNbd>,
    /// Use these Gamma-Gamma parameters instead of fitting.
    pub gamma_gamma: Option<GammaGamma>,
}

impl Default for ClvSettings {
    fn default() -> Self {
        ClvSettings {
            time_unit: TimeUnit::Weeks,
            horizon: "90d".into(),
            discount_rate: 0.10,
            cuts: vec![20.0, 50.0],
            churn_threshold: 0.5,
            bgnbd: None,
            gamma_gamma: None,
        }
    }
}

impl ClvSettings {
    /// `[clv]` (`file`) with the command-line options on top, validated.
    pub fn resolve(
        args: &crate::cli::ClvArgs,
        file: Option<&ClvSettings>,
    ) -> Result<ClvSettings, TieringError> {
        let mut settings = file.cloned().unwrap_or_default();
        if let Some(unit) = args.time_unit {
            settings.time_unit = unit;
        }
        if let Some(horizon) = &args.horizon {
            parse_horizon(horizon).map_err(|e| {
                TieringError::usage(format!("--horizon: {e}"), Some("e.g. --horizon 90d".into()))
            })?;
            settings.horizon = horizon.clone();
        }
        if let Some(rate) = args.discount_rate {
            settings.discount_rate = rate;
        }
        if let Some(threshold) = args.churn_threshold {
            settings.churn_threshold = threshold;
        }
        settings.validate()?;
        Ok(settings)
    }

    /// Check values a serde type cannot.
    pub fn validate(&self) -> Result<(), TieringError> {
        let bad = |what: String, hint: &str| Err(TieringError::config(what, Some(hint.into())));
        if let Err(e) = parse_horizon(&self.horizon) {
            return bad(format!("[clv] horizon: {e}"), "e.g. horizon = \"90d\"");
        }
        if !(0.0..=10.0).contains(&self.discount_rate) {
            return bad(
                format!(
                    "[clv] discount_rate = {} is out of range",
                    self.discount_rate
                ),
                "an annual rate such as 0.1 for 10 %",
            );
        }
        if self.cuts.len() != 2
            || !(0.0 < self.cuts[0] && self.cuts[0] < self.cuts[1] && self.cuts[1] < 100.0)
        {
            return bad(
                format!(
                    "[clv] cuts = {:?} must be two increasing percentages below 100",
                    self.cuts
                ),
                "e.g. cuts = [20, 50]: top 20 % high, next 30 % medium, the rest low",
            );
        }
        if !(0.0..=1.0).contains(&self.churn_threshold) {
            return bad(
                format!(
                    "[clv] churn_threshold = {} is not a probability",
                    self.churn_threshold
                ),
                "e.g. churn_threshold = 0.5",
            );
        }
        let positive = |values: &[f64]| values.iter().all(|v| v.is_finite() && *v > 0.0);
        if self
            .bgnbd
            .is_some_and(|m| !positive(&[m.r, m.alpha, m.a, m.b]))
            || self
                .gamma_gamma
                .is_some_and(|m| !positive(&[m.p, m.q, m.gamma]))
        {
            return bad(
                "[clv] fixed model parameters must all be positive".into(),
                "e.g. bgnbd = { r = 0.243, alpha = 4.414, a = 0.793, b = 2.426 }",
            );
        }
        Ok(())
    }

    /// The horizon in force.
    pub fn horizon(&self) -> Horizon {
        Horizon {
            days: parse_horizon(&self.horizon).unwrap_or(90),
            discount_rate: self.discount_rate,
            unit: self.time_unit,
        }
    }
}

/// The CLV scorer.
#[derive(Default)]
pub struct ClvScorer;

impl Scorer for ClvScorer {
    fn name(&self) -> &'static str {
        "clv"
    }

    fn fits_a_model(&self) -> bool {
        true
    }

    fn needs_purchase_days(&self, _settings: &ScorerSettings) -> bool {
        true
    }

    fn describe(&self, ctx: &ScorerSettings) -> String {
        let c = &ctx.clv;
        match ctx.lang {
            Lang::En => format!(
                "BG/NBD + Gamma-Gamma in {}, horizon {}, discount {}%/year",
                c.time_unit.name(),
                c.horizon,
                c.discount_rate * 100.0
            ),
            Lang::Zh => format!(
                "BG/NBD + Gamma-Gamma（时间单位 {}），预测期 {}，年折现率 {}%",
                c.time_unit.name(),
                c.horizon,
                c.discount_rate * 100.0
            ),
        }
    }

    fn columns(&self, _settings: &ScorerSettings) -> Vec<OutputColumn> {
        use ColumnType::{Bool, Float, Integer, Money};
        let mut columns = typed(&[
            ("frequency", Integer),
            ("recency_t", Float),
            ("age_t", Float),
            ("monetary_value", Money),
            ("p_alive", Float),
            ("expected_purchases", Float),
            ("expected_spend", Money),
            ("clv", Money),
            ("churn_warning", Bool),
        ]);
        columns.extend(tier_columns());
        columns
    }

    fn score(&self, customers: LazyFrame, ctx: &ScoreContext) -> anyhow::Result<Scored> {
        // Sorted, so that every sum over customers runs in the same order on every run
        // (group-by output order is not fixed, and floating-point addition is not
        // associative).
        let frame = sorted_by_id(customers.collect()?, CUSTOMER_ID)?;
        let settings = &ctx.clv;
        let rows = purchasers(&frame, settings.time_unit, ctx.decimals)?;
        let known: Vec<Purchaser> = rows.iter().flatten().copied().collect();
        let summaries: Vec<_> = known.iter().map(|p| p.summary).collect();
        let (purchases, bgnbd_fit) = fit_purchases(&summaries, settings.bgnbd)?;
        let (spend, gamma_gamma_fit) = fit_spend(&known, settings.gamma_gamma)?;
        let horizon = settings.horizon();
        let scale = 10f64.powi(ctx.decimals as i32);
        let predictions = predict_all(&rows, &purchases, &spend, &horizon)?;
        let mut columns = ModelColumns::with_capacity(rows.len());
        for (row, prediction) in rows.iter().zip(&predictions) {
            columns.push(row.as_ref().zip(prediction.as_ref()), scale);
        }
        let tiers = tiers_by_value(&columns.clv, &settings.cuts);
        let report = FitReport {
            time_unit: settings.time_unit.name(),
            horizon_days: horizon.days,
            discount_rate: horizon.discount_rate,
            bgnbd: purchases,
            bgnbd_fit,
            gamma_gamma: spend,
            gamma_gamma_fit,
        };
        let churn: Vec<Option<bool>> = columns
            .p_alive
            .iter()
            .map(|p| p.map(|p| p < settings.churn_threshold))
            .collect();
        let tier_columns = tier_columns_taken(&tiers, &TIERS, &str::to_string, TIER_GROUP, ctx)?;
        let mut frame = frame;
        frame.hstack_mut(&[
            Column::new("frequency".into(), columns.frequency),
            Column::new("recency_t".into(), columns.recency),
            Column::new("age_t".into(), columns.age),
            Column::new("monetary_value".into(), columns.monetary),
            Column::new("p_alive".into(), columns.p_alive),
            Column::new("expected_purchases".into(), columns.purchases),
            Column::new("expected_spend".into(), columns.spend),
            Column::new("clv".into(), columns.clv),
            Column::new("churn_warning".into(), churn),
        ])?;
        frame.hstack_mut(&tier_columns)?;
        Ok(Scored {
            frame: fill_no_purchase(frame.lazy(), TIER_GROUP, ctx),
            notes: fit_notes(&report),
            fit: Some(FittedModel {
                report: serde_json::to_value(&report)?,
            }),
            warnings: Vec::new(),
        })
    }

    fn thresholds(&self, scored: LazyFrame, ctx: &ScoreContext) -> LazyFrame {
        super::per_tier(
            scored,
            self.group_order(ctx),
            vec![
                col("clv").min().alias("clv_min"),
                col("clv").max().alias("clv_max"),
                col("clv").sum().alias("clv_total"),
                col("p_alive").mean().alias("mean_p_alive"),
                col("expected_purchases").sum().alias("expected_purchases"),
                col("churn_warning")
                    .sum()
                    .cast(DataType::Int64)
                    .alias("churn_warnings"),
            ],
        )
    }

    fn threshold_money_columns(&self) -> Vec<&'static str> {
        vec!["clv_min", "clv_max", "clv_total"]
    }

    fn group_order(&self, _ctx: &ScoreContext) -> Vec<String> {
        TIERS
            .iter()
            .map(|t| t.to_string())
            .chain(std::iter::once(super::segments::NO_PURCHASE.to_string()))
            .collect()
    }

    fn own_options(&self) -> &'static [&'static str] {
        &[
            "--time-unit",
            "--horizon",
            "--discount-rate",
            "--churn-threshold",
        ]
    }

    fn sql_refusal(&self) -> Option<&'static str> {
        Some(
            "its BG/NBD and Gamma-Gamma models are fitted by numerical optimisation, not by a query",
        )
    }

    fn signature_column(&self) -> &'static str {
        "p_alive"
    }

    fn group_title(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => "CLV tier",
            Lang::Zh => "客户价值层级",
        }
    }
}

/// Expected spend over the `[clv]` horizon, undiscounted (BG/NBD expected purchases ×
/// Gamma-Gamma expected spend per purchase), in minor units, for each row of `frame`
/// (sorted by customer_id; `purchase_days` and `repeat_spend` among its columns); `None`
/// for customers without a purchase. An error when the models cannot be fitted.
pub(super) fn expected_spend_over_horizon(
    frame: &DataFrame,
    ctx: &ScoreContext,
) -> anyhow::Result<Vec<Option<i64>>> {
    let settings = &ctx.clv;
    let rows = purchasers(frame, settings.time_unit, ctx.decimals)?;
    let known: Vec<Purchaser> = rows.iter().flatten().copied().collect();
    let summaries: Vec<_> = known.iter().map(|p| p.summary).collect();
    let (purchases, _) = fit_purchases(&summaries, settings.bgnbd)?;
    let (spend, _) = fit_spend(&known, settings.gamma_gamma)?;
    let horizon = settings.horizon();
    let scale = 10f64.powi(ctx.decimals as i32);
    let predictions = predict_all(&rows, &purchases, &spend, &horizon)?;
    Ok(predictions
        .iter()
        .map(|p| p.as_ref().map(|p| to_minor(p.spend * p.purchases, scale)))
        .collect())
}

/// Per-customer model outputs, nulls for customers without a purchase.
struct ModelColumns {
    frequency: Vec<Option<i64>>,
    recency: Vec<Option<f64>>,
    age: Vec<Option<f64>>,
    monetary: Vec<Option<i64>>,
    p_alive: Vec<Option<f64>>,
    purchases: Vec<Option<f64>>,
    spend: Vec<Option<i64>>,
    clv: Vec<Option<i64>>,
}

impl ModelColumns {
    fn with_capacity(n: usize) -> Self {
        ModelColumns {
            frequency: Vec::with_capacity(n),
            recency: Vec::with_capacity(n),
            age: Vec::with_capacity(n),
            monetary: Vec::with_capacity(n),
            p_alive: Vec::with_capacity(n),
            purchases: Vec::with_capacity(n),
            spend: Vec::with_capacity(n),
            clv: Vec::with_capacity(n),
        }
    }

    fn push(&mut self, row: Option<(&Purchaser, &Prediction)>, scale: f64) {
        let Some((p, prediction)) = row else {
            self.frequency.push(None);
            self.recency.push(None);
            self.age.push(None);
            self.monetary.push(None);
            self.p_alive.push(None);
            self.purchases.push(None);
            self.spend.push(None);
            self.clv.push(None);
            return;
        };
        let s = &p.summary;
        self.frequency.push(Some(s.x as i64));
        self.recency.push(Some(s.t_x));
        self.age.push(Some(s.age));
        self.monetary.push(p.mean_repeat_spend_minor);
        self.p_alive.push(Some(prediction.p_alive));
        self.purchases.push(Some(prediction.purchases));
        self.spend.push(Some(to_minor(prediction.spend, scale)));
        self.clv.push(Some(to_minor(
            prediction.spend * prediction.discounted_purchases,
            scale,
        )));
    }
}

/// The models' answers for one purchaser.
struct Prediction {
    p_alive: f64,
    purchases: f64,
    discounted_purchases: f64,
    spend: f64,
}

/// The models' answers for every row (`None` for customers without a purchase), or the
/// failure of the first customer, in row order, whose forecast diverges.
///
/// The purchase forecasts depend on a customer's `(x, t_x, T)` alone, and customers share
/// them (at a million customers, a third as many distinct ones): each is computed once,
/// on all cores. The distinct summaries are kept in order of their first customer, so
/// the first failure among them is the first customer's.
fn predict_all(
    rows: &[Option<Purchaser>],
    purchases: &BgNbd,
    spend: &GammaGamma,
    horizon: &Horizon,
) -> Result<Vec<Option<Prediction>>, TieringError> {
    let mut code_of: HashMap<[u64; 3], u32> = HashMap::new();
    let mut distinct: Vec<Summary> = Vec::new();
    let codes: Vec<Option<u32>> = rows
        .iter()
        .map(|row| {
            row.as_ref().map(|p| {
                let s = p.summary;
                let next = distinct.len() as u32;
                *code_of
                    .entry([s.x, s.t_x, s.age].map(f64::to_bits))
                    .or_insert_with(|| {
                        distinct.push(s);
                        next
                    })
            })
        })
        .collect();
    drop(code_of);
    let forecasts: Vec<Result<Forecast, TieringError>> = distinct
        .par_iter()
        .map(|s| forecast(s, purchases, horizon))
        .collect();
    // rayon's own collect into a `Result` keeps whichever thread failed first, and the
    // message named a different customer from one run to the next.
    let forecasts: Vec<Forecast> = forecasts.into_iter().collect::<Result<_, _>>()?;
    Ok(rows
        .iter()
        .zip(codes)
        .map(|(row, code)| {
            let (p, code) = (row.as_ref()?, code?);
            let forecast = &forecasts[code as usize];
            Some(Prediction {
                p_alive: forecast.p_alive,
                purchases: forecast.purchases,
                discounted_purchases: forecast.discounted_purchases,
                spend: spend
                    .expected_spend(p.summary.x, p.mean_repeat_spend)
                    .unwrap_or(0.0),
            })
        })
        .collect())
}

/// What BG/NBD says of one `(x, t_x, T)`.
struct Forecast {
    p_alive: f64,
    purchases: f64,
    discounted_purchases: f64,
}

fn forecast(s: &Summary, purchases: &BgNbd, horizon: &Horizon) -> Result<Forecast, TieringError> {
    let diverged = || {
        TieringError::NoData {
        message: format!(
            "expected purchases could not be computed for a customer with {} repeat purchases over {:.1} {}: the fitted BG/NBD model (r = {:.4}, alpha = {:.4}, a = {:.4e}, b = {:.4e}) gives no finite forecast",
            s.x,
            s.age,
            horizon.unit.name(),
            purchases.r,
            purchases.alpha,
            purchases.a,
            purchases.b,
        ),
        hint: Some(
            "very large a and b mean the history does not show customers dropping out, and the model degenerates (lifetimes stops on such data too); a shorter --horizon can help, otherwise rank with --scorer rfm or value with [value] potential = \"trend\"".into(),
        ),
    }
    };
    Ok(Forecast {
        p_alive: purchases.p_alive(s),
        purchases: horizon.purchases(purchases, s).ok_or_else(diverged)?,
        discounted_purchases: horizon
            .discounted_purchases(purchases, s)
            .ok_or_else(diverged)?,
    })
}

/// Currency units to minor units, half away from zero.
fn to_minor(value: f64, scale: f64) -> i64 {
    (value * scale).round() as i64
}

/// Tier per row (an index into [`TIERS`]) by CLV descending, ties by customer_id (the
/// rows are in customer_id order, so by row); a tie group takes the tier of its first
/// position; tier k holds positions up to ceil(n · cut_k / 100).
fn tiers_by_value(clv: &[Option<i64>], cuts: &[f64]) -> Vec<Option<usize>> {
    let mut order: Vec<(std::cmp::Reverse<i64>, usize)> = clv
        .iter()
        .enumerate()
        .filter_map(|(row, value)| value.map(|v| (std::cmp::Reverse(v), row)))
        .collect();
    order.sort_unstable();
    let order: Vec<usize> = order.into_iter().map(|(_, row)| row).collect();
    let n = order.len() as f64;
    let limits: Vec<usize> = cuts
        .iter()
        .map(|cut| (n * cut / 100.0 - 1e-9).ceil() as usize)
        .collect();
    let mut tiers = vec![None; clv.len()];
    let mut group_start = 0;
    for (position, &row) in order.iter().enumerate() {
        if position == 0 || clv[row] != clv[order[position - 1]] {
            group_start = position + 1;
        }
        let tier = limits
            .iter()
            .position(|&limit| group_start <= limit)
            .unwrap_or(limits.len());
        tiers[row] = Some(tier);
    }
    tiers
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers_cut_by_count_and_ties_share_the_first_position() {
        // Ten customers; cuts 20/50 -> positions 1-2 high, 3-5 medium, 6-10 low.
        let clv: Vec<Option<i64>> = vec![100, 90, 90, 80, 70, 70, 60, 50, 40, 30]
            .into_iter()
            .map(Some)
            .collect();
        let tiers: Vec<Option<&str>> = tiers_by_value(&clv, &[20.0, 50.0])
            .into_iter()
            .map(|tier| tier.map(|t| TIERS[t]))
            .collect();
        let expected = [
            "clv_high",
            "clv_high",
            "clv_high",
            "clv_medium",
            "clv_medium",
            "clv_medium",
            "clv_low",
            "clv_low",
            "clv_low",
            "clv_low",
        ];
        // c2 ties c1 at position 2 (high); c5 ties c4 at position 5 (medium).
        assert_eq!(tiers, expected.map(Some).to_vec());
    }
}
