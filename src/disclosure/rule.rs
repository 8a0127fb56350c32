//! The disclosure rule in force, and how it reads in words.

use serde::Serialize;

use crate::error::{Error, Result};

/// How counts of people that are not small are published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case", tag = "method")]
#[non_exhaustive]
pub enum Method {
    /// Exact, with small counts hidden (the default).
    Suppress,
    /// Rounded to the nearest multiple of `base` (NHS publication style, base 5), with
    /// small counts still hidden.
    Round {
        /// The rounding base.
        base: u32,
    },
}

/// The threshold below which counts of people are hidden, how the rest are shown, and
/// whether the plan turned the rule off.
///
/// ```
/// use coproduction::DisclosureRule;
/// let rule = DisclosureRule::new(10).unwrap();
/// assert_eq!(rule.small_marker(), "<10");
/// assert!(rule.describe().contains("from 1 to 9"));
/// assert!(DisclosureRule::new(2).is_err(), "a hidden count could only be 1");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct DisclosureRule {
    /// False only when the plan turns disclosure control off.
    pub enabled: bool,
    /// Counts of people from 1 to `min_count − 1` are hidden, as are rates and means over
    /// fewer than `min_count` people.
    pub min_count: u32,
    /// Exact or rounded counts.
    #[serde(flatten)]
    pub method: Method,
    /// Hide rates of 0% and 100% in groups of fewer than `2 × min_count` people, which
    /// would tell a reader something true of everyone in a small group.
    pub protect_extremes: bool,
}

/// The earlier name of [`DisclosureRule`].
pub type DisclosureControl = DisclosureRule;

/// The marker of a figure hidden to protect another one.
pub const SECONDARY_MARKER: &str = "*";

impl DisclosureRule {
    /// The rule with a threshold of at least 3 (5 is the usual one): with 2, a hidden
    /// count could only be 1, so hiding it would reveal it.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] for a threshold under 3.
    pub fn new(min_count: u32) -> Result<DisclosureRule> {
        if min_count < 3 {
            return Err(Error::InvalidParameter {
                name: "min_count",
                value: min_count.to_string(),
                reason: "must be at least 3; use DisclosureRule::off() to publish everything",
            });
        }
        Ok(DisclosureRule { enabled: true, min_count, method: Method::Suppress, protect_extremes: false })
    }

    /// Counts rounded to the nearest `base` instead of shown exactly.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] for a base under 2.
    pub fn rounded(mut self, base: u32) -> Result<DisclosureRule> {
        if base < 2 {
            return Err(Error::InvalidParameter {
                name: "round_to",
                value: base.to_string(),
                reason: "must be at least 2 (5 is the NHS publication style)",
            });
        }
        self.method = Method::Round { base };
        Ok(self)
    }

    /// Also hides 0% and 100% rates in small groups.
    pub fn protecting_extremes(mut self) -> DisclosureRule {
        self.protect_extremes = true;
        self
    }

    /// No suppression: for analysts' own use, never for publication.
    pub fn off() -> DisclosureRule {
        DisclosureRule { enabled: false, min_count: 0, method: Method::Suppress, protect_extremes: false }
    }

    /// How a small hidden count shows: `<5` for a threshold of 5.
    pub fn small_marker(&self) -> String {
        format!("<{}", self.min_count)
    }

    /// True when `value` is a count this rule hides as small.
    pub fn is_small(&self, value: u64) -> bool {
        self.enabled && value > 0 && value < u64::from(self.min_count)
    }

    /// The rule in words, with the threshold, for every output to state once.
    pub fn describe(&self) -> String {
        if !self.enabled {
            return "Disclosure control is OFF (set in the plan): every count is shown exactly, however \
                    small. Do not publish these figures."
                .to_string();
        }
        let k = self.min_count;
        let mut text = format!(
            "Counts of people from 1 to {} are hidden and shown as {}; rates, means and other statistics \
             over fewer than {k} people are hidden too. Figures that would let a hidden count be worked out \
             from the totals are hidden as well and shown as {SECONDARY_MARKER}. Counts that are not people \
             (sessions, hours, money) are never hidden.",
            k - 1,
            self.small_marker(),
        );
        if let Method::Round { base } = self.method {
            text.push_str(&format!(" Other counts of people are rounded to the nearest {base}."));
        }
        if self.protect_extremes {
            text.push_str(&format!(
                " Rates of 0% and 100% in groups of fewer than {} people are hidden.",
                2 * k
            ));
        }
        text
    }
}

impl Default for DisclosureRule {
    /// A threshold of 5, counts exact.
    fn default() -> Self {
        DisclosureRule { enabled: true, min_count: 5, method: Method::Suppress, protect_extremes: false }
    }
}
