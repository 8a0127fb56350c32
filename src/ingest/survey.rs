//! Survey-tool exports (Google Forms, Microsoft Forms, SurveyMonkey, Qualtrics, or any
//! wide CSV): one row per completed questionnaire, a column per question, answers as
//! words. Each row becomes one assessment per instrument in the form, and every assessment
//! goes through the same checks as a canonical outcomes row.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::date::{DateFormat, DateSeparator};
use crate::error::{Error, Result};
use crate::instruments::catalogue::{edit_distance, normalise};

use super::table::{CsvSource, Row, RowSource};
use super::validate::{RowProblem, identifier_str};
use super::{Assessment, DataSet, FileSummary, Ingest, Measure, Setting};

/// The tool that made the export; it sets the header layout and the time stamp format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SurveyTool {
    /// Google Forms: one header row, a `Timestamp` column (`22/04/2025 10:31:05` in a UK
    /// locale).
    GoogleForms,
    /// Microsoft Forms: `ID`, `Start time`, `Completion time` columns.
    MicrosoftForms,
    /// SurveyMonkey: a second header row of answer options; `End Date` in US order.
    Surveymonkey,
    /// Qualtrics: a question-text row and an import-id row under the header; ISO dates.
    Qualtrics,
    /// Any wide CSV with one header row.
    Generic,
}

impl SurveyTool {
    /// The column that dates a submission when the plan names none.
    fn default_date_column(self) -> Option<&'static str> {
        match self {
            SurveyTool::GoogleForms => Some("Timestamp"),
            SurveyTool::MicrosoftForms => Some("Completion time"),
            SurveyTool::Surveymonkey => Some("End Date"),
            SurveyTool::Qualtrics => Some("RecordedDate"),
            SurveyTool::Generic => None,
        }
    }

    /// How the tool writes dates when the plan says nothing.
    fn default_date_format(self) -> DateFormat {
        match self {
            SurveyTool::GoogleForms | SurveyTool::MicrosoftForms => DateFormat::UK,
            SurveyTool::Surveymonkey => DateFormat::MonthDayYear(DateSeparator::Slash),
            SurveyTool::Qualtrics | SurveyTool::Generic => DateFormat::Iso,
        }
    }

    /// Header rows after the first that are not answers.
    fn extra_header_rows(self) -> usize {
        match self {
            SurveyTool::Surveymonkey => 1,
            SurveyTool::Qualtrics => 2,
            _ => 0,
        }
    }
}

/// Where one instrument's items are in the form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SurveyInstrument {
    /// Instrument id (`phq9`).
    pub measure: String,
    /// Item columns by header text, in item order.
    #[serde(default)]
    pub columns: Vec<String>,
    /// Or: every column whose header starts with this text, in file order.
    pub prefix: Option<String>,
    /// Or: item columns by 1-based position in the file.
    #[serde(default)]
    pub positions: Vec<usize>,
    /// The answer-label set to use (default: the built-in set for the instrument).
    pub labels: Option<String>,
}

/// An answer-label set declared in the plan (licensed wording stays with the user).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelSet {
    /// Name used by `labels = "..."`.
    pub name: String,
    /// Answer text and its score.
    pub values: BTreeMap<String, f64>,
}

/// A survey export declared in the plan (`[[data.survey]]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SurveySource {
    /// The CSV file (relative to the plan).
    pub file: PathBuf,
    /// The tool that made it.
    pub tool: SurveyTool,
    /// Header of the participant id column.
    pub participant: String,
    /// A fixed pilot id for every row, or
    pub pilot: Option<String>,
    /// the header of a column holding the pilot id.
    pub pilot_column: Option<String>,
    /// Header of the date column (default: the tool's time stamp column).
    pub date: Option<String>,
    /// Date format (default: the tool's).
    pub date_format: Option<String>,
    /// Header of a "pre or post" column, kept for the reader; pairing uses dates.
    pub timepoint: Option<String>,
    /// The instruments in the form.
    #[serde(rename = "instrument")]
    pub instruments: Vec<SurveyInstrument>,
    /// Answer-label sets for instruments without built-in labels.
    #[serde(default, rename = "labels")]
    pub label_sets: Vec<LabelSet>,
}

/// Built-in answer labels of the public-domain instruments (PHQ-9 and GAD-7: Kroenke et
/// al. 2001, Spitzer et al. 2006, no permission needed; ONS4: GSS harmonised standard).
fn builtin_labels(measure: &str) -> Vec<(String, f64)> {
    match measure {
        "phq9" | "gad7" => [
            ("Not at all", 0.0),
            ("Several days", 1.0),
            ("More than half the days", 2.0),
            ("Nearly every day", 3.0),
        ]
        .iter()
        .map(|(l, v)| (l.to_string(), *v))
        .collect(),
        m if m.starts_with("ons_") => {
            let mut labels = vec![("Not at all".to_string(), 0.0), ("Completely".to_string(), 10.0)];
            labels.push(("0 - Not at all".to_string(), 0.0));
            labels.push(("10 - Completely".to_string(), 10.0));
            labels
        }
        _ => Vec::new(),
    }
}

fn key(label: &str) -> String {
    label.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

struct Resolved {
    measure: Measure,
    columns: Vec<usize>,
    labels: Vec<(String, f64)>,
}

impl Ingest<'_> {
    /// Adds the assessments of a survey export to loaded data. Each survey row yields one
    /// assessment per instrument; a row is accepted when all of its assessments are, and
    /// otherwise every rejected assessment is listed (per file: rows read = rows fully
    /// accepted + rows with at least one rejected assessment).
    pub fn add_survey(&self, data: &mut DataSet, source: &SurveySource) -> Result<()> {
        let label = source.file.display().to_string();
        let file = std::fs::File::open(&source.file).map_err(|e| Error::io("read", &source.file, e))?;
        self.add_survey_reader(data, source, file, &label)
    }

    /// [`Ingest::add_survey`] from any reader.
    pub fn add_survey_reader(
        &self,
        data: &mut DataSet,
        source: &SurveySource,
        input: impl std::io::Read,
        label: &str,
    ) -> Result<()> {
        data.order = std::sync::OnceLock::new();
        let mut csv = CsvSource::new_raw(input, label)?;
        let headers: Vec<String> = csv.headers().to_vec();
        let mut fields = Row::new();
        // Extra header rows: SurveyMonkey's answer options, Qualtrics' question text and
        // import ids. Their text can name a column too.
        let mut extra: Vec<Vec<String>> = Vec::new();
        for _ in 0..source.tool.extra_header_rows() {
            if csv.next_row(&mut fields)? {
                extra.push(fields.iter().map(String::from).collect());
            }
        }
        let names = column_names(source.tool, &headers, &extra);
        let find = |wanted: &str, what: &str| -> Result<usize> {
            let k = key(wanted);
            names.iter().position(|alts| alts.iter().any(|n| key(n) == k)).ok_or_else(|| {
                Error::MissingColumn {
                    file: label.to_string(),
                    column: format!("{wanted} ({what})"),
                    found: headers.iter().take(12).cloned().collect::<Vec<_>>().join(", "),
                }
            })
        };
        let participant_col = find(&source.participant, "participant id")?;
        let pilot_col = source.pilot_column.as_deref().map(|c| find(c, "pilot")).transpose()?;
        if source.pilot.is_none() && pilot_col.is_none() {
            return Err(Error::Toml {
                file: label.to_string(),
                reason: "a survey needs pilot = \"id\" or pilot_column".to_string(),
            });
        }
        let date_name =
            source.date.as_deref().or(source.tool.default_date_column()).ok_or_else(|| Error::Toml {
                file: label.to_string(),
                reason: "a generic survey needs date = \"<column>\"".to_string(),
            })?;
        let date_col = find(date_name, "date")?;
        let date_format = match &source.date_format {
            Some(f) => f.parse::<DateFormat>()?,
            None => source.tool.default_date_format(),
        };
        let instruments = self.resolve_instruments(source, &headers, &names, label)?;

        let mut seen = super::FastMap::default();
        for a in &data.assessments {
            seen.insert((a.participant, a.measure, a.assessed_on), a.row);
        }
        let mut summary =
            FileSummary { file: label.to_string(), rows_read: 0, rows_accepted: 0, rows_rejected: 0 };
        let first_data_row = source.tool.extra_header_rows() as u64;
        let mut items = Vec::new();
        while csv.next_row(&mut fields)? {
            summary.rows_read += 1;
            let row = summary.rows_read;
            // Rows are numbered as the file's data rows, extra header rows included, so a
            // user can find them.
            let file_row = row + first_data_row;
            let problems = self.survey_row(
                data,
                source,
                &instruments,
                &headers,
                &fields,
                (participant_col, pilot_col, date_col),
                date_format,
                file_row,
                &mut seen,
                &mut items,
            );
            if problems.is_empty() {
                summary.rows_accepted += 1;
            } else {
                summary.rows_rejected += 1;
                for p in problems {
                    data.rejects.push(label, file_row, p.column.as_deref(), p.value.as_deref(), p.reason);
                }
            }
        }
        data.warnings.extend(csv.warnings().iter().cloned());
        data.files.push(summary);
        Ok(())
    }

    fn resolve_instruments(
        &self,
        source: &SurveySource,
        headers: &[String],
        names: &[Vec<String>],
        label: &str,
    ) -> Result<Vec<Resolved>> {
        let mut out = Vec::new();
        for spec in &source.instruments {
            let id = spec.measure.to_ascii_lowercase();
            let instrument = self.catalogue.require(&id)?;
            let columns: Vec<usize> = if !spec.columns.is_empty() {
                spec.columns
                    .iter()
                    .map(|c| {
                        let k = key(c);
                        names.iter().position(|alts| alts.iter().any(|n| key(n) == k)).ok_or_else(|| {
                            Error::MissingColumn {
                                file: label.to_string(),
                                column: format!("{c} ({id} item)"),
                                found: headers.iter().take(12).cloned().collect::<Vec<_>>().join(", "),
                            }
                        })
                    })
                    .collect::<Result<_>>()?
            } else if let Some(prefix) = &spec.prefix {
                let p = key(prefix);
                names
                    .iter()
                    .enumerate()
                    .filter(|(_, alts)| alts.iter().any(|n| key(n).starts_with(&p)))
                    .map(|(i, _)| i)
                    .collect()
            } else {
                spec.positions
                    .iter()
                    .map(|&p| {
                        (p >= 1 && p <= headers.len()).then_some(p - 1).ok_or_else(|| {
                            Error::InvalidParameter {
                                name: "positions",
                                value: p.to_string(),
                                reason: "a column position must be between 1 and the number of columns",
                            }
                        })
                    })
                    .collect::<Result<_>>()?
            };
            if columns.len() != instrument.item_count() {
                return Err(Error::Toml {
                    file: label.to_string(),
                    reason: format!(
                        "{id} has {} items but the survey names {} columns for it",
                        instrument.item_count(),
                        columns.len()
                    ),
                });
            }
            let labels = match &spec.labels {
                Some(name) => source
                    .label_sets
                    .iter()
                    .find(|s| &s.name == name)
                    .map(|s| s.values.iter().map(|(k, v)| (k.clone(), *v)).collect())
                    .ok_or_else(|| Error::Unknown {
                        kind: "label set",
                        name: name.clone(),
                        hint: " (declare it under [[data.survey.labels]])".to_string(),
                    })?,
                None => builtin_labels(&id),
            };
            out.push(Resolved { measure: Measure::new(&id), columns, labels });
        }
        Ok(out)
    }

    #[allow(clippy::too_many_arguments)]
    fn survey_row(
        &self,
        data: &mut DataSet,
        source: &SurveySource,
        instruments: &[Resolved],
        headers: &[String],
        fields: &Row,
        (participant_col, pilot_col, date_col): (usize, Option<usize>, usize),
        date_format: DateFormat,
        row: u64,
        seen: &mut super::FastMap<(u32, Measure, crate::date::Date), u64>,
        items: &mut Vec<Option<f64>>,
    ) -> Vec<RowProblem> {
        let cell = |i: usize| fields.get(i).map(|s| s.trim()).filter(|s| !s.is_empty());
        let header = |i: usize| headers.get(i).cloned().unwrap_or_else(|| format!("column {}", i + 1));
        let base = (|| -> Result<(usize, crate::date::Date), RowProblem> {
            let participant_id = identifier_str("participant_id", cell(participant_col))?;
            let pilot_id = match (&source.pilot, pilot_col) {
                (Some(p), _) => p.as_str(),
                (None, Some(c)) => identifier_str("pilot_id", cell(c))?,
                (None, None) => "",
            };
            if let Some(problem) = self.pilot_problem(pilot_id) {
                return Err(problem);
            }
            let participant = data.participant_index(pilot_id, participant_id).ok_or_else(|| {
                RowProblem::cell(
                    "participant_id",
                    participant_id,
                    format!(
                        "participant '{participant_id}' of pilot '{pilot_id}' is not in the participants file"
                    ),
                )
            })?;
            let text = cell(date_col)
                .ok_or_else(|| RowProblem::cell(&header(date_col), "", "the submission has no date"))?;
            let date = super::validate::date(&header(date_col), text, date_format)?;
            Ok((participant, date))
        })();
        let (participant, date) = match base {
            Ok(v) => v,
            Err(p) => return vec![p],
        };
        let mut problems = Vec::new();
        let mut accepted = Vec::new();
        for inst in instruments {
            let Some(instrument) = self.catalogue.get(&inst.measure) else { continue };
            items.clear();
            let mut bad = None;
            for &c in &inst.columns {
                match cell(c) {
                    None => items.push(None),
                    Some(text) => match answer_value(text, &inst.labels) {
                        Ok(v) => items.push(Some(v)),
                        Err(reason) => {
                            bad = Some(RowProblem::cell(&header(c), text, reason));
                            break;
                        }
                    },
                }
            }
            if let Some(p) = bad {
                problems.push(p);
                continue;
            }
            if items.iter().all(Option::is_none) {
                continue; // This instrument was not part of this submission.
            }
            let scored = match instrument.score_items(items) {
                Ok(s) => s,
                Err(p) => {
                    let column = p.item().and_then(|k| inst.columns.get(k - 1)).map(|&c| header(c));
                    problems.push(RowProblem {
                        column,
                        value: None,
                        reason: format!("{}: {p}", inst.measure),
                    });
                    continue;
                }
            };
            let key = (participant as u32, inst.measure, date);
            if let Some(first) = seen.get(&key) {
                problems.push(RowProblem::row(format!(
                    "repeats the {} assessment of this participant on {date} (first at row {first}): a duplicate submission",
                    inst.measure
                )));
                continue;
            }
            accepted.push((key, scored));
        }
        // A row is all or nothing for the accounting, but its valid questionnaires are kept:
        // a misspelt GAD-7 answer should not discard a complete PHQ-9.
        for (key, scored) in accepted {
            seen.insert(key, row);
            data.assessments.push(Assessment {
                participant: key.0,
                measure: key.1,
                assessed_on: key.2,
                score: scored.total,
                raw_score: scored.raw_total,
                prorated: scored.prorated,
                risk_flag: scored.risk_flag,
                setting: Setting::Clinic,
                row,
            });
        }
        problems
    }
}

/// Every name a column can be matched by: its header and, for tools with extra header
/// rows, the text under it (SurveyMonkey carries a question's text over its blank
/// sub-columns).
fn column_names(tool: SurveyTool, headers: &[String], extra: &[Vec<String>]) -> Vec<Vec<String>> {
    let mut last_question = String::new();
    headers
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let mut names = vec![h.clone()];
            for row in extra {
                if let Some(text) =
                    row.get(i).filter(|t| !t.trim().is_empty() && !t.trim_start().starts_with('{'))
                {
                    names.push(text.clone());
                }
            }
            if tool == SurveyTool::Surveymonkey {
                if !h.trim().is_empty() {
                    last_question = h.clone();
                } else if let Some(sub) = extra.first().and_then(|r| r.get(i)) {
                    names.push(format!("{last_question} - {sub}"));
                }
            }
            names
        })
        .collect()
}

/// An answer as a score: a number as written, a label from the set, or "3 - Often" style.
fn answer_value(text: &str, labels: &[(String, f64)]) -> std::result::Result<f64, String> {
    if let Ok(v) = text.parse::<f64>() {
        if v.is_finite() {
            return Ok(v);
        }
    }
    let k = key(text);
    if let Some((_, v)) = labels.iter().find(|(l, _)| key(l) == k) {
        return Ok(*v);
    }
    // "7 - Mostly" or "0 - Not at all": the leading number is the score.
    if let Some((number, _)) = text.split_once(" - ") {
        if let Ok(v) = number.trim().parse::<f64>() {
            return Ok(v);
        }
    }
    let wanted = normalise(text);
    let nearest = labels
        .iter()
        .map(|(l, _)| (edit_distance(&wanted, &normalise(l)), l))
        .min_by_key(|(d, _)| *d)
        .map(|(_, l)| format!(" (did you mean '{l}'?)"))
        .unwrap_or_default();
    Err(format!("answer '{text}' is not a known label{nearest}"))
}

/// Resolves a survey's file path against the plan's folder.
pub(crate) fn resolve(mut source: SurveySource, base: &Path) -> SurveySource {
    if source.file.is_relative() {
        source.file = base.join(&source.file);
    }
    source
}
