"""Recompute the report history's retention and churn from the tier files with DuckDB.

usage: history_duckdb.py DIR LAPSED_TIERS(comma-separated)

For every pair of consecutive tiers-DATE.parquet files in DIR, per tier of the earlier
file: its members (the base), how many bought after the earlier as-of date (recency_days
in the later file is below the days between the dates), and how many are now in a lapsed
tier or without a purchase. Prints CSV: period,tier,base,retained,churned.
"""

import glob
import os
import sys

import duckdb


def main():
    directory, lapsed = sys.argv[1], [t for t in sys.argv[2].split(",") if t]
    lapsed.append("no_purchase")
    files = sorted(glob.glob(os.path.join(directory, "tiers-*.parquet")))
    con = duckdb.connect()
    print("period,tier,base,retained,churned")
    for before, after in zip(files, files[1:]):
        rows = con.execute(
            """
            SELECT CAST(a.as_of AS VARCHAR) AS period, b.tier_id AS tier, count(*) AS base,
                   count(*) FILTER (WHERE a.orders > 0
                                      AND a.recency_days < date_diff('day', CAST(b.as_of AS DATE), CAST(a.as_of AS DATE))) AS retained,
                   count(*) FILTER (WHERE a.customer_id IS NULL OR list_contains(?, a.tier_id)) AS churned
            FROM read_parquet(?) b
            LEFT JOIN read_parquet(?) a ON a.customer_id = b.customer_id
            GROUP BY ALL
            ORDER BY tier
            """,
            [lapsed, before, after],
        ).fetchall()
        for period, tier, base, retained, churned in rows:
            print(f"{period},{tier},{base},{retained},{churned}")


if __name__ == "__main__":
    main()
