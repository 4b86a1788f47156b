//! Date parsing never panics, and what it accepts it writes back as the same day.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tiering::input::dates::{DateFormat, format_date, parse_date};

fuzz_target!(|text: &str| {
    if let Ok(day) = parse_date(text, &DateFormat::Auto) {
        let written = format_date(day);
        assert_eq!(
            parse_date(&written, &DateFormat::Auto),
            Ok(day),
            "{text:?} -> {written}"
        );
    }
});
