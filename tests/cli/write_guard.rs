//! No path the tool writes may replace a file it reads — orders, customer export,
//! configuration, previous tiers, scores file, SQL source — by path, symlink or hard
//! link; two outputs of one run may not share a file; special files (FIFOs, devices,
//! /dev/stdout) are written in place, never replaced by a regular file.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::support::{temp_dir, tiering};

/// A working directory holding every kind of input, with their original bytes.
struct Inputs {
    dir: tempfile::TempDir,
}

const FILES: [(&str, &str); 4] = [
    ("orders.csv", "examples/orders.csv"),
    ("customers.csv", "examples/customers.csv"),
    ("week1.csv", "testdata/report/week1.csv"),
    ("week2.csv", "testdata/report/week2.csv"),
];

impl Inputs {
    fn new() -> Inputs {
        let dir = temp_dir();
        for (name, source) in FILES {
            std::fs::copy(crate::support::root().join(source), dir.path().join(name)).unwrap();
        }
        std::fs::write(dir.path().join("tiering.toml"), "[rfm]\nbins = 5\n").unwrap();
        // Earlier tiers and a scores file, as `report` and `score` write them.
        let ok = tiering()
            .current_dir(dir.path())
            .args([
                "report",
                "week1.csv",
                "--as-of",
                "2026-10-31",
                "--output-dir",
                ".",
            ])
            .output()
            .unwrap();
        assert!(
            ok.status.success(),
            "{}",
            String::from_utf8_lossy(&ok.stderr)
        );
        let ok = tiering()
            .current_dir(dir.path())
            .args([
                "score",
                "week2.csv",
                "--as-of",
                "2026-11-30",
                "-o",
                "scores.csv",
            ])
            .output()
            .unwrap();
        assert!(
            ok.status.success(),
            "{}",
            String::from_utf8_lossy(&ok.stderr)
        );
        Inputs { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn snapshot(&self) -> Vec<(String, Vec<u8>)> {
        let mut files: Vec<_> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file())
            .map(|p| {
                (
                    p.file_name().unwrap().to_string_lossy().into_owned(),
                    std::fs::read(&p).unwrap(),
                )
            })
            .collect();
        files.sort();
        files
    }

    fn run(&self, args: &[String]) -> Output {
        tiering()
            .current_dir(self.dir.path())
            .args(args)
            .output()
            .unwrap()
    }
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

/// The commands, each with `{OUT}` where one of its writer options takes a path.
fn writer_commands() -> Vec<(&'static str, Vec<&'static str>)> {
    let score = [
        "score",
        "orders.csv",
        "--customers",
        "customers.csv",
        "--config",
        "tiering.toml",
    ];
    let report = [
        "report",
        "week2.csv",
        "--previous",
        "tiers-2026-10-31.parquet",
        "--config",
        "tiering.toml",
    ];
    let mut commands: Vec<(&str, Vec<&str>)> = Vec::new();
    let with = |base: &[&'static str], tail: &[&'static str]| {
        let mut v = base.to_vec();
        v.extend_from_slice(tail);
        v
    };
    commands.push(("-o", with(&score, &["-o", "{OUT}", "--format", "csv"])));
    commands.push(("--rejects", with(&score, &["--rejects", "{OUT}"])));
    commands.push((
        "--fit-report",
        with(&score, &["--scorer", "clv", "--fit-report", "{OUT}"]),
    ));
    commands.push(("-o", with(&report, &["-o", "{OUT}", "--format", "md"])));
    commands.push((
        "--rejects",
        with(&report, &["--rejects", "{OUT}", "--format", "md"]),
    ));
    commands.push((
        "-o",
        vec![
            "report",
            "--scores",
            "scores.csv",
            "-o",
            "{OUT}",
            "--format",
            "md",
        ],
    ));
    commands.push((
        "-o",
        vec![
            "sql",
            "--dialect",
            "duckdb",
            "--source",
            "week2.csv",
            "--customers",
            "customers.csv",
            "-o",
            "{OUT}",
        ],
    ));
    commands.push((
        "-o",
        vec![
            "backtest",
            "orders.csv",
            "--calibration-end",
            "2026-06-30",
            "-o",
            "{OUT}",
            "--format",
            "csv",
        ],
    ));
    commands
}

/// Every writer option of every command, pointed at every input, directly, through a
/// symlink and through a hard link: refused with exit 2, every file byte-identical.
#[test]
fn no_writer_path_ever_replaces_an_input() {
    let inputs = Inputs::new();
    let targets = [
        "orders.csv",
        "customers.csv",
        "tiering.toml",
        "week2.csv",
        "tiers-2026-10-31.parquet",
        "scores.csv",
    ];
    std::os::unix::fs::symlink(inputs.path("orders.csv"), inputs.path("link-orders.csv")).unwrap();
    std::fs::hard_link(
        inputs.path("customers.csv"),
        inputs.path("hard-customers.csv"),
    )
    .unwrap();
    let before = inputs.snapshot();
    let mut refused = 0;
    for (option, command) in writer_commands() {
        let reads: Vec<&str> = command
            .iter()
            .copied()
            .filter(|a| targets.contains(a))
            .collect();
        let mut outs: Vec<&str> = reads.clone();
        if reads.contains(&"orders.csv") {
            outs.push("link-orders.csv");
        }
        if reads.contains(&"customers.csv") {
            outs.push("hard-customers.csv");
        }
        for out in outs {
            let args: Vec<String> = command
                .iter()
                .map(|a| {
                    if *a == "{OUT}" {
                        out.to_string()
                    } else {
                        a.to_string()
                    }
                })
                .collect();
            let output = inputs.run(&args);
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
            assert!(
                stderr.contains("refusing to overwrite the") && stderr.contains(option),
                "{args:?}: {stderr}"
            );
            assert_eq!(inputs.snapshot(), before, "{args:?} changed a file");
            refused += 1;
        }
    }
    assert!(refused >= 25, "only {refused} cases ran");
}

#[test]
fn output_dir_never_replaces_the_previous_tiers() {
    let inputs = Inputs::new();
    let before = inputs.snapshot();
    // Re-running the week-1 report with its own tier file as --previous.
    let output = inputs.run(&strings(&[
        "report",
        "week1.csv",
        "--as-of",
        "2026-10-31",
        "--previous",
        "tiers-2026-10-31.parquet",
        "--output-dir",
        ".",
    ]));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(
            "refusing to overwrite the previous tiers `tiers-2026-10-31.parquet` with --output-dir"
        ),
        "{stderr}"
    );
    assert_eq!(inputs.snapshot(), before);
}

#[test]
fn two_outputs_of_one_run_never_share_a_file() {
    let inputs = Inputs::new();
    for args in [
        [
            "score",
            "orders.csv",
            "-o",
            "out.csv",
            "--rejects",
            "out.csv",
        ],
        [
            "score",
            "orders.csv",
            "-o",
            "out.csv",
            "--rejects",
            "./out.csv",
        ],
    ] {
        let output = inputs.run(&strings(&args));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("one would overwrite the other"), "{stderr}");
        assert!(!inputs.path("out.csv").exists());
    }
}

fn score_to(target: &Path, option: &str) -> Output {
    let mut command = tiering();
    command.args(["score", "examples/orders.csv", "--as-of", "2026-10-31"]);
    if option == "-o" {
        command.args(["--format", "csv"]);
    }
    command.arg(option).arg(target).output().unwrap()
}

#[test]
fn a_fifo_is_written_in_place_and_stays_a_fifo() {
    use std::os::unix::fs::FileTypeExt;
    let dir = temp_dir();
    let fifo = dir.path().join("pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(fifo).unwrap())
    };
    let output = score_to(&fifo, "-o");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let received = reader.join().unwrap();
    let expected = tiering()
        .args([
            "score",
            "examples/orders.csv",
            "--as-of",
            "2026-10-31",
            "--format",
            "csv",
        ])
        .output()
        .unwrap()
        .stdout;
    assert_eq!(received, expected);
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo()
    );
    let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
    assert_eq!(leftovers, 1, "a temporary file was left beside the FIFO");
}

#[test]
fn dev_stdout_is_the_standard_output() {
    let output = tiering()
        .args([
            "score",
            "examples/orders.csv",
            "--as-of",
            "2026-10-31",
            "-o",
            "/dev/stdout",
            "--format",
            "csv",
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&output.stdout).lines().count(), 322);
}

/// A character device made with mknod (root only): every writer leaves it a device.
#[test]
fn a_character_device_stays_a_device() {
    use std::os::unix::fs::FileTypeExt;
    let dir = temp_dir();
    let device = dir.path().join("null");
    let made = std::process::Command::new("mknod")
        .arg(&device)
        .args(["c", "1", "3"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !made {
        assert!(
            !crate::support::external_required(),
            "TIERING_REQUIRE_EXTERNAL=1 but mknod failed (run as root)"
        );
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            b"SKIPPED character-device test: mknod needs root\n",
        );
        return;
    }
    for option in ["-o", "--rejects"] {
        let output = score_to(&device, option);
        assert!(
            output.status.success(),
            "{option}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let kind = std::fs::symlink_metadata(&device).unwrap().file_type();
        assert!(kind.is_char_device(), "{option} replaced the device");
    }
    let output = tiering()
        .args(["report", "examples/orders.csv", "--format", "md", "-o"])
        .arg(&device)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        std::fs::symlink_metadata(&device)
            .unwrap()
            .file_type()
            .is_char_device()
    );
}

#[test]
fn output_through_a_symlink_replaces_the_target_and_keeps_the_link() {
    let dir = temp_dir();
    let real = dir.path().join("real.csv");
    std::fs::write(&real, "old\n").unwrap();
    let link = dir.path().join("latest.csv");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let output = score_to(&link, "-o");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read_to_string(&real).unwrap().lines().count(), 322);
}
