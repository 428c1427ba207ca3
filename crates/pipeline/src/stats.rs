//! Counters shared by the source, the workers and the writer.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

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
    /// Articles a stage chose not to pass on (`Document::skipped`).
    pub skipped: AtomicU64,
    /// Written articles per language; the writer adds a batch at a time, so the lock is
    /// taken once per batch, never per article.
    languages: Mutex<BTreeMap<Option<&'static str>, u64>>,
    /// Sentences in written articles.
    pub sentences: AtomicU64,
    /// Tokens in written articles.
    pub tokens: AtomicU64,
    /// Entities in written articles.
    pub entities: AtomicU64,
    /// Bytes of analysed text in written articles.
    pub text_bytes: AtomicU64,
    /// Worker busy time in nanoseconds per step: parsing, rendering, then each stage in
    /// order (see [`Stats::busy_nanos`]).
    busy: [AtomicU64; MAX_TIMED_STEPS],
    /// Sum and count of samples of the source → workers queue length.
    pub source_queue_sum: AtomicU64,
    /// Sum of samples of the workers → writer queue length.
    pub result_queue_sum: AtomicU64,
    /// Number of queue samples taken.
    pub queue_samples: AtomicU64,
    /// Longest source → workers queue seen.
    pub source_queue_max: AtomicU64,
    /// Longest workers → writer queue seen.
    pub result_queue_max: AtomicU64,
}

/// Steps whose busy time is kept: parsing, rendering and up to six stages.
pub const MAX_TIMED_STEPS: usize = 8;

impl Stats {
    /// Counts the languages of a written batch.
    pub fn count_languages(&self, langs: impl Iterator<Item = Option<&'static str>>) {
        let mut counts = self.languages.lock().unwrap_or_else(|e| e.into_inner());
        for lang in langs {
            *counts.entry(lang).or_default() += 1;
        }
    }

    /// Written articles per language, most frequent first.
    pub fn languages(&self) -> Vec<(Option<&'static str>, u64)> {
        let counts = self.languages.lock().unwrap_or_else(|e| e.into_inner());
        let mut out: Vec<_> = counts.iter().map(|(l, n)| (*l, *n)).collect();
        out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        out
    }

    /// Adds `n` to a counter.
    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    /// Reads a counter.
    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }

    /// Adds busy time to a step (0 = parse, 1 = render, 2.. = stages in order).
    pub fn add_busy(&self, step: usize, nanos: u64) {
        if let Some(counter) = self.busy.get(step) {
            counter.fetch_add(nanos, Ordering::Relaxed);
        }
    }

    /// Total worker busy time of a step, in nanoseconds, summed over workers.
    pub fn busy_nanos(&self, step: usize) -> u64 {
        self.busy.get(step).map_or(0, |c| c.load(Ordering::Relaxed))
    }

    /// Records one sample of the two queue lengths.
    pub fn sample_queues(&self, source: usize, result: usize) {
        self.source_queue_sum
            .fetch_add(source as u64, Ordering::Relaxed);
        self.result_queue_sum
            .fetch_add(result as u64, Ordering::Relaxed);
        self.queue_samples.fetch_add(1, Ordering::Relaxed);
        self.source_queue_max
            .fetch_max(source as u64, Ordering::Relaxed);
        self.result_queue_max
            .fetch_max(result as u64, Ordering::Relaxed);
    }
}
