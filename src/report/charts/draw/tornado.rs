//! The tornado chart's layout: each assumption's low and high swing around the base.

use super::*;

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
