//! Boundary F1 on the UD development sets, shared by `tests/ud_dev.rs` and the `score`
//! example (included by `#[path]`, so the scorer is written once).

use std::path::Path;

use segment::Segmenter;

/// One document: its text and the byte offsets where its gold sentences start.
pub struct Doc {
    /// The document id, for printing misses (the `score` example reads it, the test not).
    #[allow(dead_code)]
    pub id: String,
    /// The text, as the segmenter sees it.
    pub text: String,
    /// Gold sentence starts as byte offsets (the files give code points).
    pub starts: Vec<usize>,
}

/// Counts of one scoring run over sentence starts.
#[derive(Debug, Default, Clone, Copy)]
pub struct Score {
    /// Starts both gold and predicted.
    pub hits: usize,
    /// Predicted starts that are not gold (false splits).
    pub extra: usize,
    /// Gold starts that were not predicted (missed splits).
    pub missed: usize,
}

impl Score {
    /// Boundary F1 in percent.
    pub fn f1(&self) -> f64 {
        let denom = 2 * self.hits + self.extra + self.missed;
        if denom == 0 {
            return 100.0;
        }
        200.0 * self.hits as f64 / denom as f64
    }
}

/// Reads `{doc_id, text, sentences: [[start, end], …]}` lines; `None` when unreadable.
pub fn load(path: &Path) -> Option<Vec<Doc>> {
    let raw = std::fs::read_to_string(path).ok()?;
    let mut docs = Vec::new();
    for line in raw.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).ok()?;
        let text = v.get("text")?.as_str()?.to_string();
        // Code point index → byte offset.
        let bytes: Vec<usize> = text
            .char_indices()
            .map(|(b, _)| b)
            .chain(std::iter::once(text.len()))
            .collect();
        let starts = v
            .get("sentences")?
            .as_array()?
            .iter()
            .map(|s| {
                s.get(0)?
                    .as_u64()
                    .and_then(|c| bytes.get(c as usize).copied())
            })
            .collect::<Option<Vec<usize>>>()?;
        let id = v.get("doc_id")?.as_str()?.to_string();
        docs.push(Doc { id, text, starts });
    }
    Some(docs)
}

/// Predicted sentence starts of `doc`.
pub fn predicted(segmenter: &Segmenter, doc: &Doc) -> Vec<usize> {
    segmenter
        .sentences(&doc.text)
        .iter()
        .map(|s| s.start)
        .collect()
}

/// Scores one document. The start of the text is not a decision, so it is not counted.
pub fn score_doc(gold: &[usize], got: &[usize]) -> Score {
    let gold: std::collections::BTreeSet<usize> = gold.iter().copied().filter(|&s| s > 0).collect();
    let got: std::collections::BTreeSet<usize> = got.iter().copied().filter(|&s| s > 0).collect();
    let hits = gold.intersection(&got).count();
    Score {
        hits,
        extra: got.len() - hits,
        missed: gold.len() - hits,
    }
}

/// Scores every document and sums the counts.
pub fn score(segmenter: &Segmenter, docs: &[Doc]) -> Score {
    let mut total = Score::default();
    for doc in docs {
        let s = score_doc(&doc.starts, &predicted(segmenter, doc));
        total.hits += s.hits;
        total.extra += s.extra;
        total.missed += s.missed;
    }
    total
}
