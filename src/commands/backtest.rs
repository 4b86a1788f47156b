//! `tiering backtest`: fit the BG/NBD model on orders up to the calibration end, predict
//! each customer's purchases (distinct purchase days) from then to the as-of date, and
//! set the predictions against what happened — per customer, in total, and by the number
//! of repeat purchases in the calibration period.

use std::io::Write;

use polars::prelude::*;
use rayon::prelude::*;

use crate::cli::BacktestArgs;
use crate::clv::bgnbd::{BgNbd, BgNbdFit};
use crate::clv::frame::{fit_purchases, purchasers};
use crate::config::LoadedConfig;
use crate::error::{ExitStatus, TieringError};
use crate::input::dates::format_date;
use crate::input::lines::col_names::CUSTOMER_ID;
use crate::metrics::{customer_metrics, purchase_day_metrics, with_purchase_days};
use crate::output::OutputData;
use crate::output::destination::Destination;
use crate::output::guard::WriteGuard;
use crate::output::summary_table::write_frame_table;
use crate::pipeline::{Request, prepare};
use crate::printer::Printer;
use crate::scorers::clv::ClvSettings;
use crate::settings::{date_arg, input_options};

/// Decimals of the calibration table's fractional columns.
const TABLE_DECIMALS: u32 = 3;
const TABLE_SCALE: f64 = 1000.0;

/// Repeat-purchase counts shown one by one in the calibration table; more are pooled.
const FREQUENCY_GROUPS: i64 = 7;

/// Run `tiering backtest`.
pub fn run(
    args: &BacktestArgs,
    config: &LoadedConfig,
    printer: &Printer,
) -> anyhow::Result<ExitStatus> {
    let options = input_options(&args.input, config, false)?;
    let settings = ClvSettings::resolve(&args.clv, config.config.clv.as_ref())?;
    let calibration_end = date_arg("--calibration-end", &args.calibration_end)?;
    let as_of = args
        .as_of
        .as_deref()
        .map(|text| date_arg("--as-of", text))
        .transpose()?;
    let destination = Destination::resolve(args.output.as_ref(), args.format)?;
    let mut guard = WriteGuard::new();
    guard.protect_patterns("orders", &args.inputs);
    if let Some(path) = &config.path {
        guard.protect("configuration", path);
    }
    if let Destination::File(path, _) = &destination {
        guard.claim(path, "-o")?;
    }
    if let Some(path) = &args.clv.fit_report {
        guard.claim(path, "--fit-report")?;
    }
    let request = Request {
        inputs: &args.inputs,
        customers: None,
        as_of,
        reserved: &[],
        scorer: None,
        rejects: None,
        lines_read: None,
        keep_lines: true,
    };
    let prepared = prepare(&request, &options, printer)?;
    let end = prepared.as_of;
    if calibration_end >= end {
        return Err(TieringError::usage(
            format!(
                "--calibration-end {} is not before the end of the data {}",
                format_date(calibration_end),
                format_date(end)
            ),
            Some("choose an earlier calibration end, leaving a holdout period after it".into()),
        )
        .into());
    }
    let lines = prepared.orders.lines.clone().lazy();
    let calibration = with_purchase_days(
        customer_metrics(lines.clone(), calibration_end),
        lines.clone(),
        calibration_end,
    )
    .filter(col("orders").gt(lit(0i64)))
    .join(
        purchase_day_metrics(lines, Some(calibration_end), end).select([
            col(CUSTOMER_ID),
            col("purchase_days").alias("actual_purchases"),
        ]),
        [col(CUSTOMER_ID)],
        [col(CUSTOMER_ID)],
        JoinArgs::new(JoinType::Left),
    )
    .with_column(col("actual_purchases").fill_null(lit(0i64)))
    .sort([CUSTOMER_ID], SortMultipleOptions::default())
    .collect()?;
    if calibration.height() == 0 {
        return Err(TieringError::NoData {
            message: format!(
                "no purchase is dated on or before the calibration end {}",
                format_date(calibration_end)
            ),
            hint: Some("choose a later --calibration-end".into()),
        }
        .into());
    }
    let rows: Vec<_> = purchasers(&calibration, settings.time_unit, 0)?
        .into_iter()
        .flatten()
        .collect();
    let summaries: Vec<_> = rows.iter().map(|p| p.summary).collect();
    let (model, fit) = fit_purchases(&summaries, settings.bgnbd)?;
    let holdout = f64::from(end - calibration_end) / settings.time_unit.days();
    let predicted: Vec<Result<f64, TieringError>> = summaries
        .par_iter()
        .map(|s| {
            model
                .expected_purchases(s, holdout)
                .ok_or_else(|| TieringError::NoData {
                    message: format!(
                        "expected purchases could not be computed for a customer with {} repeat purchases",
                        s.x
                    ),
                    hint: Some("try a shorter holdout (a later --calibration-end)".into()),
                })
        })
        .collect();
    // The first failure in customer order (rayon's collect into a `Result` keeps
    // whichever thread failed first).
    let predicted: Vec<f64> = predicted.into_iter().collect::<Result<_, _>>()?;
    let frame = DataFrame::new(
        rows.len(),
        vec![
            calibration.column(CUSTOMER_ID)?.clone(),
            Column::new(
                "frequency".into(),
                summaries.iter().map(|s| s.x as i64).collect::<Vec<_>>(),
            ),
            Column::new(
                "recency_t".into(),
                summaries.iter().map(|s| s.t_x).collect::<Vec<_>>(),
            ),
            Column::new(
                "age_t".into(),
                summaries.iter().map(|s| s.age).collect::<Vec<_>>(),
            ),
            Column::new(
                "p_alive".into(),
                summaries
                    .iter()
                    .map(|s| model.p_alive(s))
                    .collect::<Vec<_>>(),
            ),
            Column::new("predicted_purchases".into(), predicted),
            calibration.column("actual_purchases")?.clone(),
        ],
    )?;
    report_totals(
        &frame,
        calibration_end,
        end,
        holdout,
        &settings,
        &model,
        fit.as_ref(),
        printer,
    )?;
    if let Some(path) = &args.clv.fit_report {
        write_fit_report(
            path,
            &guard,
            &model,
            fit.as_ref(),
            &settings,
            calibration_end,
            end,
        )?;
    }
    let table = OutputData {
        frame: calibration_table(&frame)?,
        money: ["predicted", "predicted_mean", "actual_mean"]
            .map(str::to_string)
            .to_vec(),
        decimals: TABLE_DECIMALS,
        title: "calibration".into(),
    };
    let data = OutputData {
        frame,
        money: Vec::new(),
        decimals: 0,
        title: "backtest".into(),
    };
    destination.write(&data, &guard, |out: &mut dyn Write| {
        write_frame_table(out, &table)
    })
}

/// Customers, predicted and actual purchases per calibration frequency (0 … 6, 7+), and a
/// total row.
fn calibration_table(frame: &DataFrame) -> PolarsResult<DataFrame> {
    let group = when(col("frequency").gt_eq(lit(FREQUENCY_GROUPS)))
        .then(lit(format!("{FREQUENCY_GROUPS}+")))
        .otherwise(col("frequency").cast(DataType::String));
    let aggregates = || {
        [
            len().cast(DataType::Int64).alias("customers"),
            col("predicted_purchases").sum().alias("predicted"),
            col("actual_purchases")
                .sum()
                .cast(DataType::Int64)
                .alias("actual"),
            col("predicted_purchases").mean().alias("predicted_mean"),
            col("actual_purchases")
                .cast(DataType::Float64)
                .mean()
                .alias("actual_mean"),
        ]
    };
    let by_group = frame
        .clone()
        .lazy()
        .group_by([
            col("frequency")
                .clip_max(lit(FREQUENCY_GROUPS))
                .alias("__order"),
            group.alias("frequency"),
        ])
        .agg(aggregates())
        .sort(["__order"], SortMultipleOptions::default())
        .drop(cols(["__order"]));
    let total = frame
        .clone()
        .lazy()
        .select(aggregates())
        .with_column(lit("total").alias("frequency"));
    // Thousandths as integers, shown with three decimals by the table (as money is), so
    // every number of a column has the same digits: 0.760, 1.000, not 0.76 and 1.
    let thousandths = |name: &str| {
        (col(name) * lit(TABLE_SCALE))
            .round(0, RoundMode::HalfAwayFromZero)
            .cast(DataType::Int64)
    };
    let rounded = [
        thousandths("predicted"),
        thousandths("predicted_mean"),
        thousandths("actual_mean"),
    ];
    concat(
        [
            by_group,
            total.select([
                col("frequency"),
                all().exclude_cols(["frequency"]).as_expr(),
            ]),
        ],
        UnionArgs::default(),
    )?
    .with_columns(rounded)
    .collect()
}

#[allow(clippy::too_many_arguments)]
fn report_totals(
    frame: &DataFrame,
    calibration_end: i32,
    end: i32,
    holdout: f64,
    settings: &crate::scorers::clv::ClvSettings,
    model: &BgNbd,
    fit: Option<&BgNbdFit>,
    printer: &Printer,
) -> PolarsResult<()> {
    let predicted: f64 = frame
        .column("predicted_purchases")?
        .f64()?
        .sum()
        .unwrap_or(0.0);
    let actual: i64 = frame.column("actual_purchases")?.i64()?.sum().unwrap_or(0);
    let fitted = match fit {
        Some(fit) => format!("fitted (log-likelihood {:.4})", fit.log_likelihood),
        None => "fixed by the config".into(),
    };
    printer.note(&format!(
        "BG/NBD {fitted} in {}: r = {:.4}, α = {:.4}, a = {:.4}, b = {:.4}",
        settings.time_unit.name(),
        model.r,
        model.alpha,
        model.a,
        model.b
    ));
    let off = if actual > 0 {
        format!(" ({:+.1}%)", (predicted / actual as f64 - 1.0) * 100.0)
    } else {
        String::new()
    };
    printer.note(&format!(
        "holdout {} to {} ({holdout:.2} {}), {} customers: predicted {predicted:.1} purchases, actual {actual}{off}",
        format_date(calibration_end + 1),
        format_date(end),
        settings.time_unit.name(),
        frame.height()
    ));
    Ok(())
}

fn write_fit_report(
    path: &std::path::Path,
    guard: &WriteGuard,
    model: &BgNbd,
    fit: Option<&BgNbdFit>,
    settings: &crate::scorers::clv::ClvSettings,
    calibration_end: i32,
    end: i32,
) -> anyhow::Result<()> {
    let report = serde_json::json!({
        "calibration_end": format_date(calibration_end),
        "as_of": format_date(end),
        "time_unit": settings.time_unit.name(),
        "bgnbd": model,
        "bgnbd_fit": fit,
    });
    guard.write(path, "--fit-report", |out| {
        serde_json::to_writer_pretty(&mut *out, &report)?;
        Ok(out.write_all(b"\n")?)
    })
}
