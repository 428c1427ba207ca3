//! Sentence and token boundaries for English news text.
//!
//! Layout:
//! - `sentences`: one forward byte scan that stops only at candidate boundaries (terminal
//!   punctuation, newlines, list markers, bullets) and decides each from the words around
//!   it: abbreviations, initials, numbers, ellipses, quotes, lists, headlines.
//! - `tokens`: CoNLL-2003 / Penn Treebank tokens inside one sentence.
//! - `words`: the abbreviation and cue-word lists of `data/abbreviations/`, embedded and
//!   parsed once into a sorted table of packed keys.
//!
//! **Invariant:** the segmenter never fails and never panics. Any `&str` yields sentence
//! spans and token spans in order, non-overlapping, on char boundaries, trimmed of
//! whitespace, covering every non-whitespace character exactly once; every token lies
//! inside its sentence. Spans are byte offsets; the text is never rewritten.

mod sentences;
mod tokens;
mod words;

use article::{Analysis, Sentence, Span, Token};

/// Whether `text` is hard-wrapped (wire copy broken into lines at a fixed width), as the
/// sentence splitter judges it: its first line breaks fall mid-sentence. In such text a
/// single line break is a space and [`starts_paragraph`] tells the paragraph breaks.
pub fn is_wrapped(text: &str) -> bool {
    sentences::is_wrapped(text.as_bytes())
}

/// Whether the line break at byte `newline` of hard-wrapped `text` ends a paragraph: a
/// blank line follows, or an indented line (wire copy's paragraph mark). Meaningful only
/// where [`is_wrapped`] holds; elsewhere every line break is a paragraph break.
pub fn starts_paragraph(text: &str, newline: usize) -> bool {
    sentences::starts_paragraph(text.as_bytes(), newline)
}

/// Splits text into sentences and tokens. Cheap to create and to share between threads:
/// it holds no state, and the word tables are built once per process.
#[derive(Debug, Clone, Default)]
pub struct Segmenter {}

impl Segmenter {
    /// A segmenter with the built-in English rules.
    pub fn new() -> Self {
        words::preload();
        Self {}
    }

    /// Sentence spans of `text`, trimmed of surrounding whitespace, in order.
    pub fn sentences(&self, text: &str) -> Vec<Span> {
        let mut out = Vec::new();
        self.sentences_into(text, &mut out);
        out
    }

    /// Appends the sentence spans of `text` to `out` (which is not cleared), so a caller
    /// can reuse one buffer across articles.
    pub fn sentences_into(&self, text: &str, out: &mut Vec<Span>) {
        sentences::split(text, &mut |span| out.push(span));
    }

    /// Appends the tokens of `text[span]` to `out`. A span that does not fit `text` or
    /// splits a character yields no tokens.
    pub fn tokens_into(&self, text: &str, span: Span, out: &mut Vec<Token>) {
        tokens::tokenize(text, span, out);
    }

    /// Sentence spans of `text` in the language `lang` (ISO 639-1, e.g. `"de"`): the English
    /// rules plus that language's abbreviations where it has a list (see
    /// [`Segmenter::languages`]). `None`, `"en"` and languages without a list get the English
    /// rules alone, which already end sentences at `。！？`, `؟` and `।` and split at blank
    /// lines, so no language does worse than a paragraph split.
    pub fn sentences_lang(&self, text: &str, lang: Option<&str>) -> Vec<Span> {
        let mut out = Vec::new();
        sentences::split_with(text, lang.and_then(words::language), &mut |span| {
            out.push(span)
        });
        out
    }

    /// The languages with their own abbreviation list (ISO 639-1), beside English.
    pub fn languages() -> impl Iterator<Item = &'static str> {
        words::language_codes()
    }

    /// Like [`Segmenter::analyse`] for text in the language `lang` (see
    /// [`Segmenter::sentences_lang`]). Tokens follow the same rules in every language;
    /// Chinese and Japanese characters are one token each, whatever `lang` says.
    pub fn analyse_lang(&self, text: &str, lang: Option<&str>) -> Analysis {
        let mut analysis = Analysis::default();
        self.analyse_lang_into(text, lang, &mut analysis);
        analysis
    }

    /// Like [`Segmenter::analyse_lang`], but reuses `analysis`'s buffers.
    pub fn analyse_lang_into(&self, text: &str, lang: Option<&str>, analysis: &mut Analysis) {
        let language = lang.and_then(words::language);
        self.analyse_with(text, language, analysis);
    }

    /// Sentences with their tokens: the [`Analysis`] the tagger fills in.
    pub fn analyse(&self, text: &str) -> Analysis {
        let mut analysis = Analysis::default();
        self.analyse_into(text, &mut analysis);
        analysis
    }

    /// Like [`Segmenter::analyse`], but reuses `analysis`'s buffers: sentences, tokens and
    /// entities are cleared first.
    pub fn analyse_into(&self, text: &str, analysis: &mut Analysis) {
        self.analyse_with(text, None, analysis);
    }

    /// The analysis with an optional second abbreviation list.
    fn analyse_with(
        &self,
        text: &str,
        language: Option<&'static words::Index>,
        analysis: &mut Analysis,
    ) {
        analysis.sentences.clear();
        analysis.tokens.clear();
        analysis.entities.clear();
        // Spans go straight into the sentences, token ranges filled in after, so no
        // temporary buffer is allocated per article.
        let sentences = &mut analysis.sentences;
        sentences::split_with(text, language, &mut |span| {
            sentences.push(Sentence { span, tokens: 0..0 })
        });
        analysis.tokens.reserve(text.len() / 5);
        for sentence in &mut analysis.sentences {
            let first = analysis.tokens.len();
            self.tokens_into(text, sentence.span, &mut analysis.tokens);
            sentence.tokens = first..analysis.tokens.len();
        }
    }
}

#[cfg(test)]
mod tests;
