//! Workbooks (`.xlsx`, `.xlsm`, `.xls`, `.ods`) as row sources.
//!
//! Evaluators keep participants and outcomes in workbooks, and Microsoft Forms exports
//! `.xlsx`. A sheet's rows become rows of text cells, as CSV rows are, so that every
//! validator applies unchanged. Cells typed as dates are written in the date format the
//! file is read with, so a date cell and a date typed as text load alike; each row carries
//! the row number Excel shows.
//!
//! `.xlsx` and `.xlsm` sheets are read by the crate's own reader ([`xlsx`]), several
//! times faster than `calamine` on large sheets; `.xls` and `.ods` (and any `.xlsx` that
//! reader leaves aside) by `calamine`. Both give the same text for the same cell.

#[cfg(test)]
mod agreement;
mod xlsx;

use std::borrow::Cow;
use std::fmt::Write as _;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use calamine::{Data, ExcelDateTime, Range, Reader};

use super::table::{Row, RowSource, normalise_header};
use crate::date::{Date, DateFormat};
use crate::error::{Error, Result};
use xlsx::{XlsxBook, XlsxSheet};

/// Extensions read as workbooks.
const WORKBOOK_EXTENSIONS: [&str; 4] = ["xlsx", "xlsm", "xls", "ods"];

/// Whether a path names a workbook, by its extension.
pub(crate) fn is_workbook(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| WORKBOOK_EXTENSIONS.iter().any(|w| w.eq_ignore_ascii_case(e)))
}

/// Whether a path names an Office Open XML workbook, which the crate's reader takes.
fn is_xlsx(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx") || e.eq_ignore_ascii_case("xlsm"))
}

/// Which reader reads a workbook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Engine {
    /// The crate's reader for `.xlsx` and `.xlsm`, `calamine` for the rest.
    Fast,
    /// `calamine` for every workbook (kept to check the other against).
    #[cfg_attr(not(test), allow(dead_code))]
    Calamine,
}

/// A `calamine` call whose panic on a malformed part (its arithmetic on a sheet's
/// dimensions can overflow) becomes an error: user data never panics the crate.
fn guarded<T>(
    read: impl FnOnce() -> std::result::Result<T, calamine::Error>,
) -> std::result::Result<T, calamine::Error> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(read))
        .unwrap_or(Err(calamine::Error::Msg("a part of the workbook is malformed")))
}

/// An open workbook.
enum Book {
    Xlsx(XlsxBook),
    Calamine(calamine::Sheets<BufReader<File>>),
}

impl Book {
    fn open(path: &Path, engine: Engine) -> std::result::Result<Book, calamine::Error> {
        if engine == Engine::Fast && is_xlsx(path) {
            if let Some(book) = XlsxBook::open(path).map_err(calamine::Error::Xlsx)? {
                return Ok(Book::Xlsx(book));
            }
        }
        Ok(Book::Calamine(guarded(|| calamine::open_workbook_auto(path))?))
    }

    fn sheet_names(&self) -> Vec<String> {
        match self {
            Book::Xlsx(book) => book.sheet_names(),
            Book::Calamine(book) => book.sheet_names(),
        }
    }

    fn read(
        self,
        path: &Path,
        name: &str,
        date_format: DateFormat,
    ) -> std::result::Result<Sheet, calamine::Error> {
        match self {
            Book::Xlsx(book) => match book.read_sheet(name, date_format).map_err(calamine::Error::Xlsx)? {
                Some(sheet) => Ok(Sheet::Xlsx(sheet)),
                None => {
                    Ok(Sheet::range(guarded(|| calamine::open_workbook_auto(path)?.worksheet_range(name))?))
                }
            },
            Book::Calamine(mut book) => Ok(Sheet::range(guarded(|| book.worksheet_range(name))?)),
        }
    }
}

/// A sheet read, its rows handed out in order.
enum Sheet {
    Xlsx(XlsxSheet),
    Calamine {
        range: Range<Data>,
        /// The index in `range` of the next row to hand out.
        next: usize,
    },
}

impl Sheet {
    fn range(range: Range<Data>) -> Sheet {
        Sheet::Calamine { range, next: 0 }
    }

    /// The 0-based row of the sheet's first row (the header); `None` for an empty sheet.
    fn first_row(&self) -> Option<u32> {
        match self {
            Sheet::Xlsx(sheet) => sheet.first_row(),
            Sheet::Calamine { range, .. } => range.start().map(|(row, _)| row),
        }
    }

    /// Fills `fields` with the next row; returns its 0-based row, or `None` at the end.
    fn next_row(&mut self, fields: &mut Row, date_format: DateFormat, text: &mut String) -> Option<u32> {
        match self {
            Sheet::Xlsx(sheet) => sheet.next_row(fields),
            Sheet::Calamine { range, next } => {
                let (height, width) = range.get_size();
                let start = range.start()?.0;
                if *next >= height {
                    return None;
                }
                // Cells by position: walking the range's row iterator to row n would cost
                // n steps.
                fields.clear();
                for column in 0..width {
                    text.clear();
                    if let Some(cell) = range.get((*next, column)) {
                        cell_text(cell, date_format, text);
                    }
                    fields.push_field(text);
                }
                let row = start + *next as u32;
                *next += 1;
                Some(row)
            }
        }
    }
}

/// One sheet of a workbook, read row by row.
pub(crate) struct WorkbookSource {
    sheet: Sheet,
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
        WorkbookSource::open_with(path, sheet, label, date_format, normalise, Engine::Fast)
    }

    /// [`WorkbookSource::open`] with the reader to read it with.
    pub(crate) fn open_with(
        path: &Path,
        sheet: Option<&str>,
        label: &str,
        date_format: DateFormat,
        normalise: bool,
        engine: Engine,
    ) -> Result<WorkbookSource> {
        let not_a_table = |reason: String| Error::NotATable { file: label.to_string(), reason };
        let unreadable =
            |what: String, source: calamine::Error| Error::Workbook { file: label.to_string(), what, source };
        let book =
            Book::open(path, engine).map_err(|e| unreadable("cannot read the workbook".to_string(), e))?;
        let names = book.sheet_names();
        let mut warnings = Vec::new();
        let name = match sheet {
            Some(name) => {
                if !names.iter().any(|n| n == name) {
                    return Err(not_a_table(format!(
                        "the workbook has no sheet '{name}'; its sheets are: {}",
                        names.join(", ")
                    )));
                }
                name
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
                first
            }
        };
        let sheet = book
            .read(path, name, date_format)
            .map_err(|e| unreadable(format!("cannot read sheet '{name}'"), e))?;
        if sheet.first_row().is_none() {
            return Err(not_a_table("the sheet is empty: expected a header row and data rows".to_string()));
        }
        let mut source =
            WorkbookSource { sheet, headers: Vec::new(), warnings, date_format, text: String::new() };
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
        let Some(row) = self.sheet.next_row(fields, self.date_format, &mut self.text) else {
            return Ok(false);
        };
        // The row Excel shows travels with the row, as a CSV row's does.
        let mut position = csv::Position::new();
        position.set_line(u64::from(row) + 1);
        fields.set_position(Some(position));
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
        Data::DateTime(d) if d.is_datetime() => {
            out.push_str(&excel_date_text(d, format));
            Ok(())
        }
        Data::DateTime(d) => write!(out, "{}", d.as_f64()),
        Data::DateTimeIso(s) => {
            out.push_str(&iso_date_text(s, format));
            Ok(())
        }
        Data::DurationIso(s) => {
            out.push_str(s);
            Ok(())
        }
        Data::Error(e) => write!(out, "{e}"),
    };
}

/// The date as Excel shows it: the local date the cell holds, no time zone.
fn excel_date_text(date: &ExcelDateTime, format: DateFormat) -> String {
    let (year, month, day, ..) = date.to_ymd_hms_milli();
    Date::format_parts(year.into(), month.into(), day.into(), format)
}

/// An ISO date or time stamp (`2025-04-01` or `2025-04-01T20:16:21`, as OpenDocument
/// writes them) as its date in `format`; anything else as written.
fn iso_date_text(text: &str, format: DateFormat) -> Cow<'_, str> {
    match Date::parse(text.get(..10).unwrap_or(text), DateFormat::Iso) {
        Ok(date) => Cow::Owned(date.format(format)),
        Err(_) => Cow::Borrowed(text),
    }
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
