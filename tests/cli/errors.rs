//! The error contract: every bad input gets a clear message (snapshot) and its exit code,
//! never a panic.

use crate::support::{temp_dir, testdata, tiering};

fn failure(name: &str, args: &[&str], code: i32) {
    let output = tiering().args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(code), "{name}: {stderr}");
    assert!(!stderr.contains("panicked"), "{name} panicked: {stderr}");
    assert!(
        output.stdout.is_empty(),
        "{name}: stdout must stay empty on error"
    );
    insta::assert_snapshot!(name, stderr);
}

#[test]
fn score_fails_on_missing_inputs_with_usage_status() {
    failure("missing_file", &["score", "testdata/nope.csv"], 2);
    failure("directory", &["score", "testdata"], 2);
    failure("glob_without_match", &["score", "testdata/*.nope"], 2);
    failure(
        "missing_customers_file",
        &["score", &testdata("returns.csv"), "--customers", "nope.csv"],
        2,
    );
}

#[test]
fn score_fails_on_unreadable_values_naming_file_line_column_and_value() {
    failure("bad_amount", &["score", &testdata("bad/bad_amount.csv")], 3);
    failure(
        "comma_decimal",
        &["score", &testdata("bad/comma_decimal.csv")],
        3,
    );
    failure(
        "impossible_date",
        &["score", &testdata("bad/bad_date.csv")],
        3,
    );
    failure(
        "ambiguous_date",
        &["score", &testdata("bad/ambiguous_date.csv")],
        3,
    );
    failure("empty_date", &["score", &testdata("bad/empty_date.csv")], 3);
    failure(
        "other_date_format",
        &["score", &testdata("bad/other_date_format.csv")],
        3,
    );
    failure(
        "extra_field",
        &["score", &testdata("bad/extra_field.csv")],
        3,
    );
    failure(
        "wrong_field_count",
        &["score", &testdata("bad/wrong_fields.csv")],
        3,
    );
    failure(
        "empty_customer_id",
        &["score", &testdata("bad/empty_customer.csv")],
        3,
    );
    failure(
        "amount_overflow",
        &["score", &testdata("bad/overflow.csv")],
        3,
    );
    failure(
        "repeated_header",
        &["score", &testdata("bad/repeated_header.csv")],
        3,
    );
    failure(
        "gbk_declared_utf8",
        &["score", &testdata("chinese_gbk.csv"), "--encoding", "utf-8"],
        3,
    );
    failure(
        "parquet_wrong_types",
        &["score", &testdata("bad/wrong_types.parquet")],
        3,
    );
}

#[test]
fn score_fails_on_bad_customer_exports() {
    let orders = testdata("returns.csv");
    failure(
        "customers_empty",
        &[
            "score",
            &orders,
            "--customers",
            &testdata("bad/customers_empty.csv"),
        ],
        3,
    );
    failure(
        "customers_duplicate",
        &[
            "score",
            &orders,
            "--customers",
            &testdata("bad/customers_duplicate.csv"),
        ],
        3,
    );
}

#[test]
fn score_warns_about_a_header_only_file_among_others() {
    let output = tiering()
        .args([
            "score",
            &testdata("returns.csv"),
            &testdata("bad/header_only.csv"),
            "--format",
            "csv",
        ])
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("warning: `testdata/bad/header_only.csv` has a header but no rows")
    );
}

#[test]
fn score_fails_on_files_without_data() {
    failure(
        "missing_column",
        &["score", &testdata("bad/missing_column.csv")],
        3,
    );
    failure(
        "single_column_header",
        &[
            "score",
            &testdata("semicolon_decimal_comma.csv"),
            "--delimiter",
            ",",
        ],
        3,
    );
    failure("empty_file", &["score", &testdata("bad/empty.csv")], 3);
    failure(
        "header_only",
        &["score", &testdata("bad/header_only.csv")],
        3,
    );
    failure(
        "as_of_before_all_orders",
        &["score", &testdata("returns.csv"), "--as-of", "2020-01-01"],
        3,
    );
    failure(
        "truncated_parquet",
        &["score", &testdata("bad/truncated.parquet")],
        3,
    );
    failure(
        "truncated_gzip",
        &["score", &testdata("bad/truncated.csv.gz")],
        3,
    );
}

#[test]
fn score_fails_on_bad_flags_with_usage_status() {
    failure(
        "unknown_map_column",
        &["score", &testdata("returns.csv"), "--map", "amout=total"],
        2,
    );
    failure(
        "map_to_absent_header",
        &["score", &testdata("returns.csv"), "--map", "amount=Umsatz"],
        3,
    );
    failure(
        "bad_as_of",
        &["score", &testdata("returns.csv"), "--as-of", "3/4/2024"],
        2,
    );
    failure(
        "unknown_encoding",
        &["score", &testdata("returns.csv"), "--encoding", "klingon"],
        2,
    );
    failure(
        "bins_out_of_range",
        &["score", &testdata("returns.csv"), "--bins", "11"],
        2,
    );
}

#[test]
fn a_gigabyte_line_fails_with_a_message_before_it_is_read_whole() {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("tiering"))
        .args(["score", "-", "--format", "csv"])
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let chunk = vec![b'9'; 1 << 20];
        let mut written = 0usize;
        if stdin
            .write_all(b"customer_id,order_date,amount\nc1,2024-01-01,")
            .is_err()
        {
            return written;
        }
        // Up to 1 GiB in one field; the reader gives up long before.
        while written < 1 << 30 {
            if stdin.write_all(&chunk).is_err() {
                break;
            }
            written += chunk.len();
        }
        written
    });
    let output = child.wait_with_output().unwrap();
    let written = writer.join().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("line 2 is longer than 64 MiB"), "{stderr}");
    assert!(
        written < 1 << 30,
        "the whole field was consumed ({written} bytes)"
    );
}

#[test]
fn millions_of_columns_fail_with_a_message() {
    let dir = temp_dir();
    let path = dir.path().join("wide.csv");
    let header: Vec<String> = (0..2_000_000).map(|i| format!("c{i}")).collect();
    std::fs::write(&path, header.join(",") + "\n").unwrap();
    let output = tiering().arg("score").arg(&path).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("it has 2000000 columns; tiering reads files of at most 10000 columns"),
        "{stderr}"
    );
}
