//! A seeded generator of realistic evaluation data in the canonical formats.
//!
//! It makes the bundled demo (`fixtures/demo`) and the large data sets the benchmarks
//! use. The same seed and size always give the same bytes. Trajectories are plausible, not
//! clinical: baselines near the published clinical means, improvement that varies between
//! people, some who get worse, some who drop out, and the gaps in the data real services
//! have (missing demographics, unfinished episodes, unpaired scores).

use std::io::{self, Write};
use std::path::Path;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha12Rng as StdRng;
use rand_distr::{Distribution, Normal};

use crate::date::Date;
use crate::error::{Error, Result};

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Synthetic {
    /// Participants across the four demo pilots.
    pub participants: usize,
    /// Random seed.
    pub seed: u64,
}

/// How many rows were written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct SyntheticCounts {
    /// Rows of participants.csv.
    pub participants: u64,
    /// Rows of outcomes.csv.
    pub assessments: u64,
}

/// The demo pilots: id, name, programme.
pub const DEMO_PILOTS: [(&str, &str, &str); 4] = [
    ("tt", "Talking therapies in faith settings", "psychological_therapies"),
    ("cv", "Community blood pressure checks", "cardiovascular"),
    ("dem", "Dementia carers' groups", "dementia"),
    ("wb", "Community wellbeing programme", "wellbeing"),
];

const ITEM_COLUMNS: usize = 22;
const AREAS: [&str; 8] =
    ["Tooting", "Battersea", "Balham", "Roehampton", "Putney", "Earlsfield", "Furzedown", "Wandsworth Town"];
const ETHNICITIES: [(&str, u32); 11] = [
    ("White British", 30),
    ("White Other", 10),
    ("Black African", 14),
    ("Black Caribbean", 10),
    ("Asian Bangladeshi", 5),
    ("Asian Pakistani", 8),
    ("Asian Indian", 7),
    ("Mixed", 5),
    ("Arab", 3),
    ("Other", 3),
    ("", 5),
];
const GENDERS: [(&str, u32); 4] = [("Female", 58), ("Male", 38), ("Non-binary", 1), ("", 3)];
const REFERRAL_SOURCES: [(&str, u32); 4] =
    [("Self", 40), ("GP", 25), ("Faith or community group", 30), ("Other", 5)];
/// Problem descriptors and their shares among talking-therapy referrals.
const DESCRIPTORS: [(&str, u32); 6] =
    [("F32", 30), ("F33", 8), ("F41.1", 30), ("F41.2", 17), ("F40.1", 8), ("F43.1", 7)];

impl Synthetic {
    /// A generator for `participants` participants with `seed`.
    pub fn new(participants: usize, seed: u64) -> Synthetic {
        Synthetic { participants, seed }
    }

    /// Writes `participants.csv` and `outcomes.csv` into `dir` (created if needed).
    ///
    /// # Errors
    ///
    /// [`Error::Io`](crate::Error::Io) if the folder or a file cannot be written.
    pub fn write_to_dir(&self, dir: &Path) -> Result<SyntheticCounts> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io("create folder", dir, e))?;
        let open = |name: &str| -> Result<io::BufWriter<std::fs::File>> {
            let path = dir.join(name);
            let file = std::fs::File::create(&path).map_err(|e| Error::io("write", &path, e))?;
            Ok(io::BufWriter::with_capacity(1 << 20, file))
        };
        let (p, o) = (open("participants.csv")?, open("outcomes.csv")?);
        self.write(p, o).map_err(|e| Error::io("write", dir, e))
    }

    /// Writes the two tables to any writers.
    ///
    /// ```
    /// use coproduction::Synthetic;
    /// let (mut p, mut o) = (Vec::new(), Vec::new());
    /// let counts = Synthetic::new(40, 7).write(&mut p, &mut o).unwrap();
    /// assert_eq!(counts.participants, 40);
    /// assert!(counts.assessments > 100);
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Io`](crate::Error::Io) if a writer fails.
    pub fn write<P: Write, O: Write>(
        &self,
        mut participants: P,
        mut outcomes: O,
    ) -> io::Result<SyntheticCounts> {
        let mut rng = StdRng::seed_from_u64(self.seed);
        let mut counts = SyntheticCounts::default();
        writeln!(
            participants,
            "participant_id,pilot_id,gender,ethnicity,age,imd_decile,area,referral_date,end_date,treatment_sessions,problem_descriptor,referral_source"
        )?;
        write!(outcomes, "participant_id,pilot_id,measure,assessed_on,score")?;
        for k in 1..=ITEM_COLUMNS {
            write!(outcomes, ",item_{k}")?;
        }
        writeln!(outcomes, ",setting")?;
        let start = Date::new(2025, 4, 1).map_err(io::Error::other)?.days_since_epoch();
        let mut out = Rows { outcomes: &mut outcomes, count: 0 };
        for i in 0..self.participants {
            let roll = rng.random_range(0..100);
            let pilot = match roll {
                0..45 => Pilot::Therapies,
                45..70 => Pilot::Cardiovascular,
                70..82 => Pilot::Dementia,
                _ => Pilot::Wellbeing,
            };
            let id = format!("{}{:06}", pilot.prefix(), i + 1);
            let referral = start + rng.random_range(0..270);
            let person = Person::draw(&mut rng, pilot);
            let (end, sessions, descriptor) = match pilot {
                Pilot::Therapies => out.therapies(&mut rng, &id, referral)?,
                Pilot::Cardiovascular => out.cardiovascular(&mut rng, &id, referral)?,
                Pilot::Dementia => out.dementia(&mut rng, &id, referral)?,
                Pilot::Wellbeing => out.wellbeing(&mut rng, &id, referral)?,
            };
            writeln!(
                participants,
                "{id},{},{},{},{},{},{},{},{},{},{},{}",
                pilot.id(),
                person.gender,
                person.ethnicity,
                person.age.map(|a| a.to_string()).unwrap_or_default(),
                person.imd.map(|d| d.to_string()).unwrap_or_default(),
                person.area,
                iso(referral),
                end.map(iso).unwrap_or_default(),
                sessions.map(|s| s.to_string()).unwrap_or_default(),
                descriptor.unwrap_or(""),
                person.referral_source,
            )?;
            counts.participants += 1;
        }
        counts.assessments = out.count;
        participants.flush()?;
        outcomes.flush()?;
        Ok(counts)
    }
}

/// Partners of the demo pilots: pilot, partner, organisation type, venue type, area.
const PARTNERS: [(&str, &str, &str, &str, &str); 12] = [
    ("tt", "St Anne's Church", "faith group", "church hall", "Tooting"),
    ("tt", "Balham Mosque", "faith group", "mosque", "Balham"),
    ("tt", "Shree Ghanapathy Temple", "faith group", "temple", "Earlsfield"),
    ("tt", "Roehampton Community Forum", "community group", "community centre", "Roehampton"),
    ("cv", "Battersea Pentecostal Church", "faith group", "church hall", "Battersea"),
    ("cv", "Tooting Islamic Centre", "faith group", "mosque", "Tooting"),
    ("cv", "Furzedown Medical Practice", "public service", "GP surgery", "Furzedown"),
    ("dem", "Putney Carers' Network", "voluntary organisation", "community centre", "Putney"),
    ("dem", "St Mary's Church", "faith group", "church hall", "Putney"),
    ("wb", "Wandsworth Town Gurdwara", "faith group", "gurdwara", "Wandsworth Town"),
    ("wb", "Earlsfield Residents' Association", "community group", "community centre", "Earlsfield"),
    ("wb", "Roehampton Library", "public service", "library", "Roehampton"),
];

impl Synthetic {
    /// Writes the demo `activities.csv`: a month of sessions per partner from April 2025
    /// to January 2026, with community-leader training in each faith partner.
    ///
    /// # Errors
    ///
    /// The writer's error.
    pub fn write_activities<W: Write>(&self, mut out: W) -> io::Result<u64> {
        let mut rng = StdRng::seed_from_u64(self.seed ^ 0x5eed);
        writeln!(
            out,
            "date,pilot_id,partner,organisation_type,venue_type,area,activity,sessions,attendees,volunteer_hours,staff_hours"
        )?;
        let mut rows = 0;
        for month in 4..14u32 {
            let (year, m) = if month > 12 { (2026, month - 12) } else { (2025, month) };
            for (pilot, partner, kind, venue, area) in PARTNERS {
                let activity = match pilot {
                    "tt" => "therapy group",
                    "cv" => "blood pressure check session",
                    "dem" => "carers' group",
                    _ => "wellbeing workshop",
                };
                let sessions: u32 = rng.random_range(2..=5);
                let attendees = sessions * rng.random_range(5..=14);
                let volunteers = f64::from(sessions) * f64::from(rng.random_range(2..=6u32));
                let day = rng.random_range(1..=28);
                writeln!(
                    out,
                    "{year:04}-{m:02}-{day:02},{pilot},{partner},{kind},{venue},{area},{activity},{sessions},{attendees},{volunteers},{}",
                    sessions * 3
                )?;
                rows += 1;
                if kind == "faith group" && matches!(month, 5 | 9 | 13) {
                    let leaders = rng.random_range(4..=10);
                    writeln!(
                        out,
                        "{year:04}-{m:02}-{:02},{pilot},{partner},{kind},{venue},{area},leader training,1,{leaders},4,6",
                        (day % 27) + 1
                    )?;
                    rows += 1;
                }
            }
        }
        out.flush()?;
        Ok(rows)
    }
}

#[derive(Clone, Copy)]
enum Pilot {
    Therapies,
    Cardiovascular,
    Dementia,
    Wellbeing,
}

impl Pilot {
    fn id(self) -> &'static str {
        match self {
            Pilot::Therapies => "tt",
            Pilot::Cardiovascular => "cv",
            Pilot::Dementia => "dem",
            Pilot::Wellbeing => "wb",
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            Pilot::Therapies => "T",
            Pilot::Cardiovascular => "C",
            Pilot::Dementia => "D",
            Pilot::Wellbeing => "W",
        }
    }
}

struct Person {
    gender: &'static str,
    ethnicity: &'static str,
    age: Option<u32>,
    imd: Option<u32>,
    area: &'static str,
    referral_source: &'static str,
}

impl Person {
    fn draw(rng: &mut StdRng, pilot: Pilot) -> Person {
        let (low, high) = match pilot {
            Pilot::Therapies | Pilot::Wellbeing => (18, 80),
            Pilot::Cardiovascular => (40, 88),
            Pilot::Dementia => (45, 90),
        };
        // Deprivation skews towards the most deprived deciles, as these pilots intend.
        let imd = (rng.random_range(0..100) >= 4).then(|| {
            let a: u32 = rng.random_range(1..=10);
            let b: u32 = rng.random_range(1..=10);
            a.min(b)
        });
        Person {
            gender: weighted(rng, &GENDERS),
            ethnicity: weighted(rng, &ETHNICITIES),
            age: (rng.random_range(0..100) >= 3).then(|| rng.random_range(low..=high)),
            imd,
            area: AREAS[rng.random_range(0..AREAS.len())],
            referral_source: weighted(rng, &REFERRAL_SOURCES),
        }
    }
}

fn weighted(rng: &mut StdRng, table: &[(&'static str, u32)]) -> &'static str {
    let total: u32 = table.iter().map(|(_, w)| w).sum();
    let mut pick = rng.random_range(0..total);
    for (value, weight) in table {
        if pick < *weight {
            return value;
        }
        pick -= weight;
    }
    table[0].0
}

fn iso(days: i64) -> String {
    let mut out = String::with_capacity(10);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    use std::fmt::Write as _;
    let _ = write!(out, "{year:04}-{month:02}-{day:02}");
    out
}

fn normal(rng: &mut StdRng, mean: f64, sd: f64) -> f64 {
    Normal::new(mean, sd).map(|n| n.sample(rng)).unwrap_or(mean)
}

/// Splits a total into `n` items in `lo..=hi` that sum to it.
fn items_for(rng: &mut StdRng, total: u32, n: usize, lo: u32, hi: u32) -> Vec<u32> {
    let mut items = vec![lo; n];
    let mut left = total.saturating_sub(lo * n as u32).min((hi - lo) * n as u32);
    while left > 0 {
        let k = rng.random_range(0..n);
        if items[k] < hi {
            items[k] += 1;
            left -= 1;
        }
    }
    items
}

struct Rows<'w, W: Write> {
    outcomes: &'w mut W,
    count: u64,
}

impl<W: Write> Rows<'_, W> {
    fn score(
        &mut self,
        id: &str,
        pilot: &str,
        measure: &str,
        day: i64,
        score: f64,
        setting: &str,
    ) -> io::Result<()> {
        self.count += 1;
        write!(self.outcomes, "{id},{pilot},{measure},{},{score}", iso(day))?;
        for _ in 0..ITEM_COLUMNS {
            self.outcomes.write_all(b",")?;
        }
        writeln!(self.outcomes, ",{setting}")
    }

    fn items(&mut self, id: &str, pilot: &str, measure: &str, day: i64, items: &[u32]) -> io::Result<()> {
        self.count += 1;
        write!(self.outcomes, "{id},{pilot},{measure},{},", iso(day))?;
        for k in 0..ITEM_COLUMNS {
            match items.get(k) {
                Some(v) => write!(self.outcomes, ",{v}")?,
                None => self.outcomes.write_all(b",")?,
            }
        }
        writeln!(self.outcomes, ",")
    }

    /// Session-by-session PHQ-9 and GAD-7 (the Talking Therapies data set), with the
    /// anxiety-disorder measure at first and last session when the descriptor has one.
    fn therapies(
        &mut self,
        rng: &mut StdRng,
        id: &str,
        referral: i64,
    ) -> io::Result<(Option<i64>, Option<u32>, Option<&'static str>)> {
        let descriptor = weighted(rng, &DESCRIPTORS);
        let sessions: u32 = match rng.random_range(0..100) {
            0..8 => 0,
            8..18 => 1,
            _ => rng.random_range(2..=14),
        };
        let finished =
            sessions >= 2 && rng.random_range(0..100) < 88 || sessions < 2 && rng.random_range(0..100) < 60;
        let phq0 = normal(rng, 15.5, 5.0).clamp(3.0, 27.0);
        let gad0 = normal(rng, 13.0, 4.5).clamp(2.0, 21.0);
        // Response varies widely; about one in twenty gets worse.
        let response =
            if rng.random_range(0..100) < 5 { -0.35 } else { normal(rng, 0.45, 0.30).clamp(-0.1, 0.95) };
        let first_day = referral + rng.random_range(7..28);
        let contacts = sessions.max(1);
        let use_items = rng.random_range(0..100) < 50;
        for s in 0..contacts {
            let progress = if contacts == 1 { 0.0 } else { f64::from(s) / f64::from(contacts - 1) };
            let day = first_day + i64::from(s) * 7 + rng.random_range(0..3);
            let phq =
                (phq0 * (1.0 - response * progress) + normal(rng, 0.0, 1.5)).round().clamp(0.0, 27.0) as u32;
            let gad =
                (gad0 * (1.0 - response * progress) + normal(rng, 0.0, 1.3)).round().clamp(0.0, 21.0) as u32;
            if use_items {
                let phq_items = items_for(rng, phq, 9, 0, 3);
                self.items(id, "tt", "phq9", day, &phq_items)?;
                let gad_items = items_for(rng, gad, 7, 0, 3);
                self.items(id, "tt", "gad7", day, &gad_items)?;
            } else {
                self.score(id, "tt", "phq9", day, f64::from(phq), "")?;
                self.score(id, "tt", "gad7", day, f64::from(gad), "")?;
            }
            let adsm = match descriptor {
                "F40.1" => Some(("spin", 68.0, 38.0, 11.0)),
                "F43.1" => Some(("pcl5", 80.0, 48.0, 12.0)),
                _ => None,
            };
            // ADSMs are given at the first and last session; some services miss the last.
            if let Some((measure, max, mean, sd)) = adsm {
                let last = s + 1 == contacts && contacts > 1 && rng.random_range(0..100) < 85;
                if s == 0 || last {
                    let base = normal(rng, mean, sd).clamp(0.0, max);
                    let value = (base * (1.0 - response * progress)).round().clamp(0.0, max);
                    self.score(id, "tt", measure, day, value, "")?;
                }
            }
        }
        let end = finished.then(|| first_day + i64::from(contacts) * 7 + rng.random_range(0..10));
        Ok((end, Some(sessions), Some(descriptor)))
    }

    /// Clinic readings at the first check and at follow-ups.
    fn cardiovascular(
        &mut self,
        rng: &mut StdRng,
        id: &str,
        referral: i64,
    ) -> io::Result<(Option<i64>, Option<u32>, Option<&'static str>)> {
        let visits = match rng.random_range(0..100) {
            0..15 => 1,
            15..55 => 2,
            _ => 3,
        };
        let sbp0 = normal(rng, 148.0, 17.0).clamp(95.0, 220.0);
        let dbp0 = normal(rng, 89.0, 11.0).clamp(55.0, 130.0);
        let fall = normal(rng, 9.0, 11.0);
        for v in 0..visits {
            let day = referral + i64::from(v) * 91 + rng.random_range(0..14);
            let share = if visits == 1 { 0.0 } else { f64::from(v) / f64::from(visits - 1) };
            let sbp = (sbp0 - fall * share + normal(rng, 0.0, 5.0)).round().clamp(80.0, 240.0);
            let dbp = (dbp0 - fall * 0.5 * share + normal(rng, 0.0, 4.0)).round().clamp(45.0, 140.0);
            let setting = if v > 0 && rng.random_range(0..100) < 10 { "home" } else { "clinic" };
            self.score(id, "cv", "sbp", day, sbp, setting)?;
            self.score(id, "cv", "dbp", day, dbp, setting)?;
        }
        let end = (visits > 1).then(|| referral + 200);
        Ok((end, Some(visits), None))
    }

    /// Carers: Zarit burden and EQ-5D-3L at the start and end of the group.
    fn dementia(
        &mut self,
        rng: &mut StdRng,
        id: &str,
        referral: i64,
    ) -> io::Result<(Option<i64>, Option<u32>, Option<&'static str>)> {
        let zbi0 = normal(rng, 38.0, 14.0).clamp(4.0, 84.0);
        let change = normal(rng, -5.0, 8.0);
        let completed = rng.random_range(0..100) < 80;
        let sessions = if completed { rng.random_range(6..=10) } else { rng.random_range(1..=4) };
        for (k, day) in [referral + 7, referral + 7 + 84].into_iter().enumerate() {
            if k == 1 && !completed {
                break;
            }
            let zbi = (zbi0 + change * k as f64).round().clamp(0.0, 88.0) as u32;
            let items = items_for(rng, zbi, 22, 0, 4);
            self.items(id, "dem", "zbi22", day, &items)?;
            let eq: Vec<u32> = (0..5)
                .map(|d| {
                    let worse = rng.random_range(0..100) < 35 + d * 6 - (k as u32) * 5;
                    if worse { rng.random_range(2..=3) } else { 1 }
                })
                .collect();
            self.items(id, "dem", "eq5d3l", day, &eq)?;
        }
        Ok((Some(referral + 100), Some(sessions), None))
    }

    /// SWEMWBS and the ONS4 questions before and after the programme.
    fn wellbeing(
        &mut self,
        rng: &mut StdRng,
        id: &str,
        referral: i64,
    ) -> io::Result<(Option<i64>, Option<u32>, Option<&'static str>)> {
        let completed = rng.random_range(0..100) < 78;
        let swem0 = normal(rng, 20.5, 4.0).clamp(7.0, 35.0);
        let lift = normal(rng, 2.2, 3.0);
        let ons0 =
            [normal(rng, 5.6, 2.0), normal(rng, 6.3, 2.0), normal(rng, 5.8, 2.2), normal(rng, 4.9, 2.6)];
        let ons_lift = normal(rng, 0.9, 1.5);
        for (k, day) in [referral + 3, referral + 3 + 70].into_iter().enumerate() {
            if k == 1 && !completed {
                break;
            }
            let swem = (swem0 + lift * k as f64).round().clamp(7.0, 35.0);
            self.score(id, "wb", "swemwbs", day, swem, "")?;
            let measures = ["ons_life_satisfaction", "ons_worthwhile", "ons_happiness", "ons_anxiety"];
            for (m, (measure, base)) in measures.iter().zip(ons0).enumerate() {
                // Anxiety is the one ONS question where lower is better.
                let sign = if m == 3 { -1.0 } else { 1.0 };
                let value =
                    (base + sign * ons_lift * k as f64 + normal(rng, 0.0, 0.7)).round().clamp(0.0, 10.0);
                self.score(id, "wb", measure, day, value, "")?;
            }
        }
        let sessions = if completed { rng.random_range(6..=10) } else { rng.random_range(1..=3) };
        Ok((completed.then_some(referral + 80), Some(sessions), None))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_bytes() {
        let run = |seed| {
            let (mut p, mut o) = (Vec::new(), Vec::new());
            Synthetic::new(200, seed).write(&mut p, &mut o).unwrap();
            (p, o)
        };
        assert_eq!(run(1), run(1));
        assert_ne!(run(1), run(2));
    }

    #[test]
    fn items_sum_to_their_total() {
        let mut rng = StdRng::seed_from_u64(3);
        for total in [0, 5, 13, 27] {
            let items = items_for(&mut rng, total, 9, 0, 3);
            assert_eq!(items.iter().sum::<u32>(), total);
            assert!(items.iter().all(|&v| v <= 3));
        }
    }

    #[test]
    fn iso_dates_match_the_calendar() {
        let d = Date::new(2025, 4, 22).unwrap();
        assert_eq!(iso(d.days_since_epoch()), "2025-04-22");
    }
}
