"""Pareto / ABC classes computed by DuckDB SQL written from DESIGN.md §5, independently.

usage: pareto_duckdb.py ORDERS.csv AS_OF CUTS BY   (CUTS: cumulative percents "80,95"; BY: share | count)
prints CSV: customer_id,pareto_rank,cum_value_cents,abc_class
"""
import sys

import duckdb

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
WITH lines AS (
  SELECT trim(customer_id) AS customer_id, order_id,
         CAST(order_date AS DATE) AS order_date,
         CAST(CAST(amount AS DECIMAL(18, 2)) * 100 AS BIGINT) AS cents
  FROM read_csv('{path}', all_varchar = true, header = true)
  WHERE CAST(order_date AS DATE) <= DATE '{as_of}'
),
orders AS (
  SELECT customer_id, order_id, sum(cents) AS net, bool_or(cents < 0) AS has_return
  FROM lines GROUP BY customer_id, order_id
),
customers AS (
  SELECT customer_id, sum(net) AS revenue,
         count(*) FILTER (WHERE net > 0 OR (net = 0 AND NOT has_return)) AS orders
  FROM orders GROUP BY customer_id
),
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
