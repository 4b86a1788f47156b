//! tiering.toml: found in the working directory or via --config; CLI flags win.

use crate::support::{cells, parse_csv, root, success_rows, temp_dir, tiering};

fn score_in(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    let input = root().join("testdata/rfm_small.csv");
    tiering()
        .current_dir(dir)
        .arg("score")
        .arg(input)
        .args(["--as-of", "2024-12-31", "--format", "csv"])
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn config_in_working_directory_sets_bins_and_overrides_strategies() {
    let dir = temp_dir();
    std::fs::write(
        dir.path().join("tiering.toml"),
        "[rfm]\nbins = 3\n\n[playbook.cant_lose.en]\nstrategy = \"Call them this week.\"\n",
    )
    .unwrap();
    let output = score_in(dir.path(), &[]);
    let rows = success_rows(output);
    assert_eq!(
        cells(&rows, "K3", &["r_score", "f_score", "m_score"]),
        "2 3 2"
    );
    assert_eq!(cells(&rows, "K6", &["strategy"]), "Call them this week.");
    // The command line wins over the file.
    let output = score_in(dir.path(), &["--bins", "5"]);
    let rows = parse_csv(&String::from_utf8(output.stdout).unwrap());
    assert_eq!(
        cells(&rows, "K3", &["r_score", "f_score", "m_score"]),
        "3 4 2"
    );
}

#[test]
fn config_errors_name_the_key_and_exit_2() {
    let dir = temp_dir();
    std::fs::write(dir.path().join("tiering.toml"), "[rfm]\nbinz = 3\n").unwrap();
    let output = score_in(dir.path(), &[]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("binz") && stderr.contains("line 2"),
        "{stderr}"
    );
    let missing = tiering()
        .args(["score", "testdata/returns.csv", "--config", "no-such.toml"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn config_segment_map_with_gaps_is_rejected() {
    let dir = temp_dir();
    std::fs::write(
        dir.path().join("tiering.toml"),
        "[[rfm.segment]]\nid = \"champions\"\nr = \"5\"\nf = \"1-5\"\nm = \"1-5\"\n",
    )
    .unwrap();
    let output = score_in(dir.path(), &[]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("does not cover 100 of the 125 codes"),
        "{stderr}"
    );
}

#[test]
fn config_mistakes_have_clear_messages() {
    let cases = [
        ("config_unknown_key", "[rfm]\nbinz = 3\n"),
        ("config_wrong_type", "[rfm]\nbins = \"five\"\n"),
        ("config_unknown_section", "[rfmm]\nbins = 3\n"),
        ("config_unknown_scorer", "[score]\nscorer = \"abc\"\n"),
        ("config_bad_cuts", "[pareto]\ncuts = \"95,80\"\n"),
        ("config_bins_out_of_range", "[rfm]\nbins = 12\n"),
        (
            "config_bad_segment_range",
            "[[rfm.segment]]\nid = \"x\"\nr = \"0-9\"\nf = \"1-5\"\nm = \"1-5\"\n",
        ),
        ("config_unknown_column", "[columns]\ncustomer = \"Kunde\"\n"),
        ("config_bad_clv_horizon", "[clv]\nhorizon = \"3 months\"\n"),
    ];
    for (name, text) in cases {
        let dir = temp_dir();
        std::fs::write(dir.path().join("tiering.toml"), text).unwrap();
        let output = score_in(dir.path(), &[]);
        assert_eq!(output.status.code(), Some(2), "{name}");
        insta::assert_snapshot!(name, String::from_utf8_lossy(&output.stderr));
    }
}
