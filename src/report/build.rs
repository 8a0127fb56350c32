//! From an [`Evaluation`] to the report [`Document`]: what the report says, in order.

use crate::evaluation::Evaluation;
use crate::outcomes::{PilotOutcomes, Programme};

use super::document::{Block, Document, Figure, Section, Table};
use super::format::{self, SUPPRESSED};

/// Options for building a report.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReportOptions {
    /// A generation date (`YYYY-MM-DD`) for the footer; `None` keeps output byte-identical.
    pub generated_on: Option<String>,
    /// Render PNG copies of the charts.
    pub png_charts: bool,
    /// Breakdowns with more groups than this are summarised in the HTML and Markdown (the
    /// groups at either end and how the groups are spread) and written in full to CSV and
    /// JSON. Default 50.
    pub max_groups_shown: usize,
}

impl Default for ReportOptions {
    /// No date, SVG charts only, breakdowns of up to 50 groups printed whole.
    fn default() -> Self {
        ReportOptions { generated_on: None, png_charts: false, max_groups_shown: 50 }
    }
}

impl ReportOptions {
    /// The options a plan's `[report]` section asks for.
    pub fn from_plan(plan: &crate::plan::Plan) -> ReportOptions {
        ReportOptions {
            generated_on: plan.report.show_generated_date.then(today),
            png_charts: plan.report.png_charts,
            max_groups_shown: plan.report.max_groups_shown,
        }
    }
}

/// Today's date (UTC) as `YYYY-MM-DD`.
fn today() -> String {
    let secs =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let epoch = crate::Date::new(1970, 1, 1).map(|d| d.days_since_epoch()).unwrap_or(0);
    crate::Date::from_days_since_epoch(epoch + (secs / 86_400) as i64)
        .map(|d| d.to_string())
        .unwrap_or_default()
}

/// Builds the report document.
pub fn build_document(eval: &Evaluation, options: &ReportOptions) -> crate::Result<Document> {
    let min = eval.plan.disclosure.enabled.then_some(u64::from(eval.plan.disclosure.min_count));
    // Drawing the charts is most of the work. The sections are independent: they are
    // built on all cores and come back in reading order.
    enum Part<'a> {
        Pilot(&'a PilotOutcomes),
        Delivery,
        Equity,
        SocialValue,
    }
    let mut parts: Vec<Part> = eval.outcomes.pilots.iter().map(Part::Pilot).collect();
    if !eval.delivery.is_empty() {
        parts.push(Part::Delivery);
    }
    parts.push(Part::Equity);
    if eval.social_value.is_some() {
        parts.push(Part::SocialValue);
    }
    let built = crate::parallel::map(&parts, |part| match part {
        Part::Pilot(pilot) => pilot_section(eval, pilot, min, options),
        Part::Delivery => super::sections::delivery_section(eval, min, options),
        Part::Equity => super::sections::equity_section(eval, options),
        Part::SocialValue => super::sections::social_value_section(eval, options),
    });
    let mut sections = vec![summary(eval, min), data_quality(eval)];
    for section in built {
        sections.push(section?);
    }
    sections.push(methods(eval));
    let mut footer = format!(
        "Produced with coproduction {} from the plan '{}'.",
        env!("CARGO_PKG_VERSION"),
        eval.plan
            .file
            .as_ref()
            .map(|f| super::display_path(&f.display().to_string(), &eval.plan.base_dir))
            .unwrap_or_else(|| "(in memory)".to_string())
    );
    if let Some(date) = &options.generated_on {
        footer.push_str(&format!(" Generated on {date}."));
    }
    Ok(Document {
        title: eval.plan.title.clone(),
        subtitle: eval.plan.report.organisation.clone(),
        sections,
        footer,
    })
}

fn summary(eval: &Evaluation, min: Option<u64>) -> Section {
    let mut blocks = Vec::new();
    let accepted: usize = eval.data.participants().len();
    blocks.push(Block::Paragraph(format!(
        "This report evaluates {} pilot{} with {} participants and {} assessments. \
         Figures in brackets are 95% confidence intervals: the range within which the true value \
         is likely to lie, given the number of people measured.",
        eval.outcomes.pilots.len(),
        if eval.outcomes.pilots.len() == 1 { "" } else { "s" },
        format::thousands(accepted as f64, 0),
        format::thousands(eval.data.assessments().len() as f64, 0),
    )));
    let mut figures = Vec::new();
    for pilot in &eval.outcomes.pilots {
        if let Some(tt) = &pilot.talking_therapies {
            let (value, detail) = format::rate(tt.reliable_recovery.as_ref(), min);
            figures.push(Figure {
                label: format!("{}: reliable recovery", pilot.name),
                value,
                detail: format!(
                    "{detail} who finished treatment at caseness (national standard 48.4%, April 2025)"
                ),
            });
            let (value, detail) = format::rate(tt.reliable_improvement.as_ref(), min);
            figures.push(Figure { label: format!("{}: reliable improvement", pilot.name), value, detail });
        }
        if let Some(cv) = &pilot.cardiovascular {
            let (first, _) = format::rate(cv.controlled_first.as_ref(), min);
            let (last, detail) = format::rate(cv.controlled_last.as_ref(), min);
            figures.push(Figure {
                label: format!("{}: blood pressure controlled", pilot.name),
                value: format!("{first} → {last}"),
                detail: format!("first to last reading; last: {detail}"),
            });
            if let Some(fall) = cv.sbp_mean_fall {
                figures.push(Figure {
                    label: format!("{}: mean systolic fall", pilot.name),
                    value: format!("{} mmHg", format::number(Some(fall), 1)),
                    detail: format!(
                        "among {} people with two or more readings",
                        format::count(Some(cv.n_paired), min)
                    ),
                });
            }
        }
        if matches!(pilot.programme, Programme::Dementia | Programme::Wellbeing) {
            let headline = [
                "swemwbs",
                "wemwbs",
                "ons_life_satisfaction",
                "zbi22",
                "zbi12",
                "demqol",
                "demqol_proxy",
                "qol_ad",
                "eq5d3l",
            ];
            let chosen = headline.iter().filter_map(|id| pilot.measure(id)).take(2);
            for m in chosen {
                if m.n_paired as u64 >= min.unwrap_or(1) {
                    // Utilities live on 0-1 and need two decimals; scores one.
                    let decimals = if eval.catalogue.get(&m.measure).is_some_and(|i| i.total_range().1 <= 1.0)
                    {
                        2
                    } else {
                        1
                    };
                    figures.push(Figure {
                        label: format!("{}: {} change", pilot.name, measure_name(eval, &m.measure)),
                        value: format::signed(m.mean_change, decimals),
                        detail: format!(
                            "95% CI {} to {}; {} people; {}",
                            format::signed(m.ci_low, decimals),
                            format::signed(m.ci_high, decimals),
                            m.n_paired,
                            if m.higher_is_better { "higher is better" } else { "lower is better" }
                        ),
                    });
                }
            }
        }
    }
    if let Some(sv) = &eval.social_value {
        figures.push(Figure {
            label: "Social return on investment".to_string(),
            value: match sv.sroi_ratio {
                Some(r) => format!("£{} per £1", format::number(Some(r), 2)),
                None => "–".to_string(),
            },
            detail: format!(
                "present value {} for an investment of {}; Monte Carlo 90% range {} to {}",
                format::pounds(Some(sv.present_value)),
                format::pounds(Some(sv.investment)),
                format::number(sv.monte_carlo.as_ref().and_then(|m| m.p5), 2),
                format::number(sv.monte_carlo.as_ref().and_then(|m| m.p95), 2),
            ),
        });
    }
    blocks.push(Block::Figures(figures));
    let rejected = eval.data.rejects().len();
    if rejected > 0 {
        blocks.push(Block::Note(format!(
            "{rejected} data row(s) could not be used and are listed with their reasons in rejects.csv (see Data quality)."
        )));
    }
    if !eval.plan.disclosure.enabled {
        blocks.push(Block::Note(
            "Disclosure control is OFF for this report: small numbers are shown. Do not publish it."
                .to_string(),
        ));
    }
    Section { id: "summary".to_string(), title: "Summary".to_string(), blocks }
}

fn data_quality(eval: &Evaluation) -> Section {
    let mut table = Table::new(
        "data_quality",
        "Rows read, accepted and rejected, per file",
        &["File", "Rows read", "Accepted", "Rejected"],
    );
    for f in eval.data.files() {
        table.row(vec![
            super::display_path(&f.file, &eval.plan.base_dir),
            format::thousands(f.rows_read as f64, 0),
            format::thousands(f.rows_accepted as f64, 0),
            format::thousands(f.rows_rejected as f64, 0),
        ]);
    }
    let mut blocks = vec![
        Block::Paragraph(
            "Every row read is either used or listed, with its reason, in rejects.csv beside this report \
             (file, row, column, value, reason). Nothing is dropped silently."
                .to_string(),
        ),
        Block::Table(table),
    ];
    let reasons = eval.data.rejects().reason_counts();
    if !reasons.is_empty() {
        let mut t = Table::new("rejects_by_reason", "Rejected rows by reason", &["Reason", "Rows"]);
        for (reason, n) in reasons {
            t.row(vec![reason, n.to_string()]);
        }
        blocks.push(Block::Table(t));
    }
    if !eval.warnings.is_empty() {
        blocks.push(Block::Heading("Notes on how the data was read".to_string()));
        blocks.push(Block::List(eval.warnings.clone()));
    }
    let flags: usize = eval.outcomes.pilots.iter().map(|p| p.risk_flags).sum();
    if flags > 0 {
        blocks.push(Block::Note(format!(
            "{flags} assessment(s) answered the PHQ-9 self-harm question (item 9) above zero. \
             They are counted here for the service's safeguarding review and never shown per person."
        )));
    }
    Section { id: "data-quality".to_string(), title: "Data quality".to_string(), blocks }
}

pub(crate) fn measure_name(eval: &Evaluation, id: &str) -> String {
    eval.catalogue.get(id).map(|i| i.name().to_string()).unwrap_or_else(|| id.to_string())
}

fn pilot_section(
    eval: &Evaluation,
    pilot: &PilotOutcomes,
    min: Option<u64>,
    options: &ReportOptions,
) -> crate::Result<Section> {
    let mut blocks = vec![Block::Paragraph(format!(
        "{} participants; programme: {}.",
        format::count(Some(pilot.participants), min),
        pilot.programme.as_str().replace('_', " ")
    ))];
    if let Some(tt) = &pilot.talking_therapies {
        blocks.push(Block::Heading("NHS Talking Therapies outcomes".to_string()));
        let mut t = Table::new(
            &format!("{}_talking_therapies", pilot.id),
            "Talking Therapies outcomes (95% Wilson intervals)",
            &["Measure", "Rate", "Interval", "Count", "Denominator"],
        );
        let rows = [
            ("Finished treatment", &tt.finished_treatment, "all referrals"),
            ("Recovery", &tt.recovery, "finished, paired, at caseness at first"),
            ("Reliable improvement", &tt.reliable_improvement, "finished and paired"),
            ("Reliable recovery", &tt.reliable_recovery, "finished, paired, at caseness at first"),
            ("Reliable deterioration", &tt.reliable_deterioration, "finished and paired"),
        ];
        for (label, rate, denominator) in rows {
            let (value, _) = format::rate(rate.as_ref(), min);
            let hidden = rate.as_ref().is_some_and(|r| format::rate_hidden(r, min));
            t.row(vec![
                label.to_string(),
                value,
                match rate {
                    Some(r) if !hidden => format::percent_interval(r.ci_low, r.ci_high),
                    _ => "–".to_string(),
                },
                match rate {
                    Some(_) if hidden => SUPPRESSED.to_string(),
                    Some(r) => r.count.to_string(),
                    None => "0".to_string(),
                },
                match rate {
                    Some(r) => {
                        format!("{} ({denominator})", format::count(Some(r.denominator as usize), min))
                    }
                    None => format!("0 ({denominator})"),
                },
            ]);
        }
        blocks.push(Block::Table(t));
        if let Some(chart) = super::sections::talking_therapies_chart(pilot, tt, min, options)? {
            blocks.push(Block::Chart(chart));
        }
        blocks.push(Block::Paragraph(format!(
            "{} finished treatment without paired PHQ-9 and anxiety scores and are outside the rates; {} were \
             not at caseness at their first scores and are outside recovery. Anxiety measures used: {}.",
            format::count(Some(tt.finished_not_paired), min),
            format::count(Some(tt.not_at_caseness_at_first), min),
            if tt.anxiety_measures.is_empty() {
                "none".to_string()
            } else {
                tt.anxiety_measures.iter().map(|(m, n)| format!("{m} {}", format::count(Some(*n), min))).collect::<Vec<_>>().join(", ")
            }
        )));
    }
    if let Some(cv) = &pilot.cardiovascular {
        blocks.push(Block::Heading("Blood pressure".to_string()));
        let mut t = Table::new(
            &format!("{}_blood_pressure", pilot.id),
            "Blood pressure control (NICE NG136 clinic targets)",
            &["Figure", "Value", "Detail"],
        );
        let (first, first_detail) = format::rate(cv.controlled_first.as_ref(), min);
        let (last, last_detail) = format::rate(cv.controlled_last.as_ref(), min);
        t.row(vec!["Controlled at first reading".into(), first, first_detail]);
        t.row(vec!["Controlled at last reading".into(), last, last_detail]);
        t.row(vec![
            "Mean systolic fall (first − last)".into(),
            format!("{} mmHg", format::number(cv.sbp_mean_fall, 1)),
            format!("{} people with paired systolic readings", format::count(Some(cv.n_paired), min)),
        ]);
        if let Some(rr) = &cv.relative_risk_major_cvd {
            t.row(vec![
                "Implied relative risk of major CVD events".into(),
                format::number(Some(rr.estimate), 3),
                format!("{} to {}", format::number(Some(rr.low), 3), format::number(Some(rr.high), 3)),
            ]);
        }
        blocks.push(Block::Table(t));
        let mut categories = Table::new(
            &format!("{}_bp_categories", pilot.id),
            "NICE NG136 clinic category (the worse of systolic and diastolic), people paired on both readings",
            &["Category", "First reading", "Last reading"],
        );
        for (label, first, last) in &cv.categories {
            categories.row(vec![
                label.clone(),
                format::count(Some(*first), min),
                format::count(Some(*last), min),
            ]);
        }
        blocks.push(Block::Table(categories));
        if let Some(chart) = super::sections::bp_categories_chart(pilot, cv, min, options)? {
            blocks.push(Block::Chart(chart));
        }
        blocks.push(Block::Note(cv.caveat.to_string()));
    }
    if !pilot.measures.is_empty() {
        blocks.push(Block::Heading("Change on each measure (first to last assessment)".to_string()));
        let mut t = Table::new(
            &format!("{}_measures", pilot.id),
            "Change per measure among paired participants",
            &[
                "Measure",
                "Paired",
                "First",
                "Last",
                "Change (95% CI)",
                "p (t)",
                "p (Wilcoxon)",
                "d_av",
                "g_av",
                "Reliably improved",
                "Reliably worse",
            ],
        );
        for m in &pilot.measures {
            let hidden = min.is_some_and(|min| (m.n_paired as u64) < min);
            if hidden {
                t.row(vec![
                    measure_name(eval, &m.measure),
                    format::count(Some(m.n_paired), min),
                    SUPPRESSED.into(),
                    SUPPRESSED.into(),
                    SUPPRESSED.into(),
                    "–".into(),
                    "–".into(),
                    "–".into(),
                    "–".into(),
                    SUPPRESSED.into(),
                    SUPPRESSED.into(),
                ]);
                continue;
            }
            let complement = |c: Option<usize>| c.map(|c| m.n_paired - c);
            let small_complement = |c: Option<usize>| {
                min.is_some_and(|min| complement(c).is_some_and(|r| r > 0 && (r as u64) < min))
            };
            let shown = |c: Option<usize>| {
                if small_complement(c) { SUPPRESSED.to_string() } else { format::count(c, min) }
            };
            t.row(vec![
                measure_name(eval, &m.measure),
                m.n_paired.to_string(),
                format::number(m.mean_first, 1),
                format::number(m.mean_last, 1),
                format!(
                    "{} ({} to {})",
                    format::signed(m.mean_change, 1),
                    format::signed(m.ci_low, 1),
                    format::signed(m.ci_high, 1)
                ),
                format::p_value(m.p_value),
                format::p_value(m.wilcoxon_p),
                format::number(m.d_av, 2),
                format::number(m.g_av, 2),
                shown(m.improved),
                shown(m.deteriorated),
            ]);
        }
        blocks.push(Block::Table(t));
        if let Some(chart) = super::sections::measures_chart(eval, pilot, min, options)? {
            blocks.push(Block::Chart(chart));
        }
        blocks.push(Block::Paragraph(
            "Change is last minus first. Effect sizes are d_av (mean change over the average of the two SDs) and \
             g_av (d_av with Hedges' small-sample correction), following Lakens (2013); negative values mean \
             scores fell, which is an improvement on measures where lower is better."
                .to_string(),
        ));
    }
    let mut norms = Vec::new();
    for m in pilot.measures.iter().filter(|m| min.is_none_or(|min| m.n_paired as u64 >= min)) {
        for norm in crate::outcomes::population_norms(&m.measure)? {
            norms.push(format!(
                "{}: first {} and last {} against {} for {} ({}; {}).",
                measure_name(eval, &m.measure),
                format::number(m.mean_first, 1),
                format::number(m.mean_last, 1),
                format::number(Some(norm.mean), 1),
                norm.group,
                norm.source,
                norm.confidence
            ));
        }
    }
    if !norms.is_empty() {
        blocks.push(Block::Heading("Against population norms".to_string()));
        blocks.push(Block::List(norms));
    }
    if let Some(q) = &pilot.qaly {
        blocks.push(Block::Paragraph(format!(
            "QALYs from {}: mean gain {} QALY per person (95% CI {} to {}) over a mean follow-up of {} days, {} people; \
             area under the utility curve against a flat line at each person's first utility.",
            measure_name(eval, &q.measure),
            format::number(Some(q.mean_gain), 4),
            format::number(q.ci_low, 4),
            format::number(q.ci_high, 4),
            format::number(Some(q.mean_follow_up_days), 0),
            format::count(Some(q.n), min)
        )));
    }
    if pilot.risk_flags > 0 {
        blocks.push(Block::Paragraph(format!(
            "Risk item (PHQ-9 item 9) above zero in {} assessment(s): a count for the safeguarding review.",
            format::count(Some(pilot.risk_flags), min)
        )));
    }
    Ok(Section { id: format!("pilot-{}", pilot.id), title: pilot.name.clone(), blocks })
}

fn methods(eval: &Evaluation) -> Section {
    let mut blocks = vec![Block::Paragraph(
        "Every threshold below is data shipped with the crate, with its source and a confidence grade: confirmed \
         (primary source), secondary (found only in a secondary source), unconfirmed (best knowledge, to be checked) \
         or derived (computed from sourced values)."
            .to_string(),
    )];
    let mut used: Vec<&str> =
        eval.outcomes.pilots.iter().flat_map(|p| p.measures.iter().map(|m| m.measure.as_str())).collect();
    used.sort_unstable();
    used.dedup();
    let mut t = Table::new(
        "thresholds",
        "Thresholds used, with source and confidence",
        &["Instrument", "Threshold", "Value", "Confidence", "Source"],
    )
    .numeric_columns(&[false, false, true, false, false]);
    for id in &used {
        if let Some(instrument) = eval.catalogue.get(id) {
            for (what, value, confidence, source) in threshold_rows(instrument) {
                t.row(vec![instrument.name().to_string(), what, value, confidence, source]);
            }
        }
    }
    blocks.push(Block::Table(t));
    let mut unconfirmed: Vec<String> = eval
        .catalogue
        .unconfirmed()
        .into_iter()
        .filter(|u| used.contains(&u.instrument.as_str()))
        .map(|u| format!("{}: {} = {} ({})", u.instrument, u.what, u.value, u.source))
        .collect();
    if eval.outcomes.pilots.iter().any(|p| p.talking_therapies.is_some()) {
        unconfirmed.push(
            "Talking Therapies: the problem descriptor to anxiety-disorder measure table (SPIN for F40.1, PCL-5 for F43.1, \
             PDSS for F41.0, Mobility Inventory for F40.0, OCI-R for F42, HAI-18 for F45.2), the GAD-7 fallback when the \
             measure is unpaired, and the 'no reliable rise on the other measure' clauses (NHS Talking Therapies Manual not checked)"
                .to_string(),
        );
    }
    if !unconfirmed.is_empty() {
        blocks.push(Block::Note(
            "The following values used in this report are UNCONFIRMED: they could not be checked against the primary \
             source and should be verified before the figures are relied on."
                .to_string(),
        ));
        blocks.push(Block::List(unconfirmed));
    }
    let rules = &eval.plan.rules;
    blocks.push(Block::Heading("Rules applied".to_string()));
    blocks.push(Block::List(vec![
        "Pairing: first and last assessment per participant and measure by date (ties in file order); paired means two or more assessments on different dates.".to_string(),
        format!("Finished treatment: an end date and at least {} attended treatment sessions.", rules.talking_therapies.min_sessions),
        "Caseness: PHQ-9 ≥ 10 or the anxiety measure at or above its cut-off (GAD-7 ≥ 8); recovery: at caseness at first and not at last.".to_string(),
        format!(
            "Anxiety measure: the disorder-specific measure (ADSM) for the problem descriptor when paired, else GAD-7 (fallback {}).",
            if rules.talking_therapies.adsm_fallback_to_gad7 { "on" } else { "off" }
        ),
        format!(
            "Reliable improvement: a fall of at least the reliable change value on PHQ-9 or the anxiety measure{}.",
            if rules.talking_therapies.improvement_requires_no_deterioration { ", and no reliable rise on either" } else { "" }
        ),
        format!(
            "Reliable deterioration: a rise of at least the reliable change value on either{}.",
            if rules.talking_therapies.deterioration_requires_no_improvement { ", and no reliable fall on either" } else { "" }
        ),
        "Blood pressure: controlled when systolic and diastolic are both below target (< 140/90 under 80, < 150/90 from 80; NICE NG136).".to_string(),
        "Statistics: paired t (two-sided), Wilcoxon signed-rank (exact when 50 or fewer non-zero changes without ties, else normal approximation with tie correction), Wilson 95% intervals for rates.".to_string(),
        if eval.plan.disclosure.enabled {
            format!(
                "Disclosure control: counts from 1 to {} are shown as {SUPPRESSED}; rates and means with fewer than {} people are suppressed, with secondary suppression in breakdowns.",
                eval.plan.disclosure.min_count - 1,
                eval.plan.disclosure.min_count
            )
        } else {
            "Disclosure control: OFF (set in the plan). Small numbers are shown.".to_string()
        },
    ]));
    blocks.push(Block::Heading("Input files".to_string()));
    let mut files =
        Table::new("input_files", "Input files and their SHA-256 checksums", &["File", "SHA-256"])
            .numeric_columns(&[false, false]);
    for input in &eval.inputs {
        let digest = input.sha256.clone().unwrap_or_else(|| "(not readable)".to_string());
        files.row(vec![super::display_path(&input.path.display().to_string(), &eval.plan.base_dir), digest]);
    }
    blocks.push(Block::Table(files));
    Section { id: "methods".to_string(), title: "Methods and assumptions".to_string(), blocks }
}

/// The thresholds of an instrument that the outcome figures use, as table rows.
fn threshold_rows(instrument: &crate::instruments::Instrument) -> Vec<(String, String, String, String)> {
    use crate::instruments::ReliableChange;
    let grade = |c: crate::instruments::Confidence| format!("{c:?}").to_lowercase();
    let mut rows = Vec::new();
    if let Some(c) = instrument.caseness() {
        let op = match (instrument.higher_is_better(), c.inclusive) {
            (false, true) => "≥",
            (false, false) => ">",
            (true, true) => "≤",
            (true, false) => "<",
        };
        rows.push((
            "Caseness".to_string(),
            format!("{op} {}", format::compact(c.value)),
            grade(c.confidence),
            c.source.clone(),
        ));
    }
    match instrument.reliable_change() {
        Some(ReliableChange::Fixed { value, source, confidence }) => {
            rows.push((
                "Reliable change".to_string(),
                format!("{} points", format::compact(*value)),
                grade(*confidence),
                source.clone(),
            ));
        }
        Some(ReliableChange::FromReliability { reliability, source, confidence }) => rows.push((
            "Reliable change (Jacobson-Truax from baseline SD)".to_string(),
            format!("reliability {}", format::number(Some(*reliability), 2)),
            grade(*confidence),
            source.clone(),
        )),
        _ => {}
    }
    if let Some(n) = instrument.norms() {
        rows.push((
            "Clinical and functional norms".to_string(),
            format!(
                "{} ({}) / {} ({})",
                format::number(Some(n.clinical.mean), 1),
                format::number(Some(n.clinical.sd), 1),
                format::number(Some(n.functional.mean), 1),
                format::number(Some(n.functional.sd), 1)
            ),
            grade(n.confidence),
            n.source.clone(),
        ));
    }
    if let Some(table) = instrument.conversion() {
        rows.push((
            "Raw to metric conversion".to_string(),
            format!("{} points", table.points.len()),
            grade(table.confidence),
            table.source.clone(),
        ));
    }
    rows.push((
        "Scale".to_string(),
        format!(
            "{}–{}",
            format::compact(instrument.total_range().0),
            format::compact(instrument.total_range().1)
        ),
        grade(instrument.confidence()),
        instrument.source().to_string(),
    ));
    rows
}
