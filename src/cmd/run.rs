//! `newsflow run`: read articles, segment, tag, resolve, find quotes, write to every sink.

use std::future::Future;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use analysis::{Analyzer, NerModels, Step};
use anyhow::Context;
use ingest::{AnySource, FeedOptions, FetchOptions};
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
    /// Files (JSON Lines, RSS, Atom, RDF, JSON Feed, HTML pages or WARC archives, told apart
    /// by content), directories of them, http(s):// feed or page URLs, - for stdin (the
    /// default), or one
    /// nats://HOST:PORT/SUBJECT?stream=NAME&consumer=DURABLE to work from a JetStream stream.
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<String>,
    /// Keep polling the URL inputs every --interval, emitting only items not seen before.
    #[arg(long)]
    pub follow: bool,
    /// Seconds between two polls of a followed feed.
    #[arg(long, value_name = "SECS", help = format!(
        "Seconds between two polls of a followed feed [default: {}]",
        ingest::source::DEFAULT_INTERVAL.as_secs()
    ))]
    pub interval: Option<u64>,
    /// Remember seen item ids and HTTP validators of URL feeds in this JSON file across runs.
    #[arg(long, value_name = "PATH")]
    pub state: Option<PathBuf>,
    /// The User-Agent header sent when fetching feeds.
    #[arg(long, value_name = "TEXT", help = format!(
        "The User-Agent header sent when fetching feeds [default: {}]",
        ingest::http::DEFAULT_USER_AGENT
    ))]
    pub user_agent: Option<String>,
    /// For every feed item with a link, fetch the page and analyse its main text instead of
    /// the feed's summary (robots.txt obeyed; the feed's text is kept, with fetch_error, when
    /// the page cannot be had).
    #[arg(long)]
    pub fetch_articles: bool,
    /// With --fetch-articles: requests at a time to one host [default: 2].
    #[arg(long, value_name = "N")]
    pub fetch_per_host: Option<usize>,
    /// With --fetch-articles: requests at a time overall [default: 16].
    #[arg(long, value_name = "N")]
    pub fetch_concurrency: Option<usize>,
    /// With --fetch-articles: seconds one page may take, body included [default: 30].
    #[arg(long, value_name = "SECS")]
    pub fetch_timeout: Option<u64>,
    /// Where results go: stdout (default), jsonl:PATH, html:PATH, sqlite:PATH,
    /// postgres://USER@HOST:PORT/DB, nats://HOST:PORT/SUBJECT. Repeat to fan out.
    #[arg(long = "sink", value_name = "URI")]
    pub sinks: Vec<String>,
    /// Read settings from a TOML file (see the README); flags override it.
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Worker threads for the analysis stages [default: available cores].
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
    /// Drop entities whose score (the probability that the span and type are right) is
    /// below this, before resolution [default: 0, keep all].
    #[arg(long, value_name = "X")]
    pub min_score: Option<f32>,
    /// Serve /metrics (Prometheus), /health and /ready on this address, e.g. 127.0.0.1:9464.
    #[arg(long, value_name = "ADDR")]
    pub metrics: Option<String>,
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
pub(crate) struct Settings {
    pub inputs: Vec<String>,
    pub feeds: FeedOptions,
    pub sinks: Vec<SinkSpec>,
    pub sink_options: SinkOptions,
    pub tagger: tagger::Tagger,
    pub pipeline: PipelineConfig,
    pub grace: Duration,
    pub metrics: Option<String>,
    pub quiet: bool,
    /// `--languages`: the languages passed on, `None` for all.
    pub languages: Option<Vec<&'static str>>,
}

impl Settings {
    /// Resolves flags over the config file over the defaults.
    pub fn resolve(args: Args) -> anyhow::Result<Self> {
        let file = match &args.config {
            Some(path) => RunConfig::load(path)?,
            None => RunConfig::default(),
        };
        let fetch_defaults = FetchOptions::default();
        let fetch_articles =
            (args.fetch_articles || file.fetch_articles.unwrap_or(false)).then(|| FetchOptions {
                per_host: args
                    .fetch_per_host
                    .or(file.fetch_per_host)
                    .unwrap_or(fetch_defaults.per_host)
                    .max(1),
                global: args
                    .fetch_concurrency
                    .or(file.fetch_concurrency)
                    .unwrap_or(fetch_defaults.global)
                    .max(1),
                timeout: args
                    .fetch_timeout
                    .or(file.fetch_timeout_secs)
                    .map_or(fetch_defaults.timeout, Duration::from_secs),
                ..fetch_defaults
            });
        let feed_defaults = FeedOptions::default();
        let interval = args.interval.or(file.interval);
        anyhow::ensure!(
            interval.is_none_or(|secs| secs >= 1),
            "--interval must be at least 1 second"
        );
        let feeds = FeedOptions {
            follow: args.follow || file.follow.unwrap_or(false),
            interval: interval.map_or(feed_defaults.interval, Duration::from_secs),
            state: args.state.clone().or(file.state),
            user_agent: args
                .user_agent
                .clone()
                .or(file.user_agent)
                .unwrap_or(feed_defaults.user_agent),
            fetch_articles,
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
        let min_score = args.min_score.or(file.min_score).unwrap_or(0.0);
        anyhow::ensure!(
            (0.0..=1.0).contains(&min_score),
            "--min-score must be between 0 and 1, got {min_score}"
        );
        let tagger = load_tagger(
            args.model.as_deref().or(file.model.as_deref()),
            args.patterns.as_deref().or(file.patterns.as_deref()),
        )?
        .with_min_score(min_score);
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
            metrics: args.metrics.clone().or(file.metrics),
            quiet: args.quiet || file.quiet.unwrap_or(false),
        })
    }
}

/// Runs the pipeline until the input ends or a signal stops it.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let runtime = CliRuntime::start()?;
    let settings = Settings::resolve(args)?;
    let has_url = settings.inputs.iter().any(|i| ingest::is_url(i));
    anyhow::ensure!(
        has_url || !settings.feeds.follow,
        "--follow needs at least one http(s):// feed URL among the inputs"
    );
    let (source, total_bytes) = AnySource::open(&settings.inputs, settings.feeds.clone())?;
    let passed_over = Arc::clone(&settings.feeds.counts);
    let stats = Arc::new(Stats::default());
    passed_over.observe_fetches(Arc::new(FetchMetrics(Arc::clone(&stats))));
    let Settings {
        sinks: specs,
        sink_options,
        tagger,
        languages,
        pipeline,
        grace,
        metrics,
        quiet,
        ..
    } = settings;
    let stages = Analyzer::build(NerModels::english(tagger), Step::Quote, languages).stages();
    let source_label = source_label(&source);
    let job = Job {
        runtime,
        source,
        total_bytes,
        stages,
        config: pipeline,
        grace,
        metrics: metrics.map(|addr| (addr, source_label)),
        quiet,
        stats,
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
        for line in passed_over.describe() {
            eprintln!("newsflow: {line}");
        }
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
    /// Where to serve metrics and probes, with the `source` label of the read counter.
    pub metrics: Option<(String, String)>,
    /// No progress bar.
    pub quiet: bool,
    /// The run's counters; made before the source opens so that the source's fetcher can
    /// report into them (see [`FetchMetrics`]).
    pub stats: Arc<Stats>,
}

/// Counts `--fetch-articles` page requests by status in the run's [`Stats`], which the
/// metrics exporter reads: the wiring that lets `ingest` report without knowing the runtime's
/// counters or the HTTP layer.
#[derive(Debug)]
struct FetchMetrics(Arc<Stats>);

impl ingest::FetchObserver for FetchMetrics {
    fn fetched(&self, status: u16) {
        self.0.count_fetch(status);
    }
}

/// The `source` label of `newsflow_articles_read_total`.
fn source_label(source: &AnySource) -> String {
    match source {
        AnySource::Inputs(_) => "inputs".into(),
        AnySource::Nats(_) => "nats".into(),
    }
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
            let stats = self.stats;
            // Up before the sinks connect, so that an orchestrator sees "alive, not ready".
            let metrics_stop = CancellationToken::new();
            let _stop_metrics = metrics_stop.clone().drop_guard();
            if let Some((addr, source)) = self.metrics {
                let (listener, local) = service::server::bind(&addr).await?;
                tracing::info!("metrics: serving on http://{local}");
                if !self.quiet {
                    eprintln!("newsflow: metrics on http://{local}/metrics");
                }
                let probe = service::Probe {
                    stats: Arc::clone(&stats),
                    shutdown: shutdown.clone(),
                    source,
                };
                tokio::spawn(service::serve(listener, probe, None, metrics_stop));
            }
            let sinks = open_sinks().await?;
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

/// The shortest run whose rates the summary shows. A shorter one is mostly start-up (the
/// model loads in tens of milliseconds), so "140 articles/s" for one article in 7 ms would
/// measure nothing; `newsflow bench` is the tool for throughput.
const MIN_RATE_RUN: Duration = Duration::from_secs(1);

/// The run summary printed on stderr.
pub fn describe(s: &Summary) -> String {
    let secs = s.elapsed.as_secs_f64();
    let counts = format!(
        "newsflow: {} articles, {} sentences, {} tokens, {} entities, {} rejected in {secs:.2} s",
        s.articles_written, s.sentences, s.tokens, s.entities, s.rejected,
    );
    // Rates of a run too short to measure, or of a service that saw no article, mean
    // nothing; the counts always do.
    let rates = if s.elapsed < MIN_RATE_RUN || s.articles_written == 0 {
        String::new()
    } else {
        format!(
            " ({:.0} articles/s, {:.0} tokens/s, {:.2} MB/s)",
            s.articles_written as f64 / secs,
            s.tokens as f64 / secs,
            s.text_bytes as f64 / secs / 1e6,
        )
    };
    counts + &rates + &describe_languages(s)
}

/// `; 12 skipped (language); languages: en 310, de 12, none 1` — or nothing when every
/// article was in one language and none was skipped.
fn describe_languages(s: &Summary) -> String {
    let mut out = String::new();
    if s.skipped_language > 0 {
        out.push_str(&format!("; {} skipped (language)", s.skipped_language));
    }
    if s.languages.len() > 1 || s.skipped_language > 0 {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(articles: u64, elapsed: Duration) -> Summary {
        Summary {
            articles_written: articles,
            tokens: articles * 500,
            text_bytes: articles * 3000,
            elapsed,
            ..Summary::default()
        }
    }

    #[test]
    fn a_short_run_still_counts_its_language_skips() {
        let mut s = summary(1, Duration::from_millis(7));
        s.skipped_language = 3;
        s.languages = vec![(Some("en"), 1)];
        assert!(
            describe(&s).ends_with("0.01 s; 3 skipped (language); languages: en 1"),
            "{}",
            describe(&s)
        );
    }

    #[test]
    fn a_run_too_short_to_measure_shows_no_rates() {
        let line = describe(&summary(1, Duration::from_millis(7)));
        assert_eq!(
            line,
            "newsflow: 1 articles, 0 sentences, 500 tokens, 0 entities, 0 rejected in 0.01 s"
        );
    }

    #[test]
    fn a_long_run_without_articles_shows_no_rates() {
        let line = describe(&summary(0, Duration::from_secs(120)));
        assert_eq!(
            line,
            "newsflow: 0 articles, 0 sentences, 0 tokens, 0 entities, 0 rejected in 120.00 s"
        );
    }

    #[test]
    fn a_measurable_run_shows_its_rates() {
        let line = describe(&summary(4000, Duration::from_secs(2)));
        assert!(
            line.ends_with("in 2.00 s (2000 articles/s, 1000000 tokens/s, 6.00 MB/s)"),
            "{line}"
        );
    }
}
