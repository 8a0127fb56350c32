//! The typed tables that ingest produces.

use std::fmt;
use std::sync::Arc;

use serde::Serialize;

use crate::date::Date;

/// One participant (an episode of care) in one pilot.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Participant {
    /// Identifier, unique within the pilot.
    pub participant_id: String,
    /// The pilot (named in the plan).
    pub pilot_id: String,
    /// Free-text category; `None` when not recorded.
    pub gender: Option<String>,
    /// Free-text category (ONS 2021 groups recommended); `None` when not recorded.
    pub ethnicity: Option<String>,
    /// Whole years at referral.
    pub age: Option<u8>,
    /// Index of Multiple Deprivation decile, 1 (most deprived) to 10.
    pub imd_decile: Option<u8>,
    /// Local area (ward, network, neighbourhood).
    pub area: Option<String>,
    /// Date of referral.
    pub referral_date: Option<Date>,
    /// Date the episode ended; `None` while it is open.
    pub end_date: Option<Date>,
    /// Attended treatment sessions.
    pub treatment_sessions: Option<u32>,
    /// ICD-10 problem descriptor, normalised (`F41.1`), used to choose the anxiety measure.
    pub problem_descriptor: Option<String>,
    /// Where the referral came from (self, GP, faith or community group, ...).
    pub referral_source: Option<String>,
}

impl Participant {
    /// The age band of DESIGN.md section 4, derived from `age`.
    pub fn age_band(&self) -> Option<AgeBand> {
        self.age.map(AgeBand::of)
    }

    /// IMD quintile, 1 (most deprived) to 5, derived from the decile.
    pub fn imd_quintile(&self) -> Option<u8> {
        self.imd_decile.map(|d| d.div_ceil(2))
    }
}

/// Age bands used in breakdowns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[non_exhaustive]
pub enum AgeBand {
    /// Under 16 (outside the adult bands; kept so no participant is dropped).
    Under16,
    /// 16 to 17.
    From16To17,
    /// 18 to 24.
    From18To24,
    /// 25 to 34.
    From25To34,
    /// 35 to 44.
    From35To44,
    /// 45 to 54.
    From45To54,
    /// 55 to 64.
    From55To64,
    /// 65 to 74.
    From65To74,
    /// 75 and over.
    From75,
}

impl AgeBand {
    /// The band an age falls in.
    ///
    /// ```
    /// use coproduction::AgeBand;
    /// assert_eq!(AgeBand::of(24).to_string(), "18-24");
    /// assert_eq!(AgeBand::of(90).to_string(), "75+");
    /// ```
    pub fn of(age: u8) -> AgeBand {
        match age {
            0..=15 => AgeBand::Under16,
            16..=17 => AgeBand::From16To17,
            18..=24 => AgeBand::From18To24,
            25..=34 => AgeBand::From25To34,
            35..=44 => AgeBand::From35To44,
            45..=54 => AgeBand::From45To54,
            55..=64 => AgeBand::From55To64,
            65..=74 => AgeBand::From65To74,
            _ => AgeBand::From75,
        }
    }

    /// The band's label.
    pub fn label(self) -> &'static str {
        match self {
            AgeBand::Under16 => "under 16",
            AgeBand::From16To17 => "16-17",
            AgeBand::From18To24 => "18-24",
            AgeBand::From25To34 => "25-34",
            AgeBand::From35To44 => "35-44",
            AgeBand::From45To54 => "45-54",
            AgeBand::From55To64 => "55-64",
            AgeBand::From65To74 => "65-74",
            AgeBand::From75 => "75+",
        }
    }
}

impl fmt::Display for AgeBand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Where a blood pressure reading was taken (NICE NG136 has different targets).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Setting {
    /// Clinic or community check reading (the default).
    #[default]
    Clinic,
    /// Home blood pressure monitoring.
    Home,
    /// Ambulatory monitoring.
    Ambulatory,
}

impl Setting {
    /// Parses `clinic`, `home` or `ambulatory` (any case); empty means clinic.
    pub fn parse(text: &str) -> Option<Setting> {
        match text.trim().to_ascii_lowercase().as_str() {
            "" | "clinic" => Some(Setting::Clinic),
            "home" | "hbpm" => Some(Setting::Home),
            "ambulatory" | "abpm" => Some(Setting::Ambulatory),
            _ => None,
        }
    }
}

/// One accepted assessment: a scored instrument for a participant on a date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    /// Index of the participant in [`crate::DataSet::participants`].
    pub participant: usize,
    /// Instrument id from the catalogue.
    pub measure: Arc<str>,
    /// Date of the assessment.
    pub assessed_on: Date,
    /// The value analysed: the total, the SWEMWBS metric score, or the EQ-5D utility.
    pub score: f64,
    /// The total as entered or summed from the items, before any conversion.
    pub raw_score: f64,
    /// True when the total was pro-rated from a partly answered form.
    pub prorated: bool,
    /// True when a risk item was answered above zero (PHQ-9 item 9). Counted, never shown
    /// per person.
    pub risk_flag: bool,
    /// Where a blood pressure reading was taken.
    pub setting: Setting,
    /// The row in its file (1-based, header excluded), for tracing.
    pub row: u64,
}
