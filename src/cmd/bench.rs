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
    let input = match &args.input {
        Some(path) => path.clone(),
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
    let stages = Analyzer::through(Tagger::embedded(), last).stages();
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
        let stages = Arc::clone(&stages);
        async move {
            let shutdown = CancellationToken::new();
            let grace = Duration::from_secs(5);
            tokio::spawn(super::run::watch_signals(shutdown.clone(), grace, signals));
            let sink = spec.build(&SinkOptions::default()).await?;
            anyhow::Ok(pipeline::run(source, stages, vec![sink], config, stats, shutdown).await?)
        }
    })?;
    runtime.shutdown_timeout(Duration::from_millis(100));

    let report = Report::new(&args, &input, repeat, workers, &summary, &stats, &stages);
    if args.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        print!("{report}");
    }
    Ok(ExitCode::SUCCESS)
}

/// Mean and peak length of a queue over the run, with its capacity.
#[derive(Debug, serde::Serialize)]
struct QueueReport {
    /// Mean of the samples.
    mean: f64,
    /// Longest seen.
    max: u64,
    /// The queue's bound.
    capacity: usize,
}

impl QueueReport {
    fn new(sum: u64, max: u64, samples: u64, capacity: usize) -> Self {
        Self {
            mean: sum as f64 / samples.max(1) as f64,
            max,
            capacity,
        }
    }
}

/// Every figure of a benchmark run, computed once; `--json` serialises it and the table
/// displays it. Field names are the JSON keys scripts read.
#[derive(Debug, serde::Serialize)]
struct Report {
    /// The corpus.
    input: String,
    /// Times it was read.
    repeat: usize,
    /// `--stage`.
    stage: String,
    /// The stages run, by name.
    #[serde(skip)]
    stages: Vec<&'static str>,
    /// Worker threads.
    workers: usize,
    /// `--sink`.
    sink: String,
    /// Articles written.
    articles: u64,
    /// Records rejected.
    rejected: u64,
    /// Sentences written.
    sentences: u64,
    /// Tokens written.
    tokens: u64,
    /// Entities written.
    entities: u64,
    /// Articles analysed per detected language (`none`: too short to tell), most first.
    languages: serde_json::Map<String, serde_json::Value>,
    /// Bytes of analysed text.
    text_bytes: u64,
    /// Bytes of input read.
    input_bytes: u64,
    /// Wall-clock seconds.
    seconds: f64,
    /// Articles per second.
    articles_per_sec: f64,
    /// Tokens per second.
    tokens_per_sec: f64,
    /// Megabytes of text per second.
    mb_per_sec: f64,
    /// Worker busy seconds per step, in running order (parse, render, then the stages).
    busy_seconds: serde_json::Map<String, serde_json::Value>,
    /// Busy time over worker time.
    worker_utilisation: f64,
    /// The source → workers queue.
    source_queue: QueueReport,
    /// The workers → writer queue.
    result_queue: QueueReport,
    /// Peak resident memory, when known.
    peak_rss_mb: Option<f64>,
}

impl Report {
    fn new(
        args: &Args,
        input: &std::path::Path,
        repeat: usize,
        workers: usize,
        summary: &pipeline::Summary,
        stats: &Stats,
        stages: &[Box<dyn pipeline::Stage>],
    ) -> Self {
        let secs = summary.elapsed.as_secs_f64().max(1e-9);
        let busy = stats.busy_by_step(stages);
        let busy_total: f64 = busy.iter().map(|(_, n)| *n as f64 / 1e9).sum();
        let samples = Stats::get(&stats.queue_samples);
        Self {
            input: input.display().to_string(),
            repeat,
            stage: format!("{:?}", args.stage).to_lowercase(),
            stages: stages.iter().map(|s| s.name()).collect(),
            workers,
            sink: args.sink.clone(),
            articles: summary.articles_written,
            rejected: summary.rejected,
            sentences: summary.sentences,
            tokens: summary.tokens,
            entities: summary.entities,
            languages: summary
                .languages
                .iter()
                .map(|(lang, n)| (lang.unwrap_or("none").to_string(), serde_json::json!(n)))
                .collect(),
            text_bytes: summary.text_bytes,
            input_bytes: Stats::get(&stats.bytes_read),
            seconds: secs,
            articles_per_sec: summary.articles_written as f64 / secs,
            tokens_per_sec: summary.tokens as f64 / secs,
            mb_per_sec: summary.text_bytes as f64 / secs / 1e6,
            busy_seconds: busy
                .iter()
                .map(|(name, n)| (name.to_string(), serde_json::json!(*n as f64 / 1e9)))
                .collect(),
            worker_utilisation: busy_total / (secs * workers as f64),
            source_queue: QueueReport::new(
                Stats::get(&stats.source_queue_sum),
                Stats::get(&stats.source_queue_max),
                samples,
                pipeline::runtime::SOURCE_QUEUE,
            ),
            result_queue: QueueReport::new(
                Stats::get(&stats.result_queue_sum),
                Stats::get(&stats.result_queue_max),
                samples,
                pipeline::runtime::RESULT_QUEUE,
            ),
            peak_rss_mb: peak_rss_bytes().map(|b| b as f64 / 1e6),
        }
    }
}

/// The table people read.
impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut row = |k: &str, v: String| writeln!(f, "{k:<22} {v}");
        row("input", format!("{} x{}", self.input, self.repeat))?;
        row(
            "stages",
            format!(
                "{} ({} workers, sink {})",
                self.stages.join(" + "),
                self.workers,
                self.sink
            ),
        )?;
        row(
            "articles",
            format!("{} ({} rejected)", self.articles, self.rejected),
        )?;
        row("tokens", self.tokens.to_string())?;
        let languages: Vec<String> = self
            .languages
            .iter()
            .map(|(lang, n)| format!("{lang} {n}"))
            .collect();
        row("languages", languages.join(", "))?;
        row("text", format!("{:.1} MB", self.text_bytes as f64 / 1e6))?;
        row("elapsed", format!("{:.2} s", self.seconds))?;
        row("articles/s", format!("{:.0}", self.articles_per_sec))?;
        row("tokens/s", format!("{:.0}", self.tokens_per_sec))?;
        row("MB/s", format!("{:.2}", self.mb_per_sec))?;
        let worker_secs = self.seconds * self.workers as f64;
        for (name, s) in &self.busy_seconds {
            let s = s.as_f64().unwrap_or(0.0);
            row(
                &format!("busy {name}"),
                format!("{s:.2} s ({:.0}% of worker time)", 100.0 * s / worker_secs),
            )?;
        }
        for (name, q) in [
            ("source queue", &self.source_queue),
            ("result queue", &self.result_queue),
        ] {
            row(
                name,
                format!("mean {:.1}, max {} of {}", q.mean, q.max, q.capacity),
            )?;
        }
        row(
            "peak RSS",
            self.peak_rss_mb
                .map_or("unknown".into(), |mb| format!("{mb:.0} MB")),
        )
    }
}

/// The process's peak resident memory (Linux `VmHWM`), if it can be read.
fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}
