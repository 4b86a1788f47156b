//! Threshold rules in SQL (testdata/README.md): the shipped strategic / key / ordinary
//! example, trailing windows, customer columns, and rule errors.

use crate::support::{
    Row, assert_cells, cells, root, score, success_rows, temp_dir, testdata, tiering,
};

#[test]
fn rules_default_example_tiers_strategic_key_ordinary() {
    let rows = score(&[
        &testdata("rules.csv"),
        "--scorer",
        "rules",
        "--as-of",
        "2024-12-31",
    ]);
    let columns = ["revenue_12m", "active_months_12m", "rule_number", "tier_id"];
    let expected = [
        ("S1", "6000000.00 6 1 strategic"),
        ("S2", "6000000.00 6 2 key"),
        ("S3", "500000.00 1 3 ordinary"),
        ("S4", "1000000.00 6 2 key"),
        ("S5", "10.00 1 3 ordinary"),
        // One order of 6M in the year is not stable.
        ("S6", "6000000.00 1 3 ordinary"),
        // Exactly 5M is not over 5M; exactly 1095 days is not more than three years.
        ("S7", "5000000.00 6 2 key"),
        ("S8", "6000000.00 6 2 key"),
    ];
    assert_cells(&rows, &columns, &expected);
    assert_eq!(
        cells(&rows, "S1", &["rule_fired", "tier"]),
        "revenue_12m > 5000000 AND tenure_days > 1095 Strategic"
    );
    assert_eq!(cells(&rows, "S3", &["rule_fired"]), "default");
}

#[test]
fn rules_from_the_config_see_customer_columns_and_windows() {
    let dir = temp_dir();
    std::fs::write(
        dir.path().join("tiering.toml"),
        r#"
[score]
scorer = "rules"

[[rules]]
tier = "north_big"
when = "region = 'North' AND orders_90d >= 1"

[[rules]]
tier = "returning"
when = "orders >= 2 AND returns > 0"

[[rules]]
tier = "rest"

[playbook.north_big.en]
name = "North, active"
strategy = "Visit them."
"#,
    )
    .unwrap();
    let output = tiering()
        .current_dir(dir.path())
        .arg("score")
        .arg(root().join("testdata/returns.csv"))
        .arg("--customers")
        .arg(root().join("testdata/customers.csv"))
        .args(["--format", "csv"])
        .output()
        .unwrap();
    let rows = success_rows(output);
    // A (North) bought on 2024-03-01, within 90 days of the as-of date 2024-03-15.
    assert_eq!(
        cells(&rows, "A", &["tier_id", "tier", "strategy", "orders_90d"]),
        "north_big North, active Visit them. 2"
    );
    // E has two purchases and a return.
    assert_eq!(cells(&rows, "E", &["tier_id"]), "returning");
    assert_eq!(cells(&rows, "B", &["tier_id"]), "rest");
    assert_eq!(cells(&rows, "Z", &["tier_id"]), "no_purchase");
}

#[test]
fn rules_with_unknown_columns_or_bad_sql_are_config_errors() {
    for (rules, message) in [
        (
            "[[rules]]\ntier = \"a\"\nwhen = \"revenu > 1\"\n[[rules]]\ntier = \"b\"\n",
            "unknown column `revenu`",
        ),
        (
            "[[rules]]\ntier = \"a\"\nwhen = \"revenue >>> 1\"\n[[rules]]\ntier = \"b\"\n",
            "is not a SQL condition",
        ),
        (
            "[[rules]]\ntier = \"a\"\nwhen = \"revenue > 1\"\n",
            "the last rule must be the default",
        ),
    ] {
        let dir = temp_dir();
        std::fs::write(dir.path().join("tiering.toml"), rules).unwrap();
        let output = tiering()
            .current_dir(dir.path())
            .arg("score")
            .arg(root().join("testdata/returns.csv"))
            .args(["--scorer", "rules", "--format", "csv"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(message), "expected `{message}` in {stderr}");
    }
}

/// `score --scorer rules --as-of 2024-12-31` of `orders` with `config` as its
/// tiering.toml.
fn score_rules_with(orders: &str, config: &str) -> std::collections::BTreeMap<String, Row> {
    let dir = temp_dir();
    let path = dir.path().join("t.toml");
    std::fs::write(&path, config).unwrap();
    score(&[
        orders,
        "--scorer",
        "rules",
        "--as-of",
        "2024-12-31",
        "--config",
        path.to_str().unwrap(),
    ])
}

#[test]
fn steadiness_metrics_follow_the_hand_worked_file() {
    let rows = score_rules_with(
        &testdata("steady.csv"),
        "[[rules]]\ntier = \"key\"\nwhen = \"active_months_12m >= 6 AND revenue_cv_12m < 0.5\"\n\n[[rules]]\ntier = \"ordinary\"\n",
    );
    assert_cells(
        &rows,
        &["active_months_12m", "tier_id"],
        &[
            ("M", "3 ordinary"),
            ("S", "12 key"),
            ("R", "1 ordinary"),
            ("E", "2 ordinary"),
        ],
    );
    let cv = |c: &str| rows[c]["revenue_cv_12m"].parse::<f64>().unwrap();
    assert!((cv("M") - 560_000f64.sqrt() / 400.0).abs() < 1e-12);
    assert!((cv("E") - 50_000f64.sqrt() / 100.0).abs() < 1e-12);
    assert_eq!(cv("S"), 0.0);
    assert_eq!(rows["R"]["revenue_cv_12m"], "");
}

#[test]
fn steadiness_holds_for_amounts_whose_squares_pass_128_bits() {
    // 5e16 in one month: 12·Σx² (in cents) passes 2¹²⁷ and wrapped into a NaN that
    // every rule on the coefficient matched. One month of x, eleven of 0: √(11x²) ÷ x.
    let dir = temp_dir();
    let orders = dir.path().join("huge.csv");
    std::fs::write(
        &orders,
        "customer_id,order_date,amount\nA,2024-12-15,50000000000000000.00\nB,2024-12-01,5\nB,2024-11-01,5\n",
    )
    .unwrap();
    let rows = score_rules_with(
        orders.to_str().unwrap(),
        "[[rules]]\ntier = \"uneven\"\nwhen = \"revenue_cv_12m > 3.4\"\n\n[[rules]]\ntier = \"rest\"\n",
    );
    let cv = |c: &str| rows[c]["revenue_cv_12m"].parse::<f64>().unwrap();
    assert!((cv("A") - 11f64.sqrt()).abs() < 1e-12, "{}", cv("A"));
    assert!((cv("B") - 5f64.sqrt()).abs() < 1e-12, "{}", cv("B"));
    assert_cells(&rows, &["tier_id"], &[("A", "rest"), ("B", "rest")]);
}

#[test]
fn tenure_can_count_from_a_contract_start_in_the_customer_export() {
    let dir = temp_dir();
    let config = dir.path().join("t.toml");
    std::fs::write(&config, "[score]\ntenure_from = \"contract_start\"\n").unwrap();
    let rows = score(&[
        &testdata("rules.csv"),
        "--scorer",
        "rules",
        "--as-of",
        "2024-12-31",
        "--config",
        config.to_str().unwrap(),
        "--customers",
        &testdata("rules_customers.csv"),
    ]);
    assert_cells(
        &rows,
        &["tenure_days", "tier_id"],
        &[
            // 2018-05-01 is earlier than the first purchase (2021-01-05).
            ("S1", "2436 strategic"),
            // A contract since 2020-01-01: more than three years together, strategic.
            ("S2", "1826 strategic"),
            // No start date: from the first purchase.
            ("S4", "153 key"),
            // A start after the as-of date is not counted; one order is not stable.
            ("S6", "305 ordinary"),
            ("S8", "1095 key"),
        ],
    );
    // A start date that is not a date names its cell; SQL refuses the option.
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "customer_id,contract_start\nS1,01/02/2019\n").unwrap();
    let output = tiering()
        .args([
            "score",
            &testdata("rules.csv"),
            "--scorer",
            "rules",
            "--config",
        ])
        .arg(&config)
        .arg("--customers")
        .arg(&bad)
        .output()
        .unwrap();
    crate::support::assert_fails(
        &output,
        3,
        &["bad.csv", "line 2", "contract_start", "01/02/2019"],
    );
    let sql = tiering()
        .args([
            "sql",
            "--dialect",
            "duckdb",
            "--source",
            &testdata("rules.csv"),
            "--scorer",
            "rules",
            "--config",
        ])
        .arg(&config)
        .output()
        .unwrap();
    crate::support::assert_fails(&sql, 2, &["tenure_from"]);
}
