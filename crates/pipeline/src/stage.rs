//! CPU-bound stages. They are synchronous and take `&self`, so N worker threads share one
//! loaded model; the runtime calls them off tokio's reactor.

use article::Document;
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
