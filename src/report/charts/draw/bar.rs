//! The bar chart's layout: one bar per row, with its interval and marker lines.

use super::*;

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

        rows.bands(&mut scene, plot_x0, plot_x1);
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
