//! How the work was delivered: partners, venues, sessions, attendances, community leaders
//! trained and volunteer time, from an optional activities table.

mod classify;
mod overview;
mod provision;
mod timeline;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::Path;

use serde::Serialize;

use crate::date::{Date, DateFormat};
use crate::error::{Error, Result};
use crate::ingest::{DataSet, FileSummary, Rejects};
use crate::stats::{Proportion, wilson};

pub use classify::{Classification, VenueClass, VenueSetting, normalise};
pub use overview::{DeliveryCost, DeliveryOverview, HourlyValue, LeadersCounted, overview};
pub use provision::{
    AreaProvision, Provider, ProvisionMap, load_provision, load_provision_path, provision_map,
};
pub use timeline::{PartnerActivity, QuarterActivity, QuarterVenue, partners, quarters};

/// One row of the activities table.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Activity {
    /// When it happened.
    pub date: Date,
    /// The pilot.
    pub pilot_id: String,
    /// The partner organisation.
    pub partner: String,
    /// Its kind, as classified ("Faith group"), or as written when not recognised.
    pub organisation_type: String,
    /// Venue type as classified ("GP surgery"), or as written when not recognised.
    pub venue_type: String,
    /// Clinical or community; `None` for a venue type the classification does not know.
    pub setting: Option<VenueSetting>,
    /// Local area.
    pub area: Option<String>,
    /// What it was (therapy group, BP check session, leader training, ...).
    pub activity: String,
    /// Sessions held.
    pub sessions: u32,
    /// Attendances (people × sessions).
    pub attendees: u32,
    /// Volunteer hours given.
    pub volunteer_hours: f64,
    /// Paid staff hours.
    pub staff_hours: f64,
    /// The people attending, from a `leader_id` or `attendee_ids` column (`None` when the
    /// table has neither): leaders trained are then counted as people.
    pub attendee_ids: Option<Vec<String>>,
}

impl Activity {
    /// True for community-leader training ("leader training", "Community leaders' training").
    pub fn is_leader_training(&self) -> bool {
        let a = normalise(&self.activity).replace('\'', "");
        a.contains("leader training") || a.contains("leaders training") || a.contains("leadership training")
    }
}

/// How activities are checked as they are read.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ActivityRules {
    /// The date format of the date column.
    pub date_format: DateFormat,
    /// The plan's pilot ids (empty: any).
    pub pilots: Vec<String>,
    /// Rows dated outside it are rejected.
    pub period: Option<crate::plan::Period>,
    /// Venue and organisation types.
    pub classification: Classification,
}

impl ActivityRules {
    /// The bundled classification, no period.
    ///
    /// # Errors
    ///
    /// As [`Classification::builtin`].
    pub fn new(date_format: DateFormat, pilots: &[String]) -> Result<ActivityRules> {
        Ok(ActivityRules {
            date_format,
            pilots: pilots.to_vec(),
            period: None,
            classification: Classification::builtin()?,
        })
    }
}

/// The delivery figures of one pilot.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct PilotDelivery {
    /// Pilot id.
    pub pilot: String,
    /// Distinct partner organisations by type.
    pub partners_by_type: Vec<(String, usize)>,
    /// Sessions and attendances by venue type.
    pub by_venue: Vec<(String, u64, u64)>,
    /// Sessions and attendances by area.
    pub by_area: Vec<(String, u64, u64)>,
    /// Sessions and attendances by partner.
    pub by_partner: Vec<(String, u64, u64)>,
    /// Sessions and attendances by partner type.
    pub by_partner_type: Vec<(String, u64, u64)>,
    /// Sessions in all.
    pub sessions: u64,
    /// Attendances in all.
    pub attendances: u64,
    /// Sessions at venues the classification does not know (outside the community share).
    pub unclassified_sessions: u64,
    /// Community leaders trained: people or attendances, as `leaders_counted` says.
    pub leaders_trained: u64,
    /// What `leaders_trained` counts.
    pub leaders_counted: LeadersCounted,
    /// Volunteer hours.
    pub volunteer_hours: f64,
    /// Staff hours.
    pub staff_hours: f64,
    /// Volunteer hours as full-time posts over the period (see [`DeliveryOverview`]).
    pub volunteer_fte: Option<f64>,
    /// Sessions held in community settings, over sessions at classified venues.
    pub community_share: Option<Proportion>,
    /// Participants by referral source ("Not recorded" kept).
    pub referral_sources: Vec<(String, usize)>,
}

const COLUMNS: [&str; 13] = [
    "date",
    "pilot_id",
    "partner",
    "organisation_type",
    "venue_type",
    "area",
    "activity",
    "sessions",
    "attendees",
    "volunteer_hours",
    "staff_hours",
    "leader_id",
    "attendee_ids",
];

/// Columns a table may leave out.
const OPTIONAL: [&str; 3] = ["area", "leader_id", "attendee_ids"];

/// Reads an activities table: the columns above, validated like every other input; bad
/// rows go to the returned rejects. Types are classified by the bundled file; no period.
///
/// # Errors
///
/// [`Error::MissingColumn`] or
/// [`Error::NotATable`] if the table cannot be read; rows that fail
/// their checks are rejected, not errors.
pub fn load_activities(
    input: impl Read,
    label: &str,
    date_format: DateFormat,
    pilots: &[String],
) -> Result<(Vec<Activity>, FileSummary, Rejects)> {
    load_activities_with(input, label, &ActivityRules::new(date_format, pilots)?)
}

/// [`load_activities`] under the given rules (period, classification).
///
/// # Errors
///
/// As [`load_activities`].
pub fn load_activities_with(
    input: impl Read,
    label: &str,
    rules: &ActivityRules,
) -> Result<(Vec<Activity>, FileSummary, Rejects)> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(input);
    let headers = activity_headers(&mut reader, label)?;
    // Rows as a spreadsheet shows them: the header is row 1, a record one row.
    let mut sheet_rows = crate::ingest::SheetRows::after_header();
    let records = reader
        .into_records()
        .map(|r| (sheet_rows.next(), r.map_err(|e| format!("cannot read the row: {e}"))));
    activities_from(records, &headers, label, rules)
}

/// Checks an activities table's rows, given as (spreadsheet row, cells or why the row
/// could not be read).
fn activities_from(
    records: impl Iterator<Item = (u64, std::result::Result<csv::StringRecord, String>)>,
    headers: &[String],
    label: &str,
    rules: &ActivityRules,
) -> Result<(Vec<Activity>, FileSummary, Rejects)> {
    let index = column_index(headers, label)?;
    let mut activities = Vec::new();
    let mut rejects = Rejects::new();
    let mut summary = FileSummary { file: label.to_string(), ..FileSummary::default() };
    for (row, record) in records {
        if record.as_ref().is_ok_and(|r| r.iter().all(|c| c.trim().is_empty())) {
            summary.rows_blank += 1;
            continue;
        }
        summary.rows_read += 1;
        let parsed = record
            .map_err(|reason| (None, String::new(), reason))
            .and_then(|r| activity_row(&r, &index, headers.len(), rules));
        match parsed {
            Ok(a) => {
                activities.push(a);
                summary.rows_accepted += 1;
            }
            Err((column, value, reason)) => {
                rejects.push(label, row, column, Some(&value), reason);
                summary.rows_rejected += 1;
            }
        }
    }
    Ok((activities, summary, rejects))
}

type Problem = (Option<&'static str>, String, String);

fn activity_row(
    r: &csv::StringRecord,
    index: &BTreeMap<&'static str, Option<usize>>,
    width: usize,
    rules: &ActivityRules,
) -> std::result::Result<Activity, Problem> {
    let (date_format, pilots) = (rules.date_format, &rules.pilots);
    if r.len() != width {
        return Err((
            None,
            String::new(),
            format!("the row has {} fields but the header has {width}", r.len()),
        ));
    }
    let get =
        |c: &'static str| index.get(c).copied().flatten().and_then(|i| r.get(i)).map(str::trim).unwrap_or("");
    // Names and categories have the ingest's bound (MAX_TEXT_CHARS).
    let bounded = |c: &'static str| -> std::result::Result<&str, Problem> {
        let v = get(c);
        crate::ingest::bounded_text(c, Some(v))
            .map(|_| v)
            .map_err(|p| (Some(c), p.value.unwrap_or_default(), p.reason))
    };
    let required = |c: &'static str| {
        let v = bounded(c)?;
        if v.is_empty() { Err((Some(c), String::new(), format!("{c} is empty"))) } else { Ok(v.to_string()) }
    };
    let date = Date::parse(get("date"), date_format)
        .map_err(|e| (Some("date"), get("date").to_string(), format!("date is not valid: {e}")))?;
    if let Some(period) = &rules.period {
        if !period.contains(date) {
            return Err((
                Some("date"),
                get("date").to_string(),
                format!("dated outside the evaluation period ({period})"),
            ));
        }
    }
    let pilot_id = required("pilot_id")?;
    if !pilots.is_empty() && !pilots.contains(&pilot_id) {
        return Err((Some("pilot_id"), pilot_id.clone(), format!("unknown pilot '{pilot_id}'")));
    }
    let organisation_type = rules.classification.organisation(required("organisation_type")?.as_str()).0;
    let whole = |c: &'static str| -> std::result::Result<u32, Problem> {
        let v = get(c);
        if v.is_empty() {
            return Ok(0);
        }
        v.parse::<u32>().map_err(|_| (Some(c), v.to_string(), format!("{c} must be a whole number")))
    };
    let hours = |c: &'static str| -> std::result::Result<f64, Problem> {
        let v = get(c);
        if v.is_empty() {
            return Ok(0.0);
        }
        v.parse::<f64>().ok().filter(|h| h.is_finite() && *h >= 0.0 && *h <= 100_000.0).ok_or_else(|| {
            (Some(c), v.to_string(), format!("{c} must be a number of hours from 0 to 100,000"))
        })
    };
    let venue = rules.classification.venue(required("venue_type")?.as_str());
    // Ids are listed with `;` or `|` between them; a leader_id column holds one.
    let has_ids = index.get("leader_id").copied().flatten().is_some()
        || index.get("attendee_ids").copied().flatten().is_some();
    let attendee_ids = has_ids.then(|| {
        let mut ids: Vec<String> = [get("leader_id"), get("attendee_ids")]
            .iter()
            .flat_map(|cell| cell.split([';', '|']))
            .map(str::trim)
            .filter(|id| !id.is_empty())
            .map(str::to_string)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    });
    Ok(Activity {
        date,
        pilot_id,
        partner: required("partner")?.split_whitespace().collect::<Vec<_>>().join(" "),
        organisation_type,
        venue_type: venue.label,
        setting: venue.setting,
        area: Some(bounded("area")?.to_string()).filter(|a| !a.is_empty()),
        activity: required("activity")?,
        sessions: whole("sessions")?,
        attendees: whole("attendees")?,
        volunteer_hours: hours("volunteer_hours")?,
        staff_hours: hours("staff_hours")?,
        attendee_ids,
    })
}

/// Checks an activities file's header without reading its rows.
pub(crate) fn check_activities_header(path: &Path) -> Result<()> {
    let label = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|e| Error::io("read", path, e))?;
    if crate::ingest::is_workbook(path) {
        return Ok(());
    }
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(file);
    let headers = activity_headers(&mut reader, &label)?;
    column_index(&headers, &label).map(|_| ())
}

fn activity_headers<R: Read>(reader: &mut csv::Reader<R>, label: &str) -> Result<Vec<String>> {
    Ok(reader
        .headers()
        .map_err(|e| Error::NotATable { file: label.to_string(), reason: e.to_string() })?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_ascii_lowercase())
        .collect())
}

/// Where each known column is; every column but the optional ones is required.
fn column_index(headers: &[String], label: &str) -> Result<BTreeMap<&'static str, Option<usize>>> {
    let mut index = BTreeMap::new();
    for c in COLUMNS {
        let i = headers.iter().position(|h| h == c);
        if i.is_none() && !OPTIONAL.contains(&c) {
            return Err(Error::MissingColumn {
                file: label.to_string(),
                column: c.to_string(),
                found: headers.join(", "),
            });
        }
        index.insert(c, i);
    }
    Ok(index)
}

/// Reads the activities file named in a plan.
///
/// # Errors
///
/// As [`load_activities`], or [`Error::Io`] if the file cannot be opened.
pub fn load_activities_path(
    path: &Path,
    rules: &ActivityRules,
) -> Result<(Vec<Activity>, FileSummary, Rejects)> {
    let label = path.display().to_string();
    if crate::ingest::is_workbook(path) {
        // A workbook's first sheet, its rows numbered as Excel shows them.
        let (headers, rows) = crate::ingest::workbook_rows(path, &label, rules.date_format)?;
        return activities_from(rows.into_iter().map(|(row, r)| (row, Ok(r))), &headers, &label, rules);
    }
    let file = std::fs::File::open(path).map_err(|e| Error::io("read", path, e))?;
    load_activities_with(file, &label, rules)
}

/// The delivery figures of a pilot from its activities and participants.
///
/// ```
/// use coproduction::{DataSet, DateFormat, delivery_for, load_activities};
/// let csv = "date,pilot_id,partner,organisation_type,venue_type,area,activity,sessions,attendees,volunteer_hours,staff_hours\n\
///            2025-05-01,tt,St Mary's,faith group,church hall,Tooting,therapy group,4,40,12,8\n\
///            2025-05-02,tt,Surgery,public service,GP surgery,Balham,therapy group,1,6,0,3\n";
/// let (activities, _, _) = load_activities(csv.as_bytes(), "a.csv", DateFormat::Iso, &[]).unwrap();
/// let d = delivery_for("tt", &activities, &DataSet::default());
/// assert_eq!(d.community_share.unwrap().count, 4); // 4 of 5 sessions outside clinics
/// assert_eq!(d.volunteer_hours, 12.0);
/// ```
pub fn delivery_for(pilot: &str, activities: &[Activity], data: &DataSet) -> PilotDelivery {
    figures(Some(pilot), activities, data, None)
}

/// The figures of one pilot (`Some(id)`) or of all (`None`); `weeks` of the period give
/// the volunteer FTE at `fte_hours` a week.
pub(crate) fn figures(
    pilot: Option<&str>,
    activities: &[Activity],
    data: &DataSet,
    weeks_and_fte_hours: Option<(f64, f64)>,
) -> PilotDelivery {
    let mine: Vec<&Activity> = activities.iter().filter(|a| pilot.is_none_or(|p| a.pilot_id == p)).collect();
    // Distinct partners of each organisation type, as (type, partner) pairs.
    let mut partners: crate::ingest::FastMap<(&str, &str), ()> = Default::default();
    // Hashed while counting, sorted once at the end: rows + groups log groups, whatever
    // the number of areas.
    let mut venues: crate::ingest::FastMap<&str, (u64, u64)> = Default::default();
    let mut areas: crate::ingest::FastMap<&str, (u64, u64)> = Default::default();
    let mut by_partner: crate::ingest::FastMap<&str, (u64, u64)> = Default::default();
    let mut by_type: crate::ingest::FastMap<&str, (u64, u64)> = Default::default();
    let (mut community, mut classified, mut unclassified) = (0u64, 0u64, 0u64);
    let add = |map: &mut crate::ingest::FastMap<_, (u64, u64)>, key, a: &Activity| {
        let v: &mut (u64, u64) = map.entry(key).or_default();
        v.0 += u64::from(a.sessions);
        v.1 += u64::from(a.attendees);
    };
    for a in &mine {
        partners.insert((a.organisation_type.as_str(), a.partner.as_str()), ());
        add(&mut venues, a.venue_type.as_str(), a);
        add(&mut areas, a.area.as_deref().unwrap_or("Not recorded"), a);
        add(&mut by_partner, a.partner.as_str(), a);
        add(&mut by_type, a.organisation_type.as_str(), a);
        match a.setting {
            Some(VenueSetting::Community) => {
                community += u64::from(a.sessions);
                classified += u64::from(a.sessions);
            }
            Some(VenueSetting::Clinical) => classified += u64::from(a.sessions),
            None => unclassified += u64::from(a.sessions),
        }
    }
    let mut referral: BTreeMap<&str, usize> = BTreeMap::new();
    for p in data.participants().iter().filter(|p| pilot.is_none_or(|id| &*p.pilot_id == id)) {
        *referral.entry(p.referral_source.as_deref().unwrap_or("Not recorded")).or_default() += 1;
    }
    // A table repeats a few activity names: each is read once.
    let mut is_training: crate::ingest::FastMap<&str, bool> = Default::default();
    let training: Vec<&&Activity> = mine
        .iter()
        .filter(|a| *is_training.entry(a.activity.as_str()).or_insert_with(|| a.is_leader_training()))
        .collect();
    // People when the table names them: distinct ids over the training rows.
    let (leaders_trained, leaders_counted) = if activities.iter().any(|a| a.attendee_ids.is_some()) {
        let people: BTreeSet<&str> =
            training.iter().flat_map(|a| a.attendee_ids.iter().flatten()).map(String::as_str).collect();
        (people.len() as u64, LeadersCounted::People)
    } else {
        (training.iter().map(|a| u64::from(a.attendees)).sum(), LeadersCounted::Attendances)
    };
    let volunteer_hours: f64 = mine.iter().map(|a| a.volunteer_hours).sum();
    PilotDelivery {
        pilot: pilot.unwrap_or("all").to_string(),
        partners_by_type: {
            let mut by_type: BTreeMap<&str, usize> = BTreeMap::new();
            for (kind, _) in partners.into_keys() {
                *by_type.entry(kind).or_default() += 1;
            }
            by_type.into_iter().map(|(t, n)| (t.to_string(), n)).collect()
        },
        by_venue: sorted(venues),
        by_area: sorted(areas),
        by_partner: sorted(by_partner),
        by_partner_type: sorted(by_type),
        sessions: mine.iter().map(|a| u64::from(a.sessions)).sum(),
        attendances: mine.iter().map(|a| u64::from(a.attendees)).sum(),
        unclassified_sessions: unclassified,
        leaders_trained,
        leaders_counted,
        volunteer_hours,
        staff_hours: mine.iter().map(|a| a.staff_hours).sum(),
        volunteer_fte: weeks_and_fte_hours
            .filter(|(weeks, hours)| *weeks > 0.0 && *hours > 0.0)
            .map(|(weeks, hours)| volunteer_hours / (hours * weeks)),
        community_share: wilson(community, classified),
        referral_sources: referral.into_iter().map(|(source, n)| (source.to_string(), n)).collect(),
    }
}

/// Counts by label, in label order.
fn sorted(counts: crate::ingest::FastMap<&str, (u64, u64)>) -> Vec<(String, u64, u64)> {
    let mut rows: Vec<(String, u64, u64)> =
        counts.into_iter().map(|(k, (s, a))| (k.to_string(), s, a)).collect();
    rows.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    rows
}

/// Venue and organisation types as written that the classification does not know, each
/// once, for the report's warnings.
pub fn unrecognised_types(activities: &[Activity], classification: &Classification) -> Vec<String> {
    let mut venues = BTreeSet::new();
    let mut kinds = BTreeSet::new();
    for a in activities {
        if a.setting.is_none() {
            venues.insert(a.venue_type.as_str());
        }
        if !classification.organisation(&a.organisation_type).1 {
            kinds.insert(a.organisation_type.as_str());
        }
    }
    let list = |s: BTreeSet<&str>| s.into_iter().map(|v| format!("'{v}'")).collect::<Vec<_>>().join(", ");
    let mut out = Vec::new();
    if !venues.is_empty() {
        out.push(format!(
            "Venue types not in the classification, kept as written and left out of the community-settings share: {}",
            list(venues)
        ));
    }
    if !kinds.is_empty() {
        out.push(format!("Organisation types not in the classification, kept as written: {}", list(kinds)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str = "date,pilot_id,partner,organisation_type,venue_type,area,activity,sessions,attendees,volunteer_hours,staff_hours\n\
        2025-05-01,tt,St Mary's,faith group,church hall,Tooting,therapy group,4,40,12,8\n\
        2025-05-08,tt,St Mary's,Faith Group,church hall,Tooting,leader training,1,9,3,4\n\
        2025-05-02,tt,Masjid,faith_group,mosque,Balham,therapy group,2,18,6,4\n\
        2025-05-02,tt,Surgery,public service,GP surgery,,therapy group,1,6,0,3\n\
        2025-05-03,tt,Club,sports club,hall,Balham,therapy group,1,6,0,3\n\
        2025-13-03,tt,Club,other,hall,Balham,therapy group,1,6,0,3\n\
        2025-05-03,zz,Club,other,hall,Balham,therapy group,1,6,0,3\n\
        2025-05-03,tt,Club,other,hall,Balham,therapy group,two,6,0,3\n";

    #[test]
    fn long_names_are_rejected_per_cell() {
        let long = "x".repeat(201);
        let csv = format!(
            "date,pilot_id,partner,organisation_type,venue_type,area,activity,sessions,attendees,volunteer_hours,staff_hours\n\
             2025-05-01,tt,{long},faith group,church hall,Tooting,therapy group,4,40,12,8\n\
             2025-05-01,tt,St Mary's,faith group,church hall,{long},therapy group,4,40,12,8\n\
             2025-05-01,tt,St Mary's,faith group,church hall,Tooting,therapy group,4,40,12,8\n"
        );
        let (activities, summary, rejects) =
            load_activities(csv.as_bytes(), "a.csv", DateFormat::Iso, &[]).unwrap();
        assert_eq!((activities.len(), summary.rows_rejected), (1, 2));
        let columns: Vec<_> = rejects.entries().iter().map(|r| r.column.as_deref()).collect();
        assert_eq!(columns, [Some("partner"), Some("area")]);
        assert!(rejects.entries()[0].reason.contains("at most 200"), "{:?}", rejects.entries()[0]);
    }

    #[test]
    fn figures_by_hand() {
        let (activities, summary, rejects) =
            load_activities(CSV.as_bytes(), "a.csv", DateFormat::Iso, &["tt".to_string()]).unwrap();
        assert_eq!((summary.rows_read, summary.rows_accepted, summary.rows_rejected), (8, 5, 3));
        let reasons: Vec<&str> = rejects.entries().iter().map(|r| r.reason.as_str()).collect();
        assert!(reasons[0].starts_with("date is not valid"));
        assert_eq!(reasons[1], "unknown pilot 'zz'");
        assert_eq!(reasons[2], "sessions must be a whole number");
        let d = delivery_for("tt", &activities, &DataSet::default());
        // "sports club" is not a known organisation type: kept as written.
        assert_eq!(
            d.partners_by_type,
            vec![
                ("Faith group".to_string(), 2),
                ("Public service".to_string(), 1),
                ("sports club".to_string(), 1)
            ]
        );
        assert_eq!((d.leaders_trained, d.leaders_counted), (9, LeadersCounted::Attendances));
        assert_eq!((d.volunteer_hours, d.staff_hours), (21.0, 22.0));
        // The hall is a community centre, the GP surgery clinical: 8 of 9 sessions.
        let share = d.community_share.unwrap();
        assert_eq!((share.count, share.denominator), (8, 9));
        assert!(d.by_area.contains(&("Not recorded".to_string(), 1, 6)));
        assert!(d.by_venue.contains(&("Church hall".to_string(), 5, 49)));
        let warnings = unrecognised_types(&activities, &Classification::builtin().unwrap());
        assert_eq!(
            warnings,
            ["Organisation types not in the classification, kept as written: 'sports club'"]
        );
    }

    #[test]
    fn rows_outside_the_period_are_rejected() {
        let mut rules = ActivityRules::new(DateFormat::Iso, &[]).unwrap();
        rules.period = Some(crate::plan::Period {
            start: Date::new(2025, 5, 2).unwrap(),
            end: Date::new(2025, 5, 3).unwrap(),
        });
        let (activities, summary, rejects) = load_activities_with(CSV.as_bytes(), "a.csv", &rules).unwrap();
        // Rows dated 2025-05-01 and 2025-05-08 are outside; the bad date is rejected as such.
        assert_eq!(activities.len(), 4);
        assert_eq!(summary.rows_rejected, 4);
        let outside: Vec<u64> = rejects
            .entries()
            .iter()
            .filter(|r| r.reason == "dated outside the evaluation period (2025-05-02 to 2025-05-03)")
            .map(|r| r.row)
            .collect();
        assert_eq!(outside, [2, 3]);
    }

    #[test]
    fn leaders_are_people_when_the_table_names_them() {
        let csv = "date,pilot_id,partner,organisation_type,venue_type,area,activity,sessions,attendees,volunteer_hours,staff_hours,leader_id\n\
            2025-05-01,tt,A,faith group,church,X,leader training,1,1,0,0,L1\n\
            2025-05-02,tt,A,faith group,church,X,Leader Training,1,1,0,0,L1\n\
            2025-05-03,tt,A,faith group,church,X,leader training,1,1,0,0,L2\n";
        let (activities, _, _) = load_activities(csv.as_bytes(), "a.csv", DateFormat::Iso, &[]).unwrap();
        let d = delivery_for("tt", &activities, &DataSet::default());
        assert_eq!((d.leaders_trained, d.leaders_counted), (2, LeadersCounted::People));
    }
}
