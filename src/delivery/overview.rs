//! The programme's delivery as a whole: all pilots together, partners over time, the
//! value of volunteer time, the cost of delivery and the map of local provision.

use serde::Serialize;

use super::{
    Activity, Classification, PartnerActivity, PilotDelivery, ProvisionMap, QuarterActivity, QuarterVenue,
};
use crate::ingest::DataSet;
use crate::plan::Period;

/// What "leaders trained" counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LeadersCounted {
    /// Distinct people, from a `leader_id` or `attendee_ids` column.
    People,
    /// Attendances at training (the table names no one), so a person trained twice counts
    /// twice.
    Attendances,
}

impl LeadersCounted {
    /// In words, for reports.
    pub fn describe(self) -> &'static str {
        match self {
            LeadersCounted::People => "people, by their ids",
            LeadersCounted::Attendances => "attendances at training; the table names no one",
        }
    }
}

/// The hourly value an impact map puts on a pilot's volunteer or staff time.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct HourlyValue {
    /// The measured hours it values (`tt.volunteer_hours`).
    pub hours_from: String,
    /// £ an hour.
    pub hourly_value: f64,
    /// Where the value comes from, as the impact map states it.
    pub source: Option<String>,
    /// Hours valued.
    pub hours: f64,
    /// hours × hourly value, £.
    pub amount: f64,
}

/// The cost of delivery: the impact map's inputs at their stated amounts (undiscounted),
/// over what was delivered. Exact figures; the publication divides by the published counts.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct DeliveryCost {
    /// Sum of the inputs, £, volunteer time included.
    pub total: f64,
    /// Volunteer time valued, £ (inputs valuing `<pilot>.volunteer_hours`).
    pub volunteer_time: f64,
    /// volunteer_time / total.
    pub volunteer_share: Option<f64>,
    /// total / sessions.
    pub per_session: Option<f64>,
    /// total / attendances.
    pub per_attendance: Option<f64>,
    /// total / leaders trained.
    pub per_leader_trained: Option<f64>,
    /// total / participants.
    pub per_participant: Option<f64>,
}

/// Delivery across all pilots, over time and by area.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct DeliveryOverview {
    /// The evaluation period, when the plan sets one.
    pub period: Option<Period>,
    /// Weeks the volunteer FTE is taken over: the period, else first to last activity.
    pub weeks: Option<f64>,
    /// All pilots together (`pilot` is "all"; leaders as people are distinct over pilots).
    pub overall: PilotDelivery,
    /// Each partner's activity.
    pub partners: Vec<PartnerActivity>,
    /// Partners and sessions by quarter.
    pub quarters: Vec<QuarterActivity>,
    /// Sessions by quarter and venue type.
    pub quarter_venues: Vec<QuarterVenue>,
    /// Hourly values the impact map puts on measured hours.
    pub hourly_values: Vec<HourlyValue>,
    /// The cost of delivery, when there is an impact map with inputs.
    pub cost: Option<DeliveryCost>,
    /// Providers by area, with need.
    pub provision: ProvisionMap,
    /// Source of the clinical / community split.
    pub classification_source: String,
    /// Hours a week of a full-time post.
    pub fte_hours_per_week: f64,
    /// Where that comes from.
    pub fte_source: String,
}

/// The weeks from `first` to `last`, both days counted.
fn weeks_between(first: crate::Date, last: crate::Date) -> f64 {
    (first.days_until(last) + 1) as f64 / 7.0
}

/// All pilots' delivery, partners over time and the provision map (the cost is added by
/// [`DeliveryOverview::with_cost`] in the value stage once the impact map is valued).
pub fn overview(
    activities: &[Activity],
    data: &DataSet,
    period: Option<Period>,
    classification: &Classification,
    provision: ProvisionMap,
) -> DeliveryOverview {
    let weeks = match period {
        Some(p) => Some(weeks_between(p.start, p.end)),
        None => {
            let first = activities.iter().map(|a| a.date).min();
            let last = activities.iter().map(|a| a.date).max();
            first.zip(last).map(|(f, l)| weeks_between(f, l))
        }
    };
    let fte = weeks.map(|w| (w, classification.fte_hours_per_week));
    let (quarters, quarter_venues) = super::quarters(activities, period);
    DeliveryOverview {
        period,
        weeks,
        overall: super::figures(None, activities, data, fte),
        partners: super::partners(activities),
        quarters,
        quarter_venues,
        hourly_values: Vec::new(),
        cost: None,
        provision,
        classification_source: classification.source.clone(),
        fte_hours_per_week: classification.fte_hours_per_week,
        fte_source: classification.fte_source.clone(),
    }
}
