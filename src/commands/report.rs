//! `tiering report`: score the orders, compare with earlier tiers, and write the report
//! (to a file, a cron directory of dated files, or stdout).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use polars::prelude::*;

use crate::cli::ReportArgs;
use crate::config::LoadedConfig;
use crate::error::{ExitStatus, TieringError};
use crate::input::dates::format_date;
use crate::output::destination::Destination;
use crate::output::guard::WriteGuard;
use crate::output::parquet::ParquetOutput;
use crate::output::stdout::write_stdout;
use crate::output::{Output, OutputData};
use crate::printer::Printer;
use crate::report::previous::{OPTIONS_COLUMN, SCORER_COLUMN, Snapshot};
use crate::report::reconcile::Against;
use crate::report::scores::scores_run;
use crate::report::{Report, ReportFormat, ReportInput, build};
use crate::scored::{LinesAfterScoring, ScoredRun, score_inputs, scoring_guard};
use crate::settings::date_arg;

/// Where the report goes: one file, a cron directory of dated files, or stdout.
type Target = Destination<ReportFormat>;

/// Run `tiering report`.
pub fn run(
    args: &ReportArgs,
    config: &LoadedConfig,
    printer: &Printer,
) -> anyhow::Result<ExitStatus> {
    let target = target(args)?;
    let scoring = &args.scoring;
    // The files read: order exports or the scores file, and the earlier tiers; none may
    // be overwritten.
    let mut guard = scoring_guard(scoring, config)?;
    if let Some(scores) = &args.scores {
        guard.protect("scores file", scores);
    }
    if let Some(previous) = &args.previous {
        guard.protect("previous tiers", Path::new(previous));
    }
    if let Some(path) = target.file() {
        guard.claim(path, "-o")?;
    }
    let compare_as_of = args
        .compare_as_of
        .as_deref()
        .map(|text| date_arg("--compare-as-of", text))
        .transpose()?;
    // A budget that cannot be read is refused before the orders are.
    budget(args, 6)?;
    let mut run = match &args.scores {
        Some(scores) => scores_run(scores, scoring, config, printer)?,
        None => score_inputs(
            scoring,
            config,
            printer,
            &guard,
            (None, None),
            LinesAfterScoring::Keep,
        )?,
    };
    run.progress.stage("building the report");
    let previous = match (compare_as_of, &args.previous) {
        (Some(date), _) => Some(earlier_run(args, config, &run, date)?),
        (None, Some(previous)) => read_previous(previous, &target, &run, &mut guard, printer)?,
        (None, None) => None,
    };
    let history = read_history(args, &target, &run, &mut guard, printer)?;
    let budget = budget(args, run.context.decimals)?;
    let report = build(ReportInput {
        run: &run,
        previous,
        customer_export: scoring.customers.as_deref(),
        history,
        budget,
        by: &args.breakdown,
        previous_is_latest: args.previous.as_deref() == Some("latest"),
    })?;
    let r = &report.reconciliation;
    let against = match r.against {
        Against::OrderLines => "the input",
        Against::ScoresFile => "the scores file",
    };
    let counts = format!(
        "{}, {}, net revenue {}",
        crate::plural::count(r.input.customers, "customer", "customers"),
        crate::plural::count(r.input.orders, "order", "orders"),
        r.input.revenue.grouped()
    );
    match &target {
        Target::Terminal => write_report_stdout(&report, ReportFormat::Md)?,
        Target::Stdout(format) => {
            guard.check_stdout()?;
            write_report_stdout(&report, *format)?
        }
        Target::File(path, format) => {
            guard.write(path, "-o", |out| format.write(&report, out))?;
            printer.note(&format!("wrote `{}`", path.display()));
        }
        Target::Directory(dir, formats) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create the directory `{}`", dir.display()))?;
            let tiers = dir.join(format!("tiers-{}.parquet", report.as_of));
            let paths: Vec<PathBuf> = formats
                .iter()
                .map(|format| dir.join(format!("report-{}.{}", report.as_of, format.extension())))
                .collect();
            // Refused before anything is written, so a refusal leaves the directory as it was.
            guard.claim(&tiers, "--output-dir")?;
            for path in &paths {
                guard.claim(path, "--output-dir")?;
            }
            guard.write(&tiers, "--output-dir", |out| write_tier_file(&run, out))?;
            let mut written = vec![tiers.display().to_string()];
            for (format, path) in formats.iter().zip(&paths) {
                guard.write(path, "--output-dir", |out| format.write(&report, out))?;
                written.push(path.display().to_string());
            }
            printer.note(&format!("wrote {}", written.join(", ")));
        }
    }
    if r.matches {
        printer.note(&format!("reconciled with {against}: {counts}"));
        Ok(ExitStatus::Success)
    } else {
        printer.warn(&format!(
            "the report does not reconcile with {against} ({counts} in {against}; {} customers, {} orders, {} in the report): please report this",
            r.report.customers,
            r.report.orders,
            r.report.revenue.grouped()
        ));
        Ok(ExitStatus::Failure)
    }
}

fn target(args: &ReportArgs) -> Result<Target, TieringError> {
    let single = |default: ReportFormat| -> Result<ReportFormat, TieringError> {
        match args.format.as_slice() {
            [] => Ok(default),
            [one] => Ok(*one),
            _ => Err(TieringError::usage(
                "several --format values need --output-dir",
                Some("write one format with -o, or use --output-dir DIR --format html,xlsx".into()),
            )),
        }
    };
    if let Some(path) = &args.output {
        let from_extension = ReportFormat::from_path(path);
        let format = match (args.format.as_slice(), from_extension) {
            ([], None) => {
                return Err(TieringError::usage(
                    format!(
                        "cannot tell the report format of `{}` from its extension",
                        path.display()
                    ),
                    Some("name it .html, .md, .xlsx or .json, or pass --format".into()),
                ));
            }
            ([], Some(format)) => format,
            _ => single(ReportFormat::Html)?,
        };
        return Ok(Target::File(path.clone(), format));
    }
    if let Some(dir) = &args.output_dir {
        let formats = if args.format.is_empty() {
            vec![ReportFormat::Html]
        } else {
            let mut formats = args.format.clone();
            formats.dedup();
            formats
        };
        return Ok(Target::Directory(dir.clone(), formats));
    }
    let format = single(ReportFormat::Md)?;
    let terminal = std::io::stdout().is_terminal();
    if args.format.is_empty() && terminal {
        return Ok(Target::Terminal);
    }
    if format == ReportFormat::Xlsx && terminal {
        return Err(TieringError::usage(
            "refusing to write a workbook to a terminal",
            Some("write it to a file with -o report.xlsx, or redirect stdout".into()),
        ));
    }
    Ok(Target::Stdout(format))
}

fn write_report_stdout(report: &Report, format: ReportFormat) -> anyhow::Result<()> {
    write_stdout(|out| format.write(report, out))
}

/// The same orders scored at an earlier as-of date.
fn earlier_run(
    args: &ReportArgs,
    config: &LoadedConfig,
    run: &ScoredRun,
    date: i32,
) -> anyhow::Result<Snapshot> {
    if date >= run.context.as_of {
        return Err(TieringError::usage(
            format!(
                "--compare-as-of {} is not before the as-of date {}",
                format_date(date),
                format_date(run.context.as_of)
            ),
            Some("compare with an earlier date, e.g. a week or a month before".into()),
        )
        .into());
    }
    // The earlier run scores the lines this run read; its notes would repeat this run's.
    let mut scoring = args.scoring.clone();
    scoring.rejects = None;
    scoring.clv.fit_report = None;
    let earlier = score_inputs(
        &scoring,
        config,
        &Printer::new(0, true),
        &WriteGuard::new(),
        (Some(date), Some(&run.orders)),
        LinesAfterScoring::Drop,
    )
    .map_err(|e| match e.downcast_ref::<TieringError>() {
        Some(TieringError::NoData { .. }) => TieringError::usage(
            format!(
                "--compare-as-of {}: no order line is dated on or before it",
                format_date(date)
            ),
            Some("compare with a date inside the order history".into()),
        )
        .into(),
        _ => e,
    })?;
    Snapshot::of_run(&earlier, format!("--compare-as-of {}", format_date(date)))
}

/// `--previous FILE`, or `latest` with --output-dir (none on a cron job's first run).
fn read_previous(
    previous: &str,
    target: &Target,
    run: &ScoredRun,
    guard: &mut WriteGuard,
    printer: &Printer,
) -> anyhow::Result<Option<Snapshot>> {
    let latest = previous == "latest" && !Path::new(previous).exists();
    match target {
        Target::Directory(dir, _) if latest => {
            let mut found = earlier_snapshots(dir, run, (guard, printer), 1, "--output-dir")?;
            match found.pop() {
                Some(snapshot) => {
                    printer.note(&format!("comparing with `{}`", snapshot.source));
                    Ok(Some(snapshot))
                }
                None => {
                    printer.note(&format!(
                        "no earlier tiers-DATE.parquet of this scorer and options in `{}`: migration starts next run",
                        dir.display()
                    ));
                    Ok(None)
                }
            }
        }
        _ if latest => Err(TieringError::usage(
            "--previous latest looks in --output-dir, and none is given",
            Some("add --output-dir DIR, or name the earlier tier file".into()),
        )
        .into()),
        _ => {
            let path = PathBuf::from(previous);
            guard.protect("previous tiers", &path);
            let snapshot = Snapshot::read(&path, run.context.decimals)?;
            let as_of = format_date(run.context.as_of);
            if let Some(date) = snapshot.as_of.as_deref()
                && date > as_of.as_str()
            {
                return Err(TieringError::usage(
                    format!(
                        "--previous `{previous}` is as of {date}, after this run's as-of date {as_of}"
                    ),
                    Some("compare with earlier tiers, or score at a later --as-of".into()),
                )
                .into());
            }
            Ok(Some(snapshot))
        }
    }
}

/// `--budget AMOUNT`, read exactly in minor units (never negative).
fn budget(
    args: &ReportArgs,
    decimals: u32,
) -> Result<Option<crate::report::budget::Budget>, TieringError> {
    let Some(text) = &args.budget else {
        return Ok(None);
    };
    let format = crate::input::money::MoneyFormat {
        decimals,
        decimal_comma: args.scoring.input.decimal_comma,
    };
    let refused = |why: String| {
        TieringError::usage(
            format!("--budget `{text}`: {why}"),
            Some("give the period's budget in currency units, e.g. --budget 1000000".into()),
        )
    };
    let total = crate::input::money::parse_money(text, format)
        .map_err(|e| refused(e.reason().to_string()))?;
    if total < 0 {
        return Err(refused("a budget is not negative".into()));
    }
    Ok(Some(crate::report::budget::Budget {
        total,
        split: args.budget_split.unwrap_or_default(),
    }))
}

/// `--history DIR` (or the `--output-dir`): the tier files dated before this run, of the
/// same scorer and options, the newest `--periods` of them (one more than the periods
/// shown before this run, as the first period's base). Files of other runs are skipped
/// with a note.
fn read_history(
    args: &ReportArgs,
    target: &Target,
    run: &ScoredRun,
    guard: &mut WriteGuard,
    printer: &Printer,
) -> anyhow::Result<Option<Vec<Snapshot>>> {
    let dir = match (&args.history, target) {
        (Some(dir), _) => dir.clone(),
        (None, Target::Directory(dir, _)) => dir.clone(),
        (None, _) => {
            if args.periods.is_some() {
                return Err(TieringError::usage(
                    "--periods needs --history DIR (or --output-dir)",
                    Some("name the directory holding the tiers-DATE.parquet files".into()),
                )
                .into());
            }
            return Ok(None);
        }
    };
    if args.history.is_some() && !dir.is_dir() {
        return Err(TieringError::InputNotFound {
            pattern: dir.display().to_string(),
            what: if dir.exists() {
                "not a directory".into()
            } else {
                "no such directory".into()
            },
            hint: Some("--history takes the directory `report --output-dir` writes to".into()),
        }
        .into());
    }
    let wanted = args.periods.unwrap_or(12) as usize;
    let flag = if args.history.is_some() {
        "--history"
    } else {
        "--output-dir"
    };
    let mut snapshots = earlier_snapshots(&dir, run, (guard, printer), wanted, flag)?;
    snapshots.reverse();
    Ok(Some(snapshots))
}

/// Up to `limit` tier files in `dir` (given with `flag`) dated before this run, newest
/// first, of this run's scorer and options: a cron directory may hold files of other runs, or a file that
/// cannot be read; those are skipped with a note rather than stopping every later run.
fn earlier_snapshots(
    dir: &Path,
    run: &ScoredRun,
    (guard, printer): (&mut WriteGuard, &Printer),
    limit: usize,
    flag: &str,
) -> anyhow::Result<Vec<Snapshot>> {
    let as_of = format_date(run.context.as_of);
    let scorer = run.scorer.name();
    let options = run.scorer.options_key(&run.context);
    let mut snapshots = Vec::new();
    for (date, path) in crate::report::history::tier_files(dir)?
        .into_iter()
        .rev()
        .filter(|(date, _)| *date < as_of)
    {
        if snapshots.len() == limit {
            break;
        }
        guard.protect("earlier tiers", &path);
        let mut snapshot = match Snapshot::read_for(&path, run.context.decimals, flag) {
            Ok(snapshot) => snapshot,
            Err(e) => {
                printer.warn(&format!("skipped `{}`: {e}", path.display()));
                continue;
            }
        };
        let same = snapshot.scorer.as_deref() == Some(scorer)
            && snapshot.options.as_deref() == Some(options.as_str());
        if !same {
            printer.note(&format!(
                "skipped `{}`, scored by {} ({}), not {scorer} ({options})",
                path.display(),
                snapshot.scorer.as_deref().unwrap_or("an unknown scorer"),
                snapshot.options.as_deref().unwrap_or("unknown options")
            ));
            continue;
        }
        snapshot.as_of.get_or_insert(date);
        snapshots.push(snapshot);
    }
    Ok(snapshots)
}

/// The tier file next week's run compares with: `score`'s columns plus the scorer and
/// its options, so a comparison of unlike runs can be refused.
fn write_tier_file(run: &ScoredRun, out: &mut dyn Write) -> anyhow::Result<()> {
    let mut data: OutputData = run.customers_output();
    let height = data.frame.height();
    let scorer = Column::new(SCORER_COLUMN.into(), vec![run.scorer.name(); height]);
    let options = run.scorer.options_key(&run.context);
    let options = Column::new(OPTIONS_COLUMN.into(), vec![options.as_str(); height]);
    data.frame.with_column(scorer)?;
    data.frame.with_column(options)?;
    ParquetOutput.write(&data, out)
}
