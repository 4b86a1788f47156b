//! The `tiering` binary: parse arguments, run, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;
use tiering::error::ExitStatus;

fn main() -> ExitCode {
    let cli = tiering::cli::Cli::parse();
    let status = match tiering::run(&cli) {
        Ok(status) => status,
        Err(error) => {
            let status = tiering::classify(&error);
            if status != ExitStatus::Success {
                #[allow(clippy::print_stderr)]
                {
                    eprintln!("error: {}", tiering::error::render(&error));
                }
            }
            status
        }
    };
    ExitCode::from(status as u8)
}
