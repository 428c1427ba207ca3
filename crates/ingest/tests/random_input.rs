//! Randomised input for the code that reads untrusted data: a stable-toolchain stand-in for
//! the cargo-fuzz targets in `fuzz/`, run on every `cargo test`.

// Tests may panic on their own fixtures: a panic is a failed check.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ingest::{html_to_text, parse_feed};
use proptest::prelude::*;

/// Fragments feeds and HTML are made of, so random input reaches deep into the parsers
/// instead of failing at the first byte.
const PIECES: &[&str] = &[
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>",
    "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>",
    "<!DOCTYPE rss [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;\">]>",
    "<rss version=\"2.0\">",
    "</rss>",
    "<channel>",
    "</channel>",
    "<feed xmlns=\"http://www.w3.org/2005/Atom\">",
    "</feed>",
    "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns=\"http://purl.org/rss/1.0/\">",
    "<item>",
    "</item>",
    "<entry>",
    "</entry>",
    "<title>",
    "</title>",
    "<description>",
    "</description>",
    "<content type=\"html\">",
    "</content>",
    "<guid>",
    "</guid>",
    "<![CDATA[",
    "]]>",
    "&lt;p&gt;",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<script>",
    "</script>",
    "<style>",
    "<p>",
    "</p>",
    "<br/>",
    "<div onload=\"x()\">",
    "&amp;",
    "&b;",
    "&eacute;",
    "&#0;",
    "&#x1F600;",
    "&",
    "<",
    ">",
    "\"",
    "\u{0}",
    "\u{8}",
    "\u{feff}",
    "é",
    "\n",
    " ",
    "text",
    "{\"version\": \"https://jsonfeed.org/version/1.1\", \"items\": [",
    "{\"id\": \"1\", \"content_html\": \"<p>x</p>\"}",
    "]}",
];

fn document() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        3 => proptest::sample::select(PIECES).prop_map(|s| s.as_bytes().to_vec()),
        1 => proptest::collection::vec(any::<u8>(), 0..8),
    ];
    proptest::collection::vec(piece, 0..60).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(2000),
        ..ProptestConfig::default()
    })]

    #[test]
    fn any_bytes_parse_without_panicking_or_leaking_markup(bytes in document()) {
        if let Ok(feed) = parse_feed(&bytes) {
            for item in feed.items {
                if let Ok(article) = item.result {
                    prop_assert!(!article.body.to_ascii_lowercase().contains("<script"));
                    prop_assert!(!article.id.is_empty());
                }
            }
        }
    }

    #[test]
    fn any_html_becomes_trimmed_text(html in document().prop_map(|b| String::from_utf8_lossy(&b).into_owned())) {
        let text = html_to_text(&html);
        prop_assert_eq!(text.trim(), text.as_str());
        prop_assert!(!text.contains("\n\n\n"));
    }
}
