//! The paired t test on change scores.

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, StudentsT};

use super::descriptive::{mean, sample_sd};

/// A paired t test of the mean change (DESIGN.md section 6).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[non_exhaustive]
pub struct PairedTTest {
    /// Number of changes.
    pub n: usize,
    /// Mean change (last − first).
    pub mean_change: f64,
    /// Sample SD of the changes.
    pub sd_change: f64,
    /// t statistic; `None` when every change is the same (no spread).
    pub t: Option<f64>,
    /// Degrees of freedom, n − 1.
    pub df: f64,
    /// Two-sided p; `None` without spread.
    pub p_value: Option<f64>,
    /// Lower 95% limit of the mean change.
    pub ci_low: Option<f64>,
    /// Upper 95% limit of the mean change.
    pub ci_high: Option<f64>,
}

/// The paired t test on `changes` (last − first): t, df = n − 1, two-sided p and the 95%
/// interval of the mean change, as `scipy.stats.ttest_rel(last, first)`. `None` below two
/// changes.
///
/// ```
/// use coproduction::stats::paired_t_test;
/// let t = paired_t_test(&[-6.0, -6.0, -2.0, -6.0, -7.0, -6.0, -3.0, -7.0, -5.0, -4.0]).unwrap();
/// assert_eq!(t.t, Some(-9.75));
/// assert!((t.p_value.unwrap() - 4.41585703390981e-06).abs() < 1e-15); // scipy 1.17.1
/// ```
pub fn paired_t_test(changes: &[f64]) -> Option<PairedTTest> {
    let n = changes.len();
    let mean_change = mean(changes)?;
    let sd_change = sample_sd(changes)?;
    let df = (n - 1) as f64;
    let dist = StudentsT::new(0.0, 1.0, df).ok()?;
    let se = sd_change / (n as f64).sqrt();
    let (t, p_value, ci) = if se > 0.0 {
        let t = mean_change / se;
        let half = dist.inverse_cdf(0.975) * se;
        (Some(t), Some((2.0 * dist.sf(t.abs())).min(1.0)), Some((mean_change - half, mean_change + half)))
    } else {
        // Every change equal: the mean is known exactly, a test is meaningless.
        (None, None, Some((mean_change, mean_change)))
    };
    Some(PairedTTest {
        n,
        mean_change,
        sd_change,
        t,
        df,
        p_value,
        ci_low: ci.map(|c| c.0),
        ci_high: ci.map(|c| c.1),
    })
}

#[cfg(test)]
mod tests {
    use super::super::assert_close;
    use super::*;

    // scipy 1.17.1: ttest_rel(post, pre) and its confidence_interval(0.95).
    #[test]
    fn matches_scipy() {
        let pre = [15.0, 18.0, 12.0, 20.0, 22.0, 16.0, 14.0, 19.0, 21.0, 17.0];
        let post = [9.0, 12.0, 10.0, 14.0, 15.0, 10.0, 11.0, 12.0, 16.0, 13.0];
        let ch: Vec<f64> = post.iter().zip(pre).map(|(b, a)| b - a).collect();
        let t = paired_t_test(&ch).unwrap();
        assert_close(t.mean_change, -5.2, 1e-12);
        assert_close(t.sd_change, 1.6865480854231356, 1e-12);
        assert_close(t.t.unwrap(), -9.75, 1e-12);
        assert_close(t.p_value.unwrap(), 4.41585703390981e-06, 1e-9);
        assert_close(t.ci_low.unwrap(), -6.406483820159043, 1e-9);
        assert_close(t.ci_high.unwrap(), -3.9935161798409577, 1e-9);
        assert_eq!(t.df, 9.0);

        let a = [10.0, 12.0, 9.0, 14.0, 20.0, 8.0, 11.0, 15.0, 13.0, 9.0, 16.0, 7.0];
        let b = [8.0, 12.0, 9.0, 10.0, 14.0, 8.0, 13.0, 11.0, 13.0, 5.0, 12.0, 9.0];
        let ch: Vec<f64> = b.iter().zip(a).map(|(b, a)| b - a).collect();
        let t = paired_t_test(&ch).unwrap();
        assert_close(t.t.unwrap(), -2.158938847941864, 1e-12);
        assert_close(t.p_value.unwrap(), 0.05380358204027797, 1e-9);
        assert_close(t.ci_low.unwrap(), -3.3657924217336816, 1e-9);
        assert_close(t.ci_high.unwrap(), 0.03245908840034839, 1e-9);
    }

    #[test]
    fn edge_cases() {
        assert!(paired_t_test(&[]).is_none());
        assert!(paired_t_test(&[3.0]).is_none());
        let flat = paired_t_test(&[-2.0, -2.0, -2.0]).unwrap();
        assert_eq!((flat.t, flat.p_value, flat.ci_low), (None, None, Some(-2.0)));
    }
}
