//! # coproduction
//!
//! Evaluate community co-production pilots — psychological therapies in faith and
//! community settings, community blood pressure checks, dementia carers' groups, wellbeing
//! programmes — from the survey data they actually have, and measure their social value.
//!
//! One reproducible pipeline, data flowing one way:
//!
//! ```text
//! plan.toml ─┐
//! CSV/Parquet ─► ingest ─► score ─► pair ─► outcomes ─► equity ─► value ─► report
//! ```
//!
//! ## Ten seconds
//!
//! ```
//! use coproduction::{Catalogue, Ingest};
//!
//! let participants = "participant_id,pilot_id,end_date,treatment_sessions\n\
//!                     p1,tt,2025-03-01,6\n";
//! let outcomes = "participant_id,pilot_id,measure,assessed_on,score\n\
//!                 p1,tt,phq9,2025-01-10,16\n\
//!                 p1,tt,phq9,2025-03-01,30\n";
//! let data = Ingest::new(Catalogue::builtin())
//!     .load_readers(participants.as_bytes(), "participants.csv", outcomes.as_bytes(), "outcomes.csv")
//!     .unwrap();
//! // A PHQ-9 total of 30 is impossible (0-27): the row is rejected with its reason,
//! // and every row read is accounted for.
//! let reject = &data.rejects().entries()[0];
//! // Rows are numbered as a spreadsheet shows them: the header is row 1.
//! assert_eq!((reject.row, reject.column.as_deref()), (3, Some("score")));
//! assert_eq!(data.files()[1].rows_read, data.files()[1].rows_accepted + data.files()[1].rows_rejected);
//! ```
//!
//! ## What is where
//!
//! - **Ingest** ([`Ingest`], [`DataSet`], [`Rejects`]): canonical CSV, Parquet and polars
//!   frames; every cell validated; every row accepted or listed with its reason.
//! - **Instruments** ([`Catalogue`], [`Instrument`]): PHQ-9, GAD-7, WEMWBS, ONS4, Zarit,
//!   DEMQOL, EQ-5D, blood pressure and more, as data files with their sources and
//!   confidence; users add their own.
//! - **Statistics** ([`stats`]): paired t, Wilcoxon signed-rank, effect sizes, Wilson and
//!   Newcombe intervals, checked against scipy.
//! - **Social value** ([`value`]): SROI with Green Book discounting, GDP deflator uprating,
//!   sensitivity and Monte Carlo.
//! - **Synthetic data** ([`Synthetic`]): the seeded generator behind the demo and benches.
//!
//! The design, and why it is shaped this way, is in `DESIGN.md`.

#![deny(missing_docs)]
#![forbid(unsafe_code)]
#![deny(clippy::missing_errors_doc)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod date;
mod date_pattern;
pub mod delivery;
mod demo;
mod disclosure;
pub mod equity;
mod error;
mod ingest;
mod instruments;
mod metric;
mod outcomes;
mod parallel;
mod pipeline;
mod plain_toml;
mod plan;
pub mod publish;
pub mod report;
mod score;
pub mod stats;
mod synthetic;
mod templates;
pub mod value;

pub use date::{Date, DateFormat, DatePattern, DateSeparator};
pub use delivery::{
    Activity, ActivityRules, Classification, DeliveryOverview, PilotDelivery, VenueSetting, delivery_for,
    load_activities, load_activities_path, load_activities_with,
};
pub use demo::write_demo;
pub use error::{Error, ErrorCategory, Location, Result};
pub use ingest::{
    AgeBand, Assessment, DataSet, FileSummary, Ingest, LabelSet, MAX_TEXT_CHARS, Measure, Participant,
    Recode, RecodeRule, Reject, Rejects, Setting, SurveyInspection, SurveyInstrument, SurveySource,
    SurveyTool, inspect_survey, inspect_survey_with, neutralise_formula,
};
pub use instruments::*;
pub use metric::{HEADLINE_MEASURES, MeasureMetric, Metric, NATIONAL_RELIABLE_RECOVERY, parse_link};
pub use outcomes::*;
pub use pipeline::Pipeline;
pub use pipeline::{Evaluation, InputFile, Validation};
pub use plan::{
    DataPlan, DisclosurePlan, EQUITY_DIMENSIONS, EquityPlan, ImpactMapSource, Period, Plan, ReportPlan,
    SocialValuePlan,
};
pub use publish::{DisclosureRule, Hidden, Publication, Published, publish};
pub use report::{
    Block, Document, HtmlPrinter, JsonPrinter, MarkdownPrinter, RESULTS_SCHEMA, ReportOptions,
    SCHEMA_VERSION, WrittenReport, build_document, write_published, write_report,
};
pub use synthetic::{DEMO_PILOTS, Synthetic, SyntheticCounts};
pub use templates::init_templates;
