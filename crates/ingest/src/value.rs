//! Cell values as real exports write them: decimal comma or point,
//! thousands grouped by spaces, NBSP, commas or dots, currency signs and
//! codes, percent signs, a Unicode minus or parentheses for negatives,
//! `--`/`—`/empty for "no value", and dates in the formats of Russian and
//! English software. How a column writes its numbers and dates is decided
//! from all its values, not cell by cell (`1.240` is 1240 in Berlin and
//! 1.24 in Boston).

use std::fmt;

/// The decimal mark of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecimalMark {
    Point,
    Comma,
}

/// Whether slash dates put the day or the month first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateOrder {
    DayFirst,
    MonthFirst,
}

/// Why a cell could not be read. The text is the reason a person sees.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    #[error("is not a number")]
    NotANumber,
    #[error("is not a whole number")]
    NotWhole,
    #[error("is too large")]
    TooLarge,
    #[error("is not a date (expected e.g. 2024-12-31, 31.12.2024 or 12/31/2024)")]
    NotADate,
    #[error("is not a real calendar date")]
    NoSuchDate,
    #[error("is ambiguous: day and month cannot be told apart in this column")]
    AmbiguousDate,
    #[error("has more than 2 decimals for money")]
    TooPrecise,
    #[error("is not a time of day (expected e.g. 14:05, 14:05:30 or 2:05 PM)")]
    NotATime,
    #[error("is not a duration (expected hours such as 1.5 or a time such as 01:30:00)")]
    NotADuration,
    #[error("is not yes or no (expected e.g. yes, no, да, нет, 1, 0)")]
    NotAFlag,
}

/// Cell contents that mean "no value" (not zero).
pub fn is_missing(raw: &str) -> bool {
    let s = raw.trim();
    // Most cells are numbers: no lower-casing for them.
    if s.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        return false;
    }
    s.is_empty()
        || matches!(
            s.to_lowercase().as_str(),
            "--" | "—" | "–" | "-" | "n/a" | "na" | "null" | "нет данных" | "н/д" | "не закрыта"
        )
}

/// An exact decimal: `mantissa × 10^-scale`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decimal {
    pub mantissa: i128,
    pub scale: u32,
}

impl Decimal {
    pub fn to_f64(self) -> f64 {
        // Precision beyond f64 is irrelevant for the counts and rates read
        // as floats; money never goes through here.
        #[allow(clippy::cast_precision_loss)]
        let m = self.mantissa as f64;
        m / 10f64.powi(i32::try_from(self.scale).unwrap_or(i32::MAX))
    }

    /// The value rounded half away from zero to `decimals` places, as an
    /// integer of that many implied decimals.
    pub fn round_to(self, decimals: u32) -> Option<i128> {
        if self.scale <= decimals {
            return self
                .mantissa
                .checked_mul(10i128.checked_pow(decimals - self.scale)?);
        }
        let div = 10i128.checked_pow(self.scale - decimals)?;
        let q = self.mantissa / div;
        let r = (self.mantissa % div).abs();
        Some(if r * 2 >= div {
            q + self.mantissa.signum()
        } else {
            q
        })
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}e-{}", self.mantissa, self.scale)
    }
}

/// A numeric cell stripped of decoration.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Cleaned {
    /// Digits with their `,` and `.` marks, no sign.
    body: String,
    negative: bool,
    percent: bool,
}

const CURRENCY_WORDS: [&str; 12] = [
    "руб.", "руб", "р.", "rub", "usd", "eur", "kzt", "uzs", "byn", "uah", "gbp", "cny",
];

fn clean(raw: &str) -> Result<Cleaned, ValueError> {
    let mut s: String = raw
        .trim()
        .chars()
        .filter(|c| {
            !matches!(
                c,
                ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}' | '\'' | '₽' | '$' | '€' | '£' | '¥' | '₸'
            )
        })
        .map(|c| if c == '−' { '-' } else { c })
        .collect();
    // Currency words only where there are letters (most cells have none).
    let has_letters = s.chars().any(char::is_alphabetic);
    let lower = if has_letters {
        s.to_lowercase()
    } else {
        String::new()
    };
    for word in CURRENCY_WORDS.iter().filter(|_| has_letters) {
        if let Some(stripped) = lower.strip_suffix(word) {
            s.truncate(stripped.len());
            break;
        }
        if let Some(stripped) = lower.strip_prefix(word) {
            s = s[s.len() - stripped.len()..].to_string();
            break;
        }
    }
    let percent = s.ends_with('%');
    if percent {
        s.pop();
    }
    let mut negative = false;
    if s.starts_with('(') && s.ends_with(')') && s.len() > 2 {
        negative = true;
        s = s[1..s.len() - 1].to_string();
    }
    if let Some(rest) = s.strip_prefix('-') {
        negative = !negative;
        s = rest.to_string();
    } else if let Some(rest) = s.strip_prefix('+') {
        s = rest.to_string();
    }
    let ok = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_digit() || c == ',' || c == '.')
        && s.chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit() || c == ',' || c == '.')
        && s.chars().any(|c| c.is_ascii_digit());
    if !ok {
        return Err(ValueError::NotANumber);
    }
    Ok(Cleaned {
        body: s,
        negative,
        percent,
    })
}

/// What one value says about the column's decimal mark, if anything.
fn vote(raw: &str) -> Option<DecimalMark> {
    let c = clean(raw).ok()?;
    let (commas, points) = (c.body.matches(',').count(), c.body.matches('.').count());
    let last = c.body.rfind([',', '.'])?;
    let after = c.body.len() - last - 1;
    match (commas, points) {
        (0, 0) => None,
        (_, 0) if commas > 1 => Some(DecimalMark::Point),
        (0, _) if points > 1 => Some(DecimalMark::Comma),
        (1, 0) if after != 3 => Some(DecimalMark::Comma),
        (0, 1) if after != 3 => Some(DecimalMark::Point),
        (1, 0) | (0, 1) => None,
        _ => Some(if c.body.as_bytes()[last] == b',' {
            DecimalMark::Comma
        } else {
            DecimalMark::Point
        }),
    }
}

/// The decimal mark of a column from its values: what its unambiguous
/// values say, else `fallback` (from the file: `;`-separated files come
/// from software that writes decimal commas). `None` when values disagree.
pub fn detect_decimal_mark<'a>(
    values: impl IntoIterator<Item = &'a str>,
    fallback: DecimalMark,
) -> Option<DecimalMark> {
    let (mut comma, mut point) = (false, false);
    for v in values {
        match vote(v) {
            Some(DecimalMark::Comma) => comma = true,
            Some(DecimalMark::Point) => point = true,
            None => {}
        }
    }
    match (comma, point) {
        (true, true) => None,
        (true, false) => Some(DecimalMark::Comma),
        (false, true) => Some(DecimalMark::Point),
        (false, false) => Some(fallback),
    }
}

/// Reads a number exactly. Thousands marks are the other mark; they must
/// group by three.
pub fn parse_decimal(raw: &str, mark: DecimalMark) -> Result<(Decimal, bool), ValueError> {
    let c = clean(raw)?;
    let (decimal, group) = match mark {
        DecimalMark::Point => ('.', ','),
        DecimalMark::Comma => (',', '.'),
    };
    if c.body.matches(decimal).count() > 1 {
        return Err(ValueError::NotANumber);
    }
    let (int_part, frac_part) = c.body.split_once(decimal).unwrap_or((&c.body, ""));
    if frac_part.contains(group) {
        return Err(ValueError::NotANumber);
    }
    let groups: Vec<&str> = int_part.split(group).collect();
    if groups.len() > 1
        && (groups[0].is_empty() || groups[0].len() > 3 || groups[1..].iter().any(|g| g.len() != 3))
    {
        return Err(ValueError::NotANumber);
    }
    let digits: String = groups.concat() + frac_part;
    if digits.is_empty() {
        return Err(ValueError::NotANumber);
    }
    let mut mantissa: i128 = 0;
    for d in digits.bytes() {
        mantissa = mantissa
            .checked_mul(10)
            .and_then(|m| m.checked_add(i128::from(d - b'0')))
            .ok_or(ValueError::TooLarge)?;
    }
    if c.negative {
        mantissa = -mantissa;
    }
    let scale = u32::try_from(frac_part.len()).map_err(|_| ValueError::TooLarge)?;
    let mut value = Decimal { mantissa, scale };
    if c.percent {
        value.scale = value.scale.checked_add(2).ok_or(ValueError::TooLarge)?;
    }
    Ok((value, c.percent))
}

/// A whole number (counts: impressions, clicks, sessions).
pub fn parse_count(raw: &str, mark: DecimalMark) -> Result<i64, ValueError> {
    let (d, _) = parse_decimal(raw, mark)?;
    let whole = d.round_to(0).ok_or(ValueError::TooLarge)?;
    if d.round_to(d.scale) != Some(whole * 10i128.pow(d.scale)) {
        return Err(ValueError::NotWhole);
    }
    i64::try_from(whole).map_err(|_| ValueError::TooLarge)
}

/// A fractional number (conversions can be fractional).
pub fn parse_float(raw: &str, mark: DecimalMark) -> Result<f64, ValueError> {
    Ok(parse_decimal(raw, mark)?.0.to_f64())
}

/// Money as integer minor units (kopecks, cents), exactly. More than two
/// decimals are rounded half away from zero (ad platforms export micros).
pub fn parse_money(raw: &str, mark: DecimalMark) -> Result<i64, ValueError> {
    let (d, percent) = parse_decimal(raw, mark)?;
    if percent {
        return Err(ValueError::NotANumber);
    }
    let minor = d.round_to(2).ok_or(ValueError::TooLarge)?;
    i64::try_from(minor).map_err(|_| ValueError::TooLarge)
}

fn ymd(y: i32, m: u8, d: u8) -> Result<String, ValueError> {
    let month = time::Month::try_from(m).map_err(|_| ValueError::NoSuchDate)?;
    let date = time::Date::from_calendar_date(y, month, d).map_err(|_| ValueError::NoSuchDate)?;
    Ok(date.to_string())
}

fn num<T: std::str::FromStr>(s: &str) -> Result<T, ValueError> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ValueError::NotADate);
    }
    s.parse().map_err(|_| ValueError::NotADate)
}

const MONTHS_EN: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const MONTHS_RU: [&str; 12] = [
    "янв", "фев", "мар", "апр", "ма", "июн", "июл", "авг", "сен", "окт", "ноя", "дек",
];

fn month_by_name(word: &str) -> Option<u8> {
    let w = word.trim_end_matches('.').to_lowercase();
    let pos = MONTHS_EN
        .iter()
        .position(|m| w.starts_with(m))
        .or_else(|| MONTHS_RU.iter().position(|m| w.starts_with(m)))?;
    u8::try_from(pos + 1).ok()
}

/// Reads a date as ISO `YYYY-MM-DD`. Accepts `2024-12-31` (with an
/// optional time), `31.12.2024`, `12/31/2024` or `31/12/2024` (by `order`),
/// `2024/12/31`, `20241231`, `Dec 31, 2024`, `31 Dec 2024`, `31 декабря
/// 2024` and Excel serial day numbers.
pub fn parse_date(raw: &str, order: Option<DateOrder>) -> Result<String, ValueError> {
    let s = raw.trim();
    // A time part after a space or a T is not ours to keep.
    let date_part = s.split(['T', ' ']).next().unwrap_or(s);
    if date_part.len() == 10 && date_part.as_bytes()[4] == b'-' {
        let p: Vec<&str> = date_part.split('-').collect();
        if let [y, m, d] = p.as_slice() {
            return ymd(num(y)?, num(m)?, num(d)?);
        }
    }
    if let [d, m, y] = date_part.split('.').collect::<Vec<_>>().as_slice()
        && y.len() == 4
    {
        return ymd(num(y)?, num(m)?, num(d)?);
    }
    if let [a, b, c] = date_part.split('/').collect::<Vec<_>>().as_slice() {
        // Jira: "09/Oct/25".
        if let Some(m) = month_by_name(b) {
            let year: i32 = num(c)?;
            let year = if c.len() == 2 { 2000 + year } else { year };
            return ymd(year, m, num(a)?);
        }
        if a.len() == 4 {
            return ymd(num(a)?, num(b)?, num(c)?);
        }
        if c.len() == 4 {
            let (first, second): (u8, u8) = (num(a)?, num(b)?);
            let order = match order {
                Some(o) => o,
                None if first > 12 => DateOrder::DayFirst,
                None if second > 12 => DateOrder::MonthFirst,
                None if first == second => DateOrder::DayFirst,
                None => return Err(ValueError::AmbiguousDate),
            };
            return match order {
                DateOrder::DayFirst => ymd(num(c)?, second, first),
                DateOrder::MonthFirst => ymd(num(c)?, first, second),
            };
        }
    }
    if date_part.len() == 8 && date_part.bytes().all(|b| b.is_ascii_digit()) {
        return ymd(
            num(&date_part[..4])?,
            num(&date_part[4..6])?,
            num(&date_part[6..])?,
        );
    }
    if (4..=6).contains(&date_part.len()) && date_part.bytes().all(|b| b.is_ascii_digit()) {
        // Excel serial: days since 1899-12-30 (Excel's 1900 leap-year bug
        // is absorbed by that epoch for every date after February 1900).
        let serial: i64 = num(date_part)?;
        if (20_000..=80_000).contains(&serial) {
            let epoch = time::macros::date!(1899 - 12 - 30);
            let date = epoch
                .checked_add(time::Duration::days(serial))
                .ok_or(ValueError::NoSuchDate)?;
            return Ok(date.to_string());
        }
        return Err(ValueError::NotADate);
    }
    // Month names: "Dec 31, 2024", "31 Dec 2024", "31 декабря 2024 г.".
    let words: Vec<&str> = s
        .split([' ', ','])
        .filter(|w| !w.is_empty() && *w != "г." && *w != "г")
        .collect();
    if let [a, b, c, ..] = words.as_slice() {
        if let (Some(m), Ok(d), Ok(y)) = (month_by_name(a), num::<u8>(b), num::<i32>(c)) {
            return ymd(y, m, d);
        }
        if let (Ok(d), Some(m), Ok(y)) = (num::<u8>(a), month_by_name(b), num::<i32>(c)) {
            return ymd(y, m, d);
        }
    }
    Err(ValueError::NotADate)
}

/// Reads a time of day as `HH:MM:SS`: `14:05`, `14:05:30`, `2:05 PM`,
/// `2:05:30 pm`.
pub fn parse_time(raw: &str) -> Result<String, ValueError> {
    let s = raw.trim().to_lowercase();
    let (clock, meridiem) = if let Some(c) = s.strip_suffix("pm") {
        (c.trim(), Some(12))
    } else if let Some(c) = s.strip_suffix("am") {
        (c.trim(), Some(0))
    } else {
        (s.as_str(), None)
    };
    let parts: Vec<&str> = clock.split(':').collect();
    let digits = |p: &str| -> Result<u32, ValueError> {
        if p.is_empty() || p.len() > 2 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ValueError::NotATime);
        }
        p.parse().map_err(|_| ValueError::NotATime)
    };
    let (h, m, sec) = match parts.as_slice() {
        [h, m] => (digits(h)?, digits(m)?, 0),
        [h, m, s] => (digits(h)?, digits(m)?, digits(s)?),
        _ => return Err(ValueError::NotATime),
    };
    let h = match meridiem {
        Some(offset) if (1..=12).contains(&h) => h % 12 + offset,
        Some(_) => return Err(ValueError::NotATime),
        None => h,
    };
    if h > 23 || m > 59 || sec > 59 {
        return Err(ValueError::NotATime);
    }
    Ok(format!("{h:02}:{m:02}:{sec:02}"))
}

/// Reads a moment as `YYYY-MM-DD HH:MM:SS` (the time is midnight when the
/// cell has only a date): `2024-12-31T14:05:00Z`, `31.12.2024 14:05`,
/// `09/Oct/25 1:42 PM`.
pub fn parse_timestamp(raw: &str, order: Option<DateOrder>) -> Result<String, ValueError> {
    let s = raw.trim();
    let date = parse_date(s, order)?;
    let rest = match s.find(['T', ' ']) {
        // Only a date written with month words has spaces in its date part.
        Some(i) if s[..i].bytes().any(|b| b.is_ascii_digit()) => &s[i + 1..],
        _ => "",
    };
    let clock: Vec<&str> = rest
        .split_whitespace()
        .skip_while(|w| !w.contains(':'))
        .take(2)
        .collect();
    let time = match clock.as_slice() {
        [] => "00:00:00".to_string(),
        [t] => parse_time(t.trim_end_matches('z').trim_end_matches('Z'))?,
        [t, m] if matches!(m.to_lowercase().as_str(), "am" | "pm") => {
            parse_time(&format!("{t} {m}"))?
        }
        [t, ..] => parse_time(t.split(['+', 'Z', '.']).next().unwrap_or(t))?,
    };
    Ok(format!("{date} {time}"))
}

/// A duration in hours: a decimal number of `unit_seconds`-long units, or
/// a clock duration `H:MM[:SS]` (which may pass 24 hours).
pub fn parse_duration_hours(
    raw: &str,
    mark: DecimalMark,
    unit_seconds: f64,
) -> Result<f64, ValueError> {
    let s = raw.trim();
    if s.contains(':') {
        let parts: Vec<&str> = s.split(':').collect();
        let n = |p: &str| -> Result<f64, ValueError> {
            if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err(ValueError::NotADuration);
            }
            p.parse::<f64>().map_err(|_| ValueError::NotADuration)
        };
        let seconds = match parts.as_slice() {
            [h, m] => n(h)? * 3600.0 + n(m)? * 60.0,
            [h, m, sec] => n(h)? * 3600.0 + n(m)? * 60.0 + n(sec)?,
            _ => return Err(ValueError::NotADuration),
        };
        return Ok(seconds / 3600.0);
    }
    let units = parse_float(s, mark).map_err(|_| ValueError::NotADuration)?;
    Ok(units * unit_seconds / 3600.0)
}

/// Yes or no as 1 or 0.
pub fn parse_flag(raw: &str) -> Result<i64, ValueError> {
    match raw.trim().to_lowercase().as_str() {
        "yes" | "y" | "true" | "1" | "да" | "д" | "x" | "+" => Ok(1),
        "no" | "n" | "false" | "0" | "нет" | "н" => Ok(0),
        _ => Err(ValueError::NotAFlag),
    }
}

/// The order of slash dates in a column: day first if any first part is
/// over 12, month first if any second part is; `None` when the values do
/// not tell (or contradict each other).
pub fn detect_date_order<'a>(values: impl IntoIterator<Item = &'a str>) -> Option<DateOrder> {
    let (mut day_first, mut month_first) = (false, false);
    for v in values {
        let parts: Vec<&str> = v
            .trim()
            .split(['T', ' '])
            .next()
            .unwrap_or("")
            .split('/')
            .collect();
        if let [a, b, c] = parts.as_slice()
            && c.len() == 4
            && let (Ok(a), Ok(b)) = (a.parse::<u8>(), b.parse::<u8>())
        {
            day_first |= a > 12;
            month_first |= b > 12;
        }
    }
    match (day_first, month_first) {
        (true, false) => Some(DateOrder::DayFirst),
        (false, true) => Some(DateOrder::MonthFirst),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use DecimalMark::{Comma, Point};

    #[test]
    fn times_timestamps_durations_and_flags() {
        assert_eq!(parse_time("14:05").unwrap(), "14:05:00");
        assert_eq!(parse_time("2:05:30 PM").unwrap(), "14:05:30");
        assert_eq!(parse_time("12:10 am").unwrap(), "00:10:00");
        assert_eq!(parse_time("24:00"), Err(ValueError::NotATime));
        assert_eq!(parse_time("13:00 PM"), Err(ValueError::NotATime));
        assert_eq!(
            parse_timestamp("2024-12-31T14:05:00Z", None).unwrap(),
            "2024-12-31 14:05:00"
        );
        assert_eq!(
            parse_timestamp("31.12.2024 9:05", None).unwrap(),
            "2024-12-31 09:05:00"
        );
        assert_eq!(
            parse_timestamp("09/Oct/25 1:42 PM", None).unwrap(),
            "2025-10-09 13:42:00"
        );
        assert_eq!(
            parse_timestamp("Dec 31, 2024", None).unwrap(),
            "2024-12-31 00:00:00"
        );
        assert_eq!(parse_date("09/Oct/25", None).unwrap(), "2025-10-09");
        assert_eq!(parse_duration_hours("01:30:00", Point, 3600.0), Ok(1.5));
        assert_eq!(parse_duration_hours("26:15", Point, 3600.0), Ok(26.25));
        assert_eq!(parse_duration_hours("1,25", Comma, 3600.0), Ok(1.25));
        assert_eq!(parse_duration_hours("5400", Point, 1.0), Ok(1.5));
        assert_eq!(
            parse_duration_hours("1:xx", Point, 3600.0),
            Err(ValueError::NotADuration)
        );
        assert_eq!(parse_flag("Да"), Ok(1));
        assert_eq!(parse_flag("no"), Ok(0));
        assert_eq!(parse_flag("maybe"), Err(ValueError::NotAFlag));
    }

    #[test]
    fn missing_markers_are_not_zero() {
        for m in ["", "  ", "--", "—", "–", "-", "N/A", "нет данных"] {
            assert!(is_missing(m), "{m:?}");
        }
        for v in ["0", "0,0", "-1"] {
            assert!(!is_missing(v), "{v:?}");
        }
    }

    #[test]
    fn columns_decide_their_decimal_mark_from_unambiguous_values() {
        assert_eq!(detect_decimal_mark(["1 234,56", "12"], Point), Some(Comma));
        assert_eq!(detect_decimal_mark(["1,234.56", "7"], Comma), Some(Point));
        assert_eq!(detect_decimal_mark(["1,234", "5,678"], Point), Some(Point));
        assert_eq!(detect_decimal_mark(["1,234", "5,678"], Comma), Some(Comma));
        assert_eq!(detect_decimal_mark(["1.234.567"], Point), Some(Comma));
        assert_eq!(detect_decimal_mark(["0,5", "1.25"], Point), None);
        assert_eq!(detect_decimal_mark(["3.45%", "--"], Comma), Some(Point));
    }

    #[test]
    fn numbers_read_exactly_in_every_regional_style() {
        let money = |raw, mark| parse_money(raw, mark);
        assert_eq!(money("1 234,56 ₽", Comma), Ok(123_456));
        assert_eq!(money("1\u{a0}234,5", Comma), Ok(123_450));
        assert_eq!(money("1\u{202f}234", Comma), Ok(123_400));
        assert_eq!(money("$1,234.56", Point), Ok(123_456));
        assert_eq!(money("12 800 UZS", Point), Ok(1_280_000));
        assert_eq!(money("RUB 99.995", Point), Ok(10_000));
        assert_eq!(money("(1 234,00)", Comma), Ok(-123_400));
        assert_eq!(money("−5,5", Comma), Ok(-550));
        assert_eq!(money("0.004", Point), Ok(0));
        assert_eq!(money("1.234,5 руб.", Comma), Ok(123_450));
        assert_eq!(money("12%", Point), Err(ValueError::NotANumber));
        assert_eq!(money("12,34,5", Point), Err(ValueError::NotANumber));
        assert_eq!(money("1,23", Point), Err(ValueError::NotANumber));
        assert_eq!(money("abc", Point), Err(ValueError::NotANumber));
        assert_eq!(
            money("=cmd|' /C calc'!A0", Point),
            Err(ValueError::NotANumber)
        );
        assert_eq!(
            money("99999999999999999999999", Point),
            Err(ValueError::TooLarge)
        );

        assert_eq!(parse_count("1 234", Comma), Ok(1234));
        assert_eq!(parse_count("1,234", Point), Ok(1234));
        assert_eq!(parse_count("12,0", Comma), Ok(12));
        assert_eq!(parse_count("12,5", Comma), Err(ValueError::NotWhole));
        assert_eq!(parse_float("2,5", Comma), Ok(2.5));
        assert_eq!(parse_float("6,00%", Comma), Ok(0.06));
        assert_eq!(parse_float("3.45%", Point), Ok(0.0345));
    }

    #[test]
    fn dates_read_in_the_formats_exports_use() {
        let iso = "2024-12-31";
        for raw in [
            "2024-12-31",
            "2024-12-31 23:59:59",
            "2024-12-31T10:00:00Z",
            "31.12.2024",
            "12/31/2024",
            "2024/12/31",
            "20241231",
            "Dec 31, 2024",
            "31 Dec 2024",
            "31 декабря 2024 г.",
            "45657",
        ] {
            assert_eq!(parse_date(raw, None).as_deref(), Ok(iso), "{raw}");
        }
        assert_eq!(
            parse_date("01/02/2024", Some(DateOrder::DayFirst)).as_deref(),
            Ok("2024-02-01")
        );
        assert_eq!(
            parse_date("01/02/2024", Some(DateOrder::MonthFirst)).as_deref(),
            Ok("2024-01-02")
        );
        assert_eq!(
            parse_date("01/02/2024", None),
            Err(ValueError::AmbiguousDate)
        );
        assert_eq!(parse_date("31.02.2024", None), Err(ValueError::NoSuchDate));
        assert_eq!(parse_date("29.02.2023", None), Err(ValueError::NoSuchDate));
        assert_eq!(parse_date("29.02.2024", None).as_deref(), Ok("2024-02-29"));
        assert_eq!(parse_date("yesterday", None), Err(ValueError::NotADate));
        assert_eq!(parse_date("12345", None), Err(ValueError::NotADate));
    }

    #[test]
    fn a_column_of_slash_dates_tells_its_order() {
        assert_eq!(
            detect_date_order(["01/02/2024", "13/02/2024"]),
            Some(DateOrder::DayFirst)
        );
        assert_eq!(
            detect_date_order(["01/02/2024", "12/31/2024"]),
            Some(DateOrder::MonthFirst)
        );
        assert_eq!(detect_date_order(["01/02/2024", "03/04/2024"]), None);
        assert_eq!(detect_date_order(["13/01/2024", "01/13/2024"]), None);
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        let d = |m, s| Decimal {
            mantissa: m,
            scale: s,
        };
        assert_eq!(d(12345, 3).round_to(2), Some(1235));
        assert_eq!(d(-12345, 3).round_to(2), Some(-1235));
        assert_eq!(d(12344, 3).round_to(2), Some(1234));
        assert_eq!(d(5, 0).round_to(2), Some(500));
    }
}
