//! Means, sample standard deviations and t intervals.

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, StudentsT};

/// The arithmetic mean; `None` for no values.
///
/// ```
/// assert_eq!(coproduction::stats::mean(&[1.0, 2.0, 6.0]), Some(3.0));
/// assert_eq!(coproduction::stats::mean(&[]), None);
/// ```
pub fn mean(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    Some(values.iter().sum::<f64>() / values.len() as f64)
}

/// The sample standard deviation (n − 1 denominator); `None` below two values.
///
/// ```
/// let sd = coproduction::stats::sample_sd(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]).unwrap();
/// assert!((sd - 2.138089935299395).abs() < 1e-12);
/// ```
pub fn sample_sd(values: &[f64]) -> Option<f64> {
    if values.len() < 2 {
        return None;
    }
    let m = mean(values)?;
    // Two-pass: stable for large, similar values such as blood pressures.
    let ss: f64 = values.iter().map(|v| (v - m) * (v - m)).sum();
    Some((ss / (values.len() - 1) as f64).sqrt())
}

/// A mean with its 95% t interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[non_exhaustive]
pub struct MeanInterval {
    /// Number of values.
    pub n: usize,
    /// The mean.
    pub mean: f64,
    /// Lower 95% limit (`None` below two values).
    pub ci_low: Option<f64>,
    /// Upper 95% limit.
    pub ci_high: Option<f64>,
}

/// The mean with a 95% interval from Student's t with n − 1 degrees of freedom.
///
/// ```
/// let m = coproduction::stats::mean_interval(&[1.0, 2.0, 3.0, 4.0]).unwrap();
/// assert!((m.ci_low.unwrap() - 0.4457397432394794).abs() < 1e-9); // scipy 1.17.1 t.interval
/// ```
pub fn mean_interval(values: &[f64]) -> Option<MeanInterval> {
    let m = mean(values)?;
    let n = values.len();
    let half = sample_sd(values).and_then(|sd| Some(t_975(n - 1)? * sd / (n as f64).sqrt()));
    Some(MeanInterval { n, mean: m, ci_low: half.map(|h| m - h), ci_high: half.map(|h| m + h) })
}

/// The 97.5% point of Student's t with `df` degrees of freedom. Inverting the t
/// distribution is the costly step of a mean's interval, and a breakdown of thousands of
/// groups asks for the same few dfs again and again: each is computed once per thread.
fn t_975(df: usize) -> Option<f64> {
    thread_local! {
        static CACHE: std::cell::RefCell<std::collections::HashMap<usize, f64>> = Default::default();
    }
    if let Some(t) = CACHE.with(|c| c.borrow().get(&df).copied()) {
        return Some(t);
    }
    let t = StudentsT::new(0.0, 1.0, df as f64).ok()?.inverse_cdf(0.975);
    CACHE.with(|c| c.borrow_mut().insert(df, t));
    Some(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undefined_cases_are_none() {
        assert_eq!(sample_sd(&[3.0]), None);
        let one = mean_interval(&[3.0]).unwrap();
        assert_eq!((one.mean, one.ci_low), (3.0, None));
    }
}
