//! Property tests (proptest) on generated order sets, through the real binary:
//! conservation to the cent, one segment per customer, invariance under row order, file
//! splits and repeated inputs, monotonicity of M and ABC class in revenue, and equal scores for ties.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;

use crate::support::{parse_csv, score_text, temp_dir};

/// One generated order line: customer, order, day of March 2024, amount in cents.
#[derive(Clone, Debug)]
struct Line {
    customer: u8,
    order: u8,
    day: u8,
    cents: i64,
}

fn lines() -> impl Strategy<Value = Vec<Line>> {
    prop::collection::vec(
        (0u8..12, 0u8..6, 1u8..29, -5_000i64..50_000).prop_map(|(customer, order, day, cents)| {
            Line {
                customer,
                order,
                day,
                // Order ids are per customer, so one order keeps one date.
                cents: if cents < -2_000 { 0 } else { cents },
            }
        }),
        1..60,
    )
}

fn csv(lines: &[Line]) -> String {
    let mut text = String::from("customer_id,order_id,order_date,amount\n");
    for l in lines {
        let sign = if l.cents < 0 { "-" } else { "" };
        text.push_str(&format!(
            "C{:02},O{}-{},2024-03-{:02},{sign}{}.{:02}\n",
            l.customer,
            l.customer,
            l.order,
            l.day,
            l.cents.abs() / 100,
            l.cents.abs() % 100
        ));
    }
    text
}

fn cents(text: &str) -> i64 {
    let negative = text.starts_with('-');
    let digits: i64 = text
        .trim_start_matches('-')
        .replace('.', "")
        .parse()
        .unwrap();
    if negative { -digits } else { digits }
}

fn run(lines: &[Line], args: &[&str]) -> String {
    let dir = temp_dir();
    let path = dir.path().join("orders.csv");
    std::fs::write(&path, csv(lines)).unwrap();
    let mut all = vec![path.to_str().unwrap(), "--as-of", "2024-03-31"];
    all.extend_from_slice(args);
    score_text(&all)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn conservation_customers_purchases_and_revenue_to_the_cent(lines in lines()) {
        let rows = parse_csv(&run(&lines, &[]));
        // Independent computation of DESIGN §4 from the generated lines.
        let customers: BTreeSet<u8> = lines.iter().map(|l| l.customer).collect();
        let revenue: i64 = lines.iter().map(|l| l.cents).sum();
        let mut orders: BTreeMap<(u8, u8), (i64, bool)> = BTreeMap::new();
        for l in &lines {
            let entry = orders.entry((l.customer, l.order)).or_default();
            entry.0 += l.cents;
            entry.1 |= l.cents < 0;
        }
        let purchases = orders.values().filter(|(net, ret)| *net > 0 || (*net == 0 && !ret)).count();
        prop_assert_eq!(rows.len(), customers.len());
        prop_assert_eq!(rows.values().map(|r| cents(&r["revenue"])).sum::<i64>(), revenue);
        prop_assert_eq!(rows.values().map(|r| r["orders"].parse::<usize>().unwrap()).sum::<usize>(), purchases);
        for row in rows.values() {
            prop_assert!(!row["segment_id"].is_empty());
            prop_assert_eq!(row["orders"] == "0", row["segment_id"] == "no_purchase");
        }
    }

    #[test]
    fn output_is_identical_under_shuffling_and_file_splits(lines in lines(), seed in any::<u64>()) {
        let whole = run(&lines, &[]);
        let mut shuffled = lines.clone();
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            shuffled.swap(i, (state % (i as u64 + 1)) as usize);
        }
        prop_assert_eq!(&run(&shuffled, &[]), &whole);
        let dir = temp_dir();
        // Split by whole orders: an order in two files is an overlap, refused.
        let (a, b): (Vec<Line>, Vec<Line>) = shuffled
            .iter()
            .cloned()
            .partition(|l| ((u64::from(l.customer) * 7 + u64::from(l.order)) ^ seed) % 2 == 0);
        let first = dir.path().join("a.csv");
        let second = dir.path().join("b.csv");
        std::fs::write(&first, csv(&a)).unwrap();
        std::fs::write(&second, csv(&b)).unwrap();
        let split = score_text(&[first.to_str().unwrap(), second.to_str().unwrap(), "--as-of", "2024-03-31"]);
        prop_assert_eq!(&split, &whole);
    }

    #[test]
    fn repeated_inputs_in_any_order_count_once(lines in lines(), picks in prop::collection::vec(0usize..4, 1..7)) {
        let whole = run(&lines, &[]);
        let dir = temp_dir();
        let original = dir.path().join("orders.csv");
        std::fs::write(&original, csv(&lines)).unwrap();
        let copy = dir.path().join("copy.csv");
        std::fs::copy(&original, &copy).unwrap();
        let link = dir.path().join("link.csv");
        std::os::unix::fs::symlink(&original, &link).unwrap();
        let names = [
            original.display().to_string(),
            dir.path().join(".").join("orders.csv").display().to_string(),
            copy.display().to_string(),
            link.display().to_string(),
        ];
        let mut args: Vec<&str> = picks.iter().map(|&i| names[i].as_str()).collect();
        args.extend(["--as-of", "2024-03-31"]);
        prop_assert_eq!(&score_text(&args), &whole);
    }

    #[test]
    fn more_revenue_never_lowers_m_score_or_abc_class(lines in lines(), extra in 1i64..100_000, who in 0u8..12) {
        let mut more = lines.clone();
        more.push(Line { customer: who, order: 9, day: 15, cents: extra });
        let before = parse_csv(&run(&lines, &[]));
        let after = parse_csv(&run(&more, &[]));
        let id = format!("C{who:02}");
        if let (Some(b), Some(a)) = (before.get(&id), after.get(&id))
            && !b["m_score"].is_empty()
        {
            prop_assert!(a["m_score"].parse::<u32>().unwrap() >= b["m_score"].parse::<u32>().unwrap());
        }
        let before = parse_csv(&run(&lines, &["--scorer", "pareto"]));
        let after = parse_csv(&run(&more, &["--scorer", "pareto"]));
        if let (Some(b), Some(a)) = (before.get(&id), after.get(&id))
            && !b["abc_class"].is_empty()
        {
            prop_assert!(a["abc_class"] <= b["abc_class"], "{} -> {}", b["abc_class"], a["abc_class"]);
        }
    }

    #[test]
    fn equal_values_get_equal_scores_under_shared_ties(lines in lines()) {
        let rows = parse_csv(&run(&lines, &[]));
        let purchasers: Vec<_> = rows.values().filter(|r| r["orders"] != "0").collect();
        for a in &purchasers {
            for b in &purchasers {
                if a["revenue"] == b["revenue"] {
                    prop_assert_eq!(&a["m_score"], &b["m_score"]);
                }
                if a["orders"] == b["orders"] {
                    prop_assert_eq!(&a["f_score"], &b["f_score"]);
                }
                if a["recency_days"] == b["recency_days"] {
                    prop_assert_eq!(&a["r_score"], &b["r_score"]);
                }
            }
        }
    }
}

/// Ids a spreadsheet might run, numbers, phone numbers, quotes and apostrophes: any
/// printable text without leading or trailing spaces.
fn awkward_id() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "=", "+", "-", "@", "'", "\"", ",", " ", "1", "41", "(", ")", ".", "a", "Zé", "客户", "\t",
    ]);
    prop::collection::vec(pieces, 1..6).prop_map(|p| p.concat().trim().replace('\t', "x"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    /// Whatever the ids, a tier file written as CSV, TSV or Parquet and read back with
    /// `--previous` finds every customer again (all stayed, none new).
    #[test]
    fn any_id_round_trips_through_tier_files(ids in prop::collection::btree_set(awkward_id(), 1..8)) {
        let ids: Vec<String> = ids.into_iter().filter(|id| !id.is_empty()).collect();
        prop_assume!(!ids.is_empty());
        let dir = temp_dir();
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record(["customer_id", "order_id", "order_date", "amount"]).unwrap();
        for (i, id) in ids.iter().enumerate() {
            writer.write_record([id.as_str(), &format!("O{i}"), "2024-03-01", "10.00"]).unwrap();
        }
        let orders = dir.path().join("orders.csv");
        std::fs::write(&orders, writer.into_inner().unwrap()).unwrap();
        for extension in ["csv", "tsv", "parquet"] {
            let tiers = dir.path().join(format!("tiers.{extension}"));
            let made = crate::support::tiering()
                .arg("score").arg(&orders).args(["--as-of", "2024-03-31", "-o"]).arg(&tiers)
                .output().unwrap();
            prop_assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
            let output = crate::support::tiering()
                .arg("report").arg(&orders).args(["--as-of", "2024-03-31", "--format", "json", "--previous"]).arg(&tiers)
                .output().unwrap();
            prop_assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
            let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
            prop_assert_eq!(&report["migration"]["counts"]["stayed"], &serde_json::json!(ids.len()), "{} {:?}", extension, ids);
        }
    }

    /// Any mix of good and bad lines (missing fields, extra fields, bad values): the
    /// rejects file is a rectangle, holds every bad line, and the good ones are scored.
    #[test]
    fn any_bad_line_lands_in_a_rectangular_rejects_file(kinds in prop::collection::vec(0u8..5, 1..30)) {
        let dir = temp_dir();
        let mut text = String::from("customer_id,order_id,order_date,amount\n");
        let mut bad = 0;
        for (i, kind) in kinds.iter().enumerate() {
            text.push_str(&match kind {
                0 => format!("C{i},O{i},2024-03-01,1.00\n"),
                1 => { bad += 1; format!("C{i},O{i}\n") }
                2 => { bad += 1; format!("C{i},O{i},2024-03-01,1.00,x,\"y,z\"\n") }
                3 => { bad += 1; format!("C{i},O{i},someday,1.00\n") }
                _ => { bad += 1; format!("C{i},O{i},2024-03-01,ten\n") }
            });
        }
        let orders = dir.path().join("orders.csv");
        std::fs::write(&orders, text).unwrap();
        let rejects = dir.path().join("rejects.csv");
        let _ = crate::support::tiering()
            .arg("score").arg(&orders).args(["--as-of", "2024-03-31", "--format", "csv", "--rejects"]).arg(&rejects)
            .output().unwrap();
        let written = std::fs::read_to_string(&rejects).unwrap();
        let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(written.as_bytes());
        let width = reader.headers().unwrap().len();
        let rows: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>().unwrap();
        prop_assert_eq!(rows.len(), bad);
        prop_assert!(rows.iter().all(|r| r.len() == width));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    /// Lines whose status is excluded count exactly as if they were not in the file.
    #[test]
    fn excluding_lines_by_status_equals_deleting_them(
        lines in lines(),
        statuses in prop::collection::vec(0usize..6, 60),
    ) {
        const STATUS: [(&str, bool); 6] = [
            ("paid", true), ("Cancelled", false), ("wc-completed", true),
            ("pending", false), ("交易成功", true), ("voided", false),
        ];
        let dir = temp_dir();
        let mut with_status = String::from("customer_id,order_id,order_date,amount,status\n");
        let mut kept = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            let (status, include) = STATUS[statuses[i % statuses.len()]];
            let row = csv(std::slice::from_ref(line));
            let body = row.lines().nth(1).unwrap();
            with_status.push_str(&format!("{body},{status}\n"));
            if include {
                kept.push(line.clone());
            }
        }
        prop_assume!(!kept.is_empty());
        let path = dir.path().join("with_status.csv");
        std::fs::write(&path, with_status).unwrap();
        let scored = score_text(&[path.to_str().unwrap(), "--as-of", "2024-03-31"]);
        prop_assert_eq!(scored, run(&kept, &[]));
    }
}
