//! Statistical disclosure control for published breakdowns.
//!
//! Primary suppression hides counts from 1 to min − 1 and rates or means over fewer than
//! min people (and a rate whose complement, denominator − count, is that small).
//! Secondary suppression then makes sure no hidden value can be recovered by subtraction:
//! wherever exactly one cell of a breakdown is hidden, the next smallest is hidden too, and
//! every figure of a group whose size is hidden goes with it.

use serde::{Serialize, Serializer};

use crate::error::{Error, Result};

use super::Breakdown;

/// The threshold below which figures are hidden, or an explicit choice to publish all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DisclosureControl {
    /// False only when the plan turns disclosure control off.
    pub enabled: bool,
    /// Counts below this (and above 0) are hidden.
    pub min_count: u32,
}

impl DisclosureControl {
    /// Disclosure control with a threshold of at least 3 (5 is the usual one): with 2, a
    /// hidden count could only be 1, so hiding it would reveal it.
    pub fn new(min_count: u32) -> Result<DisclosureControl> {
        if min_count < 3 {
            return Err(Error::InvalidParameter {
                name: "min_count",
                value: min_count.to_string(),
                reason: "must be at least 3; use DisclosureControl::off() to publish everything",
            });
        }
        Ok(DisclosureControl { enabled: true, min_count })
    }

    /// No suppression: for analysts' own use, never for publication.
    pub fn off() -> DisclosureControl {
        DisclosureControl { enabled: false, min_count: 0 }
    }

    fn small(&self, value: u64) -> bool {
        self.enabled && value > 0 && value < u64::from(self.min_count)
    }

    fn below(&self, size: u64) -> bool {
        self.enabled && size < u64::from(self.min_count)
    }

    /// Applies primary and secondary suppression to a breakdown in place.
    pub(crate) fn apply(&self, breakdown: &mut Breakdown) {
        if !self.enabled {
            return;
        }
        let groups = &mut breakdown.groups;
        // Group sizes.
        let sizes: Vec<u64> =
            groups.iter().map(|g| g.participants.value().copied().unwrap_or(0) as u64).collect();
        let mut hidden: Vec<bool> = sizes.iter().map(|&n| self.small(n)).collect();
        secondary(&sizes, &mut hidden);
        for (g, hide) in groups.iter_mut().zip(&hidden) {
            if *hide {
                g.participants.suppress();
                g.rates.iter_mut().for_each(|(_, c)| c.suppress());
                g.gaps.iter_mut().for_each(|(_, c)| c.suppress());
                g.means.iter_mut().for_each(|(_, c)| c.suppress());
                if let Some(r) = g.representation.as_mut() {
                    r.suppress();
                }
            }
        }
        // Each rate across the groups.
        let rates = groups.first().map_or(0, |g| g.rates.len());
        for r in 0..rates {
            let denominators: Vec<u64> =
                groups.iter().map(|g| g.rates[r].1.value().map_or(0, |p| p.denominator)).collect();
            let mut hide: Vec<bool> = groups
                .iter()
                .map(|g| match &g.rates[r].1 {
                    Published::Suppressed => true,
                    Published::Shown(p) => {
                        self.below(p.denominator)
                            || self.small(p.count)
                            || self.small(p.denominator - p.count)
                    }
                    Published::Empty => false,
                })
                .collect();
            secondary(&denominators, &mut hide);
            for (g, h) in groups.iter_mut().zip(&hide) {
                if *h {
                    g.rates[r].1.suppress();
                    g.gaps[r].1.suppress();
                }
            }
        }
        // Each mean across the groups.
        let means = groups.first().map_or(0, |g| g.means.len());
        for m in 0..means {
            let ns: Vec<u64> =
                groups.iter().map(|g| g.means[m].1.value().map_or(0, |c| c.n as u64)).collect();
            let mut hide: Vec<bool> = groups
                .iter()
                .map(|g| match &g.means[m].1 {
                    Published::Suppressed => true,
                    Published::Shown(c) => self.below(c.n as u64),
                    Published::Empty => false,
                })
                .collect();
            secondary(&ns, &mut hide);
            for (g, h) in groups.iter_mut().zip(&hide) {
                if *h {
                    g.means[m].1.suppress();
                }
            }
        }
    }
}

/// If exactly one non-empty cell is hidden, the pilot total minus the visible cells gives
/// it away: hide the smallest visible non-empty cell as well.
fn secondary(sizes: &[u64], hidden: &mut [bool]) {
    let count = hidden.iter().zip(sizes).filter(|(h, s)| **h && **s > 0).count();
    if count != 1 {
        return;
    }
    let next = sizes
        .iter()
        .enumerate()
        .filter(|(i, s)| !hidden[*i] && **s > 0)
        .min_by_key(|(_, s)| **s)
        .map(|(i, _)| i);
    if let Some(i) = next {
        hidden[i] = true;
    }
}

/// A published figure: shown, hidden by disclosure control, or undefined for the data.
#[derive(Debug, Clone, PartialEq)]
pub enum Published<T> {
    /// The value.
    Shown(T),
    /// Hidden by disclosure control.
    Suppressed,
    /// Undefined (no one in the denominator).
    Empty,
}

impl<T> Published<T> {
    /// The value, if shown.
    pub fn value(&self) -> Option<&T> {
        match self {
            Published::Shown(v) => Some(v),
            _ => None,
        }
    }

    /// True when hidden by disclosure control.
    pub fn is_suppressed(&self) -> bool {
        matches!(self, Published::Suppressed)
    }

    /// Text for tables: the formatted value, "<5"-style marker when hidden, a dash when
    /// undefined.
    pub fn display(&self, marker: &str, format: impl Fn(&T) -> String) -> String {
        match self {
            Published::Shown(v) => format(v),
            Published::Suppressed => marker.to_string(),
            Published::Empty => "–".to_string(),
        }
    }

    fn suppress(&mut self) {
        if !matches!(self, Published::Empty) {
            *self = Published::Suppressed;
        }
    }
}

impl<T> Published<Option<T>> {
    pub(crate) fn flatten_option(self) -> Published<T> {
        match self {
            Published::Shown(Some(v)) => Published::Shown(v),
            Published::Shown(None) | Published::Empty => Published::Empty,
            Published::Suppressed => Published::Suppressed,
        }
    }
}

impl<T: Serialize> Serialize for Published<T> {
    /// The value, or `null` (the row or object says whether it was suppressed).
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Published::Shown(v) => v.serialize(serializer),
            _ => serializer.serialize_none(),
        }
    }
}
