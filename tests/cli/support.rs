//! Helpers: run the real binary from the project root, parse its CSV output.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The binary, run from the project root with a neutral locale and no config.
pub fn tiering() -> Command {
    let mut command = Command::cargo_bin("tiering").expect("binary built");
    command
        .current_dir(root())
        .env_remove("LANG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("TIERING_LANG")
        .env_remove("TIERING_CONFIG")
        .env("RUST_BACKTRACE", "0");
    command
}

/// The project root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fresh temporary directory.
pub fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

/// One output row: column name -> cell text.
pub type Row = BTreeMap<String, String>;

/// Parse CSV text into rows keyed by customer_id (or the first column).
pub fn parse_csv(text: &str) -> BTreeMap<String, Row> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().expect("header").clone();
    let mut rows = BTreeMap::new();
    for record in reader.records() {
        let record = record.expect("record");
        let row: Row = headers
            .iter()
            .zip(record.iter())
            .map(|(h, v)| (h.to_string(), v.to_string()))
            .collect();
        rows.insert(record[0].to_string(), row);
    }
    rows
}

/// Run `tiering score ARGS --format csv`, expecting success; rows by customer.
pub fn score(args: &[&str]) -> BTreeMap<String, Row> {
    parse_csv(&score_text(args))
}

/// Run `tiering score ARGS --format csv`, expecting success; the raw stdout.
pub fn score_text(args: &[&str]) -> String {
    let output = tiering()
        .arg("score")
        .args(args)
        .args(["--format", "csv"])
        .output()
        .expect("run");
    assert!(
        output.status.success(),
        "tiering score {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8 output")
}

/// The per-customer rows a successful run printed as CSV; a failed run fails the test
/// with its stderr.
pub fn success_rows(output: std::process::Output) -> BTreeMap<String, Row> {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    parse_csv(&String::from_utf8(output.stdout).expect("utf-8 output"))
}

/// The given columns of one customer, joined by spaces, for compact assertions.
pub fn cells(rows: &BTreeMap<String, Row>, customer: &str, columns: &[&str]) -> String {
    let row = rows
        .get(customer)
        .unwrap_or_else(|| panic!("no customer {customer} in {:?}", rows.keys()));
    columns
        .iter()
        .map(|c| {
            row.get(*c)
                .unwrap_or_else(|| panic!("no column {c}"))
                .as_str()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Assert the given columns of several customers: `(customer, "v1 v2 ...")`.
pub fn assert_cells(rows: &BTreeMap<String, Row>, columns: &[&str], expected: &[(&str, &str)]) {
    for (customer, want) in expected {
        assert_eq!(cells(rows, customer, columns), *want, "{customer}");
    }
}

/// Path of a file under testdata/.
pub fn testdata(name: &str) -> String {
    Path::new("testdata").join(name).display().to_string()
}

/// Whether `python3 -c "import <modules>"` works. When it does not, the test is skipped
/// with a visible message, or fails under TIERING_REQUIRE_EXTERNAL=1.
pub fn python_modules_available(modules: &str, what: &str, install: &str) -> bool {
    let ok = std::process::Command::new("python3")
        .args(["-c", &format!("import {modules}")])
        .output()
        .is_ok_and(|o| o.status.success());
    available_or_skipped(
        ok,
        what,
        &format!("python3 cannot import {modules}"),
        install,
    )
}

/// `available`, after saying so when it is not: a visible SKIPPED line, or a failure under
/// TIERING_REQUIRE_EXTERNAL=1 (CI installs every outside tool).
pub fn available_or_skipped(available: bool, what: &str, missing: &str, install: &str) -> bool {
    if !available {
        assert!(
            !external_required(),
            "TIERING_REQUIRE_EXTERNAL=1 but {missing} ({install})"
        );
        // Written to the stderr handle directly: libtest captures eprintln!, and a skip
        // must be visible in a plain `cargo test` run.
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            format!("SKIPPED {what}: {missing} ({install})\n").as_bytes(),
        );
    }
    available
}

/// Whether external cross-check tools are required (CI) rather than optional.
pub fn external_required() -> bool {
    std::env::var("TIERING_REQUIRE_EXTERNAL").is_ok_and(|v| v == "1")
}

/// Whether `program` runs (`program --version`). When it does not, the test is skipped
/// with a visible message, or fails under TIERING_REQUIRE_EXTERNAL=1.
pub fn program_available(program: &str, what: &str, install: &str) -> bool {
    let ok = std::process::Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    available_or_skipped(ok, what, &format!("`{program}` is not installed"), install)
}

/// The run failed with exit `code` and its stderr names every one of `needles`.
pub fn assert_fails(output: &std::process::Output, code: i32, needles: &[&str]) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(code), "{stderr}");
    for needle in needles {
        assert!(stderr.contains(needle), "missing `{needle}` in: {stderr}");
    }
}

/// Every sheet of `workbook` as LibreOffice reads it, converted headless to CSV files in
/// `dir` (`<stem>-<sheet>.csv`); returns a reader of one sheet's rows.
pub fn libreoffice_sheets(
    workbook: &Path,
    dir: &Path,
) -> impl Fn(&str) -> Vec<Vec<String>> + use<> {
    let converted = dir.join("csv");
    let output = std::process::Command::new("libreoffice")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            dir.join("lo-profile").display()
        ))
        .args([
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
            "--outdir",
        ])
        .arg(&converted)
        .arg(workbook)
        .output()
        .expect("run libreoffice");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stem = workbook.file_stem().unwrap().to_string_lossy().into_owned();
    move |name: &str| {
        let path = converted.join(format!("{stem}-{name}.csv"));
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_path(&path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        reader
            .records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect())
            .collect()
    }
}

/// Headless Chromium on `page` with `extra` arguments (`--dump-dom`, `--screenshot=…`),
/// its profile in `dir`.
pub fn chromium(page: &Path, dir: &Path, extra: &[&str]) -> std::process::Output {
    let output = std::process::Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!(
            "--user-data-dir={}",
            dir.join("chromium-profile").display()
        ))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("run chromium");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// `tiering report ARGS --format json`, expecting success; stdout parsed.
pub fn report_json(args: &[&str]) -> serde_json::Value {
    let output = tiering()
        .arg("report")
        .args(args)
        .args(["--format", "json"])
        .output()
        .expect("run");
    assert!(
        output.status.success(),
        "report {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("JSON report")
}
