//! Every scorer on the edge cases: a single customer, all customers equal, zero values.

use crate::support::{cells, score, temp_dir};

const SCORERS: [&str; 5] = ["rfm", "pareto", "profit", "rules", "lifecycle"];

fn write(dir: &std::path::Path, name: &str, body: &str) -> String {
    let path = dir.join(name);
    std::fs::write(
        &path,
        format!("customer_id,order_id,order_date,amount,cost\n{body}"),
    )
    .unwrap();
    path.display().to_string()
}

#[test]
fn every_scorer_handles_a_single_customer() {
    let dir = temp_dir();
    let path = write(dir.path(), "single.csv", "A,1,2024-05-01,10.00,4.00\n");
    let expected = [
        // DESIGN §5: with n < bins the positions fill the lowest bins, so one customer is 111.
        ("rfm", "segment_id", "lost"),
        ("pareto", "tier_id", "A"),
        ("profit", "tier_id", "A"),
        ("rules", "tier_id", "ordinary"),
        ("lifecycle", "tier_id", "new"),
    ];
    for (scorer, column, want) in expected {
        let rows = score(&[&path, "--scorer", scorer]);
        assert_eq!(rows.len(), 1, "{scorer}");
        assert_eq!(cells(&rows, "A", &[column]), want, "{scorer}");
    }
    let rows = score(&[&path]);
    assert_eq!(
        cells(&rows, "A", &["r_score", "f_score", "m_score"]),
        "1 1 1"
    );
}

#[test]
fn every_scorer_gives_equal_customers_equal_treatment_where_ties_are_shared() {
    let dir = temp_dir();
    let body: String = ["D", "C", "B", "A"]
        .iter()
        .map(|c| format!("{c},{c}1,2024-05-01,25.00,5.00\n"))
        .collect();
    let path = write(dir.path(), "equal.csv", &body);
    let rfm = score(&[&path]);
    for c in ["A", "B", "C", "D"] {
        assert_eq!(
            cells(&rfm, c, &["r_score", "f_score", "m_score"]),
            "1 1 1",
            "{c}"
        );
    }
    let split = score(&[&path, "--ties", "split"]);
    let m: Vec<String> = ["A", "B", "C", "D"]
        .iter()
        .map(|c| cells(&split, c, &["m_score"]))
        .collect();
    assert_eq!(
        m,
        ["1", "2", "3", "4"],
        "split ties order equal values by customer_id"
    );
    let pareto = score(&[&path, "--scorer", "pareto"]);
    // Cumulative shares before each: 0, 25, 50, 75 % — all below 80 %, all in A.
    for c in ["A", "B", "C", "D"] {
        assert_eq!(cells(&pareto, c, &["abc_class"]), "A", "{c}");
    }
    for scorer in SCORERS {
        let rows = score(&[&path, "--scorer", scorer]);
        assert_eq!(rows.len(), 4, "{scorer}");
    }
    let lifecycle = score(&[&path, "--scorer", "lifecycle"]);
    for c in ["A", "B", "C", "D"] {
        assert_eq!(cells(&lifecycle, c, &["stage"]), "new", "{c}");
    }
}

#[test]
fn every_scorer_handles_zero_revenue_and_zero_cost() {
    let dir = temp_dir();
    let path = write(
        dir.path(),
        "zero.csv",
        "A,1,2024-05-01,0.00,0.00\nB,2,2024-05-02,0.00,0.00\nC,3,2024-05-03,-5.00,0.00\n",
    );
    for scorer in SCORERS {
        let rows = score(&[&path, "--scorer", scorer]);
        assert_eq!(rows.len(), 3, "{scorer}");
        // C only returned goods: not a purchase.
        assert_eq!(cells(&rows, "C", &["orders"]), "0", "{scorer}");
    }
    let pareto = score(&[&path, "--scorer", "pareto"]);
    assert_eq!(
        cells(&pareto, "A", &["abc_class", "cum_share"]),
        "C ",
        "no positive value: all C, no share"
    );
}
