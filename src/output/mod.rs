//! Output: one [`Output`] implementation per file format behind one trait, chosen by
//! [`OutputFormat`]; the terminal summary table; atomic file writes. Only this module
//! (and the printer) writes.

mod atomic;
pub mod cells;
pub mod check_report;
pub mod delimited;
pub mod destination;
pub mod guard;
pub mod json;
pub mod markdown;
pub mod parquet;
mod parts;
pub mod rejects;
pub mod stdout;
pub mod summary_table;
pub mod xlsx;

use std::io::Write;
use std::path::Path;

use clap::ValueEnum;
use polars::prelude::DataFrame;

/// A finished table to write: the frame plus what its columns mean.
#[derive(Debug)]
pub struct OutputData {
    /// The rows, in final column and row order.
    pub frame: DataFrame,
    /// Columns holding money in minor units.
    pub money: Vec<String>,
    /// Minor-unit digits of the currency.
    pub decimals: u32,
    /// Sheet or table title.
    pub title: String,
}

impl OutputData {
    /// Whether a column holds money.
    pub fn is_money(&self, column: &str) -> bool {
        self.money.iter().any(|m| m == column)
    }
}

/// A file format.
pub trait Output {
    /// Write all of `data` to `out`.
    fn write(&self, data: &OutputData, out: &mut dyn Write) -> anyhow::Result<()>;
}

/// The output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Summary table per segment, for reading in a terminal.
    Table,
    /// Comma-separated values.
    Csv,
    /// Tab-separated values.
    Tsv,
    /// A JSON array of objects.
    Json,
    /// One JSON object per line.
    Ndjson,
    /// Apache Parquet (money as DECIMAL).
    Parquet,
    /// Excel workbook.
    Xlsx,
    /// Markdown table.
    Md,
}

impl OutputFormat {
    /// The format a file name asks for, by extension.
    pub fn from_path(path: &Path) -> Option<OutputFormat> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "csv" => Some(OutputFormat::Csv),
            "tsv" | "tab" => Some(OutputFormat::Tsv),
            "json" => Some(OutputFormat::Json),
            "ndjson" | "jsonl" => Some(OutputFormat::Ndjson),
            "parquet" | "pq" => Some(OutputFormat::Parquet),
            "xlsx" => Some(OutputFormat::Xlsx),
            "md" | "markdown" => Some(OutputFormat::Md),
            "txt" => Some(OutputFormat::Table),
            _ => None,
        }
    }

    /// Whether the format is binary (never written to a terminal).
    pub fn is_binary(self) -> bool {
        matches!(self, OutputFormat::Parquet | OutputFormat::Xlsx)
    }

    /// The writer for a per-row format; `None` for the summary table.
    pub fn build(self) -> Option<Box<dyn Output>> {
        match self {
            OutputFormat::Table => None,
            OutputFormat::Csv => Some(Box::new(delimited::DelimitedOutput { delimiter: b',' })),
            OutputFormat::Tsv => Some(Box::new(delimited::DelimitedOutput { delimiter: b'\t' })),
            OutputFormat::Json => Some(Box::new(json::JsonOutput { lines: false })),
            OutputFormat::Ndjson => Some(Box::new(json::JsonOutput { lines: true })),
            OutputFormat::Parquet => Some(Box::new(parquet::ParquetOutput)),
            OutputFormat::Xlsx => Some(Box::new(xlsx::XlsxOutput)),
            OutputFormat::Md => Some(Box::new(markdown::MarkdownOutput)),
        }
    }
}
