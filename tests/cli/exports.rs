//! Real platform exports in their own column sets and value forms (testdata/exports/,
//! hand-worked in testdata/README.md), read with no --map and no --encoding: statuses,
//! refunds, order-level totals, guests, currencies, dates as each platform writes them,
//! and an Excel workbook.

use std::path::Path;
use std::process::Command;

use crate::support::{assert_cells, parse_csv, temp_dir, testdata, tiering};

fn score_export(
    name: &str,
    extra: &[&str],
) -> (
    std::collections::BTreeMap<String, crate::support::Row>,
    String,
) {
    let output = tiering()
        .args([
            "score",
            &testdata(&format!("exports/{name}")),
            "--format",
            "csv",
        ])
        .args(extra)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{name}: {stderr}");
    (
        parse_csv(&String::from_utf8(output.stdout).unwrap()),
        stderr,
    )
}

const COLUMNS: [&str; 4] = ["orders", "revenue", "returns", "last_order_date"];

#[test]
fn shopify_counts_each_order_total_once_and_drops_voided_and_pending_orders() {
    let (rows, stderr) = score_export("shopify_orders.csv", &[]);
    assert_eq!(rows.len(), 3, "{:?}", rows.keys());
    assert_cells(
        &rows,
        &COLUMNS,
        &[
            ("alice@example.com", "1 59.90 30.00 2024-03-01"),
            ("bob@example.com", "2 105.00 20.00 2024-03-04"),
            ("+41 79 555 01 02", "1 15.50 0.00 2024-03-05"),
        ],
    );
    assert!(
        stderr.contains("read as a Shopify orders export"),
        "{stderr}"
    );
    assert!(
        stderr.contains("3 order lines excluded by status (voided 2, pending 1)"),
        "{stderr}"
    );
}

#[test]
fn woocommerce_tells_guests_apart_by_email_and_nets_refunds() {
    let (rows, _) = score_export("woocommerce_orders.csv", &[]);
    assert_eq!(rows.len(), 2, "{:?}", rows.keys());
    assert_cells(
        &rows,
        &COLUMNS,
        &[
            ("17", "1 80.00 50.00 2024-04-01"),
            ("guest1@example.com", "2 95.50 4.50 2024-04-04"),
        ],
    );
}

#[test]
fn stripe_reads_converted_amounts_and_drops_failed_charges() {
    let (rows, _) = score_export("stripe_payments.csv", &[]);
    assert_cells(
        &rows,
        &COLUMNS,
        &[
            ("cus_A", "1 50.00 30.00 2024-05-01"),
            ("cus_B", "1 81.00 27.00 2024-05-05"),
            ("j@example.jp", "1 33.10 0.00 2024-05-02"),
        ],
    );
    assert_eq!(rows.len(), 3);
}

#[test]
fn taobao_in_gbk_with_crlf_needs_no_flags() {
    let (rows, stderr) = score_export("taobao_orders.csv", &[]);
    assert!(stderr.contains("read as GBK (detected"), "{stderr}");
    assert_eq!(rows.len(), 2, "{:?}", rows.keys());
    assert_cells(
        &rows,
        &COLUMNS,
        &[
            ("tb_buyer1", "2 187.90 0.00 2024-06-02"),
            ("tb_buyer3", "1 150.00 50.00 2024-06-05"),
        ],
    );
}

#[test]
fn youzan_identifies_buyers_by_phone_not_the_empty_member_card() {
    let (rows, _) = score_export("youzan_orders.csv", &[]);
    assert_eq!(rows.len(), 2, "{:?}", rows.keys());
    assert_cells(
        &rows,
        &COLUMNS,
        &[
            ("13800000001", "1 99.00 45.00 2024-07-01"),
            ("13800000002", "1 120.00 30.00 2024-07-02"),
        ],
    );
}

#[test]
fn jd_counts_the_repeated_order_amount_once() {
    let (rows, _) = score_export("jd_orders.csv", &[]);
    assert_eq!(rows.len(), 2, "{:?}", rows.keys());
    assert_cells(
        &rows,
        &COLUMNS,
        &[
            ("jd_u1", "1 110.00 0.00 2024-08-01"),
            ("jd_u2", "2 134.00 0.00 2024-08-05"),
        ],
    );
    // Per-line amounts instead: unset the order total, price × quantity per line.
    let (rows, _) = score_export("jd_orders.csv", &["--map", "amount="]);
    assert_cells(
        &rows,
        &["orders", "revenue"],
        &[("jd_u1", "1 110.00"), ("jd_u2", "2 134.00")],
    );
}

#[test]
fn crm_deals_count_won_deals_only_and_open_deals_do_not_move_the_as_of_date() {
    let (rows, _) = score_export("hubspot_deals.csv", &[]);
    assert_eq!(rows.len(), 2, "{:?}", rows.keys());
    assert_cells(
        &rows,
        &["orders", "revenue", "as_of"],
        &[
            ("9001", "1 12000.00 2024-03-10"),
            ("9002", "1 3500.50 2024-03-10"),
        ],
    );
    let (rows, _) = score_export("salesforce_opportunities.csv", &[]);
    assert_eq!(rows.len(), 2, "{:?}", rows.keys());
    assert_cells(
        &rows,
        &["orders", "revenue", "first_order_date", "last_order_date"],
        &[
            ("001A000001", "2 14000.00 2024-01-15 2024-04-02"),
            ("001A000002", "1 3500.00 2024-03-28 2024-03-28"),
        ],
    );
}

#[test]
fn a_german_erp_export_reads_day_first_dates_decimal_commas_and_credit_notes() {
    let (rows, _) = score_export("erp_belege.csv", &[]);
    assert_eq!(rows.len(), 3, "{:?}", rows.keys());
    assert_cells(
        &rows,
        &COLUMNS,
        &[
            ("10001", "1 1000.00 234.50 2024-03-05"),
            ("10002", "1 99.90 0.00 2024-03-06"),
            ("10003", "1 2000.00 0.00 2024-03-20"),
        ],
    );
}

#[test]
fn a_zero_decimal_currency_is_read_without_decimals() {
    let (rows, _) = score_export("jpy_orders.csv", &[]);
    assert_cells(
        &rows,
        &["orders", "revenue"],
        &[("K1", "2 17000"), ("K2", "1 800")],
    );
}

#[test]
fn unknown_statuses_and_mixed_currencies_are_refused_listing_every_value() {
    for (file, name) in [
        ("exports/unknown_status.csv", "unknown_status"),
        ("exports/mixed_currencies.csv", "mixed_currencies"),
    ] {
        let output = tiering().args(["score", &testdata(file)]).output().unwrap();
        assert_eq!(output.status.code(), Some(3), "{file}");
        insta::assert_snapshot!(name, String::from_utf8_lossy(&output.stderr));
    }
    let (rows, stderr) = score_export("mixed_currencies.csv", &["--currency", "EUR"]);
    assert_cells(
        &rows,
        &["orders", "revenue"],
        &[("M1", "1 50.00"), ("M2", "2 35.00")],
    );
    assert!(
        stderr.contains("1 order line in other currencies excluded"),
        "{stderr}"
    );
    let dir = temp_dir();
    let config = dir.path().join("tiering.toml");
    std::fs::write(
        &config,
        "[status]\ninclude = [\"offen\"]\nexclude = [\"teilbezahlt\"]\n",
    )
    .unwrap();
    let (rows, _) = score_export(
        "unknown_status.csv",
        &["--config", config.to_str().unwrap()],
    );
    assert_cells(
        &rows,
        &["orders", "revenue"],
        &[("U1", "2 30.00"), ("U2", "1 30.00")],
    );
}

#[test]
fn check_shows_the_layout_and_the_status_table_and_lists_layouts() {
    let output = tiering()
        .args(["check", &testdata("exports/shopify_orders.csv")])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("layout: Shopify orders export (--layout shopify)"),
        "{text}"
    );
    assert!(
        text.contains("voided") && text.contains("2 lines  exclude"),
        "{text}"
    );
    assert!(text.contains("excluded by status: 3 lines"), "{text}");
    let layouts = tiering().args(["check", "--layouts"]).output().unwrap();
    let text = String::from_utf8_lossy(&layouts.stdout);
    for name in [
        "shopify",
        "woocommerce",
        "stripe",
        "taobao",
        "youzan",
        "jd",
        "hubspot",
        "salesforce",
        "erp-de",
    ] {
        assert!(text.contains(&format!("{name}: ")), "{name}: {text}");
    }
}

#[test]
fn report_reconciles_counting_the_excluded_lines() {
    let output = tiering()
        .args([
            "report",
            &testdata("exports/shopify_orders.csv"),
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let r = &report["reconciliation"];
    assert_eq!(r["lines_excluded_by_status"], 3);
    assert_eq!(r["matches"], true);
    assert_eq!(r["input"]["orders"], 4);
}

/// Day/month order decided per column: a column with `13/…` is day-first, one with
/// `…/13/…` month-first, both with times; a column with neither is refused naming the
/// --date-format with its time part.
#[test]
fn day_and_month_order_is_decided_per_column() {
    let dir = temp_dir();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    let us = write(
        "us.csv",
        "InvoiceNo,CustomerID,InvoiceDate,Amount\n1,A,12/1/2010 8:26,10.00\n2,A,12/13/2010 9:00,5.00\n3,B,1/2/2011 10:00,7.00\n",
    );
    let rows = parse_csv(&crate::support::score_text(&[&us]));
    assert_cells(
        &rows,
        &["first_order_date", "last_order_date"],
        &[
            ("A", "2010-12-01 2010-12-13"),
            ("B", "2011-01-02 2011-01-02"),
        ],
    );
    let eu = write(
        "eu.csv",
        "customer_id,order_id,order_date,amount\nA,1,3/4/2024,10.00\nB,2,13/4/2024,5.00\n",
    );
    let rows = parse_csv(&crate::support::score_text(&[&eu]));
    assert_cells(
        &rows,
        &["first_order_date"],
        &[("A", "2024-04-03"), ("B", "2024-04-13")],
    );
}

/// An export saved from Excel: typed cells (dates as dates, money as floats such as
/// 12.339999999999999 for 12.34), on the second sheet; errors name the sheet row.
#[test]
fn an_excel_export_is_read_with_its_typed_cells() {
    let dir = temp_dir();
    let path = dir.path().join("orders.xlsx");
    write_workbook(&path, &[("Deals", 12.34), ("Orders", 0.1 + 0.2)]);
    let output = tiering()
        .arg("score")
        .arg(&path)
        .args(["--sheet", "Orders", "--format", "csv"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let rows = parse_csv(&String::from_utf8(output.stdout).unwrap());
    assert_cells(
        &rows,
        &["orders", "revenue", "last_order_date"],
        &[
            ("1001", "2 1000.30 2024-02-29"),
            ("A-7", "1 0.30 2024-01-05"),
        ],
    );
    // The first sheet by default.
    let rows = parse_csv(&crate::support::score_text(&[path.to_str().unwrap()]));
    assert_cells(&rows, &["revenue"], &[("A-7", "12.34")]);
    let bad = dir.path().join("bad.xlsx");
    write_workbook(&bad, &[("Orders", 1.0 / 3.0)]);
    let output = tiering().arg("score").arg(&bad).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("row 4, column `Amount`"), "{stderr}");
}

/// Customer, order, (year, month, day), amount.
type SheetRow<'a> = (&'a str, &'a str, (u16, u8, u8), f64);

/// A workbook with one sheet per `(name, odd amount)`: a header on row 2 below a title,
/// three orders, the odd amount on row 4.
fn write_workbook(path: &Path, sheets: &[(&str, f64)]) {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut book = Workbook::new();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (name, odd) in sheets {
        let sheet = book.add_worksheet();
        sheet.set_name(*name).unwrap();
        sheet.write_string(0, 0, "Export of 2024-03-01").unwrap();
        for (c, h) in ["Customer", "Order No", "Order Date", "Amount"]
            .iter()
            .enumerate()
        {
            sheet.write_string(1, c as u16, *h).unwrap();
        }
        let rows: [SheetRow; 3] = [
            ("1001", "O1", (2024, 1, 5), 1000.0),
            ("A-7", "O2", (2024, 1, 5), *odd),
            ("1001", "O3", (2024, 2, 29), 0.3),
        ];
        for (i, (customer, order, (y, m, d), amount)) in rows.iter().enumerate() {
            let r = 2 + i as u32;
            match customer.parse::<f64>() {
                Ok(number) => sheet.write_number(r, 0, number).unwrap(),
                Err(_) => sheet.write_string(r, 0, *customer).unwrap(),
            };
            sheet.write_string(r, 1, *order).unwrap();
            let when = ExcelDateTime::from_ymd(*y, *m, *d).unwrap();
            sheet
                .write_datetime_with_format(r, 2, &when, &date)
                .unwrap();
            sheet.write_number(r, 3, *amount).unwrap();
        }
    }
    book.save(path).unwrap();
}

/// Run `tiering ARGS` in `dir`.
fn run_in(dir: &Path, args: &[&str]) -> std::process::Output {
    tiering().current_dir(dir).args(args).output().unwrap()
}

fn shopify(rows: &[&str]) -> String {
    let mut text = String::from(
        "Name,Email,Financial Status,Currency,Total,Created at,Lineitem quantity,Lineitem price,Refunded Amount,Phone\n",
    );
    for row in rows {
        text.push_str(row);
        text.push('\n');
    }
    text
}

/// The findings of a hostile review of real exports, each a run that was wrong before.
#[test]
fn hostile_review_findings_on_real_exports() {
    let dir = temp_dir();
    let d = dir.path();
    let write = |name: &str, text: &str| std::fs::write(d.join(name), text).unwrap();
    let rows = |output: &std::process::Output| parse_csv(&String::from_utf8_lossy(&output.stdout));
    let fails = |output: &std::process::Output, code: i32, says: &str| {
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(code), "{stderr}");
        assert!(stderr.contains(says), "wanted `{says}` in: {stderr}");
    };
    // A line-amount column mapped over a layout is read per line.
    write(
        "items.csv",
        &shopify(&[
            "#1,a@x.com,paid,EUR,60.00,2024-03-01 10:00:00 +0100,1,20.00,0.00,",
            "#1,a@x.com,,,,,1,20.00,,",
            "#1,a@x.com,,,,,1,20.00,,",
        ]),
    );
    let out = run_in(
        d,
        &[
            "score",
            "items.csv",
            "--format",
            "csv",
            "--map",
            "amount=Lineitem price",
        ],
    );
    assert_cells(
        &rows(&out),
        &["orders", "revenue"],
        &[("a@x.com", "1 60.00")],
    );
    // Refunded in full counts nothing, whatever the refund cell says; a refund above the
    // total is an error; lines of one order naming another customer or day are errors.
    write(
        "refunded.csv",
        &shopify(&[
            "#1,a@x.com,refunded,EUR,50.00,2024-03-01 10:00:00 +0100,1,50.00,,",
            "#2,b@x.com,refunded,EUR,40.00,2024-03-02 10:00:00 +0100,1,40.00,0.00,",
            "#3,b@x.com,paid,EUR,10.00,2024-03-03 10:00:00 +0100,1,10.00,0.00,",
            "#4,c@x.com,refunded,EUR,0.00,2024-03-04 10:00:00 +0100,1,0.00,0.00,",
        ]),
    );
    let out = run_in(d, &["score", "refunded.csv", "--format", "csv"]);
    assert_cells(
        &rows(&out),
        &["orders", "revenue", "returns"],
        &[
            ("a@x.com", "0 0.00 50.00"),
            ("b@x.com", "1 10.00 40.00"),
            // A refunded free order is no purchase either.
            ("c@x.com", "0 0.00 0.00"),
        ],
    );
    write(
        "too_much.csv",
        &shopify(&["#1,a@x.com,paid,EUR,50.00,2024-03-01,1,50.00,500.00,"]),
    );
    fails(
        &run_in(d, &["score", "too_much.csv"]),
        3,
        "the refund 500.00 is more than the amount",
    );
    write(
        "other_customer.csv",
        &shopify(&[
            "#1,a@x.com,paid,EUR,50.00,2024-03-01,1,50.00,0.00,",
            "#1,b@x.com,,,,,1,10.00,,",
        ]),
    );
    fails(
        &run_in(d, &["score", "other_customer.csv"]),
        3,
        "the order's customer is `a@x.com` on an earlier line",
    );
    write(
        "other_day.csv",
        &shopify(&[
            "#1,a@x.com,paid,EUR,50.00,2024-03-01,1,50.00,0.00,",
            "#1,a@x.com,,,,2024-03-20,1,10.00,,",
        ]),
    );
    fails(
        &run_in(d, &["score", "other_day.csv"]),
        3,
        "the order is dated differently on an earlier line",
    );
    // A bad first line sets the whole order aside: no phantom purchase from the rest.
    write(
        "bad_total.csv",
        &shopify(&[
            "#1,a@x.com,paid,EUR,10.00,2024-03-01,1,10.00,0.00,",
            "#3,d@x.com,paid,EUR,abc,2024-03-02,1,10.00,0.00,",
            "#3,d@x.com,,,,,1,10.00,,",
        ]),
    );
    let out = run_in(
        d,
        &[
            "score",
            "bad_total.csv",
            "--format",
            "csv",
            "--rejects",
            "bad.csv",
        ],
    );
    assert!(
        !rows(&out).contains_key("d@x.com"),
        "{:?}",
        rows(&out).keys()
    );
    assert_eq!(
        std::fs::read_to_string(d.join("bad.csv"))
            .unwrap()
            .lines()
            .count(),
        3
    );
    // Currencies written in the amounts are not summed.
    write(
        "signs.csv",
        "customer_id,order_id,order_date,amount\nA,1,2024-01-01,$10.00\nA,2,2024-01-02,€10.00\nB,3,2024-01-03,USD 5.00\n",
    );
    fails(
        &run_in(d, &["score", "signs.csv"]),
        3,
        "the orders are in 3 currencies: $ (1 line), EUR (1 line), USD (1 line)",
    );
    let out = run_in(
        d,
        &["score", "signs.csv", "--currency", "EUR", "--format", "csv"],
    );
    assert_cells(&rows(&out), &["revenue"], &[("A", "10.00")]);
    // `¥` (or `￥`) goes with the yuan when other amounts say 元, RMB or CNY, also under
    // --currency CNY; it is not summed with dollars.
    write(
        "yuan.csv",
        "customer_id,order_id,order_date,amount\nA,1,2024-01-01,¥10.00\nA,2,2024-01-02,RMB 20.00\nB,3,2024-01-03,30元\nC,4,2024-01-04,￥5\n",
    );
    for extra in [&[][..], &["--currency", "CNY"][..]] {
        let mut args = vec!["score", "yuan.csv", "--format", "csv"];
        args.extend(extra);
        let out = run_in(d, &args);
        assert_cells(
            &rows(&out),
            &["revenue"],
            &[("A", "30.00"), ("B", "30.00"), ("C", "5.00")],
        );
    }
    // Under --currency JPY the ¥ line is yen: no minor unit, so 100.50 is refused.
    write(
        "yen_or_yuan.csv",
        "customer_id,order_id,order_date,amount\nA,1,2024-01-01,¥100.50\nB,2,2024-01-05,CNY 20.00\n",
    );
    fails(
        &run_in(d, &["score", "yen_or_yuan.csv", "--currency", "JPY"]),
        3,
        "the orders are in JPY, which has no minor unit, but some amounts have decimals",
    );
    write(
        "yen_and_dollars.csv",
        "customer_id,order_id,order_date,amount\nA,1,2024-01-01,¥10.00\nA,2,2024-01-02,$20.00\n",
    );
    fails(
        &run_in(d, &["score", "yen_and_dollars.csv"]),
        3,
        "2 currencies: $ (1 line), ¥ (1 line)",
    );
    // A currency written in the amount must agree with the currency column.
    write(
        "marked.csv",
        "customer_id,order_id,order_date,amount,currency\nA,1,2024-01-01,€10.00,USD\nA,2,2024-01-02,$5.00,USD\n",
    );
    fails(
        &run_in(d, &["score", "marked.csv"]),
        3,
        "line 2, column `amount`: the amount is marked EUR and the currency column says USD",
    );
    // Stripe without converted refunds: amounts in their own currencies, refused as mixed.
    write(
        "stripe.csv",
        "id,Created (UTC),Amount,Amount Refunded,Currency,Converted Amount,Converted Currency,Status,Customer ID,Customer Email\nch_1,2024-05-01 10:00,5000,1000,jpy,33.10,usd,Paid,cus_A,a@x.com\nch_2,2024-05-02 10:00,20.00,0.00,usd,20.00,usd,Paid,cus_B,b@x.com\n",
    );
    fails(
        &run_in(d, &["score", "stripe.csv"]),
        3,
        "JPY (1 line), USD (1 line)",
    );
    // An empty currency cell is a currency of its own, never kept by --currency.
    write(
        "empty_currency.csv",
        "customer_id,order_id,order_date,amount,currency\nA,1,2024-01-01,10.00,EUR\nA,2,2024-01-02,1000.00,\n",
    );
    let out = run_in(
        d,
        &[
            "score",
            "empty_currency.csv",
            "--currency",
            "EUR",
            "--format",
            "csv",
        ],
    );
    assert_cells(&rows(&out), &["revenue"], &[("A", "10.00")]);
    // ... and the hint's `--currency (empty)` keeps the lines without one.
    let out = run_in(
        d,
        &[
            "score",
            "empty_currency.csv",
            "--currency",
            "(empty)",
            "--format",
            "csv",
        ],
    );
    assert_cells(&rows(&out), &["revenue"], &[("A", "1000.00")]);
    // A credit note with a positive amount is a return.
    write(
        "belege.csv",
        "Kundennummer;Belegnummer;Belegdatum;Umsatz;Status\n10001;RE-1;05.03.2024;1.234,50;bezahlt\n10001;GS-1;12.03.2024;234,50;Gutschrift\n",
    );
    let out = run_in(d, &["score", "belege.csv", "--format", "csv"]);
    assert_cells(
        &rows(&out),
        &["orders", "revenue", "returns"],
        &[("10001", "1 1000.00 234.50")],
    );
    // Guests without an email are bad rows, never one customer `0`.
    write(
        "woo.csv",
        "Order Number,Order Status,Order Date,Customer User ID,Billing Email,Order Total Amount,Order Refund Amount\n1,wc-completed,2024-04-01 09:00:00,0,g@x.com,10.00,0.00\n2,wc-completed,2024-04-02 09:00:00,0,,20.00,0.00\n",
    );
    fails(
        &run_in(d, &["score", "woo.csv"]),
        3,
        "`0` marks a guest, and the guest's email or phone is empty",
    );
    // An order total repeated on item rows counts once outside the layouts too, and SQL
    // refuses what it would count per line.
    write(
        "totals.csv",
        "Order ID,Customer,Order Date,Order Total,Item\nO1,A,2024-01-01,50.00,x\nO1,A,2024-01-01,50.00,y\nO1,A,2024-01-01,50.00,z\n",
    );
    let out = run_in(d, &["score", "totals.csv", "--format", "csv"]);
    assert_cells(&rows(&out), &["orders", "revenue"], &[("A", "1 50.00")]);
    fails(
        &run_in(d, &["sql", "--dialect", "duckdb", "--source", "totals.csv"]),
        2,
        "is an order's total; tiering sql would add it once per line",
    );
    // Overlapping exports where the order changed customer, and an identical line at the
    // boundary of two exports, are overlaps.
    write(
        "w1.csv",
        "order_id,customer_id,order_date,amount\n2001,g@x.com,2024-04-01,80.00\n2002,h@x.com,2024-04-02,5.00\n",
    );
    write(
        "w2.csv",
        "order_id,customer_id,order_date,amount\n2001,23,2024-04-01,80.00\n2003,23,2024-04-03,110.00\n",
    );
    fails(
        &run_in(d, &["score", "w1.csv", "w2.csv"]),
        3,
        "order `2001`",
    );
    let out = run_in(
        d,
        &[
            "score", "w1.csv", "w2.csv", "--dedupe", "orders", "--format", "csv",
        ],
    );
    assert_cells(
        &rows(&out),
        &["revenue"],
        &[("g@x.com", "80.00"), ("23", "110.00")],
    );
    write(
        "b1.csv",
        "customer_id,order_id,order_date,amount\nA,1,2024-01-01,10.00\nC,3,2024-01-03,30.00\n",
    );
    write(
        "b2.csv",
        "customer_id,order_id,order_date,amount\nC,3,2024-01-03,30.00\nD,4,2024-01-04,5.00\n",
    );
    fails(&run_in(d, &["score", "b1.csv", "b2.csv"]), 3, "order `3`");
    // A forced encoding never garbles a UTF-8 file; two-digit years are not read as 0024.
    write(
        "utf8.csv",
        "customer_id,order_date,amount\n张三,2024-01-01,10.00\n",
    );
    fails(
        &run_in(d, &["score", "utf8.csv", "--encoding", "gbk"]),
        2,
        "is UTF-8, but --encoding gbk was given",
    );
    write(
        "yy.csv",
        "customer_id,order_date,amount\nA,03/04/24,10.00\n",
    );
    fails(
        &run_in(d, &["score", "yy.csv"]),
        3,
        "--date-format '%d/%m/%y'",
    );
    fails(
        &run_in(d, &["score", "yy.csv", "--date-format", "%d/%m/%Y"]),
        3,
        "a year before 1900 or after 2199",
    );
    // Files decided day first and month first in one run are named in a warning.
    write(
        "dmy.csv",
        "customer_id,order_date,amount\nA,13/01/2024,10.00\n",
    );
    write(
        "mdy.csv",
        "customer_id,order_date,amount\nB,01/13/2024,10.00\n",
    );
    let out = run_in(d, &["score", "dmy.csv", "mdy.csv"]);
    assert!(out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("dates were read day first in `dmy.csv` and month first in `mdy.csv`"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A file on stdin is protected like a named one.
    write(
        "in.csv",
        "customer_id,order_date,amount\nA,2024-01-01,10.00\n",
    );
    let before = std::fs::read(d.join("in.csv")).unwrap();
    let status = Command::new("sh")
        .arg("-c")
        .arg("\"$0\" score - -o in.csv < in.csv; \"$0\" score in.csv --format csv >> in.csv")
        .arg(assert_cmd::cargo::cargo_bin("tiering"))
        .current_dir(d)
        .output()
        .unwrap();
    assert_eq!(
        std::fs::read(d.join("in.csv")).unwrap(),
        before,
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
}
