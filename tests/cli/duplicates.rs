//! Inputs read twice: the same file by another path, link or copy is read once; an
//! order in two different files (overlapping exports) is refused or, with
//! `--dedupe orders`, kept once; identical lines inside one file stay legal.

use std::path::Path;

use crate::support::{score_text, temp_dir, testdata, tiering};

fn run(args: &[&str]) -> std::process::Output {
    tiering()
        .arg("score")
        .args(args)
        .args(["--as-of", "2026-11-30", "--format", "csv"])
        .output()
        .unwrap()
}

fn succeeds(output: &std::process::Output) -> (String, String) {
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{stderr}");
    (String::from_utf8(output.stdout.clone()).unwrap(), stderr)
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn the_same_file_by_any_path_is_read_once_with_a_note() {
    let dir = temp_dir();
    let original = dir.path().join("orders.csv");
    std::fs::copy("testdata/report/week2.csv", &original).unwrap();
    let hard = dir.path().join("hard.csv");
    std::fs::hard_link(&original, &hard).unwrap();
    let soft = dir.path().join("soft.csv");
    std::os::unix::fs::symlink(&original, &soft).unwrap();
    let copy = dir.path().join("copy.csv");
    std::fs::copy(&original, &copy).unwrap();
    let dotted = dir.path().join(".").join("orders.csv");
    let once = succeeds(&run(&[path(&original)])).0;
    assert!(once.lines().count() == 7, "{once}");
    for (second, how) in [
        (original.clone(), "is named twice"),
        (dotted, "is the same file as"),
        (hard, "is the same file as"),
        (soft, "is the same file as"),
        (copy, "has the same content as"),
    ] {
        let (out, stderr) = succeeds(&run(&[path(&original), path(&second)]));
        assert_eq!(out, once, "{}", second.display());
        let note = if second.display().to_string() == original.display().to_string() {
            format!("`{}` is named twice: read once", original.display())
        } else {
            format!(
                "`{}` {how} `{}`: read once",
                second.display(),
                original.display()
            )
        };
        assert!(stderr.contains(&note), "{stderr}");
    }
}

#[test]
fn a_glob_never_follows_a_directory_symlink_loop() {
    let dir = temp_dir();
    let data = dir.path().join("data");
    std::fs::create_dir_all(data.join("sub")).unwrap();
    std::fs::copy("testdata/report/week2.csv", data.join("sub/orders.csv")).unwrap();
    std::os::unix::fs::symlink("..", data.join("sub/loop")).unwrap();
    let pattern = format!("{}/**/*.csv", data.display());
    let (out, stderr) = succeeds(&run(&[&pattern]));
    assert_eq!(out, succeeds(&run(&[&testdata("report/week2.csv")])).0);
    assert!(!stderr.contains("read once"), "{stderr}");
}

/// Week 1 and weeks 1–2: O1–O6 are in both; O7 (c7) only in week 1.
fn overlapping_exports(dir: &Path) -> (String, String) {
    let week1 = dir.join("week1.csv");
    let weeks12 = dir.join("weeks1-2.csv");
    std::fs::copy("testdata/report/week1.csv", &week1).unwrap();
    std::fs::copy("testdata/report/week2.csv", &weeks12).unwrap();
    (path(&week1).to_string(), path(&weeks12).to_string())
}

#[test]
fn an_order_in_two_files_is_an_error_naming_both() {
    let dir = temp_dir();
    let (week1, weeks12) = overlapping_exports(dir.path());
    let output = run(&[&week1, &weeks12]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "order `O1` of customer `c1` is in both `{week1}` and `{weeks12}` (and 5 more orders in more than one file)"
        )) && stderr.contains("--dedupe orders"),
        "{stderr}"
    );
    assert!(output.stdout.is_empty());
}

#[test]
fn dedupe_orders_keeps_the_first_files_copy_and_counts_the_rest() {
    let dir = temp_dir();
    let (week1, weeks12) = overlapping_exports(dir.path());
    // The copies agree, so the result is every distinct order once: weeks 1–2 plus O7.
    let (out, stderr) = succeeds(&run(&[&week1, &weeks12, "--dedupe", "orders"]));
    let union = dir.path().join("union.csv");
    let mut text = std::fs::read_to_string(&weeks12).unwrap();
    text.push_str("O7,c7,2026-10-01,20.00\n");
    std::fs::write(&union, text).unwrap();
    assert_eq!(out, succeeds(&run(&[path(&union)])).0);
    assert!(
        stderr.contains("--dedupe orders: dropped 6 order lines of later files, copies of 6 orders an earlier file has"),
        "{stderr}"
    );
    assert!(!stderr.contains("differ"), "{stderr}");
    // The first file's copy wins: a changed amount in the later file is not used.
    let changed = dir.path().join("changed.csv");
    std::fs::write(
        &changed,
        "order_id,customer_id,order_date,amount\nO1,c1,2026-10-05,999.00\nO1,c1,2026-10-05,1.00\nO9,c9,2026-11-01,5.00\n",
    )
    .unwrap();
    let (out, stderr) = succeeds(&run(&[&week1, path(&changed), "--dedupe", "orders"]));
    let c1 = out.lines().find(|l| l.starts_with("c1,")).unwrap();
    assert!(c1.contains(",2,500.00,"), "{c1}");
    assert!(out.lines().any(|l| l.starts_with("c9,")), "{out}");
    assert!(
        stderr.contains(
            "dropped 2 order lines of later files, copies of 1 order an earlier file has"
        ),
        "{stderr}"
    );
    // ... and that the copies differ is said, with the order and the file.
    assert!(
        stderr.contains(&format!(
            "warning: --dedupe orders: 1 of the dropped copies differs from the kept copy in amount, lines, customer or day (e.g. order `O1` of customer `c1` in `{}`)",
            path(&changed)
        )),
        "{stderr}"
    );
    assert!(!stderr.contains("differ from the kept"), "{stderr}");
}

#[test]
fn the_differing_copy_named_is_the_first_files_every_time() {
    // O1 differs in two later files; the group-by behind the warning left them in any
    // order, and the example named one file or the other from run to run.
    let dir = temp_dir();
    let header = "order_id,customer_id,order_date,amount\n";
    let files: Vec<_> = [
        ("a", "c1", "10.00"),
        ("b", "c2", "20.00"),
        ("c", "c3", "30.00"),
    ]
    .iter()
    .map(|(name, customer, amount)| {
        let file = dir.path().join(format!("{name}.csv"));
        let text = format!(
            "{header}O1,{customer},2026-10-05,{amount}\nO{name},{customer},2026-10-06,5.00\n"
        );
        std::fs::write(&file, text).unwrap();
        file
    })
    .collect();
    let expected = format!(
        "2 of the dropped copies differ from the kept copy in amount, lines, customer or day (e.g. order `O1` of customer `c2` in `{}`)",
        path(&files[1])
    );
    for _ in 0..8 {
        let (_, stderr) = succeeds(&run(&[
            path(&files[0]),
            path(&files[1]),
            path(&files[2]),
            "--dedupe",
            "orders",
        ]));
        assert!(stderr.contains(&expected), "{stderr}");
    }
}

#[test]
fn exports_without_order_ids_overlap_by_customer_and_day() {
    let dir = temp_dir();
    let a = dir.path().join("a.csv");
    let b = dir.path().join("b.csv");
    std::fs::write(&a, "customer,date,amount\nc1,2026-11-01,10.00\n").unwrap();
    std::fs::write(
        &b,
        "customer,date,amount\nc1,2026-11-02,7.00\nc1,2026-11-01,10.00\n",
    )
    .unwrap();
    let output = run(&[path(&a), path(&b)]);
    assert_eq!(output.status.code(), Some(3));
    let (out, _) = succeeds(&run(&[path(&a), path(&b), "--dedupe", "orders"]));
    let c1 = out.lines().nth(1).unwrap();
    assert!(
        c1.starts_with("c1,2026-11-01,2026-11-02,28,29,2,17.00,"),
        "{c1}"
    );
}

#[test]
fn an_order_continuing_across_a_split_is_one_order_with_a_note() {
    let dir = temp_dir();
    let a = dir.path().join("part-1.csv");
    let b = dir.path().join("part-2.csv");
    let head = "order_id,customer_id,order_date,amount\n";
    std::fs::write(
        &a,
        format!("{head}O1,c1,2026-11-01,10.00\nO2,c2,2026-11-02,4.00\n"),
    )
    .unwrap();
    std::fs::write(
        &b,
        format!("{head}O2,c2,2026-11-02,6.00\nO3,c1,2026-11-03,1.00\n"),
    )
    .unwrap();
    let (out, stderr) = succeeds(&run(&[path(&a), path(&b)]));
    let c2 = out.lines().find(|l| l.starts_with("c2,")).unwrap();
    assert!(
        c2.starts_with("c2,2026-11-02,2026-11-02,28,28,1,10.00,"),
        "{c2}"
    );
    assert!(
        stderr.contains(&format!(
            "order `O2` of customer `c2` ends `{}` and continues at the start of `{}`",
            a.display(),
            b.display()
        )),
        "{stderr}"
    );
}

#[test]
fn identical_lines_inside_one_file_stay_two_items() {
    let dir = temp_dir();
    let file = dir.path().join("twice.csv");
    std::fs::write(
        &file,
        "order_id,customer_id,order_date,amount\nO1,c1,2026-11-01,10.00\nO1,c1,2026-11-01,10.00\nO2,c2,2026-11-01,5.00\n",
    )
    .unwrap();
    let out = score_text(&[path(&file), "--as-of", "2026-11-30"]);
    let c1 = out.lines().nth(1).unwrap();
    assert!(
        c1.starts_with("c1,2026-11-01,2026-11-01,29,29,1,20.00,"),
        "{c1}"
    );
}

#[test]
fn report_reconciles_a_repeated_file_once() {
    let dir = temp_dir();
    let (_, weeks12) = overlapping_exports(dir.path());
    let output = tiering()
        .args(["report", &weeks12, &weeks12, "--format", "json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("reconciled with the input: 6 customers, 8 orders, net revenue 1,700.00"),
        "{stderr}"
    );
}

/// Part 1 holds two lines of O2 and part 2 its third; each line repeats O2's total.
fn split_order_totals(second_total: &str) -> (tempfile::TempDir, String, String) {
    let dir = temp_dir();
    let a = dir.path().join("part-1.csv");
    let b = dir.path().join("part-2.csv");
    let head = "order_id,customer_id,order_date,sku,order_total,refund_amount\n";
    std::fs::write(
        &a,
        format!(
            "{head}O1,c1,2026-11-01,A,10.00,0\nO2,c2,2026-11-02,A,30.00,5.00\nO2,c2,2026-11-02,B,30.00,5.00\n"
        ),
    )
    .unwrap();
    std::fs::write(
        &b,
        format!("{head}O2,c2,2026-11-02,C,{second_total},5.00\nO3,c1,2026-11-03,A,1.00,0\n"),
    )
    .unwrap();
    let (a, b) = (path(&a).to_string(), path(&b).to_string());
    (dir, a, b)
}

#[test]
fn a_split_order_with_a_total_per_order_counts_its_total_and_refund_once() {
    let (_dir, a, b) = split_order_totals("30.00");
    let (out, stderr) = succeeds(&run(&[&a, &b]));
    // As one file: O2 is one order of 30.00 with 5.00 refunded (revenue is net).
    let c2 = out.lines().find(|l| l.starts_with("c2,")).unwrap();
    assert!(
        c2.starts_with("c2,2026-11-02,2026-11-02,28,28,1,25.00,5.00,"),
        "{c2}"
    );
    assert!(stderr.contains("continues at the start of"), "{stderr}");
}

#[test]
fn a_split_order_whose_total_changes_between_files_is_refused() {
    let (_dir, a, b) = split_order_totals("32.00");
    let output = run(&[&a, &b]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "`{b}` line 2, column `order_total`: lines of one order disagree: the order's total is 30.00 on an earlier line: `32.00`"
        )),
        "{stderr}"
    );
}

/// `whole` cut into files at the given line indexes (each part gets the header); the
/// scores of the parts and of the whole, as CSV text.
fn scored_whole_and_cut(whole: &str, cuts: &[usize], extra: &[&str]) -> (String, String) {
    let dir = temp_dir();
    let lines: Vec<&str> = whole.lines().collect();
    let (header, body) = lines.split_first().unwrap();
    let mut bounds = vec![0];
    bounds.extend_from_slice(cuts);
    bounds.push(body.len());
    let mut parts = Vec::new();
    for (i, pair) in bounds.windows(2).enumerate() {
        let file = dir.path().join(format!("part-{}.csv", i + 1));
        let text: String = std::iter::once(*header)
            .chain(body[pair[0]..pair[1]].iter().copied())
            .map(|l| format!("{l}\n"))
            .collect();
        std::fs::write(&file, text).unwrap();
        parts.push(file.to_str().unwrap().to_string());
    }
    let whole_file = dir.path().join("whole.csv");
    std::fs::write(&whole_file, whole).unwrap();
    let run = |files: &[&str]| {
        let mut args: Vec<&str> = files.to_vec();
        args.extend_from_slice(extra);
        let (out, _) = succeeds(&run(&args));
        out
    };
    let part_refs: Vec<&str> = parts.iter().map(String::as_str).collect();
    (run(&part_refs), run(&[whole_file.to_str().unwrap()]))
}

#[test]
fn split_exports_read_as_the_whole_file_wherever_the_cut_falls() {
    // Line amounts with the order's refund repeated on each line: the refund counts once.
    let repeated_refund = "order_id,customer_id,order_date,sku,line_total,Refunded Amount\nO1,c1,2026-11-01,A,10.00,0\nO2,c2,2026-11-02,A,20.00,5.00\nO2,c2,2026-11-02,B,10.00,5.00\nO2,c2,2026-11-02,C,3.00,5.00\nO3,c1,2026-11-03,A,1.00,0\n";
    for cuts in [&[2][..], &[3], &[2, 3]] {
        let (parts, whole) = scored_whole_and_cut(repeated_refund, cuts, &[]);
        assert_eq!(parts, whole, "cut at {cuts:?}");
        assert!(
            whole.contains("\nc2,2026-11-02,2026-11-02,28,28,1,28.00,5.00,"),
            "{whole}"
        );
    }
    // Shopify: status, total and refund on an order's first line only, the rest empty;
    // a refunded order over three files is one return, profit charged one return line.
    let shopify = std::fs::read_to_string(testdata("exports/shopify_orders.csv")).unwrap();
    for cuts in [&[1][..], &[1, 2]] {
        let (parts, whole) = scored_whole_and_cut(&shopify, cuts, &[]);
        assert_eq!(parts, whole, "cut at {cuts:?}");
    }
    let refunded = "Name,Email,Financial Status,Currency,Total,Created at,Lineitem quantity,Lineitem price,Refunded Amount,Phone\n#1,a@x.com,refunded,EUR,50.00,2026-11-01,1,20.00,,\n#1,a@x.com,,,,,1,10.00,,\n#1,a@x.com,,,,,1,10.00,,\n#1,a@x.com,,,,,1,10.00,,\n#2,b@x.com,paid,EUR,5.00,2026-11-02,1,5.00,,\n";
    let (parts, whole) = scored_whole_and_cut(refunded, &[2, 3], &["--scorer", "profit"]);
    assert_eq!(parts, whole);
    assert!(whole.contains("\na@x.com,,,,,0,0.00,50.00,"), "{whole}");
}

#[test]
fn a_split_order_over_files_read_differently_counts_its_total_once() {
    // The second file has no refund column, so it is not read as the first one's
    // continuation; the repeated total is still counted once, a changed one refused.
    let dir = temp_dir();
    let (a, b) = (dir.path().join("part-1.csv"), dir.path().join("part-2.csv"));
    std::fs::write(
        &a,
        "order_id,customer_id,order_date,order_total,refund_amount\nO1,c1,2026-11-01,10.00,0\nO2,c2,2026-11-02,30.00,5.00\nO2,c2,2026-11-02,30.00,5.00\n",
    )
    .unwrap();
    let second = |total: &str| {
        std::fs::write(
            &b,
            format!("order_id,customer_id,order_date,order_total\nO2,c2,2026-11-02,{total}\nO3,c1,2026-11-03,1.00\n"),
        )
        .unwrap();
        run(&[path(&a), path(&b)])
    };
    let (out, _) = succeeds(&second("30.00"));
    let c2 = out.lines().find(|l| l.starts_with("c2,")).unwrap();
    assert!(
        c2.starts_with("c2,2026-11-02,2026-11-02,28,28,1,25.00,5.00,"),
        "{c2}"
    );
    let refused = second("32.00");
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("with a different total (32.00 against 30.00)"),
        "{stderr}"
    );
}
