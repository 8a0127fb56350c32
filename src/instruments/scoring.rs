//! Scoring (items or a given total → the analysed score) and the threshold helpers the
//! outcomes layer uses.

use std::fmt;

use serde::Serialize;

use super::definition::{
    Band, Direction, Instrument, MissingItems, ReliableChange, Scoring, Threshold, is_whole,
};

/// A scored assessment.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Scored {
    /// The score as the scoring rule gives it, before any conversion table: the (pro-rated)
    /// sum, the mean item score, the EQ-5D index, or the value entered. For SWEMWBS this is
    /// the raw total 7–35.
    pub raw_total: f64,
    /// The analysed score: the SWEMWBS metric score, otherwise equal to `raw_total`.
    pub total: f64,
    /// Items answered; `None` when a total was given instead of items.
    pub answered: Option<usize>,
    /// True when blank items were pro-rated.
    pub prorated: bool,
    /// True when the risk item (PHQ-9 item 9) is above its minimum. Always false when only a
    /// total was given.
    pub risk_flag: bool,
}

/// Why items or a total cannot be scored, in words a data owner can act on.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub enum ScoreProblem {
    /// An item response is outside the item range.
    ItemOutOfRange {
        /// 1-based item.
        item: usize,
        /// The response.
        value: f64,
        /// Lowest allowed response.
        min: f64,
        /// Highest allowed response.
        max: f64,
    },
    /// An item response has a fraction where responses are whole numbers.
    ItemNotWhole {
        /// 1-based item.
        item: usize,
        /// The response.
        value: f64,
        /// Instrument name.
        instrument: String,
    },
    /// An item response is NaN or infinite.
    ItemNotFinite {
        /// 1-based item.
        item: usize,
    },
    /// A response was given past the instrument's last item.
    TooManyItems {
        /// The first item past the end that has a value, 1-based.
        item: usize,
        /// Items the instrument has.
        expected: usize,
        /// Instrument name.
        instrument: String,
    },
    /// Items are blank and the instrument needs them all.
    ItemsBlank {
        /// The blank items, 1-based.
        blank: Vec<usize>,
        /// Items the instrument has.
        expected: usize,
        /// Instrument name.
        instrument: String,
    },
    /// Too few items answered to pro-rate.
    TooFewAnswered {
        /// Items answered.
        answered: usize,
        /// Items the instrument has.
        expected: usize,
        /// The minimum for pro-rating.
        required: usize,
        /// Instrument name.
        instrument: String,
    },
    /// Items were given for a measure that is entered as a single score.
    EnteredAsScore {
        /// Instrument name.
        instrument: String,
    },
    /// EQ-5D levels were given but no value set is loaded for the instrument.
    NoValueSet {
        /// Instrument name.
        instrument: String,
    },
    /// The given total is NaN or infinite.
    TotalNotFinite,
    /// The given total is outside the range.
    TotalOutOfRange {
        /// The total.
        total: f64,
        /// Lowest allowed.
        min: f64,
        /// Highest allowed.
        max: f64,
    },
    /// The given total has a fraction where totals are whole numbers.
    TotalNotWhole {
        /// The total.
        total: f64,
        /// Instrument name.
        instrument: String,
        /// True when the total is converted afterwards (give the raw total, SWEMWBS).
        converted: bool,
    },
}

impl ScoreProblem {
    /// The 1-based item the problem is about, so a loader can name the column `item_k`.
    ///
    /// ```
    /// use coproduction::Catalogue;
    /// let phq9 = Catalogue::builtin().get("phq9").unwrap();
    /// let problem = phq9.score_items(&[Some(0.0), Some(1.0), Some(5.0)]).unwrap_err();
    /// assert_eq!(problem.item(), Some(3));
    /// ```
    pub fn item(&self) -> Option<usize> {
        match self {
            ScoreProblem::ItemOutOfRange { item, .. }
            | ScoreProblem::ItemNotWhole { item, .. }
            | ScoreProblem::ItemNotFinite { item }
            | ScoreProblem::TooManyItems { item, .. } => Some(*item),
            ScoreProblem::ItemsBlank { blank, .. } => blank.first().copied(),
            _ => None,
        }
    }
}

/// "0–3", or "-0.594 to 1" where a dash would read as a minus sign.
fn range(min: f64, max: f64) -> String {
    if min < 0.0 { format!("{min} to {max}") } else { format!("{min}–{max}") }
}

impl fmt::Display for ScoreProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScoreProblem::ItemOutOfRange { item, value, min, max } => {
                write!(f, "item {item} is {value}, outside {}", range(*min, *max))
            }
            ScoreProblem::ItemNotWhole { item, value, instrument } => {
                write!(f, "item {item} is {value}, but {instrument} answers are whole numbers")
            }
            ScoreProblem::ItemNotFinite { item } => write!(f, "item {item} is not a number"),
            ScoreProblem::TooManyItems { item, expected, instrument } => {
                write!(f, "item {item} has a value, but {instrument} has only {expected} items")
            }
            ScoreProblem::ItemsBlank { blank, expected, instrument } => {
                let list: Vec<String> = blank.iter().map(ToString::to_string).collect();
                match blank.len() {
                    1 => write!(f, "item {} is blank", list.join(""))?,
                    n if n == *expected => write!(f, "all {n} items are blank")?,
                    n if n <= 5 => write!(f, "items {} are blank", list.join(", "))?,
                    n => write!(
                        f,
                        "{n} items are blank (the first is item {})",
                        list.first().map_or("", |s| s)
                    )?,
                }
                write!(f, "; {instrument} needs all {expected} items answered")
            }
            ScoreProblem::TooFewAnswered { answered, expected, required, instrument } => {
                write!(
                    f,
                    "only {answered} of {expected} items answered; {instrument} needs at least {required} to pro-rate"
                )
            }
            ScoreProblem::EnteredAsScore { instrument } => {
                write!(f, "{instrument} is entered as a single score, not as items: put it in `score`")
            }
            ScoreProblem::NoValueSet { instrument } => {
                write!(
                    f,
                    "no {instrument} value set is loaded; give the index in `score` or load a value set"
                )
            }
            ScoreProblem::TotalNotFinite => f.write_str("the score is not a number"),
            ScoreProblem::TotalOutOfRange { total, min, max } => {
                write!(f, "total {total} is outside {}", range(*min, *max))
            }
            ScoreProblem::TotalNotWhole { total, instrument, converted } => {
                write!(f, "total {total} is not a whole number, but {instrument} totals are")?;
                if *converted {
                    f.write_str(" (give the raw total, before conversion)")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for ScoreProblem {}

/// Where a reliable-change value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RcSource {
    /// The instrument's published fixed value (PHQ-9 6, GAD-7 4).
    Fixed,
    /// Jacobson-Truax: 1.96 · √2 · SD · √(1 − reliability), with the baseline SD given or,
    /// without one, the clinical norm SD.
    JacobsonTruax,
}

/// Jacobson-Truax clinical-significance cut-offs (outcome-measures.md §5.1), for the
/// instrument's direction.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[non_exhaustive]
pub struct JtCutoffs {
    /// Outside the clinical range: M1 − 2·s1 (M1 + 2·s1 when higher is better).
    pub a: f64,
    /// Inside the functional range, Jacobson & Truax 1991: M0 + 2·s0 (M0 − 2·s0 when higher
    /// is better).
    pub b: f64,
    /// `b` as the R package clinicalsignificance computes it, with the clinical SD.
    pub b_with_clinical_sd: f64,
    /// Closer to the functional mean: (s0·M1 + s1·M0)/(s0 + s1). Preferred when both norms
    /// exist.
    pub c: f64,
}

/// 1.96 · √2 · SD · √(1 − reliability) (Jacobson & Truax 1991).
pub fn jacobson_truax_rc(sd: f64, reliability: f64) -> f64 {
    1.96 * std::f64::consts::SQRT_2 * sd * (1.0 - reliability).sqrt()
}

impl Instrument {
    /// Scores item responses `item_1..item_N` as read (`None` = blank).
    ///
    /// Items are checked against the item range (and for whole numbers), reverse items are
    /// scored as `item_min + item_max − x`, blank items follow the instrument's
    /// [`MissingItems`] rule, and the total is converted (SWEMWBS) or valued (EQ-5D).
    ///
    /// ```
    /// use coproduction::Catalogue;
    /// let phq9 = Catalogue::builtin().get("phq9").unwrap();
    /// let items = [2.0, 2.0, 1.0, 3.0, 1.0, 2.0, 1.0, 0.0, 1.0].map(Some);
    /// let scored = phq9.score_items(&items).unwrap();
    /// assert_eq!(scored.total, 13.0);
    /// assert!(scored.risk_flag); // item 9 above 0
    /// assert!(phq9.is_case(scored.total).unwrap());
    ///
    /// let problem = phq9.score_items(&[Some(4.0)]).unwrap_err();
    /// assert_eq!(problem.to_string(), "item 1 is 4, outside 0–3");
    /// ```
    ///
    /// # Errors
    ///
    /// A [`ScoreProblem`] naming the item: an answer outside the item's range, or too many
    /// items missing to pro-rate.
    pub fn score_items(&self, items: &[Option<f64>]) -> Result<Scored, ScoreProblem> {
        if self.scoring == Scoring::SingleValue {
            return Err(ScoreProblem::EnteredAsScore { instrument: self.name.clone() });
        }
        // Trailing blanks past the end are harmless; a value there is a mistake.
        if let Some(extra) = items.iter().skip(self.items).position(Option::is_some) {
            return Err(ScoreProblem::TooManyItems {
                item: self.items + extra + 1,
                expected: self.items,
                instrument: self.name.clone(),
            });
        }
        let mut sum = 0.0;
        let mut answered = 0;
        let mut blank = Vec::new();
        // The answers as levels, for a value set only (no allocation for the others).
        let value_set = self.scoring == Scoring::ValueSet;
        let mut levels = if value_set { Vec::with_capacity(self.items) } else { Vec::new() };
        for k in 1..=self.items {
            let Some(x) = items.get(k - 1).copied().flatten() else {
                blank.push(k);
                continue;
            };
            self.check_item(k, x)?;
            let scored = if self.reverse_items.contains(&k) { self.item_min + self.item_max - x } else { x };
            sum += scored;
            answered += 1;
            if value_set {
                levels.push(x as usize);
            }
        }
        let prorated = !blank.is_empty();
        if prorated {
            match self.missing_items {
                MissingItems::ProrateIfAtLeast(required) if answered >= required => {}
                MissingItems::ProrateIfAtLeast(required) => {
                    return Err(ScoreProblem::TooFewAnswered {
                        answered,
                        expected: self.items,
                        required,
                        instrument: self.name.clone(),
                    });
                }
                _ => {
                    return Err(ScoreProblem::ItemsBlank {
                        blank,
                        expected: self.items,
                        instrument: self.name.clone(),
                    });
                }
            }
        }
        let risk_flag = self
            .risk_item
            .and_then(|k| items.get(k - 1).copied().flatten())
            .is_some_and(|x| x > self.item_min);
        let raw_total = match self.scoring {
            Scoring::Mean => sum / answered as f64,
            Scoring::ValueSet => {
                let Some(value_set) = &self.value_set else {
                    return Err(ScoreProblem::NoValueSet { instrument: self.name.clone() });
                };
                // Levels were range-checked above and the set matches the items, so this holds.
                value_set
                    .utility(&levels)
                    .ok_or_else(|| ScoreProblem::NoValueSet { instrument: self.name.clone() })?
            }
            _ => sum * self.items as f64 / answered as f64,
        };
        let total = self.convert(raw_total)?;
        Ok(Scored { raw_total, total, answered: Some(answered), prorated, risk_flag })
    }

    /// Scores a given total (the `score` column): the raw total for SWEMWBS (converted to
    /// the metric score), the index for EQ-5D, the mean for mean-scored measures.
    ///
    /// ```
    /// use coproduction::Catalogue;
    /// let swemwbs = Catalogue::builtin().get("swemwbs").unwrap();
    /// assert_eq!(swemwbs.score_total(21.0).unwrap().total, 19.25);
    /// let phq9 = Catalogue::builtin().get("phq9").unwrap();
    /// assert_eq!(phq9.score_total(30.0).unwrap_err().to_string(), "total 30 is outside 0–27");
    /// ```
    ///
    /// # Errors
    ///
    /// A [`ScoreProblem`] if the total is outside the instrument's range or not a possible
    /// total.
    pub fn score_total(&self, total: f64) -> Result<Scored, ScoreProblem> {
        if !total.is_finite() {
            return Err(ScoreProblem::TotalNotFinite);
        }
        let (min, max) = self.raw_range();
        if total < min || total > max {
            return Err(ScoreProblem::TotalOutOfRange { total, min, max });
        }
        if self.total_must_be_whole() && !is_whole(total) {
            return Err(ScoreProblem::TotalNotWhole {
                total,
                instrument: self.name.clone(),
                converted: self.conversion.is_some(),
            });
        }
        let converted = self.convert(total)?;
        Ok(Scored { raw_total: total, total: converted, answered: None, prorated: false, risk_flag: false })
    }

    fn check_item(&self, item: usize, x: f64) -> Result<(), ScoreProblem> {
        if !x.is_finite() {
            return Err(ScoreProblem::ItemNotFinite { item });
        }
        if x < self.item_min || x > self.item_max {
            return Err(ScoreProblem::ItemOutOfRange {
                item,
                value: x,
                min: self.item_min,
                max: self.item_max,
            });
        }
        if self.whole_numbers && !is_whole(x) {
            return Err(ScoreProblem::ItemNotWhole { item, value: x, instrument: self.name.clone() });
        }
        Ok(())
    }

    /// The range of the score before conversion (SWEMWBS raw 7–35).
    fn raw_range(&self) -> (f64, f64) {
        match &self.conversion {
            Some(table) => (
                table.points.first().map_or(self.total_min, |p| p.0),
                table.points.last().map_or(self.total_max, |p| p.0),
            ),
            None => (self.total_min, self.total_max),
        }
    }

    /// A total is whole when it is a plain sum of whole items, or a whole entered value.
    fn total_must_be_whole(&self) -> bool {
        match self.scoring {
            Scoring::Sum => self.whole_numbers && self.missing_items == MissingItems::Complete,
            Scoring::SingleValue => self.whole_numbers,
            _ => false,
        }
    }

    fn convert(&self, raw: f64) -> Result<f64, ScoreProblem> {
        match &self.conversion {
            // The table covers every whole raw total (checked on load), and raw totals
            // reaching here are whole and in range.
            Some(table) => table.convert(raw).ok_or(ScoreProblem::TotalNotWhole {
                total: raw,
                instrument: self.name.clone(),
                converted: true,
            }),
            None => Ok(raw),
        }
    }

    /// The caseness cut-off, where one is sourced.
    pub fn caseness(&self) -> Option<&Threshold> {
        self.caseness.as_ref()
    }

    /// The caseness cut-off value.
    pub fn caseness_value(&self) -> Option<f64> {
        self.caseness.as_ref().map(|t| t.value)
    }

    /// Whether an analysed score is at caseness: at or above the cut-off when lower is
    /// better (at or below when higher is better); a cut-off with `inclusive = false` does
    /// not count the boundary itself (MoCA: below 26).
    ///
    /// ```
    /// use coproduction::Catalogue;
    /// let gad7 = Catalogue::builtin().get("gad7").unwrap();
    /// assert_eq!(gad7.is_case(8.0), Some(true));
    /// assert_eq!(gad7.is_case(7.0), Some(false));
    /// ```
    pub fn is_case(&self, total: f64) -> Option<bool> {
        let t = self.caseness.as_ref()?;
        Some(match (self.direction, t.inclusive) {
            (Direction::LowerIsBetter, true) => total >= t.value,
            (Direction::LowerIsBetter, false) => total > t.value,
            (Direction::HigherIsBetter, true) => total <= t.value,
            (Direction::HigherIsBetter, false) => total < t.value,
        })
    }

    /// The published fixed reliable-change value, if any.
    pub fn fixed_reliable_change(&self) -> Option<f64> {
        match self.reliable_change {
            Some(ReliableChange::Fixed { value, .. }) => Some(value),
            _ => None,
        }
    }

    /// The change that counts as reliable: the fixed value where the instrument has one,
    /// else Jacobson-Truax from the reliability and `baseline_sd` (the sample's SD at first
    /// assessment) or, without a usable one, the clinical norm SD. `None` when neither
    /// applies.
    ///
    /// ```
    /// use coproduction::{Catalogue, RcSource};
    /// let wsas = Catalogue::builtin().get("wsas").unwrap();
    /// let (rc, source) = wsas.reliable_change_value(Some(8.0)).unwrap();
    /// assert_eq!(source, RcSource::JacobsonTruax);
    /// assert!((rc - 1.96 * 2f64.sqrt() * 8.0 * 0.3f64.sqrt()).abs() < 1e-9);
    /// ```
    pub fn reliable_change_value(&self, baseline_sd: Option<f64>) -> Option<(f64, RcSource)> {
        if let Some(value) = self.fixed_reliable_change() {
            return Some((value, RcSource::Fixed));
        }
        let reliability = self.reliability.as_ref()?.value;
        let sd = baseline_sd
            .filter(|sd| sd.is_finite() && *sd > 0.0)
            .or_else(|| self.norms.as_ref().map(|n| n.clinical.sd))?;
        Some((jacobson_truax_rc(sd, reliability), RcSource::JacobsonTruax))
    }

    /// How much better `last` is than `first`: positive is improvement, whichever way the
    /// scale runs.
    pub fn improvement(&self, first: f64, last: f64) -> f64 {
        match self.direction {
            Direction::LowerIsBetter => first - last,
            Direction::HigherIsBetter => last - first,
        }
    }

    /// The band an analysed score falls in. A fractional score between two whole-number
    /// bands (a pro-rated 9.5 between 0–9 and 10–20) belongs to the lower one, because it
    /// has not reached the next band's minimum.
    pub fn band(&self, total: f64) -> Option<&Band> {
        self.bands.iter().enumerate().find_map(|(i, band)| {
            let next_min = self.bands.get(i + 1).map(|b| b.min);
            let within = total >= band.min && total <= band.max;
            let in_gap_below_next =
                total > band.max && next_min.is_some_and(|m| total < m && m - band.max <= 1.0);
            (within || in_gap_below_next).then_some(band)
        })
    }

    /// Jacobson-Truax cut-offs from the published norms, where both norms are sourced.
    ///
    /// ```
    /// use coproduction::Catalogue;
    /// let core10 = Catalogue::builtin().get("core10").unwrap();
    /// let cut = core10.jt_cutoffs().unwrap();
    /// assert!((cut.c - 10.46).abs() < 0.005);
    /// ```
    pub fn jt_cutoffs(&self) -> Option<JtCutoffs> {
        let norms = self.norms.as_ref()?;
        let (m1, s1) = (norms.clinical.mean, norms.clinical.sd);
        let (m0, s0) = (norms.functional.mean, norms.functional.sd);
        let c = (s0 * m1 + s1 * m0) / (s0 + s1);
        Some(match self.direction {
            Direction::LowerIsBetter => {
                JtCutoffs { a: m1 - 2.0 * s1, b: m0 + 2.0 * s0, b_with_clinical_sd: m0 + 2.0 * s1, c }
            }
            Direction::HigherIsBetter => {
                JtCutoffs { a: m1 + 2.0 * s1, b: m0 - 2.0 * s0, b_with_clinical_sd: m0 - 2.0 * s1, c }
            }
        })
    }

    /// The cut-off for clinically significant change: `c` from the norms where they exist,
    /// else the caseness cut-off.
    pub fn clinical_cutoff(&self) -> Option<f64> {
        self.jt_cutoffs().map(|cut| cut.c).or_else(|| self.caseness_value())
    }
}

#[cfg(test)]
mod whole_tests {
    use super::is_whole;

    #[test]
    fn whole_numbers_as_fract_would_say() {
        for x in [0.0, -0.0, 1.0, -3.0, 27.0, 1e15, 4_503_599_627_370_497.0, 1e300, -1e300] {
            assert!(is_whole(x), "{x}");
            assert_eq!(is_whole(x), x.fract() == 0.0, "{x}");
        }
        for x in [0.5, -2.25, 1e15 + 0.5, f64::NAN, f64::INFINITY] {
            assert!(!is_whole(x), "{x}");
        }
    }
}
