//! `tiering man`: the man page (roff) generated from the clap definitions.

use clap::CommandFactory;

use crate::cli::Cli;
use crate::error::ExitStatus;
use crate::output::stdout::write_stdout;

/// Print the man page to stdout.
pub fn run() -> anyhow::Result<ExitStatus> {
    let page = clap_mangen::Man::new(Cli::command());
    write_stdout(|out| Ok(page.render(out)?))?;
    Ok(ExitStatus::Success)
}
