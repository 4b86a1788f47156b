//! The CTEs from order lines to one row per customer (DESIGN §4), in SQL: typed lines,
//! the as-of date, orders netted, purchases, and the metrics `score` writes.

use super::dialect::Dialect;
use super::source::{CustomerSource, Source};
use crate::input::columns::Canonical;

/// `lines`, `params`, `orders`, `flagged` (orders with `purchase` 0/1), `customer_orders`
/// and `metrics`, comma-separated (no
/// leading WITH). `as_of`: an ISO date, or none for the latest order date.
pub fn metric_ctes(
    d: Dialect,
    source: &Source,
    customers: Option<&CustomerSource>,
    as_of: Option<&str>,
    decimals: u32,
) -> String {
    let text = d.text();
    let column = |c: Canonical| source.columns.get(&c).map(|name| d.ident(name));
    let as_text = |expr: &str| format!("trim(CAST({expr} AS {text}))");
    let customer = as_text(&column(Canonical::CustomerId).expect("required column"));
    let date = format!(
        "CAST(substr({}, 1, 10) AS DATE)",
        as_text(&column(Canonical::OrderDate).expect("required column"))
    );
    // Without an order id, one order per customer per day (DESIGN §3).
    let order = column(Canonical::OrderId)
        .map(|c| format!("CAST({c} AS {text})"))
        .unwrap_or_else(|| format!("CAST({date} AS {text})"));
    let scale = 10i64.pow(decimals);
    let money = |expr: &str| {
        format!(
            "CAST(CAST({} AS DECIMAL(18, {decimals})) * {scale} AS BIGINT)",
            as_text(expr)
        )
    };
    let amount = money(&column(Canonical::Amount).expect("required column"));
    let cost = column(Canonical::Cost)
        .map(|c| money(&c))
        .unwrap_or_else(|| "CAST(NULL AS BIGINT)".into());
    let as_of = match as_of {
        Some(iso) => format!("SELECT {} AS as_of", d.date(iso)),
        None => "SELECT max(order_date) AS as_of FROM lines".into(),
    };
    let rounded_aov = d.half_away("c.revenue", "c.orders", Dialect::div);
    format!(
        "lines AS (
  SELECT {customer} AS customer_id,
         {order} AS order_id,
         {date} AS order_date,
         {amount} AS amount,
         {cost} AS cost
  FROM {relation}
),
params AS (
  {as_of}
),
orders AS (
  SELECT l.customer_id, l.order_id, min(l.order_date) AS order_date, sum(l.amount) AS net,
         sum(CASE WHEN l.amount < 0 THEN -l.amount ELSE 0 END) AS returns,
         max(CASE WHEN l.amount < 0 THEN 1 ELSE 0 END) AS has_return,
         sum(CASE WHEN l.amount < 0 THEN 1 ELSE 0 END) AS return_lines,
         sum(l.cost) AS cost
  FROM lines l CROSS JOIN params p
  WHERE l.order_date <= p.as_of
  GROUP BY l.customer_id, l.order_id
),
flagged AS (
  SELECT o.*, CASE WHEN o.net > 0 OR (o.net = 0 AND o.has_return = 0) THEN 1 ELSE 0 END AS purchase
  FROM orders o
),
customer_orders AS (
  SELECT customer_id,
         min(CASE WHEN purchase = 1 THEN order_date END) AS first_order_date,
         max(CASE WHEN purchase = 1 THEN order_date END) AS last_order_date,
         CAST(sum(purchase) AS BIGINT) AS orders,
         CAST(sum(net) AS BIGINT) AS revenue,
         CAST(sum(returns) AS BIGINT) AS returns,
         CAST(sum(return_lines) AS BIGINT) AS return_lines,
         CAST(sum(cost) AS BIGINT) AS cost
  FROM flagged
  GROUP BY customer_id
),
{metrics_name} AS (
  SELECT c.customer_id, c.first_order_date, c.last_order_date,
         {recency} AS recency_days,
         {tenure} AS tenure_days,
         CAST(c.orders AS BIGINT) AS orders, c.revenue, c.returns, c.return_lines, c.cost,
         c.revenue - c.cost AS profit,
         CASE WHEN c.orders > 0 THEN {rounded_aov} END AS aov,
         p.as_of
  FROM customer_orders c CROSS JOIN params p
){export}",
        relation = source.relation,
        metrics_name = if customers.is_some() {
            "order_metrics"
        } else {
            "metrics"
        },
        export = customers.map(|c| export_ctes(d, c)).unwrap_or_default(),
        recency = d.days_between("c.last_order_date", "p.as_of"),
        tenure = d.days_between("c.first_order_date", "p.as_of"),
    )
}

/// The customer export joined to the order metrics (`order_metrics`) as `metrics`, as
/// `score --customers` joins it: every customer of either side, the export's columns as
/// text (empty is NULL), customers without orders with zero orders, revenue and returns.
fn export_ctes(d: Dialect, customers: &CustomerSource) -> String {
    let text = d.text();
    let columns: Vec<String> = customers
        .columns
        .iter()
        .map(|(source, name)| {
            format!(
                "NULLIF(CAST({} AS {text}), '') AS {}",
                d.ident(source),
                d.ident(name)
            )
        })
        .collect();
    let passed: Vec<String> = customers
        .columns
        .iter()
        .map(|(_, name)| format!("e.{}", d.ident(name)))
        .collect();
    let select_columns = |list: &[String]| {
        if list.is_empty() {
            String::new()
        } else {
            format!(", {}", list.join(", "))
        }
    };
    format!(
        ",
customer_export AS (
  SELECT trim(CAST({id} AS {text})) AS customer_id{columns}
  FROM {relation}
),
metrics AS (
  SELECT COALESCE(m.customer_id, e.customer_id) AS customer_id,
         m.first_order_date, m.last_order_date, m.recency_days, m.tenure_days,
         COALESCE(m.orders, 0) AS orders, COALESCE(m.revenue, 0) AS revenue,
         COALESCE(m.returns, 0) AS returns, COALESCE(m.return_lines, 0) AS return_lines,
         m.cost, m.profit, m.aov, p.as_of{passed}
  FROM order_metrics m
  FULL OUTER JOIN customer_export e ON e.customer_id = m.customer_id
  CROSS JOIN params p
)",
        id = d.ident(&customers.id),
        columns = select_columns(&columns),
        relation = customers.relation,
        passed = select_columns(&passed),
    )
}

/// `units` minor units as an exact decimal with `decimals` digits.
pub fn money_out(expr: &str, decimals: u32) -> String {
    if decimals == 0 {
        return format!("CAST({expr} AS DECIMAL(18, 0))");
    }
    let unit = format!("0.{}1", "0".repeat(decimals as usize - 1));
    format!("CAST(CAST({expr} AS DECIMAL(18, 0)) * {unit} AS DECIMAL(18, {decimals}))")
}
