//! Deterministic synthetic order exports for examples, tests and benchmarks.
//!
//! ```text
//! cargo run --release --example gen_orders -- --rows 1000000 --out orders.csv
//! cargo run --release --example gen_orders -- --rows 1000000 --out orders.parquet --parquet
//! cargo run --example gen_orders -- --rows 4000 --customers 400 --out examples/orders.csv \
//!     --customers-out examples/customers.csv
//! ```
//!
//! Shape: several line items per order; customer value heavy-tailed (Pareto weights, so
//! the top 20% of customers bring roughly three quarters of revenue); about 3% of lines
//! are returns (negative amounts on an existing order, dated on or after it); a cost
//! column; dates over two years ending 2026-10-31. Same arguments, same bytes.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::fs::File;
use std::io::{BufWriter, Write};

use polars::prelude::*;

/// SplitMix64: tiny, fast, and identical on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

struct Args {
    rows: u64,
    customers: Option<u64>,
    seed: u64,
    out: String,
    customers_out: Option<String>,
    parquet: bool,
    days: i64,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        rows: 10_000,
        customers: None,
        seed: 42,
        out: "-".into(),
        customers_out: None,
        parquet: false,
        days: 730,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--rows" => args.rows = value()?.parse().map_err(|e| format!("--rows: {e}"))?,
            "--customers" => {
                args.customers = Some(value()?.parse().map_err(|e| format!("--customers: {e}"))?)
            }
            "--seed" => args.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--out" => args.out = value()?,
            "--customers-out" => args.customers_out = Some(value()?),
            "--days" => args.days = value()?.parse().map_err(|e| format!("--days: {e}"))?,
            "--parquet" => args.parquet = true,
            "-h" | "--help" => {
                println!(
                    "gen_orders --rows N [--customers N] [--seed S] [--days D] --out FILE [--parquet] [--customers-out FILE]"
                );
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(args)
}

/// Days since 1970-01-01 of the last generated date, 2026-10-31.
const LAST_DAY: i64 = 20_757;

struct Line {
    order: u64,
    customer: u64,
    day: i64,
    amount: i64,
    cost: i64,
}

fn generate(args: &Args) -> (Vec<Line>, u64) {
    let mut rng = Rng(args.seed);
    let customers = args.customers.unwrap_or((args.rows / 25).max(10));
    // Pareto(alpha = 1.16) weights: the classic 80/20 shape.
    let weights: Vec<f64> = (0..customers)
        .map(|_| (1.0 - rng.unit()).powf(-1.0 / 1.16).min(1e4))
        .collect();
    let mut cumulative = Vec::with_capacity(weights.len());
    let mut total = 0.0;
    for w in &weights {
        total += w;
        cumulative.push(total);
    }
    // Each customer becomes active at some day and may churn later.
    let first_day: Vec<i64> = (0..customers)
        .map(|_| LAST_DAY - args.days + rng.below(args.days as u64) as i64)
        .collect();
    let churn_day: Vec<i64> = first_day
        .iter()
        .map(|&d| {
            if rng.unit() < 0.35 {
                d + rng.below((LAST_DAY - d + 1) as u64) as i64
            } else {
                LAST_DAY
            }
        })
        .collect();
    let mut lines = Vec::with_capacity(args.rows as usize);
    let mut order = 100_000u64;
    while (lines.len() as u64) < args.rows {
        let pick = rng.unit() * total;
        let customer = cumulative.partition_point(|&c| c < pick) as u64;
        let customer = customer.min(customers - 1);
        let (start, end) = (first_day[customer as usize], churn_day[customer as usize]);
        let day = start + rng.below((end - start + 1) as u64) as i64;
        order += 1;
        let items = 1 + rng.below(4);
        for _ in 0..items {
            if lines.len() as u64 >= args.rows {
                break;
            }
            let price = (rng.unit() * 3.0).exp() * 900.0;
            let quantity = 1 + rng.below(3) as i64;
            let amount = (price as i64 + 1) * quantity;
            let cost = amount * (55 + rng.below(20) as i64) / 100;
            lines.push(Line {
                order,
                customer,
                day,
                amount,
                cost,
            });
            if rng.unit() < 0.03 && (lines.len() as u64) < args.rows {
                let back = -(amount * (1 + rng.below(2) as i64) / 2);
                let later = (day + rng.below(30) as i64).min(LAST_DAY);
                lines.push(Line {
                    order,
                    customer,
                    day: later,
                    amount: back,
                    cost: 0,
                });
            }
        }
    }
    (lines, customers)
}

fn date(days: i64) -> String {
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch");
    (epoch + chrono::TimeDelta::days(days))
        .format("%Y-%m-%d")
        .to_string()
}

fn money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", cents.abs() / 100, cents.abs() % 100)
}

fn write_csv(lines: &[Line], out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, "order_id,customer_id,order_date,amount,cost")?;
    for l in lines {
        writeln!(
            out,
            "SO{},C{:06},{},{},{}",
            l.order,
            l.customer,
            date(l.day),
            money(l.amount),
            money(l.cost)
        )?;
    }
    Ok(())
}

fn write_parquet(lines: &[Line], path: &str) -> PolarsResult<()> {
    let decimal = |values: Vec<i64>| -> PolarsResult<Column> {
        Ok(values
            .into_iter()
            .map(|v| Some(i128::from(v)))
            .collect::<Int128Chunked>()
            .into_decimal(18, 2)?
            .into_column())
    };
    let mut frame = DataFrame::new(
        lines.len(),
        vec![
            Column::new(
                "order_id".into(),
                lines
                    .iter()
                    .map(|l| format!("SO{}", l.order))
                    .collect::<Vec<_>>(),
            ),
            Column::new(
                "customer_id".into(),
                lines
                    .iter()
                    .map(|l| format!("C{:06}", l.customer))
                    .collect::<Vec<_>>(),
            ),
            Int32Chunked::from_vec(
                "order_date".into(),
                lines.iter().map(|l| l.day as i32).collect(),
            )
            .into_date()
            .into_column(),
            decimal(lines.iter().map(|l| l.amount).collect())?.with_name("amount".into()),
            decimal(lines.iter().map(|l| l.cost).collect())?.with_name("cost".into()),
        ],
    )?;
    let file = File::create(path).map_err(|e| PolarsError::IO {
        error: e.into(),
        msg: None,
    })?;
    ParquetWriter::new(file).finish(&mut frame)?;
    Ok(())
}

const REGIONS: [&str; 5] = ["North", "South", "East", "West", "Online"];

fn write_customers(customers: u64, seed: u64, path: &str) -> std::io::Result<()> {
    let mut rng = Rng(seed ^ 0xC057);
    let mut out = BufWriter::new(File::create(path)?);
    writeln!(out, "customer_id,name,region,signup_date,receivable_days")?;
    // A few registered customers never order: they land in "no purchase yet".
    for c in 0..customers + customers / 20 {
        writeln!(
            out,
            "C{c:06},Customer {c},{},{},{}",
            REGIONS[rng.below(5) as usize],
            date(LAST_DAY - 800 + rng.below(60) as i64),
            15 + rng.below(60)
        )?;
    }
    out.flush()
}

fn main() {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("error: {message}");
            std::process::exit(2);
        }
    };
    let (lines, customers) = generate(&args);
    let result = if args.parquet {
        write_parquet(&lines, &args.out).map_err(|e| e.to_string())
    } else if args.out == "-" {
        let stdout = std::io::stdout();
        let mut out = BufWriter::new(stdout.lock());
        write_csv(&lines, &mut out)
            .and_then(|()| out.flush())
            .map_err(|e| e.to_string())
    } else {
        File::create(&args.out)
            .map(BufWriter::new)
            .and_then(|mut out| write_csv(&lines, &mut out).and_then(|()| out.flush()))
            .map_err(|e| e.to_string())
    };
    let result = result.and_then(|()| match &args.customers_out {
        Some(path) => write_customers(customers, args.seed, path).map_err(|e| e.to_string()),
        None => Ok(()),
    });
    if let Err(message) = result {
        eprintln!("error: {message}");
        std::process::exit(1);
    }
}
