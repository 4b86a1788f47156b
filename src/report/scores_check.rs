//! What `report --scores` checks before it describes a tier file with the options in
//! force: the money digits the file is written in, and that its tiers, clusters, options
//! and quantile scores are ones those options give.

use polars::prelude::*;

use super::previous::{OPTIONS_COLUMN, Table};
use crate::error::TieringError;
use crate::scorers::rfm::proves_other_bins;
use crate::scorers::{ScoreContext, Scorer};

/// The digits after the decimal point the money cells are written with (cells without a
/// point are whole amounts and fit any); more than one count is refused, since one cell
/// in another form would change how every amount is read.
pub(super) fn money_digits(
    table: &Table,
    money: &[String],
    file: &str,
) -> Result<u32, TieringError> {
    let columns: Vec<usize> = money.iter().filter_map(|m| table.position(m)).collect();
    let mut digits = std::collections::BTreeSet::new();
    for row in &table.rows {
        for &at in &columns {
            if let Some((_, fraction)) = row[at].as_deref().and_then(|c| c.split_once('.')) {
                digits.insert(fraction.len().min(6) as u32);
            }
        }
    }
    match digits.len() {
        0 => Ok(0),
        1 => Ok(*digits.first().unwrap_or(&0)),
        _ => Err(TieringError::usage(
            format!(
                "`{file}` writes amounts with {} decimals",
                digits
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(" and ")
            ),
            Some("pass the currency's digits with --currency-decimals".into()),
        )),
    }
}

/// The file's tiers must be tiers of the scorer under the settings in force, and its
/// quantile scores within the bins: otherwise it was scored with other options, and the
/// report would describe it with the wrong ones.
pub(super) fn check_groups(
    scorer: &dyn Scorer,
    customers: &DataFrame,
    ctx: &ScoreContext,
    file: &str,
) -> anyhow::Result<()> {
    let hint = || {
        Some(format!(
            "pass the options the scores were computed with (this report: {})",
            scorer.describe(ctx)
        ))
    };
    if let Some(options) = customers
        .column(OPTIONS_COLUMN)
        .ok()
        .and_then(|c| c.str().ok()?.get(0).map(str::to_string))
        && options != scorer.options_key(ctx)
    {
        return Err(TieringError::usage(
            format!("`{file}` was scored with other options ({options})"),
            hint(),
        )
        .into());
    }
    let known = scorer.group_order(ctx);
    // Groups a fitted model formed (clusters) must be the settings' groups, all of them.
    if let Some(formed) = &ctx.formed_groups
        && *formed != known
    {
        return Err(TieringError::usage(
            format!(
                "`{file}` holds the groups {}; these options give {}",
                formed.join(", "),
                known.join(", ")
            ),
            hint(),
        )
        .into());
    }
    let ids = customers.column(scorer.group().id)?.str()?;
    let mut unknown: Vec<&str> = ids
        .iter()
        .flatten()
        .filter(|id| !known.iter().any(|k| k == id))
        .collect();
    unknown.sort_unstable();
    unknown.dedup();
    if !unknown.is_empty() {
        return Err(TieringError::usage(
            format!(
                "`{file}` has tiers the {} scorer does not give with these options: {}",
                scorer.name(),
                unknown.join(", ")
            ),
            hint(),
        )
        .into());
    }
    if let Some(bins) = scorer.quantile_bins(ctx) {
        let scores = ScoresRead::of(customers)?;
        if let Some((score, bad)) = scores.below_one() {
            return Err(TieringError::usage(
                format!("`{file}` has {score} {bad}, outside the {bins} bins of this report"),
                hint(),
            )
            .into());
        }
        if proves_other_bins(&scores.revenues, scores.max_score, scores.max_m, bins) {
            return Err(TieringError::usage(
                format!(
                    "`{file}` was scored with other bins than this report's {bins} (scores up to {})",
                    scores.max_score
                ),
                hint(),
            )
            .into());
        }
    }
    Ok(())
}

/// The R/F/M scores of a tier file and its purchasers' revenues.
struct ScoresRead {
    /// The lowest score of each present score column, when below 1.
    lowest: Vec<(&'static str, i64)>,
    max_score: i64,
    max_m: i64,
    revenues: Vec<i64>,
}

impl ScoresRead {
    fn of(customers: &DataFrame) -> PolarsResult<Self> {
        let int = |name: &str| -> PolarsResult<Option<Int64Chunked>> {
            match customers.column(name) {
                Ok(c) => Ok(Some(c.cast(&DataType::Int64)?.i64()?.clone())),
                Err(_) => Ok(None),
            }
        };
        let mut read = ScoresRead {
            lowest: Vec::new(),
            max_score: 0,
            max_m: 0,
            revenues: Vec::new(),
        };
        for score in ["r_score", "f_score", "m_score"] {
            let Some(values) = int(score)? else {
                continue;
            };
            if let Some(low) = values.min().filter(|v| *v < 1) {
                read.lowest.push((score, low));
            }
            let high = values.max().unwrap_or(0);
            read.max_score = read.max_score.max(high);
            if score == "m_score" {
                read.max_m = high;
            }
        }
        if let (Some(revenue), Some(orders)) = (int("revenue")?, int("orders")?) {
            read.revenues = revenue
                .iter()
                .zip(orders.iter())
                .filter(|(_, o)| o.unwrap_or(0) > 0)
                .filter_map(|(r, _)| r)
                .collect();
        }
        Ok(read)
    }

    fn below_one(&self) -> Option<(&'static str, i64)> {
        self.lowest.first().copied()
    }
}
