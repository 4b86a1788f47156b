//! `--budget`: a period's budget split across tiers by their effort weights, and within a
//! tier across its customers (equally, or in proportion to their net revenue), exactly to
//! the minor unit — every split sums to what it splits.

use polars::prelude::*;

/// How a tier's budget is shared among its customers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum BudgetSplit {
    /// The same for every customer of the tier.
    #[default]
    Equal,
    /// In proportion to each customer's net revenue (negative counts as 0; equal when the
    /// tier has none).
    Value,
}

/// The budget of one report.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    /// Minor units for the period.
    pub total: i64,
    /// Within a tier.
    pub split: BudgetSplit,
}

/// `total` (≥ 0) split in proportion to `weights` (≥ 0): each part the floor of its exact
/// quota, the units left over one each to the largest remainders (ties: the earlier
/// part). All weights 0: equal weights.
pub fn apportion(total: i64, weights: &[i128]) -> Vec<i64> {
    if weights.is_empty() {
        return Vec::new();
    }
    let mut weights = weights.to_vec();
    if weights.iter().all(|w| *w <= 0) {
        weights.iter_mut().for_each(|w| *w = 1);
    }
    let sum: i128 = weights.iter().map(|w| (*w).max(0)).sum();
    let total = i128::from(total);
    let mut parts: Vec<i64> = Vec::with_capacity(weights.len());
    let mut remainders: Vec<(i128, usize)> = Vec::with_capacity(weights.len());
    for (i, w) in weights.iter().enumerate() {
        let exact = total * (*w).max(0);
        parts.push((exact / sum) as i64);
        remainders.push((exact % sum, i));
    }
    let left = total - parts.iter().map(|p| i128::from(*p)).sum::<i128>();
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, i) in remainders.into_iter().take(left as usize) {
        parts[i] += 1;
    }
    parts
}

/// Effort shares (0–1) as integer weights in millionths.
pub fn effort_weights(shares: &[Option<f64>]) -> Vec<i128> {
    shares
        .iter()
        .map(|s| (s.unwrap_or(0.0) * 1e6).round() as i128)
        .collect()
}

/// Each customer's budget: its tier's budget (`tier_budgets` by tier id) split among the
/// tier's customers in row order. `tiers` and `revenue` are per customer row.
pub fn customer_budgets(
    tiers: &StringChunked,
    revenue: &Int64Chunked,
    tier_budgets: &[(String, i64)],
    split: BudgetSplit,
) -> Vec<i64> {
    let mut budgets = vec![0i64; tiers.len()];
    for (tier, budget) in tier_budgets {
        let rows: Vec<usize> = (0..tiers.len())
            .filter(|&r| tiers.get(r) == Some(tier.as_str()))
            .collect();
        let weights: Vec<i128> = rows
            .iter()
            .map(|&r| match split {
                BudgetSplit::Equal => 1,
                BudgetSplit::Value => i128::from(revenue.get(r).unwrap_or(0).max(0)),
            })
            .collect();
        for (row, part) in rows.iter().zip(apportion(*budget, &weights)) {
            budgets[*row] = part;
        }
    }
    budgets
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_sum_to_the_total_with_the_remainder_to_the_largest_fractions() {
        // 1,000,000.00 over four whales of 200,000 and sixteen of 10,000 (README example).
        let mut weights = vec![20_000_000i128; 4];
        weights.extend(vec![1_000_000i128; 16]);
        let parts = apportion(100_000_000, &weights);
        assert_eq!(parts.iter().sum::<i64>(), 100_000_000);
        assert_eq!(&parts[..4], &[20_833_333; 4]);
        assert_eq!(&parts[4..16], &[1_041_667; 12]);
        assert_eq!(&parts[16..], &[1_041_666; 4]);
    }

    #[test]
    fn no_weight_splits_equally_and_nothing_splits_to_nothing() {
        assert_eq!(apportion(10, &[0, 0, 0]), [4, 3, 3]);
        assert_eq!(apportion(0, &[5, 1]), [0, 0]);
        assert!(apportion(10, &[]).is_empty());
    }
}
