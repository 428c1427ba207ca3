//! The NATS address shared by the source and the sinks: a subject is both where `newsflow
//! publish` and the `nats:` sink write and where the `nats:` source reads.
//!
//! Its own crate so that only the crates that talk to a broker (`ingest`, `sinks`) take
//! `async-nats`; the runtime (`pipeline`) and the NLP crates never do.

use std::time::Duration;

/// How long to wait for the NATS server when connecting.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A parsed `nats://HOST:PORT/SUBJECT[?stream=NAME&consumer=DURABLE&ack_wait=SECS]` URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NatsUri {
    /// `HOST:PORT` of the server.
    pub server: String,
    /// The subject to publish to or consume from.
    pub subject: String,
    /// `?stream=NAME`, when given.
    pub stream: Option<String>,
    /// `?consumer=DURABLE`, when given.
    pub consumer: Option<String>,
    /// `?ack_wait=SECS`: how long the broker waits for an acknowledgement before it
    /// redelivers, applied when the consumer is created.
    pub ack_wait_secs: Option<u64>,
}

impl NatsUri {
    /// Connects to the server, the one way the source and the sinks do it: a bounded wait,
    /// and the client named `newsflow` in the server's connection list.
    pub async fn connect(&self) -> Result<async_nats::Client, async_nats::ConnectError> {
        async_nats::ConnectOptions::new()
            .connection_timeout(CONNECT_TIMEOUT)
            .name("newsflow")
            .connect(self.server.as_str())
            .await
    }

    /// Parses the URI; the error says what is wrong with it.
    pub fn parse(uri: &str) -> Result<Self, String> {
        let rest = uri
            .strip_prefix("nats://")
            .ok_or("must start with nats://")?;
        let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (host, subject) = rest
            .split_once('/')
            .ok_or("needs a subject: nats://HOST:PORT/SUBJECT")?;
        let valid_subject = !subject.is_empty()
            && !subject.contains(char::is_whitespace)
            && subject.split('.').all(|token| !token.is_empty());
        if !valid_subject {
            return Err("the subject must be dot-separated tokens without spaces".into());
        }
        if host.is_empty() {
            return Err("needs a host".into());
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
            ack_wait_secs: None,
        };
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            match pair.split_once('=') {
                Some(("stream", name)) if valid_name(name) => parsed.stream = Some(name.into()),
                Some(("consumer", name)) if valid_name(name) => parsed.consumer = Some(name.into()),
                Some(("ack_wait", secs)) => match secs.parse::<u64>() {
                    Ok(secs) if secs > 0 => parsed.ack_wait_secs = Some(secs),
                    _ => {
                        return Err(format!(
                            "ack_wait must be a whole number of seconds: {secs}"
                        ))
                    }
                },
                _ => return Err(format!("unknown or invalid parameter {pair:?}")),
            }
        }
        Ok(parsed)
    }
}

/// Stream and consumer names: JetStream forbids spaces, dots, `*`, `>` and path separators.
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

impl std::fmt::Display for NatsUri {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "nats://{}/{}", self.server, self.subject)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_nats_uris() {
        let u = NatsUri::parse("nats://127.0.0.1:4222/news.raw?stream=NEWS&consumer=w").unwrap();
        assert_eq!(u.server, "127.0.0.1:4222");
        assert_eq!(u.subject, "news.raw");
        assert_eq!(u.stream.as_deref(), Some("NEWS"));
        assert_eq!(u.consumer.as_deref(), Some("w"));
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
            "nats://h/a?stream=a.b",
        ] {
            assert!(NatsUri::parse(bad).is_err(), "{bad}");
        }
    }
}
