//! The Prometheus exporter: a `prometheus-client` [`Collector`] over the runtime's [`Stats`].
//!
//! `prometheus-client` over the `metrics` facade: a collector reads values at scrape time,
//! so the runtime's own atomics stay the only counters (exact by construction: the summary
//! and `/metrics` read the same numbers), with no global recorder and no second set of
//! counters to update per article.

use std::sync::Arc;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric, NoLabelSet};
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::Registry;

use pipeline::{Histogram, RejectReason, Stats, TIME_BUCKETS};

/// Reads a run's counters when scraped.
#[derive(Debug)]
pub struct StatsCollector {
    /// The run's counters.
    stats: Arc<Stats>,
    /// The `source` label of the read counter, such as `jsonl` or `http`.
    source: String,
}

/// The metrics of a run in the OpenMetrics text format Prometheus scrapes.
pub fn render(stats: &Arc<Stats>, source: &str, ready: bool) -> String {
    let mut registry = Registry::with_prefix("newsflow");
    registry.register_collector(Box::new(StatsCollector {
        stats: Arc::clone(stats),
        source: source.to_string(),
    }));
    registry.register(
        "ready",
        "1 while the run takes and stores new records (what /ready answers)",
        ConstGauge::new(i64::from(ready)),
    );
    let mut out = String::with_capacity(8 * 1024);
    // Writing into a String cannot fail.
    let _ = prometheus_client::encoding::text::encode(&mut out, &registry);
    out
}

/// One metric family with a single series.
fn single(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    metric: &impl EncodeMetric,
) -> Result<(), std::fmt::Error> {
    let e = encoder.encode_descriptor(name, help, None, metric.metric_type())?;
    metric.encode(e)
}

/// Encodes a time histogram family with one series per value of the label `key`.
fn histogram(
    family: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    key: &str,
    series: &[(&str, &Histogram, f64)],
) -> Result<(), std::fmt::Error> {
    let mut desc = family.encode_descriptor(name, help, None, MetricType::Histogram)?;
    for (value, h, sum) in series {
        let (counts, total) = h.buckets();
        let buckets: Vec<(f64, u64)> = TIME_BUCKETS
            .iter()
            .copied()
            .chain(std::iter::once(f64::INFINITY))
            .zip(counts)
            .collect();
        desc.encode_family(&[(key, *value)])?
            .encode_histogram::<NoLabelSet>(*sum, total, &buckets, None)?;
    }
    Ok(())
}

impl Collector for StatsCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let s = &self.stats;
        let counter = |v| ConstCounter::new(Stats::get(v));
        {
            let mut e = encoder.encode_descriptor(
                "articles_read",
                "Records the source sent into the pipeline",
                None,
                MetricType::Counter,
            )?;
            counter(&s.records_read)
                .encode(e.encode_family(&[("source", self.source.as_str())])?)?;
        }
        let sinks = s.sinks();
        {
            let mut e = encoder.encode_descriptor(
                "articles_written",
                "Articles each sink has written",
                None,
                MetricType::Counter,
            )?;
            for sink in &sinks {
                counter(&sink.written).encode(e.encode_family(&[("sink", sink.name.as_str())])?)?;
            }
        }
        {
            let mut e = encoder.encode_descriptor(
                "rejected",
                "Records rejected as dead letters, by reason",
                None,
                MetricType::Counter,
            )?;
            for reason in RejectReason::ALL {
                ConstCounter::new(s.rejected_for(reason))
                    .encode(e.encode_family(&[("reason", reason.as_str())])?)?;
            }
        }
        single(
            &mut encoder,
            "skipped",
            "Records a source passed over on purpose (feed items already seen)",
            &counter(&s.skipped),
        )?;
        for (name, help, value) in [
            ("sentences", "Sentences in written articles", &s.sentences),
            ("tokens", "Tokens in written articles", &s.tokens),
            ("entities", "Entities in written articles", &s.entities),
            (
                "text_bytes",
                "Bytes of analysed text in written articles",
                &s.text_bytes,
            ),
        ] {
            single(&mut encoder, name, help, &counter(value))?;
        }
        {
            let mut e = encoder.encode_descriptor(
                "sink_retries",
                "Sink writes tried again after a retryable failure",
                None,
                MetricType::Counter,
            )?;
            for sink in &sinks {
                counter(&sink.retries).encode(e.encode_family(&[("sink", sink.name.as_str())])?)?;
            }
        }
        {
            let mut e = encoder.encode_descriptor(
                "sink_failures",
                "Sink writes that failed for good",
                None,
                MetricType::Counter,
            )?;
            for sink in &sinks {
                counter(&sink.failures)
                    .encode(e.encode_family(&[("sink", sink.name.as_str())])?)?;
            }
        }
        {
            let mut e = encoder.encode_descriptor(
                "fetches",
                "Pages fetched, by HTTP status (0: no response)",
                None,
                MetricType::Counter,
            )?;
            for (status, n) in s.fetches() {
                let status = status.to_string();
                ConstCounter::new(n).encode(e.encode_family(&[("status", status.as_str())])?)?;
            }
        }
        {
            let mut e = encoder.encode_descriptor(
                "queue_depth",
                "Items waiting in each queue at the last sample (sinks' in batches)",
                None,
                MetricType::Gauge,
            )?;
            let gauge = |v: &std::sync::atomic::AtomicU64| {
                ConstGauge::new(i64::try_from(Stats::get(v)).unwrap_or(i64::MAX))
            };
            gauge(&s.source_queue_now).encode(e.encode_family(&[("queue", "source")])?)?;
            gauge(&s.result_queue_now).encode(e.encode_family(&[("queue", "results")])?)?;
            for sink in &sinks {
                let queue = format!("sink:{}", sink.name);
                gauge(&sink.queue_now).encode(e.encode_family(&[("queue", queue.as_str())])?)?;
            }
        }
        let steps = s.steps();
        histogram(
            &mut encoder,
            "stage_seconds",
            "Time per article in each step (parse, each stage, render), in seconds",
            "stage",
            &steps,
        )?;
        let writes: Vec<(&str, &Histogram, f64)> = sinks
            .iter()
            .map(|k| (k.name.as_str(), &k.write_time, k.write_time.sum_secs()))
            .collect();
        histogram(
            &mut encoder,
            "sink_write_seconds",
            "Time of each successful batch write per sink, in seconds",
            "sink",
            &writes,
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_every_family_from_the_runtime_counters() {
        let stats = Arc::new(Stats::default());
        Stats::add(&stats.records_read, 7);
        stats.reject(RejectReason::Invalid);
        stats.count_fetch(404);
        let sinks = stats.register_sinks(vec!["stdout".into()]);
        Stats::add(&sinks[0].written, 6);
        sinks[0].write_time.observe(2_000_000);
        stats.set_step_names(vec!["parse", "render", "segment"]);
        stats.observe_step(2, 70_000);
        let text = render(&stats, "jsonl", true);
        for line in [
            "newsflow_articles_read_total{source=\"jsonl\"} 7",
            "newsflow_articles_written_total{sink=\"stdout\"} 6",
            "newsflow_rejected_total{reason=\"invalid\"} 1",
            "newsflow_fetches_total{status=\"404\"} 1",
            "newsflow_queue_depth{queue=\"sink:stdout\"} 0",
            "newsflow_stage_seconds_count{stage=\"segment\"} 1",
            "newsflow_stage_seconds_bucket{le=\"0.0001\",stage=\"segment\"} 1",
            "newsflow_sink_write_seconds_count{sink=\"stdout\"} 1",
            "newsflow_ready 1",
        ] {
            assert!(text.contains(line), "missing {line} in\n{text}");
        }
    }
}
