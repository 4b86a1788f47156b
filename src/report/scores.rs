//! `tiering report --scores FILE`: a scoring run rebuilt from a tier file scored
//! elsewhere — the result of `tiering sql` on DuckDB, PostgreSQL or Spark, or a file of
//! `tiering score -o` — so the report is built without the order lines. Columns are typed
//! back as `score` has them: money in minor units (exact, from the decimal text), dates,
//! whole numbers, decimals, booleans and text.

use std::collections::HashMap;
use std::path::Path;

use polars::prelude::*;

use super::previous::{Cell, OPTIONS_COLUMN, SCORER_COLUMN, Table, recognise_scorer};
use super::scores_check::{check_groups, money_digits};
use crate::cli::ScoringArgs;
use crate::config::LoadedConfig;
use crate::customer_order::sorted_by_id;
use crate::error::TieringError;
use crate::input::LoadedOrders;
use crate::input::dates::{DateFormat, format_date, parse_date};
use crate::input::lines::col_names::CUSTOMER_ID;
use crate::input::money::{MoneyFormat, parse_money};
use crate::metrics::{METRIC_COLUMNS, MONEY_COLUMNS, metric_type};
use crate::printer::Printer;
use crate::scored::{RunOrigin, ScoredRun, thresholds_of};
use crate::scorers::columns::ColumnType;
use crate::scorers::{ScoreContext, ScorerKind};
use crate::settings::{ScoringFlags, score_settings};

/// Counts and day spans, which are never negative.
const COUNTS: [&str; 4] = ["orders", "recency_days", "tenure_days", "return_lines"];

/// Columns the report reads from every tier file.
const REQUIRED: [&str; 9] = [
    "customer_id",
    "first_order_date",
    "last_order_date",
    "recency_days",
    "orders",
    "revenue",
    "returns",
    "profit",
    "as_of",
];

/// Read `path` (given with `--scores`) into a run as `score_inputs` would have produced.
pub fn scores_run(
    path: &Path,
    args: &ScoringArgs,
    config: &LoadedConfig,
    printer: &Printer,
) -> anyhow::Result<ScoredRun> {
    let file = path.display().to_string();
    let (table, first_line) = Table::read(path, "--scores")?;
    let kind = scorer_of(&table, &file, args.options.scorer)?;
    let settings = score_settings(ScoringFlags::of(args), config)?;
    let scorer = kind.build();
    crate::scored::warn_about_other_scorers_options(
        &args.options,
        &args.clv,
        scorer.as_ref(),
        printer,
    );
    let group = scorer.group();
    for column in REQUIRED
        .iter()
        .copied()
        .chain([group.id, group.label, "strategy"])
    {
        if table.position(column).is_none() {
            return Err(TieringError::MissingColumn {
                file: file.clone(),
                column: column.to_string(),
                mapped_to: None,
                header: crate::error::HeaderSeen::of(&table.header),
                closest: crate::suggest::closest(column, table.header.iter().map(String::as_str))
                    .map(str::to_string),
            }
            .into());
        }
    }
    let scoring = &settings.scoring;
    let mut money: Vec<String> = MONEY_COLUMNS.iter().map(|c| c.to_string()).collect();
    money.extend(scorer.money_columns(scoring));
    // Every column as `score` types it: the metrics and the scorer's declared columns.
    let mut types: HashMap<String, ColumnType> = METRIC_COLUMNS
        .iter()
        .chain(&["return_lines"])
        .filter_map(|name| Some((name.to_string(), metric_type(name)?)))
        .collect();
    types.extend(
        scorer
            .columns(scoring)
            .into_iter()
            .map(|c| (c.name, c.kind)),
    );
    types.insert("as_of".into(), ColumnType::Date);
    for text in [CUSTOMER_ID, SCORER_COLUMN, OPTIONS_COLUMN] {
        types.insert(text.into(), ColumnType::Text);
    }
    // Columns that are neither metrics nor the scorer's come from a customer export,
    // which `score` passes through as text.
    let passed_through: Vec<String> = table
        .header
        .iter()
        .filter(|h| !types.contains_key(*h))
        .cloned()
        .collect();
    for column in &passed_through {
        types.insert(column.clone(), ColumnType::Text);
    }
    // The currency's digits as given, else as the money cells are written (a JPY file
    // has none; `score` and the SQL engines write every amount with all its digits).
    let given = args
        .input
        .currency_decimals
        .or(config.config.input.currency_decimals);
    let decimals = match given {
        Some(digits) => digits,
        None => money_digits(&table, &money, &file)?,
    };
    let typing = Typing {
        file: &file,
        first_line,
        types: &types,
        format: MoneyFormat {
            decimals,
            decimal_comma: false,
        },
    };
    let frame = typing.frame(&table)?;
    let as_of = single_as_of(&frame, &file, settings.as_of)?;
    let customers = sorted_by_id(frame, CUSTOMER_ID)?;
    check_unique_ids(&customers, &file)?;
    // The passed-through columns are the run's customer-export columns (`--breakdown`).
    let mut context = ScoreContext::new(settings.scoring, as_of, decimals, passed_through);
    context.formed_groups = scorer.groups_formed(&customers)?;
    check_groups(scorer.as_ref(), &customers, &context, &file)?;
    let thresholds = thresholds_of(scorer.as_ref(), &customers, &context)?;
    let money = money
        .into_iter()
        .filter(|m| customers.column(m).is_ok())
        .collect();
    let rows = table.rows.len() as u64;
    let format = path
        .extension()
        .map_or_else(String::new, |e| e.to_string_lossy().to_ascii_lowercase());
    Ok(ScoredRun {
        scorer,
        kind,
        context,
        customers,
        money,
        thresholds,
        orders: LoadedOrders {
            lines: DataFrame::empty(),
            files: Vec::new(),
            rejected: Vec::new(),
            overlaps: Default::default(),
            dates: Default::default(),
            decimals,
        },
        progress: printer.progress("reading scores", 0),
        origin: RunOrigin::ScoresFile { file, format, rows },
    })
}

/// The scorer that wrote the file: its `scorer` column, else the columns only one scorer
/// writes; `--scorer`, when given, must agree.
fn scorer_of(
    table: &Table,
    file: &str,
    given: Option<ScorerKind>,
) -> Result<ScorerKind, TieringError> {
    let named = table
        .position(SCORER_COLUMN)
        .and_then(|at| table.rows.first().and_then(|row| row[at].clone()))
        .or_else(|| recognise_scorer(&table.header).map(str::to_string));
    let found: Option<ScorerKind> = named
        .as_deref()
        .and_then(|name| clap::ValueEnum::from_str(name, true).ok());
    match (found, given) {
        (Some(found), Some(given)) if found != given => Err(TieringError::usage(
            format!(
                "`{file}` holds {} scores, not {}",
                found.build().name(),
                given.build().name()
            ),
            Some(format!(
                "drop --scorer, or pass --scorer {}",
                found.build().name()
            )),
        )),
        (Some(found), _) => Ok(found),
        (None, Some(given)) => Ok(given),
        (None, None) => Err(TieringError::usage(
            format!("cannot tell which scorer wrote `{file}`"),
            Some("pass the --scorer the scores were computed with".into()),
        )),
    }
}

/// How the text cells become typed columns: each column by its declared type.
struct Typing<'a> {
    file: &'a str,
    first_line: u64,
    types: &'a HashMap<String, ColumnType>,
    format: MoneyFormat,
}

impl Typing<'_> {
    fn frame(&self, table: &Table) -> anyhow::Result<DataFrame> {
        let mut columns = Vec::with_capacity(table.header.len());
        for (at, name) in table.header.iter().enumerate() {
            let cells: Vec<Option<&str>> = table
                .rows
                .iter()
                .map(|row| row[at].as_deref().filter(|c| !c.is_empty()))
                .collect();
            columns.push(self.column(name, &cells)?);
        }
        Ok(DataFrame::new_infer_height(columns)?)
    }

    fn column(&self, name: &str, cells: &[Option<&str>]) -> anyhow::Result<Column> {
        let kind = self.types.get(name).copied().unwrap_or(ColumnType::Text);
        let name_ = PlSmallStr::from(name);
        Ok(match kind {
            ColumnType::Money => Column::new(
                name_,
                self.each(name, cells, "not an amount", |c| {
                    parse_money(c, self.format).ok()
                })?,
            ),
            ColumnType::Date => Column::new(
                name_,
                self.each(name, cells, "not a YYYY-MM-DD date", |c| {
                    parse_date(c, &DateFormat::Auto).ok()
                })?,
            )
            .cast(&DataType::Date)?,
            ColumnType::Integer if COUNTS.contains(&name) => Column::new(
                name_,
                self.each(name, cells, "not a whole number, 0 or more", |c| {
                    whole_number(c).filter(|n| *n >= 0)
                })?,
            ),
            ColumnType::Integer => Column::new(
                name_,
                self.each(name, cells, "not a whole number", whole_number)?,
            ),
            ColumnType::Float => Column::new(
                name_,
                self.each(name, cells, "not a number", |c| {
                    c.parse::<f64>().ok().filter(|v| v.is_finite())
                })?,
            ),
            ColumnType::Bool => {
                Column::new(name_, self.each(name, cells, "not true or false", truth)?)
            }
            ColumnType::Text => Column::new(name_, cells.to_vec()),
        })
    }

    /// Every non-empty cell parsed, or an error naming the first that does not parse.
    fn each<T>(
        &self,
        column: &str,
        cells: &[Option<&str>],
        reason: &str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> anyhow::Result<Vec<Option<T>>> {
        cells
            .iter()
            .enumerate()
            .map(|(row, cell)| match cell {
                None => Ok(None),
                Some(text) => parse(text)
                    .map(Some)
                    .ok_or_else(|| self.bad(row, column, text, reason)),
            })
            .collect()
    }

    fn bad(&self, row: usize, column: &str, value: &str, reason: &str) -> anyhow::Error {
        let at = Cell {
            file: self.file,
            first_line: self.first_line,
            number: self.first_line + row as u64,
        };
        at.bad(
            column,
            value,
            reason,
            "--scores takes per-customer scores as tiering score or tiering sql writes them",
        )
    }
}

/// A whole number as SQL engines write one: `12`, or `12.0` from an engine that typed
/// the column as a decimal.
fn whole_number(text: &str) -> Option<i64> {
    text.parse::<i64>().ok().or_else(|| {
        let value = text.parse::<f64>().ok()?;
        (value.fract() == 0.0 && value.abs() < 9.0e15).then_some(value as i64)
    })
}

/// A boolean as engines write one: `true`/`false`, or PostgreSQL's `t`/`f`.
fn truth(text: &str) -> Option<bool> {
    match text.to_ascii_lowercase().as_str() {
        "true" | "t" => Some(true),
        "false" | "f" => Some(false),
        _ => None,
    }
}

/// The one as-of date of every row; `--as-of`, when given, must agree.
fn single_as_of(frame: &DataFrame, file: &str, given: Option<i32>) -> anyhow::Result<i32> {
    let dates = frame.column("as_of")?.date()?.physical().clone();
    let (Some(first), Some(last)) = (dates.min(), dates.max()) else {
        return Err(TieringError::usage(
            format!("`{file}` has no as_of date"),
            Some("the scores must carry the as_of column tiering writes".into()),
        )
        .into());
    };
    if first != last || dates.null_count() > 0 {
        return Err(TieringError::usage(
            format!(
                "`{file}` mixes as-of dates ({} to {})",
                format_date(first),
                format_date(last)
            ),
            Some("a report covers one scoring run: pass the scores of one as-of date".into()),
        )
        .into());
    }
    if let Some(given) = given.filter(|&g| g != first) {
        return Err(TieringError::usage(
            format!(
                "--as-of {} differs from the scores' as-of date {}",
                format_date(given),
                format_date(first)
            ),
            Some("drop --as-of: the report takes the date the scores were computed at".into()),
        )
        .into());
    }
    Ok(first)
}

fn check_unique_ids(customers: &DataFrame, file: &str) -> anyhow::Result<()> {
    let ids = customers.column(CUSTOMER_ID)?.str()?;
    let mut previous: Option<&str> = None;
    for id in ids.iter() {
        let Some(id) = id else {
            return Err(TieringError::usage(
                format!("`{file}` has a row without customer_id"),
                None,
            )
            .into());
        };
        if previous == Some(id) {
            return Err(TieringError::usage(
                format!("`{file}` lists customer `{id}` twice"),
                Some("the scores must hold one row per customer".into()),
            )
            .into());
        }
        previous = Some(id);
    }
    Ok(())
}
