//! The two interface languages and how numbers, money and dates read in each.
//! Russian groups thousands with a no-break space and uses a decimal comma;
//! English groups with commas and uses a decimal point.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Locale {
    Ru,
    #[default]
    En,
}

const NBSP: char = '\u{a0}';

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::Ru, Locale::En];

    pub fn as_str(self) -> &'static str {
        match self {
            Locale::Ru => "ru",
            Locale::En => "en",
        }
    }

    /// A language tag such as `ru`, `ru-RU`, `en_GB`; `None` if we do not speak it.
    pub fn from_tag(tag: &str) -> Option<Locale> {
        let primary = tag
            .trim()
            .split(['-', '_'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        match primary.as_str() {
            "ru" => Some(Locale::Ru),
            "en" => Some(Locale::En),
            _ => None,
        }
    }

    /// Picks the best language from an `Accept-Language` header by its
    /// q-values; ties keep the header's order.
    pub fn negotiate(accept_language: &str) -> Option<Locale> {
        let mut best: Option<(f32, Locale)> = None;
        for part in accept_language.split(',') {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or_default();
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok());
            let (Some(q), Some(locale)) = (q, Locale::from_tag(tag)) else {
                continue;
            };
            if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, locale));
            }
        }
        best.map(|(_, l)| l)
    }

    fn separators(self) -> (char, char) {
        match self {
            Locale::Ru => (NBSP, ','),
            Locale::En => (',', '.'),
        }
    }

    /// An integer with thousands grouped: `1 234 567` / `1,234,567`.
    pub fn format_integer(self, n: i64) -> String {
        let (group, _) = self.separators();
        let digits = n.unsigned_abs().to_string();
        let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
        if n < 0 {
            out.push('-');
        }
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(group);
            }
            out.push(c);
        }
        out
    }

    /// A decimal with a fixed number of decimals, grouped. Non-finite values
    /// have no reading and give the "no value" dash.
    pub fn format_decimal(self, x: f64, decimals: usize) -> String {
        if !x.is_finite() {
            return "—".to_string();
        }
        let (_, point) = self.separators();
        let fixed = format!("{:.*}", decimals, x.abs());
        let (int_part, frac_part) = fixed.split_once('.').unwrap_or((&fixed, ""));
        // The integer part of a finite f64 printed by `format!` is all digits.
        let int_value: i64 = int_part.parse().unwrap_or(i64::MAX);
        let negative = x < 0.0 && fixed.chars().any(|c| c.is_ascii_digit() && c != '0');
        let mut out = String::new();
        if negative {
            out.push('-');
        }
        out.push_str(&self.format_integer(int_value));
        if !frac_part.is_empty() {
            out.push(point);
            out.push_str(frac_part);
        }
        out
    }

    /// Money held as integer minor units (kopecks, cents) in a currency.
    pub fn format_money(self, minor: i64, currency: &str) -> String {
        let (_, point) = self.separators();
        let sign = if minor < 0 { "-" } else { "" };
        let major = i64::try_from(minor.unsigned_abs() / 100).unwrap_or(i64::MAX);
        let cents = minor.unsigned_abs() % 100;
        let amount = format!("{}{point}{cents:02}", self.format_integer(major));
        let symbol = match currency {
            "RUB" => Some("₽"),
            "USD" => Some("$"),
            "EUR" => Some("€"),
            _ => None,
        };
        match (self, symbol) {
            (Locale::Ru, Some(symbol)) => format!("{sign}{amount}{NBSP}{symbol}"),
            (Locale::Ru, None) => format!("{sign}{amount}{NBSP}{currency}"),
            (Locale::En, Some(symbol)) => format!("{sign}{symbol}{amount}"),
            (Locale::En, None) => format!("{sign}{amount} {currency}"),
        }
    }

    /// A metric's value as its unit reads: money with its currency (whole
    /// units from a thousand up), percentages of a fraction, ROAS as ×2.50.
    pub fn format_metric(
        self,
        value: f64,
        unit: crate::metric::Unit,
        currency: Option<&str>,
    ) -> String {
        use crate::metric::Unit;
        if !value.is_finite() {
            return "—".to_string();
        }
        let (ru, nbsp) = (self == Locale::Ru, NBSP);
        match unit {
            Unit::Count if value.fract() == 0.0 && value.abs() < 9e15 =>
            {
                #[allow(clippy::cast_possible_truncation)]
                self.format_integer(value as i64)
            }
            Unit::Count => self.format_decimal(value, 1),
            Unit::Money => {
                #[allow(clippy::cast_possible_truncation)]
                let minor = if value.abs() >= 1000.0 {
                    (value.round() * 100.0) as i64
                } else {
                    (value * 100.0).round() as i64
                };
                let text = match currency {
                    Some(c) => self.format_money(minor, c),
                    None => self.format_decimal(value, 2),
                };
                // Whole units read better once amounts are large.
                if value.abs() >= 1000.0 {
                    let point = self.separators().1;
                    text.replacen(&format!("{point}00"), "", 1)
                } else {
                    text
                }
            }
            Unit::Percent if ru => format!("{}{nbsp}%", self.format_decimal(value * 100.0, 1)),
            Unit::Percent => format!("{}%", self.format_decimal(value * 100.0, 1)),
            Unit::Multiple => format!("×{}", self.format_decimal(value, 2)),
            Unit::Score => self.format_decimal(value, 0),
            Unit::Rating => self.format_decimal(value, 2),
            Unit::Days if ru => format!("{}{nbsp}дн.", self.format_decimal(value, 1)),
            Unit::Days => format!("{} d", self.format_decimal(value, 1)),
            Unit::Hours if ru => format!("{}{nbsp}ч", self.format_decimal(value, 1)),
            Unit::Hours => format!("{} h", self.format_decimal(value, 1)),
        }
    }

    /// An ISO date (`2024-12-31`) as people write it: `31.12.2024` / `31 Dec 2024`.
    /// Anything that is not an ISO date is returned unchanged.
    pub fn format_date(self, iso: &str) -> String {
        let parts: Vec<&str> = iso.get(..10).unwrap_or(iso).split('-').collect();
        let [y, m, d] = parts.as_slice() else {
            return iso.to_string();
        };
        let (Ok(_), Ok(month), Ok(day)) = (y.parse::<u16>(), m.parse::<usize>(), d.parse::<u8>())
        else {
            return iso.to_string();
        };
        if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
            return iso.to_string();
        }
        match self {
            Locale::Ru => format!("{d}.{m}.{y}"),
            Locale::En => {
                const MONTHS: [&str; 12] = [
                    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                    "Dec",
                ];
                format!("{day} {} {y}", MONTHS[month - 1])
            }
        }
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_highest_quality_language_we_speak() {
        assert_eq!(
            Locale::negotiate("ru-RU,ru;q=0.9,en-US;q=0.8"),
            Some(Locale::Ru)
        );
        assert_eq!(
            Locale::negotiate("de-DE,en;q=0.5,ru;q=0.4"),
            Some(Locale::En)
        );
        assert_eq!(Locale::negotiate("en;q=0.2, ru;q=0.7"), Some(Locale::Ru));
        assert_eq!(Locale::negotiate("de, fr;q=0.9"), None);
        assert_eq!(Locale::negotiate("ru;q=0"), None);
        assert_eq!(Locale::negotiate(""), None);
    }

    #[test]
    fn integers_group_thousands_per_locale() {
        assert_eq!(Locale::Ru.format_integer(1_234_567), "1\u{a0}234\u{a0}567");
        assert_eq!(Locale::En.format_integer(1_234_567), "1,234,567");
        assert_eq!(Locale::En.format_integer(-1000), "-1,000");
        assert_eq!(Locale::En.format_integer(999), "999");
        assert_eq!(Locale::En.format_integer(0), "0");
    }

    #[test]
    fn decimals_use_the_locale_point_and_dash_for_no_value() {
        assert_eq!(Locale::Ru.format_decimal(12345.678, 2), "12\u{a0}345,68");
        assert_eq!(Locale::En.format_decimal(12345.678, 1), "12,345.7");
        assert_eq!(Locale::En.format_decimal(-0.004, 2), "0.00");
        assert_eq!(Locale::En.format_decimal(-2.5, 1), "-2.5");
        assert_eq!(Locale::En.format_decimal(f64::NAN, 2), "—");
        assert_eq!(Locale::En.format_decimal(f64::INFINITY, 2), "—");
    }

    #[test]
    fn money_reads_naturally_in_each_locale() {
        assert_eq!(
            Locale::Ru.format_money(123_456_789, "RUB"),
            "1\u{a0}234\u{a0}567,89\u{a0}₽"
        );
        assert_eq!(Locale::En.format_money(123_456_789, "USD"), "$1,234,567.89");
        assert_eq!(Locale::En.format_money(-150, "USD"), "-$1.50");
        assert_eq!(Locale::En.format_money(5, "RUB"), "₽0.05");
        assert_eq!(Locale::En.format_money(100_000, "KZT"), "1,000.00 KZT");
    }

    #[test]
    fn dates_read_as_people_write_them() {
        assert_eq!(Locale::Ru.format_date("2024-12-31"), "31.12.2024");
        assert_eq!(Locale::En.format_date("2024-03-05"), "5 Mar 2024");
        assert_eq!(Locale::En.format_date("not a date"), "not a date");
        assert_eq!(Locale::Ru.format_date("2024-13-01"), "2024-13-01");
    }

    #[test]
    fn metric_values_read_as_their_unit_in_each_language() {
        use crate::metric::Unit;
        assert_eq!(Locale::En.format_metric(1234.0, Unit::Count, None), "1,234");
        assert_eq!(Locale::Ru.format_metric(0.7, Unit::Count, None), "0,7");
        assert_eq!(
            Locale::En.format_metric(54.02, Unit::Money, Some("RUB")),
            "₽54.02"
        );
        assert_eq!(
            Locale::Ru.format_metric(123_456.78, Unit::Money, Some("RUB")),
            "123\u{a0}457\u{a0}₽"
        );
        assert_eq!(Locale::En.format_metric(0.04, Unit::Percent, None), "4.0%");
        assert_eq!(
            Locale::Ru.format_metric(0.1234, Unit::Percent, None),
            "12,3\u{a0}%"
        );
        assert_eq!(
            Locale::En.format_metric(3.3333, Unit::Multiple, None),
            "×3.33"
        );
        assert_eq!(Locale::En.format_metric(-12.4, Unit::Score, None), "-12");
        assert_eq!(Locale::En.format_metric(10.5, Unit::Days, None), "10.5 d");
        assert_eq!(Locale::En.format_metric(f64::NAN, Unit::Days, None), "—");
    }
}
