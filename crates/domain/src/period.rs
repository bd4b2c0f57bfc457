//! Calendar days and half-open periods [from, to): the unit every metric is
//! asked for. Days are counted from 1970-01-01 (proleptic Gregorian), so
//! shifting and measuring periods is integer arithmetic; they print and
//! parse as ISO `YYYY-MM-DD`, which is how the store keeps dates.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(i64);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("'{0}' is not a date (expected YYYY-MM-DD, e.g. 2025-03-01)")]
    NotADate(String),
    #[error(
        "the period must end after it starts ('to' is exclusive: from=2025-03-01&to=2025-04-01 is March)"
    )]
    Empty,
    #[error("the period is longer than 20 years")]
    TooLong,
}

impl Day {
    /// From a civil date; `None` when it does not exist (Feb 30).
    pub fn from_ymd(year: i64, month: u32, day: u32) -> Option<Day> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        // Howard Hinnant's days_from_civil.
        let y = if month <= 2 { year - 1 } else { year };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Some(Day(era * 146_097 + doe - 719_468))
    }

    pub fn ymd(self) -> (i64, u32, u32) {
        let z = self.0 + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        // m is 1..=12 and d 1..=31 by construction.
        (
            y,
            u32::try_from(m).unwrap_or(1),
            u32::try_from(d).unwrap_or(1),
        )
    }

    pub fn parse(text: &str) -> Result<Day, PeriodError> {
        let bad = || PeriodError::NotADate(text.chars().take(40).collect());
        let t = text.trim();
        let parts: Vec<&str> = t.split('-').collect();
        let [y, m, d] = parts[..] else {
            return Err(bad());
        };
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return Err(bad());
        }
        let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i64>(), m.parse::<u32>(), d.parse::<u32>()) else {
            return Err(bad());
        };
        Day::from_ymd(y, m, d).ok_or_else(bad)
    }

    /// The UTC day of a unix timestamp.
    pub fn from_unix_seconds(secs: i64) -> Day {
        Day(secs.div_euclid(86_400))
    }

    /// The unix timestamp of the day's first second (UTC).
    pub fn unix_seconds(self) -> i64 {
        self.0 * 86_400
    }

    pub fn plus_days(self, n: i64) -> Day {
        Day(self.0 + n)
    }

    pub fn days_until(self, later: Day) -> i64 {
        later.0 - self.0
    }

    /// The same day `n` months later (or earlier), clamped to the month's
    /// end (Jan 31 + 1 month = Feb 28/29).
    pub fn plus_months(self, n: i64) -> Day {
        let (y, m, d) = self.ymd();
        let index = y * 12 + i64::from(m) - 1 + n;
        let (year, month) = (
            index.div_euclid(12),
            u32::try_from(index.rem_euclid(12)).unwrap_or(0) + 1,
        );
        let day = d.min(days_in_month(year, month));
        Day::from_ymd(year, month, day).unwrap_or(self)
    }

    pub fn first_of_month(self) -> Day {
        let (y, m, _) = self.ymd();
        Day::from_ymd(y, m, 1).unwrap_or(self)
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

/// A half-open period [from, to) of whole days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Period {
    pub from: Day,
    pub to: Day,
}

impl Period {
    pub fn new(from: Day, to: Day) -> Result<Period, PeriodError> {
        if to <= from {
            return Err(PeriodError::Empty);
        }
        if from.days_until(to) > 366 * 20 {
            return Err(PeriodError::TooLong);
        }
        Ok(Period { from, to })
    }

    pub fn parse(from: &str, to: &str) -> Result<Period, PeriodError> {
        Period::new(Day::parse(from)?, Day::parse(to)?)
    }

    /// The calendar month that holds `day`.
    pub fn month_of(day: Day) -> Period {
        let from = day.first_of_month();
        Period {
            from,
            to: from.plus_months(1),
        }
    }

    pub fn days(self) -> i64 {
        self.from.days_until(self.to)
    }

    /// The period of the same length just before. A whole number of
    /// months steps back by months (March → February), otherwise by days.
    pub fn previous(self) -> Period {
        match self.whole_months() {
            Some(n) => Period {
                from: self.from.plus_months(-n),
                to: self.from,
            },
            None => Period {
                from: self.from.plus_days(-self.days()),
                to: self.from,
            },
        }
    }

    /// The same dates a year earlier.
    pub fn year_before(self) -> Period {
        Period {
            from: self.from.plus_months(-12),
            to: self.to.plus_months(-12),
        }
    }

    /// How many whole months the period spans, if it runs from a 1st to a 1st.
    pub fn whole_months(self) -> Option<i64> {
        let (fy, fm, fd) = self.from.ymd();
        let (ty, tm, td) = self.to.ymd();
        (fd == 1 && td == 1).then(|| (ty * 12 + i64::from(tm)) - (fy * 12 + i64::from(fm)))
    }

    /// Consecutive calendar months covering the period (the first and last
    /// may be partial, cut to the period).
    pub fn months(self) -> Vec<Period> {
        let mut out = Vec::new();
        let mut start = self.from;
        while start < self.to {
            let end = start.first_of_month().plus_months(1).min(self.to);
            out.push(Period {
                from: start,
                to: end,
            });
            start = end;
        }
        out
    }

    /// The days both periods hold, if any.
    pub fn intersect(self, other: Period) -> Option<Period> {
        let (from, to) = (self.from.max(other.from), self.to.min(other.to));
        (from < to).then_some(Period { from, to })
    }

    pub fn contains(self, day: Day) -> bool {
        self.from <= day && day < self.to
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}, {})", self.from, self.to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Day {
        Day::parse(s).unwrap()
    }

    #[test]
    fn days_round_trip_across_centuries_and_leap_years() {
        assert_eq!(d("1970-01-01"), Day(0));
        assert_eq!(d("2000-03-01").to_string(), "2000-03-01");
        assert_eq!(d("2024-02-28").plus_days(1).to_string(), "2024-02-29");
        assert_eq!(d("2023-02-28").plus_days(1).to_string(), "2023-03-01");
        assert_eq!(d("1900-02-28").plus_days(1).to_string(), "1900-03-01");
        for n in -700_000..2_900_000 {
            if n % 997 == 0 {
                let day = Day(n);
                assert_eq!(Day::parse(&day.to_string()), Ok(day));
            }
        }
        assert!(Day::parse("2023-02-29").is_err());
        assert!(Day::parse("2023-2-01").is_err());
        assert_eq!(
            Day::parse("31.12.2024").unwrap_err().to_string(),
            "'31.12.2024' is not a date (expected YYYY-MM-DD, e.g. 2025-03-01)"
        );
    }

    #[test]
    fn months_clamp_to_their_end() {
        assert_eq!(d("2024-01-31").plus_months(1).to_string(), "2024-02-29");
        assert_eq!(d("2024-03-31").plus_months(-1).to_string(), "2024-02-29");
        assert_eq!(d("2024-12-15").plus_months(1).to_string(), "2025-01-15");
        assert_eq!(d("2024-01-15").plus_months(-13).to_string(), "2022-12-15");
    }

    #[test]
    fn periods_are_half_open_and_compare_like_with_like() {
        let march = Period::parse("2025-03-01", "2025-04-01").unwrap();
        assert_eq!(march.days(), 31);
        assert!(march.contains(d("2025-03-31")) && !march.contains(d("2025-04-01")));
        assert_eq!(march.previous().to_string(), "[2025-02-01, 2025-03-01)");
        assert_eq!(march.year_before().to_string(), "[2024-03-01, 2024-04-01)");
        let q1 = Period::parse("2025-01-01", "2025-04-01").unwrap();
        assert_eq!(q1.previous().to_string(), "[2024-10-01, 2025-01-01)");
        let ten_days = Period::parse("2025-03-05", "2025-03-15").unwrap();
        assert_eq!(ten_days.previous().to_string(), "[2025-02-23, 2025-03-05)");
        let spans = Period::parse("2025-01-20", "2025-03-10").unwrap().months();
        let shown: Vec<String> = spans.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "[2025-01-20, 2025-02-01)",
                "[2025-02-01, 2025-03-01)",
                "[2025-03-01, 2025-03-10)"
            ]
        );
        assert_eq!(
            Period::parse("2025-03-01", "2025-03-01"),
            Err(PeriodError::Empty)
        );
        assert_eq!(
            Period::parse("2000-01-01", "2030-01-01"),
            Err(PeriodError::TooLong)
        );
    }
}
