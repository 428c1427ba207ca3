//! One JSON message per article on a NATS subject.
//!
//! When a JetStream stream captures the subject, messages are published through JetStream
//! and every acknowledgement is awaited before the batch counts as written; the header
//! `Nats-Msg-Id` carries the article id, so the stream drops duplicates from a retry or a
//! re-run inside its duplicate window. Otherwise it is a core publish, flushed per batch.

use std::time::Duration;

use async_nats::jetstream;
use pipeline::{Batch, Sink};

use crate::SinkError;

/// How long to wait for the server when connecting.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A parsed `nats://HOST:PORT/SUBJECT` URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NatsUri {
    /// `HOST:PORT` of the server.
    pub server: String,
    /// The subject to publish to (or to consume from).
    pub subject: String,
    /// `?stream=NAME`, when given.
    pub stream: Option<String>,
    /// `?consumer=DURABLE`, when given.
    pub consumer: Option<String>,
}

impl NatsUri {
    /// Parses `nats://HOST[:PORT]/SUBJECT[?stream=NAME&consumer=DURABLE]`.
    pub fn parse(uri: &str) -> Result<Self, SinkError> {
        let invalid = |reason: &str| SinkError::InvalidUri {
            uri: uri.to_string(),
            reason: reason.into(),
        };
        let rest = uri
            .strip_prefix("nats://")
            .ok_or_else(|| invalid("must start with nats://"))?;
        let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (host, subject) = rest
            .split_once('/')
            .ok_or_else(|| invalid("needs a subject: nats://HOST:PORT/SUBJECT"))?;
        let valid_subject = !subject.is_empty()
            && !subject.contains(char::is_whitespace)
            && subject.split('.').all(|token| !token.is_empty());
        if !valid_subject {
            return Err(invalid(
                "the subject must be dot-separated tokens without spaces",
            ));
        }
        if host.is_empty() {
            return Err(invalid("needs a host"));
        }
        let server = if host.contains(':') {
            host.to_string()
        } else {
            format!("{host}:4222")
        };
        let mut parsed = Self {
            server,
            subject: subject.to_string(),
            stream: None,
            consumer: None,
        };
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            match pair.split_once('=') {
                Some(("stream", name)) if !name.is_empty() => parsed.stream = Some(name.into()),
                Some(("consumer", name)) if !name.is_empty() => parsed.consumer = Some(name.into()),
                _ => return Err(invalid(&format!("unknown parameter {pair:?}"))),
            }
        }
        Ok(parsed)
    }
}

/// Publishes every record as one message.
pub struct NatsSink {
    /// Where it publishes.
    uri: NatsUri,
    /// The connection.
    client: async_nats::Client,
    /// The JetStream context when a stream captures the subject.
    jetstream: Option<jetstream::Context>,
}

impl std::fmt::Debug for NatsSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NatsSink")
            .field("uri", &self.uri)
            .field("jetstream", &self.jetstream.is_some())
            .finish()
    }
}

impl NatsSink {
    /// Connects and finds out whether a stream captures the subject.
    pub async fn open(uri: NatsUri) -> Result<Self, SinkError> {
        let client = async_nats::ConnectOptions::new()
            .connection_timeout(CONNECT_TIMEOUT)
            .name("newsflow")
            .connect(uri.server.as_str())
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
            client,
            jetstream,
        })
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
                    let payload = record.json.clone().into_bytes().into();
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
                    let payload = record.json.clone().into_bytes().into();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_nats_uris() {
        let u = NatsUri::parse("nats://127.0.0.1:4222/news.tagged?stream=NEWS").unwrap();
        assert_eq!(u.server, "127.0.0.1:4222");
        assert_eq!(u.subject, "news.tagged");
        assert_eq!(u.stream.as_deref(), Some("NEWS"));
        assert_eq!(
            NatsUri::parse("nats://broker/a").unwrap().server,
            "broker:4222"
        );
        for bad in [
            "nats://h:1",
            "nats://h:1/",
            "nats://h:1/a..b",
            "nats://h/a?x=1",
            "nats:///a",
        ] {
            assert!(NatsUri::parse(bad).is_err(), "{bad}");
        }
    }
}
