//! Data warnings printed in the report itself: what about the input should make a reader
//! careful with the tiers (few customers, a short date range, many one-order customers,
//! many returns, loss-making customers).

use polars::prelude::*;

use super::Warning;
use crate::input::dates::format_date;
use crate::lang::Lang;
use crate::plural::count;
use crate::scored::ScoredRun;

/// Days of history below which recency and frequency say little.
const MIN_RANGE_DAYS: i32 = 90;
/// Share of one-order purchasers above which frequency hardly separates anyone.
const ONE_ORDER_SHARE: f64 = 0.5;
/// Share of gross sales returned above which net revenue hides a lot.
const RETURN_SHARE: f64 = 0.1;

/// The warnings that apply to `run`; `dates`: the first and last date of its order lines
/// up to the as-of date.
pub fn data_warnings(run: &ScoredRun, dates: Option<(i32, i32)>) -> PolarsResult<Vec<Warning>> {
    let lang = run.context.lang;
    let frame = &run.customers;
    let int = |name: &str| -> PolarsResult<Int64Chunked> {
        Ok(frame.column(name)?.cast(&DataType::Int64)?.i64()?.clone())
    };
    let orders = int("orders")?;
    let purchasers = orders.iter().flatten().filter(|&o| o > 0).count() as u64;
    let one_order = orders.iter().flatten().filter(|&o| o == 1).count() as u64;
    let mut warnings = Vec::new();
    let wanted = run.scorer.stable_purchasers(&run.context);
    if purchasers < wanted {
        warnings.push(Warning {
            code: "few_customers",
            message: match lang {
                Lang::En => format!(
                    "Only {} purchases; tiers on fewer than {wanted} customers change with every order. Read them as a rough sort.",
                    count(purchasers, "customer has", "customers have")
                ),
                Lang::Zh => format!(
                    "只有 {purchasers} 位客户有购买记录;少于 {wanted} 位客户时,分层会随每一笔订单变化,仅供粗略参考。"
                ),
            },
        });
    }
    if let Some((first, last)) = dates
        && last - first < MIN_RANGE_DAYS
    {
        let days = last - first + 1;
        warnings.push(Warning {
            code: "short_range",
            message: match lang {
                Lang::En => format!(
                    "The orders cover only {} ({} to {}); recency and frequency need a longer history (at least {MIN_RANGE_DAYS} days).",
                    count(days as u64, "day", "days"),
                    format_date(first),
                    format_date(last)
                ),
                Lang::Zh => format!(
                    "订单只覆盖 {days} 天({} 至 {});最近购买和购买频次需要更长的历史(至少 {MIN_RANGE_DAYS} 天)。",
                    format_date(first),
                    format_date(last)
                ),
            },
        });
    }
    if purchasers > 0 && one_order as f64 / purchasers as f64 > ONE_ORDER_SHARE {
        let percent = 100.0 * one_order as f64 / purchasers as f64;
        warnings.push(Warning {
            code: "one_order_customers",
            message: match lang {
                Lang::En => format!(
                    "{one_order} of {purchasers} customers ({percent:.0}%) bought only once; frequency separates few of them."
                ),
                Lang::Zh => format!(
                    "{purchasers} 位客户中有 {one_order} 位({percent:.0}%)只购买过一次;购买频次难以区分他们。"
                ),
            },
        });
    }
    let sum = |name: &str| -> PolarsResult<i64> { Ok(int(name)?.iter().flatten().sum()) };
    let (revenue, returns) = (sum("revenue")?, sum("returns")?);
    let gross = revenue + returns;
    if gross > 0 && returns as f64 / gross as f64 > RETURN_SHARE {
        let percent = 100.0 * returns as f64 / gross as f64;
        warnings.push(Warning {
            code: "many_returns",
            message: match lang {
                Lang::En => format!(
                    "Returns are {percent:.1}% of gross sales; revenue is net of them, so check the return policy before acting on value tiers."
                ),
                Lang::Zh => format!(
                    "退货占销售总额的 {percent:.1}%;销售额已扣除退货,按价值分层行动前请先核对退货情况。"
                ),
            },
        });
    }
    let losses = int("profit")?.iter().flatten().filter(|&p| p < 0).count();
    if losses > 0 {
        warnings.push(Warning {
            code: "negative_profit",
            message: match lang {
                Lang::En => format!(
                    "{} negative profit (cost above revenue); look at their prices and cost-to-serve.",
                    count(losses as u64, "customer has", "customers have")
                ),
                Lang::Zh => {
                    format!("{losses} 位客户利润为负(成本高于销售额);请检查其价格和服务成本。")
                }
            },
        });
    }
    Ok(warnings)
}
