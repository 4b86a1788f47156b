//! `tiering score`: read orders, score customers, write one row per customer (or the
//! summary table in a terminal, or the score thresholds).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::cli::ScoreArgs;
use crate::config::LoadedConfig;
use crate::error::{ExitStatus, TieringError};
use crate::input::dates::format_date;
use crate::input::lines::col_names::CUSTOMER_ID;
use crate::metrics::{METRIC_COLUMNS, MONEY_COLUMNS, date_lit};
use crate::output::atomic::write_atomically;
use crate::output::rejects::write_rejects;
use crate::output::summary_table::{write_frame_table, write_summary};
use crate::output::{OutputData, OutputFormat};
use crate::pipeline::prepare;
use crate::printer::Printer;
use crate::settings::{input_options, score_settings};
use crate::summary::by_segment;

/// Run `tiering score`.
pub fn run(
    args: &ScoreArgs,
    config: &LoadedConfig,
    printer: &Printer,
) -> anyhow::Result<ExitStatus> {
    let options = input_options(&args.input, config, args.rejects.is_some())?;
    let mut settings = score_settings(args, config)?;
    let destination = Destination::resolve(args)?;
    if let Destination::File(path, _) = &destination {
        refuse_to_overwrite_input(path, &args.inputs, args.customers.as_deref())?;
    }
    let scorer = settings.scorer.build();
    let mut reserved = vec![CUSTOMER_ID, "as_of"];
    reserved.extend(METRIC_COLUMNS);
    reserved.extend(scorer.output_columns());
    let prepared = prepare(
        &args.inputs,
        args.customers.as_deref(),
        &options,
        settings.as_of,
        &reserved,
        printer,
    )?;
    if let Some(path) = &args.rejects {
        let header = prepared
            .orders
            .files
            .first()
            .map(|f| f.mapping.header.clone())
            .unwrap_or_default();
        write_rejects(path, &prepared.orders.rejected, &header)?;
        if !prepared.orders.rejected.is_empty() {
            printer.warn(&format!(
                "{} bad rows written to `{}`; the rest is scored",
                prepared.orders.rejected.len(),
                path.display()
            ));
        }
    }
    settings.context.as_of = prepared.as_of;
    let ctx = &settings.context;
    let scored = scorer.score(prepared.customers, ctx)?;

    let mut columns: Vec<Expr> = vec![col(CUSTOMER_ID)];
    columns.extend(METRIC_COLUMNS.iter().map(|c| col(*c)));
    columns.extend(scorer.output_columns().into_iter().map(col));
    columns.extend(prepared.extra_columns.iter().map(|c| col(c.as_str())));
    columns.push(date_lit(prepared.as_of).alias("as_of"));
    let customers = scored
        .select(columns)
        .sort([CUSTOMER_ID], SortMultipleOptions::default())
        .collect()?;
    let thresholds = scorer
        .thresholds(customers.clone().lazy(), ctx)
        .with_column(date_lit(prepared.as_of).alias("as_of"))
        .collect()?;
    report_empty_bins(&thresholds, ctx.ties.name(), printer)?;

    let as_of_text = format_date(prepared.as_of);
    let threshold_data = OutputData {
        frame: thresholds,
        money: vec!["revenue_min".into(), "revenue_max".into()],
        decimals: settings.decimals,
        title: "thresholds".into(),
    };
    if printer.is_verbose() {
        printer.detail(&format!("score thresholds as of {as_of_text}:"));
        let mut text = Vec::new();
        write_frame_table(&mut text, &threshold_data)?;
        printer.detail(String::from_utf8_lossy(&text).trim_end());
    }
    if args.thresholds {
        return destination.write(&threshold_data, |out| {
            write_frame_table(out, &threshold_data)
        });
    }
    let mut money: Vec<String> = MONEY_COLUMNS.iter().map(|c| c.to_string()).collect();
    money.extend(scorer.money_columns().iter().map(|c| c.to_string()));
    let data = OutputData {
        frame: customers,
        money,
        decimals: settings.decimals,
        title: "customers".into(),
    };
    let title = summary_title(
        scorer.name(),
        &as_of_text,
        data.frame.height(),
        ctx.bins,
        ctx.ties.name(),
        ctx.lang,
    );
    let status = destination.write(&data, |out| {
        let (rows, totals) = by_segment(&data.frame, &ctx.segments.ids())?;
        write_summary(out, &title, &rows, &totals, settings.decimals, ctx.lang)
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

fn summary_title(
    scorer: &str,
    as_of: &str,
    customers: usize,
    bins: u32,
    ties: &str,
    lang: crate::lang::Lang,
) -> String {
    match lang {
        crate::lang::Lang::En => {
            format!("{scorer} · as of {as_of} · {customers} customers · {bins} bins, ties {ties}")
        }
        crate::lang::Lang::Zh => {
            format!("{scorer} · 截至 {as_of} · {customers} 位客户 · {bins} 档, 并列规则 {ties}")
        }
    }
}

/// Where the result goes.
enum Destination {
    /// The summary table on a terminal.
    Terminal,
    /// stdout in a per-row (or table) format.
    Stdout(OutputFormat),
    /// A file, written atomically.
    File(PathBuf, OutputFormat),
}

impl Destination {
    fn resolve(args: &ScoreArgs) -> Result<Destination, TieringError> {
        let stdout_is_terminal = std::io::stdout().is_terminal();
        match (&args.output, args.format) {
            (Some(path), Some(format)) => Ok(Destination::File(path.clone(), format)),
            (Some(path), None) => match OutputFormat::from_path(path) {
                Some(format) => Ok(Destination::File(path.clone(), format)),
                None => Err(TieringError::usage(
                    format!("cannot tell the output format of `{}` from its extension", path.display()),
                    Some("name it .csv, .tsv, .json, .ndjson, .parquet, .xlsx or .md, or pass --format".into()),
                )),
            },
            (None, Some(format)) if format.is_binary() && stdout_is_terminal => {
                Err(TieringError::usage(
                    format!("refusing to write {format:?} to a terminal"),
                    Some("write it to a file with -o, or redirect stdout".into()),
                ))
            }
            (None, Some(OutputFormat::Table)) if stdout_is_terminal => Ok(Destination::Terminal),
            (None, Some(format)) => Ok(Destination::Stdout(format)),
            (None, None) if stdout_is_terminal => Ok(Destination::Terminal),
            (None, None) => Ok(Destination::Stdout(OutputFormat::Csv)),
        }
    }

    /// Write `data` in the destination's format; `table` renders the readable view.
    fn write(
        &self,
        data: &OutputData,
        table: impl Fn(&mut dyn Write) -> anyhow::Result<()>,
    ) -> anyhow::Result<ExitStatus> {
        let render = |format: OutputFormat, out: &mut dyn Write| match format.build() {
            Some(output) => output.write(data, out),
            None => table(out),
        };
        match self {
            Destination::Terminal => {
                let mut stdout = std::io::stdout().lock();
                table(&mut stdout)?;
                stdout.flush()?;
            }
            Destination::Stdout(format) => {
                let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
                render(*format, &mut stdout)?;
                stdout.flush()?;
            }
            Destination::File(path, format) => {
                write_atomically(path, |out| render(*format, out))?;
            }
        }
        Ok(ExitStatus::Success)
    }
}

/// `-o` must never replace one of the inputs.
fn refuse_to_overwrite_input(
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

/// Some bins can stay empty: above n when there are fewer customers than bins, and under
/// shared ties where a group of equal values takes the bins it spans. Say which, so
/// nobody thinks a row is lost.
fn report_empty_bins(thresholds: &DataFrame, ties: &str, printer: &Printer) -> PolarsResult<()> {
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
    if n < bins {
        printer.note(&format!(
            "only {n} purchasing customers for {bins} bins: scores above {n} stay empty"
        ));
    }
    for (dimension, column) in [
        ("r", "r_customers"),
        ("f", "f_customers"),
        ("m", "m_customers"),
    ] {
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
            printer.note(&format!(
                "{dimension}_score {noun} {} {verb} empty: customers with equal values share a score (--ties {ties})",
                empty.join(", ")
            ));
        }
    }
    Ok(())
}
