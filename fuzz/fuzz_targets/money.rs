//! Money parsing never panics, and what it accepts it writes back the same way.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tiering::input::money::{MoneyFormat, format_money, parse_money};

fuzz_target!(|input: (&str, u8, bool)| {
    let (text, decimals, decimal_comma) = input;
    let format = MoneyFormat {
        decimals: u32::from(decimals % 7),
        decimal_comma,
    };
    if let Ok(units) = parse_money(text, format) {
        let written = format_money(units, format.decimals);
        let plain = MoneyFormat {
            decimal_comma: false,
            ..format
        };
        assert_eq!(
            parse_money(&written, plain),
            Ok(units),
            "{text:?} -> {written}"
        );
    }
});
