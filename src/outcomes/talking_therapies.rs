//! NHS Talking Therapies outcome metrics (DESIGN.md section 6; outcome-measures.md §1).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ingest::{DataSet, Measure, Participant};
use crate::instruments::{Catalogue, Instrument};
use crate::stats::{Proportion, wilson};

use super::pairing::{Pair, PairIndex};

/// The rule flags of the Talking Therapies metrics, with the documented defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
pub struct TalkingTherapiesRules {
    /// Attended treatment sessions needed to count as finished treatment (default 2,
    /// Fingertips glossary).
    pub min_sessions: u32,
    /// Use GAD-7 when the descriptor's ADSM is not paired (default true; unconfirmed).
    pub adsm_fallback_to_gad7: bool,
    /// Reliable improvement also requires no reliable rise on either measure (default
    /// true; the NHS Digital reading, unconfirmed).
    pub improvement_requires_no_deterioration: bool,
    /// Reliable deterioration also requires no reliable fall on either measure (default
    /// true; unconfirmed).
    pub deterioration_requires_no_improvement: bool,
    /// A problem-descriptor → ADSM mapping of the user's (`adsm = "adsm.toml"`, the bundled
    /// shape, resolved against the plan's folder) instead of the bundled one.
    pub adsm: Option<std::path::PathBuf>,
}

impl Default for TalkingTherapiesRules {
    fn default() -> Self {
        TalkingTherapiesRules {
            min_sessions: 2,
            adsm_fallback_to_gad7: true,
            improvement_requires_no_deterioration: true,
            deterioration_requires_no_improvement: true,
            adsm: None,
        }
    }
}

/// The pilot's Talking Therapies figures; the first five are the `results.json` contract.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct TalkingTherapies {
    /// Finished a course of treatment, over all referrals of the pilot.
    pub finished_treatment: Option<Proportion>,
    /// Moved to recovery, over finished, paired on both measures and at caseness at first.
    pub recovery: Option<Proportion>,
    /// Reliable improvement, over finished and paired on both measures.
    pub reliable_improvement: Option<Proportion>,
    /// Recovery and reliable improvement, over the recovery denominator.
    pub reliable_recovery: Option<Proportion>,
    /// Reliable deterioration, over finished and paired on both measures.
    pub reliable_deterioration: Option<Proportion>,
    /// Finished treatment but not paired on both measures (excluded from the rates).
    pub finished_not_paired: usize,
    /// Finished, paired, but not at caseness at first (excluded from recovery).
    pub not_at_caseness_at_first: usize,
    /// McNemar's exact test of the change in caseness among finished, paired people.
    pub caseness_change: Option<crate::stats::McNemar>,
    /// How often each anxiety measure was used, by instrument id.
    pub anxiety_measures: Vec<(String, usize)>,
    /// The rules applied.
    pub rules: TalkingTherapiesRules,
}

/// One participant's classification, kept for equity breakdowns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[non_exhaustive]
pub struct EpisodeOutcome {
    /// Index into [`DataSet::participants`].
    pub participant: usize,
    /// Finished a course of treatment.
    pub finished: bool,
    /// Paired on PHQ-9 and on the anxiety measure.
    pub paired_both: bool,
    /// At caseness at the first paired scores.
    pub case_first: bool,
    /// At caseness at the last paired scores.
    pub case_last: bool,
    /// Moved to recovery.
    pub recovery: bool,
    /// Reliable improvement.
    pub reliable_improvement: bool,
    /// Reliable recovery.
    pub reliable_recovery: bool,
    /// Reliable deterioration.
    pub reliable_deterioration: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AdsmFile {
    #[allow(dead_code)]
    source: String,
    #[allow(dead_code)]
    confidence: String,
    descriptor: Vec<AdsmRow>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AdsmRow {
    code: String,
    #[allow(dead_code)]
    condition: String,
    measure: String,
}

/// The ADSM mapping, from `data/adsm.toml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdsmTable {
    rows: Vec<(String, String)>,
}

impl AdsmTable {
    /// The bundled table.
    ///
    /// # Errors
    ///
    /// [`Error::Toml`](crate::Error::Toml) if the embedded table does not load (ruled out by
    /// the tests).
    pub fn builtin() -> Result<AdsmTable> {
        AdsmTable::from_toml_str(include_str!("data/adsm.toml"), "adsm.toml")
    }

    /// A table of the bundled shape (`source`, `confidence`, `[[descriptor]]` rows of
    /// `code`, `condition`, `measure`).
    ///
    /// # Errors
    ///
    /// [`Error::Toml`](crate::Error::Toml) if the text is not a descriptor table, or
    /// [`Error::InvalidData`](crate::Error::InvalidData) for an empty code or measure.
    pub fn from_toml_str(text: &str, label: &str) -> Result<AdsmTable> {
        let file: AdsmFile = toml::from_str(text)
            .map_err(|e| Error::Toml { file: label.to_string(), reason: e.to_string() })?;
        if let Some(row) =
            file.descriptor.iter().find(|r| r.code.trim().is_empty() || r.measure.trim().is_empty())
        {
            return Err(Error::Toml {
                file: label.to_string(),
                reason: format!("descriptor '{}': code and measure must not be empty", row.condition),
            });
        }
        Ok(AdsmTable { rows: file.descriptor.into_iter().map(|r| (r.code, r.measure)).collect() })
    }

    /// The plan's table (`[rules.talking_therapies] adsm`), else the bundled one.
    ///
    /// # Errors
    ///
    /// As [`AdsmTable::from_toml_str`] for a user's table, or [`Error::Io`](crate::Error::Io)
    /// if it cannot be read.
    pub fn for_rules(rules: &TalkingTherapiesRules) -> Result<AdsmTable> {
        match &rules.adsm {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| Error::io("read", path, e))?;
                AdsmTable::from_toml_str(&text, &path.display().to_string())
            }
            None => AdsmTable::builtin(),
        }
    }

    /// The ADSM for a descriptor: the longest matching code prefix.
    ///
    /// ```
    /// use coproduction::AdsmTable;
    /// let table = AdsmTable::builtin().unwrap();
    /// assert_eq!(table.measure_for("F40.1"), Some("spin"));
    /// assert_eq!(table.measure_for("F42.1"), Some("oci_r"));
    /// assert_eq!(table.measure_for("F32"), None);
    /// ```
    pub fn measure_for(&self, descriptor: &str) -> Option<&str> {
        self.rows
            .iter()
            .filter(|(code, _)| descriptor.starts_with(code.as_str()))
            .max_by_key(|(code, _)| code.len())
            .map(|(_, m)| m.as_str())
    }
}

#[derive(Clone, Copy)]
struct Scale<'a> {
    instrument: &'a Instrument,
    cut: f64,
    /// Whether a score equal to the cut-off is a case (the instrument's own flag).
    inclusive: bool,
    rc: f64,
}

impl<'a> Scale<'a> {
    fn new(catalogue: &'a Catalogue, id: &str) -> Result<Scale<'a>> {
        let unknown = || Error::Unknown { kind: "instrument", name: id.to_string(), hint: String::new() };
        let instrument = catalogue.get(id).ok_or_else(unknown)?;
        let missing = |what: &'static str| Error::InvalidParameter {
            name: "instrument",
            value: id.to_string(),
            reason: what,
        };
        let caseness = instrument.caseness().ok_or_else(|| {
            missing("a Talking Therapies measure (PHQ-9, GAD-7 or an ADSM) needs a caseness cut-off")
        })?;
        let rc = instrument.fixed_reliable_change().ok_or_else(|| {
            missing(
                "a Talking Therapies measure (PHQ-9, GAD-7 or an ADSM) needs a fixed reliable-change value",
            )
        })?;
        Ok(Scale { instrument, cut: caseness.value, inclusive: caseness.inclusive, rc })
    }

    fn case(&self, score: f64) -> bool {
        if self.inclusive { score >= self.cut } else { score > self.cut }
    }

    fn fall(&self, p: &Pair) -> bool {
        self.instrument.improvement(p.first, p.last) >= self.rc
    }

    fn rise(&self, p: &Pair) -> bool {
        -self.instrument.improvement(p.first, p.last) >= self.rc
    }
}

/// Computes the Talking Therapies metrics of one pilot.
///
/// `participants` are the indices of the pilot's participants; `pairs` maps
/// (participant, measure) to that participant's pair.
pub fn talking_therapies(
    data: &DataSet,
    participants: &[usize],
    pairs: &PairIndex<'_>,
    catalogue: &Catalogue,
    adsm: &AdsmTable,
    rules: &TalkingTherapiesRules,
) -> Result<(TalkingTherapies, Vec<EpisodeOutcome>)> {
    let phq9 = Scale::new(catalogue, "phq9")?;
    let gad7 = Scale::new(catalogue, "gad7")?;
    let mut episodes = Vec::with_capacity(participants.len());
    let mut anxiety_use: HashMap<&str, usize> = HashMap::new();
    // The ADSM measures named by descriptors, resolved once each rather than per person.
    let mut adsm_scales: Vec<(&str, (Scale, Option<Measure>))> = Vec::new();
    let (mut finished_not_paired, mut not_case) = (0, 0);
    let (phq9_id, gad7_id) = (data.measure("phq9"), data.measure("gad7"));
    for &index in participants {
        let person: &Participant = &data.participants()[index];
        let mut episode = EpisodeOutcome { participant: index, ..EpisodeOutcome::default() };
        episode.finished =
            person.end_date.is_some() && person.treatment_sessions.is_some_and(|s| s >= rules.min_sessions);
        if !episode.finished {
            episodes.push(episode);
            continue;
        }
        let paired =
            |measure: Option<Measure>| measure.and_then(|m| pairs.get(index, m)).filter(|p| p.is_paired());
        let depression = paired(phq9_id);
        // The ADSM replaces GAD-7 when the descriptor has one and it is paired.
        // An ADSM without caseness or reliable change (a user's replacement table) is an
        // error, not a silent fall back to GAD-7.
        let adsm_choice = match person.problem_descriptor.as_deref().and_then(|d| adsm.measure_for(d)) {
            None => None,
            Some(m) => {
                let (scale, id) = match adsm_scales.iter().find(|(known, _)| *known == m) {
                    Some((_, resolved)) => *resolved,
                    None => {
                        let resolved = (Scale::new(catalogue, m)?, data.measure(m));
                        adsm_scales.push((m, resolved));
                        resolved
                    }
                };
                Some((scale, paired(id)))
            }
        };
        let (anxiety_scale, anxiety) = match adsm_choice {
            Some((scale, Some(pair))) => (scale, Some(pair)),
            Some((scale, None)) if !rules.adsm_fallback_to_gad7 => (scale, None),
            _ => (gad7, paired(gad7_id)),
        };
        let (Some(d), Some(a)) = (depression, anxiety) else {
            finished_not_paired += 1;
            episodes.push(episode);
            continue;
        };
        *anxiety_use.entry(anxiety_scale.instrument.id()).or_default() += 1;
        episode.paired_both = true;
        episode.case_first = phq9.case(d.first) || anxiety_scale.case(a.first);
        episode.case_last = phq9.case(d.last) || anxiety_scale.case(a.last);
        let fall = phq9.fall(d) || anxiety_scale.fall(a);
        let rise = phq9.rise(d) || anxiety_scale.rise(a);
        episode.reliable_improvement = fall && !(rules.improvement_requires_no_deterioration && rise);
        episode.reliable_deterioration = rise && !(rules.deterioration_requires_no_improvement && fall);
        episode.recovery = episode.case_first && !episode.case_last;
        episode.reliable_recovery = episode.recovery && episode.reliable_improvement;
        if !episode.case_first {
            not_case += 1;
        }
        episodes.push(episode);
    }
    let count = |f: fn(&EpisodeOutcome) -> bool| episodes.iter().filter(|e| f(e)).count() as u64;
    let finished = count(|e| e.finished);
    let paired = count(|e| e.paired_both);
    let at_case = count(|e| e.paired_both && e.case_first);
    let mut anxiety_measures: Vec<(String, usize)> =
        anxiety_use.into_iter().map(|(id, n)| (id.to_string(), n)).collect();
    anxiety_measures.sort();
    let summary = TalkingTherapies {
        finished_treatment: wilson(finished, participants.len() as u64),
        recovery: wilson(count(|e| e.paired_both && e.case_first && e.recovery), at_case),
        reliable_improvement: wilson(count(|e| e.paired_both && e.reliable_improvement), paired),
        reliable_recovery: wilson(count(|e| e.paired_both && e.case_first && e.reliable_recovery), at_case),
        reliable_deterioration: wilson(count(|e| e.paired_both && e.reliable_deterioration), paired),
        finished_not_paired,
        not_at_caseness_at_first: not_case,
        caseness_change: crate::stats::mcnemar_exact(
            count(|e| e.paired_both && e.case_first && !e.case_last),
            count(|e| e.paired_both && !e.case_first && e.case_last),
        ),
        anxiety_measures,
        rules: rules.clone(),
    };
    Ok((summary, episodes))
}
