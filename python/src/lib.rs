//! `coproduction._native`: the crate's public API for the `coproduction` Python package.
//!
//! The pure-Python layer (`python/coproduction/`) gives the typed, documented API; this
//! module does the work. Figures cross as the JSON the crate already prints (so a
//! `results` dict is `results.json`, key for key), tables as rows of text, and frames
//! over the Arrow C stream interface.
//!
//! Every entry point runs the crate without the GIL (a long run does not stop other
//! Python threads) and inside `catch_unwind`: a crate error becomes `PlanError` or
//! `DataError` with its location, and a panic becomes `CoproductionError`, never an
//! interpreter crash.

use std::collections::{BTreeMap, HashSet};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use coproduction::value::{GdpDeflator, ImpactMap, LinkedQuantity};
use coproduction::{
    Block, Catalogue, Error, ErrorCategory, Evaluation, JsonPrinter, Plan, Publication, ReportOptions,
    build_document, stats, write_published,
};
use polars::prelude::DataFrame;
use polars_arrow::array::StructArray;
use polars_arrow::ffi::{ArrowArrayStream, ArrowArrayStreamReader};
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyDict};

/// A linked quantity as Python gives it: count, denominator, interval.
type Quantity = (f64, Option<f64>, Option<f64>, Option<f64>);

/// Where a problem was found: file, row, column, value.
type Place = (Option<String>, Option<u64>, Option<String>, Option<String>);

/// The place a crate error names, for the exception's attributes.
fn place(error: &Error) -> Place {
    match error {
        Error::Io { path, .. } | Error::Output { path, .. } => {
            (Some(path.display().to_string()), None, None, None)
        }
        Error::MissingColumn { file, column, .. } => (Some(file.clone()), None, Some(column.clone()), None),
        Error::NotATable { file, .. }
        | Error::Parquet { file, .. }
        | Error::Toml { file, .. }
        | Error::NoAcceptedRows { file, .. } => (Some(file.clone()), None, None, None),
        Error::TooLarge { files, .. } => (Some(files.clone()), None, None, None),
        Error::SurveySettings { file, setting, .. } => {
            (Some(file.clone()), None, Some(setting.clone()), None)
        }
        Error::InvalidData { location, .. } => {
            (location.file.clone(), location.row, location.column.clone(), location.value.clone())
        }
        Error::InvalidParameter { name, value, .. } => {
            (None, None, Some((*name).to_string()), Some(value.clone()))
        }
        Error::Unknown { name, .. } => (None, None, None, Some(name.clone())),
        _ => (None, None, None, None),
    }
}

/// An instance of one of the package's exceptions (`coproduction._errors`).
fn exception(py: Python<'_>, class: &str, message: String, (file, row, column, value): Place) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let class = py.import("coproduction._errors")?.getattr(class)?;
        let kwargs = PyDict::new(py);
        kwargs.set_item("file", file)?;
        kwargs.set_item("row", row)?;
        kwargs.set_item("column", column)?;
        kwargs.set_item("value", value)?;
        Ok(PyErr::from_value(class.call((message,), Some(&kwargs))?))
    };
    build().unwrap_or_else(|e| e)
}

/// A crate error as `PlanError` (a plan, map, instrument file or parameter is wrong),
/// `DataError` (the data cannot be evaluated) or `CoproductionError` (files could not be
/// read or written).
fn raise(py: Python<'_>, error: &Error) -> PyErr {
    let class = match error.category() {
        ErrorCategory::Configuration => "PlanError",
        ErrorCategory::Data => "DataError",
        _ => "CoproductionError",
    };
    exception(py, class, error.to_string(), place(error))
}

/// Runs `work` with the GIL released; a crate error or a panic becomes a Python exception.
fn guarded<T: Send>(py: Python<'_>, work: impl FnOnce() -> coproduction::Result<T> + Send) -> PyResult<T> {
    match py.detach(|| catch_unwind(AssertUnwindSafe(work))) {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(raise(py, &error)),
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown cause".to_string());
            Err(exception(
                py,
                "CoproductionError",
                format!("internal error in the coproduction engine (please report it): {what}"),
                (None, None, None, None),
            ))
        }
    }
}

fn json<T: serde::Serialize>(value: &T) -> coproduction::Result<String> {
    serde_json::to_string(value).map_err(|e| Error::Disclosure(format!("cannot print as JSON: {e}")))
}

/// A finished evaluation and its publication under the plan's disclosure rule.
#[pyclass(frozen, module = "coproduction._native")]
struct NativeEvaluation {
    evaluation: Evaluation,
    publication: Publication,
}

impl NativeEvaluation {
    fn new(evaluation: Evaluation) -> coproduction::Result<NativeEvaluation> {
        let publication = evaluation.publish()?;
        Ok(NativeEvaluation { evaluation, publication })
    }
}

#[pymethods]
impl NativeEvaluation {
    /// `results.json`, as the CLI writes it.
    fn results_json(&self, py: Python<'_>) -> PyResult<String> {
        guarded(py, || JsonPrinter.to_string(&self.publication))
    }

    /// Every report table as (file stem, caption, headers, rows), named as in `tables/`.
    #[allow(clippy::type_complexity)]
    fn tables(&self, py: Python<'_>) -> PyResult<Vec<(String, String, Vec<String>, Vec<Vec<String>>)>> {
        guarded(py, || {
            let options = ReportOptions::from_plan(&self.evaluation.plan);
            let doc = build_document(&self.publication, &options)?;
            // The file stems `write_report` gives: the slug, made unique regardless of case.
            let mut given = HashSet::new();
            let mut tables = Vec::new();
            for block in doc.sections.into_iter().flat_map(|s| s.blocks) {
                if let Block::Table(table) = block {
                    let base = coproduction::report::slug(&table.name);
                    let (mut stem, mut n) = (base.clone(), 1);
                    while !given.insert(stem.to_ascii_lowercase()) {
                        n += 1;
                        stem = format!("{base}-{n}");
                    }
                    tables.push((stem, table.caption, table.headers, table.rows));
                }
            }
            Ok(tables)
        })
    }

    /// The rejected rows as (file, row, column, value, reason), files named relative to
    /// the plan's folder as in `rejects.csv`.
    #[allow(clippy::type_complexity)]
    fn rejects(&self) -> Vec<(String, u64, Option<String>, Option<String>, String)> {
        let base = &self.evaluation.plan.base_dir;
        self.evaluation
            .data
            .rejects()
            .entries()
            .iter()
            .map(|r| (relative(&r.file, base), r.row, r.column.clone(), r.value.clone(), r.reason.clone()))
            .collect()
    }

    /// Notes about how the files were read, and plan warnings.
    fn warnings(&self) -> Vec<String> {
        self.evaluation.warnings.clone()
    }

    /// Writes the report folder; returns the files written, relative to it.
    #[pyo3(signature = (out, png_charts=None, exact_results=None))]
    fn write_report(
        &self,
        py: Python<'_>,
        out: PathBuf,
        png_charts: Option<bool>,
        exact_results: Option<bool>,
    ) -> PyResult<Vec<String>> {
        guarded(py, || {
            let mut options = ReportOptions::from_plan(&self.evaluation.plan);
            options.png_charts = png_charts.unwrap_or(options.png_charts);
            options.exact_results = exact_results.unwrap_or(options.exact_results);
            Ok(write_published(&self.evaluation, &self.publication, &out, &options)?.files)
        })
    }
}

/// A file name relative to the plan's folder when it lies inside it.
fn relative(file: &str, base: &Path) -> String {
    let path = Path::new(file);
    match path.strip_prefix(base) {
        Ok(rel) if !base.as_os_str().is_empty() => {
            rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
        }
        _ => file.to_string(),
    }
}

fn load_plan(path: &Path, memory_limit: Option<u64>) -> coproduction::Result<Plan> {
    let mut plan = Plan::load(path)?;
    plan.memory_limit = memory_limit.or(plan.memory_limit);
    Ok(plan)
}

/// Runs a plan file.
#[pyfunction]
#[pyo3(signature = (plan, memory_limit=None))]
fn run(py: Python<'_>, plan: PathBuf, memory_limit: Option<u64>) -> PyResult<NativeEvaluation> {
    guarded(py, || NativeEvaluation::new(load_plan(&plan, memory_limit)?.run()?))
}

/// Runs a plan on participants and outcomes given as Arrow streams (objects with
/// `__arrow_c_stream__`, such as polars frames).
#[pyfunction]
fn run_frames(
    py: Python<'_>,
    plan: PathBuf,
    participants: &Bound<'_, PyAny>,
    outcomes: &Bound<'_, PyAny>,
) -> PyResult<NativeEvaluation> {
    let participants = import_frame(py, participants, "participants")?;
    let outcomes = import_frame(py, outcomes, "outcomes")?;
    guarded(py, || NativeEvaluation::new(load_plan(&plan, None)?.run_frames(&participants, &outcomes)?))
}

/// A frame from an object that exports the Arrow C stream interface.
fn import_frame(py: Python<'_>, source: &Bound<'_, PyAny>, what: &str) -> PyResult<DataFrame> {
    let bad = |reason: String| {
        exception(
            py,
            "DataError",
            format!("{what} frame: {reason}"),
            (Some(format!("{what} frame")), None, None, None),
        )
    };
    let capsule = source.call_method0("__arrow_c_stream__")?;
    let capsule =
        capsule.cast_into::<PyCapsule>().map_err(|_| bad("__arrow_c_stream__ gave no capsule".into()))?;
    let pointer = capsule.pointer_checked(Some(c"arrow_array_stream"))?.cast::<ArrowArrayStream>();
    // SAFETY: the capsule holds an ArrowArrayStream (its name says so, checked above). The
    // stream is moved out and a released one left in its place, as the PyCapsule
    // interface asks of a consumer, so the capsule's destructor does not release it again.
    let stream = unsafe { std::ptr::replace(pointer.as_ptr(), ArrowArrayStream::empty()) };
    // SAFETY: a valid stream from the producer, owned from here on.
    let mut reader =
        unsafe { ArrowArrayStreamReader::try_new(Box::new(stream)) }.map_err(|e| bad(e.to_string()))?;
    let mut frame: Option<DataFrame> = None;
    // SAFETY: the producer's arrays follow the C data interface.
    while let Some(array) = unsafe { reader.next() } {
        let array = array.map_err(|e| bad(e.to_string()))?;
        let Some(batch) = array.as_any().downcast_ref::<StructArray>() else {
            return Err(bad("the stream does not hold a table (a struct array per batch)".into()));
        };
        let chunk = DataFrame::try_from(batch.clone()).map_err(|e| bad(e.to_string()))?;
        match frame.as_mut() {
            Some(frame) => {
                frame.vstack_mut(&chunk).map_err(|e| bad(e.to_string()))?;
            }
            None => frame = Some(chunk),
        }
    }
    match frame {
        Some(frame) => Ok(frame),
        None => Err(bad("the stream holds no batch".into())),
    }
}

/// `Plan::validate` as JSON: accounting, rejects, unusable inputs, warnings.
#[pyfunction]
fn validate(py: Python<'_>, plan: PathBuf) -> PyResult<String> {
    guarded(py, || {
        let plan = load_plan(&plan, None)?;
        let check = plan.validate()?;
        let base = &plan.base_dir;
        let rejects: Vec<_> = check
            .rejects
            .entries()
            .iter()
            .map(|r| {
                serde_json::json!({
                    "file": relative(&r.file, base), "row": r.row, "column": r.column,
                    "value": r.value, "reason": r.reason,
                })
            })
            .collect();
        let files: Vec<_> = check
            .files
            .iter()
            .map(|f| {
                let mut f = f.clone();
                f.file = relative(&f.file, base);
                f
            })
            .collect();
        json(&serde_json::json!({
            "unusable": check.unusable, "files": files, "rejects": rejects, "warnings": check.warnings,
        }))
    })
}

fn catalogue(files: &[PathBuf]) -> coproduction::Result<Catalogue> {
    let mut catalogue = Catalogue::with_builtin()?;
    for file in files {
        catalogue.add_from_file(file)?;
    }
    Ok(catalogue)
}

/// Scores one assessment's items; `None` is a blank item.
#[pyfunction]
#[pyo3(signature = (instrument, items, instruments=Vec::new()))]
fn score(
    py: Python<'_>,
    instrument: String,
    items: Vec<Option<f64>>,
    instruments: Vec<PathBuf>,
) -> PyResult<String> {
    let scored = guarded(py, || {
        let catalogue = catalogue(&instruments)?;
        let scored = catalogue.require(&instrument)?.score_items(&items);
        Ok(scored.map_err(|problem| problem.to_string()))
    })?;
    match scored {
        Ok(scored) => guarded(py, || json(&scored)),
        Err(reason) => Err(exception(
            py,
            "DataError",
            format!("{instrument}: {reason}"),
            (None, None, Some(instrument.clone()), None),
        )),
    }
}

/// Every instrument's definition, by id.
#[pyfunction]
#[pyo3(signature = (instruments=Vec::new()))]
fn load_catalogue(py: Python<'_>, instruments: Vec<PathBuf>) -> PyResult<String> {
    guarded(py, || {
        let catalogue = catalogue(&instruments)?;
        let all: BTreeMap<&str, _> = catalogue.instruments().map(|i| (i.id(), i)).collect();
        json(&all)
    })
}

/// Values an impact map (a file, or TOML text) against given quantities.
#[pyfunction]
#[pyo3(signature = (impact_map_file, impact_map_text, quantities, draws, seed, deflator=None))]
fn sroi(
    py: Python<'_>,
    impact_map_file: Option<PathBuf>,
    impact_map_text: Option<String>,
    quantities: BTreeMap<String, Quantity>,
    draws: usize,
    seed: u64,
    deflator: Option<PathBuf>,
) -> PyResult<String> {
    guarded(py, || {
        let map = match (&impact_map_file, &impact_map_text) {
            (Some(file), _) => ImpactMap::from_file(file)?,
            (None, Some(text)) => ImpactMap::from_toml_str(text, "<impact map>")?,
            (None, None) => {
                return Err(Error::InvalidParameter {
                    name: "impact_map",
                    value: String::new(),
                    reason: "give a file or the map's TOML text",
                });
            }
        };
        let measured: BTreeMap<String, LinkedQuantity> = quantities
            .into_iter()
            .map(|(link, (count, denominator, ci_low, ci_high))| {
                (link, LinkedQuantity { count, denominator, ci_low, ci_high })
            })
            .collect();
        let deflator = match &deflator {
            Some(path) => GdpDeflator::from_file(path)?,
            None => GdpDeflator::builtin()?,
        };
        json(&coproduction::value::evaluate_with(&map, &measured, &deflator, draws, seed)?)
    })
}

/// The change statistics the report gives for one measure, from paired first and last
/// scores.
#[pyfunction]
fn paired_change(py: Python<'_>, first: Vec<f64>, last: Vec<f64>) -> PyResult<String> {
    let invalid = |reason: String, value: Option<String>| {
        exception(py, "DataError", reason, (None, None, Some("first, last".into()), value))
    };
    if first.len() != last.len() {
        return Err(invalid(
            format!("first has {} scores and last {}: each person needs both", first.len(), last.len()),
            None,
        ));
    }
    if let Some(v) = first.iter().chain(&last).find(|v| !v.is_finite()) {
        return Err(invalid(format!("every score must be a finite number, not {v}"), Some(v.to_string())));
    }
    guarded(py, || {
        let changes: Vec<f64> = first.iter().zip(&last).map(|(f, l)| l - f).collect();
        let t = stats::paired_t_test(&changes);
        let wilcoxon = stats::wilcoxon_signed_rank(&changes);
        let effects = stats::paired_effect_sizes(&first, &last);
        json(&serde_json::json!({
            "n_paired": first.len(),
            "mean_first": stats::mean(&first),
            "mean_last": stats::mean(&last),
            "mean_change": stats::mean(&changes),
            "sd_change": stats::sample_sd(&changes),
            "t": t.as_ref().and_then(|t| t.t),
            "df": t.as_ref().map(|t| t.df),
            "p_value": t.as_ref().and_then(|t| t.p_value),
            "ci_low": t.as_ref().and_then(|t| t.ci_low),
            "ci_high": t.as_ref().and_then(|t| t.ci_high),
            "wilcoxon_statistic": wilcoxon.as_ref().map(|w| w.statistic),
            "wilcoxon_p": wilcoxon.as_ref().map(|w| w.p_value),
            "wilcoxon_method": wilcoxon.as_ref().map(|w| w.method),
            "d_z": effects.as_ref().and_then(|e| e.d_z),
            "d_z_ci": effects.as_ref().and_then(|e| e.d_z_ci),
            "d_av": effects.as_ref().and_then(|e| e.d_av),
            "d_av_ci": effects.as_ref().and_then(|e| e.d_av_ci),
            "g_av": effects.as_ref().and_then(|e| e.g_av),
            "g_av_ci": effects.as_ref().and_then(|e| e.g_av_ci),
        }))
    })
}

/// A panic on purpose, so the tests can show it reaches Python as `CoproductionError`.
#[pyfunction]
fn _panic_for_test(py: Python<'_>) -> PyResult<()> {
    guarded(py, || -> coproduction::Result<()> { panic!("a test of the panic guard") })
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<NativeEvaluation>()?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(run_frames, m)?)?;
    m.add_function(wrap_pyfunction!(validate, m)?)?;
    m.add_function(wrap_pyfunction!(score, m)?)?;
    m.add_function(wrap_pyfunction!(load_catalogue, m)?)?;
    m.add_function(wrap_pyfunction!(sroi, m)?)?;
    m.add_function(wrap_pyfunction!(paired_change, m)?)?;
    m.add_function(wrap_pyfunction!(_panic_for_test, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
