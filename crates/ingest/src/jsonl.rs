//! The JSON Lines reader: one article per line, streamed; [`crate::InputSource`] hands it
//! every input [`crate::sniff`] finds to be JSON Lines.

use std::sync::Arc;

use article::Origin;
use pipeline::{CancellationToken, Payload, SourceSender};
use tokio::io::{AsyncBufRead, AsyncBufReadExt};

use crate::IngestError;

/// The longest record read into memory. Longer lines are skipped up to their newline and
/// dead-lettered: one runaway line must not exhaust memory, and no news article is this big.
pub const MAX_RECORD_BYTES: usize = 32 << 20;

/// Size of the read buffer per input: large reads keep syscalls off the profile.
pub(crate) const READ_BUFFER_BYTES: usize = 256 << 10;

/// How much of an over-long record is kept in its dead letter.
const DEAD_LETTER_PREFIX_BYTES: usize = 1024;

/// What reading one line found.
enum Line {
    /// End of input.
    Eof,
    /// A complete line (without its line ending) is in the buffer.
    Complete,
    /// The line exceeded the limit; its first bytes are in the buffer, `len` is its length.
    TooLong { len: usize },
}

/// Sends each non-blank line of `reader` as a record, over-long or non-UTF-8 lines as
/// rejections, until the input ends or the pipeline closes.
pub(crate) async fn read_lines<R: AsyncBufRead + Unpin>(
    mut reader: R,
    name: Arc<str>,
    max: usize,
    out: &mut SourceSender,
    shutdown: &CancellationToken,
) -> Result<(), IngestError> {
    let mut buf = Vec::new();
    let mut line_no = 0u64;
    loop {
        buf.clear();
        let line = tokio::select! {
            biased;
            _ = shutdown.cancelled() => return Ok(()),
            line = read_line(&mut reader, &mut buf, max, out) => line,
        };
        line_no += 1;
        let line = line.map_err(|source| IngestError::Read {
            input: name.to_string(),
            line: line_no,
            source,
        })?;
        let origin = Origin {
            source: Arc::clone(&name),
            line: line_no,
        };
        let payload = match line {
            Line::Eof => return Ok(()),
            Line::TooLong { len } => Payload::Invalid {
                error: format!("record is {len} bytes, over the {max}-byte limit"),
                raw: String::from_utf8_lossy(&buf[..buf.len().min(DEAD_LETTER_PREFIX_BYTES)])
                    .into_owned(),
            },
            Line::Complete => {
                if line_no == 1 && buf.starts_with(b"\xEF\xBB\xBF") {
                    buf.drain(..3);
                }
                if buf.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                match String::from_utf8(std::mem::take(&mut buf)) {
                    Ok(text) => Payload::Json(text),
                    Err(e) => Payload::Invalid {
                        error: format!(
                            "invalid UTF-8 at byte {} of the line",
                            e.utf8_error().valid_up_to()
                        ),
                        raw: String::from_utf8_lossy(e.as_bytes()).into_owned(),
                    },
                }
            }
        };
        if out.send(origin, payload).await.is_err() {
            // The pipeline stopped (a sink failed); it reports why.
            return Ok(());
        }
    }
}

/// Reads one line into `buf` without its `\n` or `\r\n`, keeping at most `max` bytes.
async fn read_line<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    buf: &mut Vec<u8>,
    max: usize,
    out: &SourceSender,
) -> std::io::Result<Line> {
    let mut len = 0usize;
    let mut saw_any = false;
    loop {
        let available = reader.fill_buf().await?;
        if available.is_empty() {
            break;
        }
        saw_any = true;
        let (chunk, used, done) = match available.iter().position(|&b| b == b'\n') {
            Some(i) => (&available[..i], i + 1, true),
            None => (available, available.len(), false),
        };
        len += chunk.len();
        let room = max.saturating_sub(buf.len());
        buf.extend_from_slice(&chunk[..chunk.len().min(room)]);
        reader.consume(used);
        out.add_bytes(used as u64);
        if done {
            break;
        }
    }
    if !saw_any {
        return Ok(Line::Eof);
    }
    if buf.last() == Some(&b'\r') && len <= max {
        buf.pop();
    }
    if len > max {
        return Ok(Line::TooLong { len });
    }
    Ok(Line::Complete)
}
