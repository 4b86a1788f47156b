//! `tiering init` writes a config that lints clean and scores exactly like the defaults;
//! `tiering check --config` reports configuration mistakes.

use crate::support::{root, temp_dir, tiering};

fn score_in(dir: &std::path::Path, scorer: &str) -> String {
    let output = tiering()
        .current_dir(dir)
        .arg("score")
        .arg(root().join("examples/orders.csv"))
        .args(["--scorer", scorer, "--format", "csv"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn init_writes_a_config_that_checks_clean_and_scores_like_the_defaults() {
    let configured = temp_dir();
    let plain = temp_dir();
    tiering()
        .current_dir(configured.path())
        .arg("init")
        .assert()
        .success();
    let text = std::fs::read_to_string(configured.path().join("tiering.toml")).unwrap();
    assert!(text.contains("[playbook.champions.zh]") && text.contains("[[rfm.segment]]"));
    let check = tiering()
        .current_dir(configured.path())
        .args(["check", "--config", "tiering.toml"])
        .output()
        .unwrap();
    let report = String::from_utf8(check.stdout).unwrap();
    assert_eq!(check.status.code(), Some(0), "{report}");
    assert!(
        report.starts_with("config `tiering.toml`: 0 errors, 0 warnings"),
        "{report}"
    );
    for scorer in [
        "rfm",
        "pareto",
        "profit",
        "rules",
        "lifecycle",
        "value",
        "health",
        "cluster",
    ] {
        assert_eq!(
            score_in(configured.path(), scorer),
            score_in(plain.path(), scorer),
            "{scorer}"
        );
    }
    tiering()
        .current_dir(configured.path())
        .arg("init")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("already exists"));
    tiering()
        .current_dir(configured.path())
        .args(["init", "--force"])
        .assert()
        .success();
}

#[test]
fn check_lints_every_kind_of_config_mistake() {
    let dir = temp_dir();
    std::fs::write(
        dir.path().join("bad.toml"),
        r#"
[[rfm.segment]]
id = "everyone"
r = "1-5"
f = "1-5"
m = "1-5"

[[rfm.segment]]
id = "never"
r = "5"
f = "5"
m = "5"

[profit]
factors = [{ metric = "profit", weight = 0.7 }, { metric = "orders", weight = 0.2 }]

[clv]
cuts = [50.0, 20.0]

[[rules]]
tier = "big"
when = "revenue_12m >= 100000000"

[[rules]]
tier = "vip"
when = "vip_flag = 'Y'"

[[rules]]
tier = "rest"
"#,
    )
    .unwrap();
    let output = tiering()
        .current_dir(dir.path())
        .args(["check", "--config", "bad.toml"])
        .output()
        .unwrap();
    let report = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(2), "{report}");
    for expected in [
        "error: [profit] factor weights sum to 0.9",
        "error: [clv] cuts = [50.0, 20.0] must be two increasing percentages below 100",
        "warning: segment rule 2 (`never`) never fires",
        "warning: a threshold rule uses `vip_flag`, which is no metric, window or steadiness metric",
        "warning: the playbook has no strategy for: everyone, never, big, vip, rest",
    ] {
        assert!(
            report.contains(expected),
            "missing `{expected}` in:\n{report}"
        );
    }
    // With data: the rule nobody reaches.
    std::fs::write(
        dir.path().join("rules.toml"),
        "[[rules]]\ntier = \"big\"\nwhen = \"revenue_12m >= 100000000\"\n[[rules]]\ntier = \"rest\"\n",
    )
    .unwrap();
    let output = tiering()
        .current_dir(dir.path())
        .args(["check", "--config", "rules.toml"])
        .arg(root().join("examples/orders.csv"))
        .output()
        .unwrap();
    let report = String::from_utf8(output.stdout).unwrap();
    assert!(
        report.contains("threshold rule 1 (tier `big`) matches nobody in the data"),
        "{report}"
    );
    tiering()
        .current_dir(dir.path())
        .arg("check")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("nothing to check"));
}
