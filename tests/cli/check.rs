//! `tiering check`: what would be read, without scoring.

use crate::support::{testdata, tiering};

#[test]
fn check_summarises_a_clean_file() {
    let output = tiering()
        .args(["check", &testdata("returns.csv")])
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    for expected in [
        "testdata/returns.csv: csv (delimiter `,`), 11 rows, 0 bad",
        "customer_id  ← customer_id",
        "lines: 11",
        "customers: 6",
        "orders: 9 (7 purchases, 2 not purchases: returned in full or credit notes)",
        "dates: 2024-01-01 to 2024-03-15",
        "returns: 3 lines, 55.00",
        "net revenue: 1255.00",
        "bad rows: none",
    ] {
        assert!(text.contains(expected), "missing `{expected}` in:\n{text}");
    }
}

#[test]
fn check_lists_bad_rows_and_exits_3() {
    let output = tiering()
        .args(["check", &testdata("bad/bad_amount.csv")])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("bad rows: 2"), "{text}");
    assert!(
        text.contains(
            "`testdata/bad/bad_amount.csv` line 3, column `amount`: not an amount: `ten`"
        ),
        "{text}"
    );
    assert!(
        text.contains("line 4: expected 3 fields, found 4"),
        "{text}"
    );
}
