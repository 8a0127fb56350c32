//! Survey-tool exports (Google Forms, Microsoft Forms, SurveyMonkey, Qualtrics, or any
//! wide CSV): one row per completed questionnaire, a column per question, answers as
//! words. Each row becomes one assessment per instrument in the form, and every assessment
//! goes through the same checks as a canonical outcomes row.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::date::{DateFormat, DatePattern, DateSeparator};
use crate::error::{Error, Result};
use crate::instruments::catalogue::{edit_distance, normalise};

use super::table::{CsvSource, Row, RowSource};
use super::validate::{RowProblem, identifier_str};
use super::{Assessment, DataSet, FileSummary, Ingest, Measure, Naming, PendingAnswers, Setting};

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

    /// How the tool writes dates when the plan says nothing: each form it is known to
    /// write, told apart by shape (a four-digit year first or last), never by guessing.
    fn default_date_formats(self) -> Vec<DateFormat> {
        match self {
            // "Download responses (.csv)" writes `2025/04/01 8:16:21 PM GMT+1`; the linked
            // Sheet, in a UK locale, `01/04/2025 20:16:21`.
            SurveyTool::GoogleForms => {
                let download = DatePattern::new("%Y/%m/%d").map(DateFormat::Pattern);
                download.into_iter().chain([DateFormat::UK]).collect()
            }
            SurveyTool::MicrosoftForms => vec![DateFormat::UK],
            SurveyTool::Surveymonkey => vec![DateFormat::MonthDayYear(DateSeparator::Slash)],
            SurveyTool::Qualtrics | SurveyTool::Generic => vec![DateFormat::Iso],
        }
    }

    fn name(self) -> &'static str {
        match self {
            SurveyTool::GoogleForms => "Google Forms",
            SurveyTool::MicrosoftForms => "Microsoft Forms",
            SurveyTool::Surveymonkey => "SurveyMonkey",
            SurveyTool::Qualtrics => "Qualtrics",
            SurveyTool::Generic => "the survey",
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
#[non_exhaustive]
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
    /// How numeric answer codes become scores: `"minus_one"` (Qualtrics' default coding,
    /// 1 for the first answer), `"none"` (the codes are the scores), or a map from each
    /// code to its score (`{ "1" = 0, "2" = 1 }`). Codes outside it are rejected.
    pub recode: Option<Recode>,
}

/// How a coded export's numbers become scores (see [`SurveyInstrument::recode`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum Recode {
    /// `"minus_one"` or `"none"`.
    Named(RecodeRule),
    /// Each code and its score.
    Map(BTreeMap<String, f64>),
}

/// A named recode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RecodeRule {
    /// The codes are the scores.
    None,
    /// The score is the code less one (1 to 4 become 0 to 3).
    MinusOne,
}

/// An answer-label set declared in the plan (licensed wording stays with the user).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct LabelSet {
    /// Name used by `labels = "..."`.
    pub name: String,
    /// Answer text and its score.
    pub values: BTreeMap<String, f64>,
}

/// A survey export declared in the plan (`[[data.survey]]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct SurveySource {
    /// The export (relative to the plan): CSV, or a workbook (`.xlsx`, `.xlsm`, `.xls`,
    /// `.ods`), such as Microsoft Forms' own `.xlsx`.
    pub file: PathBuf,
    /// The workbook's sheet to read (default: the first).
    pub sheet: Option<String>,
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
    /// The measure's id, for messages.
    id: String,
    columns: Vec<usize>,
    /// The answer labels, and whether the plan declared them (then they are the only
    /// answers accepted besides a recode's codes).
    labels: Vec<(String, f64)>,
    declared: Option<String>,
    recode: Option<Recode>,
    item_range: (f64, f64),
}

impl Ingest<'_> {
    /// Reads a survey export into loaded data (the ingest stage of [`Ingest::add_survey`]).
    pub(crate) fn read_survey_file(&self, data: &mut DataSet, source: &SurveySource) -> Result<()> {
        let label = source.file.display().to_string();
        if super::workbook::is_workbook(&source.file) {
            // Date cells are written as the first form the survey's dates are read in.
            let format = source_date_formats(source)?.first().copied().unwrap_or_default();
            let mut sheet = super::workbook::WorkbookSource::open(
                &source.file,
                source.sheet.as_deref(),
                &label,
                format,
                false,
            )?;
            return self.read_survey(data, source, &mut sheet, &label);
        }
        let file = std::fs::File::open(&source.file).map_err(|e| Error::io("read", &source.file, e))?;
        self.read_survey_reader(data, source, file, &label)
    }

    /// Reads a survey export from any reader (the ingest stage of
    /// [`Ingest::add_survey_reader`]).
    pub(crate) fn read_survey_reader(
        &self,
        data: &mut DataSet,
        source: &SurveySource,
        input: impl std::io::Read,
        label: &str,
    ) -> Result<()> {
        let mut csv = CsvSource::new_raw(input, label)?;
        self.read_survey(data, source, &mut csv, label)
    }

    fn read_survey(
        &self,
        data: &mut DataSet,
        source: &SurveySource,
        csv: &mut dyn RowSource,
        label: &str,
    ) -> Result<()> {
        data.order = std::sync::OnceLock::new();
        // A data set made without a loader (`DataSet::default()`) learns the names of
        // this catalogue's measures; one loaded with it has them already.
        if data.measures.is_empty() {
            data.measures = self.catalogue.measure_ids().to_vec();
        }
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
        // Each column as a reject names it: its header, or for a grid item under a blank
        // header (SurveyMonkey) the question and the item.
        let display: Vec<String> = headers
            .iter()
            .zip(&names)
            .enumerate()
            .map(|(i, (h, alts))| match alts.last() {
                Some(name) if source.tool == SurveyTool::Surveymonkey && name.contains(" - ") => name.clone(),
                _ if !h.is_empty() => h.clone(),
                Some(name) if !name.trim().is_empty() => name.trim().to_string(),
                _ => format!("column {}", i + 1),
            })
            .collect();
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
            return Err(Error::SurveySettings {
                file: label.to_string(),
                setting: "pilot".to_string(),
                reason: "name the pilot of every row (pilot = \"tt\") or the column that holds it \
                         (pilot_column = \"Pilot\")"
                    .to_string(),
            });
        }
        let date_name = source.date.as_deref().or(source.tool.default_date_column()).ok_or_else(|| {
            Error::SurveySettings {
                file: label.to_string(),
                setting: "date".to_string(),
                reason: "a generic survey needs the column of the submission date: date = \"<column>\""
                    .to_string(),
            }
        })?;
        let date_col = find(date_name, "date")?;
        let date_formats = source_date_formats(source)?;
        let instruments = self.resolve_instruments(source, &headers, &names, label)?;

        let mut summary = FileSummary { file: label.to_string(), ..FileSummary::default() };
        // Each instrument's item columns as the rejects name them, for the score stage.
        let columns = instruments
            .iter()
            .map(|inst| {
                let columns =
                    inst.columns.iter().map(|&c| display.get(c).cloned().unwrap_or_default()).collect();
                (inst.measure, (inst.id.clone(), columns))
            })
            .collect();
        let participant_column = display.get(participant_col).cloned().unwrap_or_default();
        let mut answers = PendingAnswers::new(
            data.assessments.len(),
            data.rejects.len(),
            data.files.len(),
            Naming::Survey { columns, participant_column },
        );
        let mut items = Vec::new();
        let mut blank_rows = Vec::new();
        let mut records = 1 + source.tool.extra_header_rows() as u64;
        while csv.next_row(&mut fields)? {
            records += 1;
            // Rows are numbered as a spreadsheet shows them (the header is row 1).
            let file_row = super::table::row_number(&fields, records);
            // Excel leaves rows of empty cells (`,,,,`) where rows were cleared: they are
            // counted as blank, not read as submissions.
            if super::table::is_blank(&fields) {
                blank_rows.push(file_row);
                continue;
            }
            summary.rows_read += 1;
            let problems = self.survey_row(
                data,
                source,
                &instruments,
                &display,
                &fields,
                (participant_col, pilot_col, date_col),
                &date_formats,
                file_row,
                &mut items,
                &mut answers,
            );
            if problems.is_empty() {
                summary.rows_accepted += 1;
            } else {
                answers.rejected_rows.insert(file_row);
                summary.rows_rejected += 1;
                for p in problems {
                    data.rejects.push(label, file_row, p.column.as_deref(), p.value.as_deref(), p.reason);
                }
            }
        }
        data.warnings.extend(csv.warnings().iter().cloned());
        super::note_blank_rows(data, label, &mut summary, &blank_rows);
        data.files.push(summary);
        // Scored next, by the score stage.
        data.answers = Some(answers);
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
                        (p >= 1 && p <= headers.len()).then_some(p - 1).ok_or_else(|| Error::SurveySettings {
                            file: label.to_string(),
                            setting: format!("positions of {id}"),
                            reason: format!(
                                "position {p} is not a column of the export: its columns are 1 to {}",
                                headers.len()
                            ),
                        })
                    })
                    .collect::<Result<_>>()?
            };
            if columns.len() != instrument.item_count() {
                return Err(Error::SurveySettings {
                    file: label.to_string(),
                    setting: format!("columns of {id}"),
                    reason: format!(
                        "{id} has {} items but the block names {} columns for it",
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
            out.push(Resolved {
                measure: self.catalogue.measure(&id).ok_or_else(|| Error::Unknown {
                    kind: "instrument",
                    name: id.clone(),
                    hint: String::new(),
                })?,
                id: id.clone(),
                columns,
                labels,
                declared: spec.labels.clone(),
                recode: spec.recode.clone(),
                item_range: instrument.item_range(),
            });
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
        date_formats: &[DateFormat],
        row: u64,
        items: &mut Vec<Option<f64>>,
        answers: &mut PendingAnswers,
    ) -> Vec<RowProblem> {
        let cell = |i: usize| fields.get(i).map(|s| s.trim()).filter(|s| !s.is_empty());
        let header = |i: usize| headers.get(i).cloned().unwrap_or_else(|| format!("column {}", i + 1));
        let base = (|| -> Result<(usize, crate::date::Date), RowProblem> {
            let id_column = header(participant_col);
            let participant_id = identifier_str(&id_column, cell(participant_col))?;
            let pilot_id = match (&source.pilot, pilot_col) {
                (Some(p), _) => p.as_str(),
                (None, Some(c)) => identifier_str("pilot_id", cell(c))?,
                (None, None) => "",
            };
            if let Some(problem) = self.pilot_problem(pilot_id) {
                return Err(problem);
            }
            let participant = data.participant_index(pilot_id, participant_id).ok_or_else(|| {
                // An id typed in another letter case is named, not matched: ids are exact.
                let hint = data
                    .participants
                    .iter()
                    .find(|p| &*p.pilot_id == pilot_id && p.participant_id.eq_ignore_ascii_case(participant_id))
                    .map(|p| format!(" (did you mean '{}'?)", p.participant_id))
                    .unwrap_or_default();
                RowProblem::cell(
                    &id_column,
                    participant_id,
                    format!(
                        "participant '{participant_id}' of pilot '{pilot_id}' is not in the participants file{hint}"
                    ),
                )
            })?;
            let text = cell(date_col)
                .ok_or_else(|| RowProblem::cell(&header(date_col), "", "the submission has no date"))?;
            let date = submission_date(source, &header(date_col), text, date_formats)?;
            Ok((participant, date))
        })();
        let (participant, date) = match base {
            Ok(v) => v,
            Err(p) => return vec![p],
        };
        let mut problems = Vec::new();
        let mut accepted = Vec::new();
        for inst in instruments {
            items.clear();
            let mut bad = None;
            for &c in &inst.columns {
                match cell(c) {
                    None => items.push(None),
                    Some(text) => match answer_value(text, inst, source.tool) {
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
            accepted.push((inst.measure, std::mem::take(items)));
        }
        // A row is all or nothing for the accounting, but its valid questionnaires are kept:
        // a misspelt GAD-7 answer should not discard a complete PHQ-9. Scores are the score
        // stage's, and so are repeated submissions, found among scored questionnaires (a
        // form resubmitted after an incomplete one is not a duplicate of it).
        for (measure, answered) in accepted {
            answers.push_items(&answered);
            data.assessments.push(Assessment {
                participant: participant as u32,
                measure,
                assessed_on: date,
                score: f64::NAN,
                raw_score: f64::NAN,
                prorated: false,
                risk_flag: false,
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
pub(crate) fn column_names(tool: SurveyTool, headers: &[String], extra: &[Vec<String>]) -> Vec<Vec<String>> {
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
                }
                // The second row names a grid's items; "Response" marks a single answer.
                let sub = extra.first().and_then(|r| r.get(i)).map(|t| t.trim()).unwrap_or_default();
                if !sub.is_empty() && !sub.ends_with("Response") {
                    names.push(format!("{last_question} - {sub}"));
                }
            }
            names
        })
        .collect()
}

/// The forms a survey's dates are read in: the declared one, or the tool's.
fn source_date_formats(source: &SurveySource) -> Result<Vec<DateFormat>> {
    Ok(match &source.date_format {
        Some(f) => vec![f.parse::<DateFormat>()?],
        None => source.tool.default_date_formats(),
    })
}

/// The submission's date, in the declared format or one of the forms the tool writes.
fn submission_date(
    source: &SurveySource,
    column: &str,
    text: &str,
    formats: &[DateFormat],
) -> std::result::Result<crate::date::Date, RowProblem> {
    let mut first_problem = None;
    for &format in formats {
        match super::validate::date(column, text, format) {
            Ok(date) => return Ok(date),
            Err(p) => {
                first_problem.get_or_insert(p);
            }
        }
    }
    match (source.tool, &source.date_format) {
        (SurveyTool::GoogleForms, None) => Err(RowProblem::cell(
            column,
            text,
            format!(
                "{column} '{text}' is not a time stamp as Google Forms writes it (2025/04/01 8:16:21 PM GMT+1, or 01/04/2025 20:16:21 in a UK-locale Sheet); declare date_format = \"...\" for another locale"
            ),
        )),
        _ => Err(first_problem.unwrap_or_else(|| RowProblem::cell(column, text, "not a valid date"))),
    }
}

/// An answer as a score. Labels come first (a declared label set may use digits as its
/// labels); then the instrument's recode of numeric codes; then a number as written. A
/// value that a declared label set or recode does not cover is never accepted.
fn answer_value(text: &str, inst: &Resolved, tool: SurveyTool) -> std::result::Result<f64, String> {
    let k = key(text);
    if let Some((_, v)) = inst.labels.iter().find(|(l, _)| key(l) == k) {
        return Ok(*v);
    }
    let measure = &inst.id;
    let (min, max) = inst.item_range;
    let number = text.trim().parse::<f64>().ok().filter(|v| v.is_finite());
    let in_range = |v: f64| v >= min && v <= max;
    match (&inst.recode, number) {
        (Some(Recode::Map(map)), _) => {
            return map.iter().find(|(code, _)| key(code) == k).map(|(_, v)| *v).ok_or_else(|| {
                let codes: Vec<&str> = map.keys().map(String::as_str).collect();
                format!(
                    "answer '{text}' is not one of the codes in {measure}'s recode ({})",
                    codes.join(", ")
                )
            });
        }
        (Some(Recode::Named(rule)), Some(code)) => {
            let score = match rule {
                RecodeRule::MinusOne => code - 1.0,
                _ => code,
            };
            if !in_range(score) {
                return Err(format!(
                    "answer '{text}' recoded to {score} is outside {measure}'s answers {min} to {max}: check the recode"
                ));
            }
            return Ok(score);
        }
        (None, Some(code)) => {
            if let Some(set) = &inst.declared {
                return Err(format!(
                    "answer '{text}' is not a label in the set '{set}': add it to the set, or add a recode for numeric codes"
                ));
            }
            if tool == SurveyTool::Qualtrics {
                return Err(format!(
                    "answer '{text}' is a numeric code: Qualtrics codes the first answer 1 by default, so add recode = \"minus_one\" to {measure}'s [[data.survey.instrument]] (or recode = \"none\" if the codes are the scores), or export choice text"
                ));
            }
            if !in_range(code) {
                let fix = if in_range(code - 1.0) && min == 0.0 {
                    format!(
                        ": if {} codes the first answer 1, add recode = \"minus_one\" to {measure}'s [[data.survey.instrument]]",
                        tool.name()
                    )
                } else {
                    String::new()
                };
                return Err(format!("answer '{text}' is outside {measure}'s answers {min} to {max}{fix}"));
            }
            return Ok(code);
        }
        _ => {}
    }
    // "7 - Mostly" or "0 - Not at all": the leading number is the score, unless the plan
    // declared the labels.
    if inst.declared.is_none() {
        if let Some((number, _)) = text.split_once(" - ") {
            if let Ok(v) = number.trim().parse::<f64>() {
                if in_range(v) {
                    return Ok(v);
                }
            }
        }
    }
    // A near miss is a typo worth naming; an answer outside the scale ("Prefer not to
    // say") gets no suggestion, which would invite inventing an answer.
    let wanted = normalise(text);
    let nearest = inst
        .labels
        .iter()
        .map(|(l, _)| (edit_distance(&wanted, &normalise(l)), l))
        .min_by_key(|(d, _)| *d)
        .filter(|(d, l)| *d <= 2 && *d * 4 <= l.len())
        .map(|(_, l)| format!(" (did you mean '{l}'?)"));
    match nearest {
        Some(hint) => Err(format!("answer '{text}' is not a known label{hint}")),
        None => {
            let known: Vec<&str> = inst.labels.iter().map(|(l, _)| l.as_str()).collect();
            let listed = if known.is_empty() { String::new() } else { format!(" ({})", known.join(", ")) };
            Err(format!(
                "answer '{text}' is not one of {measure}'s answers{listed}; an item left unanswered should be blank"
            ))
        }
    }
}

/// Resolves a survey's file path against the plan's folder.
pub(crate) fn resolve(mut source: SurveySource, base: &Path) -> SurveySource {
    if source.file.is_relative() {
        source.file = base.join(&source.file);
    }
    source
}
