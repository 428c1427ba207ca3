//! The HTTP/1 server on hyper: routing, the probes and graceful shutdown.
//!
//! hyper directly rather than axum: the API has six routes and no extractors to speak of,
//! hyper and hyper-util are already in the build (reqwest uses them), and axum would add
//! its router, tower layers and macros to every build of the binary for little gain.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use pipeline::{CancellationToken, Stats};
use tokio::net::TcpListener;

use crate::api::Api;
use crate::metrics;

/// The response type of every route.
pub type Reply = Response<Full<Bytes>>;

/// Why the server could not run.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: String,
        /// Why.
        source: std::io::Error,
    },
}

/// What `/health`, `/ready` and `/metrics` read.
#[derive(Debug, Clone)]
pub struct Probe {
    /// The run's counters and readiness.
    pub stats: Arc<Stats>,
    /// Cancelled when shutdown starts: from then on the process is not healthy, not ready.
    pub shutdown: CancellationToken,
    /// The `source` label of the read counter.
    pub source: String,
}

impl Probe {
    /// Alive and not shutting down.
    pub fn healthy(&self) -> bool {
        !self.shutdown.is_cancelled()
    }

    /// Source and every sink connected, no sink retrying, not draining.
    pub fn ready(&self) -> bool {
        self.healthy() && self.stats.lifecycle.ready()
    }
}

/// Every route the server answers: method and path. The OpenAPI document lists the same.
pub const ROUTES: [(&str, &str); 6] = [
    ("GET", "/metrics"),
    ("GET", "/health"),
    ("GET", "/ready"),
    ("GET", "/openapi.json"),
    ("POST", "/v1/analyze"),
    ("POST", "/v1/articles"),
];

/// Routes shared by every connection.
struct App {
    /// The probes.
    probe: Probe,
    /// The analysis API; `None` on `run --metrics`, which serves only the probes.
    api: Option<Api>,
}

/// Binds `addr` now (so that a bad address fails before anything slow starts) and returns
/// the listener with the address it got (port 0 picks a free one).
pub async fn bind(addr: &str) -> Result<(TcpListener, SocketAddr), ServerError> {
    let bind_err = |source| ServerError::Bind {
        addr: addr.to_string(),
        source,
    };
    let listener = TcpListener::bind(addr).await.map_err(bind_err)?;
    let local = listener.local_addr().map_err(bind_err)?;
    Ok((listener, local))
}

/// Serves the probes (and the API, when given) on `listener` until `stop` is cancelled,
/// then stops accepting and waits for the requests in progress to be answered.
pub async fn serve(listener: TcpListener, probe: Probe, api: Option<Api>, stop: CancellationToken) {
    let app = Arc::new(App { probe, api });
    let graceful = GracefulShutdown::new();
    loop {
        let accepted = tokio::select! {
            _ = stop.cancelled() => break,
            accepted = listener.accept() => accepted,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(e) => {
                // Out of file descriptors and the like: the listener itself is fine.
                tracing::warn!("http: cannot accept a connection: {e}");
                continue;
            }
        };
        let app = Arc::clone(&app);
        let service = hyper::service::service_fn(move |req| {
            let app = Arc::clone(&app);
            async move { Ok::<_, Infallible>(app.handle(req).await) }
        });
        let conn = hyper::server::conn::http1::Builder::new()
            .serve_connection(TokioIo::new(stream), service);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!("http: connection ended: {e}");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

impl App {
    async fn handle(&self, req: Request<Incoming>) -> Reply {
        let method = req.method().clone();
        let path = req.uri().path().to_string();
        match (&method, path.as_str()) {
            (&Method::GET, "/health") => {
                probe_reply(self.probe.healthy(), "alive", "shutting down")
            }
            (&Method::GET, "/ready") => probe_reply(self.probe.ready(), "ready", "not ready"),
            (&Method::GET, "/metrics") => {
                let text =
                    metrics::render(&self.probe.stats, &self.probe.source, self.probe.ready());
                let mut reply = Response::new(Full::new(Bytes::from(text)));
                reply.headers_mut().insert(
                    CONTENT_TYPE,
                    HeaderValue::from_static(
                        "application/openmetrics-text; version=1.0.0; charset=utf-8",
                    ),
                );
                reply
            }
            _ => match &self.api {
                Some(api) => api.handle(req, &self.probe).await,
                None => not_found(&method, &path),
            },
        }
    }
}

/// 200 or 503 with a small JSON status.
fn probe_reply(ok: bool, yes: &str, no: &str) -> Reply {
    if ok {
        json_reply(
            StatusCode::OK,
            serde_json::json!({ "status": yes }).to_string(),
        )
    } else {
        json_reply(
            StatusCode::SERVICE_UNAVAILABLE,
            serde_json::json!({ "status": no }).to_string(),
        )
    }
}

/// 404 for an unknown path, 405 for a known path with the wrong method.
pub(crate) fn not_found(method: &Method, path: &str) -> Reply {
    if ROUTES.iter().any(|(_, p)| *p == path) {
        error_reply(
            StatusCode::METHOD_NOT_ALLOWED,
            &format!("{method} is not allowed on {path}"),
        )
    } else {
        error_reply(StatusCode::NOT_FOUND, &format!("no route {path}"))
    }
}

/// A JSON body with its content type.
pub(crate) fn json_reply(status: StatusCode, body: impl Into<Bytes>) -> Reply {
    let mut reply = Response::new(Full::new(body.into()));
    *reply.status_mut() = status;
    reply
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    reply
}

/// `{"error": "..."}` with `status`.
pub(crate) fn error_reply(status: StatusCode, message: &str) -> Reply {
    json_reply(status, serde_json::json!({ "error": message }).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openapi_document_lists_every_route_and_only_those() {
        let doc: serde_json::Value = serde_json::from_str(crate::api::OPENAPI).unwrap();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
        let paths = doc["paths"].as_object().unwrap();
        for (method, path) in ROUTES {
            assert!(
                paths[path][method.to_lowercase()].is_object(),
                "{method} {path} is not in data/openapi.json"
            );
        }
        let documented: usize = paths.values().map(|p| p.as_object().unwrap().len()).sum();
        assert_eq!(
            documented,
            ROUTES.len(),
            "data/openapi.json lists routes the server lacks"
        );
    }

    #[test]
    fn probes_fail_once_shutdown_starts() {
        let probe = Probe {
            stats: Arc::new(Stats::default()),
            shutdown: CancellationToken::new(),
            source: "test".into(),
        };
        let l = &probe.stats.lifecycle;
        l.running.store(true, std::sync::atomic::Ordering::Relaxed);
        l.source_connected
            .store(true, std::sync::atomic::Ordering::Relaxed);
        assert!(probe.healthy() && probe.ready());
        probe.shutdown.cancel();
        assert!(!probe.healthy() && !probe.ready());
    }
}
