//! Each assessment's answers as read (a total, items), kept from reading until the score
//! stage turns them into scores.
//!
//! Ingest checks that every cell is a number where a number belongs and that the layout
//! fits the instrument (no answer past its last item); what the numbers mean (ranges,
//! pro-rating, conversion tables, risk items) is the score stage's (`src/score.rs`). A
//! total given waits in the assessment's `raw_score` ("the total as entered"; NaN when
//! none was); the items of one file wait here, compactly: answers that are small whole
//! numbers, as nearly all are, take a byte each.

use super::validate::RowProblem;
use super::{Assessment, DataSet, FastMap, Ingest, Measure};

/// A byte code: the answer is this whole number.
const MAX_CODE: u8 = 253;
/// A byte code: the answer is in [`PendingAnswers::exact`].
const EXACT: u8 = 254;
/// A byte code: the item was left blank.
const BLANK: u8 = 255;

/// Items a row carries inline on its way from the checking thread to the store.
const INLINE_ITEMS: usize = 32;

/// One row's answers, on their way from the checking thread to the store: no allocation
/// for the usual row (up to 32 items, each a whole number from 0 to 253).
#[derive(Debug, Clone)]
pub(crate) struct RowAnswers {
    /// The total given in the score column (kept in the assessment's `raw_score`).
    pub(crate) given: Option<f64>,
    len: usize,
    codes: [u8; INLINE_ITEMS],
    /// Every item, when a row does not fit the codes.
    spilled: Vec<Option<f64>>,
}

impl RowAnswers {
    pub(crate) fn new(given: Option<f64>) -> RowAnswers {
        RowAnswers { given, len: 0, codes: [BLANK; INLINE_ITEMS], spilled: Vec::new() }
    }

    /// Sets item `k` (1-based); items not set are blank.
    #[inline]
    pub(crate) fn set(&mut self, k: usize, value: Option<f64>) {
        if self.spilled.is_empty() {
            let code = match value {
                None => Some(BLANK),
                Some(v) => code_of(v),
            };
            if let (Some(code), true) = (code, k <= INLINE_ITEMS) {
                self.codes[k - 1] = code;
                self.len = self.len.max(k);
                return;
            }
            self.spilled = (0..self.len).map(|i| value_of(self.codes[i])).collect();
        }
        if self.spilled.len() < k {
            self.spilled.resize(k, None);
        }
        self.spilled[k - 1] = value;
        self.len = self.len.max(k);
    }

    /// Whether any item was answered.
    pub(crate) fn any_item(&self) -> bool {
        if self.spilled.is_empty() {
            self.codes[..self.len].iter().any(|&c| c != BLANK)
        } else {
            self.spilled.iter().any(Option::is_some)
        }
    }
}

/// The code of a small whole number.
fn code_of(value: f64) -> Option<u8> {
    // The cast saturates (and sends NaN to 0), so the round trip holds only for a whole
    // number from 0 to 255.
    let code = value as u8;
    (code <= MAX_CODE && f64::from(code) == value).then_some(code)
}

fn value_of(code: u8) -> Option<f64> {
    (code != BLANK).then_some(f64::from(code))
}

/// How a file names an assessment's cells in its rejects.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Naming {
    /// A canonical outcomes table: `score`, `item_1`, `item_2`, ... with the values shown.
    Canonical,
    /// A survey export: each instrument's id and item columns by their headers (a
    /// scoring reason is prefixed with the id), and the participant column, which a
    /// duplicate submission names.
    Survey { columns: FastMap<Measure, (String, Vec<String>)>, participant_column: String },
}

/// The answers of the assessments one file added, from `first` on, waiting to be scored.
#[derive(Debug, Clone)]
pub(crate) struct PendingAnswers {
    /// The index in the data set's assessments of the first one held here.
    pub(crate) first: usize,
    /// The index of the file's first reject.
    pub(crate) first_reject: usize,
    /// The file, by its index in the data set's accounting.
    pub(crate) file: usize,
    pub(crate) naming: Naming,
    /// Survey rows already rejected for another problem (a row is rejected once).
    pub(crate) rejected_rows: std::collections::HashSet<u64>,
    /// The items of assessment `i` are `codes[ends[i - 1]..ends[i]]`.
    ends: Vec<u32>,
    codes: Vec<u8>,
    /// Answers that are not small whole numbers, by their position in `codes`.
    exact: FastMap<u32, f64>,
}

impl PendingAnswers {
    pub(crate) fn new(first: usize, first_reject: usize, file: usize, naming: Naming) -> PendingAnswers {
        PendingAnswers {
            first,
            first_reject,
            file,
            naming,
            rejected_rows: Default::default(),
            ends: Vec::new(),
            codes: Vec::new(),
            exact: FastMap::default(),
        }
    }

    /// Room for `n` more assessments.
    pub(crate) fn reserve(&mut self, n: usize) {
        self.ends.reserve(n);
    }

    /// Adds the next assessment's answers.
    pub(crate) fn push(&mut self, row: &RowAnswers) {
        if row.spilled.is_empty() {
            self.codes.extend_from_slice(&row.codes[..row.len]);
        } else {
            for value in &row.spilled {
                match value.map(|v| (v, code_of(v))) {
                    None => self.codes.push(BLANK),
                    Some((_, Some(code))) => self.codes.push(code),
                    Some((v, None)) => {
                        self.exact.insert(self.codes.len() as u32, v);
                        self.codes.push(EXACT);
                    }
                }
            }
        }
        self.ends.push(self.codes.len() as u32);
    }

    /// Adds an assessment's items as the survey reader has them.
    pub(crate) fn push_items(&mut self, items: &[Option<f64>]) {
        let mut row = RowAnswers::new(None);
        for (k, value) in items.iter().enumerate() {
            row.set(k + 1, *value);
        }
        self.push(&row);
    }

    /// Assessments held.
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// The `i`th assessment's items, into `out`; false when it has none answered.
    #[inline]
    pub(crate) fn items(&self, i: usize, out: &mut Vec<Option<f64>>) -> bool {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        let end = self.ends[i] as usize;
        out.clear();
        if start == end {
            return false;
        }
        out.extend((start..end).map(|at| match self.codes[at] {
            EXACT => self.exact.get(&(at as u32)).copied(),
            code => value_of(code),
        }));
        out.iter().any(Option::is_some)
    }
}

/// An assessment the score stage could not score: where and why, as a reject names it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Unscored {
    /// The index held in the [`PendingAnswers`].
    pub(crate) index: usize,
    pub(crate) column: Option<String>,
    pub(crate) value: Option<String>,
    pub(crate) reason: String,
}

impl DataSet {
    /// The answers waiting to be scored, with the assessments they belong to (the score
    /// stage fills their scores).
    pub(crate) fn take_answers(&mut self) -> Option<(PendingAnswers, &mut [Assessment])> {
        let answers = self.answers.take()?;
        let first = answers.first.min(self.assessments.len());
        Some((answers, &mut self.assessments[first..]))
    }
}

impl Ingest<'_> {
    /// Moves the assessments the score stage could not score to the rejects, counting
    /// their rows as rejected (a survey row once, and not when it was already), then
    /// finishes the file: repeats of a scored assessment rejected (a canonical table's
    /// repeated rows, a survey's repeated submissions), the file's rejects in row order.
    pub(crate) fn finish_scoring(
        &self,
        data: &mut DataSet,
        answers: &PendingAnswers,
        unscored: Vec<Unscored>,
    ) {
        let label = data.files.get(answers.file).map(|f| f.file.clone()).unwrap_or_default();
        let mut drop = vec![false; answers.len()];
        let mut counted = std::collections::HashSet::new();
        let mut reject_row = |data: &mut DataSet, row: u64| {
            if !answers.rejected_rows.contains(&row) && counted.insert(row) {
                if let Some(summary) = data.files.get_mut(answers.file) {
                    summary.rows_accepted = summary.rows_accepted.saturating_sub(1);
                    summary.rows_rejected += 1;
                }
            }
        };
        for u in unscored {
            let Some(a) = data.assessments.get(answers.first + u.index) else { continue };
            let row = a.row;
            drop[u.index] = true;
            data.rejects.push(&label, row, u.column.as_deref(), u.value.as_deref(), u.reason);
            reject_row(data, row);
        }
        if let Naming::Survey { participant_column, .. } = &answers.naming {
            for (row, problem) in repeated_submissions(data, answers.first, &mut drop, participant_column) {
                data.rejects.push(
                    &label,
                    row,
                    problem.column.as_deref(),
                    problem.value.as_deref(),
                    problem.reason,
                );
                reject_row(data, row);
            }
        }
        if drop.iter().any(|d| *d) {
            let mut index = 0;
            data.assessments.retain(|_| {
                let keep = index < answers.first || !drop[index - answers.first];
                index += 1;
                keep
            });
        }
        data.order = std::sync::OnceLock::new();
        if answers.naming == Naming::Canonical {
            self.reject_repeats(data, answers.file, answers.first);
        }
        data.rejects.sort_rows_from(answers.first_reject);
    }
}

/// A survey's submissions that repeat a scored questionnaire of the same participant,
/// measure and date (in an earlier file, or an earlier row of this one): each such row's
/// repeats are one problem naming the person, and are marked in `drop`.
fn repeated_submissions(
    data: &DataSet,
    first: usize,
    drop: &mut [bool],
    participant_column: &str,
) -> Vec<(u64, RowProblem)> {
    let key = |a: &Assessment| (a.participant, a.measure, a.assessed_on);
    let mut seen: FastMap<_, u64> = data.assessments[..first].iter().map(|a| (key(a), a.row)).collect();
    let mut problems = Vec::new();
    let pending = &data.assessments[first..];
    // A row's questionnaires are consecutive.
    let mut start = 0;
    while start < pending.len() {
        let row = pending[start].row;
        let end = start + pending[start..].iter().take_while(|a| a.row == row).count();
        let mut repeats: Vec<(Measure, u64)> = Vec::new();
        let mut new = Vec::new();
        for (i, a) in pending.iter().enumerate().take(end).skip(start) {
            if drop[i] {
                continue;
            }
            match seen.get(&key(a)) {
                Some(&earlier) => {
                    repeats.push((a.measure, earlier));
                    drop[i] = true;
                }
                None => new.push((key(a), row)),
            }
        }
        seen.extend(new);
        if let Some(&(_, earlier)) = repeats.first() {
            let a = &pending[start];
            let id = data.participants.get(a.participant as usize).map_or("", |p| p.participant_id.as_str());
            let measures: Vec<&str> = repeats.iter().map(|&(m, _)| data.measure_id(m)).collect();
            problems.push((
                row,
                RowProblem::cell(
                    participant_column,
                    id,
                    format!(
                        "participant '{id}' already submitted {} on {} (first at row {earlier}): a duplicate submission",
                        measures.join(" and "),
                        a.assessed_on
                    ),
                ),
            ));
        }
        start = end;
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_come_back_as_read() {
        let mut store = PendingAnswers::new(0, 0, 0, Naming::Canonical);
        let mut row = RowAnswers::new(Some(15.0));
        row.set(1, Some(2.0));
        row.set(3, Some(0.0));
        store.push(&row);
        let mut odd = RowAnswers::new(None);
        odd.set(2, Some(2.5));
        odd.set(1, Some(-1.0));
        odd.set(40, Some(300.0));
        store.push(&odd);
        store.push(&RowAnswers::new(Some(0.724)));
        let mut items = Vec::new();
        assert!(store.items(0, &mut items));
        assert_eq!(items, [Some(2.0), None, Some(0.0)]);
        assert!(store.items(1, &mut items));
        assert_eq!(items.len(), 40);
        assert_eq!(&items[..3], [Some(-1.0), Some(2.5), None]);
        assert_eq!(items[39], Some(300.0));
        assert!(!store.items(2, &mut items));
    }
}
