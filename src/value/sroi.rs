//! SROI figures (DESIGN.md section 6), sensitivity, switching values and Monte Carlo.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha12Rng;
use rand_distr::{Binomial, Distribution, LogNormal, Normal, Triangular};
use serde::{Deserialize, Serialize};
use statrs::function::beta::inv_beta_reg;

use crate::error::{Error, Result};
use crate::metric::Metric;

use super::impact_map::{ImpactMap, LINKABLE_METRICS};
use super::schedules::{Discounting, GdpDeflator};

pub use crate::metric::{LinkedQuantity, MeasuredQuantities};

/// One outcome's valuation.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[non_exhaustive]
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
    /// The discounting applied to this outcome (its own, or the map's).
    pub discount: String,
    /// The schedule's name (`green_book`, `green_book_health`, `green_book_reduced`, `flat`).
    pub discount_schedule: String,
    /// The proxy's range in map prices (uprated), when it has one.
    pub value_range: Option<(f64, f64)>,
    /// Where the deductions come from (outcomes sharing one are drawn together).
    pub assumption_source: Option<String>,
}

/// Cost per unit of outcome: the whole investment over the outcome's attributable units.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct CostPerOutcome {
    /// The outcome.
    pub outcome: String,
    /// The unit (`QALY`, `WELLBY`, `recovery`, `person newly controlled`, ...).
    pub unit: String,
    /// Attributable units: the quantity after deadweight, displacement and attribution;
    /// for per-year units (QALY, WELLBY) summed over the duration with drop-off and
    /// discounted on the outcome's schedule.
    pub units: f64,
    /// Investment / units.
    pub cost_per_unit: Option<f64>,
    /// The cost per unit at the quantity's upper 95% limit (the lower cost).
    pub ci_low: Option<f64>,
    /// The cost per unit at the quantity's lower 95% limit; `None` when that limit is zero
    /// or below (no upper bound).
    pub ci_high: Option<f64>,
    /// For QALYs: how the cost per QALY compares with NICE's threshold range.
    pub versus_nice: Option<String>,
}

/// NICE's cost-effectiveness threshold range in force (from `data/nice_thresholds.toml`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct NiceThreshold {
    /// £ per QALY, lower end.
    pub low: f64,
    /// £ per QALY, upper end.
    pub high: f64,
    /// In force from (ISO date).
    pub from: String,
    /// What it applies to.
    pub applies_to: String,
    /// Where it comes from.
    pub source: String,
    /// How well that is sourced.
    pub confidence: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NiceFile {
    threshold: Vec<NiceThreshold>,
}

impl NiceThreshold {
    /// The latest bundled range (the one in force).
    ///
    /// # Errors
    ///
    /// [`Error::Toml`] if the embedded thresholds do not load (ruled out by the tests).
    pub fn current() -> Result<NiceThreshold> {
        let file: NiceFile = toml::from_str(include_str!("data/nice_thresholds.toml"))
            .map_err(|e| Error::Toml { file: "nice_thresholds.toml".to_string(), reason: e.to_string() })?;
        file.threshold.into_iter().max_by(|a, b| a.from.cmp(&b.from)).ok_or_else(|| Error::Toml {
            file: "nice_thresholds.toml".to_string(),
            reason: "no threshold rows".to_string(),
        })
    }

    fn compare(&self, cost: f64) -> String {
        let verdict = if cost < self.low {
            "below"
        } else if cost <= self.high {
            "within"
        } else {
            "above"
        };
        format!(
            "{verdict} NICE's range of £{:.0} to £{:.0} per QALY ({}, from {})",
            self.low, self.high, self.applies_to, self.from
        )
    }
}

/// One input, resolved.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[non_exhaustive]
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
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct StakeholderValue {
    /// The stakeholder.
    pub stakeholder: String,
    /// Sum of their outcomes' present values.
    pub present_value: f64,
    /// Their share of the total present value.
    pub share: Option<f64>,
}

/// One row of the one-way sensitivity.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct SensitivityRow {
    /// The assumption varied and how.
    pub parameter: String,
    /// The SROI ratio at the low setting.
    pub low_ratio: Option<f64>,
    /// The SROI ratio at the high setting.
    pub high_ratio: Option<f64>,
}

/// One-way sensitivity, largest swing first (a tornado).
#[derive(Debug, Clone, PartialEq, Default, Serialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct Sensitivity {
    /// Rows, largest swing first.
    pub one_way: Vec<SensitivityRow>,
}

/// The Monte Carlo summary of the SROI ratio.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct MonteCarloSummary {
    /// Draws.
    pub draws: usize,
    /// Seed. The draws come from ChaCha12 seeded with it (`rand_chacha`, a portable
    /// generator with a fixed output), so the same seed and inputs give the same figures
    /// on every machine and every version of the crate.
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
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[non_exhaustive]
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
    /// Forecast years of the deflator that the uprating used (empty: outturn only).
    pub deflator_forecast_years: Vec<i32>,
    /// Cost per outcome unit, for outcomes with a natural unit.
    pub cost_effectiveness: Vec<CostPerOutcome>,
    /// The NICE threshold range costs per QALY are set against.
    pub nice_threshold: Option<NiceThreshold>,
    /// Principle checks.
    pub warnings: Vec<String>,
}

/// The numbers of one outcome that the calculations vary.
#[derive(Debug, Clone, Copy)]
struct Params {
    quantity: f64,
    value: f64,
    /// The proxy's range, map prices.
    value_range: Option<(f64, f64)>,
    /// Index of the outcome's discount schedule.
    schedule: usize,
    /// Index of the outcome's assumption group (shared `assumption_source`).
    group: usize,
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

    fn present_value(&self, dfs: &[Vec<f64>]) -> f64 {
        self.discounted(dfs, self.first_year())
    }

    /// A first-year amount carried over the duration with drop-off and discounted.
    fn discounted(&self, dfs: &[Vec<f64>], first: f64) -> f64 {
        let df = &dfs[self.schedule];
        let mut amount = first;
        let mut pv = 0.0;
        for t in self.start..self.start + self.duration {
            pv += amount * df.get(t as usize).copied().unwrap_or(0.0);
            amount *= 1.0 - self.drop_off;
        }
        pv
    }

    /// The share of the quantity kept after deadweight, displacement and attribution.
    fn kept(&self) -> f64 {
        (1.0 - self.deadweight) * (1.0 - self.displacement) * (1.0 - self.attribution)
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
///
/// # Errors
///
/// As [`evaluate_with`], with the built-in GDP deflator.
pub fn evaluate(
    map: &ImpactMap,
    measured: &dyn MeasuredQuantities,
    draws: usize,
    seed: u64,
) -> Result<SocialValue> {
    evaluate_with(map, measured, &GdpDeflator::builtin()?, draws, seed)
}

/// [`evaluate`] with a given deflator series (the plan's `deflator = "deflator.toml"`).
///
/// # Errors
///
/// [`Error::Unknown`] if a `quantity_from` or `hours_from` link has no figure,
/// [`Error::InvalidParameter`] if a price year is outside the deflator, or [`Error::Toml`] if a
/// figure is beyond what a report can show.
pub fn evaluate_with(
    map: &ImpactMap,
    measured: &dyn MeasuredQuantities,
    deflator: &GdpDeflator,
    draws: usize,
    seed: u64,
) -> Result<SocialValue> {
    let discounting = map.discounting()?;
    let max_year = map
        .outcomes
        .iter()
        .map(|o| o.start_year + o.duration_years)
        .chain(map.inputs.iter().map(|i| i.year + 1))
        .max()
        .unwrap_or(1);
    // Schedule 0 is the map's (inputs and outcomes without their own); outcomes naming
    // another add theirs.
    let mut schedules = vec![discounting.clone()];
    let mut schedule_of = Vec::with_capacity(map.outcomes.len());
    for o in &map.outcomes {
        let d = map.discounting_for(o)?;
        let index = match schedules.iter().position(|s| *s == d) {
            Some(i) => i,
            None => {
                schedules.push(d);
                schedules.len() - 1
            }
        };
        schedule_of.push(index);
    }
    let dfs: Vec<Vec<f64>> = schedules.iter().map(|s| s.factors(max_year)).collect();
    let df = &dfs[0];
    let mut inputs = Vec::with_capacity(map.inputs.len());
    for i in &map.inputs {
        let (amount, hours) = match (&i.hours_from, i.amount) {
            (Some(link), _) => {
                let hours = crate::metric::parse_link(link)
                    .and_then(|(pilot, metric)| measured.quantity(pilot, &metric))
                    .ok_or_else(|| Error::Unknown {
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
    let mut groups: Vec<&str> = Vec::new();
    let mut years_used = Vec::new();
    for (index, o) in map.outcomes.iter().enumerate() {
        let link = match &o.quantity_from {
            Some(link) => {
                let parsed = crate::metric::parse_link(link);
                let found = parsed.as_ref().and_then(|(pilot, metric)| measured.quantity(pilot, metric));
                Some(found.ok_or_else(|| {
                    // A metric of the list that has no figure is not unknown: the pilot has
                    // no data for it (or is not a pilot of the plan).
                    let listed = parsed.is_some();
                    let (pilot, metric) = link.split_once('.').unwrap_or((link.as_str(), ""));
                    let hint = if listed {
                        format!(
                            " (outcome '{}'): '{metric}' is a known metric, but pilot '{pilot}' has no figure for it: check that '{pilot}' is a pilot of the plan with accepted participants and paired assessments",
                            o.outcome
                        )
                    } else {
                        format!(" (outcome '{}'): name a pilot of the plan and one of {LINKABLE_METRICS}", o.outcome)
                    };
                    Error::Unknown { kind: "measured quantity", name: link.clone(), hint }
                })?)
            }
            None => None,
        };
        let factor = deflator.factor(o.value_price_year, map.price_year)?;
        if o.value_price_year != map.price_year {
            years_used.extend([o.value_price_year, map.price_year]);
        }
        // Outcomes naming the same assumption source share one group; others are alone.
        let group = match &o.assumption_source {
            Some(source) => match groups.iter().position(|g| *g == source.as_str()) {
                Some(g) => g,
                None => {
                    groups.push(source.as_str());
                    groups.len() - 1
                }
            },
            None => {
                groups.push("");
                groups.len() - 1
            }
        };
        let get = |d: Option<super::Deduction>| d.map_or(0.0, |d| d.get());
        params.push(Params {
            quantity: link.map_or(o.quantity.unwrap_or(0.0), |l| l.count),
            value: o.value * factor,
            value_range: o.value_low.zip(o.value_high).map(|(lo, hi)| (lo * factor, hi * factor)),
            schedule: schedule_of[index],
            group,
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
    let total_pv = |ps: &[Params]| ps.iter().map(|p| p.present_value(&dfs)).sum::<f64>();
    let present_value = total_pv(&params);
    let first_year: f64 = params.iter().map(Params::first_year).sum();

    let outcomes = map
        .outcomes
        .iter()
        .zip(&params)
        .map(|(o, p)| {
            let df = &dfs[p.schedule];
            let mut impact = p.first_year();
            let mut years = Vec::new();
            for t in p.start..p.start + p.duration {
                years.push((t, impact, impact * df[t as usize]));
                impact *= 1.0 - p.drop_off;
            }
            // The PV is linear in (1 − attribution): solve PV_rest + PV_0 (1 − a) = I.
            let pv = p.present_value(&dfs);
            let pv_zero = Params { attribution: 0.0, ..*p }.present_value(&dfs);
            let switching_attribution = (investment > 0.0 && pv_zero != 0.0)
                .then(|| 1.0 - (investment - (present_value - pv)) / pv_zero)
                .filter(|a| (0.0..=1.0).contains(a));
            // The PV is linear in the proxy as well.
            let switching_value = (investment > 0.0 && pv != 0.0)
                .then(|| p.value * (investment - (present_value - pv)) / pv)
                .filter(|v| *v >= 0.0);
            let schedule = &schedules[p.schedule];
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
                discount: format!("{} — {}", schedule.label, schedule.source),
                discount_schedule: schedule.name.clone(),
                value_range: p.value_range,
                assumption_source: o.assumption_source.clone(),
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

    let nice = NiceThreshold::current()?;
    let cost_effectiveness = cost_per_outcome(map, &params, &links, &dfs, investment, &nice);
    let nice_threshold = cost_effectiveness.iter().any(|c| c.unit == "QALY").then_some(nice);
    let deflator_forecast_years = deflator.forecast_years_in(&years_used);
    let mut warnings = map.principle_warnings();
    if !deflator_forecast_years.is_empty() {
        warnings.push(format!(
            "Uprating uses forecast deflator years ({}) of {}: the figures will move when outturn replaces them.",
            deflator_forecast_years.iter().map(|y| y.to_string()).collect::<Vec<_>>().join(", "),
            deflator.vintage
        ));
    }
    let sensitivity = one_way(&params, &links, &schedules, &inputs, max_year);
    let monte_carlo =
        (draws > 0).then(|| monte_carlo(&params, &links, &dfs, groups.len(), investment, draws, seed));
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
        deflator_forecast_years,
        cost_effectiveness,
        nice_threshold,
        warnings,
    })
}

/// Cost per unit for outcomes with a natural unit (see [`CostPerOutcome`]); the interval
/// comes from the quantity's 95% interval.
fn cost_per_outcome(
    map: &ImpactMap,
    params: &[Params],
    links: &[Option<LinkedQuantity>],
    dfs: &[Vec<f64>],
    investment: f64,
    nice: &NiceThreshold,
) -> Vec<CostPerOutcome> {
    let mut out = Vec::new();
    for ((o, p), link) in map.outcomes.iter().zip(params).zip(links) {
        if o.negative {
            continue;
        }
        let metric = o.quantity_from.as_deref().and_then(crate::metric::parse_link).map(|(_, m)| m);
        let Some((unit, per_year)) = metric.as_ref().and_then(Metric::unit) else { continue };
        let units = |q: f64| if per_year { p.discounted(dfs, q * p.kept()) } else { q * p.kept() };
        let cost = |q: f64| {
            let u = units(q);
            (u > 0.0 && investment > 0.0).then(|| investment / u)
        };
        let cost_per_unit = cost(p.quantity);
        out.push(CostPerOutcome {
            outcome: o.outcome.clone(),
            versus_nice: cost_per_unit.filter(|_| unit == "QALY").map(|c| nice.compare(c)),
            unit,
            units: units(p.quantity),
            cost_per_unit,
            ci_low: link.and_then(|l| l.ci_high).and_then(cost),
            ci_high: link.and_then(|l| l.ci_low).and_then(cost),
        });
    }
    out
}

/// One assumption at a time, the same change applied to every outcome: deductions halved
/// and raised by half (within [0, 1]), proxies at the low and high ends of their published
/// ranges (±25% where none is given), discount rates halved and raised by half, durations
/// ±1 year, measured quantities at their 95% limits (fixed ones ±25%).
fn one_way(
    params: &[Params],
    links: &[Option<LinkedQuantity>],
    schedules: &[Discounting],
    inputs: &[InputValue],
    max_year: u32,
) -> Sensitivity {
    let dfs: Vec<Vec<f64>> = schedules.iter().map(|s| s.factors(max_year + 1)).collect();
    let investment_at =
        |dfs: &[Vec<f64>]| inputs.iter().map(|i| i.amount * dfs[0][i.year as usize]).sum::<f64>();
    let investment = investment_at(&dfs);
    let run_with =
        |dfs: &[Vec<f64>], investment: f64, change: &dyn Fn(&mut Params, Option<&LinkedQuantity>)| {
            let varied: f64 = params
                .iter()
                .zip(links)
                .map(|(p, l)| {
                    let mut p = *p;
                    change(&mut p, l.as_ref());
                    p.present_value(dfs)
                })
                .sum();
            ratio(varied, investment)
        };
    let run = |change: &dyn Fn(&mut Params, Option<&LinkedQuantity>)| run_with(&dfs, investment, change);
    let rates = |by: f64| {
        let dfs: Vec<Vec<f64>> = schedules.iter().map(|s| s.scaled(by).factors(max_year + 1)).collect();
        run_with(&dfs, investment_at(&dfs), &|_, _| {})
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
            parameter: "Financial proxies at their ranges (±25% where none)".to_string(),
            low_ratio: run(&|p, _| p.value = p.value_range.map_or(p.value * 0.75, |r| r.0)),
            high_ratio: run(&|p, _| p.value = p.value_range.map_or(p.value * 1.25, |r| r.1)),
        },
        SensitivityRow {
            parameter: "Discount rates ×1.5 / ×0.5".to_string(),
            low_ratio: rates(1.5),
            high_ratio: rates(0.5),
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
and concentration 20 (values of 0 or 1 held fixed), by one uniform quantile per draw for each assumption source \
and kind of deduction, so outcomes naming the same assumption_source move together; proxies with a published \
range from a triangular distribution over it (mode the stated value), others from a lognormal with the stated \
value as median and log-SD 0.25; measured counts from a binomial with their denominator and observed rate, \
measured changes from a normal on their 95% interval (truncated at 0 only when the interval lies above 0); fixed \
quantities, durations and discount rates held. Percentiles by linear interpolation.";

fn monte_carlo(
    params: &[Params],
    links: &[Option<LinkedQuantity>],
    dfs: &[Vec<f64>],
    groups: usize,
    investment: f64,
    draws: usize,
    seed: u64,
) -> MonteCarloSummary {
    const CONCENTRATION: f64 = 20.0;
    // ChaCha12 by name (not rand's `StdRng`, whose algorithm may change between rand
    // versions): a seed gives the same draws on every version of the crate.
    let mut rng = ChaCha12Rng::seed_from_u64(seed);
    // Beta shapes of a deduction; None holds it fixed.
    let beta = |mean: f64| {
        (mean > 0.0 && mean < 1.0).then_some((mean * CONCENTRATION, (1.0 - mean) * CONCENTRATION))
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
                        .map(|n| QuantityDraw::Normal(n, lo >= 0.0))
                }
            });
            let value = match p.value_range {
                Some((lo, hi)) if lo < hi => Triangular::new(lo, hi, p.value).ok().map(ValueDraw::Range),
                // A range of one value holds the proxy fixed.
                Some(_) => None,
                _ if p.value > 0.0 => LogNormal::new(p.value.ln(), 0.25).ok().map(ValueDraw::LogNormal),
                _ => None,
            };
            (
                quantity,
                value,
                [beta(p.deadweight), beta(p.displacement), beta(p.attribution), beta(p.drop_off)],
            )
        })
        .collect();
    let mut ratios = Vec::with_capacity(draws);
    let mut quantiles = vec![[0.0f64; 4]; groups];
    for _ in 0..draws {
        // One quantile per assumption group and kind of deduction, shared by its outcomes.
        for q in quantiles.iter_mut() {
            for u in q.iter_mut() {
                *u = rng.random::<f64>();
            }
        }
        let mut pv = 0.0;
        for (p, (q, v, shapes)) in params.iter().zip(&samplers) {
            let mut d = *p;
            match q {
                Some(QuantityDraw::Binomial(b)) => d.quantity = b.sample(&mut rng) as f64,
                Some(QuantityDraw::Normal(n, floor)) => {
                    let x = n.sample(&mut rng);
                    d.quantity = if *floor { x.max(0.0) } else { x };
                }
                None => {}
            }
            match v {
                Some(ValueDraw::Range(t)) => d.value = t.sample(&mut rng),
                Some(ValueDraw::LogNormal(l)) => d.value = l.sample(&mut rng),
                None => {}
            }
            let u = quantiles[p.group];
            let draw = |k: usize, fixed: f64| shapes[k].map_or(fixed, |(a, b)| inv_beta_reg(a, b, u[k]));
            d.deadweight = draw(0, p.deadweight);
            d.displacement = draw(1, p.displacement);
            d.attribution = draw(2, p.attribution);
            d.drop_off = draw(3, p.drop_off);
            pv += d.present_value(dfs);
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

/// How a proxy is drawn.
enum ValueDraw {
    Range(Triangular<f64>),
    LogNormal(LogNormal<f64>),
}

/// How a measured quantity is drawn.
enum QuantityDraw {
    Binomial(Binomial),
    /// The normal, and whether draws are floored at 0 (the interval lies above 0).
    Normal(Normal<f64>, bool),
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
    use std::collections::BTreeMap;

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
        assert!(err.contains("'reliable_recovery' is a known metric, but pilot 'tt' has no figure"), "{err}");
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
        assert!(a.sensitivity.one_way.len() == 8);
    }

    #[test]
    fn a_seed_gives_pinned_figures() {
        // The figures of seed 1 on this map: a change here is a change of the generator
        // or of the sampling, which the changelog must state.
        let mc = run(&t3("0.25", "0.1")).monte_carlo.unwrap();
        assert_eq!(mc.seed, 1);
        assert_eq!(mc.ratios[..3], [1.274114039651695, 1.7874357854316028, 1.3360280666339817]);
        assert_eq!(
            (mc.p5, mc.p50, mc.p95),
            (Some(0.9279682412409173), Some(1.517174742699969), Some(2.4210047800182917))
        );
    }

    #[test]
    fn no_investment_means_no_ratio() {
        let sv = run(&t3("0.25", "0.1").replace("amount = 100000", "amount = 0"));
        assert_eq!((sv.sroi_ratio, sv.net_sroi_ratio), (None, None));
        assert!(sv.monte_carlo.unwrap().p50.is_none());
    }

    /// A map mixing a measured WELLBY change on the health schedule, people newly brought
    /// under blood pressure control, and a proxy in 2014 prices (a 2014 Social Value Bank
    /// value, social-value.md section 3.1), priced in `price_year`.
    fn mixed_map(price_year: i32) -> String {
        format!(
            r#"
price_year = {price_year}
discount = "green_book"
[[input]]
stakeholder = "Funder"
description = "Grant"
amount = 50000
[[outcome]]
stakeholder = "Participants"
outcome = "Higher life satisfaction"
indicator = "ONS life satisfaction, total change"
quantity_from = "wb.ons_life_satisfaction.total_change"
value = 13000
value_low = 10000
value_high = 16000
value_price_year = 2019
proxy_source = "HM Treasury WELLBY"
discount = "green_book_health"
duration_years = 2
deadweight = 0.2
attribution = 0.25
drop_off = 0.5
[[outcome]]
stakeholder = "Residents"
outcome = "Blood pressure brought under control"
indicator = "newly controlled"
quantity_from = "cv.bp_newly_controlled"
value = 700
value_price_year = 2020
proxy_source = "0.01 QALY x £70,000"
duration_years = 1
attribution = 0.4
[[outcome]]
stakeholder = "Residents"
outcome = "Reduced antisocial behaviour"
indicator = "i"
quantity = 10
value = 6403
value_price_year = 2014
proxy_source = "2014 value bank (chg.org.uk)"
duration_years = 1
deadweight = 0.1
"#
        )
    }

    fn mixed_measures() -> BTreeMap<String, LinkedQuantity> {
        let mut m = BTreeMap::new();
        m.insert(
            "wb.ons_life_satisfaction.total_change".to_string(),
            LinkedQuantity { count: 40.0, denominator: None, ci_low: Some(20.0), ci_high: Some(60.0) },
        );
        m.insert(
            "cv.bp_newly_controlled".to_string(),
            LinkedQuantity { count: 30.0, denominator: Some(120.0), ci_low: Some(21.0), ci_high: Some(40.0) },
        );
        m
    }

    /// Hand-computed present values, with D = the deflator index (bundled: 2014 74.6524,
    /// 2019 81.1085, 2020 85.2137, 2024 100):
    /// - WELLBYs, health schedule (1.5%): W = 13,000 × D(to)/81.1085; year 1 = 40 × W × 0.8
    ///   × 0.75 = 24 W, year 2 = 12 W; PV = 24 W / 1.015 + 12 W / 1.015².
    /// - Newly controlled, map schedule (3.5%): 30 × 700 × D(to)/85.2137 × 0.6 / 1.035.
    /// - 2014 proxy: 10 × 6,403 × D(to)/74.6524 × 0.9 / 1.035.
    ///
    /// In 2024 prices: 565,677.327716 + 14,286.333117 + 74,583.350126 = 654,547.010959.
    /// In 2025 prices, with a user's series whose 2025 index is 102 (a synthetic forecast
    /// row for the test, not an HMT figure): 576,990.874270 + 14,572.059780 + 76,075.017129
    /// = 667,637.951179.
    #[test]
    fn mixed_map_by_hand_in_2024_and_2025() {
        let measured = mixed_measures();
        let map = ImpactMap::from_toml_str(&mixed_map(2024), "m").unwrap();
        let sv = evaluate(&map, &measured, 0, 1).unwrap();
        let pv: Vec<f64> = sv.outcomes.iter().map(|o| o.present_value).collect();
        assert!((pv[0] - 565_677.327715998).abs() < 1e-6, "{pv:?}");
        assert!((pv[1] - 14_286.333117184515).abs() < 1e-6, "{pv:?}");
        assert!((pv[2] - 74_583.35012613823).abs() < 1e-6, "{pv:?}");
        assert!((sv.present_value - 654_547.0109593207).abs() < 1e-6);
        assert_eq!(sv.outcomes[0].discount_schedule, "green_book_health");
        assert_eq!(sv.outcomes[1].discount_schedule, "green_book");
        assert!(sv.deflator_forecast_years.is_empty());

        // 2025 is not in the bundled series: a clear error naming the plan key.
        let map = ImpactMap::from_toml_str(&mixed_map(2025), "m").unwrap();
        let err = evaluate(&map, &measured, 0, 1).unwrap_err().to_string();
        assert!(
            err.contains("unknown price year '2025'") && err.contains("deflator = \"deflator.toml\""),
            "{err}"
        );
        let series = include_str!("data/gdp_deflator.toml").replace(
            "{ year = 2024, value = 100.0 },",
            "{ year = 2024, value = 100.0 },\n  { year = 2025, value = 102.0, forecast = true },",
        );
        let deflator = GdpDeflator::from_toml_str(&series, "deflator.toml").unwrap();
        let sv = evaluate_with(&map, &measured, &deflator, 0, 1).unwrap();
        let pv: Vec<f64> = sv.outcomes.iter().map(|o| o.present_value).collect();
        assert!((pv[0] - 576_990.874270318).abs() < 1e-6, "{pv:?}");
        assert!((pv[1] - 14_572.059779528206).abs() < 1e-6, "{pv:?}");
        assert!((pv[2] - 76_075.017128661).abs() < 1e-6, "{pv:?}");
        assert!((sv.present_value - 667_637.9511785072).abs() < 1e-6);
        assert_eq!(sv.deflator_forecast_years, vec![2025]);
        assert!(
            sv.warnings.iter().any(|w| w.contains("forecast deflator years (2025)")),
            "{:?}",
            sv.warnings
        );

        // Proxies already in 2025 prices need no series at all.
        let same_year = mixed_map(2025)
            .replace("value_price_year = 2019", "value_price_year = 2025")
            .replace("value_price_year = 2020", "value_price_year = 2025")
            .replace("value_price_year = 2014", "value_price_year = 2025");
        let map = ImpactMap::from_toml_str(&same_year, "m").unwrap();
        let sv = evaluate(&map, &measured, 0, 1).unwrap();
        assert!((sv.outcomes[2].value - 6403.0).abs() < 1e-12);
    }

    /// Cost per unit: the investment over the attributable units. WELLBYs (per year):
    /// 24 / 1.015 + 12 / 1.015² = 35.3934..., so £50,000 / 35.3934 = £1,412.69; people
    /// newly controlled: 30 × 0.6 = 18, so £2,777.78, interval £50,000 / (40 × 0.6) to
    /// £50,000 / (21 × 0.6).
    #[test]
    fn cost_per_outcome_and_nice() {
        let map = ImpactMap::from_toml_str(&mixed_map(2024), "m").unwrap();
        let sv = evaluate(&map, &mixed_measures(), 0, 1).unwrap();
        assert_eq!(sv.cost_effectiveness.len(), 2, "the fixed proxy has no natural unit");
        let w = &sv.cost_effectiveness[0];
        assert_eq!(w.unit, "WELLBY");
        let units = 24.0 / 1.015 + 12.0 / 1.015f64.powi(2);
        assert!((w.cost_per_unit.unwrap() - 50_000.0 / units).abs() < 1e-9);
        assert!((w.ci_low.unwrap() - 50_000.0 / (units * 1.5)).abs() < 1e-9);
        assert!((w.ci_high.unwrap() - 50_000.0 / (units * 0.5)).abs() < 1e-9);
        let b = &sv.cost_effectiveness[1];
        assert_eq!(b.unit, "person newly controlled");
        assert!((b.cost_per_unit.unwrap() - 50_000.0 / 18.0).abs() < 1e-9);
        assert!((b.ci_low.unwrap() - 50_000.0 / 24.0).abs() < 1e-9);
        assert!((b.ci_high.unwrap() - 50_000.0 / 12.6).abs() < 1e-9);
        assert!(sv.nice_threshold.is_none(), "no QALY outcome");

        // A QALY outcome is set against NICE's current range (£25,000 to £35,000 from April 2026).
        let qaly = mixed_map(2024).replace("ons_life_satisfaction", "eq5d3l");
        let mut measured = mixed_measures();
        let q = measured.remove("wb.ons_life_satisfaction.total_change").unwrap();
        measured.insert("wb.eq5d3l.total_change".to_string(), LinkedQuantity { count: 2.0, ..q });
        let map = ImpactMap::from_toml_str(&qaly, "m").unwrap();
        let sv = evaluate(&map, &measured, 0, 1).unwrap();
        let c = &sv.cost_effectiveness[0];
        assert_eq!(c.unit, "QALY");
        // 2 QALYs a year: units = (1.2 / 1.015 + 0.6 / 1.015²); cost ≈ £28,311 a QALY.
        let cost = 50_000.0 / (1.2 / 1.015 + 0.6 / 1.015f64.powi(2));
        assert!((c.cost_per_unit.unwrap() - cost).abs() < 1e-6);
        assert!(
            c.versus_nice.as_deref().unwrap().starts_with("within NICE's range of £25000 to £35000"),
            "{:?}",
            c.versus_nice
        );
        assert_eq!(sv.nice_threshold.as_ref().unwrap().from, "2026-04-01");
    }

    /// Outcomes naming one assumption source draw their deductions together: with proxies
    /// and quantities fixed, two identical outcomes sharing a source vary twice as much
    /// (variance of a sum of perfectly correlated terms) as two independent ones.
    #[test]
    fn shared_assumption_sources_move_together() {
        let two = |source_b: &str| {
            format!(
                "price_year = 2024\ndiscount = 0.035\n[[input]]\nstakeholder = \"F\"\ndescription = \"g\"\namount = 1000\n\
                 [[outcome]]\nstakeholder = \"P\"\noutcome = \"A\"\nindicator = \"i\"\nquantity = 10\nvalue = 100\nvalue_low = 100\nvalue_high = 100\n\
                 value_price_year = 2024\nproxy_source = \"s\"\nduration_years = 1\nattribution = 0.3\nassumption_source = \"panel\"\n\
                 [[outcome]]\nstakeholder = \"P\"\noutcome = \"B\"\nindicator = \"i\"\nquantity = 10\nvalue = 100\nvalue_low = 100\nvalue_high = 100\n\
                 value_price_year = 2024\nproxy_source = \"s\"\nduration_years = 1\nattribution = 0.3\nassumption_source = \"{source_b}\"\n"
            )
        };
        let variance = |text: &str| {
            let r = run_with(text, 4000).monte_carlo.unwrap().ratios;
            let m = r.iter().sum::<f64>() / r.len() as f64;
            r.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (r.len() - 1) as f64
        };
        let (shared, apart) = (variance(&two("panel")), variance(&two("other")));
        assert!((shared / apart - 2.0).abs() < 0.25, "shared {shared} apart {apart}");
    }

    /// The discount rate is varied in the one-way sensitivity: higher rates, lower ratio.
    #[test]
    fn discount_rates_in_the_sensitivity() {
        let sv = run(&t3("0.25", "0.1"));
        let row = sv.sensitivity.one_way.iter().find(|r| r.parameter.starts_with("Discount rates")).unwrap();
        let (low, high) = (row.low_ratio.unwrap(), row.high_ratio.unwrap());
        assert!(low < sv.sroi_ratio.unwrap() && sv.sroi_ratio.unwrap() < high, "{low} {high}");
        // ×1.5 on a flat 3.5% is 5.25%: outcome A and B recomputed by hand.
        let r = 1.0525f64;
        let pv = 54_000.0 / r + 48_600.0 / r.powi(2) + 43_740.0 / r.powi(3) + 15_000.0 / r;
        assert!((low - pv / 100_000.0).abs() < 1e-12);
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
