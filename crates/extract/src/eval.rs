//! Snippet scoring the way trafilatura's own evaluation scores extractors: per page, every
//! `with` snippet found in the text is a true positive (missing: a false negative), every
//! `without` snippet found is a false positive (missing: a true negative); precision,
//! recall and F1 are computed over the counts summed across pages.

/// Summed snippet counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SnippetScore {
    /// `with` snippets found.
    pub true_pos: u32,
    /// `without` snippets found.
    pub false_pos: u32,
    /// `with` snippets missing.
    pub false_neg: u32,
    /// `without` snippets missing.
    pub true_neg: u32,
}

impl SnippetScore {
    /// Scores one page's extracted text (`None`: extraction failed, nothing found).
    pub fn page<S: AsRef<str>>(text: Option<&str>, with: &[S], without: &[S]) -> Self {
        let found = |s: &S| text.is_some_and(|t| t.contains(s.as_ref()));
        let true_pos = with.iter().filter(|s| found(s)).count() as u32;
        let false_pos = without.iter().filter(|s| found(s)).count() as u32;
        SnippetScore {
            true_pos,
            false_pos,
            false_neg: with.len() as u32 - true_pos,
            true_neg: without.len() as u32 - false_pos,
        }
    }

    /// Adds another page's counts.
    pub fn add(&mut self, other: SnippetScore) {
        self.true_pos += other.true_pos;
        self.false_pos += other.false_pos;
        self.false_neg += other.false_neg;
        self.true_neg += other.true_neg;
    }

    /// Share of found snippets that should have been found.
    pub fn precision(&self) -> f64 {
        ratio(self.true_pos, self.true_pos + self.false_pos)
    }

    /// Share of `with` snippets found.
    pub fn recall(&self) -> f64 {
        ratio(self.true_pos, self.true_pos + self.false_neg)
    }

    /// Harmonic mean of precision and recall.
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

/// `a / b`, 0 when `b` is 0.
fn ratio(a: u32, b: u32) -> f64 {
    if b == 0 {
        0.0
    } else {
        f64::from(a) / f64::from(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_count_as_trafilatura_counts_them() {
        let s = SnippetScore::page(
            Some("the body text, no menu"),
            &["body text", "lost"],
            &["menu", "footer"],
        );
        assert_eq!(
            s,
            SnippetScore {
                true_pos: 1,
                false_pos: 1,
                false_neg: 1,
                true_neg: 1
            }
        );
        assert!((s.f1() - 0.5).abs() < 1e-9);
        let none = SnippetScore::page(None, &["a"], &["b"]);
        assert_eq!((none.false_neg, none.true_neg), (1, 1));
    }
}
