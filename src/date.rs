//! Calendar dates as evaluators write them, parsed strictly.
//!
//! The crate needs dates only to order assessments, measure episode lengths and derive
//! ages, so a small proleptic-Gregorian [`Date`] is enough and keeps the dependency list
//! short. Parsing follows one declared [`DateFormat`]: a date that does not match it, or
//! that does not exist (2025-02-29), is an error, never a guess.

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};

pub use crate::date_pattern::DatePattern;
pub(crate) use crate::date_pattern::is_time_of_day;

/// Earliest and latest years accepted: anything outside is a typing slip (0000-01-01,
/// 9999-12-31 typed in for "unknown") rather than an assessment date.
pub const YEAR_RANGE: (i32, i32) = (1900, 2100);

/// A calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i16,
    month: u8,
    day: u8,
}

impl Date {
    /// A date, checked: the day must exist in that month and the year must lie in
    /// 1900 to 2100.
    ///
    /// ```
    /// use coproduction::Date;
    /// assert!(Date::new(2024, 2, 29).is_ok());
    /// assert!(Date::new(2025, 2, 29).is_err());
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] if the year is outside 1 to 9998 or the day does not exist
    /// in that month.
    pub fn new(year: i32, month: u32, day: u32) -> Result<Date> {
        let invalid = |reason| Error::InvalidParameter {
            name: "date",
            value: format!("{year:04}-{month:02}-{day:02}"),
            reason,
        };
        if year < YEAR_RANGE.0 || year > YEAR_RANGE.1 {
            return Err(invalid("the year must be between 1900 and 2100"));
        }
        if !(1..=12).contains(&month) {
            return Err(invalid("the month must be between 1 and 12"));
        }
        if day == 0 || day > days_in_month(year, month) {
            return Err(invalid("that day does not exist in that month"));
        }
        Ok(Date { year: year as i16, month: month as u8, day: day as u8 })
    }

    /// The year.
    pub fn year(self) -> i32 {
        i32::from(self.year)
    }

    /// The month, 1 to 12.
    pub fn month(self) -> u32 {
        u32::from(self.month)
    }

    /// The day of the month.
    pub fn day(self) -> u32 {
        u32::from(self.day)
    }

    /// Days since 1970-01-01 (negative before). Used for differences between dates.
    pub fn days_since_epoch(self) -> i64 {
        // Howard Hinnant's days_from_civil: exact for the proleptic Gregorian calendar.
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01 (civil_from_days, H. Hinnant).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] if the day falls outside the years 1 to 9998.
    pub fn from_days_since_epoch(days: i64) -> Result<Date> {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        Date::new(year as i32, month as u32, day as u32)
    }

    /// Whole days from `self` to `later` (negative when `later` is earlier).
    ///
    /// ```
    /// use coproduction::Date;
    /// let a = Date::new(2025, 1, 1).unwrap();
    /// let b = Date::new(2025, 3, 1).unwrap();
    /// assert_eq!(a.days_until(b), 59);
    /// ```
    pub fn days_until(self, later: Date) -> i64 {
        later.days_since_epoch() - self.days_since_epoch()
    }

    /// Writes the date in a format (the inverse of [`Date::parse`]).
    ///
    /// ```
    /// use coproduction::{Date, DateFormat};
    /// let d = Date::new(2025, 4, 22).unwrap();
    /// assert_eq!(d.format(DateFormat::UK), "22/04/2025");
    /// ```
    pub fn format(self, format: DateFormat) -> String {
        Date::format_parts(self.year.into(), self.month.into(), self.day.into(), format)
    }

    pub(crate) fn format_parts(year: i64, month: i64, day: i64, format: DateFormat) -> String {
        match format {
            DateFormat::Iso => format!("{year:04}-{month:02}-{day:02}"),
            DateFormat::DayMonthYear(sep) => {
                let sep = sep.byte() as char;
                format!("{day:02}{sep}{month:02}{sep}{year:04}")
            }
            DateFormat::MonthDayYear(sep) => {
                let sep = sep.byte() as char;
                format!("{month:02}{sep}{day:02}{sep}{year:04}")
            }
            DateFormat::Pattern(pattern) => pattern.write(year, month, day),
        }
    }

    /// Parses `text` (surrounding spaces ignored) in the given format.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] if `text` is not a date in `format` (or is followed by
    /// anything but a time of day), or the day does not exist.
    pub fn parse(text: &str, format: DateFormat) -> Result<Date> {
        let text = text.trim();
        // The usual cell, `YYYY-MM-DD` exactly, read digit by digit; anything else (and any
        // impossible date, for its message) takes the general path.
        if let (DateFormat::Iso, &[y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1]) = (format, text.as_bytes()) {
            let digits = [y0, y1, y2, y3, m0, m1, d0, d1];
            if digits.iter().all(u8::is_ascii_digit) {
                let value = |ds: &[u8]| ds.iter().fold(0u32, |v, d| v * 10 + u32::from(d - b'0'));
                if let Ok(date) =
                    Date::new(value(&digits[..4]) as i32, value(&digits[4..6]), value(&digits[6..]))
                {
                    return Ok(date);
                }
            }
        }
        let bad =
            |reason: &'static str| Error::InvalidParameter { name: "date", value: text.to_string(), reason };
        let (order, sep) = match format {
            DateFormat::Iso => (Order::Ymd, b'-'),
            DateFormat::DayMonthYear(sep) => (Order::Dmy, sep.byte()),
            DateFormat::MonthDayYear(sep) => (Order::Mdy, sep.byte()),
            DateFormat::Pattern(pattern) => return pattern.parse(text),
        };
        // A time stamp ("2025-04-22T10:31:05", "22/04/2025 10:31", "04/22/2025 10:31:05 AM")
        // keeps its date part; whatever follows the date must be a time of day.
        let split = match order {
            Order::Ymd => text.find(['T', ' ']),
            _ => text.find(' '),
        };
        let date_part = match split {
            Some(at) => {
                if !is_time_of_day(&text[at..]) {
                    return Err(bad("the text after the date is not a time of day"));
                }
                &text[..at]
            }
            None => text,
        };
        let mut fields = date_part.split(sep as char);
        let (Some(a), Some(b), Some(c), None) = (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            return Err(bad(format.expected()));
        };
        let number = |s: &str, max_len: usize| -> Option<u32> {
            if s.is_empty() || s.len() > max_len || !s.bytes().all(|b| b.is_ascii_digit()) {
                None
            } else {
                s.parse().ok()
            }
        };
        let (y, m, d) = match order {
            Order::Ymd => (a, b, c),
            Order::Dmy => (c, b, a),
            Order::Mdy => (c, a, b),
        };
        // Two-digit years are ambiguous (1925 or 2025?) and are refused.
        if y.len() != 4 {
            return Err(bad(format.expected()));
        }
        let (Some(year), Some(month), Some(day)) = (number(y, 4), number(m, 2), number(d, 2)) else {
            return Err(bad(format.expected()));
        };
        Date::new(year as i32, month, day).map_err(|e| match e {
            Error::InvalidParameter { reason, .. } => bad(reason),
            other => other,
        })
    }
}

#[derive(Clone, Copy)]
enum Order {
    Ymd,
    Dmy,
    Mdy,
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

impl fmt::Display for Date {
    /// ISO 8601, `YYYY-MM-DD`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl FromStr for Date {
    type Err = Error;

    /// Parses an ISO date.
    fn from_str(s: &str) -> Result<Date> {
        Date::parse(s, DateFormat::Iso)
    }
}

impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// The separator between day, month and year in a non-ISO format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DateSeparator {
    /// `/`, as in `22/04/2025`.
    Slash,
    /// `-`, as in `22-04-2025`.
    Dash,
    /// `.`, as in `22.04.2025`.
    Dot,
}

impl DateSeparator {
    fn byte(self) -> u8 {
        match self {
            DateSeparator::Slash => b'/',
            DateSeparator::Dash => b'-',
            DateSeparator::Dot => b'.',
        }
    }
}

/// How dates are written in an input file. The default is ISO; a plan declares another
/// with the `strftime` spelling, e.g. `date_format = "%d/%m/%Y"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum DateFormat {
    /// `YYYY-MM-DD` (`%Y-%m-%d`); a time after the date is ignored.
    #[default]
    Iso,
    /// Day, month, year: the UK convention (`%d/%m/%Y`).
    DayMonthYear(DateSeparator),
    /// Month, day, year: the US convention (`%m/%d/%Y`).
    MonthDayYear(DateSeparator),
    /// Any other `strftime` pattern, with times, AM/PM and zones
    /// (`%Y/%m/%d %I:%M:%S %p %Z`); the date taken is the date as written.
    Pattern(DatePattern),
}

impl DateFormat {
    /// The UK format, `%d/%m/%Y`.
    pub const UK: DateFormat = DateFormat::DayMonthYear(DateSeparator::Slash);

    /// The `strftime` spelling of this format.
    pub fn spelling(self) -> String {
        match self {
            DateFormat::Pattern(pattern) => pattern.to_string(),
            fixed => fixed.fixed_spelling().to_string(),
        }
    }

    fn fixed_spelling(self) -> &'static str {
        use DateSeparator::*;
        match self {
            DateFormat::Pattern(_) => "",
            DateFormat::Iso => "%Y-%m-%d",
            DateFormat::DayMonthYear(Slash) => "%d/%m/%Y",
            DateFormat::DayMonthYear(Dash) => "%d-%m-%Y",
            DateFormat::DayMonthYear(Dot) => "%d.%m.%Y",
            DateFormat::MonthDayYear(Slash) => "%m/%d/%Y",
            DateFormat::MonthDayYear(Dash) => "%m-%d-%Y",
            DateFormat::MonthDayYear(Dot) => "%m.%d.%Y",
        }
    }

    fn expected(self) -> &'static str {
        use DateSeparator::*;
        match self {
            DateFormat::Iso => "expected a date as YYYY-MM-DD",
            DateFormat::DayMonthYear(Slash) => "expected a date as DD/MM/YYYY",
            DateFormat::DayMonthYear(Dash) => "expected a date as DD-MM-YYYY",
            DateFormat::DayMonthYear(Dot) => "expected a date as DD.MM.YYYY",
            DateFormat::MonthDayYear(Slash) => "expected a date as MM/DD/YYYY",
            DateFormat::MonthDayYear(Dash) => "expected a date as MM-DD-YYYY",
            DateFormat::MonthDayYear(Dot) => "expected a date as MM.DD.YYYY",
            DateFormat::Pattern(_) => "does not match the date_format",
        }
    }
}

impl FromStr for DateFormat {
    type Err = Error;

    /// Parses a `strftime` spelling such as `%d/%m/%Y` or `%Y/%m/%d %I:%M:%S %p %Z` (see
    /// [`DatePattern`]), or the words `iso` and `uk`.
    ///
    /// ```
    /// use coproduction::DateFormat;
    /// assert_eq!("%d/%m/%Y".parse::<DateFormat>().unwrap(), DateFormat::UK);
    /// assert!("%Y/%m/%d".parse::<DateFormat>().is_ok());
    /// assert!("%y/%m/%d".parse::<DateFormat>().is_err());
    /// ```
    fn from_str(s: &str) -> Result<DateFormat> {
        use DateSeparator::*;
        let known = [
            DateFormat::Iso,
            DateFormat::DayMonthYear(Slash),
            DateFormat::DayMonthYear(Dash),
            DateFormat::DayMonthYear(Dot),
            DateFormat::MonthDayYear(Slash),
            DateFormat::MonthDayYear(Dash),
            DateFormat::MonthDayYear(Dot),
        ];
        match s.trim().to_ascii_lowercase().as_str() {
            "iso" => return Ok(DateFormat::Iso),
            "uk" => return Ok(DateFormat::UK),
            _ => {}
        }
        match known.into_iter().find(|f| f.fixed_spelling() == s.trim()) {
            Some(format) => Ok(format),
            None => DatePattern::new(s).map(DateFormat::Pattern),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_and_uk_dates_parse() {
        let d = Date::parse("2025-04-22", DateFormat::Iso).unwrap();
        assert_eq!((d.year(), d.month(), d.day()), (2025, 4, 22));
        assert_eq!(Date::parse(" 22/04/2025 ", DateFormat::UK).unwrap(), d);
        assert_eq!(Date::parse("2025-04-22T10:31:05", DateFormat::Iso).unwrap(), d);
        assert_eq!(Date::parse("22/04/2025 10:31:05", DateFormat::UK).unwrap(), d);
        assert_eq!(d.to_string(), "2025-04-22");
    }

    #[test]
    fn impossible_and_ambiguous_dates_are_errors() {
        for (text, format) in [
            ("2025-02-29", DateFormat::Iso),
            ("0000-01-01", DateFormat::Iso),
            ("9999-12-31", DateFormat::Iso),
            ("2025-13-01", DateFormat::Iso),
            ("22/04/25", DateFormat::UK),
            ("2025-04-22", DateFormat::UK),
            ("04/22/2025", DateFormat::UK),
            ("", DateFormat::Iso),
            ("2025-4-x", DateFormat::Iso),
            ("+2025-04-01", DateFormat::Iso),
            // Trailing text is refused: only a time of day may follow the date.
            ("2025-04-22 junk", DateFormat::Iso),
            ("2025-04-22T", DateFormat::Iso),
            ("22/04/2025 junk", DateFormat::UK),
            ("22/04/2025 10:31 then", DateFormat::UK),
        ] {
            assert!(Date::parse(text, format).is_err(), "{text} should not parse");
        }
        let e = Date::parse("2025-02-29", DateFormat::Iso).unwrap_err();
        assert_eq!(e.to_string(), "invalid date = 2025-02-29: that day does not exist in that month");
        let e = Date::parse("2025-04-22 junk", DateFormat::Iso).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid date = 2025-04-22 junk: the text after the date is not a time of day"
        );
        // Survey time stamps keep their date explicitly, as a time of day after it.
        assert_eq!(Date::parse("2025-04-22T10:31:05", DateFormat::Iso).unwrap().to_string(), "2025-04-22");
        assert_eq!(Date::parse("22/04/2025 10:31", DateFormat::UK).unwrap().to_string(), "2025-04-22");
        let e = Date::parse("22/04/25", DateFormat::UK).unwrap_err();
        assert_eq!(e.to_string(), "invalid date = 22/04/25: expected a date as DD/MM/YYYY");
    }

    #[test]
    fn day_counts_match_the_calendar() {
        let epoch = Date::new(1970, 1, 1).unwrap();
        assert_eq!(epoch.days_since_epoch(), 0);
        assert_eq!(Date::new(2000, 3, 1).unwrap().days_since_epoch(), 11_017);
        let a = Date::new(2024, 1, 1).unwrap();
        assert_eq!(a.days_until(Date::new(2025, 1, 1).unwrap()), 366);
        assert!(Date::new(1900, 2, 29).is_err());
        assert!(Date::new(2000, 2, 29).is_ok());
    }

    #[test]
    fn formats_round_trip_their_spelling() {
        for s in ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%m/%d/%Y", "%m-%d-%Y", "%m.%d.%Y"] {
            assert_eq!(s.parse::<DateFormat>().unwrap().spelling(), s);
        }
        assert_eq!("uk".parse::<DateFormat>().unwrap(), DateFormat::UK);
    }
}
