//! Workbooks in: the demo's tables written as `.xlsx` (dates as Excel date cells, numbers
//! as numbers, as Excel holds a CSV it opened) and as `.ods` give the same results as the
//! CSV files; rows are numbered as Excel shows them; Microsoft Forms' own `.xlsx` loads as
//! it comes.

use std::io::Write;
use std::path::Path;

use coproduction::{Catalogue, Ingest, JsonPrinter, Plan, SurveySource};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use serde_json::Value;

use crate::{root, temp_dir};

/// A cell's typed value, as a spreadsheet would hold the CSV text.
enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Date(u16, u8, u8),
}

fn typed(text: &str) -> Cell {
    let b = text.as_bytes();
    if text.is_empty() {
        Cell::Empty
    } else if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
        Cell::Date(text[..4].parse().unwrap(), text[5..7].parse().unwrap(), text[8..].parse().unwrap())
    } else if let Ok(v) = text.parse::<f64>() {
        Cell::Number(v)
    } else {
        Cell::Text(text.to_string())
    }
}

fn read_csv(path: &Path) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_path(path).unwrap();
    reader.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect()
}

/// Writes a table as an .xlsx sheet named `sheet`.
fn write_xlsx(rows: &[Vec<String>], path: &Path, sheet: &str) {
    write_xlsx_sheets(&[(rows, sheet)], path);
}

/// Writes tables as the sheets of one .xlsx workbook.
fn write_xlsx_sheets(tables: &[(&[Vec<String>], &str)], path: &Path) {
    let mut book = Workbook::new();
    let uk_date = Format::new().set_num_format("dd/mm/yyyy");
    for (rows, sheet) in tables {
        let ws = book.add_worksheet();
        ws.set_name(*sheet).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, text) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                match if r == 0 { Cell::Text(text.clone()) } else { typed(text) } {
                    Cell::Empty => {}
                    Cell::Text(t) => {
                        ws.write_string(r, c, t).unwrap();
                    }
                    Cell::Number(v) => {
                        ws.write_number(r, c, v).unwrap();
                    }
                    Cell::Date(y, m, d) => {
                        ws.write_datetime_with_format(
                            r,
                            c,
                            ExcelDateTime::from_ymd(y, m, d).unwrap(),
                            &uk_date,
                        )
                        .unwrap();
                    }
                }
            }
        }
    }
    book.save(path).unwrap();
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Writes a table as a minimal OpenDocument spreadsheet: the `mimetype` entry first and
/// stored, the manifest, and `content.xml` with typed cells.
fn write_ods(rows: &[Vec<String>], path: &Path, sheet: &str) {
    let mut content = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<office:document-content \
         xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" \
         xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" \
         xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" office:version=\"1.2\">\
         <office:body><office:spreadsheet>",
    );
    content.push_str(&format!("<table:table table:name=\"{}\">", xml_escape(sheet)));
    for (r, row) in rows.iter().enumerate() {
        content.push_str("<table:table-row>");
        for text in row {
            match if r == 0 { Cell::Text(text.clone()) } else { typed(text) } {
                Cell::Empty => content.push_str("<table:table-cell/>"),
                Cell::Text(t) => content.push_str(&format!(
                    "<table:table-cell office:value-type=\"string\"><text:p>{}</text:p></table:table-cell>",
                    xml_escape(&t)
                )),
                Cell::Number(v) => content.push_str(&format!(
                    "<table:table-cell office:value-type=\"float\" office:value=\"{v}\"><text:p>{v}</text:p></table:table-cell>"
                )),
                Cell::Date(y, m, d) => content.push_str(&format!(
                    "<table:table-cell office:value-type=\"date\" office:date-value=\"{y:04}-{m:02}-{d:02}\"><text:p>{d:02}/{m:02}/{y}</text:p></table:table-cell>"
                )),
            }
        }
        content.push_str("</table:table-row>");
    }
    content.push_str("</table:table></office:spreadsheet></office:body></office:document-content>");
    let manifest = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<manifest:manifest \
        xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\" manifest:version=\"1.2\">\
        <manifest:file-entry manifest:full-path=\"/\" manifest:media-type=\"application/vnd.oasis.opendocument.spreadsheet\"/>\
        <manifest:file-entry manifest:full-path=\"content.xml\" manifest:media-type=\"text/xml\"/>\
        </manifest:manifest>";
    let file = std::fs::File::create(path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let deflated =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("mimetype", stored).unwrap();
    zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet").unwrap();
    zip.start_file("META-INF/manifest.xml", deflated).unwrap();
    zip.write_all(manifest.as_bytes()).unwrap();
    zip.start_file("content.xml", deflated).unwrap();
    zip.write_all(content.as_bytes()).unwrap();
    zip.finish().unwrap();
}

/// The demo's results.json, with the file names and checksums (which differ by format)
/// taken out.
fn results(plan: &Path) -> Value {
    let eval = Plan::load(plan).unwrap().run().unwrap();
    let mut json: Value =
        serde_json::from_str(&JsonPrinter.to_string(&eval.publish().unwrap()).unwrap()).unwrap();
    fn strip(v: &mut Value) {
        match v {
            Value::Object(map) => {
                map.remove("inputs");
                map.remove("file");
                map.remove("path");
                map.remove("sha256");
                map.values_mut().for_each(strip);
            }
            Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    strip(&mut json);
    json
}

#[test]
fn the_demo_as_xlsx_and_ods_gives_the_same_results_json() {
    let demo = root().join("fixtures/demo");
    let dir = temp_dir("workbook-demo");
    let d = dir.path();
    for file in [
        "participants.csv",
        "outcomes.csv",
        "activities.csv",
        "population.csv",
        "impact_map.toml",
        "plan.toml",
    ] {
        std::fs::copy(demo.join(file), d.join(file)).unwrap();
    }
    let from_csv = results(&d.join("plan.toml"));
    let plan = std::fs::read_to_string(d.join("plan.toml")).unwrap();
    let (people, scores) = (read_csv(&demo.join("participants.csv")), read_csv(&demo.join("outcomes.csv")));
    // One .xlsx workbook with a sheet for each table, named in the plan.
    write_xlsx_sheets(&[(&people, "People"), (&scores, "Scores")], &d.join("data.xlsx"));
    let xlsx_plan = plan
        .replace(
            "participants = \"participants.csv\"",
            "participants = \"data.xlsx\"\nparticipants_sheet = \"People\"",
        )
        .replace("outcomes = \"outcomes.csv\"", "outcomes = \"data.xlsx\"\noutcomes_sheet = \"Scores\"");
    // The activities table as its own workbook.
    write_xlsx(&read_csv(&demo.join("activities.csv")), &d.join("activities.xlsx"), "Activities");
    let xlsx_plan = xlsx_plan.replace("activities = \"activities.csv\"", "activities = \"activities.xlsx\"");
    // And the population, its counts as numbers.
    write_xlsx(&read_csv(&demo.join("population.csv")), &d.join("population.xlsx"), "Census 2021");
    let xlsx_plan = xlsx_plan.replace("population = \"population.csv\"", "population = \"population.xlsx\"");
    assert!(xlsx_plan.contains("population.xlsx"));
    std::fs::write(d.join("plan-xlsx.toml"), xlsx_plan).unwrap();
    assert!(results(&d.join("plan-xlsx.toml")) == from_csv, "xlsx: results.json differs from the CSV run");
    // Two .ods files, their first sheets read.
    write_ods(&people, &d.join("participants.ods"), "People");
    write_ods(&scores, &d.join("outcomes.ods"), "Scores");
    let ods_plan = plan
        .replace("participants = \"participants.csv\"", "participants = \"participants.ods\"")
        .replace("outcomes = \"outcomes.csv\"", "outcomes = \"outcomes.ods\"");
    write_ods(&read_csv(&demo.join("activities.csv")), &d.join("activities.ods"), "Activities");
    let ods_plan = ods_plan.replace("activities = \"activities.csv\"", "activities = \"activities.ods\"");
    std::fs::write(d.join("plan-ods.toml"), ods_plan).unwrap();
    assert!(results(&d.join("plan-ods.toml")) == from_csv, "ods: results.json differs from the CSV run");
}

#[test]
fn rows_are_numbered_as_excel_shows_them() {
    let dir = temp_dir("workbook-rows");
    let rows: Vec<Vec<String>> = ["participant_id,pilot_id,age", "p1,tt,34", ",,", "p2,zz,51", "p3,tt,200"]
        .iter()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    let p = dir.path().join("p.xlsx");
    write_xlsx(&rows, &p, "Sheet1");
    let o = dir.path().join("o.csv");
    std::fs::write(&o, "participant_id,pilot_id,measure,assessed_on,score\np1,tt,phq9,2025-01-10,15\n")
        .unwrap();
    let data = Ingest::new(Catalogue::builtin()).pilots(["tt"]).load_paths(&p, &o).unwrap();
    let f = &data.files()[0];
    assert_eq!(
        (f.rows_read, f.rows_accepted, f.rows_rejected, f.rows_blank, f.cells_blanked),
        (3, 2, 1, 1, 1)
    );
    let r = &data.rejects().entries()[0];
    assert_eq!((r.row, r.column.as_deref()), (4, Some("pilot_id")));
    assert!(
        data.warnings().iter().any(|w| w.contains("row 5: age 200 is outside 0-120")),
        "{:?}",
        data.warnings()
    );
}

#[test]
fn microsoft_forms_xlsx_loads_as_it_comes() {
    // Microsoft Forms' "Open results in Excel": one sheet, time stamps as date cells.
    let dir = temp_dir("workbook-msforms");
    let path = dir.path().join("Wellbeing check(1-3).xlsx");
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("Sheet1").unwrap();
    let stamp = Format::new().set_num_format("m/d/yy h:mm:ss");
    let header = [
        "ID",
        "Start time",
        "Completion time",
        "Email",
        "Name",
        "Participant ID",
        "Feeling nervous, anxious or on edge",
        "Not being able to stop or control worrying",
        "Worrying too much about different things",
        "Trouble relaxing",
        "Being so restless that it is hard to sit still",
        "Becoming easily annoyed or irritable",
        "Feeling afraid as if something awful might happen",
    ];
    for (c, h) in header.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    let labels = ["Not at all", "Several days", "More than half the days", "Nearly every day"];
    // p1 on 1 April 2025 at 20:16 (GAD-7 2+1+1+0+0+1+3 = 8), p1 again on 30 June (1), p2
    // with "Prefer not to say" (rejected).
    let rows: [(u8, u8, &str, [usize; 7]); 3] = [
        (4, 1, "p1", [2, 1, 1, 0, 0, 1, 3]),
        (6, 30, "p1", [0, 0, 1, 0, 0, 0, 0]),
        (7, 2, "p2", [9, 0, 0, 0, 0, 0, 0]),
    ];
    for (i, (month, day, who, answers)) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        ws.write_number(r, 0, f64::from(r)).unwrap();
        let at = ExcelDateTime::from_ymd(2025, *month, *day).unwrap().and_hms(20, 16, 21).unwrap();
        ws.write_datetime_with_format(r, 1, &at, &stamp).unwrap();
        ws.write_datetime_with_format(r, 2, &at, &stamp).unwrap();
        ws.write_string(r, 3, "anonymous").unwrap();
        ws.write_string(r, 5, *who).unwrap();
        for (k, a) in answers.iter().enumerate() {
            ws.write_string(r, 6 + k as u16, if *a == 9 { "Prefer not to say" } else { labels[*a] }).unwrap();
        }
    }
    book.save(&path).unwrap();
    let spec = format!(
        "file = {:?}\ntool = \"microsoft_forms\"\nparticipant = \"Participant ID\"\npilot = \"tt\"\n\
         [[instrument]]\nmeasure = \"gad7\"\ncolumns = [{}]\n",
        path.display().to_string(),
        header[6..].iter().map(|h| format!("{h:?}")).collect::<Vec<_>>().join(", ")
    );
    let source: SurveySource = toml::from_str(&spec).unwrap();
    let ingest = Ingest::new(Catalogue::builtin()).pilots(["tt"]);
    let mut data = ingest
        .load_readers(
            "participant_id,pilot_id\np1,tt\np2,tt\n".as_bytes(),
            "p.csv",
            "participant_id,pilot_id,measure,assessed_on,score\n".as_bytes(),
            "o.csv",
        )
        .unwrap();
    ingest.add_survey(&mut data, &source).unwrap();
    let got: Vec<(String, f64)> =
        data.assessments().iter().map(|a| (a.assessed_on.to_string(), a.score)).collect();
    assert_eq!(got, [("2025-04-01".to_string(), 8.0), ("2025-06-30".to_string(), 1.0)]);
    let r = &data.rejects().entries()[0];
    assert_eq!((r.row, r.column.as_deref()), (4, Some(header[6])));
}
