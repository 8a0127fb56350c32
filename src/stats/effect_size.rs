//! Standardised effect sizes for before-and-after designs (Lakens 2013, Front Psychol
//! 4:863).

use serde::Serialize;
use statrs::function::gamma::ln_gamma;

use super::descriptive::{mean, sample_sd};
use super::proportions::Z95;

/// Effect sizes of a paired design; signs follow last − first.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PairedEffectSizes {
    /// Pairs.
    pub n: usize,
    /// Cohen's d_z = mean change / SD of changes.
    pub d_z: Option<f64>,
    /// 95% interval of d_z, d_z ± 1.96·√(1/n + d_z²/(2n)) (large-sample SE, Lakens 2013).
    pub d_z_ci: Option<(f64, f64)>,
    /// Cohen's d_av = mean change / ((SD_first + SD_last) / 2).
    pub d_av: Option<f64>,
    /// Hedges' g_av = d_av × J(n − 1).
    pub g_av: Option<f64>,
    /// 95% interval of d_av: d_av ± 1.96·√((1/n + d_av²/(2n))·2(1 − r)), r the correlation
    /// of first and last scores (Borenstein et al. 2009, Introduction to Meta-Analysis,
    /// eq. 4.28, for matched groups).
    pub d_av_ci: Option<(f64, f64)>,
    /// 95% interval of g_av: the d_av limits times J(n − 1).
    pub g_av_ci: Option<(f64, f64)>,
}

/// Hedges' exact small-sample correction J(df) = Γ(df/2) / (√(df/2) · Γ((df − 1)/2)),
/// through log-gamma so it stays finite for large df. `None` for df ≤ 1.
///
/// ```
/// let j = coproduction::stats::hedges_j(10.0).unwrap();
/// assert!((j - 0.9227456).abs() < 5e-8); // Hedges & Olkin 0.9228
/// ```
pub fn hedges_j(df: f64) -> Option<f64> {
    if df.is_nan() || df <= 1.0 {
        return None;
    }
    Some((ln_gamma(df / 2.0) - 0.5 * (df / 2.0).ln() - ln_gamma((df - 1.0) / 2.0)).exp())
}

/// d_z, d_av and g_av (df = n − 1) for paired first and last scores. `None` when the
/// slices differ in length or are empty; each size is `None` when its SD is zero or
/// undefined.
///
/// ```
/// use coproduction::stats::paired_effect_sizes;
/// let pre = [15.0, 18.0, 12.0, 20.0, 22.0, 16.0, 14.0, 19.0, 21.0, 17.0];
/// let post = [9.0, 12.0, 10.0, 14.0, 15.0, 10.0, 11.0, 12.0, 16.0, 13.0];
/// let e = paired_effect_sizes(&pre, &post).unwrap();
/// assert!((e.d_z.unwrap() + 3.0832).abs() < 1e-4); // outcome-measures.md §5.2
/// assert!((e.d_av.unwrap() + 1.8896).abs() < 1e-4);
/// ```
pub fn paired_effect_sizes(first: &[f64], last: &[f64]) -> Option<PairedEffectSizes> {
    if first.len() != last.len() || first.is_empty() {
        return None;
    }
    let n = first.len();
    let changes: Vec<f64> = last.iter().zip(first).map(|(b, a)| b - a).collect();
    let mean_change = mean(&changes)?;
    let positive = |v: Option<f64>| v.filter(|v| *v > 0.0);
    let d_z = positive(sample_sd(&changes)).map(|sd| mean_change / sd);
    let d_z_ci = d_z.map(|d| {
        let se = (1.0 / n as f64 + d * d / (2.0 * n as f64)).sqrt();
        (d - Z95 * se, d + Z95 * se)
    });
    let average_sd = match (sample_sd(first), sample_sd(last)) {
        (Some(a), Some(b)) => positive(Some((a + b) / 2.0)),
        _ => None,
    };
    let d_av = average_sd.map(|sd| mean_change / sd);
    let j = hedges_j((n - 1) as f64);
    let g_av = d_av.and_then(|d| Some(d * j?));
    let r = correlation(first, last);
    let d_av_ci = d_av.zip(r).map(|(d, r)| {
        let se = ((1.0 / n as f64 + d * d / (2.0 * n as f64)) * 2.0 * (1.0 - r)).max(0.0).sqrt();
        (d - Z95 * se, d + Z95 * se)
    });
    let g_av_ci = d_av_ci.zip(j).map(|((lo, hi), j)| (lo * j, hi * j));
    Some(PairedEffectSizes { n, d_z, d_z_ci, d_av, g_av, d_av_ci, g_av_ci })
}

/// Pearson's correlation; `None` when either side has no spread.
fn correlation(x: &[f64], y: &[f64]) -> Option<f64> {
    let (mx, my) = (mean(x)?, mean(y)?);
    let sxy: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let sxx: f64 = x.iter().map(|a| (a - mx) * (a - mx)).sum();
    let syy: f64 = y.iter().map(|b| (b - my) * (b - my)).sum();
    (sxx > 0.0 && syy > 0.0).then(|| sxy / (sxx * syy).sqrt())
}

#[cfg(test)]
mod tests {
    use super::super::assert_close;
    use super::*;

    // outcome-measures.md §5.2 (reproducer docs; Hedges & Olkin).
    #[test]
    fn hedges_j_vectors() {
        for (df, j) in [(2.0, 0.5641896), (5.0, 0.8407487), (10.0, 0.9227456), (17.0, 0.9551115)] {
            assert!((hedges_j(df).unwrap() - j).abs() < 5e-8, "df {df}");
        }
        assert!(hedges_j(1.0).is_none());
        assert!(hedges_j(1e7).unwrap() < 1.0);
    }

    // scipy 1.17.1 with the formulas of DESIGN.md section 6 (src/stats/reference_values.py).
    #[test]
    fn matches_reference() {
        let pre = [15.0, 18.0, 12.0, 20.0, 22.0, 16.0, 14.0, 19.0, 21.0, 17.0];
        let post = [9.0, 12.0, 10.0, 14.0, 15.0, 10.0, 11.0, 12.0, 16.0, 13.0];
        let e = paired_effect_sizes(&pre, &post).unwrap();
        assert_close(e.d_z.unwrap(), -3.08322071866417, 1e-12);
        assert_close(e.d_av.unwrap(), -1.889561524704887, 1e-12);
        assert_close(e.g_av.unwrap(), -1.7268228339250487, 1e-12);
        let a = [10.0, 12.0, 9.0, 14.0, 20.0, 8.0, 11.0, 15.0, 13.0, 9.0, 16.0, 7.0];
        let b = [8.0, 12.0, 9.0, 10.0, 14.0, 8.0, 13.0, 11.0, 13.0, 5.0, 12.0, 9.0];
        let e = paired_effect_sizes(&a, &b).unwrap();
        assert_close(e.d_z.unwrap(), -0.6232319625115877, 1e-12);
        assert_close(e.d_av.unwrap(), -0.518406768518538, 1e-12);
        assert_close(e.g_av.unwrap(), -0.482097459941657, 1e-12);
        let (lo, hi) = e.d_z_ci.unwrap();
        assert!(lo < -0.6232 && hi > -0.6232);
        // Lakens' worked vector: r = 0.8625 (outcome-measures.md §5.2); the d_av interval by
        // the Borenstein formula, computed by hand: se = √((0.1 + 1.8896²/20)·2·0.1375).
        let e = paired_effect_sizes(&pre, &post).unwrap();
        let (lo, hi) = e.d_av_ci.unwrap();
        let se = ((0.1 + 1.889561524704887f64.powi(2) / 20.0) * 2.0 * (1.0 - 0.8625)).sqrt();
        assert!((hi - lo - 2.0 * Z95 * se).abs() < 2e-3, "{lo} {hi}");
        let (glo, ghi) = e.g_av_ci.unwrap();
        assert!(glo.abs() < lo.abs() && ghi.abs() < hi.abs(), "g shrinks toward zero");
    }

    #[test]
    fn undefined_sizes_are_none() {
        let e = paired_effect_sizes(&[1.0, 1.0], &[2.0, 2.0]).unwrap();
        assert_eq!((e.d_z, e.d_av, e.g_av), (None, None, None));
        assert!(paired_effect_sizes(&[1.0], &[1.0, 2.0]).is_none());
    }
}
