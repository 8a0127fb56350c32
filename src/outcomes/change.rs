//! Change on one measure in one pilot: means, paired t, Wilcoxon, effect sizes, reliable
//! and clinically significant change.

use serde::Serialize;

use crate::instruments::{Instrument, RcSource};
use crate::stats;

use super::pairing::Pair;

/// Jacobson-Truax classification counts (recovered, improved, unchanged, deteriorated).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
#[non_exhaustive]
pub struct ClinicalSignificance {
    /// The cut-off used (c, b or a from norms, else the caseness threshold).
    pub cutoff: f64,
    /// Reliable improvement and crossed the cut-off from the clinical side.
    pub recovered: usize,
    /// Reliable improvement without crossing.
    pub improved: usize,
    /// No reliable change.
    pub unchanged: usize,
    /// Reliable deterioration.
    pub deteriorated: usize,
}

/// How many people moved to a better or worse band of the instrument (e.g. Zarit burden
/// "moderate to severe" to "mild to moderate"; ONS "low" to "medium").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[non_exhaustive]
pub struct BandShift {
    /// Moved to a better band.
    pub better: usize,
    /// Stayed in the same band.
    pub same: usize,
    /// Moved to a worse band.
    pub worse: usize,
}

/// Change on one measure among one pilot's paired participants.
///
/// The first seventeen fields are the `results.json` contract (DESIGN.md section 7);
/// statistics that are undefined for the data (an SD of one value, a t with no spread) are
/// `None` and written as `null`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct MeasureChange {
    /// Instrument id.
    pub measure: String,
    /// Participants with a first and a last assessment on distinct dates.
    pub n_paired: usize,
    /// Mean of the first scores.
    pub mean_first: Option<f64>,
    /// Mean of the last scores.
    pub mean_last: Option<f64>,
    /// Mean of last − first.
    pub mean_change: Option<f64>,
    /// Sample SD of the changes.
    pub sd_change: Option<f64>,
    /// Paired t statistic.
    pub t: Option<f64>,
    /// Degrees of freedom, n − 1.
    pub df: Option<f64>,
    /// Two-sided p of the paired t test.
    pub p_value: Option<f64>,
    /// Lower 95% limit of the mean change.
    pub ci_low: Option<f64>,
    /// Upper 95% limit of the mean change.
    pub ci_high: Option<f64>,
    /// Two-sided p of the Wilcoxon signed-rank test.
    pub wilcoxon_p: Option<f64>,
    /// Cohen's d_z = mean change / SD of changes.
    pub d_z: Option<f64>,
    /// Cohen's d_av = mean change / mean of the two SDs.
    pub d_av: Option<f64>,
    /// Hedges' g_av = d_av × J(n − 1).
    pub g_av: Option<f64>,
    /// Participants who reliably improved (direction-aware).
    pub improved: Option<usize>,
    /// Participants who reliably deteriorated.
    pub deteriorated: Option<usize>,
    /// Which way is better on this instrument.
    pub higher_is_better: bool,
    /// The reliable-change value used, in score points.
    pub reliable_change: Option<f64>,
    /// Where that value came from.
    pub reliable_change_basis: Option<RcSource>,
    /// Whether the Wilcoxon p is exact or from the normal approximation.
    pub wilcoxon_method: Option<String>,
    /// 95% interval of d_z.
    pub d_z_ci: Option<(f64, f64)>,
    /// 95% interval of d_av.
    pub d_av_ci: Option<(f64, f64)>,
    /// 95% interval of g_av.
    pub g_av_ci: Option<(f64, f64)>,
    /// Participants with only one assessment date (not paired).
    pub unpaired: usize,
    /// Jacobson-Truax classification, where a cut-off exists.
    pub clinical_significance: Option<ClinicalSignificance>,
    /// Band movements, where the instrument has bands.
    pub band_shift: Option<BandShift>,
}

/// Summarises the pairs of one pilot on one instrument.
pub fn measure_change(instrument: &Instrument, pairs: &[&Pair]) -> MeasureChange {
    let paired: Vec<&Pair> = pairs.iter().copied().filter(|p| p.is_paired()).collect();
    let first: Vec<f64> = paired.iter().map(|p| p.first).collect();
    let last: Vec<f64> = paired.iter().map(|p| p.last).collect();
    let changes: Vec<f64> = paired.iter().map(|p| p.change()).collect();
    let t = stats::paired_t_test(&changes);
    let wilcoxon = stats::wilcoxon_signed_rank(&changes);
    let effects = stats::paired_effect_sizes(&first, &last);
    let baseline_sd = stats::sample_sd(&first);
    let rc = instrument.reliable_change_value(baseline_sd);
    let (improved, deteriorated) = match rc {
        Some((value, _)) if !paired.is_empty() => {
            let better = |p: &&Pair| instrument.improvement(p.first, p.last);
            (
                Some(paired.iter().filter(|p| better(p) >= value).count()),
                Some(paired.iter().filter(|p| -better(p) >= value).count()),
            )
        }
        _ => (None, None),
    };
    let clinical_significance = rc.and_then(|(value, _)| classify(instrument, &paired, value));
    MeasureChange {
        measure: instrument.id().to_string(),
        n_paired: paired.len(),
        mean_first: stats::mean(&first),
        mean_last: stats::mean(&last),
        mean_change: stats::mean(&changes),
        sd_change: stats::sample_sd(&changes),
        t: t.as_ref().and_then(|t| t.t),
        df: t.as_ref().map(|t| t.df),
        p_value: t.as_ref().and_then(|t| t.p_value),
        ci_low: t.as_ref().and_then(|t| t.ci_low),
        ci_high: t.as_ref().and_then(|t| t.ci_high),
        wilcoxon_p: wilcoxon.as_ref().map(|w| w.p_value),
        d_z: effects.as_ref().and_then(|e| e.d_z),
        d_av: effects.as_ref().and_then(|e| e.d_av),
        g_av: effects.as_ref().and_then(|e| e.g_av),
        improved,
        deteriorated,
        higher_is_better: instrument.higher_is_better(),
        reliable_change: rc.map(|(v, _)| v),
        reliable_change_basis: rc.map(|(_, basis)| basis),
        wilcoxon_method: wilcoxon.as_ref().map(|w| w.method.to_string()),
        d_z_ci: effects.as_ref().and_then(|e| e.d_z_ci),
        d_av_ci: effects.as_ref().and_then(|e| e.d_av_ci),
        g_av_ci: effects.as_ref().and_then(|e| e.g_av_ci),
        unpaired: pairs.len() - paired.len(),
        clinical_significance,
        band_shift: band_shift(instrument, &paired),
    }
}

/// Band movements between the first and last score. Bands are ordered by score, so a
/// higher band index is better exactly when higher scores are better.
fn band_shift(instrument: &Instrument, paired: &[&Pair]) -> Option<BandShift> {
    let bands = instrument.bands();
    if bands.is_empty() || paired.is_empty() {
        return None;
    }
    // Scores below the first band (e.g. blood pressure under stage 1) sit at "band 0".
    let index = |score: f64| match instrument.band(score) {
        Some(band) => bands.iter().position(|b| std::ptr::eq(b, band)).map_or(0, |i| i + 1),
        None if score < bands[0].min => 0,
        None => bands.len() + 1,
    };
    let mut shift = BandShift::default();
    for p in paired {
        let (first, last) = (index(p.first), index(p.last));
        let better = if instrument.higher_is_better() { last > first } else { last < first };
        if first == last {
            shift.same += 1;
        } else if better {
            shift.better += 1;
        } else {
            shift.worse += 1;
        }
    }
    Some(shift)
}

/// Jacobson-Truax classes against the instrument's preferred cut-off (c, then b, then a
/// from norms; else its caseness threshold).
fn classify(instrument: &Instrument, paired: &[&Pair], rc: f64) -> Option<ClinicalSignificance> {
    let cutoff = instrument.clinical_cutoff()?;
    let mut out = ClinicalSignificance { cutoff, ..ClinicalSignificance::default() };
    let clinical = |score: f64| {
        if instrument.higher_is_better() { score < cutoff } else { score >= cutoff }
    };
    for p in paired {
        let better = instrument.improvement(p.first, p.last);
        if better >= rc {
            if clinical(p.first) && !clinical(p.last) {
                out.recovered += 1;
            } else {
                out.improved += 1;
            }
        } else if -better >= rc {
            out.deteriorated += 1;
        } else {
            out.unchanged += 1;
        }
    }
    Some(out)
}
