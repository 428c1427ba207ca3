//! Sinks receive batches of finished records.

use std::future::Future;
use std::ops::Deref;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use article::Document;

use crate::source::Acknowledge;

/// One finished article: the analysed document and its JSON line, rendered once on a worker
/// thread so that every sink shares the same bytes.
#[derive(Debug)]
pub struct Record {
    /// The analysed article.
    pub doc: Document,
    /// The output record as one line of JSON, without the newline.
    pub json: String,
}

/// A batch of records, shared by every sink of a fan-out. It dereferences to the records.
///
/// It also carries the upstream acknowledgements of its records (a broker's messages):
/// they are sent only once every sink has written the batch, so nothing is acknowledged
/// that was not stored.
#[derive(Clone)]
pub struct Batch {
    inner: Arc<BatchInner>,
}

struct BatchInner {
    /// The records, in writing order.
    records: Vec<Record>,
    /// Sinks that have not yet written the batch.
    pending_sinks: AtomicUsize,
    /// Acknowledgements to send when the last sink is done.
    acks: Mutex<Vec<Box<dyn Acknowledge>>>,
}

impl std::fmt::Debug for Batch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batch")
            .field("records", &self.inner.records.len())
            .finish()
    }
}

impl Batch {
    /// A batch to be written by `sinks` sinks, acknowledging `acks` upstream afterwards.
    pub fn new(records: Vec<Record>, sinks: usize, acks: Vec<Box<dyn Acknowledge>>) -> Self {
        Self {
            inner: Arc::new(BatchInner {
                records,
                pending_sinks: AtomicUsize::new(sinks),
                acks: Mutex::new(acks),
            }),
        }
    }

    /// Records that one sink has written the batch; the last sink's call sends the
    /// acknowledgements and waits until they are confirmed.
    pub async fn sink_done(&self) {
        if self.inner.pending_sinks.fetch_sub(1, Ordering::AcqRel) != 1 {
            return;
        }
        let acks = match self.inner.acks.lock() {
            Ok(mut acks) => std::mem::take(&mut *acks),
            Err(poisoned) => std::mem::take(&mut *poisoned.into_inner()),
        };
        for ack in acks {
            ack.ack().await;
        }
    }
}

impl Deref for Batch {
    type Target = [Record];

    fn deref(&self) -> &[Record] {
        &self.inner.records
    }
}

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
