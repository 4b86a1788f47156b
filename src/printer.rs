//! Everything printed to stderr: warnings, notes, verbose details and progress spinners.
//! stdout carries data only; callers never check whether stderr is a terminal.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::input::money::format_money_grouped;

/// Inputs at least this large get a progress spinner (when stderr is a terminal).
const LARGE_INPUT_BYTES: u64 = 32 << 20;

/// Verbosity-aware stderr printer.
#[derive(Clone, Copy, Debug, Default)]
pub struct Printer {
    verbose: u8,
    quiet: bool,
}

impl Printer {
    /// A printer for `-v` count and `--quiet`.
    pub fn new(verbose: u8, quiet: bool) -> Self {
        Printer { verbose, quiet }
    }

    /// Whether `-v` was given.
    pub fn is_verbose(&self) -> bool {
        self.verbose > 0
    }

    /// Something the user should know about the result.
    pub fn warn(&self, message: &str) {
        if !self.quiet {
            say(&format!("warning: {message}"));
        }
    }

    /// Ordinary information (ignored lines, counts).
    pub fn note(&self, message: &str) {
        if !self.quiet {
            say(&format!("note: {message}"));
        }
    }

    /// A hint on what to do next.
    pub fn hint(&self, message: &str) {
        if !self.quiet {
            say(&format!("hint: {message}"));
        }
    }

    /// Details shown with `-v`.
    pub fn detail(&self, message: &str) {
        if self.verbose > 0 {
            say(message);
        }
    }

    /// A spinner for a long stage, shown only on a terminal for large inputs.
    pub fn progress(&self, stage: &str, input_bytes: u64) -> Progress {
        let visible =
            !self.quiet && input_bytes >= LARGE_INPUT_BYTES && std::io::stderr().is_terminal();
        if !visible {
            return Progress(None);
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.set_message(stage.to_string());
        bar.enable_steady_tick(Duration::from_millis(120));
        Progress(Some((bar, stage.to_string())))
    }
}

/// One line to stderr. A closed or full stderr never aborts the run: messages are a
/// courtesy, and the exit code still says whether the run worked.
fn say(line: &str) {
    use std::io::Write;
    let mut stderr = std::io::stderr().lock();
    let _ = stderr
        .write_all(line.as_bytes())
        .and_then(|()| stderr.write_all(b"\n"));
}

/// A running progress display; cleared when dropped. When hidden (not a terminal, small
/// input, `-q`), every method returns at once.
pub struct Progress(Option<(ProgressBar, String)>);

impl Progress {
    /// Move on to the next stage.
    pub fn stage(&mut self, stage: &str) {
        if let Some((bar, current)) = &mut self.0 {
            *current = stage.to_string();
            bar.set_message(stage.to_string());
        }
    }

    /// Rows read so far in the current stage.
    pub fn rows(&self, rows: u64) {
        if let Some((bar, stage)) = &self.0 {
            bar.set_message(format!(
                "{stage}: {} rows",
                format_money_grouped(i64::try_from(rows).unwrap_or(i64::MAX), 0)
            ));
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some((bar, _)) = &self.0 {
            bar.finish_and_clear();
        }
    }
}
