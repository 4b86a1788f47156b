//! Threshold tiers written as SQL boolean expressions (parsed by polars' SQL support):
//! ordered, first match wins, a final rule without `when` for everyone else. Rules see
//! every customer column, money in currency units, and trailing windows such as
//! `revenue_12m` or `orders_90d`, computed from the order lines on request.

use super::columns::{ColumnType, OutputColumn, tier_columns, typed};
use chrono::Months;
use polars::prelude::*;
use serde::Deserialize;

use super::{
    RowNumbers, ScoreContext, Scored, Scorer, ScorerSettings, TIER_GROUP, fill_no_purchase,
    left_join,
};
use crate::error::TieringError;
use crate::input::dates::{date_of_epoch_days, epoch_days_of};
use crate::lang::Lang;
use crate::metrics::{MONEY_COLUMNS, MONTHLY_METRICS, MonthlyMetrics, WindowKind, WindowMetric};

const DEFAULT_RULES: &str = include_str!("../../templates/rules.toml");

/// One rule: a tier and the condition for it (none for the final default).
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Tier id (also the playbook key).
    pub tier: String,
    /// SQL boolean expression; absent for the default rule.
    pub when: Option<String>,
    /// Value rank of the tier, 1 = most valuable (default: the rules' order).
    pub rank: Option<u32>,
    /// The tier means a lapsed customer (counted as churn in the report's history).
    #[serde(default)]
    pub lapsed: bool,
}

#[derive(Deserialize)]
struct RulesFile {
    rules: Vec<Rule>,
}

/// Tiers by value, best first, then `no_purchase`: by `rank` where the rules give one
/// (a tier takes its rules' best rank; unranked tiers follow the ranked), else in the
/// order the tiers first appear.
pub fn value_order(rules: &[Rule]) -> Vec<String> {
    let mut tiers: Vec<(Option<u32>, usize, String)> = Vec::new();
    for rule in rules {
        match tiers.iter_mut().find(|(_, _, tier)| *tier == rule.tier) {
            Some((rank, _, _)) => {
                *rank = match (*rank, rule.rank) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                }
            }
            None => tiers.push((rule.rank, tiers.len(), rule.tier.clone())),
        }
    }
    tiers.sort_by_key(|(rank, i, _)| (rank.unwrap_or(u32::MAX), *i));
    let mut order: Vec<String> = tiers.into_iter().map(|(_, _, tier)| tier).collect();
    order.push(super::segments::NO_PURCHASE.to_string());
    order
}

/// The shipped example rules (strategic / key / ordinary).
pub fn default_rules() -> Vec<Rule> {
    toml::from_str::<RulesFile>(DEFAULT_RULES)
        .expect("embedded rules are valid")
        .rules
}

/// Checked rules with their parsed conditions.
#[derive(Clone, Debug)]
pub struct RuleSet {
    rules: Vec<Rule>,
    conditions: Vec<Expr>,
}

impl RuleSet {
    /// Parse and check: at least one conditional rule, a final default, valid SQL.
    pub fn new(rules: Vec<Rule>) -> Result<RuleSet, TieringError> {
        let bad = |message: String| {
            TieringError::config(
                message,
                Some("write [[rules]] tier = \"key\" when = \"revenue_12m >= 1000000\", ending with a rule without `when`".into()),
            )
        };
        let Some((last, conditional)) = rules.split_last() else {
            return Err(bad("no [[rules]] given".into()));
        };
        if last.when.is_some() {
            return Err(bad(format!(
                "the last rule (tier `{}`) has a `when`; the last rule must be the default, without `when`",
                last.tier
            )));
        }
        let mut conditions = Vec::new();
        for (i, rule) in conditional.iter().enumerate() {
            if rule.tier.trim().is_empty() {
                return Err(bad(format!("rule {} has an empty tier", i + 1)));
            }
            let Some(text) = &rule.when else {
                return Err(bad(format!(
                    "rule {} (tier `{}`) has no `when`; only the last rule may omit it",
                    i + 1,
                    rule.tier
                )));
            };
            let condition = polars::sql::sql_expr(text).map_err(|e| {
                bad(format!(
                    "rule {} (tier `{}`): `{text}` is not a SQL condition: {e}",
                    i + 1,
                    rule.tier
                ))
            })?;
            conditions.push(condition);
        }
        Ok(RuleSet { rules, conditions })
    }

    /// Column names the conditions read.
    pub fn columns(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for condition in &self.conditions {
            for name in condition.clone().meta().root_names() {
                if !names.iter().any(|n| n == name.as_str()) {
                    names.push(name.to_string());
                }
            }
        }
        names
    }

    /// The rules, in order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }
}

/// A trailing window's length: `90d`, `4w`, `12m`, `2y`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Span {
    /// Days.
    Days(u32),
    /// Calendar months (years are 12 months), clamped to the month's last day.
    Months(u32),
}

/// `revenue_12m`, `orders_90d`, `revenue_2y`, `orders_4w`: what is summed and over how long.
pub fn parse_window_name(name: &str) -> Option<(WindowKind, Span)> {
    let (kind, span) = if let Some(span) = name.strip_prefix("revenue_") {
        (WindowKind::Revenue, span)
    } else if let Some(span) = name.strip_prefix("orders_") {
        (WindowKind::Orders, span)
    } else {
        return None;
    };
    let unit = span.chars().last()?;
    let count: u32 = span[..span.len() - 1].parse().ok().filter(|n| *n > 0)?;
    let span = match unit {
        'd' => Span::Days(count),
        'w' => Span::Days(count.checked_mul(7)?),
        'm' => Span::Months(count),
        'y' => Span::Months(count.checked_mul(12)?),
        _ => return None,
    };
    Some((kind, span))
}

/// `revenue_12m`, `orders_90d`, `revenue_2y`, `orders_4w` as a window ending on `as_of`.
pub fn parse_window(name: &str, as_of: i32) -> Option<WindowMetric> {
    let (kind, span) = parse_window_name(name)?;
    let start = match span {
        Span::Days(days) => as_of.checked_sub(i32::try_from(days).ok()?)?,
        Span::Months(months) => {
            epoch_days_of(date_of_epoch_days(as_of).checked_sub_months(Months::new(months))?)
        }
    };
    Some(WindowMetric {
        name: name.to_string(),
        kind,
        start,
        end: as_of,
    })
}

/// The rules scorer.
pub struct RulesScorer;

impl RulesScorer {
    /// The steadiness metrics (`active_months_12m`, `revenue_cv_12m`) the rules read.
    fn monthly_columns(ctx: &ScorerSettings) -> Vec<String> {
        let used = ctx.rules.columns();
        MONTHLY_METRICS
            .iter()
            .filter(|m| used.iter().any(|u| u == *m))
            .map(|m| m.to_string())
            .collect()
    }

    fn window_columns(ctx: &ScoreContext) -> Vec<WindowMetric> {
        ctx.rules
            .columns()
            .iter()
            .filter_map(|name| parse_window(name, ctx.as_of))
            .collect()
    }
}

impl Scorer for RulesScorer {
    fn name(&self) -> &'static str {
        "rules"
    }

    fn windows(&self, ctx: &ScoreContext) -> anyhow::Result<Vec<WindowMetric>> {
        Ok(Self::window_columns(ctx))
    }

    fn monthly_metrics(&self, ctx: &ScoreContext) -> MonthlyMetrics {
        MonthlyMetrics::of(&Self::monthly_columns(ctx))
    }

    fn describe(&self, ctx: &ScorerSettings) -> String {
        let n = ctx.rules.rules().len();
        match ctx.lang {
            Lang::En => format!(
                "{}, first match wins",
                crate::plural::count(n as u64, "rule", "rules")
            ),
            Lang::Zh => format!("{n} 条规则，按顺序首条匹配生效"),
        }
    }

    fn columns(&self, ctx: &ScorerSettings) -> Vec<OutputColumn> {
        let mut columns: Vec<OutputColumn> = ctx
            .rules
            .columns()
            .into_iter()
            .filter_map(|name| {
                let kind = match parse_window_name(&name)?.0 {
                    WindowKind::Revenue => ColumnType::Money,
                    WindowKind::Orders => ColumnType::Integer,
                };
                Some(OutputColumn::new(name, kind))
            })
            .collect();
        columns.extend(Self::monthly_columns(ctx).into_iter().map(|name| {
            let kind = crate::metrics::metric_type(&name).unwrap_or(ColumnType::Float);
            OutputColumn::new(name, kind)
        }));
        columns.extend(typed(&[
            ("rule_number", ColumnType::Integer),
            ("rule_fired", ColumnType::Text),
        ]));
        columns.extend(tier_columns());
        columns
    }

    fn score(&self, customers: LazyFrame, ctx: &ScoreContext) -> anyhow::Result<Scored> {
        // No purchase in the twelve months: no active month.
        let customers = if Self::monthly_columns(ctx)
            .iter()
            .any(|m| m == MONTHLY_METRICS[0])
        {
            customers.with_column(col(MONTHLY_METRICS[0]).fill_null(lit(0i64)))
        } else {
            customers
        };
        let schema = customers.clone().collect_schema()?;
        for name in ctx.rules.columns() {
            if !schema.contains(&name) {
                let known: Vec<&str> = schema.iter_names().map(|n| n.as_str()).collect();
                let hint = match crate::suggest::closest(&name, known.iter().copied()) {
                    Some(near) => format!("did you mean `{near}`? columns: {}", known.join(", ")),
                    None => format!(
                        "columns: {}, windows like revenue_12m or orders_90d, active_months_12m and revenue_cv_12m",
                        known.join(", ")
                    ),
                };
                return Err(TieringError::config(
                    format!("a rule uses the unknown column `{name}`"),
                    Some(hint),
                )
                .into());
            }
        }
        let scale = 10f64.powi(ctx.decimals as i32);
        let mut money: Vec<String> = MONEY_COLUMNS.iter().map(|c| c.to_string()).collect();
        money.extend(self.money_columns(ctx));
        let in_units: Vec<Expr> = money
            .iter()
            .filter(|m| schema.contains(m.as_str()))
            .map(|m| (col(m.as_str()).cast(DataType::Float64) / lit(scale)).alias(m.as_str()))
            .collect();
        let default = ctx.rules.conditions.len();
        let mut number = lit(default as i64 + 1);
        for (i, condition) in ctx.rules.conditions.iter().enumerate().rev() {
            number = when(condition.clone())
                .then(lit(i as i64 + 1))
                .otherwise(number);
        }
        let (customers, rows) = RowNumbers::add(customers)?;
        let fired = customers
            .clone()
            .with_columns(in_units)
            // Non-purchasers are not tiered by rules (DESIGN §4): no rule fired for them.
            .select([
                rows.col(),
                when(col("orders").gt(lit(0i64)))
                    .then(number)
                    .otherwise(lit(NULL).cast(DataType::Int64))
                    .alias("rule_number"),
            ]);
        let texts = rule_texts(ctx);
        let scored = rows.join_back(customers, fired).join(
            texts,
            [col("rule_number")],
            [col("rule_number")],
            JoinArgs::new(JoinType::Left),
        );
        Ok(Scored::from(fill_no_purchase(scored, TIER_GROUP, ctx)))
    }

    fn thresholds(&self, scored: LazyFrame, ctx: &ScoreContext) -> LazyFrame {
        let counts = scored
            .filter(
                col("rule_number")
                    .is_not_null()
                    .and(col("orders").gt(lit(0i64))),
            )
            .group_by([col("rule_number")])
            .agg([
                len().cast(DataType::Int64).alias("customers"),
                col("revenue").sum().alias("revenue"),
            ]);
        left_join(
            rule_texts(ctx).drop(by_name(["tier", "strategy"], true, false)),
            counts,
            &["rule_number"],
        )
        .sort(["rule_number"], SortMultipleOptions::default())
    }

    fn threshold_money_columns(&self) -> Vec<&'static str> {
        vec!["revenue"]
    }

    fn lapsed_groups(&self, ctx: &ScoreContext) -> Vec<String> {
        let mut lapsed: Vec<String> = Vec::new();
        for rule in ctx.rules.rules().iter().filter(|r| r.lapsed) {
            if !lapsed.contains(&rule.tier) {
                lapsed.push(rule.tier.clone());
            }
        }
        lapsed
    }

    fn group_order(&self, ctx: &ScoreContext) -> Vec<String> {
        let mut order: Vec<String> = Vec::new();
        for rule in ctx.rules.rules() {
            if !order.contains(&rule.tier) {
                order.push(rule.tier.clone());
            }
        }
        order.push(super::segments::NO_PURCHASE.to_string());
        order
    }

    /// Rules that put every purchaser in one tier decide nothing (the shipped example
    /// rules on a small shop's data do just that): say so where the result is read.
    fn warnings(&self, customers: &DataFrame, ctx: &ScoreContext) -> PolarsResult<Vec<String>> {
        let tiers = self.group_order(ctx).len() - 1;
        let counts = customers
            .clone()
            .lazy()
            .filter(col("orders").gt(lit(0i64)))
            .group_by([col("tier_id")])
            .agg([len().alias("n")])
            .collect()?;
        if tiers < 2 || counts.height() != 1 {
            return Ok(Vec::new());
        }
        let tier = counts
            .column("tier_id")?
            .str()?
            .get(0)
            .unwrap_or_default()
            .to_string();
        let n = counts
            .column("n")?
            .cast(&DataType::Int64)?
            .i64()?
            .get(0)
            .unwrap_or(0);
        Ok(vec![format!(
            "all {n} purchasing customers fall in the tier `{tier}`: the rules separate nobody; adjust the thresholds of [[rules]] to your data (`tiering init` writes the example rules to edit, `tiering check --config` shows whom each rule matches)"
        )])
    }

    fn value_order(&self, ctx: &ScoreContext) -> Vec<String> {
        value_order(ctx.rules.rules())
    }

    fn sql_refusal(&self) -> Option<&'static str> {
        None
    }

    fn sql(
        &self,
        d: crate::sql::dialect::Dialect,
        ctx: &ScorerSettings,
        export: &[String],
    ) -> anyhow::Result<(String, Vec<String>)> {
        crate::sql::scoring::rules(d, ctx, export)
    }

    fn signature_column(&self) -> &'static str {
        "rule_fired"
    }

    fn group_title(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => "Tier",
            Lang::Zh => "客户层级",
        }
    }
}

/// rule_number -> rule_fired, tier_id, tier, strategy.
fn rule_texts(ctx: &ScoreContext) -> LazyFrame {
    let rules = ctx.rules.rules();
    let numbers: Vec<i64> = (1..=rules.len() as i64).collect();
    let fired: Vec<String> = rules
        .iter()
        .map(|r| r.when.clone().unwrap_or_else(|| "default".into()))
        .collect();
    let ids: Vec<String> = rules.iter().map(|r| r.tier.clone()).collect();
    let names: Vec<String> = rules
        .iter()
        .map(|r| ctx.playbook.name(&r.tier, ctx.lang))
        .collect();
    let strategies: Vec<String> = rules
        .iter()
        .map(|r| ctx.playbook.strategy(&r.tier, ctx.lang))
        .collect();
    df!(
        "rule_number" => numbers,
        "rule_fired" => fired,
        "tier_id" => ids,
        "tier" => names,
        "strategy" => strategies,
    )
    .expect("equal lengths")
    .lazy()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_count_back_calendar_months_and_days() {
        let as_of = crate::input::dates::parse_date("2024-03-31", &Default::default()).unwrap();
        let w = parse_window("revenue_12m", as_of).unwrap();
        assert_eq!(crate::input::dates::format_date(w.start), "2023-03-31");
        let w = parse_window("orders_1m", as_of).unwrap();
        assert_eq!(crate::input::dates::format_date(w.start), "2024-02-29");
        assert_eq!(w.kind, WindowKind::Orders);
        let w = parse_window("revenue_90d", as_of).unwrap();
        assert_eq!(as_of - w.start, 90);
        assert!(parse_window("revenue_0d", as_of).is_none());
        assert!(parse_window("tenure_days", as_of).is_none());
        assert!(parse_window("revenue_12x", as_of).is_none());
    }

    #[test]
    fn rule_sets_need_a_final_default_and_valid_sql() {
        assert!(RuleSet::new(default_rules()).is_ok());
        let no_default = vec![Rule {
            tier: "a".into(),
            when: Some("revenue > 1".into()),
            rank: None,
            lapsed: false,
        }];
        assert!(RuleSet::new(no_default).is_err());
        let bad_sql = vec![
            Rule {
                tier: "a".into(),
                when: Some("revenue >>> 1".into()),
                rank: None,
                lapsed: false,
            },
            Rule {
                tier: "b".into(),
                when: None,
                rank: None,
                lapsed: false,
            },
        ];
        assert!(RuleSet::new(bad_sql).is_err());
        let set = RuleSet::new(default_rules()).unwrap();
        assert_eq!(
            set.columns(),
            ["revenue_12m", "tenure_days", "active_months_12m"]
        );
    }
}
