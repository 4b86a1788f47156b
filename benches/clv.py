"""Benchmark the CLV scorer against the `lifetimes` Python package (the usual way to get
BG/NBD + Gamma-Gamma), side by side in one run.

usage: python3 benches/clv.py [--customers 1000000] [--runs 3]

Simulates a deterministic export in benches/data/ from the models themselves (numpy,
seeded): each customer buys at a rate λ ~ Gamma(r, α) and drops out after a purchase with
probability p ~ Beta(a, b); each purchase is worth Gamma(p, ν) with ν ~ Gamma(q, γ);
first purchases spread over a year, observation two years. Then it times
  - tiering score --scorer clv (summary, both fits, P(alive), expected purchases and
    spend, 90-day CLV for every customer), writing CSV to a file
  - tiering score --scorer rfm on the same file: reading and metrics without the models
  - lifetimes: summary_data_from_transaction_data, BetaGeoFitter and GammaGammaFitter
    fits, P(alive), expected purchases over 90 days and the same CLV, writing CSV
Each command is a fresh process; median wall time of --runs (lifetimes: one run) and
peak RSS (/usr/bin/time -v), with the ratio to lifetimes. The BG/NBD parameters of both
must agree to 1e-3 relative.
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


TRUE = {"r": 0.8, "alpha": 12.0, "a": 0.6, "b": 3.0, "p": 4.0, "q": 6.0, "gamma": 50.0}


def simulate(customers, path):
    import numpy as np

    rng = np.random.default_rng(20261123)
    t = TRUE
    rate = rng.gamma(t["r"], 1.0 / t["alpha"], customers)  # purchases per week
    drop = rng.beta(t["a"], t["b"], customers)
    nu = rng.gamma(t["q"], 1.0 / t["gamma"], customers)
    now = rng.uniform(0.0, 52.0, customers)  # first purchase, weeks from the start
    alive = np.ones(customers, dtype=bool)
    end = 104.0
    base = np.datetime64("2024-11-01")
    ids, weeks, amounts = [], [], []
    while alive.any():
        idx = np.nonzero(alive)[0]
        ids.append(idx)
        weeks.append(now[idx])
        amounts.append(rng.gamma(t["p"], 1.0 / nu[idx]))
        alive[idx] = rng.random(idx.size) >= drop[idx]
        now[idx] += rng.exponential(1.0 / rate[idx])
        alive &= now < end
    ids, weeks, amounts = np.concatenate(ids), np.concatenate(weeks), np.concatenate(amounts)
    days = base + np.floor(weeks * 7).astype("timedelta64[D]")
    with open(path, "w") as f:
        f.write("customer_id,order_date,amount\n")
        for i, d, a in zip(ids, days.astype(str), amounts):
            f.write(f"C{i:07d},{d},{a:.2f}\n")
    return ids.size


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--target-dir", default=os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")))
    args = parser.parse_args()
    subprocess.run(["cargo", "build", "--release", "--bin", "tiering"], cwd=ROOT, check=True)
    tiering = os.path.join(args.target_dir, "release", "tiering")
    os.makedirs(os.path.join(DATA, "out"), exist_ok=True)
    path = os.path.join(DATA, f"clv-{args.customers}.csv")
    if not os.path.exists(path):
        simulate(args.customers, path)
    with open(path) as f:
        rows = sum(1 for _ in f) - 1
    ours_report = os.path.join(DATA, "out", "clv-tiering-fit.json")
    theirs_report = os.path.join(DATA, "out", "clv-lifetimes-fit.json")
    ours = measure([tiering, "score", path, "--scorer", "clv", "-q", "--fit-report", ours_report,
                    "-o", os.path.join(DATA, "out", "clv-tiering.csv")], args.runs)
    # The same read and per-customer metrics without the models: what the models add.
    reading = measure([tiering, "score", path, "--scorer", "rfm", "-q",
                       "-o", os.path.join(DATA, "out", "clv-tiering-rfm.csv")], args.runs)
    theirs = measure([sys.executable, "-c", LIFETIMES, path, os.path.join(DATA, "out", "clv-lifetimes.csv"),
                      theirs_report], 1)
    fit = json.load(open(ours_report))
    their_params = json.load(open(theirs_report))
    for key in ("r", "alpha", "a", "b"):
        a, b = fit["bgnbd"][key], their_params[key]
        if abs(a - b) / b > 1e-3:
            sys.exit(f"BG/NBD {key}: tiering {a} vs lifetimes {b}")
    bg = fit["bgnbd_fit"]
    print(f"{bg['customers']:,} customers, {bg['repeat_buyers']:,} repeat buyers, "
          f"{bg['groups']:,} distinct (x, t_x, T); {rows:,} order lines")
    fitted = ", ".join(f"{k} = {fit['bgnbd'][k]:.4f}" for k in ("r", "alpha", "a", "b"))
    print(f"BG/NBD fitted by tiering: {fitted}; lifetimes: "
          + ", ".join(f"{k} = {their_params[k]:.4f}" for k in ("r", "alpha", "a", "b")))
    print("| command | median s | peak RSS MB | × lifetimes |")
    print("|---|---:|---:|---:|")
    rows_of = (("tiering score --scorer clv", ours), ("tiering score --scorer rfm (no model)", reading),
               ("lifetimes (Python)", theirs))
    for name, (wall, rss) in rows_of:
        print(f"| {name} | {wall:.2f} | {rss:.0f} | {wall / theirs[0]:.2f} |")
    print("BG/NBD parameters agree to 1e-3 relative")


if __name__ == "__main__":
    main()
