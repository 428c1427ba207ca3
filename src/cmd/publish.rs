//! `newsflow publish`: load articles into a NATS JetStream stream for `newsflow run` workers
//! to share.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use ::nats::NatsUri;
use anyhow::Context;
use ingest::AnySource;
use pipeline::{PipelineConfig, Stage};
use sinks::nats::{NatsPayload, NatsSink};
use sinks::AnySink;

use crate::cmd::run::{CliRuntime, Job};

/// Arguments of `newsflow publish`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Inputs, as for `newsflow run`: JSON Lines files, directories, - for stdin.
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<String>,
    /// The stream to load: nats://HOST:PORT/SUBJECT?stream=NAME (created if missing,
    /// capturing SUBJECT; a consumer= parameter is ignored, so the workers' URI works too).
    #[arg(long, value_name = "URI")]
    pub to: String,
    /// Append rejected records to this JSON Lines file.
    #[arg(long, value_name = "PATH")]
    pub dead_letter: Option<PathBuf>,
    /// No progress bar and no summary.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Publishes every article of the inputs as one message, acknowledged by the stream.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let runtime = CliRuntime::start()?;
    let mut uri = NatsUri::parse(&args.to)
        .map_err(|reason| anyhow::anyhow!("invalid --to {}: {reason}", args.to))?;
    anyhow::ensure!(uri.stream.is_some(), "--to needs ?stream=NAME: {}", args.to);
    uri.consumer = None;
    let (source, total_bytes) = AnySource::open(&args.inputs, ingest::FeedOptions::default())?;
    // No analysis: articles are published as read, for the workers to analyse.
    let stages: Arc<[Box<dyn Stage>]> = Arc::from(Vec::<Box<dyn Stage>>::new());
    let config = PipelineConfig {
        dead_letter: args.dead_letter,
        ..PipelineConfig::default()
    };
    let job = Job {
        runtime,
        source,
        total_bytes,
        stages,
        config,
        grace: Duration::from_secs(super::run::DEFAULT_GRACE_SECS),
        metrics: None,
        quiet: args.quiet,
        stats: Arc::default(),
    };
    let summary = job.execute(|| async move {
        let sink = NatsSink::open_stream(uri.clone(), NatsPayload::Article)
            .await
            .with_context(|| format!("cannot publish to {uri}"))?;
        Ok(vec![AnySink::Nats(sink)])
    })?;
    if !args.quiet {
        eprintln!(
            "newsflow: published {} articles, {} rejected in {:.2} s",
            summary.articles_written,
            summary.rejected,
            summary.elapsed.as_secs_f64()
        );
    }
    Ok(ExitCode::SUCCESS)
}
