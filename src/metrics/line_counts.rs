//! A count of the order lines of its own: distinct customers, orders and purchases, by
//! hash sets over the lines' ids, for `check` and the report's reconciliation. It is
//! deliberately independent of the per-customer metrics the report sums
//! ([`super::coded`]), so that a customer or order lost or doubled on either side shows.
//! The lines are split by customer bucket and the parts counted on all cores (a polars
//! group-by on customer and order id took 1.3 s at 10M lines, most of it building key
//! columns nobody read).

use polars::prelude::*;
use rayon::prelude::*;

use crate::input::lines::col_names::{AMOUNT, BUCKET, CUSTOMER_ID, ORDER_ID, RETURN_LINES};
use crate::input::lines::{CUSTOMER_BUCKETS, customer_bucket};

/// Parts counted in parallel, each the customers of some buckets.
const PARTS: usize = 16;

/// What the lines hold.
pub struct LineCounts<'a> {
    /// Each part's distinct customer ids.
    customers: Vec<PlHashSet<&'a str>>,
    /// Orders (distinct customer and order id).
    pub orders: u64,
    /// Orders that are purchases (DESIGN §4: net > 0, or net = 0 without a return line).
    pub purchases: u64,
}

impl<'a> LineCounts<'a> {
    /// Count `lines`, a frame of order lines (its columns' chunks are aligned first,
    /// which copies only columns whose chunks differ).
    pub fn of(lines: &'a mut DataFrame) -> PolarsResult<Self> {
        lines.align_chunks_par();
        let lines: &'a DataFrame = lines;
        let customer = lines.column(CUSTOMER_ID)?.str()?;
        let order = lines.column(ORDER_ID)?.str()?;
        let amount = lines.column(AMOUNT)?.i64()?;
        let return_lines = lines.column(RETURN_LINES)?.i32()?;
        let bucket = lines.column(BUCKET)?.i32()?;
        // Each part's orders are counted and dropped in its task: held until the end, the
        // maps of all parts were ~200 MB at 10M lines.
        let parts: Vec<(PlHashSet<&'a str>, u64, u64)> = (0..PARTS)
            .into_par_iter()
            .map(|part| {
                // Sized for an even share of the line groups, each at most one order:
                // grown by doubling, the maps rehashed every entry several times.
                let mut counts = PartCounts {
                    customers: PlHashSet::default(),
                    orders: PlHashMap::with_capacity(lines.height() / PARTS + 1),
                };
                let chunks = customer
                    .downcast_iter()
                    .zip(order.downcast_iter())
                    .zip(amount.downcast_iter())
                    .zip(return_lines.downcast_iter())
                    .zip(bucket.downcast_iter());
                for ((((customer, order), amount), return_lines), bucket) in chunks {
                    for (row, b) in bucket.iter().enumerate() {
                        // The reader sets every bucket; one missing is the id's own.
                        let b = b.copied().unwrap_or_else(|| {
                            customer_bucket(customer.get(row).unwrap_or_default())
                        });
                        if part_of(b) == part {
                            counts.add(
                                customer.get(row),
                                order.get(row),
                                amount.get(row),
                                return_lines.get(row),
                            );
                        }
                    }
                }
                let purchases = counts.orders.values().filter(|o| o.is_purchase()).count();
                (
                    counts.customers,
                    counts.orders.len() as u64,
                    purchases as u64,
                )
            })
            .collect();
        let mut totals = LineCounts {
            customers: Vec::with_capacity(PARTS),
            orders: 0,
            purchases: 0,
        };
        for (customers, orders, purchases) in parts {
            totals.orders += orders;
            totals.purchases += purchases;
            totals.customers.push(customers);
        }
        Ok(totals)
    }

    /// Distinct customers.
    pub fn customers(&self) -> u64 {
        self.customers.iter().map(|c| c.len() as u64).sum()
    }

    /// Whether `customer` has a line.
    pub fn has_customer(&self, customer: &str) -> bool {
        self.customers[part_of(customer_bucket(customer))].contains(customer)
    }
}

fn part_of(bucket: i32) -> usize {
    bucket.rem_euclid(CUSTOMER_BUCKETS) as usize % PARTS
}

/// One part's customers, and its orders' sums.
struct PartCounts<'a> {
    customers: PlHashSet<&'a str>,
    orders: PlHashMap<(&'a str, &'a str), OrderSums>,
}

#[derive(Default)]
struct OrderSums {
    net: i64,
    return_lines: i64,
}

impl OrderSums {
    fn is_purchase(&self) -> bool {
        super::is_purchase(self.net, self.return_lines)
    }
}

impl<'a> PartCounts<'a> {
    fn add(
        &mut self,
        customer: Option<&'a str>,
        order: Option<&'a str>,
        amount: Option<i64>,
        return_lines: Option<i32>,
    ) {
        let customer = customer.unwrap_or_default();
        self.customers.insert(customer);
        let sums = self
            .orders
            .entry((customer, order.unwrap_or_default()))
            .or_default();
        sums.net += amount.unwrap_or(0);
        sums.return_lines += i64::from(return_lines.unwrap_or(0));
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::*;

    /// Lines of (customer, order, amount, return lines), in chunks of `rows`.
    fn lines(rows: &[(&str, &str, i64, i32)], chunk: usize) -> DataFrame {
        let mut parts = rows.chunks(chunk).map(|part| {
            df!(
                CUSTOMER_ID => part.iter().map(|r| r.0).collect::<Vec<_>>(),
                ORDER_ID => part.iter().map(|r| r.1).collect::<Vec<_>>(),
                AMOUNT => part.iter().map(|r| r.2).collect::<Vec<_>>(),
                RETURN_LINES => part.iter().map(|r| r.3).collect::<Vec<_>>(),
                BUCKET => part.iter().map(|r| customer_bucket(r.0)).collect::<Vec<_>>(),
            )
            .unwrap()
        });
        let mut frame = parts.next().unwrap();
        for part in parts {
            frame.vstack_mut_owned(part).unwrap();
        }
        frame
    }

    #[test]
    fn counts_equal_a_count_by_hand_over_chunks() {
        let ids: Vec<String> = (0..40).map(|i| format!("c{i}")).collect();
        let orders: Vec<String> = (0..5).map(|i| format!("o{i}")).collect();
        let rows: Vec<(&str, &str, i64, i32)> = (0..300)
            .map(|i: usize| {
                let amount = (i as i64 * 37) % 11 - 4;
                let returned = i32::from(amount < 0);
                (
                    ids[i * 7 % 40].as_str(),
                    orders[i % 5].as_str(),
                    amount,
                    returned,
                )
            })
            .collect();
        let mut frame = lines(&rows, 64);
        assert!(frame.first_col_n_chunks() > 1);
        // Chunks that differ between columns, which the count aligns.
        let mut unbucketed = frame.clone();
        let buckets: Vec<Option<i32>> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| (i % 3 != 0).then(|| customer_bucket(r.0)))
            .collect();
        unbucketed
            .with_column(Column::new(BUCKET.into(), buckets))
            .unwrap();
        assert!(unbucketed.should_rechunk());
        let counts = LineCounts::of(&mut frame).unwrap();
        let mut by_order: BTreeMap<(&str, &str), (i64, i32)> = BTreeMap::new();
        for &(customer, order, amount, returned) in &rows {
            let sums = by_order.entry((customer, order)).or_default();
            sums.0 += amount;
            sums.1 += returned;
        }
        let purchases = by_order
            .values()
            .filter(|(net, returned)| *net > 0 || (*net == 0 && *returned == 0))
            .count();
        let customers: BTreeSet<&str> = rows.iter().map(|r| r.0).collect();
        assert_eq!(counts.orders, by_order.len() as u64);
        assert_eq!(counts.purchases, purchases as u64);
        assert!(purchases > 0 && purchases < by_order.len());
        assert_eq!(counts.customers(), customers.len() as u64);
        assert!(customers.iter().all(|c| counts.has_customer(c)));
        assert!(!counts.has_customer("c40"));

        // A line without a bucket is counted in its id's own part.
        let again = LineCounts::of(&mut unbucketed).unwrap();
        assert_eq!(
            (again.orders, again.purchases, again.customers()),
            (counts.orders, counts.purchases, counts.customers())
        );
        assert!(customers.iter().all(|c| again.has_customer(c)));
    }
}
