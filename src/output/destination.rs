//! Where a command's result goes: the readable view on a terminal, a per-row format on
//! stdout, or a file written through the [`WriteGuard`].

use std::io::{IsTerminal, Write};

use std::path::PathBuf;

use super::guard::WriteGuard;
use super::stdout::write_stdout;
use super::{OutputData, OutputFormat};
use crate::error::{ExitStatus, TieringError};

/// Where the result goes, in formats of type `F` (per-row formats for `score`, report
/// formats for `report`).
pub enum Destination<F = OutputFormat> {
    /// The readable view on a terminal.
    Terminal,
    /// stdout in one format.
    Stdout(F),
    /// A file, written through the guard (atomically unless it is a special file).
    File(PathBuf, F),
    /// Dated files in a directory, one per format (`report --output-dir`, for cron).
    Directory(PathBuf, Vec<F>),
}

impl<F> Destination<F> {
    /// The file `-o` names, if the result goes to one.
    pub fn file(&self) -> Option<&PathBuf> {
        match self {
            Destination::File(path, _) => Some(path),
            _ => None,
        }
    }
}

impl Destination<OutputFormat> {
    /// Decide from `-o` and `--format` (and whether stdout is a terminal).
    pub fn resolve(
        output: Option<&PathBuf>,
        format: Option<OutputFormat>,
    ) -> Result<Destination, TieringError> {
        let stdout_is_terminal = std::io::stdout().is_terminal();
        if let Some(path) = output.filter(|p| p.is_dir()) {
            return Err(TieringError::usage(
                format!("-o `{}` is a directory", path.display()),
                Some(format!(
                    "name a file in it, e.g. -o {}",
                    path.join("tiers.csv").display()
                )),
            ));
        }
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
        guard: &WriteGuard,
        table: impl Fn(&mut dyn Write) -> anyhow::Result<()>,
    ) -> anyhow::Result<ExitStatus> {
        let render = |format: OutputFormat, out: &mut dyn Write| match format.build() {
            Some(output) => output.write(data, out),
            None => table(out),
        };
        match self {
            Destination::Terminal => write_stdout(table)?,
            Destination::Stdout(format) => {
                guard.check_stdout()?;
                write_stdout(|out| render(*format, out))?
            }
            Destination::File(path, format) => {
                guard.write(path, "-o", |out| render(*format, out))?;
            }
            Destination::Directory(dir, _) => anyhow::bail!(
                "internal error: per-row results go to one file, not the directory `{}`",
                dir.display()
            ),
        }
        Ok(ExitStatus::Success)
    }
}
