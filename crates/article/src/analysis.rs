//! Annotations of an article's text. All spans are byte offsets into the text; they are
//! converted to code point offsets only when a record is written (see [`crate::CharOffsets`]).

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

/// A half-open byte range `start..end` into an article's text, always on char boundaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end` (bytes, end-exclusive).
    pub const fn new(start: usize, end: usize) -> Self {
        Self { start, end }
    }

    /// Number of bytes covered.
    pub const fn len(&self) -> usize {
        self.end - self.start
    }

    /// True when the span covers nothing.
    pub const fn is_empty(&self) -> bool {
        self.end <= self.start
    }

    /// The covered text; empty when the span does not fit `text` or splits a character,
    /// so a bad span can never panic a stage.
    pub fn slice<'t>(&self, text: &'t str) -> &'t str {
        text.get(self.start..self.end).unwrap_or("")
    }

    /// The span as a `Range`, for slicing.
    pub const fn range(&self) -> Range<usize> {
        self.start..self.end
    }
}

/// One token: a word, number or punctuation mark, as the tagger sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Token {
    /// Where the token stands in the text.
    pub span: Span,
}

/// One sentence, with the tokens that fall inside it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Sentence {
    /// Where the sentence stands in the text (trimmed of surrounding whitespace).
    pub span: Span,
    /// Indices into [`Analysis::tokens`] of the sentence's tokens.
    pub tokens: Range<usize>,
}

/// The kind of an entity: the four CoNLL types, the rule-based numeric types, or a label a
/// user gave in a patterns file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Label {
    /// A person.
    Per,
    /// An organisation: company, institution, team, party, agency.
    Org,
    /// A place: country, city, region, geographic feature.
    Loc,
    /// Other names: nationalities, events, works, products.
    Misc,
    /// A calendar date or period ("January 10", "last week").
    Date,
    /// A time of day ("10 a.m.").
    Time,
    /// An amount of money ("$1.5 billion").
    Money,
    /// A percentage ("3.5 percent").
    Percent,
    /// A label from the user's patterns file.
    Custom(Arc<str>),
}

impl Label {
    /// The label as written in output records (`PER`, `ORG`, ...).
    pub fn as_str(&self) -> &str {
        match self {
            Label::Per => "PER",
            Label::Org => "ORG",
            Label::Loc => "LOC",
            Label::Misc => "MISC",
            Label::Date => "DATE",
            Label::Time => "TIME",
            Label::Money => "MONEY",
            Label::Percent => "PERCENT",
            Label::Custom(name) => name,
        }
    }

    /// Parses a label name; names other than the built-in ones become [`Label::Custom`].
    pub fn parse(name: &str) -> Self {
        match name {
            "PER" | "PERSON" => Label::Per,
            "ORG" => Label::Org,
            "LOC" | "GPE" => Label::Loc,
            "MISC" => Label::Misc,
            "DATE" => Label::Date,
            "TIME" => Label::Time,
            "MONEY" => Label::Money,
            "PERCENT" => Label::Percent,
            other => Label::Custom(Arc::from(other)),
        }
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A named entity found in the text.
#[derive(Debug, Clone, PartialEq)]
pub struct Entity {
    /// Where the entity stands in the text.
    pub span: Span,
    /// Its kind.
    pub label: Label,
    /// Confidence in `[0, 1]`: the probability that span and kind are right (model entities
    /// their calibrated span marginal, rule entities their kind's measured precision);
    /// pattern matches carry `1.0`.
    pub score: f32,
}

/// The mentions of one entity within an article: "Antony Blinken", "Blinken", "Blinken".
#[derive(Debug, Clone, PartialEq)]
pub struct Cluster {
    /// The kind shared by the mentions (the most frequent one when the tagger disagreed).
    pub label: Label,
    /// The fullest name the article gives the entity ("Antony Blinken", "Organization for
    /// Security and Co-operation in Europe"), as written in the text.
    pub canonical: String,
    /// Indices into [`Analysis::entities`], in text order; never empty.
    pub mentions: Vec<usize>,
    /// How central the entity is to the article, in `[0, 1]` (1 for the most salient one):
    /// from the number of mentions, how early the first comes and whether the title names it.
    pub salience: f32,
}

/// A direct quotation and who said it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    /// The quoted words, without the outer quotation marks. A quotation running over
    /// several paragraphs is one quote; the marks that reopen it stay inside the span.
    pub span: Span,
    /// The words naming the speaker where the quote is attributed ("Lavrov", "the minister",
    /// "he"); `None` when no attribution was found.
    pub speaker: Option<Span>,
    /// The speaker's cluster (an index into [`Analysis::clusters`]): the named entity, or for
    /// a pronoun or a description, the person it most plausibly refers to.
    pub speaker_cluster: Option<usize>,
    /// The speech verb linking speaker and quote ("said", "told", "according to").
    pub cue: Option<Span>,
}

/// Everything newsflow computes about one article's text.
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    /// Sentences in text order, non-overlapping.
    pub sentences: Vec<Sentence>,
    /// Tokens in text order, non-overlapping; each belongs to exactly one sentence.
    pub tokens: Vec<Token>,
    /// Entities in text order, non-overlapping.
    pub entities: Vec<Entity>,
    /// Entities grouped by what they refer to, in order of first mention; each entity
    /// belongs to at most one cluster (dates and amounts to none).
    pub clusters: Vec<Cluster>,
    /// Direct quotations in text order, non-overlapping.
    pub quotes: Vec<Quote>,
}

impl Analysis {
    /// Index of the sentence containing byte offset `at`, if any.
    pub fn sentence_at(&self, at: usize) -> Option<usize> {
        let i = self.sentences.partition_point(|s| s.span.end <= at);
        (i < self.sentences.len() && self.sentences[i].span.start <= at).then_some(i)
    }

    /// The cluster of each entity, by entity index (`None` for entities in no cluster).
    pub fn entity_clusters(&self) -> Vec<Option<usize>> {
        let mut of = vec![None; self.entities.len()];
        for (c, cluster) in self.clusters.iter().enumerate() {
            for &m in &cluster.mentions {
                if let Some(slot) = of.get_mut(m) {
                    *slot = Some(c);
                }
            }
        }
        of
    }

    /// Cluster indices from most to least salient (ties keep the order of first mention).
    pub fn salience_ranking(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.clusters.len()).collect();
        order.sort_by(|&a, &b| {
            self.clusters[b]
                .salience
                .total_cmp(&self.clusters[a].salience)
        });
        order
    }
}
