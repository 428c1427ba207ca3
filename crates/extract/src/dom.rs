//! A light block tree built from html5ever's tokenizer: element nodes for block-level and
//! sectioning elements only, and the text between block boundaries as paragraphs.
//!
//! Why not a DOM: a full tree builder costs allocation per node and recursion-shaped
//! algorithms; extraction only needs which container each run of text sits in, how much of
//! it is link text, and the class/id hints on the way up. Inline elements (`<b>`, `<span>`,
//! `<font>` …) never enter the tree, so unclosed ones cannot pile up depth; `<a>` is a
//! flag. End tags close up to the matching open element (the stack is bounded by
//! [`Limits::max_depth`], so a stray end tag costs at most that), and the standard's
//! implied end tags (`<p>`, `<li>`, `<td>` …) are applied so sloppy markup nests as a
//! browser would nest it.

use std::cell::RefCell;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, Tag as HtmlTag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer,
    TokenizerOpts,
};

use crate::{ExtractError, Limits};

/// The elements the extractor tells apart; everything else block-level is `Block`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tag {
    /// The document root (not an element): parent of `<html>` and of stray content.
    Root,
    Html,
    Body,
    Article,
    Main,
    Section,
    Div,
    P,
    /// `<h1>`…`<h6>`, with the level.
    H(u8),
    Ul,
    Ol,
    Li,
    Dl,
    Dt,
    Dd,
    Table,
    Tr,
    Td,
    Blockquote,
    Pre,
    Figure,
    Figcaption,
    Nav,
    Header,
    Footer,
    Aside,
    Form,
    /// Other block-level elements (`address`, `details`, `center`, `fieldset` …).
    Block,
}

/// One element of the block tree.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    /// What element it is.
    pub tag: Tag,
    /// The enclosing node; the root is its own parent.
    pub parent: u32,
    /// The last node inside this one: nodes are numbered in document order, so `n` is
    /// inside `m` exactly when `m <= n <= nodes[m].end`.
    pub end: u32,
    /// `class`, `id`, `role` and `itemprop` values, lowercased and space-separated: what
    /// boilerplate and content hints are read from.
    pub hints: String,
    /// Hidden by the page itself (`hidden`, `aria-hidden`, `display:none`).
    pub hidden: bool,
}

/// A run of text between two block boundaries.
#[derive(Debug, Clone)]
pub(crate) struct Para {
    /// The innermost block node the text is in.
    pub node: u32,
    /// The text, whitespace collapsed, `<br>` as `\n`.
    pub text: String,
    /// Characters of `text` inside `<a href>` links.
    pub link_chars: u32,
    /// Characters of `text` (not bytes).
    pub chars: u32,
}

/// The parsed page: the block tree, its text, and what metadata needs.
#[derive(Debug, Default)]
pub(crate) struct Doc {
    /// Block nodes in document order; node 0 is the root.
    pub nodes: Vec<Node>,
    /// Text runs in document order.
    pub paras: Vec<Para>,
    /// `<meta>` name/property/itemprop (lowercased) and content, in document order.
    pub metas: Vec<(String, String)>,
    /// `<link rel=canonical href>`.
    pub canonical: Option<String>,
    /// `<html lang>`.
    pub lang: Option<String>,
    /// `<title>` text.
    pub title: String,
    /// How many `<noscript>` elements the page has (whose content a second parse can read).
    pub noscripts: u32,
    /// The bodies of `<script type="application/ld+json">`.
    pub json_ld: Vec<String>,
    /// `datetime` of `<time>` elements and dates marked `itemprop=datePublished`, with
    /// whether they were marked as the publication date.
    pub times: Vec<(String, bool)>,
}

/// Elements whose content is never text a reader sees: dropped whole.
fn skipped(name: &str) -> Option<RawKind> {
    // RawKind tells the tokenizer how to read the body; `None` inside means "markup".
    Some(match name {
        "script" => RawKind::ScriptData,
        "style" | "iframe" | "noscript" | "noembed" | "noframes" | "xmp" => RawKind::Rawtext,
        "textarea" | "title" => RawKind::Rcdata,
        _ => return None,
    })
}

/// Elements whose markup content is dropped (they are parsed, not raw text).
fn skipped_markup(name: &str) -> bool {
    matches!(
        name,
        "svg"
            | "math"
            | "template"
            | "object"
            | "select"
            | "button"
            | "canvas"
            | "video"
            | "audio"
            | "map"
            | "head"
    )
}

/// The block-tree tag of an element, or `None` for inline and void elements.
fn block_tag(name: &str) -> Option<Tag> {
    Some(match name {
        "html" => Tag::Html,
        "body" => Tag::Body,
        "article" => Tag::Article,
        "main" => Tag::Main,
        "section" => Tag::Section,
        "div" => Tag::Div,
        "p" => Tag::P,
        "h1" => Tag::H(1),
        "h2" => Tag::H(2),
        "h3" => Tag::H(3),
        "h4" => Tag::H(4),
        "h5" => Tag::H(5),
        "h6" => Tag::H(6),
        "ul" | "menu" => Tag::Ul,
        "ol" => Tag::Ol,
        "li" => Tag::Li,
        "dl" => Tag::Dl,
        "dt" => Tag::Dt,
        "dd" => Tag::Dd,
        "table" => Tag::Table,
        "tr" => Tag::Tr,
        "td" | "th" => Tag::Td,
        "blockquote" => Tag::Blockquote,
        "pre" | "listing" | "plaintext" => Tag::Pre,
        "figure" => Tag::Figure,
        "figcaption" => Tag::Figcaption,
        "nav" => Tag::Nav,
        "header" => Tag::Header,
        "footer" => Tag::Footer,
        "aside" => Tag::Aside,
        "form" => Tag::Form,
        "address" | "details" | "summary" | "fieldset" | "center" | "hgroup" | "caption"
        | "thead" | "tbody" | "tfoot" | "legend" | "dialog" | "search" | "frameset" => Tag::Block,
        _ => return None,
    })
}

/// Whether a start tag of `tag` implicitly closes an open `<p>` (the standard's list).
fn closes_p(tag: Tag) -> bool {
    !matches!(
        tag,
        Tag::Root | Tag::Html | Tag::Body | Tag::Td | Tag::Tr | Tag::Li | Tag::Dt | Tag::Dd
    )
}

/// Parses a decoded page into its block tree. With `noscript_as_markup`, the content of
/// `<noscript>` is read as a browser without scripts shows it, instead of dropped.
pub(crate) fn parse(
    html: &str,
    limits: &Limits,
    noscript_as_markup: bool,
) -> Result<Doc, ExtractError> {
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let mut builder = Builder::new(limits);
    builder.noscript_as_markup = noscript_as_markup;
    let sink = Sink {
        state: RefCell::new(builder),
        input: &input,
    };
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    // `feed` stops early only to let a tree builder run scripts; this sink never asks it to.
    while !input.is_empty() {
        let _ = tokenizer.feed(&input);
        if tokenizer.sink.state.borrow().too_deep {
            return Err(ExtractError::TooDeep {
                limit: limits.max_depth,
            });
        }
    }
    tokenizer.end();
    let builder = tokenizer.sink.state.into_inner();
    if builder.too_deep {
        return Err(ExtractError::TooDeep {
            limit: limits.max_depth,
        });
    }
    Ok(builder.finish())
}

/// Receives tokens; a `RefCell` because html5ever's sink API takes `&self`.
struct Sink<'i> {
    /// The tree so far.
    state: RefCell<Builder>,
    /// The tokenizer's input, so the body of a dropped raw-text element can be cut from it
    /// unread (see [`skip_raw_text`]).
    input: &'i BufferQueue,
}

impl TokenSink for Sink<'_> {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut b = self.state.borrow_mut();
        if b.too_deep {
            return TokenSinkResult::Continue;
        }
        match token {
            Token::CharacterTokens(text) => b.text(&text),
            Token::TagToken(tag) => {
                let result = b.tag(tag);
                if let (TokenSinkResult::RawData(kind), Some(name)) = (&result, b.raw) {
                    if b.capture == Capture::Nothing
                        && skip_raw_text(self.input, name, *kind == RawKind::ScriptData)
                    {
                        // The body is gone and the tokenizer stays in the data state, where
                        // the end tag is read as an end tag the builder ignores.
                        b.raw = None;
                        return TokenSinkResult::Continue;
                    }
                }
                return result;
            }
            // Comments, doctypes, NULs, parse errors and EOF carry no text.
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

/// Cuts the body of a raw-text element that is dropped anyway (scripts, styles: 40 % of
/// the bytes of the evaluation pages) from the front of the tokenizer's input, so the
/// tokenizer never reads it character by character. Returns false, cutting nothing, when
/// the end tag is not in the first buffer or a script body holds `<!--` before it (the
/// script-data escape states, whose end rule differs): the tokenizer then reads the body
/// itself, so the result is the same either way.
fn skip_raw_text(input: &BufferQueue, name: &str, script: bool) -> bool {
    let Some(mut chunk) = input.peek_front_chunk_mut() else {
        return false;
    };
    let Some(end) = raw_text_end(chunk.as_bytes(), name, script) else {
        return false;
    };
    // `end` is the offset of an ASCII `<` inside the chunk, so what is left is not empty
    // (BufferQueue must never hold an empty buffer) and starts on a char boundary.
    let Ok(end) = u32::try_from(end) else {
        return false;
    };
    chunk.pop_front(end);
    true
}

/// The offset in `s` (a raw-text element's body and what follows) of the end tag that the
/// tokenizer's raw-text states would stop at: `</name` in any case followed by whitespace,
/// `/` or `>`. `None` when there is none, or when `script` and a `<!--` comes first.
fn raw_text_end(s: &[u8], name: &str, script: bool) -> Option<usize> {
    let name = name.as_bytes();
    let at = memchr::memmem::find_iter(s, b"</").find(|&at| {
        let after = &s[at + 2..];
        after.len() > name.len()
            && after[..name.len()].eq_ignore_ascii_case(name)
            && matches!(
                after[name.len()],
                b'\t' | b'\n' | b'\x0C' | b'\r' | b' ' | b'/' | b'>'
            )
    })?;
    if script && memchr::memmem::find(&s[..at], b"<!--").is_some() {
        return None;
    }
    Some(at)
}

/// What the body of a skipped element is collected into, if anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Capture {
    /// Dropped.
    Nothing,
    /// `<title>`.
    Title,
    /// JSON-LD.
    JsonLd,
}

/// The tree under construction.
struct Builder {
    /// The result.
    doc: Doc,
    /// Open block nodes, innermost last; `stack[0]` is the root.
    stack: Vec<u32>,
    /// The paragraph being written.
    text: String,
    /// Its characters so far.
    chars: u32,
    /// Its link characters so far.
    link_chars: u32,
    /// A space is owed before the next word.
    space: bool,
    /// Inside `<a href>`.
    in_link: bool,
    /// Inside a ruby annotation (`<rt>`, `<rp>`): the reading printed over a word
    /// (`子<rt>こ</rt>` is "子" with its furigana), not text of the sentence, whose words it
    /// would split.
    in_ruby_text: bool,
    /// Nesting of skipped markup elements (`<svg>` …); text inside is dropped.
    skip_depth: u32,
    /// The outermost skipped element is one a browser closes with an end tag of an element
    /// opened before it (`<svg>`, `<button>`, not `<template>`, `<object>`, `<select>`).
    skip_closable: bool,
    /// Block elements opened and not yet closed inside the skipped element: their end tags
    /// are theirs, not an outer element's.
    skip_blocks: u32,
    /// The name of the raw-text element being skipped, if the tokenizer is inside one.
    raw: Option<&'static str>,
    /// Where raw-text content goes.
    capture: Capture,
    /// The JSON-LD script being read.
    captured: String,
    /// Read `<noscript>` as markup (see [`parse`]).
    noscript_as_markup: bool,
    /// Limits from the caller.
    max_depth: usize,
    /// Longest attribute value read.
    max_attr_bytes: usize,
    /// The depth limit was broken: stop, report.
    too_deep: bool,
}

impl Builder {
    fn new(limits: &Limits) -> Self {
        let root = Node {
            tag: Tag::Root,
            parent: 0,
            end: 0,
            hints: String::new(),
            hidden: false,
        };
        Builder {
            doc: Doc {
                nodes: vec![root],
                ..Doc::default()
            },
            stack: vec![0],
            text: String::new(),
            chars: 0,
            link_chars: 0,
            space: false,
            in_link: false,
            in_ruby_text: false,
            skip_depth: 0,
            skip_closable: false,
            skip_blocks: 0,
            raw: None,
            capture: Capture::Nothing,
            captured: String::new(),
            noscript_as_markup: false,
            max_depth: limits.max_depth,
            max_attr_bytes: limits.max_attr_bytes,
            too_deep: false,
        }
    }

    fn text(&mut self, s: &str) {
        if self.raw.is_some() {
            match self.capture {
                Capture::Title => self.doc.title.push_str(s),
                Capture::JsonLd => {
                    if self.captured.len() + s.len() <= crate::meta::MAX_JSON_LD_BYTES {
                        self.captured.push_str(s);
                    }
                }
                Capture::Nothing => {}
            }
            return;
        }
        if self.skip_depth > 0 || self.in_ruby_text {
            return;
        }
        // Runs of visible characters are appended whole; whitespace and controls between
        // them collapse to one space.
        let mut rest = s;
        while !rest.is_empty() {
            let mut chars = 0u32;
            let mut end = rest.len();
            for (i, c) in rest.char_indices() {
                if c.is_whitespace() || c.is_control() {
                    end = i;
                    break;
                }
                chars += 1;
            }
            if chars > 0 {
                self.word(&rest[..end], chars);
            }
            let spaces = rest[end..]
                .char_indices()
                .find(|&(_, c)| !(c.is_whitespace() || c.is_control()))
                .map_or(rest.len() - end, |(i, _)| i);
            if spaces > 0 {
                self.space = true;
            }
            rest = &rest[end + spaces..];
        }
    }

    /// Appends a run of `chars` visible characters, after the space owed if any.
    fn word(&mut self, word: &str, chars: u32) {
        if self.space && !self.text.is_empty() && !self.text.ends_with('\n') {
            self.text.push(' ');
            self.chars += 1;
            if self.in_link {
                self.link_chars += 1;
            }
        }
        self.space = false;
        self.text.push_str(word);
        self.chars += chars;
        if self.in_link {
            self.link_chars += chars;
        }
    }

    /// Ends the current paragraph, attaching it to the innermost open node.
    fn flush(&mut self) {
        self.space = false;
        let trimmed = self.text.trim_end();
        if !trimmed.is_empty() {
            let node = self.stack.last().copied().unwrap_or(0);
            let text = std::mem::take(&mut self.text);
            self.doc.paras.push(Para {
                node,
                text: text.trim_end().to_string(),
                link_chars: self.link_chars.min(self.chars),
                chars: self.chars,
            });
        }
        self.text.clear();
        self.chars = 0;
        self.link_chars = 0;
    }

    fn tag(&mut self, tag: HtmlTag) -> TokenSinkResult<()> {
        let name: &str = &tag.name;
        if let Some(raw_name) = self.raw {
            // Inside raw text the tokenizer only reports the matching end tag.
            if tag.kind == TagKind::EndTag && name == raw_name {
                self.raw = None;
                if self.capture == Capture::JsonLd {
                    let body = std::mem::take(&mut self.captured);
                    self.doc.json_ld.push(body);
                }
                self.capture = Capture::Nothing;
            }
            return TokenSinkResult::Continue;
        }
        match tag.kind {
            TagKind::StartTag => self.start(&tag),
            TagKind::EndTag => {
                self.end(name);
                TokenSinkResult::Continue
            }
        }
    }

    fn start(&mut self, tag: &HtmlTag) -> TokenSinkResult<()> {
        let name: &str = &tag.name;
        if name == "noscript" {
            self.doc.noscripts += 1;
        }
        if let Some(kind) =
            skipped(name).filter(|_| !(self.noscript_as_markup && name == "noscript"))
        {
            if tag.self_closing {
                return TokenSinkResult::Continue;
            }
            self.raw = Some(match name {
                "script" => "script",
                "style" => "style",
                "iframe" => "iframe",
                "noscript" => "noscript",
                "noembed" => "noembed",
                "noframes" => "noframes",
                "xmp" => "xmp",
                "textarea" => "textarea",
                _ => "title",
            });
            self.capture = match name {
                "title" if self.doc.title.is_empty() => Capture::Title,
                "script"
                    if self
                        .attr(tag, "type")
                        .is_some_and(|t| t.eq_ignore_ascii_case("application/ld+json")) =>
                {
                    Capture::JsonLd
                }
                _ => Capture::Nothing,
            };
            return TokenSinkResult::RawData(kind);
        }
        match name {
            "meta" => self.meta(tag),
            "link"
                if self.doc.canonical.is_none()
                    && self
                        .attr(tag, "rel")
                        .is_some_and(|r| r.eq_ignore_ascii_case("canonical")) =>
            {
                self.doc.canonical = self.attr(tag, "href").map(str::to_string);
            }
            "html" if self.doc.lang.is_none() => {
                self.doc.lang = self
                    .attr(tag, "lang")
                    .or_else(|| self.attr(tag, "xml:lang"))
                    .map(str::to_string);
            }
            "time" => {
                if let Some(dt) = self.attr(tag, "datetime") {
                    let marked = self.attr(tag, "itemprop").is_some_and(|p| {
                        p.eq_ignore_ascii_case("datePublished")
                            || p.eq_ignore_ascii_case("dateCreated")
                    }) || self.attr(tag, "pubdate").is_some();
                    self.doc.times.push((dt.to_string(), marked));
                }
            }
            _ => {}
        }
        if skipped_markup(name) {
            if !tag.self_closing {
                if self.skip_depth == 0 {
                    self.skip_closable = !matches!(name, "template" | "object" | "select");
                    self.skip_blocks = 0;
                }
                self.skip_depth = self.skip_depth.saturating_add(1);
            }
            return TokenSinkResult::Continue;
        }
        if self.skip_depth > 0 {
            if !tag.self_closing && block_tag(name).is_some() {
                self.skip_blocks = self.skip_blocks.saturating_add(1);
            }
            return TokenSinkResult::Continue;
        }
        match name {
            "a" => {
                self.in_link = self.attr(tag, "href").is_some();
                return TokenSinkResult::Continue;
            }
            // `<rb>` goes back to the base text; `<rt>`'s end tag is often implied.
            "rt" | "rp" | "rtc" | "rb" => {
                self.in_ruby_text = name != "rb";
                return TokenSinkResult::Continue;
            }
            "br" => {
                if !self.text.is_empty() && !self.text.ends_with('\n') {
                    self.text.push('\n');
                    self.chars += 1;
                }
                self.space = false;
                return TokenSinkResult::Continue;
            }
            "img" | "td" | "th" => self.space = true,
            "hr" => {
                self.flush();
                return TokenSinkResult::Continue;
            }
            _ => {}
        }
        let Some(block) = block_tag(name) else {
            return TokenSinkResult::Continue;
        };
        // An annotation never spans a block: a lost `</ruby>` costs no more than that.
        self.in_ruby_text = false;
        self.flush();
        self.implied_ends(block);
        if self.stack.len() >= self.max_depth {
            self.too_deep = true;
            return TokenSinkResult::Continue;
        }
        let mut hints = String::new();
        let mut hidden = false;
        for attr in &tag.attrs {
            let key: &str = &attr.name.local;
            let value: &str = &attr.value;
            if value.len() > self.max_attr_bytes {
                continue;
            }
            match key {
                "class" | "id" | "role" | "itemprop" => {
                    if !hints.is_empty() {
                        hints.push(' ');
                    }
                    hints.extend(value.chars().map(|c| c.to_ascii_lowercase()));
                }
                "hidden" => hidden = true,
                "aria-hidden" => hidden |= value.eq_ignore_ascii_case("true"),
                "style" => hidden |= hides(value),
                _ => {}
            }
        }
        let parent = self.stack.last().copied().unwrap_or(0);
        let id = self.doc.nodes.len() as u32;
        self.doc.nodes.push(Node {
            tag: block,
            parent,
            end: id,
            hints,
            hidden,
        });
        if tag.self_closing {
            return TokenSinkResult::Continue;
        }
        self.stack.push(id);
        TokenSinkResult::Continue
    }

    /// Pops what a start tag of `block` closes by the standard's implied-end-tag rules.
    fn implied_ends(&mut self, block: Tag) {
        let (closes, stops): (&[Tag], &[Tag]) = match block {
            Tag::Li => (&[Tag::Li], &[Tag::Ul, Tag::Ol]),
            Tag::Dt | Tag::Dd => (&[Tag::Dt, Tag::Dd], &[Tag::Dl]),
            Tag::Td => (&[Tag::Td], &[Tag::Tr, Tag::Table]),
            Tag::Tr => (&[Tag::Tr, Tag::Td], &[Tag::Table]),
            _ => (&[], &[]),
        };
        if closes_p(block) {
            // Only a `<p>` still open at the top (under inline content) is closed.
            if let Some(&top) = self.stack.last() {
                if self.doc.nodes[top as usize].tag == Tag::P {
                    self.pop_to(self.stack.len() - 1);
                }
            }
        }
        if closes.is_empty() {
            return;
        }
        for i in (1..self.stack.len()).rev() {
            let tag = self.doc.nodes[self.stack[i] as usize].tag;
            if closes.contains(&tag) {
                self.pop_to(i);
                return;
            }
            if stops.contains(&tag) || tag == Tag::Table {
                return;
            }
        }
    }

    /// Closes the open nodes from `stack[i]` up.
    fn pop_to(&mut self, i: usize) {
        let last = (self.doc.nodes.len() - 1) as u32;
        for &id in &self.stack[i..] {
            self.doc.nodes[id as usize].end = last;
        }
        self.stack.truncate(i.max(1));
    }

    fn end(&mut self, name: &str) {
        if skipped_markup(name) {
            self.skip_depth = self.skip_depth.saturating_sub(1);
            return;
        }
        if self.skip_depth > 0 {
            // An unclosed `<svg>` icon ends where the `<a>` or `<div>` around it ends, as
            // in a browser; without this the rest of the page would be skipped with it.
            let closes_outer = self.skip_closable
                && (name == "a" && self.in_link
                    || block_tag(name).is_some_and(|block| {
                        self.skip_blocks == 0
                            && self.stack[1..]
                                .iter()
                                .any(|&id| self.doc.nodes[id as usize].tag == block)
                    }));
            if !closes_outer {
                if block_tag(name).is_some() {
                    self.skip_blocks = self.skip_blocks.saturating_sub(1);
                }
                return;
            }
            self.skip_depth = 0;
        }
        if name == "a" {
            self.in_link = false;
            return;
        }
        if matches!(name, "rt" | "rp" | "rtc" | "ruby") {
            self.in_ruby_text = false;
            return;
        }
        if name == "br" {
            // `</br>` is read as `<br>` by browsers.
            self.text.push('\n');
            return;
        }
        let Some(block) = block_tag(name) else {
            return;
        };
        self.in_ruby_text = false;
        self.flush();
        // Close up to the innermost open element of this kind; a stray end tag with
        // nothing to match is ignored. `</p>` without an open `<p>` is also ignored
        // (browsers make an empty paragraph; there is no text either way).
        for i in (1..self.stack.len()).rev() {
            if self.doc.nodes[self.stack[i] as usize].tag == block {
                self.pop_to(i);
                return;
            }
        }
    }

    fn meta(&mut self, tag: &HtmlTag) {
        let key = self
            .attr(tag, "property")
            .or_else(|| self.attr(tag, "name"))
            .or_else(|| self.attr(tag, "itemprop"));
        let (Some(key), Some(content)) = (key, self.attr(tag, "content")) else {
            return;
        };
        let key = key.to_ascii_lowercase();
        let content = content.to_string();
        self.doc.metas.push((key, content));
    }

    /// The value of attribute `name` of `tag`, unless it is over the size limit.
    fn attr<'t>(&self, tag: &'t HtmlTag, name: &str) -> Option<&'t str> {
        tag.attrs
            .iter()
            .find(|a| &*a.name.local == name)
            .map(|a| &*a.value)
            .filter(|v| v.len() <= self.max_attr_bytes)
    }

    fn finish(mut self) -> Doc {
        self.flush();
        self.pop_to(1);
        self.doc.nodes[0].end = (self.doc.nodes.len() - 1) as u32;
        self.doc
    }
}

/// Whether an inline style hides the element.
fn hides(style: &str) -> bool {
    let compact: String = style
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    compact.contains("display:none") || compact.contains("visibility:hidden")
}
