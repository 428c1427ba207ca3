//! End-to-end throughput of the runtime: JSON parsing, segmentation, tagging and rendering
//! on the worker pool, into a sink that discards. Reads the Reuters corpus from
//! `$NEWSFLOW_SHARED/data/news` when set, else the bundled samples.
//!
//! `NEWSFLOW_SHARED=../shared cargo bench --bench pipeline`

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
            b.iter(|| {
                let config = PipelineConfig {
                    workers,
                    ..PipelineConfig::default()
                };
                runtime
                    .block_on(pipeline::run(
                        Lines(Arc::clone(&lines)),
                        Arc::clone(&stages),
                        vec![Discard],
                        config,
                        Arc::new(Stats::default()),
                        CancellationToken::new(),
                    ))
                    .unwrap()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, end_to_end);
criterion_main!(benches);
