//! The BG/NBD model (Fader, Hardie & Lee 2005, "Counting your customers the easy way"):
//! while alive a customer buys at Poisson rate λ ~ Gamma(r, α); after each purchase they
//! drop out with probability p ~ Beta(a, b). Log-likelihood (their eq. 6), fitted on
//! log-scale parameters over groups of identical `(x, t_x, T)`, the probability of being
//! alive (eq. 11) and the expected purchases in a following period (eq. 10).

use std::collections::HashMap;

use serde::Serialize;

use super::Summary;
use super::optimise::maximise_likelihood;
use super::special::{chunked_sum, digamma, euler_bracket, lgamma};

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

/// Customers sharing one `(x, t_x, T)`, as indexes into the distinct values.
#[derive(Clone, Copy, Debug)]
struct Cell {
    x: usize,
    t_x: usize,
    age: usize,
    customers: f64,
}

/// The data of a fit: identical summaries grouped into cells over the distinct values of
/// x, t_x and T (a few hundred each for day-level data), so that logarithms of α + t are
/// computed once per distinct t, not once per customer.
#[derive(Clone, Debug)]
pub struct FitData {
    cells: Vec<Cell>,
    xs: Vec<f64>,
    customers_by_x: Vec<f64>,
    t_xs: Vec<f64>,
    ages: Vec<f64>,
    customers: f64,
    /// Customers with at least one repeat purchase.
    pub repeat_buyers: usize,
}

/// The distinct values (by bits) in ascending order, and each value's position among
/// them.
fn distinct(values: impl Iterator<Item = f64> + Clone) -> (Vec<f64>, Vec<u32>) {
    let mut sorted: Vec<f64> = values.clone().collect();
    sorted.sort_by(f64::total_cmp);
    sorted.dedup_by_key(|v| v.to_bits());
    let position: HashMap<u64, u32> = sorted
        .iter()
        .enumerate()
        .map(|(i, v)| (v.to_bits(), i as u32))
        .collect();
    let codes = values.map(|v| position[&v.to_bits()]).collect();
    (sorted, codes)
}

impl FitData {
    /// Group summaries; times must be in the model's unit.
    pub fn new(summaries: &[Summary]) -> FitData {
        let (xs, x_codes) = distinct(summaries.iter().map(|s| s.x));
        let (t_xs, t_x_codes) = distinct(summaries.iter().map(|s| s.t_x));
        let (ages, age_codes) = distinct(summaries.iter().map(|s| s.age));
        // Sorted keys, so the cells come in key order (the order of the likelihood's sums).
        let mut keys: Vec<(u32, u32, u32)> = (0..summaries.len())
            .map(|i| (x_codes[i], t_x_codes[i], age_codes[i]))
            .collect();
        keys.sort_unstable();
        let mut customers_by_x = vec![0.0; xs.len()];
        let mut cells: Vec<Cell> = Vec::new();
        for run in keys.chunk_by(|a, b| a == b) {
            let (x, t_x, age) = run[0];
            let customers = run.len() as f64;
            customers_by_x[x as usize] += customers;
            cells.push(Cell {
                x: x as usize,
                t_x: t_x as usize,
                age: age as usize,
                customers,
            });
        }
        FitData {
            cells,
            xs,
            customers_by_x,
            t_xs,
            ages,
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
        let total: f64 = self
            .cells
            .iter()
            .map(|c| self.ages[c.age] * c.customers)
            .sum();
        (total / self.customers).max(1e-3)
    }
}

impl BgNbd {
    /// From `[r, α, a, b]`.
    fn from_slice(p: &[f64]) -> BgNbd {
        BgNbd {
            r: p[0],
            alpha: p[1],
            a: p[2],
            b: p[3],
        }
    }

    /// Total log-likelihood of the data.
    pub fn log_likelihood(&self, data: &FitData) -> f64 {
        self.log_likelihood_and_gradient(data).0
    }

    /// Total log-likelihood and its gradient in (r, α, a, b).
    pub fn log_likelihood_and_gradient(&self, data: &FitData) -> (f64, [f64; 4]) {
        let BgNbd { r, alpha, a, b } = *self;
        let n = data.customers;
        let mut value = n * (r * alpha.ln() - lgamma(r) + lgamma(a + b) - lgamma(b));
        let mut grad = [
            n * (alpha.ln() - digamma(r)),
            n * r / alpha,
            n * digamma(a + b),
            n * (digamma(a + b) - digamma(b)),
        ];
        // Per distinct x: the gamma terms, and ln(b + x − 1) for the cells.
        let mut ln_b_x = vec![0.0; data.xs.len()];
        for (i, (&x, &count)) in data.xs.iter().zip(&data.customers_by_x).enumerate() {
            value += count * (lgamma(r + x) + lgamma(b + x) - lgamma(a + b + x));
            grad[0] += count * digamma(r + x);
            grad[2] -= count * digamma(a + b + x);
            grad[3] += count * (digamma(b + x) - digamma(a + b + x));
            if x > 0.0 {
                ln_b_x[i] = (b + x - 1.0).ln();
            }
        }
        let logs = |ts: &[f64]| -> (Vec<f64>, Vec<f64>) {
            ts.iter()
                .map(|t| ((alpha + t).ln(), 1.0 / (alpha + t)))
                .unzip()
        };
        let (ln_age, inv_age) = logs(&data.ages);
        let (ln_tx, inv_tx) = logs(&data.t_xs);
        let ln_a = a.ln();
        let sums = chunked_sum(&data.cells, |cells| {
            let mut acc = [0.0; 5];
            for c in cells {
                let x = data.xs[c.x];
                let rx = r + x;
                let a3 = -rx * ln_age[c.age];
                let (term, dropout_share) = if x > 0.0 {
                    let a4 = ln_a - ln_b_x[c.x] - rx * ln_tx[c.t_x];
                    let (high, low) = if a3 > a4 { (a3, a4) } else { (a4, a3) };
                    let e = (low - high).exp();
                    let share_of_high = 1.0 / (1.0 + e);
                    let share4 = if a4 >= a3 {
                        share_of_high
                    } else {
                        1.0 - share_of_high
                    };
                    (high + e.ln_1p(), share4)
                } else {
                    (a3, 0.0)
                };
                let w = c.customers;
                let stay = 1.0 - dropout_share;
                acc[0] += w * term;
                acc[1] -= w * (stay * ln_age[c.age] + dropout_share * ln_tx[c.t_x]);
                acc[2] -= w * rx * (stay * inv_age[c.age] + dropout_share * inv_tx[c.t_x]);
                if x > 0.0 {
                    acc[3] += w * dropout_share / a;
                    acc[4] -= w * dropout_share / (b + x - 1.0);
                }
            }
            acc
        });
        value += sums[0];
        for (g, s) in grad.iter_mut().zip(&sums[1..]) {
            *g += s;
        }
        (value, grad)
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
    /// Whether the optimum is the limiting model at the edge of the parameter space
    /// (some parameter effectively 0 or infinite; its standard error means nothing).
    pub at_edge: bool,
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
    let age = data.mean_age().ln();
    let starts = [
        vec![0.0, age, 0.0, 0.0],
        vec![-1.0, age - 1.0, -0.5, 0.5],
        vec![0.5, age + 0.5, 0.5, 1.5],
    ];
    let estimate = maximise_likelihood(
        &|p: &[f64]| {
            let (value, gradient) = BgNbd::from_slice(p).log_likelihood_and_gradient(data);
            (value, gradient.to_vec())
        },
        &starts,
        &["r", "α", "a", "b"],
    )
    .map_err(FitFailure::NoConvergence)?;
    let se = &estimate.standard_errors;
    Ok(BgNbdFit {
        params: BgNbd::from_slice(&estimate.params),
        standard_errors: BgNbdErrors {
            r: se[0],
            alpha: se[1],
            a: se[2],
            b: se[3],
        },
        log_likelihood: estimate.log_likelihood,
        customers: data.customers as usize,
        repeat_buyers: data.repeat_buyers,
        groups: data.groups(),
        iterations: estimate.iterations,
        at_edge: estimate.at_edge,
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
    fn gradient_matches_finite_differences() {
        let summaries: Vec<Summary> = [
            (0.0, 0.0, 30.0),
            (2.0, 20.0, 38.0),
            (5.0, 31.0, 35.0),
            (1.0, 3.0, 12.0),
        ]
        .map(|(x, t_x, age)| Summary { x, t_x, age })
        .to_vec();
        let data = FitData::new(&summaries);
        let (_, gradient) = CDNOW.log_likelihood_and_gradient(&data);
        let h = 1e-6;
        let shifted = |i: usize, by: f64| {
            let mut v = [CDNOW.r, CDNOW.alpha, CDNOW.a, CDNOW.b];
            v[i] += by;
            BgNbd {
                r: v[0],
                alpha: v[1],
                a: v[2],
                b: v[3],
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
