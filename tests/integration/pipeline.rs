//! The whole pipeline on the demo and on hostile text: contract keys, determinism,
//! escaping, and agreement with the peer scripts.

use coproduction::{
    HtmlPrinter, JsonPrinter, MarkdownPrinter, Plan, ReportOptions, build_document, write_report,
};
use serde_json::Value;

use crate::{root, temp_dir};

fn demo() -> coproduction::Evaluation {
    Plan::load(&root().join("fixtures/demo/plan.toml")).unwrap().run().unwrap()
}

#[test]
fn results_json_has_the_contract_keys() {
    let eval = demo();
    let json: Value =
        serde_json::from_str(&JsonPrinter.to_string(&eval.publish().unwrap()).unwrap()).unwrap();
    assert_eq!(json["schema_version"], 1);
    for f in json["data_quality"]["files"].as_array().unwrap() {
        for key in ["file", "rows_read", "rows_accepted", "rows_rejected"] {
            assert!(f.get(key).is_some(), "{key}");
        }
    }
    let pilots = json["pilots"].as_array().unwrap();
    assert_eq!(pilots.len(), 4);
    for p in pilots {
        for key in ["id", "name", "programme", "participants", "measures"] {
            assert!(p.get(key).is_some(), "{key}");
        }
        for m in p["measures"].as_array().unwrap() {
            for key in [
                "measure",
                "n_paired",
                "mean_first",
                "mean_last",
                "mean_change",
                "sd_change",
                "t",
                "df",
                "p_value",
                "ci_low",
                "ci_high",
                "wilcoxon_p",
                "d_z",
                "d_av",
                "g_av",
                "improved",
                "deteriorated",
            ] {
                assert!(m.get(key).is_some(), "{key} in {m}");
            }
        }
    }
    let tt = &pilots[0]["talking_therapies"];
    for key in [
        "finished_treatment",
        "recovery",
        "reliable_improvement",
        "reliable_recovery",
        "reliable_deterioration",
    ] {
        for field in ["count", "denominator", "rate", "ci_low", "ci_high"] {
            assert!(tt[key].get(field).is_some(), "{key}.{field}");
        }
    }
    let cv = &pilots[1]["cardiovascular"];
    for key in ["n_paired", "sbp_mean_fall", "controlled_first", "controlled_last"] {
        assert!(cv.get(key).is_some(), "{key}");
    }
    for key in ["estimate", "low", "high"] {
        assert!(cv["relative_risk_major_cvd"][key].is_number(), "{key}");
    }
    let sv = &json["social_value"];
    for key in [
        "present_value",
        "investment",
        "npv",
        "sroi_ratio",
        "net_sroi_ratio",
        "payback_months",
        "outcomes",
        "sensitivity",
    ] {
        assert!(sv.get(key).is_some(), "{key}");
    }
    for key in ["draws", "seed", "p5", "p50", "p95", "probability_ratio_above_1"] {
        assert!(sv["monte_carlo"].get(key).is_some(), "monte_carlo.{key}");
    }
    let equity = json["equity"].as_array().unwrap();
    assert!(!equity.is_empty());
    for row in equity {
        for key in ["pilot", "dimension", "group", "participants"] {
            assert!(row.get(key).is_some(), "{key} in {row}");
        }
    }
}

#[test]
fn volunteer_time_from_the_activities_enters_the_investment() {
    let eval = demo();
    let sv = eval.social_value.as_ref().unwrap();
    let hours: f64 = eval.delivery.iter().map(|d| d.volunteer_hours).sum();
    let from_hours: f64 = sv.inputs.iter().filter(|i| i.hours.is_some()).map(|i| i.amount).sum();
    assert!(hours > 0.0);
    assert!((from_hours - hours * 11.44).abs() < 1e-6, "{from_hours} vs {hours} hours");
    let files: Vec<&str> = eval.data.files().iter().map(|f| f.file.as_str()).collect();
    assert!(files.iter().any(|f| f.ends_with("activities.csv")), "{files:?}");
    let tt = eval.delivery.iter().find(|d| d.pilot == "tt").unwrap();
    assert_eq!(tt.partners_by_type.iter().map(|p| p.1).sum::<usize>(), 4);
    assert!(tt.leaders_trained > 0);
}

#[test]
fn same_inputs_give_byte_identical_outputs() {
    let (a, b) = (demo(), demo());
    assert_eq!(
        JsonPrinter.to_string(&a.publish().unwrap()).unwrap(),
        JsonPrinter.to_string(&b.publish().unwrap()).unwrap()
    );
    let options = ReportOptions::default();
    let (da, db) = (
        build_document(&a.publish().unwrap(), &options).unwrap(),
        build_document(&b.publish().unwrap(), &options).unwrap(),
    );
    assert_eq!(MarkdownPrinter.to_string(&da), MarkdownPrinter.to_string(&db));
    assert_eq!(HtmlPrinter.to_string(&da), HtmlPrinter.to_string(&db));
}

/// A copy of the demo with one participant's area replaced by hostile text.
fn hostile_demo(area: &str) -> (tempfile::TempDir, coproduction::Evaluation) {
    let dir = temp_dir("hostile");
    let demo = root().join("fixtures/demo");
    for file in ["plan.toml", "outcomes.csv", "impact_map.toml", "population.csv", "activities.csv"] {
        std::fs::copy(demo.join(file), dir.path().join(file)).unwrap();
    }
    let participants = std::fs::read_to_string(demo.join("participants.csv")).unwrap();
    // Give the hostile area to enough people that it is not suppressed.
    let mut lines: Vec<String> = participants.lines().map(str::to_string).collect();
    for line in lines.iter_mut().skip(1).take(60) {
        let mut cells: Vec<String> = line.split(',').map(str::to_string).collect();
        cells[6] = format!("\"{}\"", area.replace('"', "\"\""));
        *line = cells.join(",");
    }
    std::fs::write(dir.path().join("participants.csv"), lines.join("\n") + "\n").unwrap();
    let eval = Plan::load(&dir.path().join("plan.toml")).unwrap().run().unwrap();
    (dir, eval)
}

#[test]
fn script_in_the_data_is_only_ever_escaped() {
    let (_dir, eval) = hostile_demo("<script>alert('x')</script>");
    let doc = build_document(&eval.publish().unwrap(), &ReportOptions::default()).unwrap();
    let html = HtmlPrinter.to_string(&doc);
    assert!(!html.contains("<script>"), "raw script in HTML");
    assert!(html.contains("&lt;script&gt;"), "the area should appear, escaped");
    let md = MarkdownPrinter.to_string(&doc);
    assert!(!md.contains("<script>"));
}

#[test]
fn formulas_in_the_data_are_neutralised_in_csv() {
    let (dir, eval) = hostile_demo("=HYPERLINK(\"http://x\")");
    let out = dir.path().join("report");
    write_report(&eval, &out, &ReportOptions::default()).unwrap();
    let mut seen = false;
    for entry in std::fs::read_dir(out.join("tables")).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for record in csv::Reader::from_reader(text.as_bytes()).records() {
            for cell in record.unwrap().iter() {
                assert!(!cell.starts_with('='), "formula cell {cell}");
                seen |= cell.starts_with("'=HYPERLINK");
            }
        }
    }
    assert!(seen, "the hostile area should appear, neutralised");
}
