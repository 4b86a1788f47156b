//! `tiering`: customer segmentation from order exports.
//!
//! Data flow (DESIGN §1): [`input`] reads files into canonical order lines, [`metrics`]
//! turns them into one row per customer, a [`scorers`] implementation adds scores,
//! segment and strategy (texts from [`playbook`]), and [`output`] writes the result.

#![warn(missing_docs)]

pub mod arrays;
pub mod cli;
pub mod clv;
pub mod commands;
pub mod config;
pub mod config_numbers;
pub mod customer_order;
pub mod error;
pub mod input;
pub mod lang;
pub mod lint;
pub mod memory;
pub mod metrics;
pub mod output;
pub mod pipeline;
pub mod playbook;
pub mod plural;
pub mod printer;
pub mod report;
pub mod scored;
pub mod scorers;
pub mod settings;
pub mod sql;
pub mod suggest;
pub mod summary;

use cli::{Cli, Command};
use error::ExitStatus;
use printer::Printer;

/// Run a parsed command line.
pub fn run(cli: &Cli) -> anyhow::Result<ExitStatus> {
    warm_up_polars();
    let printer = Printer::new(cli.verbose, cli.quiet);
    match &cli.command {
        Command::Completions(args) => return commands::completions::run(args),
        Command::Init(args) => return commands::init::run(args, &printer),
        Command::Man(args) => return commands::man::run(args, &printer),
        _ => {}
    }
    let config = config::load(cli.config.as_deref())?;
    if let Some(path) = &config.path {
        printer.detail(&format!("config: {}", path.display()));
    }
    match &cli.command {
        Command::Score(args) => commands::score::run(args, &config, &printer),
        Command::Report(args) => commands::report::run(args, &config, &printer),
        Command::Sql(args) => commands::sql::run(args, &config, &printer),
        Command::Check(args) => commands::check::run(args, &config, &printer),
        Command::Backtest(args) => commands::backtest::run(args, &config, &printer),
        Command::Completions(_) | Command::Man(_) | Command::Init(_) => {
            unreachable!("handled above")
        }
    }
}

/// polars zeroes an 8 MiB buffer the first time any column needs zeros (a null literal,
/// a null column): a quarter of the run on a small file. Done on another core while the
/// arguments are resolved and the input is read, it costs nothing.
fn warm_up_polars() {
    std::thread::spawn(|| {
        let _ = polars::prelude::Series::full_null("".into(), 1, &polars::prelude::DataType::Null);
    });
}

/// The exit status for an error, and whether it is a closed pipe (which is not an error).
pub fn classify(error: &anyhow::Error) -> ExitStatus {
    if let Some(e) = error.downcast_ref::<error::TieringError>() {
        return e.exit_status();
    }
    if let Some(e) = error.downcast_ref::<polars::error::PolarsError>()
        && let polars::error::PolarsError::IO { error, .. } = e
        && error.kind() == std::io::ErrorKind::BrokenPipe
    {
        return ExitStatus::Success;
    }
    let broken_pipe = error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || cause
                .downcast_ref::<serde_json::Error>()
                .is_some_and(|e| e.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe))
            || cause
                .downcast_ref::<csv::Error>()
                .is_some_and(|e| matches!(e.kind(), csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::BrokenPipe))
    });
    if broken_pipe {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    }
}
