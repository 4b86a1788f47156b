//! Pareto / ABC classes (DESIGN §5): customers ordered by value descending (ties by
//! customer_id), cumulative value over positive values only, and class A the smallest top
//! set whose cumulative share reaches the first cut — so the customer that crosses 80% is
//! in A. Shares are compared in integer minor units, exactly. Customers with value ≤ 0 are
//! in the last class. `--method computed` takes the limits from the data instead
//! (Ultsch & Lötsch's computed ABC analysis); within B, the same cut again marks
//! upgrade candidates.

use super::columns::{ColumnType, OutputColumn, tier_columns, typed};
use clap::ValueEnum;
use polars::prelude::*;

use crate::cli::ScoreOptions;
use serde::Deserialize;

use super::{
    RowNumbers, ScoreContext, Scored, Scorer, ScorerSettings, TIER_GROUP, fill_no_purchase,
    left_join,
};
use crate::customer_order::id_position;
use crate::error::TieringError;
use crate::input::lines::col_names::CUSTOMER_ID;
use crate::lang::Lang;

/// Which value is ranked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Basis {
    /// Net revenue.
    #[default]
    Revenue,
    /// Revenue minus cost (needs a cost column).
    Profit,
}

/// What the cuts are shares of.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CutBy {
    /// Cumulative share of value (80% of revenue).
    #[default]
    Share,
    /// Share of customers, best first (the top 20% of customers).
    Count,
}

/// Where class limits come from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// The given cuts.
    #[default]
    Fixed,
    /// Limits computed from the curve (Ultsch & Lötsch 2015): A/B at the nearer of the
    /// point closest to (0, 1) and the break-even point, B/C at the submarginal point.
    Computed,
}

/// Pareto options.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParetoSettings {
    /// Ranked value.
    pub basis: Basis,
    /// Increasing cumulative cuts in basis points (8000 = 80%).
    pub cuts: Vec<u32>,
    /// Share of value or of customers.
    pub by: CutBy,
    /// Fixed cuts or computed limits.
    pub method: Method,
}

impl Default for ParetoSettings {
    fn default() -> Self {
        ParetoSettings {
            basis: Basis::Revenue,
            cuts: vec![8000, 9500],
            by: CutBy::Share,
            method: Method::Fixed,
        }
    }
}

/// Parse `80,95` (cumulative cuts) or `70/20/10` (class shares summing to 100) into
/// cumulative basis points.
pub fn parse_cuts(text: &str) -> Result<Vec<u32>, TieringError> {
    let bad = |why: &str| {
        TieringError::usage(
            format!("--cuts `{text}`: {why}"),
            Some("write cumulative cuts like 80,95 or class shares like 70/20/10".into()),
        )
    };
    let shares = text.contains('/');
    let parts: Vec<u32> = text
        .split([',', '/'])
        .map(|p| percent_to_basis_points(p.trim()).ok_or_else(|| bad("not a percentage")))
        .collect::<Result<_, _>>()?;
    let cuts: Vec<u32> = if shares {
        if parts.iter().sum::<u32>() != 10_000 {
            return Err(bad("class shares must add up to 100"));
        }
        parts
            .iter()
            .scan(0, |sum, p| {
                *sum += p;
                Some(*sum)
            })
            .take(parts.len() - 1)
            .collect()
    } else {
        parts
    };
    if cuts.is_empty() || cuts.len() > 25 {
        return Err(bad("give between 1 and 25 cuts"));
    }
    if cuts.windows(2).any(|w| w[0] >= w[1]) || cuts.iter().any(|&c| c == 0 || c >= 10_000) {
        return Err(bad("cuts must increase strictly between 0 and 100"));
    }
    Ok(cuts)
}

/// `80` or `80.5` (at most two decimals) as basis points.
fn percent_to_basis_points(text: &str) -> Option<u32> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty()
        || fraction.len() > 2
        || !(whole.bytes().chain(fraction.bytes())).all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let whole: u32 = whole.parse().ok()?;
    let fraction: u32 = format!("{fraction:0<2}").parse().ok()?;
    whole.checked_mul(100)?.checked_add(fraction)
}

/// part / whole as a fraction rounded to 6 decimals, for reading (classes are decided in
/// integers, never from this).
/// Null when the whole is 0 (no positive value at all).
pub(super) fn share(part: Expr, whole: Expr) -> Expr {
    when(whole.clone().eq(lit(0i64)))
        .then(lit(NULL).cast(DataType::Float64))
        .otherwise(
            (part.cast(DataType::Float64) / whole.cast(DataType::Float64))
                .round(6, RoundMode::HalfToEven),
        )
}

/// Basis points as a percentage: 8000 -> `80%`, 8050 -> `80.5%`.
fn format_percent(basis_points: u32) -> String {
    let text = format!("{}.{:02}", basis_points / 100, basis_points % 100);
    format!("{}%", text.trim_end_matches('0').trim_end_matches('.'))
}

/// The playbook entry of a class letter: `A` -> `pareto_a`; other ids unchanged.
pub fn class_key(id: &str) -> String {
    if id.len() == 1 && id.chars().all(|c| c.is_ascii_uppercase()) {
        format!("pareto_{}", id.to_lowercase())
    } else {
        id.to_string()
    }
}

/// The class letter of a 0-based class index.
pub fn class_letter(index: usize) -> String {
    ((b'A' + index as u8) as char).to_string()
}

/// `[pareto]`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParetoConfig {
    /// revenue or profit.
    pub basis: Option<Basis>,
    /// `"80,95"` or `"70/20/10"`.
    pub cuts: Option<String>,
    /// share or count.
    pub by: Option<CutBy>,
    /// fixed or computed.
    pub method: Option<Method>,
}

impl ParetoSettings {
    /// `[pareto]` with the command-line options on top.
    pub fn resolve(args: &ScoreOptions, file: &ParetoConfig) -> Result<Self, TieringError> {
        let defaults = ParetoSettings::default();
        let cuts = match (&args.cuts, &file.cuts) {
            (Some(text), _) => parse_cuts(text)?,
            (None, Some(text)) => parse_cuts(text)
                .map_err(|e| TieringError::config(format!("[pareto] cuts: {e}"), None))?,
            (None, None) => defaults.cuts,
        };
        Ok(ParetoSettings {
            basis: args.basis.or(file.basis).unwrap_or(defaults.basis),
            cuts,
            by: args.by.or(file.by).unwrap_or(defaults.by),
            method: args.method.or(file.method).unwrap_or(defaults.method),
        })
    }
}

/// The Pareto / ABC scorer.
pub struct ParetoScorer;

impl ParetoScorer {
    fn class_count(ctx: &ScoreContext) -> usize {
        match ctx.pareto.method {
            Method::Fixed => ctx.pareto.cuts.len() + 1,
            Method::Computed => 3,
        }
    }
}

impl Scorer for ParetoScorer {
    fn name(&self) -> &'static str {
        "pareto"
    }

    fn describe(&self, ctx: &ScorerSettings) -> String {
        let p = &ctx.pareto;
        let zh = ctx.lang == Lang::Zh;
        let basis = match (p.basis, zh) {
            (Basis::Revenue, false) => "revenue",
            (Basis::Profit, false) => "profit",
            (Basis::Revenue, true) => "销售额",
            (Basis::Profit, true) => "利润",
        };
        match p.method {
            Method::Computed if zh => format!("按{basis}计算 ABC 界限"),
            Method::Computed => format!("computed ABC limits on {basis}"),
            Method::Fixed => {
                let cuts: Vec<String> = p.cuts.iter().map(|c| format_percent(*c)).collect();
                match (p.by, zh) {
                    (CutBy::Share, false) => format!("cuts {} of {basis}", cuts.join(", ")),
                    (CutBy::Count, false) => {
                        format!("cuts {} of customers by {basis}", cuts.join(", "))
                    }
                    (CutBy::Share, true) => format!("按{basis}份额切分 {}", cuts.join("、")),
                    (CutBy::Count, true) => {
                        format!("按{basis}排序、按客户数切分 {}", cuts.join("、"))
                    }
                }
            }
        }
    }

    fn columns(&self, _settings: &ScorerSettings) -> Vec<OutputColumn> {
        use ColumnType::{Bool, Float, Integer, Money, Text};
        let mut columns = typed(&[
            ("pareto_rank", Integer),
            ("pareto_value", Money),
            ("cum_value", Money),
            ("cum_share", Float),
            ("abc_class", Text),
            ("upgrade_candidate", Bool),
            ("loss_making", Bool),
        ]);
        columns.extend(tier_columns());
        columns
    }

    fn score(&self, customers: LazyFrame, ctx: &ScoreContext) -> anyhow::Result<Scored> {
        let classes = Self::class_count(ctx);
        let (customers, rows) = RowNumbers::add(customers)?;
        let ranked = ranked_purchasers(customers.clone(), ctx.pareto.basis, rows.name());
        let with_class = match ctx.pareto.method {
            Method::Fixed => ranked.with_column(fixed_class(&ctx.pareto).alias("__class")),
            Method::Computed => computed_class(ranked),
        };
        let explained = with_class
            .with_column(upgrade_candidate(&ctx.pareto).alias("upgrade_candidate"))
            .with_columns(class_texts(classes, ctx))
            .select([
                rows.col(),
                col("pareto_rank"),
                col("pareto_value"),
                col("cum_value"),
                col("cum_share"),
                col("abc_class"),
                col("upgrade_candidate"),
                col("tier_id"),
                col("tier"),
                col("strategy"),
            ]);
        let scored = rows
            .join_back(customers, explained)
            .with_column(col("profit").lt(lit(0i64)).alias("loss_making"));
        Ok(Scored::from(fill_no_purchase(scored, TIER_GROUP, ctx)))
    }

    fn thresholds(&self, scored: LazyFrame, ctx: &ScoreContext) -> LazyFrame {
        let ranked = scored.filter(col("pareto_rank").is_not_null());
        let positive = when(col("pareto_value").gt(lit(0i64)))
            .then(col("pareto_value"))
            .otherwise(lit(0i64));
        let limits: Vec<String> = match ctx.pareto.method {
            Method::Fixed => ctx
                .pareto
                .cuts
                .iter()
                .map(|c| format_percent(*c))
                .chain(std::iter::once("100%".to_string()))
                .collect(),
            Method::Computed => vec!["computed".into(); 3],
        };
        let classes: Vec<String> = (0..Self::class_count(ctx)).map(class_letter).collect();
        let table = df!("abc_class" => classes, "limit" => limits)
            .expect("static frame")
            .lazy();
        let per_class = ranked.clone().group_by([col("abc_class")]).agg([
            len().cast(DataType::Int64).alias("customers"),
            positive.clone().sum().alias("value"),
            col("pareto_value").min().alias("value_min"),
            col("pareto_value").max().alias("value_max"),
            col("pareto_rank").min().alias("rank_from"),
            col("pareto_rank").max().alias("rank_to"),
            col("upgrade_candidate")
                .sum()
                .cast(DataType::Int64)
                .alias("upgrade_candidates"),
        ]);
        let per_class = per_class.with_columns([
            share(col("customers"), col("customers").sum()).alias("customer_share"),
            share(col("value"), col("value").sum()).alias("value_share"),
        ]);
        left_join(table, per_class, &["abc_class"])
            .select([
                col("abc_class"),
                col("limit"),
                col("rank_from"),
                col("rank_to"),
                col("customers"),
                col("customer_share"),
                col("value"),
                col("value_share"),
                col("value_min"),
                col("value_max"),
                col("upgrade_candidates"),
            ])
            .sort(["abc_class"], SortMultipleOptions::default())
    }

    fn threshold_money_columns(&self) -> Vec<&'static str> {
        vec!["value", "value_min", "value_max"]
    }

    fn group_order(&self, ctx: &ScoreContext) -> Vec<String> {
        (0..Self::class_count(ctx))
            .map(class_letter)
            .chain(std::iter::once(super::segments::NO_PURCHASE.to_string()))
            .collect()
    }

    fn playbook_key(&self, id: &str) -> String {
        class_key(id)
    }

    fn profit_basis(&self, ctx: &ScorerSettings) -> Option<&'static str> {
        (ctx.pareto.basis == Basis::Profit).then_some("--basis profit")
    }

    fn class_ends(
        &self,
        customers: &DataFrame,
        positive: usize,
    ) -> PolarsResult<Option<Vec<(i64, String)>>> {
        let ranks = customers.column("pareto_rank")?.cast(&DataType::Int64)?;
        let classes = customers.column("abc_class")?.str()?.clone();
        let mut ends: std::collections::BTreeMap<String, i64> = Default::default();
        for (class, rank) in classes.iter().zip(ranks.i64()?.iter()) {
            if let (Some(class), Some(rank)) = (class, rank)
                && rank as usize <= positive
            {
                let end = ends.entry(class.to_string()).or_insert(0);
                *end = (*end).max(rank);
            }
        }
        let letters: Vec<&String> = ends.keys().collect();
        Ok(Some(
            letters
                .windows(2)
                .map(|pair| (ends[pair[0]], format!("{} | {}", pair[0], pair[1])))
                .collect(),
        ))
    }

    fn own_options(&self) -> &'static [&'static str] {
        &["--basis", "--cuts", "--by", "--method"]
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
        if ctx.pareto.method != Method::Fixed {
            return Err(TieringError::usage(
                "`tiering sql` writes Pareto with fixed cuts only",
                Some("drop --method computed, or score with `tiering score`".into()),
            )
            .into());
        }
        crate::sql::scoring::pareto(d, ctx)
    }

    fn signature_column(&self) -> &'static str {
        "abc_class"
    }

    fn group_title(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => "Class",
            Lang::Zh => "客户等级",
        }
    }
}

/// Purchasers ordered by value descending, ties by customer_id, with rank, the positive
/// part of the value, its running sum, the total and shares.
/// `key` is the column the caller joins them back on, kept beside customer_id.
pub(super) fn ranked_purchasers(customers: LazyFrame, basis: Basis, key: &str) -> LazyFrame {
    let value = match basis {
        Basis::Revenue => col("revenue"),
        Basis::Profit => col("profit"),
    };
    let positive = when(col("pareto_value").gt(lit(0i64)))
        .then(col("pareto_value"))
        .otherwise(lit(0i64));
    let mut kept = vec![col(CUSTOMER_ID), value.alias("pareto_value")];
    if key != CUSTOMER_ID {
        kept.insert(0, col(key));
    }
    const ID_POSITION: &str = "__id_position";
    kept.push(id_position(col(CUSTOMER_ID)).alias(ID_POSITION));
    customers
        .filter(col("orders").gt(lit(0i64)))
        .select(kept)
        .sort_by_exprs(
            [col("pareto_value"), col(ID_POSITION)],
            SortMultipleOptions::default()
                .with_order_descending_multi([true, false])
                .with_nulls_last(true)
                .with_maintain_order(true),
        )
        .drop(by_name([ID_POSITION], true, false))
        .with_columns([
            col(CUSTOMER_ID)
                .cum_count(false)
                .cast(DataType::Int64)
                .alias("pareto_rank"),
            positive.clone().alias("__positive"),
            positive.clone().cum_sum(false).alias("cum_value"),
            positive.sum().alias("__total"),
            len().cast(DataType::Int64).alias("__n"),
        ])
        .with_columns([
            (col("cum_value") - col("__positive")).alias("__cum_before"),
            share(col("cum_value"), col("__total")).alias("cum_share"),
        ])
}

/// How many cuts a customer's predecessors had already reached: 0 = A, 1 = B, ...
/// Exact: `before × 10000 ≥ cut × whole` in 128-bit integers (cents × 10000 overflow
/// i64 above ~9 × 10¹⁴ cents).
pub(super) fn reached(before: Expr, whole: Expr, cuts: &[u32]) -> Expr {
    let wide = |e: Expr| e.cast(DataType::Int128);
    cuts.iter()
        .map(|&cut| {
            (wide(before.clone()) * lit(10_000i64).cast(DataType::Int128))
                .gt_eq(wide(whole.clone()) * lit(i64::from(cut)).cast(DataType::Int128))
                .cast(DataType::Int64)
        })
        .reduce(|a, b| a + b)
        .unwrap_or_else(|| lit(0i64))
}

fn fixed_class(settings: &ParetoSettings) -> Expr {
    let last = settings.cuts.len() as i64;
    let by_share = reached(col("__cum_before"), col("__total"), &settings.cuts);
    let by_count = reached(col("pareto_rank") - lit(1i64), col("__n"), &settings.cuts);
    let class = match settings.by {
        CutBy::Share => by_share,
        CutBy::Count => by_count,
    };
    when(col("pareto_value").gt(lit(0i64)))
        .then(class)
        .otherwise(lit(last))
}

/// Ultsch & Lötsch's limits on the ABC curve of the positive values:
/// x = rank / n, y = cumulative share. P: the point nearest (0, 1); E: the break-even
/// point, the last customer whose value is at least the mean (slope ≥ 1). A ends at the
/// smaller of P and E; B ends at the point nearest (x of the larger, 1).
fn computed_class(ranked: LazyFrame) -> LazyFrame {
    let positive = col("pareto_value").gt(lit(0i64));
    let n = col("pareto_rank")
        .filter(positive.clone())
        .max()
        .cast(DataType::Float64);
    let x = col("pareto_rank").cast(DataType::Float64) / n.clone();
    let gap = lit(1.0) - col("cum_share");
    let nearest_ideal = (x.clone() * x.clone() + gap.clone() * gap.clone())
        .filter(positive.clone())
        .arg_min()
        .cast(DataType::Int64)
        + lit(1i64);
    let break_even = col("pareto_rank")
        .filter(
            positive.clone().and(
                (col("pareto_value").cast(DataType::Float64) * n.clone())
                    .gt_eq(col("__total").cast(DataType::Float64)),
            ),
        )
        .max();
    ranked
        .with_columns([nearest_ideal.alias("__p"), break_even.alias("__e")])
        .with_columns([
            when(col("__p").lt(col("__e")))
                .then(col("__p"))
                .otherwise(col("__e"))
                .alias("__a"),
            when(col("__p").lt(col("__e")))
                .then(col("__e"))
                .otherwise(col("__p"))
                .alias("__b0"),
        ])
        .with_column(
            {
                let dx = x - col("__b0").cast(DataType::Float64) / n;
                (dx.clone() * dx + gap.clone() * gap)
                    .filter(positive.clone())
                    .arg_min()
                    .cast(DataType::Int64)
                    + lit(1i64)
            }
            .alias("__s"),
        )
        .with_column(
            when(positive.not())
                .then(lit(2i64))
                .when(col("pareto_rank").lt_eq(col("__a")))
                .then(lit(0i64))
                .when(col("pareto_rank").lt_eq(col("__s")))
                .then(lit(1i64))
                .otherwise(lit(2i64))
                .alias("__class"),
        )
}

/// Within B, the first cut applied again: B's best customers up to that share of B's value
/// (or of B's customers, with `--by count`).
fn upgrade_candidate(settings: &ParetoSettings) -> Expr {
    let in_b = col("__class").eq(lit(1i64));
    let in_a = col("__class").eq(lit(0i64));
    let first_cut = settings.cuts.first().copied().unwrap_or(8000);
    let reached_again = match settings.by {
        CutBy::Share => {
            let a_value = col("__positive").filter(in_a.clone()).sum();
            let b_value = col("__positive").filter(in_b.clone()).sum();
            reached(col("__cum_before") - a_value, b_value, &[first_cut])
        }
        CutBy::Count => {
            let a_count = in_a.clone().sum().cast(DataType::Int64);
            let b_count = in_b.clone().sum().cast(DataType::Int64);
            reached(
                col("pareto_rank") - lit(1i64) - a_count,
                b_count,
                &[first_cut],
            )
        }
    };
    in_b.and(reached_again.eq(lit(0i64)))
}

/// abc_class, tier_id, tier and strategy from the class index.
fn class_texts(classes: usize, ctx: &ScoreContext) -> Vec<Expr> {
    // Classes past the last cut, and none, take the last class's texts.
    let last = classes as i64 - 1;
    let class = col("__class");
    let index = when(
        class
            .clone()
            .gt_eq(lit(0i64))
            .and(class.clone().lt(lit(last))),
    )
    .then(class)
    .otherwise(lit(last));
    let pick = |text: &dyn Fn(usize) -> String| {
        let texts: StringChunked = (0..classes).map(|i| Some(text(i))).collect();
        lit(texts.into_series()).gather(index.clone().cast(IDX_DTYPE), false)
    };
    let key = |index: usize| class_key(&class_letter(index));
    vec![
        pick(&class_letter).alias("abc_class"),
        pick(&class_letter).alias("tier_id"),
        pick(&|i| ctx.playbook.name(&key(i), ctx.lang)).alias("tier"),
        pick(&|i| ctx.playbook.strategy(&key(i), ctx.lang)).alias("strategy"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_cumulative_cuts_and_class_shares() {
        assert_eq!(parse_cuts("80,95").unwrap(), [8000, 9500]);
        assert_eq!(parse_cuts("70/20/10").unwrap(), [7000, 9000]);
        assert_eq!(parse_cuts("50, 80.5, 99.99").unwrap(), [5000, 8050, 9999]);
        assert!(parse_cuts("95,80").is_err());
        assert!(parse_cuts("70/20/5").is_err());
        assert!(parse_cuts("100").is_err());
        assert!(parse_cuts("abc").is_err());
        assert!(parse_cuts("80.123").is_err());
    }
}
