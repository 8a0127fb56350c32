//! The score stage: each assessment's answers, as ingest read them, become the score the
//! outcomes analyse, by its instrument's rules (the item ranges, reverse items, pro-rating,
//! conversion tables and risk items of `instruments`). An assessment that cannot be
//! scored is moved to the rejects with the reason, naming the cell as its file does, and
//! its row is counted as rejected.
//!
//! A file is scored as soon as it is read (the loaders of [`Ingest`](crate::Ingest) do it),
//! on every core: scoring is independent per assessment.

use crate::ingest::{Assessment, DataSet, Naming, PendingAnswers, Unscored};
use crate::instruments::{Catalogue, Instrument, ScoreProblem};

/// Assessments scored per task.
const CHUNK: usize = 64 * 1024;

/// Scores the assessments of the file last read into `data`, and reports the ones that
/// cannot be scored (for the loader to reject).
pub(crate) fn score(catalogue: &Catalogue, data: &mut DataSet) -> Option<(PendingAnswers, Vec<Unscored>)> {
    let (answers, assessments) = data.take_answers()?;
    // The instrument of each measure, by its index.
    let instruments: Vec<Option<&Instrument>> =
        catalogue.measure_ids().iter().map(|id| catalogue.get(id)).collect();
    let chunks: Vec<(usize, &mut [Assessment])> =
        assessments.chunks_mut(CHUNK).enumerate().map(|(i, c)| (i * CHUNK, c)).collect();
    let scored = crate::parallel::map_owned(chunks, |(start, chunk)| {
        let mut items = Vec::new();
        let mut unscored = Vec::new();
        for (offset, assessment) in chunk.iter_mut().enumerate() {
            let index = start + offset;
            let instrument = instruments.get(assessment.measure.index()).copied().flatten();
            let result = match instrument {
                Some(instrument) => score_one(instrument, &answers, index, assessment.raw_score, &mut items),
                // A measure of another catalogue than the one the data was read with.
                None => Err(Failure::Row(
                    "the measure is not in the catalogue the data is scored with".to_string(),
                )),
            };
            match result {
                Ok(scored) => {
                    assessment.score = scored.total;
                    assessment.raw_score = scored.raw_total;
                    assessment.prorated = scored.prorated;
                    assessment.risk_flag = scored.risk_flag;
                }
                Err(failure) => unscored.push(failure.at(index, &answers.naming, assessment)),
            }
        }
        unscored
    });
    Some((answers, scored.into_iter().flatten().collect()))
}

/// Why one assessment cannot be scored, before its cell is named.
enum Failure {
    /// A scoring problem; with items, the problem names the item.
    Problem(ScoreProblem, Vec<Option<f64>>),
    /// The total given is not possible for the instrument.
    Total(f64, ScoreProblem),
    /// The total given is not the items' total.
    Mismatch { given: f64, from_items: f64 },
    /// Not about one cell.
    Row(String),
}

impl Failure {
    /// The reject: the cell named as the file names it.
    fn at(self, index: usize, naming: &Naming, assessment: &Assessment) -> Unscored {
        let (column, value, reason) = match (self, naming) {
            (Failure::Problem(problem, items), Naming::Canonical) => match problem.item() {
                Some(k) => {
                    let value =
                        items.get(k - 1).copied().flatten().map(|v| v.to_string()).unwrap_or_default();
                    (Some(format!("item_{k}")), Some(value), problem.to_string())
                }
                None => (None, None, problem.to_string()),
            },
            (Failure::Problem(problem, _), Naming::Survey { columns, .. }) => {
                let (id, headers) = columns
                    .get(&assessment.measure)
                    .map_or(("", &[][..]), |(id, headers)| (id.as_str(), headers.as_slice()));
                let column = problem.item().and_then(|k| headers.get(k - 1)).cloned();
                (column, None, format!("{id}: {problem}"))
            }
            (Failure::Total(given, problem), _) => {
                (Some("score".to_string()), Some(given.to_string()), problem.to_string())
            }
            (Failure::Mismatch { given, from_items }, _) => (
                Some("score".to_string()),
                Some(given.to_string()),
                format!("score {given} does not match the items' total {from_items}"),
            ),
            (Failure::Row(reason), _) => (None, None, reason),
        };
        Unscored { index, column, value, reason }
    }
}

/// One assessment's score from the total given, the items, or both (which must agree).
fn score_one(
    instrument: &Instrument,
    answers: &PendingAnswers,
    index: usize,
    assessment_given: f64,
    items: &mut Vec<Option<f64>>,
) -> Result<crate::instruments::Scored, Failure> {
    let any_item = answers.items(index, items);
    if any_item {
        // Blank items past those read are blank answers.
        items.resize(items.len().max(instrument.item_count()), None);
    }
    let from_items = |items: &[Option<f64>]| {
        instrument.score_items(items).map_err(|p| Failure::Problem(p, items.to_vec()))
    };
    // Until scored, `raw_score` is the total as entered (NaN when none was).
    let given = Some(assessment_given).filter(|v| !v.is_nan());
    match given {
        None => from_items(items),
        Some(given) => {
            let scored = instrument.score_total(given).map_err(|p| Failure::Total(given, p))?;
            if !any_item {
                return Ok(scored);
            }
            let from_items = from_items(items)?;
            if (from_items.raw_total - scored.raw_total).abs() > 1e-6 {
                return Err(Failure::Mismatch { given, from_items: from_items.raw_total });
            }
            Ok(from_items)
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::ingest::{DataSet, Ingest, SurveySource};
    use crate::instruments::Catalogue;

    const PARTICIPANTS: &str = "participant_id,pilot_id\np1,tt\np2,tt\np3,tt\n";

    fn load(outcomes: &str) -> DataSet {
        Ingest::new(Catalogue::builtin())
            .pilots(["tt"])
            .load_readers(PARTICIPANTS.as_bytes(), "p.csv", outcomes.as_bytes(), "o.csv")
            .unwrap()
    }

    fn rejects(data: &DataSet) -> Vec<(u64, Option<&str>, Option<&str>, &str)> {
        data.rejects()
            .entries()
            .iter()
            .map(|r| (r.row, r.column.as_deref(), r.value.as_deref(), r.reason.as_str()))
            .collect()
    }

    #[test]
    fn what_cannot_be_scored_is_rejected_naming_its_cell() {
        let data = load(
            "participant_id,pilot_id,measure,assessed_on,score,item_1,item_2,item_3,item_4,item_5,item_6,item_7,item_8,item_9\n\
             p1,tt,phq9,2025-01-10,30,,,,,,,,,\n\
             p1,tt,phq9,2025-01-11,,-1,0,0,0,0,0,0,0,0\n\
             p1,tt,phq9,2025-01-12,15.0,1,1,1,1,1,1,1,1,1\n\
             p1,tt,gad7,2025-01-12,,1,1,2.5,1,1,1,1,,\n\
             p2,tt,phq9,2025-01-10,,1,1,1,1,1,1,1,1,3\n\
             p2,tt,phq9,2025-01-11,9,1,1,1,1,1,1,1,1,1\n",
        );
        assert_eq!(
            rejects(&data),
            [
                (2, Some("score"), Some("30"), "total 30 is outside 0–27"),
                (3, Some("item_1"), Some("-1"), "item 1 is -1, outside 0–3"),
                (4, Some("score"), Some("15"), "score 15 does not match the items' total 9"),
                (5, Some("item_3"), Some("2.5"), "item 3 is 2.5, but GAD-7 answers are whole numbers"),
            ]
        );
        let f = &data.files()[1];
        assert_eq!((f.rows_read, f.rows_accepted, f.rows_rejected), (6, 2, 4));
        let scored: Vec<(f64, f64, bool)> =
            data.assessments().iter().map(|a| (a.score, a.raw_score, a.risk_flag)).collect();
        assert_eq!(scored, [(11.0, 11.0, true), (9.0, 9.0, true)]);
    }

    /// Repeats are judged among scored assessments: a row that could not be scored does
    /// not make its corrected repeat a duplicate; a repeat of a scored row is rejected.
    #[test]
    fn a_corrected_repeat_of_an_unscorable_row_is_kept() {
        let data = load(
            "participant_id,pilot_id,measure,assessed_on,score\n\
             p1,tt,phq9,2025-01-10,30\n\
             p1,tt,phq9,2025-01-10,12\n\
             p1,tt,phq9,2025-01-10,13\n",
        );
        assert_eq!(data.assessments().len(), 1);
        assert_eq!(data.assessments()[0].score, 12.0);
        let r = rejects(&data);
        assert_eq!(r[0].3, "total 30 is outside 0–27");
        assert_eq!(r[1].3, "repeats the phq9 assessment of participant 'p1' on 2025-01-10 (first at row 3)");
        let f = &data.files()[1];
        assert_eq!((f.rows_read, f.rows_accepted, f.rows_rejected), (3, 1, 2));
    }

    #[test]
    fn a_survey_row_is_rejected_once_and_a_resubmission_after_an_incomplete_form_is_kept() {
        let spec = "file = \"s.csv\"\ntool = \"google_forms\"\nparticipant = \"Participant ID\"\npilot = \"tt\"\n\
                    [[instrument]]\nmeasure = \"phq9\"\nprefix = \"PHQ-9 [\"\n\
                    [[instrument]]\nmeasure = \"gad7\"\nprefix = \"GAD-7 [\"\n";
        let source: SurveySource = toml::from_str(spec).unwrap();
        let header: Vec<String> = ["Timestamp".to_string(), "Participant ID".to_string()]
            .into_iter()
            .chain((1..=9).map(|k| format!("PHQ-9 [{k}]")))
            .chain((1..=7).map(|k| format!("GAD-7 [{k}]")))
            .collect();
        let form = |time: &str, id: &str, phq: usize, gad: usize| {
            let answers = |n, answered| (0..n).map(move |k| if k < answered { "Several days" } else { "" });
            [time, id].into_iter().chain(answers(9, phq)).chain(answers(7, gad)).collect::<Vec<_>>().join(",")
        };
        let text = [
            header.join(","),
            // Row 2: PHQ-9 too incomplete to score, GAD-7 complete.
            form("22/04/2025 10:00:00", "p1", 5, 7),
            // Row 3: resubmitted in full: its PHQ-9 is new, its GAD-7 a duplicate.
            form("22/04/2025 11:00:00", "p1", 9, 7),
            // Row 4: both questionnaires too incomplete: one rejected row, two reasons.
            form("22/04/2025 12:00:00", "p2", 4, 3),
        ]
        .join("\n");
        let ingest = Ingest::new(Catalogue::builtin()).pilots(["tt"]);
        let mut data = ingest
            .load_readers(
                PARTICIPANTS.as_bytes(),
                "p.csv",
                "participant_id,pilot_id,measure,assessed_on,score\n".as_bytes(),
                "o.csv",
            )
            .unwrap();
        ingest.add_survey_reader(&mut data, &source, text.as_bytes(), "s.csv").unwrap();
        let r = rejects(&data);
        assert_eq!(r.len(), 4, "{r:?}");
        assert_eq!((r[0].0, r[0].1), (2, Some("PHQ-9 [6]")));
        assert!(r[0].3.starts_with("phq9: items 6, 7, 8, 9 are blank"), "{}", r[0].3);
        assert_eq!(
            r[1],
            (
                3,
                Some("Participant ID"),
                Some("p1"),
                "participant 'p1' already submitted gad7 on 2025-04-22 (first at row 2): a duplicate submission"
            )
        );
        assert_eq!((r[2].0, r[3].0), (4, 4));
        let f = data.files().last().unwrap();
        assert_eq!((f.rows_read, f.rows_accepted, f.rows_rejected), (3, 0, 3));
        let kept: Vec<(u64, &str)> =
            data.assessments().iter().map(|a| (a.row, data.measure_id(a.measure))).collect();
        assert_eq!(kept, [(2, "gad7"), (3, "phq9")]);
    }
}
