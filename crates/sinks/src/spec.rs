//! `--sink` URIs and the enum that dispatches the configured sinks.

use std::path::PathBuf;

use pipeline::{Batch, Sink};

use crate::jsonl::JsonlSink;
use crate::sqlite::SqliteSink;
use crate::stdout::StdoutSink;
use crate::SinkError;

/// A sink as configured, before anything is opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SinkSpec {
    /// `stdout`: JSON Lines on standard output.
    Stdout,
    /// `jsonl:PATH`: JSON Lines appended to a file.
    Jsonl(PathBuf),
    /// `sqlite:PATH`: the relational schema in an SQLite file.
    Sqlite(PathBuf),
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
            Some(("jsonl", rest)) => path("jsonl:", rest).map(SinkSpec::Jsonl),
            Some(("sqlite", rest)) => path("sqlite:", rest).map(SinkSpec::Sqlite),
            _ => Err(SinkError::UnknownUri(uri.to_string())),
        }
    }

    /// Opens the sink: creates files, connects, migrates schemas.
    pub async fn build(&self) -> Result<AnySink, SinkError> {
        Ok(match self {
            SinkSpec::Stdout => AnySink::Stdout(StdoutSink::new()),
            SinkSpec::Jsonl(path) => AnySink::Jsonl(JsonlSink::open(path.clone()).await?),
            SinkSpec::Sqlite(path) => AnySink::Sqlite(SqliteSink::open(path.clone()).await?),
        })
    }
}

/// Every sink newsflow has, behind one type for the runtime.
#[derive(Debug)]
pub enum AnySink {
    /// Standard output.
    Stdout(StdoutSink),
    /// A JSON Lines file.
    Jsonl(JsonlSink),
    /// An SQLite database.
    Sqlite(SqliteSink),
}

impl Sink for AnySink {
    type Error = SinkError;

    fn name(&self) -> String {
        match self {
            AnySink::Stdout(s) => s.name(),
            AnySink::Jsonl(s) => s.name(),
            AnySink::Sqlite(s) => s.name(),
        }
    }

    async fn write(&mut self, batch: Batch) -> Result<(), SinkError> {
        match self {
            AnySink::Stdout(s) => s.write(batch).await,
            AnySink::Jsonl(s) => s.write(batch).await,
            AnySink::Sqlite(s) => s.write(batch).await,
        }
    }

    async fn finish(self) -> Result<(), SinkError> {
        match self {
            AnySink::Stdout(s) => s.finish().await,
            AnySink::Jsonl(s) => s.finish().await,
            AnySink::Sqlite(s) => s.finish().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sink_uris() {
        let ok: &[(&str, SinkSpec)] = &[
            ("stdout", SinkSpec::Stdout),
            ("jsonl:out.jsonl", SinkSpec::Jsonl("out.jsonl".into())),
            (
                "jsonl:///tmp/x.jsonl",
                SinkSpec::Jsonl("/tmp/x.jsonl".into()),
            ),
            ("sqlite:news.db", SinkSpec::Sqlite("news.db".into())),
        ];
        for (uri, want) in ok {
            assert_eq!(&SinkSpec::parse(uri).unwrap(), want, "{uri}");
        }
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
