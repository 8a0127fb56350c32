//! The Wilcoxon signed-rank test on change scores.

use std::fmt;

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, Normal};

/// How the Wilcoxon p-value was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum WilcoxonMethod {
    /// The exact null distribution (50 or fewer non-zero changes, no ties).
    Exact,
    /// The normal approximation with the tie correction, no continuity correction.
    Normal,
}

impl fmt::Display for WilcoxonMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            WilcoxonMethod::Exact => "exact",
            WilcoxonMethod::Normal => "normal approximation",
        })
    }
}

/// A two-sided Wilcoxon signed-rank test.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Wilcoxon {
    /// Non-zero changes (zeros are dropped).
    pub n_nonzero: usize,
    /// min(W+, W−), the sums of the ranks of the positive and negative changes.
    pub statistic: f64,
    /// Two-sided p.
    pub p_value: f64,
    /// Exact or normal approximation.
    pub method: WilcoxonMethod,
}

/// Largest sample for the exact distribution (DESIGN.md section 6).
const EXACT_MAX_N: usize = 50;

/// The two-sided Wilcoxon signed-rank test of `changes` (DESIGN.md section 6): zeros
/// dropped; the exact p when 50 or fewer remain and their absolute values have no ties,
/// otherwise the normal approximation with the tie correction and no continuity
/// correction. This is `scipy.stats.wilcoxon(nonzero, correction=False, method=...)` with
/// the method chosen by that rule. `None` when every change is zero.
///
/// ```
/// use coproduction::stats::{WilcoxonMethod, wilcoxon_signed_rank};
/// let w = wilcoxon_signed_rank(&[1.0, -2.0, 3.0, 4.0, -5.0, 6.0, 7.0]).unwrap();
/// assert_eq!((w.statistic, w.method), (7.0, WilcoxonMethod::Exact));
/// assert!((w.p_value - 0.296875).abs() < 1e-12); // scipy 1.17.1
/// ```
pub fn wilcoxon_signed_rank(changes: &[f64]) -> Option<Wilcoxon> {
    let mut nonzero: Vec<f64> = changes.iter().copied().filter(|c| *c != 0.0 && c.is_finite()).collect();
    let n = nonzero.len();
    if n == 0 {
        return None;
    }
    nonzero.sort_by(|a, b| a.abs().total_cmp(&b.abs()));
    // Average ranks of |change|, with the tie groups for the variance correction.
    let mut ranks = vec![0.0; n];
    let mut tie_term = 0.0;
    let mut i = 0;
    while i < n {
        let mut j = i + 1;
        while j < n && nonzero[j].abs() == nonzero[i].abs() {
            j += 1;
        }
        let average = (i + j + 1) as f64 / 2.0;
        ranks[i..j].iter_mut().for_each(|r| *r = average);
        let t = (j - i) as f64;
        tie_term += t * t * t - t;
        i = j;
    }
    let r_plus: f64 = nonzero.iter().zip(&ranks).filter(|(c, _)| **c > 0.0).map(|(_, r)| r).sum();
    let total = (n * (n + 1)) as f64 / 2.0;
    let r_minus = total - r_plus;
    let statistic = r_plus.min(r_minus);
    let ties = tie_term > 0.0;
    if n <= EXACT_MAX_N && !ties {
        let p = (2.0 * exact_cdf(n, statistic as usize)).min(1.0);
        return Some(Wilcoxon { n_nonzero: n, statistic, p_value: p, method: WilcoxonMethod::Exact });
    }
    let nf = n as f64;
    let mean = nf * (nf + 1.0) / 4.0;
    let variance = nf * (nf + 1.0) * (2.0 * nf + 1.0) / 24.0 - tie_term / 48.0;
    let p = if variance > 0.0 {
        let z = (r_plus - mean) / variance.sqrt();
        let normal = Normal::new(0.0, 1.0).ok()?;
        (2.0 * normal.sf(z.abs())).min(1.0)
    } else {
        1.0
    };
    Some(Wilcoxon { n_nonzero: n, statistic, p_value: p, method: WilcoxonMethod::Normal })
}

/// P(W+ ≤ k) under the null for n untied non-zero changes: each of the 2^n sign patterns
/// is equally likely; counts of rank-sum subsets by dynamic programming (exact in f64 up
/// to n = 50, where counts stay below 2^53).
fn exact_cdf(n: usize, k: usize) -> f64 {
    let max = n * (n + 1) / 2;
    let mut counts = vec![0.0f64; max + 1];
    counts[0] = 1.0;
    for rank in 1..=n {
        for sum in (rank..=max).rev() {
            counts[sum] += counts[sum - rank];
        }
    }
    let below: f64 = counts[..=k.min(max)].iter().sum();
    below / 2f64.powi(n as i32)
}

#[cfg(test)]
mod tests {
    use super::super::assert_close;
    use super::*;

    // scipy 1.17.1 (src/stats/reference_values.py).
    #[test]
    fn exact_matches_scipy() {
        for (xs, stat, p) in [
            (vec![1.0, -2.0, 3.0, 4.0, -5.0, 6.0, 7.0], 7.0, 0.296875),
            (vec![-1.5, -2.5, -3.5, -4.5], 0.0, 0.125),
            (vec![2.0, 1.0, 3.0, 5.0, 4.0, -6.0], 6.0, 0.4375),
            (vec![0.5, 1.5, -2.5], 3.0, 1.0),
            (
                vec![
                    1.0, -2.0, 3.0, 4.0, -5.0, 6.0, 7.0, 8.0, -9.0, 10.0, 11.0, 12.0, 13.0, -14.0, 15.0,
                    16.0, 17.0, 18.0, 19.0, 20.0,
                ],
                30.0,
                0.00365447998046875,
            ),
        ] {
            let w = wilcoxon_signed_rank(&xs).unwrap();
            assert_eq!(w.method, WilcoxonMethod::Exact);
            assert_eq!(w.statistic, stat);
            assert_close(w.p_value, p, 1e-12);
        }
    }

    #[test]
    fn normal_approximation_with_ties_and_zeros() {
        let pre = [15.0, 18.0, 12.0, 20.0, 22.0, 16.0, 14.0, 19.0, 21.0, 17.0];
        let post = [9.0, 12.0, 10.0, 14.0, 15.0, 10.0, 11.0, 12.0, 16.0, 13.0];
        let ch: Vec<f64> = post.iter().zip(pre).map(|(b, a)| b - a).collect();
        let w = wilcoxon_signed_rank(&ch).unwrap();
        assert_eq!((w.method, w.statistic), (WilcoxonMethod::Normal, 0.0));
        assert_close(w.p_value, 0.004753229214898705, 1e-9);

        let a = [10.0, 12.0, 9.0, 14.0, 20.0, 8.0, 11.0, 15.0, 13.0, 9.0, 16.0, 7.0];
        let b = [8.0, 12.0, 9.0, 10.0, 14.0, 8.0, 13.0, 11.0, 13.0, 5.0, 12.0, 9.0];
        let ch: Vec<f64> = b.iter().zip(a).map(|(b, a)| b - a).collect();
        let w = wilcoxon_signed_rank(&ch).unwrap();
        assert_eq!((w.n_nonzero, w.statistic), (8, 4.0));
        assert_close(w.p_value, 0.046051889479114025, 1e-9);
    }

    #[test]
    fn more_than_fifty_uses_the_normal_approximation() {
        let a: Vec<f64> = (0..60).map(|i| (i % 17 + 10) as f64).collect();
        let b: Vec<f64> = (0..60).map(|i| ((i * 7) % 23 + 5) as f64).collect();
        let ch: Vec<f64> = b.iter().zip(&a).map(|(b, a)| b - a).collect();
        let w = wilcoxon_signed_rank(&ch).unwrap();
        assert_eq!((w.method, w.statistic), (WilcoxonMethod::Normal, 703.0));
        assert_close(w.p_value, 0.23738804670711733, 1e-9);
    }

    #[test]
    fn all_zero_is_none() {
        assert!(wilcoxon_signed_rank(&[0.0, 0.0]).is_none());
        assert!(wilcoxon_signed_rank(&[]).is_none());
    }
}
