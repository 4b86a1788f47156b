//! Maximum-likelihood plumbing shared by the models: L-BFGS with analytic gradients
//! (argmin), Nelder–Mead restarts to polish or to rescue a failed line search, on
//! log-scale parameters; standard errors from the observed information matrix.

use std::sync::Mutex;

use argmin::core::{CostFunction, Executor, Gradient, State, TerminationReason};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::neldermead::NelderMead;
use argmin::solver::quasinewton::LBFGS;

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

/// A point with the objective's value and gradient there.
type Evaluation = (Vec<f64>, f64, Vec<f64>);

/// A smooth objective: value and gradient, evaluated once per point (argmin asks for
/// cost and gradient separately; the last evaluation is cached).
struct Smooth<'a, F: Fn(&[f64]) -> (f64, Vec<f64>)> {
    function: &'a F,
    last: Mutex<Option<Evaluation>>,
}

impl<F: Fn(&[f64]) -> (f64, Vec<f64>)> Smooth<'_, F> {
    fn evaluate(&self, point: &[f64]) -> (f64, Vec<f64>) {
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((at, value, gradient)) = last.as_ref()
            && at.as_slice() == point
        {
            return (*value, gradient.clone());
        }
        let (value, gradient) = (self.function)(point);
        *last = Some((point.to_vec(), value, gradient.clone()));
        (value, gradient)
    }
}

impl<F: Fn(&[f64]) -> (f64, Vec<f64>)> CostFunction for Smooth<'_, F> {
    type Param = Vec<f64>;
    type Output = f64;

    fn cost(&self, point: &Self::Param) -> Result<f64, argmin::core::Error> {
        Ok(self.evaluate(point).0)
    }
}

impl<F: Fn(&[f64]) -> (f64, Vec<f64>)> Gradient for Smooth<'_, F> {
    type Param = Vec<f64>;
    type Gradient = Vec<f64>;

    fn gradient(&self, point: &Self::Param) -> Result<Vec<f64>, argmin::core::Error> {
        Ok(self.evaluate(point).1)
    }
}

/// Minimise a smooth function: L-BFGS from each start until one converges; if none
/// does (a failed line search, an iteration limit), Nelder–Mead restarts from the best
/// point found.
pub fn minimise_smooth<F: Fn(&[f64]) -> (f64, Vec<f64>)>(
    function: &F,
    starts: &[Vec<f64>],
) -> Result<Minimum, argmin::core::Error> {
    let mut best: Option<(Vec<f64>, f64, bool)> = None;
    let mut iterations = 0;
    for start in starts {
        // The objective is a sum over customers: divided by its size at the start it is
        // of order 1, so the first L-BFGS step (the negative gradient) stays in range and
        // the tolerances mean the same for a hundred customers or millions.
        let scale = Some(function(start).0.abs())
            .filter(|v| v.is_finite())
            .map_or(1.0, |v| v.max(1.0));
        let scaled = |p: &[f64]| {
            let (value, gradient) = function(p);
            (
                value / scale,
                gradient.into_iter().map(|g| g / scale).collect(),
            )
        };
        let problem = Smooth {
            function: &scaled,
            last: Mutex::new(None),
        };
        let solver = LBFGS::new(MoreThuenteLineSearch::new(), 7)
            .with_tolerance_grad(1e-10)?
            .with_tolerance_cost(1e-15)?;
        let Ok(result) = Executor::new(problem, solver)
            .configure(|state| state.param(start.clone()).max_iters(500))
            .run()
        else {
            continue;
        };
        let state = result.state();
        iterations += state.get_iter();
        let (Some(point), value) = (state.get_best_param(), state.get_best_cost() * scale) else {
            continue;
        };
        let converged = matches!(
            state.get_termination_reason(),
            Some(TerminationReason::SolverConverged)
        );
        if value.is_finite() && best.as_ref().is_none_or(|b| value < b.1) {
            best = Some((point.clone(), value, converged));
        }
        if converged && best.as_ref().is_some_and(|b| b.1 == value) {
            break;
        }
    }
    if let Some((point, value, true)) = &best {
        return Ok(Minimum {
            point: point.clone(),
            value: *value,
            iterations,
            converged: true,
        });
    }
    let value_only = |p: &[f64]| function(p).0;
    let polish_from = match best {
        Some((point, _, _)) => vec![point],
        None => starts.to_vec(),
    };
    let mut polished = minimise(&value_only, &polish_from, 0.05)?;
    polished.iterations += iterations;
    Ok(polished)
}

/// Minimise `function` from each of `starts` (first simplex of size `step`), restarting
/// from the best point until a restart gains less than 1e-10 (relative).
pub fn minimise<F: Fn(&[f64]) -> f64>(
    function: &F,
    starts: &[Vec<f64>],
    step: f64,
) -> Result<Minimum, argmin::core::Error> {
    let mut best: Option<Minimum> = None;
    let mut iterations = 0;
    for start in starts {
        let found = run(function, start, step)?;
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
    // The tolerance is on the spread of objective values over the simplex, which cannot
    // shrink below the rounding of values of this size.
    let scale = Some(function(start).abs())
        .filter(|v| v.is_finite())
        .map_or(1.0, |v| v.max(1.0));
    let solver = NelderMead::new(simplex).with_sd_tolerance(1e-13 * scale)?;
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

/// Log-parameters beyond this are treated as infinite: the objective is not evaluated.
const LOG_BOX: f64 = 40.0;
/// Log-parameters beyond this count as "at the edge" of the parameter space.
const EDGE: f64 = 15.0;

/// Where a minimum lies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Edge {
    /// Inside the parameter space: an ordinary optimum.
    Interior,
    /// At the edge, where the objective levels off: the limiting model is the optimum
    /// (e.g. BG/NBD with no dropout).
    Limit,
    /// At the edge and still falling outwards: no optimum exists.
    Unbounded,
}

/// Classify a minimum found at `point` (log-parameters, objective `value`): at the edge,
/// minimise again in a box [`WIDER`] larger (`widened` evaluates the objective there);
/// if that still gains, the objective falls without end and there is no optimum.
fn edge_of<F: Fn(&[f64]) -> f64>(widened: &F, point: &[f64], value: f64) -> Edge {
    if point.iter().all(|v| v.abs() <= EDGE) {
        return Edge::Interior;
    }
    let further = minimise(widened, &[point.to_vec()], 1.0).map_or(value, |m| m.value);
    if further < value - 1e-6 * value.abs().max(1.0) {
        Edge::Unbounded
    } else {
        Edge::Limit
    }
}

/// How much further out [`edge_of`] looks.
const WIDER: f64 = 20.0;

/// A maximum-likelihood estimate of positive parameters.
#[derive(Clone, Debug)]
pub struct Estimate {
    /// The parameters.
    pub params: Vec<f64>,
    /// The log-likelihood there.
    pub log_likelihood: f64,
    /// Standard errors (observed information).
    pub standard_errors: Vec<Option<f64>>,
    /// Optimiser iterations.
    pub iterations: u64,
    /// Whether the optimum is a limiting model at the edge of the parameter space.
    pub at_edge: bool,
}

/// Maximise a log-likelihood of positive parameters (`value_and_gradient` takes and
/// differentiates by the natural parameters) by searching their logarithms from `starts`.
/// The error says where the search stopped, naming the parameters by `names`.
pub fn maximise_likelihood<F: Fn(&[f64]) -> (f64, Vec<f64>)>(
    value_and_gradient: &F,
    starts: &[Vec<f64>],
    names: &[&str],
) -> Result<Estimate, String> {
    let bounded = |logs: &[f64], limit: f64| {
        if logs.iter().any(|v| v.abs() > limit) {
            return (f64::INFINITY, vec![0.0; logs.len()]);
        }
        let natural: Vec<f64> = logs.iter().map(|v| v.exp()).collect();
        let (value, gradient) = value_and_gradient(&natural);
        let by_logs = natural.iter().zip(gradient).map(|(v, g)| -v * g).collect();
        (-value, by_logs)
    };
    let found = minimise_smooth(&|logs: &[f64]| bounded(logs, LOG_BOX), starts)
        .map_err(|e| e.to_string())?;
    let params: Vec<f64> = found.point.iter().map(|v| v.exp()).collect();
    let log_likelihood = -found.value;
    let edge = edge_of(
        &|logs: &[f64]| bounded(logs, LOG_BOX + WIDER).0,
        &found.point,
        found.value,
    );
    if !found.converged || !log_likelihood.is_finite() || edge == Edge::Unbounded {
        let why = if edge == Edge::Unbounded {
            "has no optimum: the likelihood keeps rising towards the edge of the parameter space; "
        } else {
            ""
        };
        let at: Vec<String> = names
            .iter()
            .zip(&params)
            .map(|(name, value)| format!("{name} = {value:.4}"))
            .collect();
        return Err(format!(
            "{why}stopped at {} (log-likelihood {log_likelihood:.2}) after {} iterations",
            at.join(", "),
            found.iterations
        ));
    }
    let negative = |natural: &[f64]| {
        if natural.iter().any(|v| *v <= 0.0) {
            return f64::NAN;
        }
        -value_and_gradient(natural).0
    };
    Ok(Estimate {
        standard_errors: standard_errors(&negative, &params),
        params,
        log_likelihood,
        iterations: found.iterations,
        at_edge: edge == Edge::Limit,
    })
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
        let found = minimise(&f, &[vec![0.0, 0.0]], 0.5).unwrap();
        assert!(found.converged);
        assert!((found.point[0] - 1.0).abs() < 1e-6 && (found.point[1] + 3.0).abs() < 1e-6);
        // Hessian diag(4, 16) -> standard errors 1/2 and 1/4.
        let se = standard_errors(&f, &found.point);
        assert!((se[0].unwrap() - 0.5).abs() < 1e-4 && (se[1].unwrap() - 0.25).abs() < 1e-4);
    }

    #[test]
    fn lbfgs_finds_the_minimum_of_a_banana() {
        let f = |p: &[f64]| {
            let (x, y) = (p[0], p[1]);
            let value = (1.0 - x).powi(2) + 100.0 * (y - x * x).powi(2);
            let gradient = vec![
                -2.0 * (1.0 - x) - 400.0 * x * (y - x * x),
                200.0 * (y - x * x),
            ];
            (value, gradient)
        };
        let found = minimise_smooth(&f, &[vec![-1.2, 1.0]]).unwrap();
        assert!(found.converged);
        assert!((found.point[0] - 1.0).abs() < 1e-5 && (found.point[1] - 1.0).abs() < 1e-5);
    }

    #[test]
    fn inverts_a_small_matrix() {
        let inverse = invert(vec![vec![4.0, 7.0], vec![2.0, 6.0]]).unwrap();
        assert!((inverse[0][0] - 0.6).abs() < 1e-12 && (inverse[0][1] + 0.7).abs() < 1e-12);
        assert!(invert(vec![vec![1.0, 2.0], vec![2.0, 4.0]]).is_none());
    }
}
