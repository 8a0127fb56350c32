//! What an instrument is: the typed definition, and how a TOML file becomes one.
//!
//! A file is read into a plain `serde` mirror of the TOML (`InstrumentFile`), then checked
//! once into an [`Instrument`]. Every check names the file and key, so a user correcting a
//! threshold sees exactly which line to change.

use serde::{Deserialize, Serialize};

use super::value_set::ValueSet;
use crate::error::{Error, Location, Result};

/// How well a threshold or definition is sourced (the tags of `outcome-measures.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Confidence {
    /// Found in a primary or authoritative source, named beside it.
    Confirmed,
    /// Found only in a secondary source; verify before relying on it.
    Secondary,
    /// Best knowledge, not found in a primary source; reports list these.
    Unconfirmed,
    /// Computed from sourced formulas and values.
    Derived,
}

impl Confidence {
    /// The tag as written in data files and reports: "confirmed", "secondary",
    /// "unconfirmed" or "derived".
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Confirmed => "confirmed",
            Confidence::Secondary => "secondary",
            Confidence::Unconfirmed => "unconfirmed",
            Confidence::Derived => "derived",
        }
    }
}

/// Which way is better on an instrument.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Direction {
    /// Lower scores are better (symptom and burden measures, blood pressure).
    LowerIsBetter,
    /// Higher scores are better (wellbeing, quality of life, utility).
    HigherIsBetter,
}

/// What to do when some items are blank. Never a silent imputation: pro-rated totals are
/// flagged in [`Scored::prorated`](super::Scored::prorated).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum MissingItems {
    /// Every item must be answered.
    Complete,
    /// Pro-rate (answered total × items / answered) when at least this many are answered.
    ProrateIfAtLeast(usize),
}

/// How item responses become the analysed score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Scoring {
    /// The sum of the items (after reverse scoring), then any conversion table.
    Sum,
    /// The mean item score (after reverse scoring).
    Mean,
    /// A utility from a value set over the item levels (EQ-5D).
    ValueSet,
    /// No items: the score is entered directly (blood pressure, EQ-VAS, MMSE, MoCA).
    SingleValue,
}

/// A value with where it comes from and how well that is sourced.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Sourced<T> {
    /// The value.
    pub value: T,
    /// Where it comes from.
    pub source: String,
    /// How well that is sourced.
    pub confidence: Confidence,
}

/// A caseness cut-off.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Threshold {
    /// The boundary score.
    pub value: f64,
    /// Whether a score equal to `value` is a case (true for "10 or above").
    pub inclusive: bool,
    /// Where it comes from.
    pub source: String,
    /// How well that is sourced.
    pub confidence: Confidence,
}

/// A named score range, such as "moderate" for PHQ-9 10–14. Both ends are inclusive.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Band {
    /// The label used in reports.
    pub label: String,
    /// Lowest score in the band.
    pub min: f64,
    /// Highest score in the band.
    pub max: f64,
    /// Where it comes from.
    pub source: String,
    /// How well that is sourced.
    pub confidence: Confidence,
}

/// A mean and standard deviation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct MeanSd {
    /// Mean.
    pub mean: f64,
    /// Standard deviation.
    pub sd: f64,
}

/// Published norms for Jacobson-Truax clinical significance.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Norms {
    /// The clinical (dysfunctional) population: M1, s1.
    pub clinical: MeanSd,
    /// The functional (general) population: M0, s0.
    pub functional: MeanSd,
    /// Where they come from.
    pub source: String,
    /// How well that is sourced.
    pub confidence: Confidence,
}

/// A raw-total to analysed-score table (SWEMWBS raw → metric).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct ConversionTable {
    /// `(raw, converted)` for every whole raw total, in order.
    pub points: Vec<(f64, f64)>,
    /// Where it comes from.
    pub source: String,
    /// How well that is sourced.
    pub confidence: Confidence,
}

impl ConversionTable {
    /// The converted score for a whole raw total, if the table has it.
    pub fn convert(&self, raw: f64) -> Option<f64> {
        self.points.iter().find(|(r, _)| *r == raw).map(|(_, converted)| *converted)
    }
}

/// The reliable-change rule of an instrument.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ReliableChange {
    /// A published fixed value (PHQ-9 6, GAD-7 4).
    Fixed {
        /// The change, in score points, that counts as reliable.
        value: f64,
        /// Where it comes from.
        source: String,
        /// How well that is sourced.
        confidence: Confidence,
    },
    /// Jacobson-Truax from a baseline SD and this reliability (Cronbach's alpha).
    FromReliability {
        /// The reliability coefficient, between 0 and 1.
        reliability: f64,
        /// Where it comes from.
        source: String,
        /// How well that is sourced.
        confidence: Confidence,
    },
}

/// One measure: its items, scoring rules and thresholds, each with its source.
///
/// Built only through a [`Catalogue`](super::Catalogue), which checks the definition, so an
/// `Instrument` is always consistent (reverse items exist, the total range matches the
/// items, bands do not overlap...).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Instrument {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) description: String,
    pub(super) version: String,
    pub(super) items: usize,
    pub(super) item_min: f64,
    pub(super) item_max: f64,
    pub(super) whole_numbers: bool,
    pub(super) reverse_items: Vec<usize>,
    pub(super) missing_items: MissingItems,
    pub(super) total_min: f64,
    pub(super) total_max: f64,
    pub(super) direction: Direction,
    pub(super) scoring: Scoring,
    pub(super) risk_item: Option<usize>,
    pub(super) caseness: Option<Threshold>,
    pub(super) reliable_change: Option<ReliableChange>,
    pub(super) reliability: Option<Sourced<f64>>,
    pub(super) norms: Option<Norms>,
    pub(super) bands: Vec<Band>,
    pub(super) conversion: Option<ConversionTable>,
    pub(super) value_set: Option<ValueSet>,
    pub(super) licence: String,
    pub(super) source: String,
    pub(super) confidence: Confidence,
}

impl Instrument {
    /// The catalogue id (`phq9`), as used in the `measure` column.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Short display name (`PHQ-9`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// One line on what it measures.
    pub fn description(&self) -> &str {
        &self.description
    }

    /// Version of this definition, recorded with results.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// Number of items (`item_1..item_N`); 0 for measures entered as a score.
    pub fn item_count(&self) -> usize {
        self.items
    }

    /// Lowest and highest item response.
    pub fn item_range(&self) -> (f64, f64) {
        (self.item_min, self.item_max)
    }

    /// Whether item responses (or, for single-value measures, the score) are whole numbers.
    pub fn whole_numbers(&self) -> bool {
        self.whole_numbers
    }

    /// Reverse-scored items, 1-based.
    pub fn reverse_items(&self) -> &[usize] {
        &self.reverse_items
    }

    /// The rule for blank items.
    pub fn missing_items(&self) -> MissingItems {
        self.missing_items
    }

    /// Lowest and highest analysed score (for SWEMWBS the metric score, for EQ-5D the index).
    pub fn total_range(&self) -> (f64, f64) {
        (self.total_min, self.total_max)
    }

    /// Which way is better.
    pub fn direction(&self) -> Direction {
        self.direction
    }

    /// True when higher scores are better.
    pub fn higher_is_better(&self) -> bool {
        self.direction == Direction::HigherIsBetter
    }

    /// How items become the score.
    pub fn scoring(&self) -> Scoring {
        self.scoring
    }

    /// The item whose answer above its minimum raises a risk flag (PHQ-9 item 9), 1-based.
    pub fn risk_item(&self) -> Option<usize> {
        self.risk_item
    }

    /// Published norms for clinical significance, where sourced.
    pub fn norms(&self) -> Option<&Norms> {
        self.norms.as_ref()
    }

    /// Severity or category bands, in ascending order (empty when none are sourced).
    pub fn bands(&self) -> &[Band] {
        &self.bands
    }

    /// The raw → analysed conversion table (SWEMWBS).
    pub fn conversion(&self) -> Option<&ConversionTable> {
        self.conversion.as_ref()
    }

    /// The value set that turns EQ-5D levels into a utility, when one is loaded.
    pub fn value_set(&self) -> Option<&ValueSet> {
        self.value_set.as_ref()
    }

    /// The reliable-change rule: the fixed value where one is sourced, else Jacobson-Truax
    /// from the reliability.
    pub fn reliable_change(&self) -> Option<&ReliableChange> {
        self.reliable_change.as_ref()
    }

    /// The published reliability (Cronbach's alpha), kept even when a fixed value is used.
    pub fn reliability(&self) -> Option<&Sourced<f64>> {
        self.reliability.as_ref()
    }

    /// The licence position; no item wording is shipped for licensed instruments.
    pub fn licence(&self) -> &str {
        &self.licence
    }

    /// Where the definition (items, ranges, reverse items) comes from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// How well the definition is sourced.
    pub fn confidence(&self) -> Confidence {
        self.confidence
    }

    /// Reads and checks one definition. `file_label` names the file in errors.
    pub(super) fn from_toml(text: &str, file_label: &str) -> Result<(Instrument, bool)> {
        let file: InstrumentFile = toml::from_str(text)
            .map_err(|e| Error::Toml { file: file_label.to_string(), reason: e.to_string() })?;
        let replace = file.replace;
        Ok((file.check(file_label)?, replace))
    }
}

/// The TOML shape of an instrument file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct InstrumentFile {
    id: String,
    name: String,
    #[serde(default)]
    description: String,
    version: String,
    items: usize,
    #[serde(default)]
    item_min: Option<f64>,
    #[serde(default)]
    item_max: Option<f64>,
    #[serde(default = "yes")]
    whole_numbers: bool,
    #[serde(default)]
    reverse_items: Vec<usize>,
    missing_items: MissingItems,
    total_min: f64,
    total_max: f64,
    direction: Direction,
    scoring: Scoring,
    #[serde(default)]
    risk_item: Option<usize>,
    licence: String,
    source: String,
    confidence: Confidence,
    /// A user file may replace a built-in definition only by saying so.
    #[serde(default)]
    replace: bool,
    caseness: Option<CasenessFile>,
    reliable_change: Option<FixedFile>,
    reliability: Option<ReliabilityFile>,
    norms: Option<NormsFile>,
    bands: Option<BandsFile>,
    conversion: Option<ConversionFile>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CasenessFile {
    value: f64,
    #[serde(default = "yes")]
    inclusive: bool,
    source: String,
    confidence: Confidence,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FixedFile {
    value: f64,
    source: String,
    confidence: Confidence,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReliabilityFile {
    alpha: f64,
    source: String,
    confidence: Confidence,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NormsFile {
    clinical: MeanSd,
    functional: MeanSd,
    source: String,
    confidence: Confidence,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BandsFile {
    source: String,
    confidence: Confidence,
    levels: Vec<BandFile>,
}

/// A band may override the source and confidence of its table (one unconfirmed band among
/// confirmed ones).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BandFile {
    label: String,
    min: f64,
    max: f64,
    source: Option<String>,
    confidence: Option<Confidence>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConversionFile {
    source: String,
    confidence: Confidence,
    table: Vec<(f64, f64)>,
}

/// Builds the error for one key of one file.
struct Checker<'a> {
    file: &'a str,
}

impl Checker<'_> {
    fn fail(&self, key: &str, value: impl ToString, reason: impl Into<String>) -> Error {
        Error::invalid(Location::file(self.file).column(key).value(value.to_string()), reason)
    }

    fn require(&self, ok: bool, key: &str, value: impl ToString, reason: impl Into<String>) -> Result<()> {
        if ok { Ok(()) } else { Err(self.fail(key, value, reason)) }
    }

    fn finite(&self, key: &str, value: f64) -> Result<()> {
        self.require(value.is_finite(), key, value, "must be a finite number")
    }
}

impl InstrumentFile {
    fn check(mut self, file: &str) -> Result<Instrument> {
        let c = Checker { file };
        let id_ok = !self.id.is_empty()
            && self.id.chars().all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_');
        c.require(id_ok, "id", &self.id, "use lowercase letters, digits and '_' only (e.g. \"my_scale\")")?;
        c.require(!self.name.trim().is_empty(), "name", &self.name, "must not be empty")?;
        for (key, text) in [("source", &self.source), ("licence", &self.licence)] {
            c.require(
                !text.trim().is_empty(),
                key,
                text,
                "must not be empty: say where the definition comes from",
            )?;
        }
        c.finite("total_min", self.total_min)?;
        c.finite("total_max", self.total_max)?;
        c.require(
            self.total_min < self.total_max,
            "total_max",
            self.total_max,
            format!("must be above total_min ({})", self.total_min),
        )?;

        let (item_min, item_max) = self.check_items(&c)?;
        let n = self.items as f64;
        let conversion = self.conversion.take().map(|t| check_conversion(&c, t, &self)).transpose()?;

        // The declared total range must be what the items produce.
        match self.scoring {
            Scoring::Sum if conversion.is_none() => {
                let (lo, hi) = (n * item_min, n * item_max);
                c.require(
                    (self.total_min - lo).abs() < 1e-9 && (self.total_max - hi).abs() < 1e-9,
                    "total_min",
                    self.total_min,
                    format!(
                        "{} items of {item_min}–{item_max} sum to {lo}–{hi}, but the total range is {}–{}",
                        self.items, self.total_min, self.total_max
                    ),
                )?;
            }
            Scoring::Mean => {
                c.require(
                    self.total_min == item_min && self.total_max == item_max,
                    "total_min",
                    self.total_min,
                    format!(
                        "a mean of items {item_min}–{item_max} has that range, but the total range is {}–{}",
                        self.total_min, self.total_max
                    ),
                )?;
            }
            _ => {}
        }

        let caseness = self
            .caseness
            .map(|t| {
                c.finite("caseness.value", t.value)?;
                c.require(
                    (self.total_min..=self.total_max).contains(&t.value),
                    "caseness.value",
                    t.value,
                    format!("must lie within the total range {}–{}", self.total_min, self.total_max),
                )?;
                c.require(!t.source.trim().is_empty(), "caseness.source", "", "must not be empty")?;
                Ok(Threshold {
                    value: t.value,
                    inclusive: t.inclusive,
                    source: t.source,
                    confidence: t.confidence,
                })
            })
            .transpose()?;

        let reliability = self
            .reliability
            .map(|r| {
                c.require(
                    r.alpha > 0.0 && r.alpha < 1.0,
                    "reliability.alpha",
                    r.alpha,
                    "must be between 0 and 1",
                )?;
                c.require(!r.source.trim().is_empty(), "reliability.source", "", "must not be empty")?;
                Ok(Sourced { value: r.alpha, source: r.source, confidence: r.confidence })
            })
            .transpose()?;
        let fixed = self
            .reliable_change
            .map(|r| {
                let span = self.total_max - self.total_min;
                c.require(
                    r.value > 0.0 && r.value <= span,
                    "reliable_change.value",
                    r.value,
                    format!("must be above 0 and at most the width of the total range ({span})"),
                )?;
                c.require(!r.source.trim().is_empty(), "reliable_change.source", "", "must not be empty")?;
                Ok(ReliableChange::Fixed { value: r.value, source: r.source, confidence: r.confidence })
            })
            .transpose()?;
        let reliable_change = fixed.or_else(|| {
            reliability.as_ref().map(|r| ReliableChange::FromReliability {
                reliability: r.value,
                source: r.source.clone(),
                confidence: r.confidence,
            })
        });

        let norms = self
            .norms
            .map(|m| {
                for (key, ms) in [("norms.clinical", m.clinical), ("norms.functional", m.functional)] {
                    c.require(
                        ms.mean.is_finite() && ms.sd.is_finite() && ms.sd > 0.0,
                        key,
                        format!("mean {}, sd {}", ms.mean, ms.sd),
                        "needs a finite mean and an sd above 0",
                    )?;
                }
                Ok(Norms {
                    clinical: m.clinical,
                    functional: m.functional,
                    source: m.source,
                    confidence: m.confidence,
                })
            })
            .transpose()?;

        let bands = match self.bands {
            Some(b) => check_bands(&c, b, self.total_min, self.total_max)?,
            None => Vec::new(),
        };

        Ok(Instrument {
            id: self.id,
            name: self.name,
            description: self.description,
            version: self.version,
            items: self.items,
            item_min,
            item_max,
            whole_numbers: self.whole_numbers,
            reverse_items: self.reverse_items,
            missing_items: self.missing_items,
            total_min: self.total_min,
            total_max: self.total_max,
            direction: self.direction,
            scoring: self.scoring,
            risk_item: self.risk_item,
            caseness,
            reliable_change,
            reliability,
            norms,
            bands,
            conversion,
            value_set: None,
            licence: self.licence,
            source: self.source,
            confidence: self.confidence,
        })
    }

    /// Checks everything about items; returns the item range (0–0 for single values).
    fn check_items(&self, c: &Checker<'_>) -> Result<(f64, f64)> {
        if self.scoring == Scoring::SingleValue {
            c.require(
                self.items == 0,
                "items",
                self.items,
                "a single_value measure has no items: use items = 0",
            )?;
            for (key, given) in [("item_min", self.item_min), ("item_max", self.item_max)] {
                c.require(
                    given.is_none(),
                    key,
                    given.unwrap_or_default(),
                    "a single_value measure has no items",
                )?;
            }
            for (key, set) in [
                ("reverse_items", !self.reverse_items.is_empty()),
                ("risk_item", self.risk_item.is_some()),
                ("missing_items", self.missing_items != MissingItems::Complete),
            ] {
                c.require(!set, key, "", "a single_value measure has no items")?;
            }
            if self.whole_numbers {
                for (key, v) in [("total_min", self.total_min), ("total_max", self.total_max)] {
                    c.require(is_whole(v), key, v, "must be whole when whole_numbers = true")?;
                }
            }
            return Ok((0.0, 0.0));
        }
        c.require(
            self.items >= 1,
            "items",
            self.items,
            "must be at least 1 (or use scoring = \"single_value\")",
        )?;
        let Some(item_min) = self.item_min else {
            return Err(c.fail("item_min", "", "is required when the measure has items"));
        };
        let Some(item_max) = self.item_max else {
            return Err(c.fail("item_max", "", "is required when the measure has items"));
        };
        c.finite("item_min", item_min)?;
        c.finite("item_max", item_max)?;
        c.require(item_min < item_max, "item_max", item_max, format!("must be above item_min ({item_min})"))?;
        if self.whole_numbers {
            for (key, v) in [("item_min", item_min), ("item_max", item_max)] {
                c.require(is_whole(v), key, v, "must be whole when whole_numbers = true")?;
            }
        }
        let mut seen = Vec::new();
        for &k in &self.reverse_items {
            c.require(
                (1..=self.items).contains(&k),
                "reverse_items",
                k,
                format!("item {k} does not exist: items are numbered 1 to {}", self.items),
            )?;
            c.require(!seen.contains(&k), "reverse_items", k, format!("item {k} is listed twice"))?;
            seen.push(k);
        }
        if let Some(k) = self.risk_item {
            c.require(
                (1..=self.items).contains(&k),
                "risk_item",
                k,
                format!("item {k} does not exist: items are numbered 1 to {}", self.items),
            )?;
        }
        if let MissingItems::ProrateIfAtLeast(k) = self.missing_items {
            c.require(
                (1..=self.items).contains(&k),
                "missing_items.prorate_if_at_least",
                k,
                format!("must be between 1 and the number of items ({})", self.items),
            )?;
            c.require(
                matches!(self.scoring, Scoring::Sum | Scoring::Mean) && self.conversion.is_none(),
                "missing_items",
                "prorate_if_at_least",
                "pro-rating needs sum or mean scoring without a conversion table",
            )?;
        }
        if self.scoring == Scoring::ValueSet {
            c.require(
                self.reverse_items.is_empty(),
                "reverse_items",
                "",
                "value-set scoring uses levels as given",
            )?;
            c.require(
                self.whole_numbers && item_min == 1.0,
                "item_min",
                item_min,
                "value-set levels are whole numbers from 1",
            )?;
        }
        Ok((item_min, item_max))
    }
}

fn check_conversion(c: &Checker<'_>, t: ConversionFile, def: &InstrumentFile) -> Result<ConversionTable> {
    c.require(def.scoring == Scoring::Sum, "conversion", "", "a conversion table needs scoring = \"sum\"")?;
    c.require(def.whole_numbers, "conversion", "", "a conversion table needs whole_numbers = true")?;
    let (lo, hi) =
        (def.items as f64 * def.item_min.unwrap_or(0.0), def.items as f64 * def.item_max.unwrap_or(0.0));
    let expected = (hi - lo) as usize + 1;
    c.require(
        t.table.len() == expected,
        "conversion.table",
        t.table.len(),
        format!("needs one row for every raw total {lo}–{hi} ({expected} rows)"),
    )?;
    for (i, &(raw, converted)) in t.table.iter().enumerate() {
        let want = lo + i as f64;
        c.require(raw == want, "conversion.table", raw, format!("row {} should be raw total {want}", i + 1))?;
        c.require(
            converted.is_finite() && (def.total_min..=def.total_max).contains(&converted),
            "conversion.table",
            converted,
            format!(
                "converted score for raw {raw} must lie within the total range {}–{}",
                def.total_min, def.total_max
            ),
        )?;
        if i > 0 {
            c.require(
                converted > t.table[i - 1].1,
                "conversion.table",
                converted,
                format!("converted scores must increase (raw {raw})"),
            )?;
        }
    }
    Ok(ConversionTable { points: t.table, source: t.source, confidence: t.confidence })
}

fn check_bands(c: &Checker<'_>, b: BandsFile, total_min: f64, total_max: f64) -> Result<Vec<Band>> {
    let mut bands: Vec<Band> = Vec::with_capacity(b.levels.len());
    for level in b.levels {
        let key = format!("bands.levels '{}'", level.label);
        c.require(!level.label.trim().is_empty(), "bands.levels", "", "every band needs a label")?;
        c.require(
            level.min.is_finite() && level.max.is_finite() && level.min <= level.max,
            &key,
            format!("{}–{}", level.min, level.max),
            "min must not be above max",
        )?;
        c.require(
            level.min >= total_min && level.max <= total_max,
            &key,
            format!("{}–{}", level.min, level.max),
            format!("must lie within the total range {total_min}–{total_max}"),
        )?;
        if let Some(previous) = bands.last() {
            c.require(
                level.min > previous.max,
                &key,
                format!("{}–{}", level.min, level.max),
                format!(
                    "overlaps or comes before '{}' ({}–{}): list bands in ascending order",
                    previous.label, previous.min, previous.max
                ),
            )?;
        }
        bands.push(Band {
            label: level.label,
            min: level.min,
            max: level.max,
            source: level.source.unwrap_or_else(|| b.source.clone()),
            confidence: level.confidence.unwrap_or(b.confidence),
        });
    }
    Ok(bands)
}

/// True for whole numbers. Compared through an integer rather than `f64::fract`, which
/// is a library call on the baseline x86-64 target and runs for every item of every form.
pub(crate) fn is_whole(x: f64) -> bool {
    // Every float from 2^52 up is whole; below, the integer round trip is exact.
    x.is_finite() && (x.abs() >= 4_503_599_627_370_496.0 || x == (x as i64) as f64)
}
