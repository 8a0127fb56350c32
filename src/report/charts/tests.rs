use super::draw::{Render, Scene, Shape};
use super::*;

fn recovery() -> BarChart {
    let mut chart = BarChart::new("Reliable recovery by pilot", "Reliable recovery rate", ValueUnit::Percent);
    chart.category_label = "Pilot".into();
    chart.bars = vec![
        Bar::new("Talking therapies in faith settings", 0.523).with_ci(0.441, 0.604),
        Bar::new("Mosque wellbeing circle", 0.468).with_ci(0.352, 0.588),
        Bar::suppressed("Temple carers' group"),
        Bar::new("Community blood pressure checks", 0.61).with_ci(0.5, 0.71),
    ];
    chart.reference_line = Some(Marker::reference(0.5, "National standard"));
    chart
}

fn scores() -> BeforeAfterChart {
    let mut chart =
        BeforeAfterChart::new("Scores at first and last assessment", "Mean score", ValueUnit::Points);
    chart.rows = vec![
        BeforeAfter {
            label: "PHQ-9 (depression)".into(),
            before: 15.2,
            after: 8.1,
            before_ci: Some(Interval { low: 14.1, high: 16.3 }),
            after_ci: Some(Interval { low: 7.0, high: 9.2 }),
        },
        BeforeAfter {
            label: "GAD-7 (anxiety)".into(),
            before: 13.4,
            after: 7.2,
            before_ci: Some(Interval { low: 12.5, high: 14.3 }),
            after_ci: Some(Interval { low: 6.3, high: 8.1 }),
        },
        BeforeAfter::new("SWEMWBS (wellbeing)", 19.1, 22.6),
    ];
    chart
}

fn monte_carlo() -> DistributionChart {
    // A deterministic, roughly bell-shaped sample: sums of a simple generator's draws.
    let mut state = 42u64;
    let mut draw = || {
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let values: Vec<f64> = (0..2000).map(|_| 1.2 + (0..4).map(|_| draw()).sum::<f64>() * 0.9).collect();
    let mut chart = DistributionChart::new("Monte Carlo SROI ratio", "SROI ratio", ValueUnit::Ratio);
    chart.count_label = "Number of draws".into();
    chart.values = values;
    chart.markers = vec![
        Marker::reference(1.0, "Break-even"),
        Marker::statistic(2.35, "p5"),
        Marker::statistic(3.0, "p50"),
        Marker::statistic(3.62, "p95"),
    ];
    chart
}

fn tornado() -> TornadoChart {
    let mut chart = TornadoChart::new("What moves the SROI ratio", "SROI ratio", ValueUnit::Ratio, 3.2);
    chart.rows = vec![
        TornadoRow { label: "Drop-off 0% to 30%".into(), low: 3.6, high: 2.7 },
        TornadoRow { label: "Deadweight 10% to 40%".into(), low: 3.9, high: 2.4 },
        TornadoRow { label: "Discount rate 1.5% to 5%".into(), low: 3.35, high: 3.05 },
        TornadoRow { label: "Financial proxy ±25%".into(), low: 2.4, high: 4.0 },
    ];
    chart
}

fn all_charts() -> Vec<Box<dyn Chart>> {
    vec![Box::new(recovery()), Box::new(scores()), Box::new(monte_carlo()), Box::new(tornado())]
}

/// Checks that every element is closed in order; returns the element names seen.
fn balanced(svg: &str) -> Vec<String> {
    let mut stack: Vec<String> = Vec::new();
    let mut seen = Vec::new();
    let mut rest = svg;
    while let Some(start) = rest.find('<') {
        let end = rest[start..].find('>').map(|e| start + e).unwrap();
        let tag = &rest[start + 1..end];
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(stack.pop().as_deref(), Some(name.trim()), "unbalanced at </{name}>");
        } else {
            let name: String = tag.chars().take_while(|c| !c.is_whitespace() && *c != '/').collect();
            seen.push(name.clone());
            if !tag.ends_with('/') {
                stack.push(name);
            }
        }
        rest = &rest[end + 1..];
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
    seen
}

fn svg_size(svg: &str) -> (u32, u32) {
    let attr = |name: &str| -> u32 {
        let key = format!(" {name}=\"");
        let at = svg.find(&key).unwrap() + key.len();
        svg[at..].split('"').next().unwrap().parse().unwrap()
    };
    (attr("width"), attr("height"))
}

fn texts(scene: &Scene) -> Vec<&str> {
    scene
        .shapes
        .iter()
        .filter_map(|shape| match shape {
            Shape::Text { text, .. } => Some(text.as_str()),
            _ => None,
        })
        .collect()
}

#[test]
fn every_chart_renders_svg_with_its_title_labels_and_alt_text() {
    let charts = all_charts();
    let expected: [&[&str]; 4] = [
        &[
            "Talking therapies in faith settings",
            "52.3%",
            "suppressed",
            "National standard: 50.0%",
            "Reliable recovery rate (%)",
            "Pilot",
        ],
        &["PHQ-9 (depression)", "15.2", "8.1", "First assessment", "Last assessment", "Mean score (points)"],
        &["Break-even: 1.00", "p50: 3.00", "Number of draws", "SROI ratio"],
        &["Financial proxy ±25%", "Base: 3.20", "Low assumption", "High assumption"],
    ];
    for (chart, labels) in charts.iter().zip(expected) {
        let svg = chart.to_svg().unwrap();
        assert!(svg.starts_with("<svg"), "{}", &svg[..40]);
        assert!(svg.contains(&format!("viewBox=\"0 0 {SVG_WIDTH} ")));
        assert!(svg.contains(&format!("<title>{}</title>", chart.title())));
        let elements = balanced(&svg);
        assert_eq!(elements[0], "svg");
        assert!(
            elements.iter().all(|e| ["svg", "title", "desc", "rect", "circle", "text"].contains(&e.as_str())),
            "{elements:?}"
        );
        for label in labels {
            let escaped = label.replace('\'', "&apos;");
            assert!(svg.contains(&escaped), "{} lacks {label}", chart.title());
        }
        assert!(!svg.contains("href") && !svg.contains("<script") && !svg.contains("url("));
        assert!(svg.contains("font-family=\"Liberation Sans, Arial, Helvetica, sans-serif\""));
        let (width, height) = svg_size(&svg);
        assert_eq!(width, SVG_WIDTH);
        assert!((200..=800).contains(&height), "{height}");
    }
}

#[test]
fn every_chart_renders_png_at_twice_the_svg_size_with_text_drawn() {
    for chart in all_charts() {
        let svg = chart.to_svg().unwrap();
        let png_bytes = chart.to_png().unwrap();
        assert_eq!(&png_bytes[..8], b"\x89PNG\r\n\x1a\n");
        let (width, height, rgb) = png::tests::decode(&png_bytes);
        let (svg_width, svg_height) = svg_size(&svg);
        assert_eq!((width, height), (svg_width * PNG_SCALE, svg_height * PNG_SCALE));
        // The title's first line is ink-coloured text from the embedded font: near-black
        // pixels must appear in the band where it is drawn.
        let stride = width as usize * 3;
        let dark = (32..70usize)
            .flat_map(|y| (0..width as usize).map(move |x| (x, y)))
            .filter(|&(x, y)| rgb[y * stride + x * 3] < 80 && rgb[y * stride + x * 3 + 2] < 80)
            .count();
        assert!(dark > 500, "{}: only {dark} dark pixels in the title band", chart.title());
        assert!(png_bytes.len() < 400_000, "{} bytes", png_bytes.len());
    }
}

#[test]
fn suppressed_bars_keep_their_slot_without_a_bar_or_interval() {
    let chart = recovery();
    let scene = chart.scene().unwrap();
    let blue_bars = scene
        .shapes
        .iter()
        .filter(|shape| matches!(shape, Shape::Rect { fill, .. } if *fill == draw::Rgb(0x00, 0x72, 0xb2)))
        .count();
    assert_eq!(blue_bars, 3, "one bar per unsuppressed value");
    let svg = chart.to_svg().unwrap();
    assert_eq!(svg.matches("fill=\"#0072B2\"").count(), 3, "the SVG has the same marks");
    let marks = texts(&scene);
    assert!(marks.contains(&"suppressed"));
    assert!(marks.contains(&"Temple carers' group"));
    assert!(marks.iter().any(|t| t.starts_with("Suppressed: the number is too small")));
    assert!(chart.alt_text().contains("Temple carers' group suppressed"));

    // A suppressed bar's interval must not leak the value.
    let mut leaky = BarChart::new("t", "v", ValueUnit::Percent);
    leaky.bars.push(Bar { label: "g".into(), value: None, ci: Some(Interval { low: 0.1, high: 0.2 }) });
    let texts_without_ci = texts(&leaky.scene().unwrap()).join("|");
    assert!(!texts_without_ci.contains("95%"), "{texts_without_ci}");
    assert!(!leaky.alt_text().contains("10.0%"));
}

#[test]
fn text_from_data_is_escaped() {
    let nasty = "<script>alert(1)</script>&\"'";
    let mut bars = BarChart::new(nasty, nasty, ValueUnit::Count);
    bars.category_label = nasty.into();
    bars.bars.push(Bar::new(nasty, 3.0));
    bars.reference_line = Some(Marker::reference(2.0, nasty));
    let mut dumbbell = BeforeAfterChart::new(nasty, nasty, ValueUnit::Points);
    dumbbell.before_name = nasty.into();
    dumbbell.rows.push(BeforeAfter::new(nasty, 1.0, 2.0));
    let mut histogram = DistributionChart::new(nasty, nasty, ValueUnit::Ratio);
    histogram.values = vec![1.0, 2.0];
    histogram.markers.push(Marker::statistic(1.5, nasty));
    let mut sensitivity = TornadoChart::new(nasty, nasty, ValueUnit::Ratio, 1.0);
    sensitivity.rows.push(TornadoRow { label: nasty.into(), low: 0.5, high: 1.5 });
    let charts: Vec<Box<dyn Chart>> =
        vec![Box::new(bars), Box::new(dumbbell), Box::new(histogram), Box::new(sensitivity)];
    for chart in charts {
        let svg = chart.to_svg().unwrap();
        assert!(!svg.contains("<script"), "{svg}");
        assert!(svg.contains("&lt;script&gt;"));
        assert!(svg.contains("&amp;&quot;&apos;"));
        balanced(&svg);
    }
    // Control characters are not allowed in XML at all.
    let chart = BarChart {
        bars: vec![Bar::new("a\u{0}b\nc", 1.0)],
        ..BarChart::new("x\u{7}", "v", ValueUnit::Count)
    };
    let svg = chart.to_svg().unwrap();
    assert!(!svg.chars().any(|c| c.is_control() && c != '\n'));
    assert!(svg.contains("a b c"));
}

#[test]
fn rendering_is_deterministic() {
    for chart in all_charts() {
        assert_eq!(chart.to_svg().unwrap(), chart.to_svg().unwrap());
        assert_eq!(chart.to_png().unwrap(), chart.to_png().unwrap());
    }
}

#[test]
fn empty_charts_render_a_no_data_panel() {
    let charts: Vec<Box<dyn Chart>> = vec![
        Box::new(BarChart::new("Reach by group", "Reach", ValueUnit::Percent)),
        Box::new(BeforeAfterChart::new("Scores", "Mean", ValueUnit::Points)),
        Box::new(DistributionChart::new("Draws", "Ratio", ValueUnit::Ratio)),
        Box::new(TornadoChart::new("Sensitivity", "Ratio", ValueUnit::Ratio, 2.0)),
    ];
    for chart in charts {
        let svg = chart.to_svg().unwrap();
        assert!(svg.contains("No data to show"));
        assert!(svg.contains(chart.title()));
        assert!(chart.alt_text().ends_with("No data to show."), "{}", chart.alt_text());
        assert_eq!(&chart.to_png().unwrap()[..4], b"\x89PNG");
    }
}

#[test]
fn invalid_numbers_are_errors_that_name_the_value() {
    let mut chart = recovery();
    chart.bars[0].value = Some(f64::NAN);
    let err = chart.to_svg().unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid bar value = NaN (Talking therapies in faith settings): must be a finite number"
    );

    let mut chart = recovery();
    chart.bars[1].ci = Some(Interval { low: 0.6, high: 0.3 });
    let err = chart.to_png().unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid bar interval = 0.6 to 0.3 (Mosque wellbeing circle): the lower bound must not exceed the upper bound"
    );

    let mut chart = recovery();
    chart.bars[0].value = Some(52.3);
    let err = chart.to_svg().unwrap_err();
    assert!(err.to_string().contains("percent values are proportions"), "{err}");

    let mut chart = tornado();
    chart.base = f64::INFINITY;
    assert!(matches!(chart.to_svg(), Err(Error::InvalidParameter { name: "tornado base", .. })));

    let mut chart = monte_carlo();
    chart.values.push(f64::NEG_INFINITY);
    assert!(matches!(chart.to_svg(), Err(Error::InvalidParameter { name: "distribution value", .. })));

    let mut chart = BarChart::new("Too many", "Rate", ValueUnit::Percent);
    chart.bars = (0..=draw::MAX_ROWS).map(|i| Bar::new(format!("group {i}"), 0.5)).collect();
    assert_eq!(
        chart.to_svg().unwrap_err().to_string(),
        "invalid bars = 61: a chart shows at most 60 rows; split it or show a table"
    );

    let err = render_failure("backend refused");
    assert_eq!(err.to_string(), "chart: backend refused");
    // A library's error is kept as the source.
    let err = chart_error(std::io::Error::other("disk gone"));
    assert!(matches!(err, Error::Render { .. }));
    assert_eq!(std::error::Error::source(&err).map(ToString::to_string).as_deref(), Some("disk gone"));
}

#[test]
fn values_are_formatted_per_unit() {
    assert_eq!(ValueUnit::Percent.format(0.4521), "45.2%");
    assert_eq!(ValueUnit::Percent.format(1.0), "100.0%");
    assert_eq!(ValueUnit::Points.format(3.44), "3.4 points");
    assert_eq!(ValueUnit::Points.format_short(-0.04), "0.0");
    assert_eq!(ValueUnit::MmHg.format(-12.34), "-12.3 mmHg");
    assert_eq!(ValueUnit::Count.format(1_234_567.0), "1,234,567");
    assert_eq!(ValueUnit::Count.format(2.5), "2.5");
    assert_eq!(ValueUnit::Pounds.format(1_240_000.0), "£1.2m");
    assert_eq!(ValueUnit::Pounds.format(-2_500_000_000.0), "-£2.5bn");
    assert_eq!(ValueUnit::Pounds.format(999.6), "£1,000");
    assert_eq!(ValueUnit::Pounds.format(12.5), "£12.50");
    assert_eq!(ValueUnit::Pounds.format(850.0), "£850");
    assert_eq!(ValueUnit::Ratio.format(3.2), "3.20");

    assert_eq!(ValueUnit::Percent.tick(0.2, 0.2), "20%");
    assert_eq!(ValueUnit::Percent.tick(0.025, 0.005), "2.5%");
    assert_eq!(ValueUnit::Pounds.tick(200_000.0, 100_000.0), "£200k");
    assert_eq!(ValueUnit::Pounds.tick(1_200_000.0, 200_000.0), "£1.2m");
    assert_eq!(ValueUnit::Pounds.tick(0.0, 200_000.0), "£0");
    assert_eq!(ValueUnit::Percent.tick(1e-18, 0.2), "0%");
    assert_eq!(ValueUnit::Pounds.tick(-20_000.0, 10_000.0), "-£20k");
    assert_eq!(ValueUnit::Pounds.tick(500.0, 100.0), "£500");
    assert_eq!(ValueUnit::Ratio.tick(1.5, 0.5), "1.5");
    assert_eq!(ValueUnit::Points.tick(-1e-17, 2.0), "0");
}

#[test]
fn alt_text_states_the_numbers() {
    assert_eq!(
        recovery().alt_text(),
        "Reliable recovery by pilot. Bar chart of Reliable recovery rate by pilot: \
         Talking therapies in faith settings 52.3% (95% CI 44.1% to 60.4%); \
         Mosque wellbeing circle 46.8% (95% CI 35.2% to 58.8%); Temple carers' group suppressed; \
         Community blood pressure checks 61.0% (95% CI 50.0% to 71.0%). \
         Reference line: National standard at 50.0%. \
         Suppressed values are withheld because the numbers are too small to publish."
    );
    assert_eq!(
        scores().alt_text(),
        "Scores at first and last assessment. Mean score (first assessment then last assessment): \
         PHQ-9 (depression) from 15.2 points to 8.1 points (change -7.1 points); \
         GAD-7 (anxiety) from 13.4 points to 7.2 points (change -6.2 points); \
         SWEMWBS (wellbeing) from 19.1 points to 22.6 points (change 3.5 points)."
    );
    let histogram = monte_carlo().alt_text();
    assert!(histogram.starts_with("Monte Carlo SROI ratio. Histogram of 2,000 values of SROI ratio, from "));
    assert!(histogram.contains("Break-even at 1.00 (0.0% of values below)"), "{histogram}");
    assert_eq!(
        tornado().alt_text(),
        "What moves the SROI ratio. One-way sensitivity of SROI ratio around a base of 3.20, widest swing first: \
         Financial proxy ±25%: 2.40 (low) to 4.00 (high); Deadweight 10% to 40%: 3.90 (low) to 2.40 (high); \
         Drop-off 0% to 30%: 3.60 (low) to 2.70 (high); Discount rate 1.5% to 5%: 3.35 (low) to 3.05 (high)."
    );
}

#[test]
fn tornado_rows_are_drawn_widest_swing_first() {
    let chart = tornado();
    let order: Vec<&str> = chart.sorted_rows().iter().map(|row| row.label.as_str()).collect();
    assert_eq!(
        order,
        ["Financial proxy ±25%", "Deadweight 10% to 40%", "Drop-off 0% to 30%", "Discount rate 1.5% to 5%"]
    );
    let scene = chart.scene().unwrap();
    let labels: Vec<&str> = texts(&scene).into_iter().filter(|t| order.contains(t)).collect();
    assert_eq!(labels, order);
}

#[test]
fn long_labels_are_truncated_and_long_titles_wrapped() {
    let mut chart = BarChart::new(
        "A very long title that will not fit on one line of a chart that is only seven hundred and twenty pixels wide",
        "Rate",
        ValueUnit::Percent,
    );
    chart.bars.push(Bar::new("x".repeat(200), 0.5));
    let scene = chart.scene().unwrap();
    let marks = texts(&scene);
    assert!(marks.iter().any(|t| t.ends_with('…') && t.starts_with("xxx")));
    assert!(marks.iter().filter(|t| t.starts_with("A very") || t.ends_with("wide")).count() == 2);
    for shape in &scene.shapes {
        if let Shape::Rect { x0, x1, .. } = shape {
            assert!(*x0 >= 0.0 && *x1 <= scene.width, "{shape:?}");
        }
    }
}

#[test]
fn negative_bars_grow_left_of_zero() {
    let mut chart = BarChart::new("Mean change", "Change", ValueUnit::Points);
    chart.bars = vec![Bar::new("PHQ-9", -6.2).with_ci(-7.0, -5.4), Bar::new("SWEMWBS", 2.1)];
    let scene = chart.scene().unwrap();
    let marks = texts(&scene);
    assert!(marks.contains(&"-6.2") && marks.contains(&"2.1") && marks.contains(&"0"));
}

#[test]
fn single_value_distributions_and_equal_values_render() {
    let mut chart = DistributionChart::new("One draw", "Ratio", ValueUnit::Ratio);
    chart.values = vec![2.0];
    assert!(chart.to_svg().unwrap().contains("1 values in 1 bins"));
    chart.values = vec![0.0; 10];
    assert!(chart.to_svg().is_ok());
}

/// Writes every chart as PNG and SVG for a person to look at:
/// `cargo test preview -- --ignored`, then open `$TMPDIR/charts-preview/`.
#[test]
#[ignore = "writes preview files to look at"]
fn preview() {
    let dir = std::env::temp_dir().join("charts-preview");
    std::fs::create_dir_all(&dir).unwrap();
    let mut change =
        BarChart::new("Mean change in score, first to last assessment", "Mean change", ValueUnit::Points);
    change.bars = vec![
        Bar::new("PHQ-9", -6.2).with_ci(-7.1, -5.3),
        Bar::new("GAD-7", -5.4).with_ci(-6.2, -4.6),
        Bar::new("SWEMWBS", 3.5).with_ci(2.6, 4.4),
    ];
    let mut value = BarChart::new("Present value by stakeholder", "Present value", ValueUnit::Pounds);
    value.bars = vec![
        Bar::new("Participants", 1_240_000.0),
        Bar::new("NHS", 310_000.0),
        Bar::new("Families and carers", 95_000.0),
    ];
    let charts: Vec<(&str, Box<dyn Chart>)> = vec![
        ("bar", Box::new(recovery())),
        ("bar-change", Box::new(change)),
        ("bar-pounds", Box::new(value)),
        ("before-after", Box::new(scores())),
        ("distribution", Box::new(monte_carlo())),
        ("tornado", Box::new(tornado())),
        ("empty", Box::new(BarChart::new("Reach by ethnic group", "Reach", ValueUnit::Percent))),
    ];
    for (name, chart) in charts {
        std::fs::write(dir.join(format!("{name}.png")), chart.to_png().unwrap()).unwrap();
        std::fs::write(dir.join(format!("{name}.svg")), chart.to_svg().unwrap()).unwrap();
    }
}

/// A report shows a chart at most `SVG_WIDTH` wide; a 390 px phone, less the page's
/// padding, gives it about 370 CSS px. Every text must still be at least 9 px tall there.
#[test]
fn chart_text_stays_readable_scaled_to_a_phone() {
    let scenes = [
        recovery().scene().unwrap(),
        scores().scene().unwrap(),
        monte_carlo().scene().unwrap(),
        tornado().scene().unwrap(),
    ];
    let scale = 370.0 / f64::from(SVG_WIDTH);
    for scene in &scenes {
        for shape in &scene.shapes {
            if let Shape::Text { text, size, .. } = shape {
                assert!(size * scale >= 9.0, "'{text}' is {:.1} px on a phone", size * scale);
            }
        }
    }
}

#[test]
fn long_row_labels_wrap_onto_two_lines_before_any_is_cut() {
    let mut chart = BarChart::new("Present value by outcome", "Present value", ValueUnit::Pounds);
    chart.bars.push(Bar::new("Reliable recovery from anxiety or depression", 587_037.0));
    chart.bars.push(Bar::new("Short", 36_348.0));
    let scene = chart.scene().unwrap();
    let all = texts(&scene);
    let first = all.iter().position(|t| t.starts_with("Reliable recovery")).unwrap();
    assert_eq!(format!("{} {}", all[first], all[first + 1]), "Reliable recovery from anxiety or depression");
    assert!(!all.iter().any(|t| t.contains('…')), "{all:?}");
}
