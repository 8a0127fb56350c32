//! The quantities an impact map can link to (`quantity_from = "tt.reliable_recovery"`,
//! DESIGN.md section 5), defined once: outcomes compute them, the value stage resolves
//! them, validation checks them and the report names their units. A new linkable quantity
//! is a new variant here, and the compiler lists every place that must handle it.
//!
//! Also here, so that each has one home: the national benchmark the pilots are read
//! against and the measures a pilot leads with.

use std::fmt;
use std::str::FromStr;

/// NHS Talking Therapies Monthly Statistics, Performance April 2025: 26,457 of the 54,672
/// referrals that finished a course of treatment having started at caseness reliably
/// recovered (48.4%), the national rate the pilots are read against
/// (`domain/outcome-measures.md`).
pub const NATIONAL_RELIABLE_RECOVERY: f64 = 0.484;

/// The measures a pilot leads with (its chart of changes, its equity breakdown of
/// change), in order of preference: the first the pilot has is used.
pub const HEADLINE_MEASURES: [&str; 13] = [
    "phq9",
    "gad7",
    "sbp",
    "swemwbs",
    "wemwbs",
    "ons_life_satisfaction",
    "zbi22",
    "zbi12",
    "demqol",
    "demqol_proxy",
    "qol_ad",
    "eq5d3l",
    "eq5d5l",
];

/// A quantity of one pilot that a social value link can name.
///
/// ```
/// use coproduction::{Metric, MeasureMetric};
/// let m: Metric = "swemwbs.total_change".parse().unwrap();
/// assert_eq!(m, Metric::Measure { measure: "swemwbs".to_string(), of: MeasureMetric::TotalChange });
/// assert_eq!(m.to_string(), "swemwbs.total_change");
/// assert_eq!("reliable_recovery".parse::<Metric>().unwrap(), Metric::ReliableRecovery);
/// assert!("leaders".parse::<Metric>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Metric {
    /// Everyone who took part.
    Participants,
    /// Volunteer hours from the activities table.
    VolunteerHours,
    /// Staff hours from the activities table.
    StaffHours,
    /// Community leaders trained, from the activities table.
    LeadersTrained,
    /// Sessions delivered, from the activities table.
    Sessions,
    /// Attendances, from the activities table.
    Attendances,
    /// Talking Therapies: referrals that finished a course of treatment.
    FinishedTreatment,
    /// Talking Therapies: recovery.
    Recovery,
    /// Talking Therapies: reliable improvement.
    ReliableImprovement,
    /// Talking Therapies: reliable recovery.
    ReliableRecovery,
    /// Talking Therapies: reliable deterioration.
    ReliableDeterioration,
    /// Blood pressure controlled at the last reading.
    BpControlled,
    /// Blood pressure not controlled at the first reading and controlled at the last.
    BpNewlyControlled,
    /// A figure of one measure's paired change.
    Measure {
        /// The measure's id.
        measure: String,
        /// Which figure.
        of: MeasureMetric,
    },
}

/// A figure of one measure's paired change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MeasureMetric {
    /// People reliably improved (`<measure>.improved`).
    Improved,
    /// People measured twice (`<measure>.n_paired`).
    NPaired,
    /// The mean change, improvement positive (`<measure>.mean_change`).
    MeanChange,
    /// The total change over paired people, n × mean (`<measure>.total_change`).
    TotalChange,
}

/// The names of the metrics without a measure, each with its variant.
const PLAIN: [(&str, Metric); 13] = [
    ("participants", Metric::Participants),
    ("volunteer_hours", Metric::VolunteerHours),
    ("staff_hours", Metric::StaffHours),
    ("leaders_trained", Metric::LeadersTrained),
    ("sessions", Metric::Sessions),
    ("attendances", Metric::Attendances),
    ("finished_treatment", Metric::FinishedTreatment),
    ("recovery", Metric::Recovery),
    ("reliable_improvement", Metric::ReliableImprovement),
    ("reliable_recovery", Metric::ReliableRecovery),
    ("reliable_deterioration", Metric::ReliableDeterioration),
    ("bp_controlled", Metric::BpControlled),
    ("bp_newly_controlled", Metric::BpNewlyControlled),
];

const OF_MEASURE: [(&str, MeasureMetric); 4] = [
    ("improved", MeasureMetric::Improved),
    ("n_paired", MeasureMetric::NPaired),
    ("mean_change", MeasureMetric::MeanChange),
    ("total_change", MeasureMetric::TotalChange),
];

/// The metrics a `quantity_from` link may name, in words for messages.
pub const LINKABLE_METRICS: &str = "participants, finished_treatment, recovery, reliable_improvement, \
reliable_recovery, reliable_deterioration, bp_controlled, bp_newly_controlled, <measure>.improved, \
<measure>.n_paired, <measure>.mean_change, <measure>.total_change, or from the activities table \
volunteer_hours, staff_hours, leaders_trained, sessions, attendances";

/// The pilot and metric of a link `<pilot>.<metric>` (pilot ids have no dots), or `None`
/// when it is not one.
///
/// ```
/// use coproduction::{Metric, parse_link};
/// assert_eq!(parse_link("tt.reliable_recovery"), Some(("tt", Metric::ReliableRecovery)));
/// assert_eq!(parse_link("reliable_recovery"), None);
/// ```
pub fn parse_link(link: &str) -> Option<(&str, Metric)> {
    let (pilot, metric) = link.split_once('.')?;
    if pilot.is_empty() {
        return None;
    }
    Some((pilot, metric.parse().ok()?))
}

impl Metric {
    /// The measure the metric is about, if any.
    pub fn measure(&self) -> Option<&str> {
        match self {
            Metric::Measure { measure, .. } => Some(measure),
            _ => None,
        }
    }

    /// Whether only a Talking Therapies pilot has it.
    pub fn is_talking_therapies(&self) -> bool {
        matches!(
            self,
            Metric::FinishedTreatment
                | Metric::Recovery
                | Metric::ReliableImprovement
                | Metric::ReliableRecovery
                | Metric::ReliableDeterioration
        )
    }

    /// Why valuing the metric as a change over-claims, for the metrics that count a state
    /// at the end (or everyone measured) and so include people already there before.
    pub fn counts_a_state(&self) -> Option<&'static str> {
        match self {
            Metric::BpControlled => Some(
                "counts everyone controlled at the last reading, including those already controlled at the first (use bp_newly_controlled)",
            ),
            Metric::Participants => {
                Some("counts everyone who took part, whether or not anything changed for them")
            }
            Metric::Measure { of: MeasureMetric::NPaired, .. } => {
                Some("counts everyone measured twice, whether or not anything changed for them")
            }
            _ => None,
        }
    }

    /// The natural unit of one of the metric, and whether it accrues each year (QALYs and
    /// WELLBYs are per year of persistence; a recovery is a person). `None` for metrics
    /// whose unit is not a person changed.
    pub fn unit(&self) -> Option<(String, bool)> {
        let unit = match self {
            Metric::Recovery => "recovery",
            Metric::ReliableRecovery => "reliable recovery",
            Metric::ReliableImprovement => "person reliably improved",
            Metric::BpNewlyControlled => "person newly controlled",
            Metric::Measure { measure, of: MeasureMetric::TotalChange } => match measure.as_str() {
                "ons_life_satisfaction" => return Some(("WELLBY".to_string(), true)),
                "eq5d3l" | "eq5d5l" => return Some(("QALY".to_string(), true)),
                _ => return None,
            },
            Metric::Measure { measure, of: MeasureMetric::Improved } => {
                return Some((format!("person reliably improved on {measure}"), false));
            }
            _ => return None,
        };
        Some((unit.to_string(), false))
    }
}

impl FromStr for Metric {
    type Err = crate::Error;

    fn from_str(text: &str) -> crate::Result<Metric> {
        if let Some((_, metric)) = PLAIN.iter().find(|(name, _)| *name == text) {
            return Ok(metric.clone());
        }
        text.rsplit_once('.')
            .filter(|(measure, _)| !measure.is_empty())
            .and_then(|(measure, what)| {
                let (_, of) = OF_MEASURE.iter().find(|(name, _)| *name == what)?;
                Some(Metric::Measure { measure: measure.to_string(), of: *of })
            })
            .ok_or_else(|| crate::Error::Unknown {
                kind: "metric",
                name: text.to_string(),
                hint: format!(": a metric is one of {LINKABLE_METRICS}"),
            })
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Metric::Measure { measure, of } = self {
            let (name, _) = OF_MEASURE.iter().find(|(_, o)| o == of).ok_or(fmt::Error)?;
            return write!(f, "{measure}.{name}");
        }
        let (name, _) = PLAIN.iter().find(|(_, m)| m == self).ok_or(fmt::Error)?;
        f.write_str(name)
    }
}

/// A measured count that an outcome's quantity can come from. Defined with the metrics,
/// before both the stage that measures it (outcomes) and the one that values it.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct LinkedQuantity {
    /// The count.
    pub count: f64,
    /// Its denominator, when it is a rate's numerator.
    pub denominator: Option<f64>,
    /// Lower limit of the count (the Wilson interval times the denominator).
    pub ci_low: Option<f64>,
    /// Upper limit.
    pub ci_high: Option<f64>,
}

/// Where `quantity_from` links are resolved: the evaluation's measured outcomes, or any
/// table of counts.
pub trait MeasuredQuantities {
    /// The count named `<pilot>.<metric>`, if it exists.
    fn quantity(&self, pilot: &str, metric: &Metric) -> Option<LinkedQuantity>;
}

impl MeasuredQuantities for std::collections::BTreeMap<String, LinkedQuantity> {
    fn quantity(&self, pilot: &str, metric: &Metric) -> Option<LinkedQuantity> {
        self.get(&format!("{pilot}.{metric}")).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_metric_reads_back_its_own_name() {
        let mut all: Vec<Metric> = PLAIN.iter().map(|(_, m)| m.clone()).collect();
        all.extend(
            OF_MEASURE.iter().map(|(_, of)| Metric::Measure { measure: "swemwbs".to_string(), of: *of }),
        );
        for metric in all {
            let name = metric.to_string();
            assert_eq!(name.parse::<Metric>().unwrap(), metric, "{name}");
            // Every name is in the list the messages give.
            let word = name.rsplit('.').next().unwrap();
            assert!(LINKABLE_METRICS.contains(word), "{word}");
        }
    }

    #[test]
    fn names_that_are_not_metrics_are_refused() {
        for text in ["", "recovered", ".improved", "swemwbs.total", "swemwbs", "tt.leaders"] {
            assert!(text.parse::<Metric>().is_err(), "{text}");
        }
        // A dotted measure id keeps its dots.
        assert_eq!("a.b.improved".parse::<Metric>().unwrap().measure(), Some("a.b"));
    }

    #[test]
    fn units_of_linked_quantities() {
        let unit = |t: &str| t.parse::<Metric>().unwrap().unit();
        assert_eq!(unit("ons_life_satisfaction.total_change"), Some(("WELLBY".to_string(), true)));
        assert_eq!(unit("eq5d5l.total_change"), Some(("QALY".to_string(), true)));
        assert_eq!(unit("zbi22.improved"), Some(("person reliably improved on zbi22".to_string(), false)));
        assert_eq!(unit("reliable_recovery"), Some(("reliable recovery".to_string(), false)));
        assert_eq!(unit("participants"), None);
        assert_eq!(unit("swemwbs.mean_change"), None);
    }
}
