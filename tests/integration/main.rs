//! Integration tests: one binary, one module per concern. Fixtures for awkward inputs live
//! in `tests/fixtures/`.

mod cli;
mod delivery;
mod disclosure;
mod hostile;
mod ingest;
mod outcomes;
mod output;
mod pipeline;
mod report;
mod schema;
mod survey;
mod survey_exports;
mod workbook;

use std::path::{Path, PathBuf};

/// The crate root.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A fixture path.
pub fn fixture(rel: &str) -> PathBuf {
    root().join("tests/fixtures").join(rel)
}

/// A fresh temporary folder for one test.
pub fn temp_dir(name: &str) -> tempfile::TempDir {
    tempfile::Builder::new().prefix(&format!("coprod-{name}-")).tempdir().unwrap()
}
