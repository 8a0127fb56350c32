//! Population counts by group, for representation ratios (e.g. Census 2021 tables for the
//! area a pilot serves).

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::{Error, Location, Result};

/// Population counts: `dimension,group,population` (extra columns such as `source` are
/// allowed and ignored). Group labels must match the participants' labels.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Population {
    counts: BTreeMap<String, BTreeMap<String, f64>>,
    /// Each dimension's total, summed once: a share is then one look-up, not a pass over
    /// every group (33,755 areas would otherwise cost 33,755² additions).
    totals: BTreeMap<String, f64>,
}

impl Population {
    /// Reads a population CSV file.
    ///
    /// # Errors
    ///
    /// [`Error::Io`](crate::Error::Io) if the file cannot be read, otherwise as
    /// [`Population::from_csv_str`].
    pub fn from_csv_path(path: &Path) -> Result<Population> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io("read", path, e))?;
        Population::from_csv_str(&text, &path.display().to_string())
    }

    /// Parses population CSV text; `label` names it in messages.
    ///
    /// ```
    /// use coproduction::equity::Population;
    /// let p = Population::from_csv_str("dimension,group,population\nethnicity,Mixed,50\nethnicity,Other,150\n", "pop.csv").unwrap();
    /// assert_eq!(p.share("ethnicity", "Mixed"), Some(0.25));
    /// assert!(Population::from_csv_str("dimension,group,population\nethnicity,Mixed,lots\n", "pop.csv").is_err());
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::NotATable`](crate::Error::NotATable),
    /// [`Error::MissingColumn`](crate::Error::MissingColumn) or
    /// [`Error::InvalidData`](crate::Error::InvalidData) (with its row) if the table is not a
    /// population table.
    pub fn from_csv_str(text: &str, label: &str) -> Result<Population> {
        let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        let headers: Vec<String> = reader
            .headers()
            .map_err(|e| Error::NotATable { file: label.to_string(), reason: e.to_string() })?
            .iter()
            .map(|h| h.trim().to_ascii_lowercase())
            .collect();
        let column = |name: &str| {
            headers.iter().position(|h| h == name).ok_or_else(|| Error::MissingColumn {
                file: label.to_string(),
                column: name.to_string(),
                found: headers.join(", "),
            })
        };
        let (d, g, p) = (column("dimension")?, column("group")?, column("population")?);
        let mut counts: BTreeMap<String, BTreeMap<String, f64>> = BTreeMap::new();
        for (i, record) in reader.records().enumerate() {
            let row = i as u64 + 1;
            let record = record.map_err(|e| Error::invalid(Location::file(label).row(row), e.to_string()))?;
            let cell = |k: usize| record.get(k).unwrap_or("").trim();
            let value: f64 =
                cell(p).parse().ok().filter(|v: &f64| v.is_finite() && *v >= 0.0).ok_or_else(|| {
                    Error::invalid(
                        Location::file(label).row(row).column("population").value(cell(p)),
                        "population must be a non-negative number",
                    )
                })?;
            if cell(d).is_empty() || cell(g).is_empty() {
                return Err(Error::invalid(
                    Location::file(label).row(row),
                    "dimension and group must not be empty",
                ));
            }
            for (k, name) in [(d, "dimension"), (g, "group")] {
                if cell(k).chars().count() > crate::ingest::MAX_TEXT_CHARS {
                    return Err(Error::invalid(
                        Location::file(label).row(row).column(name).value(cell(k)),
                        format!("{name} may have at most {} characters", crate::ingest::MAX_TEXT_CHARS),
                    ));
                }
            }
            counts.entry(cell(d).to_string()).or_default().insert(cell(g).to_string(), value);
        }
        let totals = counts.iter().map(|(d, groups)| (d.clone(), groups.values().sum())).collect();
        Ok(Population { counts, totals })
    }

    /// A group's share of the population in a dimension.
    pub fn share(&self, dimension: &str, group: &str) -> Option<f64> {
        let count = self.counts.get(dimension)?.get(group)?;
        let total = *self.totals.get(dimension)?;
        (total > 0.0).then(|| count / total)
    }
}
