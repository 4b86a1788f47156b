"""RFM scores computed by DuckDB SQL written from DESIGN.md §4-5, independently of tiering.

usage: rfm_duckdb.py ORDERS.csv AS_OF BINS TIES   (TIES: shared | split)
prints CSV: customer_id,orders,revenue_cents,recency_days,r_score,f_score,m_score
"""
import sys

import duckdb

path, as_of, bins, ties = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]

# Shared ties: the NTILE bucket of the RANK() position, written out from DESIGN §5.
# Split ties: SQL's own NTILE over (value, customer_id), which is the same definition.
bucket = """CASE WHEN {p} <= (n % {b}) * (n // {b} + 1)
     THEN ({p} - 1) // (n // {b} + 1) + 1
     ELSE (n % {b}) + ({p} - (n % {b}) * (n // {b} + 1) - 1) // NULLIF(n // {b}, 0) + 1 END"""


def score(position, order):
    if ties == "shared":
        return bucket.format(p=position, b=bins)
    return f"NTILE({bins}) OVER (ORDER BY {order}, customer_id)"


sql = f"""
WITH lines AS (
  SELECT trim(customer_id) AS customer_id, order_id,
         CAST(order_date AS DATE) AS order_date,
         CAST(CAST(amount AS DECIMAL(18, 2)) * 100 AS BIGINT) AS cents
  FROM read_csv('{path}', all_varchar = true, header = true)
  WHERE CAST(order_date AS DATE) <= DATE '{as_of}'
),
orders AS (
  SELECT customer_id, order_id, min(order_date) AS order_date,
         sum(cents) AS net, bool_or(cents < 0) AS has_return
  FROM lines GROUP BY customer_id, order_id
),
flagged AS (
  SELECT *, (net > 0 OR (net = 0 AND NOT has_return)) AS purchase FROM orders
),
customers AS (
  SELECT customer_id,
         count(*) FILTER (WHERE purchase) AS orders,
         sum(net) AS revenue,
         date_diff('day', max(order_date) FILTER (WHERE purchase), DATE '{as_of}') AS recency
  FROM flagged GROUP BY customer_id
),
ranked AS (
  SELECT *, count(*) OVER () AS n,
         RANK() OVER (ORDER BY recency DESC) AS pr,
         RANK() OVER (ORDER BY orders) AS pf,
         RANK() OVER (ORDER BY revenue) AS pm
  FROM customers WHERE orders > 0
)
SELECT customer_id, orders, revenue, recency,
       {score('pr', 'recency DESC')} AS r_score,
       {score('pf', 'orders')} AS f_score,
       {score('pm', 'revenue')} AS m_score
FROM ranked ORDER BY customer_id
"""

print("customer_id,orders,revenue_cents,recency_days,r_score,f_score,m_score")
for row in duckdb.sql(sql).fetchall():
    print(",".join(str(v) for v in row))
