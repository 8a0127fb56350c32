//! Partners over time: each partner's first and last activity, and partners active,
//! joining and leaving quarter by quarter. Partners and sessions are not people: none of
//! this is suppressed (attendances by partner are published through the rule).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::{Activity, VenueSetting};
use crate::date::Date;
use crate::plan::Period;

/// One partner's activity over the evaluation.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct PartnerActivity {
    /// The partner.
    pub partner: String,
    /// Its type (the first its rows give).
    pub organisation_type: String,
    /// Pilots it delivered.
    pub pilots: Vec<String>,
    /// Sessions held.
    pub sessions: u64,
    /// Attendances (people: published through the rule).
    pub attendances: u64,
    /// Volunteer hours.
    pub volunteer_hours: f64,
    /// First activity.
    pub first: Date,
    /// Last activity.
    pub last: Date,
    /// Calendar quarters with any activity.
    pub quarters_active: usize,
}

/// Partners and sessions in one calendar quarter.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct QuarterActivity {
    /// "Apr-Jun 2025".
    pub quarter: String,
    /// Partners with any activity in the quarter.
    pub partners_active: usize,
    /// Partners whose first quarter it is.
    pub joined: usize,
    /// Partners active the quarter before and not in this one.
    pub left: usize,
    /// Partners active in both this quarter and the one before, over those active before.
    pub retained: Option<f64>,
    /// Sessions held.
    pub sessions: u64,
    /// Sessions in community settings.
    pub community_sessions: u64,
    /// Sessions in clinical settings.
    pub clinical_sessions: u64,
}

/// Sessions of one venue type in one quarter.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct QuarterVenue {
    /// "Apr-Jun 2025".
    pub quarter: String,
    /// Venue type.
    pub venue_type: String,
    /// Sessions held.
    pub sessions: u64,
}

/// Quarters counted from year 0: (year, 0..=3).
fn quarter_of(d: Date) -> i64 {
    i64::from(d.year()) * 4 + i64::from((d.month() - 1) / 3)
}

fn quarter_label(q: i64) -> String {
    const NAMES: [&str; 4] = ["Jan-Mar", "Apr-Jun", "Jul-Sep", "Oct-Dec"];
    format!("{} {}", NAMES[q.rem_euclid(4) as usize], q.div_euclid(4))
}

/// Each partner's activity, by partner name.
pub fn partners(activities: &[Activity]) -> Vec<PartnerActivity> {
    let mut by: BTreeMap<&str, (PartnerActivity, BTreeSet<i64>, BTreeSet<&str>)> = BTreeMap::new();
    for a in activities {
        let entry = by.entry(&a.partner).or_insert_with(|| {
            (
                PartnerActivity {
                    partner: a.partner.clone(),
                    organisation_type: a.organisation_type.clone(),
                    pilots: Vec::new(),
                    sessions: 0,
                    attendances: 0,
                    volunteer_hours: 0.0,
                    first: a.date,
                    last: a.date,
                    quarters_active: 0,
                },
                BTreeSet::new(),
                BTreeSet::new(),
            )
        });
        let p = &mut entry.0;
        p.sessions += u64::from(a.sessions);
        p.attendances += u64::from(a.attendees);
        p.volunteer_hours += a.volunteer_hours;
        p.first = p.first.min(a.date);
        p.last = p.last.max(a.date);
        entry.1.insert(quarter_of(a.date));
        entry.2.insert(&a.pilot_id);
    }
    by.into_values()
        .map(|(mut p, quarters, pilots)| {
            p.quarters_active = quarters.len();
            p.pilots = pilots.into_iter().map(str::to_string).collect();
            p
        })
        .collect()
}

/// Quarter by quarter, from the period's first quarter (else the first activity's) to its
/// last, empty quarters included; and sessions by quarter and venue type.
pub fn quarters(
    activities: &[Activity],
    period: Option<Period>,
) -> (Vec<QuarterActivity>, Vec<QuarterVenue>) {
    let first = period.map(|p| p.start).or_else(|| activities.iter().map(|a| a.date).min());
    let last = period.map(|p| p.end).or_else(|| activities.iter().map(|a| a.date).max());
    let (Some(first), Some(last)) = (first, last) else { return (Vec::new(), Vec::new()) };
    let (q0, q1) = (quarter_of(first), quarter_of(last));
    let mut active: BTreeMap<i64, BTreeSet<&str>> = BTreeMap::new();
    let mut first_quarter: BTreeMap<&str, i64> = BTreeMap::new();
    let mut venues: BTreeMap<(i64, &str), u64> = BTreeMap::new();
    let mut sessions: BTreeMap<i64, [u64; 3]> = BTreeMap::new();
    for a in activities {
        let q = quarter_of(a.date);
        active.entry(q).or_default().insert(&a.partner);
        let f = first_quarter.entry(&a.partner).or_insert(q);
        *f = (*f).min(q);
        *venues.entry((q, &a.venue_type)).or_default() += u64::from(a.sessions);
        let s = sessions.entry(q).or_default();
        s[0] += u64::from(a.sessions);
        match a.setting {
            Some(VenueSetting::Community) => s[1] += u64::from(a.sessions),
            Some(VenueSetting::Clinical) => s[2] += u64::from(a.sessions),
            None => {}
        }
    }
    let empty = BTreeSet::new();
    let rows = (q0..=q1)
        .map(|q| {
            let now = active.get(&q).unwrap_or(&empty);
            let before = if q > q0 { active.get(&(q - 1)) } else { None };
            let s = sessions.get(&q).copied().unwrap_or_default();
            QuarterActivity {
                quarter: quarter_label(q),
                partners_active: now.len(),
                joined: now.iter().filter(|p| first_quarter.get(*p) == Some(&q)).count(),
                left: before.map_or(0, |b| b.difference(now).count()),
                retained: before
                    .filter(|b| !b.is_empty())
                    .map(|b| b.intersection(now).count() as f64 / b.len() as f64),
                sessions: s[0],
                community_sessions: s[1],
                clinical_sessions: s[2],
            }
        })
        .collect();
    let by_venue = venues
        .into_iter()
        .map(|((q, venue), sessions)| QuarterVenue {
            quarter: quarter_label(q),
            venue_type: venue.to_string(),
            sessions,
        })
        .collect();
    (rows, by_venue)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarters_are_calendar_quarters_across_the_year_end() {
        let d = |y, m, day| Date::new(y, m, day).unwrap();
        assert_eq!(quarter_label(quarter_of(d(2025, 12, 31))), "Oct-Dec 2025");
        assert_eq!(quarter_of(d(2026, 1, 1)) - quarter_of(d(2025, 12, 31)), 1);
        assert_eq!(quarter_label(quarter_of(d(2026, 3, 31))), "Jan-Mar 2026");
        // A period with no activities still lists its quarters, empty.
        let period = Period { start: d(2025, 4, 1), end: d(2025, 9, 30) };
        let (rows, venues) = quarters(&[], Some(period));
        assert_eq!(
            rows.iter().map(|q| q.quarter.as_str()).collect::<Vec<_>>(),
            ["Apr-Jun 2025", "Jul-Sep 2025"]
        );
        assert!(rows.iter().all(|q| q.partners_active == 0 && q.retained.is_none()) && venues.is_empty());
    }
}
