//! Survey exports laid out exactly as each tool writes them, each with a skipped item, a
//! test submission, a duplicate submission and an answer outside the scale: the figures
//! equal totals worked out by hand below, and every reject names the row as a spreadsheet
//! shows it and the column by its header text.

use coproduction::{Catalogue, DataSet, Ingest, SurveySource};

const PARTICIPANTS: &str = "participant_id,pilot_id\np1,tt\np2,tt\n";

const LABELS: [&str; 4] = ["Not at all", "Several days", "More than half the days", "Nearly every day"];
const PREFER_NOT: usize = 9;
const SKIPPED: usize = 8;

/// PHQ-9 and GAD-7 item wording (Kroenke et al. 2001; Spitzer et al. 2006; public domain).
const PHQ9: [&str; 9] = [
    "Little interest or pleasure in doing things",
    "Feeling down, depressed, or hopeless",
    "Trouble falling or staying asleep, or sleeping too much",
    "Feeling tired or having little energy",
    "Poor appetite or overeating",
    "Feeling bad about yourself - or that you are a failure or have let yourself or your family down",
    "Trouble concentrating on things, such as reading the newspaper or watching television",
    "Moving or speaking so slowly that other people could have noticed? Or the opposite - being so fidgety or restless that you have been moving around a lot more than usual",
    "Thoughts that you would be better off dead or of hurting yourself in some way",
];
const GAD7: [&str; 7] = [
    "Feeling nervous, anxious or on edge",
    "Not being able to stop or control worrying",
    "Worrying too much about different things",
    "Trouble relaxing",
    "Being so restless that it is hard to sit still",
    "Becoming easily annoyed or irritable",
    "Feeling afraid as if something awful might happen",
];
const PHQ_QUESTION: &str =
    "Over the last 2 weeks, how often have you been bothered by any of the following problems?";
const GAD_QUESTION: &str =
    "Over the last 2 weeks, how often have you been bothered by the following problems?";

/// One submission: when (year, month, day, hour, minute, second), who, and the 16 answers
/// (0-3 a label, `SKIPPED` blank, `PREFER_NOT` an answer outside the scale).
struct Submission {
    at: (u32, u32, u32, u32, u32, u32),
    who: &'static str,
    phq: [usize; 9],
    gad: [usize; 7],
}

/// The six submissions of every export:
/// 1. p1 on 2025-04-01 at 20:16: PHQ-9 3+2+2+1+2+1+1+1+0 = 13, GAD-7 2+2+1+1+0+1+2 = 9.
/// 2. p1 on 2025-06-30: PHQ-9 1+0+1+0+1+0+0+0+0 = 3, GAD-7 0+1+0+0+0+1+0 = 2.
/// 3. p2 on 2025-04-23, PHQ-9 item 3 skipped (PHQ-9 needs all items: rejected), GAD-7 1.
/// 4. A test submission by "TEST", not a participant: rejected.
/// 5. p1 again on 2025-04-01 at 21:02: a duplicate submission, rejected.
/// 6. p2 on 2025-07-02, PHQ-9 item 2 "Prefer not to say" (rejected), GAD-7 0.
fn submissions() -> Vec<Submission> {
    vec![
        Submission {
            at: (2025, 4, 1, 20, 16, 21),
            who: "p1",
            phq: [3, 2, 2, 1, 2, 1, 1, 1, 0],
            gad: [2, 2, 1, 1, 0, 1, 2],
        },
        Submission {
            at: (2025, 6, 30, 9, 2, 11),
            who: "p1",
            phq: [1, 0, 1, 0, 1, 0, 0, 0, 0],
            gad: [0, 1, 0, 0, 0, 1, 0],
        },
        Submission {
            at: (2025, 4, 23, 18, 45, 0),
            who: "p2",
            phq: [0, 0, SKIPPED, 1, 0, 0, 0, 0, 0],
            gad: [1, 0, 0, 0, 0, 0, 0],
        },
        Submission { at: (2025, 4, 23, 19, 0, 3), who: "TEST", phq: [0; 9], gad: [0; 7] },
        Submission {
            at: (2025, 4, 1, 21, 2, 45),
            who: "p1",
            phq: [3, 2, 2, 1, 2, 1, 1, 1, 0],
            gad: [2, 2, 1, 1, 0, 1, 2],
        },
        Submission {
            at: (2025, 7, 2, 11, 5, 9),
            who: "p2",
            phq: [0, PREFER_NOT, 0, 0, 0, 0, 0, 0, 0],
            gad: [0; 7],
        },
    ]
}

/// What every export must load as: (participant, measure, date, score).
fn expected_figures() -> Vec<(String, String, String, f64)> {
    let mut v: Vec<_> = [
        ("p1", "gad7", "2025-04-01", 9.0),
        ("p1", "gad7", "2025-06-30", 2.0),
        ("p1", "phq9", "2025-04-01", 13.0),
        ("p1", "phq9", "2025-06-30", 3.0),
        ("p2", "gad7", "2025-04-23", 1.0),
        ("p2", "gad7", "2025-07-02", 0.0),
    ]
    .iter()
    .map(|(p, m, d, s)| (p.to_string(), m.to_string(), d.to_string(), *s))
    .collect();
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v
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

fn load(spec: &str, text: &[u8]) -> DataSet {
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
    ingest.add_survey_reader(&mut data, &source, text, "survey.csv").unwrap();
    data
}

/// A CSV line: every field quoted (Google Forms' download) or only where needed.
fn line(fields: &[String], quote_all: bool) -> String {
    fields
        .iter()
        .map(|f| {
            if quote_all || f.contains([',', '"', '\n']) {
                format!("\"{}\"", f.replace('"', "\"\""))
            } else {
                f.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

fn answer(k: usize) -> String {
    match k {
        SKIPPED => String::new(),
        PREFER_NOT => "Prefer not to say".to_string(),
        k => LABELS[k].to_string(),
    }
}

fn answers(s: &Submission, code: &dyn Fn(usize) -> String) -> Vec<String> {
    s.phq.iter().chain(&s.gad).map(|&k| code(k)).collect()
}

/// Checks the figures, the accounting and the rejects of one export, whose first data row
/// is `first` and whose spreadsheet rows of submissions 3 to 6 are `rows`.
fn check(data: &DataSet, rows: [u64; 4], skipped_column: &str, prefer_column: &str) {
    assert_eq!(figures(data), expected_figures(), "{:#?}", data.rejects());
    let f = data.files().last().unwrap();
    assert_eq!((f.rows_read, f.rows_accepted, f.rows_rejected), (6, 2, 4));
    let r: Vec<_> = data
        .rejects()
        .entries()
        .iter()
        .map(|r| (r.row, r.column.clone().unwrap_or_default(), r.reason.clone()))
        .collect();
    assert_eq!(r.len(), 4, "{r:#?}");
    assert_eq!((r[0].0, r[0].1.as_str()), (rows[0], skipped_column));
    assert_eq!(r[0].2, "phq9: item 3 is blank; PHQ-9 needs all 9 items answered");
    assert_eq!(r[1].0, rows[1]);
    assert_eq!(r[1].2, "participant 'TEST' of pilot 'tt' is not in the participants file");
    assert_eq!(r[2].0, rows[2]);
    assert!(
        r[2].2.starts_with("participant 'p1' already submitted phq9 and gad7 on 2025-04-01 (first at row "),
        "{}",
        r[2].2
    );
    assert_eq!((r[3].0, r[3].1.as_str()), (rows[3], prefer_column));
    assert!(r[3].2.starts_with("answer 'Prefer not to say' is not one of phq9's answers"), "{}", r[3].2);
    assert!(!r[3].2.contains("did you mean"), "{}", r[3].2);
    let phq: f64 =
        data.assessments().iter().filter(|a| data.measure_id(a.measure) == "phq9").map(|a| a.score).sum();
    let gad: f64 =
        data.assessments().iter().filter(|a| data.measure_id(a.measure) == "gad7").map(|a| a.score).sum();
    assert_eq!((phq, gad), (13.0 + 3.0, 9.0 + 2.0 + 1.0 + 0.0));
}

fn grid_header(question: &str, item: &str) -> String {
    format!("{question} [{item}]")
}

fn google_header() -> Vec<String> {
    let mut h = vec!["Timestamp".to_string(), "Participant ID".to_string()];
    h.extend(PHQ9.iter().map(|i| grid_header(PHQ_QUESTION, i)));
    h.extend(GAD7.iter().map(|i| grid_header(GAD_QUESTION, i)));
    h
}

fn google_spec() -> String {
    format!(
        "file = \"s.csv\"\ntool = \"google_forms\"\nparticipant = \"Participant ID\"\npilot = \"tt\"\n\
         [[instrument]]\nmeasure = \"phq9\"\nprefix = \"{PHQ_QUESTION} [\"\n\
         [[instrument]]\nmeasure = \"gad7\"\nprefix = \"{GAD_QUESTION} [\"\n"
    )
}

#[test]
fn google_forms_download_with_its_12_hour_time_stamps() {
    // "Download responses (.csv)": every field quoted, `2025/04/01 8:16:21 PM GMT+1`.
    let mut text = line(&google_header(), true) + "\n";
    for s in submissions() {
        let (y, mo, d, h, mi, se) = s.at;
        let (h12, half) = match h {
            0 => (12, "AM"),
            1..=11 => (h, "AM"),
            12 => (12, "PM"),
            _ => (h - 12, "PM"),
        };
        let mut row =
            vec![format!("{y}/{mo:02}/{d:02} {h12}:{mi:02}:{se:02} {half} GMT+1"), s.who.to_string()];
        row.extend(answers(&s, &answer));
        text += &(line(&row, true) + "\n");
    }
    let data = load(&google_spec(), text.as_bytes());
    check(&data, [4, 5, 6, 7], &grid_header(PHQ_QUESTION, PHQ9[2]), &grid_header(PHQ_QUESTION, PHQ9[1]));
}

#[test]
fn google_forms_linked_sheet_in_a_uk_locale() {
    // The responses Sheet downloaded as CSV: quoted only where needed, `01/04/2025 20:16:21`.
    let mut text = line(&google_header(), false) + "\n";
    for s in submissions() {
        let (y, mo, d, h, mi, se) = s.at;
        let mut row = vec![format!("{d:02}/{mo:02}/{y} {h:02}:{mi:02}:{se:02}"), s.who.to_string()];
        row.extend(answers(&s, &answer));
        text += &(line(&row, false) + "\n");
    }
    let data = load(&google_spec(), text.as_bytes());
    check(&data, [4, 5, 6, 7], &grid_header(PHQ_QUESTION, PHQ9[2]), &grid_header(PHQ_QUESTION, PHQ9[1]));
}

#[test]
fn microsoft_forms_saved_as_csv_by_uk_excel() {
    // Excel's "CSV (Comma delimited)": CRLF lines, `01/04/2025 20:16`, a comment with a
    // line break in the first submission, and a cleared row left as commas.
    let mut header: Vec<String> =
        ["ID", "Start time", "Completion time", "Email", "Name", "Participant ID", "Any comments?"]
            .iter()
            .map(|s| s.to_string())
            .collect();
    header.extend(PHQ9.iter().chain(&GAD7).map(|s| s.to_string()));
    let width = header.len();
    let mut text = line(&header, false) + "\r\n";
    for (n, s) in submissions().iter().enumerate() {
        let (y, mo, d, h, mi, _) = s.at;
        let comment = if n == 0 { "Helpful.\r\nThank you" } else { "" };
        let mut row = vec![
            (n + 1).to_string(),
            format!("{d:02}/{mo:02}/{y} {h:02}:{:02}", mi.saturating_sub(5)),
            format!("{d:02}/{mo:02}/{y} {h:02}:{mi:02}"),
            "anonymous".to_string(),
            String::new(),
            s.who.to_string(),
            comment.to_string(),
        ];
        row.extend(answers(s, &answer));
        text += &(line(&row, false) + "\r\n");
        if n == 2 {
            text += &(",".repeat(width - 1) + "\r\n");
        }
    }
    let spec = format!(
        "file = \"s.csv\"\ntool = \"microsoft_forms\"\nparticipant = \"Participant ID\"\npilot = \"tt\"\n\
         [[instrument]]\nmeasure = \"phq9\"\ncolumns = [{}]\n[[instrument]]\nmeasure = \"gad7\"\ncolumns = [{}]\n",
        PHQ9.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", "),
        GAD7.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", ")
    );
    let data = load(&spec, text.as_bytes());
    // Rows as Excel shows them: the comment's line break does not make a row; the blank
    // row (row 5) is a row, counted as blank and not rejected.
    check(&data, [4, 6, 7, 8], PHQ9[2], PHQ9[1]);
    assert_eq!(data.files().last().unwrap().rows_blank, 1);
    assert!(
        data.warnings().iter().any(|w| w.contains("1 blank row") && w.contains("row 5")),
        "{:?}",
        data.warnings()
    );
}

fn surveymonkey_text() -> String {
    // "All responses, expanded": a second header row names each grid item; the question
    // heads its first column only.
    let mut h1: Vec<String> = [
        "Respondent ID",
        "Collector ID",
        "Start Date",
        "End Date",
        "IP Address",
        "Email Address",
        "First Name",
        "Last Name",
        "Custom Data 1",
        "Participant ID",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut h2 = vec![String::new(); 9];
    h2.push("Open-Ended Response".to_string());
    for (question, items) in [(PHQ_QUESTION, &PHQ9[..]), (GAD_QUESTION, &GAD7[..])] {
        for (k, item) in items.iter().enumerate() {
            h1.push(if k == 0 { question.to_string() } else { String::new() });
            h2.push(item.to_string());
        }
    }
    let mut text = line(&h1, false) + "\n" + &line(&h2, false) + "\n";
    for (n, s) in submissions().iter().enumerate() {
        let (y, mo, d, h, mi, se) = s.at;
        let (h12, half) = if h >= 12 { (if h == 12 { 12 } else { h - 12 }, "PM") } else { (h, "AM") };
        let stamp = format!("{mo:02}/{d:02}/{y} {h12:02}:{mi:02}:{se:02} {half}");
        let mut row = vec![
            format!("{}", 114_000 + n),
            "431".to_string(),
            stamp.clone(),
            stamp,
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            s.who.to_string(),
        ];
        row.extend(answers(s, &answer));
        text += &(line(&row, false) + "\n");
    }
    text
}

#[test]
fn surveymonkey_expanded_export_names_grid_items_in_rejects() {
    let spec = format!(
        "file = \"s.csv\"\ntool = \"surveymonkey\"\nparticipant = \"Participant ID\"\npilot = \"tt\"\n\
         [[instrument]]\nmeasure = \"phq9\"\nprefix = \"{PHQ_QUESTION} - \"\n\
         [[instrument]]\nmeasure = \"gad7\"\nprefix = \"{GAD_QUESTION} - \"\n"
    );
    let data = load(&spec, surveymonkey_text().as_bytes());
    check(
        &data,
        [5, 6, 7, 8],
        &format!("{PHQ_QUESTION} - {}", PHQ9[2]),
        &format!("{PHQ_QUESTION} - {}", PHQ9[1]),
    );
}

/// A Qualtrics export: the column names, the question text, the import ids, then data.
/// `code` writes each answer (choice text or numeric values).
fn qualtrics_text(code: &dyn Fn(usize) -> String) -> String {
    let mut names: Vec<String> =
        ["StartDate", "EndDate", "Status", "Progress", "Finished", "RecordedDate", "ResponseId", "Q1"]
            .iter()
            .map(|s| s.to_string())
            .collect();
    let mut texts: Vec<String> = [
        "Start Date",
        "End Date",
        "Response Type",
        "Progress",
        "Finished",
        "Recorded Date",
        "Response ID",
        "Participant ID",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut ids: Vec<String> =
        ["startDate", "endDate", "status", "progress", "finished", "recordedDate", "_recordId", "QID1_TEXT"]
            .iter()
            .map(|s| format!("{{\"ImportId\":\"{s}\"}}"))
            .collect();
    for (q, question, items) in [(2, PHQ_QUESTION, &PHQ9[..]), (3, GAD_QUESTION, &GAD7[..])] {
        for (k, item) in items.iter().enumerate() {
            names.push(format!("Q{q}_{}", k + 1));
            texts.push(format!("{question} - {item}"));
            ids.push(format!("{{\"ImportId\":\"QID{q}_{}\"}}", k + 1));
        }
    }
    let mut text = [&names, &texts, &ids].iter().map(|r| line(r, false) + "\n").collect::<String>();
    for (n, s) in submissions().iter().enumerate() {
        let (y, mo, d, h, mi, se) = s.at;
        let stamp = format!("{y}-{mo:02}-{d:02} {h:02}:{mi:02}:{se:02}");
        let status = if s.who == "TEST" { "Survey Preview" } else { "IP Address" };
        let mut row = vec![
            stamp.clone(),
            stamp.clone(),
            status.to_string(),
            "100".to_string(),
            "True".to_string(),
            stamp,
            format!("R_{n}a2b3c4"),
            s.who.to_string(),
        ];
        row.extend(answers(s, code));
        text += &(line(&row, false) + "\n");
    }
    text
}

const QUALTRICS_SPEC: &str = "file = \"s.csv\"\ntool = \"qualtrics\"\nparticipant = \"Participant ID\"\npilot = \"tt\"\n\
     [[instrument]]\nmeasure = \"phq9\"\nprefix = \"Q2_\"\n[[instrument]]\nmeasure = \"gad7\"\nprefix = \"Q3_\"\n";

#[test]
fn qualtrics_choice_text_export() {
    let data = load(QUALTRICS_SPEC, qualtrics_text(&answer).as_bytes());
    check(&data, [6, 7, 8, 9], "Q2_3", "Q2_2");
}

/// Qualtrics' numeric values: the four answers coded 1 to 4 and "Prefer not to say" 5.
fn numeric_code(k: usize) -> String {
    match k {
        SKIPPED => String::new(),
        PREFER_NOT => "5".to_string(),
        k => (k + 1).to_string(),
    }
}

#[test]
fn qualtrics_numeric_export_without_a_recode_is_refused_naming_the_recode() {
    let data = load(QUALTRICS_SPEC, qualtrics_text(&numeric_code).as_bytes());
    assert!(data.assessments().is_empty(), "no coded answer may be read as a score");
    let f = data.files().last().unwrap();
    assert_eq!((f.rows_read, f.rows_accepted, f.rows_rejected), (6, 0, 6));
    let first = &data.rejects().entries()[0];
    assert_eq!((first.row, first.column.as_deref()), (4, Some("Q2_1")));
    assert!(first.reason.contains("recode = \"minus_one\""), "{}", first.reason);
}

#[test]
fn qualtrics_numeric_export_with_the_recode_gives_the_right_scores() {
    for recode in ["recode = \"minus_one\"", "recode = { \"1\" = 0, \"2\" = 1, \"3\" = 2, \"4\" = 3 }"] {
        let spec = QUALTRICS_SPEC
            .replace("prefix = \"Q2_\"", &format!("prefix = \"Q2_\"\n{recode}"))
            .replace("prefix = \"Q3_\"", &format!("prefix = \"Q3_\"\n{recode}"));
        let data = load(&spec, qualtrics_text(&numeric_code).as_bytes());
        assert_eq!(figures(&data), expected_figures(), "{recode}");
        let last = data.rejects().entries().last().unwrap();
        assert_eq!((last.row, last.column.as_deref()), (9, Some("Q2_2")));
        assert!(last.reason.starts_with("answer '5'"), "{}", last.reason);
    }
}

#[test]
fn a_declared_label_set_is_matched_before_numbers_are_read() {
    // The case: `{"1" = 0, ..., "4" = 3}` declared for a numeric export. The labels
    // are the codes; "5" is not in the set and is refused, never read as a score.
    let spec = QUALTRICS_SPEC
        .replace("prefix = \"Q2_\"", "prefix = \"Q2_\"\nlabels = \"coded\"")
        .replace("prefix = \"Q3_\"", "prefix = \"Q3_\"\nlabels = \"coded\"")
        + "[[labels]]\nname = \"coded\"\nvalues = { \"1\" = 0, \"2\" = 1, \"3\" = 2, \"4\" = 3 }\n";
    let data = load(&spec, qualtrics_text(&numeric_code).as_bytes());
    assert_eq!(figures(&data), expected_figures());
    let last = data.rejects().entries().last().unwrap();
    assert!(last.reason.contains("is not a label in the set 'coded'"), "{}", last.reason);
}

#[test]
fn a_number_outside_the_scale_says_which_recode_fixes_it() {
    let text = google_forms_numeric();
    let data = load(&google_spec(), text.as_bytes());
    let first = &data.rejects().entries()[0];
    assert!(
        first.reason.starts_with("answer '4' is outside phq9's answers 0 to 3: if Google Forms codes the first answer 1, add recode = \"minus_one\""),
        "{}",
        first.reason
    );
}

fn google_forms_numeric() -> String {
    let mut text = line(&google_header(), true) + "\n";
    let mut row = vec!["2025/04/01 8:16:21 PM GMT+1".to_string(), "p1".to_string()];
    row.extend((0..16).map(|k| if k == 0 { "4".to_string() } else { "1".to_string() }));
    text += &(line(&row, true) + "\n");
    text
}

#[test]
fn an_id_in_another_letter_case_is_named_not_matched() {
    let text = google_forms_numeric().replace("\"p1\"", "\" P1 \"").replace("\"4\"", "\"1\"");
    let data = load(&google_spec(), text.as_bytes());
    let r = &data.rejects().entries()[0];
    assert_eq!(r.column.as_deref(), Some("Participant ID"));
    assert_eq!(
        r.reason,
        "participant 'P1' of pilot 'tt' is not in the participants file (did you mean 'p1'?)"
    );
}

#[test]
fn time_stamps_that_match_no_form_are_rejected_with_the_forms_expected() {
    let text =
        google_forms_numeric().replace("2025/04/01 8:16:21 PM GMT+1", "2025/04/01 8:16:21 PM GMT+1 (edited)");
    let data = load(&google_spec(), text.as_bytes());
    let r = &data.rejects().entries()[0];
    assert_eq!(r.column.as_deref(), Some("Timestamp"));
    assert!(r.reason.contains("not a time stamp as Google Forms writes it"), "{}", r.reason);
    // A declared pattern with the time, AM/PM and zone is taken as written.
    let spec =
        google_spec().replace("pilot = \"tt\"", "pilot = \"tt\"\ndate_format = \"%Y/%m/%d %I:%M:%S %p %Z\"");
    let data = load(&spec, google_forms_numeric().replace("\"4\"", "\"1\"").as_bytes());
    assert_eq!(figures(&data)[0].2, "2025-04-01");
}

/// `coprod survey inspect`'s block, pasted into a plan with the pilot filled in, loads
/// each export to the same hand-computed figures.
#[test]
fn inspect_writes_the_block_that_loads_each_export() {
    let dir = crate::temp_dir("survey-inspect");
    let google = {
        let mut text = line(&google_header(), true) + "\n";
        for s in submissions() {
            let (y, mo, d, h, mi, se) = s.at;
            let (h12, half) = if h >= 12 { (if h == 12 { 12 } else { h - 12 }, "PM") } else { (h, "AM") };
            let mut row =
                vec![format!("{y}/{mo:02}/{d:02} {h12}:{mi:02}:{se:02} {half} GMT+1"), s.who.to_string()];
            row.extend(answers(&s, &answer));
            text += &(line(&row, true) + "\n");
        }
        text
    };
    for (name, text, tool, rows) in [
        ("google.csv", google, coproduction::SurveyTool::GoogleForms, [4, 5, 6, 7]),
        ("monkey.csv", surveymonkey_text(), coproduction::SurveyTool::Surveymonkey, [5, 6, 7, 8]),
        ("qualtrics.csv", qualtrics_text(&answer), coproduction::SurveyTool::Qualtrics, [6, 7, 8, 9]),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, &text).unwrap();
        let found = coproduction::inspect_survey(&path, None).unwrap();
        assert_eq!(found.tool, tool, "{name}");
        assert_eq!(found.participant.as_deref(), Some("Participant ID"), "{name}");
        let measures: Vec<&str> = found.instruments.iter().map(|(m, _)| m.as_str()).collect();
        assert_eq!(measures, ["phq9", "gad7"], "{name}: {}", found.to_toml());
        let block = found.to_toml();
        let spec = block
            .replace("[[data.survey]]\n", "")
            .replace("[[data.survey.instrument]]", "[[instrument]]")
            .replace("pilot = \"\"", "pilot = \"tt\"");
        let data = load(&spec, text.as_bytes());
        let (skipped, prefer) = match tool {
            coproduction::SurveyTool::Qualtrics => ("Q2_3".to_string(), "Q2_2".to_string()),
            coproduction::SurveyTool::Surveymonkey => {
                (format!("{PHQ_QUESTION} - {}", PHQ9[2]), format!("{PHQ_QUESTION} - {}", PHQ9[1]))
            }
            _ => (grid_header(PHQ_QUESTION, PHQ9[2]), grid_header(PHQ_QUESTION, PHQ9[1])),
        };
        check(&data, rows, &skipped, &prefer);
    }
}
