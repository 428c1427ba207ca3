//! Sentence and token boundaries for English news text.
//!
//! A first, simple segmenter: sentences end at `.`, `!` or `?` followed by whitespace and
//! an uppercase letter or digit, and at blank lines; tokens are runs of word characters
//! or single punctuation marks. Issue 3 replaces it with the full rule set.
//!
//! The segmenter never fails and never panics: any `&str` yields spans in order, on char
//! boundaries, non-overlapping.

use article::{Analysis, Sentence, Span, Token};

/// Splits text into sentences and tokens. Cheap to share between threads.
#[derive(Debug, Clone, Default)]
pub struct Segmenter {}

impl Segmenter {
    /// A segmenter with the built-in English rules.
    pub fn new() -> Self {
        Self {}
    }

    /// Sentence spans of `text`, trimmed of surrounding whitespace, in order.
    pub fn sentences(&self, text: &str) -> Vec<Span> {
        let mut out = Vec::new();
        let bytes = text.as_bytes();
        let mut start = 0;
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            let paragraph = b == b'\n' && next_non_space_line_break(bytes, i + 1);
            let terminal = matches!(b, b'.' | b'!' | b'?')
                && bytes.get(i + 1).is_some_and(|c| c.is_ascii_whitespace())
                && next_word_starts_sentence(bytes, i + 1);
            if paragraph || terminal {
                push_trimmed(text, start, i + 1, &mut out);
                start = i + 1;
            }
            i += 1;
        }
        push_trimmed(text, start, text.len(), &mut out);
        out
    }

    /// Appends the tokens of `text[span]` to `out`.
    pub fn tokens_into(&self, text: &str, span: Span, out: &mut Vec<Token>) {
        let piece = span.slice(text);
        let mut word_start: Option<usize> = None;
        for (i, c) in piece.char_indices() {
            if c.is_alphanumeric() || c == '\'' || c == '-' {
                word_start.get_or_insert(i);
                continue;
            }
            if let Some(ws) = word_start.take() {
                out.push(Token { span: Span::new(span.start + ws, span.start + i) });
            }
            if !c.is_whitespace() {
                let end = i + c.len_utf8();
                out.push(Token { span: Span::new(span.start + i, span.start + end) });
            }
        }
        if let Some(ws) = word_start {
            out.push(Token { span: Span::new(span.start + ws, span.end) });
        }
    }

    /// Sentences with their tokens: the [`Analysis`] the tagger fills in.
    pub fn analyse(&self, text: &str) -> Analysis {
        let spans = self.sentences(text);
        let mut analysis = Analysis {
            sentences: Vec::with_capacity(spans.len()),
            tokens: Vec::with_capacity(text.len() / 5),
            entities: Vec::new(),
        };
        for span in spans {
            let first = analysis.tokens.len();
            self.tokens_into(text, span, &mut analysis.tokens);
            analysis.sentences.push(Sentence { span, tokens: first..analysis.tokens.len() });
        }
        analysis
    }
}

fn next_non_space_line_break(bytes: &[u8], from: usize) -> bool {
    for &b in &bytes[from..] {
        match b {
            b'\n' => return true,
            b' ' | b'\t' | b'\r' => {}
            _ => return false,
        }
    }
    false
}

fn next_word_starts_sentence(bytes: &[u8], from: usize) -> bool {
    bytes[from..]
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b >= 0x80 || *b == b'"')
}

fn push_trimmed(text: &str, start: usize, end: usize, out: &mut Vec<Span>) {
    let piece = &text[start..end];
    let trimmed_start = piece.len() - piece.trim_start().len();
    let trimmed = piece.trim();
    if !trimmed.is_empty() {
        let s = start + trimmed_start;
        out.push(Span::new(s, s + trimmed.len()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, want: &[&str]) {
        let got: Vec<_> = Segmenter::new().sentences(text).iter().map(|s| s.slice(text)).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn splits_on_terminal_punctuation_and_blank_lines() {
        check("Hello there. How are you?", &["Hello there.", "How are you?"]);
        check("Headline\n\nBody text", &["Headline", "Body text"]);
        check("  ", &[]);
    }
}
