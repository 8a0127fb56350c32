//! Reports: one model ([`Document`]) built from an evaluation, rendered by printers to
//! HTML, Markdown and CSV tables, plus `results.json` and the chart files.

mod build;
pub mod charts;
mod common;
mod delivery;
mod document;
pub(crate) mod format;
mod html;
mod json;
mod labels;
mod markdown;
mod output;
mod sections;

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::pipeline::Evaluation;

pub use build::build_document;
pub use common::ReportOptions;
pub use document::{Block, ChartBlock, Document, Figure, Section, Table};
pub use html::{HtmlPrinter, escape as escape_html};
pub use json::{JsonPrinter, RESULTS_SCHEMA, SCHEMA_VERSION, results_schema};
pub use markdown::MarkdownPrinter;
use output::write_folder;
pub use output::{REPORT_MARKER, check_output_dir, slug};

/// What [`write_report`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
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

/// Writes `results.json`, `report.html`, `report.md`, `rejects.csv`, `tables/*.csv`,
/// `charts/*.svg` (and `.png` when asked) and the [`REPORT_MARKER`] into `dir`, all or
/// nothing: the files go to a fresh staging folder beside `dir` that replaces it only when
/// complete, so the folder holds exactly this report and a failure leaves the previous one
/// as it was. `dir` is checked first with [`check_output_dir`] against every input of the
/// plan. Table and chart names pass through [`slug`] before they name a file.
///
/// Every figure comes from the evaluation's [`Publication`](crate::Publication);
/// `results-exact.json` is written too when the options ask for the analyst's exact
/// figures.
///
/// # Errors
///
/// [`Error::Disclosure`] when the figures cannot be published safely, a refused output
/// folder, a chart that cannot be drawn, or a file that cannot be written; nothing is
/// left changed.
pub fn write_report(eval: &Evaluation, dir: &Path, options: &ReportOptions) -> Result<WrittenReport> {
    write_published(eval, &eval.publish()?, dir, options)
}

/// [`write_report`] for a caller that has the evaluation's [`Publication`](crate::Publication)
/// already (to print its summary too), so it is not made twice.
///
/// # Errors
///
/// As [`write_report`].
pub fn write_published(
    eval: &Evaluation,
    publication: &crate::Publication,
    dir: &Path,
    options: &ReportOptions,
) -> Result<WrittenReport> {
    eval.plan.check_output_dir(dir)?;
    let exact = if options.exact_results { Some(crate::publish::publish_exact(eval)?) } else { None };
    let mut doc = build_document(publication, options)?;
    name_files(&mut doc);
    let mut files = Vec::new();
    write_folder(dir, |put| {
        let mut put = |name: &str, bytes: &[u8]| -> Result<()> {
            put(name, bytes)?;
            files.push(name.to_string());
            Ok(())
        };
        put("results.json", JsonPrinter.to_string(publication)?.as_bytes())?;
        if let Some(exact) = &exact {
            put("results-exact.json", JsonPrinter.to_string(exact)?.as_bytes())?;
        }
        put("report.html", HtmlPrinter.to_string(&doc).as_bytes())?;
        put("report.md", MarkdownPrinter.to_string(&doc).as_bytes())?;
        put("rejects.csv", &rejects_csv(eval)?)?;
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
        Ok(())
    })?;
    files.sort();
    Ok(WrittenReport { dir: dir.to_path_buf(), files })
}

/// Gives every table and chart a file stem through [`slug`], unique within its folder.
fn name_files(doc: &mut Document) {
    let (mut tables, mut charts) = (output::FileNames::default(), output::FileNames::default());
    for block in doc.sections.iter_mut().flat_map(|s| s.blocks.iter_mut()) {
        match block {
            Block::Table(table) => table.name = tables.unique(&table.name),
            Block::Chart(chart) => chart.name = charts.unique(&chart.name),
            _ => {}
        }
    }
}

/// The rejects log with each file named relative to the plan's folder, so the same data
/// gives the same bytes wherever the run was started.
fn rejects_csv(eval: &Evaluation) -> Result<Vec<u8>> {
    let rejects = eval.data.rejects().with_files(|file| display_path(file, &eval.plan.base_dir));
    let mut bytes = Vec::new();
    rejects.write_csv(&mut bytes).map_err(|e| Error::Csv {
        file: "rejects.csv".to_string(),
        what: "cannot write".to_string(),
        source: e,
    })?;
    Ok(bytes)
}

/// A report table as CSV, every cell neutralised against spreadsheet formula injection.
///
/// # Errors
///
/// [`Error::Csv`] or [`Error::Io`] if the CSV writer
/// fails.
pub fn table_csv(table: &Table) -> Result<Vec<u8>> {
    let err = |e: csv::Error| Error::Csv {
        file: format!("tables/{}.csv", table.name),
        what: "cannot write".to_string(),
        source: e,
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

pub(crate) use crate::plan::display_path;
