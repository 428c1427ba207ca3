//! The NATS JetStream source: a durable pull consumer shared by every `newsflow` process
//! started with the same consumer name.
//!
//! Delivery is at-least-once: a message is acknowledged (and the acknowledgement confirmed by
//! the server) only after every sink has written its article, and terminated only after its
//! dead letter is written. A process that dies leaves its messages unacknowledged; the
//! broker redelivers them to another process after `ACK_WAIT`, and the sinks' upserts absorb
//! the duplicates, so the store ends with every article exactly once.

use std::sync::Arc;
use std::time::Duration;

use ::nats::NatsUri;
use article::{Article, Origin};
use async_nats::jetstream::{self, consumer, AckKind};
use futures_util::StreamExt;
use pipeline::{Acknowledge, BoxFuture, CancellationToken, Payload, Source, SourceSender};

/// How long the broker waits for an acknowledgement before redelivering a message to
/// another worker: far longer than an article spends in the bounded pipeline, short enough
/// that a killed worker's articles are picked up within a minute.
pub const ACK_WAIT: Duration = Duration::from_secs(30);
/// Deliveries of one message at most. A message that keeps failing (its sink keeps failing)
/// stops being redelivered after this; malformed messages are terminated at once instead.
pub const MAX_DELIVER: i64 = 10;
/// Messages per fetch: a few batches of work for the pipeline.
pub const FETCH_BATCH: usize = 256;
/// How long one fetch waits for messages: short, so a shutdown is never waited on long,
/// and the fetch is retried instead of trusting one long-lived request (pull consumers
/// have known stalls).
pub const FETCH_WAIT: Duration = Duration::from_secs(1);
/// Extra time allowed for the server to answer a fetch before it counts as stalled.
const FETCH_GRACE: Duration = Duration::from_secs(5);

/// Why the NATS source could not start or continue.
#[derive(Debug, thiserror::Error)]
pub enum NatsSourceError {
    /// The URI lacks a required part.
    #[error("invalid NATS source {uri}: {reason}")]
    Invalid {
        /// The URI.
        uri: String,
        /// What is missing.
        reason: String,
    },
    /// Connecting, finding the stream, or creating the consumer failed.
    #[error("NATS source {uri}: {message}")]
    Broker {
        /// The URI.
        uri: String,
        /// What failed.
        message: String,
    },
}

/// Reads articles from a JetStream stream through a durable pull consumer.
#[derive(Debug)]
pub struct NatsSource {
    /// Server, subject, stream and consumer.
    uri: NatsUri,
}

impl NatsSource {
    /// A source for `nats://HOST:PORT/SUBJECT?stream=NAME&consumer=DURABLE`.
    pub fn new(uri: NatsUri) -> Result<Self, NatsSourceError> {
        let missing = |what: &str| NatsSourceError::Invalid {
            uri: uri.to_string(),
            reason: format!("needs ?{what}=NAME"),
        };
        if uri.stream.is_none() {
            return Err(missing("stream"));
        }
        if uri.consumer.is_none() {
            return Err(missing("consumer"));
        }
        Ok(Self { uri })
    }

    fn broker(&self, message: String) -> NatsSourceError {
        NatsSourceError::Broker {
            uri: self.uri.to_string(),
            message,
        }
    }

    async fn consumer(&self) -> Result<consumer::PullConsumer, NatsSourceError> {
        let (stream, durable) = match (&self.uri.stream, &self.uri.consumer) {
            (Some(s), Some(c)) => (s.clone(), c.clone()),
            _ => return Err(self.broker("stream and consumer are required".into())),
        };
        let client = self
            .uri
            .connect()
            .await
            .map_err(|e| self.broker(format!("cannot connect: {e}")))?;
        let context = jetstream::new(client);
        let stream = context.get_stream(&stream).await.map_err(|e| {
            self.broker(format!(
                "no stream {stream} ({e}); create it with `newsflow publish`"
            ))
        })?;
        let config = consumer::pull::Config {
            durable_name: Some(durable.clone()),
            ack_policy: consumer::AckPolicy::Explicit,
            ack_wait: self.uri.ack_wait_secs.map_or(ACK_WAIT, Duration::from_secs),
            max_deliver: MAX_DELIVER,
            filter_subject: self.uri.subject.clone(),
            ..Default::default()
        };
        stream
            .get_or_create_consumer(&durable, config)
            .await
            .map_err(|e| self.broker(format!("cannot create consumer {durable}: {e}")))
    }
}

/// Confirms one message's outcome to the broker.
struct NatsAck {
    /// The delivered message, which knows its reply subject.
    message: jetstream::Message,
}

impl Acknowledge for NatsAck {
    fn ack(self: Box<Self>) -> BoxFuture {
        Box::pin(async move {
            // A confirmed ack: when the pipeline finishes, the broker has it. A lost one only
            // causes a redelivery, which the sinks absorb.
            if let Err(e) = self.message.double_ack().await {
                tracing::warn!("nats: acknowledgement not confirmed, may be redelivered: {e}");
            }
        })
    }

    fn reject(self: Box<Self>) -> BoxFuture {
        Box::pin(async move {
            if let Err(e) = self.message.double_ack_with(AckKind::Term).await {
                tracing::warn!("nats: termination not confirmed, may be redelivered: {e}");
            }
        })
    }
}

impl Source for NatsSource {
    type Error = NatsSourceError;

    async fn run(
        self,
        mut out: SourceSender,
        shutdown: CancellationToken,
    ) -> Result<(), NatsSourceError> {
        let consumer = self.consumer().await?;
        let name: Arc<str> = Arc::from(self.uri.to_string());
        tracing::info!("nats: consuming {name} as {:?}", self.uri.consumer);
        while !shutdown.is_cancelled() {
            let fetch = consumer
                .fetch()
                .max_messages(FETCH_BATCH)
                .expires(FETCH_WAIT)
                .messages();
            let mut messages = tokio::select! {
                biased;
                _ = shutdown.cancelled() => break,
                fetched = tokio::time::timeout(FETCH_WAIT + FETCH_GRACE, fetch) => match fetched {
                    Ok(Ok(messages)) => messages,
                    Ok(Err(e)) => {
                        tracing::warn!("nats: fetch failed, retrying: {e}");
                        continue;
                    }
                    Err(_) => {
                        tracing::warn!("nats: fetch stalled, retrying");
                        continue;
                    }
                },
            };
            loop {
                // Messages already handed to us are always sent on, even during shutdown;
                // only the wait for further ones is cut short.
                let next = tokio::select! {
                    biased;
                    _ = shutdown.cancelled() => None,
                    next = tokio::time::timeout(FETCH_WAIT + FETCH_GRACE, messages.next()) => {
                        next.ok().flatten()
                    }
                };
                let message = match next {
                    None => break,
                    Some(Ok(message)) => message,
                    Some(Err(e)) => {
                        tracing::warn!("nats: receiving failed: {e}");
                        break;
                    }
                };
                let line = message.info().map(|i| i.stream_sequence).unwrap_or(0);
                let origin = Origin {
                    source: Arc::clone(&name),
                    line,
                };
                out.add_bytes(message.payload.len() as u64);
                let payload = match std::str::from_utf8(&message.payload) {
                    Ok(text) => match Article::from_json(text) {
                        Ok(article) => Payload::Article(Box::new(article)),
                        Err(e) => Payload::Invalid {
                            error: e.to_string(),
                            raw: text.to_string(),
                        },
                    },
                    Err(e) => Payload::Invalid {
                        error: format!("message is not UTF-8: {e}"),
                        raw: String::from_utf8_lossy(&message.payload).into_owned(),
                    },
                };
                let ack: Box<dyn Acknowledge> = Box::new(NatsAck { message });
                if out.send_with_ack(origin, payload, Some(ack)).await.is_err() {
                    return Ok(());
                }
            }
        }
        Ok(())
    }
}
