"""Benchmark tiering against DuckDB (and polars' own scan + group_by as the floor).

usage: python3 benches/run.py [--rows 1000000 10000000] [--runs 3]
       python3 benches/run.py --matrix [--matrix-rows 1000000 10000000 40000000] [--runs 3]
       python3 benches/run.py --scorers [--scorers-rows 10000000] [--runs 3]

Generates deterministic order exports with `examples/gen_orders` (CSV and Parquet) in
benches/data/, then times, side by side in one run:
  - tiering score --scorer rfm / pareto, writing CSV to a file
  - the same metrics and scores in DuckDB SQL (tests/crosscheck/rfm_duckdb.py, the script
    the test suite cross-checks with), writing CSV with COPY
  - polars (Python) scan + group_by per customer: the floor any polars-based tool pays
Each command is a fresh process; the median of --runs wall times and the peak RSS
(/usr/bin/time -v) are reported, with ratios to DuckDB and to the floor. The RFM scores
of tiering and DuckDB are compared customer by customer and must agree.
Finally a 1,000-line file (the head of the smallest export) is scored 20 times: process
start included, the latency an analyst feels on a small export.

--matrix measures the shapes users have: lines × customers = lines/8 (many customers with
few orders each) and lines/30 (fewer customers with more), CSV and Parquet, against
DuckDB SQL and a full polars-py lazy RFM (benches/rfm_polars.py: the same metrics and
NTILE scores, writing the same CSV); every customer's scores of tiering and of polars
are checked against DuckDB's.

--scorers times every scorer, `check` and `report --compare-as-of` against `score --scorer
rfm` on the same file, side by side in one run (lines/8 and lines/30 customers, CSV),
as ratios to rfm.
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

CROSSCHECK = os.path.join(ROOT, "tests", "crosscheck", "rfm_duckdb.py")

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


def generate(rows, gen, customers=None):
    os.makedirs(DATA, exist_ok=True)
    paths = {}
    shape = f"{rows}" if customers is None else f"{rows}-{customers}"
    for kind in ("csv", "parquet"):
        path = os.path.join(DATA, f"orders-{shape}.{kind}")
        if not os.path.exists(path):
            args = [gen, "--rows", str(rows), "--out", path] + (["--parquet"] if kind == "parquet" else [])
            if customers is not None:
                args += ["--customers", str(customers)]
            subprocess.run(args, check=True)
        paths[kind] = path
    return paths


POLARS_RFM = os.path.join(ROOT, "benches", "rfm_polars.py")


def matrix(args, tiering, gen):
    """The shape matrix: tiering, DuckDB and polars-py RFM side by side per cell."""
    out = out_dir()
    os.makedirs(out, exist_ok=True)
    print("| lines | customers | input | tiering s | RSS MB | DuckDB s | polars s | × DuckDB | × polars |")
    print("|---:|---:|---|---:|---:|---:|---:|---:|---:|")
    for rows in args.matrix_rows:
        for per in (8, 30):
            customers = rows // per
            for kind, path in generate(rows, gen, customers).items():
                tag = f"{rows}-{customers}-{kind}"
                ours = os.path.join(out, f"tiering-{tag}.csv")
                duck_out = os.path.join(out, f"duckdb-{tag}.csv")
                polars_out = os.path.join(out, f"polars-{tag}.csv")
                mine = measure([tiering, "score", path, "-q", "-o", ours], args.runs)
                duck = measure([sys.executable, CROSSCHECK, path, "latest", "5", "shared", "--copy-to", duck_out], args.runs)
                polar = measure([sys.executable, POLARS_RFM, path, polars_out], args.runs)
                agreed = compare(ours, duck_out)
                compare(polars_out, duck_out)
                print(
                    f"| {rows:,} | {customers:,} | {kind} | {mine[0]:.2f} | {mine[1]:.0f} | {duck[0]:.2f} | "
                    f"{polar[0]:.2f} | {mine[0] / duck[0]:.2f} | {mine[0] / polar[0]:.2f} |",
                    flush=True,
                )
                print(f"|  |  |  | scores agree on {agreed:,} customers (tiering, DuckDB, polars) |  |  |  |  |  |", flush=True)


SCORERS = ("rfm", "pareto", "profit", "rules", "lifecycle", "clv", "value", "health", "cluster")


def scorers(args, tiering, gen):
    """Every scorer, check and report --compare-as-of against score --scorer rfm."""
    out = out_dir()
    os.makedirs(out, exist_ok=True)
    print("| lines | customers | command | median s | peak RSS MB | × score rfm |")
    print("|---:|---:|---|---:|---:|---:|")
    for rows in args.scorers_rows:
        for per in (8, 30):
            customers = rows // per
            path = generate(rows, gen, customers)["csv"]
            commands = [
                (f"score --scorer {name}", [tiering, "score", path, "--scorer", name, "-q", "-o", os.path.join(out, f"scorer-{name}.csv")])
                for name in SCORERS
            ]
            commands.append(("check", [tiering, "check", path, "-q"]))
            # The Markdown report is what a reader opens; the JSON report also carries
            # every customer's row (437 MB at 1.25M customers).
            for extension in ("md", "json"):
                commands.append(
                    (
                        f"report --compare-as-of 2026-07-31 -o report.{extension}",
                        [tiering, "report", path, "--compare-as-of", "2026-07-31", "-q", "-o", os.path.join(out, f"report.{extension}")],
                    )
                )
            base = None
            for name, command in commands:
                wall, rss = measure(command, args.runs)
                base = base or wall
                print(f"| {rows:,} | {customers:,} | `{name}` | {wall:.2f} | {rss:.0f} | {wall / base:.2f} |", flush=True)


def compare(tiering_csv, duckdb_csv):
    with open(duckdb_csv) as f:
        theirs = {r["customer_id"]: (r["r_score"], r["f_score"], r["m_score"]) for r in csv.DictReader(f)}
    with open(tiering_csv) as f:
        ours = {
            r["customer_id"]: (r["r_score"], r["f_score"], r["m_score"])
            for r in csv.DictReader(f)
            if r.get("orders", "1") != "0"
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
    parser.add_argument("--matrix", action="store_true", help="the shape matrix (lines x customers)")
    parser.add_argument("--matrix-rows", type=int, nargs="+", default=[1_000_000, 10_000_000, 40_000_000])
    parser.add_argument("--profile", default="release", help="cargo profile to build and time")
    parser.add_argument("--scorers", action="store_true", help="every scorer, check and report against rfm")
    parser.add_argument("--scorers-rows", type=int, nargs="+", default=[10_000_000])
    parser.add_argument("--binary", help="time this tiering binary instead of building one")
    args = parser.parse_args()
    directory = "release" if args.profile == "release" else args.profile
    tiering = args.binary or os.path.join(args.target_dir, directory, "tiering")
    gen = os.path.join(args.target_dir, directory, "examples", "gen_orders")
    # --binary times a binary built elsewhere: build nothing unless the generator is missing.
    if not (args.binary and os.path.exists(gen)):
        build = ["cargo", "build", "--profile", args.profile, "--example", "gen_orders"]
        if not args.binary:
            build += ["--bin", "tiering"]
        subprocess.run(build, cwd=ROOT, check=True)
    if args.matrix:
        matrix(args, tiering, gen)
        return
    if args.scorers:
        scorers(args, tiering, gen)
        return
    try:
        import polars  # noqa: F401
        have_polars = True
    except ImportError:
        have_polars = False
    out = out_dir()
    os.makedirs(out, exist_ok=True)
    print("| rows | input | command | median s | peak RSS MB | × DuckDB | × polars floor |")
    print("|---:|---|---|---:|---:|---:|---:|")
    for rows in args.rows:
        paths = generate(rows, gen)
        for kind, path in paths.items():
            duck_out = os.path.join(out, f"duckdb-{rows}-{kind}.csv")
            duck_command = [sys.executable, CROSSCHECK, path, "latest", "5", "shared", "--copy-to", duck_out]
            duck = measure(duck_command, args.runs)
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
    small = os.path.join(DATA, "orders-1000.csv")
    with open(generate(min(args.rows), gen)["csv"]) as source, open(small, "w") as out:
        for _ in range(1001):
            out.write(source.readline())
    target = os.path.join(out_dir(), "tiering-small.csv")
    wall, rss = measure([tiering, "score", small, "-q", "-o", target], 20)
    duck_wall, _ = measure(
        [sys.executable, CROSSCHECK, small, "latest", "5", "shared", "--copy-to", os.path.join(out_dir(), "duckdb-small.csv")],
        5,
    )
    print()
    print("| rows | input | command | median s | peak RSS MB | × DuckDB (Python, incl. interpreter start) |")
    print("|---:|---|---|---:|---:|---:|")
    print(f"| 1,000 | csv | tiering rfm | {wall:.3f} | {rss:.0f} | {wall / duck_wall:.2f} |")
    print(f"| 1,000 | csv | duckdb rfm | {duck_wall:.3f} |  | 1.00 |")
    size = os.path.getsize(tiering)
    print(f"\nbinary: {tiering}, {size / 2**20:.1f} MiB")


def out_dir():
    return os.path.join(DATA, "out")


if __name__ == "__main__":
    main()
