//! Named-entity tagging: a trained statistical tagger for PER, ORG, LOC and MISC, rules for
//! DATE, TIME, MONEY and PERCENT, and a user entity ruler on top.
//!
//! Layout:
//! - `hash`: feature keys (64-bit hashes) and the open-addressing table they index.
//! - `features`: what the model looks at; word features are cached per word type.
//! - `gazetteer`: phrase lists matched token by token.
//! - `model`: quantised weights, Viterbi decoding, the model file format.
//! - [`mod@train`]: the averaged perceptron, folds and stacking.
//! - [`labels`], [`conll`], [`score`]: BILOU/IOB tags, CoNLL files, conlleval scoring.
//! - [`rules`], [`patterns`]: numeric entities and the user entity ruler.
//!
//! Invariants: tagging never fails and never panics on input; entities come out in text
//! order, non-overlapping, on token boundaries; a [`Tagger`] is immutable once built, so
//! worker threads share one behind an `Arc`.

pub mod calibration;
pub mod conll;
mod features;
mod gazetteer;
mod hash;
pub mod labels;
mod model;
pub mod patterns;
pub mod rules;
pub mod score;
pub mod train;

use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use article::{Analysis, Entity, Label, Span};

pub use calibration::Reliability;
pub use conll::{ConllFile, RunningPart, RunningText};
pub use gazetteer::CATEGORIES;
pub use labels::{Scheme, TagSpan, TokenEntity, TYPES};
pub use patterns::Patterns;
pub use score::{Confusion, Counts, Scores};
pub use train::{train, TrainConfig};

use model::Model;

/// The model shipped with newsflow, compiled into the binary so it works from any folder.
static EMBEDDED: &[u8] = include_bytes!("../../../data/model/ner.bin");

/// Errors loading a model or a patterns file.
#[derive(Debug, thiserror::Error)]
pub enum TaggerError {
    /// A file could not be read.
    #[error("cannot read {path}")]
    Read {
        /// The file's path.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A file could not be written.
    #[error("cannot write {path}")]
    Write {
        /// The file's path.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The bytes are not a model this version can read; retrain or use the embedded model.
    #[error("bad model file: {0}")]
    Format(String),
    /// A line of a patterns file is not a `{"label","pattern"}` object.
    #[error("bad patterns line {line}: {message}")]
    Patterns {
        /// 1-based line number (0 when the whole set failed to compile).
        line: usize,
        /// What was wrong.
        message: String,
    },
}

/// Finds entities in segmented text. Loaded once, shared by every worker thread.
#[derive(Debug, Clone)]
pub struct Tagger {
    model: Arc<Model>,
    /// User phrases that override the model, if any.
    patterns: Option<Arc<Patterns>>,
    /// A temperature that overrides the model's own (while fitting it).
    temperature: Option<f32>,
    /// Score entities by the squashed emission margin (divided by this) instead of the
    /// span marginal.
    margin_scores: Option<f32>,
    /// Entities scoring below this are dropped at the end of [`Tagger::tag`], so later
    /// stages (resolution, quotes) never see them; 0 keeps everything.
    min_score: f32,
}

impl Default for Tagger {
    fn default() -> Self {
        Self::embedded()
    }
}

impl Tagger {
    /// The default model shipped with newsflow. Infallible: a test checks that the embedded
    /// bytes parse; were they ever corrupt, the tagger would log an error and find only
    /// rule-based entities rather than stop the pipeline.
    pub fn embedded() -> Self {
        match Model::from_bytes(EMBEDDED) {
            Ok(m) => Self::from_model(m),
            Err(e) => {
                tracing::error!(error = %e, "embedded tagger model is unreadable; tagging with rules only");
                Self::from_model(Model::default())
            }
        }
    }

    /// Loads a model file written by `newsflow train`.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, TaggerError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| TaggerError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_bytes(&bytes)
    }

    /// Parses a model from bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, TaggerError> {
        Ok(Self::from_model(Model::from_bytes(bytes)?))
    }

    pub(crate) fn from_model(model: Model) -> Self {
        Tagger {
            model: Arc::new(model),
            patterns: None,
            temperature: None,
            margin_scores: None,
            min_score: 0.0,
        }
    }

    /// The model as bytes, in the format [`Tagger::from_bytes`] reads.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.model.to_bytes(self.temperature())
    }

    /// Writes the model to `path`.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), TaggerError> {
        let path = path.as_ref();
        std::fs::write(path, self.to_bytes()).map_err(|source| TaggerError::Write {
            path: path.display().to_string(),
            source,
        })
    }

    /// Number of decoding stages in the model (2 when it was trained with stacking).
    pub fn stages(&self) -> usize {
        self.model.stage_count()
    }

    /// The temperature that turns the final stage's scores into the potentials whose span
    /// marginals are the entity scores (fitted on dev data by `calibration::fit_temperature` when `newsflow train` runs).
    pub fn temperature(&self) -> f32 {
        self.temperature.unwrap_or(self.model.temperature)
    }

    /// This tagger scoring at temperature `t` (saved with the model by [`Tagger::save`]).
    pub fn with_temperature(mut self, t: f32) -> Self {
        self.temperature = Some(t);
        self
    }

    /// This tagger scoring model entities by `σ(m / divisor)`, `m` the emission margin of
    /// their weakest token: with divisor 1, the uncalibrated score of earlier versions.
    /// For comparing calibration methods only.
    pub fn with_margin_scores(mut self, divisor: f32) -> Self {
        self.margin_scores = Some(divisor);
        self
    }

    /// This tagger dropping the entities that score below `min` (a probability: see
    /// [`calibration`]); the entities kept are unchanged.
    pub fn with_min_score(mut self, min: f32) -> Self {
        self.min_score = if min.is_finite() { min } else { 0.0 };
        self
    }

    /// This tagger with a user entity ruler attached; its matches override the model.
    pub fn with_patterns(mut self, patterns: Patterns) -> Self {
        self.patterns = Some(Arc::new(patterns));
        self
    }

    /// Model entities of a document given as words split into sentences (token index
    /// ranges), with scores in `[0, 1]`.
    /// Sentences may be given in any shape: they are clamped to the words, made disjoint,
    /// and words outside every sentence form sentences of their own.
    pub fn tag_words(&self, words: &[&str], sentences: &[Range<usize>]) -> Vec<(TokenEntity, f32)> {
        let sentences = partition(sentences, words.len());
        let temperature = self.temperature.unwrap_or(self.model.temperature);
        let pred = self.model.predict(words, &sentences, temperature);
        let mut out = Vec::new();
        for s in sentences {
            for e in labels::decode(&pred.labels[s.clone()]) {
                let r = e.tokens.start + s.start..e.tokens.end + s.start;
                let score = if let Some(div) = self.margin_scores {
                    // The weakest token's emission margin over its best rival label,
                    // squashed: the score before calibration, kept to compare with.
                    let m = pred.margin[r.clone()]
                        .iter()
                        .copied()
                        .fold(f32::INFINITY, f32::min);
                    1.0 / (1.0 + (-m / div).exp())
                } else {
                    pred.prob[r.start]
                };
                out.push((
                    TokenEntity {
                        tokens: r,
                        ty: e.ty,
                    },
                    score,
                ));
            }
        }
        out
    }

    /// Tags one document: reads `analysis.sentences` and `analysis.tokens` of `text` and
    /// replaces `analysis.entities` with the entities found, in text order.
    pub fn tag(&self, text: &str, analysis: &mut Analysis) {
        let words: Vec<&str> = analysis.tokens.iter().map(|t| t.span.slice(text)).collect();
        let n = words.len();
        let raw: Vec<Range<usize>> = analysis
            .sentences
            .iter()
            .map(|s| s.tokens.clone())
            .collect();
        let sents = partition(&raw, n);
        let tok_span = |r: &Range<usize>| {
            Span::new(
                analysis.tokens[r.start].span.start,
                analysis.tokens[r.end - 1].span.end,
            )
        };
        let mut model = self
            .tag_words(&words, &sents)
            .into_iter()
            .map(|(e, s)| (e.tokens, type_label(e.ty), s))
            .peekable();
        // Entities never cross a sentence, and both lists are in text order: each rule is
        // merged among its own sentence's entities only, so one long article costs what
        // the same text costs as many short ones (a merge over the whole list per rule
        // was quadratic in the article).
        let mut ents: Vec<(Range<usize>, Label, f32)> = Vec::new();
        let mut local = Vec::new();
        for s in &sents {
            while let Some(e) = model.next_if(|e| e.0.start < s.end) {
                local.push(e);
            }
            for (r, label) in rules::find(&words[s.clone()]) {
                let r = r.start + s.start..r.end + s.start;
                merge_rule(&mut local, r, label, &words);
            }
            ents.append(&mut local);
        }
        ents.extend(model);
        let entities: Vec<Entity> = ents
            .into_iter()
            .filter(|(r, _, _)| !r.is_empty() && r.end <= n)
            .map(|(r, label, score)| Entity {
                span: tok_span(&r),
                label,
                score,
            })
            .collect();
        self.finish(text, analysis, entities);
    }

    /// The last step of every tagging: the user's patterns override what they overlap,
    /// entities under `--min-score` go, and the rest are stored in text order.
    fn finish(&self, text: &str, analysis: &mut Analysis, mut entities: Vec<Entity>) {
        entities.sort_by_key(|e| (e.span.start, e.span.end));
        if let Some(p) = &self.patterns {
            let found = p.find(text, &analysis.tokens);
            if !found.is_empty() {
                entities = overlay(entities, found);
            }
        }
        if self.min_score > 0.0 {
            entities.retain(|e| e.score >= self.min_score);
        }
        analysis.entities = entities;
    }

    /// Entities for an article in a language this model was not trained on: only the
    /// language-neutral rules (`rules::find_neutral`) and the user's patterns, which say
    /// what they match in any language. No PER/ORG/LOC/MISC: a wrong-language model
    /// would make them up.
    pub fn tag_neutral(&self, text: &str, analysis: &mut Analysis) {
        let words: Vec<&str> = analysis.tokens.iter().map(|t| t.span.slice(text)).collect();
        let mut entities = Vec::new();
        for s in &analysis.sentences {
            for (r, label) in rules::find_neutral(&words[s.tokens.clone()]) {
                let (first, last) = (s.tokens.start + r.start, s.tokens.start + r.end - 1);
                entities.push(Entity {
                    span: Span::new(
                        analysis.tokens[first].span.start,
                        analysis.tokens[last].span.end,
                    ),
                    score: rules::score(&label),
                    label,
                });
            }
        }
        self.finish(text, analysis, entities);
    }

    /// Entities of every document of a CoNLL file, as sentence-local IOB spans per
    /// sentence, in file order. With `conll_only`, only PER/ORG/LOC/MISC are kept.
    pub fn tag_conll(&self, file: &ConllFile, conll_only: bool) -> Vec<Vec<Vec<TagSpan>>> {
        self.tag_conll_scored(file, conll_only, &|_| true)
            .into_iter()
            .map(|doc| {
                doc.into_iter()
                    .map(|s| s.into_iter().map(|(e, _)| e).collect())
                    .collect()
            })
            .collect()
    }

    /// [`Tagger::tag_conll`] with each entity's score, for the documents `keep` selects
    /// by index (the others come out empty).
    fn tag_conll_scored(
        &self,
        file: &ConllFile,
        conll_only: bool,
        keep: &dyn Fn(usize) -> bool,
    ) -> Vec<Vec<Vec<(TagSpan, f32)>>> {
        file.documents
            .iter()
            .enumerate()
            .map(|(di, doc)| {
                if !keep(di) {
                    return vec![Vec::new(); doc.sentences.len()];
                }
                let (text, mut a) = file.analysis(doc);
                self.tag(&text, &mut a);
                let starts: Vec<usize> = a.tokens.iter().map(|t| t.span.start).collect();
                let ends: Vec<usize> = a.tokens.iter().map(|t| t.span.end).collect();
                let mut per_sent: Vec<Vec<(TagSpan, f32)>> = vec![Vec::new(); a.sentences.len()];
                for e in &a.entities {
                    let name = e.label.as_str();
                    if conll_only && !TYPES.contains(&name) {
                        continue;
                    }
                    let (Ok(s), Ok(t)) = (
                        starts.binary_search(&e.span.start),
                        ends.binary_search(&e.span.end),
                    ) else {
                        continue;
                    };
                    let Some(si) = a.sentences.iter().position(|x| x.tokens.contains(&s)) else {
                        continue;
                    };
                    let base = a.sentences[si].tokens.start;
                    if t < a.sentences[si].tokens.end {
                        per_sent[si].push((
                            TagSpan {
                                tokens: s - base..t + 1 - base,
                                ty: name.to_string(),
                            },
                            e.score,
                        ));
                    }
                }
                per_sent
            })
            .collect()
    }

    /// conlleval-style scores of this tagger against the last column of a CoNLL file.
    pub fn evaluate(&self, file: &ConllFile) -> Scores {
        self.evaluate_detailed(file, &|_| true).scores
    }

    /// Scores, confusion counts and scored predictions of this tagger against the last
    /// column of a CoNLL file, over the documents `keep` selects by index.
    pub fn evaluate_detailed(&self, file: &ConllFile, keep: &dyn Fn(usize) -> bool) -> Evaluation {
        let predicted = self.tag_conll_scored(file, true, keep);
        let mut ev = Evaluation::default();
        for (di, (doc, pred)) in file.documents.iter().zip(predicted).enumerate() {
            if !keep(di) {
                continue;
            }
            for (sent, p) in doc.sentences.iter().zip(pred) {
                let gold: Vec<&str> = sent
                    .iter()
                    .map(|&l| file.lines[l].last_column().unwrap_or("O"))
                    .collect();
                let gold = labels::iob_spans(&gold);
                let spans: Vec<TagSpan> = p.iter().map(|(e, _)| e.clone()).collect();
                ev.points
                    .extend(p.iter().map(|(e, s)| (*s, gold.contains(e))));
                ev.scores.add(&gold, &spans);
                ev.confusion.add(&gold, &spans);
                ev.scores.tokens += sent.len();
            }
        }
        ev
    }
}

/// What [`Tagger::evaluate_detailed`] measures.
#[derive(Debug, Clone, Default)]
pub struct Evaluation {
    /// conlleval precision, recall and F1.
    pub scores: Scores,
    /// Type and boundary errors.
    pub confusion: Confusion,
    /// Each predicted entity's score and whether it is right (exact span and type).
    pub points: Vec<(f32, bool)>,
}

/// Turns arbitrary sentence ranges into a partition of `0..n`: sorted, clamped, disjoint,
/// non-empty, every token in exactly one sentence. The features assume this, and a
/// caller's analysis is input like any other.
fn partition(sentences: &[Range<usize>], n: usize) -> Vec<Range<usize>> {
    let mut sorted: Vec<Range<usize>> = sentences
        .iter()
        .map(|s| s.start.min(n)..s.end.min(n))
        .collect();
    sorted.sort_by_key(|s| (s.start, s.end));
    let mut out = Vec::with_capacity(sorted.len() + 1);
    let mut at = 0;
    for s in sorted {
        let start = s.start.max(at);
        if s.end <= start {
            continue;
        }
        if start > at {
            out.push(at..start);
        }
        out.push(start..s.end);
        at = s.end;
    }
    if at < n {
        out.push(at..n);
    }
    out
}

/// Pattern matches laid over entities: each entity that overlaps a match goes, and the
/// matches join the rest, scoring 1.0 (the user's own assertion, so not a measured
/// precision). Both lists are in text order (`found` non-overlapping, as
/// [`Patterns::find`] gives it), so one walk over each settles every overlap: a match that
/// ends before an entity starts cannot touch a later one. Checking every match against
/// every entity was quadratic in a long article with a large patterns file.
fn overlay(entities: Vec<Entity>, found: Vec<(Span, Label)>) -> Vec<Entity> {
    let hit = |s: &Span, e: &Span| s.start < e.end && e.start < s.end;
    let mut kept = Vec::with_capacity(entities.len());
    let mut j = 0;
    for e in entities {
        while found.get(j).is_some_and(|(s, _)| s.end <= e.span.start) {
            j += 1;
        }
        // Later matches start at or after this one's end, which is past the entity's
        // start: if this one starts at or after the entity's end, so do they all.
        if !found.get(j).is_some_and(|(s, _)| hit(s, &e.span)) {
            kept.push(e);
        }
    }
    // Merge in text order; an entity goes first on a tie, as a stable sort would put it.
    let mut out = Vec::with_capacity(kept.len() + found.len());
    let mut found = found.into_iter().peekable();
    for e in kept {
        let key = (e.span.start, e.span.end);
        while let Some((span, label)) = found.next_if(|(s, _)| (s.start, s.end) < key) {
            out.push(Entity {
                span,
                label,
                score: 1.0,
            });
        }
        out.push(e);
    }
    out.extend(found.map(|(span, label)| Entity {
        span,
        label,
        score: 1.0,
    }));
    out
}

fn type_label(ty: usize) -> Label {
    match ty {
        0 => Label::Per,
        1 => Label::Org,
        2 => Label::Loc,
        _ => Label::Misc,
    }
}

/// Adds a rule entity unless it clashes with the model: the rule replaces overlapping model
/// entities only when each lies inside the rule span and has a digit (the model read part
/// of an amount or date as a name); otherwise the model's reading stands.
fn merge_rule(
    ents: &mut Vec<(Range<usize>, Label, f32)>,
    r: Range<usize>,
    label: Label,
    words: &[&str],
) {
    let overlaps = |e: &Range<usize>| e.start < r.end && r.start < e.end;
    let numeric = |e: &Range<usize>| {
        words[e.clone()]
            .iter()
            .any(|w| w.bytes().any(|b| b.is_ascii_digit()))
    };
    let clash: Vec<usize> = (0..ents.len()).filter(|&i| overlaps(&ents[i].0)).collect();
    let rule_wins = clash.iter().all(|&i| {
        let e = &ents[i].0;
        e.start >= r.start && e.end <= r.end && numeric(e)
    });
    if !rule_wins {
        return;
    }
    for &i in clash.iter().rev() {
        ents.remove(i);
    }
    let at = ents.partition_point(|e| e.0.start < r.start);
    let score = rules::score(&label);
    ents.insert(at, (r, label, score));
}

#[cfg(test)]
mod tests;
