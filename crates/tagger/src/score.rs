//! conlleval-style scoring: an entity counts only when its type and both boundaries match.

use std::collections::{BTreeMap, HashSet};

use crate::labels::TagSpan;

/// Counts for one entity type (or all of them).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Predicted entities that match a gold entity exactly.
    pub correct: usize,
    /// Predicted entities.
    pub predicted: usize,
    /// Gold entities.
    pub gold: usize,
}

impl Counts {
    /// Precision in percent (0 when nothing was predicted).
    pub fn precision(&self) -> f64 {
        pct(self.correct, self.predicted)
    }
    /// Recall in percent (0 when there is no gold entity).
    pub fn recall(&self) -> f64 {
        pct(self.correct, self.gold)
    }
    /// F1 in percent, the harmonic mean of precision and recall.
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

fn pct(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        100.0 * a as f64 / b as f64
    }
}

/// Scores accumulated over documents.
#[derive(Debug, Clone, Default)]
pub struct Scores {
    /// All types together.
    pub overall: Counts,
    /// Per type name, sorted.
    pub per_type: BTreeMap<String, Counts>,
    /// Tokens seen.
    pub tokens: usize,
}

impl Scores {
    /// Adds one document's (or sentence's) gold and predicted entities.
    pub fn add(&mut self, gold: &[TagSpan], predicted: &[TagSpan]) {
        let gold_set: HashSet<&TagSpan> = gold.iter().collect();
        for g in gold {
            self.overall.gold += 1;
            self.per_type.entry(g.ty.clone()).or_default().gold += 1;
        }
        for p in predicted {
            let hit = gold_set.contains(p);
            self.overall.predicted += 1;
            let c = self.per_type.entry(p.ty.clone()).or_default();
            c.predicted += 1;
            if hit {
                c.correct += 1;
                self.overall.correct += 1;
            }
        }
    }
}

/// Where predictions and gold entities meet: exact spans by gold and predicted type,
/// boundary errors, spurious and missed entities. Every predicted entity is counted once
/// (exact span, overlapping a gold entity with other boundaries, or spurious), and every
/// gold entity not found exactly and not overlapped by any prediction is missed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Confusion {
    /// Exact spans: `(gold type, predicted type)` → count; the diagonal is the right ones.
    pub exact: BTreeMap<(String, String), usize>,
    /// Predictions overlapping a gold entity with other boundaries, by
    /// `(gold type, predicted type)` of the first gold entity they overlap.
    pub boundary: BTreeMap<(String, String), usize>,
    /// Predictions overlapping no gold entity, by predicted type.
    pub spurious: BTreeMap<String, usize>,
    /// Gold entities with no overlapping prediction, by gold type.
    pub missed: BTreeMap<String, usize>,
}

impl Confusion {
    /// Adds one sentence's gold and predicted entities.
    pub fn add(&mut self, gold: &[TagSpan], predicted: &[TagSpan]) {
        let overlaps = |a: &TagSpan, b: &TagSpan| {
            a.tokens.start < b.tokens.end && b.tokens.start < a.tokens.end
        };
        for p in predicted {
            if let Some(g) = gold.iter().find(|g| g.tokens == p.tokens) {
                *self.exact.entry((g.ty.clone(), p.ty.clone())).or_default() += 1;
            } else if let Some(g) = gold.iter().find(|g| overlaps(g, p)) {
                *self
                    .boundary
                    .entry((g.ty.clone(), p.ty.clone()))
                    .or_default() += 1;
            } else {
                *self.spurious.entry(p.ty.clone()).or_default() += 1;
            }
        }
        for g in gold {
            if !predicted.iter().any(|p| overlaps(g, p)) {
                *self.missed.entry(g.ty.clone()).or_default() += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::iob_spans;

    #[test]
    fn exact_boundaries_and_type_are_required() {
        // gold: [Peter Blackburn]PER [BRUSSELS]LOC ; predicted: [Peter]PER [Blackburn]PER
        // [BRUSSELS]LOC: one of three predictions right, one of two gold found.
        let gold = iob_spans(&["I-PER", "I-PER", "I-LOC"]);
        let pred = iob_spans(&["I-PER", "B-PER", "I-LOC"]);
        let mut s = Scores::default();
        s.add(&gold, &pred);
        assert_eq!(
            s.overall,
            Counts {
                correct: 1,
                predicted: 3,
                gold: 2
            }
        );
        assert!((s.overall.precision() - 100.0 / 3.0).abs() < 1e-9);
        assert!((s.overall.recall() - 50.0).abs() < 1e-9);
        assert!((s.overall.f1() - 40.0).abs() < 1e-9);
        assert_eq!(
            s.per_type["PER"],
            Counts {
                correct: 0,
                predicted: 2,
                gold: 1
            }
        );
        assert_eq!(s.per_type["LOC"].f1(), 100.0);
    }

    #[test]
    fn confusion_separates_type_boundary_spurious_and_missed_errors() {
        // gold: [Peter Blackburn]PER said [EU]ORG ... [Bonn]LOC
        // pred: [Peter]PER said [EU]LOC [today]MISC ...
        let gold = iob_spans(&["I-PER", "I-PER", "O", "I-ORG", "O", "O", "I-LOC"]);
        let pred = iob_spans(&["I-PER", "O", "O", "I-LOC", "I-MISC", "O", "O"]);
        let mut c = Confusion::default();
        c.add(&gold, &pred);
        let key = |a: &str, b: &str| (a.to_string(), b.to_string());
        assert_eq!(c.exact.get(&key("ORG", "LOC")), Some(&1));
        assert_eq!(c.boundary.get(&key("PER", "PER")), Some(&1));
        assert_eq!(c.spurious.get("MISC"), Some(&1));
        assert_eq!(c.missed.get("LOC"), Some(&1));
        assert_eq!(c.missed.get("PER"), None);
    }

    #[test]
    fn wrong_type_counts_against_both_types() {
        let mut s = Scores::default();
        s.add(&iob_spans(&["I-ORG"]), &iob_spans(&["I-LOC"]));
        assert_eq!(
            s.per_type["ORG"],
            Counts {
                correct: 0,
                predicted: 0,
                gold: 1
            }
        );
        assert_eq!(
            s.per_type["LOC"],
            Counts {
                correct: 0,
                predicted: 1,
                gold: 0
            }
        );
        assert_eq!(s.overall.f1(), 0.0);
    }
}
