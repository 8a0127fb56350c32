//! Workbooks (`.xlsx`, `.xlsm`, `.xls`, `.ods`) as row sources, through `calamine`.
//!
//! Evaluators keep participants and outcomes in workbooks, and Microsoft Forms exports
//! `.xlsx`. A sheet's rows become rows of text cells, as CSV rows are, so that every
//! validator applies unchanged. Cells typed as dates are written in the date format the
//! file is read with, so a date cell and a date typed as text load alike; each row carries
//! the row number Excel shows.

use std::fmt::Write as _;
use std::path::Path;

use calamine::{Data, Range, Reader};

use super::table::{Row, RowSource, normalise_header};
use crate::date::{Date, DateFormat};
use crate::error::{Error, Result};

/// Extensions read as workbooks.
const WORKBOOK_EXTENSIONS: [&str; 4] = ["xlsx", "xlsm", "xls", "ods"];

/// Whether a path names a workbook, by its extension.
pub(crate) fn is_workbook(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| WORKBOOK_EXTENSIONS.iter().any(|w| w.eq_ignore_ascii_case(e)))
}

/// One sheet of a workbook, read row by row.
pub(crate) struct WorkbookSource {
    range: Range<Data>,
    /// The index in `range` of the next row to hand out.
    next: usize,
    /// The Excel row number of the range's first row (the header).
    first_row: u64,
    headers: Vec<String>,
    warnings: Vec<String>,
    date_format: DateFormat,
    text: String,
}

impl WorkbookSource {
    /// Opens `path` and reads `sheet` (the first sheet when `None`). Headers are
    /// normalised (trimmed, lower case) for canonical tables, or kept as written for
    /// survey exports. Date cells are written in `date_format`.
    pub(crate) fn open(
        path: &Path,
        sheet: Option<&str>,
        label: &str,
        date_format: DateFormat,
        normalise: bool,
    ) -> Result<WorkbookSource> {
        let not_a_table = |reason: String| Error::NotATable { file: label.to_string(), reason };
        let unreadable =
            |what: String, source: calamine::Error| Error::Workbook { file: label.to_string(), what, source };
        let mut book = calamine::open_workbook_auto(path)
            .map_err(|e| unreadable("cannot read the workbook".to_string(), e))?;
        let names = book.sheet_names();
        let mut warnings = Vec::new();
        let range = match sheet {
            Some(name) => {
                if !names.iter().any(|n| n == name) {
                    return Err(not_a_table(format!(
                        "the workbook has no sheet '{name}'; its sheets are: {}",
                        names.join(", ")
                    )));
                }
                book.worksheet_range(name)
                    .map_err(|e| unreadable(format!("cannot read sheet '{name}'"), e))?
            }
            None => {
                let first =
                    names.first().ok_or_else(|| not_a_table("the workbook has no sheets".to_string()))?;
                if names.len() > 1 {
                    warnings.push(format!(
                        "{label}: read sheet '{first}', the first of {}: {}; name another with sheet = \"...\"",
                        names.len(),
                        names.join(", ")
                    ));
                }
                book.worksheet_range(first)
                    .map_err(|e| unreadable(format!("cannot read sheet '{first}'"), e))?
            }
        };
        let Some((start_row, _)) = range.start() else {
            return Err(not_a_table("the sheet is empty: expected a header row and data rows".to_string()));
        };
        let mut source = WorkbookSource {
            range,
            next: 0,
            first_row: u64::from(start_row) + 1,
            headers: Vec::new(),
            warnings,
            date_format,
            text: String::new(),
        };
        let mut header = Row::new();
        if !source.next_row(&mut header)? {
            return Err(not_a_table("the sheet has no header row".to_string()));
        }
        source.headers = header
            .iter()
            .map(|h| if normalise { normalise_header(h) } else { h.trim().to_string() })
            .collect();
        Ok(source)
    }
}

impl RowSource for WorkbookSource {
    fn headers(&self) -> &[String] {
        &self.headers
    }

    fn next_row(&mut self, fields: &mut Row) -> Result<bool> {
        let (height, width) = self.range.get_size();
        if self.next >= height {
            return Ok(false);
        }
        // Cells by position: walking the range's row iterator to row n would cost n steps.
        fields.clear();
        for column in 0..width {
            self.text.clear();
            if let Some(cell) = self.range.get((self.next, column)) {
                cell_text(cell, self.date_format, &mut self.text);
            }
            fields.push_field(&self.text);
        }
        // The row Excel shows travels with the row, as a CSV row's does.
        let mut position = csv::Position::new();
        position.set_line(self.first_row + self.next as u64);
        fields.set_position(Some(position));
        self.next += 1;
        Ok(true)
    }

    fn warnings(&self) -> &[String] {
        &self.warnings
    }
}

/// A sheet read whole: its normalised headers and its (Excel row, cells) rows.
pub(crate) type SheetTable = (Vec<String>, Vec<(u64, Row)>);

/// A workbook's first sheet as normalised headers and (Excel row, cells) rows, for the
/// small tables read whole (activities).
pub(crate) fn workbook_rows(path: &Path, label: &str, date_format: DateFormat) -> Result<SheetTable> {
    let mut source = WorkbookSource::open(path, None, label, date_format, true)?;
    let mut rows = Vec::new();
    let mut row = Row::new();
    while source.next_row(&mut row)? {
        let number = row.position().map_or(rows.len() as u64 + 2, |p| p.line());
        rows.push((number, row.clone()));
    }
    Ok((source.headers().to_vec(), rows))
}

/// A cell as the text a CSV export of it would hold; dates in `format`.
fn cell_text(cell: &Data, format: DateFormat, out: &mut String) {
    let _ = match cell {
        Data::Empty => Ok(()),
        Data::String(s) => {
            out.push_str(s);
            Ok(())
        }
        Data::Int(i) => write!(out, "{i}"),
        // `34.0` is written `34`, as Excel shows it.
        Data::Float(f) => write!(out, "{f}"),
        Data::Bool(b) => write!(out, "{}", if *b { "TRUE" } else { "FALSE" }),
        // The date as Excel shows it: the local date the cell holds, no time zone.
        Data::DateTime(d) if d.is_datetime() => {
            let (year, month, day, ..) = d.to_ymd_hms_milli();
            out.push_str(&Date::format_parts(year.into(), month.into(), day.into(), format));
            Ok(())
        }
        Data::DateTime(d) => write!(out, "{}", d.as_f64()),
        // OpenDocument dates are ISO text (`2025-04-01` or `2025-04-01T20:16:21`).
        Data::DateTimeIso(s) => match Date::parse(s.get(..10).unwrap_or(s), DateFormat::Iso) {
            Ok(date) => {
                out.push_str(&date.format(format));
                Ok(())
            }
            Err(_) => {
                out.push_str(s);
                Ok(())
            }
        },
        Data::DurationIso(s) => {
            out.push_str(s);
            Ok(())
        }
        Data::Error(e) => write!(out, "{e}"),
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{ExcelDateTime, ExcelDateTimeType};

    #[test]
    fn cells_read_as_a_csv_export_would_hold_them() {
        let text = |cell: Data, format| {
            let mut out = String::new();
            cell_text(&cell, format, &mut out);
            out
        };
        assert_eq!(text(Data::Float(34.0), DateFormat::Iso), "34");
        assert_eq!(text(Data::Float(2.5), DateFormat::Iso), "2.5");
        assert_eq!(text(Data::Int(7), DateFormat::Iso), "7");
        // 45748.845 is 2025-04-01 20:16:48 in Excel's 1900 system.
        let stamp = Data::DateTime(ExcelDateTime::new(45748.845, ExcelDateTimeType::DateTime, false));
        assert_eq!(text(stamp.clone(), DateFormat::Iso), "2025-04-01");
        assert_eq!(text(stamp, DateFormat::UK), "01/04/2025");
        assert_eq!(text(Data::DateTimeIso("2025-04-01T20:16:21".into()), DateFormat::UK), "01/04/2025");
        assert_eq!(text(Data::Error(calamine::CellErrorType::Div0), DateFormat::Iso), "#DIV/0!");
        assert!(is_workbook(Path::new("a/B.XLSX")) && is_workbook(Path::new("x.ods")));
        assert!(!is_workbook(Path::new("x.csv")));
    }
}
