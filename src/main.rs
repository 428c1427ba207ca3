//! The `newsflow` command line: argument parsing, wiring, signals and exit codes. All the
//! work happens in the library crates under `crates/`.

// Printing results on stdout is this binary's job; the lint is meant for the libraries.
#![allow(clippy::print_stdout)]

mod cmd;
mod config;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Stream news articles into sentences and named entities, fast.
#[derive(Debug, Parser)]
#[command(name = "newsflow", version, about)]
struct Cli {
    /// Log lines as text or as JSON objects, one per line, for log collectors.
    #[arg(long, global = true, value_enum, default_value_t = cmd::LogFormat::Text)]
    log_format: cmd::LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Read articles, split sentences, tag entities, write to sinks.
    Run(cmd::run::Args),
    /// Run the analysis as an HTTP API (and a pipeline into the sinks).
    Serve(cmd::serve::Args),
    /// Load articles into a NATS JetStream stream for `run` workers to share.
    Publish(cmd::publish::Args),
    /// Print the sentences of articles or plain text, one per line.
    Segment(cmd::segment::Args),
    /// Train the entity tagger on CoNLL files.
    Train(cmd::train::Args),
    /// Measure throughput of the real pipeline on a corpus.
    Bench(cmd::bench::Args),
    /// Score the tagger on a CoNLL file (conlleval-style precision, recall, F1).
    Eval(cmd::eval::Args),
    /// Append predicted entity tags to the lines of a CoNLL file.
    Tag(cmd::tag::Args),
    /// Extract the article body and metadata of HTML pages, one JSON line each (no NLP).
    Extract(cmd::extract::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    cmd::init_logging(cli.log_format);
    let result = match cli.command {
        Command::Run(args) => cmd::run::run(args),
        Command::Serve(args) => cmd::serve::run(args),
        Command::Publish(args) => cmd::publish::run(args),
        Command::Segment(args) => cmd::segment::run(args),
        Command::Train(args) => cmd::train::run(args),
        Command::Bench(args) => cmd::bench::run(args),
        Command::Eval(args) => cmd::eval::run(args),
        Command::Tag(args) => cmd::tag::run(args),
        Command::Extract(args) => cmd::extract::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) if cmd::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("newsflow: error: {err:#}");
            ExitCode::from(2)
        }
    }
}
