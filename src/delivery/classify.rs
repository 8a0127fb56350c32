//! Venue and organisation types as data: the spellings people use mapped to one label,
//! and each venue's setting (clinical or community), from `data/settings.toml` and the
//! plan's own file of the same shape.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Where a venue is, for the community-settings share.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum VenueSetting {
    /// Health service premises (GP surgery, clinic, hospital, pharmacy, ...).
    Clinical,
    /// Everywhere else the classification names: places of worship, halls, libraries, homes.
    Community,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct TypeEntry {
    label: String,
    setting: Option<VenueSetting>,
    code: Option<String>,
    #[serde(default)]
    synonyms: Vec<String>,
    #[serde(default)]
    contains: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct SettingsFile {
    source: Option<String>,
    fte_hours_per_week: Option<f64>,
    fte_source: Option<String>,
    #[serde(default)]
    venue: Vec<TypeEntry>,
    #[serde(default)]
    organisation: Vec<TypeEntry>,
}

/// A venue type as classified: its label, setting and NHS location code.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct VenueClass {
    /// The label reports print ("GP surgery").
    pub label: String,
    /// Clinical or community; `None` when the type is not recognised.
    pub setting: Option<VenueSetting>,
    /// The NHS Data Dictionary activity location type code, when the file gives one.
    pub code: Option<String>,
}

/// The venue and organisation types, with the source of the clinical / community split
/// and of the full-time hours used for volunteer FTE.
#[derive(Debug, Clone)]
pub struct Classification {
    venues: Vec<TypeEntry>,
    organisations: Vec<TypeEntry>,
    /// Where the clinical / community split comes from.
    pub source: String,
    /// Hours a week of one full-time post.
    pub fte_hours_per_week: f64,
    /// Where that comes from.
    pub fte_source: String,
}

/// Lower case, single spaces, `_` and `-` as spaces, typographic apostrophes plain.
pub fn normalise(text: &str) -> String {
    text.to_lowercase()
        .replace(['_', '-'], " ")
        .replace(['\u{2019}', '\u{2018}'], "'")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn parse(text: &str, label: &str) -> Result<SettingsFile> {
    let file: SettingsFile = toml::from_str(text).map_err(|e| Error::Toml {
        file: label.to_string(),
        reason: crate::plain_toml::reason(text, &e, "classification file"),
    })?;
    for v in &file.venue {
        if v.setting.is_none() {
            return Err(Error::Toml {
                file: label.to_string(),
                reason: format!("venue '{}' needs setting = \"clinical\" or \"community\"", v.label),
            });
        }
    }
    if let Some(h) = file.fte_hours_per_week {
        if !(h > 0.0 && h <= 168.0) {
            return Err(Error::Toml {
                file: label.to_string(),
                reason: format!("fte_hours_per_week must be from 0 to 168, not {h}"),
            });
        }
    }
    Ok(file)
}

impl Classification {
    /// The bundled classification.
    ///
    /// # Errors
    ///
    /// None in practice: the bundled file is checked by a test.
    pub fn builtin() -> Result<Classification> {
        let file = parse(include_str!("data/settings.toml"), "settings.toml")?;
        Ok(Classification {
            venues: file.venue,
            organisations: file.organisation,
            source: file.source.unwrap_or_default(),
            fte_hours_per_week: file.fte_hours_per_week.unwrap_or(37.5),
            fte_source: file.fte_source.unwrap_or_default(),
        })
    }

    /// The bundled classification extended by a user's file of the same shape: its types
    /// are tried first, and its `source` and full-time hours, when given, are added and
    /// replace the bundled ones.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if the file cannot be read; as [`Classification::extended`].
    pub fn with_file(path: &Path) -> Result<Classification> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io("read", path, e))?;
        Classification::builtin()?.extended(&text, &path.display().to_string())
    }

    /// [`Classification::with_file`] from text.
    ///
    /// # Errors
    ///
    /// [`Error::Toml`] if the text is not a classification file of the bundled shape.
    pub fn extended(mut self, text: &str, label: &str) -> Result<Classification> {
        let file = parse(text, label)?;
        self.venues.splice(0..0, file.venue);
        self.organisations.splice(0..0, file.organisation);
        if let Some(source) = file.source {
            self.source = format!("{source}; otherwise: {}", self.source);
        }
        if let Some(h) = file.fte_hours_per_week {
            self.fte_hours_per_week = h;
            self.fte_source = file.fte_source.unwrap_or_else(|| label.to_string());
        }
        Ok(self)
    }

    /// A venue type as written, classified; an unrecognised one keeps its spelling (trimmed,
    /// single-spaced) and has no setting.
    ///
    /// ```
    /// use coproduction::delivery::{Classification, VenueSetting};
    /// let c = Classification::builtin().unwrap();
    /// assert_eq!(c.venue("  gp   SURGERY").label, "GP surgery");
    /// assert_eq!(c.venue("Memory Clinic").setting, Some(VenueSetting::Clinical));
    /// assert_eq!(c.venue("St Mary's church hall").setting, Some(VenueSetting::Community));
    /// assert_eq!(c.venue("Boat").setting, None);
    /// ```
    pub fn venue(&self, written: &str) -> VenueClass {
        match find(&self.venues, written) {
            Some(t) => VenueClass { label: t.label.clone(), setting: t.setting, code: t.code.clone() },
            None => VenueClass { label: tidy(written), setting: None, code: None },
        }
    }

    /// An organisation type as written: its label, and whether it was recognised.
    pub fn organisation(&self, written: &str) -> (String, bool) {
        match find(&self.organisations, written) {
            Some(t) => (t.label.clone(), true),
            None => (tidy(written), false),
        }
    }
}

fn tidy(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The type a spelling means: the label or a synonym exactly, else the first type with a
/// phrase found as whole words.
fn find<'a>(types: &'a [TypeEntry], written: &str) -> Option<&'a TypeEntry> {
    let text = normalise(written);
    if text.is_empty() {
        return None;
    }
    types
        .iter()
        .find(|t| normalise(&t.label) == text || t.synonyms.iter().any(|s| normalise(s) == text))
        .or_else(|| {
            let padded = format!(" {text} ");
            types.iter().find(|t| t.contains.iter().any(|p| padded.contains(&format!(" {} ", normalise(p)))))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_file_reads_and_classifies() {
        let c = Classification::builtin().unwrap();
        assert!(c.source.contains("ACTIVITY LOCATION TYPE CODE"));
        assert_eq!(c.fte_hours_per_week, 37.5);
        for (written, label, setting) in [
            ("GP Surgery", "GP surgery", VenueSetting::Clinical),
            ("gp_surgery", "GP surgery", VenueSetting::Clinical),
            ("memory clinic", "Clinic", VenueSetting::Clinical),
            ("St George's Hospital", "Hospital", VenueSetting::Clinical),
            ("Chemist", "Pharmacy", VenueSetting::Clinical),
            ("Smile dental surgery", "Dental practice", VenueSetting::Clinical),
            ("church hall", "Church hall", VenueSetting::Community),
            ("Masjid", "Mosque", VenueSetting::Community),
            ("community  centre", "Community centre", VenueSetting::Community),
            ("library", "Library", VenueSetting::Community),
        ] {
            let v = c.venue(written);
            assert_eq!((v.label.as_str(), v.setting), (label, Some(setting)), "{written}");
        }
        let boat = c.venue("  Narrow   boat ");
        assert_eq!((boat.label.as_str(), boat.setting), ("Narrow boat", None));
        assert_eq!(c.organisation("FAITH-GROUP"), ("Faith group".to_string(), true));
        assert_eq!(c.organisation("charity"), ("Voluntary organisation".to_string(), true));
        assert_eq!(c.organisation("sports club"), ("sports club".to_string(), false));
    }

    #[test]
    fn a_users_file_comes_first() {
        let c = Classification::builtin().unwrap()
            .extended(
                "source = \"Our network's list\"\n[[venue]]\nlabel = \"Barge\"\nsetting = \"community\"\nsynonyms = [\"narrow boat\"]\n[[venue]]\nlabel = \"Clinic bus\"\nsetting = \"community\"\nsynonyms = [\"mobile clinic\"]\n",
                "mine.toml",
            )
            .unwrap();
        assert_eq!(c.venue("Narrow boat").label, "Barge");
        assert_eq!(c.venue("mobile clinic").setting, Some(VenueSetting::Community));
        assert!(c.source.starts_with("Our network's list; otherwise: "));
        let err = Classification::builtin()
            .unwrap()
            .extended("[[venue]]\nlabel = \"X\"\n", "bad.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("needs setting"), "{err}");
    }
}
