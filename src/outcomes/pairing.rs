//! First and last assessment per participant and measure (DESIGN.md section 6).

use std::sync::Arc;

use serde::Serialize;

use crate::date::Date;
use crate::ingest::DataSet;

/// A participant's first and last assessment on one measure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pair {
    /// Index into [`DataSet::participants`].
    pub participant: usize,
    /// Instrument id.
    pub measure: Arc<str>,
    /// The first analysed score (by date; ties in file order).
    pub first: f64,
    /// The last analysed score.
    pub last: f64,
    /// Date of the first assessment.
    pub first_date: Date,
    /// Date of the last assessment.
    pub last_date: Date,
    /// How many assessments the participant has on this measure.
    pub assessments: usize,
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

/// Every participant's first and last assessment on every measure they have, paired or
/// not, ordered by participant then measure.
///
/// One sort of indices and one linear pass: the cost grows as n log n in assessments.
pub fn pair_assessments(data: &DataSet) -> Vec<Pair> {
    let assessments = data.assessments();
    let mut order: Vec<u32> = (0..assessments.len() as u32).collect();
    // Stable sort, so equal dates keep file order ("ties: file order").
    order.sort_by(|&a, &b| {
        let (a, b) = (&assessments[a as usize], &assessments[b as usize]);
        a.participant
            .cmp(&b.participant)
            .then_with(|| a.measure.cmp(&b.measure))
            .then(a.assessed_on.cmp(&b.assessed_on))
    });
    let mut pairs = Vec::new();
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
            measure: Arc::clone(&first.measure),
            first: first.score,
            last: last.score,
            first_date: first.assessed_on,
            last_date: last.assessed_on,
            assessments: j - i,
            first_setting: first.setting,
            last_setting: last.setting,
        });
        i = j;
    }
    pairs
}
