//! `report --budget`: the seeds' illustration (testdata/report/budget/, hand-worked in
//! testdata/README.md) — 1,000,000 spread evenly gives 10,000 to each of 100 customers;
//! the whole of it to the top 20% by value gives most to the top 4. Every split sums to
//! the budget to the cent.

use std::collections::BTreeMap;

use crate::support::tiering;

fn report(config: &str, extra: &[&str]) -> serde_json::Value {
    let output = tiering()
        .args([
            "report",
            "testdata/report/budget/orders.csv",
            "--config",
            config,
            "--budget",
            "1000000",
            "--format",
            "json",
        ])
        .args(extra)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn customer_budgets(report: &serde_json::Value) -> BTreeMap<String, String> {
    report["customers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["customer_id"].as_str().unwrap().to_string(),
                format!("{:.2}", c["budget"].as_f64().unwrap()),
            )
        })
        .collect()
}

#[test]
fn an_even_budget_gives_every_customer_the_same() {
    let even = report("testdata/report/budget/even.toml", &[]);
    let budgets = customer_budgets(&even);
    assert_eq!(budgets.len(), 100);
    assert!(budgets.values().all(|b| b == "10000.00"), "{budgets:?}");
    assert_eq!(even["tiers"][0]["budget"].as_f64(), Some(1_000_000.0));
}

#[test]
fn the_top_fifth_by_value_takes_the_budget_and_the_top_four_most_of_it() {
    let tiered = report(
        "testdata/report/budget/tiered.toml",
        &["--budget-split", "value"],
    );
    let budgets = customer_budgets(&tiered);
    for w in 1..=4 {
        assert_eq!(budgets[&format!("W{w}")], "208333.33");
    }
    // 16 × 1,041,666.67 cents: the 12 cents left over go to the first twelve.
    for m in 1..=16 {
        let want = if m <= 12 { "10416.67" } else { "10416.66" };
        assert_eq!(budgets[&format!("M{m:02}")], want, "M{m:02}");
    }
    assert!((1..=80).all(|s| budgets[&format!("S{s:02}")] == "0.00"));
    let cents: i64 = budgets
        .values()
        .map(|b| (b.parse::<f64>().unwrap() * 100.0).round() as i64)
        .sum();
    assert_eq!(cents, 100_000_000);
    let a = &tiered["tiers"][0];
    assert_eq!(a["id"], "A");
    assert_eq!(a["budget"].as_f64(), Some(1_000_000.0));
    // Profit 480,000 (half of 960,000) over a budget of 1,000,000.
    assert_eq!(a["roi"].as_f64(), Some(0.48));
    assert_eq!(a["margin"].as_f64(), Some(0.5));
    assert_eq!(tiered["tiers"][1]["roi"], serde_json::Value::Null);
    assert_eq!(tiered["totals"]["budget"].as_f64(), Some(1_000_000.0));
    // Equal within the tier: 50,000 each for the twenty.
    let equal = report("testdata/report/budget/tiered.toml", &[]);
    let budgets = customer_budgets(&equal);
    assert_eq!(budgets["W1"], "50000.00");
    assert_eq!(budgets["M16"], "50000.00");
}

#[test]
fn a_bad_budget_is_refused() {
    for (value, needle) in [("=-5", "not negative"), ("=lots", "--budget `lots`")] {
        let output = tiering()
            .args([
                "report",
                "testdata/report/budget/orders.csv",
                "--format",
                "json",
                &format!("--budget{value}"),
            ])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(needle), "{stderr}");
    }
    let output = tiering()
        .args([
            "report",
            "testdata/report/budget/orders.csv",
            "--budget-split",
            "value",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn a_playbook_without_effort_weights_splits_equally_and_says_so() {
    let dir = crate::support::temp_dir();
    let config = dir.path().join("zero.toml");
    std::fs::write(
        &config,
        "[score]\nscorer = \"pareto\"\n[playbook.pareto_a]\neffort = 0\n[playbook.pareto_b]\neffort = 0\n[playbook.pareto_c]\neffort = 0\n[playbook.no_purchase]\neffort = 0\n",
    )
    .unwrap();
    let zero = report(config.to_str().unwrap(), &[]);
    let codes: Vec<&str> = zero["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"budget_split_equally"), "{codes:?}");
    let parts: Vec<f64> = zero["tiers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["customers"].as_u64().unwrap() > 0)
        .map(|t| t["budget"].as_f64().unwrap())
        .collect();
    assert_eq!(parts, [333_333.34, 333_333.33, 333_333.33]);
}
