//! What the CLV models fitted, as notes for stderr and as the `--fit-report` JSON.

use serde::Serialize;

use super::bgnbd::{BgNbd, BgNbdFit};
use super::gamma_gamma::{GammaGamma, GammaGammaFit};

/// Said when a fit's optimum is a limiting model.
const EDGE_NOTE: &str = "the {model} optimum lies at the edge of the parameter space (a parameter is effectively 0 or infinite, e.g. no dropout, or all customers alike); the limiting model is used and its standard errors mean nothing";

/// Correlation of frequency and spend above which Gamma-Gamma's independence assumption
/// is called doubtful.
const DOUBTFUL_CORRELATION: f64 = 0.3;

/// What was fitted, for the notes on stderr and `--fit-report`.
#[derive(Clone, Debug, Serialize)]
pub struct FitReport {
    /// The model's time unit.
    pub time_unit: &'static str,
    /// Projection horizon in days.
    pub horizon_days: u32,
    /// Annual discount rate.
    pub discount_rate: f64,
    /// BG/NBD parameters in force.
    pub bgnbd: BgNbd,
    /// The BG/NBD fit (null when the parameters were fixed in the config).
    pub bgnbd_fit: Option<BgNbdFit>,
    /// Gamma-Gamma parameters in force.
    pub gamma_gamma: GammaGamma,
    /// The Gamma-Gamma fit (null when fixed).
    pub gamma_gamma_fit: Option<GammaGammaFit>,
}

/// One line per model: parameters with standard errors, log-likelihood, data size.
pub fn fit_notes(report: &FitReport) -> Vec<String> {
    let se = |v: Option<f64>| v.map_or("n/a".to_string(), |v| format!("{v:.4}"));
    let mut notes = Vec::new();
    let m = &report.bgnbd;
    match &report.bgnbd_fit {
        Some(fit) => notes.push(format!(
            "BG/NBD fit ({}): r = {:.4} (± {}), α = {:.4} (± {}), a = {:.4} (± {}), b = {:.4} (± {}); log-likelihood {:.4}; {} customers, {} repeat buyers",
            report.time_unit,
            m.r, se(fit.standard_errors.r),
            m.alpha, se(fit.standard_errors.alpha),
            m.a, se(fit.standard_errors.a),
            m.b, se(fit.standard_errors.b),
            fit.log_likelihood, fit.customers, fit.repeat_buyers
        )),
        None => notes.push(format!(
            "BG/NBD parameters fixed by the config ({}): r = {}, α = {}, a = {}, b = {}",
            report.time_unit, m.r, m.alpha, m.a, m.b
        )),
    }
    if report.bgnbd_fit.as_ref().is_some_and(|f| f.at_edge) {
        notes.push(EDGE_NOTE.replace("{model}", "BG/NBD"));
    }
    let g = &report.gamma_gamma;
    if report.gamma_gamma_fit.as_ref().is_some_and(|f| f.at_edge) {
        notes.push(EDGE_NOTE.replace("{model}", "Gamma-Gamma"));
    }
    match &report.gamma_gamma_fit {
        Some(fit) => {
            let correlation = fit
                .frequency_spend_correlation
                .map_or("n/a".into(), |c| format!("{c:.3}"));
            notes.push(format!(
                "Gamma-Gamma fit: p = {:.4} (± {}), q = {:.4} (± {}), γ = {:.4} (± {}); log-likelihood {:.4}; {} repeat buyers; frequency–spend correlation {correlation}",
                g.p, se(fit.standard_errors.p),
                g.q, se(fit.standard_errors.q),
                g.gamma, se(fit.standard_errors.gamma),
                fit.log_likelihood, fit.customers
            ));
            if fit
                .frequency_spend_correlation
                .is_some_and(|c| c.abs() > DOUBTFUL_CORRELATION)
            {
                notes.push(
                    "spend per purchase is correlated with frequency: the Gamma-Gamma independence assumption is doubtful, treat expected spend with care"
                        .into(),
                );
            }
        }
        None => notes.push(format!(
            "Gamma-Gamma parameters fixed by the config: p = {}, q = {}, γ = {}",
            g.p, g.q, g.gamma
        )),
    }
    notes
}
