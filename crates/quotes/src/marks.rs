//! Where quotations open and close: pairs of quotation marks — English curly and straight
//! double marks, and the marks of other languages (`„…“`, `«…»`, `»…«`, `‹…›`, `「…」`,
//! `『…』`) — including the news convention for a quotation running over several paragraphs
//! (each new paragraph reopens it; only the last one closes it).

use article::Span;

/// The straight mark, which both opens and closes; which one it is depends on its sides.
const STRAIGHT: char = '"';

/// The marks that open a quotation and the marks that may close each.
const PAIRS: &[(char, &[char])] = &[
    ('\u{201C}', &['\u{201D}']),             // “…” English
    ('\u{201E}', &['\u{201C}', '\u{201D}']), // „…“ German, „…” Polish
    ('\u{00AB}', &['\u{00BB}']),             // «…» French, Russian, Spanish
    ('\u{00BB}', &['\u{00AB}']),             // »…« German, Danish
    ('\u{2039}', &['\u{203A}']),             // ‹…›
    ('\u{203A}', &['\u{2039}']),             // ›…‹
    ('\u{300C}', &['\u{300D}']),             // 「…」 Chinese, Japanese
    ('\u{300E}', &['\u{300F}']),             // 『…』
];

/// Where the text's paragraphs break. Most copy breaks a line only between paragraphs;
/// hard-wrapped wire copy (Reuters) breaks lines at a width, so there a single line break
/// is a space and only a blank line or an indented line starts a paragraph. The segmenter
/// judges which layout a text has; asked once per text, on the first line break that
/// matters.
pub(crate) struct Layout<'a> {
    text: &'a str,
    wrapped: std::cell::OnceCell<bool>,
}

impl<'a> Layout<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Self {
            text,
            wrapped: std::cell::OnceCell::new(),
        }
    }

    /// Whether the line break at byte `newline` ends a paragraph. A blank or indented line
    /// after it, or a blank line before it, breaks a paragraph in either layout; only a
    /// break between two lines of text asks for the text's layout (so copy whose paragraphs
    /// are blank-line separated never pays for the judgement).
    pub(crate) fn breaks_at(&self, newline: usize) -> bool {
        let line = &self.text.as_bytes()[..newline.min(self.text.len())];
        let blank_before = line
            .iter()
            .rev()
            .take_while(|&&c| c != b'\n')
            .all(|c| matches!(c, b' ' | b'\t' | b'\r'));
        blank_before
            || segment::starts_paragraph(self.text, newline)
            || !*self.wrapped.get_or_init(|| segment::is_wrapped(self.text))
    }

    /// The paragraph breaks between two byte offsets: runs of breaks, blank lines
    /// included, count once.
    pub(crate) fn breaks(&self, from: usize, to: usize) -> usize {
        let Some(s) = self.text.get(from..to.max(from)) else {
            return 0;
        };
        // Line breaks found by memchr, and the text between two looked at only while in a
        // run of breaks: decoding every character cost most of a quote's continuation check
        // (callgrind, issue 18).
        let mut breaks = 0;
        let mut in_break = false;
        let mut line = 0;
        for i in memchr::memchr_iter(b'\n', s.as_bytes()) {
            if in_break && !s[line..i].chars().all(char::is_whitespace) {
                in_break = false;
            }
            if !in_break && self.breaks_at(from + i) {
                breaks += 1;
                in_break = true;
            }
            line = i + 1;
        }
        breaks
    }

    /// Whether a paragraph break lies between two byte offsets.
    pub(crate) fn any_break(&self, from: usize, to: usize) -> bool {
        // The quote finder asks about the gap before each word of an attribution, a few
        // bytes: a plain loop is done before memchr has set up (callgrind, issue 18).
        self.text.get(from..to.max(from)).is_some_and(|s| {
            let b = s.as_bytes();
            if b.len() <= 32 {
                (0..b.len()).any(|i| b[i] == b'\n' && self.breaks_at(from + i))
            } else {
                memchr::memchr_iter(b'\n', b).any(|i| self.breaks_at(from + i))
            }
        })
    }

    /// Where the paragraph holding byte `at` starts.
    pub(crate) fn paragraph_start(&self, at: usize) -> usize {
        let head = &self.text.as_bytes()[..at.min(self.text.len())];
        memchr::memrchr_iter(b'\n', head)
            .find(|&n| self.breaks_at(n))
            .map_or(0, |n| n + 1)
    }

    /// Where the paragraph holding byte `at` ends (its closing line break, or the end).
    pub(crate) fn paragraph_end(&self, at: usize) -> usize {
        let bytes = self.text.as_bytes();
        let at = at.min(bytes.len());
        memchr::memchr_iter(b'\n', &bytes[at..])
            .map(|n| at + n)
            .find(|&n| self.breaks_at(n))
            .unwrap_or(bytes.len())
    }
}

/// A quotation as found by its marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Quoted {
    /// The quoted words, inside the outer marks, trimmed of whitespace.
    pub(crate) inner: Span,
    /// From the opening mark to the closing mark, both included.
    pub(crate) outer: Span,
}

/// The quotation being read: where its opening mark is and which marks close it.
#[derive(Clone, Copy)]
struct Open {
    at: usize,
    opener: char,
}

impl Open {
    fn closes(self, c: char) -> bool {
        if self.opener == STRAIGHT || self.opener == '\u{201C}' {
            // English: either closing mark ends either opening one (mixed marks are common
            // in copy pasted from several sources).
            return c == STRAIGHT || c == '\u{201D}';
        }
        if c == STRAIGHT {
            return false;
        }
        PAIRS
            .iter()
            .find(|(o, _)| *o == self.opener)
            .is_some_and(|(_, closers)| closers.contains(&c))
    }

    /// Whether `c`, seen inside this quotation, opens one of the same kind: a reopening
    /// (or a stray first mark), not a nested quote of another kind.
    fn same_kind(self, c: char) -> bool {
        let english = |m: char| m == STRAIGHT || m == '\u{201C}';
        (english(self.opener) && english(c)) || self.opener == c
    }
}

/// Whether `c` at byte `at` opens a quotation. Curly and foreign marks say so themselves; a
/// straight mark opens after a space (or a bracket, or the start) and before a non-space.
fn opens(text: &str, at: usize, c: char) -> bool {
    if c != STRAIGHT {
        return PAIRS.iter().any(|(o, _)| *o == c);
    }
    // The neighbours, nearly always ASCII, read as bytes before any decoding.
    let bytes = text.as_bytes();
    let before = match at.checked_sub(1).map(|i| bytes[i]) {
        Some(b) if !b.is_ascii() => text[..at].chars().next_back(),
        b => b.map(char::from),
    };
    let after = match bytes.get(at + 1) {
        Some(b) if !b.is_ascii() => text[at + 1..].chars().next(),
        b => b.map(|&b| char::from(b)),
    };
    let spaced_before =
        before.is_none_or(|b| b.is_whitespace() || "([{\u{2014}\u{2013}-/".contains(b));
    let spaced_after = after.is_none_or(char::is_whitespace);
    spaced_before && !spaced_after
}

/// Whether the text before byte `at` ends a sentence: a mark opening there starts the next
/// paragraph of the open quotation (the paragraph break was lost, as in flattened copy),
/// rather than showing that the first mark was stray.
fn after_sentence_end(text: &str, at: usize) -> bool {
    text[..at].trim_end().ends_with([
        '.', '?', '!', '\u{2026}', ':', ';', '\u{3002}', '\u{FF01}', '\u{FF1F}',
    ])
}

/// Next byte at or after `from` that may matter: `"`, a line break, or the lead byte of a
/// curly or foreign mark (0xE2 for `“”„‹›`, 0xC2 for `«»`, 0xE3 for `「」『』`). memchr skips
/// everything else a machine word at a time; the rarer lead bytes are looked up separately
/// and the answer reused until passed, so each byte is scanned at most twice.
struct Scanner<'a> {
    bytes: &'a [u8],
    /// The next 0xC2 or 0xE3 byte: `None` before the first look-up, `Some(None)` when
    /// there is none left.
    rare: Option<Option<usize>>,
}

impl Scanner<'_> {
    /// The next such byte; line breaks only while `in_quote` (outside a quotation they
    /// change nothing, and a BBC text has one every few hundred bytes).
    fn next(&mut self, from: usize, in_quote: bool) -> Option<usize> {
        let rest = self.bytes.get(from..)?;
        let stale = match self.rare {
            None => true,
            Some(Some(r)) => r < from,
            Some(None) => false,
        };
        if stale {
            self.rare = Some(memchr::memchr2(0xC2, 0xE3, rest).map(|r| from + r));
        }
        let rare = self.rare.flatten();
        let common = if in_quote {
            memchr::memchr3(b'"', b'\n', 0xE2, rest)
        } else {
            memchr::memchr2(b'"', 0xE2, rest)
        }
        .map(|c| from + c);
        match (common, rare) {
            (Some(c), Some(r)) => Some(c.min(r)),
            (c, r) => c.or(r),
        }
    }
}

/// Finds quotations in text order. A mark left open at the end of a paragraph continues
/// only if the next paragraph starts with an opening mark; otherwise it was a stray mark
/// and is dropped, so one missing mark spoils at most one paragraph.
pub(crate) fn quotations(text: &str, layout: &Layout) -> Vec<Quoted> {
    let mut found = Vec::new();
    let mut open: Option<Open> = None;
    let bytes = text.as_bytes();
    let mut scan = Scanner { bytes, rare: None };
    let mut from = 0;
    while let Some(at) = scan.next(from, open.is_some()) {
        let Some(c) = text[at..].chars().next() else {
            break;
        };
        from = at + c.len_utf8();
        if c == '\n' {
            let Some(o) = open else { continue };
            if !layout.breaks_at(at) {
                continue; // a wrapped line: the quotation goes on
            }
            // Skip blank lines, then see whether the next paragraph reopens the quote.
            let mut next = at + 1;
            while next < bytes.len() && bytes[next].is_ascii_whitespace() {
                next += 1;
            }
            match text[next..].chars().next() {
                Some(m) if o.same_kind(m) && opens(text, next, m) => {
                    from = next + m.len_utf8();
                }
                _ => open = None,
            }
            continue;
        }
        let is_open = opens(text, at, c);
        match open {
            Some(o) if o.closes(c) && !(is_open && o.same_kind(c) && c != '\u{201D}') => {
                open = None;
                let inner = trim(text, Span::new(o.at + o.opener.len_utf8(), at));
                if !inner.is_empty() {
                    found.push(Quoted {
                        inner,
                        outer: Span::new(o.at, at + c.len_utf8()),
                    });
                }
            }
            // A second opening mark mid-sentence: the first was stray. (After a full stop
            // it reopens the quote's next paragraph, and the first mark stands.)
            Some(o) if is_open && o.same_kind(c) && !after_sentence_end(text, at) => {
                open = Some(Open { at, opener: c });
            }
            Some(_) => {} // a reopening, a nested quote of another kind, a stray closer

            None if is_open => open = Some(Open { at, opener: c }),
            None => {}
        }
    }
    found
}

/// The span without leading and trailing whitespace.
fn trim(text: &str, span: Span) -> Span {
    let s = span.slice(text);
    let start = span.start + (s.len() - s.trim_start().len());
    let end = span.end - (s.len() - s.trim_end().len());
    Span::new(start, end.max(start))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inner(text: &str) -> Vec<&str> {
        quotations(text, &Layout::new(text))
            .iter()
            .map(|q| q.inner.slice(text))
            .collect()
    }

    #[test]
    fn curly_and_straight_pairs() {
        assert_eq!(
            inner("“Yes,” he said. \"No,\" she said. “ Maybe ”"),
            ["Yes,", "No,", "Maybe"]
        );
    }

    #[test]
    fn a_quotation_over_paragraphs_is_one() {
        let text = "He said: “First part.\n\n“Second part,” he added.";
        assert_eq!(inner(text), ["First part.\n\n“Second part,"]);
    }

    #[test]
    fn a_stray_mark_spoils_only_its_paragraph() {
        let text = "A stray “ mark.\nThen “a real quote,” he said.";
        assert_eq!(inner(text), ["a real quote,"]);
        let text = "Two “openings “the second one,” he said.";
        assert_eq!(inner(text), ["the second one,"]);
    }

    #[test]
    fn outer_spans_include_the_marks() {
        let text = "x “ab” y";
        let q = quotations(text, &Layout::new(text))[0];
        assert_eq!(q.outer.slice(text), "“ab”");
    }

    #[test]
    fn straight_marks_open_after_a_space_and_close_before_one() {
        // Flattened copy: the paragraphs of one long quote run together, each reopened
        // with a mark after the full stop and never closed.
        let text = "She said: \"We doubled it. \"We will extend it.\" Then \"more\" came.";
        assert_eq!(inner(text), ["We doubled it. \"We will extend it.", "more"]);
        // Neighbours outside ASCII: a dash or a no-break space before opens, a letter
        // does not.
        assert_eq!(inner("x\u{2014}\"Yes,\" he said"), ["Yes,"]);
        assert_eq!(inner("caf\u{e9}\"s\" and \u{a0}\"ok\""), ["ok"]);
    }

    #[test]
    fn a_quotation_runs_on_over_wrapped_lines() {
        // Reuters: lines wrapped at a width, paragraphs indented.
        let text = "Nakasone said so.\n    \"There are some who are objecting\nbecause of their \
                    constituencies,\" he told a meeting of\ngovernment and party leaders.\n    \
                    \"If the party discipline is\nbroken, I would like to see punishment.\"\n    \
                    An \"odd\nword\n    alone.";
        assert_eq!(
            inner(text),
            [
                "There are some who are objecting\nbecause of their constituencies,",
                "If the party discipline is\nbroken, I would like to see punishment."
            ]
        );
    }

    #[test]
    fn paragraph_breaks_answer_as_a_walk_of_every_character_does() {
        // The reference: every character decoded, a run of breaks counted once.
        fn walked(layout: &Layout, text: &str, from: usize, to: usize) -> usize {
            let mut breaks = 0;
            let mut in_break = false;
            for (i, c) in text[from..to].char_indices() {
                if c == '\n' {
                    if !in_break && layout.breaks_at(from + i) {
                        breaks += 1;
                        in_break = true;
                    }
                } else if !c.is_whitespace() {
                    in_break = false;
                }
            }
            breaks
        }
        let long = format!("{}\n\n{}\u{2003}\n\nend", "a".repeat(40), "b".repeat(40));
        let texts = [
            "One.\n\nTwo.\n \nThree.\nFour.\n\u{a0}\nFive.",
            "Wrapped copy runs on\nover lines at a width\n    and indents\na paragraph.",
            long.as_str(),
        ];
        for text in texts {
            let layout = Layout::new(text);
            let cuts: Vec<usize> = (0..=text.len())
                .filter(|&i| text.is_char_boundary(i))
                .collect();
            for &from in &cuts {
                for &to in cuts.iter().filter(|&&to| to >= from) {
                    let n = walked(&layout, text, from, to);
                    assert_eq!(layout.breaks(from, to), n, "{text:?} {from}..{to}");
                    assert_eq!(layout.any_break(from, to), n > 0, "{text:?} {from}..{to}");
                }
            }
        }
    }

    #[test]
    fn marks_of_other_languages_are_quotations() {
        assert_eq!(
            inner("Er sagte: „Wir kommen.“ Il a dit : « Oui. » »Ja«, 「はい。」『本』 ‹non›"),
            ["Wir kommen.", "Oui.", "Ja", "はい。", "本", "non"]
        );
        // A nested quote of another kind stays inside.
        assert_eq!(inner("« Il a dit “non” hier. »"), ["Il a dit “non” hier."]);
    }
}
