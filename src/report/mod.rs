//! `tiering report`: the weekly tier report. [`build`] turns a scoring run (and optionally
//! an earlier one) into a [`Report`]: per-tier summary, reconciliation with the input,
//! migration, data warnings and charts. The renderers write it as HTML, Markdown, an
//! XLSX workbook or JSON; none of them computes anything.

pub mod breakdown;
pub mod budget;
pub mod build;
pub mod charts;
pub mod grids;
pub mod history;
pub mod html;
pub mod json;
pub mod labels;
pub mod markdown;
pub mod migration;
pub mod previous;
pub mod reconcile;
pub mod scores;
pub mod scores_check;
pub mod summary;
pub mod warnings;
pub mod workbook;

use serde::Serialize;

use crate::input::money::format_money;
use crate::output::OutputData;

pub use build::{ReportInput, build};

/// The formats a report is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// One self-contained HTML page with charts.
    Html,
    /// Markdown (tables only).
    Md,
    /// Excel workbook: Summary, Customers, Migration, Strategies, Settings.
    Xlsx,
    /// JSON for other programs.
    Json,
}

impl ReportFormat {
    /// The format a file name asks for, by extension.
    pub fn from_path(path: &std::path::Path) -> Option<ReportFormat> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "html" | "htm" => Some(ReportFormat::Html),
            "md" | "markdown" => Some(ReportFormat::Md),
            "xlsx" => Some(ReportFormat::Xlsx),
            "json" => Some(ReportFormat::Json),
            _ => None,
        }
    }

    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            ReportFormat::Html => "html",
            ReportFormat::Md => "md",
            ReportFormat::Xlsx => "xlsx",
            ReportFormat::Json => "json",
        }
    }

    /// Write `report` in this format.
    pub fn write(self, report: &Report, out: &mut dyn std::io::Write) -> anyhow::Result<()> {
        match self {
            ReportFormat::Html => html::write_html(report, out),
            ReportFormat::Md => markdown::write_markdown(report, out),
            ReportFormat::Xlsx => workbook::write_workbook(report, out),
            ReportFormat::Json => json::write_json(report, out),
        }
    }
}

/// Money in minor units, with the currency's decimals; JSON writes it as an exact number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Money {
    /// Minor units (cents).
    pub units: i64,
    /// Minor-unit digits.
    pub decimals: u32,
}

impl Money {
    /// `units` minor units of a currency with `decimals` digits.
    pub fn new(units: i64, decimals: u32) -> Money {
        Money { units, decimals }
    }

    /// Plain text: `-1234.50`.
    pub fn plain(self) -> String {
        format_money(self.units, self.decimals)
    }

    /// For reading: `-1,234.50`.
    pub fn grouped(self) -> String {
        crate::input::money::format_money_grouped(self.units, self.decimals)
    }

    /// In currency units, for spreadsheets (exact for any realistic total).
    pub fn as_f64(self) -> f64 {
        self.units as f64 / 10f64.powi(self.decimals as i32)
    }
}

impl Serialize for Money {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let raw = serde_json::value::RawValue::from_string(self.plain())
            .map_err(serde::ser::Error::custom)?;
        raw.serialize(serializer)
    }
}

/// One tier (or RFM segment) of the summary.
#[derive(Clone, Debug, Serialize)]
pub struct TierRow {
    /// Stable id (`champions`, `A`, `strategic`).
    pub id: String,
    /// Display name in the report's language.
    pub name: String,
    /// Customers in the tier.
    pub customers: u64,
    /// Share of all customers (0–1).
    pub customer_share: Option<f64>,
    /// Net revenue.
    pub revenue: Money,
    /// Share of all net revenue (0–1); none when the total is 0.
    pub revenue_share: Option<f64>,
    /// Profit, when any customer's cost is known.
    pub profit: Option<Money>,
    /// Share of all profit.
    pub profit_share: Option<f64>,
    /// Profit ÷ revenue, when profit is known and revenue positive.
    pub margin: Option<f64>,
    /// Purchases.
    pub orders: u64,
    /// Average order value: revenue / orders, rounded half away from zero to the minor unit.
    pub aov: Option<Money>,
    /// Mean days since the last purchase, over the tier's purchasers.
    pub avg_recency_days: Option<f64>,
    /// Suggested share of effort (0–1), from the playbook's weights.
    pub effort_share: Option<f64>,
    /// The tier's part of `--budget` (by effort share).
    pub budget: Option<Money>,
    /// Profit ÷ budget, when profit is known and the budget positive.
    pub roi: Option<f64>,
    /// What to do with the tier.
    pub strategy: String,
}

/// What was read: one entry per input file.
#[derive(Clone, Debug, Serialize)]
pub struct InputFile {
    /// As given (path, or `-` for stdin).
    pub file: String,
    /// CSV, Parquet, ...
    pub format: String,
    /// Data rows read.
    pub rows: u64,
    /// Rows rejected as bad.
    pub bad_rows: u64,
}

/// One line of the Settings sheet.
#[derive(Clone, Debug, Serialize)]
pub struct Setting {
    /// What it is.
    pub name: String,
    /// Its value.
    pub value: String,
}

/// A data warning shown in the report.
#[derive(Clone, Debug, Serialize)]
pub struct Warning {
    /// Stable code for programs: `few_customers`, `short_range`, ...
    pub code: &'static str,
    /// The sentence for people.
    pub message: String,
}

/// The charts, as standalone SVG documents.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Charts {
    /// Customer and revenue share per tier.
    pub tiers: String,
    /// Cumulative revenue share against cumulative customer share.
    pub pareto: String,
    /// Customers by recency and frequency score.
    pub rf_heatmap: String,
    /// The migration matrix, when there is one.
    pub migration: Option<String>,
    /// Charts the scorer chooses (value matrix, health grades, clusters), with titles.
    pub scorer: Vec<(String, String)>,
    /// One line chart per KPI of the history (retention, churn, upgrades, downgrades).
    pub history: Vec<(String, String)>,
    /// One stacked bar chart per `--breakdown` column, in order.
    pub breakdowns: Vec<String>,
}

/// Everything a report shows.
#[derive(Debug, Serialize)]
pub struct Report {
    /// `tiering` and its version.
    pub generator: String,
    /// The as-of date, YYYY-MM-DD.
    pub as_of: String,
    /// The scorer's name.
    pub scorer: String,
    /// The scorer's options (`5 bins, ties shared`).
    pub scorer_options: String,
    /// `en` or `zh`.
    pub lang: crate::lang::Lang,
    /// Minor-unit digits of the currency.
    pub currency_decimals: u32,
    /// The order files read.
    pub inputs: Vec<InputFile>,
    /// The customer export, if any.
    pub customer_export: Option<String>,
    /// Input totals against report totals.
    pub reconciliation: reconcile::Reconciliation,
    /// One row per tier, best first.
    pub tiers: Vec<TierRow>,
    /// The column total of `tiers`.
    pub totals: TierRow,
    /// Who moved since the previous run, or why that is not shown.
    pub migration: migration::MigrationSection,
    /// The tiers by customer-export columns (`--by`).
    pub breakdowns: Vec<breakdown::Breakdown>,
    /// Tier KPIs over the periods of `--history`, when asked for.
    pub history: Option<Vec<history::Period>>,
    /// Things about the data a reader should know before acting on the tiers.
    pub warnings: Vec<Warning>,
    /// As-of, scorer, options, inputs, row counts.
    pub settings: Vec<Setting>,
    /// SVG charts (not in the JSON: programs have the numbers).
    #[serde(skip)]
    pub charts: Charts,
    /// Every customer, as `tiering score` writes them.
    #[serde(skip)]
    pub customers: OutputData,
}

/// Share of `part` in `whole`; none when `whole` is 0.
pub fn share(part: f64, whole: f64) -> Option<f64> {
    (whole != 0.0).then(|| part / whole)
}
