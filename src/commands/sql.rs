//! `tiering sql`: print (or write) the scoring as one SQL script for an engine.

use std::io::Write;

use crate::cli::{InputArgs, ScoringArgs, SqlArgs};
use crate::config::LoadedConfig;
use crate::error::ExitStatus;
use crate::input::dates::format_date;
use crate::output::atomic::write_atomically;
use crate::settings::{input_options, score_settings};
use crate::sql::{script, source};

/// Run `tiering sql`.
pub fn run(args: &SqlArgs, config: &LoadedConfig) -> anyhow::Result<ExitStatus> {
    let scoring = ScoringArgs {
        options: args.options.clone(),
        input: InputArgs {
            map: args.map.clone(),
            currency_decimals: args.currency_decimals,
            ..InputArgs::default()
        },
        ..ScoringArgs::default()
    };
    let settings = score_settings(&scoring, config)?;
    let options = input_options(&scoring.input, config, false)?;
    let source = source::resolve(
        args.dialect,
        &args.source,
        &options.columns,
        &args.table_columns,
    )?;
    let scorer = settings.scorer.build();
    let as_of = settings.as_of.map(format_date);
    let description = format!(
        "tiering {} scores of {} as of {}: {}",
        scorer.name(),
        args.source,
        as_of.as_deref().unwrap_or("the latest order date"),
        scorer.describe(&settings.context)
    );
    let text = script(
        args.dialect,
        settings.scorer,
        &source,
        &settings.context,
        as_of.as_deref(),
        &description,
    )?;
    match &args.output {
        Some(path) => write_atomically(path, |out| Ok(out.write_all(text.as_bytes())?))?,
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(text.as_bytes())?;
            stdout.flush()?;
        }
    }
    Ok(ExitStatus::Success)
}
