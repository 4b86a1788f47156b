"""RFM scores computed by DuckDB SQL written from DESIGN.md §4-5, independently of tiering.

usage: rfm_duckdb.py ORDERS.csv|.parquet AS_OF|latest BINS TIES [--copy-to OUT.csv]
       (TIES: shared | split)
prints CSV (or writes it with COPY): customer_id,orders,revenue_cents,recency_days,
r_score,f_score,m_score
"""
import os
import sys

import duckdb

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from design_sql import customer_metrics, ntile_of_position  # noqa: E402

path, as_of, bins, ties = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
copy_to = sys.argv[6] if len(sys.argv) > 6 and sys.argv[5] == "--copy-to" else None


def score(position, order):
    # Shared ties: the NTILE bucket of the RANK() position; split: SQL's own NTILE over
    # (value, customer_id), which is the same definition.
    if ties == "shared":
        return ntile_of_position(position, bins)
    return f"NTILE({bins}) OVER (ORDER BY {order}, customer_id)"


sql = f"""
WITH {customer_metrics(path, as_of)},
ranked AS (
  SELECT *, count(*) OVER () AS n,
         RANK() OVER (ORDER BY recency DESC) AS pr,
         RANK() OVER (ORDER BY orders) AS pf,
         RANK() OVER (ORDER BY revenue) AS pm
  FROM customers WHERE orders > 0
)
SELECT customer_id, orders, revenue AS revenue_cents, recency AS recency_days,
       {score('pr', 'recency DESC')} AS r_score,
       {score('pf', 'orders')} AS f_score,
       {score('pm', 'revenue')} AS m_score
FROM ranked ORDER BY customer_id
"""

if copy_to:
    duckdb.sql(f"COPY ({sql}) TO '{copy_to}' (HEADER, DELIMITER ',')")
else:
    print("customer_id,orders,revenue_cents,recency_days,r_score,f_score,m_score")
    for row in duckdb.sql(sql).fetchall():
        print(",".join(str(v) for v in row))
