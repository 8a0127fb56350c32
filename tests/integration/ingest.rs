//! Loading real files: the demo, every awkward row, Parquet, and the accounting invariant.

use coproduction::{Catalogue, DataSet, Ingest};
use polars::prelude::*;
use proptest::prelude::*;

use crate::{fixture, root, temp_dir};

fn load_awkward() -> DataSet {
    Ingest::new(Catalogue::builtin())
        .pilots(["tt", "cv", "wb"])
        .load_paths(&fixture("awkward/participants.csv"), &fixture("awkward/outcomes.csv"))
        .unwrap()
}

/// Pilot ids are matched exactly, never guessed; a slip of case is named.
#[test]
fn a_pilot_id_in_another_case_is_named_not_guessed() {
    let participants = "participant_id,pilot_id\np1,TT\np2, tt\np3,tt\n";
    let outcomes = "participant_id,pilot_id,measure,assessed_on,score\n";
    let data = Ingest::new(Catalogue::builtin())
        .pilots(["tt", "cv"])
        .load_readers(participants.as_bytes(), "p.csv", outcomes.as_bytes(), "o.csv")
        .unwrap();
    let reasons: Vec<&str> = data.rejects().entries().iter().map(|r| r.reason.as_str()).collect();
    assert_eq!(
        reasons,
        [
            "unknown pilot 'TT' (did you mean 'tt'? pilot ids are case-sensitive): the plan's pilots are cv, tt",
        ]
    );
    // Spaces around a cell are not part of it.
    assert_eq!(data.participants().len(), 2);
}

/// Repeats are found wherever they sit in the file (not only on adjacent rows), the
/// earliest row is kept, and the rejects stay in row order among the other rejects.
#[test]
fn repeated_assessments_anywhere_in_the_file() {
    let participants = "participant_id,pilot_id\np1,tt\np2,tt\n";
    let outcomes = "participant_id,pilot_id,measure,assessed_on,score\n\
                    p1,tt,phq9,10/01/2025,15\n\
                    p2,tt,phq9,10/01/2025,12\n\
                    p1,tt,gad7,10/01/2025,9\n\
                    p1,tt,phq9,10/01/2025,14\n\
                    p2,tt,phq9,31/02/2025,12\n\
                    p1,tt,phq9,01/03/2025,7\n\
                    p1,tt,phq9,10/01/2025,13\n";
    let data = Ingest::new(Catalogue::builtin())
        .date_format(coproduction::DateFormat::UK)
        .pilots(["tt"])
        .load_readers(participants.as_bytes(), "p.csv", outcomes.as_bytes(), "o.csv")
        .unwrap();
    let rejects: Vec<_> =
        data.rejects().entries().iter().map(|r| (r.row, r.value.clone().unwrap_or_default())).collect();
    assert_eq!(
        rejects,
        [(5, "10/01/2025".to_string()), (6, "31/02/2025".to_string()), (8, "10/01/2025".to_string())]
    );
    assert_eq!(
        data.rejects().entries()[2].reason,
        "repeats the phq9 assessment of participant 'p1' on 2025-01-10 (first at row 2)"
    );
    let kept: Vec<(u64, f64)> = data.assessments().iter().map(|a| (a.row, a.score)).collect();
    // Rows as a spreadsheet shows them: the header is row 1.
    assert_eq!(kept, [(2, 15.0), (3, 12.0), (4, 9.0), (7, 7.0)]);
    let file = &data.files()[1];
    assert_eq!((file.rows_read, file.rows_accepted, file.rows_rejected), (7, 4, 3));
}

#[test]
fn demo_loads_with_zero_rejects() {
    let demo = root().join("fixtures/demo");
    let data = Ingest::new(Catalogue::builtin())
        .pilots(["tt", "cv", "dem", "wb"])
        .load_paths(&demo.join("participants.csv"), &demo.join("outcomes.csv"))
        .unwrap();
    assert!(data.rejects().is_empty(), "{:?}", data.rejects().entries().first());
    assert_eq!(data.participants().len(), 600);
    assert!(data.assessments().len() > 5_000);
    for f in data.files() {
        assert_eq!(f.rows_read, f.rows_accepted + f.rows_rejected);
    }
}

#[test]
fn awkward_participants_reject_exactly_the_bad_rows() {
    let data = load_awkward();
    let file = &data.files()[0];
    assert_eq!((file.rows_read, file.rows_accepted, file.rows_rejected, file.cells_blanked), (8, 5, 3, 1));
    let rejects: Vec<_> = data.rejects().in_file(&file.file).collect();
    let expected = [
        (4, Some("participant_id"), "participant_id is empty"),
        (5, Some("pilot_id"), "unknown pilot 'zz': the plan's pilots are cv, tt, wb"),
        (6, Some("participant_id"), "participant 'p1' of pilot 'tt' is already listed at row 2"),
    ];
    // An impossible referral date (it only feeds breakdowns) is a cell, not a person: the
    // participant is kept with the date unknown, and the cell is listed.
    assert!(
        data.warnings().iter().any(|w| w.ends_with(
            "row 7: referral_date '2025-02-29' is not a valid date: that day does not exist in that month; the participant is kept with referral_date unknown"
        )),
        "{:?}",
        data.warnings()
    );
    assert_eq!(rejects.len(), expected.len());
    for (reject, (row, column, reason)) in rejects.iter().zip(expected) {
        assert_eq!(reject.row, row);
        assert_eq!(reject.column.as_deref(), column);
        assert!(reject.reason.starts_with(reason), "{} vs {reason}", reject.reason);
    }
    // BOM, CRLF, header case and spaces, quoted commas and quotes, UTF-8 names.
    let p1 = &data.participants()[0];
    assert_eq!(p1.area.as_deref(), Some("Tooting, Broadway \"East\""));
    assert_eq!(p1.problem_descriptor.as_deref(), Some("F41.1"));
    let p2 = &data.participants()[1];
    assert_eq!((p2.gender.as_deref(), p2.age, p2.end_date), (None, None, None));
    assert_eq!(data.participants()[4].gender.as_deref(), Some("Zoë"));
}

#[test]
fn awkward_outcomes_reject_exactly_the_bad_rows() {
    let data = load_awkward();
    let file = &data.files()[1];
    assert_eq!((file.rows_read, file.rows_accepted, file.rows_rejected), (14, 4, 10));
    let rejects: Vec<_> = data.rejects().in_file(&file.file).collect();
    let expected = [
        (4, Some("participant_id"), "participant 'p9' of pilot 'tt' is not in"),
        (5, Some("pilot_id"), "unknown pilot 'zz'"),
        (6, Some("measure"), "unknown measure 'phq' (did you mean 'phq9'?)"),
        (7, Some("score"), "total 28 is outside"),
        (8, Some("item_4"), "item 4 is 4"),
        (9, Some("score"), "score 'abc' is not a number"),
        (10, Some("assessed_on"), "assessed_on '2025-02-30' is not a valid date"),
        (11, None, "both score and items are empty"),
        (12, Some("participant_id"), "participant_id is empty"),
        (
            13,
            Some("assessed_on"),
            "repeats the phq9 assessment of participant 'p1' on 2025-03-01 (first at row 3)",
        ),
    ];
    assert_eq!(rejects.len(), expected.len(), "{rejects:#?}");
    for (reject, (row, column, reason)) in rejects.iter().zip(expected) {
        assert_eq!(reject.row, row, "{reject:?}");
        assert_eq!(reject.column.as_deref(), column, "{reject:?}");
        assert!(reject.reason.starts_with(reason), "{} vs {reason}", reject.reason);
    }
    let items = &data.assessments()[2];
    assert_eq!((data.measure_id(items.measure), items.score), ("gad7", 9.0));
    assert_eq!(data.assessments()[3].setting, coproduction::Setting::Home);
}

#[test]
fn uk_dates_load_when_declared() {
    let participants = "participant_id,pilot_id,referral_date\np1,tt,22/04/2025\n";
    let outcomes = "participant_id,pilot_id,measure,assessed_on,score\np1,tt,phq9,01/05/2025,12\np1,tt,phq9,2025-06-01,8\n";
    let data = Ingest::new(Catalogue::builtin())
        .date_format(coproduction::DateFormat::UK)
        .load_readers(participants.as_bytes(), "p.csv", outcomes.as_bytes(), "o.csv")
        .unwrap();
    assert_eq!(data.participants()[0].referral_date.unwrap().to_string(), "2025-04-22");
    assert_eq!(data.assessments().len(), 1);
    assert!(data.rejects().entries()[0].reason.contains("expected a date as DD/MM/YYYY"));
}

#[test]
fn whole_file_problems_are_clear_errors() {
    let load = |p: &str, o: &str| {
        Ingest::new(Catalogue::builtin()).load_readers(
            p.as_bytes(),
            "participants.csv",
            o.as_bytes(),
            "outcomes.csv",
        )
    };
    let ok_o = "participant_id,pilot_id,measure,assessed_on,score\n";
    let err = load("participant_id,age\np1,3\n", ok_o).unwrap_err().to_string();
    assert_eq!(
        err,
        "participants.csv: required column 'pilot_id' is missing (columns found: participant_id, age)"
    );
    let err = load("", ok_o).unwrap_err().to_string();
    assert!(err.contains("participants.csv: the file is empty"), "{err}");
    let err = load("participant_id,pilot_id\n", "participant_id,pilot_id,measure,assessed_on\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("outcomes.csv: required column 'score (or item_1, item_2, ...)'"), "{err}");
    let err = load("participant_id,pilot_id,pilot_id\n", ok_o).unwrap_err().to_string();
    assert!(err.contains("names column 'pilot_id' twice"), "{err}");
}

/// A Parquet file as a data tool would write it: native integer, float and date columns.
fn write_native_parquet(data: &DataSet, dir: &std::path::Path) {
    let mut participants = data.participants_frame().unwrap();
    let epoch = |d: coproduction::Date| d.days_since_epoch() as i32;
    // Date columns as native dates: they load whatever text format the plan declares.
    for (name, dates) in [
        ("referral_date", data.participants().iter().map(|p| p.referral_date.map(epoch)).collect::<Vec<_>>()),
        ("end_date", data.participants().iter().map(|p| p.end_date.map(epoch)).collect::<Vec<_>>()),
    ] {
        let column = Series::new(name.into(), dates).cast(&DataType::Date).unwrap();
        participants.with_column(column.into()).unwrap();
    }
    let p = data.participants();
    let a = data.assessments();
    let outcomes = DataFrame::new_infer_height(vec![
        Series::new(
            "participant_id".into(),
            a.iter().map(|x| p[x.participant as usize].participant_id.clone()).collect::<Vec<_>>(),
        )
        .into(),
        Series::new(
            "pilot_id".into(),
            a.iter().map(|x| p[x.participant as usize].pilot_id.to_string()).collect::<Vec<_>>(),
        )
        .into(),
        Series::new("measure".into(), a.iter().map(|x| data.measure_id(x.measure)).collect::<Vec<_>>())
            .into(),
        Series::new("assessed_on".into(), a.iter().map(|x| epoch(x.assessed_on)).collect::<Vec<_>>())
            .cast(&DataType::Date)
            .unwrap()
            .into(),
        Series::new("score".into(), a.iter().map(|x| x.raw_score).collect::<Vec<_>>()).into(),
    ])
    .unwrap();
    for (name, mut frame) in [("participants", participants), ("outcomes", outcomes)] {
        let file = std::fs::File::create(dir.join(format!("{name}.parquet"))).unwrap();
        ParquetWriter::new(file).finish(&mut frame).unwrap();
    }
}

#[test]
fn parquet_loads_exactly_like_csv() {
    let demo = root().join("fixtures/demo");
    let csv = Ingest::new(Catalogue::builtin())
        .load_paths(&demo.join("participants.csv"), &demo.join("outcomes.csv"))
        .unwrap();
    let dir = temp_dir("parquet");
    write_native_parquet(&csv, dir.path());
    for format in [coproduction::DateFormat::Iso, coproduction::DateFormat::UK] {
        let parquet = Ingest::new(Catalogue::builtin())
            .date_format(format)
            .load_paths(&dir.path().join("participants.parquet"), &dir.path().join("outcomes.parquet"))
            .unwrap();
        assert!(parquet.rejects().is_empty(), "{:?}", parquet.rejects().entries().first());
        assert_eq!(parquet.participants(), csv.participants());
        assert_eq!(parquet.assessments().len(), csv.assessments().len());
        for (a, b) in parquet.assessments().iter().zip(csv.assessments()) {
            assert_eq!(
                (a.participant, &a.measure, a.assessed_on, a.score),
                (b.participant, &b.measure, b.assessed_on, b.score)
            );
        }
    }

    // The memory check counts a Parquet file's rows from its footer.
    let mut plan = coproduction::Plan::load(&demo.join("plan.toml")).unwrap();
    plan.data.participants = dir.path().join("participants.parquet");
    plan.data.outcomes = dir.path().join("outcomes.parquet");
    plan.memory_limit = Some(1);
    match plan.run() {
        Err(coproduction::Error::TooLarge { rows, .. }) => {
            assert_eq!(rows, (csv.participants().len() + csv.assessments().len()) as u64)
        }
        other => panic!("expected the memory check to refuse: {:?}", other.err()),
    }
}

#[test]
fn frames_round_trip() {
    let data = load_awkward();
    let participants = data.participants_frame().unwrap();
    let outcomes = data.assessments_frame().unwrap();
    assert_eq!(participants.height(), data.participants().len());
    let again = Ingest::new(Catalogue::builtin()).load_frames(&participants, &outcomes).unwrap();
    assert_eq!(again.participants(), data.participants());
    assert_eq!(again.assessments().len(), data.assessments().len());
}

fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("p1".to_string()),
        Just("tt".to_string()),
        Just("phq9".to_string()),
        Just("2025-01-10".to_string()),
        Just("2025-02-30".to_string()),
        Just("\"a,b\"".to_string()),
        Just("\"".to_string()),
        "[0-9]{1,3}",
        "[ -~]{0,8}",
        "\\PC{0,4}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// For arbitrary generated files, rows read = accepted + rejected, per file, and
    /// nothing panics.
    #[test]
    fn every_row_is_accounted_for(
        rows in prop::collection::vec(prop::collection::vec(cell(), 0..8), 0..25),
        line_end in prop_oneof![Just("\n"), Just("\r\n")],
    ) {
        let participants = "participant_id,pilot_id,age\np1,tt,30\np2,tt,\n";
        let mut outcomes = String::from("participant_id,pilot_id,measure,assessed_on,score,item_1,item_2");
        for row in &rows {
            outcomes.push_str(line_end);
            outcomes.push_str(&row.join(","));
        }
        // The same text read from files, where rows are parsed and checked on other
        // threads, and from readers, where they are not: the same data set.
        let dir = temp_dir("accounting");
        let (p_path, o_path) = (dir.path().join("p.csv"), dir.path().join("o.csv"));
        std::fs::write(&p_path, participants).unwrap();
        std::fs::write(&o_path, &outcomes).unwrap();
        let (p_label, o_label) = (p_path.display().to_string(), o_path.display().to_string());
        let ingest = Ingest::new(Catalogue::builtin());
        let from_files = ingest.load_paths(&p_path, &o_path);
        let result = ingest.load_readers(participants.as_bytes(), &p_label, outcomes.as_bytes(), &o_label);
        match (&result, &from_files) {
            (Ok(a), Ok(b)) => {
                prop_assert_eq!(a.participants(), b.participants());
                prop_assert_eq!(a.assessments(), b.assessments());
                prop_assert_eq!(a.rejects(), b.rejects());
                prop_assert_eq!(a.files(), b.files());
            }
            (Err(a), Err(b)) => prop_assert_eq!(a.to_string(), b.to_string()),
            _ => prop_assert!(false, "files and readers disagree: {:?} / {:?}", result.is_ok(), from_files.is_ok()),
        }
        if let Ok(data) = result {
            for f in data.files() {
                prop_assert_eq!(f.rows_read, f.rows_accepted + f.rows_rejected);
                prop_assert_eq!(f.rows_rejected as usize, data.rejects().in_file(&f.file).count());
            }
            prop_assert_eq!(data.assessments().len() as u64, data.files()[1].rows_accepted);
        }
    }
}

#[test]
fn rows_are_numbered_as_a_spreadsheet_shows_them_and_blank_rows_are_not_rejects() {
    // A cell with a line break (row 2) and a cleared row left as commas (row 3): Excel
    // shows the bad participant on row 5.
    let participants = "participant_id,pilot_id,area\r\n\
                        p1,tt,\"Flat 2\r\nHigh Street\"\r\n\
                        ,,\r\n\
                        p2,tt,Balham\r\n\
                        p3,zz,Putney\r\n";
    let outcomes = "participant_id,pilot_id,measure,assessed_on,score\n,,,,\np1,tt,phq9,2025-01-10,15\np2,tt,phq9,2025-01-10,99\n";
    let data = Ingest::new(Catalogue::builtin())
        .pilots(["tt"])
        .load_readers(participants.as_bytes(), "p.csv", outcomes.as_bytes(), "o.csv")
        .unwrap();
    let rows: Vec<_> = data.rejects().entries().iter().map(|r| (r.file.as_str(), r.row)).collect();
    assert_eq!(rows, [("p.csv", 5), ("o.csv", 4)]);
    let p = &data.files()[0];
    assert_eq!((p.rows_read, p.rows_accepted, p.rows_rejected, p.rows_blank), (3, 2, 1, 1));
    let o = &data.files()[1];
    assert_eq!((o.rows_read, o.rows_accepted, o.rows_rejected, o.rows_blank), (2, 1, 1, 1));
    assert!(
        data.warnings()
            .iter()
            .any(|w| w == "p.csv: 1 blank row (every cell empty) skipped, not rejected: row 3")
    );
}

#[test]
fn a_bad_optional_cell_keeps_the_person_and_their_outcomes() {
    let participants = "participant_id,pilot_id,age,imd_decile,end_date\n\
                        TT-023,tt,200,11,2025-03-01\n\
                        TT-024,tt,34,3,2025-13-01\n";
    let outcomes = "participant_id,pilot_id,measure,assessed_on,score\n\
                    TT-023,tt,phq9,2025-01-10,15\n\
                    TT-023,tt,phq9,2025-03-01,7\n\
                    tt-023 ,tt,phq9,2025-03-02,6\n";
    let data = Ingest::new(Catalogue::builtin())
        .pilots(["tt"])
        .load_readers(participants.as_bytes(), "p.csv", outcomes.as_bytes(), "o.csv")
        .unwrap();
    let p = &data.files()[0];
    // Age 200 and decile 11 are blanked; an impossible end date (it decides who finished
    // treatment) still rejects the row.
    assert_eq!((p.rows_read, p.rows_accepted, p.rows_rejected, p.cells_blanked), (2, 1, 1, 2));
    let person = &data.participants()[0];
    assert_eq!((person.participant_id.as_str(), person.age, person.imd_decile), ("TT-023", None, None));
    assert_eq!(data.assessments().len(), 2, "the person's outcomes are kept");
    let r = data.rejects().in_file("o.csv").next().unwrap();
    assert_eq!(r.row, 4);
    assert_eq!(r.reason, "participant 'tt-023' of pilot 'tt' is not in p.csv (did you mean 'TT-023'?)");
    assert!(data.warnings().iter().any(|w| w.starts_with("p.csv row 2: age 200 is outside 0-120")));
}
