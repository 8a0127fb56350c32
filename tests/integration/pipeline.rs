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

/// The measured quantities an impact map can link: changes signed so that improvement is
/// positive, and blood pressure brought under control (not already controlled at first).
#[test]
fn measured_changes_and_newly_controlled_link_into_the_map() {
    let eval = demo();
    let wb = eval.outcomes.pilot("wb").unwrap();
    let ls = wb.measure("ons_life_satisfaction").unwrap();
    let total = eval.outcomes.metric("wb", &"ons_life_satisfaction.total_change".parse().unwrap()).unwrap();
    let n = ls.n_paired as f64;
    assert!((total.count - n * ls.mean_change.unwrap()).abs() < 1e-9);
    assert!((total.ci_low.unwrap() - n * ls.ci_low.unwrap()).abs() < 1e-9);
    let mean = eval.outcomes.metric("wb", &"ons_life_satisfaction.mean_change".parse().unwrap()).unwrap();
    assert!((mean.count - ls.mean_change.unwrap()).abs() < 1e-12);
    assert_eq!(
        eval.outcomes.metric("wb", &"ons_life_satisfaction.n_paired".parse().unwrap()).unwrap().count,
        n
    );
    // PHQ-9 is lower-is-better: a fall counts as a positive change.
    let tt = eval.outcomes.pilot("tt").unwrap().measure("phq9").unwrap();
    let phq9 = eval.outcomes.metric("tt", &"phq9.mean_change".parse().unwrap()).unwrap();
    assert!((phq9.count + tt.mean_change.unwrap()).abs() < 1e-12 && phq9.count > 0.0);
    assert!(phq9.ci_low.unwrap() <= phq9.count && phq9.count <= phq9.ci_high.unwrap());

    let cv = eval.outcomes.pilot("cv").unwrap().cardiovascular.as_ref().unwrap();
    let newly = cv.controlled.iter().filter(|(_, first, last)| !first && *last).count() as u64;
    let linked = eval.outcomes.metric("cv", &"bp_newly_controlled".parse().unwrap()).unwrap();
    assert_eq!(linked.count, newly as f64);
    assert_eq!(linked.denominator, Some(cv.n_paired_both as f64));
    assert!(newly < cv.controlled_last.as_ref().unwrap().count, "some were controlled at first");

    let sv = eval.social_value.as_ref().unwrap();
    let bp =
        sv.outcomes.iter().find(|o| o.quantity_from.as_deref() == Some("cv.bp_newly_controlled")).unwrap();
    assert_eq!(bp.quantity, newly as f64);
    assert_eq!(bp.discount_schedule, "green_book_health");
    let wellby = sv.cost_effectiveness.iter().find(|c| c.unit == "WELLBY").unwrap();
    assert!(wellby.cost_per_unit.unwrap() > 0.0);
    assert!(
        !sv.warnings.iter().any(|w| w.contains("already")),
        "the demo does not over-claim: {:?}",
        sv.warnings
    );
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
    for file in
        ["plan.toml", "outcomes.csv", "impact_map.toml", "population.csv", "activities.csv", "provision.csv"]
    {
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

/// `Plan::run_frames` (the Python package's `run_frames`) gives the figures a run on the
/// same rows as files gives; only the names of the two inputs differ.
#[test]
fn a_run_on_frames_equals_the_run_on_files() {
    use polars::prelude::{Column, DataFrame};
    let dir = temp_dir("frames");
    let plan_text = "title = \"Frames\"\n[data]\nparticipants = \"participants.csv\"\noutcomes = \"outcomes.csv\"\n\
                     [[pilot]]\nid = \"tt\"\nname = \"Talking therapies\"\nprogramme = \"psychological_therapies\"\n";
    std::fs::write(dir.path().join("plan.toml"), plan_text).unwrap();
    let ids: Vec<String> = (1..=12).map(|i| format!("p{i}")).collect();
    let mut participants = String::from("participant_id,pilot_id,end_date,treatment_sessions\n");
    let mut outcomes = String::from("participant_id,pilot_id,measure,assessed_on,score\n");
    let (mut first, mut last) = (Vec::new(), Vec::new());
    for (i, id) in ids.iter().enumerate() {
        let (before, after) = (14 + (i % 5) as i64, 6 + (i % 7) as i64);
        participants.push_str(&format!("{id},tt,2025-03-01,6\n"));
        outcomes.push_str(&format!("{id},tt,phq9,2025-01-10,{before}\n{id},tt,phq9,2025-03-01,{after}\n"));
        first.push(before);
        last.push(after);
    }
    std::fs::write(dir.path().join("participants.csv"), participants).unwrap();
    std::fs::write(dir.path().join("outcomes.csv"), outcomes).unwrap();
    let plan = Plan::load(&dir.path().join("plan.toml")).unwrap();
    let from_files = plan.run().unwrap();

    let n = ids.len();
    let people = DataFrame::new_infer_height(vec![
        Column::new("participant_id".into(), &ids),
        Column::new("pilot_id".into(), vec!["tt"; n]),
        Column::new("end_date".into(), vec!["2025-03-01"; n]),
        Column::new("treatment_sessions".into(), vec![6i64; n]),
    ])
    .unwrap();
    let twice = |v: &[String]| v.iter().flat_map(|x| [x.clone(), x.clone()]).collect::<Vec<_>>();
    let scores: Vec<i64> = first.iter().zip(&last).flat_map(|(a, b)| [*a, *b]).collect();
    let assessments = DataFrame::new_infer_height(vec![
        Column::new("participant_id".into(), twice(&ids)),
        Column::new("pilot_id".into(), vec!["tt"; 2 * n]),
        Column::new("measure".into(), vec!["phq9"; 2 * n]),
        Column::new("assessed_on".into(), ["2025-01-10", "2025-03-01"].repeat(n)),
        Column::new("score".into(), scores),
    ])
    .unwrap();
    let from_frames = plan.run_frames(&people, &assessments).unwrap();
    let json = |e: &coproduction::Evaluation| -> Value {
        serde_json::from_str(&JsonPrinter.to_string(&e.publish().unwrap()).unwrap()).unwrap()
    };
    let (mut files, frames) = (json(&from_files), json(&from_frames));
    assert_eq!(frames["data_quality"]["files"][0]["file"], "participants frame");
    assert_eq!(frames["data_quality"]["files"][1]["file"], "outcomes frame");
    files["data_quality"]["files"][0]["file"] = "participants frame".into();
    files["data_quality"]["files"][1]["file"] = "outcomes frame".into();
    assert_eq!(files, frames);
    assert_eq!(frames["pilots"][0]["measures"][0]["n_paired"], 12);
}
