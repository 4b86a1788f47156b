"""The RFM of DESIGN.md §4-5 in polars (Python, lazy), as a peer for the benchmark: the
same metrics (orders netted, purchases = net > 0 or net = 0 without a return line,
recency from the latest purchase), NTILE scores under shared ties (the bucket of the
RANK() position), written as CSV like tests/crosscheck/rfm_duckdb.py writes it.

usage: rfm_polars.py ORDERS.csv|.parquet OUT.csv
"""
import sys

import polars as pl

path, out = sys.argv[1], sys.argv[2]
BINS = 5

if path.endswith(".parquet"):
    lines = pl.scan_parquet(path)
else:
    lines = pl.scan_csv(path, schema_overrides={"customer_id": pl.Utf8, "order_id": pl.Utf8, "amount": pl.Utf8})

lines = lines.select(
    pl.col("customer_id").cast(pl.Utf8).str.strip_chars(),
    pl.col("order_id").cast(pl.Utf8),
    pl.col("order_date").cast(pl.Utf8).str.slice(0, 10).str.to_date("%Y-%m-%d"),
    # Exact cents: the amount as a 2-decimal decimal, scaled.
    (pl.col("amount").cast(pl.Utf8).cast(pl.Decimal(18, 2)) * 100).cast(pl.Int64).alias("cents"),
)
as_of = lines.select(pl.col("order_date").max()).collect().item()
orders = (
    lines.filter(pl.col("order_date") <= as_of)
    .group_by("customer_id", "order_id")
    .agg(
        pl.col("order_date").min(),
        pl.col("cents").sum().alias("net"),
        (pl.col("cents") < 0).any().alias("has_return"),
    )
    .with_columns(((pl.col("net") > 0) | ((pl.col("net") == 0) & ~pl.col("has_return"))).alias("purchase"))
)
customers = orders.group_by("customer_id").agg(
    pl.col("purchase").sum().alias("orders"),
    pl.col("net").sum().alias("revenue"),
    pl.col("order_date").filter(pl.col("purchase")).max().alias("last"),
)
purchasers = customers.filter(pl.col("orders") > 0).with_columns(
    (pl.lit(as_of) - pl.col("last")).dt.total_days().alias("recency"),
    pl.len().alias("n"),
)


def bucket(position):
    n = pl.col("n")
    q = n // BINS
    r = n % BINS
    large = r * (q + 1)
    return (
        pl.when(position <= large)
        .then((position - 1) // (q + 1) + 1)
        .otherwise(r + (position - large - 1) // pl.when(q == 0).then(1).otherwise(q) + 1)
    )


scored = purchasers.with_columns(
    bucket((-pl.col("recency")).rank("min")).alias("r_score"),
    bucket(pl.col("orders").rank("min")).alias("f_score"),
    bucket(pl.col("revenue").rank("min")).alias("m_score"),
).select(
    "customer_id",
    "orders",
    pl.col("revenue").alias("revenue_cents"),
    pl.col("recency").alias("recency_days"),
    "r_score",
    "f_score",
    "m_score",
).sort("customer_id")
scored.collect().write_csv(out)
