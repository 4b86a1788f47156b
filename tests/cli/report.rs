//! `tiering report`: reconciliation, hand-worked migration, determinism, formats (the
//! workbook read back by LibreOffice, the page rendered by headless Chromium), language,
//! warnings and errors.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

use crate::support::{
    chromium, libreoffice_sheets, program_available, temp_dir, testdata, tiering,
};

/// Run `tiering report ARGS`, expecting success; stderr.
fn report(args: &[&str]) -> String {
    let output = tiering().arg("report").args(args).output().expect("run");
    assert!(
        output.status.success(),
        "tiering report {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("json")
}

/// Amount text with two decimals (`26.57`, `-3.10`) in cents, by hand.
fn cents(text: &str) -> i64 {
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, text),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
    let fraction = format!("{fraction:0<2}");
    sign * (whole.parse::<i64>().unwrap() * 100 + fraction[..2].parse::<i64>().unwrap())
}

/// The report's totals equal an independent count of the example input: customers
/// (with lines, plus those only in the export), purchases (orders with a positive net,
/// or zero net and no return line) and net revenue.
#[test]
fn totals_reconcile_with_the_example_input() {
    let dir = temp_dir();
    let out = dir.path().join("r.json");
    let stderr = report(&[
        "examples/orders.csv",
        "--customers",
        "examples/customers.csv",
        "-o",
        out.to_str().unwrap(),
    ]);
    let mut reader = csv::Reader::from_path("examples/orders.csv").unwrap();
    let mut customers = BTreeSet::new();
    let mut revenue = 0i64;
    let mut orders: BTreeMap<(String, String), (i64, bool)> = BTreeMap::new();
    for record in reader.records() {
        let record = record.unwrap();
        let amount = cents(&record[3]);
        customers.insert(record[1].to_string());
        revenue += amount;
        let order = orders
            .entry((record[1].to_string(), record[0].to_string()))
            .or_default();
        order.0 += amount;
        order.1 |= amount < 0;
    }
    let purchases = orders
        .values()
        .filter(|(net, has_return)| *net > 0 || (*net == 0 && !has_return))
        .count() as u64;
    let mut export = csv::Reader::from_path("examples/customers.csv").unwrap();
    let only_in_export = export
        .records()
        .filter(|r| !customers.contains(&r.as_ref().unwrap()[0]))
        .count() as u64;

    let report = json(&out);
    let r = &report["reconciliation"];
    assert_eq!(r["matches"], true);
    for side in ["input", "report"] {
        assert_eq!(
            r[side]["customers"],
            customers.len() as u64 + only_in_export,
            "{side}"
        );
        assert_eq!(r[side]["orders"], purchases, "{side}");
        assert_eq!(cents(&r[side]["revenue"].to_string()), revenue, "{side}");
    }
    assert_eq!(r["customers_only_in_export"], only_in_export);
    assert_eq!(
        r["non_purchase_orders"],
        orders.len() as u64 - purchases,
        "orders that are not purchases"
    );
    let tiers = report["tiers"].as_array().unwrap();
    let sum = |key: &str| -> i64 { tiers.iter().map(|t| cents(&t[key].to_string())).sum() };
    assert_eq!(sum("revenue"), revenue);
    let customers_in_tiers: u64 = tiers.iter().map(|t| t["customers"].as_u64().unwrap()).sum();
    assert_eq!(customers_in_tiers, customers.len() as u64 + only_in_export);
    assert_eq!(
        report["customers"].as_array().unwrap().len() as u64,
        customers_in_tiers
    );
    assert!(
        stderr.contains(
            "reconciled with the input: 420 customers, 1548 orders, net revenue 442,116.72"
        ),
        "{stderr}"
    );
}

/// The hand-worked pair of weeks of testdata/README.md (report/), through the cron flow:
/// week 1 leaves tiers-2026-11-16.parquet, week 2 compares with it via `--previous latest`.
#[test]
fn migration_between_two_hand_worked_weeks() {
    let dir = temp_dir();
    let reports = dir.path().join("reports");
    let reports = reports.to_str().unwrap();
    let first = report(&[
        &testdata("report/week1.csv"),
        "--scorer",
        "pareto",
        "--output-dir",
        reports,
        "--previous",
        "latest",
        "--format",
        "json",
    ]);
    assert!(first.contains("no earlier tiers-DATE.parquet"), "{first}");
    let week1 = json(&Path::new(reports).join("report-2026-11-16.json"));
    assert_eq!(week1["migration"]["status"], "unavailable");
    report(&[
        &testdata("report/week2.csv"),
        "--scorer",
        "pareto",
        "--output-dir",
        reports,
        "--previous",
        "latest",
        "--format",
        "json",
    ]);
    let week2 = json(&Path::new(reports).join("report-2026-11-21.json"));
    let m = &week2["migration"];
    assert_eq!(m["status"], "available");
    assert_eq!(m["previous_as_of"], "2026-11-16");
    assert_eq!(
        m["counts"],
        serde_json::json!({"stayed": 2, "promoted": 1, "demoted": 2, "new": 1, "gone": 1})
    );
    assert_migration_matrix(m);

    // The same comparison from the CSV and TSV tier files `tiering score` writes.
    for extension in ["csv", "tsv"] {
        let previous = dir.path().join(format!("week1.{extension}"));
        let output = tiering()
            .args([
                "score",
                &testdata("report/week1.csv"),
                "--scorer",
                "pareto",
                "-o",
                previous.to_str().unwrap(),
            ])
            .output()
            .unwrap();
        assert!(output.status.success());
        let out = dir.path().join("r.json");
        report(&[
            &testdata("report/week2.csv"),
            "--scorer",
            "pareto",
            "--previous",
            previous.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ]);
        assert_migration_matrix(&json(&out)["migration"]);
    }
}

fn assert_migration_matrix(m: &Value) {
    let columns: Vec<&str> = m["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(columns, ["A", "B", "C", "no_purchase", "(gone)"]);
    let mut flows = BTreeMap::new();
    for row in m["rows"].as_array().unwrap() {
        for (column, cell) in columns.iter().zip(row["cells"].as_array().unwrap()) {
            if cell["customers"] != 0 {
                flows.insert(
                    format!("{}>{column}", row["from"].as_str().unwrap()),
                    (
                        cell["customers"].as_u64().unwrap(),
                        cents(&cell["revenue"].to_string()),
                    ),
                );
            }
        }
    }
    let expected: BTreeMap<String, (u64, i64)> = [
        ("A>A", (2, 80000)),
        ("A>B", (1, 10000)),
        ("B>A", (1, 64000)),
        ("B>C", (1, 6000)),
        ("(new)>B", (1, 10000)),
        ("C>(gone)", (1, 2000)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    assert_eq!(flows, expected);
    let list = |key: &str| -> Vec<String> {
        m[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| {
                let money = |v: &Value| {
                    if v.is_null() {
                        "-".to_string()
                    } else {
                        cents(&v.to_string()).to_string()
                    }
                };
                format!(
                    "{} {}>{} {}>{}",
                    x["customer_id"].as_str().unwrap(),
                    x["from"],
                    x["to"],
                    money(&x["revenue_before"]),
                    money(&x["revenue_after"])
                )
            })
            .collect()
    };
    assert_eq!(list("promoted"), ["c5 \"B\">\"A\" 4000>64000"]);
    assert_eq!(
        list("demoted"),
        ["c3 \"A\">\"B\" 10000>10000", "c4 \"B\">\"C\" 6000>6000"]
    );
    assert_eq!(list("new"), ["c6 null>\"B\" ->10000"]);
    assert_eq!(list("gone"), ["c7 \"C\">null 2000>-"]);
}

/// `--compare-as-of` scores the same log at the earlier date: equal to comparing with a
/// tier file scored at that date.
#[test]
fn compare_as_of_equals_a_stored_earlier_run() {
    let dir = temp_dir();
    let tiers = dir.path().join("earlier.csv");
    let output = tiering()
        .args([
            "score",
            "examples/orders.csv",
            "--as-of",
            "2026-09-30",
            "-o",
            tiers.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(output.status.success());
    let (a, b) = (dir.path().join("a.json"), dir.path().join("b.json"));
    report(&[
        "examples/orders.csv",
        "--compare-as-of",
        "2026-09-30",
        "-o",
        a.to_str().unwrap(),
    ]);
    report(&[
        "examples/orders.csv",
        "--previous",
        tiers.to_str().unwrap(),
        "-o",
        b.to_str().unwrap(),
    ]);
    let (a, b) = (json(&a), json(&b));
    for key in ["counts", "rows", "promoted", "demoted", "new", "gone"] {
        assert_eq!(a["migration"][key], b["migration"][key], "{key}");
    }
    let counts = &a["migration"]["counts"];
    let moved: u64 = ["stayed", "promoted", "demoted", "new"]
        .iter()
        .map(|k| counts[k].as_u64().unwrap())
        .sum();
    assert_eq!(moved, a["totals"]["customers"].as_u64().unwrap());
    assert!(counts["promoted"].as_u64().unwrap() > 0 && counts["demoted"].as_u64().unwrap() > 0);
}

/// Without earlier tiers the report says so instead of failing.
#[test]
fn without_previous_migration_is_reported_unavailable() {
    let dir = temp_dir();
    let (html, md) = (dir.path().join("r.html"), dir.path().join("r.md"));
    report(&["examples/orders.csv", "-o", html.to_str().unwrap()]);
    report(&["examples/orders.csv", "-o", md.to_str().unwrap()]);
    for path in [html, md] {
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.contains("Migration is not available"),
            "{}",
            path.display()
        );
    }
}

/// Unlike runs are not compared: another scorer, other bins, other tiers.
#[test]
fn previous_of_another_scorer_or_bins_is_refused() {
    let dir = temp_dir();
    let score = |args: &[&str], name: &str| {
        let path = dir.path().join(name);
        let output = tiering()
            .arg("score")
            .args(args)
            .args(["-o", path.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(output.status.success());
        path.to_str().unwrap().to_string()
    };
    let pareto = score(&["examples/orders.csv", "--scorer", "pareto"], "pareto.csv");
    let rfm4 = score(&["examples/orders.csv", "--bins", "4"], "rfm4.csv");
    let custom = dir.path().join("custom.csv");
    std::fs::write(
        &custom,
        "customer_id,tier_id\nC000028,platinum\nC000029,A\n",
    )
    .unwrap();
    let custom = custom.to_str().unwrap().to_string();
    let cases: [(&[&str], &str); 3] = [
        (
            &["--previous", &pareto],
            "holds pareto tiers; this report scores with rfm",
        ),
        (
            &["--previous", &rfm4],
            "was scored with other bins (scores up to 4; now 5 bins)",
        ),
        (
            &["--scorer", "pareto", "--previous", &custom],
            "has tiers this run does not: platinum",
        ),
    ];
    let reports = dir.path().join("reports");
    std::fs::create_dir(&reports).unwrap();
    let parquet = report(&[
        "examples/orders.csv",
        "--output-dir",
        reports.to_str().unwrap(),
    ]);
    assert!(parquet.contains("wrote"));
    for (args, message) in cases {
        let output = tiering()
            .args(["report", "examples/orders.csv"])
            .args(args)
            .args(["--format", "json"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(message), "{stderr}");
        assert_eq!(output.status.code(), Some(2), "{stderr}");
    }
    // A Parquet tier file records scorer and options: another bin count is refused.
    let tiers = reports.join("tiers-2026-10-31.parquet");
    let output = tiering()
        .args([
            "report",
            "examples/orders.csv",
            "--bins",
            "4",
            "--previous",
            tiers.to_str().unwrap(),
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("other options (5 bins, ties shared; now 4 bins, ties shared)"),
        "{stderr}"
    );
}

/// Bad invocations and bad previous files: message and exit code.
#[test]
fn report_errors_name_the_problem() {
    let dir = temp_dir();
    let headerless = dir.path().join("no_tier.csv");
    std::fs::write(&headerless, "customer_id,revenue\nc1,10.00\n").unwrap();
    let bad_revenue = dir.path().join("bad_revenue.csv");
    std::fs::write(
        &bad_revenue,
        "customer_id,tier_id,revenue\nc1,A,10.00\nc2,B,ten\n",
    )
    .unwrap();
    let twice = dir.path().join("twice.csv");
    std::fs::write(&twice, "customer_id,tier_id\nc1,A\nc1,B\n").unwrap();
    let cases: Vec<(Vec<&str>, i32, &str)> = vec![
        (
            vec!["--previous", "nope.csv"],
            2,
            "`nope.csv`: no such file",
        ),
        (
            vec!["--previous", headerless.to_str().unwrap()],
            3,
            "tier_id",
        ),
        (
            vec!["--previous", bad_revenue.to_str().unwrap()],
            3,
            "line 3",
        ),
        (
            vec!["--previous", twice.to_str().unwrap()],
            3,
            "customer listed twice",
        ),
        (
            vec!["--previous", "Cargo.toml"],
            3,
            "`.toml` is not a tier file format",
        ),
        (
            vec!["-o", "report.txt"],
            2,
            "cannot tell the report format of `report.txt`",
        ),
        (
            vec!["--compare-as-of", "2026-12-01"],
            2,
            "--compare-as-of 2026-12-01 is not before the as-of date 2026-10-31",
        ),
        (
            vec!["--previous", "latest"],
            2,
            "--previous latest looks in --output-dir",
        ),
        (
            vec!["--format", "html,json"],
            2,
            "several --format values need --output-dir",
        ),
        (
            vec!["--compare-as-of", "2026-09-30", "--previous", "x.csv"],
            2,
            "cannot be used with",
        ),
    ];
    for (args, code, message) in cases {
        let output = tiering()
            .args(["report", "examples/orders.csv"])
            .args(&args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(code), "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    let bad = tiering()
        .args([
            "report",
            "examples/orders.csv",
            "--previous",
            bad_revenue.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(
        stderr.contains("revenue") && stderr.contains("ten"),
        "{stderr}"
    );
}

/// Two runs of the same week leave byte-identical files (the date in them is the as-of
/// date, never the clock), and re-running replaces them.
#[test]
fn cron_runs_are_byte_identical() {
    let dir = temp_dir();
    let run = |name: &str| {
        let out = dir.path().join(name);
        report(&[
            "examples/orders.csv",
            "--customers",
            "examples/customers.csv",
            "--compare-as-of",
            "2026-10-24",
            "--output-dir",
            out.to_str().unwrap(),
            "--format",
            "html,md,xlsx,json",
        ]);
        out
    };
    let (a, b) = (run("a"), run("b"));
    let names: Vec<String> = {
        let mut names: Vec<String> = std::fs::read_dir(&a)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    assert_eq!(
        names,
        [
            "report-2026-10-31.html",
            "report-2026-10-31.json",
            "report-2026-10-31.md",
            "report-2026-10-31.xlsx",
            "tiers-2026-10-31.parquet"
        ]
    );
    for name in &names {
        assert_eq!(
            std::fs::read(a.join(name)).unwrap(),
            std::fs::read(b.join(name)).unwrap(),
            "{name} differs"
        );
    }
    run("a");
    let again: Vec<_> = std::fs::read_dir(&a).unwrap().collect();
    assert_eq!(again.len(), names.len(), "no temporary files left");
}

/// Formula-like text is written as string cells in the workbook (read back with calamine); money and
/// shares are numbers with formats.
#[test]
fn workbook_has_the_sheets_and_formula_text_as_strings() {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let dir = temp_dir();
    let orders = dir.path().join("orders.csv");
    std::fs::write(
        &orders,
        "order_id,customer_id,order_date,amount\n1,=HYPERLINK(\"x\"),2026-10-01,10.00\n2,+c2,2026-10-02,20.00\n3,c3,2026-10-03,30.50\n",
    )
    .unwrap();
    let out = dir.path().join("r.xlsx");
    report(&[orders.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    let mut book: Xlsx<_> = open_workbook(&out).unwrap();
    assert_eq!(
        book.sheet_names(),
        [
            "Summary",
            "Customers",
            "Migration",
            "Strategies",
            "Settings"
        ]
    );
    let customers = book.worksheet_range("Customers").unwrap();
    let ids: Vec<String> = customers.rows().skip(1).map(|r| r[0].to_string()).collect();
    // String cells never run, so the ids stay exactly as they are.
    assert_eq!(ids, ["+c2", "=HYPERLINK(\"x\")", "c3"]);
    for row in customers.rows().skip(1) {
        assert!(matches!(row[0], Data::String(_)), "{:?}", row[0]);
    }
    let summary = book.worksheet_range("Summary").unwrap();
    let header: Vec<String> = summary
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let revenue = header.iter().position(|h| h == "Revenue").unwrap();
    let total = summary.rows().find(|r| r[0] == "Total").unwrap();
    assert_eq!(total[revenue], Data::Float(60.5));
}

/// The workbook as LibreOffice reads it: every sheet converted to CSV headless, and the
/// numbers checked against the JSON report of the same run.
#[test]
fn libreoffice_reads_the_workbook() {
    if !program_available(
        "libreoffice",
        "LibreOffice workbook check",
        "apt-get install libreoffice-calc",
    ) {
        return;
    }
    let dir = temp_dir();
    let reports = dir.path().join("reports");
    report(&[
        "examples/orders.csv",
        "--compare-as-of",
        "2026-09-30",
        "--lang",
        "zh",
        "--output-dir",
        reports.to_str().unwrap(),
        "--format",
        "xlsx,json",
    ]);
    let workbook = reports.join("report-2026-10-31.xlsx");
    let sheet = libreoffice_sheets(&workbook, dir.path());
    let report = json(&reports.join("report-2026-10-31.json"));
    let summary = sheet("Summary");
    assert_eq!(summary[0][0], "层级");
    assert_eq!(summary[0][1], "客户数");
    for (i, tier) in report["tiers"].as_array().unwrap().iter().enumerate() {
        let row = &summary[i + 1];
        assert_eq!(row[0], tier["name"].as_str().unwrap());
        assert_eq!(row[1], tier["customers"].to_string());
        // The cell's value (not as shown), compared in cents.
        assert_eq!(
            cents(&row[3]),
            cents(&tier["revenue"].to_string()),
            "{}",
            row[0]
        );
    }
    let customers = sheet("Customers");
    assert_eq!(
        customers.len() - 1,
        report["customers"].as_array().unwrap().len()
    );
    assert_eq!(customers[0][0], "customer_id");
    let migration = sheet("Migration");
    assert_eq!(migration[0][0], "原层级 \\ 现层级");
    let settings = sheet("Settings");
    assert!(
        settings
            .iter()
            .any(|r| r[0] == "截至日期" && r[1] == "2026-10-31"),
        "{settings:?}"
    );
    assert!(sheet("Strategies").len() > 1);
}

/// The page as a browser renders it: headless Chromium prints the DOM (the tier table
/// with its numbers) and takes a screenshot.
#[test]
fn chromium_renders_the_page() {
    if !program_available(
        "chromium",
        "Chromium page check",
        "apt-get install chromium",
    ) {
        return;
    }
    let dir = temp_dir();
    let page = dir.path().join("report.html");
    report(&[
        "examples/orders.csv",
        "--compare-as-of",
        "2026-09-30",
        "--lang",
        "zh",
        "-o",
        page.to_str().unwrap(),
    ]);
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(
        !html.contains("http://") || html.matches("http://").all(|_| html.contains("xmlns")),
        "no external assets"
    );
    assert!(!html.contains("<script") && !html.contains("<link") && !html.contains("src="));
    let chromium = |extra: &[&str]| chromium(&page, dir.path(), extra);
    let dom = String::from_utf8(chromium(&["--dump-dom"]).stdout).unwrap();
    let table = dom
        .split("<table id=\"tier-table\">")
        .nth(1)
        .expect("tier table")
        .split("</table>")
        .next()
        .unwrap();
    assert!(
        table.contains("<th>层级</th>") && table.contains("<th>客户数</th>"),
        "{table}"
    );
    assert!(
        table.contains("重要价值客户") || table.contains("冠军客户") || table.contains("忠诚客户"),
        "{table}"
    );
    assert!(table.contains("442,116.72"), "total revenue in the table");
    assert!(dom.contains("<svg"), "charts inline");
    let shot = dir.path().join("shot.png");
    chromium(&[
        "--window-size=1280,4000",
        &format!("--screenshot={}", shot.display()),
    ]);
    let png = std::fs::read(&shot).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    assert!(
        png.len() > 50_000,
        "a rendered page, not a blank one ({} bytes)",
        png.len()
    );
}

/// Small, short, one-order data is flagged in the report itself.
#[test]
fn warnings_flag_small_short_data() {
    let dir = temp_dir();
    let out = dir.path().join("r.json");
    report(&[&testdata("report/week2.csv"), "-o", out.to_str().unwrap()]);
    let codes: Vec<String> = json(&out)["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["code"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        codes,
        ["few_customers", "short_range", "one_order_customers"]
    );
    // 30 of 330 gross returned (9.1%): no warning; 40 of 340 (11.8%): a warning. And one
    // customer whose cost exceeds revenue.
    let codes_of = |returned: &str| -> Vec<String> {
        let orders = dir.path().join("returns.csv");
        std::fs::write(
            &orders,
            format!("order_id,customer_id,order_date,amount,cost\n1,a,2026-01-01,100.00,50.00\n2,b,2026-03-01,200.00,250.00\n3,a,2026-06-01,-{returned},0\n4,a,2026-06-01,{returned},0\n"),
        )
        .unwrap();
        let out = dir.path().join("returns.json");
        report(&[orders.to_str().unwrap(), "-o", out.to_str().unwrap()]);
        json(&out)["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["code"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(codes_of("30.00"), ["few_customers", "negative_profit"]);
    assert_eq!(
        codes_of("40.00"),
        ["few_customers", "many_returns", "negative_profit"]
    );
}

/// The Pareto chart marks where each class ends (any method), on the value the scorer
/// ranks by; other scorers get the 80 % line.
#[test]
fn pareto_chart_marks_the_class_ends() {
    let dir = temp_dir();
    let page = |args: &[&str]| {
        let out = dir.path().join("r.html");
        let mut all = vec!["examples/orders.csv", "-o", out.to_str().unwrap()];
        all.extend(args);
        report(&all);
        std::fs::read_to_string(&out).unwrap()
    };
    // plotters writes each SVG text on a line of its own.
    for args in [
        &["--scorer", "pareto"][..],
        &["--scorer", "pareto", "--method", "computed"],
        &["--scorer", "pareto", "--by", "count", "--basis", "profit"],
    ] {
        let html = page(args);
        assert!(
            html.contains("\nA | B\n") && html.contains("\nB | C\n"),
            "{args:?}"
        );
        assert_eq!(
            html.contains("\nShare of profit\n"),
            args.contains(&"profit"),
            "{args:?}"
        );
    }
    let html = page(&[]);
    assert!(!html.contains("\nA | B\n") && html.contains("\n80%\n"));
}

/// `report --scores`: a report from scores computed elsewhere. A hand-made scores file of
/// three customers gives the totals and tiers counted by hand, and every bad file is
/// refused with the file, line, column and value.
#[test]
fn report_from_a_scores_file() {
    let dir = temp_dir();
    let header = "customer_id,first_order_date,last_order_date,recency_days,tenure_days,orders,revenue,returns,cost,profit,aov,pareto_rank,pareto_value,cum_value,cum_share,abc_class,upgrade_candidate,loss_making,tier_id,tier,strategy,as_of";
    let rows = [
        "a,2026-01-05,2026-03-01,30,85,3,800.00,0.00,,,266.67,1,800.00,800.00,0.8,A,false,false,A,Key,Protect,2026-03-31",
        "b,2026-02-01,2026-03-20,11,58,2,150.50,10.00,,,75.25,2,150.50,950.50,0.9505,B,false,false,B,Growth,Develop,2026-03-31",
        "c,2026-03-10,2026-03-10,21,21,1,49.50,0.00,,,49.50,3,49.50,1000.00,1,C,false,false,C,Ordinary,Serve,2026-03-31",
    ];
    let write = |name: &str, lines: &[&str]| {
        let path = dir.path().join(name);
        std::fs::write(&path, format!("{}\n", lines.join("\n"))).unwrap();
        path.to_str().unwrap().to_string()
    };
    let good = write("scores.csv", &[&[header], &rows[..]].concat());
    let out = dir.path().join("report.json");
    let status = tiering()
        .args(["report", "--scores", &good, "-o", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let report = json(&out);
    assert_eq!(report["scorer"], "pareto");
    assert_eq!(report["as_of"], "2026-03-31");
    let r = &report["reconciliation"];
    assert_eq!(r["against"], "scores_file");
    assert_eq!(r["input"]["customers"], 3);
    assert_eq!(r["input"]["orders"], 6);
    assert_eq!(cents(&r["input"]["revenue"].to_string()), 100_000);
    let tiers: Vec<(String, u64)> = report["tiers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["customers"].as_u64().unwrap() > 0)
        .map(|t| {
            (
                t["id"].as_str().unwrap().to_string(),
                t["customers"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(tiers, [("A".into(), 1), ("B".into(), 1), ("C".into(), 1)]);
    assert_eq!(report["inputs"][0]["format"], "scores (csv)");

    // Columns are typed as the scorer declares them: PostgreSQL's `t`/`f` booleans and
    // an engine's `2.0` for a whole number read back; text in a number column does not.
    let engine_forms = rows[1]
        .replace(",2,150.50,950.50,", ",2.0,150.50,950.50,")
        .replace("B,false,false,B", "B,f,t,B");
    let from_engine = write("engine.csv", &[header, rows[0], &engine_forms, rows[2]]);
    let engine = tiering()
        .args(["report", "--scores", &from_engine, "--format", "json"])
        .output()
        .unwrap();
    assert!(
        engine.status.success(),
        "{}",
        String::from_utf8_lossy(&engine.stderr)
    );
    let engine: serde_json::Value = serde_json::from_slice(&engine.stdout).unwrap();
    assert_eq!(engine["tiers"], report["tiers"]);
    let bad_money = rows[1].replace("150.50,10.00", "150.5x,10.00");
    let bad_rank = rows[1].replace(",2,150.50,950.50,", ",second,150.50,950.50,");
    let bad_flag = rows[1].replace("B,false,false,B", "B,maybe,false,B");
    let twice = rows[0];
    let other_date = rows[2].replace(",2026-03-31", ",2026-03-30");
    let cases: [(Vec<String>, &str); 8] = [
        (
            vec![
                "--scores".into(),
                write("rank.csv", &[header, rows[0], &bad_rank]),
            ],
            "line 3, column `pareto_rank`: not a whole number: `second`",
        ),
        (
            vec![
                "--scores".into(),
                write("flag.csv", &[header, rows[0], &bad_flag]),
            ],
            "line 3, column `upgrade_candidate`: not true or false: `maybe`",
        ),
        (
            vec![
                "--scores".into(),
                write("money.csv", &[header, rows[0], &bad_money]),
            ],
            "line 3, column `revenue`: not an amount: `150.5x`",
        ),
        (
            vec![
                "--scores".into(),
                write("twice.csv", &[header, rows[0], twice]),
            ],
            "lists customer `a` twice",
        ),
        (
            vec![
                "--scores".into(),
                write("dates.csv", &[header, rows[0], &other_date]),
            ],
            "mixes as-of dates (2026-03-30 to 2026-03-31)",
        ),
        (
            vec![
                "--scores".into(),
                good.clone(),
                "--scorer".into(),
                "rfm".into(),
            ],
            "holds pareto scores, not rfm",
        ),
        (
            vec![
                "--scores".into(),
                good.clone(),
                "--as-of".into(),
                "2026-03-01".into(),
            ],
            "--as-of 2026-03-01 differs from the scores' as-of date 2026-03-31",
        ),
        (
            vec![
                "--scores".into(),
                write(
                    "no_orders.csv",
                    &[&header.replace(",orders,", ",purchases,"), rows[0]],
                ),
            ],
            "orders",
        ),
    ];
    for (args, message) in cases {
        let output = tiering().arg("report").args(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_ne!(output.status.code(), Some(0), "{args:?}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    let both = tiering()
        .args(["report", "examples/orders.csv", "--scores", &good])
        .output()
        .unwrap();
    assert_eq!(both.status.code(), Some(2));
    let overwrite = tiering()
        .args(["report", "--scores", &good, "-o", &good, "--format", "md"])
        .output()
        .unwrap();
    assert_eq!(overwrite.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&overwrite.stderr)
            .contains("refusing to overwrite the scores file")
    );
    assert!(
        std::fs::read_to_string(&good)
            .unwrap()
            .starts_with("customer_id,")
    );
}

/// `report --scores` on files it could misread: a customer-export column named like
/// another scorer's column (a CRM's `stage`) does not change which scorer wrote the file;
/// tiers or scores the settings in force cannot give, negative counts and a file without
/// customers are refused; a zero-decimal currency is read with the digits it is written in.
#[test]
fn report_from_scores_refuses_what_it_would_describe_wrongly() {
    let dir = temp_dir();
    let at = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let score = |args: &[&str]| {
        let output = tiering().arg("score").args(args).output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    let json_of = crate::support::report_json;
    let refused = |args: &[&str], code: i32, message: &str| {
        let output = tiering().arg("report").args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(code), "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    };

    // A `stage` column (lifecycle's signature) in the customer export of a value run.
    let mut export = String::from("customer_id,stage\n");
    for line in std::fs::read_to_string("examples/customers.csv")
        .unwrap()
        .lines()
        .skip(1)
    {
        let id = line.split(',').next().unwrap();
        export.push_str(&format!("{id},lead\n"));
    }
    std::fs::write(at("stage.csv"), export).unwrap();
    let value = at("value.csv");
    score(&[
        "examples/orders.csv",
        "--customers",
        &at("stage.csv"),
        "--scorer",
        "value",
        "-o",
        &value,
    ]);
    let again = json_of(&["--scores", &value]);
    assert_eq!(again["scorer"], "value");
    let direct = json_of(&[
        "examples/orders.csv",
        "--customers",
        &at("stage.csv"),
        "--scorer",
        "value",
    ]);
    assert_eq!(again["tiers"], direct["tiers"]);

    // An export with another scorer's whole column set: the scorer whose columns come
    // first wrote the file.
    let mut crm = String::from("customer_id,cluster,distance,tier_id,tier\n");
    for line in std::fs::read_to_string("examples/customers.csv")
        .unwrap()
        .lines()
        .skip(1)
    {
        let id = line.split(',').next().unwrap();
        crm.push_str(&format!("{id},1,0.8,cluster_1,North\n"));
    }
    std::fs::write(at("crm.csv"), crm).unwrap();
    let rfm_crm = at("rfm_crm.csv");
    score(&[
        "examples/orders.csv",
        "--customers",
        &at("crm.csv"),
        "-o",
        &rfm_crm,
    ]);
    assert_eq!(json_of(&["--scores", &rfm_crm])["scorer"], "rfm");
    // k-means with 3 clusters, read back with the default 4.
    let k3 = at("k3.csv");
    score(&[
        "examples/orders.csv",
        "--scorer",
        "cluster",
        "--k",
        "3",
        "-o",
        &k3,
    ]);
    refused(
        &["--scores", &k3],
        2,
        "these options give cluster_1, cluster_2, cluster_3, cluster_4",
    );
    json_of(&["--scores", &k3, "--k", "3"]);
    // Pareto with four classes, read back with the default two cuts.
    let pareto = at("pareto.csv");
    score(&[
        "examples/orders.csv",
        "--scorer",
        "pareto",
        "--cuts",
        "50,80,95",
        "-o",
        &pareto,
    ]);
    refused(
        &["--scores", &pareto],
        2,
        "has tiers the pareto scorer does not give with these options: D",
    );
    json_of(&["--scores", &pareto, "--cuts", "50,80,95"]);
    // RFM with 3 bins, read back with 5.
    let rfm = at("rfm3.csv");
    score(&["examples/orders.csv", "--bins", "3", "-o", &rfm]);
    refused(
        &["--scores", &rfm],
        2,
        "was scored with other bins than this report's 5",
    );
    json_of(&["--scores", &rfm, "--bins", "3"]);
    // Negative purchases.
    let text = std::fs::read_to_string(&rfm).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let orders = lines[0].split(',').position(|h| h == "orders").unwrap();
    let mut cells: Vec<String> = lines[1].split(',').map(str::to_string).collect();
    cells[orders] = "-3".into();
    lines[1] = cells.join(",");
    std::fs::write(at("negative.csv"), lines.join("\n") + "\n").unwrap();
    refused(
        &["--scores", &at("negative.csv"), "--bins", "3"],
        3,
        "line 2, column `orders`: not a whole number, 0 or more: `-3`",
    );
    // One amount written with three decimals among amounts with two.
    let mut odd = lines.clone();
    let revenue = odd[0].split(',').position(|h| h == "revenue").unwrap();
    let mut cells: Vec<String> = odd[2].split(',').map(str::to_string).collect();
    cells[revenue] = "12.345".into();
    odd[2] = cells.join(",");
    std::fs::write(at("digits.csv"), odd.join("\n") + "\n").unwrap();
    refused(
        &["--scores", &at("digits.csv"), "--bins", "3"],
        2,
        "writes amounts with 2 and 3 decimals",
    );
    // A header without customers, as scores or as the previous tiers.
    std::fs::write(at("empty.csv"), format!("{}\n", lines[0])).unwrap();
    refused(&["--scores", &at("empty.csv")], 2, "holds no customers");
    refused(
        &["examples/orders.csv", "--previous", &at("empty.csv")],
        2,
        "holds no customers",
    );

    // Yen: no minor unit, written without decimals, read back as written.
    let yen = at("yen.csv");
    score(&["testdata/exports/jpy_orders.csv", "-o", &yen]);
    let direct = json_of(&["testdata/exports/jpy_orders.csv"]);
    let again = json_of(&["--scores", &yen]);
    assert_eq!(again["currency_decimals"], 0);
    assert_eq!(again["totals"], direct["totals"]);
}
