//! Hand-worked RFM expectations (testdata/README.md explains each number).

use crate::support::{assert_cells, cells, score, testdata, tiering};

const SCORES: [&str; 5] = ["r_score", "f_score", "m_score", "rfm_code", "segment_id"];

#[test]
fn score_rfm_small_with_shared_ties_matches_hand_worked_buckets() {
    let rows = score(&[&testdata("rfm_small.csv"), "--as-of", "2024-12-31"]);
    let expected = [
        ("K1", "5 1 1 511 new"),
        ("K2", "4 2 2 422 potential_loyalists"),
        ("K3", "3 4 2 342 need_attention"),
        ("K4", "2 1 4 214 hibernating"),
        ("K5", "2 2 3 223 hibernating"),
        ("K6", "1 5 5 155 cant_lose"),
        ("K7", "1 1 1 111 lost"),
    ];
    assert_cells(&rows, &SCORES, &expected);
}

#[test]
fn score_rfm_small_with_split_ties_orders_equal_values_by_customer_id() {
    let rows = score(&[
        &testdata("rfm_small.csv"),
        "--as-of",
        "2024-12-31",
        "--ties",
        "split",
    ]);
    let expected = [
        ("K1", "5 1 1 511 new"),
        ("K2", "4 2 2 422 potential_loyalists"),
        ("K3", "3 4 2 342 need_attention"),
        ("K4", "2 1 4 214 hibernating"),
        ("K5", "2 3 3 233 at_risk"),
        ("K6", "1 5 5 155 cant_lose"),
        ("K7", "1 2 1 121 hibernating"),
    ];
    assert_cells(&rows, &SCORES, &expected);
}

#[test]
fn score_with_three_bins_uses_ntile_sizes_three_two_two() {
    let rows = score(&[
        &testdata("rfm_small.csv"),
        "--as-of",
        "2024-12-31",
        "--bins",
        "3",
    ]);
    let expected = [
        ("K1", "3 1 1"),
        ("K2", "3 2 1"),
        ("K3", "2 3 2"),
        ("K4", "2 1 3"),
        ("K5", "1 2 2"),
        ("K6", "1 3 3"),
        ("K7", "1 1 1"),
    ];
    assert_cells(&rows, &["r_score", "f_score", "m_score"], &expected);
}

#[test]
fn score_metrics_are_exact_and_lines_after_as_of_are_ignored_with_a_note() {
    let output = tiering()
        .args(["score", &testdata("rfm_small.csv"), "--as-of", "2024-12-31"])
        .args(["--format", "csv"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("1 order line dated after the as-of date 2024-12-31 is ignored"),
        "{stderr}"
    );
    let rows = crate::support::parse_csv(&String::from_utf8(output.stdout).unwrap());
    let metrics = [
        "orders",
        "revenue",
        "recency_days",
        "tenure_days",
        "first_order_date",
        "last_order_date",
        "aov",
        "as_of",
    ];
    assert_eq!(
        cells(&rows, "K1", &metrics),
        "1 10.00 0 0 2024-12-31 2024-12-31 10.00 2024-12-31"
    );
    assert_eq!(
        cells(&rows, "K6", &metrics),
        "5 1000.00 184 334 2024-02-01 2024-06-30 200.00 2024-12-31"
    );
    assert_eq!(
        cells(&rows, "K2", &["r_from", "r_to", "m_from", "m_to"]),
        "1 1 20.00 30.00"
    );
}

#[test]
fn score_without_as_of_uses_the_latest_order_date() {
    let rows = score(&[&testdata("rfm_small.csv")]);
    assert_eq!(
        cells(&rows, "K1", &["as_of", "orders", "revenue", "recency_days"]),
        "2025-01-15 2 109.00 0"
    );
}

#[test]
fn score_nets_returns_against_revenue_and_counts_only_purchases() {
    let rows = score(&[&testdata("returns.csv")]);
    let columns = ["orders", "revenue", "returns", "segment_id"];
    // A: two plain orders.
    assert_eq!(
        cells(&rows, "A", &columns)[..14].to_string(),
        "2 150.00 0.00 "
    );
    // C: an order fully cancelled by its return is not a purchase.
    assert_eq!(cells(&rows, "C", &columns), "0 0.00 20.00 no_purchase");
    assert_eq!(cells(&rows, "C", &["r_score", "rfm_code"]), " ");
    // D: a free order (0.00, no return) is a purchase.
    assert_eq!(cells(&rows, "D", &["orders", "revenue"]), "1 0.00");
    // E: a return-only order nets against revenue but is not a purchase.
    assert_eq!(
        cells(&rows, "E", &["orders", "revenue", "returns"]),
        "2 55.00 5.00"
    );
    // F: a partial return leaves a purchase with net 50.00.
    assert_eq!(
        cells(&rows, "F", &["orders", "revenue", "returns", "aov"]),
        "1 50.00 30.00 50.00"
    );
}

#[test]
fn score_without_order_id_counts_one_order_per_customer_per_day() {
    let rows = score(&[&testdata("no_order_id.csv")]);
    assert_eq!(
        cells(&rows, "A", &["orders", "revenue", "aov"]),
        "2 30.00 15.00"
    );
    assert_eq!(cells(&rows, "B", &["orders", "revenue"]), "1 7.00");
}

#[test]
fn score_rounds_aov_half_away_from_zero_to_the_cent() {
    let dir = crate::support::temp_dir();
    let path = dir.path().join("aov.csv");
    std::fs::write(
        &path,
        "customer_id,order_id,order_date,amount\nA,1,2024-01-01,0.01\nA,2,2024-01-02,0.02\nA,3,2024-01-03,0.02\nB,1,2024-01-01,0.01\nB,2,2024-01-02,0.00\n",
    )
    .unwrap();
    let rows = score(&[path.to_str().unwrap()]);
    // 0.05 / 3 = 0.0166.. -> 0.02; 0.01 / 2 = 0.005 -> 0.01.
    assert_eq!(cells(&rows, "A", &["aov"]), "0.02");
    assert_eq!(cells(&rows, "B", &["aov"]), "0.01");
}

#[test]
fn score_in_chinese_names_segments_and_strategies_in_chinese() {
    let rows = score(&[
        &testdata("rfm_small.csv"),
        "--as-of",
        "2024-12-31",
        "--lang",
        "zh",
    ]);
    assert_eq!(
        cells(&rows, "K6", &["segment_id", "segment"]),
        "cant_lose 重要挽留客户"
    );
    assert!(rows["K6"]["strategy"].contains("挽回"));
    let by_locale = tiering()
        .env("LANG", "zh_CN.UTF-8")
        .args([
            "score",
            &testdata("rfm_small.csv"),
            "--as-of",
            "2024-12-31",
            "--format",
            "csv",
        ])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&by_locale.stdout).contains("重要挽留客户"));
}

#[test]
fn score_thresholds_table_lists_the_value_range_of_every_bin() {
    let text = crate::support::score_text(&[
        &testdata("rfm_small.csv"),
        "--as-of",
        "2024-12-31",
        "--thresholds",
    ]);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "score,r_customers,recency_days_min,recency_days_max,f_customers,orders_min,orders_max,m_customers,revenue_min,revenue_max,as_of"
    );
    assert_eq!(lines[1], "1,2,184,365,3,1,1,2,5.00,10.00,2024-12-31");
    assert_eq!(lines[3], "3,1,6,6,,,,1,40.00,40.00,2024-12-31");
    assert_eq!(lines[5], "5,1,0,0,1,5,5,1,1000.00,1000.00,2024-12-31");
}

#[test]
fn score_reports_empty_bins_under_shared_ties() {
    tiering()
        .args([
            "score",
            &testdata("rfm_small.csv"),
            "--as-of",
            "2024-12-31",
            "--format",
            "csv",
        ])
        .assert()
        .success()
        .stderr(predicates::str::contains("f_score bin 3 is empty"));
}

#[test]
fn score_output_is_byte_identical_across_runs_and_row_orders() {
    let first = crate::support::score_text(&[
        "examples/orders.csv",
        "--customers",
        "examples/customers.csv",
    ]);
    let second = crate::support::score_text(&[
        "examples/orders.csv",
        "--customers",
        "examples/customers.csv",
    ]);
    assert_eq!(first, second);
    // Shuffled lines score identically.
    let text = std::fs::read_to_string(crate::support::root().join("examples/orders.csv")).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    let header = lines.remove(0);
    lines.reverse();
    let dir = crate::support::temp_dir();
    let path = dir.path().join("reversed.csv");
    std::fs::write(&path, format!("{header}\n{}\n", lines.join("\n"))).unwrap();
    let reversed = crate::support::score_text(&[
        path.to_str().unwrap(),
        "--customers",
        "examples/customers.csv",
    ]);
    assert_eq!(first, reversed);
}

#[test]
fn score_says_when_there_are_fewer_customers_than_bins() {
    tiering()
        .args(["score", &testdata("no_order_id.csv"), "--format", "csv"])
        .assert()
        .success()
        .stderr(predicates::str::contains(
            "only 2 purchasing customers for 5 bins: scores above 2 stay empty",
        ));
}
