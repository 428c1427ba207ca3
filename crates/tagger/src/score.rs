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
