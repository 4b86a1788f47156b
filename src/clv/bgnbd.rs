//! The BG/NBD model (Fader, Hardie & Lee 2005, "Counting your customers the easy way"):
//! while alive a customer buys at Poisson rate λ ~ Gamma(r, α); after each purchase they
//! drop out with probability p ~ Beta(a, b). Log-likelihood (their eq. 6), fitted on
//! log-scale parameters over groups of identical `(x, t_x, T)`, the probability of being
//! alive (eq. 11) and the expected purchases in a following period (eq. 10).

use std::collections::BTreeMap;

use serde::Serialize;

use super::Summary;
use super::optimise::{minimise, standard_errors};
use super::special::{euler_bracket, lgamma};

/// Model parameters, in the time unit of the data they were fitted on.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BgNbd {
    /// Shape of the purchase-rate gamma.
    pub r: f64,
    /// Scale of the purchase-rate gamma (time units).
    pub alpha: f64,
    /// Dropout beta, first shape.
    pub a: f64,
    /// Dropout beta, second shape.
    pub b: f64,
}

/// Customers sharing one `(x, t_x, T)`.
#[derive(Clone, Copy, Debug)]
struct Cell {
    x: f64,
    t_x: f64,
    age: f64,
    customers: f64,
}

/// The data of a fit: identical summaries grouped, and customers counted per `x` (the
/// gamma-function terms depend on `x` alone).
#[derive(Clone, Debug)]
pub struct FitData {
    cells: Vec<Cell>,
    by_x: Vec<(f64, f64)>,
    customers: f64,
    /// Customers with at least one repeat purchase.
    pub repeat_buyers: usize,
}

impl FitData {
    /// Group summaries; times must be in the model's unit.
    pub fn new(summaries: &[Summary]) -> FitData {
        let mut cells: BTreeMap<(u64, u64, u64), f64> = BTreeMap::new();
        let mut by_x: BTreeMap<u64, f64> = BTreeMap::new();
        for s in summaries {
            *cells
                .entry((s.x.to_bits(), s.t_x.to_bits(), s.age.to_bits()))
                .or_default() += 1.0;
            *by_x.entry(s.x.to_bits()).or_default() += 1.0;
        }
        FitData {
            cells: cells
                .into_iter()
                .map(|((x, t_x, age), customers)| Cell {
                    x: f64::from_bits(x),
                    t_x: f64::from_bits(t_x),
                    age: f64::from_bits(age),
                    customers,
                })
                .collect(),
            by_x: by_x
                .into_iter()
                .map(|(x, n)| (f64::from_bits(x), n))
                .collect(),
            customers: summaries.len() as f64,
            repeat_buyers: summaries.iter().filter(|s| s.x > 0.0).count(),
        }
    }

    /// Distinct `(x, t_x, T)` groups.
    pub fn groups(&self) -> usize {
        self.cells.len()
    }

    /// Mean customer age, for starting points.
    fn mean_age(&self) -> f64 {
        let total: f64 = self.cells.iter().map(|c| c.age * c.customers).sum();
        (total / self.customers).max(1e-3)
    }
}

impl BgNbd {
    /// Total log-likelihood of the data.
    pub fn log_likelihood(&self, data: &FitData) -> f64 {
        let BgNbd { r, alpha, a, b } = *self;
        let common = data.customers * (r * alpha.ln() - lgamma(r) + lgamma(a + b) - lgamma(b));
        let gamma_terms: f64 = data
            .by_x
            .iter()
            .map(|&(x, n)| n * (lgamma(r + x) + lgamma(b + x) - lgamma(a + b + x)))
            .sum();
        let ln_a = a.ln();
        let cells: f64 = data
            .cells
            .iter()
            .map(|c| {
                let a3 = -(r + c.x) * (alpha + c.age).ln();
                let term = if c.x > 0.0 {
                    let a4 = ln_a - (b + c.x - 1.0).ln() - (r + c.x) * (alpha + c.t_x).ln();
                    log_add(a3, a4)
                } else {
                    a3
                };
                c.customers * term
            })
            .sum();
        common + gamma_terms + cells
    }

    /// P(alive | x, t_x, T).
    pub fn p_alive(&self, s: &Summary) -> f64 {
        if s.x <= 0.0 {
            return 1.0;
        }
        let log_odds_dead = self.a.ln() - (self.b + s.x - 1.0).ln()
            + (self.r + s.x) * ((self.alpha + s.age).ln() - (self.alpha + s.t_x).ln());
        // 1 / (1 + e^d), without overflow for large d.
        if log_odds_dead > 0.0 {
            let e = (-log_odds_dead).exp();
            e / (1.0 + e)
        } else {
            1.0 / (1.0 + log_odds_dead.exp())
        }
    }

    /// Expected purchases in the `t` time units after the as-of date, given the history.
    /// `None` when the hypergeometric series does not converge.
    pub fn expected_purchases(&self, s: &Summary, t: f64) -> Option<f64> {
        if t <= 0.0 {
            return Some(0.0);
        }
        let BgNbd { r, alpha, a, b } = *self;
        let z = t / (alpha + s.age + t);
        let c = a + b + s.x - 1.0;
        let bracket = euler_bracket(a + b - 1.0 - r, a - 1.0, c, z)?;
        let numerator = c * bracket;
        let denominator = if s.x > 0.0 {
            1.0 + (a.ln() - (b + s.x - 1.0).ln()
                + (r + s.x) * ((alpha + s.age).ln() - (alpha + s.t_x).ln()))
            .exp()
        } else {
            1.0
        };
        let value = numerator / denominator;
        value.is_finite().then_some(value.max(0.0))
    }
}

fn log_add(p: f64, q: f64) -> f64 {
    let m = p.max(q);
    m + ((p - m).exp() + (q - m).exp()).ln()
}

/// A fitted model and how good the fit is.
#[derive(Clone, Debug, Serialize)]
pub struct BgNbdFit {
    /// Maximum-likelihood parameters.
    pub params: BgNbd,
    /// Standard errors (null where the information matrix is singular).
    pub standard_errors: BgNbdErrors,
    /// Log-likelihood at the parameters.
    pub log_likelihood: f64,
    /// Customers fitted.
    pub customers: usize,
    /// Customers with repeat purchases.
    pub repeat_buyers: usize,
    /// Distinct (x, t_x, T) groups the likelihood was summed over.
    pub groups: usize,
    /// Optimiser iterations.
    pub iterations: u64,
}

/// Standard errors of the BG/NBD parameters.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct BgNbdErrors {
    /// Of r.
    pub r: Option<f64>,
    /// Of α.
    pub alpha: Option<f64>,
    /// Of a.
    pub a: Option<f64>,
    /// Of b.
    pub b: Option<f64>,
}

/// Why a model could not be fitted.
#[derive(Clone, Debug, PartialEq)]
pub enum FitFailure {
    /// Too little data to identify the parameters.
    TooFewRepeatBuyers {
        /// Repeat buyers found.
        found: usize,
        /// Needed.
        needed: usize,
    },
    /// The optimiser stopped without a usable optimum.
    NoConvergence(String),
}

/// Repeat buyers below which a fit is refused.
pub const MIN_REPEAT_BUYERS: usize = 10;

/// Maximum-likelihood fit.
pub fn fit(data: &FitData) -> Result<BgNbdFit, FitFailure> {
    if data.repeat_buyers < MIN_REPEAT_BUYERS {
        return Err(FitFailure::TooFewRepeatBuyers {
            found: data.repeat_buyers,
            needed: MIN_REPEAT_BUYERS,
        });
    }
    let from_log = |p: &[f64]| BgNbd {
        r: p[0].exp(),
        alpha: p[1].exp(),
        a: p[2].exp(),
        b: p[3].exp(),
    };
    let objective = |p: &[f64]| {
        if p.iter().any(|v| v.abs() > 30.0) {
            return f64::INFINITY;
        }
        -from_log(p).log_likelihood(data)
    };
    let age = data.mean_age().ln();
    let starts = [
        vec![0.0, age, 0.0, 0.0],
        vec![-1.0, age - 1.0, -0.5, 0.5],
        vec![0.5, age + 0.5, 0.5, 1.5],
    ];
    let found =
        minimise(&objective, &starts).map_err(|e| FitFailure::NoConvergence(e.to_string()))?;
    let params = from_log(&found.point);
    let log_likelihood = -found.value;
    if !found.converged || !log_likelihood.is_finite() || found.point.iter().any(|v| v.abs() > 25.0)
    {
        return Err(FitFailure::NoConvergence(format!(
            "stopped at r = {:.4}, α = {:.4}, a = {:.4}, b = {:.4} (log-likelihood {:.2}) after {} iterations",
            params.r, params.alpha, params.a, params.b, log_likelihood, found.iterations
        )));
    }
    let natural = [params.r, params.alpha, params.a, params.b];
    let negative_ll = |p: &[f64]| {
        if p.iter().any(|v| *v <= 0.0) {
            return f64::NAN;
        }
        -BgNbd {
            r: p[0],
            alpha: p[1],
            a: p[2],
            b: p[3],
        }
        .log_likelihood(data)
    };
    let se = standard_errors(&negative_ll, &natural);
    Ok(BgNbdFit {
        params,
        standard_errors: BgNbdErrors {
            r: se[0],
            alpha: se[1],
            a: se[2],
            b: se[3],
        },
        log_likelihood,
        customers: data.customers as usize,
        repeat_buyers: data.repeat_buyers,
        groups: data.groups(),
        iterations: found.iterations,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CDNOW: BgNbd = BgNbd {
        r: 0.243,
        alpha: 4.414,
        a: 0.793,
        b: 2.426,
    };

    #[test]
    fn p_alive_by_hand() {
        // x = 2, t_x = 30.43, T = 38.86 (CDNOW customer 1):
        // 1 / (1 + a/(b+x-1) * ((α+T)/(α+t_x))^(r+x))
        let s = Summary {
            x: 2.0,
            t_x: 30.43,
            age: 38.86,
        };
        let odds = 0.793 / (2.426 + 1.0) * ((4.414f64 + 38.86) / (4.414 + 30.43)).powf(2.243);
        let expected = 1.0 / (1.0 + odds);
        assert!((CDNOW.p_alive(&s) - expected).abs() < 1e-12);
        let new = Summary { x: 0.0, ..s };
        assert_eq!(CDNOW.p_alive(&new), 1.0);
    }

    #[test]
    fn expected_purchases_grow_with_the_period_and_stay_finite_for_huge_x() {
        let s = Summary {
            x: 2.0,
            t_x: 30.43,
            age: 38.86,
        };
        let short = CDNOW.expected_purchases(&s, 10.0).unwrap();
        let long = CDNOW.expected_purchases(&s, 39.0).unwrap();
        assert!(0.0 < short && short < long);
        let heavy = Summary {
            x: 5000.0,
            t_x: 700.0,
            age: 700.0,
        };
        let value = CDNOW.expected_purchases(&heavy, 52.0).unwrap();
        assert!(value.is_finite() && value > 100.0, "{value}");
    }
}
