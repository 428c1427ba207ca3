//! Sources of articles. Each source reads its input, turns it into
//! [`pipeline::Payload`]s, and never decides alone that input is bad enough to drop: a record
//! it cannot read travels on as [`pipeline::Payload::Invalid`] to be counted and
//! dead-lettered.
//!
//! Layout:
//! - [`inputs`]: resolving command-line inputs (files, directories, `-`) up front, so a typo
//!   is an error before anything runs.
//! - [`jsonl`]: the JSON Lines source.

pub mod inputs;
pub mod jsonl;

pub use inputs::{resolve_inputs, IngestError, Input};
pub use jsonl::JsonLinesSource;
