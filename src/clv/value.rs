//! Customer lifetime value over a horizon: expected purchases per 30-day step (BG/NBD)
//! times expected spend per purchase (Gamma-Gamma), each step discounted at an annual
//! rate to its end: `CLV = spend · Σᵢ (E[Y(tᵢ)] − E[Y(tᵢ₋₁)]) / (1 + d)^(tᵢ/365)`,
//! `tᵢ = min(30·i, horizon)` days.

use super::bgnbd::BgNbd;
use super::{Summary, TimeUnit};

/// Days per discounting step.
const STEP_DAYS: u32 = 30;

/// How value is projected.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Horizon {
    /// Length in days.
    pub days: u32,
    /// Annual discount rate (0.1 = 10 %).
    pub discount_rate: f64,
    /// The model's time unit.
    pub unit: TimeUnit,
}

impl Horizon {
    /// Expected purchases over the whole horizon.
    pub fn purchases(&self, model: &BgNbd, s: &Summary) -> Option<f64> {
        model.expected_purchases(s, f64::from(self.days) / self.unit.days())
    }

    /// Discounted expected purchases over the horizon (multiply by spend for CLV).
    pub fn discounted_purchases(&self, model: &BgNbd, s: &Summary) -> Option<f64> {
        let mut total = 0.0;
        let mut before = 0.0;
        let mut day = 0;
        while day < self.days {
            day = (day + STEP_DAYS).min(self.days);
            let cumulative = model.expected_purchases(s, f64::from(day) / self.unit.days())?;
            let factor = (1.0 + self.discount_rate).powf(f64::from(day) / 365.0);
            total += (cumulative - before) / factor;
            before = cumulative;
        }
        Some(total)
    }
}

/// Parse a horizon like `90d`, `13w`, `1y` (365 days) or a plain number of days.
pub fn parse_horizon(text: &str) -> Result<u32, String> {
    let text = text.trim();
    let (number, unit_days) = match text.char_indices().last() {
        Some((i, 'd')) => (&text[..i], 1),
        Some((i, 'w')) => (&text[..i], 7),
        Some((i, 'y')) => (&text[..i], 365),
        _ => (text, 1),
    };
    match number.trim().parse::<u32>() {
        Ok(n) if n > 0 && n <= 100 * 365 / unit_days => Ok(n * unit_days),
        _ => Err(format!(
            "`{text}` is not a horizon; write it as 90d, 13w or 1y"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn horizons() {
        assert_eq!(parse_horizon("90d"), Ok(90));
        assert_eq!(parse_horizon("13w"), Ok(91));
        assert_eq!(parse_horizon("1y"), Ok(365));
        assert_eq!(parse_horizon("45"), Ok(45));
        assert!(parse_horizon("0d").is_err() && parse_horizon("3m").is_err());
    }

    #[test]
    fn without_discounting_the_steps_add_up_to_the_whole_horizon() {
        let model = BgNbd {
            r: 0.243,
            alpha: 4.414,
            a: 0.793,
            b: 2.426,
        };
        let s = Summary {
            x: 3.0,
            t_x: 20.0,
            age: 30.0,
        };
        let flat = Horizon {
            days: 100,
            discount_rate: 0.0,
            unit: TimeUnit::Weeks,
        };
        let whole = flat.purchases(&model, &s).unwrap();
        assert!((flat.discounted_purchases(&model, &s).unwrap() - whole).abs() < 1e-12);
        let discounted = Horizon {
            discount_rate: 0.1,
            ..flat
        };
        assert!(discounted.discounted_purchases(&model, &s).unwrap() < whole);
    }
}
