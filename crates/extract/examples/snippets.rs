//! Scores `extract` on trafilatura's evaluation pages: snippet precision, recall and F1 on
//! the tuning half (even pages in key order), the check half (odd pages) and all, and pages
//! per second. Rules are tuned on the first half only, so the second shows overfitting.
//!
//! `cargo run --release -p extract --example snippets -- [DIR] [--fails|--why] [--tune] [--dump KEY]
//! [--pages [--reference FILE]] [--fates FILE]`, DIR defaulting to
//! `$NEWSFLOW_SHARED/data/web/trafilatura_eval`.
//!
//! The held-out measure averages F1 per page, so one page where the wrong block is chosen
//! costs as much as many pages that each miss a sentence: the summary counts the pages of
//! each half where fewer than half the `with` snippets are found, and `--pages` lists them
//! with their per-page recall and precision, the start of what was extracted and, with
//! `--reference FILE` (JSON lines `{"id": PATH, "text": ...}` as
//! `scripts/trafilatura_extract.py` writes them), the start of what trafilatura extracts.

#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use std::io::Read;
use std::path::PathBuf;
use std::time::Instant;

use extract::eval::SnippetScore;
use extract::{extract, Limits};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = args
        .iter()
        .find(|a| !a.starts_with("--") && !a.chars().all(|c| c.is_ascii_hexdigit()))
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var("NEWSFLOW_SHARED").expect("NEWSFLOW_SHARED"))
                .join("data/web/trafilatura_eval")
        });
    let fails = args.iter().any(|a| a == "--fails" || a == "--why");
    // With `--why`, each missed or leaked snippet is followed by the paragraph holding it,
    // its fate and the element that decided it.
    let why = args.iter().any(|a| a == "--why");
    // With `--tune`, only the tuning half is listed (failures are studied there only).
    let tune_only = args.iter().any(|a| a == "--tune");
    let dump = args
        .iter()
        .position(|a| a == "--dump")
        .map(|i| args[i + 1].clone());
    // With `--fates FILE`, every page's paragraphs and their fates go to FILE as JSON lines.
    let mut fates_out = args
        .iter()
        .position(|a| a == "--fates")
        .map(|i| std::io::BufWriter::new(std::fs::File::create(&args[i + 1]).unwrap()));
    // With `--pages`, every page under half recall is listed (the worst pages first).
    let pages_view = args.iter().any(|a| a == "--pages");
    let reference: std::collections::HashMap<String, String> = args
        .iter()
        .position(|a| a == "--reference")
        .map(|i| {
            std::fs::read_to_string(&args[i + 1])
                .unwrap()
                .lines()
                .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
                .filter_map(|v| {
                    let id = v["id"].as_str()?;
                    let key = std::path::Path::new(id).file_name()?.to_str()?;
                    let key = key.split('.').next()?.to_string();
                    Some((key, v["text"].as_str().unwrap_or("").to_string()))
                })
                .collect()
        })
        .unwrap_or_default();
    let mut worst: Vec<(f64, String)> = Vec::new();
    let mut low_recall = [0usize; 2];
    let eval: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("evaldata.json")).unwrap()).unwrap();
    let mut keys: Vec<&String> = eval.as_object().unwrap().keys().collect();
    keys.sort();
    let mut pages = Vec::new();
    for key in &keys {
        let path = dir.join("pages").join(format!("{key}.html.gz"));
        let mut html = Vec::new();
        flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap())
            .read_to_end(&mut html)
            .unwrap();
        pages.push(html);
    }
    let limits = Limits::default();
    let (mut tune, mut check, mut all) = (
        SnippetScore::default(),
        SnippetScore::default(),
        SnippetScore::default(),
    );
    let start = Instant::now();
    let bytes: usize = pages.iter().map(Vec::len).sum();
    for (i, (key, html)) in keys.iter().zip(&pages).enumerate() {
        let item = &eval[key.as_str()];
        let url = item["url"].as_str();
        let result = extract(html, url, &limits);
        let text = result.as_ref().ok().map(|p| p.text.as_str());
        let strings = |k: &str| -> Vec<String> {
            item[k]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap().to_string())
                .collect()
        };
        let (with, without) = (strings("with"), strings("without"));
        let score = SnippetScore::page(text, &with, &without);
        if dump.as_deref() == Some(key.as_str()) {
            println!("{result:#?}");
        }
        if fails && !(tune_only && i % 2 == 1) && (score.false_neg > 0 || score.false_pos > 0) {
            let missed: Vec<&String> = with
                .iter()
                .filter(|s| !text.is_some_and(|t| t.contains(s.as_str())))
                .collect();
            let leaked: Vec<&String> = without
                .iter()
                .filter(|s| text.is_some_and(|t| t.contains(s.as_str())))
                .collect();
            println!(
                "{key} {} missed={missed:?} leaked={leaked:?} err={:?}",
                url.unwrap_or(""),
                result.as_ref().err()
            );
            if why {
                let paras = extract::explain(html, &limits).unwrap_or_default();
                for (kind, snippet) in missed
                    .iter()
                    .map(|s| ("missed", s))
                    .chain(leaked.iter().map(|s| ("leaked", s)))
                {
                    let hit = paras.iter().find(|p| p.text.contains(snippet.as_str()));
                    match hit {
                        Some(p) => println!(
                            "  {kind} {:?} {:?} in {} [{} chars]",
                            p.fate,
                            snippet,
                            p.path,
                            p.text.chars().count()
                        ),
                        None => println!("  {kind} NotInParagraphs {snippet:?}"),
                    }
                }
            }
        }
        if let Some(out) = fates_out.as_mut() {
            use std::io::Write;
            let paras: Vec<serde_json::Value> = extract::explain(html, &limits)
                .unwrap_or_default()
                .into_iter()
                .map(|p| serde_json::json!([p.text, format!("{:?}", p.fate), p.path, p.link_chars]))
                .collect();
            let line = serde_json::json!({"key": key, "half": i % 2, "with": with, "without": without, "paras": paras});
            writeln!(out, "{line}").unwrap();
        }
        let with_found = score.true_pos + score.false_neg;
        if with_found > 0 && score.recall() < 0.5 {
            low_recall[i % 2] += 1;
            if pages_view && !(tune_only && i % 2 == 1) {
                let head = |t: &str| t.chars().take(300).collect::<String>().replace('\n', " / ");
                let mut entry = format!(
                    "{key} half={} recall {:.2} ({}/{}) precision {:.2} {}\n  ours: {:?}\n",
                    if i % 2 == 0 { "tune" } else { "check" },
                    score.recall(),
                    score.true_pos,
                    with_found,
                    score.precision(),
                    url.unwrap_or(""),
                    text.map(head)
                        .unwrap_or_else(|| format!("{:?}", result.as_ref().err()))
                );
                if let Some(theirs) = reference.get(key.as_str()) {
                    entry.push_str(&format!("  theirs: {:?}\n", head(theirs)));
                }
                worst.push((score.recall(), entry));
            }
        }
        let part: &mut SnippetScore = if i % 2 == 1 { &mut check } else { &mut tune };
        part.add(score);
        all.add(score);
    }
    let secs = start.elapsed().as_secs_f64();
    worst.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (_, entry) in &worst {
        print!("{entry}");
    }
    for (name, s) in [("tune", tune), ("check", check), ("all", all)] {
        println!(
            "{name:9} precision {:.3} recall {:.3} f1 {:.3}  ({s:?})",
            s.precision(),
            s.recall(),
            s.f1()
        );
    }
    println!(
        "pages under half recall: tune {}, check {}",
        low_recall[0], low_recall[1]
    );
    println!(
        "{} pages, {:.1} MB in {secs:.2} s: {:.0} pages/s, {:.1} MB/s (in process, one thread)",
        pages.len(),
        bytes as f64 / 1e6,
        pages.len() as f64 / secs,
        bytes as f64 / 1e6 / secs
    );
}
