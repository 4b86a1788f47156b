//! Exact "at least / at most a factor of" comparisons between money columns.
//!
//! Thresholds such as "recent revenue at least 1.1 × previous" are configured as floats,
//! but comparing `recent ≥ previous × 1.1` in floating point misplaces customers on the
//! boundary (11000 against 10000 × 1.1 = 11000.000000000002). The factor is fixed to
//! millionths once and the comparison made on integer cents in 128 bits.

use polars::prelude::*;

/// Factors are exact to this many parts.
const SCALE: i64 = 1_000_000;

/// The factor in millionths, rounded to the nearest.
fn millionths(factor: f64) -> i64 {
    (factor * SCALE as f64).round() as i64
}

fn wide(expr: Expr) -> Expr {
    expr.cast(DataType::Int128)
}

fn scaled(whole: Expr, factor: f64) -> Expr {
    wide(whole) * lit(millionths(factor)).cast(DataType::Int128)
}

fn unit(part: Expr) -> Expr {
    wide(part) * lit(SCALE).cast(DataType::Int128)
}

/// `part ≥ factor × whole`, exactly.
pub fn at_least(part: Expr, whole: Expr, factor: f64) -> Expr {
    unit(part).gt_eq(scaled(whole, factor))
}

/// `part ≤ factor × whole`, exactly.
pub fn at_most(part: Expr, whole: Expr, factor: f64) -> Expr {
    unit(part).lt_eq(scaled(whole, factor))
}

/// `part > factor × whole`, exactly.
pub fn above(part: Expr, whole: Expr, factor: f64) -> Expr {
    unit(part).gt(scaled(whole, factor))
}

/// `part < factor × whole`, exactly.
pub fn below(part: Expr, whole: Expr, factor: f64) -> Expr {
    unit(part).lt(scaled(whole, factor))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(expr: Expr, part: i64, whole: i64) -> bool {
        df!("part" => [part], "whole" => [whole])
            .unwrap()
            .lazy()
            .select([expr.alias("out")])
            .collect()
            .unwrap()
            .column("out")
            .unwrap()
            .bool()
            .unwrap()
            .get(0)
            .unwrap()
    }

    #[test]
    fn boundary_is_exact_where_floats_are_not() {
        // In f64, 700 × 1.1 = 770.0000000000001 and 700 × (1 − 0.3) = 489.99999999999994.
        let (previous, growth, decline) = (std::hint::black_box(700f64), 0.1, 0.3);
        assert!(previous * (1.0 + growth) > 770.0);
        assert!(previous * (1.0 - decline) < 490.0);
        let (part, whole) = (col("part"), col("whole"));
        assert!(check(at_least(part.clone(), whole.clone(), 1.1), 770, 700));
        assert!(!check(at_least(part.clone(), whole.clone(), 1.1), 769, 700));
        assert!(check(
            at_most(part.clone(), whole.clone(), 1.0 - 0.3),
            490,
            700
        ));
        assert!(!check(
            below(part.clone(), whole.clone(), 1.0 - 0.3),
            490,
            700
        ));
        assert!(check(above(part, whole, 1.0 - 0.3), 491, 700));
    }

    #[test]
    fn large_sums_do_not_overflow() {
        let big = i64::MAX / 2;
        assert!(check(at_least(col("part"), col("whole"), 0.5), big, big));
        assert!(!check(below(col("part"), col("whole"), 0.8), big, big));
    }
}
