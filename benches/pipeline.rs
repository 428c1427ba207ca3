//! End-to-end throughput of the runtime: JSON parsing, segmentation, tagging and rendering
//! on the worker pool, into a sink that discards. Reads the Reuters corpus from
//! `$NEWSFLOW_SHARED/data/news` when set, else the bundled samples.
//!
//! `NEWSFLOW_SHARED=../shared cargo bench --bench pipeline`
//!
//! `long_article` runs the full analysis (resolution and quotes too) over the same text
//! twice: as one long article and as the ordinary articles it was joined from. Per-article
//! cost linear in the article's length shows as the same throughput for both (issue 13).

// Tests and benches may panic on their own fixtures: a panic is a failed check.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::sync::Arc;

use analysis::{Analyzer, Step};
use article::Origin;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use pipeline::{
    Batch, CancellationToken, Payload, PipelineConfig, Sink, Source, SourceSender, Stats,
};

/// Articles per iteration: enough for a steady state, small enough for criterion's samples.
const ARTICLES: usize = 2000;

fn corpus() -> Vec<String> {
    let shared = std::env::var_os("NEWSFLOW_SHARED").map(PathBuf::from);
    let path = shared
        .map(|s| s.join("data/news/reuters21578.jsonl"))
        .filter(|p| p.exists())
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/samples/news.jsonl")
        });
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let lines: Vec<String> = text.lines().map(str::to_owned).collect();
    if lines.is_empty() {
        return vec![r#"{"id":"x","body":"Nothing to read. A fallback article."}"#.into()];
    }
    lines.iter().cycle().take(ARTICLES).cloned().collect()
}

struct Lines(Arc<Vec<String>>);

impl Source for Lines {
    type Error = std::io::Error;
    async fn run(self, mut out: SourceSender, _stop: CancellationToken) -> std::io::Result<()> {
        for (i, line) in self.0.iter().enumerate() {
            let origin = Origin {
                source: Arc::from("bench"),
                line: i as u64 + 1,
            };
            if out.send(origin, Payload::Json(line.clone())).await.is_err() {
                break;
            }
        }
        Ok(())
    }
}

struct Discard;

impl Sink for Discard {
    type Error = std::io::Error;
    fn name(&self) -> String {
        "discard".into()
    }
    async fn write(&mut self, batch: Batch) -> std::io::Result<()> {
        std::hint::black_box(batch);
        Ok(())
    }
    async fn finish(self) -> std::io::Result<()> {
        Ok(())
    }
}

fn end_to_end(c: &mut Criterion) {
    let lines = Arc::new(corpus());
    let bytes: usize = lines.iter().map(String::len).sum();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let stages = Analyzer::through(tagger::Tagger::embedded(), Step::Tag).stages();
    let mut group = c.benchmark_group("pipeline");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.sample_size(10);
    for workers in [1, 2] {
        group.bench_function(format!("jsonl_to_discard/{workers}_workers"), |b| {
            b.iter(|| run_once(&runtime, &lines, &stages, workers))
        });
    }
    group.finish();
}

/// One pass of the whole pipeline over `lines` into a sink that discards.
fn run_once(
    runtime: &tokio::runtime::Runtime,
    lines: &Arc<Vec<String>>,
    stages: &Arc<[Box<dyn pipeline::Stage>]>,
    workers: usize,
) -> pipeline::Summary {
    let config = PipelineConfig {
        workers,
        ..PipelineConfig::default()
    };
    runtime
        .block_on(pipeline::run(
            Lines(Arc::clone(lines)),
            Arc::clone(stages),
            vec![Discard],
            config,
            Arc::new(Stats::default()),
            CancellationToken::new(),
        ))
        .unwrap()
}

/// Articles joined into the long one: about 400 KB of Reuters text, long enough that a
/// cost quadratic in the article shows, short enough for criterion's samples.
const JOINED: usize = 400;

fn long_article(c: &mut Criterion) {
    let bodies: Vec<String> = corpus()
        .iter()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v.get("body")?.as_str().map(str::to_owned))
        .filter(|b| !b.trim().is_empty())
        .take(JOINED)
        .collect();
    let record = |i: usize, body: &str| serde_json::json!({"id": i.to_string(), "body": body});
    let short: Vec<String> = bodies
        .iter()
        .enumerate()
        .map(|(i, b)| record(i, b).to_string())
        .collect();
    let long = vec![record(0, &bodies.join("\n\n")).to_string()];
    let bytes: usize = bodies.iter().map(String::len).sum();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let stages = Analyzer::new(tagger::Tagger::embedded()).stages();
    let mut group = c.benchmark_group("long_article");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.sample_size(10);
    for (name, lines) in [("one_article", long), ("as_articles", short)] {
        let lines = Arc::new(lines);
        group.bench_function(name, |b| b.iter(|| run_once(&runtime, &lines, &stages, 1)));
    }
    group.finish();
}

criterion_group!(benches, end_to_end, long_article);
criterion_main!(benches);
