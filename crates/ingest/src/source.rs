//! The source behind `newsflow run`: every input kind, each format detected from content.
//!
//! Files and stdin are sniffed ([`crate::sniff()`]): JSON Lines are streamed line by line
//! (any size), anything else is read whole (up to [`MAX_FEED_BYTES`]) and parsed as a feed
//! on a blocking thread.
//! URLs are fetched, and with `follow` polled until shutdown, emitting only items not seen
//! before.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use article::Origin;
use pipeline::{CancellationToken, Payload, Source, SourceSender};
use tokio::io::{AsyncRead, AsyncReadExt, BufReader};

use crate::counts::InputCounts;
use crate::decode::MAX_FEED_BYTES;
use crate::feed::{parse_feed, FeedError, ParsedFeed};
use crate::fetch::{FetchOptions, PageFetcher};
use crate::http::{Fetched, Fetcher, DEFAULT_USER_AGENT};
use crate::jsonl::{read_lines, MAX_RECORD_BYTES, READ_BUFFER_BYTES};
use crate::sniff::{sniff, Format, SNIFF_BYTES};
use crate::state::FollowState;
use crate::{IngestError, Input};

/// The largest read while sniffing. Each read asks for as much as the prefix holds
/// already, up to this: `sniff` rescans the whole prefix, and a first JSON Lines record
/// longer than one read (a 5 MB article) made fixed-size reads quadratic in its length.
const SNIFF_READ_MAX: usize = 1 << 20;

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
    /// What was passed over (WARC records, unfetchable pages), for the summary.
    pub counts: Arc<InputCounts>,
    /// `--fetch-articles`: fetch each feed item's linked page and use its text.
    pub fetch_articles: Option<FetchOptions>,
}

impl Default for FeedOptions {
    fn default() -> Self {
        Self {
            follow: false,
            interval: DEFAULT_INTERVAL,
            state: None,
            user_agent: DEFAULT_USER_AGENT.to_string(),
            first_backoff: crate::http::FIRST_BACKOFF,
            counts: Arc::default(),
            fetch_articles: None,
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

/// Sending stopped because the pipeline closed (a sink failed; it reports why).
pub(crate) struct Stopped;

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
        let fetcher = match &self.options.fetch_articles {
            Some(fetch) => Some(Arc::new(PageFetcher::new(
                fetch,
                &self.options.user_agent,
                Arc::clone(&self.options.counts),
            )?)),
            None => None,
        };
        let mut poller = if urls.is_empty() {
            None
        } else {
            Some(Poller::new(&self.options, fetcher.clone())?)
        };
        let counts = &self.options.counts;
        let fetcher = fetcher.as_deref();
        for input in &self.inputs {
            if shutdown.is_cancelled() {
                return Ok(());
            }
            let name: Arc<str> = Arc::from(input.to_string());
            let result = match input {
                Input::Stdin => {
                    read_input(
                        tokio::io::stdin(),
                        name,
                        true,
                        &mut out,
                        &shutdown,
                        counts,
                        fetcher,
                    )
                    .await
                }
                Input::File(path) => {
                    let file =
                        tokio::fs::File::open(path)
                            .await
                            .map_err(|source| IngestError::Open {
                                path: path.clone(),
                                source,
                            })?;
                    read_input(file, name, false, &mut out, &shutdown, counts, fetcher).await
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
async fn read_input<R: AsyncRead + Unpin + Send + 'static>(
    mut reader: R,
    name: Arc<str>,
    is_stdin: bool,
    out: &mut SourceSender,
    shutdown: &CancellationToken,
    counts: &Arc<InputCounts>,
    fetcher: Option<&PageFetcher>,
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
        if prefix.len() > chunk.len() && chunk.len() < SNIFF_READ_MAX {
            chunk.resize(prefix.len().min(SNIFF_READ_MAX), 0);
        }
    };
    drop(chunk);
    match format {
        Format::JsonLines => {
            let chained = std::io::Cursor::new(prefix).chain(reader);
            let buffered = BufReader::with_capacity(READ_BUFFER_BYTES, chained);
            read_lines(buffered, name, MAX_RECORD_BYTES, out, shutdown).await?;
            Ok(Ok(()))
        }
        Format::Warc => {
            let gzip = crate::decode::is_gzip(&prefix);
            let chained = std::io::Cursor::new(prefix).chain(reader);
            Ok(crate::web::read_warc(chained, gzip, name, out, shutdown, counts).await)
        }
        // Empty stdin is an empty stream (as it always was); an empty file is a mistake.
        Format::Empty if is_stdin => Ok(Ok(())),
        Format::Empty | Format::Document | Format::Page => {
            let mut bytes = prefix;
            let complete = complete
                || tokio::select! {
                    biased;
                    _ = shutdown.cancelled() => return Ok(Ok(())),
                    r = read_up_to(&mut reader, &mut bytes, MAX_FEED_BYTES + 1) => r.map_err(read_err)?,
                };
            out.add_bytes(bytes.len() as u64);
            if !complete || bytes.len() > MAX_FEED_BYTES {
                // The runtime logs every rejection it is sent, so none is logged here too.
                let error = format!("input is over the {MAX_FEED_BYTES}-byte limit for a feed");
                return Ok(send_invalid(out, &name, WHOLE_DOCUMENT, error, &bytes).await);
            }
            if format == Format::Page {
                return Ok(crate::web::send_page(out, &name, bytes, None).await);
            }
            Ok(send_document(out, &name, bytes, fetcher).await)
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

/// Parses a document off the async threads and sends its items (or its rejection), each
/// with its linked page's text when `fetcher` is given.
async fn send_document(
    out: &mut SourceSender,
    name: &Arc<str>,
    bytes: Vec<u8>,
    fetcher: Option<&PageFetcher>,
) -> Result<(), Stopped> {
    let head = bytes[..bytes.len().min(DEAD_LETTER_PREFIX_BYTES)].to_vec();
    let parsed = tokio::task::spawn_blocking(move || parse_feed(&bytes))
        .await
        .unwrap_or_else(|e| Err(FeedError::Panic(e.to_string())));
    let feed = match parsed {
        Ok(feed) => feed,
        Err(e) => {
            let error = format!("rejected file: {e}");
            return send_invalid(out, name, WHOLE_DOCUMENT, error, &head).await;
        }
    };
    let seen = Seen {
        ids: None,
        pages: None,
    };
    send_items(out, name, feed, seen, fetcher).await
}

/// What a followed URL has already delivered.
struct Seen<'a> {
    /// Item ids already sent: filtered out, and those sent now recorded.
    ids: Option<&'a mut crate::state::FeedState>,
    /// Linked pages already fetched (with `--fetch-articles`): their items are dropped.
    pages: Option<&'a mut crate::state::FeedState>,
}

/// Sends a parsed feed's items in order: new ones only when following, each with its linked
/// page's text when `fetcher` is given (pages fetched concurrently within its limits).
async fn send_items(
    out: &mut SourceSender,
    name: &Arc<str>,
    feed: ParsedFeed,
    seen: Seen<'_>,
    fetcher: Option<&PageFetcher>,
) -> Result<(), Stopped> {
    use futures_util::StreamExt;
    tracing::debug!(input = %name, format = feed.format, items = feed.items.len(), "feed parsed");
    let Seen {
        ids: mut seen,
        mut pages,
    } = seen;
    let last = feed.items.last().map_or(0, |i| i.index);
    let mut payloads = Vec::with_capacity(feed.items.len());
    for item in feed.items {
        let payload = match item.result {
            Ok(article) => {
                if let Some(seen) = seen.as_deref_mut() {
                    if seen.has_seen(&article.id) {
                        out.count_skipped();
                        continue;
                    }
                    seen.mark_seen(&article.id);
                }
                let fetched_before = fetcher.is_some()
                    && pages
                        .as_deref()
                        .zip(article.url.as_deref())
                        .is_some_and(|(pages, url)| pages.has_seen(url));
                if let (true, Some(fetcher)) = (fetched_before, fetcher) {
                    InputCounts::add(&fetcher.counts().pages_seen);
                    continue;
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
        payloads.push((item.index, payload));
    }
    let fetched = futures_util::stream::iter(payloads)
        .map(|(line, payload)| async move {
            match (payload, fetcher) {
                (Payload::Article(mut article), Some(fetcher)) => {
                    fetcher.enrich(&mut article).await;
                    (line, Payload::Article(article))
                }
                (payload, _) => (line, payload),
            }
        })
        .buffered(fetcher.map_or(1, PageFetcher::concurrency));
    let mut fetched = std::pin::pin!(fetched);
    while let Some((line, payload)) = fetched.next().await {
        if let (Payload::Article(article), Some(pages)) = (&payload, pages.as_deref_mut()) {
            let from_page = article.extra.get(crate::page::TEXT_SOURCE)
                == Some(&serde_json::Value::from("page"));
            if let (true, Some(url)) = (from_page, article.url.as_deref()) {
                pages.mark_seen(url);
            }
        }
        let origin = Origin {
            source: Arc::clone(name),
            line,
        };
        out.send(origin, payload).await.map_err(|_| Stopped)?;
    }
    if let Some(why) = feed.truncated {
        send_invalid(out, name, last + 1, why, b"").await?;
    }
    Ok(())
}

pub(crate) async fn send_invalid(
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

/// Whether a fetched body (plain or gzip) is an HTML page rather than a feed.
fn is_html_page(bytes: &[u8]) -> bool {
    if crate::decode::is_gzip(bytes) {
        extract::looks_like_html(&crate::decode::gunzip_head(bytes, extract::SNIFF_BYTES))
    } else {
        extract::looks_like_html(&bytes[..bytes.len().min(extract::SNIFF_BYTES)])
    }
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
    /// `--fetch-articles`: fetches each item's linked page.
    pages: Option<Arc<PageFetcher>>,
}

impl Poller {
    fn new(options: &FeedOptions, pages: Option<Arc<PageFetcher>>) -> Result<Self, IngestError> {
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
            pages,
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
        if is_html_page(&bytes) {
            // A URL that answers with a page rather than a feed: one article. Followed, it
            // is emitted again only when it changed and under a URL not seen before.
            let page_state = self.state.feed(url);
            page_state.set_validators(validators);
            let sent = if page_state.has_seen(url) {
                Ok(())
            } else {
                page_state.mark_seen(url);
                crate::web::send_page(out, &name, bytes, Some(url.to_string())).await
            };
            if let Some(path) = &self.state_path {
                self.state.save(path)?;
            }
            return Ok(sent);
        }
        let head = bytes[..bytes.len().min(DEAD_LETTER_PREFIX_BYTES)].to_vec();
        let parsed = tokio::task::spawn_blocking(move || parse_feed(&bytes))
            .await
            .unwrap_or_else(|e| Err(FeedError::Panic(e.to_string())));
        let sent = match parsed {
            Ok(feed) => {
                self.reported.remove(url);
                let FollowState { feeds, pages, .. } = &mut self.state;
                let feed_state = feeds.entry(url.to_string()).or_default();
                feed_state.set_validators(validators);
                let seen = Seen {
                    ids: Some(feed_state),
                    pages: Some(pages),
                };
                send_items(out, &name, feed, seen, self.pages.as_deref()).await
            }
            Err(e) => {
                let error = format!("rejected feed: {e}");
                if self.reported.insert(url.to_string()) {
                    send_invalid(out, &name, WHOLE_DOCUMENT, error, &head).await
                } else {
                    tracing::debug!(%url, "{error} (again)");
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
