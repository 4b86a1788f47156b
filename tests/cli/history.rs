//! `report --history`: a weekly cron run over four weeks (testdata/report/history/,
//! hand-worked in testdata/README.md) gives tier KPIs per period; DuckDB recomputes
//! retention and churn from the tier files independently.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use crate::support::{
    chromium, libreoffice_sheets, program_available, python_modules_available, root, temp_dir,
    tiering,
};

const WEEKS: [&str; 4] = ["2026-01-04", "2026-01-11", "2026-01-18", "2026-01-25"];

/// The cron job: one report per week into `dir`.
fn weekly_reports(dir: &Path) {
    for week in WEEKS {
        let output = tiering()
            .args([
                "report",
                "testdata/report/history/orders.csv",
                "--config",
                "testdata/report/history/tiering.toml",
                "--as-of",
                week,
                "--format",
                "json,md,xlsx,html",
                "--output-dir",
            ])
            .arg(dir)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{week}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// A cron run of another scorer (rfm) as of `as_of` into `dir`.
fn rfm_run_into(dir: &Path, as_of: &str) {
    let output = tiering()
        .args([
            "report",
            "testdata/report/history/orders.csv",
            "--scorer",
            "rfm",
        ])
        .args(["--as-of", as_of, "--format", "json", "--output-dir"])
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// `tier: members base retained churned upgraded downgraded revenue growth%` per period.
fn kpi_rows(report: &serde_json::Value) -> BTreeMap<String, String> {
    let mut rows = BTreeMap::new();
    for period in report["history"].as_array().unwrap() {
        let as_of = period["as_of"].as_str().unwrap();
        for t in period["tiers"]
            .as_array()
            .unwrap()
            .iter()
            .chain(std::iter::once(&period["total"]))
        {
            let number = |k: &str| match &t[k] {
                serde_json::Value::Null => "-".to_string(),
                v => v.to_string(),
            };
            let growth = match t["revenue_growth"].as_f64() {
                Some(g) => format!("{:.1}%", g * 100.0),
                None => "-".into(),
            };
            rows.insert(
                format!("{as_of} {}", t["id"].as_str().unwrap()),
                [
                    number("members"),
                    number("base"),
                    number("retained"),
                    number("churned"),
                    number("upgraded"),
                    number("downgraded"),
                    t["revenue"]
                        .as_f64()
                        .map_or("-".into(), |r| format!("{r:.2}")),
                    growth,
                ]
                .join(" "),
            );
        }
    }
    rows
}

#[test]
fn four_weekly_runs_give_the_hand_worked_history() {
    let dir = temp_dir();
    weekly_reports(dir.path());
    let first = json(&dir.path().join("report-2026-01-04.json"));
    assert_eq!(first["history"][0]["since"], serde_json::Value::Null);
    let markdown = std::fs::read_to_string(dir.path().join("report-2026-01-04.md")).unwrap();
    assert!(
        markdown.contains("the trends start with the next run"),
        "{markdown}"
    );

    let last = json(&dir.path().join("report-2026-01-25.json"));
    let expected = [
        ("2026-01-11 active_big", "2 1 0 0 0 1 200.00 -"),
        ("2026-01-11 active", "0 2 1 0 1 1 0.00 -"),
        ("2026-01-11 quiet", "2 0 0 0 0 0 0.00 -"),
        ("2026-01-11 lapsed", "1 1 0 1 0 0 0.00 -"),
        ("2026-01-11 total", "5 4 1 1 1 2 200.00 -"),
        ("2026-01-18 active_big", "1 2 1 0 0 1 50.00 -75.0%"),
        ("2026-01-18 active", "2 0 0 0 0 0 70.00 -"),
        ("2026-01-18 quiet", "1 2 1 1 1 1 0.00 -"),
        ("2026-01-18 lapsed", "1 1 1 0 1 0 0.00 -"),
        ("2026-01-18 total", "5 5 3 1 2 2 120.00 -40.0%"),
        ("2026-01-25 active_big", "2 1 1 0 0 0 70.00 40.0%"),
        ("2026-01-25 active", "0 2 0 0 0 2 0.00 -100.0%"),
        ("2026-01-25 quiet", "2 1 1 0 1 0 0.00 -"),
        ("2026-01-25 lapsed", "1 1 0 1 0 0 0.00 -"),
        ("2026-01-25 total", "5 5 2 1 1 2 70.00 -41.7%"),
    ];
    let rows = kpi_rows(&last);
    assert_eq!(rows.len(), expected.len(), "{rows:#?}");
    for (key, want) in expected {
        assert_eq!(rows.get(key).map(String::as_str), Some(want), "{key}");
    }
    // Rates are the counts' fractions.
    let p = &last["history"][1]["tiers"][2];
    assert_eq!(p["id"], "quiet");
    assert_eq!(p["retention_rate"], 0.5);
    assert_eq!(p["churn_rate"], 0.5);
    // The latest period is this run: members per tier equal the summary's customers.
    let latest = last["history"].as_array().unwrap().last().unwrap();
    assert_eq!(latest["as_of"], "2026-01-25");
    for tier in last["tiers"].as_array().unwrap() {
        let members = latest["tiers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["id"] == tier["id"])
            .map_or(0, |t| t["members"].as_u64().unwrap());
        assert_eq!(
            members,
            tier["customers"].as_u64().unwrap(),
            "{}",
            tier["id"]
        );
    }
    // The period revenues add up to the revenue bought in the three weeks.
    let bought: f64 = last["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["total"]["revenue"].as_f64().unwrap())
        .sum();
    assert_eq!(bought, 390.0);
    let markdown = std::fs::read_to_string(dir.path().join("report-2026-01-25.md")).unwrap();
    assert!(markdown.contains("## History"));
    assert!(
        markdown.contains(
            "| 2026-01-25 | Total | 5 | 5 | 40.0% | 20.0% | 20.0% | 40.0% | 70.00 | -41.7% |"
        ),
        "{markdown}"
    );
}

#[test]
fn periods_limits_the_history_and_other_runs_are_skipped() {
    let dir = temp_dir();
    weekly_reports(dir.path());
    // A tier file of another scorer in the directory is skipped with a note.
    rfm_run_into(dir.path(), "2026-01-20");
    let output = tiering()
        .args([
            "report",
            "testdata/report/history/orders.csv",
            "--config",
            "testdata/report/history/tiering.toml",
            "--as-of",
            "2026-01-25",
            "--format",
            "json",
            "--periods",
            "2",
            "--history",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("skipped `") && stderr.contains("tiers-2026-01-20.parquet"),
        "{stderr}"
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let periods: Vec<&str> = report["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["as_of"].as_str().unwrap())
        .collect();
    assert_eq!(periods, ["2026-01-18", "2026-01-25"]);
    // Without a directory, --periods is refused; a missing directory too.
    let refused = |args: &[&str]| {
        let output = tiering()
            .args([
                "report",
                "testdata/report/history/orders.csv",
                "--format",
                "json",
            ])
            .args(args)
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(2),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stderr).to_string()
    };
    assert!(refused(&["--periods", "3"]).contains("--periods needs --history"));
    assert!(refused(&["--history", "no/such/dir"]).contains("no such directory"));
}

#[test]
fn duckdb_recomputes_retention_and_churn_from_the_tier_files() {
    if !python_modules_available("duckdb", "DuckDB history cross-check", "pip install duckdb") {
        return;
    }
    let dir = temp_dir();
    weekly_reports(dir.path());
    let output = Command::new("python3")
        .current_dir(root())
        .arg("tests/crosscheck/history_duckdb.py")
        .arg(dir.path())
        .arg("lapsed")
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let theirs = String::from_utf8(output.stdout).unwrap();
    let report = json(&dir.path().join("report-2026-01-25.json"));
    let mut compared = 0;
    for line in theirs.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        let period = report["history"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["as_of"] == cells[0])
            .unwrap();
        let tier = period["tiers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["id"] == cells[1])
            .unwrap();
        for (k, key) in ["base", "retained", "churned"].iter().enumerate() {
            assert_eq!(tier[key].to_string(), cells[2 + k], "{line} {key}");
        }
        compared += 1;
    }
    assert_eq!(compared, 10);
}

#[test]
fn the_history_and_the_new_scorers_get_their_charts() {
    let dir = temp_dir();
    weekly_reports(dir.path());
    let html = std::fs::read_to_string(dir.path().join("report-2026-01-25.html")).unwrap();
    let history = &html[html.find("<section id=\"history\">").unwrap()..];
    let history = &history[..history.find("</section>").unwrap()];
    // Retention, churn, upgrades and downgrades, one line chart each, dated periods.
    assert_eq!(history.matches("<svg").count(), 4, "{history}");
    assert!(history.contains("2026-01-18"));
    for (scorer, title) in [
        ("value", "Value matrix (customers · revenue)"),
        ("health", "Health grades by weakest component (customers)"),
        ("cluster", "Clusters: recency × revenue"),
    ] {
        let file = dir.path().join(format!("{scorer}.html"));
        let output = tiering()
            .args(["report", "examples/orders.csv", "--scorer", scorer, "-o"])
            .arg(&file)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let html = std::fs::read_to_string(&file).unwrap();
        assert!(html.contains(title), "{scorer}");
    }
}

#[test]
fn previous_latest_in_a_cron_directory_skips_other_runs_and_never_stops_the_run() {
    let dir = temp_dir();
    weekly_reports(dir.path());
    // Another scorer's file, newer than the rules runs, and a file with no real date.
    rfm_run_into(dir.path(), "2026-01-28");
    std::fs::copy(
        dir.path().join("tiers-2026-01-04.parquet"),
        dir.path().join("tiers-2026-13-45.parquet"),
    )
    .unwrap();
    let run = |config: &str| {
        tiering()
            .args([
                "report",
                "testdata/report/history/orders.csv",
                "--config",
                config,
                "--as-of",
                "2026-02-01",
                "--format",
                "json",
                "--previous",
                "latest",
                "--output-dir",
            ])
            .arg(dir.path())
            .output()
            .unwrap()
    };
    let output = run("testdata/report/history/tiering.toml");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("comparing with") && stderr.contains("tiers-2026-01-25.parquet"),
        "{stderr}"
    );
    let report = json(&dir.path().join("report-2026-02-01.json"));
    assert_eq!(
        report["migration"]["previous_as_of"], "2026-01-25",
        "{}",
        report["migration"]
    );
    // Same scorer and options, other tiers (a renamed rule): the report is written, the
    // migration says why it is missing, and the run does not fail.
    let renamed = std::fs::read_to_string("testdata/report/history/tiering.toml")
        .unwrap()
        .replace("\"quiet\"", "\"dormant\"");
    let config = dir.path().join("renamed.toml");
    std::fs::write(&config, renamed).unwrap();
    let output = run(config.to_str().unwrap());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let report = json(&dir.path().join("report-2026-02-01.json"));
    let reason = report["migration"]["reason"].as_str().unwrap_or_default();
    assert!(reason.contains("quiet"), "{}", report["migration"]);
}

/// The History sheet as LibreOffice reads it and the history section as Chromium renders
/// it hold the hand-worked numbers.
#[test]
fn libreoffice_and_chromium_read_the_history() {
    let dir = temp_dir();
    weekly_reports(dir.path());
    if program_available(
        "libreoffice",
        "LibreOffice history sheet check",
        "apt-get install libreoffice-calc",
    ) {
        let sheet = libreoffice_sheets(&dir.path().join("report-2026-01-25.xlsx"), dir.path());
        let history = sheet("History");
        assert_eq!(history[0][0], "Period");
        let total = history
            .iter()
            .find(|r| r[0] == "2026-01-25" && r[1] == "Total")
            .expect("total row");
        // Members, base, retention (a percent cell), revenue.
        assert_eq!(&total[2..5], ["5", "5", "40%"], "{total:?}");
        assert_eq!(total[8].parse::<f64>().unwrap(), 70.0);
    }
    if program_available(
        "chromium",
        "Chromium history check",
        "apt-get install chromium",
    ) {
        let page = dir.path().join("report-2026-01-25.html");
        let dom = String::from_utf8(chromium(&page, dir.path(), &["--dump-dom"]).stdout).unwrap();
        let history = dom
            .split("<section id=\"history\">")
            .nth(1)
            .expect("history section")
            .split("</section>")
            .next()
            .unwrap();
        assert!(history.contains("<td>2026-01-25</td>"), "{history}");
        assert!(history.contains("-41.7%"), "{history}");
        assert_eq!(history.matches("<svg").count(), 4);
    }
}

#[test]
fn customers_who_never_bought_do_not_churn_and_a_later_previous_is_refused() {
    let dir = temp_dir();
    for week in ["2026-10-24", "2026-10-31"] {
        let output = tiering()
            .args([
                "report",
                "examples/orders.csv",
                "--customers",
                "examples/customers.csv",
                "--as-of",
                week,
                "--format",
                "json",
                "--output-dir",
            ])
            .arg(dir.path())
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let report = json(&dir.path().join("report-2026-10-31.json"));
    let period = &report["history"][0];
    let no_purchase = period["tiers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "no_purchase")
        .expect("no_purchase row");
    assert!(no_purchase["base"].as_u64().unwrap() > 0);
    assert_eq!(no_purchase["churned"], 0, "{no_purchase}");
    // Later tiers than this run are refused, as --compare-as-of refuses them.
    let output = tiering()
        .args([
            "report",
            "examples/orders.csv",
            "--as-of",
            "2026-10-24",
            "--format",
            "json",
            "--previous",
        ])
        .arg(dir.path().join("tiers-2026-10-31.parquet"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("after this run's as-of date 2026-10-24"),
        "{stderr}"
    );
}
