//! Scorers: pure `LazyFrame -> LazyFrame` transformations from per-customer metrics to
//! scores, segment or tier, strategy and explanation columns. They never read files,
//! the clock or the environment; everything they need is in [`ScoreContext`].

pub mod ntile;
pub mod rfm;
pub mod segments;

use clap::ValueEnum;
use polars::prelude::*;

use self::ntile::TiePolicy;
use self::segments::SegmentMap;
use crate::lang::Lang;
use crate::playbook::Playbook;

/// Everything a scorer may depend on.
#[derive(Clone, Debug)]
pub struct ScoreContext {
    /// The as-of date, days since the epoch.
    pub as_of: i32,
    /// Quantile bins.
    pub bins: u32,
    /// Tie policy for quantile scores.
    pub ties: TiePolicy,
    /// Output language.
    pub lang: Lang,
    /// Strategy texts.
    pub playbook: Playbook,
    /// RFM segment rules.
    pub segments: SegmentMap,
}

/// A way of turning customer metrics into tiers.
pub trait Scorer {
    /// Name on the command line.
    fn name(&self) -> &'static str;
    /// Columns added to every customer row, in output order.
    fn output_columns(&self) -> Vec<&'static str>;
    /// Money columns among them (minor units).
    fn money_columns(&self) -> Vec<&'static str>;
    /// Scores, segment/tier, strategy and explanation columns for every customer.
    fn score(&self, customers: LazyFrame, ctx: &ScoreContext) -> anyhow::Result<LazyFrame>;
    /// The thresholds behind the scores, one row per bin or class.
    fn thresholds(&self, scored: LazyFrame, ctx: &ScoreContext) -> LazyFrame;
}

/// The scorers, selected with `--scorer`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum ScorerKind {
    /// RFM quintile scores and named segments.
    #[default]
    Rfm,
}

impl ScorerKind {
    /// The scorer behind the name.
    pub fn build(self) -> Box<dyn Scorer> {
        match self {
            ScorerKind::Rfm => Box::new(rfm::RfmScorer),
        }
    }
}
