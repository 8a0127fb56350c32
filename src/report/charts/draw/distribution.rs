//! The distribution chart's layout: a histogram of draws with its percentiles.

use super::*;

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
