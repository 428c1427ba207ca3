//! The source behind `newsflow run`: every input kind, each format detected from content.
//!
//! Files and stdin are sniffed: JSON Lines are streamed line by line (any size), anything
//! else is read whole (up to [`MAX_FEED_BYTES`]) and parsed as a feed on a blocking thread.
//! URLs are fetched, and with `follow` polled until shutdown, emitting only items not seen
//! before.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use article::Origin;
use pipeline::{CancellationToken, Payload, Source, SourceSender};
use tokio::io::{AsyncRead, AsyncReadExt, BufReader};

use crate::decode::MAX_FEED_BYTES;
use crate::feed::{parse_feed, FeedError, ParsedFeed};
use crate::http::{Fetched, Fetcher, DEFAULT_USER_AGENT};
use crate::jsonl::{read_lines, MAX_RECORD_BYTES, READ_BUFFER_BYTES};
use crate::state::FollowState;
use crate::{IngestError, Input};

/// How much of an input is read to decide its format. A JSON Feed names its version near
/// the top; a JSON Lines record's first line is usually complete within this.
const SNIFF_BYTES: usize = 8 << 10;

/// How much of a rejected document goes into its dead letter.
const DEAD_LETTER_PREFIX_BYTES: usize = 1024;

/// The default time between two polls of a followed feed: feeds rarely change faster, and
/// polite clients do not poll more often.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(300);

/// The origin line used for problems with a whole document rather than one of its items.
pub const WHOLE_DOCUMENT: u64 = 0;

/// How feed URLs are read.
#[derive(Debug, Clone)]
pub struct FeedOptions {
    /// Keep polling URL inputs every `interval` until shutdown.
    pub follow: bool,
    /// Time between polls.
    pub interval: Duration,
    /// Where seen ids and HTTP validators persist between runs.
    pub state: Option<PathBuf>,
    /// The User-Agent header sent.
    pub user_agent: String,
    /// The first retry delay after a network error (tests shorten it).
    pub first_backoff: Duration,
}

impl Default for FeedOptions {
    fn default() -> Self {
        Self {
            follow: false,
            interval: DEFAULT_INTERVAL,
            state: None,
            user_agent: DEFAULT_USER_AGENT.to_string(),
            first_backoff: crate::http::FIRST_BACKOFF,
        }
    }
}

/// Reads files, stdin and URLs, whatever their format: JSON Lines, RSS, Atom, RDF or JSON
/// Feed.
#[derive(Debug)]
pub struct InputSource {
    /// The inputs, read in order.
    inputs: Vec<Input>,
    /// How URLs are polled.
    options: FeedOptions,
}

impl InputSource {
    /// A source over `inputs`.
    pub fn new(inputs: Vec<Input>, options: FeedOptions) -> Self {
        Self { inputs, options }
    }
}

/// What the first bytes of an input say it is.
#[derive(Debug, PartialEq, Eq)]
enum Format {
    /// One JSON object per line.
    JsonLines,
    /// A document read whole: XML feed, JSON Feed, gzip, or something to reject.
    Document,
    /// Nothing but whitespace.
    Empty,
}

/// Lines of a multi-line JSON document read before deciding it is not a JSON Feed (whose
/// `version` comes first or close to it).
const SNIFF_LINES: usize = 16;

/// Decides the format from an input's first bytes (`complete` when they are all of it), or
/// `None` when more bytes are needed. It decides as early as it can, so a JSON Lines stream
/// on an open stdin flows as soon as its first line has arrived.
fn sniff(prefix: &[u8], complete: bool) -> Option<Format> {
    let decided = |format| Some(format);
    if crate::decode::is_gzip(prefix) {
        return decided(Format::Document);
    }
    let text = prefix.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(prefix);
    let Some(start) = text.iter().position(|b| !b.is_ascii_whitespace()) else {
        return complete.then_some(Format::Empty);
    };
    if text[start] != b'{' {
        return decided(Format::Document);
    }
    let body = &text[start..];
    let newline = body.iter().position(|&b| b == b'\n');
    let first_line = &body[..newline.unwrap_or(body.len())];
    let line_complete = complete || newline.is_some();
    if !line_complete {
        return None;
    }
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(first_line) {
        // A one-line object: a JSON Lines record, unless it is a whole JSON Feed.
        let json_feed = v
            .get("version")
            .and_then(serde_json::Value::as_str)
            .is_some_and(|s| s.contains("jsonfeed.org"));
        return decided(if json_feed {
            Format::Document
        } else {
            Format::JsonLines
        });
    }
    // A pretty-printed object spans lines: a JSON Feed if it says so near the top.
    // Otherwise it is JSON Lines with a bad first line, which that reader reports.
    if memchr_str(body, b"jsonfeed.org/version") {
        return decided(Format::Document);
    }
    let lines = body.iter().filter(|&&b| b == b'\n').count();
    (complete || lines >= SNIFF_LINES || prefix.len() >= SNIFF_BYTES).then_some(Format::JsonLines)
}

/// Whether `needle` occurs in `haystack`.
fn memchr_str(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Sending stopped because the pipeline closed (a sink failed; it reports why).
struct Stopped;

impl Source for InputSource {
    type Error = IngestError;

    async fn run(
        self,
        mut out: SourceSender,
        shutdown: CancellationToken,
    ) -> Result<(), IngestError> {
        let urls: Vec<&str> = self
            .inputs
            .iter()
            .filter_map(|i| match i {
                Input::Url(url) => Some(url.as_str()),
                _ => None,
            })
            .collect();
        let mut poller = if urls.is_empty() {
            None
        } else {
            Some(Poller::new(&self.options)?)
        };
        for input in &self.inputs {
            if shutdown.is_cancelled() {
                return Ok(());
            }
            let name: Arc<str> = Arc::from(input.to_string());
            let result = match input {
                Input::Stdin => {
                    read_input(tokio::io::stdin(), name, true, &mut out, &shutdown).await
                }
                Input::File(path) => {
                    let file =
                        tokio::fs::File::open(path)
                            .await
                            .map_err(|source| IngestError::Open {
                                path: path.clone(),
                                source,
                            })?;
                    read_input(file, name, false, &mut out, &shutdown).await
                }
                Input::Url(url) => match poller.as_mut() {
                    Some(poller) => poller.poll(url, &mut out, &shutdown).await,
                    None => Ok(Ok(())),
                },
            };
            if result?.is_err() {
                return Ok(());
            }
        }
        let Some(mut poller) = poller.filter(|_| self.options.follow) else {
            return Ok(());
        };
        loop {
            tokio::select! {
                biased;
                _ = shutdown.cancelled() => return Ok(()),
                _ = tokio::time::sleep(self.options.interval) => {}
            }
            for url in &urls {
                if shutdown.is_cancelled() {
                    return Ok(());
                }
                if poller.poll(url, &mut out, &shutdown).await?.is_err() {
                    return Ok(());
                }
            }
        }
    }
}

/// Reads one file or stdin: sniffs the format, then streams JSON Lines or parses a
/// document. The outer error ends the run (I/O failure); the inner one means the pipeline
/// closed.
async fn read_input<R: AsyncRead + Unpin>(
    mut reader: R,
    name: Arc<str>,
    is_stdin: bool,
    out: &mut SourceSender,
    shutdown: &CancellationToken,
) -> Result<Result<(), Stopped>, IngestError> {
    let read_err = |source| IngestError::Read {
        input: name.to_string(),
        line: 1,
        source,
    };
    let mut prefix = Vec::with_capacity(SNIFF_BYTES);
    let mut chunk = vec![0u8; SNIFF_BYTES];
    let mut complete = false;
    // Read only as much as it takes to decide: stdin may be a stream that stays open.
    let format = loop {
        if let Some(format) = sniff(&prefix, complete) {
            break format;
        }
        let n = tokio::select! {
            biased;
            _ = shutdown.cancelled() => return Ok(Ok(())),
            r = reader.read(&mut chunk) => r.map_err(read_err)?,
        };
        complete = n == 0;
        prefix.extend_from_slice(&chunk[..n]);
    };
    drop(chunk);
    match format {
        Format::JsonLines => {
            let chained = std::io::Cursor::new(prefix).chain(reader);
            let buffered = BufReader::with_capacity(READ_BUFFER_BYTES, chained);
            read_lines(buffered, name, MAX_RECORD_BYTES, out, shutdown).await?;
            Ok(Ok(()))
        }
        // Empty stdin is an empty stream (as it always was); an empty file is a mistake.
        Format::Empty if is_stdin => Ok(Ok(())),
        Format::Empty | Format::Document => {
            let mut bytes = prefix;
            let complete = complete
                || tokio::select! {
                    biased;
                    _ = shutdown.cancelled() => return Ok(Ok(())),
                    r = read_up_to(&mut reader, &mut bytes, MAX_FEED_BYTES + 1) => r.map_err(read_err)?,
                };
            out.add_bytes(bytes.len() as u64);
            if !complete || bytes.len() > MAX_FEED_BYTES {
                let error = format!(
                    "{name}: rejected: input is over the {MAX_FEED_BYTES}-byte limit for a feed"
                );
                tracing::warn!("{error}");
                return Ok(send_invalid(out, &name, WHOLE_DOCUMENT, error, &bytes).await);
            }
            Ok(send_document(out, &name, bytes, None).await)
        }
    }
}

/// Reads until `buf` holds `limit` bytes or the input ends; true when it ended.
async fn read_up_to<R: AsyncRead + Unpin>(
    reader: &mut R,
    buf: &mut Vec<u8>,
    limit: usize,
) -> std::io::Result<bool> {
    let want = limit.saturating_sub(buf.len()) as u64;
    let n = reader.take(want).read_to_end(buf).await?;
    Ok((n as u64) < want)
}

/// Parses a document off the async threads and sends its items (or its rejection).
/// `seen` filters items by id and records those sent, for followed URLs.
async fn send_document(
    out: &mut SourceSender,
    name: &Arc<str>,
    bytes: Vec<u8>,
    seen: Option<&mut crate::state::FeedState>,
) -> Result<(), Stopped> {
    let head = bytes[..bytes.len().min(DEAD_LETTER_PREFIX_BYTES)].to_vec();
    let parsed = tokio::task::spawn_blocking(move || parse_feed(&bytes))
        .await
        .unwrap_or_else(|e| Err(FeedError::Panic(e.to_string())));
    let feed = match parsed {
        Ok(feed) => feed,
        Err(e) => {
            let error = format!("rejected file: {e}");
            tracing::warn!(input = %name, "{error}");
            return send_invalid(out, name, WHOLE_DOCUMENT, error, &head).await;
        }
    };
    send_items(out, name, feed, seen).await
}

async fn send_items(
    out: &mut SourceSender,
    name: &Arc<str>,
    feed: ParsedFeed,
    mut seen: Option<&mut crate::state::FeedState>,
) -> Result<(), Stopped> {
    tracing::debug!(input = %name, format = feed.format, items = feed.items.len(), "feed parsed");
    let last = feed.items.last().map_or(0, |i| i.index);
    for item in feed.items {
        let origin = Origin {
            source: Arc::clone(name),
            line: item.index,
        };
        let payload = match item.result {
            Ok(article) => {
                if let Some(seen) = seen.as_deref_mut() {
                    if seen.has_seen(&article.id) {
                        out.count_skipped();
                        continue;
                    }
                    seen.mark_seen(&article.id);
                }
                Payload::Article(Box::new(article))
            }
            Err(error) => {
                if seen.is_some() {
                    // A followed feed repeats its items every poll; its rejected items were
                    // reported when first fetched.
                    continue;
                }
                Payload::Invalid {
                    error: format!("rejected item: {error}"),
                    raw: String::new(),
                }
            }
        };
        out.send(origin, payload).await.map_err(|_| Stopped)?;
    }
    if let Some(why) = feed.truncated {
        tracing::warn!(input = %name, "{why}");
        send_invalid(out, name, last + 1, why, b"").await?;
    }
    Ok(())
}

async fn send_invalid(
    out: &mut SourceSender,
    name: &Arc<str>,
    line: u64,
    error: String,
    raw: &[u8],
) -> Result<(), Stopped> {
    let origin = Origin {
        source: Arc::clone(name),
        line,
    };
    let raw = String::from_utf8_lossy(raw).into_owned();
    out.send(origin, Payload::Invalid { error, raw })
        .await
        .map_err(|_| Stopped)
}

/// Fetches URLs, remembering validators and seen ids.
struct Poller {
    /// The HTTP client.
    fetcher: Fetcher,
    /// Seen ids and validators per URL (loaded from and saved to `state_path`).
    state: FollowState,
    /// Where the state persists, if anywhere.
    state_path: Option<PathBuf>,
    /// Keep going after fetch errors (they are logged) rather than failing the run.
    follow: bool,
    /// URLs whose rejection was already reported, so a follower does not repeat it every poll.
    reported: HashSet<String>,
}

impl Poller {
    fn new(options: &FeedOptions) -> Result<Self, IngestError> {
        let state = match &options.state {
            Some(path) => FollowState::load(path)?,
            None => FollowState::default(),
        };
        Ok(Self {
            fetcher: Fetcher::new(&options.user_agent)?.with_first_backoff(options.first_backoff),
            state,
            state_path: options.state.clone(),
            follow: options.follow,
            reported: HashSet::new(),
        })
    }

    /// One poll of one URL. Without `follow`, a failed fetch fails the run (like an
    /// unreadable file); with it, the failure is logged and the next poll tries again.
    async fn poll(
        &mut self,
        url: &str,
        out: &mut SourceSender,
        shutdown: &CancellationToken,
    ) -> Result<Result<(), Stopped>, IngestError> {
        let name: Arc<str> = Arc::from(url);
        let validators = self.state.feed(url).validators();
        let fetched = match self.fetcher.fetch(url, &validators, shutdown).await {
            Ok(Some(fetched)) => fetched,
            Ok(None) => return Ok(Ok(())),
            Err(e) if self.follow => {
                tracing::warn!(%url, error = %e, "poll failed; trying again at the next interval");
                return Ok(Ok(()));
            }
            Err(e) => return Err(e.into()),
        };
        let Fetched::Body { bytes, validators } = fetched else {
            tracing::debug!(%url, "not modified");
            return Ok(Ok(()));
        };
        out.add_bytes(bytes.len() as u64);
        let head = bytes[..bytes.len().min(DEAD_LETTER_PREFIX_BYTES)].to_vec();
        let parsed = tokio::task::spawn_blocking(move || parse_feed(&bytes))
            .await
            .unwrap_or_else(|e| Err(FeedError::Panic(e.to_string())));
        let sent = match parsed {
            Ok(feed) => {
                self.reported.remove(url);
                let feed_state = self.state.feed(url);
                feed_state.set_validators(validators);
                send_items(out, &name, feed, Some(feed_state)).await
            }
            Err(e) => {
                let error = format!("rejected feed: {e}");
                tracing::warn!(%url, "{error}");
                if self.reported.insert(url.to_string()) {
                    send_invalid(out, &name, WHOLE_DOCUMENT, error, &head).await
                } else {
                    Ok(())
                }
            }
        };
        if let Some(path) = &self.state_path {
            self.state.save(path)?;
        }
        Ok(sent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(prefix: &str, complete: bool, expected: Option<Format>) {
        assert_eq!(sniff(prefix.as_bytes(), complete), expected, "{prefix:?}");
    }

    #[test]
    fn formats_are_sniffed_from_content_as_early_as_possible() {
        use Format::*;
        check("{\"id\": 1}\n{\"id\": 2}\n", true, Some(JsonLines));
        check("{\"id\": 1}\n", false, Some(JsonLines));
        check("\u{feff}  {\"id\": 1}", true, Some(JsonLines));
        check("{\"id\": 1, \"body\": \"cut off", false, None);
        check("{\"id\": 1, \"body\": \"cut off", true, Some(JsonLines));
        check("{broken json\n{\"id\":2}\n", true, Some(JsonLines));
        check("{broken json\n{\"id\":2}\n", false, None);
        check(
            "{\n  \"version\": \"https://jsonfeed.org/version/1.1\",\n",
            false,
            Some(Document),
        );
        check(
            "{\"version\": \"https://jsonfeed.org/version/1\", \"items\": []}",
            true,
            Some(Document),
        );
        check("<?xml version=\"1.0\"?><rss>", false, Some(Document));
        check("<", false, Some(Document));
        check("", true, Some(Empty));
        check("", false, None);
        check(" \n\t", true, Some(Empty));
        assert_eq!(sniff(b"\x1f\x8b\x08\0", true), Some(Document));
    }
}
