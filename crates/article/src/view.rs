//! The one projection of a finished record that every output reads: code point offsets,
//! the sentence and cluster of each entity, canonical names, speakers.
//!
//! The JSON writer ([`Document::write_json`]), the SQL rows (the `sinks` crate's column
//! builders) and the HTML report all read a [`RecordView`], so they agree by construction
//! and a new derived field is computed in one place. The view borrows the document and
//! allocates only the entity → cluster table; each item view is computed when asked for,
//! which is what the JSON writer's speed needs.

use crate::{Article, CharOffsets, Cluster, Document, Entity, Label, Quote, Span};

/// A finished record as the outputs see it. Byte spans stay available (the HTML report
/// slices with them); `start`/`end` fields are Unicode code point offsets, end-exclusive.
#[derive(Debug)]
pub struct RecordView<'d> {
    /// The record.
    doc: &'d Document,
    /// Byte → code point conversion for `doc.text`.
    offsets: CharOffsets<'d>,
    /// The cluster of each entity, by entity index.
    cluster_of: Vec<Option<usize>>,
}

/// A sentence of the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SentenceView {
    /// Position in the article, from 0.
    pub index: usize,
    /// Byte span in the text.
    pub span: Span,
    /// First code point.
    pub start: usize,
    /// One past the last code point.
    pub end: usize,
}

/// An entity of the record, with what resolution said about it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EntityView<'d> {
    /// Position in the article, from 0.
    pub index: usize,
    /// Byte span in the text.
    pub span: Span,
    /// First code point.
    pub start: usize,
    /// One past the last code point.
    pub end: usize,
    /// The entity's words (empty if the span does not fit the text).
    pub text: &'d str,
    /// Its kind.
    pub label: &'d Label,
    /// Confidence in `[0, 1]`.
    pub score: f32,
    /// The sentence it stands in.
    pub sentence: Option<usize>,
    /// Its cluster (`None` for dates, times and amounts).
    pub cluster: Option<usize>,
    /// Its cluster's canonical name.
    pub canonical: Option<&'d str>,
}

impl<'d> EntityView<'d> {
    /// The name the entity goes by: its cluster's canonical name, or its own words.
    pub fn name(&self) -> &'d str {
        self.canonical.unwrap_or(self.text)
    }
}

/// A cluster of the record: the mentions of one entity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClusterView<'d> {
    /// Position in the article (order of first mention), from 0; its `id` in JSON.
    pub index: usize,
    /// The kind shared by the mentions.
    pub label: &'d Label,
    /// The fullest name the article gives the entity.
    pub canonical: &'d str,
    /// Salience in `[0, 1]`.
    pub salience: f32,
    /// Indices of its mentions among the entities.
    pub mentions: &'d [usize],
}

/// A direct quotation of the record and its speaker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuoteView<'d> {
    /// Position in the article, from 0.
    pub index: usize,
    /// Byte span of the quoted words.
    pub span: Span,
    /// First code point of the quoted words.
    pub start: usize,
    /// One past the last code point.
    pub end: usize,
    /// The quoted words.
    pub text: &'d str,
    /// Byte span of the words naming the speaker.
    pub speaker_span: Option<Span>,
    /// The words naming the speaker ("Lavrov", "the minister", "he").
    pub speaker: Option<&'d str>,
    /// The speaker's cluster.
    pub speaker_cluster: Option<usize>,
    /// The speaker cluster's canonical name.
    pub speaker_canonical: Option<&'d str>,
    /// Byte span of the speech verb.
    pub cue_span: Option<Span>,
    /// The speech verb ("said", "according to").
    pub cue: Option<&'d str>,
}

impl<'d> QuoteView<'d> {
    /// Who said it: the speaker's canonical name, else the words naming them; `None` when
    /// unattributed.
    pub fn speaker_name(&self) -> Option<&'d str> {
        self.speaker_canonical
            .or(self.speaker.filter(|s| !s.is_empty()))
    }
}

impl<'d> RecordView<'d> {
    /// The view of `doc`.
    pub fn new(doc: &'d Document) -> Self {
        Self {
            doc,
            offsets: CharOffsets::new(&doc.text),
            cluster_of: doc.analysis.entity_clusters(),
        }
    }

    /// The input article (id, title, url, published, source, extra fields).
    pub fn article(&self) -> &'d Article {
        &self.doc.article
    }

    /// The language of the text (ISO 639-1), `None` when it is too short to tell.
    pub fn lang(&self) -> Option<&'static str> {
        self.doc.lang
    }

    /// The entity model that tagged the record, `None` when none ran.
    pub fn ner_model(&self) -> Option<&'static str> {
        self.doc.ner_model
    }

    /// The analysed text; every span refers to it.
    pub fn text(&self) -> &'d str {
        &self.doc.text
    }

    /// The code point offset of byte offset `byte`.
    pub fn char_offset(&self, byte: usize) -> usize {
        self.offsets.char_offset(byte)
    }

    /// The sentences, in text order.
    pub fn sentences(&self) -> impl ExactSizeIterator<Item = SentenceView> + '_ {
        self.doc
            .analysis
            .sentences
            .iter()
            .enumerate()
            .map(|(index, s)| SentenceView {
                index,
                span: s.span,
                start: self.char_offset(s.span.start),
                end: self.char_offset(s.span.end),
            })
    }

    /// Entity `index`, if there is one.
    pub fn entity(&self, index: usize) -> Option<EntityView<'d>> {
        let e = self.doc.analysis.entities.get(index)?;
        Some(self.entity_view(index, e))
    }

    /// The entities, in text order.
    pub fn entities(&self) -> impl ExactSizeIterator<Item = EntityView<'d>> + '_ {
        let entities = &self.doc.analysis.entities;
        entities
            .iter()
            .enumerate()
            .map(|(i, e)| self.entity_view(i, e))
    }

    fn entity_view(&self, index: usize, e: &'d Entity) -> EntityView<'d> {
        let analysis = &self.doc.analysis;
        let cluster = self.cluster_of.get(index).copied().flatten();
        EntityView {
            index,
            span: e.span,
            start: self.char_offset(e.span.start),
            end: self.char_offset(e.span.end),
            text: e.span.slice(self.text()),
            label: &e.label,
            score: e.score,
            sentence: analysis.sentence_at(e.span.start),
            cluster,
            canonical: cluster.and_then(|c| self.canonical(c)),
        }
    }

    /// Cluster `index`, if there is one.
    pub fn cluster(&self, index: usize) -> Option<ClusterView<'d>> {
        let c = self.doc.analysis.clusters.get(index)?;
        Some(cluster_view(index, c))
    }

    /// The clusters, in order of first mention.
    pub fn clusters(&self) -> impl ExactSizeIterator<Item = ClusterView<'d>> + '_ {
        let clusters = &self.doc.analysis.clusters;
        clusters.iter().enumerate().map(|(i, c)| cluster_view(i, c))
    }

    /// Cluster indices from most to least salient.
    pub fn salience(&self) -> Vec<usize> {
        self.doc.analysis.salience_ranking()
    }

    /// Quotation `index`, if there is one.
    pub fn quote(&self, index: usize) -> Option<QuoteView<'d>> {
        let q = self.doc.analysis.quotes.get(index)?;
        Some(self.quote_view(index, q))
    }

    /// The quotations, in text order.
    pub fn quotes(&self) -> impl ExactSizeIterator<Item = QuoteView<'d>> + '_ {
        let quotes = &self.doc.analysis.quotes;
        quotes
            .iter()
            .enumerate()
            .map(|(i, q)| self.quote_view(i, q))
    }

    fn quote_view(&self, index: usize, q: &'d Quote) -> QuoteView<'d> {
        let text = self.text();
        QuoteView {
            index,
            span: q.span,
            start: self.char_offset(q.span.start),
            end: self.char_offset(q.span.end),
            text: q.span.slice(text),
            speaker_span: q.speaker,
            speaker: q.speaker.map(|s| s.slice(text)),
            speaker_cluster: q.speaker_cluster,
            speaker_canonical: q.speaker_cluster.and_then(|c| self.canonical(c)),
            cue_span: q.cue,
            cue: q.cue.map(|s| s.slice(text)),
        }
    }

    /// The canonical name of cluster `c`.
    fn canonical(&self, c: usize) -> Option<&'d str> {
        self.doc
            .analysis
            .clusters
            .get(c)
            .map(|c| c.canonical.as_str())
    }
}

fn cluster_view(index: usize, c: &Cluster) -> ClusterView<'_> {
    ClusterView {
        index,
        label: &c.label,
        canonical: &c.canonical,
        salience: c.salience,
        mentions: &c.mentions,
    }
}
