//! `tiering check`: what would be read from order exports — files, detected columns, rows,
//! customers, orders, date range, returns, and every bad row with its reason — without scoring.

use polars::prelude::*;

use crate::cli::CheckArgs;
use crate::cli::{ClvArgs, ScoreOptions};
use crate::config::LoadedConfig;
use crate::error::ExitStatus;
use crate::error::TieringError;
use crate::input::lines::col_names::{AMOUNT, LINES, ORDER_DATE, RETURN_LINES, RETURNS};
use crate::input::load_orders;
use crate::input::same_file::distinct_files;
use crate::input::source::expand;
use crate::lint::{Finding, Level, lint};
use crate::metrics::line_counts::LineCounts;
use crate::output::check_report::{
    CheckReport, Totals, write_check_report, write_findings, write_layouts,
};
use crate::output::stdout::write_stdout;
use crate::pipeline::{Request, prepare};
use crate::printer::Printer;
use crate::scorers::{ScorerKind, collect_scored};
use crate::settings::input_options;
use crate::settings::{ScoringFlags, score_settings};

/// Run `tiering check`: lint the configuration (if one is in force) and report what the
/// inputs hold. Exit 2 on configuration errors, 3 when any row is bad.
pub fn run(
    args: &CheckArgs,
    config: &LoadedConfig,
    printer: &Printer,
) -> anyhow::Result<ExitStatus> {
    if args.layouts {
        write_stdout(write_layouts)?;
        return Ok(ExitStatus::Success);
    }
    let mut findings = match &config.path {
        Some(_) => lint(&config.config),
        None => Vec::new(),
    };
    if args.inputs.is_empty() {
        let Some(path) = &config.path else {
            return Err(TieringError::usage(
                "nothing to check",
                Some("give order files, or a configuration with --config tiering.toml".into()),
            )
            .into());
        };
        write_stdout(|out| write_findings(out, &path.display().to_string(), &findings))?;
        return Ok(lint_status(&findings));
    }
    if config.path.is_some() && config.config.rules.is_some() {
        findings.extend(rules_matching_nobody(args, config)?);
    }
    let options = input_options(&args.input, config, true)?;
    let (files, repeats) = distinct_files(expand(&args.inputs)?);
    for repeat in &repeats {
        printer.note(&repeat.note());
    }
    let loaded = load_orders(&files, &options, &|_| {})?;
    let totals = if loaded.lines.height() > 0 {
        Some(totals(&loaded.lines)?)
    } else {
        None
    };
    let report = CheckReport {
        files: &loaded.files,
        totals,
        rejected: &loaded.rejected,
        show: args.show,
        decimals: options.typing.money.decimals,
    };
    write_stdout(|out| {
        if let Some(path) = &config.path {
            write_findings(out, &path.display().to_string(), &findings)?;
        }
        write_check_report(out, &report)
    })?;
    Ok(match lint_status(&findings) {
        ExitStatus::Success if !loaded.rejected.is_empty() => ExitStatus::BadData,
        status => status,
    })
}

fn lint_status(findings: &[Finding]) -> ExitStatus {
    if findings.iter().any(|f| f.level == Level::Error) {
        ExitStatus::Usage
    } else {
        ExitStatus::Success
    }
}

/// Score the inputs with the configured threshold rules and name the rules nobody reaches.
fn rules_matching_nobody(args: &CheckArgs, config: &LoadedConfig) -> anyhow::Result<Vec<Finding>> {
    let rules = ScoreOptions {
        scorer: Some(ScorerKind::Rules),
        ..ScoreOptions::default()
    };
    let flags = ScoringFlags {
        options: &rules,
        clv: &ClvArgs::default(),
        currency_decimals: args.input.currency_decimals,
    };
    // A configuration that does not resolve is reported by the lint already.
    let Ok(settings) = score_settings(flags, config) else {
        return Ok(Vec::new());
    };
    let options = input_options(&args.input, config, true)?;
    let scorer = settings.scorer.build();
    let request = Request {
        inputs: &args.inputs,
        customers: None,
        as_of: None,
        reserved: &[],
        scorer: Some((scorer.as_ref(), &settings.scoring)),
        rejects: None,
        lines_read: None,
        keep_lines: false,
    };
    let prepared = prepare(&request, &options, &Printer::new(0, true))?;
    let Some(ctx) = prepared.context else {
        return Ok(Vec::new());
    };
    let Ok(scored) = scorer.score(prepared.customers, &ctx) else {
        return Ok(Vec::new());
    };
    let counts = collect_scored(scorer.thresholds(scored.frame, &ctx))?;
    let tiers = counts.column("tier_id")?.str()?.clone();
    let customers = counts.column("customers")?.i64()?.clone();
    Ok(tiers
        .iter()
        .zip(customers.iter())
        .enumerate()
        .filter(|(_, (_, count))| count.unwrap_or(0) == 0)
        .map(|(i, (tier, _))| Finding {
            level: Level::Warning,
            message: format!(
                "threshold rule {} (tier `{}`) matches nobody in the data",
                i + 1,
                tier.unwrap_or_default()
            ),
        })
        .collect())
}

fn totals(lines: &DataFrame) -> anyhow::Result<Totals> {
    let line_totals = lines
        .clone()
        .lazy()
        .select([
            col(LINES).cast(DataType::Int64).sum().alias("lines"),
            col(ORDER_DATE).min().cast(DataType::Int32).alias("first"),
            col(ORDER_DATE).max().cast(DataType::Int32).alias("last"),
            col(AMOUNT).sum().alias("net"),
            col(RETURN_LINES)
                .cast(DataType::Int64)
                .sum()
                .alias("return_lines"),
            col(RETURNS).sum().alias("returns"),
        ])
        .collect()?;
    let mut lines = lines.clone();
    let counts = LineCounts::of(&mut lines)?;
    let int = |frame: &DataFrame, name: &str| -> anyhow::Result<i64> {
        Ok(frame
            .column(name)?
            .cast(&DataType::Int64)?
            .i64()?
            .get(0)
            .unwrap_or(0))
    };
    Ok(Totals {
        lines: int(&line_totals, "lines")?,
        customers: counts.customers() as i64,
        orders: counts.orders as i64,
        purchases: counts.purchases as i64,
        first_date: int(&line_totals, "first")? as i32,
        last_date: int(&line_totals, "last")? as i32,
        return_lines: int(&line_totals, "return_lines")?,
        returns: int(&line_totals, "returns")?,
        net_revenue: int(&line_totals, "net")?,
    })
}
