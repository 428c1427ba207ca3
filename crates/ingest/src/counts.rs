//! What the sources passed over without it being an error, for the run summary: WARC records
//! that are not articles, and feed items whose linked page could not be had.
//!
//! These are not dead letters (a request record or a robots.txt refusal is not bad input),
//! so the pipeline's own counters do not see them; the source counts them here and the
//! binary prints them beside the summary.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

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
