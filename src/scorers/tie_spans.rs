//! Warnings for tie groups that hold a metric's best or worst value and span more than
//! one NTILE bin (DESIGN §5). Under `--ties shared` such a group takes the bin of its first
//! position — 60 customers invoiced on the as-of date all get R = 3, and nobody is a
//! Champion; under `--ties split` equal values get different scores by customer id. Either
//! way the user should hear it and be pointed at absolute breaks.

use polars::prelude::*;

use super::ScoreContext;
use super::ntile::TiePolicy;
use crate::input::money::format_money;

/// NTILE(bins) bucket of 1-based `position` among `n` (DESIGN §5).
pub fn ntile_bucket(position: u64, n: u64, bins: u64) -> u64 {
    let (q, r) = (n / bins, n % bins);
    let in_large = r * (q + 1);
    if position <= in_large {
        (position - 1) / (q + 1) + 1
    } else {
        r + (position - in_large - 1) / q.max(1) + 1
    }
}

/// The warnings for `metric` (scored into `score`) among the purchasers of `customers`.
pub fn extreme_tie_warnings(
    customers: &DataFrame,
    metric: &str,
    score: &str,
    higher_is_better: bool,
    ctx: &ScoreContext,
) -> PolarsResult<Vec<String>> {
    let purchasers = customers
        .clone()
        .lazy()
        .filter(col("orders").gt(lit(0i64)))
        .select([
            col(metric).cast(DataType::Int64),
            col(score).cast(DataType::Int64),
        ])
        .collect()?;
    let values: Vec<i64> = purchasers.column(metric)?.i64()?.iter().flatten().collect();
    let scores = purchasers.column(score)?.i64()?;
    let n = values.len() as u64;
    let bins = u64::from(ctx.bins);
    // With fewer customers than bins, a note already says which scores stay empty.
    if n < 2 || n < bins {
        return Ok(Vec::new());
    }
    let (Some(&low), Some(&high)) = (values.iter().min(), values.iter().max()) else {
        return Ok(Vec::new());
    };
    let (best, worst) = if higher_is_better {
        (high, low)
    } else {
        (low, high)
    };
    let mut warnings = Vec::new();
    for (which, value) in [("best", best), ("worst", worst)] {
        if which == "worst" && worst == best {
            break;
        }
        let members = values.iter().filter(|v| **v == value).count() as u64;
        // Positions worst to best: the worst group first, the best group last.
        let (first, last) = if which == "best" {
            (n - members + 1, n)
        } else {
            (1, members)
        };
        let (from, to) = (ntile_bucket(first, n, bins), ntile_bucket(last, n, bins));
        if from == to {
            continue;
        }
        let got: Vec<i64> = values
            .iter()
            .zip(scores.iter())
            .filter(|(v, _)| **v == value)
            .filter_map(|(_, s)| s)
            .collect();
        let (lowest, highest) = (
            got.iter().min().copied().unwrap_or(0),
            got.iter().max().copied().unwrap_or(0),
        );
        let received = match ctx.ties {
            TiePolicy::Shared => format!("all get {score} {lowest} (--ties shared)"),
            TiePolicy::Split => {
                format!("get {score} {lowest} to {highest} by customer id alone (--ties split)")
            }
        };
        warnings.push(format!(
            "{members} customers share the {which} {metric}, {}, and {received}, though the group spans bins {from}–{to}; absolute breaks score them by their value: --breaks {metric}=… or [rfm.breaks]{}",
            shown(metric, value, ctx.decimals),
            match ctx.ties {
                TiePolicy::Shared => ", or --ties split",
                TiePolicy::Split => "",
            }
        ));
    }
    Ok(warnings)
}

fn shown(metric: &str, value: i64, decimals: u32) -> String {
    match metric {
        "revenue" => format_money(value, decimals),
        "recency_days" => format!("{value} days"),
        _ => value.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::ntile_bucket;

    #[test]
    fn buckets_match_sql_ntile() {
        let all = |n, bins| {
            (1..=n)
                .map(|p| ntile_bucket(p, n, bins))
                .collect::<Vec<_>>()
        };
        assert_eq!(all(7, 5), [1, 1, 2, 2, 3, 4, 5]);
        assert_eq!(all(3, 5), [1, 2, 3]);
        assert_eq!(all(11, 3), [1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3]);
    }
}
