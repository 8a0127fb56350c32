//! The cost of delivery: the impact map's valued inputs over what the activities table
//! counts (sessions, attendances, leaders trained) and the participants, and the share of
//! volunteer time in the investment. It belongs to the value stage, which has the inputs'
//! values; the delivery figures come from the earlier delivery stage.

use crate::delivery::{DeliveryCost, DeliveryOverview, HourlyValue};

use super::{Input, InputValue};

impl DeliveryOverview {
    /// Adds the hourly values and the cost of delivery from an impact map's inputs and
    /// their valued amounts (same order), over `participants` people.
    pub fn with_cost(
        mut self,
        inputs: &[Input],
        valued: &[InputValue],
        participants: u64,
    ) -> DeliveryOverview {
        let mut volunteer_time = 0.0;
        for (i, v) in inputs.iter().zip(valued) {
            if let (Some(link), Some(rate)) = (&i.hours_from, i.hourly_value) {
                self.hourly_values.push(HourlyValue {
                    hours_from: link.clone(),
                    hourly_value: rate,
                    source: i.hourly_value_source.clone(),
                    hours: v.hours.unwrap_or(0.0),
                    amount: v.amount,
                });
                if link.ends_with(".volunteer_hours") {
                    volunteer_time += v.amount;
                }
            }
        }
        let total: f64 = valued.iter().map(|v| v.amount).sum();
        if valued.is_empty() {
            return self;
        }
        let per = |n: u64| (n > 0).then(|| total / n as f64);
        let o = &self.overall;
        self.cost = Some(DeliveryCost {
            total,
            volunteer_time,
            volunteer_share: (total > 0.0).then(|| volunteer_time / total),
            per_session: per(o.sessions),
            per_attendance: per(o.attendances),
            per_leader_trained: per(o.leaders_trained),
            per_participant: per(participants),
        });
        self
    }
}
