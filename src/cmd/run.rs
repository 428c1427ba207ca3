//! `newsflow run`: read articles, segment, tag, write to every sink.

use std::future::Future;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use analysis::{Analyzer, NerModels, Step};
use anyhow::Context;
use ingest::{AnySource, FeedOptions};
use pipeline::{CancellationToken, Capacities, PipelineConfig, RetryPolicy, Stage, Stats, Summary};
use sinks::{AnySink, SinkOptions, SinkSpec};

use crate::config::RunConfig;

/// How long a first SIGINT/SIGTERM waits for in-flight articles before giving up: long
/// enough for a database commit, short enough for a supervisor's stop timeout.
pub(crate) const DEFAULT_GRACE_SECS: u64 = 30;

/// How often the progress bar is redrawn.
const PROGRESS_TICK: Duration = Duration::from_millis(100);

/// Arguments of `newsflow run`. Options without a value here fall back to `--config`, then
/// to the built-in defaults.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files (JSON Lines, RSS, Atom, RDF or JSON Feed, told apart by content), directories
    /// of them, http(s):// feed URLs, - for stdin (the default), or one
    /// nats://HOST:PORT/SUBJECT?stream=NAME&consumer=DURABLE to work from a JetStream stream.
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
    /// Where results go: stdout (default), jsonl:PATH, html:PATH, sqlite:PATH,
    /// postgres://USER@HOST:PORT/DB, nats://HOST:PORT/SUBJECT. Repeat to fan out.
    #[arg(long = "sink", value_name = "URI")]
    pub sinks: Vec<String>,
    /// Read settings from a TOML file (see the README); flags override it.
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Worker threads for segmentation and tagging [default: available cores].
    #[arg(long, value_name = "N")]
    pub workers: Option<usize>,
    /// Write articles in input order (otherwise in completion order).
    #[arg(long)]
    pub ordered: bool,
    /// Append rejected records (with file, line and reason) to this JSON Lines file.
    #[arg(long, value_name = "PATH")]
    pub dead_letter: Option<PathBuf>,
    /// Articles queued between stages (source → workers → writer) [default: 256].
    #[arg(long, value_name = "N")]
    pub queue: Option<usize>,
    /// Most articles per sink write (one database transaction) [default: 256].
    #[arg(long, value_name = "N")]
    pub batch: Option<usize>,
    /// Retries of a failed database or broker write before the run fails [default: 5].
    #[arg(long, value_name = "N")]
    pub retries: Option<u32>,
    /// Rotate jsonl: sink files once they reach this many bytes (to PATH.1, PATH.2, ...).
    #[arg(long, value_name = "BYTES")]
    pub rotate_bytes: Option<u64>,
    /// Seconds to drain in-flight articles after SIGINT/SIGTERM before aborting [default: 30].
    #[arg(long, value_name = "SECS")]
    pub grace: Option<u64>,
    /// A tagger model written by `newsflow train` [default: the model built in].
    #[arg(long, value_name = "PATH")]
    pub model: Option<PathBuf>,
    /// JSON Lines of {"label", "pattern"} phrases; their matches override the model.
    #[arg(long, value_name = "FILE")]
    pub patterns: Option<PathBuf>,
    /// Pass on only articles in these languages (ISO 639-1, comma-separated: en,de); the
    /// others are counted as skipped [default: every language].
    #[arg(long, value_name = "LANGS", value_delimiter = ',')]
    pub languages: Option<Vec<String>>,
    /// No progress bar and no summary.
    #[arg(long, short)]
    pub quiet: bool,
}

/// The `--languages` list as ISO 639-1 codes; an unknown code is an error, not a run that
/// silently skips everything.
fn parse_languages(list: &[String]) -> anyhow::Result<Vec<&'static str>> {
    list.iter()
        .map(|l| {
            lang::iso_639_1(l).with_context(|| {
                format!("--languages: {l:?} is not a language code newsflow knows (ISO 639-1, such as en or de)")
            })
        })
        .collect()
}

/// The tagger `run` uses: the built-in model or `--model`, with `--patterns` attached.
pub(crate) fn load_tagger(
    model: Option<&Path>,
    patterns: Option<&Path>,
) -> anyhow::Result<tagger::Tagger> {
    let mut tagger = match model {
        Some(path) => tagger::Tagger::load(path)
            .with_context(|| format!("cannot load tagger model {}", path.display()))?,
        None => tagger::Tagger::embedded(),
    };
    if let Some(path) = patterns {
        let patterns = tagger::Patterns::load(path)
            .with_context(|| format!("cannot load patterns {}", path.display()))?;
        tagger = tagger.with_patterns(patterns);
    }
    Ok(tagger)
}

/// Everything `newsflow run` needs, resolved from flags, config file and defaults.
struct Settings {
    inputs: Vec<String>,
    feeds: FeedOptions,
    sinks: Vec<SinkSpec>,
    sink_options: SinkOptions,
    tagger: tagger::Tagger,
    /// `--languages`: the languages passed on, `None` for all.
    languages: Option<Vec<&'static str>>,
    pipeline: PipelineConfig,
    grace: Duration,
    quiet: bool,
}

impl Settings {
    fn resolve(args: Args) -> anyhow::Result<Self> {
        let file = match &args.config {
            Some(path) => RunConfig::load(path)?,
            None => RunConfig::default(),
        };
        anyhow::ensure!(args.interval >= 1, "--interval must be at least 1 second");
        let feeds = FeedOptions {
            follow: args.follow,
            interval: Duration::from_secs(args.interval),
            state: args.state.clone(),
            user_agent: args.user_agent.clone(),
            ..FeedOptions::default()
        };
        let inputs = if args.inputs.is_empty() {
            file.inputs
        } else {
            args.inputs
        };
        let mut sink_uris = if args.sinks.is_empty() {
            file.sinks
        } else {
            args.sinks
        };
        if sink_uris.is_empty() {
            sink_uris.push("stdout".into());
        }
        let sinks = sink_uris
            .iter()
            .map(|uri| SinkSpec::parse(uri))
            .collect::<Result<Vec<_>, _>>()?;
        let defaults = PipelineConfig::default();
        let workers = args.workers.or(file.workers).unwrap_or(defaults.workers);
        anyhow::ensure!(workers >= 1, "--workers must be at least 1");
        let queue = args
            .queue
            .or(file.queue)
            .unwrap_or(defaults.capacities.source_queue)
            .max(1);
        let file_retry = file.retry.unwrap_or_default();
        let ms = Duration::from_millis;
        let pipeline = PipelineConfig {
            workers,
            ordered: args.ordered || file.ordered.unwrap_or(false),
            capacities: Capacities {
                source_queue: queue,
                result_queue: queue,
                sink_batch: args
                    .batch
                    .or(file.batch)
                    .unwrap_or(defaults.capacities.sink_batch)
                    .max(1),
                sink_queue: file
                    .sink_queue
                    .unwrap_or(defaults.capacities.sink_queue)
                    .max(1),
                ordered_window: file
                    .ordered_window
                    .unwrap_or(defaults.capacities.ordered_window)
                    .max(1),
            },
            dead_letter: args.dead_letter.or(file.dead_letter),
            retry: RetryPolicy {
                retries: args
                    .retries
                    .or(file_retry.retries)
                    .unwrap_or(defaults.retry.retries),
                initial_backoff: file_retry
                    .initial_backoff_ms
                    .map_or(defaults.retry.initial_backoff, ms),
                max_backoff: file_retry
                    .max_backoff_ms
                    .map_or(defaults.retry.max_backoff, ms),
            },
        };
        let grace =
            Duration::from_secs(args.grace.or(file.grace_secs).unwrap_or(DEFAULT_GRACE_SECS));
        let sink_options = SinkOptions {
            rotate_bytes: args.rotate_bytes.or(file.rotate_bytes),
        };
        let tagger = load_tagger(
            args.model.as_deref().or(file.model.as_deref()),
            args.patterns.as_deref().or(file.patterns.as_deref()),
        )?;
        let languages = args
            .languages
            .as_deref()
            .or(file.languages.as_deref())
            .map(parse_languages)
            .transpose()?;
        Ok(Self {
            inputs,
            feeds,
            sinks,
            sink_options,
            tagger,
            languages,
            pipeline,
            grace,
            quiet: args.quiet,
        })
    }
}

/// Runs the pipeline until the input ends or a signal stops it.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let runtime = CliRuntime::start()?;
    let settings = Settings::resolve(args)?;
    let has_url = settings
        .inputs
        .iter()
        .any(|i| i.starts_with("http://") || i.starts_with("https://"));
    anyhow::ensure!(
        has_url || !settings.feeds.follow,
        "--follow needs at least one http(s):// feed URL among the inputs"
    );
    let (source, total_bytes) = AnySource::open(&settings.inputs, settings.feeds.clone())?;
    let Settings {
        sinks: specs,
        sink_options,
        tagger,
        languages,
        pipeline,
        grace,
        quiet,
        ..
    } = settings;
    let stages = Analyzer::build(NerModels::english(tagger), Step::Quote, languages).stages();
    let job = Job {
        runtime,
        source,
        total_bytes,
        stages,
        config: pipeline,
        grace,
        quiet,
    };
    let summary = job.execute(|| async move {
        let mut sinks = Vec::with_capacity(specs.len());
        for spec in &specs {
            let sink = spec.build(&sink_options).await;
            sinks.push(sink.with_context(|| format!("cannot open sink {spec}"))?);
        }
        Ok(sinks)
    })?;
    if !quiet {
        eprintln!("{}", describe(&summary));
    }
    Ok(ExitCode::SUCCESS)
}

/// One pipeline run as the CLI drives it: on its own runtime, with signal handling and a
/// progress bar. Shared by `run` and `publish`.
pub(crate) struct Job {
    /// The runtime and signal handlers, started first.
    pub runtime: CliRuntime,
    /// Where records come from.
    pub source: AnySource,
    /// Total input bytes, when known, for the progress bar.
    pub total_bytes: Option<u64>,
    /// The CPU stages.
    pub stages: Arc<[Box<dyn Stage>]>,
    /// Workers, capacities, retries, dead letters.
    pub config: PipelineConfig,
    /// Drain time after a first signal.
    pub grace: Duration,
    /// No progress bar.
    pub quiet: bool,
}

impl Job {
    /// Opens the sinks with `open_sinks` (inside the runtime, since clients need it) and
    /// runs the pipeline to its end.
    pub fn execute<F, Fut>(self, open_sinks: F) -> anyhow::Result<Summary>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = anyhow::Result<Vec<AnySink>>>,
    {
        let CliRuntime { runtime, signals } = self.runtime;
        let result = runtime.block_on(async move {
            let shutdown = CancellationToken::new();
            tokio::spawn(watch_signals(shutdown.clone(), self.grace, signals));
            let sinks = open_sinks().await?;
            let stats = Arc::new(Stats::default());
            let progress = (!self.quiet && std::io::stderr().is_terminal())
                .then_some(self.total_bytes)
                .flatten()
                .map(|total| spawn_progress(total, Arc::clone(&stats)));
            let result = pipeline::run(
                self.source,
                self.stages,
                sinks,
                self.config,
                stats,
                shutdown,
            )
            .await;
            if let Some((bar, task)) = progress {
                task.abort();
                bar.finish_and_clear();
            }
            anyhow::Ok(result?)
        });
        // Stdin is read on a blocking thread that cannot be interrupted; do not wait for it.
        runtime.shutdown_timeout(Duration::from_millis(100));
        result
    }
}

/// The async runtime and the signal handlers of a pipeline command, set up before anything
/// slow (loading the model, connecting sinks): a SIGTERM that arrives meanwhile is
/// remembered and stops the run cleanly as soon as it starts, instead of killing it.
pub(crate) struct CliRuntime {
    /// Runs the source, writer and sinks.
    pub runtime: tokio::runtime::Runtime,
    /// SIGTERM and SIGINT, registered.
    pub signals: Signals,
}

/// Registered SIGTERM and SIGINT streams.
pub(crate) struct Signals {
    term: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
}

impl CliRuntime {
    /// Builds the runtime and registers the signal handlers.
    pub fn start() -> anyhow::Result<Self> {
        use tokio::signal::unix::{signal, SignalKind};
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .context("cannot start the async runtime")?;
        let signals = {
            let _in_runtime = runtime.enter();
            Signals {
                term: signal(SignalKind::terminate()).context("cannot handle SIGTERM")?,
                int: signal(SignalKind::interrupt()).context("cannot handle SIGINT")?,
            }
        };
        Ok(Self { runtime, signals })
    }
}

/// First SIGINT/SIGTERM: stop reading and drain. Second signal, or the grace period running
/// out: exit at once with 130, naming what was abandoned.
pub(crate) async fn watch_signals(shutdown: CancellationToken, grace: Duration, signals: Signals) {
    let Signals { mut term, mut int } = signals;
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
    ) + &describe_languages(s)
}

/// `; 12 skipped (language); languages: en 310, de 12, none 1` — or nothing when every
/// article was in one language and none was skipped.
fn describe_languages(s: &Summary) -> String {
    let mut out = String::new();
    if s.skipped > 0 {
        out.push_str(&format!("; {} skipped (language)", s.skipped));
    }
    if s.languages.len() > 1 || s.skipped > 0 {
        let counts: Vec<String> = s
            .languages
            .iter()
            .map(|(l, n)| format!("{} {n}", l.unwrap_or("none")))
            .collect();
        out.push_str("; languages: ");
        out.push_str(&counts.join(", "));
    }
    out
}
