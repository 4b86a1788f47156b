//! The arrow array under a rechunked polars column, for code that reads cells one at a
//! time (the Parquet reader, the writers): a cell is then an array access, without the
//! chunk lookup of `ChunkedArray::get`.

use polars::prelude::{ChunkedArray, PolarsDataType};

/// The one chunk of `column`, which must be rechunked; `None` when it has no chunk.
pub fn single_chunk<T: PolarsDataType>(column: &ChunkedArray<T>) -> Option<T::Array>
where
    T::Array: Clone,
{
    column.downcast_iter().next().cloned()
}
