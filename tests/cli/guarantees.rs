//! The guarantees a hostile review asked for, each through the real binary: migration by
//! value rank, tie warnings and absolute breaks, ids that survive formula protection,
//! warnings about mistyped dates, unranked non-purchasers in every scorer, checked config
//! numbers, ids with control characters, closed stderr and pipes, rectangular rejects,
//! terminals of width 0, messages that point the right way, and detected encodings.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::support::{parse_csv, root, score_text, temp_dir, tiering};

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

fn stderr_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Segment ids of the default map by value rank, best first (templates/segments.toml).
const BY_VALUE: [&str; 11] = [
    "champions",
    "loyal",
    "potential_loyalists",
    "cant_lose",
    "new",
    "promising",
    "need_attention",
    "at_risk",
    "about_to_sleep",
    "hibernating",
    "lost",
];

/// A scores file where customer `k` (of 121) sits in `BY_VALUE[column(k)]`.
fn scores_with_segments(template: &str, column: impl Fn(usize) -> usize) -> String {
    let mut reader = csv::Reader::from_reader(template.as_bytes());
    let header = reader.headers().unwrap().clone();
    let id = header.iter().position(|h| h == "segment_id").unwrap();
    let name = header.iter().position(|h| h == "segment").unwrap();
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(&header).unwrap();
    for (k, record) in reader.records().enumerate().take(121) {
        let mut fields: Vec<String> = record.unwrap().iter().map(str::to_string).collect();
        let segment = BY_VALUE[column(k)];
        fields[id] = segment.to_string();
        fields[name] = segment.to_string();
        writer.write_record(&fields).unwrap();
    }
    String::from_utf8(writer.into_inner().unwrap()).unwrap()
}

/// Every ordered pair of the 11 RFM segments, one customer each: promoted exactly when
/// the new segment ranks higher by value, demoted when lower.
#[test]
fn migration_walks_every_pair_of_segments_by_value_rank() {
    let dir = temp_dir();
    let template = score_text(&["examples/orders.csv", "--as-of", "2026-10-31"]);
    let before = write(
        dir.path(),
        "before.csv",
        &scores_with_segments(&template, |k| k / 11),
    );
    let after = write(
        dir.path(),
        "after.csv",
        &scores_with_segments(&template, |k| k % 11),
    );
    let output = tiering()
        .args([
            "report",
            "--scores",
            &after,
            "--previous",
            &before,
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let m = &report["migration"];
    let ids = |list: &Value| -> BTreeMap<String, (String, String)> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|mover| {
                (
                    mover["customer_id"].as_str().unwrap().to_string(),
                    (
                        mover["from"].as_str().unwrap().to_string(),
                        mover["to"].as_str().unwrap().to_string(),
                    ),
                )
            })
            .collect()
    };
    let (promoted, demoted) = (ids(&m["promoted"]), ids(&m["demoted"]));
    assert_eq!(promoted.len(), 55);
    assert_eq!(demoted.len(), 55);
    assert_eq!(m["counts"]["stayed"], 11);
    let rank = |id: &str| BY_VALUE.iter().position(|s| *s == id).unwrap();
    for (from, to) in promoted.values() {
        assert!(rank(to) < rank(from), "{from} -> {to} called a promotion");
    }
    for (from, to) in demoted.values() {
        assert!(rank(to) > rank(from), "{from} -> {to} called a demotion");
    }
    let moved: Vec<&(String, String)> = promoted.values().chain(demoted.values()).collect();
    assert!(moved.contains(&&("hibernating".to_string(), "lost".to_string())));
    assert!(
        demoted
            .values()
            .any(|(f, t)| f == "hibernating" && t == "lost")
    );
    assert!(
        promoted
            .values()
            .any(|(f, t)| f == "new" && t == "potential_loyalists")
    );
}

/// The matrix's row for customers absent before never reads like the `New` segment.
#[test]
fn the_migration_matrix_has_no_two_rows_of_one_name_in_either_language() {
    for (lang, label) in [("en", "Not in previous"), ("zh", "上期没有")] {
        let dir = temp_dir();
        let tiers = dir.path().join("week1.csv");
        let made = tiering()
            .args(["score", "testdata/report/week1.csv", "--lang", lang, "-o"])
            .arg(&tiers)
            .output()
            .unwrap();
        assert!(made.status.success(), "{}", stderr_of(&made));
        let report = |format: &str| {
            tiering()
                .args([
                    "report",
                    "testdata/report/week2.csv",
                    "--lang",
                    lang,
                    "--format",
                    format,
                    "--previous",
                ])
                .arg(&tiers)
                .output()
                .unwrap()
        };
        let json = report("json");
        assert!(json.status.success(), "{}", stderr_of(&json));
        let json: Value = serde_json::from_slice(&json.stdout).unwrap();
        let mut names: Vec<String> = json["migration"]["rows"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["from"] != "(new)")
            .map(|r| r["from_name"].as_str().unwrap().to_string())
            .collect();
        assert!(
            names.iter().any(|n| n == "New" || n == "新客户"),
            "{names:?}"
        );
        names.push(label.to_string());
        let mut unique = names.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), names.len(), "{lang}: {names:?}");
        let markdown = String::from_utf8(report("md").stdout).unwrap();
        assert!(markdown.contains(label), "{markdown}");
    }
}

/// 60 B2B customers invoiced on the as-of date plus 40 older ones.
fn b2b(dir: &Path) -> String {
    let mut text = String::from("customer_id,order_id,order_date,amount\n");
    for i in 1..=60 {
        text.push_str(&format!(
            "B{i:02},O{i},2026-10-31,100.00\nB{i:02},P{i},2026-09-30,100.00\n"
        ));
    }
    for i in 1..=40 {
        text.push_str(&format!("S{i:02},Q{i},2026-06-01,50.00\n"));
    }
    write(dir, "b2b.csv", &text)
}

#[test]
fn a_tie_group_of_the_best_value_spanning_bins_is_warned_about_and_breaks_fix_it() {
    let dir = temp_dir();
    let file = b2b(dir.path());
    let output = tiering()
        .args(["score", &file, "--format", "csv"])
        .output()
        .unwrap();
    let stderr = stderr_of(&output);
    assert!(
        stderr.contains("warning: 60 customers share the best recency_days, 0 days, and all get r_score 3 (--ties shared), though the group spans bins 3–5"),
        "{stderr}"
    );
    let rows = parse_csv(&String::from_utf8(output.stdout).unwrap());
    assert!(rows.values().all(|r| r["segment_id"] != "champions"));
    let args = [
        "score",
        &file,
        "--breaks",
        "recency_days=30,90,180,365",
        "--breaks",
        "orders=2,3,5,10",
        "--breaks",
        "revenue=100,150,200,1000",
        "--format",
        "csv",
    ];
    let output = tiering().args(args).output().unwrap();
    let stderr = stderr_of(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(!stderr.contains("share the best"), "{stderr}");
    let rows = parse_csv(&String::from_utf8(output.stdout).unwrap());
    // recency 0 -> R 5; 2 orders -> F 2; 200.00 -> M 4.
    assert_eq!(rows["B01"]["rfm_code"], "524");
    // recency 152 -> R 3; 1 order -> F 1; 50.00 -> M 1.
    assert_eq!(rows["S01"]["rfm_code"], "311");
    let thresholds = tiering()
        .args([
            "score",
            &file,
            "--breaks",
            "recency_days=30,90,180,365",
            "--thresholds",
            "--format",
            "csv",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&thresholds.stdout);
    assert!(text.contains("30 < recency_days <= 90"), "{text}");
    assert!(text.contains("recency_days > 365"), "{text}");
    // The same breaks in the configuration.
    let config = write(
        dir.path(),
        "tiering.toml",
        "[rfm.breaks]\nrecency_days = [30, 90, 180, 365]\norders = [2, 3, 5, 10]\nrevenue = [100, 150, 200, 1000]\n",
    );
    let from_config = tiering()
        .args(["score", &file, "--config", &config, "--format", "csv"])
        .output()
        .unwrap();
    assert_eq!(
        parse_csv(&String::from_utf8(from_config.stdout).unwrap()),
        rows
    );
    // Three values for five bins is refused.
    let bad = tiering()
        .args(["score", &file, "--breaks", "recency_days=30,90,180"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr_of(&bad).contains("--breaks recency_days has 3 values; 5 bins need 4"));
}

/// Ids a spreadsheet might run, numbers and phone numbers: written, read back through
/// `--previous` in every tier-file format, and found again (everyone stayed).
#[test]
fn ids_survive_formula_protection_in_every_tier_file() {
    let dir = temp_dir();
    let ids = [
        "-5",
        "+41791234567",
        "+41 79 123 45 67",
        "=cmd",
        "@x",
        "'quoted",
        "''two",
        "a,b",
        "plain",
    ];
    let mut text = String::from("customer_id,order_id,order_date,amount\n");
    for (i, id) in ids.iter().enumerate() {
        let quoted = format!("\"{}\"", id.replace('"', "\"\""));
        text.push_str(&format!(
            "{quoted},O{i},2026-11-0{},{}.00\n",
            1 + i % 9,
            10 + i
        ));
    }
    let orders = write(dir.path(), "orders.csv", &text);
    let csv = score_text(&[&orders, "--as-of", "2026-11-30"]);
    assert!(
        csv.contains("\n-5,") && csv.contains("\n+41791234567,"),
        "{csv}"
    );
    assert!(
        csv.contains("\n'=cmd,") && csv.contains("\n''quoted,"),
        "{csv}"
    );
    for extension in ["csv", "tsv", "parquet"] {
        let tiers = dir.path().join(format!("tiers.{extension}"));
        let made = tiering()
            .args(["score", &orders, "--as-of", "2026-11-30", "-o"])
            .arg(&tiers)
            .output()
            .unwrap();
        assert!(made.status.success(), "{}", stderr_of(&made));
        let output = tiering()
            .args([
                "report",
                &orders,
                "--as-of",
                "2026-11-30",
                "--format",
                "json",
                "--previous",
            ])
            .arg(&tiers)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{extension}: {}",
            stderr_of(&output)
        );
        let report: Value = serde_json::from_slice(&output.stdout).unwrap();
        let counts = &report["migration"]["counts"];
        assert_eq!(counts["stayed"], ids.len(), "{extension}: {counts}");
        assert_eq!(counts["new"], 0, "{extension}: {counts}");
    }
}

#[test]
fn a_date_after_today_is_warned_about_with_its_line() {
    let dir = temp_dir();
    let file = write(
        dir.path(),
        "typo.csv",
        "customer_id,order_id,order_date,amount\nA,1,2026-01-01,10\nA,2,2099-12-31,5\nB,3,2026-01-02,7\n",
    );
    let output = tiering()
        .args(["score", &file, "--format", "csv"])
        .output()
        .unwrap();
    let stderr = stderr_of(&output);
    assert!(
        stderr.contains("1 order line is dated after today (")
            && stderr.contains(&format!("the first in `{file}` line 3: 2099-12-31")),
        "{stderr}"
    );
    // The result does not depend on the clock: as of 2099-12-31 either way.
    assert!(String::from_utf8_lossy(&output.stdout).contains(",2099-12-31\n"));
}

#[test]
fn a_default_as_of_far_beyond_the_data_is_warned_about() {
    let dir = temp_dir();
    let mut text = std::fs::read_to_string(root().join("examples/orders.csv")).unwrap();
    text.push_str("TYPO,C000001,2060-01-01,5.00,\n");
    let file = write(dir.path(), "orders.csv", &text);
    let output = tiering()
        .args(["score", &file, "--format", "csv"])
        .output()
        .unwrap();
    let stderr = stderr_of(&output);
    assert!(
        stderr.contains(&format!("the default as-of date is the latest order date 2060-01-01 (`{file}` line 4002), but only 1 of 4,001 order lines fall in the 30 days up to it")),
        "{stderr}"
    );
}

/// A return-only customer (a credit note, no purchase) is unranked by every scorer.
#[test]
fn every_scorer_leaves_non_purchasers_unranked() {
    let dir = temp_dir();
    let mut text = std::fs::read_to_string(root().join("examples/orders.csv")).unwrap();
    text.push_str("R1,ZZ,2026-10-01,-5.00,\n");
    let file = write(dir.path(), "orders.csv", &text);
    let empty: [(&str, &[&str]); 6] = [
        (
            "rfm",
            &[
                "r_score", "f_score", "m_score", "rfm_code", "r_from", "m_to",
            ],
        ),
        (
            "pareto",
            &[
                "pareto_rank",
                "cum_value",
                "cum_share",
                "abc_class",
                "upgrade_candidate",
            ],
        ),
        (
            "profit",
            &[
                "score",
                "profit_pct",
                "profit_points",
                "orders_pct",
                "recency_days_pct",
                "return_rate_pct",
            ],
        ),
        ("rules", &["rule_number", "rule_fired"]),
        (
            "lifecycle",
            &["stage", "usual_gap_days", "overdue_ratio", "churn_warning"],
        ),
        (
            "clv",
            &["p_alive", "expected_purchases", "clv", "churn_warning"],
        ),
    ];
    for (scorer, columns) in empty {
        let rows = parse_csv(&score_text(&[&file, "--scorer", scorer]));
        let zz = &rows["ZZ"];
        assert_eq!(zz["orders"], "0", "{scorer}");
        let group = zz.get("tier_id").or_else(|| zz.get("segment_id")).unwrap();
        assert_eq!(group, "no_purchase", "{scorer}");
        for column in columns {
            assert_eq!(zz[*column], "", "{scorer}: {column} = {}", zz[*column]);
        }
    }
}

#[test]
fn config_numbers_that_are_not_finite_negative_or_absurd_are_refused_with_their_line() {
    let dir = temp_dir();
    for (value, says) in [
        ("nan", "must be a finite number"),
        ("inf", "must be a finite number"),
        ("-15", "out of range"),
        ("1e11", "out of range"),
    ] {
        let config = write(
            dir.path(),
            "tiering.toml",
            &format!("[profit]\nper_order = {value}\n"),
        );
        for command in [
            vec!["score", "examples/orders.csv", "--scorer", "profit"],
            vec!["check"],
        ] {
            let output = tiering()
                .args(&command)
                .args(["--config", &config])
                .output()
                .unwrap();
            let stderr = stderr_of(&output);
            assert_eq!(
                output.status.code(),
                Some(2),
                "{value} {command:?}: {stderr}"
            );
            assert!(
                stderr.contains("line 2") && stderr.contains(says),
                "{value}: {stderr}"
            );
        }
    }
    let config = write(
        dir.path(),
        "tiering.toml",
        "[lifecycle]\nat_risk_ratio = 4.0\nlapsed_ratio = 3.0\n",
    );
    let output = tiering()
        .args(["check", "--config", &config])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("no customer can be `at_risk`"), "{stdout}");
}

#[test]
fn an_id_with_a_control_character_is_a_bad_row_with_its_byte_position() {
    let dir = temp_dir();
    let file = write(
        dir.path(),
        "nul.csv",
        "customer_id,order_id,order_date,amount\nB\0,1,2026-01-01,10\nB,2,2026-01-02,5\n",
    );
    let output = tiering().args(["score", &file]).output().unwrap();
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("line 2, column `customer_id`: customer id holds the control character U+0000 at byte 2: `B\\0`"),
        "{stderr}"
    );
    let rejects = dir.path().join("bad.csv");
    let output = tiering()
        .args(["score", &file, "--format", "csv", "--rejects"])
        .arg(&rejects)
        .output()
        .unwrap();
    assert!(output.status.success());
    let out = String::from_utf8_lossy(&output.stdout);
    assert_eq!(out.lines().count(), 2, "{out}");
}

#[test]
fn a_closed_stderr_never_aborts_the_run() {
    let dir = temp_dir();
    let out = dir.path().join("out.csv");
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "\"$0\" score examples/orders.csv --customers examples/customers.csv -o '{}' 2>&-",
            out.display()
        ))
        .arg(assert_cmd::cargo::cargo_bin("tiering"))
        .current_dir(root())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), 421);
}

#[test]
fn every_format_ends_quietly_when_the_reader_goes_away() {
    for format in ["parquet", "xlsx", "json", "ndjson", "csv", "tsv", "md"] {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("tiering"))
            .args([
                "score",
                "examples/orders.csv",
                "--customers",
                "examples/customers.csv",
                "--format",
                format,
            ])
            .current_dir(root())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let mut first = [0u8; 100];
        std::io::Read::read_exact(&mut stdout, &mut first).unwrap();
        drop(stdout);
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{format}: {stderr}");
        assert!(!stderr.contains("error"), "{format}: {stderr}");
    }
}

/// Lines with too few or too many fields, and every line bad: the rejects file is a
/// rectangle (pandas and DuckDB read it) and is written in every case.
#[test]
fn the_rejects_file_is_rectangular_and_always_written() {
    let dir = temp_dir();
    let file = write(
        dir.path(),
        "ragged.csv",
        "customer_id,order_id,order_date,amount\nA,1,2026-01-01,10\nB,2\nC,3,2026-01-02,5,extra,\"x,y\"\nD,4,someday,1\n",
    );
    let rejects = dir.path().join("rejects.csv");
    let output = tiering()
        .args(["score", &file, "--format", "csv", "--rejects"])
        .arg(&rejects)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let text = std::fs::read_to_string(&rejects).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().unwrap().clone();
    assert_eq!(
        header.iter().collect::<Vec<_>>(),
        [
            "file",
            "line",
            "column",
            "reason",
            "customer_id",
            "order_id",
            "order_date",
            "amount",
            "extra_fields"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 3);
    assert!(rows.iter().all(|r| r.len() == header.len()));
    assert_eq!(&rows[0][1], "3");
    assert_eq!(&rows[0][6], "");
    assert_eq!(&rows[1][8], "extra,\"x,y\"");
    let all_bad = write(
        dir.path(),
        "all_bad.csv",
        "customer_id,order_id,order_date,amount\nA,1,never,10\nB,2,never,5\n",
    );
    let rejects = dir.path().join("all.csv");
    let output = tiering()
        .args(["score", &all_bad, "--rejects"])
        .arg(&rejects)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3));
    assert!(stderr_of(&output).contains("see the rejects file"));
    assert_eq!(
        std::fs::read_to_string(&rejects).unwrap().lines().count(),
        3
    );
}

#[test]
fn a_terminal_of_width_zero_gets_a_readable_table() {
    let available = Command::new("script")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !crate::support::available_or_skipped(
        available,
        "width-0 terminal test",
        "`script` is not installed",
        "apt-get install bsdutils",
    ) {
        return;
    }
    let binary = assert_cmd::cargo::cargo_bin("tiering");
    let output = Command::new("script")
        .args(["-qec"])
        .arg(format!(
            "stty cols 0 rows 0; '{}' score examples/orders.csv 2>/dev/null",
            binary.display()
        ))
        .arg("/dev/null")
        .current_dir(root())
        .env_remove("COLUMNS")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    let header = text
        .lines()
        .find(|l| l.contains("Segment"))
        .unwrap_or_default();
    assert!(
        header.contains("Customers") && header.contains("Revenue"),
        "{text}"
    );
}

#[test]
fn messages_point_the_right_way() {
    let cases: [(&[&str], i32, &str); 7] = [
        (
            &[
                "report",
                "examples/orders.csv",
                "--compare-as-of",
                "2020-01-01",
            ],
            2,
            "--compare-as-of 2020-01-01: no order line is dated on or before it",
        ),
        (&["report"], 2, "--scores <FILE>"),
        (
            &["score", "examples/orders.csv", "-o", "testdata"],
            2,
            "-o `testdata` is a directory",
        ),
        (
            &[
                "score",
                "examples/orders.csv",
                "--cuts",
                "70,90",
                "--horizon",
                "90d",
                "--format",
                "csv",
            ],
            0,
            "warning: --cuts does not apply to the rfm scorer and is ignored",
        ),
        (
            &[
                "sql",
                "--dialect",
                "duckdb",
                "--source",
                "examples/orders.csv",
                "--scorer",
                "pareto",
                "--bins",
                "3",
            ],
            0,
            "warning: --bins does not apply to the pareto scorer and is ignored",
        ),
        (
            &[
                "score",
                "examples/orders.csv",
                "--scorer",
                "rules",
                "--format",
                "csv",
            ],
            0,
            "all 320 purchasing customers fall in the tier `ordinary`",
        ),
        (
            &[
                "report",
                "examples/orders.csv",
                "--scorer",
                "rules",
                "--format",
                "md",
            ],
            0,
            "all 320 purchasing customers fall in the tier `ordinary`",
        ),
    ];
    for (args, code, says) in cases {
        let output = tiering().args(args).output().unwrap();
        let stderr = stderr_of(&output);
        assert_eq!(output.status.code(), Some(code), "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
    let output = tiering()
        .args(["score", "-", "-", "--format", "csv"])
        .write_stdin(std::fs::read(root().join("testdata/report/week2.csv")).unwrap())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert!(stderr_of(&output).contains("`<stdin>` is named twice: read once"));
    let dir = temp_dir();
    let output = tiering()
        .args(["init", "-v"])
        .arg(dir.path().join("t.toml"))
        .output()
        .unwrap();
    assert!(
        stderr_of(&output).contains("wrote `"),
        "{}",
        stderr_of(&output)
    );
    let man = dir.path().join("man");
    let output = tiering().args(["man", "--all"]).arg(&man).output().unwrap();
    assert!(output.status.success());
    let page = tiering().arg("man").output().unwrap();
    let text = String::from_utf8_lossy(&page.stdout);
    for sub in [
        "score",
        "report",
        "sql",
        "backtest",
        "check",
        "init",
        "completions",
        "man",
    ] {
        assert!(text.contains(&format!("tiering\\-{sub}(1)")), "{sub}");
        assert!(man.join(format!("tiering-{sub}.1")).is_file(), "{sub}");
    }
    assert!(!text.contains("tiering\\-help(1)"));
}

#[test]
fn chinese_reports_keep_no_english_settings_and_counts_agree_in_number() {
    let output = tiering()
        .args([
            "report",
            "examples/orders.csv",
            "--lang",
            "zh",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let settings = report["settings"].as_array().unwrap();
    for setting in settings {
        let name = setting["name"].as_str().unwrap();
        assert!(!name.is_ascii(), "English setting name in zh: {name}");
    }
    assert_eq!(report["scorer_options"], "5 档，并列值同档");
    let inputs = settings
        .iter()
        .find(|s| s["value"].as_str().unwrap().contains("orders.csv"))
        .unwrap();
    assert_eq!(
        inputs["value"],
        "examples/orders.csv (csv, 4000 行, 0 行有误)"
    );
    let single = tiering()
        .args([
            "score",
            "testdata/report/week2.csv",
            "--scorer",
            "rules",
            "--format",
            "csv",
        ])
        .output()
        .unwrap();
    assert!(!stderr_of(&single).contains(" 1 lines") && !stderr_of(&single).contains("1 bad rows"));
}

/// With a two-tier result the effort shares of the terminal table and the report agree
/// and sum to 100%.
#[test]
fn effort_shares_sum_to_one_over_the_tiers_present() {
    let output = tiering()
        .args([
            "report",
            "testdata/report/week2.csv",
            "--scorer",
            "pareto",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let tiers = report["tiers"].as_array().unwrap();
    let mut sum = 0.0;
    for tier in tiers {
        match tier["effort_share"].as_f64() {
            Some(share) => {
                assert!(tier["customers"].as_u64().unwrap() > 0, "{tier}");
                sum += share;
            }
            None => assert_eq!(tier["customers"], 0, "{tier}"),
        }
    }
    assert!((sum - 1.0).abs() < 1e-9, "{sum}");
}

#[test]
fn a_latin1_file_is_detected_not_read_as_gbk() {
    let dir = temp_dir();
    let path = dir.path().join("latin.csv");
    std::fs::write(
        &path,
        b"customer_id,order_id,order_date,amount\nM\xfcller,1,2026-01-01,10\nB\xe9a,2,2026-01-02,5\n",
    )
    .unwrap();
    let output = tiering()
        .arg("score")
        .arg(&path)
        .args(["--format", "csv"])
        .output()
        .unwrap();
    let stderr = stderr_of(&output);
    assert!(
        stderr.contains("is not UTF-8: read as windows-1252 (detected"),
        "{stderr}"
    );
    let out = String::from_utf8(output.stdout).unwrap();
    assert!(out.contains("\nMüller,") && out.contains("\nBéa,"), "{out}");
    let help = tiering().args(["score", "--help"]).output().unwrap();
    assert!(String::from_utf8_lossy(&help.stdout).contains("windows-1252"));
}
