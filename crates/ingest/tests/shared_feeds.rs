//! The shared real and hostile feeds through the library: item counts match the reference
//! parser's, and hostile inputs end in bounded time with the outcome the manifest asks for.

// Tests may panic on their own fixtures: a panic is a failed check.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use ingest::parse_feed;

/// The longest a single hostile document may take to parse (the acceptance bound is 10 s
/// through the binary; the library must be far quicker).
const MAX_PARSE_TIME: Duration = Duration::from_secs(5);

/// `$NEWSFLOW_SHARED/data/feeds/<kind>`, or `None` (with a printed reason) outside CI.
fn feeds_dir(kind: &str, test: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("NEWSFLOW_SHARED").map(PathBuf::from);
    match dir {
        Some(dir) if dir.is_dir() => Some(dir.join("data/feeds").join(kind)),
        _ => {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("{test}: NEWSFLOW_SHARED is not set; CI must run the data-backed tests");
            }
            eprintln!("SKIPPED {test}: set NEWSFLOW_SHARED to the shared/ folder to run it");
            None
        }
    }
}

/// Rows of a MANIFEST.tsv as (file, column value).
fn manifest(dir: &std::path::Path, column: &str) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(dir.join("MANIFEST.tsv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    let col = header.iter().position(|h| *h == column).unwrap();
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let cells: Vec<&str> = l.split('\t').collect();
            (cells[0].to_string(), cells[col].to_string())
        })
        .collect()
}

#[test]
fn real_feeds_yield_the_reference_item_counts() {
    let Some(dir) = feeds_dir("real", "real_feeds_yield_the_reference_item_counts") else {
        return;
    };
    let rows = manifest(&dir, "items");
    assert_eq!(rows.len(), 42);
    let mut mismatches = Vec::new();
    for (file, items) in &rows {
        let bytes = std::fs::read(dir.join(file)).unwrap();
        let expected: usize = items.parse().unwrap();
        match parse_feed(&bytes) {
            Ok(feed) => {
                let articles: Vec<_> = feed
                    .items
                    .iter()
                    .filter_map(|i| i.result.as_ref().ok())
                    .collect();
                let rejected: Vec<_> = feed
                    .items
                    .iter()
                    .filter_map(|i| i.result.as_ref().err())
                    .collect();
                if articles.len() != expected || feed.truncated.is_some() {
                    mismatches.push(format!(
                        "{file}: {} articles, expected {expected}; rejected {rejected:?}; truncated {:?}",
                        articles.len(),
                        feed.truncated
                    ));
                }
                for a in articles {
                    assert!(!a.id.is_empty(), "{file}: empty id");
                    assert!(
                        !a.body.contains("<script") && !a.body.contains("<p>"),
                        "{file}: markup in {:?}",
                        a.id
                    );
                }
            }
            Err(e) => mismatches.push(format!("{file}: rejected: {e}")),
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of 42 feeds differ:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

#[test]
fn bad_feeds_end_quickly_with_the_outcome_the_manifest_asks_for() {
    let Some(dir) = feeds_dir(
        "bad",
        "bad_feeds_end_quickly_with_the_outcome_the_manifest_asks_for",
    ) else {
        return;
    };
    let rows = manifest(&dir, "robust_parser_should");
    let mut report = Vec::new();
    for (file, should) in &rows {
        if file.ends_with(".jsonl") {
            continue;
        }
        let bytes = std::fs::read(dir.join(file)).unwrap();
        let start = Instant::now();
        let result = parse_feed(&bytes);
        let took = start.elapsed();
        assert!(took < MAX_PARSE_TIME, "{file} took {took:?}");
        let outcome = match &result {
            Ok(feed) => format!(
                "{} articles, {} rejected items, truncated: {:?}",
                feed.items.iter().filter(|i| i.result.is_ok()).count(),
                feed.items.iter().filter(|i| i.result.is_err()).count(),
                feed.truncated
            ),
            Err(e) => format!("rejected: {e}"),
        };
        report.push(format!(
            "{file} ({took:?}): {outcome}\n    manifest: {should}"
        ));
        let error_reported = match &result {
            Err(_) => true,
            Ok(feed) => feed.truncated.is_some() || feed.items.iter().any(|i| i.result.is_err()),
        };
        if should.starts_with("reject") {
            assert!(
                error_reported,
                "{file}: manifest says {should:?}, got {outcome}"
            );
        }
        if let Ok(feed) = &result {
            for a in feed.items.iter().filter_map(|i| i.result.as_ref().ok()) {
                let text = a.text();
                for bad in ["<script", "javascript:", "onload=", "root:x:0:0"] {
                    assert!(
                        !text.to_lowercase().contains(bad),
                        "{file}: {bad:?} in {text:?}"
                    );
                }
            }
        }
    }
    eprintln!("{}", report.join("\n"));
}
