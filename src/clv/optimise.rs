//! Maximum-likelihood plumbing shared by the models: Nelder–Mead (argmin) with restarts
//! on log-scale parameters, and standard errors from the observed information matrix.

use argmin::core::{CostFunction, Executor, State};
use argmin::solver::neldermead::NelderMead;

/// Iterations per Nelder–Mead run.
const MAX_ITERATIONS: u64 = 4_000;
/// Restarts from the best point with a fresh simplex; the fit has converged when a
/// restart no longer improves the objective.
const MAX_RESTARTS: usize = 12;

/// The minimum found and how it was reached.
#[derive(Clone, Debug)]
pub struct Minimum {
    /// Parameters at the minimum.
    pub point: Vec<f64>,
    /// Objective there.
    pub value: f64,
    /// Nelder–Mead iterations over all restarts.
    pub iterations: u64,
    /// Whether the last restart changed the objective by less than the tolerance.
    pub converged: bool,
}

struct Objective<'a, F: Fn(&[f64]) -> f64> {
    function: &'a F,
}

impl<F: Fn(&[f64]) -> f64> CostFunction for Objective<'_, F> {
    type Param = Vec<f64>;
    type Output = f64;

    fn cost(&self, point: &Self::Param) -> Result<f64, argmin::core::Error> {
        let value = (self.function)(point);
        // Nelder–Mead only compares values: an infeasible point is simply very bad.
        Ok(if value.is_finite() { value } else { f64::MAX })
    }
}

/// Minimise `function` from each of `starts`, restarting from the best point until a
/// restart gains less than 1e-10 (relative).
pub fn minimise<F: Fn(&[f64]) -> f64>(
    function: &F,
    starts: &[Vec<f64>],
) -> Result<Minimum, argmin::core::Error> {
    let mut best: Option<Minimum> = None;
    let mut iterations = 0;
    for start in starts {
        let found = run(function, start, 0.5)?;
        iterations += found.2;
        if best.as_ref().is_none_or(|b| found.1 < b.value) {
            best = Some(Minimum {
                point: found.0,
                value: found.1,
                iterations: 0,
                converged: false,
            });
        }
    }
    let mut best = best.expect("at least one start");
    for _ in 0..MAX_RESTARTS {
        let (point, value, used) = run(function, &best.point, 0.05)?;
        iterations += used;
        let gain = best.value - value;
        if value < best.value {
            best.point = point;
            best.value = value;
        }
        if gain.abs() <= 1e-10 * best.value.abs().max(1.0) {
            best.converged = true;
            break;
        }
    }
    best.iterations = iterations;
    Ok(best)
}

fn run<F: Fn(&[f64]) -> f64>(
    function: &F,
    start: &[f64],
    step: f64,
) -> Result<(Vec<f64>, f64, u64), argmin::core::Error> {
    let mut simplex = vec![start.to_vec()];
    for i in 0..start.len() {
        let mut vertex = start.to_vec();
        vertex[i] += step;
        simplex.push(vertex);
    }
    let solver = NelderMead::new(simplex).with_sd_tolerance(1e-13)?;
    let result = Executor::new(Objective { function }, solver)
        .configure(|state| state.max_iters(MAX_ITERATIONS))
        .run()?;
    let state = result.state();
    let point = state
        .get_best_param()
        .cloned()
        .unwrap_or_else(|| start.to_vec());
    Ok((point, state.get_best_cost(), state.get_iter()))
}

/// Standard errors of the parameters at a minimum of a negative log-likelihood:
/// square roots of the diagonal of the inverse Hessian (central differences).
/// `None` where the Hessian is not positive definite.
pub fn standard_errors<F: Fn(&[f64]) -> f64>(function: &F, at: &[f64]) -> Vec<Option<f64>> {
    let n = at.len();
    let steps: Vec<f64> = at.iter().map(|v| 1e-4 * v.abs().max(1e-4)).collect();
    let shifted = |moves: &[(usize, f64)]| {
        let mut point = at.to_vec();
        for &(i, by) in moves {
            point[i] += by;
        }
        function(&point)
    };
    let mut hessian = vec![vec![0.0; n]; n];
    for i in 0..n {
        for j in i..n {
            let (hi, hj) = (steps[i], steps[j]);
            let value = (shifted(&[(i, hi), (j, hj)])
                - shifted(&[(i, hi), (j, -hj)])
                - shifted(&[(i, -hi), (j, hj)])
                + shifted(&[(i, -hi), (j, -hj)]))
                / (4.0 * hi * hj);
            hessian[i][j] = value;
            hessian[j][i] = value;
        }
    }
    match invert(hessian) {
        Some(inverse) => (0..n)
            .map(|i| Some(inverse[i][i]).filter(|v| *v > 0.0).map(f64::sqrt))
            .collect(),
        None => vec![None; n],
    }
}

/// Gauss–Jordan inverse with partial pivoting; `None` if singular.
fn invert(mut matrix: Vec<Vec<f64>>) -> Option<Vec<Vec<f64>>> {
    let n = matrix.len();
    let mut inverse: Vec<Vec<f64>> = (0..n)
        .map(|i| (0..n).map(|j| f64::from(u8::from(i == j))).collect())
        .collect();
    for column in 0..n {
        let pivot = (column..n)
            .max_by(|&a, &b| matrix[a][column].abs().total_cmp(&matrix[b][column].abs()))?;
        if matrix[pivot][column].abs() < 1e-300 || !matrix[pivot][column].is_finite() {
            return None;
        }
        matrix.swap(column, pivot);
        inverse.swap(column, pivot);
        let scale = matrix[column][column];
        for j in 0..n {
            matrix[column][j] /= scale;
            inverse[column][j] /= scale;
        }
        for row in 0..n {
            if row != column {
                let factor = matrix[row][column];
                for j in 0..n {
                    matrix[row][j] -= factor * matrix[column][j];
                    inverse[row][j] -= factor * inverse[column][j];
                }
            }
        }
    }
    Some(inverse)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_minimum_of_a_quadratic_and_its_curvature() {
        let f = |p: &[f64]| (p[0] - 1.0).powi(2) * 2.0 + (p[1] + 3.0).powi(2) * 8.0;
        let found = minimise(&f, &[vec![0.0, 0.0]]).unwrap();
        assert!(found.converged);
        assert!((found.point[0] - 1.0).abs() < 1e-6 && (found.point[1] + 3.0).abs() < 1e-6);
        // Hessian diag(4, 16) -> standard errors 1/2 and 1/4.
        let se = standard_errors(&f, &found.point);
        assert!((se[0].unwrap() - 0.5).abs() < 1e-4 && (se[1].unwrap() - 0.25).abs() < 1e-4);
    }

    #[test]
    fn inverts_a_small_matrix() {
        let inverse = invert(vec![vec![4.0, 7.0], vec![2.0, 6.0]]).unwrap();
        assert!((inverse[0][0] - 0.6).abs() < 1e-12 && (inverse[0][1] + 0.7).abs() < 1e-12);
        assert!(invert(vec![vec![1.0, 2.0], vec![2.0, 4.0]]).is_none());
    }
}
