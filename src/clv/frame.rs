//! From per-customer metric frames to model inputs, and fits with the user's advice
//! attached when they fail.

use polars::prelude::*;

use super::bgnbd::{self, BgNbd, BgNbdFit, FitData, FitFailure};
use super::gamma_gamma::{self, GammaGamma, GammaGammaFit, SpendData};
use super::{Summary, TimeUnit};
use crate::arrays::int64_values;
use crate::error::TieringError;

/// A purchaser's model inputs.
#[derive(Clone, Copy, Debug)]
pub struct Purchaser {
    /// Frequency, recency and age in the time unit.
    pub summary: Summary,
    /// Mean spend of the repeat purchase days in currency units (0 without repeats).
    pub mean_repeat_spend: f64,
    /// The same in minor units, rounded half away from zero.
    pub mean_repeat_spend_minor: Option<i64>,
}

/// One entry per row of `frame`: `None` for customers without a purchase. Reads
/// `orders`, `tenure_days`, `recency_days`, `purchase_days` and `repeat_spend`.
pub fn purchasers(
    frame: &DataFrame,
    unit: TimeUnit,
    decimals: u32,
) -> PolarsResult<Vec<Option<Purchaser>>> {
    let int = |name: &str| int64_values(frame, name);
    let (orders, tenure, recency) = (int("orders")?, int("tenure_days")?, int("recency_days")?);
    let (days, spend) = (int("purchase_days")?, int("repeat_spend")?);
    let scale = 10f64.powi(decimals as i32);
    Ok((0..frame.height())
        .map(|i| {
            let (Some(n), Some(tenure), Some(recency), Some(days)) =
                (orders[i], tenure[i], recency[i], days[i])
            else {
                return None;
            };
            if n <= 0 || days <= 0 {
                return None;
            }
            let x = days - 1;
            let repeat = spend[i].unwrap_or(0);
            let minor = (x > 0).then(|| rounded_div(repeat, x));
            Some(Purchaser {
                summary: Summary {
                    x: x as f64,
                    t_x: (tenure - recency) as f64 / unit.days(),
                    age: tenure as f64 / unit.days(),
                },
                mean_repeat_spend: if x > 0 {
                    repeat as f64 / x as f64 / scale
                } else {
                    0.0
                },
                mean_repeat_spend_minor: minor,
            })
        })
        .collect())
}

/// n / d rounded half away from zero (d > 0).
fn rounded_div(n: i64, d: i64) -> i64 {
    let q = (2 * n.unsigned_abs() as i128 + d as i128) / (2 * d as i128);
    (if n < 0 { -q } else { q }) as i64
}

/// Fit BG/NBD, or use the fixed parameters.
pub fn fit_purchases(
    summaries: &[Summary],
    fixed: Option<BgNbd>,
) -> Result<(BgNbd, Option<BgNbdFit>), TieringError> {
    if let Some(params) = fixed {
        return Ok((params, None));
    }
    match bgnbd::fit(&FitData::new(summaries)) {
        Ok(fit) => Ok((fit.params, Some(fit))),
        Err(failure) => Err(explain("BG/NBD", failure, summaries.len())),
    }
}

/// Fit Gamma-Gamma on repeat buyers with positive mean spend, or use fixed parameters.
pub fn fit_spend(
    purchasers: &[Purchaser],
    fixed: Option<GammaGamma>,
) -> Result<(GammaGamma, Option<GammaGammaFit>), TieringError> {
    let (params, fit) = match fixed {
        Some(params) => (params, None),
        None => {
            let data = SpendData::new(
                purchasers
                    .iter()
                    .map(|p| (p.summary.x, p.mean_repeat_spend)),
            );
            match gamma_gamma::fit(&data) {
                Ok(fit) => (fit.params, Some(fit)),
                Err(failure) => return Err(explain("Gamma-Gamma", failure, purchasers.len())),
            }
        }
    };
    if params.q <= 1.0 {
        return Err(TieringError::NoData {
            message: format!(
                "the Gamma-Gamma spend model has q = {:.4} ≤ 1, so expected spend is undefined",
                params.q
            ),
            hint: Some(
                "spend varies too wildly for the model; check for outliers, or rank by revenue with --scorer pareto"
                    .into(),
            ),
        });
    }
    Ok((params, fit))
}

fn explain(model: &str, failure: FitFailure, customers: usize) -> TieringError {
    match failure {
        FitFailure::TooFewRepeatBuyers { found, needed } => TieringError::NoData {
            message: format!(
                "the {model} model cannot be fitted: {found} of {customers} customers bought on more than one day, at least {needed} are needed"
            ),
            hint: Some(
                "use a longer order history, or --scorer rfm / lifecycle, which need no repeat buyers"
                    .into(),
            ),
        },
        FitFailure::NoConvergence(detail) => TieringError::NoData {
            message: format!("the {model} fit did not converge: {detail}"),
            hint: Some(match model {
                "Gamma-Gamma" => "spend per purchase hardly varies between customers, so the spend model has no optimum; fix `gamma_gamma` in [clv] of tiering.toml, or rank by revenue with --scorer pareto".into(),
                _ => "purchase timing hardly varies between customers (or the history is very short), so the model has no optimum; use a longer history, or fix `bgnbd` in [clv] of tiering.toml".into(),
            }),
        },
    }
}
