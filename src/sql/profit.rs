//! The profit scorer in SQL: cost-to-serve per order and per return line, profit, the
//! return rate, percentile ranks of the weighted factors, points, score and tiers by
//! score, all in integers exactly as `scorers::profit` computes them (hundredths rounded
//! half to even, money rates in millionths of a minor unit), so that every engine gives
//! the digits `tiering score` gives. Cost parts and factors over customer-export columns
//! read them as exact decimals (millionths), as `score` does.

use super::dialect::Dialect;
use crate::error::TieringError;
use crate::metrics::METRIC_COLUMNS;
use crate::scorers::pareto::{class_key, class_letter};
use crate::scorers::profit::{
    Direction, EXPORT_NUMBER_SCALE, MONEY_RATE_SCALE, POINTS_SCALE, ProfitScorer,
    RETURN_RATE_SCALE, WEIGHT_SCALE, money_rate_units, weight_units,
};
use crate::scorers::segments::NO_PURCHASE;
use crate::scorers::{Scorer, ScorerSettings};

/// The columns of the `metrics` CTE but `profit`, which this scorer recomputes.
fn metrics_but_profit() -> impl Iterator<Item = &'static str> {
    std::iter::once("customer_id")
        .chain(METRIC_COLUMNS.into_iter().filter(|c| *c != "profit"))
        .chain(["return_lines", "as_of"])
}

/// Refuses columns that are neither a metric nor a column of the customer export.
fn check_supported(ctx: &ScorerSettings, export: &[String]) -> anyhow::Result<()> {
    let p = &ctx.profit;
    let in_export = |column: &str| export.iter().any(|e| e == column);
    let refuse = |what: String| -> anyhow::Result<()> {
        Err(TieringError::usage(
            what,
            Some(if export.is_empty() {
                "join the customer export with --customers TABLE_OR_PATH".into()
            } else {
                format!("the customer export has {}", export.join(", "))
            }),
        )
        .into())
    };
    let parts = p.customer_costs.iter().map(|c| c.column.as_str());
    let capital = p.capital.iter().map(|c| c.days_column.as_str());
    if let Some(column) = parts.chain(capital).find(|c| !in_export(c)) {
        return refuse(format!(
            "[profit] reads `{column}` from the customer export, and the script has no such column"
        ));
    }
    for f in &p.factors {
        let numeric_metric = METRIC_COLUMNS.contains(&f.metric.as_str())
            && !f.metric.ends_with("_date")
            || ["return_rate", "return_lines"].contains(&f.metric.as_str());
        if !numeric_metric && !in_export(&f.metric) {
            return refuse(format!(
                "the [profit] factor `{}` is neither a metric nor a customer-export column",
                f.metric
            ));
        }
    }
    Ok(())
}

/// A customer-export column (text) as an exact count of millionths, as `score` reads it.
fn export_number(d: Dialect, column: &str) -> String {
    format!(
        "CAST(CAST(trim({column}) AS DECIMAL(38, 6)) * {EXPORT_NUMBER_SCALE} AS {})",
        d.wide_int()
    )
}

/// Profit: `scored` with the cost parts, profit, return rate, factor values,
/// percentiles, points, score, loss maker and tier columns.
pub fn profit(
    d: Dialect,
    ctx: &ScorerSettings,
    export: &[String],
) -> anyhow::Result<(String, Vec<String>)> {
    let cuts = ctx.profit.validate()?;
    check_supported(ctx, export)?;
    let p = &ctx.profit;
    let rate = |money: f64| money_rate_units(money, ctx.currency_decimals);
    let cost_part = |count: &str, money: f64| {
        d.half_away(
            &format!("({count} * {})", rate(money)),
            &MONEY_RATE_SCALE.to_string(),
            Dialect::div,
        )
    };
    let wide_int = d.wide_int();
    let mut export_parts = Vec::new();
    for c in &p.customer_costs {
        let units = export_number(d, &format!("m.{}", d.ident(&c.column)));
        let product = format!("({units} * CAST({} AS {wide_int}))", rate(c.per_unit));
        let scale = i128::from(EXPORT_NUMBER_SCALE) * i128::from(MONEY_RATE_SCALE);
        export_parts.push((
            format!("cts_{}", c.column),
            d.half_away(
                &product,
                &format!("CAST({scale} AS {wide_int})"),
                Dialect::wide_div,
            ),
        ));
    }
    if let Some(capital) = &p.capital {
        let days = export_number(d, &format!("m.{}", d.ident(&capital.days_column)));
        let product = format!(
            "(CAST(CASE WHEN m.revenue > 0 THEN m.revenue ELSE 0 END AS {wide_int}) * {days} * CAST({} AS {wide_int}))",
            weight_units(capital.annual_rate)
        );
        let scale = 365 * i128::from(EXPORT_NUMBER_SCALE) * i128::from(WEIGHT_SCALE);
        export_parts.push((
            "cts_capital".to_string(),
            d.half_away(
                &product,
                &format!("CAST({scale} AS {wide_int})"),
                Dialect::wide_div,
            ),
        ));
    }
    let export_part_columns: String = export_parts
        .iter()
        .map(|(name, expr)| {
            format!(
                ",\n         COALESCE(CAST({expr} AS BIGINT), 0) AS {}",
                d.ident(name)
            )
        })
        .collect();
    let all_parts: Vec<String> = ["cts_orders".to_string(), "cts_returns".to_string()]
        .into_iter()
        .chain(export_parts.iter().map(|(name, _)| d.ident(name)))
        .map(|name| format!("p.{name}"))
        .collect();
    let cost_to_serve = format!("({})", all_parts.join(" + "));
    let wide = |expr: &str| format!("CAST({expr} AS {})", d.wide_int());
    let return_rate = format!(
        "CASE WHEN p.revenue + p.returns > 0 THEN CAST({} AS BIGINT) WHEN p.returns > 0 THEN {RETURN_RATE_SCALE} ELSE 0 END",
        d.half_even(
            &format!("({} * {RETURN_RATE_SCALE})", wide("p.returns")),
            &wide("(p.revenue + p.returns)"),
            Dialect::wide_div,
        )
    );
    let full = 100 * POINTS_SCALE;
    let mut rank_columns = Vec::new();
    let mut pct_columns = Vec::new();
    let mut point_columns = Vec::new();
    let mut shown = Vec::new();
    for (i, f) in p.factors.iter().enumerate() {
        let value = if f.metric == "return_rate" {
            "return_rate_units".to_string()
        } else if export.contains(&f.metric) {
            export_number(d, &d.ident(&f.metric))
        } else {
            f.metric.clone()
        };
        let direction = match f.direction {
            Direction::Higher => "ASC",
            Direction::Lower => "DESC",
        };
        // Nulls (an export column left blank) last on every engine, so the others rank
        // among themselves as polars ranks them (PostgreSQL puts nulls first in DESC).
        rank_columns.push(format!(
            "{value} AS value_{i}, RANK() OVER (ORDER BY {value} {direction} NULLS LAST) AS rank_{i}"
        ));
        pct_columns.push(format!(
            "CASE WHEN n <= 1 THEN {full} WHEN value_{i} IS NULL THEN 0 ELSE {} END AS pct_{i}",
            d.half_even(
                &format!("((rank_{i} - 1) * {full})"),
                "(n - 1)",
                Dialect::div
            )
        ));
        point_columns.push(format!(
            "{} AS points_{i}",
            d.half_even(
                &format!("(pct_{i} * {})", weight_units(f.weight)),
                &WEIGHT_SCALE.to_string(),
                Dialect::div
            )
        ));
        let value_out = if f.metric == "return_rate" {
            "t.return_rate".to_string()
        } else {
            format!("t.{}", d.ident(&f.metric))
        };
        shown.push(format!("{value_out} AS {}_value", f.metric));
        shown.push(format!(
            "{} AS {}_pct",
            hundredths(&format!("t.pct_{i}")),
            f.metric
        ));
        shown.push(format!(
            "{} AS {}_points",
            hundredths(&format!("t.points_{i}")),
            f.metric
        ));
    }
    let score_sum: Vec<String> = (0..p.factors.len())
        .map(|i| format!("points_{i}"))
        .collect();
    let classes = cuts.len() + 1;
    let reached: Vec<String> = cuts
        .iter()
        .map(|cut| format!("CASE WHEN (tier_rank - 1) * 10000 >= n * {cut} THEN 1 ELSE 0 END"))
        .collect();
    let pick = |text: &dyn Fn(&str) -> String| -> String {
        let arms: Vec<String> = (0..classes)
            .map(|i| {
                format!(
                    "WHEN c.class_index = {i} THEN {}",
                    d.string(&text(&class_letter(i)))
                )
            })
            .collect();
        format!(
            "CASE WHEN t.orders = 0 THEN {} {} ELSE {} END",
            d.string(&text(NO_PURCHASE)),
            arms.join(" "),
            d.string(&text("loss_making"))
        )
    };
    let key = |id: &str| class_key(id);
    let metric_columns: Vec<String> = metrics_but_profit()
        .map(|c| format!("m.{c}"))
        .chain(export.iter().map(|c| format!("m.{}", d.ident(c))))
        .collect();
    let ctes = format!(
        "profit_parts AS (
  SELECT {metric_columns},
         {cts_orders} AS cts_orders,
         {cts_returns} AS cts_returns{export_part_columns}
  FROM metrics m
),
profit_metrics AS (
  SELECT p.*, {cost_to_serve} AS cost_to_serve,
         p.revenue - COALESCE(p.cost, 0) - {cost_to_serve} AS profit,
         {return_rate} AS return_rate_units
  FROM profit_parts p
),
factor_ranks AS (
  SELECT customer_id, count(*) OVER () AS n,
         {rank_columns}
  FROM profit_metrics WHERE orders > 0
),
factor_pcts AS (
  SELECT customer_id,
         {pct_columns}
  FROM factor_ranks
),
factor_points AS (
  SELECT m.*, {pct_or_zero}
  FROM profit_metrics m LEFT JOIN factor_pcts f ON f.customer_id = m.customer_id
),
profit_points AS (
  SELECT f.*, {point_columns}
  FROM factor_points f
),
profit_scores AS (
  SELECT s.*, {score_sum} AS score_units, {return_rate_out} AS return_rate
  FROM profit_points s
),
tier_ranks AS (
  SELECT customer_id, count(*) OVER () AS n,
         ROW_NUMBER() OVER (ORDER BY score_units DESC, {customer_order}) AS tier_rank
  FROM profit_scores WHERE orders > 0 AND profit >= 0
),
tier_classes AS (
  SELECT customer_id, {class_index} AS class_index
  FROM tier_ranks
),
scored AS (
  SELECT t.*, {shown}, {score} AS score, (t.profit < 0) AS loss_making,
         {tier_id} AS tier_id, {tier} AS tier, {strategy} AS strategy
  FROM profit_scores t LEFT JOIN tier_classes c ON c.customer_id = t.customer_id
)",
        metric_columns = metric_columns.join(", "),
        cts_orders = cost_part("m.orders", p.per_order),
        cts_returns = cost_part("m.return_lines", p.per_return_line),
        rank_columns = rank_columns.join(",\n         "),
        pct_columns = pct_columns.join(",\n         "),
        pct_or_zero = (0..p.factors.len())
            .map(|i| format!("CASE WHEN m.orders > 0 THEN COALESCE(f.pct_{i}, 0) END AS pct_{i}"))
            .collect::<Vec<_>>()
            .join(", "),
        point_columns = point_columns.join(",\n         "),
        score_sum = if score_sum.is_empty() {
            "0".to_string()
        } else {
            score_sum.join(" + ")
        },
        return_rate_out = super::metrics::money_out("return_rate_units", 4),
        customer_order = d.bytewise("customer_id"),
        class_index = if reached.is_empty() {
            "0".to_string()
        } else {
            reached.join(" + ")
        },
        shown = shown.join(",\n         "),
        score = hundredths("t.score_units"),
        tier_id = pick(&|id| id.to_string()),
        tier = pick(&|id| ctx.playbook.name(&key(id), ctx.lang)),
        strategy = pick(&|id| ctx.playbook.strategy(&key(id), ctx.lang)),
    );
    Ok((ctes, ProfitScorer.output_columns(ctx)))
}

/// An integer count of hundredths as an exact decimal.
fn hundredths(expr: &str) -> String {
    super::metrics::money_out(expr, 2)
}
