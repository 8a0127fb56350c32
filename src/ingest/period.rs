//! The evaluation period applied to assessments: a file's rows dated outside it are moved
//! to the rejects once the file is read, each row once with its reason.

use std::sync::OnceLock;

use super::DataSet;
use crate::date::DateFormat;
use crate::plan::Period;

impl DataSet {
    /// Rejects the assessments from `first` on (those the last file added) that are dated
    /// outside `period`, adjusting that file's accounting. A survey row's questionnaires
    /// share one date, so a row is rejected whole.
    pub(crate) fn reject_outside_period(&mut self, first: usize, period: Period, format: DateFormat) {
        let Some(summary) = self.files.last_mut() else { return };
        let label = summary.file.clone();
        let mut rejected_rows = std::collections::BTreeSet::new();
        let mut any = false;
        for a in &self.assessments[first.min(self.assessments.len())..] {
            if !period.contains(a.assessed_on) {
                any = true;
                if rejected_rows.insert(a.row) {
                    self.rejects.push(
                        &label,
                        a.row,
                        Some("assessed_on"),
                        Some(&a.assessed_on.format(format)),
                        format!("dated outside the evaluation period ({period})"),
                    );
                    summary.rows_accepted = summary.rows_accepted.saturating_sub(1);
                    summary.rows_rejected += 1;
                }
            }
        }
        if any {
            let mut index = 0;
            self.assessments.retain(|a| {
                let keep = index < first || period.contains(a.assessed_on);
                index += 1;
                keep
            });
            self.order = OnceLock::new();
        }
    }
}
