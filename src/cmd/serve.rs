//! `newsflow serve`: the analysis as an HTTP API. `/v1/analyze` answers one article at a
//! time; `/v1/articles` feeds the same pipeline, bounded queues and sinks as `run`.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use analysis::Analyzer;
use anyhow::Context;
use pipeline::{CancellationToken, Stats};
use service::{Api, ApiOptions, Probe};

use super::run::{describe, watch_signals, CliRuntime, Settings};

/// Arguments of `newsflow serve`: the listen address and API limits, then `run`'s sink and
/// analysis options.
#[derive(Debug, clap::Args)]
// Both this and `run`'s struct are called `Args`; clap's default group ids would clash.
#[group(id = "serve_args")]
pub struct Args {
    /// Where to listen, e.g. 127.0.0.1:8080 (port 0 picks a free port, printed on stderr).
    #[arg(long, value_name = "ADDR")]
    pub listen: String,
    /// Largest request body in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = service::api::DEFAULT_BODY_LIMIT)]
    pub body_limit: usize,
    /// Articles accepted by /v1/articles and not yet taken by the pipeline, at most; when
    /// full, requests get 503 with Retry-After.
    #[arg(long, value_name = "N", default_value_t = service::api::DEFAULT_ACCEPT_QUEUE)]
    pub accept_queue: usize,
    /// Sinks, analysis and pipeline options, as for `run` (inputs are not taken).
    #[command(flatten)]
    pub run: super::run::Args,
}

/// Serves until SIGINT/SIGTERM, then drains what was accepted into the sinks.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let CliRuntime { runtime, signals } = CliRuntime::start()?;
    anyhow::ensure!(
        args.run.inputs.is_empty(),
        "serve takes its articles over HTTP; drop the inputs {:?}",
        args.run.inputs
    );
    anyhow::ensure!(args.accept_queue >= 1, "--accept-queue must be at least 1");
    let settings = Settings::resolve(args.run)?;
    let quiet = settings.quiet;
    let stages = Analyzer::new(settings.tagger).stages();
    let options = ApiOptions {
        body_limit: args.body_limit,
        accept_queue: args.accept_queue,
        analyze_concurrency: settings.pipeline.workers,
    };
    let (api, source) = Api::new(Arc::clone(&stages), options);
    let result = runtime.block_on(async move {
        let shutdown = CancellationToken::new();
        tokio::spawn(watch_signals(shutdown.clone(), settings.grace, signals));
        let stats = Arc::new(Stats::default());
        let (listener, local) = service::server::bind(&args.listen).await?;
        tracing::info!("serve: listening on http://{local}");
        if !quiet {
            eprintln!("newsflow: listening on http://{local}");
        }
        let probe = Probe {
            stats: Arc::clone(&stats),
            shutdown: shutdown.clone(),
            source: "http".into(),
        };
        // The server stops accepting once shutdown starts and answers what it has read;
        // only then is the queue closed, so the source hands on every accepted article.
        let server = tokio::spawn({
            let api = api.clone();
            let stop = shutdown.clone();
            async move {
                service::serve(listener, probe, Some(api.clone()), stop).await;
                api.close();
            }
        });
        let mut sinks = Vec::with_capacity(settings.sinks.len());
        for spec in &settings.sinks {
            let sink = spec.build(&settings.sink_options).await;
            sinks.push(sink.with_context(|| format!("cannot open sink {spec}"))?);
        }
        let summary =
            pipeline::run(source, stages, sinks, settings.pipeline, stats, shutdown).await?;
        let _ = server.await;
        anyhow::Ok(summary)
    });
    runtime.shutdown_timeout(Duration::from_millis(100));
    let summary = result?;
    if !quiet {
        eprintln!("{}", describe(&summary));
    }
    Ok(ExitCode::SUCCESS)
}
