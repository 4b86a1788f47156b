//! Special functions the models need: log-gamma (from `libm`) and the one Gaussian
//! hypergeometric expression in the BG/NBD conditional expectation, summed in a form that
//! stays finite for very frequent buyers.

pub use libm::lgamma;

/// The digamma function ψ(x) = d/dx ln Γ(x), for x > 0: recurrence up to x ≥ 10, then
/// the asymptotic series (error below 1e-13).
pub fn digamma(mut x: f64) -> f64 {
    let mut result = 0.0;
    while x < 10.0 {
        result -= 1.0 / x;
        x += 1.0;
    }
    let f = 1.0 / (x * x);
    let tail =
        f * (1.0 / 12.0 - f * (1.0 / 120.0 - f * (1.0 / 252.0 - f * (1.0 / 240.0 - f / 132.0))));
    result + x.ln() - 0.5 / x - tail
}

/// Sum per-chunk partial results in chunk order: parallel, yet the same bits whatever
/// the number of threads.
pub fn chunked_sum<T: Sync, const N: usize>(
    items: &[T],
    partial: impl Fn(&[T]) -> [f64; N] + Sync,
) -> [f64; N] {
    use rayon::prelude::*;
    const CHUNK: usize = 4096;
    let parts: Vec<[f64; N]> = items.par_chunks(CHUNK).map(&partial).collect();
    let mut total = [0.0; N];
    for part in parts {
        for (t, p) in total.iter_mut().zip(part) {
            *t += p;
        }
    }
    total
}

/// Terms summed at most before the series is declared not to converge.
const MAX_TERMS: usize = 1_000_000;

/// `[1 − (1 − z)^ε · ₂F₁(A, ε; C; z)] / ε` for `0 ≤ z < 1`, continuous in ε at 0.
///
/// With `₂F₁(A, ε; C; z) = 1 + ε·S`, `S = Σ_{k≥1} (A)_k (ε+1)_{k−1} / ((C)_k k!) z^k`, the
/// expression is `−expm1(ε·ln(1−z))/ε − (1−z)^ε·S`, which has no cancellation in ε.
/// Returns `None` if the series does not converge (a pole at `C + k = 0`, or `z` too
/// close to 1 for the term budget).
pub fn euler_bracket(a_param: f64, epsilon: f64, c_param: f64, z: f64) -> Option<f64> {
    let log_base = (-z).ln_1p();
    let lead = if epsilon.abs() < 1e-12 {
        -log_base
    } else {
        -(epsilon * log_base).exp_m1() / epsilon
    };
    let mut term = a_param / c_param * z;
    let mut sum = 0.0;
    for k in 1..MAX_TERMS {
        if !term.is_finite() {
            return None;
        }
        sum += term;
        if term.abs() <= 1e-17 * sum.abs().max(1e-300) || term == 0.0 {
            return Some(lead - (epsilon * log_base).exp() * sum);
        }
        let k = k as f64;
        term *= (a_param + k) * (epsilon + k) / ((c_param + k) * (k + 1.0)) * z;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Plain ₂F₁ power series, for comparison at moderate parameters.
    fn hyp2f1(a: f64, b: f64, c: f64, z: f64) -> f64 {
        let (mut term, mut sum) = (1.0, 1.0);
        for k in 0..10_000 {
            let k = k as f64;
            term *= (a + k) * (b + k) / ((c + k) * (k + 1.0)) * z;
            sum += term;
            if term.abs() < 1e-18 {
                break;
            }
        }
        sum
    }

    #[test]
    fn bracket_matches_the_direct_series() {
        for &(a, eps, c, z) in &[
            (2.5f64, -0.2f64, 4.0f64, 0.3f64),
            (0.7, 0.5, 1.9, 0.8),
            (3.0, 1.2, 10.5, 0.95),
        ] {
            let direct = (1.0 - (1.0 - z).powf(eps) * hyp2f1(a, eps, c, z)) / eps;
            let ours = euler_bracket(a, eps, c, z).unwrap();
            assert!(
                (direct - ours).abs() < 1e-10 * direct.abs().max(1.0),
                "{direct} {ours}"
            );
        }
    }

    #[test]
    fn bracket_is_continuous_at_zero_epsilon() {
        let at_zero = euler_bracket(1.5, 0.0, 3.0, 0.4).unwrap();
        let near = euler_bracket(1.5, 1e-9, 3.0, 0.4).unwrap();
        assert!((at_zero - near).abs() < 1e-8);
    }

    #[test]
    fn digamma_known_values() {
        let euler = 0.577_215_664_901_532_9;
        assert!((digamma(1.0) + euler).abs() < 1e-13);
        assert!((digamma(0.5) + euler + 2.0 * 2f64.ln()).abs() < 1e-13);
        assert!((digamma(10.0) - (7129.0 / 2520.0 - euler)).abs() < 1e-13);
        // ψ is the derivative of ln Γ.
        let h = 1e-6;
        let numeric = (lgamma(3.7 + h) - lgamma(3.7 - h)) / (2.0 * h);
        assert!((digamma(3.7) - numeric).abs() < 1e-8);
    }

    #[test]
    fn lgamma_known_values() {
        assert!((lgamma(5.0) - 24f64.ln()).abs() < 1e-12);
        assert!((lgamma(0.5) - std::f64::consts::PI.sqrt().ln()).abs() < 1e-12);
    }
}
