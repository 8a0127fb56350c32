//! The equity section: who was reached and who benefited, by group.

use super::*;

/// Reach and outcomes by group, under disclosure control.
pub(crate) fn equity_section(
    publication: &Publication,
    options: &ReportOptions,
) -> Result<crate::report::document::Section> {
    use crate::report::document::{Block, Section, Table};
    let rule = &publication.rule;
    let mut blocks = vec![Block::Paragraph(
        "Who each pilot reached and who benefited, by group. \"Not recorded\" is kept as its own group. \
         Rates carry 95% Wilson intervals. The representation ratio, in the last column wherever the plan gives \
         the local population, compares a group's share of participants (among those whose group is recorded) \
         with its share of the local population: 1.0 means reached in proportion, 2.0 twice as many as in \
         proportion, 0.5 half."
            .to_string(),
    )];
    if !publication.exact && publication.rule.enabled {
        blocks.push(Block::Paragraph(format!(
            "Small numbers are hidden as the summary explains: {} marks a count from 1 to {}, {} a figure hidden so \
             that a hidden count cannot be worked out from the totals.",
            publication.rule.small_marker(),
            publication.rule.min_count - 1,
            crate::publish::SECONDARY_MARKER
        )));
    } else {
        blocks.push(disclosure_note(publication));
    }
    for pilot_equity in &publication.equity {
        let pilot_id = pilot_equity.pilot.as_str();
        let name = publication
            .pilots
            .iter()
            .find(|p| p.id == pilot_id)
            .map(|p| p.name.clone())
            .unwrap_or_else(|| pilot_id.to_string());
        blocks.push(Block::Heading(name.clone()));
        for breakdown in &pilot_equity.breakdowns {
            let dimension = labels::dimension_in_text(&breakdown.dimension);
            if breakdown.withheld {
                blocks.push(Block::Paragraph(format!(
                    "By {dimension}: not published for this pilot. Its groups are so small that hiding single \
                     figures could not keep them from being worked out."
                )));
                continue;
            }
            let rate_names: Vec<String> = breakdown
                .groups
                .first()
                .map(|g| g.rates.iter().map(|(n, _)| n.clone()).collect())
                .unwrap_or_default();
            let mean_names: Vec<String> = breakdown
                .groups
                .first()
                .map(|g| g.means.iter().map(|(n, _)| n.clone()).collect())
                .unwrap_or_default();
            let has_reach = breakdown.groups.iter().any(|g| g.representation.is_some());
            let mut headers: Vec<String> =
                vec![labels::dimension(&breakdown.dimension), "Participants".to_string()];
            headers.extend(rate_names.iter().map(|n| labels::rate(n)));
            headers.extend(mean_names.iter().map(|n| labels::mean(n, &publication.catalogue)));
            if has_reach {
                headers.push("Representation ratio".to_string());
            }
            let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
            let mut table = Table::new(
                &format!("equity_{pilot_id}_{}", breakdown.dimension),
                &format!("{name}: by {dimension}"),
                &header_refs,
            );
            for g in &breakdown.groups {
                let mut row =
                    vec![g.group.clone(), g.participants.display(rule, |v| format::thousands(*v as f64, 0))];
                for (_, cell) in &g.rates {
                    row.push(cell.display(rule, |r| {
                        format!(
                            "{} ({}; {} of {})",
                            format::percent(Some(r.rate)),
                            format::percent_interval(r.ci_low, r.ci_high),
                            r.count,
                            r.denominator
                        )
                    }));
                }
                for (_, cell) in &g.means {
                    row.push(cell.display(rule, |m| {
                        format!(
                            "{} ({} to {}; n = {})",
                            format::signed(Some(m.mean), 1),
                            format::signed(m.ci_low, 1),
                            format::signed(m.ci_high, 1),
                            m.n
                        )
                    }));
                }
                if has_reach {
                    row.push(match g.representation.as_ref() {
                        Some(cell) => cell.display(rule, |r| {
                            format!(
                                "{} ({}–{})",
                                format::number(Some(r.ratio), 2),
                                format::number(r.ci_low, 2),
                                format::number(r.ci_high, 2)
                            )
                        }),
                        None => "–".to_string(),
                    });
                }
                table.row(row);
            }
            if breakdown.groups.len() > options.max_groups_shown {
                // Ranked by the first rate where there is one, else by participants; only
                // shown (unsuppressed) values take part.
                let (metric, unit, keys): (String, ValueUnit, Vec<Option<f64>>) = match rate_names.first() {
                    Some(rate) => (
                        labels::rate(rate).to_lowercase(),
                        ValueUnit::Percent,
                        breakdown
                            .groups
                            .iter()
                            .map(|g| g.rates.first().and_then(|(_, c)| c.value()).map(|r| r.rate))
                            .collect(),
                    ),
                    None => (
                        "participants".to_string(),
                        ValueUnit::Count,
                        breakdown.groups.iter().map(|g| g.participants.value().map(|&n| n as f64)).collect(),
                    ),
                };
                blocks.extend(summarise_long_table(table, &keys, &metric, unit, options)?);
            } else {
                blocks.push(Block::Table(table));
            }
            for test in &breakdown.tests {
                blocks.push(Block::Paragraph(test.describe()));
            }
            let sentences: Vec<String> = breakdown
                .groups
                .iter()
                .filter_map(|g| {
                    g.representation.as_ref()?.value().map(|r| {
                        format!(
                            "{}: reached at {} times their share of local residents (representation ratio; \
                             95% CI {} to {}).",
                            g.group,
                            format::number(Some(r.ratio), 2),
                            format::number(r.ci_low, 2),
                            format::number(r.ci_high, 2),
                        )
                    })
                })
                .collect();
            if !sentences.is_empty() && breakdown.dimension == "ethnicity" {
                blocks.push(Block::List(sentences));
            }
            // One chart per pilot: representation by ethnicity when a population is given,
            // else the participants' first rate by ethnicity.
            if breakdown.dimension == "ethnicity" && breakdown.groups.len() <= options.max_groups_shown {
                let mut chart = if has_reach {
                    let mut c = BarChart::new(
                        format!("{name}: reach by ethnic group"),
                        "Representation ratio",
                        ValueUnit::Ratio,
                    );
                    for g in &breakdown.groups {
                        match g.representation.as_ref().map(|r| r.value()) {
                            Some(Some(r)) => {
                                let mut bar = Bar::new(&g.group, r.ratio);
                                if let (Some(lo), Some(hi)) = (r.ci_low, r.ci_high) {
                                    bar = bar.with_ci(lo, hi);
                                }
                                c.bars.push(bar);
                            }
                            Some(None) => c.bars.push(Bar::suppressed(&g.group)),
                            None => {}
                        }
                    }
                    c.reference_line = Some(Marker::reference(1.0, "Reached in proportion"));
                    c
                } else {
                    let Some(first_rate) = rate_names.first() else { continue };
                    let mut c = BarChart::new(
                        format!("{name}: {} by ethnic group", labels::rate(first_rate).to_lowercase()),
                        "Rate",
                        ValueUnit::Percent,
                    );
                    for g in &breakdown.groups {
                        if let Some((_, cell)) = g.rates.first() {
                            match cell {
                                Published::Shown(r) => {
                                    c.bars.push(Bar::new(&g.group, r.rate).with_ci(r.ci_low, r.ci_high))
                                }
                                Published::Small | Published::Secondary => {
                                    c.bars.push(Bar::suppressed(&g.group))
                                }
                                Published::Empty => {}
                            }
                        }
                    }
                    c
                };
                chart.category_label = "Ethnic group".to_string();
                if chart.bars.iter().any(|b| b.value.is_some()) {
                    blocks.push(Block::Chart(chart_block(
                        &format!("equity_{pilot_id}_ethnicity"),
                        &chart,
                        options,
                    )?));
                }
            }
        }
    }
    Ok(Section { id: "equity".to_string(), title: "Who was reached and who benefited".to_string(), blocks })
}

/// Groups counted in ten equal bins of a key from `low` to `high`.
pub(super) fn spread_chart(
    caption: &str,
    metric: &str,
    unit: ValueUnit,
    low: f64,
    high: f64,
    ranked: &[(f64, usize)],
) -> BarChart {
    const BINS: usize = 10;
    let width = (high - low) / BINS as f64;
    let mut counts = [0u64; BINS];
    for &(v, _) in ranked {
        let bin = if width > 0.0 { (((v - low) / width) as usize).min(BINS - 1) } else { 0 };
        counts[bin] += 1;
    }
    let show = |v: f64| match unit {
        ValueUnit::Percent => format!("{:.0}%", v * 100.0),
        _ => format::thousands(v, 0),
    };
    let mut chart = BarChart::new(format!("{caption}: groups by {metric}"), "Groups", ValueUnit::Count);
    chart.category_label = capitalise(metric);
    let used = if width > 0.0 { BINS } else { 1 };
    for (i, n) in counts.iter().enumerate().take(used) {
        let from = low + width * i as f64;
        let label = if width > 0.0 { format!("{} to {}", show(from), show(from + width)) } else { show(low) };
        chart.bars.push(Bar::new(label, *n as f64));
    }
    chart
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
