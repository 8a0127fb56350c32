//! The `coprod` example, run as a user runs it: exit codes, outputs, messages.

use std::path::PathBuf;
use std::process::{Command, Output};

use crate::{root, temp_dir};

/// `cargo test` builds the examples beside the test binaries.
fn coprod() -> Command {
    let exe = std::env::current_exe().unwrap();
    let debug = exe.parent().and_then(|deps| deps.parent()).unwrap();
    let path: PathBuf = debug.join("examples").join(format!("coprod{}", std::env::consts::EXE_SUFFIX));
    assert!(path.exists(), "build the example first: {}", path.display());
    let mut command = Command::new(path);
    command.current_dir(root());
    command
}

fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

#[test]
fn demo_runs_and_writes_every_output() {
    let dir = temp_dir("cli-demo");
    let out = dir.path().join("report");
    let output = coprod().args(["run", "--out"]).arg(&out).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let stdout = text(&output);
    assert!(stdout.contains("report.html"), "{stdout}");
    assert!(stdout.contains("No rows rejected"), "{stdout}");
    for file in ["results.json", "report.html", "report.md", "rejects.csv"] {
        assert!(out.join(file).exists(), "{file} missing");
    }
    assert!(std::fs::read_dir(out.join("charts")).unwrap().count() > 3);
    assert!(std::fs::read_dir(out.join("tables")).unwrap().count() > 5);
    assert!(
        !std::fs::read_dir(&out).unwrap().any(|e| e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .ends_with(".partial"))
    );
}

/// The demo travels inside the binary: from an empty folder, with no arguments at all, it
/// writes `coprod-report/` there, with the figures of the fixture's plan.
#[test]
fn the_demo_runs_from_an_empty_folder_with_no_arguments() {
    let empty = temp_dir("cli-empty");
    let output = coprod().current_dir(empty.path()).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let embedded = std::fs::read(empty.path().join("coprod-report/results.json")).unwrap();
    let from_fixture = temp_dir("cli-fixture");
    let out = from_fixture.path().join("report");
    let output =
        coprod().arg("run").arg(root().join("fixtures/demo/plan.toml")).arg("--out").arg(&out).output();
    assert_eq!(output.unwrap().status.code(), Some(0));
    assert!(
        embedded == std::fs::read(out.join("results.json")).unwrap(),
        "the embedded demo's results differ"
    );
    // Only the report is left behind.
    let left: Vec<_> = std::fs::read_dir(empty.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left, ["coprod-report"]);
}

#[test]
fn json_summary_is_machine_readable() {
    let dir = temp_dir("cli-json");
    let output = coprod().args(["run", "--json", "--out"]).arg(dir.path()).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(value["rows_rejected"], 0);
    assert_eq!(value["pilots"].as_array().unwrap().len(), 4);
}

fn plan_error(name: &str, plan: &str) -> String {
    let dir = temp_dir(name);
    std::fs::write(dir.path().join("plan.toml"), plan).unwrap();
    let demo = root().join("fixtures/demo");
    for file in ["participants.csv", "outcomes.csv"] {
        std::fs::copy(demo.join(file), dir.path().join(file)).unwrap();
    }
    let output = coprod()
        .arg("run")
        .arg(dir.path().join("plan.toml"))
        .arg("--out")
        .arg(dir.path().join("r"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{name}: {}", text(&output));
    let message = text(&output);
    assert!(!message.contains("panicked") && !message.contains("RUST_BACKTRACE"), "{message}");
    message
}

const PLAN: &str = "title = \"t\"\n[data]\nparticipants = \"participants.csv\"\noutcomes = \"outcomes.csv\"\n\
[[pilot]]\nid = \"tt\"\nname = \"Talking\"\nprogramme = \"psychological_therapies\"\n";

#[test]
fn plan_errors_exit_2_with_a_clear_message() {
    let m = plan_error("unknown-key", &PLAN.replace("[data]", "[data]\noutcome = \"x.csv\""));
    assert!(m.contains("unknown field `outcome`") && m.contains("line 3"), "{m}");
    let m = plan_error("missing-file", &PLAN.replace("outcomes.csv", "missing.csv"));
    assert!(m.contains("missing.csv") && m.contains("does not exist"), "{m}");
    let m = plan_error("programme", &PLAN.replace("psychological_therapies", "therapy"));
    assert!(m.contains("unknown variant `therapy`"), "{m}");
    let bad_fraction = format!(
        "{PLAN}[social_value]\nprice_year = 2025\n[[social_value.input]]\nstakeholder = \"Funder\"\ndescription = \"Grant\"\namount = 1000\n\
[[social_value.outcome]]\nstakeholder = \"P\"\noutcome = \"o\"\nindicator = \"i\"\nquantity = 1\nvalue = 10\nvalue_price_year = 2025\n\
proxy_source = \"s\"\nduration_years = 1\ndeadweight = 20\nattribution = 0\ndisplacement = 0\ndrop_off = 0\n"
    );
    let m = plan_error("fraction", &bad_fraction);
    assert!(m.contains("deadweight") && m.contains("20"), "{m}");
    let output = coprod().args(["run", "no-such-plan.toml"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let output = coprod().args(["run", "--no-such-flag"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
}

/// Data over the memory limit is refused before a row is read, with the limit named,
/// and the run exits 1 (the data cannot be evaluated) rather than being killed.
#[test]
fn data_over_the_memory_limit_fails_early() {
    let dir = temp_dir("cli-memory");
    let output = coprod()
        .args(["run", "fixtures/demo/plan.toml", "--quiet", "--memory-limit", "0.0001", "--out"])
        .arg(dir.path().join("report"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let m = text(&output);
    assert!(m.contains("rows) need about") && m.contains("over the limit of 100 kB"), "{m}");
    assert!(!dir.path().join("report").exists(), "nothing is written");
    let output = coprod().args(["run", "--memory-limit", "-1"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
}

#[test]
fn validate_lists_rejects() {
    let dir = temp_dir("cli-validate");
    std::fs::write(dir.path().join("plan.toml"), PLAN).unwrap();
    let awkward = root().join("tests/fixtures/awkward");
    for file in ["participants.csv", "outcomes.csv"] {
        std::fs::copy(awkward.join(file), dir.path().join(file)).unwrap();
    }
    let output = coprod().arg("validate").arg(dir.path().join("plan.toml")).output().unwrap();
    let stdout = text(&output);
    assert!(stdout.contains("unknown pilot 'cv'"), "{stdout}");
    assert!(stdout.contains("unknown measure 'phq' (did you mean 'phq9'?)"), "{stdout}");
    // Three accepted people cannot be published: validate says so, as run would, after
    // listing the rejects.
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("3 participants in all, fewer than the threshold of 5"), "{stdout}");
    assert!(!stdout.contains("The plan is valid"), "{stdout}");
}

#[test]
fn init_then_run_explains_what_to_add() {
    let dir = temp_dir("cli-init");
    let target = dir.path().join("new");
    let output = coprod().arg("init").arg(&target).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(target.join("plan.toml").exists());
    let map = std::fs::read_to_string(target.join("impact_map.toml")).unwrap();
    assert!(map.contains("reliable_recovery") && map.contains("volunteer_hours"), "{map}");
    // The example rows validate and run as they are.
    let output = coprod().arg("validate").arg(target.join("plan.toml")).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let run = |out: &str| {
        coprod()
            .arg("run")
            .arg(target.join("plan.toml"))
            .arg("--out")
            .arg(dir.path().join(out))
            .output()
            .unwrap()
    };
    // Eight example people: enough to publish under disclosure control.
    let output = run("r0");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("r0/results.json")).unwrap()).unwrap();
    assert_eq!(results["pilots"][0]["participants"], 8);
    // Dates typed the UK way without date_format: both commands exit 1 with the fix.
    for file in ["participants.csv", "outcomes.csv"] {
        let path = target.join(file);
        let uk: Vec<String> = std::fs::read_to_string(&path)
            .unwrap()
            .lines()
            .map(|line| {
                let cells = line.split(',').map(|c| match c.as_bytes() {
                    [_, _, _, _, b'-', _, _, b'-', _, _] => format!("{}/{}/{}", &c[8..], &c[5..7], &c[..4]),
                    _ => c.to_string(),
                });
                cells.collect::<Vec<_>>().join(",")
            })
            .collect();
        std::fs::write(&path, uk.join("\n") + "\n").unwrap();
    }
    let output = coprod().arg("validate").arg(target.join("plan.toml")).output().unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(text(&output).contains("add date_format = \"%d/%m/%Y\" under [data]"), "{}", text(&output));
    assert!(!text(&output).contains("The plan is valid"), "{}", text(&output));
    let output = run("r1");
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(text(&output).contains("none of its 32 rows was accepted"), "{}", text(&output));
    // Header rows only: nothing to evaluate.
    for file in ["participants.csv", "outcomes.csv"] {
        let path = target.join(file);
        let header = std::fs::read_to_string(&path).unwrap().lines().next().unwrap().to_string() + "\n";
        std::fs::write(&path, header).unwrap();
    }
    let output = run("r2");
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(text(&output).contains("participants.csv: the file has no data rows"), "{}", text(&output));
    let again = coprod().arg("init").arg(&target).output().unwrap();
    assert_eq!(again.status.code(), Some(2), "init must not overwrite");
}

#[test]
fn help_speaks_plainly() {
    let output = coprod().arg("--help").output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let help = text(&output);
    assert!(
        help.contains("report you can open") && help.contains("validate") && help.contains("init"),
        "{help}"
    );
}

#[test]
fn progress_is_silent_when_stderr_is_not_a_terminal() {
    let dir = temp_dir("cli-progress");
    let output = coprod().args(["run", "--out"]).arg(dir.path().join("r")).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(output.stderr.is_empty(), "{}", String::from_utf8_lossy(&output.stderr));
    // A folder of someone's files is refused before any row is read, with exit code 2.
    std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
    let output = coprod().args(["run", "--quiet", "--out"]).arg(dir.path()).output().unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(text(&output).contains("not a report of this crate"), "{}", text(&output));
    assert_eq!(std::fs::read(dir.path().join("notes.txt")).unwrap(), b"mine");
}
