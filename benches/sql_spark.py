"""Scale-out check: the same RFM tiers from `tiering score` and from `tiering sql
--dialect spark` run on a local Spark, timed side by side on one input.

usage: python3 benches/sql_spark.py ORDERS.parquet [--tiering target/release/tiering]
       [--sql-tiering BINARY]

Prints the wall time of `tiering score` (a fresh process, CSV to a file), the time Spark
takes to start, and the time of the query (plan, run, collect every row), then compares the
two results customer by customer on every column the SQL returns; exits 1 if they differ.
"""
import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "crosscheck"))
from sql_engine import cell, split_statements  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("orders")
    parser.add_argument("--tiering", default=os.path.join(ROOT, "target", "release", "tiering"))
    parser.add_argument("--sql-tiering", help="binary that writes the SQL (default: --tiering)")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="tiering-spark-")
    script = os.path.join(work, "score.sql")
    subprocess.run([args.sql_tiering or args.tiering, "sql", "--dialect", "spark", "--source", os.path.abspath(args.orders),
                    "-o", script], check=True)
    tiers = os.path.join(work, "tiers.csv")
    start = time.perf_counter()
    subprocess.run([args.tiering, "score", args.orders, "-o", tiers, "-q"], check=True)
    tiering_seconds = time.perf_counter() - start

    from pyspark.sql import SparkSession

    start = time.perf_counter()
    spark = (
        SparkSession.builder.master("local[2]").appName("tiering-scale")
        .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", "6g")
        .config("spark.sql.session.timeZone", "UTC").getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    startup_seconds = time.perf_counter() - start
    start = time.perf_counter()
    frame = None
    for statement in split_statements(open(script, encoding="utf-8").read()):
        if statement.strip():
            frame = spark.sql(statement)
    rows = frame.collect()
    query_seconds = time.perf_counter() - start
    columns = frame.columns
    spark.stop()

    with open(tiers, newline="") as f:
        expected = {r["customer_id"]: r for r in csv.DictReader(f)}
    differences = 0
    for row in rows:
        got = dict(zip(columns, (cell(v) for v in row)))
        want = expected.pop(got["customer_id"], None)
        if want is None or any(
            (abs(float(v) - float(want[k])) > 1e-9 if k == "cum_share" and v else v != want[k])
            for k, v in got.items()
        ):
            differences += 1
    differences += len(expected)
    print(f"input: {args.orders}")
    print(f"customers: {len(rows)}")
    print(f"tiering score: {tiering_seconds:.2f} s")
    print(f"spark start: {startup_seconds:.2f} s, spark query: {query_seconds:.2f} s "
          f"(ratio query/tiering {query_seconds / tiering_seconds:.2f})")
    print(f"customers that differ: {differences}")
    sys.exit(1 if differences else 0)


if __name__ == "__main__":
    main()
