//! polars frames (and Parquet files through them) as a row source: every column turned
//! into text once, so the same validators check them as check CSV cells.

use polars::prelude::{Column, DataFrame, DataType};

use crate::date::{Date, DateFormat};
use crate::error::{Error, Result};

use super::table::{Row, RowSource, normalise_header};

/// A polars frame read row by row, every column turned into text once.
pub(crate) struct FrameSource {
    headers: Vec<String>,
    columns: Vec<Vec<Option<String>>>,
    height: usize,
    next: usize,
}

impl FrameSource {
    /// Reads a frame. Native date columns are written in `date_format` so that the row
    /// validators, which parse that format, see them as a CSV cell would look.
    pub(crate) fn new(frame: &DataFrame, label: &str, date_format: DateFormat) -> Result<FrameSource> {
        let bad =
            |e: polars::error::PolarsError| Error::Parquet { file: label.to_string(), reason: e.to_string() };
        let height = frame.height();
        let mut headers = Vec::with_capacity(frame.width());
        let mut columns = Vec::with_capacity(frame.width());
        for column in frame.columns() {
            headers.push(normalise_header(column.name().as_str()));
            columns.push(column_as_text(column, date_format).map_err(bad)?);
        }
        Ok(FrameSource { headers, columns, height, next: 0 })
    }
}

fn column_as_text(
    column: &Column,
    date_format: DateFormat,
) -> polars::error::PolarsResult<Vec<Option<String>>> {
    if column.dtype() == &DataType::Date {
        let days = column.cast(&DataType::Int32)?;
        let days = days.i32()?;
        return Ok(days.iter().map(|d| d.map(|d| format_days(d, date_format))).collect());
    }
    let text = column.cast(&DataType::String)?;
    Ok(text.str()?.iter().map(|s| s.map(str::to_string)).collect())
}

/// Days since 1970-01-01 written in a date format (civil_from_days, H. Hinnant).
fn format_days(days: i32, format: DateFormat) -> String {
    let z = i64::from(days) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    Date::format_parts(year, month, day, format)
}

impl RowSource for FrameSource {
    fn headers(&self) -> &[String] {
        &self.headers
    }

    fn next_row(&mut self, fields: &mut Row) -> Result<bool> {
        if self.next >= self.height {
            return Ok(false);
        }
        fields.clear();
        for column in &self.columns {
            fields.push_field(column.get(self.next).and_then(Option::as_deref).unwrap_or(""));
        }
        self.next += 1;
        Ok(true)
    }

    fn warnings(&self) -> &[String] {
        &[]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_dates_follow_the_declared_format() {
        assert_eq!(format_days(0, DateFormat::Iso), "1970-01-01");
        assert_eq!(format_days(20_200, DateFormat::UK), "22/04/2025");
    }
}
