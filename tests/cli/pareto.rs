//! Pareto / ABC: hand-worked classes (testdata/README.md), every option.

use crate::support::{assert_cells, cells, score, testdata, tiering};

const COLUMNS: [&str; 6] = [
    "pareto_rank",
    "cum_value",
    "abc_class",
    "upgrade_candidate",
    "loss_making",
    "tier_id",
];

#[test]
fn pareto_puts_the_customer_crossing_80_percent_in_a_and_non_positive_values_in_c() {
    let rows = score(&[&testdata("pareto.csv"), "--scorer", "pareto"]);
    let expected = [
        ("P1", "1 500.00 A false false A"),
        ("P2", "2 700.00 A false true A"),
        ("P3", "3 800.00 A false false A"),
        ("P4", "4 900.00 B true false B"),
        ("P5", "5 960.00 B true false B"),
        ("P6", "6 1000.00 C false false C"),
        ("P7", "7 1000.00 C false false C"),
        ("P8", "8 1000.00 C false true C"),
    ];
    assert_cells(&rows, &COLUMNS, &expected);
    assert_eq!(
        cells(&rows, "P3", &["cum_share", "tier"]),
        "0.8 A — key accounts"
    );
}

#[test]
fn pareto_by_count_cuts_the_top_share_of_customers() {
    let rows = score(&[
        &testdata("pareto.csv"),
        "--scorer",
        "pareto",
        "--by",
        "count",
        "--cuts",
        "20,50",
    ]);
    let classes: Vec<String> = ["P1", "P2", "P3", "P4", "P5", "P6"]
        .iter()
        .map(|c| cells(&rows, c, &["abc_class", "upgrade_candidate"]))
        .collect();
    assert_eq!(
        classes,
        [
            "A false", "A false", "B true", "B false", "C false", "C false"
        ]
    );
}

#[test]
fn pareto_by_profit_ranks_profit_and_flags_loss_makers() {
    let rows = score(&[
        &testdata("pareto.csv"),
        "--scorer",
        "pareto",
        "--basis",
        "profit",
    ]);
    let expected = [
        ("P1", "1 400.00 A"),
        ("P3", "2 480.00 A"),
        ("P5", "3 540.00 A"),
        ("P4", "4 590.00 B"),
        ("P6", "5 620.00 C"),
        ("P7", "6 620.00 C"),
        ("P8", "7 620.00 C"),
        ("P2", "8 620.00 C"),
    ];
    assert_cells(&rows, &["pareto_rank", "cum_value", "abc_class"], &expected);
    assert_eq!(
        cells(&rows, "P2", &["loss_making", "pareto_value"]),
        "true -50.00"
    );
}

#[test]
fn pareto_with_class_shares_makes_as_many_classes_as_shares() {
    let rows = score(&[
        &testdata("pareto.csv"),
        "--scorer",
        "pareto",
        "--cuts",
        "50/20/20/10",
    ]);
    let classes: Vec<String> = ["P1", "P2", "P3", "P4", "P5", "P6", "P7"]
        .iter()
        .map(|c| cells(&rows, c, &["abc_class"]))
        .collect();
    // cumulative cuts 50, 70, 90: P1 reaches 50%; P2 reaches 70%; P3, P4 reach 90%.
    assert_eq!(classes, ["A", "B", "C", "C", "D", "D", "D"]);
    assert_eq!(cells(&rows, "P6", &["tier"]), "D — long tail");
}

#[test]
fn pareto_computed_limits_follow_ultsch_and_loetsch() {
    let rows = score(&[
        &testdata("abc_computed.csv"),
        "--scorer",
        "pareto",
        "--method",
        "computed",
    ]);
    let classes: String = (1..=10)
        .map(|i| cells(&rows, &format!("Q{i:02}"), &["abc_class"]))
        .collect();
    assert_eq!(classes, "AABBCCCCCC");
}

#[test]
fn pareto_thresholds_summarise_each_class() {
    let text = crate::support::score_text(&[
        &testdata("pareto.csv"),
        "--scorer",
        "pareto",
        "--thresholds",
    ]);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines,
        [
            "abc_class,limit,rank_from,rank_to,customers,customer_share,value,value_share,value_min,value_max,upgrade_candidates,as_of",
            "A,80%,1,3,3,0.375,800.00,0.8,100.00,500.00,0,2024-06-10",
            "B,95%,4,5,2,0.25,160.00,0.16,60.00,100.00,2,2024-06-10",
            "C,100%,6,8,3,0.375,40.00,0.04,-10.00,40.00,0,2024-06-10",
        ]
    );
}

#[test]
fn pareto_rejects_bad_cuts_and_profit_without_cost() {
    tiering()
        .args([
            "score",
            &testdata("pareto.csv"),
            "--scorer",
            "pareto",
            "--cuts",
            "95,80",
        ])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("cuts must increase"));
    tiering()
        .args([
            "score",
            &testdata("returns.csv"),
            "--scorer",
            "pareto",
            "--basis",
            "profit",
        ])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "--basis profit needs a cost column",
        ));
}

#[test]
fn pareto_summary_table_has_one_row_per_class() {
    let output = tiering()
        .args([
            "score",
            &testdata("pareto.csv"),
            "--scorer",
            "pareto",
            "--format",
            "table",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        text.starts_with("pareto · as of 2024-06-10 · 8 customers · cuts 80%, 95% of revenue"),
        "{text}"
    );
    assert!(text.contains("A — key accounts") && text.contains("C — ordinary accounts"));
}

#[test]
fn class_cuts_stay_exact_for_sums_beyond_64_bit_products() {
    // 10¹⁶ cents in all: cumulative sums × 10000 overflow i64. C starts after 90% (≥ 80%,
    // < 95%): class B, not a wrapped-around A.
    let dir = crate::support::temp_dir();
    let file = dir.path().join("big.csv");
    std::fs::write(
        &file,
        "customer_id,order_date,amount\nA,2026-01-01,50000000000000.00\nB,2026-01-01,40000000000000.00\nC,2026-01-01,10000000000000.00\nD,2026-01-01,1.00\n",
    )
    .unwrap();
    let rows = score(&[file.to_str().unwrap(), "--scorer", "pareto"]);
    assert_cells(
        &rows,
        &["abc_class"],
        &[("A", "A"), ("B", "A"), ("C", "B"), ("D", "C")],
    );
}
