//! Criterion benches of each pipeline stage on seeded synthetic data.
//!
//! 10,000 participants by default; set `COPROD_BENCH_PARTICIPANTS=1000000` for the
//! national-scale run. Figures and the machine they ran on: `benches/README.md`.

use std::hint::black_box;
use std::path::PathBuf;

use coproduction::{
    Catalogue, HtmlPrinter, Ingest, Plan, ReportOptions, Synthetic, build_document, evaluate_outcomes,
    pair_assessments, value,
};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn participants() -> usize {
    std::env::var("COPROD_BENCH_PARTICIPANTS").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000)
}

/// Writes the data set and a plan beside it once per process.
fn data_dir() -> PathBuf {
    let n = participants();
    let dir = std::env::temp_dir().join(format!("coprod-bench-{n}"));
    if !dir.join("outcomes.csv").exists() {
        let _ = Synthetic::new(n, 20250401).write_to_dir(&dir);
    }
    // The demo's plan and every file it names besides the two generated tables.
    let demo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo");
    for entry in std::fs::read_dir(&demo).expect("the demo folder").flatten() {
        let name = entry.file_name();
        if name != "participants.csv" && name != "outcomes.csv" {
            std::fs::copy(entry.path(), dir.join(&name)).expect("the demo's files copy");
        }
    }
    dir
}

fn stages(c: &mut Criterion) {
    let dir = data_dir();
    let (p, o) = (dir.join("participants.csv"), dir.join("outcomes.csv"));
    let bytes = std::fs::metadata(&p).map(|m| m.len()).unwrap_or(0)
        + std::fs::metadata(&o).map(|m| m.len()).unwrap_or(0);
    let catalogue = Catalogue::builtin();
    let pilots = ["tt", "cv", "dem", "wb"];
    let mut group = c.benchmark_group(format!("pipeline_{}", participants()));
    group.sample_size(10);

    group.bench_function("generate", |b| {
        b.iter(|| Synthetic::new(participants(), 7).write(std::io::sink(), std::io::sink()))
    });

    // Scoring alone: PHQ-9 forms from their nine answers, 100,000 of them.
    if let Some(phq9) = catalogue.get("phq9") {
        let forms: Vec<Vec<Option<f64>>> =
            (0..100_000u32).map(|i| (0..9u32).map(|k| Some(f64::from((i + k * 7) % 4))).collect()).collect();
        group.throughput(Throughput::Elements(forms.len() as u64));
        group.bench_function("score_phq9_forms_100k", |b| {
            b.iter(|| forms.iter().filter_map(|items| phq9.score_items(items).ok()).count())
        });
    }

    group.throughput(Throughput::Bytes(bytes));
    assert!(Ingest::new(catalogue).pilots(pilots).load_paths(&p, &o).is_ok(), "the bench data loads");
    group.bench_function("ingest_csv", |b| {
        b.iter(|| Ingest::new(catalogue).pilots(pilots).load_paths(&p, &o))
    });
    group.throughput(Throughput::Elements(participants() as u64));

    // Every stage is run once before it is timed, and must succeed.
    let plan = Plan::load(&dir.join("plan.toml")).expect("the bench plan loads");
    let data = Ingest::new(catalogue).pilots(pilots).load_paths(&p, &o).expect("the bench data loads");
    group.bench_function("pair", |b| b.iter(|| pair_assessments(black_box(&data))));
    group.bench_function("outcomes", |b| {
        b.iter(|| evaluate_outcomes(black_box(&data), &plan.pilots, catalogue, &plan.rules))
    });
    let tt_only: Vec<_> = plan.pilots.iter().filter(|p| p.id == "tt").cloned().collect();
    group.bench_function("talking_therapies", |b| {
        b.iter(|| evaluate_outcomes(black_box(&data), &tt_only, catalogue, &plan.rules))
    });
    let outcomes = evaluate_outcomes(&data, &plan.pilots, catalogue, &plan.rules).expect("outcomes");
    assert!(plan.equity(&data, &outcomes).is_ok());
    group.bench_function("equity", |b| b.iter(|| plan.equity(black_box(&data), &outcomes)));
    let eval = plan.run().expect("the bench plan runs");
    group.bench_function("plan_run", |b| b.iter(|| plan.run()));
    {
        // As `coprod run` builds it: PNG copies of the charts included.
        let options = ReportOptions::from_plan(&plan);
        let publication = eval.publish().expect("the demo publishes");
        assert!(build_document(&publication, &options).is_ok());
        group.bench_function("publish", |b| b.iter(|| black_box(&eval).publish()));
        group
            .bench_function("build_report", |b| b.iter(|| build_document(black_box(&publication), &options)));
        group.bench_function("render_html", |b| {
            b.iter(|| build_document(&publication, &options).map(|doc| HtmlPrinter.to_string(&doc)))
        });
        if let Ok(map) = value::ImpactMap::from_file(&dir.join("impact_map.toml")) {
            // Measured once first: a bench of an error path would time nothing.
            let valued = value::evaluate(&map, &eval, 100_000, 7);
            assert!(valued.is_ok(), "the demo impact map must value: {:?}", valued.err());
            group.throughput(Throughput::Elements(100_000));
            group.bench_function("sroi_monte_carlo_100k", |b| {
                b.iter(|| value::evaluate(black_box(&map), &eval, 100_000, 7))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
