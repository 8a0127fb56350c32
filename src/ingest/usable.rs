//! Whether the loaded inputs can be evaluated: a required file whose rows were all
//! rejected stops the run (and fails `validate`) with the one fix most likely to help,
//! instead of a report of empty figures.

use crate::error::Error;

use super::{DataSet, Reject};

/// Every required input with no accepted rows, each as an error with its fix. The
/// participants file must have accepted rows; every other file (outcomes, survey exports,
/// activities) must have some when it has any rows at all.
pub(crate) fn unusable_inputs(data: &DataSet) -> Vec<Error> {
    let mut out = Vec::new();
    for (i, f) in data.files().iter().enumerate() {
        let required = i == 0 || f.rows_read > 0;
        if !required || f.rows_accepted > 0 {
            continue;
        }
        let what = match f.rows_read {
            0 => "the file has no data rows".to_string(),
            1 => "its one row was rejected".to_string(),
            n => format!("none of its {n} rows was accepted"),
        };
        let rejects: Vec<&Reject> = data.rejects().in_file(&f.file).collect();
        // Dates in another format are the usual cause, and often in another file: the
        // participants' dates reject them, and then every assessment of theirs.
        let all: Vec<&Reject> = data.rejects().entries().iter().collect();
        let fix = match rejects.first() {
            None => "add the data rows under the header".to_string(),
            Some(first) => date_fix(&rejects).or_else(|| date_fix(&all)).unwrap_or_else(|| {
                format!(
                    "the first reason (row {}): {}; see rejects.csv for every row",
                    first.row, first.reason
                )
            }),
        };
        out.push(Error::NoAcceptedRows { file: f.file.clone(), what, fix });
    }
    out
}

/// The fix when rows were refused for dates written in another format.
fn date_fix(rejects: &[&Reject]) -> Option<String> {
    let dated: Vec<&&Reject> = rejects.iter().filter(|r| r.reason.contains("is not a valid date")).collect();
    let values: Vec<&str> = dated.iter().filter_map(|r| r.value.as_deref()).collect();
    let example = values.first()?;
    let format = date_shape(&values)?;
    Some(format!(
        "the dates look like {example}: add date_format = \"{format}\" under [data] (or to the [[data.survey]] that names this file)"
    ))
}

/// The `strftime` pattern the date part of these values is written in, when the values
/// show it: the day and month order only when some day is above 12 (never a guess; the
/// UK order is named when nothing tells them apart, as the order evaluators in England
/// write).
fn date_shape(values: &[&str]) -> Option<String> {
    let mut order_known = None;
    let mut pattern = None;
    for value in values {
        let date = value.split([' ', 'T']).next().unwrap_or(value);
        let sep = date.chars().find(|c| matches!(c, '/' | '-' | '.'))?;
        let parts: Vec<&str> = date.split(sep).collect();
        let [a, b, c] = parts.as_slice() else { return None };
        if !parts.iter().all(|p| !p.is_empty() && p.bytes().all(|d| d.is_ascii_digit())) {
            return None;
        }
        let this = if a.len() == 4 {
            format!("%Y{sep}%m{sep}%d")
        } else if c.len() == 4 {
            let (x, y): (u32, u32) = (a.parse().ok()?, b.parse().ok()?);
            if x > 12 {
                order_known = Some("dmy");
            } else if y > 12 {
                order_known = Some("mdy");
            }
            format!("%d{sep}%m{sep}%Y")
        } else {
            return None;
        };
        pattern.get_or_insert(this);
    }
    let pattern = pattern?;
    Some(match order_known {
        Some("mdy") => pattern.replace("%d", "%D").replace("%m", "%d").replace("%D", "%m"),
        _ => pattern,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_shapes_are_named_only_as_the_values_show_them() {
        assert_eq!(date_shape(&["04/03/2025", "22/04/2025"]).as_deref(), Some("%d/%m/%Y"));
        assert_eq!(date_shape(&["04/22/2025 10:31"]).as_deref(), Some("%m/%d/%Y"));
        assert_eq!(date_shape(&["2025/04/01 8:16:21 PM GMT+1"]).as_deref(), Some("%Y/%m/%d"));
        assert_eq!(date_shape(&["22.04.2025"]).as_deref(), Some("%d.%m.%Y"));
        assert_eq!(date_shape(&["next week"]), None);
    }
}
