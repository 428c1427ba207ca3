//! Reading CoNLL column files: token first, any number of further columns, blank lines
//! between sentences, `-DOCSTART-` lines between documents, CRLF or LF.
//!
//! Lines are kept verbatim so `newsflow tag` can write every line back unchanged with one
//! column appended. A document becomes one text (tokens joined by single spaces, sentences
//! by newlines) plus an [`Analysis`] whose spans are the tokens themselves, so that CoNLL
//! data and live articles go through the same feature code.

use std::ops::Range;

use article::{Analysis, Sentence, Span, Token};

use crate::labels::{self, TagSpan};

/// One line of the file, without its line ending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The line as read.
    pub text: String,
    /// Whether it ended in `\r\n`, so it is written back the same way.
    pub crlf: bool,
    /// Whether the line has a line ending at all (the last line may not).
    pub terminated: bool,
}

impl Line {
    /// The first column: the token.
    pub fn token(&self) -> &str {
        self.text.split_whitespace().next().unwrap_or("")
    }

    /// The last column when there are at least two (the gold tag in CoNLL-2003 files).
    pub fn last_column(&self) -> Option<&str> {
        let mut cols = self.text.split_whitespace();
        cols.next()?;
        cols.last()
    }

    /// Whether this is a blank (sentence-separating) line.
    pub fn is_blank(&self) -> bool {
        self.text.trim().is_empty()
    }

    /// Whether this line starts a new document.
    pub fn is_docstart(&self) -> bool {
        self.token() == "-DOCSTART-"
    }
}

/// One document: its sentences, each a list of line numbers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Document {
    /// Sentences in order; each holds the indices of its token lines in [`ConllFile::lines`].
    pub sentences: Vec<Vec<usize>>,
}

/// A whole CoNLL file.
#[derive(Debug, Clone, Default)]
pub struct ConllFile {
    /// Every line, in order.
    pub lines: Vec<Line>,
    /// The documents. Lines before the first `-DOCSTART-` form a document of their own (the
    /// first article of eng.train has none).
    pub documents: Vec<Document>,
}

impl ConllFile {
    /// Parses a file's text. Never fails: any text is some sequence of lines.
    pub fn parse(text: &str) -> Self {
        let mut lines = Vec::new();
        let mut rest = text;
        while !rest.is_empty() {
            let (line, next, terminated) = match rest.find('\n') {
                Some(i) => (&rest[..i], &rest[i + 1..], true),
                None => (rest, "", false),
            };
            let crlf = line.ends_with('\r');
            let line = line.strip_suffix('\r').unwrap_or(line);
            lines.push(Line {
                text: line.to_string(),
                crlf,
                terminated,
            });
            rest = next;
        }
        let mut documents = Vec::new();
        let mut doc = Document::default();
        let mut sent = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            if line.is_docstart() {
                if !sent.is_empty() {
                    doc.sentences.push(std::mem::take(&mut sent));
                }
                if !doc.sentences.is_empty() {
                    documents.push(std::mem::take(&mut doc));
                }
            } else if line.is_blank() {
                if !sent.is_empty() {
                    doc.sentences.push(std::mem::take(&mut sent));
                }
            } else {
                sent.push(i);
            }
        }
        if !sent.is_empty() {
            doc.sentences.push(sent);
        }
        if !doc.sentences.is_empty() {
            documents.push(doc);
        }
        ConllFile { lines, documents }
    }

    /// The document as text plus an [`Analysis`] whose tokens are the CoNLL tokens.
    pub fn analysis(&self, doc: &Document) -> (String, Analysis) {
        let mut text = String::new();
        let mut analysis = Analysis::default();
        for (si, sent) in doc.sentences.iter().enumerate() {
            if si > 0 {
                text.push('\n');
            }
            let first = analysis.tokens.len();
            let start = text.len();
            for (ti, &li) in sent.iter().enumerate() {
                if ti > 0 {
                    text.push(' ');
                }
                let s = text.len();
                text.push_str(self.lines[li].token());
                analysis.tokens.push(Token {
                    span: Span::new(s, text.len()),
                });
            }
            analysis.sentences.push(Sentence {
                span: Span::new(start, text.len()),
                tokens: first..analysis.tokens.len(),
            });
        }
        (text, analysis)
    }

    /// The gold tags (last column) of a document's tokens, in order; `O` where a line has a
    /// single column.
    pub fn gold_tags<'a>(&'a self, doc: &Document) -> Vec<&'a str> {
        doc.sentences
            .iter()
            .flatten()
            .map(|&li| self.lines[li].last_column().unwrap_or("O"))
            .collect()
    }

    /// Token index ranges of a document's sentences (document-local token numbering).
    pub fn sentence_ranges(doc: &Document) -> Vec<Range<usize>> {
        let mut out = Vec::with_capacity(doc.sentences.len());
        let mut at = 0;
        for s in &doc.sentences {
            out.push(at..at + s.len());
            at += s.len();
        }
        out
    }
}

/// Tokens written with no space before them in wire copy: closing punctuation, the
/// percent sign and the clitics CoNLL splits off (`does n't`, `Reuters 's`).
const CLOSE_LEFT: &[&str] = &[
    ",", ".", ";", ":", "?", "!", ")", "]", "}", "%", "'", "'s", "'S", "n't", "N'T", "'re", "'RE",
    "'ve", "'VE", "'ll", "'LL", "'d", "'D", "'m", "'M",
];
/// Tokens written with no space after them: opening brackets and the dollar sign.
const OPEN_RIGHT: &[&str] = &["(", "[", "{", "$"];

/// A CoNLL document written back as the wire story it was cut from, for measuring the
/// tagger on running text (`newsflow eval --running`): what a feed would carry, not the
/// gold tokenisation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunningText {
    /// The headline: the document's first sentence.
    pub title: RunningPart,
    /// The other sentences: prose sentences (ending in `.`, `?` or `!`, maybe inside a
    /// quote or bracket) joined by a space into paragraphs, and every other sentence
    /// (dateline, byline, a row of results) a paragraph of its own, as such lines stand
    /// in the source; paragraphs are separated by a blank line.
    pub body: RunningPart,
}

/// The title or the body of a [`RunningText`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunningPart {
    /// The text.
    pub text: String,
    /// Gold entities, as byte ranges of `text`.
    pub gold: Vec<TagSpan>,
    /// Byte offsets of full stops CoNLL split off a word ending a sentence (`Corp .`,
    /// `Mich .`): written back as `Corp.`, where any tokeniser reads the period as the
    /// abbreviation's, so a span ending with it ends the same entity as the gold span
    /// without it.
    pub split_stops: Vec<usize>,
}

/// Tokens that may follow a sentence's final punctuation.
const CLOSERS: &[&str] = &["\"", "'", ")"];

/// Whether a sentence ends as prose does, so the next sentence continues its paragraph.
fn ends_prose(tokens: &[&str]) -> bool {
    let last = tokens.iter().rev().find(|t| !CLOSERS.contains(t));
    matches!(last, Some(&".") | Some(&"?") | Some(&"!"))
}

impl ConllFile {
    /// The document as running text: tokens detokenised (no space before the tokens of
    /// `CLOSE_LEFT`, none after those of `OPEN_RIGHT`, straight double quotes paired
    /// as opening and closing), the first sentence as the title, with each gold entity's
    /// span carried over.
    pub fn running_text(&self, doc: &Document) -> RunningText {
        let mut out = RunningText::default();
        let mut prose = false;
        // Quotes pair within a paragraph, across sentences: CoNLL's sentence split often
        // leaves an opening quote at the end of the sentence before it (`July . "`), and
        // one left open must not glue the rest of the story together.
        let mut quote_open = false;
        // No space before the next token (after an opening bracket or quote).
        let mut glue = true;
        for (si, sent) in doc.sentences.iter().enumerate() {
            let tokens: Vec<&str> = sent.iter().map(|&l| self.lines[l].token()).collect();
            let gold: Vec<&str> = sent
                .iter()
                .map(|&l| self.lines[l].last_column().unwrap_or("O"))
                .collect();
            let part = if si == 0 {
                &mut out.title
            } else {
                &mut out.body
            };
            let text = &mut part.text;
            if !(si > 1 && prose && ends_prose(&tokens)) {
                if !text.is_empty() {
                    text.push_str("\n\n");
                }
                quote_open = false;
                glue = true;
            }
            prose = ends_prose(&tokens);
            let mut bytes = Vec::with_capacity(tokens.len());
            for (ti, &tok) in tokens.iter().enumerate() {
                let closing_quote = tok == "\"" && quote_open;
                if !glue && !closing_quote && !CLOSE_LEFT.contains(&tok) {
                    text.push(' ');
                } else if tok == "."
                    && tokens[ti + 1..].iter().all(|t| CLOSERS.contains(t))
                    && text.ends_with(char::is_alphabetic)
                {
                    part.split_stops.push(text.len());
                }
                let start = text.len();
                text.push_str(tok);
                bytes.push(start..text.len());
                glue = OPEN_RIGHT.contains(&tok) || (tok == "\"" && !quote_open);
                if tok == "\"" {
                    quote_open = !quote_open;
                }
            }
            for g in labels::iob_spans(&gold) {
                part.gold.push(TagSpan {
                    tokens: bytes[g.tokens.start].start..bytes[g.tokens.end - 1].end,
                    ty: g.ty,
                });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(text: &str) -> Vec<Vec<Vec<String>>> {
        let f = ConllFile::parse(text);
        f.documents
            .iter()
            .map(|d| {
                d.sentences
                    .iter()
                    .map(|s| s.iter().map(|&i| f.lines[i].token().to_string()).collect())
                    .collect()
            })
            .collect()
    }

    #[test]
    fn first_document_needs_no_docstart() {
        let docs =
            shape("EU NNP I-ORG\r\nrejects VBZ O\r\n\r\n-DOCSTART- -X- O\r\n\r\nPeter I-PER\r\n");
        assert_eq!(docs, vec![vec![vec!["EU", "rejects"]], vec![vec!["Peter"]]]);
    }

    #[test]
    fn blank_runs_and_missing_final_newline_are_fine() {
        let docs = shape("a O\n\n\n\nb O\nc O");
        assert_eq!(docs, vec![vec![vec!["a"], vec!["b", "c"]]]);
        let f = ConllFile::parse("a O\r\nb O");
        assert!(f.lines[0].crlf && f.lines[0].terminated);
        assert!(!f.lines[1].crlf && !f.lines[1].terminated);
    }

    #[test]
    fn docstart_without_tokens_makes_no_empty_document() {
        assert_eq!(shape("-DOCSTART- O\n\n-DOCSTART- O\n\nx O\n").len(), 1);
        assert!(shape("").is_empty());
        assert!(shape("\n\n").is_empty());
    }

    #[test]
    fn columns_are_token_first_and_tag_last() {
        let f = ConllFile::parse("U.S. NNP I-NP I-LOC\nsolo\n");
        assert_eq!(f.lines[0].token(), "U.S.");
        assert_eq!(f.lines[0].last_column(), Some("I-LOC"));
        assert_eq!(f.lines[1].last_column(), None);
        assert_eq!(f.gold_tags(&f.documents[0]), vec!["I-LOC", "O"]);
    }

    #[test]
    fn analysis_spans_slice_the_tokens() {
        let f = ConllFile::parse("New I-LOC\nYork I-LOC\n\nrains O\n");
        let (text, a) = f.analysis(&f.documents[0]);
        assert_eq!(text, "New York\nrains");
        let toks: Vec<&str> = a.tokens.iter().map(|t| t.span.slice(&text)).collect();
        assert_eq!(toks, ["New", "York", "rains"]);
        assert_eq!(a.sentences[1].tokens, 2..3);
    }
    fn running(text: &str) -> RunningText {
        let f = ConllFile::parse(text);
        f.running_text(&f.documents[0])
    }

    fn marked(part: &RunningPart) -> Vec<String> {
        part.gold
            .iter()
            .map(|g| format!("{}/{}", &part.text[g.tokens.clone()], g.ty))
            .collect()
    }

    #[test]
    fn running_text_is_written_as_a_wire_story() {
        let r = running(concat!(
            "-DOCSTART- -X- O O\r\n\r\nSOCCER O\r\n- O\r\nJAPAN I-LOC\r\nWIN O\r\n. O\r\n\r\n",
            "LONDON I-LOC\r\n1996-08-30 O\r\n\r\n",
            "\" O\r\nWe O\r\ndo O\r\nn't O\r\nknow O\r\n, O\r\n\" O\r\nsaid O\r\n",
            "Smith I-PER\r\n( O\r\nReuters I-ORG\r\n) O\r\n. O\r\n\r\n",
            "Reuters I-ORG\r\n's O\r\nshare O\r\nrose O\r\n$ O\r\n5 O\r\nor O\r\n3 O\r\n% O\r\n. O\r\n\r\n",
            "Leeds I-ORG\r\n2 O\r\n\r\nHull I-ORG\r\n1 O\r\n",
        ));
        assert_eq!(r.title.text, "SOCCER - JAPAN WIN.");
        assert_eq!(marked(&r.title), ["JAPAN/LOC"]);
        assert_eq!(r.title.split_stops, [18]);
        assert_eq!(
            r.body.text,
            "LONDON 1996-08-30\n\n\"We don't know,\" said Smith (Reuters). \
             Reuters's share rose $5 or 3%.\n\nLeeds 2\n\nHull 1"
        );
        assert_eq!(
            marked(&r.body),
            [
                "LONDON/LOC",
                "Smith/PER",
                "Reuters/ORG",
                "Reuters/ORG",
                "Leeds/ORG",
                "Hull/ORG"
            ]
        );
    }

    #[test]
    fn a_quote_opened_at_a_sentence_end_opens_the_next_sentence() {
        let r = running("A O\n. O\n\nIt O\nrained O\n. O\n\" O\n\nWe O\nleft O\n. O\n\" O\n");
        assert_eq!(r.body.text, "It rained. \"We left.\"");
        assert_eq!(r.body.split_stops, [9, 19]);
    }

    #[test]
    fn a_one_sentence_document_is_all_title() {
        let r = running("EU I-ORG\nrejects O\n");
        assert_eq!(
            (r.title.text.as_str(), r.body.text.as_str()),
            ("EU rejects", "")
        );
        assert_eq!(marked(&r.title), ["EU/ORG"]);
    }
}
