//! Independent cross-check: DuckDB SQL written from DESIGN.md computes the same metrics
//! and NTILE scores, customer by customer (tests/crosscheck/rfm_duckdb.py).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::process::Command;

use crate::support::{python_modules_available, root, score, temp_dir};

fn duckdb_available() -> bool {
    python_modules_available("duckdb", "DuckDB cross-check", "pip install duckdb")
}

/// Run a cross-check script; its CSV output keyed by the first column.
fn duckdb_rows(script: &str, args: &[&str]) -> BTreeMap<String, String> {
    let output = Command::new("python3")
        .current_dir(root())
        .arg(script)
        .args(args)
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).unwrap();
    text.lines()
        .skip(1)
        .map(|line| {
            let (id, rest) = line.split_once(',').unwrap();
            (id.to_string(), rest.to_string())
        })
        .collect()
}

fn duckdb_scores(path: &str, as_of: &str, bins: u32, ties: &str) -> BTreeMap<String, String> {
    let bins = bins.to_string();
    duckdb_rows(
        "tests/crosscheck/rfm_duckdb.py",
        &[path, as_of, &bins, ties],
    )
}

fn tiering_scores(path: &str, as_of: &str, bins: u32, ties: &str) -> BTreeMap<String, String> {
    let rows = score(&[
        path,
        "--as-of",
        as_of,
        "--bins",
        &bins.to_string(),
        "--ties",
        ties,
    ]);
    rows.into_iter()
        .filter(|(_, row)| row["orders"] != "0")
        .map(|(id, row)| {
            let cents = row["revenue"].replace('.', "").parse::<i64>().unwrap();
            let value = format!(
                "{},{},{},{},{},{}",
                row["orders"],
                cents,
                row["recency_days"],
                row["r_score"],
                row["f_score"],
                row["m_score"]
            );
            (id, value)
        })
        .collect()
}

fn agree(path: &str, as_of: &str, bins: u32, ties: &str) {
    let ours = tiering_scores(path, as_of, bins, ties);
    let theirs = duckdb_scores(path, as_of, bins, ties);
    assert!(ours.len() > 5, "too few customers to be a real check");
    assert_eq!(
        ours.len(),
        theirs.len(),
        "{path} {as_of} {bins} {ties}: customer counts differ"
    );
    for (id, value) in &ours {
        assert_eq!(
            Some(value),
            theirs.get(id),
            "{path} as_of={as_of} bins={bins} ties={ties} customer {id}"
        );
    }
}

#[test]
fn duckdb_agrees_on_every_customer_of_the_example_export() {
    if !duckdb_available() {
        return;
    }
    for ties in ["shared", "split"] {
        for bins in [5, 3, 10] {
            agree("examples/orders.csv", "2026-10-31", bins, ties);
        }
        agree("examples/orders.csv", "2026-06-30", 5, ties);
    }
}

/// Orders with few distinct amounts and days: many exact ties in every metric.
fn write_tied_orders(path: &std::path::Path) {
    let mut text = String::from("order_id,customer_id,order_date,amount\n");
    let mut state = 7u64;
    let mut next = |n: u64| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) % n
    };
    for order in 0..900 {
        let customer = next(97);
        let day = 1 + next(20);
        for _ in 0..=next(2) {
            // Few distinct amounts and days: many exact ties in all three metrics.
            let amount = [0, 500, 1000, 1000, 2500][next(5) as usize];
            writeln!(
                text,
                "O{order},C{customer:03},2024-03-{day:02},{}.00",
                amount / 100
            )
            .unwrap();
        }
        if next(10) == 0 {
            writeln!(text, "O{order},C{customer:03},2024-03-{day:02},-5.00").unwrap();
        }
    }
    std::fs::write(path, text).unwrap();
}

#[test]
fn duckdb_agrees_on_generated_orders_full_of_ties_and_returns() {
    if !duckdb_available() {
        return;
    }
    let dir = temp_dir();
    let path = dir.path().join("ties.csv");
    write_tied_orders(&path);
    let path = path.to_str().unwrap();
    for ties in ["shared", "split"] {
        for bins in [2, 4, 5, 7] {
            agree(path, "2024-03-20", bins, ties);
        }
        agree(path, "2024-03-12", 5, ties);
    }
}

fn agree_on_pareto(path: &str, as_of: &str, cuts: &str, by: &str) {
    let rows = score(&[
        path, "--as-of", as_of, "--scorer", "pareto", "--cuts", cuts, "--by", by,
    ]);
    let ours: BTreeMap<String, String> = rows
        .into_iter()
        .filter(|(_, row)| !row["pareto_rank"].is_empty())
        .map(|(id, row)| {
            let cents = row["cum_value"].replace('.', "").parse::<i64>().unwrap();
            (
                id,
                format!("{},{},{}", row["pareto_rank"], cents, row["abc_class"]),
            )
        })
        .collect();
    let theirs = duckdb_rows(
        "tests/crosscheck/pareto_duckdb.py",
        &[path, as_of, cuts, by],
    );
    assert!(ours.len() > 5, "too few customers to be a real check");
    assert_eq!(
        ours.len(),
        theirs.len(),
        "{path} {cuts} {by}: customer counts differ"
    );
    for (id, value) in &ours {
        assert_eq!(
            Some(value),
            theirs.get(id),
            "{path} cuts={cuts} by={by} customer {id}"
        );
    }
}

#[test]
fn duckdb_agrees_on_pareto_classes_for_every_customer() {
    if !duckdb_available() {
        return;
    }
    let dir = temp_dir();
    let tied = dir.path().join("ties.csv");
    write_tied_orders(&tied);
    for path in ["examples/orders.csv", tied.to_str().unwrap()] {
        for (cuts, by) in [
            ("80,95", "share"),
            ("70,90", "share"),
            ("20,50", "count"),
            ("50,80,95", "share"),
        ] {
            agree_on_pareto(path, "2026-10-31", cuts, by);
        }
    }
    agree_on_pareto("examples/orders.csv", "2026-03-31", "80,95", "share");
    agree_on_pareto("testdata/pareto.csv", "2024-12-31", "80,95", "share");
}
