//! Output safety: byte-identical results whatever the thread count, atomic replacement
//! under `kill -9`, and clear messages on a full disk, a read-only directory or a full
//! stdout.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::support::{external_required, temp_dir, tiering};

const SCORERS: [&str; 6] = ["rfm", "pareto", "profit", "rules", "lifecycle", "clv"];

fn run_with_threads(scorer: &str, threads: &str) -> Vec<u8> {
    let output = tiering()
        .args([
            "score",
            "examples/orders.csv",
            "--customers",
            "examples/customers.csv",
        ])
        .args(["--scorer", scorer, "--format", "csv"])
        .env("POLARS_MAX_THREADS", threads)
        .env("RAYON_NUM_THREADS", threads)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

#[test]
fn every_scorer_gives_the_same_bytes_on_one_thread_and_on_several() {
    for scorer in SCORERS {
        let one = run_with_threads(scorer, "1");
        assert!(one.len() > 10_000, "{scorer}");
        assert_eq!(
            one,
            run_with_threads(scorer, "2"),
            "{scorer}: 1 vs 2 threads"
        );
        assert_eq!(
            one,
            run_with_threads(scorer, "7"),
            "{scorer}: 1 vs 7 threads"
        );
    }
}

/// An export big enough that scoring and writing take a while in a debug build.
fn big_export(dir: &Path) -> PathBuf {
    let path = dir.join("big.csv");
    let mut text = String::from("customer_id,order_id,order_date,amount\n");
    for i in 0..150_000u32 {
        let day = 1 + i % 28;
        let month = 1 + (i / 28) % 12;
        text.push_str(&format!(
            "C{:06},O{i},2025-{month:02}-{day:02},{}.{:02}\n",
            i % 60_000,
            10 + i % 500,
            i % 100
        ));
    }
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_killed_run_leaves_the_previous_file_intact() {
    let dir = temp_dir();
    let input = big_export(dir.path());
    let target = dir.path().join("tiers.csv");
    let complete = dir.path().join("complete.csv");
    let status = tiering()
        .arg("score")
        .arg(&input)
        .arg("-o")
        .arg(&complete)
        .output()
        .unwrap();
    assert!(status.status.success());
    let complete = std::fs::read(&complete).unwrap();
    let previous = b"customer_id,segment\nlast-week,champions\n".to_vec();
    let temp_exists = || {
        std::fs::read_dir(dir.path()).unwrap().any(|e| {
            e.unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with(".tiering-")
        })
    };
    let mut killed_mid_write = 0;
    for attempt in 0..6 {
        std::fs::write(&target, &previous).unwrap();
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("tiering"))
            .arg("score")
            .arg(&input)
            .arg("-o")
            .arg(&target)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Even attempts: kill as soon as the temporary output file appears (mid-write);
        // odd attempts: at a fixed delay, wherever the run is.
        if attempt % 2 == 0 {
            while child.try_wait().unwrap().is_none() && !temp_exists() {
                std::thread::sleep(Duration::from_micros(200));
            }
        } else {
            std::thread::sleep(Duration::from_millis(150 * attempt));
        }
        let was_writing = temp_exists();
        let _ = child.kill(); // SIGKILL: no cleanup runs
        child.wait().unwrap();
        let now = std::fs::read(&target).unwrap();
        assert!(
            now == previous || now == complete,
            "after a kill (attempt {attempt}) the file is neither the old one nor complete"
        );
        if was_writing && now == previous {
            killed_mid_write += 1;
        }
        // A killed run cannot remove its temporary file; clear it for the next attempt.
        for entry in std::fs::read_dir(dir.path()).unwrap() {
            let path = entry.unwrap().path();
            if path
                .file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(".tiering-")
            {
                std::fs::remove_file(path).unwrap();
            }
        }
    }
    assert!(
        killed_mid_write > 0,
        "no kill landed while the output was being written"
    );
}

/// A tiny tmpfs mounted for the test (root only); `None` (with a visible note) elsewhere.
struct TinyMount(PathBuf);

impl TinyMount {
    fn new(dir: &Path, options: &str) -> Option<TinyMount> {
        let point = dir.join("mnt");
        std::fs::create_dir_all(&point).unwrap();
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", options, "tmpfs"])
            .arg(&point)
            .output()
            .is_ok_and(|o| o.status.success());
        if !mounted {
            assert!(
                !external_required(),
                "TIERING_REQUIRE_EXTERNAL=1 but a tmpfs cannot be mounted (run as root)"
            );
            let _ = std::io::Write::write_all(
                &mut std::io::stderr(),
                b"SKIPPED full-disk / read-only test: cannot mount a tmpfs (needs root)\n",
            );
            return None;
        }
        Some(TinyMount(point))
    }
}

impl Drop for TinyMount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).output();
    }
}

#[test]
fn a_full_disk_fails_clearly_and_keeps_the_previous_file() {
    let dir = temp_dir();
    let Some(mount) = TinyMount::new(dir.path(), "size=48k") else {
        return;
    };
    let target = mount.0.join("tiers.csv");
    std::fs::write(&target, b"previous\n").unwrap();
    let output = tiering()
        .args(["score", "examples/orders.csv", "-o"])
        .arg(&target)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("failed to write `{}`", target.display()))
            && stderr.contains("No space left on device"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(&target).unwrap(), b"previous\n");
    let leftovers: Vec<_> = std::fs::read_dir(&mount.0)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, ["tiers.csv"], "temporary files left behind");
}

#[test]
fn a_read_only_directory_fails_clearly() {
    let dir = temp_dir();
    let Some(mount) = TinyMount::new(dir.path(), "size=1m,ro") else {
        return;
    };
    let target = mount.0.join("tiers.csv");
    let output = tiering()
        .args(["score", "examples/orders.csv", "-o"])
        .arg(&target)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("cannot write to `{}`", mount.0.display()))
            && stderr.contains("Read-only file system"),
        "{stderr}"
    );
}

#[test]
fn a_full_stdout_fails_clearly() {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let output = Command::new(assert_cmd::cargo::cargo_bin("tiering"))
        .args(["score", "examples/orders.csv", "--format", "csv"])
        .stdout(full)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("failed to write to standard output")
            && stderr.contains("No space left on device"),
        "{stderr}"
    );
}
