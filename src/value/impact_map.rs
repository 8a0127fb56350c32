//! The impact map: who put in what, which outcomes for whom, how many, valued how, with
//! which deductions (DESIGN.md section 5).

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::metric::Metric;

use super::fraction::Deduction;
use super::schedules::Discounting;

/// How the map discounts: a schedule name or a flat rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum DiscountSpec {
    /// A flat annual rate, e.g. 0.035.
    Rate(f64),
    /// A bundled schedule: `green_book`, `green_book_health`, `green_book_reduced`.
    Schedule(String),
}

impl DiscountSpec {
    /// The schedule or flat rate it names.
    ///
    /// # Errors
    ///
    /// [`Error::Unknown`] if the named schedule does not exist, or [`Error::InvalidParameter`]
    /// for a rate outside 0 to 1.
    pub fn discounting(&self) -> Result<Discounting> {
        match self {
            DiscountSpec::Rate(rate) => Discounting::flat(*rate),
            DiscountSpec::Schedule(name) => Discounting::schedule(name),
        }
    }
}

impl Default for DiscountSpec {
    fn default() -> Self {
        DiscountSpec::Schedule("green_book".to_string())
    }
}

/// Something put in: money, in-kind support, volunteer time valued in pounds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Input {
    /// Who put it in.
    pub stakeholder: String,
    /// What it was.
    pub description: String,
    /// Pounds, in the map's price year; or leave it out and give
    pub amount: Option<f64>,
    /// measured hours (`<pilot>.volunteer_hours`, from the activities table)
    pub hours_from: Option<String>,
    /// valued at this wage proxy, £ an hour in the map's price year,
    pub hourly_value: Option<f64>,
    /// with its source.
    pub hourly_value_source: Option<String>,
    /// Year index (0 = now, undiscounted).
    #[serde(default)]
    pub year: u32,
}

/// A row of the map's own value table (`[[value]]`): a financial proxy that outcomes can
/// name with `value_from`, e.g. from a licensed value bank the user holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ValueRow {
    /// The name outcomes use.
    pub name: String,
    /// £ per unit per year.
    pub value: f64,
    /// Its price year.
    pub price_year: i32,
    /// Where it comes from.
    pub source: String,
    /// Its licence or terms of use.
    #[serde(default)]
    pub licence: Option<String>,
    /// The low end of its published range, if it has one.
    #[serde(default)]
    pub value_low: Option<f64>,
    /// The high end.
    #[serde(default)]
    pub value_high: Option<f64>,
}

/// An outcome row as written: the proxy either inline or named from the value table.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct OutcomeRow {
    stakeholder: String,
    outcome: String,
    indicator: String,
    quantity: Option<f64>,
    quantity_from: Option<String>,
    value: Option<f64>,
    value_price_year: Option<i32>,
    proxy_source: Option<String>,
    value_from: Option<String>,
    value_low: Option<f64>,
    value_high: Option<f64>,
    #[serde(default)]
    licence: Option<String>,
    discount: Option<DiscountSpec>,
    assumption_source: Option<String>,
    duration_years: u32,
    #[serde(default = "one")]
    start_year: u32,
    deadweight: Option<Deduction>,
    attribution: Option<Deduction>,
    displacement: Option<Deduction>,
    drop_off: Option<Deduction>,
    #[serde(default)]
    negative: bool,
}

/// One outcome of the map, with its proxy resolved.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Outcome {
    /// Who experiences it.
    pub stakeholder: String,
    /// The change.
    pub outcome: String,
    /// How it is measured.
    pub indicator: String,
    /// A fixed quantity, or
    pub quantity: Option<f64>,
    /// a measured one: `<pilot>.<metric>`, e.g. `tt.reliable_recovery`.
    pub quantity_from: Option<String>,
    /// Financial proxy, £ per unit per year, in `value_price_year` prices.
    pub value: f64,
    /// Price year of the proxy.
    pub value_price_year: i32,
    /// Where the proxy comes from.
    pub proxy_source: String,
    /// The value-table row the proxy came from, if any.
    pub value_from: Option<String>,
    /// The proxy's licence or terms of use, if any.
    pub licence: Option<String>,
    /// The low end of the proxy's range (same price year), drawn within in the Monte
    /// Carlo and used in the one-way sensitivity.
    pub value_low: Option<f64>,
    /// The high end of the proxy's range.
    pub value_high: Option<f64>,
    /// This outcome's discounting, overriding the map's (e.g. `green_book_health` for
    /// QALY and WELLBY outcomes).
    pub discount: Option<DiscountSpec>,
    /// Where the deductions come from: outcomes naming the same source have their
    /// deductions drawn together in the Monte Carlo.
    pub assumption_source: Option<String>,
    /// Years the outcome lasts.
    pub duration_years: u32,
    /// First year index (default 1: end-of-year convention; 0 = counted undiscounted).
    pub start_year: u32,
    /// Share that would have happened anyway.
    pub deadweight: Option<Deduction>,
    /// Share due to others.
    pub attribution: Option<Deduction>,
    /// Share that displaced outcomes elsewhere.
    pub displacement: Option<Deduction>,
    /// Share lost each year after the first.
    pub drop_off: Option<Deduction>,
    /// A negative outcome (a harm), subtracted from the value.
    pub negative: bool,
}

fn one() -> u32 {
    1
}

/// A parsed and checked impact map.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct ImpactMap {
    /// Prices are stated in this year.
    pub price_year: i32,
    /// Discounting.
    pub discount: DiscountSpec,
    /// Inputs.
    pub inputs: Vec<Input>,
    /// Outcomes.
    pub outcomes: Vec<Outcome>,
    /// The map's value table.
    pub values: Vec<ValueRow>,
    /// The file or label it came from.
    pub source: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MapFile {
    price_year: i32,
    #[serde(default)]
    discount: DiscountSpec,
    #[serde(default, rename = "input")]
    inputs: Vec<Input>,
    #[serde(default, rename = "outcome")]
    outcomes: Vec<OutcomeRow>,
    #[serde(default, rename = "value")]
    values: Vec<ValueRow>,
}

pub use crate::metric::LINKABLE_METRICS;

/// Impact maps larger than this are not maps.
const MAX_MAP_BYTES: u64 = 8 * 1024 * 1024;

/// The largest figure (in £, hours or a count) a report prints and charts: £1,000
/// trillion, far beyond any real programme and well inside what charts can draw.
pub const MAX_FIGURE: f64 = 1e15;

impl ImpactMap {
    /// Reads a map from a TOML file, or a CSV file (by its `.csv` extension).
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if the file cannot be read, otherwise as [`ImpactMap::from_toml_str`] or
    /// [`ImpactMap::from_csv_str`].
    pub fn from_file(path: &Path) -> Result<ImpactMap> {
        let label = path.display().to_string();
        let size = std::fs::metadata(path).map_err(|e| Error::io("read", path, e))?.len();
        if path.is_dir() || size > MAX_MAP_BYTES {
            return Err(Error::Toml {
                file: label,
                reason: "not an impact map file (a folder, or over 8 MiB)".to_string(),
            });
        }
        let text = std::fs::read_to_string(path).map_err(|e| Error::io("read", path, e))?;
        if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv")) {
            ImpactMap::from_csv_str(&text, &label)
        } else {
            ImpactMap::from_toml_str(&text, &label)
        }
    }

    /// Parses a TOML map.
    ///
    /// ```
    /// use coproduction::value::ImpactMap;
    /// let map = ImpactMap::from_toml_str(r#"
    /// price_year = 2024
    /// [[input]]
    /// stakeholder = "Funder"
    /// description = "Grant"
    /// amount = 100000
    /// [[outcome]]
    /// stakeholder = "Participants"
    /// outcome = "Recovery"
    /// indicator = "NHS Talking Therapies reliable recovery"
    /// quantity_from = "tt.reliable_recovery"
    /// value = 2000
    /// value_price_year = 2024
    /// proxy_source = "illustrative"
    /// duration_years = 2
    /// deadweight = "20%"
    /// attribution = 0.25
    /// "#, "map.toml").unwrap();
    /// assert_eq!(map.outcomes[0].deadweight.unwrap().get(), 0.2);
    /// let typo = ImpactMap::from_toml_str("price_year = 2024\nprice_yaer = 2025\n", "map.toml");
    /// assert!(typo.unwrap_err().to_string().contains("price_yaer"));
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Toml`], naming the outcome or input and key, if the map is not valid.
    pub fn from_toml_str(text: &str, label: &str) -> Result<ImpactMap> {
        let file: MapFile = toml::from_str(text).map_err(|e| Error::Toml {
            file: label.to_string(),
            reason: crate::plain_toml::reason(text, &e, "impact map"),
        })?;
        ImpactMap::checked(file, label)
    }

    /// Builds a map from an already parsed table (the keys inline under a plan's
    /// `[social_value]`).
    ///
    /// # Errors
    ///
    /// As [`ImpactMap::from_toml_str`].
    pub fn from_toml_table(table: toml::Table, label: &str) -> Result<ImpactMap> {
        let file: MapFile = table
            .try_into()
            .map_err(|e: toml::de::Error| Error::Toml { file: label.to_string(), reason: e.to_string() })?;
        ImpactMap::checked(file, label)
    }

    /// Parses a CSV map: one row per input or outcome, with a `kind` column (`settings`,
    /// `input`, `outcome`) and the TOML keys as the other columns. The `settings` row holds
    /// `price_year` and `discount`; empty cells are absent keys.
    ///
    /// # Errors
    ///
    /// [`Error::Toml`] or [`Error::InvalidData`] (with the row) if a row is not valid.
    pub fn from_csv_str(text: &str, label: &str) -> Result<ImpactMap> {
        let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(text.as_bytes());
        let bad = |row: u64, reason: String| Error::Toml {
            file: label.to_string(),
            reason: format!("row {row}: {reason}"),
        };
        let headers: Vec<String> = reader
            .headers()
            .map_err(|e| bad(0, e.to_string()))?
            .iter()
            .map(|h| h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase())
            .collect();
        if !headers.iter().any(|h| h == "kind") {
            return Err(Error::MissingColumn {
                file: label.to_string(),
                column: "kind".to_string(),
                found: headers.join(", "),
            });
        }
        let mut root = toml::Table::new();
        let (mut inputs, mut outcomes) = (Vec::new(), Vec::new());
        for (i, record) in reader.records().enumerate() {
            let row = i as u64 + 1;
            let record = record.map_err(|e| bad(row, e.to_string()))?;
            let mut table = toml::Table::new();
            let mut kind = String::new();
            for (header, cell) in headers.iter().zip(record.iter()) {
                let cell = cell.trim();
                if cell.is_empty() {
                    continue;
                }
                if header == "kind" {
                    kind = cell.to_ascii_lowercase();
                    continue;
                }
                table.insert(header.clone(), csv_value(header, cell));
            }
            match kind.as_str() {
                "settings" => root.extend(table),
                "input" => inputs.push(toml::Value::Table(table)),
                "outcome" => outcomes.push(toml::Value::Table(table)),
                other => {
                    return Err(bad(row, format!("kind '{other}' is not one of settings, input, outcome")));
                }
            }
        }
        root.insert("input".to_string(), toml::Value::Array(inputs));
        root.insert("outcome".to_string(), toml::Value::Array(outcomes));
        ImpactMap::from_toml_table(root, label)
    }

    fn checked(file: MapFile, label: &str) -> Result<ImpactMap> {
        let bad = |reason: String| Error::Toml { file: label.to_string(), reason };
        if let DiscountSpec::Schedule(name) = &file.discount {
            Discounting::schedule(name)?;
        }
        if let DiscountSpec::Rate(rate) = file.discount {
            Discounting::flat(rate)?;
        }
        // Every figure a report prints and charts must be finite and readable; a proxy of
        // 1e308 is a typing slip, refused here by the key that holds it.
        let limit = |which: &str, key: &str, v: Option<f64>| match v {
            Some(v) if !v.is_finite() || v.abs() > MAX_FIGURE => Err(bad(format!(
                "{which}: {key} = {v:e} is beyond {MAX_FIGURE:e}, the largest figure a report can show"
            ))),
            _ => Ok(()),
        };
        let long = |which: &str, key: &str, text: &str| {
            let n = text.chars().count();
            if n > crate::ingest::MAX_TEXT_CHARS {
                return Err(bad(format!(
                    "{which}: {key} is {n} characters long; names may have at most {}",
                    crate::ingest::MAX_TEXT_CHARS
                )));
            }
            Ok(())
        };
        for (i, input) in file.inputs.iter().enumerate() {
            let short: String = input.description.chars().take(60).collect();
            let which = format!("input {} ('{short}')", i + 1);
            long(&which, "description", &input.description)?;
            long(&which, "stakeholder", &input.stakeholder)?;
            limit(&which, "amount", input.amount)?;
            limit(&which, "hourly_value", input.hourly_value)?;
            match (input.amount, &input.hours_from, input.hourly_value) {
                (Some(a), None, None) if a.is_finite() && a >= 0.0 => {}
                (Some(_), None, None) => {
                    return Err(bad(format!("{which}: amount must be a non-negative number")));
                }
                (None, Some(_), Some(w)) if w.is_finite() && w >= 0.0 => {}
                (None, Some(_), _) => {
                    return Err(bad(format!(
                        "{which}: hours_from needs hourly_value, a wage proxy in £ an hour"
                    )));
                }
                _ => return Err(bad(format!("{which}: give amount, or hours_from with hourly_value"))),
            }
        }
        let mut outcomes = Vec::with_capacity(file.outcomes.len());
        for (i, o) in file.outcomes.into_iter().enumerate() {
            let short: String = o.outcome.chars().take(60).collect();
            let which = format!("outcome {} ('{short}')", i + 1);
            long(&which, "outcome", &o.outcome)?;
            long(&which, "stakeholder", &o.stakeholder)?;
            long(&which, "indicator", &o.indicator)?;
            limit(&which, "value", o.value)?;
            limit(&which, "quantity", o.quantity)?;
            let (value, value_price_year, proxy_source, licence, value_low, value_high) =
                match (&o.value_from, o.value, o.value_price_year, &o.proxy_source) {
                    (Some(name), None, None, None) => {
                        let row = file.values.iter().find(|v| &v.name == name).ok_or_else(|| {
                            bad(format!("{which}: value_from '{name}' is not in the map's [[value]] table"))
                        })?;
                        (
                            row.value,
                            row.price_year,
                            row.source.clone(),
                            row.licence.clone().or(o.licence.clone()),
                            row.value_low.or(o.value_low),
                            row.value_high.or(o.value_high),
                        )
                    }
                    (None, Some(v), Some(year), Some(source)) => {
                        (v, year, source.clone(), o.licence.clone(), o.value_low, o.value_high)
                    }
                    (Some(_), _, _, _) => {
                        return Err(bad(format!(
                            "{which}: with value_from, leave out value, value_price_year and proxy_source"
                        )));
                    }
                    _ => {
                        return Err(bad(format!(
                            "{which}: give value, value_price_year and proxy_source, or value_from"
                        )));
                    }
                };
            match (&o.quantity, &o.quantity_from) {
                (Some(_), Some(_)) => {
                    return Err(bad(format!("{which}: give quantity or quantity_from, not both")));
                }
                (None, None) => return Err(bad(format!("{which}: give quantity or quantity_from"))),
                (Some(q), None) if !q.is_finite() || *q < 0.0 => {
                    return Err(bad(format!("{which}: quantity must be a non-negative number")));
                }
                (None, Some(link)) if crate::metric::parse_link(link).is_none() => {
                    return Err(bad(format!(
                        "{which}: quantity_from '{link}' must be <pilot>.<metric>, metric one of {LINKABLE_METRICS}"
                    )));
                }
                _ => {}
            }
            if !value.is_finite() || value < 0.0 {
                return Err(bad(format!(
                    "{which}: value must be a non-negative number (use negative = true for a harm)"
                )));
            }
            match (value_low, value_high) {
                (None, None) => {}
                (Some(lo), Some(hi))
                    if lo.is_finite() && hi.is_finite() && 0.0 <= lo && lo <= value && value <= hi => {}
                (Some(_), Some(_)) => {
                    return Err(bad(format!(
                        "{which}: value_low and value_high must bracket the value (0 <= low <= value <= high)"
                    )));
                }
                _ => return Err(bad(format!("{which}: give both value_low and value_high, or neither"))),
            }
            match &o.discount {
                Some(DiscountSpec::Schedule(name)) => {
                    Discounting::schedule(name)?;
                }
                Some(DiscountSpec::Rate(rate)) => {
                    Discounting::flat(*rate)?;
                }
                None => {}
            }
            if o.duration_years == 0 || o.duration_years > 100 {
                return Err(bad(format!("{which}: duration_years must be from 1 to 100")));
            }
            limit(&which, "value", Some(value))?;
            let total = value * o.quantity.unwrap_or(0.0) * f64::from(o.duration_years);
            limit(&which, "value × quantity × duration_years", Some(total))?;
            if o.start_year > 100 {
                return Err(bad(format!("{which}: start_year must be at most 100")));
            }
            outcomes.push(Outcome {
                stakeholder: o.stakeholder,
                outcome: o.outcome,
                indicator: o.indicator,
                quantity: o.quantity,
                quantity_from: o.quantity_from,
                value,
                value_price_year,
                proxy_source,
                value_from: o.value_from,
                licence,
                value_low,
                value_high,
                discount: o.discount,
                assumption_source: o.assumption_source,
                duration_years: o.duration_years,
                start_year: o.start_year,
                deadweight: o.deadweight,
                attribution: o.attribution,
                displacement: o.displacement,
                drop_off: o.drop_off,
                negative: o.negative,
            });
        }
        for v in &file.values {
            if !v.value.is_finite() || v.value < 0.0 {
                return Err(bad(format!("value '{}': value must be a non-negative number", v.name)));
            }
        }
        Ok(ImpactMap {
            price_year: file.price_year,
            discount: file.discount,
            inputs: file.inputs,
            outcomes,
            values: file.values,
            source: label.to_string(),
        })
    }

    /// The discounting this map asks for.
    ///
    /// # Errors
    ///
    /// As [`Discounting`]'s constructors: an unknown schedule or a rate outside 0 to 1.
    pub fn discounting(&self) -> Result<Discounting> {
        self.discount.discounting()
    }

    /// The discounting of one outcome: its own, else the map's.
    ///
    /// # Errors
    ///
    /// As [`ImpactMap::discounting`].
    pub fn discounting_for(&self, outcome: &Outcome) -> Result<Discounting> {
        outcome.discount.as_ref().unwrap_or(&self.discount).discounting()
    }

    /// Checks the `quantity_from` links against the plan and its data: the pilot exists,
    /// and the pilot has the measure, the programme or the readings the metric needs.
    /// `has_measure(pilot, measure)` says whether the pilot has assessments on a measure;
    /// `programme(pilot)` gives a pilot's programme (`None`: no such pilot).
    pub fn link_warnings(
        &self,
        programme: &dyn Fn(&str) -> Option<crate::outcomes::Programme>,
        has_measure: &dyn Fn(&str, &str) -> bool,
    ) -> Vec<String> {
        use crate::outcomes::Programme;
        let mut out = Vec::new();
        for o in &self.outcomes {
            let Some(link) = &o.quantity_from else { continue };
            let Some((pilot, metric)) = crate::metric::parse_link(link) else { continue };
            let name = &o.outcome;
            let Some(kind) = programme(pilot) else {
                out.push(format!(
                    "'{name}': quantity_from '{link}' names pilot '{pilot}', which the plan does not have."
                ));
                continue;
            };
            let needs = match &metric {
                Metric::Measure { measure, .. } => Some(measure.as_str()),
                Metric::BpControlled | Metric::BpNewlyControlled => Some("sbp"),
                m if m.is_talking_therapies() && kind != Programme::PsychologicalTherapies => {
                    out.push(format!(
                        "'{name}': quantity_from '{link}' is a Talking Therapies metric, but pilot '{pilot}' runs {}.",
                        kind.as_str()
                    ));
                    None
                }
                _ => None,
            };
            if let Some(measure) = needs {
                if !has_measure(pilot, measure) {
                    out.push(format!(
                        "'{name}': quantity_from '{link}' needs '{measure}' assessments, and pilot '{pilot}' has none in the data."
                    ));
                }
            }
        }
        out
    }

    /// Checks against the principles of social value (don't over-claim, be transparent):
    /// findings to report, not errors.
    pub fn principle_warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.inputs.is_empty() {
            out.push("No inputs: the SROI ratio is undefined without the investment.".to_string());
        }
        for o in &self.outcomes {
            let name = &o.outcome;
            if o.attribution.is_none_or(|a| a.get() == 0.0) {
                out.push(format!("'{name}': attribution is not set; others' contribution is not deducted (over-claiming risk)."));
            }
            if o.deadweight.is_none() {
                out.push(format!(
                    "'{name}': deadweight is not set; what would have happened anyway is not deducted."
                ));
            }
            if o.duration_years > 5 && o.drop_off.is_none_or(|d| d.get() == 0.0) {
                out.push(format!("'{name}': lasts {} years with no drop-off.", o.duration_years));
            }
            let metric = o.quantity_from.as_deref().and_then(crate::metric::parse_link).map(|(_, m)| m);
            if let Some((metric, why)) = metric.as_ref().and_then(|m| Some((m, m.counts_a_state()?))) {
                // Named as the metric's last part: "n_paired", not "swemwbs.n_paired".
                let name_of = metric.to_string();
                let m = name_of.rsplit('.').next().unwrap_or(&name_of);
                out.push(format!(
                    "'{name}': its quantity ({m}) {why}: people already at the outcome before the programme are claimed (over-claiming)."
                ));
            }
            if o.proxy_source.trim().is_empty() {
                out.push(format!("'{name}': the financial proxy has no source."));
            }
        }
        let mut years: Vec<i32> = self.outcomes.iter().map(|o| o.value_price_year).collect();
        years.sort_unstable();
        years.dedup();
        if years.len() > 1 {
            out.push(format!(
                "Proxies come from several price years ({}); each is uprated to {} with the GDP deflator.",
                years.iter().map(|y| y.to_string()).collect::<Vec<_>>().join(", "),
                self.price_year
            ));
        }
        for (i, o) in self.outcomes.iter().enumerate() {
            let Some(link) = &o.quantity_from else { continue };
            if self.outcomes[..i]
                .iter()
                .any(|p| p.quantity_from.as_ref() == Some(link) && p.stakeholder == o.stakeholder)
            {
                out.push(format!(
                    "'{}': the same people ({link}, {}) are valued twice.",
                    o.outcome, o.stakeholder
                ));
            }
        }
        out
    }
}

/// CSV cells become TOML values: numbers where the column is numeric, text otherwise
/// (so "20%" stays a percentage and 0.2 a share).
fn csv_value(header: &str, cell: &str) -> toml::Value {
    let integer_columns = ["price_year", "year", "value_price_year", "duration_years", "start_year"];
    if integer_columns.contains(&header) {
        if let Ok(v) = cell.parse::<i64>() {
            return toml::Value::Integer(v);
        }
    }
    if header == "negative" {
        if let Ok(v) = cell.to_ascii_lowercase().parse::<bool>() {
            return toml::Value::Boolean(v);
        }
    }
    let text_columns = [
        "stakeholder",
        "description",
        "outcome",
        "indicator",
        "quantity_from",
        "proxy_source",
        "licence",
        "value_from",
        "hours_from",
        "hourly_value_source",
        "assumption_source",
    ];
    if !text_columns.contains(&header) {
        if let Ok(v) = cell.parse::<f64>() {
            return toml::Value::Float(v);
        }
    }
    toml::Value::String(cell.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAP: &str = r#"
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
attribution = 0.25
drop_off = 0.1
"#;

    #[test]
    fn csv_and_toml_give_the_same_map() {
        let toml_map = ImpactMap::from_toml_str(MAP, "m").unwrap();
        let csv = "kind,price_year,discount,stakeholder,description,amount,outcome,indicator,quantity,value,value_price_year,proxy_source,duration_years,deadweight,displacement,attribution,drop_off\n\
                   settings,2024,0.035,,,,,,,,,,,,,,\n\
                   input,,,Funder,Grant,100000,,,,,,,,,,,\n\
                   outcome,,,P,,,A,i,50,2000,2024,synthetic,3,20%,0.1,25%,0.1\n";
        let csv_map = ImpactMap::from_csv_str(csv, "m").unwrap();
        assert_eq!(csv_map.outcomes, toml_map.outcomes);
        assert_eq!(csv_map.inputs, toml_map.inputs);
        assert_eq!(csv_map.discount, toml_map.discount);
    }

    #[test]
    fn mistakes_are_named() {
        let err = ImpactMap::from_toml_str(&MAP.replace("deadweight = 0.2", "deadweight = 20"), "m")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("20 is ambiguous: write 0.20 or \"20%\"") && err.contains("deadweight"),
            "{err}"
        );
        let err = ImpactMap::from_toml_str(
            &MAP.replace("quantity = 50", "quantity = 50\nquantity_from = \"tt.recovery\""),
            "m",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("not both"), "{err}");
        let err =
            ImpactMap::from_toml_str(&MAP.replace("quantity = 50", "quantity_from = \"recovery\""), "m")
                .unwrap_err()
                .to_string();
        assert!(err.contains("must be <pilot>.<metric>"), "{err}");
        let err = ImpactMap::from_toml_str(&MAP.replace("discount = 0.035", "discount = \"treasury\""), "m")
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown discount schedule 'treasury'"), "{err}");
        let err = ImpactMap::from_toml_str(&MAP.replace("duration_years = 3", "duration_years = 0"), "m")
            .unwrap_err()
            .to_string();
        assert!(err.contains("duration_years must be from 1 to 100"), "{err}");
    }

    #[test]
    fn proxies_from_the_value_table() {
        let text = MAP.replace(
            "value = 2000\nvalue_price_year = 2024\nproxy_source = \"synthetic\"\n",
            "value_from = \"bank\"\n",
        ) + "[[value]]\nname = \"bank\"\nvalue = 1234\nprice_year = 2023\nsource = \"my value bank\"\nlicence = \"member licence\"\n";
        let map = ImpactMap::from_toml_str(&text, "m").unwrap();
        let o = &map.outcomes[0];
        assert_eq!((o.value, o.value_price_year, o.proxy_source.as_str()), (1234.0, 2023, "my value bank"));
        assert_eq!(o.licence.as_deref(), Some("member licence"));
        let err =
            ImpactMap::from_toml_str(&text.replace("value_from = \"bank\"", "value_from = \"other\""), "m")
                .unwrap_err()
                .to_string();
        assert!(err.contains("value_from 'other' is not in the map's [[value]] table"), "{err}");
    }

    #[test]
    fn principle_checks() {
        let map = ImpactMap::from_toml_str(
            &MAP.replace("attribution = 0.25\n", "")
                .replace("duration_years = 3", "duration_years = 8")
                .replace("drop_off = 0.1\n", ""),
            "m",
        )
        .unwrap();
        let w = map.principle_warnings();
        assert!(w.iter().any(|w| w.contains("attribution is not set")));
        assert!(w.iter().any(|w| w.contains("lasts 8 years with no drop-off")));
        // A quantity that counts people already at the outcome before the programme.
        let map = ImpactMap::from_toml_str(
            &MAP.replace("quantity = 50", "quantity_from = \"cv.bp_controlled\""),
            "m",
        )
        .unwrap();
        let w = map.principle_warnings();
        assert!(
            w.iter().any(|w| w.contains("(bp_controlled)") && w.contains("already controlled at the first")),
            "{w:?}"
        );
        let map = ImpactMap::from_toml_str(
            &MAP.replace("quantity = 50", "quantity_from = \"cv.bp_newly_controlled\""),
            "m",
        )
        .unwrap();
        assert!(!map.principle_warnings().iter().any(|w| w.contains("already")));
        let map = ImpactMap::from_toml_str(
            &MAP.replace("quantity = 50", "quantity_from = \"wb.swemwbs.n_paired\""),
            "m",
        )
        .unwrap();
        assert!(
            map.principle_warnings().iter().any(|w| w.contains("(n_paired) counts everyone measured twice"))
        );
    }

    #[test]
    fn per_outcome_discount_ranges_and_sources() {
        let map = ImpactMap::from_toml_str(
            &MAP.replace("value = 2000\n", "value = 2000\nvalue_low = 1500\nvalue_high = 2500\ndiscount = \"green_book_health\"\nassumption_source = \"panel\"\n"),
            "m",
        )
        .unwrap();
        let o = &map.outcomes[0];
        assert_eq!((o.value_low, o.value_high), (Some(1500.0), Some(2500.0)));
        assert_eq!(map.discounting_for(o).unwrap().name, "green_book_health");
        assert_eq!(map.discounting().unwrap().name, "flat");
        assert_eq!(o.assumption_source.as_deref(), Some("panel"));
        let err = ImpactMap::from_toml_str(
            &MAP.replace("value = 2000\n", "value = 2000\nvalue_low = 2100\nvalue_high = 2500\n"),
            "m",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("must bracket the value"), "{err}");
        let err =
            ImpactMap::from_toml_str(&MAP.replace("value = 2000\n", "value = 2000\nvalue_low = 1000\n"), "m")
                .unwrap_err()
                .to_string();
        assert!(err.contains("both value_low and value_high"), "{err}");
        let err = ImpactMap::from_toml_str(
            &MAP.replace("value = 2000\n", "value = 2000\ndiscount = \"health\"\n"),
            "m",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("unknown discount schedule 'health'"), "{err}");
        let err = ImpactMap::from_toml_str(
            &MAP.replace("quantity = 50", "quantity_from = \"wb.swemwbs.total\""),
            "m",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("must be <pilot>.<metric>"), "{err}");
        // Delivery figures from the activities table stay linkable.
        assert!(
            ImpactMap::from_toml_str(
                &MAP.replace("quantity = 50", "quantity_from = \"tt.leaders_trained\""),
                "m"
            )
            .is_ok()
        );
    }

    #[test]
    fn links_are_checked_against_the_plan_and_data() {
        use crate::outcomes::Programme;
        let text = MAP.replace("quantity = 50", "quantity_from = \"wb.ons_life_satisfaction.total_change\"")
            + "[[outcome]]\nstakeholder = \"P\"\noutcome = \"B\"\nindicator = \"i\"\nquantity_from = \"cv.recovery\"\nvalue = 1\nvalue_price_year = 2024\nproxy_source = \"s\"\nduration_years = 1\n"
            + "[[outcome]]\nstakeholder = \"P\"\noutcome = \"C\"\nindicator = \"i\"\nquantity_from = \"zz.participants\"\nvalue = 1\nvalue_price_year = 2024\nproxy_source = \"s\"\nduration_years = 1\n"
            + "[[outcome]]\nstakeholder = \"P\"\noutcome = \"D\"\nindicator = \"i\"\nquantity_from = \"cv.bp_newly_controlled\"\nvalue = 1\nvalue_price_year = 2024\nproxy_source = \"s\"\nduration_years = 1\n";
        let map = ImpactMap::from_toml_str(&text, "m").unwrap();
        let programme = |id: &str| match id {
            "wb" => Some(Programme::Wellbeing),
            "cv" => Some(Programme::Cardiovascular),
            _ => None,
        };
        let has = |pilot: &str, measure: &str| pilot == "cv" && measure == "sbp";
        let w = map.link_warnings(&programme, &has);
        assert_eq!(w.len(), 3, "{w:?}");
        assert!(w[0].contains("needs 'ons_life_satisfaction' assessments, and pilot 'wb' has none"));
        assert!(w[1].contains("is a Talking Therapies metric, but pilot 'cv' runs cardiovascular"));
        assert!(w[2].contains("names pilot 'zz', which the plan does not have"));
    }
}
