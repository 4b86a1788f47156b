//! `--scorer cluster`: k-means against scikit-learn (inertia within 1 %, adjusted Rand
//! index ≥ 0.9) on a well-separated generated file and on the example export; the same
//! output on 1, 2 and 7 threads; `--k auto`; names, fit report, report and sql.

use std::process::Command;

use crate::support::{
    parse_csv, python_modules_available, report_json, root, temp_dir, testdata, tiering,
};

/// Three groups far apart in recency, frequency and spend, 40 customers each: weekly
/// buyers of ~500 until the as-of date (ln orders ≈ 3.1, ln revenue ≈ 9.3), monthly
/// buyers of ~200 who stopped a year ago (2.4, 7.7), and one-off buyers of ~8 two years
/// ago (0.7, 2.2) — so B is above the purchasers' mean in frequency and spend.
fn separated_orders() -> String {
    let mut text = String::from("customer_id,order_id,order_date,amount\n");
    let day = chrono_free_date;
    for c in 0..40 {
        for w in 0..20 + c % 5 {
            let amount = 450 + (c * 7 + w * 13) % 100;
            text += &format!(
                "A{c:02},A{c:02}-{w},{},{amount}.00\n",
                day(-(w * 7 + c % 3))
            );
        }
        for m in 0..10 + c % 3 {
            let amount = 180 + (c * 3 + m * 5) % 40;
            text += &format!(
                "B{c:02},B{c:02}-{m},{},{amount}.00\n",
                day(-(365 + m * 30 + c % 7))
            );
        }
        let amount = 5 + c % 6;
        text += &format!("C{c:02},C{c:02}-0,{},{amount}.00\n", day(-(730 + c * 2)));
    }
    text
}

/// 2026-06-30 plus `offset` days, as YYYY-MM-DD (civil-from-days, Howard Hinnant).
fn chrono_free_date(offset: i64) -> String {
    let z = 20_634 + offset + 719_468; // 2026-06-30 is day 20,634 since 1970-01-01
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

fn cluster_scores(orders: &str, extra: &[&str], threads: &str) -> (String, serde_json::Value) {
    let dir = temp_dir();
    let fit = dir.path().join("fit.json");
    let output = tiering()
        .env("RAYON_NUM_THREADS", threads)
        .args(["score", orders, "--scorer", "cluster", "--fit-report"])
        .arg(&fit)
        .args(extra)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report = serde_json::from_slice(&std::fs::read(&fit).unwrap()).unwrap();
    (String::from_utf8(output.stdout).unwrap(), report)
}

fn sklearn(scores: &str, k: usize) -> serde_json::Value {
    let dir = temp_dir();
    let file = dir.path().join("scores.csv");
    std::fs::write(&file, scores).unwrap();
    let output = Command::new("python3")
        .current_dir(root())
        .arg("tests/crosscheck/cluster_sklearn.py")
        .arg(&file)
        .arg(k.to_string())
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn sklearn_available() -> bool {
    python_modules_available(
        "sklearn, numpy",
        "scikit-learn k-means cross-check",
        "pip install scikit-learn",
    )
}

fn agrees_with_sklearn(orders: &str, k: usize, extra: &[&str]) {
    let k_text = k.to_string();
    let mut args = vec!["--k", k_text.as_str()];
    args.extend_from_slice(extra);
    let (scores, report) = cluster_scores(orders, &args, "2");
    let theirs = sklearn(&scores, k);
    let ours = report["inertia"].as_f64().unwrap();
    let best = theirs["inertia"].as_f64().unwrap();
    assert_eq!(report["purchasers"], theirs["purchasers"]);
    assert!(
        (ours - best).abs() <= 0.01 * best,
        "{orders}: inertia {ours} against scikit-learn's {best}"
    );
    let ari = theirs["ari"].as_f64().unwrap();
    assert!(ari >= 0.9, "{orders}: adjusted Rand index {ari}");
}

#[test]
fn well_separated_groups_match_scikit_learn() {
    if !sklearn_available() {
        return;
    }
    let dir = temp_dir();
    let orders = dir.path().join("orders.csv");
    std::fs::write(&orders, separated_orders()).unwrap();
    let path = orders.to_str().unwrap();
    agrees_with_sklearn(path, 3, &["--as-of", "2026-06-30"]);
    // The three groups are found exactly, ranked by mean revenue and named by level.
    let (scores, _) = cluster_scores(path, &["--k", "3", "--as-of", "2026-06-30"], "2");
    let rows = parse_csv(&scores);
    for (prefix, cluster, name) in [
        ("A", "1", "recent · frequent · high spend"),
        ("B", "2", "lapsed · frequent · high spend"),
        ("C", "3", "lapsed · occasional · low spend"),
    ] {
        for c in 0..40 {
            let row = &rows[&format!("{prefix}{c:02}")];
            assert_eq!(row["cluster"], cluster, "{prefix}{c:02}");
            assert_eq!(row["tier"], name, "{prefix}{c:02}");
        }
    }
    // `auto` finds the three groups by silhouette.
    let (_, auto) = cluster_scores(path, &["--k", "auto", "--as-of", "2026-06-30"], "2");
    assert_eq!(auto["k"], 3, "{auto}");
    assert_eq!(auto["k_chosen_by"], "silhouette");
    assert_eq!(auto["candidates"].as_array().unwrap().len(), 9);
}

#[test]
fn the_example_export_matches_scikit_learn() {
    if !sklearn_available() {
        return;
    }
    for k in [3, 4] {
        agrees_with_sklearn("examples/orders.csv", k, &[]);
    }
}

#[test]
fn output_is_identical_on_one_two_and_seven_threads() {
    let one = cluster_scores("examples/orders.csv", &["--k", "5"], "1");
    for threads in ["2", "7"] {
        let other = cluster_scores("examples/orders.csv", &["--k", "5"], threads);
        assert_eq!(one.0, other.0, "{threads} threads");
        assert_eq!(one.1["inertia"], other.1["inertia"]);
    }
}

#[test]
fn the_fit_report_holds_features_centroids_and_names_can_be_set() {
    let dir = temp_dir();
    let config = dir.path().join("t.toml");
    std::fs::write(
        &config,
        "[cluster]\nk = 2\nnames = [\"Core\", \"Tail\"]\nfeatures = [{ metric = \"revenue\" }, { metric = \"orders\", transform = \"none\" }]\n",
    )
    .unwrap();
    let (scores, report) = cluster_scores(
        "examples/orders.csv",
        &["--config", config.to_str().unwrap()],
        "2",
    );
    assert_eq!(report["k"], 2);
    let features = report["features"].as_array().unwrap();
    assert_eq!(features[0]["metric"], "revenue");
    assert_eq!(features[1]["transform"], "none");
    // z-scored over purchasers: the size-weighted mean of the centroids is 0.
    let clusters = report["clusters"].as_array().unwrap();
    for f in 0..2 {
        let weighted: f64 = clusters
            .iter()
            .map(|c| c["share"].as_f64().unwrap() * c["centroid_z"][f].as_f64().unwrap())
            .sum();
        assert!(weighted.abs() < 1e-9, "{weighted}");
    }
    let rows = parse_csv(&scores);
    let names: std::collections::BTreeSet<&str> =
        rows.values().map(|r| r["tier"].as_str()).collect();
    assert!(
        names.contains("Core") && names.contains("Tail"),
        "{names:?}"
    );
    // Customers in the Core cluster have more revenue on average than the Tail.
    let mean = |name: &str| {
        let v: Vec<f64> = rows
            .values()
            .filter(|r| r["tier"] == name)
            .map(|r| r["revenue"].parse::<f64>().unwrap())
            .collect();
        v.iter().sum::<f64>() / v.len() as f64
    };
    assert!(mean("Core") > mean("Tail"));
}

#[test]
fn bad_cluster_settings_and_features_are_refused() {
    let refused = |args: &[&str], code: i32, needle: &str| {
        let output = tiering()
            .args(["score", "examples/orders.csv", "--scorer", "cluster"])
            .args(args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(code), "{stderr}");
        assert!(stderr.contains(needle), "missing `{needle}` in: {stderr}");
    };
    refused(
        &["--k", "1"],
        2,
        "k must be a number of clusters from 2 to 50",
    );
    refused(&["--k", "many"], 2, "not `many`");
    let dir = temp_dir();
    let config = dir.path().join("t.toml");
    std::fs::write(&config, "[cluster]\nfeatures = [{ metric = \"speed\" }]\n").unwrap();
    refused(
        &["--config", config.to_str().unwrap()],
        2,
        "feature `speed` is neither a metric nor a customer-export column",
    );
    std::fs::write(&config, "[cluster]\nfeatures = []\n").unwrap();
    refused(
        &["--config", config.to_str().unwrap()],
        2,
        "features is empty",
    );
    // More clusters than purchasers.
    let tiny = dir.path().join("tiny.csv");
    std::fs::write(
        &tiny,
        "customer_id,order_date,amount\nA,2026-01-01,5\nB,2026-01-02,6\n",
    )
    .unwrap();
    let output = tiering()
        .args([
            "score",
            tiny.to_str().unwrap(),
            "--scorer",
            "cluster",
            "--k",
            "3",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("k = 3 clusters, but only 2 purchasers"),
        "{stderr}"
    );
}

#[test]
fn customer_export_columns_can_be_features_and_must_be_numbers() {
    let dir = temp_dir();
    let config = dir.path().join("t.toml");
    std::fs::write(
        &config,
        "[cluster]\nk = 2\nfeatures = [{ metric = \"revenue\" }, { metric = \"employees\" }]\n",
    )
    .unwrap();
    let export = dir.path().join("customers.csv");
    std::fs::write(
        &export,
        "customer_id,employees\nH1,10\nH2,1200\nH3,45\nH4,3000\nH5,7\n",
    )
    .unwrap();
    let run = || {
        tiering()
            .args([
                "score",
                &testdata("health.csv"),
                "--scorer",
                "cluster",
                "--config",
            ])
            .arg(&config)
            .arg("--customers")
            .arg(&export)
            .output()
            .unwrap()
    };
    let output = run();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let rows = parse_csv(&String::from_utf8_lossy(&output.stdout));
    assert_eq!(rows["H5"]["tier_id"], "no_purchase");
    assert!(!rows["H1"]["cluster"].is_empty());
    std::fs::write(
        &export,
        "customer_id,employees\nH1,10\nH2,many\nH3,45\nH4,3000\n",
    )
    .unwrap();
    let output = run();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_ne!(output.status.code(), Some(0), "{stderr}");
    for needle in ["customers.csv", "line 3", "employees", "many"] {
        assert!(stderr.contains(needle), "missing `{needle}` in: {stderr}");
    }
    // A blank cell for a purchaser cannot be clustered.
    std::fs::write(
        &export,
        "customer_id,employees\nH1,10\nH2,\nH3,45\nH4,3000\n",
    )
    .unwrap();
    let output = run();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("feature `employees` has no value for customer `H2`"),
        "{stderr}"
    );
}

#[test]
fn the_cluster_scorer_works_in_reports_and_sql_refuses_it() {
    let dir = temp_dir();
    let file = dir.path().join("scores.csv");
    let made = tiering()
        .args(["score", "examples/orders.csv", "--scorer", "cluster", "-o"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(made.status.success());
    let report = report_json;
    let direct = report(&["examples/orders.csv", "--scorer", "cluster"]);
    let again = report(&["--scores", file.to_str().unwrap()]);
    assert_eq!(again["scorer"], "cluster");
    assert_eq!(again["tiers"], direct["tiers"]);
    let customers: u64 = direct["tiers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["customers"].as_u64().unwrap())
        .sum();
    assert_eq!(customers, 321);
    // Under --k auto the file does not say k: the report takes the clusters formed, not
    // ten rows of which the last are empty.
    let auto = dir.path().join("auto.csv");
    let made = tiering()
        .args([
            "score",
            "examples/orders.csv",
            "--scorer",
            "cluster",
            "--k",
            "auto",
            "-o",
        ])
        .arg(&auto)
        .output()
        .unwrap();
    assert!(made.status.success());
    let direct = report(&["examples/orders.csv", "--scorer", "cluster", "--k", "auto"]);
    let again = report(&["--scores", auto.to_str().unwrap(), "--k", "auto"]);
    assert_eq!(again["tiers"], direct["tiers"]);
    let formed = direct["tiers"].as_array().unwrap().len();
    assert!((3..=11).contains(&formed), "{formed} tiers");
    assert!(
        direct["tiers"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["id"] != "no_purchase")
            .all(|t| t["customers"].as_u64().unwrap() > 0),
        "{}",
        direct["tiers"]
    );
    let sql = tiering()
        .args([
            "sql",
            "--dialect",
            "duckdb",
            "--source",
            "examples/orders.csv",
            "--scorer",
            "cluster",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&sql.stderr);
    assert_eq!(sql.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("k-means"), "{stderr}");
}

#[test]
fn identical_customers_form_fewer_clusters_with_a_warning_and_names_beyond_k_are_refused() {
    let dir = temp_dir();
    let orders = dir.path().join("same.csv");
    let mut text = String::from("customer_id,order_date,amount\n");
    for c in 0..6 {
        text += &format!("C{c},2026-06-30,10.00\n");
    }
    std::fs::write(&orders, text).unwrap();
    let output = tiering()
        .args([
            "score",
            orders.to_str().unwrap(),
            "--scorer",
            "cluster",
            "--k",
            "3",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("only 1 of the 3 clusters asked for have members"),
        "{stderr}"
    );
    let rows = parse_csv(&String::from_utf8_lossy(&output.stdout));
    // Ties fall to the favourable side: bought today, as often and as much as anyone.
    assert_eq!(rows["C0"]["tier"], "recent · frequent · high spend");
    let config = dir.path().join("t.toml");
    std::fs::write(&config, "[cluster]\nk = 2\nnames = [\"a\", \"b\", \"c\"]\n").unwrap();
    let output = tiering()
        .args([
            "score",
            "examples/orders.csv",
            "--scorer",
            "cluster",
            "--config",
        ])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("names lists 3 names for k = 2"));
}

/// k-means groups are numbered by rank within each fit: an earlier run that formed other
/// clusters is not compared (its cluster_2 is another group), instead of reporting moves.
#[test]
fn migration_between_fits_that_formed_other_clusters_is_refused() {
    let dir = temp_dir();
    let previous = dir.path().join("k2.csv");
    let made = tiering()
        .args([
            "score",
            "examples/orders.csv",
            "--scorer",
            "cluster",
            "--k",
            "2",
            "-o",
        ])
        .arg(&previous)
        .output()
        .unwrap();
    assert!(made.status.success());
    let output = tiering()
        .args([
            "report",
            "examples/orders.csv",
            "--scorer",
            "cluster",
            "--k",
            "3",
            "--previous",
        ])
        .arg(&previous)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(
            "have the groups cluster_1, cluster_2; this run formed cluster_1, cluster_2, cluster_3"
        ),
        "{stderr}"
    );
    // The same k compares.
    let same = tiering()
        .args([
            "report",
            "examples/orders.csv",
            "--scorer",
            "cluster",
            "--k",
            "2",
            "--previous",
        ])
        .arg(&previous)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(
        same.status.success(),
        "{}",
        String::from_utf8_lossy(&same.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&same.stdout).unwrap();
    assert_eq!(
        report["migration"]["status"], "available",
        "{}",
        report["migration"]
    );
}
