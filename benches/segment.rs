//! Segmentation throughput in MB/s: sentences alone, and sentences plus tokens.
//!
//! Input: the article bodies of the Reuters-21578 corpus (about 18 MB of wire text) when
//! `NEWSFLOW_SHARED` points at the shared folder, so figures are comparable with the issue's
//! targets; otherwise the bodies of `data/samples/*.jsonl`; otherwise a built-in news
//! paragraph repeated. Buffers are reused across articles, as the pipeline's workers do.

use std::hint::black_box;
use std::path::{Path, PathBuf};

use article::{Analysis, Span};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use segment::Segmenter;

/// Used when no corpus is found: wire-style text with the constructs the rules handle.
const BUILTIN: &str = "WASHINGTON (Reuters) - U.S. Secretary of State Antony Blinken met \
Gen. Mark Milley at 9 a.m. on Jan. 10, officials said. \"We will act today.\" Blinken said. \
Shares of Acme Inc. rose 3.5 percent to $41.25... Analysts at J.P. Morgan Chase & Co. \
weren't surprised!\n\nThe talks (held in Geneva) ended late. Both sides left.\n";

/// Article bodies from a JSON Lines file; unreadable lines are skipped.
fn bodies(path: &Path) -> Vec<String> {
    let Ok(raw) = std::fs::read_to_string(path) else {
        eprintln!("cannot read {}", path.display());
        return Vec::new();
    };
    raw.lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter_map(|v| v.get("body").and_then(|b| b.as_str()).map(str::to_string))
        .filter(|b| !b.is_empty())
        .collect()
}

fn corpus() -> (String, Vec<String>) {
    if let Some(dir) = std::env::var_os("NEWSFLOW_SHARED").map(PathBuf::from) {
        let texts = bodies(&dir.join("data/news/reuters21578.jsonl"));
        if !texts.is_empty() {
            return ("reuters21578".into(), texts);
        }
    }
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/samples");
    let mut texts = Vec::new();
    if let Ok(entries) = std::fs::read_dir(&samples) {
        let mut paths: Vec<_> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
            .collect();
        paths.sort();
        for path in paths {
            texts.extend(bodies(&path));
        }
    }
    if !texts.is_empty() {
        return ("samples".into(), texts);
    }
    (
        "builtin".into(),
        (0..2000).map(|_| BUILTIN.to_string()).collect(),
    )
}

fn bench(c: &mut Criterion) {
    let (name, texts) = corpus();
    let bytes: usize = texts.iter().map(String::len).sum();
    let segmenter = Segmenter::new();
    let mut group = c.benchmark_group(format!("segment/{name}"));
    group.sample_size(20);
    group.throughput(Throughput::Bytes(bytes as u64));

    let mut spans: Vec<Span> = Vec::new();
    group.bench_function("sentences", |b| {
        b.iter(|| {
            let mut count = 0;
            for text in &texts {
                spans.clear();
                segmenter.sentences_into(black_box(text), &mut spans);
                count += spans.len();
            }
            count
        })
    });

    let mut analysis = Analysis::default();
    group.bench_function("analyse", |b| {
        b.iter(|| {
            let mut count = 0;
            for text in &texts {
                segmenter.analyse_into(black_box(text), &mut analysis);
                count += analysis.tokens.len();
            }
            count
        })
    });
    group.finish();

    let sentences: usize = texts.iter().map(|t| segmenter.sentences(t).len()).sum();
    let tokens: usize = texts
        .iter()
        .map(|t| segmenter.analyse(t).tokens.len())
        .sum();
    eprintln!(
        "corpus {name}: {} texts, {:.1} MB, {sentences} sentences, {tokens} tokens",
        texts.len(),
        bytes as f64 / 1e6
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
