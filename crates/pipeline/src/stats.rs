//! Counters shared by the source, the workers and the writer.
//!
//! They are the one source of truth for every report: the summary, the progress bar and the
//! Prometheus exporter of `crates/service`, which reads them at scrape time instead of
//! keeping a second set of counters on the hot path.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::Stage;

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
    /// Articles a stage chose not to pass on (`Document::skipped`: a language not asked for).
    pub skipped_language: AtomicU64,
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
    /// The source → workers queue length at the last sample.
    pub source_queue_now: AtomicU64,
    /// The workers → writer queue length at the last sample.
    pub result_queue_now: AtomicU64,
    /// Per-article time of each step, as a histogram (sums are in `busy`).
    steps: [Histogram; MAX_TIMED_STEPS],
    /// Names of the timed steps, set when a run starts: `parse`, `render`, then the stages.
    step_names: Mutex<Vec<&'static str>>,
    /// Rejected records by reason, indexed by [`RejectReason::index`].
    rejected_by: [AtomicU64; RejectReason::ALL.len()],
    /// Records a source passed over on purpose (feed items already seen).
    pub skipped: AtomicU64,
    /// Pages fetched, by HTTP status (0 for a fetch that got no response).
    fetches: Mutex<BTreeMap<u16, u64>>,
    /// Counters of each sink of the current run, in the order the sinks were given.
    sinks: Mutex<Vec<Arc<SinkStats>>>,
    /// Readiness of the run's parts, for health checks.
    pub lifecycle: Lifecycle,
}

/// Why a record was rejected: a small closed set, so that it can label a metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RejectReason {
    /// The source could not read it (a broken feed item, bad encoding, an oversized line).
    Unreadable,
    /// It was read but is not a valid article record (not JSON, no text).
    Invalid,
    /// A stage panicked on it: a bug.
    Internal,
}

impl RejectReason {
    /// Every reason, in index order.
    pub const ALL: [RejectReason; 3] = [
        RejectReason::Unreadable,
        RejectReason::Invalid,
        RejectReason::Internal,
    ];

    /// The reason's label value.
    pub fn as_str(self) -> &'static str {
        match self {
            RejectReason::Unreadable => "unreadable",
            RejectReason::Invalid => "invalid",
            RejectReason::Internal => "internal",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Upper bounds, in seconds, of the time histograms' buckets: from 50 µs (a short article's
/// segmentation) to 10 s (a sink write riding out a slow commit).
pub const TIME_BUCKETS: [f64; 14] = [
    0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1.0, 10.0,
];

/// The same bounds in nanoseconds, for bucketing without floating point.
const TIME_BUCKETS_NANOS: [u64; 14] = [
    50_000,
    100_000,
    250_000,
    500_000,
    1_000_000,
    2_500_000,
    5_000_000,
    10_000_000,
    25_000_000,
    50_000_000,
    100_000_000,
    500_000_000,
    1_000_000_000,
    10_000_000_000,
];

/// A histogram of durations with the fixed [`TIME_BUCKETS`]: one counter per bucket (the
/// last one past the largest bound), plus the sum. Recording is two relaxed adds.
#[derive(Debug, Default)]
pub struct Histogram {
    /// Observations per bucket, not cumulative; the last is `+Inf`.
    counts: [AtomicU64; TIME_BUCKETS.len() + 1],
    /// Sum of the observations in nanoseconds.
    sum_nanos: AtomicU64,
}

impl Histogram {
    /// Records one duration.
    pub fn observe(&self, nanos: u64) {
        self.count(nanos);
        self.sum_nanos.fetch_add(nanos, Ordering::Relaxed);
    }

    /// Counts one duration whose sum is kept elsewhere.
    fn count(&self, nanos: u64) {
        let bucket = TIME_BUCKETS_NANOS.partition_point(|&bound| bound < nanos);
        if let Some(c) = self.counts.get(bucket) {
            c.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Observations per bucket (not cumulative, the last is `+Inf`) and their count.
    pub fn buckets(&self) -> ([u64; TIME_BUCKETS.len() + 1], u64) {
        let mut out = [0; TIME_BUCKETS.len() + 1];
        for (o, c) in out.iter_mut().zip(&self.counts) {
            *o = c.load(Ordering::Relaxed);
        }
        let total = out.iter().sum();
        (out, total)
    }

    /// Sum of the observations in seconds.
    pub fn sum_secs(&self) -> f64 {
        self.sum_nanos.load(Ordering::Relaxed) as f64 / 1e9
    }
}

/// Counters of one sink.
#[derive(Debug, Default)]
pub struct SinkStats {
    /// The sink's name, such as `sqlite:out.db`.
    pub name: String,
    /// Articles the sink has written.
    pub written: AtomicU64,
    /// Writes tried again after a retryable failure.
    pub retries: AtomicU64,
    /// Writes that failed for good (the run stops after the first).
    pub failures: AtomicU64,
    /// Batches waiting for the sink at the last sample.
    pub queue_now: AtomicU64,
    /// Time of each successful batch write.
    pub write_time: Histogram,
}

/// Readiness of a run's parts: a run is ready once it started, its source is connected and
/// no sink is retrying, and until it drains.
#[derive(Debug, Default)]
pub struct Lifecycle {
    /// The sinks are open and the run has started.
    pub running: AtomicBool,
    /// The source is connected (set at once for sources that need no connection).
    pub source_connected: AtomicBool,
    /// Sinks currently retrying a failed write.
    pub sinks_retrying: AtomicU64,
    /// The source has stopped: what is in flight drains, nothing new comes.
    pub draining: AtomicBool,
}

impl Lifecycle {
    /// True while the run takes and stores new records.
    pub fn ready(&self) -> bool {
        self.running.load(Ordering::Relaxed)
            && self.source_connected.load(Ordering::Relaxed)
            && self.sinks_retrying.load(Ordering::Relaxed) == 0
            && !self.draining.load(Ordering::Relaxed)
    }
}

/// Steps whose busy time is kept: parsing, rendering and up to six stages.
pub const MAX_TIMED_STEPS: usize = 8;

/// Busy-time slot of parsing records into articles.
pub(crate) const TIMER_PARSE: usize = 0;
/// Busy-time slot of rendering the output record.
pub(crate) const TIMER_RENDER: usize = 1;
/// Busy-time slot of the first stage; stage `i` is `TIMER_FIRST_STAGE + i`.
pub(crate) const TIMER_FIRST_STAGE: usize = 2;

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

    /// Worker busy time per step of a run of `stages`, named: `parse`, `render`, then each
    /// stage by its [`Stage::name`], in nanoseconds summed over workers. Reports read this
    /// rather than the slot numbers.
    pub fn busy_by_step(&self, stages: &[Box<dyn Stage>]) -> Vec<(&'static str, u64)> {
        let mut steps = vec![
            ("parse", self.busy_nanos(TIMER_PARSE)),
            ("render", self.busy_nanos(TIMER_RENDER)),
        ];
        for (i, stage) in stages.iter().enumerate() {
            steps.push((stage.name(), self.busy_nanos(TIMER_FIRST_STAGE + i)));
        }
        steps
    }

    /// Records one article's time in a step: the busy sum and the step's histogram.
    pub fn observe_step(&self, step: usize, nanos: u64) {
        self.add_busy(step, nanos);
        if let Some(h) = self.steps.get(step) {
            h.count(nanos);
        }
    }

    /// The timed steps' names and histograms, in step order. A histogram's sum is the
    /// step's busy time.
    pub fn steps(&self) -> Vec<(&'static str, &Histogram, f64)> {
        let names = lock(&self.step_names).clone();
        names
            .into_iter()
            .zip(&self.steps)
            .enumerate()
            .map(|(i, (name, h))| (name, h, self.busy_nanos(i) as f64 / 1e9))
            .collect()
    }

    /// Names the timed steps of the run about to start.
    pub fn set_step_names(&self, names: Vec<&'static str>) {
        *lock(&self.step_names) = names;
    }

    /// Counts one rejected record.
    pub fn reject(&self, reason: RejectReason) {
        Self::add(&self.rejected, 1);
        if let Some(c) = self.rejected_by.get(reason.index()) {
            c.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Rejected records with this reason.
    pub fn rejected_for(&self, reason: RejectReason) -> u64 {
        self.rejected_by
            .get(reason.index())
            .map_or(0, |c| c.load(Ordering::Relaxed))
    }

    /// Counts one page fetch by its HTTP status (0: no response). The hook for sources
    /// that fetch pages; fetches are rare next to articles, so a lock is cheap enough.
    pub fn count_fetch(&self, status: u16) {
        *lock(&self.fetches).entry(status).or_insert(0) += 1;
    }

    /// Fetches by HTTP status, in status order.
    pub fn fetches(&self) -> Vec<(u16, u64)> {
        lock(&self.fetches).iter().map(|(s, n)| (*s, *n)).collect()
    }

    /// Registers the sinks of the run about to start and returns their counters.
    pub fn register_sinks(&self, names: Vec<String>) -> Vec<Arc<SinkStats>> {
        let sinks: Vec<Arc<SinkStats>> = names
            .into_iter()
            .map(|name| {
                Arc::new(SinkStats {
                    name,
                    ..SinkStats::default()
                })
            })
            .collect();
        *lock(&self.sinks) = sinks.clone();
        sinks
    }

    /// The counters of the current run's sinks.
    pub fn sinks(&self) -> Vec<Arc<SinkStats>> {
        lock(&self.sinks).clone()
    }

    /// Records one sample of the two queue lengths.
    pub fn sample_queues(&self, source: usize, result: usize) {
        self.source_queue_now
            .store(source as u64, Ordering::Relaxed);
        self.result_queue_now
            .store(result as u64, Ordering::Relaxed);
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

/// Locks a report's mutex; a poisoned one still holds valid counts.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_are_upper_bounds() {
        let h = Histogram::default();
        for nanos in [0, 50_000, 50_001, 2_000_000_000, 20_000_000_000] {
            h.observe(nanos);
        }
        let (counts, total) = h.buckets();
        assert_eq!(total, 5);
        assert_eq!(counts[0], 2, "0 and exactly 50 µs are in the first bucket");
        assert_eq!(counts[1], 1);
        assert_eq!(counts[TIME_BUCKETS.len() - 1], 1, "2 s is under 10 s");
        assert_eq!(counts[TIME_BUCKETS.len()], 1, "20 s is past every bound");
        assert!((h.sum_secs() - 22.000100001).abs() < 1e-9);
    }

    #[test]
    fn not_ready_until_running_and_connected_nor_while_retrying_or_draining() {
        let l = Lifecycle::default();
        assert!(!l.ready());
        l.running.store(true, Ordering::Relaxed);
        assert!(!l.ready());
        l.source_connected.store(true, Ordering::Relaxed);
        assert!(l.ready());
        l.sinks_retrying.fetch_add(1, Ordering::Relaxed);
        assert!(!l.ready());
        l.sinks_retrying.fetch_sub(1, Ordering::Relaxed);
        l.draining.store(true, Ordering::Relaxed);
        assert!(!l.ready());
    }
}
