//! Disclosure control from the outside: every output of small generated programmes (with
//! an activities table of sessions of a few people each) is read back, and an auditor
//! written here (independent of the crate's own) works out what a reader could: from
//! every published figure and total, the interval each hidden count must lie in. No hidden count under min (a small count, or a zero hidden as an
//! extreme) may be pinned to fewer than two values, and no count of people from 1 to
//! min − 1 may be printed.

use std::path::Path;

use coproduction::{JsonPrinter, Plan, ReportOptions, Synthetic, publish, write_report};
use proptest::prelude::*;
use serde_json::Value;

use crate::temp_dir;

const PLAN: &str = r#"
title = "Small pilots"
[data]
participants = "participants.csv"
outcomes = "outcomes.csv"
[[pilot]]
id = "tt"
name = "Talking therapies"
programme = "psychological_therapies"
[[pilot]]
id = "cv"
name = "Blood pressure checks"
programme = "cardiovascular"
[[pilot]]
id = "dem"
name = "Carers' groups"
programme = "dementia"
[[pilot]]
id = "wb"
name = "Wellbeing"
programme = "wellbeing"
[equity]
dimensions = ["gender", "ethnicity", "age_band", "imd_quintile", "imd_decile", "area"]
[disclosure]
min_count = MIN
"#;

/// A small programme written to a folder: the generator's data, a small activities table
/// and a plan.
fn programme(dir: &Path, participants: usize, seed: u64, min_count: u32, extra: &str) {
    Synthetic::new(participants, seed).write_to_dir(dir).unwrap();
    std::fs::write(dir.join("activities.csv"), activities(seed)).unwrap();
    let plan = PLAN.replace("MIN", &min_count.to_string()).replace(
        "outcomes = \"outcomes.csv\"\n",
        "outcomes = \"outcomes.csv\"\nactivities = \"activities.csv\"\n",
    ) + extra;
    std::fs::write(dir.join("plan.toml"), plan).unwrap();
}

/// Sessions of a few people each at partners that several pilots share, so that small
/// attendances sit in every table of the delivery block (venue, area, partner, partner
/// type, pilots within the programme), with some leader training.
fn activities(seed: u64) -> String {
    const PARTNERS: [(&str, &str, &str, &str); 4] = [
        ("St Anne's Church", "faith group", "church hall", "Tooting"),
        ("Balham Mosque", "faith group", "mosque", "Balham"),
        ("Roehampton Forum", "community group", "community centre", "Roehampton"),
        ("Furzedown Practice", "public service", "GP surgery", "Tooting"),
    ];
    let mut state = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
    let mut next = |n: u64| {
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) % n
    };
    let mut text = String::from(
        "date,pilot_id,partner,organisation_type,venue_type,area,activity,sessions,attendees,volunteer_hours,staff_hours\n",
    );
    for pilot in ["tt", "cv", "dem", "wb"] {
        for (partner, kind, venue, area) in PARTNERS {
            for _ in 0..next(3) {
                let (month, day) = (4 + next(9), 1 + next(28));
                let activity = if next(4) == 0 { "leader training" } else { "group session" };
                let (sessions, attendees) = (1 + next(2), 1 + next(8));
                text.push_str(&format!(
                    "2025-{month:02}-{day:02},{pilot},{partner},{kind},{venue},{area},{activity},{sessions},{attendees},2,1\n"
                ));
            }
        }
    }
    text
}

const UNBOUNDED: u64 = u64::MAX / 4;

/// A reader's knowledge: an interval per count, and the sums they add up to.
#[derive(Default)]
struct Reader {
    lo: Vec<u64>,
    hi: Vec<u64>,
    truth: Vec<u64>,
    hidden: Vec<bool>,
    names: Vec<String>,
    sums: Vec<(Vec<usize>, usize)>,
    at_most: Vec<(usize, usize)>,
    k: u64,
    /// Half the rounding base, when counts are rounded.
    half: u64,
    printed_small: Vec<String>,
}

impl Reader {
    /// A count as published (`shown`) beside its exact value (`exact`): known when shown;
    /// when hidden, the marker tells the reader whether it is small.
    fn count(&mut self, shown: &Value, exact: &Value, what: &str) -> usize {
        let truth = exact.as_u64().unwrap_or(0);
        let (lo, hi, hidden) = match shown.as_u64() {
            Some(v) => {
                if v > 0 && v < self.k {
                    self.printed_small.push(format!("{what} = {v}"));
                }
                if v == 0 || self.half == 0 {
                    (v, v, false)
                } else {
                    (v.saturating_sub(self.half).max(self.k), v + self.half, false)
                }
            }
            None if exact.is_null() => (0, UNBOUNDED, false),
            None if truth > 0 && truth < self.k => (1, self.k - 1, true),
            None => (0, UNBOUNDED, true),
        };
        self.lo.push(lo);
        self.hi.push(hi);
        self.truth.push(truth);
        self.hidden.push(hidden);
        self.names.push(what.to_string());
        self.lo.len() - 1
    }

    /// A count not published at all: the reader knows nothing of it.
    fn unknown(&mut self, exact: &Value, what: &str) -> usize {
        self.lo.push(0);
        self.hi.push(UNBOUNDED);
        self.truth.push(exact.as_u64().unwrap_or(0));
        self.hidden.push(false);
        self.names.push(what.to_string());
        self.lo.len() - 1
    }

    fn sum(&mut self, parts: Vec<usize>, total: usize) {
        if !parts.is_empty() {
            self.sums.push((parts, total));
        }
    }

    /// Propagates the intervals to a fixed point and lists every hidden count pinned to
    /// fewer than two values.
    fn pinned(&mut self) -> Vec<String> {
        // The reader's sums hold for the true figures, or the reader is wrong.
        for (parts, total) in &self.sums {
            let sum: u64 = parts.iter().map(|&p| self.truth[p]).sum();
            assert_eq!(
                sum,
                self.truth[*total],
                "{:?} = {}",
                parts.iter().map(|&p| &self.names[p]).collect::<Vec<_>>(),
                self.names[*total]
            );
        }
        for _ in 0..10_000 {
            let mut changed = false;
            for (parts, total) in self.sums.clone() {
                let lo_sum: u64 = parts.iter().map(|&p| self.lo[p]).sum();
                let hi_sum: u64 = parts.iter().map(|&p| self.hi[p]).fold(0u64, |a, b| a.saturating_add(b));
                let t = total;
                if self.lo[t] < lo_sum {
                    self.lo[t] = lo_sum;
                    changed = true;
                }
                if self.hi[t] > hi_sum {
                    self.hi[t] = hi_sum;
                    changed = true;
                }
                for &p in &parts {
                    let others_lo = lo_sum - self.lo[p];
                    let others_hi = hi_sum.saturating_sub(self.hi[p]);
                    let hi = self.hi[t].saturating_sub(others_lo);
                    let lo = if others_hi >= UNBOUNDED { 0 } else { self.lo[t].saturating_sub(others_hi) };
                    if hi < self.hi[p] {
                        self.hi[p] = hi;
                        changed = true;
                    }
                    if lo > self.lo[p] {
                        self.lo[p] = lo;
                        changed = true;
                    }
                }
            }
            for (a, b) in self.at_most.clone() {
                if self.hi[a] > self.hi[b] {
                    self.hi[a] = self.hi[b];
                    changed = true;
                }
                if self.lo[b] < self.lo[a] {
                    self.lo[b] = self.lo[a];
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        // A hidden count of at least min (hidden to protect another) discloses nothing
        // small when worked out; small ones, and zeros hidden as extremes, must not be.
        (0..self.lo.len())
            .filter(|&i| self.hidden[i] && self.truth[i] < self.k && self.hi[i] <= self.lo[i])
            .map(|i| {
                format!(
                    "{} (true {}) pinned to [{}, {}]",
                    self.names[i], self.truth[i], self.lo[i], self.hi[i]
                )
            })
            .collect()
    }
}

/// Reads the published and exact `results.json` into a reader's knowledge.
fn read(published: &Value, exact: &Value, k: u64) -> Reader {
    let half = published["disclosure_control"]["method"]["round_to"].as_u64().unwrap_or(0) / 2;
    let mut r = Reader { k, half, ..Reader::default() };
    let total = {
        let n: u64 =
            exact["pilots"].as_array().unwrap().iter().map(|p| p["participants"].as_u64().unwrap()).sum();
        r.count(&Value::from(n), &Value::from(n), "all participants")
    };
    let mut pilot_n = Vec::new();
    let pilots = published["pilots"].as_array().unwrap();
    let exact_pilots = exact["pilots"].as_array().unwrap();
    for (p, e) in pilots.iter().zip(exact_pilots) {
        let id = p["id"].as_str().unwrap().to_string();
        let n = r.count(&p["participants"], &e["participants"], &format!("{id} participants"));
        pilot_n.push((id.clone(), n));
        let mut measure_n = Vec::new();
        for (m, em) in p["measures"].as_array().unwrap().iter().zip(e["measures"].as_array().unwrap()) {
            let name = format!("{id} {}", m["measure"].as_str().unwrap());
            let paired = r.count(&m["n_paired"], &em["n_paired"], &format!("{name} paired"));
            measure_n.push((m["measure"].as_str().unwrap().to_string(), paired));
            // Counts withheld whole are unknown to a reader, not hidden.
            let withheld = p["withheld"].as_array().is_some_and(|w| {
                w.iter().any(|x| {
                    x.as_str().is_some_and(|x| {
                        x.ends_with(&format!("reliable change counts of {}", m["measure"].as_str().unwrap()))
                    })
                })
            });
            let (improved, worse) = if withheld {
                (
                    r.unknown(&em["improved"], &format!("{name} improved")),
                    r.unknown(&em["deteriorated"], &format!("{name} deteriorated")),
                )
            } else {
                (
                    r.count(&m["improved"], &em["improved"], &format!("{name} improved")),
                    r.count(&m["deteriorated"], &em["deteriorated"], &format!("{name} deteriorated")),
                )
            };
            r.count(&m["unpaired"], &em["unpaired"], &format!("{name} unpaired"));
            r.at_most.push((improved, paired));
            r.at_most.push((worse, paired));
            if let (Some(cs), Some(ecs)) =
                (m["clinical_significance"].as_object(), em["clinical_significance"].as_object())
            {
                let ids: Vec<usize> = ["recovered", "improved", "unchanged", "deteriorated"]
                    .iter()
                    .map(|key| r.count(&cs[*key], &ecs[*key], &format!("{name} {key}")))
                    .collect();
                r.sum(ids.clone(), paired);
                r.sum(vec![ids[0], ids[1]], improved);
                r.sum(vec![ids[3]], worse);
            }
            if let (Some(b), Some(eb)) = (m["band_shift"].as_object(), em["band_shift"].as_object()) {
                let ids: Vec<usize> = ["better", "same", "worse"]
                    .iter()
                    .map(|key| r.count(&b[*key], &eb[*key], &format!("{name} band {key}")))
                    .collect();
                r.sum(ids, paired);
            }
        }
        let mut rates: Vec<(String, usize, usize)> = Vec::new();
        if let (Some(tt), Some(et)) = (p["talking_therapies"].as_object(), e["talking_therapies"].as_object())
        {
            let mut rate = |r: &mut Reader, key: &str| -> Option<(usize, usize)> {
                if et[key].is_null() {
                    return None;
                }
                let c = r.count(&tt[key]["count"], &et[key]["count"], &format!("{id} {key}"));
                let d = r.count(&tt[key]["denominator"], &et[key]["denominator"], &format!("{id} {key} den"));
                r.at_most.push((c, d));
                rates.push((key.to_string(), c, d));
                Some((c, d))
            };
            let finished = rate(&mut r, "finished_treatment");
            let improvement = rate(&mut r, "reliable_improvement");
            let deterioration = rate(&mut r, "reliable_deterioration");
            let recovery = rate(&mut r, "recovery");
            let reliable_recovery = rate(&mut r, "reliable_recovery");
            let paired =
                r.count(&tt["finished_and_paired"], &et["finished_and_paired"], &format!("{id} paired"));
            let case = r.count(
                &tt["at_caseness_at_first"],
                &et["at_caseness_at_first"],
                &format!("{id} at caseness"),
            );
            if let Some((_, d)) = finished {
                r.sum(vec![d], n);
            }
            for (c, d) in [improvement, deterioration].into_iter().flatten() {
                let _ = c;
                r.sum(vec![d], paired);
            }
            for (_, d) in [recovery, reliable_recovery].into_iter().flatten() {
                r.sum(vec![d], case);
            }
            if let Some((c, _)) = finished {
                r.at_most.push((paired, c));
            }
            r.at_most.push((case, paired));
            let anxiety: Vec<usize> = tt["anxiety_measures"]
                .as_array()
                .unwrap()
                .iter()
                .zip(et["anxiety_measures"].as_array().unwrap())
                .map(|(a, ea)| r.count(&a[1], &ea[1], &format!("{id} anxiety {}", a[0])))
                .collect();
            r.sum(anxiety, paired);
            if let (Some(m), Some(em)) =
                (tt["caseness_change"].as_object(), et["caseness_change"].as_object())
            {
                let yes_to_no = r.count(&m["yes_to_no"], &em["yes_to_no"], &format!("{id} yes to no"));
                if let Some((c, _)) = recovery {
                    r.sum(vec![yes_to_no], c);
                }
                r.count(&m["no_to_yes"], &em["no_to_yes"], &format!("{id} no to yes"));
            }
        }
        if let (Some(cv), Some(ec)) = (p["cardiovascular"].as_object(), e["cardiovascular"].as_object()) {
            let both = r.count(&cv["n_paired_both"], &ec["n_paired_both"], &format!("{id} bp both"));
            r.count(&cv["n_paired"], &ec["n_paired"], &format!("{id} bp paired"));
            for key in ["controlled_first", "controlled_last", "newly_controlled"] {
                if ec[key].is_null() {
                    continue;
                }
                let c = r.count(&cv[key]["count"], &ec[key]["count"], &format!("{id} {key}"));
                let d = r.count(&cv[key]["denominator"], &ec[key]["denominator"], &format!("{id} {key} den"));
                r.sum(vec![d], both);
                r.at_most.push((c, d));
                rates.push((format!("bp_{key}"), c, d));
            }
            let categories = cv["categories"].as_array().unwrap();
            let exact_categories = ec["categories"].as_array().unwrap();
            for key in ["first", "last"] {
                let ids = categories
                    .iter()
                    .zip(exact_categories)
                    .map(|(c, e)| r.count(&c[key], &e[key], &format!("{id} category {}", c["category"])))
                    .collect();
                r.sum(ids, both);
            }
        }
        // Equity rows of this pilot, by dimension.
        // Rows by pilot, dimension and group: a breakdown that is withheld has no rows.
        let exact_row = |row: &Value| {
            exact["equity"]
                .as_array()
                .unwrap()
                .iter()
                .find(|e| {
                    e["pilot"] == row["pilot"]
                        && e["dimension"] == row["dimension"]
                        && e["group"] == row["group"]
                })
                .unwrap()
        };
        let rows: Vec<(&Value, &Value)> = published["equity"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|row| row["pilot"] == id.as_str())
            .map(|row| (row, exact_row(row)))
            .collect();
        let mut dimensions: Vec<&str> =
            rows.iter().map(|(row, _)| row["dimension"].as_str().unwrap()).collect();
        dimensions.dedup();
        let mut by_dimension = std::collections::HashMap::new();
        for dimension in dimensions {
            let group_rows: Vec<&(&Value, &Value)> =
                rows.iter().filter(|(row, _)| row["dimension"] == dimension).collect();
            let sizes: Vec<usize> = group_rows
                .iter()
                .map(|(row, e)| {
                    r.count(
                        &row["participants"],
                        &e["participants"],
                        &format!("{id} {dimension} {}", row["group"]),
                    )
                })
                .collect();
            r.sum(sizes.clone(), n);
            let mut rate_cells = Vec::new();
            for (name, pc, pd) in &rates {
                let key = name.strip_prefix("bp_").map(|k| format!("bp_{k}")).unwrap_or(name.clone());
                if group_rows.first().is_none_or(|(row, _)| row.get(&key).is_none()) {
                    continue;
                }
                let cells: Vec<(usize, usize)> = group_rows
                    .iter()
                    .zip(&sizes)
                    .map(|((row, e), &size)| {
                        let label = format!("{id} {dimension} {} {key}", row["group"]);
                        let c = r.count(&row[&key]["count"], &e[&key]["count"], &label);
                        let d = r.count(
                            &row[&key]["denominator"],
                            &e[&key]["denominator"],
                            &format!("{label} den"),
                        );
                        r.at_most.push((c, d));
                        r.at_most.push((d, size));
                        if key == "finished_treatment" {
                            r.sum(vec![d], size);
                        }
                        (c, d)
                    })
                    .collect();
                r.sum(cells.iter().map(|c| c.0).collect(), *pc);
                r.sum(cells.iter().map(|c| c.1).collect(), *pd);
                rate_cells.push(cells);
            }
            let mut mean_cells = Vec::new();
            for (measure, paired) in &measure_n {
                let key = format!("{measure}_change");
                if group_rows.first().is_none_or(|(row, _)| row.get(&key).is_none()) {
                    continue;
                }
                let cells: Vec<usize> = group_rows
                    .iter()
                    .map(|(row, e)| {
                        r.count(
                            &row[&key]["n"],
                            &e[&key]["n"],
                            &format!("{id} {dimension} {} {key} n", row["group"]),
                        )
                    })
                    .collect();
                r.sum(cells.clone(), *paired);
                mean_cells.push(cells);
            }
            let labels: Vec<String> =
                group_rows.iter().map(|(row, _)| row["group"].as_str().unwrap().to_string()).collect();
            by_dimension.insert(dimension.to_string(), (labels, sizes, rate_cells, mean_cells));
        }
        // Deciles inside quintiles.
        if let (Some(d), Some(q)) = (by_dimension.get("imd_decile"), by_dimension.get("imd_quintile")) {
            for (qi, label) in q.0.iter().enumerate() {
                let parts: Vec<usize> = match label.parse::<u32>() {
                    Ok(n) => [2 * n - 1, 2 * n]
                        .iter()
                        .filter_map(|x| d.0.iter().position(|l| *l == x.to_string()))
                        .collect(),
                    Err(_) => d.0.iter().position(|l| l == label).into_iter().collect(),
                };
                let (dsizes, qsizes) = (d.1.clone(), q.1.clone());
                r.sum(parts.iter().map(|&i| dsizes[i]).collect(), qsizes[qi]);
                for (dr, qr) in d.2.iter().zip(&q.2) {
                    r.sum(parts.iter().map(|&i| dr[i].0).collect(), qr[qi].0);
                    r.sum(parts.iter().map(|&i| dr[i].1).collect(), qr[qi].1);
                }
                for (dm, qm) in d.3.iter().zip(&q.3) {
                    r.sum(parts.iter().map(|&i| dm[i]).collect(), qm[qi]);
                }
            }
        }
    }
    r.sum(pilot_n.iter().map(|p| p.1).collect(), total);
    if let (Some(_), Some(_)) = (published["delivery"].as_object(), exact["delivery"].as_object()) {
        read_delivery(&mut r, &published["delivery"], &exact["delivery"]);
    }
    r
}

/// The delivery block: attendances (people at sessions) and leaders trained. A pilot's
/// venues, areas, partners and partner types each add up to its attendances; the
/// programme's attendances are the pilots'; each label's programme figure is the sum of
/// the pilots' with that label; the partners table repeats the programme's by partner.
fn read_delivery(r: &mut Reader, published: &Value, exact: &Value) {
    const TABLES: [&str; 4] = ["by_venue", "by_area", "by_partner", "by_partner_type"];
    // A row published with neither a figure nor a reason was withheld with its table.
    let row_cell = |r: &mut Reader, row: &Value, exact_row: &Value, what: &str| {
        if row["attendances"].is_null() && row["suppressed"].is_null() {
            r.unknown(&exact_row["attendances"], what)
        } else {
            r.count(&row["attendances"], &exact_row["attendances"], what)
        }
    };
    let mut by_label: std::collections::BTreeMap<(&str, String), Vec<usize>> = Default::default();
    let (mut pilots, mut leaders) = (Vec::new(), Vec::new());
    let exact_pilots = exact["pilots"].as_array().unwrap();
    for (p, e) in published["pilots"].as_array().unwrap().iter().zip(exact_pilots) {
        let id = p["pilot"].as_str().unwrap();
        let attendances = r.count(&p["attendances"], &e["attendances"], &format!("{id} attendances"));
        pilots.push(attendances);
        for table in TABLES {
            let rows = p[table].as_array().unwrap();
            let cells: Vec<usize> = rows
                .iter()
                .zip(e[table].as_array().unwrap())
                .map(|(row, erow)| {
                    let label = row["label"].as_str().unwrap().to_string();
                    let cell = row_cell(r, row, erow, &format!("{id} {table} {label}"));
                    by_label.entry((table, label)).or_default().push(cell);
                    cell
                })
                .collect();
            r.sum(cells, attendances);
        }
        let trained = r.count(&p["leaders_trained"], &e["leaders_trained"], &format!("{id} leaders"));
        if p["leaders_counted"] == "attendances" {
            r.at_most.push((trained, attendances));
            leaders.push(trained);
        }
    }
    let o = (&published["overall"], &exact["overall"]);
    let all = r.count(&o.0["attendances"], &o.1["attendances"], "programme attendances");
    r.sum(pilots, all);
    let mut by_partner = std::collections::BTreeMap::new();
    for table in TABLES {
        let mut cells = Vec::new();
        for (row, erow) in o.0[table].as_array().unwrap().iter().zip(o.1[table].as_array().unwrap()) {
            let label = row["label"].as_str().unwrap().to_string();
            let cell = row_cell(r, row, erow, &format!("programme {table} {label}"));
            if let Some(parts) = by_label.remove(&(table, label.clone())) {
                r.sum(parts, cell);
            }
            if table == "by_partner" {
                by_partner.insert(label, cell);
            }
            cells.push(cell);
        }
        r.sum(cells, all);
    }
    let trained = r.count(&o.0["leaders_trained"], &o.1["leaders_trained"], "programme leaders");
    if o.0["leaders_counted"] == "attendances" {
        r.sum(leaders, trained);
    }
    for (row, erow) in
        published["partners"].as_array().unwrap().iter().zip(exact["partners"].as_array().unwrap())
    {
        let name = row["partner"].as_str().unwrap();
        let cell = if row["attendances"].is_null() && row["suppressed"].is_null() {
            r.unknown(&erow["attendances"], &format!("partner {name}"))
        } else {
            r.count(&row["attendances"], &erow["attendances"], &format!("partner {name}"))
        };
        if let Some(&programme) = by_partner.get(name) {
            r.sum(vec![programme], cell);
        }
    }
}

/// Runs a programme, writes its report with the exact figures beside it, and audits it.
fn audit(participants: usize, seed: u64, min_count: u32, extra: &str) -> Result<(), String> {
    let dir = temp_dir("disclosure");
    programme(dir.path(), participants, seed, min_count, extra);
    let plan = Plan::load(&dir.path().join("plan.toml")).unwrap();
    let eval = plan.run().unwrap();
    let mut options = ReportOptions::from_plan(&plan);
    options.exact_results = true;
    options.png_charts = false;
    let out = dir.path().join("report");
    match write_report(&eval, &out, &options) {
        Ok(_) => {}
        // A programme whose every pilot is under twice the threshold may have nothing that
        // can be published safely: that is an error, and nothing is written.
        Err(e @ coproduction::Error::Disclosure(_)) if participants < 8 * min_count as usize => {
            assert!(!out.join("results.json").exists(), "{e}");
            return Ok(());
        }
        Err(e) => return Err(e.to_string()),
    }
    let published: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap();
    let exact: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("results-exact.json")).unwrap()).unwrap();
    assert!(published["delivery"]["pilots"].is_array(), "every programme has an activities table");
    let mut reader = read(&published, &exact, u64::from(min_count));
    if !reader.printed_small.is_empty() {
        return Err(format!("small counts printed: {:?}", reader.printed_small));
    }
    let pinned = reader.pinned();
    if !pinned.is_empty() {
        return Err(format!("hidden counts a reader can work out: {pinned:?}"));
    }
    // The text outputs: no "n = 3" or "3 of 40" with a small count.
    let k = u64::from(min_count);
    let mut texts = vec![std::fs::read_to_string(out.join("report.md")).unwrap()];
    for entry in std::fs::read_dir(out.join("tables")).unwrap() {
        texts.push(std::fs::read_to_string(entry.unwrap().path()).unwrap());
    }
    for text in &texts {
        for (i, _) in text.match_indices(" of ") {
            let before: String = text[..i].chars().rev().take_while(|c| c.is_ascii_digit()).collect();
            if let Ok(v) = before.chars().rev().collect::<String>().parse::<u64>() {
                let start = i - before.len();
                let prior = text[..start].chars().last();
                // "1 of 3 sessions": sessions are not people, and are never hidden.
                let of_what: String =
                    text[i + 4..].chars().skip_while(|c| c.is_ascii_digit() || *c == ',').collect();
                let sessions = of_what.trim_start().starts_with("session");
                if v > 0 && v < k && !sessions && prior.is_none_or(|c| !c.is_ascii_alphanumeric() && c != '.')
                {
                    return Err(format!("'{}' printed", &text[start..(i + 8).min(text.len())]));
                }
            }
        }
        for (i, _) in text.match_indices("n = ") {
            let after: String = text[i + 4..].chars().take_while(|c| c.is_ascii_digit()).collect();
            if after.parse::<u64>().is_ok_and(|v| v > 0 && v < k) {
                return Err(format!("'n = {after}' printed"));
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Pilots of 1 to 60 people with many small groups, thresholds 3 to 10.
    #[test]
    fn no_small_count_can_be_read_or_worked_out(
        participants in 4usize..240,
        seed in 0u64..1_000_000,
        min_count in 3u32..=10,
    ) {
        prop_assert_eq!(audit(participants, seed, min_count, ""), Ok(()));
    }
}

#[test]
fn rounding_and_extremes_are_audited_too() {
    for (n, seed) in [(40, 1), (120, 2), (200, 3)] {
        let extra = "round_to = 5\nprotect_extremes = true\n";
        assert_eq!(audit(n, seed, 5, extra), Ok(()));
    }
}

#[test]
fn the_demo_publishes_no_small_count() {
    let dir = temp_dir("demo-disclosure");
    let plan = Plan::load(&crate::root().join("fixtures/demo/plan.toml")).unwrap();
    let eval = plan.run().unwrap();
    let publication = publish(&eval).unwrap();
    let published: Value = serde_json::from_str(&JsonPrinter.to_string(&publication).unwrap()).unwrap();
    let exact: Value = serde_json::from_str(
        &JsonPrinter.to_string(&coproduction::publish::publish_exact(&eval).unwrap()).unwrap(),
    )
    .unwrap();
    let mut reader = read(&published, &exact, 5);
    assert!(reader.printed_small.is_empty(), "{:?}", reader.printed_small);
    let pinned = reader.pinned();
    assert!(pinned.is_empty(), "{pinned:?}");
    // The figures the held-out comparisons read are unchanged where nothing needed hiding.
    let tt = &published["pilots"][0]["talking_therapies"];
    assert_eq!(
        (tt["reliable_recovery"]["count"].as_u64(), tt["reliable_recovery"]["denominator"].as_u64()),
        (Some(64), Some(181))
    );
    assert_eq!(
        (tt["reliable_improvement"]["count"].as_u64(), tt["reliable_improvement"]["denominator"].as_u64()),
        (Some(127), Some(184))
    );
    assert_eq!(published["social_value"]["sroi_ratio"], exact["social_value"]["sroi_ratio"]);
    drop(dir);
}

/// A Talking Therapies pilot of 28 who all finished and were at caseness: `recovered` of
/// them reliably recovered; the rest did not change. Half are "Female", half "Male", and
/// two people are "Non-binary" when `small_group` is set.
fn talking_therapies_pilot(
    dir: &Path,
    recovered: usize,
    min_count: u32,
    small_group: bool,
) -> coproduction::Evaluation {
    let mut participants = String::from("participant_id,pilot_id,gender,end_date,treatment_sessions\n");
    let mut outcomes = String::from("participant_id,pilot_id,measure,assessed_on,score\n");
    for i in 0..28 {
        let gender = match i {
            0 | 1 if small_group => "Non-binary",
            _ if i % 2 == 0 => "Female",
            _ => "Male",
        };
        participants.push_str(&format!("p{i},tt,{gender},2025-06-01,6\n"));
        let (phq, gad) = if i < recovered { (3, 2) } else { (20, 15) };
        outcomes.push_str(&format!("p{i},tt,phq9,2025-01-10,20\np{i},tt,phq9,2025-05-20,{phq}\n"));
        outcomes.push_str(&format!("p{i},tt,gad7,2025-01-10,15\np{i},tt,gad7,2025-05-20,{gad}\n"));
    }
    std::fs::write(dir.join("participants.csv"), participants).unwrap();
    std::fs::write(dir.join("outcomes.csv"), outcomes).unwrap();
    let plan = format!(
        "title = \"One pilot\"\n[data]\nparticipants = \"participants.csv\"\noutcomes = \"outcomes.csv\"\n\
         [[pilot]]\nid = \"tt\"\nname = \"Talking therapies\"\nprogramme = \"psychological_therapies\"\n\
         [equity]\ndimensions = [\"gender\"]\n[disclosure]\nmin_count = {min_count}\n"
    );
    std::fs::write(dir.join("plan.toml"), plan).unwrap();
    Plan::load(&dir.join("plan.toml")).unwrap().run().unwrap()
}

#[test]
fn a_headline_of_26_recovered_of_28_shows_its_rate() {
    let dir = temp_dir("headline");
    let eval = talking_therapies_pilot(dir.path(), 26, 5, false);
    let doc = coproduction::build_document(&publish(&eval).unwrap(), &ReportOptions::default()).unwrap();
    let figure = doc.sections[0]
        .blocks
        .iter()
        .find_map(|b| match b {
            coproduction::Block::Figures(f) => {
                f.iter().find(|f| f.label.ends_with("reliable recovery")).cloned()
            }
            _ => None,
        })
        .unwrap();
    assert_eq!(figure.value, "92.9%");
    assert!(figure.detail.starts_with("95% CI") && figure.detail.contains("26 of 28"), "{}", figure.detail);
}

/// The markers and the rule's words, for thresholds of 5 and 10.
#[test]
fn markers_say_what_they_mean() {
    for (min_count, small, words) in [(5, "<5", "from 1 to 4"), (10, "<10", "from 1 to 9")] {
        let dir = temp_dir("markers");
        let eval = talking_therapies_pilot(dir.path(), 20, min_count, true);
        let publication = publish(&eval).unwrap();
        let doc = coproduction::build_document(&publication, &ReportOptions::default()).unwrap();
        let md = coproduction::MarkdownPrinter.to_string(&doc);
        assert!(md.contains(words), "the rule in words");
        // Every group's recovery count is hidden: no test of independence is printed for it.
        assert!(!md.contains("Does recovery differ"), "{md}");
        assert!(md.contains(&format!("shown as {}", small.replace('<', "&lt;"))), "{md}");
        let table = doc
            .sections
            .iter()
            .flat_map(|s| &s.blocks)
            .find_map(|b| match b {
                coproduction::Block::Table(t) if t.name == "equity_tt_gender" => Some(t.clone()),
                _ => None,
            })
            .unwrap();
        let csv = String::from_utf8(coproduction::report::table_csv(&table).unwrap()).unwrap();
        insta::assert_snapshot!(format!("equity_gender_min_{min_count}"), csv);
        let cells: Vec<Vec<&str>> =
            table.rows.iter().map(|r| r.iter().take(2).map(String::as_str).collect()).collect();
        // Two non-binary people are a small count; another group is hidden too (marked *),
        // or the pilot's 28 would give the two away.
        assert_eq!(cells.iter().filter(|r| r[1] == small).count(), 1, "{cells:?}");
        assert!(cells.iter().any(|r| r[1] == "*"), "{cells:?}");
        assert!(cells.contains(&vec!["Non-binary", small]), "{cells:?}");
        let json: Value = serde_json::from_str(&JsonPrinter.to_string(&publication).unwrap()).unwrap();
        let rows: Vec<&Value> = json["equity"].as_array().unwrap().iter().collect();
        assert!(rows.iter().any(|r| r["group"] == "Non-binary" && r["suppressed"] == "small"));
        assert!(rows.iter().any(|r| r["group"] != "Non-binary" && r["participants"].is_null()));
        assert_eq!(json["disclosure_control"]["small_marker"], small);
    }
}

/// Under rounding every count of people printed is a multiple of the base, rates included.
#[test]
fn rounded_counts_are_printed_rounded_everywhere() {
    let dir = temp_dir("rounding");
    programme(dir.path(), 200, 5, 5, "round_to = 5\n");
    let eval = Plan::load(&dir.path().join("plan.toml")).unwrap().run().unwrap();
    let json = JsonPrinter.to_value(&publish(&eval).unwrap()).unwrap();
    fn walk(v: &Value, bad: &mut Vec<String>) {
        match v {
            Value::Object(map) => {
                for (k, x) in map {
                    let people =
                        ["count", "denominator", "participants", "n_paired", "improved", "deteriorated", "n"];
                    if people.contains(&k.as_str()) {
                        if let Some(n) = x.as_u64() {
                            if n % 5 != 0 {
                                bad.push(format!("{k} = {n}"));
                            }
                        }
                    }
                    walk(x, bad);
                }
            }
            Value::Array(items) => items.iter().for_each(|x| walk(x, bad)),
            _ => {}
        }
    }
    let mut bad = Vec::new();
    walk(&json["pilots"], &mut bad);
    walk(&json["equity"], &mut bad);
    assert!(bad.is_empty(), "{bad:?}");
}

/// A social value computed from a hidden count would give it back: its figures are withheld
/// whole, the inputs (money) still shown, and the report says why.
#[test]
fn social_value_from_a_hidden_count_is_withheld() {
    let dir = temp_dir("withheld");
    talking_therapies_pilot(dir.path(), 3, 5, false);
    std::fs::write(
        dir.path().join("impact_map.toml"),
        "price_year = 2024\ndiscount = 0.035\n\
         [[input]]\nstakeholder = \"Funder\"\ndescription = \"Grant\"\namount = 20000\n\
         [[outcome]]\nstakeholder = \"Participants\"\noutcome = \"Recovery\"\nindicator = \"Reliable recovery\"\n\
         quantity_from = \"tt.reliable_recovery\"\nvalue = 2000\nvalue_price_year = 2024\n\
         proxy_source = \"test\"\nduration_years = 1\n",
    )
    .unwrap();
    let plan_path = dir.path().join("plan.toml");
    let plan =
        std::fs::read_to_string(&plan_path).unwrap() + "[social_value]\nimpact_map = \"impact_map.toml\"\n";
    std::fs::write(&plan_path, plan).unwrap();
    let eval = Plan::load(&plan_path).unwrap().run().unwrap();
    assert_eq!(
        eval.social_value.as_ref().map(|sv| sv.outcomes[0].quantity),
        Some(3.0),
        "exact figures stay exact"
    );
    let publication = publish(&eval).unwrap();
    let json = JsonPrinter.to_value(&publication).unwrap();
    let sv = &json["social_value"];
    assert_eq!(sv["suppressed"], "small");
    assert!(
        sv["present_value"].is_null()
            && sv["sroi_ratio"].is_null()
            && sv["outcomes"] == serde_json::json!([])
    );
    assert_eq!(sv["investment"], 20000.0);
    assert_eq!(sv["withheld_because"], serde_json::json!(["tt.reliable_recovery"]));
    assert_eq!(sv["quantities"][0]["text"], "<5 people reliably recovered");
    let md = coproduction::MarkdownPrinter
        .to_string(&coproduction::build_document(&publication, &ReportOptions::default()).unwrap());
    assert!(md.contains("social value figures are not published"), "{md}");
    assert!(publication.summary_lines().iter().any(|l| l.contains("not published")));
}
