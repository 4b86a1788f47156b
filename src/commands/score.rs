//! `tiering score`: read orders, score customers, write one row per customer (or the
//! summary table in a terminal, or the score thresholds).

use std::io::Write;

use crate::cli::ScoreArgs;
use crate::config::LoadedConfig;
use crate::error::ExitStatus;
use crate::input::dates::format_date;
use crate::output::destination::Destination;
use crate::output::summary_table::{write_frame_table, write_summary};
use crate::printer::Printer;
use crate::report::summary::tier_rows;
use crate::scored::{LinesAfterScoring, ScoredRun, score_inputs, scoring_guard};

/// Run `tiering score`.
pub fn run(
    args: &ScoreArgs,
    config: &LoadedConfig,
    printer: &Printer,
) -> anyhow::Result<ExitStatus> {
    let scoring = &args.scoring;
    let destination = Destination::resolve(args.output.as_ref(), args.format)?;
    let guard = scoring_guard(scoring, config)?;
    if let Destination::File(path, _) = &destination {
        guard.claim(path, "-o")?;
    }
    let mut run = score_inputs(
        scoring,
        config,
        printer,
        &guard,
        (None, None),
        LinesAfterScoring::Drop,
    )?;
    run.progress.stage("writing");
    if args.thresholds {
        return destination.write(&run.thresholds, &guard, |out| {
            write_frame_table(out, &run.thresholds)
        });
    }
    let data = run.customers_output();
    let status = destination.write(&data, &guard, |out| write_summary_view(out, &run))?;
    if matches!(destination, Destination::Terminal) {
        printer.hint(&format!(
            "{} customers, one row each: `tiering score {} -o tiers.csv` (or .xlsx, .parquet, .json), or pipe the output",
            data.frame.height(),
            scoring.inputs.join(" ")
        ));
    }
    Ok(status)
}

/// The readable view: one summary row per segment or tier.
fn write_summary_view(out: &mut dyn Write, run: &ScoredRun) -> anyhow::Result<()> {
    let (ctx, scorer) = (&run.context, run.scorer.as_ref());
    let (rows, _) = tier_rows(run)?;
    let title = summary_title(
        scorer.name(),
        &format_date(ctx.as_of),
        run.customers.height(),
        &scorer.describe(ctx),
        ctx.lang,
    );
    write_summary(out, &title, scorer.group_title(ctx.lang), &rows, ctx.lang)
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
            format!(
                "{scorer} · as of {as_of} · {} · {options}",
                crate::plural::count(customers as u64, "customer", "customers")
            )
        }
        crate::lang::Lang::Zh => {
            format!("{scorer} · 截至 {as_of} · {customers} 位客户 · {options}")
        }
    }
}
