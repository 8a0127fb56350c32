//! The report folder: written all or nothing, never over an input, never outside itself,
//! never through a link, and exactly the new report afterwards. Each case checks the
//! bytes of the previous report and of every input.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use coproduction::report::REPORT_MARKER;
use coproduction::{Error, Plan, ReportOptions, write_report};

use crate::{root, temp_dir};

/// Every file under `dir` with its bytes (links listed as `-> target`), by relative path.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            let rel = path.strip_prefix(dir).unwrap().display().to_string();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            if meta.file_type().is_symlink() {
                out.insert(rel, format!("-> {}", std::fs::read_link(&path).unwrap().display()).into_bytes());
            } else if meta.is_dir() {
                out.insert(format!("{rel}/"), Vec::new());
                stack.push(path);
            } else {
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    out
}

/// A copy of the demo (data, plan, map, population, activities) in a fresh folder; the
/// plan's Monte Carlo draws cut to keep the tests quick.
fn demo_copy(name: &str) -> tempfile::TempDir {
    let dir = temp_dir(name);
    for entry in std::fs::read_dir(root().join("fixtures/demo")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
    }
    let plan = std::fs::read_to_string(dir.path().join("plan.toml")).unwrap();
    std::fs::write(
        dir.path().join("plan.toml"),
        plan.replace("monte_carlo_draws = 10000", "monte_carlo_draws = 200"),
    )
    .unwrap();
    dir
}

fn report(plan: &Path, out: &Path) -> Result<(), Error> {
    let plan = Plan::load(plan)?;
    plan.check_output_dir(out)?;
    let eval = plan.run()?;
    write_report(&eval, out, &options(&plan)).map(|_| ())
}

/// The plan's report options without PNG charts (quicker; the SVGs are the same).
fn options(plan: &Plan) -> ReportOptions {
    let mut options = ReportOptions::from_plan(plan);
    options.png_charts = false;
    options
}

/// Names beside `dir` in its parent, so a test can see nothing was left there.
fn beside(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn an_input_named_like_an_output_is_never_overwritten() {
    let dir = demo_copy("out-input");
    let out = dir.path().join("report");
    std::fs::create_dir(&out).unwrap();
    // The participants file kept in the report folder under the name of an output.
    std::fs::rename(dir.path().join("participants.csv"), out.join("rejects.csv")).unwrap();
    let plan = std::fs::read_to_string(dir.path().join("plan.toml")).unwrap();
    std::fs::write(
        dir.path().join("plan.toml"),
        plan.replace("participants = \"participants.csv\"", "participants = \"report/rejects.csv\""),
    )
    .unwrap();
    let before = tree(dir.path());
    let err = report(&dir.path().join("plan.toml"), &out).unwrap_err().to_string();
    assert!(err.contains("rejects.csv") && err.contains("must not hold any input"), "{err}");
    // The same folder named another way, and its parent (which holds every input).
    for other in [out.join("."), dir.path().join("report/../report"), dir.path().to_path_buf()] {
        assert!(report(&dir.path().join("plan.toml"), &other).is_err(), "{}", other.display());
    }
    assert_eq!(tree(dir.path()), before, "no byte changed anywhere");
}

#[test]
fn a_file_blocked_in_the_previous_report_does_not_mix_old_and_new() {
    let dir = demo_copy("out-blocked");
    let plan = dir.path().join("plan.toml");
    let out = dir.path().join("report");
    report(&plan, &out).unwrap();
    // What a spreadsheet holding a file open amounts to on Linux: something that cannot
    // be replaced in place.
    std::fs::remove_file(out.join("tables/sensitivity.csv")).unwrap();
    std::fs::create_dir(out.join("tables/sensitivity.csv")).unwrap();
    std::fs::write(out.join("tables/sensitivity.csv/held.txt"), "held").unwrap();
    let inputs: BTreeMap<_, _> =
        tree(dir.path()).into_iter().filter(|(k, _)| !k.starts_with("report")).collect();
    report(&plan, &out).unwrap();
    // The folder is exactly a fresh report: compare with one written to a new folder.
    let fresh = dir.path().join("fresh");
    report(&plan, &fresh).unwrap();
    assert_eq!(tree(&out), tree(&fresh));
    assert!(tree(&out).contains_key(REPORT_MARKER));
    assert!(!tree(&out).keys().any(|k| k.contains("partial") || k.contains("held")));
    assert_eq!(
        beside(&out),
        [
            "activities.csv",
            "fresh",
            "impact_map.toml",
            "outcomes.csv",
            "participants.csv",
            "plan.toml",
            "population.csv",
            "provision.csv",
            "report"
        ]
    );
    let after: BTreeMap<_, _> = tree(dir.path())
        .into_iter()
        .filter(|(k, _)| !k.starts_with("report") && !k.starts_with("fresh"))
        .collect();
    assert_eq!(after, inputs);
}

#[test]
fn a_failed_run_leaves_the_previous_report_byte_for_byte() {
    let dir = demo_copy("out-failed");
    let plan = dir.path().join("plan.toml");
    let out = dir.path().join("report");
    report(&plan, &out).unwrap();
    let before = tree(dir.path());
    let before_report = tree(&out);
    // A proxy no chart can draw: refused at the impact map, by its key, before any data
    // row is read; nothing of the report is touched.
    let map = std::fs::read_to_string(dir.path().join("impact_map.toml")).unwrap();
    let broken = dir.path().join("broken_map.toml");
    let first_value = map.lines().find(|l| l.trim_start().starts_with("value = ")).unwrap();
    std::fs::write(&broken, map.replacen(first_value, "value = 1e308", 1)).unwrap();
    let plan_text = std::fs::read_to_string(&plan).unwrap();
    let broken_plan = dir.path().join("broken.toml");
    std::fs::write(&broken_plan, plan_text.replace("impact_map.toml", "broken_map.toml")).unwrap();
    let err = report(&broken_plan, &out).unwrap_err().to_string();
    assert!(err.contains("value = 1e308") && err.contains("largest figure"), "{err}");
    assert!(!err.contains("invalid bar value"), "{err}");
    let mut expected = before.clone();
    expected.insert("broken_map.toml".into(), std::fs::read(&broken).unwrap());
    expected.insert("broken.toml".into(), std::fs::read(&broken_plan).unwrap());
    assert_eq!(tree(dir.path()), expected);
    // A left-over `<out>.previous` that is someone's folder: refused, nothing touched.
    let previous = dir.path().join("report.previous");
    std::fs::create_dir(&previous).unwrap();
    std::fs::write(previous.join("notes.txt"), "mine").unwrap();
    let err = report(&plan, &out).unwrap_err().to_string();
    assert!(err.contains("report.previous") && err.contains(REPORT_MARKER), "{err}");
    assert_eq!(std::fs::read(previous.join("notes.txt")).unwrap(), b"mine");
    assert_eq!(tree(&out), before_report);
}

#[test]
fn a_smaller_plan_leaves_no_stale_files() {
    let dir = demo_copy("out-smaller");
    let out = dir.path().join("report");
    report(&dir.path().join("plan.toml"), &out).unwrap();
    assert!(tree(&out).keys().any(|k| k.starts_with("tables/wb_")), "{:?}", tree(&out).keys());
    assert!(tree(&out).keys().any(|k| k.starts_with("charts/sroi")));
    let full = std::fs::read_to_string(dir.path().join("plan.toml")).unwrap();
    let small = full.split("[[pilot]]\nid = \"cv\"").next().unwrap().to_string()
        + "\n[equity]\ndimensions = [\"gender\"]\n";
    std::fs::write(dir.path().join("small.toml"), &small).unwrap();
    let inputs: BTreeMap<_, _> =
        tree(dir.path()).into_iter().filter(|(k, _)| !k.starts_with("report")).collect();
    report(&dir.path().join("small.toml"), &out).unwrap();
    let fresh = dir.path().join("fresh");
    report(&dir.path().join("small.toml"), &fresh).unwrap();
    assert_eq!(tree(&out), tree(&fresh), "exactly the new report");
    assert!(!tree(&out).keys().any(|k| k.contains("wb_") || k.contains("sroi") || k.contains("impact_map")));
    let after: BTreeMap<_, _> = tree(dir.path())
        .into_iter()
        .filter(|(k, _)| !k.starts_with("report") && !k.starts_with("fresh"))
        .collect();
    assert_eq!(after, inputs);
}

#[test]
fn pilot_ids_cannot_name_files_outside_the_report() {
    let dir = demo_copy("out-ids");
    let out = dir.path().join("report");
    report(&dir.path().join("plan.toml"), &out).unwrap();
    let before = tree(dir.path());
    let plan = std::fs::read_to_string(dir.path().join("plan.toml")).unwrap();
    for id in ["/tmp/x", "..", "../../escape", "a.b", "C:\\x", "", "tt tt", &"x".repeat(33)] {
        let text = plan.replace("id = \"tt\"", &format!("id = {}", toml_string(id)));
        let path = dir.path().join("bad.toml");
        std::fs::write(&path, text).unwrap();
        let err = report(&path, &out).unwrap_err().to_string();
        assert!(
            err.contains("pilot id") && err.contains("'-' or '_'") && err.contains("1 to 32"),
            "{id}: {err}"
        );
        std::fs::remove_file(&path).unwrap();
    }
    assert_eq!(tree(dir.path()), before);
    assert!(!Path::new("/tmp/x_measures.csv").exists());
}

fn toml_string(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\"))
}

#[cfg(unix)]
#[test]
fn symbolic_links_are_never_followed() {
    let dir = demo_copy("out-links");
    let plan = dir.path().join("plan.toml");
    let out = dir.path().join("report");
    report(&plan, &out).unwrap();
    // A link inside the earlier report pointing out of it, at a file and at a folder.
    let outside = temp_dir("out-links-outside");
    std::fs::write(outside.path().join("keep.csv"), "precious").unwrap();
    std::fs::remove_file(out.join("tables/sensitivity.csv")).unwrap();
    std::os::unix::fs::symlink(outside.path().join("keep.csv"), out.join("tables/sensitivity.csv")).unwrap();
    std::fs::remove_dir_all(out.join("charts")).unwrap();
    std::os::unix::fs::symlink(outside.path(), out.join("charts")).unwrap();
    report(&plan, &out).unwrap();
    assert_eq!(tree(outside.path()), BTreeMap::from([("keep.csv".to_string(), b"precious".to_vec())]));
    let written = tree(&out);
    assert!(written.keys().all(|k| !written[k].starts_with(b"-> ")), "no link in the new report");
    assert!(written.contains_key("charts/") && written.contains_key("tables/sensitivity.csv"));
    // `--out` itself a link: refused, the link and its target untouched.
    let link = dir.path().join("linked");
    std::os::unix::fs::symlink(outside.path(), &link).unwrap();
    let err = report(&plan, &link).unwrap_err().to_string();
    assert!(err.contains("symbolic link"), "{err}");
    assert_eq!(tree(outside.path()), BTreeMap::from([("keep.csv".to_string(), b"precious".to_vec())]));
}

#[test]
fn a_60_mb_cell_is_refused_and_never_echoed() {
    let dir = demo_copy("out-60mb");
    let plan = dir.path().join("plan.toml");
    let participants = dir.path().join("participants.csv");
    let mut text = std::fs::read_to_string(&participants).unwrap();
    let header = text.lines().next().unwrap().to_string();
    let area = header.split(',').position(|h| h == "area").unwrap();
    let width = header.split(',').count();
    let mut cells = vec![String::new(); width];
    cells[0] = "HUGE1".into();
    cells[1] = "tt".into();
    cells[area] = "A".repeat(60_000_000);
    text.push_str(&cells.join(","));
    text.push('\n');
    std::fs::write(&participants, &text).unwrap();
    drop(text);
    let inputs = tree(dir.path());
    let out = dir.path().join("report");
    report(&plan, &out).unwrap();
    let rejects = std::fs::read_to_string(out.join("rejects.csv")).unwrap();
    assert!(rejects.contains("60000000 characters") && rejects.contains("at most 200"), "{rejects:.400}");
    // No output holds more than the echo limit of the cell.
    let fresh = demo_copy("out-60mb-fresh");
    let reference = fresh.path().join("report");
    report(&fresh.path().join("plan.toml"), &reference).unwrap();
    for (name, bytes) in tree(&out) {
        assert!(!bytes.windows(300).any(|w| w.iter().all(|&b| b == b'A')), "{name} echoes the cell");
        let before = tree(&reference).get(&name).map_or(0, Vec::len);
        assert!(bytes.len() < before + 4_000, "{name}: {} bytes against {before}", bytes.len());
    }
    let after: BTreeMap<_, _> =
        tree(dir.path()).into_iter().filter(|(k, _)| !k.starts_with("report")).collect();
    assert_eq!(after, inputs);
}

#[test]
fn a_missing_input_is_reported_before_any_row_is_read() {
    let dir = demo_copy("out-missing");
    std::fs::remove_file(dir.path().join("activities.csv")).unwrap();
    let plan = Plan::load(&dir.path().join("plan.toml")).unwrap();
    let err = plan.check_inputs().unwrap_err().to_string();
    assert!(err.contains("activities.csv") && err.contains("does not exist"), "{err}");
    // A header without the required columns is found the same way.
    std::fs::write(dir.path().join("activities.csv"), "date,pilot_id\n2025-01-01,tt\n").unwrap();
    let err = plan.run().unwrap_err().to_string();
    assert!(err.contains("activities.csv") && err.contains("partner"), "{err}");
    std::fs::copy(root().join("fixtures/demo/activities.csv"), dir.path().join("activities.csv")).unwrap();
    std::fs::write(dir.path().join("population.csv"), "dimension,group\n").unwrap();
    let err = plan.check_inputs().unwrap_err().to_string();
    assert!(err.contains("population"), "{err}");
}

#[test]
fn rejects_name_files_relative_to_the_plan() {
    let dir = demo_copy("out-relative");
    let participants = dir.path().join("participants.csv");
    let mut text = std::fs::read_to_string(&participants).unwrap();
    text.push_str("BAD1,tt,Female,,999\n");
    std::fs::write(&participants, text).unwrap();
    let absolute = Plan::load(&dir.path().join("plan.toml")).unwrap();
    let out_a = dir.path().join("a");
    write_report(&absolute.run().unwrap(), &out_a, &options(&absolute)).unwrap();
    // The same plan named through another path to the same folder.
    let other: PathBuf = dir.path().join("a/../plan.toml");
    let relative = Plan::load(&other).unwrap();
    let out_b = dir.path().join("b");
    write_report(&relative.run().unwrap(), &out_b, &options(&relative)).unwrap();
    let rejects = std::fs::read_to_string(out_a.join("rejects.csv")).unwrap();
    assert!(rejects.contains("\nparticipants.csv,"), "{rejects}");
    assert!(!rejects.contains(&dir.path().display().to_string()), "{rejects}");
    assert_eq!(tree(&out_a), tree(&out_b));
}

#[test]
fn long_breakdowns_are_summarised_in_the_report_and_whole_in_csv() {
    let dir = demo_copy("out-long");
    let plan_path = dir.path().join("plan.toml");
    let text = std::fs::read_to_string(&plan_path).unwrap();
    std::fs::write(&plan_path, text.replace("[report]", "[report]\nmax_groups_shown = 3")).unwrap();
    let out = dir.path().join("report");
    report(&plan_path, &out).unwrap();
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let full = std::fs::read_to_string(out.join("tables/equity_tt_area.csv")).unwrap();
    let groups = full.lines().count() - 1;
    assert!(groups > 3, "{full}");
    assert!(
        html.contains(&format!("all {groups} rows are in <code>tables/equity_tt_area.csv</code>")),
        "summary note"
    );
    let summary = std::fs::read_to_string(out.join("tables/equity_tt_area_summary.csv")).unwrap();
    assert!(summary.lines().count() - 1 <= 20);
    assert!(
        out.join("charts/equity_tt_area_summary.svg").exists()
            || out.join("charts/equity_tt_area_spread.svg").exists()
    );
    // Every group is still in results.json.
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("results.json")).unwrap()).unwrap();
    let rows = json["equity"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["pilot"] == "tt" && r["dimension"] == "area")
        .count();
    assert_eq!(rows, groups);
}
