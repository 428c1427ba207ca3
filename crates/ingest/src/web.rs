//! Web inputs of [`crate::InputSource`]: a saved HTML page (one article) and a WARC archive
//! (one article per HTML 200 response), both extracted by `extract` off the async threads.

use std::io::{BufRead, BufReader, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use article::Origin;
use pipeline::{CancellationToken, Payload, SourceSender};
use tokio::io::AsyncRead;

use crate::counts::InputCounts;
use crate::jsonl::READ_BUFFER_BYTES;
use crate::page::page_article;
use crate::source::{send_invalid, Stopped, WHOLE_DOCUMENT};
use crate::warc::{Entry, WarcError, WarcReader, MAX_PAGE_BYTES};

/// Records extracted ahead of the pipeline by the WARC reader thread: enough to keep the
/// reader busy while the channel to the workers is briefly full, few enough that memory is a
/// few pages, not the archive.
const WARC_QUEUE: usize = 16;

/// Extracts one page (plain or gzip bytes) and sends it as one article, or its rejection.
pub(crate) async fn send_page(
    out: &mut SourceSender,
    name: &Arc<str>,
    bytes: Vec<u8>,
    url: Option<String>,
) -> Result<(), Stopped> {
    let extracted = tokio::task::spawn_blocking(move || {
        let html = if crate::decode::is_gzip(&bytes) {
            crate::decode::gunzip(&bytes, MAX_PAGE_BYTES).map_err(|e| e.to_string())?
        } else {
            bytes
        };
        page_article(&html, None, url.as_deref(), None, None).map_err(|e| e.to_string())
    })
    .await
    .unwrap_or_else(|e| Err(format!("extraction failed: {e}")));
    match extracted {
        Ok(article) => {
            let origin = Origin {
                source: Arc::clone(name),
                line: 1,
            };
            out.send(origin, Payload::Article(Box::new(article)))
                .await
                .map_err(|_| Stopped)
        }
        Err(why) => {
            let error = format!("rejected page: {why}");
            tracing::warn!(input = %name, "{error}");
            send_invalid(out, name, WHOLE_DOCUMENT, error, b"").await
        }
    }
}

/// What the WARC thread hands the async side for one record.
// One record at a time crosses this queue; boxing the article would cost an allocation per
// page to save a few hundred bytes.
#[allow(clippy::large_enum_variant)]
enum Record {
    /// An article, or why its page was rejected.
    Page(u64, Result<article::Article, String>),
    /// A record that is not an article.
    Skipped(&'static str),
    /// Where the archive broke; nothing follows.
    Broken(WarcError),
}

/// Counts the bytes read from the archive as stored, for the progress bar.
struct Counting<R> {
    /// The raw input.
    inner: R,
    /// Bytes read so far.
    read: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Streams a WARC archive: a blocking thread reads and extracts one record at a time, the
/// async side sends the articles; skipped records are counted, rejected pages and a break
/// in the archive are dead letters. The outer result is always `Ok`: a broken archive is
/// bad input, not an I/O failure of the run.
pub(crate) async fn read_warc<R: AsyncRead + Unpin + Send + 'static>(
    reader: R,
    gzip: bool,
    name: Arc<str>,
    out: &mut SourceSender,
    shutdown: &CancellationToken,
    counts: &Arc<InputCounts>,
) -> Result<(), Stopped> {
    let read = Arc::new(AtomicU64::new(0));
    let raw = Counting {
        inner: tokio_util::io::SyncIoBridge::new(reader),
        read: Arc::clone(&read),
    };
    let (tx, mut rx) = tokio::sync::mpsc::channel(WARC_QUEUE);
    let reader_thread = tokio::task::spawn_blocking(move || {
        let raw = BufReader::with_capacity(READ_BUFFER_BYTES, raw);
        let decompressed: Box<dyn BufRead> = if gzip {
            Box::new(BufReader::with_capacity(
                READ_BUFFER_BYTES,
                flate2::read::MultiGzDecoder::new(raw),
            ))
        } else {
            Box::new(raw)
        };
        let mut warc = WarcReader::new(decompressed);
        while let Some(entry) = warc.next_entry() {
            let record = match entry {
                Ok((n, Entry::Page(page))) => {
                    let article = page_article(
                        &page.html,
                        page.charset,
                        page.target_uri.as_deref(),
                        page.date.as_deref(),
                        page.record_id.as_deref(),
                    );
                    Record::Page(n, article.map_err(|e| format!("rejected page: {e}")))
                }
                Ok((n, Entry::Rejected(why))) => {
                    Record::Page(n, Err(format!("rejected page: {why}")))
                }
                Ok((_, Entry::Skipped(reason))) => Record::Skipped(reason),
                Err(e) => Record::Broken(e),
            };
            // A closed channel means the run stopped: stop reading.
            if tx.blocking_send(record).is_err() {
                return;
            }
        }
    });
    let mut counted = 0;
    loop {
        let record = tokio::select! {
            biased;
            _ = shutdown.cancelled() => break,
            record = rx.recv() => record,
        };
        let Some(record) = record else { break };
        let now = read.load(Ordering::Relaxed);
        out.add_bytes(now - counted);
        counted = now;
        match record {
            Record::Page(n, Ok(article)) => {
                let origin = Origin {
                    source: Arc::clone(&name),
                    line: n,
                };
                out.send(origin, Payload::Article(Box::new(article)))
                    .await
                    .map_err(|_| Stopped)?;
            }
            Record::Page(n, Err(error)) => {
                tracing::warn!(input = %name, record = n, "{error}");
                send_invalid(out, &name, n, error, b"").await?;
            }
            Record::Skipped(reason) => counts.skip_warc(reason),
            Record::Broken(e) => {
                let error = e.to_string();
                tracing::warn!(input = %name, "{error}; records before it were read");
                send_invalid(out, &name, e.record(), error, b"").await?;
            }
        }
    }
    drop(rx);
    // The thread ends at its next record once the channel is closed; a read blocked on an
    // open stdin is left to the runtime's shutdown.
    if !shutdown.is_cancelled() {
        let _ = reader_thread.await;
    }
    Ok(())
}
