//! `--scorer clv` and `tiering backtest` on the CDNOW 1/10 sample (Fader, Hardie & Lee
//! 2005): the published parameters, hand-computed formula values, the backtest, and
//! the independent `lifetimes` implementation (tests/crosscheck/clv_lifetimes.py).

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use crate::support::{
    Row, parse_csv, python_modules_available, root, score, temp_dir, testdata, tiering,
};

const CDNOW: &str = "testdata/cdnow/cdnow_sample.csv";
const CALIBRATION_END: &str = "1997-09-30";
const HOLDOUT_END: &str = "1998-06-30";

/// The published parameters, fixed in a config, with a 39-week horizon and no discount.
const PUBLISHED: &str = r#"
[clv]
horizon = "39w"
discount_rate = 0.0
bgnbd = { r = 0.243, alpha = 4.414, a = 0.793, b = 2.426 }
gamma_gamma = { p = 6.25, q = 3.74, gamma = 15.44 }
"#;

fn fit_report(extra: &[&str]) -> (serde_json::Value, String) {
    let dir = temp_dir();
    let report = dir.path().join("fit.json");
    let mut args = vec![
        "score",
        CDNOW,
        "--scorer",
        "clv",
        "--as-of",
        CALIBRATION_END,
        "--format",
        "csv",
        "--fit-report",
        report.to_str().unwrap(),
    ];
    args.extend(extra);
    let output = tiering().args(&args).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{stderr}");
    let json = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    (json, stderr)
}

fn number(json: &serde_json::Value, path: &[&str]) -> f64 {
    let mut value = json;
    for key in path {
        value = &value[*key];
    }
    value
        .as_f64()
        .unwrap_or_else(|| panic!("{path:?} in {json}"))
}

fn round(value: f64, digits: i32) -> f64 {
    let scale = 10f64.powi(digits);
    (value * scale).round() / scale
}

#[test]
fn cdnow_fit_gives_the_published_parameters() {
    let (json, stderr) = fit_report(&[]);
    // Fader, Hardie & Lee (2005): r = 0.243, α = 4.414, a = 0.793, b = 2.426, LL = −9582.4.
    let bg = |k: &str| number(&json, &["bgnbd", k]);
    assert_eq!(
        [bg("r"), bg("alpha"), bg("a"), bg("b")].map(|v| round(v, 3)),
        [0.243, 4.414, 0.793, 2.426]
    );
    let ll = number(&json, &["bgnbd_fit", "log_likelihood"]);
    assert!((ll - -9582.4).abs() <= 0.05, "log-likelihood {ll}");
    assert_eq!(number(&json, &["bgnbd_fit", "customers"]), 2357.0);
    assert_eq!(number(&json, &["bgnbd_fit", "repeat_buyers"]), 946.0);
    for key in ["r", "alpha", "a", "b"] {
        let se = number(&json, &["bgnbd_fit", "standard_errors", key]);
        assert!(se > 0.0 && se < bg(key), "{key}: {se}");
    }
    // Gamma-Gamma on the 946 repeat buyers: p = 6.25, q = 3.74, γ = 15.44.
    let gg = |k: &str| number(&json, &["gamma_gamma", k]);
    assert_eq!(
        [gg("p"), gg("q"), gg("gamma")].map(|v| round(v, 2)),
        [6.25, 3.74, 15.44]
    );
    assert_eq!(number(&json, &["gamma_gamma_fit", "customers"]), 946.0);
    let correlation = number(&json, &["gamma_gamma_fit", "frequency_spend_correlation"]);
    assert!((correlation - 0.11).abs() < 0.01, "{correlation}");
    assert!(
        stderr.contains("BG/NBD fit (weeks): r = 0.2426"),
        "{stderr}"
    );
    assert!(stderr.contains("Gamma-Gamma fit: p = 6.2"), "{stderr}");
}

#[test]
fn the_fit_does_not_depend_on_the_time_unit() {
    let (weeks, _) = fit_report(&[]);
    let (days, _) = fit_report(&["--time-unit", "days"]);
    let relative = |a: f64, b: f64| ((a - b) / b).abs();
    for key in ["r", "a", "b"] {
        let (d, w) = (
            number(&days, &["bgnbd", key]),
            number(&weeks, &["bgnbd", key]),
        );
        assert!(relative(d, w) < 1e-3, "{key}: {d} vs {w}");
    }
    // α is a time scale: seven times larger in days.
    let (d, w) = (
        number(&days, &["bgnbd", "alpha"]),
        number(&weeks, &["bgnbd", "alpha"]),
    );
    assert!(relative(d / 7.0, w) < 1e-3, "alpha {d} vs {w}");
}

fn published_rows() -> BTreeMap<String, Row> {
    let dir = temp_dir();
    let config = dir.path().join("tiering.toml");
    std::fs::write(&config, PUBLISHED).unwrap();
    score(&[
        CDNOW,
        "--scorer",
        "clv",
        "--as-of",
        CALIBRATION_END,
        "--config",
        config.to_str().unwrap(),
    ])
}

/// ₂F₁ by its defining power series (converges for |z| < 1).
fn hyp2f1(a: f64, b: f64, c: f64, z: f64) -> f64 {
    let (mut term, mut sum) = (1.0, 1.0);
    for k in 0..100_000 {
        let k = f64::from(k);
        term *= (a + k) * (b + k) / ((c + k) * (k + 1.0)) * z;
        sum += term;
        if term.abs() < 1e-17 * sum.abs() {
            break;
        }
    }
    sum
}

#[test]
fn formula_values_at_the_published_parameters_by_hand() {
    let rows = published_rows();
    let (r, alpha, a, b) = (0.243f64, 4.414f64, 0.793f64, 2.426f64);
    let (p, q, gamma) = (6.25f64, 3.74f64, 15.44f64);
    // CDNOW customer 1: purchases on 1997-01-01, 01-18 and 08-02 (29.33, 29.73, 14.96).
    let (x, t_x, age) = (2.0f64, 213.0 / 7.0, 272.0 / 7.0);
    let row = &rows["1"];
    assert_eq!(row["frequency"], "2");
    assert!((row["recency_t"].parse::<f64>().unwrap() - t_x).abs() < 1e-12);
    assert!((row["age_t"].parse::<f64>().unwrap() - age).abs() < 1e-12);
    assert_eq!(row["monetary_value"], "22.35"); // (29.73 + 14.96) / 2 = 22.345 -> half up
    // Eq. 11: P(alive) = 1 / (1 + a/(b+x−1) · ((α+T)/(α+t_x))^(r+x)).
    let odds = a / (b + x - 1.0) * ((alpha + age) / (alpha + t_x)).powf(r + x);
    let p_alive = 1.0 / (1.0 + odds);
    let got: f64 = row["p_alive"].parse().unwrap();
    assert!((got - p_alive).abs() < 1e-12, "{got} vs {p_alive}");
    // Eq. 10, with t = 39 weeks.
    let t = 39.0;
    let z = t / (alpha + age + t);
    let bracket = 1.0
        - ((alpha + age) / (alpha + age + t)).powf(r + x)
            * hyp2f1(r + x, b + x, a + b + x - 1.0, z);
    let expected = (a + b + x - 1.0) / (a - 1.0) * bracket / (1.0 + odds);
    let got: f64 = row["expected_purchases"].parse().unwrap();
    assert!((got - expected).abs() < 1e-9, "{got} vs {expected}");
    // Gamma-Gamma: E[M] = (γ + x·m)·p / (p·x + q − 1), with m = 22.345 exactly.
    let spend = (gamma + x * 22.345) * p / (p * x + q - 1.0);
    assert_eq!(row["expected_spend"], format!("{spend:.2}"));
    // No discount: CLV = spend × expected purchases, to the cent.
    let clv: f64 = row["clv"].parse().unwrap();
    assert!((clv - spend * expected).abs() <= 0.005 + 1e-9, "{clv}");
    // A one-time buyer is alive by the model's assumption and gets the mean spend.
    let once = &rows["10"];
    assert_eq!(
        [
            &once["frequency"],
            &once["p_alive"],
            &once["monetary_value"]
        ],
        ["0", "1", ""]
    );
    assert_eq!(
        once["expected_spend"],
        format!("{:.2}", p * gamma / (q - 1.0))
    );
}

#[test]
fn tiers_cut_purchasers_by_clv_and_flag_unlikely_survivors() {
    let rows = published_rows();
    let n = rows.len();
    assert_eq!(n, 2357);
    let clv = |row: &Row| row["clv"].parse::<f64>().unwrap();
    let mut by_tier: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for row in rows.values() {
        by_tier
            .entry(row["tier_id"].as_str())
            .or_default()
            .push(clv(row));
        let alive: f64 = row["p_alive"].parse().unwrap();
        assert_eq!(row["churn_warning"], (alive < 0.5).to_string());
    }
    let (high, medium, low) = (
        &by_tier["clv_high"],
        &by_tier["clv_medium"],
        &by_tier["clv_low"],
    );
    let min = |v: &Vec<f64>| v.iter().copied().fold(f64::INFINITY, f64::min);
    let max = |v: &Vec<f64>| v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    assert!(min(high) > max(medium) && min(medium) > max(low));
    // Top 20 % = the first ceil(0.2 · 2357) = 472 positions (ties with the 472nd join them).
    let mut sorted: Vec<f64> = rows.values().map(clv).collect();
    sorted.sort_by(|a, b| b.total_cmp(a));
    let expected_high = sorted.iter().filter(|v| **v >= sorted[471]).count();
    let expected_medium = sorted.iter().filter(|v| **v >= sorted[1178]).count() - expected_high;
    assert_eq!((high.len(), medium.len()), (expected_high, expected_medium));
}

#[test]
fn backtest_on_cdnow_sets_predicted_against_actual_purchases() {
    let output = tiering()
        .args([
            "backtest",
            CDNOW,
            "--calibration-end",
            CALIBRATION_END,
            "--format",
            "csv",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{stderr}");
    let rows = parse_csv(&String::from_utf8(output.stdout).unwrap());
    assert_eq!(rows.len(), 2357);
    // Actual: distinct (customer, day) purchases after the calibration end, counted here
    // from the file itself.
    let text = std::fs::read_to_string(root().join(CDNOW)).unwrap();
    let mut first_bought: BTreeMap<&str, &str> = BTreeMap::new();
    let mut later: BTreeSet<(&str, &str)> = BTreeSet::new();
    for line in text.lines().skip(1) {
        let fields: Vec<&str> = line.split(',').collect();
        let (id, day) = (fields[0], fields[1]);
        let first = first_bought.entry(id).or_insert(day);
        *first = (*first).min(day);
        if day > CALIBRATION_END && day <= HOLDOUT_END {
            later.insert((id, day));
        }
    }
    let actual: i64 = rows
        .values()
        .map(|r| r["actual_purchases"].parse::<i64>().unwrap())
        .sum();
    assert_eq!(actual as usize, later.len());
    assert_eq!(actual, 1882);
    // Predicted: Σ E[Y(39 weeks)] at the fitted parameters; lifetimes gives 1653.409
    // (tests/crosscheck/clv_lifetimes.py fit).
    let predicted: f64 = rows
        .values()
        .map(|r| r["predicted_purchases"].parse::<f64>().unwrap())
        .sum();
    assert!((predicted - 1653.409).abs() < 0.01, "{predicted}");
    assert!(
        stderr.contains("predicted 1653.4 purchases, actual 1882 (-12.1%)"),
        "{stderr}"
    );

    let table = tiering()
        .args([
            "backtest",
            CDNOW,
            "--calibration-end",
            CALIBRATION_END,
            "--format",
            "table",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(table.stdout).unwrap();
    for needle in ["frequency", "7+", "total", "1882", "1653.409"] {
        assert!(text.contains(needle), "{needle} missing from\n{text}");
    }
}

fn lifetimes_available() -> bool {
    python_modules_available(
        "lifetimes, scipy",
        "lifetimes cross-check",
        "pip install lifetimes",
    )
}

fn lifetimes(args: &[&str]) -> serde_json::Value {
    let output = Command::new("python3")
        .current_dir(root())
        .arg("tests/crosscheck/clv_lifetimes.py")
        .args(args)
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn cdnow_agrees_with_the_lifetimes_package() {
    if !lifetimes_available() {
        return;
    }
    let theirs = lifetimes(&["fit", CDNOW, CALIBRATION_END, HOLDOUT_END]);
    let (ours, _) = fit_report(&[]);
    let ll = number(&ours, &["bgnbd_fit", "log_likelihood"]);
    let their_ll = number(&theirs, &["log_likelihood"]);
    assert!((ll - their_ll).abs() <= 0.01, "{ll} vs {their_ll}");
    for (key, their_key) in [("r", "r"), ("alpha", "alpha"), ("a", "a"), ("b", "b")] {
        let (a, b) = (
            number(&ours, &["bgnbd", key]),
            number(&theirs, &[their_key]),
        );
        assert!(((a - b) / b).abs() < 1e-3, "{key}: {a} vs {b}");
    }
    for (key, their_key) in [("p", "p"), ("q", "q"), ("gamma", "gamma")] {
        let (a, b) = (
            number(&ours, &["gamma_gamma", key]),
            number(&theirs, &[their_key]),
        );
        assert!(((a - b) / b).abs() < 1e-3, "{key}: {a} vs {b}");
    }
    assert_eq!(number(&theirs, &["holdout_actual"]), 1882.0);
    assert!((number(&theirs, &["holdout_predicted"]) - 1653.409).abs() < 0.01);

    // Per customer at the published parameters.
    let dir = temp_dir();
    let config = dir.path().join("tiering.toml");
    std::fs::write(&config, PUBLISHED).unwrap();
    let out = dir.path().join("clv.csv");
    let status = tiering()
        .args([
            "score",
            CDNOW,
            "--scorer",
            "clv",
            "--as-of",
            CALIBRATION_END,
        ])
        .args([
            "--config",
            config.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(status.status.success());
    let diff = lifetimes(&[
        "formulas",
        out.to_str().unwrap(),
        CDNOW,
        CALIBRATION_END,
        "39",
        "0.243",
        "4.414",
        "0.793",
        "2.426",
        "6.25",
        "3.74",
        "15.44",
    ]);
    assert_eq!(number(&diff, &["customers"]), 2357.0);
    assert!(number(&diff, &["summary"]) < 1e-9, "{diff}");
    assert!(number(&diff, &["p_alive"]) < 1e-6, "{diff}");
    assert!(number(&diff, &["expected_purchases"]) < 1e-6, "{diff}");
    // tiering rounds spend to the cent.
    assert!(number(&diff, &["expected_spend"]) <= 0.005 + 1e-9, "{diff}");
}

fn write_orders(dir: &tempfile::TempDir, lines: &[String]) -> String {
    let path = dir.path().join("orders.csv");
    let mut text = String::from("customer_id,order_date,amount\n");
    for line in lines {
        text.push_str(line);
        text.push('\n');
    }
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

fn run_clv(args: &[&str]) -> (Option<i32>, String, String) {
    let output = tiering()
        .args(["score", "--scorer", "clv", "--format", "csv"])
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    (
        output.status.code(),
        String::from_utf8(output.stdout).unwrap(),
        stderr,
    )
}

#[test]
fn too_few_repeat_buyers_is_a_clear_data_error() {
    let (code, stdout, stderr) = run_clv(&[&testdata("returns.csv")]);
    assert_eq!(code, Some(3), "{stderr}");
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("the BG/NBD model cannot be fitted")
            && stderr.contains("at least 10 are needed")
            && stderr.contains("hint:"),
        "{stderr}"
    );
    let dir = temp_dir();
    let single = write_orders(
        &dir,
        &["c1,2026-01-05,10.00".into(), "c1,2026-02-05,12.00".into()],
    );
    let (code, _, stderr) = run_clv(&[&single]);
    assert_eq!(code, Some(3), "{stderr}");
    assert!(
        stderr.contains("1 of 1 customers bought on more than one day"),
        "{stderr}"
    );
}

#[test]
fn identical_customers_and_huge_frequencies_stay_finite() {
    let dir = temp_dir();
    // Forty customers with exactly the same history: purchase timing still fits, but
    // spend has no variance, so the spend model has no optimum: advice, not NaN.
    let mut same = Vec::new();
    for c in 0..40 {
        for day in ["2026-01-05", "2026-03-05", "2026-05-05"] {
            same.push(format!("c{c:02},{day},25.00"));
        }
    }
    let path = write_orders(&dir, &same);
    let (code, stdout, stderr) = run_clv(&[&path, "--as-of", "2026-06-30"]);
    assert_eq!(code, Some(3), "{stderr}");
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("the Gamma-Gamma fit did not converge")
            && stderr.contains("fix `gamma_gamma` in [clv]"),
        "{stderr}"
    );
    // A varied population plus one customer buying every day for three years.
    let mut lines = Vec::new();
    // Spend varies within each customer too: with constant spends per customer the
    // Gamma-Gamma likelihood has no maximum (a clear error, tested above).
    for c in 0..60 {
        for k in 0..(c % 7 + 1) {
            let day = 1 + (c * 7 + k * 37) % 360;
            // Between half and one and a half times the customer's usual basket.
            let cents = (10 + c) * (50 + (k * 37 + c) % 100);
            lines.push(format!(
                "v{c:02},{},{}.{:02}",
                date(2024, day),
                cents / 100,
                cents % 100
            ));
        }
    }
    for day in 0..1095 {
        lines.push(format!("heavy,{},{}.50", date(2024, day + 1), 3 + day % 5));
    }
    let path = write_orders(&dir, &lines);
    let (code, stdout, stderr) = run_clv(&[&path]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stderr.contains("edge of the parameter space"), "{stderr}");
    let rows = parse_csv(&stdout);
    let heavy = &rows["heavy"];
    assert_eq!(heavy["frequency"], "1094");
    for column in ["p_alive", "expected_purchases", "expected_spend", "clv"] {
        let value: f64 = heavy[column].parse().unwrap();
        assert!(value.is_finite() && value > 0.0, "{column} = {value}");
    }
    for row in rows.values() {
        assert!(!row.values().any(|v| v == "NaN" || v == "inf"), "{row:?}");
    }
}

/// Day `n` (1-based) of `year`, as YYYY-MM-DD.
fn date(year: i32, n: u32) -> String {
    let first = chrono::NaiveDate::from_ymd_opt(year, 1, 1).unwrap();
    (first + chrono::Days::new(u64::from(n) - 1)).to_string()
}

#[test]
fn clv_options_are_checked_before_reading() {
    let cases: [(&[&str], &str); 4] = [
        (
            &["score", CDNOW, "--fit-report", "x.json"],
            "--fit-report: the rfm scorer fits no model",
        ),
        (
            &["score", CDNOW, "--scorer", "clv", "--horizon", "3m"],
            "is not a horizon",
        ),
        (
            &[
                "score",
                CDNOW,
                "--scorer",
                "clv",
                "--churn-threshold",
                "1.5",
            ],
            "is not a probability",
        ),
        (
            &["backtest", CDNOW, "--calibration-end", "1998-07-01"],
            "is not before the end of the data 1998-06-30",
        ),
    ];
    for (args, message) in cases {
        let output = tiering().args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
}

#[test]
fn a_degenerate_fit_is_refused_with_its_parameters_named() {
    // lifetimes does not converge on these summaries either (testdata/README.md).
    let output = tiering()
        .args(["score", "testdata/clv_degenerate.csv", "--scorer", "clv"])
        .args(["--as-of", "2026-01-01", "--horizon", "1d"])
        .output()
        .unwrap();
    crate::support::assert_fails(
        &output,
        3,
        &["gives no finite forecast", "a = ", "b = ", "--scorer rfm"],
    );
}
