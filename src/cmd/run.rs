//! `newsflow run`: read articles, segment, tag, write to every sink.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use ingest::{resolve_inputs, FeedOptions, Input, InputSource};
use pipeline::{
    CancellationToken, Capacities, PipelineConfig, Segment, Stage, Stats, Summary, Tag,
};
use sinks::SinkSpec;

/// How long a first SIGINT/SIGTERM waits for in-flight articles before giving up: long
/// enough for a database commit, short enough for a supervisor's stop timeout.
const DEFAULT_GRACE_SECS: u64 = 30;

/// How often the progress bar is redrawn.
const PROGRESS_TICK: Duration = Duration::from_millis(100);

/// Arguments of `newsflow run`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files (JSON Lines, RSS, Atom, RDF or JSON Feed, told apart by content), directories
    /// of them, http(s):// feed URLs, or - for stdin (the default).
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<String>,
    /// Keep polling the URL inputs every --interval, emitting only items not seen before.
    #[arg(long)]
    pub follow: bool,
    /// Seconds between two polls of a followed feed.
    #[arg(long, value_name = "SECS", default_value_t = ingest::source::DEFAULT_INTERVAL.as_secs())]
    pub interval: u64,
    /// Remember seen item ids and HTTP validators of URL feeds in this JSON file across runs.
    #[arg(long, value_name = "PATH")]
    pub state: Option<PathBuf>,
    /// The User-Agent header sent when fetching feeds.
    #[arg(long, value_name = "TEXT", default_value = ingest::http::DEFAULT_USER_AGENT)]
    pub user_agent: String,
    /// Where results go: stdout, jsonl:PATH, sqlite:PATH. Repeat to fan out to several.
    #[arg(long = "sink", value_name = "URI", default_value = "stdout")]
    pub sinks: Vec<String>,
    /// Worker threads for segmentation and tagging [default: available cores].
    #[arg(long, value_name = "N")]
    pub workers: Option<usize>,
    /// Write articles in input order (otherwise in completion order).
    #[arg(long)]
    pub ordered: bool,
    /// Append rejected records (with file, line and reason) to this JSON Lines file.
    #[arg(long, value_name = "PATH")]
    pub dead_letter: Option<PathBuf>,
    /// Articles queued between stages (source → workers → writer).
    #[arg(long, value_name = "N", default_value_t = pipeline::runtime::SOURCE_QUEUE)]
    pub queue: usize,
    /// Most articles per sink write (one transaction for SQLite).
    #[arg(long, value_name = "N", default_value_t = pipeline::runtime::SINK_BATCH)]
    pub batch: usize,
    /// Seconds to drain in-flight articles after SIGINT/SIGTERM before aborting.
    #[arg(long, value_name = "SECS", default_value_t = DEFAULT_GRACE_SECS)]
    pub grace: u64,
    /// No progress bar and no summary.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Runs the pipeline until the input ends or a signal stops it.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let inputs = resolve_inputs(&args.inputs)?;
    let specs = args
        .sinks
        .iter()
        .map(|uri| SinkSpec::parse(uri))
        .collect::<Result<Vec<_>, _>>()?;
    let workers = args
        .workers
        .unwrap_or_else(|| PipelineConfig::default().workers);
    anyhow::ensure!(workers >= 1, "--workers must be at least 1");
    let config = PipelineConfig {
        workers,
        ordered: args.ordered,
        capacities: Capacities {
            source_queue: args.queue.max(1),
            result_queue: args.queue.max(1),
            sink_batch: args.batch.max(1),
            ..Capacities::default()
        },
        dead_letter: args.dead_letter.clone(),
    };
    let stages: Arc<[Box<dyn Stage>]> = Arc::from(vec![
        Box::new(Segment::default()) as Box<dyn Stage>,
        Box::new(Tag::default()),
    ]);

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let result = runtime.block_on(run_pipeline(inputs, specs, stages, config, &args));
    // Stdin is read on a blocking thread that cannot be interrupted; do not wait for it.
    runtime.shutdown_timeout(Duration::from_millis(100));
    let summary = result?;
    if !args.quiet {
        eprintln!("{}", describe(&summary));
    }
    Ok(ExitCode::SUCCESS)
}

async fn run_pipeline(
    inputs: Vec<Input>,
    specs: Vec<SinkSpec>,
    stages: Arc<[Box<dyn Stage>]>,
    config: PipelineConfig,
    args: &Args,
) -> anyhow::Result<Summary> {
    let mut sinks = Vec::with_capacity(specs.len());
    for spec in &specs {
        sinks.push(
            spec.build()
                .await
                .with_context(|| format!("cannot open sink {spec:?}"))?,
        );
    }
    let stats = Arc::new(Stats::default());
    let shutdown = CancellationToken::new();
    tokio::spawn(watch_signals(
        shutdown.clone(),
        Duration::from_secs(args.grace),
    ));

    let total_bytes: Option<u64> = inputs.iter().map(Input::size).sum();
    let progress = (!args.quiet && std::io::stderr().is_terminal())
        .then_some(total_bytes)
        .flatten()
        .map(|total| spawn_progress(total, Arc::clone(&stats)));

    let has_url = inputs.iter().any(|i| matches!(i, Input::Url(_)));
    anyhow::ensure!(
        has_url || !args.follow,
        "--follow needs at least one http(s):// feed URL among the inputs"
    );
    anyhow::ensure!(args.interval >= 1, "--interval must be at least 1 second");
    let options = FeedOptions {
        follow: args.follow,
        interval: Duration::from_secs(args.interval),
        state: args.state.clone(),
        user_agent: args.user_agent.clone(),
        ..FeedOptions::default()
    };
    let source = InputSource::new(inputs, options);
    let result = pipeline::run(source, stages, sinks, config, stats, shutdown).await;
    if let Some((bar, task)) = progress {
        task.abort();
        bar.finish_and_clear();
    }
    Ok(result?)
}

/// First SIGINT/SIGTERM: stop reading and drain. Second signal, or the grace period running
/// out: exit at once with 130, naming what was abandoned.
async fn watch_signals(shutdown: CancellationToken, grace: Duration) {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        tracing::error!("cannot install signal handlers; SIGTERM will kill without draining");
        return;
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
    eprintln!("newsflow: stopping: draining articles in flight (signal again to abort)");
    shutdown.cancel();
    tokio::select! {
        _ = term.recv() => eprintln!("newsflow: aborted by second signal"),
        _ = int.recv() => eprintln!("newsflow: aborted by second signal"),
        _ = tokio::time::sleep(grace) => {
            eprintln!("newsflow: aborted: in-flight articles did not drain within {grace:?}");
        }
    }
    std::process::exit(130);
}

fn spawn_progress(
    total: u64,
    stats: Arc<Stats>,
) -> (indicatif::ProgressBar, tokio::task::JoinHandle<()>) {
    let bar = indicatif::ProgressBar::new(total);
    let style = indicatif::ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} ({bytes_per_sec}) {msg}",
    )
    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style);
    let task = tokio::spawn({
        let bar = bar.clone();
        async move {
            let mut tick = tokio::time::interval(PROGRESS_TICK);
            loop {
                tick.tick().await;
                bar.set_position(Stats::get(&stats.bytes_read));
                bar.set_message(format!("{} articles", Stats::get(&stats.articles_written)));
            }
        }
    });
    (bar, task)
}

/// The run summary printed on stderr.
pub fn describe(s: &Summary) -> String {
    let secs = s.elapsed.as_secs_f64().max(1e-9);
    format!(
        "newsflow: {} articles, {} sentences, {} tokens, {} entities, {} rejected in {:.2} s \
         ({:.0} articles/s, {:.0} tokens/s, {:.1} MB/s)",
        s.articles_written,
        s.sentences,
        s.tokens,
        s.entities,
        s.rejected,
        secs,
        s.articles_written as f64 / secs,
        s.tokens as f64 / secs,
        s.text_bytes as f64 / secs / 1e6,
    )
}
