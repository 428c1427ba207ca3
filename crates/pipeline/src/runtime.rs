//! Wires a source, the worker pool and the sinks together and runs them to completion.

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use article::{Analysis, Article, DeadLetter, Document};
use tokio::io::AsyncWriteExt;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;

use crate::stats::{RejectReason, SinkStats};
use crate::{
    Acknowledge, Batch, Envelope, Payload, Record, Sink, Source, SourceSender, Stage, Stats,
};

/// Envelopes waiting for a worker. Enough to keep every worker busy while the source stalls
/// on a slow read; at a few KB per article it holds about a megabyte.
pub const SOURCE_QUEUE: usize = 256;
/// Finished records waiting for the writer: enough to fill one sink batch while the writer
/// is busy handing the previous one over.
pub const RESULT_QUEUE: usize = 256;
/// Batches waiting per sink. Small on purpose: a slow sink must push back quickly instead of
/// hiding a backlog in memory.
pub const SINK_QUEUE: usize = 4;
/// Most records in one batch: one SQLite transaction or one write call per batch amortises
/// commit costs without holding much memory.
pub const SINK_BATCH: usize = 256;
/// How long the writer waits for more records when the result queue runs dry before a batch
/// is full. Without it a fast pipeline writes batches of one or two records, each a write
/// call, a commit or a publish; 5 ms gathers dozens at thousands of articles a second and is
/// the most a record waits for it.
pub const SINK_LINGER: Duration = Duration::from_millis(5);
/// Most articles in flight in `--ordered` mode: bounds the reorder buffer when one article
/// takes much longer than those after it.
pub const ORDERED_WINDOW: usize = 1024;

/// Retries of a retryable sink failure before the run fails: with the default backoff the
/// last attempt comes about 15 s after the first failure, enough to ride out a database
/// restart or a broker leader election, short enough to fail loudly.
pub const SINK_RETRIES: u32 = 5;
/// Wait before the first retry; doubled on each further retry.
pub const SINK_BACKOFF_INITIAL: Duration = Duration::from_millis(500);
/// Longest wait between two retries.
pub const SINK_BACKOFF_MAX: Duration = Duration::from_secs(8);

/// How a sink's retryable failures are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first failed attempt; 0 fails at once.
    pub retries: u32,
    /// Wait before the first retry.
    pub initial_backoff: Duration,
    /// Longest wait between retries.
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            retries: SINK_RETRIES,
            initial_backoff: SINK_BACKOFF_INITIAL,
            max_backoff: SINK_BACKOFF_MAX,
        }
    }
}

/// Channel capacities; the defaults are the constants above.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capacities {
    /// Source → workers, in envelopes.
    pub source_queue: usize,
    /// Workers → writer, in records.
    pub result_queue: usize,
    /// Writer → each sink, in batches.
    pub sink_queue: usize,
    /// Records per batch at most.
    pub sink_batch: usize,
    /// Articles in flight at most in ordered mode.
    pub ordered_window: usize,
}

impl Default for Capacities {
    fn default() -> Self {
        Self {
            source_queue: SOURCE_QUEUE,
            result_queue: RESULT_QUEUE,
            sink_queue: SINK_QUEUE,
            sink_batch: SINK_BATCH,
            ordered_window: ORDERED_WINDOW,
        }
    }
}

/// How to run the pipeline.
#[derive(Debug, Clone)]
pub struct PipelineConfig {
    /// Worker threads for the CPU stages (at least 1).
    pub workers: usize,
    /// Write records in input order.
    pub ordered: bool,
    /// Channel sizes.
    pub capacities: Capacities,
    /// Where rejected records go, as JSON Lines; `None` reports them on stderr only.
    pub dead_letter: Option<PathBuf>,
    /// How failed sink writes are retried.
    pub retry: RetryPolicy,
}

impl Default for PipelineConfig {
    fn default() -> Self {
        Self {
            workers: std::thread::available_parallelism().map_or(1, |n| n.get()),
            ordered: false,
            capacities: Capacities::default(),
            dead_letter: None,
            retry: RetryPolicy::default(),
        }
    }
}

/// Why a run failed. A variant shows its cause either in its message or as `source()`,
/// never both, so `{:#}` in the binary prints each cause once. Records the pipeline had already accepted are drained first where that
/// is possible, so the error is the last thing that happens.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// The source stopped with an error (shown as the source's own error: it names the input).
    #[error(transparent)]
    Source(Box<dyn std::error::Error + Send + Sync>),
    /// A sink failed (after its retries); the run stopped so that no records are lost
    /// silently.
    #[error("sink {name} failed after {attempts} attempt(s)")]
    Sink {
        /// The sink's name.
        name: String,
        /// How many times the failing write was tried.
        attempts: u32,
        /// What went wrong.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The dead-letter file could not be written.
    #[error("cannot write dead letters to {path}")]
    DeadLetter {
        /// The dead-letter path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A worker thread could not be started.
    #[error("cannot start a worker thread: {0}")]
    Spawn(std::io::Error),
    /// A task of the pipeline itself died; a bug.
    #[error("internal error: {0}")]
    Internal(String),
}

/// Shows an error and each of its causes, `: `-separated, for log lines: errors expose
/// their causes rather than repeating them in their message, so `{e}` alone would drop them.
struct Chain<'a>(&'a (dyn std::error::Error + 'static));

impl std::fmt::Display for Chain<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)?;
        let mut cause = self.0.source();
        while let Some(e) = cause {
            write!(f, ": {e}")?;
            cause = e.source();
        }
        Ok(())
    }
}

/// What a finished run did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Summary {
    /// Records the source sent.
    pub records_read: u64,
    /// Articles handed to every sink.
    pub articles_written: u64,
    /// Records rejected as dead letters.
    pub rejected: u64,
    /// Articles a stage chose not to pass on (a language not asked for).
    pub skipped_language: u64,
    /// Written articles per language (`None`: too short to tell), most frequent first.
    pub languages: Vec<(Option<&'static str>, u64)>,
    /// Sentences in written articles.
    pub sentences: u64,
    /// Tokens in written articles.
    pub tokens: u64,
    /// Entities in written articles.
    pub entities: u64,
    /// Bytes of analysed text.
    pub text_bytes: u64,
    /// Wall-clock time of the run.
    pub elapsed: Duration,
}

impl Summary {
    fn from_stats(stats: &Stats, elapsed: Duration) -> Self {
        Self {
            records_read: Stats::get(&stats.records_read),
            articles_written: Stats::get(&stats.articles_written),
            rejected: Stats::get(&stats.rejected),
            skipped_language: Stats::get(&stats.skipped_language),
            languages: stats.languages(),
            sentences: Stats::get(&stats.sentences),
            tokens: Stats::get(&stats.tokens),
            entities: Stats::get(&stats.entities),
            text_bytes: Stats::get(&stats.text_bytes),
            elapsed,
        }
    }
}

/// What a worker hands the writer for one envelope.
///
/// `_permit` is only held: dropping it when the writer files the outcome frees a place in
/// the ordered window.
// `Done` is the common case; boxing it would add an allocation per article to save a
// few hundred bytes in rare dead letters.
#[allow(clippy::large_enum_variant)]
enum Outcome {
    Done {
        seq: u64,
        record: Record,
        ack: Option<Box<dyn Acknowledge>>,
        _permit: Option<OwnedSemaphorePermit>,
    },
    Rejected {
        seq: u64,
        reason: RejectReason,
        dead: DeadLetter,
        ack: Option<Box<dyn Acknowledge>>,
        _permit: Option<OwnedSemaphorePermit>,
    },
    /// A stage chose not to pass the article on (`Document::skipped`).
    Skipped {
        seq: u64,
        ack: Option<Box<dyn Acknowledge>>,
        _permit: Option<OwnedSemaphorePermit>,
    },
}

impl Outcome {
    fn seq(&self) -> u64 {
        match self {
            Outcome::Done { seq, .. }
            | Outcome::Rejected { seq, .. }
            | Outcome::Skipped { seq, .. } => *seq,
        }
    }
}

/// Runs `source` through `stages` into every sink until the source ends (or `shutdown` is
/// cancelled and what was read has drained), and reports what happened.
pub async fn run<S, K>(
    source: S,
    stages: Arc<[Box<dyn Stage>]>,
    sinks: Vec<K>,
    config: PipelineConfig,
    stats: Arc<Stats>,
    shutdown: CancellationToken,
) -> Result<Summary, PipelineError>
where
    S: Source,
    K: Sink,
{
    let started = Instant::now();
    let caps = config.capacities;
    let mut step_names = vec!["parse", "render"];
    step_names.extend(stages.iter().map(|s| s.name()));
    stats.set_step_names(step_names);
    if !source.announces_connection() {
        stats
            .lifecycle
            .source_connected
            .store(true, Ordering::Relaxed);
    }
    let (source_tx, source_rx) = async_channel::bounded(caps.source_queue.max(1));
    let (result_tx, result_rx) = async_channel::bounded(caps.result_queue.max(1));

    let dead_letters = match &config.dead_letter {
        Some(path) => Some(DeadLetterFile::open(path.clone()).await?),
        None => None,
    };

    // Workers first: if one cannot start, nothing has been read yet.
    let mut workers = Vec::with_capacity(config.workers.max(1));
    for i in 0..config.workers.max(1) {
        let rx = source_rx.clone();
        let tx = result_tx.clone();
        let stages = Arc::clone(&stages);
        let stats = Arc::clone(&stats);
        let handle = std::thread::Builder::new()
            .name(format!("newsflow-worker-{i}"))
            .spawn(move || worker_loop(&rx, &tx, &stages, &stats))
            .map_err(PipelineError::Spawn)?;
        workers.push(handle);
    }
    drop(result_tx);

    // A failing sink cancels the source through this child token, without touching the
    // caller's token.
    let source_stop = shutdown.child_token();
    let window = config
        .ordered
        .then(|| Arc::new(Semaphore::new(caps.ordered_window.max(1))));
    let sender = SourceSender::new(source_tx, window, Arc::clone(&stats));
    let source_task = tokio::spawn({
        let stop = source_stop.clone();
        let stats = Arc::clone(&stats);
        async move {
            let result = source
                .run(sender, stop)
                .await
                .map_err(|e| PipelineError::Source(e.into()));
            stats.lifecycle.draining.store(true, Ordering::Relaxed);
            result
        }
    });

    let sink_stats = stats.register_sinks(sinks.iter().map(Sink::name).collect());
    let mut sink_txs = Vec::with_capacity(sinks.len());
    let mut sink_tasks = Vec::with_capacity(sinks.len());
    let mut sink_queues = Vec::with_capacity(sinks.len());
    for (sink, counters) in sinks.into_iter().zip(sink_stats) {
        let (tx, rx) = async_channel::bounded::<Batch>(caps.sink_queue.max(1));
        sink_txs.push(tx);
        sink_queues.push((rx.downgrade(), Arc::clone(&counters)));
        let lifecycle = Arc::clone(&stats);
        sink_tasks.push(tokio::spawn(sink_loop(
            sink,
            rx,
            config.retry,
            counters,
            lifecycle,
        )));
    }
    stats.lifecycle.running.store(true, Ordering::Relaxed);
    // Samples queue lengths for reports; holding receivers of the stage queues does not
    // keep them open, and the sinks' are held weakly so that a failed sink's channel closes.
    let sampler_stop = CancellationToken::new();
    let sampler = tokio::spawn(sample_queues(
        source_rx.clone(),
        result_rx.clone(),
        sink_queues,
        Arc::clone(&stats),
        sampler_stop.clone(),
    ));
    drop(source_rx);

    let writer = Writer {
        ordered: config.ordered,
        batch_size: caps.sink_batch.max(1),
        linger: SINK_LINGER,
        sinks: sink_txs,
        dead_letters,
        stats: Arc::clone(&stats),
    };
    let writer_result = writer.run(result_rx).await;
    stats.lifecycle.draining.store(true, Ordering::Relaxed);
    sampler_stop.cancel();
    let _ = sampler.await;
    if writer_result.is_err() {
        source_stop.cancel();
    }

    // Collect every task's outcome. A sink's own error explains a stopped writer, so sinks
    // are asked first; the first error is returned and later ones are logged.
    let mut first_error: Option<PipelineError> = None;
    let mut note = |result: Result<(), PipelineError>| {
        if let Err(e) = result {
            if first_error.is_none() {
                first_error = Some(e);
            } else {
                tracing::debug!(error = %Chain(&e), "further failure");
            }
        }
    };
    for task in sink_tasks {
        note(
            task.await
                .unwrap_or_else(|e| Err(PipelineError::Internal(e.to_string()))),
        );
    }
    note(writer_result);
    note(
        source_task
            .await
            .unwrap_or_else(|e| Err(PipelineError::Internal(e.to_string()))),
    );
    for handle in workers {
        if handle.join().is_err() {
            note(Err(PipelineError::Internal(
                "a worker thread panicked".into(),
            )));
        }
    }
    match first_error {
        Some(e) => Err(e),
        None => Ok(Summary::from_stats(&stats, started.elapsed())),
    }
}

/// A worker: receive, process, send, until the source side closes.
fn worker_loop(
    rx: &async_channel::Receiver<Envelope>,
    tx: &async_channel::Sender<Outcome>,
    stages: &[Box<dyn Stage>],
    stats: &Stats,
) {
    let mut busy = StageTimes::new(stages.len());
    while let Ok(envelope) = rx.recv_blocking() {
        let outcome = process(envelope, stages, &mut busy);
        busy.report(stats);
        if tx.send_blocking(outcome).is_err() {
            // The writer is gone (a sink failed); nothing more can be delivered.
            break;
        }
    }
}

/// Turns one envelope into a record or a dead letter. Never panics: a stage that panics on
/// some input (a bug) costs that one article, which is dead-lettered, not the run.
fn process(envelope: Envelope, stages: &[Box<dyn Stage>], busy: &mut StageTimes) -> Outcome {
    let started = Instant::now();
    let Envelope {
        seq,
        origin,
        payload,
        permit,
        ack,
    } = envelope;
    let reject = |reason, error: String, record: String, permit, ack| Outcome::Rejected {
        seq,
        reason,
        dead: DeadLetter {
            origin: origin.clone(),
            error,
            record,
        },
        ack,
        _permit: permit,
    };
    let article = match payload {
        Payload::Json(line) => match Article::from_json(&line) {
            Ok(article) => article,
            Err(e) => return reject(RejectReason::Invalid, e.to_string(), line, permit, ack),
        },
        Payload::Article(article) => *article,
        Payload::Invalid { error, raw } => {
            return reject(RejectReason::Unreadable, error, raw, permit, ack)
        }
    };
    match analyse_timed(article, stages, busy, started) {
        Ok(record) if record.doc.skipped.is_some() => Outcome::Skipped {
            seq,
            ack,
            _permit: permit,
        },
        Ok(record) => Outcome::Done {
            seq,
            record,
            ack,
            _permit: permit,
        },
        Err((error, raw)) => reject(RejectReason::Internal, error, raw, permit, ack),
    }
}

/// Analyses one article exactly as a worker does and renders its output record: the same
/// stages, the same JSON bytes `run` hands its sinks. For callers that analyse one article
/// on request (the HTTP API); a stage that panics gives the dead letter's error message.
pub fn analyse(article: Article, stages: &[Box<dyn Stage>]) -> Result<Record, String> {
    let mut busy = StageTimes::new(stages.len());
    analyse_timed(article, stages, &mut busy, Instant::now()).map_err(|(error, _)| error)
}

/// Runs the stages and renders, charging each step's time to `busy`; on a panic returns
/// the error and the article as far as it was built, for the dead letter.
fn analyse_timed(
    article: Article,
    stages: &[Box<dyn Stage>],
    busy: &mut StageTimes,
    started: Instant,
) -> Result<Record, (String, String)> {
    let text = article.text();
    let mut doc = Document {
        article,
        text,
        analysis: Analysis::default(),
        ..Document::default()
    };
    let mut mark = busy.lap(TIMER_PARSE, started);
    let analysed = catch_unwind(AssertUnwindSafe(|| {
        for (i, stage) in stages.iter().enumerate() {
            stage.process(&mut doc);
            mark = busy.lap(TIMER_FIRST_STAGE + i, mark);
            if doc.skipped.is_some() {
                break;
            }
        }
    }));
    if let Err(panic) = analysed {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        doc.analysis = Analysis::default();
        let error = format!("internal error while analysing this article (please report): {what}");
        return Err((error, doc.to_json()));
    }
    if doc.skipped.is_some() {
        // Not passed on: nothing to render.
        return Ok(Record {
            doc,
            json: String::new(),
        });
    }
    let json = doc.to_json();
    busy.lap(TIMER_RENDER, mark);
    Ok(Record { doc, json })
}

/// How often queue lengths are sampled for reports.
const QUEUE_SAMPLE_INTERVAL: Duration = Duration::from_millis(10);

async fn sample_queues(
    source: async_channel::Receiver<Envelope>,
    result: async_channel::Receiver<Outcome>,
    sinks: Vec<(async_channel::WeakReceiver<Batch>, Arc<SinkStats>)>,
    stats: Arc<Stats>,
    stop: CancellationToken,
) {
    let mut tick = tokio::time::interval(QUEUE_SAMPLE_INTERVAL);
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tick.tick() => {
                stats.sample_queues(source.len(), result.len());
                for (rx, counters) in &sinks {
                    let len = rx.upgrade().map_or(0, |rx| rx.len());
                    counters.queue_now.store(len as u64, Ordering::Relaxed);
                }
            }
        }
    }
}

use crate::stats::{TIMER_FIRST_STAGE, TIMER_PARSE, TIMER_RENDER};

/// A worker's busy time per step, gathered locally and added to the shared [`Stats`] after
/// each article, so workers do not contend on the counters inside a step.
struct StageTimes {
    nanos: Vec<u64>,
}

impl StageTimes {
    fn new(stages: usize) -> Self {
        Self {
            nanos: vec![0; TIMER_FIRST_STAGE + stages],
        }
    }

    /// Charges the time since `since` to `slot` and returns now, the start of the next lap.
    fn lap(&mut self, slot: usize, since: Instant) -> Instant {
        let now = Instant::now();
        if let Some(n) = self.nanos.get_mut(slot) {
            *n += (now - since).as_nanos() as u64;
        }
        now
    }

    fn report(&mut self, stats: &Stats) {
        for (slot, n) in self.nanos.iter_mut().enumerate() {
            if *n > 0 {
                stats.observe_step(slot, *n);
                *n = 0;
            }
        }
    }
}

/// Runs one sink: write each batch as it comes, retrying what the sink says may be retried,
/// then finish.
async fn sink_loop<K: Sink>(
    mut sink: K,
    rx: async_channel::Receiver<Batch>,
    retry: RetryPolicy,
    counters: Arc<SinkStats>,
    stats: Arc<Stats>,
) -> Result<(), PipelineError> {
    let fail = |name: String, attempts: u32, e: K::Error| {
        Stats::add(&counters.failures, 1);
        PipelineError::Sink {
            name,
            attempts,
            source: Box::new(e),
        }
    };
    let retrying = &stats.lifecycle.sinks_retrying;
    while let Ok(batch) = rx.recv().await {
        let mut attempt = 1;
        let mut backoff = retry.initial_backoff;
        loop {
            let started = Instant::now();
            let written = sink.write(batch.clone()).await;
            if attempt > 1 {
                // Readiness counts this sink as retrying until the attempt after a failure
                // returns, whatever it returned.
                retrying.fetch_sub(1, Ordering::Relaxed);
            }
            match written {
                Ok(()) => {
                    counters
                        .write_time
                        .observe(started.elapsed().as_nanos() as u64);
                    Stats::add(&counters.written, batch.len() as u64);
                    batch.sink_done().await;
                    break;
                }
                Err(e) if attempt <= retry.retries && sink.retryable(&e) => {
                    Stats::add(&counters.retries, 1);
                    retrying.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(
                        "sink {} failed (attempt {attempt} of {}): {}; retrying in {backoff:?}",
                        sink.name(),
                        retry.retries + 1,
                        Chain(&e),
                    );
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(retry.max_backoff);
                    attempt += 1;
                }
                // Dropping `rx` on return closes the channel, which stops the writer.
                Err(e) => return Err(fail(sink.name(), attempt, e)),
            }
        }
    }
    let name = sink.name();
    sink.finish().await.map_err(|e| fail(name, 1, e))
}

/// Orders, batches and fans out finished records; writes dead letters.
struct Writer {
    /// Restore input order before writing.
    ordered: bool,
    /// Records per batch at most.
    batch_size: usize,
    /// How long to let the result queue refill before writing a short batch.
    linger: Duration,
    /// One bounded channel per sink.
    sinks: Vec<async_channel::Sender<Batch>>,
    /// The dead-letter file, if configured.
    dead_letters: Option<DeadLetterFile>,
    /// Shared counters.
    stats: Arc<Stats>,
}

/// A dead letter, why it was rejected, and its upstream rejection.
type Rejected = (DeadLetter, RejectReason, Option<Box<dyn Acknowledge>>);

/// Outcomes sorted for writing: records with their acknowledgements, and dead letters.
#[derive(Default)]
struct Sorted {
    records: Vec<Record>,
    acks: Vec<Box<dyn Acknowledge>>,
    dead: Vec<Rejected>,
    /// Acknowledgements of skipped articles: handled, so confirmed at once.
    skipped: Vec<Option<Box<dyn Acknowledge>>>,
}

impl Sorted {
    /// Files an outcome; its ordering permit is released here.
    fn push(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Done { record, ack, .. } => {
                self.records.push(record);
                self.acks.extend(ack);
            }
            Outcome::Rejected {
                dead, ack, reason, ..
            } => self.dead.push((dead, reason, ack)),
            Outcome::Skipped { ack, .. } => self.skipped.push(ack),
        }
    }
}

impl Writer {
    async fn run(mut self, rx: async_channel::Receiver<Outcome>) -> Result<(), PipelineError> {
        let mut pending: BTreeMap<u64, Outcome> = BTreeMap::new();
        let mut next_seq = 0u64;
        let mut sorted = Sorted::default();
        while let Ok(first) = rx.recv().await {
            let mut incoming = Some(first);
            let mut lingered = false;
            loop {
                while let Some(outcome) = incoming.take() {
                    if self.ordered {
                        pending.insert(outcome.seq(), outcome);
                        while let Some(ready) = pending.remove(&next_seq) {
                            next_seq += 1;
                            sorted.push(ready);
                        }
                    } else {
                        sorted.push(outcome);
                    }
                    if sorted.records.len() < self.batch_size {
                        incoming = rx.try_recv().ok();
                    }
                }
                if sorted.records.len() >= self.batch_size || lingered || rx.is_closed() {
                    break;
                }
                // The queue ran dry before the batch filled: let it refill once, sleeping
                // rather than waking for every record, then write what has come.
                tokio::time::sleep(self.linger).await;
                lingered = true;
                incoming = rx.try_recv().ok();
                if incoming.is_none() {
                    break;
                }
            }
            self.write_dead(&mut sorted).await?;
            self.flush(&mut sorted).await?;
        }
        // Every worker has finished; in ordered mode nothing can still be pending, because
        // every sequence number produced exactly one outcome.
        for (_, outcome) in std::mem::take(&mut pending) {
            sorted.push(outcome);
        }
        self.write_dead(&mut sorted).await?;
        self.flush(&mut sorted).await?;
        if let Some(file) = self.dead_letters.take() {
            file.close().await?;
        }
        Ok(())
    }

    async fn flush(&mut self, sorted: &mut Sorted) -> Result<(), PipelineError> {
        if sorted.records.is_empty() {
            return Ok(());
        }
        // One late record can release a long run of the reorder buffer at once; the sinks
        // still get batches of at most `batch_size` (a rotating file rotates between them).
        // The acknowledgements go with the last batch: confirmed late, never early.
        while sorted.records.len() > self.batch_size {
            let rest = sorted.records.split_off(self.batch_size);
            let head = std::mem::replace(&mut sorted.records, rest);
            self.send_batch(head, Vec::new()).await?;
        }
        let records = std::mem::replace(&mut sorted.records, Vec::with_capacity(self.batch_size));
        let acks = std::mem::take(&mut sorted.acks);
        self.send_batch(records, acks).await
    }

    /// Hands one batch to every sink and counts it as written.
    async fn send_batch(
        &mut self,
        records: Vec<Record>,
        acks: Vec<Box<dyn Acknowledge>>,
    ) -> Result<(), PipelineError> {
        let (mut sentences, mut tokens, mut entities, mut bytes) = (0, 0, 0, 0);
        self.stats
            .count_languages(records.iter().map(|r| r.doc.lang));
        for r in &records {
            sentences += r.doc.analysis.sentences.len() as u64;
            tokens += r.doc.analysis.tokens.len() as u64;
            entities += r.doc.analysis.entities.len() as u64;
            bytes += r.doc.text.len() as u64;
        }
        let n = records.len() as u64;
        let batch = Batch::new(records, self.sinks.len(), acks);
        for tx in &self.sinks {
            if tx.send(batch.clone()).await.is_err() {
                // The sink task ended with an error; it reports it. Stop taking records.
                return Err(PipelineError::Internal("a sink stopped".into()));
            }
        }
        Stats::add(&self.stats.articles_written, n);
        Stats::add(&self.stats.sentences, sentences);
        Stats::add(&self.stats.tokens, tokens);
        Stats::add(&self.stats.entities, entities);
        Stats::add(&self.stats.text_bytes, bytes);
        Ok(())
    }

    /// Logs and writes dead letters, then rejects them upstream: only once the file has
    /// them, so a rejected record is never lost.
    async fn write_dead(&mut self, sorted: &mut Sorted) -> Result<(), PipelineError> {
        for ack in sorted.skipped.drain(..) {
            Stats::add(&self.stats.skipped_language, 1);
            if let Some(ack) = ack {
                ack.ack().await;
            }
        }
        if sorted.dead.is_empty() {
            return Ok(());
        }
        let mut rejects = Vec::new();
        for (letter, reason, ack) in sorted.dead.drain(..) {
            self.stats.reject(reason);
            tracing::warn!("{}: rejected record: {}", letter.origin, letter.error);
            if let Some(file) = &mut self.dead_letters {
                file.write(&letter).await?;
            }
            rejects.extend(ack);
        }
        if !rejects.is_empty() {
            if let Some(file) = &mut self.dead_letters {
                file.flush().await?;
            }
            for ack in rejects {
                ack.reject().await;
            }
        }
        Ok(())
    }
}

/// Rejected records as JSON Lines, appended so that earlier runs' letters are kept.
struct DeadLetterFile {
    /// Where the file is, for messages.
    path: PathBuf,
    /// The open file.
    file: tokio::io::BufWriter<tokio::fs::File>,
}

impl DeadLetterFile {
    async fn open(path: PathBuf) -> Result<Self, PipelineError> {
        let file = tokio::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .await
            .map_err(|source| PipelineError::DeadLetter {
                path: path.clone(),
                source,
            })?;
        Ok(Self {
            path,
            file: tokio::io::BufWriter::new(file),
        })
    }

    async fn write(&mut self, letter: &DeadLetter) -> Result<(), PipelineError> {
        let mut line = letter.to_json();
        line.push('\n');
        self.file
            .write_all(line.as_bytes())
            .await
            .map_err(|source| PipelineError::DeadLetter {
                path: self.path.clone(),
                source,
            })
    }

    async fn flush(&mut self) -> Result<(), PipelineError> {
        let path = &self.path;
        self.file
            .flush()
            .await
            .map_err(|source| PipelineError::DeadLetter {
                path: path.clone(),
                source,
            })
    }

    async fn close(mut self) -> Result<(), PipelineError> {
        self.file
            .flush()
            .await
            .map_err(|source| PipelineError::DeadLetter {
                path: self.path.clone(),
                source,
            })
    }
}
