//! `report --breakdown COLUMN`: tiers by a customer-export column, checked against an
//! independent count over the customer export and `score`'s tiers.

use std::collections::BTreeMap;

use crate::support::{parse_csv, score, tiering};

fn report(extra: &[&str]) -> std::process::Output {
    tiering()
        .args([
            "report",
            "examples/orders.csv",
            "--customers",
            "examples/customers.csv",
            "--format",
            "json",
        ])
        .args(extra)
        .output()
        .unwrap()
}

#[test]
fn region_by_tier_matches_an_independent_count() {
    let output = report(&["--breakdown", "region", "--breakdown", "receivable_days"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    // Independent: the export's region per customer, the tier from `score`.
    let export = parse_csv(&std::fs::read_to_string("examples/customers.csv").unwrap());
    let scores = score(&[
        "examples/orders.csv",
        "--customers",
        "examples/customers.csv",
    ]);
    let mut expected: BTreeMap<(String, String), (u64, i64)> = BTreeMap::new();
    for (customer, row) in &scores {
        let region = export
            .get(customer)
            .map(|e| e["region"].clone())
            .filter(|r| !r.is_empty())
            .unwrap_or_else(|| "(blank)".into());
        let cents = (row["revenue"].parse::<f64>().unwrap() * 100.0).round() as i64;
        let cell = expected
            .entry((region.clone(), row["segment_id"].clone()))
            .or_default();
        cell.0 += 1;
        cell.1 += cents;
        let total = expected.entry((region, "total".into())).or_default();
        total.0 += 1;
        total.1 += cents;
    }
    let breakdowns = report["breakdowns"].as_array().unwrap();
    assert_eq!(breakdowns.len(), 2);
    assert_eq!(breakdowns[0]["column"], "region");
    let mut seen: BTreeMap<(String, String), (u64, i64)> = BTreeMap::new();
    let mut customers_in_totals = 0;
    for row in breakdowns[0]["rows"].as_array().unwrap() {
        let key = (
            row["value"].as_str().unwrap().to_string(),
            row["tier_id"].as_str().unwrap().to_string(),
        );
        let cents = (row["revenue"].as_f64().unwrap() * 100.0).round() as i64;
        seen.insert(key.clone(), (row["customers"].as_u64().unwrap(), cents));
        if key.1 == "total" {
            customers_in_totals += row["customers"].as_u64().unwrap();
        }
    }
    assert_eq!(seen, expected);
    // Every customer is in exactly one value.
    assert_eq!(customers_in_totals, scores.len() as u64);
}

#[test]
fn a_breakdown_column_must_be_in_the_customer_export() {
    let output = report(&["--breakdown", "planet"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("--breakdown `planet` is not a column of the customer export"),
        "{stderr}"
    );
    assert!(stderr.contains("region"), "{stderr}");
}

#[test]
fn a_breakdown_works_from_a_scores_file_and_keeps_a_literal_blank_apart() {
    let dir = crate::support::temp_dir();
    let export = dir.path().join("customers.csv");
    std::fs::write(&export, "customer_id,region\nA,(blank)\nB,\nC,North\n").unwrap();
    let scores = dir.path().join("scores.csv");
    let made = tiering()
        .args(["score", "testdata/returns.csv", "--customers"])
        .arg(&export)
        .arg("-o")
        .arg(&scores)
        .output()
        .unwrap();
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let output = tiering()
        .args([
            "report",
            "--format",
            "json",
            "--breakdown",
            "region",
            "--scores",
        ])
        .arg(&scores)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let totals: Vec<(String, u64)> = report["breakdowns"][0]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["tier_id"] == "total")
        .map(|r| {
            (
                r["value"].as_str().unwrap().to_string(),
                r["customers"].as_u64().unwrap(),
            )
        })
        .collect();
    // A's literal "(blank)" is a value; B and the customers not in the export are blank.
    let count = |v: &str| {
        totals
            .iter()
            .filter(|(value, _)| value == v)
            .map(|(_, n)| *n)
            .collect::<Vec<_>>()
    };
    assert_eq!(count("North"), [1]);
    assert_eq!(count("(blank)").len(), 2, "{totals:?}");
    assert_eq!(count("(blank)").iter().sum::<u64>(), 5, "{totals:?}");
    assert_eq!(count("North").iter().sum::<u64>() + 5, 6);
}

#[test]
fn the_page_shows_each_breakdown_as_stacked_bars() {
    let dir = crate::support::temp_dir();
    let page = dir.path().join("report.html");
    let output = tiering()
        .args([
            "report",
            "examples/orders.csv",
            "--customers",
            "examples/customers.csv",
            "--breakdown",
            "region",
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
    let section = html
        .split("<section class=\"breakdown\">")
        .nth(1)
        .unwrap()
        .split("</section>")
        .next()
        .unwrap();
    assert_eq!(section.matches("<svg").count(), 1);
    for region in ["East", "North", "South", "West"] {
        assert!(section.contains(&format!(">{region}<")), "{region}");
    }
}
