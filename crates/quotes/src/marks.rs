//! Where quotations open and close: pairs of double quotation marks, curly or straight,
//! including the news convention for a quotation running over several paragraphs (each
//! new paragraph reopens it; only the last one closes it).

use article::Span;

/// The opening curly double quotation mark.
const OPEN: char = '\u{201C}';
/// The closing curly double quotation mark.
const CLOSE: char = '\u{201D}';
/// The straight mark, which both opens and closes.
const STRAIGHT: char = '"';

/// A quotation as found by its marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Quoted {
    /// The quoted words, inside the outer marks, trimmed of whitespace.
    pub(crate) inner: Span,
    /// From the opening mark to the closing mark, both included.
    pub(crate) outer: Span,
}

/// Finds quotations in text order. A mark left open at the end of a paragraph continues
/// only if the next paragraph starts with an opening mark; otherwise it was a stray mark
/// and is dropped, so one missing mark spoils at most one paragraph.
pub(crate) fn quotations(text: &str) -> Vec<Quoted> {
    let mut found = Vec::new();
    // Byte offset of the opening mark of the quotation being read.
    let mut open: Option<usize> = None;
    let bytes = text.as_bytes();
    // Only three bytes can matter: `"`, a line break, and 0xE2, which starts `“` and `”`;
    // memchr skips everything else a machine word at a time.
    let mut from = 0;
    while let Some(found_at) = memchr::memchr3(b'"', b'\n', 0xE2, &bytes[from..]) {
        let at = from + found_at;
        let Some(c) = text[at..].chars().next() else {
            break;
        };
        from = at + c.len_utf8();
        match c {
            OPEN => {
                // A second opening mark inside an open quotation: the first was stray.
                open = Some(at);
            }
            STRAIGHT if open.is_none() => open = Some(at),
            CLOSE | STRAIGHT => {
                if let Some(start) = open.take() {
                    let end = at + c.len_utf8();
                    let mark = |at: usize| text[at..].chars().next().map_or(0, char::len_utf8);
                    let inner = trim(text, Span::new(start + mark(start), at));
                    if !inner.is_empty() {
                        found.push(Quoted {
                            inner,
                            outer: Span::new(start, end),
                        });
                    }
                }
            }
            '\n' if open.is_some() => {
                // Skip blank lines, then see whether the next paragraph reopens the quote.
                let mut next = at + 1;
                while next < bytes.len() && bytes[next].is_ascii_whitespace() {
                    next += 1;
                }
                let rest = &text[next..];
                if rest.starts_with(OPEN) || rest.starts_with(STRAIGHT) {
                    // Continue after the reopening mark.
                    from = next + rest.chars().next().map_or(1, char::len_utf8);
                } else {
                    open = None;
                }
            }
            _ => {}
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
        quotations(text)
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
        let q = quotations(text)[0];
        assert_eq!(q.outer.slice(text), "“ab”");
    }
}
