//! Input: every file the user names becomes one canonical orders frame (DESIGN §3), and
//! an optional customer export becomes a customer frame. Only this module configures
//! readers; everything downstream sees typed columns with money in minor units.

pub mod blocks;
pub mod columns;
pub mod continued;
pub mod currency;
pub mod customers;
pub mod date_facts;
pub mod dates;
pub mod delimited;
pub mod export;
pub mod faults;
pub mod layout;
pub mod limits;
pub mod lines;
pub mod money;
pub mod orders;
pub mod overlap;
pub mod parquet;
pub mod rows;
pub mod same_file;
pub mod source;
pub mod status;
pub mod table;
pub mod workbook;

use polars::prelude::*;

use self::columns::{ColumnMapping, ExplicitMap};
use self::date_facts::DateFacts;
use self::faults::{FaultLog, Rejected};
use self::lines::LineTyping;
use self::orders::OrdersVisitor;
use self::rows::FileReport;
use self::source::InputFile;
use self::table::{TextOptions, read_file_parallel};
use crate::error::TieringError;

/// Everything that decides how inputs are read.
#[derive(Clone, Debug)]
pub struct InputOptions {
    /// Delimiter and encoding of text files.
    pub text: TextOptions,
    /// Money and date formats.
    pub typing: LineTyping,
    /// Explicit column choices.
    pub columns: ExplicitMap,
    /// Explicit column choices of the customer export (`--customers-map`).
    pub customer_columns: ExplicitMap,
    /// Keep bad rows (for `--rejects` and `check`) instead of failing on the first.
    pub keep_rejects: bool,
    /// What to do with an order found in two files.
    pub dedupe: overlap::Dedupe,
    /// `--layout`: recognise known exports by header, force one, or none.
    pub layout: layout::LayoutChoice,
    /// `[status]` from the config: values classified on top of the built-in table.
    pub statuses: status::StatusLists,
    /// `--currency`: keep lines of this currency only.
    pub keep_currency: Option<String>,
    /// Whether the currency's decimals were given (else a zero-decimal currency column
    /// sets them to 0).
    pub decimals_given: bool,
}

/// One file as read.
#[derive(Clone, Debug)]
pub struct FileRead {
    /// The file.
    pub file: InputFile,
    /// Format, delimiter, row counts.
    pub report: FileReport,
    /// Which header column became which canonical column.
    pub mapping: ColumnMapping,
    /// Its layout, statuses, currencies and exclusions.
    pub export: orders::FileExport,
}

/// The canonical order lines of all inputs.
pub struct LoadedOrders {
    /// customer_id, order_id, order_date, amount, cost.
    pub lines: DataFrame,
    /// Per file: what was read and how.
    pub files: Vec<FileRead>,
    /// Bad rows kept under `--rejects` (empty otherwise).
    pub rejected: Vec<Rejected>,
    /// Orders across files: copies dropped by `--dedupe orders`, orders of split exports.
    pub overlaps: overlap::Overlaps,
    /// Where the latest and the future dates are.
    pub dates: DateFacts,
    /// Minor-unit digits of the amounts (0 for a zero-decimal currency column).
    pub decimals: u32,
}

impl LoadedOrders {
    /// The lines with their currency digits and date facts, without the per-file
    /// reports, rejects and overlaps: for scoring the same lines again at another date.
    pub fn lines_only(&self) -> LoadedOrders {
        LoadedOrders {
            lines: self.lines.clone(),
            files: Vec::new(),
            rejected: Vec::new(),
            overlaps: Default::default(),
            dates: self.dates.clone(),
            decimals: self.decimals,
        }
    }

    /// Lines dropped by their status in every file.
    pub fn excluded_by_status(&self) -> u64 {
        self.files
            .iter()
            .map(|f| f.export.state.excluded_by_status)
            .sum()
    }

    /// Lines of another currency dropped by `--currency`.
    pub fn excluded_by_currency(&self) -> u64 {
        self.files
            .iter()
            .map(|f| f.export.state.excluded_by_currency)
            .sum()
    }
}

/// Read and type every order line of `inputs`; `on_rows` hears the rows read so far.
pub fn load_orders(
    inputs: &[InputFile],
    options: &InputOptions,
    on_rows: &dyn Fn(u64),
) -> anyhow::Result<LoadedOrders> {
    let mut faults = FaultLog::new(options.keep_rejects);
    let mut visitor = OrdersVisitor::new(options, date_facts::today());
    let mut files = Vec::with_capacity(inputs.len());
    // Line groups of each file (groups never span two files).
    let mut ranges = Vec::with_capacity(inputs.len());
    for (index, file) in inputs.iter().enumerate() {
        visitor.file = index;
        let start = visitor.height();
        let first_part = visitor.parts.len();
        let before: u64 = files.iter().map(|f: &FileRead| f.report.rows).sum();
        let on_file_rows = |rows: u64| on_rows(before + rows);
        let report = read_file_parallel(
            file,
            &options.text,
            &mut visitor,
            &mut faults,
            &on_file_rows,
        )?;
        let export = visitor.end_file(first_part)?;
        files.push(FileRead {
            file: file.clone(),
            report,
            mapping: visitor.mapping.clone(),
            export,
        });
        ranges.push(start..visitor.height());
    }
    if files.iter().all(|f| f.report.rows == 0) {
        return Err(TieringError::HeaderOnly {
            file: inputs
                .first()
                .map(|f| f.display.clone())
                .unwrap_or_default(),
        }
        .into());
    }
    same_detected_encoding(&files)?;
    let rejected = faults.into_result()?;
    let visitor_dates = visitor.dates.clone();
    let lines = visitor.finish()?;
    order_level_once(&lines, &ranges, &files)?;
    let order_ids = files
        .iter()
        .all(|f| f.mapping.get(self::columns::Canonical::OrderId).is_some());
    let (lines, overlaps) =
        overlap::resolve_overlap(lines, &ranges, &files, order_ids, options.dedupe)?;
    let (lines, decimals) = currency::settle(lines, &files, options)?;
    Ok(LoadedOrders {
        lines,
        files,
        rejected,
        overlaps,
        dates: visitor_dates,
        decimals,
    })
}

/// Files of one run detected in different legacy encodings (GBK and windows-1251, say):
/// a short file gives the detector little to go on, and a wrong guess would split a
/// customer in two. One `--encoding` settles it.
fn same_detected_encoding(files: &[FileRead]) -> Result<(), TieringError> {
    let mut seen: Vec<(&str, &str)> = Vec::new();
    for file in files {
        if let Some(encoding) = file.report.detected_encoding
            && !seen.iter().any(|(e, _)| *e == encoding)
        {
            seen.push((encoding, &file.file.display));
        }
    }
    if seen.len() < 2 {
        return Ok(());
    }
    let listed: Vec<String> = seen.iter().map(|(e, f)| format!("`{f}` {e}")).collect();
    Err(TieringError::Conflict {
        message: format!(
            "the files look like different encodings ({}); a guess on a short file may be wrong",
            listed.join(", ")
        ),
        hint: Some(format!(
            "name the encoding with --encoding {}",
            seen[0].0.to_ascii_lowercase()
        )),
    })
}

/// A total or refund given once per order counts once only if the order's lines are
/// together: an order that comes back later in its file would count it again.
fn order_level_once(
    lines: &DataFrame,
    ranges: &[std::ops::Range<usize>],
    files: &[FileRead],
) -> anyhow::Result<()> {
    use self::lines::col_names::{AMOUNT, CUSTOMER_ID, ORDER_ID, RETURNS};
    for (file, range) in files.iter().zip(ranges) {
        if !file.export.once_per_order() || range.is_empty() {
            continue;
        }
        let part = lines.slice(range.start as i64, range.len());
        let repeated = part
            .lazy()
            .filter(col(AMOUNT).neq(lit(0i64)).or(col(RETURNS).neq(lit(0i64))))
            .group_by([col(CUSTOMER_ID), col(ORDER_ID)])
            .agg([len().alias("groups")])
            .filter(col("groups").gt(lit(1)))
            .sort([ORDER_ID], SortMultipleOptions::default())
            .collect()?;
        if repeated.height() > 0 {
            let order = repeated
                .column(ORDER_ID)?
                .str()?
                .get(0)
                .unwrap_or_default()
                .to_string();
            return Err(TieringError::Conflict {
                message: format!(
                    "`{}`: the lines of order `{order}` are not together, and its total or refund is given once per order: counting it where the order comes back would count it twice ({} like it)",
                    file.file.display,
                    crate::plural::count(repeated.height() as u64, "order", "orders")
                ),
                hint: Some("export the orders sorted by order number, or map line amounts with --map amount=<line amount column>".into()),
            }
            .into());
        }
    }
    Ok(())
}
