//! Charts for reports: bar charts with intervals, before/after (dumbbell) charts,
//! distributions with markers and tornado charts, rendered to SVG text and PNG bytes.
//!
//! Each chart is a plain struct of data. Rendering is pure and deterministic: the same
//! chart gives the same bytes, nothing is read from or written to disk, and text is drawn
//! with an embedded font (Liberation Sans, SIL Open Font License 1.1), so PNGs render on
//! machines with no fonts installed.
//!
//! - SVG: [`SVG_WIDTH`] pixels wide, height by content, with a `viewBox` so it scales,
//!   a `<title>` and a `<desc>` holding [`Chart::alt_text`]; every piece of text from the
//!   data is escaped. No scripts, styles or external references.
//! - PNG: the same drawing at [`PNG_SCALE`] times the SVG size, sharp enough to print.
//! - Colours: the Okabe-Ito palette, safe for the common colour-vision deficiencies;
//!   marks that must be told apart also differ in shape or position.
//! - Empty charts (no bars, rows or values) render as a titled "No data to show" panel
//!   rather than failing, so one empty breakdown does not stop a whole report; their alt
//!   text says so. Non-finite numbers and reversed intervals are errors.
//!
//! ```
//! use coproduction::report::charts::{Bar, BarChart, Chart, Marker, ValueUnit};
//!
//! let mut chart = BarChart::new("Recovery by pilot", "Recovery rate", ValueUnit::Percent);
//! chart.bars.push(Bar::new("Talking therapies", 0.52).with_ci(0.44, 0.60));
//! chart.bars.push(Bar::suppressed("Carers' group"));
//! chart.reference_line = Some(Marker::reference(0.5, "National standard"));
//! let svg = chart.to_svg().unwrap();
//! assert!(svg.starts_with("<svg") && svg.contains("suppressed"));
//! assert!(chart.alt_text().contains("Talking therapies 52.0% (95% CI 44.0% to 60.0%)"));
//! ```

mod draw;
mod png;

use crate::error::{Error, Result};

/// Width of the SVG output in pixels; heights follow the content. Narrow enough that text
/// drawn at 15 px stays readable when a phone scales the chart to its screen.
pub const SVG_WIDTH: u32 = 600;

/// PNG output is this many times the SVG size in each direction.
pub const PNG_SCALE: u32 = 2;

/// How values are shown on axes, labels and in alt text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub enum ValueUnit {
    /// A proportion given as a fraction, as in `results.json` (0.452 is shown as 45.2%).
    Percent,
    /// Points on a scale or score, one decimal (3.4 points).
    Points,
    /// A number of people or events (1,234).
    Count,
    /// Pounds sterling (£850, £12,400, £1.2m).
    Pounds,
    /// Millimetres of mercury, for blood pressure (12.3 mmHg).
    MmHg,
    /// A ratio such as an SROI ratio, two decimals (3.20).
    Ratio,
}

impl ValueUnit {
    /// The value with its unit, for sentences and alt text: `45.2%`, `3.4 points`, `£1.2m`.
    ///
    /// ```
    /// use coproduction::report::charts::ValueUnit;
    /// assert_eq!(ValueUnit::Percent.format(0.452), "45.2%");
    /// assert_eq!(ValueUnit::Points.format(-3.44), "-3.4 points");
    /// assert_eq!(ValueUnit::Pounds.format(1_240_000.0), "£1.2m");
    /// assert_eq!(ValueUnit::Pounds.format(12_400.0), "£12,400");
    /// assert_eq!(ValueUnit::Count.format(1234.0), "1,234");
    /// ```
    pub fn format(self, value: f64) -> String {
        match self {
            ValueUnit::Points => format!("{} points", fixed(value, 1)),
            ValueUnit::MmHg => format!("{} mmHg", fixed(value, 1)),
            _ => self.format_short(value),
        }
    }

    /// The value as printed beside a mark, where the axis already names the unit:
    /// `45.2%`, `3.4`, `£1.2m`, `3.20`.
    pub fn format_short(self, value: f64) -> String {
        match self {
            ValueUnit::Percent => format!("{}%", fixed(value * 100.0, 1)),
            ValueUnit::Points | ValueUnit::MmHg => fixed(value, 1),
            ValueUnit::Count => {
                if value.fract() == 0.0 {
                    fixed(value, 0)
                } else {
                    fixed(value, 1)
                }
            }
            ValueUnit::Pounds => {
                let magnitude = value.abs();
                let body = if magnitude >= 1e9 {
                    format!("{}bn", fixed(magnitude / 1e9, 1))
                } else if magnitude >= 1e6 {
                    format!("{}m", fixed(magnitude / 1e6, 1))
                } else if magnitude >= 100.0 || magnitude.fract() == 0.0 {
                    fixed(magnitude, 0)
                } else {
                    fixed(magnitude, 2)
                };
                with_sign(value, &body, "£")
            }
            ValueUnit::Ratio => fixed(value, 2),
        }
    }

    /// A tick label for `value` on an axis whose ticks are `step` apart.
    fn tick(self, value: f64, step: f64) -> String {
        // Ticks are multiples of the step: snap away floating-point dust such as -0.0.
        if value.abs() < step * 1e-9 {
            return match self {
                ValueUnit::Percent => "0%".into(),
                ValueUnit::Pounds => "£0".into(),
                _ => "0".into(),
            };
        }
        match self {
            ValueUnit::Percent => format!("{}%", fixed(value * 100.0, decimals_for(step * 100.0))),
            ValueUnit::Pounds => {
                let magnitude = value.abs();
                // Millions only where the tick reaches a million: £800k, £1.0m, £1.2m.
                let body = if magnitude >= 1e6 && step >= 1e5 {
                    format!("{}m", fixed(magnitude / 1e6, decimals_for(step / 1e6)))
                } else if step >= 1e3 {
                    format!("{}k", fixed(magnitude / 1e3, decimals_for(step / 1e3)))
                } else {
                    fixed(magnitude, decimals_for(step))
                };
                with_sign(value, &body, "£")
            }
            _ => fixed(value, decimals_for(step)),
        }
    }
}

/// Decimals needed to tell apart ticks `step` apart (steps are 1, 2 or 5 times a power of 10).
fn decimals_for(step: f64) -> usize {
    if step <= 0.0 || !step.is_finite() {
        return 0;
    }
    (-step.log10() - 1e-9).ceil().max(0.0) as usize
}

fn with_sign(value: f64, body: &str, prefix: &str) -> String {
    let shows_digits = body.chars().any(|c| c.is_ascii_digit() && c != '0');
    if value < 0.0 && shows_digits { format!("-{prefix}{body}") } else { format!("{prefix}{body}") }
}

/// `value` rounded to `decimals`, with thousands separators, never `-0`.
fn fixed(value: f64, decimals: usize) -> String {
    let text = format!("{:.*}", decimals, value.abs());
    let (whole, fraction) = match text.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (text.as_str(), None),
    };
    let mut grouped = String::with_capacity(text.len() + whole.len() / 3);
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    if let Some(fraction) = fraction {
        grouped.push('.');
        grouped.push_str(fraction);
    }
    with_sign(value, &grouped, "")
}

/// A confidence interval, drawn as a whisker. Charts state that intervals are 95%.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct Interval {
    /// Lower bound.
    pub low: f64,
    /// Upper bound.
    pub high: f64,
}

/// What a [`Marker`] line stands for, which sets how it is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub enum MarkerKind {
    /// A standard or threshold to compare against (the national 50% recovery standard,
    /// SROI break-even at 1.0): a dashed vermilion line.
    Reference,
    /// A statistic of the data shown (median, 5th and 95th percentiles): a dashed grey line.
    Statistic,
}

/// A labelled vertical line at a value.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct Marker {
    /// Where the line is drawn, in the chart's unit.
    pub value: f64,
    /// Its label; the formatted value is appended.
    pub label: String,
    /// How it is drawn.
    pub kind: MarkerKind,
}

impl Marker {
    /// A standard or threshold line.
    pub fn reference(value: f64, label: impl Into<String>) -> Marker {
        Marker { value, label: label.into(), kind: MarkerKind::Reference }
    }

    /// A statistic of the data, such as a percentile.
    pub fn statistic(value: f64, label: impl Into<String>) -> Marker {
        Marker { value, label: label.into(), kind: MarkerKind::Statistic }
    }
}

/// One bar of a [`BarChart`].
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct Bar {
    /// The category (pilot, group, outcome).
    pub label: String,
    /// The value; `None` when disclosure control suppressed it. A suppressed bar keeps its
    /// slot, labelled "suppressed", and its interval is not drawn.
    pub value: Option<f64>,
    /// A 95% confidence interval.
    pub ci: Option<Interval>,
}

impl Bar {
    /// A bar with a value and no interval.
    pub fn new(label: impl Into<String>, value: f64) -> Bar {
        Bar { label: label.into(), value: Some(value), ci: None }
    }

    /// A suppressed bar.
    pub fn suppressed(label: impl Into<String>) -> Bar {
        Bar { label: label.into(), value: None, ci: None }
    }

    /// The same bar with a 95% confidence interval.
    pub fn with_ci(mut self, low: f64, high: f64) -> Bar {
        self.ci = Some(Interval { low, high });
        self
    }
}

/// Horizontal bars, one per category, with optional intervals and a reference line:
/// rates by pilot or group, value by outcome or stakeholder.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct BarChart {
    /// The chart title.
    pub title: String,
    /// What the categories are ("Pilot", "Ethnic group"); may be empty.
    pub category_label: String,
    /// The value axis title, without the unit ("Recovery rate").
    pub value_label: String,
    /// How values are shown.
    pub unit: ValueUnit,
    /// The bars, drawn top to bottom in this order.
    pub bars: Vec<Bar>,
    /// A standard to compare against.
    pub reference_line: Option<Marker>,
}

impl BarChart {
    /// An empty chart; push bars onto [`BarChart::bars`].
    pub fn new(title: impl Into<String>, value_label: impl Into<String>, unit: ValueUnit) -> BarChart {
        BarChart {
            title: title.into(),
            category_label: String::new(),
            value_label: value_label.into(),
            unit,
            bars: Vec::new(),
            reference_line: None,
        }
    }

    /// A sentence or two describing the chart with its numbers, for alt text.
    pub fn alt_text(&self) -> String {
        let unit = self.unit;
        let mut text = format!("{}. ", sentence(&self.title));
        if self.bars.is_empty() {
            text.push_str("No data to show.");
            return text;
        }
        let what = if self.category_label.trim().is_empty() {
            String::new()
        } else {
            format!(" by {}", self.category_label.trim().to_lowercase())
        };
        let parts: Vec<String> = self
            .bars
            .iter()
            .map(|bar| match bar.value {
                None => format!("{} suppressed", bar.label),
                Some(value) => match bar.ci {
                    Some(ci) => format!(
                        "{} {} (95% CI {} to {})",
                        bar.label,
                        unit.format(value),
                        unit.format(ci.low),
                        unit.format(ci.high)
                    ),
                    None => format!("{} {}", bar.label, unit.format(value)),
                },
            })
            .collect();
        text.push_str(&format!("Bar chart of {}{}: {}.", self.value_label, what, parts.join("; ")));
        if let Some(line) = &self.reference_line {
            text.push_str(&format!(" Reference line: {} at {}.", line.label, unit.format(line.value)));
        }
        if self.bars.iter().any(|bar| bar.value.is_none()) {
            text.push_str(" Suppressed values are withheld because the numbers are too small to publish.");
        }
        text
    }
}

/// One row of a [`BeforeAfterChart`]: a first and a last value.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct BeforeAfter {
    /// The row (a measure, a pilot, a group).
    pub label: String,
    /// The first value (mean at first assessment).
    pub before: f64,
    /// The last value (mean at last assessment).
    pub after: f64,
    /// A 95% confidence interval of the first value.
    pub before_ci: Option<Interval>,
    /// A 95% confidence interval of the last value.
    pub after_ci: Option<Interval>,
}

impl BeforeAfter {
    /// A row without intervals.
    pub fn new(label: impl Into<String>, before: f64, after: f64) -> BeforeAfter {
        BeforeAfter { label: label.into(), before, after, before_ci: None, after_ci: None }
    }
}

/// Paired first and last values per row, drawn as a dumbbell: a hollow dot for the first
/// value, a filled dot for the last, joined by a line.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct BeforeAfterChart {
    /// The chart title.
    pub title: String,
    /// The value axis title, without the unit ("Mean score").
    pub value_label: String,
    /// How values are shown.
    pub unit: ValueUnit,
    /// Legend name of the first value ("First assessment").
    pub before_name: String,
    /// Legend name of the last value ("Last assessment").
    pub after_name: String,
    /// The rows, top to bottom.
    pub rows: Vec<BeforeAfter>,
}

impl BeforeAfterChart {
    /// An empty chart with the legend names "First assessment" and "Last assessment".
    pub fn new(
        title: impl Into<String>,
        value_label: impl Into<String>,
        unit: ValueUnit,
    ) -> BeforeAfterChart {
        BeforeAfterChart {
            title: title.into(),
            value_label: value_label.into(),
            unit,
            before_name: "First assessment".into(),
            after_name: "Last assessment".into(),
            rows: Vec::new(),
        }
    }

    /// A sentence or two describing the chart with its numbers, for alt text.
    pub fn alt_text(&self) -> String {
        let unit = self.unit;
        let mut text = format!("{}. ", sentence(&self.title));
        if self.rows.is_empty() {
            text.push_str("No data to show.");
            return text;
        }
        let parts: Vec<String> = self
            .rows
            .iter()
            .map(|row| {
                format!(
                    "{} from {} to {} (change {})",
                    row.label,
                    unit.format(row.before),
                    unit.format(row.after),
                    unit.format(row.after - row.before)
                )
            })
            .collect();
        text.push_str(&format!(
            "{} ({} then {}): {}.",
            self.value_label,
            self.before_name.to_lowercase(),
            self.after_name.to_lowercase(),
            parts.join("; ")
        ));
        text
    }
}

/// The distribution of many values as a histogram, with labelled marker lines: Monte
/// Carlo SROI ratios with their percentiles and the break-even line at 1.0.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct DistributionChart {
    /// The chart title.
    pub title: String,
    /// The value axis title, without the unit ("SROI ratio").
    pub value_label: String,
    /// The count axis title ("Number of draws").
    pub count_label: String,
    /// How values are shown.
    pub unit: ValueUnit,
    /// The values.
    pub values: Vec<f64>,
    /// Lines to draw over the histogram.
    pub markers: Vec<Marker>,
}

impl DistributionChart {
    /// An empty chart counting "Number of values".
    pub fn new(
        title: impl Into<String>,
        value_label: impl Into<String>,
        unit: ValueUnit,
    ) -> DistributionChart {
        DistributionChart {
            title: title.into(),
            value_label: value_label.into(),
            count_label: "Number of values".into(),
            unit,
            values: Vec::new(),
            markers: Vec::new(),
        }
    }

    /// A sentence or two describing the chart with its numbers, for alt text.
    pub fn alt_text(&self) -> String {
        let unit = self.unit;
        let mut text = format!("{}. ", sentence(&self.title));
        let mut sorted: Vec<f64> = self.values.iter().copied().filter(|v| v.is_finite()).collect();
        if sorted.is_empty() {
            text.push_str("No data to show.");
            return text;
        }
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        let median = if n % 2 == 1 { sorted[n / 2] } else { (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0 };
        text.push_str(&format!(
            "Histogram of {} values of {}, from {} to {}, median {}.",
            ValueUnit::Count.format(n as f64),
            self.value_label,
            unit.format(sorted[0]),
            unit.format(sorted[n - 1]),
            unit.format(median)
        ));
        if !self.markers.is_empty() {
            let parts: Vec<String> = self
                .markers
                .iter()
                .map(|marker| {
                    let below = sorted.partition_point(|&v| v < marker.value);
                    format!(
                        "{} at {} ({} of values below)",
                        marker.label,
                        unit.format(marker.value),
                        ValueUnit::Percent.format(below as f64 / n as f64)
                    )
                })
                .collect();
            text.push_str(&format!(" Lines: {}.", parts.join("; ")));
        }
        text
    }
}

/// One row of a [`TornadoChart`]: the result with one assumption at its low and at its
/// high setting, all else at base.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct TornadoRow {
    /// The assumption varied ("Deadweight 10% to 30%").
    pub label: String,
    /// The result with the assumption at its low setting.
    pub low: f64,
    /// The result with the assumption at its high setting.
    pub high: f64,
}

/// One-way sensitivity: how far the result moves when each assumption alone is varied.
/// Rows are drawn widest swing first.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct TornadoChart {
    /// The chart title.
    pub title: String,
    /// The value axis title, without the unit ("SROI ratio").
    pub value_label: String,
    /// How values are shown.
    pub unit: ValueUnit,
    /// The result with every assumption at base.
    pub base: f64,
    /// Legend name of the low settings ("Low assumption").
    pub low_name: String,
    /// Legend name of the high settings ("High assumption").
    pub high_name: String,
    /// The assumptions varied, in any order.
    pub rows: Vec<TornadoRow>,
}

impl TornadoChart {
    /// An empty chart around `base`.
    pub fn new(
        title: impl Into<String>,
        value_label: impl Into<String>,
        unit: ValueUnit,
        base: f64,
    ) -> TornadoChart {
        TornadoChart {
            title: title.into(),
            value_label: value_label.into(),
            unit,
            base,
            low_name: "Low assumption".into(),
            high_name: "High assumption".into(),
            rows: Vec::new(),
        }
    }

    /// The rows widest swing first; ties keep their given order.
    pub fn sorted_rows(&self) -> Vec<&TornadoRow> {
        let mut rows: Vec<&TornadoRow> = self.rows.iter().collect();
        rows.sort_by(|a, b| (b.high - b.low).abs().total_cmp(&(a.high - a.low).abs()));
        rows
    }

    /// A sentence or two describing the chart with its numbers, for alt text.
    pub fn alt_text(&self) -> String {
        let unit = self.unit;
        let mut text = format!("{}. ", sentence(&self.title));
        if self.rows.is_empty() {
            text.push_str("No data to show.");
            return text;
        }
        let parts: Vec<String> = self
            .sorted_rows()
            .iter()
            .map(|row| {
                format!("{}: {} (low) to {} (high)", row.label, unit.format(row.low), unit.format(row.high))
            })
            .collect();
        text.push_str(&format!(
            "One-way sensitivity of {} around a base of {}, widest swing first: {}.",
            self.value_label,
            unit.format(self.base),
            parts.join("; ")
        ));
        text
    }
}

/// What every chart can do; handy for a list of charts of different kinds.
pub trait Chart {
    /// The chart title.
    fn title(&self) -> &str;
    /// A self-contained SVG document.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] if the chart has more rows than it can show, or
    /// [`Error::Render`] if drawing fails.
    fn to_svg(&self) -> Result<String>;
    /// PNG bytes at [`PNG_SCALE`] times the SVG size.
    ///
    /// # Errors
    ///
    /// As [`Chart::to_svg`], or [`Error::Render`] if the PNG cannot be encoded.
    fn to_png(&self) -> Result<Vec<u8>>;
    /// A description with the numbers, for readers who cannot see the chart.
    fn alt_text(&self) -> String;
}

macro_rules! impl_chart {
    ($($chart:ty),*) => {$(
        impl $chart {
            /// Renders a self-contained SVG document ([`SVG_WIDTH`] wide, with a
            /// `viewBox`, a `<title>` and the alt text as `<desc>`).
            ///
            /// # Errors
            ///
            /// As [`Chart::to_svg`].
            pub fn to_svg(&self) -> Result<String> {
                draw::to_svg(&draw::Render::scene(self)?, &self.title, &self.alt_text())
            }

            /// Renders PNG bytes at [`PNG_SCALE`] times the SVG size.
            ///
            /// # Errors
            ///
            /// As [`Chart::to_png`].
            pub fn to_png(&self) -> Result<Vec<u8>> {
                draw::to_png(&draw::Render::scene(self)?)
            }
        }

        impl Chart for $chart {
            fn title(&self) -> &str {
                &self.title
            }
            fn to_svg(&self) -> Result<String> {
                <$chart>::to_svg(self)
            }
            fn to_png(&self) -> Result<Vec<u8>> {
                <$chart>::to_png(self)
            }
            fn alt_text(&self) -> String {
                <$chart>::alt_text(self)
            }
        }
    )*};
}

impl_chart!(BarChart, BeforeAfterChart, DistributionChart, TornadoChart);

/// The title as a sentence start, without doubling a final full stop.
fn sentence(title: &str) -> &str {
    title.trim().trim_end_matches('.')
}

/// A drawing or encoding failure (the backend refused a shape, the encoder a buffer),
/// with the library's error as its source.
fn chart_error<E: std::error::Error + Send + Sync + 'static>(error: E) -> Error {
    Error::Render { source: Box::new(error) }
}

/// A drawing failure found by the crate itself (the embedded font did not load).
fn render_failure(what: &str) -> Error {
    Error::Render { source: what.into() }
}

#[cfg(test)]
mod tests;
