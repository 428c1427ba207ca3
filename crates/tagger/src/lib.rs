//! Named-entity tagging.
//!
//! Until the trained model lands (issue 4) the [`Tagger`] finds no entities, but its place
//! in the pipeline, its API and its worker pool exist.

use article::{Analysis, Entity};

/// Errors loading a model.
#[derive(Debug, thiserror::Error)]
pub enum TaggerError {
    /// The model file could not be read.
    #[error("cannot read model {path}: {source}")]
    Read {
        /// The model's path.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// Finds entities in segmented text. Loaded once, shared by every worker thread.
#[derive(Debug, Clone, Default)]
pub struct Tagger {}

impl Tagger {
    /// The default model shipped with newsflow.
    pub fn embedded() -> Self {
        Self {}
    }

    /// Tags one document: reads `analysis.sentences` and `analysis.tokens` of `text` and
    /// replaces `analysis.entities` with the entities found, in text order.
    pub fn tag(&self, text: &str, analysis: &mut Analysis) {
        let _ = text;
        analysis.entities = Vec::<Entity>::new();
    }
}
