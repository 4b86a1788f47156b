//! Exact arithmetic of the profit scorer: rates, weights, return rates and customer-export
//! numbers as scaled integers, so that every engine (polars and the SQL of `tiering sql`)
//! gives the same digits.

use polars::prelude::*;

use crate::scorers::ScoreContext;

/// Return rates are kept in units of 1/10,000 (4 decimals).
pub const RETURN_RATE_SCALE: i64 = 10_000;
/// Percentiles, points and the score are kept in hundredths (2 decimals).
pub const POINTS_SCALE: i64 = 100;
/// Factor weights are taken to 9 decimals.
pub const WEIGHT_SCALE: i64 = 1_000_000_000;
/// Configured money per unit is taken to a millionth of a minor unit.
pub const MONEY_RATE_SCALE: i64 = 1_000_000;
/// The integer return rate, before it is shown as `return_rate`.
pub(super) const RETURN_RATE_UNITS: &str = "__return_rate_units";

/// A weight as an integer number of 10⁻⁹.
pub fn weight_units(weight: f64) -> i64 {
    (weight * WEIGHT_SCALE as f64).round() as i64
}

/// Money per unit from the config (currency units) as an integer number of millionths of
/// a minor unit, so that `count × rate` is exact.
pub fn money_rate_units(money: f64, decimals: u32) -> i64 {
    (money * 10f64.powi(decimals as i32) * MONEY_RATE_SCALE as f64).round() as i64
}

/// returns / (revenue + returns) in 1/10,000, rounded half to even, exactly (in 128
/// bits, so no customer's amounts can overflow it). Nothing sold: 0 without returns,
/// 1 (everything returned) with them.
pub(super) fn return_rate_units(returns: Expr, gross: Expr) -> Expr {
    let wide = |e: Expr| e.cast(DataType::Int128);
    when(gross.clone().gt(lit(0i64)))
        .then(
            crate::metrics::half_even_ratio(
                wide(returns.clone()) * lit(RETURN_RATE_SCALE),
                wide(gross),
            )
            .cast(DataType::Int64),
        )
        .when(returns.gt(lit(0i64)))
        .then(lit(RETURN_RATE_SCALE))
        .otherwise(lit(0i64))
}

/// Money (currency units, from the config) × count column -> minor units, rounded half
/// away from zero, in integers.
pub(super) fn money_times(count: Expr, money: f64, ctx: &ScoreContext) -> Expr {
    let rate = money_rate_units(money, ctx.decimals);
    crate::metrics::rounded_ratio(
        count.cast(DataType::Int64).fill_null(lit(0i64)) * lit(rate),
        lit(MONEY_RATE_SCALE),
    )
}

/// Millionths of a unit: how customer-export numbers are taken, exactly.
pub const EXPORT_NUMBER_SCALE: i64 = 1_000_000;

/// A column as an exact count of millionths (Int128): customer-export columns are text,
/// read as plain decimals (`12`, `-3.5`; more than 6 decimals rounded half away from
/// zero, as SQL's CAST to DECIMAL(38, 6) does); an empty cell is null (anything else was
/// refused when the export was read, see `Scorer::export_numbers`). Numbers are scaled.
pub(in crate::scorers) fn export_number(column: &str, schema: &Schema) -> Expr {
    let expr = col(column);
    match schema.get(column) {
        Some(DataType::String) => expr.map(
            |c| {
                let parsed: Int128Chunked = c
                    .str()?
                    .iter()
                    .map(|text| text.and_then(millionths))
                    .collect();
                Ok(parsed.with_name(c.name().clone()).into_column())
            },
            |_, field| Ok(Field::new(field.name().clone(), DataType::Int128)),
        ),
        Some(dtype) if dtype.is_integer() => expr.cast(DataType::Int128) * lit(EXPORT_NUMBER_SCALE),
        _ => (expr.cast(DataType::Float64) * lit(EXPORT_NUMBER_SCALE as f64))
            .round(0, RoundMode::HalfAwayFromZero)
            .cast(DataType::Int128),
    }
}

/// `text` as millionths, rounded half away from zero; None unless a plain decimal.
pub fn millionths(text: &str) -> Option<i128> {
    let text = text.trim();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() && fraction.is_empty() || !all_digits(whole) || !all_digits(fraction) {
        return None;
    }
    if whole.len() > 24 {
        return None;
    }
    let mut value: i128 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let mut fraction_digits = fraction.bytes();
    for _ in 0..6 {
        let digit = fraction_digits.next().map_or(0, |b| i128::from(b - b'0'));
        value = value * 10 + digit;
    }
    if fraction_digits.next().is_some_and(|b| b >= b'5') {
        value += 1;
    }
    Some(if negative { -value } else { value })
}

/// Integer units of 1/`scale` as the nearest float. polars multiplies by the reciprocal
/// of a literal divisor (1429 × 0.01 = 14.290000000000001); rounding gives back the float
/// nearest to the decimal, the one every engine and parser reads for it.
pub(super) fn shown_units(units: Expr, scale: i64) -> Expr {
    let decimals = scale.ilog10();
    (units.cast(DataType::Float64) / lit(scale as f64)).round(decimals, RoundMode::HalfToEven)
}

#[cfg(test)]
mod tests {
    use super::millionths;

    #[test]
    fn export_numbers_are_exact_millionths() {
        assert_eq!(millionths("12"), Some(12_000_000));
        assert_eq!(millionths(" -3.5 "), Some(-3_500_000));
        assert_eq!(millionths("+.25"), Some(250_000));
        assert_eq!(millionths("7."), Some(7_000_000));
        assert_eq!(millionths("0.0000005"), Some(1));
        assert_eq!(millionths("-0.0000005"), Some(-1));
        assert_eq!(millionths("0.00000049"), Some(0));
        for bad in ["", ".", "-", "1,5", "1e3", "n/a", "1.2.3"] {
            assert_eq!(millionths(bad), None, "{bad}");
        }
    }
}
