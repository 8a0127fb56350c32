//! What the report's parts share: the options, and how a measure is named and rounded.
//! Kept apart from `build.rs` (the document in order) and `sections.rs` (the long
//! sections), which both use it, so that neither file needs the other's helpers.

use crate::publish::Publication;

use super::document::Block;

/// Options for building a report.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReportOptions {
    /// A generation date (`YYYY-MM-DD`) for the footer; `None` keeps output byte-identical.
    pub generated_on: Option<String>,
    /// Render PNG copies of the charts.
    pub png_charts: bool,
    /// Also write `results-exact.json` (every figure unsuppressed, for the analyst).
    pub exact_results: bool,
    /// Breakdowns with more groups than this are summarised in the HTML and Markdown (the
    /// groups at either end and how the groups are spread) and written in full to CSV and
    /// JSON. Default 50.
    pub max_groups_shown: usize,
}

impl Default for ReportOptions {
    /// No date, SVG charts only, breakdowns of up to 50 groups printed whole.
    fn default() -> Self {
        ReportOptions { generated_on: None, png_charts: false, exact_results: false, max_groups_shown: 50 }
    }
}

impl ReportOptions {
    /// The options a plan's `[report]` section asks for.
    pub fn from_plan(plan: &crate::plan::Plan) -> ReportOptions {
        ReportOptions {
            generated_on: plan.report.show_generated_date.then(today),
            png_charts: plan.report.png_charts,
            exact_results: plan.report.exact_results,
            max_groups_shown: plan.report.max_groups_shown,
        }
    }
}

/// Today's date (UTC) as `YYYY-MM-DD`.
#[allow(clippy::expect_used, reason = "a clock date between 1970 and 9999 is always valid")]
fn today() -> String {
    let secs =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    // Days since 1970-01-01 up to year 9999 are always a valid date.
    crate::Date::from_days_since_epoch((secs / 86_400) as i64)
        .expect("today is a date between 1970 and 9999")
        .to_string()
}

/// The rule in force, once, in words.
pub(crate) fn disclosure_note(publication: &Publication) -> Block {
    if publication.exact {
        return Block::Note(
            "EXACT FIGURES for the analyst: disclosure control is not applied to this report. Do not publish or share it."
                .to_string(),
        );
    }
    Block::Note(publication.rule.describe())
}

/// Utilities live on 0-1 and need two decimals; scores one.
pub(crate) fn decimals_for(publication: &Publication, measure: &str) -> usize {
    if publication.catalogue.get(measure).is_some_and(|i| i.total_range().1 <= 1.0) { 2 } else { 1 }
}

/// The instrument's name, or its id when the catalogue has no such instrument.
pub(crate) fn measure_name(publication: &Publication, id: &str) -> String {
    publication.catalogue.get(id).map(|i| i.name().to_string()).unwrap_or_else(|| id.to_string())
}
