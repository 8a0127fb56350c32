//! Standardised effect sizes for before-and-after designs (Lakens 2013, Front Psychol
//! 4:863).

use serde::Serialize;
use statrs::function::beta::beta_reg;
use statrs::function::erf::erfc;
use statrs::function::gamma::ln_gamma;

use super::descriptive::{mean, sample_sd};
use super::proportions::Z95;

/// Effect sizes of a paired design; signs follow last − first.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[non_exhaustive]
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
    /// 95% interval of d_av by the noncentral t (Algina & Keselman 2003): the limits of the
    /// noncentrality of the paired t (df = n − 1) scaled by SD_change / (√n · SD_av). The
    /// normal form of Borenstein et al. (2009, eq. 4.28) is too narrow when r is high.
    /// Where |t| exceeds 100,000 (changes with almost no spread) the limits are the
    /// large-sample t ± 1.96·√(1 + t²/(2(n − 1))).
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
    let sd_change = positive(sample_sd(&changes));
    let d_av_ci = match (average_sd, sd_change) {
        (Some(sd_av), Some(sd)) if n >= 2 => {
            let t = mean_change / (sd / (n as f64).sqrt());
            noncentrality_interval(t, (n - 1) as f64).map(|(lo, hi)| {
                let k = sd / ((n as f64).sqrt() * sd_av);
                (lo * k, hi * k)
            })
        }
        _ => None,
    };
    let g_av_ci = d_av_ci.zip(j).map(|((lo, hi), j)| (lo * j, hi * j));
    Some(PairedEffectSizes { n, d_z, d_z_ci, d_av, g_av, d_av_ci, g_av_ci })
}

/// The cumulative distribution of the noncentral t with `df` degrees of freedom and
/// noncentrality `delta` at `t`, by the Poisson-weighted incomplete beta series (Lenth
/// 1989, AS 243): for t ≥ 0, F = Φ(−δ) + ½ Σ_j [p_j I_x(j + ½, ν/2) + q_j I_x(j + 1, ν/2)],
/// x = t² / (t² + ν), p_j = e^{−λ} λ^j / j!, q_j = sign(δ) e^{−λ} λ^{j+½} / Γ(j + 3/2),
/// λ = δ²/2; for t < 0, F(t; ν, δ) = 1 − F(−t; ν, −δ).
///
/// The sum runs outward from the Poisson mode over 12 standard deviations each way (the
/// rest is below 1e-30), with the weights and the incomplete beta functions carried by
/// their recurrences, so its cost grows with √λ, not λ: a national-scale t stays cheap.
pub fn noncentral_t_cdf(t: f64, df: f64, delta: f64) -> f64 {
    if t < 0.0 {
        return 1.0 - noncentral_t_cdf(-t, df, -delta);
    }
    let normal_upper = 0.5 * erfc(delta / std::f64::consts::SQRT_2); // Φ(−δ)
    let x = t * t / (t * t + df);
    let lambda = delta * delta / 2.0;
    if x <= 0.0 || !x.is_finite() {
        return normal_upper;
    }
    let b = df / 2.0;
    let sign = if delta < 0.0 { -1.0 } else { 1.0 };
    let mode = lambda.floor();
    let reach = (12.0 * lambda.sqrt() + 40.0).ceil();
    let (first, last) = ((mode - reach).max(0.0), mode + reach);
    let (ln_x, ln_1x) = (x.ln(), (-x).ln_1p());
    // g(a) = x^a (1 − x)^b / (a B(a, b)), the step of I_x(a, b) − I_x(a + 1, b).
    let g = |a: f64| (ln_gamma(a + b) - ln_gamma(a + 1.0) - ln_gamma(b) + a * ln_x + b * ln_1x).exp();
    let weight = |j: f64, half: f64| {
        if lambda > 0.0 {
            (-lambda + (j + half) * lambda.ln() - ln_gamma(j + half + 1.0)).exp()
        } else if j == 0.0 && half == 0.0 {
            1.0
        } else {
            0.0
        }
    };
    // Each of the two series: (a offset from j, Poisson weight at the mode, its sign).
    let mut sum = 0.0;
    for (offset, half, factor) in [(0.5, 0.0, 1.0), (1.0, 0.5, sign)] {
        let a0 = mode + offset;
        let (i0, g0, w0) = (beta_reg(a0, b, x), g(a0), weight(mode, half) * factor);
        // Upward from the mode: I(a + 1) = I(a) − g(a), g(a + 1) = g(a) x (a + b) / (a + 1).
        let (mut i, mut step, mut w, mut a) = (i0, g0, w0, a0);
        let mut j = mode;
        while j <= last {
            sum += w * i;
            i -= step;
            step *= x * (a + b) / (a + 1.0);
            a += 1.0;
            w *= lambda / (j + half + 1.0);
            j += 1.0;
        }
        // Downward: g(a − 1) = g(a) a / (x (a − 1 + b)), I(a − 1) = I(a) + g(a − 1).
        let (mut i, mut step, mut w, mut a) = (i0, g0, w0, a0);
        let mut j = mode;
        while j > first {
            step *= a / (x * (a - 1.0 + b));
            i += step;
            a -= 1.0;
            w *= (j + half) / lambda;
            j -= 1.0;
            sum += w * i;
        }
    }
    (normal_upper + 0.5 * sum).clamp(0.0, 1.0)
}

/// The 95% interval of the noncentrality of an observed t: the δ with F(t; df, δ) = 0.975
/// and = 0.025 (F falls as δ rises), found by bracketing and bisection.
fn noncentrality_interval(t: f64, df: f64) -> Option<(f64, f64)> {
    if !t.is_finite() || df < 1.0 {
        return None;
    }
    // A t this large means changes with almost no spread; the series would need millions
    // of terms, and the large-sample form Var(t) ≈ 1 + δ²/(2ν) is what is left to say.
    if t.abs() > 1e5 {
        let half = Z95 * (1.0 + t * t / (2.0 * df)).sqrt();
        return Some((t - half, t + half));
    }
    let solve = |target: f64| -> Option<f64> {
        let f = |d: f64| noncentral_t_cdf(t, df, d) - target;
        let (mut lo, mut hi) = (t - 1.0, t + 1.0);
        let mut step = 1.0;
        while f(lo) < 0.0 {
            step *= 2.0;
            lo -= step;
            if step > 1e6 {
                return None;
            }
        }
        step = 1.0;
        while f(hi) > 0.0 {
            step *= 2.0;
            hi += step;
            if step > 1e6 {
                return None;
            }
        }
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if f(mid) > 0.0 {
                lo = mid;
            } else {
                hi = mid;
            }
            if hi - lo < 1e-13 * (1.0 + mid.abs()) {
                break;
            }
        }
        Some(0.5 * (lo + hi))
    };
    Some((solve(0.975)?, solve(0.025)?))
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
        let e = paired_effect_sizes(&pre, &post).unwrap();
        let (lo, hi) = e.d_av_ci.unwrap();
        let (glo, ghi) = e.g_av_ci.unwrap();
        assert!(glo.abs() < lo.abs() && ghi.abs() < hi.abs(), "g shrinks toward zero");
    }

    // The d_av interval against an independent computation: scipy 1.17.1 (numpy 2.4.6),
    // scipy.stats.nct with scipy.optimize.brentq, the noncentrality limits scaled by
    // SD_change / (√n · SD_av):
    //   lo = brentq(lambda x: nct.cdf(t, n - 1, x) - 0.975, t - 8, t + 8, xtol=1e-14)
    //   hi = brentq(lambda x: nct.cdf(t, n - 1, x) - 0.025, t - 8, t + 8, xtol=1e-14)
    // Lakens' vector (r = 0.8625): t = −9.75, δ in (−14.550758990189856, −4.874482746707236),
    // d_av in (−2.8199542916016904, −0.9446805180529015): an interval about 1.9 wide, where
    // the Borenstein normal form gave about 1.09.
    #[test]
    fn d_av_interval_matches_scipy_noncentral_t() {
        let pre = [15.0, 18.0, 12.0, 20.0, 22.0, 16.0, 14.0, 19.0, 21.0, 17.0];
        let post = [9.0, 12.0, 10.0, 14.0, 15.0, 10.0, 11.0, 12.0, 16.0, 13.0];
        let (lo, hi) = paired_effect_sizes(&pre, &post).unwrap().d_av_ci.unwrap();
        assert_close(lo, -2.8199542916016904, 1e-9);
        assert_close(hi, -0.9446805180529015, 1e-9);
        let (lo, hi) = noncentrality_interval(-9.75, 9.0).unwrap();
        assert_close(lo, -14.550758990189856, 1e-9);
        assert_close(hi, -4.874482746707236, 1e-9);
        let a = [10.0, 12.0, 9.0, 14.0, 20.0, 8.0, 11.0, 15.0, 13.0, 9.0, 16.0, 7.0];
        let b = [8.0, 12.0, 9.0, 10.0, 14.0, 8.0, 13.0, 11.0, 13.0, 5.0, 12.0, 9.0];
        let (lo, hi) = paired_effect_sizes(&a, &b).unwrap().d_av_ci.unwrap();
        assert_close(lo, -1.0257842612762118, 1e-9);
        assert_close(hi, 0.00823591352248594, 1e-8);
        // Changes with almost no spread (|t| over 100,000) take the large-sample form.
        let (lo, hi) = noncentrality_interval(2e5, 10.0).unwrap();
        assert!(lo < 2e5 && 2e5 < hi && (hi - lo - 2.0 * Z95 * (1.0 + 4e10 / 20.0f64).sqrt()).abs() < 1e-6);
    }

    // scipy.stats.nct.cdf (scipy 1.17.1): nct.cdf(2.5, 9, 1.0), nct.cdf(-1.3, 20, -0.5),
    // nct.cdf(12.0, 199, 10.0), nct.cdf(-9.0, 9, -8.0).
    #[test]
    fn noncentral_t_cdf_matches_scipy() {
        assert_close(noncentral_t_cdf(2.5, 9.0, 1.0), 0.8926975048673059, 1e-10);
        assert_close(noncentral_t_cdf(-1.3, 20.0, -0.5), 0.2212686047353169, 1e-10);
        assert_close(noncentral_t_cdf(12.0, 199.0, 10.0), 0.9557536197814946, 1e-10);
        assert_close(noncentral_t_cdf(-9.0, 9.0, -8.0), 0.38373888064376, 1e-10);
        // National scale: nct.cdf(300.0, 99999, 299.0), nct.cdf(50.0, 4999, 48.5),
        // nct.cdf(-20.0, 400, -21.0), nct.cdf(0.5, 3, 2.0).
        assert_close(noncentral_t_cdf(300.0, 99_999.0, 299.0), 0.7966771488285317, 1e-9);
        assert_close(noncentral_t_cdf(50.0, 4999.0, 48.5), 0.9097964530009859, 1e-9);
        assert_close(noncentral_t_cdf(-20.0, 400.0, -21.0), 0.7959212742664084, 1e-9);
        assert_close(noncentral_t_cdf(0.5, 3.0, 2.0), 0.0654789855646168, 1e-10);
        // δ = 0 is Student's t: P(T ≤ 2.262157) with 9 df is 0.975.
        assert_close(noncentral_t_cdf(2.2621571627409915, 9.0, 0.0), 0.975, 1e-10);
    }

    #[test]
    fn undefined_sizes_are_none() {
        let e = paired_effect_sizes(&[1.0, 1.0], &[2.0, 2.0]).unwrap();
        assert_eq!((e.d_z, e.d_av, e.g_av), (None, None, None));
        assert!(paired_effect_sizes(&[1.0], &[1.0, 2.0]).is_none());
    }
}
