//! The cell engine: primary and secondary suppression, and the audit that proves it.

use proptest::prelude::*;

use super::cells::{CellState, Cells};
use super::{DisclosureRule, Hidden, Published, protect_equity};
use crate::equity::tests::input;
use crate::equity::{EquityInput, GroupRow, PilotEquity, analyse};

#[test]
fn two_small_cells_that_add_up_to_a_shown_total_get_a_third() {
    // Groups 4, 4, 30 of a pilot of 38: hiding only the two 4s would leave 8 to share
    // between two cells of at most 4: both would be 4.
    let mut cells = Cells::default();
    let total = cells.cell(38);
    let groups: Vec<_> = [4, 4, 30].iter().map(|&v| cells.cell(v)).collect();
    cells.sum(&groups, total);
    let p = cells.protect(&DisclosureRule::new(5).unwrap()).unwrap();
    assert_eq!(p.state(groups[0]), CellState::Small);
    assert_eq!(p.state(groups[1]), CellState::Small);
    assert_eq!(p.state(groups[2]), CellState::Secondary);
    assert_eq!(p.state(total), CellState::Shown);
}

#[test]
fn one_small_cell_takes_the_next_smallest_with_it() {
    let mut cells = Cells::default();
    let total = cells.cell(60);
    let groups: Vec<_> = [2, 20, 8, 30].iter().map(|&v| cells.cell(v)).collect();
    cells.sum(&groups, total);
    let p = cells.protect(&DisclosureRule::new(5).unwrap()).unwrap();
    let states: Vec<_> = groups.iter().map(|&g| p.state(g)).collect();
    assert_eq!(states, [CellState::Small, CellState::Shown, CellState::Secondary, CellState::Shown]);
    assert_eq!(p.hidden(), 2);
}

#[test]
fn a_hidden_count_pinned_through_another_sum_is_protected_there() {
    // a + b = t1 and a + c = t2 with every total shown: hiding b alone leaves a pinned by
    // the second sum.
    let mut cells = Cells::default();
    let (t1, t2) = (cells.cell(30), cells.cell(40));
    let (a, b, c, d) = (cells.cell(3), cells.cell(27), cells.cell(12), cells.cell(25));
    cells.sum(&[a, b], t1);
    cells.sum(&[a, c, d], t2);
    let p = cells.protect(&DisclosureRule::new(5).unwrap()).unwrap();
    assert_eq!(p.state(a), CellState::Small);
    assert!(p.state(b).is_hidden() || p.state(t1).is_hidden());
    assert!([c, d, t2].iter().any(|&x| p.state(x).is_hidden()));
}

#[test]
fn rounding_gives_room_of_its_own() {
    let mut cells = Cells::default();
    let total = cells.cell(103);
    let groups: Vec<_> = [3, 52, 48].iter().map(|&v| cells.cell(v)).collect();
    cells.sum(&groups, total);
    let rule = DisclosureRule::new(5).unwrap().rounded(5).unwrap();
    let p = cells.protect(&rule).unwrap();
    assert_eq!(p.state(groups[0]), CellState::Small);
    // 105 − 50 − 50 leaves the small cell between 1 and 4 whatever the others are.
    assert_eq!(p.state(total), CellState::Rounded(105));
    assert_eq!(p.state(groups[1]), CellState::Rounded(50));
    assert_eq!(p.state(groups[2]), CellState::Rounded(50));
}

#[test]
fn a_cell_that_nothing_can_protect_is_an_error_not_a_publication() {
    // The total is printed exactly elsewhere and the only other part is zero.
    let mut cells = Cells::default();
    let total = cells.cell(3);
    cells.fix(total);
    let (a, b) = (cells.cell(3), cells.cell(0));
    cells.sum(&[a, b], total);
    let err = cells.protect(&DisclosureRule::new(5).unwrap()).unwrap_err().to_string();
    assert!(err.contains("cannot be protected"), "{err}");
}

#[test]
fn a_count_the_printed_totals_give_away_is_never_hidden_to_protect_another() {
    // A file of 8 accepted rows (printed exactly) with one pilot of 8, in two areas of 4:
    // the markers alone pin both areas (two counts under 5 that make 8). Hiding the
    // pilot's 8 would protect nothing, since the file gives it, so the breakdown is
    // withheld instead.
    let mut cells = Cells::default();
    let file = cells.cell(8);
    cells.fix(file);
    let pilot = cells.cell(8);
    cells.sum(&[pilot], file);
    let block = cells.begin_block();
    let (a, b) = (cells.cell(4), cells.cell(4));
    cells.end_block();
    cells.sum(&[a, b], pilot);
    let p = cells.protect(&DisclosureRule::new(5).unwrap()).unwrap();
    assert_eq!(p.state(pilot), CellState::Shown);
    assert!(p.withheld(block));
}

#[test]
fn off_shows_everything() {
    let mut cells = Cells::default();
    let a = cells.cell(2);
    assert_eq!(cells.protect(&DisclosureRule::off()).unwrap().state(a), CellState::Shown);
}

#[test]
fn markers_follow_the_threshold() {
    let rule = DisclosureRule::new(10).unwrap();
    let show = |p: Published<u64>| p.display(&rule, |v| v.to_string());
    assert_eq!(show(Published::Small), "<10");
    assert_eq!(show(Published::Secondary), "*");
    assert_eq!(show(Published::Shown(12)), "12");
    assert_eq!(show(Published::Empty), "–");
    assert!(rule.describe().contains("from 1 to 9 are hidden and shown as <10"));
    let rounded = DisclosureRule::new(5).unwrap().rounded(5).unwrap().protecting_extremes();
    assert!(rounded.describe().contains("rounded to the nearest 5"));
    assert!(rounded.describe().contains("0% and 100%"));
}

/// One pilot's breakdowns under a threshold of 5.
fn protected(input: &EquityInput) -> PilotEquity {
    let mut equity = analyse(input, None).unwrap();
    protect_equity(&DisclosureRule::new(5).unwrap(), &mut equity).unwrap();
    equity
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
    let result = protected(&input(&labels, &counted));
    let groups = &result.breakdowns[0].groups;
    assert!(groups[0].participants.is_suppressed(), "3 is small");
    assert!(groups[3].participants.is_suppressed(), "7 is hidden too, else 62 − 40 − 12 − 7 = 3");
    // 10 of 12 recovered is shown: the 2 who did not are a rate's complement, not a
    // published count (DESIGN.md, "What disclosure control protects").
    assert!(!groups[2].rates[0].1.is_suppressed());
    assert!(!recoverable(groups));
    let a = groups.iter().find(|g| g.group == "A").expect("group A");
    assert_eq!(a.participants.hidden(), Some(Hidden::Small));
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
        let result = protected(&input(&labels, &counted));
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
fn thresholds_under_three_are_refused() {
    assert!(DisclosureRule::new(1).is_err());
    assert!(DisclosureRule::new(2).is_err(), "a hidden count could only be 1");
}
