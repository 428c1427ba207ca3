//! `newsflow bench`: throughput of the real pipeline on a corpus, with where the time went.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use analysis::{Analyzer, Step};
use ingest::{FeedOptions, Input, InputSource};
use pipeline::{CancellationToken, PipelineConfig, Stats};
use sinks::{SinkOptions, SinkSpec};
use tagger::Tagger;

use super::run::CliRuntime;

/// The corpus used when no input is given and the shared data is present.
const SHARED_CORPUS: &str = "data/news/reuters21578.jsonl";
/// The corpus used otherwise.
const SAMPLE_CORPUS: &str = "data/samples/news.jsonl";

/// Which stages to measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StageChoice {
    /// Sentence segmentation and tokenization only.
    Segment,
    /// Segmentation and entity tagging, into the sink.
    Tag,
    /// Every stage `run` has: segmentation, tagging, entity resolution and quotes.
    All,
}

/// Arguments of `newsflow bench`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A JSON Lines corpus [default: $NEWSFLOW_SHARED/data/news/reuters21578.jsonl, else
    /// the bundled samples].
    #[arg(value_name = "INPUT")]
    pub input: Option<PathBuf>,
    /// Stages to run.
    #[arg(long, value_enum, default_value = "all")]
    pub stage: StageChoice,
    /// Worker threads [default: available cores].
    #[arg(long, value_name = "N")]
    pub workers: Option<usize>,
    /// Read the corpus K times in a row (streamed, never held in memory), to measure long
    /// runs and memory that stays flat.
    #[arg(long, value_name = "K", default_value_t = 1)]
    pub repeat: usize,
    /// Write results to this sink instead of discarding them.
    #[arg(long, value_name = "URI", default_value = "null")]
    pub sink: String,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs the benchmark and prints the report.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let input = match args.input {
        Some(path) => path,
        None => std::env::var_os("NEWSFLOW_SHARED")
            .map(|s| PathBuf::from(s).join(SHARED_CORPUS))
            .filter(|p| p.exists())
            .unwrap_or_else(|| PathBuf::from(SAMPLE_CORPUS)),
    };
    anyhow::ensure!(
        input.exists(),
        "benchmark input {} does not exist",
        input.display()
    );
    let repeat = args.repeat.max(1);
    let inputs = vec![Input::File(input.clone()); repeat];
    let source = InputSource::new(inputs, FeedOptions::default());
    let last = match args.stage {
        StageChoice::Segment => Step::Segment,
        StageChoice::Tag => Step::Tag,
        StageChoice::All => Step::Quote,
    };
    let analyzer = Analyzer::through(Tagger::embedded(), last);
    let names = analyzer.names();
    let stages = analyzer.stages();
    let spec = SinkSpec::parse(&args.sink)?;
    let defaults = PipelineConfig::default();
    let workers = args.workers.unwrap_or(defaults.workers).max(1);
    let config = PipelineConfig {
        workers,
        ..defaults
    };

    let CliRuntime { runtime, signals } = CliRuntime::start()?;
    let stats = Arc::new(Stats::default());
    let summary = runtime.block_on({
        let stats = Arc::clone(&stats);
        async move {
            let shutdown = CancellationToken::new();
            let grace = Duration::from_secs(5);
            tokio::spawn(super::run::watch_signals(shutdown.clone(), grace, signals));
            let sink = spec.build(&SinkOptions::default()).await?;
            anyhow::Ok(pipeline::run(source, stages, vec![sink], config, stats, shutdown).await?)
        }
    })?;
    runtime.shutdown_timeout(Duration::from_millis(100));

    let secs = summary.elapsed.as_secs_f64().max(1e-9);
    let worker_secs = secs * workers as f64;
    let mut steps = vec![("parse", 0usize), ("render", 1usize)];
    for (i, name) in names.iter().enumerate() {
        steps.push((name, 2 + i));
    }
    let busy: Vec<(&str, f64)> = steps
        .iter()
        .map(|&(name, slot)| (name, stats.busy_nanos(slot) as f64 / 1e9))
        .collect();
    let samples = Stats::get(&stats.queue_samples).max(1) as f64;
    let report = serde_json::json!({
        "input": input.display().to_string(),
        "repeat": repeat,
        "stage": format!("{:?}", args.stage).to_lowercase(),
        "workers": workers,
        "sink": args.sink,
        "articles": summary.articles_written,
        "rejected": summary.rejected,
        "sentences": summary.sentences,
        "tokens": summary.tokens,
        "entities": summary.entities,
        "text_bytes": summary.text_bytes,
        "input_bytes": Stats::get(&stats.bytes_read),
        "seconds": secs,
        "articles_per_sec": summary.articles_written as f64 / secs,
        "tokens_per_sec": summary.tokens as f64 / secs,
        "mb_per_sec": summary.text_bytes as f64 / secs / 1e6,
        "busy_seconds": busy.iter().map(|(n, s)| (n.to_string(), serde_json::json!(s))).collect::<serde_json::Map<_, _>>(),
        "worker_utilisation": busy.iter().map(|(_, s)| s).sum::<f64>() / worker_secs,
        "source_queue": {"mean": Stats::get(&stats.source_queue_sum) as f64 / samples,
                          "max": Stats::get(&stats.source_queue_max),
                          "capacity": pipeline::runtime::SOURCE_QUEUE},
        "result_queue": {"mean": Stats::get(&stats.result_queue_sum) as f64 / samples,
                          "max": Stats::get(&stats.result_queue_max),
                          "capacity": pipeline::runtime::RESULT_QUEUE},
        "peak_rss_mb": peak_rss_bytes().map(|b| b as f64 / 1e6),
    });
    if args.json {
        println!("{report}");
        return Ok(ExitCode::SUCCESS);
    }
    let mut table = String::new();
    let mut row = |k: &str, v: String| table.push_str(&format!("{k:<22} {v}\n"));
    row("input", format!("{} x{repeat}", input.display()));
    row(
        "stages",
        format!(
            "{} ({workers} workers, sink {})",
            names.join(" + "),
            args.sink
        ),
    );
    row(
        "articles",
        format!(
            "{} ({} rejected)",
            summary.articles_written, summary.rejected
        ),
    );
    row("tokens", summary.tokens.to_string());
    row("text", format!("{:.1} MB", summary.text_bytes as f64 / 1e6));
    row("elapsed", format!("{secs:.2} s"));
    row(
        "articles/s",
        format!("{:.0}", summary.articles_written as f64 / secs),
    );
    row("tokens/s", format!("{:.0}", summary.tokens as f64 / secs));
    row(
        "MB/s",
        format!("{:.2}", summary.text_bytes as f64 / secs / 1e6),
    );
    for (name, s) in &busy {
        row(
            &format!("busy {name}"),
            format!("{s:.2} s ({:.0}% of worker time)", 100.0 * s / worker_secs),
        );
    }
    row(
        "source queue",
        format!(
            "mean {:.1}, max {} of {}",
            Stats::get(&stats.source_queue_sum) as f64 / samples,
            Stats::get(&stats.source_queue_max),
            pipeline::runtime::SOURCE_QUEUE
        ),
    );
    row(
        "result queue",
        format!(
            "mean {:.1}, max {} of {}",
            Stats::get(&stats.result_queue_sum) as f64 / samples,
            Stats::get(&stats.result_queue_max),
            pipeline::runtime::RESULT_QUEUE
        ),
    );
    row(
        "peak RSS",
        peak_rss_bytes().map_or("unknown".into(), |b| format!("{:.0} MB", b as f64 / 1e6)),
    );
    print!("{table}");
    Ok(ExitCode::SUCCESS)
}

/// The process's peak resident memory (Linux `VmHWM`), if it can be read.
fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}
