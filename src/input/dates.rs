//! Date parsing for order exports: ISO dates and datetimes (truncated to the day in their
//! own offset, `+0100` or ` +0100`), `YYYY/MM/DD`, `YYYYMMDD`, `YYYY年M月D日`, `dd.mm.yyyy`
//! (always day-first), Excel serial numbers, or an explicit `--date-format`.
//!
//! `3/4/2024` is never guessed: a column's day/month order is decided by its own values
//! (see [`DayMonth`]): a first field above 12 makes it day-first, a second field above 12
//! month-first; until one does, such dates wait as [`Parsed::Pending`].
//!
//! Dates are days since 1970-01-01 (`i32`), the physical form of a polars `Date`.

use chrono::{DateTime, NaiveDate, NaiveDateTime};

/// How dates are read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum DateFormat {
    /// The unambiguous forms listed in the module docs.
    #[default]
    Auto,
    /// A chrono `strftime` pattern, e.g. `%d/%m/%Y`.
    Pattern(String),
}

/// The order of day and month in a column of `d/m/yyyy` or `m/d/yyyy` dates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DayMonth {
    /// `13/4/2024`: day first.
    DayFirst,
    /// `4/13/2024`: month first.
    MonthFirst,
}

impl DayMonth {
    /// The `--date-format` of this order, with `time` (e.g. ` %H:%M`) appended.
    pub fn pattern(self, separator: char, time: &str) -> String {
        match self {
            DayMonth::DayFirst => format!("%d{separator}%m{separator}%Y{time}"),
            DayMonth::MonthFirst => format!("%m{separator}%d{separator}%Y{time}"),
        }
    }
}

/// A cell read in [`DateFormat::Auto`] mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Parsed {
    /// A date, whatever the column's day/month order.
    Date(i32),
    /// A date whose own fields show the column's day/month order (`13/4/2024`).
    Decides(i32, DayMonth),
    /// `3/4/2024` before the column's order is known: [`Parsed::pending_key`] keeps it
    /// until [`resolve_pending`] can read it.
    Pending {
        /// Year.
        year: i32,
        /// First field.
        first: u8,
        /// Second field.
        second: u8,
    },
}

/// Pending dates are stored in the date column under this value and below, so they can
/// never be mistaken for a real day (real days are within ±3 million of the epoch).
pub const PENDING_FLOOR: i32 = -1_000_000_000;

impl Parsed {
    /// The value stored for the line: the day, or a key below [`PENDING_FLOOR`] that
    /// encodes a pending date exactly.
    pub fn stored(self) -> i32 {
        match self {
            Parsed::Date(d) | Parsed::Decides(d, _) => d,
            Parsed::Pending {
                year,
                first,
                second,
            } => PENDING_FLOOR - (year * 10_000 + i32::from(first) * 100 + i32::from(second)),
        }
    }
}

/// The day of a stored pending key, once the column's order is known.
pub fn resolve_pending(stored: i32, order: DayMonth) -> Result<i32, DateError> {
    let code = PENDING_FLOOR - stored;
    let (year, first, second) = (code / 10_000, code / 100 % 100, code % 100);
    let (day, month) = match order {
        DayMonth::DayFirst => (first, second),
        DayMonth::MonthFirst => (second, first),
    };
    ymd(i64::from(year), i64::from(month), i64::from(day))
}

/// Why a cell is not a date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateError {
    /// The cell is empty.
    Empty,
    /// Well-formed but not on the calendar (2023-02-30).
    Impossible,
    /// `03/04/2024`: day and month cannot be told apart.
    Ambiguous,
    /// `4/13/2024` in a column that earlier values made day-first (or the reverse).
    Contradicts(DayMonth),
    /// Not in a known form (or not in the given `--date-format`).
    Unrecognised,
    /// A year before 1900 or after 2199: a misread format.
    Implausible,
}

impl DateError {
    /// Short description used in messages and rejects files.
    pub fn reason(self) -> &'static str {
        match self {
            DateError::Empty => "empty date",
            DateError::Impossible => "no such day on the calendar",
            DateError::Ambiguous => "day and month order is ambiguous",
            DateError::Contradicts(DayMonth::DayFirst) => {
                "month-first, but earlier values of the column are day-first"
            }
            DateError::Contradicts(DayMonth::MonthFirst) => {
                "day-first, but earlier values of the column are month-first"
            }
            DateError::Unrecognised => "not a date in a known form",
            DateError::Implausible => "a year before 1900 or after 2199",
        }
    }

    /// What to do about it.
    pub fn hint(self, format: &DateFormat) -> Option<String> {
        match (self, format) {
            (DateError::Ambiguous, _) => Some(
                "say which it is with --date-format %d/%m/%Y (day first) or --date-format %m/%d/%Y (month first)"
                    .into(),
            ),
            (DateError::Unrecognised, DateFormat::Auto) => Some(
                "dates are read as YYYY-MM-DD, ISO datetimes, YYYY/MM/DD, YYYYMMDD or Excel serials; give any other form with --date-format"
                    .into(),
            ),
            (DateError::Unrecognised, DateFormat::Pattern(p)) => {
                Some(format!("the value does not match --date-format `{p}`"))
            }
            (DateError::Implausible, DateFormat::Pattern(p)) => Some(format!(
                "--date-format `{p}` misreads it: for two-digit years use %y, not %Y"
            )),
            _ => None,
        }
    }
}

/// What the expected form is, for messages.
pub fn expected_form(format: &DateFormat) -> String {
    match format {
        DateFormat::Auto => "a date like 2026-11-23".into(),
        DateFormat::Pattern(p) => format!("a date in the form `{p}`"),
    }
}

/// Parse one cell into days since the Unix epoch (a `d/m/yyyy` cell is ambiguous here:
/// a lone value has no column to decide it).
pub fn parse_date(raw: &str, format: &DateFormat) -> Result<i32, DateError> {
    match parse_in_column(raw, format, None)? {
        Parsed::Date(d) | Parsed::Decides(d, _) => Ok(d),
        Parsed::Pending { .. } => Err(DateError::Ambiguous),
    }
}

/// Parse one cell of a date column whose day/month order is `order` (when known).
pub fn parse_in_column(
    raw: &str,
    format: &DateFormat,
    order: Option<DayMonth>,
) -> Result<Parsed, DateError> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(DateError::Empty);
    }
    let parsed = match format {
        DateFormat::Auto => parse_auto(text, order),
        DateFormat::Pattern(pattern) => parse_pattern(text, pattern).map(Parsed::Date),
    }?;
    match parsed {
        Parsed::Date(d) | Parsed::Decides(d, _) if !PLAUSIBLE.contains(&d) => {
            Err(DateError::Implausible)
        }
        _ => Ok(parsed),
    }
}

/// Order dates from 1900-01-01 to 2199-12-31: anything else is a misread (`%Y` on a
/// two-digit year gives the year 24).
const PLAUSIBLE: std::ops::Range<i32> = -25_567..84_006;

/// The `--date-format` that reads a `d/m/y` value like `sample` in `order`: the separator
/// and the time part (`%H:%M`, `%H:%M:%S`) as the value has them.
pub fn pattern_for(sample: &str, order: DayMonth) -> String {
    let sample = sample.trim();
    let separator = sample
        .chars()
        .find(|c| matches!(c, '/' | '-' | '.'))
        .unwrap_or('/');
    let (date, time) = match sample.split_once(' ') {
        Some((d, t)) if t.matches(':').count() >= 2 => (d, " %H:%M:%S"),
        Some((d, t)) if t.contains(':') => (d, " %H:%M"),
        Some((d, _)) => (d, ""),
        None => (sample, ""),
    };
    let two_digit_year = date
        .rsplit(['/', '-', '.'])
        .next()
        .is_some_and(|y| y.len() == 2);
    let pattern = order.pattern(separator, time);
    if two_digit_year {
        pattern.replacen("%Y", "%y", 1)
    } else {
        pattern
    }
}

fn parse_pattern(text: &str, pattern: &str) -> Result<i32, DateError> {
    use chrono::format::ParseErrorKind::{Impossible, OutOfRange};
    let date_only = NaiveDate::parse_from_str(text, pattern);
    if let Err(e) = &date_only
        && matches!(e.kind(), OutOfRange | Impossible)
    {
        return Err(DateError::Impossible);
    }
    date_only
        .or_else(|_| NaiveDateTime::parse_from_str(text, pattern).map(|dt| dt.date()))
        .or_else(|_| DateTime::parse_from_str(text, pattern).map(|dt| dt.date_naive()))
        .map(epoch_days_of)
        .map_err(|_| DateError::Unrecognised)
}

fn parse_auto(text: &str, order: Option<DayMonth>) -> Result<Parsed, DateError> {
    let bytes = text.as_bytes();
    if bytes.iter().all(u8::is_ascii_digit) {
        return match bytes.len() {
            8 => ymd(
                digits(&bytes[0..4]),
                digits(&bytes[4..6]),
                digits(&bytes[6..8]),
            ),
            1..=5 => excel_serial(digits(bytes)),
            _ => Err(DateError::Unrecognised),
        }
        .map(Parsed::Date);
    }
    if let Some(result) = parse_chinese(text) {
        return result.map(Parsed::Date);
    }
    let (first, rest) = leading_digits(bytes);
    match first.len() {
        4 => parse_year_first(first, rest).map(Parsed::Date),
        1 | 2 if rest.first() == Some(&b'.') => parse_dotted(first, rest).map(Parsed::Date),
        1 | 2 => parse_day_month(first, rest, order),
        3..=5 if rest.first() == Some(&b'.') && rest[1..].iter().all(u8::is_ascii_digit) => {
            excel_serial(digits(first)).map(Parsed::Date)
        }
        _ => Err(DateError::Unrecognised),
    }
}

/// `dd.mm.yyyy` (German, Swiss, Russian … exports): always day-first.
fn parse_dotted(day: &[u8], rest: &[u8]) -> Result<i32, DateError> {
    let Some((first, second, year)) = day_month_year(day, rest) else {
        return Err(DateError::Unrecognised);
    };
    if year.len() != 4 {
        return Err(DateError::Ambiguous);
    }
    ymd(digits(year), second, first)
}

/// `d/m/yyyy` or `m/d/yyyy` (`/` or `-`), optionally with a time: decided by the value
/// itself when a field is above 12, else by the column's `order`, else pending.
fn parse_day_month(
    first: &[u8],
    rest: &[u8],
    order: Option<DayMonth>,
) -> Result<Parsed, DateError> {
    let Some((a, b, year)) = day_month_year(first, rest) else {
        return Err(DateError::Unrecognised);
    };
    if year.len() != 4 {
        return Err(DateError::Ambiguous);
    }
    let year = digits(year);
    let read = |order: DayMonth| match order {
        DayMonth::DayFirst => ymd(year, b, a),
        DayMonth::MonthFirst => ymd(year, a, b),
    };
    let shown = match (a > 12, b > 12) {
        (true, true) => return Err(DateError::Impossible),
        (true, false) => Some(DayMonth::DayFirst),
        (false, true) => Some(DayMonth::MonthFirst),
        (false, false) => None,
    };
    match (shown, order) {
        (Some(shown), Some(known)) if shown != known => Err(DateError::Contradicts(known)),
        (Some(shown), _) => read(shown).map(|d| Parsed::Decides(d, shown)),
        (None, Some(known)) => read(known).map(Parsed::Date),
        (None, None) => {
            // Checked now, so a pending value is a real date in either order.
            read(DayMonth::DayFirst)?;
            Ok(Parsed::Pending {
                year: i32::try_from(year).map_err(|_| DateError::Impossible)?,
                first: a as u8,
                second: b as u8,
            })
        }
    }
}

/// The two leading fields and the year of `d/m/yyyy` shapes (same separator twice, an
/// optional time after the year).
fn day_month_year<'a>(first: &[u8], rest: &'a [u8]) -> Option<(i64, i64, &'a [u8])> {
    let (&sep, rest) = rest.split_first()?;
    if !matches!(sep, b'/' | b'-' | b'.') {
        return None;
    }
    let (middle, rest) = leading_digits(rest);
    let (&sep2, rest) = rest.split_first()?;
    let (year, time) = leading_digits(rest);
    let shaped = sep2 == sep
        && (1..=2).contains(&middle.len())
        && (year.len() == 4 || year.len() == 2)
        && is_time_suffix(time);
    shaped.then(|| (digits(first), digits(middle), year))
}

/// `YYYY-MM-DD`, `YYYY/M/D`, `YYYY.MM.DD`, optionally followed by a time.
fn parse_year_first(year: &[u8], rest: &[u8]) -> Result<i32, DateError> {
    let Some((&sep, rest)) = rest.split_first() else {
        return Err(DateError::Unrecognised);
    };
    if !matches!(sep, b'-' | b'/' | b'.') {
        return Err(DateError::Unrecognised);
    }
    let (month, rest) = leading_digits(rest);
    let Some((&sep2, rest)) = rest.split_first() else {
        return Err(DateError::Unrecognised);
    };
    let (day, time) = leading_digits(rest);
    let well_formed = sep2 == sep
        && (1..=2).contains(&month.len())
        && (1..=2).contains(&day.len())
        && is_time_suffix(time);
    if !well_formed {
        return Err(DateError::Unrecognised);
    }
    ymd(digits(year), digits(month), digits(day))
}

/// `2024年1月5日`, optionally followed by a time.
fn parse_chinese(text: &str) -> Option<Result<i32, DateError>> {
    let (year, rest) = text.split_once('年')?;
    let (month, rest) = rest.split_once('月')?;
    let (day, time) = rest.split_once('日')?;
    let numeric = |s: &str, range: std::ops::RangeInclusive<usize>| {
        range.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
    };
    if !(numeric(year, 4..=4) && numeric(month, 1..=2) && numeric(day, 1..=2)) {
        return Some(Err(DateError::Unrecognised));
    }
    let time = time.trim();
    if !time.is_empty() && !is_time_suffix(format!(" {time}").as_bytes()) {
        return Some(Err(DateError::Unrecognised));
    }
    Some(ymd(
        digits(year.as_bytes()),
        digits(month.as_bytes()),
        digits(day.as_bytes()),
    ))
}

/// After a date: nothing, or `T`/space and a time of day with an optional offset.
fn is_time_suffix(rest: &[u8]) -> bool {
    let Some((&sep, time)) = rest.split_first() else {
        return true;
    };
    if !(sep == b'T' || sep == b' ') || time.is_empty() || !time[0].is_ascii_digit() {
        return false;
    }
    let time = std::str::from_utf8(time).unwrap_or("");
    let time = time
        .strip_suffix('Z')
        .or_else(|| time.strip_suffix(" UTC"))
        .unwrap_or(time);
    let (clock, offset) = match time.find(['+', '-']) {
        // `10:15:22 +0100`: Shopify writes a space before the offset.
        Some(i) => (time[..i].trim_end(), &time[i + 1..]),
        None => (time, ""),
    };
    let clock_ok = clock
        .bytes()
        .all(|b| b.is_ascii_digit() || b == b':' || b == b'.' || b == b',')
        && clock.contains(':');
    let offset_ok = offset.len() <= 5 && offset.bytes().all(|b| b.is_ascii_digit() || b == b':');
    clock_ok && offset_ok
}

fn leading_digits(bytes: &[u8]) -> (&[u8], &[u8]) {
    let end = bytes
        .iter()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(bytes.len());
    bytes.split_at(end)
}

fn digits(bytes: &[u8]) -> i64 {
    bytes
        .iter()
        .fold(0i64, |acc, b| acc * 10 + i64::from(b - b'0'))
}

/// Excel's 1900 date system: serial 1 is 1900-01-01, and 60 is the phantom 1900-02-29,
/// so serials from 61 on count from 1899-12-30.
fn excel_serial(serial: i64) -> Result<i32, DateError> {
    if !(61..=2_958_465).contains(&serial) {
        return Err(DateError::Unrecognised);
    }
    const EXCEL_EPOCH_TO_UNIX: i64 = 25_569;
    i32::try_from(serial - EXCEL_EPOCH_TO_UNIX).map_err(|_| DateError::Unrecognised)
}

fn ymd(year: i64, month: i64, day: i64) -> Result<i32, DateError> {
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return Err(DateError::Impossible);
    }
    Ok(days_from_civil(year, month, day))
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i32 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe - 719_468) as i32
}

/// Days since the epoch of a chrono date.
pub fn epoch_days_of(date: NaiveDate) -> i32 {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid epoch");
    (date - epoch).num_days() as i32
}

/// A chrono date from days since the epoch.
pub fn date_of_epoch_days(days: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid epoch")
        + chrono::TimeDelta::days(i64::from(days))
}

/// `YYYY-MM-DD` text of days since the epoch. Written by hand for years 0–9999 (every
/// output writes two dates per customer; chrono's formatter was a visible cost).
pub fn format_date(days: i32) -> String {
    let mut text = String::with_capacity(10);
    push_date(&mut text, days);
    text
}

/// Append the `YYYY-MM-DD` text of days since the epoch to `text`.
pub fn push_date(text: &mut String, days: i32) {
    let (year, month, day) = civil_from_days(days);
    if !(0..=9999).contains(&year) {
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid epoch");
        match epoch.checked_add_signed(chrono::TimeDelta::days(i64::from(days))) {
            Some(date) => text.push_str(&date.format("%Y-%m-%d").to_string()),
            None => text.push_str(&format!("day {days}")),
        }
        return;
    }
    let digit = |v: i64| char::from(b'0' + v as u8);
    for v in [year / 1000, year / 100 % 10, year / 10 % 10, year % 10] {
        text.push(digit(v));
    }
    for v in [month, day] {
        text.push('-');
        text.push(digit(v / 10));
        text.push(digit(v % 10));
    }
}

/// (year, month, day) of days since the epoch (the inverse of `days_from_civil`).
fn civil_from_days(days: i32) -> (i64, i64, i64) {
    let z = i64::from(days) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn formats_like_chrono(days in -800_000i32..3_000_000) {
            let chrono = date_of_epoch_days(days).format("%Y-%m-%d").to_string();
            proptest::prop_assert_eq!(format_date(days), chrono);
        }
    }

    fn auto(s: &str) -> Result<String, DateError> {
        parse_date(s, &DateFormat::Auto).map(format_date)
    }

    #[test]
    fn reads_unambiguous_forms() {
        assert_eq!(auto("2024-01-05").unwrap(), "2024-01-05");
        assert_eq!(auto("2024/1/5").unwrap(), "2024-01-05");
        assert_eq!(auto("2024.01.05").unwrap(), "2024-01-05");
        assert_eq!(auto("20240105").unwrap(), "2024-01-05");
        assert_eq!(auto("2024-01-05T23:30:00+08:00").unwrap(), "2024-01-05");
        assert_eq!(auto("2024-01-05T23:30:00.123-05:00").unwrap(), "2024-01-05");
        assert_eq!(auto("2024-01-05 08:00:00Z").unwrap(), "2024-01-05");
        assert_eq!(auto("2024-01-05 08:00").unwrap(), "2024-01-05");
        assert_eq!(auto("2024年1月5日").unwrap(), "2024-01-05");
        assert_eq!(auto("2024年01月05日 10:00:00").unwrap(), "2024-01-05");
        assert_eq!(auto("45296").unwrap(), "2024-01-05");
        assert_eq!(auto("45296.75").unwrap(), "2024-01-05");
        assert_eq!(auto("1970-01-01").map(|_| ()), Ok(()));
        assert_eq!(parse_date("1970-01-01", &DateFormat::Auto), Ok(0));
        assert_eq!(parse_date("1969-12-31", &DateFormat::Auto), Ok(-1));
        assert_eq!(auto("2000-02-29").unwrap(), "2000-02-29");
        assert_eq!(auto("2024-03-01 10:15:22 +0100").unwrap(), "2024-03-01");
        assert_eq!(auto("2024-03-01 23:15:22 -0800").unwrap(), "2024-03-01");
        assert_eq!(auto("05.03.2024").unwrap(), "2024-03-05");
        assert_eq!(auto("1/15/2024").unwrap(), "2024-01-15");
        assert_eq!(auto("15/1/2024").unwrap(), "2024-01-15");
        assert_eq!(auto("12/13/2010 8:26").unwrap(), "2010-12-13");
    }

    #[test]
    fn a_columns_order_is_decided_by_its_values() {
        let read = |s: &str, order| parse_in_column(s, &DateFormat::Auto, order);
        assert_eq!(
            read("4/13/2024", None),
            Ok(Parsed::Decides(
                parse_date("2024-04-13", &DateFormat::Auto).unwrap(),
                DayMonth::MonthFirst
            ))
        );
        let pending = read("3/4/2024 10:00", None).unwrap();
        assert!(matches!(pending, Parsed::Pending { .. }));
        assert!(pending.stored() < PENDING_FLOOR);
        assert_eq!(
            resolve_pending(pending.stored(), DayMonth::MonthFirst).map(format_date),
            Ok("2024-03-04".to_string())
        );
        assert_eq!(
            resolve_pending(pending.stored(), DayMonth::DayFirst).map(format_date),
            Ok("2024-04-03".to_string())
        );
        assert_eq!(
            read("3/4/2024", Some(DayMonth::DayFirst)).map(|p| format_date(p.stored())),
            Ok("2024-04-03".to_string())
        );
        assert_eq!(
            read("4/13/2024", Some(DayMonth::DayFirst)),
            Err(DateError::Contradicts(DayMonth::DayFirst))
        );
        assert_eq!(
            pattern_for("12/1/2010 8:26", DayMonth::MonthFirst),
            "%m/%d/%Y %H:%M"
        );
        assert_eq!(pattern_for("3-4-2024", DayMonth::DayFirst), "%d-%m-%Y");
        assert_eq!(pattern_for("24-06-25", DayMonth::DayFirst), "%d-%m-%y");
        let wrong = DateFormat::Pattern("%d/%m/%Y".into());
        assert_eq!(parse_date("03/04/24", &wrong), Err(DateError::Implausible));
    }

    #[test]
    fn refuses_to_guess() {
        assert_eq!(auto(""), Err(DateError::Empty));
        assert_eq!(auto("2023-02-30"), Err(DateError::Impossible));
        assert_eq!(auto("1900-02-29"), Err(DateError::Impossible));
        assert_eq!(auto("2024-13-01"), Err(DateError::Impossible));
        assert_eq!(auto("03/04/2024"), Err(DateError::Ambiguous));
        assert_eq!(auto("3.4.24"), Err(DateError::Ambiguous));
        assert_eq!(auto("13/13/2024"), Err(DateError::Impossible));
        assert_eq!(auto("2024-01-05x"), Err(DateError::Unrecognised));
        assert_eq!(auto("yesterday"), Err(DateError::Unrecognised));
        assert_eq!(auto("2024-01/05"), Err(DateError::Unrecognised));
        assert_eq!(auto("123456789"), Err(DateError::Unrecognised));
    }

    #[test]
    fn explicit_patterns() {
        let dmy = DateFormat::Pattern("%d/%m/%Y".into());
        assert_eq!(
            parse_date("03/04/2024", &dmy).map(format_date).unwrap(),
            "2024-04-03"
        );
        assert_eq!(parse_date("31/02/2024", &dmy), Err(DateError::Impossible));
        assert_eq!(parse_date("2024-04-03", &dmy), Err(DateError::Unrecognised));
        let dt = DateFormat::Pattern("%m/%d/%Y %H:%M".into());
        assert_eq!(
            parse_date("04/03/2024 10:15", &dt)
                .map(format_date)
                .unwrap(),
            "2024-04-03"
        );
    }
}
