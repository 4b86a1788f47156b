//! Min ranks (SQL `RANK()`: equal values share the first position of their group) from
//! one unstable sort of (value, row) pairs. Polars' rank sorts the values' indices with a
//! stable parallel merge sort and then gathers and compares them: at 1.25M customers the
//! profit scorer's four ranks took most of its 1.7 s. [`min_rank`] is a drop-in
//! expression for `rank(RankMethod::Min)` on 64-bit integers (other types are left to
//! polars' rank); a property test holds the two equal.

use polars::prelude::*;
use rayon::prelude::*;

use crate::arrays::single_chunk;

/// The 1-based min rank of each `(key, row)` among all of them, by ascending key, at
/// index `row` of a vector of `len` (rows not in `keyed` keep 0).
pub fn first_positions(mut keyed: Vec<(i64, IdxSize)>, len: usize) -> Vec<IdxSize> {
    keyed.par_sort_unstable();
    let mut positions = vec![0 as IdxSize; len];
    let mut first = 0;
    for (k, &(key, row)) in keyed.iter().enumerate() {
        if k > 0 && key != keyed[k - 1].0 {
            first = k;
        }
        positions[row as usize] = first as IdxSize + 1;
    }
    positions
}

/// `values.rank(RankOptions { method: RankMethod::Min, descending }, None)`: the same
/// index-typed ranks, null where the value is.
pub fn min_rank(values: Expr, descending: bool) -> Expr {
    values.apply(
        move |column| Ok(ranked(column.as_materialized_series(), descending)?.into_column()),
        |_, field| Ok(Field::new(field.name().clone(), IDX_DTYPE)),
    )
}

fn ranked(series: &Series, descending: bool) -> PolarsResult<Series> {
    if series.dtype() != &DataType::Int64 {
        let options = RankOptions {
            method: RankMethod::Min,
            descending,
        };
        return Ok(series.rank(options, None));
    }
    let values = series.i64()?;
    // `!v` orders as `-v` does, without overflow.
    let key = |v: i64| if descending { !v } else { v };
    let keyed: Vec<(i64, IdxSize)> = values
        .iter()
        .enumerate()
        .filter_map(|(row, v)| v.map(|v| (key(v), row as IdxSize)))
        .collect();
    let positions = first_positions(keyed, values.len());
    let validity = single_chunk(&values.rechunk()).and_then(|array| array.validity().cloned());
    Ok(IdxCa::from_vec_validity(series.name().clone(), positions, validity).into_series())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn min_ranks_equal_polars_ranks(
            values in proptest::collection::vec(proptest::option::weighted(0.8, -4..6i64), 0..40),
            descending in any::<bool>(),
            chunk in 1..10usize,
        ) {
            let mut parts = values.chunks(chunk).map(|part| Series::new("v".into(), part));
            let mut series = parts.next().unwrap_or_else(|| Series::new("v".into(), &values));
            for part in parts {
                series.append(&part).unwrap();
            }
            let frame = DataFrame::new(series.len(), vec![series.into_column()]).unwrap();
            let options = RankOptions { method: RankMethod::Min, descending };
            let ours = frame.clone().lazy().select([min_rank(col("v"), descending)]).collect().unwrap();
            let polars = frame.lazy().select([col("v").rank(options, None)]).collect().unwrap();
            prop_assert_eq!(ours.dtypes(), polars.dtypes());
            prop_assert!(ours.equals_missing(&polars), "ours:\n{ours}\npolars:\n{polars}");
        }
    }

    #[test]
    fn other_types_are_ranked_by_polars() {
        let frame = df!("v" => [2.5f64, 1.0, 2.5]).unwrap();
        let ours = frame
            .lazy()
            .select([min_rank(col("v"), false)])
            .collect()
            .unwrap();
        let ranks: Vec<Option<IdxSize>> = ours.column("v").unwrap().idx().unwrap().iter().collect();
        assert_eq!(ranks, [Some(2), Some(1), Some(2)]);
    }
}
