//! polars frames (and Parquet files through them) as a row source: each row's cells
//! written out as text as the row is read, so the same validators check them as check
//! CSV cells.

use polars::prelude::{Column, DataFrame, DataType, Int32Chunked, StringChunked};

use crate::date::{Date, DateFormat};
use crate::error::{Error, Result};

use super::table::{Row, RowSource, normalise_header};

/// A polars frame read row by row. Columns stay in polars' own form (text columns as
/// one array each, dates as day numbers); no copy of the table as strings is made, so a
/// frame costs little more than polars itself holds.
pub(crate) struct FrameSource {
    headers: Vec<String>,
    columns: Vec<FrameColumn>,
    height: usize,
    next: usize,
    date_format: DateFormat,
}

enum FrameColumn {
    Text(StringChunked),
    /// A native date column, written in the declared date format.
    Days(Int32Chunked),
}

impl FrameSource {
    /// Reads a frame. Native date columns are written in `date_format` so that the row
    /// validators, which parse that format, see them as a CSV cell would look.
    pub(crate) fn new(frame: &DataFrame, label: &str, date_format: DateFormat) -> Result<FrameSource> {
        let bad =
            |e: polars::error::PolarsError| Error::Parquet { file: label.to_string(), source: Box::new(e) };
        let height = frame.height();
        let mut headers = Vec::with_capacity(frame.width());
        let mut columns = Vec::with_capacity(frame.width());
        for column in frame.columns() {
            headers.push(normalise_header(column.name().as_str()));
            columns.push(FrameColumn::new(column).map_err(bad)?);
        }
        Ok(FrameSource { headers, columns, height, next: 0, date_format })
    }
}

impl FrameColumn {
    /// One chunk per column, so that a row's cell is found by index at once.
    fn new(column: &Column) -> polars::error::PolarsResult<FrameColumn> {
        if column.dtype() == &DataType::Date {
            let days = column.cast(&DataType::Int32)?.rechunk();
            return Ok(FrameColumn::Days(days.i32()?.clone()));
        }
        let text = column.cast(&DataType::String)?.rechunk();
        Ok(FrameColumn::Text(text.str()?.clone()))
    }
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
            match column {
                FrameColumn::Text(text) => fields.push_field(text.get(self.next).unwrap_or("")),
                FrameColumn::Days(days) => match days.get(self.next) {
                    Some(d) => fields.push_field(&format_days(d, self.date_format)),
                    None => fields.push_field(""),
                },
            }
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
