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
    /// Index of its cluster in the article.
    pub cluster: Option<i32>,
    /// Its cluster's canonical name, stored beside each mention so that counting entities
    /// by name needs no join.
    pub canonical: Option<&'d str>,
}

/// One row of the `clusters` table.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterRow<'d> {
    /// Position of the cluster in its article (order of first mention), from 0.
    pub idx: i32,
    /// The entity's label.
    pub label: &'d str,
    /// Its fullest name in the article.
    pub canonical: &'d str,
    /// Salience in `[0, 1]`.
    pub salience: f32,
    /// Number of mentions.
    pub mentions: i32,
}

/// One row of the `quotes` table.
#[derive(Debug, Clone, PartialEq)]
pub struct QuoteRow<'d> {
    /// Position of the quote in its article, from 0.
    pub idx: i32,
    /// First code point of the quoted words.
    pub start: i32,
    /// One past the last code point.
    pub end: i32,
    /// The quoted words.
    pub text: &'d str,
    /// The speaker as the article names them there ("Lavrov", "he").
    pub speaker: Option<&'d str>,
    /// The speaker's cluster in the article.
    pub speaker_cluster: Option<i32>,
    /// The speaker cluster's canonical name.
    pub speaker_canonical: Option<&'d str>,
    /// The speech verb.
    pub cue: Option<&'d str>,
}

/// Every child row of one article.
#[derive(Debug, Clone, Default)]
pub struct Rows<'d> {
    /// The `sentences` rows.
    pub sentences: Vec<SentenceRow>,
    /// The `entities` rows.
    pub entities: Vec<EntityRow<'d>>,
    /// The `clusters` rows.
    pub clusters: Vec<ClusterRow<'d>>,
    /// The `quotes` rows.
    pub quotes: Vec<QuoteRow<'d>>,
}

/// The child rows of a document.
pub fn rows(doc: &Document) -> Rows<'_> {
    let offsets = CharOffsets::new(&doc.text);
    let at = |byte: usize| i32::try_from(offsets.char_offset(byte)).unwrap_or(i32::MAX);
    let index = |i: usize| i32::try_from(i).unwrap_or(i32::MAX);
    let analysis = &doc.analysis;
    let text = doc.text.as_str();
    let canonical = |c: usize| analysis.clusters.get(c).map(|c| c.canonical.as_str());
    let cluster_of = analysis.entity_clusters();
    Rows {
        sentences: analysis
            .sentences
            .iter()
            .enumerate()
            .map(|(i, s)| SentenceRow {
                idx: index(i),
                start: at(s.span.start),
                end: at(s.span.end),
            })
            .collect(),
        entities: analysis
            .entities
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let cluster = cluster_of.get(i).copied().flatten();
                EntityRow {
                    idx: index(i),
                    start: at(e.span.start),
                    end: at(e.span.end),
                    text: e.span.slice(text),
                    label: e.label.as_str(),
                    score: e.score,
                    sentence: analysis.sentence_at(e.span.start).map(index),
                    cluster: cluster.map(index),
                    canonical: cluster.and_then(canonical),
                }
            })
            .collect(),
        clusters: analysis
            .clusters
            .iter()
            .enumerate()
            .map(|(i, c)| ClusterRow {
                idx: index(i),
                label: c.label.as_str(),
                canonical: &c.canonical,
                salience: c.salience,
                mentions: index(c.mentions.len()),
            })
            .collect(),
        quotes: analysis
            .quotes
            .iter()
            .enumerate()
            .map(|(i, q)| QuoteRow {
                idx: index(i),
                start: at(q.span.start),
                end: at(q.span.end),
                text: q.span.slice(text),
                speaker: q.speaker.map(|s| s.slice(text)),
                speaker_cluster: q.speaker_cluster.map(index),
                speaker_canonical: q.speaker_cluster.and_then(canonical),
                cue: q.cue.map(|s| s.slice(text)),
            })
            .collect(),
    }
}

/// The carried-through input fields as a JSON object string.
pub fn extra_json(doc: &Document) -> String {
    serde_json::Value::Object(doc.article.extra.clone()).to_string()
}
