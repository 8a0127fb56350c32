//! Delivery as published: attendances and leaders trained (people) through the cells and
//! their audit; sessions, partners, hours, money and providers as they are.
//!
//! The sums a reader can form: a pilot's attendances are the sum of its venues, of its
//! areas, of its partners and of its partner types; the programme's attendances are the
//! sum of the pilots', and each of its groups the sum of that group in the pilots; each
//! partner's attendances in the partners table are the programme's by partner. Leaders
//! counted as attendances add up over pilots; counted as people, a pilot's are at most
//! the programme's.

use std::collections::BTreeMap;

use serde::Serialize;

use super::cells::{CellId, CellState, Cells, Protection};
use super::{Hidden, Published};
use crate::delivery::{
    DeliveryOverview, HourlyValue, LeadersCounted, PilotDelivery, ProvisionMap, QuarterActivity, QuarterVenue,
};
use crate::stats::Proportion;

/// Sessions (never hidden) and attendances (people) by a category.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct DeliveryRow {
    /// Venue type, area, partner or partner type.
    pub label: String,
    /// Sessions held.
    pub sessions: u64,
    /// Attendances.
    pub attendances: Published<u64>,
    /// Why the attendances are hidden (`null` when shown).
    pub suppressed: Option<Hidden>,
}

/// Delivery of one pilot (or, as `overall`, of all), as published.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct PublishedDelivery {
    /// Pilot id ("all" for the programme).
    pub pilot: String,
    /// Distinct partners by type (organisations, never hidden).
    pub partners_by_type: Vec<(String, usize)>,
    /// By venue type.
    pub by_venue: Vec<DeliveryRow>,
    /// By area.
    pub by_area: Vec<DeliveryRow>,
    /// By partner.
    pub by_partner: Vec<DeliveryRow>,
    /// By partner type.
    pub by_partner_type: Vec<DeliveryRow>,
    /// Sessions in all.
    pub sessions: u64,
    /// Attendances in all.
    pub attendances: Published<u64>,
    /// Community leaders trained.
    pub leaders_trained: Published<u64>,
    /// What `leaders_trained` counts: `people` or `attendances`.
    pub leaders_counted: LeadersCounted,
    /// Volunteer hours.
    pub volunteer_hours: f64,
    /// Volunteer hours as full-time posts over the period.
    pub volunteer_fte: Option<f64>,
    /// Staff hours.
    pub staff_hours: f64,
    /// Sessions in community settings over sessions at classified venues (sessions, never
    /// hidden).
    pub community_share: Option<Proportion>,
    /// Sessions at venue types the classification does not know.
    pub unclassified_sessions: u64,
    /// Participants by referral source.
    pub referral_sources: Vec<(String, Published<u64>)>,
    /// Hidden figures of this object by key (`attendances`, `leaders_trained`).
    pub suppressed: BTreeMap<String, Hidden>,
    /// Figures not published at all: hiding cells could not protect their small counts.
    pub withheld: Vec<String>,
}

/// One partner over the evaluation, as published.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct PublishedPartner {
    /// The partner.
    pub partner: String,
    /// Its type.
    pub organisation_type: String,
    /// Pilots it delivered.
    pub pilots: Vec<String>,
    /// Sessions held.
    pub sessions: u64,
    /// Attendances.
    pub attendances: Published<u64>,
    /// Why the attendances are hidden.
    pub suppressed: Option<Hidden>,
    /// Volunteer hours.
    pub volunteer_hours: f64,
    /// First activity (ISO date).
    pub first_activity: String,
    /// Last activity (ISO date).
    pub last_activity: String,
    /// Calendar quarters with any activity.
    pub quarters_active: usize,
}

/// The cost of delivery as published: money over sessions, and over attendances, leaders
/// and participants as published (so a hidden count hides its cost, and a rounded count
/// gives the cost over the rounded count).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct PublishedCost {
    /// The impact map's inputs at their stated amounts, undiscounted, £.
    pub total: f64,
    /// Volunteer time valued, £.
    pub volunteer_time: f64,
    /// volunteer_time / total.
    pub volunteer_share: Option<f64>,
    /// £ per session.
    pub per_session: Option<f64>,
    /// £ per attendance.
    pub per_attendance: Published<f64>,
    /// £ per leader trained (people or attendances, as `leaders_counted` says).
    pub per_leader_trained: Published<f64>,
    /// £ per participant (all pilots).
    pub per_participant: Option<f64>,
    /// Hidden figures of this object by key.
    pub suppressed: BTreeMap<String, Hidden>,
}

/// The programme's delivery as published.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct PublishedDeliveryOverview {
    /// First day of the evaluation period (ISO), when the plan sets one.
    pub period_start: Option<String>,
    /// Last day of the evaluation period (ISO).
    pub period_end: Option<String>,
    /// Weeks the volunteer FTE is taken over.
    pub weeks: Option<f64>,
    /// Hours a week of one full-time post.
    pub fte_hours_per_week: f64,
    /// Its source.
    pub fte_source: String,
    /// Source of the clinical / community split.
    pub classification_source: String,
    /// All pilots together.
    pub overall: PublishedDelivery,
    /// Each partner's activity.
    pub partners: Vec<PublishedPartner>,
    /// Partners active, joining and leaving, and sessions, by quarter.
    pub quarters: Vec<QuarterActivity>,
    /// Sessions by quarter and venue type.
    pub sessions_by_quarter_and_venue: Vec<QuarterVenue>,
    /// Hourly values the impact map puts on measured hours, with their sources.
    pub hourly_values: Vec<HourlyValue>,
    /// The cost of delivery.
    pub cost: Option<PublishedCost>,
    /// Providers by area, with need.
    pub provision: ProvisionMap,
}

pub(super) struct DeliveryCells {
    venues: (Vec<CellId>, usize),
    areas: (Vec<CellId>, usize),
    partners: (Vec<CellId>, usize),
    partner_types: (Vec<CellId>, usize),
    attendances: CellId,
    leaders: CellId,
    referrals: (Vec<CellId>, usize),
}

fn block(cells: &mut Cells, values: impl Iterator<Item = u64>) -> (Vec<CellId>, usize) {
    let b = cells.begin_block();
    let ids: Vec<CellId> = values.map(|v| cells.cell(v)).collect();
    cells.end_block();
    (ids, b)
}

pub(super) fn delivery_cells(
    cells: &mut Cells,
    d: &PilotDelivery,
    participants: Option<CellId>,
) -> DeliveryCells {
    let attendances = cells.cell(d.attendances);
    let mut by = |rows: &[(String, u64, u64)]| {
        let b = block(cells, rows.iter().map(|r| r.2));
        cells.sum(&b.0, attendances);
        b
    };
    let venues = by(&d.by_venue);
    let areas = by(&d.by_area);
    let partners = by(&d.by_partner);
    let partner_types = by(&d.by_partner_type);
    let leaders = cells.cell(d.leaders_trained);
    if d.leaders_counted == LeadersCounted::Attendances {
        cells.at_most(leaders, attendances);
    }
    let referrals = block(cells, d.referral_sources.iter().map(|r| r.1 as u64));
    if let Some(p) = participants {
        if !referrals.0.is_empty() {
            cells.sum(&referrals.0, p);
        }
    }
    DeliveryCells { venues, areas, partners, partner_types, attendances, leaders, referrals }
}

/// The programme's cells, tied to the pilots' by the sums a reader can form.
pub(super) fn overview_cells(
    cells: &mut Cells,
    overall: &PilotDelivery,
    pilots: &[(&PilotDelivery, &DeliveryCells)],
) -> DeliveryCells {
    let all = delivery_cells(cells, overall, None);
    if !pilots.is_empty() {
        let parts: Vec<CellId> = pilots.iter().map(|(_, c)| c.attendances).collect();
        cells.sum(&parts, all.attendances);
    }
    type Pick = fn(&PilotDelivery) -> &[(String, u64, u64)];
    type PickCells = fn(&DeliveryCells) -> &(Vec<CellId>, usize);
    let groups: [(Pick, PickCells); 4] = [
        (|d| &d.by_venue, |c| &c.venues),
        (|d| &d.by_area, |c| &c.areas),
        (|d| &d.by_partner, |c| &c.partners),
        (|d| &d.by_partner_type, |c| &c.partner_types),
    ];
    for (rows, ids) in groups {
        // Each label's cells in the pilots, gathered in one pass (areas may be many).
        let mut parts: std::collections::HashMap<&str, Vec<CellId>> = Default::default();
        for (d, c) in pilots {
            for (row, &id) in rows(d).iter().zip(&ids(c).0) {
                parts.entry(row.0.as_str()).or_default().push(id);
            }
        }
        for (row, &total) in rows(overall).iter().zip(&ids(&all).0) {
            if let Some(parts) = parts.get(row.0.as_str()) {
                cells.sum(parts, total);
            }
        }
    }
    match overall.leaders_counted {
        LeadersCounted::Attendances => {
            let parts: Vec<CellId> = pilots.iter().map(|(_, c)| c.leaders).collect();
            if !parts.is_empty() {
                cells.sum(&parts, all.leaders);
            }
        }
        LeadersCounted::People => {
            for (_, c) in pilots {
                cells.at_most(c.leaders, all.leaders);
            }
        }
    }
    all
}

fn published_count(value: u64, state: CellState) -> Published<u64> {
    match state {
        CellState::Shown => Published::Shown(value),
        CellState::Rounded(r) => Published::Shown(r),
        CellState::Small => Published::Small,
        CellState::Secondary => Published::Secondary,
    }
}

pub(super) fn publish_delivery(
    d: &PilotDelivery,
    dc: &DeliveryCells,
    protection: &Protection,
) -> PublishedDelivery {
    let count = |value: u64, id: CellId| published_count(value, protection.state(id));
    let mut withheld = Vec::new();
    let mut rows = |what: &str, rows: &[(String, u64, u64)], (ids, block): &(Vec<CellId>, usize)| {
        let out = protection.withheld(*block);
        if out {
            withheld.push(format!("attendances by {what}"));
        }
        rows.iter()
            .zip(ids)
            .map(|((label, sessions, attendances), &id)| {
                let attendances = if out { Published::Empty } else { count(*attendances, id) };
                DeliveryRow {
                    label: label.clone(),
                    sessions: *sessions,
                    suppressed: if out { None } else { attendances.hidden() },
                    attendances,
                }
            })
            .collect::<Vec<_>>()
    };
    let by_venue = rows("venue", &d.by_venue, &dc.venues);
    let by_area = rows("area", &d.by_area, &dc.areas);
    let by_partner = rows("partner", &d.by_partner, &dc.partners);
    let by_partner_type = rows("partner type", &d.by_partner_type, &dc.partner_types);
    let referrals_out = protection.withheld(dc.referrals.1);
    if referrals_out {
        withheld.push("participants by referral source".to_string());
    }
    let attendances = count(d.attendances, dc.attendances);
    let leaders_trained = count(d.leaders_trained, dc.leaders);
    let mut suppressed = BTreeMap::new();
    for (key, figure) in [("attendances", &attendances), ("leaders_trained", &leaders_trained)] {
        if let Some(h) = figure.hidden() {
            suppressed.insert(key.to_string(), h);
        }
    }
    PublishedDelivery {
        pilot: d.pilot.clone(),
        partners_by_type: d.partners_by_type.clone(),
        by_venue,
        by_area,
        by_partner,
        by_partner_type,
        sessions: d.sessions,
        attendances,
        leaders_trained,
        leaders_counted: d.leaders_counted,
        volunteer_hours: d.volunteer_hours,
        volunteer_fte: d.volunteer_fte,
        staff_hours: d.staff_hours,
        community_share: d.community_share,
        unclassified_sessions: d.unclassified_sessions,
        referral_sources: if referrals_out {
            Vec::new()
        } else {
            d.referral_sources
                .iter()
                .zip(&dc.referrals.0)
                .map(|((source, n), &id)| (source.clone(), count(*n as u64, id)))
                .collect()
        },
        suppressed,
        withheld,
    }
}

pub(super) fn publish_overview(
    o: &DeliveryOverview,
    dc: &DeliveryCells,
    protection: &Protection,
    participants: u64,
) -> PublishedDeliveryOverview {
    let mut overall = publish_delivery(&o.overall, dc, protection);
    // The programme's referral sources would be a second breakdown of the participants
    // file; the pilots' tables carry them.
    overall.referral_sources.clear();
    // The partners table repeats the programme's attendances by partner, looked up once.
    let by_partner: std::collections::HashMap<&str, &Published<u64>> =
        overall.by_partner.iter().map(|r| (r.label.as_str(), &r.attendances)).collect();
    let partners = o
        .partners
        .iter()
        .map(|p| {
            let attendances = by_partner.get(p.partner.as_str()).map_or(Published::Empty, |&a| a.clone());
            PublishedPartner {
                partner: p.partner.clone(),
                organisation_type: p.organisation_type.clone(),
                pilots: p.pilots.clone(),
                sessions: p.sessions,
                suppressed: attendances.hidden(),
                attendances,
                volunteer_hours: p.volunteer_hours,
                first_activity: p.first.to_string(),
                last_activity: p.last.to_string(),
                quarters_active: p.quarters_active,
            }
        })
        .collect();
    let cost = o.cost.as_ref().map(|c| {
        let over = |n: &Published<u64>| match n {
            Published::Shown(0) => Published::Empty,
            other => other.map_ref(|&n| c.total / n as f64),
        };
        let per_attendance = over(&overall.attendances);
        let per_leader_trained = over(&overall.leaders_trained);
        let mut suppressed = BTreeMap::new();
        for (key, figure) in
            [("per_attendance", &per_attendance), ("per_leader_trained", &per_leader_trained)]
        {
            if let Some(h) = figure.hidden() {
                suppressed.insert(key.to_string(), h);
            }
        }
        PublishedCost {
            total: c.total,
            volunteer_time: c.volunteer_time,
            volunteer_share: c.volunteer_share,
            per_session: c.per_session,
            per_attendance,
            per_leader_trained,
            per_participant: (participants > 0).then(|| c.total / participants as f64),
            suppressed,
        }
    });
    PublishedDeliveryOverview {
        period_start: o.period.map(|p| p.start.to_string()),
        period_end: o.period.map(|p| p.end.to_string()),
        weeks: o.weeks,
        fte_hours_per_week: o.fte_hours_per_week,
        fte_source: o.fte_source.clone(),
        classification_source: o.classification_source.clone(),
        overall,
        partners,
        quarters: o.quarters.clone(),
        sessions_by_quarter_and_venue: o.quarter_venues.clone(),
        hourly_values: o.hourly_values.clone(),
        cost,
        provision: o.provision.clone(),
    }
}
