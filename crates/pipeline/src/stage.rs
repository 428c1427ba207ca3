//! The [`Stage`] trait: one CPU-bound step of analysis. The runtime calls stages on its
//! worker threads, off tokio's reactor; the stages themselves live outside the runtime (the
//! `analysis` crate), so the runtime depends on no NLP crate.

use article::Document;

/// One step of analysis over a document. Must not fail: a stage that cannot handle its
/// input leaves the document as it is. Synchronous and `&self`, so N worker threads share
/// one loaded model.
pub trait Stage: Send + Sync + 'static {
    /// A short name for logs and benchmarks.
    fn name(&self) -> &'static str;

    /// Adds this stage's annotations to `doc`.
    fn process(&self, doc: &mut Document);
}
