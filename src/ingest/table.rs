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
                "this is a spreadsheet (.xlsx) or zip file, not CSV: open it and save as 'CSV UTF-8 (Comma delimited)'",
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
        let more = self.reader.read_byte_record(&mut record).map_err(|e| Error::NotATable {
            file: self.label.clone(),
            reason: format!("cannot read data row {}: {e}", self.row + 1),
        })?;
        if !more {
            return Ok(false);
        }
        self.row += 1;
        match Row::from_byte_record(record) {
            Ok(row) => *fields = row,
            Err(not_utf8) => {
                let record = not_utf8.into_byte_record();
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

/// Rows handed over between the reading thread and the validating one.
const BATCH_ROWS: usize = 1024;

enum Batch {
    Rows(Vec<Row>),
    Failed(Error),
    Done(Vec<String>),
}

/// Runs `read` on the rows of `source` while a second thread reads them: CSV parsing and
/// decoding overlap with validation.
/// Rows arrive in file order and errors where they happened, so `read` sees exactly what
/// it would see reading `source` itself.
pub(crate) fn read_ahead<T>(
    source: &mut (dyn RowSource + Send),
    read: impl FnOnce(&mut dyn RowSource) -> Result<T>,
) -> Result<T> {
    let headers = source.headers().to_vec();
    std::thread::scope(|scope| {
        let (rows_tx, rows_rx) = std::sync::mpsc::sync_channel::<Batch>(4);
        let (spent_tx, spent_rx) = std::sync::mpsc::channel::<Vec<Row>>();
        scope.spawn(move || {
            loop {
                let mut batch = spent_rx.try_recv().unwrap_or_default();
                let mut filled = 0;
                let mut failed = None;
                while filled < BATCH_ROWS {
                    if batch.len() == filled {
                        batch.push(Row::new());
                    }
                    match source.next_row(&mut batch[filled]) {
                        Ok(true) => filled += 1,
                        Ok(false) => break,
                        Err(e) => {
                            failed = Some(e);
                            break;
                        }
                    }
                }
                batch.truncate(filled);
                let last = filled < BATCH_ROWS || failed.is_some();
                // A send fails only when the reader has stopped early; then so do we.
                if !batch.is_empty() && rows_tx.send(Batch::Rows(batch)).is_err() {
                    return;
                }
                if let Some(e) = failed {
                    let _ = rows_tx.send(Batch::Failed(e));
                    return;
                }
                if last {
                    let _ = rows_tx.send(Batch::Done(source.warnings().to_vec()));
                    return;
                }
            }
        });
        // Dropped before the scope ends, so a reader that stops early releases the thread.
        let mut ahead = ReadAhead {
            headers,
            rows: rows_rx,
            spent: spent_tx,
            batch: Vec::new(),
            next: 0,
            warnings: Vec::new(),
            finished: false,
        };
        read(&mut ahead)
    })
}

struct ReadAhead {
    headers: Vec<String>,
    rows: std::sync::mpsc::Receiver<Batch>,
    spent: std::sync::mpsc::Sender<Vec<Row>>,
    batch: Vec<Row>,
    next: usize,
    warnings: Vec<String>,
    finished: bool,
}

impl RowSource for ReadAhead {
    fn headers(&self) -> &[String] {
        &self.headers
    }

    fn next_row(&mut self, fields: &mut Row) -> Result<bool> {
        while self.next == self.batch.len() {
            if self.finished {
                return Ok(false);
            }
            match self.rows.recv() {
                Ok(Batch::Rows(rows)) => {
                    // The spent batch goes back to be refilled: its rows keep their
                    // capacity, so the steady state allocates nothing.
                    let spent = std::mem::replace(&mut self.batch, rows);
                    let _ = self.spent.send(spent);
                    self.next = 0;
                }
                Ok(Batch::Failed(e)) => {
                    self.finished = true;
                    return Err(e);
                }
                Ok(Batch::Done(warnings)) => {
                    self.warnings = warnings;
                    self.finished = true;
                }
                Err(_) => {
                    // The reading thread ended without a word: it panicked, and the
                    // scope passes that panic on when `read` returns.
                    self.finished = true;
                }
            }
        }
        std::mem::swap(fields, &mut self.batch[self.next]);
        self.next += 1;
        Ok(true)
    }

    fn warnings(&self) -> &[String] {
        &self.warnings
    }
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

    /// Read on a second thread, a file of several batches gives the same rows, in the
    /// same order, with the same warnings, as read directly.
    #[test]
    fn reading_ahead_changes_nothing() {
        let mut text = b"id;name\n".to_vec();
        for i in 0..(3 * BATCH_ROWS + 7) {
            text.extend(format!("{i};\"n, {i}\"\n").as_bytes());
        }
        text.extend(b"last;Zo\xeb\n");
        let direct = rows(&text);
        let mut source = CsvSource::new(&text[..], "t.csv").unwrap();
        let (ahead, warnings) = read_ahead(&mut source, |source| {
            let mut out = Vec::new();
            let mut fields = Row::new();
            while source.next_row(&mut fields)? {
                out.push(fields.iter().map(String::from).collect());
            }
            Ok((out, source.warnings().to_vec()))
        })
        .unwrap();
        assert_eq!(ahead.len(), 3 * BATCH_ROWS + 8);
        assert_eq!((ahead, warnings), (direct.1, direct.2));
    }

    #[test]
    fn non_tables_are_errors_not_panics() {
        for (input, expected) in [
            (&b""[..], "the file is empty"),
            (b"  \n\n", "the file is empty"),
            (b"PK\x03\x04rest", "spreadsheet (.xlsx)"),
            (b"a,b\x00c", "binary data"),
        ] {
            let err = CsvSource::new(input, "bad.csv").err().unwrap();
            assert!(err.to_string().starts_with("bad.csv: "), "{err}");
            assert!(err.to_string().contains(expected), "{err}");
        }
    }
}
