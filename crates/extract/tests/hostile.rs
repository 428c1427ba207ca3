//! Hostile pages: each is contained — an error for a page over a limit, clean text
//! otherwise — and never a panic, a stack overflow or quadratic time.

// Tests may panic on their own fixtures: a panic is a failed check.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use extract::{extract, ExtractError, Limits};
use proptest::prelude::*;

/// A paragraph of prose that the extractor keeps.
const PROSE: &str =
    "This paragraph is the article, long enough and with commas, clauses, and words.";

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let html = format!(
        "<html><body>{}{PROSE}{}",
        "<div>".repeat(100_000),
        "</div>".repeat(100_000)
    );
    let limits = Limits::default();
    assert_eq!(
        extract(html.as_bytes(), None, &limits),
        Err(ExtractError::TooDeep {
            limit: limits.max_depth
        })
    );
    // Unclosed inline elements do not nest blocks: a page of 100,000 `<b>`s is fine.
    let html = format!("<html><body><p>{}{PROSE}</p>", "<b>".repeat(100_000));
    assert_eq!(extract(html.as_bytes(), None, &limits).unwrap().text, PROSE);
    // Nesting within the limit is read normally.
    let html = format!("<html><body>{}<p>{PROSE}</p>", "<div>".repeat(300));
    assert_eq!(extract(html.as_bytes(), None, &limits).unwrap().text, PROSE);
}

#[test]
fn stray_end_tags_cost_nothing() {
    let html = format!(
        "<html><body>{}<p>{PROSE}</p>{}",
        "<div>".repeat(400),
        "</span></li></p>".repeat(50_000)
    );
    assert_eq!(
        extract(html.as_bytes(), None, &Limits::default())
            .unwrap()
            .text,
        PROSE
    );
}

#[test]
fn megabyte_attributes_are_ignored() {
    let big = "x".repeat(2 << 20);
    let html = format!(
        "<html><head><meta property=\"og:title\" content=\"{big}\"></head><body>\
         <div class=\"{big}\"><img src=\"data:image/png;base64,{big}\"><p>{PROSE}</p></div>"
    );
    let page = extract(html.as_bytes(), None, &Limits::default()).unwrap();
    assert_eq!(page.text, PROSE);
    assert_eq!(page.title, None, "an oversize attribute is not read");
}

#[test]
fn a_page_over_the_size_limit_is_an_error() {
    let limits = Limits::default();
    let html = format!("<html><body><p>{}</p>", "word ".repeat(20 << 20));
    assert_eq!(
        extract(html.as_bytes(), None, &limits),
        Err(ExtractError::TooLarge {
            size: html.len(),
            limit: limits.max_bytes
        })
    );
    let small = Limits {
        max_bytes: 64,
        ..Limits::default()
    };
    assert!(matches!(
        extract(
            format!("<html><body><p>{PROSE}</p>").as_bytes(),
            None,
            &small
        ),
        Err(ExtractError::TooLarge { .. })
    ));
}

#[test]
fn scripts_and_styles_never_reach_the_text() {
    let html = format!(
        "<html><head><style>p {{ color: red }}</style></head><body>\
         <script>document.write('<p>injected text that looks like prose, with commas, and more</p>')</script>\
         <p>{PROSE}</p><noscript>Enable JavaScript to see this, please, thank you.</noscript>\
         <svg><text>vector text</text></svg><template><p>template text, not shown</p></template>\
         <script>if (a < b) {{ x = '</div>' }}</script><p>{PROSE}</p><style>unterminated"
    );
    let text = extract(html.as_bytes(), None, &Limits::default())
        .unwrap()
        .text;
    assert_eq!(text, format!("{PROSE}\n\n{PROSE}"));
}

#[test]
fn broken_markup_still_yields_the_article() {
    let html = format!(
        "<html><body><div><p>{PROSE}<p>{PROSE} Two.<div></span><table><tr><td>{PROSE} Cell.\
         <li>item <b>bold <i>both</b> italic</i></li></div></div></body></html><p>{PROSE} After."
    );
    let text = extract(html.as_bytes(), None, &Limits::default())
        .unwrap()
        .text;
    assert!(
        text.starts_with(&format!("{PROSE}\n\n{PROSE} Two.")),
        "{text:?}"
    );
    assert!(text.contains("item bold both italic"), "{text:?}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn extract_never_panics_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = extract(&bytes, Some("https://x.example/2024/01/02/a"), &Limits::default());
    }

    #[test]
    fn extract_never_panics_on_tag_soup(
        parts in proptest::collection::vec(
            prop_oneof![
                Just("<div>"), Just("</div>"), Just("<p>"), Just("</p>"), Just("<li>"),
                Just("<a href=x>"), Just("</a>"), Just("<script>"), Just("</script>"),
                Just("<table><tr><td>"), Just("<!--"), Just("-->"), Just("<br>"),
                Just("<meta property=og:title content=t>"), Just("<time datetime=2024-99-99>"),
                Just("<script type=application/ld+json>{\"@graph\":[[[{}]]]}"),
                Just("words, more words, and prose enough to count "), Just("&amp;"), Just("<"),
            ],
            0..200,
        )
    ) {
        let html = format!("<html><body>{}", parts.concat());
        let _ = extract(html.as_bytes(), None, &Limits::default());
    }
}
