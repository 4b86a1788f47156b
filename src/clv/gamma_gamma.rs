//! The Gamma-Gamma model of spend per purchase (Fader, Hardie & Lee 2005; Hardie's note
//! "The Gamma-Gamma Model of Monetary Value"): a customer's purchase values are
//! Gamma(p, ν) with ν ~ Gamma(q, γ) across customers. Fitted on repeat buyers' mean
//! repeat spend; it assumes spend is independent of purchase frequency, which the fit
//! report checks with their correlation.

use std::collections::BTreeMap;

use serde::Serialize;

use super::bgnbd::FitFailure;
use super::optimise::maximise_likelihood;
use super::special::{chunked_sum, digamma, lgamma};

/// Model parameters (γ in currency units).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GammaGamma {
    /// Shape of each purchase's value.
    pub p: f64,
    /// Shape of the spend-rate gamma.
    pub q: f64,
    /// Scale of the spend-rate gamma.
    pub gamma: f64,
}

/// Repeat buyers' (x, mean repeat spend), with sums that do not depend on the parameters.
#[derive(Clone, Debug)]
pub struct SpendData {
    pairs: Vec<(f64, f64)>,
    by_x: Vec<(f64, f64)>,
    sum_x_ln_m: f64,
    sum_ln_m: f64,
    sum_x_ln_x: f64,
}

impl SpendData {
    /// From (repeat purchases, mean spend of the repeat purchases); only x > 0 and m > 0
    /// are kept (the model is for positive spend).
    pub fn new(pairs: impl IntoIterator<Item = (f64, f64)>) -> SpendData {
        let pairs: Vec<(f64, f64)> = pairs
            .into_iter()
            .filter(|&(x, m)| x > 0.0 && m > 0.0)
            .collect();
        let mut by_x: BTreeMap<u64, f64> = BTreeMap::new();
        for &(x, _) in &pairs {
            *by_x.entry(x.to_bits()).or_default() += 1.0;
        }
        SpendData {
            sum_x_ln_m: pairs.iter().map(|(x, m)| x * m.ln()).sum(),
            sum_ln_m: pairs.iter().map(|(_, m)| m.ln()).sum(),
            sum_x_ln_x: pairs.iter().map(|(x, _)| x * x.ln()).sum(),
            by_x: by_x
                .into_iter()
                .map(|(x, n)| (f64::from_bits(x), n))
                .collect(),
            pairs,
        }
    }

    /// Customers in the fit.
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    /// Whether no customer qualifies.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// Pearson correlation of frequency and mean spend (the independence check).
    pub fn correlation(&self) -> Option<f64> {
        let n = self.pairs.len() as f64;
        if n < 2.0 {
            return None;
        }
        let (mx, mm) = self
            .pairs
            .iter()
            .fold((0.0, 0.0), |(a, b), (x, m)| (a + x / n, b + m / n));
        let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
        for (x, m) in &self.pairs {
            sxy += (x - mx) * (m - mm);
            sxx += (x - mx).powi(2);
            syy += (m - mm).powi(2);
        }
        let value = sxy / (sxx * syy).sqrt();
        value.is_finite().then_some(value)
    }
}

impl GammaGamma {
    /// From `[p, q, γ]`.
    fn from_slice(v: &[f64]) -> GammaGamma {
        GammaGamma {
            p: v[0],
            q: v[1],
            gamma: v[2],
        }
    }

    /// Total log-likelihood of the repeat buyers' mean spend.
    pub fn log_likelihood(&self, data: &SpendData) -> f64 {
        self.log_likelihood_and_gradient(data).0
    }

    /// Total log-likelihood and its gradient in (p, q, γ).
    pub fn log_likelihood_and_gradient(&self, data: &SpendData) -> (f64, [f64; 3]) {
        let GammaGamma { p, q, gamma } = *self;
        let n = data.pairs.len() as f64;
        let mut value = -n * lgamma(q) + n * q * gamma.ln() + p * data.sum_x_ln_m - data.sum_ln_m
            + p * data.sum_x_ln_x;
        let mut grad = [
            data.sum_x_ln_m + data.sum_x_ln_x,
            -n * digamma(q) + n * gamma.ln(),
            n * q / gamma,
        ];
        for &(x, count) in &data.by_x {
            value += count * (lgamma(p * x + q) - lgamma(p * x));
            grad[0] += count * x * (digamma(p * x + q) - digamma(p * x));
            grad[1] += count * digamma(p * x + q);
        }
        // Σ (p·x + q)·ln(x·m + γ) and its derivatives: the one pass over customers.
        let tail = chunked_sum(&data.pairs, |pairs| {
            let mut acc = [0.0; 4];
            for &(x, m) in pairs {
                let spend = x * m + gamma;
                let ln_spend = spend.ln();
                acc[0] += (p * x + q) * ln_spend;
                acc[1] += x * ln_spend;
                acc[2] += ln_spend;
                acc[3] += (p * x + q) / spend;
            }
            acc
        });
        value -= tail[0];
        grad[0] -= tail[1];
        grad[1] -= tail[2];
        grad[2] -= tail[3];
        (value, grad)
    }

    /// Expected spend per purchase for a customer with `x` repeat purchases of mean `m`
    /// (the population mean when x = 0). Needs q > 1.
    pub fn expected_spend(&self, x: f64, m: f64) -> Option<f64> {
        let GammaGamma { p, q, gamma } = *self;
        if q <= 1.0 {
            return None;
        }
        let value = if x > 0.0 {
            (gamma + x * m) * p / (p * x + q - 1.0)
        } else {
            p * gamma / (q - 1.0)
        };
        value.is_finite().then_some(value)
    }
}

/// A fitted spend model.
#[derive(Clone, Debug, Serialize)]
pub struct GammaGammaFit {
    /// Maximum-likelihood parameters.
    pub params: GammaGamma,
    /// Standard errors (null where the information matrix is singular).
    pub standard_errors: GammaGammaErrors,
    /// Log-likelihood at the parameters.
    pub log_likelihood: f64,
    /// Repeat buyers with positive spend fitted.
    pub customers: usize,
    /// Correlation of frequency and mean spend (near 0 supports the model).
    pub frequency_spend_correlation: Option<f64>,
    /// Optimiser iterations.
    pub iterations: u64,
    /// Whether the optimum is the limiting model at the edge of the parameter space
    /// (some parameter effectively 0 or infinite; its standard error means nothing).
    pub at_edge: bool,
}

/// Standard errors of the Gamma-Gamma parameters.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct GammaGammaErrors {
    /// Of p.
    pub p: Option<f64>,
    /// Of q.
    pub q: Option<f64>,
    /// Of γ.
    pub gamma: Option<f64>,
}

/// Maximum-likelihood fit.
pub fn fit(data: &SpendData) -> Result<GammaGammaFit, FitFailure> {
    let needed = super::bgnbd::MIN_REPEAT_BUYERS;
    if data.len() < needed {
        return Err(FitFailure::TooFewRepeatBuyers {
            found: data.len(),
            needed,
        });
    }
    // Equal spends make the likelihood grow without end (the spend variance goes to 0);
    // say so rather than report whatever parameters the search stopped at.
    let (low, high) = data
        .pairs
        .iter()
        .fold((f64::INFINITY, 0.0f64), |(lo, hi), &(_, m)| {
            (lo.min(m), hi.max(m))
        });
    if high - low <= 1e-9 * high {
        return Err(FitFailure::NoConvergence(format!(
            "has no optimum: every repeat buyer's mean spend is the same ({high})"
        )));
    }
    let mean_m = data.pairs.iter().map(|(_, m)| m).sum::<f64>() / data.len() as f64;
    let scale = mean_m.max(1e-6).ln();
    let starts = [
        vec![0.0, 0.0, 0.0],
        vec![1.0, 1.0, scale],
        vec![2.0, 1.5, scale + 1.0],
    ];
    let estimate = maximise_likelihood(
        &|v: &[f64]| {
            let (value, gradient) = GammaGamma::from_slice(v).log_likelihood_and_gradient(data);
            (value, gradient.to_vec())
        },
        &starts,
        &["p", "q", "γ"],
    )
    .map_err(FitFailure::NoConvergence)?;
    let se = &estimate.standard_errors;
    Ok(GammaGammaFit {
        params: GammaGamma::from_slice(&estimate.params),
        standard_errors: GammaGammaErrors {
            p: se[0],
            q: se[1],
            gamma: se[2],
        },
        log_likelihood: estimate.log_likelihood,
        customers: data.len(),
        frequency_spend_correlation: data.correlation(),
        iterations: estimate.iterations,
        at_edge: estimate.at_edge,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn likelihood_matches_the_density_term_by_term() {
        let model = GammaGamma {
            p: 6.25,
            q: 3.74,
            gamma: 15.44,
        };
        let (x, m): (f64, f64) = (3.0, 20.5);
        let (p, q, g) = (model.p, model.q, model.gamma);
        let direct = lgamma(p * x + q) - lgamma(p * x) - lgamma(q)
            + q * g.ln()
            + (p * x - 1.0) * m.ln()
            + p * x * x.ln()
            - (p * x + q) * (x * m + g).ln();
        let data = SpendData::new([(x, m)]);
        assert!((model.log_likelihood(&data) - direct).abs() < 1e-10);
        let expected = (g + x * m) * p / (p * x + q - 1.0);
        assert!((model.expected_spend(x, m).unwrap() - expected).abs() < 1e-12);
        assert!((model.expected_spend(0.0, 0.0).unwrap() - p * g / (q - 1.0)).abs() < 1e-12);
    }

    #[test]
    fn gradient_matches_finite_differences() {
        let data = SpendData::new([(1.0, 12.5), (3.0, 20.5), (3.0, 31.0), (7.0, 18.25)]);
        let model = GammaGamma {
            p: 2.5,
            q: 3.1,
            gamma: 9.0,
        };
        let (_, gradient) = model.log_likelihood_and_gradient(&data);
        let h = 1e-6;
        let shifted = |i: usize, by: f64| {
            let mut v = [model.p, model.q, model.gamma];
            v[i] += by;
            GammaGamma {
                p: v[0],
                q: v[1],
                gamma: v[2],
            }
            .log_likelihood(&data)
        };
        for (i, g) in gradient.iter().enumerate() {
            let numeric = (shifted(i, h) - shifted(i, -h)) / (2.0 * h);
            assert!(
                (g - numeric).abs() < 1e-5 * numeric.abs().max(1.0),
                "{i}: {g} vs {numeric}"
            );
        }
    }
}
