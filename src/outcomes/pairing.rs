//! First and last assessment per participant and measure (DESIGN.md section 6).

use serde::Serialize;

use crate::date::Date;
use crate::ingest::{DataSet, Measure};

/// A participant's first and last assessment on one measure.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Pair {
    /// Index into [`DataSet::participants`] (`as usize` to index).
    pub participant: u32,
    /// Instrument id.
    pub measure: Measure,
    /// The first analysed score (by date; ties in file order).
    pub first: f64,
    /// The last analysed score.
    pub last: f64,
    /// Date of the first assessment.
    pub first_date: Date,
    /// Date of the last assessment.
    pub last_date: Date,
    /// How many assessments the participant has on this measure.
    pub assessments: u32,
    /// Setting of the first reading (blood pressure).
    pub first_setting: crate::ingest::Setting,
    /// Setting of the last reading.
    pub last_setting: crate::ingest::Setting,
}

impl Pair {
    /// Paired: at least two assessments on distinct dates.
    pub fn is_paired(&self) -> bool {
        self.first_date != self.last_date
    }

    /// Last minus first.
    pub fn change(&self) -> f64 {
        self.last - self.first
    }
}

/// The pairs of each participant, found without hashing: [`pair_assessments`] orders
/// pairs by participant, so each participant's pairs are one run.
pub(crate) struct PairIndex<'a> {
    pairs: &'a [Pair],
    /// The pairs of participant `i` are `pairs[starts[i]..starts[i + 1]]`.
    starts: Vec<usize>,
}

impl<'a> PairIndex<'a> {
    pub(crate) fn new(pairs: &'a [Pair], participants: usize) -> PairIndex<'a> {
        let mut starts = vec![0; participants + 1];
        for pair in pairs {
            starts[pair.participant as usize + 1] += 1;
        }
        for i in 0..participants {
            starts[i + 1] += starts[i];
        }
        PairIndex { pairs, starts }
    }

    /// A participant's pairs, by measure name.
    pub(crate) fn of(&self, participant: usize) -> &'a [Pair] {
        match (self.starts.get(participant), self.starts.get(participant + 1)) {
            (Some(&start), Some(&end)) => &self.pairs[start..end],
            _ => &[],
        }
    }

    /// A participant's pair on one measure.
    pub(crate) fn get(&self, participant: usize, measure: Measure) -> Option<&'a Pair> {
        self.of(participant).iter().find(|p| p.measure == measure)
    }
}

/// Every participant's first and last assessment on every measure they have, paired or
/// not, ordered by participant then measure.
///
/// One grouping pass and one linear pass: the cost grows linearly with the assessments.
pub fn pair_assessments(data: &DataSet) -> Vec<Pair> {
    let assessments = data.assessments();
    let order = data.assessment_order().all();
    // At most one pair per assessment, reserved at once: growing millions of pairs by
    // doubling would copy them again and again. Unused room is only address space.
    let mut pairs = Vec::new();
    let _ = pairs.try_reserve(order.len());
    let mut i = 0;
    while i < order.len() {
        let first = &assessments[order[i] as usize];
        let mut j = i + 1;
        while j < order.len() {
            let next = &assessments[order[j] as usize];
            if next.participant != first.participant || next.measure != first.measure {
                break;
            }
            j += 1;
        }
        let last = &assessments[order[j - 1] as usize];
        pairs.push(Pair {
            participant: first.participant,
            measure: first.measure,
            first: first.score,
            last: last.score,
            first_date: first.assessed_on,
            last_date: last.assessed_on,
            assessments: (j - i) as u32,
            first_setting: first.setting,
            last_setting: last.setting,
        });
        i = j;
    }
    pairs
}
