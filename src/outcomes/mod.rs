//! From accepted assessments to outcome figures: pairing, change per measure, and the
//! programme metrics (Talking Therapies, blood pressure).

mod cardiovascular;
mod change;
mod norms;
mod pairing;
mod talking_therapies;
mod utility;

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::ingest::{DataSet, Measure};
use crate::instruments::Catalogue;
use crate::metric::{MeasureMetric, Metric};

pub use cardiovascular::{BpTargets, Cardiovascular, CardiovascularRules, REGRESSION_CAVEAT, RelativeRisk};
pub use change::{BandShift, ClinicalSignificance, MeasureChange, measure_change};
pub use norms::{PopulationNorm, population_norms};
use pairing::PairIndex;
pub use pairing::{Pair, pair_assessments};
pub use talking_therapies::{AdsmTable, EpisodeOutcome, TalkingTherapies, TalkingTherapiesRules};
pub use utility::{QalyGain, qaly_gain};

/// The kind of programme a pilot runs; it decides which programme metrics apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Programme {
    /// Psychological therapies (NHS Talking Therapies metrics).
    PsychologicalTherapies,
    /// Cardiovascular health (blood pressure control).
    Cardiovascular,
    /// Dementia and carer support.
    Dementia,
    /// Wellbeing.
    Wellbeing,
}

impl Programme {
    /// The plan's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Programme::PsychologicalTherapies => "psychological_therapies",
            Programme::Cardiovascular => "cardiovascular",
            Programme::Dementia => "dementia",
            Programme::Wellbeing => "wellbeing",
        }
    }
}

/// A pilot as the plan declares it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PilotSpec {
    /// Short id used in the data (`tt`).
    pub id: String,
    /// Name for reports.
    pub name: String,
    /// The programme.
    pub programme: Programme,
}

/// Every rule flag of the outcome stage.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
pub struct OutcomeRules {
    /// Talking Therapies rules.
    pub talking_therapies: TalkingTherapiesRules,
    /// Blood pressure rules.
    pub cardiovascular: CardiovascularRules,
}

/// One pilot's outcome figures (`pilots[]` of `results.json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct PilotOutcomes {
    /// Pilot id.
    pub id: String,
    /// Pilot name.
    pub name: String,
    /// Programme.
    pub programme: Programme,
    /// Accepted participants.
    pub participants: usize,
    /// Change per measure, in catalogue order.
    pub measures: Vec<MeasureChange>,
    /// Talking Therapies metrics (psychological therapies pilots).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub talking_therapies: Option<TalkingTherapies>,
    /// Blood pressure metrics (pilots with blood pressure readings).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cardiovascular: Option<Cardiovascular>,
    /// QALY gain from EQ-5D utilities, where the pilot has them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qaly: Option<QalyGain>,
    /// Per-participant Talking Therapies classification (for equity breakdowns).
    #[serde(skip)]
    pub episodes: Vec<EpisodeOutcome>,
    /// Assessments with a risk item above zero (PHQ-9 item 9), a count only.
    pub risk_flags: usize,
}

impl PilotOutcomes {
    /// The change summary of one measure.
    pub fn measure(&self, id: &str) -> Option<&MeasureChange> {
        self.measures.iter().find(|m| m.measure == id)
    }
}

/// The outcome stage's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Outcomes {
    /// Per pilot, in plan order.
    pub pilots: Vec<PilotOutcomes>,
    /// Every participant's first and last assessment per measure.
    #[serde(skip)]
    pub pairs: Vec<Pair>,
}

impl Outcomes {
    /// A pilot's figures.
    pub fn pilot(&self, id: &str) -> Option<&PilotOutcomes> {
        self.pilots.iter().find(|p| p.id == id)
    }

    /// A named quantity for the social value stage (`quantity_from = "tt.reliable_recovery"`):
    /// `participants`, `finished_treatment`, `recovery`, `reliable_improvement`,
    /// `reliable_recovery`, `reliable_deterioration`, `bp_controlled` (controlled at the
    /// last reading), `bp_newly_controlled` (not controlled at the first reading and
    /// controlled at the last), `<measure>.improved`, `<measure>.n_paired`, or a measured
    /// change signed so that improvement is positive: `<measure>.mean_change` and
    /// `<measure>.total_change` (the sum over paired participants, n × mean: WELLBYs per
    /// year for `ons_life_satisfaction`, QALYs per year for EQ-5D utility). Counts carry
    /// their denominator and Wilson interval as counts; changes their 95% t interval.
    ///
    /// The activities table's metrics (`volunteer_hours`, ...) are not outcomes: `None`.
    pub fn metric(&self, pilot: &str, metric: &Metric) -> Option<crate::metric::LinkedQuantity> {
        use crate::metric::LinkedQuantity;
        let p = self.pilot(pilot)?;
        let from_rate = |rate: &Option<crate::stats::Proportion>| {
            rate.as_ref().map(|r| LinkedQuantity {
                count: r.count as f64,
                denominator: Some(r.denominator as f64),
                ci_low: Some(r.ci_low * r.denominator as f64),
                ci_high: Some(r.ci_high * r.denominator as f64),
            })
        };
        let tt = p.talking_therapies.as_ref();
        match metric {
            Metric::Participants => Some(LinkedQuantity {
                count: p.participants as f64,
                denominator: None,
                ci_low: None,
                ci_high: None,
            }),
            Metric::FinishedTreatment => from_rate(&tt?.finished_treatment),
            Metric::Recovery => from_rate(&tt?.recovery),
            Metric::ReliableImprovement => from_rate(&tt?.reliable_improvement),
            Metric::ReliableRecovery => from_rate(&tt?.reliable_recovery),
            Metric::ReliableDeterioration => from_rate(&tt?.reliable_deterioration),
            Metric::BpControlled => from_rate(&p.cardiovascular.as_ref()?.controlled_last),
            Metric::BpNewlyControlled => from_rate(&p.cardiovascular.as_ref()?.newly_controlled),
            Metric::VolunteerHours
            | Metric::StaffHours
            | Metric::LeadersTrained
            | Metric::Sessions
            | Metric::Attendances => None,
            Metric::Measure { measure, of } => {
                let m = p.measure(measure)?;
                // Improvement positive: a fall on a lower-is-better scale counts up.
                let sign = if m.higher_is_better { 1.0 } else { -1.0 };
                let change = |scale: f64| {
                    let (a, b) = (m.ci_low.map(|v| v * sign * scale), m.ci_high.map(|v| v * sign * scale));
                    Some(LinkedQuantity {
                        count: m.mean_change? * sign * scale,
                        denominator: None,
                        ci_low: a.zip(b).map(|(a, b)| a.min(b)),
                        ci_high: a.zip(b).map(|(a, b)| a.max(b)),
                    })
                };
                match of {
                    MeasureMetric::Improved => {
                        from_rate(&crate::stats::wilson(m.improved? as u64, m.n_paired as u64))
                    }
                    MeasureMetric::NPaired => Some(LinkedQuantity {
                        count: m.n_paired as f64,
                        denominator: None,
                        ci_low: None,
                        ci_high: None,
                    }),
                    MeasureMetric::MeanChange => change(1.0),
                    MeasureMetric::TotalChange => change(m.n_paired as f64),
                }
            }
        }
    }
}

impl crate::metric::MeasuredQuantities for Outcomes {
    fn quantity(&self, pilot: &str, metric: &Metric) -> Option<crate::metric::LinkedQuantity> {
        self.metric(pilot, metric)
    }
}

/// Runs the outcome stage for the plan's pilots.
///
/// # Errors
///
/// An embedded rules table's error (ADSM descriptors, blood pressure targets) or a required
/// instrument missing from the catalogue.
pub fn evaluate_outcomes(
    data: &DataSet,
    pilots: &[PilotSpec],
    catalogue: &Catalogue,
    rules: &OutcomeRules,
) -> Result<Outcomes> {
    evaluate_outcomes_telling(data, pilots, catalogue, rules, &|_| {})
}

/// [`evaluate_outcomes`], telling `progress` as each pilot is done.
pub(crate) fn evaluate_outcomes_telling(
    data: &DataSet,
    pilots: &[PilotSpec],
    catalogue: &Catalogue,
    rules: &OutcomeRules,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<Outcomes> {
    let done = std::sync::atomic::AtomicUsize::new(0);
    let pairs = pair_assessments(data);
    let adsm = AdsmTable::for_rules(&rules.talking_therapies)?;
    let by_key = PairIndex::new(&pairs, data.participants().len());
    let mut members: crate::ingest::FastMap<&str, Vec<usize>> = Default::default();
    for (i, p) in data.participants().iter().enumerate() {
        members.entry(&*p.pilot_id).or_default().push(i);
    }
    let mut risk: crate::ingest::FastMap<&str, usize> = Default::default();
    for a in data.assessments().iter().filter(|a| a.risk_flag) {
        *risk.entry(&*data.participants()[a.participant as usize].pilot_id).or_default() += 1;
    }
    // Pilots are independent: each is computed on its own core.
    let results = crate::parallel::map(pilots, |spec| -> Result<PilotOutcomes> {
        let people = members.get(spec.id.as_str()).map(Vec::as_slice).unwrap_or(&[]);
        let mut per_measure: crate::ingest::FastMap<Measure, Vec<&Pair>> = Default::default();
        for pair in people.iter().flat_map(|&i| by_key.of(i)) {
            per_measure.entry(pair.measure).or_default().push(pair);
        }
        let mut measures = Vec::new();
        for id in catalogue.ids() {
            if let (Some(instrument), Some(list)) =
                (catalogue.get(id), data.measure(id).and_then(|m| per_measure.get(&m)))
            {
                measures.push(measure_change(instrument, list));
            }
        }
        let (talking_therapies, episodes) = if spec.programme == Programme::PsychologicalTherapies {
            let (tt, episodes) = talking_therapies::talking_therapies(
                data,
                people,
                &by_key,
                catalogue,
                &adsm,
                &rules.talking_therapies,
            )?;
            (Some(tt), episodes)
        } else {
            (None, Vec::new())
        };
        let has_bp = data.measure("sbp").is_some_and(|m| per_measure.contains_key(&m));
        let cardiovascular = if spec.programme == Programme::Cardiovascular || has_bp {
            Some(cardiovascular::cardiovascular(data, people, &by_key, catalogue, &rules.cardiovascular)?)
        } else {
            None
        };
        let finished = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        progress(&format!("Outcomes: {finished} of {} pilots done ({})", pilots.len(), spec.id));
        Ok(PilotOutcomes {
            id: spec.id.clone(),
            name: spec.name.clone(),
            programme: spec.programme,
            participants: people.len(),
            measures,
            talking_therapies,
            cardiovascular,
            qaly: ["eq5d3l", "eq5d5l"]
                .into_iter()
                .filter(|m| data.measure(m).is_some_and(|m| per_measure.contains_key(&m)))
                .find_map(|m| qaly_gain(data, people, m)),
            episodes,
            risk_flags: risk.get(spec.id.as_str()).copied().unwrap_or(0),
        })
    });
    let pilots = results.into_iter().collect::<Result<Vec<_>>>()?;
    Ok(Outcomes { pilots, pairs })
}
