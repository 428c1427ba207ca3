//! Agreement of `lang::detect` with reference labels, on a JSONL of `{text, declared, ref}`
//! (made by a high-accuracy detector; see the crate README): `cargo run --release -p lang
//! --example agreement -- FILE [--no-hints] [--show]`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    missing_docs
)]

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args
        .first()
        .expect("usage: agreement FILE [--no-hints] [--show]");
    let hints = !args.iter().any(|a| a == "--no-hints");
    let show = args.iter().any(|a| a == "--show");
    let context = args.iter().any(|a| a == "--feed-context");
    let rows: Vec<serde_json::Value> = std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // What ingest does for a feed: the declared language, else the language of all its items.
    let mut feed_text: std::collections::HashMap<&str, String> = Default::default();
    for row in &rows {
        if let Some(feed) = row["feed"].as_str() {
            let t = feed_text.entry(feed).or_default();
            t.push_str(row["text"].as_str().unwrap_or(""));
            t.push('\n');
        }
    }
    let feed_lang: std::collections::HashMap<&str, Option<&str>> = feed_text
        .iter()
        .map(|(f, t)| (*f, lang::feed_language(t.as_str())))
        .collect();
    let (mut agree, mut total, mut fast) = (0, 0, 0);
    for row in &rows {
        let Some(reference) = row["ref"].as_str() else {
            continue;
        };
        let text = row["text"].as_str().unwrap_or("");
        let mut declared = if hints {
            row["declared"].as_str()
        } else {
            None
        };
        if context && declared.is_none() {
            declared = row["feed"].as_str().and_then(|f| feed_lang[f]);
        }
        let got = lang::detect(text, declared);
        total += 1;
        if got.is_some_and(|d| d.reliable) {
            fast += 1;
        }
        if got.map(|d| d.lang) == Some(reference) {
            agree += 1;
        } else if show {
            let snippet: String = text.chars().take(70).collect();
            println!("ref {reference} got {got:?} declared {declared:?}: {snippet:?}");
        }
    }
    println!(
        "{agree}/{total} = {:.4} agree ({fast} decided by the text)",
        agree as f64 / total as f64
    );
}
