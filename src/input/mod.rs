//! Input: every file the user names becomes one canonical orders frame (DESIGN §3), and
//! an optional customer export becomes a customer frame. Only this module configures
//! readers; everything downstream sees typed columns with money in minor units.

pub mod blocks;
pub mod columns;
pub mod customers;
pub mod date_facts;
pub mod dates;
pub mod faults;
pub mod limits;
pub mod lines;
pub mod money;
pub mod overlap;
pub mod parquet;
pub mod same_file;
pub mod source;
pub mod table;

use polars::prelude::*;

use self::columns::{Canonical, ColumnMapping, ExplicitMap};
use self::date_facts::{DateFacts, DatedLine};
use self::faults::{FaultLog, Rejected};
use self::lines::{LineTyping, OrderLines, RowFault};
use self::source::InputFile;
use self::table::{
    Fields, FileReport, ForkingVisitor, RowVisitor, TextOptions, read_file_parallel,
};
use crate::error::{Location, TieringError};

/// Everything that decides how inputs are read.
#[derive(Clone, Debug)]
pub struct InputOptions {
    /// Delimiter and encoding of text files.
    pub text: TextOptions,
    /// Money and date formats.
    pub typing: LineTyping,
    /// Explicit column choices.
    pub columns: ExplicitMap,
    /// Keep bad rows (for `--rejects` and `check`) instead of failing on the first.
    pub keep_rejects: bool,
    /// What to do with an order found in two files.
    pub dedupe: overlap::Dedupe,
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
}

/// Read and type every order line of `inputs`; `on_rows` hears the rows read so far.
pub fn load_orders(
    inputs: &[InputFile],
    options: &InputOptions,
    on_rows: &dyn Fn(u64),
) -> anyhow::Result<LoadedOrders> {
    let mut faults = FaultLog::new(options.keep_rejects);
    let mut visitor = OrdersVisitor {
        options,
        lines: OrderLines::default(),
        parts: Vec::new(),
        mapping: ColumnMapping::default(),
        file: 0,
        dates: DateFacts::new(date_facts::today()),
    };
    let mut files = Vec::with_capacity(inputs.len());
    // Line groups of each file (groups never span two files).
    let mut ranges = Vec::with_capacity(inputs.len());
    for (index, file) in inputs.iter().enumerate() {
        visitor.file = index;
        let start = visitor.height();
        let before: u64 = files.iter().map(|f: &FileRead| f.report.rows).sum();
        let on_file_rows = |rows: u64| on_rows(before + rows);
        let report = read_file_parallel(
            file,
            &options.text,
            &mut visitor,
            &mut faults,
            &on_file_rows,
        )?;
        files.push(FileRead {
            file: file.clone(),
            report,
            mapping: visitor.mapping.clone(),
        });
        visitor.flush()?;
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
    let rejected = faults.into_result()?;
    let visitor_dates = visitor.dates.clone();
    let lines = visitor.finish()?;
    let names: Vec<String> = files.iter().map(|f| f.file.display.clone()).collect();
    let (lines, overlaps) = overlap::resolve_overlap(lines, &ranges, &names, options.dedupe)?;
    Ok(LoadedOrders {
        lines,
        files,
        rejected,
        overlaps,
        dates: visitor_dates,
    })
}

struct OrdersVisitor<'a> {
    options: &'a InputOptions,
    /// Lines being typed.
    lines: OrderLines,
    /// Lines typed before them, in file order.
    parts: Vec<DataFrame>,
    mapping: ColumnMapping,
    /// Index of the file being read.
    file: usize,
    dates: DateFacts,
}

impl OrdersVisitor<'_> {
    /// Line groups finished so far.
    fn height(&self) -> usize {
        self.parts.iter().map(DataFrame::height).sum()
    }

    fn flush(&mut self) -> PolarsResult<()> {
        if !self.lines.is_empty() {
            let next = self.lines.continuation();
            let lines = std::mem::replace(&mut self.lines, next);
            self.parts.push(lines.finish()?);
        }
        Ok(())
    }

    /// All lines in file order. The parts stay separate chunks: the group-bys read
    /// chunked columns as they are, and copying them into one would double the memory.
    fn finish(mut self) -> PolarsResult<DataFrame> {
        self.flush()?;
        let mut parts = self.parts.into_iter();
        let Some(mut all) = parts.next() else {
            return OrderLines::default().finish();
        };
        for part in parts {
            all.vstack_mut_owned(part)?;
        }
        Ok(all)
    }
}

impl ForkingVisitor for OrdersVisitor<'_> {
    fn fork(&self) -> Self {
        OrdersVisitor {
            options: self.options,
            lines: self.lines.continuation(),
            parts: Vec::new(),
            mapping: self.mapping.clone(),
            file: self.file,
            dates: self.dates.fork(),
        }
    }

    fn can_join(&self, part: &Self) -> bool {
        self.lines.can_follow_with(&part.lines)
    }

    fn join(&mut self, mut part: Self) -> anyhow::Result<()> {
        self.flush()?;
        self.lines.follow_with(&part.lines);
        self.dates.join(&part.dates);
        part.flush()?;
        self.parts.extend(part.parts);
        Ok(())
    }
}

impl RowVisitor for OrdersVisitor<'_> {
    fn header(&mut self, file: &InputFile, header: &[String]) -> Result<(), TieringError> {
        let mapping = columns::detect(
            &file.display,
            header,
            &self.options.columns,
            &[Canonical::CustomerId, Canonical::OrderDate],
            &Canonical::ALL,
        )?;
        let priced = mapping.get(Canonical::Quantity).is_some()
            && mapping.get(Canonical::UnitPrice).is_some();
        if mapping.get(Canonical::Amount).is_none() && !priced {
            // Report the missing amount the usual way (found columns, nearest name).
            columns::detect(
                &file.display,
                header,
                &self.options.columns,
                &[Canonical::Amount],
                &Canonical::ALL,
            )?;
        }
        self.mapping = mapping;
        Ok(())
    }

    fn row(&mut self, location: Location, fields: &dyn Fields) -> Result<(), RowFault> {
        let date = self
            .lines
            .push(&self.mapping, &self.options.typing, fields)?;
        self.dates.see(DatedLine {
            date,
            file: self.file,
            location,
        });
        Ok(())
    }
}
