//! `tiering score`: read orders, score customers, write one row per customer (or the
//! summary table in a terminal, or the score thresholds).

use std::io::Write;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::cli::ScoreArgs;
use crate::config::LoadedConfig;
use crate::error::{ExitStatus, TieringError};
use crate::input::dates::format_date;
use crate::input::lines::col_names::CUSTOMER_ID;
use crate::metrics::{METRIC_COLUMNS, MONEY_COLUMNS, date_lit};
use crate::output::OutputData;
use crate::output::atomic::write_atomically;
use crate::output::destination::Destination;
use crate::output::rejects::write_rejects;
use crate::output::summary_table::{write_frame_table, write_summary};
use crate::pipeline::{Request, prepare};
use crate::printer::Printer;
use crate::scorers::{ScoreContext, Scorer, collect_scored};
use crate::settings::{input_options, score_settings};
use crate::summary::by_group;

/// Run `tiering score`.
pub fn run(
    args: &ScoreArgs,
    config: &LoadedConfig,
    printer: &Printer,
) -> anyhow::Result<ExitStatus> {
    let options = input_options(&args.input, config, args.rejects.is_some())?;
    let mut settings = score_settings(args, config)?;
    let destination = Destination::resolve(args.output.as_ref(), args.format)?;
    if let Destination::File(path, _) = &destination {
        refuse_to_overwrite_input(path, &args.inputs, args.customers.as_deref())?;
    }
    let scorer = settings.scorer.build();
    if args.clv.fit_report.is_some() && settings.scorer != crate::scorers::ScorerKind::Clv {
        return Err(TieringError::usage(
            format!("--fit-report: the {} scorer fits no model", scorer.name()),
            Some("use it with --scorer clv".into()),
        )
        .into());
    }
    let scorer_columns = scorer.output_columns(&settings.context);
    let mut reserved = vec![CUSTOMER_ID, "as_of"];
    reserved.extend(METRIC_COLUMNS);
    reserved.extend(scorer_columns.iter().map(String::as_str));
    let request = Request {
        inputs: &args.inputs,
        customers: args.customers.as_deref(),
        as_of: settings.as_of,
        reserved: &reserved,
        scorer: Some((scorer.as_ref(), &settings.context)),
    };
    let prepared = prepare(&request, &options, printer)?;
    require_cost_for_profit(&settings, &prepared.orders)?;
    if let Some(path) = &args.rejects {
        write_rejects_file(path, &prepared.orders, printer)?;
    }
    settings.context.as_of = prepared.as_of;
    let ctx = &settings.context;
    let mut columns: Vec<String> = scorer_columns;
    columns.extend(prepared.extra_columns.iter().cloned());
    let customers = collect_customers(scorer.score(prepared.customers, ctx)?, &columns, ctx.as_of)?;
    let thresholds = OutputData {
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
    };
    for note in scorer.threshold_notes(&thresholds.frame, ctx)? {
        printer.note(&note);
    }
    if let Some(path) = &args.clv.fit_report {
        write_fit_report(path, scorer.as_ref(), ctx)?;
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
    if args.thresholds {
        return destination.write(&thresholds, |out| write_frame_table(out, &thresholds));
    }
    let mut money: Vec<String> = MONEY_COLUMNS.iter().map(|c| c.to_string()).collect();
    money.extend(scorer.money_columns(ctx));
    let data = OutputData {
        frame: customers,
        money,
        decimals: ctx.decimals,
        title: "customers".into(),
    };
    let status = destination.write(&data, |out| {
        write_summary_view(out, &data, scorer.as_ref(), ctx)
    })?;
    if matches!(destination, Destination::Terminal) {
        printer.hint(&format!(
            "{} customers, one row each: `tiering score {} -o tiers.csv` (or .xlsx, .parquet, .json), or pipe the output",
            data.frame.height(),
            args.inputs.join(" ")
        ));
    }
    Ok(status)
}

/// The per-customer frame in output order: customer_id, metrics, the scorer's columns and
/// the export's, as_of; sorted by customer_id.
fn collect_customers(scored: LazyFrame, columns: &[String], as_of: i32) -> PolarsResult<DataFrame> {
    let mut select: Vec<Expr> = vec![col(CUSTOMER_ID)];
    select.extend(METRIC_COLUMNS.iter().map(|c| col(*c)));
    select.extend(columns.iter().map(|c| col(c.as_str())));
    select.push(date_lit(as_of).alias("as_of"));
    collect_scored(
        scored
            .select(select)
            .sort([CUSTOMER_ID], SortMultipleOptions::default()),
    )
}

/// `--fit-report`: what a model-based scorer fitted, as JSON.
fn write_fit_report(path: &Path, scorer: &dyn Scorer, ctx: &ScoreContext) -> anyhow::Result<()> {
    let Some(mut report) = scorer.fit_report() else {
        anyhow::bail!("the {} scorer produced no fit report", scorer.name());
    };
    report["as_of"] = format_date(ctx.as_of).into();
    write_atomically(path, |out| {
        serde_json::to_writer_pretty(&mut *out, &report)?;
        Ok(out.write_all(b"\n")?)
    })
}

fn write_rejects_file(
    path: &Path,
    orders: &crate::input::LoadedOrders,
    printer: &Printer,
) -> anyhow::Result<()> {
    let header = orders
        .files
        .first()
        .map(|f| f.mapping.header.clone())
        .unwrap_or_default();
    write_rejects(path, &orders.rejected, &header)?;
    if !orders.rejected.is_empty() {
        printer.warn(&format!(
            "{} bad rows written to `{}`; the rest is scored",
            orders.rejected.len(),
            path.display()
        ));
    }
    Ok(())
}

/// The readable view: one summary row per segment or tier.
fn write_summary_view(
    out: &mut dyn Write,
    data: &OutputData,
    scorer: &dyn Scorer,
    ctx: &ScoreContext,
) -> anyhow::Result<()> {
    let order = scorer.group_order(ctx);
    let efforts: Vec<f64> = order
        .iter()
        .map(|id| ctx.playbook.effort(&scorer.playbook_key(id)))
        .collect();
    let (rows, totals) = by_group(&data.frame, scorer.group(), &order, &efforts)?;
    let title = summary_title(
        scorer.name(),
        &format_date(ctx.as_of),
        data.frame.height(),
        &scorer.describe(ctx),
        ctx.lang,
    );
    let group = scorer.group_title(ctx.lang);
    write_summary(out, &title, group, &rows, &totals, ctx.decimals, ctx.lang)
}

fn summary_title(
    scorer: &str,
    as_of: &str,
    customers: usize,
    options: &str,
    lang: crate::lang::Lang,
) -> String {
    match lang {
        crate::lang::Lang::En => {
            format!("{scorer} · as of {as_of} · {customers} customers · {options}")
        }
        crate::lang::Lang::Zh => {
            format!("{scorer} · 截至 {as_of} · {customers} 位客户 · {options}")
        }
    }
}

/// Ranking by profit needs a cost column in every order file.
fn require_cost_for_profit(
    settings: &crate::settings::ScoreSettings,
    orders: &crate::input::LoadedOrders,
) -> Result<(), TieringError> {
    use crate::input::columns::Canonical;
    use crate::scorers::{ScorerKind, pareto::Basis};
    let by_profit =
        settings.scorer == ScorerKind::Pareto && settings.context.pareto.basis == Basis::Profit;
    match orders
        .files
        .iter()
        .find(|f| f.mapping.get(Canonical::Cost).is_none())
    {
        Some(file) if by_profit => Err(TieringError::usage(
            format!(
                "--basis profit needs a cost column, and `{}` has none",
                file.file.display
            ),
            Some("map one with --map cost=<header name>, or rank by --basis revenue".into()),
        )),
        _ => Ok(()),
    }
}

/// `-o` must never replace one of the inputs.
pub fn refuse_to_overwrite_input(
    output: &Path,
    inputs: &[String],
    customers: Option<&str>,
) -> Result<(), TieringError> {
    let Ok(target) = output.canonicalize() else {
        return Ok(());
    };
    let inputs = crate::input::source::expand(inputs).unwrap_or_default();
    let mut paths: Vec<PathBuf> = inputs.into_iter().filter_map(|f| f.path).collect();
    paths.extend(customers.map(PathBuf::from));
    if paths
        .iter()
        .any(|p| p.canonicalize().is_ok_and(|p| p == target))
    {
        return Err(TieringError::usage(
            format!(
                "refusing to overwrite the input `{}` with the output",
                output.display()
            ),
            Some("choose another -o file".into()),
        ));
    }
    Ok(())
}
