//! Where the order lines come from in the engine: a table, or a file the engine reads
//! (CSV or Parquet), and which of its columns are the canonical ones. The header of a
//! local file is read here, so the usual column detection and `--map` apply.

use std::collections::BTreeMap;
use std::path::Path;

use polars::prelude::*;

use super::dialect::Dialect;
use crate::error::TieringError;
use crate::input::columns::{Canonical, ExplicitMap, detect};

/// The relation to read and its canonical columns.
pub struct Source {
    /// Statements that must run before the query (a Spark view, a PostgreSQL table load).
    pub setup: Vec<String>,
    /// The relation in the FROM clause.
    pub relation: String,
    /// Source column name of each canonical column found.
    pub columns: BTreeMap<Canonical, String>,
}

const REQUIRED: [Canonical; 3] = [
    Canonical::CustomerId,
    Canonical::OrderDate,
    Canonical::Amount,
];
const WANTED: [Canonical; 5] = [
    Canonical::CustomerId,
    Canonical::OrderId,
    Canonical::OrderDate,
    Canonical::Amount,
    Canonical::Cost,
];
/// What a table is assumed to hold when `--table-columns` is not given.
const DEFAULT_TABLE_COLUMNS: [&str; 4] = ["customer_id", "order_id", "order_date", "amount"];
/// The view or table the file is loaded into where the engine needs one.
const LOADED: &str = "tiering_source";

enum Kind {
    /// Delimited text with a header, with its delimiter.
    Csv(u8),
    Parquet,
    Table,
}

fn kind(source: &str) -> Kind {
    let lower = source.to_ascii_lowercase();
    if lower.ends_with(".parquet") || lower.ends_with(".pq") {
        Kind::Parquet
    } else if lower.ends_with(".csv") || lower.ends_with(".csv.gz") {
        Kind::Csv(b',')
    } else if lower.ends_with(".tsv") || lower.ends_with(".tsv.gz") {
        Kind::Csv(b'\t')
    } else {
        Kind::Table
    }
}

/// Resolve `source` (a table name or a file path) for `dialect`.
pub fn resolve(
    dialect: Dialect,
    source: &str,
    explicit: &ExplicitMap,
    table_columns: &[String],
) -> anyhow::Result<Source> {
    let kind = kind(source);
    let header: Vec<String> = if !table_columns.is_empty() {
        table_columns.to_vec()
    } else {
        match kind {
            Kind::Table => DEFAULT_TABLE_COLUMNS.map(str::to_string).to_vec(),
            Kind::Csv(_) | Kind::Parquet if !Path::new(source).exists() => {
                return Err(TieringError::usage(
                    format!("`{source}` is not a file here, so its columns are unknown"),
                    Some("name them with --table-columns customer_id,order_id,order_date,amount (the file's header)".into()),
                )
                .into());
            }
            Kind::Csv(delimiter) => csv_header(source, delimiter)?,
            Kind::Parquet => parquet_header(source)?,
        }
    };
    let mapping = detect(source, &header, explicit, &REQUIRED, &WANTED)?;
    let columns = mapping
        .index
        .iter()
        .map(|(&canonical, &i)| (canonical, header[i].clone()))
        .collect();
    let literal = dialect.string(source);
    let tab = matches!(kind, Kind::Csv(b'\t'));
    let (setup, relation) = match (kind, dialect) {
        (Kind::Table, _) => (Vec::new(), source.to_string()),
        (Kind::Csv(_), _) if dialect == Dialect::Postgres && source.ends_with(".gz") => {
            return Err(TieringError::usage(
                "psql's \\copy cannot read a compressed file",
                Some(
                    "decompress it first, or load it into a table and pass the table to --source"
                        .into(),
                ),
            )
            .into());
        }
        (Kind::Csv(_), Dialect::Duckdb) => (
            Vec::new(),
            format!(
                "read_csv({literal}, all_varchar = true, header = true, delim = {})",
                if tab { "'\\t'" } else { "','" }
            ),
        ),
        (Kind::Parquet, Dialect::Duckdb) => (Vec::new(), format!("read_parquet({literal})")),
        (Kind::Csv(_), Dialect::Spark) => (
            vec![format!(
                "CREATE OR REPLACE TEMPORARY VIEW {LOADED} USING csv OPTIONS (path {literal}, header 'true', sep {})",
                if tab { "'\\t'" } else { "','" }
            )],
            LOADED.to_string(),
        ),
        (Kind::Parquet, Dialect::Spark) => (
            vec![format!(
                "CREATE OR REPLACE TEMPORARY VIEW {LOADED} USING parquet OPTIONS (path {literal})"
            )],
            LOADED.to_string(),
        ),
        (Kind::Csv(_), Dialect::Postgres) => {
            let definitions: Vec<String> = header
                .iter()
                .map(|h| format!("{} TEXT", dialect.ident(h)))
                .collect();
            (
                vec![
                    format!("CREATE TEMP TABLE {LOADED} ({})", definitions.join(", ")),
                    // A psql meta-command: the client reads the file, so no server access
                    // to it is needed. It must stay on one line, without a semicolon.
                    format!(
                        "\\copy {LOADED} FROM {literal} WITH (FORMAT csv, HEADER true, DELIMITER {})",
                        if tab { "E'\\t'" } else { "','" }
                    ),
                ],
                LOADED.to_string(),
            )
        }
        (Kind::Parquet, Dialect::Postgres) => {
            return Err(TieringError::usage(
                "PostgreSQL cannot read Parquet files",
                Some("load the file into a table and pass its name to --source".into()),
            )
            .into());
        }
    };
    Ok(Source {
        setup,
        relation,
        columns,
    })
}

fn csv_header(path: &str, delimiter: u8) -> anyhow::Result<Vec<String>> {
    let file = std::fs::File::open(path).map_err(|e| unreadable(path, e))?;
    let input: Box<dyn std::io::Read> = if path.to_ascii_lowercase().ends_with(".gz") {
        Box::new(flate2::read::GzDecoder::new(file))
    } else {
        Box::new(file)
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .from_reader(input);
    Ok(reader
        .headers()
        .map_err(|e| unreadable(path, e))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_string())
        .collect())
}

fn parquet_header(path: &str) -> anyhow::Result<Vec<String>> {
    let file = std::fs::File::open(path)?;
    let schema = ParquetReader::new(file)
        .schema()
        .map_err(|e| unreadable(path, e))?;
    Ok(schema.iter_names().map(|n| n.to_string()).collect())
}

fn unreadable(path: &str, error: impl std::fmt::Display) -> TieringError {
    TieringError::Unreadable {
        file: path.to_string(),
        reason: error.to_string(),
        hint: None,
    }
}
