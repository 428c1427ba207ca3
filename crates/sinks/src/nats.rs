//! One JSON message per article on a NATS subject.
//!
//! When a JetStream stream captures the subject, messages are published through JetStream
//! and every acknowledgement is awaited before the batch counts as written; the header
//! `Nats-Msg-Id` carries the article id, so the stream drops duplicates from a retry or a
//! re-run inside its duplicate window. Otherwise it is a core publish, flushed per batch.

use std::time::Duration;

use ::nats::NatsUri;
use async_nats::jetstream;
use pipeline::{Batch, Sink};

use crate::SinkError;

/// How long a stream created by `newsflow publish` remembers message ids to drop duplicates:
/// a feed re-published within a day adds nothing. (JetStream's default is two minutes.)
pub const DUPLICATE_WINDOW: Duration = Duration::from_secs(24 * 60 * 60);

/// What each message holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NatsPayload {
    /// The output record (`newsflow run --sink nats://...`).
    Record,
    /// The input article, for workers to analyse (`newsflow publish`).
    Article,
}

/// Publishes every record as one message.
pub struct NatsSink {
    /// Where it publishes.
    uri: NatsUri,
    /// What it publishes.
    payload: NatsPayload,
    /// The connection.
    client: async_nats::Client,
    /// The JetStream context when a stream captures the subject.
    jetstream: Option<jetstream::Context>,
}

impl std::fmt::Debug for NatsSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NatsSink")
            .field("uri", &self.uri)
            .field("payload", &self.payload)
            .field("jetstream", &self.jetstream.is_some())
            .finish()
    }
}

impl NatsSink {
    /// Connects and finds out whether a stream captures the subject.
    pub async fn open(uri: NatsUri, payload: NatsPayload) -> Result<Self, SinkError> {
        let client = uri
            .connect()
            .await
            .map_err(|e| nats_error(&uri, format!("cannot connect: {e}"), false))?;
        let context = jetstream::new(client.clone());
        let jetstream = match context.stream_by_subject(uri.subject.as_str()).await {
            Ok(stream) => {
                tracing::info!(
                    "nats: subject {} is captured by stream {stream}",
                    uri.subject
                );
                Some(context)
            }
            Err(e) => {
                use jetstream::context::GetStreamByNameErrorKind as Kind;
                if !matches!(e.kind(), Kind::NotFound) {
                    tracing::warn!(
                        "nats: cannot ask JetStream which stream captures {} ({e}); \
                         publishing without acknowledgements",
                        uri.subject
                    );
                }
                None
            }
        };
        Ok(Self {
            uri,
            payload,
            client,
            jetstream,
        })
    }

    /// Connects, creates the stream named in the URI (capturing its subject) if it does not
    /// exist, and publishes through JetStream; for `newsflow publish`.
    pub async fn open_stream(uri: NatsUri, payload: NatsPayload) -> Result<Self, SinkError> {
        let Some(name) = uri.stream.clone() else {
            return Err(SinkError::InvalidUri {
                uri: uri.to_string(),
                reason: "needs ?stream=NAME".into(),
            });
        };
        let client = uri
            .connect()
            .await
            .map_err(|e| nats_error(&uri, format!("cannot connect: {e}"), false))?;
        let context = jetstream::new(client.clone());
        let config = jetstream::stream::Config {
            name: name.clone(),
            subjects: vec![uri.subject.clone()],
            duplicate_window: DUPLICATE_WINDOW,
            ..Default::default()
        };
        let stream = context
            .get_or_create_stream(config)
            .await
            .map_err(|e| nats_error(&uri, format!("cannot create stream {name}: {e}"), false))?;
        let captures = stream
            .cached_info()
            .config
            .subjects
            .iter()
            .any(|s| s == &uri.subject);
        if !captures {
            let reason = format!("stream {name} exists but does not capture {}", uri.subject);
            return Err(nats_error(&uri, reason, false));
        }
        Ok(Self {
            uri,
            payload,
            client,
            jetstream: Some(context),
        })
    }

    fn message(&self, record: &pipeline::Record) -> bytes::Bytes {
        match self.payload {
            NatsPayload::Record => record.json.clone().into_bytes().into(),
            NatsPayload::Article => record.doc.article.to_json().into_bytes().into(),
        }
    }

    fn target(&self) -> String {
        format!("{}/{}", self.uri.server, self.uri.subject)
    }
}

fn nats_error(uri: &NatsUri, message: String, transient: bool) -> SinkError {
    SinkError::Nats {
        target: format!("{}/{}", uri.server, uri.subject),
        message,
        transient,
    }
}

impl Sink for NatsSink {
    type Error = SinkError;

    fn name(&self) -> String {
        format!("nats://{}", self.target())
    }

    async fn write(&mut self, batch: Batch) -> Result<(), SinkError> {
        let subject = self.uri.subject.clone();
        match &self.jetstream {
            Some(js) => {
                // Publish the whole batch first, then collect the acks: one round trip of
                // latency per batch instead of per message.
                let mut acks = Vec::with_capacity(batch.len());
                for record in batch.iter() {
                    let mut headers = async_nats::HeaderMap::new();
                    headers.insert("Nats-Msg-Id", record.doc.article.id.as_str());
                    let payload = self.message(record);
                    let ack = js
                        .publish_with_headers(subject.clone(), headers, payload)
                        .await
                        .map_err(|e| nats_error(&self.uri, format!("publish failed: {e}"), true))?;
                    acks.push(ack);
                }
                for ack in acks {
                    ack.await.map_err(|e| {
                        nats_error(&self.uri, format!("no acknowledgement: {e}"), true)
                    })?;
                }
            }
            None => {
                for record in batch.iter() {
                    let mut headers = async_nats::HeaderMap::new();
                    headers.insert("Nats-Msg-Id", record.doc.article.id.as_str());
                    let payload = self.message(record);
                    self.client
                        .publish_with_headers(subject.clone(), headers, payload)
                        .await
                        .map_err(|e| nats_error(&self.uri, format!("publish failed: {e}"), true))?;
                }
                self.client
                    .flush()
                    .await
                    .map_err(|e| nats_error(&self.uri, format!("flush failed: {e}"), true))?;
            }
        }
        Ok(())
    }

    fn retryable(&self, error: &SinkError) -> bool {
        // Retrying re-sends the batch; the stream's Msg-Id de-duplication absorbs copies.
        matches!(
            error,
            SinkError::Nats {
                transient: true,
                ..
            }
        )
    }

    async fn finish(self) -> Result<(), SinkError> {
        self.client
            .flush()
            .await
            .map_err(|e| nats_error(&self.uri, format!("flush failed: {e}"), true))
    }
}
