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
                // Written without eprintln!, which panics when stderr is closed.
                let message = format!("error: {}\n", tiering::error::render(&error));
                let _ = std::io::Write::write_all(&mut std::io::stderr(), message.as_bytes());
            }
            status
        }
    };
    ExitCode::from(status as u8)
}
