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

use pipeline::{Histogram, RejectReason, SinkStats, Stats, TIME_BUCKETS};

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

/// A counter or gauge family: its name, help, type and series, `(label value, value)`
/// pairs under the label `label` (`None`: one series without labels). Every such family
/// is built as one of these and encoded by [`encode_family`], so adding a metric is one
/// entry in [`StatsCollector::families`].
struct Family {
    /// The name without the `newsflow_` prefix (and without `_total` for counters).
    name: &'static str,
    /// The `# HELP` text.
    help: &'static str,
    /// [`MetricType::Counter`] or [`MetricType::Gauge`].
    kind: MetricType,
    /// The label key of the series, or `None` for a single unlabelled series.
    label: Option<&'static str>,
    /// Label value and value of each series.
    series: Vec<(String, u64)>,
}

impl Family {
    /// A counter family with one series per label value.
    fn counter(
        name: &'static str,
        help: &'static str,
        label: &'static str,
        series: Vec<(String, u64)>,
    ) -> Self {
        Self {
            name,
            help,
            kind: MetricType::Counter,
            label: Some(label),
            series,
        }
    }

    /// A counter with no labels.
    fn single(name: &'static str, help: &'static str, value: u64) -> Self {
        Self {
            name,
            help,
            kind: MetricType::Counter,
            label: None,
            series: vec![(String::new(), value)],
        }
    }
}

/// Encodes one [`Family`].
fn encode_family(encoder: &mut DescriptorEncoder, family: &Family) -> Result<(), std::fmt::Error> {
    let mut desc = encoder.encode_descriptor(family.name, family.help, None, family.kind)?;
    for (label_value, value) in &family.series {
        let labels: Vec<(&str, &str)> = family
            .label
            .map(|key| (key, label_value.as_str()))
            .into_iter()
            .collect();
        let series = desc.encode_family(&labels)?;
        if family.kind == MetricType::Gauge {
            ConstGauge::new(i64::try_from(*value).unwrap_or(i64::MAX)).encode(series)?;
        } else {
            ConstCounter::new(*value).encode(series)?;
        }
    }
    Ok(())
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

impl StatsCollector {
    /// Every counter and gauge family, read from the runtime's counters now.
    fn families(&self) -> Vec<Family> {
        let s = &self.stats;
        let get = Stats::get;
        let sinks = s.sinks();
        let per_sink = |value: fn(&SinkStats) -> u64| -> Vec<(String, u64)> {
            sinks.iter().map(|k| (k.name.clone(), value(k))).collect()
        };
        let mut queues = vec![
            ("source".to_string(), get(&s.source_queue_now)),
            ("results".to_string(), get(&s.result_queue_now)),
        ];
        queues.extend(
            sinks
                .iter()
                .map(|k| (format!("sink:{}", k.name), get(&k.queue_now))),
        );
        vec![
            Family::counter(
                "articles_read",
                "Records the source sent into the pipeline",
                "source",
                vec![(self.source.clone(), get(&s.records_read))],
            ),
            Family::counter(
                "articles_written",
                "Articles each sink has written",
                "sink",
                per_sink(|k| Stats::get(&k.written)),
            ),
            Family::counter(
                "rejected",
                "Records rejected as dead letters, by reason",
                "reason",
                RejectReason::ALL
                    .iter()
                    .map(|r| (r.as_str().to_string(), s.rejected_for(*r)))
                    .collect(),
            ),
            Family::counter(
                "skipped",
                "Records passed over on purpose, by reason: feed items already seen \
                 (seen) and articles in a language not asked for (language)",
                "reason",
                vec![
                    ("seen".to_string(), get(&s.skipped)),
                    ("language".to_string(), get(&s.skipped_language)),
                ],
            ),
            Family::single(
                "sentences",
                "Sentences in written articles",
                get(&s.sentences),
            ),
            Family::single("tokens", "Tokens in written articles", get(&s.tokens)),
            Family::single("entities", "Entities in written articles", get(&s.entities)),
            Family::single(
                "text_bytes",
                "Bytes of analysed text in written articles",
                get(&s.text_bytes),
            ),
            Family::counter(
                "sink_retries",
                "Sink writes tried again after a retryable failure",
                "sink",
                per_sink(|k| Stats::get(&k.retries)),
            ),
            Family::counter(
                "sink_failures",
                "Sink writes that failed for good",
                "sink",
                per_sink(|k| Stats::get(&k.failures)),
            ),
            Family::counter(
                "fetches",
                "Linked pages requested by --fetch-articles, by HTTP status (0: no response)",
                "status",
                s.fetches()
                    .into_iter()
                    .map(|(status, n)| (status.to_string(), n))
                    .collect(),
            ),
            Family {
                name: "queue_depth",
                help: "Items waiting in each queue at the last sample (sinks' in batches)",
                kind: MetricType::Gauge,
                label: Some("queue"),
                series: queues,
            },
        ]
    }
}

impl Collector for StatsCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        for family in self.families() {
            encode_family(&mut encoder, &family)?;
        }
        let s = &self.stats;
        histogram(
            &mut encoder,
            "stage_seconds",
            "Time per article in each step (parse, each stage, render), in seconds",
            "stage",
            &s.steps(),
        )?;
        let sinks = s.sinks();
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
        Stats::add(&stats.skipped_language, 3);
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
            "newsflow_skipped_total{reason=\"language\"} 3",
            "newsflow_skipped_total{reason=\"seen\"} 0",
            "newsflow_sentences_total 0",
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
