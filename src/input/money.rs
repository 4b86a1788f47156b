//! Exact money parsing: amounts as exports write them (`1,234.50`, `¥1,234.50`,
//! `(12.00)`, `1.234,50`, `1.2E+3`) into integer minor units, with no float anywhere.

/// How amounts are written in a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MoneyFormat {
    /// Minor-unit digits of the currency (2 for cents, 0 for yen).
    pub decimals: u32,
    /// `1.234,50` style: comma is the decimal mark, dot/space/apostrophe group thousands.
    pub decimal_comma: bool,
}

impl Default for MoneyFormat {
    fn default() -> Self {
        Self {
            decimals: 2,
            decimal_comma: false,
        }
    }
}

/// Why a cell is not an amount.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MoneyError {
    /// The cell is empty.
    Empty,
    /// Not a number in any accepted form.
    Invalid,
    /// More significant decimals than the currency has (would need rounding).
    TooPrecise,
    /// `12,50` without `--decimal-comma`.
    LooksLikeDecimalComma,
    /// Does not fit in 64-bit minor units.
    Overflow,
}

impl MoneyError {
    /// What the user should do about it, if there is something specific.
    pub fn hint(self, format: MoneyFormat) -> Option<String> {
        match self {
            MoneyError::LooksLikeDecimalComma => {
                Some("this looks like a decimal comma: pass --decimal-comma".into())
            }
            MoneyError::TooPrecise => Some(format!(
                "amounts are kept exactly with {} decimals; set --currency-decimals if the currency has more",
                format.decimals
            )),
            MoneyError::Overflow => {
                Some("the amount is too large to hold exactly in 64-bit minor units".into())
            }
            MoneyError::Empty | MoneyError::Invalid => None,
        }
    }

    /// Short description used in messages and rejects files.
    pub fn reason(self) -> &'static str {
        match self {
            MoneyError::Empty => "empty amount",
            MoneyError::Invalid => "not an amount",
            MoneyError::TooPrecise => "more decimals than the currency has",
            MoneyError::LooksLikeDecimalComma => "decimal comma without --decimal-comma",
            MoneyError::Overflow => "amount out of range",
        }
    }
}

/// Currency markers that may stand before or after the number.
const CURRENCY_MARKERS: &[&str] = &[
    "US$", "HK$", "NT$", "RMB", "CNY", "USD", "EUR", "GBP", "JPY", "HKD", "$", "¥", "￥", "€", "£",
    "元",
];

/// The currency an amount cell names with a sign or code (`USD 12,000.00`, `€10`,
/// `¥1,234.50`): markers of one currency map to one code (`$` stays `$`: it is several).
pub fn currency_marker(raw: &str) -> Option<&'static str> {
    let text = trim(raw);
    let start = text.trim_start_matches(['-', '+', '(', ' ', '\u{2212}']);
    let end = text.trim_end_matches([')', '-', ' ']);
    let numeric = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_digit() || *b == b'.');
    if numeric(start.as_bytes().first()) && numeric(end.as_bytes().last()) {
        return None;
    }
    let marker = CURRENCY_MARKERS
        .iter()
        .find(|m| start.starts_with(**m) || end.ends_with(**m))?;
    Some(match *marker {
        "US$" | "USD" => "USD",
        "HK$" | "HKD" => "HKD",
        "NT$" => "TWD",
        "RMB" | "CNY" | "元" => "CNY",
        "¥" | "￥" => "¥",
        "€" | "EUR" => "EUR",
        "£" | "GBP" => "GBP",
        "JPY" => "JPY",
        "$" => "$",
        _ => "?",
    })
}

/// A three-letter upper-case currency code (not a sign, nor `(empty)`, nor `人民币`).
pub fn is_currency_code(currency: &str) -> bool {
    currency.len() == 3 && currency.bytes().all(|b| b.is_ascii_uppercase())
}

/// Whether an amount's marker (from [`currency_marker`]) can be written for `currency`
/// (an upper-case code): `$` for the dollars and pesos, `¥` for yuan and yen, a code for
/// itself. A currency that is not a three-letter code (`人民币`, `$`) is not judged.
pub fn marker_fits(marker: &str, currency: &str) -> bool {
    // Currencies written with a plain `$` sign: dollars and pesos (and the real, R$).
    const DOLLAR_SIGN: [&str; 31] = [
        "USD", "CAD", "AUD", "NZD", "HKD", "SGD", "TWD", "MXN", "ARS", "CLP", "COP", "UYU", "BRL",
        "BSD", "BBD", "BZD", "BMD", "KYD", "JMD", "TTD", "XCD", "LRD", "NAD", "SBD", "SRD", "GYD",
        "FJD", "BND", "DOP", "CUP", "TOP",
    ];
    if !is_currency_code(currency) || marker == currency {
        return true;
    }
    match marker {
        "$" => DOLLAR_SIGN.contains(&currency),
        "¥" => ["CNY", "RMB", "CNH", "JPY"].contains(&currency),
        "CNY" => ["CNY", "RMB", "CNH"].contains(&currency),
        code => code == currency,
    }
}

/// Parse `raw` into minor units, exactly.
pub fn parse_money(raw: &str, format: MoneyFormat) -> Result<i64, MoneyError> {
    let mut text = trim(raw);
    if text.is_empty() {
        return Err(MoneyError::Empty);
    }
    let mut negative = false;
    if let Some(inner) = text.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
        negative = true;
        text = trim(inner);
    }
    // Most amounts are plain numbers: no sign or currency marker to look for.
    let plain =
        text.as_bytes()[0].is_ascii_digit() && text.as_bytes()[text.len() - 1].is_ascii_digit();
    let (body, sign_negative) = if plain {
        (text, false)
    } else {
        strip_sign_and_currency(text)?
    };
    if sign_negative {
        if negative {
            return Err(MoneyError::Invalid);
        }
        negative = true;
    }
    let units = parse_unsigned(body, format)?;
    let signed = if negative { -units } else { units };
    i64::try_from(signed).map_err(|_| MoneyError::Overflow)
}

fn trim(s: &str) -> &str {
    // Most cells start and end with a printable ASCII byte: nothing to trim.
    let kept = |b: &u8| b.is_ascii() && !matches!(b, b'\t'..=b'\r' | b' ');
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(first), Some(last)) if kept(first) && kept(last) => s,
        _ => s.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}'),
    }
}

/// Removes one sign and currency markers from both ends; returns the bare number.
fn strip_sign_and_currency(mut text: &str) -> Result<(&str, bool), MoneyError> {
    let mut negative = false;
    let mut signs = 0;
    loop {
        let before = text;
        if let Some(rest) = text
            .strip_prefix('-')
            .or_else(|| text.strip_prefix('\u{2212}'))
        {
            negative = true;
            signs += 1;
            text = rest;
        } else if let Some(rest) = text.strip_prefix('+') {
            signs += 1;
            text = rest;
        } else if let Some(marker) = CURRENCY_MARKERS.iter().find(|m| text.starts_with(**m)) {
            text = &text[marker.len()..];
        }
        text = trim(text);
        if text == before {
            break;
        }
    }
    loop {
        let before = text;
        if let Some(rest) = text.strip_suffix('-') {
            negative = true;
            signs += 1;
            text = rest;
        } else if let Some(marker) = CURRENCY_MARKERS.iter().find(|m| text.ends_with(**m)) {
            text = &text[..text.len() - marker.len()];
        }
        text = trim(text);
        if text == before {
            break;
        }
    }
    if signs > 1 || text.is_empty() {
        return Err(MoneyError::Invalid);
    }
    Ok((text, negative))
}

/// Digits with optional grouping, decimal part and exponent -> minor units (non-negative).
/// Non-breaking and narrow spaces group thousands like a space (French, Swiss exports).
fn parse_unsigned(body: &str, format: MoneyFormat) -> Result<i128, MoneyError> {
    plain_unsigned(body, format).map_or_else(|| parse_grouped(body, format), Ok)
}

/// Most amounts are digits with at most one decimal mark and no more decimals than the
/// currency has (`1234.5`): their minor units, without the checks that grouping marks,
/// exponents and other forms need. `None` for anything else; [`parse_grouped`] reads it
/// (a property test holds the two equal where this one answers).
fn plain_unsigned(body: &str, format: MoneyFormat) -> Option<i128> {
    // 18 digits fit in i64, so the mantissa cannot overflow.
    if body.len() > 18 {
        return None;
    }
    let decimal_mark = if format.decimal_comma { b',' } else { b'.' };
    let mut mantissa: i64 = 0;
    let mut digits = 0u32;
    let mut fraction_digits: Option<u32> = None;
    for &b in body.as_bytes() {
        if b.is_ascii_digit() {
            mantissa = mantissa * 10 + i64::from(b - b'0');
            digits += 1;
            if let Some(f) = &mut fraction_digits {
                *f += 1;
            }
        } else if b == decimal_mark && fraction_digits.is_none() {
            fraction_digits = Some(0);
        } else {
            return None;
        }
    }
    let fraction_digits = fraction_digits.unwrap_or(0);
    if digits == 0 || fraction_digits > format.decimals {
        return None;
    }
    let factor = 10i128.checked_pow(format.decimals - fraction_digits)?;
    i128::from(mantissa).checked_mul(factor)
}

/// [`parse_unsigned`] for every form it takes.
fn parse_grouped(body: &str, format: MoneyFormat) -> Result<i128, MoneyError> {
    if body.contains(['\u{a0}', '\u{202f}']) {
        let spaced = body.replace(['\u{a0}', '\u{202f}'], " ");
        return parse_grouped(&spaced, format);
    }
    let (decimal_mark, group_marks): (u8, &[u8]) = if format.decimal_comma {
        (b',', b". '")
    } else {
        (b'.', b", '")
    };
    let bytes = body.as_bytes();
    if !format.decimal_comma && looks_like_decimal_comma(body) {
        return Err(MoneyError::LooksLikeDecimalComma);
    }
    let (number, exponent) = split_exponent(bytes)?;

    let mut mantissa: i128 = 0;
    let mut digits = 0usize;
    let mut fraction_digits: i32 = 0;
    let mut in_fraction = false;
    let mut group_len = 0usize;
    let mut groups_seen = 0usize;
    let mut grouping_ok = true;
    for &b in number {
        match b {
            b'0'..=b'9' => {
                mantissa = mantissa
                    .checked_mul(10)
                    .and_then(|m| m.checked_add(i128::from(b - b'0')))
                    .ok_or(MoneyError::Overflow)?;
                digits += 1;
                if in_fraction {
                    fraction_digits += 1;
                } else {
                    group_len += 1;
                }
            }
            _ if b == decimal_mark && !in_fraction => {
                in_fraction = true;
                if groups_seen > 0 && group_len != 3 {
                    grouping_ok = false;
                }
            }
            _ if group_marks.contains(&b) && !in_fraction => {
                if groups_seen == 0 {
                    if group_len == 0 || group_len > 3 {
                        grouping_ok = false;
                    }
                } else if group_len != 3 {
                    grouping_ok = false;
                }
                groups_seen += 1;
                group_len = 0;
            }
            _ => return Err(MoneyError::Invalid),
        }
    }
    if digits == 0 {
        return Err(MoneyError::Invalid);
    }
    if groups_seen > 0 && !in_fraction && group_len != 3 {
        grouping_ok = false;
    }
    if !grouping_ok {
        let comma_decimal = !format.decimal_comma
            && body.matches(',').count() == 1
            && !body.contains('.')
            && group_len <= 2;
        return Err(if comma_decimal {
            MoneyError::LooksLikeDecimalComma
        } else {
            MoneyError::Invalid
        });
    }
    scale(
        mantissa,
        exponent - fraction_digits + format.decimals as i32,
    )
}

/// `1.234,50`: dots grouping thousands before a comma with one or two decimals.
fn looks_like_decimal_comma(body: &str) -> bool {
    let Some((whole, fraction)) = body.rsplit_once(',') else {
        return false;
    };
    whole.contains('.')
        && (1..=2).contains(&fraction.len())
        && fraction.bytes().all(|b| b.is_ascii_digit())
        && whole
            .split('.')
            .skip(1)
            .all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()))
}

fn split_exponent(bytes: &[u8]) -> Result<(&[u8], i32), MoneyError> {
    let Some(pos) = bytes.iter().position(|&b| b == b'e' || b == b'E') else {
        return Ok((bytes, 0));
    };
    let exp_text = std::str::from_utf8(&bytes[pos + 1..]).map_err(|_| MoneyError::Invalid)?;
    let valid = !exp_text.is_empty()
        && exp_text
            .trim_start_matches(['+', '-'])
            .bytes()
            .all(|b| b.is_ascii_digit())
        && exp_text.len() <= 4;
    if !valid {
        return Err(MoneyError::Invalid);
    }
    let exponent: i32 = exp_text.parse().map_err(|_| MoneyError::Invalid)?;
    Ok((&bytes[..pos], exponent))
}

/// mantissa × 10^power, failing when a negative power would drop non-zero digits.
fn scale(mantissa: i128, power: i32) -> Result<i128, MoneyError> {
    if power >= 0 {
        let factor = 10i128
            .checked_pow(power as u32)
            .ok_or(MoneyError::Overflow)?;
        mantissa.checked_mul(factor).ok_or(MoneyError::Overflow)
    } else {
        let divisor = 10i128
            .checked_pow(power.unsigned_abs())
            .ok_or(MoneyError::TooPrecise)?;
        if mantissa % divisor != 0 {
            return Err(MoneyError::TooPrecise);
        }
        Ok(mantissa / divisor)
    }
}

/// Minor units back to text with exactly `decimals` digits after the point: `-1234.50`.
pub fn format_money(units: i64, decimals: u32) -> String {
    let mut text = String::with_capacity(24);
    push_money(&mut text, units, decimals);
    text
}

/// Append minor units as text with exactly `decimals` digits after the point.
pub fn push_money(text: &mut String, units: i64, decimals: u32) {
    if units < 0 {
        text.push('-');
    }
    let magnitude = units.unsigned_abs();
    let divisor = 10u64.pow(decimals);
    push_digits(text, magnitude / divisor, 1);
    if decimals > 0 {
        text.push('.');
        push_digits(text, magnitude % divisor, decimals as usize);
    }
}

/// Append the decimal digits of `value`, zero-padded to at least `width`.
fn push_digits(text: &mut String, mut value: u64, width: usize) {
    let mut digits = [0u8; 20];
    let mut n = 0;
    while value > 0 || n < width {
        digits[n] = b'0' + (value % 10) as u8;
        value /= 10;
        n += 1;
    }
    text.extend(digits[..n].iter().rev().map(|&d| char::from(d)));
}

/// An exact decimal number (`digits` × 10^-`scale`, as typed columns of Parquet files hold
/// them) in minor units of a currency with `decimals`: extra decimals must be zeros.
pub fn minor_units_of_decimal(digits: i128, scale: u32, decimals: u32) -> Result<i64, MoneyError> {
    let units = if scale <= decimals {
        10i128
            .checked_pow(decimals - scale)
            .and_then(|factor| digits.checked_mul(factor))
            .ok_or(MoneyError::Overflow)?
    } else {
        match 10i128.checked_pow(scale - decimals) {
            Some(divisor) if digits % divisor == 0 => digits / divisor,
            None if digits == 0 => 0,
            _ => return Err(MoneyError::TooPrecise),
        }
    };
    i64::try_from(units).map_err(|_| MoneyError::Overflow)
}

/// Like [`format_money`], with `,` between thousands, for reading: `-1,234,567.50`.
pub fn format_money_grouped(units: i64, decimals: u32) -> String {
    let plain = format_money(units, decimals);
    let (sign, rest) = plain.split_at(usize::from(plain.starts_with('-')));
    let (whole, fraction) = rest.split_at(rest.find('.').unwrap_or(rest.len()));
    let mut grouped = String::with_capacity(plain.len() + whole.len() / 3);
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    format!("{sign}{grouped}{fraction}")
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn trim_is_the_trim_of_whitespace_and_byte_order_marks(
            text in "[ \t\n\x0b\x0c\r\u{85}\u{a0}\u{feff}\u{3000}a1.-]{0,8}",
        ) {
            let expected = text.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
            proptest::prop_assert_eq!(trim(&text), expected);
        }
    }

    proptest::proptest! {
        #[test]
        fn plain_amounts_read_as_the_general_parser_reads_them(
            body in "[0-9.,]{0,22}",
            decimals in 0u32..5,
            decimal_comma: bool,
        ) {
            let format = MoneyFormat { decimals, decimal_comma };
            if let Some(units) = plain_unsigned(&body, format) {
                proptest::prop_assert_eq!(Ok(units), parse_grouped(&body, format));
            }
        }
    }

    #[test]
    fn typed_decimals_become_minor_units_exactly() {
        assert_eq!(minor_units_of_decimal(1250, 3, 2), Ok(125));
        assert_eq!(
            minor_units_of_decimal(1255, 3, 2),
            Err(MoneyError::TooPrecise)
        );
        assert_eq!(minor_units_of_decimal(-2000, 3, 2), Ok(-200));
        assert_eq!(minor_units_of_decimal(12, 0, 2), Ok(1200));
        assert_eq!(minor_units_of_decimal(-150, 2, 2), Ok(-150));
        assert_eq!(minor_units_of_decimal(0, 60, 2), Ok(0));
        assert_eq!(
            minor_units_of_decimal(1, 60, 2),
            Err(MoneyError::TooPrecise)
        );
        assert_eq!(
            minor_units_of_decimal(i128::from(i64::MAX), 0, 2),
            Err(MoneyError::Overflow)
        );
    }

    fn cents(s: &str) -> Result<i64, MoneyError> {
        parse_money(s, MoneyFormat::default())
    }

    fn comma(s: &str) -> Result<i64, MoneyError> {
        parse_money(
            s,
            MoneyFormat {
                decimals: 2,
                decimal_comma: true,
            },
        )
    }

    #[test]
    fn accepts_export_forms() {
        assert_eq!(cents("1234.5"), Ok(123_450));
        assert_eq!(cents("1,234.50"), Ok(123_450));
        assert_eq!(cents("¥1,234.50"), Ok(123_450));
        assert_eq!(cents("￥1,234.50"), Ok(123_450));
        assert_eq!(cents("¥-12.00"), Ok(-1200));
        assert_eq!(cents("-$12.00"), Ok(-1200));
        assert_eq!(cents("(12.00)"), Ok(-1200));
        assert_eq!(cents("($12.00)"), Ok(-1200));
        assert_eq!(cents("12.00-"), Ok(-1200));
        assert_eq!(cents(" 7 "), Ok(700));
        assert_eq!(cents("0.07"), Ok(7));
        assert_eq!(cents(".5"), Ok(50));
        assert_eq!(cents("12."), Ok(1200));
        assert_eq!(cents("1 234 567.89"), Ok(123_456_789));
        assert_eq!(cents("1234.500"), Ok(123_450));
        assert_eq!(cents("1.5E+3"), Ok(150_000));
        assert_eq!(cents("€ 3"), Ok(300));
        assert_eq!(cents("100元"), Ok(10_000));
        assert_eq!(cents("RMB 1,000.00"), Ok(100_000));
        assert_eq!(comma("1.234,50"), Ok(123_450));
        assert_eq!(comma("12,5"), Ok(1250));
        assert_eq!(comma("-1 234,50 €"), Ok(-123_450));
    }

    #[test]
    fn rejects_what_it_cannot_read_exactly() {
        assert_eq!(cents(""), Err(MoneyError::Empty));
        assert_eq!(cents("  "), Err(MoneyError::Empty));
        assert_eq!(cents("abc"), Err(MoneyError::Invalid));
        assert_eq!(cents("12,50"), Err(MoneyError::LooksLikeDecimalComma));
        assert_eq!(cents("1,23,4.00"), Err(MoneyError::Invalid));
        assert_eq!(cents("1.234"), Err(MoneyError::TooPrecise));
        assert_eq!(cents("--5"), Err(MoneyError::Invalid));
        assert_eq!(cents("(-5)"), Err(MoneyError::Invalid));
        assert_eq!(cents("1.2.3"), Err(MoneyError::Invalid));
        assert_eq!(cents("$"), Err(MoneyError::Invalid));
        assert_eq!(cents("92233720368547758.08"), Err(MoneyError::Overflow));
        assert_eq!(cents("92233720368547758.07"), Ok(i64::MAX));
        assert_eq!(cents("1e400"), Err(MoneyError::Overflow));
        assert_eq!(cents("1e-400"), Err(MoneyError::TooPrecise));
        assert_eq!(
            cents("99999999999999999999999999999999999999999"),
            Err(MoneyError::Overflow)
        );
    }

    #[test]
    fn markers_fit_their_currencies() {
        assert!(marker_fits("$", "USD") && marker_fits("$", "CAD") && !marker_fits("$", "EUR"));
        assert!(!marker_fits("$", "SEK") && !marker_fits("$", "KRW"));
        assert!(marker_fits("¥", "JPY") && marker_fits("¥", "CNY") && !marker_fits("¥", "USD"));
        assert!(marker_fits("CNY", "RMB") && marker_fits("EUR", "EUR"));
        assert!(!marker_fits("EUR", "USD") && !marker_fits("USD", "CAD"));
        assert!(marker_fits("¥", "人民币") && marker_fits("$", "$"));
    }

    #[test]
    fn markers_name_their_currency() {
        assert_eq!(currency_marker("USD 12,000.00"), Some("USD"));
        assert_eq!(currency_marker("€10.00"), Some("EUR"));
        assert_eq!(currency_marker("-$12.00"), Some("$"));
        assert_eq!(currency_marker("(¥12.00)"), Some("¥"));
        assert_eq!(currency_marker("12.00 EUR"), Some("EUR"));
        assert_eq!(currency_marker("1 234,50"), None);
        assert_eq!(currency_marker("-12.50"), None);
    }

    #[test]
    fn non_breaking_spaces_group_thousands_and_a_dot_comma_amount_gets_a_hint() {
        let comma = MoneyFormat {
            decimals: 2,
            decimal_comma: true,
        };
        assert_eq!(parse_money("1\u{a0}234,50", comma), Ok(123_450));
        assert_eq!(parse_money("1\u{202f}234,50", comma), Ok(123_450));
        assert_eq!(
            parse_money("1.234,50", MoneyFormat::default()),
            Err(MoneyError::LooksLikeDecimalComma)
        );
    }

    #[test]
    fn zero_decimal_currencies() {
        let yen = MoneyFormat {
            decimals: 0,
            decimal_comma: false,
        };
        assert_eq!(parse_money("¥1,234", yen), Ok(1234));
        assert_eq!(parse_money("1234.5", yen), Err(MoneyError::TooPrecise));
        assert_eq!(format_money(1234, 0), "1234");
    }

    #[test]
    fn formats_with_fixed_decimals() {
        assert_eq!(format_money(123_450, 2), "1234.50");
        assert_eq!(format_money(-5, 2), "-0.05");
        assert_eq!(format_money(0, 2), "0.00");
        assert_eq!(format_money(i64::MIN, 2), "-92233720368547758.08");
        assert_eq!(format_money_grouped(-123_456_789, 2), "-1,234,567.89");
        assert_eq!(format_money_grouped(99_999, 2), "999.99");
        assert_eq!(format_money_grouped(100_000, 0), "100,000");
    }
}
