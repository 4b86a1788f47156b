//! The shared front half of `score` and `check`: inputs -> canonical order lines ->
//! as-of date -> per-customer metrics (joined with the customer export).

use std::path::Path;

use polars::prelude::*;

use crate::error::TieringError;
use crate::input::columns::Canonical;
use crate::input::customers::{LoadedCustomers, load_customers};
use crate::input::dates::format_date;
use crate::input::lines::col_names::{CUSTOMER_ID, ORDER_DATE};
use crate::input::same_file::{SkippedInput, distinct_files};
use crate::input::source::expand;
use crate::input::{InputOptions, LoadedOrders, load_orders};
use crate::metrics::coded::{self, OrderMetrics};
use crate::metrics::{join_customers, line_count, lines_after};
use crate::output::guard::WriteGuard;
use crate::output::rejects::write_rejects;
use crate::plural::count;
use crate::printer::{Printer, Progress};
use crate::scorers::{ScoreContext, Scorer, ScorerSettings};

/// Metrics ready for a scorer, and what was learnt on the way.
pub struct Prepared {
    /// One row per customer (lazy).
    pub customers: LazyFrame,
    /// The as-of date in force.
    pub as_of: i32,
    /// The scoring context, built once the as-of date was known (with a scorer).
    pub context: Option<ScoreContext>,
    /// The order lines as read.
    pub orders: LoadedOrders,
    /// Passed-through columns of the customer export.
    pub extra_columns: Vec<String>,
    /// The progress display, for the stages that follow.
    pub progress: Progress,
}

/// What `prepare` needs besides the input options.
pub struct Request<'a> {
    /// Order inputs (paths, globs, `-`).
    pub inputs: &'a [String],
    /// The customer export, if any.
    pub customers: Option<&'a str>,
    /// The as-of date given, if any.
    pub as_of: Option<i32>,
    /// The output's own column names, which customer-export columns must not take.
    pub reserved: &'a [&'a str],
    /// Order lines already read by another run of the same inputs (their lines, currency
    /// digits and date facts): scored again without reading the files.
    pub lines_read: Option<&'a LoadedOrders>,
    /// The scorer the metrics are for, with its settings: it names the trailing-window
    /// metrics and whether purchase-day metrics are needed. `None`: the base metrics.
    pub scorer: Option<(&'a dyn Scorer, &'a ScorerSettings)>,
    /// `--rejects FILE` and the guard it is written through, right after reading (so it
    /// is written even when every line is bad).
    pub rejects: Option<(&'a Path, &'a WriteGuard)>,
    /// Whether [`Prepared::orders`] keeps the order lines. Without them the metrics
    /// frame is built once the lines' memory is free, and `orders.lines` is empty.
    pub keep_lines: bool,
}

/// Read the inputs and build per-customer metrics as of the as-of date (default: the
/// latest order date).
pub fn prepare(
    request: &Request<'_>,
    options: &InputOptions,
    printer: &Printer,
) -> anyhow::Result<Prepared> {
    let Request {
        inputs,
        customers,
        as_of,
        reserved,
        scorer,
        rejects,
        ..
    } = *request;
    let (mut orders, mut progress) = match request.lines_read {
        // The lines another run read (`report --compare-as-of`): not read again.
        Some(read) => (read.lines_only(), printer.progress("computing metrics", 0)),
        None => {
            let (files, repeats) = distinct_files(expand(inputs)?);
            print_repeats(&repeats, printer);
            let bytes = files
                .iter()
                .filter_map(|f| f.path.as_ref())
                .filter_map(|p| std::fs::metadata(p).ok())
                .map(|m| m.len())
                .sum();
            let progress = printer.progress("reading orders", bytes);
            let orders = load_orders(&files, options, &|rows| progress.rows(rows))?;
            // Reading freed its buffers (a Parquet file's bytes, the parts' builders)
            // among the lines it kept: ~0.1 GB per 10M lines the process would hold.
            crate::memory::release_freed();
            (orders, progress)
        }
    };
    if let Some((path, guard)) = rejects {
        write_rejects_file(path, &orders, guard, printer)?;
    }
    progress.stage("computing metrics");
    for split in &orders.overlaps.split {
        printer.note(&split.note());
    }
    if let Some(dropped) = &orders.overlaps.dropped {
        printer.note(&format!(
            "--dedupe orders: dropped {} of later files, copies of {} an earlier file has",
            count(dropped.lines, "order line", "order lines"),
            count(dropped.orders, "order", "orders"),
        ));
        if let Some(example) = &dropped.example {
            printer.warn(&format!(
                "--dedupe orders: {} of the dropped copies {} the kept copy in amount, lines, customer or day (e.g. order `{}` of customer `{}` in `{}`); the earlier file's copy was kept: check which export is right",
                dropped.differing,
                if dropped.differing == 1 { "differs from" } else { "differ from" },
                example.order,
                example.customer,
                example.file
            ));
        }
    }
    for file in &orders.files {
        if let Some(encoding) = file.report.detected_encoding {
            printer.note(&encoding_note(&file.file.display, encoding));
        }
        for note in export_notes(file) {
            printer.note(&note);
        }
        printer.detail(&describe_file(file));
        if file.report.rows == 0 {
            printer.warn(&format!("`{}` has a header but no rows", file.file.display));
        }
    }
    if let Some(warning) = mixed_date_orders(&orders.files) {
        printer.warn(&warning);
    }
    let lines = &orders.lines;
    let dates = lines.column(ORDER_DATE)?.date()?.physical().clone();
    let (Some(first), Some(latest)) = (dates.min(), dates.max()) else {
        return Err(TieringError::NoData {
            message: "no order line could be read".into(),
            hint: Some("see the rejects file for why every line was rejected".into()),
        }
        .into());
    };
    warn_about_future_dates(&orders, printer);
    if as_of.is_none() {
        warn_about_a_lone_latest_date(&orders, printer)?;
    }
    let as_of = as_of.unwrap_or(latest);
    let later = lines_after(lines, as_of)?;
    if later == line_count(lines)? {
        return Err(TieringError::NoData {
            message: format!(
                "no order line is dated on or before the as-of date {} (orders run from {} to {})",
                format_date(as_of),
                format_date(first),
                format_date(latest)
            ),
            hint: Some("choose a later --as-of".into()),
        }
        .into());
    }
    if later > 0 {
        printer.note(&format!(
            "{} dated after the as-of date {} {} ignored",
            count(later, "order line", "order lines"),
            format_date(as_of),
            if later == 1 { "is" } else { "are" }
        ));
    }
    // The customer export is read before the metrics: its columns are part of the
    // scoring context, which is complete once the as-of date is known.
    let export = match customers {
        Some(path) => Some(read_customer_export(
            path, options, reserved, scorer, printer,
        )?),
        None => None,
    };
    let extra_columns = export
        .as_ref()
        .map(|e| e.extra_columns.clone())
        .unwrap_or_default();
    let context = scorer.map(|(_, settings)| {
        ScoreContext::new(
            settings.clone(),
            as_of,
            orders.decimals,
            extra_columns.clone(),
        )
    });
    let scoring = scorer.map(|(s, _)| s).zip(context.as_ref());
    let windows = match scoring {
        Some((scorer, ctx)) => scorer.windows(ctx)?,
        None => Vec::new(),
    };
    let purchase_days = scoring.is_some_and(|(s, ctx)| s.needs_purchase_days(ctx));
    let per_order = OrderMetrics {
        windows: &windows,
        purchase_days,
        median_gap: scoring.is_some_and(|(s, _)| s.needs_median_gap()),
        monthly: scoring.map_or_else(Default::default, |(s, ctx)| s.monthly_metrics(ctx)),
    };
    let lines = if request.keep_lines {
        lines.clone()
    } else {
        std::mem::replace(&mut orders.lines, DataFrame::empty())
    };
    let metrics = coded::customer_metrics(lines, as_of, per_order)?;
    let mut metrics = metrics.lazy();
    let tenure_from = scorer.and_then(|(_, settings)| settings.tenure_from.as_deref());
    if let Some(loaded) = &export {
        metrics = joined_with_export(metrics, loaded, printer)?;
        if let Some(column) = tenure_from {
            metrics = with_tenure_from(metrics, loaded, column, as_of)?;
        }
    } else if tenure_from.is_some() {
        printer.warn(
            "[score] tenure_from reads a customer-export column, and no --customers is given: tenure counts from the first purchase",
        );
    }
    Ok(Prepared {
        customers: metrics,
        as_of,
        context,
        orders,
        extra_columns,
        progress,
    })
}

/// Read the customer export at `path`, refusing values that are not numbers in the
/// columns the scorer reads as numbers.
fn read_customer_export(
    path: &str,
    options: &InputOptions,
    reserved: &[&str],
    scorer: Option<(&dyn Scorer, &ScorerSettings)>,
    printer: &Printer,
) -> anyhow::Result<LoadedCustomers> {
    let file = expand(&[path.to_string()])?.remove(0);
    let loaded = load_customers(&file, options, reserved)?;
    if let Some((scorer, settings)) = scorer {
        loaded.check_numbers(&scorer.export_numbers(settings))?;
    }
    if let Some(encoding) = loaded.detected_encoding {
        printer.note(&encoding_note(&file.display, encoding));
    }
    printer.detail(&format!(
        "{}: customer export, {} customers\n  {}",
        file.display,
        loaded.frame.height(),
        loaded.mapping.describe().join("\n  ")
    ));
    Ok(loaded)
}

fn write_rejects_file(
    path: &Path,
    orders: &LoadedOrders,
    guard: &WriteGuard,
    printer: &Printer,
) -> anyhow::Result<()> {
    let header = orders
        .files
        .first()
        .map(|f| f.mapping.header.clone())
        .unwrap_or_default();
    write_rejects(path, &orders.rejected, &header, guard)?;
    if !orders.rejected.is_empty() {
        printer.warn(&format!(
            "{} written to `{}`; the rest is scored",
            count(orders.rejected.len() as u64, "bad row", "bad rows"),
            path.display()
        ));
    }
    Ok(())
}

/// What the export layer did with a file: its layout and the lines it dropped.
pub fn export_notes(file: &crate::input::FileRead) -> Vec<String> {
    use crate::input::status::StatusClass;
    let name = &file.file.display;
    let state = &file.export.state;
    let mut notes = Vec::new();
    if let Some(layout) = file.export.layout {
        notes.push(format!(
            "`{name}`: read as a {} (--layout none reads plain columns)",
            layout.title
        ));
    }
    if state.excluded_by_status > 0 {
        let values: Vec<String> = state
            .statuses
            .rows()
            .into_iter()
            .filter(|(_, class, _)| {
                matches!(class, Some(StatusClass::Exclude | StatusClass::Refunded))
            })
            .filter(|(_, class, _)| {
                *class != Some(StatusClass::Refunded)
                    || file.mapping.get(Canonical::Refund).is_none()
            })
            .map(|(value, _, lines)| format!("{value} {lines}"))
            .collect();
        notes.push(format!(
            "`{name}`: {} excluded by status ({}): not purchases, not returns, not revenue",
            count(state.excluded_by_status, "order line", "order lines"),
            values.join(", ")
        ));
    }
    if state.excluded_by_currency > 0 {
        notes.push(format!(
            "`{name}`: {} in other currencies excluded (--currency)",
            count(state.excluded_by_currency, "order line", "order lines")
        ));
    }
    notes
}

/// Files whose dates were decided day first and month first in one run: legal (a German
/// and a US export), but a mistake as often, so both are named.
fn mixed_date_orders(files: &[crate::input::FileRead]) -> Option<String> {
    use crate::input::dates::DayMonth;
    let named = |order: DayMonth| -> Vec<String> {
        files
            .iter()
            .filter(|f| f.export.date_order == Some(order))
            .map(|f| format!("`{}`", f.file.display))
            .collect()
    };
    let (day, month) = (named(DayMonth::DayFirst), named(DayMonth::MonthFirst));
    (!day.is_empty() && !month.is_empty()).then(|| {
        format!(
            "dates were read day first in {} and month first in {}; if the files come from one system, fix the order with --date-format",
            day.join(", "),
            month.join(", ")
        )
    })
}

/// The note for a file read in a detected encoding.
pub fn encoding_note(file: &str, encoding: &str) -> String {
    format!("`{file}` is not UTF-8: read as {encoding} (detected; --encoding overrides)")
}

/// Lines dated after the day of the run are probably mistyped; the result ignores the
/// clock, so this is only a warning.
fn warn_about_future_dates(orders: &LoadedOrders, printer: &Printer) {
    let facts = &orders.dates;
    let Some(first) = facts.first_future else {
        return;
    };
    printer.warn(&format!(
        "{} dated after today ({}), the first in `{}`{}: {}; a mistyped date?",
        count(facts.future_lines, "order line is", "order lines are"),
        format_date(facts.today),
        orders.files[first.file].file.display,
        at(first.location),
        format_date(first.date),
    ));
}

/// Days before the latest date in which at least 0.1% of the order lines must fall for
/// the latest date to be a believable default as-of date.
const LONE_LATEST_DAYS: i32 = 30;

/// The default as-of date is the latest line's; when almost nothing is near it, that
/// line is probably a typo (`2099-12-31`) that would make every recency enormous.
fn warn_about_a_lone_latest_date(orders: &LoadedOrders, printer: &Printer) -> PolarsResult<()> {
    let Some(latest) = orders.dates.latest else {
        return Ok(());
    };
    let lines = &orders.lines;
    let total = line_count(lines)?;
    let recent = lines_after(lines, latest.date - LONE_LATEST_DAYS - 1)?;
    if recent * 1000 <= total {
        printer.warn(&format!(
            "the default as-of date is the latest order date {} (`{}`{}), but only {} of {} order lines fall in the {LONE_LATEST_DAYS} days up to it: a mistyped date? Pass --as-of to choose the date",
            format_date(latest.date),
            orders.files[latest.file].file.display,
            at(latest.location),
            format_grouped(recent),
            format_grouped(total),
        ));
    }
    Ok(())
}

fn at(location: Option<crate::error::Location>) -> String {
    location.map_or_else(String::new, |l| format!(" {l}"))
}

fn format_grouped(n: u64) -> String {
    crate::input::money::format_money_grouped(i64::try_from(n).unwrap_or(i64::MAX), 0)
}

/// One note per input left out as a repeat (a glob through linked directories may give
/// many: the first few are named).
fn print_repeats(repeats: &[SkippedInput], printer: &Printer) {
    const NAMED: usize = 5;
    for repeat in repeats.iter().take(NAMED) {
        printer.note(&repeat.note());
    }
    if repeats.len() > NAMED {
        printer.note(&format!(
            "{} more inputs repeat an earlier file and are read once",
            repeats.len() - NAMED
        ));
    }
}

/// `[score] tenure_from`: a purchaser's tenure counts from the export's start date when
/// that is earlier than the first purchase (and not after the as-of date).
fn with_tenure_from(
    metrics: LazyFrame,
    export: &LoadedCustomers,
    column: &str,
    as_of: i32,
) -> anyhow::Result<LazyFrame> {
    let starts = export.dates(column, "[score] tenure_from")?;
    let starts = df!(
        CUSTOMER_ID => export.frame.column(CUSTOMER_ID)?.as_materialized_series().clone(),
        "__start" => starts,
    )?;
    let since_start = lit(i64::from(as_of)) - col("__start").cast(DataType::Int64);
    let longer = col("orders")
        .gt(lit(0i64))
        .and(col("__start").lt_eq(lit(as_of)))
        .and(since_start.clone().gt(col("tenure_days")));
    Ok(metrics
        .join(
            starts.lazy(),
            [col(CUSTOMER_ID)],
            [col(CUSTOMER_ID)],
            JoinArgs::new(JoinType::Left),
        )
        .with_column(
            when(longer)
                .then(since_start)
                .otherwise(col("tenure_days"))
                .alias("tenure_days"),
        )
        .drop(by_name(["__start"], true, false)))
}

/// Join the export and report ordering customers it lacks and listed customers without orders.
fn joined_with_export(
    metrics: LazyFrame,
    export: &LoadedCustomers,
    printer: &Printer,
) -> anyhow::Result<LazyFrame> {
    let joined = join_customers(metrics, export.frame.clone().lazy()).collect()?;
    let missing = |marker: &str| -> PolarsResult<usize> { Ok(joined.column(marker)?.null_count()) };
    let unknown = missing("__in_export")?;
    let without_orders = missing("__has_orders")?;
    if unknown > 0 {
        printer.warn(&format!(
            "{} with orders {} not in the customer export; they are kept",
            crate::plural::count(unknown as u64, "customer", "customers"),
            if unknown == 1 { "is" } else { "are" }
        ));
    }
    if without_orders > 0 {
        printer.note(&format!(
            "{} of the export {} no orders up to the as-of date",
            crate::plural::count(without_orders as u64, "customer", "customers"),
            if without_orders == 1 { "has" } else { "have" }
        ));
    }
    Ok(joined.drop_many(["__in_export", "__has_orders"]).lazy())
}

fn describe_file(file: &crate::input::FileRead) -> String {
    let delimiter = match file.report.delimiter {
        Some(b'\t') => ", delimiter TAB".to_string(),
        Some(d) => format!(", delimiter `{}`", d as char),
        None => String::new(),
    };
    format!(
        "{}: {}{delimiter}, {} rows ({} bad)\n  {}",
        file.file.display,
        file.report.format,
        file.report.rows,
        file.report.bad_rows,
        file.mapping.describe().join("\n  ")
    )
}
