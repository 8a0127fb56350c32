//! The vocabulary of disclosure control, shared by the stages: the rule a plan sets, and
//! the cell type every figure over people is given in ([`Published`]). The equity stage
//! gives its exact figures as shown cells; the publication (`crate::publish`) is the one
//! place that applies the rule and hides cells.

mod rule;

use serde::{Serialize, Serializer};

pub use rule::{DisclosureControl, DisclosureRule, Method, SECONDARY_MARKER};

/// Why a figure is hidden.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Hidden {
    /// Hidden to protect another figure that could otherwise be worked out from it.
    Secondary,
    /// A count from 1 to min − 1, or a figure over fewer than min people.
    Small,
}

impl Hidden {
    /// The stronger of two reasons (small over secondary), for an object that holds both.
    pub fn strongest(reasons: impl IntoIterator<Item = Hidden>) -> Option<Hidden> {
        reasons.into_iter().max()
    }
}

/// A published figure: shown, hidden by disclosure control, or undefined for the data.
#[derive(Debug, Clone, PartialEq)]
pub enum Published<T> {
    /// The value.
    Shown(T),
    /// Hidden: a count from 1 to min − 1, or a figure over fewer than min people.
    Small,
    /// Hidden so that another hidden figure cannot be worked out from it.
    Secondary,
    /// Undefined (no one in the denominator).
    Empty,
}

impl<T> Published<T> {
    /// The value, if shown.
    pub fn value(&self) -> Option<&T> {
        match self {
            Published::Shown(v) => Some(v),
            _ => None,
        }
    }

    /// True when hidden by disclosure control.
    pub fn is_suppressed(&self) -> bool {
        self.hidden().is_some()
    }

    /// Why the figure is hidden, if it is.
    pub fn hidden(&self) -> Option<Hidden> {
        match self {
            Published::Small => Some(Hidden::Small),
            Published::Secondary => Some(Hidden::Secondary),
            _ => None,
        }
    }

    /// The same state with the value mapped.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Published<U> {
        match self {
            Published::Shown(v) => Published::Shown(f(v)),
            Published::Small => Published::Small,
            Published::Secondary => Published::Secondary,
            Published::Empty => Published::Empty,
        }
    }

    /// The same state with a borrowed value mapped.
    pub fn map_ref<U>(&self, f: impl FnOnce(&T) -> U) -> Published<U> {
        match self {
            Published::Shown(v) => Published::Shown(f(v)),
            Published::Small => Published::Small,
            Published::Secondary => Published::Secondary,
            Published::Empty => Published::Empty,
        }
    }

    /// Text for tables: the formatted value, the rule's marker when hidden (`<5` for a
    /// small count, `*` for one hidden to protect another), a dash when undefined.
    pub fn display(&self, rule: &DisclosureRule, format: impl FnOnce(&T) -> String) -> String {
        match self {
            Published::Shown(v) => format(v),
            Published::Small => rule.small_marker(),
            Published::Secondary => SECONDARY_MARKER.to_string(),
            Published::Empty => "–".to_string(),
        }
    }

    /// Hidden for `reason`, unless undefined.
    pub(crate) fn hide(&mut self, reason: Hidden) {
        if !matches!(self, Published::Empty) {
            *self = match reason {
                Hidden::Small => Published::Small,
                Hidden::Secondary => Published::Secondary,
            };
        }
    }
}

impl<T> Published<Option<T>> {
    pub(crate) fn flatten_option(self) -> Published<T> {
        match self {
            Published::Shown(Some(v)) => Published::Shown(v),
            Published::Shown(None) | Published::Empty => Published::Empty,
            Published::Small => Published::Small,
            Published::Secondary => Published::Secondary,
        }
    }
}

impl<T: Serialize> Serialize for Published<T> {
    /// The value, or `null` (the object holding it says whether it was hidden).
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Published::Shown(v) => v.serialize(serializer),
            _ => serializer.serialize_none(),
        }
    }
}

impl<T: schemars::JsonSchema> schemars::JsonSchema for Published<T> {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        format!("Published_{}", T::schema_name()).into()
    }

    /// The value's schema, or `null` when hidden or undefined.
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        <Option<T>>::json_schema(generator)
    }
}
