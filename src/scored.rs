//! One scoring run, shared by `score` and `report`: resolve the settings, read the inputs,
//! compute the metrics, score, and collect the per-customer frame and the thresholds.

use std::path::Path;

use polars::prelude::*;

use crate::cli::{ClvArgs, ScoreOptions, ScoringArgs};
use crate::config::LoadedConfig;
use crate::customer_order::sorted_by_id;
use crate::error::TieringError;
use crate::input::LoadedOrders;
use crate::input::dates::format_date;
use crate::input::lines::col_names::CUSTOMER_ID;
use crate::metrics::{METRIC_COLUMNS, MONEY_COLUMNS, date_lit};
use crate::output::OutputData;
use crate::output::guard::WriteGuard;
use crate::output::summary_table::write_frame_table;
use crate::pipeline::{Request, prepare};
use crate::printer::{Printer, Progress};
use crate::report::previous::{OPTIONS_COLUMN, SCORER_COLUMN};
use crate::scorers::{
    FittedModel, ScoreContext, Scored, Scorer, ScorerKind, ScorerSettings, collect_scored,
};
use crate::settings::{ScoringFlags, input_options, score_settings};

/// A finished scoring run.
pub struct ScoredRun {
    /// The scorer used.
    pub scorer: Box<dyn Scorer>,
    /// Which scorer it is.
    pub kind: ScorerKind,
    /// The context in force (as-of date filled in).
    pub context: ScoreContext,
    /// One row per customer in output order: customer_id, metrics, the scorer's columns,
    /// the export's columns, as_of; sorted by customer_id.
    pub customers: DataFrame,
    /// Money columns of `customers` (minor units).
    pub money: Vec<String>,
    /// The thresholds behind the scores.
    pub thresholds: OutputData,
    /// The order lines as read (their frame empty under [`LinesAfterScoring::Drop`]).
    pub orders: LoadedOrders,
    /// The progress display, for writing.
    pub progress: Progress,
    /// Where the scores came from.
    pub origin: RunOrigin,
}

/// Where a run's scores came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunOrigin {
    /// Scored here from the order lines.
    OrderLines,
    /// Read from a tier file scored elsewhere (`report --scores`); no order lines.
    ScoresFile {
        /// The file as given.
        file: String,
        /// Its format (csv, tsv, parquet).
        format: String,
        /// Its rows.
        rows: u64,
    },
}

/// Whether [`ScoredRun::orders`] keeps the order lines once the metrics are computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinesAfterScoring {
    /// Keep them (the report counts them for its reconciliation).
    Keep,
    /// Free them before scoring; `orders.lines` is then empty.
    Drop,
}

impl ScoredRun {
    /// The per-customer frame as an output table.
    pub fn customers_output(&self) -> OutputData {
        OutputData {
            frame: self.customers.clone(),
            money: self.money.clone(),
            decimals: self.context.decimals,
            title: "customers".into(),
        }
    }
}

/// The guard of a scoring command: it protects the orders, the customer export and the
/// configuration, and claims the `--rejects` and `--fit-report` files.
pub fn scoring_guard(
    args: &ScoringArgs,
    config: &LoadedConfig,
) -> Result<WriteGuard, TieringError> {
    let mut guard = WriteGuard::new();
    guard.protect_patterns("orders", &args.inputs);
    if let Some(customers) = &args.customers {
        guard.protect_patterns("customer export", std::slice::from_ref(customers));
    }
    if let Some(path) = &config.path {
        guard.protect("configuration", path);
    }
    if let Some(path) = &args.rejects {
        guard.claim(path, "--rejects")?;
    }
    if let Some(path) = &args.clv.fit_report {
        guard.claim(path, "--fit-report")?;
    }
    Ok(guard)
}

/// Score the inputs of `args`; `as_of` overrides `--as-of` (the report's comparison run),
/// `lines_read` are the inputs' lines when another run read them already. Every file
/// written (`--rejects`, `--fit-report`) goes through `guard`.
pub fn score_inputs(
    args: &ScoringArgs,
    config: &LoadedConfig,
    printer: &Printer,
    guard: &WriteGuard,
    (as_of, lines_read): (Option<i32>, Option<&LoadedOrders>),
    lines: LinesAfterScoring,
) -> anyhow::Result<ScoredRun> {
    let options = input_options(&args.input, config, args.rejects.is_some())?;
    let mut settings = score_settings(ScoringFlags::of(args), config)?;
    if as_of.is_some() {
        settings.as_of = as_of;
    }
    let scorer = settings.scorer.build();
    warn_about_other_scorers_options(&args.options, &args.clv, scorer.as_ref(), printer);
    if args.clv.fit_report.is_some() && !scorer.fits_a_model() {
        return Err(TieringError::usage(
            format!("--fit-report: the {} scorer fits no model", scorer.name()),
            Some("use it with --scorer clv or --scorer cluster".into()),
        )
        .into());
    }
    let scorer_columns = scorer.output_columns(&settings.scoring);
    let mut reserved = vec![CUSTOMER_ID, "as_of", SCORER_COLUMN, OPTIONS_COLUMN];
    reserved.extend(METRIC_COLUMNS);
    reserved.extend(scorer_columns.iter().map(String::as_str));
    let request = Request {
        inputs: &args.inputs,
        customers: args.customers.as_deref(),
        as_of: settings.as_of,
        reserved: &reserved,
        scorer: Some((scorer.as_ref(), &settings.scoring)),
        rejects: args.rejects.as_deref().map(|path| (path, guard)),
        lines_read,
        keep_lines: lines == LinesAfterScoring::Keep,
    };
    let mut prepared = prepare(&request, &options, printer)?;
    prepared.progress.stage("scoring");
    require_cost_for_profit(scorer.as_ref(), &settings.scoring, &prepared.orders)?;
    if lines == LinesAfterScoring::Drop {
        // Scoring needs only the metrics; at 30M lines the lines held ~1.3 GB through it.
        prepared.orders.lines = DataFrame::empty();
        crate::memory::release_freed();
    }
    let Some(mut context) = prepared.context.take() else {
        anyhow::bail!("internal error: no scoring context for a scorer");
    };
    let mut columns: Vec<String> = scorer_columns;
    columns.extend(prepared.extra_columns.iter().cloned());
    let Scored {
        frame,
        fit,
        notes,
        warnings,
    } = scorer.score(prepared.customers, &context)?;
    let customers = collect_customers(frame, &columns, context.as_of)?;
    context.formed_groups = scorer.groups_formed(&customers)?;
    let ctx = &context;
    // The declaration types tier files read back (`report --scores`, `--previous`): the
    // test build holds every scored frame to it.
    #[cfg(debug_assertions)]
    if let Some(problem) = crate::scorers::columns::mismatch(&customers, &scorer.columns(ctx)) {
        anyhow::bail!("internal error: the {} scorer's {problem}", scorer.name());
    }
    let thresholds = thresholds_of(scorer.as_ref(), &customers, ctx)?;
    for note in scorer
        .threshold_notes(&thresholds.frame, ctx)?
        .into_iter()
        .chain(notes)
    {
        printer.note(&note);
    }
    for warning in scorer
        .warnings(&customers, ctx)?
        .into_iter()
        .chain(warnings)
    {
        printer.warn(&warning);
    }
    if let Some(path) = &args.clv.fit_report {
        write_fit_report(path, scorer.as_ref(), fit, ctx, guard)?;
    }
    if printer.is_verbose() {
        let mut text = Vec::new();
        write_frame_table(&mut text, &thresholds)?;
        printer.detail(&format!(
            "score thresholds as of {}:",
            format_date(ctx.as_of)
        ));
        printer.detail(String::from_utf8_lossy(&text).trim_end());
    }
    let mut money: Vec<String> = MONEY_COLUMNS.iter().map(|c| c.to_string()).collect();
    money.extend(scorer.money_columns(ctx));
    let kind = settings.scorer;
    Ok(ScoredRun {
        scorer,
        kind,
        context,
        customers,
        money,
        thresholds,
        orders: prepared.orders,
        progress: prepared.progress,
        origin: RunOrigin::OrderLines,
    })
}

/// The thresholds behind the scores of `customers`, with the as-of date.
pub fn thresholds_of(
    scorer: &dyn Scorer,
    customers: &DataFrame,
    ctx: &ScoreContext,
) -> PolarsResult<OutputData> {
    Ok(OutputData {
        frame: collect_scored(
            scorer
                .thresholds(customers.clone().lazy(), ctx)
                .with_column(date_lit(ctx.as_of).alias("as_of")),
        )?,
        money: scorer
            .threshold_money_columns()
            .into_iter()
            .map(str::to_string)
            .collect(),
        decimals: ctx.decimals,
        title: "thresholds".into(),
    })
}

/// The per-customer frame in output order: customer_id, metrics, the scorer's columns and
/// the export's, as_of; sorted by customer_id.
fn collect_customers(scored: LazyFrame, columns: &[String], as_of: i32) -> PolarsResult<DataFrame> {
    let mut select: Vec<Expr> = vec![col(CUSTOMER_ID)];
    select.extend(METRIC_COLUMNS.iter().map(|c| col(*c)));
    select.extend(columns.iter().map(|c| col(c.as_str())));
    select.push(date_lit(as_of).alias("as_of"));
    sorted_by_id(collect_scored(scored.select(select))?, CUSTOMER_ID)
}

/// `--fit-report`: what a model-based scorer fitted, as JSON.
fn write_fit_report(
    path: &Path,
    scorer: &dyn Scorer,
    fit: Option<FittedModel>,
    ctx: &ScoreContext,
    guard: &WriteGuard,
) -> anyhow::Result<()> {
    let Some(FittedModel { mut report, .. }) = fit else {
        anyhow::bail!("the {} scorer produced no fit report", scorer.name());
    };
    report["as_of"] = format_date(ctx.as_of).into();
    guard.write(path, "--fit-report", |out| {
        serde_json::to_writer_pretty(&mut *out, &report)?;
        Ok(out.write_all(b"\n")?)
    })
}

/// Warn about the scorer options given that `scorer` does not read.
pub fn warn_about_other_scorers_options(
    options: &ScoreOptions,
    clv: &ClvArgs,
    scorer: &dyn Scorer,
    printer: &Printer,
) {
    for option in options
        .scorer_options_given(clv)
        .into_iter()
        .filter(|flag| !scorer.own_options().contains(flag))
    {
        printer.warn(&format!(
            "{option} does not apply to the {} scorer and is ignored",
            scorer.name()
        ));
    }
}

/// Ranking by profit needs a cost column in every order file.
fn require_cost_for_profit(
    scorer: &dyn Scorer,
    ctx: &ScorerSettings,
    orders: &crate::input::LoadedOrders,
) -> Result<(), TieringError> {
    use crate::input::columns::Canonical;
    let Some(option) = scorer.profit_basis(ctx) else {
        return Ok(());
    };
    match orders
        .files
        .iter()
        .find(|f| f.mapping.get(Canonical::Cost).is_none())
    {
        Some(file) => Err(TieringError::usage(
            format!(
                "{option} needs a cost column, and `{}` has none",
                file.file.display
            ),
            Some("map one with --map cost=<header name>, or rank by revenue".into()),
        )),
        None => Ok(()),
    }
}
