//! `.xlsx` and `.xlsm` sheets read straight from the zip, for speed.
//!
//! `calamine` builds an event for every tag and a typed value for every cell before a row
//! can be handed on; for a sheet of a million cells that is most of the load. Here the
//! sheet part is inflated in chunks and scanned byte by byte, and each cell's text is
//! written once into one buffer (shared strings into another, read once). The text is
//! exactly what `cell_text` makes of `calamine`'s value for the same cell:
//! the same sheets, ranges, numbers, dates and errors, so a workbook loads alike whichever
//! reader read it. Files this reader does not take on (not a zip, an encrypted workbook,
//! a part in an encoding other than UTF-8, a DTD) are left to `calamine`.

use std::collections::HashMap;
use std::io::{Cursor, Read, Write as _};
use std::path::Path;

use calamine::{CellErrorType, ExcelDateTime, ExcelDateTimeType, XlsxError};
use memchr::{memchr, memchr2, memchr3, memmem};
use quick_xml::errors::{IllFormedError, SyntaxError};
use quick_xml::escape::{EscapeError, ParseCharRefError};
use quick_xml::events::Event;
use quick_xml::events::attributes::{AttrError, Attribute};
use quick_xml::name::QName;
use zip::ZipArchive;
use zip::result::ZipError;

use super::super::FastMap;
use super::super::table::Row;
use crate::date::DateFormat;

/// Excel's last row and column: a cell beyond them is an error, not a sheet to size.
const MAX_ROWS: u32 = 1_048_576;
const MAX_COLUMNS: u32 = 16_384;

/// Bytes inflated at a time: small enough to stay in cache while they are scanned.
const CHUNK: usize = 256 * 1024;

/// Why a part was not read here.
#[derive(Debug)]
enum Fail {
    /// A part this reader leaves to `calamine` (a declared encoding other than UTF-8, a DTD).
    Elsewhere,
    Xlsx(XlsxError),
}

impl From<XlsxError> for Fail {
    fn from(e: XlsxError) -> Self {
        Fail::Xlsx(e)
    }
}

impl From<quick_xml::Error> for Fail {
    fn from(e: quick_xml::Error) -> Self {
        Fail::Xlsx(XlsxError::Xml(e))
    }
}

impl From<AttrError> for Fail {
    fn from(e: AttrError) -> Self {
        Fail::Xlsx(XlsxError::XmlAttr(e))
    }
}

type Res<T> = std::result::Result<T, Fail>;

/// What a cell's number format makes of its number, by `calamine`'s rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CellFormat {
    Other,
    DateTime,
    TimeDelta,
}

/// Whether a custom number format code shows a date or a duration: the rules `calamine`
/// applies, followed exactly so that both readers agree on which cells are dates.
fn custom_format(code: &str) -> CellFormat {
    let mut escaped = false;
    let mut is_quote = false;
    let mut brackets = 0u8;
    let mut prev = ' ';
    let mut hms = false;
    let mut ap = false;
    for s in code.chars() {
        match (s, escaped, is_quote, ap, brackets) {
            (_, true, ..) => escaped = false,
            ('_' | '\\', ..) => escaped = true,
            ('"', _, true, _, _) => is_quote = false,
            (_, _, true, _, _) => (),
            ('"', _, _, _, _) => is_quote = true,
            // The first section (positive numbers) decides.
            (';', ..) => return CellFormat::Other,
            ('[', ..) => brackets = brackets.wrapping_add(1),
            (']', .., 1) if hms => return CellFormat::TimeDelta,
            (']', ..) => brackets = brackets.saturating_sub(1),
            ('a' | 'A', _, _, false, 0) => ap = true,
            ('p' | 'm' | '/' | 'P' | 'M', _, _, true, 0) => return CellFormat::DateTime,
            ('d' | 'm' | 'h' | 'y' | 's' | 'D' | 'M' | 'H' | 'Y' | 'S', _, _, false, 0) => {
                return CellFormat::DateTime;
            }
            _ => {
                if !(hms && s.eq_ignore_ascii_case(&prev)) {
                    hms = prev == '[' && matches!(s, 'm' | 'h' | 's' | 'M' | 'H' | 'S');
                }
            }
        }
        prev = s;
    }
    CellFormat::Other
}

/// The built-in number formats that show dates (14 to 22, 45, 47) or a duration (46).
fn builtin_format(id: &[u8]) -> CellFormat {
    match id {
        b"14" | b"15" | b"16" | b"17" | b"18" | b"19" | b"20" | b"21" | b"22" | b"45" | b"47" => {
            CellFormat::DateTime
        }
        b"46" => CellFormat::TimeDelta,
        _ => CellFormat::Other,
    }
}

/// A workbook's shared strings: one buffer and where each string ends.
#[derive(Debug, Default)]
struct SharedStrings {
    text: String,
    ends: Vec<u32>,
}

impl SharedStrings {
    fn len(&self) -> usize {
        self.ends.len()
    }

    fn get(&self, index: usize) -> &str {
        let start = match index.checked_sub(1) {
            Some(before) => self.ends.get(before).copied().unwrap_or(0),
            None => 0,
        };
        let end = self.ends.get(index).copied().unwrap_or(start);
        self.text.get(start as usize..end as usize).unwrap_or("")
    }
}

/// An `.xlsx` or `.xlsm` workbook: its sheets, shared strings and number formats, read
/// when it is opened (as `calamine` reads them, in the same order, with the same errors).
pub(super) struct XlsxBook {
    zip: ZipArchive<Cursor<Vec<u8>>>,
    /// Part names by their lower-case form: parts are found whatever their case.
    parts: HashMap<String, String>,
    strings: SharedStrings,
    formats: Vec<CellFormat>,
    is_1904: bool,
    /// Each sheet's name and part.
    sheets: Vec<(String, String)>,
    /// Bytes inflated at a time.
    chunk: usize,
}

impl XlsxBook {
    /// Opens a workbook; `None` for a file to leave to `calamine` (unreadable, not a zip:
    /// an encrypted workbook or an `.xls` under another name; or a part it reads
    /// differently).
    pub(super) fn open(path: &Path) -> Result<Option<XlsxBook>, XlsxError> {
        XlsxBook::open_in_chunks(path, CHUNK)
    }

    /// [`XlsxBook::open`], inflating `chunk` bytes at a time.
    pub(super) fn open_in_chunks(path: &Path, chunk: usize) -> Result<Option<XlsxBook>, XlsxError> {
        let Ok(bytes) = std::fs::read(path) else { return Ok(None) };
        let Ok(zip) = ZipArchive::new(Cursor::new(bytes)) else { return Ok(None) };
        let parts =
            zip.file_names().map(|n| (n.replace('\\', "/").to_ascii_lowercase(), n.to_string())).collect();
        let mut book = XlsxBook {
            zip,
            parts,
            strings: SharedStrings::default(),
            formats: Vec::new(),
            is_1904: false,
            sheets: Vec::new(),
            chunk: chunk.max(1),
        };
        match book.read_parts() {
            Ok(()) => Ok(Some(book)),
            Err(Fail::Elsewhere) => Ok(None),
            Err(Fail::Xlsx(e)) => Err(e),
        }
    }

    fn read_parts(&mut self) -> Res<()> {
        let mut scan = StringScan::default();
        let chunk = self.chunk;
        if let Some(part) = self.part("xl/sharedStrings.xml") {
            drive(part?, &mut scan, chunk)?;
        }
        self.strings = scan.finish()?;
        if let Some(styles) = self.whole_part("xl/styles.xml") {
            self.formats = read_styles(&styles?)?;
        }
        let Some(rels) = self.whole_part("xl/_rels/workbook.xml.rels") else {
            return Err(XlsxError::FileNotFound("xl/_rels/workbook.xml.rels".to_string()).into());
        };
        let relationships = read_relationships(&rels?)?;
        if let Some(workbook) = self.whole_part("xl/workbook.xml") {
            let (sheets, is_1904) = read_workbook(&workbook?, &relationships)?;
            self.sheets = sheets;
            self.is_1904 = is_1904;
        }
        Ok(())
    }

    /// A part of the zip, found as `calamine` finds it; `None` if there is none.
    fn part(&mut self, path: &str) -> Option<Result<zip::read::ZipFile<'_, Cursor<Vec<u8>>>, XlsxError>> {
        let name = self.parts.get(&path.to_ascii_lowercase()).map_or(path, String::as_str);
        match self.zip.by_name(name) {
            Ok(file) => Some(Ok(file)),
            Err(ZipError::FileNotFound) => None,
            Err(e) => Some(Err(XlsxError::Zip(e))),
        }
    }

    /// A small part, inflated whole.
    fn whole_part(&mut self, path: &str) -> Option<Result<Vec<u8>, XlsxError>> {
        self.part(path).map(|file| {
            let mut file = file?;
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes).map_err(XlsxError::Io)?;
            Ok(bytes)
        })
    }

    /// The sheets' names, in the workbook's order.
    pub(super) fn sheet_names(&self) -> Vec<String> {
        self.sheets.iter().map(|(name, _)| name.clone()).collect()
    }

    /// Reads the sheet `name` (the first of that name), its date cells written in
    /// `date_format`; `None` if its part is one to leave to `calamine`.
    pub(super) fn read_sheet(
        mut self,
        name: &str,
        date_format: DateFormat,
    ) -> Result<Option<XlsxSheet>, XlsxError> {
        let not_found = || XlsxError::WorksheetNotFound(name.to_string());
        let path = self.sheets.iter().find(|(n, _)| n == name).ok_or_else(not_found)?.1.clone();
        let formats = std::mem::take(&mut self.formats);
        let strings = std::mem::take(&mut self.strings);
        let (is_1904, chunk) = (self.is_1904, self.chunk);
        let part = self.part(&path).ok_or_else(not_found)??;
        let mut scan = SheetScan::new(&formats, strings.len(), is_1904, date_format);
        // A cell takes some 30 bytes of XML: room for the cells at once, within reason.
        let cells = usize::try_from(part.size() / 32).unwrap_or(usize::MAX).min(1 << 22);
        scan.cells.reserve(cells);
        scan.text.reserve(cells * 4);
        match drive(part, &mut scan, chunk) {
            Ok(()) => scan.finish(strings).map(Some),
            Err(Fail::Elsewhere) => Ok(None),
            Err(Fail::Xlsx(e)) => Err(e),
        }
    }
}

/// A quick-xml reader set up as `calamine` sets up its own, for the small parts.
fn xml_reader(bytes: &[u8]) -> quick_xml::Reader<&[u8]> {
    let mut reader = quick_xml::Reader::from_reader(bytes);
    let config = reader.config_mut();
    config.check_end_names = false;
    config.trim_text(false);
    config.check_comments = false;
    config.expand_empty_elements = true;
    reader
}

/// `xl/styles.xml`: what each cell style's number format shows.
fn read_styles(bytes: &[u8]) -> Result<Vec<CellFormat>, XlsxError> {
    let mut xml = xml_reader(bytes);
    let mut number_formats: HashMap<Vec<u8>, String> = HashMap::new();
    let mut formats = Vec::new();
    let mut buf = Vec::with_capacity(1024);
    let mut inner_buf = Vec::with_capacity(1024);
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf) {
            Ok(Event::Start(e)) if e.local_name().as_ref() == b"numFmts" => loop {
                inner_buf.clear();
                match xml.read_event_into(&mut inner_buf) {
                    Ok(Event::Start(e)) if e.local_name().as_ref() == b"numFmt" => {
                        let mut id = Vec::new();
                        let mut format = String::new();
                        for a in e.attributes() {
                            match a? {
                                Attribute { key: QName(b"numFmtId"), value } => id.extend_from_slice(&value),
                                Attribute { key: QName(b"formatCode"), value } => {
                                    format = xml.decoder().decode(&value)?.into_owned();
                                }
                                _ => (),
                            }
                        }
                        if !format.is_empty() {
                            number_formats.insert(id, format);
                        }
                    }
                    Ok(Event::End(e)) if e.local_name().as_ref() == b"numFmts" => break,
                    Ok(Event::Eof) => return Err(XlsxError::XmlEof("numFmts")),
                    Err(e) => return Err(XlsxError::Xml(e)),
                    _ => (),
                }
            },
            Ok(Event::Start(e)) if e.local_name().as_ref() == b"cellXfs" => loop {
                inner_buf.clear();
                match xml.read_event_into(&mut inner_buf) {
                    Ok(Event::Start(e)) if e.local_name().as_ref() == b"xf" => {
                        formats.push(
                            e.attributes()
                                .filter_map(std::result::Result::ok)
                                .find(|a| a.key == QName(b"numFmtId"))
                                .map_or(CellFormat::Other, |a| match number_formats.get(&*a.value) {
                                    Some(code) => custom_format(code),
                                    None => builtin_format(&a.value),
                                }),
                        );
                    }
                    Ok(Event::End(e)) if e.local_name().as_ref() == b"cellXfs" => break,
                    Ok(Event::Eof) => return Err(XlsxError::XmlEof("cellXfs")),
                    Err(e) => return Err(XlsxError::Xml(e)),
                    _ => (),
                }
            },
            Ok(Event::End(e)) if e.local_name().as_ref() == b"styleSheet" => break,
            Ok(Event::Eof) => return Err(XlsxError::XmlEof("styleSheet")),
            Err(e) => return Err(XlsxError::Xml(e)),
            _ => (),
        }
    }
    Ok(formats)
}

/// `xl/_rels/workbook.xml.rels`: each relationship's target by its id.
fn read_relationships(bytes: &[u8]) -> Result<HashMap<Vec<u8>, String>, XlsxError> {
    let mut xml = xml_reader(bytes);
    let mut relationships = HashMap::new();
    let mut buf = Vec::with_capacity(64);
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf) {
            Ok(Event::Start(e)) if e.local_name().as_ref() == b"Relationship" => {
                let mut id = Vec::new();
                let mut target = String::new();
                for a in e.attributes() {
                    match a? {
                        Attribute { key: QName(b"Id"), value } => id.extend_from_slice(&value),
                        Attribute { key: QName(b"Target"), value } => {
                            target = xml.decoder().decode(&value)?.into_owned();
                        }
                        _ => (),
                    }
                }
                relationships.insert(id, target);
            }
            Ok(Event::End(e)) if e.local_name().as_ref() == b"Relationships" => break,
            Ok(Event::Eof) => return Err(XlsxError::XmlEof("Relationships")),
            Err(e) => return Err(XlsxError::Xml(e)),
            _ => (),
        }
    }
    Ok(relationships)
}

/// A sheet's name and part.
type SheetPart = (String, String);

/// `xl/workbook.xml`: the sheets in order (their parts found through the relationships,
/// relative to `xl/` or absolute) and whether dates count from 1904.
fn read_workbook(
    bytes: &[u8],
    relationships: &HashMap<Vec<u8>, String>,
) -> Result<(Vec<SheetPart>, bool), XlsxError> {
    let mut xml = xml_reader(bytes);
    let mut sheets = Vec::new();
    let mut is_1904 = false;
    let mut buf = Vec::with_capacity(1024);
    let mut val_buf = Vec::with_capacity(1024);
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf) {
            Ok(Event::Start(e)) if e.local_name().as_ref() == b"sheet" => {
                let mut name = String::new();
                let mut path = String::new();
                for a in e.attributes() {
                    let a = a?;
                    match a {
                        Attribute { key: QName(b"name"), .. } => {
                            name = a.decode_and_unescape_value(xml.decoder())?.to_string();
                        }
                        Attribute { key: QName(b"state"), .. } => {
                            let state = a.decode_and_unescape_value(xml.decoder())?;
                            if !matches!(state.as_ref(), "visible" | "hidden" | "veryHidden") {
                                return Err(XlsxError::Unrecognized {
                                    typ: "sheet:state",
                                    val: state.to_string(),
                                });
                            }
                        }
                        Attribute { key, value } if key.local_name().as_ref() == b"id" => {
                            let target = relationships.get(&*value).ok_or(XlsxError::RelationshipNotFound)?;
                            path = if let Some(absolute) =
                                target.strip_prefix('/').filter(|t| t.starts_with("xl/"))
                            {
                                absolute.to_string()
                            } else if target.starts_with("xl/") {
                                target.clone()
                            } else {
                                format!("xl/{target}")
                            };
                        }
                        _ => (),
                    }
                }
                if !matches!(path.split('/').nth(1), Some("worksheets" | "chartsheets" | "dialogsheets")) {
                    return Err(XlsxError::Unrecognized { typ: "sheet:type", val: path });
                }
                sheets.push((name, path));
            }
            Ok(Event::Start(e)) if e.name().as_ref() == b"workbookPr" => {
                is_1904 = match e.try_get_attribute("date1904")? {
                    Some(c) => ["1", "true"].contains(
                        &c.decode_and_unescape_value(xml.decoder()).map_err(XlsxError::Xml)?.as_ref(),
                    ),
                    None => false,
                };
            }
            Ok(Event::Start(e)) if e.local_name().as_ref() == b"definedName" => {
                // Read as `calamine` reads them, for the same errors; not kept.
                let Some(name) =
                    e.attributes().filter_map(std::result::Result::ok).find(|a| a.key == QName(b"name"))
                else {
                    continue;
                };
                name.decode_and_unescape_value(xml.decoder())?;
                loop {
                    val_buf.clear();
                    match xml.read_event_into(&mut val_buf)? {
                        Event::Text(t) => {
                            t.xml10_content()?;
                        }
                        Event::GeneralRef(r) => {
                            resolve(&r, &mut Vec::new()).map_err(|f| match f {
                                Fail::Xlsx(e) => e,
                                Fail::Elsewhere => XlsxError::Unexpected("unreadable defined name"),
                            })?;
                        }
                        Event::End(end) if end.name() == e.name() => break,
                        Event::Eof => return Err(XlsxError::XmlEof("workbook")),
                        _ => (),
                    }
                }
            }
            Ok(Event::End(e)) if e.local_name().as_ref() == b"workbook" => break,
            Ok(Event::Eof) => return Err(XlsxError::XmlEof("workbook")),
            Err(e) => return Err(XlsxError::Xml(e)),
            _ => (),
        }
    }
    Ok((sheets, is_1904))
}

/// A scanner of one part, fed its bytes as they are inflated.
trait Scan {
    /// Reads what it can of `b` and returns how many bytes it is done with: a unit (a
    /// cell, a string, a tag) is read whole or left for the next call, with more bytes.
    fn feed(&mut self, b: &[u8]) -> Res<usize>;
    /// Whether the part's content has been read to its end.
    fn done(&self) -> bool;
    /// The part ended before [`Scan::done`], with `rest` unread.
    fn end(&mut self, rest: &[u8]) -> Res<()>;
}

/// Inflates `part` chunk by chunk into `scan`: a second thread inflates while this one
/// scans, the chunks going round between them, so that the two costs overlap.
fn drive(part: impl Read + Send, scan: &mut impl Scan, size: usize) -> Res<()> {
    std::thread::scope(|scope| {
        let (full_tx, full_rx) = std::sync::mpsc::sync_channel::<std::io::Result<Vec<u8>>>(4);
        let (spent_tx, spent_rx) = std::sync::mpsc::channel::<Vec<u8>>();
        scope.spawn(move || {
            let mut part = part;
            loop {
                let mut chunk = spent_rx.try_recv().unwrap_or_default();
                chunk.resize(size, 0);
                let filled = fill(&mut part, &mut chunk);
                let end = matches!(filled, Ok(0) | Err(_));
                // A send fails once the scan has stopped (its part's end, or an error).
                if full_tx
                    .send(filled.map(|n| {
                        chunk.truncate(n);
                        chunk
                    }))
                    .is_err()
                    || end
                {
                    return;
                }
            }
        });
        // Chunks are scanned where they lie; only the piece (a cell, a string, a tag) left
        // unread at the end of one is copied, to be finished with the start of the next.
        let mut carry: Vec<u8> = Vec::new();
        let mut first = true;
        loop {
            // The inflating thread ends only by sending an error or the end.
            let chunk = full_rx
                .recv()
                .unwrap_or_else(|_| Err(std::io::Error::other("the inflating thread stopped")))
                .map_err(XlsxError::Io)?;
            let last = chunk.is_empty();
            if first {
                carry.extend_from_slice(&chunk);
                if carry.len() < 4 && !last {
                    let _ = spent_tx.send(chunk);
                    continue;
                }
                first = false;
                // A UTF-8 byte-order mark is skipped; UTF-16 (by its mark or its first
                // bytes) is left to `calamine`.
                match &carry[..carry.len().min(4)] {
                    [0xEF, 0xBB, 0xBF, ..] => drop(carry.drain(..3)),
                    [0xFE, 0xFF, ..] | [0xFF, 0xFE, ..] | [0, b'<', ..] | [b'<', 0, ..] => {
                        return Err(Fail::Elsewhere);
                    }
                    _ => {}
                }
                let used = scan.feed(&carry)?;
                carry.drain(..used);
            } else {
                // The piece left over, fed again with more and more of this chunk until it
                // is read.
                let mut pos = 0;
                let mut held = carry.len();
                while !carry.is_empty() && pos < chunk.len() {
                    let more = carry.len().max(256).min(chunk.len() - pos);
                    carry.extend_from_slice(&chunk[pos..pos + more]);
                    pos += more;
                    let used = scan.feed(&carry)?;
                    if used >= held || scan.done() {
                        pos -= carry.len() - used;
                        carry.clear();
                    } else {
                        carry.drain(..used);
                        held -= used;
                    }
                    if scan.done() {
                        return Ok(());
                    }
                }
                if carry.is_empty() && !scan.done() {
                    pos += scan.feed(&chunk[pos..])?;
                    carry.extend_from_slice(&chunk[pos..]);
                }
            }
            let _ = spent_tx.send(chunk);
            if scan.done() {
                return Ok(());
            }
            if last {
                return scan.end(&carry);
            }
        }
    })
}

/// Reads into `chunk` until it is full or the part ends; how many bytes it holds.
fn fill(part: &mut impl Read, chunk: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < chunk.len() {
        match part.read(&mut chunk[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// A tag's name without its namespace prefix.
fn local(name: &[u8]) -> &[u8] {
    match memchr(b':', name) {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

/// One piece of markup.
#[derive(Debug)]
enum Tag<'a> {
    /// A start tag; `empty` when it closes itself (`<c r="A1"/>`), which reads as a start
    /// followed by an end.
    Start {
        name: &'a [u8],
        attrs: &'a [u8],
        empty: bool,
    },
    End {
        name: &'a [u8],
    },
    CData(&'a [u8]),
    /// A comment or a processing instruction.
    Other,
}

/// The markup at `b[i]` (a `<`) and the position after it; `None` if `b` ends first.
fn tag(b: &[u8], i: usize) -> Res<Option<(Tag<'_>, usize)>> {
    let Some(&kind) = b.get(i + 1) else { return Ok(None) };
    match kind {
        b'/' => {
            let Some(k) = memchr(b'>', &b[i + 2..]) else { return Ok(None) };
            let mut name = &b[i + 2..i + 2 + k];
            while let [rest @ .., last] = name {
                if !is_space(*last) {
                    break;
                }
                name = rest;
            }
            Ok(Some((Tag::End { name }, i + 3 + k)))
        }
        b'?' => {
            let Some(k) = memmem::find(&b[i + 2..], b"?>") else { return Ok(None) };
            declaration(&b[i + 2..i + 2 + k])?;
            Ok(Some((Tag::Other, i + 4 + k)))
        }
        b'!' => {
            let rest = &b[i + 2..];
            if rest.starts_with(b"--") {
                let Some(k) = memmem::find(&rest[2..], b"-->") else { return Ok(None) };
                Ok(Some((Tag::Other, i + 4 + k + 3)))
            } else if rest.starts_with(b"[CDATA[") {
                let Some(k) = memmem::find(&rest[7..], b"]]>") else { return Ok(None) };
                Ok(Some((Tag::CData(&rest[7..7 + k]), i + 9 + k + 3)))
            } else if rest.len() >= 7 && rest[..7].eq_ignore_ascii_case(b"DOCTYPE") {
                // A document type may declare entities: `calamine` reads such parts.
                Err(Fail::Elsewhere)
            } else if rest.len() < 7
                && (b"--".starts_with(&rest[..rest.len().min(2)])
                    || b"[CDATA[".starts_with(rest)
                    || b"DOCTYPE"[..rest.len()].eq_ignore_ascii_case(rest))
            {
                Ok(None)
            } else {
                Err(quick_xml::Error::Syntax(SyntaxError::InvalidBangMarkup).into())
            }
        }
        _ => {
            let mut j = i + 1;
            let close = loop {
                let Some(k) = memchr3(b'>', b'"', b'\'', &b[j..]) else { return Ok(None) };
                let p = j + k;
                if b[p] == b'>' {
                    break p;
                }
                let Some(q) = memchr(b[p], &b[p + 1..]) else { return Ok(None) };
                j = p + 2 + q;
            };
            let mut body = &b[i + 1..close];
            let empty = body.last() == Some(&b'/');
            if empty {
                body = &body[..body.len() - 1];
            }
            let name_end = body.iter().position(|&c| is_space(c)).unwrap_or(body.len());
            Ok(Some((Tag::Start { name: &body[..name_end], attrs: &body[name_end..], empty }, close + 1)))
        }
    }
}

/// Checks an XML declaration's encoding: parts in anything but UTF-8 are left to
/// `calamine`, which decodes them.
fn declaration(body: &[u8]) -> Res<()> {
    let Some(rest) = body.strip_prefix(b"xml") else { return Ok(()) };
    if rest.first().is_some_and(|&c| !is_space(c)) {
        return Ok(());
    }
    for attr in Attrs::new(rest) {
        let Ok((key, value)) = attr else { return Err(Fail::Elsewhere) };
        if key == b"encoding"
            && !(value.eq_ignore_ascii_case(b"utf-8") || value.eq_ignore_ascii_case(b"utf8"))
        {
            return Err(Fail::Elsewhere);
        }
    }
    Ok(())
}

/// The attributes of a start tag, as (name, raw value).
struct Attrs<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Attrs<'a> {
    fn new(b: &'a [u8]) -> Self {
        Attrs { b, i: 0 }
    }
}

impl<'a> Iterator for Attrs<'a> {
    type Item = std::result::Result<(&'a [u8], &'a [u8]), AttrError>;

    fn next(&mut self) -> Option<Self::Item> {
        let b = self.b;
        let mut i = self.i;
        let skip = |mut i: usize| {
            while i < b.len() && is_space(b[i]) {
                i += 1;
            }
            i
        };
        i = skip(i);
        if i >= b.len() {
            self.i = i;
            return None;
        }
        // After an error the rest is not read.
        self.i = b.len();
        let start = i;
        while i < b.len() && b[i] != b'=' && !is_space(b[i]) {
            i += 1;
        }
        let key = &b[start..i];
        i = skip(i);
        if b.get(i) != Some(&b'=') {
            return Some(Err(AttrError::ExpectedEq(i)));
        }
        i = skip(i + 1);
        let Some(&quote) = b.get(i) else { return Some(Err(AttrError::ExpectedValue(i))) };
        if quote != b'"' && quote != b'\'' {
            return Some(Err(AttrError::UnquotedValue(i)));
        }
        let Some(k) = memchr(quote, &b[i + 1..]) else {
            return Some(Err(AttrError::ExpectedQuote(i, quote)));
        };
        self.i = i + 2 + k;
        Some(Ok((key, &b[i + 1..i + 1 + k])))
    }
}

/// The position of the next `<` from `i`, checking that each reference on the way is
/// closed; `None` if `b` ends first.
fn next_markup(b: &[u8], mut i: usize) -> Res<Option<usize>> {
    loop {
        let Some(k) = memchr2(b'<', b'&', &b[i..]) else { return Ok(None) };
        i += k;
        if b[i] == b'<' {
            return Ok(Some(i));
        }
        match reference_end(b, i)? {
            Some(end) => i = end,
            None => return Ok(None),
        }
    }
}

/// The position after the `;` of the reference at `b[i]` (a `&`).
fn reference_end(b: &[u8], i: usize) -> Res<Option<usize>> {
    match memchr3(b';', b'<', b'&', &b[i + 1..]) {
        None => Ok(None),
        Some(k) if b[i + 1 + k] == b';' => Ok(Some(i + 2 + k)),
        Some(_) => Err(quick_xml::Error::IllFormed(IllFormedError::UnclosedReference).into()),
    }
}

/// Appends what a reference (`amp`, `#10`, `#x41`) stands for.
fn resolve(name: &[u8], out: &mut Vec<u8>) -> Res<()> {
    let known = match name {
        b"lt" => "<",
        b"gt" => ">",
        b"amp" => "&",
        b"apos" => "'",
        b"quot" => "\"",
        _ => {
            let text = std::str::from_utf8(name)
                .map_err(|_| XlsxError::Unexpected("invalid UTF-8 in a reference"))?;
            let Some(number) = text.strip_prefix('#') else {
                return Err(quick_xml::Error::Escape(EscapeError::UnrecognizedEntity(
                    0..0,
                    format!("&{text};"),
                ))
                .into());
            };
            let (digits, radix) = match number.strip_prefix('x') {
                Some(hex) => (hex, 16),
                None => (number, 10),
            };
            let invalid = |e| quick_xml::Error::Escape(EscapeError::InvalidCharRef(e));
            if digits.starts_with(['+', '-']) {
                return Err(invalid(ParseCharRefError::UnexpectedSign).into());
            }
            let code = u32::from_str_radix(digits, radix)
                .map_err(|e| invalid(ParseCharRefError::InvalidNumber(e)))?;
            if code == 0 {
                return Err(invalid(ParseCharRefError::IllegalCharacter(code)).into());
            }
            let c = char::from_u32(code).ok_or_else(|| invalid(ParseCharRefError::InvalidCodepoint(code)))?;
            let mut utf8 = [0; 4];
            out.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
            return Ok(());
        }
    };
    out.extend_from_slice(known.as_bytes());
    Ok(())
}

/// Appends a run of text with XML's line ends (`\r\n` and `\r` read as `\n`), and with
/// Excel's escapes (`_x000D_` for a carriage return) undone when `unescape`.
fn push_text(out: &mut Vec<u8>, text: &[u8], unescape: bool) {
    if memchr(b'\r', text).is_none() {
        push_unescaped(out, text, unescape);
        return;
    }
    let mut normal = Vec::with_capacity(text.len());
    let mut i = 0;
    while let Some(k) = memchr(b'\r', &text[i..]) {
        normal.extend_from_slice(&text[i..i + k]);
        normal.push(b'\n');
        i += k + 1;
        if text.get(i) == Some(&b'\n') {
            i += 1;
        }
    }
    normal.extend_from_slice(&text[i..]);
    push_unescaped(out, &normal, unescape);
}

/// Excel writes characters XML cannot hold as `_xHHHH_`; like `calamine`, the ones of the
/// form `_x00HH_` are read back as the character HH.
fn push_unescaped(out: &mut Vec<u8>, text: &[u8], unescape: bool) {
    if !unescape || memmem::find(text, b"_x00").is_none() {
        out.extend_from_slice(text);
        return;
    }
    let mut i = 0;
    while i < text.len() {
        if i + 7 <= text.len() && text[i..].starts_with(b"_x00") && text[i + 6] == b'_' {
            let code =
                std::str::from_utf8(&text[i + 4..i + 6]).ok().and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(code) = code {
                let mut utf8 = [0; 4];
                out.extend_from_slice(char::from(code).encode_utf8(&mut utf8).as_bytes());
                i += 7;
                continue;
            }
        }
        out.push(text[i]);
        i += 1;
    }
}

/// Skips to the end tag of the element `name` whose start tag ends at `i`, counting
/// nested elements of the same name; `None` if `b` ends first.
fn skip_element(b: &[u8], mut i: usize, name: &[u8]) -> Res<Option<usize>> {
    let mut depth = 0u32;
    loop {
        let Some(lt) = next_markup(b, i)? else { return Ok(None) };
        let Some((tag, next)) = tag(b, lt)? else { return Ok(None) };
        i = next;
        match tag {
            Tag::Start { name: n, empty: false, .. } if n == name => depth += 1,
            Tag::End { name: n } if n == name => match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => return Ok(Some(i)),
            },
            _ => {}
        }
    }
}

/// Appends the text of the element `name` whose start tag ends at `i`, up to its end
/// tag: references resolved, line ends normalised; Excel's escapes undone and CDATA
/// kept for a string's `<t>` (`strings`), not for a `<v>`.
fn element_text(b: &[u8], mut i: usize, name: &[u8], out: &mut Vec<u8>, strings: bool) -> Res<Option<usize>> {
    loop {
        let Some(k) = memchr2(b'<', b'&', &b[i..]) else { return Ok(None) };
        if k > 0 {
            push_text(out, &b[i..i + k], strings);
        }
        i += k;
        if b[i] == b'&' {
            let Some(end) = reference_end(b, i)? else { return Ok(None) };
            resolve(&b[i + 1..end - 1], out)?;
            i = end;
            continue;
        }
        let Some((tag, next)) = tag(b, i)? else { return Ok(None) };
        match tag {
            Tag::End { name: n } if n == name => return Ok(Some(next)),
            Tag::Start { name: n, empty: true, .. } if n == name => return Ok(Some(next)),
            Tag::CData(text) if strings => push_text(out, text, false),
            _ => {}
        }
        i = next;
    }
}

/// Appends a string (`<si>` or `<is>`, closed by `closing`, its start tag ending at `i`):
/// the text of its `<t>` runs, plain or rich, without the phonetic runs (`<rPh>`).
fn rich_text(b: &[u8], mut i: usize, closing: &[u8], out: &mut Vec<u8>) -> Res<Option<usize>> {
    let mut phonetic = false;
    loop {
        let Some(lt) = next_markup(b, i)? else { return Ok(None) };
        let Some((tag, next)) = tag(b, lt)? else { return Ok(None) };
        i = next;
        match tag {
            Tag::Start { name, empty, .. } => {
                let l = local(name);
                if l == b"rPh" {
                    phonetic = true;
                } else if l == b"t" && !phonetic {
                    if !empty {
                        match element_text(b, i, name, out, true)? {
                            Some(end) => i = end,
                            None => return Ok(None),
                        }
                    }
                    continue;
                }
                if empty {
                    if name == closing {
                        return Ok(Some(i));
                    }
                    if l == b"rPh" {
                        phonetic = false;
                    }
                }
            }
            Tag::End { name } => {
                if name == closing {
                    return Ok(Some(i));
                }
                if local(name) == b"rPh" {
                    phonetic = false;
                }
            }
            _ => {}
        }
    }
}

/// Reads `xl/sharedStrings.xml`.
#[derive(Default)]
struct StringScan {
    text: Vec<u8>,
    ends: Vec<u32>,
    started: bool,
    done: bool,
}

impl StringScan {
    fn finish(self) -> Res<SharedStrings> {
        let text = String::from_utf8(self.text)
            .map_err(|_| XlsxError::Unexpected("invalid UTF-8 in a shared string"))?;
        if !self.ends.iter().all(|&e| text.is_char_boundary(e as usize)) {
            return Err(XlsxError::Unexpected("invalid UTF-8 in a shared string").into());
        }
        Ok(SharedStrings { text, ends: self.ends })
    }
}

impl Scan for StringScan {
    fn feed(&mut self, b: &[u8]) -> Res<usize> {
        let mut i = 0;
        while !self.done {
            let Some(lt) = next_markup(b, i)? else { return Ok(i) };
            // The usual string, `<si><t>text</t></si>`, without references, line ends or
            // escapes.
            if self.started && b.get(lt..lt + 7) == Some(b"<si><t>") {
                let start = lt + 7;
                if let Some(len) = memchr(b'<', &b[start..]) {
                    let text = &b[start..start + len];
                    if b.get(start + len..start + len + 9) == Some(b"</t></si>")
                        && memchr3(b'&', b'\r', b'_', text).is_none()
                    {
                        self.text.extend_from_slice(text);
                        let end = u32::try_from(self.text.len()).map_err(|_| {
                            XlsxError::Unexpected("the shared strings hold more than 4 GiB of text")
                        })?;
                        self.ends.push(end);
                        i = start + len + 9;
                        continue;
                    }
                }
            }
            let Some((tag, next)) = tag(b, lt)? else { return Ok(lt) };
            i = next;
            match tag {
                Tag::Start { name, empty, .. } if !self.started && local(name) == b"sst" => {
                    self.started = true;
                    self.done = empty;
                }
                Tag::Start { name, empty, .. } if self.started && local(name) == b"si" => {
                    let mark = self.text.len();
                    if !empty {
                        match rich_text(b, next, name, &mut self.text)? {
                            Some(end) => i = end,
                            None => {
                                self.text.truncate(mark);
                                return Ok(lt);
                            }
                        }
                    }
                    let end = u32::try_from(self.text.len()).map_err(|_| {
                        XlsxError::Unexpected("the shared strings hold more than 4 GiB of text")
                    })?;
                    self.ends.push(end);
                }
                Tag::End { name } if self.started && local(name) == b"sst" => self.done = true,
                _ => {}
            }
        }
        Ok(i)
    }

    fn done(&self) -> bool {
        self.done
    }

    fn end(&mut self, _rest: &[u8]) -> Res<()> {
        Err(XlsxError::XmlEof("sst").into())
    }
}

/// A cell with a value: its text is `text[start..end]`, or the shared string `start`
/// when `end` is [`SHARED`].
#[derive(Debug, Clone, Copy)]
struct Cell {
    row: u32,
    col: u32,
    start: u32,
    end: u32,
}

const SHARED: u32 = u32::MAX;

/// A cell's value as read.
enum Value {
    Empty,
    Shared(u32),
    /// Text in the sheet's buffer.
    Span(u32, u32),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Before `<sheetData>`.
    Prologue,
    Data,
    Done,
}

/// Reads a sheet part's cells.
struct SheetScan<'a> {
    formats: &'a [CellFormat],
    strings: usize,
    is_1904: bool,
    date_format: DateFormat,
    stage: Stage,
    /// The part's first element other than `dimension` and `sheetData`: a part without
    /// `sheetData` that has one (a chart sheet) reads as an empty sheet.
    root: bool,
    /// Where a cell without a reference goes, as `calamine` counts: rows from the last
    /// `<row r>` on, columns from the last cell's.
    row: u32,
    col: u32,
    cells: Vec<Cell>,
    text: Vec<u8>,
    in_order: bool,
    /// Date texts already written, by day: a column of dates holds few distinct days.
    dates: FastMap<u64, (u32, u32)>,
}

impl<'a> SheetScan<'a> {
    fn new(formats: &'a [CellFormat], strings: usize, is_1904: bool, date_format: DateFormat) -> Self {
        SheetScan {
            formats,
            strings,
            is_1904,
            date_format,
            stage: Stage::Prologue,
            root: false,
            row: 0,
            col: 0,
            cells: Vec::new(),
            text: Vec::new(),
            in_order: true,
            dates: FastMap::default(),
        }
    }

    /// Forgets the text written from `mark` on, and the dates cached there.
    fn rewind(&mut self, mark: usize) {
        if self.text.len() > mark {
            self.text.truncate(mark);
            self.dates.retain(|_, &mut (start, _)| (start as usize) < mark);
        }
    }

    /// The text buffer's end as a cell bound.
    fn text_end(&self) -> Res<u32> {
        u32::try_from(self.text.len())
            .ok()
            .filter(|&e| e != SHARED)
            .ok_or_else(|| XlsxError::Unexpected("the sheet holds more than 4 GiB of text").into())
    }

    /// The text written since `mark`.
    fn span(&self, mark: usize) -> Res<Value> {
        Ok(Value::Span(mark as u32, self.text_end()?))
    }

    fn push(&mut self, text: &[u8]) -> Res<Value> {
        let mark = self.text.len();
        self.text.extend_from_slice(text);
        self.span(mark)
    }

    /// Reads the part from `b[i]` on, until it needs more bytes or the cells end.
    fn prologue(&mut self, b: &[u8], i: usize) -> Res<Option<usize>> {
        let Some(lt) = next_markup(b, i)? else { return Ok(None) };
        let Some((tag, next)) = tag(b, lt)? else { return Ok(None) };
        if let Tag::Start { name, attrs, empty } = tag {
            match local(name) {
                b"dimension" => {
                    let mut found = false;
                    for attr in Attrs::new(attrs) {
                        let (key, value) = attr?;
                        if key == b"ref" {
                            dimension(value)?;
                            found = true;
                            break;
                        }
                    }
                    if !found {
                        return Err(XlsxError::UnexpectedNode("dimension").into());
                    }
                }
                b"sheetData" => self.stage = if empty { Stage::Done } else { Stage::Data },
                _ => self.root = true,
            }
        }
        Ok(Some(next))
    }

    fn start_row(&mut self, attrs: &[u8]) -> Res<()> {
        for attr in Attrs::new(attrs) {
            let (key, value) = attr?;
            if key == b"r" {
                self.row = row_number(value)?;
                break;
            }
        }
        Ok(())
    }

    fn end_row(&mut self) {
        self.row = self.row.saturating_add(1);
        self.col = 0;
    }

    /// Reads the cell whose start tag's attributes are `attrs` and which ends at `after`
    /// (`empty`) or continues there; `None` if `b` ends before the cell does.
    fn cell(&mut self, b: &[u8], attrs: &[u8], empty: bool, after: usize) -> Res<Option<usize>> {
        let (mut r, mut s, mut t) = (None, None, None);
        for attr in Attrs::new(attrs) {
            let (key, value) = attr?;
            let slot = match key {
                b"r" => &mut r,
                b"s" => &mut s,
                b"t" => &mut t,
                _ => continue,
            };
            if slot.replace(value).is_some() {
                return Err(AttrError::Duplicated(0, 0).into());
            }
        }
        let (row, col) = match r {
            Some(r) => cell_position(r)?,
            None => (self.row, self.col),
        };
        let mark = self.text.len();
        let (value, end) = if empty {
            (Value::Empty, after)
        } else {
            match self.cell_value(b, after, s, t, mark)? {
                Some(read) => read,
                None => {
                    // Read again with more bytes: forget what this try wrote.
                    self.rewind(mark);
                    return Ok(None);
                }
            }
        };
        self.keep(row, col, r, value)?;
        Ok(Some(end))
    }

    /// The usual cell (`<c r="B2" s="1" t="s"><v>12</v></c>`, or `<c r="B2" s="1"/>`) at
    /// `b[i]`, read without the general machinery; `None` for any other (or one cut off),
    /// to be read the general way.
    fn usual_cell(&mut self, b: &[u8], i: usize) -> Res<Option<usize>> {
        let mut j = i + 2;
        let (mut r, mut s, mut t) = (None, None, None);
        let open = loop {
            while b.get(j) == Some(&b' ') {
                j += 1;
            }
            match b.get(j..j + 3) {
                Some([b'>', ..]) => break true,
                Some([b'/', b'>', _]) => break false,
                Some([key @ (b'r' | b's' | b't'), b'=', b'"']) => {
                    let start = j + 3;
                    let Some(len) = b[start..].iter().position(|&c| c == b'"') else { return Ok(None) };
                    let slot = match key {
                        b'r' => &mut r,
                        b's' => &mut s,
                        _ => &mut t,
                    };
                    if slot.replace(&b[start..start + len]).is_some() {
                        return Ok(None);
                    }
                    j = start + len + 1;
                }
                _ => return Ok(None),
            }
        };
        let (row, col) = match r {
            Some(r) => cell_position(r)?,
            None => (self.row, self.col),
        };
        let (value, end) = if open {
            let start = j + 4;
            if b.get(j + 1..start) != Some(b"<v>") {
                return Ok(None);
            }
            let Some(len) = b[start..].iter().position(|&c| matches!(c, b'<' | b'&' | b'\r')) else {
                return Ok(None);
            };
            let close = start + len;
            if b.get(close..close + 8) != Some(b"</v></c>") {
                return Ok(None);
            }
            let raw = &b[start..close];
            let value = match t {
                Some(b"inlineStr" | b"is") => Value::Empty,
                Some(b"n" | b"s" | b"b" | b"e") | None if raw.is_empty() => Value::Empty,
                Some(b"n" | b"s" | b"b" | b"e") | None => self.raw_value(raw, s, t)?,
                Some(_) => {
                    let mark = self.text.len();
                    self.text.extend_from_slice(raw);
                    self.text_value(t, mark)?
                }
            };
            (value, close + 8)
        } else {
            (Value::Empty, j + 2)
        };
        self.keep(row, col, r, value)?;
        Ok(Some(end))
    }

    /// Keeps a cell read at `(row, col)` (from its reference `r`, if it has one).
    fn keep(&mut self, row: u32, col: u32, r: Option<&[u8]>, value: Value) -> Res<()> {
        self.col = col.saturating_add(1);
        let (start, stop) = match value {
            Value::Empty => return Ok(()),
            Value::Shared(index) => (index, SHARED),
            Value::Span(start, stop) => (start, stop),
        };
        if row >= MAX_ROWS || col >= MAX_COLUMNS {
            return Err(XlsxError::Unrecognized {
                typ: "cell position, beyond Excel's last row (1048576) or column (XFD)",
                val: match r {
                    Some(r) => String::from_utf8_lossy(r).into_owned(),
                    None => format!("row {}, column {}", u64::from(row) + 1, u64::from(col) + 1),
                },
            }
            .into());
        }
        if self.cells.last().is_some_and(|last| (last.row, last.col) >= (row, col)) {
            self.in_order = false;
        }
        self.cells.push(Cell { row, col, start, end: stop });
        Ok(())
    }

    /// The value of a cell whose start tag ends at `i`, and the position after its end
    /// tag; `None` if `b` ends first. As `calamine`: each child element read replaces the
    /// value (`<f>` with nothing), and any other child is an error.
    fn cell_value(
        &mut self,
        b: &[u8],
        mut i: usize,
        s: Option<&[u8]>,
        t: Option<&[u8]>,
        mark: usize,
    ) -> Res<Option<(Value, usize)>> {
        // The usual cell: `<v>text</v></c>`.
        if b.get(i..i + 3) == Some(b"<v>") {
            let start = i + 3;
            if let Some(k) = memchr2(b'<', b'&', &b[start..]) {
                let close = start + k;
                if b.get(close..close + 8) == Some(b"</v></c>") {
                    let raw = &b[start..close];
                    let value = match t {
                        Some(b"inlineStr" | b"is") => Some(Value::Empty),
                        Some(b"n" | b"s" | b"b" | b"e") | None if raw.is_empty() => Some(Value::Empty),
                        Some(b"n" | b"s" | b"b" | b"e") | None => Some(self.raw_value(raw, s, t)?),
                        Some(_) if memchr(b'\r', raw).is_none() => {
                            self.text.extend_from_slice(raw);
                            Some(self.text_value(t, mark)?)
                        }
                        Some(_) => None,
                    };
                    if let Some(value) = value {
                        return Ok(Some((value, close + 8)));
                    }
                }
            }
        }
        let mut value = Value::Empty;
        loop {
            let Some(lt) = next_markup(b, i)? else { return Ok(None) };
            let Some((tag, next)) = tag(b, lt)? else { return Ok(None) };
            i = next;
            match tag {
                Tag::End { name } if local(name) == b"c" => return Ok(Some((value, i))),
                Tag::Start { name, empty, .. } => {
                    self.rewind(mark);
                    let read = match local(name) {
                        b"is" if empty => Some((self.span(mark)?, i)),
                        b"is" => match rich_text(b, i, name, &mut self.text)? {
                            Some(end) => Some((self.span(mark)?, end)),
                            None => None,
                        },
                        b"v" => self.v_element(b, i, name, empty, s, t, mark)?,
                        b"f" if empty => Some((Value::Empty, i)),
                        b"f" => skip_element(b, i, name)?.map(|end| (Value::Empty, end)),
                        _ => return Err(XlsxError::UnexpectedNode("v, f, or is").into()),
                    };
                    let Some((read, end)) = read else { return Ok(None) };
                    value = read;
                    i = end;
                }
                _ => {}
            }
        }
    }

    /// A `<v>` element in general (comments, references, line ends, nested tags).
    #[allow(clippy::too_many_arguments)]
    fn v_element(
        &mut self,
        b: &[u8],
        i: usize,
        name: &[u8],
        empty: bool,
        s: Option<&[u8]>,
        t: Option<&[u8]>,
        mark: usize,
    ) -> Res<Option<(Value, usize)>> {
        match t {
            // An inline string's value is in `<is>`.
            Some(b"inlineStr" | b"is") if empty => Ok(Some((Value::Empty, i))),
            Some(b"inlineStr" | b"is") => Ok(skip_element(b, i, name)?.map(|end| (Value::Empty, end))),
            // Numbers, shared strings, booleans and errors: the first run of text as
            // written, if the element starts with one.
            Some(b"n" | b"s" | b"b" | b"e") | None => {
                if empty {
                    return Ok(Some((Value::Empty, i)));
                }
                let Some(k) = memchr2(b'<', b'&', &b[i..]) else { return Ok(None) };
                if k > 0 {
                    let Some(end) = skip_element(b, i + k, name)? else { return Ok(None) };
                    return Ok(Some((self.raw_value(&b[i..i + k], s, t)?, end)));
                }
                if b[i] == b'&' {
                    let Some(after) = reference_end(b, i)? else { return Ok(None) };
                    return Ok(skip_element(b, after, name)?.map(|end| (Value::Empty, end)));
                }
                let Some((tag, next)) = tag(b, i)? else { return Ok(None) };
                match tag {
                    Tag::End { name: n } if n == name => Ok(Some((Value::Empty, next))),
                    _ => Ok(skip_element(b, next, name)?.map(|end| (Value::Empty, end))),
                }
            }
            // Formula strings, ISO dates and any other type: the text, decoded.
            Some(_) => {
                let mut end = i;
                if !empty {
                    match element_text(b, i, name, &mut self.text, false)? {
                        Some(after) => end = after,
                        None => return Ok(None),
                    }
                }
                Ok(Some((self.text_value(t, mark)?, end)))
            }
        }
    }

    /// The number format of style `s` (`None` for a style the workbook lacks).
    fn format(&self, s: Option<&[u8]>) -> Option<CellFormat> {
        match s {
            Some(style) => self.formats.get(index(style).unwrap_or(0)).copied(),
            None => Some(CellFormat::Other),
        }
    }

    /// The value of a `<v>` read as written: a number, a shared string, a boolean or an
    /// error.
    fn raw_value(&mut self, v: &[u8], s: Option<&[u8]>, t: Option<&[u8]>) -> Res<Value> {
        match t {
            Some(b"s") => {
                if v.is_empty() {
                    return Ok(Value::Empty);
                }
                let i = index(v).unwrap_or(0);
                if i < self.strings {
                    Ok(Value::Shared(i as u32))
                } else {
                    Err(XlsxError::Unexpected("Cell string index not found in shared strings table").into())
                }
            }
            Some(b"b") => self.push(if v == b"0" { b"FALSE" } else { b"TRUE" }),
            Some(b"e") => {
                let error: CellErrorType = utf8(v)?.parse()?;
                self.push(error.to_string().as_bytes())
            }
            _ => {
                if v.is_empty() {
                    return Ok(Value::Empty);
                }
                if is_plain_integer(v) {
                    let digits = v.strip_prefix(b"-").unwrap_or(v);
                    let n = digits.iter().fold(0i64, |n, d| n * 10 + i64::from(d - b'0')) as f64;
                    return self.number(v, if digits.len() < v.len() { -n } else { n }, self.format(s));
                }
                match std::str::from_utf8(v).ok().map(str::parse::<f64>) {
                    Some(Ok(n)) => self.number(v, n, self.format(s)),
                    // A cell without a type that is not a number is text.
                    _ if t.is_none() => self.push(utf8(v)?.as_bytes()),
                    Some(Err(e)) => Err(XlsxError::ParseFloat(e).into()),
                    None => Err(XlsxError::Unexpected("invalid UTF-8 in cell value").into()),
                }
            }
        }
    }

    /// The value of a `<v>` of another type, its decoded text written from `mark` on.
    fn text_value(&mut self, t: Option<&[u8]>, mark: usize) -> Res<Value> {
        match t {
            Some(b"str") => self.span(mark),
            Some(b"d") => {
                let iso = utf8(&self.text[mark..])?;
                let text = super::iso_date_text(iso, self.date_format).into_owned();
                self.text.truncate(mark);
                self.push(text.as_bytes())
            }
            Some(other) => {
                let other = std::str::from_utf8(other).unwrap_or("<utf8 error>").to_string();
                Err(XlsxError::CellTAttribute(other).into())
            }
            None => self.span(mark),
        }
    }

    /// A number as text: a date in the file's date format if its style shows a date,
    /// else as `calamine`'s float is written (`34`, `2.5`).
    fn number(&mut self, v: &[u8], n: f64, format: Option<CellFormat>) -> Res<Value> {
        let mark = self.text.len();
        if format == Some(CellFormat::DateTime) {
            // The date depends on the day alone. Days past any date (where `calamine`'s
            // own arithmetic overflows) are written as numbers.
            let day = n.floor() as u64;
            if day < u64::MAX - (1 << 20) {
                if let Some(&(start, end)) = self.dates.get(&day) {
                    return Ok(Value::Span(start, end));
                }
                let date = ExcelDateTime::new(n, ExcelDateTimeType::DateTime, self.is_1904);
                self.text.extend_from_slice(super::excel_date_text(&date, self.date_format).as_bytes());
                let end = self.text_end()?;
                self.dates.insert(day, (mark as u32, end));
                return Ok(Value::Span(mark as u32, end));
            }
        }
        if is_plain_integer(v) {
            // Written as `{n}` would write it.
            self.text.extend_from_slice(v);
        } else {
            let _ = write!(self.text, "{n}");
        }
        self.span(mark)
    }

    fn finish(self, strings: SharedStrings) -> Result<XlsxSheet, XlsxError> {
        let not_utf8 = || XlsxError::Unexpected("invalid UTF-8 in cell value");
        let text = String::from_utf8(self.text).map_err(|_| not_utf8())?;
        let mut cells = self.cells;
        if !self.in_order {
            // Rows or cells out of order: sorted, and of two cells at one place the later
            // kept, as `calamine` keeps it.
            cells.sort_by_key(|c| (c.row, c.col));
            cells.dedup_by(|later, kept| {
                let same = (later.row, later.col) == (kept.row, kept.col);
                if same {
                    *kept = *later;
                }
                same
            });
        }
        let boundary = |i: u32| text.is_char_boundary(i as usize);
        if !cells.iter().all(|c| c.end == SHARED || (boundary(c.start) && boundary(c.end))) {
            return Err(not_utf8());
        }
        let bounds = match (cells.first(), cells.last()) {
            (Some(first), Some(last)) => Some(Bounds {
                first_row: first.row,
                last_row: last.row,
                first_col: cells.iter().map(|c| c.col).min().unwrap_or(0),
                last_col: cells.iter().map(|c| c.col).max().unwrap_or(0),
            }),
            _ => None,
        };
        Ok(XlsxSheet {
            text,
            strings,
            cells,
            bounds,
            next_row: bounds.map_or(0, |b| b.first_row),
            next_cell: 0,
        })
    }
}

impl Scan for SheetScan<'_> {
    fn feed(&mut self, b: &[u8]) -> Res<usize> {
        let mut i = 0;
        loop {
            match self.stage {
                Stage::Done => return Ok(i),
                Stage::Prologue => match self.prologue(b, i)? {
                    Some(next) => i = next,
                    None => return Ok(i),
                },
                Stage::Data => {
                    let lt = match b.get(i) {
                        Some(b'<') => i,
                        _ => match next_markup(b, i)? {
                            Some(lt) => lt,
                            None => return Ok(i),
                        },
                    };
                    match b.get(lt + 1..lt + 3) {
                        Some([b'c', b' ' | b'>' | b'/']) => {
                            if let Some(end) = self.usual_cell(b, lt)? {
                                i = end;
                                continue;
                            }
                        }
                        Some(b"/r") if b.get(lt..lt + 6) == Some(b"</row>") => {
                            self.end_row();
                            i = lt + 6;
                            continue;
                        }
                        _ => {}
                    }
                    let Some((tag, next)) = tag(b, lt)? else { return Ok(lt) };
                    i = next;
                    match tag {
                        Tag::Start { name, attrs, empty } => match local(name) {
                            b"c" => match self.cell(b, attrs, empty, next)? {
                                Some(end) => i = end,
                                None => return Ok(lt),
                            },
                            b"row" => {
                                self.start_row(attrs)?;
                                if empty {
                                    self.end_row();
                                }
                            }
                            _ => {}
                        },
                        Tag::End { name } => match local(name) {
                            b"row" => self.end_row(),
                            b"sheetData" => self.stage = Stage::Done,
                            _ => {}
                        },
                        _ => {}
                    }
                }
            }
        }
    }

    fn done(&self) -> bool {
        self.stage == Stage::Done
    }

    fn end(&mut self, rest: &[u8]) -> Res<()> {
        match self.stage {
            // A part without cells, such as a chart sheet, is an empty sheet.
            Stage::Prologue if self.root && rest.iter().all(|&c| is_space(c)) => {
                self.stage = Stage::Done;
                Ok(())
            }
            Stage::Prologue => Err(XlsxError::XmlEof("worksheet").into()),
            Stage::Data => Err(XlsxError::XmlEof("sheetData").into()),
            Stage::Done => Ok(()),
        }
    }
}

fn utf8(v: &[u8]) -> Result<&str, XlsxError> {
    std::str::from_utf8(v).map_err(|_| XlsxError::Unexpected("invalid UTF-8 in cell value"))
}

/// A whole number of at most 15 digits without leading zeros, which `{}` writes back
/// digit for digit once read as a float.
fn is_plain_integer(v: &[u8]) -> bool {
    let digits = v.strip_prefix(b"-").unwrap_or(v);
    !digits.is_empty()
        && digits.len() <= 15
        && digits.iter().all(u8::is_ascii_digit)
        && (digits[0] != b'0' || digits.len() == 1)
}

/// An index as `calamine` reads one (digits only); `None` otherwise.
fn index(v: &[u8]) -> Option<usize> {
    if v.is_empty() || v.len() > 20 || !v.iter().all(u8::is_ascii_digit) {
        return None;
    }
    v.iter().try_fold(0usize, |n, &d| n.checked_mul(10)?.checked_add(usize::from(d - b'0')))
}

/// A reference's row and optional column, 0-based (`B7` is row 6, column 1), read as
/// `calamine` reads it.
fn position(reference: &[u8]) -> Result<(u32, Option<u32>), XlsxError> {
    let mut i = 0;
    let (mut col, mut row) = (0u32, 0u32);
    while i < reference.len() {
        match reference[i] {
            c @ b'A'..=b'Z' => col = col.wrapping_mul(26).wrapping_add(u32::from(c - b'A') + 1),
            c @ b'a'..=b'z' => col = col.wrapping_mul(26).wrapping_add(u32::from(c - b'a') + 1),
            c @ b'0'..=b'9' => {
                row = u32::from(c - b'0');
                i += 1;
                break;
            }
            c => return Err(XlsxError::Alphanumeric(c)),
        }
        i += 1;
    }
    while i < reference.len() {
        match reference[i] {
            c @ b'0'..=b'9' => row = row.wrapping_mul(10).wrapping_add(u32::from(c - b'0')),
            c => return Err(XlsxError::Alphanumeric(c)),
        }
        i += 1;
    }
    let Some(row) = row.checked_sub(1) else { return Err(XlsxError::RangeWithoutRowComponent) };
    Ok((row, col.checked_sub(1)))
}

fn cell_position(reference: &[u8]) -> Result<(u32, u32), XlsxError> {
    let (row, col) = position(reference)?;
    match col {
        Some(col) => Ok((row, col)),
        None => Err(XlsxError::RangeWithoutColumnComponent),
    }
}

fn row_number(reference: &[u8]) -> Result<u32, XlsxError> {
    position(reference).map(|(row, _)| row)
}

/// Checks a `<dimension ref="A1:L100">` as `calamine` does; its value is not used.
fn dimension(reference: &[u8]) -> Result<(), XlsxError> {
    let mut parts = 0;
    for part in reference.split(|&c| c == b':') {
        cell_position(part)?;
        parts += 1;
    }
    match parts {
        1 | 2 => Ok(()),
        n => Err(XlsxError::DimensionCount(n)),
    }
}

/// The bounds of a sheet's cells: `calamine`'s range.
#[derive(Debug, Clone, Copy)]
struct Bounds {
    first_row: u32,
    last_row: u32,
    first_col: u32,
    last_col: u32,
}

/// A sheet read: every cell's text, handed out row by row.
pub(super) struct XlsxSheet {
    text: String,
    strings: SharedStrings,
    /// Cells with a value, by row and column.
    cells: Vec<Cell>,
    bounds: Option<Bounds>,
    next_row: u32,
    next_cell: usize,
}

impl XlsxSheet {
    /// The 0-based row of the first row handed out (the header); `None` for an empty sheet.
    pub(super) fn first_row(&self) -> Option<u32> {
        self.bounds.map(|b| b.first_row)
    }

    /// Fills `fields` with the next row, every row as wide as the sheet's cells, a row
    /// without cells as empty cells; returns its 0-based row, or `None` at the end.
    pub(super) fn next_row(&mut self, fields: &mut Row) -> Option<u32> {
        let bounds = self.bounds?;
        let row = self.next_row;
        if row > bounds.last_row {
            return None;
        }
        fields.clear();
        let mut col = bounds.first_col;
        while let Some(cell) = self.cells.get(self.next_cell).filter(|c| c.row == row) {
            while col < cell.col {
                fields.push_field("");
                col += 1;
            }
            let text = if cell.end == SHARED {
                self.strings.get(cell.start as usize)
            } else {
                self.text.get(cell.start as usize..cell.end as usize).unwrap_or("")
            };
            fields.push_field(text);
            col += 1;
            self.next_cell += 1;
        }
        while col <= bounds.last_col {
            fields.push_field("");
            col += 1;
        }
        self.next_row = row + 1;
        Some(row)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_formats_are_read_as_calamine_reads_them() {
        for (code, format) in [
            ("DD/MM/YY", CellFormat::DateTime),
            ("H:MM:SS;@", CellFormat::DateTime),
            ("#,##0\\ [$\\u20bd-46D]", CellFormat::Other),
            ("m\"M\"d\"D\";@", CellFormat::DateTime),
            ("[h]:mm:ss", CellFormat::TimeDelta),
            ("\"Y: \"0.00\"m\";\"Y: \"-0.00\"m\";\"Y: <num>m\";@", CellFormat::Other),
            ("\"$\"#,##0_);[Red](\"$\"#,##0)", CellFormat::Other),
            ("[$-404]e\"\\xfc\"m\"\\xfc\"d\"\\xfc\"", CellFormat::DateTime),
            ("0_ ;[Red]\\-0\\ ", CellFormat::Other),
            ("\\Y000000", CellFormat::Other),
            ("#,##0.0####\" YMD\"", CellFormat::Other),
            ("[h]", CellFormat::TimeDelta),
            ("[ss]", CellFormat::TimeDelta),
            ("[s].000", CellFormat::TimeDelta),
            ("[mm]", CellFormat::TimeDelta),
            ("[Blue]\\+[h]:mm;[Red]\\-[h]:mm;[Green][h]:mm", CellFormat::TimeDelta),
            ("[>=100][Magenta][s].00", CellFormat::TimeDelta),
            ("[>=100][Magenta].00", CellFormat::Other),
            ("[>=100][Magenta]General", CellFormat::Other),
            ("ha/p\\\\m", CellFormat::DateTime),
            ("#,##0.00\\ _M\"H\"_);[Red]#,##0.00\\ _M\"S\"_)", CellFormat::Other),
            ("dd/mm/yyyy", CellFormat::DateTime),
            ("0.00", CellFormat::Other),
            (&"[".repeat(300), CellFormat::Other),
        ] {
            assert_eq!(custom_format(code), format, "{code}");
        }
        assert_eq!(builtin_format(b"14"), CellFormat::DateTime);
        assert_eq!(builtin_format(b"46"), CellFormat::TimeDelta);
        assert_eq!(builtin_format(b"2"), CellFormat::Other);
    }

    #[test]
    fn references_text_and_escapes() {
        assert_eq!(cell_position(b"A1").unwrap(), (0, 0));
        assert_eq!(cell_position(b"XFD1048576").unwrap(), (1_048_575, 16_383));
        assert_eq!(cell_position(b"c7").unwrap(), (6, 2));
        assert!(
            cell_position(b"7").is_err() && cell_position(b"A0").is_err() && cell_position(b"A-1").is_err()
        );
        assert_eq!(row_number(b"12").unwrap(), 11);
        assert!(
            dimension(b"A1:B2").is_ok() && dimension(b"A1:B2:C3").is_err() && dimension(b"B2:A1").is_ok()
        );
        assert_eq!(index(b"007"), Some(7));
        assert_eq!(index(b"+7"), None);
        assert_eq!(index(b"99999999999999999999999"), None);
        let mut out = Vec::new();
        push_text(&mut out, b"a\r\nb\rc_x000D__x005F_x000D__x00+A_", true);
        assert_eq!(out, b"a\nb\nc\r_x000D_\n");
        let mut out = Vec::new();
        for r in ["amp", "lt", "#10", "#x41", "quot"] {
            resolve(r.as_bytes(), &mut out).unwrap();
        }
        assert_eq!(out, b"&<\nA\"");
        for bad in ["nbsp", "#0", "#x", "#+1", "#xD800", "#99999999999"] {
            assert!(resolve(bad.as_bytes(), &mut out).is_err(), "{bad}");
        }
        assert!(is_plain_integer(b"-12") && is_plain_integer(b"0") && is_plain_integer(b"-0"));
        assert!(
            !is_plain_integer(b"012") && !is_plain_integer(b"1.5") && !is_plain_integer(b"1234567890123456")
        );
    }

    #[test]
    fn markup_is_read_in_pieces() {
        let b = br#"<c r="A1" t='s'/><!-- x --><![CDATA[a<b]]></x:c ><?xml version="1.0"?>"#;
        let (tag1, next) = tag(b, 0).unwrap().unwrap();
        assert!(matches!(tag1, Tag::Start { name: b"c", empty: true, .. }), "{tag1:?}");
        let (tag2, next) = tag(b, next).unwrap().unwrap();
        assert!(matches!(tag2, Tag::Other));
        let (tag3, next) = tag(b, next).unwrap().unwrap();
        assert!(matches!(tag3, Tag::CData(b"a<b")));
        let (tag4, next) = tag(b, next).unwrap().unwrap();
        assert!(matches!(tag4, Tag::End { name: b"x:c" }));
        let (tag5, next) = tag(b, next).unwrap().unwrap();
        assert!(matches!(tag5, Tag::Other) && next == b.len());
        // Cut anywhere, a piece is incomplete, not an error.
        for cut in 1..b.len() {
            let mut i = 0;
            while let Some((_, next)) = tag(&b[..cut], i).unwrap() {
                i = next;
            }
        }
        assert!(matches!(tag(b"<?xml version='1.0' encoding='windows-1252'?>", 0), Err(Fail::Elsewhere)));
        assert!(matches!(tag(b"<!DOCTYPE x>", 0), Err(Fail::Elsewhere)));
        assert!(tag(b"<!x>", 0).is_err());
        let attrs: Vec<_> = Attrs::new(br#" r = "A1" t='a"b'"#).collect();
        assert_eq!(attrs.len(), 2);
        assert_eq!(attrs[1].as_ref().unwrap(), &(&b"t"[..], &b"a\"b"[..]));
        assert!(Attrs::new(b" r").next().unwrap().is_err());
        assert!(Attrs::new(b" r=A1").next().unwrap().is_err());
    }
}
