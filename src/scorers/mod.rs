//! Scorers: pure `LazyFrame -> LazyFrame` transformations from per-customer metrics to
//! scores, segment or tier, strategy and explanation columns. They never read files,
//! the clock or the environment; everything they need is in [`ScoreContext`].

pub mod breaks;
pub mod cluster;
pub mod clv;
pub mod columns;
pub mod health;
pub mod lifecycle;
pub mod ntile;
pub mod pareto;
pub mod profit;
mod rank;
pub mod ratio;
pub mod rfm;
mod rfm_direct;
pub mod rules;
pub mod segments;
pub mod tie_spans;
mod tier_text;
pub use tier_text::text_by_id;
pub mod value;

use clap::ValueEnum;
use polars::prelude::*;

use self::columns::{ColumnType, OutputColumn};
use self::lifecycle::LifecycleSettings;
use self::pareto::ParetoSettings;
use self::profit::ProfitSettings;
use self::rules::RuleSet;
use crate::metrics::WindowMetric;
use crate::summary::GroupColumns;

use self::ntile::TiePolicy;
use self::segments::SegmentMap;
use crate::lang::Lang;
use crate::playbook::Playbook;

/// The scoring options in force, resolved once per command from the command line, the
/// environment, the config file and the defaults; they do not depend on the data.
#[derive(Clone, Debug)]
pub struct ScorerSettings {
    /// Quantile bins.
    pub bins: u32,
    /// Tie policy for quantile scores.
    pub ties: TiePolicy,
    /// Absolute RFM breaks replacing quantiles for some metrics.
    pub breaks: self::breaks::Breaks,
    /// Output language.
    pub lang: Lang,
    /// Strategy texts.
    pub playbook: Playbook,
    /// RFM segment rules.
    pub segments: SegmentMap,
    /// Pareto/ABC options.
    pub pareto: ParetoSettings,
    /// Lifecycle thresholds.
    pub lifecycle: LifecycleSettings,
    /// Threshold rules.
    pub rules: RuleSet,
    /// Profit contribution settings.
    pub profit: ProfitSettings,
    /// CLV model settings.
    pub clv: self::clv::ClvSettings,
    /// Value-type settings.
    pub value: self::value::ValueSettings,
    /// Account-health settings.
    pub health: self::health::HealthSettings,
    /// k-means settings.
    pub cluster: self::cluster::settings::ClusterSettings,
    /// `[score] tenure_from`: the export's date column tenure counts from, when earlier.
    pub tenure_from: Option<String>,
    /// Minor-unit digits given (`--currency-decimals`, else 2); the data may settle
    /// others (a zero-decimal currency column), see [`ScoreContext::decimals`].
    pub currency_decimals: u32,
}

impl ScorerSettings {
    /// Every option at its default (English; the shipped segments, rules and texts).
    pub fn defaults() -> Self {
        ScorerSettings {
            bins: 5,
            ties: TiePolicy::default(),
            breaks: self::breaks::Breaks::default(),
            lang: Lang::En,
            playbook: Playbook::with_overrides(&Playbook::default())
                .expect("the shipped playbook parses"),
            segments: SegmentMap::default(),
            pareto: ParetoSettings::default(),
            lifecycle: LifecycleSettings::default(),
            rules: RuleSet::new(self::rules::default_rules()).expect("the shipped rules parse"),
            profit: ProfitSettings::default(),
            clv: self::clv::ClvSettings::default(),
            value: self::value::ValueSettings::default(),
            health: self::health::HealthSettings::default(),
            cluster: self::cluster::settings::ClusterSettings::default(),
            tenure_from: None,
            currency_decimals: 2,
        }
    }
}

/// Everything a scorer may depend on: the settings, and what the data settled. Built
/// once the as-of date is known; the settings read through it (`ctx.bins`).
#[derive(Clone, Debug)]
pub struct ScoreContext {
    /// The scoring options in force.
    pub settings: ScorerSettings,
    /// The as-of date, days since the epoch.
    pub as_of: i32,
    /// Minor-unit digits of the currency (rules compare money in currency units).
    pub decimals: u32,
    /// The customer export's columns as passed through (empty without `--customers`).
    pub export_columns: Vec<String>,
    /// The group ids the scored customers formed, when the settings do not fix them
    /// ([`Scorer::groups_formed`]); `None` before scoring.
    pub formed_groups: Option<Vec<String>>,
}

impl ScoreContext {
    /// The context of a run scored as of `as_of`, with money in `decimals` digits and
    /// the customer export's `export_columns`.
    pub fn new(
        settings: ScorerSettings,
        as_of: i32,
        decimals: u32,
        export_columns: Vec<String>,
    ) -> Self {
        ScoreContext {
            settings,
            as_of,
            decimals,
            export_columns,
            formed_groups: None,
        }
    }
}

impl std::ops::Deref for ScoreContext {
    type Target = ScorerSettings;

    fn deref(&self) -> &ScorerSettings {
        &self.settings
    }
}

/// A customer-export column a scorer reads as a number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportNumber {
    /// The column (its output name).
    pub column: String,
    /// Whether a negative value makes sense (a score may be; a count or a day is not).
    pub negative_allowed: bool,
}

/// `key` (a config setting, `[value] complaints_column`) names `column`, which must be a
/// column of the customer export: a metric of that name would be read instead, and the
/// export's own column of that name is passed through as `customer_<name>`.
pub fn require_export_column(
    ctx: &ScoreContext,
    key: &str,
    column: &str,
) -> Result<(), crate::error::TieringError> {
    if ctx.export_columns.iter().any(|c| c == column) {
        return Ok(());
    }
    let renamed = format!("customer_{column}");
    let hint = if ctx.export_columns.contains(&renamed) {
        format!(
            "the export's `{column}` column is passed through as `{renamed}` (it shares a name with a metric or output column); name `{renamed}`"
        )
    } else if ctx.export_columns.is_empty() {
        "pass --customers with that column".to_string()
    } else {
        format!("the customer export has: {}", ctx.export_columns.join(", "))
    };
    Err(crate::error::TieringError::config(
        format!("{key} `{column}` is not a column of the customer export"),
        Some(hint),
    ))
}

/// A way of turning customer metrics into tiers.
pub trait Scorer {
    /// Name on the command line.
    fn name(&self) -> &'static str;
    /// Trailing-window metrics the scorer reads (computed from the order lines first).
    fn windows(&self, _ctx: &ScoreContext) -> anyhow::Result<Vec<WindowMetric>> {
        Ok(Vec::new())
    }
    /// The monthly steadiness metrics the scorer reads.
    fn monthly_metrics(&self, _ctx: &ScoreContext) -> crate::metrics::MonthlyMetrics {
        crate::metrics::MonthlyMetrics::default()
    }
    /// Why `tiering sql` has no SQL for this scorer; `None` when it has.
    fn sql_refusal(&self) -> Option<&'static str> {
        Some("its SQL is not written yet")
    }
    /// The scoring as SQL for `tiering sql` in dialect `d`: the script's scoring CTEs and
    /// the columns they add. `export`: the customer export's columns.
    fn sql(
        &self,
        _d: crate::sql::dialect::Dialect,
        _settings: &ScorerSettings,
        _export: &[String],
    ) -> anyhow::Result<(String, Vec<String>)> {
        let with_sql: Vec<&str> = ScorerKind::value_variants()
            .iter()
            .map(|kind| kind.build())
            .filter(|scorer| scorer.sql_refusal().is_none())
            .map(|scorer| scorer.name())
            .collect();
        Err(crate::error::TieringError::usage(
            format!(
                "`tiering sql` has no SQL for the {} scorer: {}",
                self.name(),
                self.sql_refusal().unwrap_or_default()
            ),
            Some(format!("use --scorer {}", with_sql.join(", "))),
        )
        .into())
    }
    /// Whether the scorer reads `purchase_days` and `repeat_spend`.
    fn needs_purchase_days(&self, _settings: &ScorerSettings) -> bool {
        false
    }
    /// Whether the scorer reads `median_gap_days`.
    fn needs_median_gap(&self) -> bool {
        false
    }
    /// The options in force, for titles, in the context's language: `5 bins, ties shared`.
    fn describe(&self, ctx: &ScorerSettings) -> String;
    /// The options in force in one fixed wording (English), stored in tier files and
    /// compared with `--previous`: a report in Chinese compares with an English run.
    fn options_key(&self, settings: &ScorerSettings) -> String {
        self.describe(&ScorerSettings {
            lang: Lang::En,
            ..settings.clone()
        })
    }
    /// Columns added to every customer row, in output order, with what each holds.
    fn columns(&self, settings: &ScorerSettings) -> Vec<OutputColumn>;
    /// The names of [`Scorer::columns`].
    fn output_columns(&self, settings: &ScorerSettings) -> Vec<String> {
        self.columns(settings).into_iter().map(|c| c.name).collect()
    }
    /// Money columns among them (minor units).
    fn money_columns(&self, settings: &ScorerSettings) -> Vec<String> {
        self.columns(settings)
            .into_iter()
            .filter(|c| c.kind == ColumnType::Money)
            .map(|c| c.name)
            .collect()
    }
    /// Scores, segment/tier, strategy and explanation columns for every customer, and the
    /// model fitted on the way, if the scorer fits one.
    fn score(&self, customers: LazyFrame, ctx: &ScoreContext) -> anyhow::Result<Scored>;
    /// The thresholds behind the scores, one row per bin or class.
    fn thresholds(&self, scored: LazyFrame, ctx: &ScoreContext) -> LazyFrame;
    /// Notes about the thresholds worth telling the user (empty bins, computed limits).
    fn threshold_notes(
        &self,
        _thresholds: &DataFrame,
        _ctx: &ScoreContext,
    ) -> PolarsResult<Vec<String>> {
        Ok(Vec::new())
    }
    /// Money columns of the thresholds table.
    fn threshold_money_columns(&self) -> Vec<&'static str>;
    /// Warnings about the scored customers (e.g. a tie group of the best value that
    /// spans several bins), printed by `score` and `report`.
    fn warnings(&self, _customers: &DataFrame, _ctx: &ScoreContext) -> PolarsResult<Vec<String>> {
        Ok(Vec::new())
    }
    /// Customer-export columns the scorer reads as numbers: a value that is not one is
    /// refused when the export is read.
    fn export_numbers(&self, _settings: &ScorerSettings) -> Vec<ExportNumber> {
        Vec::new()
    }
    /// The columns naming each customer's segment or tier.
    fn group(&self) -> GroupColumns {
        TIER_GROUP
    }
    /// Group ids in reading order (best first, `no_purchase` last).
    fn group_order(&self, ctx: &ScoreContext) -> Vec<String>;
    /// A column only this scorer writes: a tier file with it was scored by it.
    fn signature_column(&self) -> &'static str;
    /// Group ids by value, best first (`no_purchase` last): a move up this list is a
    /// promotion. Separate from the order segment rules are matched in.
    fn value_order(&self, ctx: &ScoreContext) -> Vec<String> {
        self.group_order(ctx)
    }
    /// The playbook entry of a group id (ids and playbook keys differ where scorers share
    /// names, e.g. lifecycle `new` vs RFM `new`).
    fn playbook_key(&self, id: &str) -> String {
        id.to_string()
    }
    /// Heading of the group column in the terminal table.
    fn group_title(&self, lang: Lang) -> &'static str;
    /// Count grids worth a chart in the report (the value matrix, health grades by weakest
    /// component, …), from the scored customers.
    fn report_grids(
        &self,
        _customers: &DataFrame,
        _ctx: &ScoreContext,
    ) -> anyhow::Result<Vec<ReportGrid>> {
        Ok(Vec::new())
    }
    /// Scatter charts worth showing in the report (clusters in R × M).
    fn report_scatters(
        &self,
        _customers: &DataFrame,
        _ctx: &ScoreContext,
    ) -> anyhow::Result<Vec<crate::report::charts::Scatter>> {
        Ok(Vec::new())
    }
    /// Group ids that mean a customer has lapsed (counted as churn in the report's
    /// history, besides `no_purchase`).
    fn lapsed_groups(&self, _ctx: &ScoreContext) -> Vec<String> {
        Vec::new()
    }
    /// Fewest purchasers for a ranking that does not move with every order (the report
    /// warns below it).
    fn stable_purchasers(&self, _settings: &ScorerSettings) -> u64 {
        50
    }
    /// The option under which the scorer ranks by profit, when it is in force: ranking by
    /// profit needs a cost column in every order file, and the report's Pareto chart
    /// then draws profit.
    fn profit_basis(&self, _settings: &ScorerSettings) -> Option<&'static str> {
        None
    }
    /// Where the scorer's own classes end along the Pareto curve of the `positive`
    /// customers with value: the last rank of each class but the last, with a label
    /// naming the classes on either side. `None` for scorers without such classes.
    fn class_ends(
        &self,
        _customers: &DataFrame,
        _positive: usize,
    ) -> PolarsResult<Option<Vec<(i64, String)>>> {
        Ok(None)
    }
    /// The quantile bins the scorer scores in, if it does.
    fn quantile_bins(&self, _settings: &ScorerSettings) -> Option<u32> {
        None
    }
    /// The scorer-specific command-line options this scorer reads (`--bins`, `--k`, …);
    /// the others given are warned about and ignored.
    fn own_options(&self) -> &'static [&'static str] {
        &[]
    }
    /// Whether the scorer fits a model (and so takes `--fit-report`).
    fn fits_a_model(&self) -> bool {
        false
    }
    /// The group ids the scored customers formed, best first (`no_purchase` last), where
    /// the settings alone do not fix them (k-means with `--k auto`); read back by
    /// [`Scorer::group_order`] through [`ScoreContext::formed_groups`].
    fn groups_formed(&self, _customers: &DataFrame) -> PolarsResult<Option<Vec<String>>> {
        Ok(None)
    }
}

/// What [`Scorer::score`] returns.
pub struct Scored {
    /// The scored customers (lazy).
    pub frame: LazyFrame,
    /// The model fitted, for a scorer that fits one.
    pub fit: Option<FittedModel>,
    /// Notes on the scoring worth telling the user (the fit's parameters, what a band
    /// was ranked by).
    pub notes: Vec<String>,
    /// Warnings about the scoring (fewer clusters formed than asked for).
    pub warnings: Vec<String>,
}

impl From<LazyFrame> for Scored {
    fn from(frame: LazyFrame) -> Self {
        Scored {
            frame,
            fit: None,
            notes: Vec::new(),
            warnings: Vec::new(),
        }
    }
}

/// A fitted model (BG/NBD and Gamma-Gamma, k-means): what `--fit-report` writes.
pub struct FittedModel {
    /// The report, as JSON.
    pub report: serde_json::Value,
}

/// A chart a scorer asks the report for: counts of customers in a labelled grid.
pub struct ReportGrid {
    /// The chart's title.
    pub title: String,
    /// What the rows are.
    pub row_axis: String,
    /// What the columns are.
    pub column_axis: String,
    /// The counts.
    pub grid: crate::report::charts::CountGrid,
}

/// Count customers by two text columns of `customers` into a grid with the given row and
/// column values (in order; others are left out), purchasers only.
pub fn count_by(
    customers: &DataFrame,
    rows: (&str, &[String]),
    columns: (&str, &[String]),
) -> PolarsResult<Vec<Vec<u64>>> {
    Ok(grid_by(customers, rows, columns, None)?
        .into_iter()
        .map(|row| row.into_iter().map(|n| n as u64).collect())
        .collect())
}

/// Sum `value` (an integer column, e.g. revenue in minor units) over purchasers by two
/// text columns, as [`count_by`] counts them.
pub fn sum_by(
    customers: &DataFrame,
    rows: (&str, &[String]),
    columns: (&str, &[String]),
    value: &str,
) -> PolarsResult<Vec<Vec<i64>>> {
    grid_by(customers, rows, columns, Some(value))
}

/// Purchasers by two text columns: their number, or the sum of `value`.
fn grid_by(
    customers: &DataFrame,
    (row_column, rows): (&str, &[String]),
    (column_column, columns): (&str, &[String]),
    value: Option<&str>,
) -> PolarsResult<Vec<Vec<i64>>> {
    let r = customers.column(row_column)?.cast(&DataType::String)?;
    let c = customers.column(column_column)?.cast(&DataType::String)?;
    let orders = customers.column("orders")?.cast(&DataType::Int64)?;
    let values = value
        .map(|v| customers.column(v)?.cast(&DataType::Int64))
        .transpose()?;
    let values = values.as_ref().map(|v| v.i64()).transpose()?;
    let (r, c, orders) = (r.str()?, c.str()?, orders.i64()?);
    let mut grid = vec![vec![0i64; columns.len()]; rows.len()];
    for i in 0..customers.height() {
        if orders.get(i).unwrap_or(0) <= 0 {
            continue;
        }
        let row = rows.iter().position(|v| Some(v.as_str()) == r.get(i));
        let column = columns.iter().position(|v| Some(v.as_str()) == c.get(i));
        if let (Some(row), Some(column)) = (row, column) {
            grid[row][column] += values.map_or(1, |v| v.get(i).unwrap_or(0));
        }
    }
    Ok(grid)
}

/// The scorers, selected with `--scorer` or `[score] scorer`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ScorerKind {
    /// RFM quintile scores and named segments.
    #[default]
    Rfm,
    /// 80/20 Pareto / ABC classes by revenue or profit.
    Pareto,
    /// Weighted profit contribution after cost-to-serve, tiers by score.
    Profit,
    /// Threshold tiers from SQL conditions in the config (strategic / key / ordinary).
    Rules,
    /// Lifecycle stages against each customer's own rhythm, with churn warnings.
    Lifecycle,
    /// Customer lifetime value and P(alive) from the BG/NBD and Gamma-Gamma models.
    Clv,
    /// Value types high / growth / potential / risk and the current × potential matrix.
    Value,
    /// Account health: a 0–100 score from weighted components, graded, weakest named.
    Health,
    /// k-means segments on z-scored recency, frequency and spend (or chosen features).
    Cluster,
}

impl ScorerKind {
    /// The scorer behind the name.
    pub fn build(self) -> Box<dyn Scorer> {
        match self {
            ScorerKind::Rfm => Box::new(rfm::RfmScorer),
            ScorerKind::Pareto => Box::new(pareto::ParetoScorer),
            ScorerKind::Profit => Box::new(profit::ProfitScorer),
            ScorerKind::Rules => Box::new(rules::RulesScorer),
            ScorerKind::Lifecycle => Box::new(lifecycle::LifecycleScorer),
            ScorerKind::Clv => Box::new(clv::ClvScorer),
            ScorerKind::Value => Box::new(value::ValueScorer),
            ScorerKind::Health => Box::new(health::HealthScorer),
            ScorerKind::Cluster => Box::new(cluster::ClusterScorer),
        }
    }

    /// The scorer that wrote a tier file with this header: of the scorers whose signature
    /// column it has, the one with most of its columns (under default settings) present,
    /// then the one whose columns come first.
    /// A customer-export column passed through under another scorer's signature name (a
    /// CRM's `stage`) does not make a value file a lifecycle file.
    pub fn recognise(header: &[String]) -> Option<ScorerKind> {
        let defaults = ScorerSettings::defaults();
        let share_present = |kind: &ScorerKind| {
            let columns = kind.build().output_columns(&defaults);
            let present = columns.iter().filter(|c| header.contains(c)).count();
            (present * 1000) / columns.len().max(1)
        };
        // Of equally complete candidates the one whose signature column comes first: a
        // scorer's columns precede the customer export's in every tier file.
        let signature_at = |kind: &ScorerKind| {
            let signature = kind.build().signature_column();
            header.iter().position(|h| h == signature)
        };
        ScorerKind::value_variants()
            .iter()
            .copied()
            .filter(|kind| signature_at(kind).is_some())
            .max_by_key(|kind| (share_present(kind), std::cmp::Reverse(signature_at(kind))))
    }
}

/// `tier_id` and `tier`: the group columns of every scorer but RFM (which has segments).
pub const TIER_GROUP: GroupColumns = GroupColumns {
    id: "tier_id",
    label: "tier",
};

/// Left join on equally named key columns.
pub fn left_join(left: LazyFrame, right: LazyFrame, on: &[&str]) -> LazyFrame {
    let keys: Vec<Expr> = on.iter().map(|c| col(*c)).collect();
    left.join(right, keys.clone(), keys, JoinArgs::new(JoinType::Left))
}

/// A row-number column added to the customers: the key a scored subset of them joins
/// back on. An integer join; at a million customers the join on customer_id, a string,
/// took a sixth of scoring. Its name is one no column of the customers has (a customer
/// export may bring any name).
pub struct RowNumbers {
    name: PlSmallStr,
}

impl RowNumbers {
    /// `customers` with the row-number column.
    pub fn add(customers: LazyFrame) -> PolarsResult<(LazyFrame, RowNumbers)> {
        let schema = customers.clone().collect_schema()?;
        let mut name = String::from("__row_number");
        while schema.contains(&name) {
            name.push('_');
        }
        let name = PlSmallStr::from(name);
        Ok((
            customers.with_row_index(name.clone(), None),
            RowNumbers { name },
        ))
    }

    /// The column's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The column.
    pub fn col(&self) -> Expr {
        col(self.name.clone())
    }

    /// `customers` left-joined with `scored`, rows of some of them keyed by the row
    /// number, which is then dropped. The customers keep their order, so customers in
    /// output order need no sort.
    pub fn join_back(&self, customers: LazyFrame, scored: LazyFrame) -> LazyFrame {
        let args = JoinArgs {
            maintain_order: MaintainOrderJoin::Left,
            ..JoinArgs::new(JoinType::Left)
        };
        customers
            .join(scored, [self.col()], [self.col()], args)
            .drop(by_name([self.name.as_str()], true, false))
    }
}

/// The thresholds table of a tiered scorer: one row per tier id of `order` (best first,
/// `no_purchase` left out), the purchasers counted as `customers`, plus `aggregates`.
pub fn per_tier(scored: LazyFrame, order: Vec<String>, aggregates: Vec<Expr>) -> LazyFrame {
    let order = df!("tier_id" => order).expect("static frame").lazy();
    let mut columns = vec![len().cast(DataType::Int64).alias("customers")];
    columns.extend(aggregates);
    let counted = scored
        .filter(col("orders").gt(lit(0i64)))
        .group_by([col("tier_id")])
        .agg(columns);
    left_join(order, counted, &["tier_id"]).filter(col("tier_id").neq(lit(segments::NO_PURCHASE)))
}

/// `tier` and `strategy` from the playbook for the ids in `column` (playbook entry `key(id)`).
pub fn playbook_texts<S: AsRef<str>>(
    ctx: &ScoreContext,
    column: &str,
    ids: &[S],
    key: impl Fn(&str) -> String,
) -> [Expr; 2] {
    [
        text_by_id(column, ids, |id| ctx.playbook.name(&key(id), ctx.lang)).alias("tier"),
        text_by_id(column, ids, |id| ctx.playbook.strategy(&key(id), ctx.lang)).alias("strategy"),
    ]
}

/// For customers without a purchase: the `no_purchase` id, label and strategy in the
/// scorer's id/label columns and `strategy`.
pub fn fill_no_purchase(frame: LazyFrame, group: GroupColumns, ctx: &ScoreContext) -> LazyFrame {
    let no_purchase = col("orders").eq(lit(0i64));
    let fill = |column: &str, value: String| {
        when(no_purchase.clone())
            .then(lit(value))
            .otherwise(col(column))
            .alias(column)
    };
    let id = segments::NO_PURCHASE;
    frame.with_columns([
        fill(group.id, id.to_string()),
        fill(group.label, ctx.playbook.name(id, ctx.lang)),
        fill("strategy", ctx.playbook.strategy(id, ctx.lang)),
    ])
}

/// Collect a scored frame. Common-subexpression elimination is off: polars 0.55 can
/// hoist a scalar aggregate used in several expressions (a count `n`, a `median`) into a
/// column of height 1 and then fail to broadcast it. Customer-level frames are small, so
/// recomputing such subexpressions costs nothing measurable.
pub fn collect_scored(frame: LazyFrame) -> PolarsResult<DataFrame> {
    let mut flags = frame.get_current_optimizations();
    flags.remove(OptFlags::COMM_SUBEXPR_ELIM);
    frame.with_optimizations(flags).collect()
}
