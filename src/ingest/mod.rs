//! Loading participants and assessments: CSV, Parquet and polars frames in, typed tables
//! and a [`Rejects`] log out.
//!
//! Every data row read is either accepted or listed in the rejects with its reason, per
//! file: `rows_read == rows_accepted + rows_rejected`, always. A problem with a whole file
//! (not CSV, no header, a required column missing) is an [`Error`]; a problem with a row
//! never is.

mod answers;
mod dataset;
#[cfg(feature = "polars")]
mod frame;
mod index;
mod inspect;
mod model;
mod period;
mod population;
mod rejects;
mod sources;
mod survey;
mod table;
mod usable;
mod validate;
mod workbook;

use std::collections::BTreeSet;
use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::sync::{Arc, OnceLock};

#[cfg(feature = "polars")]
use polars::prelude::{DataFrame, ParquetReader, SerReader};

use crate::date::DateFormat;
use crate::error::{Error, Result};
use crate::instruments::{Catalogue, Instrument};

pub(crate) use answers::{Naming, PendingAnswers, RowAnswers, Unscored};
pub use dataset::DataSet;
pub(crate) use index::{FastMap, SharedText};
pub use inspect::{SurveyInspection, inspect_survey, inspect_survey_with};
pub(crate) use model::AssessmentOrder;
pub use model::{AgeBand, Assessment, Measure, Participant, Setting};
pub use population::Population;
pub use rejects::{FileSummary, Reject, Rejects, neutralise_formula};
pub(crate) use survey::resolve as resolve_survey;
pub use survey::{LabelSet, Recode, RecodeRule, SurveyInstrument, SurveySource, SurveyTool};
pub use validate::MAX_TEXT_CHARS;
pub(crate) use validate::bounded_text;

#[cfg(feature = "polars")]
use frame::FrameSource;
use sources::{Counted, is_parquet};
pub(crate) use sources::{check_table_header, table_size};
pub(crate) use table::SheetRows;
use table::{CsvSource, Row, Rows, check_rows};
pub(crate) use usable::unusable_inputs;
use validate::{ParticipantColumns, RowProblem, cell, field_count, identifier_str, number};
use workbook::WorkbookSource;
pub(crate) use workbook::{is_workbook, workbook_rows};

/// Loads evaluation data, configured builder-style.
///
/// ```
/// use coproduction::{Catalogue, Ingest};
///
/// let participants = "participant_id,pilot_id,age\np1,tt,34\np2,tt,abc\n";
/// let outcomes = "participant_id,pilot_id,measure,assessed_on,score\n\
///                 p1,tt,phq9,2025-01-10,15\np1,tt,phq9,2025-03-01,7\np1,tt,phq9,2025-03-01,8\n";
/// let data = Ingest::new(Catalogue::builtin())
///     .pilots(["tt"])
///     .load_readers(participants.as_bytes(), "participants.csv", outcomes.as_bytes(), "outcomes.csv")
///     .unwrap();
/// // A bad age is a cell, not a person: p2 is kept with the age unknown.
/// assert_eq!(data.participants().len(), 2);
/// assert_eq!(data.files()[0].cells_blanked, 1);
/// assert_eq!(data.assessments().len(), 2);
/// // Every row is accounted for: one duplicate assessment.
/// assert_eq!(data.rejects().len(), 1);
/// assert_eq!(data.files()[1].rows_read, 3);
/// ```
#[derive(Debug, Clone)]
pub struct Ingest<'c> {
    catalogue: &'c Catalogue,
    date_format: DateFormat,
    pilots: Option<BTreeSet<String>>,
    /// Workbook sheets of the participants and outcomes files.
    sheets: (Option<String>, Option<String>),
    bytes_read: Option<Arc<std::sync::atomic::AtomicU64>>,
    lines_read: Option<Arc<std::sync::atomic::AtomicU64>>,
}

impl<'c> Ingest<'c> {
    /// A loader that checks measures against `catalogue`, reads ISO dates and accepts any
    /// pilot id.
    pub fn new(catalogue: &'c Catalogue) -> Ingest<'c> {
        Ingest {
            catalogue,
            date_format: DateFormat::Iso,
            pilots: None,
            bytes_read: None,
            lines_read: None,
            sheets: (None, None),
        }
    }

    /// Adds the bytes read from each CSV file to `counter` as they are read, so a program
    /// can show how far a long load has gone (the library prints nothing).
    pub fn count_bytes(mut self, counter: Arc<std::sync::atomic::AtomicU64>) -> Ingest<'c> {
        self.bytes_read = Some(counter);
        self
    }

    /// Adds the line breaks read from each CSV file to `counter` (about one a row), beside
    /// [`Ingest::count_bytes`], which must also be set.
    pub fn count_lines(mut self, counter: Arc<std::sync::atomic::AtomicU64>) -> Ingest<'c> {
        self.lines_read = Some(counter);
        self
    }

    /// The format of every date in the files (default ISO).
    pub fn date_format(mut self, format: DateFormat) -> Ingest<'c> {
        self.date_format = format;
        self
    }

    /// The pilots of the plan: rows naming any other pilot are rejected.
    pub fn pilots<I, S>(mut self, ids: I) -> Ingest<'c>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.pilots = Some(ids.into_iter().map(Into::into).collect());
        self
    }

    /// The catalogue the data is checked and scored against.
    pub(crate) fn catalogue(&self) -> &'c Catalogue {
        self.catalogue
    }

    /// A data set with no rows, naming the measures of this loader's catalogue.
    fn empty_data(&self) -> DataSet {
        DataSet { measures: self.catalogue.measure_ids().to_vec(), ..DataSet::default() }
    }

    /// Reads two files, each CSV, Parquet or a workbook (by extension): the ingest stage of
    /// [`Ingest::load_paths`]; the outcomes file's assessments wait for the score stage.
    pub(crate) fn read_paths(&self, participants: &Path, outcomes: &Path) -> Result<DataSet> {
        let mut data = self.empty_data();
        // Room for every row the files can hold, reserved up front: growing a table of
        // millions of rows by doubling copies it again and again. Only the rows stored
        // take memory; the rest is address space.
        let most_rows = |path: &Path, shortest_row: u64| {
            let bytes = std::fs::metadata(path).map_or(0, |m| m.len());
            usize::try_from(bytes / shortest_row).unwrap_or(0)
        };
        // Best effort: where the address space is short, the tables grow as they go.
        let _ = data.participants.try_reserve(most_rows(participants, 16));
        let _ = data.assessments.try_reserve(most_rows(outcomes, 24));
        let (p_sheet, o_sheet) = (self.sheets.0.as_deref(), self.sheets.1.as_deref());
        let label = sheet_label(participants, p_sheet);
        self.with_source(participants, p_sheet, |source| self.read_participants(&mut data, source, &label))?;
        let label = sheet_label(outcomes, o_sheet);
        self.with_source(outcomes, o_sheet, |source| self.read_outcomes(&mut data, source, &label))?;
        Ok(data)
    }

    /// The sheets to read when the participants or outcomes file is a workbook (the
    /// first sheet when `None`).
    ///
    /// ```
    /// use coproduction::{Catalogue, Ingest};
    /// let ingest = Ingest::new(Catalogue::builtin()).sheets(Some("People"), Some("Scores"));
    /// # let _ = ingest;
    /// ```
    pub fn sheets(mut self, participants: Option<&str>, outcomes: Option<&str>) -> Ingest<'c> {
        self.sheets = (participants.map(str::to_string), outcomes.map(str::to_string));
        self
    }

    /// Reads CSV text from two readers (the ingest stage of [`Ingest::load_readers`]).
    pub(crate) fn read_readers(
        &self,
        participants: impl Read,
        participants_label: &str,
        outcomes: impl Read,
        outcomes_label: &str,
    ) -> Result<DataSet> {
        let mut data = self.empty_data();
        let mut source = CsvSource::new(participants, participants_label)?;
        self.read_participants(&mut data, Rows::Here(&mut source), participants_label)?;
        let mut source = CsvSource::new(outcomes, outcomes_label)?;
        self.read_outcomes(&mut data, Rows::Here(&mut source), outcomes_label)?;
        Ok(data)
    }

    #[cfg(feature = "polars")]
    /// Reads two polars frames (the ingest stage of [`Ingest::load_frames`]).
    pub(crate) fn read_frames(&self, participants: &DataFrame, outcomes: &DataFrame) -> Result<DataSet> {
        let mut data = self.empty_data();
        let mut source = FrameSource::new(participants, "participants frame", self.date_format)?;
        self.read_participants(&mut data, Rows::Ahead(&mut source), "participants frame")?;
        let mut source = FrameSource::new(outcomes, "outcomes frame", self.date_format)?;
        self.read_outcomes(&mut data, Rows::Ahead(&mut source), "outcomes frame")?;
        Ok(data)
    }

    fn with_source(
        &self,
        path: &Path,
        sheet: Option<&str>,
        read: impl FnOnce(Rows<'_>) -> Result<()>,
    ) -> Result<()> {
        let label = sheet_label(path, sheet);
        if path.is_dir() {
            return Err(Error::NotATable { file: label, reason: "this is a folder, not a file".to_string() });
        }
        let file = File::open(path).map_err(|e| Error::io("read", path, e))?;
        if is_parquet(path) {
            #[cfg(feature = "polars")]
            {
                let frame = ParquetReader::new(file)
                    .finish()
                    .map_err(|e| Error::Parquet { file: label.clone(), source: Box::new(e) })?;
                read(Rows::Ahead(&mut FrameSource::new(&frame, &label, self.date_format)?))
            }
            #[cfg(not(feature = "polars"))]
            {
                drop(file);
                Err(Error::Parquet {
                    file: label,
                    source: "this build has no Parquet support (feature `polars`)".into(),
                })
            }
        } else if workbook::is_workbook(path) {
            drop(file);
            read(Rows::Ahead(&mut WorkbookSource::open(path, sheet, &label, self.date_format, true)?))
        } else {
            match &self.bytes_read {
                Some(counter) => {
                    let counted =
                        Counted { inner: file, counter: Arc::clone(counter), lines: self.lines_read.clone() };
                    read(Rows::Ahead(&mut CsvSource::new(counted, &label)?))
                }
                None => read(Rows::Ahead(&mut CsvSource::new(file, &label)?)),
            }
        }
    }

    fn pilot_problem(&self, pilot: &str) -> Option<RowProblem> {
        let known = self.pilots.as_ref()?;
        if known.contains(pilot) {
            return None;
        }
        let list: Vec<&str> = known.iter().map(String::as_str).collect();
        // Ids are matched exactly (never guessed), but a slip of case or spacing is named.
        let hint = list
            .iter()
            .find(|id| id.eq_ignore_ascii_case(pilot.trim()))
            .map_or_else(String::new, |id| format!(" (did you mean '{id}'? pilot ids are case-sensitive)"));
        Some(RowProblem::cell(
            "pilot_id",
            pilot,
            format!("unknown pilot '{pilot}'{hint}: the plan's pilots are {}", list.join(", ")),
        ))
    }

    fn read_participants(&self, data: &mut DataSet, rows: Rows<'_>, label: &str) -> Result<()> {
        data.order = OnceLock::new();
        let columns = ParticipantColumns::new(rows.headers(), label)?;
        note_ignored_columns(data, label, rows.headers(), |h| validate::PARTICIPANT_COLUMNS.contains(&h));
        let mut summary = FileSummary { file: label.to_string(), ..FileSummary::default() };
        // The row each participant of this file was read from, by participant index.
        let start = data.participants.len();
        let mut first_row: Vec<u64> = Vec::new();
        let mut shared = SharedText::default();
        // Each row is checked on its own (on the checking thread); a rejected row keeps its
        // id, so that its assessments can be told apart from unknown participants.
        let mut data_row = 0;
        let mut blank_rows = Vec::new();
        let check = |fields: &Row| {
            data_row += 1;
            let row = table::row_number(fields, data_row);
            if table::is_blank(fields) {
                return (row, None);
            }
            let mut blanked = Vec::new();
            let checked = columns
                .participant(fields, self.date_format, &mut shared, &mut blanked)
                .and_then(|p| self.pilot_problem(&p.pilot_id).map_or(Ok(p), Err))
                .map_err(|problem| (problem, columns.id_cell(fields).map(str::to_string)));
            (row, Some((checked, blanked)))
        };
        type Checked = Option<(Result<Participant, (RowProblem, Option<String>)>, Vec<RowProblem>)>;
        let mut blanked_cells = Vec::new();
        let keep = |(row, checked): (u64, Checked)| {
            let Some((checked, blanked)) = checked else {
                blank_rows.push(row);
                return;
            };
            if checked.is_ok() {
                blanked_cells.extend(blanked.into_iter().map(|p| (row, p)));
            }
            summary.rows_read += 1;
            // A participant already listed is found as the new one is indexed.
            let outcome = checked.and_then(|p| {
                data.participants.push(p);
                let index = data.participants.len() - 1;
                match data.index.insert_new(&data.participants, index) {
                    Ok(()) => Ok(()),
                    Err(earlier) => {
                        let first = earlier.checked_sub(start).and_then(|i| first_row.get(i)).copied();
                        let p = &data.participants[index];
                        let id = p.participant_id.clone();
                        // The earlier listing is in this file (with its row) or in a file
                        // read before it.
                        let place = match first {
                            Some(row) => format!("at row {row}"),
                            None => "in an earlier participants file".to_string(),
                        };
                        let problem = RowProblem::cell(
                            "participant_id",
                            &p.participant_id,
                            format!(
                                "participant '{}' of pilot '{}' is already listed {place}",
                                p.participant_id, p.pilot_id,
                            ),
                        );
                        data.participants.truncate(index);
                        Err((problem, Some(id)))
                    }
                }
            });
            match outcome {
                Ok(()) => {
                    first_row.push(row);
                    summary.rows_accepted += 1;
                }
                Err((problem, id)) => {
                    if let Some(id) = id {
                        data.rejected_ids.insert(id);
                    }
                    data.rejects.push(
                        label,
                        row,
                        problem.column.as_deref(),
                        problem.value.as_deref(),
                        problem.reason,
                    );
                    summary.rows_rejected += 1;
                }
            }
        };
        let warnings = check_rows(rows, check, keep)?;
        data.warnings.extend(warnings);
        note_blank_rows(data, label, &mut summary, &blank_rows);
        note_blanked_cells(data, label, &mut summary, &blanked_cells);
        data.files.push(summary);
        Ok(())
    }

    fn read_outcomes(&self, data: &mut DataSet, rows: Rows<'_>, label: &str) -> Result<()> {
        let headers = rows.headers().to_vec();
        let columns = OutcomeColumns::new(&headers, label)?;
        note_ignored_columns(data, label, &headers, |h| {
            ["participant_id", "pilot_id", "measure", "assessed_on", "score", "setting"].contains(&h)
                || item_number(h).is_some()
        });
        let mut summary = FileSummary { file: label.to_string(), ..FileSummary::default() };
        let (first_assessment, first_reject) = (data.assessments.len(), data.rejects.len());
        // Rows are checked against the participants (read only, on the checking thread)
        // while the accepted ones are stored here: the tables written to are moved out of
        // the data set for the read, and back after it.
        let mut assessments = std::mem::take(&mut data.assessments);
        let mut answers =
            PendingAnswers::new(first_assessment, first_reject, data.files.len(), Naming::Canonical);
        answers.reserve(assessments.capacity() - assessments.len());
        let mut rejects = Rejects::new();
        let mut blank_rows = Vec::new();
        let checked = {
            let participants: &DataSet = data;
            let mut state = OutcomeState::new(self.catalogue);
            let mut data_row = 0;
            let check = |fields: &Row| {
                data_row += 1;
                let row = table::row_number(fields, data_row);
                if table::is_blank(fields) {
                    return (row, None);
                }
                (row, Some(self.outcome_row(participants, &columns, &mut state, fields, row)))
            };
            type Checked = Option<Result<(Assessment, RowAnswers), RowProblem>>;
            let keep = |(row, checked): (u64, Checked)| {
                let Some(checked) = checked else {
                    blank_rows.push(row);
                    return;
                };
                summary.rows_read += 1;
                match checked {
                    Ok((assessment, row_answers)) => {
                        assessments.push(assessment);
                        answers.push(&row_answers);
                        summary.rows_accepted += 1;
                    }
                    Err(problem) => {
                        rejects.push(
                            label,
                            row,
                            problem.column.as_deref(),
                            problem.value.as_deref(),
                            problem.reason,
                        );
                        summary.rows_rejected += 1;
                    }
                }
            };
            check_rows(rows, check, keep)
        };
        data.assessments = assessments;
        data.rejects.append(rejects);
        let warnings = checked?;
        data.warnings.extend(warnings);
        note_blank_rows(data, label, &mut summary, &blank_rows);
        data.files.push(summary);
        // Scored next, by the score stage; repeats are rejected once the rows are scored.
        data.answers = Some(answers);
        Ok(())
    }

    /// Rejects every assessment that repeats an earlier scored row's participant, measure
    /// and date. Done once the file is read and scored, on the order pairing uses, so that
    /// no table the size of the file is kept while reading.
    fn reject_repeats(&self, data: &mut DataSet, file: usize, start: usize) {
        let label = data.files.get(file).map(|f| f.file.clone()).unwrap_or_default();
        let label = label.as_str();
        let start = start.min(data.assessments.len());
        let loaded = &data.assessments[start..];
        let order = AssessmentOrder::new(loaded, data.participants.len(), &data.measures);
        let mut repeat = vec![false; loaded.len()];
        let mut any = false;
        for run in order.all().chunk_by(|&a, &b| {
            let (a, b) = (&loaded[a as usize], &loaded[b as usize]);
            a.participant == b.participant && a.assessed_on == b.assessed_on && a.measure == b.measure
        }) {
            let first = &loaded[run[0] as usize];
            for &later in &run[1..] {
                let a = &loaded[later as usize];
                repeat[later as usize] = true;
                any = true;
                data.rejects.push(
                    label,
                    a.row,
                    Some("assessed_on"),
                    Some(&a.assessed_on.format(self.date_format)),
                    format!(
                        "repeats the {} assessment of participant '{}' on {} (first at row {})",
                        data.measure_id(a.measure),
                        data.participants[a.participant as usize].participant_id,
                        a.assessed_on,
                        first.row
                    ),
                );
                if let Some(summary) = data.files.get_mut(file) {
                    summary.rows_accepted = summary.rows_accepted.saturating_sub(1);
                    summary.rows_rejected += 1;
                }
            }
        }
        if any {
            let mut index = 0;
            data.assessments.retain(|_| {
                let keep = index < start || !repeat[index - start];
                index += 1;
                keep
            });
        }
        // When the file holds every assessment and none was removed, the order just made
        // is the one pairing needs.
        data.order = OnceLock::new();
        if start == 0 && !any {
            let _ = data.order.set(order);
        }
    }

    fn outcome_row(
        &self,
        data: &DataSet,
        columns: &OutcomeColumns,
        state: &mut OutcomeState,
        fields: &Row,
        row: u64,
    ) -> Result<(Assessment, RowAnswers), RowProblem> {
        field_count(fields, columns.width)?;
        let participant_id = identifier_str("participant_id", cell(fields, Some(columns.participant)))?;
        let pilot_id = identifier_str("pilot_id", cell(fields, Some(columns.pilot)))?;
        // Files list a participant's assessments together, and usually in the order of the
        // participants file: the last row's participant, then the next one, are tried
        // before the id is looked up.
        let is = |i: usize| {
            data.participants
                .get(i)
                .is_some_and(|p| p.participant_id == participant_id && &*p.pilot_id == pilot_id)
        };
        let last = state.last_participant;
        let participant = match last.filter(|&i| is(i)) {
            Some(i) => Some(i),
            None => {
                if let Some(problem) = self.pilot_problem(pilot_id) {
                    return Err(problem);
                }
                let next = last.map_or(0, |i| i + 1);
                let found =
                    if is(next) { Some(next) } else { data.participant_index(pilot_id, participant_id) };
                state.last_participant = found.or(last);
                found
            }
        };
        let Some(participant) = participant else {
            let why = if data.rejected_ids.contains(participant_id) {
                " (its row there was rejected)".to_string()
            } else {
                state
                    .other_case(data, pilot_id, participant_id)
                    .map_or_else(String::new, |id| format!(" (did you mean '{id}'?)"))
            };
            let file = data.files.last().map_or("the participants file", |f| f.file.as_str());
            return Err(RowProblem::cell(
                "participant_id",
                participant_id,
                format!("participant '{participant_id}' of pilot '{pilot_id}' is not in {file}{why}"),
            ));
        };
        let measure_text = cell(fields, Some(columns.measure)).unwrap_or("");
        let (measure, instrument) = state.measure(self.catalogue, measure_text)?;
        let Some(date_text) = cell(fields, Some(columns.assessed_on)) else {
            return Err(RowProblem::cell(
                "assessed_on",
                "",
                "assessed_on is empty; every assessment needs a date",
            ));
        };
        let assessed_on = validate::date("assessed_on", date_text, self.date_format)?;

        // The total given and the items as read; cells past the instrument's items must be
        // empty. What the numbers mean is the score stage's.
        let mut answers = RowAnswers::new(None);
        for (k, index, name) in &columns.items {
            let (k, name) = (*k, name.as_str());
            let Some(text) = cell(fields, Some(*index)) else { continue };
            if k > instrument.item_count() {
                return Err(RowProblem::cell(
                    name,
                    text,
                    format!(
                        "{} has {} items, but {name} has a value",
                        instrument.id(),
                        instrument.item_count()
                    ),
                ));
            }
            answers.set(k, Some(number(name, text)?));
        }
        answers.given = cell(fields, columns.score).map(|text| number("score", text)).transpose()?;
        if answers.given.is_none() && !answers.any_item() {
            return Err(RowProblem::row(format!(
                "both score and items are empty for this {} assessment",
                instrument.id()
            )));
        }
        let setting_text = cell(fields, columns.setting).unwrap_or("");
        let Some(setting) = Setting::parse(setting_text) else {
            return Err(RowProblem::cell(
                "setting",
                setting_text,
                format!("setting '{setting_text}' is not one of clinic, home, ambulatory"),
            ));
        };
        // Scores are the score stage's: the assessment waits for them, with the total as
        // entered (if any) in its raw score.
        let assessment = Assessment {
            participant: participant as u32,
            measure,
            assessed_on,
            score: f64::NAN,
            raw_score: answers.given.unwrap_or(f64::NAN),
            prorated: false,
            risk_flag: false,
            setting,
            row,
        };
        Ok((assessment, answers))
    }
}

/// Extra columns are allowed (exports carry notes and time stamps) but named, so a
/// misspelt optional column ("imd decile") does not vanish silently.
/// A table's name in messages: the file, and the sheet when one is named (two sheets of
/// one workbook are two tables).
fn sheet_label(path: &Path, sheet: Option<&str>) -> String {
    match sheet {
        Some(sheet) => format!("{} [{sheet}]", path.display()),
        None => path.display().to_string(),
    }
}

/// Counts a file's blank rows and lists them once in the data-quality notes.
pub(crate) fn note_blank_rows(data: &mut DataSet, label: &str, summary: &mut FileSummary, rows: &[u64]) {
    summary.rows_blank = rows.len() as u64;
    data.warnings.extend(blank_rows_note(label, rows));
}

/// Most blanked cells listed one by one per file; the rest are counted.
const BLANKED_CELLS_LISTED: usize = 20;

/// Counts the cells of accepted rows set to unknown, and lists them as warnings.
fn note_blanked_cells(
    data: &mut DataSet,
    label: &str,
    summary: &mut FileSummary,
    cells: &[(u64, RowProblem)],
) {
    summary.cells_blanked = cells.len() as u64;
    for (row, problem) in cells.iter().take(BLANKED_CELLS_LISTED) {
        let column = problem.column.as_deref().unwrap_or("a cell");
        data.warnings.push(format!(
            "{label} row {row}: {}; the participant is kept with {column} unknown",
            problem.reason
        ));
    }
    if cells.len() > BLANKED_CELLS_LISTED {
        data.warnings.push(format!(
            "{label}: {} more invalid optional cells set to unknown (cells_blanked = {})",
            cells.len() - BLANKED_CELLS_LISTED,
            cells.len()
        ));
    }
}

/// The data-quality note for a file's blank rows (every cell empty), listed once.
fn blank_rows_note(label: &str, rows: &[u64]) -> Option<String> {
    if rows.is_empty() {
        return None;
    }
    let shown: Vec<String> = rows.iter().take(10).map(u64::to_string).collect();
    let more = if rows.len() > 10 { format!(" and {} more", rows.len() - 10) } else { String::new() };
    Some(format!(
        "{label}: {} blank row{} (every cell empty) skipped, not rejected: row{} {}{more}",
        rows.len(),
        if rows.len() == 1 { "" } else { "s" },
        if rows.len() == 1 { "" } else { "s" },
        shown.join(", ")
    ))
}

fn note_ignored_columns(data: &mut DataSet, label: &str, headers: &[String], known: impl Fn(&str) -> bool) {
    let ignored: Vec<&str> = headers.iter().map(String::as_str).filter(|h| !known(h)).collect();
    if !ignored.is_empty() {
        let shown: Vec<String> = ignored
            .iter()
            .take(10)
            .map(|h| format!("'{}'", h.chars().take(40).collect::<String>()))
            .collect();
        let more =
            if ignored.len() > 10 { format!(" and {} more", ignored.len() - 10) } else { String::new() };
        data.warnings.push(format!("{label}: ignored column(s) {}{more}", shown.join(", ")));
    }
}

fn item_number(header: &str) -> Option<usize> {
    let k: usize = header.strip_prefix("item_")?.parse().ok()?;
    (1..=1000).contains(&k).then_some(k)
}

struct OutcomeColumns {
    participant: usize,
    pilot: usize,
    measure: usize,
    assessed_on: usize,
    score: Option<usize>,
    setting: Option<usize>,
    /// (item number, column index, column name)
    items: Vec<(usize, usize, String)>,
    width: usize,
}

impl OutcomeColumns {
    fn new(headers: &[String], file: &str) -> Result<OutcomeColumns> {
        let columns =
            validate::Columns::new(headers, file, &["participant_id", "pilot_id", "measure", "assessed_on"])?;
        let items: Vec<(usize, usize, String)> = headers
            .iter()
            .enumerate()
            .filter_map(|(i, h)| item_number(h).map(|k| (k, i, h.clone())))
            .collect();
        let score = columns.index("score");
        if score.is_none() && items.is_empty() {
            return Err(Error::MissingColumn {
                file: file.to_string(),
                column: "score (or item_1, item_2, ...)".to_string(),
                found: headers.join(", "),
            });
        }
        Ok(OutcomeColumns {
            participant: columns.index("participant_id").unwrap_or(0),
            pilot: columns.index("pilot_id").unwrap_or(0),
            measure: columns.index("measure").unwrap_or(0),
            assessed_on: columns.index("assessed_on").unwrap_or(0),
            score,
            setting: columns.index("setting"),
            items,
            width: headers.len(),
        })
    }
}

/// What the outcome loader remembers between rows.
struct OutcomeState<'c> {
    measures: FastMap<String, (Measure, &'c Instrument)>,
    /// Measure cells as written, with what they name.
    recent: Vec<(String, Measure, &'c Instrument)>,
    lowercase: String,
    /// The index of the last row's participant.
    last_participant: Option<usize>,
    /// Participants by pilot and lower-case id, made at the first unknown id, to name an
    /// id typed in another letter case (never matched: ids are exact).
    by_lowercase: Option<FastMap<(String, String), usize>>,
}

impl<'c> OutcomeState<'c> {
    fn new(catalogue: &'c Catalogue) -> OutcomeState<'c> {
        let measures = catalogue
            .instruments()
            .filter_map(|instrument| {
                let id = instrument.id();
                Some((id.to_string(), (catalogue.measure(id)?, instrument)))
            })
            .collect();
        OutcomeState {
            measures,
            recent: Vec::new(),
            lowercase: String::new(),
            last_participant: None,
            by_lowercase: None,
        }
    }

    /// The id, as the participants file writes it, that `id` matches in another case.
    fn other_case<'d>(&mut self, data: &'d DataSet, pilot: &str, id: &str) -> Option<&'d str> {
        let index = self.by_lowercase.get_or_insert_with(|| {
            data.participants
                .iter()
                .enumerate()
                .map(|(i, p)| ((p.pilot_id.to_string(), p.participant_id.to_lowercase()), i))
                .collect()
        });
        let i = *index.get(&(pilot.to_string(), id.to_lowercase()))?;
        data.participants.get(i).map(|p| p.participant_id.as_str())
    }

    fn measure(
        &mut self,
        catalogue: &Catalogue,
        text: &str,
    ) -> Result<(Measure, &'c Instrument), RowProblem> {
        if text.is_empty() {
            return Err(RowProblem::cell("measure", "", "measure is empty; name an instrument such as phq9"));
        }
        // A file uses a handful of measure spellings, row after row: those seen are
        // recognised as written before any case folding or hashing.
        if let Some((_, id, instrument)) = self.recent.iter().find(|(seen, _, _)| seen == text) {
            return Ok((*id, *instrument));
        }
        self.lowercase.clear();
        self.lowercase.extend(text.chars().map(|c| c.to_ascii_lowercase()));
        match self.measures.get(&self.lowercase) {
            Some((id, instrument)) => {
                if self.recent.len() < 8 {
                    self.recent.push((text.to_string(), *id, *instrument));
                }
                Ok((*id, *instrument))
            }
            None => {
                let hint = catalogue
                    .suggest(&self.lowercase)
                    .map(|s| format!(" (did you mean '{s}'?)"))
                    .unwrap_or_default();
                Err(RowProblem::cell("measure", text, format!("unknown measure '{text}'{hint}")))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::index::ParticipantIndex;
    use super::*;

    fn participant(pilot: &str, id: &str) -> Participant {
        Participant {
            participant_id: id.to_string(),
            pilot_id: pilot.into(),
            gender: None,
            ethnicity: None,
            age: None,
            imd_decile: None,
            area: None,
            referral_date: None,
            end_date: None,
            treatment_sessions: None,
            problem_descriptor: None,
            referral_source: None,
        }
    }

    /// Through several growths, every participant is found under its own pilot only.
    #[test]
    fn participant_index_finds_every_participant() {
        let mut people = Vec::new();
        let mut index = ParticipantIndex::default();
        for i in 0..10_000 {
            for pilot in ["tt", "cv"] {
                people.push(participant(pilot, &format!("P{i}")));
                assert_eq!(index.insert_new(&people, people.len() - 1), Ok(()));
            }
        }
        for (i, p) in people.iter().enumerate() {
            assert_eq!(index.get(&people, &p.pilot_id, &p.participant_id), Some(i));
        }
        assert_eq!(index.get(&people, "wb", "P1"), None);
        assert_eq!(index.get(&people, "tt", "P10000"), None);
        assert_eq!(ParticipantIndex::default().get(&people, "tt", "P1"), None);
        people.push(participant("cv", "P7"));
        assert_eq!(index.insert_new(&people, people.len() - 1), Err(15));
    }
}
