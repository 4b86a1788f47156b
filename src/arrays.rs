//! The arrow array under a rechunked polars column, for code that reads cells one at a
//! time (the Parquet reader, the writers): a cell is then an array access, without the
//! chunk lookup of `ChunkedArray::get`; and a frame's integer column as plain values, for
//! scorers that work on the rows in Rust.

use polars::prelude::{ChunkedArray, DataFrame, DataType, PolarsDataType, PolarsResult};

/// The values of `frame`'s integer column `name` as 64-bit integers, nulls as `None`.
pub fn int64_values(frame: &DataFrame, name: &str) -> PolarsResult<Vec<Option<i64>>> {
    Ok(frame
        .column(name)?
        .cast(&DataType::Int64)?
        .i64()?
        .iter()
        .collect())
}

/// The one chunk of `column`, which must be rechunked; `None` when it has no chunk.
pub fn single_chunk<T: PolarsDataType>(column: &ChunkedArray<T>) -> Option<T::Array>
where
    T::Array: Clone,
{
    column.downcast_iter().next().cloned()
}
