"""Pareto / ABC classes computed by DuckDB SQL written from DESIGN.md §5, independently.

usage: pareto_duckdb.py ORDERS.csv AS_OF CUTS BY   (CUTS: cumulative percents "80,95"; BY: share | count)
prints CSV: customer_id,pareto_rank,cum_value_cents,abc_class
"""
import os
import sys

import duckdb

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from design_sql import customer_metrics  # noqa: E402

path, as_of, cuts, by = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
# basis points, so shares compare exactly in integers
cuts_bp = [round(float(c) * 100) for c in cuts.split(",")]

if by == "share":
    before, whole = "(cum - pos)", "total"
else:
    before, whole = "(rnk - 1)", "n"
reached = " + ".join(f"CAST({before} * 10000 >= {bp} * {whole} AS INTEGER)" for bp in cuts_bp)
last = len(cuts_bp)

sql = f"""
WITH {customer_metrics(path, as_of)},
ranked AS (
  SELECT customer_id, revenue,
         ROW_NUMBER() OVER (ORDER BY revenue DESC, customer_id) AS rnk,
         GREATEST(revenue, 0) AS pos
  FROM customers WHERE orders > 0
),
cumulative AS (
  SELECT *, SUM(pos) OVER (ORDER BY rnk ROWS UNBOUNDED PRECEDING) AS cum,
         SUM(pos) OVER () AS total, COUNT(*) OVER () AS n
  FROM ranked
)
SELECT customer_id, rnk, cum,
       chr(65 + CASE WHEN revenue <= 0 THEN {last} ELSE {reached} END) AS abc_class
FROM cumulative ORDER BY customer_id
"""

print("customer_id,pareto_rank,cum_value_cents,abc_class")
for row in duckdb.sql(sql).fetchall():
    print(",".join(str(v) for v in row))
