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

static REGULAR: &[u8] = include_bytes!("../../../../assets/fonts/LiberationSans-Regular.ttf");
static BOLD: &[u8] = include_bytes!("../../../../assets/fonts/LiberationSans-Bold.ttf");

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
    /// A band behind every other row, from `x0` to `x1`, so that long rows can be followed.
    fn bands(&self, scene: &mut Scene, x0: f64, x1: f64) {
        for i in (0..self.count).step_by(2) {
            let centre = self.centre(i);
            scene.rect(x0, centre - self.row_height / 2.0, x1, centre + self.row_height / 2.0, BAND);
        }
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

// Darker shades of the marker colours for text, which needs 4.5:1 on white.
const VERMILION_TEXT: Rgb = Rgb(0xa6, 0x49, 0x00);
const BLUE_TEXT: Rgb = Rgb(0x00, 0x5a, 0x8c);

mod bar;
mod before_after;
mod distribution;
mod paint;
mod tornado;

pub(super) use paint::{to_png, to_svg};
