//! The newsflow runtime: a source task, a pool of CPU worker threads, and a writer that fans
//! batches out to every sink, joined by bounded `async-channel` channels.
//!
//! ```text
//! Source ──SOURCE_QUEUE──▶ workers (N threads: parse → stages → render) ──RESULT_QUEUE──▶
//!   writer (order, batch, dead letters) ──SINK_QUEUE──▶ one task per sink
//! ```
//!
//! Layout:
//! - [`source`]: the [`Source`] trait and the [`SourceSender`] that numbers what it sends.
//! - [`stage`]: the [`Stage`] trait (the stages themselves live in the `analysis` crate).
//! - [`sink`]: the [`Sink`] trait and the [`Record`]s it receives.
//! - [`runtime`]: [`run`], which wires them and returns a [`Summary`].
//! - [`stats`]: counters shared by every task, read by progress bars and summaries.
//!
//! Invariants: every envelope a source sends ends as exactly one written record or one
//! dead letter; every channel is bounded, so a slow sink slows the source; only the source
//! sees the shutdown signal, and everything downstream drains once its input closes.

pub mod runtime;
pub mod sink;
pub mod source;
pub mod stage;
pub mod stats;

pub use runtime::{run, Capacities, PipelineConfig, PipelineError, RetryPolicy, Summary};
pub use sink::{Batch, Record, Sink};
pub use source::{Acknowledge, BoxFuture, Envelope, Payload, Source, SourceSender};
pub use stage::Stage;
pub use stats::Stats;
pub use tokio_util::sync::CancellationToken;
