//! The Markdown printer, for pasting into documents and wikis.

use std::fmt::Write as _;
use std::io;

use super::document::{Block, Document, Table};

/// Prints a [`Document`] as Markdown (GitHub-flavoured tables).
#[derive(Debug, Clone, Copy, Default)]
pub struct MarkdownPrinter;

impl MarkdownPrinter {
    /// The Markdown text.
    pub fn to_string(&self, doc: &Document) -> String {
        let mut out = String::with_capacity(64 * 1024);
        let _ = writeln!(out, "# {}\n", inline(&doc.title));
        if let Some(sub) = &doc.subtitle {
            let _ = writeln!(out, "{}\n", inline(sub));
        }
        for (i, s) in doc.sections.iter().enumerate() {
            let _ = writeln!(out, "## {}. {}\n", i + 1, inline(&s.title));
            for block in &s.blocks {
                block_md(&mut out, block);
            }
        }
        let _ = writeln!(out, "---\n\n{}", inline(&doc.footer));
        out
    }

    /// Writes the Markdown to `writer`.
    ///
    /// # Errors
    ///
    /// The writer's error.
    pub fn write_to<W: io::Write>(&self, doc: &Document, mut writer: W) -> io::Result<()> {
        writer.write_all(self.to_string(doc).as_bytes())
    }
}

fn block_md(out: &mut String, block: &Block) {
    match block {
        Block::Heading(text) => {
            let _ = writeln!(out, "### {}\n", inline(text));
        }
        Block::Paragraph(text) => {
            let _ = writeln!(out, "{}\n", inline(text));
        }
        Block::Note(text) => {
            let _ = writeln!(out, "> **Note.** {}\n", inline(text));
        }
        Block::Figures(figures) => {
            for f in figures {
                let _ =
                    writeln!(out, "- **{}: {}** ({})", inline(&f.label), inline(&f.value), inline(&f.detail));
            }
            out.push('\n');
        }
        Block::List(items) => {
            for item in items {
                let _ = writeln!(out, "- {}", inline(item));
            }
            out.push('\n');
        }
        Block::Table(table) => table_md(out, table),
        Block::Chart(chart) => {
            let _ = writeln!(out, "![{}](charts/{}.svg)\n", inline(&chart.alt), chart.name);
        }
    }
}

fn table_md(out: &mut String, table: &Table) {
    if table.csv_only {
        let _ = writeln!(
            out,
            "{}: all {} rows are in `tables/{}.csv` and `results.json`.\n",
            inline(&table.caption),
            table.rows.len(),
            table.name
        );
        return;
    }
    let _ = writeln!(out, "*{}*\n", inline(&table.caption));
    let cells: Vec<String> = table.headers.iter().map(|h| cell(h)).collect();
    let _ = writeln!(out, "| {} |", cells.join(" | "));
    let rules: Vec<&str> = (0..table.headers.len())
        .map(|i| if table.numeric.get(i).copied().unwrap_or(false) { "---:" } else { "---" })
        .collect();
    let _ = writeln!(out, "| {} |", rules.join(" | "));
    for row in &table.rows {
        let cells: Vec<String> = row.iter().map(|c| cell(c)).collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    out.push('\n');
}

/// Text from the data must not become Markdown (or HTML, which Markdown passes through).
fn inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '|' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

fn cell(text: &str) -> String {
    inline(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_text_cannot_inject_markdown_or_html() {
        assert_eq!(inline("<b>x</b> | *y*"), "&lt;b&gt;x&lt;/b&gt; \\| \\*y\\*");
    }
}
