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

mod delivery;
mod equity;
mod pilot_charts;
mod social_value;

pub(crate) use delivery::delivery_section;
pub(crate) use equity::equity_section;
use equity::spread_chart;
pub(crate) use pilot_charts::{bp_categories_chart, measures_chart, talking_therapies_chart};
pub(crate) use social_value::social_value_section;

/// How many groups are shown at each end of a summarised breakdown.
const GROUPS_AT_EACH_END: usize = 10;

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

/// A breakdown too long to print (more groups than `max_groups_shown`): the full table
/// goes to its CSV file only; the report shows the groups with the highest and lowest
/// `keys` (one per row; `None` for hidden values, which are not ranked) and a chart of how
/// the groups spread over the range of the key. Sorting is the only step above linear.
pub(crate) fn summarise_long_table(
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
