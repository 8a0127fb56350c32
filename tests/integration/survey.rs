//! Survey-tool exports as the tools write them, loaded into the same figures as the
//! equivalent canonical file.

use coproduction::{Catalogue, DataSet, Ingest, SurveySource};

const PARTICIPANTS: &str = "participant_id,pilot_id\np1,tt\np2,tt\n";

/// The canonical equivalent of every export below: PHQ-9 and GAD-7 for p1 before and after,
/// and for p2 before.
const CANONICAL: &str = "participant_id,pilot_id,measure,assessed_on,item_1,item_2,item_3,item_4,item_5,item_6,item_7,item_8,item_9\n\
p1,tt,phq9,2025-04-22,3,2,2,1,2,1,1,1,0\n\
p1,tt,gad7,2025-04-22,2,2,1,1,0,1,2,,\n\
p1,tt,phq9,2025-06-30,1,0,1,0,1,0,0,0,0\n\
p1,tt,gad7,2025-06-30,0,1,0,0,0,1,0,,\n\
p2,tt,phq9,2025-04-23,0,0,1,1,0,0,0,0,0\n\
p2,tt,gad7,2025-04-23,1,0,0,0,0,0,0,,\n";

const LABELS: [&str; 4] = ["Not at all", "Several days", "More than half the days", "Nearly every day"];

fn answers(values: &[usize]) -> String {
    values.iter().map(|v| LABELS[*v]).collect::<Vec<_>>().join(",")
}

fn figures(data: &DataSet) -> Vec<(String, String, String, f64)> {
    let mut out: Vec<_> = data
        .assessments()
        .iter()
        .map(|a| {
            let p = &data.participants()[a.participant as usize];
            (
                p.participant_id.clone(),
                data.measure_id(a.measure).to_string(),
                a.assessed_on.to_string(),
                a.score,
            )
        })
        .collect();
    out.sort_by(|a, b| a.partial_cmp(b).unwrap());
    out
}

fn canonical() -> DataSet {
    Ingest::new(Catalogue::builtin())
        .load_readers(PARTICIPANTS.as_bytes(), "p.csv", CANONICAL.as_bytes(), "o.csv")
        .unwrap()
}

fn load_survey(spec: &str, text: &str) -> DataSet {
    let source: SurveySource = toml::from_str(spec).unwrap();
    let ingest = Ingest::new(Catalogue::builtin()).pilots(["tt"]);
    let mut data = ingest
        .load_readers(
            PARTICIPANTS.as_bytes(),
            "p.csv",
            "participant_id,pilot_id,measure,assessed_on,score\n".as_bytes(),
            "o.csv",
        )
        .unwrap();
    ingest.add_survey_reader(&mut data, &source, text.as_bytes(), "survey.csv").unwrap();
    data
}

fn google_forms() -> String {
    let phq: Vec<String> = (1..=9).map(|i| format!("PHQ-9 [item {i}]")).collect();
    let gad: Vec<String> = (1..=7).map(|i| format!("GAD-7 [item {i}]")).collect();
    format!(
        "Timestamp,Participant ID,Pre or post?,{},{}\n\
         22/04/2025 10:31:05,p1,Pre,{},{}\n\
         30/06/2025 09:02:11,p1,Post,{},{}\n\
         23/04/2025 18:45:00,p2,Pre,{},{}\n",
        phq.join(","),
        gad.join(","),
        answers(&[3, 2, 2, 1, 2, 1, 1, 1, 0]),
        answers(&[2, 2, 1, 1, 0, 1, 2]),
        answers(&[1, 0, 1, 0, 1, 0, 0, 0, 0]),
        answers(&[0, 1, 0, 0, 0, 1, 0]),
        answers(&[0, 0, 1, 1, 0, 0, 0, 0, 0]),
        answers(&[1, 0, 0, 0, 0, 0, 0]),
    )
}

const GOOGLE_SPEC: &str = r#"
file = "survey.csv"
tool = "google_forms"
participant = "Participant ID"
pilot = "tt"
timepoint = "Pre or post?"
[[instrument]]
measure = "phq9"
prefix = "PHQ-9 ["
[[instrument]]
measure = "gad7"
prefix = "gad-7 ["
"#;

#[test]
fn google_forms_export_matches_the_canonical_file() {
    let data = load_survey(GOOGLE_SPEC, &google_forms());
    assert!(data.rejects().is_empty(), "{:?}", data.rejects());
    assert_eq!(figures(&data), figures(&canonical()));
    let f = data.files().last().unwrap();
    assert_eq!((f.rows_read, f.rows_accepted, f.rows_rejected), (3, 3, 0));
}

#[test]
fn microsoft_forms_export() {
    let text = google_forms()
        .replace(
            "Timestamp,Participant ID,Pre or post?",
            "ID,Start time,Completion time,Email,Name,Participant ID,Pre or post?",
        )
        .replace("22/04/2025 10:31:05,p1", "1,22/04/2025 10:20,22/04/2025 10:31,anonymous,,p1")
        .replace("30/06/2025 09:02:11,p1", "2,30/06/2025 08:50,30/06/2025 09:02,anonymous,,p1")
        .replace("23/04/2025 18:45:00,p2", "3,23/04/2025 18:30,23/04/2025 18:45,anonymous,,p2");
    let spec = GOOGLE_SPEC.replace("google_forms", "microsoft_forms");
    let data = load_survey(&spec, &text);
    assert!(data.rejects().is_empty(), "{:?}", data.rejects());
    assert_eq!(figures(&data), figures(&canonical()));
}

#[test]
fn surveymonkey_export_with_its_second_header_row() {
    let question = "Over the last 2 weeks, how often have you been bothered by the following problems?";
    let phq: Vec<String> = (1..=9).map(|i| format!("PHQ item {i}")).collect();
    let gad: Vec<String> = (1..=7).map(|i| format!("GAD item {i}")).collect();
    let text = format!(
        "Respondent ID,Collector ID,Start Date,End Date,IP Address,Participant ID,\"{question}\",{},\"Anxiety: {question}\",{}\n\
         ,,,,,Open-Ended Response,{},{}\n\
         114,45,04/22/2025 10:20:00 AM,04/22/2025 10:31:05 AM,,p1,{},{}\n\
         115,45,06/30/2025 08:50:00 AM,06/30/2025 09:02:11 AM,,p1,{},{}\n\
         116,45,04/23/2025 06:30:00 PM,04/23/2025 06:45:00 PM,,p2,{},{}\n",
        ",".repeat(8),
        ",".repeat(6),
        phq.join(","),
        gad.join(","),
        answers(&[3, 2, 2, 1, 2, 1, 1, 1, 0]),
        answers(&[2, 2, 1, 1, 0, 1, 2]),
        answers(&[1, 0, 1, 0, 1, 0, 0, 0, 0]),
        answers(&[0, 1, 0, 0, 0, 1, 0]),
        answers(&[0, 0, 1, 1, 0, 0, 0, 0, 0]),
        answers(&[1, 0, 0, 0, 0, 0, 0]),
    );
    let spec = format!(
        "file = \"s.csv\"\ntool = \"surveymonkey\"\nparticipant = \"Participant ID\"\npilot = \"tt\"\n\
         [[instrument]]\nmeasure = \"phq9\"\ncolumns = [{}]\n[[instrument]]\nmeasure = \"gad7\"\nprefix = \"GAD item\"\n",
        phq.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", ")
    );
    let data = load_survey(&spec, &text);
    assert!(data.rejects().is_empty(), "{:?}", data.rejects());
    assert_eq!(figures(&data), figures(&canonical()));
}

#[test]
fn qualtrics_export_with_its_description_and_import_id_rows() {
    let q1: Vec<String> = (1..=9).map(|i| format!("Q1_{i}")).collect();
    let q2: Vec<String> = (1..=7).map(|i| format!("Q2_{i}")).collect();
    let texts: Vec<String> = (1..=16).map(|i| format!("\"Over the last 2 weeks... - item {i}\"")).collect();
    let ids: Vec<String> = (1..=16).map(|i| format!("\"{{\"\"ImportId\"\":\"\"QID{i}\"\"}}\"")).collect();
    let text = format!(
        "StartDate,EndDate,RecordedDate,ResponseId,pid,{},{}\n\
         Start Date,End Date,Recorded Date,Response ID,Participant ID,{}\n\
         \"{{\"\"ImportId\"\":\"\"startDate\"\"}}\",\"{{\"\"ImportId\"\":\"\"endDate\"\"}}\",\"{{\"\"ImportId\"\":\"\"recordedDate\"\"}}\",\"{{\"\"ImportId\"\":\"\"_recordId\"\"}}\",\"{{\"\"ImportId\"\":\"\"QID0\"\"}}\",{}\n\
         2025-04-22 10:20:00,2025-04-22 10:31:05,2025-04-22 10:31:06,R_1,p1,{},{}\n\
         2025-06-30 08:50:00,2025-06-30 09:02:11,2025-06-30 09:02:12,R_2,p1,{},{}\n\
         2025-04-23 18:30:00,2025-04-23 18:45:00,2025-04-23 18:45:01,R_3,p2,{},{}\n",
        q1.join(","),
        q2.join(","),
        texts.join(","),
        ids.join(","),
        answers(&[3, 2, 2, 1, 2, 1, 1, 1, 0]),
        answers(&[2, 2, 1, 1, 0, 1, 2]),
        answers(&[1, 0, 1, 0, 1, 0, 0, 0, 0]),
        answers(&[0, 1, 0, 0, 0, 1, 0]),
        answers(&[0, 0, 1, 1, 0, 0, 0, 0, 0]),
        answers(&[1, 0, 0, 0, 0, 0, 0]),
    );
    let spec = "file = \"s.csv\"\ntool = \"qualtrics\"\nparticipant = \"Participant ID\"\npilot = \"tt\"\n\
                [[instrument]]\nmeasure = \"phq9\"\nprefix = \"Q1_\"\n[[instrument]]\nmeasure = \"gad7\"\nprefix = \"Q2_\"\n";
    let data = load_survey(spec, &text);
    assert!(data.rejects().is_empty(), "{:?}", data.rejects());
    assert_eq!(figures(&data), figures(&canonical()));
    let f = data.files().last().unwrap();
    assert_eq!(f.rows_read, 3, "the two extra header rows are not data");
}

#[test]
fn misspelt_labels_missing_items_and_duplicates_are_rejected_with_reasons() {
    let text = google_forms().replacen("Several days", "Several dayz", 1).replace(
        "23/04/2025 18:45:00,p2,Pre,Not at all,Not at all,",
        "23/04/2025 18:45:00,p2,Pre,,Not at all,",
    );
    let duplicate = text.lines().nth(1).unwrap().replace("10:31:05", "10:40:00");
    let text = format!("{text}{duplicate}\n");
    let data = load_survey(GOOGLE_SPEC, &text);
    let f = data.files().last().unwrap();
    assert_eq!((f.rows_read, f.rows_accepted, f.rows_rejected), (4, 1, 3));
    let reasons: Vec<(u64, Option<&str>, &str)> =
        data.rejects().entries().iter().map(|r| (r.row, r.column.as_deref(), r.reason.as_str())).collect();
    assert_eq!(reasons[0].0, 2, "the header is row 1");
    assert_eq!(reasons[0].1, Some("PHQ-9 [item 4]"));
    assert_eq!(reasons[0].2, "answer 'Several dayz' is not a known label (did you mean 'Several days'?)");
    assert_eq!(reasons[1].1, Some("PHQ-9 [item 1]"));
    assert!(reasons[1].2.starts_with("phq9: "), "{}", reasons[1].2);
    assert!(reasons.iter().any(|r| r.0 == 5 && r.2.contains("a duplicate submission")), "{reasons:?}");
    // The valid GAD-7 of a row whose PHQ-9 was rejected is kept.
    assert!(figures(&data).iter().any(|f| f.0 == "p2" && f.1 == "gad7"));
}

#[test]
fn one_form_with_phq9_gad7_and_ons4() {
    let ons = [
        "Overall, how satisfied are you with your life nowadays?",
        "Overall, to what extent do you feel that the things you do in your life are worthwhile?",
        "Overall, how happy did you feel yesterday?",
        "Overall, how anxious did you feel yesterday?",
    ];
    let mut lines = google_forms().lines().map(str::to_string).collect::<Vec<_>>();
    lines[0] = format!("{},\"{}\"", lines[0], ons.join("\",\""));
    lines[1] = format!("{},6,7 - Mostly,0 - Not at all,10 - Completely", lines[1]);
    lines[2] = format!("{},8,8,7,3", lines[2]);
    lines[3] = format!("{},5,5,5,5", lines[3]);
    let mut spec = GOOGLE_SPEC.to_string();
    for (measure, question) in
        ["ons_life_satisfaction", "ons_worthwhile", "ons_happiness", "ons_anxiety"].iter().zip(ons)
    {
        spec.push_str(&format!("[[instrument]]\nmeasure = \"{measure}\"\ncolumns = [\"{question}\"]\n"));
    }
    let data = load_survey(&spec, &(lines.join("\n") + "\n"));
    assert!(data.rejects().is_empty(), "{:?}", data.rejects());
    let f = figures(&data);
    assert_eq!(f.len(), 6 + 12);
    assert!(f.contains(&("p1".into(), "ons_worthwhile".into(), "2025-04-22".into(), 7.0)));
    assert!(f.contains(&("p1".into(), "ons_happiness".into(), "2025-04-22".into(), 0.0)));
    assert!(f.contains(&("p1".into(), "ons_anxiety".into(), "2025-04-22".into(), 10.0)));
}

#[test]
fn a_plan_with_a_survey_runs_end_to_end() {
    let dir = crate::temp_dir("survey-plan");
    let d = dir.path();
    std::fs::write(d.join("participants.csv"), PARTICIPANTS).unwrap();
    std::fs::write(d.join("outcomes.csv"), "participant_id,pilot_id,measure,assessed_on,score\n").unwrap();
    std::fs::write(d.join("forms.csv"), google_forms()).unwrap();
    let survey = GOOGLE_SPEC
        .replace("file = \"survey.csv\"", "file = \"forms.csv\"")
        .replace("[[instrument]]", "[[data.survey.instrument]]");
    let plan = format!(
        "title = \"t\"\n[data]\nparticipants = \"participants.csv\"\noutcomes = \"outcomes.csv\"\n[[data.survey]]\n{survey}\n\
         [[pilot]]\nid = \"tt\"\nname = \"Talking\"\nprogramme = \"psychological_therapies\"\n"
    );
    std::fs::write(d.join("plan.toml"), plan).unwrap();
    let eval = coproduction::Plan::load(&d.join("plan.toml")).unwrap().run().unwrap();
    assert_eq!(eval.data.files().len(), 3);
    assert_eq!(eval.data.files()[2].rows_accepted, 3);
    assert_eq!(eval.outcomes.pilot("tt").unwrap().measure("phq9").unwrap().n_paired, 1);
}

/// A `[[data.survey]]` block that does not fit its export is a settings error naming the
/// export, the setting and the fix (a configuration error: the plan is mended, not the data).
#[test]
fn survey_settings_that_do_not_fit_the_export_name_the_setting() {
    let error = |spec: &str| {
        let source: SurveySource = toml::from_str(spec).unwrap();
        let ingest = Ingest::new(Catalogue::builtin()).pilots(["tt"]);
        let mut data = canonical();
        let err = ingest
            .add_survey_reader(&mut data, &source, google_forms().as_bytes(), "survey.csv")
            .unwrap_err();
        assert_eq!(err.category(), coproduction::ErrorCategory::Configuration, "{err}");
        match &err {
            coproduction::Error::SurveySettings { file, setting, .. } => {
                assert_eq!(file, "survey.csv");
                (setting.clone(), err.to_string())
            }
            other => panic!("expected a survey settings error, got {other:?}"),
        }
    };
    let (setting, message) = error(&GOOGLE_SPEC.replace("pilot = \"tt\"\n", ""));
    assert_eq!(setting, "pilot");
    assert!(message.contains("pilot_column = "), "{message}");
    let (setting, message) = error(&GOOGLE_SPEC.replace("prefix = \"gad-7 [\"", "positions = [3, 4, 99]"));
    assert_eq!(setting, "positions of gad7");
    assert!(message.contains("position 99 is not a column of the export"), "{message}");
    let (setting, message) = error(&GOOGLE_SPEC.replace("prefix = \"gad-7 [\"", "prefix = \"PHQ-9 [\""));
    assert_eq!(setting, "columns of gad7");
    assert!(message.contains("gad7 has 7 items but the block names 9 columns for it"), "{message}");
    let generic = "file = \"survey.csv\"\ntool = \"generic\"\nparticipant = \"Participant ID\"\npilot = \"tt\"\n[[instrument]]\nmeasure = \"phq9\"\nprefix = \"PHQ-9 [\"\n";
    let (setting, message) = error(generic);
    assert_eq!(setting, "date");
    assert!(message.contains("date = \"<column>\""), "{message}");
}
