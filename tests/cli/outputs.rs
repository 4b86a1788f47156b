//! Every output format, read back with an independent reader; destinations; pipes.

use std::io::Read;
use std::process::Stdio;

use calamine::{Reader, Xlsx, open_workbook};
use polars::prelude::*;

use crate::support::{root, score_text, temp_dir, testdata, tiering};

fn write_to(dir: &std::path::Path, name: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    tiering()
        .args(["score", &testdata("returns.csv"), "-o"])
        .arg(&path)
        .assert()
        .success();
    path
}

#[test]
fn score_writes_tsv_markdown_and_csv_by_extension() {
    let dir = temp_dir();
    let tsv = std::fs::read_to_string(write_to(dir.path(), "t.tsv")).unwrap();
    assert!(tsv.starts_with("customer_id\tfirst_order_date\t"));
    assert!(tsv.contains("\nA\t2024-01-01\t2024-03-01\t14\t74\t2\t150.00\t"));
    let md = std::fs::read_to_string(write_to(dir.path(), "t.md")).unwrap();
    assert!(md.starts_with("| customer_id | first_order_date |"));
    assert!(md.contains("| A | 2024-01-01 | 2024-03-01 | 14 | 74 | 2 | 150.00 |"));
    let csv = std::fs::read_to_string(write_to(dir.path(), "t.csv")).unwrap();
    assert_eq!(csv, score_text(&[&testdata("returns.csv")]));
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left behind");
}

#[test]
fn score_writes_json_and_ndjson_with_exact_money() {
    let dir = temp_dir();
    let json = std::fs::read_to_string(write_to(dir.path(), "t.json")).unwrap();
    assert!(
        json.contains("\"revenue\":150.00"),
        "money keeps its decimals: {json}"
    );
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let rows = value.as_array().unwrap();
    assert_eq!(rows.len(), 6);
    assert_eq!(rows[0]["customer_id"], "A");
    assert_eq!(rows[0]["orders"], 2);
    assert_eq!(rows[0]["last_order_date"], "2024-03-01");
    assert_eq!(rows[2]["r_score"], serde_json::Value::Null);
    let ndjson = std::fs::read_to_string(write_to(dir.path(), "t.ndjson")).unwrap();
    let lines: Vec<serde_json::Value> = ndjson
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 6);
    assert_eq!(lines[5]["customer_id"], "F");
    assert_eq!(lines[5]["revenue"].as_f64(), Some(50.0));
}

#[test]
fn score_writes_parquet_with_decimal_money_and_date_columns() {
    let dir = temp_dir();
    let path = write_to(dir.path(), "t.parquet");
    let frame = ParquetReader::new(std::fs::File::open(&path).unwrap())
        .finish()
        .unwrap();
    assert_eq!(frame.height(), 6);
    assert_eq!(
        frame.column("revenue").unwrap().dtype(),
        &DataType::Decimal(18, 2)
    );
    assert_eq!(frame.column("as_of").unwrap().dtype(), &DataType::Date);
    let revenue = frame
        .column("revenue")
        .unwrap()
        .cast(&DataType::String)
        .unwrap();
    assert_eq!(revenue.str().unwrap().get(0), Some("150.00"));
    let ids = frame.column("customer_id").unwrap();
    assert_eq!(ids.str().unwrap().get(5), Some("F"));
}

#[test]
fn score_writes_xlsx_with_numbers_dates_and_formula_text_as_strings() {
    let dir = temp_dir();
    let path = dir.path().join("t.xlsx");
    tiering()
        .args([
            "score",
            &testdata("returns.csv"),
            "--customers",
            &testdata("customers.csv"),
            "-o",
        ])
        .arg(&path)
        .assert()
        .success();
    let mut workbook: Xlsx<_> = open_workbook(&path).unwrap();
    let sheet = workbook.worksheet_range("customers").unwrap();
    let header: Vec<String> = sheet
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(header[0], "customer_id");
    let revenue = header.iter().position(|h| h == "revenue").unwrap();
    let risky = header.iter().position(|h| h == "=risky").unwrap();
    let row_a = sheet.rows().nth(1).unwrap();
    assert_eq!(row_a[0].to_string(), "A");
    assert_eq!(calamine::DataType::get_float(&row_a[revenue]), Some(150.0));
    // A string cell, which a spreadsheet never runs: no visible apostrophe needed.
    assert_eq!(row_a[risky], calamine::Data::String("=1+1".into()));
    assert_eq!(sheet.rows().count(), 8);
}

#[test]
fn score_refuses_binary_formats_on_a_terminal_only_and_unknown_extensions() {
    let dir = temp_dir();
    tiering()
        .args(["score", &testdata("returns.csv"), "-o"])
        .arg(dir.path().join("t.foo"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("cannot tell the output format"));
    // Piped, parquet is fine.
    let output = tiering()
        .args(["score", &testdata("returns.csv"), "--format", "parquet"])
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(output.stdout.starts_with(b"PAR1"));
}

#[test]
fn score_refuses_to_overwrite_its_input() {
    let dir = temp_dir();
    let input = dir.path().join("orders.csv");
    std::fs::copy(root().join("testdata/returns.csv"), &input).unwrap();
    let before = std::fs::read(&input).unwrap();
    tiering()
        .args(["score"])
        .arg(&input)
        .arg("-o")
        .arg(&input)
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "refusing to overwrite the orders",
        ));
    assert_eq!(std::fs::read(&input).unwrap(), before);
}

#[test]
fn score_replaces_an_existing_output_file_atomically() {
    let dir = temp_dir();
    let path = dir.path().join("tiers.csv");
    std::fs::write(&path, "old").unwrap();
    tiering()
        .args(["score", &testdata("returns.csv"), "-o"])
        .arg(&path)
        .assert()
        .success();
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .starts_with("customer_id,")
    );
    // A failing run leaves the previous file untouched.
    tiering()
        .args(["score", &testdata("bad/bad_amount.csv"), "-o"])
        .arg(&path)
        .assert()
        .code(3);
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .starts_with("customer_id,")
    );
}

#[test]
fn score_and_report_end_quietly_when_the_reader_closes_the_pipe() {
    for args in [
        &["score", "examples/orders.csv", "--format", "ndjson"][..],
        &["report", "examples/orders.csv", "--format", "json"],
        &["report", "examples/orders.csv", "--format", "md"],
        &["report", "examples/orders.csv", "--format", "html"],
    ] {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("tiering"))
            .current_dir(root())
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let mut first = [0u8; 16];
        stdout.read_exact(&mut first).unwrap();
        drop(stdout);
        let status = child.wait().unwrap();
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        assert!(status.success(), "{args:?}: exit {status:?}: {stderr}");
        assert!(!stderr.contains("error"), "{args:?}: {stderr}");
    }
}

#[test]
fn score_table_format_prints_the_segment_summary() {
    let output = tiering()
        .args(["score", &testdata("returns.csv"), "--format", "table"])
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        text.starts_with("rfm · as of 2024-03-15 · 6 customers · 5 bins, ties shared"),
        "{text}"
    );
    assert!(text.contains("No purchase yet"));
    assert!(text.contains("Revenue share"));
    assert!(text.contains("Effort"));
}

/// The scorers join their scores back on a row-number column of their own: a customer
/// export may bring a column of that name, or of any working column's, and it passes
/// through as the export has it.
#[test]
fn export_columns_named_like_working_columns_pass_through() {
    let dir = temp_dir();
    let orders = dir.path().join("orders.csv");
    std::fs::write(
        &orders,
        "order_id,customer_id,order_date,amount,cost\n1,a,2026-01-01,10,4\n2,b,2026-01-02,20,5\n3,c,2026-01-03,30,6\n",
    )
    .unwrap();
    let export = dir.path().join("customers.csv");
    std::fs::write(
        &export,
        "customer_id,__row_number,__row_number_,__n,region\na,x,x2,7,N\nb,y,y2,8,S\n",
    )
    .unwrap();
    let (orders, export) = (orders.display().to_string(), export.display().to_string());
    let passed = ["__row_number", "__row_number_", "__n", "region"];
    for scorer in ["rfm", "pareto", "profit", "rules"] {
        let rows =
            crate::support::score(&[&orders, "--customers", &export, "--scorer", scorer, "-q"]);
        let keys: Vec<&str> = rows.keys().map(String::as_str).collect();
        assert_eq!(keys, ["a", "b", "c"], "{scorer}");
        crate::support::assert_cells(
            &rows,
            &passed,
            &[("a", "x x2 7 N"), ("b", "y y2 8 S"), ("c", "   ")],
        );
    }
    // rfm by hand: one order each, so recency and revenue rank a < b < c, three of five bins.
    let rows = crate::support::score(&[&orders, "--customers", &export, "-q"]);
    crate::support::assert_cells(
        &rows,
        &["r_score", "f_score", "m_score"],
        &[("a", "1 1 1"), ("b", "2 1 2"), ("c", "3 1 3")],
    );
}
