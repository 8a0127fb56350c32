//! The HTML printer: one self-contained file (inline CSS and SVG, no scripts, no external
//! requests), readable on a phone, printable to A4, and accessible (real tables with
//! captions and header cells, alternative text for every chart).

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
       margin: 0 auto; max-width: 60rem; padding: 1rem 1.25rem 3rem; }
h1 { font-size: 1.9rem; margin: 1rem 0 0.25rem; }
h2 { font-size: 1.4rem; border-bottom: 2px solid var(--accent); padding-bottom: 0.2rem; margin-top: 2.5rem; }
h3 { font-size: 1.1rem; margin-top: 1.6rem; }
.subtitle { color: var(--muted); margin: 0 0 1rem; }
nav ol { columns: 2; padding-left: 1.2rem; }
a { color: var(--accent); }
.figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(13rem, 1fr)); gap: 0.75rem; margin: 1rem 0; }
.figure { background: var(--panel); border-left: 4px solid var(--accent); padding: 0.6rem 0.8rem; }
.figure .label { font-size: 0.9rem; color: var(--muted); }
.figure .value { font-size: 1.6rem; font-weight: bold; }
.figure .detail { font-size: 0.85rem; color: var(--muted); }
.note { background: var(--note); border-left: 4px solid #b58100; padding: 0.5rem 0.8rem; margin: 0.8rem 0; }
.table-wrap { overflow-x: auto; margin: 0.8rem 0 1.2rem; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
caption { text-align: left; font-weight: bold; padding: 0.3rem 0; }
th, td { border-bottom: 1px solid var(--rule); padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
th { background: var(--panel); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
figure.chart { margin: 1rem 0; }
figure.chart svg { max-width: 100%; height: auto; }
figcaption { font-size: 0.85rem; color: var(--muted); }
footer { margin-top: 3rem; font-size: 0.8rem; color: var(--muted); border-top: 1px solid var(--rule); padding-top: 0.5rem; }
@media (max-width: 40rem) { body { padding: 0.5rem; } nav ol { columns: 1; } .figure .value { font-size: 1.3rem; } }
@media print {
  @page { size: A4; margin: 15mm; }
  body { max-width: none; padding: 0; font-size: 10pt; }
  h2 { break-before: page; }
  section:first-of-type h2 { break-before: auto; }
  nav { display: none; }
  .table-wrap { overflow: visible; }
  table, figure.chart { break-inside: avoid; }
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
        out.push_str("</header>\n<nav aria-label=\"Contents\"><ol>\n");
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
    let class = |i: usize| if table.numeric.get(i).copied().unwrap_or(false) { " class=\"num\"" } else { "" };
    let _ = writeln!(
        out,
        "<div class=\"table-wrap\"><table>\n<caption>{}</caption>\n<thead><tr>",
        escape(&table.caption)
    );
    for (i, h) in table.headers.iter().enumerate() {
        let _ = write!(out, "<th scope=\"col\"{}>{}</th>", class(i), escape(h));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in &table.rows {
        out.push_str("<tr>");
        for (i, cell) in row.iter().enumerate() {
            if i == 0 {
                let _ = write!(out, "<th scope=\"row\">{}</th>", escape(cell));
            } else {
                let _ = write!(out, "<td{}>{}</td>", class(i), escape(cell));
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div>\n");
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
        assert!(html.contains("<th scope=\"row\">"));
        assert!(html.contains("<caption>Areas</caption>"));
    }
}
