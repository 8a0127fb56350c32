//! The map of local provision: who offers what, area by area, from the partners'
//! activities and a `provision.csv` of groups that are not partners yet, with each area's
//! need (people, IMD decile) from the population file. Providers are organisations, not
//! people: nothing here is suppressed.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::Path;

use serde::Serialize;

use super::{Activity, Classification, normalise};
use crate::error::{Error, Result};
use crate::ingest::{FileSummary, Rejects};

/// One provider in one area.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct Provider {
    /// The area.
    pub area: String,
    /// The organisation.
    pub name: String,
    /// Its type.
    pub organisation_type: String,
    /// What it offers (activity types).
    pub offers: Vec<String>,
    /// A partner of the pilots (from the activities), or not yet (from provision.csv).
    pub partner: bool,
}

/// Provision and need in one area.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct AreaProvision {
    /// The area.
    pub area: String,
    /// Providers (partners and others).
    pub providers: usize,
    /// Of which partners.
    pub partners: usize,
    /// Providers offering each kind of provision, in the map's order of kinds.
    pub by_kind: Vec<(String, usize)>,
    /// Residents, from the population file.
    pub people: Option<f64>,
    /// IMD decile (1 = most deprived), from the population file.
    pub imd_decile: Option<f64>,
    /// Providers per 10,000 residents.
    pub providers_per_10k: Option<f64>,
}

/// Providers by area, with need.
#[derive(Debug, Clone, PartialEq, Default, Serialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct ProvisionMap {
    /// Kinds of provision (activity types), in order.
    pub kinds: Vec<String>,
    /// Area by area.
    pub areas: Vec<AreaProvision>,
    /// The directory: every provider by area.
    pub providers: Vec<Provider>,
    /// Areas of greatest need with the least provision: in the more deprived half by IMD
    /// decile and below the median providers per 10,000 residents.
    pub greatest_need_least_provision: Vec<String>,
}

/// An activity type as a label: normalised, first letter capital.
pub(crate) fn kind_label(text: &str) -> String {
    let n = normalise(text);
    let mut chars = n.chars();
    chars.next().map(|c| c.to_uppercase().collect::<String>() + chars.as_str()).unwrap_or_default()
}

const COLUMNS: [&str; 4] = ["name", "type", "area", "offers"];

/// Reads a provision table (`name, type, area, offers`; offers listed with `;` or `|`).
///
/// # Errors
///
/// [`Error::MissingColumn`] or [`Error::NotATable`] if the table cannot be read; rows that
/// fail their checks are rejected, not errors.
pub fn load_provision(
    input: impl Read,
    label: &str,
    classification: &Classification,
) -> Result<(Vec<Provider>, FileSummary, Rejects)> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(input);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| Error::NotATable { file: label.to_string(), reason: e.to_string() })?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_ascii_lowercase())
        .collect();
    let mut index = BTreeMap::new();
    for c in COLUMNS {
        let i = headers.iter().position(|h| h == c).ok_or_else(|| Error::MissingColumn {
            file: label.to_string(),
            column: c.to_string(),
            found: headers.join(", "),
        })?;
        index.insert(c, i);
    }
    let mut providers = Vec::new();
    let mut rejects = Rejects::new();
    let mut summary = FileSummary { file: label.to_string(), ..FileSummary::default() };
    let mut sheet_rows = crate::ingest::SheetRows::after_header();
    for record in reader.into_records() {
        let row = sheet_rows.next();
        let record = match record {
            Ok(r) if r.iter().all(|c| c.trim().is_empty()) => {
                summary.rows_blank += 1;
                continue;
            }
            Ok(r) => Ok(r),
            Err(e) => Err((None, String::new(), format!("cannot read the row: {e}"))),
        };
        summary.rows_read += 1;
        let parsed = record.and_then(|r| {
            if r.len() != headers.len() {
                return Err((
                    None,
                    String::new(),
                    format!("the row has {} fields but the header has {}", r.len(), headers.len()),
                ));
            }
            let get = |c: &str| r.get(index[c]).map(str::trim).unwrap_or("");
            for c in COLUMNS {
                crate::ingest::bounded_text(c, Some(get(c)))
                    .map_err(|p| (Some(c), p.value.unwrap_or_default(), p.reason))?;
            }
            for c in ["name", "area"] {
                if get(c).is_empty() {
                    return Err((Some(c), String::new(), format!("{c} is empty")));
                }
            }
            let tidy = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
            let mut offers: Vec<String> =
                get("offers").split([';', '|']).map(kind_label).filter(|k| !k.is_empty()).collect();
            offers.sort();
            offers.dedup();
            Ok(Provider {
                area: tidy(get("area")),
                name: tidy(get("name")),
                organisation_type: if get("type").is_empty() {
                    "Not recorded".to_string()
                } else {
                    classification.organisation(get("type")).0
                },
                offers,
                partner: false,
            })
        });
        match parsed {
            Ok(p) => {
                providers.push(p);
                summary.rows_accepted += 1;
            }
            Err((column, value, reason)) => {
                rejects.push(label, row, column, Some(&value), reason);
                summary.rows_rejected += 1;
            }
        }
    }
    Ok((providers, summary, rejects))
}

/// Reads the provision file a plan names.
///
/// # Errors
///
/// As [`load_provision`], or [`Error::Io`] if the file cannot be opened.
pub fn load_provision_path(
    path: &Path,
    classification: &Classification,
) -> Result<(Vec<Provider>, FileSummary, Rejects)> {
    let file = std::fs::File::open(path).map_err(|e| Error::io("read", path, e))?;
    load_provision(file, &path.display().to_string(), classification)
}

fn median(mut values: Vec<f64>) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    (n > 0).then(|| if n % 2 == 1 { values[n / 2] } else { (values[n / 2 - 1] + values[n / 2]) / 2.0 })
}

/// The map: partners (from the activities) and other providers, by area, with need.
pub fn provision_map(
    activities: &[Activity],
    others: &[Provider],
    need: &BTreeMap<String, (f64, Option<f64>)>,
) -> ProvisionMap {
    // (area, name) -> (type, offers, partner)
    let mut directory: BTreeMap<(String, String), (String, BTreeSet<String>, bool)> = BTreeMap::new();
    for a in activities {
        let area = a.area.clone().unwrap_or_else(|| "Not recorded".to_string());
        let entry = directory
            .entry((area, a.partner.clone()))
            .or_insert_with(|| (a.organisation_type.clone(), BTreeSet::new(), true));
        entry.1.insert(kind_label(&a.activity));
    }
    // A listed group found among the partners of that area is one provider.
    let partners_by_key: BTreeMap<(String, String), (String, String)> = directory
        .keys()
        .map(|(area, name)| ((normalise(area), normalise(name)), (area.clone(), name.clone())))
        .collect();
    for p in others {
        let key = partners_by_key
            .get(&(normalise(&p.area), normalise(&p.name)))
            .cloned()
            .unwrap_or_else(|| (p.area.clone(), p.name.clone()));
        let entry =
            directory.entry(key).or_insert_with(|| (p.organisation_type.clone(), BTreeSet::new(), false));
        entry.1.extend(p.offers.iter().cloned());
    }
    let kinds: BTreeSet<String> = directory.values().flat_map(|v| v.1.iter().cloned()).collect();
    let kinds: Vec<String> = kinds.into_iter().collect();
    let providers: Vec<Provider> = directory
        .into_iter()
        .map(|((area, name), (organisation_type, offers, partner))| Provider {
            area,
            name,
            organisation_type,
            offers: offers.into_iter().collect(),
            partner,
        })
        .collect();
    let mut area_names: BTreeSet<&str> = providers.iter().map(|p| p.area.as_str()).collect();
    area_names.extend(need.keys().map(String::as_str));
    let mut by_area: BTreeMap<&str, Vec<&Provider>> = BTreeMap::new();
    for p in &providers {
        by_area.entry(p.area.as_str()).or_default().push(p);
    }
    let areas: Vec<AreaProvision> = area_names
        .into_iter()
        .map(|area| {
            let here: &[&Provider] = by_area.get(area).map_or(&[], Vec::as_slice);
            let (people, imd_decile) = need.get(area).map_or((None, None), |(p, d)| (Some(*p), *d));
            AreaProvision {
                area: area.to_string(),
                providers: here.len(),
                partners: here.iter().filter(|p| p.partner).count(),
                by_kind: kinds
                    .iter()
                    .map(|k| (k.clone(), here.iter().filter(|p| p.offers.contains(k)).count()))
                    .collect(),
                people,
                imd_decile,
                providers_per_10k: people.filter(|p| *p > 0.0).map(|p| here.len() as f64 * 10_000.0 / p),
            }
        })
        .collect();
    // Need first: the more deprived half by decile; then the least provision: below the
    // median providers per 10,000 of every area with residents.
    let deciles: Vec<f64> = areas.iter().filter_map(|a| a.imd_decile).collect();
    let rates: Vec<f64> = areas.iter().filter_map(|a| a.providers_per_10k).collect();
    let greatest_need_least_provision = match (median(deciles), median(rates)) {
        (Some(d), Some(r)) => {
            let mut named: Vec<&AreaProvision> = areas
                .iter()
                .filter(|a| {
                    a.imd_decile.is_some_and(|x| x <= d) && a.providers_per_10k.is_some_and(|x| x < r)
                })
                .collect();
            named.sort_by(|a, b| {
                a.imd_decile.partial_cmp(&b.imd_decile).unwrap_or(std::cmp::Ordering::Equal).then(
                    a.providers_per_10k
                        .partial_cmp(&b.providers_per_10k)
                        .unwrap_or(std::cmp::Ordering::Equal),
                )
            });
            named.into_iter().map(|a| a.area.clone()).collect()
        }
        _ => Vec::new(),
    };
    ProvisionMap { kinds, areas, providers, greatest_need_least_provision }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provision_rows_are_checked_and_offers_normalised() {
        let csv = "Name,TYPE,area,offers\n\
                   Food Bank,charity,Battersea,Food  support| advice;\n\
                   ,faith group,Tooting,lunch club\n\
                   Club,,Balham,\n";
        let c = Classification::builtin().unwrap();
        let (providers, summary, rejects) = load_provision(csv.as_bytes(), "p.csv", &c).unwrap();
        assert_eq!((summary.rows_read, summary.rows_accepted, summary.rows_rejected), (3, 2, 1));
        assert_eq!((rejects.entries()[0].row, rejects.entries()[0].reason.as_str()), (3, "name is empty"));
        assert_eq!(providers[0].organisation_type, "Voluntary organisation");
        assert_eq!(providers[0].offers, ["Advice", "Food support"]);
        assert_eq!((providers[1].organisation_type.as_str(), providers[1].offers.len()), ("Not recorded", 0));
        let err = load_provision("name,area\n".as_bytes(), "p.csv", &c).unwrap_err().to_string();
        assert!(err.contains("type"), "{err}");
    }

    #[test]
    fn without_deciles_no_area_is_named() {
        let c = Classification::builtin().unwrap();
        let (others, _, _) =
            load_provision("name,type,area,offers\nA,community group,X,sport\n".as_bytes(), "p.csv", &c)
                .unwrap();
        let mut need = BTreeMap::new();
        need.insert("X".to_string(), (20_000.0, None));
        need.insert("Y".to_string(), (10_000.0, None));
        let map = provision_map(&[], &others, &need);
        assert_eq!(map.areas.len(), 2);
        assert_eq!((map.areas[1].area.as_str(), map.areas[1].providers), ("Y", 0));
        assert_eq!(map.areas[0].providers_per_10k, Some(0.5));
        assert!(map.greatest_need_least_provision.is_empty());
    }
}
