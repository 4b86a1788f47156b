//! The per-customer metrics of DESIGN §4 computed straight from the line groups' columns,
//! without polars' string-keyed group-bys (the largest cost at a million customers).
//!
//! The lines are split into partitions of whole customers by their customer bucket and
//! the partitions run on all cores. In a partition, one pass in file order interns the
//! customer ids into dense codes by exact string equality and adds up the sums that do
//! not depend on the orders. A second pass copies what the orders need out of each line
//! group into a small record, stored among its customer's records (a counting sort,
//! stable, so each customer's groups keep the file's order), and each customer's orders
//! are found among its own records by exact order-id equality. Only an order's net
//! amount, its date and whether it has a return line depend on the grouping into orders;
//! every other metric is a sum over line groups. The trailing-window sums, the
//! purchase-day metrics, the median purchase gap and the monthly steadiness metrics come
//! from the same per-customer list of orders.
//! [`super::customer_metrics`], `super::with_windows`, [`super::with_purchase_days`],
//! `super::median_gap_metrics` and [`super::monthly_metrics`] (the second, fourth and
//! fifth built for the tests only) are the same computation as polars plans; a property
//! test holds the two equal.

use std::hash::BuildHasher;

use polars::prelude::*;
use polars_arrow::array::{MutableBinaryViewArray, PrimitiveArray, Utf8ViewArray};
use rayon::prelude::*;

use super::{MONTHLY_METRICS, MonthlyMetrics, WindowKind, WindowMetric};
use crate::customer_order::id_order;
use crate::input::lines::CUSTOMER_BUCKETS;
use crate::input::lines::col_names::{
    AMOUNT, BUCKET, COST, CUSTOMER_ID, ORDER_DATE, ORDER_ID, RETURN_LINES, RETURNS,
};

/// Partitions run in parallel; more than the cores so that uneven ones even out, and each
/// partition's tables and records stay small (the records of the partitions in flight are
/// held on top of the lines).
const PARTITIONS: usize = 64;

/// Customers with more rows than this find their orders through a hash table; fewer are
/// compared pairwise, which is faster for the few orders most customers have.
const PAIRWISE_ROWS: usize = 16;

/// What is computed besides the metrics of [`super::customer_metrics`].
#[derive(Clone, Copy, Debug, Default)]
pub struct OrderMetrics<'a> {
    /// Trailing-window sums, as `super::with_windows` adds them.
    pub windows: &'a [WindowMetric],
    /// `purchase_days` and `repeat_spend`, as [`super::with_purchase_days`] adds them.
    pub purchase_days: bool,
    /// `median_gap_days`, as `super::median_gap_metrics` computes it.
    pub median_gap: bool,
    /// The monthly steadiness metrics, as [`super::monthly_metrics`] computes them.
    pub monthly: MonthlyMetrics,
}

/// One row per customer with lines dated on or before `as_of`: the columns and types of
/// [`super::customer_metrics`], then those `extra` asks for, in customer_id order (as
/// [`crate::customer_order`] sorts).
///
/// `lines` is dropped as soon as the sums are computed (each partition copies its
/// customers' ids): when the caller holds no other copy of them, their memory is free
/// before the customers are sorted and the frame is built (at 40M lines the lines and
/// the metrics frame together were the run's peak).
pub fn customer_metrics(
    lines: DataFrame,
    as_of: i32,
    extra: OrderMetrics,
) -> PolarsResult<DataFrame> {
    let columns = LineColumns::new(&lines)?;
    let partitions = rows_by_partition(&columns, as_of);
    let month_bounds = super::month_bounds(as_of);
    let parts: Vec<CustomerSums> = partitions
        .into_par_iter()
        .map(|rows| sum_customers(&columns, &rows, extra, &month_bounds))
        .collect();
    drop(columns);
    drop(lines);
    crate::memory::release_freed();
    let (sums, ids) = in_id_order(parts);
    frame(sums, ids, as_of, extra)
}

/// The columns of the lines frame that the metrics read, chunk by chunk as the frame
/// holds them (the lines of a big file stay in many chunks; one copy of them all would
/// double the memory).
struct LineColumns {
    chunks: Vec<LineChunk>,
}

/// One chunk of each column, all of the same rows.
struct LineChunk {
    customer: Utf8ViewArray,
    order: Utf8ViewArray,
    date: PrimitiveArray<i32>,
    amount: PrimitiveArray<i64>,
    returns: PrimitiveArray<i64>,
    return_lines: PrimitiveArray<i32>,
    cost: PrimitiveArray<i64>,
    bucket: PrimitiveArray<i32>,
}

/// A line group: its chunk and its row in the chunk.
#[derive(Clone, Copy, Default)]
struct RowRef {
    chunk: u32,
    row: u32,
}

impl LineColumns {
    fn new(lines: &DataFrame) -> PolarsResult<Self> {
        let mut read = lines.select([
            CUSTOMER_ID,
            ORDER_ID,
            ORDER_DATE,
            AMOUNT,
            RETURNS,
            RETURN_LINES,
            COST,
            BUCKET,
        ])?;
        // Copies only when the columns' chunks differ in their rows.
        read.align_chunks();
        let customer = read.column(CUSTOMER_ID)?.str()?;
        let order = read.column(ORDER_ID)?.str()?;
        let date = read.column(ORDER_DATE)?.date()?.physical();
        let bucket = read.column(BUCKET)?.i32()?;
        let int = |name: &str| -> PolarsResult<&Int64Chunked> { read.column(name)?.i64() };
        let (amount, returns) = (int(AMOUNT)?, int(RETURNS)?);
        let return_lines = read.column(RETURN_LINES)?.i32()?;
        let cost = int(COST)?;
        let chunk = |i: usize| {
            let at = |ints: &Int64Chunked| ints.downcast_get(i).expect("aligned chunks").clone();
            LineChunk {
                customer: customer.downcast_get(i).expect("aligned chunks").clone(),
                order: order.downcast_get(i).expect("aligned chunks").clone(),
                date: date.downcast_get(i).expect("aligned chunks").clone(),
                amount: at(amount),
                returns: at(returns),
                return_lines: return_lines
                    .downcast_get(i)
                    .expect("aligned chunks")
                    .clone(),
                cost: at(cost),
                bucket: bucket.downcast_get(i).expect("aligned chunks").clone(),
            }
        };
        let chunks = (0..customer.chunks().len()).map(chunk).collect();
        Ok(LineColumns { chunks })
    }

    fn chunk(&self, at: RowRef) -> (&LineChunk, usize) {
        (&self.chunks[at.chunk as usize], at.row as usize)
    }
}

/// The rows dated on or before `as_of`, split by partition (whole customers each).
fn rows_by_partition(columns: &LineColumns, as_of: i32) -> Vec<Vec<RowRef>> {
    // Counted first so that each list is allocated once at its size: grown by doubling,
    // the lists (8 bytes a line group, 600 MB at 100M lines) held up to twice that.
    let mut sizes = [0usize; PARTITIONS];
    for chunk in &columns.chunks {
        for partition in partitions_of(chunk, as_of).flatten() {
            sizes[partition] += 1;
        }
    }
    let mut partitions: Vec<Vec<RowRef>> = sizes.iter().map(|&n| Vec::with_capacity(n)).collect();
    for (chunk_index, chunk) in columns.chunks.iter().enumerate() {
        for (row, partition) in partitions_of(chunk, as_of).enumerate() {
            if let Some(partition) = partition {
                partitions[partition].push(RowRef {
                    chunk: chunk_index as u32,
                    row: row as u32,
                });
            }
        }
    }
    partitions
}

/// The partition of each row of `chunk`, `None` for rows dated after `as_of`.
fn partitions_of(chunk: &LineChunk, as_of: i32) -> impl Iterator<Item = Option<usize>> + '_ {
    let per_bucket = CUSTOMER_BUCKETS as usize / PARTITIONS;
    chunk
        .date
        .values()
        .iter()
        .zip(chunk.bucket.values().iter())
        .map(move |(&date, &bucket)| (date <= as_of).then_some(bucket as usize / per_bucket))
}

/// Per-customer sums of one partition, one entry per customer.
#[derive(Default)]
struct CustomerSums {
    /// The customer ids, copied out of the lines.
    ids: MutableBinaryViewArray<str>,
    // Held compactly (a big run holds these for millions of customers alongside the
    // lines): the purchase dates are set exactly when `purchases` is not 0, the cost
    // exactly when `has_cost` is true.
    first_purchase: Vec<i32>,
    last_purchase: Vec<i32>,
    purchases: Vec<i64>,
    revenue: Vec<i64>,
    returns: Vec<i64>,
    return_lines: Vec<i64>,
    cost: Vec<i64>,
    has_cost: Vec<bool>,
    /// Per window of [`OrderMetrics::windows`], one value per customer.
    windows: Vec<Vec<i64>>,
    purchase_days: Vec<i64>,
    repeat_spend: Vec<i64>,
    median_gap: Vec<Option<f64>>,
    /// `active_months_12m`, `None` for customers without an order in the twelve months.
    active_months: Vec<Option<i64>>,
    revenue_cv: Vec<Option<f64>>,
}

/// What one line group adds to its customer's orders, copied out of the lines' columns
/// in file order and stored among its customer's other groups, so that each customer's
/// orders are found in one sequential run rather than by reading every column at random.
#[derive(Clone, Copy, Default)]
struct GroupRecord {
    /// A hash of the order id: ids with different hashes differ; equal hashes are
    /// confirmed on the ids themselves.
    order_hash: u64,
    amount: i64,
    /// Where the group is, to read its order id when hashes are equal.
    at: RowRef,
    date: i32,
    return_lines: i32,
}

impl CustomerSums {
    /// Give back the room the columns grew into: every partition's sums are held until
    /// the last partition is done, alongside the lines.
    fn shrink_to_fit(&mut self) {
        crate::memory::shrink_views(&mut self.ids);
        self.first_purchase.shrink_to_fit();
        self.last_purchase.shrink_to_fit();
        self.purchases.shrink_to_fit();
        self.revenue.shrink_to_fit();
        self.returns.shrink_to_fit();
        self.return_lines.shrink_to_fit();
        self.cost.shrink_to_fit();
        self.has_cost.shrink_to_fit();
        self.windows.iter_mut().for_each(Vec::shrink_to_fit);
        self.purchase_days.shrink_to_fit();
        self.repeat_spend.shrink_to_fit();
        self.median_gap.shrink_to_fit();
        self.active_months.shrink_to_fit();
        self.revenue_cv.shrink_to_fit();
    }
}

/// One order of a customer while its groups are gathered.
struct OrderSums {
    hash: u64,
    /// The order's first group.
    at: RowRef,
    date: i32,
    net: i64,
    return_lines: i64,
}

impl OrderSums {
    fn is_purchase(&self) -> bool {
        super::is_purchase(self.net, self.return_lines)
    }
}

/// The sums of the customers of `rows`; `month_bounds` as [`super::month_bounds`] gives
/// them.
fn sum_customers(
    columns: &LineColumns,
    rows: &[RowRef],
    extra: OrderMetrics,
    month_bounds: &[i32; 13],
) -> CustomerSums {
    let mut sums = CustomerSums {
        windows: vec![Vec::new(); extra.windows.len()],
        ..CustomerSums::default()
    };
    let (codes, groups) = sum_groups(columns, rows, &mut sums);
    let records = records_by_customer(columns, rows, &codes, &groups);
    drop(codes);
    let mut purchase_dates: Vec<(i32, i64)> = Vec::new();
    let mut gaps: Vec<i32> = Vec::new();
    let mut orders = CustomerOrders::default();
    let mut start = 0;
    for count in groups {
        let customer_records = &records[start..start + count as usize];
        start += count as usize;
        orders.gather(columns, customer_records);
        let orders = &orders.orders;
        let mut first = None::<i32>;
        let mut last = None::<i32>;
        let mut purchases = 0i64;
        for order in orders.iter().filter(|o| o.is_purchase()) {
            purchases += 1;
            first = Some(first.map_or(order.date, |d| d.min(order.date)));
            last = Some(last.map_or(order.date, |d| d.max(order.date)));
        }
        sums.first_purchase.push(first.unwrap_or(0));
        sums.last_purchase.push(last.unwrap_or(0));
        sums.purchases.push(purchases);
        for (window, values) in extra.windows.iter().zip(&mut sums.windows) {
            values.push(window_sum(window, orders));
        }
        if extra.purchase_days || extra.median_gap {
            purchase_dates.clear();
            purchase_dates.extend(
                orders
                    .iter()
                    .filter(|o| o.is_purchase())
                    .map(|o| (o.date, o.net)),
            );
            purchase_dates.sort_unstable_by_key(|&(date, _)| date);
        }
        if extra.purchase_days {
            let (days, repeat) = purchase_day_sums(&purchase_dates);
            sums.purchase_days.push(days);
            sums.repeat_spend.push(repeat);
        }
        if extra.median_gap {
            sums.median_gap.push(median_gap(&purchase_dates, &mut gaps));
        }
        if extra.monthly.any() {
            let (active, cv) = match monthly_sums(orders, month_bounds) {
                Some(months) => (Some(months.active), months.revenue_cv()),
                None => (None, None),
            };
            sums.active_months.push(active);
            sums.revenue_cv.push(cv);
        }
    }
    sums.shrink_to_fit();
    sums
}

/// Dense codes 0.. of the customers of `rows` (in order of first appearance, by exact
/// id), and each customer's number of groups. The sums over groups that do not depend
/// on the orders (revenue, returns, return lines, cost) are added into `sums` on the way,
/// and each customer's id is copied into it.
fn sum_groups(
    columns: &LineColumns,
    rows: &[RowRef],
    sums: &mut CustomerSums,
) -> (Vec<u32>, Vec<u32>) {
    let mut index: PlHashMap<&str, u32> = PlHashMap::default();
    let mut groups: Vec<u32> = Vec::new();
    let codes = rows
        .iter()
        .map(|&at| {
            let (chunk, row) = columns.chunk(at);
            let id = chunk.customer.value(row);
            let next = index.len() as u32;
            let code = *index.entry(id).or_insert(next);
            let c = code as usize;
            if code == next {
                sums.ids.push_value(id);
                groups.push(0);
                sums.revenue.push(0);
                sums.returns.push(0);
                sums.return_lines.push(0);
                sums.cost.push(0);
                sums.has_cost.push(false);
            }
            groups[c] += 1;
            sums.revenue[c] += chunk.amount.value(row);
            sums.returns[c] += chunk.returns.value(row);
            sums.return_lines[c] += i64::from(chunk.return_lines.value(row));
            if let Some(cost) = chunk.cost.get(row) {
                sums.cost[c] += cost;
                sums.has_cost[c] = true;
            }
            code
        })
        .collect();
    (codes, groups)
}

/// The records of `rows`, customer after customer in code order, each customer's in
/// file order (a stable counting sort).
fn records_by_customer(
    columns: &LineColumns,
    rows: &[RowRef],
    codes: &[u32],
    groups: &[u32],
) -> Vec<GroupRecord> {
    let hasher = PlRandomState::default();
    let mut next: Vec<u32> = Vec::with_capacity(groups.len());
    let mut total = 0u32;
    for &count in groups {
        next.push(total);
        total += count;
    }
    let mut records = vec![GroupRecord::default(); rows.len()];
    for (&at, &code) in rows.iter().zip(codes) {
        let (chunk, row) = columns.chunk(at);
        let slot = &mut next[code as usize];
        records[*slot as usize] = GroupRecord {
            order_hash: hasher.hash_one(chunk.order.value(row)),
            amount: chunk.amount.value(row),
            at,
            date: chunk.date.value(row),
            return_lines: chunk.return_lines.value(row),
        };
        *slot += 1;
    }
    records
}

/// One customer's orders, gathered from its records by exact order-id equality.
#[derive(Default)]
struct CustomerOrders {
    orders: Vec<OrderSums>,
    /// The first order with each hash, for customers with many groups.
    by_hash: PlHashMap<u64, usize>,
}

impl CustomerOrders {
    fn gather(&mut self, columns: &LineColumns, records: &[GroupRecord]) {
        self.orders.clear();
        self.by_hash.clear();
        let indexed = records.len() > PAIRWISE_ROWS;
        for record in records {
            let found = if indexed {
                self.by_hash
                    .get(&record.order_hash)
                    .copied()
                    .and_then(|first| {
                        if same_order(columns, &self.orders[first], record) {
                            Some(first)
                        } else {
                            self.scan(columns, record)
                        }
                    })
            } else {
                self.scan(columns, record)
            };
            match found {
                Some(i) => {
                    let order = &mut self.orders[i];
                    order.date = order.date.min(record.date);
                    order.net += record.amount;
                    order.return_lines += i64::from(record.return_lines);
                }
                None => {
                    if indexed {
                        self.by_hash
                            .entry(record.order_hash)
                            .or_insert(self.orders.len());
                    }
                    self.orders.push(OrderSums {
                        hash: record.order_hash,
                        at: record.at,
                        date: record.date,
                        net: record.amount,
                        return_lines: i64::from(record.return_lines),
                    });
                }
            }
        }
    }

    /// The order of `record` among all gathered so far.
    fn scan(&self, columns: &LineColumns, record: &GroupRecord) -> Option<usize> {
        self.orders
            .iter()
            .position(|order| same_order(columns, order, record))
    }
}

/// Whether `record` belongs to `order`: equal hashes, then equal ids.
fn same_order(columns: &LineColumns, order: &OrderSums, record: &GroupRecord) -> bool {
    order.hash == record.order_hash && order_id(columns, order.at) == order_id(columns, record.at)
}

fn order_id(columns: &LineColumns, at: RowRef) -> &str {
    let (chunk, row) = columns.chunk(at);
    chunk.order.value(row)
}

/// The sum `window` asks for over the orders dated in it.
fn window_sum(window: &WindowMetric, orders: &[OrderSums]) -> i64 {
    let dated_in = orders
        .iter()
        .filter(|o| o.date > window.start && o.date <= window.end);
    match window.kind {
        WindowKind::Revenue => dated_in.map(|o| o.net).sum(),
        WindowKind::Orders => dated_in.filter(|o| o.is_purchase()).count() as i64,
    }
}

/// The distinct days of `purchases` (date, net; by date) and the net of all but the first
/// day.
fn purchase_day_sums(purchases: &[(i32, i64)]) -> (i64, i64) {
    let Some(&(first_day, _)) = purchases.first() else {
        return (0, 0);
    };
    let days = 1 + purchases.windows(2).filter(|w| w[0].0 != w[1].0).count() as i64;
    let repeat = purchases
        .iter()
        .filter(|&&(date, _)| date != first_day)
        .map(|&(_, net)| net)
        .sum();
    (days, repeat)
}

/// The median of the days between consecutive distinct days of `purchases` (by date),
/// the mean of the middle two for an even count; `None` with fewer than two days.
fn median_gap(purchases: &[(i32, i64)], gaps: &mut Vec<i32>) -> Option<f64> {
    gaps.clear();
    gaps.extend(
        purchases
            .windows(2)
            .filter(|w| w[0].0 != w[1].0)
            .map(|w| w[1].0 - w[0].0),
    );
    gaps.sort_unstable();
    let n = gaps.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(f64::from(gaps[n / 2])),
        _ => Some((f64::from(gaps[n / 2 - 1]) + f64::from(gaps[n / 2])) / 2.0),
    }
}

/// A customer's orders over the twelve months of [`super::monthly_metrics`].
struct MonthSums {
    /// Months with a purchase.
    active: i64,
    /// Each month's net revenue (0 for months without orders).
    nets: [i64; 12],
}

impl MonthSums {
    /// √(12·Σx² − (Σx)²) ÷ Σx when Σx > 0, from the exact integers, each rounded once
    /// to a double.
    fn revenue_cv(&self) -> Option<f64> {
        let net: i128 = self.nets.iter().map(|&x| i128::from(x)).sum();
        (net > 0).then(|| super::spread::spread(&self.nets).sqrt() / net as f64)
    }
}

/// The monthly sums of `orders`, by the month ends `bounds` ([`super::month_bounds`]);
/// `None` when no order is dated in the twelve months.
fn monthly_sums(orders: &[OrderSums], bounds: &[i32; 13]) -> Option<MonthSums> {
    let mut net = [0i64; 12];
    let mut bought = [false; 12];
    let mut dated = [false; 12];
    for order in orders.iter().filter(|o| o.date > bounds[12]) {
        let month = bounds[1..12]
            .iter()
            .filter(|&&end| order.date <= end)
            .count();
        net[month] = net[month].wrapping_add(order.net);
        bought[month] |= order.is_purchase();
        dated[month] = true;
    }
    dated.contains(&true).then(|| MonthSums {
        active: bought.iter().filter(|&&b| b).count() as i64,
        nets: net,
    })
}

/// The partitions' sums as one set of columns in customer_id order, and the ids in that
/// order. Each column is gathered from the partitions on its own, so the sums are held
/// about once, not twice.
fn in_id_order(mut parts: Vec<CustomerSums>) -> (CustomerSums, StringChunked) {
    let part_ids: Vec<MutableBinaryViewArray<str>> = parts
        .iter_mut()
        .map(|p| std::mem::take(&mut p.ids))
        .collect();
    let ids: Vec<Option<&str>> = part_ids
        .iter()
        .flat_map(|ids| ids.values_iter().map(Some))
        .collect();
    let order = id_order(&ids);
    let ids: StringChunked = match &order {
        Some(order) => order.iter().map(|&i| ids[i as usize]).collect(),
        None => ids.into_iter().collect(),
    };
    let order = order.as_deref();
    let windows = (0..parts.first().map_or(0, |p| p.windows.len()))
        .map(|w| gathered(&mut parts, |p| &mut p.windows[w], order))
        .collect();
    let sums = CustomerSums {
        ids: MutableBinaryViewArray::default(),
        first_purchase: gathered(&mut parts, |p| &mut p.first_purchase, order),
        last_purchase: gathered(&mut parts, |p| &mut p.last_purchase, order),
        purchases: gathered(&mut parts, |p| &mut p.purchases, order),
        revenue: gathered(&mut parts, |p| &mut p.revenue, order),
        returns: gathered(&mut parts, |p| &mut p.returns, order),
        return_lines: gathered(&mut parts, |p| &mut p.return_lines, order),
        cost: gathered(&mut parts, |p| &mut p.cost, order),
        has_cost: gathered(&mut parts, |p| &mut p.has_cost, order),
        windows,
        purchase_days: gathered(&mut parts, |p| &mut p.purchase_days, order),
        repeat_spend: gathered(&mut parts, |p| &mut p.repeat_spend, order),
        median_gap: gathered(&mut parts, |p| &mut p.median_gap, order),
        active_months: gathered(&mut parts, |p| &mut p.active_months, order),
        revenue_cv: gathered(&mut parts, |p| &mut p.revenue_cv, order),
    };
    (sums, ids)
}

/// One column of the partitions' sums, taken out of them and put end to end.
fn concatenated<T: Copy>(
    parts: &mut [CustomerSums],
    field: impl Fn(&mut CustomerSums) -> &mut Vec<T>,
) -> Vec<T> {
    let height = parts.iter_mut().map(|p| field(p).len()).sum();
    let mut all = Vec::with_capacity(height);
    for part in parts {
        all.append(field(part));
        *field(part) = Vec::new();
    }
    all
}

/// [`concatenated`], then in `order` (positions into the concatenation) when one is given.
fn gathered<T: Copy>(
    parts: &mut [CustomerSums],
    field: impl Fn(&mut CustomerSums) -> &mut Vec<T>,
    order: Option<&[IdxSize]>,
) -> Vec<T> {
    let all = concatenated(parts, field);
    match order {
        Some(order) if !all.is_empty() => order.iter().map(|&i| all[i as usize]).collect(),
        _ => all,
    }
}

/// The metrics frame from the sums and ids in customer_id order, with the derived columns.
fn frame(
    all: CustomerSums,
    ids: StringChunked,
    as_of: i32,
    extra: OrderMetrics,
) -> PolarsResult<DataFrame> {
    let height = ids.len();
    let purchased = |dates: &[i32]| -> Vec<Option<i32>> {
        dates
            .iter()
            .zip(&all.purchases)
            .map(|(&date, &purchases)| (purchases > 0).then_some(date))
            .collect()
    };
    let (first_purchase, last_purchase) = (
        purchased(&all.first_purchase),
        purchased(&all.last_purchase),
    );
    let days_since = |dates: &[Option<i32>]| -> Int64Chunked {
        dates
            .iter()
            .map(|d| d.map(|d| i64::from(as_of) - i64::from(d)))
            .collect()
    };
    let date_column = |name: &str, dates: &[Option<i32>]| {
        Int32Chunked::from_iter_options(name.into(), dates.iter().copied())
            .into_date()
            .into_column()
    };
    let cost: Vec<Option<i64>> = all
        .cost
        .iter()
        .zip(&all.has_cost)
        .map(|(&cost, &has)| has.then_some(cost))
        .collect();
    let profit: Int64Chunked = all
        .revenue
        .iter()
        .zip(&cost)
        .map(|(&revenue, cost)| cost.map(|c| revenue - c))
        .collect();
    let aov: Int64Chunked = all
        .revenue
        .iter()
        .zip(&all.purchases)
        .map(|(&revenue, &purchases)| rounded_ratio(revenue, purchases))
        .collect();
    let int =
        |name: &str, values: Vec<i64>| Int64Chunked::from_vec(name.into(), values).into_column();
    let mut frame_columns = vec![
        ids.with_name(CUSTOMER_ID.into()).into_column(),
        date_column("first_order_date", &first_purchase),
        date_column("last_order_date", &last_purchase),
        int("orders", all.purchases),
        int("revenue", all.revenue),
        int(RETURNS, all.returns),
        int(RETURN_LINES, all.return_lines),
        Int64Chunked::from_iter_options(COST.into(), cost.into_iter()).into_column(),
        days_since(&last_purchase)
            .with_name("recency_days".into())
            .into_column(),
        days_since(&first_purchase)
            .with_name("tenure_days".into())
            .into_column(),
        profit.with_name("profit".into()).into_column(),
        aov.with_name("aov".into()).into_column(),
    ];
    for (window, values) in extra.windows.iter().zip(all.windows) {
        frame_columns.push(int(window.name.as_str(), values));
    }
    if extra.purchase_days {
        frame_columns.push(int("purchase_days", all.purchase_days));
        frame_columns.push(int("repeat_spend", all.repeat_spend));
    }
    if extra.median_gap {
        frame_columns.push(
            Float64Chunked::from_iter_options("median_gap_days".into(), all.median_gap.into_iter())
                .into_column(),
        );
    }
    if extra.monthly.active_months {
        frame_columns.push(
            Int64Chunked::from_iter_options(
                MONTHLY_METRICS[0].into(),
                all.active_months.into_iter(),
            )
            .into_column(),
        );
    }
    if extra.monthly.revenue_cv {
        frame_columns.push(
            Float64Chunked::from_iter_options(
                MONTHLY_METRICS[1].into(),
                all.revenue_cv.into_iter(),
            )
            .into_column(),
        );
    }
    DataFrame::new(height, frame_columns)
}

/// numerator / denominator rounded half away from zero; `None` when the denominator is
/// not positive (as [`super::rounded_ratio`]).
fn rounded_ratio(numerator: i64, denominator: i64) -> Option<i64> {
    if denominator <= 0 {
        return None;
    }
    let (n, d) = (i128::from(numerator), i128::from(denominator));
    let magnitude = (2 * n.abs() + d).div_euclid(2 * d);
    Some((if n >= 0 { magnitude } else { -magnitude }) as i64)
}

#[cfg(test)]
mod tests {
    use polars::prelude::*;
    use proptest::prelude::*;

    use super::{
        CustomerOrders, GroupRecord, LineColumns, OrderMetrics, RowRef, customer_metrics, order_id,
    };
    use crate::input::lines::col_names::*;
    use crate::input::lines::customer_bucket;
    use crate::metrics::{self, MonthlyMetrics, WindowKind};

    /// A line group: customer, order, day, amount, returns, return lines, cost.
    type Group = (usize, usize, i32, i64, i64, i64, Option<i64>);

    fn lines_frame(groups: &[Group]) -> DataFrame {
        // Ids that differ only in case, by a prefix or by a trailing space are all
        // distinct customers and orders.
        const CUSTOMERS: [&str; 6] = ["a", "A", "ab", "a ", "b", "顾客"];
        const ORDERS: [&str; 4] = ["1", "01", "1 ", "2"];
        let customer: Vec<&str> = groups.iter().map(|g| CUSTOMERS[g.0]).collect();
        df!(
            CUSTOMER_ID => &customer,
            ORDER_ID => groups.iter().map(|g| ORDERS[g.1]).collect::<Vec<_>>(),
            ORDER_DATE => groups.iter().map(|g| g.2).collect::<Vec<_>>(),
            AMOUNT => groups.iter().map(|g| g.3).collect::<Vec<_>>(),
            RETURNS => groups.iter().map(|g| g.4).collect::<Vec<_>>(),
            RETURN_LINES => groups.iter().map(|g| g.5 as i32).collect::<Vec<_>>(),
            COST => groups.iter().map(|g| g.6).collect::<Vec<_>>(),
            LINES => groups.iter().map(|_| 1i32).collect::<Vec<_>>(),
            BUCKET => customer.iter().map(|c| customer_bucket(c)).collect::<Vec<_>>(),
        )
        .unwrap()
        .lazy()
        .with_column(col(ORDER_DATE).cast(DataType::Date))
        .collect()
        .unwrap()
    }

    /// The frame of `groups` in chunks of `rows` line groups, as the reader leaves a big
    /// file's lines.
    fn chunked(groups: &[Group], rows: usize) -> DataFrame {
        let mut parts = groups.chunks(rows).map(lines_frame);
        let mut all = parts.next().unwrap();
        for part in parts {
            all.vstack_mut_owned(part).unwrap();
        }
        all
    }

    fn sorted(frame: DataFrame) -> DataFrame {
        frame
            .sort([CUSTOMER_ID], SortMultipleOptions::default())
            .unwrap()
    }

    fn group() -> impl Strategy<Value = Group> {
        (
            0..6usize,
            0..4usize,
            // A few days (ties within windows), or two years and more (the months).
            prop_oneof![0..6i32, 0..800i32],
            prop_oneof![Just(0i64), -500..500i64],
            0..50i64,
            0..3i64,
            proptest::option::of(-100..300i64),
        )
    }

    proptest! {
        #[test]
        fn coded_metrics_equal_the_polars_plans(
            groups in proptest::collection::vec(group(), 1..60),
            as_of in prop_oneof![0..6i32, 0..800i32],
            period in 1..4u32,
            active_months: bool,
            revenue_cv: bool,
            chunk_rows in 1..20usize,
        ) {
            let lines = chunked(&groups, chunk_rows);
            let mut windows = metrics::revenue_trend_windows(as_of, period);
            windows.extend(metrics::trend_windows(as_of, period, WindowKind::Orders, "orders"));
            let monthly = MonthlyMetrics { active_months, revenue_cv };
            let extra = OrderMetrics { windows: &windows, purchase_days: true, median_gap: true, monthly };
            let coded = customer_metrics(lines.clone(), as_of, extra).unwrap();
            // Already in customer_id order: sorting it changes nothing.
            prop_assert!(coded.equals_missing(&sorted(coded.clone())));
            let plan = metrics::with_windows(
                metrics::customer_metrics(lines.clone().lazy(), as_of),
                lines.clone().lazy(),
                as_of,
                &windows,
            );
            let plan = metrics::with_purchase_days(plan, lines.clone().lazy(), as_of).join(
                metrics::median_gap_metrics(lines.clone().lazy(), as_of),
                [col(CUSTOMER_ID)],
                [col(CUSTOMER_ID)],
                JoinArgs::new(JoinType::Left),
            );
            let read: Vec<Expr> = std::iter::once(col(CUSTOMER_ID))
                .chain(active_months.then(|| col(metrics::MONTHLY_METRICS[0])))
                .chain(revenue_cv.then(|| col(metrics::MONTHLY_METRICS[1])))
                .collect();
            let plan = if monthly.any() {
                plan.join(
                    metrics::monthly_metrics(lines.lazy(), as_of).select(read),
                    [col(CUSTOMER_ID)],
                    [col(CUSTOMER_ID)],
                    JoinArgs::new(JoinType::Left),
                )
            } else {
                plan
            };
            let plan = sorted(plan.collect().unwrap());
            prop_assert_eq!(coded.get_column_names(), plan.get_column_names());
            prop_assert_eq!(coded.dtypes(), plan.dtypes());
            prop_assert!(coded.equals_missing(&plan), "coded:\n{coded}\nplan:\n{plan}");
        }
    }

    #[test]
    fn chunks_that_differ_between_columns_are_aligned() {
        let groups: Vec<Group> = (0..30)
            .map(|i| {
                (
                    i % 6,
                    i % 4,
                    (i % 5) as i32,
                    10 * i as i64 - 90,
                    0,
                    0,
                    Some(3),
                )
            })
            .collect();
        let mut lines = chunked(&groups, 7);
        let single = lines.column(AMOUNT).unwrap().rechunk();
        lines.with_column(single).unwrap();
        assert!(lines.should_rechunk());
        let coded = sorted(customer_metrics(lines.clone(), 4, OrderMetrics::default()).unwrap());
        let plan = sorted(
            metrics::customer_metrics(lines.lazy(), 4)
                .collect()
                .unwrap(),
        );
        assert!(
            coded.equals_missing(&plan),
            "coded:\n{coded}\nplan:\n{plan}"
        );
    }

    #[test]
    fn no_lines_give_no_customers_with_the_same_columns() {
        let lines = lines_frame(&[(0, 0, 3, 100, 0, 0, None)]).head(Some(0));
        let coded = customer_metrics(lines.clone(), 10, OrderMetrics::default()).unwrap();
        let plan = metrics::customer_metrics(lines.lazy(), 10)
            .collect()
            .unwrap();
        assert_eq!(coded.height(), 0);
        assert_eq!(coded.schema(), plan.schema());
    }

    #[test]
    fn a_customer_with_many_orders_uses_the_hash_table_alike() {
        // More rows than PAIRWISE_ROWS, with an order's groups far apart.
        let groups: Vec<Group> = (0..40)
            .map(|i| {
                (
                    0,
                    i % 3,
                    (i % 5) as i32,
                    [120, -20, 0][i % 3],
                    0,
                    i64::from(i % 3 == 1),
                    None,
                )
            })
            .collect();
        let lines = lines_frame(&groups);
        let coded = customer_metrics(lines.clone(), 10, OrderMetrics::default()).unwrap();
        // Orders "1" (net 14 × 120 > 0) and "1 " (net 0, no return line) are purchases;
        // "01" nets −260 with return lines.
        assert_eq!(
            coded.column("orders").unwrap().i64().unwrap().get(0),
            Some(2)
        );
        assert_eq!(
            coded.column("revenue").unwrap().i64().unwrap().get(0),
            Some(14 * 120 - 13 * 20)
        );
    }

    #[test]
    fn orders_whose_ids_share_a_hash_stay_apart() {
        const ORDERS: [&str; 4] = ["1", "01", "1 ", "2"];
        let groups: Vec<Group> = (0..40)
            .map(|i| (0, (i * 7) % 4, 2, 10 + i as i64, 0, 0, None))
            .collect();
        let lines = lines_frame(&groups);
        let columns = LineColumns::new(&lines).unwrap();
        // Few groups (compared pairwise) and many (through the hash table).
        for n in [6, 40] {
            let records: Vec<GroupRecord> = (0..n)
                .map(|row| GroupRecord {
                    order_hash: 7,
                    amount: groups[row].3,
                    at: RowRef {
                        chunk: 0,
                        row: row as u32,
                    },
                    date: 2,
                    return_lines: 0,
                })
                .collect();
            let mut orders = CustomerOrders::default();
            orders.gather(&columns, &records);
            let mut expected: Vec<(&str, i64)> = Vec::new();
            for group in &groups[..n] {
                let id = ORDERS[group.1];
                match expected.iter_mut().find(|(o, _)| *o == id) {
                    Some((_, net)) => *net += group.3,
                    None => expected.push((id, group.3)),
                }
            }
            let gathered: Vec<(&str, i64)> = orders
                .orders
                .iter()
                .map(|o| (order_id(&columns, o.at), o.net))
                .collect();
            assert_eq!(gathered, expected, "{n} groups");
        }
    }
}
