//! The charts of a pilot's section: Talking Therapies rates, changes per measure, blood
//! pressure categories.

use super::*;

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
