//! The report model: sections of paragraphs, tables and charts, rendered by printers.
//!
//! The builder decides what a report says; the printers (HTML, Markdown, CSV tables) only
//! decide how it looks. So every figure appears the same way in every view, and disclosure
//! control, applied while building, reaches all of them.

use serde::Serialize;

/// A whole report.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Document {
    /// Title.
    pub title: String,
    /// A line under the title (organisation, period).
    pub subtitle: Option<String>,
    /// Sections in reading order.
    pub sections: Vec<Section>,
    /// Footer text (version, generation date when enabled).
    pub footer: String,
}

/// A numbered section.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Section {
    /// Anchor id (`data-quality`).
    pub id: String,
    /// Heading.
    pub title: String,
    /// Content.
    pub blocks: Vec<Block>,
}

/// A piece of content.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub enum Block {
    /// A sub-heading.
    Heading(String),
    /// A paragraph of plain text.
    Paragraph(String),
    /// A highlighted note (caveats, unconfirmed values).
    Note(String),
    /// Headline figures: label, value, explanation.
    Figures(Vec<Figure>),
    /// A bulleted list.
    List(Vec<String>),
    /// A table.
    Table(Table),
    /// A chart.
    Chart(ChartBlock),
}

/// A headline figure.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Figure {
    /// What it is ("Reliable recovery").
    pub label: String,
    /// The value as shown ("51.2%").
    pub value: String,
    /// The context ("95% CI 44.0-58.4%, 87 of 170 who finished treatment").
    pub detail: String,
}

/// A table with a caption and header cells.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Table {
    /// File stem for the CSV export (`equity_tt_ethnicity`).
    pub name: String,
    /// Caption.
    pub caption: String,
    /// Column headers.
    pub headers: Vec<String>,
    /// Rows of cells, already formatted (suppressed values shown as "<5").
    pub rows: Vec<Vec<String>>,
    /// Columns that hold numbers (right-aligned).
    pub numeric: Vec<bool>,
    /// Too long to print: written in full to its CSV file, and the HTML and Markdown say
    /// where it is (a summary is printed beside it).
    pub csv_only: bool,
}

impl Table {
    /// A table whose first column is text and the rest numbers.
    pub fn new(name: &str, caption: &str, headers: &[&str]) -> Table {
        Table {
            name: name.to_string(),
            caption: caption.to_string(),
            headers: headers.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
            numeric: headers.iter().enumerate().map(|(i, _)| i > 0).collect(),
            csv_only: false,
        }
    }

    /// Marks which columns are numeric.
    pub fn numeric_columns(mut self, numeric: &[bool]) -> Table {
        self.numeric = numeric.to_vec();
        self
    }

    /// Adds a row.
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }
}

/// A chart placed in the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct ChartBlock {
    /// File stem under `charts/` (`tt_rates`).
    pub name: String,
    /// The SVG, inlined in the HTML.
    pub svg: String,
    /// Alternative text: what the chart shows, with its numbers.
    pub alt: String,
    /// PNG bytes, when PNG charts are on.
    #[serde(skip)]
    pub png: Option<Vec<u8>>,
}
