//! The log of rows that could not be accepted, and per-file accounting.

use serde::Serialize;

/// One rejected row: where it was and why it was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Reject {
    /// The file, as named in the plan.
    pub file: String,
    /// The row as a spreadsheet shows it: the header is row 1 and the first data row 2;
    /// blank lines count, line breaks inside a cell do not. For Parquet files and frames,
    /// which have no header row, the 1-based data row.
    pub row: u64,
    /// The column at fault, when one cell is to blame.
    pub column: Option<String>,
    /// The offending value, as read (shortened when very long).
    pub value: Option<String>,
    /// Why the row was refused, in words an evaluator can act on.
    pub reason: String,
}

/// Rows read, accepted and rejected for one input file.
///
/// Invariant, always: `rows_read == rows_accepted + rows_rejected`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct FileSummary {
    /// The file, as named in the plan.
    pub file: String,
    /// Data rows read (header excluded, blank lines and blank rows skipped).
    pub rows_read: u64,
    /// Rows that entered the analysis.
    pub rows_accepted: u64,
    /// Rows listed in the [`Rejects`] log.
    pub rows_rejected: u64,
    /// Rows whose every cell is empty (left where a spreadsheet's rows were cleared):
    /// neither read nor rejected.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub rows_blank: u64,
    /// Cells of accepted rows set to unknown because their value was invalid for an
    /// optional field (each listed as a warning).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub cells_blanked: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// Every rejected row of a load, in file then row order. A row appears once, with the
/// first problem found in it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Rejects {
    entries: Vec<Reject>,
}

/// Cells are echoed into `rejects.csv` and reports; a 50 MB cell is cut to something a
/// person can read.
const MAX_VALUE_CHARS: usize = 200;

impl Rejects {
    /// An empty log.
    pub fn new() -> Rejects {
        Rejects::default()
    }

    /// Records a rejected row.
    pub fn push(
        &mut self,
        file: &str,
        row: u64,
        column: Option<&str>,
        value: Option<&str>,
        reason: impl Into<String>,
    ) {
        let value = value.map(|v| {
            if v.chars().count() > MAX_VALUE_CHARS {
                let head: String = v.chars().take(MAX_VALUE_CHARS).collect();
                format!("{head}... ({} characters)", v.chars().count())
            } else {
                v.to_string()
            }
        });
        self.entries.push(Reject {
            file: file.to_string(),
            row,
            column: column.map(str::to_string),
            value,
            reason: reason.into(),
        });
    }

    /// The same log with each file name rewritten (to a path relative to the plan).
    pub(crate) fn with_files(&self, rename: impl Fn(&str) -> String) -> Rejects {
        let mut out = self.clone();
        for r in &mut out.entries {
            r.file = rename(&r.file);
        }
        out
    }

    /// Moves every entry of `other` to the end of this log.
    pub(crate) fn append(&mut self, mut other: Rejects) {
        self.entries.append(&mut other.entries);
    }

    /// Puts the entries from `start` on in row order (stable), after checks that run once
    /// a whole file is read have added theirs.
    pub(crate) fn sort_rows_from(&mut self, start: usize) {
        if let Some(tail) = self.entries.get_mut(start..) {
            tail.sort_by_key(|r| r.row);
        }
    }

    /// The rejected rows.
    pub fn entries(&self) -> &[Reject] {
        &self.entries
    }

    /// How many rows were rejected in all.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when no row was rejected.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The rejected rows of one file.
    pub fn in_file<'a>(&'a self, file: &'a str) -> impl Iterator<Item = &'a Reject> + 'a {
        self.entries.iter().filter(move |r| r.file == file)
    }

    /// Counts of rejected rows by reason (the reason's text up to the first quote, so
    /// "unknown measure 'phq'" and "unknown measure 'gad'" count together), most common
    /// first.
    pub fn reason_counts(&self) -> Vec<(String, usize)> {
        let mut counts = std::collections::BTreeMap::<String, usize>::new();
        for r in &self.entries {
            let key = r.reason.split('\'').next().unwrap_or(&r.reason).trim().to_string();
            *counts.entry(key).or_default() += 1;
        }
        let mut counts: Vec<_> = counts.into_iter().collect();
        counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        counts
    }

    /// Writes the log as CSV with the columns `file,row,column,value,reason`. Cells that a
    /// spreadsheet would run as a formula are neutralised with a leading apostrophe.
    ///
    /// # Errors
    ///
    /// The CSV writer's error (the writer's own I/O error included).
    pub fn write_csv<W: std::io::Write>(&self, writer: W) -> csv::Result<()> {
        let mut out = csv::Writer::from_writer(writer);
        out.write_record(["file", "row", "column", "value", "reason"])?;
        for r in &self.entries {
            out.write_record([
                neutralise_formula(&r.file).as_ref(),
                r.row.to_string().as_str(),
                neutralise_formula(r.column.as_deref().unwrap_or("")).as_ref(),
                neutralise_formula(r.value.as_deref().unwrap_or("")).as_ref(),
                neutralise_formula(&r.reason).as_ref(),
            ])?;
        }
        out.flush()?;
        Ok(())
    }
}

/// Prefixes `'` to a cell that a spreadsheet would otherwise evaluate (`=`, `+`, `-`,
/// `@`, tab, carriage return), the OWASP advice against CSV formula injection.
pub fn neutralise_formula(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_output_neutralises_formulas() {
        let mut rejects = Rejects::new();
        rejects.push("o.csv", 2, Some("score"), Some("=HYPERLINK(\"x\")"), "not a number");
        let mut buf = Vec::new();
        rejects.write_csv(&mut buf).unwrap();
        let text = String::from_utf8(buf).unwrap();
        assert_eq!(
            text,
            "file,row,column,value,reason\no.csv,2,score,\"'=HYPERLINK(\"\"x\"\")\",not a number\n"
        );
    }

    #[test]
    fn long_values_are_cut() {
        let mut rejects = Rejects::new();
        rejects.push("o.csv", 1, None, Some(&"x".repeat(100_000)), "too long");
        let v = rejects.entries()[0].value.as_deref().unwrap();
        assert!(v.len() < 300 && v.ends_with("(100000 characters)"));
    }

    #[test]
    fn reasons_are_counted_by_kind() {
        let mut rejects = Rejects::new();
        rejects.push("o.csv", 1, None, None, "unknown measure 'phq'");
        rejects.push("o.csv", 2, None, None, "unknown measure 'gad'");
        rejects.push("o.csv", 3, None, None, "missing date");
        assert_eq!(
            rejects.reason_counts(),
            vec![("unknown measure".to_string(), 2), ("missing date".to_string(), 1)]
        );
    }
}
