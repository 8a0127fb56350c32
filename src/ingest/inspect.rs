//! `coprod survey inspect`: a survey export read the way a person would read it, to write
//! the `[[data.survey]]` block for it. The tool is told by its header layout, the
//! participant and time stamp columns by their names, and the public-domain instruments
//! by their item wording (`instruments/data/item_wording.toml`); what cannot be placed is
//! listed, never guessed into the block.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::survey::{SurveyTool, column_names};
use super::table::{CsvSource, Row, RowSource};
use super::workbook::{WorkbookSource, is_workbook};
use crate::date::DateFormat;
use crate::error::{Error, Result};

const ITEM_WORDING: &str = include_str!("../instruments/data/item_wording.toml");

#[derive(Deserialize)]
struct Wording {
    items: Vec<String>,
}

/// What [`inspect_survey`] found in an export.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct SurveyInspection {
    /// The export, as given.
    pub file: String,
    /// The tool that made it, told by its header layout.
    pub tool: SurveyTool,
    /// The column that most likely holds the participant id.
    pub participant: Option<String>,
    /// The time stamp column the tool writes, when it is there.
    pub timestamp: Option<String>,
    /// Each instrument found, with its item columns in item order (as the survey reader
    /// names them).
    pub instruments: Vec<(String, Vec<String>)>,
    /// Instruments with only some of their items found: (measure, items missing).
    pub incomplete: Vec<(String, Vec<usize>)>,
    /// Columns not placed (neither the tool's own, the participant, the time stamp nor an
    /// item).
    pub unplaced: Vec<String>,
}

/// Reads an export's header rows (CSV or workbook) and recognises what it holds.
///
/// ```
/// let dir = std::env::temp_dir().join(format!("coprod-inspect-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("form.csv");
/// std::fs::write(&path, "Timestamp,Participant ID,How anxious did you feel yesterday?\n\
///                        2025/04/01 8:16:21 PM GMT+1,p1,3\n").unwrap();
/// let found = coproduction::inspect_survey(&path, None).unwrap();
/// assert_eq!(found.tool, coproduction::SurveyTool::GoogleForms);
/// assert_eq!(found.participant.as_deref(), Some("Participant ID"));
/// assert_eq!(found.instruments[0].0, "ons_anxiety");
/// assert!(found.to_toml().contains("[[data.survey.instrument]]"));
/// # std::fs::remove_dir_all(&dir).unwrap();
/// ```
///
/// # Errors
///
/// [`Error::Io`](crate::Error::Io) if the export cannot be read, or a table or workbook error
/// if it is not a table.
pub fn inspect_survey(path: &Path, sheet: Option<&str>) -> Result<SurveyInspection> {
    inspect_survey_with(path, sheet, None)
}

/// [`inspect_survey`] with the item wording of the user's own (licensed) questionnaires:
/// a file of the shape of the bundled `item_wording.toml` (`[measure]` tables with `items`,
/// a distinctive phrase of each item's wording in item order), tried before the bundled
/// public-domain wording. A licensed questionnaire's wording stays with the user who holds
/// the licence: the crate does not ship it.
///
/// ```
/// let dir = std::env::temp_dir().join(format!("coprod-inspect-own-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let (export, wording) = (dir.join("form.csv"), dir.join("wording.toml"));
/// std::fs::write(&export, "Timestamp,Participant ID,1. First own item,2. Second own item\n").unwrap();
/// std::fs::write(&wording, "[zbi12]\nitems = [\"first own item\", \"second own item\"]\n").unwrap();
/// let found = coproduction::inspect_survey_with(&export, None, Some(&wording)).unwrap();
/// assert_eq!(found.instruments[0].0, "zbi12");
/// # std::fs::remove_dir_all(&dir).unwrap();
/// ```
///
/// # Errors
///
/// As [`inspect_survey`]; [`Error::Io`](crate::Error::Io) or [`Error::Toml`](crate::Error::Toml)
/// if the wording file cannot be read or is not of that shape.
pub fn inspect_survey_with(
    path: &Path,
    sheet: Option<&str>,
    own_wording: Option<&Path>,
) -> Result<SurveyInspection> {
    let label = path.display().to_string();
    let mut source: Box<dyn RowSource> = if is_workbook(path) {
        Box::new(WorkbookSource::open(path, sheet, &label, DateFormat::Iso, false)?)
    } else {
        let file = std::fs::File::open(path).map_err(|e| Error::io("read", path, e))?;
        Box::new(CsvSource::new_raw(file, &label)?)
    };
    let headers = source.headers().to_vec();
    // The rows under the header that may be header rows (SurveyMonkey, Qualtrics).
    let mut under = Vec::new();
    let mut row = Row::new();
    for _ in 0..2 {
        if source.next_row(&mut row)? {
            under.push(row.iter().map(String::from).collect::<Vec<String>>());
        }
    }
    let tool = recognise_tool(&headers, &under);
    let extra: Vec<Vec<String>> = under.into_iter().take(tool_extra_rows(tool)).collect();
    let names = column_names(tool, &headers, &extra);
    // How the survey reader will find each column: its header, or for a blank header
    // (a SurveyMonkey grid item) the question and item.
    let display: Vec<String> = headers
        .iter()
        .zip(&names)
        .map(|(h, alts)| match alts.last() {
            Some(name) if tool == SurveyTool::Surveymonkey && name.contains(" - ") => name.clone(),
            _ => h.clone(),
        })
        .collect();
    let texts: Vec<String> = names.iter().map(|alts| normalise(&alts.join(" "))).collect();

    let bundled: BTreeMap<String, Wording> = toml::from_str(ITEM_WORDING)
        .map_err(|e| Error::Toml { file: "item_wording.toml".into(), reason: e.to_string() })?;
    // The user's own wording first, so that their columns are placed before the bundled
    // phrases are looked for.
    let mut wording: Vec<(String, Wording)> = Vec::new();
    if let Some(own) = own_wording {
        let text = std::fs::read_to_string(own).map_err(|e| Error::io("read", own, e))?;
        let file = own.display().to_string();
        let table: BTreeMap<String, Wording> = toml::from_str(&text).map_err(|e| Error::Toml {
            file: file.clone(),
            reason: crate::plain_toml::reason(&text, &e, "item wording file"),
        })?;
        for (measure, w) in &table {
            if w.items.is_empty() || w.items.iter().any(|i| normalise(i).is_empty()) {
                return Err(Error::Toml {
                    file: file.clone(),
                    reason: format!("[{measure}]: items must be phrases of each item's wording, none empty"),
                });
            }
        }
        wording.extend(table);
    }
    wording.extend(bundled);
    let mut placed = vec![false; headers.len()];
    let mut instruments = Vec::new();
    let mut incomplete = Vec::new();
    for (measure, w) in &wording {
        let found: Vec<Option<usize>> = w
            .items
            .iter()
            .map(|item| {
                let item = normalise(item);
                (0..texts.len()).find(|&i| !placed[i] && texts[i].contains(&item))
            })
            .collect();
        let hits = found.iter().flatten().count();
        if hits == 0 {
            continue;
        }
        if hits < found.len() {
            let missing = found.iter().enumerate().filter(|(_, f)| f.is_none()).map(|(k, _)| k + 1).collect();
            incomplete.push((measure.clone(), missing));
            continue;
        }
        let columns: Vec<usize> = found.into_iter().flatten().collect();
        for &c in &columns {
            placed[c] = true;
        }
        instruments.push((
            columns[0],
            measure.clone(),
            columns.iter().map(|&c| display[c].clone()).collect(),
        ));
    }
    // In the order the form asks them.
    instruments.sort();
    let instruments = instruments.into_iter().map(|(_, m, c)| (m, c)).collect();
    let timestamp =
        default_timestamp(tool).and_then(|t| headers.iter().find(|h| h.eq_ignore_ascii_case(t)).cloned());
    // The participant column: a name with "participant" in it first, then one with the
    // word "id", "client" or "reference" (any of a column's names: Qualtrics puts the
    // question text under its Q1).
    let id_like = |name: &str, strong: bool| {
        let words = normalise(name);
        if strong {
            words.contains("participant")
        } else {
            words.split(' ').any(|w| matches!(w, "id" | "client" | "reference" | "ref"))
        }
    };
    let participant = [true, false].into_iter().find_map(|strong| {
        names
            .iter()
            .enumerate()
            .filter(|(i, _)| !placed[*i] && !tool_column(tool, &headers[*i]))
            .find_map(|(i, alts)| alts.iter().find(|n| id_like(n, strong)).map(|n| (i, n.clone())))
    });
    for (i, h) in headers.iter().enumerate() {
        if Some(h) == timestamp.as_ref()
            || participant.as_ref().is_some_and(|(p, _)| *p == i)
            || tool_column(tool, h)
        {
            placed[i] = true;
        }
    }
    let participant = participant.map(|(_, name)| name);
    let unplaced = display.iter().enumerate().filter(|(i, _)| !placed[*i]).map(|(_, h)| h.clone()).collect();
    Ok(SurveyInspection { file: label, tool, participant, timestamp, instruments, incomplete, unplaced })
}

impl SurveyInspection {
    /// The `[[data.survey]]` block to paste into a plan, with what could not be placed
    /// as comments.
    pub fn to_toml(&self) -> String {
        let q = |s: &str| toml::Value::String(s.to_string()).to_string();
        let tool = serde_json::to_value(self.tool).ok().and_then(|v| v.as_str().map(str::to_string));
        let mut out = String::from("[[data.survey]]\n");
        out.push_str(&format!("file = {}\n", q(&self.file)));
        out.push_str(&format!("tool = {}\n", q(tool.as_deref().unwrap_or("generic"))));
        match &self.participant {
            Some(p) => out.push_str(&format!("participant = {}\n", q(p))),
            None => out.push_str(
                "participant = \"\"              # the column holding the participant id: not found\n",
            ),
        }
        out.push_str(
            "pilot = \"\"                    # the pilot this form is for (or pilot_column = \"...\")\n",
        );
        if self.timestamp.is_none() {
            out.push_str("date = \"\"                     # the column dating each submission: not found\n");
        }
        for (measure, columns) in &self.instruments {
            out.push_str("[[data.survey.instrument]]\n");
            out.push_str(&format!("measure = {}\n", q(measure)));
            out.push_str("columns = [\n");
            for c in columns {
                out.push_str(&format!("  {},\n", q(c)));
            }
            out.push_str("]\n");
        }
        for (measure, missing) in &self.incomplete {
            let items: Vec<String> = missing.iter().map(usize::to_string).collect();
            out.push_str(&format!("# {measure}: items {} not found, so it is left out\n", items.join(", ")));
        }
        if !self.unplaced.is_empty() {
            out.push_str("# Not placed (add an instrument with labels for a licensed questionnaire):\n");
            for c in &self.unplaced {
                out.push_str(&format!("#   {}\n", q(c)));
            }
        }
        out
    }
}

/// Lower-case words of letters and digits, single spaces: numbering and punctuation
/// do not matter.
fn normalise(text: &str) -> String {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

fn recognise_tool(headers: &[String], under: &[Vec<String>]) -> SurveyTool {
    let has = |name: &str| headers.iter().any(|h| h.eq_ignore_ascii_case(name));
    let import_ids = under.iter().any(|r| r.iter().any(|c| c.contains("ImportId")));
    if (has("ResponseId") || has("ResponseID")) && has("StartDate") || import_ids {
        SurveyTool::Qualtrics
    } else if has("Respondent ID") && has("Collector ID") {
        SurveyTool::Surveymonkey
    } else if has("Start time") && has("Completion time") {
        SurveyTool::MicrosoftForms
    } else if headers.first().is_some_and(|h| h.eq_ignore_ascii_case("Timestamp")) {
        SurveyTool::GoogleForms
    } else {
        SurveyTool::Generic
    }
}

fn tool_extra_rows(tool: SurveyTool) -> usize {
    match tool {
        SurveyTool::Surveymonkey => 1,
        SurveyTool::Qualtrics => 2,
        _ => 0,
    }
}

fn default_timestamp(tool: SurveyTool) -> Option<&'static str> {
    match tool {
        SurveyTool::GoogleForms => Some("Timestamp"),
        SurveyTool::MicrosoftForms => Some("Completion time"),
        SurveyTool::Surveymonkey => Some("End Date"),
        SurveyTool::Qualtrics => Some("RecordedDate"),
        _ => None,
    }
}

/// The columns a tool adds to every export (ids of the response, not of the person).
fn tool_column(tool: SurveyTool, header: &str) -> bool {
    let own: &[&str] = match tool {
        SurveyTool::MicrosoftForms => {
            &["ID", "Start time", "Completion time", "Email", "Name", "Last modified time"]
        }
        SurveyTool::Surveymonkey => &[
            "Respondent ID",
            "Collector ID",
            "Start Date",
            "End Date",
            "IP Address",
            "Email Address",
            "First Name",
            "Last Name",
            "Custom Data 1",
        ],
        SurveyTool::Qualtrics => &[
            "StartDate",
            "EndDate",
            "Status",
            "IPAddress",
            "Progress",
            "Duration (in seconds)",
            "Finished",
            "RecordedDate",
            "ResponseId",
            "RecipientLastName",
            "RecipientFirstName",
            "RecipientEmail",
            "ExternalReference",
            "LocationLatitude",
            "LocationLongitude",
            "DistributionChannel",
            "UserLanguage",
        ],
        SurveyTool::GoogleForms => &["Email Address", "Score"],
        _ => &[],
    };
    own.iter().any(|o| o.eq_ignore_ascii_case(header))
}
