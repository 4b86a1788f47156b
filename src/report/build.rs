//! Assemble a [`Report`] from a scoring run and, optionally, an earlier snapshot.

use std::collections::BTreeMap;

use polars::prelude::*;

use super::charts::{CountGrid, Mark, count_grid, pareto_curve, tier_shares};
use super::grids::display;
use super::labels::{Labels, labels};
use super::migration::{CurrentRun, Migration, MigrationSection, check_comparable, compare};
use super::previous::Snapshot;
use super::reconcile::{reconcile, reconcile_scores};
use super::summary::tier_rows;
use super::warnings::data_warnings;
use super::{Charts, InputFile, Report, Setting, TierRow};
use crate::input::dates::format_date;
use crate::input::lines::col_names::CUSTOMER_ID;
use crate::input::lines::col_names::ORDER_DATE;
use crate::lang::Lang;
use crate::metrics::{METRIC_COLUMNS, lines_until};
use crate::plural::count;
use crate::scored::{RunOrigin, ScoredRun};
use crate::scorers::{Scorer, collect_scored, rfm::RfmScorer};

/// What a report is made of.
pub struct ReportInput<'a> {
    /// This run.
    pub run: &'a ScoredRun,
    /// The earlier tiers, if any.
    pub previous: Option<Snapshot>,
    /// The customer export as given.
    pub customer_export: Option<&'a str>,
    /// Earlier tier files of the same scorer and options, oldest first (`--history`);
    /// `None` without `--history`.
    pub history: Option<Vec<Snapshot>>,
    /// `--budget`, if given.
    pub budget: Option<super::budget::Budget>,
    /// `--breakdown` columns.
    pub by: &'a [String],
    /// The earlier tiers were found by `--previous latest` (a cron run): tiers that
    /// cannot be compared leave the migration out with a reason instead of failing.
    pub previous_is_latest: bool,
}

/// Build the report; an earlier snapshot of another scorer or options is a usage error.
pub fn build(mut input: ReportInput<'_>) -> anyhow::Result<Report> {
    let run = input.run;
    let ctx = &run.context;
    let words = labels(ctx.lang);
    let (mut tiers, mut totals) = tier_rows(run)?;
    totals.name = words.total.to_string();
    let mut customers = run.customers_output();
    let mut budget_warning = None;
    if let Some(budget) = input.budget {
        budget_warning = split_budget(budget, &mut tiers, &mut totals, &mut customers, run)?;
    }
    let (reconciliation, mut warnings) = match run.origin {
        RunOrigin::OrderLines => {
            // The order lines the run scored: the reconciliation and the warnings count them.
            let mut kept = lines_until(run.orders.lines.clone().lazy(), ctx.as_of).collect()?;
            let dates = kept.column(ORDER_DATE)?.date()?.physical().clone();
            (
                reconcile(run, &mut kept, &totals)?,
                data_warnings(run, dates.min().zip(dates.max()))?,
            )
        }
        RunOrigin::ScoresFile { .. } => {
            // Without lines, the purchase dates span from the first to the last purchase.
            let first = run
                .customers
                .column("first_order_date")?
                .date()?
                .physical()
                .min();
            let last = run
                .customers
                .column("last_order_date")?
                .date()?
                .physical()
                .max();
            (
                reconcile_scores(run, &totals)?,
                data_warnings(run, first.zip(last))?,
            )
        }
    };
    if let Some(message) = budget_warning {
        warnings.push(super::Warning {
            code: "budget_split_equally",
            message,
        });
    }
    // The matrix reads best to worst by value; promoted and demoted follow the same ranks.
    let order = run.scorer.value_order(ctx);
    let names: BTreeMap<String, String> = tiers
        .iter()
        .map(|t| (t.id.clone(), t.name.clone()))
        .collect();
    let options = run.scorer.describe(ctx);
    let options_key = run.scorer.options_key(ctx);
    // This run's standings, for the migration and the history's latest period.
    let now = (input.previous.is_some() || input.history.is_some())
        .then(|| Snapshot::of_run(run, String::new()))
        .transpose()?;
    let mut not_compared: Option<String> = None;
    let migration = match (&input.previous, &now) {
        (Some(previous), Some(now)) => {
            let current = CurrentRun {
                scorer: run.scorer.name(),
                options: &options_key,
                order: &order,
                bins: run.scorer.quantile_bins(ctx),
                formed: ctx.formed_groups.as_deref(),
                names: &names,
                decimals: ctx.decimals,
            };
            match check_comparable(previous, &current) {
                Ok(()) => Some(compare(previous, now, &current)),
                Err(e) if input.previous_is_latest => {
                    not_compared = Some(e.to_string());
                    None
                }
                Err(e) => return Err(e.into()),
            }
        }
        _ => None,
    };
    let history = match (input.history.take(), &now) {
        (Some(earlier), Some(now)) => {
            let snapshots: Vec<&Snapshot> = earlier.iter().chain(std::iter::once(now)).collect();
            let mut lapsed = run.scorer.lapsed_groups(ctx);
            lapsed.push(crate::scorers::segments::NO_PURCHASE.to_string());
            Some(super::history::periods(
                &snapshots,
                &super::history::Rules {
                    value_order: &order,
                    lapsed: &lapsed,
                    names: &names,
                    decimals: ctx.decimals,
                    total: words.total,
                },
            ))
        }
        _ => None,
    };
    let tier_names: Vec<(String, String)> = tiers
        .iter()
        .map(|t| (t.id.clone(), t.name.clone()))
        .collect();
    let breakdowns = input
        .by
        .iter()
        .map(|column| {
            super::breakdown::breakdown(
                &run.customers,
                column,
                run.scorer.group().id,
                &tier_names,
                &ctx.export_columns,
                ctx.decimals,
                (words.total, super::breakdown::blank_label(ctx.lang)),
            )
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let mut charts = charts(run, &tiers, migration.as_ref(), ctx.lang)?;
    if let Some(periods) = &history {
        charts.history = history_charts(periods, words)?;
    }
    for breakdown in &breakdowns {
        charts.breakdowns.push(breakdown_chart(breakdown, words)?);
    }
    for chart in run.scorer.report_grids(&run.customers, ctx)? {
        let svg = count_grid(
            &chart.title,
            &chart.grid,
            (&chart.row_axis, &chart.column_axis),
        )?;
        charts.scorer.push((chart.title, svg));
    }
    for scatter in run.scorer.report_scatters(&run.customers, ctx)? {
        let svg = super::charts::scatter(&scatter)?;
        charts.scorer.push((scatter.title, svg));
    }
    let settings = settings(run, &input, &options, reconciliation.lines_read);
    Ok(Report {
        generator: format!("tiering {}", env!("CARGO_PKG_VERSION")),
        as_of: format_date(ctx.as_of),
        scorer: run.scorer.name().to_string(),
        scorer_options: options,
        lang: ctx.lang,
        currency_decimals: ctx.decimals,
        inputs: input_files(run),
        customer_export: input.customer_export.map(str::to_string),
        reconciliation,
        tiers,
        totals,
        migration: match migration {
            Some(m) => MigrationSection::Available(Box::new(m)),
            None => MigrationSection::Unavailable {
                reason: not_compared.unwrap_or_else(|| words.migration_unavailable.to_string()),
            },
        },
        breakdowns,
        history,
        warnings,
        settings,
        charts,
        customers,
    })
}

/// The budget per tier (by effort share over the tiers with customers; equally when no
/// tier has an effort weight, which the returned warning says), ROI per tier, and each
/// customer's part as a `budget` column.
fn split_budget(
    budget: super::budget::Budget,
    tiers: &mut [TierRow],
    totals: &mut TierRow,
    customers: &mut crate::output::OutputData,
    run: &ScoredRun,
) -> anyhow::Result<Option<String>> {
    use super::budget::{apportion, customer_budgets, effort_weights};
    let decimals = run.context.decimals;
    let shares: Vec<Option<f64>> = tiers.iter().map(|t| t.effort_share).collect();
    let mut weights = effort_weights(&shares);
    let mut warning = None;
    if weights.iter().all(|w| *w == 0) {
        weights = tiers.iter().map(|t| i128::from(t.customers > 0)).collect();
        warning = Some(
            "no tier with customers has an effort weight in the playbook: the budget is split equally across the tiers with customers"
                .to_string(),
        );
    }
    let parts = apportion(budget.total, &weights);
    let roi = |profit: Option<super::Money>, budget: i64| {
        profit
            .filter(|_| budget > 0)
            .map(|p| p.units as f64 / budget as f64)
    };
    for (tier, part) in tiers.iter_mut().zip(&parts) {
        tier.budget = Some(super::Money::new(*part, decimals));
        tier.roi = roi(tier.profit, *part);
    }
    totals.budget = Some(super::Money::new(budget.total, decimals));
    totals.roi = roi(totals.profit, budget.total);
    let group = run.scorer.group();
    let frame = &customers.frame;
    let ids = frame.column(group.id)?.str()?.clone();
    let revenue = frame
        .column("revenue")?
        .cast(&DataType::Int64)?
        .i64()?
        .clone();
    let by_tier: Vec<(String, i64)> = tiers
        .iter()
        .zip(&parts)
        .map(|(t, p)| (t.id.clone(), *p))
        .collect();
    let each = customer_budgets(&ids, &revenue, &by_tier, budget.split);
    customers
        .frame
        .with_column(Column::new("budget".into(), each))?;
    customers.money.push("budget".into());
    Ok(warning)
}

/// The files the report was built from: order exports, or the scores file.
fn input_files(run: &ScoredRun) -> Vec<InputFile> {
    if let RunOrigin::ScoresFile { file, format, rows } = &run.origin {
        return vec![InputFile {
            file: file.clone(),
            format: format!("scores ({format})"),
            rows: *rows,
            bad_rows: 0,
        }];
    }
    run.orders
        .files
        .iter()
        .map(|f| InputFile {
            file: f.file.display.clone(),
            format: f.report.format.to_string(),
            rows: f.report.rows,
            bad_rows: f.report.bad_rows,
        })
        .collect()
}

fn settings(
    run: &ScoredRun,
    input: &ReportInput<'_>,
    options: &str,
    lines_read: u64,
) -> Vec<Setting> {
    let words = labels(run.context.lang);
    let mut settings = vec![
        (words.as_of, format_date(run.context.as_of)),
        (words.scorer, run.scorer.name().to_string()),
        (words.options, options.to_string()),
        (
            words.language,
            format!("{:?}", run.context.lang).to_lowercase(),
        ),
        (words.currency_decimals, run.context.decimals.to_string()),
    ];
    for file in input_files(run) {
        let rows = match run.context.lang {
            Lang::En => count(file.rows, "row", "rows"),
            Lang::Zh => format!("{} {}", file.rows, words.rows),
        };
        settings.push((
            words.inputs,
            format!(
                "{} ({}, {rows}, {} {})",
                file.file, file.format, file.bad_rows, words.bad
            ),
        ));
    }
    if let Some(export) = input.customer_export {
        settings.push((words.customer_export, export.to_string()));
    }
    if let Some(previous) = &input.previous {
        settings.push((words.compared_with, previous.source.clone()));
    }
    if run.origin == RunOrigin::OrderLines {
        settings.push((words.lines_read, lines_read.to_string()));
        settings.push((words.lines_rejected, run.orders.rejected.len().to_string()));
    }
    settings.push((
        words.generator,
        format!("tiering {}", env!("CARGO_PKG_VERSION")),
    ));
    settings
        .into_iter()
        .map(|(name, value)| Setting {
            name: name.to_string(),
            value,
        })
        .collect()
}

fn charts(
    run: &ScoredRun,
    tiers: &[TierRow],
    migration: Option<&Migration>,
    lang: Lang,
) -> anyhow::Result<Charts> {
    let words = labels(lang);
    let (values, marks, value_axis) = pareto_view(run, words)?;
    let rf = rf_grid(run)?;
    Ok(Charts {
        tiers: tier_shares(tiers, words)?,
        pareto: pareto_curve(&values, &marks, value_axis, words)?,
        rf_heatmap: count_grid(words.chart_rf, &rf, (words.r_score, words.f_score))?,
        scorer: Vec::new(),
        history: Vec::new(),
        breakdowns: Vec::new(),
        migration: migration
            .map(|m| {
                let grid = CountGrid {
                    columns: m
                        .columns
                        .iter()
                        .map(|c| display(&c.id, &c.name, words))
                        .collect(),
                    rows: m
                        .rows
                        .iter()
                        .map(|r| display(&r.from, &r.from_name, words))
                        .collect(),
                    counts: m
                        .rows
                        .iter()
                        .map(|r| r.cells.iter().map(|c| c.customers).collect())
                        .collect(),
                    labels: Vec::new(),
                };
                count_grid(words.chart_migration, &grid, ("", ""))
            })
            .transpose()?,
    })
}

/// What the Pareto chart draws: the value the scorer ranks by (revenue, or profit when it
/// ranks by profit), and where the scorer's classes end along the curve, else the 80 % line.
fn pareto_view(
    run: &ScoredRun,
    words: &Labels,
) -> PolarsResult<(Vec<i64>, Vec<Mark>, &'static str)> {
    let frame = &run.customers;
    let (column, axis) = if run.scorer.profit_basis(&run.context).is_some() {
        ("profit", words.profit_share)
    } else {
        ("revenue", words.share_of_revenue)
    };
    let values: Vec<i64> = frame
        .column(column)?
        .cast(&DataType::Int64)?
        .i64()?
        .iter()
        .flatten()
        .collect();
    let positive = values.iter().filter(|&&v| v > 0).count();
    let marks = match run.scorer.class_ends(frame, positive)? {
        Some(ends) => ends
            .into_iter()
            .map(|(rank, label)| {
                Mark::ClassEnd(100.0 * rank as f64 / positive.max(1) as f64, label)
            })
            .collect(),
        None => vec![Mark::Value(80.0)],
    };
    Ok((values, marks, axis))
}

/// Purchasers counted by R score (columns, 1…B) and F score (rows, B…1). Scorers other
/// than RFM get the RFM scores computed for the chart.
fn rf_grid(run: &ScoredRun) -> anyhow::Result<CountGrid> {
    let frame = &run.customers;
    let scored = if frame.column("r_score").is_ok() && frame.column("f_score").is_ok() {
        frame.clone()
    } else {
        let mut metrics: Vec<Expr> = vec![col(CUSTOMER_ID)];
        metrics.extend(METRIC_COLUMNS.iter().map(|c| col(*c)));
        let rfm = RfmScorer.score(frame.clone().lazy().select(metrics), &run.context)?;
        collect_scored(rfm.frame)?
    };
    let bins = run.context.bins as usize;
    let score = |name: &str| -> PolarsResult<Int64Chunked> {
        Ok(scored.column(name)?.cast(&DataType::Int64)?.i64()?.clone())
    };
    let (r, f) = (score("r_score")?, score("f_score")?);
    let mut counts = vec![vec![0u64; bins]; bins];
    for (r, f) in r.iter().zip(f.iter()) {
        if let (Some(r), Some(f)) = (r, f)
            && (1..=bins as i64).contains(&r)
            && (1..=bins as i64).contains(&f)
        {
            counts[bins - f as usize][r as usize - 1] += 1;
        }
    }
    Ok(CountGrid {
        columns: (1..=bins).map(|s| s.to_string()).collect(),
        rows: (1..=bins).rev().map(|s| s.to_string()).collect(),
        counts,
        labels: Vec::new(),
    })
}

/// One line chart per rate of the history, a line per tier, over the periods with a base.
fn history_charts(
    periods: &[super::history::Period],
    words: &Labels,
) -> anyhow::Result<Vec<(String, String)>> {
    use super::charts::{KpiLine, kpi_lines};
    let shown: Vec<&super::history::Period> =
        periods.iter().filter(|p| p.since.is_some()).collect();
    if shown.is_empty() {
        return Ok(Vec::new());
    }
    let dates: Vec<String> = shown.iter().map(|p| p.as_of.clone()).collect();
    let mut tiers: Vec<(String, String)> = Vec::new();
    for period in &shown {
        for t in &period.tiers {
            if !tiers.iter().any(|(id, _)| *id == t.id) {
                tiers.push((t.id.clone(), t.name.clone()));
            }
        }
    }
    type Rate = fn(&super::history::TierKpis) -> Option<f64>;
    let rates: [(&str, Rate); 4] = [
        (words.retention, |t| t.retention_rate),
        (words.churn, |t| t.churn_rate),
        (words.upgrades, |t| t.upgrade_rate),
        (words.downgrades, |t| t.downgrade_rate),
    ];
    rates
        .iter()
        .map(|(title, rate)| {
            let lines: Vec<KpiLine> = tiers
                .iter()
                .map(|(id, name)| KpiLine {
                    name: name.clone(),
                    values: shown
                        .iter()
                        .map(|p| {
                            p.tiers
                                .iter()
                                .find(|t| t.id == *id)
                                .and_then(rate)
                                .map(|r| 100.0 * r)
                        })
                        .collect(),
                })
                .collect();
            Ok((title.to_string(), kpi_lines(title, &dates, &lines)?))
        })
        .collect()
}

/// Each value's customers split by tier, as 100 % bars.
fn breakdown_chart(
    breakdown: &super::breakdown::Breakdown,
    words: &Labels,
) -> anyhow::Result<String> {
    let mut tiers: Vec<(String, String)> = Vec::new();
    let mut values: Vec<String> = Vec::new();
    for row in breakdown.rows.iter().filter(|r| r.tier_id != "total") {
        if !tiers.iter().any(|(id, _)| *id == row.tier_id) {
            tiers.push((row.tier_id.clone(), row.tier.clone()));
        }
        if !values.contains(&row.value) {
            values.push(row.value.clone());
        }
    }
    let rows: Vec<(String, Vec<f64>)> = values
        .iter()
        .map(|value| {
            let shares = tiers
                .iter()
                .map(|(id, _)| {
                    breakdown
                        .rows
                        .iter()
                        .find(|r| r.value == *value && r.tier_id == *id)
                        .and_then(|r| r.customer_share)
                        .unwrap_or(0.0)
                })
                .collect();
            (value.clone(), shares)
        })
        .collect();
    let names: Vec<String> = tiers.into_iter().map(|(_, name)| name).collect();
    super::charts::stacked_shares(
        &format!(
            "{} {} · {}",
            words.by, breakdown.column, words.share_of_customers
        ),
        &rows,
        &names,
    )
}
