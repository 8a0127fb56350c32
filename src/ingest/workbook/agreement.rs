//! The crate's `.xlsx` reader against `calamine`'s: the same header, rows, row numbers,
//! warnings and errors, cell for cell, from varied workbooks written by `rust_xlsxwriter`
//! and from hand-written parts it cannot produce.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use rust_xlsxwriter::{Format, Formula, Workbook};

use super::xlsx::XlsxBook;
use super::*;

/// A sheet as read: header, rows (Excel row, cells) and warnings; or the error's text.
type Sheet = std::result::Result<(Vec<String>, Vec<(u64, Vec<String>)>, Vec<String>), String>;

fn read(path: &Path, sheet: Option<&str>, format: DateFormat, engine: Engine) -> Sheet {
    let mut source =
        WorkbookSource::open_with(path, sheet, "t.xlsx", format, false, engine).map_err(|e| e.to_string())?;
    let mut rows = Vec::new();
    let mut row = Row::new();
    while source.next_row(&mut row).map_err(|e| e.to_string())? {
        rows.push((row.position().map_or(0, |p| p.line()), row.iter().map(String::from).collect()));
    }
    Ok((source.headers().to_vec(), rows, source.warnings().to_vec()))
}

/// Whether the crate's reader reads the sheet itself (rather than leaving it to `calamine`).
fn read_here(path: &Path, sheet: Option<&str>) -> bool {
    match XlsxBook::open(path) {
        Ok(Some(book)) => {
            let name = match sheet {
                Some(name) => name.to_string(),
                None => match book.sheet_names().first() {
                    Some(first) => first.clone(),
                    None => return true,
                },
            };
            !matches!(book.read_sheet(&name, DateFormat::Iso), Ok(None))
        }
        Ok(None) => false,
        Err(_) => true,
    }
}

/// The crate's reader's rows (header first, as written), inflating `chunk` bytes at a
/// time, so that cells, strings and tags fall across the ends of chunks.
fn read_in_chunks(path: &Path, sheet: &str, chunk: usize) -> std::result::Result<Vec<Vec<String>>, String> {
    let book = XlsxBook::open_in_chunks(path, chunk).map_err(|e| e.to_string())?.ok_or("left to calamine")?;
    let mut sheet =
        book.read_sheet(sheet, DateFormat::Iso).map_err(|e| e.to_string())?.ok_or("left to calamine")?;
    let mut rows = Vec::new();
    let mut row = Row::new();
    while sheet.next_row(&mut row).is_some() {
        rows.push(row.iter().map(String::from).collect());
    }
    Ok(rows)
}

/// A sheet's rows as [`read_in_chunks`] gives them: the header trimmed, as headers are.
fn trimmed(
    rows: std::result::Result<Vec<Vec<String>>, String>,
) -> std::result::Result<Vec<Vec<String>>, String> {
    let mut rows = rows?;
    if let Some(header) = rows.first_mut() {
        header.iter_mut().for_each(|h| *h = h.trim().to_string());
    }
    Ok(rows)
}

/// Both readers' reading of a sheet, which must be the same.
fn both(path: &Path, sheet: Option<&str>, format: DateFormat) -> (Sheet, Sheet) {
    (read(path, sheet, format, Engine::Fast), read(path, sheet, format, Engine::Calamine))
}

const NUMBER_FORMATS: [&str; 16] = [
    "dd/mm/yyyy",
    "yyyy-mm-dd hh:mm:ss",
    "m/d/yy h:mm",
    "[h]:mm:ss",
    "mm:ss",
    "h:mm AM/PM",
    "0.00",
    "#,##0",
    "\"Day \"0",
    "General",
    "d-mmm-yy",
    "[$-409]mmmm d, yyyy;@",
    "0.00%",
    "@",
    "[Red]0;[Blue]-0",
    "yyyy\"年\"m\"月\"d\"日\"",
];

const BUILTIN_FORMATS: [u8; 12] = [14, 15, 17, 20, 22, 45, 46, 47, 1, 2, 10, 49];

/// A cell to write.
#[derive(Debug, Clone)]
enum Spec {
    Text(String),
    Rich(Vec<String>),
    Number(f64),
    Integer(i64),
    Bool(bool),
    /// A formula with its cached result (a number, text, a boolean or an error).
    Formula(String),
    /// A number shown in a custom format (a date, a time, a duration, or not).
    Custom(f64, usize),
    /// A number shown in a built-in format.
    Builtin(f64, usize),
    /// A cell with a style and no value.
    Blank,
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9 ]{0,10}",
        "[ -~]{0,12}",
        "[a-z&<>\"' \n\r\té€中_]{0,10}",
        Just("_x000D_".to_string()),
        Just("a_x000A_b_x005F_x0041_".to_string()),
        Just("  lead and trail  ".to_string()),
        Just("line\r\nbreak\rcr".to_string()),
        Just("=1+1".to_string()),
        Just("1e5".to_string()),
        Just("TRUE".to_string()),
    ]
}

fn spec() -> impl Strategy<Value = Spec> {
    let number = prop_oneof![
        -1e6..1e6f64,
        (-1000i64..1000).prop_map(|n| n as f64 / 8.0),
        Just(0.1 + 0.2),
        Just(1e21),
        Just(1e-7),
        Just(-0.0),
        Just(123_456_789_012_345.0),
        Just(1_234_567_890_123_456_789.0),
    ];
    let result = prop_oneof![
        "-?[0-9]{1,6}(\\.[0-9]{1,3})?",
        "-?[0-9]{14,19}",
        Just("1e5".to_string()),
        Just("+5".to_string()),
        Just(".5".to_string()),
        Just("inf".to_string()),
        Just("-0".to_string()),
        Just("007".to_string()),
        Just("TRUE".to_string()),
        Just("FALSE".to_string()),
        Just("#DIV/0!".to_string()),
        Just("#N/A".to_string()),
        Just("#VALUE!".to_string()),
        text(),
    ];
    let serial =
        prop_oneof![0.0..80_000.0f64, (0u32..400).prop_map(f64::from), Just(60.0), Just(59.5), Just(61.0)];
    prop_oneof![
        4 => text().prop_map(Spec::Text),
        1 => prop::collection::vec(text(), 2..4).prop_map(Spec::Rich),
        3 => number.prop_map(Spec::Number),
        3 => (-100_000i64..100_000).prop_map(Spec::Integer),
        1 => any::<bool>().prop_map(Spec::Bool),
        2 => result.prop_map(Spec::Formula),
        3 => (serial.clone(), 0..NUMBER_FORMATS.len()).prop_map(|(n, f)| Spec::Custom(n, f)),
        2 => (serial, 0..BUILTIN_FORMATS.len()).prop_map(|(n, f)| Spec::Builtin(n, f)),
        1 => Just(Spec::Blank),
    ]
}

/// A sheet: a header row, then cells at (row, column), some far out.
fn sheet_spec() -> impl Strategy<Value = Vec<(u32, u16, Spec)>> {
    let place = prop_oneof![
        8 => (1u32..25, 0u16..8),
        1 => (0u32..300, 0u16..40),
    ];
    prop::collection::vec((place, spec()).prop_map(|((r, c), s)| (r, c, s)), 0..60)
}

fn write_sheet(ws: &mut rust_xlsxwriter::Worksheet, header: usize, cells: &[(u32, u16, Spec)]) {
    let bold = Format::new().set_bold();
    let italic = Format::new().set_italic();
    for c in 0..header {
        let _ = ws.write_string(0, c as u16, format!("Column {c}"));
    }
    for (r, c, spec) in cells {
        let (r, c) = (*r, *c);
        let _ = match spec {
            Spec::Text(t) => ws.write_string(r, c, t).map(|_| ()),
            Spec::Rich(parts) => {
                let fragments: Vec<(&Format, &str)> = parts
                    .iter()
                    .enumerate()
                    .map(|(i, p)| (if i % 2 == 0 { &bold } else { &italic }, p.as_str()))
                    .collect();
                ws.write_rich_string(r, c, &fragments).map(|_| ())
            }
            Spec::Number(n) => ws.write_number(r, c, *n).map(|_| ()),
            Spec::Integer(n) => ws.write_number(r, c, *n as f64).map(|_| ()),
            Spec::Bool(b) => ws.write_boolean(r, c, *b).map(|_| ()),
            Spec::Formula(result) => {
                ws.write_formula(r, c, Formula::new("=A1+1").set_result(result)).map(|_| ())
            }
            Spec::Custom(n, f) => ws
                .write_number_with_format(r, c, *n, &Format::new().set_num_format(NUMBER_FORMATS[*f]))
                .map(|_| ()),
            Spec::Builtin(n, f) => ws
                .write_number_with_format(r, c, *n, &Format::new().set_num_format_index(BUILTIN_FORMATS[*f]))
                .map(|_| ()),
            Spec::Blank => ws.write_blank(r, c, &bold).map(|_| ()),
        };
    }
}

/// Rewrites the parts of a zip through `edit` (name, content) -> content.
fn rezip(bytes: &[u8], edit: impl Fn(&str, Vec<u8>) -> Vec<u8>) -> Vec<u8> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let deflated =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for i in 0..zip.len() {
        let mut file = zip.by_index(i).unwrap();
        let name = file.name().to_string();
        let mut content = Vec::new();
        std::io::Read::read_to_end(&mut file, &mut content).unwrap();
        out.start_file(&name, deflated).unwrap();
        out.write_all(&edit(&name, content)).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// Ways to write the same sheet that `rust_xlsxwriter` does not: no cell references (cells
/// placed one after the other), no row numbers, line breaks and indents between tags, a
/// namespace prefix on every element, dates counted from 1904.
#[derive(Debug, Clone, Copy)]
struct Rewrite {
    drop_cell_refs: bool,
    drop_row_refs: bool,
    indent: bool,
    prefix: bool,
    date1904: bool,
}

fn rewrite() -> impl Strategy<Value = Rewrite> {
    (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()).prop_map(|(a, b, c, d, e)| {
        Rewrite { drop_cell_refs: a, drop_row_refs: b, indent: c, prefix: d, date1904: e }
    })
}

/// Removes the attribute `name="..."` from every start tag `<tag `.
fn drop_attribute(xml: &str, tag: &str, name: &str) -> String {
    let mut out = String::with_capacity(xml.len());
    let open = format!("<{tag} ");
    let attr = format!(" {name}=\"");
    let mut rest = xml;
    while let Some(at) = rest.find(&open) {
        let end = at + rest[at..].find('>').unwrap();
        out.push_str(&rest[..at]);
        let mut element = rest[at..end].to_string();
        if let Some(a) = element.find(&attr) {
            let close = a + attr.len() + element[a + attr.len()..].find('"').unwrap() + 1;
            element.replace_range(a..close, "");
        }
        out.push_str(&element);
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

fn apply(rewrite: Rewrite, name: &str, content: Vec<u8>) -> Vec<u8> {
    let mut xml = String::from_utf8(content).unwrap();
    if name.starts_with("xl/worksheets/") {
        if rewrite.drop_cell_refs {
            xml = drop_attribute(&xml, "c", "r");
        }
        if rewrite.drop_row_refs {
            xml = drop_attribute(&xml, "row", "r");
        }
    }
    if rewrite.date1904 && name == "xl/workbook.xml" {
        xml = xml.replace("<workbookPr", "<workbookPr date1904=\"1\"");
    }
    if name.starts_with("xl/worksheets/") || name == "xl/sharedStrings.xml" {
        if rewrite.prefix {
            xml =
                xml.replace("</", "\u{1}").replace('<', "<x:").replace("<x:?", "<?").replace('\u{1}', "</x:");
            xml = xml.replace("xmlns=", "xmlns:x=");
        }
        if rewrite.indent {
            xml = xml.replace("><", ">\n  <");
        }
    }
    xml.into_bytes()
}

fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// Workbooks of every kind of cell, one to three sheets, rewritten in the ways other
    /// writers write: both readers give the same rows, cell for cell, in ISO and UK dates.
    #[test]
    fn written_workbooks_read_alike(
        sheets in prop::collection::vec((0usize..6, sheet_spec()), 1..4),
        pick in 0usize..4,
        rewrite in rewrite(),
        uk in any::<bool>(),
        chunk in 1usize..200,
    ) {
        let mut book = Workbook::new();
        for (i, (header, cells)) in sheets.iter().enumerate() {
            let ws = book.add_worksheet();
            ws.set_name(format!("Sheet {i} & co")).unwrap();
            write_sheet(ws, *header, cells);
        }
        let bytes = rezip(&book.save_to_buffer().unwrap(), |name, content| apply(rewrite, name, content));
        let dir = temp_dir();
        let path = dir.path().join("book.xlsx");
        std::fs::write(&path, bytes).unwrap();
        let name = format!("Sheet {pick} & co");
        let sheet = if pick == 3 { None } else { Some(name.as_str()) };
        let format = if uk { DateFormat::UK } else { DateFormat::Iso };
        prop_assert!(read_here(&path, sheet));
        let (fast, slow) = both(&path, sheet, format);
        prop_assert_eq!(&fast, &slow);
        // Read a few bytes at a time, the same rows.
        if let (Ok(_), false) = (&fast, uk) {
            let name = sheet.unwrap_or("Sheet 0 & co");
            prop_assert_eq!(trimmed(read_in_chunks(&path, name, chunk)), Ok(cells(&fast)));
        }
    }
}

const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><workbookPr/><sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>"#;

const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;

const STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="2"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/><numFmt numFmtId="14" formatCode="0.00"/></numFmts><cellXfs count="5"><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="46"/><xf numFmtId="14"/><xf numFmtId="22"><alignment/></xf></cellXfs></styleSheet>"#;

fn worksheet(data: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:C3"/><sheetData>{data}</sheetData></worksheet>"#
    )
}

fn shared(strings: &[&str]) -> String {
    let items: String = strings.iter().map(|s| format!("<si>{s}</si>")).collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{0}" uniqueCount="{0}">{items}</sst>"#,
        strings.len()
    )
}

/// A workbook of the given parts, with the usual workbook, relationships and styles
/// unless given.
fn handmade(dir: &Path, name: &str, parts: &[(&str, &str)]) -> PathBuf {
    let path = dir.join(name);
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    let mut all: Vec<(&str, &str)> = parts.to_vec();
    for (part, content) in
        [("xl/workbook.xml", WORKBOOK), ("xl/_rels/workbook.xml.rels", RELS), ("xl/styles.xml", STYLES)]
    {
        if !all.iter().any(|(p, _)| *p == part) {
            all.push((part, content));
        }
    }
    for (part, content) in all {
        zip.start_file(part, options).unwrap();
        zip.write_all(content.as_bytes()).unwrap();
    }
    zip.finish().unwrap();
    path
}

fn cells(sheet: &Sheet) -> Vec<Vec<String>> {
    let (header, rows, _) = sheet.as_ref().unwrap();
    std::iter::once(header.clone()).chain(rows.iter().map(|(_, cells)| cells.clone())).collect()
}

/// What `rust_xlsxwriter` cannot write: inline strings, cells and rows without
/// references, phonetic runs, absolute part names, escapes, CDATA, comments, references,
/// prefixes, cells out of order, formula strings, ISO dates, and the 1900 leap-year bug.
#[test]
fn handmade_parts_read_alike() {
    let dir = temp_dir();
    let strings = shared(&[
        "<t>id</t>",
        "<t>漢字</t><rPh sb=\"0\" eb=\"2\"><t>かんじ</t></rPh><phoneticPr fontId=\"1\"/>",
        "<r><t>ri</t></r><r><rPr><b/></rPr><t xml:space=\"preserve\"> ch </t></r>",
        "<t>a_x000D_b_x005F_x000D_</t>",
        "<t><![CDATA[<x>&amp;]]> &amp; &#10;&#x41;<!-- c --></t>",
        "<t>line\r\nbreak</t>",
        "<t/>",
        "",
    ]);
    let data = r#"<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row>
<row r="2" spans="1:3"><c r="A2" t="s"><v>3</v></c><c t="s"><v>4</v></c><c t="s"><v>5</v></c><c t="s"><v>6</v></c><c t="s"><v>7</v></c></row>
<row><c t="inlineStr"><is><t>in</t><r><t>line</t></r></is></c><c t="inlineStr"><v>ignored</v></c><c t="inlineStr"><is/></c></row>
<row r="6"><c r="B6" t="str"><f>A1</f><v>x &amp; y&#13;&#10;z</v></c><c r="C6" t="d"><v>2025-04-01T20:16:21</v></c><c r="D6" t="d"><v>not a date</v></c></row>
<row r="7"><c r="A7" t="e"><v>#N/A</v></c><c r="B7" t="b"><v>0</v></c><c r="C7" t="b"><v>1</v></c><c r="D7"><v>abc</v></c><c r="E7"><v> 1 </v></c></row>
<row r="8"><c r="A8" s="1"><v>60</v></c><c r="B8" s="1"><v>61.75</v></c><c r="C8" s="1"><v>59</v></c><c r="D8" s="1"><v>0</v></c><c r="E8" s="1"><v>-3</v></c><c r="F8" s="1"><v>366</v></c></row>
<row r="9"><c r="A9" s="2"><v>1.5</v></c><c r="B9" s="3"><v>45000</v></c><c r="C9" s="4"><v>45000.75</v></c><c r="D9" s="99"><v>45000</v></c><c r="E9" s="x"><v>45000</v></c></row>
<row r="10"><c r="A10"><v>1E3</v></c><c r="B10"><v>.5</v></c><c r="C10"><v>-0</v></c><c r="D10"><v>1e400</v></c><c r="E10"><v>nan</v></c><c r="F10"><v>+7</v></c><c r="G10" t="n"><v>0.30000000000000004</v></c></row>
<row r="13"><c r="A13"><v>12345678901234567</v></c><c r="B13"><v>0012</v></c><c r="C13"><v>-9007199254740993</v></c></row>
<row r="11"><c r="C11"><v>3</v></c><c r="A11"><v>1</v></c><c r="B11"><v>2</v></c><c r="A11"><v>overwritten</v></c></row>
<row r="12"><c r="A12"><f t="shared" si="0" ref="A12:A13">B1</f><v>5</v></c><c r="B12"><!-- a comment --><v>7</v></c><c r="C12"><v>&#49;</v></c><c r="E12"><v><!-- c -->7</v></c><c r="D12" s="1"/><c r="H12" s="1"></c></row>
<row r="14"/><row r="15"><c r="B15" t="str"><v></v></c><c r="C15" s="1"><v>44000</v><v>44001</v></c><c r="D15" s="1"><v>44000</v></c></row>
<row r="16" customHeight="1"><c r="A16"><v>16</v></c></row>"#;
    let path = handmade(
        dir.path(),
        "parts.xlsx",
        &[("xl/sharedStrings.xml", &strings), ("xl/worksheets/sheet1.xml", &worksheet(data))],
    );
    assert!(read_here(&path, None));
    let (fast, slow) = both(&path, None, DateFormat::Iso);
    assert_eq!(fast, slow);
    let table = cells(&fast);
    assert_eq!(table[0][..3], ["id", "漢字", "ri ch"]);
    assert_eq!(table[1][..5], ["a\rb_x000D_", "<x>&amp; & \nA", "line\nbreak", "", ""]);
    assert_eq!(table[2][..3], ["inline", "", ""]);
    assert_eq!(table[5][1..4], ["x & y\r\nz", "2025-04-01", "not a date"]);
    assert_eq!(table[6][..5], ["#N/A", "FALSE", "TRUE", "abc", " 1 "]);
    assert_eq!(
        table[7][..6],
        ["1900-02-29", "1900-03-01", "1900-02-28", "1899-12-31", "1899-12-31", "1900-12-31"]
    );
    assert_eq!(table[9][..7], ["1000", "0.5", "-0", "inf", "NaN", "7", "0.30000000000000004"]);
    assert_eq!(table[10][..3], ["overwritten", "2", "3"]);
    assert_eq!(table[11][..3], ["5", "7", ""]);
    assert_eq!(table[12][..3], ["12345678901234568", "12", "-9007199254740992"]);
    // Blank rows stay, as rows of empty cells, numbered as Excel shows them.
    let (_, rows, _) = fast.as_ref().unwrap();
    assert_eq!(rows.iter().map(|(n, _)| *n).collect::<Vec<_>>(), (2..=16).collect::<Vec<_>>());
    assert!(rows[12].1.iter().all(String::is_empty));
    // Of two values the last counts; a date cached from the first is not reused.
    assert_eq!(table[14][1..4], ["", "2020-06-19", "2020-06-18"]);
    // A styled cell without a value does not widen the sheet: H12 is not a column.
    assert_eq!(table[0].len(), 7);

    // The same in the 1904 system, in UK dates, with every element prefixed, the sheet
    // named through an absolute part name, and a byte-order mark.
    let workbook = WORKBOOK.replace("<workbookPr/>", "<workbookPr date1904=\"true\"/>");
    let rels = RELS.replace("Target=\"worksheets/", "Target=\"/xl/worksheets/");
    let prefixed = worksheet(data)
        .replace("</", "\u{1}")
        .replace('<', "<x:")
        .replace("<x:?", "<?")
        .replace("<x:!", "<!")
        .replace('\u{1}', "</x:")
        .replace("xmlns=", "xmlns:x=");
    let prefixed = format!("\u{feff}{prefixed}");
    let path = handmade(
        dir.path(),
        "prefixed.xlsx",
        &[
            ("xl/sharedStrings.xml", &strings),
            ("xl/worksheets/sheet1.xml", &prefixed),
            ("xl/workbook.xml", &workbook),
            ("xl/_rels/workbook.xml.rels", &rels),
        ],
    );
    assert!(read_here(&path, None));
    let (fast, slow) = both(&path, Some("Data"), DateFormat::UK);
    assert_eq!(fast, slow);
    assert_eq!(cells(&fast)[7][0], "01/03/1904");
    // Inflated a few bytes at a time, every piece falls across the end of a chunk.
    let whole = cells(&both(&path, None, DateFormat::Iso).0);
    for chunk in 1..=16 {
        assert_eq!(trimmed(read_in_chunks(&path, "Data", chunk)).as_ref(), Ok(&whole), "chunks of {chunk}");
    }
}

/// Number spellings at the edge of what a float parser accepts: a cell without a type is a
/// number if `calamine`'s parser takes it, else text, and the crate's reader agrees on each.
#[test]
fn number_spellings_read_alike() {
    let spellings = [
        "1.",
        ".",
        "-",
        "+",
        "e5",
        "1e",
        "1e+",
        "1.5e-3",
        "  1",
        "1 ",
        "0x10",
        "1_0",
        "١",
        "Infinity",
        "-inf",
        "INF",
        "nAn",
        "+nan",
        "-NaN",
        "infinit",
        "infinityy",
        "1e-400",
        "00.5",
        "-.5",
        "+.5e1",
        "1E+05",
        "1e5.5",
        "--1",
        "+-1",
        "1,5",
        "12345678901234567890123",
        "0.1e-9999",
        "9e999",
        "1.7976931348623157e308",
        "4.9e-324",
        "-0.0",
        "0e0",
        ".e1",
        "1..2",
    ];
    let column: String =
        spellings.iter().enumerate().map(|(i, s)| format!("<c r=\"A{}\"><v>{s}</v></c>", i + 2)).collect();
    let data = format!("<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>n</t></is></c></row>{column}");
    let dir = temp_dir();
    let path = handmade(dir.path(), "numbers.xlsx", &[("xl/worksheets/sheet1.xml", &worksheet(&data))]);
    assert!(read_here(&path, None));
    let (fast, slow) = both(&path, None, DateFormat::Iso);
    assert_eq!(fast, slow);
    let read: Vec<String> = cells(&fast).into_iter().skip(1).map(|row| row[0].clone()).collect();
    assert_eq!(read[..6], ["1", ".", "-", "+", "e5", "1e"]);
    assert_eq!(read[13..17], ["inf", "-inf", "inf", "NaN"]);
}

/// Malformed or unusual workbooks: both readers fail (with an error, not a panic) or both
/// read the same; the parts the crate's reader leaves to `calamine` are left to it.
#[test]
fn odd_workbooks_fail_or_read_alike() {
    let dir = temp_dir();
    let row = r#"<row r="1"><c r="A1" t="inlineStr"><is><t>h</t></is></c></row><row r="2"><c r="A2"><v>1</v></c></row>"#;
    let chart = r#"<?xml version="1.0"?><chartsheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetPr/></chartsheet>"#;
    let encoded = worksheet(row).replace("encoding=\"UTF-8\"", "encoding=\"windows-1252\"");
    let two_sheets = WORKBOOK.replace(
        "</sheets>",
        r#"<sheet name="R&amp;D" sheetId="2" r:id="rId1" state="hidden"/></sheets><definedNames><definedName name="x">Data!$A$1</definedName></definedNames>"#,
    );
    // What, the parts unlike the usual ones, and whether the crate's reader reads it.
    type Case = (&'static str, Vec<(&'static str, String)>, bool);
    let cases: Vec<Case> = vec![
        (
            "empty sheet data",
            vec![(
                "xl/worksheets/sheet1.xml",
                worksheet("").replace("<sheetData></sheetData>", "<sheetData/>"),
            )],
            true,
        ),
        (
            "only styled cells",
            vec![("xl/worksheets/sheet1.xml", worksheet(r#"<row r="3"><c r="B3" s="1"/></row>"#))],
            true,
        ),
        ("a chart sheet", vec![("xl/worksheets/sheet1.xml", chart.to_string())], true),
        (
            "unknown error",
            vec![(
                "xl/worksheets/sheet1.xml",
                worksheet(&row.replace("<v>1</v>", "<v>#SPILL!</v>").replace("r=\"A2\"", "r=\"A2\" t=\"e\"")),
            )],
            true,
        ),
        (
            "string index out of range",
            vec![("xl/worksheets/sheet1.xml", worksheet(&row.replace("r=\"A2\"", "r=\"A2\" t=\"s\"")))],
            true,
        ),
        (
            "number that is not",
            vec![(
                "xl/worksheets/sheet1.xml",
                worksheet(&row.replace("r=\"A2\"", "r=\"A2\" t=\"n\"").replace("<v>1</v>", "<v>x</v>")),
            )],
            true,
        ),
        (
            "unknown type",
            vec![("xl/worksheets/sheet1.xml", worksheet(&row.replace("r=\"A2\"", "r=\"A2\" t=\"zz\"")))],
            true,
        ),
        (
            "unknown child",
            vec![("xl/worksheets/sheet1.xml", worksheet(&row.replace("<v>1</v>", "<w>1</w>")))],
            true,
        ),
        (
            "unknown entity",
            vec![("xl/worksheets/sheet1.xml", worksheet(&row.replace("<t>h</t>", "<t>&nbsp;</t>")))],
            true,
        ),
        ("cut off", vec![("xl/worksheets/sheet1.xml", worksheet(row)[..200].to_string())], true),
        (
            "bad reference",
            vec![("xl/worksheets/sheet1.xml", worksheet(&row.replace("r=\"A2\"", "r=\"2A\"")))],
            true,
        ),
        (
            "bad dimension",
            vec![("xl/worksheets/sheet1.xml", worksheet(row).replace("A1:C3", "A1:B2:C3"))],
            true,
        ),
        ("no sheet part", vec![], true),
        (
            "no relationships",
            vec![("xl/worksheets/sheet1.xml", worksheet(row)), ("xl/_rels/workbook.xml.rels", String::new())],
            true,
        ),
        (
            "bad styles",
            vec![
                ("xl/worksheets/sheet1.xml", worksheet(row)),
                ("xl/styles.xml", "<styleSheet><cellXfs>".to_string()),
            ],
            true,
        ),
        (
            "bad shared strings",
            vec![
                ("xl/worksheets/sheet1.xml", worksheet(row)),
                ("xl/sharedStrings.xml", "<sst><si><t>a</t>".to_string()),
            ],
            true,
        ),
        (
            "two sheets",
            vec![("xl/worksheets/sheet1.xml", worksheet(row)), ("xl/workbook.xml", two_sheets)],
            true,
        ),
        ("windows-1252", vec![("xl/worksheets/sheet1.xml", encoded)], false),
    ];
    for (what, parts, here) in cases {
        let parts: Vec<(&str, &str)> = parts.iter().map(|(p, c)| (*p, c.as_str())).collect();
        let path = handmade(dir.path(), "odd.xlsx", &parts);
        let (fast, slow) = both(&path, None, DateFormat::Iso);
        assert_eq!(read_here(&path, None), here, "{what}");
        match (&fast, &slow) {
            (Ok(_), Ok(_)) => assert_eq!(fast, slow, "{what}"),
            (Err(f), Err(s)) => {
                assert!(f.starts_with("t.xlsx: "), "{what}: {f}");
                // Where both readers describe the problem alike, the messages agree.
                if !matches!(what, "cut off" | "bad shared strings") {
                    assert_eq!(f, s, "{what}");
                }
            }
            _ => panic!("{what}: {fast:?} against {slow:?}"),
        }
    }
    // Not a zip at all, and a file that is not there: `calamine`'s own errors.
    let not_zip = dir.path().join("not.xlsx");
    std::fs::write(&not_zip, "participant_id\np1\n").unwrap();
    for path in [not_zip, dir.path().join("missing.xlsx")] {
        let (fast, slow) = both(&path, None, DateFormat::Iso);
        assert!(fast.is_err() && fast == slow, "{fast:?} {slow:?}");
    }
}

/// A cell beyond Excel's last column is an error naming it, not a sheet 16,385 columns
/// wide.
#[test]
fn cells_beyond_the_sheet_are_errors() {
    let dir = temp_dir();
    let data = r#"<row r="1"><c r="A1"><v>1</v></c><c r="XFE1"><v>2</v></c></row>"#;
    let path = handmade(dir.path(), "wide.xlsx", &[("xl/worksheets/sheet1.xml", &worksheet(data))]);
    let err = read(&path, None, DateFormat::Iso, Engine::Fast).unwrap_err();
    assert!(err.contains("cannot read sheet 'Data'") && err.contains("XFE1"), "{err}");
}

/// A sheet whose stated dimensions run backwards overflows `calamine`'s arithmetic: both
/// engines give an error or rows, never a panic.
#[test]
fn backwards_dimensions_are_not_a_panic() {
    let dir = temp_dir();
    let sheet = worksheet(r#"<row r="1"><c r="A1"><v>1</v></c></row>"#).replace("A1:C3", "C3:A1");
    let path = handmade(dir.path(), "backwards.xlsx", &[("xl/worksheets/sheet1.xml", &sheet)]);
    for engine in [Engine::Fast, Engine::Calamine] {
        if let Err(err) = read(&path, None, DateFormat::Iso, engine) {
            assert!(err.contains("cannot read sheet 'Data'"), "{err}");
        }
    }
}

/// A sheet and its strings with every kind of markup the reader meets.
const VARIED: &str = r#"<row r="1" spans="1:3"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><r><t xml:space="preserve"> b </t></r><rPh><t>x</t></rPh></is></c><c r="C1" s="1" t="str"><f>A1</f><v>a &amp; &#10;b</v></c></row><row><c><v>1.5</v></c><c s="2"><v>45000</v></c><c t="e"><v>#N/A</v></c><c t="b"><v>1</v></c><c r="F2" t="d"><v>2025-04-01</v></c><!-- c --><c r="G2"><![CDATA[x]]><v>7</v></c></row>"#;

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Cut off, overwritten with markup characters or grown, a sheet or its strings give
    /// rows or an error, never a panic, however the bytes fall into chunks.
    #[test]
    fn mangled_parts_never_panic(
        edits in prop::collection::vec((0usize..400, prop::sample::select(b"<>/&;\"'=#x0 \r\n:?![]-".to_vec()), 0u8..3), 1..6),
        cut in prop::option::of(0usize..400),
        in_strings in any::<bool>(),
        chunk in 1usize..64,
    ) {
        let mut sheet = worksheet(VARIED).into_bytes();
        let mut strings = shared(&["<t>s_x000D_</t>", "<r><t>r</t></r>"]).into_bytes();
        let target = if in_strings { &mut strings } else { &mut sheet };
        for (at, byte, how) in edits {
            let at = at.min(target.len());
            match how {
                0 => target.insert(at, byte),
                1 if at < target.len() => target[at] = byte,
                _ => { target.truncate(target.len().saturating_sub(at % 7)); }
            }
        }
        if let Some(cut) = cut {
            target.truncate(cut.min(target.len()));
        }
        let (sheet, strings) = (String::from_utf8_lossy(&sheet), String::from_utf8_lossy(&strings));
        let dir = temp_dir();
        let path = handmade(dir.path(), "mangled.xlsx", &[("xl/worksheets/sheet1.xml", &sheet), ("xl/sharedStrings.xml", &strings)]);
        let _ = read(&path, None, DateFormat::Iso, Engine::Fast);
        let _ = read_in_chunks(&path, "Data", chunk);
    }
}
