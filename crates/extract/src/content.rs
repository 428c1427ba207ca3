//! Which blocks of a page are its article.
//!
//! Three passes over the block tree, all linear:
//! 1. **Boilerplate**: elements that are never the article — `nav`, `aside`, `footer`,
//!    hidden elements, and elements whose class/id/role names what they are (menus,
//!    comments, share bars, related links, cookie banners, bylines, tag lists) — are dropped
//!    with everything inside them.
//! 2. **Container**: each paragraph with enough text credits its parent and grandparent
//!    with a score that grows with its length and its commas (readability's heuristic:
//!    article prose has long, comma-rich paragraphs, navigation has neither); a container's
//!    score is cut by the share of its text that is link text, and raised when it is
//!    marked as the article (`itemprop=articleBody`, `<article>`, content class names).
//!    The best container wins, together with siblings that score nearly as well.
//! 3. **Paragraphs** inside the winner are kept unless they are link lists or stray
//!    one-word fragments.

use crate::dom::{Doc, Node, Tag};

/// Paragraphs shorter than this (in characters) credit no container: captions, buttons,
/// dates and menu entries are short.
const MIN_SCORED_CHARS: u32 = 25;

/// Paragraphs this long (in characters) count as the article's prose when choosing
/// the container.
const GOOD_CHARS: u32 = 40;

/// The container descends into a child while the child holds this share of its good text.
const DESCEND_SHARE: f64 = 0.85;

/// A paragraph whose link text is more than this share of its text is navigation, unless
/// it is long.
const MAX_LINK_DENSITY: f64 = 0.5;

/// Class/id fragments that mark boilerplate. Matched against each class/id token: a
/// fragment matches a token that equals it, starts or ends with it, or contains it between
/// `-`/`_` separators, so `comments` and `post-share-bar` match but `shadow` does not
/// match `ad`.
const BOILERPLATE: &[&str] = &[
    "comment",
    "comments",
    "share",
    "sharing",
    "social",
    "related",
    "recommended",
    "recommendations",
    "cookie",
    "cookies",
    "consent",
    "gdpr",
    "banner",
    "sidebar",
    "menu",
    "nav",
    "navbar",
    "navigation",
    "breadcrumb",
    "breadcrumbs",
    "widget",
    "widgets",
    "ad",
    "ads",
    "advert",
    "advertisement",
    "sponsor",
    "sponsored",
    "promo",
    "newsletter",
    "subscribe",
    "subscription",
    "signup",
    "login",
    "popup",
    "modal",
    "footer",
    "header",
    "masthead",
    "byline",
    "author",
    "meta",
    "tags",
    "tag",
    "tagcloud",
    "keywords",
    "categories",
    "pagination",
    "pager",
    "print",
    "toolbar",
    "skip",
    "disqus",
    "respond",
    "reply",
    "hidden",
    "sr-only",
    "copyright",
    "popular",
    "trending",
    "outbrain",
    "taboola",
    "rating",
    "date",
    "dateline",
    "timestamp",
    "published",
    "posted",
    "more",
    "readmore",
    "follow",
    "search",
    "sitemap",
    "crumbs",
];

/// Class/id fragments that mark the article body.
const CONTENT: &[&str] = &[
    "articlebody",
    "article-body",
    "article_body",
    "article-content",
    "article_content",
    "articlecontent",
    "article-text",
    "articletext",
    "entry-content",
    "entry_content",
    "post-content",
    "post_content",
    "postcontent",
    "post-body",
    "postbody",
    "post-entry",
    "story-body",
    "storybody",
    "story-content",
    "story-text",
    "body-text",
    "bodytext",
    "content-body",
    "main-content",
    "maincontent",
    "text-content",
    "entry-body",
    "blog-content",
    "news-content",
    "news-text",
    "page-content",
    "single-content",
];

/// Whether a class/id token matches a fragment (see [`BOILERPLATE`]).
fn token_matches(token: &str, fragment: &str) -> bool {
    if token == fragment {
        return true;
    }
    let sep = |c: char| c == '-' || c == '_';
    token.split(sep).any(|part| part == fragment)
}

/// Whether a node's hints mark it as boilerplate.
fn is_boilerplate(node: &Node) -> bool {
    node.hints.split_ascii_whitespace().any(|token| {
        BOILERPLATE.iter().any(|f| token_matches(token, f))
            && !CONTENT.iter().any(|f| token.contains(f))
    }) && !is_content(node)
}

/// Whether a node is a comments section (never a wrapper, however long).
fn is_comments(node: &Node) -> bool {
    node.hints
        .split_ascii_whitespace()
        .any(|t| t.contains("comment") || t == "disqus_thread" || t == "respond")
}

/// Whether a node's hints mark it as the article body.
fn is_content(node: &Node) -> bool {
    node.hints
        .split_ascii_whitespace()
        .any(|token| token == "articlebody" || CONTENT.iter().any(|f| token.contains(f)))
}

/// The article body of a parsed page: paragraphs joined by `"\n\n"`.
pub(crate) fn body(doc: &Doc) -> String {
    let n = doc.nodes.len();
    // Raw text per subtree, before anything is dropped: a wrapper holding most of the
    // page is never boilerplate, whatever its class says (`<div class="has-sidebar">`).
    let mut raw = vec![0u64; n];
    for para in &doc.paras {
        raw[para.node as usize] += u64::from(para.chars);
    }
    // Nodes inside a marked article body protect their ancestors.
    let mut holds_content = vec![false; n];
    for i in (1..n).rev() {
        let node = &doc.nodes[i];
        if is_content(node) || node.tag == Tag::Article {
            holds_content[i] = true;
        }
        let parent = node.parent as usize;
        raw[parent] += raw[i];
        holds_content[parent] |= holds_content[i];
    }
    let total = raw[0].max(1);

    // Pass 1: boilerplate, inherited from ancestors (parents precede children).
    let mut dropped = vec![false; n];
    for (i, node) in doc.nodes.iter().enumerate().skip(1) {
        let wrapper = matches!(node.tag, Tag::Html | Tag::Body | Tag::Main)
            || holds_content[i]
            || (raw[i] * 2 > total && !is_comments(node));
        let own = node.hidden
            || (!holds_content[i] && matches!(node.tag, Tag::Nav | Tag::Footer | Tag::Aside))
            || (!wrapper && is_boilerplate(node));
        dropped[i] = own || dropped[node.parent as usize];
    }

    // Text and link text per subtree, over paragraphs that survive pass 1.
    let mut chars = vec![0u64; n];
    let mut links = vec![0u64; n];
    let mut score = vec![0f64; n];
    for para in &doc.paras {
        let owner = para.node as usize;
        if dropped[owner] {
            continue;
        }
        chars[owner] += u64::from(para.chars);
        links[owner] += u64::from(para.link_chars);
        if para.chars < MIN_SCORED_CHARS || density(para.link_chars, para.chars) > MAX_LINK_DENSITY
        {
            continue;
        }
        let commas = para.text.matches([',', '，', '、', '،']).count() as f64;
        let s = 1.0 + commas + (f64::from(para.chars) / 100.0).min(3.0);
        // Credit the paragraph's container and its parent, as readability does; text
        // written straight into a `<div>` makes the div itself its container.
        let container = if matches!(
            doc.nodes[owner].tag,
            Tag::Div | Tag::Article | Tag::Section | Tag::Main | Tag::Td
        ) {
            owner
        } else {
            doc.nodes[owner].parent as usize
        };
        score[container] += s;
        let grand = doc.nodes[container].parent as usize;
        score[grand] += s / 2.0;
    }
    // Children follow parents, so a reverse sweep sums subtrees.
    for i in (1..n).rev() {
        let parent = doc.nodes[i].parent as usize;
        chars[parent] += chars[i];
        links[parent] += links[i];
    }

    // Pass 2: the container. Good text (long, unlinked paragraphs) is summed per subtree;
    // from the root, descend into the child holding most of it while that child holds
    // nearly all of it: the result is the smallest element containing the article's prose.
    let mut good = vec![0f64; n];
    for para in &doc.paras {
        let owner = para.node as usize;
        if dropped[owner] || para.chars < GOOD_CHARS || density(para.link_chars, para.chars) > 0.3 {
            continue;
        }
        good[owner] += f64::from(para.chars - para.link_chars);
    }
    for i in (1..n).rev() {
        let parent = doc.nodes[i].parent as usize;
        good[parent] += good[i];
    }
    if good[0] == 0.0 {
        return fallback(doc, &dropped);
    }
    // Each node's child with the most good text.
    let mut best_child: Vec<Option<usize>> = vec![None; n];
    for i in 1..n {
        let parent = doc.nodes[i].parent as usize;
        if dropped[i] {
            continue;
        }
        if best_child[parent].is_none_or(|c| good[i] > good[c]) {
            best_child[parent] = Some(i);
        }
    }
    let mut top = 0;
    while let Some(c) = best_child[top] {
        if good[c] < DESCEND_SHARE * good[top] {
            break;
        }
        top = c;
    }
    let _ = &score;
    let regions = [(top, doc.nodes[top].end as usize)];

    // Pass 3: the paragraphs of the chosen regions.
    let mut out = String::new();
    for para in &doc.paras {
        let owner = para.node as usize;
        if dropped[owner] || !regions.iter().any(|&(a, b)| a <= owner && owner <= b) {
            continue;
        }
        if density(para.link_chars, para.chars) > MAX_LINK_DENSITY && para.chars < 200 {
            continue;
        }
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        out.push_str(&para.text);
    }
    out
}

/// Every paragraph outside boilerplate: for pages with no container worth the name.
fn fallback(doc: &Doc, dropped: &[bool]) -> String {
    let mut out = String::new();
    for para in &doc.paras {
        if dropped[para.node as usize] {
            continue;
        }
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        out.push_str(&para.text);
    }
    out
}

/// `links / chars`, 0 for empty text.
fn density(links: u32, chars: u32) -> f64 {
    density_u64(u64::from(links), u64::from(chars))
}

/// `links / chars`, 0 for empty text.
fn density_u64(links: u64, chars: u64) -> f64 {
    if chars == 0 {
        0.0
    } else {
        links as f64 / chars as f64
    }
}
