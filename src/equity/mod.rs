//! Equity and reach: who each pilot reached and who benefited, by group, against the local
//! population.
//!
//! The stage is pure: the caller gives a group label per participant for each dimension
//! and, per participant, each rate's membership and each mean's value. Its figures are
//! exact, every cell shown. The publication stage hides what the disclosure rule requires,
//! together with every other figure of the pilot (`publish::protect_equity` does it for
//! breakdowns used on their own).

pub(crate) mod input;
mod tests_of_independence;

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::error::{Error, Result};
use crate::stats::{Proportion, RateDifference, mean_interval, newcombe_difference, wilson};

pub use crate::disclosure::{DisclosureRule, Published};
// The population file is read by ingest (the map of local provision reads it too).
pub use crate::ingest::Population;
pub use tests_of_independence::{IndependenceTest, MAX_PERMUTATION_GROUPS, TestMethod};

/// The label of the group of participants with no value recorded. Kept, never dropped.
pub const NOT_RECORDED: &str = "Not recorded";

/// What the equity stage is given for one pilot.
#[derive(Debug, Clone, PartialEq)]
pub struct EquityInput<'a> {
    /// Pilot id.
    pub pilot: &'a str,
    /// Per dimension, a label per participant (`None` = not recorded). Labels are
    /// usually borrowed from the participants: a national data set is not copied.
    pub dimensions: Vec<(String, Vec<Option<Cow<'a, str>>>)>,
    /// Per rate, per participant: `None` = not in the denominator, `Some(counted)`.
    pub rates: Vec<(String, Vec<Option<bool>>)>,
    /// Per mean, per participant: the value, if any.
    pub means: Vec<(String, Vec<Option<f64>>)>,
}

/// A mean with its 95% t interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct MeanCell {
    /// Values.
    pub n: usize,
    /// Mean.
    pub mean: f64,
    /// Lower 95% limit.
    pub ci_low: Option<f64>,
    /// Upper 95% limit.
    pub ci_high: Option<f64>,
}

/// A group's share of participants against its share of the population.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Representation {
    /// Share among participants with this dimension recorded.
    pub participant_share: f64,
    /// Share in the population.
    pub population_share: f64,
    /// participant_share / population_share.
    pub ratio: f64,
    /// Lower 95% limit: the Wilson limit of the participant share over the population share
    /// (the census count is treated as fixed).
    pub ci_low: Option<f64>,
    /// Upper 95% limit.
    pub ci_high: Option<f64>,
}

impl Representation {
    /// A sentence for reports.
    ///
    /// ```
    /// use coproduction::equity::Representation;
    /// let r = Representation { participant_share: 0.18, population_share: 0.1, ratio: 1.8, ci_low: None, ci_high: None };
    /// assert_eq!(r.sentence("Black Caribbean"), "Black Caribbean residents are reached at 1.8 times their share");
    /// ```
    pub fn sentence(&self, group: &str) -> String {
        format!("{group} residents are reached at {:.1} times their share", self.ratio)
    }
}

/// One group of one dimension.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct GroupRow {
    /// The group label.
    pub group: String,
    /// Participants in the group.
    pub participants: Published<usize>,
    /// Each rate in the group.
    pub rates: Vec<(String, Published<Proportion>)>,
    /// Each rate: the group against the rest of the pilot (Newcombe hybrid score interval).
    pub gaps: Vec<(String, Published<RateDifference>)>,
    /// Each mean in the group.
    pub means: Vec<(String, Published<MeanCell>)>,
    /// Each rate's count and denominator as published: shown even when the rate is
    /// hidden, where they may be (a denominator that is the group's own size).
    pub rate_counts: Vec<(Published<u64>, Published<u64>)>,
    /// Each mean's number of people as published.
    pub mean_counts: Vec<Published<u64>>,
    /// Reach against the population, when a population is given for this dimension.
    pub representation: Option<Published<Representation>>,
}

/// All groups of one dimension, with the tests of independence.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Breakdown {
    /// The dimension (`ethnicity`).
    pub dimension: String,
    /// Its groups, in a stable order ("Not recorded" last).
    pub groups: Vec<GroupRow>,
    /// Per rate, whether it differs between groups.
    pub tests: Vec<IndependenceTest>,
    /// True when disclosure control could not protect the breakdown's small counts by
    /// hiding cells, so it is not published at all (its groups and tests are empty).
    pub withheld: bool,
}

/// The equity results of one pilot.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct PilotEquity {
    /// Pilot id.
    pub pilot: String,
    /// One breakdown per dimension.
    pub breakdowns: Vec<Breakdown>,
    /// The disclosure rule applied: off for the equity stage's exact figures, the plan's
    /// rule once published.
    pub disclosure: DisclosureRule,
}

/// Breaks a pilot's participation and outcomes down by each dimension, with gaps, tests and
/// representation: exact figures, for the publication to protect.
///
/// ```
/// use coproduction::equity::{EquityInput, analyse};
/// let groups = ["A", "A", "A", "A", "A", "A", "B", "B", "B", "B", "B", "B"];
/// let input = EquityInput {
///     pilot: "tt",
///     dimensions: vec![("area".into(), groups.iter().map(|g| Some((*g).into())).collect())],
///     rates: vec![("recovery".into(), (0..12).map(|i| Some(i % 2 == 0)).collect())],
///     means: vec![],
/// };
/// let result = analyse(&input, None).unwrap();
/// let a = &result.breakdowns[0].groups[0];
/// assert_eq!(a.participants.value(), Some(&6));
/// let recovery = a.rates[0].1.value().unwrap();
/// assert_eq!((recovery.count, recovery.denominator), (3, 6));
/// ```
///
/// # Errors
///
/// [`Error::InvalidData`] if a dimension's labels or a rate's
/// membership do not have one entry per participant.
pub fn analyse(input: &EquityInput, population: Option<&Population>) -> Result<PilotEquity> {
    let n = input.dimensions.first().map_or(0, |d| d.1.len());
    let lengths = input
        .dimensions
        .iter()
        .map(|d| d.1.len())
        .chain(input.rates.iter().map(|r| r.1.len()))
        .chain(input.means.iter().map(|m| m.1.len()));
    for len in lengths {
        if len != n {
            return Err(Error::InvalidParameter {
                name: "equity input",
                value: format!("{len} values for {n} participants"),
                reason: "every dimension, rate and mean needs one value per participant",
            });
        }
    }
    let rate_totals: Vec<(u64, u64)> = input.rates.iter().map(|(_, values)| tally(values, 0..n)).collect();
    let mut breakdowns = Vec::with_capacity(input.dimensions.len());
    for (dimension, labels) in &input.dimensions {
        let (keys, group_of) = group_members(labels);
        let mut sizes = vec![0usize; keys.len()];
        for &g in &group_of {
            sizes[g as usize] += 1;
        }
        let recorded: usize =
            keys.iter().zip(&sizes).filter(|(k, _)| !k.is_not_recorded()).map(|(_, n)| n).sum();
        // Each rate tallied per group in one pass over the people in file order: the
        // values are read in sequence whatever the number of groups.
        let tallies: Vec<Vec<(u64, u64)>> = input
            .rates
            .iter()
            .map(|(_, values)| {
                let mut t = vec![(0u64, 0u64); keys.len()];
                for (value, &g) in values.iter().zip(&group_of) {
                    if let Some(counted) = value {
                        let cell = &mut t[g as usize];
                        cell.0 += u64::from(*counted);
                        cell.1 += 1;
                    }
                }
                t
            })
            .collect();
        // Each mean's values laid out group by group (file order within a group), read
        // once in file order: every group's values are then one slice.
        let mean_values: Vec<(Vec<f64>, Vec<usize>)> =
            input.means.iter().map(|(_, values)| by_group(values, &group_of, keys.len())).collect();
        let mut groups = Vec::with_capacity(keys.len());
        for (g, key) in keys.iter().enumerate() {
            let rates = input
                .rates
                .iter()
                .zip(&tallies)
                .map(|((name, _), t)| (name.clone(), Published::Shown(wilson(t[g].0, t[g].1))))
                .collect::<Vec<_>>();
            let gaps = input
                .rates
                .iter()
                .zip(&rate_totals)
                .zip(&tallies)
                .map(|(((name, _), total), t)| {
                    // The rest of the pilot is the total minus the group: one pass, not n².
                    let inside = t[g];
                    let outside = (total.0 - inside.0, total.1 - inside.1);
                    (
                        name.clone(),
                        Published::Shown(newcombe_difference(inside.0, inside.1, outside.0, outside.1)),
                    )
                })
                .collect::<Vec<_>>();
            let means = input
                .means
                .iter()
                .zip(&mean_values)
                .map(|((name, _), (flat, starts))| {
                    let cell = mean_interval(&flat[starts[g]..starts[g + 1]]).map(|m| MeanCell {
                        n: m.n,
                        mean: m.mean,
                        ci_low: m.ci_low,
                        ci_high: m.ci_high,
                    });
                    (name.clone(), Published::Shown(cell))
                })
                .collect::<Vec<_>>();
            let representation = population
                .and_then(|p| p.share(dimension, key.label()))
                .filter(|_| !key.is_not_recorded())
                .map(|share| {
                    let wilson = wilson(sizes[g] as u64, recorded as u64);
                    Published::Shown(wilson.filter(|_| share > 0.0).map(|w| Representation {
                        participant_share: w.rate,
                        population_share: share,
                        ratio: w.rate / share,
                        ci_low: Some(w.ci_low / share),
                        ci_high: Some(w.ci_high / share),
                    }))
                });
            let rates = flatten(rates);
            let means = flatten(means);
            let rate_counts = rates
                .iter()
                .map(|(_, r)| match r.value() {
                    Some(p) => (Published::Shown(p.count), Published::Shown(p.denominator)),
                    None => (Published::Empty, Published::Empty),
                })
                .collect();
            let mean_counts = means.iter().map(|(_, m)| m.map_ref(|c| c.n as u64)).collect();
            groups.push(GroupRow {
                group: key.label().to_string(),
                participants: Published::Shown(sizes[g]),
                rates,
                gaps: flatten(gaps),
                means,
                rate_counts,
                mean_counts,
                representation: representation.map(|r| r.flatten_option()),
            });
        }
        let tests = input
            .rates
            .iter()
            .zip(&tallies)
            .filter_map(|((name, _), table)| {
                tests_of_independence::test(name, table, hash_seed(input.pilot, dimension, name))
            })
            .collect();
        breakdowns.push(Breakdown { dimension: dimension.clone(), groups, tests, withheld: false });
    }
    Ok(PilotEquity { pilot: input.pilot.to_string(), breakdowns, disclosure: DisclosureRule::off() })
}

fn flatten<T>(cells: Vec<(String, Published<Option<T>>)>) -> Vec<(String, Published<T>)> {
    cells.into_iter().map(|(n, c)| (n, c.flatten_option())).collect()
}

/// (counted, denominator) of a rate among some participants.
fn tally(values: &[Option<bool>], people: impl Iterator<Item = usize>) -> (u64, u64) {
    people.filter_map(|i| values[i]).fold((0, 0), |(k, n), counted| (k + u64::from(counted), n + 1))
}

/// The groups in report order, and each person's group. Grouped by where the label's
/// text is first: participants share one copy of each label, so a million people hash a
/// few thousand addresses rather than a million strings. Copies with equal text are then
/// one group.
fn group_members<'a>(labels: &'a [Option<Cow<'a, str>>]) -> (Vec<GroupKey>, Vec<u32>) {
    let mut by_copy: crate::ingest::FastMap<(usize, usize), u32> = Default::default();
    let mut owned: HashMap<&'a str, u32> = HashMap::new();
    let mut copy_text: Vec<Option<&'a str>> = Vec::new();
    let mut copy_of = Vec::with_capacity(labels.len());
    for label in labels {
        let mut new_copy = |text: Option<&'a str>| {
            copy_text.push(text.map(str::trim).filter(|l| !l.is_empty()));
            copy_text.len() as u32 - 1
        };
        let copy = match label {
            None => *by_copy.entry((0, 0)).or_insert_with(|| new_copy(None)),
            Some(Cow::Borrowed(text)) => {
                let text: &'a str = text;
                *by_copy.entry((text.as_ptr() as usize, text.len())).or_insert_with(|| new_copy(Some(text)))
            }
            Some(Cow::Owned(text)) => *owned.entry(text.as_str()).or_insert_with(|| new_copy(Some(text))),
        };
        copy_of.push(copy);
    }
    let mut by_text: HashMap<Option<&str>, Vec<u32>> = HashMap::new();
    for (copy, text) in copy_text.iter().enumerate() {
        by_text.entry(*text).or_default().push(copy as u32);
    }
    let ordered: BTreeMap<GroupKey, Vec<u32>> =
        by_text.into_iter().map(|(text, copies)| (GroupKey::of(text), copies)).collect();
    let mut group_of_copy = vec![0u32; copy_text.len()];
    let mut keys = Vec::with_capacity(ordered.len());
    for (g, (key, copies)) in ordered.into_iter().enumerate() {
        for copy in copies {
            group_of_copy[copy as usize] = g as u32;
        }
        keys.push(key);
    }
    let group_of = copy_of.iter().map(|&c| group_of_copy[c as usize]).collect();
    (keys, group_of)
}

/// The values present, laid out group by group (file order within each group), with
/// where each group starts (`starts[g]..starts[g + 1]`).
fn by_group(values: &[Option<f64>], group_of: &[u32], groups: usize) -> (Vec<f64>, Vec<usize>) {
    let mut starts = vec![0usize; groups + 1];
    for (value, &g) in values.iter().zip(group_of) {
        if value.is_some() {
            starts[g as usize + 1] += 1;
        }
    }
    for g in 0..groups {
        starts[g + 1] += starts[g];
    }
    let mut next = starts.clone();
    let mut flat = vec![0.0; starts[groups]];
    for (value, &g) in values.iter().zip(group_of) {
        if let Some(v) = value {
            flat[next[g as usize]] = *v;
            next[g as usize] += 1;
        }
    }
    (flat, starts)
}

/// A seed for the Monte Carlo exact test that depends only on what is tested, so results
/// are reproducible and independent of evaluation order.
fn hash_seed(pilot: &str, dimension: &str, rate: &str) -> u64 {
    // The first 8 bytes of a SHA-256: fixed by its standard, unlike a hasher's output,
    // which may change between versions.
    use sha2::{Digest, Sha256};
    let digest = Sha256::new()
        .chain_update(pilot)
        .chain_update([0])
        .chain_update(dimension)
        .chain_update([0])
        .chain_update(rate)
        .finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_le_bytes(first)
}

/// Groups sort numerically when their labels are numbers (IMD 1..10), else by text, with
/// "Not recorded" last.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum GroupKey {
    Number(u64, String),
    Text(String),
    NotRecorded,
}

impl GroupKey {
    fn of(label: Option<&str>) -> GroupKey {
        match label.map(str::trim).filter(|l| !l.is_empty()) {
            None => GroupKey::NotRecorded,
            Some(l) => match l.parse::<u64>() {
                Ok(n) => GroupKey::Number(n, l.to_string()),
                Err(_) => GroupKey::Text(l.to_string()),
            },
        }
    }

    fn label(&self) -> &str {
        match self {
            GroupKey::Number(_, l) | GroupKey::Text(l) => l,
            GroupKey::NotRecorded => NOT_RECORDED,
        }
    }

    fn is_not_recorded(&self) -> bool {
        matches!(self, GroupKey::NotRecorded)
    }
}

#[cfg(test)]
pub(crate) mod tests;
