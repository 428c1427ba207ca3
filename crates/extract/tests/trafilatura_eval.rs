//! The 990 pages of trafilatura's evaluation set (`$NEWSFLOW_SHARED/data/web/trafilatura_eval`):
//! snippet F1 must not fall below the level measured when the extractor was tuned.

// Tests may panic on their own fixtures: a panic is a failed check.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Read;
use std::path::PathBuf;

use extract::eval::SnippetScore;
use extract::{extract, Limits};

/// Measured snippet F1 over all 990 pages (see the crate README) less a margin for
/// harmless changes; a drop below it is a regression.
const MIN_F1: f64 = 0.91;

/// `$NEWSFLOW_SHARED/data/web/trafilatura_eval`, or `None` (with a printed reason) outside CI.
fn eval_dir(test: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("NEWSFLOW_SHARED").map(PathBuf::from);
    match dir {
        Some(dir) if dir.is_dir() => Some(dir.join("data/web/trafilatura_eval")),
        _ => {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("{test}: NEWSFLOW_SHARED is not set; CI must run the data-backed tests");
            }
            eprintln!("SKIPPED {test}: set NEWSFLOW_SHARED to the shared/ folder to run it");
            None
        }
    }
}

#[test]
fn snippet_f1_on_trafilatura_eval_pages_holds() {
    let Some(dir) = eval_dir("snippet_f1_on_trafilatura_eval_pages_holds") else {
        return;
    };
    let eval: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("evaldata.json")).unwrap()).unwrap();
    let limits = Limits::default();
    let mut total = SnippetScore::default();
    let mut pages = 0;
    for (key, item) in eval.as_object().unwrap() {
        let path = dir.join("pages").join(format!("{key}.html.gz"));
        let mut html = Vec::new();
        flate2::read::GzDecoder::new(std::fs::File::open(&path).unwrap())
            .read_to_end(&mut html)
            .unwrap();
        let page = extract(&html, item["url"].as_str(), &limits);
        let snippets = |k: &str| -> Vec<&str> {
            item[k]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap())
                .collect()
        };
        let text = page.as_ref().ok().map(|p| p.text.as_str());
        total.add(SnippetScore::page(
            text,
            &snippets("with"),
            &snippets("without"),
        ));
        pages += 1;
    }
    assert_eq!(pages, 990, "the evaluation set changed");
    assert!(
        total.f1() >= MIN_F1,
        "snippet F1 {:.3} (precision {:.3}, recall {:.3}) fell below {MIN_F1}",
        total.f1(),
        total.precision(),
        total.recall()
    );
}
