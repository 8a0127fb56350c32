//! The equity stage's input, assembled from the participants and the outcome figures: a
//! group label per participant for each dimension, and per participant each rate's
//! membership and each mean's value.

use std::borrow::Cow;

use crate::equity::EquityInput;
use crate::ingest::{DataSet, Participant};
use crate::outcomes::{Outcomes, PilotOutcomes};

// The measure whose change is broken down by group: the first headline measure the
// pilot has paired.
use crate::metric::HEADLINE_MEASURES;

/// One pilot's equity input. Infallible: every participant has a label or none in each
/// dimension, and every rate and mean a value or none.
pub(crate) fn from_outcomes<'a>(
    data: &'a DataSet,
    outcomes: &Outcomes,
    pilot: &'a PilotOutcomes,
    members: &[usize],
    dimensions: &[String],
) -> EquityInput<'a> {
    let people: Vec<&Participant> = members.iter().map(|&i| &data.participants()[i]).collect();
    // Borrowed, not copied: a million participants would otherwise mean five million
    // small strings.
    const NUMBERS: [&str; 11] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"];
    let number = |n: u8| -> Cow<'a, str> {
        NUMBERS.get(usize::from(n)).map_or_else(|| Cow::Owned(n.to_string()), |s| Cow::Borrowed(*s))
    };
    let label = |dimension: &str, p: &'a Participant| -> Option<Cow<'a, str>> {
        match dimension {
            "gender" => p.gender.as_deref().map(Cow::Borrowed),
            "ethnicity" => p.ethnicity.as_deref().map(Cow::Borrowed),
            "age_band" => p.age_band().map(|b| Cow::Borrowed(b.label())),
            "imd_quintile" => p.imd_quintile().map(number),
            "imd_decile" => p.imd_decile.map(number),
            "area" => p.area.as_deref().map(Cow::Borrowed),
            _ => None,
        }
    };
    let dimension_labels =
        dimensions.iter().map(|d| (d.clone(), people.iter().map(|p| label(d, p)).collect())).collect();

    // Position of each participant among the members, by participant index.
    let mut position = vec![None; data.participants().len()];
    for (pos, &i) in members.iter().enumerate() {
        position[i] = Some(pos);
    }
    let mut rates: Vec<(String, Vec<Option<bool>>)> = Vec::new();
    let mut rate = |name: &str, values: Vec<(usize, Option<bool>)>| {
        let mut column = vec![None; members.len()];
        for (index, value) in values {
            if let Some(&Some(pos)) = position.get(index) {
                column[pos] = value;
            }
        }
        rates.push((name.to_string(), column));
    };
    if pilot.talking_therapies.is_some() {
        let e = &pilot.episodes;
        rate("finished_treatment", e.iter().map(|e| (e.participant, Some(e.finished))).collect());
        let case = |e: &crate::outcomes::EpisodeOutcome| e.paired_both && e.case_first;
        rate("recovery", e.iter().map(|e| (e.participant, case(e).then_some(e.recovery))).collect());
        rate(
            "reliable_improvement",
            e.iter().map(|e| (e.participant, e.paired_both.then_some(e.reliable_improvement))).collect(),
        );
        rate(
            "reliable_recovery",
            e.iter().map(|e| (e.participant, case(e).then_some(e.reliable_recovery))).collect(),
        );
    }
    if let Some(cv) = &pilot.cardiovascular {
        rate("bp_controlled_first", cv.controlled.iter().map(|&(i, first, _)| (i, Some(first))).collect());
        rate("bp_controlled_last", cv.controlled.iter().map(|&(i, _, last)| (i, Some(last))).collect());
    }

    let mut means = Vec::new();
    if let Some(measure) = HEADLINE_MEASURES.iter().find(|m| pilot.measure(m).is_some_and(|m| m.n_paired > 0))
    {
        let mut column = vec![None; members.len()];
        let id = data.measure(measure);
        for pair in outcomes.pairs.iter().filter(|p| Some(p.measure) == id && p.is_paired()) {
            if let Some(&Some(pos)) = position.get(pair.participant as usize) {
                column[pos] = Some(pair.change());
            }
        }
        means.push((format!("{measure}_change"), column));
    }
    EquityInput { pilot: &pilot.id, dimensions: dimension_labels, rates, means }
}
