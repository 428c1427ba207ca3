//! Sources produce envelopes; the [`SourceSender`] numbers them and applies backpressure.

use std::future::Future;
use std::sync::Arc;

use article::{Article, Origin};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;

use crate::Stats;

/// What a source read: raw JSON for the workers to parse (parsing is CPU work, so it happens
/// in parallel on the workers), an article a source already built, or input that could not
/// be read, which must still travel on to be counted and dead-lettered.
#[derive(Debug)]
pub enum Payload {
    /// One JSON Lines record.
    Json(String),
    /// An article built by the source (feeds, brokers).
    Article(Box<Article>),
    /// Input rejected by the source itself.
    Invalid {
        /// Why, in words a user can act on.
        error: String,
        /// The raw input as far as it was read (lossy UTF-8).
        raw: String,
    },
}

/// A boxed future, as trait objects need.
pub type BoxFuture = std::pin::Pin<Box<dyn Future<Output = ()> + Send>>;

/// The upstream acknowledgement of one record, for sources that must confirm delivery (a
/// broker's durable consumer). The runtime calls exactly one of the two methods, and only
/// after the outcome is durable: `ack` once every sink has written the article, `reject`
/// once its dead letter is written. A record whose outcome never became durable (a sink
/// failed) is neither: the broker redelivers it.
pub trait Acknowledge: Send + Sync {
    /// The article is stored by every sink.
    fn ack(self: Box<Self>) -> BoxFuture;
    /// The record was dead-lettered; it must not be delivered again.
    fn reject(self: Box<Self>) -> BoxFuture;
}

/// One unit of work flowing from the source to the writer.
#[derive(Debug)]
pub struct Envelope {
    /// Position in the source's output, from 0; `--ordered` restores this order.
    pub seq: u64,
    /// Where the record came from.
    pub origin: Origin,
    /// What was read.
    pub payload: Payload,
    /// Held while the envelope is in flight in ordered mode; bounds the reorder buffer.
    pub(crate) permit: Option<OwnedSemaphorePermit>,
    /// Confirms the outcome upstream, for sources that need it.
    pub(crate) ack: Option<Box<dyn Acknowledge>>,
}

impl std::fmt::Debug for dyn Acknowledge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Acknowledge")
    }
}

/// The sending half a source writes to. Dropping it (by returning from [`Source::run`]) is
/// what tells the rest of the pipeline to drain and stop.
#[derive(Debug)]
pub struct SourceSender {
    /// Bounded channel to the workers: `send` waits while it is full (backpressure).
    tx: async_channel::Sender<Envelope>,
    /// Next sequence number.
    next_seq: u64,
    /// In ordered mode, limits the envelopes in flight so the reorder buffer stays bounded.
    window: Option<Arc<Semaphore>>,
    /// Shared counters.
    stats: Arc<Stats>,
}

/// The pipeline has stopped taking input (a sink failed); the source should return.
#[derive(Debug, thiserror::Error)]
#[error("the pipeline stopped accepting input")]
pub struct Closed;

impl SourceSender {
    pub(crate) fn new(
        tx: async_channel::Sender<Envelope>,
        window: Option<Arc<Semaphore>>,
        stats: Arc<Stats>,
    ) -> Self {
        Self {
            tx,
            next_seq: 0,
            window,
            stats,
        }
    }

    /// Sends one record, waiting while the pipeline is full.
    pub async fn send(&mut self, origin: Origin, payload: Payload) -> Result<(), Closed> {
        self.send_with_ack(origin, payload, None).await
    }

    /// Sends one record whose outcome must be confirmed upstream through `ack`.
    pub async fn send_with_ack(
        &mut self,
        origin: Origin,
        payload: Payload,
        ack: Option<Box<dyn Acknowledge>>,
    ) -> Result<(), Closed> {
        let permit = match &self.window {
            Some(window) => Some(window.clone().acquire_owned().await.map_err(|_| Closed)?),
            None => None,
        };
        let envelope = Envelope {
            seq: self.next_seq,
            origin,
            payload,
            permit,
            ack,
        };
        self.next_seq += 1;
        self.tx.send(envelope).await.map_err(|_| Closed)?;
        Stats::add(&self.stats.records_read, 1);
        Ok(())
    }

    /// Counts input bytes consumed, for progress reporting.
    pub fn add_bytes(&self, n: u64) {
        Stats::add(&self.stats.bytes_read, n);
    }

    /// Counts a record passed over on purpose (a feed item already seen).
    pub fn count_skipped(&self) {
        Stats::add(&self.stats.skipped, 1);
    }

    /// Counts one page fetch by HTTP status (0: no response), for the metrics.
    pub fn count_fetch(&self, status: u16) {
        self.stats.count_fetch(status);
    }

    /// Tells readiness checks that the source is connected; only sources whose
    /// [`Source::announces_connection`] is true call it.
    pub fn connected(&self) {
        self.stats
            .lifecycle
            .source_connected
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Something that produces articles: files, stdin, feeds, a broker.
pub trait Source: Send + 'static {
    /// The error that ends the source early.
    type Error: std::error::Error + Send + Sync + 'static;

    /// Produces records until the input is exhausted or `shutdown` is cancelled. On
    /// cancellation it stops reading and returns; what it already sent is still processed.
    fn run(
        self,
        out: SourceSender,
        shutdown: CancellationToken,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send;

    /// True for sources that connect to something in `run` (a broker) and call
    /// [`SourceSender::connected`] once they have; others count as connected from the start.
    fn announces_connection(&self) -> bool {
        false
    }
}
