//! The catalogue: the built-in instruments plus any the user loads.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::OnceLock;

use serde::Serialize;

use super::definition::{Confidence, Instrument, ReliableChange, Scoring};
use super::value_set::ValueSet;
use crate::error::{Error, Location, Result};

/// The built-in definitions, one file per instrument.
const BUILTIN: &[(&str, &str)] = &[
    ("phq9.toml", include_str!("data/phq9.toml")),
    ("gad7.toml", include_str!("data/gad7.toml")),
    ("wsas.toml", include_str!("data/wsas.toml")),
    ("core10.toml", include_str!("data/core10.toml")),
    ("wemwbs.toml", include_str!("data/wemwbs.toml")),
    ("swemwbs.toml", include_str!("data/swemwbs.toml")),
    ("ons_life_satisfaction.toml", include_str!("data/ons_life_satisfaction.toml")),
    ("ons_worthwhile.toml", include_str!("data/ons_worthwhile.toml")),
    ("ons_happiness.toml", include_str!("data/ons_happiness.toml")),
    ("ons_anxiety.toml", include_str!("data/ons_anxiety.toml")),
    ("demqol.toml", include_str!("data/demqol.toml")),
    ("demqol_proxy.toml", include_str!("data/demqol_proxy.toml")),
    ("qol_ad.toml", include_str!("data/qol_ad.toml")),
    ("zbi22.toml", include_str!("data/zbi22.toml")),
    ("zbi12.toml", include_str!("data/zbi12.toml")),
    ("eq5d5l.toml", include_str!("data/eq5d5l.toml")),
    ("eq5d3l.toml", include_str!("data/eq5d3l.toml")),
    ("eq_vas.toml", include_str!("data/eq_vas.toml")),
    ("sbp.toml", include_str!("data/sbp.toml")),
    ("dbp.toml", include_str!("data/dbp.toml")),
    ("mmse.toml", include_str!("data/mmse.toml")),
    ("moca.toml", include_str!("data/moca.toml")),
    ("spin.toml", include_str!("data/spin.toml")),
    ("pcl5.toml", include_str!("data/pcl5.toml")),
    ("pdss.toml", include_str!("data/pdss.toml")),
    ("oci_r.toml", include_str!("data/oci_r.toml")),
    ("hai18.toml", include_str!("data/hai18.toml")),
    ("aai.toml", include_str!("data/aai.toml")),
    ("ies_r.toml", include_str!("data/ies_r.toml")),
    ("mi_alone.toml", include_str!("data/mi_alone.toml")),
];

/// The built-in value sets, loaded after the instruments they score.
const BUILTIN_VALUE_SETS: &[(&str, &str)] =
    &[("value_sets/eq5d3l_uk_dolan1997.toml", include_str!("data/value_sets/eq5d3l_uk_dolan1997.toml"))];

/// Measures by id.
///
/// ```
/// use coproduction::Catalogue;
///
/// let catalogue = Catalogue::builtin();
/// let phq9 = catalogue.get("phq9").unwrap();
/// assert_eq!(phq9.caseness_value(), Some(10.0));
/// assert_eq!(phq9.fixed_reliable_change(), Some(6.0));
/// assert_eq!(catalogue.suggest("PHQ-9"), Some("phq9"));
/// // Thresholds not found in a primary source are listed for the report.
/// assert!(catalogue.unconfirmed().iter().any(|u| u.instrument == "pcl5" && u.what == "caseness"));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Catalogue {
    instruments: BTreeMap<String, Instrument>,
    /// The ids in the order they were first added: a [`Measure`] is an index here, so an
    /// id replaced by a later file keeps its measure.
    #[serde(skip)]
    measures: Vec<Arc<str>>,
}

/// An instrument of a [`Catalogue`], as stored in every assessment and
/// pair: its index in that catalogue.
///
/// Four bytes where a shared string would take sixteen: a million participants have
/// about nine million assessments. A `Measure` means something only with the catalogue
/// it came from ([`Catalogue::measure`]); the catalogue, or
/// the [`DataSet`](crate::DataSet) loaded with it, gives its id text. There is no
/// registry shared across catalogues.
///
/// ```
/// use coproduction::Catalogue;
/// let catalogue = Catalogue::builtin();
/// let phq9 = catalogue.measure("phq9").unwrap();
/// assert_eq!(Some(phq9), catalogue.measure("phq9"));
/// assert_eq!(catalogue.measure_id(phq9), "phq9");
/// assert_eq!(catalogue.measure("no_such_instrument"), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Measure(u32);

impl Measure {
    /// The measure at this position of its catalogue.
    pub(crate) fn at(index: usize) -> Measure {
        Measure(index as u32)
    }

    /// Its position in its catalogue.
    pub(crate) fn index(self) -> usize {
        self.0 as usize
    }
}

/// A threshold or definition that is best knowledge, not found in a primary source.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct UnconfirmedThreshold {
    /// Instrument id.
    pub instrument: String,
    /// What it is: "caseness", "reliable change", "band 'severe hypertension'",
    /// "definition"...
    pub what: String,
    /// The value as shipped.
    pub value: String,
    /// Where the value comes from.
    pub source: String,
}

impl Catalogue {
    /// The built-in catalogue, parsed once.
    ///
    /// The embedded files are checked by this module's tests (`builtin_catalogue_loads`),
    /// so loading cannot fail in a tested build.
    ///
    /// # Panics
    ///
    /// If the instrument files embedded in the crate do not load, which the tests rule
    /// out; [`Catalogue::try_builtin`] gives the reason as an error instead.
    ///
    /// ```
    /// use coproduction::Catalogue;
    /// assert_eq!(Catalogue::builtin().ids().count(), 30);
    /// assert_eq!(Catalogue::builtin().get("swemwbs").unwrap().item_count(), 7);
    /// ```
    #[allow(clippy::expect_used, reason = "the embedded catalogue is checked by the tests; see # Panics")]
    pub fn builtin() -> &'static Catalogue {
        Catalogue::try_builtin().expect("the embedded instrument catalogue loads (checked by the tests)")
    }

    /// The built-in catalogue, or why the embedded data could not be loaded.
    ///
    /// # Errors
    ///
    /// [`Error::Toml`] with the reason if the embedded instrument files do not load (ruled out
    /// by the tests).
    pub fn try_builtin() -> Result<&'static Catalogue> {
        static BUILTIN_CATALOGUE: OnceLock<std::result::Result<Catalogue, String>> = OnceLock::new();
        BUILTIN_CATALOGUE
            .get_or_init(|| Catalogue::load_builtin().map_err(|e| e.to_string()))
            .as_ref()
            .map_err(|reason| Error::Toml {
                file: "built-in instruments".to_string(),
                reason: reason.clone(),
            })
    }

    /// An owned copy of the built-in catalogue, to extend with [`Catalogue::add_from_toml`]
    /// or [`Catalogue::add_from_file`].
    ///
    /// # Errors
    ///
    /// As [`Catalogue::try_builtin`].
    pub fn with_builtin() -> Result<Catalogue> {
        Catalogue::try_builtin().cloned()
    }

    /// An empty catalogue.
    pub fn empty() -> Catalogue {
        Catalogue { instruments: BTreeMap::new(), measures: Vec::new() }
    }

    fn load_builtin() -> Result<Catalogue> {
        let mut catalogue = Catalogue::empty();
        for (file, text) in BUILTIN.iter().chain(BUILTIN_VALUE_SETS) {
            catalogue.add_from_toml(text, file)?;
        }
        Ok(catalogue)
    }

    /// Adds an instrument definition, or a value set (a file with `dimensions`), from TOML
    /// text; `file_label` names it in errors.
    ///
    /// An id already in the catalogue is an error unless the file says `replace = true`
    /// (to correct a built-in threshold). A replaced value-set instrument keeps its value
    /// set when the items still match.
    ///
    /// ```
    /// use coproduction::Catalogue;
    /// let mut catalogue = Catalogue::with_builtin().unwrap();
    /// catalogue.add_from_toml(r#"
    ///     id = "k10"
    ///     name = "K10"
    ///     version = "1"
    ///     items = 10
    ///     item_min = 1
    ///     item_max = 5
    ///     missing_items = "complete"
    ///     total_min = 10
    ///     total_max = 50
    ///     direction = "lower_is_better"
    ///     scoring = "sum"
    ///     licence = "no item wording shipped"
    ///     source = "Kessler et al. 2002"
    ///     confidence = "secondary"
    /// "#, "k10.toml").unwrap();
    /// assert_eq!(catalogue.get("k10").unwrap().score_total(22.0).unwrap().total, 22.0);
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Toml`] if the text is not an instrument definition, or [`Error::InvalidData`]
    /// if its scoring, ranges or thresholds are inconsistent.
    pub fn add_from_toml(&mut self, text: &str, file_label: &str) -> Result<()> {
        let table: toml::Table = toml::from_str(text)
            .map_err(|e| Error::Toml { file: file_label.to_string(), reason: e.to_string() })?;
        if table.contains_key("dimensions") {
            return self.add_value_set(ValueSet::from_toml(text, file_label)?, file_label);
        }
        let (mut instrument, replace) = Instrument::from_toml(text, file_label)?;
        if let Some(existing) = self.instruments.get(&instrument.id) {
            if !replace {
                return Err(Error::invalid(
                    Location::file(file_label).column("id").value(&instrument.id),
                    format!(
                        "instrument '{}' is already in the catalogue; add `replace = true` to replace it",
                        instrument.id
                    ),
                ));
            }
            let same_items = (existing.items, existing.item_min, existing.item_max)
                == (instrument.items, instrument.item_min, instrument.item_max);
            if instrument.scoring == Scoring::ValueSet && same_items {
                instrument.value_set = existing.value_set.clone();
            }
        }
        if !self.instruments.contains_key(&instrument.id) {
            self.measures.push(instrument.id.as_str().into());
        }
        self.instruments.insert(instrument.id.clone(), instrument);
        Ok(())
    }

    /// Reads a file and adds it as with [`Catalogue::add_from_toml`].
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if the file cannot be read, otherwise as [`Catalogue::add_from_toml`].
    pub fn add_from_file(&mut self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| Error::io("read", path, e))?;
        self.add_from_toml(&text, &path.display().to_string())
    }

    /// Attaches a value set to its instrument, replacing any earlier one.
    fn add_value_set(&mut self, value_set: ValueSet, file_label: &str) -> Result<()> {
        let at = |key: &str, value: String| Location::file(file_label).column(key).value(value);
        let Some(instrument) = self.instruments.get_mut(value_set.instrument()) else {
            let hint = self.hint(value_set.instrument());
            return Err(Error::invalid(
                at("instrument", value_set.instrument().to_string()),
                format!("no instrument '{}' in the catalogue{hint}", value_set.instrument()),
            ));
        };
        if instrument.scoring != Scoring::ValueSet {
            return Err(Error::invalid(
                at("instrument", instrument.id.clone()),
                format!("{} is not scored by a value set (scoring = \"value_set\")", instrument.name),
            ));
        }
        if value_set.dimensions().len() != instrument.items
            || value_set.levels() as f64 != instrument.item_max
        {
            return Err(Error::invalid(
                at(
                    "dimensions",
                    format!("{} dimensions of {} levels", value_set.dimensions().len(), value_set.levels()),
                ),
                format!("{} has {} items of 1–{}", instrument.name, instrument.items, instrument.item_max),
            ));
        }
        let (low, high) = value_set.utility_range();
        if low < instrument.total_min - 1e-9 || high > instrument.total_max + 1e-9 {
            return Err(Error::invalid(
                at("dimensions", format!("utilities {low:.3} to {high:.3}")),
                format!(
                    "outside {}'s total range {} to {}",
                    instrument.name, instrument.total_min, instrument.total_max
                ),
            ));
        }
        instrument.value_set = Some(value_set);
        Ok(())
    }

    /// The instrument with this id.
    pub fn get(&self, id: &str) -> Option<&Instrument> {
        self.instruments.get(id)
    }

    /// The instrument with this id, or an error that suggests the nearest id.
    ///
    /// ```
    /// use coproduction::Catalogue;
    /// let e = Catalogue::builtin().require("gad-7").unwrap_err();
    /// assert_eq!(e.to_string(), "unknown instrument 'gad-7', did you mean 'gad7'?");
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Unknown`], with the nearest id as a hint, if there is no such instrument.
    pub fn require(&self, id: &str) -> Result<&Instrument> {
        self.get(id).ok_or_else(|| Error::Unknown {
            kind: "instrument",
            name: id.to_string(),
            hint: self.hint(id),
        })
    }

    fn hint(&self, unknown: &str) -> String {
        self.suggest(unknown).map(|s| format!(", did you mean '{s}'?")).unwrap_or_default()
    }

    /// The measure with this id (exact spelling), for finding its assessments and pairs.
    pub fn measure(&self, id: &str) -> Option<Measure> {
        self.measures.iter().position(|m| &**m == id).map(Measure::at)
    }

    /// The id of a measure of this catalogue (`""` for a measure of another, larger one).
    pub fn measure_id(&self, measure: Measure) -> &str {
        self.measures.get(measure.index()).map_or("", |id| id)
    }

    /// The ids of the measures, by [`Measure`] index.
    pub(crate) fn measure_ids(&self) -> &[Arc<str>] {
        &self.measures
    }

    /// All ids, in alphabetical order.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.instruments.keys().map(String::as_str)
    }

    /// All instruments, by id.
    pub fn instruments(&self) -> impl Iterator<Item = &Instrument> {
        self.instruments.values()
    }

    /// The id nearest to an unknown name, for "did you mean". Case, spaces, hyphens and
    /// underscores are ignored; `None` when nothing is close.
    pub fn suggest(&self, unknown: &str) -> Option<&str> {
        let wanted = normalise(unknown);
        if wanted.is_empty() {
            return None;
        }
        // Allow about one edit per three characters, at most two.
        let allowed = ((wanted.len() + 1) / 3).clamp(1, 2);
        self.ids()
            .map(|id| (edit_distance(&wanted, &normalise(id)), id))
            .filter(|(distance, _)| *distance <= allowed)
            .min_by_key(|(distance, _)| *distance)
            .map(|(_, id)| id)
    }

    /// Every threshold, band or definition shipped with confidence "unconfirmed", for the
    /// report's list of values to check.
    pub fn unconfirmed(&self) -> Vec<UnconfirmedThreshold> {
        let mut out = Vec::new();
        for instrument in self.instruments.values() {
            let mut push = |what: String, value: String, source: &str| {
                out.push(UnconfirmedThreshold {
                    instrument: instrument.id.clone(),
                    what,
                    value,
                    source: source.to_string(),
                });
            };
            let unconfirmed = |c: Confidence| c == Confidence::Unconfirmed;
            if unconfirmed(instrument.confidence) {
                push("definition".into(), format!("{} items", instrument.items), &instrument.source);
            }
            if let Some(t) = instrument.caseness.as_ref().filter(|t| unconfirmed(t.confidence)) {
                push("caseness".into(), t.value.to_string(), &t.source);
            }
            if let Some(ReliableChange::Fixed { value, source, confidence: Confidence::Unconfirmed }) =
                &instrument.reliable_change
            {
                push("reliable change".into(), value.to_string(), source);
            }
            if let Some(r) = instrument.reliability.as_ref().filter(|r| unconfirmed(r.confidence)) {
                push("reliability".into(), r.value.to_string(), &r.source);
            }
            if let Some(n) = instrument.norms.as_ref().filter(|n| unconfirmed(n.confidence)) {
                let value = format!(
                    "clinical {} ({}), functional {} ({})",
                    n.clinical.mean, n.clinical.sd, n.functional.mean, n.functional.sd
                );
                push("norms".into(), value, &n.source);
            }
            for band in instrument.bands.iter().filter(|b| unconfirmed(b.confidence)) {
                push(format!("band '{}'", band.label), format!("{}–{}", band.min, band.max), &band.source);
            }
            if let Some(t) = instrument.conversion.as_ref().filter(|t| unconfirmed(t.confidence)) {
                push("conversion table".into(), format!("{} rows", t.points.len()), &t.source);
            }
            if let Some(v) = instrument.value_set.as_ref().filter(|v| unconfirmed(v.confidence())) {
                push("value set".into(), v.id().to_string(), v.source());
            }
        }
        out
    }
}

pub(crate) fn normalise(name: &str) -> Vec<char> {
    name.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// Levenshtein distance.
pub(crate) fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}
