//! Sinks receive batches of finished records.

use std::future::Future;
use std::sync::Arc;

use article::Document;

/// One finished article: the analysed document and its JSON line, rendered once on a worker
/// thread so that every sink shares the same bytes.
#[derive(Debug)]
pub struct Record {
    /// The analysed article.
    pub doc: Document,
    /// The output record as one line of JSON, without the newline.
    pub json: String,
}

/// A batch of records, shared by every sink of a fan-out.
pub type Batch = Arc<Vec<Record>>;

/// A destination for records.
///
/// `write` is awaited before the next batch is handed over, which is what pushes back on the
/// rest of the pipeline; `finish` flushes and commits once the input has ended. One required
/// method pair, no registry: the binary dispatches configured sinks through an enum.
pub trait Sink: Send + 'static {
    /// The error that stops the sink.
    type Error: std::error::Error + Send + Sync + 'static;

    /// A name for messages, such as `sqlite:out.db`.
    fn name(&self) -> String;

    /// Writes one batch durably enough that a later `finish` can commit it.
    fn write(&mut self, batch: Batch) -> impl Future<Output = Result<(), Self::Error>> + Send;

    /// Whether a failed `write` may be tried again with the same batch: only when writing a
    /// batch twice is harmless (the sink upserts or de-duplicates) and the error can pass
    /// (a lost connection, a timeout). The default, `false`, fails the run at once.
    fn retryable(&self, error: &Self::Error) -> bool {
        let _ = error;
        false
    }

    /// Flushes and closes; called once, after the last batch.
    fn finish(self) -> impl Future<Output = Result<(), Self::Error>> + Send;
}
