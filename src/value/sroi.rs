//! SROI figures (DESIGN.md section 6), sensitivity, switching values and Monte Carlo.

use std::collections::BTreeMap;

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand_distr::{Beta, Binomial, Distribution, LogNormal, Normal};
use serde::Serialize;

use crate::error::{Error, Result};

use super::impact_map::{ImpactMap, LINKABLE_METRICS};
use super::schedules::GdpDeflator;

/// A measured count that an outcome's quantity can come from.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LinkedQuantity {
    /// The count.
    pub count: f64,
    /// Its denominator, when it is a rate's numerator.
    pub denominator: Option<f64>,
    /// Lower limit of the count (the Wilson interval times the denominator).
    pub ci_low: Option<f64>,
    /// Upper limit.
    pub ci_high: Option<f64>,
}

/// Where `quantity_from` links are resolved: the evaluation's measured outcomes, or any
/// table of counts.
pub trait MeasuredQuantities {
    /// The count named `<pilot>.<metric>`, if it exists.
    fn quantity(&self, pilot: &str, metric: &str) -> Option<LinkedQuantity>;
}

impl MeasuredQuantities for BTreeMap<String, LinkedQuantity> {
    fn quantity(&self, pilot: &str, metric: &str) -> Option<LinkedQuantity> {
        self.get(&format!("{pilot}.{metric}")).copied()
    }
}

/// One outcome's valuation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutcomeValue {
    /// Who experiences it.
    pub stakeholder: String,
    /// The change.
    pub outcome: String,
    /// How it is measured.
    pub indicator: String,
    /// The quantity used.
    pub quantity: f64,
    /// The measured link it came from.
    pub quantity_from: Option<String>,
    /// £ per unit per year in the map's price year (uprated).
    pub value: f64,
    /// The proxy as stated, and its price year.
    pub value_as_stated: f64,
    /// Price year of the stated proxy.
    pub value_price_year: i32,
    /// Where the proxy comes from.
    pub proxy_source: String,
    /// Its licence, if any.
    pub licence: Option<String>,
    /// Impact in the first year, undiscounted (negative for harms).
    pub first_year_impact: f64,
    /// (year index, impact, present value) for each year.
    pub years: Vec<(u32, f64, f64)>,
    /// Sum of the present values.
    pub present_value: f64,
    /// The deduction at which the ratio falls to 1 if applied as extra attribution to this
    /// outcome alone (from zero); `None` when no share in [0, 1] does it.
    pub switching_attribution: Option<f64>,
    /// The proxy value (£, map prices) at which the ratio falls to 1, other things equal.
    pub switching_value: Option<f64>,
}

/// One input, resolved.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InputValue {
    /// Who put it in.
    pub stakeholder: String,
    /// What it was.
    pub description: String,
    /// Pounds.
    pub amount: f64,
    /// Hours, when valued from measured time.
    pub hours: Option<f64>,
    /// Year index.
    pub year: u32,
    /// Discounted amount.
    pub present_value: f64,
}

/// Present value by stakeholder.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StakeholderValue {
    /// The stakeholder.
    pub stakeholder: String,
    /// Sum of their outcomes' present values.
    pub present_value: f64,
    /// Their share of the total present value.
    pub share: Option<f64>,
}

/// One row of the one-way sensitivity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SensitivityRow {
    /// The assumption varied and how.
    pub parameter: String,
    /// The SROI ratio at the low setting.
    pub low_ratio: Option<f64>,
    /// The SROI ratio at the high setting.
    pub high_ratio: Option<f64>,
}

/// One-way sensitivity, largest swing first (a tornado).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Sensitivity {
    /// Rows, largest swing first.
    pub one_way: Vec<SensitivityRow>,
}

/// The Monte Carlo summary of the SROI ratio.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonteCarloSummary {
    /// Draws.
    pub draws: usize,
    /// Seed.
    pub seed: u64,
    /// 5th percentile of the ratio.
    pub p5: Option<f64>,
    /// Median.
    pub p50: Option<f64>,
    /// 95th percentile.
    pub p95: Option<f64>,
    /// Share of draws with a ratio above 1.
    pub probability_ratio_above_1: Option<f64>,
    /// How each assumption was drawn.
    pub method: &'static str,
    /// Every draw's ratio, for charts.
    #[serde(skip)]
    pub ratios: Vec<f64>,
}

/// The social value of a map (`social_value` in `results.json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SocialValue {
    /// Present value of all outcomes.
    pub present_value: f64,
    /// Present value of all inputs.
    pub investment: f64,
    /// present_value − investment.
    pub npv: f64,
    /// present_value / investment; `None` with no investment.
    pub sroi_ratio: Option<f64>,
    /// npv / investment.
    pub net_sroi_ratio: Option<f64>,
    /// investment / (first-year impact, undiscounted, / 12).
    pub payback_months: Option<f64>,
    /// Per input.
    pub inputs: Vec<InputValue>,
    /// Per outcome.
    pub outcomes: Vec<OutcomeValue>,
    /// Per stakeholder, in map order.
    pub by_stakeholder: Vec<StakeholderValue>,
    /// One-way sensitivity.
    pub sensitivity: Sensitivity,
    /// Monte Carlo; `None` with zero draws.
    pub monte_carlo: Option<MonteCarloSummary>,
    /// Prices are in this year.
    pub price_year: i32,
    /// The discounting used.
    pub discounting: String,
    /// The deflator used.
    pub deflator: String,
    /// Principle checks.
    pub warnings: Vec<String>,
}

/// The numbers of one outcome that the calculations vary.
#[derive(Debug, Clone, Copy)]
struct Params {
    quantity: f64,
    value: f64,
    deadweight: f64,
    displacement: f64,
    attribution: f64,
    drop_off: f64,
    duration: u32,
    start: u32,
    sign: f64,
}

impl Params {
    fn first_year(&self) -> f64 {
        self.sign
            * self.quantity
            * self.value
            * (1.0 - self.deadweight)
            * (1.0 - self.displacement)
            * (1.0 - self.attribution)
    }

    fn present_value(&self, df: &[f64]) -> f64 {
        let mut impact = self.first_year();
        let mut pv = 0.0;
        for t in self.start..self.start + self.duration {
            pv += impact * df.get(t as usize).copied().unwrap_or(0.0);
            impact *= 1.0 - self.drop_off;
        }
        pv
    }
}

fn ratio(pv: f64, investment: f64) -> Option<f64> {
    (investment > 0.0).then(|| pv / investment)
}

/// Values a map, resolving `quantity_from` links through `measured`, with one-way
/// sensitivity and `draws` seeded Monte Carlo draws.
///
/// ```
/// use std::collections::BTreeMap;
/// use coproduction::value::{ImpactMap, LinkedQuantity, evaluate};
/// // social-value.md T3, outcome B alone: 20 × £1,500 × (1 − 0.5), one year, 3.5%.
/// let map = ImpactMap::from_toml_str(r#"
/// price_year = 2024
/// discount = 0.035
/// [[input]]
/// stakeholder = "Funder"
/// description = "Grant"
/// amount = 10000
/// [[outcome]]
/// stakeholder = "P"
/// outcome = "B"
/// indicator = "i"
/// quantity = 20
/// value = 1500
/// value_price_year = 2024
/// proxy_source = "synthetic"
/// duration_years = 1
/// attribution = 0.5
/// "#, "map.toml").unwrap();
/// let sv = evaluate(&map, &BTreeMap::<String, LinkedQuantity>::new(), 1000, 7).unwrap();
/// assert!((sv.present_value - 15_000.0 / 1.035).abs() < 1e-9);
/// assert!((sv.payback_months.unwrap() - 8.0).abs() < 1e-12);
/// ```
pub fn evaluate(
    map: &ImpactMap,
    measured: &dyn MeasuredQuantities,
    draws: usize,
    seed: u64,
) -> Result<SocialValue> {
    let deflator = GdpDeflator::builtin()?;
    let discounting = map.discounting()?;
    let max_year = map
        .outcomes
        .iter()
        .map(|o| o.start_year + o.duration_years)
        .chain(map.inputs.iter().map(|i| i.year + 1))
        .max()
        .unwrap_or(1);
    let df = discounting.factors(max_year);
    let mut inputs = Vec::with_capacity(map.inputs.len());
    for i in &map.inputs {
        let (amount, hours) = match (&i.hours_from, i.amount) {
            (Some(link), _) => {
                let (pilot, metric) = link.split_once('.').unwrap_or((link.as_str(), ""));
                let hours = measured.quantity(pilot, metric).ok_or_else(|| Error::Unknown {
                    kind: "measured hours",
                    name: link.clone(),
                    hint: format!(
                        " (input '{}'): name a pilot with an activities table and volunteer_hours or staff_hours",
                        i.description
                    ),
                })?;
                (hours.count * i.hourly_value.unwrap_or(0.0), Some(hours.count))
            }
            (None, amount) => (amount.unwrap_or(0.0), None),
        };
        inputs.push(InputValue {
            stakeholder: i.stakeholder.clone(),
            description: i.description.clone(),
            amount,
            hours,
            year: i.year,
            present_value: amount * df[i.year as usize],
        });
    }
    if let Some(i) = inputs.iter().find(|i| !i.amount.is_finite() || i.amount > super::impact_map::MAX_FIGURE)
    {
        return Err(Error::Toml {
            file: "impact map".to_string(),
            reason: format!(
                "input '{}': hours × hourly_value = {:e} is beyond {:e}, the largest figure a report can show",
                i.description,
                i.amount,
                super::impact_map::MAX_FIGURE
            ),
        });
    }
    let investment: f64 = inputs.iter().map(|i| i.present_value).sum();

    let mut params = Vec::with_capacity(map.outcomes.len());
    let mut links = Vec::with_capacity(map.outcomes.len());
    for o in &map.outcomes {
        let link = match &o.quantity_from {
            Some(link) => {
                let (pilot, metric) = link.split_once('.').unwrap_or((link.as_str(), ""));
                Some(measured.quantity(pilot, metric).ok_or_else(|| Error::Unknown {
                    kind: "measured quantity",
                    name: link.clone(),
                    hint: format!(
                        " (outcome '{}'): name a pilot of the plan and one of {LINKABLE_METRICS}",
                        o.outcome
                    ),
                })?)
            }
            None => None,
        };
        let value = o.value * deflator.factor(o.value_price_year, map.price_year)?;
        let get = |d: Option<super::Deduction>| d.map_or(0.0, |d| d.get());
        params.push(Params {
            quantity: link.map_or(o.quantity.unwrap_or(0.0), |l| l.count),
            value,
            deadweight: get(o.deadweight),
            displacement: get(o.displacement),
            attribution: get(o.attribution),
            drop_off: get(o.drop_off),
            duration: o.duration_years,
            start: o.start_year,
            sign: if o.negative { -1.0 } else { 1.0 },
        });
        links.push(link);
        // A measured quantity times the proxy must stay a figure a report can show.
        let p = params.last().map_or(0.0, |p| p.quantity * p.value * f64::from(p.duration));
        if !p.is_finite() || p.abs() > super::impact_map::MAX_FIGURE {
            return Err(Error::Toml {
                file: "impact map".to_string(),
                reason: format!(
                    "outcome '{}': value × quantity × duration_years = {p:e} is beyond {:e}, the largest figure a \
                     report can show: check value and quantity_from",
                    o.outcome,
                    super::impact_map::MAX_FIGURE
                ),
            });
        }
    }
    let total_pv = |ps: &[Params]| ps.iter().map(|p| p.present_value(&df)).sum::<f64>();
    let present_value = total_pv(&params);
    let first_year: f64 = params.iter().map(Params::first_year).sum();

    let outcomes = map
        .outcomes
        .iter()
        .zip(&params)
        .map(|(o, p)| {
            let mut impact = p.first_year();
            let mut years = Vec::new();
            for t in p.start..p.start + p.duration {
                years.push((t, impact, impact * df[t as usize]));
                impact *= 1.0 - p.drop_off;
            }
            // The PV is linear in (1 − attribution): solve PV_rest + PV_0 (1 − a) = I.
            let pv = p.present_value(&df);
            let pv_zero = Params { attribution: 0.0, ..*p }.present_value(&df);
            let switching_attribution = (investment > 0.0 && pv_zero != 0.0)
                .then(|| 1.0 - (investment - (present_value - pv)) / pv_zero)
                .filter(|a| (0.0..=1.0).contains(a));
            // The PV is linear in the proxy as well.
            let switching_value = (investment > 0.0 && pv != 0.0)
                .then(|| p.value * (investment - (present_value - pv)) / pv)
                .filter(|v| *v >= 0.0);
            OutcomeValue {
                stakeholder: o.stakeholder.clone(),
                outcome: o.outcome.clone(),
                indicator: o.indicator.clone(),
                quantity: p.quantity,
                quantity_from: o.quantity_from.clone(),
                value: p.value,
                value_as_stated: o.value,
                value_price_year: o.value_price_year,
                proxy_source: o.proxy_source.clone(),
                licence: o.licence.clone(),
                first_year_impact: p.first_year(),
                years,
                present_value: pv,
                switching_attribution,
                switching_value,
            }
        })
        .collect::<Vec<OutcomeValue>>();
    let mut by_stakeholder: Vec<StakeholderValue> = Vec::new();
    for o in &outcomes {
        match by_stakeholder.iter_mut().find(|s| s.stakeholder == o.stakeholder) {
            Some(s) => s.present_value += o.present_value,
            None => by_stakeholder.push(StakeholderValue {
                stakeholder: o.stakeholder.clone(),
                present_value: o.present_value,
                share: None,
            }),
        }
    }
    for s in &mut by_stakeholder {
        s.share = (present_value != 0.0).then(|| s.present_value / present_value);
    }

    let sensitivity = one_way(&params, &links, &df, investment);
    let monte_carlo = (draws > 0).then(|| monte_carlo(&params, &links, &df, investment, draws, seed));
    Ok(SocialValue {
        present_value,
        investment,
        npv: present_value - investment,
        sroi_ratio: ratio(present_value, investment),
        net_sroi_ratio: ratio(present_value - investment, investment),
        payback_months: (first_year > 0.0).then(|| investment / (first_year / 12.0)),
        inputs,
        outcomes,
        by_stakeholder,
        sensitivity,
        monte_carlo,
        price_year: map.price_year,
        discounting: format!("{} — {}", discounting.label, discounting.source),
        deflator: format!("{} — {}", deflator.vintage, deflator.source),
        warnings: map.principle_warnings(),
    })
}

/// One assumption at a time, the same change applied to every outcome: deductions halved
/// and raised by half (within [0, 1]), proxies ±25%, durations ±1 year, measured quantities
/// at their 95% limits (fixed ones ±25%).
fn one_way(params: &[Params], links: &[Option<LinkedQuantity>], df: &[f64], investment: f64) -> Sensitivity {
    let run = |change: &dyn Fn(&mut Params, Option<&LinkedQuantity>)| {
        let varied: f64 = params
            .iter()
            .zip(links)
            .map(|(p, l)| {
                let mut p = *p;
                change(&mut p, l.as_ref());
                p.present_value(df)
            })
            .sum();
        ratio(varied, investment)
    };
    let scale = |v: f64, by: f64| (v * by).clamp(0.0, 1.0);
    let mut rows = vec![
        SensitivityRow {
            parameter: "Deadweight ×0.5 / ×1.5".to_string(),
            low_ratio: run(&|p, _| p.deadweight = scale(p.deadweight, 1.5)),
            high_ratio: run(&|p, _| p.deadweight = scale(p.deadweight, 0.5)),
        },
        SensitivityRow {
            parameter: "Attribution ×0.5 / ×1.5".to_string(),
            low_ratio: run(&|p, _| p.attribution = scale(p.attribution, 1.5)),
            high_ratio: run(&|p, _| p.attribution = scale(p.attribution, 0.5)),
        },
        SensitivityRow {
            parameter: "Displacement ×0.5 / ×1.5".to_string(),
            low_ratio: run(&|p, _| p.displacement = scale(p.displacement, 1.5)),
            high_ratio: run(&|p, _| p.displacement = scale(p.displacement, 0.5)),
        },
        SensitivityRow {
            parameter: "Drop-off ×0.5 / ×1.5".to_string(),
            low_ratio: run(&|p, _| p.drop_off = scale(p.drop_off, 1.5)),
            high_ratio: run(&|p, _| p.drop_off = scale(p.drop_off, 0.5)),
        },
        SensitivityRow {
            parameter: "Financial proxies ±25%".to_string(),
            low_ratio: run(&|p, _| p.value *= 0.75),
            high_ratio: run(&|p, _| p.value *= 1.25),
        },
        SensitivityRow {
            parameter: "Duration ±1 year".to_string(),
            low_ratio: run(&|p, _| p.duration = p.duration.saturating_sub(1).max(1)),
            high_ratio: run(&|p, _| p.duration += 1),
        },
        SensitivityRow {
            parameter: "Quantities at 95% limits".to_string(),
            low_ratio: run(&|p, l| p.quantity = l.and_then(|l| l.ci_low).unwrap_or(p.quantity * 0.75)),
            high_ratio: run(&|p, l| p.quantity = l.and_then(|l| l.ci_high).unwrap_or(p.quantity * 1.25)),
        },
    ];
    let swing = |r: &SensitivityRow| match (r.low_ratio, r.high_ratio) {
        (Some(a), Some(b)) => (a - b).abs(),
        _ => 0.0,
    };
    rows.sort_by(|a, b| swing(b).total_cmp(&swing(a)));
    Sensitivity { one_way: rows }
}

/// How the Monte Carlo draws each assumption (documented in the report's methods).
pub const MONTE_CARLO_METHOD: &str = "Deductions drawn from Beta distributions with the stated value as mean \
and concentration 20 (values of 0 or 1 held fixed); proxies from a lognormal with the stated value as median \
and log-SD 0.25; measured counts from a binomial with their denominator and observed rate (other measured \
quantities from a normal on their 95% interval, truncated at 0); fixed quantities and durations held. \
Percentiles by linear interpolation.";

fn monte_carlo(
    params: &[Params],
    links: &[Option<LinkedQuantity>],
    df: &[f64],
    investment: f64,
    draws: usize,
    seed: u64,
) -> MonteCarloSummary {
    const CONCENTRATION: f64 = 20.0;
    let mut rng = StdRng::seed_from_u64(seed);
    let beta = |mean: f64| {
        (mean > 0.0 && mean < 1.0)
            .then(|| Beta::new(mean * CONCENTRATION, (1.0 - mean) * CONCENTRATION).ok())
            .flatten()
    };
    // Distributions are built once; each draw only samples and sums.
    let samplers: Vec<_> = params
        .iter()
        .zip(links)
        .map(|(p, l)| {
            let quantity = l.and_then(|l| match l.denominator {
                Some(n) if n >= 1.0 && l.count <= n => {
                    Binomial::new(n.round() as u64, l.count / n).ok().map(QuantityDraw::Binomial)
                }
                _ => {
                    let (lo, hi) = (l.ci_low?, l.ci_high?);
                    Normal::new(l.count, ((hi - lo) / (2.0 * crate::stats::Z95)).max(0.0))
                        .ok()
                        .map(QuantityDraw::Normal)
                }
            });
            let value = if p.value > 0.0 { LogNormal::new(p.value.ln(), 0.25).ok() } else { None };
            (quantity, value, beta(p.deadweight), beta(p.displacement), beta(p.attribution), beta(p.drop_off))
        })
        .collect();
    let mut ratios = Vec::with_capacity(draws);
    for _ in 0..draws {
        let mut pv = 0.0;
        for (p, (q, v, dw, ds, at, dr)) in params.iter().zip(&samplers) {
            let mut d = *p;
            match q {
                Some(QuantityDraw::Binomial(b)) => d.quantity = b.sample(&mut rng) as f64,
                Some(QuantityDraw::Normal(n)) => d.quantity = n.sample(&mut rng).max(0.0),
                None => {}
            }
            if let Some(v) = v {
                d.value = v.sample(&mut rng);
            }
            if let Some(b) = dw {
                d.deadweight = b.sample(&mut rng);
            }
            if let Some(b) = ds {
                d.displacement = b.sample(&mut rng);
            }
            if let Some(b) = at {
                d.attribution = b.sample(&mut rng);
            }
            if let Some(b) = dr {
                d.drop_off = b.sample(&mut rng);
            }
            pv += d.present_value(df);
        }
        if let Some(r) = ratio(pv, investment) {
            ratios.push(r);
        }
    }
    let mut sorted = ratios.clone();
    sorted.sort_by(f64::total_cmp);
    let above = (!sorted.is_empty())
        .then(|| sorted.iter().filter(|r| **r > 1.0).count() as f64 / sorted.len() as f64);
    MonteCarloSummary {
        draws,
        seed,
        p5: percentile(&sorted, 0.05),
        p50: percentile(&sorted, 0.50),
        p95: percentile(&sorted, 0.95),
        probability_ratio_above_1: above,
        method: MONTE_CARLO_METHOD,
        ratios,
    }
}

/// How a measured quantity is drawn.
enum QuantityDraw {
    Binomial(Binomial),
    Normal(Normal<f64>),
}

/// Linear-interpolation percentile of sorted values (numpy's default).
fn percentile(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let position = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (position.floor() as usize, position.ceil() as usize);
    Some(sorted[lo] + (sorted[hi] - sorted[lo]) * (position - lo as f64))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// social-value.md section 6, T3 (synthetic golden case), end-of-year convention.
    fn t3(attribution_a: &str, drop_off_a: &str) -> String {
        format!(
            r#"
price_year = 2024
discount = 0.035
[[input]]
stakeholder = "Funder"
description = "Grant"
amount = 100000
[[outcome]]
stakeholder = "P"
outcome = "A"
indicator = "i"
quantity = 50
value = 2000
value_price_year = 2024
proxy_source = "synthetic"
duration_years = 3
deadweight = 0.2
displacement = 0.1
attribution = {attribution_a}
drop_off = {drop_off_a}
[[outcome]]
stakeholder = "P"
outcome = "B"
indicator = "i"
quantity = 20
value = 1500
value_price_year = 2024
proxy_source = "synthetic"
duration_years = 1
attribution = 0.5
"#
        )
    }

    fn run(text: &str) -> SocialValue {
        run_with(text, 2000)
    }

    fn run_with(text: &str, draws: usize) -> SocialValue {
        let map = ImpactMap::from_toml_str(text, "t3").unwrap();
        evaluate(&map, &BTreeMap::<String, LinkedQuantity>::new(), draws, 1).unwrap()
    }

    #[test]
    fn golden_case_t3() {
        let sv = run(&t3("0.25", "0.10"));
        assert!((sv.present_value - 151_486.26).abs() < 0.005, "{}", sv.present_value);
        assert!((sv.npv - 51_486.26).abs() < 0.005);
        assert!((sv.sroi_ratio.unwrap() - 1.5149).abs() < 5e-5);
        assert!((sv.net_sroi_ratio.unwrap() - 0.5149).abs() < 5e-5);
        assert!((sv.payback_months.unwrap() - 17.39).abs() < 0.005);
        let years: Vec<f64> = sv.outcomes[0].years.iter().map(|y| y.1).collect();
        assert!(
            (years[0] - 54_000.0).abs() < 1e-9
                && (years[1] - 48_600.0).abs() < 1e-9
                && (years[2] - 43_740.0).abs() < 1e-9
        );
        assert!((sv.outcomes[0].switching_attribution.unwrap() - 0.531872).abs() < 5e-7);
        for (drop_off, expected) in [("0", 1.6578), ("0.25", 1.3187), ("0.5", 1.0405)] {
            assert!(
                (run(&t3("0.25", drop_off)).sroi_ratio.unwrap() - expected).abs() < 5e-5,
                "drop-off {drop_off}"
            );
        }
        for (attribution, expected) in [("0", 1.9715), ("0.5", 1.0582)] {
            assert!((run(&t3(attribution, "0.1")).sroi_ratio.unwrap() - expected).abs() < 5e-5);
        }
    }

    /// T3 with year 1 undiscounted (start_year = 0): the second convention of the vector.
    #[test]
    fn golden_case_t3_year_one_undiscounted() {
        let text = t3("0.25", "0.10")
            .replace("duration_years = 3", "duration_years = 3\nstart_year = 0")
            .replace("duration_years = 1\n", "duration_years = 1\nstart_year = 0\n");
        let sv = run(&text);
        assert!((sv.present_value - 156_788.28).abs() < 0.005, "{}", sv.present_value);
        assert!((sv.sroi_ratio.unwrap() - 1.5679).abs() < 5e-5);
        assert!((sv.net_sroi_ratio.unwrap() - 0.5679).abs() < 5e-5);
    }

    #[test]
    fn stakeholders_and_value_switching() {
        let sv = run(&t3("0.25", "0.10"));
        assert_eq!(sv.by_stakeholder.len(), 1);
        assert!((sv.by_stakeholder[0].present_value - sv.present_value).abs() < 1e-9);
        // At the switching proxy the ratio is exactly 1.
        let v = sv.outcomes[0].switching_value.unwrap();
        let at = run_with(&t3("0.25", "0.10").replace("value = 2000", &format!("value = {v}")), 0);
        assert!((at.sroi_ratio.unwrap() - 1.0).abs() < 1e-9);
    }

    /// T2 (public-value crate doctest), where year 1 is undiscounted: start_year = 0.
    #[test]
    fn vector_t2_with_year_one_undiscounted() {
        let text = r#"
price_year = 2024
discount = 0.035
[[input]]
stakeholder = "F"
description = "g"
amount = 250000
[[outcome]]
stakeholder = "P"
outcome = "o"
indicator = "i"
quantity = 60
value = 8500
value_price_year = 2024
proxy_source = "public-value crate doctest"
duration_years = 2
start_year = 0
deadweight = 0.4
attribution = 0.3
drop_off = 0.3
"#;
        let sv = run(text);
        assert!((sv.present_value - 359_069.57).abs() < 0.005, "{}", sv.present_value);
        assert!((sv.sroi_ratio.unwrap() - 1.4363).abs() < 5e-5);
    }

    #[test]
    fn volunteer_hours_enter_the_investment() {
        let text = t3("0.25", "0.1").replace(
            "amount = 100000\n",
            "amount = 100000\n[[input]]\nstakeholder = \"Volunteers\"\ndescription = \"Time\"\nhours_from = \"tt.volunteer_hours\"\nhourly_value = 11.44\n",
        );
        let map = ImpactMap::from_toml_str(&text, "m").unwrap();
        let mut measured = BTreeMap::new();
        measured.insert(
            "tt.volunteer_hours".to_string(),
            LinkedQuantity { count: 2000.0, denominator: None, ci_low: None, ci_high: None },
        );
        let sv = evaluate(&map, &measured, 0, 1).unwrap();
        assert!((sv.investment - (100_000.0 + 2000.0 * 11.44)).abs() < 1e-9);
        assert_eq!(sv.inputs[1].hours, Some(2000.0));
        let err = evaluate(&map, &BTreeMap::<String, LinkedQuantity>::new(), 0, 1).unwrap_err().to_string();
        assert!(err.starts_with("unknown measured hours 'tt.volunteer_hours'"), "{err}");
        let bad = text.replace("hourly_value = 11.44\n", "");
        let err = ImpactMap::from_toml_str(&bad, "m").unwrap_err().to_string();
        assert!(err.contains("hours_from needs hourly_value"), "{err}");
    }

    #[test]
    fn linked_quantities_and_uprating() {
        let text = t3("0.25", "0.1")
            .replace("quantity = 50", "quantity_from = \"tt.reliable_recovery\"")
            .replace("value = 2000\nvalue_price_year = 2024", "value = 2000\nvalue_price_year = 2019");
        let map = ImpactMap::from_toml_str(&text, "m").unwrap();
        let empty = BTreeMap::<String, LinkedQuantity>::new();
        let err = evaluate(&map, &empty, 0, 1).unwrap_err().to_string();
        assert!(err.starts_with("unknown measured quantity 'tt.reliable_recovery'"), "{err}");
        let mut measured = BTreeMap::new();
        measured.insert(
            "tt.reliable_recovery".to_string(),
            LinkedQuantity { count: 50.0, denominator: Some(100.0), ci_low: Some(40.4), ci_high: Some(59.6) },
        );
        let sv = evaluate(&map, &measured, 0, 1).unwrap();
        assert_eq!(sv.outcomes[0].quantity, 50.0);
        assert!((sv.outcomes[0].value - 2000.0 * 100.0 / 81.1085).abs() < 1e-9);
        assert!(sv.monte_carlo.is_none());
    }

    #[test]
    fn monte_carlo_is_seeded_and_sensible() {
        let a = run(&t3("0.25", "0.1"));
        let b = run(&t3("0.25", "0.1"));
        let (ma, mb) = (a.monte_carlo.unwrap(), b.monte_carlo.unwrap());
        assert_eq!(ma.ratios, mb.ratios);
        let (p5, p50, p95) = (ma.p5.unwrap(), ma.p50.unwrap(), ma.p95.unwrap());
        assert!(p5 < p50 && p50 < p95);
        assert!((p50 - 1.5149).abs() < 0.15, "median {p50} near the point estimate");
        assert!(a.sensitivity.one_way.len() == 7);
    }

    #[test]
    fn no_investment_means_no_ratio() {
        let sv = run(&t3("0.25", "0.1").replace("amount = 100000", "amount = 0"));
        assert_eq!((sv.sroi_ratio, sv.net_sroi_ratio), (None, None));
        assert!(sv.monte_carlo.unwrap().p50.is_none());
    }

    proptest! {
        #[test]
        fn more_deduction_never_raises_value(a in 0.0f64..1.0, b in 0.0f64..1.0) {
            let (lo, hi) = if a < b { (a, b) } else { (b, a) };
            let less = run_with(&t3(&lo.to_string(), "0.1"), 0).present_value;
            let more = run_with(&t3(&hi.to_string(), "0.1"), 0).present_value;
            prop_assert!(more <= less + 1e-9);
        }

        #[test]
        fn scaling_every_amount_leaves_the_ratio(factor in 0.01f64..100.0) {
            let base = run_with(&t3("0.25", "0.1"), 0).sroi_ratio.unwrap();
            // Line by line, so that a scaled value cannot be matched by a later rule.
            let scaled: String = t3("0.25", "0.1")
                .lines()
                .map(|line| match line {
                    "amount = 100000" => format!("amount = {}\n", 100000.0 * factor),
                    "value = 2000" => format!("value = {}\n", 2000.0 * factor),
                    "value = 1500" => format!("value = {}\n", 1500.0 * factor),
                    other => format!("{other}\n"),
                })
                .collect();
            let ratio = run_with(&scaled, 0).sroi_ratio.unwrap();
            prop_assert!((ratio - base).abs() < 1e-9 * base);
        }

        #[test]
        fn value_falls_as_the_rate_rises(r1 in 0.0f64..0.2, r2 in 0.0f64..0.2) {
            let (lo, hi) = if r1 < r2 { (r1, r2) } else { (r2, r1) };
            let at = |r: f64| run_with(&t3("0.25", "0.1").replace("discount = 0.035", &format!("discount = {r}")), 0).present_value;
            prop_assert!(at(hi) <= at(lo) + 1e-9);
        }
    }
}
