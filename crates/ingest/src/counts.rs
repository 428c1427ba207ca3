//! What the sources passed over without it being an error, for the run summary: WARC records
//! that are not articles, and feed items whose linked page could not be had.
//!
//! These are not dead letters (a request record or a robots.txt refusal is not bad input),
//! so the pipeline's own counters do not see them; the source counts them here and the
//! binary prints them beside the summary.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

/// Told the HTTP status of every linked-page request `--fetch-articles` makes (0: no
/// response), so the binary can count them for its metrics without `ingest` knowing what
/// keeps the count. A trait rather than the runtime's counters so that the fetcher stays
/// usable outside a pipeline run (tests, tools).
pub trait FetchObserver: Send + Sync + std::fmt::Debug {
    /// One page request ended with `status` (0: no response: DNS, connect, timeout).
    fn fetched(&self, status: u16);
}

/// Counters shared by a source and whoever prints its summary.
#[derive(Debug, Default)]
pub struct InputCounts {
    /// WARC records skipped, by reason (`request`, `redirect`, `not HTML`, …).
    warc_skipped: Mutex<BTreeMap<&'static str, u64>>,
    /// Feed items whose page was fetched and used.
    pub pages_fetched: AtomicU64,
    /// Feed items that kept the feed's text because their page could not be had.
    pub fetch_errors: AtomicU64,
    /// Feed items dropped because their page was already fetched (by an earlier poll or run).
    pub pages_seen: AtomicU64,
    /// Who is told each page request's status; set once by whoever wires the run.
    fetch_observer: OnceLock<Arc<dyn FetchObserver>>,
}

impl InputCounts {
    /// Counts one skipped WARC record.
    pub fn skip_warc(&self, reason: &'static str) {
        if let Ok(mut map) = self.warc_skipped.lock() {
            *map.entry(reason).or_default() += 1;
        }
    }

    /// Skipped WARC records by reason.
    pub fn warc_skipped(&self) -> BTreeMap<&'static str, u64> {
        self.warc_skipped
            .lock()
            .map(|m| m.clone())
            .unwrap_or_default()
    }

    /// Tells `observer` the status of every page request from now on. A second call is
    /// ignored: one run has one place that counts.
    pub fn observe_fetches(&self, observer: Arc<dyn FetchObserver>) {
        let _ = self.fetch_observer.set(observer);
    }

    /// Reports one page request's status to the observer, if any.
    pub(crate) fn fetched(&self, status: u16) {
        if let Some(observer) = self.fetch_observer.get() {
            observer.fetched(status);
        }
    }

    /// Adds one to a counter.
    pub fn add(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// The summary lines, e.g. `skipped 12 WARC records (request 5, redirect 1, …)`; empty
    /// when there is nothing to say.
    pub fn describe(&self) -> Vec<String> {
        let mut lines = Vec::new();
        let skipped = self.warc_skipped();
        let total: u64 = skipped.values().sum();
        if total > 0 {
            let parts: Vec<String> = skipped.iter().map(|(k, n)| format!("{k} {n}")).collect();
            lines.push(format!(
                "skipped {total} WARC records ({})",
                parts.join(", ")
            ));
        }
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let (fetched, failed, seen) = (
            get(&self.pages_fetched),
            get(&self.fetch_errors),
            get(&self.pages_seen),
        );
        if fetched + failed + seen > 0 {
            lines.push(format!(
                "fetched {fetched} linked pages, {failed} kept the feed's text (fetch_error), \
                 {seen} skipped as already fetched"
            ));
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_are_summarised_by_reason() {
        let c = InputCounts::default();
        assert!(c.describe().is_empty());
        for r in ["request", "request", "redirect"] {
            c.skip_warc(r);
        }
        InputCounts::add(&c.fetch_errors);
        assert_eq!(
            c.describe(),
            [
                "skipped 3 WARC records (redirect 1, request 2)",
                "fetched 0 linked pages, 1 kept the feed's text (fetch_error), 0 skipped as already fetched"
            ]
        );
    }
}
