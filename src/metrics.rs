//! Canonical order lines -> one row per customer (DESIGN §4): purchases, net revenue,
//! returns, cost, profit, dates, recency and tenure as of the as-of date.
//!
//! An order is the lines sharing (customer_id, order_id). Its net amount is the sum of its
//! lines; it is a *purchase* when net > 0, or net = 0 with no return line.

use polars::prelude::*;

pub mod coded;
pub mod line_counts;
mod spread;

use crate::scorers::columns::ColumnType;

pub use crate::input::lines::line_count;

use crate::input::lines::col_names::{
    AMOUNT, COST, CUSTOMER_ID, LINES, ORDER_DATE, ORDER_ID, RETURN_LINES, RETURNS,
};

/// Per-customer metric column names, in output order.
pub const METRIC_COLUMNS: [&str; 10] = [
    "first_order_date",
    "last_order_date",
    "recency_days",
    "tenure_days",
    "orders",
    "revenue",
    "returns",
    "cost",
    "profit",
    "aov",
];

/// Columns holding money in minor units.
pub const MONEY_COLUMNS: [&str; 5] = ["revenue", "returns", "cost", "profit", "aov"];

/// What a per-customer metric column holds (the metrics of [`METRIC_COLUMNS`], the
/// return counts and the monthly metrics); `None` for any other name.
pub fn metric_type(name: &str) -> Option<ColumnType> {
    Some(match name {
        _ if MONEY_COLUMNS.contains(&name) => ColumnType::Money,
        "first_order_date" | "last_order_date" => ColumnType::Date,
        "recency_days" | "tenure_days" | "orders" | "return_lines" | "active_months_12m" => {
            ColumnType::Integer
        }
        "return_rate" | "revenue_cv_12m" => ColumnType::Float,
        _ => return None,
    })
}

/// A date literal from days since the epoch.
pub fn date_lit(days: i32) -> Expr {
    lit(days).cast(DataType::Date)
}

/// Lines dated on or before `as_of`.
pub fn lines_until(lines: LazyFrame, as_of: i32) -> LazyFrame {
    lines.filter(col(ORDER_DATE).lt_eq(date_lit(as_of)))
}

/// One row per order: customer_id, order_id, order_date, net, returns, cost, cost_lines,
/// return_lines, purchase.
pub fn orders(lines: LazyFrame) -> LazyFrame {
    lines
        .group_by([col(CUSTOMER_ID), col(ORDER_ID)])
        .agg([
            col(ORDER_DATE).min().alias(ORDER_DATE),
            col(AMOUNT).sum().alias("net"),
            col(RETURNS).sum().alias("returns"),
            col(COST).sum().alias(COST),
            // A group has a cost exactly when one of its lines has one.
            col(COST).count().cast(DataType::Int64).alias("cost_lines"),
            col(RETURN_LINES)
                .cast(DataType::Int64)
                .sum()
                .alias("return_lines"),
        ])
        .with_column(
            col("net")
                .gt(lit(0i64))
                .or(col("net")
                    .eq(lit(0i64))
                    .and(col("return_lines").eq(lit(0i64))))
                .alias("purchase"),
        )
}

/// Order lines (counted in the groups of `lines`) dated after `as_of`.
pub fn lines_after(lines: &DataFrame, as_of: i32) -> PolarsResult<u64> {
    let after = lines
        .clone()
        .lazy()
        .filter(col(ORDER_DATE).gt(date_lit(as_of)))
        .select([col(LINES).cast(DataType::Int64).sum()])
        .collect()?;
    Ok(after.column(LINES)?.i64()?.get(0).unwrap_or(0) as u64)
}

/// One row per customer with the metrics of DESIGN §4, as of `as_of`.
pub fn customer_metrics(lines: LazyFrame, as_of: i32) -> LazyFrame {
    let purchase_date = when(col("purchase"))
        .then(col(ORDER_DATE))
        .otherwise(lit(NULL).cast(DataType::Date));
    orders(lines_until(lines, as_of))
        .with_columns([
            purchase_date.alias("purchase_date"),
            col("purchase").cast(DataType::Int64).alias("purchases"),
        ])
        .group_by([col(CUSTOMER_ID)])
        .agg([
            col("purchase_date").min().alias("first_order_date"),
            col("purchase_date").max().alias("last_order_date"),
            col("purchases").sum().alias("orders"),
            col("net").sum().alias("revenue"),
            col("returns").sum().alias("returns"),
            col("return_lines").sum().alias("return_lines"),
            col("cost_lines").sum().alias("cost_lines"),
            col(COST).sum().alias(COST),
        ])
        .with_column(
            when(col("cost_lines").gt(lit(0)))
                .then(col(COST))
                .otherwise(lit(NULL).cast(DataType::Int64))
                .alias(COST),
        )
        .with_columns(derived_metrics(as_of))
        .drop(by_name(["cost_lines"], true, false))
}

/// Columns computed from the aggregates: recency, tenure, profit, aov.
fn derived_metrics(as_of: i32) -> Vec<Expr> {
    let days = |c: &str| lit(as_of) - col(c).cast(DataType::Int32);
    vec![
        days("last_order_date")
            .cast(DataType::Int64)
            .alias("recency_days"),
        days("first_order_date")
            .cast(DataType::Int64)
            .alias("tenure_days"),
        (col("revenue") - col(COST)).alias("profit"),
        // In 128 bits: twice a revenue near the 64-bit limit the reader allows wraps.
        rounded_ratio(
            col("revenue").cast(DataType::Int128),
            col("orders").cast(DataType::Int128),
        )
        .cast(DataType::Int64)
        .alias("aov"),
    ]
}

/// numerator / denominator rounded half to even, in integers, for numerator ≥ 0 and
/// denominator > 0 (the integer form of `round(x, n)` on an exact ratio, which the SQL
/// engines also compute exactly; float rounding differs between them).
pub fn half_even_ratio(numerator: Expr, denominator: Expr) -> Expr {
    let quotient = numerator.clone().floor_div(denominator.clone());
    let twice_rest = (numerator - quotient.clone() * denominator.clone()) * lit(2i64);
    let up = twice_rest.clone().gt(denominator.clone()).or(twice_rest
        .eq(denominator)
        .and((quotient.clone() % lit(2i64)).eq(lit(1i64))));
    quotient + up.cast(DataType::Int64)
}

/// Whether an order with this net amount and these return lines is a purchase: net > 0,
/// or net = 0 without a return line (DESIGN §4). The rule of [`orders`]' `purchase`
/// column, for the counts written by hand.
pub fn is_purchase(net: i64, return_lines: i64) -> bool {
    net > 0 || (net == 0 && return_lines == 0)
}

/// numerator / denominator rounded half away from zero, in integers; null when the
/// denominator is 0.
pub fn rounded_ratio(numerator: Expr, denominator: Expr) -> Expr {
    let twice = denominator.clone() * lit(2i64);
    let magnitude = |n: Expr| (n * lit(2i64) + denominator.clone()).floor_div(twice.clone());
    when(denominator.clone().lt_eq(lit(0i64)))
        .then(lit(NULL).cast(DataType::Int64))
        .when(numerator.clone().gt_eq(lit(0i64)))
        .then(magnitude(numerator.clone()))
        .otherwise(lit(0i64) - magnitude(lit(0i64) - numerator))
}

/// Full join of metrics and the customer export: customers of the export with no order
/// get zero metrics, the export's columns join onto everyone. The marker columns
/// `__in_export` and `__has_orders` are null where a side is missing, for counting;
/// callers drop them.
pub fn join_customers(metrics: LazyFrame, customers: LazyFrame) -> LazyFrame {
    let customers = customers.with_column(lit(true).alias("__in_export"));
    let metrics = metrics.with_column(lit(true).alias("__has_orders"));
    metrics
        .join(
            customers,
            [col(CUSTOMER_ID)],
            [col(CUSTOMER_ID)],
            JoinArgs::new(JoinType::Full).with_coalesce(JoinCoalesce::CoalesceColumns),
        )
        .with_columns([
            col("orders").fill_null(lit(0i64)),
            col("revenue").fill_null(lit(0i64)),
            col("returns").fill_null(lit(0i64)),
            col("return_lines").fill_null(lit(0i64)),
        ])
}

/// `revenue_recent` over the `period` days up to `as_of` and `revenue_previous` over the
/// `period` days before them: the trend the lifecycle and value scorers compare.
pub fn revenue_trend_windows(as_of: i32, period: u32) -> Vec<WindowMetric> {
    trend_windows(as_of, period, WindowKind::Revenue, "revenue")
}

/// `<prefix>_recent` over the `period` days up to `as_of` and `<prefix>_previous` over the
/// `period` days before them, summing `kind`.
pub fn trend_windows(as_of: i32, period: u32, kind: WindowKind, prefix: &str) -> Vec<WindowMetric> {
    let period = period as i32;
    vec![
        WindowMetric {
            name: format!("{prefix}_recent"),
            kind,
            start: as_of - period,
            end: as_of,
        },
        WindowMetric {
            name: format!("{prefix}_previous"),
            kind,
            start: as_of - 2 * period,
            end: as_of - period,
        },
    ]
}

/// What a trailing-window metric sums.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WindowKind {
    /// Net revenue of orders dated in the window.
    Revenue,
    /// Purchases dated in the window.
    Orders,
}

/// A per-customer metric over orders dated in `(start, end]` (days since the epoch).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WindowMetric {
    /// Output column name, e.g. `revenue_12m`.
    pub name: String,
    /// What is summed.
    pub kind: WindowKind,
    /// Exclusive start day.
    pub start: i32,
    /// Inclusive end day.
    pub end: i32,
}

/// Trailing-window metrics per customer, by order date (an order's date is its first line's).
/// (The reference plan of `coded`, which computes these for the pipeline.)
#[cfg(test)]
pub fn window_metrics(lines: LazyFrame, as_of: i32, windows: &[WindowMetric]) -> LazyFrame {
    let in_window = |w: &WindowMetric| {
        col(ORDER_DATE)
            .cast(DataType::Int32)
            .gt(lit(w.start))
            .and(col(ORDER_DATE).cast(DataType::Int32).lt_eq(lit(w.end)))
    };
    let sums: Vec<Expr> = windows
        .iter()
        .map(|w| {
            let value = match w.kind {
                WindowKind::Revenue => col("net"),
                WindowKind::Orders => col("purchase").cast(DataType::Int64),
            };
            when(in_window(w))
                .then(value)
                .otherwise(lit(0i64))
                .sum()
                .alias(w.name.as_str())
        })
        .collect();
    orders(lines_until(lines, as_of))
        .group_by([col(CUSTOMER_ID)])
        .agg(sums)
}

/// Join window metrics onto customers; customers without orders get zeros.
/// (The reference plan of `coded`, which computes these for the pipeline.)
#[cfg(test)]
pub fn with_windows(
    customers: LazyFrame,
    lines: LazyFrame,
    as_of: i32,
    windows: &[WindowMetric],
) -> LazyFrame {
    if windows.is_empty() {
        return customers;
    }
    let fills: Vec<Expr> = windows
        .iter()
        .map(|w| col(w.name.as_str()).fill_null(lit(0i64)))
        .collect();
    customers
        .join(
            window_metrics(lines, as_of, windows),
            [col(CUSTOMER_ID)],
            [col(CUSTOMER_ID)],
            JoinArgs::new(JoinType::Left),
        )
        .with_columns(fills)
}

/// Per customer, over purchases dated in `(after, until]`: `purchase_days` (distinct
/// dates with a purchase) and `repeat_spend` (net of purchases on all but the first of
/// those days) — the frequency and spend of the BG/NBD and Gamma-Gamma models.
pub fn purchase_day_metrics(lines: LazyFrame, after: Option<i32>, until: i32) -> LazyFrame {
    let mut purchases = orders(lines_until(lines, until)).filter(col("purchase"));
    if let Some(after) = after {
        purchases = purchases.filter(col(ORDER_DATE).gt(date_lit(after)));
    }
    purchases
        .group_by([col(CUSTOMER_ID), col(ORDER_DATE)])
        .agg([col("net").sum().alias("day_spend")])
        .group_by([col(CUSTOMER_ID)])
        .agg([
            len().cast(DataType::Int64).alias("purchase_days"),
            (col("day_spend").sum()
                - col("day_spend")
                    .sort_by([col(ORDER_DATE)], SortMultipleOptions::default())
                    .first())
            .alias("repeat_spend"),
        ])
}

/// Per customer, over purchases up to `as_of`: `median_gap_days`, the median of the days
/// between consecutive distinct purchase dates (null with fewer than two).
/// (The reference plan of `coded`, which computes it for the pipeline.)
#[cfg(test)]
pub fn median_gap_metrics(lines: LazyFrame, as_of: i32) -> LazyFrame {
    let same_customer = col(CUSTOMER_ID).eq(col(CUSTOMER_ID).shift(lit(1)));
    let day = || col(ORDER_DATE).cast(DataType::Int32);
    orders(lines_until(lines, as_of))
        .filter(col("purchase"))
        .group_by([col(CUSTOMER_ID), col(ORDER_DATE)])
        .agg([len().alias("__orders")])
        .sort([CUSTOMER_ID, ORDER_DATE], SortMultipleOptions::default())
        .with_column(
            when(same_customer)
                .then(day() - day().shift(lit(1)))
                .otherwise(lit(NULL).cast(DataType::Int32))
                .alias("__gap"),
        )
        .group_by([col(CUSTOMER_ID)])
        .agg([col("__gap")
            .cast(DataType::Float64)
            .median()
            .alias("median_gap_days")])
}

/// The steadiness metrics rules may read: `active_months_12m` and `revenue_cv_12m`.
pub const MONTHLY_METRICS: [&str; 2] = ["active_months_12m", "revenue_cv_12m"];

/// Which of [`MONTHLY_METRICS`] a scorer reads.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MonthlyMetrics {
    /// `active_months_12m`.
    pub active_months: bool,
    /// `revenue_cv_12m`.
    pub revenue_cv: bool,
}

impl MonthlyMetrics {
    /// Those of `names` that are monthly metrics.
    pub fn of<S: AsRef<str>>(names: &[S]) -> MonthlyMetrics {
        let reads = |metric: &str| names.iter().any(|n| n.as_ref() == metric);
        MonthlyMetrics {
            active_months: reads(MONTHLY_METRICS[0]),
            revenue_cv: reads(MONTHLY_METRICS[1]),
        }
    }

    /// Whether any is read.
    pub fn any(self) -> bool {
        self.active_months || self.revenue_cv
    }
}

/// The ends of the twelve months of [`monthly_metrics`]: `bounds[j]` is `as_of` moved
/// back `j` calendar months (clamped at month ends; `i32::MIN` before the calendar
/// starts). Month `m` holds the days in (`bounds[m + 1]`, `bounds[m]`].
pub fn month_bounds(as_of: i32) -> [i32; 13] {
    std::array::from_fn(|months| {
        crate::input::dates::date_of_epoch_days(as_of)
            .checked_sub_months(chrono::Months::new(months as u32))
            .map_or(i32::MIN, crate::input::dates::epoch_days_of)
    })
}

/// Per customer, over the twelve months up to `as_of` cut at `as_of` (month 0 is
/// (as_of − 1 month, as_of], month 11 ends 11 months before; calendar months clamped at
/// month ends, as `revenue_12m`): `active_months_12m`, the months with a purchase, and
/// `revenue_cv_12m`, the coefficient of variation of the twelve months' net revenue
/// (population standard deviation ÷ mean, months without orders counting 0; null unless
/// the twelve months' net revenue is positive), computed as √(12·Σx² − (Σx)²) ÷ Σx from
/// exact integer sums so every SQL engine gets the same double.
/// (The reference plan of `coded`, which computes these for the pipeline.)
#[cfg(test)]
pub fn monthly_metrics(lines: LazyFrame, as_of: i32) -> LazyFrame {
    let bounds = month_bounds(as_of);
    let day = || col(ORDER_DATE).cast(DataType::Int32);
    let month_index = (1..12)
        .map(|j| {
            when(day().lt_eq(lit(bounds[j])))
                .then(lit(1i32))
                .otherwise(lit(0i32))
        })
        .reduce(|a, b| a + b)
        .expect("eleven boundaries");
    let wide = |c: &str| col(c).cast(DataType::Int128);
    orders(lines_until(lines, as_of))
        .filter(day().gt(lit(bounds[12])))
        .with_column(month_index.alias("__month"))
        .group_by([col(CUSTOMER_ID), col("__month")])
        .agg([
            col("net").sum().alias("__net"),
            col("purchase")
                .cast(DataType::Int64)
                .max()
                .alias("__bought"),
        ])
        .group_by([col(CUSTOMER_ID)])
        .agg([
            col("__bought").sum().alias("active_months_12m"),
            wide("__net").sum().alias("__s1"),
            (wide("__net") * wide("__net")).sum().alias("__s2"),
        ])
        .select([
            col(CUSTOMER_ID),
            col("active_months_12m"),
            when(col("__s1").gt(lit(0i64)))
                .then(
                    (lit(12i64).cast(DataType::Int128) * col("__s2") - col("__s1") * col("__s1"))
                        .cast(DataType::Float64)
                        .sqrt()
                        / col("__s1").cast(DataType::Float64),
                )
                .otherwise(lit(NULL).cast(DataType::Float64))
                .alias("revenue_cv_12m"),
        ])
}

/// Join purchase-day metrics onto customers; customers without purchases get zeros.
pub fn with_purchase_days(customers: LazyFrame, lines: LazyFrame, as_of: i32) -> LazyFrame {
    customers
        .join(
            purchase_day_metrics(lines, None, as_of),
            [col(CUSTOMER_ID)],
            [col(CUSTOMER_ID)],
            JoinArgs::new(JoinType::Left),
        )
        .with_columns([
            col("purchase_days").fill_null(lit(0i64)),
            col("repeat_spend").fill_null(lit(0i64)),
        ])
}

#[cfg(test)]
mod tests {
    use polars::prelude::*;

    #[test]
    fn half_even_ratio_rounds_ties_to_even_exactly() {
        let frame = df!(
            "n" => [5i64, 7, 1, 2, 25, 35, 0, 1_000_000_000_000_001],
            "d" => [2i64, 2, 3, 3, 10, 10, 7, 2],
        )
        .unwrap();
        let out = frame
            .lazy()
            .select([super::half_even_ratio(col("n"), col("d")).alias("q")])
            .collect()
            .unwrap();
        let q: Vec<i64> = out
            .column("q")
            .unwrap()
            .i64()
            .unwrap()
            .iter()
            .flatten()
            .collect();
        assert_eq!(q, [2, 4, 0, 1, 2, 4, 0, 500_000_000_000_000]);
    }
}
