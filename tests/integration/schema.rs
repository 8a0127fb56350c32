//! The results contract: `docs/results.schema.json` is generated from the published types,
//! and real outputs are valid against it.

use coproduction::{JsonPrinter, Plan, Synthetic, publish};
use serde_json::Value;

use crate::{root, temp_dir};

/// Fails when the shipped schema drifts from the types; `COPROD_UPDATE_SCHEMA=1 cargo test
/// schema` writes it anew.
#[test]
fn the_shipped_schema_is_generated_from_the_types() {
    let generated = coproduction::report::results_schema();
    let path = root().join("docs/results.schema.json");
    if std::env::var_os("COPROD_UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let shipped = std::fs::read_to_string(&path).unwrap();
    assert!(
        shipped == generated,
        "docs/results.schema.json is out of date: run `COPROD_UPDATE_SCHEMA=1 cargo test schema` and commit it"
    );
    assert_eq!(coproduction::RESULTS_SCHEMA, shipped);
}

fn assert_valid(results: &Value) {
    let schema: Value = serde_json::from_str(coproduction::RESULTS_SCHEMA).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> =
        validator.iter_errors(results).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn the_demo_results_are_valid() {
    let eval = Plan::load(&root().join("fixtures/demo/plan.toml")).unwrap().run().unwrap();
    let published = JsonPrinter.to_value(&publish(&eval).unwrap()).unwrap();
    assert_valid(&published);
    let exact = JsonPrinter.to_value(&coproduction::publish::publish_exact(&eval).unwrap()).unwrap();
    assert_valid(&exact);
    assert_eq!(exact["exact"], true);
}

#[test]
fn a_generated_programme_with_hidden_figures_is_valid() {
    let dir = temp_dir("schema");
    Synthetic::new(90, 11).write_to_dir(dir.path()).unwrap();
    let plan = std::fs::read_to_string(root().join("fixtures/demo/plan.toml"))
        .unwrap()
        .replace(
            "activities = \"activities.csv\"",
            &format!("activities = {:?}", root().join("fixtures/demo/activities.csv")),
        )
        .replace("provision = \"provision.csv\"\n", "")
        .replace("population = \"population.csv\"\n", "")
        .replace(
            "impact_map = \"impact_map.toml\"",
            &format!("impact_map = {:?}", root().join("fixtures/demo/impact_map.toml")),
        );
    std::fs::write(dir.path().join("plan.toml"), plan).unwrap();
    let eval = Plan::load(&dir.path().join("plan.toml")).unwrap().run().unwrap();
    let published = JsonPrinter.to_value(&publish(&eval).unwrap()).unwrap();
    let text = published.to_string();
    assert!(text.contains("\"suppressed\":\"small\""), "the small programme hides something");
    assert_valid(&published);
}
