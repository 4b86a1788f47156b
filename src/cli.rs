//! Command-line definitions (clap derive) and nothing else. `Command` is the only list
//! of subcommands.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::clv::TimeUnit;
use crate::lang::Lang;
use crate::output::OutputFormat;
use crate::report::ReportFormat;
use crate::scorers::ScorerKind;
use crate::scorers::ntile::TiePolicy;
use crate::scorers::pareto::{Basis, CutBy, Method};
use crate::sql::dialect::Dialect;

const EXIT_STATUS: &str = "\
Exit status:
  0  success
  1  runtime failure (I/O, internal error)
  2  usage or configuration error (bad flag, missing file, bad tiering.toml)
  3  bad input data (missing column, unreadable value, empty file)";

/// Customer segmentation from order exports: RFM segments with a strategy per segment.
#[derive(Debug, Parser)]
#[command(name = "tiering", version, about, after_help = EXIT_STATUS, propagate_version = true)]
pub struct Cli {
    /// The subcommand to run.
    #[command(subcommand)]
    pub command: Command,

    /// Print the column mapping, score thresholds and other details to stderr.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Print nothing to stderr but errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Configuration file (default: ./tiering.toml if present).
    #[arg(long, global = true, env = "TIERING_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Score customers from order exports and write a segment and strategy per customer.
    #[command(after_help = SCORE_EXAMPLES)]
    Score(ScoreArgs),
    /// Write the tier report (HTML, Markdown, XLSX or JSON) with migration since an earlier run.
    #[command(
        after_help = REPORT_EXAMPLES,
        override_usage = "tiering report [OPTIONS] <ORDERS>...\n       tiering report [OPTIONS] --scores <FILE>",
        mut_arg("inputs", |a| a.required(false).required_unless_present("scores"))
    )]
    Report(ReportArgs),
    /// Print the scoring as SQL for DuckDB, PostgreSQL or Spark (the same tiers as `score`).
    #[command(after_help = SQL_EXAMPLES)]
    Sql(SqlArgs),
    /// Test the CLV model on your data: fit up to a date, predict the purchases after it.
    #[command(after_help = BACKTEST_EXAMPLES)]
    Backtest(BacktestArgs),
    /// Show what would be read from order exports, without scoring.
    #[command(after_help = CHECK_EXAMPLES)]
    Check(CheckArgs),
    /// Write a commented default tiering.toml (every scorer, the playbook in en and zh).
    Init(InitArgs),
    /// Print a shell completion script to stdout.
    Completions(CompletionsArgs),
    /// Print the man page (roff) to stdout, or write every page with --all DIR.
    Man(ManArgs),
}

const SCORE_EXAMPLES: &str = "\
Examples:
  tiering score orders.csv                       summary table in the terminal
  tiering score orders.csv > tiers.csv           every customer as CSV
  tiering score orders.csv -o tiers.xlsx         Excel workbook (format from the extension)
  tiering score 'exports/*.csv.gz' --as-of 2026-10-31 --customers customers.csv
  tiering score 订单.csv --encoding gbk --lang zh
  tiering score orders.csv --map customer_id=Kunde,amount=Umsatz,order_date=Datum
  tiering score orders.csv --thresholds          the value range behind each score

Output columns (CSV/JSON/Parquet/XLSX), in this order:
  customer_id, first_order_date, last_order_date, recency_days, tenure_days, orders,
  revenue, returns, cost, profit, aov, r_score, f_score, m_score, rfm_code, segment_id,
  segment, strategy, r_from, r_to, f_from, f_to, m_from, m_to, <customer export columns>,
  as_of. Rows are sorted by customer_id.

Exit status: 0 success, 1 runtime failure, 2 usage/config error, 3 bad input data.";

const REPORT_EXAMPLES: &str = "\
Examples:
  tiering report orders.csv -o report.html              one page with tables and charts
  tiering report orders.csv -o report.xlsx --lang zh    workbook, labels in Chinese
  tiering report orders.csv --previous tiers-2026-11-16.parquet -o report.html
  tiering report orders.csv --compare-as-of 2026-10-26 -o report.md
  tiering report orders.csv --output-dir reports --previous latest --format html,xlsx
      (cron: leaves reports/tiers-<as-of>.parquet and reports/report-<as-of>.html/.xlsx;
       `latest` is the newest tiers-*.parquet in reports dated before this as-of)
  tiering report --scores tiers.csv --previous last-week.csv -o report.html
      (scores computed elsewhere, e.g. by `tiering sql` in a warehouse: no order lines)

Exit status: 0 success, 1 runtime failure, 2 usage/config error, 3 bad input data.";

const SQL_EXAMPLES: &str = "\
Examples:
  tiering sql --dialect duckdb --source orders.csv > score.sql && duckdb < score.sql
  tiering sql --dialect postgres --source orders.csv > score.sql && psql -f score.sql
  tiering sql --dialect postgres --source sales.order_lines --map customer_id=kunde
  tiering sql --dialect spark --source /data/orders.parquet --scorer pareto > score.sql

--source is a table, or a CSV/Parquet path the engine reads (PostgreSQL: a CSV loaded
with psql's \\copy). A local file's header is read for the column mapping; for a table
(or a remote path) name its columns with --table-columns (default:
customer_id,order_id,order_date,amount). Amounts must be plain decimals (1234.50) and dates
ISO (YYYY-MM-DD, or datetimes starting so).

Exit status: 0 success, 1 runtime failure, 2 usage/config error, 3 bad input data.";

const BACKTEST_EXAMPLES: &str = "\
Examples:
  tiering backtest orders.csv --calibration-end 2026-06-30
  tiering backtest orders.csv --calibration-end 2026-06-30 -o predictions.csv

The terminal shows predicted against actual purchases after the calibration end, in total
and by the number of repeat purchases before it. Output columns: customer_id, frequency,
recency_t, age_t, p_alive, predicted_purchases, actual_purchases.

Exit status: 0 success, 1 runtime failure, 2 usage/config error, 3 bad input data.";

const CHECK_EXAMPLES: &str = "\
Examples:
  tiering check orders.csv
  tiering check 'exports/*.csv' --encoding gbk
  tiering check --config tiering.toml                 lint the configuration
  tiering check --config tiering.toml orders.csv      ...and find threshold rules that match nobody

Exit status: 0 fine, 2 usage error or configuration errors, 3 bad rows or unreadable input.";

/// How inputs are read (shared by `score` and `check`).
#[derive(Debug, Args, Clone, Default)]
pub struct InputArgs {
    /// Map canonical columns to header names: customer_id=Kunde,amount=Umsatz.
    /// Canonical columns: customer_id, order_id, order_date, amount, cost, quantity, unit_price.
    #[arg(long, value_name = "MAP")]
    pub map: Vec<String>,

    /// Map the customer export's columns: customer_id=Kundennummer (its other columns pass
    /// through under their own names).
    #[arg(long, value_name = "MAP")]
    pub customers_map: Vec<String>,

    /// Field delimiter (default: detected from the header line among , ; TAB |).
    #[arg(long, value_name = "CHAR")]
    pub delimiter: Option<String>,

    /// Text encoding of CSV input. Default: UTF-8 (BOM optional; UTF-16 by its BOM), and
    /// for files that are not UTF-8 the encoding their bytes show (noted on stderr).
    /// Any WHATWG label: utf-8, utf-16le, utf-16be, gbk, gb18030, big5, shift_jis,
    /// euc-jp, iso-2022-jp, euc-kr, windows-1250 … windows-1258 (windows-1252 for
    /// Western European Excel), iso-8859-1 … iso-8859-16, koi8-r, koi8-u, macintosh.
    #[arg(long, value_name = "NAME")]
    pub encoding: Option<String>,

    /// Amounts use a decimal comma: 1.234,50.
    #[arg(long)]
    pub decimal_comma: bool,

    /// Date format (chrono strftime), e.g. %d/%m/%Y. Default: ISO and other unambiguous forms.
    #[arg(long, value_name = "FORMAT")]
    pub date_format: Option<String>,

    /// Minor-unit digits of the currency (2 for cents, 0 for yen).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=6))]
    pub currency_decimals: Option<u32>,

    /// The sheet of an Excel or OpenDocument file to read (default: the first).
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,

    /// Read the files as this known export (shopify, woocommerce, stripe, taobao, youzan,
    /// jd, hubspot, salesforce, erp-de), or `none`. Default: recognised by the header;
    /// `tiering check --layouts` lists them.
    #[arg(long, value_name = "NAME")]
    pub layout: Option<String>,

    /// Score the lines in this currency only (e.g. EUR); the other lines are counted as
    /// excluded. Needed when a currency column holds several currencies.
    #[arg(long, value_name = "CODE")]
    pub currency: Option<String>,

    /// When an order is in two input files (overlapping exports): `orders` keeps the copy
    /// of the first file and drops the others. Default: refuse, naming the order and files.
    #[arg(long, value_enum, value_name = "WHAT")]
    pub dedupe: Option<crate::input::overlap::Dedupe>,
}

/// Arguments of `tiering score`.
#[derive(Debug, Args, Default)]
pub struct ScoreArgs {
    /// What to read and how to score it.
    #[command(flatten)]
    pub scoring: ScoringArgs,

    /// Write to this file (atomically); the format follows the extension.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Output format (default: table in a terminal, else CSV, or from the -o extension).
    #[arg(long, value_enum)]
    pub format: Option<OutputFormat>,

    /// Write the score thresholds (value range per bin) instead of the customers.
    #[arg(long)]
    pub thresholds: bool,
}

/// The inputs and scoring options shared by `score` and `report`.
#[derive(Debug, Args, Default, Clone)]
pub struct ScoringArgs {
    /// Order exports: CSV (any delimiter, .gz, .zst), Parquet, globs, or - for stdin.
    #[arg(required = true, value_name = "ORDERS")]
    pub inputs: Vec<String>,

    /// Customer export joined on customer_id; its columns pass through to the output.
    #[arg(long, value_name = "FILE")]
    pub customers: Option<String>,

    /// How to score.
    #[command(flatten)]
    pub options: ScoreOptions,

    /// Write bad input rows here (with line number and reason) and score the rest.
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,

    /// CLV model options.
    #[command(flatten)]
    pub clv: ClvArgs,

    /// How inputs are read.
    #[command(flatten)]
    pub input: InputArgs,
}

impl ScoreOptions {
    /// The scorer-specific options given on the command line, by flag (with the CLV
    /// options of `clv`).
    pub fn scorer_options_given(&self, clv: &ClvArgs) -> Vec<&'static str> {
        let (o, c) = (self, clv);
        [
            ("--k", o.k.is_some()),
            ("--bins", o.bins.is_some()),
            ("--ties", o.ties.is_some()),
            ("--breaks", !o.breaks.is_empty()),
            ("--basis", o.basis.is_some()),
            ("--cuts", o.cuts.is_some()),
            ("--by", o.by.is_some()),
            ("--method", o.method.is_some()),
            ("--time-unit", c.time_unit.is_some()),
            ("--horizon", c.horizon.is_some()),
            ("--discount-rate", c.discount_rate.is_some()),
            ("--churn-threshold", c.churn_threshold.is_some()),
        ]
        .into_iter()
        .filter(|(_, given)| *given)
        .map(|(flag, _)| flag)
        .collect()
    }
}

/// The scoring options shared by `score`, `report` and `sql`.
#[derive(Debug, Args, Default, Clone)]
pub struct ScoreOptions {
    /// Score as of this date (YYYY-MM-DD); later lines are ignored. Default: the latest order date.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,

    /// Scorer (default: `[score] scorer` in the config, else rfm).
    #[arg(long, value_enum)]
    pub scorer: Option<ScorerKind>,

    /// Quantile bins for R, F and M scores (2-10; default 5).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(2..=10))]
    pub bins: Option<u32>,

    /// How equal values are scored: shared (SQL RANK) or split (by customer_id).
    #[arg(long, value_enum)]
    pub ties: Option<TiePolicy>,

    /// Pareto: rank customers by revenue or profit (profit needs a cost column).
    #[arg(long, value_enum, help_heading = "Pareto")]
    pub basis: Option<Basis>,

    /// Pareto: cumulative cuts, `80,95` (A to 80%, B to 95%, C the rest) or class shares `70/20/10`.
    #[arg(long, value_name = "CUTS", help_heading = "Pareto")]
    pub cuts: Option<String>,

    /// Pareto: cuts are shares of value, or of customers (`count`: the top 20% of customers).
    #[arg(long, value_enum, help_heading = "Pareto")]
    pub by: Option<CutBy>,

    /// Pareto: fixed cuts, or limits computed from the data (Ultsch & Lötsch ABC analysis).
    #[arg(long, value_enum, help_heading = "Pareto")]
    pub method: Option<Method>,

    /// Absolute RFM breaks instead of quantiles for one metric, bins − 1 ascending values:
    /// recency_days=30,90,180,365 (R = 5 up to 30 days … 1 above 365), orders=2,3,5,10,
    /// revenue=100,500,1000,5000 (currency units). Repeatable; overrides [rfm.breaks].
    #[arg(long, value_name = "METRIC=V1,V2,…")]
    pub breaks: Vec<String>,

    /// Cluster: the number of clusters, or `auto` (best silhouette from 2 to 10; default 4).
    #[arg(long, value_name = "N|auto", help_heading = "Cluster")]
    pub k: Option<String>,

    /// Language of segment names and strategies (default: from LANG).
    #[arg(long, value_enum, env = "TIERING_LANG")]
    pub lang: Option<Lang>,
}

/// Arguments of `tiering report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// What to read and how to score it.
    #[command(flatten)]
    pub scoring: ScoringArgs,

    /// Compare with an earlier tier file (CSV or Parquet from `score -o` or `report
    /// --output-dir`), or `latest`: the newest tiers-DATE.parquet in --output-dir dated
    /// before this as-of.
    #[arg(long, value_name = "FILE", conflicts_with = "compare_as_of")]
    pub previous: Option<String>,

    /// Compare with the same orders scored as of this earlier date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub compare_as_of: Option<String>,

    /// Build the report from per-customer scores computed elsewhere instead of order
    /// lines: the result of `tiering sql` on an engine, or a `tiering score` file (CSV,
    /// TSV or Parquet).
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with_all = ["inputs", "compare_as_of", "customers", "rejects"]
    )]
    pub scores: Option<PathBuf>,

    /// Write the report to this file (atomically); the format follows the extension:
    /// .html, .md, .xlsx, .json.
    #[arg(short, long, value_name = "FILE", conflicts_with = "output_dir")]
    pub output: Option<PathBuf>,

    /// For cron: write tiers-DATE.parquet and report-DATE.<format> here, DATE being the
    /// as-of date. Re-running the same week replaces them with identical files.
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,

    /// Tier KPIs over time from the dated tier files (tiers-YYYY-MM-DD.parquet) in DIR:
    /// retention, churn, upgrades, downgrades and revenue per tier and period.
    /// --output-dir implies it for its own directory.
    #[arg(long, value_name = "DIR")]
    pub history: Option<PathBuf>,

    /// Periods of history shown, this run's included (default 12).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=520))]
    pub periods: Option<u32>,

    /// A budget for the period (currency units): split across tiers by their effort
    /// weights and within a tier by --budget-split; shown with revenue, profit and ROI.
    #[arg(long, value_name = "AMOUNT")]
    pub budget: Option<String>,

    /// How a tier's budget is shared: equal per customer, or in proportion to revenue.
    #[arg(long, value_enum, requires = "budget")]
    pub budget_split: Option<crate::report::budget::BudgetSplit>,

    /// Break the tiers down by a customer-export column (region, industry, channel,
    /// owner): customers and revenue per value and tier. Repeatable. (Not `--by`: that
    /// is Pareto's share-or-count option.)
    #[arg(long, value_name = "COLUMN")]
    pub breakdown: Vec<String>,

    /// Report format(s), comma-separated: html, md, xlsx, json (default: from -o; html with
    /// --output-dir; md on stdout).
    #[arg(long, value_enum, value_delimiter = ',')]
    pub format: Vec<ReportFormat>,
}

/// Arguments of `tiering sql`.
#[derive(Debug, Args)]
pub struct SqlArgs {
    /// The SQL engine.
    #[arg(long, value_enum)]
    pub dialect: Dialect,

    /// The order lines: a table name, or a .csv/.parquet path the engine can read.
    #[arg(long, value_name = "TABLE_OR_PATH")]
    pub source: String,

    /// The source's column names, comma-separated (default for tables:
    /// customer_id,order_id,order_date,amount; files: read from the header).
    #[arg(long, value_name = "COLUMNS", value_delimiter = ',')]
    pub table_columns: Vec<String>,

    /// A customer export joined on customer_id, as `score --customers` joins it: a table
    /// name, or a .csv/.parquet path the engine can read.
    #[arg(long, value_name = "TABLE_OR_PATH")]
    pub customers: Option<String>,

    /// The customer export's column names, comma-separated (needed for a table; files:
    /// read from the header).
    #[arg(long, value_name = "COLUMNS", value_delimiter = ',')]
    pub customer_columns: Vec<String>,

    /// How to score (rfm, pareto, profit or rules).
    #[command(flatten)]
    pub options: ScoreOptions,

    /// Map canonical columns to the source's names: customer_id=kunde,amount=umsatz.
    #[arg(long, value_name = "MAP")]
    pub map: Vec<String>,

    /// Minor-unit digits of the currency (2 for cents, 0 for yen).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=6))]
    pub currency_decimals: Option<u32>,

    /// Write the script to this file instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Options of the CLV models (`--scorer clv` and `backtest`).
#[derive(Debug, Args, Clone, Default)]
pub struct ClvArgs {
    /// CLV: the models' time unit (default weeks; the results do not depend on it).
    #[arg(long, value_enum, help_heading = "CLV")]
    pub time_unit: Option<TimeUnit>,

    /// CLV: projection horizon, e.g. 90d, 13w, 1y (default 90d).
    #[arg(long, value_name = "SPAN", help_heading = "CLV")]
    pub horizon: Option<String>,

    /// CLV: annual discount rate, e.g. 0.1 (default 0.1).
    #[arg(long, value_name = "RATE", help_heading = "CLV")]
    pub discount_rate: Option<f64>,

    /// CLV: churn_warning when P(alive) is below this (default 0.5).
    #[arg(long, value_name = "P", help_heading = "CLV")]
    pub churn_threshold: Option<f64>,

    /// CLV and cluster: write what the model fitted (parameters, standard errors, centroids, inertia) here (JSON).
    #[arg(long, value_name = "FILE", help_heading = "CLV")]
    pub fit_report: Option<PathBuf>,
}

/// Arguments of `tiering backtest`.
#[derive(Debug, Args)]
pub struct BacktestArgs {
    /// Order exports, as for `score`.
    #[arg(required = true, value_name = "ORDERS")]
    pub inputs: Vec<String>,

    /// Fit on orders up to this date (YYYY-MM-DD); predict the purchases after it.
    #[arg(long, value_name = "DATE")]
    pub calibration_end: String,

    /// End of the holdout period (default: the latest order date).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,

    /// Write the per-customer predictions to this file; the format follows the extension.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Output format (default: the calibration table in a terminal, else CSV).
    #[arg(long, value_enum)]
    pub format: Option<OutputFormat>,

    /// CLV model options.
    #[command(flatten)]
    pub clv: ClvArgs,

    /// How inputs are read.
    #[command(flatten)]
    pub input: InputArgs,
}

/// Arguments of `tiering check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Order exports, as for `score`; without them only the configuration is linted.
    #[arg(value_name = "ORDERS")]
    pub inputs: Vec<String>,

    /// Bad rows to list in full (the rest are counted).
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub show: usize,

    /// List the known exports (layouts) and what is read from each, then stop.
    #[arg(long)]
    pub layouts: bool,

    /// How inputs are read.
    #[command(flatten)]
    pub input: InputArgs,
}

/// Arguments of `tiering man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write tiering.1 and one page per subcommand (tiering-score.1, ...) into this
    /// directory instead of printing the main page.
    #[arg(long, value_name = "DIR")]
    pub all: Option<PathBuf>,
}

/// Arguments of `tiering init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to write it.
    #[arg(default_value = "tiering.toml", value_name = "PATH")]
    pub path: PathBuf,

    /// Overwrite an existing file.
    #[arg(long)]
    pub force: bool,
}

/// Arguments of `tiering completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
