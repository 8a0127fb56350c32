//! Criterion benches of the per-group stages (equity breakdowns with their gaps, tests of
//! independence, representation and suppression; delivery tables) at 20, 2,000 and
//! 33,755 groups (the LSOAs of England) over the same participants, to show their cost
//! grows with the rows and not with the square of the groups.
//!
//! 1,000,000 participants by default (`COPROD_BENCH_PARTICIPANTS` to change). Figures:
//! `benches/README.md`.

use std::borrow::Cow;
use std::hint::black_box;

use coproduction::equity::{EquityInput, PilotEquity, Population, analyse};
use coproduction::publish::{DisclosureRule, protect_equity};
use coproduction::{DataSet, DateFormat, delivery_for, load_activities};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

const GROUPS: [usize; 3] = [20, 2_000, 33_755];

fn participants() -> usize {
    std::env::var("COPROD_BENCH_PARTICIPANTS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000)
}

/// A small seeded generator: the same data on every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

fn area_names(groups: usize) -> Vec<String> {
    (0..groups).map(|g| format!("E01{g:06}")).collect()
}

/// One pilot's equity input: an area per person (about 2% not recorded), the four
/// Talking Therapies rates at their usual prevalence (one of them rare), and a change.
fn equity_input<'a>(names: &'a [String], n: usize) -> EquityInput<'a> {
    let mut rng = Lcg(20250401);
    let mut labels = Vec::with_capacity(n);
    let mut rates: Vec<Vec<Option<bool>>> = (0..4).map(|_| Vec::with_capacity(n)).collect();
    let mut change = Vec::with_capacity(n);
    for _ in 0..n {
        let r = rng.next();
        labels.push((r % 50 != 0).then(|| Cow::Borrowed(names[(r as usize / 50) % names.len()].as_str())));
        let u = rng.next() % 1000;
        rates[0].push(Some(u < 900));
        rates[1].push((u < 700).then_some(u < 350));
        rates[2].push((u < 800).then_some(u < 520));
        rates[3].push((u < 700).then_some(u < 60));
        change.push((u < 800).then(|| -(u as f64 % 17.0) + 4.0));
    }
    EquityInput {
        pilot: "tt",
        dimensions: vec![("area".to_string(), labels)],
        rates: ["finished_treatment", "recovery", "reliable_improvement", "reliable_deterioration"]
            .iter()
            .zip(rates)
            .map(|(name, values)| (name.to_string(), values))
            .collect(),
        means: vec![("phq9_change".to_string(), change)],
    }
}

fn population(names: &[String]) -> Population {
    let mut text = String::from("dimension,group,population\n");
    for (i, name) in names.iter().enumerate() {
        text.push_str(&format!("area,{name},{}\n", 1_000 + i % 700));
    }
    Population::from_csv_str(&text, "population.csv").expect("the bench population parses")
}

/// An activities table of `rows` sessions spread over the areas.
fn activities_csv(names: &[String], rows: usize) -> String {
    let mut rng = Lcg(7);
    let mut text = String::from(
        "date,pilot_id,partner,organisation_type,venue_type,area,activity,sessions,attendees,volunteer_hours,staff_hours\n",
    );
    for i in 0..rows {
        let r = rng.next() as usize;
        text.push_str(&format!(
            "2025-05-{:02},tt,Partner {},faith group,church hall,{},therapy group,{},{},2,1\n",
            1 + i % 28,
            r % 300,
            names[(r / 300) % names.len()],
            1 + r % 3,
            5 + r % 20
        ));
    }
    text
}

fn groups(c: &mut Criterion) {
    let n = participants();
    let disclosure = DisclosureRule::new(5).expect("threshold");
    // The breakdowns and their disclosure audit, as an evaluation computes and publishes them.
    let protected = |input: &EquityInput, population: &Population| -> PilotEquity {
        let mut equity = analyse(input, Some(population)).expect("the bench input analyses");
        protect_equity(&disclosure, &mut equity).expect("the bench input can be protected");
        equity
    };
    let mut group = c.benchmark_group(format!("groups_{n}"));
    // Shared machine, large inputs: few samples, each a whole pass.
    group.sample_size(10);
    group.throughput(Throughput::Elements(n as u64));
    for g in GROUPS {
        let names = area_names(g);
        let input = equity_input(&names, n);
        let population = population(&names);
        let first = protected(&input, &population);
        assert!(first.breakdowns[0].groups.len() > g * 9 / 10);
        group.bench_with_input(BenchmarkId::new("equity", g), &g, |b, _| {
            b.iter(|| protected(black_box(&input), &population))
        });
    }
    let rows = n / 10;
    group.throughput(Throughput::Elements(rows as u64));
    for g in GROUPS {
        let names = area_names(g);
        let csv = activities_csv(&names, rows);
        let (activities, _, rejects) =
            load_activities(csv.as_bytes(), "activities.csv", DateFormat::Iso, &[]).expect("activities load");
        assert!(rejects.is_empty());
        let data = DataSet::default();
        group.bench_with_input(BenchmarkId::new("delivery", g), &g, |b, _| {
            b.iter(|| delivery_for("tt", black_box(&activities), &data))
        });
    }
    group.finish();
}

criterion_group!(benches, groups);
criterion_main!(benches);
