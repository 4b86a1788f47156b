//! `tiering check`: what would be read from order exports — files, detected columns, rows,
//! customers, orders, date range, returns, and every bad row with its reason — without scoring.

use polars::prelude::*;

use crate::cli::CheckArgs;
use crate::config::LoadedConfig;
use crate::error::ExitStatus;
use crate::input::lines::col_names::{AMOUNT, CUSTOMER_ID, ORDER_DATE};
use crate::input::load_orders;
use crate::input::source::expand;
use crate::metrics::orders;
use crate::output::check_report::{CheckReport, Totals, write_check_report};
use crate::settings::input_options;

/// Run `tiering check`; exit 3 when any row is bad.
pub fn run(args: &CheckArgs, config: &LoadedConfig) -> anyhow::Result<ExitStatus> {
    let options = input_options(&args.input, config, true)?;
    let files = expand(&args.inputs)?;
    let loaded = load_orders(&files, &options)?;
    let totals = if loaded.lines.height() > 0 {
        Some(totals(&loaded.lines)?)
    } else {
        None
    };
    let report = CheckReport {
        files: &loaded.files,
        totals,
        rejected: &loaded.rejected,
        show: args.show,
        decimals: options.typing.money.decimals,
    };
    let mut stdout = std::io::stdout().lock();
    write_check_report(&mut stdout, &report)?;
    Ok(if loaded.rejected.is_empty() {
        ExitStatus::Success
    } else {
        ExitStatus::BadData
    })
}

fn totals(lines: &DataFrame) -> anyhow::Result<Totals> {
    let is_return = col(AMOUNT).lt(lit(0i64));
    let line_totals = lines
        .clone()
        .lazy()
        .select([
            len().cast(DataType::Int64).alias("lines"),
            col(CUSTOMER_ID)
                .n_unique()
                .cast(DataType::Int64)
                .alias("customers"),
            col(ORDER_DATE).min().cast(DataType::Int32).alias("first"),
            col(ORDER_DATE).max().cast(DataType::Int32).alias("last"),
            col(AMOUNT).sum().alias("net"),
            is_return
                .clone()
                .sum()
                .cast(DataType::Int64)
                .alias("return_lines"),
            (lit(0i64) - col(AMOUNT).filter(is_return).sum()).alias("returns"),
        ])
        .collect()?;
    let order_totals = orders(lines.clone().lazy())
        .select([
            len().cast(DataType::Int64).alias("orders"),
            col("purchase")
                .sum()
                .cast(DataType::Int64)
                .alias("purchases"),
        ])
        .collect()?;
    let int = |frame: &DataFrame, name: &str| -> anyhow::Result<i64> {
        Ok(frame
            .column(name)?
            .cast(&DataType::Int64)?
            .i64()?
            .get(0)
            .unwrap_or(0))
    };
    Ok(Totals {
        lines: int(&line_totals, "lines")?,
        customers: int(&line_totals, "customers")?,
        orders: int(&order_totals, "orders")?,
        purchases: int(&order_totals, "purchases")?,
        first_date: int(&line_totals, "first")? as i32,
        last_date: int(&line_totals, "last")? as i32,
        return_lines: int(&line_totals, "return_lines")?,
        returns: int(&line_totals, "returns")?,
        net_revenue: int(&line_totals, "net")?,
    })
}
