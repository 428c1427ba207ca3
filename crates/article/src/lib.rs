//! The types that flow through newsflow: an [`Article`] comes in, an [`Analysis`] of its text
//! (sentences, tokens, entities) is computed, and a [`Document`] pairs them for the sinks.
//!
//! Layout:
//! - [`Article`]: one input record, parsed from JSON with the field synonyms users send.
//! - [`Span`], [`Token`], [`Sentence`], [`Entity`], [`Label`], [`Cluster`], [`Quote`]:
//!   annotations as **byte** spans into the article text; byte spans slice a `&str`
//!   directly and cost nothing to compute.
//! - [`CharOffsets`]: converts byte spans to the Unicode code point offsets that every output
//!   record carries (the offsets Python's `text[start:end]` and spaCy's `start_char` use).
//! - [`Document`] and its JSON rendering: the one output record schema.
//! - [`RecordView`]: the one projection of a finished record (code point offsets, each
//!   entity's sentence and cluster, canonical names, speakers) that JSON, SQL and HTML read.
//! - [`parse_marked`]: the `[words](LABEL)` notation tests use to write entities inline.
//!
//! This crate does no I/O and never panics on input.

mod analysis;
mod input;
mod marked;
mod offsets;
mod output;
mod view;

pub use analysis::{Analysis, Cluster, Entity, Label, Quote, Sentence, Span, Token};
pub use input::{Article, ArticleError, Origin};
pub use marked::parse_marked;
pub use offsets::CharOffsets;
pub use output::{DeadLetter, Document};
pub use view::{ClusterView, EntityView, QuoteView, RecordView, SentenceView};
