"""Cross-check of `tiering score --scorer cluster` against scikit-learn's KMeans.

Reads the scores tiering wrote (CSV), builds the default features from its metric
columns independently (ln(1 + recency_days), ln(1 + orders), ln(1 + max(revenue, 0)),
z-scored with the population standard deviation over purchasers), fits
KMeans(k, n_init=10, random_state=0) and prints JSON: scikit-learn's inertia, and the
adjusted Rand index between its labels and tiering's `cluster` column.

usage: cluster_sklearn.py SCORES.csv K
"""

import csv
import json
import math
import sys

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score


def main():
    path, k = sys.argv[1], int(sys.argv[2])
    rows = [r for r in csv.DictReader(open(path, newline="", encoding="utf-8")) if int(r["orders"]) > 0]
    features = np.array(
        [
            [
                math.log1p(float(r["recency_days"])),
                math.log1p(float(r["orders"])),
                math.log1p(max(float(r["revenue"]), 0.0)),
            ]
            for r in rows
        ]
    )
    std = features.std(axis=0)
    std[std == 0] = 1.0
    z = (features - features.mean(axis=0)) / std
    model = KMeans(n_clusters=k, n_init=10, random_state=0).fit(z)
    theirs = [int(r["cluster"]) for r in rows]
    print(
        json.dumps(
            {
                "purchasers": len(rows),
                "inertia": float(model.inertia_),
                "ari": float(adjusted_rand_score(theirs, model.labels_)),
            }
        )
    )


if __name__ == "__main__":
    main()
