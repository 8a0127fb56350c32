//! Publication: the one place where the disclosure rule is applied.
//!
//! The stages before this one compute exact figures. [`publish`] turns an
//! [`Evaluation`](crate::Evaluation) into a [`Publication`]: every count of people, and
//! every rate, mean and statistic over people, becomes a [`Published`] value (shown, hidden
//! as small, or hidden to protect another figure), chosen so that no hidden count can be
//! read or worked out from the published totals (`cells`, an interval audit run on every
//! publication). Counts that are not people (sessions, partners, hours, money) are plain
//! numbers and never hidden. Every printer (HTML, Markdown, CSV tables, charts,
//! `results.json`, the impact map's quantity text, the command-line summary) reads the
//! publication and nothing else, so a printer cannot show what the rule hides.

mod cells;
mod delivery;
mod model;

pub use delivery::{
    DeliveryRow, PublishedCost, PublishedDelivery, PublishedDeliveryOverview, PublishedPartner,
};
pub use model::{
    MeasureStatistics, Publication, PublishedBandShift, PublishedCardiovascular, PublishedCategory,
    PublishedClinicalSignificance, PublishedMcNemar, PublishedMeasure, PublishedPilot, PublishedQaly,
    PublishedQuantity, PublishedRate, PublishedSocialValue, PublishedTalkingTherapies, protect_equity,
    publish, publish_exact,
};
// The vocabulary of publication is shared: the stages before this one give their exact
// figures in the same cell type, and the plan holds the rule.
pub use crate::disclosure::{DisclosureControl, DisclosureRule, Hidden, Method, Published, SECONDARY_MARKER};

#[cfg(test)]
mod tests;
