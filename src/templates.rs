//! `coprod init`: a commented plan and empty data templates a new evaluator can fill in.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

const PLAN: &str = r#"# Evaluation plan. Paths are relative to this file.
# Every key is documented in the README; a misspelt key is an error, never ignored.
title = "My community pilots 2025/26"

[data]
participants = "participants.csv"
outcomes = "outcomes.csv"
# date_format = "%d/%m/%Y"          # UK dates; the default is 2025-04-22

# A survey-tool export (Google Forms, Microsoft Forms, SurveyMonkey, Qualtrics or any
# wide CSV) can add assessments: one row per completed form, answers as words.
# [[data.survey]]
# file = "survey.csv"
# tool = "google_forms"             # microsoft_forms | surveymonkey | qualtrics | generic
# participant = "Participant ID"    # the question holding the id
# pilot = "tt"                      # or pilot_column = "Which group?"
# date = "Timestamp"                # default: the tool's time stamp column
# date_format = "%d/%m/%Y"          # default: the tool's format
# [[data.survey.instrument]]
# measure = "phq9"
# prefix = "PHQ-9"                  # or columns = ["...", ...] or positions = [3, 4, ...]
# [[data.survey.instrument]]
# measure = "gad7"
# prefix = "GAD-7"

# One [[pilot]] per pilot. programme is one of:
# psychological_therapies | cardiovascular | dementia | wellbeing
[[pilot]]
id = "tt"
name = "Talking therapies in community settings"
programme = "psychological_therapies"

# [rules.talking_therapies]          # NHS Talking Therapies rule flags (defaults shown)
# min_sessions = 2
# adsm_fallback_to_gad7 = true
# improvement_requires_no_deterioration = true
# deterioration_requires_no_improvement = true

# [equity]
# dimensions = ["gender", "ethnicity", "age_band", "imd_quintile", "area"]
# population = "population.csv"      # columns: dimension,group,population

# [disclosure]                       # small-number suppression; on by default
# enabled = true
# min_count = 5

# [social_value]
# impact_map = "impact_map.toml"
# monte_carlo_draws = 10000
# monte_carlo_seed = 20250401

# [report]
# organisation = "Our organisation"
# show_generated_date = false
# png_charts = true
# max_groups_shown = 50
"#;

const PARTICIPANTS: &str = "participant_id,pilot_id,gender,ethnicity,age,imd_decile,area,referral_date,end_date,treatment_sessions,problem_descriptor,referral_source\n";
const OUTCOMES: &str = "participant_id,pilot_id,measure,assessed_on,score,item_1,item_2,item_3,item_4,item_5,item_6,item_7,item_8,item_9,setting\n";

/// Writes `plan.toml`, `participants.csv` and `outcomes.csv` templates into `dir`. Files
/// that already exist are never overwritten.
///
/// ```
/// let dir = std::env::temp_dir().join(format!("coprod-init-doc-{}", std::process::id()));
/// let written = coproduction::init_templates(&dir).unwrap();
/// assert_eq!(written.len(), 3);
/// assert!(coproduction::Plan::load(&dir.join("plan.toml")).is_ok());
/// # std::fs::remove_dir_all(&dir).unwrap();
/// ```
pub fn init_templates(dir: &Path) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io("create folder", dir, e))?;
    let mut written = Vec::new();
    for (name, text) in [("plan.toml", PLAN), ("participants.csv", PARTICIPANTS), ("outcomes.csv", OUTCOMES)]
    {
        let path = dir.join(name);
        if path.exists() {
            return Err(Error::io(
                "write",
                &path,
                std::io::Error::new(
                    std::io::ErrorKind::AlreadyExists,
                    "it already exists; choose an empty folder",
                ),
            ));
        }
        std::fs::write(&path, text).map_err(|e| Error::io("write", &path, e))?;
        written.push(path);
    }
    Ok(written)
}
