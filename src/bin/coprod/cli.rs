use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use coproduction::{
    Error, ErrorCategory, Evaluation, Plan, Publication, ReportOptions, Synthetic, init_templates,
    inspect_survey_with, write_demo, write_published,
};
use indicatif::{ProgressBar, ProgressStyle};

/// Evaluate community co-production pilots and measure their social value.
///
/// coprod reads your plan (a short text file naming your data files and pilots), checks
/// every row of your survey data, works out the outcome figures the NHS recognises, who
/// was reached and who benefited, and the social value, and writes a report you can open
/// in a web browser.
#[derive(Parser)]
#[command(name = "coprod", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run a plan and write the report (with no plan: the bundled demo).
    Run {
        /// The plan file (plan.toml). Leave it out to run the demo.
        plan: Option<PathBuf>,
        /// Folder for the report.
        #[arg(long, default_value = "coprod-report")]
        out: PathBuf,
        /// Print nothing but errors.
        #[arg(long)]
        quiet: bool,
        /// Print a machine-readable summary (JSON) instead of text.
        #[arg(long)]
        json: bool,
        /// The most memory the run may use, in GB (default: what the system has
        /// available). Larger data is refused before any row is read.
        #[arg(long, value_name = "GB")]
        memory_limit: Option<f64>,
        /// Also write results-exact.json: every figure without disclosure control, for
        /// your own checks. Never publish or share it.
        #[arg(long)]
        exact_results: bool,
    },
    /// Check a plan and its data without writing a report; list rejected rows.
    Validate {
        /// The plan file.
        plan: PathBuf,
        /// Print a machine-readable summary (JSON) instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Start a new evaluation: a commented plan and empty data templates in DIR.
    Init {
        /// The folder to create.
        dir: PathBuf,
    },
    /// Survey exports: `coprod survey inspect EXPORT` prints the [[data.survey]] block.
    Survey {
        #[command(subcommand)]
        action: SurveyCommand,
    },
    /// Write a synthetic data set (for trying the tool or timing it).
    Generate {
        /// The folder to write participants.csv and outcomes.csv to.
        dir: PathBuf,
        /// How many participants.
        #[arg(long, default_value_t = 600)]
        participants: usize,
        /// Random seed.
        #[arg(long, default_value_t = 20250401)]
        seed: u64,
    },
}

#[derive(Subcommand)]
enum SurveyCommand {
    /// Recognise an export's tool, participant and time stamp columns and questionnaires,
    /// and print the [[data.survey]] block to paste into the plan.
    Inspect {
        /// The export: CSV, or a workbook (.xlsx, .xlsm, .xls, .ods).
        export: PathBuf,
        /// The workbook's sheet (default: the first).
        #[arg(long)]
        sheet: Option<String>,
        /// The item wording of your own (licensed) questionnaires, in the shape of the
        /// bundled item_wording.toml: [measure] items = ["phrase of item 1", ...].
        #[arg(long)]
        wording: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let command = cli.command.unwrap_or(Command::Run {
        plan: None,
        out: PathBuf::from("coprod-report"),
        quiet: false,
        json: false,
        memory_limit: None,
        exact_results: false,
    });
    let result = match command {
        Command::Run { plan, out, quiet, json, memory_limit, exact_results } => {
            run(plan, &out, quiet, json, memory_limit, exact_results)
        }
        Command::Validate { plan, json } => validate(&plan, json),
        Command::Init { dir } => init(&dir),
        Command::Generate { dir, participants, seed } => generate(&dir, participants, seed),
        Command::Survey { action: SurveyCommand::Inspect { export, sheet, wording } } => {
            inspect_survey_with(&export, sheet.as_deref(), wording.as_deref())
                .map(|found| print!("{}", found.to_toml()))
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            match e.category() {
                ErrorCategory::Data => ExitCode::from(1),
                _ => ExitCode::from(2),
            }
        }
    }
}

/// The bundled demo, written to a fresh folder under the system's temporary folder: the
/// data travel inside the binary, so the demo runs from any folder on any machine.
fn demo_plan() -> Result<(PathBuf, PathBuf), Error> {
    let dir = std::env::temp_dir().join(format!("coprod-demo-{}", std::process::id()));
    let plan = write_demo(&dir)?;
    Ok((plan, dir))
}

/// A spinner on stderr, only when stderr is a terminal (never in pipes, logs or tests)
/// and not under `--quiet`.
fn step(quiet: bool, message: &str) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new_spinner().with_message(message.to_string());
    if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
        bar.set_style(style);
    }
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

fn run(
    plan: Option<PathBuf>,
    out: &Path,
    quiet: bool,
    json: bool,
    memory_limit_gb: Option<f64>,
    exact_results: bool,
) -> Result<(), Error> {
    let (path, demo_dir) = match plan {
        Some(path) => (path, None),
        None => {
            let (path, dir) = demo_plan()?;
            (path, Some(dir))
        }
    };
    let result = run_plan(&path, out, quiet, json, memory_limit_gb, exact_results);
    // The demo's copy of its data is only needed while it runs.
    if let Some(dir) = demo_dir {
        let _ = std::fs::remove_dir_all(dir);
    }
    result
}

fn run_plan(
    path: &Path,
    out: &Path,
    quiet: bool,
    json: bool,
    memory_limit_gb: Option<f64>,
    exact_results: bool,
) -> Result<(), Error> {
    let quiet = quiet || json;
    let bar = step(quiet, "Reading the plan and data, computing results");
    let mut plan = Plan::load(path)?;
    if let Some(gb) = memory_limit_gb {
        if !(gb.is_finite() && gb > 0.0) {
            return Err(Error::InvalidParameter {
                name: "--memory-limit",
                value: gb.to_string(),
                reason: "must be a positive number of GB",
            });
        }
        plan.memory_limit = Some((gb * 1e9) as u64);
    }
    // Refused before any row is read: a report folder over an input, or over someone's files.
    if let Err(e) = plan.check_output_dir(out) {
        bar.finish_and_clear();
        return Err(e);
    }
    // Each stage's name on the spinner (drawn only when stderr is a terminal).
    let eval = plan.run_with_progress(&|stage| bar.set_message(stage.to_string()));
    bar.finish_and_clear();
    let eval = eval?;
    let bar = step(quiet, "Drawing the charts and writing the report");
    let mut options = ReportOptions::from_plan(&plan);
    options.exact_results |= exact_results;
    // One publication: the report and the summary below print the same figures.
    let written = eval.publish().and_then(|publication| {
        write_published(&eval, &publication, out, &options).map(|written| (written, publication))
    });
    bar.finish_and_clear();
    let (written, publication) = written?;
    if options.exact_results {
        eprintln!(
            "warning: results-exact.json holds every figure WITHOUT disclosure control. It is for your own \
             checks: do not publish or share it."
        );
    }
    if json {
        println!("{}", publication.summary_json(Some(&written.dir))?);
    } else if !quiet {
        print_summary(&eval, &publication);
        println!("Report: {}", written.html().display());
        println!(
            "Also written: results.json, report.md, rejects.csv, tables/ and charts/ in {}",
            written.dir.display()
        );
    }
    // A national data set is millions of small allocations, and the process ends here:
    // the system takes the memory back at once, faster than freeing it piece by piece.
    std::mem::forget(eval);
    Ok(())
}

fn print_summary(eval: &Evaluation, publication: &Publication) {
    println!("{}", eval.plan.title);
    for line in publication.summary_lines() {
        println!("  {line}");
    }
    println!("{}", publication.rule.describe());
    let rejected = eval.data.rejects().len();
    if rejected > 0 {
        println!("{rejected} row(s) rejected: see rejects.csv for each row and its reason.");
    } else {
        println!("No rows rejected.");
    }
    for warning in &eval.warnings {
        println!("note: {warning}");
    }
}

fn validate(path: &Path, json: bool) -> Result<(), Error> {
    let plan = Plan::load(path)?;
    let check = plan.validate()?;
    // A required input with no accepted rows fails validation: exit 1, as `run` would.
    let unusable = || Error::InvalidData {
        location: coproduction::Location::file(path.display().to_string()),
        reason: "the plan cannot be run until the files above have accepted rows".to_string(),
    };
    let unpublishable = |reason: &str| Error::Disclosure(reason.to_string());
    if json {
        println!("{}", check.to_json()?);
        return match (&check.unusable[..], &check.unpublishable) {
            ([], None) => Ok(()),
            ([], Some(reason)) => Err(unpublishable(reason)),
            _ => Err(unusable()),
        };
    }
    for f in &check.files {
        println!(
            "{}: {} rows read, {} accepted, {} rejected",
            f.file, f.rows_read, f.rows_accepted, f.rows_rejected
        );
    }
    for r in check.rejects.entries() {
        let column = r.column.as_deref().map(|c| format!(", column {c}")).unwrap_or_default();
        println!("  {} row {}{column}: {}", r.file, r.row, r.reason);
    }
    for w in &check.warnings {
        println!("note: {w}");
    }
    if !check.unusable.is_empty() {
        for problem in &check.unusable {
            println!("error: {problem}");
        }
        return Err(unusable());
    }
    if let Some(reason) = &check.unpublishable {
        return Err(unpublishable(reason));
    }
    println!(
        "The plan is valid{}.",
        if check.rejects.is_empty() { " and every row was accepted" } else { "" }
    );
    Ok(())
}

fn init(dir: &Path) -> Result<(), Error> {
    let written = init_templates(dir)?;
    for file in &written {
        println!("wrote {}", file.display());
    }
    println!(
        "Next: fill in the CSV files and the plan, then run: coprod run {}",
        dir.join("plan.toml").display()
    );
    Ok(())
}

fn generate(dir: &Path, participants: usize, seed: u64) -> Result<(), Error> {
    let counts = Synthetic::new(participants, seed).write_to_dir(dir)?;
    println!(
        "wrote {} participants and {} assessments to {}",
        counts.participants,
        counts.assessments,
        dir.display()
    );
    Ok(())
}
