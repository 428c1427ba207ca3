//! HTML to clean text for feed bodies: what a reader sees, never markup or script.
//!
//! Built on html5ever's *tokenizer* rather than a DOM: it decodes every HTML entity, copes
//! with any broken markup the way browsers do, runs in linear time, and keeps no element
//! stack, so 100,000 nested `<div>`s cannot overflow anything. The tree builder is not
//! needed: text extraction only has to know which tags break paragraphs and which bodies
//! (script, style, …) to skip.

use std::cell::RefCell;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

/// Elements whose content is never text a reader sees. Their bodies are dropped whole.
const SKIPPED_ELEMENTS: [&str; 10] = [
    "script", "style", "iframe", "noscript", "template", "object", "svg", "math", "head", "title",
];

/// Elements that end a paragraph: their start and end become a paragraph break.
const BLOCK_ELEMENTS: [&str; 37] = [
    "p",
    "div",
    "section",
    "article",
    "aside",
    "header",
    "footer",
    "nav",
    "main",
    "blockquote",
    "pre",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "figure",
    "figcaption",
    "address",
    "details",
    "summary",
    "form",
    "fieldset",
    "center",
];

/// Table cells are separated by a space rather than run together.
const CELL_ELEMENTS: [&str; 2] = ["td", "th"];

/// Deepest nesting of skipped elements tracked; deeper nesting is treated as this deep, so
/// hostile input cannot grow a counter without bound (it is a counter, not a stack, anyway).
const MAX_SKIP_DEPTH: u32 = 1 << 16;

/// Converts an HTML fragment to plain text: tags removed, the bodies of script, style,
/// iframe, noscript (and similar) elements dropped, entities decoded, block elements turned
/// into paragraph breaks (`"\n\n"`), `<br>` into a newline, and runs of other whitespace
/// into one space. Never fails: any string yields some text, possibly empty.
///
/// Feeds that escape their HTML twice leave markup in the text after one pass; the text is
/// converted again while it still looks like markup, up to `MAX_PASSES` times. (The price:
/// a literal "`<b>`" written about in prose is read as a tag too.)
pub fn html_to_text(html: &str) -> String {
    let mut text = convert(html);
    for _ in 1..MAX_PASSES {
        if !looks_like_markup(&text) {
            break;
        }
        text = convert(&text);
    }
    text
}

/// How many times text that still looks like markup is converted again. Two covers the
/// double-escaped feeds seen in practice; more stops hostile nesting from costing more.
const MAX_PASSES: usize = 4;

/// Whether `<` starts something a browser would read as a tag or comment.
fn looks_like_markup(text: &str) -> bool {
    text.as_bytes()
        .windows(2)
        .any(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || w[1] == b'/' || w[1] == b'!'))
}

/// One pass of HTML to text.
fn convert(html: &str) -> String {
    // Fast path: most titles and many summaries are plain text already.
    if !html.contains(['<', '&']) {
        return normalise_plain(html);
    }
    let sink = TextSink::default();
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    // `feed` stops early only to let a tree builder run scripts; this sink never asks it to.
    while !input.is_empty() {
        let _ = tokenizer.feed(&input);
    }
    tokenizer.end();
    let out = tokenizer.sink.out.take();
    out.finish()
}

/// Collapses whitespace in text that has no markup, keeping paragraph breaks.
fn normalise_plain(text: &str) -> String {
    let mut out = TextBuilder::default();
    out.push_text(text);
    out.finish()
}

/// Receives tokens and writes text.
#[derive(Default)]
struct TextSink {
    /// The text so far; a `RefCell` because html5ever's sink API takes `&self`.
    out: RefCell<TextBuilder>,
}

impl TokenSink for TextSink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut out = self.out.borrow_mut();
        match token {
            Token::CharacterTokens(text) if out.skip_depth == 0 => out.push_text(&text),
            Token::TagToken(tag) => {
                let name: &str = &tag.name;
                let skipped = SKIPPED_ELEMENTS.contains(&name);
                match tag.kind {
                    TagKind::StartTag => {
                        if skipped && !tag.self_closing {
                            out.skip_depth = (out.skip_depth + 1).min(MAX_SKIP_DEPTH);
                            // Raw-text elements must switch the tokenizer's state, otherwise
                            // `<script>if (a<b) …</script>` would be read as markup.
                            return match name {
                                "script" => TokenSinkResult::RawData(RawKind::ScriptData),
                                "style" | "iframe" | "noscript" => {
                                    TokenSinkResult::RawData(RawKind::Rawtext)
                                }
                                "title" => TokenSinkResult::RawData(RawKind::Rcdata),
                                _ => TokenSinkResult::Continue,
                            };
                        }
                        if out.skip_depth == 0 {
                            out.tag(name);
                        }
                    }
                    TagKind::EndTag => {
                        if skipped {
                            out.skip_depth = out.skip_depth.saturating_sub(1);
                        } else if out.skip_depth == 0 {
                            out.tag(name);
                        }
                    }
                }
            }
            // Comments, doctypes, NULs, parse errors and EOF carry no text.
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

/// What separates the text already written from the next word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
enum Break {
    /// Nothing: the next text continues the word.
    #[default]
    None,
    /// One space.
    Space,
    /// A line break (`<br>`).
    Line,
    /// A paragraph break (block elements, blank lines in plain text).
    Paragraph,
}

/// Accumulates normalised text: separators are held back until the next word arrives, so
/// the output never starts or ends with whitespace and never doubles a break.
#[derive(Default)]
struct TextBuilder {
    /// The text so far.
    text: String,
    /// The strongest separator seen since the last word.
    pending: Break,
    /// How many skipped elements (script, style, …) the tokenizer is inside.
    skip_depth: u32,
}

impl TextBuilder {
    fn push_text(&mut self, s: &str) {
        let mut newlines = 0;
        for c in s.chars() {
            if c.is_whitespace() || c.is_control() {
                if c == '\n' {
                    newlines += 1;
                }
                // Two newlines in the text itself are a paragraph break, as in plain text
                // feeds; a single one is just a space, as HTML renders it.
                let brk = if newlines >= 2 {
                    Break::Paragraph
                } else {
                    Break::Space
                };
                self.pending = self.pending.max(brk);
                continue;
            }
            newlines = 0;
            self.flush_break();
            self.text.push(c);
        }
    }

    fn tag(&mut self, name: &str) {
        let brk = if name == "br" {
            Break::Line
        } else if BLOCK_ELEMENTS.contains(&name) {
            Break::Paragraph
        } else if CELL_ELEMENTS.contains(&name) || name == "img" {
            Break::Space
        } else {
            return;
        };
        self.pending = self.pending.max(brk);
    }

    fn flush_break(&mut self) {
        if !self.text.is_empty() {
            match self.pending {
                Break::None => {}
                Break::Space => self.text.push(' '),
                Break::Line => self.text.push('\n'),
                Break::Paragraph => self.text.push_str("\n\n"),
            }
        }
        self.pending = Break::None;
    }

    fn finish(self) -> String {
        self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(html: &str, expected: &str) {
        assert_eq!(html_to_text(html), expected, "input: {html:?}");
    }

    #[test]
    fn html_becomes_clean_text() {
        check("", "");
        check("plain words", "plain words");
        check("  spaced \t out \n words  ", "spaced out words");
        check("first para\n\nsecond para", "first para\n\nsecond para");
        check("<p>One.</p><p>Two.</p>", "One.\n\nTwo.");
        check("<div><div><p>Deep</p></div></div>after", "Deep\n\nafter");
        check(
            "line one<br>line two<br/>line three",
            "line one\nline two\nline three",
        );
        check("<b>bold</b> and <i>it</i>alic", "bold and italic");
        check(
            "Fish &amp; chips &lt;3 &hellip; &eacute;t&eacute;",
            "Fish & chips <3 … été",
        );
        check("&#8217;quoted&#x2019; &nbsp;x", "\u{2019}quoted\u{2019} x");
        check("&acirc;&#128;&brvbar;", "â\u{20ac}¦");
        check("unknown &bogus; entity", "unknown &bogus; entity");
        check("bare & ampersand", "bare & ampersand");
        check("a < b and c > d", "a < b and c > d");
        check("<ul><li>one</li><li>two</li></ul>", "one\n\ntwo");
        check("<table><tr><td>a</td><td>b</td></tr></table>", "a b");
        check("<h1>Head</h1>Body", "Head\n\nBody");
        check("<!-- a comment -->text", "text");
    }

    #[test]
    fn scripts_styles_and_handlers_never_reach_the_text() {
        check("<script>alert('x')</script>safe", "safe");
        check("<script>if (a<b) { x = '</p>' }</script>ok", "ok");
        check("<style>p { color: red }</style>styled", "styled");
        check(
            "<iframe src=\"javascript:alert(1)\">inner</iframe>after",
            "after",
        );
        check("<noscript><img src=x></noscript>shown", "shown");
        check("<img src=x onerror=\"alert(1)\">picture", "picture");
        check(
            "<a href=\"javascript:alert(1)\" onclick=\"x()\">link</a>",
            "link",
        );
        check("<body onload=\"alert(1)\">hello</body>", "hello");
        check("<scr<script>ipt>alert(1)</script>", "ipt>alert(1)");
        check("<!-- <script>evil()</script> -->kept", "kept");
        check("<svg><script>x()</script><text>t</text></svg>out", "out");
        check("<script>unterminated", "");
    }

    #[test]
    fn double_escaped_markup_is_converted_too() {
        check("&lt;p&gt;x&lt;/p&gt;&lt;p&gt;y&lt;/p&gt;", "x\n\ny");
        check("&lt;script&gt;alert(1)&lt;/script&gt;after", "after");
        // Escaped three times, it is text about markup, not markup: left as it reads.
        check(
            "&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;z",
            "&lt;script&gt;alert(1)&lt;/script&gt;z",
        );
        check("a &lt; b", "a < b");
    }

    #[test]
    fn deep_nesting_is_linear_and_safe() {
        let html = "<div>".repeat(100_000) + "deep" + &"</div>".repeat(100_000);
        check(&html, "deep");
        let html = "<script>".repeat(100_000) + "x";
        check(&html, "");
    }
}
