//! `tiering check`: what would be read from order exports — files, detected columns, rows,
//! customers, orders, date range, returns, and every bad row with its reason — without scoring.

#![allow(clippy::print_stdout)]

use polars::prelude::*;

use crate::cli::CheckArgs;
use crate::config::LoadedConfig;
use crate::error::ExitStatus;
use crate::input::dates::format_date;
use crate::input::lines::col_names::{AMOUNT, CUSTOMER_ID, ORDER_DATE};
use crate::input::load_orders;
use crate::input::money::format_money;
use crate::input::source::expand;
use crate::metrics::orders;
use crate::settings::input_options;

/// Run `tiering check`; exit 3 when any row is bad.
pub fn run(args: &CheckArgs, config: &LoadedConfig) -> anyhow::Result<ExitStatus> {
    let options = input_options(&args.input, config, true)?;
    let decimals = options.typing.money.decimals;
    let files = expand(&args.inputs)?;
    let loaded = load_orders(&files, &options)?;
    for file in &loaded.files {
        let delimiter = match file.report.delimiter {
            Some(b'\t') => " (delimiter TAB)".to_string(),
            Some(d) => format!(" (delimiter `{}`)", d as char),
            None => String::new(),
        };
        println!(
            "{}: {}{delimiter}, {} rows, {} bad",
            file.file.display, file.report.format, file.report.rows, file.report.bad_rows
        );
        println!("  columns:");
        for line in file.mapping.describe() {
            println!("    {line}");
        }
        let unused: Vec<&str> = file
            .mapping
            .header
            .iter()
            .enumerate()
            .filter(|(i, _)| !file.mapping.index.values().any(|v| v == i))
            .map(|(_, h)| h.as_str())
            .collect();
        if !unused.is_empty() {
            println!("  not used: {}", unused.join(", "));
        }
    }
    let lines = &loaded.lines;
    if lines.height() > 0 {
        print_totals(lines, decimals)?;
    }
    if loaded.rejected.is_empty() {
        println!("bad rows: none");
        return Ok(ExitStatus::Success);
    }
    println!("bad rows: {}", loaded.rejected.len());
    for reject in loaded.rejected.iter().take(args.show) {
        println!("  {}", reject.row.summary());
    }
    if loaded.rejected.len() > args.show {
        println!(
            "  … and {} more (--show N lists more)",
            loaded.rejected.len() - args.show
        );
    }
    Ok(ExitStatus::BadData)
}

fn print_totals(lines: &DataFrame, decimals: u32) -> anyhow::Result<()> {
    let totals = lines
        .clone()
        .lazy()
        .select([
            len().cast(DataType::Int64).alias("lines"),
            col(CUSTOMER_ID)
                .n_unique()
                .cast(DataType::Int64)
                .alias("customers"),
            col(ORDER_DATE).min().alias("first"),
            col(ORDER_DATE).max().alias("last"),
            col(AMOUNT).sum().alias("net"),
            col(AMOUNT)
                .lt(lit(0i64))
                .sum()
                .cast(DataType::Int64)
                .alias("return_lines"),
            (lit(0i64) - col(AMOUNT).filter(col(AMOUNT).lt(lit(0i64))).sum()).alias("returns"),
        ])
        .collect()?;
    let order_counts = orders(lines.clone().lazy())
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
    let date = |name: &str| -> anyhow::Result<String> {
        let days = totals.column(name)?.cast(&DataType::Int32)?.i32()?.get(0);
        Ok(days.map(format_date).unwrap_or_default())
    };
    println!("lines: {}", int(&totals, "lines")?);
    println!("customers: {}", int(&totals, "customers")?);
    println!(
        "orders: {} ({} purchases, {} cancelled by returns)",
        int(&order_counts, "orders")?,
        int(&order_counts, "purchases")?,
        int(&order_counts, "orders")? - int(&order_counts, "purchases")?
    );
    println!("dates: {} to {}", date("first")?, date("last")?);
    println!(
        "returns: {} lines, {}",
        int(&totals, "return_lines")?,
        format_money(int(&totals, "returns")?, decimals)
    );
    println!(
        "net revenue: {}",
        format_money(int(&totals, "net")?, decimals)
    );
    Ok(())
}
