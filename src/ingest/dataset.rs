//! The loaded data: [`DataSet`], its accessors and its frames.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::{Arc, OnceLock};

#[cfg(feature = "polars")]
use polars::prelude::{DataFrame, IntoColumn, NamedFrom, Series};

#[cfg(feature = "polars")]
use super::Setting;
use super::index::ParticipantIndex;
use super::{Assessment, AssessmentOrder, FileSummary, Measure, Participant, Rejects};
#[cfg(feature = "polars")]
use crate::error::{Error, Result};

/// The loaded evaluation data: accepted participants and assessments, the rejects, and
/// per-file accounting.
#[derive(Debug, Clone, Default)]
pub struct DataSet {
    pub(super) participants: Vec<Participant>,
    pub(super) assessments: Vec<Assessment>,
    pub(super) files: Vec<FileSummary>,
    pub(super) rejects: Rejects,
    pub(super) warnings: Vec<String>,
    pub(super) index: ParticipantIndex,
    /// Participant ids whose participants row was rejected, to explain their outcome rows.
    pub(super) rejected_ids: HashSet<String>,
    /// The assessments by participant, measure and date; made when first asked for and
    /// forgotten when rows are added.
    pub(super) order: OnceLock<AssessmentOrder>,
    /// The ids of the measures, by [`Measure`] index: those of the catalogue the data was
    /// loaded with.
    pub(super) measures: Vec<Arc<str>>,
    /// The answers of the last file's assessments until the score stage has scored them.
    pub(super) answers: Option<super::PendingAnswers>,
}

impl DataSet {
    /// Accepted participants, in file order.
    pub fn participants(&self) -> &[Participant] {
        &self.participants
    }

    /// Accepted assessments, in file order.
    pub fn assessments(&self) -> &[Assessment] {
        &self.assessments
    }

    /// The measure with this id in the catalogue the data was loaded with.
    pub fn measure(&self, id: &str) -> Option<Measure> {
        self.measures.iter().position(|m| &**m == id).map(Measure::at)
    }

    /// The id of a measure of this data set's assessments (as its catalogue spells it;
    /// `""` for a measure of another catalogue).
    pub fn measure_id(&self, measure: Measure) -> &str {
        self.measures.get(measure.index()).map_or("", |id| id)
    }

    /// Rows read, accepted and rejected, per file, in load order.
    pub fn files(&self) -> &[FileSummary] {
        &self.files
    }

    /// The rejected rows with their reasons.
    pub fn rejects(&self) -> &Rejects {
        &self.rejects
    }

    /// Notes about how files were read (encoding, delimiter, ignored columns).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Adds another file's accounting and rejects (e.g. the activities table), so the data
    /// quality figures cover every input.
    pub fn add_file(&mut self, summary: FileSummary, rejects: Rejects) {
        self.files.push(summary);
        for r in rejects.entries() {
            self.rejects.push(&r.file, r.row, r.column.as_deref(), r.value.as_deref(), r.reason.clone());
        }
    }

    /// The assessments by participant, measure id, date and file order.
    pub(crate) fn assessment_order(&self) -> &AssessmentOrder {
        self.order
            .get_or_init(|| AssessmentOrder::new(&self.assessments, self.participants.len(), &self.measures))
    }

    /// The index of a participant in [`DataSet::participants`].
    pub fn participant_index(&self, pilot_id: &str, participant_id: &str) -> Option<usize> {
        self.index.get(&self.participants, pilot_id, participant_id)
    }

    /// Pilot ids with at least one accepted participant, sorted.
    pub fn pilot_ids(&self) -> Vec<&str> {
        let set: BTreeSet<&str> = self.participants.iter().map(|p| &*p.pilot_id).collect();
        set.into_iter().collect()
    }

    /// Assessments whose risk item was answered above zero (PHQ-9 item 9), per pilot.
    /// A count for the service's safeguarding review; never shown per person.
    pub fn risk_flags(&self) -> BTreeMap<&str, usize> {
        let mut counts = BTreeMap::new();
        for a in self.assessments.iter().filter(|a| a.risk_flag) {
            *counts.entry(&*self.participants[a.participant as usize].pilot_id).or_default() += 1;
        }
        counts
    }

    #[cfg(feature = "polars")]
    /// The participants as a polars frame (one column per field of [`Participant`], dates
    /// as ISO text).
    ///
    /// # Errors
    ///
    /// [`Error::Parquet`] if polars refuses the columns.
    pub fn participants_frame(&self) -> Result<DataFrame> {
        let p = &self.participants;
        let text = |f: fn(&Participant) -> Option<String>| p.iter().map(f).collect::<Vec<_>>();
        let columns = vec![
            Series::new(
                "participant_id".into(),
                p.iter().map(|x| x.participant_id.clone()).collect::<Vec<_>>(),
            ),
            Series::new("pilot_id".into(), p.iter().map(|x| x.pilot_id.to_string()).collect::<Vec<_>>()),
            Series::new("gender".into(), text(|x| x.gender.as_deref().map(String::from))),
            Series::new("ethnicity".into(), text(|x| x.ethnicity.as_deref().map(String::from))),
            Series::new("age".into(), p.iter().map(|x| x.age.map(u32::from)).collect::<Vec<_>>()),
            Series::new(
                "imd_decile".into(),
                p.iter().map(|x| x.imd_decile.map(u32::from)).collect::<Vec<_>>(),
            ),
            Series::new("area".into(), text(|x| x.area.as_deref().map(String::from))),
            Series::new("referral_date".into(), text(|x| x.referral_date.map(|d| d.to_string()))),
            Series::new("end_date".into(), text(|x| x.end_date.map(|d| d.to_string()))),
            Series::new(
                "treatment_sessions".into(),
                p.iter().map(|x| x.treatment_sessions).collect::<Vec<_>>(),
            ),
            Series::new(
                "problem_descriptor".into(),
                text(|x| x.problem_descriptor.as_deref().map(String::from)),
            ),
            Series::new("referral_source".into(), text(|x| x.referral_source.as_deref().map(String::from))),
        ];
        frame(columns)
    }

    #[cfg(feature = "polars")]
    /// The assessments as a polars frame in the canonical long form (`participant_id`,
    /// `pilot_id`, `measure`, `assessed_on`, `score` (the analysed value), `raw_score`,
    /// `prorated`, `setting`).
    ///
    /// # Errors
    ///
    /// [`Error::Parquet`] if polars refuses the columns.
    pub fn assessments_frame(&self) -> Result<DataFrame> {
        let a = &self.assessments;
        let who = |i: &Assessment| &self.participants[i.participant as usize];
        let columns = vec![
            Series::new(
                "participant_id".into(),
                a.iter().map(|x| who(x).participant_id.clone()).collect::<Vec<_>>(),
            ),
            Series::new("pilot_id".into(), a.iter().map(|x| who(x).pilot_id.to_string()).collect::<Vec<_>>()),
            Series::new("measure".into(), a.iter().map(|x| self.measure_id(x.measure)).collect::<Vec<_>>()),
            Series::new(
                "assessed_on".into(),
                a.iter().map(|x| x.assessed_on.to_string()).collect::<Vec<_>>(),
            ),
            Series::new("score".into(), a.iter().map(|x| x.score).collect::<Vec<_>>()),
            Series::new("raw_score".into(), a.iter().map(|x| x.raw_score).collect::<Vec<_>>()),
            Series::new("prorated".into(), a.iter().map(|x| x.prorated).collect::<Vec<_>>()),
            Series::new(
                "setting".into(),
                a.iter()
                    .map(|x| match x.setting {
                        Setting::Clinic => "clinic",
                        Setting::Home => "home",
                        Setting::Ambulatory => "ambulatory",
                    })
                    .collect::<Vec<_>>(),
            ),
        ];
        frame(columns)
    }
}

#[cfg(feature = "polars")]
fn frame(columns: Vec<Series>) -> Result<DataFrame> {
    DataFrame::new_infer_height(columns.into_iter().map(IntoColumn::into_column).collect())
        .map_err(|e| Error::Parquet { file: "<frame>".to_string(), source: Box::new(e) })
}
