//! `[profit]`: the cost-to-serve parts, weighted factors and tier cuts of the profit
//! scorer, as the config file gives them, and their validation.

use serde::Deserialize;

use crate::error::TieringError;
use crate::scorers::pareto::parse_cuts;

/// A factor's direction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Larger values score higher.
    #[default]
    Higher,
    /// Smaller values score higher.
    Lower,
}

/// One weighted factor.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Factor {
    /// Any numeric column: a metric, `return_rate`, or a customer-export column.
    pub metric: String,
    /// Weight; all weights sum to 1.
    #[serde(deserialize_with = "crate::config_numbers::weight")]
    pub weight: f64,
    /// higher or lower is better.
    #[serde(default)]
    pub direction: Direction,
}

/// Cost per unit of a customer-export column (tickets × cost per ticket, or a cost
/// column itself with `per_unit = 1`).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerCost {
    /// Column of the customer export.
    pub column: String,
    /// Money per unit.
    #[serde(deserialize_with = "crate::config_numbers::money_rate")]
    pub per_unit: f64,
}

/// Capital tied up by payment terms: revenue × days / 365 × annual rate.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapitalCost {
    /// Column of the customer export with receivable (payment) days.
    pub days_column: String,
    /// Annual cost of capital, e.g. 0.08.
    #[serde(deserialize_with = "crate::config_numbers::rate")]
    pub annual_rate: f64,
}

/// `[profit]`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ProfitSettings {
    /// Money per purchase order.
    #[serde(deserialize_with = "crate::config_numbers::money_rate")]
    pub per_order: f64,
    /// Money per return line.
    #[serde(deserialize_with = "crate::config_numbers::money_rate")]
    pub per_return_line: f64,
    /// Per-customer cost parts from the customer export.
    pub customer_costs: Vec<CustomerCost>,
    /// Capital cost of payment terms.
    pub capital: Option<CapitalCost>,
    /// Weighted factors.
    pub factors: Vec<Factor>,
    /// Tier shares by customers, best first, e.g. "20/30/50".
    pub tiers: String,
}

impl Default for ProfitSettings {
    fn default() -> Self {
        let factor = |metric: &str, weight, direction| Factor {
            metric: metric.into(),
            weight,
            direction,
        };
        ProfitSettings {
            per_order: 0.0,
            per_return_line: 0.0,
            customer_costs: Vec::new(),
            capital: None,
            factors: vec![
                factor("profit", 0.6, Direction::Higher),
                factor("orders", 0.15, Direction::Higher),
                factor("recency_days", 0.15, Direction::Lower),
                factor("return_rate", 0.1, Direction::Lower),
            ],
            tiers: "20/30/50".into(),
        }
    }
}

impl ProfitSettings {
    /// `[profit]` as the config gives it (`file`), else the defaults, validated.
    pub fn resolve(file: Option<&ProfitSettings>) -> Result<ProfitSettings, TieringError> {
        let settings = file.cloned().unwrap_or_default();
        settings.validate()?;
        Ok(settings)
    }

    /// Weights must sum to 1 and the tiers must parse.
    pub fn validate(&self) -> Result<Vec<u32>, TieringError> {
        let sum: f64 = self.factors.iter().map(|f| f.weight).sum();
        if self.factors.is_empty() || (sum - 1.0).abs() > 1e-9 {
            let list: Vec<String> = self
                .factors
                .iter()
                .map(|f| format!("{} {}", f.metric, f.weight))
                .collect();
            return Err(TieringError::config(
                format!(
                    "[profit] factor weights sum to {}, not 1 ({})",
                    (sum * 1e6).round() / 1e6,
                    list.join(", ")
                ),
                Some("make the weights of [[profit.factors]] add up to 1".into()),
            ));
        }
        if let Some(f) = self.factors.iter().find(|f| f.weight < 0.0) {
            return Err(TieringError::config(
                format!("[profit] factor `{}` has a negative weight", f.metric),
                None,
            ));
        }
        parse_cuts(&self.tiers)
            .map_err(|e| TieringError::config(format!("[profit] tiers: {e}"), None))
    }
}
