//! Customer rows in output order: by customer_id, byte order, nulls first (as polars
//! sorts strings). Every customer-level output is sorted this way; at a million customers
//! polars' string sort, a memcmp per comparison, was a fifth of scoring. Here each id's
//! first 8 bytes become an integer key, and ids are compared in full only where their
//! keys tie. A frame already in order is returned as it is, and the metrics come out of
//! `metrics::coded` in this order, so that a scorer that keeps its rows' order is not
//! sorted again.

use polars::prelude::*;
use rayon::prelude::*;

/// `frame` with its rows ordered by its string column `column`.
pub fn sorted_by_id(frame: DataFrame, column: &str) -> PolarsResult<DataFrame> {
    let ids: Vec<Option<&str>> = frame.column(column)?.str()?.iter().collect();
    let Some(order) = id_order(&ids) else {
        return Ok(frame);
    };
    drop(ids);
    let rows = IdxCa::from_vec("rows".into(), order);
    frame.take(&rows)
}

/// The rows of `ids` in id order, or `None` when they are in order already.
pub fn id_order(ids: &[Option<&str>]) -> Option<Vec<IdxSize>> {
    if ids.windows(2).all(|pair| pair[0] <= pair[1]) {
        return None;
    }
    let mut order: Vec<(u64, IdxSize)> = ids
        .iter()
        .enumerate()
        .map(|(row, id)| (prefix_key(*id), row as IdxSize))
        .collect();
    // Equal keys fall back to the whole ids (`None` first), then to the row, so equal ids
    // keep their order: the result is the stable sort's.
    order.par_sort_unstable_by(|a, b| {
        a.0.cmp(&b.0)
            .then_with(|| ids[a.1 as usize].cmp(&ids[b.1 as usize]))
            .then(a.1.cmp(&b.1))
    });
    Some(order.into_iter().map(|(_, row)| row).collect())
}

/// Each row's position in id order ([`id_order`]'s): a sort on it orders the rows as a
/// sort on the ids would (equal ids keep their order), comparing integers. The row
/// numbers when the ids are in order already.
pub fn id_positions(ids: &[Option<&str>]) -> Vec<IdxSize> {
    match id_order(ids) {
        None => (0..ids.len() as IdxSize).collect(),
        Some(order) => {
            let mut positions = vec![0; ids.len()];
            for (position, &row) in order.iter().enumerate() {
                positions[row as usize] = position as IdxSize;
            }
            positions
        }
    }
}

/// [`id_positions`] of a text column: polars' sort on a value and the id compared ids
/// byte by byte on every tie.
pub fn id_position(ids: Expr) -> Expr {
    ids.apply(
        |column| {
            let ids: Vec<Option<&str>> = column.str()?.iter().collect();
            let positions = id_positions(&ids);
            Ok(IdxCa::from_vec(column.name().clone(), positions).into_column())
        },
        |_, field| Ok(Field::new(field.name().clone(), IDX_DTYPE)),
    )
}

/// The first 8 bytes of `id`, big-endian, zero-padded: ordered as the ids' prefixes are,
/// so a smaller key means a smaller id, and equal keys decide nothing.
fn prefix_key(id: Option<&str>) -> u64 {
    let mut bytes = [0u8; 8];
    if let Some(id) = id {
        let head = &id.as_bytes()[..id.len().min(8)];
        bytes[..head.len()].copy_from_slice(head);
    }
    u64::from_be_bytes(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn polars_sorted(frame: &DataFrame) -> DataFrame {
        frame
            .sort(
                ["id"],
                SortMultipleOptions::default().with_maintain_order(true),
            )
            .unwrap()
    }

    proptest! {
        /// Ids sharing long prefixes, differing by a trailing NUL or a byte above 0x7f,
        /// repeated, and null: the order is polars' stable sort's, row for row.
        #[test]
        fn orders_rows_as_polars_stable_sort(
            ids in prop::collection::vec(
                prop::option::weighted(0.9, prop::sample::select(vec![
                    "", "\0", "a", "a\0", "abcdefgh", "abcdefgh\0", "abcdefghi", "abcdefgg~",
                    "abcdefgh\u{e9}", "\u{5ba2}\u{6237}7", "C000001", "C000010", "C00001",
                    "c000001", "ABCDEFGHIJKLMNOP", "ABCDEFGHIJKLMNOQ",
                ])),
                0..60,
            )
        ) {
            let n = ids.len() as i64;
            let frame = df!("id" => ids, "row" => (0..n).collect::<Vec<i64>>()).unwrap();
            let ours = sorted_by_id(frame.clone(), "id").unwrap();
            prop_assert!(ours.equals_missing(&polars_sorted(&frame)));
        }
    }

    proptest! {
        /// A sort on a value and [`id_position`] orders rows as a sort on the value and
        /// the id, ids shared or not, in order or not.
        #[test]
        fn id_positions_sort_as_the_ids(
            rows in prop::collection::vec(
                (
                    prop::sample::select(vec!["b", "a", "abcdefgh", "abcdefghi", "\u{5ba2}", "A"]),
                    0..4i64,
                ),
                0..40,
            ),
            presorted in any::<bool>(),
        ) {
            let mut rows = rows;
            if presorted {
                rows.sort();
            }
            let n = rows.len() as i64;
            let frame = df!(
                "id" => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
                "v" => rows.iter().map(|r| r.1).collect::<Vec<_>>(),
                "row" => (0..n).collect::<Vec<i64>>(),
            )
            .unwrap();
            let sorted_by = |by: Expr| {
                frame
                    .clone()
                    .lazy()
                    .with_column(id_position(col("id")).alias("position"))
                    .sort_by_exprs(
                        [col("v"), by],
                        SortMultipleOptions::default()
                            .with_order_descending_multi([true, false])
                            .with_maintain_order(true),
                    )
                    .select([col("row")])
                    .collect()
                    .unwrap()
            };
            prop_assert!(sorted_by(col("position")).equals(&sorted_by(col("id"))));
        }
    }

    #[test]
    fn a_sorted_frame_is_returned_as_it_is() {
        let frame = df!("id" => [Some("a"), Some("b"), Some("b")], "v" => [3, 2, 1]).unwrap();
        assert!(sorted_by_id(frame.clone(), "id").unwrap().equals(&frame));
    }
}
