//! The word lists the quote finder reads from `data/`, embedded at compile time (the binary
//! needs no data files) and parsed once into sorted tables shared by every worker.

use std::sync::OnceLock;

/// Verbs of saying; the same file the segmenter reads, so the two never disagree.
const SPEECH_VERBS: &str = include_str!("../../../data/abbreviations/speech_verbs.txt");

/// The longest word a lookup lowercases on the stack; longer tokens are in no list.
const MAX_WORD: usize = 32;

/// The entries of a list file: one lowercase entry per line, `#` starts a comment.
fn entries(file: &'static str) -> impl Iterator<Item = &'static str> {
    file.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// A list file as a sorted table for binary search.
fn sorted(file: &'static str) -> Vec<&'static str> {
    let mut words: Vec<&'static str> = entries(file).collect();
    words.sort_unstable();
    words
}

/// Whether `word`, in any ASCII case, is in the sorted lowercase `table`.
fn contains(table: &[&str], word: &str) -> bool {
    let bytes = word.as_bytes();
    if bytes.is_empty() || bytes.len() > MAX_WORD {
        return false;
    }
    let mut buf = [0u8; MAX_WORD];
    for (b, w) in buf.iter_mut().zip(bytes) {
        *b = w.to_ascii_lowercase();
    }
    let lower = &buf[..bytes.len()];
    table.binary_search_by(|e| e.as_bytes().cmp(lower)).is_ok()
}

/// Whether `word` is a verb of saying ("said", "Told").
pub(crate) fn is_speech_verb(word: &str) -> bool {
    static TABLE: OnceLock<Vec<&'static str>> = OnceLock::new();
    contains(TABLE.get_or_init(|| sorted(SPEECH_VERBS)), word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speech_verbs_are_lowercase_and_listed_once() {
        let all: Vec<_> = entries(SPEECH_VERBS).collect();
        let mut seen = std::collections::HashSet::new();
        for w in &all {
            assert!(seen.insert(*w), "{w} is listed twice in speech_verbs.txt");
            assert_eq!(*w, w.to_lowercase(), "{w} is not lowercase");
        }
        assert!(all.len() > 50);
    }

    #[test]
    fn speech_verbs_match_in_any_case() {
        assert!(is_speech_verb("said"));
        assert!(is_speech_verb("Told"));
        assert!(is_speech_verb("insisted"));
        assert!(!is_speech_verb("sad"));
        assert!(!is_speech_verb(""));
    }
}
