//! Painting a scene on a backend: SVG text with its accessible title, or PNG bytes.

use super::*;

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
pub(crate) fn to_svg(scene: &Scene, title: &str, description: &str) -> Result<String> {
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
        crate::report::html::escape(&clean(title)),
        crate::report::html::escape(&clean(description))
    );
    svg.replace_range(open_end..=open_end, &accessible);
    Ok(svg)
}

/// The scene as PNG bytes at [`PNG_SCALE`].
pub(crate) fn to_png(scene: &Scene) -> Result<Vec<u8>> {
    ensure_fonts()?;
    let (width, height) = size_of(scene, PNG_SCALE);
    let mut rgb = vec![255u8; width as usize * height as usize * 3];
    {
        let area = BitMapBackend::with_buffer(&mut rgb, (width, height)).into_drawing_area();
        paint(scene, &area, f64::from(PNG_SCALE), BITMAP_TEXT)?;
    }
    png::encode_rgb(width, height, &rgb)
}
