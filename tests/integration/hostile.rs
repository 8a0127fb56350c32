//! Hostile and broken input: every file gets a clear error or a clean load with rejects,
//! never a panic, and every row read is accounted for. Large inputs are made at run time
//! so the repository stays small.

use std::io::Write;

use coproduction::{Catalogue, DataSet, Error, Ingest, Plan};
use proptest::prelude::*;

use crate::{root, temp_dir};

const PARTICIPANTS: &str = "participant_id,pilot_id,age\np1,tt,30\np2,tt,41\n";
const OUTCOMES_HEADER: &str = "participant_id,pilot_id,measure,assessed_on,score\n";

fn load(participants: &[u8], outcomes: &[u8]) -> Result<DataSet, Error> {
    Ingest::new(Catalogue::builtin()).pilots(["tt"]).load_readers(
        participants,
        "participants.csv",
        outcomes,
        "outcomes.csv",
    )
}

fn accounted(data: &DataSet) {
    for f in data.files() {
        assert_eq!(f.rows_read, f.rows_accepted + f.rows_rejected, "{f:?}");
        assert_eq!(f.rows_rejected as usize, data.rejects().in_file(&f.file).count());
    }
}

fn outcome_rows(rows: &[&str]) -> Vec<u8> {
    let mut text = OUTCOMES_HEADER.to_string();
    for row in rows {
        text.push_str(row);
        text.push('\n');
    }
    text.into_bytes()
}

#[test]
fn empty_header_only_and_binary_files() {
    let err = load(b"", &outcome_rows(&[])).unwrap_err().to_string();
    assert!(err.contains("participants.csv: the file is empty"), "{err}");
    let data = load(b"participant_id,pilot_id\n", OUTCOMES_HEADER.as_bytes()).unwrap();
    assert_eq!((data.participants().len(), data.rejects().len()), (0, 0));
    let garbage: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let err = load(&garbage, &outcome_rows(&[])).unwrap_err().to_string();
    assert!(err.starts_with("participants.csv: "), "{err}");
}

#[test]
fn excel_exports_windows_1252_and_semicolons() {
    let data = load(b"participant_id;pilot_id;area\np1;tt;Zo\xeb's caf\xe9\n", &outcome_rows(&[])).unwrap();
    assert_eq!(data.participants()[0].area.as_deref(), Some("Zoë's café"));
    assert_eq!(data.warnings().len(), 2, "{:?}", data.warnings());
}

#[test]
fn odd_numbers_are_rejected_or_read_exactly() {
    let rows = [
        "p1,tt,phq9,2025-01-01,1e309",
        "p1,tt,phq9,2025-01-02,NaN",
        "p1,tt,phq9,2025-01-03,inf",
        "p1,tt,phq9,2025-01-04,-0",
        "p1,tt,phq9,2025-01-05,007",
        "p1,tt,phq9,2025-01-06,\"1,5\"",
        "p1,tt,phq9,2025-01-07,-3",
        "p1,tt,phq9,2025-01-08,12.5",
    ];
    let data = load(PARTICIPANTS.as_bytes(), &outcome_rows(&rows)).unwrap();
    accounted(&data);
    let scores: Vec<f64> = data.assessments().iter().map(|a| a.score).collect();
    assert_eq!(scores, vec![0.0, 7.0], "-0 reads as 0, 007 as 7; the rest are refused");
    assert_eq!(data.rejects().len(), 6);
}

#[test]
fn edge_dates_and_long_ids() {
    let long = "x".repeat(10_000);
    let rows = [
        "p1,tt,phq9,0000-01-01,5".to_string(),
        "p1,tt,phq9,9999-12-31,5".to_string(),
        "p1,tt,phq9,2025-02-29,5".to_string(),
        "p1,tt,phq9,2024-02-29,5".to_string(),
        format!("{long},tt,phq9,2025-01-01,5"),
    ];
    let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
    let data = load(PARTICIPANTS.as_bytes(), &outcome_rows(&rows)).unwrap();
    accounted(&data);
    assert_eq!(data.assessments().len(), 1, "only the leap day of 2024 exists");
    let long_reject = &data.rejects().entries()[3];
    assert!(long_reject.reason.contains("10000 characters long"), "{long_reject:?}");
    assert!(long_reject.value.as_ref().unwrap().len() < 400, "the echoed value is cut");
}

#[test]
fn ragged_rows_and_wide_files() {
    let rows = ["p1,tt,phq9,2025-01-01", "p1,tt,phq9,2025-01-02,5,extra", "p1,tt,phq9,2025-01-03,5,"];
    let data = load(PARTICIPANTS.as_bytes(), &outcome_rows(&rows)).unwrap();
    accounted(&data);
    assert_eq!(data.rejects().len(), 2);
    assert!(data.rejects().entries()[0].reason.contains("has 4 fields but the header has 5"));

    let mut wide = String::from("participant_id,pilot_id");
    for i in 0..10_000 {
        wide.push_str(&format!(",extra_{i}"));
    }
    wide.push_str("\np1,tt");
    wide.push_str(&",".repeat(10_000));
    wide.push('\n');
    let data = load(wide.as_bytes(), OUTCOMES_HEADER.as_bytes()).unwrap();
    assert_eq!(data.participants().len(), 1);
    let note = &data.warnings()[0];
    assert!(note.contains("and 9990 more") && note.len() < 1000, "{note}");
}

#[test]
fn a_fifty_megabyte_field_is_one_rejected_row() {
    let dir = temp_dir("big-field");
    let path = dir.path().join("outcomes.csv");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    file.write_all(OUTCOMES_HEADER.as_bytes()).unwrap();
    file.write_all(b"p1,tt,phq9,2025-01-01,\"").unwrap();
    let chunk = vec![b'9'; 1 << 20];
    for _ in 0..50 {
        file.write_all(&chunk).unwrap();
    }
    file.write_all(b"\"\np1,tt,phq9,2025-02-01,4\n").unwrap();
    drop(file);
    let participants = dir.path().join("participants.csv");
    std::fs::write(&participants, PARTICIPANTS).unwrap();
    let data = Ingest::new(Catalogue::builtin()).load_paths(&participants, &path).unwrap();
    accounted(&data);
    assert_eq!((data.assessments().len(), data.rejects().len()), (1, 1));
    assert!(data.rejects().entries()[0].value.as_ref().unwrap().len() < 400);
}

fn plan_in(dir: &std::path::Path, participants: &str, outcomes: &str) -> std::path::PathBuf {
    let plan = format!(
        "title = \"t\"\n[data]\nparticipants = \"{participants}\"\noutcomes = \"{outcomes}\"\n\
         [[pilot]]\nid = \"tt\"\nname = \"t\"\nprogramme = \"psychological_therapies\"\n"
    );
    let path = dir.join("plan.toml");
    std::fs::write(&path, plan).unwrap();
    path
}

#[test]
fn plans_that_point_at_the_wrong_things() {
    let dir = temp_dir("plans");
    let d = dir.path();
    std::fs::write(d.join("participants.csv"), PARTICIPANTS).unwrap();
    std::fs::write(d.join("outcomes.csv"), OUTCOMES_HEADER).unwrap();
    let run = |p: &str, o: &str| Plan::load(&plan_in(d, p, o)).and_then(|plan| plan.run()).map(|_| ());
    // Outside its folder: allowed (shared data folders are common), and it loads.
    let sub = d.join("sub");
    std::fs::create_dir_all(&sub).unwrap();
    let plan = plan_in(&sub, "../participants.csv", "../outcomes.csv");
    assert!(Plan::load(&plan).unwrap().run().is_ok());
    let err = run(".", "outcomes.csv").unwrap_err().to_string();
    assert!(err.contains("this is a folder"), "{err}");
    let err = run("plan.toml", "outcomes.csv").unwrap_err().to_string();
    assert!(err.contains("required column 'participant_id' is missing"), "{err}");
    let err = run("nowhere.csv", "outcomes.csv").unwrap_err().to_string();
    assert!(err.contains("nowhere.csv") && err.contains("does not exist"), "{err}");
    let err = Plan::load(d).unwrap_err().to_string();
    assert!(err.contains("this is a folder"), "{err}");
}

#[test]
fn deep_or_huge_toml_is_refused() {
    let dir = temp_dir("toml");
    let deep = format!("title = {}1{}\n", "[".repeat(100_000), "]".repeat(100_000));
    std::fs::write(dir.path().join("deep.toml"), deep).unwrap();
    assert!(Plan::load(&dir.path().join("deep.toml")).is_err());
    let huge = format!("title = \"{}\"\n", "x".repeat(5 * 1024 * 1024));
    std::fs::write(dir.path().join("huge.toml"), huge).unwrap();
    let err = Plan::load(&dir.path().join("huge.toml")).unwrap_err().to_string();
    assert!(err.contains("a plan file is at most"), "{err}");
}

#[test]
fn results_and_plans_cross_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Plan>();
    send_sync::<coproduction::Evaluation>();
    send_sync::<DataSet>();
    send_sync::<Error>();
    let path = root().join("fixtures/demo/plan.toml");
    let one = Plan::load(&path).unwrap().run().unwrap();
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let path = path.clone();
            std::thread::spawn(move || Plan::load(&path).unwrap().run().unwrap())
        })
        .collect();
    for handle in handles {
        let other = handle.join().unwrap();
        assert_eq!(
            coproduction::JsonPrinter.to_string(&other.publish().unwrap()).unwrap(),
            coproduction::JsonPrinter.to_string(&one.publish().unwrap()).unwrap()
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Arbitrary bytes as an outcomes file: a clean load with every row accounted for, or
    /// an error; never a panic.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2000)) {
        let mut text = OUTCOMES_HEADER.as_bytes().to_vec();
        text.extend(&bytes);
        if let Ok(data) = load(PARTICIPANTS.as_bytes(), &text) {
            accounted(&data);
        }
        let _ = load(&bytes, OUTCOMES_HEADER.as_bytes());
    }

    /// Arbitrary text as a plan or an impact map: an error or a plan, never a panic.
    #[test]
    fn arbitrary_plans_never_panic(text in "\\PC{0,400}", tail in "[a-z_=\\[\\]\" 0-9.%\n]{0,200}") {
        let plan = format!("title = \"t\"\n[data]\nparticipants = \"p.csv\"\noutcomes = \"o.csv\"\n{tail}\n{text}");
        let _ = Plan::from_toml_str(&plan, "plan.toml", std::path::Path::new("."));
        let _ = Plan::from_toml_str(&text, "plan.toml", std::path::Path::new("."));
        let _ = coproduction::value::ImpactMap::from_toml_str(&format!("price_year = 2025\n{tail}"), "map.toml");
        let _ = coproduction::value::ImpactMap::from_toml_str(&text, "map.toml");
    }
}
