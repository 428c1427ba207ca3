//! Sources of articles. Each source reads its input, turns it into
//! [`pipeline::Payload`]s, and never decides alone that input is bad enough to drop: a record,
//! feed item or whole file it cannot read travels on as [`pipeline::Payload::Invalid`] to be
//! counted and dead-lettered.
//!
//! Layout:
//! - [`any`]: [`AnySource`], the source for the command-line inputs: [`InputSource`], or
//!   one NATS durable consumer.
//! - [`nats`]: a durable JetStream pull consumer shared by many processes; acknowledges
//!   only what every sink wrote.
//! - [`inputs`]: resolving command-line inputs (files, directories, `-`, URLs) up front, so
//!   a typo is an error before anything runs.
//! - [`source`]: [`InputSource`], what `newsflow run` reads with: detects each input's
//!   format from its content and dispatches to the readers below; polls URLs.
//! - [`mod@sniff`]: the one format sniffer ([`sniff()`] → [`Format`]), used by every reader of
//!   files and stdin, `newsflow segment` included.
//! - [`jsonl`]: the JSON Lines reader.
//! - [`feed`]: one RSS / Atom / RDF / JSON Feed document to articles, through
//!   [`decode`] (bytes to UTF-8), [`xml`] (the safety pass) and feed-rs.
//! - [`html`]: HTML to clean text.
//! - [`http`] and [`state`]: fetching URLs, and what `--follow` remembers between runs.
//! - [`page`]: one HTML page to one article (through the `extract` crate); [`warc`]: the
//!   streaming WARC reader; `web`: both as inputs of [`InputSource`].
//! - [`fetch`]: `--fetch-articles`, the page behind each feed item's link (robots.txt,
//!   per-host and global limits), fetched by the source before records reach the workers.
//! - [`counts`]: what the sources passed over (WARC records that are not articles, pages
//!   that could not be fetched), for the run summary.
//!
//! Invariants: parsing never panics past [`feed::parse_feed`] (feed-rs runs under
//! `catch_unwind`); no DTD entity is ever expanded and nothing but the given URLs is ever
//! fetched; every input is read with a size cap (per record for JSON Lines, per document
//! for feeds), so memory is bounded whatever arrives.

pub mod any;
pub mod counts;
pub mod decode;
pub mod feed;
pub mod fetch;
pub mod html;
pub mod http;
pub mod inputs;
pub mod jsonl;
pub mod nats;
pub mod page;
pub mod sniff;
pub mod source;
pub mod state;
pub mod warc;
mod web;
pub mod xml;

pub use any::AnySource;
pub use counts::{FetchObserver, InputCounts};
pub use feed::{parse_feed, FeedError, ParsedFeed};
pub use fetch::{FetchOptions, PageFetcher};
pub use html::html_to_text;
pub use inputs::{is_url, resolve_inputs, IngestError, Input};
pub use nats::NatsSource;
pub use sniff::{sniff, Format};
pub use source::{FeedOptions, InputSource};
