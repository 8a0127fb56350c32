//! Rates with Wilson score intervals, and differences with Newcombe's hybrid score
//! interval.

use serde::Serialize;

/// The 97.5th percentile of the standard normal, for 95% intervals.
pub const Z95: f64 = 1.959963984540054;

/// A rate with its 95% Wilson interval. The field names are the `results.json` contract.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct Proportion {
    /// People counted.
    pub count: u64,
    /// People in the denominator.
    pub denominator: u64,
    /// count / denominator.
    pub rate: f64,
    /// Lower 95% limit.
    pub ci_low: f64,
    /// Upper 95% limit.
    pub ci_high: f64,
}

/// The Wilson score interval (Newcombe 1998, method 3); `None` for an empty denominator
/// or a count above it.
///
/// ```
/// let r = coproduction::stats::wilson(81, 263).unwrap();
/// assert!((r.ci_low - 0.2553).abs() < 5e-5 && (r.ci_high - 0.3662).abs() < 5e-5);
/// ```
pub fn wilson(count: u64, denominator: u64) -> Option<Proportion> {
    if denominator == 0 || count > denominator {
        return None;
    }
    let n = denominator as f64;
    let p = count as f64 / n;
    let z2 = Z95 * Z95;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = Z95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / (1.0 + z2 / n);
    // At 0 and n the limits are exactly 0 and 1; rounding must not push them outside.
    let ci_low = if count == 0 { 0.0 } else { (centre - half).max(0.0) };
    let ci_high = if count == denominator { 1.0 } else { (centre + half).min(1.0) };
    Some(Proportion { count, denominator, rate: p, ci_low, ci_high })
}

/// A difference of two independent rates with its 95% interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct RateDifference {
    /// p1 − p2.
    pub estimate: f64,
    /// Lower 95% limit.
    pub ci_low: f64,
    /// Upper 95% limit.
    pub ci_high: f64,
}

/// Newcombe's hybrid score interval for p1 − p2 (method 10), from the Wilson limits.
///
/// ```
/// let d = coproduction::stats::newcombe_difference(56, 70, 48, 80).unwrap();
/// assert!((d.ci_low - 0.0524).abs() < 5e-5 && (d.ci_high - 0.3339).abs() < 5e-5);
/// ```
pub fn newcombe_difference(k1: u64, n1: u64, k2: u64, n2: u64) -> Option<RateDifference> {
    let a = wilson(k1, n1)?;
    let b = wilson(k2, n2)?;
    let estimate = a.rate - b.rate;
    let low = estimate - ((a.rate - a.ci_low).powi(2) + (b.ci_high - b.rate).powi(2)).sqrt();
    let high = estimate + ((a.ci_high - a.rate).powi(2) + (b.rate - b.ci_low).powi(2)).sqrt();
    Some(RateDifference { estimate, ci_low: low, ci_high: high })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // outcome-measures.md §5.3 (Newcombe 1998 examples; limits to 4 places).
    #[test]
    fn wilson_vectors() {
        for (k, n, lo, hi) in [
            (81, 263, 0.2553, 0.3662),
            (15, 148, 0.0624, 0.1605),
            (0, 20, 0.0, 0.1611),
            (1, 29, 0.0061, 0.1718),
            (29, 29, 0.8830, 1.0),
            (56, 70, 0.6918, 0.8770),
        ] {
            let r = wilson(k, n).unwrap();
            assert!((r.ci_low - lo).abs() < 5e-5 && (r.ci_high - hi).abs() < 5e-5, "{k}/{n}: {r:?}");
        }
        assert!(wilson(0, 0).is_none());
        assert!(wilson(3, 2).is_none());
    }

    #[test]
    fn newcombe_vectors() {
        for (k1, n1, k2, n2, est, lo, hi) in [
            (56, 70, 48, 80, 0.2000, 0.0524, 0.3339),
            (9, 10, 3, 10, 0.6000, 0.1705, 0.8090),
            (6, 7, 2, 7, 0.5714, 0.0582, 0.8062),
            (5, 56, 0, 29, 0.0893, -0.0381, 0.1926),
        ] {
            let d = newcombe_difference(k1, n1, k2, n2).unwrap();
            assert!((d.estimate - est).abs() < 5e-5, "{d:?}");
            assert!((d.ci_low - lo).abs() < 5e-5 && (d.ci_high - hi).abs() < 5e-5, "{d:?}");
        }
    }

    proptest! {
        #[test]
        fn wilson_contains_the_rate(n in 1u64..5000, share in 0.0f64..=1.0) {
            let k = ((n as f64) * share).round() as u64;
            let r = wilson(k, n).unwrap();
            prop_assert!(0.0 <= r.ci_low && r.ci_low <= r.rate && r.rate <= r.ci_high && r.ci_high <= 1.0);
        }
    }
}

/// McNemar's test for a change in a paired yes/no outcome (e.g. at caseness before and
/// after treatment in the same people).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[non_exhaustive]
pub struct McNemar {
    /// Discordant pairs that moved from yes to no.
    pub yes_to_no: u64,
    /// Discordant pairs that moved from no to yes.
    pub no_to_yes: u64,
    /// Two-sided exact p: the binomial test of the discordant pairs against 1/2.
    pub p_value: f64,
}

/// The exact McNemar test (a two-sided binomial test on the discordant pairs, as
/// `scipy.stats.binomtest(min(b, c), b + c, 0.5)`), valid for any number of pairs, unlike
/// the chi-square form. `None` when there are no discordant pairs.
///
/// ```
/// let m = coproduction::stats::mcnemar_exact(12, 3).unwrap();
/// assert!((m.p_value - 0.03515625).abs() < 1e-12); // scipy 1.17.1
/// ```
pub fn mcnemar_exact(yes_to_no: u64, no_to_yes: u64) -> Option<McNemar> {
    use statrs::distribution::{Binomial, DiscreteCDF};
    let n = yes_to_no + no_to_yes;
    if n == 0 {
        return None;
    }
    let binomial = Binomial::new(0.5, n).ok()?;
    let p_value = (2.0 * binomial.cdf(yes_to_no.min(no_to_yes))).min(1.0);
    Some(McNemar { yes_to_no, no_to_yes, p_value })
}

#[cfg(test)]
mod mcnemar_tests {
    use super::*;

    // scipy 1.17.1: binomtest(min(b, c), b + c, 0.5).pvalue
    #[test]
    fn matches_scipy() {
        for (b, c, p) in [
            (12, 3, 0.03515625),
            (30, 18, 0.11140289106101878),
            (5, 5, 1.0),
            (0, 4, 0.125),
            (80, 30, 2.0183787682242732e-06),
        ] {
            let m = mcnemar_exact(b, c).unwrap();
            assert!((m.p_value - p).abs() <= 1e-9 * p, "{b} {c}: {} vs {p}", m.p_value);
        }
        assert!(mcnemar_exact(0, 0).is_none());
    }
}
