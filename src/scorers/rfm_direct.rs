//! RFM scoring on the customers' columns directly: each dimension's values sorted once,
//! NTILE buckets from the positions (or the absolute breaks), each bucket's value range,
//! and the segment looked up by index. At 1.25M customers the polars plan of
//! [`super::rfm`] (three ranks, three group-bys and four joins) took 0.44 s of a 3.2 s run.
//!
//! The plan stays as the definition, and for the frames this path does not take: a
//! metric that is not a 64-bit integer, a purchaser without a value or a customer id. A
//! property test holds the two equal.

use polars::prelude::*;
use polars_arrow::array::{Array, PrimitiveArray};
use polars_arrow::bitmap::{Bitmap, MutableBitmap};
use rayon::prelude::*;

use super::rank::first_positions;
use super::rfm::{DIMENSIONS, Dimension};
use super::segments::NO_PURCHASE;
use super::tie_spans::ntile_bucket;
use super::{ScoreContext, ntile::TiePolicy};
use crate::arrays::single_chunk;
use crate::input::lines::col_names::CUSTOMER_ID;

/// The lookup table's columns the customers take, in the plan's order.
const SEGMENT_COLUMNS: [&str; 4] = ["rfm_code", "segment_id", "segment", "strategy"];

/// `customers` with r_score, f_score, m_score, the bucket ranges and the segment columns
/// of `lookup` (one row per code, in code order): the plan's frame once
/// [`super::fill_no_purchase`] has filled it. `None` when the frame is not one this path
/// takes.
pub fn scored(
    customers: &DataFrame,
    lookup: &DataFrame,
    ctx: &ScoreContext,
) -> PolarsResult<Option<DataFrame>> {
    let Some(purchasers) = Purchasers::of(customers)? else {
        return Ok(None);
    };
    let mut values = Vec::with_capacity(DIMENSIONS.len());
    for dimension in &DIMENSIONS {
        let Some(column) = purchasers.values(customers, dimension.metric)? else {
            return Ok(None);
        };
        values.push(column);
    }
    let ids = if ctx.ties == TiePolicy::Split {
        let Some(ids) = purchasers.ids(customers)? else {
            return Ok(None);
        };
        ids
    } else {
        Vec::new()
    };
    let scores: Vec<Vec<u32>> = DIMENSIONS
        .par_iter()
        .zip(&values)
        .map(|(dimension, values)| dimension_scores(dimension, values, &ids, ctx))
        .collect();
    let mut columns: Vec<Column> = DIMENSIONS
        .iter()
        .zip(&scores)
        .map(|(dimension, scores)| {
            purchasers.column(dimension.score, scores.iter().map(|&s| i64::from(s)))
        })
        .collect();
    for ((dimension, values), scores) in DIMENSIONS.iter().zip(&values).zip(&scores) {
        let ranges = BucketRanges::of(values, scores);
        let low = scores.iter().map(|&s| ranges.low[s as usize]);
        columns.push(purchasers.column(dimension.from, low));
        let high = scores.iter().map(|&s| ranges.high[s as usize]);
        columns.push(purchasers.column(dimension.to, high));
    }
    let bins = ctx.bins as usize;
    let code_rows = (0..purchasers.rows.len()).map(|i| {
        let [r, f, m] = [0, 1, 2].map(|d| scores[d][i] as usize - 1);
        ((r * bins + f) * bins + m) as IdxSize
    });
    let segments = with_no_purchase_row(lookup, ctx)?
        .take(&purchasers.segment_rows(code_rows, bins.pow(3)))?;
    columns.extend(segments.into_columns());
    let mut frame = customers.clone();
    frame.hstack_mut(&columns)?;
    Ok(Some(frame))
}

/// The customers with a purchase (`orders` > 0): their rows, and the validity of a column
/// that has a value for them alone.
struct Purchasers {
    rows: Vec<usize>,
    height: usize,
    /// `None` when every customer purchased.
    validity: Option<Bitmap>,
    /// Which customers have a number of orders (`None`: all).
    ordered: Option<Bitmap>,
}

impl Purchasers {
    /// `None` when `orders` is not a 64-bit integer column.
    fn of(customers: &DataFrame) -> PolarsResult<Option<Self>> {
        let orders = customers.column("orders")?;
        if orders.dtype() != &DataType::Int64 {
            return Ok(None);
        }
        let height = customers.height();
        let orders = orders.i64()?;
        let mut validity = MutableBitmap::with_capacity(height);
        let mut rows = Vec::with_capacity(height);
        for (row, orders) in orders.iter().enumerate() {
            let purchased = orders.is_some_and(|n| n > 0);
            validity.push(purchased);
            if purchased {
                rows.push(row);
            }
        }
        let validity = (rows.len() < height).then(|| validity.into());
        let ordered = (orders.null_count() > 0).then(|| {
            let mut ordered = MutableBitmap::with_capacity(height);
            ordered.extend(orders.iter().map(|n| n.is_some()));
            ordered.into()
        });
        Ok(Some(Purchasers {
            rows,
            height,
            validity,
            ordered,
        }))
    }

    /// `metric` of each purchaser, or `None` when it is not a 64-bit integer or a
    /// purchaser has none.
    fn values(&self, customers: &DataFrame, metric: &str) -> PolarsResult<Option<Vec<i64>>> {
        let column = customers.column(metric)?.as_materialized_series().rechunk();
        if column.dtype() != &DataType::Int64 {
            return Ok(None);
        }
        let Some(array) = single_chunk(column.i64()?) else {
            return Ok(None);
        };
        if self.rows.iter().any(|&row| array.is_null(row)) {
            return Ok(None);
        }
        let values = array.values();
        Ok(Some(self.rows.iter().map(|&row| values[row]).collect()))
    }

    /// Each purchaser's customer id, or `None` when one has none.
    fn ids<'a>(&self, customers: &'a DataFrame) -> PolarsResult<Option<Vec<&'a str>>> {
        let ids = customers.column(CUSTOMER_ID)?.str()?;
        Ok(self.rows.iter().map(|&row| ids.get(row)).collect())
    }

    /// An Int64 column with `values` (one per purchaser) at the purchasers' rows, null
    /// elsewhere.
    fn column(&self, name: &str, values: impl Iterator<Item = i64>) -> Column {
        let mut full = vec![0i64; self.height];
        for (&row, value) in self.rows.iter().zip(values) {
            full[row] = value;
        }
        let array = PrimitiveArray::new(ArrowDataType::Int64, full.into(), self.validity.clone());
        Int64Chunked::with_chunk(name.into(), array).into_column()
    }

    /// Each customer's row of the segment table: `codes` (one per purchaser) for the
    /// purchasers, `no_purchase` for customers with no orders, null when `orders` is.
    fn segment_rows(&self, codes: impl Iterator<Item = IdxSize>, no_purchase: usize) -> IdxCa {
        let mut full: Vec<IdxSize> = vec![no_purchase as IdxSize; self.height];
        for (&row, code) in self.rows.iter().zip(codes) {
            full[row] = code;
        }
        let dtype = IDX_DTYPE.to_arrow(CompatLevel::newest());
        let array = PrimitiveArray::new(dtype, full.into(), self.ordered.clone());
        IdxCa::with_chunk("rows".into(), array)
    }
}

/// The segment columns of `lookup`, and after its rows one for the customers without a
/// purchase (as [`super::fill_no_purchase`] fills them; no RFM code).
fn with_no_purchase_row(lookup: &DataFrame, ctx: &ScoreContext) -> PolarsResult<DataFrame> {
    let id = NO_PURCHASE;
    let row = df!(
        "rfm_code" => [None::<&str>],
        "segment_id" => [id],
        "segment" => [ctx.playbook.name(id, ctx.lang)],
        "strategy" => [ctx.playbook.strategy(id, ctx.lang)],
    )?;
    let mut table = lookup.select(SEGMENT_COLUMNS)?.vstack(&row)?;
    // One chunk: a take from two chunks is several times slower at a million rows.
    table.rechunk_mut();
    Ok(table)
}

/// The scores of one dimension: its breaks' when it has them, else NTILE buckets of the
/// positions from worst to best.
fn dimension_scores(
    dimension: &Dimension,
    values: &[i64],
    ids: &[&str],
    ctx: &ScoreContext,
) -> Vec<u32> {
    if let Some(breaks) = ctx.breaks.of(dimension.metric) {
        return values
            .iter()
            .map(|&v| break_score(v, breaks, !dimension.higher_is_better, ctx.bins))
            .collect();
    }
    let n = values.len() as u64;
    let bins = u64::from(ctx.bins);
    positions(values, dimension.higher_is_better, ids, ctx.ties)
        .into_iter()
        .map(|position| ntile_bucket(position, n, bins) as u32)
        .collect()
}

/// The score of `value` under `breaks`, as [`super::breaks::score_expr`].
fn break_score(value: i64, breaks: &[i64], lower_is_better: bool, bins: u32) -> u32 {
    if lower_is_better {
        bins - breaks.iter().filter(|&&b| value > b).count() as u32
    } else {
        1 + breaks.iter().filter(|&&b| value >= b).count() as u32
    }
}

/// The 1-based position of each value ordered worst to best, as the plan's rank: under
/// shared ties equal values take the first position of their group (`RANK()`); under
/// split ties they are ordered by customer id (then by row, as a stable sort would).
fn positions(values: &[i64], higher_is_better: bool, ids: &[&str], ties: TiePolicy) -> Vec<u64> {
    // `!v` orders as `-v` does, without overflow.
    let goodness = |v: i64| if higher_is_better { v } else { !v };
    let mut order: Vec<(i64, IdxSize)> = values
        .iter()
        .enumerate()
        .map(|(row, &v)| (goodness(v), row as IdxSize))
        .collect();
    match ties {
        TiePolicy::Shared => first_positions(order, values.len())
            .into_iter()
            .map(u64::from)
            .collect(),
        TiePolicy::Split => {
            order.par_sort_unstable_by(|a, b| {
                a.0.cmp(&b.0)
                    .then_with(|| ids[a.1 as usize].cmp(ids[b.1 as usize]))
                    .then(a.1.cmp(&b.1))
            });
            let mut positions = vec![0u64; values.len()];
            for (k, &(_, row)) in order.iter().enumerate() {
                positions[row as usize] = k as u64 + 1;
            }
            positions
        }
    }
}

/// The lowest and highest value in each bucket, indexed by score (a score that no value
/// has keeps an empty range, `i64::MAX..=i64::MIN`, which no purchaser reads).
struct BucketRanges {
    low: Vec<i64>,
    high: Vec<i64>,
}

impl BucketRanges {
    fn of(values: &[i64], scores: &[u32]) -> Self {
        let top = scores.iter().copied().max().unwrap_or(0) as usize;
        let mut ranges = BucketRanges {
            low: vec![i64::MAX; top + 1],
            high: vec![i64::MIN; top + 1],
        };
        for (&value, &score) in values.iter().zip(scores) {
            let s = score as usize;
            ranges.low[s] = ranges.low[s].min(value);
            ranges.high[s] = ranges.high[s].max(value);
        }
        ranges
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::scorers::ScorerSettings;
    use crate::scorers::breaks::{Breaks, BreaksConfig};
    use crate::scorers::rfm::{RfmScorer, planned};
    use crate::scorers::{Scorer, fill_no_purchase};

    /// A customer: orders (0 = no purchase, -1 = null), recency and revenue.
    type Customer = (i64, i64, i64);

    fn customers(rows: &[Customer], id_order: &[usize]) -> DataFrame {
        let purchased = |v: i64, orders: i64| (orders > 0).then_some(v);
        df!(
            CUSTOMER_ID => id_order.iter().map(|i| format!("c{i:03}")).collect::<Vec<_>>(),
            // -1: no number of orders (a customer-export frame read back may have none).
            "orders" => rows.iter().map(|r| (r.0 >= 0).then_some(r.0)).collect::<Vec<_>>(),
            "recency_days" => rows.iter().map(|r| purchased(r.1, r.0)).collect::<Vec<_>>(),
            "revenue" => rows.iter().map(|r| r.2).collect::<Vec<_>>(),
        )
        .unwrap()
    }

    fn context(bins: u32, ties: TiePolicy, breaks: &[String]) -> ScoreContext {
        let mut settings = ScorerSettings::defaults();
        settings.bins = bins;
        settings.ties = ties;
        settings.breaks = Breaks::resolve(&BreaksConfig::default(), breaks, bins, 2).unwrap();
        ScoreContext::new(settings, 0, 2, Vec::new())
    }

    /// Ascending breaks for `bins`, drawn from `seed`, in the units of `--breaks`.
    fn breaks_arg(metric: &str, bins: u32, seed: u64) -> String {
        let mut value = (seed % 3) as i64 - 1;
        let values: Vec<String> = (1..bins)
            .map(|i| {
                value += ((seed >> (4 * i)) % 5) as i64 + 1;
                value.to_string()
            })
            .collect();
        format!("{metric}={}", values.join(","))
    }

    fn customer() -> impl Strategy<Value = Customer> {
        (
            prop_oneof![Just(-1i64), Just(0i64), 1..4i64],
            0..8i64,
            -3..40i64,
        )
    }

    proptest! {
        #[test]
        fn direct_scores_equal_the_plan(
            rows in proptest::collection::vec(customer(), 0..40),
            bins in 2..7u32,
            split in any::<bool>(),
            with_breaks in proptest::collection::vec(any::<bool>(), 3),
            seed in any::<u64>(),
            shuffle in any::<u64>(),
        ) {
            let mut id_order: Vec<usize> = (0..rows.len()).collect();
            // Ids out of row order, so that split ties order by id, not by row.
            id_order.sort_by_key(|&i| (i as u64).wrapping_mul(shuffle | 1) % 1009);
            let frame = customers(&rows, &id_order);
            let ties = if split { TiePolicy::Split } else { TiePolicy::Shared };
            let breaks: Vec<String> = ["recency_days", "orders", "revenue"]
                .iter()
                .zip(&with_breaks)
                .enumerate()
                .filter(|(_, (_, on))| **on)
                .map(|(i, (metric, _))| breaks_arg(metric, bins, seed.rotate_left(9 * i as u32)))
                .collect();
            let ctx = context(bins, ties, &breaks);
            let lookup = ctx.segments.lookup_table(bins, &ctx.playbook, ctx.lang).unwrap();
            let direct = scored(&frame, &lookup, &ctx).unwrap().expect("taken");
            let plan = planned(frame.lazy(), lookup.lazy(), &ctx).unwrap();
            let plan = fill_no_purchase(plan, RfmScorer.group(), &ctx).collect().unwrap();
            prop_assert_eq!(direct.get_column_names(), plan.get_column_names());
            prop_assert_eq!(direct.dtypes(), plan.dtypes());
            prop_assert!(direct.equals_missing(&plan), "direct:\n{direct}\nplan:\n{plan}");
        }
    }

    #[test]
    fn frames_it_does_not_take_are_left_to_the_plan() {
        let ctx = context(5, TiePolicy::Shared, &[]);
        let lookup = ctx
            .segments
            .lookup_table(5, &ctx.playbook, ctx.lang)
            .unwrap();
        let frame = customers(&[(1, 3, 10), (2, 1, 20)], &[0, 1]);
        let mut no_recency = frame.clone();
        no_recency
            .with_column(Column::new("recency_days".into(), [Some(3i64), None]))
            .unwrap();
        assert!(scored(&no_recency, &lookup, &ctx).unwrap().is_none());
        let mut floats = frame.clone();
        floats
            .with_column(Column::new("revenue".into(), [10.0f64, 20.0]))
            .unwrap();
        assert!(scored(&floats, &lookup, &ctx).unwrap().is_none());
        assert!(scored(&frame, &lookup, &ctx).unwrap().is_some());
    }
}
