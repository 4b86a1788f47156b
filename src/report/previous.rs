//! The earlier tiers a report compares with: a tier file from an earlier run (CSV as
//! `tiering score` writes it, or the Parquet `tiering report --output-dir` leaves), or a
//! second scoring run at an earlier as-of date (`--compare-as-of`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use polars::prelude::*;

use crate::error::{BadRow, Location, TieringError};
use crate::input::money::{MoneyFormat, parse_money};
use crate::scored::ScoredRun;

/// Trailing columns of the tier files `report` writes: what produced them.
pub const SCORER_COLUMN: &str = "scorer";
/// The scorer's options, e.g. `5 bins, ties shared`.
pub const OPTIONS_COLUMN: &str = "scorer_options";

/// One customer's tier and headline metrics.
#[derive(Clone, Debug, PartialEq)]
pub struct Standing {
    /// Tier or segment id.
    pub tier_id: String,
    /// Its display name.
    pub tier: String,
    /// Net revenue, minor units.
    pub revenue: Option<i64>,
    /// Purchases.
    pub orders: Option<i64>,
    /// Days since the last purchase.
    pub recency_days: Option<i64>,
}

/// Every customer's standing at one time.
#[derive(Clone, Debug)]
pub struct Snapshot {
    /// Where it came from: a file name, or `as of 2026-10-26`.
    pub source: String,
    /// The as-of date it was scored at, when known.
    pub as_of: Option<String>,
    /// The scorer that produced it, when known or recognisable.
    pub scorer: Option<String>,
    /// Its options, when recorded.
    pub options: Option<String>,
    /// The largest R, F or M score seen, and the largest M score (RFM files only).
    pub max_scores: Option<(i64, i64)>,
    /// By customer_id.
    pub customers: BTreeMap<String, Standing>,
}

impl Snapshot {
    /// The standings of a scoring run.
    pub fn of_run(run: &ScoredRun, source: String) -> anyhow::Result<Snapshot> {
        let frame = &run.customers;
        let group = run.scorer.group();
        let text =
            |name: &str| -> PolarsResult<StringChunked> { Ok(frame.column(name)?.str()?.clone()) };
        let int = |name: &str| -> PolarsResult<Int64Chunked> {
            Ok(frame.column(name)?.cast(&DataType::Int64)?.i64()?.clone())
        };
        let (ids, tiers, names) = (text("customer_id")?, text(group.id)?, text(group.label)?);
        let (revenue, orders, recency) = (int("revenue")?, int("orders")?, int("recency_days")?);
        let customers = (0..frame.height())
            .map(|row| {
                let standing = Standing {
                    tier_id: tiers.get(row).unwrap_or_default().to_string(),
                    tier: names.get(row).unwrap_or_default().to_string(),
                    revenue: revenue.get(row),
                    orders: orders.get(row),
                    recency_days: recency.get(row),
                };
                (ids.get(row).unwrap_or_default().to_string(), standing)
            })
            .collect();
        Ok(Snapshot {
            source,
            as_of: Some(crate::input::dates::format_date(run.context.as_of)),
            scorer: Some(run.scorer.name().to_string()),
            options: Some(run.scorer.options_key(&run.context)),
            max_scores: None,
            customers,
        })
    }

    /// Read a tier file (CSV or Parquet).
    pub fn read(path: &Path, decimals: u32) -> anyhow::Result<Snapshot> {
        Self::read_for(path, decimals, "--previous")
    }

    /// Read a tier file given with `flag` (named in the messages).
    pub fn read_for(path: &Path, decimals: u32, flag: &str) -> anyhow::Result<Snapshot> {
        let (table, first_line) = Table::read(path, flag)?;
        snapshot_of(
            &table,
            &path.display().to_string(),
            first_line,
            decimals,
            flag,
        )
    }

    /// The tier ids present.
    pub fn tier_ids(&self) -> BTreeSet<&str> {
        self.customers
            .values()
            .map(|s| s.tier_id.as_str())
            .collect()
    }
}

fn unreadable(file: &str, flag: &str, error: impl std::fmt::Display) -> TieringError {
    TieringError::Unreadable {
        file: file.to_string(),
        reason: error.to_string(),
        hint: Some(format!(
            "{flag} takes a tier file as `tiering score -o` or `tiering sql` on an engine writes it: .csv, .tsv or .parquet"
        )),
    }
}

/// Where a cell of a tier file is: its file, and its row counted as messages count it.
pub(super) struct Cell<'a> {
    /// The file as given.
    pub file: &'a str,
    /// 2 for a text file (line 2 is the first row), 1 for Parquet (row 1).
    pub first_line: u64,
    /// The line or row number.
    pub number: u64,
}

impl Cell<'_> {
    /// A bad value there: exit 3, naming file, line (or row), column and value.
    pub fn bad(&self, column: &str, value: &str, reason: &str, hint: &str) -> anyhow::Error {
        TieringError::BadValue {
            row: Box::new(BadRow {
                file: self.file.to_string(),
                location: if self.first_line == 2 {
                    Location::Line(self.number)
                } else {
                    Location::Row(self.number)
                },
                column: Some(column.to_string()),
                value: Some(value.to_string()),
                reason: reason.to_string(),
                expected: None,
                hint: Some(hint.to_string()),
            }),
            more: 0,
            rejects: false,
        }
        .into()
    }
}

/// A table of text cells with its header.
pub(super) struct Table {
    /// Column names.
    pub header: Vec<String>,
    /// Cells by row, then column.
    pub rows: Vec<Vec<Option<String>>>,
}

impl Table {
    /// Read a tier file (CSV, TSV or Parquet) given with `flag`, as text cells; also the
    /// number its first row is counted by in messages (line 2 of a text file, row 1).
    pub fn read(path: &Path, flag: &str) -> anyhow::Result<(Table, u64)> {
        let display = path.display().to_string();
        if !path.exists() {
            return Err(TieringError::InputNotFound {
                pattern: display,
                what: "no such file".into(),
                hint: Some(format!(
                    "{flag} takes a tier file (tiering score -o, tiers-DATE.parquet from report --output-dir, or the result of tiering sql)"
                )),
            }
            .into());
        }
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        let (table, first) = Self::read_format(path, &display, &extension, flag)?;
        if table.rows.is_empty() {
            return Err(TieringError::usage(
                format!("{flag} `{display}` holds no customers"),
                Some(format!(
                    "{flag} takes a tier file with its customers, as tiering score -o or report --output-dir writes it"
                )),
            )
            .into());
        }
        Ok((table, first))
    }

    fn read_format(
        path: &Path,
        display: &str,
        extension: &str,
        flag: &str,
    ) -> anyhow::Result<(Table, u64)> {
        match extension {
            "parquet" | "pq" => {
                let file = std::fs::File::open(path)?;
                let frame = ParquetReader::new(file)
                    .finish()
                    .map_err(|e| unreadable(display, flag, e))?;
                Ok((Table::from_frame(&frame)?, 1))
            }
            "csv" | "tsv" | "tab" | "txt" => {
                let delimiter = if extension == "csv" { b',' } else { b'\t' };
                let table =
                    Table::from_csv(path, delimiter).map_err(|e| unreadable(display, flag, e))?;
                Ok((table, 2))
            }
            _ => Err(unreadable(
                display,
                flag,
                format!("`.{extension}` is not a tier file format"),
            )
            .into()),
        }
    }

    fn from_csv(path: &Path, delimiter: u8) -> anyhow::Result<Table> {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(false)
            .from_path(path)?;
        let header = reader
            .headers()?
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').to_string())
            .collect();
        let rows = reader
            .records()
            .map(|record| {
                Ok(record?
                    .iter()
                    .map(|c| Some(crate::output::cells::restore(c).to_string()))
                    .collect())
            })
            .collect::<anyhow::Result<_>>()?;
        Ok(Table { header, rows })
    }

    fn from_frame(frame: &DataFrame) -> anyhow::Result<Table> {
        let header: Vec<String> = frame
            .get_column_names()
            .iter()
            .map(|n| n.to_string())
            .collect();
        let mut columns = Vec::with_capacity(header.len());
        for name in &header {
            let text = frame.column(name)?.cast(&DataType::String)?;
            columns.push(text.str()?.clone());
        }
        let rows = (0..frame.height())
            .map(|row| {
                columns
                    .iter()
                    .map(|c| c.get(row).map(str::to_string))
                    .collect()
            })
            .collect();
        Ok(Table { header, rows })
    }

    /// Where a column is.
    pub fn position(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }
}

/// Which scorer wrote a file, from the column only that scorer writes.
pub(super) fn recognise_scorer(header: &[String]) -> Option<&'static str> {
    crate::scorers::ScorerKind::recognise(header).map(|kind| kind.build().name())
}

fn snapshot_of(
    table: &Table,
    source: &str,
    first_line: u64,
    decimals: u32,
    flag: &str,
) -> anyhow::Result<Snapshot> {
    let missing = |column: &str| TieringError::MissingColumn {
        file: source.to_string(),
        column: column.to_string(),
        mapped_to: None,
        header: crate::error::HeaderSeen::of(&table.header),
        closest: None,
    };
    let id = table
        .position("customer_id")
        .ok_or_else(|| missing("customer_id"))?;
    let (tier_id, tier) = match (table.position("segment_id"), table.position("tier_id")) {
        (Some(s), _) => (s, table.position("segment")),
        (None, Some(t)) => (t, table.position("tier")),
        (None, None) => return Err(missing("tier_id").into()),
    };
    let (revenue, orders, recency) = (
        table.position("revenue"),
        table.position("orders"),
        table.position("recency_days"),
    );
    let bad = |line: u64, column: &str, value: &str, reason: &str| -> anyhow::Error {
        let at = Cell {
            file: source,
            first_line,
            number: line,
        };
        at.bad(
            column,
            value,
            reason,
            &format!("{flag} takes a tier file as tiering wrote it"),
        )
    };
    let cell = |row: &[Option<String>], at: Option<usize>| -> Option<String> {
        at.and_then(|i| row.get(i).cloned().flatten())
            .filter(|s| !s.is_empty())
    };
    let mut customers = BTreeMap::new();
    let scores: Vec<Option<usize>> = ["r_score", "f_score", "m_score"]
        .iter()
        .map(|c| table.position(c))
        .collect();
    let mut max_scores = (0i64, 0i64);
    for (i, row) in table.rows.iter().enumerate() {
        let line = first_line + i as u64;
        let Some(customer) = cell(row, Some(id)) else {
            return Err(bad(line, "customer_id", "", "empty customer_id"));
        };
        let number = |at: Option<usize>, column: &str| -> anyhow::Result<Option<i64>> {
            cell(row, at)
                .map(|v| {
                    v.parse::<i64>()
                        .map_err(|_| bad(line, column, &v, "not a whole number"))
                })
                .transpose()
        };
        for (k, at) in scores.iter().enumerate() {
            if let Some(score) = number(*at, ["r_score", "f_score", "m_score"][k])? {
                max_scores.0 = max_scores.0.max(score);
                if k == 2 {
                    max_scores.1 = max_scores.1.max(score);
                }
            }
        }
        let tier_id_value = cell(row, Some(tier_id)).unwrap_or_default();
        let standing = Standing {
            tier: cell(row, tier).unwrap_or_else(|| tier_id_value.clone()),
            tier_id: tier_id_value,
            revenue: cell(row, revenue)
                .map(|v| {
                    let format = MoneyFormat {
                        decimals,
                        decimal_comma: false,
                    };
                    parse_money(&v, format).map_err(|e| bad(line, "revenue", &v, e.reason()))
                })
                .transpose()?,
            orders: number(orders, "orders")?,
            recency_days: number(recency, "recency_days")?,
        };
        if customers.insert(customer.clone(), standing).is_some() {
            return Err(bad(line, "customer_id", &customer, "customer listed twice"));
        }
    }
    let first = table.rows.first();
    let first_cell = |name: &str| first.and_then(|row| cell(row, table.position(name)));
    Ok(Snapshot {
        source: source.to_string(),
        as_of: first_cell("as_of"),
        scorer: first_cell(SCORER_COLUMN)
            .or_else(|| recognise_scorer(&table.header).map(str::to_string)),
        options: first_cell(OPTIONS_COLUMN),
        max_scores: scores.iter().any(Option::is_some).then_some(max_scores),
        customers,
    })
}
