//! From a [`Publication`] to the report [`Document`]: what the report says, in order.
//!
//! Every figure comes from the publication, so the report shows exactly what the
//! disclosure rule allows, and says the rule once, in words.

use crate::outcomes::Programme;
use crate::publish::{Publication, Published, PublishedPilot};

use super::common::{ReportOptions, decimals_for, disclosure_note, measure_name};
use super::document::{Block, Document, Figure, Section, Table};
use super::format;

pub(crate) use crate::metric::{HEADLINE_MEASURES, NATIONAL_RELIABLE_RECOVERY};

/// Builds the report document.
///
/// # Errors
///
/// A chart that cannot be drawn.
pub fn build_document(publication: &Publication, options: &ReportOptions) -> crate::Result<Document> {
    // Drawing the charts is most of the work. The sections are independent: they are
    // built on all cores and come back in reading order.
    enum Part<'a> {
        Pilot(&'a PublishedPilot),
        Delivery,
        Provision,
        Equity,
        SocialValue,
    }
    let mut parts: Vec<Part> = publication.pilots.iter().map(Part::Pilot).collect();
    if !publication.delivery.is_empty() {
        parts.push(Part::Delivery);
    }
    if publication.delivery_overview.is_some() {
        parts.push(Part::Provision);
    }
    parts.push(Part::Equity);
    if publication.social_value.is_some() {
        parts.push(Part::SocialValue);
    }
    let built = crate::parallel::map(&parts, |part| match part {
        Part::Pilot(pilot) => pilot_section(publication, pilot, options),
        Part::Delivery => super::sections::delivery_section(publication, options),
        Part::Provision => super::delivery::provision_section(publication, options),
        Part::Equity => super::sections::equity_section(publication, options),
        Part::SocialValue => super::sections::social_value_section(publication, options),
    });
    let mut sections = vec![summary(publication), data_quality(publication)];
    for section in built {
        sections.push(section?);
    }
    sections.push(methods(publication));
    let plan = &publication.plan;
    let mut footer = format!(
        "Produced with coproduction {} from the plan '{}'.",
        env!("CARGO_PKG_VERSION"),
        plan.file
            .as_ref()
            .map(|f| super::display_path(&f.display().to_string(), &plan.base_dir))
            .unwrap_or_else(|| "(in memory)".to_string())
    );
    if let Some(date) = &options.generated_on {
        footer.push_str(&format!(" Generated on {date}."));
    }
    Ok(Document { title: plan.title.clone(), subtitle: plan.report.organisation.clone(), sections, footer })
}

fn summary(publication: &Publication) -> Section {
    let rule = &publication.rule;
    let mut blocks = Vec::new();
    blocks.push(Block::Paragraph(format!(
        "This report evaluates {} pilot{} with {} participants and {} assessments. \
         Figures in brackets are 95% confidence intervals: the range within which the true value \
         is likely to lie, given the number of people measured.",
        publication.pilots.len(),
        if publication.pilots.len() == 1 { "" } else { "s" },
        format::thousands(publication.participants as f64, 0),
        format::thousands(publication.assessments as f64, 0),
    )));
    let mut figures = Vec::new();
    for pilot in &publication.pilots {
        if let Some(tt) = &pilot.talking_therapies {
            let (value, detail) = format::rate(tt.reliable_recovery.as_ref(), rule);
            figures.push(Figure {
                label: format!("{}: reliable recovery", pilot.name),
                value,
                detail: format!(
                    "{detail} who finished treatment at caseness (national standard {}, April 2025)",
                    format::percent(Some(NATIONAL_RELIABLE_RECOVERY))
                ),
            });
            let (value, detail) = format::rate(tt.reliable_improvement.as_ref(), rule);
            figures.push(Figure { label: format!("{}: reliable improvement", pilot.name), value, detail });
        }
        if let Some(cv) = &pilot.cardiovascular {
            let (first, _) = format::rate(cv.controlled_first.as_ref(), rule);
            let (last, detail) = format::rate(cv.controlled_last.as_ref(), rule);
            figures.push(Figure {
                label: format!("{}: blood pressure controlled", pilot.name),
                value: format!("{first} → {last}"),
                detail: format!("first to last reading; last: {detail}"),
            });
            if let Some(fall) = cv.sbp_mean_fall.value() {
                figures.push(Figure {
                    label: format!("{}: mean systolic fall", pilot.name),
                    value: format!("{} mmHg", format::number(Some(*fall), 1)),
                    detail: format!(
                        "among {} people with two or more readings",
                        format::count(&cv.n_paired, rule)
                    ),
                });
            }
        }
        if matches!(pilot.programme, Programme::Dementia | Programme::Wellbeing) {
            let chosen = HEADLINE_MEASURES
                .iter()
                .filter_map(|id| pilot.measures.iter().find(|m| m.measure == *id))
                .filter(|m| m.statistics_shown())
                .take(2);
            for m in chosen {
                let s = &m.statistics;
                let decimals = decimals_for(publication, &m.measure);
                figures.push(Figure {
                    label: format!("{}: {} change", pilot.name, measure_name(publication, &m.measure)),
                    value: format::signed(s.mean_change, decimals),
                    detail: format!(
                        "95% CI {} to {}; {} people; {}",
                        format::signed(s.ci_low, decimals),
                        format::signed(s.ci_high, decimals),
                        format::count(&m.n_paired, rule),
                        if m.higher_is_better { "higher is better" } else { "lower is better" }
                    ),
                });
            }
        }
    }
    if let Some(sv) = &publication.social_value {
        figures.push(match sv.figures.value() {
            Some(sv) => Figure {
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
            },
            None => Figure {
                label: "Social return on investment".to_string(),
                value: sv.figures.display(rule, |_| String::new()),
                detail: "not published: it is computed from a count hidden under disclosure control"
                    .to_string(),
            },
        });
    }
    blocks.push(Block::Figures(figures));
    if publication.rejected_rows > 0 {
        blocks.push(Block::Note(format!(
            "{} data row(s) could not be used and are listed with their reasons in rejects.csv (see Data quality).",
            publication.rejected_rows
        )));
    }
    blocks.push(disclosure_note(publication));
    Section { id: "summary".to_string(), title: "Summary".to_string(), blocks }
}

fn data_quality(publication: &Publication) -> Section {
    let mut table = Table::new(
        "data_quality",
        "Rows read, accepted and rejected, per file",
        &["File", "Rows read", "Accepted", "Rejected"],
    );
    for f in &publication.files {
        table.row(vec![
            f.file.clone(),
            format::thousands(f.rows_read as f64, 0),
            format::thousands(f.rows_accepted as f64, 0),
            format::thousands(f.rows_rejected as f64, 0),
        ]);
    }
    let mut blocks = vec![
        Block::Paragraph(
            "Every row read is either used or listed, with its reason, in rejects.csv beside this report \
             (file, row, column, value, reason). Nothing is dropped silently. Row counts are records, shown \
             exactly so that they add up."
                .to_string(),
        ),
        Block::Table(table),
    ];
    if !publication.rejects_by_reason.is_empty() {
        let mut t = Table::new("rejects_by_reason", "Rejected rows by reason", &["Reason", "Rows"]);
        for (reason, n) in &publication.rejects_by_reason {
            t.row(vec![reason.clone(), n.to_string()]);
        }
        blocks.push(Block::Table(t));
    }
    if !publication.warnings.is_empty() {
        blocks.push(Block::Heading("Notes on how the data was read".to_string()));
        blocks.push(Block::List(publication.warnings.clone()));
    }
    let flags = &publication.risk_flags;
    if flags.value().is_none_or(|&n| n > 0) {
        blocks.push(Block::Note(format!(
            "{} assessment(s) answered the PHQ-9 self-harm question (item 9) above zero. \
             They are counted here for the service's safeguarding review and never shown per person.",
            format::count(flags, &publication.rule)
        )));
    }
    Section { id: "data-quality".to_string(), title: "Data quality".to_string(), blocks }
}

fn pilot_section(
    publication: &Publication,
    pilot: &PublishedPilot,
    options: &ReportOptions,
) -> crate::Result<Section> {
    let rule = &publication.rule;
    let count = |p: &Published<u64>| format::count(p, rule);
    let mut blocks = vec![Block::Paragraph(format!(
        "{} participants; programme: {}.",
        count(&pilot.participants),
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
            let (value, _) = format::rate(rate.as_ref(), rule);
            t.row(vec![
                label.to_string(),
                value,
                match rate.as_ref().and_then(|r| r.shown()) {
                    Some(r) => format::percent_interval(r.ci_low, r.ci_high),
                    None => "–".to_string(),
                },
                rate.as_ref().map_or("0".to_string(), |r| count(&r.count)),
                match rate {
                    Some(r) => format!("{} ({denominator})", count(&r.denominator)),
                    None => format!("0 ({denominator})"),
                },
            ]);
        }
        blocks.push(Block::Table(t));
        if let Some(chart) = super::sections::talking_therapies_chart(pilot, tt, rule, options)? {
            blocks.push(Block::Chart(chart));
        }
        blocks.push(Block::Paragraph(format!(
            "Of {} who finished treatment, {} had paired PHQ-9 and anxiety scores (the rates' denominator), and {} \
             of those were at caseness at their first scores (the recovery denominator). The anxiety measure behind \
             each person's outcome (number of people): {}.",
            tt.finished_treatment.as_ref().map_or("0".to_string(), |r| count(&r.count)),
            count(&tt.finished_and_paired),
            count(&tt.at_caseness_at_first),
            if tt.anxiety_measures.is_empty() {
                "none".to_string()
            } else {
                tt.anxiety_measures
                    .iter()
                    .map(|(m, n)| format!("{} {}", measure_name(publication, m), count(n)))
                    .collect::<Vec<_>>()
                    .join(", ")
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
        let (first, first_detail) = format::rate(cv.controlled_first.as_ref(), rule);
        let (last, last_detail) = format::rate(cv.controlled_last.as_ref(), rule);
        t.row(vec!["Controlled at first reading".into(), first, first_detail]);
        t.row(vec!["Controlled at last reading".into(), last, last_detail]);
        let (newly, newly_detail) = format::rate(cv.newly_controlled.as_ref(), rule);
        t.row(vec!["Newly controlled (not at first reading, at last)".into(), newly, newly_detail]);
        t.row(vec![
            "Mean systolic fall (first − last)".into(),
            cv.sbp_mean_fall.display(rule, |v| format!("{} mmHg", format::number(Some(*v), 1))),
            format!("{} people with paired systolic readings", count(&cv.n_paired)),
        ]);
        if let Some(rr) = cv.relative_risk_major_cvd.value() {
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
        for c in &cv.categories {
            categories.row(vec![c.category.clone(), count(&c.first), count(&c.last)]);
        }
        blocks.push(Block::Table(categories));
        if let Some(chart) = super::sections::bp_categories_chart(pilot, cv, options)? {
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
                "Effect size d_av",
                "Effect size g_av",
                "Reliably improved",
                "Reliably worse",
            ],
        );
        for m in &pilot.measures {
            let name = measure_name(publication, &m.measure);
            if !m.statistics_shown() {
                let marker = m.n_paired.display(rule, |_| rule.small_marker());
                t.row(vec![
                    name,
                    count(&m.n_paired),
                    marker.clone(),
                    marker.clone(),
                    marker,
                    "–".into(),
                    "–".into(),
                    "–".into(),
                    "–".into(),
                    count(&m.improved),
                    count(&m.deteriorated),
                ]);
                continue;
            }
            let s = &m.statistics;
            let decimals = decimals_for(publication, &m.measure);
            t.row(vec![
                name,
                count(&m.n_paired),
                format::number(s.mean_first, decimals),
                format::number(s.mean_last, decimals),
                format!(
                    "{} ({} to {})",
                    format::signed(s.mean_change, decimals),
                    format::signed(s.ci_low, decimals),
                    format::signed(s.ci_high, decimals)
                ),
                format::p_value(s.p_value),
                format::p_value(s.wilcoxon_p),
                format::number(s.d_av, 2),
                format::number(s.g_av, 2),
                count(&m.improved),
                count(&m.deteriorated),
            ]);
        }
        blocks.push(Block::Table(t));
        // The columns are explained under the first table that has them, and referred to after.
        let first = publication.pilots.iter().find(|p| !p.measures.is_empty());
        blocks.push(Block::Paragraph(match first {
            Some(first) if first.id != pilot.id => format!(
                "Change is the last score minus the first; the p-values and effect sizes are explained under {}.",
                first.name
            ),
            _ => "Change is the last score minus the first: negative when scores fell, which is an improvement \
                  on measures where lower is better (such as PHQ-9, GAD-7 and blood pressure) and a worsening where \
                  higher is better (such as wellbeing scores). p (t) is the p-value of the paired t-test and \
                  p (Wilcoxon) that of the Wilcoxon signed-rank test: the chance of a change at least this large if \
                  there were in truth no change. An effect size puts a change on a scale common to every measure: \
                  d_av is the mean change divided by the average of the standard deviations at the first and last \
                  assessment, and g_av is d_av corrected for small samples (Hedges), following Lakens (2013). \
                  By Cohen's conventions an effect size of about 0.2 is small, 0.5 medium and 0.8 large."
                .to_string(),
        }));
        if let Some(chart) = super::sections::measures_chart(publication, pilot, options)? {
            blocks.push(Block::Chart(chart));
        }
    }
    let mut norms = Vec::new();
    for m in pilot.measures.iter().filter(|m| m.statistics_shown()) {
        for norm in crate::outcomes::population_norms(&m.measure)? {
            norms.push(format!(
                "{}: first {} and last {} against {} for {} ({}; {}).",
                measure_name(publication, &m.measure),
                format::number(m.statistics.mean_first, 1),
                format::number(m.statistics.mean_last, 1),
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
        blocks.push(Block::Paragraph(match q.mean_gain.value() {
            Some(gain) => format!(
                "QALYs from {}: mean gain {} QALY per person (95% CI {} to {}) over a mean follow-up of {} days, \
                 {} people; area under the utility curve against a flat line at each person's first utility.",
                measure_name(publication, &q.measure),
                format::number(Some(*gain), 4),
                format::number(q.ci_low.value().copied(), 4),
                format::number(q.ci_high.value().copied(), 4),
                format::number(q.mean_follow_up_days.value().copied(), 0),
                count(&q.n)
            ),
            None => format!(
                "QALYs from {}: hidden under disclosure control ({} people with two or more assessments).",
                measure_name(publication, &q.measure),
                count(&q.n)
            ),
        }));
    }
    if !matches!(pilot.risk_flags, Published::Empty | Published::Shown(0)) {
        blocks.push(Block::Paragraph(format!(
            "Risk item (PHQ-9 item 9) above zero in {} assessment(s): a count for the safeguarding review.",
            count(&pilot.risk_flags)
        )));
    }
    if !pilot.withheld.is_empty() {
        blocks.push(Block::Note(format!(
            "Not published for this pilot, because hiding single figures could not keep its small numbers from \
             being worked out: {}.",
            pilot.withheld.join("; ")
        )));
    }
    Ok(Section { id: format!("pilot-{}", pilot.id), title: pilot.name.clone(), blocks })
}

fn methods(publication: &Publication) -> Section {
    let mut blocks = vec![Block::Paragraph(
        "Every threshold below is data shipped with the crate, with its source and a confidence grade: confirmed \
         (primary source), secondary (found only in a secondary source), unconfirmed (best knowledge, to be checked) \
         or derived (computed from sourced values)."
            .to_string(),
    )];
    let mut used: Vec<&str> =
        publication.pilots.iter().flat_map(|p| p.measures.iter().map(|m| m.measure.as_str())).collect();
    used.sort_unstable();
    used.dedup();
    let mut t = Table::new(
        "thresholds",
        "Thresholds used, with source and confidence",
        &["Instrument", "Threshold", "Value", "Confidence", "Source"],
    )
    .numeric_columns(&[false, false, true, false, false]);
    for id in &used {
        if let Some(instrument) = publication.catalogue.get(id) {
            for (what, value, confidence, source) in threshold_rows(instrument) {
                t.row(vec![instrument.name().to_string(), what, value, confidence, source]);
            }
        }
    }
    blocks.push(Block::Table(t));
    let mut unconfirmed: Vec<String> = publication
        .catalogue
        .unconfirmed()
        .into_iter()
        .filter(|u| used.contains(&u.instrument.as_str()))
        .map(|u| format!("{}: {} = {} ({})", u.instrument, u.what, u.value, u.source))
        .collect();
    if publication.pilots.iter().any(|p| p.talking_therapies.is_some()) {
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
    let rules = &publication.plan.rules;
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
        format!("Disclosure control: {}", publication.rule.describe()),
        if publication.plan.report.exact_results {
            "Exact figures: results-exact.json, written beside this report at the analyst's request, holds every \
             figure without disclosure control. It is for the analyst's own checks: do not publish or share it."
                .to_string()
        } else {
            "Exact figures: none written (results-exact.json is written only when the plan or the command asks)."
                .to_string()
        },
    ]));
    blocks.push(Block::Heading("Input files".to_string()));
    let mut files =
        Table::new("input_files", "Input files and their SHA-256 checksums", &["File", "SHA-256"])
            .numeric_columns(&[false, false]);
    for input in &publication.inputs {
        let digest = input.sha256.clone().unwrap_or_else(|| "(not readable)".to_string());
        files.row(vec![
            super::display_path(&input.path.display().to_string(), &publication.plan.base_dir),
            digest,
        ]);
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
