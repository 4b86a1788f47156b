//! `tiering sql`: print (or write) the scoring as one SQL script for an engine.

use crate::cli::{ClvArgs, InputArgs, SqlArgs};
use crate::config::LoadedConfig;
use crate::error::ExitStatus;
use crate::input::dates::format_date;
use crate::input::lines::col_names::CUSTOMER_ID;
use crate::metrics::METRIC_COLUMNS;
use crate::output::guard::WriteGuard;
use crate::output::stdout::write_stdout;
use crate::printer::Printer;
use crate::report::previous::{OPTIONS_COLUMN, SCORER_COLUMN};
use crate::scored::warn_about_other_scorers_options;
use crate::settings::{ScoringFlags, input_options, score_settings};
use crate::sql::{script, source};

/// Run `tiering sql`.
pub fn run(args: &SqlArgs, config: &LoadedConfig, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let settings = score_settings(
        ScoringFlags {
            options: &args.options,
            clv: &ClvArgs::default(),
            currency_decimals: args.currency_decimals,
        },
        config,
    )?;
    // `tiering sql` reads no files itself; of the input flags it takes --map and
    // --currency-decimals.
    let input = InputArgs {
        map: args.map.clone(),
        currency_decimals: args.currency_decimals,
        ..InputArgs::default()
    };
    let options = input_options(&input, config, false)?;
    let source = source::resolve(
        args.dialect,
        &args.source,
        &options.columns,
        &args.table_columns,
    )?;
    let scorer = settings.scorer.build();
    warn_about_other_scorers_options(&args.options, &ClvArgs::default(), scorer.as_ref(), printer);
    let customers = match &args.customers {
        Some(export) => {
            let scorer_columns = scorer.output_columns(&settings.scoring);
            let mut reserved = vec![CUSTOMER_ID, "as_of", SCORER_COLUMN, OPTIONS_COLUMN];
            reserved.extend(METRIC_COLUMNS);
            reserved.extend(scorer_columns.iter().map(String::as_str));
            Some(source::resolve_customers(
                args.dialect,
                export,
                &options.columns,
                &args.customer_columns,
                &reserved,
            )?)
        }
        None => None,
    };
    let as_of = settings.as_of.map(format_date);
    let description = format!(
        "tiering {} scores of {} as of {}: {}",
        scorer.name(),
        args.source,
        as_of.as_deref().unwrap_or("the latest order date"),
        scorer.describe(&settings.scoring)
    );
    let text = script(
        args.dialect,
        settings.scorer,
        &source,
        customers.as_ref(),
        &settings.scoring,
        as_of.as_deref(),
        &description,
    )?;
    match &args.output {
        Some(path) => {
            sql_guard(args, config).write(path, "-o", |out| Ok(out.write_all(text.as_bytes())?))?
        }
        None => {
            sql_guard(args, config).check_stdout()?;
            write_stdout(|out| Ok(out.write_all(text.as_bytes())?))?
        }
    }
    Ok(ExitStatus::Success)
}

/// The files the script reads when `--source` and `--customers` are paths.
fn sql_guard(args: &SqlArgs, config: &LoadedConfig) -> WriteGuard {
    let mut guard = WriteGuard::new();
    guard.protect_patterns("source", std::slice::from_ref(&args.source));
    if let Some(customers) = &args.customers {
        guard.protect_patterns("customer export", std::slice::from_ref(customers));
    }
    if let Some(path) = &config.path {
        guard.protect("configuration", path);
    }
    guard
}
