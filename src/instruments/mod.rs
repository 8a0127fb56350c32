//! The instrument catalogue, as data, and each instrument's scoring rules: shared
//! definitions, checked against by ingest and applied by the score stage (`score.rs`).
//!
//! Every measure (PHQ-9, GAD-7, CORE-10, SWEMWBS, ONS4, DEMQOL, Zarit, EQ-5D, blood
//! pressure, the NHS Talking Therapies ADSMs...) is a TOML file under
//! `src/instruments/data/`, embedded in the binary: items, item range, reverse-scored
//! items, the missing-item rule, total range, direction, caseness cut-off, reliable change,
//! bands, conversion table, licence note, and a `source` and `confidence` on every
//! threshold. Users add or correct instruments with files of the same shape
//! ([`Catalogue::add_from_file`]); EQ-5D value sets load the same way.
//!
//! ```
//! use coproduction::Catalogue;
//!
//! let core10 = Catalogue::builtin().get("core10").unwrap();
//! // Items 2 and 3 are reverse scored: a 4 there counts as 0.
//! let items = [1.0, 4.0, 4.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0].map(Some);
//! assert_eq!(core10.score_items(&items).unwrap().total, 8.0);
//! ```

pub(crate) mod catalogue;
mod definition;
mod scoring;
mod value_set;

pub use catalogue::{Catalogue, Measure, UnconfirmedThreshold};
pub(crate) use definition::is_whole;
pub use definition::{
    Band, Confidence, ConversionTable, Direction, Instrument, MeanSd, MissingItems, Norms, ReliableChange,
    Scoring, Sourced, Threshold,
};
pub use scoring::{JtCutoffs, RcSource, ScoreProblem, Scored, jacobson_truax_rc};
pub use value_set::{Dimension, ValueSet};

#[cfg(test)]
mod tests;
