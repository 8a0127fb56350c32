//! Input tables before their rows are read: the format a path names, the size of a table,
//! its header checked, and a reader that counts what it reads.

use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

#[cfg(feature = "polars")]
use polars::prelude::{ParquetReader, SerReader};

use super::table::{self, CsvSource};
use super::{validate, workbook};
use crate::error::{Error, Result};

/// A table's extension says its format: `.parquet`, or CSV text.
pub(super) fn is_parquet(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("parquet"))
}

/// The size of an input table, known before it is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TableSize {
    /// The file's size.
    pub(crate) bytes: u64,
    /// Its rows: a Parquet file's from its footer, a CSV file's estimated from its first
    /// lines.
    pub(crate) rows: u64,
    /// A Parquet file's columns (its cells are held while it is read); `None` for CSV.
    pub(crate) parquet_columns: Option<u64>,
}

/// A reader that adds what it reads to shared counters (progress of a long load): the
/// bytes, and the line breaks when asked.
pub(super) struct Counted<R> {
    pub(super) inner: R,
    pub(super) counter: Arc<std::sync::atomic::AtomicU64>,
    pub(super) lines: Option<Arc<std::sync::atomic::AtomicU64>>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.counter.fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        if let Some(lines) = &self.lines {
            let breaks = buf[..n].iter().filter(|&&b| b == b'\n').count();
            lines.fetch_add(breaks as u64, std::sync::atomic::Ordering::Relaxed);
        }
        Ok(n)
    }
}

/// Opens a table the plan names and checks its header has the `required` columns,
/// reading nothing past the header: a wrong file is reported before any data is read.
/// A Parquet file's footer is read instead (its columns are checked when loaded).
pub(crate) fn check_table_header(path: &Path, required: &[&str]) -> Result<()> {
    let label = path.display().to_string();
    if path.is_dir() {
        return Err(Error::NotATable { file: label, reason: "this is a folder, not a file".to_string() });
    }
    if is_parquet(path) {
        return table_size(path).map(|_| ());
    }
    let file = File::open(path).map_err(|e| Error::io("read", path, e))?;
    if workbook::is_workbook(path) {
        // The sheet's header is checked when the sheet is opened; opening it is the read.
        return Ok(());
    }
    let source = CsvSource::new(file, &label)?;
    validate::Columns::new(source.headers_of(), &label, required).map(|_| ())
}

/// The size of a participants, outcomes or survey table, in either format, without
/// reading its rows.
pub(crate) fn table_size(path: &Path) -> Result<TableSize> {
    let mut file = File::open(path).map_err(|e| Error::io("read", path, e))?;
    let bytes = file.metadata().map_err(|e| Error::io("read", path, e))?.len();
    if workbook::is_workbook(path) {
        // A workbook is compressed: about ten bytes a row at the least (measured on the
        // bench's participants workbook, 26 bytes a row), so this errs towards more rows.
        return Ok(TableSize { bytes, rows: bytes / 10 + 1, parquet_columns: None });
    }
    if !is_parquet(path) {
        let rows = table::estimated_rows(&mut file, bytes).map_err(|e| Error::io("read", path, e))?;
        return Ok(TableSize { bytes, rows, parquet_columns: None });
    }
    #[cfg(feature = "polars")]
    {
        let label = path.display().to_string();
        let bad = |e: polars::error::PolarsError| Error::Parquet { file: label.clone(), source: Box::new(e) };
        let mut reader = ParquetReader::new(file);
        let rows = reader.num_rows().map_err(bad)? as u64;
        let columns = reader.schema().map_err(bad)?.len() as u64;
        Ok(TableSize { bytes, rows, parquet_columns: Some(columns) })
    }
    #[cfg(not(feature = "polars"))]
    Err(Error::Parquet {
        file: path.display().to_string(),
        source: "this build has no Parquet support (feature `polars`)".into(),
    })
}
