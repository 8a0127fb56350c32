//! `results.json`: the figures the outside world reads (DESIGN.md section 7), printed from
//! the [`Publication`].
//!
//! Numbers are JSON numbers, unrounded. Same inputs and seed give byte-identical output:
//! nothing here depends on time, machine or hash order. A hidden figure is `null`, and
//! the object holding it says why with `"suppressed": "small"` or `"secondary"`.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io;

use serde::Serialize;
use serde_json::{Value, json};

use crate::equity::{MeanCell, PilotEquity, Representation};
use crate::error::{Error, Result};
use crate::ingest::FileSummary;
use crate::publish::{
    Hidden, Method, Publication, Published, PublishedDelivery, PublishedDeliveryOverview, PublishedPilot,
    PublishedQuantity, SECONDARY_MARKER,
};
use crate::stats::{Proportion, RateDifference};
use crate::value::{InputValue, SocialValue};

/// The `results.json` schema version.
pub const SCHEMA_VERSION: u32 = 1;

/// The JSON Schema of `results.json`, shipped with the crate (generated: see
/// [`results_schema`]).
pub const RESULTS_SCHEMA: &str = include_str!("../../docs/results.schema.json");

/// Prints a [`Publication`] as `results.json` (or, for an exact publication,
/// `results-exact.json`).
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonPrinter;

/// `results.json` as typed data: its schema (`docs/results.schema.json`) is derived from
/// these types.
#[derive(Serialize, schemars::JsonSchema)]
#[schemars(title = "coproduction results.json", description = "The published figures of one evaluation.")]
struct Results<'a> {
    schema_version: u32,
    title: &'a str,
    crate_version: &'static str,
    /// Present and true only in `results-exact.json`: no disclosure control applied.
    #[serde(skip_serializing_if = "Option::is_none")]
    exact: Option<bool>,
    /// Present only in `results-exact.json`.
    #[serde(skip_serializing_if = "Option::is_none")]
    warning: Option<&'static str>,
    data_quality: DataQuality<'a>,
    disclosure_control: DisclosureControlJson,
    pilots: &'a [PublishedPilot],
    equity: Vec<EquityRow<'a>>,
    /// How the work was delivered, when the plan names an activities table.
    #[serde(skip_serializing_if = "Option::is_none")]
    delivery: Option<DeliveryJson<'a>>,
    social_value: Option<SocialValueJson<'a>>,
}

/// Per pilot and overall: sessions and attendances by venue type, area, partner and
/// partner type, the community-settings share, leaders trained, hours, volunteer FTE, the
/// hourly values with their sources, partners over time, the cost of delivery and the
/// map of local provision. Sessions, partners, hours and money are never hidden.
#[derive(Serialize, schemars::JsonSchema)]
struct DeliveryJson<'a> {
    pilots: &'a [PublishedDelivery],
    #[serde(flatten)]
    overview: &'a PublishedDeliveryOverview,
}

#[derive(Serialize, schemars::JsonSchema)]
struct DataQuality<'a> {
    /// Rows read, accepted and rejected per file (records, exact so that they add up).
    files: &'a [FileSummary],
    /// Rejected rows by reason.
    rejects_by_reason: &'a [(String, usize)],
    warnings: &'a [String],
}

/// The rule in force, in data and in words.
#[derive(Serialize, schemars::JsonSchema)]
struct DisclosureControlJson {
    enabled: bool,
    min_count: u32,
    /// `"suppress"`, or `{"round_to": 5}`.
    method: Value,
    protect_extremes: bool,
    small_marker: String,
    secondary_marker: &'static str,
    rule: String,
}

/// One group of one breakdown: its rates (`{count, denominator, rate, ci_low, ci_high}`),
/// gaps (`<rate>_gap`), means (`{n, mean, ci_low, ci_high}`) and representation ratio,
/// under their names.
#[derive(Serialize, schemars::JsonSchema)]
struct EquityRow<'a> {
    pilot: &'a str,
    dimension: &'a str,
    group: &'a str,
    participants: Option<usize>,
    /// Why figures of the row are hidden (`null` when none is).
    suppressed: Option<Hidden>,
    #[serde(flatten)]
    figures: BTreeMap<Cow<'a, str>, EquityFigure<'a>>,
}

/// One figure of an equity row. A hidden rate or mean keeps its keys, with the figures
/// that are themselves hidden as `null`.
#[derive(Serialize, schemars::JsonSchema)]
#[serde(untagged)]
enum EquityFigure<'a> {
    Rate(&'a Proportion),
    HiddenRate {
        count: Published<u64>,
        denominator: Published<u64>,
        rate: (),
        ci_low: (),
        ci_high: (),
    },
    Gap(&'a RateDifference),
    Mean(&'a MeanCell),
    HiddenMean {
        n: Published<u64>,
        mean: (),
        ci_low: (),
        ci_high: (),
    },
    Representation(&'a Representation),
    /// Hidden, or undefined for the data.
    Null,
}

/// The `equity[]` rows of one pilot: one per dimension and group, each rate and mean as a
/// key; a hidden value is `null` and the row's `"suppressed"` says why (`"small"` or
/// `"secondary"`; `null` when nothing in the row is hidden). Built as typed rows, not JSON
/// values: a breakdown by area can have tens of thousands of them.
fn equity_rows(equity: &PilotEquity) -> impl Iterator<Item = EquityRow<'_>> {
    equity.breakdowns.iter().flat_map(move |b| {
        b.groups.iter().map(move |g| {
            let mut reasons: Vec<Hidden> = g.participants.hidden().into_iter().collect();
            let mut figures = BTreeMap::new();
            for ((name, cell), (count, denominator)) in g.rates.iter().zip(&g.rate_counts) {
                reasons.extend(cell.hidden());
                let figure = match cell {
                    Published::Shown(p) => EquityFigure::Rate(p),
                    Published::Empty => EquityFigure::Null,
                    _ => EquityFigure::HiddenRate {
                        count: count.clone(),
                        denominator: denominator.clone(),
                        rate: (),
                        ci_low: (),
                        ci_high: (),
                    },
                };
                figures.insert(Cow::Borrowed(name.as_str()), figure);
            }
            for (name, cell) in &g.gaps {
                reasons.extend(cell.hidden());
                let figure = cell.value().map_or(EquityFigure::Null, EquityFigure::Gap);
                figures.insert(Cow::Owned(format!("{name}_gap")), figure);
            }
            for ((name, cell), n) in g.means.iter().zip(&g.mean_counts) {
                reasons.extend(cell.hidden());
                let figure = match cell {
                    Published::Shown(m) => EquityFigure::Mean(m),
                    Published::Empty => EquityFigure::Null,
                    _ => EquityFigure::HiddenMean { n: n.clone(), mean: (), ci_low: (), ci_high: () },
                };
                figures.insert(Cow::Borrowed(name.as_str()), figure);
            }
            if let Some(r) = &g.representation {
                reasons.extend(r.hidden());
                let figure = r.value().map_or(EquityFigure::Null, EquityFigure::Representation);
                figures.insert(Cow::Borrowed("representation_ratio"), figure);
            }
            EquityRow {
                pilot: &equity.pilot,
                dimension: &b.dimension,
                group: &g.group,
                participants: g.participants.value().copied(),
                suppressed: Hidden::strongest(reasons),
                figures,
            }
        })
    })
}

#[derive(Serialize, schemars::JsonSchema)]
#[serde(untagged)]
enum SocialValueJson<'a> {
    Shown {
        #[serde(flatten)]
        figures: &'a SocialValue,
        /// Each outcome's quantity as the report states it ("64 people reliably recovered").
        quantities: &'a [PublishedQuantity],
    },
    Withheld(WithheldSocialValue<'a>),
}

/// The social value block when its figures are withheld: the keys stay, the figures
/// computed from a hidden quantity are `null`.
#[derive(Serialize, schemars::JsonSchema)]
struct WithheldSocialValue<'a> {
    present_value: Option<f64>,
    investment: f64,
    npv: Option<f64>,
    sroi_ratio: Option<f64>,
    net_sroi_ratio: Option<f64>,
    payback_months: Option<f64>,
    inputs: &'a [InputValue],
    outcomes: Vec<()>,
    sensitivity: Option<()>,
    monte_carlo: Option<()>,
    quantities: &'a [PublishedQuantity],
    suppressed: Hidden,
    withheld_because: &'a [String],
}

impl JsonPrinter {
    /// The results as a JSON value.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidData`] if a figure cannot be represented in JSON.
    pub fn to_value(&self, publication: &Publication) -> Result<Value> {
        to_value(&results(publication)?)
    }

    /// The JSON text, pretty-printed with a final newline.
    ///
    /// # Errors
    ///
    /// As [`JsonPrinter::to_value`].
    pub fn to_string(&self, publication: &Publication) -> Result<String> {
        // Printed straight from the typed results, keys in the schema's order.
        let mut text = serde_json::to_string_pretty(&results(publication)?).map_err(json_error)?;
        text.push('\n');
        Ok(text)
    }

    /// Writes the JSON to `writer`.
    ///
    /// # Errors
    ///
    /// As [`JsonPrinter::to_value`], or the writer's error.
    pub fn write_to<W: io::Write>(&self, publication: &Publication, mut writer: W) -> Result<()> {
        writer
            .write_all(self.to_string(publication)?.as_bytes())
            .map_err(|e| Error::io("write", "results.json", e))
    }
}

/// The JSON Schema of `results.json`, derived from the types that print it (the text of
/// `docs/results.schema.json`, which a test keeps equal to this).
///
/// # Panics
///
/// Never in practice: a schema derived from the crate's own types always serializes.
#[allow(
    clippy::expect_used,
    reason = "a schema derived from the crate's own types always serializes; see # Panics"
)]
pub fn results_schema() -> String {
    let schema = schemars::schema_for!(Results);
    let mut text = serde_json::to_string_pretty(&schema).expect("a derived JSON Schema serializes");
    text.push('\n');
    text
}

fn results(publication: &Publication) -> Result<Results<'_>> {
    let rule = &publication.rule;
    let equity = publication.equity.iter().flat_map(equity_rows).collect();
    Ok(Results {
        schema_version: SCHEMA_VERSION,
        title: &publication.plan.title,
        crate_version: env!("CARGO_PKG_VERSION"),
        exact: publication.exact.then_some(true),
        warning: publication.exact.then_some(
            "EXACT FIGURES: no disclosure control is applied. For the analyst's own use: do not publish or share \
             this file.",
        ),
        data_quality: DataQuality {
            files: &publication.files,
            rejects_by_reason: &publication.rejects_by_reason,
            warnings: &publication.warnings,
        },
        disclosure_control: DisclosureControlJson {
            enabled: rule.enabled,
            min_count: rule.min_count,
            method: match rule.method {
                Method::Suppress => json!("suppress"),
                Method::Round { base } => json!({ "round_to": base }),
            },
            protect_extremes: rule.protect_extremes,
            small_marker: rule.small_marker(),
            secondary_marker: SECONDARY_MARKER,
            rule: rule.describe(),
        },
        pilots: &publication.pilots,
        equity,
        delivery: publication
            .delivery_overview
            .as_ref()
            .map(|overview| DeliveryJson { pilots: &publication.delivery, overview }),
        social_value: publication.social_value.as_ref().map(|sv| match &sv.figures {
            Published::Shown(figures) => SocialValueJson::Shown { figures, quantities: &sv.quantities },
            hidden => SocialValueJson::Withheld(WithheldSocialValue {
                present_value: None,
                investment: sv.investment,
                npv: None,
                sroi_ratio: None,
                net_sroi_ratio: None,
                payback_months: None,
                inputs: &sv.inputs,
                outcomes: Vec::new(),
                sensitivity: None,
                monte_carlo: None,
                quantities: &sv.quantities,
                suppressed: hidden.hidden().unwrap_or(Hidden::Small),
                withheld_because: &sv.withheld_because,
            }),
        }),
    })
}

fn to_value<T: Serialize + ?Sized>(value: &T) -> Result<Value> {
    serde_json::to_value(value).map_err(json_error)
}

fn json_error(e: serde_json::Error) -> Error {
    Error::invalid(crate::error::Location::file("results.json"), e.to_string())
}
