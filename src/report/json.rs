//! `results.json`: the figures the outside world reads (DESIGN.md section 7).
//!
//! Numbers are JSON numbers, unrounded. Same inputs and seed give byte-identical output:
//! nothing here depends on time, machine or hash order. Disclosure control is applied to
//! every count and rate before they are written.

use std::io;

use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::evaluation::Evaluation;
use crate::ingest::FileSummary;

/// The `results.json` schema version.
pub const SCHEMA_VERSION: u32 = 1;

/// The JSON Schema of `results.json`, shipped with the crate.
pub const RESULTS_SCHEMA: &str = include_str!("../../docs/results.schema.json");

/// Prints an [`Evaluation`] as `results.json`.
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonPrinter;

#[derive(Serialize)]
struct DataQuality<'a> {
    files: Vec<FileSummary>,
    rejects_by_reason: Vec<(String, usize)>,
    warnings: &'a [String],
}

impl JsonPrinter {
    /// The results as a JSON value.
    pub fn to_value(&self, eval: &Evaluation) -> Value {
        let min = eval.plan.disclosure.enabled.then_some(u64::from(eval.plan.disclosure.min_count));
        let files: Vec<FileSummary> = eval
            .data
            .files()
            .iter()
            .map(|f| FileSummary { file: super::display_path(&f.file, &eval.plan.base_dir), ..f.clone() })
            .collect();
        let quality = DataQuality {
            files,
            rejects_by_reason: eval.data.rejects().reason_counts(),
            warnings: &eval.warnings,
        };
        let mut pilots = to_value(&eval.outcomes.pilots);
        if let Some(min) = min {
            suppress_small(&mut pilots, min);
        }
        let equity: Vec<Value> = eval.equity.iter().flat_map(|e| e.json_rows()).collect();
        json!({
            "schema_version": SCHEMA_VERSION,
            "title": eval.plan.title,
            "crate_version": env!("CARGO_PKG_VERSION"),
            "data_quality": to_value(&quality),
            "disclosure_control": {
                "enabled": eval.plan.disclosure.enabled,
                "min_count": eval.plan.disclosure.min_count,
            },
            "pilots": pilots,
            "equity": equity,
            "social_value": eval.social_value.as_ref().map(to_value).unwrap_or(Value::Null),
        })
    }

    /// The JSON text, pretty-printed with a final newline.
    pub fn to_string(&self, eval: &Evaluation) -> String {
        let mut text =
            serde_json::to_string_pretty(&self.to_value(eval)).unwrap_or_else(|_| "{}".to_string());
        text.push('\n');
        text
    }

    /// Writes the JSON to `writer`.
    pub fn write_to<W: io::Write>(&self, eval: &Evaluation, mut writer: W) -> io::Result<()> {
        writer.write_all(self.to_string(eval).as_bytes())
    }
}

fn to_value<T: Serialize + ?Sized>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// Applies the disclosure rule to every rate object (`{count, denominator, rate, ...}`)
/// and every measure summary in the tree: counts from 1 to min − 1, and rates or
/// statistics whose denominator is under min, become `null` with `"suppressed": true`.
pub(crate) fn suppress_small(value: &mut Value, min: u64) {
    match value {
        Value::Array(items) => items.iter_mut().for_each(|v| suppress_small(v, min)),
        Value::Object(map) => {
            if is_rate(map) {
                suppress_rate(map, min);
                return;
            }
            if map.contains_key("n_paired") && map.contains_key("mean_change") {
                suppress_measure(map, min);
            }
            map.values_mut().for_each(|v| suppress_small(v, min));
        }
        _ => {}
    }
}

fn is_rate(map: &Map<String, Value>) -> bool {
    ["count", "denominator", "rate", "ci_low", "ci_high"].iter().all(|k| map.contains_key(*k))
}

fn small(value: Option<&Value>, min: u64) -> bool {
    value.and_then(Value::as_f64).is_some_and(|v| v > 0.0 && v < min as f64)
}

fn suppress_rate(map: &mut Map<String, Value>, min: u64) {
    let count = map.get("count").and_then(Value::as_f64).unwrap_or(0.0);
    let denominator = map.get("denominator").and_then(Value::as_f64).unwrap_or(0.0);
    // The complement (denominator − count) would reveal a small count too.
    let hidden = small(Some(&json!(count)), min)
        || small(Some(&json!(denominator - count)), min)
        || denominator < min as f64;
    if hidden {
        for key in ["count", "rate", "ci_low", "ci_high"] {
            map.insert(key.to_string(), Value::Null);
        }
        if denominator < min as f64 {
            map.insert("denominator".to_string(), Value::Null);
        }
        map.insert("suppressed".to_string(), Value::Bool(true));
    }
}

fn suppress_measure(map: &mut Map<String, Value>, min: u64) {
    let n = map.get("n_paired").and_then(Value::as_f64).unwrap_or(0.0);
    let mut suppressed = false;
    if n < min as f64 {
        for (key, v) in map.iter_mut() {
            if key != "measure" && key != "higher_is_better" && key != "unpaired" {
                *v = Value::Null;
            }
        }
        suppressed = true;
    } else {
        for key in ["improved", "deteriorated"] {
            let hide = small(map.get(key), min)
                || map.get(key).and_then(Value::as_f64).is_some_and(|c| small(Some(&json!(n - c)), min));
            if hide {
                map.insert(key.to_string(), Value::Null);
                suppressed = true;
            }
        }
        if let Some(Value::Object(cs)) = map.get_mut("clinical_significance") {
            for key in ["recovered", "improved", "unchanged", "deteriorated"] {
                if small(cs.get(key), min) {
                    cs.insert(key.to_string(), Value::Null);
                    suppressed = true;
                }
            }
        }
    }
    if suppressed {
        map.insert("suppressed".to_string(), Value::Bool(true));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_rates_and_their_complements_are_hidden() {
        let mut v = json!([
            {"count": 3, "denominator": 40, "rate": 0.075, "ci_low": 0.02, "ci_high": 0.2},
            {"count": 38, "denominator": 40, "rate": 0.95, "ci_low": 0.8, "ci_high": 0.99},
            {"count": 20, "denominator": 40, "rate": 0.5, "ci_low": 0.35, "ci_high": 0.65},
            {"count": 0, "denominator": 3, "rate": 0.0, "ci_low": 0.0, "ci_high": 0.6}
        ]);
        suppress_small(&mut v, 5);
        assert_eq!(v[0]["count"], Value::Null);
        assert_eq!(v[0]["suppressed"], json!(true));
        assert_eq!(v[1]["count"], Value::Null, "40 - 38 = 2 would reveal a small count");
        assert_eq!(v[2]["count"], json!(20));
        assert!(v[2].get("suppressed").is_none());
        assert_eq!(v[3]["denominator"], Value::Null);
    }

    #[test]
    fn small_measure_summaries_are_hidden() {
        let mut v = json!({"measure": "phq9", "n_paired": 4, "mean_change": -3.0, "improved": 2});
        suppress_small(&mut v, 5);
        assert_eq!(v["mean_change"], Value::Null);
        assert_eq!(v["measure"], json!("phq9"));
        assert_eq!(v["suppressed"], json!(true));
    }
}
