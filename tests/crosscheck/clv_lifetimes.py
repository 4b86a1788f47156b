"""CLV cross-check against the `lifetimes` Python package (Davidson-Pilon et al.), an
independent implementation of BG/NBD and Gamma-Gamma.

usage:
  clv_lifetimes.py fit ORDERS.csv CALIBRATION_END HOLDOUT_END
      summary from the transactions by lifetimes itself (days, then weeks), BG/NBD and
      Gamma-Gamma fitted by lifetimes; prints JSON with the parameters, the BG/NBD
      log-likelihood at them (Fader-Hardie-Lee eq. 6, written here with scipy), and the
      predicted and actual purchases in the holdout period.
  clv_lifetimes.py formulas TIERING_CLV.csv ORDERS.csv AS_OF HORIZON_WEEKS r alpha a b p q gamma
      per customer of tiering's `--scorer clv` output, lifetimes' own summary (x, t_x, T),
      P(alive), conditional expected purchases and expected spend at the given
      parameters; prints JSON with the largest absolute differences from tiering's columns.
"""
import json
import sys

import numpy as np
import pandas as pd
from scipy.special import gammaln

from lifetimes import BetaGeoFitter, GammaGammaFitter
from lifetimes.utils import summary_data_from_transaction_data


def bgnbd_log_likelihood(r, alpha, a, b, x, t_x, T):
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
    a3 = -(r + x) * np.log(alpha + T)
    a4 = np.where(x > 0, np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) - (r + x) * np.log(alpha + t_x), -np.inf)
    return float(np.sum(a1 + a2 + np.logaddexp(a3, a4)))


def transactions(orders):
    tx = pd.read_csv(orders, dtype={"customer_id": str})
    tx["order_date"] = pd.to_datetime(tx["order_date"])
    return tx


def summary(tx, as_of):
    """lifetimes' own (x, t_x, T) in weeks and mean repeat-day spend, as of a date."""
    s = summary_data_from_transaction_data(
        tx[tx["order_date"] <= as_of], "customer_id", "order_date",
        monetary_value_col="amount", observation_period_end=as_of, freq="D")
    return s, s["frequency"].values, s["recency"].values / 7.0, s["T"].values / 7.0


def fit(orders, calibration_end, holdout_end):
    tx = transactions(orders)
    s, x, t_x, T = summary(tx, calibration_end)
    bgf = BetaGeoFitter().fit(x, t_x, T)
    p = bgf.params_
    repeat = s[s["frequency"] > 0]
    ggf = GammaGammaFitter().fit(repeat["frequency"], repeat["monetary_value"])
    holdout_weeks = (pd.Timestamp(holdout_end) - pd.Timestamp(calibration_end)).days / 7.0
    predicted = bgf.conditional_expected_number_of_purchases_up_to_time(holdout_weeks, x, t_x, T)
    later = tx[(tx["order_date"] > calibration_end) & (tx["order_date"] <= holdout_end)]
    later = later[later["customer_id"].isin(s.index)]
    actual = later.drop_duplicates(["customer_id", "order_date"]).shape[0]
    print(json.dumps({
        "customers": int(len(s)),
        "repeat_buyers": int(len(repeat)),
        "r": p["r"], "alpha": p["alpha"], "a": p["a"], "b": p["b"],
        "log_likelihood": bgnbd_log_likelihood(p["r"], p["alpha"], p["a"], p["b"], x, t_x, T),
        "p": ggf.params_["p"], "q": ggf.params_["q"], "gamma": ggf.params_["v"],
        "holdout_predicted": float(np.sum(predicted)),
        "holdout_actual": int(actual),
    }))


def formulas(path, orders, as_of, horizon, r, alpha, a, b, p, q, gamma):
    out = pd.read_csv(path, dtype={"customer_id": str}).set_index("customer_id")
    s, x, t_x, T = summary(transactions(orders), as_of)
    out = out.loc[s.index]
    bgf = BetaGeoFitter()
    bgf.params_ = pd.Series({"r": r, "alpha": alpha, "a": a, "b": b})
    ggf = GammaGammaFitter()
    ggf.params_ = pd.Series({"p": p, "q": q, "v": gamma})
    alive = bgf.conditional_probability_alive(x, t_x, T)
    purchases = bgf.conditional_expected_number_of_purchases_up_to_time(horizon, x, t_x, T)
    spend = ggf.conditional_expected_average_profit(s["frequency"], s["monetary_value"])
    print(json.dumps({
        "customers": int(len(out)),
        "summary": float(max(np.max(np.abs(x - out["frequency"].values)),
                             np.max(np.abs(t_x - out["recency_t"].values)),
                             np.max(np.abs(T - out["age_t"].values)))),
        "p_alive": float(np.max(np.abs(alive - out["p_alive"].values))),
        "expected_purchases": float(np.max(np.abs(purchases - out["expected_purchases"].values))),
        "expected_spend": float(np.max(np.abs(spend.values - out["expected_spend"].values))),
    }))


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "fit":
        fit(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        formulas(sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5]), *map(float, sys.argv[6:13]))
