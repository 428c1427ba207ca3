//! The relational rows of one record, shared by the SQLite and PostgreSQL sinks so both
//! store exactly the same values. Offsets are code points, as in the JSON records.

use article::{CharOffsets, Document};

/// One row of the `sentences` table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SentenceRow {
    /// Position of the sentence in its article, from 0.
    pub idx: i32,
    /// First code point.
    pub start: i32,
    /// One past the last code point.
    pub end: i32,
}

/// One row of the `entities` table.
#[derive(Debug, Clone, PartialEq)]
pub struct EntityRow<'d> {
    /// Position of the entity in its article, from 0.
    pub idx: i32,
    /// First code point.
    pub start: i32,
    /// One past the last code point.
    pub end: i32,
    /// The entity's text.
    pub text: &'d str,
    /// Its label (`PER`, `ORG`, ...).
    pub label: &'d str,
    /// Confidence in `[0, 1]`.
    pub score: f32,
    /// Index of the sentence containing it.
    pub sentence: Option<i32>,
}

/// The `sentences` and `entities` rows of a document.
pub fn rows(doc: &Document) -> (Vec<SentenceRow>, Vec<EntityRow<'_>>) {
    let offsets = CharOffsets::new(&doc.text);
    let at = |byte: usize| i32::try_from(offsets.char_offset(byte)).unwrap_or(i32::MAX);
    let analysis = &doc.analysis;
    let sentences = analysis
        .sentences
        .iter()
        .enumerate()
        .map(|(i, s)| SentenceRow {
            idx: i as i32,
            start: at(s.span.start),
            end: at(s.span.end),
        })
        .collect();
    let entities = analysis
        .entities
        .iter()
        .enumerate()
        .map(|(i, e)| EntityRow {
            idx: i as i32,
            start: at(e.span.start),
            end: at(e.span.end),
            text: e.span.slice(&doc.text),
            label: e.label.as_str(),
            score: e.score,
            sentence: analysis.sentence_at(e.span.start).map(|s| s as i32),
        })
        .collect();
    (sentences, entities)
}

/// The carried-through input fields as a JSON object string.
pub fn extra_json(doc: &Document) -> String {
    serde_json::Value::Object(doc.article.extra.clone()).to_string()
}
