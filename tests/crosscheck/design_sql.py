"""DuckDB SQL written from DESIGN.md §4-5, shared by the cross-check scripts and the
benchmark so there is one independent statement of the semantics, not several."""


def source(path):
    """The order lines of a CSV (read as text) or Parquet file."""
    if path.endswith(".parquet"):
        return f"read_parquet('{path}')"
    return f"read_csv('{path}', all_varchar = true, header = true)"


def as_of_sql(path, as_of):
    """DATE 'YYYY-MM-DD', or the latest order date when as_of is 'latest'."""
    if as_of == "latest":
        return f"(SELECT max(CAST(order_date AS DATE)) FROM {source(path)})"
    return f"DATE '{as_of}'"


def customer_metrics(path, as_of):
    """CTEs ending in `customers(customer_id, orders, revenue, recency)`: lines on or before
    the as-of date, orders netted, purchases = net > 0 or net = 0 without a return line."""
    day = as_of_sql(path, as_of)
    return f"""
lines AS (
  SELECT trim(customer_id) AS customer_id, order_id,
         CAST(order_date AS DATE) AS order_date,
         CAST(CAST(amount AS DECIMAL(18, 2)) * 100 AS BIGINT) AS cents
  FROM {source(path)}
  WHERE CAST(order_date AS DATE) <= {day}
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
         date_diff('day', max(order_date) FILTER (WHERE purchase), {day}) AS recency
  FROM flagged GROUP BY customer_id
)"""


def ntile_of_position(position, bins):
    """NTILE bucket of a 1-based position among n rows (column `n`), DESIGN §5."""
    return f"""CASE WHEN {position} <= (n % {bins}) * (n // {bins} + 1)
     THEN ({position} - 1) // (n // {bins} + 1) + 1
     ELSE (n % {bins}) + ({position} - (n % {bins}) * (n // {bins} + 1) - 1) // NULLIF(n // {bins}, 0) + 1 END"""
