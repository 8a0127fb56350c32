//! QALYs from repeated EQ-5D utilities, by area under the curve.

use serde::Serialize;

use crate::ingest::DataSet;
use crate::stats::mean_interval;

/// Days in a year for QALY time (Julian year, the usual convention).
const DAYS_PER_YEAR: f64 = 365.25;

/// QALY change among a pilot's participants with two or more utility assessments.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct QalyGain {
    /// The utility instrument (`eq5d3l`, `eq5d5l`).
    pub measure: String,
    /// Participants with two or more assessments on different dates.
    pub n: usize,
    /// Mean QALY gain per participant over their follow-up.
    pub mean_gain: f64,
    /// 95% t interval of the mean gain.
    pub ci_low: Option<f64>,
    /// Upper limit.
    pub ci_high: Option<f64>,
    /// Sum over participants.
    pub total_gain: f64,
    /// Mean follow-up, first to last assessment, in days.
    pub mean_follow_up_days: f64,
}

/// QALY gain per participant: the area between their utility curve (linear between
/// assessments, time in years) and a flat line at their first utility. With no change the
/// gain is zero; a fall gives a loss. Baseline differences between groups are not adjusted
/// (Manca et al. 2005 recommend regression for comparisons; this is a single-arm figure).
///
/// ```
/// use coproduction::{Catalogue, Ingest, qaly_gain};
/// let p = "participant_id,pilot_id\nc1,dem\n";
/// let o = "participant_id,pilot_id,measure,assessed_on,item_1,item_2,item_3,item_4,item_5\n\
///          c1,dem,eq5d3l,2025-01-01,2,2,2,2,2\nc1,dem,eq5d3l,2026-01-01,1,1,1,1,1\n";
/// let data = Ingest::new(Catalogue::builtin()).load_readers(p.as_bytes(), "p", o.as_bytes(), "o").unwrap();
/// let q = qaly_gain(&data, &[0], "eq5d3l").unwrap();
/// // 0.516 → 1.000 over 365 days: (1.000 − 0.516) / 2 × 365/365.25.
/// assert!((q.mean_gain - 0.484 / 2.0 * 365.0 / 365.25).abs() < 1e-12);
/// ```
pub fn qaly_gain(data: &DataSet, participants: &[usize], measure: &str) -> Option<QalyGain> {
    // Each participant's assessments of the measure, in date order, from the ordered
    // index: no scan of the whole table per pilot.
    let order = data.assessment_order();
    let assessments = data.assessments();
    let mut people = participants.to_vec();
    people.sort_unstable();
    people.dedup();
    let mut series: Vec<Vec<(i64, f64)>> = Vec::new();
    let id = data.measure(measure)?;
    for p in people {
        let points: Vec<(i64, f64)> = order
            .of(p)
            .iter()
            .map(|&i| &assessments[i as usize])
            .filter(|a| a.measure == id)
            .map(|a| (a.assessed_on.days_since_epoch(), a.score))
            .collect();
        if !points.is_empty() {
            series.push(points);
        }
    }
    let mut gains = Vec::new();
    let mut follow_up = Vec::new();
    for points in &series {
        let (first_day, baseline) = points[0];
        let last_day = points[points.len() - 1].0;
        if last_day == first_day {
            continue;
        }
        let gain: f64 = points
            .windows(2)
            .map(|w| (w[1].0 - w[0].0) as f64 / DAYS_PER_YEAR * ((w[0].1 + w[1].1) / 2.0 - baseline))
            .sum();
        gains.push(gain);
        follow_up.push((last_day - first_day) as f64);
    }
    let interval = mean_interval(&gains)?;
    Some(QalyGain {
        measure: measure.to_string(),
        n: gains.len(),
        mean_gain: interval.mean,
        ci_low: interval.ci_low,
        ci_high: interval.ci_high,
        total_gain: gains.iter().sum(),
        mean_follow_up_days: follow_up.iter().sum::<f64>() / follow_up.len() as f64,
    })
}
