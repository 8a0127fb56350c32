//! Snapshots of the demo report (insta), with volatile parts normalised: the crate version
//! and the inline chart drawings (charts have their own tests in `report::charts`).

use coproduction::{HtmlPrinter, MarkdownPrinter, Plan, ReportOptions, build_document};

use crate::root;

fn normalise(text: &str) -> String {
    let text = text.replace(env!("CARGO_PKG_VERSION"), "[version]");
    // Replace every inline <svg>...</svg> by a marker.
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(start) = rest.find("<svg") {
        out.push_str(&rest[..start]);
        match rest[start..].find("</svg>") {
            Some(end) => {
                out.push_str("<svg>[chart]</svg>");
                rest = &rest[start + end + "</svg>".len()..];
            }
            None => {
                rest = &rest[start..];
                break;
            }
        }
    }
    out.push_str(rest);
    out
}

fn demo_document() -> coproduction::Document {
    let eval = Plan::load(&root().join("fixtures/demo/plan.toml")).unwrap().run().unwrap();
    build_document(&eval.publish().unwrap(), &ReportOptions::default()).unwrap()
}

#[test]
fn demo_markdown() {
    insta::assert_snapshot!("demo_report_md", normalise(&MarkdownPrinter.to_string(&demo_document())));
}

#[test]
fn demo_html() {
    let html = HtmlPrinter.to_string(&demo_document());
    assert!(!html.contains("<script"), "the report needs no JavaScript");
    for external in ["src=\"http", "href=\"http", "url(http", "@import"] {
        assert!(!html.contains(external), "no external requests: {external}");
    }
    insta::assert_snapshot!("demo_report_html", normalise(&html));
}
