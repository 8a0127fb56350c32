//! Layout and painting.
//!
//! Each chart is laid out once as a [`Scene`] of rectangles, circles and text in logical
//! pixels (one logical pixel is one SVG pixel), without touching a backend; the scene is
//! then painted on the SVG or the bitmap backend at a scale. Layout decisions are thus
//! identical in both outputs, and tests can inspect the marks directly.

use std::sync::OnceLock;

use plotters::backend::DrawingBackend;
use plotters::coord::Shift;
use plotters::drawing::{DrawingArea, IntoDrawingArea};
use plotters::element::{Circle, Rectangle};
use plotters::prelude::{BitMapBackend, SVGBackend};
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{Color, FontDesc, FontFamily, FontStyle, RGBColor, TextStyle};

use super::{
    BarChart, BeforeAfterChart, DistributionChart, Interval, Marker, MarkerKind, PNG_SCALE, SVG_WIDTH,
    TornadoChart, ValueUnit, chart_error, png, render_failure,
};
use crate::error::{Error, Result};

/// The registered family name doubles as the SVG `font-family`, so browsers fall back to
/// the metric-compatible Arial when Liberation Sans is not installed.
const FAMILY: &str = "Liberation Sans, Arial, Helvetica, sans-serif";

static REGULAR: &[u8] = include_bytes!("../../../assets/fonts/LiberationSans-Regular.ttf");
static BOLD: &[u8] = include_bytes!("../../../assets/fonts/LiberationSans-Bold.ttf");

/// ab_glyph scales a font by its ascender-to-descender height, SVG by its em; for
/// Liberation Sans (hhea 1854 and -434 over 2048 units) the height is this many ems.
const HEIGHT_EM: f64 = 2288.0 / 2048.0;

fn ensure_fonts() -> Result<()> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        plotters::style::register_font(FAMILY, FontStyle::Normal, REGULAR).is_ok()
            && plotters::style::register_font(FAMILY, FontStyle::Bold, BOLD).is_ok()
    });
    if ok { Ok(()) } else { Err(render_failure("the embedded font could not be loaded")) }
}

// Okabe-Ito colours, plus greys chosen for contrast on white (text at least 7:1).
const INK: Rgb = Rgb(0x1f, 0x1f, 0x1f);
const MUTED: Rgb = Rgb(0x59, 0x59, 0x59);
const AXIS: Rgb = Rgb(0x8c, 0x8c, 0x8c);
const GRID: Rgb = Rgb(0xe3, 0xe3, 0xe3);
const BAND: Rgb = Rgb(0xf4, 0xf4, 0xf4);
const WHITE: Rgb = Rgb(0xff, 0xff, 0xff);
const BLUE: Rgb = Rgb(0x00, 0x72, 0xb2);
const SKY: Rgb = Rgb(0x56, 0xb4, 0xe9);
const VERMILION: Rgb = Rgb(0xd5, 0x5e, 0x00);
const STATISTIC: Rgb = Rgb(0x40, 0x40, 0x40);

// Type sizes (em, logical pixels). A report shows a chart at most SVG_WIDTH wide and, on a
// 390 px phone, about 370 px wide: the smallest text is then still about 9 CSS px.
const TITLE: f64 = 19.0;
const LABEL: f64 = 16.0;
const SMALL: f64 = 15.0;
const NOTE: f64 = 15.0;

const PAD: f64 = 16.0;

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Rgb(pub u8, pub u8, pub u8);

/// Horizontal alignment of a text at its x.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Align {
    Left,
    Centre,
    Right,
}

/// One mark, in logical pixels.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Shape {
    Rect { x0: f64, y0: f64, x1: f64, y1: f64, fill: Rgb },
    Circle { cx: f64, cy: f64, r: f64, fill: Rgb },
    Text { text: String, x: f64, baseline: f64, size: f64, bold: bool, color: Rgb, align: Align },
}

/// A laid-out chart.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Scene {
    pub width: f64,
    pub height: f64,
    pub shapes: Vec<Shape>,
}

impl Scene {
    fn new(width: f64) -> Scene {
        Scene { width, height: 0.0, shapes: Vec::new() }
    }

    fn rect(&mut self, x0: f64, y0: f64, x1: f64, y1: f64, fill: Rgb) {
        self.shapes.push(Shape::Rect {
            x0: x0.min(x1),
            y0: y0.min(y1),
            x1: x0.max(x1),
            y1: y0.max(y1),
            fill,
        });
    }

    fn hline(&mut self, x0: f64, x1: f64, y: f64, width: f64, color: Rgb) {
        self.rect(x0, y - width / 2.0, x1, y + width / 2.0, color);
    }

    fn vline(&mut self, x: f64, y0: f64, y1: f64, width: f64, color: Rgb) {
        self.rect(x - width / 2.0, y0, x + width / 2.0, y1, color);
    }

    fn dashed_vline(&mut self, x: f64, y0: f64, y1: f64, width: f64, color: Rgb) {
        let (dash, gap) = (6.0, 4.0);
        let mut y = y0;
        while y < y1 {
            self.vline(x, y, (y + dash).min(y1), width, color);
            y += dash + gap;
        }
    }

    fn circle(&mut self, cx: f64, cy: f64, r: f64, fill: Rgb) {
        self.shapes.push(Shape::Circle { cx, cy, r, fill });
    }

    fn text(&mut self, text: &str, x: f64, baseline: f64, style: Font, color: Rgb, align: Align) {
        self.shapes.push(Shape::Text {
            text: clean(text),
            x,
            baseline,
            size: style.size,
            bold: style.bold,
            color,
            align,
        });
    }

    /// A text centred vertically on `y` (caps are about 0.7 em tall).
    fn text_mid(&mut self, text: &str, x: f64, y: f64, style: Font, color: Rgb, align: Align) {
        self.text(text, x, y + style.size * 0.35, style, color, align);
    }

    /// A whisker with end caps, from `x0` to `x1` at `y`.
    fn whisker(&mut self, x0: f64, x1: f64, y: f64, cap: f64, color: Rgb) {
        self.hline(x0, x1, y, 1.5, color);
        self.vline(x0, y - cap, y + cap, 1.5, color);
        self.vline(x1, y - cap, y + cap, 1.5, color);
    }

    /// The title, wrapped; returns the y below it.
    fn title(&mut self, title: &str, y: f64) -> Result<f64> {
        let lines = wrap(title, self.width - 2.0 * PAD, Font::bold(TITLE), 3)?;
        let mut y = y;
        for line in &lines {
            y += TITLE * 1.3;
            self.text(line, PAD, y - TITLE * 0.3, Font::bold(TITLE), INK, Align::Left);
        }
        Ok(y + 6.0)
    }

    /// A legend row of (swatch, name) items from `x`, centred on `y`.
    fn legend(&mut self, items: &[(Swatch, &str)], x: f64, y: f64) -> Result<()> {
        let mut x = x;
        for (swatch, name) in items {
            match swatch {
                Swatch::Box(color) => self.rect(x, y - 6.0, x + 12.0, y + 6.0, *color),
                Swatch::Dot(color) => self.circle(x + 6.0, y, 6.0, *color),
                Swatch::Ring(color) => {
                    self.circle(x + 6.0, y, 6.0, *color);
                    self.circle(x + 6.0, y, 3.5, WHITE);
                }
            }
            self.text_mid(name, x + 18.0, y, Font::regular(SMALL), INK, Align::Left);
            x += 18.0 + text_width(name, Font::regular(SMALL))? + 22.0;
        }
        Ok(())
    }

    /// Footnotes from `y`; returns the y below them.
    fn notes(&mut self, notes: &[String], y: f64) -> Result<f64> {
        let mut y = y;
        for note in notes {
            for line in wrap(note, self.width - 2.0 * PAD, Font::regular(NOTE), 3)? {
                y += NOTE * 1.45;
                self.text(&line, PAD, y, Font::regular(NOTE), MUTED, Align::Left);
            }
        }
        Ok(y)
    }
}

#[derive(Debug, Clone, Copy)]
enum Swatch {
    Box(Rgb),
    Dot(Rgb),
    Ring(Rgb),
}

#[derive(Debug, Clone, Copy)]
struct Font {
    size: f64,
    bold: bool,
}

impl Font {
    fn regular(size: f64) -> Font {
        Font { size, bold: false }
    }
    fn bold(size: f64) -> Font {
        Font { size, bold: true }
    }
}

/// Control characters are not allowed in XML and mean nothing on a chart.
fn clean(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

/// The advance width of `text` in logical pixels.
fn text_width(text: &str, font: Font) -> Result<f64> {
    ensure_fonts()?;
    // Measured at 16x so that the integer widths plotters returns keep their precision.
    const OVERSAMPLE: f64 = 16.0;
    let style = if font.bold { FontStyle::Bold } else { FontStyle::Normal };
    let desc = FontDesc::new(FontFamily::Name(FAMILY), font.size * HEIGHT_EM * OVERSAMPLE, style);
    let (width, _) = desc.box_size(&clean(text)).map_err(chart_error)?;
    Ok(f64::from(width) / OVERSAMPLE)
}

/// `text` cut to `max` logical pixels with an ellipsis.
fn truncate(text: &str, max: f64, font: Font) -> Result<String> {
    let text = clean(text.trim());
    if text_width(&text, font)? <= max {
        return Ok(text);
    }
    let mut chars: Vec<char> = text.chars().collect();
    while !chars.is_empty() {
        chars.pop();
        let candidate: String = chars.iter().collect::<String>().trim_end().to_string() + "…";
        if text_width(&candidate, font)? <= max {
            return Ok(candidate);
        }
    }
    Ok("…".into())
}

/// `text` wrapped at spaces into at most `max_lines` lines of `max` logical pixels.
fn wrap(text: &str, max: f64, font: Font, max_lines: usize) -> Result<Vec<String>> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in clean(text).split_whitespace() {
        let candidate = if current.is_empty() { word.to_string() } else { format!("{current} {word}") };
        if current.is_empty() || text_width(&candidate, font)? <= max {
            current = candidate;
        } else {
            lines.push(std::mem::take(&mut current));
            current = word.to_string();
        }
    }
    if !current.is_empty() || lines.is_empty() {
        lines.push(current);
    }
    if lines.len() > max_lines {
        let rest = lines.split_off(max_lines - 1).join(" ");
        lines.push(rest);
    }
    lines.iter().map(|line| truncate(line, max, font)).collect()
}

/// A linear value axis with "nice" ticks (1, 2 or 5 times a power of ten).
#[derive(Debug, Clone)]
struct Axis {
    lo: f64,
    hi: f64,
    step: f64,
    x0: f64,
    x1: f64,
}

impl Axis {
    /// An axis covering `lo..hi`, drawn from `x0` to `x1`.
    fn new(lo: f64, hi: f64, x0: f64, x1: f64, target_ticks: f64) -> Axis {
        let (mut lo, mut hi) = (lo.min(hi), lo.max(hi));
        if hi - lo < 1e-12 {
            let half = if lo.abs() > 1e-12 { lo.abs() * 0.1 } else { 1.0 };
            lo -= half;
            hi += half;
        }
        let raw = (hi - lo) / target_ticks;
        let magnitude = 10f64.powf(raw.log10().floor());
        let step = magnitude
            * match raw / magnitude {
                r if r < 1.5 => 1.0,
                r if r < 3.0 => 2.0,
                r if r < 7.0 => 5.0,
                _ => 10.0,
            };
        // The tolerance keeps a bound that is already a multiple of the step from gaining a tick.
        Axis { lo: (lo / step + 1e-9).floor() * step, hi: (hi / step - 1e-9).ceil() * step, step, x0, x1 }
    }

    fn map(&self, value: f64) -> f64 {
        self.x0 + (value - self.lo) / (self.hi - self.lo) * (self.x1 - self.x0)
    }

    fn ticks(&self) -> Vec<f64> {
        let count = ((self.hi - self.lo) / self.step).round() as i64;
        (0..=count).map(|i| self.lo + i as f64 * self.step).collect()
    }

    /// Grid lines over `y0..y1`, tick labels below, and the axis title; returns the y
    /// below the title.
    fn draw_horizontal(&self, scene: &mut Scene, y0: f64, y1: f64, unit: ValueUnit, title: &str) -> f64 {
        for tick in self.ticks() {
            let x = self.map(tick);
            let is_zero = tick.abs() < self.step * 1e-9 && self.lo < 0.0;
            scene.vline(x, y0, y1, 1.0, if is_zero { AXIS } else { GRID });
            scene.vline(x, y1, y1 + 4.0, 1.0, AXIS);
            scene.text(
                &unit.tick(tick, self.step),
                x,
                y1 + 5.0 + SMALL,
                Font::regular(SMALL),
                MUTED,
                Align::Centre,
            );
        }
        scene.hline(self.x0, self.x1, y1, 1.0, AXIS);
        let title_y = y1 + 5.0 + SMALL + 8.0 + LABEL;
        if !title.trim().is_empty() {
            scene.text(title, (self.x0 + self.x1) / 2.0, title_y, Font::regular(LABEL), INK, Align::Centre);
        }
        title_y + 4.0
    }
}

/// The value axis title with its unit.
fn axis_title(label: &str, unit: ValueUnit) -> String {
    let suffix = match unit {
        ValueUnit::Percent => " (%)",
        ValueUnit::Points => " (points)",
        ValueUnit::Pounds => " (£)",
        ValueUnit::MmHg => " (mmHg)",
        _ => "",
    };
    format!("{}{}", label.trim(), suffix)
}

fn check_finite(what: &'static str, label: &str, value: f64) -> Result<()> {
    if value.is_finite() {
        Ok(())
    } else {
        Err(Error::InvalidParameter {
            name: what,
            value: format!("{value} ({label})"),
            reason: "must be a finite number",
        })
    }
}

fn check_value(what: &'static str, label: &str, value: f64, unit: ValueUnit) -> Result<()> {
    check_finite(what, label, value)?;
    if unit == ValueUnit::Percent && value.abs() > 10.0 {
        return Err(Error::InvalidParameter {
            name: what,
            value: format!("{value} ({label})"),
            reason: "percent values are proportions (0.452 for 45.2%); this looks like percentage points",
        });
    }
    Ok(())
}

fn check_interval(what: &'static str, label: &str, ci: Option<Interval>, unit: ValueUnit) -> Result<()> {
    if let Some(ci) = ci {
        check_value(what, label, ci.low, unit)?;
        check_value(what, label, ci.high, unit)?;
        if ci.low > ci.high {
            return Err(Error::InvalidParameter {
                name: what,
                value: format!("{} to {} ({label})", ci.low, ci.high),
                reason: "the lower bound must not exceed the upper bound",
            });
        }
    }
    Ok(())
}

/// More rows than this do not read as a chart; a table serves better.
pub(super) const MAX_ROWS: usize = 60;

fn check_rows(what: &'static str, rows: usize) -> Result<()> {
    if rows > MAX_ROWS {
        return Err(Error::InvalidParameter {
            name: what,
            value: rows.to_string(),
            reason: "a chart shows at most 60 rows; split it or show a table",
        });
    }
    Ok(())
}

/// A titled panel saying there is nothing to draw.
fn no_data(title: &str) -> Result<Scene> {
    let mut scene = Scene::new(f64::from(SVG_WIDTH));
    let y = scene.title(title, PAD)?;
    scene.rect(PAD, y, scene.width - PAD, y + 90.0, BAND);
    scene.text_mid(
        "No data to show",
        scene.width / 2.0,
        y + 45.0,
        Font::regular(LABEL),
        MUTED,
        Align::Centre,
    );
    scene.height = y + 90.0 + PAD;
    Ok(scene)
}

/// Vertical layout shared by the charts with one row per category.
struct Rows {
    /// Top of the plot.
    top: f64,
    row_height: f64,
    count: usize,
}

impl Rows {
    fn centre(&self, i: usize) -> f64 {
        self.top + (i as f64 + 0.5) * self.row_height
    }
    fn bottom(&self) -> f64 {
        self.top + self.count as f64 * self.row_height
    }
}

/// Width of the category label column, fitted to the labels within limits.
fn label_column(labels: &[&str]) -> Result<f64> {
    let mut widest: f64 = 40.0;
    for label in labels {
        widest = widest.max(text_width(label.trim(), Font::regular(LABEL))?);
    }
    Ok(widest.min(f64::from(SVG_WIDTH) * 0.36))
}

/// Line spacing of a row label that wraps.
const LABEL_LINE: f64 = LABEL * 1.15;

/// The height of a row: `base`, or enough for two lines when a label is wider than `max`.
fn row_height(labels: &[&str], max: f64, base: f64) -> Result<f64> {
    for label in labels {
        if text_width(label.trim(), Font::regular(LABEL))? > max {
            return Ok(base.max(2.0 * LABEL_LINE + 10.0));
        }
    }
    Ok(base)
}

/// Right-aligned row labels left of `x`, wrapped onto a second line and only then
/// truncated, so long names stay readable in a narrow chart.
fn row_labels(scene: &mut Scene, rows: &Rows, labels: &[&str], x: f64, max: f64) -> Result<()> {
    for (i, label) in labels.iter().enumerate() {
        let lines = wrap(label, max, Font::regular(LABEL), 2)?;
        let first = rows.centre(i) - LABEL_LINE * (lines.len() as f64 - 1.0) / 2.0;
        for (k, line) in lines.iter().enumerate() {
            let y = first + k as f64 * LABEL_LINE;
            scene.text_mid(line, x, y, Font::regular(LABEL), INK, Align::Right);
        }
    }
    Ok(())
}

/// A marker's label above the plot, kept inside the canvas.
fn marker_label(scene: &mut Scene, marker: &Marker, unit: ValueUnit, x: f64, baseline: f64) -> Result<()> {
    let text = format!("{}: {}", clean(marker.label.trim()), unit.format_short(marker.value));
    let font = Font::regular(SMALL);
    let half = text_width(&text, font)? / 2.0;
    let centre = x.clamp(PAD + half, scene.width - PAD - half);
    scene.text(&text, centre, baseline, font, INK, Align::Centre);
    Ok(())
}

fn draw_marker_line(scene: &mut Scene, marker: &Marker, x: f64, y0: f64, y1: f64) {
    match marker.kind {
        MarkerKind::Statistic => scene.dashed_vline(x, y0, y1, 1.5, STATISTIC),
        _ => scene.dashed_vline(x, y0, y1, 2.0, VERMILION),
    }
}

/// Pads `lo..hi` by `fraction` of its span each side (room for value labels).
fn padded(lo: f64, hi: f64, fraction: f64) -> (f64, f64) {
    let span = (hi - lo).abs().max(hi.abs().max(lo.abs()) * 0.1).max(1e-9);
    (lo - span * fraction, hi + span * fraction)
}

const CI_NOTE: &str = "Whiskers show 95% confidence intervals.";

/// Lays out a chart as a scene.
pub(super) trait Render {
    fn scene(&self) -> Result<Scene>;
}

impl Render for BarChart {
    fn scene(&self) -> Result<Scene> {
        let unit = self.unit;
        check_rows("bars", self.bars.len())?;
        for bar in &self.bars {
            if let Some(value) = bar.value {
                check_value("bar value", &bar.label, value, unit)?;
                check_interval("bar interval", &bar.label, bar.ci, unit)?;
            }
        }
        if let Some(line) = &self.reference_line {
            check_value("reference line", &line.label, line.value, unit)?;
        }
        if self.bars.is_empty() {
            return no_data(&self.title);
        }

        let mut scene = Scene::new(f64::from(SVG_WIDTH));
        let mut y = scene.title(&self.title, PAD)?;
        let labels: Vec<&str> = self.bars.iter().map(|bar| bar.label.as_str()).collect();
        let label_w = label_column(&labels)?;
        let plot_x0 = PAD + label_w + 12.0;
        let plot_x1 = scene.width - PAD - 56.0;
        if !self.category_label.trim().is_empty() {
            y += 4.0;
            scene.text(&self.category_label, plot_x0 - 12.0, y + SMALL, Font::bold(SMALL), INK, Align::Right);
            y += SMALL + 2.0;
        }
        if self.reference_line.is_some() {
            y += SMALL + 8.0;
        }
        let row_height = row_height(&labels, label_w, 34.0)?;
        let rows = Rows { top: y + 4.0, row_height, count: self.bars.len() };

        let mut lo: f64 = 0.0;
        let mut hi: f64 = 0.0;
        for bar in &self.bars {
            if let Some(value) = bar.value {
                lo = lo.min(value);
                hi = hi.max(value);
                if let Some(ci) = bar.ci {
                    lo = lo.min(ci.low);
                    hi = hi.max(ci.high);
                }
            }
        }
        if let Some(line) = &self.reference_line {
            lo = lo.min(line.value);
            hi = hi.max(line.value);
        }
        if unit == ValueUnit::Percent && lo >= 0.0 && hi > 0.6 && hi <= 1.0 {
            // Rates near the top read best against the whole 0-100% scale.
            hi = 1.0;
        }
        let axis = Axis::new(lo, hi, plot_x0, plot_x1, 5.0);
        let bottom = rows.bottom();

        for i in (0..rows.count).step_by(2) {
            let centre = rows.centre(i);
            scene.rect(
                plot_x0,
                centre - rows.row_height / 2.0,
                plot_x1,
                centre + rows.row_height / 2.0,
                BAND,
            );
        }
        let below =
            axis.draw_horizontal(&mut scene, rows.top, bottom, unit, &axis_title(&self.value_label, unit));
        row_labels(&mut scene, &rows, &labels, plot_x0 - 12.0, label_w)?;

        let zero = axis.map(0.0);
        let half = rows.row_height * 0.3;
        for (i, bar) in self.bars.iter().enumerate() {
            let centre = rows.centre(i);
            let Some(value) = bar.value else {
                // An empty slot: a dashed outline and the word, so the gap is not misread as zero.
                let x = zero + 4.0;
                scene.text_mid("suppressed", x, centre, Font::regular(SMALL), MUTED, Align::Left);
                continue;
            };
            let end = axis.map(value);
            scene.rect(zero, centre - half, end, centre + half, BLUE);
            let (mut left, mut right) = (end.min(zero), end.max(zero));
            if let Some(ci) = bar.ci {
                let (x0, x1) = (axis.map(ci.low), axis.map(ci.high));
                scene.whisker(x0, x1, centre, 5.0, INK);
                left = left.min(x0);
                right = right.max(x1);
            }
            let text = unit.format_short(value);
            if value < 0.0 {
                scene.text_mid(&text, left - 6.0, centre, Font::bold(SMALL), INK, Align::Right);
            } else {
                scene.text_mid(&text, right + 6.0, centre, Font::bold(SMALL), INK, Align::Left);
            }
        }

        if let Some(line) = &self.reference_line {
            let x = axis.map(line.value);
            draw_marker_line(&mut scene, line, x, rows.top - 4.0, bottom);
            marker_label(&mut scene, line, unit, x, rows.top - 10.0)?;
        }

        let mut notes = Vec::new();
        if self.bars.iter().any(|bar| bar.value.is_some() && bar.ci.is_some()) {
            notes.push(CI_NOTE.to_string());
        }
        if self.bars.iter().any(|bar| bar.value.is_none()) {
            notes.push(
                "Suppressed: the number is too small to publish without risk of identifying people.".into(),
            );
        }
        scene.height = scene.notes(&notes, below + 2.0)? + PAD;
        Ok(scene)
    }
}

impl Render for BeforeAfterChart {
    fn scene(&self) -> Result<Scene> {
        let unit = self.unit;
        check_rows("before/after rows", self.rows.len())?;
        for row in &self.rows {
            check_value("before value", &row.label, row.before, unit)?;
            check_value("after value", &row.label, row.after, unit)?;
            check_interval("before interval", &row.label, row.before_ci, unit)?;
            check_interval("after interval", &row.label, row.after_ci, unit)?;
        }
        if self.rows.is_empty() {
            return no_data(&self.title);
        }

        let mut scene = Scene::new(f64::from(SVG_WIDTH));
        let y = scene.title(&self.title, PAD)?;
        let labels: Vec<&str> = self.rows.iter().map(|row| row.label.as_str()).collect();
        let label_w = label_column(&labels)?;
        let plot_x0 = PAD + label_w + 12.0;
        let plot_x1 = scene.width - PAD - 8.0;
        scene.legend(
            &[
                (Swatch::Ring(VERMILION), self.before_name.as_str()),
                (Swatch::Dot(BLUE), self.after_name.as_str()),
            ],
            plot_x0,
            y + 8.0,
        )?;
        let row_height = row_height(&labels, label_w, 40.0)?;
        let rows = Rows { top: y + 24.0, row_height, count: self.rows.len() };

        let mut lo = f64::INFINITY;
        let mut hi = f64::NEG_INFINITY;
        for row in &self.rows {
            for value in [Some(row.before), Some(row.after)]
                .into_iter()
                .chain(
                    [row.before_ci, row.after_ci]
                        .into_iter()
                        .flatten()
                        .flat_map(|ci| [Some(ci.low), Some(ci.high)]),
                )
                .flatten()
            {
                lo = lo.min(value);
                hi = hi.max(value);
            }
        }
        let (lo, hi) = padded(lo, hi, 0.14);
        let axis = Axis::new(lo, hi, plot_x0, plot_x1, 6.0);
        for i in (0..rows.count).step_by(2) {
            let centre = rows.centre(i);
            scene.rect(
                plot_x0,
                centre - rows.row_height / 2.0,
                plot_x1,
                centre + rows.row_height / 2.0,
                BAND,
            );
        }
        let below = axis.draw_horizontal(
            &mut scene,
            rows.top,
            rows.bottom(),
            unit,
            &axis_title(&self.value_label, unit),
        );
        row_labels(&mut scene, &rows, &labels, plot_x0 - 12.0, label_w)?;

        let both_cis = self.rows.iter().any(|row| row.before_ci.is_some() && row.after_ci.is_some());
        for (i, row) in self.rows.iter().enumerate() {
            let centre = rows.centre(i);
            let (xb, xa) = (axis.map(row.before), axis.map(row.after));
            // Intervals sit just above (first) and below (last) the row so both stay visible.
            let offset = if both_cis { 9.0 } else { 0.0 };
            if let Some(ci) = row.before_ci {
                scene.whisker(axis.map(ci.low), axis.map(ci.high), centre - offset, 3.5, VERMILION);
            }
            if let Some(ci) = row.after_ci {
                scene.whisker(axis.map(ci.low), axis.map(ci.high), centre + offset, 3.5, BLUE);
            }
            scene.hline(xb.min(xa), xb.max(xa), centre, 2.5, AXIS);
            scene.circle(xb, centre, 6.5, VERMILION);
            scene.circle(xb, centre, 4.0, WHITE);
            scene.circle(xa, centre, 6.5, BLUE);

            // Each value label sits on the outer side of its dot, beyond its whisker.
            let gap = 10.0;
            let outer = |x: f64, ci: Option<Interval>, rightwards: bool| match ci {
                Some(ci) if rightwards => (x + gap).max(axis.map(ci.high) + 5.0),
                Some(ci) => (x - gap).min(axis.map(ci.low) - 5.0),
                None if rightwards => x + gap,
                None => x - gap,
            };
            let falls = row.after < row.before;
            let (before_align, after_align) =
                if falls { (Align::Left, Align::Right) } else { (Align::Right, Align::Left) };
            let before_x = outer(xb, row.before_ci, falls);
            let after_x = outer(xa, row.after_ci, !falls);
            let font = Font::regular(SMALL);
            let label_y = centre;
            scene.text_mid(
                &unit.format_short(row.before),
                before_x,
                label_y,
                font,
                VERMILION_TEXT,
                before_align,
            );
            scene.text_mid(
                &unit.format_short(row.after),
                after_x,
                label_y,
                Font::bold(SMALL),
                BLUE_TEXT,
                after_align,
            );
        }

        let mut notes = Vec::new();
        if self.rows.iter().any(|row| row.before_ci.is_some() || row.after_ci.is_some()) {
            notes.push(CI_NOTE.to_string());
        }
        scene.height = scene.notes(&notes, below + 2.0)? + PAD;
        Ok(scene)
    }
}

// Darker shades of the marker colours for text, which needs 4.5:1 on white.
const VERMILION_TEXT: Rgb = Rgb(0xa6, 0x49, 0x00);
const BLUE_TEXT: Rgb = Rgb(0x00, 0x5a, 0x8c);

impl Render for TornadoChart {
    fn scene(&self) -> Result<Scene> {
        let unit = self.unit;
        check_rows("tornado rows", self.rows.len())?;
        check_finite("tornado base", "base", self.base)?;
        for row in &self.rows {
            check_value("tornado low", &row.label, row.low, unit)?;
            check_value("tornado high", &row.label, row.high, unit)?;
        }
        if self.rows.is_empty() {
            return no_data(&self.title);
        }

        let mut scene = Scene::new(f64::from(SVG_WIDTH));
        let y = scene.title(&self.title, PAD)?;
        let sorted = self.sorted_rows();
        let labels: Vec<&str> = sorted.iter().map(|row| row.label.as_str()).collect();
        let label_w = label_column(&labels)?;
        let plot_x0 = PAD + label_w + 12.0;
        let plot_x1 = scene.width - PAD - 8.0;
        scene.legend(
            &[(Swatch::Box(VERMILION), self.low_name.as_str()), (Swatch::Box(BLUE), self.high_name.as_str())],
            plot_x0,
            y + 8.0,
        )?;
        let row_height = row_height(&labels, label_w, 34.0)?;
        let rows = Rows { top: y + 24.0 + SMALL + 8.0, row_height, count: sorted.len() };

        let mut lo = self.base;
        let mut hi = self.base;
        for row in &sorted {
            lo = lo.min(row.low).min(row.high);
            hi = hi.max(row.low).max(row.high);
        }
        let (lo, hi) = padded(lo, hi, 0.16);
        let axis = Axis::new(lo, hi, plot_x0, plot_x1, 6.0);
        let below = axis.draw_horizontal(
            &mut scene,
            rows.top,
            rows.bottom(),
            unit,
            &axis_title(&self.value_label, unit),
        );
        row_labels(&mut scene, &rows, &labels, plot_x0 - 12.0, label_w)?;

        let base_x = axis.map(self.base);
        let half = rows.row_height * 0.32;
        for (i, row) in sorted.iter().enumerate() {
            let centre = rows.centre(i);
            let (x_low, x_high) = (axis.map(row.low), axis.map(row.high));
            // The longer bar first, so a shorter one on the same side stays visible.
            let mut segments = [(x_low, VERMILION), (x_high, BLUE)];
            if (x_low - base_x).abs() < (x_high - base_x).abs() {
                segments.swap(0, 1);
            }
            for (x, color) in segments {
                scene.rect(base_x, centre - half, x, centre + half, color);
            }
            let font = Font::regular(SMALL);
            let same_side = (row.low - self.base) * (row.high - self.base) > 0.0;
            if same_side {
                let far = if (x_low - base_x).abs() > (x_high - base_x).abs() { x_low } else { x_high };
                let text = format!("{} / {}", unit.format_short(row.low), unit.format_short(row.high));
                if far < base_x {
                    scene.text_mid(&text, far - 6.0, centre, font, INK, Align::Right);
                } else {
                    scene.text_mid(&text, far + 6.0, centre, font, INK, Align::Left);
                }
            } else {
                for (x, value) in [(x_low, row.low), (x_high, row.high)] {
                    if x < base_x {
                        scene.text_mid(&unit.format_short(value), x - 6.0, centre, font, INK, Align::Right);
                    } else {
                        scene.text_mid(&unit.format_short(value), x + 6.0, centre, font, INK, Align::Left);
                    }
                }
            }
        }
        scene.vline(base_x, rows.top - 6.0, rows.bottom(), 2.0, INK);
        let base = Marker::statistic(self.base, "Base");
        marker_label(&mut scene, &base, unit, base_x, rows.top - 10.0)?;
        scene.height = below + PAD;
        Ok(scene)
    }
}

impl Render for DistributionChart {
    fn scene(&self) -> Result<Scene> {
        let unit = self.unit;
        for (i, value) in self.values.iter().enumerate() {
            check_value("distribution value", &format!("value {}", i + 1), *value, unit)?;
        }
        for marker in &self.markers {
            check_value("marker", &marker.label, marker.value, unit)?;
        }
        if self.values.is_empty() {
            return no_data(&self.title);
        }

        let mut scene = Scene::new(f64::from(SVG_WIDTH));
        let mut y = scene.title(&self.title, PAD)?;

        // Marker labels go in rows above the plot; a label moves down a row when it would
        // overlap the previous label in its row.
        let mut markers: Vec<&Marker> = self.markers.iter().collect();
        markers.sort_by(|a, b| a.value.total_cmp(&b.value));

        let min = self.values.iter().copied().fold(f64::INFINITY, f64::min);
        let max = self.values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let (mut lo, mut hi) = (min, max);
        for marker in &markers {
            lo = lo.min(marker.value);
            hi = hi.max(marker.value);
        }
        let plot_x0 = PAD + 48.0;
        let plot_x1 = scene.width - PAD - 8.0;
        // A little room either side so a marker at the extreme is not drawn on the frame.
        let (lo, hi) = padded(lo, hi, 0.03);
        let axis = Axis::new(lo, hi, plot_x0, plot_x1, 8.0);

        let mut row_ends: Vec<f64> = Vec::new();
        let mut placed: Vec<(usize, f64, String)> = Vec::new();
        for marker in &markers {
            let text = format!("{}: {}", clean(marker.label.trim()), unit.format_short(marker.value));
            let width = text_width(&text, Font::regular(SMALL))?;
            let centre = axis.map(marker.value).clamp(PAD + width / 2.0, scene.width - PAD - width / 2.0);
            let left = centre - width / 2.0;
            let row = row_ends.iter().position(|&end| end + 10.0 <= left).unwrap_or(row_ends.len());
            if row == row_ends.len() {
                row_ends.push(f64::NEG_INFINITY);
            }
            row_ends[row] = centre + width / 2.0;
            placed.push((row, centre, text));
        }
        let label_rows = row_ends.len() as f64;
        y += 4.0;
        scene.text(&self.count_label, PAD, y + SMALL, Font::bold(SMALL), INK, Align::Left);
        y += SMALL + 10.0;
        let plot_top = y + label_rows * (SMALL + 6.0) + 6.0;
        let plot_bottom = plot_top + 240.0;

        // Square-root rule, capped so bins stay wide enough to read.
        let n = self.values.len();
        let bins = ((n as f64).sqrt().ceil() as usize).clamp(1, 40);
        let width = if max > min { (max - min) / bins as f64 } else { 0.0 };
        let mut counts = vec![0usize; bins];
        for value in &self.values {
            let bin = if width > 0.0 { (((value - min) / width) as usize).min(bins - 1) } else { 0 };
            counts[bin] += 1;
        }
        let most = counts.iter().copied().max().unwrap_or(1) as f64;
        let count_axis = Axis::new(0.0, most, plot_bottom, plot_top, 4.0);
        let count_step = count_axis.step.max(1.0);
        for tick in count_axis.ticks() {
            if tick.fract() != 0.0 && count_step >= 1.0 {
                continue;
            }
            let yy = count_axis.map(tick);
            scene.hline(plot_x0, plot_x1, yy, 1.0, GRID);
            scene.text_mid(
                &ValueUnit::Count.tick(tick, count_step),
                plot_x0 - 8.0,
                yy,
                Font::regular(SMALL),
                MUTED,
                Align::Right,
            );
        }
        let below = axis.draw_horizontal(
            &mut scene,
            plot_top,
            plot_bottom,
            unit,
            &axis_title(&self.value_label, unit),
        );
        for (bin, count) in counts.iter().enumerate() {
            if *count == 0 {
                continue;
            }
            let (x0, x1) = if width > 0.0 {
                (axis.map(min + bin as f64 * width), axis.map(min + (bin + 1) as f64 * width))
            } else {
                let centre = axis.map(min);
                (centre - 6.0, centre + 6.0)
            };
            let top = count_axis.map(*count as f64);
            scene.rect(x0, top, x1, plot_bottom, BLUE);
            // A hairline of the lighter blue inside each bar keeps neighbouring bins apart.
            if x1 - x0 > 3.0 {
                scene.rect(x0 + 1.0, top + 1.0, x1 - 1.0, plot_bottom, SKY);
            }
        }
        for (marker, (row, centre, text)) in markers.iter().zip(&placed) {
            let x = axis.map(marker.value);
            let label_baseline = y + (*row as f64 + 1.0) * (SMALL + 6.0) - 4.0;
            draw_marker_line(&mut scene, marker, x, label_baseline + 4.0, plot_bottom);
            scene.text(text, *centre, label_baseline, Font::regular(SMALL), INK, Align::Centre);
        }
        let note = format!("{} values in {} bins of equal width.", ValueUnit::Count.format(n as f64), bins);
        scene.height = scene.notes(&[note], below + 2.0)? + PAD;
        Ok(scene)
    }
}

/// How a backend positions text, so that a text lands on its baseline in both.
#[derive(Clone, Copy)]
struct TextMetrics {
    /// Font size passed to plotters per em.
    size_per_em: f64,
    /// Distance from the requested y to the baseline, in ems, for a top-anchored text.
    baseline_em: f64,
}

/// plotters' SVG writes `font-size = size / 1.24` and `dy = 0.76em` for top-anchored text.
const SVG_TEXT: TextMetrics = TextMetrics { size_per_em: 1.24, baseline_em: 0.76 };
/// plotters' bitmap text puts the baseline half the font size below a top anchor.
const BITMAP_TEXT: TextMetrics = TextMetrics { size_per_em: HEIGHT_EM, baseline_em: HEIGHT_EM / 2.0 };

fn paint<DB: DrawingBackend>(
    scene: &Scene,
    area: &DrawingArea<DB, Shift>,
    scale: f64,
    metrics: TextMetrics,
) -> Result<()>
where
    // The backend's error becomes the source of `Error::Render`.
    DB::ErrorType: 'static,
{
    let px = |v: f64| (v * scale).round() as i32;
    let color = |c: Rgb| RGBColor(c.0, c.1, c.2);
    area.fill(&plotters::style::WHITE).map_err(chart_error)?;
    for shape in &scene.shapes {
        match shape {
            Shape::Rect { x0, y0, x1, y1, fill } => {
                let (mut a, mut b) = ((px(*x0), px(*y0)), (px(*x1), px(*y1)));
                // Keep hairlines visible after rounding.
                if b.0 == a.0 {
                    b.0 += 1;
                }
                if b.1 == a.1 {
                    b.1 += 1;
                }
                if a.0 > b.0 {
                    std::mem::swap(&mut a.0, &mut b.0);
                }
                area.draw(&Rectangle::new([a, b], color(*fill).filled())).map_err(chart_error)?;
            }
            Shape::Circle { cx, cy, r, fill } => {
                let radius = (r * scale).round().max(1.0) as u32;
                area.draw(&Circle::new((px(*cx), px(*cy)), radius, color(*fill).filled()))
                    .map_err(chart_error)?;
            }
            Shape::Text { text, x, baseline, size, bold, color: c, align } => {
                let style = if *bold { FontStyle::Bold } else { FontStyle::Normal };
                let h = match align {
                    Align::Left => HPos::Left,
                    Align::Centre => HPos::Center,
                    Align::Right => HPos::Right,
                };
                let font = FontDesc::new(FontFamily::Name(FAMILY), size * metrics.size_per_em * scale, style);
                let fill = color(*c);
                let text_style = TextStyle::from(font).color(&fill).pos(Pos::new(h, VPos::Top));
                let top = baseline - size * metrics.baseline_em;
                area.draw_text(text, &text_style, (px(*x), px(top))).map_err(chart_error)?;
            }
        }
    }
    area.present().map_err(chart_error)
}

fn size_of(scene: &Scene, scale: u32) -> (u32, u32) {
    ((scene.width.round() as u32).max(1) * scale, (scene.height.ceil() as u32).max(1) * scale)
}

/// The scene as an SVG document with a `<title>` and a `<desc>` for assistive technology
/// (no `id`s, so several charts can sit inline in one HTML page).
pub(super) fn to_svg(scene: &Scene, title: &str, description: &str) -> Result<String> {
    ensure_fonts()?;
    let mut svg = String::new();
    {
        let area = SVGBackend::with_string(&mut svg, size_of(scene, 1)).into_drawing_area();
        paint(scene, &area, 1.0, SVG_TEXT)?;
    }
    let Some(open_end) = svg.find('>') else {
        return Err(render_failure("the SVG backend wrote no root element"));
    };
    let accessible = format!(
        " role=\"img\">\n<title>{}</title>\n<desc>{}</desc>",
        escape_xml(&clean(title)),
        escape_xml(&clean(description))
    );
    svg.replace_range(open_end..=open_end, &accessible);
    Ok(svg)
}

/// The scene as PNG bytes at [`PNG_SCALE`].
pub(super) fn to_png(scene: &Scene) -> Result<Vec<u8>> {
    ensure_fonts()?;
    let (width, height) = size_of(scene, PNG_SCALE);
    let mut rgb = vec![255u8; width as usize * height as usize * 3];
    {
        let area = BitMapBackend::with_buffer(&mut rgb, (width, height)).into_drawing_area();
        paint(scene, &area, f64::from(PNG_SCALE), BITMAP_TEXT)?;
    }
    png::encode_rgb(width, height, &rgb)
}

fn escape_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            other => out.push(other),
        }
    }
    out
}
