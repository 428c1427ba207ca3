//! newsflow's HTTP layer: Prometheus metrics, health and readiness probes, and the analysis
//! API of `newsflow serve`. The runtime (`crates/pipeline`) knows nothing of HTTP; this
//! crate reads what it exposes — the [`pipeline::Stats`] counters, its readiness state —
//! and feeds it through an ordinary [`pipeline::Source`].
//!
//! Layout:
//! - [`metrics`]: the Prometheus exporter, which reads the runtime's counters at scrape
//!   time, so recording costs the hot path nothing beyond the counters `run` already keeps.
//! - [`server`]: the hyper HTTP/1 server, its routes, probes and graceful shutdown.
//! - [`api`]: `POST /v1/analyze` and `POST /v1/articles`, and [`HttpSource`], the source
//!   those articles flow through.
//!
//! Boundaries: handlers never run CPU stages on the reactor (`/v1/analyze` uses
//! `spawn_blocking`, `/v1/articles` the pipeline's worker pool); bad input is a 4xx with a
//! JSON body, never a 500 and never a panic; an article answered with 202 reaches the
//! pipeline even when shutdown starts right after.

pub mod api;
pub mod metrics;
pub mod server;

pub use api::{Api, ApiOptions, HttpSource};
pub use server::{serve, Probe, ServerError};
