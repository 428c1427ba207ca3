//! The shared CC-NEWS-style WARC sample through the library: exactly one article per HTML
//! 200 response, counted by an independent scan of the archive, and nothing from the rest.

// Tests may panic on their own fixtures: a panic is a failed check.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::io::{BufReader, Read};
use std::path::PathBuf;

use ingest::page::page_article;
use ingest::warc::{Entry, WarcReader};

/// `$NEWSFLOW_SHARED/data/web/<name>`, or `None` (with a printed reason) outside CI.
fn web_file(name: &str, test: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("NEWSFLOW_SHARED").map(PathBuf::from);
    match dir {
        Some(dir) if dir.is_dir() => Some(dir.join("data/web").join(name)),
        _ => {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("{test}: NEWSFLOW_SHARED is not set; CI must run the data-backed tests");
            }
            eprintln!("SKIPPED {test}: set NEWSFLOW_SHARED to the shared/ folder to run it");
            None
        }
    }
}

/// The target URIs of HTML 200 responses, found without the reader: the decompressed
/// archive split at each `WARC/1.` line, each response's HTTP status line and Content-Type
/// read by plain text search.
fn independent_html_200s(archive: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(archive);
    let mut uris = Vec::new();
    for record in text.split("\r\nWARC/1.").skip(1) {
        let Some((warc_headers, block)) = record.split_once("\r\n\r\n") else {
            continue;
        };
        if !warc_headers.contains("\r\nWARC-Type: response") {
            continue;
        }
        let http_head = block
            .split("\r\n\r\n")
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        let html = http_head
            .lines()
            .any(|l| l.starts_with("content-type:") && l.contains("text/html"));
        if http_head.starts_with("http/1.1 200") && html {
            let uri = warc_headers
                .lines()
                .find_map(|l| l.strip_prefix("WARC-Target-URI: "))
                .unwrap();
            uris.push(uri.to_string());
        }
    }
    uris
}

#[test]
fn one_article_per_html_200_response_in_the_shared_warc() {
    let test = "one_article_per_html_200_response_in_the_shared_warc";
    let Some(path) = web_file("pages_sample.warc.gz", test) else {
        return;
    };
    let gz = std::fs::read(&path).unwrap();
    let mut plain = b"\r\n".to_vec();
    flate2::read::MultiGzDecoder::new(&gz[..])
        .read_to_end(&mut plain)
        .unwrap();
    let expected = independent_html_200s(&plain);
    assert!(expected.len() >= 290, "{}", expected.len());

    let decoder = BufReader::new(flate2::read::MultiGzDecoder::new(&gz[..]));
    let mut reader = WarcReader::new(decoder);
    let mut urls = Vec::new();
    let mut failed = Vec::new();
    let mut skipped: BTreeMap<&str, usize> = BTreeMap::new();
    while let Some(entry) = reader.next_entry() {
        match entry.unwrap().1 {
            Entry::Page(page) => {
                let article = page_article(
                    &page.html,
                    page.charset,
                    page.target_uri.as_deref(),
                    page.date.as_deref(),
                    page.record_id.as_deref(),
                );
                match article {
                    Ok(article) => {
                        assert!(!article.body.trim().is_empty(), "{:?}", article.url);
                        assert!(article.published.is_some(), "{:?}", article.url);
                        assert_eq!(article.url, page.target_uri);
                    }
                    Err(e) => failed.push(format!("{:?}: {e}", page.target_uri)),
                }
                urls.push(page.target_uri.unwrap());
            }
            Entry::Skipped(reason) => *skipped.entry(reason).or_default() += 1,
            Entry::Rejected(why) => panic!("rejected: {why}"),
        }
    }
    assert_eq!(urls, expected);
    assert!(
        failed.is_empty(),
        "{} pages yield no article: {failed:#?}",
        failed.len()
    );
    // The sample's other records, as its README lists them.
    for reason in [
        "request",
        "redirect",
        "error",
        "robots.txt",
        "not HTML",
        "revisit",
        "warcinfo",
    ] {
        assert!(skipped.contains_key(reason), "{reason}: {skipped:?}");
    }
}
