//! The spread under `revenue_cv_12m`, 12·Σx² − (Σx)² over twelve months' net revenue,
//! exactly at any amount. In 128-bit sums, 12·Σx² wraps from ~2.7e16 currency units in
//! a month, and the coefficient came out NaN; here it is the sum over pairs of months of
//! (xᵢ − xⱼ)² (Lagrange's identity, the same integer), added up in 256 bits and rounded
//! once to the nearest double.

/// 12·Σx² − (Σx)² of `months`, rounded to the nearest double.
pub fn spread(months: &[i64; 12]) -> f64 {
    let mut sum = U256::default();
    for (i, &x) in months.iter().enumerate() {
        for &y in &months[i + 1..] {
            sum.add_square((i128::from(x) - i128::from(y)).unsigned_abs());
        }
    }
    sum.to_f64()
}

/// An unsigned 256-bit integer, `high` · 2¹²⁸ + `low`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct U256 {
    high: u128,
    low: u128,
}

impl U256 {
    fn add(&mut self, high: u128, low: u128) {
        let (low, carry) = self.low.overflowing_add(low);
        self.low = low;
        self.high += high + u128::from(carry);
    }

    /// Add `d`², for `d` < 2⁶⁶ (a difference of two 64-bit integers).
    fn add_square(&mut self, d: u128) {
        // d = a·2⁶⁴ + b: d² = a²·2¹²⁸ + 2ab·2⁶⁴ + b².
        let (a, b) = (d >> 64, d & u128::from(u64::MAX));
        let middle = 2 * a * b;
        self.add(a * a, b * b);
        self.add(middle >> 64, middle << 64);
    }

    /// The nearest double (ties to even).
    fn to_f64(self) -> f64 {
        if self.high == 0 {
            return self.low as f64;
        }
        // The top 128 bits, with a sticky bit for any bit below them: their rounding to
        // 53 bits is the rounding of the whole.
        let shift = 128 - self.high.leading_zeros();
        let (top, below) = if shift == 128 {
            (self.high, self.low)
        } else {
            (
                (self.high << (128 - shift)) | (self.low >> shift),
                self.low & ((1u128 << shift) - 1),
            )
        };
        (top | u128::from(below != 0)) as f64 * 2f64.powi(shift as i32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// 12·Σx² − (Σx)² in 128 bits, for months small enough not to wrap.
    fn narrow(months: &[i64; 12]) -> f64 {
        let sum: i128 = months.iter().map(|&x| i128::from(x)).sum();
        let squares: i128 = months.iter().map(|&x| i128::from(x) * i128::from(x)).sum();
        (12 * squares - sum * sum) as f64
    }

    proptest! {
        #[test]
        fn equals_the_128_bit_formula_where_that_does_not_wrap(
            months in proptest::array::uniform12(-(1i64 << 58)..(1i64 << 58)),
        ) {
            prop_assert_eq!(spread(&months), narrow(&months));
        }
    }

    #[test]
    fn huge_months_by_hand() {
        // One month of x, eleven of 0: 12x² − x² = 11x².
        let x = 5_000_000_000_000_000_000i64; // 5e16 currency units in cents
        let mut months = [0i64; 12];
        months[11] = x;
        let expected = 11.0 * (x as f64) * (x as f64);
        assert!((spread(&months) / expected - 1.0).abs() < 1e-15);
        // Every month at the extremes: 6 of i64::MIN and 6 of i64::MAX differ in 36 pairs
        // by 2⁶⁴ − 1.
        let mut extremes = [i64::MAX; 12];
        extremes[..6].fill(i64::MIN);
        let d = 2f64.powi(64) - 1.0;
        assert_eq!(spread(&extremes), 36.0 * d * d);
    }

    #[test]
    fn rounds_once_to_the_nearest_double() {
        // 2¹²⁸ + 2⁷⁵ + 1 lies just above the midpoint between 2¹²⁸ and the next double
        // (2¹²⁸ + 2⁷⁶): it rounds up, where dropping the low bits would round to even.
        let value = U256 {
            high: 1,
            low: (1u128 << 75) + 1,
        };
        assert_eq!(value.to_f64(), 2f64.powi(128) + 2f64.powi(76));
        let midpoint = U256 {
            high: 1,
            low: 1u128 << 75,
        };
        assert_eq!(midpoint.to_f64(), 2f64.powi(128));
    }
}
