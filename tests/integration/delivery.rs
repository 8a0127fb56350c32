//! Delivery, held out: a year of activities for three pilots with the faults a new user
//! meets (a row after the evaluation period, a negative hours value, an unknown pilot,
//! venue types in mixed case, a "memory clinic", a venue no one classified), and every
//! figure of `results.json`'s `delivery` block against a value worked out by hand below.

use std::path::Path;

use coproduction::{JsonPrinter, Plan};
use serde_json::{Value, json};

const PLAN: &str = r#"title = "Delivery, held out"

[data]
participants = "participants.csv"
outcomes = "outcomes.csv"
activities = "activities.csv"
provision = "provision.csv"

[period]
start = "2025-04-01"
end = "2026-03-31"

[[pilot]]
id = "tt"
name = "Talking therapies"
programme = "psychological_therapies"

[[pilot]]
id = "cv"
name = "Blood pressure"
programme = "cardiovascular"

[[pilot]]
id = "dem"
name = "Carers"
programme = "dementia"

[equity]
dimensions = ["gender"]
population = "population.csv"

[social_value]
impact_map = "impact_map.toml"
monte_carlo_draws = 0
"#;

// Rows 2 to 10 are accepted; row 11 is after the period, row 12 has negative volunteer
// hours, row 13 names an unknown pilot. L6 is trained in two pilots.
const ACTIVITIES: &str = "\
date,pilot_id,partner,organisation_type,venue_type,area,activity,sessions,attendees,volunteer_hours,staff_hours,attendee_ids
2025-04-10,tt,St Anne's Church,Faith Group,Church Hall,Tooting,therapy group,4,40,12,8,
2025-05-15,tt,St Anne's Church,faith group,church hall,Tooting,Leader Training,1,6,3,2,L1;L2;L3;L4;L5;L6
2025-07-20,tt,Balham Mosque,faith_group,MOSQUE,Balham,therapy group,3,30,9,6,
2025-10-05,cv,Furzedown Surgery,public service,GP Surgery,Furzedown,blood pressure check session,2,24,0,6,
2025-11-12,cv,Furzedown Surgery,public service,gp  surgery,Furzedown,blood pressure check session,2,20,0,6,
2026-01-08,cv,Tooting Islamic Centre,faith group,mosque,Tooting,leader training,1,5,2,2,L6;L7;L8;L9;L10
2025-06-03,dem,Putney Carers' Network,Charity,Memory Clinic,Putney,carers' group,2,16,4,4,
2026-02-14,dem,Putney Carers' Network,voluntary organisation,community centre,Putney,carers' group,3,27,6,3,
2026-03-20,dem,St Mary's Church,faith group,Narrow boat,Putney,carers' group,1,8,2,1,
2026-04-02,tt,St Anne's Church,faith group,church hall,Tooting,therapy group,4,40,12,8,
2025-08-01,cv,Furzedown Surgery,public service,GP surgery,Furzedown,blood pressure check session,2,20,-3,6,
2025-09-01,zz,Somewhere,community group,library,Balham,therapy group,1,10,1,1,
";

const PROVISION: &str = "\
name,type,area,offers
Tooting Sikh Welfare Society,faith group,Tooting,lunch club; blood pressure check session
St Anne's Church,faith group,tooting,food bank
Balham Youth Club,community group,Balham,sport
";

const POPULATION: &str = "\
dimension,group,population,imd_decile
gender,Female,50000,
gender,Male,50000,
area,Tooting,40000,2
area,Balham,30000,6
area,Furzedown,20000,5
area,Putney,40000,8
";

const IMPACT_MAP: &str = r#"price_year = 2024
discount = "green_book"

[[input]]
stakeholder = "Funder"
description = "Grant"
amount = 10000

[[input]]
stakeholder = "Volunteers"
description = "Volunteer time"
hours_from = "tt.volunteer_hours"
hourly_value = 11.44
hourly_value_source = "National Living Wage, April 2024"

[[outcome]]
stakeholder = "Participants"
outcome = "Something better"
indicator = "A count"
quantity = 10
value = 100
value_price_year = 2024
proxy_source = "a test proxy"
duration_years = 1
"#;

fn write_inputs(dir: &Path) {
    let mut participants = String::from("participant_id,pilot_id,gender\n");
    let mut outcomes = String::from("participant_id,pilot_id,measure,assessed_on,score\n");
    for pilot in ["tt", "cv", "dem"] {
        for i in 1..=10 {
            let gender = if i % 2 == 0 { "Female" } else { "Male" };
            participants.push_str(&format!("{pilot}{i},{pilot},{gender}\n"));
        }
    }
    for i in 1..=10 {
        outcomes.push_str(&format!("tt{i},tt,phq9,2025-05-01,15\ntt{i},tt,phq9,2025-08-01,8\n"));
    }
    // After the period: rejected with that reason, not paired.
    outcomes.push_str("tt1,tt,phq9,2026-04-15,3\n");
    for (name, text) in [
        ("plan.toml", PLAN),
        ("participants.csv", participants.as_str()),
        ("outcomes.csv", outcomes.as_str()),
        ("activities.csv", ACTIVITIES),
        ("provision.csv", PROVISION),
        ("population.csv", POPULATION),
        ("impact_map.toml", IMPACT_MAP),
    ] {
        std::fs::write(dir.join(name), text).unwrap();
    }
}

fn close(actual: &Value, expected: f64) {
    let a = actual.as_f64().unwrap_or_else(|| panic!("not a number: {actual}"));
    assert!((a - expected).abs() < 1e-9, "{a} != {expected}");
}

fn row(label: &str, sessions: u64, attendances: u64) -> Value {
    json!({"label": label, "sessions": sessions, "attendances": attendances, "suppressed": null})
}

#[test]
fn every_delivery_figure_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    write_inputs(dir.path());
    let eval = Plan::load(&dir.path().join("plan.toml")).unwrap().run().unwrap();
    let results = JsonPrinter.to_value(&eval.publish().unwrap()).unwrap();

    // Every row read is accepted or rejected with its reason.
    let rejects: Vec<(u64, String)> =
        eval.data.rejects().entries().iter().map(|r| (r.row, r.reason.clone())).collect();
    let period = "dated outside the evaluation period (2025-04-01 to 2026-03-31)";
    assert!(rejects.contains(&(22, period.to_string())), "{rejects:?}");
    assert!(rejects.contains(&(11, period.to_string())), "{rejects:?}");
    assert!(
        rejects.contains(&(12, "volunteer_hours must be a number of hours from 0 to 100,000".to_string())),
        "{rejects:?}"
    );
    assert!(rejects.contains(&(13, "unknown pilot 'zz'".to_string())), "{rejects:?}");
    let files = &results["data_quality"]["files"];
    let activities = files.as_array().unwrap().iter().find(|f| f["file"] == "activities.csv").unwrap();
    assert_eq!((&activities["rows_read"], &activities["rows_accepted"]), (&json!(12), &json!(9)));
    let outcomes = files.as_array().unwrap().iter().find(|f| f["file"] == "outcomes.csv").unwrap();
    assert_eq!((&outcomes["rows_accepted"], &outcomes["rows_rejected"]), (&json!(20), &json!(1)));
    let warnings = results["data_quality"]["warnings"].to_string();
    assert!(warnings.contains("'Narrow boat'"), "{warnings}");

    let d = &results["delivery"];
    let pilots = d["pilots"].as_array().unwrap();
    let (tt, cv, dem) = (&pilots[0], &pilots[1], &pilots[2]);

    // tt: 4 + 1 + 3 sessions; 40 + 6 + 30 attendances; "Church Hall", "church hall" one venue.
    assert_eq!(tt["sessions"], 8);
    assert_eq!(tt["attendances"], 76);
    assert_eq!(tt["by_venue"], json!([row("Church hall", 5, 46), row("Mosque", 3, 30)]));
    assert_eq!(tt["by_area"], json!([row("Balham", 3, 30), row("Tooting", 5, 46)]));
    assert_eq!(tt["by_partner"], json!([row("Balham Mosque", 3, 30), row("St Anne's Church", 5, 46)]));
    assert_eq!(tt["by_partner_type"], json!([row("Faith group", 8, 76)]));
    assert_eq!(tt["partners_by_type"], json!([["Faith group", 2]]));
    assert_eq!((&tt["leaders_trained"], &tt["leaders_counted"]), (&json!(6), &json!("people")));
    assert_eq!((&tt["volunteer_hours"], &tt["staff_hours"]), (&json!(24.0), &json!(16.0)));
    assert_eq!(
        (&tt["community_share"]["count"], &tt["community_share"]["denominator"]),
        (&json!(8), &json!(8))
    );
    // FTE over the period: 365 days = 365/7 weeks at 37.5 hours.
    close(&tt["volunteer_fte"], 24.0 / (37.5 * 365.0 / 7.0));

    // cv: the GP surgery in two spellings is one clinical venue.
    assert_eq!((&cv["sessions"], &cv["attendances"]), (&json!(5), &json!(49)));
    assert_eq!(cv["by_venue"], json!([row("GP surgery", 4, 44), row("Mosque", 1, 5)]));
    assert_eq!(cv["by_partner_type"], json!([row("Faith group", 1, 5), row("Public service", 4, 44)]));
    assert_eq!(cv["leaders_trained"], 5);
    assert_eq!((&cv["volunteer_hours"], &cv["staff_hours"]), (&json!(2.0), &json!(14.0)));
    // 1 of 5 sessions in a community setting: Wilson 95% interval from the formula
    // (Newcombe 1998, method 3) in Python: 0.03622410863243014 .. 0.6244653702374747.
    let share = &cv["community_share"];
    assert_eq!((&share["count"], &share["denominator"]), (&json!(1), &json!(5)));
    close(&share["ci_low"], 0.036_224_108_632_430_14);
    close(&share["ci_high"], 0.624_465_370_237_474_7);

    // dem: the memory clinic is clinical; the narrow boat is kept as written and left out
    // of the share; "Charity" is a voluntary organisation.
    assert_eq!(
        dem["by_venue"],
        json!([row("Clinic", 2, 16), row("Community centre", 3, 27), row("Narrow boat", 1, 8)])
    );
    assert_eq!(
        dem["by_partner_type"],
        json!([row("Faith group", 1, 8), row("Voluntary organisation", 5, 43)])
    );
    assert_eq!(
        (&dem["community_share"]["count"], &dem["community_share"]["denominator"]),
        (&json!(3), &json!(5))
    );
    assert_eq!((&dem["unclassified_sessions"], &dem["leaders_trained"]), (&json!(1), &json!(0)));

    // All pilots: L1..L10 are ten people, L6 trained twice.
    let all = &d["overall"];
    assert_eq!((&all["sessions"], &all["attendances"]), (&json!(19), &json!(176)));
    assert_eq!((&all["leaders_trained"], &all["unclassified_sessions"]), (&json!(10), &json!(1)));
    assert_eq!((&all["volunteer_hours"], &all["staff_hours"]), (&json!(38.0), &json!(38.0)));
    close(&all["volunteer_fte"], 38.0 / (37.5 * 365.0 / 7.0));
    // 12 of 18 classified sessions; Wilson (Python, as above): 0.43749467295945105 ..
    // 0.837212252491663.
    let share = &all["community_share"];
    assert_eq!((&share["count"], &share["denominator"]), (&json!(12), &json!(18)));
    close(&share["ci_low"], 0.437_494_672_959_451_05);
    close(&share["ci_high"], 0.837_212_252_491_663);
    assert_eq!((&d["period_start"], &d["period_end"]), (&json!("2025-04-01"), &json!("2026-03-31")));
    close(&d["weeks"], 365.0 / 7.0);
    assert_eq!(d["fte_hours_per_week"], 37.5);
    assert!(d["classification_source"].as_str().unwrap().contains("ACTIVITY LOCATION TYPE CODE"));

    // The hourly value and its source; the cost of delivery: 10,000 + 24 × 11.44.
    assert_eq!(
        d["hourly_values"],
        json!([{"hours_from": "tt.volunteer_hours", "hourly_value": 11.44,
                "source": "National Living Wage, April 2024", "hours": 24.0, "amount": 24.0 * 11.44}])
    );
    let cost = &d["cost"];
    let total = 10_000.0 + 24.0 * 11.44;
    close(&cost["total"], total);
    close(&cost["volunteer_time"], 24.0 * 11.44);
    close(&cost["volunteer_share"], 24.0 * 11.44 / total);
    close(&cost["per_session"], total / 19.0);
    close(&cost["per_attendance"], total / 176.0);
    close(&cost["per_leader_trained"], total / 10.0);
    close(&cost["per_participant"], total / 30.0);

    // Partners over time.
    let partners = d["partners"].as_array().unwrap();
    let names: Vec<&str> = partners.iter().map(|p| p["partner"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "Balham Mosque",
            "Furzedown Surgery",
            "Putney Carers' Network",
            "St Anne's Church",
            "St Mary's Church",
            "Tooting Islamic Centre"
        ]
    );
    assert_eq!(
        partners[2],
        json!({"partner": "Putney Carers' Network", "organisation_type": "Voluntary organisation",
               "pilots": ["dem"], "sessions": 5, "attendances": 43, "suppressed": null,
               "volunteer_hours": 10.0, "first_activity": "2025-06-03", "last_activity": "2026-02-14",
               "quarters_active": 2})
    );
    let quarter = |q: &str, active: u64, joined: u64, left: u64, retained: Value, s: [u64; 3]| {
        json!({"quarter": q, "partners_active": active, "joined": joined, "left": left, "retained": retained,
               "sessions": s[0], "community_sessions": s[1], "clinical_sessions": s[2]})
    };
    assert_eq!(
        d["quarters"],
        json!([
            quarter("Apr-Jun 2025", 2, 2, 0, Value::Null, [7, 5, 2]),
            quarter("Jul-Sep 2025", 1, 1, 2, json!(0.0), [3, 3, 0]),
            quarter("Oct-Dec 2025", 1, 1, 1, json!(0.0), [4, 0, 4]),
            quarter("Jan-Mar 2026", 3, 2, 1, json!(0.0), [5, 4, 0]),
        ])
    );

    // The map of local provision: St Anne's listed in the provision file is the partner.
    let map = &d["provision"];
    let directory: Vec<(String, String, bool)> = map["providers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (p["area"].as_str().unwrap().into(), p["name"].as_str().unwrap().into(), p["partner"] == true)
        })
        .collect();
    assert_eq!(directory.len(), 8);
    assert!(directory.contains(&("Tooting".into(), "Tooting Sikh Welfare Society".into(), false)));
    let st_anne =
        map["providers"].as_array().unwrap().iter().find(|p| p["name"] == "St Anne's Church").unwrap();
    assert_eq!(st_anne["offers"], json!(["Food bank", "Leader training", "Therapy group"]));
    let areas: Vec<(String, u64, u64, f64)> = map["areas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["area"].as_str().unwrap().into(),
                a["providers"].as_u64().unwrap(),
                a["partners"].as_u64().unwrap(),
                a["providers_per_10k"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        areas,
        [
            ("Balham".into(), 2, 1, 2.0 * 10_000.0 / 30_000.0),
            ("Furzedown".into(), 1, 1, 0.5),
            ("Putney".into(), 2, 2, 0.5),
            ("Tooting".into(), 3, 2, 0.75),
        ]
    );
    // Deciles 2, 5, 6, 8: median 5.5; rates median (0.5 + 0.667) / 2: Tooting is in need
    // but above it, Furzedown in need and below it.
    assert_eq!(map["greatest_need_least_provision"], json!(["Furzedown"]));
}

#[test]
fn a_period_that_ends_before_it_starts_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    write_inputs(dir.path());
    let plan = PLAN.replace("end = \"2026-03-31\"", "end = \"2024-03-31\"");
    std::fs::write(dir.path().join("plan.toml"), plan).unwrap();
    let err = Plan::load(&dir.path().join("plan.toml")).unwrap_err().to_string();
    assert!(err.contains("[period] ends (2024-03-31) before it starts (2025-04-01)"), "{err}");
}

#[test]
fn small_leader_counts_are_hidden_and_their_cost_with_them() {
    let dir = tempfile::tempdir().unwrap();
    write_inputs(dir.path());
    // Two leaders in dem: a count from 1 to 4.
    let extra =
        "2026-03-01,dem,St Mary's Church,faith group,church hall,Putney,leader training,1,2,1,1,L11;L12\n";
    std::fs::write(dir.path().join("activities.csv"), format!("{ACTIVITIES}{extra}")).unwrap();
    let eval = Plan::load(&dir.path().join("plan.toml")).unwrap().run().unwrap();
    let results = JsonPrinter.to_value(&eval.publish().unwrap()).unwrap();
    let dem = &results["delivery"]["pilots"][2];
    assert_eq!(dem["leaders_trained"], Value::Null);
    assert_eq!(dem["suppressed"]["leaders_trained"], "small");
    // Sessions and hours are never hidden.
    assert_eq!((&dem["sessions"], &dem["volunteer_hours"]), (&json!(7), &json!(13.0)));
    // The church hall's 2 attendances in dem are small too.
    let hall = dem["by_venue"].as_array().unwrap().iter().find(|r| r["label"] == "Church hall").unwrap();
    assert_eq!((&hall["attendances"], &hall["suppressed"]), (&Value::Null, &json!("small")));
}

/// A session of three people at a partner that appears in two pilots (as a venue, an
/// area and a partner of each): its small counts are hidden with one more cell in each
/// table, and no more. The pilots' attendances and the programme's stay shown, and a
/// pilot the small rows do not touch keeps every figure.
#[test]
fn one_small_session_hides_its_own_cells_not_the_whole_section() {
    let demo = crate::root().join("fixtures/demo");
    let dir = tempfile::tempdir().unwrap();
    for file in std::fs::read_dir(&demo).unwrap() {
        let path = file.unwrap().path();
        std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
    }
    let activities = std::fs::read_to_string(demo.join("activities.csv")).unwrap()
        + "2025-06-10,tt,Tiny Gurdwara,faith group,gurdwara,Wandsworth Town,therapy group,1,3,2,1\n\
           2025-07-10,cv,Tiny Gurdwara,faith group,gurdwara,Wandsworth Town,BP check session,1,2,2,1\n";
    std::fs::write(dir.path().join("activities.csv"), activities).unwrap();
    let eval = Plan::load(&dir.path().join("plan.toml")).unwrap().run().unwrap();
    let results = JsonPrinter.to_value(&eval.publish().unwrap()).unwrap();
    let delivery = &results["delivery"];
    for pilot in delivery["pilots"].as_array().unwrap() {
        assert!(pilot["attendances"].is_u64(), "{}: {}", pilot["pilot"], pilot["attendances"]);
        for table in ["by_venue", "by_area", "by_partner"] {
            let rows = pilot[table].as_array().unwrap();
            let hidden: Vec<&Value> = rows.iter().filter(|r| r["attendances"].is_null()).collect();
            let small = rows.iter().any(|r| r["suppressed"] == "small");
            match pilot["pilot"].as_str().unwrap() {
                // The small cell and at most two others.
                "tt" | "cv" => assert!(small && hidden.len() <= 3, "{} {table}: {hidden:?}", pilot["pilot"]),
                // The wellbeing pilot also meets at a gurdwara: a cell or two of it may be
                // hidden so that the programme's gurdwara total does not give tt's and cv's
                // back.
                "wb" => assert!(!small && hidden.len() <= 3, "wb {table}: {hidden:?}"),
                _ => assert!(hidden.is_empty(), "{} {table}: {hidden:?}", pilot["pilot"]),
            }
        }
    }
    assert!(delivery["overall"]["attendances"].is_u64());
}
