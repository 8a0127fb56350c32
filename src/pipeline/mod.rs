//! The evaluation's stages, in the one order data flows through them:
//!
//! | stage    | module                         | gives                               |
//! |----------|--------------------------------|-------------------------------------|
//! | ingest   | `ingest`, `delivery`           | rows checked, answers kept; activities |
//! | score    | `score`                        | scored assessments: the [`DataSet`] |
//! | pair     | `outcomes::pairing`            | first and last assessment per measure |
//! | outcomes | `outcomes`                     | [`Outcomes`](crate::Outcomes)       |
//! | equity   | `equity`                       | breakdowns by group                 |
//! | value    | `value`                        | [`SocialValue`](crate::value::SocialValue) |
//! | publish  | `publish`                      | [`Publication`](crate::Publication) |
//! | report   | `report`                       | the files                           |
//!
//! [`Plan::run`] loads the data and runs every stage; the loaders of
//! [`Ingest`](crate::Ingest) (`load.rs`) run ingest then score on each file as it is read;
//! [`Pipeline::from_data`] runs the stages after loading on a [`DataSet`] the caller
//! loaded themselves. A stage may use an earlier stage's output and the shared definitions
//! (errors, dates, instrument definitions, metrics, statistics, the disclosure vocabulary)
//! but never a later stage: the test of this module reads each stage's references to the
//! others and fails when one names a later stage, or when ingest scores anything itself.

mod evaluation;
mod load;

pub use evaluation::{Evaluation, InputFile, Validation};

use crate::error::Result;
use crate::ingest::DataSet;
use crate::instruments::Catalogue;
use crate::plan::Plan;

/// The stages after loading, for data loaded outside the plan (a database extract, a
/// frame built in memory): outcomes, delivery, equity and social value as the plan sets
/// them, as [`Plan::run`] computes them.
///
/// ```
/// use coproduction::{Ingest, Plan};
/// let dir = std::env::temp_dir().join(format!("coprod-pipeline-doc-{}", std::process::id()));
/// let plan = Plan::load(&coproduction::write_demo(&dir).unwrap()).unwrap();
/// let pipeline = plan.pipeline().unwrap();
/// // The caller's own loading: here the demo's files through an `Ingest`.
/// let data = Ingest::new(pipeline.catalogue())
///     .pilots(plan.pilots.iter().map(|p| p.id.clone()))
///     .load_paths(&dir.join("participants.csv"), &dir.join("outcomes.csv"))
///     .unwrap();
/// let eval = pipeline.from_data(data).unwrap();
/// assert_eq!(eval.outcomes.pilot("tt").unwrap().participants, 268);
/// # std::fs::remove_dir_all(&dir).unwrap();
/// ```
#[derive(Debug)]
pub struct Pipeline<'p> {
    plan: &'p Plan,
    catalogue: Catalogue,
}

impl Plan {
    /// The plan's stages after loading, with its instrument catalogue (the built-in one
    /// and the plan's own instrument files), for a [`DataSet`] loaded by the caller.
    ///
    /// # Errors
    ///
    /// An instrument file's error.
    pub fn pipeline(&self) -> Result<Pipeline<'_>> {
        let mut catalogue = Catalogue::with_builtin()?;
        for file in &self.data.instruments {
            catalogue.add_from_file(file)?;
        }
        Ok(Pipeline { plan: self, catalogue })
    }
}

impl Pipeline<'_> {
    /// The catalogue to load the data with (an [`Ingest`](crate::Ingest) over it), so that
    /// the data's measures are this catalogue's.
    pub fn catalogue(&self) -> &Catalogue {
        &self.catalogue
    }

    /// Runs outcomes, delivery (the plan's activities file, if it names one), equity and
    /// social value on `data`.
    ///
    /// # Errors
    ///
    /// As [`Plan::run`] after loading: [`Error::NoAcceptedRows`](crate::Error::NoAcceptedRows)
    /// or [`Error::NotEnoughData`](crate::Error::NotEnoughData) when nothing can be
    /// evaluated, the activities file's, population file's or impact map's errors.
    pub fn from_data(self, mut data: DataSet) -> Result<Evaluation> {
        let activities = self.plan.load_activities(&mut data)?;
        if let Some(unusable) = crate::ingest::unusable_inputs(&data).into_iter().next() {
            return Err(unusable);
        }
        self.plan.compute(self.catalogue, data, activities, &|_| {})
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// The stages in order, each with the source files that make it up.
    const STAGES: [(&str, &[&str]); 8] = [
        ("ingest", &["ingest", "delivery"]),
        ("score", &["score.rs"]),
        ("pair", &["outcomes/pairing.rs"]),
        ("outcomes", &["outcomes"]),
        ("equity", &["equity"]),
        ("value", &["value"]),
        ("publish", &["publish"]),
        ("report", &["report"]),
    ];

    /// The module paths that name each stage.
    const NAMES: [(&str, &str); 9] = [
        ("crate::ingest", "ingest"),
        ("crate::delivery", "ingest"),
        ("crate::score", "score"),
        ("crate::outcomes::pairing", "pair"),
        ("crate::outcomes", "outcomes"),
        ("crate::equity", "equity"),
        ("crate::value", "value"),
        ("crate::publish", "publish"),
        ("crate::report", "report"),
    ];

    /// The calls that score answers: the score stage's alone.
    const SCORING_CALLS: [&str; 2] = [".score_items(", ".score_total("];

    fn stage_of(path: &str) -> Option<&'static str> {
        // The longest module path wins (`crate::outcomes::pairing` over `crate::outcomes`).
        NAMES
            .iter()
            .filter(|(name, _)| path.starts_with(name))
            .max_by_key(|(name, _)| name.len())
            .map(|(_, s)| *s)
    }

    fn rust_files(path: &Path, out: &mut Vec<std::path::PathBuf>) {
        if path.is_dir() {
            for entry in std::fs::read_dir(path).unwrap() {
                rust_files(&entry.unwrap().path(), out);
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path.to_path_buf());
        }
    }

    #[test]
    fn no_stage_uses_a_later_stage() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let position = |stage: &str| STAGES.iter().position(|(s, _)| *s == stage).unwrap();
        let mut found: Vec<(String, &str, &str)> = Vec::new();
        for (stage, parts) in STAGES {
            let mut files = Vec::new();
            for part in parts {
                rust_files(&src.join(part), &mut files);
            }
            for file in files {
                let relative = file.strip_prefix(&src).unwrap().to_string_lossy().replace('\\', "/");
                // A file belongs to the most specific stage listing it.
                let owner = STAGES
                    .iter()
                    .flat_map(|(s, ps)| ps.iter().map(move |p| (*s, *p)))
                    .filter(|(_, p)| relative.starts_with(p))
                    .max_by_key(|(_, p)| p.len())
                    .map(|(s, _)| s);
                if owner != Some(stage) {
                    continue;
                }
                let text = std::fs::read_to_string(&file).unwrap();
                for (at, _) in text.match_indices("crate::") {
                    let path: String = text[at..]
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                        .collect();
                    let Some(used) = stage_of(&path) else { continue };
                    if position(used) > position(stage) {
                        found.push((relative.clone(), stage, used));
                    }
                }
            }
        }
        assert!(found.is_empty(), "a stage uses a later stage: {found:?}");
    }

    /// Instruments are shared definitions (ingest checks a row's layout against them), so
    /// naming them is allowed; applying their scoring rules is the score stage's.
    #[test]
    fn ingest_never_scores() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        for part in ["ingest", "delivery"] {
            rust_files(&src.join(part), &mut files);
        }
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            for call in SCORING_CALLS {
                assert!(
                    !text.contains(call),
                    "{} calls {call}: scoring is the score stage's",
                    file.display()
                );
            }
        }
    }
}
