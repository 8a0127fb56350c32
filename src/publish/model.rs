//! The published model: every figure of an evaluation as it may be printed.

use serde::Serialize;

use crate::equity::{Breakdown, PilotEquity};
use crate::error::Result;
use crate::ingest::FileSummary;
use crate::instruments::{Catalogue, RcSource};
use crate::outcomes::{
    Cardiovascular, MeasureChange, PilotOutcomes, Programme, QalyGain, RelativeRisk, TalkingTherapies,
    TalkingTherapiesRules,
};
use crate::pipeline::{Evaluation, InputFile};
use crate::plan::Plan;
use crate::stats::Proportion;
use crate::value::{InputValue, SocialValue};

use super::cells::{CellId, CellState, Cells, Protection};
use super::delivery::{
    DeliveryCells, PublishedDelivery, PublishedDeliveryOverview, delivery_cells, overview_cells,
    publish_delivery, publish_overview,
};
use super::{DisclosureRule, Hidden, Published};

/// Everything an evaluation publishes, under the disclosure rule in force: the figures,
/// and the context printers need (the plan, the instruments, the file accounting), which
/// holds no count of people.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Publication {
    /// The rule applied.
    pub rule: DisclosureRule,
    /// True for the analyst's exact figures (`results-exact.json`): nothing hidden.
    pub exact: bool,
    /// The plan that was run.
    pub plan: Plan,
    /// The instruments used.
    pub catalogue: Catalogue,
    /// Rows read, accepted and rejected per file (records, printed exactly for the
    /// accounting), with paths relative to the plan's folder.
    pub files: Vec<FileSummary>,
    /// Rejected rows by reason.
    pub rejects_by_reason: Vec<(String, usize)>,
    /// Rejected rows in all.
    pub rejected_rows: usize,
    /// Accepted assessments (records).
    pub assessments: u64,
    /// Notes on how the data was read, principle checks.
    pub warnings: Vec<String>,
    /// Every input file with its checksum.
    pub inputs: Vec<InputFile>,
    /// Sessions by partner type over all pilots (sessions, never hidden).
    pub sessions_by_partner_type: Vec<(String, u64)>,
    /// Accepted participants over all pilots: the participants file's accepted rows,
    /// which the data quality accounting prints exactly.
    pub participants: u64,
    /// Per pilot, in plan order.
    pub pilots: Vec<PublishedPilot>,
    /// Breakdowns by group, per pilot.
    pub equity: Vec<PilotEquity>,
    /// Delivery, per pilot with activities.
    pub delivery: Vec<PublishedDelivery>,
    /// The programme's delivery: all pilots, partners over time, cost, provision.
    pub delivery_overview: Option<PublishedDeliveryOverview>,
    /// Social value, when the plan has an impact map.
    pub social_value: Option<PublishedSocialValue>,
    /// Assessments with the PHQ-9 self-harm item above zero, over all pilots.
    pub risk_flags: Published<u64>,
}

/// A rate as published: its count and denominator (people), and the rate and its
/// interval, shown only when both counts are.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct PublishedRate {
    /// People counted.
    pub count: Published<u64>,
    /// People in the denominator.
    pub denominator: Published<u64>,
    /// count / denominator.
    pub rate: Published<f64>,
    /// Lower 95% Wilson limit.
    pub ci_low: Published<f64>,
    /// Upper 95% Wilson limit.
    pub ci_high: Published<f64>,
    /// Why figures of this rate are hidden, when any are.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<Hidden>,
}

impl PublishedRate {
    fn new(exact: &Proportion, count: CellState, den: CellState, extreme: bool) -> PublishedRate {
        let rounded = matches!(count, CellState::Rounded(_)) || matches!(den, CellState::Rounded(_));
        let count = published_count(exact.count, count);
        let denominator = published_count(exact.denominator, den);
        let mut reason = Hidden::strongest(count.hidden().into_iter().chain(denominator.hidden()));
        if extreme && reason.is_none() {
            reason = Some(Hidden::Small);
        }
        // Under rounding the rate is the rounded counts' rate: the exact one would give
        // the exact counts back.
        let shown = match (rounded, count.value(), denominator.value()) {
            (true, Some(&c), Some(&d)) => crate::stats::wilson(c.min(d), d),
            _ => Some(*exact),
        };
        let figure = |v: Option<f64>| match (reason, v) {
            (Some(Hidden::Small), _) => Published::Small,
            (Some(Hidden::Secondary), _) => Published::Secondary,
            (None, Some(v)) => Published::Shown(v),
            (None, None) => Published::Empty,
        };
        PublishedRate {
            rate: figure(shown.map(|p| p.rate)),
            ci_low: figure(shown.map(|p| p.ci_low)),
            ci_high: figure(shown.map(|p| p.ci_high)),
            count,
            denominator,
            suppressed: reason,
        }
    }

    /// The exact rate when every part of it is shown.
    pub fn shown(&self) -> Option<Proportion> {
        Some(Proportion {
            count: *self.count.value()?,
            denominator: *self.denominator.value()?,
            rate: *self.rate.value()?,
            ci_low: *self.ci_low.value()?,
            ci_high: *self.ci_high.value()?,
        })
    }

    /// Why the rate is hidden, if it is.
    pub fn hidden(&self) -> Option<Hidden> {
        self.rate.hidden()
    }
}

/// One pilot's outcome figures as published (`pilots[]` of `results.json`).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct PublishedPilot {
    /// Pilot id.
    pub id: String,
    /// Pilot name.
    pub name: String,
    /// Programme.
    pub programme: Programme,
    /// Accepted participants.
    pub participants: Published<u64>,
    /// Change per measure.
    pub measures: Vec<PublishedMeasure>,
    /// Talking Therapies metrics.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub talking_therapies: Option<PublishedTalkingTherapies>,
    /// Blood pressure metrics.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cardiovascular: Option<PublishedCardiovascular>,
    /// QALY gain from utilities.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qaly: Option<PublishedQaly>,
    /// Assessments with a risk item above zero (PHQ-9 item 9).
    pub risk_flags: Published<u64>,
    /// Why the pilot's participant count is hidden, if it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<Hidden>,
    /// Figures not published at all: hiding cells could not protect their small counts.
    pub withheld: Vec<String>,
}

/// The statistics of a measure's change: all shown, or all hidden with the paired count.
#[derive(Debug, Clone, PartialEq, Default, Serialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct MeasureStatistics {
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
    /// Degrees of freedom.
    pub df: Option<f64>,
    /// Two-sided p of the paired t test.
    pub p_value: Option<f64>,
    /// Lower 95% limit of the mean change.
    pub ci_low: Option<f64>,
    /// Upper 95% limit.
    pub ci_high: Option<f64>,
    /// Two-sided p of the Wilcoxon signed-rank test.
    pub wilcoxon_p: Option<f64>,
    /// Cohen's d_z.
    pub d_z: Option<f64>,
    /// Cohen's d_av.
    pub d_av: Option<f64>,
    /// Hedges' g_av.
    pub g_av: Option<f64>,
    /// The reliable-change value used.
    pub reliable_change: Option<f64>,
    /// Where it came from.
    pub reliable_change_basis: Option<RcSource>,
    /// Exact or normal-approximation Wilcoxon p.
    pub wilcoxon_method: Option<String>,
    /// 95% interval of d_z.
    pub d_z_ci: Option<(f64, f64)>,
    /// 95% interval of d_av.
    pub d_av_ci: Option<(f64, f64)>,
    /// 95% interval of g_av.
    pub g_av_ci: Option<(f64, f64)>,
}

impl MeasureStatistics {
    fn of(m: &MeasureChange) -> MeasureStatistics {
        MeasureStatistics {
            mean_first: m.mean_first,
            mean_last: m.mean_last,
            mean_change: m.mean_change,
            sd_change: m.sd_change,
            t: m.t,
            df: m.df,
            p_value: m.p_value,
            ci_low: m.ci_low,
            ci_high: m.ci_high,
            wilcoxon_p: m.wilcoxon_p,
            d_z: m.d_z,
            d_av: m.d_av,
            g_av: m.g_av,
            reliable_change: m.reliable_change,
            reliable_change_basis: m.reliable_change_basis,
            wilcoxon_method: m.wilcoxon_method.clone(),
            d_z_ci: m.d_z_ci,
            d_av_ci: m.d_av_ci,
            g_av_ci: m.g_av_ci,
        }
    }
}

/// Change on one measure, as published.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct PublishedMeasure {
    /// Instrument id.
    pub measure: String,
    /// Participants paired.
    pub n_paired: Published<u64>,
    /// The statistics; every one is `None` when the paired count is hidden.
    #[serde(flatten)]
    pub statistics: MeasureStatistics,
    /// Reliably improved.
    pub improved: Published<u64>,
    /// Reliably deteriorated.
    pub deteriorated: Published<u64>,
    /// Which way is better.
    pub higher_is_better: bool,
    /// Participants with one assessment date only.
    pub unpaired: Published<u64>,
    /// Jacobson-Truax classes.
    pub clinical_significance: Option<PublishedClinicalSignificance>,
    /// Band movements.
    pub band_shift: Option<PublishedBandShift>,
    /// Why any figure of the measure is hidden.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<Hidden>,
}

impl PublishedMeasure {
    /// True when the statistics are shown (the paired count is).
    pub fn statistics_shown(&self) -> bool {
        self.n_paired.value().is_some()
    }
}

/// Jacobson-Truax classes, as published.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct PublishedClinicalSignificance {
    /// The cut-off used.
    pub cutoff: f64,
    /// Reliably improved and crossed the cut-off.
    pub recovered: Published<u64>,
    /// Reliably improved without crossing.
    pub improved: Published<u64>,
    /// No reliable change.
    pub unchanged: Published<u64>,
    /// Reliably deteriorated.
    pub deteriorated: Published<u64>,
}

/// Band movements, as published.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct PublishedBandShift {
    /// Moved to a better band.
    pub better: Published<u64>,
    /// Stayed.
    pub same: Published<u64>,
    /// Moved to a worse band.
    pub worse: Published<u64>,
}

/// McNemar's test of the change in caseness, as published.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct PublishedMcNemar {
    /// At caseness first, not last (the recovery count).
    pub yes_to_no: Published<u64>,
    /// Not at caseness first, at caseness last.
    pub no_to_yes: Published<u64>,
    /// Two-sided exact p; hidden with either count.
    pub p_value: Published<f64>,
}

/// Talking Therapies figures, as published.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct PublishedTalkingTherapies {
    /// Finished a course of treatment, over all referrals.
    pub finished_treatment: Option<PublishedRate>,
    /// Recovery.
    pub recovery: Option<PublishedRate>,
    /// Reliable improvement.
    pub reliable_improvement: Option<PublishedRate>,
    /// Reliable recovery.
    pub reliable_recovery: Option<PublishedRate>,
    /// Reliable deterioration.
    pub reliable_deterioration: Option<PublishedRate>,
    /// Finished treatment and paired on both measures (the reliable improvement
    /// denominator).
    pub finished_and_paired: Published<u64>,
    /// Of those, at caseness at first (the recovery denominator).
    pub at_caseness_at_first: Published<u64>,
    /// McNemar's exact test of the change in caseness.
    pub caseness_change: Option<PublishedMcNemar>,
    /// How often each anxiety measure was used.
    pub anxiety_measures: Vec<(String, Published<u64>)>,
    /// The rules applied.
    pub rules: TalkingTherapiesRules,
}

/// A blood pressure category at the first and last reading.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct PublishedCategory {
    /// The NICE NG136 category.
    pub category: String,
    /// People in it at the first reading.
    pub first: Published<u64>,
    /// At the last reading.
    pub last: Published<u64>,
}

/// Blood pressure figures, as published.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct PublishedCardiovascular {
    /// Participants with paired systolic readings.
    pub n_paired: Published<u64>,
    /// Mean systolic fall, first − last.
    pub sbp_mean_fall: Published<f64>,
    /// Controlled at the first reading.
    pub controlled_first: Option<PublishedRate>,
    /// Controlled at the last reading.
    pub controlled_last: Option<PublishedRate>,
    /// Not controlled at the first reading and controlled at the last.
    pub newly_controlled: Option<PublishedRate>,
    /// Implied relative risk of major CVD events.
    pub relative_risk_major_cvd: Published<RelativeRisk>,
    /// 95% interval of the systolic fall.
    pub sbp_fall_ci: Published<(f64, f64)>,
    /// Mean diastolic fall.
    pub dbp_mean_fall: Published<f64>,
    /// 95% interval of the diastolic fall.
    pub dbp_fall_ci: Published<(f64, f64)>,
    /// NG136 categories at the first and last reading.
    pub categories: Vec<PublishedCategory>,
    /// Why the risk figure is not a measured effect.
    pub caveat: &'static str,
    /// Paired on both readings (the control denominator).
    pub n_paired_both: Published<u64>,
}

/// QALY gain, as published.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct PublishedQaly {
    /// The utility instrument.
    pub measure: String,
    /// Participants with two or more assessments.
    pub n: Published<u64>,
    /// Mean gain per participant.
    pub mean_gain: Published<f64>,
    /// Lower 95% limit.
    pub ci_low: Published<f64>,
    /// Upper 95% limit.
    pub ci_high: Published<f64>,
    /// Sum over participants.
    pub total_gain: Published<f64>,
    /// Mean follow-up in days.
    pub mean_follow_up_days: Published<f64>,
}

/// An impact-map outcome's quantity as the report states it.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct PublishedQuantity {
    /// The outcome.
    pub outcome: String,
    /// The measured link, if any.
    pub quantity_from: Option<String>,
    /// The quantity; hidden with the figure it comes from.
    pub quantity: Published<f64>,
    /// In words: "64 people reliably recovered".
    pub text: String,
}

/// Social value, as published. Its figures are computed from the quantities, so when a
/// quantity is a hidden count the figures would give it away: they are withheld whole,
/// and the inputs (money) are still shown.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct PublishedSocialValue {
    /// The figures, or hidden.
    pub figures: Published<SocialValue>,
    /// The impact map's quantities in words.
    pub quantities: Vec<PublishedQuantity>,
    /// The quantities that caused the figures to be withheld.
    pub withheld_because: Vec<String>,
    /// Present value of the inputs.
    pub investment: f64,
    /// The inputs.
    pub inputs: Vec<InputValue>,
}

/// The cells of one rate.
#[derive(Clone, Copy)]
struct RateCells {
    count: CellId,
    den: CellId,
}

fn rate_cells(cells: &mut Cells, rate: &Option<Proportion>) -> RateCells {
    let (count, den) = rate.as_ref().map_or((0, 0), |r| (r.count, r.denominator));
    let (count, den) = cells.rate(count, den);
    RateCells { count, den }
}

struct MeasureCells {
    n: CellId,
    improved: CellId,
    deteriorated: CellId,
    change_block: usize,
    unpaired: CellId,
    clinical: Option<([CellId; 4], usize)>,
    bands: Option<([CellId; 3], usize)>,
}

struct TtCells {
    finished: RateCells,
    recovery: RateCells,
    improvement: RateCells,
    reliable_recovery: RateCells,
    deterioration: RateCells,
    no_to_yes: Option<CellId>,
    anxiety: Vec<CellId>,
    anxiety_block: usize,
}

struct CvCells {
    n: CellId,
    both: CellId,
    first: RateCells,
    last: RateCells,
    newly: RateCells,
    categories: Vec<(CellId, CellId)>,
    categories_block: usize,
}

struct PilotCells {
    participants: CellId,
    measures: Vec<MeasureCells>,
    tt: Option<TtCells>,
    cv: Option<CvCells>,
    qaly: Option<CellId>,
    risk: CellId,
    risk_block: usize,
}

fn pilot_cells(cells: &mut Cells, p: &PilotOutcomes) -> PilotCells {
    let participants = cells.cell(p.participants as u64);
    let measures = p
        .measures
        .iter()
        .map(|m| {
            let n = cells.cell(m.n_paired as u64);
            // Degrees of freedom and the t statistic give the paired count away.
            cells.expose(n);
            // The reliable change counts can be withheld together when the markers alone
            // would pin them (one improved and one worse of two paired).
            let change_block = cells.begin_block();
            let improved = cells.cell(m.improved.unwrap_or(0) as u64);
            let deteriorated = cells.cell(m.deteriorated.unwrap_or(0) as u64);
            cells.end_block();
            // Those with no reliable change are not printed here, but tie the two counts
            // to the paired total.
            let rest = cells.derived(
                (m.n_paired as u64)
                    .saturating_sub(m.improved.unwrap_or(0) as u64 + m.deteriorated.unwrap_or(0) as u64),
            );
            cells.sum(&[improved, deteriorated, rest], n);
            let unpaired = cells.cell(m.unpaired as u64);
            let clinical = m.clinical_significance.as_ref().map(|c| {
                let block = cells.begin_block();
                let ids =
                    [c.recovered, c.improved, c.unchanged, c.deteriorated].map(|v| cells.cell(v as u64));
                cells.end_block();
                cells.sum(&ids, n);
                cells.sum(&[ids[0], ids[1]], improved);
                cells.same(ids[3], deteriorated);
                (ids, block)
            });
            let bands = m.band_shift.as_ref().map(|b| {
                let block = cells.begin_block();
                let ids = [b.better, b.same, b.worse].map(|v| cells.cell(v as u64));
                cells.end_block();
                cells.sum(&ids, n);
                (ids, block)
            });
            MeasureCells { n, improved, deteriorated, change_block, unpaired, clinical, bands }
        })
        .collect();
    let tt = p.talking_therapies.as_ref().map(|tt| tt_cells(cells, tt, participants));
    let cv = p.cardiovascular.as_ref().map(|cv| cv_cells(cells, cv));
    let qaly = p.qaly.as_ref().map(|q| {
        let n = cells.cell(q.n as u64);
        // The mean and total gain give the count away.
        cells.expose(n);
        n
    });
    let risk_block = cells.begin_block();
    let risk = cells.cell(p.risk_flags as u64);
    cells.end_block();
    PilotCells { participants, measures, tt, cv, qaly, risk, risk_block }
}

fn tt_cells(cells: &mut Cells, tt: &TalkingTherapies, participants: CellId) -> TtCells {
    // Finished treatment is over every referral: its denominator is the pilot's count.
    let finished_count = tt.finished_treatment.as_ref().map_or(0, |r| r.count);
    let finished = RateCells { count: cells.rate_of(finished_count, participants), den: participants };
    let improvement = rate_cells(cells, &tt.reliable_improvement);
    let deterioration = RateCells {
        count: cells.rate_of(tt.reliable_deterioration.as_ref().map_or(0, |r| r.count), improvement.den),
        den: improvement.den,
    };
    let recovery = rate_cells(cells, &tt.recovery);
    let reliable_recovery = RateCells {
        count: cells.rate_of(tt.reliable_recovery.as_ref().map_or(0, |r| r.count), recovery.den),
        den: recovery.den,
    };
    cells.at_most(reliable_recovery.count, recovery.count);
    cells.at_most(reliable_recovery.count, improvement.count);
    // Finished = paired + not paired; paired = at caseness + not at caseness. The two
    // differences are not printed on their own: the report gives the three nested
    // denominators instead, so a small difference is never a figure to protect.
    let not_paired = cells.derived(tt.finished_not_paired as u64);
    cells.sum(&[improvement.den, not_paired], finished.count);
    let not_case = cells.derived(tt.not_at_caseness_at_first as u64);
    cells.sum(&[recovery.den, not_case], improvement.den);
    // McNemar: "yes to no" is the recovery count itself.
    let no_to_yes = tt.caseness_change.as_ref().map(|m| {
        let c = cells.cell(m.no_to_yes);
        cells.at_most(c, not_case);
        c
    });
    let anxiety_block = cells.begin_block();
    let anxiety: Vec<CellId> = tt.anxiety_measures.iter().map(|(_, n)| cells.cell(*n as u64)).collect();
    cells.end_block();
    if !anxiety.is_empty() {
        cells.sum(&anxiety, improvement.den);
    }
    TtCells {
        finished,
        recovery,
        improvement,
        reliable_recovery,
        deterioration,
        no_to_yes,
        anxiety,
        anxiety_block,
    }
}

fn cv_cells(cells: &mut Cells, cv: &Cardiovascular) -> CvCells {
    let n = cells.cell(cv.n_paired as u64);
    let both = cells.cell(cv.n_paired_both as u64);
    let first = RateCells {
        count: cells.rate_of(cv.controlled_first.as_ref().map_or(0, |r| r.count), both),
        den: both,
    };
    let last = RateCells {
        count: cells.rate_of(cv.controlled_last.as_ref().map_or(0, |r| r.count), both),
        den: both,
    };
    // Newly controlled are among those controlled at the last reading; the rest of those
    // were controlled at the first too.
    let newly_count = cv.newly_controlled.as_ref().map_or(0, |r| r.count);
    let newly = RateCells { count: cells.rate_of(newly_count, both), den: both };
    let stayed = cells.derived(cells.value(last.count).saturating_sub(newly_count));
    cells.sum(&[stayed, newly.count], last.count);
    cells.at_most(stayed, first.count);
    let categories_block = cells.begin_block();
    let categories: Vec<(CellId, CellId)> =
        cv.categories.iter().map(|(_, f, l)| (cells.cell(*f as u64), cells.cell(*l as u64))).collect();
    cells.end_block();
    if !categories.is_empty() {
        cells.sum(&categories.iter().map(|c| c.0).collect::<Vec<_>>(), both);
        cells.sum(&categories.iter().map(|c| c.1).collect::<Vec<_>>(), both);
    }
    CvCells { n, both, first, last, newly, categories, categories_block }
}

/// The cells of one breakdown: per group its size, per rate its count and denominator,
/// per mean its n.
struct BreakdownCells {
    block: usize,
    sizes: Vec<CellId>,
    rates: Vec<Vec<(CellId, CellId)>>,
    means: Vec<Vec<CellId>>,
}

/// The pilot-level cells a breakdown's groups add up to: the participants, and per rate
/// and mean the pilot's own cell where the pilot publishes one.
struct BreakdownTotals {
    participants: CellId,
    rates: Vec<Option<RateCells>>,
    means: Vec<Option<CellId>>,
}

fn breakdown_cells(cells: &mut Cells, b: &Breakdown, totals: &BreakdownTotals) -> BreakdownCells {
    let block = cells.begin_block();
    let exact = |p: &Published<usize>| p.value().copied().unwrap_or(0) as u64;
    let sizes: Vec<CellId> = b.groups.iter().map(|g| cells.cell(exact(&g.participants))).collect();
    cells.sum(&sizes, totals.participants);
    let n_rates = b.groups.first().map_or(0, |g| g.rates.len());
    let mut rates = Vec::with_capacity(n_rates);
    for r in 0..n_rates {
        let per_group: Vec<(CellId, CellId)> = b
            .groups
            .iter()
            .zip(&sizes)
            .map(|(g, &size)| {
                let (count, den) = g.rates[r].1.value().map_or((0, 0), |p| (p.count, p.denominator));
                let den_cell = if den == cells.value(size) { size } else { cells.cell(den) };
                cells.at_most(den_cell, size);
                (cells.rate_of(count, den_cell), den_cell)
            })
            .collect();
        let total = match totals.rates.get(r).copied().flatten() {
            Some(t) => t,
            None => {
                let count: u64 = per_group.iter().map(|c| cells.value(c.0)).sum();
                let den: u64 = per_group.iter().map(|c| cells.value(c.1)).sum();
                RateCells { count: cells.derived(count), den: cells.derived(den) }
            }
        };
        cells.sum(&per_group.iter().map(|c| c.0).collect::<Vec<_>>(), total.count);
        cells.sum(&per_group.iter().map(|c| c.1).collect::<Vec<_>>(), total.den);
        rates.push(per_group);
    }
    let n_means = b.groups.first().map_or(0, |g| g.means.len());
    let mut means = Vec::with_capacity(n_means);
    for m in 0..n_means {
        let per_group: Vec<CellId> = b
            .groups
            .iter()
            .zip(&sizes)
            .map(|(g, &size)| {
                let n = g.means[m].1.value().map_or(0, |c| c.n as u64);
                let id = cells.cell(n);
                cells.at_most(id, size);
                id
            })
            .collect();
        let total = match totals.means.get(m).copied().flatten() {
            Some(t) => t,
            None => {
                let n: u64 = per_group.iter().map(|&c| cells.value(c)).sum();
                cells.derived(n)
            }
        };
        cells.sum(&per_group, total);
        means.push(per_group);
    }
    cells.end_block();
    BreakdownCells { block, sizes, rates, means }
}

/// Deciles lie inside quintiles: quintile q holds deciles 2q − 1 and 2q, and "Not
/// recorded" is the same people in both.
fn nest_deciles(
    cells: &mut Cells,
    deciles: (&Breakdown, &BreakdownCells),
    quintiles: (&Breakdown, &BreakdownCells),
) {
    let find = |b: &Breakdown, label: &str| b.groups.iter().position(|g| g.group == label);
    for (qi, q) in quintiles.0.groups.iter().enumerate() {
        let parts: Vec<usize> = match q.group.parse::<u32>() {
            Ok(n @ 1..=5) => {
                [2 * n - 1, 2 * n].iter().filter_map(|d| find(deciles.0, &d.to_string())).collect()
            }
            Ok(_) => Vec::new(),
            Err(_) => find(deciles.0, &q.group).into_iter().collect(),
        };
        if parts.is_empty() {
            continue;
        }
        let (d, qc) = (deciles.1, quintiles.1);
        cells.sum(&parts.iter().map(|&i| d.sizes[i]).collect::<Vec<_>>(), qc.sizes[qi]);
        for r in 0..qc.rates.len().min(d.rates.len()) {
            cells.sum(&parts.iter().map(|&i| d.rates[r][i].0).collect::<Vec<_>>(), qc.rates[r][qi].0);
            cells.sum(&parts.iter().map(|&i| d.rates[r][i].1).collect::<Vec<_>>(), qc.rates[r][qi].1);
        }
        for m in 0..qc.means.len().min(d.means.len()) {
            cells.sum(&parts.iter().map(|&i| d.means[m][i]).collect::<Vec<_>>(), qc.means[m][qi]);
        }
    }
}

/// Extreme rates (0% or 100%) in groups of fewer than twice the threshold, hidden when the
/// rule asks for it; their counts are hidden too, so the rate cannot be read from them.
fn mark_extremes(cells: &mut Cells, rule: &DisclosureRule, b: &Breakdown, bc: &BreakdownCells) {
    if !rule.enabled || !rule.protect_extremes {
        return;
    }
    let limit = 2 * u64::from(rule.min_count);
    for (r, per_group) in bc.rates.iter().enumerate() {
        for (g, &(count, den)) in b.groups.iter().zip(per_group) {
            if g.rates[r].1.value().is_some() && is_extreme(cells.value(count), cells.value(den), limit) {
                cells.force_hidden(count);
            }
        }
    }
}

fn is_extreme(count: u64, den: u64, limit: u64) -> bool {
    den > 0 && den < limit && (count == 0 || count == den)
}

/// Writes the protection's states into a breakdown, and applies the rules that follow
/// from them: rates, gaps and means hidden with their counts, means of a complement too
/// small to be computed from the others, representation that would reveal the "Not
/// recorded" group.
fn apply_breakdown(
    b: &mut Breakdown,
    bc: &BreakdownCells,
    protection: &Protection,
    rule: &DisclosureRule,
    pilot_rates: &[Option<Hidden>],
    pilot_means: &[(bool, u64)],
) {
    if protection.withheld(bc.block) {
        b.withheld = true;
        b.groups.clear();
        b.tests.clear();
        return;
    }
    let state = |id: CellId| protection.state(id);
    let mut hidden_sizes = Vec::with_capacity(b.groups.len());
    for (gi, g) in b.groups.iter_mut().enumerate() {
        let size_state = state(bc.sizes[gi]);
        hidden_sizes.push(size_state.is_hidden());
        g.participants = match g.participants.value() {
            Some(&n) => published_count(n as u64, size_state).map(|v| v as usize),
            None => Published::Empty,
        };
        for (r, (_, cell)) in g.rates.iter_mut().enumerate() {
            let Some(exact) = cell.value().copied() else { continue };
            let (count, den) = bc.rates[r][gi];
            // An extreme rate is hidden through its count (see `mark_extremes`).
            let published = PublishedRate::new(&exact, state(count), state(den), false);
            g.rate_counts[r] = (published.count.clone(), published.denominator.clone());
            if let Some(p) = published.shown() {
                *cell = Published::Shown(p);
            }
            match published.hidden() {
                Some(reason) => {
                    cell.hide(reason);
                    g.gaps[r].1.hide(reason);
                }
                None => {
                    if let Some(reason) = pilot_rates.get(r).copied().flatten() {
                        // The rest of the pilot cannot be formed without the pilot's own rate.
                        g.gaps[r].1.hide(reason);
                    }
                }
            }
        }
        for (m, (_, cell)) in g.means.iter_mut().enumerate() {
            if cell.value().is_none() {
                continue;
            }
            let n_state = state(bc.means[m][gi]);
            g.mean_counts[m] = published_count(cell.value().map_or(0, |c| c.n as u64), n_state);
            if let (CellState::Rounded(r), Published::Shown(c)) = (n_state, &mut *cell) {
                c.n = r as usize;
            }
            if n_state.is_hidden() {
                cell.hide(if n_state == CellState::Small { Hidden::Small } else { Hidden::Secondary });
            }
        }
    }
    // Under rounding a gap from the exact counts would give them back: gaps are the
    // rounded counts' own, where every group's counts are shown, and hidden otherwise.
    if let crate::publish::Method::Round { .. } = rule.method {
        for r in 0..b.groups.first().map_or(0, |g| g.rates.len()) {
            let shown: Option<Vec<(u64, u64)>> = b
                .groups
                .iter()
                .map(|g| match &g.rate_counts[r] {
                    (Published::Shown(c), Published::Shown(d)) => Some((*c, *d)),
                    (Published::Empty, Published::Empty) => Some((0, 0)),
                    _ => None,
                })
                .collect();
            for (gi, g) in b.groups.iter_mut().enumerate() {
                if g.gaps[r].1.value().is_none() {
                    continue;
                }
                let gap = shown.as_ref().and_then(|all| {
                    let (c, d) = all[gi];
                    let (tc, td) = all.iter().fold((0, 0), |a, x| (a.0 + x.0, a.1 + x.1));
                    crate::stats::newcombe_difference(c.min(d), d, (tc - c).min(td - d), td - d)
                });
                g.gaps[r].1 = match gap {
                    Some(gap) => Published::Shown(gap),
                    None => Published::Secondary,
                };
            }
        }
    }
    // A test of independence is a function of every group's counts: with any of them
    // hidden, its statistic could narrow them down, so it is not published.
    let hidden_rates: Vec<String> = (0..b.groups.first().map_or(0, |g| g.rates.len()))
        .filter(|&r| b.groups.iter().any(|g| g.rates[r].1.is_suppressed()))
        .filter_map(|r| b.groups.first().map(|g| g.rates[r].0.clone()))
        .collect();
    b.tests.retain(|t| !hidden_rates.contains(&t.rate));
    // Means: the pilot's mean and the shown groups' means and sizes give the mean of the
    // rest. Hide further group means until the rest is empty or has at least min people.
    if rule.enabled {
        let k = u64::from(rule.min_count);
        for (m, &(pilot_mean_shown, pilot_n)) in pilot_means.iter().enumerate() {
            if !pilot_mean_shown {
                continue;
            }
            loop {
                let shown: Vec<(usize, u64)> = b
                    .groups
                    .iter()
                    .enumerate()
                    .filter_map(|(gi, g)| g.means.get(m)?.1.value().map(|c| (gi, c.n as u64)))
                    .collect();
                let rest = pilot_n.saturating_sub(shown.iter().map(|s| s.1).sum::<u64>());
                if rest == 0 || rest >= k {
                    break;
                }
                let Some(&(gi, _)) = shown.iter().min_by_key(|s| (s.1, s.0)) else { break };
                b.groups[gi].means[m].1.hide(Hidden::Secondary);
            }
        }
    }
    // Representation shares are over the recorded: with "Not recorded" hidden they would
    // give it away.
    let not_recorded_hidden = b
        .groups
        .iter()
        .zip(&hidden_sizes)
        .any(|(g, &hidden)| g.group == crate::equity::NOT_RECORDED && hidden);
    for (g, &hidden) in b.groups.iter_mut().zip(&hidden_sizes) {
        if let Some(r) = g.representation.as_mut() {
            if hidden || not_recorded_hidden {
                r.hide(Hidden::Secondary);
            }
        }
    }
}

/// The equity cells of one pilot, tied to the pilot's own cells where they are the same
/// people.
fn equity_cells(
    cells: &mut Cells,
    e: &PilotEquity,
    pc: Option<&PilotCells>,
    participants: CellId,
) -> Vec<BreakdownCells> {
    let built: Vec<BreakdownCells> = e
        .breakdowns
        .iter()
        .map(|b| {
            let rate_names: Vec<&str> = b
                .groups
                .first()
                .map(|g| g.rates.iter().map(|(n, _)| n.as_str()).collect())
                .unwrap_or_default();
            let mean_names: Vec<&str> = b
                .groups
                .first()
                .map(|g| g.means.iter().map(|(n, _)| n.as_str()).collect())
                .unwrap_or_default();
            let totals = BreakdownTotals {
                participants,
                rates: rate_names.iter().map(|n| pc.and_then(|pc| pilot_rate(pc, n))).collect(),
                means: mean_names.iter().map(|_| None).collect(),
            };
            breakdown_cells(cells, b, &totals)
        })
        .collect();
    let position = |name: &str| e.breakdowns.iter().position(|b| b.dimension == name);
    if let (Some(d), Some(q)) = (position("imd_decile"), position("imd_quintile")) {
        nest_deciles(cells, (&e.breakdowns[d], &built[d]), (&e.breakdowns[q], &built[q]));
    }
    built
}

/// The pilot's cells of a rate broken down by group.
fn pilot_rate(pc: &PilotCells, name: &str) -> Option<RateCells> {
    let tt = pc.tt.as_ref();
    let cv = pc.cv.as_ref();
    match name {
        "finished_treatment" => tt.map(|t| t.finished),
        "recovery" => tt.map(|t| t.recovery),
        "reliable_improvement" => tt.map(|t| t.improvement),
        "reliable_recovery" => tt.map(|t| t.reliable_recovery),
        "reliable_deterioration" => tt.map(|t| t.deterioration),
        "bp_controlled_first" => cv.map(|c| c.first),
        "bp_controlled_last" => cv.map(|c| c.last),
        _ => None,
    }
}

/// Applies `rule` to one pilot's breakdowns on their own, for [`crate::equity::analyse`]
/// called outside an evaluation (an evaluation's breakdowns are protected by [`publish`]
/// together with every other figure of their pilot). Each breakdown is protected against
/// its own totals, taken as published.
///
/// ```
/// use coproduction::equity::{EquityInput, analyse};
/// use coproduction::publish::{DisclosureRule, protect_equity};
/// let groups = ["A", "A", "A", "A", "A", "A", "B", "B", "B", "B", "B", "B"];
/// let input = EquityInput {
///     pilot: "tt",
///     dimensions: vec![("area".into(), groups.iter().map(|g| Some((*g).into())).collect())],
///     rates: vec![("recovery".into(), (0..12).map(|i| Some(i % 2 == 0)).collect())],
///     means: vec![],
/// };
/// let mut equity = analyse(&input, None).unwrap();
/// protect_equity(&DisclosureRule::new(5).unwrap(), &mut equity).unwrap();
/// let a = &equity.breakdowns[0].groups[0];
/// assert_eq!(a.participants.value(), Some(&6));
/// // 3 of 6 recovered: a count under 5, so the rate is hidden.
/// assert!(a.rates[0].1.is_suppressed());
/// ```
///
/// # Errors
///
/// [`Error::Disclosure`](crate::Error) when a small count cannot be protected.
pub fn protect_equity(rule: &DisclosureRule, equity: &mut PilotEquity) -> Result<()> {
    for breakdown in &mut equity.breakdowns {
        protect_breakdown(rule, breakdown)?;
    }
    equity.disclosure = *rule;
    Ok(())
}

/// Protects one breakdown on its own: the pilot's totals are taken as published.
fn protect_breakdown(rule: &DisclosureRule, b: &mut Breakdown) -> Result<()> {
    if !rule.enabled {
        return Ok(());
    }
    let mut cells = Cells::default();
    let size = |g: &crate::equity::GroupRow| g.participants.value().copied().unwrap_or(0) as u64;
    let participants = cells.cell(b.groups.iter().map(size).sum());
    cells.fix(participants);
    let n_rates = b.groups.first().map_or(0, |g| g.rates.len());
    let rates = (0..n_rates)
        .map(|r| {
            let (count, den) = b
                .groups
                .iter()
                .filter_map(|g| g.rates[r].1.value())
                .fold((0, 0), |acc, p| (acc.0 + p.count, acc.1 + p.denominator));
            let (count, den) = (cells.cell(count), cells.cell(den));
            cells.fix(count);
            cells.fix(den);
            Some(RateCells { count, den })
        })
        .collect();
    let n_means = b.groups.first().map_or(0, |g| g.means.len());
    let mean_totals: Vec<u64> = (0..n_means)
        .map(|m| b.groups.iter().filter_map(|g| g.means[m].1.value()).map(|c| c.n as u64).sum())
        .collect();
    let means = mean_totals
        .iter()
        .map(|&n| {
            let id = cells.cell(n);
            cells.fix(id);
            Some(id)
        })
        .collect();
    let bc = breakdown_cells(&mut cells, b, &BreakdownTotals { participants, rates, means });
    mark_extremes(&mut cells, rule, b, &bc);
    let protection = cells.protect(rule)?;
    let pilot_means: Vec<(bool, u64)> = mean_totals.iter().map(|&n| (true, n)).collect();
    apply_breakdown(b, &bc, &protection, rule, &vec![None; n_rates], &pilot_means);
    Ok(())
}

/// Applies the plan's disclosure rule to an evaluation.
///
/// # Errors
///
/// [`Error::Disclosure`](crate::Error::Disclosure) when no choice of hidden figures keeps
/// every small count from being worked out; nothing may then be published.
pub fn publish(eval: &Evaluation) -> Result<Publication> {
    publish_with(eval, eval.plan.disclosure, false)
}

/// The analyst's exact figures: the same model with nothing hidden, marked as exact so
/// every printer says it must not be published.
///
/// # Errors
///
/// As [`publish`] (it cannot fail on disclosure).
pub fn publish_exact(eval: &Evaluation) -> Result<Publication> {
    publish_with(eval, DisclosureRule::off(), true)
}

fn publish_with(eval: &Evaluation, rule: DisclosureRule, exact: bool) -> Result<Publication> {
    let people = eval.data.participants().len() as u64;
    if rule.is_small(people) {
        return Err(crate::Error::Disclosure(format!(
            "the evaluation has {people} participants in all, fewer than the threshold of {}: no figure about \
             them can be published (lower [disclosure] min_count only if your publication rules allow it)",
            rule.min_count
        )));
    }
    let mut cells = Cells::default();
    let total = cells.cell(eval.data.participants().len() as u64);
    cells.fix(total);
    let pilots: Vec<PilotCells> = eval.outcomes.pilots.iter().map(|p| pilot_cells(&mut cells, p)).collect();
    cells.sum(&pilots.iter().map(|p| p.participants).collect::<Vec<_>>(), total);
    let risk_total = cells.cell(eval.outcomes.pilots.iter().map(|p| p.risk_flags as u64).sum());
    cells.sum(&pilots.iter().map(|p| p.risk).collect::<Vec<_>>(), risk_total);
    let find = |id: &str| eval.outcomes.pilots.iter().position(|p| p.id == id);
    let equity: Vec<Vec<BreakdownCells>> = eval
        .equity
        .iter()
        .map(|e| {
            let pc = find(&e.pilot).map(|i| &pilots[i]);
            let participants = match pc {
                Some(pc) => pc.participants,
                None => cells.derived(0),
            };
            let built = equity_cells(&mut cells, e, pc, participants);
            for (b, bc) in e.breakdowns.iter().zip(&built) {
                mark_extremes(&mut cells, &rule, b, bc);
            }
            built
        })
        .collect();
    // Equity means of a measure's change add up to the measure's paired count.
    for (e, built) in eval.equity.iter().zip(&equity) {
        let Some(pi) = find(&e.pilot) else { continue };
        for (b, bc) in e.breakdowns.iter().zip(built) {
            let names: Vec<&str> = b
                .groups
                .first()
                .map(|g| g.means.iter().map(|(n, _)| n.as_str()).collect())
                .unwrap_or_default();
            for (m, name) in names.iter().enumerate() {
                let measure = name.strip_suffix("_change").unwrap_or(name);
                if let Some(mi) = eval.outcomes.pilots[pi].measures.iter().position(|x| x.measure == measure)
                {
                    cells.sum(&bc.means[m], pilots[pi].measures[mi].n);
                }
            }
        }
    }
    let delivery: Vec<DeliveryCells> = eval
        .delivery
        .iter()
        .map(|d| {
            let participants = find(&d.pilot).map(|i| pilots[i].participants);
            delivery_cells(&mut cells, d, participants)
        })
        .collect();
    let overview = eval.delivery_overview.as_ref().map(|o| {
        let pilots: Vec<_> = eval.delivery.iter().zip(&delivery).collect();
        overview_cells(&mut cells, &o.overall, &pilots)
    });

    let protection = cells.protect(&rule)?;
    let state = |id: CellId| protection.state(id);
    let count = |value: u64, id: CellId| published_count(value, state(id));

    let published_pilots: Vec<PublishedPilot> = eval
        .outcomes
        .pilots
        .iter()
        .zip(&pilots)
        .map(|(p, pc)| publish_pilot(p, pc, &protection, &rule))
        .collect();

    let mut published_equity = eval.equity.clone();
    for ((e, built), out) in eval.equity.iter().zip(&equity).zip(published_equity.iter_mut()) {
        out.disclosure = rule;
        let pilot = find(&e.pilot).map(|i| &published_pilots[i]);
        for ((b, bc), out_b) in e.breakdowns.iter().zip(built).zip(out.breakdowns.iter_mut()) {
            let rate_names: Vec<String> = b
                .groups
                .first()
                .map(|g| g.rates.iter().map(|(n, _)| n.clone()).collect())
                .unwrap_or_default();
            let pilot_rates: Vec<Option<Hidden>> = rate_names
                .iter()
                .map(|n| match pilot.and_then(|p| pilot_rate_published(p, n)) {
                    Some(r) => r.hidden(),
                    None => Some(Hidden::Secondary),
                })
                .collect();
            let pilot_means: Vec<(bool, u64)> = b
                .groups
                .first()
                .map(|g| {
                    g.means
                        .iter()
                        .map(|(n, _)| {
                            let measure = n.strip_suffix("_change").unwrap_or(n);
                            pilot
                                .and_then(|p| p.measures.iter().find(|m| m.measure == measure))
                                .map_or((false, 0), |m| {
                                    (m.statistics_shown(), m.n_paired.value().copied().unwrap_or(0))
                                })
                        })
                        .collect()
                })
                .unwrap_or_default();
            apply_breakdown(out_b, bc, &protection, &rule, &pilot_rates, &pilot_means);
        }
    }

    let published_delivery: Vec<PublishedDelivery> =
        eval.delivery.iter().zip(&delivery).map(|(d, dc)| publish_delivery(d, dc, &protection)).collect();
    let delivery_overview = eval
        .delivery_overview
        .as_ref()
        .zip(overview.as_ref())
        .map(|(o, oc)| publish_overview(o, oc, &protection, cells.value(total)));

    let social_value =
        eval.social_value.as_ref().map(|sv| publish_social_value(eval, sv, &published_pilots, &rule));
    let mut by_type: std::collections::BTreeMap<String, u64> = std::collections::BTreeMap::new();
    for a in &eval.activities {
        *by_type.entry(a.organisation_type.clone()).or_default() += u64::from(a.sessions);
    }
    Ok(Publication {
        rule,
        exact,
        plan: eval.plan.clone(),
        catalogue: eval.catalogue.clone(),
        files: eval
            .data
            .files()
            .iter()
            .map(|f| FileSummary {
                file: crate::plan::display_path(&f.file, &eval.plan.base_dir),
                ..f.clone()
            })
            .collect(),
        rejects_by_reason: eval.data.rejects().reason_counts(),
        rejected_rows: eval.data.rejects().len(),
        assessments: eval.data.assessments().len() as u64,
        warnings: eval.warnings.clone(),
        inputs: eval.inputs.clone(),
        sessions_by_partner_type: by_type.into_iter().collect(),
        participants: cells.value(total),
        pilots: published_pilots,
        equity: published_equity,
        delivery: published_delivery,
        delivery_overview,
        social_value,
        risk_flags: count(cells.value(risk_total), risk_total),
    })
}

/// A rate's denominator, zero when the rate is undefined.
fn cell_value(rate: &Option<Proportion>) -> u64 {
    rate.as_ref().map_or(0, |r| r.denominator)
}

/// A count as its cell's state says (rounded where the rule rounds).
fn published_count(value: u64, state: CellState) -> Published<u64> {
    match state {
        CellState::Shown => Published::Shown(value),
        CellState::Rounded(r) => Published::Shown(r),
        CellState::Small => Published::Small,
        CellState::Secondary => Published::Secondary,
    }
}

fn reason(state: CellState) -> Option<Hidden> {
    match state {
        CellState::Small => Some(Hidden::Small),
        CellState::Secondary => Some(Hidden::Secondary),
        _ => None,
    }
}

fn figure<T>(value: Option<T>, hidden: Option<Hidden>) -> Published<T> {
    match (value, hidden) {
        (None, _) => Published::Empty,
        (Some(_), Some(Hidden::Small)) => Published::Small,
        (Some(_), Some(Hidden::Secondary)) => Published::Secondary,
        (Some(v), None) => Published::Shown(v),
    }
}

fn publish_pilot(
    p: &PilotOutcomes,
    pc: &PilotCells,
    protection: &Protection,
    rule: &DisclosureRule,
) -> PublishedPilot {
    let state = |id: CellId| protection.state(id);
    let count = |value: u64, id: CellId| published_count(value, state(id));
    let rate = |exact: &Option<Proportion>, cells: RateCells| {
        exact.as_ref().map(|r| PublishedRate::new(r, state(cells.count), state(cells.den), false))
    };
    let mut withheld: Vec<String> = Vec::new();
    let measures = p
        .measures
        .iter()
        .zip(&pc.measures)
        .map(|(m, mc)| {
            let n_state = state(mc.n);
            // The cell's state already says small: statistics go with the paired count.
            let shown = !n_state.is_hidden();
            let change_out = protection.withheld(mc.change_block);
            if change_out {
                withheld.push(format!("the reliable change counts of {}", m.measure));
            }
            let improved = match m.improved {
                Some(v) if !change_out => count(v as u64, mc.improved),
                _ => Published::Empty,
            };
            let deteriorated = match m.deteriorated {
                Some(v) if !change_out => count(v as u64, mc.deteriorated),
                _ => Published::Empty,
            };
            let clinical = m.clinical_significance.as_ref().zip(mc.clinical).filter(|(_, (_, block))| {
                let out = protection.withheld(*block);
                if out {
                    withheld.push(format!("the Jacobson-Truax classes of {}", m.measure));
                }
                !out
            });
            let clinical = clinical.map(|(c, (ids, _))| PublishedClinicalSignificance {
                cutoff: c.cutoff,
                recovered: count(c.recovered as u64, ids[0]),
                improved: count(c.improved as u64, ids[1]),
                unchanged: count(c.unchanged as u64, ids[2]),
                deteriorated: count(c.deteriorated as u64, ids[3]),
            });
            let bands = m.band_shift.as_ref().zip(mc.bands).filter(|(_, (_, block))| {
                let out = protection.withheld(*block);
                if out {
                    withheld.push(format!("the band movements of {}", m.measure));
                }
                !out
            });
            let bands = bands.map(|(b, (ids, _))| PublishedBandShift {
                better: count(b.better as u64, ids[0]),
                same: count(b.same as u64, ids[1]),
                worse: count(b.worse as u64, ids[2]),
            });
            let unpaired = count(m.unpaired as u64, mc.unpaired);
            let mut reasons: Vec<Hidden> =
                [mc.n, mc.unpaired].into_iter().filter_map(|id| reason(state(id))).collect();
            if !change_out {
                reasons.extend([mc.improved, mc.deteriorated].into_iter().filter_map(|id| reason(state(id))));
            }
            if clinical.is_some() {
                reasons.extend(mc.clinical.iter().flat_map(|c| c.0).filter_map(|id| reason(state(id))));
            }
            if bands.is_some() {
                reasons.extend(mc.bands.iter().flat_map(|b| b.0).filter_map(|id| reason(state(id))));
            }
            if !shown {
                reasons.push(Hidden::Small);
            }
            PublishedMeasure {
                measure: m.measure.clone(),
                n_paired: count(m.n_paired as u64, mc.n),
                statistics: if shown { MeasureStatistics::of(m) } else { MeasureStatistics::default() },
                improved,
                deteriorated,
                higher_is_better: m.higher_is_better,
                unpaired,
                clinical_significance: clinical,
                band_shift: bands,
                suppressed: Hidden::strongest(reasons),
            }
        })
        .collect();
    let talking_therapies = p.talking_therapies.as_ref().zip(pc.tt.as_ref()).map(|(tt, c)| {
        let caseness_change = tt.caseness_change.as_ref().zip(c.no_to_yes).map(|(m, no_to_yes)| {
            let yes_to_no = count(m.yes_to_no, c.recovery.count);
            let no_to_yes = count(m.no_to_yes, no_to_yes);
            let hidden = Hidden::strongest(yes_to_no.hidden().into_iter().chain(no_to_yes.hidden()));
            PublishedMcNemar { yes_to_no, no_to_yes, p_value: figure(Some(m.p_value), hidden) }
        });
        PublishedTalkingTherapies {
            finished_treatment: rate(&tt.finished_treatment, c.finished),
            recovery: rate(&tt.recovery, c.recovery),
            reliable_improvement: rate(&tt.reliable_improvement, c.improvement),
            reliable_recovery: rate(&tt.reliable_recovery, c.reliable_recovery),
            reliable_deterioration: rate(&tt.reliable_deterioration, c.deterioration),
            finished_and_paired: count(cell_value(&tt.reliable_improvement), c.improvement.den),
            at_caseness_at_first: count(cell_value(&tt.recovery), c.recovery.den),
            caseness_change,
            anxiety_measures: if protection.withheld(c.anxiety_block) {
                withheld.push("the count of each anxiety measure used".to_string());
                Vec::new()
            } else {
                tt.anxiety_measures
                    .iter()
                    .zip(&c.anxiety)
                    .map(|((m, n), &id)| (m.clone(), count(*n as u64, id)))
                    .collect()
            },
            rules: tt.rules.clone(),
        }
    });
    let cardiovascular = p.cardiovascular.as_ref().zip(pc.cv.as_ref()).map(|(cv, c)| {
        let sbp_hidden = reason(state(c.n));
        // The diastolic figures are over people paired on diastolic, at least those paired on
        // both: shown and non-zero, that is at least min. With none paired on both, how
        // many are behind the diastolic mean is not known, so it is hidden.
        let dbp_hidden =
            reason(state(c.both)).or((rule.enabled && cv.n_paired_both == 0).then_some(Hidden::Small));
        PublishedCardiovascular {
            n_paired: count(cv.n_paired as u64, c.n),
            sbp_mean_fall: figure(cv.sbp_mean_fall, sbp_hidden),
            controlled_first: rate(&cv.controlled_first, c.first),
            controlled_last: rate(&cv.controlled_last, c.last),
            newly_controlled: rate(&cv.newly_controlled, c.newly),
            relative_risk_major_cvd: figure(cv.relative_risk_major_cvd, sbp_hidden),
            sbp_fall_ci: figure(cv.sbp_fall_ci, sbp_hidden),
            dbp_mean_fall: figure(cv.dbp_mean_fall, dbp_hidden),
            dbp_fall_ci: figure(cv.dbp_fall_ci, dbp_hidden),
            categories: if protection.withheld(c.categories_block) {
                withheld.push("the blood pressure categories".to_string());
                Vec::new()
            } else {
                cv.categories
                    .iter()
                    .zip(&c.categories)
                    .map(|((label, first, last), ids)| PublishedCategory {
                        category: label.clone(),
                        first: count(*first as u64, ids.0),
                        last: count(*last as u64, ids.1),
                    })
                    .collect()
            },
            caveat: cv.caveat,
            n_paired_both: count(cv.n_paired_both as u64, c.both),
        }
    });
    let qaly = p.qaly.as_ref().zip(pc.qaly).map(|(q, id): (&QalyGain, CellId)| {
        let hidden = reason(state(id));
        PublishedQaly {
            measure: q.measure.clone(),
            n: count(q.n as u64, id),
            mean_gain: figure(Some(q.mean_gain), hidden),
            ci_low: figure(q.ci_low, hidden),
            ci_high: figure(q.ci_high, hidden),
            total_gain: figure(Some(q.total_gain), hidden),
            mean_follow_up_days: figure(Some(q.mean_follow_up_days), hidden),
        }
    });
    PublishedPilot {
        id: p.id.clone(),
        name: p.name.clone(),
        programme: p.programme,
        participants: count(p.participants as u64, pc.participants),
        measures,
        talking_therapies,
        cardiovascular,
        qaly,
        risk_flags: if protection.withheld(pc.risk_block) {
            Published::Empty
        } else {
            count(p.risk_flags as u64, pc.risk)
        },
        suppressed: reason(state(pc.participants)),
        withheld,
    }
}

/// A pilot's published rate by the name the equity stage gives it.
fn pilot_rate_published<'a>(p: &'a PublishedPilot, name: &str) -> Option<&'a PublishedRate> {
    let tt = p.talking_therapies.as_ref();
    let cv = p.cardiovascular.as_ref();
    match name {
        "finished_treatment" => tt?.finished_treatment.as_ref(),
        "recovery" => tt?.recovery.as_ref(),
        "reliable_improvement" => tt?.reliable_improvement.as_ref(),
        "reliable_recovery" => tt?.reliable_recovery.as_ref(),
        "reliable_deterioration" => tt?.reliable_deterioration.as_ref(),
        "bp_controlled_first" => cv?.controlled_first.as_ref(),
        "bp_controlled_last" => cv?.controlled_last.as_ref(),
        _ => None,
    }
}

/// What a measured quantity counts, in words, and whether it is hidden in the publication.
fn linked_quantity(
    eval: &Evaluation,
    pilots: &[PublishedPilot],
    link: &str,
    quantity: f64,
    rule: &DisclosureRule,
) -> (String, Option<Hidden>) {
    use crate::metric::{MeasureMetric, Metric};
    let unnamed = || (link.to_string(), small_quantity(quantity, rule));
    let Some((pilot_id, metric)) = crate::metric::parse_link(link) else { return unnamed() };
    let Some(p) = pilots.iter().find(|p| p.id == pilot_id) else { return unnamed() };
    let measure_name =
        |id: &str| eval.catalogue.get(id).map_or_else(|| id.to_string(), |i| i.name().to_string());
    let rate_hidden = |r: Option<&PublishedRate>| r.and_then(|r| r.count.hidden());
    let tt = p.talking_therapies.as_ref();
    let cv = p.cardiovascular.as_ref();
    let (words, hidden) = match metric {
        Metric::Participants => ("participants".to_string(), p.participants.hidden()),
        Metric::FinishedTreatment => (
            "people who finished treatment".to_string(),
            rate_hidden(tt.and_then(|t| t.finished_treatment.as_ref())),
        ),
        Metric::Recovery => {
            ("people recovered".to_string(), rate_hidden(tt.and_then(|t| t.recovery.as_ref())))
        }
        Metric::ReliableImprovement => (
            "people reliably improved".to_string(),
            rate_hidden(tt.and_then(|t| t.reliable_improvement.as_ref())),
        ),
        Metric::ReliableRecovery => (
            "people reliably recovered".to_string(),
            rate_hidden(tt.and_then(|t| t.reliable_recovery.as_ref())),
        ),
        Metric::ReliableDeterioration => (
            "people reliably deteriorated".to_string(),
            rate_hidden(tt.and_then(|t| t.reliable_deterioration.as_ref())),
        ),
        Metric::BpControlled => (
            "people with blood pressure controlled at their last reading".to_string(),
            rate_hidden(cv.and_then(|c| c.controlled_last.as_ref())),
        ),
        Metric::BpNewlyControlled => (
            "people whose blood pressure was brought under control".to_string(),
            rate_hidden(cv.and_then(|c| c.newly_controlled.as_ref())),
        ),
        Metric::Measure { measure, of } => {
            let measure = measure.as_str();
            let m = p.measures.iter().find(|m| m.measure == measure);
            let n_hidden = m.map_or(Some(Hidden::Small), |m| {
                if m.statistics_shown() { None } else { Some(m.n_paired.hidden().unwrap_or(Hidden::Small)) }
            });
            let name = measure_name(measure);
            match of {
                MeasureMetric::Improved => {
                    (format!("people reliably improved on {name}"), m.and_then(|m| m.improved.hidden()))
                }
                MeasureMetric::NPaired => (format!("people measured twice on {name}"), n_hidden),
                MeasureMetric::MeanChange => (format!("mean change on {name} per person"), n_hidden),
                MeasureMetric::TotalChange => (
                    match measure {
                        "ons_life_satisfaction" => {
                            "WELLBYs a year (change in life satisfaction, summed over people)".to_string()
                        }
                        "eq5d3l" | "eq5d5l" => {
                            "QALYs a year (change in utility, summed over people)".to_string()
                        }
                        _ => format!("points of change on {name}, summed over people"),
                    },
                    n_hidden,
                ),
            }
        }
        // The activities table's counts (hours, sessions) are not counts of people.
        _ => unnamed(),
    };
    (words, hidden)
}

fn small_quantity(quantity: f64, rule: &DisclosureRule) -> Option<Hidden> {
    (quantity.fract() == 0.0 && quantity >= 1.0 && rule.is_small(quantity as u64)).then_some(Hidden::Small)
}

fn publish_social_value(
    eval: &Evaluation,
    sv: &SocialValue,
    pilots: &[PublishedPilot],
    rule: &DisclosureRule,
) -> PublishedSocialValue {
    let mut withheld = Vec::new();
    let quantities = sv
        .outcomes
        .iter()
        .map(|o| {
            let (words, hidden) = match &o.quantity_from {
                Some(link) => linked_quantity(eval, pilots, link, o.quantity, rule),
                None => (String::new(), None),
            };
            let quantity = figure(Some(o.quantity), hidden);
            if let (Some(link), Some(_)) = (&o.quantity_from, hidden) {
                withheld.push(link.clone());
            }
            let text = match (&quantity, words.is_empty()) {
                (Published::Shown(q), true) => quantity_text(*q),
                (Published::Shown(q), false) => format!("{} {words}", quantity_text(*q)),
                (hidden, _) => {
                    format!("{} {words}", hidden.display(rule, |_| String::new())).trim().to_string()
                }
            };
            PublishedQuantity {
                outcome: o.outcome.clone(),
                quantity_from: o.quantity_from.clone(),
                quantity,
                text,
            }
        })
        .collect();
    PublishedSocialValue {
        figures: if withheld.is_empty() { Published::Shown(sv.clone()) } else { Published::Small },
        quantities,
        withheld_because: withheld,
        investment: sv.investment,
        inputs: sv.inputs.clone(),
    }
}

/// A quantity as the impact map states it: whole numbers with thousands separators,
/// others to two decimals.
fn quantity_text(q: f64) -> String {
    let decimals = if q.fract() == 0.0 { 0 } else { 2 };
    let text = format!("{:.decimals$}", q.abs());
    let (whole, fraction) = text.split_once('.').map_or((text.as_str(), ""), |(w, f)| (w, f));
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if q < 0.0 { "−" } else { "" };
    if fraction.is_empty() { format!("{sign}{grouped}") } else { format!("{sign}{grouped}.{fraction}") }
}

impl Publication {
    /// A few lines a person reads first: per pilot, the headline figures, as published.
    pub fn summary_lines(&self) -> Vec<String> {
        let rate = |r: &Option<PublishedRate>| match r {
            Some(r) => match r.shown() {
                Some(p) => format!("{:.1}% ({} of {})", p.rate * 100.0, p.count, p.denominator),
                None => r.rate.display(&self.rule, |_| String::new()),
            },
            None => "–".to_string(),
        };
        let count = |c: &Published<u64>| c.display(&self.rule, |v| v.to_string());
        let mut lines = Vec::new();
        for p in &self.pilots {
            let mut line = format!("{} ({}): {} participants", p.name, p.id, count(&p.participants));
            if let Some(tt) = &p.talking_therapies {
                line.push_str(&format!(
                    "; reliable recovery {}; reliable improvement {}",
                    rate(&tt.reliable_recovery),
                    rate(&tt.reliable_improvement)
                ));
            }
            if let Some(cv) = &p.cardiovascular {
                line.push_str(&format!(
                    "; BP controlled {} -> {}",
                    rate(&cv.controlled_first),
                    rate(&cv.controlled_last)
                ));
            }
            lines.push(line);
        }
        if let Some(sv) = &self.social_value {
            match sv.figures.value().and_then(|f| f.sroi_ratio) {
                Some(ratio) => lines.push(format!("Social return: £{ratio:.2} per £1 invested")),
                None if sv.figures.is_suppressed() => lines.push(format!(
                    "Social return: not published (it uses {}, hidden under disclosure control)",
                    sv.withheld_because.join(", ")
                )),
                None => {}
            }
        }
        if self.exact {
            lines.push("EXACT FIGURES: disclosure control is not applied; do not publish.".to_string());
        }
        lines
    }

    /// A machine-readable summary for `coprod run --json`, as published.
    ///
    /// # Errors
    ///
    /// A figure that cannot be written as JSON.
    pub fn summary_json(&self, report_dir: Option<&std::path::Path>) -> Result<String> {
        let value = serde_json::json!({
            "title": self.plan.title,
            "files": self.files,
            "rows_rejected": self.rejected_rows,
            "disclosure_control": self.rule.describe(),
            "pilots": self.pilots.iter().map(|p| serde_json::json!({
                "id": p.id,
                "participants": p.participants,
            })).collect::<Vec<_>>(),
            "sroi_ratio": self.social_value.as_ref().and_then(|s| s.figures.value()).and_then(|s| s.sroi_ratio),
            "report": report_dir.map(|d| d.join("report.html").display().to_string()),
        });
        serde_json::to_string_pretty(&value)
            .map_err(|e| crate::Error::invalid(crate::error::Location::file("summary"), e.to_string()))
    }
}
