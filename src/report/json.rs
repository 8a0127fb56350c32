//! `results.json`: the figures the outside world reads (DESIGN.md section 7), printed from
//! the [`Publication`].
//!
//! Numbers are JSON numbers, unrounded. Same inputs and seed give byte-identical output:
//! nothing here depends on time, machine or hash order. A hidden figure is `null`, and
//! the object holding it says why with `"suppressed": "small"` or `"secondary"`.

use std::io;

use serde::Serialize;
use serde_json::{Value, json};

use crate::error::{Error, Result};
use crate::ingest::FileSummary;
use crate::publish::{Hidden, Publication, Published, PublishedSocialValue};
use crate::value::{InputValue, SocialValue};

/// The `results.json` schema version.
pub const SCHEMA_VERSION: u32 = 1;

/// The JSON Schema of `results.json`, shipped with the crate.
pub const RESULTS_SCHEMA: &str = include_str!("../../docs/results.schema.json");

/// Prints a [`Publication`] as `results.json` (or, for an exact publication,
/// `results-exact.json`).
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonPrinter;

#[derive(Serialize)]
struct DataQuality<'a> {
    files: &'a [FileSummary],
    rejects_by_reason: &'a [(String, usize)],
    warnings: &'a [String],
}

/// The social value block when its figures are withheld: the keys stay, the figures
/// computed from a hidden quantity are `null`.
#[derive(Serialize)]
struct WithheldSocialValue<'a> {
    present_value: Option<f64>,
    investment: f64,
    npv: Option<f64>,
    sroi_ratio: Option<f64>,
    net_sroi_ratio: Option<f64>,
    payback_months: Option<f64>,
    inputs: &'a [InputValue],
    outcomes: [(); 0],
    sensitivity: Option<()>,
    monte_carlo: Option<()>,
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
        let quality = DataQuality {
            files: &publication.files,
            rejects_by_reason: &publication.rejects_by_reason,
            warnings: &publication.warnings,
        };
        let equity: Vec<Value> = publication.equity.iter().flat_map(|e| e.json_rows()).collect();
        let rule = &publication.rule;
        let mut value = json!({
            "schema_version": SCHEMA_VERSION,
            "title": publication.plan.title,
            "crate_version": env!("CARGO_PKG_VERSION"),
            "data_quality": to_value(&quality)?,
            "disclosure_control": {
                "enabled": rule.enabled,
                "min_count": rule.min_count,
                "method": match rule.method {
                    crate::publish::Method::Suppress => json!("suppress"),
                    crate::publish::Method::Round { base } => json!({"round_to": base}),
                },
                "protect_extremes": rule.protect_extremes,
                "small_marker": rule.small_marker(),
                "secondary_marker": crate::publish::SECONDARY_MARKER,
                "rule": rule.describe(),
            },
            "pilots": to_value(&publication.pilots)?,
            "equity": equity,
            "social_value": match &publication.social_value {
                Some(sv) => social_value(sv)?,
                None => Value::Null,
            },
        });
        if publication.exact {
            if let Value::Object(map) = &mut value {
                map.insert("exact".to_string(), json!(true));
                map.insert(
                    "warning".to_string(),
                    json!(
                        "EXACT FIGURES: no disclosure control is applied. For the analyst's own use: do not publish or \
                         share this file."
                    ),
                );
            }
        }
        Ok(value)
    }

    /// The JSON text, pretty-printed with a final newline.
    ///
    /// # Errors
    ///
    /// As [`JsonPrinter::to_value`].
    pub fn to_string(&self, publication: &Publication) -> Result<String> {
        let mut text = serde_json::to_string_pretty(&self.to_value(publication)?).map_err(json_error)?;
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

fn social_value(sv: &PublishedSocialValue) -> Result<Value> {
    match &sv.figures {
        Published::Shown(figures) => {
            let mut value = to_value::<SocialValue>(figures)?;
            // The quantity as the report states it, beside each outcome.
            if let Some(Value::Array(outcomes)) = value.get_mut("outcomes") {
                for (o, q) in outcomes.iter_mut().zip(&sv.quantities) {
                    if let Value::Object(map) = o {
                        map.insert("quantity_text".to_string(), json!(q.text));
                    }
                }
            }
            Ok(value)
        }
        hidden => to_value(&WithheldSocialValue {
            present_value: None,
            investment: sv.investment,
            npv: None,
            sroi_ratio: None,
            net_sroi_ratio: None,
            payback_months: None,
            inputs: &sv.inputs,
            outcomes: [],
            sensitivity: None,
            monte_carlo: None,
            suppressed: hidden.hidden().unwrap_or(Hidden::Small),
            withheld_because: &sv.withheld_because,
        }),
    }
}

fn to_value<T: Serialize + ?Sized>(value: &T) -> Result<Value> {
    serde_json::to_value(value).map_err(json_error)
}

fn json_error(e: serde_json::Error) -> Error {
    Error::invalid(crate::error::Location::file("results.json"), e.to_string())
}
