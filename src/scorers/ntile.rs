//! NTILE bucket scores exactly as DESIGN §5, as polars expressions, so the same numbers
//! come out of DuckDB, Spark or PostgreSQL running `NTILE`/`RANK` over the same order.

use clap::ValueEnum;
use polars::prelude::*;
use serde::Deserialize;

/// How customers with equal values are bucketed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TiePolicy {
    /// Equal values share the bucket of the group's first position (SQL `RANK()`).
    #[default]
    Shared,
    /// Equal values are ordered by customer_id (byte order), then plain NTILE.
    Split,
}

impl TiePolicy {
    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            TiePolicy::Shared => "shared",
            TiePolicy::Split => "split",
        }
    }
}

/// Adds column `name`: the 1-based position of each row when ordered worst to best by
/// `ascending_goodness`, under the tie policy. Under `Split`, equal values are ordered by
/// the `tie_break` column (byte order), which must be unique.
pub fn with_position(
    frame: LazyFrame,
    ascending_goodness: Expr,
    tie_break: &str,
    ties: TiePolicy,
    name: &str,
) -> LazyFrame {
    let rank = |method| {
        ascending_goodness
            .clone()
            .rank(
                RankOptions {
                    method,
                    descending: false,
                },
                None,
            )
            .cast(DataType::Int64)
            .alias(name)
    };
    match ties {
        TiePolicy::Shared => frame.with_column(rank(RankMethod::Min)),
        // Ordinal rank numbers equal values in order of appearance, so sorting by the
        // tie-break first gives the customer_id order within ties.
        TiePolicy::Split => frame
            .sort_by_exprs(
                [ascending_goodness.clone(), col(tie_break)],
                SortMultipleOptions::default().with_maintain_order(true),
            )
            .with_column(rank(RankMethod::Ordinal)),
    }
}

/// NTILE(bins) bucket of 1-based `position` among `n` rows: the first `n mod bins`
/// buckets hold `n div bins + 1` positions, the rest `n div bins`.
pub fn bucket(position: Expr, n: Expr, bins: u32) -> Expr {
    let bins = lit(i64::from(bins));
    let q = n.clone().floor_div(bins.clone());
    let r = n - q.clone() * bins;
    let large = q.clone() + lit(1i64);
    let in_large = r.clone() * large.clone();
    // q is 0 only when n < bins, and then every position is in a large bucket.
    let safe_q = when(q.clone().eq(lit(0i64))).then(lit(1i64)).otherwise(q);
    when(position.clone().lt_eq(in_large.clone()))
        .then((position.clone() - lit(1i64)).floor_div(large) + lit(1i64))
        .otherwise(r + (position - in_large - lit(1i64)).floor_div(safe_q) + lit(1i64))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn buckets(n: i64, bins: u32) -> Vec<i64> {
        let df = df!("p" => (1..=n).collect::<Vec<i64>>()).unwrap();
        let out = df
            .lazy()
            .select([bucket(col("p"), len().cast(DataType::Int64), bins).alias("b")])
            .collect()
            .unwrap();
        out.column("b")
            .unwrap()
            .i64()
            .unwrap()
            .into_no_null_iter()
            .collect()
    }

    #[test]
    fn matches_sql_ntile() {
        assert_eq!(buckets(7, 5), [1, 1, 2, 2, 3, 4, 5]);
        assert_eq!(buckets(10, 5), [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
        assert_eq!(buckets(3, 5), [1, 2, 3]);
        assert_eq!(buckets(1, 5), [1]);
        assert_eq!(buckets(11, 3), [1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3]);
    }
}
