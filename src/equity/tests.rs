use proptest::prelude::*;

use super::*;

fn input<'a>(labels: &[Option<&'a str>], counted: &[Option<bool>]) -> EquityInput<'a> {
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
    let result = analyse(&input(&labels, &counted), &DisclosureControl::off(), None).unwrap();
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
    let result = analyse(&input(&labels, &[None; 5]), &DisclosureControl::off(), None).unwrap();
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
    let result =
        analyse(&input(&labels, &[None; 100]), &DisclosureControl::new(5).unwrap(), Some(&population))
            .unwrap();
    let r = result.breakdowns[0].groups[0].representation.as_ref().unwrap().value().unwrap();
    assert!((r.ratio - 1.8).abs() < 1e-12);
    assert!(r.ci_low.unwrap() < 1.8 && r.ci_high.unwrap() > 1.8);
    assert_eq!(
        r.sentence("Black Caribbean"),
        "Black Caribbean residents are reached at 1.8 times their share"
    );
}

/// Tries every subtraction a reader can make within a breakdown: the published total (of
/// participants, or of a rate's count and denominator) minus every other visible cell. A
/// hidden value is recoverable exactly when it is the only hidden cell.
fn recoverable(groups: &[GroupRow]) -> bool {
    let hidden_sizes = groups.iter().filter(|g| g.participants.is_suppressed()).count();
    let hidden_rates = groups.iter().filter(|g| g.rates[0].1.is_suppressed()).count();
    let hidden_means = groups.iter().filter(|g| g.means[0].1.is_suppressed()).count();
    hidden_sizes == 1 || hidden_rates == 1 || hidden_means == 1
}

#[test]
fn no_suppressed_value_can_be_recovered_by_subtraction() {
    // Sizes 3 (small), 40, 12, 7; recovery counts chosen so one complement is small.
    let sizes = [("A", 3), ("B", 40), ("C", 12), ("D", 7)];
    let mut labels = Vec::new();
    let mut counted = Vec::new();
    for (label, n) in sizes {
        for i in 0..n {
            labels.push(Some(label));
            counted.push(Some(if label == "C" { i < 10 } else { i % 2 == 0 }));
        }
    }
    let result = analyse(&input(&labels, &counted), &DisclosureControl::new(5).unwrap(), None).unwrap();
    let groups = &result.breakdowns[0].groups;
    assert!(groups[0].participants.is_suppressed(), "3 is small");
    assert!(groups[3].participants.is_suppressed(), "7 is hidden too, else 62 − 40 − 12 − 7 = 3");
    // 10 of 12 recovered is shown: the 2 who did not are a rate's complement, not a
    // published count (DESIGN.md, "What disclosure control protects").
    assert!(!groups[2].rates[0].1.is_suppressed());
    assert!(!recoverable(groups));
    let a = groups.iter().find(|g| g.group == "A").expect("group A");
    assert_eq!(a.participants.hidden(), Some(crate::publish::Hidden::Small));
}

proptest! {
    /// Suppression never leaves exactly one hidden non-empty cell in a breakdown whose
    /// total is published.
    #[test]
    fn never_exactly_one_hidden_cell(sizes in prop::collection::vec(0usize..12, 2..7), share in 0.0f64..1.0) {
        let mut labels = Vec::new();
        let mut counted = Vec::new();
        for (g, n) in sizes.iter().enumerate() {
            for i in 0..*n {
                labels.push(Some(["a", "b", "c", "d", "e", "f", "g"][g]));
                counted.push(Some((i as f64) < share * *n as f64));
            }
        }
        // With one group the breakdown is the pilot total, suppressed at pilot level.
        prop_assume!(sizes.iter().filter(|n| **n > 0).count() >= 2);
        let result = analyse(&input(&labels, &counted), &DisclosureControl::new(5).unwrap(), None).unwrap();
        let groups = &result.breakdowns[0].groups;
        let hidden_sizes = groups.iter().filter(|g| g.participants.is_suppressed()).count();
        prop_assert!(hidden_sizes != 1);
        let hidden_rates = groups.iter().filter(|g| g.rates[0].1.is_suppressed()).count();
        prop_assert!(hidden_rates != 1);
        for g in groups {
            if let Some(r) = g.rates[0].1.value() {
                prop_assert!(r.denominator >= 5 && (r.count == 0 || r.count >= 5));
            }
        }
    }
}

#[test]
fn mismatched_input_is_an_error() {
    let mut bad = input(&[Some("a"), Some("b")], &[Some(true), Some(false)]);
    bad.rates[0].1.pop();
    let err = analyse(&bad, &DisclosureControl::off(), None).unwrap_err().to_string();
    assert!(err.contains("every dimension, rate and mean needs one value per participant"), "{err}");
    assert!(DisclosureControl::new(1).is_err());
    assert!(DisclosureControl::new(2).is_err(), "a hidden count could only be 1");
}
