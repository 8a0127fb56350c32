//! Names in words for the identifiers the evaluation uses (`imd_quintile`,
//! `bp_controlled_last`, `tt.reliable_recovery`), so a reader of the report never has to
//! decode one.

use crate::instruments::Catalogue;

/// A breakdown dimension as a heading: "Deprivation (IMD quintile, 1 = most deprived)".
pub(crate) fn dimension(id: &str) -> String {
    match id {
        "gender" => "Gender".to_string(),
        "ethnicity" => "Ethnicity".to_string(),
        "age_band" => "Age band".to_string(),
        // English Indices of Deprivation: decile 1 is the most deprived tenth of areas;
        // quintiles pair the deciles (1-2 is quintile 1).
        "imd_quintile" => "Deprivation (IMD quintile, 1 = most deprived)".to_string(),
        "imd_decile" => "Deprivation (IMD decile, 1 = most deprived)".to_string(),
        "area" => "Area".to_string(),
        other => capitalise(&other.replace('_', " ")),
    }
}

/// A breakdown dimension inside a sentence or caption: "deprivation (IMD quintile, 1 =
/// most deprived)".
pub(crate) fn dimension_in_text(id: &str) -> String {
    let heading = dimension(id);
    let mut chars = heading.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => heading,
    }
}

/// A rate of a breakdown: "Blood pressure controlled at the last reading".
pub(crate) fn rate(id: &str) -> String {
    match id {
        "finished_treatment" => "Finished treatment".to_string(),
        "recovery" => "Recovery".to_string(),
        "reliable_improvement" => "Reliable improvement".to_string(),
        "reliable_recovery" => "Reliable recovery".to_string(),
        "reliable_deterioration" => "Reliable deterioration".to_string(),
        "bp_controlled_first" => "Blood pressure controlled at the first reading".to_string(),
        "bp_controlled_last" => "Blood pressure controlled at the last reading".to_string(),
        other => capitalise(&other.replace('_', " ")),
    }
}

/// A mean of a breakdown (`phq9_change`): "Mean change in PHQ-9".
pub(crate) fn mean(id: &str, catalogue: &Catalogue) -> String {
    match id.strip_suffix("_change") {
        Some(measure) => format!("Mean change in {}", measure_name(measure, catalogue)),
        None => format!("Mean {}", id.replace('_', " ")),
    }
}

fn measure_name(id: &str, catalogue: &Catalogue) -> String {
    catalogue.get(id).map_or_else(|| id.to_string(), |i| i.name().to_string())
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dimensions_read_as_words() {
        assert_eq!(dimension("imd_quintile"), "Deprivation (IMD quintile, 1 = most deprived)");
        assert_eq!(dimension_in_text("imd_decile"), "deprivation (IMD decile, 1 = most deprived)");
        assert_eq!(dimension("age_band"), "Age band");
        assert_eq!(dimension_in_text("age_band"), "age band");
        assert_eq!(dimension("faith_group"), "Faith group");
    }

    #[test]
    fn rates_and_means_read_as_words() {
        let catalogue = Catalogue::builtin();
        assert_eq!(rate("bp_controlled_last"), "Blood pressure controlled at the last reading");
        assert_eq!(rate("reliable_recovery"), "Reliable recovery");
        assert_eq!(mean("phq9_change", catalogue), "Mean change in PHQ-9");
        assert_eq!(mean("unknown_change", catalogue), "Mean change in unknown");
    }
}
