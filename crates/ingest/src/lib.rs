//! Sources of articles. Each source reads its input, turns it into
//! [`pipeline::Payload`]s, and never decides alone that input is bad enough to drop: a record
//! it cannot read travels on as [`pipeline::Payload::Invalid`] to be counted and
//! dead-lettered.
//!
//! Layout:
//! - [`any`]: [`AnySource`], the source chosen for the command-line inputs.
//! - [`inputs`]: resolving command-line inputs (files, directories, `-`) up front, so a typo
//!   is an error before anything runs.
//! - [`jsonl`]: the JSON Lines source.
//! - [`nats`]: a durable JetStream pull consumer shared by many processes; acknowledges
//!   only what every sink wrote.

pub mod any;
pub mod inputs;
pub mod jsonl;
pub mod nats;

pub use any::AnySource;
pub use inputs::{resolve_inputs, IngestError, Input};
pub use jsonl::JsonLinesSource;
pub use nats::NatsSource;
