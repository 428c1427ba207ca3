//! Fetching feeds over http(s): conditional requests, bounded bodies, retries with backoff.

use std::time::Duration;

use pipeline::CancellationToken;
use reqwest::header::{
    HeaderMap, HeaderValue, ACCEPT, ACCEPT_ENCODING, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH,
    LAST_MODIFIED,
};
use reqwest::StatusCode;

use crate::decode::MAX_FEED_BYTES;
use crate::IngestError;

/// How long to wait for a TCP/TLS connection: a feed host that does not answer in this time
/// is down, and the retry schedule takes over.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long one whole request may take, body included: generous for a few MiB on a slow
/// link, short enough that a stalled server does not stall a poll cycle for long.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// Attempts per fetch for errors worth retrying (network errors, 5xx, 429).
pub const MAX_ATTEMPTS: u32 = 4;

/// The wait before the first retry; it doubles after each failure (1 s, 2 s, 4 s …).
pub const FIRST_BACKOFF: Duration = Duration::from_secs(1);

/// The longest wait between two retries.
pub const MAX_BACKOFF: Duration = Duration::from_secs(300);

/// The User-Agent sent unless `--user-agent` says otherwise: names the program, as feed
/// hosts ask of polite clients.
pub const DEFAULT_USER_AGENT: &str = concat!("newsflow/", env!("CARGO_PKG_VERSION"));

/// Why a URL could not be fetched. Messages name the URL.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The server answered with an error status.
    #[error("GET {url}: HTTP {status}")]
    Status {
        /// The URL requested.
        url: String,
        /// The status received.
        status: StatusCode,
    },
    /// No answer: DNS, connection, TLS, timeout, or the body broke off.
    #[error("GET {url}: {reason}")]
    Network {
        /// The URL requested.
        url: String,
        /// The underlying error, with its causes.
        reason: String,
    },
    /// The body is over [`MAX_FEED_BYTES`].
    #[error("GET {url}: body is over the {MAX_FEED_BYTES}-byte limit")]
    TooLarge {
        /// The URL requested.
        url: String,
    },
}

impl FetchError {
    /// Whether trying again later may succeed.
    pub fn is_transient(&self) -> bool {
        match self {
            FetchError::Network { .. } => true,
            FetchError::Status { status, .. } => {
                status.is_server_error() || *status == StatusCode::TOO_MANY_REQUESTS
            }
            FetchError::TooLarge { .. } => false,
        }
    }
}

/// The validators of a previous response, sent back so an unchanged feed costs a 304.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    /// The `ETag` header, sent as `If-None-Match`.
    pub etag: Option<String>,
    /// The `Last-Modified` header, sent back verbatim as `If-Modified-Since`.
    pub last_modified: Option<String>,
}

/// What a fetch returned.
#[derive(Debug)]
pub enum Fetched {
    /// 304: nothing changed since the validators were issued.
    NotModified,
    /// A new body, with its validators.
    Body {
        /// The raw bytes (possibly gzip; decoding detects it).
        bytes: Vec<u8>,
        /// The validators to send next time.
        validators: Validators,
    },
}

/// An HTTP client for feeds.
#[derive(Debug, Clone)]
pub struct Fetcher {
    /// The shared connection pool.
    client: reqwest::Client,
    /// The first retry delay; tests shorten it.
    first_backoff: Duration,
}

impl Fetcher {
    /// A client that sends `user_agent`.
    pub fn new(user_agent: &str) -> Result<Self, IngestError> {
        // reqwest is built without a bundled crypto provider (aws-lc's C build is slow);
        // ring is installed here. An already installed provider is fine too.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut headers = HeaderMap::new();
        headers.insert(
            ACCEPT,
            HeaderValue::from_static(
                "application/rss+xml, application/atom+xml, application/feed+json, \
                 application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8",
            ),
        );
        // Compressed bodies are decompressed by `decode`, which caps their size.
        headers.insert(ACCEPT_ENCODING, HeaderValue::from_static("gzip"));
        let client = reqwest::Client::builder()
            .user_agent(user_agent)
            .default_headers(headers)
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .build()
            .map_err(|e| IngestError::HttpClient(error_chain(&e)))?;
        Ok(Self {
            client,
            first_backoff: FIRST_BACKOFF,
        })
    }

    /// Changes the first retry delay (tests use milliseconds).
    pub fn with_first_backoff(mut self, delay: Duration) -> Self {
        self.first_backoff = delay;
        self
    }

    /// Fetches `url`, retrying transient failures up to [`MAX_ATTEMPTS`] times with
    /// exponential backoff. Returns `Ok(None)` if `shutdown` fires first.
    pub async fn fetch(
        &self,
        url: &str,
        validators: &Validators,
        shutdown: &CancellationToken,
    ) -> Result<Option<Fetched>, FetchError> {
        let mut delay = self.first_backoff;
        let mut attempt = 1;
        loop {
            let result = tokio::select! {
                biased;
                _ = shutdown.cancelled() => return Ok(None),
                result = self.fetch_once(url, validators) => result,
            };
            match result {
                Ok(fetched) => return Ok(Some(fetched)),
                Err(e) if e.is_transient() && attempt < MAX_ATTEMPTS => {
                    tracing::warn!(%url, error = %e, attempt, retry_in = ?delay, "fetch failed; retrying");
                    tokio::select! {
                        biased;
                        _ = shutdown.cancelled() => return Ok(None),
                        _ = tokio::time::sleep(delay) => {}
                    }
                    delay = (delay * 2).min(MAX_BACKOFF);
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// One GET, conditional on `validators`, body capped at [`MAX_FEED_BYTES`].
    pub async fn fetch_once(
        &self,
        url: &str,
        validators: &Validators,
    ) -> Result<Fetched, FetchError> {
        let network = |e: reqwest::Error| FetchError::Network {
            url: url.to_string(),
            reason: error_chain(&e),
        };
        let mut request = self.client.get(url);
        if let Some(etag) = &validators.etag {
            request = request.header(IF_NONE_MATCH, etag);
        }
        if let Some(date) = &validators.last_modified {
            request = request.header(IF_MODIFIED_SINCE, date);
        }
        let mut response = request.send().await.map_err(network)?;
        let status = response.status();
        if status == StatusCode::NOT_MODIFIED {
            return Ok(Fetched::NotModified);
        }
        if !status.is_success() {
            return Err(FetchError::Status {
                url: url.to_string(),
                status,
            });
        }
        let header = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v: &HeaderValue| v.to_str().ok())
                .map(str::to_string)
        };
        let validators = Validators {
            etag: header(ETAG),
            last_modified: header(LAST_MODIFIED),
        };
        let too_large = || FetchError::TooLarge {
            url: url.to_string(),
        };
        if response
            .content_length()
            .is_some_and(|n| n > MAX_FEED_BYTES as u64)
        {
            return Err(too_large());
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(network)? {
            if bytes.len() + chunk.len() > MAX_FEED_BYTES {
                return Err(too_large());
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(Fetched::Body { bytes, validators })
    }
}

/// An error with its causes, since reqwest's top-level message ("error sending request")
/// rarely says what went wrong.
pub(crate) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut msg = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        msg.push_str(": ");
        msg.push_str(&cause.to_string());
        source = cause.source();
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A local port with nothing listening: every connection is refused at once.
    fn closed_port_url() -> String {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        format!("http://{addr}/feed.xml")
    }

    #[tokio::test(start_paused = true)]
    async fn network_errors_are_retried_with_exponential_backoff() {
        let fetcher = Fetcher::new(DEFAULT_USER_AGENT).unwrap();
        let url = closed_port_url();
        let start = tokio::time::Instant::now();
        let err = fetcher
            .fetch(&url, &Validators::default(), &CancellationToken::new())
            .await
            .unwrap_err();
        assert!(
            err.is_transient() && err.to_string().contains(&url),
            "{err}"
        );
        // Three waits between four attempts: 1 s + 2 s + 4 s of (paused) time.
        assert!(
            start.elapsed() >= Duration::from_secs(7),
            "{:?}",
            start.elapsed()
        );
    }

    #[tokio::test(start_paused = true)]
    async fn shutdown_interrupts_the_backoff() {
        let fetcher = Fetcher::new(DEFAULT_USER_AGENT)
            .unwrap()
            .with_first_backoff(Duration::from_secs(3600));
        let shutdown = CancellationToken::new();
        let cancel = shutdown.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(10)).await;
            cancel.cancel();
        });
        let got = fetcher
            .fetch(&closed_port_url(), &Validators::default(), &shutdown)
            .await
            .unwrap();
        assert!(got.is_none());
    }
}
