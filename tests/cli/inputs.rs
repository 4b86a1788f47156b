//! Input handling: headers in English and Chinese, encodings, delimiters, compression,
//! several files, stdin, Parquet, the customer export and rejects.

use std::io::Write;

use polars::prelude::*;

use crate::support::{cells, parse_csv, root, score, score_text, temp_dir, testdata, tiering};

#[test]
fn score_reads_chinese_headers_yen_amounts_and_mixed_date_forms() {
    let rows = score(&[&testdata("chinese_utf8.csv")]);
    let columns = [
        "orders",
        "revenue",
        "returns",
        "cost",
        "profit",
        "last_order_date",
    ];
    assert_eq!(
        cells(&rows, "张三", &columns),
        "1 1200.00 34.50 800.00 400.00 2024-01-05"
    );
    assert_eq!(
        cells(&rows, "李四", &columns),
        "1 99.90 0.00 50.00 49.90 2024-02-01"
    );
    assert_eq!(
        cells(&rows, "王五", &columns),
        "1 15.00 10.00 10.00 5.00 2024-03-02"
    );
}

#[test]
fn score_reads_gbk_with_encoding_flag_identically_to_utf8() {
    let utf8 = score_text(&[&testdata("chinese_utf8.csv")]);
    let gbk = score_text(&[&testdata("chinese_gbk.csv"), "--encoding", "gbk"]);
    assert_eq!(utf8, gbk);
    let gb18030 = score_text(&[&testdata("chinese_gbk.csv"), "--encoding", "gb18030"]);
    assert_eq!(utf8, gb18030);
}

#[test]
fn score_reads_utf16_and_utf8_bom_files() {
    let plain = score_text(&[&testdata("returns.csv")]);
    assert_eq!(score_text(&[&testdata("bom.csv")]), plain);
    assert_eq!(score_text(&[&testdata("utf16.csv")]), plain);
    assert_eq!(
        score_text(&[&testdata("utf16.csv"), "--encoding", "utf-16"]),
        plain
    );
}

#[test]
fn score_detects_semicolons_and_reads_decimal_commas_with_explicit_mapping() {
    let rows = score(&[
        &testdata("semicolon_decimal_comma.csv"),
        "--decimal-comma",
        "--map",
        "customer_id=Kunde,order_date=Datum,amount=Umsatz",
    ]);
    assert_eq!(cells(&rows, "K1", &["orders", "revenue"]), "1 1234.50");
    assert_eq!(
        cells(&rows, "K2", &["orders", "revenue", "returns"]),
        "1 87.99 12.00"
    );
}

#[test]
fn score_keeps_quoted_delimiters_and_newlines_and_skips_blank_lines() {
    let rows = score(&[&testdata("quoted.csv")]);
    assert_eq!(rows.len(), 2);
    assert_eq!(cells(&rows, "A,1", &["orders", "revenue"]), "1 10.00");
}

#[test]
fn score_reads_stdin_gzip_zstd_globs_and_several_files_like_one_file() {
    let whole = score_text(&["examples/orders.csv"]);
    let text = std::fs::read_to_string(root().join("examples/orders.csv")).unwrap();
    let dir = temp_dir();
    // stdin
    let from_stdin = tiering()
        .args(["score", "-", "--format", "csv"])
        .write_stdin(text.clone())
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(from_stdin.stdout).unwrap(), whole);
    // gzip and zstd, detected by content
    let gz = dir.path().join("orders.csv.gz");
    let mut encoder = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).unwrap(),
        flate2::Compression::default(),
    );
    encoder.write_all(text.as_bytes()).unwrap();
    encoder.finish().unwrap();
    assert_eq!(score_text(&[gz.to_str().unwrap()]), whole);
    let zst = dir.path().join("orders.csv.zst");
    std::fs::write(&zst, zstd::encode_all(text.as_bytes(), 3).unwrap()).unwrap();
    assert_eq!(score_text(&[zst.to_str().unwrap()]), whole);
    // split into two files, read by glob and by listing both
    let lines: Vec<&str> = text.lines().collect();
    let (header, body) = lines.split_first().unwrap();
    let half = body.len() / 2;
    for (name, part) in [("part-1.csv", &body[..half]), ("part-2.csv", &body[half..])] {
        std::fs::write(
            dir.path().join(name),
            format!("{header}\n{}\n", part.join("\n")),
        )
        .unwrap();
    }
    let pattern = dir.path().join("part-*.csv");
    assert_eq!(score_text(&[pattern.to_str().unwrap()]), whole);
    let first = dir.path().join("part-1.csv");
    let second = dir.path().join("part-2.csv");
    assert_eq!(
        score_text(&[first.to_str().unwrap(), second.to_str().unwrap()]),
        whole
    );
}

#[test]
fn score_reads_typed_parquet_like_the_same_csv() {
    let dir = temp_dir();
    let path = dir.path().join("orders.parquet");
    let amounts = [
        10000i128, 5000, 100000, 2000, -2000, 0, 3000, 3000, -500, 8000, -3000,
    ];
    let mut frame = DataFrame::new(
        11,
        vec![
            Column::new(
                "order_id".into(),
                ["1", "2", "3", "4", "4", "5", "6", "7", "8", "9", "9"],
            ),
            Column::new(
                "customer_id".into(),
                ["A", "A", "B", "C", "C", "D", "E", "E", "E", "F", "F"],
            ),
            Int32Chunked::from_vec(
                "order_date".into(),
                vec![
                    19723, 19783, 19754, 19792, 19793, 19787, 19737, 19768, 19797, 19783, 19784,
                ],
            )
            .into_date()
            .into_column(),
            amounts
                .iter()
                .map(|v| Some(*v))
                .collect::<Int128Chunked>()
                .into_decimal(18, 2)
                .unwrap()
                .into_column()
                .with_name("amount".into()),
        ],
    )
    .unwrap();
    ParquetWriter::new(std::fs::File::create(&path).unwrap())
        .finish(&mut frame)
        .unwrap();
    assert_eq!(
        score_text(&[path.to_str().unwrap()]),
        score_text(&[&testdata("returns.csv")])
    );
}

#[test]
fn score_joins_the_customer_export_and_warns_about_unknown_customers() {
    let output = tiering()
        .args([
            "score",
            &testdata("returns.csv"),
            "--customers",
            &testdata("customers.csv"),
        ])
        .args(["--format", "csv"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("4 customers with orders are not in the customer export"),
        "{stderr}"
    );
    let text = String::from_utf8(output.stdout).unwrap();
    let header = text.lines().next().unwrap();
    // A header cell is a spreadsheet cell too: `=risky` is neutralised like a value.
    assert!(header.ends_with(",region,'=risky,as_of"), "{header}");
    let rows = parse_csv(&text);
    assert_eq!(rows.len(), 7);
    assert_eq!(
        cells(&rows, "Z", &["orders", "revenue", "segment_id", "region"]),
        "0 0.00 no_purchase East"
    );
    assert_eq!(cells(&rows, "A", &["region", "'=risky"]), "North '=1+1");
    assert_eq!(cells(&rows, "F", &["region"]), "");
}

#[test]
fn score_with_rejects_writes_bad_lines_and_scores_the_rest() {
    let dir = temp_dir();
    let rejects = dir.path().join("bad.csv");
    let output = tiering()
        .args([
            "score",
            &testdata("bad/bad_amount.csv"),
            "--format",
            "csv",
            "--rejects",
        ])
        .arg(&rejects)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let rows = parse_csv(&String::from_utf8(output.stdout).unwrap());
    assert_eq!(rows.keys().collect::<Vec<_>>(), ["A"]);
    let written = std::fs::read_to_string(&rejects).unwrap();
    assert_eq!(
        written,
        "file,line,column,reason,customer_id,order_date,amount,extra_fields\n\
         testdata/bad/bad_amount.csv,3,amount,not an amount,B,2024-01-02,ten,\n\
         testdata/bad/bad_amount.csv,4,,\"expected 3 fields, found 4\",C,2024-01-03,12,50\n"
    );
    assert!(String::from_utf8_lossy(&output.stderr).contains("2 bad rows written"));
}

#[test]
fn score_verbose_shows_the_column_mapping_and_thresholds() {
    let output = tiering()
        .args([
            "score",
            &testdata("chinese_utf8.csv"),
            "-v",
            "--format",
            "csv",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("customer_id  ← 客户ID"), "{stderr}");
    assert!(stderr.contains("amount       ← 金额"), "{stderr}");
    assert!(stderr.contains("cost         ← 成本"), "{stderr}");
    assert!(
        stderr.contains("score thresholds as of 2024-03-02"),
        "{stderr}"
    );
}

#[test]
fn score_computes_amounts_from_quantity_and_unit_price_when_there_is_no_amount_column() {
    let rows = score(&[
        &testdata("online_retail.csv"),
        "--date-format",
        "%m/%d/%Y %H:%M",
    ]);
    // 6 × 2.55 = 15.30; 3 × 0.085 = 0.255 -> 0.26 (half away from zero); -1 × 27.50 is a return.
    assert_eq!(cells(&rows, "17850", &["orders", "revenue"]), "1 15.30");
    assert_eq!(
        cells(&rows, "14527", &["orders", "revenue", "returns"]),
        "1 -27.24 27.50"
    );
}

#[test]
fn score_prefixes_customer_export_columns_that_clash_with_output_columns() {
    let dir = temp_dir();
    let export = dir.path().join("customers.csv");
    std::fs::write(&export, "客户ID,revenue,segment,\nA,1,x,y\n").unwrap();
    let text = score_text(&[
        &testdata("returns.csv"),
        "--customers",
        export.to_str().unwrap(),
    ]);
    let header = text.lines().next().unwrap();
    assert!(
        header.ends_with(",m_to,customer_revenue,customer_segment,column_4,as_of"),
        "{header}"
    );
    let rows = parse_csv(&text);
    assert_eq!(
        cells(
            &rows,
            "A",
            &["revenue", "customer_revenue", "customer_segment"]
        ),
        "150.00 1 x"
    );
}

#[test]
fn score_reads_mixed_line_endings_and_blank_crlf_lines() {
    let rows = score(&[&testdata("mixed_line_endings.csv")]);
    assert_eq!(cells(&rows, "A", &["orders", "revenue"]), "2 11.00");
    assert_eq!(cells(&rows, "B", &["orders", "revenue"]), "1 5.00");
}

#[test]
fn typed_parquet_columns_are_read_exactly_whatever_the_text_options() {
    let dir = temp_dir();
    let path = dir.path().join("typed.parquet");
    let mut frame = DataFrame::new(
        3,
        vec![
            Column::new("customer_id".into(), ["A", "A", "B"]),
            Column::new("order_id".into(), [1i64, 1, 2]),
            Int32Chunked::from_vec("order_date".into(), vec![19_727, 19_727, 19_754])
                .into_date()
                .into_column(),
            Column::new("amount".into(), [10i64, 20, -5]),
            [Some(1250i128), Some(2000), None]
                .into_iter()
                .collect::<Int128Chunked>()
                .into_decimal(12, 3)
                .unwrap()
                .into_column()
                .with_name("cost".into()),
        ],
    )
    .unwrap();
    ParquetWriter::new(std::fs::File::create(&path).unwrap())
        .finish(&mut frame)
        .unwrap();
    let parquet = path.to_str().unwrap();
    let rows = score(&[parquet]);
    // Whole currency units, and a 3-decimal cost whose third decimal is zero.
    assert_eq!(
        cells(&rows, "A", &["orders", "revenue", "cost", "profit"]),
        "1 30.00 3.25 26.75"
    );
    assert_eq!(
        cells(&rows, "B", &["orders", "revenue", "returns"]),
        "0 -5.00 5.00"
    );
    // Typed values do not go through text, so text options cannot change them.
    assert_eq!(
        score_text(&[parquet, "--decimal-comma"]),
        score_text(&[parquet])
    );
    let output = tiering()
        .args(["score", parquet, "--currency-decimals", "0"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("row 1, column `cost`: more decimals than the currency has: `1.250`"),
        "{stderr}"
    );
}
