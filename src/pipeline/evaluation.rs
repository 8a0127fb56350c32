//! Running a plan: the one entry point from files to typed results.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::ingest::{DataSet, Ingest};
use crate::instruments::Catalogue;
use crate::metric::Metric;
use crate::outcomes::Outcomes;
use crate::plan::{ImpactMapSource, Plan};
use crate::{equity, value};

/// Everything a plan produces, ready for the report printers or for embedding.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Evaluation {
    /// The plan that was run.
    pub plan: Plan,
    /// The instruments used (built-in plus the plan's own).
    pub catalogue: Catalogue,
    /// The loaded data with its rejects.
    pub data: DataSet,
    /// Outcome figures per pilot.
    pub outcomes: Outcomes,
    /// Reach and outcomes by group, exact: [`mod@crate::publish`] applies disclosure control.
    pub equity: Vec<equity::PilotEquity>,
    /// How the work was delivered, per pilot, when the plan names an activities table.
    pub delivery: Vec<crate::delivery::PilotDelivery>,
    /// The activities, as loaded.
    pub activities: Vec<crate::delivery::Activity>,
    /// All pilots' delivery, partners over time, cost of delivery and the map of local
    /// provision, when the plan names an activities table.
    pub delivery_overview: Option<crate::delivery::DeliveryOverview>,
    /// Social value, when the plan has an impact map.
    pub social_value: Option<value::SocialValue>,
    /// Notes for the user: how files were read, principle checks, plan warnings.
    pub warnings: Vec<String>,
    /// Every input file with its SHA-256 checksum, so that a reader of the report can
    /// check the figures came from exactly these files.
    pub inputs: Vec<InputFile>,
}

/// An input file and its checksum.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct InputFile {
    /// The path as the plan names it.
    pub path: PathBuf,
    /// SHA-256 as 64 lowercase hex digits; `None` when the file could not be read again.
    pub sha256: Option<String>,
}

impl Plan {
    /// Loads the plan's instruments and data, and checks them, without computing results.
    ///
    /// # Errors
    ///
    /// An instrument file's error, [`Error::TooLarge`] when the data would not fit in the
    /// memory limit, or a data file's read error; rejected rows are not errors.
    pub fn load_data(&self) -> Result<(Catalogue, DataSet)> {
        self.load_data_counted(None)
    }

    /// [`Plan::load_data`], adding the bytes read to `counter` when given.
    fn load_data_counted(
        &self,
        counter: Option<(Arc<AtomicU64>, Arc<AtomicU64>)>,
    ) -> Result<(Catalogue, DataSet)> {
        self.check_inputs()?;
        let catalogue = self.catalogue()?;
        check_input(&self.data.participants, "participants")?;
        check_input(&self.data.outcomes, "outcomes")?;
        self.check_memory()?;
        let mut ingest = Ingest::new(&catalogue)
            .date_format(self.data.date_format)
            .sheets(self.data.participants_sheet.as_deref(), self.data.outcomes_sheet.as_deref())
            .pilots(self.pilots.iter().map(|p| p.id.clone()));
        if let Some((bytes, lines)) = counter {
            ingest = ingest.count_bytes(bytes).count_lines(lines);
        }
        let mut data = ingest.load_paths(&self.data.participants, &self.data.outcomes)?;
        if let Some(period) = self.period {
            data.reject_outside_period(0, period, self.data.date_format);
        }
        for survey in &self.data.surveys {
            check_input(&survey.file, "survey")?;
            let first = data.assessments().len();
            ingest.add_survey(&mut data, survey)?;
            if let Some(period) = self.period {
                data.reject_outside_period(first, period, self.data.date_format);
            }
        }
        Ok((catalogue, data))
    }

    /// The built-in instruments and the plan's own.
    fn catalogue(&self) -> Result<Catalogue> {
        let mut catalogue = Catalogue::with_builtin()?;
        for file in &self.data.instruments {
            catalogue.add_from_file(file)?;
        }
        Ok(catalogue)
    }

    /// Loads the activities table, if the plan names one, into `data`'s accounting.
    pub(crate) fn load_activities(&self, data: &mut DataSet) -> Result<Vec<crate::delivery::Activity>> {
        let Some(path) = &self.data.activities else { return Ok(Vec::new()) };
        check_input(path, "activities")?;
        let rules = crate::delivery::ActivityRules {
            date_format: self.data.date_format,
            pilots: self.pilots.iter().map(|p| p.id.clone()).collect(),
            period: self.period,
            classification: self.classification()?,
        };
        let (activities, summary, rejects) = crate::delivery::load_activities_path(path, &rules)?;
        data.add_file(summary, rejects);
        Ok(activities)
    }

    /// The bundled venue and organisation types, extended by the plan's file.
    fn classification(&self) -> Result<crate::delivery::Classification> {
        match &self.data.classification {
            Some(path) => {
                check_input(path, "classification")?;
                crate::delivery::Classification::with_file(path)
            }
            None => crate::delivery::Classification::builtin(),
        }
    }

    /// The map of local provision from the activities, the provision file and the
    /// population file's areas; the provision file's rows enter `data`'s accounting.
    fn provision(
        &self,
        data: &mut DataSet,
        activities: &[crate::delivery::Activity],
        classification: &crate::delivery::Classification,
        population: Option<&equity::Population>,
    ) -> Result<crate::delivery::ProvisionMap> {
        let others = match &self.data.provision {
            Some(path) => {
                check_input(path, "provision")?;
                let (providers, summary, rejects) =
                    crate::delivery::load_provision_path(path, classification)?;
                data.add_file(summary, rejects);
                providers
            }
            None => Vec::new(),
        };
        // Residents and IMD decile by area, from the population file's `area` rows.
        let need = population.map(|p| p.groups("area")).unwrap_or_default();
        Ok(crate::delivery::provision_map(activities, &others, &need))
    }

    /// Runs the whole evaluation: ingest, outcomes, equity, social value.
    ///
    /// # Errors
    ///
    /// Any stage's error: unreadable or invalid inputs, [`Error::TooLarge`],
    /// [`Error::NoAcceptedRows`] when a required input has no accepted rows, an impact map link
    /// that cannot be resolved, or [`Error::Disclosure`] when the figures cannot be published.
    pub fn run(&self) -> Result<Evaluation> {
        self.run_with_progress(&|_| {})
    }

    /// [`Plan::run`], telling `progress` as each stage starts ("Reading the data",
    /// "Outcomes", ...), so a program can show where a long run is. The library prints
    /// nothing itself.
    ///
    /// # Errors
    ///
    /// As [`Plan::run`].
    pub fn run_with_progress(&self, progress: &(dyn Fn(&str) + Sync)) -> Result<Evaluation> {
        // The checksums need a second read of every input: it runs beside the ingest and
        // costs little wall time. If the evaluation fails (data over the memory limit is
        // refused before a row is read), the checksums stop at their next block.
        let failed = AtomicBool::new(false);
        let bytes = Arc::new(AtomicU64::new(0));
        let lines = Arc::new(AtomicU64::new(0));
        // Dropped when the data is read, which wakes the progress thread at once (a
        // sleeping thread would hold every run back by up to its interval).
        let (reading, read_done) = std::sync::mpsc::channel::<()>();
        let total: u64 = [&self.data.participants, &self.data.outcomes]
            .iter()
            .filter_map(|p| std::fs::metadata(p).ok())
            .map(|m| m.len())
            .sum();
        std::thread::scope(|scope| {
            let checksums = scope.spawn(|| self.checksums(&failed));
            // How far the load has gone, four times a second while it lasts.
            let (bytes_read, lines_read) = (&bytes, &lines);
            scope.spawn(move || {
                let interval = std::time::Duration::from_millis(250);
                while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = read_done.recv_timeout(interval) {
                    let done = bytes_read.load(Ordering::Relaxed);
                    if done > 0 {
                        progress(&format!(
                            "Reading the data: {} of {} MB, {} lines",
                            done / 1_000_000,
                            total.div_ceil(1_000_000),
                            crate::report::format::thousands(lines_read.load(Ordering::Relaxed) as f64, 0),
                        ));
                    }
                }
            });
            let evaluation = self.evaluate(progress, (Arc::clone(&bytes), Arc::clone(&lines)), reading);
            failed.store(evaluation.is_err(), Ordering::Relaxed);
            // A panic while checksumming is a bug: it is passed on, not turned into
            // a report without checksums.
            let inputs = checksums.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            evaluation.map(|e| Evaluation { inputs, ..e })
        })
    }

    /// The plan's input files with their checksums.
    pub fn input_files(&self) -> Vec<InputFile> {
        self.checksums(&AtomicBool::new(false))
    }

    /// Every file the plan names: data, surveys, activities, population, impact map and
    /// instrument files (the plan file itself is [`Plan::file`]).
    pub fn input_paths(&self) -> Vec<PathBuf> {
        let mut paths = vec![self.data.participants.clone(), self.data.outcomes.clone()];
        paths.extend(self.data.surveys.iter().map(|s| s.file.clone()));
        paths.extend(self.data.activities.clone());
        paths.extend(self.data.provision.clone());
        paths.extend(self.data.classification.clone());
        paths.extend(self.equity.population.clone());
        if let Some(ImpactMapSource::File(path)) = self.social_value.as_ref().map(|sv| &sv.impact_map) {
            paths.push(path.clone());
        }
        paths.extend(self.social_value.as_ref().and_then(|sv| sv.deflator.clone()));
        paths.extend(self.rules.talking_therapies.adsm.clone());
        paths.extend(self.data.instruments.iter().cloned());
        paths
    }

    fn checksums(&self, stop: &AtomicBool) -> Vec<InputFile> {
        self.input_paths()
            .into_iter()
            .map(|path| InputFile { sha256: sha256_file(&path, stop).ok(), path })
            .collect()
    }

    fn evaluate(
        &self,
        progress: &(dyn Fn(&str) + Sync),
        counters: (Arc<AtomicU64>, Arc<AtomicU64>),
        reading: std::sync::mpsc::Sender<()>,
    ) -> Result<Evaluation> {
        progress("Checking the inputs and reading the data");
        let loaded = self.load_data_counted(Some(counters));
        drop(reading);
        let (catalogue, mut data) = loaded?;
        let activities = self.load_activities(&mut data)?;
        // A required input whose every row was rejected cannot be evaluated: stop with
        // the fix, not a report of empty figures.
        if let Some(unusable) = crate::ingest::unusable_inputs(&data).into_iter().next() {
            return Err(unusable);
        }
        self.compute(catalogue, data, activities, progress)
    }

    /// Every stage after loading: outcomes, delivery, equity, social value.
    pub(crate) fn compute(
        &self,
        catalogue: Catalogue,
        mut data: DataSet,
        activities: Vec<crate::delivery::Activity>,
        progress: &(dyn Fn(&str) + Sync),
    ) -> Result<Evaluation> {
        // Read once: the equity stage and the map of local provision both use it.
        let population = self.population()?;
        let overview = match self.data.activities {
            Some(_) => {
                let classification = self.classification()?;
                let provision =
                    self.provision(&mut data, &activities, &classification, population.as_ref())?;
                Some((
                    crate::delivery::overview(&activities, &data, self.period, &classification, provision),
                    crate::delivery::unrecognised_types(&activities, &classification),
                ))
            }
            None => None,
        };
        let mut warnings: Vec<String> = data.warnings().to_vec();
        warnings.extend(overview.iter().flat_map(|o| o.1.iter().cloned()));
        let mut delivery_overview = overview.map(|o| o.0);
        if data.participants().is_empty() {
            return Err(Error::NotEnoughData {
                what: "an evaluation (accepted participants)",
                needed: 1,
                available: 0,
            });
        }
        progress(&format!("Outcomes of {} pilot(s)", self.pilots.len()));
        let outcomes = crate::outcomes::evaluate_outcomes_telling(
            &data,
            &self.pilots,
            &catalogue,
            &self.rules,
            progress,
        )?;
        let delivery: Vec<crate::delivery::PilotDelivery> = match &delivery_overview {
            Some(o) => {
                let fte = o.weeks.map(|w| (w, o.fte_hours_per_week));
                self.pilots
                    .iter()
                    .map(|p| crate::delivery::figures(Some(&p.id), &activities, &data, fte))
                    .collect()
            }
            None => Vec::new(),
        };
        progress("Who was reached and who benefited, by group");
        let equity = self.equity_with(&data, &outcomes, population.as_ref())?;
        let social_value = match &self.social_value {
            Some(sv) => {
                progress(&format!("Social value, {} Monte Carlo draws", sv.draws));
                let map = match &sv.impact_map {
                    ImpactMapSource::File(path) => value::ImpactMap::from_file(path)?,
                    ImpactMapSource::Inline(table) => {
                        value::ImpactMap::from_toml_table(table.clone(), "[social_value]")?
                    }
                };
                let measured = Measured { outcomes: &outcomes, delivery: &delivery };
                let deflator = match &sv.deflator {
                    Some(path) => value::GdpDeflator::from_file(path)?,
                    None => value::GdpDeflator::builtin()?,
                };
                let result = value::evaluate_with(&map, &measured, &deflator, sv.draws, sv.seed)?;
                warnings.extend(result.warnings.iter().cloned());
                let participants = data.participants().len() as u64;
                delivery_overview =
                    delivery_overview.map(|o| o.with_cost(&map.inputs, &result.inputs, participants));
                Some(result)
            }
            None => None,
        };
        Ok(Evaluation {
            plan: self.clone(),
            catalogue,
            data,
            outcomes,
            equity,
            delivery,
            activities,
            delivery_overview,
            social_value,
            warnings,
            inputs: Vec::new(),
        })
    }
}

#[cfg(feature = "polars")]
impl Plan {
    /// [`Plan::run`] with the participants and outcomes given as polars frames, for a
    /// program that holds the data in memory: the plan's `participants` and `outcomes`
    /// files are not read (every other file it names is). Every cell goes through the
    /// checks a CSV cell does; rejects name the files `participants frame` and
    /// `outcomes frame`.
    ///
    /// # Errors
    ///
    /// As [`Plan::run`].
    pub fn run_frames(
        &self,
        participants: &polars::prelude::DataFrame,
        outcomes: &polars::prelude::DataFrame,
    ) -> Result<Evaluation> {
        let catalogue = self.catalogue()?;
        let mut data = {
            let ingest = Ingest::new(&catalogue)
                .date_format(self.data.date_format)
                .pilots(self.pilots.iter().map(|p| p.id.clone()));
            let mut data = ingest.load_frames(participants, outcomes)?;
            for survey in &self.data.surveys {
                check_input(&survey.file, "survey")?;
                ingest.add_survey(&mut data, survey)?;
            }
            data
        };
        let activities = self.load_activities(&mut data)?;
        if let Some(unusable) = crate::ingest::unusable_inputs(&data).into_iter().next() {
            return Err(unusable);
        }
        let mut evaluation = self.compute(catalogue, data, activities, &|_| {})?;
        // The frames are not files: only the plan's other inputs have checksums.
        let frames = [&self.data.participants, &self.data.outcomes];
        evaluation.inputs.extend(
            self.input_paths()
                .into_iter()
                .filter(|path| !frames.contains(&path))
                .map(|path| InputFile { sha256: sha256_file(&path, &AtomicBool::new(false)).ok(), path }),
        );
        Ok(evaluation)
    }
}

/// What `quantity_from` and `hours_from` links resolve against: the outcome figures and
/// the delivery figures.
struct Measured<'a> {
    outcomes: &'a Outcomes,
    delivery: &'a [crate::delivery::PilotDelivery],
}

impl value::MeasuredQuantities for Measured<'_> {
    fn quantity(&self, pilot: &str, metric: &Metric) -> Option<value::LinkedQuantity> {
        let fixed = |count: f64| {
            Some(value::LinkedQuantity { count, denominator: None, ci_low: None, ci_high: None })
        };
        let d = self.delivery.iter().find(|d| d.pilot == pilot);
        match metric {
            Metric::VolunteerHours => fixed(d?.volunteer_hours),
            Metric::StaffHours => fixed(d?.staff_hours),
            Metric::LeadersTrained => fixed(d?.leaders_trained as f64),
            Metric::Sessions => fixed(d?.by_venue.iter().map(|v| v.1).sum::<u64>() as f64),
            Metric::Attendances => fixed(d?.by_venue.iter().map(|v| v.2).sum::<u64>() as f64),
            _ => self.outcomes.metric(pilot, metric),
        }
    }
}

/// Peak memory per participant row and per assessment, measured on the generated
/// national-scale data (1,000,000 participants and 9.4 million assessments: 341 MB with
/// the participants alone, 875 MB in all; `benches/README.md`), with a third more for
/// longer ids and categories.
const MEMORY_PER_PARTICIPANT: u64 = 450;
const MEMORY_PER_ASSESSMENT: u64 = 75;
/// Memory per cell of a Parquet file while it is read: polars' columns and their text
/// form (about 27 bytes measured with 100,000 participants; `benches/README.md`).
const MEMORY_PER_PARQUET_CELL: u64 = 40;

impl Plan {
    /// Refuses data that would need more memory than the limit, before reading a row.
    /// The need is estimated from the rows the input files hold: a CSV file's from its
    /// size and first lines, a Parquet file's from its footer.
    fn check_memory(&self) -> Result<()> {
        let (limit, limit_source) = match self.memory_limit {
            Some(limit) => (limit, "set by the caller"),
            None => match available_memory() {
                Some(available) => (available, "the memory this system has available"),
                None => return Ok(()),
            },
        };
        // Each file with the memory one of its rows needs: a survey row becomes one
        // assessment per questionnaire.
        let mut files = vec![
            (&self.data.participants, MEMORY_PER_PARTICIPANT),
            (&self.data.outcomes, MEMORY_PER_ASSESSMENT),
        ];
        files.extend(
            self.data.surveys.iter().map(|s| (&s.file, MEMORY_PER_ASSESSMENT * s.instruments.len() as u64)),
        );
        let (mut bytes, mut rows, mut needed) = (0u64, 0u64, 0u64);
        for (path, per_row) in &files {
            // An unreadable file is reported by the load, with its own message.
            let Ok(size) = crate::ingest::table_size(path) else { continue };
            let per_row = per_row + size.parquet_columns.map_or(0, |c| c * MEMORY_PER_PARQUET_CELL);
            bytes += size.bytes;
            rows += size.rows;
            needed = needed.saturating_add(size.rows.saturating_mul(per_row));
        }
        if needed <= limit {
            return Ok(());
        }
        Err(Error::TooLarge {
            files: files.iter().map(|(p, _)| p.display().to_string()).collect::<Vec<_>>().join(", "),
            bytes,
            rows,
            needed,
            limit,
            limit_source,
        })
    }
}

/// `MemAvailable` of /proc/meminfo, in bytes; `None` where the system does not say.
fn available_memory() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// SHA-256 of a file, read in blocks: a national extract is never held in memory whole.
/// Gives up (an error) once `stop` is set.
fn sha256_file(path: &Path, stop: &AtomicBool) -> std::io::Result<String> {
    sha256_hex(std::fs::File::open(path)?, stop)
}

fn sha256_hex(mut input: impl Read, stop: &AtomicBool) -> std::io::Result<String> {
    let mut hasher = Sha256::new();
    let mut block = vec![0u8; 1 << 20];
    loop {
        if stop.load(Ordering::Relaxed) {
            return Err(std::io::Error::other("stopped: the evaluation failed"));
        }
        match input.read(&mut block) {
            Ok(0) => break,
            Ok(n) => hasher.update(&block[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(hasher.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// An evaluation answers the impact map's links as the run did: outcome figures and
/// delivery figures. Lets an embedder re-value a map (other proxies, more draws) without
/// loading the data again.
impl value::MeasuredQuantities for Evaluation {
    fn quantity(&self, pilot: &str, metric: &Metric) -> Option<value::LinkedQuantity> {
        Measured { outcomes: &self.outcomes, delivery: &self.delivery }.quantity(pilot, metric)
    }
}

impl Plan {
    /// Checks every file the plan names before any data row is read: each exists, is a
    /// readable file, and has the header (or, for the impact map and population, the
    /// content) it needs. A wrong activities file is reported at once, not after minutes
    /// of reading participants.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if a file is missing or unreadable, [`Error::MissingColumn`] or
    /// [`Error::NotATable`] if a table's header is wrong, or the parse error of the impact map
    /// or population file.
    pub fn check_inputs(&self) -> Result<()> {
        for file in &self.data.instruments {
            check_readable(file, "instruments")?;
        }
        check_input(&self.data.participants, "participants")?;
        crate::ingest::check_table_header(&self.data.participants, &["participant_id", "pilot_id"])?;
        check_input(&self.data.outcomes, "outcomes")?;
        crate::ingest::check_table_header(
            &self.data.outcomes,
            &["participant_id", "pilot_id", "measure", "assessed_on"],
        )?;
        for survey in &self.data.surveys {
            check_readable(&survey.file, "survey")?;
        }
        if let Some(path) = &self.data.activities {
            check_readable(path, "activities")?;
            crate::delivery::check_activities_header(path)?;
        }
        if let Some(path) = &self.data.provision {
            check_readable(path, "provision")?;
        }
        if let Some(path) = &self.data.classification {
            check_readable(path, "classification")?;
        }
        if let Some(path) = &self.equity.population {
            check_readable(path, "population")?;
            equity::Population::from_path(path)?;
        }
        if let Some(ImpactMapSource::File(path)) = self.social_value.as_ref().map(|sv| &sv.impact_map) {
            check_readable(path, "impact map")?;
            value::ImpactMap::from_file(path)?;
        }
        Ok(())
    }

    /// Refuses an output folder that holds (or is, or lies inside) any of the plan's
    /// inputs or the plan itself, a link, a file, or a non-empty folder that is not a
    /// report: see [`crate::report::check_output_dir`]. Cheap: call it before
    /// [`Plan::run`].
    ///
    /// # Errors
    ///
    /// [`Error::Output`] if the folder holds an input, is a link, or is a non-empty folder that
    /// is not a report.
    pub fn check_output_dir(&self, out: &Path) -> Result<()> {
        let inputs: Vec<PathBuf> = self.input_paths().into_iter().chain(self.file.clone()).collect();
        crate::report::check_output_dir(out, &inputs)
    }
}

/// Exists, is a file, and opens for reading.
fn check_readable(path: &Path, what: &str) -> Result<()> {
    check_input(path, what)?;
    if path.is_dir() {
        return Err(Error::NotATable {
            file: path.display().to_string(),
            reason: format!("the plan's {what} file is a folder, not a file"),
        });
    }
    std::fs::File::open(path).map(|_| ()).map_err(|e| Error::io("read", path, e))
}

fn check_input(path: &Path, what: &str) -> Result<()> {
    if !path.exists() {
        return Err(Error::io(
            "read",
            path,
            std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("the plan's {what} file does not exist"),
            ),
        ));
    }
    Ok(())
}

impl Plan {
    /// The equity stage alone: each pilot's reach and outcomes by the plan's dimensions,
    /// under its disclosure control, against its population file if it names one.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] or a table error if the population file cannot be read, or
    /// [`Error::InvalidData`] if a breakdown's input is inconsistent.
    pub fn equity(&self, data: &DataSet, outcomes: &Outcomes) -> Result<Vec<equity::PilotEquity>> {
        self.equity_with(data, outcomes, self.population()?.as_ref())
    }

    /// The plan's population file, when it names one.
    fn population(&self) -> Result<Option<equity::Population>> {
        self.equity.population.as_deref().map(equity::Population::from_path).transpose()
    }

    /// [`Plan::equity`] against a population already read.
    fn equity_with(
        &self,
        data: &DataSet,
        outcomes: &Outcomes,
        population: Option<&equity::Population>,
    ) -> Result<Vec<equity::PilotEquity>> {
        // Each pilot's participants, found in one pass over them all (not one per pilot).
        // A participant's pilot is the last one matched when it can be: files list a
        // pilot's participants together.
        let mut members: Vec<Vec<usize>> = vec![Vec::new(); outcomes.pilots.len()];
        let mut last = 0;
        for (i, p) in data.participants().iter().enumerate() {
            let is = |k: &usize| outcomes.pilots.get(*k).is_some_and(|q| *q.id == *p.pilot_id);
            if let Some(k) = Some(last).filter(is).or_else(|| (0..outcomes.pilots.len()).find(is)) {
                members[k].push(i);
                last = k;
            }
        }
        let pilots: Vec<_> = outcomes.pilots.iter().zip(&members).collect();
        // Pilots are independent: each is analysed on its own core.
        let all = crate::parallel::map(&pilots, |&(pilot, members)| {
            let dimensions = &self.equity.dimensions;
            let input = equity::input::from_outcomes(data, outcomes, pilot, members, dimensions);
            equity::analyse(&input, population)
        });
        all.into_iter().collect()
    }
}

/// What [`Plan::validate`] found: per-file accounting, the rejects and the notes.
#[derive(Debug, Clone, serde::Serialize)]
#[non_exhaustive]
pub struct Validation {
    /// Required inputs with no accepted rows, each with the one most useful fix: the
    /// plan cannot be run until they are mended.
    pub unusable: Vec<String>,
    /// Rows read, accepted and rejected per file.
    pub files: Vec<crate::ingest::FileSummary>,
    /// The rejected rows.
    pub rejects: crate::ingest::Rejects,
    /// Notes about how the files were read, and plan warnings.
    pub warnings: Vec<String>,
    /// Why the figures cannot be published under the disclosure rule (too few people in
    /// all, or a small count nothing can protect), when that is so: `run` would stop with
    /// this error and write nothing.
    pub unpublishable: Option<String>,
}

impl Validation {
    /// The validation as JSON text.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidData`] if a value cannot be represented
    /// in JSON.
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(self)
            .map_err(|e| Error::invalid(crate::error::Location::file("validation.json"), e.to_string()))
    }
}

impl Plan {
    /// Runs everything [`Plan::run`] runs (instruments, data, survey mappings, activities,
    /// outcomes, equity against the population file, the impact map with every
    /// `quantity_from` resolved) except writing the report. A required input with no
    /// accepted rows is listed in [`Validation::unusable`] with its fix; any other
    /// failure is the error `run` would give.
    ///
    /// # Errors
    ///
    /// The error [`Plan::run`] would give, except for required inputs with no accepted rows,
    /// which are listed in [`Validation::unusable`].
    pub fn validate(&self) -> Result<Validation> {
        let (catalogue, mut data) = self.load_data()?;
        let activities = self.load_activities(&mut data)?;
        let unusable: Vec<String> =
            crate::ingest::unusable_inputs(&data).iter().map(ToString::to_string).collect();
        if !unusable.is_empty() {
            return Ok(Validation {
                unusable,
                files: data.files().to_vec(),
                rejects: data.rejects().clone(),
                warnings: data.warnings().to_vec(),
                unpublishable: None,
            });
        }
        let eval = self.compute(catalogue, data, activities, &|_| {})?;
        // What `run` publishes must be publishable: a disclosure failure is found here too.
        let unpublishable = match eval.publish() {
            Ok(_) => None,
            Err(Error::Disclosure(reason)) => Some(reason),
            Err(e) => return Err(e),
        };
        let mut warnings = eval.warnings;
        if let Some(sv) = &self.social_value {
            let map = match &sv.impact_map {
                ImpactMapSource::File(path) => value::ImpactMap::from_file(path)?,
                ImpactMapSource::Inline(table) => {
                    value::ImpactMap::from_toml_table(table.clone(), "[social_value]")?
                }
            };
            // The links against the plan's pilots and the data's measures.
            let data = &eval.data;
            let programme = |id: &str| self.pilots.iter().find(|p| p.id == id).map(|p| p.programme);
            let has_measure = |pilot: &str, measure: &str| {
                let Some(id) = data.measure(measure) else { return false };
                data.assessments().iter().any(|a| {
                    a.measure == id && &*data.participants()[a.participant as usize].pilot_id == pilot
                })
            };
            warnings.extend(map.link_warnings(&programme, &has_measure));
        }
        for pilot in &self.pilots {
            if !eval.data.participants().iter().any(|p| *p.pilot_id == *pilot.id) {
                warnings.push(format!("pilot '{}' has no accepted participants", pilot.id));
            }
        }
        Ok(Validation {
            unusable,
            files: eval.data.files().to_vec(),
            rejects: eval.data.rejects().clone(),
            warnings,
            unpublishable,
        })
    }
}

impl Evaluation {
    /// The figures as they may be published under the plan's disclosure rule: what every
    /// printer reads.
    ///
    /// # Errors
    ///
    /// [`crate::Error::Disclosure`] when no choice of hidden figures protects every small
    /// count.
    pub fn publish(&self) -> Result<crate::publish::Publication> {
        crate::publish::publish(self)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicBool;

    use super::sha256_hex;

    // FIPS 180-4 examples (NIST CSRC "SHA256.pdf"), and a message longer than one block
    // of the reader.
    #[test]
    fn sha256_nist_vectors() {
        let hex = |data: &[u8]| sha256_hex(data, &AtomicBool::new(false)).unwrap();
        assert_eq!(hex(b""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_eq!(hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(
            hex(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        );
        // One million 'a' (FIPS 180-4 long message example).
        assert_eq!(
            hex(&vec![b'a'; 1_000_000]),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        );
    }
}
