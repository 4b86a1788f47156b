//! Value types (the playbooks' 高价值 / 成长型 / 潜力型 / 风险 scheme, effort 40/30/20/10)
//! and the current × potential value matrix.
//!
//! One class per customer, by precedence:
//! 1. **high** (`value_high`): the customers that make the first `high_share` % of value —
//!    exactly the Pareto A set (value descending, ties by customer_id, the customer that
//!    crosses the share included; only positive values count);
//! 2. **risk** (`value_risk`): churn signals — overdue against the customer's own rhythm
//!    (recency above `overdue_ratio` × the usual gap between purchases, or above
//!    `period_days` for a one-order customer), trailing revenue falling by `decline` or
//!    more (last `period_days` against the `period_days` before), or complaints per order
//!    above `complaints_max` when the customer export has `complaints_column`;
//! 3. **growth** (`value_growth`): at least `min_orders` purchases, one within
//!    `period_days`, and trailing revenue up by `growth` or more (or new revenue after
//!    none);
//! 4. **potential** (`value_potential`): everyone else — new customers, steady customers of
//!    lower value, and known customers without a purchase.
//!
//! A high-value customer with churn signals stays high value and gets `churn_warning`;
//! `reason` says which test placed each customer.
//!
//! The matrix crosses `current_value_band` (high: the top 20 % of purchasers by value,
//! medium: the next 30 %, low: the rest and values ≤ 0; the purchaser that crosses a share
//! is in, as in Pareto) with `potential_value_band` (high: trailing revenue rising, low:
//! falling or no recent revenue, medium: otherwise); `matrix_cell` names the cell and
//! `matrix_strategy` gives its strategy from the playbook (`matrix_<current>_<potential>`).
//! Growth, decline, overdue and complaint limits are compared exactly in integers.

use super::columns::{ColumnType, OutputColumn, tier_columns, typed};
use polars::prelude::*;
use serde::Deserialize;

use super::pareto::{Basis, ranked_purchasers, share};
use super::profit::{EXPORT_NUMBER_SCALE, export_number};
use super::ratio::{above, at_least, at_most, below};
use super::{
    ExportNumber, RowNumbers, ScoreContext, Scored, Scorer, ScorerSettings, require_export_column,
};
use crate::customer_order::sorted_by_id;
use crate::error::TieringError;
use crate::input::lines::col_names::CUSTOMER_ID;
use crate::lang::Lang;
use crate::metrics::{WindowMetric, revenue_trend_windows};

/// `[value]`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ValueSettings {
    /// Value the high-value class makes, in percent (the Pareto A cut).
    #[serde(deserialize_with = "crate::config_numbers::percent")]
    pub high_share: f64,
    /// revenue, or profit (needs a cost column).
    pub basis: Basis,
    /// Length of the recent and the previous revenue period.
    #[serde(deserialize_with = "crate::config_numbers::period_days")]
    pub period_days: u32,
    /// Recent revenue at least (1 + growth) × previous: rising.
    #[serde(deserialize_with = "crate::config_numbers::growth")]
    pub growth: f64,
    /// Recent revenue at most (1 − decline) × previous: falling.
    #[serde(deserialize_with = "crate::config_numbers::decline")]
    pub decline: f64,
    /// Purchases a growth customer has at least.
    pub min_orders: u32,
    /// First purchase at most this many days ago: new (a potential customer).
    pub new_days: u32,
    /// Recency above this multiple of the usual gap: overdue.
    #[serde(deserialize_with = "crate::config_numbers::gap_ratio")]
    pub overdue_ratio: f64,
    /// A customer-export column counting complaints or tickets.
    pub complaints_column: Option<String>,
    /// Complaints per purchase above this: a churn signal.
    #[serde(deserialize_with = "crate::config_numbers::gap_ratio")]
    pub complaints_max: f64,
    /// What the potential value band ranks by.
    pub potential: Potential,
}

/// What the potential value band ranks by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Potential {
    /// The model when it can be fitted, else the trailing revenue trend.
    #[default]
    Auto,
    /// Expected spend over the `[clv]` horizon (BG/NBD × Gamma-Gamma); a run whose data
    /// cannot fit the model stops.
    Model,
    /// The trailing revenue trend (recent period against the one before).
    Trend,
}

impl Default for ValueSettings {
    fn default() -> Self {
        ValueSettings {
            high_share: 80.0,
            basis: Basis::Revenue,
            period_days: 180,
            growth: 0.1,
            decline: 0.2,
            min_orders: 2,
            new_days: 90,
            overdue_ratio: 2.0,
            complaints_column: None,
            complaints_max: 0.5,
            potential: Potential::Auto,
        }
    }
}

/// Class ids in reading order, best first (they are also the playbook keys).
pub const CLASSES: [&str; 4] = [
    "value_high",
    "value_growth",
    "value_potential",
    "value_risk",
];

/// Value bands of the matrix, best first.
const BANDS: [&str; 3] = ["high", "medium", "low"];

/// The value-type scorer.
pub struct ValueScorer;

impl Scorer for ValueScorer {
    fn name(&self) -> &'static str {
        "value"
    }

    fn windows(&self, ctx: &ScoreContext) -> anyhow::Result<Vec<WindowMetric>> {
        Ok(revenue_trend_windows(ctx.as_of, ctx.value.period_days))
    }

    /// The model behind the potential band reads purchase days and repeat spend.
    fn needs_purchase_days(&self, settings: &ScorerSettings) -> bool {
        settings.value.potential != Potential::Trend
    }

    fn describe(&self, ctx: &ScorerSettings) -> String {
        let v = &ctx.value;
        let basis = match v.basis {
            Basis::Revenue => "revenue",
            Basis::Profit => "profit",
        };
        match ctx.lang {
            Lang::En => format!(
                "high = first {}% of {basis}; periods of {}d, growth +{}%, decline −{}%; overdue > {}× usual gap; potential by {}",
                v.high_share,
                v.period_days,
                v.growth * 100.0,
                v.decline * 100.0,
                v.overdue_ratio,
                match v.potential {
                    Potential::Auto =>
                        format!("expected spend over {}, else trend", ctx.clv.horizon),
                    Potential::Model => format!("expected spend over {}", ctx.clv.horizon),
                    Potential::Trend => "trend".to_string(),
                }
            ),
            Lang::Zh => format!(
                "高价值 = 贡献前 {}% 的{}；比较周期 {} 天，增长 +{}%，下降 −{}%；超过常规间隔 {} 倍为逾期；潜力按{}",
                v.high_share,
                if basis == "revenue" {
                    "销售额"
                } else {
                    "利润"
                },
                v.period_days,
                v.growth * 100.0,
                v.decline * 100.0,
                v.overdue_ratio,
                match v.potential {
                    Potential::Auto =>
                        format!("{} 内预期消费（模型不可用时看趋势）", ctx.clv.horizon),
                    Potential::Model => format!("{} 内预期消费", ctx.clv.horizon),
                    Potential::Trend => "近期销售额趋势".to_string(),
                }
            ),
        }
    }

    fn columns(&self, _settings: &ScorerSettings) -> Vec<OutputColumn> {
        use ColumnType::{Bool, Float, Money, Text};
        let mut columns = typed(&[
            ("value", Money),
            ("cum_share", Float),
            ("revenue_recent", Money),
            ("revenue_previous", Money),
            ("usual_gap_days", Float),
            ("overdue_ratio", Float),
            ("churn_warning", Bool),
            ("reason", Text),
            ("current_value_band", Text),
            ("potential_value", Money),
            ("potential_value_band", Text),
            ("matrix_cell", Text),
            ("matrix_strategy", Text),
        ]);
        columns.extend(tier_columns());
        columns
    }

    fn profit_basis(&self, ctx: &ScorerSettings) -> Option<&'static str> {
        (ctx.value.basis == Basis::Profit).then_some("[value] basis = \"profit\"")
    }

    fn sql_refusal(&self) -> Option<&'static str> {
        Some(
            "its overdue test divides floating-point gaps, and its potential band comes from a fitted model",
        )
    }

    fn signature_column(&self) -> &'static str {
        "matrix_cell"
    }

    fn export_numbers(&self, ctx: &ScorerSettings) -> Vec<ExportNumber> {
        ctx.value
            .complaints_column
            .iter()
            .map(|column| ExportNumber {
                column: column.clone(),
                negative_allowed: false,
            })
            .collect()
    }

    fn score(&self, customers: LazyFrame, ctx: &ScoreContext) -> anyhow::Result<Scored> {
        let v = &ctx.value;
        let (customers, potential_note) = with_potential_value(customers, ctx)?;
        let schema = customers.clone().collect_schema()?;
        if let Some(column) = &v.complaints_column {
            require_export_column(ctx, "[value] complaints_column", column)?;
        }
        let positive = col("pareto_value").gt(lit(0i64));
        // A customer is in a band while the purchasers before it are fewer than the band's
        // share (so the top purchaser of three is high, as the crossing customer is in A).
        let before_under = |percent: i64| {
            ((col("pareto_rank") - lit(1i64)) * lit(100i64)).lt(col("__n") * lit(percent))
        };
        // Joined back on row numbers: a join on customer_id, a string, was a fifth of the
        // scorer's plan at a million customers.
        let (customers, rows) = RowNumbers::add(customers)?;
        let ranked = ranked_purchasers(customers.clone(), v.basis, rows.name())
            .with_column(
                below(col("__cum_before"), col("__total"), v.high_share / 100.0)
                    .and(positive.clone())
                    .alias("__high"),
            )
            .with_column(
                // Top 20 % of purchasers by value: high; the next 30 %: medium.
                when(positive.clone().and(before_under(20)))
                    .then(lit("high"))
                    .when(positive.and(before_under(50)))
                    .then(lit("medium"))
                    .otherwise(lit("low"))
                    .alias("current_value_band"),
            )
            .select([
                rows.col(),
                col("pareto_value").alias("value"),
                col("cum_share"),
                col("__high"),
                col("current_value_band"),
            ]);
        let purchaser = col("orders").gt(lit(0i64));
        let float = |c: &str| col(c).cast(DataType::Float64);
        let own_gap = when(col("orders").gt(lit(1i64)))
            .then((float("tenure_days") - float("recency_days")) / (float("orders") - lit(1.0)))
            .otherwise(lit(NULL).cast(DataType::Float64));
        let period = i64::from(v.period_days);
        let rising = col("orders")
            .gt_eq(lit(i64::from(v.min_orders)))
            .and(col("recency_days").lt_eq(lit(period)))
            .and(rising(v));
        let falling = falling(v);
        // Against the unrounded gap: recency > ratio × (tenure − recency) / (orders − 1).
        let spread = col("tenure_days") - col("recency_days");
        let overdue = when(
            col("orders")
                .gt(lit(1i64))
                .and(spread.clone().gt(lit(0i64))),
        )
        .then(above(
            col("recency_days") * (col("orders") - lit(1i64)),
            spread,
            v.overdue_ratio,
        ))
        .otherwise(col("recency_days").gt(lit(period)));
        let complaints = match &v.complaints_column {
            // Both sides in millionths: the export number exactly, orders scaled.
            Some(column) => above(
                export_number(column, &schema),
                col("orders") * lit(EXPORT_NUMBER_SCALE),
                v.complaints_max,
            )
            .fill_null(lit(false)),
            None => lit(false),
        };
        let scored = rows
            .join_back(customers, ranked)
            .with_column(
                own_gap
                    .round(1, RoundMode::HalfToEven)
                    .alias("usual_gap_days"),
            )
            .with_column(
                when(col("usual_gap_days").gt(lit(0.0)))
                    .then(
                        (float("recency_days") / col("usual_gap_days"))
                            .round(2, RoundMode::HalfToEven),
                    )
                    .otherwise(lit(NULL).cast(DataType::Float64))
                    .alias("overdue_ratio"),
            )
            .with_columns([
                purchaser.clone().and(overdue).alias("__overdue"),
                purchaser.clone().and(falling).alias("__falling"),
                purchaser.clone().and(complaints).alias("__complaints"),
                purchaser.clone().and(rising).alias("__rising"),
                col("__high").fill_null(lit(false)).alias("__high"),
            ])
            .with_column(
                col("__overdue")
                    .or(col("__falling"))
                    .or(col("__complaints"))
                    .alias("churn_warning"),
            )
            .with_column(
                when(col("__high"))
                    .then(lit(CLASSES[0]))
                    .when(col("churn_warning"))
                    .then(lit(CLASSES[3]))
                    .when(col("__rising"))
                    .then(lit(CLASSES[1]))
                    .otherwise(lit(CLASSES[2]))
                    .alias("tier_id"),
            )
            .with_column(reason(v, ctx.lang).alias("reason"))
            .with_column(potential_rank(potential_note.by_model).alias(POTENTIAL_RANK))
            .with_columns([
                col("current_value_band").fill_null(lit("low")),
                potential_band(v, potential_note.by_model).alias("potential_value_band"),
            ])
            .with_column(
                concat_str(
                    [col("current_value_band"), col("potential_value_band")],
                    "/",
                    false,
                )
                .alias("matrix_cell"),
            )
            .with_columns(texts(ctx))
            .with_column(
                when(purchaser)
                    .then(col("churn_warning"))
                    .otherwise(lit(NULL).cast(DataType::Boolean))
                    .alias("churn_warning"),
            );
        let scored = scored.drop(by_name(
            [
                "__high",
                "__overdue",
                "__falling",
                "__complaints",
                "__rising",
                POTENTIAL_RANK,
            ],
            true,
            false,
        ));
        Ok(Scored {
            frame: scored,
            fit: None,
            notes: vec![potential_note.note],
            warnings: Vec::new(),
        })
    }

    fn thresholds(&self, scored: LazyFrame, ctx: &ScoreContext) -> LazyFrame {
        super::per_tier(
            scored,
            self.group_order(ctx),
            vec![
                col("value").sum().alias("value"),
                col("churn_warning")
                    .sum()
                    .cast(DataType::Int64)
                    .alias("churn_warnings"),
            ],
        )
        .with_column(share(col("value"), col("value").sum()).alias("value_share"))
    }

    fn threshold_money_columns(&self) -> Vec<&'static str> {
        vec!["value"]
    }

    fn group_order(&self, _ctx: &ScoreContext) -> Vec<String> {
        CLASSES.iter().map(|c| c.to_string()).collect()
    }

    fn group_title(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => "Value type",
            Lang::Zh => "价值类型",
        }
    }

    /// The value matrix: purchasers by current × potential value band.
    fn report_grids(
        &self,
        customers: &DataFrame,
        ctx: &ScoreContext,
    ) -> anyhow::Result<Vec<super::ReportGrid>> {
        let bands: Vec<String> = BANDS.iter().map(|b| b.to_string()).collect();
        let counts = super::count_by(
            customers,
            ("current_value_band", &bands),
            ("potential_value_band", &bands),
        )?;
        let revenue = super::sum_by(
            customers,
            ("current_value_band", &bands),
            ("potential_value_band", &bands),
            "revenue",
        )?;
        // Each cell: its customers and their net revenue.
        let labels = counts
            .iter()
            .zip(&revenue)
            .map(|(n, r)| {
                n.iter()
                    .zip(r)
                    .map(|(n, r)| {
                        format!(
                            "{n} · {}",
                            crate::input::money::format_money_grouped(*r, ctx.decimals)
                        )
                    })
                    .collect()
            })
            .collect();
        let zh = ctx.lang == Lang::Zh;
        Ok(vec![super::ReportGrid {
            title: if zh {
                "价值矩阵（客户数 · 销售额）"
            } else {
                "Value matrix (customers · revenue)"
            }
            .into(),
            row_axis: if zh { "当前价值" } else { "current value" }.into(),
            column_axis: if zh {
                "潜在价值"
            } else {
                "potential value"
            }
            .into(),
            grid: crate::report::charts::CountGrid {
                columns: bands.clone(),
                rows: bands,
                counts,
                labels,
            },
        }])
    }

    fn warnings(&self, customers: &DataFrame, _ctx: &ScoreContext) -> PolarsResult<Vec<String>> {
        let warned = customers
            .clone()
            .lazy()
            .filter(col("tier_id").eq(lit(CLASSES[0])).and(col("churn_warning")))
            .collect()?
            .height();
        Ok(if warned > 0 {
            vec![format!(
                "{} churn signals (churn_warning): they stay high value; look at them first",
                crate::plural::count(
                    warned as u64,
                    "high-value customer shows",
                    "high-value customers show"
                )
            )]
        } else {
            Vec::new()
        })
    }
}

/// The test that placed a customer, with its numbers.
fn reason(v: &ValueSettings, lang: Lang) -> Expr {
    let pct = |c: &str| {
        (col(c) * lit(100.0))
            .round(1, RoundMode::HalfToEven)
            .cast(DataType::String)
    };
    let text = |c: &str| col(c).cast(DataType::String);
    let zh = lang == Lang::Zh;
    let high = concat_str(
        [
            lit(if zh { "累计贡献 " } else { "in the first " }),
            lit(v.high_share.to_string()),
            lit(if zh {
                "% 以内（累计 "
            } else {
                "% of value (cumulative "
            }),
            pct("cum_share"),
            lit(if zh { "%）" } else { "%)" }),
        ],
        "",
        false,
    );
    let overdue = concat_str(
        [
            lit(if zh {
                "逾期：距上次购买 "
            } else {
                "overdue: "
            }),
            text("recency_days"),
            lit(if zh {
                " 天"
            } else {
                " days since the last purchase"
            }),
        ],
        "",
        false,
    );
    let falling = lit(if zh {
        "近期销售额下降"
    } else {
        "trailing revenue falling"
    });
    let complaints = lit(if zh {
        "投诉偏多"
    } else {
        "complaints above the limit"
    });
    let rising = lit(if zh {
        "近期销售额上升"
    } else {
        "trailing revenue rising"
    });
    let new = lit(if zh { "新客户" } else { "new customer" });
    let none = lit(if zh {
        "尚未购买"
    } else {
        "no purchase yet"
    });
    let rest = lit(if zh {
        "无增长或流失信号"
    } else {
        "no growth or churn signal"
    });
    when(col("tier_id").eq(lit(CLASSES[0])))
        .then(high)
        .when(col("__overdue").and(col("tier_id").eq(lit(CLASSES[3]))))
        .then(overdue)
        .when(col("__falling").and(col("tier_id").eq(lit(CLASSES[3]))))
        .then(falling)
        .when(col("tier_id").eq(lit(CLASSES[3])))
        .then(complaints)
        .when(col("tier_id").eq(lit(CLASSES[1])))
        .then(rising)
        .when(col("orders").eq(lit(0i64)))
        .then(none)
        .when(col("tenure_days").lt_eq(lit(i64::from(v.new_days))))
        .then(new)
        .otherwise(rest)
}

/// Trailing revenue up by `growth` or more, or new revenue after none (exact in cents).
fn rising(v: &ValueSettings) -> Expr {
    col("revenue_recent").gt(lit(0i64)).and(at_least(
        col("revenue_recent"),
        col("revenue_previous"),
        1.0 + v.growth,
    ))
}

/// Trailing revenue down by `decline` or more (exact in cents).
fn falling(v: &ValueSettings) -> Expr {
    col("revenue_previous").gt(lit(0i64)).and(at_most(
        col("revenue_recent"),
        col("revenue_previous"),
        1.0 - v.decline,
    ))
}

/// What the potential band was ranked by, for the run's notes.
struct PotentialBasis {
    /// Whether by the model's expected spend (else by the trailing trend).
    by_model: bool,
    /// The note telling the user.
    note: String,
}

/// `customers` sorted by customer_id with `potential_value`: the expected spend over the
/// `[clv]` horizon when `[value] potential` asks for the model and the data fits it, else
/// nulls (the band then follows the trailing trend).
fn with_potential_value(
    customers: LazyFrame,
    ctx: &ScoreContext,
) -> anyhow::Result<(LazyFrame, PotentialBasis)> {
    let v = &ctx.value;
    // In customer_id order, so the model's sums run in the same order on every run. The
    // metrics come in that order: checked, not sorted again.
    let mut frame = sorted_by_id(customers.collect()?, CUSTOMER_ID)?;
    let trend = |why: String| PotentialBasis {
        by_model: false,
        note: format!(
            "potential value band from the trailing revenue trend (last {}d against the {}d before){why}",
            v.period_days, v.period_days
        ),
    };
    if v.potential == Potential::Trend {
        let nulls = lit(NULL).cast(DataType::Int64).alias("potential_value");
        return Ok((frame.lazy().with_column(nulls), trend(String::new())));
    }
    match super::clv::expected_spend_over_horizon(&frame, ctx) {
        Ok(values) => {
            frame.with_column(Column::new("potential_value".into(), values))?;
            let note = format!(
                "potential value band by expected spend over {} (BG/NBD × Gamma-Gamma, [clv] settings)",
                ctx.clv.horizon
            );
            Ok((
                frame.lazy(),
                PotentialBasis {
                    by_model: true,
                    note,
                },
            ))
        }
        Err(e) if v.potential == Potential::Auto => {
            let nulls =
                Column::full_null("potential_value".into(), frame.height(), &DataType::Int64);
            frame.with_column(nulls)?;
            let why = match e.downcast_ref::<TieringError>() {
                Some(TieringError::NoData { message, .. }) => message.clone(),
                _ => e.to_string(),
            };
            Ok((
                frame.lazy(),
                trend(format!("; the model cannot be fitted: {why}")),
            ))
        }
        Err(e) => Err(match e.downcast::<TieringError>() {
            Ok(TieringError::NoData { message, hint }) => TieringError::NoData {
                message: format!("[value] potential = \"model\": {message}"),
                hint,
            }
            .into(),
            Ok(other) => other.into(),
            Err(e) => e,
        }),
    }
}

/// Each purchaser's min rank by expected spend, highest first (a column of its own, which
/// [`potential_band`] reads twice).
const POTENTIAL_RANK: &str = "__potential_rank";

fn potential_rank(by_model: bool) -> Expr {
    if !by_model {
        return lit(NULL).cast(DataType::Int64);
    }
    let purchaser = col("orders").gt(lit(0i64));
    let potential = when(purchaser)
        .then(col("potential_value"))
        .otherwise(lit(NULL).cast(DataType::Int64));
    super::rank::min_rank(potential, true).cast(DataType::Int64)
}

/// By the model: the top 20 % of purchasers by expected spend (the purchaser crossing a
/// share included; equal forecasts share the band of the first of them) high, the next
/// 30 % medium, the rest low. By the
/// trend: high when trailing revenue is rising (or new revenue after none); low when
/// falling, or no revenue in the recent period (stopped, or never bought); medium
/// otherwise.
fn potential_band(v: &ValueSettings, by_model: bool) -> Expr {
    if by_model {
        let purchaser = col("orders").gt(lit(0i64));
        let n = purchaser.clone().sum().cast(DataType::Int64);
        let rank = col(POTENTIAL_RANK);
        let before_under =
            |percent: i64| ((rank.clone() - lit(1i64)) * lit(100i64)).lt(n.clone() * lit(percent));
        return when(purchaser.clone().and(before_under(20)))
            .then(lit(BANDS[0]))
            .when(purchaser.and(before_under(50)))
            .then(lit(BANDS[1]))
            .otherwise(lit(BANDS[2]));
    }
    when(rising(v))
        .then(lit(BANDS[0]))
        .when(falling(v).or(col("revenue_recent").lt_eq(lit(0i64))))
        .then(lit(BANDS[2]))
        .otherwise(lit(BANDS[1]))
}

/// tier, strategy and matrix_strategy from the playbook.
fn texts(ctx: &ScoreContext) -> Vec<Expr> {
    let cells: Vec<String> = BANDS
        .iter()
        .flat_map(|current| {
            BANDS
                .iter()
                .map(move |potential| format!("{current}/{potential}"))
        })
        .collect();
    let matrix = super::text_by_id("matrix_cell", &cells, |cell| {
        ctx.playbook
            .strategy(&format!("matrix_{}", cell.replace('/', "_")), ctx.lang)
    });
    let mut texts = super::playbook_texts(ctx, "tier_id", &CLASSES, str::to_string).to_vec();
    texts.push(matrix.alias("matrix_strategy"));
    texts
}
