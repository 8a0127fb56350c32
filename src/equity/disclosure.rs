//! Disclosure control of a breakdown on its own, for callers of [`super::analyse`] who
//! publish a breakdown without the rest of an evaluation. The rule and its audit live in
//! [`mod@crate::publish`]; an evaluation's breakdowns are protected there together with
//! every other figure of their pilot.

pub use crate::publish::{DisclosureControl, Published};
