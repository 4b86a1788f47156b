//! Where the order lines come from in the engine: a table, or a file the engine reads
//! (CSV or Parquet), and which of its columns are the canonical ones. The header of a
//! local file is read here, so the usual column detection and `--map` apply.

use std::collections::BTreeMap;
use std::path::Path;

use polars::prelude::*;

use super::dialect::Dialect;
use crate::error::TieringError;
use crate::input::columns::{Canonical, ExplicitMap, detect};
use crate::input::customers::output_name;
use crate::input::export::is_order_total_header;
use crate::input::layout::{LayoutChoice, recognise};

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
/// Statuses, refunds and currencies change what counts (DESIGN §3a); the SQL scorers
/// do not apply them yet, so a source that has such a column is refused rather than
/// scored with cancelled orders counted. `--map status=` (etc.) says the column is to be
/// ignored.
fn refuse_export_semantics(
    source: &str,
    header: &[String],
    explicit: &ExplicitMap,
) -> Result<(), TieringError> {
    let semantic = [Canonical::Status, Canonical::Refund, Canonical::Currency];
    let found = detect(source, header, explicit, &[], &semantic)?;
    if let Some((canonical, &i)) = found.index.iter().next() {
        let consequence = match canonical {
            Canonical::Status => "cancelled, unpaid or lost orders would count",
            Canonical::Refund => "refunds would not be netted",
            _ => "amounts in different currencies would be summed",
        };
        return Err(TieringError::usage(
            format!(
                "`{source}` has a {canonical} column (`{}`), which tiering sql does not apply: {consequence}",
                header[i]
            ),
            Some(format!(
                "score it with `tiering score`, filter the source first (a view), or ignore the column with --map {canonical}="
            )),
        ));
    }
    if let Ok(Some(layout)) = recognise(header, &LayoutChoice::Auto) {
        return Err(TieringError::usage(
            format!(
                "`{source}` is a {}; tiering sql does not read platform layouts (totals given once per order, guests, statuses)",
                layout.title
            ),
            Some("score it with `tiering score`".into()),
        ));
    }
    let mapping = detect(source, header, explicit, &[], &[Canonical::Amount])?;
    if let Some(i) = mapping.get(Canonical::Amount)
        && is_order_total_header(&header[i])
    {
        return Err(TieringError::usage(
            format!(
                "`{source}` column `{}` is an order's total; tiering sql would add it once per line of the order",
                header[i]
            ),
            Some("score it with `tiering score` (which counts it once per order), or map a line amount with --map amount=<column>".into()),
        ));
    }
    Ok(())
}

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
    let default = DEFAULT_TABLE_COLUMNS.map(str::to_string).to_vec();
    let header = header_of(source, table_columns, Some(default), "--table-columns")?;
    let mapping = detect(source, &header, explicit, &REQUIRED, &WANTED)?;
    refuse_export_semantics(source, &header, explicit)?;
    let columns = mapping
        .index
        .iter()
        .map(|(&canonical, &i)| (canonical, header[i].clone()))
        .collect();
    let (setup, relation) = relation(dialect, source, &header, LOADED)?;
    Ok(Source {
        setup,
        relation,
        columns,
    })
}

/// A customer export in the engine: its relation, id column and passed-through columns.
pub struct CustomerSource {
    /// Statements that must run before the query.
    pub setup: Vec<String>,
    /// The relation in the FROM clause.
    pub relation: String,
    /// The source column holding the customer id.
    pub id: String,
    /// The other columns: (source name, output name), in source order.
    pub columns: Vec<(String, String)>,
}

/// The view or table a customer export file is loaded into where the engine needs one.
const LOADED_CUSTOMERS: &str = "tiering_customers";

/// Resolve a customer export (table or file) as `score --customers` reads it: the
/// customer id found by the usual detection (or `--map customer_id=`), the other columns
/// named as `score` names them (a `customer_` prefix where they would shadow `reserved`).
pub fn resolve_customers(
    dialect: Dialect,
    source: &str,
    explicit: &ExplicitMap,
    table_columns: &[String],
    reserved: &[&str],
) -> anyhow::Result<CustomerSource> {
    let header = header_of(source, table_columns, None, "--customer-columns")?;
    let explicit: ExplicitMap = explicit
        .iter()
        .filter(|(c, name)| **c == Canonical::CustomerId && header.contains(name))
        .map(|(c, name)| (*c, name.clone()))
        .collect();
    let id_only = [Canonical::CustomerId];
    let mapping = detect(source, &header, &explicit, &id_only, &id_only)?;
    let id_index = mapping.get(Canonical::CustomerId).expect("required column");
    let mut used = vec!["customer_id".to_string()];
    let columns = header
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != id_index)
        .map(|(i, name)| (name.clone(), output_name(name, i, reserved, &mut used)))
        .collect();
    let (setup, relation) = relation(dialect, source, &header, LOADED_CUSTOMERS)?;
    Ok(CustomerSource {
        setup,
        relation,
        id: header[id_index].clone(),
        columns,
    })
}

/// The header of `source`: as given, a table's default, or read from the local file.
fn header_of(
    source: &str,
    table_columns: &[String],
    table_default: Option<Vec<String>>,
    flag: &str,
) -> anyhow::Result<Vec<String>> {
    if !table_columns.is_empty() {
        return Ok(table_columns.to_vec());
    }
    let unknown = |why: String| -> anyhow::Error {
        TieringError::usage(
            why,
            Some(format!(
                "name them with {flag} (the table's or file's header, comma-separated)"
            )),
        )
        .into()
    };
    match kind(source) {
        Kind::Table => table_default
            .ok_or_else(|| unknown(format!("the columns of the table `{source}` are unknown"))),
        Kind::Csv(_) | Kind::Parquet if !Path::new(source).exists() => Err(unknown(format!(
            "`{source}` is not a file here, so its columns are unknown"
        ))),
        Kind::Csv(delimiter) => csv_header(source, delimiter),
        Kind::Parquet => parquet_header(source),
    }
}

/// The set-up statements and the FROM relation that read `source` in `dialect`; a file
/// is loaded into `view` where the engine needs a view or table.
fn relation(
    dialect: Dialect,
    source: &str,
    header: &[String],
    view: &str,
) -> anyhow::Result<(Vec<String>, String)> {
    let kind = kind(source);
    let literal = dialect.string(source);
    let tab = matches!(kind, Kind::Csv(b'\t'));
    Ok(match (kind, dialect) {
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
                "CREATE OR REPLACE TEMPORARY VIEW {view} USING csv OPTIONS (path {literal}, header 'true', sep {})",
                if tab { "'\\t'" } else { "','" }
            )],
            view.to_string(),
        ),
        (Kind::Parquet, Dialect::Spark) => (
            vec![format!(
                "CREATE OR REPLACE TEMPORARY VIEW {view} USING parquet OPTIONS (path {literal})"
            )],
            view.to_string(),
        ),
        (Kind::Csv(_), Dialect::Postgres) => {
            let definitions: Vec<String> = header
                .iter()
                .map(|h| format!("{} TEXT", dialect.ident(h)))
                .collect();
            (
                vec![
                    format!("CREATE TEMP TABLE {view} ({})", definitions.join(", ")),
                    // A psql meta-command: the client reads the file, so no server access
                    // to it is needed. It must stay on one line, without a semicolon.
                    format!(
                        "\\copy {view} FROM {literal} WITH (FORMAT csv, HEADER true, DELIMITER {})",
                        if tab { "E'\\t'" } else { "','" }
                    ),
                ],
                view.to_string(),
            )
        }
        (Kind::Parquet, Dialect::Postgres) => {
            return Err(TieringError::usage(
                "PostgreSQL cannot read Parquet files",
                Some("load the file into a table and pass its name to --source".into()),
            )
            .into());
        }
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
