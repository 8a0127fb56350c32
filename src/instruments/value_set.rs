//! EQ-5D value sets: levels on each dimension → a utility index.
//!
//! The shape covers the additive models with the two common interaction terms:
//! `utility = 1 − any_problem·[any level > 1] − Σ decrement(dimension, level)
//! − any_worst_level·[any dimension at its worst level]` (the UK 3L Dolan 1997 set uses all
//! three; a purely additive set leaves the two terms at 0).

use serde::{Deserialize, Serialize};

use super::definition::Confidence;
use crate::error::{Error, Location, Result};

/// A value set, attached to the instrument it scores.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValueSet {
    id: String,
    name: String,
    instrument: String,
    version: String,
    source: String,
    confidence: Confidence,
    any_problem: f64,
    any_worst_level: f64,
    dimensions: Vec<Dimension>,
}

/// One dimension of a value set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Dimension {
    /// The dimension ("mobility").
    pub name: String,
    /// Decrements for levels 2, 3, ... (level 1 is no problem, decrement 0).
    pub decrements: Vec<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ValueSetFile {
    id: String,
    name: String,
    instrument: String,
    version: String,
    source: String,
    confidence: Confidence,
    #[serde(default)]
    any_problem: f64,
    #[serde(default)]
    any_worst_level: f64,
    dimensions: Vec<Dimension>,
    #[serde(default)]
    checks: Vec<Check>,
}

/// A known state and its utility, verified when the file is loaded.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Check {
    state: String,
    utility: f64,
}

impl ValueSet {
    /// Reads and checks a value set. `file_label` names the file in errors.
    pub(super) fn from_toml(text: &str, file_label: &str) -> Result<ValueSet> {
        let file: ValueSetFile = toml::from_str(text)
            .map_err(|e| Error::Toml { file: file_label.to_string(), reason: e.to_string() })?;
        let fail = |key: &str, value: String, reason: String| {
            Error::invalid(Location::file(file_label).column(key).value(value), reason)
        };
        let levels = file.dimensions.first().map_or(0, |d| d.decrements.len() + 1);
        if file.dimensions.is_empty() || levels < 2 {
            return Err(fail(
                "dimensions",
                String::new(),
                "needs at least one dimension with decrements".into(),
            ));
        }
        for d in &file.dimensions {
            if d.decrements.len() + 1 != levels {
                return Err(fail(
                    "dimensions",
                    d.name.clone(),
                    format!("every dimension needs {} decrements (levels 2 to {levels})", levels - 1),
                ));
            }
            if d.decrements.iter().any(|x| !x.is_finite()) {
                return Err(fail("dimensions", d.name.clone(), "decrements must be finite numbers".into()));
            }
        }
        for (key, x) in [("any_problem", file.any_problem), ("any_worst_level", file.any_worst_level)] {
            if !x.is_finite() {
                return Err(fail(key, x.to_string(), "must be a finite number".into()));
            }
        }
        let set = ValueSet {
            id: file.id,
            name: file.name,
            instrument: file.instrument,
            version: file.version,
            source: file.source,
            confidence: file.confidence,
            any_problem: file.any_problem,
            any_worst_level: file.any_worst_level,
            dimensions: file.dimensions,
        };
        for check in &file.checks {
            let state: Option<Vec<usize>> =
                check.state.chars().map(|ch| ch.to_digit(10).map(|d| d as usize)).collect();
            let got = state.and_then(|s| set.utility(&s));
            // Published utilities have three decimals.
            if got.is_none_or(|u| (u - check.utility).abs() > 0.0005) {
                let got = got.map_or_else(|| "not a valid state".to_string(), |u| format!("{u:.3}"));
                return Err(fail(
                    "checks",
                    check.state.clone(),
                    format!(
                        "state {} should have utility {}, the coefficients give {got}",
                        check.state, check.utility
                    ),
                ));
            }
        }
        Ok(set)
    }

    /// Identifier, recorded with results (`eq5d3l_uk_dolan1997`).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Display name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The instrument it scores (`eq5d3l`).
    pub fn instrument(&self) -> &str {
        &self.instrument
    }

    /// Version of this value-set file.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// Where the coefficients come from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// How well they are sourced.
    pub fn confidence(&self) -> Confidence {
        self.confidence
    }

    /// The dimensions, in item order.
    pub fn dimensions(&self) -> &[Dimension] {
        &self.dimensions
    }

    /// Number of levels per dimension.
    pub fn levels(&self) -> usize {
        self.dimensions.first().map_or(0, |d| d.decrements.len() + 1)
    }

    /// The utility of a state given as one level (1-based) per dimension; `None` when the
    /// state has the wrong length or a level out of range.
    ///
    /// ```
    /// use coproduction::Catalogue;
    /// let eq5d3l = Catalogue::builtin().get("eq5d3l").unwrap();
    /// let uk = eq5d3l.value_set().unwrap();
    /// assert!((uk.utility(&[1, 1, 1, 1, 2]).unwrap() - 0.848).abs() < 1e-9);
    /// ```
    pub fn utility(&self, levels: &[usize]) -> Option<f64> {
        if levels.len() != self.dimensions.len() {
            return None;
        }
        let worst = self.levels();
        let mut utility = 1.0;
        for (dimension, &level) in self.dimensions.iter().zip(levels) {
            if !(1..=worst).contains(&level) {
                return None;
            }
            if level > 1 {
                utility -= dimension.decrements.get(level - 2)?;
            }
        }
        if levels.iter().any(|&l| l > 1) {
            utility -= self.any_problem;
        }
        if levels.contains(&worst) {
            utility -= self.any_worst_level;
        }
        Some(utility)
    }

    /// Lowest and highest utility over all states (every state is visited: 3,125 for 5L).
    pub(super) fn utility_range(&self) -> (f64, f64) {
        let (dims, levels) = (self.dimensions.len(), self.levels());
        let mut state = vec![1; dims];
        let (mut low, mut high) = (f64::INFINITY, f64::NEG_INFINITY);
        loop {
            if let Some(u) = self.utility(&state) {
                low = low.min(u);
                high = high.max(u);
            }
            // Next state, like an odometer over the levels.
            let Some(position) = state.iter().rposition(|&l| l < levels) else { break };
            state[position] += 1;
            state[position + 1..].iter_mut().for_each(|l| *l = 1);
        }
        (low, high)
    }
}
