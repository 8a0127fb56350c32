//! Cell and row rules for the canonical tables (DESIGN.md section 4).
//!
//! A validator turns one row of text cells into a typed record or a [`RowProblem`] that
//! names the column, the value and the reason. Rules across rows (duplicates, unknown
//! participants) live with the loader, which holds the state they need.

use std::borrow::Cow;

use crate::date::{Date, DateFormat};
use crate::error::{Error, Result};

use super::SharedText;
use super::model::Participant;
use super::table::Row;

/// Identifiers longer than this are refused: they are pasted text, not ids, and would
/// bloat every table they are keyed in.
pub(crate) const MAX_ID_CHARS: usize = 128;

/// Names and categories (area, ethnicity, partner, venue, ...) longer than this are
/// refused, cell by cell: they are pasted text, not categories, and each would be
/// repeated in every output that shows its group.
pub const MAX_TEXT_CHARS: usize = 200;

/// A name or category cell within [`MAX_TEXT_CHARS`] characters and free of control
/// characters.
pub(crate) fn bounded_text<'a>(column: &str, text: Option<&'a str>) -> Result<Option<&'a str>, RowProblem> {
    let Some(text) = text else { return Ok(None) };
    if text.len() > MAX_TEXT_CHARS && text.chars().count() > MAX_TEXT_CHARS {
        return Err(RowProblem::cell(
            column,
            text,
            format!(
                "{column} is {} characters long; names and categories may have at most {MAX_TEXT_CHARS}",
                text.chars().count()
            ),
        ));
    }
    // A line break or tab is what a spreadsheet cell may hold; other control characters
    // are not text.
    if text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err(RowProblem::cell(column, text, format!("{column} contains control characters")));
    }
    Ok(Some(text))
}

/// Why a row was refused.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RowProblem {
    pub column: Option<String>,
    pub value: Option<String>,
    pub reason: String,
}

impl RowProblem {
    pub(crate) fn cell(column: &str, value: &str, reason: impl Into<String>) -> RowProblem {
        RowProblem { column: Some(column.to_string()), value: Some(value.to_string()), reason: reason.into() }
    }

    pub(crate) fn row(reason: impl Into<String>) -> RowProblem {
        RowProblem { column: None, value: None, reason: reason.into() }
    }
}

/// Positions of the known columns in a header.
pub(crate) struct Columns<'h> {
    headers: &'h [String],
}

impl<'h> Columns<'h> {
    pub(crate) fn new(headers: &'h [String], file: &str, required: &[&str]) -> Result<Columns<'h>> {
        for (i, name) in headers.iter().enumerate() {
            if !name.is_empty() && headers[..i].contains(name) {
                return Err(Error::NotATable {
                    file: file.to_string(),
                    reason: format!("the header names column '{name}' twice"),
                });
            }
        }
        for column in required {
            if !headers.iter().any(|h| h == column) {
                return Err(Error::MissingColumn {
                    file: file.to_string(),
                    column: (*column).to_string(),
                    found: describe_header(headers),
                });
            }
        }
        Ok(Columns { headers })
    }

    pub(crate) fn index(&self, name: &str) -> Option<usize> {
        self.headers.iter().position(|h| h == name)
    }
}

fn describe_header(headers: &[String]) -> String {
    const SHOWN: usize = 20;
    let mut text: Vec<String> = headers.iter().take(SHOWN).map(|h| shorten(h, 40)).collect();
    if headers.len() > SHOWN {
        text.push(format!("... {} more", headers.len() - SHOWN));
    }
    if text.is_empty() { "none".to_string() } else { text.join(", ") }
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        format!("{}...", text.chars().take(max).collect::<String>())
    }
}

/// A cell's text, trimmed; `None` when empty or the column is absent.
pub(crate) fn cell(fields: &Row, index: Option<usize>) -> Option<&str> {
    let text = fields.get(index?)?;
    // Most cells are empty or have nothing to trim: look at the ends before the full
    // Unicode trim (which catches the no-break spaces spreadsheets add).
    let (Some(&first), Some(&last)) = (text.as_bytes().first(), text.as_bytes().last()) else {
        return None;
    };
    let plain = |b: u8| b.is_ascii() && !b.is_ascii_whitespace();
    let text = if plain(first) && plain(last) { text } else { text.trim() };
    if text.is_empty() { None } else { Some(text) }
}

pub(crate) fn identifier(column: &str, text: Option<&str>) -> Result<String, RowProblem> {
    identifier_str(column, text).map(str::to_string)
}

/// [`identifier`] without the copy, for the hot outcome loop.
pub(crate) fn identifier_str<'a>(column: &str, text: Option<&'a str>) -> Result<&'a str, RowProblem> {
    let Some(text) = text else {
        return Err(RowProblem::cell(column, "", format!("{column} is empty; every row needs one")));
    };
    if text.len() > MAX_ID_CHARS && text.chars().count() > MAX_ID_CHARS {
        return Err(RowProblem::cell(
            column,
            text,
            format!(
                "{column} is {} characters long; identifiers may have at most {MAX_ID_CHARS}",
                text.chars().count()
            ),
        ));
    }
    let control = if text.is_ascii() {
        text.bytes().any(|b| b.is_ascii_control())
    } else {
        text.chars().any(char::is_control)
    };
    if control {
        return Err(RowProblem::cell(column, text, format!("{column} contains control characters")));
    }
    Ok(text)
}

/// Parses a number as evaluators type it. Decimal commas, thousands separators and
/// non-finite values are refused rather than guessed at.
pub(crate) fn number(column: &str, text: &str) -> Result<f64, RowProblem> {
    // Most cells are small whole numbers: read them directly (exact in an f64).
    if !text.is_empty() && text.len() <= 9 && text.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(text.bytes().fold(0u32, |v, d| v * 10 + u32::from(d - b'0')) as f64);
    }
    let plain = text.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'));
    if text.contains(',') {
        return Err(RowProblem::cell(
            column,
            text,
            format!(
                "{column} '{text}' is not a number: use a point for decimals and no thousands separators"
            ),
        ));
    }
    match text.parse::<f64>() {
        Ok(v) if plain && v.is_finite() => Ok(if v == 0.0 { 0.0 } else { v }),
        Ok(_) if plain => {
            Err(RowProblem::cell(column, text, format!("{column} '{text}' is too large to be a score")))
        }
        _ => Err(RowProblem::cell(column, text, format!("{column} '{text}' is not a number"))),
    }
}

pub(crate) fn whole_number(column: &str, text: &str, min: u32, max: u32) -> Result<u32, RowProblem> {
    let value = number(column, text)?;
    if !crate::instruments::is_whole(value) {
        return Err(RowProblem::cell(column, text, format!("{column} must be a whole number")));
    }
    if value < f64::from(min) || value > f64::from(max) {
        return Err(RowProblem::cell(column, text, format!("{column} {text} is outside {min}-{max}")));
    }
    Ok(value as u32)
}

pub(crate) fn date(column: &str, text: &str, format: DateFormat) -> Result<Date, RowProblem> {
    Date::parse(text, format).map_err(|e| {
        let reason = match e {
            Error::InvalidParameter { reason, .. } => reason.to_string(),
            other => other.to_string(),
        };
        let declared = match format {
            DateFormat::Pattern(p) => format!(" (date_format = \"{p}\")"),
            _ => String::new(),
        };
        RowProblem::cell(column, text, format!("{column} '{text}' is not a valid date: {reason}{declared}"))
    })
}

/// ICD-10 codes as case systems write them (`f41.1`, `F411`, `F41.1 `), normalised to
/// `F41.1`.
pub(crate) fn icd10(text: &str) -> Option<Cow<'_, str>> {
    // Codes are usually written in the normal form already ("F41.1"): kept as they are.
    let b = text.as_bytes();
    let normal = (b.len() == 3 || (b.len() >= 5 && b.len() <= 6 && b[3] == b'.'))
        && b[0].is_ascii_uppercase()
        && b[1].is_ascii_digit()
        && b[2].is_ascii_digit()
        && b.iter().skip(4).all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    if normal {
        return Some(Cow::Borrowed(text));
    }
    let code: String =
        text.chars().filter(|c| !c.is_whitespace() && *c != '.').collect::<String>().to_ascii_uppercase();
    let bytes = code.as_bytes();
    let valid = (3..=5).contains(&bytes.len())
        && bytes[0].is_ascii_uppercase()
        && bytes[1].is_ascii_digit()
        && bytes[2].is_ascii_digit()
        && bytes[3..].iter().all(|b| b.is_ascii_alphanumeric());
    if !valid {
        return None;
    }
    Some(Cow::Owned(if code.len() > 3 { format!("{}.{}", &code[..3], &code[3..]) } else { code }))
}

/// The columns of participants.csv.
pub(crate) struct ParticipantColumns {
    id: usize,
    pilot: usize,
    gender: Option<usize>,
    ethnicity: Option<usize>,
    age: Option<usize>,
    imd_decile: Option<usize>,
    area: Option<usize>,
    referral_date: Option<usize>,
    end_date: Option<usize>,
    sessions: Option<usize>,
    problem: Option<usize>,
    referral_source: Option<usize>,
    pub(crate) width: usize,
}

/// Every column participants.csv may have; others are reported and ignored.
pub(crate) const PARTICIPANT_COLUMNS: &[&str] = &[
    "participant_id",
    "pilot_id",
    "gender",
    "ethnicity",
    "age",
    "imd_decile",
    "area",
    "referral_date",
    "end_date",
    "treatment_sessions",
    "problem_descriptor",
    "referral_source",
];

impl ParticipantColumns {
    pub(crate) fn new(headers: &[String], file: &str) -> Result<ParticipantColumns> {
        let columns = Columns::new(headers, file, &["participant_id", "pilot_id"])?;
        Ok(ParticipantColumns {
            id: columns.index("participant_id").unwrap_or(0),
            pilot: columns.index("pilot_id").unwrap_or(0),
            gender: columns.index("gender"),
            ethnicity: columns.index("ethnicity"),
            age: columns.index("age"),
            imd_decile: columns.index("imd_decile"),
            area: columns.index("area"),
            referral_date: columns.index("referral_date"),
            end_date: columns.index("end_date"),
            sessions: columns.index("treatment_sessions"),
            problem: columns.index("problem_descriptor"),
            referral_source: columns.index("referral_source"),
            width: headers.len(),
        })
    }

    /// The participant id cell as written, if any.
    pub(crate) fn id_cell<'a>(&self, fields: &'a Row) -> Option<&'a str> {
        cell(fields, Some(self.id))
    }

    /// Validates every cell of a participant row. The pilot and duplicate checks are the
    /// loader's.
    ///
    /// A cell is not a person: an invalid age, IMD decile or referral date (fields that
    /// only feed breakdowns) leaves that field unknown and is returned in `blanked`, to be
    /// listed as a warning. Only cells the outcomes depend on (the ids, end date, sessions,
    /// problem descriptor) reject the row.
    pub(crate) fn participant(
        &self,
        fields: &Row,
        format: DateFormat,
        shared: &mut SharedText,
        blanked: &mut Vec<RowProblem>,
    ) -> Result<Participant, RowProblem> {
        field_count(fields, self.width)?;
        let participant_id = identifier("participant_id", cell(fields, Some(self.id)))?;
        let pilot_id = shared.get(identifier_str("pilot_id", cell(fields, Some(self.pilot)))?);
        let mut optional = |checked: Option<Result<u32, RowProblem>>| match checked {
            Some(Ok(v)) => Some(v),
            Some(Err(problem)) => {
                blanked.push(problem);
                None
            }
            None => None,
        };
        let age = optional(cell(fields, self.age).map(|t| whole_number("age", t, 0, 120))).map(|v| v as u8);
        let imd_decile =
            optional(cell(fields, self.imd_decile).map(|t| whole_number("imd_decile", t, 1, 10)))
                .map(|v| v as u8);
        let referral_date = match cell(fields, self.referral_date).map(|t| date("referral_date", t, format)) {
            Some(Ok(d)) => Some(d),
            Some(Err(problem)) => {
                blanked.push(problem);
                None
            }
            None => None,
        };
        let end_date = cell(fields, self.end_date).map(|t| date("end_date", t, format)).transpose()?;
        if let (Some(start), Some(end)) = (referral_date, end_date) {
            if end < start {
                return Err(RowProblem::cell(
                    "end_date",
                    &end.to_string(),
                    format!("end_date {end} is before referral_date {start}"),
                ));
            }
        }
        let treatment_sessions = cell(fields, self.sessions)
            .map(|t| whole_number("treatment_sessions", t, 0, 1000))
            .transpose()?;
        let problem_descriptor = match cell(fields, self.problem) {
            Some(t) => Some(icd10(t).map(|code| shared.get(&code)).ok_or_else(|| {
                RowProblem::cell(
                    "problem_descriptor",
                    t,
                    format!("problem_descriptor '{t}' is not an ICD-10 code such as F41.1"),
                )
            })?),
            None => None,
        };
        let gender = bounded_text("gender", cell(fields, self.gender))?;
        let ethnicity = bounded_text("ethnicity", cell(fields, self.ethnicity))?;
        let area = bounded_text("area", cell(fields, self.area))?;
        let referral_source = bounded_text("referral_source", cell(fields, self.referral_source))?;
        let mut text = |t: Option<&str>| t.map(|t| shared.get(t));
        Ok(Participant {
            participant_id,
            pilot_id,
            gender: text(gender),
            ethnicity: text(ethnicity),
            age,
            imd_decile,
            area: text(area),
            referral_date,
            end_date,
            treatment_sessions,
            problem_descriptor,
            referral_source: text(referral_source),
        })
    }
}

/// A row with more or fewer cells than the header cannot be trusted: its values may sit
/// under the wrong columns.
pub(crate) fn field_count(fields: &Row, width: usize) -> Result<(), RowProblem> {
    if fields.len() == width {
        return Ok(());
    }
    // Trailing empty cells beyond the header are harmless (some exporters add a comma).
    if fields.len() > width && fields.iter().skip(width).all(|f| f.trim().is_empty()) {
        return Ok(());
    }
    Err(RowProblem::row(format!(
        "the row has {} fields but the header has {width}; check for an unquoted comma or a missing cell",
        fields.len()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_as_typed() {
        assert_eq!(number("score", "007").unwrap(), 7.0);
        assert_eq!(number("score", "-0").unwrap(), 0.0);
        assert!(number("score", "-0").unwrap().is_sign_positive());
        assert_eq!(number("score", "12.5").unwrap(), 12.5);
        // Whole numbers take a direct path up to nine digits, the general one beyond.
        assert_eq!(number("score", "0").unwrap(), 0.0);
        assert_eq!(number("score", "123456789").unwrap(), 123_456_789.0);
        assert_eq!(number("score", "12345678901").unwrap(), 12_345_678_901.0);
        for bad in ["1,5", "NaN", "inf", "1e309", "abc", "0x10", " ", "1_000"] {
            assert!(number("score", bad).is_err(), "{bad}");
        }
        assert_eq!(
            number("score", "1,5").unwrap_err().reason,
            "score '1,5' is not a number: use a point for decimals and no thousands separators"
        );
        assert_eq!(number("score", "1e309").unwrap_err().reason, "score '1e309' is too large to be a score");
        assert_eq!(number("score", "NaN").unwrap_err().reason, "score 'NaN' is not a number");
    }

    #[test]
    fn icd10_codes_are_normalised() {
        assert_eq!(icd10("f41.1").as_deref(), Some("F41.1"));
        assert_eq!(icd10("F411").as_deref(), Some("F41.1"));
        assert_eq!(icd10("F32").as_deref(), Some("F32"));
        // Codes already in the normal form are kept as written, without a copy.
        assert!(matches!(icd10("F41.12"), Some(Cow::Borrowed("F41.12"))));
        assert_eq!(icd10("F41.").as_deref(), Some("F41"));
        assert_eq!(icd10("f41.12x"), None);
        assert_eq!(icd10("anxiety"), None);
        assert_eq!(icd10("41.1"), None);
    }

    #[test]
    fn identifiers_are_bounded() {
        assert!(identifier("participant_id", Some(&"x".repeat(10_000))).is_err());
        assert_eq!(
            identifier("participant_id", None).unwrap_err().reason,
            "participant_id is empty; every row needs one"
        );
    }

    #[test]
    fn whole_numbers_have_ranges() {
        assert_eq!(whole_number("age", "34", 0, 120).unwrap(), 34);
        assert_eq!(whole_number("age", "134", 0, 120).unwrap_err().reason, "age 134 is outside 0-120");
        assert_eq!(whole_number("age", "34.5", 0, 120).unwrap_err().reason, "age must be a whole number");
    }
}
