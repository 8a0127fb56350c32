//! The social value section: SROI, its sensitivity and Monte Carlo, or why it is withheld.

use super::*;

/// The social value section: totals, the impact map, sensitivity and uncertainty.
pub(crate) fn social_value_section(
    publication: &Publication,
    options: &ReportOptions,
) -> Result<crate::report::document::Section> {
    use crate::report::charts::{DistributionChart, TornadoChart, TornadoRow};
    use crate::report::document::{Block, Figure, Section, Table};
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
fn withheld_social_value(
    published: &crate::publish::PublishedSocialValue,
) -> crate::report::document::Section {
    use crate::report::document::{Block, Section, Table};
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
