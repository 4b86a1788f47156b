//! One currency per run (DESIGN §3a): a currency column with several currencies is an
//! error listing them, unless `--currency CODE` keeps one (the other lines are counted as
//! excluded) — exports with a converted-amount column (Stripe) are read from it by their
//! layout. A zero-decimal currency (JPY, KRW …) sets the currency's decimals to 0 unless
//! `--currency-decimals` says otherwise.

use std::collections::BTreeMap;

use polars::prelude::*;

use super::export::{currency_given, is_sign};
use super::lines::col_names::{AMOUNT, COST, RETURNS};
use super::money::{is_currency_code, marker_fits};
use super::{FileRead, InputOptions};
use crate::error::TieringError;

/// ISO 4217 currencies without minor units (as Stripe and the card networks treat them).
pub const ZERO_DECIMAL: [&str; 17] = [
    "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND",
    "VUV", "XAF", "XOF", "XPF",
];

/// Check the currencies of all files and settle the decimals: the lines, rescaled when a
/// zero-decimal currency was read with more decimals, and the decimals in force.
pub fn settle(
    lines: DataFrame,
    files: &[FileRead],
    options: &InputOptions,
) -> anyhow::Result<(DataFrame, u32)> {
    let decimals = options.typing.money.decimals;
    let mut seen: BTreeMap<String, u64> = BTreeMap::new();
    for file in files {
        for (currency, count) in &file.export.state.currencies {
            *seen.entry(currency.clone()).or_default() += count;
        }
    }
    let seen = signs_merged(seen);
    let kept: Vec<&String> = match &options.keep_currency {
        Some(keep) => {
            let keep = currency_given(keep);
            let fits = |c: &String| *c == keep || (is_sign(c) && marker_fits(c, &keep));
            if !seen.is_empty() && !seen.keys().any(fits) {
                return Err(TieringError::usage(
                    format!("--currency {keep}: no line is in {keep}"),
                    Some(format!("the currencies are {}", listing(&seen))),
                )
                .into());
            }
            seen.keys().filter(|c| fits(c)).collect()
        }
        None => seen.keys().collect(),
    };
    if kept.len() > 1 {
        return Err(TieringError::Conflict {
            message: format!(
                "the orders are in {} currencies: {}; summing them would mix money",
                kept.len(),
                listing(&seen)
            ),
            hint: Some(format!(
                "score one currency with --currency {} (the other lines are counted as excluded), or export converted amounts",
                kept[0]
            )),
        }
        .into());
    }
    // Lines marked `¥` kept by `--currency JPY` (or CNY) are in that currency.
    let currency = match (kept.first(), &options.keep_currency) {
        (Some(sign), Some(keep)) if is_sign(sign) => currency_given(keep),
        (Some(code), _) => code.to_string(),
        (None, _) => String::new(),
    };
    let zero_decimal = ZERO_DECIMAL.contains(&currency.as_str());
    if !zero_decimal || options.decimals_given || decimals == 0 {
        return Ok((lines, decimals));
    }
    let factor = 10i64.pow(decimals);
    let divisible = [AMOUNT, RETURNS, COST].iter().try_fold(true, |ok, name| {
        let column = lines.column(name)?.i64()?;
        PolarsResult::Ok(ok && column.iter().flatten().all(|v| v % factor == 0))
    })?;
    if !divisible {
        return Err(TieringError::Conflict {
            message: format!(
                "the orders are in {currency}, which has no minor unit, but some amounts have decimals"
            ),
            hint: Some("check the amounts, or keep the decimals with --currency-decimals 2".into()),
        }
        .into());
    }
    let rescaled = lines
        .lazy()
        .with_columns([
            (col(AMOUNT) / lit(factor)).alias(AMOUNT),
            (col(RETURNS) / lit(factor)).alias(RETURNS),
            (col(COST) / lit(factor)).alias(COST),
        ])
        .collect()?;
    Ok((rescaled, 0))
}

/// Lines marked `¥` counted with the yuan or the yen when the run names exactly one of
/// them (`¥12.00` beside `RMB 5.00` or `30元` is one currency).
fn signs_merged(mut seen: BTreeMap<String, u64>) -> BTreeMap<String, u64> {
    let signs: Vec<String> = seen.keys().filter(|c| is_sign(c)).cloned().collect();
    for sign in signs {
        let codes: Vec<String> = seen
            .keys()
            .filter(|c| is_currency_code(c) && marker_fits(&sign, c))
            .cloned()
            .collect();
        if let [code] = &codes[..]
            && let Some(lines) = seen.remove(&sign)
        {
            *seen.entry(code.clone()).or_default() += lines;
        }
    }
    seen
}

fn listing(seen: &BTreeMap<String, u64>) -> String {
    seen.iter()
        .map(|(c, n)| format!("{c} ({})", crate::plural::count(*n, "line", "lines")))
        .collect::<Vec<_>>()
        .join(", ")
}
