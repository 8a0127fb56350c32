use super::*;

/// One pilot's input: an ethnicity per person, a recovery rate, a change as the mean.
pub(crate) fn input<'a>(labels: &[Option<&'a str>], counted: &[Option<bool>]) -> EquityInput<'a> {
    EquityInput {
        pilot: "tt",
        dimensions: vec![("ethnicity".into(), labels.iter().map(|l| l.map(Into::into)).collect())],
        rates: vec![("recovery".into(), counted.to_vec())],
        means: vec![("phq9_change".into(), (0..labels.len()).map(|i| Some(-(i as f64))).collect())],
    }
}

fn repeat(label: Option<&'static str>, n: usize) -> Vec<Option<&'static str>> {
    vec![label; n]
}

#[test]
fn breakdown_by_hand_with_not_recorded_kept() {
    let mut labels = repeat(Some("Mixed"), 10);
    labels.extend(repeat(Some("Black African"), 12));
    labels.extend(repeat(None, 8));
    let counted: Vec<Option<bool>> = (0..30).map(|i| Some(i % 3 != 0)).collect();
    let result = analyse(&input(&labels, &counted), None).unwrap();
    let groups = &result.breakdowns[0].groups;
    let names: Vec<&str> = groups.iter().map(|g| g.group.as_str()).collect();
    assert_eq!(names, ["Black African", "Mixed", "Not recorded"]);
    let mixed = &groups[1];
    assert_eq!(mixed.participants.value(), Some(&10));
    let rate = mixed.rates[0].1.value().unwrap();
    assert_eq!((rate.count, rate.denominator), (6, 10), "i = 0..9: 0, 3, 6, 9 not counted");
    let mean = mixed.means[0].1.value().unwrap();
    assert_eq!((mean.n, mean.mean), (10, -4.5));
    let gap = mixed.gaps[0].1.value().unwrap();
    assert!((gap.estimate - (0.6 - 14.0 / 20.0)).abs() < 1e-12);
    assert_eq!(groups.len(), 3);
}

#[test]
fn numeric_groups_sort_numerically() {
    let labels: Vec<Option<&str>> = ["10", "2", "1", "2", "10"].iter().map(|s| Some(*s)).collect();
    let result = analyse(&input(&labels, &[None; 5]), None).unwrap();
    let names: Vec<&str> = result.breakdowns[0].groups.iter().map(|g| g.group.as_str()).collect();
    assert_eq!(names, ["1", "2", "10"]);
}

#[test]
fn representation_against_the_population() {
    let mut labels = repeat(Some("Black Caribbean"), 18);
    labels.extend(repeat(Some("White British"), 82));
    let population = Population::from_csv_str(
        "dimension,group,population\nethnicity,Black Caribbean,100\nethnicity,White British,900\n",
        "pop.csv",
    )
    .unwrap();
    let result = analyse(&input(&labels, &[None; 100]), Some(&population)).unwrap();
    let r = result.breakdowns[0].groups[0].representation.as_ref().unwrap().value().unwrap();
    assert!((r.ratio - 1.8).abs() < 1e-12);
    assert!(r.ci_low.unwrap() < 1.8 && r.ci_high.unwrap() > 1.8);
    assert_eq!(
        r.sentence("Black Caribbean"),
        "Black Caribbean residents are reached at 1.8 times their share"
    );
}

#[test]
fn mismatched_input_is_an_error() {
    let mut bad = input(&[Some("a"), Some("b")], &[Some(true), Some(false)]);
    bad.rates[0].1.pop();
    let err = analyse(&bad, None).unwrap_err().to_string();
    assert!(err.contains("every dimension, rate and mean needs one value per participant"), "{err}");
}

#[test]
fn figures_are_exact_and_shown() {
    // A group of 3 is small under any rule; the stage shows it, the publication hides it.
    let mut labels = repeat(Some("A"), 3);
    labels.extend(repeat(Some("B"), 40));
    let counted: Vec<Option<bool>> = (0..43).map(|i| Some(i % 2 == 0)).collect();
    let result = analyse(&input(&labels, &counted), None).unwrap();
    let a = &result.breakdowns[0].groups[0];
    assert_eq!(a.participants.value(), Some(&3));
    assert_eq!(a.rates[0].1.value().map(|r| (r.count, r.denominator)), Some((2, 3)));
    assert!(!result.disclosure.enabled);
}
