//! Behaviour of the runtime: backpressure, draining on shutdown, ordering, and failures that
//! must cost one article at most.

// Tests and benches may panic on their own fixtures: a panic is a failed check.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use article::{Document, Origin};
use pipeline::{
    Batch, CancellationToken, Capacities, Payload, PipelineConfig, RetryPolicy, Sink, Source,
    SourceSender, Stage, Stats, Summary,
};
use tokio::sync::Semaphore;

/// Sends `n` records `{"id":"<i>","body":"..."}`, then optionally waits to be cancelled, as an
/// open stdin does.
struct TestSource {
    n: usize,
    sent: Arc<AtomicUsize>,
    wait_for_cancel: bool,
}

impl Source for TestSource {
    type Error = std::io::Error;

    async fn run(self, mut out: SourceSender, shutdown: CancellationToken) -> std::io::Result<()> {
        for i in 0..self.n {
            let line =
                format!(r#"{{"id":"{i}","body":"Article number {i}. It has two sentences."}}"#);
            let origin = Origin {
                source: Arc::from("test"),
                line: i as u64 + 1,
            };
            if out.send(origin, Payload::Json(line)).await.is_err() {
                return Ok(());
            }
            self.sent.fetch_add(1, Ordering::SeqCst);
        }
        if self.wait_for_cancel {
            shutdown.cancelled().await;
        }
        Ok(())
    }
}

/// Collects article ids; each write first takes a permit from `gate`, so a test can hold the
/// sink still.
struct TestSink {
    got: Arc<Mutex<Vec<String>>>,
    gate: Arc<Semaphore>,
    writes: Arc<AtomicUsize>,
}

impl Sink for TestSink {
    type Error = std::io::Error;

    fn name(&self) -> String {
        "test".into()
    }

    async fn write(&mut self, batch: Batch) -> std::io::Result<()> {
        self.writes.fetch_add(1, Ordering::SeqCst);
        let permit = self.gate.acquire().await.map_err(std::io::Error::other)?;
        permit.forget();
        let mut got = self.got.lock().unwrap();
        got.extend(batch.iter().map(|r| r.doc.article.id.clone()));
        Ok(())
    }

    async fn finish(self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Marks nothing; stands in for the real stages so these tests do not depend on models.
struct Noop;

impl Stage for Noop {
    fn name(&self) -> &'static str {
        "noop"
    }
    fn process(&self, _doc: &mut Document) {}
}

struct Harness {
    got: Arc<Mutex<Vec<String>>>,
    gate: Arc<Semaphore>,
    writes: Arc<AtomicUsize>,
    sent: Arc<AtomicUsize>,
    shutdown: CancellationToken,
}

impl Harness {
    fn new(open: bool) -> Self {
        Self {
            got: Arc::default(),
            gate: Arc::new(Semaphore::new(if open {
                Semaphore::MAX_PERMITS
            } else {
                0
            })),
            writes: Arc::default(),
            sent: Arc::default(),
            shutdown: CancellationToken::new(),
        }
    }

    fn spawn(
        &self,
        n: usize,
        wait_for_cancel: bool,
        stages: Vec<Box<dyn Stage>>,
        config: PipelineConfig,
    ) -> tokio::task::JoinHandle<Result<Summary, pipeline::PipelineError>> {
        let source = TestSource {
            n,
            sent: Arc::clone(&self.sent),
            wait_for_cancel,
        };
        let sink = TestSink {
            got: Arc::clone(&self.got),
            gate: Arc::clone(&self.gate),
            writes: Arc::clone(&self.writes),
        };
        let stats = Arc::new(Stats::default());
        let shutdown = self.shutdown.clone();
        tokio::spawn(pipeline::run(
            source,
            Arc::from(stages),
            vec![sink],
            config,
            stats,
            shutdown,
        ))
    }

    fn ids(&self) -> Vec<String> {
        self.got.lock().unwrap().clone()
    }
}

/// Waits until `cond` holds, polling; fails the test after 10 s instead of hanging.
async fn wait_until(what: &str, cond: impl Fn() -> bool) {
    let waited = tokio::time::timeout(Duration::from_secs(10), async {
        while !cond() {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    })
    .await;
    assert!(waited.is_ok(), "timed out waiting until {what}");
}

fn tiny_config(workers: usize) -> PipelineConfig {
    PipelineConfig {
        workers,
        ordered: false,
        capacities: Capacities {
            source_queue: 2,
            result_queue: 2,
            sink_queue: 1,
            sink_batch: 1,
            ordered_window: 4,
        },
        dead_letter: None,
        retry: RetryPolicy::default(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_sink_holds_back_the_source() {
    let h = Harness::new(false);
    let task = h.spawn(1000, false, vec![Box::new(Noop)], tiny_config(1));
    wait_until("the sink is first called", || {
        h.writes.load(Ordering::SeqCst) > 0
    })
    .await;
    // With the sink stuck, at most every queue slot plus one record held by each task can
    // be in flight: 2 + 2 + 1 batch queued + 1 in the sink + 1 per worker, writer and source.
    let bound = 2 + 2 + 1 + 1 + 3;
    for _ in 0..200 {
        let sent = h.sent.load(Ordering::SeqCst);
        assert!(
            sent <= bound,
            "source ran ahead of a stuck sink: {sent} records sent"
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    h.gate.add_permits(Semaphore::MAX_PERMITS / 2);
    let summary = task.await.unwrap().unwrap();
    assert_eq!(summary.articles_written, 1000);
    assert_eq!(h.ids().len(), 1000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drains_everything_read_when_shut_down() {
    let h = Harness::new(false);
    let config = PipelineConfig {
        workers: 2,
        ..PipelineConfig::default()
    };
    let task = h.spawn(50, true, vec![Box::new(Noop)], config);
    wait_until("all 50 records are read", || {
        h.sent.load(Ordering::SeqCst) == 50
    })
    .await;
    h.shutdown.cancel();
    h.gate.add_permits(Semaphore::MAX_PERMITS / 2);
    let summary = task.await.unwrap().unwrap();
    assert_eq!((summary.records_read, summary.articles_written), (50, 50));
    let mut ids: Vec<usize> = h.ids().iter().map(|s| s.parse().unwrap()).collect();
    ids.sort_unstable();
    assert_eq!(ids, (0..50).collect::<Vec<_>>());
}

/// Holds article 0 until ten other articles have been processed. Each of the other two
/// workers holds at most one processed article it has not yet sent, so at least eight
/// outcomes reach the writer before article 0: completion order must differ from input order.
#[derive(Default)]
struct HoldFirst {
    others_done: Mutex<usize>,
    changed: std::sync::Condvar,
}

impl HoldFirst {
    fn new() -> Self {
        Self::default()
    }
}

impl Stage for HoldFirst {
    fn name(&self) -> &'static str {
        "hold-first"
    }
    fn process(&self, doc: &mut Document) {
        let mut done = self.others_done.lock().unwrap();
        if doc.article.id == "0" {
            let _ = self
                .changed
                .wait_timeout_while(done, Duration::from_secs(10), |n| *n < 10)
                .unwrap();
        } else {
            *done += 1;
            self.changed.notify_all();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ordered_mode_restores_input_order() {
    let want: Vec<String> = (0..40).map(|i| i.to_string()).collect();

    let unordered = Harness::new(true);
    let config = PipelineConfig {
        workers: 3,
        ..PipelineConfig::default()
    };
    unordered
        .spawn(40, false, vec![Box::new(HoldFirst::new())], config)
        .await
        .unwrap()
        .unwrap();
    let got = unordered.ids();
    let pos = |id: &str| got.iter().position(|g| g == id).unwrap();
    assert!(
        pos("5") < pos("0"),
        "the test stage failed to reorder: {got:?}"
    );

    let ordered = Harness::new(true);
    // A window of 16 lets ten articles in while article 0 is held; a smaller one would
    // (rightly) stall until 0 is written.
    let mut config = PipelineConfig {
        workers: 3,
        ordered: true,
        ..tiny_config(3)
    };
    config.capacities.ordered_window = 16;
    ordered
        .spawn(40, false, vec![Box::new(HoldFirst::new())], config)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ordered.ids(), want);
    // Article 0 released the ten records held behind it at once; the sink still got them in
    // batches of at most `sink_batch` (1 here), so a rotating file can rotate between them.
    assert_eq!(
        ordered.writes.load(Ordering::SeqCst),
        40,
        "one write per record with sink_batch 1"
    );
}

struct PanicOn(&'static str);

impl Stage for PanicOn {
    fn name(&self) -> &'static str {
        "panic-on"
    }
    fn process(&self, doc: &mut Document) {
        if doc.article.id == self.0 {
            panic!("stage bug triggered by article {}", self.0);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_stage_costs_one_article_not_the_run() {
    let h = Harness::new(true);
    let dead = std::env::temp_dir().join(format!("newsflow-dead-{}.jsonl", std::process::id()));
    let _ = std::fs::remove_file(&dead);
    let config = PipelineConfig {
        workers: 2,
        dead_letter: Some(dead.clone()),
        ..Default::default()
    };
    let summary = h
        .spawn(10, false, vec![Box::new(PanicOn("3"))], config)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((summary.articles_written, summary.rejected), (9, 1));
    assert!(!h.ids().contains(&"3".to_string()));
    let letters = std::fs::read_to_string(&dead).unwrap();
    let letter: serde_json::Value = serde_json::from_str(letters.trim()).unwrap();
    assert_eq!(letter["line"], 4);
    assert!(
        letter["error"].as_str().unwrap().contains("stage bug"),
        "{letter}"
    );
    std::fs::remove_file(&dead).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_sink_fails_the_run_loudly() {
    let sent = Arc::new(AtomicUsize::new(0));
    let source = TestSource {
        n: 10_000,
        sent: Arc::clone(&sent),
        wait_for_cancel: true,
    };
    let stages: Arc<[Box<dyn Stage>]> = Arc::from(vec![Box::new(Noop) as Box<dyn Stage>]);
    let result = pipeline::run(
        source,
        stages,
        vec![Broken],
        PipelineConfig::default(),
        Arc::new(Stats::default()),
        CancellationToken::new(),
    )
    .await;
    let err = result.unwrap_err();
    let cause = std::error::Error::source(&err).map(ToString::to_string);
    assert!(err.to_string().contains("broken"), "{err}");
    assert!(cause.is_some_and(|c| c.contains("disk full")), "{err}");
    assert!(
        sent.load(Ordering::SeqCst) < 10_000,
        "the source was not stopped"
    );
}

/// Fails its first `failures` writes with a retryable error, then writes.
struct Flaky {
    failures: usize,
    attempts: Arc<AtomicUsize>,
    written: Arc<AtomicUsize>,
}

impl Sink for Flaky {
    type Error = std::io::Error;
    fn name(&self) -> String {
        "flaky".into()
    }
    async fn write(&mut self, batch: Batch) -> std::io::Result<()> {
        if self.attempts.fetch_add(1, Ordering::SeqCst) < self.failures {
            return Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionReset,
                "connection lost",
            ));
        }
        self.written.fetch_add(batch.len(), Ordering::SeqCst);
        Ok(())
    }
    fn retryable(&self, error: &std::io::Error) -> bool {
        error.kind() == std::io::ErrorKind::ConnectionReset
    }
    async fn finish(self) -> std::io::Result<()> {
        Ok(())
    }
}

async fn run_flaky(
    failures: usize,
    retries: u32,
) -> (Result<Summary, pipeline::PipelineError>, usize, usize) {
    let (attempts, written) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let sink = Flaky {
        failures,
        attempts: Arc::clone(&attempts),
        written: Arc::clone(&written),
    };
    let source = TestSource {
        n: 20,
        sent: Arc::default(),
        wait_for_cancel: false,
    };
    let retry = RetryPolicy {
        retries,
        initial_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(2),
    };
    let config = PipelineConfig {
        workers: 1,
        retry,
        ..PipelineConfig::default()
    };
    let stages: Arc<[Box<dyn Stage>]> = Arc::from(vec![Box::new(Noop) as Box<dyn Stage>]);
    let stats = Arc::new(Stats::default());
    let result = pipeline::run(
        source,
        stages,
        vec![sink],
        config,
        stats,
        CancellationToken::new(),
    )
    .await;
    (
        result,
        attempts.load(Ordering::SeqCst),
        written.load(Ordering::SeqCst),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retryable_sink_failures_are_retried_with_the_same_batch() {
    let (result, attempts, written) = run_flaky(2, 5).await;
    let summary = result.unwrap();
    assert_eq!((summary.articles_written, written), (20, 20));
    assert!(attempts >= 3, "{attempts}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sink_that_stays_down_fails_after_its_retries() {
    let (result, attempts, written) = run_flaky(usize::MAX, 3).await;
    let err = result.unwrap_err();
    // The cause is exposed as the source, not repeated in the message.
    let cause = std::error::Error::source(&err).map(ToString::to_string);
    assert!(
        err.to_string().ends_with("flaky failed after 4 attempt(s)"),
        "{err}"
    );
    assert!(
        cause.is_some_and(|c| c.contains("connection lost")),
        "{err}"
    );
    assert_eq!((attempts, written), (4, 0));
}

/// Records which ids were acknowledged or rejected upstream.
#[derive(Clone, Default)]
struct AckLog(Arc<Mutex<Vec<String>>>);

struct TestAck {
    id: String,
    log: AckLog,
}

impl pipeline::Acknowledge for TestAck {
    fn ack(self: Box<Self>) -> pipeline::BoxFuture {
        Box::pin(async move { self.log.0.lock().unwrap().push(format!("ack {}", self.id)) })
    }
    fn reject(self: Box<Self>) -> pipeline::BoxFuture {
        Box::pin(async move {
            self.log
                .0
                .lock()
                .unwrap()
                .push(format!("reject {}", self.id))
        })
    }
}

/// Sends `n` records with acknowledgements; record 2 is not JSON.
struct AckedSource {
    n: usize,
    log: AckLog,
}

impl Source for AckedSource {
    type Error = std::io::Error;

    async fn run(self, mut out: SourceSender, _stop: CancellationToken) -> std::io::Result<()> {
        for i in 0..self.n {
            let line = if i == 2 {
                "{broken".to_string()
            } else {
                format!(r#"{{"id":"{i}","body":"Text {i}."}}"#)
            };
            let origin = Origin {
                source: Arc::from("acked"),
                line: i as u64 + 1,
            };
            let ack = Box::new(TestAck {
                id: i.to_string(),
                log: self.log.clone(),
            });
            if out
                .send_with_ack(origin, Payload::Json(line), Some(ack))
                .await
                .is_err()
            {
                return Ok(());
            }
        }
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledges_only_what_every_sink_wrote() {
    let log = AckLog::default();
    let fast = Harness::new(true);
    let slow = Harness::new(false);
    let sinks = |h: &Harness| TestSink {
        got: Arc::clone(&h.got),
        gate: Arc::clone(&h.gate),
        writes: Arc::clone(&h.writes),
    };
    let stages: Arc<[Box<dyn Stage>]> = Arc::from(vec![Box::new(Noop) as Box<dyn Stage>]);
    let task = tokio::spawn(pipeline::run(
        AckedSource {
            n: 5,
            log: log.clone(),
        },
        stages,
        vec![sinks(&fast), sinks(&slow)],
        PipelineConfig {
            workers: 1,
            ordered: true,
            ..PipelineConfig::default()
        },
        Arc::new(Stats::default()),
        CancellationToken::new(),
    ));
    wait_until("the fast sink has all four articles", || {
        fast.ids().len() == 4
    })
    .await;
    wait_until("the broken record is rejected", || {
        !log.0.lock().unwrap().is_empty()
    })
    .await;
    assert_eq!(
        *log.0.lock().unwrap(),
        ["reject 2"],
        "acked before the slow sink wrote"
    );
    slow.gate.add_permits(100);
    task.await.unwrap().unwrap();
    let mut entries = log.0.lock().unwrap().clone();
    entries.sort();
    assert_eq!(entries, ["ack 0", "ack 1", "ack 3", "ack 4", "reject 2"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_is_acknowledged_when_a_sink_fails() {
    let log = AckLog::default();
    let stages: Arc<[Box<dyn Stage>]> = Arc::from(vec![Box::new(Noop) as Box<dyn Stage>]);
    let result = pipeline::run(
        AckedSource {
            n: 5,
            log: log.clone(),
        },
        stages,
        vec![Broken],
        PipelineConfig {
            workers: 1,
            ..PipelineConfig::default()
        },
        Arc::new(Stats::default()),
        CancellationToken::new(),
    )
    .await;
    assert!(result.is_err());
    let acked: Vec<String> = log
        .0
        .lock()
        .unwrap()
        .iter()
        .filter(|e| e.starts_with("ack"))
        .cloned()
        .collect();
    assert!(acked.is_empty(), "acknowledged without a write: {acked:?}");
}

/// A sink whose every write fails with an error that cannot pass (a full disk).
struct Broken;

impl Sink for Broken {
    type Error = std::io::Error;
    fn name(&self) -> String {
        "broken".into()
    }
    async fn write(&mut self, _batch: Batch) -> std::io::Result<()> {
        Err(std::io::Error::other("disk full"))
    }
    async fn finish(self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Sends `n` articles `gap` apart, as a live feed does.
struct Trickle {
    n: usize,
    gap: Duration,
}

impl Source for Trickle {
    type Error = std::io::Error;

    async fn run(self, mut out: SourceSender, _shutdown: CancellationToken) -> std::io::Result<()> {
        for i in 0..self.n {
            let line = format!(r#"{{"id":"{i}","body":"Article {i}."}}"#);
            let origin = Origin {
                source: Arc::from("trickle"),
                line: i as u64 + 1,
            };
            if out.send(origin, Payload::Json(line)).await.is_err() {
                return Ok(());
            }
            tokio::time::sleep(self.gap).await;
        }
        Ok(())
    }
}

/// Records arriving a millisecond apart are gathered into batches: when the result queue
/// runs dry the writer lets it refill for `SINK_LINGER` instead of writing each record on
/// its own (one write, commit or publish per record was what a fast pipeline did before).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trickling_records_are_written_in_batches() {
    let h = Harness::new(true);
    let sink = TestSink {
        got: Arc::clone(&h.got),
        gate: Arc::clone(&h.gate),
        writes: Arc::clone(&h.writes),
    };
    let stages: Arc<[Box<dyn Stage>]> = Arc::from(vec![Box::new(Noop) as Box<dyn Stage>]);
    let source = Trickle {
        n: 60,
        gap: Duration::from_millis(1),
    };
    pipeline::run(
        source,
        stages,
        vec![sink],
        PipelineConfig {
            workers: 1,
            ..PipelineConfig::default()
        },
        Arc::new(Stats::default()),
        CancellationToken::new(),
    )
    .await
    .unwrap();
    assert_eq!(h.ids().len(), 60);
    let writes = h.writes.load(Ordering::SeqCst);
    assert!(
        writes <= 30,
        "{writes} writes for 60 records arriving 1 ms apart"
    );
}
