//! CPU-bound stages. They are synchronous and take `&self`, so N worker threads share one
//! loaded model; the runtime calls them off tokio's reactor.

use std::sync::Arc;

use article::Document;
use quotes::QuoteFinder;
use resolve::Resolver;
use segment::Segmenter;
use tagger::Tagger;

/// One step of analysis over a document. Must not fail: a stage that cannot handle its
/// input leaves the document as it is.
pub trait Stage: Send + Sync + 'static {
    /// A short name for logs and benchmarks.
    fn name(&self) -> &'static str;

    /// Adds this stage's annotations to `doc`.
    fn process(&self, doc: &mut Document);
}

/// Splits the text into sentences and tokens.
#[derive(Debug, Default)]
pub struct Segment(pub Segmenter);

impl Stage for Segment {
    fn name(&self) -> &'static str {
        "segment"
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
        "tag"
    }

    fn process(&self, doc: &mut Document) {
        self.0.tag(&doc.text, &mut doc.analysis);
    }
}

/// Groups the entities into clusters of one entity each, with salience.
#[derive(Debug, Default)]
pub struct Resolve(pub Resolver);

impl Stage for Resolve {
    fn name(&self) -> &'static str {
        "resolve"
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
        "quote"
    }

    fn process(&self, doc: &mut Document) {
        self.0.find(&doc.text, &mut doc.analysis);
    }
}

/// The full analysis, in order: segment, tag with `tagger`, resolve, quote. The one place
/// that says which stages a run has, for `run` and `bench` alike.
pub fn analysis_stages(tagger: Tagger) -> Arc<[Box<dyn Stage>]> {
    Arc::from(vec![
        Box::new(Segment::default()) as Box<dyn Stage>,
        Box::new(Tag(tagger)),
        Box::new(Resolve::default()),
        Box::new(Quote::default()),
    ])
}
