//! How the work was delivered: partners, venues, sessions, attendances, community leaders
//! trained and volunteer time, from an optional activities table.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::Path;

use serde::Serialize;

use crate::date::{Date, DateFormat};
use crate::error::{Error, Result};
use crate::ingest::{DataSet, FileSummary, Rejects};
use crate::stats::{Proportion, wilson};

/// The kind of partner organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum OrganisationType {
    /// Church, mosque, temple, gurdwara, synagogue.
    FaithGroup,
    /// Community or neighbourhood group.
    CommunityGroup,
    /// Registered charity or voluntary organisation.
    VoluntaryOrganisation,
    /// NHS, council or other public service.
    PublicService,
    /// Anything else.
    Other,
}

impl OrganisationType {
    fn parse(text: &str) -> Option<OrganisationType> {
        match text.trim().to_ascii_lowercase().replace(['_', '-'], " ").as_str() {
            "faith group" | "faith" => Some(OrganisationType::FaithGroup),
            "community group" | "community" => Some(OrganisationType::CommunityGroup),
            "voluntary organisation" | "voluntary" | "charity" => {
                Some(OrganisationType::VoluntaryOrganisation)
            }
            "public service" | "public" | "nhs" | "council" => Some(OrganisationType::PublicService),
            "other" => Some(OrganisationType::Other),
            _ => None,
        }
    }

    /// A label for reports.
    pub fn label(self) -> &'static str {
        match self {
            OrganisationType::FaithGroup => "Faith group",
            OrganisationType::CommunityGroup => "Community group",
            OrganisationType::VoluntaryOrganisation => "Voluntary organisation",
            OrganisationType::PublicService => "Public service",
            OrganisationType::Other => "Other",
        }
    }
}

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
    /// Its kind.
    pub organisation_type: OrganisationType,
    /// Venue type (church hall, mosque, GP surgery, ...).
    pub venue_type: String,
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
}

/// Venue types counted as clinical settings; every other venue is a community setting.
pub const CLINICAL_VENUES: [&str; 5] = ["gp surgery", "clinic", "hospital", "pharmacy", "health centre"];

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
    /// Attendances at community-leader training.
    pub leaders_trained: u64,
    /// Volunteer hours.
    pub volunteer_hours: f64,
    /// Staff hours.
    pub staff_hours: f64,
    /// Sessions held in community (non-clinical) settings, over all sessions.
    pub community_share: Option<Proportion>,
    /// Participants by referral source ("Not recorded" kept).
    pub referral_sources: Vec<(String, usize)>,
}

const COLUMNS: [&str; 11] = [
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
];

/// Reads an activities table: the columns above, validated like every other input; bad
/// rows go to the returned rejects.
///
/// # Errors
///
/// [`Error::MissingColumn`](crate::Error::MissingColumn) or
/// [`Error::NotATable`](crate::Error::NotATable) if the table cannot be read; rows that fail
/// their checks are rejected, not errors.
pub fn load_activities(
    input: impl Read,
    label: &str,
    date_format: DateFormat,
    pilots: &[String],
) -> Result<(Vec<Activity>, FileSummary, Rejects)> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(input);
    let headers = activity_headers(&mut reader, label)?;
    // Rows as a spreadsheet shows them: the header is row 1, a record one row.
    let mut sheet_rows = crate::ingest::SheetRows::after_header();
    let records = reader
        .into_records()
        .map(|r| (sheet_rows.next(), r.map_err(|e| format!("cannot read the row: {e}"))));
    activities_from(records, &headers, label, date_format, pilots)
}

/// Checks an activities table's rows, given as (spreadsheet row, cells or why the row
/// could not be read).
fn activities_from(
    records: impl Iterator<Item = (u64, std::result::Result<csv::StringRecord, String>)>,
    headers: &[String],
    label: &str,
    date_format: DateFormat,
    pilots: &[String],
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
            .and_then(|r| activity_row(&r, &index, headers.len(), date_format, pilots));
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
    date_format: DateFormat,
    pilots: &[String],
) -> std::result::Result<Activity, Problem> {
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
    let pilot_id = required("pilot_id")?;
    if !pilots.is_empty() && !pilots.contains(&pilot_id) {
        return Err((Some("pilot_id"), pilot_id.clone(), format!("unknown pilot '{pilot_id}'")));
    }
    let organisation_type = OrganisationType::parse(get("organisation_type")).ok_or_else(|| {
        (
            Some("organisation_type"),
            get("organisation_type").to_string(),
            "organisation_type must be faith group, community group, voluntary organisation, public service or other"
                .to_string(),
        )
    })?;
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
    Ok(Activity {
        date,
        pilot_id,
        partner: required("partner")?,
        organisation_type,
        venue_type: required("venue_type")?,
        area: Some(bounded("area")?.to_string()).filter(|a| !a.is_empty()),
        activity: required("activity")?,
        sessions: whole("sessions")?,
        attendees: whole("attendees")?,
        volunteer_hours: hours("volunteer_hours")?,
        staff_hours: hours("staff_hours")?,
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

/// Where each known column is; every column but `area` is required.
fn column_index(headers: &[String], label: &str) -> Result<BTreeMap<&'static str, Option<usize>>> {
    let mut index = BTreeMap::new();
    for c in COLUMNS {
        let i = headers.iter().position(|h| h == c);
        if i.is_none() && c != "area" {
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
/// As [`load_activities`], or [`Error::Io`](crate::Error::Io) if the file cannot be opened.
pub fn load_activities_path(
    path: &Path,
    date_format: DateFormat,
    pilots: &[String],
) -> Result<(Vec<Activity>, FileSummary, Rejects)> {
    let label = path.display().to_string();
    if crate::ingest::is_workbook(path) {
        // A workbook's first sheet, its rows numbered as Excel shows them.
        let (headers, rows) = crate::ingest::workbook_rows(path, &label, date_format)?;
        return activities_from(
            rows.into_iter().map(|(row, r)| (row, Ok(r))),
            &headers,
            &label,
            date_format,
            pilots,
        );
    }
    let file = std::fs::File::open(path).map_err(|e| Error::io("read", path, e))?;
    load_activities(file, &label, date_format, pilots)
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
    let mine: Vec<&Activity> = activities.iter().filter(|a| a.pilot_id == pilot).collect();
    let mut partners: BTreeMap<OrganisationType, BTreeSet<&str>> = BTreeMap::new();
    // Hashed while counting, sorted once at the end: rows + groups log groups, whatever
    // the number of areas.
    let mut venues: crate::ingest::FastMap<&str, (u64, u64)> = Default::default();
    let mut areas: crate::ingest::FastMap<&str, (u64, u64)> = Default::default();
    let (mut community, mut sessions) = (0u64, 0u64);
    for a in &mine {
        partners.entry(a.organisation_type).or_default().insert(&a.partner);
        let v = venues.entry(&a.venue_type).or_default();
        v.0 += u64::from(a.sessions);
        v.1 += u64::from(a.attendees);
        let area = areas.entry(a.area.as_deref().unwrap_or("Not recorded")).or_default();
        area.0 += u64::from(a.sessions);
        area.1 += u64::from(a.attendees);
        sessions += u64::from(a.sessions);
        if !CLINICAL_VENUES.contains(&a.venue_type.to_ascii_lowercase().as_str()) {
            community += u64::from(a.sessions);
        }
    }
    let mut referral: BTreeMap<&str, usize> = BTreeMap::new();
    for p in data.participants().iter().filter(|p| &*p.pilot_id == pilot) {
        *referral.entry(p.referral_source.as_deref().unwrap_or("Not recorded")).or_default() += 1;
    }
    PilotDelivery {
        pilot: pilot.to_string(),
        partners_by_type: partners.into_iter().map(|(t, p)| (t.label().to_string(), p.len())).collect(),
        by_venue: sorted(venues),
        by_area: sorted(areas),
        leaders_trained: mine
            .iter()
            .filter(|a| a.activity.to_ascii_lowercase().contains("leader training"))
            .map(|a| u64::from(a.attendees))
            .sum(),
        volunteer_hours: mine.iter().map(|a| a.volunteer_hours).sum(),
        staff_hours: mine.iter().map(|a| a.staff_hours).sum(),
        community_share: wilson(community, sessions),
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
        assert_eq!((summary.rows_read, summary.rows_accepted, summary.rows_rejected), (8, 4, 4));
        let reasons: Vec<&str> = rejects.entries().iter().map(|r| r.reason.as_str()).collect();
        assert!(reasons[0].starts_with("organisation_type must be"));
        assert!(reasons[1].starts_with("date is not valid"));
        assert_eq!(reasons[2], "unknown pilot 'zz'");
        assert_eq!(reasons[3], "sessions must be a whole number");
        let d = delivery_for("tt", &activities, &DataSet::default());
        assert_eq!(
            d.partners_by_type,
            vec![("Faith group".to_string(), 2), ("Public service".to_string(), 1)]
        );
        assert_eq!(d.leaders_trained, 9);
        assert_eq!((d.volunteer_hours, d.staff_hours), (21.0, 19.0));
        let share = d.community_share.unwrap();
        assert_eq!((share.count, share.denominator), (7, 8));
        assert!(d.by_area.contains(&("Not recorded".to_string(), 1, 6)));
        assert!(d.by_venue.contains(&("church hall".to_string(), 5, 49)));
    }
}
