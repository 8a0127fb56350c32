//! Outcome figures on the demo, cross-checked against the peer scripts, and every Talking
//! Therapies branch on hand-made episodes.

use coproduction::{Catalogue, DataSet, Ingest, OutcomeRules, PilotSpec, Programme, evaluate_outcomes};

use crate::root;

fn pilots() -> Vec<PilotSpec> {
    [
        ("tt", Programme::PsychologicalTherapies),
        ("cv", Programme::Cardiovascular),
        ("dem", Programme::Dementia),
        ("wb", Programme::Wellbeing),
    ]
    .into_iter()
    .map(|(id, programme)| PilotSpec { id: id.to_string(), name: id.to_string(), programme })
    .collect()
}

fn demo_data() -> DataSet {
    let demo = root().join("fixtures/demo");
    Ingest::new(Catalogue::builtin())
        .load_paths(&demo.join("participants.csv"), &demo.join("outcomes.csv"))
        .unwrap()
}

fn close(actual: Option<f64>, expected: f64) {
    let actual = actual.unwrap();
    assert!((actual - expected).abs() <= 1e-9 * expected.abs().max(1e-12), "{actual} vs {expected}");
}

/// Reference: `python3 ../shared/peers/polars_pipeline.py fixtures/demo/participants.csv
/// fixtures/demo/outcomes.csv out.json` (scipy 1.17.1, polars 1.x, Python 3.11); the
/// pandas peer gives the same figures.
#[test]
fn demo_statistics_match_the_peers() {
    let data = demo_data();
    let outcomes =
        evaluate_outcomes(&data, &pilots(), Catalogue::builtin(), &OutcomeRules::default()).unwrap();
    let tt = outcomes.pilot("tt").unwrap().talking_therapies.as_ref().unwrap();
    let counts = |r: &Option<coproduction::stats::Proportion>| r.map(|r| (r.count, r.denominator));
    assert_eq!(tt.finished_treatment.unwrap().count, 184);
    assert_eq!(counts(&tt.recovery), Some((66, 181)));
    assert_eq!(counts(&tt.reliable_improvement), Some((127, 184)));
    assert_eq!(counts(&tt.reliable_recovery), Some((64, 181)));
    assert_eq!(counts(&tt.reliable_deterioration), Some((13, 184)));
    close(tt.recovery.map(|r| r.ci_low), 0.29800796600796137);
    close(tt.reliable_improvement.map(|r| r.ci_high), 0.7525679058209164);

    let cv = outcomes.pilot("cv").unwrap().cardiovascular.as_ref().unwrap();
    assert_eq!(counts(&cv.controlled_first), Some((19, 119)));
    assert_eq!(counts(&cv.controlled_last), Some((46, 119)));
    assert_eq!(cv.n_paired, 119);
    close(cv.sbp_mean_fall, 6.201680672268908);

    // NG136 categories and Zarit band shifts account for every paired person.
    let first: usize = cv.categories.iter().map(|c| c.1).sum();
    let last: usize = cv.categories.iter().map(|c| c.2).sum();
    assert_eq!((first, last), (cv.n_paired_both, cv.n_paired_both));
    assert_eq!(cv.categories[0].0, "below 140/90");
    let zbi = outcomes.pilot("dem").unwrap().measure("zbi22").unwrap();
    let shift = zbi.band_shift.unwrap();
    assert_eq!(shift.better + shift.same + shift.worse, zbi.n_paired);
    assert!(shift.better > shift.worse, "carers' burden falls on average in the demo");
    let qaly = outcomes.pilot("dem").unwrap().qaly.as_ref().unwrap();
    assert_eq!(qaly.n, 68);
    assert!(tt.caseness_change.unwrap().p_value < 0.001);

    // pilot, measure, n, mean change, t, p, wilcoxon p, d_z, d_av, g_av, improved, deteriorated
    let expected = [
        (
            "tt",
            "phq9",
            213,
            -6.276995305164319,
            -14.122484564897722,
            2.3333127777118353e-32,
            1.178747437230481e-25,
            -0.96765669785815,
            -1.1488966005994785,
            -1.1448265075741302,
            Some((109, 10)),
        ),
        (
            "tt",
            "gad7",
            213,
            -5.117370892018779,
            -14.239456780240161,
            9.918966563447705e-33,
            3.6659520898139864e-26,
            -0.9756715019897655,
            -1.0390070054437222,
            -1.0353262084390675,
            Some((134, 9)),
        ),
        (
            "tt",
            "spin",
            11,
            -15.909090909090908,
            -2.2904503501785105,
            0.044979218416211275,
            0.06821657316330874,
            -0.6905967647709322,
            -0.9789849179419502,
            -0.9033540333811464,
            Some((7, 1)),
        ),
        (
            "tt",
            "pcl5",
            17,
            -11.764705882352942,
            -2.0609796825244784,
            0.05594605897483377,
            0.023034263836784162,
            -0.49986099548825746,
            -0.7647724426142432,
            -0.7282574912321041,
            Some((9, 1)),
        ),
        (
            "cv",
            "sbp",
            119,
            -6.201680672268908,
            -4.215511211602957,
            4.906091406119895e-05,
            5.861163771886037e-05,
            -0.3864352791882004,
            -0.3190106526559396,
            -0.3169780172237789,
            None,
        ),
        (
            "cv",
            "dbp",
            119,
            -3.6050420168067228,
            -4.975975079991674,
            2.2329383056781873e-06,
            6.657631988900469e-06,
            -0.45614688770782,
            -0.30601851306936717,
            -0.3040686594598302,
            None,
        ),
        (
            "dem",
            "zbi22",
            68,
            -4.044117647058823,
            -4.367181980849193,
            4.469074017958637e-05,
            0.00014720835503185067,
            -0.529598605686335,
            -0.2640812206657506,
            -0.2611121575120631,
            None,
        ),
        (
            "wb",
            "ons_life_satisfaction",
            85,
            0.7647058823529411,
            3.539400536750281,
            0.00065657470107144,
            0.001092402038409457,
            0.383901889420418,
            0.30241847989197257,
            0.29970890362333047,
            None,
        ),
        (
            "wb",
            "ons_anxiety",
            85,
            -0.788235294117647,
            -4.297630935927607,
            4.621090351932642e-05,
            0.0001330999696005287,
            -0.46614352323319785,
            -0.29567070511617144,
            -0.29302158682749535,
            None,
        ),
    ];
    for (pilot, measure, n, mean, t, p, wp, dz, dav, gav, rc) in expected {
        let m = outcomes.pilot(pilot).unwrap().measure(measure).unwrap();
        assert_eq!(m.n_paired, n, "{pilot} {measure}");
        close(m.mean_change, mean);
        close(m.t, t);
        close(m.p_value, p);
        close(m.wilcoxon_p, wp);
        close(m.d_z, dz);
        close(m.d_av, dav);
        close(m.g_av, gav);
        if let Some((improved, deteriorated)) = rc {
            assert_eq!(
                (m.improved, m.deteriorated),
                (Some(improved), Some(deteriorated)),
                "{pilot} {measure}"
            );
        }
    }
}

fn tt_run(participants: &str, outcomes: &str, rules: OutcomeRules) -> coproduction::TalkingTherapies {
    let data = Ingest::new(Catalogue::builtin())
        .load_readers(participants.as_bytes(), "p.csv", outcomes.as_bytes(), "o.csv")
        .unwrap();
    assert!(data.rejects().is_empty(), "{:?}", data.rejects());
    let spec =
        vec![PilotSpec { id: "tt".into(), name: "tt".into(), programme: Programme::PsychologicalTherapies }];
    let out = evaluate_outcomes(&data, &spec, Catalogue::builtin(), &rules).unwrap();
    out.pilots[0].talking_therapies.clone().unwrap()
}

const HEADER_P: &str = "participant_id,pilot_id,end_date,treatment_sessions,problem_descriptor\n";
const HEADER_O: &str = "participant_id,pilot_id,measure,assessed_on,score\n";

fn episode(id: &str, descriptor: &str, scores: &[(&str, f64, f64)]) -> (String, String) {
    let p = format!("{id},tt,2025-06-01,6,{descriptor}\n");
    let mut o = String::new();
    for (measure, first, last) in scores {
        o.push_str(&format!("{id},tt,{measure},2025-01-10,{first}\n{id},tt,{measure},2025-05-10,{last}\n"));
    }
    (p, o)
}

#[test]
fn talking_therapies_rules_branch_by_branch() {
    let cases = [
        // recovered and reliably improved
        episode("a", "F32", &[("phq9", 16.0, 6.0), ("gad7", 12.0, 5.0)]),
        // recovered without reliable improvement (falls below RC)
        episode("b", "F32", &[("phq9", 11.0, 9.0), ("gad7", 9.0, 7.0)]),
        // improved on PHQ-9 but reliably worse on GAD-7: neither improvement nor deterioration
        episode("c", "F32", &[("phq9", 20.0, 10.0), ("gad7", 5.0, 12.0)]),
        // reliable deterioration
        episode("d", "F32", &[("phq9", 8.0, 16.0), ("gad7", 5.0, 6.0)]),
        // not at caseness at first: outside recovery, inside improvement
        episode("e", "F32", &[("phq9", 8.0, 1.0), ("gad7", 6.0, 2.0)]),
        // social anxiety: SPIN replaces GAD-7 (cut-off 19, RC 10)
        episode("f", "F40.1", &[("phq9", 8.0, 6.0), ("gad7", 3.0, 3.0), ("spin", 40.0, 15.0)]),
        // PTSD descriptor without paired PCL-5: falls back to GAD-7
        episode("g", "F43.1", &[("phq9", 12.0, 4.0), ("gad7", 9.0, 3.0)]),
    ];
    let mut participants = HEADER_P.to_string();
    let mut outcomes = HEADER_O.to_string();
    for (p, o) in &cases {
        participants.push_str(p);
        outcomes.push_str(o);
    }
    // Not finished: one session only.
    participants.push_str("h,tt,2025-06-01,1,F32\n");
    // Finished but unpaired on GAD-7.
    participants.push_str("i,tt,2025-06-01,4,F32\n");
    outcomes.push_str("i,tt,phq9,2025-01-10,15\ni,tt,phq9,2025-05-10,5\ni,tt,gad7,2025-01-10,12\n");

    let tt = tt_run(&participants, &outcomes, OutcomeRules::default());
    let pair = |r: Option<coproduction::stats::Proportion>| r.map(|r| (r.count, r.denominator)).unwrap();
    assert_eq!(pair(tt.finished_treatment), (8, 9));
    assert_eq!(tt.finished_not_paired, 1);
    // At caseness at first: a, b, c, f (SPIN 40 ≥ 19), g; d and e are not.
    assert_eq!(pair(tt.recovery), (4, 5), "a, b, f, g recover; c does not");
    assert_eq!(pair(tt.reliable_improvement), (4, 7), "a, e, f, g");
    assert_eq!(pair(tt.reliable_recovery), (3, 5), "a, f, g");
    assert_eq!(pair(tt.reliable_deterioration), (1, 7), "d");
    assert!(tt.anxiety_measures.contains(&("spin".to_string(), 1)));

    // Without the "no reliable rise" clause, c counts as improved and as deteriorated.
    let mut rules = OutcomeRules::default();
    rules.talking_therapies.improvement_requires_no_deterioration = false;
    rules.talking_therapies.deterioration_requires_no_improvement = false;
    let tt = tt_run(&participants, &outcomes, rules);
    assert_eq!(pair(tt.reliable_improvement), (5, 7));
    assert_eq!(pair(tt.reliable_deterioration), (2, 7));
}

/// A user's ADSM, its table from the plan's rules, and the instrument's own inclusive flag.
fn user_adsm_run(
    caseness: &str,
    episodes: &[(String, String)],
) -> coproduction::Result<coproduction::TalkingTherapies> {
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("adsm.toml");
    std::fs::write(
        &table,
        "source = \"local\"\nconfidence = \"unconfirmed\"\n[[descriptor]]\ncode = \"F40.1\"\ncondition = \"Social anxiety\"\nmeasure = \"my_adsm\"\n",
    )
    .unwrap();
    let mut catalogue = Catalogue::with_builtin().unwrap();
    catalogue
        .add_from_toml(
            &format!(
                "id = \"my_adsm\"\nname = \"My ADSM\"\ndescription = \"a local anxiety measure\"\nversion = \"1\"\n\
                 items = 10\nitem_min = 0\nitem_max = 4\nmissing_items = \"complete\"\ntotal_min = 0\ntotal_max = 40\n\
                 direction = \"lower_is_better\"\nscoring = \"sum\"\nlicence = \"local\"\nsource = \"local\"\nconfidence = \"unconfirmed\"\n{caseness}"
            ),
            "my_adsm.toml",
        )
        .unwrap();
    let mut participants = HEADER_P.to_string();
    let mut outcomes = HEADER_O.to_string();
    for (p, o) in episodes {
        participants.push_str(p);
        outcomes.push_str(o);
    }
    let data = Ingest::new(&catalogue)
        .load_readers(participants.as_bytes(), "p.csv", outcomes.as_bytes(), "o.csv")
        .unwrap();
    assert!(data.rejects().is_empty(), "{:?}", data.rejects());
    let spec =
        vec![PilotSpec { id: "tt".into(), name: "tt".into(), programme: Programme::PsychologicalTherapies }];
    let mut rules = OutcomeRules::default();
    rules.talking_therapies.adsm = Some(table);
    let out = evaluate_outcomes(&data, &spec, &catalogue, &rules)?;
    Ok(out.pilots[0].talking_therapies.clone().unwrap())
}

#[test]
fn user_adsm_tables_and_exclusive_caseness() {
    // Depression below caseness; the ADSM sits exactly on its cut-off of 20 at first.
    let on_the_cut =
        [episode("a", "F40.1", &[("phq9", 5.0, 4.0), ("gad7", 3.0, 3.0), ("my_adsm", 20.0, 10.0)])];
    let exclusive = "[caseness]\nvalue = 20\ninclusive = false\nsource = \"local\"\nconfidence = \"unconfirmed\"\n\
                     [reliable_change]\nvalue = 5\nsource = \"local\"\nconfidence = \"unconfirmed\"\n";
    let tt = user_adsm_run(exclusive, &on_the_cut).unwrap();
    assert!(tt.anxiety_measures.contains(&("my_adsm".to_string(), 1)), "{:?}", tt.anxiety_measures);
    // "Above 20" only: 20 is not a case, so the person is outside the recovery denominator.
    assert_eq!(tt.not_at_caseness_at_first, 1);
    assert!(tt.recovery.is_none_or(|r| r.denominator == 0));
    let inclusive = exclusive.replace("inclusive = false", "inclusive = true");
    let tt = user_adsm_run(&inclusive, &on_the_cut).unwrap();
    assert_eq!(tt.not_at_caseness_at_first, 0);
    assert_eq!(tt.recovery.map(|r| (r.count, r.denominator)), Some((1, 1)));
    // Without caseness or reliable change the ADSM is an error, not a silent GAD-7.
    let no_rc = "[caseness]\nvalue = 20\nsource = \"local\"\nconfidence = \"unconfirmed\"\n";
    let err = user_adsm_run(no_rc, &on_the_cut).unwrap_err().to_string();
    assert!(err.contains("my_adsm") && err.contains("fixed reliable-change value"), "{err}");
    let err = user_adsm_run("", &on_the_cut).unwrap_err().to_string();
    assert!(err.contains("my_adsm") && err.contains("caseness cut-off"), "{err}");
}
