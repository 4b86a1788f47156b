//! One module per subcommand; each orchestrates the library and returns an exit status.

pub mod backtest;
pub mod check;
pub mod completions;
pub mod init;
pub mod man;
pub mod report;
pub mod score;
pub mod sql;
