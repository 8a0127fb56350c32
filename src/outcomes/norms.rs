//! Population reference values for wellbeing measures (`data/population_norms.toml`).

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A population mean to read a pilot's scores against.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct PopulationNorm {
    /// Instrument id.
    pub measure: String,
    /// The population.
    pub group: String,
    /// Its mean score.
    pub mean: f64,
    /// Where it comes from.
    pub source: String,
    /// confirmed, secondary, unconfirmed.
    pub confidence: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NormsFile {
    norm: Vec<PopulationNorm>,
}

/// The bundled norms for one measure.
///
/// ```
/// let norms = coproduction::population_norms("swemwbs").unwrap();
/// assert_eq!(norms.len(), 2);
/// assert_eq!(norms[0].mean, 23.7);
/// ```
///
/// # Errors
///
/// [`Error::Toml`](crate::Error::Toml) if the embedded norms table does not load (ruled out by
/// the tests).
pub fn population_norms(measure: &str) -> Result<Vec<PopulationNorm>> {
    let file: NormsFile = toml::from_str(include_str!("data/population_norms.toml"))
        .map_err(|e| Error::Toml { file: "population_norms.toml".to_string(), reason: e.to_string() })?;
    Ok(file.norm.into_iter().filter(|n| n.measure == measure).collect())
}
