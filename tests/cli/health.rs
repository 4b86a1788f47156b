//! `--scorer health` on testdata/health.csv, hand-worked in testdata/README.md: every
//! component, the weighting over the components a customer has, grades, `weakest`,
//! churn warnings, and the scorer in `report`, `report --scores` and `sql`.

use crate::support::{assert_cells, assert_fails, score, temp_dir, testdata, tiering};

fn scored(extra: &[&str]) -> std::collections::BTreeMap<String, crate::support::Row> {
    let orders = testdata("health.csv");
    let customers = testdata("health_customers.csv");
    let mut args = vec![
        orders.as_str(),
        "--scorer",
        "health",
        "--as-of",
        "2024-12-31",
        "--customers",
        customers.as_str(),
    ];
    args.extend_from_slice(extra);
    score(&args)
}

#[test]
fn components_grades_and_the_weakest_follow_the_hand_worked_file() {
    let rows = scored(&[]);
    assert_cells(
        &rows,
        &[
            "median_gap_days",
            "overdue_ratio",
            "orders_recent",
            "orders_previous",
            "revenue_recent",
            "revenue_previous",
        ],
        &[
            // Four purchase days (two orders on 2024-12-01): gaps 92, 92, 91.
            ("H1", "92 0.33 3 2 250.00 200.00"),
            ("H2", "10 33.6 0 3 0.00 150.00"),
            ("H3", "90 1.37 1 1 100.00 200.00"),
            // One purchase day: the gap is the 180-day period.
            ("H4", " 1.28 0 1 0.00 80.00"),
        ],
    );
    assert_cells(
        &rows,
        &[
            "activity_points",
            "frequency_points",
            "spend_points",
            "returns_points",
            "health_score",
            "weakest",
            "churn_warning",
            "tier_id",
        ],
        &[
            ("H1", "100 100 100 100 100  false health_healthy"),
            ("H2", "0 0 0 100 20 activity true health_critical"),
            // 0.4 × 63.3 + 0.2 × 100 + 0.2 × 50 + 0.2 × 79.2 = 71.16.
            ("H3", "63.3 100 50 79.2 71.2 spend false health_watch"),
            // At risk, not overdue (1.28 < 2): the grade raises the churn warning.
            ("H4", "72.2 0 0 100 48.9 frequency true health_at_risk"),
            ("H5", "       no_purchase"),
        ],
    );
    assert_eq!(rows["H3"]["tier"], "Watch");
    let zh = scored(&["--lang", "zh"]);
    assert_eq!(zh["H2"]["tier"], "危急");
}

#[test]
fn service_signals_weigh_in_and_a_blank_cell_leaves_its_component_out() {
    let rows = scored(&["--config", &testdata("health.toml")]);
    assert_cells(
        &rows,
        &[
            "complaints_points",
            "satisfaction_points",
            "health_score",
            "weakest",
            "tier_id",
        ],
        &[
            // 2 tickets over 5 purchases: 0.4 of the 0.5 limit.
            ("H1", "20 90 86.5 complaints health_healthy"),
            // No service cells: 10 ÷ 0.7 over the four order components.
            ("H2", "  14.3 activity health_critical"),
            ("H3", "100 50 71.9 spend health_watch"),
            // One ticket per purchase: no points; no NPS: 31.66 ÷ 0.85.
            ("H4", "0  37.2 frequency health_at_risk"),
        ],
    );
}

fn run(config: &str, extra: &[&str]) -> std::process::Output {
    let dir = temp_dir();
    let settings = dir.path().join("t.toml");
    std::fs::write(&settings, config).unwrap();
    tiering()
        .arg("score")
        .arg(testdata("health.csv"))
        .args(["--scorer", "health", "--as-of", "2024-12-31", "--config"])
        .arg(&settings)
        .args(extra)
        .output()
        .unwrap()
}

fn refused(output: &std::process::Output, needles: &[&str]) {
    assert_fails(output, 2, needles);
}

#[test]
fn bad_health_settings_are_refused() {
    refused(
        &run("[health.weights]\nactivity = 0.5\n", &[]),
        &["[health.weights] sum to 1.1, not 1"],
    );
    refused(
        &run(
            "[health]\ncomplaints_column = \"tickets\"\n",
            &["--customers", &testdata("health_customers.csv")],
        ),
        &["complaints_column is set but [health.weights] complaints is 0"],
    );
    refused(
        &run("[health]\ngrades = [50, 75, 25]\n", &[]),
        &["grades [50, 75, 25] must fall"],
    );
    refused(
        &run("[health]\noverdue_ratio = 1\n", &[]),
        &["overdue_ratio 1 must be above 1"],
    );
    refused(
        &run("[health]\nspeed = 1\n", &[]),
        &["unknown field `speed`"],
    );
    // A metric is not an export column.
    let metric = "[health]\ncomplaints_column = \"orders\"\n[health.weights]\nactivity = 0.2\ncomplaints = 0.2\n";
    refused(
        &run(metric, &["--customers", &testdata("health_customers.csv")]),
        &["complaints_column `orders` is not a column of the customer export"],
    );
}

#[test]
fn a_service_value_that_is_not_a_number_names_its_cell() {
    let dir = temp_dir();
    let export = dir.path().join("customers.csv");
    std::fs::write(&export, "customer_id,tickets,nps\nH1,2,n/a\n").unwrap();
    let output = tiering()
        .arg("score")
        .arg(testdata("health.csv"))
        .args(["--scorer", "health", "--as-of", "2024-12-31", "--config"])
        .arg(testdata("health.toml"))
        .arg("--customers")
        .arg(&export)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_ne!(output.status.code(), Some(0), "{stderr}");
    for needle in ["customers.csv", "line 2", "nps", "n/a"] {
        assert!(stderr.contains(needle), "missing `{needle}` in: {stderr}");
    }
}

#[test]
fn the_health_scorer_works_in_reports_and_from_a_scores_file_and_sql_refuses_it() {
    let report = |extra: &[&str]| {
        let output = tiering()
            .arg("report")
            .args(extra)
            .args(["--format", "json"])
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice::<serde_json::Value>(&output.stdout).unwrap()
    };
    let direct = report(&[
        &testdata("health.csv"),
        "--scorer",
        "health",
        "--as-of",
        "2024-12-31",
    ]);
    let counts: Vec<(String, u64)> = direct["tiers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["id"].as_str().unwrap().to_string(),
                t["customers"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        counts,
        [
            ("health_healthy".to_string(), 1),
            ("health_watch".to_string(), 1),
            ("health_at_risk".to_string(), 1),
            ("health_critical".to_string(), 1),
            ("no_purchase".to_string(), 0),
        ]
    );
    let dir = temp_dir();
    let file = dir.path().join("health.csv");
    let made = tiering()
        .args([
            "score",
            &testdata("health.csv"),
            "--scorer",
            "health",
            "--as-of",
            "2024-12-31",
            "-o",
        ])
        .arg(&file)
        .output()
        .unwrap();
    assert!(made.status.success());
    let again = report(&["--scores", file.to_str().unwrap()]);
    assert_eq!(again["scorer"], "health");
    assert_eq!(again["tiers"], direct["tiers"]);
    let sql = tiering()
        .args([
            "sql",
            "--dialect",
            "duckdb",
            "--source",
            &testdata("health.csv"),
            "--scorer",
            "health",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&sql.stderr);
    assert_eq!(sql.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("floating-point"), "{stderr}");
}
