//! A participants table as `.xlsx` against the same table as CSV: the load of a workbook
//! (unzip, shared strings, styles, then the same validators) must stay within three times
//! the CSV load. 100,000 participants by default (`COPROD_BENCH_PARTICIPANTS`). The crate's
//! own `.xlsx` reader is timed alone beside `calamine`'s read of the same sheet. Figures:
//! `benches/README.md`.

use std::path::{Path, PathBuf};

use coproduction::{Catalogue, Ingest, Synthetic};
use criterion::{Criterion, criterion_group, criterion_main};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

fn participants() -> usize {
    std::env::var("COPROD_BENCH_PARTICIPANTS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000)
}

/// The participants CSV, the same table as a workbook (numbers as numbers, dates as date
/// cells, as Excel holds a CSV it opened), and an outcomes file with its header only.
fn files() -> (PathBuf, PathBuf, PathBuf) {
    let n = participants();
    let dir = std::env::temp_dir().join(format!("coprod-bench-workbook-{n}"));
    let (csv, xlsx, outcomes) =
        (dir.join("participants.csv"), dir.join("participants.xlsx"), dir.join("o.csv"));
    if !xlsx.exists() {
        let _ = Synthetic::new(n, 20250401).write_to_dir(&dir);
        let _ = std::fs::write(&outcomes, "participant_id,pilot_id,measure,assessed_on,score\n");
        write_xlsx(&csv, &xlsx);
    }
    (csv, xlsx, outcomes)
}

fn write_xlsx(csv: &Path, xlsx: &Path) {
    let Ok(mut reader) = csv::ReaderBuilder::new().has_headers(false).from_path(csv) else { return };
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    for (r, record) in reader.records().flatten().enumerate() {
        for (c, text) in record.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            let b = text.as_bytes();
            let _ = if text.is_empty() {
                continue;
            } else if r > 0 && b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
                let ymd = (text[..4].parse(), text[5..7].parse(), text[8..].parse());
                match ymd {
                    (Ok(y), Ok(m), Ok(d)) => match ExcelDateTime::from_ymd(y, m, d) {
                        Ok(dt) => ws.write_datetime_with_format(r, c, dt, &date).map(|_| ()),
                        Err(_) => ws.write_string(r, c, text).map(|_| ()),
                    },
                    _ => ws.write_string(r, c, text).map(|_| ()),
                }
            } else if let (true, Ok(v)) = (r > 0, text.parse::<f64>()) {
                ws.write_number(r, c, v).map(|_| ())
            } else {
                ws.write_string(r, c, text).map(|_| ())
            };
        }
    }
    let _ = book.save(xlsx);
}

fn workbook_against_csv(c: &mut Criterion) {
    let (csv, xlsx, outcomes) = files();
    let catalogue = Catalogue::builtin();
    let pilots = ["tt", "cv", "dem", "wb"];
    let load = |p: &Path| Ingest::new(catalogue).pilots(pilots).load_paths(p, &outcomes);
    // Both loads must succeed, and agree, before they are timed.
    let (from_csv, from_xlsx) = (load(&csv).expect("CSV loads"), load(&xlsx).expect("workbook loads"));
    assert_eq!(from_csv.participants().len(), from_xlsx.participants().len());
    assert_eq!(from_csv.files()[0].rows_accepted, participants() as u64);
    let mut group = c.benchmark_group(format!("participants_{}", participants()));
    group.sample_size(10);
    group.bench_function("load_csv", |b| b.iter(|| load(&csv)));
    group.bench_function("load_xlsx", |b| b.iter(|| load(&xlsx)));
    // The crate's `.xlsx` reader alone: `inspect_survey` opens the sheet, which reads it
    // whole (unzip, shared strings, styles, every cell as text), then looks at its header;
    // no validation.
    group.bench_function("crate_reader_sheet_only", |b| b.iter(|| coproduction::inspect_survey(&xlsx, None)));
    // `calamine`'s share when it read `.xlsx` (it still reads `.xls` and `.ods`): unzip
    // and parse the sheet, no validation.
    group.bench_function("calamine_sheet_only", |b| {
        b.iter(|| {
            use calamine::Reader;
            calamine::open_workbook_auto(&xlsx)
                .ok()
                .and_then(|mut book| book.worksheet_range_at(0))
                .map(|r| r.is_ok())
        })
    });
    // The same read without copying shared strings into each cell.
    group.bench_function("calamine_sheet_by_reference", |b| {
        b.iter(|| {
            use calamine::{Reader, ReaderRef};
            let mut book: calamine::Xlsx<_> = calamine::open_workbook(&xlsx).ok()?;
            let name = book.sheet_names().first()?.clone();
            book.worksheet_range_ref(&name).ok().map(|r| r.get_size())
        })
    });
    group.finish();
}

criterion_group!(benches, workbook_against_csv);
criterion_main!(benches);
