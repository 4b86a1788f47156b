//! Numbers in `tiering.toml` checked as they are read, so the error names the key and its
//! line (the TOML parser adds both): NaN, infinities, negative costs and values out of
//! range are refused instead of turning silently into 0 or raising profit.

use serde::{Deserialize, Deserializer, de::Error};

/// The largest money amount per unit accepted (currency units): larger is a typo.
const MAX_MONEY_RATE: f64 = 1e9;

fn finite<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    let value = f64::deserialize(deserializer)?;
    if value.is_finite() {
        Ok(value)
    } else {
        Err(D::Error::custom(format!(
            "must be a finite number, not {value}"
        )))
    }
}

fn within<'de, D: Deserializer<'de>>(
    deserializer: D,
    low: f64,
    high: f64,
    why: &str,
) -> Result<f64, D::Error> {
    let value = finite(deserializer)?;
    if (low..=high).contains(&value) {
        Ok(value)
    } else {
        Err(D::Error::custom(format!(
            "{value} is out of range: {why} ({low} to {high})"
        )))
    }
}

/// Money per order, return line or unit: a cost, never negative.
pub fn money_rate<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    within(
        deserializer,
        0.0,
        MAX_MONEY_RATE,
        "a cost per unit in currency units, never negative",
    )
}

/// A period length in days: at least one (a zero-day period compares nothing), at most
/// a century.
pub fn period_days<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
    let value = u32::deserialize(deserializer)?;
    if (1..=36_500).contains(&value) {
        Ok(value)
    } else {
        Err(D::Error::custom(format!(
            "{value} is out of range: a period in days (1 to 36500)"
        )))
    }
}

/// A share in percent.
pub fn percent<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    within(deserializer, 0.0, 100.0, "a percentage, e.g. 80")
}

/// A factor's weight.
pub fn weight<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    within(deserializer, 0.0, 1.0, "a weight; all weights sum to 1")
}

/// A yearly or per-period rate (cost of capital, discount rate).
pub fn rate<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    within(deserializer, 0.0, 10.0, "a rate per year, e.g. 0.08")
}

/// A share of a whole (a probability, a growth or decline fraction).
pub fn fraction<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    within(deserializer, 0.0, 1.0, "a fraction, e.g. 0.2 for 20%")
}

/// A multiple of a customer's usual gap between purchases.
pub fn gap_ratio<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    within(
        deserializer,
        0.0,
        1000.0,
        "a multiple of the usual gap, e.g. 1.5",
    )
}

/// A growth fraction (may exceed 1: revenue tripling is growth 2). Trends compare
/// exactly at millionths (scorers/ratio.rs), so finer values are refused.
pub fn growth<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    to_millionths(within(
        deserializer,
        0.0,
        1000.0,
        "a growth fraction, e.g. 0.2 for 20%",
    )?)
}

/// A decline fraction (0.2: revenue down 20% or more), exact to millionths.
pub fn decline<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    to_millionths(within(
        deserializer,
        0.0,
        1.0,
        "a fraction, e.g. 0.2 for 20%",
    )?)
}

fn to_millionths<E: Error>(value: f64) -> Result<f64, E> {
    let scaled = value * 1e6;
    if (scaled - scaled.round()).abs() > 1e-6 * scaled.abs().max(1.0) {
        return Err(E::custom(format!(
            "{value} has more than 6 decimals; limits are compared to the millionth"
        )));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    struct Costs {
        #[serde(deserialize_with = "super::money_rate")]
        per_order: f64,
    }

    fn read(text: &str) -> Result<f64, String> {
        toml::from_str::<Costs>(text)
            .map(|c| c.per_order)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn bad_numbers_are_refused_with_their_line() {
        assert_eq!(read("per_order = 1.5"), Ok(1.5));
        for bad in ["nan", "inf", "-inf", "-15", "1e11"] {
            let error = read(&format!("\nper_order = {bad}")).unwrap_err();
            assert!(error.contains("line 2"), "{bad}: {error}");
        }
    }
}
