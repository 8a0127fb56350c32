//! Report sections and charts that draw on the equity, delivery and social value parts
//! of the publication.

use crate::error::Result;
use crate::publish::{
    DisclosureRule, Publication, Published, PublishedCardiovascular, PublishedPilot, PublishedRate,
    PublishedTalkingTherapies,
};

use super::charts::{Bar, BarChart, BeforeAfter, BeforeAfterChart, Chart, Marker, ValueUnit};
use super::common::{ReportOptions, decimals_for, disclosure_note, measure_name};
use super::document::ChartBlock;
use super::{format, labels};
use crate::metric::NATIONAL_RELIABLE_RECOVERY;

/// Renders a chart to a report block (SVG always, PNG when asked).
pub(crate) fn chart_block(name: &str, chart: &dyn Chart, options: &ReportOptions) -> Result<ChartBlock> {
    Ok(ChartBlock {
        name: name.to_string(),
        svg: chart.to_svg()?,
        alt: chart.alt_text(),
        png: if options.png_charts { Some(chart.to_png()?) } else { None },
    })
}

/// A bar for a published rate: drawn when shown, an empty slot when hidden.
pub(crate) fn rate_bar(label: &str, rate: Option<&PublishedRate>) -> Option<Bar> {
    let rate = rate?;
    Some(match rate.shown() {
        Some(r) => Bar::new(label, r.rate).with_ci(r.ci_low, r.ci_high),
        None => Bar::suppressed(label),
    })
}

/// The Talking Therapies rates with their intervals, against the national figure.
pub(crate) fn talking_therapies_chart(
    pilot: &PublishedPilot,
    tt: &PublishedTalkingTherapies,
    _rule: &DisclosureRule,
    options: &ReportOptions,
) -> Result<Option<ChartBlock>> {
    let mut chart = BarChart::new(
        format!("{}: Talking Therapies outcomes", pilot.name),
        "Share of people in each denominator",
        ValueUnit::Percent,
    );
    chart.category_label = "Outcome".to_string();
    for (label, rate) in [
        ("Recovery", &tt.recovery),
        ("Reliable improvement", &tt.reliable_improvement),
        ("Reliable recovery", &tt.reliable_recovery),
        ("Reliable deterioration", &tt.reliable_deterioration),
    ] {
        if let Some(bar) = rate_bar(label, rate.as_ref()) {
            chart.bars.push(bar);
        }
    }
    if chart.bars.iter().all(|b| b.value.is_none()) {
        return Ok(None);
    }
    chart.reference_line =
        Some(Marker::reference(NATIONAL_RELIABLE_RECOVERY, "National reliable recovery, April 2025"));
    Ok(Some(chart_block(&format!("{}_talking_therapies", pilot.id), &chart, options)?))
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Scale {
    Points,
    MmHg,
    Utility,
}

/// First and last mean score per measure, one chart per kind of scale, so that scores on
/// very different scales do not share an axis.
pub(crate) fn measures_chart(
    publication: &Publication,
    pilot: &PublishedPilot,
    options: &ReportOptions,
) -> Result<Option<ChartBlock>> {
    let scale_of = |id: &str| match id {
        "sbp" | "dbp" => Scale::MmHg,
        _ if decimals_for(publication, id) == 2 => Scale::Utility,
        _ => Scale::Points,
    };
    let shown: Vec<_> = pilot
        .measures
        .iter()
        .filter(|m| m.statistics_shown() && m.n_paired.value().is_some_and(|&n| n >= 2))
        .filter(|m| m.statistics.mean_first.is_some() && m.statistics.mean_last.is_some())
        .collect();
    // The chart of the most common scale in the pilot; the tables carry every measure.
    let Some(scale) = [Scale::Points, Scale::MmHg, Scale::Utility]
        .into_iter()
        .max_by_key(|s| (shown.iter().filter(|m| scale_of(&m.measure) == *s).count(), std::cmp::Reverse(*s)))
    else {
        return Ok(None);
    };
    let (unit, label) = match scale {
        Scale::Points => (ValueUnit::Points, "Mean score"),
        Scale::MmHg => (ValueUnit::MmHg, "Mean blood pressure"),
        Scale::Utility => (ValueUnit::Ratio, "Mean utility"),
    };
    let mut chart = BeforeAfterChart::new(format!("{}: first and last assessment", pilot.name), label, unit);
    for m in shown.iter().filter(|m| scale_of(&m.measure) == scale) {
        let (Some(first), Some(last)) = (m.statistics.mean_first, m.statistics.mean_last) else { continue };
        chart.rows.push(BeforeAfter::new(
            format!(
                "{} (n = {})",
                measure_name(publication, &m.measure),
                format::count(&m.n_paired, &publication.rule)
            ),
            first,
            last,
        ));
    }
    if chart.rows.is_empty() {
        return Ok(None);
    }
    Ok(Some(chart_block(&format!("{}_measures", pilot.id), &chart, options)?))
}

/// Reach and outcomes by group, under disclosure control.
pub(crate) fn equity_section(
    publication: &Publication,
    options: &ReportOptions,
) -> Result<super::document::Section> {
    use super::document::{Block, Section, Table};
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

/// How many groups are shown at each end of a summarised breakdown.
const GROUPS_AT_EACH_END: usize = 10;

/// A breakdown too long to print (more groups than `max_groups_shown`): the full table
/// goes to its CSV file only; the report shows the groups with the highest and lowest
/// `keys` (one per row; `None` for hidden values, which are not ranked) and a chart of how
/// the groups spread over the range of the key. Sorting is the only step above linear.
fn summarise_long_table(
    mut full: super::document::Table,
    keys: &[Option<f64>],
    metric: &str,
    unit: ValueUnit,
    options: &ReportOptions,
) -> Result<Vec<super::document::Block>> {
    use super::document::{Block, Table};
    let mut ranked: Vec<(f64, usize)> =
        keys.iter().enumerate().filter_map(|(i, k)| k.filter(|v| v.is_finite()).map(|v| (v, i))).collect();
    // Highest first; ties in table order, so the same data gives the same report.
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let ends = if ranked.len() <= 2 * GROUPS_AT_EACH_END {
        ranked.clone()
    } else {
        ranked[..GROUPS_AT_EACH_END]
            .iter()
            .chain(&ranked[ranked.len() - GROUPS_AT_EACH_END..])
            .copied()
            .collect()
    };
    let headers: Vec<&str> = full.headers.iter().map(String::as_str).collect();
    let mut summary = Table::new(
        &format!("{}_summary", full.name),
        &format!(
            "{}: the {} groups with the highest and lowest {metric}, of {} groups ({} with {metric} shown)",
            full.caption,
            ends.len(),
            full.rows.len(),
            ranked.len()
        ),
        &headers,
    );
    summary.numeric = full.numeric.clone();
    for &(_, i) in &ends {
        summary.row(full.rows[i].clone());
    }
    let mut blocks = Vec::new();
    full.csv_only = true;
    let name = full.name.clone();
    let caption = full.caption.clone();
    blocks.push(Block::Table(full));
    blocks.push(Block::Table(summary));
    if let (Some(&(high, _)), Some(&(low, _))) = (ranked.first(), ranked.last()) {
        let chart = spread_chart(&caption, metric, unit, low, high, &ranked);
        blocks.push(Block::Chart(chart_block(&format!("{name}_spread"), &chart, options)?));
    }
    Ok(blocks)
}

/// Groups counted in ten equal bins of a key from `low` to `high`.
fn spread_chart(
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

/// The social value section: totals, the impact map, sensitivity and uncertainty.
pub(crate) fn social_value_section(
    publication: &Publication,
    options: &ReportOptions,
) -> Result<super::document::Section> {
    use super::charts::{DistributionChart, TornadoChart, TornadoRow};
    use super::document::{Block, Figure, Section, Table};
    let Some(published) = &publication.social_value else {
        return Ok(Section {
            id: "social-value".to_string(),
            title: "Social value".to_string(),
            blocks: Vec::new(),
        });
    };
    let Some(sv) = published.figures.value() else {
        return Ok(withheld_social_value(published));
    };
    let mut blocks = vec![Block::Figures(vec![
        Figure {
            label: "Present value of outcomes".to_string(),
            value: format::pounds(Some(sv.present_value)),
            detail: "after deadweight, displacement, attribution and drop-off, discounted".to_string(),
        },
        Figure {
            label: "Investment".to_string(),
            value: format::pounds(Some(sv.investment)),
            detail: "present value of all inputs".to_string(),
        },
        Figure {
            label: "SROI ratio".to_string(),
            value: sv.sroi_ratio.map_or("–".to_string(), |r| format!("{}:1", format::number(Some(r), 2))),
            detail: format!(
                "net {}; payback {} months",
                format::number(sv.net_sroi_ratio, 2),
                format::number(sv.payback_months, 1)
            ),
        },
    ])];
    let mut inputs = Table::new(
        "inputs",
        "Inputs (the investment)",
        &["Input", "Stakeholder", "Amount", "Year", "Present value"],
    )
    .numeric_columns(&[false, false, true, true, true]);
    blocks.push(Block::Paragraph(
        "Years count from the start of the pilots: year 0 is the start, and money spent then counts at its face \
         value; money spent in year 1 or later is discounted back to year 0, which gives its present value."
            .to_string(),
    ));
    for i in &sv.inputs {
        let what = match i.hours {
            Some(h) => format!("{} ({} hours)", i.description, format::thousands(h, 0)),
            None => i.description.clone(),
        };
        inputs.row(vec![
            what,
            i.stakeholder.clone(),
            format::pounds(Some(i.amount)),
            i.year.to_string(),
            format::pounds(Some(i.present_value)),
        ]);
    }
    blocks.push(Block::Table(inputs));
    let mut table = Table::new(
        "impact_map",
        "Impact map: outcomes, quantities, proxies and present values",
        &[
            "Outcome",
            "Stakeholder",
            "Outputs",
            "Indicator",
            "Quantity",
            "Value per unit",
            "Proxy source",
            "Present value",
        ],
    )
    .numeric_columns(&[false, false, false, false, false, true, false, true]);
    // Outputs come from the activities table of the pilot the outcome is measured in.
    let outputs = |link: Option<&String>| -> String {
        let pilot = link.and_then(|l| l.split('.').next());
        match pilot.and_then(|p| publication.delivery.iter().find(|d| d.pilot == p)) {
            Some(d) => format!(
                "{} sessions, {} attendances",
                format::thousands(d.sessions as f64, 0),
                format::count(&d.attendances, &publication.rule)
            ),
            None => "–".to_string(),
        }
    };
    for (o, q) in sv.outcomes.iter().zip(&published.quantities) {
        let quantity = q.text.clone();
        table.row(vec![
            o.outcome.clone(),
            o.stakeholder.clone(),
            outputs(o.quantity_from.as_ref()),
            o.indicator.clone(),
            quantity,
            format::pounds(Some(o.value)),
            o.proxy_source.clone(),
            format::pounds(Some(o.present_value)),
        ]);
    }
    blocks.push(Block::Table(table));
    let mut schedules = Table::new(
        "outcome_discounting",
        "Discounting, proxy range and assumption source by outcome",
        &["Outcome", "Discount schedule", "Proxy range", "Assumption source"],
    )
    .numeric_columns(&[false, false, false, false]);
    for o in &sv.outcomes {
        schedules.row(vec![
            o.outcome.clone(),
            o.discount.clone(),
            o.value_range.map_or("–".to_string(), |(lo, hi)| {
                format!("{} to {}", format::pounds(Some(lo)), format::pounds(Some(hi)))
            }),
            o.assumption_source.clone().unwrap_or_else(|| "–".to_string()),
        ]);
    }
    blocks.push(Block::Table(schedules));
    if !sv.cost_effectiveness.is_empty() {
        let mut t = Table::new(
            "cost_per_outcome",
            "Cost per outcome: the whole investment over each outcome's attributable units",
            &[
                "Outcome",
                "Unit",
                "Attributable units",
                "Cost per unit",
                "95% interval",
                "Against NICE's threshold",
            ],
        )
        .numeric_columns(&[false, false, true, true, false, false]);
        for c in &sv.cost_effectiveness {
            t.row(vec![
                c.outcome.clone(),
                c.unit.clone(),
                format::number(Some(c.units), 1),
                format::pounds(c.cost_per_unit),
                match (c.ci_low, c.ci_high) {
                    (Some(lo), Some(hi)) => {
                        format!("{} to {}", format::pounds(Some(lo)), format::pounds(Some(hi)))
                    }
                    (Some(lo), None) => format!("{} to unbounded", format::pounds(Some(lo))),
                    _ => "–".to_string(),
                },
                c.versus_nice.clone().unwrap_or_else(|| "–".to_string()),
            ]);
        }
        blocks.push(Block::Table(t));
    }
    if let Some(chart) = value_by_outcome_chart(sv, options)? {
        blocks.push(Block::Chart(chart));
    }
    let mut stakeholders = Table::new(
        "value_by_stakeholder",
        "Present value by stakeholder",
        &["Stakeholder", "Present value", "Share"],
    );
    for s in &sv.by_stakeholder {
        stakeholders.row(vec![
            s.stakeholder.clone(),
            format::pounds(Some(s.present_value)),
            format::percent(s.share),
        ]);
    }
    blocks.push(Block::Table(stakeholders));
    if !sv.sensitivity.one_way.is_empty() {
        let mut t = Table::new(
            "sensitivity",
            "One-way sensitivity of the SROI ratio",
            &["Assumption", "Low", "High"],
        );
        let base = sv.sroi_ratio.unwrap_or(0.0);
        let mut tornado =
            TornadoChart::new("Sensitivity of the SROI ratio", "SROI ratio", ValueUnit::Ratio, base);
        for row in &sv.sensitivity.one_way {
            t.row(vec![
                row.parameter.clone(),
                format::number(row.low_ratio, 2),
                format::number(row.high_ratio, 2),
            ]);
            if let (Some(low), Some(high)) = (row.low_ratio, row.high_ratio) {
                tornado.rows.push(TornadoRow { label: row.parameter.clone(), low, high });
            }
        }
        blocks.push(Block::Table(t));
        if sv.sroi_ratio.is_some() && !tornado.rows.is_empty() {
            blocks.push(Block::Chart(chart_block("sroi_tornado", &tornado, options)?));
        }
    }
    if let Some(mc) = &sv.monte_carlo {
        blocks.push(Block::Paragraph(format!(
            "Monte Carlo: {} draws (seed {}) of the uncertain assumptions give an SROI ratio between {} and {} in 90% of draws \
             (median {}); the ratio exceeds 1 in {} of draws.",
            format::thousands(mc.draws as f64, 0),
            mc.seed,
            format::number(mc.p5, 2),
            format::number(mc.p95, 2),
            format::number(mc.p50, 2),
            format::percent(mc.probability_ratio_above_1),
        )));
        if !mc.ratios.is_empty() {
            let mut chart = DistributionChart::new(
                "Monte Carlo distribution of the SROI ratio",
                "SROI ratio",
                ValueUnit::Ratio,
            );
            chart.values = mc.ratios.clone();
            chart.markers.push(Marker::reference(1.0, "Break-even"));
            for (value, label) in [(mc.p5, "5th percentile"), (mc.p50, "Median"), (mc.p95, "95th percentile")]
            {
                if let Some(v) = value {
                    chart.markers.push(Marker::statistic(v, label));
                }
            }
            blocks.push(Block::Chart(chart_block("sroi_monte_carlo", &chart, options)?));
        }
    }
    blocks.push(Block::Heading("Assumptions".to_string()));
    let mut assumptions = vec![
        format!(
            "Prices: {} prices; every proxy uprated from its own price year with {} (a proxy already in {} prices is not uprated).",
            sv.price_year, sv.deflator, sv.price_year
        ),
        if sv.deflator_forecast_years.is_empty() {
            "Deflator years used are outturn, not forecasts.".to_string()
        } else {
            format!(
                "Uprating uses forecast deflator years: {}. The figures will move when outturn replaces them.",
                sv.deflator_forecast_years.iter().map(|y| y.to_string()).collect::<Vec<_>>().join(", ")
            )
        },
        format!("Discounting: {} (inputs and outcomes without their own schedule; each outcome's is listed above).", sv.discounting),
        "Cost per outcome: the whole investment divided by the outcome's attributable units (the quantity after \
         deadweight, displacement and attribution; QALYs and WELLBYs summed over the duration with drop-off and \
         discounted on the outcome's schedule). Where the investment serves several outcomes, each cost is the \
         cost of the whole programme per unit of that outcome. The interval is the cost at the quantity's 95% limits."
            .to_string(),
        "Impact in the first year = quantity × value × (1 − deadweight) × (1 − displacement) × (1 − attribution); \
         each later year × (1 − drop-off). An outcome is counted from its start year: year 1 unless the impact map \
         says otherwise, discounted once, as a year's benefit is counted at the end of the year; an outcome \
         starting in year 0 is counted at its face value in its first year."
            .to_string(),
        "Sensitivity: one assumption at a time, applied to every outcome: deductions halved and raised by half, \
         proxies at the ends of their published ranges (±25% where none is given), discount rates halved and raised \
         by half, durations ±1 year, measured quantities at their 95% limits (Wilson for counts, t for changes; \
         fixed ones ±25%)."
            .to_string(),
    ];
    if let Some(mc) = &sv.monte_carlo {
        assumptions.push(format!("Monte Carlo: {}", mc.method));
    }
    if let Some(nice) = &sv.nice_threshold {
        assumptions.push(format!(
            "NICE threshold: £{:.0} to £{:.0} per QALY, {} (source: {}; {}).",
            nice.low, nice.high, nice.applies_to, nice.source, nice.confidence
        ));
    }
    for o in &sv.outcomes {
        if let Some(a) = o.switching_attribution {
            assumptions.push(format!(
                "Switching value: the ratio falls to 1 if attribution on '{}' alone were {}.",
                o.outcome,
                format::percent(Some(a))
            ));
        }
        if let Some(v) = o.switching_value {
            assumptions.push(format!(
                "Switching value: the ratio falls to 1 if the proxy for '{}' were {} instead of {}.",
                o.outcome,
                format::pounds(Some(v)),
                format::pounds(Some(o.value))
            ));
        }
        if let Some(licence) = &o.licence {
            assumptions.push(format!("Proxy for '{}' is used under: {licence}.", o.outcome));
        }
    }
    blocks.push(Block::List(assumptions));
    if !sv.warnings.is_empty() {
        blocks.push(Block::Heading("Checks against the principles of social value".to_string()));
        blocks.push(Block::List(sv.warnings.clone()));
    }
    Ok(Section { id: "social-value".to_string(), title: "Social value".to_string(), blocks })
}

/// The social value section when its figures are withheld: the inputs, the impact map's
/// quantities with their markers, and why.
fn withheld_social_value(published: &crate::publish::PublishedSocialValue) -> super::document::Section {
    use super::document::{Block, Section, Table};
    let mut blocks = vec![Block::Note(format!(
        "The social value figures are not published: they are computed from {}, which {} hidden under \
         disclosure control, and any present value or ratio would let {} be worked out.",
        published.withheld_because.join(", "),
        if published.withheld_because.len() == 1 { "is" } else { "are" },
        if published.withheld_because.len() == 1 { "it" } else { "them" },
    ))];
    let mut inputs =
        Table::new("inputs", "Inputs (the investment)", &["Input", "Stakeholder", "Amount", "Year"]);
    for i in &published.inputs {
        inputs.row(vec![
            i.description.clone(),
            i.stakeholder.clone(),
            format::pounds(Some(i.amount)),
            i.year.to_string(),
        ]);
    }
    blocks.push(Block::Table(inputs));
    let mut quantities =
        Table::new("impact_map", "Impact map: outcomes and quantities", &["Outcome", "Quantity"])
            .numeric_columns(&[false, true]);
    for q in &published.quantities {
        quantities.row(vec![q.outcome.clone(), q.text.clone()]);
    }
    blocks.push(Block::Table(quantities));
    Section { id: "social-value".to_string(), title: "Social value".to_string(), blocks }
}

/// The NG136 category of each person at the first and last reading, as shares of those
/// paired on both readings. Categories with a hidden count at either reading are left out
/// of the chart (the table beside it shows their markers).
pub(crate) fn bp_categories_chart(
    pilot: &PublishedPilot,
    cv: &PublishedCardiovascular,
    options: &ReportOptions,
) -> Result<Option<ChartBlock>> {
    let Some(&total) = cv.n_paired_both.value().filter(|&&n| n > 0) else {
        return Ok(None);
    };
    let total = total as f64;
    let mut chart = BeforeAfterChart::new(
        format!("{}: blood pressure category, first and last reading", pilot.name),
        "Share of people",
        ValueUnit::Percent,
    );
    chart.before_name = "First reading".to_string();
    chart.after_name = "Last reading".to_string();
    for c in &cv.categories {
        let (Some(first), Some(last)) = (c.first.value(), c.last.value()) else { continue };
        chart.rows.push(BeforeAfter::new(c.category.clone(), *first as f64 / total, *last as f64 / total));
    }
    if chart.rows.is_empty() {
        return Ok(None);
    }
    Ok(Some(chart_block(&format!("{}_bp_categories", pilot.id), &chart, options)?))
}

/// Present value by outcome.
pub(crate) fn value_by_outcome_chart(
    sv: &crate::value::SocialValue,
    options: &ReportOptions,
) -> Result<Option<ChartBlock>> {
    if sv.outcomes.is_empty() {
        return Ok(None);
    }
    let mut chart = BarChart::new("Present value by outcome", "Present value", ValueUnit::Pounds);
    chart.category_label = "Outcome".to_string();
    for o in &sv.outcomes {
        chart.bars.push(Bar::new(&o.outcome, o.present_value));
    }
    Ok(Some(chart_block("sroi_value_by_outcome", &chart, options)?))
}

/// How the work was delivered: partners, venues, areas, sessions, leaders trained,
/// volunteer time and referral sources. Sessions, partners and hours are not people and
/// are never hidden; attendances, leaders and referrals follow the disclosure rule.
pub(crate) fn delivery_section(
    publication: &Publication,
    options: &ReportOptions,
) -> Result<super::document::Section> {
    use super::document::{Block, Figure, Section, Table};
    let rule = &publication.rule;
    let mut blocks = vec![Block::Paragraph(
        "Who delivered the pilots and where: partner organisations by type, sessions and attendances by venue and \
         area, community leaders trained, volunteer and staff time, and where participants were referred from. \
         Community settings are every venue other than a GP surgery, clinic, hospital, pharmacy or health centre."
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
                detail: "attendances at leader training".to_string(),
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
    Ok(Section { id: "delivery".to_string(), title: "How the work was delivered".to_string(), blocks })
}
