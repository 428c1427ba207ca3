//! JSON Lines appended to a file, optionally rotated by size.

use std::path::{Path, PathBuf};

use pipeline::{Batch, Sink};
use tokio::io::{AsyncWriteExt, BufWriter};

use crate::stdout::write_lines;
use crate::SinkError;

/// Output buffer per file.
const BUFFER_BYTES: usize = 256 << 10;

/// Appends one JSON record per line to a file (created if missing), handed to the OS after
/// every batch and synced to disk when rotated and at the end.
///
/// With a rotation size, once the file has reached it after a batch, the file is synced and
/// renamed to `PATH.1` (then `PATH.2`, ...: the highest number is the newest) and a new
/// `PATH` is started. Rotation happens between batches, so no record is ever split.
#[derive(Debug)]
pub struct JsonlSink {
    /// The live file's path.
    path: PathBuf,
    /// The open file.
    out: BufWriter<tokio::fs::File>,
    /// Bytes in the live file.
    size: u64,
    /// Rotate once the live file holds this many bytes.
    rotate_bytes: Option<u64>,
    /// Whether the path is a regular file. Only those are synced and rotated: `fsync` on
    /// `/dev/null`, a pipe or a terminal fails with EINVAL, and renaming `/dev/stdout`
    /// would be wrong, yet writing there is a normal way to benchmark or to pipe.
    regular: bool,
}

impl JsonlSink {
    /// Opens (or creates) `path` for appending; `rotate_bytes` turns on rotation.
    pub async fn open(path: PathBuf, rotate_bytes: Option<u64>) -> Result<Self, SinkError> {
        let (out, size, regular) = open_append(&path).await?;
        Ok(Self {
            path,
            out,
            size,
            rotate_bytes: rotate_bytes.filter(|&n| n > 0 && regular),
            regular,
        })
    }

    fn io_error(&self, source: std::io::Error) -> SinkError {
        SinkError::Io {
            target: self.path.display().to_string(),
            source,
        }
    }

    async fn rotate(&mut self) -> Result<(), SinkError> {
        self.out.flush().await.map_err(|e| self.io_error(e))?;
        self.out
            .get_ref()
            .sync_all()
            .await
            .map_err(|e| self.io_error(e))?;
        let mut n = 1;
        let rotated = loop {
            let candidate = numbered(&self.path, n);
            if !tokio::fs::try_exists(&candidate)
                .await
                .map_err(|e| self.io_error(e))?
            {
                break candidate;
            }
            n += 1;
        };
        tokio::fs::rename(&self.path, &rotated)
            .await
            .map_err(|e| self.io_error(e))?;
        let (out, size, _) = open_append(&self.path).await?;
        self.out = out;
        self.size = size;
        tracing::info!(
            "jsonl: rotated {} to {}",
            self.path.display(),
            rotated.display()
        );
        Ok(())
    }
}

fn numbered(path: &Path, n: u32) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".{n}"));
    PathBuf::from(name)
}

/// Opens `path` for appending: the writer, the bytes already in it, and whether it is a
/// regular file.
async fn open_append(path: &Path) -> Result<(BufWriter<tokio::fs::File>, u64, bool), SinkError> {
    let io = |source| SinkError::Io {
        target: path.display().to_string(),
        source,
    };
    let file = tokio::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .await
        .map_err(io)?;
    let meta = file.metadata().await.map_err(io)?;
    let regular = meta.is_file();
    let size = if regular { meta.len() } else { 0 };
    Ok((BufWriter::with_capacity(BUFFER_BYTES, file), size, regular))
}

impl Sink for JsonlSink {
    type Error = SinkError;

    fn name(&self) -> String {
        format!("jsonl:{}", self.path.display())
    }

    async fn write(&mut self, batch: Batch) -> Result<(), SinkError> {
        let result = write_lines(&mut self.out, &batch).await;
        result.map_err(|e| self.io_error(e))?;
        self.size += batch.iter().map(|r| r.json.len() as u64 + 1).sum::<u64>();
        if self.rotate_bytes.is_some_and(|limit| self.size >= limit) {
            self.rotate().await?;
        }
        Ok(())
    }

    async fn finish(mut self) -> Result<(), SinkError> {
        let flushed = self.out.flush().await;
        flushed.map_err(|e| self.io_error(e))?;
        if !self.regular {
            return Ok(());
        }
        let synced = self.out.get_ref().sync_all().await;
        synced.map_err(|e| self.io_error(e))
    }
}
