//! `tiering man`: the man page (roff) generated from the clap definitions.

use clap::CommandFactory;

use crate::cli::Cli;
use crate::error::ExitStatus;

/// Print the man page to stdout.
pub fn run() -> anyhow::Result<ExitStatus> {
    let page = clap_mangen::Man::new(Cli::command());
    page.render(&mut std::io::stdout())?;
    Ok(ExitStatus::Success)
}
