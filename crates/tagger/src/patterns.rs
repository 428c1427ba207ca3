//! The user entity ruler: phrases from a JSON Lines file (`{"label": ..., "pattern": ...}`)
//! matched exactly with Aho-Corasick, kept only where they start and end on token
//! boundaries, and given precedence over the model.

use std::path::Path;

use aho_corasick::{AhoCorasick, MatchKind};
use article::{Label, Span, Token};

use crate::TaggerError;

/// A compiled set of user phrases.
#[derive(Debug, Clone)]
pub struct Patterns {
    automaton: AhoCorasick,
    labels: Vec<Label>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Record {
    label: String,
    pattern: String,
}

impl Patterns {
    /// Compiles `(label, phrase)` pairs; empty phrases are skipped.
    pub fn new(pairs: impl IntoIterator<Item = (Label, String)>) -> Result<Self, TaggerError> {
        let (labels, phrases): (Vec<Label>, Vec<String>) = pairs
            .into_iter()
            .filter(|(_, p)| !p.trim().is_empty())
            .unzip();
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(&phrases)
            .map_err(|e| TaggerError::Patterns {
                line: 0,
                message: e.to_string(),
            })?;
        Ok(Patterns { automaton, labels })
    }

    /// Parses JSON Lines text: one `{"label","pattern"}` object per line, blank lines
    /// ignored.
    pub fn from_jsonl(text: &str) -> Result<Self, TaggerError> {
        let mut pairs = Vec::new();
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let r: Record = serde_json::from_str(line).map_err(|e| TaggerError::Patterns {
                line: n + 1,
                message: e.to_string(),
            })?;
            pairs.push((Label::parse(&r.label), r.pattern));
        }
        Self::new(pairs)
    }

    /// Reads a JSON Lines patterns file.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, TaggerError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| TaggerError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_jsonl(&text).map_err(|e| match e {
            TaggerError::Patterns { line, message } => TaggerError::Patterns {
                line,
                message: format!("{}: {message}", path.display()),
            },
            other => other,
        })
    }

    /// Number of phrases.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are no phrases.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Non-overlapping matches on token boundaries, leftmost first, longest on ties.
    pub(crate) fn find(&self, text: &str, tokens: &[Token]) -> Vec<(Span, Label)> {
        if self.labels.is_empty() {
            return Vec::new();
        }
        let starts: std::collections::HashSet<usize> =
            tokens.iter().map(|t| t.span.start).collect();
        let ends: std::collections::HashSet<usize> = tokens.iter().map(|t| t.span.end).collect();
        let mut found: Vec<(usize, usize, usize)> = self
            .automaton
            .find_overlapping_iter(text)
            .filter(|m| starts.contains(&m.start()) && ends.contains(&m.end()))
            .map(|m| (m.start(), m.end(), m.pattern().as_usize()))
            .collect();
        found.sort_by_key(|&(s, e, p)| (s, std::cmp::Reverse(e), p));
        let mut out = Vec::new();
        let mut until = 0;
        for (s, e, p) in found {
            if s >= until {
                out.push((Span::new(s, e), self.labels[p].clone()));
                until = e;
            }
        }
        out
    }
}
