//! Profit contribution: cost-to-serve parts, weighted percentile factors, tiers by
//! score, loss makers last (testdata/README.md).

use crate::support::{assert_cells, cells, root, score, success_rows, temp_dir, testdata, tiering};

#[test]
fn profit_scores_weighted_percentiles_and_puts_loss_makers_last() {
    let rows = score(&[&testdata("pareto.csv"), "--scorer", "profit"]);
    let columns = [
        "profit",
        "profit_pct",
        "profit_points",
        "score",
        "tier_id",
        "loss_making",
    ];
    let expected = [
        ("P1", "400.00 100 60 62.86 A false"),
        ("P3", "80.00 85.71 51.43 58.58 A false"),
        ("P5", "60.00 71.43 42.86 54.29 B false"),
        ("P4", "50.00 57.14 34.28 43.57 C false"),
        ("P2", "-50.00 0 0 5 loss_making true"),
        ("P8", "-10.00 14.29 8.57 23.57 loss_making true"),
    ];
    assert_cells(&rows, &columns, &expected);
    assert_eq!(
        cells(&rows, "P8", &["recency_days_pct", "return_rate_value"]),
        "100 2"
    );
    assert!(rows["P2"]["strategy"].starts_with("Serving them costs more"));
}

fn score_with_config(config: &str) -> std::process::Output {
    score_with(config, &root().join("testdata/profit_customers.csv"))
}

/// `score --scorer profit` of testdata/pareto.csv with this config and customer export.
fn score_with(config: &str, customers: &std::path::Path) -> std::process::Output {
    let dir = temp_dir();
    std::fs::write(dir.path().join("tiering.toml"), config).unwrap();
    tiering()
        .current_dir(dir.path())
        .arg("score")
        .arg(root().join("testdata/pareto.csv"))
        .arg("--customers")
        .arg(customers)
        .args(["--scorer", "profit", "--format", "csv"])
        .output()
        .unwrap()
}

#[test]
fn profit_subtracts_every_part_of_cost_to_serve() {
    let output = score_with_config(
        r#"
[profit]
per_order = 5.00
per_return_line = 2.50
customer_costs = [{ column = "support_tickets", per_unit = 12.50 }]
capital = { days_column = "receivable_days", annual_rate = 0.073 }
"#,
    );
    let rows = success_rows(output);
    let columns = [
        "cts_orders",
        "cts_returns",
        "cts_support_tickets",
        "cts_capital",
        "cost_to_serve",
        "profit",
    ];
    assert_eq!(
        cells(&rows, "P1", &columns),
        "5.00 0.00 50.00 6.00 61.00 339.00"
    );
    assert_eq!(
        cells(&rows, "P7", &columns),
        "5.00 2.50 25.00 0.00 32.50 -32.50"
    );
    assert_eq!(
        cells(&rows, "P8", &columns),
        "5.00 2.50 0.00 0.00 7.50 -17.50"
    );
    assert_eq!(cells(&rows, "P7", &["tier_id"]), "loss_making");
}

#[test]
fn profit_weights_must_sum_to_one() {
    let output = score_with_config(
        "[profit]\nfactors = [{ metric = \"profit\", weight = 0.5 }, { metric = \"orders\", weight = 0.3 }]\n",
    );
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("weights sum to 0.8, not 1 (profit 0.5, orders 0.3)"),
        "{stderr}"
    );
}

#[test]
fn profit_factors_may_use_customer_columns() {
    let output = score_with_config(
        "[profit]\nfactors = [{ metric = \"profit\", weight = 0.8 }, { metric = \"receivable_days\", weight = 0.2, direction = \"lower\" }]\n",
    );
    let rows = success_rows(output);
    // receivable_days 0 for P4-P7 (shared best), 30 for P2, P3, P8, 60 for P1 (worst).
    assert_eq!(
        cells(
            &rows,
            "P1",
            &["receivable_days_value", "receivable_days_pct"]
        ),
        "60 0"
    );
    assert_eq!(cells(&rows, "P4", &["receivable_days_pct"]), "57.14");
    let missing = score_with_config("[profit]\nfactors = [{ metric = \"nps\", weight = 1.0 }]\n");
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("uses the column `nps`"));
}

/// Customer-export columns are text; factors and cost parts read them as exact decimals,
/// so "120" ranks above "9.5" and "60" (not in text order), and 2.5 units × 0.25 is 62.5
/// cents, rounded half away to 63.
#[test]
fn export_columns_are_read_as_numbers() {
    let dir = temp_dir();
    let customers = dir.path().join("customers.csv");
    std::fs::write(
        &customers,
        "customer_id,receivable_days,tickets\nP1,120,2.5\nP2,9.5,0\nP3,60,1\nP4,0,\nP5,0,0\nP6,0,0\nP7,0,0\nP8,0,0\n",
    )
    .unwrap();
    let output = score_with(
        "[profit]\ncustomer_costs = [{ column = \"tickets\", per_unit = 0.25 }]\nfactors = [{ metric = \"receivable_days\", weight = 1.0 }]\n",
        &customers,
    );
    let rows = success_rows(output);
    // Ranks among 8 purchasers: five at 0 share rank 1, then 9.5, 60, 120.
    assert_eq!(
        cells(&rows, "P1", &["receivable_days_pct", "cts_tickets"]),
        "100 0.63"
    );
    assert_eq!(
        cells(&rows, "P3", &["receivable_days_pct", "cts_tickets"]),
        "85.71 0.25"
    );
    assert_eq!(cells(&rows, "P2", &["receivable_days_pct"]), "71.43");
    assert_eq!(
        cells(&rows, "P4", &["receivable_days_pct", "cts_tickets"]),
        "0 0.00"
    );
}

#[test]
fn customer_export_numbers_are_checked_when_the_export_is_read() {
    let config =
        "[profit]\ncustomer_costs = [{ column = \"support_tickets\", per_unit = 12.50 }]\n";
    let dir = temp_dir();
    let export = dir.path().join("customers.csv");
    let refused = |text: &str, needles: &[&str]| {
        std::fs::write(&export, text).unwrap();
        let output = score_with(config, &export);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(3), "{stderr}");
        for needle in needles {
            assert!(stderr.contains(needle), "missing `{needle}` in: {stderr}");
        }
        // --rejects covers order files, not the customer export: not offered.
        assert!(!stderr.contains("--rejects"), "{stderr}");
    };
    refused(
        "customer_id,support_tickets\nP1,4\nP2,n/a\nP3,\"1,5\"\n",
        &[
            "line 3, column `support_tickets`",
            "`n/a`",
            "not a number",
            "1 more bad row",
        ],
    );
    refused(
        "customer_id,support_tickets\nP1,-1\n",
        &["line 2", "negative"],
    );
    refused(
        "customer_id,support_tickets\nP1,9999999999999999\n",
        &["out of range"],
    );
    // A blank cell is no tickets.
    std::fs::write(&export, "customer_id,support_tickets\nP1,  \nP3,2\n").unwrap();
    let rows = success_rows(score_with(config, &export));
    assert_eq!(cells(&rows, "P1", &["cts_support_tickets"]), "0.00");
    assert_eq!(cells(&rows, "P3", &["cts_support_tickets"]), "25.00");
}

#[test]
fn customer_costs_must_name_customer_export_columns_not_metrics() {
    // `revenue` is a metric in cents: a cost per unit of it was 100× off.
    let output = score_with_config(
        "[profit]\ncustomer_costs = [{ column = \"revenue\", per_unit = 1.0 }]\n",
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(
            "[profit] customer_costs column `revenue` is not a column of the customer export"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("support_tickets"), "{stderr}");
    // `orders` used to fail with a duplicate-column error from the query engine.
    let output =
        score_with_config("[profit]\ncapital = { days_column = \"orders\", annual_rate = 0.05 }\n");
    assert_eq!(output.status.code(), Some(2));
}
