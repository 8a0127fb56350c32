//! `strftime`-style date patterns with times, AM/PM and zones, as survey tools write their
//! time stamps (`2025/04/01 8:16:21 PM GMT+1`), parsed strictly into the crate's [`Date`].
//!
//! Only the date is kept: it is the local date of submission, as written. The time, AM/PM
//! and zone are checked (a stamp that does not match is an error, never a guess) and then
//! dropped; two-digit years are refused; text left over after the pattern is an error.

use std::fmt;

use crate::date::Date;
use crate::error::{Error, Result};

/// Most fields a pattern may have (`%Y/%m/%d %I:%M:%S %p %Z` has 15).
const MAX_TOKENS: usize = 32;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Year,
    Month,
    MonthName,
    Day,
    Hour24,
    Hour12,
    Minute,
    Second,
    Fraction,
    AmPm,
    /// `%Z`: a zone name with an optional offset (`GMT+1`, `UTC`, `BST`, `Z`).
    ZoneName,
    /// `%z`: a numeric offset (`+0100`, `+01:00`, `Z`).
    ZoneOffset,
    /// One or more spaces in the text.
    Space,
    Literal(char),
    /// The end of the tokens in use.
    End,
}

/// A date pattern declared with `date_format = "..."` in the `strftime` spelling: `%Y`
/// (four-digit year), `%m`, `%d` or `%e` (one or two digits), `%b`/`%B` (month name),
/// `%H`, `%I`, `%M`, `%S`, `%f` (fraction of a second), `%p` (AM/PM), `%Z` (zone name such
/// as `GMT+1`), `%z` (`+0100`), `%T` (`%H:%M:%S`), `%R` (`%H:%M`), `%F` (`%Y-%m-%d`), `%%`.
///
/// ```
/// use coproduction::{Date, DateFormat};
/// let google: DateFormat = "%Y/%m/%d %I:%M:%S %p %Z".parse().unwrap();
/// let d = Date::parse("2025/04/01 8:16:21 PM GMT+1", google).unwrap();
/// assert_eq!(d.to_string(), "2025-04-01");
/// assert!(Date::parse("2025/04/01 8:16:21 PM GMT+1 x", google).is_err());
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct DatePattern {
    tokens: [Token; MAX_TOKENS],
    len: u8,
}

impl fmt::Debug for DatePattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatePattern({:?})", self.to_string())
    }
}

impl fmt::Display for DatePattern {
    /// The pattern in its `strftime` spelling.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for token in self.tokens() {
            let text: &str = match token {
                Token::Year => "%Y",
                Token::Month => "%m",
                Token::MonthName => "%b",
                Token::Day => "%d",
                Token::Hour24 => "%H",
                Token::Hour12 => "%I",
                Token::Minute => "%M",
                Token::Second => "%S",
                Token::Fraction => "%f",
                Token::AmPm => "%p",
                Token::ZoneName => "%Z",
                Token::ZoneOffset => "%z",
                Token::Space => " ",
                Token::Literal('%') => "%%",
                Token::Literal(c) => {
                    write!(f, "{c}")?;
                    continue;
                }
                Token::End => "",
            };
            f.write_str(text)?;
        }
        Ok(())
    }
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

impl DatePattern {
    /// Reads a `strftime` spelling. The pattern must have a four-digit year, a month and a
    /// day; `%y` (two-digit year) is refused because it is ambiguous.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`](crate::Error::InvalidParameter) if the spelling is not a
    /// pattern this crate reads (no four-digit year, month and day, or an unknown directive).
    pub fn new(spelling: &str) -> Result<DatePattern> {
        let invalid = |reason: &'static str| Error::InvalidParameter {
            name: "date_format",
            value: spelling.to_string(),
            reason,
        };
        let mut tokens = Vec::new();
        let mut chars = spelling.trim().chars();
        while let Some(c) = chars.next() {
            if c.is_whitespace() {
                if tokens.last() != Some(&Token::Space) {
                    tokens.push(Token::Space);
                }
                continue;
            }
            if c != '%' {
                tokens.push(Token::Literal(c));
                continue;
            }
            // `%-d` and `%#d` (no padding) read as `%d`: one or two digits are accepted anyway.
            let mut code = chars.next();
            if matches!(code, Some('-' | '#')) {
                code = chars.next();
            }
            match code {
                Some('Y') => tokens.push(Token::Year),
                Some('m') => tokens.push(Token::Month),
                Some('b' | 'B' | 'h') => tokens.push(Token::MonthName),
                Some('d' | 'e') => tokens.push(Token::Day),
                Some('H' | 'k') => tokens.push(Token::Hour24),
                Some('I' | 'l') => tokens.push(Token::Hour12),
                Some('M') => tokens.push(Token::Minute),
                Some('S') => tokens.push(Token::Second),
                Some('f') => tokens.push(Token::Fraction),
                Some('p' | 'P') => tokens.push(Token::AmPm),
                Some('Z') => tokens.push(Token::ZoneName),
                Some('z') => tokens.push(Token::ZoneOffset),
                Some('T') => {
                    tokens.extend([Token::Hour24, Token::Literal(':'), Token::Minute, Token::Literal(':')]);
                    tokens.push(Token::Second);
                }
                Some('R') => tokens.extend([Token::Hour24, Token::Literal(':'), Token::Minute]),
                Some('F') => {
                    tokens.extend([Token::Year, Token::Literal('-'), Token::Month, Token::Literal('-')]);
                    tokens.push(Token::Day);
                }
                Some('%') => tokens.push(Token::Literal('%')),
                Some('y') => {
                    return Err(invalid(
                        "two-digit years (%y) are ambiguous; the dates must have four-digit years (%Y)",
                    ));
                }
                _ => {
                    return Err(invalid(
                        "unknown % code; use %Y %m %d %b %H %I %M %S %f %p %Z %z (e.g. \"%d/%m/%Y %H:%M\")",
                    ));
                }
            }
        }
        let count = |t: Token| tokens.iter().filter(|&&x| x == t).count();
        if count(Token::Year) != 1
            || count(Token::Month) + count(Token::MonthName) != 1
            || count(Token::Day) != 1
        {
            return Err(invalid("a date format needs exactly one %Y, one %m (or %b) and one %d"));
        }
        if count(Token::Hour12) > 0 && count(Token::AmPm) == 0 {
            return Err(invalid("a 12-hour clock (%I) needs AM/PM (%p)"));
        }
        if tokens.len() > MAX_TOKENS {
            return Err(invalid("the format is too long"));
        }
        let mut out = DatePattern { tokens: [Token::End; MAX_TOKENS], len: tokens.len() as u8 };
        out.tokens[..tokens.len()].copy_from_slice(&tokens);
        Ok(out)
    }

    fn tokens(&self) -> &[Token] {
        &self.tokens[..usize::from(self.len)]
    }

    fn has_time(&self) -> bool {
        self.tokens().iter().any(|t| matches!(t, Token::Hour24 | Token::Hour12))
    }

    /// Reads `text` (surrounding spaces ignored) as this pattern; the date as written.
    pub(crate) fn parse(&self, text: &str) -> Result<Date> {
        let text = text.trim();
        let bad =
            |reason: &'static str| Error::InvalidParameter { name: "date", value: text.to_string(), reason };
        let mismatch = "does not match the date_format";
        let mut rest = text;
        let (mut year, mut month, mut day) = (None, None, None);
        for &token in self.tokens() {
            match token {
                Token::Year => {
                    let (v, n) = digits(rest, 4, 4).ok_or_else(|| bad("expected a four-digit year"))?;
                    year = Some(v);
                    rest = &rest[n..];
                }
                Token::Month | Token::Day | Token::Hour24 | Token::Hour12 | Token::Minute | Token::Second => {
                    let (v, n) = digits(rest, 1, 2).ok_or_else(|| bad(mismatch))?;
                    rest = &rest[n..];
                    let ok = match token {
                        Token::Month => {
                            month = Some(v);
                            true
                        }
                        Token::Day => {
                            day = Some(v);
                            true
                        }
                        Token::Hour24 => v <= 23,
                        Token::Hour12 => (1..=12).contains(&v),
                        Token::Minute => v <= 59,
                        _ => v <= 60,
                    };
                    if !ok {
                        return Err(bad("the time of day is not a valid time"));
                    }
                }
                Token::MonthName => {
                    let word: String = rest.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
                    let lower = word.to_ascii_lowercase();
                    let m = MONTHS
                        .iter()
                        .position(|name| {
                            lower.len() >= 3
                                && (*name == lower || (lower.len() == 3 && name.starts_with(&lower)))
                        })
                        .ok_or_else(|| bad("expected a month name such as Apr or April"))?;
                    month = Some(m as u32 + 1);
                    rest = &rest[word.len()..];
                }
                Token::Fraction => {
                    let n = rest.bytes().take_while(u8::is_ascii_digit).count();
                    if n == 0 {
                        return Err(bad(mismatch));
                    }
                    rest = &rest[n..];
                }
                Token::AmPm => {
                    let (_, n) = am_pm_at(rest).ok_or_else(|| bad("expected AM or PM"))?;
                    rest = &rest[n..];
                }
                Token::ZoneName => {
                    let n = zone_name_len(rest)
                        .ok_or_else(|| bad("expected a time zone such as GMT+1 or UTC"))?;
                    rest = &rest[n..];
                }
                Token::ZoneOffset => {
                    let n = zone_offset_len(rest)
                        .ok_or_else(|| bad("expected a time zone offset such as +0100"))?;
                    rest = &rest[n..];
                }
                Token::Space => {
                    let n = rest.len() - rest.trim_start().len();
                    if n == 0 {
                        return Err(bad(mismatch));
                    }
                    rest = &rest[n..];
                }
                Token::Literal(c) => {
                    rest = rest.strip_prefix(c).ok_or_else(|| bad(mismatch))?;
                }
                Token::End => break,
            }
        }
        // A date-only pattern takes a time of day after the date, as the fixed formats do.
        if !rest.is_empty() && (self.has_time() || !is_time_of_day(rest)) {
            return Err(bad("there is text after the date that the date_format does not describe"));
        }
        let (Some(y), Some(m), Some(d)) = (year, month, day) else {
            return Err(bad(mismatch));
        };
        Date::new(y as i32, m, d).map_err(|e| match e {
            Error::InvalidParameter { reason, .. } => bad(reason),
            other => other,
        })
    }

    /// Writes a date in this pattern, at midnight UTC where the pattern has a time, so
    /// that [`DatePattern::parse`] reads it back.
    pub(crate) fn write(&self, year: i64, month: i64, day: i64) -> String {
        let mut out = String::new();
        for &token in self.tokens() {
            match token {
                Token::Year => out.push_str(&format!("{year:04}")),
                Token::Month => out.push_str(&format!("{month:02}")),
                Token::MonthName => {
                    let name = MONTHS.get((month - 1).clamp(0, 11) as usize).copied().unwrap_or("january");
                    let mut chars = name[..3].chars();
                    if let Some(first) = chars.next() {
                        out.push(first.to_ascii_uppercase());
                        out.extend(chars);
                    }
                }
                Token::Day => out.push_str(&format!("{day:02}")),
                Token::Hour24 | Token::Minute | Token::Second | Token::Fraction => out.push_str("00"),
                Token::Hour12 => out.push_str("12"),
                Token::AmPm => out.push_str("AM"),
                Token::ZoneName => out.push_str("UTC"),
                Token::ZoneOffset => out.push_str("+0000"),
                Token::Space => out.push(' '),
                Token::Literal(c) => out.push(c),
                Token::End => break,
            }
        }
        out
    }
}

/// A number of `min` to `max` ASCII digits at the start of `text`, and its length.
fn digits(text: &str, min: usize, max: usize) -> Option<(u32, usize)> {
    let n = text.bytes().take(max).take_while(u8::is_ascii_digit).count();
    if n < min || text.as_bytes().get(n).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    text[..n].parse().ok().map(|v| (v, n))
}

/// `AM`, `PM`, `a.m.` or `p.m.` (any case) at the start: whether it is PM, and its length.
fn am_pm_at(text: &str) -> Option<(bool, usize)> {
    let lower = text.get(..4).unwrap_or(text).to_ascii_lowercase();
    for (word, pm) in [("a.m.", false), ("p.m.", true), ("am", false), ("pm", true)] {
        if lower.starts_with(word) {
            return Some((pm, word.len()));
        }
    }
    None
}

/// A zone name (`GMT`, `UTC`, `BST`, `Z`), optionally with an offset (`GMT+1`, `UTC-05:00`).
fn zone_name_len(text: &str) -> Option<usize> {
    let letters = text.bytes().take_while(u8::is_ascii_uppercase).count();
    if letters == 0 || letters > 5 {
        return zone_offset_len(text);
    }
    let rest = &text[letters..];
    match rest.as_bytes().first() {
        Some(b'+' | b'-') => Some(letters + zone_offset_len(rest)?),
        _ => Some(letters),
    }
}

/// A numeric offset: `+1`, `+01`, `+0100`, `+01:00`, `-5`, or `Z`.
fn zone_offset_len(text: &str) -> Option<usize> {
    if text.starts_with('Z') {
        return Some(1);
    }
    text.as_bytes().first().filter(|b| matches!(b, b'+' | b'-'))?;
    let rest = &text[1..];
    let (hours, n) = digits(rest, 1, 2).or_else(|| digits(rest, 4, 4).map(|(v, n)| (v / 100, n)))?;
    if hours > 14 {
        return None;
    }
    let after = &rest[n..];
    let minutes = after.strip_prefix(':').and_then(|m| digits(m, 2, 2)).map_or(0, |(_, k)| k + 1);
    Some(1 + n + minutes)
}

/// Whether `text` (what follows a date) is a time of day: `10:31`, `T10:31:05.123Z`,
/// ` 8:16:21 PM GMT+1`, ` 10:31:05 +01:00`. Anything else after a date is a mistake.
pub(crate) fn is_time_of_day(text: &str) -> bool {
    let mut rest = text.strip_prefix('T').unwrap_or(text);
    if rest.len() == text.len() {
        let trimmed = rest.trim_start();
        if trimmed.len() == rest.len() && !rest.is_empty() {
            return false;
        }
        rest = trimmed;
    } else if rest.is_empty() {
        // A bare `T` announces a time that is not there.
        return false;
    }
    if rest.is_empty() {
        return true;
    }
    let Some((hour, n)) = digits(rest, 1, 2) else { return false };
    rest = &rest[n..];
    let mut parts = 0;
    while let Some(after) = rest.strip_prefix(':') {
        let Some((v, n)) = digits(after, 2, 2) else { return false };
        if v > 59 + u32::from(parts == 1) {
            return false;
        }
        parts += 1;
        rest = &after[n..];
    }
    if parts == 0 || parts > 2 || hour > 23 {
        return false;
    }
    if let Some(after) = rest.strip_prefix(['.', ',']) {
        let n = after.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return false;
        }
        rest = &after[n..];
    }
    let spaced = rest.trim_start();
    if let Some((_, n)) = am_pm_at(spaced) {
        if hour == 0 || hour > 12 {
            return false;
        }
        rest = &spaced[n..];
    }
    let spaced = rest.trim_start();
    if !spaced.is_empty() {
        match zone_name_len(spaced) {
            Some(n) => rest = &spaced[n..],
            None => return false,
        }
    }
    rest.trim().is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DateFormat;

    fn p(s: &str) -> DatePattern {
        DatePattern::new(s).unwrap()
    }

    #[test]
    fn survey_time_stamps_give_the_local_date_as_written() {
        let google = p("%Y/%m/%d %I:%M:%S %p %Z");
        for (text, date) in [
            ("2025/04/01 8:16:21 PM GMT+1", "2025-04-01"),
            ("2025/04/01 11:59:59 pm GMT+1", "2025-04-01"),
            ("2025/12/31 12:00:00 AM GMT", "2025-12-31"),
            ("2025/04/01 8:16:21 PM GMT-5", "2025-04-01"),
        ] {
            assert_eq!(google.parse(text).unwrap().to_string(), date, "{text}");
        }
        assert_eq!(p("%d %B %Y, %H:%M").parse("1 April 2025, 20:16").unwrap().to_string(), "2025-04-01");
        assert_eq!(
            p("%d-%b-%Y %H:%M:%S%z").parse("01-Apr-2025 20:16:21+0100").unwrap().to_string(),
            "2025-04-01"
        );
        assert_eq!(p("%FT%T").parse("2025-04-01T20:16:21").unwrap().to_string(), "2025-04-01");
    }

    #[test]
    fn mismatches_and_trailing_text_are_errors() {
        let google = p("%Y/%m/%d %I:%M:%S %p %Z");
        for text in [
            "2025/04/01 8:16:21 PM GMT+1 extra",
            "2025/04/01 13:16:21 PM GMT+1",
            "2025/04/01 8:16:21 GMT+1",
            "25/04/01 8:16:21 PM GMT+1",
            "2025/02/29 8:16:21 PM GMT",
            "2025/04/01 8:61:21 PM GMT",
            "01/04/2025 20:16:21",
        ] {
            assert!(google.parse(text).is_err(), "{text} should not parse");
        }
        assert!(DatePattern::new("%y/%m/%d").is_err());
        assert!(DatePattern::new("%Y/%m").is_err());
        assert!(DatePattern::new("%Y/%m/%d %I:%M").is_err());
        assert!(DatePattern::new("%Y/%m/%d %q").is_err());
    }

    #[test]
    fn a_date_only_pattern_takes_a_time_of_day_and_nothing_else() {
        let ymd = p("%Y/%m/%d");
        assert_eq!(ymd.parse("2025/04/01 8:16:21 PM GMT+1").unwrap().to_string(), "2025-04-01");
        assert_eq!(ymd.parse("2025/04/01").unwrap().to_string(), "2025-04-01");
        assert!(ymd.parse("2025/04/01 tbc").is_err());
        assert!(ymd.parse("2025/04/01x").is_err());
        assert!(is_time_of_day("T10:31:05.123Z"));
        assert!(is_time_of_day(" 10:31"));
        assert!(is_time_of_day(" 10:31:05 +01:00"));
        assert!(!is_time_of_day(" 10"));
        assert!(!is_time_of_day(" 25:00"));
        assert!(!is_time_of_day(" 10:31 then"));
    }

    #[test]
    fn patterns_write_what_they_read() {
        for s in ["%Y/%m/%d %I:%M:%S %p %Z", "%d %b %Y", "%Y-%m-%dT%H:%M:%S%z", "%d/%m/%Y %H:%M"] {
            let pattern = p(s);
            assert_eq!(pattern.to_string(), s);
            let written = pattern.write(2025, 4, 22);
            assert_eq!(pattern.parse(&written).unwrap().to_string(), "2025-04-22", "{written}");
            let format: DateFormat = s.parse().unwrap();
            assert_eq!(format.spelling(), s);
        }
    }
}
