//! Reports: one model ([`Document`]) built from an evaluation, rendered by printers to
//! HTML, Markdown and CSV tables, plus `results.json` and the chart files.

mod build;
pub mod charts;
mod document;
mod format;
mod html;
mod json;
mod labels;
mod markdown;
mod sections;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::evaluation::Evaluation;

pub use build::{ReportOptions, build_document};
pub use document::{Block, ChartBlock, Document, Figure, Section, Table};
pub use html::{HtmlPrinter, escape as escape_html};
pub use json::{JsonPrinter, RESULTS_SCHEMA, SCHEMA_VERSION, results_schema};
pub use markdown::MarkdownPrinter;

/// What [`write_report`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenReport {
    /// The output folder.
    pub dir: PathBuf,
    /// Every file written, relative to `dir`, sorted.
    pub files: Vec<String>,
}

impl WrittenReport {
    /// The HTML report's path.
    pub fn html(&self) -> PathBuf {
        self.dir.join("report.html")
    }
}

/// Writes `results.json`, `report.html`, `report.md`, `rejects.csv`, `tables/*.csv` and
/// `charts/*.svg` (and `.png` when asked) into `dir`, every figure from the evaluation's
/// [`Publication`](crate::Publication); `results-exact.json` too when the options ask for
/// the analyst's exact figures. Each file is written to a temporary name and renamed, so
/// an interrupted run never leaves a half-written file that looks complete.
///
/// # Errors
///
/// [`Error::Disclosure`] when the figures cannot be published safely (nothing is
/// written), a chart that cannot be drawn, or a file that cannot be written.
pub fn write_report(eval: &Evaluation, dir: &Path, options: &ReportOptions) -> Result<WrittenReport> {
    let publication = crate::publish::publish(eval)?;
    let exact = if options.exact_results { Some(crate::publish::publish_exact(eval)?) } else { None };
    let doc = build_document(&publication, options)?;
    fs::create_dir_all(dir.join("charts")).map_err(|e| Error::io("create folder", dir, e))?;
    fs::create_dir_all(dir.join("tables")).map_err(|e| Error::io("create folder", dir, e))?;
    let mut files = Vec::new();
    let mut put = |name: &str, bytes: &[u8]| -> Result<()> {
        write_atomic(&dir.join(name), bytes)?;
        files.push(name.to_string());
        Ok(())
    };
    put("results.json", JsonPrinter.to_string(&publication)?.as_bytes())?;
    if let Some(exact) = &exact {
        put("results-exact.json", JsonPrinter.to_string(exact)?.as_bytes())?;
    }
    put("report.html", HtmlPrinter.to_string(&doc).as_bytes())?;
    put("report.md", MarkdownPrinter.to_string(&doc).as_bytes())?;
    let mut rejects = Vec::new();
    eval.data
        .rejects()
        .write_csv(&mut rejects)
        .map_err(|e| Error::io("write", dir.join("rejects.csv"), std::io::Error::other(e.to_string())))?;
    put("rejects.csv", &rejects)?;
    for section in &doc.sections {
        for block in &section.blocks {
            match block {
                Block::Table(table) => put(&format!("tables/{}.csv", table.name), &table_csv(table)?)?,
                Block::Chart(chart) => {
                    put(&format!("charts/{}.svg", chart.name), chart.svg.as_bytes())?;
                    if let Some(png) = &chart.png {
                        put(&format!("charts/{}.png", chart.name), png)?;
                    }
                }
                _ => {}
            }
        }
    }
    files.sort();
    Ok(WrittenReport { dir: dir.to_path_buf(), files })
}

/// A report table as CSV, every cell neutralised against spreadsheet formula injection.
pub fn table_csv(table: &Table) -> Result<Vec<u8>> {
    let err = |e: csv::Error| {
        Error::io("write", format!("tables/{}.csv", table.name), std::io::Error::other(e.to_string()))
    };
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(
        table
            .headers
            .iter()
            .map(|h| crate::neutralise_formula(h))
            .collect::<Vec<_>>()
            .iter()
            .map(|c| c.as_ref()),
    )
    .map_err(err)?;
    for row in &table.rows {
        // Cells are the formatted view (suppression markers included); unrounded numbers
        // are in results.json.
        let cells: Vec<String> = row.iter().map(|c| crate::neutralise_formula(c).into_owned()).collect();
        out.write_record(&cells).map_err(err)?;
    }
    out.into_inner().map_err(|e| Error::io("write", "table", std::io::Error::other(e.to_string())))
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path
        .with_extension(format!("{}.partial", path.extension().and_then(|e| e.to_str()).unwrap_or("tmp")));
    let mut file = fs::File::create(&tmp).map_err(|e| Error::io("write", &tmp, e))?;
    file.write_all(bytes).map_err(|e| Error::io("write", &tmp, e))?;
    file.sync_all().map_err(|e| Error::io("write", &tmp, e))?;
    fs::rename(&tmp, path).map_err(|e| Error::io("write", path, e))
}

/// A file name as the report shows it: relative to the plan's folder when inside it, so
/// reports do not depend on where the data sat on the evaluator's machine.
///
/// ```
/// use std::path::Path;
/// assert_eq!(coproduction::report::display_path("/data/eval/p.csv", Path::new("/data/eval")), "p.csv");
/// ```
pub fn display_path(file: &str, base: &Path) -> String {
    let path = Path::new(file);
    match path.strip_prefix(base) {
        Ok(rel) if !base.as_os_str().is_empty() => rel.display().to_string(),
        _ => path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| file.to_string()),
    }
}
