//! The people-counts of a publication as cells tied by the sums a reader can form, and the
//! protection that keeps every small count out of reach of arithmetic.
//!
//! A reader who knows the rule knows more than the printed numbers: a cell marked small
//! lies in 1..min − 1, a cell hidden to protect another one is not small (so it is at
//! least min), a rounded cell lies within half the rounding base of what is printed, a
//! part is at most its whole. From those facts and every published total the reader can
//! bound each hidden cell. [`Cells::protect`] hides cells until every small hidden cell
//! (and every count hidden for what it says, an extreme rate's) has a feasible interval at
//! least two values wide. The bounds are found by interval
//! propagation over the sums to a fixed point: for the hierarchies published here (groups
//! of a dimension within the pilot, deciles within quintiles, numerators within
//! denominators) that is the interval a reader solving the whole system would find.

use std::collections::HashSet;

use crate::error::{Error, Result};

use super::{DisclosureRule, Method};

/// Index of a cell.
pub(crate) type CellId = usize;

/// What happens to a cell when published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CellState {
    /// Shown as it is.
    Shown,
    /// Shown rounded to this value.
    Rounded(u64),
    /// Hidden: from 1 to min − 1.
    Small,
    /// Hidden so that a small cell cannot be worked out from it.
    Secondary,
}

impl CellState {
    pub(crate) fn is_hidden(self) -> bool {
        matches!(self, CellState::Small | CellState::Secondary)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Printed somewhere.
    Published,
    /// Never printed: an unknown that ties printed cells together (for example the
    /// people with no reliable change, beside those who improved and deteriorated).
    Derived,
}

/// A set of people-counts and the relations between them.
#[derive(Debug, Clone, Default)]
pub(crate) struct Cells {
    values: Vec<u64>,
    kinds: Vec<Kind>,
    /// Hidden before any count is looked at (e.g. a rate whose denominator is hidden).
    forced: Vec<bool>,
    /// Cells that may not be chosen for secondary suppression (they are shown exactly
    /// by another part of the report, such as a file's row count).
    fixed: Vec<bool>,
    /// parts sum to total.
    sums: Vec<(Vec<CellId>, CellId)>,
    /// a ≤ b.
    at_most: Vec<(CellId, CellId)>,
    /// Cells whose exact value other printed figures give away when they are shown (a
    /// paired count beside its degrees of freedom and t statistic): rounding them hides
    /// nothing.
    exposed: Vec<bool>,
    /// The block a cell belongs to: figures that can be withheld together (a breakdown
    /// table) when hiding cells cannot protect one of them.
    block: Vec<Option<usize>>,
    blocks: usize,
    current_block: Option<usize>,
}

/// The attacker's bound on a cell: [lo, hi], hi possibly unbounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Bound {
    lo: u64,
    hi: Option<u64>,
}

impl Bound {
    fn exact(v: u64) -> Bound {
        Bound { lo: v, hi: Some(v) }
    }

    fn width_at_least_two(&self) -> bool {
        self.hi.is_none_or(|hi| hi > self.lo)
    }
}

enum Choice {
    Hide(CellId),
    Wait,
    Nothing,
}

/// The outcome of protection: a state per cell, and the blocks withheld whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Protection {
    states: Vec<CellState>,
    withheld: Vec<bool>,
}

impl Protection {
    pub(crate) fn state(&self, id: CellId) -> CellState {
        self.states[id]
    }

    /// True when the block's figures are not published at all.
    pub(crate) fn withheld(&self, block: usize) -> bool {
        self.withheld.get(block).copied().unwrap_or(false)
    }

    /// Hidden cells, for the audit report and tests.
    #[cfg(test)]
    pub(crate) fn hidden(&self) -> usize {
        self.states.iter().filter(|s| s.is_hidden()).count()
    }
}

impl Cells {
    /// A people-count that will be printed.
    pub(crate) fn cell(&mut self, value: u64) -> CellId {
        self.push(value, Kind::Published)
    }

    /// A people-count no output prints, which ties printed cells together (use it in
    /// [`Cells::sum`]).
    pub(crate) fn derived(&mut self, value: u64) -> CellId {
        self.push(value, Kind::Derived)
    }

    fn push(&mut self, value: u64, kind: Kind) -> CellId {
        self.values.push(value);
        self.kinds.push(kind);
        self.forced.push(false);
        self.fixed.push(false);
        self.exposed.push(false);
        self.block.push(self.current_block);
        self.values.len() - 1
    }

    /// Cells made from now until [`Cells::end_block`] form one block.
    pub(crate) fn begin_block(&mut self) -> usize {
        self.blocks += 1;
        self.current_block = Some(self.blocks - 1);
        self.blocks - 1
    }

    /// Ends the current block.
    pub(crate) fn end_block(&mut self) {
        self.current_block = None;
    }

    /// The cell's true value.
    pub(crate) fn value(&self, id: CellId) -> u64 {
        self.values[id]
    }

    /// Hides a cell whatever its value (its figures are hidden for another reason).
    pub(crate) fn force_hidden(&mut self, id: CellId) {
        self.forced[id] = true;
    }

    /// Marks a cell that another part of the output prints exactly whatever its size (a
    /// file's accepted rows): it is never hidden, and the audit takes it as known.
    pub(crate) fn fix(&mut self, id: CellId) {
        self.fixed[id] = true;
    }

    /// Marks a cell whose exact value other figures give away when it is shown.
    pub(crate) fn expose(&mut self, id: CellId) {
        self.exposed[id] = true;
    }

    /// `parts` add up to `total`.
    pub(crate) fn sum(&mut self, parts: &[CellId], total: CellId) {
        self.sums.push((parts.to_vec(), total));
    }

    /// Two cells that are the same number of people, printed in two places.
    pub(crate) fn same(&mut self, a: CellId, b: CellId) {
        self.sums.push((vec![a], b));
    }

    /// `part` is at most `whole` (a numerator and its denominator).
    pub(crate) fn at_most(&mut self, part: CellId, whole: CellId) {
        self.at_most.push((part, whole));
    }

    /// A rate's numerator and denominator.
    pub(crate) fn rate(&mut self, count: u64, denominator: u64) -> (CellId, CellId) {
        let den = self.cell(denominator);
        (self.rate_of(count, den), den)
    }

    /// A numerator over an existing denominator cell.
    pub(crate) fn rate_of(&mut self, count: u64, den: CellId) -> CellId {
        let c = self.cell(count);
        self.at_most(c, den);
        c
    }

    /// Applies the rule: primary suppression, then secondary suppression until the audit
    /// passes. An error means no choice of further cells protects the small ones; the
    /// publication must not be written.
    pub(crate) fn protect(&self, rule: &DisclosureRule) -> Result<Protection> {
        let n = self.values.len();
        let mut withheld = vec![false; self.blocks];
        if !rule.enabled {
            return Ok(Protection { states: vec![CellState::Shown; n], withheld });
        }
        let k = u64::from(rule.min_count);
        let small = |v: u64| v > 0 && v < k;
        let mut states: Vec<CellState> = (0..n)
            .map(|i| {
                let v = self.values[i];
                if self.kinds[i] == Kind::Derived || self.fixed[i] {
                    CellState::Shown
                } else if small(v) {
                    CellState::Small
                } else if self.forced[i] {
                    CellState::Secondary
                } else {
                    match rule.method {
                        Method::Suppress => CellState::Shown,
                        Method::Round { base } => CellState::Rounded(round_to(v, u64::from(base))),
                    }
                }
            })
            .collect();
        // The relations each cell takes part in, for choosing what to hide next: the sums,
        // then each "part at most whole" as a relation of two.
        let relations = self.relations();
        let determined = self.determined_by_fixed();
        let mut touching: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (s, (parts, total)) in relations.iter().enumerate() {
            for &c in parts.iter().chain([total]) {
                touching[c].push(s);
            }
        }
        // Each round hides a cell, withholds a block or shows a forced cell, so this ends.
        for _ in 0..=2 * n {
            let out = |i: CellId| self.block[i].is_some_and(|b| withheld[b]);
            let bounds = self.bounds(&states, rule, &out)?;
            // Sums whose every member is printed exactly: hiding one of their cells would
            // protect nothing, since the sum gives it back.
            let all_exact: Vec<bool> = self
                .sums
                .iter()
                .map(|(parts, total)| {
                    parts
                        .iter()
                        .chain([total])
                        .all(|&c| !states[c].is_hidden() && bounds[c].hi == Some(bounds[c].lo))
                })
                .collect();
            let given_back =
                |c: CellId| touching[c].iter().any(|&r| all_exact.get(r).copied().unwrap_or(false));
            let failing: Vec<CellId> = (0..n)
                .filter(|&i| {
                    self.kinds[i] == Kind::Published
                        && !out(i)
                        && self.needs_protection(i, states[i])
                        && !bounds[i].width_at_least_two()
                })
                .collect();
            if failing.is_empty() {
                return Ok(Protection { states, withheld });
            }
            let mut chosen: HashSet<CellId> = HashSet::new();
            let mut chosen_relations: HashSet<usize> = HashSet::new();
            let mut to_withhold: Vec<usize> = Vec::new();
            let mut unforce: Vec<CellId> = Vec::new();
            let mut stuck: Vec<CellId> = Vec::new();
            for &cell in &failing {
                match self.next_to_hide(
                    cell,
                    &states,
                    &bounds,
                    &relations,
                    &touching,
                    &chosen,
                    &chosen_relations,
                    &determined,
                    &given_back,
                    &out,
                ) {
                    Choice::Hide(c) => {
                        chosen.insert(c);
                        chosen_relations.extend(touching[c].iter().copied());
                        // A cell that a printed sum gives back protects only with a cell of
                        // that sum hidden beside it (a pilot's partner and the programme's
                        // same partner): hide the smallest such cell too.
                        let giving_back =
                            touching[c].iter().find(|&&r| all_exact.get(r).copied().unwrap_or(false));
                        if let Some(&r) = giving_back {
                            let (parts, total) = &self.sums[r];
                            let partner = parts
                                .iter()
                                .chain([total])
                                .copied()
                                .filter(|&d| {
                                    d != c
                                        && self.kinds[d] == Kind::Published
                                        && !out(d)
                                        && !determined[d]
                                        && self.values[d] > 0
                                        && !chosen.contains(&d)
                                })
                                .min_by_key(|&d| (d == *total, self.values[d], d));
                            if let Some(d) = partner {
                                chosen.insert(d);
                                chosen_relations.extend(touching[d].iter().copied());
                            }
                        }
                    }
                    Choice::Wait => {}
                    // An extreme rate's count is hidden for what it says of a group, not
                    // because it is small: where the totals give it away whatever else is
                    // hidden, hiding it would protect nothing, so it is shown.
                    Choice::Nothing if self.forced[cell] && !small(self.values[cell]) => {
                        unforce.push(cell);
                    }
                    // Nothing left to hide: the markers alone pin it (two small parts of a
                    // small total). Its block is withheld whole.
                    Choice::Nothing if self.block[cell].is_some() => to_withhold.extend(self.block[cell]),
                    Choice::Nothing => stuck.push(cell),
                }
            }
            // Withholding a block or hiding a cell may free a stuck one: only a round that
            // changes nothing is final.
            if let (true, true, true, Some(&cell)) =
                (chosen.is_empty(), to_withhold.is_empty(), unforce.is_empty(), stuck.first())
            {
                return Err(Error::Disclosure(format!(
                    "a count of {} cannot be protected: every figure that adds up with it is already hidden \
                     or printed elsewhere exactly",
                    self.values[cell]
                )));
            }
            for c in chosen {
                states[c] = CellState::Secondary;
            }
            for b in to_withhold {
                withheld[b] = true;
            }
            for c in unforce {
                states[c] = match rule.method {
                    Method::Suppress => CellState::Shown,
                    Method::Round { base } => CellState::Rounded(round_to(self.values[c], u64::from(base))),
                };
            }
        }
        Err(Error::Disclosure("secondary suppression did not settle".to_string()))
    }

    /// The shown cell to hide so that `cell` gains room: the smallest non-zero shown part
    /// of a sum that pins `cell` (every other figure in it known exactly), else of any sum
    /// it is a part of, else of a sum it is the total of, else a shown total. When every
    /// figure beside it is hidden already (and still pins it through other sums), the
    /// search goes on through those hidden figures' sums.
    #[allow(clippy::too_many_arguments)]
    fn next_to_hide(
        &self,
        cell: CellId,
        states: &[CellState],
        bounds: &[Bound],
        relations: &[(Vec<CellId>, CellId)],
        touching: &[Vec<usize>],
        chosen: &HashSet<CellId>,
        chosen_relations: &HashSet<usize>,
        determined: &[bool],
        given_back: &dyn Fn(CellId) -> bool,
        out: &dyn Fn(CellId) -> bool,
    ) -> Choice {
        // A cell chosen this round already shares a sum with this one: audit again first,
        // it may be enough.
        if touching[cell].iter().any(|s| chosen_relations.contains(s)) {
            return Choice::Wait;
        }
        let open = |c: CellId| {
            self.kinds[c] == Kind::Published
                && !out(c)
                && !states[c].is_hidden()
                && !determined[c]
                && self.values[c] > 0
                && !chosen.contains(&c)
        };
        let mut frontier = vec![cell];
        let mut seen: HashSet<CellId> = HashSet::from([cell]);
        let mut seen_sums: HashSet<usize> = HashSet::new();
        let mut fallback = None;
        loop {
            // A cell another sum gives back comes last: hiding it protects only if hiding
            // something else first makes that sum inexact.
            let mut best: Option<(bool, u8, u64, CellId)> = None;
            let mut consider = |key: (bool, u8, u64, CellId)| best = Some(best.map_or(key, |b| b.min(key)));
            let mut next = Vec::new();
            for &from in &frontier {
                for &s in &touching[from] {
                    if !seen_sums.insert(s) {
                        continue;
                    }
                    let (parts, total) = &relations[s];
                    let pins =
                        parts.iter().chain([total]).all(|&c| c == from || bounds[c].hi == Some(bounds[c].lo));
                    let rank = match (parts.contains(&from), pins) {
                        (true, true) => 0,
                        (true, false) => 1,
                        (false, _) => 2,
                    };
                    for &c in parts.iter().chain([total]) {
                        if c == from {
                            continue;
                        }
                        if open(c) {
                            consider((given_back(c), if c == *total { 3 } else { rank }, self.values[c], c));
                        } else if !determined[c] && seen.insert(c) {
                            next.push(c);
                        }
                    }
                }
            }
            match best {
                Some((false, _, _, c)) => return Choice::Hide(c),
                // Only cells another sum gives back: look further through the hidden ones
                // for a cell whose hiding protects, and fall back on this one.
                Some((true, _, _, c)) => fallback = fallback.or(Some(c)),
                None => {}
            }
            if next.is_empty() {
                return fallback.map_or(Choice::Nothing, Choice::Hide);
            }
            frontier = next;
        }
    }

    /// Whether a hidden cell must not be pinned: a small count, or a count hidden for what
    /// it says (an extreme rate's). A count hidden only to protect another is at least the
    /// threshold: working it out discloses nothing small, so it needs no protection of its
    /// own (requiring it would hide cell after cell across breakdowns that share a total).
    fn needs_protection(&self, cell: CellId, state: CellState) -> bool {
        state == CellState::Small || (state.is_hidden() && self.forced[cell])
    }

    /// The fixed cells and every cell they determine: the one cell of a sum whose other
    /// members are all known (a pilot that is its file's only pilot). Hiding such a cell
    /// would protect nothing, so it is never chosen to protect another.
    fn determined_by_fixed(&self) -> Vec<bool> {
        let mut known = self.fixed.clone();
        loop {
            let mut changed = false;
            for (parts, total) in &self.sums {
                let mut unknown = parts.iter().chain([total]).filter(|&&c| !known[c]);
                if let (Some(&c), None) = (unknown.next(), unknown.next()) {
                    known[c] = true;
                    changed = true;
                }
            }
            if !changed {
                return known;
            }
        }
    }

    /// The sums, then each "part at most whole" as a relation of two.
    fn relations(&self) -> Vec<(Vec<CellId>, CellId)> {
        self.sums
            .iter()
            .cloned()
            .chain(self.at_most.iter().map(|&(part, whole)| (vec![part], whole)))
            .collect()
    }

    /// The reader's bound on every cell, given the states.
    fn bounds(
        &self,
        states: &[CellState],
        rule: &DisclosureRule,
        out: &dyn Fn(CellId) -> bool,
    ) -> Result<Vec<Bound>> {
        let k = u64::from(rule.min_count);
        let half = match rule.method {
            Method::Round { base } => u64::from(base) / 2,
            Method::Suppress => 0,
        };
        let mut b: Vec<Bound> = (0..self.values.len())
            .map(|i| match (self.kinds[i], states[i]) {
                _ if out(i) => Bound { lo: 0, hi: None },
                (Kind::Derived, _) => Bound { lo: 0, hi: None },
                (_, CellState::Shown) => Bound::exact(self.values[i]),
                // Zero is printed as zero; otherwise the value is at least k (smaller ones
                // are hidden) and within half the base of the printed figure.
                (_, CellState::Rounded(0)) => Bound::exact(0),
                (_, CellState::Rounded(_)) if self.exposed[i] => Bound::exact(self.values[i]),
                (_, CellState::Rounded(r)) => Bound { lo: r.saturating_sub(half).max(k), hi: Some(r + half) },
                (_, CellState::Small) => Bound { lo: 1, hi: Some(k - 1) },
                // Not small, unless hidden for another reason (an extreme rate's count).
                (_, CellState::Secondary) => Bound { lo: if self.forced[i] { 0 } else { k }, hi: None },
            })
            .collect();
        let limit = 64 + 4 * self.values.len();
        for _ in 0..limit {
            let mut changed = false;
            for (parts, total) in &self.sums {
                changed |= tighten_sum(&mut b, parts, *total);
            }
            for &(part, whole) in &self.at_most {
                if let Some(hi) = b[whole].hi {
                    if b[part].hi.is_none_or(|h| h > hi) {
                        b[part].hi = Some(hi);
                        changed = true;
                    }
                }
                if b[whole].lo < b[part].lo {
                    b[whole].lo = b[part].lo;
                    changed = true;
                }
            }
            if !changed {
                return Ok(b);
            }
        }
        Err(Error::Disclosure("the disclosure audit did not settle".to_string()))
    }
}

/// Tightens the bounds of `parts` and `total` under Σ parts = total; true when any moved.
fn tighten_sum(b: &mut [Bound], parts: &[CellId], total: CellId) -> bool {
    let mut changed = false;
    let lo_sum: u64 = parts.iter().map(|&p| b[p].lo).sum();
    let unbounded = parts.iter().filter(|&&p| b[p].hi.is_none()).count();
    let hi_sum: u64 = parts.iter().filter_map(|&p| b[p].hi).sum();
    // The total from its parts.
    if b[total].lo < lo_sum {
        b[total].lo = lo_sum;
        changed = true;
    }
    if unbounded == 0 && b[total].hi.is_none_or(|h| h > hi_sum) {
        b[total].hi = Some(hi_sum);
        changed = true;
    }
    // Each part from the total and the other parts.
    for &p in parts {
        let Bound { lo: own_lo, hi: own_hi } = b[p];
        let others_lo = lo_sum - own_lo;
        if let Some(total_hi) = b[total].hi {
            let hi = total_hi.saturating_sub(others_lo);
            if b[p].hi.is_none_or(|h| h > hi) {
                b[p].hi = Some(hi);
                changed = true;
            }
        }
        let others_unbounded = unbounded - usize::from(own_hi.is_none());
        if others_unbounded == 0 {
            let others_hi = hi_sum - own_hi.unwrap_or(0);
            let lo = b[total].lo.saturating_sub(others_hi);
            if lo > b[p].lo {
                b[p].lo = lo;
                changed = true;
            }
        }
    }
    changed
}

/// Rounds to the nearest multiple of `base`, halves up.
pub(crate) fn round_to(value: u64, base: u64) -> u64 {
    if base <= 1 {
        return value;
    }
    (value + base / 2) / base * base
}
