//! JSON Lines appended to a file.

use std::path::PathBuf;

use pipeline::{Batch, Sink};
use tokio::io::{AsyncWriteExt, BufWriter};

use crate::stdout::write_lines;
use crate::SinkError;

/// Output buffer per file.
const BUFFER_BYTES: usize = 256 << 10;

/// Appends one JSON record per line to a file (created if missing), handed to the OS after
/// every batch and synced to disk at the end.
#[derive(Debug)]
pub struct JsonlSink {
    /// The file's path, for messages.
    path: PathBuf,
    /// The open file.
    out: BufWriter<tokio::fs::File>,
}

impl JsonlSink {
    /// Opens (or creates) `path` for appending.
    pub async fn open(path: PathBuf) -> Result<Self, SinkError> {
        let file = tokio::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .await
            .map_err(|source| SinkError::Io {
                target: path.display().to_string(),
                source,
            })?;
        Ok(Self {
            path,
            out: BufWriter::with_capacity(BUFFER_BYTES, file),
        })
    }

    fn io_error(&self, source: std::io::Error) -> SinkError {
        SinkError::Io {
            target: self.path.display().to_string(),
            source,
        }
    }
}

impl Sink for JsonlSink {
    type Error = SinkError;

    fn name(&self) -> String {
        format!("jsonl:{}", self.path.display())
    }

    async fn write(&mut self, batch: Batch) -> Result<(), SinkError> {
        let result = write_lines(&mut self.out, &batch).await;
        result.map_err(|e| self.io_error(e))
    }

    async fn finish(mut self) -> Result<(), SinkError> {
        let flushed = self.out.flush().await;
        flushed.map_err(|e| self.io_error(e))?;
        let synced = self.out.get_ref().sync_all().await;
        synced.map_err(|e| self.io_error(e))
    }
}
