"""Benchmark `tiering score --scorer cluster` at a million customers, side by side with
`--scorer rfm` on the same file and with scikit-learn's KMeans on the same features.

usage: python3 benches/cluster.py [--file benches/data/orders-10000000-1250000.parquet] [--k 4]

tiering is timed end to end (read, metrics, standardise, k-means++ with 10 restarts,
write CSV); scikit-learn is timed on the clustering alone (KMeans(k, n_init=10) on the
z-scored ln features taken from tiering's output, which it does not have to compute), so
the comparison favours scikit-learn. Generate the file first with `benches/run.py --matrix`.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def timed(command):
    start = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-v"] + command, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"failed: {' '.join(command)}\n{done.stderr[-2000:]}")
    rss = next(int(l.split()[-1]) for l in done.stderr.splitlines() if "Maximum resident" in l)
    return wall, rss / 1024


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--file", default=os.path.join(ROOT, "benches/data/orders-10000000-1250000.parquet"))
    parser.add_argument("--k", type=int, default=4)
    parser.add_argument("--binary", default=os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "release", "tiering"))
    args = parser.parse_args()
    out = tempfile.mkdtemp()
    scores, fit = os.path.join(out, "clusters.csv"), os.path.join(out, "fit.json")
    rfm_wall, rfm_rss = timed([args.binary, "score", args.file, "-q", "-o", os.path.join(out, "rfm.csv")])
    wall, rss = timed([args.binary, "score", args.file, "--scorer", "cluster", "--k", str(args.k), "-q", "-o", scores, "--fit-report", fit])
    report = json.load(open(fit))
    import numpy as np
    import polars as pl
    from sklearn.cluster import KMeans

    frame = pl.read_csv(scores).filter(pl.col("orders") > 0)
    x = np.column_stack([
        np.log1p(frame["recency_days"].to_numpy().astype(float)),
        np.log1p(frame["orders"].to_numpy().astype(float)),
        np.log1p(np.maximum(frame["revenue"].to_numpy().astype(float), 0)),
    ])
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    start = time.perf_counter()
    model = KMeans(n_clusters=args.k, n_init=10, random_state=0).fit(x)
    sk_wall = time.perf_counter() - start
    print(f"file: {os.path.basename(args.file)}, purchasers: {report['purchasers']:,}, k = {args.k}")
    print(f"tiering score --scorer rfm      {rfm_wall:6.2f} s  {rfm_rss:6.0f} MB")
    print(f"tiering score --scorer cluster  {wall:6.2f} s  {rss:6.0f} MB  ({wall / rfm_wall:.2f}x rfm; "
          f"{report['iterations']} iterations in the kept restart, inertia {report['inertia']:.1f})")
    print(f"scikit-learn KMeans fit only    {sk_wall:6.2f} s  (inertia {model.inertia_:.1f}; "
          f"tiering's is {100 * (report['inertia'] / model.inertia_ - 1):+.3f}%)")


if __name__ == "__main__":
    main()
