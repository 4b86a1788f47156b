//! RFM: recency, frequency and monetary NTILE scores (DESIGN §5), the RFM code, a named
//! segment from the ordered segment map, its strategy, and the value range of each
//! customer's bucket so any score can be checked by hand.

use super::columns::{ColumnType, OutputColumn, typed};
use polars::prelude::*;

use super::breaks::score_expr;
use super::ntile::{bucket, with_position};
use super::{
    RowNumbers, ScoreContext, Scored, Scorer, ScorerSettings, collect_scored, fill_no_purchase,
    left_join,
};
use crate::input::lines::col_names::CUSTOMER_ID;
use crate::lang::Lang;
use crate::summary::GroupColumns;

/// The RFM scorer.
pub struct RfmScorer;

/// One RFM dimension: its score column, the metric behind it, and the bucket range columns.
pub(super) struct Dimension {
    pub(super) score: &'static str,
    pub(super) metric: &'static str,
    pub(super) higher_is_better: bool,
    pub(super) from: &'static str,
    pub(super) to: &'static str,
}

pub(super) const DIMENSIONS: [Dimension; 3] = [
    Dimension {
        score: "r_score",
        metric: "recency_days",
        higher_is_better: false,
        from: "r_from",
        to: "r_to",
    },
    Dimension {
        score: "f_score",
        metric: "orders",
        higher_is_better: true,
        from: "f_from",
        to: "f_to",
    },
    Dimension {
        score: "m_score",
        metric: "revenue",
        higher_is_better: true,
        from: "m_from",
        to: "m_to",
    },
];

impl Dimension {
    fn ascending_goodness(&self) -> Expr {
        if self.higher_is_better {
            col(self.metric)
        } else {
            lit(0i64) - col(self.metric)
        }
    }

    /// Bucket -> lowest and highest metric value in it.
    fn ranges(&self, scored: LazyFrame) -> LazyFrame {
        scored.group_by([col(self.score)]).agg([
            col(self.metric).min().alias(self.from),
            col(self.metric).max().alias(self.to),
            len().cast(DataType::Int64).alias("customers"),
        ])
    }
}

impl Scorer for RfmScorer {
    fn name(&self) -> &'static str {
        "rfm"
    }

    fn describe(&self, ctx: &ScorerSettings) -> String {
        let mut text = match ctx.lang {
            Lang::En => format!("{} bins, ties {}", ctx.bins, ctx.ties.name()),
            Lang::Zh => format!(
                "{} 档，并列值{}",
                ctx.bins,
                match ctx.ties {
                    super::ntile::TiePolicy::Shared => "同档",
                    super::ntile::TiePolicy::Split => "按客户编号拆分",
                }
            ),
        };
        if ctx.breaks.any() {
            let word = match ctx.lang {
                Lang::En => ", breaks",
                Lang::Zh => "，固定分界",
            };
            text.push_str(&format!("{word} {}", ctx.breaks.describe()));
        }
        text
    }

    fn columns(&self, _settings: &ScorerSettings) -> Vec<OutputColumn> {
        use ColumnType::{Integer, Money, Text};
        typed(&[
            ("r_score", Integer),
            ("f_score", Integer),
            ("m_score", Integer),
            ("rfm_code", Text),
            ("segment_id", Text),
            ("segment", Text),
            ("strategy", Text),
            ("r_from", Integer),
            ("r_to", Integer),
            ("f_from", Integer),
            ("f_to", Integer),
            ("m_from", Money),
            ("m_to", Money),
        ])
    }

    fn score(&self, customers: LazyFrame, ctx: &ScoreContext) -> anyhow::Result<Scored> {
        let lookup = ctx
            .segments
            .lookup_table(ctx.bins, &ctx.playbook, ctx.lang)?;
        let customers = collect_scored(customers)?;
        Ok(Scored::from(
            match super::rfm_direct::scored(&customers, &lookup, ctx)? {
                Some(scored) => scored.lazy(),
                None => {
                    let scored = planned(customers.lazy(), lookup.lazy(), ctx)?;
                    fill_no_purchase(scored, self.group(), ctx)
                }
            },
        ))
    }

    /// Some bins can stay empty: above n when there are fewer customers than bins, and
    /// under shared ties where a group of equal values takes the bins it spans. Say which,
    /// so nobody thinks a row is lost.
    fn threshold_notes(
        &self,
        thresholds: &DataFrame,
        ctx: &ScoreContext,
    ) -> PolarsResult<Vec<String>> {
        let scores: Vec<i64> = thresholds
            .column("score")?
            .i64()?
            .iter()
            .flatten()
            .collect();
        let bins = scores.len() as i64;
        let n: i64 = thresholds
            .column("r_customers")?
            .i64()?
            .iter()
            .flatten()
            .sum();
        let mut notes = Vec::new();
        if n < bins {
            notes.push(format!(
                "only {} for {bins} bins: scores above {n} stay empty",
                crate::plural::count(n as u64, "purchasing customer", "purchasing customers")
            ));
        }
        for (dimension, column, metric) in [
            ("r", "r_customers", "recency_days"),
            ("f", "f_customers", "orders"),
            ("m", "m_customers", "revenue"),
        ] {
            // Under absolute breaks an empty bin is a range nobody falls in, not a tie.
            if ctx.breaks.of(metric).is_some() {
                continue;
            }
            let counts = thresholds.column(column)?.i64()?;
            let empty: Vec<String> = scores
                .iter()
                .zip(counts.iter())
                .filter(|(score, count)| count.is_none() && **score <= n)
                .map(|(score, _)| score.to_string())
                .collect();
            if !empty.is_empty() {
                let (noun, verb) = if empty.len() == 1 {
                    ("bin", "is")
                } else {
                    ("bins", "are")
                };
                notes.push(format!(
                    "{dimension}_score {noun} {} {verb} empty: customers with equal values share a score (--ties {})",
                    empty.join(", "),
                    ctx.ties.name()
                ));
            }
        }
        Ok(notes)
    }

    fn threshold_money_columns(&self) -> Vec<&'static str> {
        vec!["revenue_min", "revenue_max"]
    }

    fn group(&self) -> GroupColumns {
        GroupColumns {
            id: "segment_id",
            label: "segment",
        }
    }

    fn lapsed_groups(&self, _ctx: &ScoreContext) -> Vec<String> {
        vec!["lost".into()]
    }

    fn group_order(&self, ctx: &ScoreContext) -> Vec<String> {
        ctx.segments.ids().into_iter().map(str::to_string).collect()
    }

    fn value_order(&self, ctx: &ScoreContext) -> Vec<String> {
        // Checked when the settings are resolved.
        ctx.segments
            .value_order()
            .unwrap_or_else(|_| self.group_order(ctx))
    }

    fn stable_purchasers(&self, ctx: &ScorerSettings) -> u64 {
        // Ten customers per quantile bin, below which scores move with every order.
        10 * u64::from(ctx.bins)
    }

    fn quantile_bins(&self, ctx: &ScorerSettings) -> Option<u32> {
        Some(ctx.bins)
    }

    fn own_options(&self) -> &'static [&'static str] {
        &["--bins", "--ties", "--breaks"]
    }

    fn sql_refusal(&self) -> Option<&'static str> {
        None
    }

    fn sql(
        &self,
        d: crate::sql::dialect::Dialect,
        ctx: &ScorerSettings,
        _export: &[String],
    ) -> anyhow::Result<(String, Vec<String>)> {
        crate::sql::scoring::rfm(d, ctx)
    }

    fn signature_column(&self) -> &'static str {
        "rfm_code"
    }

    fn group_title(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => "Segment",
            Lang::Zh => "客户分群",
        }
    }

    fn thresholds(&self, scored: LazyFrame, ctx: &ScoreContext) -> LazyFrame {
        let purchasers = scored.filter(col("orders").gt(lit(0i64)));
        let bins: Vec<i64> = (1..=i64::from(ctx.bins)).collect();
        let mut table = df!("score" => bins).expect("static frame").lazy();
        for dimension in &DIMENSIONS {
            let ranges = dimension.ranges(purchasers.clone()).select([
                col(dimension.score).alias("score"),
                col("customers").alias(format!("{}_customers", &dimension.score[..1])),
                col(dimension.from).alias(format!("{}_min", dimension.metric)),
                col(dimension.to).alias(format!("{}_max", dimension.metric)),
            ]);
            table = left_join(table, ranges, &["score"]);
            if ctx.breaks.of(dimension.metric).is_some() {
                let rules: Vec<String> = (1..=ctx.bins)
                    .filter_map(|score| ctx.breaks.rule(dimension.metric, score, ctx.bins))
                    .collect();
                table = table.with_column(
                    lit(Series::new("rule".into(), rules))
                        .alias(format!("{}_rule", dimension.metric)),
                );
            }
        }
        table.sort(["score"], SortMultipleOptions::default())
    }

    fn warnings(&self, customers: &DataFrame, ctx: &ScoreContext) -> PolarsResult<Vec<String>> {
        let mut warnings = Vec::new();
        for d in DIMENSIONS
            .iter()
            .filter(|d| ctx.breaks.of(d.metric).is_none())
        {
            warnings.extend(super::tie_spans::extreme_tie_warnings(
                customers,
                d.metric,
                d.score,
                d.higher_is_better,
                ctx,
            )?);
        }
        Ok(warnings)
    }
}

/// The RFM scores, bucket ranges and segments of `customers` as a polars plan: the
/// definition [`super::rfm_direct`] is held to, and the path for frames it does not take.
/// Customers without a purchase keep nulls.
pub(super) fn planned(
    customers: LazyFrame,
    lookup: LazyFrame,
    ctx: &ScoreContext,
) -> PolarsResult<LazyFrame> {
    let (customers, rows) = RowNumbers::add(customers)?;
    let scored = scored_purchasers(customers.clone(), &rows, ctx);
    let mut explained =
        scored
            .clone()
            .select([rows.col(), col("r_score"), col("f_score"), col("m_score")]);
    for dimension in &DIMENSIONS {
        let ranges = dimension.ranges(scored.clone()).select([
            col(dimension.score),
            col(dimension.from),
            col(dimension.to),
        ]);
        explained = left_join(explained, ranges, &[dimension.score]);
    }
    explained = left_join(explained, lookup, &["r_score", "f_score", "m_score"]);
    Ok(rows.join_back(customers, explained))
}

/// Purchasing customers with r_score, f_score and m_score.
fn scored_purchasers(customers: LazyFrame, rows: &RowNumbers, ctx: &ScoreContext) -> LazyFrame {
    let mut frame = customers
        .filter(col("orders").gt(lit(0i64)))
        .select([
            rows.col(),
            col(CUSTOMER_ID),
            col("recency_days"),
            col("orders"),
            col("revenue"),
        ])
        // n as its own column: a scalar len() repeated inside one expression trips polars' CSE.
        .with_column(len().cast(DataType::Int64).alias("__n"));
    for d in &DIMENSIONS {
        if let Some(breaks) = ctx.breaks.of(d.metric) {
            frame = frame.with_column(
                score_expr(col(d.metric), breaks, !d.higher_is_better, ctx.bins).alias(d.score),
            );
            continue;
        }
        frame = with_position(
            frame,
            d.ascending_goodness(),
            CUSTOMER_ID,
            ctx.ties,
            "__position",
        );
        frame = frame.with_column(bucket(col("__position"), col("__n"), ctx.bins).alias(d.score));
    }
    frame.drop(by_name(["__position", "__n"], false, false))
}

/// Whether a tier file's R/F/M scores prove it was scored with another bin count than
/// `bins`: a score above it, or, with at least `bins` purchasers, the one purchaser with
/// the highest revenue below the top M bin (any tie policy gives that purchaser the top
/// bin; when several share the highest revenue, shared ties may not, so nothing is proved).
pub fn proves_other_bins(revenues: &[i64], max_score: i64, max_m: i64, bins: u32) -> bool {
    let bins = i64::from(bins);
    let top = revenues.iter().max();
    let top_is_alone = top.is_some_and(|t| revenues.iter().filter(|r| *r == t).count() == 1);
    max_score > bins || (revenues.len() as i64 >= bins && top_is_alone && max_m != bins)
}

#[cfg(test)]
mod tests {
    use super::proves_other_bins;

    #[test]
    fn other_bins_are_proved_by_a_high_score_or_a_lone_top_customer() {
        let revenues = [500, 300, 200, 100, 50];
        // A score above the bins.
        assert!(proves_other_bins(&revenues, 6, 5, 5));
        // The lone top customer scored 3 of 5: three bins.
        assert!(proves_other_bins(&revenues, 3, 3, 5));
        assert!(!proves_other_bins(&revenues, 5, 5, 5));
        // Two customers share the top revenue (shared ties may give them less): no proof.
        assert!(!proves_other_bins(&[500, 500, 200, 100, 50], 3, 3, 5));
        // Fewer purchasers than bins: no proof.
        assert!(!proves_other_bins(&[500, 300], 2, 2, 5));
    }
}
