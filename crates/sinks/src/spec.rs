//! `--sink` URIs and the enum that dispatches the configured sinks.

use std::path::PathBuf;

use pipeline::{Batch, Sink};

use crate::html::HtmlSink;
use crate::jsonl::JsonlSink;
use crate::nats::{NatsPayload, NatsSink};
use crate::postgres::{PostgresSink, PostgresTarget};
use crate::sqlite::SqliteSink;
use crate::stdout::StdoutSink;
use crate::SinkError;
use ::nats::NatsUri;

/// A sink as configured, before anything is opened.
#[derive(Debug, Clone)]
pub enum SinkSpec {
    /// `null`: discards records (benchmarks, dry runs).
    Null,
    /// `stdout`: JSON Lines on standard output.
    Stdout,
    /// `jsonl:PATH`: JSON Lines appended to a file.
    Jsonl(PathBuf),
    /// `sqlite:PATH`: the relational schema in an SQLite file.
    Sqlite(PathBuf),
    /// `html:PATH`: a self-contained HTML report, renamed into place at the end.
    Html(PathBuf),
    /// `postgres://USER@HOST:PORT/DB`: the relational schema in PostgreSQL.
    Postgres(Box<PostgresTarget>),
    /// `nats://HOST:PORT/SUBJECT`: one message per article.
    Nats(NatsUri),
}

impl SinkSpec {
    /// Parses a `--sink` URI.
    pub fn parse(uri: &str) -> Result<Self, SinkError> {
        let path = |prefix: &str, rest: &str| {
            let rest = rest.strip_prefix("//").unwrap_or(rest);
            if rest.is_empty() {
                Err(SinkError::MissingPath(prefix.to_string()))
            } else {
                Ok(PathBuf::from(rest))
            }
        };
        match uri.split_once(':') {
            None if uri == "stdout" || uri == "-" => Ok(SinkSpec::Stdout),
            None if uri == "null" => Ok(SinkSpec::Null),
            Some(("jsonl", rest)) => path("jsonl:", rest).map(SinkSpec::Jsonl),
            Some(("sqlite", rest)) => path("sqlite:", rest).map(SinkSpec::Sqlite),
            Some(("html", rest)) => path("html:", rest).map(SinkSpec::Html),
            Some(("postgres" | "postgresql", _)) => {
                PostgresTarget::parse(uri).map(|t| SinkSpec::Postgres(Box::new(t)))
            }
            Some(("nats", _)) => {
                NatsUri::parse(uri)
                    .map(SinkSpec::Nats)
                    .map_err(|reason| SinkError::InvalidUri {
                        uri: uri.to_string(),
                        reason,
                    })
            }
            _ => Err(SinkError::UnknownUri(uri.to_string())),
        }
    }

    /// Opens the sink: creates files, connects, migrates schemas.
    pub async fn build(&self, options: &SinkOptions) -> Result<AnySink, SinkError> {
        Ok(match self {
            SinkSpec::Null => AnySink::Null,
            SinkSpec::Stdout => AnySink::Stdout(StdoutSink::new()),
            SinkSpec::Jsonl(path) => {
                AnySink::Jsonl(JsonlSink::open(path.clone(), options.rotate_bytes).await?)
            }
            SinkSpec::Sqlite(path) => AnySink::Sqlite(SqliteSink::open(path.clone()).await?),
            SinkSpec::Html(path) => AnySink::Html(HtmlSink::open(path.clone()).await?),
            SinkSpec::Postgres(target) => {
                AnySink::Postgres(PostgresSink::open((**target).clone()).await?)
            }
            SinkSpec::Nats(uri) => {
                AnySink::Nats(NatsSink::open(uri.clone(), NatsPayload::Record).await?)
            }
        })
    }
}

/// Settings that apply to every sink of a kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SinkOptions {
    /// Rotate `jsonl:` files once they reach this many bytes.
    pub rotate_bytes: Option<u64>,
}

/// The sink as users name it, without credentials.
impl std::fmt::Display for SinkSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SinkSpec::Null => f.write_str("null"),
            SinkSpec::Stdout => f.write_str("stdout"),
            SinkSpec::Jsonl(path) => write!(f, "jsonl:{}", path.display()),
            SinkSpec::Sqlite(path) => write!(f, "sqlite:{}", path.display()),
            SinkSpec::Html(path) => write!(f, "html:{}", path.display()),
            SinkSpec::Postgres(target) => write!(f, "postgres://{target}"),
            SinkSpec::Nats(uri) => write!(f, "nats://{}/{}", uri.server, uri.subject),
        }
    }
}

/// Every sink newsflow has, behind one type for the runtime.
#[derive(Debug)]
pub enum AnySink {
    /// Discards everything.
    Null,
    /// Standard output.
    Stdout(StdoutSink),
    /// A JSON Lines file.
    Jsonl(JsonlSink),
    /// An SQLite database.
    Sqlite(SqliteSink),
    /// An HTML report.
    Html(HtmlSink),
    /// A PostgreSQL database.
    Postgres(PostgresSink),
    /// A NATS subject.
    Nats(NatsSink),
}

impl Sink for AnySink {
    type Error = SinkError;

    fn name(&self) -> String {
        match self {
            AnySink::Null => "null".into(),
            AnySink::Stdout(s) => s.name(),
            AnySink::Jsonl(s) => s.name(),
            AnySink::Sqlite(s) => s.name(),
            AnySink::Html(s) => s.name(),
            AnySink::Postgres(s) => s.name(),
            AnySink::Nats(s) => s.name(),
        }
    }

    async fn write(&mut self, batch: Batch) -> Result<(), SinkError> {
        match self {
            AnySink::Null => Ok(()),
            AnySink::Stdout(s) => s.write(batch).await,
            AnySink::Jsonl(s) => s.write(batch).await,
            AnySink::Sqlite(s) => s.write(batch).await,
            AnySink::Html(s) => s.write(batch).await,
            AnySink::Postgres(s) => s.write(batch).await,
            AnySink::Nats(s) => s.write(batch).await,
        }
    }

    fn retryable(&self, error: &SinkError) -> bool {
        match self {
            AnySink::Null => false,
            AnySink::Stdout(s) => s.retryable(error),
            AnySink::Jsonl(s) => s.retryable(error),
            AnySink::Sqlite(s) => s.retryable(error),
            AnySink::Html(s) => s.retryable(error),
            AnySink::Postgres(s) => s.retryable(error),
            AnySink::Nats(s) => s.retryable(error),
        }
    }

    async fn finish(self) -> Result<(), SinkError> {
        match self {
            AnySink::Null => Ok(()),
            AnySink::Stdout(s) => s.finish().await,
            AnySink::Jsonl(s) => s.finish().await,
            AnySink::Sqlite(s) => s.finish().await,
            AnySink::Html(s) => s.finish().await,
            AnySink::Postgres(s) => s.finish().await,
            AnySink::Nats(s) => s.finish().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn parses_sink_uris() {
        let parse = |uri: &str| SinkSpec::parse(uri).unwrap();
        assert!(matches!(parse("stdout"), SinkSpec::Stdout));
        assert!(matches!(parse("null"), SinkSpec::Null));
        assert!(
            matches!(parse("jsonl:out.jsonl"), SinkSpec::Jsonl(p) if p == Path::new("out.jsonl"))
        );
        assert!(
            matches!(parse("jsonl:///tmp/x.jsonl"), SinkSpec::Jsonl(p) if p == Path::new("/tmp/x.jsonl"))
        );
        assert!(
            matches!(parse("sqlite:news.db"), SinkSpec::Sqlite(p) if p == Path::new("news.db"))
        );
        assert!(
            matches!(parse("html:report.html"), SinkSpec::Html(p) if p == Path::new("report.html"))
        );
        assert!(matches!(
            SinkSpec::parse("html:"),
            Err(SinkError::MissingPath(_))
        ));
        assert!(matches!(
            parse("postgres://postgres@127.0.0.1:5432/test"),
            SinkSpec::Postgres(_)
        ));
        assert!(matches!(
            parse("nats://127.0.0.1:4222/news.out"),
            SinkSpec::Nats(_)
        ));
        assert!(matches!(
            SinkSpec::parse("kafka:x"),
            Err(SinkError::UnknownUri(_))
        ));
        assert!(matches!(
            SinkSpec::parse("sqlite:"),
            Err(SinkError::MissingPath(_))
        ));
    }
}
