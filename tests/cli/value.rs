//! `--scorer value` on testdata/value.csv, hand-worked in testdata/README.md: every class
//! and precedence rule, the reasons, the value matrix, and the scorer in `report`.

use crate::support::{assert_cells, parse_csv, score, testdata, tiering};

fn scored() -> std::collections::BTreeMap<String, crate::support::Row> {
    score(&[
        &testdata("value.csv"),
        "--scorer",
        "value",
        "--as-of",
        "2026-06-30",
    ])
}

#[test]
fn value_types_follow_the_documented_precedence() {
    let rows = scored();
    assert_cells(
        &rows,
        &["tier_id", "churn_warning", "reason"],
        &[
            (
                "H1",
                "value_high false in the first 80% of value (cumulative 50.7%)",
            ),
            // High value first: overdue and falling, it stays high with a churn warning.
            (
                "H2",
                "value_high true in the first 80% of value (cumulative 80.3%)",
            ),
            // 2000.00 after 19000.00 of 23650.00: past 80%, not high; 1500 against 500.
            ("G1", "value_growth false trailing revenue rising"),
            ("R1", "value_risk true trailing revenue falling"),
            (
                "R2",
                "value_risk true overdue: 272 days since the last purchase",
            ),
            ("P1", "value_potential false new customer"),
            ("P2", "value_potential false no growth or churn signal"),
            ("Z", "value_potential  no purchase yet"),
        ],
    );
    assert_cells(
        &rows,
        &[
            "revenue_recent",
            "revenue_previous",
            "usual_gap_days",
            "overdue_ratio",
        ],
        &[
            ("G1", "1500.00 500.00 212 0.28"),
            ("H2", "0.00 7000.00 31 9.74"),
            ("R1", "200.00 1800.00 99 1.22"),
            ("P2", "100.00 100.00 90 1.34"),
        ],
    );
}

#[test]
fn the_value_matrix_crosses_current_and_potential_value() {
    let rows = scored();
    assert_cells(
        &rows,
        &["current_value_band", "potential_value_band", "matrix_cell"],
        &[
            ("H1", "high high high/high"),
            ("H2", "medium low medium/low"),
            ("G1", "medium high medium/high"),
            ("R1", "low low low/low"),
            ("P1", "low high low/high"),
            ("P2", "low medium low/medium"),
            ("Z", "low low low/low"),
        ],
    );
    assert!(rows["H1"]["matrix_strategy"].starts_with("Invest"));
    assert!(rows["H2"]["matrix_strategy"].starts_with("Harvest"));
    let zh = score(&[
        &testdata("value.csv"),
        "--scorer",
        "value",
        "--as-of",
        "2026-06-30",
        "--lang",
        "zh",
    ]);
    assert_eq!(zh["H1"]["tier"], "高价值客户");
    assert_eq!(zh["R2"]["reason"], "逾期：距上次购买 272 天");
}

#[test]
fn the_value_scorer_works_in_reports_and_from_a_scores_file() {
    let output = tiering()
        .args([
            "report",
            &testdata("value.csv"),
            "--scorer",
            "value",
            "--as-of",
            "2026-06-30",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let tiers: Vec<(String, u64, f64)> = report["tiers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["id"].as_str().unwrap().to_string(),
                t["customers"].as_u64().unwrap(),
                t["effort_share"].as_f64().unwrap_or(0.0),
            )
        })
        .collect();
    assert_eq!(
        tiers
            .iter()
            .map(|(id, n, _)| (id.as_str(), *n))
            .collect::<Vec<_>>(),
        [
            ("value_high", 2),
            ("value_growth", 1),
            ("value_potential", 3),
            ("value_risk", 2)
        ]
    );
    let efforts: Vec<f64> = tiers.iter().map(|(_, _, e)| (e * 100.0).round()).collect();
    assert_eq!(efforts, [40.0, 30.0, 20.0, 10.0]);
    let dir = crate::support::temp_dir();
    let file = dir.path().join("value.csv");
    let made = tiering()
        .args([
            "score",
            &testdata("value.csv"),
            "--scorer",
            "value",
            "--as-of",
            "2026-06-30",
            "-o",
        ])
        .arg(&file)
        .output()
        .unwrap();
    assert!(made.status.success());
    let from_file = tiering()
        .args(["report", "--scores"])
        .arg(&file)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(
        from_file.status.success(),
        "{}",
        String::from_utf8_lossy(&from_file.stderr)
    );
    let again: serde_json::Value = serde_json::from_slice(&from_file.stdout).unwrap();
    assert_eq!(again["scorer"], "value");
    assert_eq!(again["tiers"], report["tiers"]);
    let sql = tiering()
        .args([
            "sql",
            "--dialect",
            "duckdb",
            "--source",
            &testdata("value.csv"),
            "--scorer",
            "value",
        ])
        .output()
        .unwrap();
    assert_eq!(sql.status.code(), Some(2));
    let rows = parse_csv(&String::from_utf8_lossy(&made.stdout));
    assert!(rows.is_empty());
}
