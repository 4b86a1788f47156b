//! The report's tables as typed grids, shared by the HTML, Markdown and XLSX renderers so
//! they show the same columns in the same order.

use super::labels::{Labels, labels};
use super::migration::{GONE, Migration, Mover, NEW};
use super::reconcile::Against;
use super::{Money, Report, TierRow};
use crate::lang::Lang;

/// One cell.
#[derive(Clone, Debug)]
pub enum Value {
    /// Nothing.
    Empty,
    /// Text (neutralised in spreadsheets).
    Text(String),
    /// A count.
    Int(i64),
    /// Money.
    Money(Money),
    /// A share, 0–1.
    Share(f64),
    /// A number of days with one decimal.
    Days(f64),
}

impl Value {
    /// As text for reading: money grouped, shares in percent.
    pub fn text(&self) -> String {
        match self {
            Value::Empty => String::new(),
            Value::Text(t) => t.clone(),
            Value::Int(v) => v.to_string(),
            Value::Money(m) => m.grouped(),
            Value::Share(s) => format!("{:.1}%", 100.0 * s),
            Value::Days(d) => format!("{d:.1}"),
        }
    }

    /// Whether it reads right-aligned.
    pub fn is_number(&self) -> bool {
        !matches!(self, Value::Empty | Value::Text(_))
    }
}

/// A table: headers and rows.
#[derive(Clone, Debug)]
pub struct Grid {
    /// Column headings.
    pub headers: Vec<String>,
    /// Rows of cells, as many as headings.
    pub rows: Vec<Vec<Value>>,
}

fn opt<T>(value: Option<T>, make: impl Fn(T) -> Value) -> Value {
    value.map_or(Value::Empty, make)
}

fn count(n: u64) -> Value {
    Value::Int(n as i64)
}

/// The tier summary with its total row.
pub fn tier_grid(report: &Report) -> Grid {
    let w = labels_of(report);
    let has_profit = report.totals.profit.is_some();
    let mut headers = vec![
        w.tier,
        w.customers,
        w.customer_share,
        w.revenue,
        w.revenue_share,
    ];
    let has_budget = report.totals.budget.is_some();
    if has_profit {
        headers.extend([w.profit, w.profit_share, w.margin]);
    }
    headers.extend([w.orders, w.aov, w.avg_recency, w.effort]);
    if has_budget {
        headers.push(w.budget);
        if has_profit {
            headers.push(w.roi);
        }
    }
    headers.push(w.strategy);
    let row = |t: &TierRow| {
        let mut cells = vec![
            Value::Text(t.name.clone()),
            count(t.customers),
            opt(t.customer_share, Value::Share),
            Value::Money(t.revenue),
            opt(t.revenue_share, Value::Share),
        ];
        if has_profit {
            cells.extend([
                opt(t.profit, Value::Money),
                opt(t.profit_share, Value::Share),
                opt(t.margin, Value::Share),
            ]);
        }
        cells.extend([
            count(t.orders),
            opt(t.aov, Value::Money),
            opt(t.avg_recency_days, Value::Days),
            opt(t.effort_share, Value::Share),
        ]);
        if has_budget {
            cells.push(opt(t.budget, Value::Money));
            if has_profit {
                cells.push(opt(t.roi, Value::Share));
            }
        }
        cells.push(Value::Text(t.strategy.clone()));
        cells
    };
    let mut rows: Vec<Vec<Value>> = report.tiers.iter().map(row).collect();
    rows.push(row(&report.totals));
    Grid {
        headers: strings(&headers),
        rows,
    }
}

/// Tier, suggested effort and strategy.
pub fn strategy_grid(report: &Report) -> Grid {
    let w = labels_of(report);
    Grid {
        headers: strings(&[w.tier, w.effort, w.strategy]),
        rows: report
            .tiers
            .iter()
            .map(|t| {
                vec![
                    Value::Text(t.name.clone()),
                    opt(t.effort_share, Value::Share),
                    Value::Text(t.strategy.clone()),
                ]
            })
            .collect(),
    }
}

/// Input against report: customers, orders, net revenue.
pub fn reconciliation_grid(report: &Report) -> Grid {
    let w = labels_of(report);
    let r = &report.reconciliation;
    let line = |name: &str, c: &super::reconcile::Counts| {
        vec![
            Value::Text(name.to_string()),
            count(c.customers),
            count(c.orders),
            Value::Money(c.revenue),
        ]
    };
    let input = match r.against {
        Against::OrderLines => w.input,
        Against::ScoresFile => w.scores_file,
    };
    Grid {
        headers: strings(&["", w.customers, w.orders, w.revenue]),
        rows: vec![line(input, &r.input), line(w.report, &r.report)],
    }
}

/// The line under the reconciliation table: what was read and set aside.
pub fn reconciliation_note(report: &Report) -> String {
    let w = labels_of(report);
    let r = &report.reconciliation;
    match r.against {
        Against::OrderLines => {
            let mut parts = vec![
                counted(r.lines_read, w.lines_read),
                counted(r.lines_after_as_of, w.lines_after_as_of),
                counted(r.lines_rejected, w.lines_rejected),
            ];
            if r.lines_excluded_by_status > 0 {
                parts.push(counted(r.lines_excluded_by_status, w.excluded_by_status));
            }
            if r.lines_excluded_by_currency > 0 {
                parts.push(counted(
                    r.lines_excluded_by_currency,
                    w.excluded_by_currency,
                ));
            }
            parts.push(counted(r.non_purchase_orders, w.non_purchase_orders));
            parts.push(counted(r.customers_only_in_export, w.only_in_export));
            parts.join(" · ")
        }
        Against::ScoresFile => format!("{} {}", r.input.customers, w.scores_rows),
    }
}

/// `n label`, the label in the singular for one (English; Chinese has no plural).
fn counted(n: u64, label: &str) -> String {
    let singular = super::labels::SINGULAR
        .iter()
        .find(|(many, _)| *many == label)
        .map(|(_, one)| *one);
    match singular {
        Some(one) if n == 1 => format!("1 {one}"),
        _ => format!("{n} {label}"),
    }
}

/// Name/value pairs of the settings.
pub fn settings_grid(report: &Report) -> Grid {
    let w = labels_of(report);
    Grid {
        headers: strings(&[w.setting, w.value]),
        rows: report
            .settings
            .iter()
            .map(|s| vec![Value::Text(s.name.clone()), Value::Text(s.value.clone())])
            .collect(),
    }
}

/// The migration matrix: customers (and revenue, when `revenue`) from row to column.
pub fn matrix_grid(migration: &Migration, lang: Lang, revenue: bool) -> Grid {
    let w = labels(lang);
    let mut headers = vec![w.from_to.to_string()];
    headers.extend(migration.columns.iter().map(|c| display(&c.id, &c.name, w)));
    let rows = migration
        .rows
        .iter()
        .map(|r| {
            let mut cells = vec![Value::Text(display(&r.from, &r.from_name, w))];
            cells.extend(r.cells.iter().map(|c| {
                if revenue {
                    Value::Money(c.revenue)
                } else {
                    count(c.customers)
                }
            }));
            cells
        })
        .collect();
    Grid { headers, rows }
}

/// Customers who moved, with before and after metrics; at most `limit` rows.
pub fn mover_grid(movers: &[Mover], lang: Lang, limit: usize) -> Grid {
    let w = labels(lang);
    let both = |what: &str| {
        [
            format!("{what} ({})", w.before),
            format!("{what} ({})", w.after),
        ]
    };
    let mut headers = vec![w.customer.to_string()];
    headers.extend(both(w.tier));
    headers.extend(both(w.revenue));
    headers.extend(both(w.orders));
    headers.extend(both(w.recency));
    let rows = movers
        .iter()
        .take(limit)
        .map(|m| {
            vec![
                Value::Text(m.customer_id.clone()),
                opt(m.from_name.as_deref().map(String::from), Value::Text),
                opt(m.to_name.as_deref().map(String::from), Value::Text),
                opt(m.revenue_before, Value::Money),
                opt(m.revenue_after, Value::Money),
                opt(m.orders_before, Value::Int),
                opt(m.orders_after, Value::Int),
                opt(m.recency_before, Value::Int),
                opt(m.recency_after, Value::Int),
            ]
        })
        .collect();
    Grid { headers, rows }
}

/// The name of a matrix row or column in the report's language.
pub fn display(id: &str, name: &str, w: &Labels) -> String {
    match id {
        NEW => w.new.to_string(),
        GONE => w.gone.to_string(),
        _ => name.to_string(),
    }
}

/// The labels of the report's language.
pub fn labels_of(report: &Report) -> &'static Labels {
    labels(report.lang)
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// Tier KPIs per period (`--history`), oldest period first, each with its total row.
pub fn history_grid(periods: &[super::history::Period], report: &Report) -> Grid {
    let w = labels_of(report);
    let headers = [
        w.period,
        w.tier,
        w.members,
        w.base,
        w.retention,
        w.churn,
        w.upgrades,
        w.downgrades,
        w.period_revenue,
        w.growth,
    ];
    let mut rows = Vec::new();
    for period in periods {
        for t in period.tiers.iter().chain(std::iter::once(&period.total)) {
            rows.push(vec![
                Value::Text(period.as_of.clone()),
                Value::Text(t.name.clone()),
                count(t.members),
                opt(t.base, count),
                opt(t.retention_rate, Value::Share),
                opt(t.churn_rate, Value::Share),
                opt(t.upgrade_rate, Value::Share),
                opt(t.downgrade_rate, Value::Share),
                opt(t.revenue, Value::Money),
                opt(t.revenue_growth, Value::Share),
            ]);
        }
    }
    Grid {
        headers: strings(&headers),
        rows,
    }
}

/// A `--by` breakdown: value, tier, customers and revenue with their shares of the value.
pub fn breakdown_grid(breakdown: &super::breakdown::Breakdown, report: &Report) -> Grid {
    let w = labels_of(report);
    Grid {
        headers: vec![
            breakdown.column.clone(),
            w.tier.to_string(),
            w.customers.to_string(),
            w.customer_share.to_string(),
            w.revenue.to_string(),
            w.revenue_share.to_string(),
        ],
        rows: breakdown
            .rows
            .iter()
            .map(|r| {
                vec![
                    Value::Text(r.value.clone()),
                    Value::Text(r.tier.clone()),
                    count(r.customers),
                    opt(r.customer_share, Value::Share),
                    Value::Money(r.revenue),
                    opt(r.revenue_share, Value::Share),
                ]
            })
            .collect(),
    }
}
