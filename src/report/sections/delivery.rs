//! The delivery section: sessions, partners, venues and volunteer time.

use super::*;

/// How the work was delivered: partners, venues, areas, sessions, leaders trained,
/// volunteer time and referral sources. Sessions, partners and hours are not people and
/// are never hidden; attendances, leaders and referrals follow the disclosure rule.
pub(crate) fn delivery_section(
    publication: &Publication,
    options: &ReportOptions,
) -> Result<crate::report::document::Section> {
    use crate::report::document::{Block, Figure, Section, Table};
    let rule = &publication.rule;
    let mut blocks = vec![Block::Paragraph(
        "Who delivered the pilots and where: partner organisations by type, sessions and attendances by venue and \
         area, community leaders trained, volunteer and staff time, and where participants were referred from; \
         then all pilots together, the cost of delivery and the partners over time. Venue types are classified \
         as clinical or community settings by a data file with its source (listed below)."
            .to_string(),
    )];
    let mut by_area: std::collections::BTreeMap<String, u64> = std::collections::BTreeMap::new();
    for d in &publication.delivery {
        let name = publication
            .pilots
            .iter()
            .find(|p| p.id == d.pilot)
            .map(|p| p.name.clone())
            .unwrap_or_else(|| d.pilot.clone());
        blocks.push(Block::Heading(name.clone()));
        let (share, detail) = match &d.community_share {
            Some(p) => (
                format::percent(Some(p.rate)),
                format!(
                    "95% CI {}; {} of {} sessions",
                    format::percent_interval(p.ci_low, p.ci_high),
                    format::thousands(p.count as f64, 0),
                    format::thousands(p.denominator as f64, 0)
                ),
            ),
            None => ("–".to_string(), "no sessions".to_string()),
        };
        blocks.push(Block::Figures(vec![
            Figure { label: "Sessions in community settings".to_string(), value: share, detail },
            Figure {
                label: "Community leaders trained".to_string(),
                value: format::count(&d.leaders_trained, rule),
                detail: format!("counted as {}", d.leaders_counted.describe()),
            },
            Figure {
                label: "Volunteer time".to_string(),
                value: format!("{} hours", format::thousands(d.volunteer_hours, 0)),
                detail: format!("and {} hours of paid staff time", format::thousands(d.staff_hours, 0)),
            },
        ]));
        let mut partners = Table::new(
            &format!("delivery_{}_partners", d.pilot),
            &format!("{name}: partner organisations by type"),
            &["Type", "Partners"],
        );
        for (kind, n) in &d.partners_by_type {
            partners.row(vec![kind.clone(), n.to_string()]);
        }
        blocks.push(Block::Table(partners));
        let sessions_by =
            |what: &str, first: &str, rows: &[crate::publish::DeliveryRow]| -> Result<Vec<Block>> {
                let mut table = Table::new(
                    &format!("delivery_{}_{what}s", d.pilot),
                    &format!("{name}: sessions and attendances by {what}"),
                    &[first, "Sessions", "Attendances"],
                );
                for row in rows {
                    table.row(vec![
                        row.label.clone(),
                        format::thousands(row.sessions as f64, 0),
                        format::count(&row.attendances, rule),
                    ]);
                }
                if rows.len() > options.max_groups_shown {
                    let keys: Vec<Option<f64>> = rows.iter().map(|r| Some(r.sessions as f64)).collect();
                    return summarise_long_table(table, &keys, "sessions", ValueUnit::Count, options);
                }
                Ok(vec![Block::Table(table)])
            };
        blocks.extend(sessions_by("venue", "Venue", &d.by_venue)?);
        blocks.extend(sessions_by("area", "Area", &d.by_area)?);
        for row in &d.by_area {
            *by_area.entry(row.label.clone()).or_default() += row.sessions;
        }
        let mut referral = Table::new(
            &format!("delivery_{}_referrals", d.pilot),
            &format!("{name}: participants by referral source"),
            &["Referral source", "Participants"],
        );
        for (source, n) in &d.referral_sources {
            referral.row(vec![source.clone(), format::count(n, rule)]);
        }
        blocks.push(Block::Table(referral));
        if !d.withheld.is_empty() {
            blocks.push(Block::Note(format!(
                "Not published, because hiding single figures could not keep small numbers from being worked out: {}.",
                d.withheld.join("; ")
            )));
        }
    }
    // Beyond what a chart can show, the areas' spread is charted with each pilot's table.
    if !by_area.is_empty() && by_area.len() <= options.max_groups_shown {
        let mut chart = BarChart::new("Sessions by area, all pilots", "Sessions", ValueUnit::Count);
        chart.category_label = "Area".to_string();
        for (area, sessions) in &by_area {
            chart.bars.push(Bar::new(area, *sessions as f64));
        }
        blocks.push(Block::Chart(chart_block("delivery_sessions_by_area", &chart, options)?));
    }
    if !publication.sessions_by_partner_type.is_empty() {
        let mut chart = BarChart::new("Sessions by partner type, all pilots", "Sessions", ValueUnit::Count);
        chart.category_label = "Partner type".to_string();
        for (kind, sessions) in &publication.sessions_by_partner_type {
            chart.bars.push(Bar::new(kind, *sessions as f64));
        }
        blocks.push(Block::Chart(chart_block("delivery_sessions_by_partner_type", &chart, options)?));
    }
    blocks.extend(crate::report::delivery::programme_blocks(publication, options)?);
    Ok(Section { id: "delivery".to_string(), title: "How the work was delivered".to_string(), blocks })
}
