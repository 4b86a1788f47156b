//! `--scorer value` on testdata/value.csv, hand-worked in testdata/README.md: every class
//! and precedence rule, the reasons, the value matrix, and the scorer in `report`.

use crate::support::{assert_cells, assert_fails, parse_csv, score, temp_dir, testdata, tiering};

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
            ("H2", "high low high/low"),
            ("G1", "medium high medium/high"),
            ("R1", "medium low medium/low"),
            ("P1", "low high low/high"),
            ("P2", "low medium low/medium"),
            ("Z", "low low low/low"),
        ],
    );
    assert!(rows["H1"]["matrix_strategy"].starts_with("Invest"));
    assert!(rows["H2"]["matrix_strategy"].starts_with("Defend"));
    assert!(rows["R1"]["matrix_strategy"].starts_with("Harvest"));
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

/// Score `orders` (CSV text) with `--scorer value`, `config` as tiering.toml and
/// `customers` as the customer export; the output.
fn run_value(orders: &str, config: &str, customers: Option<&str>) -> std::process::Output {
    let dir = temp_dir();
    let (file, settings) = (dir.path().join("orders.csv"), dir.path().join("t.toml"));
    std::fs::write(&file, orders).unwrap();
    std::fs::write(&settings, config).unwrap();
    let mut command = tiering();
    command
        .arg("score")
        .arg(&file)
        .arg("--config")
        .arg(&settings);
    if let Some(text) = customers {
        let export = dir.path().join("customers.csv");
        std::fs::write(&export, text).unwrap();
        command.arg("--customers").arg(export);
    }
    command
        .args([
            "--scorer",
            "value",
            "--as-of",
            "2026-06-30",
            "--format",
            "csv",
        ])
        .output()
        .unwrap()
}

fn value_rows(
    output: &std::process::Output,
) -> std::collections::BTreeMap<String, crate::support::Row> {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    parse_csv(&String::from_utf8_lossy(&output.stdout))
}

const HEAD: &str = "customer_id,order_date,amount\n";

#[test]
fn growth_and_decline_boundaries_are_exact_in_cents() {
    // Periods of 180 days (recent from 2026-01-02). A: 7.00 then 7.70, exactly +10%
    // (700 × 1.1 is 770.0000000000001 in floating point). B: 7.00 then 4.90, exactly −30%
    // (700 × 0.7 is 489.99999999999994). Big: the high-value customer, out of the way.
    let orders = format!(
        "{HEAD}A,2025-09-01,7.00\nA,2026-03-01,7.70\nB,2025-09-01,7.00\nB,2026-03-01,4.90\nBig,2026-06-01,100000.00\n"
    );
    let rows = value_rows(&run_value(&orders, "[value]\ndecline = 0.3\n", None));
    assert_cells(
        &rows,
        &["tier_id", "potential_value_band"],
        &[("A", "value_growth high"), ("B", "value_risk low")],
    );
}

#[test]
fn overdue_compares_with_the_unrounded_usual_gap() {
    // O: 4 orders over 31 days (usual gap 10.33 days, shown as 10.3), last 31 days ago.
    // With overdue_ratio 3, the limit is 31.0 days: 31 is not above it (against the
    // rounded 10.3 × 3 = 30.9 it would be).
    let orders = format!(
        "{HEAD}O,2026-04-29,10.00\nO,2026-05-09,10.00\nO,2026-05-19,10.00\nO,2026-05-30,10.00\nBig,2026-06-01,100000.00\n"
    );
    let rows = value_rows(&run_value(&orders, "[value]\noverdue_ratio = 3\n", None));
    assert_cells(
        &rows,
        &["usual_gap_days", "overdue_ratio", "churn_warning"],
        &[("O", "10.3 3.01 false")],
    );
}

#[test]
fn customers_without_recent_revenue_have_low_potential_and_small_sets_have_a_top() {
    // Two purchasers: the better one is high (the top 20% of two starts at rank 1). S
    // bought 250 days ago and once before that: no revenue in either period, stopped.
    let orders = format!("{HEAD}Top,2026-06-01,500.00\nS,2025-01-01,50.00\nS,2025-02-01,50.00\n");
    let rows = value_rows(&run_value(&orders, "", None));
    assert_cells(
        &rows,
        &["current_value_band", "potential_value_band"],
        &[("Top", "high high"), ("S", "low low")],
    );
}

#[test]
fn bad_value_settings_are_assert_fails() {
    let orders = format!("{HEAD}A,2026-06-01,10.00\n");
    assert_fails(
        &run_value(&orders, "[value]\nperiod_days = 0\n", None),
        2,
        &["period_days", "out of range"],
    );
    assert_fails(
        &run_value(&orders, "[value]\ngrowth = 0.0000004\n", None),
        2,
        &["more than 6 decimals"],
    );
    assert_fails(
        &run_value(&orders, "[value]\nbasis = \"profit\"\n", None),
        2,
        &["[value] basis = \"profit\" needs a cost column"],
    );
    assert_fails(
        &run_value(&orders, "[value]\ncomplaints_column = \"orders\"\n", None),
        2,
        &["complaints_column `orders` is not a column of the customer export"],
    );
    // The export's own `orders` column is passed through as customer_orders.
    assert_fails(
        &run_value(
            &orders,
            "[value]\ncomplaints_column = \"orders\"\n",
            Some("customer_id,orders\nA,3\n"),
        ),
        2,
        &["passed through as `customer_orders`"],
    );
}

#[test]
fn complaints_must_be_numbers() {
    let orders = format!("{HEAD}A,2026-06-01,10.00\nB,2026-06-01,20.00\nC,2026-06-01,9000.00\n");
    let config = "[value]\ncomplaints_column = \"tickets\"\ncomplaints_max = 0.5\n";
    assert_fails(
        &run_value(&orders, config, Some("customer_id,tickets\nA,1\nB,n/a\n")),
        3,
        &["line 3", "tickets", "`n/a`", "not a number"],
    );
    // 1 complaint on 1 order is above 0.5 per order; B's empty cell is no signal.
    let rows = value_rows(&run_value(
        &orders,
        config,
        Some("customer_id,tickets\nA,1\nB,\n"),
    ));
    assert_cells(
        &rows,
        &["tier_id", "reason"],
        &[
            ("A", "value_risk complaints above the limit"),
            ("B", "value_potential new customer"),
        ],
    );
}

#[test]
fn the_value_matrix_chart_shows_customers_and_revenue_per_cell() {
    let dir = temp_dir();
    let page = dir.path().join("value.html");
    let output = tiering()
        .args([
            "report",
            &testdata("value.csv"),
            "--scorer",
            "value",
            "--as-of",
            "2026-06-30",
            "-o",
        ])
        .arg(&page)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let html = std::fs::read_to_string(&page).unwrap();
    // high/high: H1 alone with 12,000.00; medium/low: R1 with 2,000.00 (testdata/README.md).
    assert!(html.contains("\n1 · 12,000.00\n"), "{html}");
    assert!(html.contains("\n1 · 2,000.00\n"));
}

/// With enough repeat buyers the potential band looks forward: `potential_value` is the
/// expected spend over the `[clv]` horizon, `--scorer clv`'s expected purchases × expected
/// spend per purchase (those models are checked against `lifetimes` in clv.rs), and the
/// bands cut the purchasers by it 20 / 30 / 50 % (ties by customer_id, the purchaser
/// crossing a share included). Without enough repeat buyers the band follows the trend,
/// and `potential = "model"` refuses the run.
#[test]
fn the_potential_band_ranks_by_expected_spend_when_the_models_fit() {
    let dir = temp_dir();
    let config = dir.path().join("t.toml");
    std::fs::write(&config, "[clv]\nhorizon = \"39w\"\ndiscount_rate = 0.0\n").unwrap();
    let run = |scorer: &str, extra: &str| {
        let settings = dir.path().join(format!("{scorer}.toml"));
        let base = std::fs::read_to_string(&config).unwrap();
        std::fs::write(&settings, format!("{base}{extra}")).unwrap();
        tiering()
            .args([
                "score",
                "testdata/cdnow/cdnow_sample.csv",
                "--scorer",
                scorer,
            ])
            .args(["--as-of", "1997-09-30", "--format", "csv", "--config"])
            .arg(&settings)
            .output()
            .unwrap()
    };
    let value = run("value", "");
    assert!(
        String::from_utf8_lossy(&value.stderr)
            .contains("potential value band by expected spend over 39w"),
        "{}",
        String::from_utf8_lossy(&value.stderr)
    );
    let value = value_rows(&value);
    let clv = value_rows(&run("clv", ""));
    let mut purchasers: Vec<(i64, &String)> = Vec::new();
    for (id, row) in &value {
        if row["orders"] == "0" {
            assert_eq!(row["potential_value"], "");
            continue;
        }
        let expected: f64 = clv[id]["expected_purchases"].parse::<f64>().unwrap()
            * clv[id]["expected_spend"].parse::<f64>().unwrap();
        let ours: f64 = row["potential_value"].parse().unwrap();
        // clv prints expected spend to the cent: the product differs by rounding only.
        let slack = 0.006 * clv[id]["expected_purchases"].parse::<f64>().unwrap() + 0.006;
        assert!(
            (ours - expected).abs() <= slack,
            "{id}: {ours} vs {expected}"
        );
        purchasers.push(((ours * 100.0).round() as i64, id));
    }
    assert!(purchasers.len() > 1000);
    purchasers.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    let n = purchasers.len();
    for &(forecast, id) in &purchasers {
        // Equal forecasts share the band of the first of them.
        let position = purchasers.iter().position(|(v, _)| *v == forecast).unwrap();
        let band = if position * 100 < n * 20 {
            "high"
        } else if position * 100 < n * 50 {
            "medium"
        } else {
            "low"
        };
        assert_eq!(
            value[id]["potential_value_band"], band,
            "{id} at {position}"
        );
    }
    let trend = run("value", "[value]\npotential = \"trend\"\n");
    assert!(String::from_utf8_lossy(&trend.stderr).contains("from the trailing revenue trend"));
    let trend = value_rows(&trend);
    assert!(trend.values().all(|r| r["potential_value"].is_empty()));
    assert_ne!(
        trend
            .values()
            .map(|r| &r["potential_value_band"])
            .collect::<Vec<_>>(),
        value
            .values()
            .map(|r| &r["potential_value_band"])
            .collect::<Vec<_>>()
    );

    // The hand-worked file has too few repeat buyers for the models.
    let score_small = |extra: &[&std::ffi::OsStr]| {
        tiering()
            .args(["score", "testdata/value.csv", "--scorer", "value"])
            .args(["--as-of", "2026-06-30", "--format", "csv"])
            .args(extra)
            .output()
            .unwrap()
    };
    let small = score_small(&[]);
    let stderr = String::from_utf8_lossy(&small.stderr);
    assert!(small.status.success(), "{stderr}");
    assert!(
        stderr.contains("from the trailing revenue trend") && stderr.contains("cannot be fitted"),
        "{stderr}"
    );
    let strict = dir.path().join("strict.toml");
    std::fs::write(&strict, "[value]\npotential = \"model\"\n").unwrap();
    let refused = score_small(&["--config".as_ref(), strict.as_os_str()]);
    // Exit 3, as --scorer clv on data that cannot fit the models.
    assert_eq!(refused.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("[value] potential = \"model\""));
}
