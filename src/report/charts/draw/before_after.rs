//! The before-and-after chart's layout: two values per row joined by a line.

use super::*;

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
        rows.bands(&mut scene, plot_x0, plot_x1);
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
