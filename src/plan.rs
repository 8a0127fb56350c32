//! The evaluation plan (TOML) and the one entry point that runs it.
//!
//! A plan names the data files, the pilots and their programmes, and optional sections
//! for rule flags, equity, disclosure control, social value and the report. Unknown keys
//! are errors that name the key and the line: a typo must never silently change an
//! analysis. Paths are relative to the plan file.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::date::DateFormat;
use crate::error::{Error, Result};
use crate::outcomes::{OutcomeRules, PilotSpec};
use crate::publish::DisclosureRule;

/// A parsed and checked evaluation plan.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Plan {
    /// The report title.
    pub title: String,
    /// The folder the plan's relative paths start from.
    pub base_dir: PathBuf,
    /// The plan file, when loaded from one.
    pub file: Option<PathBuf>,
    /// The data files and how to read them.
    pub data: DataPlan,
    /// The pilots, in report order.
    pub pilots: Vec<PilotSpec>,
    /// Rule flags of the outcome stage.
    pub rules: OutcomeRules,
    /// Equity settings.
    pub equity: EquityPlan,
    /// Disclosure control settings.
    pub disclosure: DisclosurePlan,
    /// Social value settings, when the plan has a `[social_value]` section.
    pub social_value: Option<SocialValuePlan>,
    /// Report options.
    pub report: ReportPlan,
    /// The evaluation period (`[period] start, end`): activities and assessments dated
    /// outside it are rejected with that reason.
    pub period: Option<Period>,
    /// The most memory, in bytes, the evaluation may use; larger data is refused before
    /// any row is read. `None` (the default) takes the memory the system reports
    /// available. Not a plan key: the program running the plan sets it
    /// (`coprod run --memory-limit`).
    pub memory_limit: Option<u64>,
}

/// `[data]`: where the data is and how to read it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct DataPlan {
    /// participants.csv (or .parquet), resolved against the plan's folder.
    pub participants: PathBuf,
    /// outcomes.csv (or .parquet), resolved.
    pub outcomes: PathBuf,
    /// The sheet of a participants workbook (default: the first).
    pub participants_sheet: Option<String>,
    /// The sheet of an outcomes workbook (default: the first).
    pub outcomes_sheet: Option<String>,
    /// The date format of every date cell.
    pub date_format: DateFormat,
    /// Extra instrument definitions (TOML), resolved.
    pub instruments: Vec<PathBuf>,
    /// Survey-tool exports (`[[data.survey]]`), paths resolved.
    pub surveys: Vec<crate::ingest::SurveySource>,
    /// The activities table (partners, venues, sessions, volunteer time), resolved.
    pub activities: Option<PathBuf>,
    /// Groups that are not partners yet, for the map of local provision
    /// (`name, type, area, offers`), resolved.
    pub provision: Option<PathBuf>,
    /// The user's venue and organisation types, extending the bundled classification
    /// (same shape as `src/delivery/data/settings.toml`), resolved.
    pub classification: Option<PathBuf>,
}

/// The evaluation period, both days included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Period {
    /// The first day.
    pub start: crate::Date,
    /// The last day.
    pub end: crate::Date,
}

impl Period {
    /// True when `date` is from `start` to `end`.
    pub fn contains(&self, date: crate::Date) -> bool {
        self.start <= date && date <= self.end
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} to {}", self.start, self.end)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PeriodFile {
    start: toml::Value,
    end: toml::Value,
}

impl PeriodFile {
    /// Dates are ISO, as a string or a TOML date.
    fn resolve(&self, label: &str) -> Result<Period> {
        let date = |key: &str, v: &toml::Value| {
            let text = match v {
                toml::Value::String(s) => s.clone(),
                toml::Value::Datetime(d) => d.to_string(),
                other => other.to_string(),
            };
            crate::Date::parse(&text, DateFormat::Iso).map_err(|e| Error::Toml {
                file: label.to_string(),
                reason: format!("[period] {key} must be a date as YYYY-MM-DD, not {text}: {e}"),
            })
        };
        let period = Period { start: date("start", &self.start)?, end: date("end", &self.end)? };
        if period.end < period.start {
            return Err(Error::Toml {
                file: label.to_string(),
                reason: format!("[period] ends ({}) before it starts ({})", period.end, period.start),
            });
        }
        Ok(period)
    }
}

/// `[equity]`: the breakdowns.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EquityPlan {
    /// Dimensions to break down by.
    pub dimensions: Vec<String>,
    /// Population counts by group for representation ratios, resolved.
    pub population: Option<PathBuf>,
}

/// The dimensions every participant table can be broken down by.
pub const EQUITY_DIMENSIONS: [&str; 6] =
    ["gender", "ethnicity", "age_band", "imd_quintile", "imd_decile", "area"];

/// `[disclosure]`: the rule for everything published (see [`DisclosureRule`]).
pub type DisclosurePlan = DisclosureRule;

/// `[social_value]`: the impact map and the uncertainty settings.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SocialValuePlan {
    /// The impact map: a file (TOML or CSV), or keys inline in the plan.
    pub impact_map: ImpactMapSource,
    /// Monte Carlo draws (default 10,000).
    pub draws: usize,
    /// Monte Carlo seed (default 20250401).
    pub seed: u64,
    /// A GDP deflator series of the user's (`deflator = "deflator.toml"`, the bundled
    /// shape), instead of the bundled one.
    pub deflator: Option<PathBuf>,
}

/// Where the impact map comes from.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ImpactMapSource {
    /// A TOML or CSV file, resolved against the plan's folder.
    File(PathBuf),
    /// The keys inline under `[social_value]`.
    Inline(toml::Table),
}

/// `[report]`: presentation options.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReportPlan {
    /// Organisation shown under the title.
    pub organisation: Option<String>,
    /// Print the generation date in the HTML and Markdown (off keeps them byte-identical
    /// between runs).
    pub show_generated_date: bool,
    /// Write PNG copies of the charts beside the SVG ones.
    pub png_charts: bool,
    /// Also write `results-exact.json`, every figure unsuppressed, for the analyst's own
    /// use (`[disclosure] exact_results = true`, or `coprod run --exact-results`).
    pub exact_results: bool,
    /// Breakdowns with more groups than this are summarised in the HTML and Markdown and
    /// written in full to CSV and JSON (default 50).
    pub max_groups_shown: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanFile {
    title: String,
    data: DataFile,
    #[serde(rename = "pilot")]
    pilots: Vec<PilotSpec>,
    #[serde(default)]
    rules: OutcomeRules,
    #[serde(default)]
    equity: EquityFile,
    #[serde(default)]
    disclosure: DisclosureFile,
    social_value: Option<toml::Table>,
    #[serde(default)]
    report: ReportFile,
    period: Option<PeriodFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DataFile {
    participants: PathBuf,
    outcomes: PathBuf,
    participants_sheet: Option<String>,
    outcomes_sheet: Option<String>,
    date_format: Option<String>,
    #[serde(default)]
    instruments: Vec<PathBuf>,
    #[serde(default)]
    survey: Vec<crate::ingest::SurveySource>,
    activities: Option<PathBuf>,
    provision: Option<PathBuf>,
    classification: Option<PathBuf>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EquityFile {
    #[serde(default = "default_dimensions")]
    dimensions: Vec<String>,
    population: Option<PathBuf>,
}

impl Default for EquityFile {
    fn default() -> Self {
        EquityFile { dimensions: default_dimensions(), population: None }
    }
}

fn default_dimensions() -> Vec<String> {
    EQUITY_DIMENSIONS.iter().map(|d| d.to_string()).collect()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct DisclosureFile {
    enabled: bool,
    min_count: u32,
    /// Round counts of people to the nearest multiple of this (5: NHS publication style).
    round_to: Option<u32>,
    protect_extremes: bool,
    /// Also write `results-exact.json`, the unsuppressed figures, for the analyst.
    exact_results: bool,
}

impl Default for DisclosureFile {
    fn default() -> Self {
        DisclosureFile {
            enabled: true,
            min_count: 5,
            round_to: None,
            protect_extremes: false,
            exact_results: false,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct ReportFile {
    organisation: Option<String>,
    show_generated_date: bool,
    png_charts: bool,
    max_groups_shown: usize,
}

impl Default for ReportFile {
    fn default() -> Self {
        ReportFile { organisation: None, show_generated_date: false, png_charts: true, max_groups_shown: 50 }
    }
}

/// The longest pilot id: ids name report files.
const MAX_PILOT_ID: usize = 32;

/// Pilot ids match `[A-Za-z0-9_-]{1,32}`: they become part of file names.
fn valid_pilot_id(id: &str) -> bool {
    (1..=MAX_PILOT_ID).contains(&id.len())
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Plans are small; anything bigger is not a plan (and a huge file should not be parsed).
const MAX_PLAN_BYTES: u64 = 4 * 1024 * 1024;

impl Plan {
    /// Reads and checks a plan file.
    ///
    /// # Errors
    ///
    /// [`Error::Io`](crate::Error::Io) if the file cannot be read, otherwise as
    /// [`Plan::from_toml_str`].
    pub fn load(path: &Path) -> Result<Plan> {
        if path.is_dir() {
            return Err(Error::NotATable {
                file: path.display().to_string(),
                reason: "this is a folder; give the plan file (plan.toml)".to_string(),
            });
        }
        let size = std::fs::metadata(path).map_err(|e| Error::io("read", path, e))?.len();
        if size > MAX_PLAN_BYTES {
            return Err(Error::Toml {
                file: path.display().to_string(),
                reason: format!("the plan is {size} bytes; a plan file is at most {MAX_PLAN_BYTES}"),
            });
        }
        let text = std::fs::read_to_string(path).map_err(|e| Error::io("read", path, e))?;
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut plan = Plan::from_toml_str(&text, &path.display().to_string(), &base)?;
        plan.file = Some(path.to_path_buf());
        Ok(plan)
    }

    /// Parses a plan from text; relative paths are resolved against `base_dir`.
    ///
    /// ```
    /// use coproduction::Plan;
    /// let text = r#"
    /// title = "Pilots"
    /// [data]
    /// participants = "participants.csv"
    /// outcomes = "outcomes.csv"
    /// [[pilot]]
    /// id = "tt"
    /// name = "Talking therapies"
    /// programme = "psychological_therapies"
    /// "#;
    /// let plan = Plan::from_toml_str(text, "plan.toml", "data".as_ref()).unwrap();
    /// assert_eq!(plan.data.participants, std::path::Path::new("data/participants.csv"));
    /// assert!(plan.disclosure.enabled);
    ///
    /// let typo = text.replace("[data]", "[data]\ndate_fromat = \"%d/%m/%Y\"");
    /// let err = Plan::from_toml_str(&typo, "plan.toml", "data".as_ref()).unwrap_err().to_string();
    /// assert!(err.contains("date_fromat") && err.contains("line 4"), "{err}");
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Toml`](crate::Error::Toml) or
    /// [`Error::InvalidData`](crate::Error::InvalidData), naming the key, if the plan is not
    /// valid.
    pub fn from_toml_str(text: &str, label: &str, base_dir: &Path) -> Result<Plan> {
        let toml_error = |reason: String| Error::Toml { file: label.to_string(), reason };
        let file: PlanFile =
            toml::from_str(text).map_err(|e| toml_error(crate::plain_toml::reason(text, &e, "plan")))?;
        let resolve = |p: &Path| if p.is_absolute() { p.to_path_buf() } else { base_dir.join(p) };
        let date_format = match &file.data.date_format {
            Some(f) => f.parse::<DateFormat>()?,
            None => DateFormat::Iso,
        };
        if file.pilots.is_empty() {
            return Err(toml_error("the plan declares no [[pilot]]".to_string()));
        }
        for (i, p) in file.pilots.iter().enumerate() {
            if !valid_pilot_id(&p.id) {
                return Err(toml_error(format!(
                    "pilot id '{}' must be 1 to {MAX_PILOT_ID} characters, each an ASCII letter, digit, '-' or '_' \
                     (pilot ids are used in the report's file names)",
                    p.id.chars().take(MAX_PILOT_ID + 8).collect::<String>()
                )));
            }
            if file.pilots[..i].iter().any(|q| q.id == p.id) {
                return Err(toml_error(format!("pilot id '{}' is declared twice", p.id)));
            }
        }
        for d in &file.equity.dimensions {
            if !EQUITY_DIMENSIONS.contains(&d.as_str()) {
                return Err(toml_error(format!(
                    "unknown equity dimension '{d}': use any of {}",
                    EQUITY_DIMENSIONS.join(", ")
                )));
            }
        }
        if file.disclosure.min_count < 3 {
            return Err(Error::InvalidParameter {
                name: "disclosure.min_count",
                value: file.disclosure.min_count.to_string(),
                reason: "must be at least 3: with 2, a hidden count could only be 1 (set enabled = false to publish unsuppressed figures)",
            });
        }
        let disclosure = if file.disclosure.enabled {
            let mut rule = DisclosureRule::new(file.disclosure.min_count)?;
            if let Some(base) = file.disclosure.round_to {
                rule = rule.rounded(base)?;
            }
            if file.disclosure.protect_extremes {
                rule = rule.protecting_extremes();
            }
            rule
        } else {
            DisclosureRule::off()
        };
        let social_value =
            file.social_value.map(|table| social_value_plan(table, &resolve, label)).transpose()?;
        Ok(Plan {
            title: file.title,
            base_dir: base_dir.to_path_buf(),
            file: None,
            data: DataPlan {
                participants: resolve(&file.data.participants),
                outcomes: resolve(&file.data.outcomes),
                participants_sheet: file.data.participants_sheet,
                outcomes_sheet: file.data.outcomes_sheet,
                date_format,
                instruments: file.data.instruments.iter().map(|p| resolve(p)).collect(),
                surveys: file
                    .data
                    .survey
                    .into_iter()
                    .map(|s| crate::ingest::resolve_survey(s, base_dir))
                    .collect(),
                activities: file.data.activities.as_deref().map(resolve),
                provision: file.data.provision.as_deref().map(resolve),
                classification: file.data.classification.as_deref().map(resolve),
            },
            pilots: file.pilots,
            rules: {
                // The user's ADSM table is found beside the plan, like the data.
                let mut rules = file.rules;
                rules.talking_therapies.adsm = rules.talking_therapies.adsm.as_deref().map(resolve);
                rules
            },
            equity: EquityPlan {
                dimensions: file.equity.dimensions,
                population: file.equity.population.as_deref().map(resolve),
            },
            disclosure,
            social_value,
            report: ReportPlan {
                organisation: file.report.organisation,
                show_generated_date: file.report.show_generated_date,
                png_charts: file.report.png_charts,
                exact_results: file.disclosure.exact_results,
                max_groups_shown: file.report.max_groups_shown,
            },
            period: file.period.as_ref().map(|p| p.resolve(label)).transpose()?,
            memory_limit: None,
        })
    }
}

/// `[social_value]` holds either `impact_map = "file"` or the impact map's keys inline,
/// plus `monte_carlo_draws`, `monte_carlo_seed` and `deflator`.
fn social_value_plan(
    mut table: toml::Table,
    resolve: &dyn Fn(&Path) -> PathBuf,
    label: &str,
) -> Result<SocialValuePlan> {
    let bad =
        |reason: String| Error::Toml { file: label.to_string(), reason: format!("[social_value]: {reason}") };
    let draws = match table.remove("monte_carlo_draws") {
        None => 10_000,
        Some(toml::Value::Integer(n)) if (0..=10_000_000).contains(&n) => n as usize,
        Some(other) => {
            return Err(bad(format!(
                "monte_carlo_draws must be a whole number from 0 to 10,000,000, not {other}"
            )));
        }
    };
    let seed = match table.remove("monte_carlo_seed") {
        None => 20_250_401,
        Some(toml::Value::Integer(n)) if n >= 0 => n as u64,
        Some(other) => {
            return Err(bad(format!("monte_carlo_seed must be a non-negative whole number, not {other}")));
        }
    };
    let deflator = match table.remove("deflator") {
        None => None,
        Some(toml::Value::String(path)) => Some(resolve(Path::new(&path))),
        Some(other) => return Err(bad(format!("deflator must be a file name, not {other}"))),
    };
    let impact_map = match table.remove("impact_map") {
        Some(toml::Value::String(path)) => {
            if !table.is_empty() {
                let keys: Vec<&String> = table.keys().collect();
                return Err(bad(format!(
                    "with impact_map = \"{path}\", the other keys are not allowed: {keys:?}"
                )));
            }
            ImpactMapSource::File(resolve(Path::new(&path)))
        }
        Some(other) => return Err(bad(format!("impact_map must be a file name, not {other}"))),
        None => ImpactMapSource::Inline(table),
    };
    Ok(SocialValuePlan { impact_map, draws, seed, deflator })
}

/// A file name as the report shows it: relative to the plan's folder (with `..` when
/// outside it), so reports do not depend on where the data sat on the evaluator's machine
/// or where the run was started.
pub(crate) fn display_path(file: &str, base: &Path) -> String {
    let path = Path::new(file);
    if base.as_os_str().is_empty() && path.is_relative() {
        return slashes(path);
    }
    if let Ok(rel) = path.strip_prefix(base) {
        return slashes(rel);
    }
    if let (Ok(path), Ok(base)) = (std::fs::canonicalize(path), std::fs::canonicalize(base)) {
        let common = path.components().zip(base.components()).take_while(|(a, b)| a == b).count();
        let mut rel = PathBuf::new();
        for _ in base.components().skip(common) {
            rel.push("..");
        }
        rel.extend(path.components().skip(common));
        return slashes(&rel);
    }
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| file.to_string())
}

/// A relative path with `/` between its parts on every system, `./` dropped.
fn slashes(path: &Path) -> String {
    let parts: Vec<String> = path
        .components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
title = "Community pilots 2025/26"

[data]
participants = "participants.csv"
outcomes = "outcomes.csv"

[[pilot]]
id = "tt"
name = "Talking therapies in faith settings"
programme = "psychological_therapies"
"#;

    #[test]
    fn minimal_plan_has_documented_defaults() {
        let plan = Plan::from_toml_str(MINIMAL, "plan.toml", Path::new("/data")).unwrap();
        assert_eq!(plan.data.outcomes, Path::new("/data/outcomes.csv"));
        assert_eq!(plan.data.date_format, DateFormat::Iso);
        assert_eq!(plan.disclosure, DisclosureRule::new(5).unwrap());
        assert_eq!(plan.equity.dimensions.len(), 6);
        assert!(plan.social_value.is_none());
        assert_eq!(plan.rules.talking_therapies.min_sessions, 2);
    }

    #[test]
    fn unknown_keys_name_the_key_and_line() {
        let text = MINIMAL.replace(
            "programme = \"psychological_therapies\"",
            "programme = \"psychological_therapies\"\nprogramme_typo = 1",
        );
        let err = Plan::from_toml_str(&text, "plan.toml", Path::new(".")).unwrap_err().to_string();
        assert!(err.starts_with("plan.toml: "), "{err}");
        assert!(err.contains("programme_typo") && err.contains("line 12"), "{err}");
        let text = format!("{MINIMAL}\n[rules.talking_therapies]\nmin_session = 3\n");
        let err = Plan::from_toml_str(&text, "plan.toml", Path::new(".")).unwrap_err().to_string();
        assert!(err.contains("min_session"), "{err}");
    }

    #[test]
    fn bad_values_are_explained() {
        let text = MINIMAL.replace("psychological_therapies", "psychotherapy");
        let err = Plan::from_toml_str(&text, "plan.toml", Path::new(".")).unwrap_err().to_string();
        assert!(err.contains("psychotherapy") && err.contains("cardiovascular"), "{err}");
        let text = MINIMAL.replace("[data]", "[data]\ndate_format = \"%y\"");
        let err = Plan::from_toml_str(&text, "plan.toml", Path::new(".")).unwrap_err().to_string();
        assert!(err.contains("date_format"), "{err}");
        let text = format!("{MINIMAL}\n[equity]\ndimensions = [\"religion\"]\n");
        let err = Plan::from_toml_str(&text, "plan.toml", Path::new(".")).unwrap_err().to_string();
        assert!(err.contains("unknown equity dimension 'religion'"), "{err}");
        let text =
            format!("{MINIMAL}\n[[pilot]]\nid = \"tt\"\nname = \"again\"\nprogramme = \"wellbeing\"\n");
        let err = Plan::from_toml_str(&text, "plan.toml", Path::new(".")).unwrap_err().to_string();
        assert!(err.contains("declared twice"), "{err}");
    }

    #[test]
    fn social_value_file_or_inline() {
        let text = format!("{MINIMAL}\n[social_value]\nimpact_map = \"map.toml\"\nmonte_carlo_seed = 7\n");
        let plan = Plan::from_toml_str(&text, "plan.toml", Path::new("d")).unwrap();
        let sv = plan.social_value.unwrap();
        assert_eq!(sv.impact_map, ImpactMapSource::File(PathBuf::from("d/map.toml")));
        assert_eq!((sv.seed, sv.draws), (7, 10_000));
        let text = format!("{MINIMAL}\n[social_value]\nprice_year = 2025\n");
        let plan = Plan::from_toml_str(&text, "plan.toml", Path::new("d")).unwrap();
        assert!(matches!(plan.social_value.unwrap().impact_map, ImpactMapSource::Inline(_)));
        // A deflator series and an ADSM table of the user's, beside the plan.
        let text = format!(
            "{MINIMAL}\n[rules.talking_therapies]\nadsm = \"adsm.toml\"\n[social_value]\nimpact_map = \"map.toml\"\ndeflator = \"deflator.toml\"\n"
        );
        let plan = Plan::from_toml_str(&text, "plan.toml", Path::new("d")).unwrap();
        assert_eq!(plan.social_value.unwrap().deflator, Some(PathBuf::from("d/deflator.toml")));
        assert_eq!(plan.rules.talking_therapies.adsm, Some(PathBuf::from("d/adsm.toml")));
        let text = format!("{MINIMAL}\n[social_value]\nimpact_map = \"map.toml\"\ndeflator = 2025\n");
        let err = Plan::from_toml_str(&text, "plan.toml", Path::new("d")).unwrap_err().to_string();
        assert!(err.contains("deflator must be a file name"), "{err}");
    }

    #[test]
    fn huge_or_deep_toml_is_an_error_not_a_crash() {
        let deep = format!("title = \"x\"\na = {}1{}\n", "[".repeat(5000), "]".repeat(5000));
        assert!(Plan::from_toml_str(&deep, "plan.toml", Path::new(".")).is_err());
    }
}
