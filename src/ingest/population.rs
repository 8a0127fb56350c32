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
    /// The IMD decile of a group, from an optional `imd_decile` column (areas' need, for
    /// the map of local provision).
    deciles: BTreeMap<(String, String), f64>,
}

impl Population {
    /// Reads a population file: CSV, or the first sheet of a workbook (`.xlsx`, `.xlsm`,
    /// `.xls`, `.ods`).
    ///
    /// # Errors
    ///
    /// As [`Population::from_csv_str`], or the file cannot be read.
    pub fn from_path(path: &Path) -> Result<Population> {
        let label = path.display().to_string();
        if crate::ingest::is_workbook(path) {
            let (headers, rows) = crate::ingest::workbook_rows(path, &label, crate::DateFormat::Iso)?;
            return Population::from_records(&headers, rows.into_iter().map(Ok), &label);
        }
        let text = std::fs::read_to_string(path).map_err(|e| Error::io("read", path, e))?;
        Population::from_csv_str(&text, &label)
    }

    /// Reads a population CSV file (a workbook too: see [`Population::from_path`]).
    ///
    /// # Errors
    ///
    /// As [`Population::from_path`].
    pub fn from_csv_path(path: &Path) -> Result<Population> {
        Population::from_path(path)
    }

    /// Parses population CSV text; `label` names it in messages.
    ///
    /// ```
    /// use coproduction::equity::Population;
    /// let p = Population::from_csv_str("dimension,group,population\nethnicity,Mixed,50\nethnicity,Other,150\n", "pop.csv").unwrap();
    /// assert_eq!(p.share("ethnicity", "Mixed"), Some(0.25));
    /// let err = Population::from_csv_str("dimension,group,population\nethnicity,Mixed,lots\n", "pop.csv").unwrap_err();
    /// assert!(err.to_string().contains("row 2"), "{err}");
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::NotATable`] or [`Error::MissingColumn`] for the header; [`Error::InvalidData`]
    /// naming the row as a spreadsheet shows it (header row 1) for an empty dimension or
    /// group, a population that is not a non-negative number, or a label over
    /// [`MAX_TEXT_CHARS`](crate::ingest::MAX_TEXT_CHARS) characters.
    pub fn from_csv_str(text: &str, label: &str) -> Result<Population> {
        let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        let headers: Vec<String> = reader
            .headers()
            .map_err(|e| Error::NotATable { file: label.to_string(), reason: e.to_string() })?
            .iter()
            .map(|h| h.trim().to_ascii_lowercase())
            .collect();
        let records = reader.into_records().enumerate().map(|(i, record)| {
            record
                .map(|r| (r.position().map_or(i as u64 + 2, |p| p.line()), r))
                .map_err(|e| Error::invalid(Location::file(label).row(i as u64 + 2), e.to_string()))
        });
        Population::from_records(&headers, records, label)
    }

    /// The rows of a population table, each with its row number as a spreadsheet shows it.
    fn from_records(
        headers: &[String],
        records: impl Iterator<Item = Result<(u64, csv::StringRecord)>>,
        label: &str,
    ) -> Result<Population> {
        let column = |name: &str| {
            headers.iter().position(|h| h == name).ok_or_else(|| Error::MissingColumn {
                file: label.to_string(),
                column: name.to_string(),
                found: headers.join(", "),
            })
        };
        let (d, g, p) = (column("dimension")?, column("group")?, column("population")?);
        let imd = headers.iter().position(|h| h == "imd_decile");
        let mut counts: BTreeMap<String, BTreeMap<String, f64>> = BTreeMap::new();
        let mut deciles = BTreeMap::new();
        for record in records {
            let (row, record) = record?;
            let cell = |k: usize| record.get(k).unwrap_or("").trim();
            if (0..record.len()).all(|k| cell(k).is_empty()) {
                continue;
            }
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
            if let Some(text) = imd.map(cell).filter(|c| !c.is_empty()) {
                match text.parse::<f64>() {
                    Ok(v) if (1.0..=10.0).contains(&v) => {
                        deciles.insert((cell(d).to_string(), cell(g).to_string()), v);
                    }
                    _ => {
                        return Err(Error::invalid(
                            Location::file(label).row(row).column("imd_decile").value(text),
                            "imd_decile must be a number from 1 (most deprived) to 10",
                        ));
                    }
                }
            }
            counts.entry(cell(d).to_string()).or_default().insert(cell(g).to_string(), value);
        }
        let totals = counts.iter().map(|(d, groups)| (d.clone(), groups.values().sum())).collect();
        Ok(Population { counts, totals, deciles })
    }

    /// Each group of a dimension with its population and, where the file gives one, its
    /// IMD decile (for areas: the need beside the map of local provision).
    pub fn groups(&self, dimension: &str) -> BTreeMap<String, (f64, Option<f64>)> {
        let Some(groups) = self.counts.get(dimension) else { return BTreeMap::new() };
        groups
            .iter()
            .map(|(group, &people)| {
                let decile = self.deciles.get(&(dimension.to_string(), group.clone())).copied();
                (group.clone(), (people, decile))
            })
            .collect()
    }

    /// A group's share of the population in a dimension.
    pub fn share(&self, dimension: &str, group: &str) -> Option<f64> {
        let count = self.counts.get(dimension)?.get(group)?;
        let total = *self.totals.get(dimension)?;
        (total > 0.0).then(|| count / total)
    }
}
