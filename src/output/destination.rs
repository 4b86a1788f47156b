//! Where a command's result goes: the readable view on a terminal, a per-row format on
//! stdout, or a file written atomically.

use std::io::{IsTerminal, Write};

use anyhow::Context;
use std::path::PathBuf;

use super::atomic::write_atomically;
use super::{OutputData, OutputFormat};
use crate::error::{ExitStatus, TieringError};

/// Where the result goes.
pub enum Destination {
    /// The summary table on a terminal.
    Terminal,
    /// stdout in a per-row (or table) format.
    Stdout(OutputFormat),
    /// A file, written atomically.
    File(PathBuf, OutputFormat),
}

impl Destination {
    /// Decide from `-o` and `--format` (and whether stdout is a terminal).
    pub fn resolve(
        output: Option<&PathBuf>,
        format: Option<OutputFormat>,
    ) -> Result<Destination, TieringError> {
        let stdout_is_terminal = std::io::stdout().is_terminal();
        match (output, format) {
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
    pub fn write(
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
                render(*format, &mut stdout)
                    .and_then(|()| Ok(stdout.flush()?))
                    .context("failed to write to standard output")?;
            }
            Destination::File(path, format) => {
                write_atomically(path, |out| render(*format, out))?;
            }
        }
        Ok(ExitStatus::Success)
    }
}
