//! Shares in [0, 1], written as 0.2 or "20%". A bare 20 is ambiguous (20% or 0.20?) and
//! refused rather than guessed.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

/// A validated share between 0 and 1.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default, Serialize)]
#[serde(transparent)]
pub struct Fraction(f64);

impl Fraction {
    /// A share from a ratio in [0, 1].
    ///
    /// ```
    /// use coproduction::value::Fraction;
    /// assert_eq!(Fraction::from_ratio(0.2).unwrap().get(), 0.2);
    /// assert!(Fraction::from_ratio(20.0).is_err());
    /// ```
    ///
    /// # Errors
    ///
    /// The reason, if the value is not a number from 0 to 1.
    pub fn from_ratio(value: f64) -> Result<Fraction, String> {
        if !value.is_finite() {
            return Err(format!("{value} is not a number"));
        }
        if value > 1.0 && value <= 100.0 {
            return Err(format!("{value} is ambiguous: write {:.2} or \"{value}%\"", value / 100.0));
        }
        if !(0.0..=1.0).contains(&value) {
            return Err(format!("{value} is outside 0 to 1 (0% to 100%)"));
        }
        Ok(Fraction(value))
    }

    /// A share from a percentage in [0, 100].
    ///
    /// # Errors
    ///
    /// The reason, if the value is not a number from 0 to 100.
    pub fn from_percent(percent: f64) -> Result<Fraction, String> {
        if !percent.is_finite() || !(0.0..=100.0).contains(&percent) {
            return Err(format!("{percent}% is outside 0% to 100%"));
        }
        Ok(Fraction(percent / 100.0))
    }

    /// Parses `0.2`, `"20%"` or `"0.2"`.
    ///
    /// # Errors
    ///
    /// The reason, if the text is neither a share from 0 to 1 nor a percentage from 0% to 100%.
    pub fn parse(text: &str) -> Result<Fraction, String> {
        let text = text.trim();
        match text.strip_suffix('%') {
            Some(p) => p
                .trim()
                .parse::<f64>()
                .map_err(|_| format!("'{text}' is not a percentage"))
                .and_then(Fraction::from_percent),
            None => text
                .parse::<f64>()
                .map_err(|_| format!("'{text}' is not a share such as 0.2 or \"20%\""))
                .and_then(Fraction::from_ratio),
        }
    }

    /// The share as a number in [0, 1].
    pub fn get(self) -> f64 {
        self.0
    }
}

impl fmt::Display for Fraction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", (self.0 * 1000.0).round() / 10.0)
    }
}

impl<'de> Deserialize<'de> for Fraction {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Fraction, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Number(f64),
            Text(String),
        }
        let parsed = match Raw::deserialize(deserializer)? {
            Raw::Number(v) => Fraction::from_ratio(v),
            Raw::Text(t) => Fraction::parse(&t),
        };
        parsed.map_err(serde::de::Error::custom)
    }
}

/// A share taken away from an outcome (deadweight, displacement, attribution, drop-off):
/// the impact keeps `1 − deduction`.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Deduction(pub Fraction);

impl Deduction {
    /// The share deducted.
    pub fn get(self) -> f64 {
        self.0.get()
    }

    /// The share that remains.
    ///
    /// ```
    /// use coproduction::value::{Deduction, Fraction};
    /// let deadweight = Deduction(Fraction::parse("20%").unwrap());
    /// assert!((deadweight.retained().get() - 0.8).abs() < 1e-12);
    /// ```
    pub fn retained(self) -> RetainedShare {
        RetainedShare(Fraction(1.0 - self.0.get()))
    }
}

/// A share kept (1 − a deduction). A distinct type so the two cannot be mixed up.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize)]
#[serde(transparent)]
pub struct RetainedShare(Fraction);

impl RetainedShare {
    /// The share kept.
    pub fn get(self) -> f64 {
        self.0.get()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_are_read_without_guessing() {
        assert_eq!(Fraction::parse("20%").unwrap().get(), 0.2);
        assert_eq!(Fraction::parse("0.25").unwrap().get(), 0.25);
        assert_eq!(Fraction::parse("100%").unwrap().get(), 1.0);
        assert_eq!(Fraction::from_ratio(20.0).unwrap_err(), "20 is ambiguous: write 0.20 or \"20%\"");
        assert_eq!(Fraction::from_ratio(-0.1).unwrap_err(), "-0.1 is outside 0 to 1 (0% to 100%)");
        assert_eq!(Fraction::parse("120%").unwrap_err(), "120% is outside 0% to 100%");
        assert_eq!(Fraction::parse("a lot").unwrap_err(), "'a lot' is not a share such as 0.2 or \"20%\"");
        assert_eq!(Fraction::from_ratio(0.125).unwrap().to_string(), "12.5%");
    }
}
