//! The typed tables that ingest produces.

use std::fmt;
use std::sync::Arc;

use serde::Serialize;

use crate::date::Date;

/// One participant (an episode of care) in one pilot.
///
/// The pilot and the category fields repeat across participants: each distinct text is
/// held once and shared (`Arc<str>`), so a million participants do not hold a million
/// copies of "Female" or "tt".
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Participant {
    /// Identifier, unique within the pilot.
    pub participant_id: String,
    /// The pilot (named in the plan).
    pub pilot_id: Arc<str>,
    /// Free-text category; `None` when not recorded.
    pub gender: Option<Arc<str>>,
    /// Free-text category (ONS 2021 groups recommended); `None` when not recorded.
    pub ethnicity: Option<Arc<str>>,
    /// Whole years at referral.
    pub age: Option<u8>,
    /// Index of Multiple Deprivation decile, 1 (most deprived) to 10.
    pub imd_decile: Option<u8>,
    /// Local area (ward, network, neighbourhood).
    pub area: Option<Arc<str>>,
    /// Date of referral.
    pub referral_date: Option<Date>,
    /// Date the episode ended; `None` while it is open.
    pub end_date: Option<Date>,
    /// Attended treatment sessions.
    pub treatment_sessions: Option<u32>,
    /// ICD-10 problem descriptor, normalised (`F41.1`), used to choose the anxiety measure.
    pub problem_descriptor: Option<Arc<str>>,
    /// Where the referral came from (self, GP, faith or community group, ...).
    pub referral_source: Option<Arc<str>>,
}

impl Participant {
    /// The age band of DESIGN.md section 4, derived from `age`.
    pub fn age_band(&self) -> Option<AgeBand> {
        self.age.map(AgeBand::of)
    }

    /// IMD quintile, 1 (most deprived) to 5, derived from the decile.
    pub fn imd_quintile(&self) -> Option<u8> {
        self.imd_decile.map(|d| d.div_ceil(2))
    }
}

/// Age bands used in breakdowns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[non_exhaustive]
pub enum AgeBand {
    /// Under 16 (outside the adult bands; kept so no participant is dropped).
    Under16,
    /// 16 to 17.
    From16To17,
    /// 18 to 24.
    From18To24,
    /// 25 to 34.
    From25To34,
    /// 35 to 44.
    From35To44,
    /// 45 to 54.
    From45To54,
    /// 55 to 64.
    From55To64,
    /// 65 to 74.
    From65To74,
    /// 75 and over.
    From75,
}

impl AgeBand {
    /// The band an age falls in.
    ///
    /// ```
    /// use coproduction::AgeBand;
    /// assert_eq!(AgeBand::of(24).to_string(), "18-24");
    /// assert_eq!(AgeBand::of(90).to_string(), "75+");
    /// ```
    pub fn of(age: u8) -> AgeBand {
        match age {
            0..=15 => AgeBand::Under16,
            16..=17 => AgeBand::From16To17,
            18..=24 => AgeBand::From18To24,
            25..=34 => AgeBand::From25To34,
            35..=44 => AgeBand::From35To44,
            45..=54 => AgeBand::From45To54,
            55..=64 => AgeBand::From55To64,
            65..=74 => AgeBand::From65To74,
            _ => AgeBand::From75,
        }
    }

    /// The band's label.
    pub fn label(self) -> &'static str {
        match self {
            AgeBand::Under16 => "under 16",
            AgeBand::From16To17 => "16-17",
            AgeBand::From18To24 => "18-24",
            AgeBand::From25To34 => "25-34",
            AgeBand::From35To44 => "35-44",
            AgeBand::From45To54 => "45-54",
            AgeBand::From55To64 => "55-64",
            AgeBand::From65To74 => "65-74",
            AgeBand::From75 => "75+",
        }
    }
}

impl fmt::Display for AgeBand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Where a blood pressure reading was taken (NICE NG136 has different targets).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Setting {
    /// Clinic or community check reading (the default).
    #[default]
    Clinic,
    /// Home blood pressure monitoring.
    Home,
    /// Ambulatory monitoring.
    Ambulatory,
}

impl Setting {
    /// Parses `clinic`, `home` or `ambulatory` (any case); empty means clinic.
    pub fn parse(text: &str) -> Option<Setting> {
        // Compared in place: this runs once per assessment row.
        let text = text.trim();
        let is = |names: &[&str]| names.iter().any(|n| text.eq_ignore_ascii_case(n));
        if is(&["", "clinic"]) {
            Some(Setting::Clinic)
        } else if is(&["home", "hbpm"]) {
            Some(Setting::Home)
        } else if is(&["ambulatory", "abpm"]) {
            Some(Setting::Ambulatory)
        } else {
            None
        }
    }
}

pub use crate::instruments::Measure;

/// One accepted assessment: a scored instrument for a participant on a date.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Assessment {
    /// Index of the participant in [`crate::DataSet::participants`] (`as usize` to index).
    pub participant: u32,
    /// Instrument id from the catalogue.
    pub measure: Measure,
    /// Date of the assessment.
    pub assessed_on: Date,
    /// The value analysed: the total, the SWEMWBS metric score, or the EQ-5D utility.
    pub score: f64,
    /// The total as entered or summed from the items, before any conversion.
    pub raw_score: f64,
    /// True when the total was pro-rated from a partly answered form.
    pub prorated: bool,
    /// True when a risk item was answered above zero (PHQ-9 item 9). Counted, never shown
    /// per person.
    pub risk_flag: bool,
    /// Where a blood pressure reading was taken.
    pub setting: Setting,
    /// The row in its file (1-based, header excluded), for tracing.
    pub row: u64,
}

/// The order in which assessments are paired and checked for repeats: by participant,
/// then measure id, then date, then file order.
#[derive(Debug, Clone, Default)]
pub(crate) struct AssessmentOrder {
    /// Indices into the assessments.
    order: Vec<u32>,
    /// The assessments of participant `i` are `order[starts[i]..starts[i + 1]]`.
    starts: Vec<usize>,
}

impl AssessmentOrder {
    /// One counting pass groups the assessments by participant, keeping file order; each
    /// participant's few assessments are then sorted on a packed integer key. The cost
    /// grows linearly with the number of assessments, with no sort of the whole table.
    pub(crate) fn new(assessments: &[Assessment], participants: usize, ids: &[Arc<str>]) -> AssessmentOrder {
        // Measures ranked by id text, once per distinct measure.
        let mut seen: Vec<Measure> = Vec::new();
        for a in assessments {
            if seen.last() != Some(&a.measure) && !seen.contains(&a.measure) {
                seen.push(a.measure);
            }
        }
        seen.sort_unstable_by_key(|m| ids.get(m.index()).map_or("", |id| &**id));
        let mut ranks = vec![0u64; seen.iter().map(|m| m.index() + 1).max().unwrap_or(0)];
        for (rank, m) in seen.iter().enumerate() {
            ranks[m.index()] = rank as u64;
        }
        let rank = |measure: Measure| ranks[measure.index()];

        let mut starts = vec![0usize; participants + 1];
        for a in assessments {
            starts[a.participant as usize + 1] += 1;
        }
        for i in 0..participants {
            starts[i + 1] += starts[i];
        }
        // Grouped by participant, in file order.
        let mut order = vec![0u32; assessments.len()];
        let mut next = starts.clone();
        for (i, a) in assessments.iter().enumerate() {
            let p = a.participant as usize;
            order[next[p]] = i as u32;
            next[p] += 1;
        }
        // Each participant's run sorted on (measure rank, date, index), packed into
        // integers in a small scratch buffer: no second table the size of the data.
        let key = |a: &Assessment| {
            let date = a.assessed_on;
            let day = ((date.year() as u64) << 9) | (u64::from(date.month()) << 5) | u64::from(date.day());
            (rank(a.measure) << 32) | day
        };
        let mut scratch: Vec<(u64, u32)> = Vec::new();
        for window in starts.windows(2) {
            let run = &mut order[window[0]..window[1]];
            scratch.clear();
            scratch.extend(run.iter().map(|&i| (key(&assessments[i as usize]), i)));
            scratch.sort_unstable();
            for (slot, (_, i)) in run.iter_mut().zip(&scratch) {
                *slot = *i;
            }
        }
        AssessmentOrder { order, starts }
    }

    /// Every assessment, in order.
    pub(crate) fn all(&self) -> &[u32] {
        &self.order
    }

    /// One participant's assessments, by measure id and date.
    pub(crate) fn of(&self, participant: usize) -> &[u32] {
        match (self.starts.get(participant), self.starts.get(participant + 1)) {
            (Some(&start), Some(&end)) => &self.order[start..end],
            _ => &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pairing relies on this order; measures registered in any order sort by their id.
    #[test]
    fn assessments_are_ordered_by_participant_measure_id_date_then_row() {
        // Index 0 is "zz", index 1 is "aa": the order follows the id text, not the index.
        let ids: Vec<Arc<str>> = vec!["zz_order_test".into(), "aa_order_test".into()];
        let (late, early) = (Measure::at(0), Measure::at(1));
        let date = |d: &str| Date::parse(d, crate::DateFormat::Iso).unwrap();
        let at = |participant, measure, day: &str, row| Assessment {
            participant,
            measure,
            assessed_on: date(day),
            score: 0.0,
            raw_score: 0.0,
            prorated: false,
            risk_flag: false,
            setting: Setting::Clinic,
            row,
        };
        let rows = [
            at(1, late, "2025-03-01", 1),
            at(0, late, "2025-02-01", 2),
            at(0, early, "2025-05-01", 3),
            at(0, late, "2025-01-01", 4),
            at(0, early, "2025-05-01", 5),
        ];
        let order = AssessmentOrder::new(&rows, 2, &ids);
        let rows_in_order: Vec<u64> = order.all().iter().map(|&i| rows[i as usize].row).collect();
        assert_eq!(rows_in_order, [3, 5, 4, 2, 1]);
        assert_eq!(order.of(1), [0]);
    }
}
