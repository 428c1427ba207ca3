//! Main-content extraction: an HTML page (bytes, any charset) becomes its article body and
//! the metadata the page declares about it.
//!
//! The crate is pure: no I/O, no NLP, no network. Callers (ingest's HTML and WARC inputs,
//! `newsflow extract`) hand it the bytes of one page and get a [`Page`] or a reason why not.
//!
//! Layout:
//! - `charset`: bytes to text (BOM, HTTP charset, `<meta charset>`, else detection): the
//!   one encoding rule of the workspace, also used by ingest for feeds ([`detect_encoding`]).
//! - `dom`: html5ever's tokenizer feeding a light block tree (no DOM, linear time, bounded depth).
//! - `meta`: title, date, author, site, language and canonical URL from meta tags and JSON-LD.
//! - `content`: which blocks are the article (containers, text and link density).

mod charset;
mod content;
mod dom;
pub mod eval;
mod meta;

pub use charset::{declared_charset, detect_encoding, sniff_encoding};
pub use encoding_rs::Encoding;
use thiserror::Error;

#[doc(hidden)]
pub use content::Fate;

/// What a page says about its article.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Page {
    /// The headline: og:title, JSON-LD headline, the first `<h1>`, else `<title>`.
    pub title: Option<String>,
    /// When the article was published, RFC 3339 (`2024-05-31T00:00:00Z` when only a day is known).
    pub published: Option<String>,
    /// Who wrote it, as the page names them.
    pub author: Option<String>,
    /// The publication's name (og:site_name, JSON-LD publisher).
    pub site: Option<String>,
    /// The declared language, ISO 639-1 (`de` from `<html lang="de-AT">`).
    pub lang: Option<String>,
    /// The canonical URL (`<link rel=canonical>`, og:url), absolute when the page URL is known.
    pub canonical: Option<String>,
    /// The article body: paragraphs joined by `"\n\n"`, headings and list items as paragraphs.
    pub text: String,
}

/// Bounds on what one page may cost; a page over a bound is an error, never a panic or a
/// slow extraction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest page accepted, in bytes.
    pub max_bytes: usize,
    /// Deepest nesting of block elements; deeper is an error ([`ExtractError::TooDeep`]).
    pub max_depth: usize,
    /// Longest attribute value read; longer values (inline images, huge `data-` blobs) are
    /// ignored, not an error, because real pages carry them.
    pub max_attr_bytes: usize,
}

impl Limits {
    /// 8 MiB, the same bound as for feeds: far above any article page (the 990 evaluation
    /// pages average 175 KB), far below what would hurt memory.
    pub const DEFAULT_MAX_BYTES: usize = 8 << 20;
    /// Real pages nest block elements a few dozen deep; 512 leaves room for sloppy markup
    /// that never closes its `<div>`s while bounding the element stack.
    pub const DEFAULT_MAX_DEPTH: usize = 512;
    /// 64 KiB covers any class list, URL or JSON-LD-bearing attribute; only inline data
    /// (base64 images) is longer, and it is never metadata.
    pub const DEFAULT_MAX_ATTR_BYTES: usize = 64 << 10;
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: Self::DEFAULT_MAX_BYTES,
            max_depth: Self::DEFAULT_MAX_DEPTH,
            max_attr_bytes: Self::DEFAULT_MAX_ATTR_BYTES,
        }
    }
}

/// Why a page yielded no article.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ExtractError {
    /// The page is larger than [`Limits::max_bytes`].
    #[error("page is {size} bytes, over the limit of {limit}")]
    TooLarge {
        /// The page's size in bytes.
        size: usize,
        /// The limit it broke.
        limit: usize,
    },
    /// Block elements nest deeper than [`Limits::max_depth`].
    #[error("page nests elements deeper than the limit of {limit}")]
    TooDeep {
        /// The limit it broke.
        limit: usize,
    },
    /// The bytes do not look like an HTML page (binary data, JSON, a feed, plain text).
    #[error("content is not an HTML page")]
    NotHtml,
    /// The page parsed but holds no article text (an empty page, a pure navigation page).
    #[error("page has no article text")]
    NoContent,
}

/// Extracts the article and its metadata from one HTML page. `url` is where the page came
/// from, if known: it resolves a relative canonical URL and lends a date (`/2024/05/31/`)
/// when the page declares none.
pub fn extract(html: &[u8], url: Option<&str>, limits: &Limits) -> Result<Page, ExtractError> {
    extract_with_charset(html, None, url, limits)
}

/// [`extract`] for a page whose transport declared its charset (the `charset` of an HTTP
/// `Content-Type`): that outranks the page's `<meta charset>`, a byte-order mark outranks
/// both ([`sniff_encoding`]).
pub fn extract_with_charset(
    html: &[u8],
    charset: Option<&'static Encoding>,
    url: Option<&str>,
    limits: &Limits,
) -> Result<Page, ExtractError> {
    if html.len() > limits.max_bytes {
        return Err(ExtractError::TooLarge {
            size: html.len(),
            limit: limits.max_bytes,
        });
    }
    // Sniffed after decoding, so a page the server declared UTF-16 is sniffed as text.
    let text = charset::decode(html, charset);
    let head = &text.as_bytes()[..text.len().min(SNIFF_BYTES)];
    if !looks_like_html(head) {
        return Err(ExtractError::NotHtml);
    }
    let (doc, body) = parse(&text, limits)?;
    if body.is_empty() {
        return Err(ExtractError::NoContent);
    }
    let mut page = meta::metadata(&doc, url);
    page.text = body;
    Ok(page)
}

/// A body shorter than this (in bytes) is not the article of a page that has `<noscript>`
/// content, if that content holds more: pages rendered by scripts give readers without
/// scripts the article there (Blogger's posts), and a teaser line or nothing elsewhere.
const NOSCRIPT_FALLBACK_BYTES: usize = 1000;

/// The block tree of a decoded page and its body: read once with `<noscript>` dropped
/// (its usual content is a tracking pixel or "please enable JavaScript") and, when that
/// body is short and the page has `<noscript>` elements, once more with their content,
/// whose body is taken if it is more than twice as long (a "please enable JavaScript"
/// line beside a short article is not the article).
fn parse(text: &str, limits: &Limits) -> Result<(dom::Doc, String), ExtractError> {
    let doc = dom::parse(text, limits, false)?;
    let body = content::body(&doc);
    if body.len() >= NOSCRIPT_FALLBACK_BYTES || doc.noscripts == 0 {
        return Ok((doc, body));
    }
    let shown = dom::parse(text, limits, true)?;
    let shown_body = content::body(&shown);
    Ok(if shown_body.len() > 2 * body.len() {
        (shown, shown_body)
    } else {
        (doc, body)
    })
}

/// One paragraph of a page and what extraction made of it.
#[doc(hidden)]
#[derive(Debug, Clone)]
pub struct Explained {
    /// The paragraph's text.
    pub text: String,
    /// Kept, or why not.
    pub fate: Fate,
    /// The element that decided (the dropped one for boilerplate, else the paragraph's
    /// own) and its two nearest ancestors, as `tag.hints` from the inside out.
    pub path: String,
    /// Characters of the paragraph inside links.
    pub link_chars: u32,
}

/// Every paragraph of a page with its fate: the diagnostic the `snippets` example prints
/// for missed and leaked snippets. Not part of the stable API.
#[doc(hidden)]
pub fn explain(html: &[u8], limits: &Limits) -> Result<Vec<Explained>, ExtractError> {
    let text = charset::decode(html, None);
    let (doc, _) = parse(&text, limits)?;
    let fates = content::select(&doc);
    let describe = |mut at: usize| {
        let mut parts = Vec::new();
        for _ in 0..3 {
            let node = &doc.nodes[at];
            parts.push(format!("{:?}.{}", node.tag, node.hints.replace(' ', ".")));
            if at == 0 {
                break;
            }
            at = node.parent as usize;
        }
        parts.join(" < ")
    };
    Ok(doc
        .paras
        .iter()
        .zip(fates)
        .map(|(para, fate)| {
            let at = match fate {
                Fate::Boilerplate(node) => node as usize,
                _ => para.node as usize,
            };
            Explained {
                text: para.text.clone(),
                fate,
                path: describe(at),
                link_chars: para.link_chars,
            }
        })
        .collect())
}

/// How much of the start of a page [`looks_like_html`] needs: doctype, comments and a
/// `<head>` fit well within it.
pub const SNIFF_BYTES: usize = 4096;

/// Whether the first bytes of some content are an HTML page (content sniffing, the way
/// browsers do it): after a BOM, whitespace and comments, a `<!doctype html`, `<html`,
/// `<head`, `<body` or another common HTML tag. Feeds (`<rss`, `<feed`, `<?xml` without an
/// XHTML root) are not HTML. Give it at least the first [`SNIFF_BYTES`] bytes when there are.
pub fn looks_like_html(head: &[u8]) -> bool {
    let mut s = head;
    for bom in [&b"\xEF\xBB\xBF"[..], b"\xFF\xFE", b"\xFE\xFF"] {
        if let Some(rest) = s.strip_prefix(bom) {
            // UTF-16 pages are rare; sniff their ASCII bytes with the zeros taken out.
            if bom.len() == 2 {
                let ascii: Vec<u8> = rest.iter().copied().filter(|&b| b != 0).collect();
                return looks_like_html(&ascii);
            }
            s = rest;
        }
    }
    loop {
        s = trim_start(s);
        if let Some(rest) = s.strip_prefix(b"<!--") {
            match memchr::memmem::find(rest, b"-->") {
                Some(end) => s = &rest[end + 3..],
                None => return false,
            }
        } else if s.starts_with(b"<?") {
            // An XML declaration: XHTML if an html root follows, a feed otherwise.
            match memchr::memchr(b'>', s) {
                Some(end) => s = &s[end + 1..],
                None => return false,
            }
        } else {
            break;
        }
    }
    const STARTS: [&[u8]; 12] = [
        b"<!doctype html",
        b"<html",
        b"<head",
        b"<body",
        b"<meta",
        b"<title",
        b"<link",
        b"<script",
        b"<style",
        b"<div",
        b"<p>",
        b"<base",
    ];
    let starts_html = |s: &[u8]| {
        STARTS.iter().any(|start| {
            s.len() >= start.len()
                && s[..start.len()].eq_ignore_ascii_case(start)
                && (start.ends_with(b">")
                    || s.get(start.len())
                        .is_none_or(|&b| b.is_ascii_whitespace() || b == b'>' || b == b'/'))
        })
    };
    // Server-side scripts print warnings (`<br />\n<b>Warning</b>: ...`) before the page:
    // markup followed by a doctype or `<html>` before any feed root is still a page (plain
    // text that mentions `<html>` is not).
    starts_html(s) || (s.first() == Some(&b'<') && later_html_root(s))
}

/// Whether a `<!doctype html` or `<html` tag appears in `s` before anything that opens a
/// feed (`<rss`, `<feed`, `<rdf:RDF`, `<?xml`).
fn later_html_root(s: &[u8]) -> bool {
    let lower = s.to_ascii_lowercase();
    let first = |needle: &[u8]| memchr::memmem::find(&lower, needle);
    let Some(html) = [&b"<!doctype html"[..], b"<html>", b"<html ", b"<html\n"]
        .iter()
        .filter_map(|n| first(n))
        .min()
    else {
        return false;
    };
    [&b"<rss"[..], b"<feed", b"<rdf:rdf", b"<?xml"]
        .iter()
        .filter_map(|n| first(n))
        .all(|feed| feed > html)
}

/// `s` without leading ASCII whitespace.
fn trim_start(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|b| b.is_ascii_whitespace()).count();
    &s[n..]
}
