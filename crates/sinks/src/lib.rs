//! Where records go. Each sink is named after its protocol and implements
//! [`pipeline::Sink`]; [`AnySink`] dispatches the ones a user configured by URI.
//!
//! Layout:
//! - [`spec`]: parsing `--sink` URIs into [`SinkSpec`] and building sinks from them.
//! - [`stdout`], [`jsonl`]: JSON Lines to standard output or a file.
//! - [`sqlite`]: the relational schema in an SQLite file, upserted by article id.

pub mod jsonl;
pub mod spec;
pub mod sqlite;
pub mod stdout;

pub use spec::{AnySink, SinkSpec};

/// Why a sink could not be built or could not write.
#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    /// The `--sink` value is not a known URI.
    #[error("unknown sink {0:?}: expected stdout, jsonl:PATH or sqlite:PATH")]
    UnknownUri(String),
    /// A sink URI lacks its path.
    #[error("sink {0:?} needs a path, as in {0}out.jsonl")]
    MissingPath(String),
    /// Writing a file or stream failed.
    #[error("cannot write {target}: {source}")]
    Io {
        /// The file or stream.
        target: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// An SQLite operation failed.
    #[error("sqlite database {path}: {source}")]
    Sqlite {
        /// The database path.
        path: String,
        /// The SQLite error.
        source: rusqlite::Error,
    },
    /// A blocking task of the sink died; a bug.
    #[error("internal error in sink {0}")]
    Internal(String),
}
