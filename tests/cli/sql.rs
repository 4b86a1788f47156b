//! `tiering sql` on real engines: the script for each dialect runs on DuckDB, PostgreSQL
//! (a throwaway cluster) and Spark (local mode), via tests/crosscheck/sql_engine.py, and
//! every engine's rows must equal `tiering score`'s, customer by customer, column by
//! column.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{
    available_or_skipped, parse_csv, program_available, python_modules_available, report_json,
    root, score_text, temp_dir, tiering,
};

/// One scoring to check: a name, the source file and the options.
struct Case {
    name: &'static str,
    source: PathBuf,
    options: Vec<&'static str>,
}

/// Order lines with many equal values (amounts from a short list, shared dates), returns,
/// return-only orders and lines after the as-of date used below.
fn tie_heavy_orders(dir: &Path) -> PathBuf {
    let path = dir.join("ties.csv");
    let mut text = String::from("order_id,customer_id,order_date,amount,cost\n");
    let mut state: u64 = 42;
    let mut next = |modulo: u64| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) % modulo
    };
    for order in 0..900 {
        let customer = next(150);
        let day = 1 + next(28);
        let month = 1 + next(11);
        let lines = 1 + next(3);
        for _ in 0..lines {
            let amount = [10, 20, 20, 50, 100][next(5) as usize];
            let sign = if next(25) == 0 { "-" } else { "" };
            let cost = amount / 2;
            text.push_str(&format!(
                "T{order},c{customer:03},2026-{month:02}-{day:02},{sign}{amount}.00,{cost}.50\n"
            ));
        }
    }
    std::fs::write(dir.join("ties.tsv"), text.replace(',', "\t")).unwrap();
    std::fs::write(&path, text).unwrap();
    path
}

/// Threshold rules over metrics, money in currency units and every kind of window
/// (days, weeks, months clamped at month ends, years), with NULL recency for customers
/// without a purchase.
const RULES: &str = r#"
[[rules]]
tier = "strategic"
when = "revenue_12m >= 3000 AND orders_90d >= 2"

[[rules]]
tier = "key"
when = "revenue >= 1500.50 OR orders_4w >= 2 OR revenue_1m >= 700 OR revenue_2y > 4000"

[[rules]]
tier = "key"
when = "recency_days <= 30 AND return_lines > 0 AND aov > 100"

[[rules]]
tier = "key"
when = "active_months_12m >= 4 AND revenue_cv_12m < 1.1"

[[rules]]
tier = "ordinary"
"#;

/// Profit with a cost-to-serve rate that lands on half minor units (0.125 × orders), four
/// tiers and factors of every kind in both directions: integer metrics, money, the return
/// rate; ties everywhere in the tie-heavy data.
const PROFIT: &str = r#"
[profit]
per_order = 0.125
per_return_line = 2.5
tiers = "10/20/30/40"
factors = [
  { metric = "profit", weight = 0.35 },
  { metric = "orders", weight = 0.15 },
  { metric = "recency_days", weight = 0.15, direction = "lower" },
  { metric = "return_rate", weight = 0.1, direction = "lower" },
  { metric = "aov", weight = 0.1 },
  { metric = "tenure_days", weight = 0.075 },
  { metric = "return_lines", weight = 0.075, direction = "lower" },
]
"#;

/// A customer export for the tie-heavy orders: most of their customers, two without
/// orders, text and decimal columns with blanks, and a column named like a metric
/// (`orders`, passed through as `customer_orders`).
fn tie_customers(dir: &Path) -> &'static str {
    let mut text = String::from("customer_id,region,support_tickets,receivable_days,orders\n");
    for i in (0..150).filter(|i| i % 7 != 3) {
        let region = ["North", "South", "", "East"][i % 4];
        let tickets = ["0", "2", "0.5", "", "3.25", "1"][i % 6];
        let days = ["30", "60", "0", "120", "45.5"][i % 5];
        text.push_str(&format!("c{i:03},{region},{tickets},{days},{}\n", i % 3));
    }
    text.push_str("x001,North,4,30,0\nx002,,,,\n");
    config_file(dir, "customers.csv", &text)
}

/// Rules over customer-export columns (text) with windows and metrics.
const RULES_EXPORT: &str = r#"
[[rules]]
tier = "key"
when = "region = 'North' AND orders_90d >= 1"

[[rules]]
tier = "key"
when = "customer_orders = '2' AND revenue > 300"

[[rules]]
tier = "ordinary"
"#;

/// Profit with every cost part from the customer export and a factor over an export
/// column.
const PROFIT_EXPORT: &str = r#"
[profit]
per_order = 1.5
customer_costs = [{ column = "support_tickets", per_unit = 12.5 }]
capital = { days_column = "receivable_days", annual_rate = 0.073 }
factors = [
  { metric = "profit", weight = 0.5 },
  { metric = "receivable_days", weight = 0.3, direction = "lower" },
  { metric = "support_tickets", weight = 0.2, direction = "lower" },
]
"#;

/// Writes a config file in `dir` that lives as long as the test.
fn config_file(dir: &Path, name: &str, text: &str) -> &'static str {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    Box::leak(path.to_str().unwrap().to_string().into_boxed_str())
}

fn cases(dir: &Path) -> Vec<Case> {
    let examples = root().join("examples/orders.csv");
    let config = config_file(dir, "rules.toml", RULES);
    let profit = config_file(dir, "profit.toml", PROFIT);
    let customers = tie_customers(dir);
    let rules_export = config_file(dir, "rules_export.toml", RULES_EXPORT);
    let profit_export = config_file(dir, "profit_export.toml", PROFIT_EXPORT);
    let ties = tie_heavy_orders(dir);
    let case = |name, source: &PathBuf, options: &[&'static str]| Case {
        name,
        source: source.clone(),
        options: options.to_vec(),
    };
    vec![
        case("rfm_examples", &examples, &[]),
        case(
            "rfm_split_4_bins_as_of",
            &examples,
            &["--bins", "4", "--ties", "split", "--as-of", "2026-09-30"],
        ),
        case("rfm_ties", &ties, &["--as-of", "2026-10-15"]),
        case("rfm_ties_10_bins", &ties, &["--bins", "10"]),
        case(
            "rfm_breaks",
            &ties,
            &[
                "--breaks",
                "recency_days=30,90,180,365",
                "--breaks",
                "revenue=50,100.50,200,400",
                "--as-of",
                "2026-10-15",
            ],
        ),
        case(
            "rfm_ties_split",
            &ties,
            &["--ties", "split", "--lang", "zh"],
        ),
        case("pareto_examples", &examples, &["--scorer", "pareto"]),
        case(
            "pareto_profit_count",
            &examples,
            &[
                "--scorer", "pareto", "--basis", "profit", "--by", "count", "--cuts", "70/20/10",
            ],
        ),
        case(
            "pareto_ties",
            &ties,
            &["--scorer", "pareto", "--as-of", "2026-08-31"],
        ),
        case(
            "rfm_no_order_id",
            &root().join("testdata/no_order_id.csv"),
            &[],
        ),
        case(
            "rules_examples",
            &examples,
            &["--scorer", "rules", "--config", config],
        ),
        case(
            "rules_month_end_as_of",
            &examples,
            &[
                "--scorer",
                "rules",
                "--config",
                config,
                "--as-of",
                "2026-03-31",
            ],
        ),
        case(
            "rules_ties",
            &ties,
            &["--scorer", "rules", "--config", config, "--lang", "zh"],
        ),
        case("rules_default_rules", &examples, &["--scorer", "rules"]),
        case("profit_examples", &examples, &["--scorer", "profit"]),
        case(
            "profit_ties_costs",
            &ties,
            &[
                "--scorer",
                "profit",
                "--config",
                profit,
                "--as-of",
                "2026-09-30",
            ],
        ),
        case(
            "profit_ties_zh",
            &ties,
            &["--scorer", "profit", "--lang", "zh"],
        ),
        case("rfm_customers", &ties, &["--customers", customers]),
        case(
            "rules_customers",
            &ties,
            &[
                "--scorer",
                "rules",
                "--config",
                rules_export,
                "--customers",
                customers,
            ],
        ),
        case(
            "profit_customers",
            &ties,
            &[
                "--scorer",
                "profit",
                "--config",
                profit_export,
                "--customers",
                customers,
            ],
        ),
        case(
            "profit_no_cost",
            &root().join("testdata/no_order_id.csv"),
            &["--scorer", "profit", "--config", profit],
        ),
    ]
}

fn engines() -> Vec<(&'static str, &'static str)> {
    let mut engines = Vec::new();
    if python_modules_available("duckdb", "DuckDB SQL check", "pip install duckdb") {
        engines.push(("duckdb", "duckdb"));
    }
    let server = available_or_skipped(
        Path::new("/usr/lib/postgresql").exists(),
        "PostgreSQL SQL check",
        "no PostgreSQL server binaries in /usr/lib/postgresql",
        "apt-get install postgresql",
    );
    if server && program_available("psql", "PostgreSQL SQL check", "apt-get install postgresql") {
        engines.push(("postgres", "postgres"));
    }
    if python_modules_available("pyspark", "Spark SQL check", "pip install pyspark") {
        engines.push(("spark", "spark"));
    }
    engines
}

#[test]
fn every_engine_gives_the_tiers_of_score() {
    let dir = temp_dir();
    let cases = cases(dir.path());
    let engines = engines();
    let names: Vec<&str> = engines.iter().map(|(e, _)| *e).collect();
    let _ = std::io::Write::write_all(
        &mut std::io::stderr(),
        format!("tiering sql checked on: {}\n", names.join(", ")).as_bytes(),
    );
    for (engine, dialect) in engines {
        let out = dir.path().join(engine);
        std::fs::create_dir(&out).unwrap();
        let mut scripts = Vec::new();
        for case in &cases {
            let script = dir.path().join(format!("{engine}-{}.sql", case.name));
            let output = tiering()
                .args([
                    "sql",
                    "--dialect",
                    dialect,
                    "--source",
                    case.source.to_str().unwrap(),
                    "-o",
                    script.to_str().unwrap(),
                ])
                .args(&case.options)
                .output()
                .unwrap();
            assert!(
                output.status.success(),
                "{}: {}",
                case.name,
                String::from_utf8_lossy(&output.stderr)
            );
            scripts.push(script);
        }
        let run = Command::new("python3")
            .arg(root().join("tests/crosscheck/sql_engine.py"))
            .arg(engine)
            .arg(&out)
            .args(&scripts)
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "{engine}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        for (case, script) in cases.iter().zip(&scripts) {
            let name = script.file_name().unwrap().to_string_lossy();
            let engine_rows = std::fs::read_to_string(out.join(format!("{name}.csv"))).unwrap();
            let mut args = vec![case.source.to_str().unwrap()];
            args.extend(&case.options);
            let expected = score_text(&args);
            let what = format!("{engine} {}", case.name);
            assert_same_rows(&what, &engine_rows, &expected);
            let engine_file = out.join(format!("{name}.csv"));
            assert_same_report(&what, &engine_file, case);
        }
    }
}

/// Columns `score` writes as floats and the engines as exact decimals: equal as numbers
/// (the decimal's nearest float), whatever the digits printed.
fn is_decimal_column(column: &str) -> bool {
    [
        "return_rate",
        "return_rate_value",
        "score",
        "revenue_cv_12m",
    ]
    .contains(&column)
        || column.ends_with("_pct")
        || column.ends_with("_points")
}

/// Every column of the engine's result equals the same column of `score`'s, for every
/// customer (shares to 1e-9, as floats print differently; decimals as numbers).
fn assert_same_rows(what: &str, engine: &str, expected: &str) {
    let engine_rows = parse_csv(engine);
    let score_rows = parse_csv(expected);
    assert_eq!(
        engine_rows.keys().collect::<Vec<_>>(),
        score_rows.keys().collect::<Vec<_>>(),
        "{what}: customers"
    );
    let order: Vec<&str> = engine
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    let mut sorted = order.clone();
    sorted.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    assert_eq!(order, sorted, "{what}: rows sorted by customer_id");
    let mut compared: BTreeMap<String, usize> = BTreeMap::new();
    for (customer, row) in &engine_rows {
        let want = &score_rows[customer];
        for (column, value) in row {
            let Some(expected) = want.get(column) else {
                panic!("{what}: score has no column {column}");
            };
            let same = if column == "cum_share" && !value.is_empty() {
                (value.parse::<f64>().unwrap() - expected.parse::<f64>().unwrap()).abs() < 1e-9
            } else if is_decimal_column(column) && !value.is_empty() {
                value.parse::<f64>().unwrap() == expected.parse::<f64>().unwrap()
            } else {
                value == expected
            };
            assert!(
                same,
                "{what}: {customer} {column}: engine {value:?}, score {expected:?}"
            );
            *compared.entry(column.clone()).or_default() += 1;
        }
    }
    let mut must = vec!["orders", "revenue", "aov"];
    if score_rows
        .values()
        .next()
        .is_some_and(|r| r.contains_key("score"))
    {
        must.extend(["score", "cost_to_serve", "return_rate", "tier_id"]);
    }
    for column in must {
        assert!(
            compared.get(column).is_some_and(|n| *n > 0),
            "{what}: {column} compared"
        );
    }
}

/// The report built from the engine's scores (`report --scores`) says what the report
/// built from the order lines says: scorer and options, as-of, every tier row, the
/// totals, the warnings, and every customer's cells (the engine's result has no RFM score
/// ranges; cum_share is compared above). Its reconciliation is against the scores file.
fn assert_same_report(what: &str, engine_file: &Path, case: &Case) {
    let mut from_scores = vec!["--scores", engine_file.to_str().unwrap()];
    // The scores hold the export's columns already.
    let mut options = case.options.iter();
    while let Some(option) = options.next() {
        if *option == "--customers" {
            options.next();
        } else {
            from_scores.push(option);
        }
    }
    let mut from_lines = vec![case.source.to_str().unwrap()];
    from_lines.extend(&case.options);
    let (scores, lines) = (report_json(&from_scores), report_json(&from_lines));
    for key in [
        "scorer",
        "scorer_options",
        "as_of",
        "tiers",
        "totals",
        "warnings",
    ] {
        assert_eq!(scores[key], lines[key], "{what}: report {key}");
    }
    let reconciliation = &scores["reconciliation"];
    assert_eq!(reconciliation["against"], "scores_file", "{what}");
    assert_eq!(reconciliation["matches"], true, "{what}");
    assert_eq!(
        reconciliation["input"], lines["reconciliation"]["input"],
        "{what}: the scores file holds the input's customers, orders and revenue"
    );
    let (ours, theirs) = (
        scores["customers"].as_array().unwrap(),
        lines["customers"].as_array().unwrap(),
    );
    assert_eq!(ours.len(), theirs.len(), "{what}: report customers");
    for (a, b) in ours.iter().zip(theirs) {
        for (column, value) in a.as_object().unwrap() {
            if column != "cum_share" {
                assert_eq!(
                    value, &b[column],
                    "{what}: report customer {} {column}",
                    a["customer_id"]
                );
            }
        }
    }
}

/// Profit parts and factors over columns that are neither metrics nor columns of the
/// joined customer export are refused, naming the column and what there is.
#[test]
fn sql_refuses_profit_columns_it_does_not_have() {
    let dir = temp_dir();
    for (config, message) in [
        (
            "[profit]\ncustomer_costs = [{ column = \"support_tickets\", per_unit = 12.5 }]\n",
            "[profit] reads `support_tickets` from the customer export, and the script has no such column",
        ),
        (
            "[profit]\ncapital = { days_column = \"receivable_days\", annual_rate = 0.08 }\n",
            "[profit] reads `receivable_days` from the customer export",
        ),
        (
            "[profit]\nfactors = [{ metric = \"nps\", weight = 1.0 }]\n",
            "the [profit] factor `nps` is neither a metric nor a customer-export column",
        ),
    ] {
        let path = dir.path().join("tiering.toml");
        std::fs::write(&path, config).unwrap();
        let output = tiering()
            .args([
                "sql",
                "--dialect",
                "duckdb",
                "--source",
                "examples/orders.csv",
            ])
            .args(["--scorer", "profit", "--config", path.to_str().unwrap()])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{config}: {stderr}");
        assert!(stderr.contains(message), "{config}: {stderr}");
    }
}

/// What SQL cannot express (yet) is refused with a message, not approximated.
#[test]
fn sql_refuses_what_it_cannot_write() {
    let cases: [(&[&str], i32, &str); 6] = [
        (
            &[
                "--dialect",
                "duckdb",
                "--source",
                "examples/orders.csv",
                "--customers",
                "crm.customers",
            ],
            2,
            "the columns of the table `crm.customers` are unknown",
        ),
        (
            &[
                "--dialect",
                "spark",
                "--source",
                "testdata/rfm_small.csv",
                "--scorer",
                "pareto",
                "--basis",
                "profit",
            ],
            2,
            "--basis profit needs a cost column",
        ),
        (
            &["--scorer", "lifecycle"],
            2,
            "no SQL for the lifecycle scorer",
        ),
        (
            &["--scorer", "pareto", "--method", "computed"],
            2,
            "Pareto with fixed cuts only",
        ),
        (
            &["--dialect", "postgres", "--source", "orders.parquet"],
            2,
            "is not a file here",
        ),
        (
            &["--dialect", "duckdb", "--source", "examples/customers.csv"],
            3,
            "order_date",
        ),
    ];
    for (args, code, message) in cases {
        let mut command = tiering();
        command.arg("sql");
        if !args.contains(&"--dialect") {
            command.args(["--dialect", "duckdb", "--source", "examples/orders.csv"]);
        }
        let output = command.args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(code), "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
}
