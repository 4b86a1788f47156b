//! Parquet output: columns keep their types (dates as DATE, counts as INT64) and money
//! becomes DECIMAL(18, decimals), so readers get exact amounts rather than floats.

use std::io::Write;

use polars::prelude::*;

use super::{Output, OutputData};

/// Apache Parquet.
pub struct ParquetOutput;

impl Output for ParquetOutput {
    fn write(&self, data: &OutputData, out: &mut dyn Write) -> anyhow::Result<()> {
        let mut frame = data.frame.clone();
        for name in &data.money {
            if frame.column(name).is_err() {
                continue;
            }
            let cents = frame.column(name)?.i64()?.clone();
            let wide: Int128Chunked = cents
                .iter()
                .map(|v| v.map(i128::from))
                .collect::<Int128Chunked>()
                .with_name(name.as_str().into());
            let scale = data.decimals as usize;
            let decimal = wide
                .clone()
                .into_decimal(18, scale)
                .or_else(|_| wide.into_decimal(38, scale))?;
            frame.with_column(decimal.into_column())?;
        }
        ParquetWriter::new(out).finish(&mut frame)?;
        Ok(())
    }
}
