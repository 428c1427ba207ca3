//! Integration tests of the `newsflow` binary: one test binary, one module per area.

// Tests and benches may panic on their own fixtures: a panic is a failed check.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

/// Regressions named after the defects a new user hit first (issue 13).
mod defects;

/// The `html:` report of 300 BBC articles in headless Chromium: DOM counts, no errors, screenshot.
mod html;
/// `newsflow run` end to end: records, sinks, bad input, signals.
mod run;
/// Several workers sharing one JetStream consumer, one of them killed mid-stream.
mod scale_out;
/// `newsflow serve` and `run --metrics` over real HTTP on loopback.
mod serve;
/// Sinks against the real PostgreSQL and NATS servers.
mod services;

/// Feeds end to end: samples, shared real and hostile feeds, URLs, `--follow` and state.
mod feeds;

/// Entity clusters, salience and quotes: the seed article and our own sample.
mod clusters_quotes;
/// Sentence boundaries through `newsflow run` on the Golden Rules (shared data).
mod golden_rules;
/// Modern names in 2010s feeds and pages scored on our own labels (shared data).
mod ner_modern;
/// Quote attribution scored on our annotated BBC politics and US news sets (shared data).
mod quotes_eval;
/// The trained tagger through the binary: eval on CoNLL, tag, the seed article.
mod tagging;
