//! The crate's one error type.
//!
//! Data errors carry where they happened: the file, the 1-based data row (the header is not
//! counted), the column and the offending value, so a message can be acted on without
//! opening a debugger. Rejected rows are not errors: they go to [`crate::Rejects`] and the
//! load goes on. An [`Error`] means a whole input or parameter cannot be used.

use std::fmt;
use std::path::PathBuf;

/// Where in an input a problem was found. Every part is optional because not every input
/// has rows or columns (a plan file has lines, a parameter has neither).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct Location {
    /// The file (as given by the user, or a label such as `"<memory>"`).
    pub file: Option<String>,
    /// 1-based data row, header excluded; for TOML files, the 1-based line.
    pub row: Option<u64>,
    /// The column (header) or key.
    pub column: Option<String>,
    /// The offending value, as read.
    pub value: Option<String>,
}

impl Location {
    /// A location in a file.
    pub fn file(file: impl Into<String>) -> Location {
        Location { file: Some(file.into()), ..Location::default() }
    }

    /// The same location at a data row.
    pub fn row(mut self, row: u64) -> Location {
        self.row = Some(row);
        self
    }

    /// The same location at a column or key.
    pub fn column(mut self, column: impl Into<String>) -> Location {
        self.column = Some(column.into());
        self
    }

    /// The same location with the offending value.
    pub fn value(mut self, value: impl Into<String>) -> Location {
        self.value = Some(value.into());
        self
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(file) = &self.file {
            parts.push(file.clone());
        }
        if let Some(row) = self.row {
            parts.push(format!("row {row}"));
        }
        if let Some(column) = &self.column {
            parts.push(format!("column '{column}'"));
        }
        if let Some(value) = &self.value {
            parts.push(format!("value '{}'", shorten(value)));
        }
        if parts.is_empty() { f.write_str("<input>") } else { f.write_str(&parts.join(", ")) }
    }
}

/// Values are echoed in messages; a 50 MB cell must not become a 50 MB message.
fn shorten(value: &str) -> String {
    const MAX: usize = 60;
    if value.chars().count() <= MAX {
        value.to_string()
    } else {
        let head: String = value.chars().take(MAX).collect();
        format!("{head}... ({} characters)", value.chars().count())
    }
}

/// Everything that can stop a load, a calculation or a report.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be opened, read or written.
    #[error("cannot {action} '{path}': {source}")]
    Io {
        /// What was being done ("read", "write", "create folder").
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// A report cannot be written where asked, and nothing was written.
    #[error("cannot write the report to '{path}': {reason}")]
    Output {
        /// The output folder.
        path: PathBuf,
        /// Why, and what to do.
        reason: String,
    },
    /// A required column is absent from a table's header.
    #[error("{file}: required column '{column}' is missing (columns found: {found})")]
    MissingColumn {
        /// The file.
        file: String,
        /// The missing column.
        column: String,
        /// The header that was found, comma separated.
        found: String,
    },
    /// The input is not a table this crate can read (empty, no header, binary, not CSV).
    #[error("{file}: {reason}")]
    NotATable {
        /// The file.
        file: String,
        /// What is wrong, in words a user can act on.
        reason: String,
    },
    /// A Parquet file or polars frame could not be read.
    #[error("{file}: cannot read as Parquet: {source}")]
    Parquet {
        /// The file.
        file: String,
        /// The reader's error (polars'), or why this build cannot read Parquet.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A CSV table could not be read or written.
    #[error("{file}: {what}: {source}")]
    Csv {
        /// The file.
        file: String,
        /// What was being done ("cannot read data row 12").
        what: String,
        /// The CSV library's error.
        #[source]
        source: csv::Error,
    },
    /// A workbook (`.xlsx`, `.xlsm`, `.xls`, `.ods`) or one of its sheets could not be read.
    #[error("{file}: {what}: {source}")]
    Workbook {
        /// The file.
        file: String,
        /// What was being done ("cannot read sheet 'Scores'").
        what: String,
        /// The workbook reader's error.
        #[source]
        source: calamine::Error,
    },
    /// A chart could not be drawn or encoded.
    #[error("chart: {source}")]
    Render {
        /// The drawing library's or image encoder's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A value in a data file or configuration file is invalid, with where it was found.
    #[error("{location}: {reason}")]
    InvalidData {
        /// File, row or line, column or key, value.
        location: Location,
        /// Why the value is invalid.
        reason: String,
    },
    /// A TOML file (plan, impact map, instrument, schedule) could not be parsed.
    #[error("{file}: {reason}")]
    Toml {
        /// The file.
        file: String,
        /// The parser's message, which names the line and key.
        reason: String,
    },
    /// A survey export's settings in the plan (its `[[data.survey]]` block) do not fit the
    /// export or each other: the block must be mended, not the export.
    #[error("{file}: the plan's [[data.survey]] block for this export: {setting}: {reason}")]
    SurveySettings {
        /// The survey export the block describes.
        file: String,
        /// The setting at fault (`pilot`, `date`, `positions`, `instruments`).
        setting: String,
        /// What is wrong and how to mend it.
        reason: String,
    },
    /// A parameter passed to a constructor or calculation is out of its domain.
    #[error("invalid {name} = {value}: {reason}")]
    InvalidParameter {
        /// The parameter.
        name: &'static str,
        /// Its value, as text.
        value: String,
        /// The rule it breaks.
        reason: &'static str,
    },
    /// A required input has no accepted rows: nothing can be evaluated from it.
    #[error("{file}: {what}; {fix}")]
    NoAcceptedRows {
        /// The file.
        file: String,
        /// What was read ("none of its 30 rows was accepted").
        what: String,
        /// The one most useful fix, from its rejects.
        fix: String,
    },
    /// A calculation needs more data than it was given.
    #[error("not enough data for {what}: need at least {needed}, have {available}")]
    NotEnoughData {
        /// The calculation.
        what: &'static str,
        /// The minimum number of observations.
        needed: usize,
        /// The number available.
        available: usize,
    },
    /// The data would need more memory than the evaluation may use: found before any row
    /// is read, so the run stops at once instead of being killed part way.
    #[error(
        "{files}: {} of data (about {rows} rows) need about {} of memory to evaluate, over the limit of {} ({limit_source}); split the data by pilot or period, or raise the limit (coprod run --memory-limit)",
        human_bytes(.bytes), human_bytes(.needed), human_bytes(.limit)
    )]
    TooLarge {
        /// The input files.
        files: String,
        /// Their size.
        bytes: u64,
        /// The rows they hold (estimated for CSV from the first lines).
        rows: u64,
        /// The estimated peak memory.
        needed: u64,
        /// The limit.
        limit: u64,
        /// Where the limit came from ("set by --memory-limit", "memory available").
        limit_source: &'static str,
    },
    /// The figures cannot be published under the disclosure rule: a small count would be
    /// readable, or computable from the published totals, whatever else is hidden. Nothing
    /// is written.
    #[error("disclosure control: {0}")]
    Disclosure(String),
    /// A name (instrument, pilot, metric, deflator year...) is not known.
    #[error("unknown {kind} '{name}'{hint}")]
    Unknown {
        /// What kind of name ("instrument", "pilot", "metric").
        kind: &'static str,
        /// The name that was given.
        name: String,
        /// A suggestion such as ", did you mean 'phq9'?", or empty.
        hint: String,
    },
}

impl Error {
    /// The broad category, for callers (such as a CLI) that map errors to exit codes.
    pub fn category(&self) -> ErrorCategory {
        match self {
            Error::Io { .. } => ErrorCategory::Io,
            Error::MissingColumn { .. }
            | Error::NotATable { .. }
            | Error::Parquet { .. }
            | Error::Csv { .. }
            | Error::Workbook { .. }
            | Error::InvalidData { .. }
            | Error::NotEnoughData { .. }
            | Error::NoAcceptedRows { .. }
            | Error::TooLarge { .. }
            | Error::Disclosure(_) => ErrorCategory::Data,
            Error::Toml { .. }
            | Error::SurveySettings { .. }
            | Error::InvalidParameter { .. }
            | Error::Unknown { .. }
            | Error::Output { .. } => ErrorCategory::Configuration,
            Error::Render { .. } => ErrorCategory::Io,
        }
    }

    pub(crate) fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io { action, path: path.into(), source }
    }

    pub(crate) fn invalid(location: Location, reason: impl Into<String>) -> Error {
        Error::InvalidData { location, reason: reason.into() }
    }
}

/// Bytes for a person: "620 MB", "1.4 GB".
fn human_bytes(bytes: &u64) -> String {
    let b = *bytes as f64;
    if b >= 1e9 {
        format!("{:.1} GB", b / 1e9)
    } else if b >= 1e6 {
        format!("{:.0} MB", b / 1e6)
    } else {
        format!("{:.0} kB", b / 1e3)
    }
}

/// Broad kinds of [`Error`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorCategory {
    /// Files could not be read or written.
    Io,
    /// The data cannot be evaluated.
    Data,
    /// A plan, map, instrument file or parameter is wrong.
    Configuration,
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_names_every_part() {
        let loc = Location::file("outcomes.csv").row(3).column("score").value("abc");
        assert_eq!(loc.to_string(), "outcomes.csv, row 3, column 'score', value 'abc'");
    }

    #[test]
    fn long_values_are_shortened_in_messages() {
        let long = "x".repeat(10_000);
        let msg = Location::file("f.csv").value(long).to_string();
        assert!(msg.len() < 120, "{msg}");
        assert!(msg.contains("10000 characters"));
    }

    #[test]
    fn messages_are_actionable() {
        let e = Error::MissingColumn {
            file: "p.csv".into(),
            column: "pilot_id".into(),
            found: "participant_id, age".into(),
        };
        assert_eq!(
            e.to_string(),
            "p.csv: required column 'pilot_id' is missing (columns found: participant_id, age)"
        );
        assert_eq!(e.category(), ErrorCategory::Data);
        let e = Error::InvalidParameter { name: "rate", value: "-2".into(), reason: "must be above -1" };
        assert_eq!(e.to_string(), "invalid rate = -2: must be above -1");
        let e =
            Error::Unknown { kind: "instrument", name: "phq".into(), hint: ", did you mean 'phq9'?".into() };
        assert_eq!(e.to_string(), "unknown instrument 'phq', did you mean 'phq9'?");
        assert_eq!(e.category(), ErrorCategory::Configuration);
    }
}
