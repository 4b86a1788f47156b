//! The scorers in SQL: RFM (NTILE positions under the tie policy, the segment map as a
//! VALUES table), Pareto/ABC with fixed cuts (exact integer comparisons) and threshold
//! rules (the conditions as written, over metrics and trailing windows), each ending in a
//! `scored` CTE with one row per customer.

use super::dialect::Dialect;
use crate::error::TieringError;
use crate::metrics::{METRIC_COLUMNS, MONEY_COLUMNS, MONTHLY_METRICS, WindowKind};
use crate::scorers::breaks::score_sql;
use crate::scorers::ntile::TiePolicy;
use crate::scorers::pareto::ParetoScorer;
use crate::scorers::pareto::{Basis, CutBy, class_key, class_letter};
use crate::scorers::rfm::RfmScorer;
use crate::scorers::rules::RulesScorer;
use crate::scorers::rules::{Span, parse_window_name};
use crate::scorers::segments::NO_PURCHASE;
use crate::scorers::{Scorer, ScorerSettings};

/// NTILE(bins) bucket of 1-based `position` among `n` rows (DESIGN §5).
fn bucket(d: Dialect, position: &str, bins: u32) -> String {
    let q = d.div("n", &bins.to_string());
    let r = format!("(n - {q} * {bins})");
    let large = format!("({q} + 1)");
    let in_large = format!("({r} * {large})");
    format!(
        "CASE WHEN {position} <= {in_large} THEN {first} + 1 ELSE {r} + {rest} + 1 END",
        first = d.div(&format!("({position} - 1)"), large.as_str()),
        rest = d.div(
            &format!("({position} - {in_large} - 1)"),
            &format!("(CASE WHEN {q} = 0 THEN 1 ELSE {q} END)")
        ),
    )
}

/// The position of a customer ordered worst to best by `order` under the tie policy.
fn position(d: Dialect, order: &str, ties: TiePolicy) -> String {
    match ties {
        TiePolicy::Shared => format!("RANK() OVER (ORDER BY {order})"),
        TiePolicy::Split => format!(
            "ROW_NUMBER() OVER (ORDER BY {order}, {})",
            d.bytewise("customer_id")
        ),
    }
}

/// RFM: `scored` with r/f/m scores, rfm_code and the segment columns.
pub fn rfm(d: Dialect, ctx: &ScorerSettings) -> anyhow::Result<(String, Vec<String>)> {
    let lookup = ctx
        .segments
        .lookup_table(ctx.bins, &ctx.playbook, ctx.lang)?;
    let text = |name: &str, row: usize| -> anyhow::Result<String> {
        Ok(d.string(lookup.column(name)?.str()?.get(row).unwrap_or_default()))
    };
    let int = |name: &str, row: usize| -> anyhow::Result<i64> {
        Ok(lookup.column(name)?.i64()?.get(row).unwrap_or_default())
    };
    let mut values = Vec::with_capacity(lookup.height());
    for row in 0..lookup.height() {
        values.push(format!(
            "({}, {}, {}, {}, {}, {}, {})",
            int("r_score", row)?,
            int("f_score", row)?,
            int("m_score", row)?,
            text("rfm_code", row)?,
            text("segment_id", row)?,
            text("segment", row)?,
            text("strategy", row)?
        ));
    }
    let score =
        |ctx: &ScorerSettings, metric: &str, position: &str, lower_is_better: bool| match ctx
            .breaks
            .of(metric)
        {
            Some(breaks) => score_sql(metric, breaks, lower_is_better, ctx.bins),
            None => bucket(d, position, ctx.bins),
        };
    let none = |what: &str, value: String| format!("COALESCE(s.{what}, {value}) AS {what}");
    let ctes = format!(
        "ranked AS (
  SELECT customer_id, recency_days, orders, revenue, count(*) OVER () AS n,
         {r} AS r_position,
         {f} AS f_position,
         {m} AS m_position
  FROM metrics WHERE orders > 0
),
scores AS (
  SELECT customer_id, {r_bucket} AS r_score, {f_bucket} AS f_score, {m_bucket} AS m_score
  FROM ranked
),
segment_map AS (
  SELECT * FROM (VALUES
    {values}
  ) AS t(r_score, f_score, m_score, rfm_code, segment_id, segment, strategy)
),
scored AS (
  SELECT m.*, c.r_score, c.f_score, c.m_score, s.rfm_code,
         {segment_id}, {segment}, {strategy}
  FROM metrics m
  LEFT JOIN scores c ON c.customer_id = m.customer_id
  LEFT JOIN segment_map s
    ON s.r_score = c.r_score AND s.f_score = c.f_score AND s.m_score = c.m_score
)",
        r = position(d, "recency_days DESC", ctx.ties),
        f = position(d, "orders", ctx.ties),
        m = position(d, "revenue", ctx.ties),
        r_bucket = score(ctx, "recency_days", "r_position", true),
        f_bucket = score(ctx, "orders", "f_position", false),
        m_bucket = score(ctx, "revenue", "m_position", false),
        values = values.join(",\n    "),
        segment_id = none("segment_id", d.string(NO_PURCHASE)),
        segment = none(
            "segment",
            d.string(&ctx.playbook.name(NO_PURCHASE, ctx.lang))
        ),
        strategy = none(
            "strategy",
            d.string(&ctx.playbook.strategy(NO_PURCHASE, ctx.lang))
        ),
    );
    // score's columns but the score ranges (r_from ... m_to), which explain, not score.
    let columns = RfmScorer
        .output_columns(ctx)
        .into_iter()
        .filter(|c| !c.ends_with("_from") && !c.ends_with("_to"))
        .collect();
    Ok((ctes, columns))
}

/// Pareto/ABC with fixed cuts: `scored` with rank, value, cumulative value and share,
/// class, upgrade candidate, loss maker and the tier columns.
pub fn pareto(d: Dialect, ctx: &ScorerSettings) -> anyhow::Result<(String, Vec<String>)> {
    let p = &ctx.pareto;
    let value = match p.basis {
        Basis::Revenue => "revenue",
        Basis::Profit => "profit",
    };
    let classes = p.cuts.len() + 1;
    let reached = |before: &str, whole: &str, cuts: &[u32]| -> String {
        let terms: Vec<String> = cuts
            .iter()
            .map(|cut| format!("CASE WHEN {before} * 10000 >= {whole} * {cut} THEN 1 ELSE 0 END"))
            .collect();
        if terms.is_empty() {
            "0".into()
        } else {
            terms.join(" + ")
        }
    };
    let class = match p.by {
        CutBy::Share => reached("cum_before", "total", &p.cuts),
        CutBy::Count => reached("(pareto_rank - 1)", "n", &p.cuts),
    };
    let first_cut = p.cuts.first().copied().unwrap_or(8000);
    let again = match p.by {
        CutBy::Share => reached("(cum_before - a_value)", "b_value", &[first_cut]),
        CutBy::Count => reached("(pareto_rank - 1 - a_count)", "b_count", &[first_cut]),
    };
    let pick = |text: &dyn Fn(usize) -> String| -> String {
        let arms: Vec<String> = (0..classes)
            .map(|i| format!("WHEN {i} THEN {}", d.string(&text(i))))
            .collect();
        format!("CASE class_index {} END", arms.join(" "))
    };
    let key = |i: usize| class_key(&class_letter(i));
    let order = format!("pareto_value DESC, {}", d.bytewise("customer_id"));
    let none = |what: &str, value: String| format!("COALESCE(c.{what}, {value}) AS {what}");
    let ctes = format!(
        "ranked AS (
  SELECT customer_id, {value} AS pareto_value,
         CASE WHEN {value} > 0 THEN {value} ELSE 0 END AS positive
  FROM metrics WHERE orders > 0
),
cumulated AS (
  SELECT customer_id, pareto_value, positive,
         ROW_NUMBER() OVER (ORDER BY {order}) AS pareto_rank,
         sum(positive) OVER (ORDER BY {order} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cum_value,
         sum(positive) OVER () AS total,
         count(*) OVER () AS n
  FROM ranked
),
classed AS (
  SELECT x.*,
         CASE WHEN pareto_value > 0 THEN {class_by_cumulative} ELSE {last} END AS class_index
  FROM (SELECT *, cum_value - positive AS cum_before FROM cumulated) x
),
b_sizes AS (
  SELECT sum(CASE WHEN class_index = 0 THEN positive ELSE 0 END) AS a_value,
         sum(CASE WHEN class_index = 1 THEN positive ELSE 0 END) AS b_value,
         sum(CASE WHEN class_index = 0 THEN 1 ELSE 0 END) AS a_count,
         sum(CASE WHEN class_index = 1 THEN 1 ELSE 0 END) AS b_count
  FROM classed
),
classes AS (
  SELECT k.customer_id, k.pareto_rank, k.pareto_value, k.cum_value,
         CASE WHEN k.total = 0 THEN NULL ELSE {cum_share} END AS cum_share,
         {letter} AS abc_class,
         (k.class_index = 1 AND ({again}) = 0) AS upgrade_candidate,
         {letter} AS tier_id,
         {name} AS tier,
         {strategy} AS strategy
  FROM (SELECT c.*, b.a_value, b.b_value, b.a_count, b.b_count FROM classed c CROSS JOIN b_sizes b) k
),
scored AS (
  SELECT m.*, c.pareto_rank, c.pareto_value, c.cum_value, c.cum_share, c.abc_class,
         c.upgrade_candidate, (m.profit < 0) AS loss_making,
         {tier_id}, {tier}, {tier_strategy}
  FROM metrics m LEFT JOIN classes c ON c.customer_id = m.customer_id
)",
        class_by_cumulative = class,
        last = classes - 1,
        cum_share = d.share("k.cum_value", "k.total"),
        letter = pick(&class_letter),
        name = pick(&|i| ctx.playbook.name(&key(i), ctx.lang)),
        strategy = pick(&|i| ctx.playbook.strategy(&key(i), ctx.lang)),
        tier_id = none("tier_id", d.string(NO_PURCHASE)),
        tier = none("tier", d.string(&ctx.playbook.name(NO_PURCHASE, ctx.lang))),
        tier_strategy = none("strategy", d.string(&ctx.playbook.strategy(NO_PURCHASE, ctx.lang))),
    );
    Ok((ctes, ParetoScorer.output_columns(ctx)))
}

/// Columns of the `metrics` CTE a rule may read: score's metrics and these.
const MORE_RULE_COLUMNS: [&str; 3] = ["customer_id", "return_lines", "as_of"];

/// Threshold rules: the conditions as written, over the metrics and trailing windows with
/// money in currency units (as `score` evaluates them), first match wins.
pub fn rules(
    d: Dialect,
    ctx: &ScorerSettings,
    export: &[String],
) -> anyhow::Result<(String, Vec<String>)> {
    let mut windows = Vec::new();
    for name in ctx.rules.columns() {
        match parse_window_name(&name) {
            Some((kind, span)) => windows.push((name, kind, span)),
            None if METRIC_COLUMNS.contains(&name.as_str())
                || MORE_RULE_COLUMNS.contains(&name.as_str())
                || MONTHLY_METRICS.contains(&name.as_str())
                || export.contains(&name) => {}
            None => {
                return Err(TieringError::usage(
                    format!("a rule reads `{name}`, which `tiering sql` does not compute"),
                    Some(format!(
                        "rules in SQL may read {}, windows like revenue_12m or orders_90d, active_months_12m, revenue_cv_12m, and the columns of a customer export joined with --customers{}",
                        [&METRIC_COLUMNS[..], &MORE_RULE_COLUMNS[..]].concat().join(", "),
                        if export.is_empty() {
                            String::new()
                        } else {
                            format!(" ({})", export.join(", "))
                        }
                    )),
                )
                .into());
            }
        }
    }
    let scale = 10i64.pow(ctx.currency_decimals);
    let double = d.double();
    let money = |expr: &str| format!("CAST({expr} AS {double}) / {scale}");
    let window_sums: Vec<String> = windows
        .iter()
        .map(|(name, kind, span)| {
            let start = match span {
                Span::Days(days) => d.days_before("p.as_of", *days),
                Span::Months(months) => d.months_before("p.as_of", *months),
            };
            let value = match kind {
                WindowKind::Revenue => "f.net",
                WindowKind::Orders => "f.purchase",
            };
            format!(
                "CAST(sum(CASE WHEN f.order_date > {start} AND f.order_date <= p.as_of THEN {value} ELSE 0 END) AS BIGINT) AS {name}"
            )
        })
        .collect();
    let is_money = |name: &str| {
        MONEY_COLUMNS.contains(&name)
            || windows
                .iter()
                .any(|(w, kind, _)| w == name && *kind == WindowKind::Revenue)
    };
    let used = ctx.rules.columns();
    let monthly: Vec<&str> = MONTHLY_METRICS
        .iter()
        .copied()
        .filter(|m| used.iter().any(|u| u == m))
        .collect();
    let steady_column = |name: &str| {
        if name == MONTHLY_METRICS[0] {
            format!("COALESCE(s.{name}, 0)")
        } else {
            format!("s.{name}")
        }
    };
    let mut view = vec!["m.customer_id AS rule_customer".to_string()];
    for name in ctx.rules.columns() {
        let source = if windows.iter().any(|(w, _, _)| *w == name) {
            format!("w.{name}")
        } else if monthly.contains(&name.as_str()) {
            steady_column(&name)
        } else if export.contains(&name) {
            format!("m.{}", d.ident(&name))
        } else {
            format!("m.{name}")
        };
        view.push(if is_money(&name) {
            format!("{} AS {name}", money(&source))
        } else {
            format!("{source} AS {name}")
        });
    }
    let rules = ctx.rules.rules();
    let arms: Vec<String> = rules
        .iter()
        .enumerate()
        .filter_map(|(i, rule)| {
            rule.when
                .as_ref()
                .map(|when| format!("WHEN ({when}) THEN {}", i + 1))
        })
        .collect();
    let texts: Vec<String> = rules
        .iter()
        .enumerate()
        .map(|(i, rule)| {
            format!(
                "({}, {}, {}, {}, {})",
                i + 1,
                d.string(rule.when.as_deref().unwrap_or("default")),
                d.string(&rule.tier),
                d.string(&ctx.playbook.name(&rule.tier, ctx.lang)),
                d.string(&ctx.playbook.strategy(&rule.tier, ctx.lang))
            )
        })
        .collect();
    let no_purchase = |what: &str, value: String| {
        format!("CASE WHEN m.orders = 0 THEN {value} ELSE t.{what} END AS {what}")
    };
    let mut window_columns: Vec<String> = windows
        .iter()
        .map(|(name, _, _)| format!("w.{name}"))
        .collect();
    window_columns.extend(
        monthly
            .iter()
            .map(|name| format!("{} AS {name}", steady_column(name))),
    );
    let window_select = if windows.is_empty() {
        String::new()
    } else {
        format!(", {}", window_sums.join(",\n         "))
    };
    let window_output = if window_columns.is_empty() {
        String::new()
    } else {
        format!("{}, ", window_columns.join(", "))
    };
    let ctes = format!(
        "{steady}windows AS (
  SELECT f.customer_id{window_select}
  FROM flagged f CROSS JOIN params p
  GROUP BY f.customer_id
),
rule_view AS (
  SELECT {view}
  FROM metrics m LEFT JOIN windows w ON w.customer_id = m.customer_id{steady_join}
),
fired AS (
  SELECT rule_customer, {number} AS rule_number
  FROM rule_view
),
rule_texts AS (
  SELECT * FROM (VALUES
    {texts}
  ) AS t(rule_number, rule_fired, tier_id, tier, strategy)
),
scored AS (
  SELECT m.*, {window_output}CASE WHEN m.orders = 0 THEN NULL ELSE f.rule_number END AS rule_number,
         CASE WHEN m.orders = 0 THEN NULL ELSE t.rule_fired END AS rule_fired,
         {tier_id}, {tier}, {strategy}
  FROM metrics m
  LEFT JOIN windows w ON w.customer_id = m.customer_id{steady_join}
  LEFT JOIN fired f ON f.rule_customer = m.customer_id
  LEFT JOIN rule_texts t ON t.rule_number = f.rule_number
)",
        steady = if monthly.is_empty() {
            String::new()
        } else {
            steadiness_ctes(d)
        },
        steady_join = if monthly.is_empty() {
            ""
        } else {
            "\n  LEFT JOIN steady s ON s.customer_id = m.customer_id"
        },
        view = view.join(",\n         "),
        number = if arms.is_empty() {
            rules.len().to_string()
        } else {
            format!("CASE {} ELSE {} END", arms.join(" "), rules.len())
        },
        texts = texts.join(",\n    "),
        tier_id = no_purchase("tier_id", d.string(NO_PURCHASE)),
        tier = no_purchase("tier", d.string(&ctx.playbook.name(NO_PURCHASE, ctx.lang))),
        strategy = no_purchase(
            "strategy",
            d.string(&ctx.playbook.strategy(NO_PURCHASE, ctx.lang))
        ),
    );
    Ok((ctes, RulesScorer.output_columns(ctx)))
}

/// `months` (net revenue and whether anything was bought, per customer and month of the
/// twelve up to the as-of date, cut at it) and `steady` (`active_months_12m`,
/// `revenue_cv_12m`), as `metrics::monthly_metrics` computes them: the coefficient of
/// variation from exact integer sums, √(12·Σx² − (Σx)²) ÷ Σx in doubles.
fn steadiness_ctes(d: Dialect) -> String {
    let month_index: Vec<String> = (1..12)
        .map(|j| {
            format!(
                "CASE WHEN f.order_date <= {} THEN 1 ELSE 0 END",
                d.months_before("p.as_of", j)
            )
        })
        .collect();
    let (wide, double) = (d.wide_int(), d.double());
    let s1 = format!("sum(CAST(month_net AS {wide}))");
    let s2 = format!("sum(CAST(month_net AS {wide}) * CAST(month_net AS {wide}))");
    format!(
        "months AS (
  SELECT customer_id, month_index, sum(net) AS month_net, max(purchase) AS month_bought
  FROM (
    SELECT f.customer_id, f.net, f.purchase,
           {index} AS month_index
    FROM flagged f CROSS JOIN params p
    WHERE f.order_date > {start} AND f.order_date <= p.as_of
  ) dated
  GROUP BY customer_id, month_index
),
steady AS (
  SELECT customer_id,
         CAST(sum(month_bought) AS BIGINT) AS active_months_12m,
         CASE WHEN {s1} > 0
              THEN sqrt(CAST(12 * {s2} - {s1} * {s1} AS {double})) / CAST({s1} AS {double})
         END AS revenue_cv_12m
  FROM months
  GROUP BY customer_id
),
",
        index = month_index.join("\n             + "),
        start = d.months_before("p.as_of", 12),
    )
}
