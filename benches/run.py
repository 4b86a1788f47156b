"""Benchmark tiering against DuckDB (and polars' own scan + group_by as the floor).

usage: python3 benches/run.py [--rows 1000000 10000000] [--runs 3] [--tiering PATH]

Generates deterministic order exports with `examples/gen_orders` (CSV and Parquet) in
benches/data/, then times, side by side in one run:
  - tiering score --scorer rfm / pareto, writing CSV to a file
  - the same metrics and scores in DuckDB SQL (Python package), writing CSV
  - polars (Python) scan + group_by per customer: the floor any polars-based tool pays
Each command is a fresh process; the median of --runs wall times and the peak RSS
(/usr/bin/time -v) are reported, with ratios to DuckDB and to the floor. The RFM scores
of tiering and DuckDB are compared customer by customer and must agree.
"""
import argparse
import csv
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "benches", "data")

DUCKDB_RFM = """
import duckdb, sys
src, out = sys.argv[1], sys.argv[2]
reader = f"read_parquet('{src}')" if src.endswith('.parquet') else f"read_csv('{src}', header=true, all_varchar=true)"
duckdb.sql(f'''
COPY (
WITH lines AS (
  SELECT customer_id, order_id, CAST(order_date AS DATE) AS order_date,
         CAST(CAST(amount AS DECIMAL(18, 2)) * 100 AS BIGINT) AS cents
  FROM {reader}
),
bounds AS (SELECT max(order_date) AS as_of FROM lines),
orders AS (
  SELECT customer_id, order_id, min(order_date) AS order_date, sum(cents) AS net,
         bool_or(cents < 0) AS has_return
  FROM lines GROUP BY ALL
),
customers AS (
  SELECT customer_id, count(*) FILTER (WHERE net > 0 OR (net = 0 AND NOT has_return)) AS orders,
         sum(net) AS revenue,
         date_diff('day', max(order_date) FILTER (WHERE net > 0 OR (net = 0 AND NOT has_return)),
                   (SELECT as_of FROM bounds)) AS recency
  FROM orders GROUP BY customer_id
),
ranked AS (
  SELECT *, count(*) OVER () AS n,
         RANK() OVER (ORDER BY recency DESC) AS pr,
         RANK() OVER (ORDER BY orders) AS pf,
         RANK() OVER (ORDER BY revenue) AS pm
  FROM customers WHERE orders > 0
)
SELECT customer_id, orders, revenue, recency,
  CASE WHEN pr <= (n % 5) * (n // 5 + 1) THEN (pr - 1) // (n // 5 + 1) + 1
       ELSE (n % 5) + (pr - (n % 5) * (n // 5 + 1) - 1) // (n // 5) + 1 END AS r_score,
  CASE WHEN pf <= (n % 5) * (n // 5 + 1) THEN (pf - 1) // (n // 5 + 1) + 1
       ELSE (n % 5) + (pf - (n % 5) * (n // 5 + 1) - 1) // (n // 5) + 1 END AS f_score,
  CASE WHEN pm <= (n % 5) * (n // 5 + 1) THEN (pm - 1) // (n // 5 + 1) + 1
       ELSE (n % 5) + (pm - (n % 5) * (n // 5 + 1) - 1) // (n // 5) + 1 END AS m_score
FROM ranked ORDER BY customer_id
) TO '{out}' (HEADER, DELIMITER ',')
''')
"""

POLARS_FLOOR = """
import polars as pl, sys
src = sys.argv[1]
lf = pl.scan_parquet(src) if src.endswith('.parquet') else pl.scan_csv(src)
(lf.group_by('customer_id')
   .agg(pl.col('amount').sum(), pl.col('order_date').max(), pl.col('order_id').n_unique())
   .collect())
"""


def measure(command, runs):
    walls, rss = [], []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(
            ["/usr/bin/time", "-v"] + command,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        walls.append(time.perf_counter() - start)
        if done.returncode != 0:
            sys.exit(f"failed: {' '.join(command)}\n{done.stderr[-2000:]}")
        for line in done.stderr.splitlines():
            if "Maximum resident set size" in line:
                rss.append(int(line.split(":")[1]) / 1024)
    return statistics.median(walls), max(rss) if rss else float("nan")


def generate(rows, gen):
    os.makedirs(DATA, exist_ok=True)
    paths = {}
    for kind in ("csv", "parquet"):
        path = os.path.join(DATA, f"orders-{rows}.{kind}")
        if not os.path.exists(path):
            args = [gen, "--rows", str(rows), "--out", path] + (["--parquet"] if kind == "parquet" else [])
            subprocess.run(args, check=True)
        paths[kind] = path
    return paths


def compare(tiering_csv, duckdb_csv):
    with open(duckdb_csv) as f:
        theirs = {r["customer_id"]: (r["r_score"], r["f_score"], r["m_score"]) for r in csv.DictReader(f)}
    with open(tiering_csv) as f:
        ours = {
            r["customer_id"]: (r["r_score"], r["f_score"], r["m_score"])
            for r in csv.DictReader(f)
            if r["orders"] != "0"
        }
    if ours != theirs:
        different = [k for k in ours if ours.get(k) != theirs.get(k)][:5]
        sys.exit(f"tiering and DuckDB disagree ({len(ours)} vs {len(theirs)} customers), e.g. {different}")
    return len(ours)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--target-dir", default=os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")))
    args = parser.parse_args()
    subprocess.run(["cargo", "build", "--release", "--example", "gen_orders", "--bin", "tiering"], cwd=ROOT, check=True)
    tiering = os.path.join(args.target_dir, "release", "tiering")
    gen = os.path.join(args.target_dir, "release", "examples", "gen_orders")
    try:
        import polars  # noqa: F401
        have_polars = True
    except ImportError:
        have_polars = False
    out = os.path.join(DATA, "out")
    os.makedirs(out, exist_ok=True)
    print("| rows | input | command | median s | peak RSS MB | × DuckDB | × polars floor |")
    print("|---:|---|---|---:|---:|---:|---:|")
    for rows in args.rows:
        paths = generate(rows, gen)
        for kind, path in paths.items():
            duck_out = os.path.join(out, f"duckdb-{rows}-{kind}.csv")
            duck = measure([sys.executable, "-c", DUCKDB_RFM, path, duck_out], args.runs)
            floor = measure([sys.executable, "-c", POLARS_FLOOR, path], args.runs) if have_polars else None
            results = [("duckdb rfm", duck)]
            for scorer in ("rfm", "pareto"):
                target = os.path.join(out, f"tiering-{scorer}-{rows}-{kind}.csv")
                timing = measure([tiering, "score", path, "--scorer", scorer, "-q", "-o", target], args.runs)
                results.append((f"tiering {scorer}", timing))
            if floor:
                results.append(("polars scan+group_by", floor))
            agreed = compare(os.path.join(out, f"tiering-rfm-{rows}-{kind}.csv"), duck_out)
            for name, (wall, rss) in results:
                vs_floor = f"{wall / floor[0]:.2f}" if floor else "n/a"
                print(f"| {rows:,} | {kind} | {name} | {wall:.2f} | {rss:.0f} | {wall / duck[0]:.2f} | {vs_floor} |")
            print(f"|  |  | RFM scores agree on {agreed:,} customers |  |  |  |  |")


if __name__ == "__main__":
    main()
