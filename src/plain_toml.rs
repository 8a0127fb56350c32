//! Plan and impact-map parse errors in words a non-programmer can act on.
//!
//! The TOML parser's messages ("too few unicode value digits", "invalid type: string,
//! expected f64", "key with no value") are right but name the grammar, not the fix. The
//! usual causes are few and recognisable: a Windows path in double quotes, an amount typed
//! as on a spreadsheet (`£18,000`), a CSV file given where the plan goes. Each gets its fix
//! first; the parser's message (with its line and column) follows.

/// The reason to show for a TOML error in `text`, a file of `kind` ("plan", "impact map").
pub(crate) fn reason(text: &str, error: &toml::de::Error, kind: &str) -> String {
    let parser = error.to_string();
    match advice(text, error, kind) {
        Some(fix) => format!("{fix}\n{parser}"),
        None => parser,
    }
}

fn advice(text: &str, error: &toml::de::Error, kind: &str) -> Option<String> {
    if looks_like_csv(text) {
        return Some(format!(
            "this looks like a CSV file, not a {kind}: a {kind} is a TOML file of `key = value` lines (coprod init writes one); name CSV files inside it, e.g. participants = \"participants.csv\" under [data]"
        ));
    }
    let line = error
        .span()
        .and_then(|span| {
            let start = text[..span.start.min(text.len())].rfind('\n').map_or(0, |i| i + 1);
            text[start..].lines().next()
        })
        .unwrap_or_default();
    if line.contains('\\') && line.contains('"') {
        return Some(
            "a backslash inside double quotes starts an escape code: write Windows paths with forward slashes (\"C:/data/participants.csv\") or in single quotes ('C:\\data\\participants.csv')"
                .to_string(),
        );
    }
    if let Some((key, value)) = line.split_once('=') {
        let value = value.trim().trim_matches(['"', '\'']);
        let money = value.starts_with(['£', '$', '€']) || value.contains(',');
        let digits = value.chars().any(|c| c.is_ascii_digit());
        if money && digits {
            let number: String = value.chars().filter(|c| c.is_ascii_digit() || *c == '.').collect();
            return Some(format!(
                "write amounts as plain numbers, without £ or commas: {} = {number}",
                key.trim()
            ));
        }
    }
    None
}

/// A first line with commas or tabs and neither `=` nor `[`: a table's header row.
fn looks_like_csv(text: &str) -> bool {
    let first =
        text.trim_start_matches('\u{feff}').lines().find(|l| !l.trim().is_empty()).unwrap_or_default();
    !first.trim_start().starts_with('#')
        && (first.contains(',') || first.contains('\t'))
        && !first.contains('=')
        && !first.trim_start().starts_with('[')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> String {
        let error = toml::from_str::<toml::Table>(text).unwrap_err();
        reason(text, &error, "plan")
    }

    #[test]
    fn each_usual_mistake_gets_its_fix() {
        let windows = parse("[data]\nparticipants = \"C:\\Users\\me\\participants.csv\"\n");
        assert!(windows.starts_with("a backslash inside double quotes"), "{windows}");
        let csv = parse("participant_id,pilot_id\np1,tt\n");
        assert!(csv.starts_with("this looks like a CSV file, not a plan"), "{csv}");
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Input {
            amount: f64,
        }
        let text = "amount = \"£18,000\"\n";
        let error = toml::from_str::<Input>(text).unwrap_err();
        let money = reason(text, &error, "impact map");
        assert!(
            money.starts_with("write amounts as plain numbers, without £ or commas: amount = 18000"),
            "{money}"
        );
        // Anything else keeps the parser's message alone.
        let other = parse("title = \n");
        assert!(!other.contains('\n') || !other.starts_with("write"), "{other}");
    }
}
