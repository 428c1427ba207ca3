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
use reqwest::header::{HeaderValue, ACCEPT, CONTENT_TYPE};
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

/// Redirects followed per page: link shorteners and http → https need two or three.
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
            .redirect(reqwest::redirect::Policy::limited(MAX_REDIRECTS))
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

    /// The extracted page at `url`, or why it cannot be had.
    async fn page(&self, url: &str) -> Result<extract::Page, String> {
        let parsed = reqwest::Url::parse(url).map_err(|e| format!("invalid link: {e}"))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(format!("not an http(s) link: {url}"));
        }
        let host = parsed.host_str().unwrap_or("").to_ascii_lowercase();
        let origin = parsed.origin().ascii_serialization();
        self.robots_allow(&origin, &host, url).await?;
        let (content_type, bytes) = self.get(&host, url).await?;
        let html = match declared_charset(&content_type) {
            // The header's charset outranks the page's meta tag (a BOM tells `extract`).
            Some(encoding) => {
                let (text, _, _) = encoding.decode(&bytes);
                let mut utf8 = b"\xEF\xBB\xBF".to_vec();
                utf8.extend_from_slice(text.as_bytes());
                utf8
            }
            None => bytes,
        };
        let head = &html[..html.len().min(extract::SNIFF_BYTES)];
        let mime = mime_of(&content_type);
        let html_type = is_html_mime(&mime) || (mime.is_empty() && extract::looks_like_html(head));
        if !html_type {
            return Err(format!(
                "not HTML: {}",
                if mime.is_empty() { "no type" } else { &mime }
            ));
        }
        let link = url.to_string();
        tokio::task::spawn_blocking(move || extract_declared(&html, Some(&link)))
            .await
            .map_err(|e| format!("extraction failed: {e}"))?
            .map_err(|e| e.to_string())
    }

    /// Whether robots.txt lets us fetch `url`; the rules of its origin are fetched on
    /// first use (concurrent first users wait for the one fetch) and kept for the run.
    async fn robots_allow(&self, origin: &str, host: &str, url: &str) -> Result<(), String> {
        let cell = {
            let mut map = self.robots.lock().unwrap_or_else(|e| e.into_inner());
            Arc::clone(map.entry(origin.to_string()).or_default())
        };
        let rules = cell
            .get_or_init(|| async {
                let robots_url = format!("{origin}/robots.txt");
                match self.get_status(host, &robots_url, false).await {
                    Ok((StatusCode::OK, _, body)) => match Robot::new(&self.agent, &body) {
                        Ok(robot) => Rules::Robot(Box::new(robot)),
                        // An unparseable file states no rules.
                        Err(_) => Rules::AllowAll,
                    },
                    Ok((status, _, _)) if status.is_client_error() => Rules::AllowAll,
                    Ok((status, _, _)) => Rules::Unreachable(format!("HTTP {status}")),
                    Err(e) => Rules::Unreachable(e),
                }
            })
            .await;
        match rules {
            Rules::Robot(robot) if !robot.allowed(url) => {
                Err("robots.txt disallows this page".into())
            }
            Rules::Unreachable(why) => Err(format!("robots.txt unavailable: {why}")),
            _ => Ok(()),
        }
    }

    /// A GET under the host and global limits: content type and body of a 2xx answer.
    async fn get(&self, host: &str, url: &str) -> Result<(String, Vec<u8>), String> {
        match self.get_status(host, url, true).await? {
            (status, content_type, body) if status.is_success() => Ok((content_type, body)),
            (status, _, _) => Err(format!("HTTP {status}")),
        }
    }

    /// A GET under the host and global limits: status, content type and capped body. A
    /// `page` request's status is reported to the fetch observer; robots.txt requests are
    /// not pages and are left out, so the metric counts what operators ask about.
    async fn get_status(
        &self,
        host: &str,
        url: &str,
        page: bool,
    ) -> Result<(StatusCode, String, Vec<u8>), String> {
        let host_limit = {
            let mut map = self.hosts.lock().unwrap_or_else(|e| e.into_inner());
            Arc::clone(
                map.entry(host.to_string())
                    .or_insert_with(|| Arc::new(Semaphore::new(self.per_host))),
            )
        };
        let _host = host_limit
            .acquire_owned()
            .await
            .map_err(|e| e.to_string())?;
        let _global = self.global.acquire().await.map_err(|e| e.to_string())?;
        let chain = |e: reqwest::Error| crate::http::error_chain(&e);
        let sent = self.client.get(url).send().await;
        if page {
            self.counts
                .fetched(sent.as_ref().map_or(0, |r| r.status().as_u16()));
        }
        let mut response = sent.map_err(chain)?;
        let status = response.status();
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
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
        Ok((status, content_type, body))
    }
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

/// The encoding a Content-Type header declares, if it names one encoding_rs knows.
fn declared_charset(content_type: &str) -> Option<&'static encoding_rs::Encoding> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("charset") {
            return None;
        }
        encoding_rs::Encoding::for_label(value.trim().trim_matches('"').as_bytes())
    })
}

#[cfg(test)]
mod tests;
