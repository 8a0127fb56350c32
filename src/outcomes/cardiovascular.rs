//! Blood pressure control and the implied change in event risk (DESIGN.md section 6).

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ingest::{DataSet, Measure, Setting};
use crate::instruments::Catalogue;
use crate::stats::{Proportion, mean, mean_interval, wilson};

use super::pairing::PairIndex;

/// Which targets judge a reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum BpTargets {
    /// Clinic targets for every reading (the contract's default).
    #[default]
    Clinic,
    /// Home/ambulatory targets for readings taken at home or by ABPM (unconfirmed values).
    BySetting,
}

/// The rule flags of the blood pressure metrics.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
pub struct CardiovascularRules {
    /// Which targets judge a reading.
    pub targets: BpTargets,
}

/// A relative risk with its interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct RelativeRisk {
    /// Point estimate.
    pub estimate: f64,
    /// Lower limit.
    pub low: f64,
    /// Upper limit.
    pub high: f64,
}

/// The pilot's blood pressure figures; the first five are the `results.json` contract.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Cardiovascular {
    /// Participants with paired systolic readings.
    pub n_paired: usize,
    /// Mean systolic fall, first − last, mmHg, among them.
    pub sbp_mean_fall: Option<f64>,
    /// Controlled at the first reading, among participants paired on both readings.
    pub controlled_first: Option<Proportion>,
    /// Controlled at the last reading, same denominator.
    pub controlled_last: Option<Proportion>,
    /// Not controlled at the first reading and controlled at the last, same denominator:
    /// the change the programme can claim (`controlled_last` includes people already
    /// controlled at the first reading).
    pub newly_controlled: Option<Proportion>,
    /// Relative risk of major cardiovascular events implied by the mean fall (Ettehad 2016).
    pub relative_risk_major_cvd: Option<RelativeRisk>,
    /// 95% t interval of the mean systolic fall.
    pub sbp_fall_ci: Option<(f64, f64)>,
    /// Mean diastolic fall, first − last, mmHg, among participants with paired diastolic
    /// readings, with its 95% interval.
    pub dbp_mean_fall: Option<f64>,
    /// 95% t interval of the mean diastolic fall.
    pub dbp_fall_ci: Option<(f64, f64)>,
    /// NICE NG136 clinic category at the first and last reading (the worse of systolic and
    /// diastolic), among participants paired on both: label, first count, last count.
    pub categories: Vec<(String, usize, usize)>,
    /// Why the risk figure is not a measured effect.
    pub caveat: &'static str,
    /// Paired on systolic and diastolic (the control denominator).
    pub n_paired_both: usize,
    /// The rules applied.
    pub rules: CardiovascularRules,
    /// Per participant paired on both readings: (index, controlled first, controlled last),
    /// for equity breakdowns.
    #[serde(skip)]
    pub controlled: Vec<(usize, bool, bool)>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
struct Target {
    systolic: f64,
    diastolic: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[allow(dead_code)]
struct TargetSet {
    source: String,
    confidence: String,
    under_80: Target,
    from_80: Target,
}

#[derive(Debug, Clone, Deserialize)]
#[allow(dead_code)]
struct EventRisk {
    source: String,
    confidence: String,
    per_mmhg: f64,
    relative_risk: f64,
    low: f64,
    high: f64,
}

#[derive(Debug, Clone, Deserialize)]
struct BloodPressureFile {
    clinic: TargetSet,
    home: TargetSet,
    event_risk: EventRisk,
}

fn table() -> Result<BloodPressureFile> {
    toml::from_str(include_str!("data/blood_pressure.toml"))
        .map_err(|e| Error::Toml { file: "blood_pressure.toml".to_string(), reason: e.to_string() })
}

/// Observational before-and-after falls include regression to the mean: people are often
/// recruited at a high reading.
pub const REGRESSION_CAVEAT: &str = "Modelled from the mean systolic fall with trial-based relative risks (Ettehad et al. 2016). \
A before-and-after fall in a pilot includes regression to the mean and is not a trial effect.";

/// Computes the blood pressure figures of one pilot.
pub fn cardiovascular(
    data: &DataSet,
    participants: &[usize],
    pairs: &PairIndex<'_>,
    catalogue: &Catalogue,
    rules: &CardiovascularRules,
) -> Result<Cardiovascular> {
    let bp = table()?;
    let target = |age: Option<u8>, setting: Setting| {
        let set = match (rules.targets, setting) {
            (BpTargets::BySetting, Setting::Home | Setting::Ambulatory) => &bp.home,
            _ => &bp.clinic,
        };
        // Unknown age is judged on the under-80 target (the contract).
        if age.is_some_and(|a| a >= 80) { set.from_80 } else { set.under_80 }
    };
    let mut falls = Vec::new();
    let mut dbp_falls = Vec::new();
    let mut per_person = Vec::new();
    let (mut both, mut first_ok, mut last_ok, mut newly) = (0u64, 0u64, 0u64, 0u64);
    let labels = category_labels(catalogue);
    let mut categories: Vec<(String, usize, usize)> = labels.iter().map(|l| (l.clone(), 0, 0)).collect();
    let (sbp_id, dbp_id) = (data.measure("sbp"), data.measure("dbp"));
    for &index in participants {
        let paired = |m: Option<Measure>| m.and_then(|m| pairs.get(index, m)).filter(|p| p.is_paired());
        let age = data.participants()[index].age;
        if let Some(dbp) = paired(dbp_id) {
            dbp_falls.push(dbp.first - dbp.last);
        }
        let Some(sbp) = paired(sbp_id) else { continue };
        falls.push(sbp.first - sbp.last);
        let Some(dbp) = paired(dbp_id) else { continue };
        both += 1;
        if let (Some(first), Some(last)) =
            (category(catalogue, sbp.first, dbp.first), category(catalogue, sbp.last, dbp.last))
        {
            if let Some(c) = categories.get_mut(first) {
                c.1 += 1;
            }
            if let Some(c) = categories.get_mut(last) {
                c.2 += 1;
            }
        }
        let controlled = |s: f64, d: f64, setting| {
            let t = target(age, setting);
            s < t.systolic && d < t.diastolic
        };
        let (at_first, at_last) = (
            controlled(sbp.first, dbp.first, sbp.first_setting),
            controlled(sbp.last, dbp.last, sbp.last_setting),
        );
        first_ok += u64::from(at_first);
        last_ok += u64::from(at_last);
        newly += u64::from(!at_first && at_last);
        per_person.push((index, at_first, at_last));
    }
    let fall = mean(&falls);
    let interval = |v: &[f64]| mean_interval(v).and_then(|m| Some((m.ci_low?, m.ci_high?)));
    let risk = &bp.event_risk;
    let scale = |rr: f64, f: f64| rr.powf(f / risk.per_mmhg);
    Ok(Cardiovascular {
        n_paired: falls.len(),
        sbp_mean_fall: fall,
        controlled_first: wilson(first_ok, both),
        controlled_last: wilson(last_ok, both),
        newly_controlled: wilson(newly, both),
        relative_risk_major_cvd: fall.map(|f| RelativeRisk {
            estimate: scale(risk.relative_risk, f),
            low: scale(risk.low, f).min(scale(risk.high, f)),
            high: scale(risk.low, f).max(scale(risk.high, f)),
        }),
        sbp_fall_ci: interval(&falls),
        dbp_mean_fall: mean(&dbp_falls),
        dbp_fall_ci: interval(&dbp_falls),
        categories,
        caveat: REGRESSION_CAVEAT,
        n_paired_both: both as usize,
        rules: rules.clone(),
        controlled: per_person,
    })
}

/// "Below stage 1" followed by the systolic instrument's NG136 band labels.
fn category_labels(catalogue: &Catalogue) -> Vec<String> {
    let mut labels = vec!["below 140/90".to_string()];
    if let Some(sbp) = catalogue.get("sbp") {
        labels.extend(sbp.bands().iter().map(|b| b.label.clone()));
    }
    labels
}

/// The NG136 category of a reading: the worse of the systolic and diastolic bands
/// (0 = below stage 1).
fn category(catalogue: &Catalogue, systolic: f64, diastolic: f64) -> Option<usize> {
    let index = |id: &str, value: f64| -> Option<usize> {
        let instrument = catalogue.get(id)?;
        let bands = instrument.bands();
        Some(match instrument.band(value) {
            Some(band) => bands.iter().position(|b| std::ptr::eq(b, band)).map_or(0, |i| i + 1),
            None if bands.first().is_some_and(|b| value < b.min) => 0,
            None => bands.len(),
        })
    };
    Some(index("sbp", systolic)?.max(index("dbp", diastolic)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_table_parses() {
        let t = table().unwrap();
        assert_eq!(t.clinic.under_80.systolic, 140.0);
        assert_eq!(t.clinic.from_80.systolic, 150.0);
        assert_eq!(t.event_risk.relative_risk, 0.80);
    }
}
