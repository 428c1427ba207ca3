//! `--fetch-articles`: the page behind each feed item's link, fetched politely and turned
//! into the item's text.
//!
//! This is I/O, so it happens in the sources (the feed reader and the NATS worker source)
//! before records are handed to the workers, never in a stage. Politeness: robots.txt is
//! fetched once per origin and cached for the run; at most [`DEFAULT_PER_HOST`] requests run
//! at a time per host and [`DEFAULT_GLOBAL`] overall; connect and total timeouts; at most
//! [`MAX_REDIRECTS`] redirects; bodies capped at [`MAX_PAGE_BYTES`]. A page that cannot be
//! had never costs the item: it keeps the feed's text with a `fetch_error` saying why.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use article::Article;
use reqwest::header::{HeaderValue, ACCEPT, CONTENT_TYPE, LOCATION};
use reqwest::StatusCode;
use texting_robots::Robot;
use tokio::sync::{OnceCell, Semaphore};

use crate::counts::InputCounts;
use crate::page::{extract_declared, mark_fetch_error, merge_page};
use crate::warc::{is_html_mime, MAX_PAGE_BYTES};
use crate::IngestError;

/// Requests at a time to one host: two is what crawlers' politeness guidelines (and
/// browsers' old per-host limit) allow without looking like a flood.
pub const DEFAULT_PER_HOST: usize = 2;

/// Requests at a time overall: enough to keep a feed of many hosts flowing on one
/// connection pool, few enough that a run holds at most this many pages in memory.
pub const DEFAULT_GLOBAL: usize = 16;

/// How long to wait for a page's host to accept a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long one page (or robots.txt) may take, body included: a stalled host costs one
/// item's page, not the feed.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Redirects followed per page (and per robots.txt): link shorteners and http → https
/// need two or three.
pub const MAX_REDIRECTS: usize = 5;

/// How `--fetch-articles` fetches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchOptions {
    /// Requests at a time per host.
    pub per_host: usize,
    /// Requests at a time overall.
    pub global: usize,
    /// Connect timeout.
    pub connect_timeout: Duration,
    /// Whole-request timeout.
    pub timeout: Duration,
}

impl Default for FetchOptions {
    fn default() -> Self {
        Self {
            per_host: DEFAULT_PER_HOST,
            global: DEFAULT_GLOBAL,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
        }
    }
}

/// What robots.txt allows on one origin.
#[derive(Debug)]
enum Rules {
    /// The parsed file.
    Robot(Box<Robot>),
    /// No robots.txt (4xx): everything is allowed.
    AllowAll,
    /// robots.txt could not be read (5xx, network): nothing is fetched, as RFC 9309 asks.
    Unreachable(String),
}

/// Fetches linked pages for feed items; shared by every feed of a run.
#[derive(Debug)]
pub struct PageFetcher {
    /// The HTTP client (redirect limit, timeouts, decompression).
    client: reqwest::Client,
    /// The robots.txt product token: the User-Agent up to its first `/`.
    agent: String,
    /// The overall request limit.
    global: Arc<Semaphore>,
    /// Its size: how many items are fetched at once.
    limit: usize,
    /// Requests at a time per host.
    per_host: usize,
    /// One limiter per host, created on first use.
    hosts: Mutex<HashMap<String, Arc<Semaphore>>>,
    /// robots.txt per origin, fetched once.
    robots: Mutex<HashMap<String, Arc<OnceCell<Rules>>>>,
    /// What the summary reports.
    counts: Arc<InputCounts>,
}

impl PageFetcher {
    /// A fetcher sending `user_agent`.
    pub fn new(
        options: &FetchOptions,
        user_agent: &str,
        counts: Arc<InputCounts>,
    ) -> Result<Self, IngestError> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            ACCEPT,
            HeaderValue::from_static("text/html, application/xhtml+xml;q=0.9, */*;q=0.5"),
        );
        let client = reqwest::Client::builder()
            .user_agent(user_agent)
            .default_headers(headers)
            .connect_timeout(options.connect_timeout)
            .timeout(options.timeout)
            // `page` follows redirects itself, checking each hop's robots.txt.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| IngestError::HttpClient(e.to_string()))?;
        Ok(Self {
            client,
            agent: user_agent
                .split('/')
                .next()
                .unwrap_or(user_agent)
                .trim()
                .to_string(),
            global: Arc::new(Semaphore::new(options.global.max(1))),
            limit: options.global.max(1),
            per_host: options.per_host.max(1),
            hosts: Mutex::new(HashMap::new()),
            robots: Mutex::new(HashMap::new()),
            counts,
        })
    }

    /// Replaces the item's text with its linked page's; on failure keeps the feed's text
    /// and says why in `fetch_error`. Items without a link are left as they are.
    pub async fn enrich(&self, article: &mut Article) {
        let Some(url) = article.url.clone() else {
            return;
        };
        match self.page(&url).await {
            Ok(page) => {
                InputCounts::add(&self.counts.pages_fetched);
                merge_page(article, page);
            }
            Err(why) => {
                tracing::debug!(%url, %why, "linked page not used");
                InputCounts::add(&self.counts.fetch_errors);
                mark_fetch_error(article, why);
            }
        }
    }

    /// The counters this fetcher adds to.
    pub fn counts(&self) -> &InputCounts {
        &self.counts
    }

    /// How many items may be fetched at once: the global limit.
    pub fn concurrency(&self) -> usize {
        self.limit
    }

    /// [`PageFetcher::enrich`] over many articles at once (within the limits), in order.
    pub async fn enrich_all(&self, articles: Vec<Article>) -> Vec<Article> {
        use futures_util::StreamExt;
        futures_util::stream::iter(articles)
            .map(|mut article| async move {
                self.enrich(&mut article).await;
                article
            })
            .buffered(self.concurrency())
            .collect()
            .await
    }

    /// The extracted page at `url`, or why it cannot be had. Redirects are followed here,
    /// not by the HTTP client, so every hop obeys its own host's robots.txt and per-host
    /// limit (a link shortener on one host may point at a page another host disallows).
    async fn page(&self, url: &str) -> Result<extract::Page, String> {
        let mut url = http_url(url)?;
        let mut hops = 0;
        let (content_type, bytes) = loop {
            self.robots_allow(&url).await?;
            let answer = self.get_status(&url, Report::Final).await?;
            match redirect_target(&url, &answer) {
                Some(next) if hops < MAX_REDIRECTS => {
                    hops += 1;
                    url = http_url(next?.as_str())?;
                }
                Some(_) => return Err(format!("more than {MAX_REDIRECTS} redirects")),
                None if answer.status.is_success() => break (answer.content_type, answer.body),
                None => return Err(format!("HTTP {}", answer.status)),
            }
        };
        let mime = mime_of(&content_type);
        let html_type = is_html_mime(&mime)
            || (mime.is_empty()
                && extract::looks_like_html(&bytes[..bytes.len().min(extract::SNIFF_BYTES)]));
        if !html_type {
            return Err(format!(
                "not HTML: {}",
                if mime.is_empty() { "no type" } else { &mime }
            ));
        }
        // The header's charset outranks the page's meta tag; a byte-order mark outranks both.
        let charset = extract::declared_charset(&content_type);
        let link = url.to_string();
        tokio::task::spawn_blocking(move || extract_declared(&bytes, charset, Some(&link)))
            .await
            .map_err(|e| format!("extraction failed: {e}"))?
            .map_err(|e| e.to_string())
    }

    /// Whether robots.txt lets us fetch `url`; the rules of its origin are fetched on
    /// first use (concurrent first users wait for the one fetch) and kept for the run.
    async fn robots_allow(&self, url: &reqwest::Url) -> Result<(), String> {
        let origin = url.origin().ascii_serialization();
        let cell = {
            let mut map = self.robots.lock().unwrap_or_else(|e| e.into_inner());
            Arc::clone(map.entry(origin.clone()).or_default())
        };
        let rules = cell
            .get_or_init(|| async {
                match self.robots_txt(&origin).await {
                    Ok(answer) if answer.status == StatusCode::OK => {
                        match Robot::new(&self.agent, &answer.body) {
                            Ok(robot) => Rules::Robot(Box::new(robot)),
                            // An unparseable file states no rules.
                            Err(_) => Rules::AllowAll,
                        }
                    }
                    Ok(answer) if answer.status.is_client_error() => Rules::AllowAll,
                    Ok(answer) => Rules::Unreachable(format!("HTTP {}", answer.status)),
                    Err(e) => Rules::Unreachable(e),
                }
            })
            .await;
        match rules {
            Rules::Robot(robot) if !robot.allowed(url.as_str()) => {
                Err("robots.txt disallows this page".into())
            }
            Rules::Unreachable(why) => Err(format!("robots.txt unavailable: {why}")),
            _ => Ok(()),
        }
    }

    /// An origin's robots.txt, following up to [`MAX_REDIRECTS`] redirects as RFC 9309
    /// asks (http → https, a CDN host); a longer chain is an error, so the origin's rules
    /// are unreachable and nothing on it is fetched.
    async fn robots_txt(&self, origin: &str) -> Result<Answer, String> {
        let mut url = http_url(&format!("{origin}/robots.txt"))?;
        for _ in 0..MAX_REDIRECTS {
            let answer = self.get_status(&url, Report::Never).await?;
            match redirect_target(&url, &answer) {
                Some(next) => url = http_url(next?.as_str())?,
                None => return Ok(answer),
            }
        }
        Err(format!("more than {MAX_REDIRECTS} redirects"))
    }

    /// One GET (no redirect followed) under the host and global limits: status, content
    /// type, `Location` and, for a 2xx answer, the capped body. `report` says whether the
    /// status goes to the fetch observer: robots.txt requests and redirect hops are not
    /// pages and are left out, so the metric counts one status per page, as operators ask.
    async fn get_status(&self, url: &reqwest::Url, report: Report) -> Result<Answer, String> {
        let host = url.host_str().unwrap_or("").to_ascii_lowercase();
        let host_limit = {
            let mut map = self.hosts.lock().unwrap_or_else(|e| e.into_inner());
            Arc::clone(
                map.entry(host)
                    .or_insert_with(|| Arc::new(Semaphore::new(self.per_host))),
            )
        };
        let _host = host_limit
            .acquire_owned()
            .await
            .map_err(|e| e.to_string())?;
        let _global = self.global.acquire().await.map_err(|e| e.to_string())?;
        let chain = |e: reqwest::Error| crate::http::error_chain(&e);
        let sent = self.client.get(url.clone()).send().await;
        if report == Report::Final {
            match &sent {
                Ok(r) if is_redirect(r.status()) => {}
                Ok(r) => self.counts.fetched(r.status().as_u16()),
                Err(_) => self.counts.fetched(0),
            }
        }
        let mut response = sent.map_err(chain)?;
        let status = response.status();
        let header = |name: reqwest::header::HeaderName| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let content_type = header(CONTENT_TYPE).unwrap_or_default();
        let location = header(LOCATION);
        let mut body = Vec::new();
        if status.is_success() {
            if response
                .content_length()
                .is_some_and(|n| n > MAX_PAGE_BYTES as u64)
            {
                return Err(format!("page is over the {MAX_PAGE_BYTES}-byte limit"));
            }
            while let Some(chunk) = response.chunk().await.map_err(chain)? {
                if body.len() + chunk.len() > MAX_PAGE_BYTES {
                    return Err(format!("page is over the {MAX_PAGE_BYTES}-byte limit"));
                }
                body.extend_from_slice(&chunk);
            }
        }
        Ok(Answer {
            status,
            content_type,
            location,
            body,
        })
    }
}

/// Whether a request's status is reported to the fetch observer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Report {
    /// A page request: its final (non-redirect) status or network failure is reported.
    Final,
    /// robots.txt: never reported.
    Never,
}

/// One HTTP answer, redirects not followed.
#[derive(Debug)]
struct Answer {
    /// The status.
    status: StatusCode,
    /// The `Content-Type` header ("" when absent).
    content_type: String,
    /// The `Location` header: where a redirect points.
    location: Option<String>,
    /// The body of a 2xx answer, capped at [`MAX_PAGE_BYTES`]; empty otherwise.
    body: Vec<u8>,
}

/// Whether a status is a redirect that names its target in `Location`.
fn is_redirect(status: StatusCode) -> bool {
    matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308)
}

/// Where a redirect answer points, resolved against the URL it answered; `None` when the
/// answer is not a redirect.
fn redirect_target(from: &reqwest::Url, answer: &Answer) -> Option<Result<reqwest::Url, String>> {
    if !is_redirect(answer.status) {
        return None;
    }
    let location = answer.location.as_deref()?;
    Some(
        from.join(location)
            .map_err(|e| format!("invalid redirect to {location}: {e}")),
    )
}

/// `url` parsed, if it is an http(s) URL.
fn http_url(url: &str) -> Result<reqwest::Url, String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("invalid link: {e}"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!("not an http(s) link: {url}"));
    }
    Ok(parsed)
}

/// The media type of a Content-Type header, lower case.
fn mime_of(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

#[cfg(test)]
mod tests;
