//! Files larger than one read block (4 MiB), which are typed on all cores in blocks: bad
//! rows anywhere keep their physical line numbers and their order, quoted line breaks and
//! CRLF endings do not shift them, and totals match an independent count. Outputs of
//! more rows than one formatting part keep every row once, in order, in every format.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::support::{parse_csv, score, temp_dir, tiering};

/// A CRLF export of `lines` order lines with a quoted, two-line note every 997 lines and
/// a bad amount every 50,021 lines. Returns the text, the physical line of every bad
/// row, and the revenue in cents per customer of the good rows.
fn export(lines: usize) -> (String, Vec<u64>, BTreeMap<String, i64>) {
    let mut text = String::from("customer_id,order_id,order_date,amount,note\r\n");
    let mut line = 2u64;
    let mut bad = Vec::new();
    let mut revenue = BTreeMap::new();
    for i in 0..lines {
        let customer = format!("C{:04}", i % 1009);
        let cents = (i % 7919) as i64 * 13 + 1;
        let day = 1 + i % 28;
        let amount = if i % 50_021 == 7 {
            bad.push(line);
            "1O.00".to_string()
        } else {
            *revenue.entry(customer.clone()).or_insert(0) += cents;
            format!("{}.{:02}", cents / 100, cents % 100)
        };
        let note = if i % 997 == 0 { "\"gift\r\nwrap\"" } else { "" };
        write!(
            text,
            "{customer},O{},2024-02-{day:02},{amount},{note}\r\n",
            i / 3
        )
        .unwrap();
        line += if note.is_empty() { 1 } else { 2 };
    }
    (text, bad, revenue)
}

fn cents(text: &str) -> i64 {
    let (sign, digits) = match text.strip_prefix('-') {
        Some(digits) => (-1, digits),
        None => (1, text),
    };
    let (units, fraction) = digits.split_once('.').unwrap();
    sign * (units.parse::<i64>().unwrap() * 100 + fraction.parse::<i64>().unwrap())
}

/// Score `input` with `--rejects`: the line (or row) numbers of the rejected rows, in
/// the order written, and the revenue in cents per scored customer.
fn score_with_rejects(input: &std::path::Path) -> (Vec<u64>, BTreeMap<String, i64>) {
    let rejects = input.with_extension("rejects.csv");
    let output = tiering()
        .arg("score")
        .arg(input)
        .args(["--format", "csv", "--rejects"])
        .arg(&rejects)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let numbers = std::fs::read_to_string(&rejects)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap().parse().unwrap())
        .collect();
    let revenue = parse_csv(&String::from_utf8(output.stdout).unwrap())
        .iter()
        .map(|(customer, row)| (customer.clone(), cents(&row["revenue"])))
        .collect();
    (numbers, revenue)
}

#[test]
fn bad_rows_in_every_block_keep_their_lines_and_order() {
    let (text, bad, revenue) = export(400_000);
    assert!(
        text.len() > 3 * (4 << 20),
        "the file must span several blocks"
    );
    let dir = temp_dir();
    let input = dir.path().join("orders.csv");
    std::fs::write(&input, &text).unwrap();

    // Default: the first bad row stops the run, with the count of the others.
    let output = tiering().arg("score").arg(&input).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains(&format!("line {}", bad[0])) && stderr.contains("`1O.00`"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("{} more", bad.len() - 1)),
        "{stderr}"
    );

    // --rejects: every bad row, in file order, with its physical line; the rest scored.
    let (lines, scored) = score_with_rejects(&input);
    assert_eq!(lines, bad);
    assert_eq!(scored, revenue);
}

#[test]
fn overflow_across_blocks_is_caught_at_the_line_that_overflows() {
    // Each huge line holds 5e18 cents: the second one takes the sum past i64::MAX.
    let huge = "50000000000000000.00";
    let mut text = String::from("customer_id,order_id,order_date,amount\n");
    let mut huge_lines = Vec::new();
    for i in 0..600_000u64 {
        let amount = if i == 10 || i == 450_000 {
            huge_lines.push(i + 2);
            huge
        } else {
            "1.00"
        };
        writeln!(text, "C{},O{i},2024-03-01,{amount}", i % 97).unwrap();
    }
    assert!(text.len() > 2 * (4 << 20));
    let dir = temp_dir();
    let input = dir.path().join("orders.csv");
    std::fs::write(&input, &text).unwrap();
    let (lines, _) = score_with_rejects(&input);
    assert_eq!(lines, vec![huge_lines[1]]);
}

#[test]
fn parquet_rows_typed_in_parts_keep_their_row_numbers() {
    use polars::prelude::*;
    // Row groups of 100k: the file is decoded in two slices of whole row groups.
    let rows = 1_100_000usize;
    let bad: Vec<u64> = (0..rows as u64)
        .filter(|i| i % 65_537 == 3)
        .map(|i| i + 1)
        .collect();
    let mut revenue = BTreeMap::new();
    let mut customers = Vec::with_capacity(rows);
    let mut amounts = Vec::with_capacity(rows);
    for i in 0..rows {
        let customer = format!("C{:03}", i % 613);
        let cents = (i % 4001) as i64 + 1;
        if i % 65_537 == 3 {
            amounts.push("n/a".to_string());
        } else {
            *revenue.entry(customer.clone()).or_insert(0) += cents;
            amounts.push(format!("{}.{:02}", cents / 100, cents % 100));
        }
        customers.push(customer);
    }
    let mut frame = DataFrame::new(
        rows,
        vec![
            Column::new("customer_id".into(), customers),
            Column::new(
                "order_id".into(),
                (0..rows).map(|i| format!("O{}", i / 2)).collect::<Vec<_>>(),
            ),
            Int32Chunked::from_vec("order_date".into(), vec![19_800; rows])
                .into_date()
                .into_column(),
            Column::new("amount".into(), amounts),
        ],
    )
    .unwrap();
    let dir = temp_dir();
    let input = dir.path().join("orders.parquet");
    ParquetWriter::new(std::fs::File::create(&input).unwrap())
        .with_row_group_size(Some(100_000))
        .finish(&mut frame)
        .unwrap();
    let (numbers, scored) = score_with_rejects(&input);
    assert_eq!(numbers, bad);
    assert_eq!(scored, revenue);
}

#[test]
fn metrics_grouped_in_customer_slices_match_an_independent_count() {
    // Over a million line groups: the metrics are computed in several slices of customers.
    let lines = 1_100_000usize;
    let mut text = String::from("customer_id,order_id,order_date,amount\n");
    let mut expected: BTreeMap<String, (i64, i64, u32)> = BTreeMap::new();
    for i in 0..lines {
        let customer = format!("K{}", (i * 7919) % 4999);
        let cents = (i % 9973) as i64 - 300;
        let day = 1 + (i % 29) as u32;
        writeln!(
            text,
            "{customer},{i},2024-02-{day:02},{}{}.{:02}",
            if cents < 0 { "-" } else { "" },
            cents.abs() / 100,
            cents.abs() % 100
        )
        .unwrap();
        let entry = expected.entry(customer).or_insert((0, 0, 0));
        entry.1 += cents;
        // A one-line order is a purchase when its amount is not negative.
        if cents >= 0 {
            entry.0 += 1;
            entry.2 = entry.2.max(day);
        }
    }
    let dir = temp_dir();
    let input = dir.path().join("orders.csv");
    std::fs::write(&input, &text).unwrap();
    let rows = score(&[input.to_str().unwrap()]);
    assert_eq!(rows.len(), expected.len());
    for (customer, (orders, revenue, last_day)) in expected {
        let row = &rows[&customer];
        assert_eq!(row["orders"], orders.to_string(), "{customer}");
        assert_eq!(cents(&row["revenue"]), revenue, "{customer}");
        assert_eq!(
            row["last_order_date"],
            format!("2024-02-{last_day:02}"),
            "{customer}"
        );
    }
}

#[test]
fn average_order_value_is_exact_for_revenue_near_the_64_bit_limit() {
    // Revenues of 5e18 and 9e18 cents fit in 64 bits; twice them does not. The reader
    // allows 64 bits over all lines of a run, so each case is a file of its own. Worked
    // by hand: A's one purchase; B's three equal orders; C's return-only order is not a
    // purchase, so its revenue (−49,999,999,999,999,990.00) is over one 10.00 purchase.
    let cases = [
        (
            "A,1,2024-01-01,50000000000000000.00\n",
            "A",
            "1 50000000000000000.00 50000000000000000.00",
        ),
        (
            "B,2,2024-01-02,30000000000000000.00\nB,3,2024-01-03,30000000000000000.00\nB,4,2024-01-04,30000000000000000.00\n",
            "B",
            "3 90000000000000000.00 30000000000000000.00",
        ),
        (
            "C,5,2024-01-05,-50000000000000000.00\nC,6,2024-01-06,10.00\n",
            "C",
            "1 -49999999999999990.00 -49999999999999990.00",
        ),
    ];
    let dir = temp_dir();
    for (lines, customer, expected) in cases {
        let input = dir.path().join(format!("{customer}.csv"));
        std::fs::write(
            &input,
            format!("customer_id,order_id,order_date,amount\n{lines}"),
        )
        .unwrap();
        let input = input.display().to_string();
        for scorer in ["rfm", "value"] {
            let rows = score(&[&input, "--scorer", scorer]);
            crate::support::assert_cells(
                &rows,
                &["orders", "revenue", "aov"],
                &[(customer, expected)],
            );
        }
    }
}

#[test]
fn outputs_of_many_parts_keep_every_row_once_in_customer_order() {
    // 50,000 customers with one or two orders each: every writer formats the rows in
    // parts of 16,384 on all cores and must join them in order, once each.
    let customers = 50_000usize;
    let mut text = String::from("customer_id,order_id,order_date,amount\n");
    let mut expected: Vec<(String, i64)> = Vec::new();
    for i in 0..customers {
        let customer = format!("U{i:06}");
        let mut revenue = 0;
        for order in 0..1 + i % 2 {
            let cents = (i as i64 * 37 + order as i64 * 101) % 90_000 + 1;
            revenue += cents;
            writeln!(
                text,
                "{customer},{i}-{order},2024-03-{:02},{}.{:02}",
                1 + (i + order) % 28,
                cents / 100,
                cents % 100
            )
            .unwrap();
        }
        expected.push((customer, revenue));
    }
    let dir = temp_dir();
    let input = dir.path().join("orders.csv");
    std::fs::write(&input, &text).unwrap();
    let run = |format: &str| {
        let output = tiering()
            .arg("score")
            .arg(&input)
            .args(["-q", "--format", format])
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{format}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    };
    let delimited = |format: &str, delimiter: char| {
        let text = run(format);
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap().split(delimiter).collect();
        let revenue = header.iter().position(|h| *h == "revenue").unwrap();
        let rows: Vec<(String, i64)> = lines
            .map(|line| {
                let fields: Vec<&str> = line.split(delimiter).collect();
                (fields[0].to_string(), cents(fields[revenue]))
            })
            .collect();
        assert_eq!(rows, expected, "{format}");
    };
    delimited("csv", ',');
    delimited("tsv", '\t');
    let from_json = |object: &serde_json::Value| {
        let revenue = object["revenue"].as_f64().unwrap();
        (
            object["customer_id"].as_str().unwrap().to_string(),
            (revenue * 100.0).round() as i64,
        )
    };
    let ndjson: Vec<(String, i64)> = run("ndjson")
        .lines()
        .map(|line| from_json(&serde_json::from_str(line).unwrap()))
        .collect();
    assert_eq!(ndjson, expected, "ndjson");
    let json: serde_json::Value = serde_json::from_str(&run("json")).unwrap();
    let json: Vec<(String, i64)> = json.as_array().unwrap().iter().map(from_json).collect();
    assert_eq!(json, expected, "json");
}
