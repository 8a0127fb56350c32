//! The programme's delivery in the report: all pilots together, the cost of delivery,
//! partners over time with their timeline chart, and the map of local provision.

use crate::error::Result;
use crate::publish::{Publication, PublishedDeliveryOverview};

use super::charts::{Bar, BarChart, ValueUnit};
use super::common::ReportOptions;
use super::document::{Block, Figure, Section, Table};
use super::format;
use super::sections::{chart_block, summarise_long_table};

/// Pounds and pence ("£12.50").
fn pence(value: Option<f64>) -> String {
    match value {
        Some(v) if v.is_finite() => format!("£{}", format::thousands(v, 2)),
        _ => "–".to_string(),
    }
}

fn hours(value: f64) -> String {
    format::thousands(value, 1)
}

/// The blocks that follow the pilots' own in the delivery section.
pub(crate) fn programme_blocks(publication: &Publication, options: &ReportOptions) -> Result<Vec<Block>> {
    let Some(o) = &publication.delivery_overview else { return Ok(Vec::new()) };
    let rule = &publication.rule;
    let all = &o.overall;
    let mut blocks = vec![Block::Heading("All pilots".to_string())];
    let mut figures = vec![
        Figure {
            label: "Sessions".to_string(),
            value: format::thousands(all.sessions as f64, 0),
            detail: format!("{} attendances", format::count(&all.attendances, rule)),
        },
        Figure {
            label: "Sessions in community settings".to_string(),
            value: format::percent(all.community_share.map(|p| p.rate)),
            detail: match &all.community_share {
                Some(p) => format!(
                    "95% CI {}; {} of {} sessions at classified venues",
                    format::percent_interval(p.ci_low, p.ci_high),
                    format::thousands(p.count as f64, 0),
                    format::thousands(p.denominator as f64, 0)
                ),
                None => "no sessions at classified venues".to_string(),
            },
        },
        Figure {
            label: "Community leaders trained".to_string(),
            value: format::count(&all.leaders_trained, rule),
            detail: format!("counted as {}", all.leaders_counted.describe()),
        },
        Figure {
            label: "Volunteer time".to_string(),
            value: format!("{} hours", format::thousands(all.volunteer_hours, 0)),
            detail: match all.volunteer_fte {
                Some(fte) => format!(
                    "{} full-time equivalent over {} weeks at {} hours a week",
                    format::thousands(fte, 2),
                    format::thousands(o.weeks.unwrap_or(0.0), 1),
                    o.fte_hours_per_week
                ),
                None => "no period to spread it over".to_string(),
            },
        },
    ];
    if let Some(c) = &o.cost {
        figures.push(Figure {
            label: "Cost per attendance".to_string(),
            value: c.per_attendance.display(rule, |v| pence(Some(*v))),
            detail: format!("{} of inputs over the attendances", format::pounds(Some(c.total))),
        });
    }
    blocks.push(Block::Figures(figures));
    if all.unclassified_sessions > 0 {
        blocks.push(Block::Note(format!(
            "{} sessions were at venue types the classification does not know; they are left out of the \
             community-settings share (the data quality section lists the types).",
            format::thousands(all.unclassified_sessions as f64, 0)
        )));
    }
    blocks.extend(cost_blocks(o, publication));
    blocks.extend(partner_blocks(o, publication, options)?);
    let mut notes = vec![format!("Clinical and community settings: {}", o.classification_source)];
    notes.push(format!("Full-time equivalent: {}.", o.fte_source));
    if let (Some(start), Some(end)) = (&o.period_start, &o.period_end) {
        notes.push(format!(
            "Evaluation period {start} to {end}: activities and assessments dated outside it are listed with the \
             rejected rows."
        ));
    }
    blocks.push(Block::List(notes));
    Ok(blocks)
}

fn cost_blocks(o: &PublishedDeliveryOverview, publication: &Publication) -> Vec<Block> {
    let rule = &publication.rule;
    let mut blocks = Vec::new();
    if let Some(c) = &o.cost {
        let mut table = Table::new(
            "delivery_cost",
            "Cost of delivery: the impact map's inputs at their stated amounts, undiscounted",
            &["Measure", "Value"],
        );
        table.row(vec!["Inputs in all".to_string(), format::pounds(Some(c.total))]);
        table.row(vec![
            "Volunteer time valued".to_string(),
            format!(
                "{} ({} of the inputs)",
                format::pounds(Some(c.volunteer_time)),
                format::percent(c.volunteer_share)
            ),
        ]);
        table.row(vec!["Per session".to_string(), pence(c.per_session)]);
        table.row(vec!["Per attendance".to_string(), c.per_attendance.display(rule, |v| pence(Some(*v)))]);
        table.row(vec![
            format!("Per leader trained (counted as {})", o.overall.leaders_counted.describe()),
            c.per_leader_trained.display(rule, |v| pence(Some(*v))),
        ]);
        table.row(vec!["Per participant".to_string(), pence(c.per_participant)]);
        blocks.push(Block::Table(table));
    }
    if !o.hourly_values.is_empty() {
        let mut table = Table::new(
            "delivery_hourly_values",
            "Hours valued in the investment",
            &["Hours", "Hours given", "£ an hour", "Value", "Source of the hourly value"],
        )
        .numeric_columns(&[false, true, true, true, false]);
        for h in &o.hourly_values {
            table.row(vec![
                h.hours_from.clone(),
                hours(h.hours),
                pence(Some(h.hourly_value)),
                format::pounds(Some(h.amount)),
                h.source.clone().unwrap_or_else(|| "not stated in the impact map".to_string()),
            ]);
        }
        blocks.push(Block::Table(table));
    }
    blocks
}

fn partner_blocks(
    o: &PublishedDeliveryOverview,
    publication: &Publication,
    options: &ReportOptions,
) -> Result<Vec<Block>> {
    let rule = &publication.rule;
    let mut blocks = vec![Block::Heading("Partners over time".to_string())];
    let mut table = Table::new(
        "delivery_partners",
        "Partners: sessions, attendances, volunteer time and when they were active",
        &[
            "Partner",
            "Type",
            "Pilots",
            "Sessions",
            "Attendances",
            "Volunteer hours",
            "First",
            "Last",
            "Quarters",
        ],
    )
    .numeric_columns(&[false, false, false, true, true, true, false, false, true]);
    for p in &o.partners {
        table.row(vec![
            p.partner.clone(),
            p.organisation_type.clone(),
            p.pilots.join(", "),
            format::thousands(p.sessions as f64, 0),
            format::count(&p.attendances, rule),
            hours(p.volunteer_hours),
            p.first_activity.clone(),
            p.last_activity.clone(),
            p.quarters_active.to_string(),
        ]);
    }
    if o.partners.len() > options.max_groups_shown {
        let keys: Vec<Option<f64>> = o.partners.iter().map(|p| Some(p.sessions as f64)).collect();
        blocks.extend(summarise_long_table(table, &keys, "sessions", ValueUnit::Count, options)?);
    } else {
        blocks.push(Block::Table(table));
    }
    let mut quarters = Table::new(
        "delivery_quarters",
        "Partners active, joining and leaving, and sessions, by quarter",
        &["Quarter", "Partners active", "Joined", "Left", "Retained", "Sessions", "Community", "Clinical"],
    );
    for q in &o.quarters {
        quarters.row(vec![
            q.quarter.clone(),
            q.partners_active.to_string(),
            q.joined.to_string(),
            q.left.to_string(),
            format::percent(q.retained),
            format::thousands(q.sessions as f64, 0),
            format::thousands(q.community_sessions as f64, 0),
            format::thousands(q.clinical_sessions as f64, 0),
        ]);
    }
    blocks.push(Block::Table(quarters));
    if !o.quarters.is_empty() && o.quarters.len() <= options.max_groups_shown {
        let mut chart = BarChart::new("Partners active by quarter", "Partners active", ValueUnit::Count);
        chart.category_label = "Quarter".to_string();
        for q in &o.quarters {
            chart.bars.push(Bar::new(&q.quarter, q.partners_active as f64));
        }
        blocks.push(Block::Chart(chart_block("delivery_partners_timeline", &chart, options)?));
    }
    let mut by_venue = Table::new(
        "delivery_sessions_by_quarter_and_venue",
        "Sessions by quarter and venue type",
        &["Quarter", "Venue type", "Sessions"],
    )
    .numeric_columns(&[false, false, true]);
    for q in &o.sessions_by_quarter_and_venue {
        by_venue.row(vec![q.quarter.clone(), q.venue_type.clone(), format::thousands(q.sessions as f64, 0)]);
    }
    if o.sessions_by_quarter_and_venue.len() > options.max_groups_shown {
        let keys: Vec<Option<f64>> =
            o.sessions_by_quarter_and_venue.iter().map(|q| Some(q.sessions as f64)).collect();
        blocks.extend(summarise_long_table(by_venue, &keys, "sessions", ValueUnit::Count, options)?);
    } else {
        blocks.push(Block::Table(by_venue));
    }
    Ok(blocks)
}

/// The map of local provision: providers by area and kind, with need beside them, and
/// the directory of providers.
pub(crate) fn provision_section(publication: &Publication, options: &ReportOptions) -> Result<Section> {
    let mut blocks = vec![Block::Paragraph(
        "Who offers what, area by area: the partners (from the activities table) and the groups that are not \
         partners yet (from the provision file), with each area's residents and IMD decile (1 = most deprived) \
         from the population file where it gives them. Providers are organisations: no figure here is hidden."
            .to_string(),
    )];
    let Some(o) = &publication.delivery_overview else {
        return Ok(Section {
            id: "provision".to_string(),
            title: "The map of local provision".to_string(),
            blocks,
        });
    };
    let map = &o.provision;
    if map.greatest_need_least_provision.is_empty() {
        if map.areas.iter().all(|a| a.imd_decile.is_none()) {
            blocks.push(Block::Note(
                "The population file gives no IMD decile by area, so the areas of greatest need cannot be named \
                 (add area rows with an imd_decile column)."
                    .to_string(),
            ));
        }
    } else {
        blocks.push(Block::Paragraph(format!(
            "Areas of greatest need with the least provision (in the more deprived half by IMD decile and below \
             the median providers per 10,000 residents): {}.",
            map.greatest_need_least_provision.join(", ")
        )));
    }
    let mut table = Table::new(
        "provision_by_area",
        "Provision by area, with need: providers, and how many offer each kind of provision",
        &["Area", "Residents", "IMD decile", "Providers", "Partners", "Per 10,000", "Providers by kind"],
    )
    .numeric_columns(&[false, true, true, true, true, true, false]);
    for a in &map.areas {
        let kinds: Vec<String> =
            a.by_kind.iter().filter(|(_, n)| *n > 0).map(|(kind, n)| format!("{kind} {n}")).collect();
        table.row(vec![
            a.area.clone(),
            a.people.map_or("–".to_string(), |p| format::thousands(p, 0)),
            a.imd_decile.map_or("–".to_string(), |d| format::number(Some(d), 0)),
            a.providers.to_string(),
            a.partners.to_string(),
            a.providers_per_10k.map_or("–".to_string(), |r| format::thousands(r, 1)),
            if kinds.is_empty() { "none".to_string() } else { kinds.join("; ") },
        ]);
    }
    if map.areas.len() > options.max_groups_shown {
        let keys: Vec<Option<f64>> = map.areas.iter().map(|a| Some(a.providers as f64)).collect();
        blocks.extend(summarise_long_table(table, &keys, "providers", ValueUnit::Count, options)?);
    } else {
        blocks.push(Block::Table(table));
        if !map.areas.is_empty() {
            let mut chart = BarChart::new("Providers by area", "Providers", ValueUnit::Count);
            chart.category_label = "Area".to_string();
            for a in &map.areas {
                chart.bars.push(Bar::new(&a.area, a.providers as f64));
            }
            blocks.push(Block::Chart(chart_block("provision_by_area", &chart, options)?));
        }
    }
    let mut directory = Table::new(
        "provision_directory",
        "Directory of providers by area",
        &["Area", "Provider", "Type", "Offers", "Partner"],
    )
    .numeric_columns(&[false; 5]);
    for p in &map.providers {
        directory.row(vec![
            p.area.clone(),
            p.name.clone(),
            p.organisation_type.clone(),
            p.offers.join("; "),
            if p.partner { "yes" } else { "not yet" }.to_string(),
        ]);
    }
    if map.providers.len() > options.max_groups_shown {
        let keys: Vec<Option<f64>> = map.providers.iter().map(|p| Some(p.offers.len() as f64)).collect();
        blocks.extend(summarise_long_table(directory, &keys, "offers", ValueUnit::Count, options)?);
    } else {
        blocks.push(Block::Table(directory));
    }
    Ok(Section { id: "provision".to_string(), title: "The map of local provision".to_string(), blocks })
}
