//! The analysis newsflow runs on every article: the [`Stage`] implementations over the NLP
//! crates and [`Analyzer`], the one value that says which stages a run has.
//!
//! The runtime (`pipeline`) knows only the [`Stage`] trait; this crate is where the NLP
//! crates meet it, so a change to the tagger rebuilds this crate and the binary, never the
//! runtime, the sources or the sinks. The binary builds an [`Analyzer`] and hands its
//! [`Analyzer::stages`] to `pipeline::run`.
//!
//! Extending it: a new step is a [`Step`] variant, its stage below and one line in
//! [`Analyzer::through`]. Per-language routing (a language stage first, then the tagger
//! chosen by the article's language) belongs here too, behind the same `Analyzer`, so the
//! runtime and the binary stay as they are.

use std::sync::Arc;

use article::Document;
use pipeline::Stage;
use quotes::QuoteFinder;
use resolve::Resolver;
use segment::Segmenter;
use tagger::Tagger;

/// The steps of the analysis, in the order they run; each needs the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Step {
    /// Sentence and token boundaries.
    Segment,
    /// Named entities, from the model and the rules.
    Tag,
    /// Entities grouped into clusters, with salience.
    Resolve,
    /// Direct quotations and their speakers.
    Quote,
}

impl Step {
    /// Every step, in running order.
    pub const ALL: [Step; 4] = [Step::Segment, Step::Tag, Step::Resolve, Step::Quote];

    /// The step's name in logs and benchmark reports; also its stage's [`Stage::name`].
    pub fn name(self) -> &'static str {
        match self {
            Step::Segment => "segment",
            Step::Tag => "tag",
            Step::Resolve => "resolve",
            Step::Quote => "quote",
        }
    }
}

/// The stages a run applies to every article, in order, shared by every worker.
#[derive(Clone)]
pub struct Analyzer {
    /// The stages; an `Arc` because every worker thread holds the same list and model.
    stages: Arc<[Box<dyn Stage>]>,
}

impl Analyzer {
    /// The full analysis `newsflow run` does: segment, tag with `tagger`, resolve, quote.
    pub fn new(tagger: Tagger) -> Self {
        Self::through(tagger, Step::Quote)
    }

    /// The analysis up to and including `last` (`bench --stage` measures a prefix).
    pub fn through(tagger: Tagger, last: Step) -> Self {
        let mut stages: Vec<Box<dyn Stage>> = vec![Box::new(Segment::default())];
        if last >= Step::Tag {
            stages.push(Box::new(Tag(tagger)));
        }
        if last >= Step::Resolve {
            stages.push(Box::new(Resolve::default()));
        }
        if last >= Step::Quote {
            stages.push(Box::new(Quote::default()));
        }
        Self {
            stages: Arc::from(stages),
        }
    }

    /// The stages, for `pipeline::run`.
    pub fn stages(&self) -> Arc<[Box<dyn Stage>]> {
        Arc::clone(&self.stages)
    }

    /// The stages' names, in running order.
    pub fn names(&self) -> Vec<&'static str> {
        self.stages.iter().map(|s| s.name()).collect()
    }
}

impl std::fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Analyzer")
            .field("stages", &self.names())
            .finish()
    }
}

/// Splits the text into sentences and tokens.
#[derive(Debug, Default)]
pub struct Segment(pub Segmenter);

impl Stage for Segment {
    fn name(&self) -> &'static str {
        Step::Segment.name()
    }

    fn process(&self, doc: &mut Document) {
        doc.analysis = self.0.analyse(&doc.text);
    }
}

/// Finds named entities in the segmented text.
#[derive(Debug, Default)]
pub struct Tag(pub Tagger);

impl Stage for Tag {
    fn name(&self) -> &'static str {
        Step::Tag.name()
    }

    fn process(&self, doc: &mut Document) {
        self.0.tag(&doc.text, &mut doc.analysis);
    }
}

/// Groups the entities into clusters of mentions of one entity each, with salience.
#[derive(Debug, Default)]
pub struct Resolve(pub Resolver);

impl Stage for Resolve {
    fn name(&self) -> &'static str {
        Step::Resolve.name()
    }

    fn process(&self, doc: &mut Document) {
        // `Article::text` puts the title first; entities there are headline mentions.
        let headline = match &doc.article.title {
            Some(title) if doc.text.starts_with(title.as_str()) => 0..title.len(),
            _ => 0..0,
        };
        self.0.resolve(&doc.text, headline, &mut doc.analysis);
    }
}

/// Finds direct quotations and their speakers.
#[derive(Debug, Default)]
pub struct Quote(pub QuoteFinder);

impl Stage for Quote {
    fn name(&self) -> &'static str {
        Step::Quote.name()
    }

    fn process(&self, doc: &mut Document) {
        self.0.find(&doc.text, &mut doc.analysis);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_names_follow_the_steps_in_order() {
        let all: Vec<&str> = Step::ALL.iter().map(|s| s.name()).collect();
        assert_eq!(Analyzer::new(Tagger::default()).names(), all);
        assert_eq!(
            Analyzer::through(Tagger::default(), Step::Tag).names(),
            ["segment", "tag"]
        );
        assert_eq!(
            Analyzer::through(Tagger::default(), Step::Segment).names(),
            ["segment"]
        );
    }

    #[test]
    fn full_analysis_fills_every_step() {
        let line = r#"{"id": "a", "title": "Lavrov meets Blinken", "body": "Sergey Lavrov met Antony Blinken in Geneva. \u201cWe do not expect a breakthrough today,\u201d Lavrov said."}"#;
        let article = article::Article::from_json(line).unwrap();
        let text = article.text();
        let mut doc = Document {
            article,
            text,
            analysis: article::Analysis::default(),
        };
        for stage in Analyzer::new(Tagger::default()).stages().iter() {
            stage.process(&mut doc);
        }
        let a = &doc.analysis;
        assert_eq!(a.sentences.len(), 3, "{:?}", a.sentences);
        assert!(a
            .entities
            .iter()
            .any(|e| &doc.text[e.span.start..e.span.end] == "Geneva"));
        assert!(a.clusters.iter().any(|c| c.canonical == "Sergey Lavrov"));
        assert_eq!(a.quotes.len(), 1);
    }
}
