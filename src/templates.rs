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
# participants_sheet = "People"     # workbooks (.xlsx, .ods): the sheet; default the first
# outcomes_sheet = "Scores"
# activities = "activities.csv"     # partners, venues, sessions, volunteer time
# provision = "provision.csv"       # groups not yet partners: name, type, area, offers
# classification = "settings.toml"  # your venue and organisation types (bundled shape)

# [period]                          # rows of activities and assessments outside it are rejected
# start = "2025-04-01"
# end = "2026-03-31"

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
# adsm = "adsm.toml"                  # your problem descriptor -> ADSM table (bundled shape)

# [equity]
# dimensions = ["gender", "ethnicity", "age_band", "imd_quintile", "area"]
# population = "population.csv"      # columns: dimension,group,population

# [disclosure]                       # small-number suppression; on by default
# enabled = true
# min_count = 5

# [social_value]                     # impact_map.toml beside this plan is a template
# impact_map = "impact_map.toml"
# monte_carlo_draws = 10000
# monte_carlo_seed = 20250401
# deflator = "deflator.toml"         # a GDP deflator series of yours (bundled shape; forecast = true marks forecasts)

# [report]
# organisation = "Our organisation"
# show_generated_date = false
# png_charts = true
# max_groups_shown = 50
"#;

// Example rows show how filled rows look; replace them with your own. There are eight
// people so that the example runs end to end under disclosure control (fewer than the
// threshold of 5 in all could not be published at all).
const PARTICIPANTS: &str = "participant_id,pilot_id,gender,ethnicity,age,imd_decile,area,referral_date,end_date,treatment_sessions,problem_descriptor,referral_source\n\
EXAMPLE-1,tt,Female,Black African,24,1,Tooting,2025-04-02,2025-07-01,6,F41.1,GP\n\
EXAMPLE-2,tt,Male,White British,31,3,Balham,2025-04-05,2025-07-04,7,F41.1,self\n\
EXAMPLE-3,tt,Female,Asian Bangladeshi,38,5,Tooting,2025-04-08,2025-07-07,8,F41.1,GP\n\
EXAMPLE-4,tt,Female,Black Caribbean,45,7,Streatham,2025-04-11,2025-07-10,6,F41.1,self\n\
EXAMPLE-5,tt,Male,White British,52,9,Balham,2025-04-14,,1,F41.1,GP\n\
EXAMPLE-6,tt,Female,Asian Indian,59,1,Tooting,2025-04-17,2025-07-16,8,F41.1,self\n\
EXAMPLE-7,tt,Male,Mixed,66,3,Streatham,2025-04-20,2025-07-19,6,F41.1,GP\n\
EXAMPLE-8,tt,Female,White Other,73,5,Balham,2025-04-23,2025-07-22,7,F41.1,self\n";
const OUTCOMES: &str = "participant_id,pilot_id,measure,assessed_on,score,item_1,item_2,item_3,item_4,item_5,item_6,item_7,item_8,item_9,setting\n\
EXAMPLE-1,tt,phq9,2025-04-02,16,,,,,,,,,,\n\
EXAMPLE-1,tt,phq9,2025-07-01,,1,1,0,1,1,0,0,1,0,\n\
EXAMPLE-1,tt,gad7,2025-04-02,12,,,,,,,,,,\n\
EXAMPLE-1,tt,gad7,2025-07-01,5,,,,,,,,,,\n\
EXAMPLE-2,tt,phq9,2025-04-05,11,,,,,,,,,,\n\
EXAMPLE-2,tt,phq9,2025-07-04,7,,,,,,,,,,\n\
EXAMPLE-2,tt,gad7,2025-04-05,9,,,,,,,,,,\n\
EXAMPLE-2,tt,gad7,2025-07-04,6,,,,,,,,,,\n\
EXAMPLE-3,tt,phq9,2025-04-08,19,,,,,,,,,,\n\
EXAMPLE-3,tt,phq9,2025-07-07,8,,,,,,,,,,\n\
EXAMPLE-3,tt,gad7,2025-04-08,15,,,,,,,,,,\n\
EXAMPLE-3,tt,gad7,2025-07-07,7,,,,,,,,,,\n\
EXAMPLE-4,tt,phq9,2025-04-11,14,,,,,,,,,,\n\
EXAMPLE-4,tt,phq9,2025-07-10,12,,,,,,,,,,\n\
EXAMPLE-4,tt,gad7,2025-04-11,10,,,,,,,,,,\n\
EXAMPLE-4,tt,gad7,2025-07-10,9,,,,,,,,,,\n\
EXAMPLE-5,tt,phq9,2025-04-14,9,,,,,,,,,,\n\
EXAMPLE-5,tt,phq9,2025-07-13,4,,,,,,,,,,\n\
EXAMPLE-5,tt,gad7,2025-04-14,11,,,,,,,,,,\n\
EXAMPLE-5,tt,gad7,2025-07-13,5,,,,,,,,,,\n\
EXAMPLE-6,tt,phq9,2025-04-17,21,,,,,,,,,,\n\
EXAMPLE-6,tt,phq9,2025-07-16,15,,,,,,,,,,\n\
EXAMPLE-6,tt,gad7,2025-04-17,17,,,,,,,,,,\n\
EXAMPLE-6,tt,gad7,2025-07-16,12,,,,,,,,,,\n\
EXAMPLE-7,tt,phq9,2025-04-20,13,,,,,,,,,,\n\
EXAMPLE-7,tt,phq9,2025-07-19,6,,,,,,,,,,\n\
EXAMPLE-7,tt,gad7,2025-04-20,8,,,,,,,,,,\n\
EXAMPLE-7,tt,gad7,2025-07-19,4,,,,,,,,,,\n\
EXAMPLE-8,tt,phq9,2025-04-23,17,,,,,,,,,,\n\
EXAMPLE-8,tt,phq9,2025-07-22,9,,,,,,,,,,\n\
EXAMPLE-8,tt,gad7,2025-04-23,14,,,,,,,,,,\n\
EXAMPLE-8,tt,gad7,2025-07-22,6,,,,,,,,,,\n";

const IMPACT_MAP: &str = r#"# Impact map template (SROI). Name it in the plan under [social_value]:
#   impact_map = "impact_map.toml"
# Every figure below is an example: agree proxies and deductions with your stakeholders.
price_year = 2024                  # prices are stated in this year's pounds (the bundled deflator covers 1990-2024)
discount = "green_book"            # or green_book_health, green_book_reduced, or a rate such as 0.035

[[input]]
stakeholder = "Funder"
description = "Programme grant"
amount = 18000                     # a plain number: no £, no commas
year = 0

# Volunteer time from the activities table, valued by a wage proxy:
# [[input]]
# stakeholder = "Volunteers"
# description = "Volunteer time"
# hours_from = "tt.volunteer_hours"    # or tt.staff_hours
# hourly_value = 11.44
# hourly_value_source = "National Living Wage, April 2024"

[[outcome]]
stakeholder = "Participants"
outcome = "Reliable recovery from anxiety or depression"
indicator = "NHS Talking Therapies reliable recovery"
quantity = 10
# quantity_from = "tt.reliable_recovery"   # instead of quantity: the measured figure
# quantity_from names "<pilot id>.<metric>"; the metrics that exist:
#   participants, finished_treatment, recovery, reliable_improvement, reliable_recovery,
#   reliable_deterioration, bp_controlled, <measure>.improved (e.g. phq9.improved),
#   and from the activities table: volunteer_hours, staff_hours, leaders_trained,
#   sessions, attendances.
value = 2000                       # financial proxy, £ per unit per year
value_price_year = 2024
proxy_source = "where the proxy comes from"
duration_years = 1
deadweight = 0.20                  # fractions in [0, 1], or "20%"
attribution = 0.25
displacement = 0.0
drop_off = 0.0
"#;

/// Writes `plan.toml`, `participants.csv` and `outcomes.csv` templates (with example rows
/// to replace) and an `impact_map.toml` template into `dir`. Files that already exist are
/// never overwritten.
///
/// ```
/// let dir = std::env::temp_dir().join(format!("coprod-init-doc-{}", std::process::id()));
/// let written = coproduction::init_templates(&dir).unwrap();
/// assert_eq!(written.len(), 4);
/// let plan = coproduction::Plan::load(&dir.join("plan.toml")).unwrap();
/// let check = plan.validate().unwrap();
/// assert!(check.unusable.is_empty() && check.unpublishable.is_none());
/// assert!(coproduction::value::ImpactMap::from_file(&dir.join("impact_map.toml")).is_ok());
/// # std::fs::remove_dir_all(&dir).unwrap();
/// ```
///
/// # Errors
///
/// [`Error::Output`](crate::Error::Output) if `dir` exists and is not empty, or
/// [`Error::Io`](crate::Error::Io) if a file cannot be written.
pub fn init_templates(dir: &Path) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io("create folder", dir, e))?;
    let mut written = Vec::new();
    for (name, text) in [
        ("plan.toml", PLAN),
        ("participants.csv", PARTICIPANTS),
        ("outcomes.csv", OUTCOMES),
        ("impact_map.toml", IMPACT_MAP),
    ] {
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
