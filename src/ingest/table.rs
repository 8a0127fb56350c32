//! Row sources: CSV files as evaluators' tools write them, and polars frames (Parquet).
//!
//! Both yield rows of text cells so that one set of validators serves every format: a
//! Parquet file is checked by exactly the rules a CSV file is.

use std::io::{BufRead, BufReader, Read};

use crate::error::{Error, Result};

/// Header names are matched case-insensitively after trimming spaces and a byte-order mark.
pub(crate) fn normalise_header(name: &str) -> String {
    name.trim_start_matches('\u{feff}').trim().to_ascii_lowercase()
}

/// One row's cells as text. The CSV reader's own record type: a row is one buffer with
/// the cell boundaries, checked as UTF-8 once, so reading allocates nothing per cell.
pub(crate) type Row = csv::StringRecord;

/// A table read row by row.
pub(crate) trait RowSource {
    /// The normalised header.
    fn headers(&self) -> &[String];
    /// Fills `fields` with the next row's cells; returns false at the end.
    fn next_row(&mut self, fields: &mut Row) -> Result<bool>;
    /// Things the user should know about how the file was read (encoding, delimiter).
    fn warnings(&self) -> &[String];
}

/// A CSV file read as a stream.
pub(crate) struct CsvSource<R: Read> {
    reader: csv::Reader<R>,
    headers: Vec<String>,
    label: String,
    warnings: Vec<String>,
    warned_encoding: bool,
    row: u64,
    sheet_rows: SheetRows,
}

/// Counts rows as a spreadsheet shows them: the header is row 1 and each record one row,
/// however many line breaks its cells hold. (The reader's own line numbers drift after a
/// quoted line break, so records are counted instead. An empty line, which spreadsheets
/// never write, is skipped by the reader and not counted.)
#[derive(Debug, Clone, Copy)]
pub(crate) struct SheetRows {
    row: u64,
}

impl SheetRows {
    /// After the header record.
    pub(crate) fn after_header() -> SheetRows {
        SheetRows { row: 1 }
    }

    /// The row of the next record read.
    pub(crate) fn next(&mut self) -> u64 {
        self.row += 1;
        self.row
    }
}

/// The row a loader names in rejects: the spreadsheet row CSV rows carry, or for other
/// sources (Parquet, frames) the 1-based data row.
pub(crate) fn row_number(fields: &Row, data_row: u64) -> u64 {
    fields.position().map_or(data_row, |p| p.line())
}

/// Whether every cell of a row is empty: a spreadsheet row that was cleared.
pub(crate) fn is_blank(fields: &Row) -> bool {
    fields.iter().all(|c| c.trim().is_empty())
}

/// How many bytes are looked at to recognise the format before reading.
const SNIFF_BYTES: usize = 64 * 1024;

impl<R: Read> CsvSource<BufReader<R>> {
    pub(crate) fn new(input: R, label: &str) -> Result<Self> {
        CsvSource::open(input, label, true)
    }

    /// Keeps header text as written (trimmed, without a byte-order mark): survey exports
    /// match question text, not column names.
    pub(crate) fn new_raw(input: R, label: &str) -> Result<Self> {
        CsvSource::open(input, label, false)
    }

    fn open(input: R, label: &str, normalise: bool) -> Result<Self> {
        let mut input = BufReader::with_capacity(SNIFF_BYTES, input);
        let start = input.fill_buf().map_err(|e| Error::io("read", label, e))?.to_vec();
        let not_a_table =
            |reason: &str| Error::NotATable { file: label.to_string(), reason: reason.to_string() };
        if start.iter().all(|b| b.is_ascii_whitespace()) {
            return Err(not_a_table("the file is empty: expected a header row and data rows"));
        }
        if start.starts_with(b"PK\x03\x04") {
            return Err(not_a_table(
                "this is a workbook (.xlsx or .ods) or a zip file, not CSV: give it its own extension (.xlsx, .xlsm or .ods) and it is read as a workbook",
            ));
        }
        if start.starts_with(b"PAR1") {
            return Err(not_a_table("this is a Parquet file: declare it with a .parquet name"));
        }
        if start.contains(&0) {
            return Err(not_a_table(
                "the file contains binary data (NUL bytes), not text: export the table as 'CSV UTF-8'",
            ));
        }
        let mut warnings = Vec::new();
        let delimiter = sniff_delimiter(&start);
        if delimiter != b',' {
            warnings.push(format!(
                "{label}: read with '{}' as the delimiter (the header has no commas)",
                if delimiter == b'\t' { "tab".to_string() } else { (delimiter as char).to_string() }
            ));
        }
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .has_headers(false)
            .from_reader(input);
        let mut header = csv::ByteRecord::new();
        let has_header = reader
            .read_byte_record(&mut header)
            .map_err(|e| not_a_table(&format!("cannot read the header: {e}")))?;
        if !has_header {
            return Err(not_a_table("the file has no header row"));
        }
        let mut source = CsvSource {
            reader,
            headers: Vec::new(),
            label: label.to_string(),
            warnings,
            warned_encoding: false,
            row: 0,
            sheet_rows: SheetRows::after_header(),
        };
        let mut names = Vec::with_capacity(header.len());
        for cell in header.iter() {
            let mut text = String::new();
            source.decode(cell, &mut text);
            names.push(if normalise {
                normalise_header(&text)
            } else {
                text.trim_start_matches('\u{feff}').trim().to_string()
            });
        }
        source.headers = names;
        Ok(source)
    }
}

impl<R: Read> CsvSource<R> {
    /// The header, normalised.
    pub(crate) fn headers_of(&self) -> &[String] {
        &self.headers
    }

    /// Decodes a cell. UTF-8 is expected; anything else is taken as Windows-1252, the
    /// encoding Excel uses for "CSV (Comma delimited)", so names such as Zoë survive, and
    /// the user is told once.
    fn decode(&mut self, cell: &[u8], out: &mut String) {
        out.clear();
        match std::str::from_utf8(cell) {
            Ok(text) => out.push_str(text),
            Err(_) => {
                out.extend(cell.iter().map(|&b| windows_1252(b)));
                if !self.warned_encoding {
                    self.warned_encoding = true;
                    self.warnings.push(format!(
                        "{}: not UTF-8; read as Windows-1252 (Excel's 'CSV (Comma delimited)'). Save as 'CSV UTF-8' to be sure names are kept exactly",
                        self.label
                    ));
                }
            }
        }
    }
}

impl<R: Read> RowSource for CsvSource<R> {
    fn headers(&self) -> &[String] {
        &self.headers
    }

    fn next_row(&mut self, fields: &mut Row) -> Result<bool> {
        // The row's buffer is reused: it goes back to bytes, is refilled, and is checked as
        // UTF-8 in one pass (ASCII rows, the usual case, by a single scan).
        let mut record = std::mem::take(fields).into_byte_record();
        let more = self.reader.read_byte_record(&mut record).map_err(|e| Error::Csv {
            file: self.label.clone(),
            what: format!("cannot read data row {}", self.row + 1),
            source: e,
        })?;
        if !more {
            return Ok(false);
        }
        self.row += 1;
        // The record carries its spreadsheet row as its position's line, so the row
        // number travels with it to the checking thread.
        let mut position = csv::Position::new();
        position.set_line(self.sheet_rows.next());
        record.set_position(Some(position.clone()));
        match Row::from_byte_record(record) {
            Ok(row) => *fields = row,
            Err(not_utf8) => {
                let record = not_utf8.into_byte_record();
                fields.set_position(Some(position));
                let mut text = String::new();
                for cell in record.iter() {
                    self.decode(cell, &mut text);
                    fields.push_field(&text);
                }
            }
        }
        Ok(true)
    }

    fn warnings(&self) -> &[String] {
        &self.warnings
    }
}

/// Where a loader's rows come from: a source that can move to other threads, or one
/// that is read where it is (a caller's reader that is not `Send`).
pub(crate) enum Rows<'a> {
    Ahead(&'a mut (dyn RowSource + Send)),
    Here(&'a mut dyn RowSource),
}

impl Rows<'_> {
    pub(crate) fn headers(&self) -> &[String] {
        match self {
            Rows::Ahead(source) => source.headers(),
            Rows::Here(source) => source.headers(),
        }
    }
}

/// Rows per hand-over between the steps of [`check_rows`].
const BATCH_ROWS: usize = 1024;

/// What one step of [`check_rows`] hands to the next: rows (parsed, then checked), or how
/// the file ended.
enum Batch<T> {
    Ready(Vec<T>),
    Failed(Error),
    Done(Vec<String>),
}

/// Reads every row, checks it with `check` and hands the result to `keep`, in file order;
/// returns the source's warnings.
///
/// A loader splits its work in two: `check` turns a row into a typed record or a problem
/// without touching the data set, and `keep` stores it. From a source that can move, the
/// three steps form a pipeline: one thread parses, a second checks and this one stores,
/// passing batches of rows along, so that parsing, checking and storing (where the first
/// touches of new memory are paid) overlap. Results arrive in file order and a failure
/// where it happened: `keep` sees exactly what it would reading the rows itself.
pub(crate) fn check_rows<T: Send>(
    rows: Rows<'_>,
    mut check: impl FnMut(&Row) -> T + Send,
    mut keep: impl FnMut(T),
) -> Result<Vec<String>> {
    let source = match rows {
        Rows::Here(source) => {
            let mut row = Row::new();
            while source.next_row(&mut row)? {
                keep(check(&row));
            }
            return Ok(source.warnings().to_vec());
        }
        Rows::Ahead(source) => source,
    };
    std::thread::scope(|scope| {
        // Each step hands its batch on and gets emptied batches back to refill: the steady
        // state allocates nothing. A send fails only when the next step has stopped (a
        // failure or a panic); then the step stops too.
        let (rows_tx, rows_rx) = std::sync::mpsc::sync_channel::<Batch<Row>>(4);
        let (spent_rows_tx, spent_rows_rx) = std::sync::mpsc::channel::<Vec<Row>>();
        let (checked_tx, checked_rx) = std::sync::mpsc::sync_channel::<Batch<T>>(4);
        let (spent_checked_tx, spent_checked_rx) = std::sync::mpsc::channel::<Vec<T>>();
        scope.spawn(move || {
            loop {
                let mut batch = spent_rows_rx.try_recv().unwrap_or_default();
                let mut filled = 0;
                let mut end = None;
                while filled < BATCH_ROWS {
                    if batch.len() == filled {
                        batch.push(Row::new());
                    }
                    match source.next_row(&mut batch[filled]) {
                        Ok(true) => filled += 1,
                        Ok(false) => {
                            end = Some(Batch::Done(source.warnings().to_vec()));
                            break;
                        }
                        Err(e) => {
                            end = Some(Batch::Failed(e));
                            break;
                        }
                    }
                }
                batch.truncate(filled);
                if !batch.is_empty() && rows_tx.send(Batch::Ready(batch)).is_err() {
                    return;
                }
                if let Some(end) = end {
                    let _ = rows_tx.send(end);
                    return;
                }
            }
        });
        scope.spawn(move || {
            for batch in rows_rx {
                let next = match batch {
                    Batch::Ready(rows) => {
                        let mut checked = spent_checked_rx.try_recv().unwrap_or_default();
                        checked.extend(rows.iter().map(&mut check));
                        let _ = spent_rows_tx.send(rows);
                        Batch::Ready(checked)
                    }
                    Batch::Failed(e) => Batch::Failed(e),
                    Batch::Done(warnings) => Batch::Done(warnings),
                };
                if checked_tx.send(next).is_err() {
                    return;
                }
            }
        });
        for batch in checked_rx {
            match batch {
                Batch::Ready(mut checked) => {
                    checked.drain(..).for_each(&mut keep);
                    let _ = spent_checked_tx.send(checked);
                }
                Batch::Failed(e) => return Err(e),
                Batch::Done(warnings) => return Ok(warnings),
            }
        }
        // A step ended without a word: it panicked, and the scope passes that panic on.
        Ok(Vec::new())
    })
}

/// A CSV table's rows, estimated before it is read from its size and the mean length of
/// the lines in its first bytes after the header: narrow files hold more rows per byte
/// than wide ones.
pub(crate) fn estimated_rows(input: &mut impl Read, bytes: u64) -> std::io::Result<u64> {
    let mut start = Vec::with_capacity(SNIFF_BYTES);
    input.take(SNIFF_BYTES as u64).read_to_end(&mut start)?;
    let lines = start.split_inclusive(|&b| b == b'\n').skip(1).filter(|l| l.ends_with(b"\n"));
    let (sampled, sampled_bytes) = lines.fold((0u64, 0u64), |(n, b), l| (n + 1, b + l.len() as u64));
    Ok(match sampled {
        0 => u64::from(bytes > 0),
        _ => bytes.div_ceil(sampled_bytes.div_ceil(sampled)),
    })
}

/// Picks the delimiter of the header line: comma unless the header has none and has
/// semicolons (European Excel) or tabs.
fn sniff_delimiter(start: &[u8]) -> u8 {
    let line_end = start.iter().position(|&b| b == b'\n').unwrap_or(start.len());
    let line = &start[..line_end];
    let count = |d: u8| line.iter().filter(|&&b| b == d).count();
    if count(b',') > 0 {
        b','
    } else if count(b';') > 0 {
        b';'
    } else if count(b'\t') > 0 {
        b'\t'
    } else {
        b','
    }
}

/// Windows-1252 to Unicode. Bytes 0x80 to 0x9F differ from Latin-1; the rest map directly.
fn windows_1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž', '\u{8f}',
        '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}', 'ž', 'Ÿ',
    ];
    match b {
        0x80..=0x9f => HIGH[usize::from(b - 0x80)],
        _ => char::from(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &[u8]) -> (Vec<String>, Vec<Vec<String>>, Vec<String>) {
        let mut source = CsvSource::new(text, "t.csv").unwrap();
        let mut out = Vec::new();
        let mut fields = Row::new();
        while source.next_row(&mut fields).unwrap() {
            out.push(fields.iter().map(String::from).collect());
        }
        (source.headers().to_vec(), out, source.warnings().to_vec())
    }

    #[test]
    fn bom_crlf_quotes_and_header_case() {
        let (headers, data, warnings) =
            rows(b"\xef\xbb\xbf Participant_ID ,Area\r\np1,\"Tooting, Broadway \"\"East\"\"\"\r\n");
        assert_eq!(headers, ["participant_id", "area"]);
        assert_eq!(data, [["p1", "Tooting, Broadway \"East\""]]);
        assert!(warnings.is_empty());
    }

    #[test]
    fn windows_1252_is_decoded_with_a_warning() {
        let (_, data, warnings) = rows(b"name\nZo\xeb \x80\n");
        assert_eq!(data[0][0], "Zoë €");
        assert!(warnings[0].contains("Windows-1252"));
    }

    #[test]
    fn semicolon_exports_are_recognised() {
        let (headers, data, warnings) = rows(b"a;b\n1,5;2\n");
        assert_eq!(headers, ["a", "b"]);
        assert_eq!(data[0], ["1,5", "2"]);
        assert!(warnings[0].contains("';'"));
    }

    /// Checked on a second thread, a file of several batches gives the same rows, in the
    /// same order, with the same warnings, as checked where it is; a failure comes after
    /// the rows before it.
    #[test]
    fn checking_ahead_changes_nothing() {
        let mut text = b"id;name\n".to_vec();
        for i in 0..(3 * BATCH_ROWS + 7) {
            text.extend(format!("{i};\"n, {i}\"\n").as_bytes());
        }
        text.extend(b"last;Zo\xeb\n");
        let check = |row: &Row| row.iter().map(String::from).collect::<Vec<_>>();
        let read = |input: FailingAfter<'_>, ahead: bool| {
            let mut source = CsvSource::new(input, "t.csv").unwrap();
            let mut out = Vec::new();
            let rows = if ahead { Rows::Ahead(&mut source) } else { Rows::Here(&mut source) };
            let warnings = check_rows(rows, check, |row| out.push(row));
            (out, warnings.map_err(|e| e.to_string()))
        };
        let whole = |text| FailingAfter { text, fail: false };
        let (ahead, here) = (read(whole(&text), true), read(whole(&text), false));
        assert_eq!(ahead.0.len(), 3 * BATCH_ROWS + 8);
        assert_eq!(ahead, here);
        assert_eq!(ahead.0, rows(&text).1);

        // The disk fails past the first batch: the rows before it, then the error.
        let cut = FailingAfter { text: &text[..text.len() / 2], fail: true };
        let (ahead, here) = (read(cut, true), read(FailingAfter { fail: true, ..cut }, false));
        assert!(ahead.0.len() > BATCH_ROWS);
        assert!(ahead.1.as_ref().is_err_and(|e| e.contains("disk gone")), "{:?}", ahead.1);
        assert_eq!(ahead, here);
    }

    /// Gives its text, then fails (or ends).
    #[derive(Clone, Copy)]
    struct FailingAfter<'a> {
        text: &'a [u8],
        fail: bool,
    }

    impl Read for FailingAfter<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.text.is_empty() && self.fail {
                return Err(std::io::Error::other("disk gone"));
            }
            let n = buf.len().min(self.text.len());
            buf[..n].copy_from_slice(&self.text[..n]);
            self.text = &self.text[n..];
            Ok(n)
        }
    }

    /// Rows are estimated from the first lines, so a narrow file counts more rows per
    /// byte than a wide one; exact when the lines are alike.
    #[test]
    fn csv_rows_are_estimated_from_the_first_lines() {
        let write = |header: &str, row: &str, n: usize| {
            let text = format!("{header}\n{}", format!("{row}\n").repeat(n));
            let rows = estimated_rows(&mut text.as_bytes(), text.len() as u64).unwrap();
            (text.len(), rows)
        };
        let narrow =
            write("participant_id,pilot_id,measure,assessed_on,score", "P1,tt,phq9,2025-05-16,12", 50_000);
        let wide = write("a,b", &format!("P1,tt,phq9,2025-05-16,{}", ",".repeat(40)), 20_000);
        // The header is counted as rows of the sampled length.
        assert_eq!(narrow.1, 50_000 + 2, "{narrow:?}");
        assert_eq!(wide.1, 20_000 + 1, "{wide:?}");
        assert_eq!(write("a,b", "", 0).1, 1);
    }

    #[test]
    fn non_tables_are_errors_not_panics() {
        for (input, expected) in [
            (&b""[..], "the file is empty"),
            (b"  \n\n", "the file is empty"),
            (b"PK\x03\x04rest", "give it its own extension (.xlsx, .xlsm or .ods)"),
            (b"a,b\x00c", "binary data"),
        ] {
            let err = CsvSource::new(input, "bad.csv").err().unwrap();
            assert!(err.to_string().starts_with("bad.csv: "), "{err}");
            assert!(err.to_string().contains(expected), "{err}");
        }
    }
}
