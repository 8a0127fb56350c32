//! The HTML printer: one self-contained file (inline CSS and SVG, no scripts, no external
//! requests), readable on a phone, printable to A4, and accessible (real tables with
//! captions and header cells, alternative text for every chart).
//!
//! Layout rules, checked in a real browser by `.ci/report-check.mjs`:
//! - numbers wrap at their spaces, and long unbroken text (checksums, paths, links) may
//!   break anywhere, so every table fits the A4 printable width without the browser
//!   shrinking the page;
//! - on a narrow screen a table too wide for it is shown as one card per row, each value
//!   beside its column's name;
//! - every table sits in a box that scrolls sideways if it must, and that box is a labelled
//!   region the keyboard can reach;
//! - in print, sections flow on (no page per section), headings stay with what follows
//!   them, notes stay with their tables, and short tables are not split across pages.

use std::fmt::Write as _;
use std::io;

use super::document::{Block, Document, Table};

/// Prints a [`Document`] as HTML.
#[derive(Debug, Clone, Copy, Default)]
pub struct HtmlPrinter;

const STYLE: &str = r#"
:root { --ink: #1b1f24; --muted: #4a5561; --rule: #d0d7de; --accent: #0b5cad; --note: #fff6dd; --panel: #f4f7fa; }
* { box-sizing: border-box; }
body { font-family: "Liberation Sans", Arial, Helvetica, sans-serif; color: var(--ink); line-height: 1.5;
       margin: 0 auto; max-width: 60rem; padding: 1rem 1.25rem 3rem; overflow-wrap: break-word; }
h1 { font-size: 1.9rem; margin: 1rem 0 0.25rem; }
h2 { font-size: 1.4rem; border-bottom: 2px solid var(--accent); padding-bottom: 0.2rem; margin-top: 2.5rem; }
h3 { font-size: 1.1rem; margin-top: 1.6rem; }
.subtitle { color: var(--muted); margin: 0 0 1rem; }
nav.contents { background: var(--panel); padding: 0.6rem 1rem 0.7rem; margin: 1rem 0 1.5rem; }
nav.contents h2 { font-size: 1.1rem; border: 0; margin: 0 0 0.3rem; padding: 0; }
nav.contents ol { columns: 2; column-gap: 2rem; margin: 0; padding-left: 1.6rem; }
nav.contents li { break-inside: avoid; }
a { color: var(--accent); }
.figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(13rem, 1fr)); gap: 0.75rem; margin: 1rem 0; }
.figure { background: var(--panel); border-left: 4px solid var(--accent); padding: 0.6rem 0.8rem; }
.figure .label { font-size: 0.9rem; color: var(--muted); }
.figure .value { font-size: 1.6rem; font-weight: bold; }
.figure .detail { font-size: 0.85rem; color: var(--muted); }
.note { background: var(--note); border-left: 4px solid #b58100; padding: 0.5rem 0.8rem; margin: 0.8rem 0; }
.table-wrap { overflow-x: auto; margin: 0.8rem 0 1.2rem; }
.table-wrap:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
caption { text-align: left; font-weight: bold; padding: 0.3rem 0; }
th, td { border-bottom: 1px solid var(--rule); padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
th { background: var(--panel); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.long, th.long { overflow-wrap: anywhere; }
figure.chart { margin: 1rem 0; }
figure.chart svg { display: block; max-width: 100%; height: auto; }
figcaption { font-size: 0.85rem; color: var(--muted); }
footer { margin-top: 3rem; font-size: 0.8rem; color: var(--muted); border-top: 1px solid var(--rule); padding-top: 0.5rem; }
@media screen and (max-width: 40rem) {
  body { padding: 0.5rem; }
  nav.contents ol { columns: 1; }
  .figure .value { font-size: 1.3rem; }
  table.stack, table.stack caption, table.stack tbody, table.stack tr, table.stack th, table.stack td { display: block; }
  table.stack thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
  table.stack tr { border: 1px solid var(--rule); margin: 0 0 0.6rem; }
  table.stack tbody th { border-bottom: 1px solid var(--rule); }
  table.stack td { display: flex; justify-content: space-between; gap: 0.75rem; text-align: right; }
  table.stack td:last-child { border-bottom: 0; }
  table.stack td::before { content: attr(data-label); flex: 0 0 45%; text-align: left; font-weight: bold; color: var(--muted); }
}
@media print {
  @page { size: A4; margin: 15mm; }
  body { max-width: none; padding: 0; font-size: 10pt; }
  h2 { margin-top: 1.8rem; }
  h1, h2, h3, caption { break-after: avoid; }
  nav.contents { break-inside: avoid; }
  .table-wrap { overflow: visible; }
  th, td { padding: 0.2rem 0.25rem; }
  table { font-size: 9pt; }
  table.dense { font-size: 8.5pt; }
  .keep, tr, .figure, figure.chart, .note { break-inside: avoid; }
  .table-wrap + p, .table-wrap + .note, .table-wrap + ul, figure.chart + p, figure.chart + .note { break-before: avoid; }
  a { color: inherit; text-decoration: none; }
}
"#;

impl HtmlPrinter {
    /// The HTML text.
    pub fn to_string(&self, doc: &Document) -> String {
        let mut out = String::with_capacity(256 * 1024);
        out.push_str("<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n");
        out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        let _ = writeln!(out, "<title>{}</title>", escape(&doc.title));
        let _ = writeln!(out, "<style>{STYLE}</style>\n</head>\n<body>\n<header>");
        let _ = writeln!(out, "<h1>{}</h1>", escape(&doc.title));
        if let Some(sub) = &doc.subtitle {
            let _ = writeln!(out, "<p class=\"subtitle\">{}</p>", escape(sub));
        }
        // The contents list is on screen and in print: a printed report is read from it too.
        out.push_str(
            "</header>\n<nav class=\"contents\" aria-labelledby=\"contents\">\n<h2 id=\"contents\">Contents</h2>\n<ol>\n",
        );
        for s in &doc.sections {
            let _ = writeln!(out, "<li><a href=\"#{}\">{}</a></li>", escape(&s.id), escape(&s.title));
        }
        out.push_str("</ol></nav>\n<main>\n");
        for s in &doc.sections {
            let _ = writeln!(out, "<section id=\"{}\">\n<h2>{}</h2>", escape(&s.id), escape(&s.title));
            for block in &s.blocks {
                block_html(&mut out, block);
            }
            out.push_str("</section>\n");
        }
        let _ = writeln!(out, "</main>\n<footer>{}</footer>\n</body>\n</html>", escape(&doc.footer));
        out
    }

    /// Writes the HTML to `writer`.
    ///
    /// # Errors
    ///
    /// The writer's error.
    pub fn write_to<W: io::Write>(&self, doc: &Document, mut writer: W) -> io::Result<()> {
        writer.write_all(self.to_string(doc).as_bytes())
    }
}

fn block_html(out: &mut String, block: &Block) {
    match block {
        Block::Heading(text) => {
            let _ = writeln!(out, "<h3>{}</h3>", escape(text));
        }
        Block::Paragraph(text) => {
            let _ = writeln!(out, "<p>{}</p>", escape(text));
        }
        Block::Note(text) => {
            let _ = writeln!(out, "<p class=\"note\" role=\"note\">{}</p>", escape(text));
        }
        Block::Figures(figures) => {
            out.push_str("<div class=\"figures\">\n");
            for f in figures {
                let _ = writeln!(
                    out,
                    "<div class=\"figure\"><div class=\"label\">{}</div><div class=\"value\">{}</div><div class=\"detail\">{}</div></div>",
                    escape(&f.label),
                    escape(&f.value),
                    escape(&f.detail)
                );
            }
            out.push_str("</div>\n");
        }
        Block::List(items) => {
            out.push_str("<ul>\n");
            for item in items {
                let _ = writeln!(out, "<li>{}</li>", escape(item));
            }
            out.push_str("</ul>\n");
        }
        Block::Table(table) => table_html(out, table),
        Block::Chart(chart) => {
            // The SVG comes from the chart module, which escapes every data text it draws;
            // the XML prolog is dropped so the SVG can sit inline.
            let svg = chart.svg.trim_start_matches(|c| c != '<');
            let svg = match svg.find("<svg") {
                Some(start) => &svg[start..],
                None => svg,
            };
            let _ = writeln!(
                out,
                "<figure class=\"chart\" role=\"img\" aria-label=\"{}\">\n{}\n<figcaption>{}</figcaption>\n</figure>",
                escape(&chart.alt),
                svg,
                escape(&chart.alt)
            );
        }
    }
}

fn table_html(out: &mut String, table: &Table) {
    if table.csv_only {
        let _ = writeln!(
            out,
            "<p>{}: all {} rows are in <code>tables/{}.csv</code> and <code>results.json</code>.</p>",
            escape(&table.caption),
            table.rows.len(),
            escape(&table.name)
        );
        return;
    }
    let stack = too_wide_for_a_phone(table);
    let numeric = |i: usize| table.numeric.get(i).copied().unwrap_or(false);
    // Class and, on stacking tables, the column's name for the card layout. Stacking tables
    // also carry explicit roles, as a table laid out as blocks may lose them.
    let attributes = |i: usize, cell: &str, role: &str| {
        let mut classes = Vec::new();
        if numeric(i) {
            classes.push("num");
        }
        if cell.split_whitespace().any(|w| w.chars().count() > LONG_WORD) {
            classes.push("long");
        }
        let mut attrs = String::new();
        if !classes.is_empty() {
            let _ = write!(attrs, " class=\"{}\"", classes.join(" "));
        }
        if stack {
            let _ = write!(attrs, " role=\"{role}\"");
            if role == "cell" {
                let label = table.headers.get(i).map(String::as_str).unwrap_or("");
                let _ = write!(attrs, " data-label=\"{}\"", escape(label));
            }
        }
        attrs
    };
    let keep = if table.rows.len() <= KEEP_ROWS { " keep" } else { "" };
    let mut table_classes = Vec::new();
    if stack {
        table_classes.push("stack");
    }
    if table.headers.len() >= DENSE_COLUMNS {
        table_classes.push("dense");
    }
    let table_attrs = match (table_classes.is_empty(), stack) {
        (true, _) => String::new(),
        (false, true) => format!(" class=\"{}\" role=\"table\"", table_classes.join(" ")),
        (false, false) => format!(" class=\"{}\"", table_classes.join(" ")),
    };
    let _ = writeln!(
        out,
        "<div class=\"table-wrap{keep}\" role=\"region\" tabindex=\"0\" aria-label=\"{}\"><table{}>\n<caption>{}</caption>\n<thead><tr{}>",
        escape(&table.caption),
        table_attrs,
        escape(&table.caption),
        if stack { " role=\"row\"" } else { "" },
    );
    for (i, h) in table.headers.iter().enumerate() {
        let _ = write!(out, "<th scope=\"col\"{}>{}</th>", attributes(i, h, "columnheader"), escape(h));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in &table.rows {
        out.push_str(if stack { "<tr role=\"row\">" } else { "<tr>" });
        for (i, cell) in row.iter().enumerate() {
            if i == 0 {
                let _ = write!(
                    out,
                    "<th scope=\"row\"{}>{}</th>",
                    attributes(i, cell, "rowheader"),
                    escape(cell)
                );
            } else {
                let text = escape(cell);
                // Numbers wrap at their spaces, but an interval ("44.1–60.2%"), "12 of 19" and
                // "n = 14" each stay on one line (U+2060 joins after the dash).
                let text = if numeric(i) {
                    text.replace('–', "–\u{2060}")
                        .replace(" of ", "&nbsp;of&nbsp;")
                        .replace("n = ", "n&nbsp;=&nbsp;")
                } else {
                    text
                };
                let _ = write!(out, "<td{}>{text}</td>", attributes(i, cell, "cell"));
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div>\n");
}

/// A word longer than this (a checksum, a path, a link) may break anywhere.
const LONG_WORD: usize = 24;

/// Tables of this many columns or more are printed in smaller type.
const DENSE_COLUMNS: usize = 7;

/// Tables of at most this many rows are kept on one printed page.
const KEEP_ROWS: usize = 10;

/// Whether a table's narrowest layout (every cell wrapped at its spaces) is wider than a
/// 390 px phone screen less the page's padding, so that it is better shown as cards. The
/// width is estimated from the longest word per column: table text is 0.9 rem (14.4 px)
/// of Liberation Sans, whose digits and bold letters are about 8 px wide.
fn too_wide_for_a_phone(table: &Table) -> bool {
    const SCREEN_PX: f64 = 370.0;
    const CHAR_PX: f64 = 8.0;
    const PADDING_PX: f64 = 16.0;
    let width: f64 = (0..table.headers.len())
        .map(|i| {
            let longest = std::iter::once(&table.headers[i])
                .chain(table.rows.iter().filter_map(|r| r.get(i)))
                .flat_map(|cell| cell.split_whitespace())
                .map(|word| word.chars().count())
                .map(|n| if n > LONG_WORD { 8 } else { n })
                .max()
                .unwrap_or(0);
            longest as f64 * CHAR_PX + PADDING_PX
        })
        .sum();
    width > SCREEN_PX
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::document::{Section, Table};
    use super::*;

    #[test]
    fn data_text_is_escaped() {
        let mut table = Table::new("t", "Areas", &["Area", "Participants"]);
        table.row(vec!["<script>alert(1)</script>".into(), "12".into()]);
        let doc = Document {
            title: "A & B".into(),
            subtitle: None,
            sections: vec![Section { id: "s".into(), title: "S".into(), blocks: vec![Block::Table(table)] }],
            footer: String::new(),
        };
        let html = HtmlPrinter.to_string(&doc);
        assert!(!html.contains("<script>"));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(html.contains("<title>A &amp; B</title>"));
        assert!(html.contains("<th scope=\"row\" class=\"long\">&lt;script&gt;"));
        assert!(html.contains("<caption>Areas</caption>"));
    }

    fn document(tables: Vec<Table>) -> Document {
        Document {
            title: "Report".into(),
            subtitle: None,
            sections: vec![
                Section { id: "summary".into(), title: "Summary".into(), blocks: Vec::new() },
                Section {
                    id: "equity".into(),
                    title: "Who was reached".into(),
                    blocks: tables.into_iter().map(Block::Table).collect(),
                },
            ],
            footer: String::new(),
        }
    }

    fn wide_table() -> Table {
        let mut wide = Table::new(
            "equity",
            "By ethnicity",
            &["Ethnicity", "Participants", "Recovery", "Reliable improvement", "Representation ratio"],
        );
        wide.row(vec![
            "Black Caribbean".into(),
            "28".into(),
            "45.0% (25.8–65.8%; 9 of 20)".into(),
            "<5".into(),
            "2.37 (1.66–3.33)".into(),
        ]);
        wide
    }

    #[test]
    fn every_table_box_is_a_labelled_region_the_keyboard_reaches() {
        let mut narrow = Table::new("areas", "Sessions by area", &["Area", "Sessions"]);
        narrow.row(vec!["Tooting".into(), "40".into()]);
        let html = HtmlPrinter.to_string(&document(vec![narrow, wide_table()]));
        for caption in ["Sessions by area", "By ethnicity"] {
            assert!(
                html.contains(&format!(
                    "<div class=\"table-wrap keep\" role=\"region\" tabindex=\"0\" aria-label=\"{caption}\">"
                )),
                "{caption}"
            );
        }
    }

    #[test]
    fn tables_too_wide_for_a_phone_stack_as_labelled_cards() {
        let mut narrow = Table::new("areas", "Sessions by area", &["Area", "Sessions"]);
        narrow.row(vec!["Tooting".into(), "40".into()]);
        assert!(!too_wide_for_a_phone(&narrow));
        assert!(too_wide_for_a_phone(&wide_table()));
        let html = HtmlPrinter.to_string(&document(vec![narrow, wide_table()]));
        assert!(html.contains("<table>\n<caption>Sessions by area</caption>"));
        assert!(html.contains("<table class=\"stack\" role=\"table\">\n<caption>By ethnicity</caption>"));
        assert!(html.contains("<th scope=\"row\" role=\"rowheader\">Black Caribbean</th>"));
        assert!(
            html.contains("<td class=\"num\" role=\"cell\" data-label=\"Reliable improvement\">&lt;5</td>")
        );
        // On a phone the narrow table stays a table: no card labels.
        assert!(html.contains("<th scope=\"row\">Tooting</th><td class=\"num\">40</td>"));
    }

    #[test]
    fn numbers_wrap_between_figures_not_inside_them() {
        let html = HtmlPrinter.to_string(&document(vec![wide_table()]));
        // The interval is joined after its dash, "9 of 20" by no-break spaces; the spaces
        // between the rate, the interval and the count stay break points.
        assert!(html.contains(">45.0% (25.8–\u{2060}65.8%; 9&nbsp;of&nbsp;20)</td>"), "{html}");
    }

    #[test]
    fn long_unbroken_text_may_break_anywhere() {
        let mut files =
            Table::new("files", "Input files", &["File", "SHA-256"]).numeric_columns(&[false, false]);
        let digest = "349ea519d6c68fc54e381f7310a11394783d1b58fed1f13ccae9d7d08b9e4f15";
        files.row(vec!["plan.toml".into(), digest.into()]);
        let html = HtmlPrinter.to_string(&document(vec![files]));
        assert!(html.contains(&format!("<td class=\"long\">{digest}</td>")));
        assert!(html.contains("td.long, th.long { overflow-wrap: anywhere; }"));
    }

    #[test]
    fn contents_list_is_on_screen_and_in_print() {
        let html = HtmlPrinter.to_string(&document(Vec::new()));
        assert!(html.contains(
            "<nav class=\"contents\" aria-labelledby=\"contents\">\n<h2 id=\"contents\">Contents</h2>\n<ol>\n\
             <li><a href=\"#summary\">Summary</a></li>\n<li><a href=\"#equity\">Who was reached</a></li>\n</ol></nav>"
        ));
        let print = &STYLE[STYLE.find("@media print").unwrap()..];
        assert!(!print.contains("display: none"), "nothing is hidden in print");
        // Sections flow on: a page per section left pages nearly empty.
        assert!(!print.contains("break-before: page"));
        assert!(print.contains("@page { size: A4; margin: 15mm; }"));
    }
}
