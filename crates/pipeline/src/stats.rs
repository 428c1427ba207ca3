//! Counters shared by the source, the workers and the writer.

use std::sync::atomic::{AtomicU64, Ordering};

/// Running totals of a pipeline run. Updated with relaxed atomics: they are reports, not
/// synchronisation.
#[derive(Debug, Default)]
pub struct Stats {
    /// Input bytes the source has consumed (drives the progress bar).
    pub bytes_read: AtomicU64,
    /// Records the source has sent into the pipeline.
    pub records_read: AtomicU64,
    /// Articles written to every sink.
    pub articles_written: AtomicU64,
    /// Records rejected as dead letters.
    pub rejected: AtomicU64,
    /// Sentences in written articles.
    pub sentences: AtomicU64,
    /// Tokens in written articles.
    pub tokens: AtomicU64,
    /// Entities in written articles.
    pub entities: AtomicU64,
    /// Bytes of analysed text in written articles.
    pub text_bytes: AtomicU64,
}

impl Stats {
    /// Adds `n` to a counter.
    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    /// Reads a counter.
    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }
}
