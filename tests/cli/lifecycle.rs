//! Lifecycle stages against each customer's own rhythm (testdata/README.md).

use crate::support::{assert_cells, cells, score, testdata};

#[test]
fn lifecycle_stages_follow_each_customers_rhythm() {
    let rows = score(&[
        &testdata("lifecycle.csv"),
        "--scorer",
        "lifecycle",
        "--as-of",
        "2024-12-31",
    ]);
    let columns = ["stage", "usual_gap_days", "overdue_ratio", "churn_warning"];
    let expected = [
        ("L1", "new 30.5 1.51 false"),
        ("L2", "stable 30.5 0.36 false"),
        ("L3", "growing 30.5 0.36 false"),
        ("L4", "declining 30.5 0.36 true"),
        ("L5", "at_risk 30 2 true"),
        ("L6", "lapsed 30 10.17 false"),
        ("L7", "lapsed 30.5 6.98 false"),
    ];
    assert_cells(&rows, &columns, &expected);
    assert_eq!(
        cells(&rows, "L3", &["revenue_recent", "revenue_previous"]),
        "600.00 300.00"
    );
    assert_eq!(
        cells(&rows, "L5", &["churn_reason"]),
        "no purchase for 60 days; usually every 30.0 days (2.0× the usual gap)"
    );
    assert!(rows["L4"]["churn_reason"].contains("down on the 90 days before"));
    assert_eq!(cells(&rows, "L2", &["tier_id", "tier"]), "stable Stable");
}

#[test]
fn lifecycle_thresholds_come_from_the_config() {
    let dir = crate::support::temp_dir();
    std::fs::write(
        dir.path().join("tiering.toml"),
        "[score]\nscorer = \"lifecycle\"\n\n[lifecycle]\nat_risk_ratio = 1.2\nlapsed_ratio = 1.8\n",
    )
    .unwrap();
    let output = crate::support::tiering()
        .current_dir(dir.path())
        .arg("score")
        .arg(crate::support::root().join("testdata/lifecycle.csv"))
        .args(["--as-of", "2024-12-31", "--format", "csv"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let rows = crate::support::parse_csv(&String::from_utf8(output.stdout).unwrap());
    // L5 is 2× overdue: at risk by default, lapsed above 1.8.
    assert_eq!(cells(&rows, "L5", &["stage"]), "lapsed");
}

#[test]
fn growing_and_declining_boundaries_are_exact_in_cents() {
    // Periods of 90 days, growth 0.1. A: 7.00 then 7.70, exactly +10% (700 × 1.1 is 770.0000000000001
    // in floating point); B: 7.00 then 4.90, exactly −30% (700 × 0.7 is 489.99999999999994).
    let dir = crate::support::temp_dir();
    let (orders, config) = (dir.path().join("o.csv"), dir.path().join("t.toml"));
    std::fs::write(
        &orders,
        "customer_id,order_date,amount\nA,2026-01-31,7.00\nA,2026-05-31,7.70\nB,2026-01-31,7.00\nB,2026-05-31,4.90\n",
    )
    .unwrap();
    std::fs::write(&config, "[lifecycle]\ngrowth = 0.1\ndecline = 0.3\n").unwrap();
    let rows = score(&[
        orders.to_str().unwrap(),
        "--config",
        config.to_str().unwrap(),
        "--scorer",
        "lifecycle",
        "--as-of",
        "2026-06-30",
    ]);
    assert_cells(&rows, &["stage"], &[("A", "growing"), ("B", "declining")]);
}
