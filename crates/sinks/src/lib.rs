//! Where records go. Each sink is named after its protocol and implements
//! [`pipeline::Sink`]; [`AnySink`] dispatches the ones a user configured by URI.
//!
//! Layout:
//! - [`spec`]: parsing `--sink` URIs into [`SinkSpec`] and building sinks from them.
//! - [`stdout`], [`jsonl`]: JSON Lines to standard output or a file.
//! - [`html`]: a self-contained HTML report for people (entities highlighted, quotations
//!   with their speakers, top entities of the run), renamed into place at the end.
//! - [`sqlite`], [`postgres`]: the same relational schema (rows built once, in [`rows`]),
//!   upserted by article id, one transaction per batch.
//! - [`nats`]: one JSON message per article on a NATS subject, JetStream-acknowledged when a
//!   stream captures the subject.

pub mod html;
pub mod jsonl;
pub mod nats;
pub mod postgres;
pub mod rows;
pub mod spec;
pub mod sqlite;
pub mod stdout;

pub use spec::{AnySink, SinkOptions, SinkSpec};

/// Why a sink could not be built or could not write. A variant with a `source` shows it
/// through `source()` only, so a printed chain names each cause once.
#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    /// The `--sink` value is not a known URI.
    #[error("unknown sink {0:?}: expected stdout, null, jsonl:PATH, html:PATH, sqlite:PATH, postgres://USER@HOST:PORT/DB or nats://HOST:PORT/SUBJECT")]
    UnknownUri(String),
    /// A sink URI lacks its path.
    #[error("sink {0:?} needs a path, as in {0}out.jsonl")]
    MissingPath(String),
    /// Writing a file or stream failed.
    #[error("cannot write {target}")]
    Io {
        /// The file or stream.
        target: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// An SQLite operation failed.
    #[error("sqlite database {path}")]
    Sqlite {
        /// The database path.
        path: String,
        /// The SQLite error.
        source: rusqlite::Error,
    },
    /// A PostgreSQL operation failed.
    #[error("postgres {target}")]
    Postgres {
        /// The server and database, without credentials.
        target: String,
        /// The driver's error.
        source: tokio_postgres::Error,
    },
    /// A NATS operation failed.
    #[error("nats {target}: {message}")]
    Nats {
        /// The server and subject.
        target: String,
        /// What failed.
        message: String,
        /// Whether the failure may pass (timeouts, lost connections).
        transient: bool,
    },
    /// A sink URI is malformed.
    #[error("invalid sink URI {uri:?}: {reason}")]
    InvalidUri {
        /// The URI as given.
        uri: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A blocking task of the sink died; a bug.
    #[error("internal error in sink {0}")]
    Internal(String),
}
