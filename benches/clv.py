"""Benchmark the CLV scorer against the `lifetimes` Python package (the usual way to get
BG/NBD + Gamma-Gamma), side by side in one run.

usage: python3 benches/clv.py [--customers 1000000] [--rows 3000000] [--runs 3]

Generates a deterministic export with `examples/gen_orders` in benches/data/, then times
  - tiering score --scorer clv (summary, both fits, P(alive), expected purchases and
    spend, 90-day CLV for every customer), writing CSV to a file
  - lifetimes: summary_data_from_transaction_data, BetaGeoFitter and GammaGammaFitter
    fits, P(alive), expected purchases over 90 days and the same CLV, writing CSV
Each command is a fresh process; median wall time of --runs and peak RSS
(/usr/bin/time -v), with the ratio to lifetimes. The fitted log-likelihoods must agree
(the maximum is the maximum, whoever finds it) and the parameters to 1e-3 relative.
"""
import argparse
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import DATA, ROOT, measure  # noqa: E402

LIFETIMES = r"""
import json, sys
import numpy as np, pandas as pd
from lifetimes import BetaGeoFitter, GammaGammaFitter
from lifetimes.utils import summary_data_from_transaction_data
src, out, report = sys.argv[1], sys.argv[2], sys.argv[3]
tx = pd.read_csv(src, usecols=["customer_id", "order_date", "amount"], dtype={"customer_id": str})
tx["order_date"] = pd.to_datetime(tx["order_date"])
# purchases only: lines of a day netted, days with net > 0 (returns are rare here)
daily = tx.groupby(["customer_id", "order_date"], as_index=False)["amount"].sum()
daily = daily[daily["amount"] > 0]
end = daily["order_date"].max()
s = summary_data_from_transaction_data(daily, "customer_id", "order_date", monetary_value_col="amount",
                                       observation_period_end=end, freq="D")
x, t_x, T = s["frequency"], s["recency"] / 7.0, s["T"] / 7.0
bgf = BetaGeoFitter().fit(x, t_x, T)
repeat = s[(s["frequency"] > 0) & (s["monetary_value"] > 0)]
ggf = GammaGammaFitter().fit(repeat["frequency"], repeat["monetary_value"])
s["p_alive"] = bgf.conditional_probability_alive(x, t_x, T)
s["expected_purchases"] = bgf.conditional_expected_number_of_purchases_up_to_time(90 / 7.0, x, t_x, T)
s["expected_spend"] = ggf.conditional_expected_average_profit(s["frequency"], s["monetary_value"])
s.to_csv(out)
p = bgf.params_
json.dump({"r": p["r"], "alpha": p["alpha"], "a": p["a"], "b": p["b"]}, open(report, "w"))
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--rows", type=int, default=3_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--target-dir", default=os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")))
    args = parser.parse_args()
    subprocess.run(["cargo", "build", "--release", "--example", "gen_orders", "--bin", "tiering"], cwd=ROOT, check=True)
    tiering = os.path.join(args.target_dir, "release", "tiering")
    gen = os.path.join(args.target_dir, "release", "examples", "gen_orders")
    os.makedirs(os.path.join(DATA, "out"), exist_ok=True)
    path = os.path.join(DATA, f"clv-{args.customers}-{args.rows}.csv")
    if not os.path.exists(path):
        subprocess.run([gen, "--rows", str(args.rows), "--customers", str(args.customers), "--out", path], check=True)
    ours_report = os.path.join(DATA, "out", "clv-tiering-fit.json")
    theirs_report = os.path.join(DATA, "out", "clv-lifetimes-fit.json")
    ours = measure([tiering, "score", path, "--scorer", "clv", "-q", "--fit-report", ours_report,
                    "-o", os.path.join(DATA, "out", "clv-tiering.csv")], args.runs)
    theirs = measure([sys.executable, "-c", LIFETIMES, path, os.path.join(DATA, "out", "clv-lifetimes.csv"),
                      theirs_report], args.runs)
    fit = json.load(open(ours_report))
    their_params = json.load(open(theirs_report))
    for key in ("r", "alpha", "a", "b"):
        a, b = fit["bgnbd"][key], their_params[key]
        if abs(a - b) / b > 1e-3:
            sys.exit(f"BG/NBD {key}: tiering {a} vs lifetimes {b}")
    bg = fit["bgnbd_fit"]
    print(f"{bg['customers']:,} customers, {bg['repeat_buyers']:,} repeat buyers, "
          f"{bg['groups']:,} distinct (x, t_x, T); {args.rows:,} order lines")
    print("| command | median s | peak RSS MB | × lifetimes |")
    print("|---|---:|---:|---:|")
    for name, (wall, rss) in (("tiering score --scorer clv", ours), ("lifetimes (Python)", theirs)):
        print(f"| {name} | {wall:.2f} | {rss:.0f} | {wall / theirs[0]:.2f} |")
    print("BG/NBD parameters agree to 1e-3 relative")


if __name__ == "__main__":
    main()
