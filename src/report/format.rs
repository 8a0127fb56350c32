//! How numbers read in the HTML and Markdown views. Rounding happens here and only here:
//! `results.json` keeps every number unrounded.

use crate::publish::{DisclosureRule, Published, PublishedRate};

/// A number with `decimals` places, or an en dash when undefined.
pub fn number(value: Option<f64>, decimals: usize) -> String {
    match value {
        Some(v) if v.is_finite() => {
            let text = format!("{v:.decimals$}");
            // "-0.0" reads as a fall; show it as zero.
            if text.trim_start_matches('-').chars().all(|c| c == '0' || c == '.') {
                text.trim_start_matches('-').to_string()
            } else {
                text
            }
        }
        _ => "–".to_string(),
    }
}

/// A number with at most two decimals and no trailing zeros ("10", "2.3", "0.73").
pub fn compact(value: f64) -> String {
    let text = format!("{value:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A signed change, e.g. "−4.2" or "+1.3".
pub fn signed(value: Option<f64>, decimals: usize) -> String {
    match value {
        Some(v) if v.is_finite() && v > 0.0 => format!("+{}", number(Some(v), decimals)),
        Some(v) if v.is_finite() && v < 0.0 => format!("−{}", number(Some(-v), decimals)),
        other => number(other, decimals),
    }
}

/// A share as a percentage, e.g. "45.2%".
pub fn percent(value: Option<f64>) -> String {
    match value {
        Some(v) if v.is_finite() => format!("{}%", number(Some(v * 100.0), 1)),
        _ => "–".to_string(),
    }
}

/// An interval, e.g. "38.1–52.4%".
pub fn percent_interval(low: f64, high: f64) -> String {
    format!("{}–{}%", number(Some(low * 100.0), 1), number(Some(high * 100.0), 1))
}

/// A rate as "45.2%" with its detail "95% CI 38.1–52.4%; 87 of 170", or the rule's
/// marker when hidden.
pub fn rate(rate: Option<&PublishedRate>, rule: &DisclosureRule) -> (String, String) {
    match rate {
        None => ("–".to_string(), "no one in the denominator".to_string()),
        Some(r) => match r.shown() {
            Some(p) => (
                percent(Some(p.rate)),
                format!(
                    "95% CI {}; {} of {}",
                    percent_interval(p.ci_low, p.ci_high),
                    thousands(p.count as f64, 0),
                    thousands(p.denominator as f64, 0)
                ),
            ),
            None => (
                r.rate.display(rule, |_| String::new()),
                format!(
                    "hidden under disclosure control ({} of {})",
                    count(&r.count, rule),
                    count(&r.denominator, rule)
                ),
            ),
        },
    }
}

/// A count of people as published: the number, or the rule's marker.
pub fn count(value: &Published<u64>, rule: &DisclosureRule) -> String {
    value.display(rule, |v| thousands(*v as f64, 0))
}

/// A p-value as researchers expect it: "<0.001" below a thousandth, else three places.
pub fn p_value(p: Option<f64>) -> String {
    match p {
        Some(p) if p.is_finite() && p < 0.001 => "<0.001".to_string(),
        other => number(other, 3),
    }
}

/// Pounds with thousands separators, e.g. "£1,234,567".
pub fn pounds(value: Option<f64>) -> String {
    match value {
        Some(v) if v.is_finite() => {
            let sign = if v < 0.0 { "−" } else { "" };
            format!("{sign}£{}", thousands(v.abs(), 0))
        }
        _ => "–".to_string(),
    }
}

/// A number with thousands separators.
pub fn thousands(value: f64, decimals: usize) -> String {
    let text = format!("{:.decimals$}", value.abs());
    let (whole, fraction) = match text.split_once('.') {
        Some((w, f)) => (w.to_string(), format!(".{f}")),
        None => (text.clone(), String::new()),
    };
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if value < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') { "−" } else { "" };
    format!("{sign}{grouped}{fraction}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(number(Some(-0.04), 1), "0.0");
        assert_eq!(signed(Some(-4.25), 1), "−4.2");
        assert_eq!(signed(Some(1.26), 1), "+1.3");
        assert_eq!(percent(Some(0.4523)), "45.2%");
        assert_eq!(pounds(Some(1_234_567.4)), "£1,234,567");
        assert_eq!(pounds(Some(-950.0)), "−£950");
        assert_eq!(thousands(1234.5, 1), "1,234.5");
        assert_eq!(p_value(Some(0.0000123)), "<0.001");
        assert_eq!(p_value(Some(0.04567)), "0.046");
        assert_eq!(number(None, 2), "–");
        let rule = DisclosureRule::new(10).unwrap();
        assert_eq!(count(&Published::Small, &rule), "<10");
        assert_eq!(count(&Published::Secondary, &rule), "*");
        assert_eq!(count(&Published::Shown(1200), &rule), "1,200");
    }
}
