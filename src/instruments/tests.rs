//! Hand-worked examples: every threshold and test vector here is from
//! outcome-measures.md (section named beside each test).

use super::*;
use crate::error::Error;

fn get(id: &str) -> &'static Instrument {
    Catalogue::builtin().get(id).unwrap()
}

fn items(values: &[f64]) -> Vec<Option<f64>> {
    values.iter().copied().map(Some).collect()
}

fn close(a: f64, b: f64, tolerance: f64) -> bool {
    (a - b).abs() <= tolerance
}

/// A valid user definition, to be broken one key at a time.
const USER: &str = r#"
id = "k10"
name = "K10"
version = "1"
items = 10
item_min = 1
item_max = 5
reverse_items = [2]
missing_items = "complete"
total_min = 10
total_max = 50
direction = "lower_is_better"
scoring = "sum"
licence = "no item wording shipped"
source = "Kessler et al. 2002"
confidence = "secondary"

[caseness]
value = 20
source = "user's own service"
confidence = "unconfirmed"

[bands]
source = "user's own service"
confidence = "secondary"
levels = [
  { label = "low", min = 10, max = 15 },
  { label = "high", min = 16, max = 50 },
]
"#;

fn load_user(text: &str) -> crate::error::Result<Catalogue> {
    let mut catalogue = Catalogue::with_builtin()?;
    catalogue.add_from_toml(text, "k10.toml")?;
    Ok(catalogue)
}

fn rejection(text: &str) -> String {
    load_user(text).unwrap_err().to_string()
}

#[test]
fn builtin_catalogue_loads() {
    let catalogue = Catalogue::try_builtin().unwrap();
    let expected = [
        "phq9",
        "gad7",
        "wsas",
        "core10",
        "wemwbs",
        "swemwbs",
        "ons_life_satisfaction",
        "ons_worthwhile",
        "ons_happiness",
        "ons_anxiety",
        "demqol",
        "demqol_proxy",
        "qol_ad",
        "zbi22",
        "zbi12",
        "eq5d5l",
        "eq5d3l",
        "eq_vas",
        "sbp",
        "dbp",
        "mmse",
        "moca",
        "spin",
        "pcl5",
        "pdss",
        "oci_r",
        "hai18",
        "aai",
        "ies_r",
        "mi_alone",
    ];
    let mut ids: Vec<&str> = catalogue.ids().collect();
    ids.sort_unstable();
    let mut want = expected.to_vec();
    want.sort_unstable();
    assert_eq!(ids, want);
    assert!(std::ptr::eq(Catalogue::builtin(), catalogue));
    // Every definition says where it comes from and what its licence is.
    for instrument in catalogue.instruments() {
        assert!(!instrument.source().is_empty() && !instrument.licence().is_empty(), "{}", instrument.id());
    }
    assert!(get("eq5d3l").value_set().is_some());
    assert!(get("eq5d5l").value_set().is_none());
}

#[test]
fn results_serialise() {
    let json = serde_json::to_value(get("phq9")).unwrap();
    assert_eq!(json["direction"], "lower_is_better");
    assert_eq!(json["caseness"]["confidence"], "confirmed");
    assert_eq!(json["missing_items"], "complete");
    let json = serde_json::to_value(get("demqol")).unwrap();
    assert_eq!(json["missing_items"]["prorate_if_at_least"], 14);
}

// §1.1: PHQ-9 9 × 0–3, caseness 10, RC 6, item 9 risk flag.
#[test]
fn phq9_scores_and_flags_risk() {
    let phq9 = get("phq9");
    let scored = phq9.score_items(&items(&[3.0, 3.0, 2.0, 2.0, 1.0, 1.0, 0.0, 0.0, 0.0])).unwrap();
    assert_eq!(
        scored,
        Scored { raw_total: 12.0, total: 12.0, answered: Some(9), prorated: false, risk_flag: false }
    );
    let risky = phq9.score_items(&items(&[0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0])).unwrap();
    assert!(risky.risk_flag);
    assert_eq!(risky.total, 1.0);
    assert_eq!(phq9.is_case(10.0), Some(true));
    assert_eq!(phq9.is_case(9.0), Some(false));
    assert_eq!(phq9.band(12.0).unwrap().label, "moderate");
    assert_eq!(phq9.reliable_change_value(Some(5.0)), Some((6.0, RcSource::Fixed)));
    assert_eq!(phq9.improvement(18.0, 8.0), 10.0);
}

#[test]
fn out_of_range_and_fractional_items_name_the_item() {
    let phq9 = get("phq9");
    let problem = phq9.score_items(&items(&[0.0, 0.0, 5.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0])).unwrap_err();
    assert_eq!(problem.item(), Some(3));
    assert_eq!(problem.to_string(), "item 3 is 5, outside 0–3");
    let problem = phq9.score_items(&items(&[0.0, 1.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0])).unwrap_err();
    assert_eq!(problem.item(), Some(2));
    assert_eq!(problem.to_string(), "item 2 is 1.5, but PHQ-9 answers are whole numbers");
    let problem = phq9.score_items(&[Some(f64::NAN)]).unwrap_err();
    assert_eq!((problem.item(), problem.to_string()), (Some(1), "item 1 is not a number".to_string()));
}

#[test]
fn blank_and_extra_items() {
    let phq9 = get("phq9");
    let mut answers = items(&[1.0; 9]);
    answers[3] = None;
    let problem = phq9.score_items(&answers).unwrap_err();
    assert_eq!(problem.item(), Some(4));
    assert_eq!(problem.to_string(), "item 4 is blank; PHQ-9 needs all 9 items answered");
    answers[5] = None;
    assert_eq!(
        phq9.score_items(&answers).unwrap_err().to_string(),
        "items 4, 6 are blank; PHQ-9 needs all 9 items answered"
    );
    assert_eq!(
        phq9.score_items(&[]).unwrap_err().to_string(),
        "all 9 items are blank; PHQ-9 needs all 9 items answered"
    );
    let wemwbs = get("wemwbs");
    let mut answers = vec![None; 14];
    answers[0] = Some(3.0);
    assert_eq!(
        wemwbs.score_items(&answers).unwrap_err().to_string(),
        "13 items are blank (the first is item 2); WEMWBS needs all 14 items answered"
    );

    // Blank cells past the end are fine; a value there is not.
    let mut answers = items(&[1.0; 9]);
    answers.push(None);
    assert_eq!(phq9.score_items(&answers).unwrap().total, 9.0);
    answers.push(Some(2.0));
    let problem = phq9.score_items(&answers).unwrap_err();
    assert_eq!(problem.item(), Some(11));
    assert_eq!(problem.to_string(), "item 11 has a value, but PHQ-9 has only 9 items");
}

// §2.3: CORE-10 items 2 and 3 reverse scored (4 − x on 0–4).
#[test]
fn core10_reverses_items_2_and_3() {
    let core10 = get("core10");
    let scored = core10.score_items(&items(&[2.0, 0.0, 1.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0])).unwrap();
    // 8 items × 2 = 16, item 2: 4 − 0 = 4, item 3: 4 − 1 = 3.
    assert_eq!(scored.total, 23.0);
    assert_eq!(core10.is_case(11.0), Some(true));
    assert_eq!(core10.band(23.0).unwrap().label, "moderate to severe");
}

// §3.1: DEMQOL reverse items 1, 3, 5, 6, 10 (5 − x on 1–4); pro-rate with ≥14 of 28.
#[test]
fn demqol_reverses_and_prorates() {
    let demqol = get("demqol");
    let mut answers = items(&[1.0; 28]);
    // 23 items score 1; the five reverse items score 4 each.
    assert_eq!(demqol.score_items(&answers).unwrap().total, 23.0 + 20.0);

    // 14 answered: items 1–14 at 2 (reverse items 1, 3, 5, 6, 10 → 3), the rest blank.
    for (k, answer) in answers.iter_mut().enumerate() {
        *answer = (k < 14).then_some(2.0);
    }
    let scored = demqol.score_items(&answers).unwrap();
    // (9 × 2 + 5 × 3) × 28 / 14 = 66.
    assert_eq!(
        scored,
        Scored { raw_total: 66.0, total: 66.0, answered: Some(14), prorated: true, risk_flag: false }
    );

    answers[13] = None;
    let problem = demqol.score_items(&answers).unwrap_err();
    assert_eq!(problem.item(), None);
    assert_eq!(problem.to_string(), "only 13 of 28 items answered; DEMQOL needs at least 14 to pro-rate");

    let proxy = get("demqol_proxy");
    assert_eq!(proxy.missing_items(), MissingItems::ProrateIfAtLeast(16));
    assert_eq!(proxy.reverse_items(), &[1, 4, 6, 8, 11]);
    assert_eq!(proxy.total_range(), (31.0, 124.0));
    // A given pro-rated total need not be whole.
    assert_eq!(demqol.score_total(85.5).unwrap().total, 85.5);
}

// §2.1: SWEMWBS raw → metric.
#[test]
fn swemwbs_converts_raw_to_metric() {
    let swemwbs = get("swemwbs");
    for (raw, metric) in [(7.0, 7.00), (21.0, 19.25), (35.0, 35.00)] {
        let by_total = swemwbs.score_total(raw).unwrap();
        assert_eq!((by_total.raw_total, by_total.total), (raw, metric));
    }
    let scored = swemwbs.score_items(&items(&[3.0; 7])).unwrap();
    assert_eq!((scored.raw_total, scored.total), (21.0, 19.25));
    let problem = swemwbs.score_total(19.25).unwrap_err();
    assert_eq!(
        problem.to_string(),
        "total 19.25 is not a whole number, but SWEMWBS totals are (give the raw total, before conversion)"
    );
    assert_eq!(swemwbs.score_total(36.0).unwrap_err().to_string(), "total 36 is outside 7–35");
    assert_eq!(swemwbs.reliable_change_value(None), Some((2.87, RcSource::Fixed)));
}

// §3.5: UK EQ-5D-3L (Dolan 1997) test vectors.
#[test]
fn eq5d3l_value_set_matches_test_vectors() {
    let eq5d3l = get("eq5d3l");
    let vectors = [
        ([1, 1, 1, 1, 1], 1.000),
        ([1, 1, 1, 1, 2], 0.848),
        ([2, 1, 1, 1, 1], 0.850),
        ([2, 2, 2, 2, 2], 0.516),
        ([1, 1, 1, 1, 3], 0.414),
        ([1, 2, 3, 2, 1], 0.329),
        ([3, 3, 3, 3, 3], -0.594),
    ];
    for (state, utility) in vectors {
        let levels: Vec<Option<f64>> = state.iter().map(|&l| Some(f64::from(l))).collect();
        let scored = eq5d3l.score_items(&levels).unwrap();
        assert!(close(scored.total, utility, 1e-9), "{state:?}: {} vs {utility}", scored.total);
        assert_eq!(scored.raw_total, scored.total);
    }
    assert_eq!(eq5d3l.score_total(-0.594).unwrap().total, -0.594);
    assert_eq!(eq5d3l.score_total(-0.7).unwrap_err().to_string(), "total -0.7 is outside -0.594 to 1");
    assert_eq!(eq5d3l.score_items(&[Some(4.0)]).unwrap_err().to_string(), "item 1 is 4, outside 1–3");
}

#[test]
fn eq5d5l_needs_a_value_set_for_items() {
    let eq5d5l = get("eq5d5l");
    let problem = eq5d5l.score_items(&items(&[1.0, 2.0, 1.0, 1.0, 1.0])).unwrap_err();
    assert_eq!(
        problem.to_string(),
        "no EQ-5D-5L value set is loaded; give the index in `score` or load a value set"
    );
    assert_eq!(problem.item(), None);
    assert_eq!(eq5d5l.score_total(0.72).unwrap().total, 0.72);

    // A user value set of the same shape as the 3L one (an additive toy set).
    let mut catalogue = Catalogue::with_builtin().unwrap();
    catalogue
        .add_from_toml(
            r#"
            id = "toy_5l"
            name = "Toy additive 5L set"
            instrument = "eq5d5l"
            version = "1"
            source = "test"
            confidence = "unconfirmed"
            dimensions = [
              { name = "mobility", decrements = [0.05, 0.1, 0.15, 0.2] },
              { name = "self-care", decrements = [0.05, 0.1, 0.15, 0.2] },
              { name = "usual activities", decrements = [0.05, 0.1, 0.15, 0.2] },
              { name = "pain/discomfort", decrements = [0.05, 0.1, 0.15, 0.2] },
              { name = "anxiety/depression", decrements = [0.05, 0.1, 0.15, 0.2] },
            ]
            checks = [{ state = "55555", utility = 0.0 }]
            "#,
            "toy_5l.toml",
        )
        .unwrap();
    let scored = catalogue.get("eq5d5l").unwrap().score_items(&items(&[1.0, 2.0, 1.0, 1.0, 5.0])).unwrap();
    assert!(close(scored.total, 0.75, 1e-9));
    assert!(catalogue.unconfirmed().iter().any(|u| u.what == "value set" && u.value == "toy_5l"));
}

#[test]
fn value_set_checks_catch_wrong_coefficients() {
    let wrong = include_str!("data/value_sets/eq5d3l_uk_dolan1997.toml").replace("0.081", "0.08");
    let message =
        Catalogue::with_builtin().unwrap().add_from_toml(&wrong, "uk.toml").unwrap_err().to_string();
    assert!(message.starts_with("uk.toml, column 'checks', value '11112'"), "{message}");
    assert!(message.contains("should have utility 0.848, the coefficients give 0.849"), "{message}");

    let wrong_shape = include_str!("data/value_sets/eq5d3l_uk_dolan1997.toml")
        .replace("instrument = \"eq5d3l\"", "instrument = \"eq5d5l\"");
    let message =
        Catalogue::with_builtin().unwrap().add_from_toml(&wrong_shape, "uk.toml").unwrap_err().to_string();
    assert!(message.contains("EQ-5D-5L has 5 items of 1–5"), "{message}");
}

// §1.2: Mobility Inventory (alone), 27 items 1–5, scored as the mean.
#[test]
fn mi_alone_is_a_mean() {
    let mi = get("mi_alone");
    let mut answers = items(&[2.0; 27]);
    answers[0] = Some(5.0);
    let scored = mi.score_items(&answers).unwrap();
    assert!(close(scored.total, (26.0 * 2.0 + 5.0) / 27.0, 1e-12));
    assert_eq!(mi.is_case(2.3), Some(true));
    assert_eq!(mi.is_case(2.2), Some(false));
    assert_eq!(mi.score_total(2.35).unwrap().total, 2.35);
    assert_eq!(mi.fixed_reliable_change(), Some(0.73));
}

// §2.3 derived check: RC = 1.96·√2·7.7·√(1−0.90) = 6.75; c = 10.46.
#[test]
fn jacobson_truax_for_core10() {
    let core10 = get("core10");
    let alpha = core10.reliability().unwrap().value;
    let clinical_sd = core10.norms().unwrap().clinical.sd;
    assert!(close(jacobson_truax_rc(clinical_sd, alpha), 6.75, 0.005));
    let cut = core10.jt_cutoffs().unwrap();
    assert!(close(cut.c, 10.46, 0.005));
    assert!(close(cut.a, 19.7 - 2.0 * 7.7, 1e-9));
    assert!(close(cut.b, 4.7 + 2.0 * 4.8, 1e-9));
    assert!(close(cut.b_with_clinical_sd, 4.7 + 2.0 * 7.7, 1e-9));
    assert_eq!(core10.clinical_cutoff(), Some(cut.c));
    // The fixed value (6, secondary) comes first, as §5.1 says.
    assert_eq!(core10.reliable_change_value(Some(7.7)), Some((6.0, RcSource::Fixed)));

    // WSAS has only a reliability: JT from the sample SD, none without one.
    let wsas = get("wsas");
    let (rc, source) = wsas.reliable_change_value(Some(7.7)).unwrap();
    assert_eq!(source, RcSource::JacobsonTruax);
    assert!(close(rc, jacobson_truax_rc(7.7, 0.70), 1e-12));
    assert_eq!(wsas.reliable_change_value(None), None);
    assert_eq!(wsas.reliable_change_value(Some(f64::NAN)), None);
    // WEMWBS: 2.77 × the upper published SEM (3.1), Maheswaran et al. 2012.
    assert_eq!(get("wemwbs").reliable_change_value(Some(8.0)), Some((8.6, RcSource::Fixed)));
}

#[test]
fn direction_caseness_and_bands() {
    let wemwbs = get("wemwbs");
    assert_eq!(wemwbs.improvement(40.0, 45.0), 5.0);
    assert!(wemwbs.higher_is_better());
    let moca = get("moca");
    assert_eq!(moca.is_case(25.0), Some(true));
    assert_eq!(moca.is_case(26.0), Some(false));
    assert_eq!(wemwbs.is_case(30.0), None);

    let wsas = get("wsas");
    assert_eq!(wsas.band(9.0).unwrap().label, "subclinical");
    // A fractional score below the next band's minimum stays in the lower band.
    assert_eq!(wsas.band(9.5).unwrap().label, "subclinical");
    assert_eq!(wsas.band(21.0).unwrap().label, "moderately severe or worse");
    assert!(get("mmse").band(28.0).is_none());
    let sbp = get("sbp");
    assert_eq!(sbp.band(159.5).unwrap().label, "stage 1 hypertension");
    assert!(sbp.band(130.0).is_none());
    assert_eq!(get("ons_anxiety").band(6.0).unwrap().label, "high");
    assert_eq!(get("ons_happiness").band(6.0).unwrap().label, "medium");
}

#[test]
fn single_value_measures() {
    let sbp = get("sbp");
    assert_eq!(sbp.item_count(), 0);
    assert_eq!(sbp.score_total(142.5).unwrap().total, 142.5);
    assert_eq!(sbp.score_total(30.0).unwrap_err().to_string(), "total 30 is outside 50–300");
    assert_eq!(
        sbp.score_items(&[Some(140.0)]).unwrap_err().to_string(),
        "Systolic BP is entered as a single score, not as items: put it in `score`"
    );
    let mmse = get("mmse");
    assert_eq!(mmse.score_total(24.0).unwrap().answered, None);
    assert_eq!(
        mmse.score_total(24.5).unwrap_err().to_string(),
        "total 24.5 is not a whole number, but MMSE totals are"
    );
    assert_eq!(
        get("eq_vas").score_total(f64::INFINITY).unwrap_err().to_string(),
        "the score is not a number"
    );
    assert_eq!(get("dbp").score_total(95.0).unwrap().total, 95.0);
}

#[test]
fn unconfirmed_thresholds_are_listed() {
    let list = Catalogue::builtin().unconfirmed();
    let has = |instrument: &str, what: &str, value: &str| {
        list.iter().any(|u| u.instrument == instrument && u.what == what && u.value == value)
    };
    assert!(has("spin", "reliable change", "10"));
    assert!(has("pcl5", "caseness", "32"));
    assert!(has("ies_r", "caseness", "33"));
    assert!(has("ies_r", "reliable change", "9"));
    assert!(has("pdss", "reliable change", "5"));
    assert!(has("mi_alone", "caseness", "2.3"));
    assert!(has("mi_alone", "reliable change", "0.73"));
    assert!(has("mi_alone", "definition", "27 items"));
    assert!(has("oci_r", "caseness", "17"));
    assert!(has("hai18", "reliable change", "4"));
    assert!(has("dbp", "band 'severe hypertension'", "120–200"));
    // Confirmed values are not listed.
    assert!(!list.iter().any(|u| u.instrument == "phq9" || u.instrument == "aai"));
    assert!(list.iter().all(|u| !u.source.is_empty()));
}

#[test]
fn suggests_the_nearest_id() {
    let catalogue = Catalogue::builtin();
    assert_eq!(catalogue.suggest("PHQ-9"), Some("phq9"));
    assert_eq!(catalogue.suggest("phq"), Some("phq9"));
    assert_eq!(catalogue.suggest("swembs"), Some("swemwbs"));
    assert_eq!(catalogue.suggest("CORE 10"), Some("core10"));
    assert_eq!(catalogue.suggest("blood sugar"), None);
    assert_eq!(catalogue.suggest(""), None);
    match catalogue.require("wemwbs14") {
        Err(Error::Unknown { hint, .. }) => assert_eq!(hint, ", did you mean 'wemwbs'?"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn user_instrument_loads_and_scores() {
    let catalogue = load_user(USER).unwrap();
    let k10 = catalogue.get("k10").unwrap();
    let scored = k10.score_items(&items(&[2.0, 1.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0])).unwrap();
    // Item 2 reversed: 1 + 5 − 1 = 5.
    assert_eq!(scored.total, 23.0);
    assert_eq!(k10.is_case(23.0), Some(true));
    assert_eq!(k10.band(23.0).unwrap().label, "high");
    assert!(catalogue.unconfirmed().iter().any(|u| u.instrument == "k10" && u.what == "caseness"));

    // From a file, too.
    let path = std::env::temp_dir().join(format!("coproduction-k10-{}.toml", std::process::id()));
    std::fs::write(&path, USER).unwrap();
    let mut from_file = Catalogue::with_builtin().unwrap();
    from_file.add_from_file(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(from_file.get("k10"), catalogue.get("k10"));
    let missing = Catalogue::empty().add_from_file("/no/such/k10.toml").unwrap_err();
    assert!(matches!(missing, Error::Io { action: "read", .. }), "{missing}");
}

#[test]
fn replacing_a_builtin_needs_consent() {
    let phq9 = include_str!("data/phq9.toml");
    let message = rejection(phq9);
    assert_eq!(
        message,
        "k10.toml, column 'id', value 'phq9': instrument 'phq9' is already in the catalogue; add `replace = true` to replace it"
    );
    let corrected = format!("replace = true\n{}", phq9.replace("value = 10", "value = 11"));
    let catalogue = load_user(&corrected).unwrap();
    assert_eq!(catalogue.get("phq9").unwrap().caseness_value(), Some(11.0));

    // A replaced EQ-5D-3L keeps its value set.
    let eq5d3l = format!("replace = true\n{}", include_str!("data/eq5d3l.toml"));
    assert!(load_user(&eq5d3l).unwrap().get("eq5d3l").unwrap().value_set().is_some());
}

#[test]
fn malformed_user_files_name_the_key() {
    let cases: [(&str, &str, &str); 9] = [
        (
            "reverse_items = [2]",
            "reverse_items = [11]",
            "k10.toml, column 'reverse_items', value '11': item 11 does not exist: items are numbered 1 to 10",
        ),
        (
            "reverse_items = [2]",
            "reverse_items = [2, 2]",
            "k10.toml, column 'reverse_items', value '2': item 2 is listed twice",
        ),
        (
            "total_max = 50",
            "total_max = 40",
            "k10.toml, column 'total_min', value '10': 10 items of 1–5 sum to 10–50, but the total range is 10–40",
        ),
        (
            "max = 15 }",
            "max = 16 }",
            "k10.toml, column 'bands.levels 'high'', value '16–50': overlaps or comes before 'low' (10–16): list bands in ascending order",
        ),
        (
            "value = 20",
            "value = 60",
            "k10.toml, column 'caseness.value', value '60': must lie within the total range 10–50",
        ),
        (
            "id = \"k10\"",
            "id = \"K-10\"",
            "k10.toml, column 'id', value 'K-10': use lowercase letters, digits and '_' only (e.g. \"my_scale\")",
        ),
        (
            "missing_items = \"complete\"",
            "missing_items = { prorate_if_at_least = 11 }",
            "k10.toml, column 'missing_items.prorate_if_at_least', value '11': must be between 1 and the number of items (10)",
        ),
        (
            "item_max = 5",
            "item_max = 0.5",
            "k10.toml, column 'item_max', value '0.5': must be above item_min (1)",
        ),
        (
            "item_min = 1",
            "item_min = 1.5",
            "k10.toml, column 'item_min', value '1.5': must be whole when whole_numbers = true",
        ),
    ];
    for (from, to, expected) in cases {
        assert!(USER.contains(from), "{from}");
        assert_eq!(rejection(&USER.replacen(from, to, 1)), expected);
    }
    // Unknown keys and bad values are TOML errors that name the line and key.
    let typo = rejection(&USER.replace("reverse_items", "revers_items"));
    assert!(typo.starts_with("k10.toml: TOML parse error at line"), "{typo}");
    assert!(typo.contains("unknown field `revers_items`"), "{typo}");
    let bad_confidence = rejection(
        &USER.replace("confidence = \"secondary\"\n\n[caseness]", "confidence = \"sure\"\n\n[caseness]"),
    );
    assert!(bad_confidence.contains("unknown variant `sure`"), "{bad_confidence}");
}

#[test]
fn inconsistent_scoring_rules_are_rejected() {
    let mean = USER.replace("scoring = \"sum\"", "scoring = \"mean\"");
    assert_eq!(
        rejection(&mean),
        "k10.toml, column 'total_min', value '10': a mean of items 1–5 has that range, but the total range is 10–50"
    );
    let single = USER.replace("scoring = \"sum\"", "scoring = \"single_value\"");
    assert_eq!(
        rejection(&single),
        "k10.toml, column 'items', value '10': a single_value measure has no items: use items = 0"
    );
    let short_table = include_str!("data/swemwbs.toml")
        .replace("id = \"swemwbs\"", "id = \"swemwbs_short\"")
        .replace("[35, 35.00],", "");
    assert_eq!(
        rejection(&short_table),
        "k10.toml, column 'conversion.table', value '28': needs one row for every raw total 7–35 (29 rows)"
    );
    let orphan = include_str!("data/value_sets/eq5d3l_uk_dolan1997.toml").replace("\"eq5d3l\"", "\"eq5d3\"");
    assert_eq!(
        rejection(&orphan),
        "k10.toml, column 'instrument', value 'eq5d3': no instrument 'eq5d3' in the catalogue, did you mean 'eq5d3l'?"
    );
}

#[test]
fn confidence_tags_read_as_in_the_files() {
    for (confidence, tag) in [
        (Confidence::Confirmed, "confirmed"),
        (Confidence::Secondary, "secondary"),
        (Confidence::Unconfirmed, "unconfirmed"),
        (Confidence::Derived, "derived"),
    ] {
        assert_eq!(confidence.as_str(), tag);
        assert_eq!(serde_json::to_value(confidence).unwrap(), tag);
    }
}
