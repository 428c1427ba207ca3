//! JSON Lines on standard output, the default sink.

use pipeline::{Batch, Sink};
use tokio::io::{AsyncWriteExt, BufWriter, Stdout};

use crate::SinkError;

/// Output buffer: large enough that a batch is a handful of write calls.
const BUFFER_BYTES: usize = 256 << 10;

/// Writes one JSON record per line to standard output, flushed after every batch so that a
/// downstream reader sees records as they are produced.
#[derive(Debug)]
pub struct StdoutSink {
    /// The buffered stream.
    out: BufWriter<Stdout>,
}

impl StdoutSink {
    /// A sink on this process's standard output.
    pub fn new() -> Self {
        Self {
            out: BufWriter::with_capacity(BUFFER_BYTES, tokio::io::stdout()),
        }
    }
}

impl Default for StdoutSink {
    fn default() -> Self {
        Self::new()
    }
}

/// Writes a batch as JSON Lines into `out`; shared by the stdout and file sinks.
pub(crate) async fn write_lines<W: tokio::io::AsyncWrite + Unpin>(
    out: &mut W,
    batch: &Batch,
) -> std::io::Result<()> {
    for record in batch.iter() {
        out.write_all(record.json.as_bytes()).await?;
        out.write_all(b"\n").await?;
    }
    out.flush().await
}

impl Sink for StdoutSink {
    type Error = SinkError;

    fn name(&self) -> String {
        "stdout".into()
    }

    async fn write(&mut self, batch: Batch) -> Result<(), SinkError> {
        write_lines(&mut self.out, &batch)
            .await
            .map_err(|source| SinkError::Io {
                target: "stdout".into(),
                source,
            })
    }

    async fn finish(mut self) -> Result<(), SinkError> {
        self.out.flush().await.map_err(|source| SinkError::Io {
            target: "stdout".into(),
            source,
        })
    }
}
