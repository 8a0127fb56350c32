//! The loaders: the ingest stage and the score stage, file by file.
//!
//! Each file is read (ingest: every cell checked, rows rejected with their reasons, the
//! answers kept) and then scored (the score stage: answers become scores, or rejects),
//! before the next file is read, so that a survey export's duplicates are found among
//! scored assessments and a file's rejects are listed in row order.

use std::io::Read;
use std::path::Path;

#[cfg(feature = "polars")]
use polars::prelude::DataFrame;

use crate::error::Result;
use crate::ingest::{DataSet, Ingest, SurveySource};

impl Ingest<'_> {
    /// Loads two files, each CSV, Parquet (`.parquet`) or a workbook (`.xlsx`, `.xlsm`, `.xls`,
    /// `.ods`), and scores their assessments.
    ///
    /// # Errors
    ///
    /// [`Error::Io`](crate::Error::Io) if a file cannot be opened; [`Error::NotATable`](crate::Error::NotATable), [`Error::Csv`](crate::Error::Csv),
    /// [`Error::Workbook`](crate::Error::Workbook), [`Error::Parquet`](crate::Error::Parquet) or [`Error::MissingColumn`](crate::Error::MissingColumn) if it cannot be read
    /// as a table with the required columns. Rows that fail their checks are rejected, not
    /// errors.
    pub fn load_paths(&self, participants: &Path, outcomes: &Path) -> Result<DataSet> {
        let mut data = self.read_paths(participants, outcomes)?;
        self.score_last_file(&mut data);
        Ok(data)
    }

    /// Loads CSV text from two readers and scores the assessments; the labels name the files in messages.
    ///
    /// # Errors
    ///
    /// As [`Ingest::load_paths`], for the readers' text.
    pub fn load_readers(
        &self,
        participants: impl Read,
        participants_label: &str,
        outcomes: impl Read,
        outcomes_label: &str,
    ) -> Result<DataSet> {
        let mut data = self.read_readers(participants, participants_label, outcomes, outcomes_label)?;
        self.score_last_file(&mut data);
        Ok(data)
    }

    #[cfg(feature = "polars")]
    /// Loads two polars frames with the canonical columns (any column types; native date
    /// columns are accepted). Every cell goes through the same checks as a CSV cell.
    ///
    /// # Errors
    ///
    /// As [`Ingest::load_paths`], for the frames' columns.
    pub fn load_frames(&self, participants: &DataFrame, outcomes: &DataFrame) -> Result<DataSet> {
        let mut data = self.read_frames(participants, outcomes)?;
        self.score_last_file(&mut data);
        Ok(data)
    }

    /// Adds the assessments of a survey export to loaded data. Each survey row yields one
    /// assessment per instrument; a row is accepted when all of its assessments are, and
    /// otherwise every rejected assessment is listed (per file: rows read = rows fully
    /// accepted + rows with at least one rejected assessment).
    ///
    /// # Errors
    ///
    /// [`Error::Io`](crate::Error::Io) if the export cannot be opened; a table or workbook
    /// error if it cannot be read; [`Error::Unknown`](crate::Error::Unknown) or
    /// [`Error::MissingColumn`](crate::Error::MissingColumn) if the settings name an
    /// instrument, label set or column that does not exist.
    pub fn add_survey(&self, data: &mut DataSet, source: &SurveySource) -> Result<()> {
        self.read_survey_file(data, source)?;
        self.score_last_file(data);
        Ok(())
    }

    /// [`Ingest::add_survey`] from any reader.
    ///
    /// # Errors
    ///
    /// As [`Ingest::add_survey`].
    pub fn add_survey_reader(
        &self,
        data: &mut DataSet,
        source: &SurveySource,
        input: impl Read,
        label: &str,
    ) -> Result<()> {
        self.read_survey_reader(data, source, input, label)?;
        self.score_last_file(data);
        Ok(())
    }

    /// The score stage on the file last read, then the file finished (what could not be
    /// scored rejected, repeats of scored assessments rejected, rejects in row order).
    fn score_last_file(&self, data: &mut DataSet) {
        if let Some((answers, unscored)) = crate::score::score(self.catalogue(), data) {
            self.finish_scoring(data, &answers, unscored);
        }
    }
}
