//! Integration tests of the `newsflow` binary: one test binary, one module per area.

mod support;

/// `newsflow run` end to end: records, sinks, bad input, signals.
mod run;

/// Sentence boundaries through `newsflow run` on the Golden Rules (shared data).
mod golden_rules;
/// The trained tagger through the binary: eval on CoNLL, tag, the seed article.
mod tagging;
