//! The analysis API of `newsflow serve`: one article analysed on request, or JSON Lines
//! queued for the pipeline and its sinks through [`HttpSource`].

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use article::{Article, Origin};
use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONTENT_LENGTH, RETRY_AFTER};
use hyper::{Method, Request, StatusCode};
use pipeline::{CancellationToken, Payload, Source, SourceSender, Stage};
use tokio::sync::Semaphore;

use crate::server::{error_reply, json_reply, not_found, Probe, Reply};

/// Largest request body by default: a few thousand articles per `/v1/articles` call, far
/// more than any single article, small enough that a burst of requests fits in memory.
pub const DEFAULT_BODY_LIMIT: usize = 8 * 1024 * 1024;
/// Articles accepted but not yet taken by the pipeline, by default. The HTTP side answers
/// 503 when it is full rather than buffering more; 4096 lets a full-size request of typical
/// articles in at once while the pipeline's own bounded queues hold the rest back.
pub const DEFAULT_ACCEPT_QUEUE: usize = 4096;
/// What `Retry-After` tells a client that found the queue full: the pipeline drains
/// thousands of articles a second, so one second is plenty for room to appear.
pub const RETRY_AFTER_SECS: u64 = 1;

/// The OpenAPI 3 document of the API, served at `/openapi.json`.
pub const OPENAPI: &str = include_str!("../../../data/openapi.json");

/// Settings of the API.
#[derive(Debug, Clone, Copy)]
pub struct ApiOptions {
    /// Largest request body in bytes.
    pub body_limit: usize,
    /// Articles accepted by `/v1/articles` and not yet taken by the pipeline, at most.
    pub accept_queue: usize,
    /// `/v1/analyze` calls analysed at once: the CPU's share of the API.
    pub analyze_concurrency: usize,
}

impl Default for ApiOptions {
    fn default() -> Self {
        Self {
            body_limit: DEFAULT_BODY_LIMIT,
            accept_queue: DEFAULT_ACCEPT_QUEUE,
            analyze_concurrency: std::thread::available_parallelism().map_or(1, |n| n.get()),
        }
    }
}

/// One accepted record on its way to the pipeline.
#[derive(Debug)]
struct Accepted {
    /// Request and line, for dead letters.
    origin: Origin,
    /// The parsed article, or the line that did not parse (the worker rejects it exactly as
    /// `run` rejects a bad line).
    payload: Payload,
}

/// The routes under `/v1/` and `/openapi.json`.
#[derive(Clone)]
pub struct Api {
    /// The stages `run` uses, shared with `/v1/analyze`.
    stages: Arc<[Box<dyn Stage>]>,
    /// Settings.
    options: ApiOptions,
    /// Where accepted articles wait for [`HttpSource`].
    queue: async_channel::Sender<Accepted>,
    /// Held while checking for room and queueing a request's lines, so that a request is
    /// accepted whole or not at all.
    admit: Arc<Mutex<()>>,
    /// Bounds `/v1/analyze` work running at once.
    analyzing: Arc<Semaphore>,
    /// Numbers `/v1/articles` requests, for dead letters' origins.
    requests: Arc<AtomicU64>,
}

/// The pipeline source fed by `/v1/articles`. It ends when the API is closed with
/// [`Api::close`] and everything accepted has been handed on — not when shutdown is
/// signalled — so an article answered with 202 is never dropped.
#[derive(Debug)]
pub struct HttpSource {
    /// Accepted articles.
    queue: async_channel::Receiver<Accepted>,
}

impl std::fmt::Debug for Api {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Api")
            .field("options", &self.options)
            .field("queued", &self.queue.len())
            .finish()
    }
}

impl Api {
    /// The API and the source its articles flow through.
    pub fn new(stages: Arc<[Box<dyn Stage>]>, options: ApiOptions) -> (Self, HttpSource) {
        let (tx, rx) = async_channel::bounded(options.accept_queue.max(1));
        let api = Self {
            stages,
            options,
            queue: tx,
            admit: Arc::new(Mutex::new(())),
            analyzing: Arc::new(Semaphore::new(options.analyze_concurrency.max(1))),
            requests: Arc::new(AtomicU64::new(0)),
        };
        (api, HttpSource { queue: rx })
    }

    /// Stops accepting articles; the source hands on what is queued, then ends.
    pub fn close(&self) {
        self.queue.close();
    }

    pub(crate) async fn handle(&self, req: Request<Incoming>, probe: &Probe) -> Reply {
        let method = req.method().clone();
        let path = req.uri().path().to_string();
        match (&method, path.as_str()) {
            (&Method::GET, "/openapi.json") => json_reply(StatusCode::OK, OPENAPI),
            (&Method::POST, "/v1/analyze") => match self.body(req).await {
                Ok(text) => self.analyze(text).await,
                Err(reply) => reply,
            },
            (&Method::POST, "/v1/articles") => {
                if probe.shutdown.is_cancelled() {
                    return unavailable("shutting down: not accepting articles");
                }
                match self.body(req).await {
                    Ok(text) => self.accept(&text),
                    Err(reply) => reply,
                }
            }
            _ => not_found(&method, &path),
        }
    }

    /// The request body as text, or the 4xx that says why it is not usable.
    async fn body(&self, req: Request<Incoming>) -> Result<String, Reply> {
        let limit = self.options.body_limit;
        let too_large = || {
            error_reply(
                StatusCode::PAYLOAD_TOO_LARGE,
                &format!("request body is larger than the limit of {limit} bytes"),
            )
        };
        let declared = req
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > limit as u64) {
            return Err(too_large());
        }
        let bytes: Bytes = match Limited::new(req.into_body(), limit).collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(e) if e.is::<http_body_util::LengthLimitError>() => return Err(too_large()),
            Err(e) => {
                return Err(error_reply(
                    StatusCode::BAD_REQUEST,
                    &format!("cannot read the request body: {e}"),
                ))
            }
        };
        let text = String::from_utf8(bytes.to_vec()).map_err(|e| {
            error_reply(
                StatusCode::BAD_REQUEST,
                &format!("request body is not UTF-8: {e}"),
            )
        })?;
        if text.trim().is_empty() {
            return Err(error_reply(
                StatusCode::BAD_REQUEST,
                "request body has no text",
            ));
        }
        Ok(text)
    }

    /// `/v1/analyze`: the record `run` would write for this article.
    async fn analyze(&self, text: String) -> Reply {
        let article = match Article::from_json(text.trim()) {
            Ok(article) => article,
            Err(e) => return error_reply(StatusCode::BAD_REQUEST, &e.to_string()),
        };
        let Ok(_permit) = self.analyzing.acquire().await else {
            return unavailable("shutting down");
        };
        let stages = Arc::clone(&self.stages);
        // CPU work runs off the reactor; the semaphore keeps it to the configured share.
        match tokio::task::spawn_blocking(move || pipeline::analyse(article, &stages)).await {
            Ok(Ok(record)) => json_reply(StatusCode::OK, record.json),
            Ok(Err(error)) => error_reply(StatusCode::UNPROCESSABLE_ENTITY, &error),
            Err(e) => error_reply(
                StatusCode::SERVICE_UNAVAILABLE,
                &format!("analysis did not finish: {e}"),
            ),
        }
    }

    /// `/v1/articles`: queues every non-empty line whole, or none of them.
    fn accept(&self, text: &str) -> Reply {
        let request = self.requests.fetch_add(1, Ordering::Relaxed) + 1;
        let source: Arc<str> = Arc::from(format!("http:/v1/articles#{request}"));
        let mut items = Vec::new();
        let mut errors = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let number = i as u64 + 1;
            let origin = Origin {
                source: Arc::clone(&source),
                line: number,
            };
            let payload = match Article::from_json(line) {
                Ok(article) => Payload::Article(Box::new(article)),
                Err(e) => {
                    errors.push(serde_json::json!({ "line": number, "error": e.to_string() }));
                    Payload::Json(line.to_string())
                }
            };
            items.push(Accepted { origin, payload });
        }
        let capacity = self.options.accept_queue.max(1);
        if items.len() > capacity {
            return error_reply(
                StatusCode::PAYLOAD_TOO_LARGE,
                &format!(
                    "{} records in one request, more than the queue holds ({capacity}); send smaller requests",
                    items.len()
                ),
            );
        }
        let rejected = errors.len();
        let accepted = items.len() - rejected;
        {
            let _admit = self
                .admit
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if self.queue.is_closed() {
                return unavailable("shutting down: not accepting articles");
            }
            if capacity - self.queue.len().min(capacity) < items.len() {
                return unavailable("the pipeline is busy: queue full");
            }
            for item in items {
                // Cannot be full: room was checked under the lock and only this lock's
                // holder sends. Closed means shutdown raced us.
                if self.queue.try_send(item).is_err() {
                    return unavailable("shutting down: not accepting articles");
                }
            }
        }
        json_reply(
            StatusCode::ACCEPTED,
            serde_json::json!({ "accepted": accepted, "rejected": rejected, "errors": errors })
                .to_string(),
        )
    }
}

/// 503 with `Retry-After`.
fn unavailable(message: &str) -> Reply {
    let mut reply = error_reply(StatusCode::SERVICE_UNAVAILABLE, message);
    reply
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
    reply
}

impl Source for HttpSource {
    type Error = std::convert::Infallible;

    async fn run(
        self,
        mut out: SourceSender,
        _shutdown: CancellationToken,
    ) -> Result<(), Self::Error> {
        // Shutdown is seen by the HTTP side, which stops accepting and closes the queue;
        // this loop then hands on what was accepted and ends.
        while let Ok(item) = self.queue.recv().await {
            if out.send(item.origin, item.payload).await.is_err() {
                // The pipeline stopped (a sink failed): the run reports that error.
                break;
            }
        }
        Ok(())
    }
}
