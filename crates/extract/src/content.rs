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

use crate::dom::{Doc, Node, Para, Tag};

/// Paragraphs shorter than this (in characters) credit no container: captions, buttons,
/// dates and menu entries are short.
const MIN_SCORED_CHARS: u32 = 25;

/// Paragraphs this long (in characters) count as the article's prose when choosing
/// the container.
const GOOD_CHARS: u32 = 40;

/// The container descends into a child while the child holds this share of its good text.
const DESCEND_SHARE: f64 = 0.8;

/// How many siblings before the container are looked at for a lead paragraph.
const LEAD_SIBLINGS: usize = 2;

/// A lead sibling holds less prose than this share of the container's (more would be
/// another article, a teaser list).
const LEAD_SHARE: f64 = 0.3;

/// A paragraph whose link text is more than this share of its text is navigation, unless
/// it is long.
const MAX_LINK_DENSITY: f64 = 0.5;

/// After the article's last prose paragraph, a line whose link text is more than this
/// share of it is a teaser or a "more from us" link, not the article's last words (its
/// own link lists, over [`MAX_LINK_DENSITY`], are dropped anywhere).
const TRAILING_LINK_DENSITY: f64 = 0.3;

/// A line ending in `:` this short (in characters) is a label ("Contact:", "Read more:",
/// "Updated:"); longer ones introduce what follows and are the article's.
const MAX_LABEL_CHARS: u32 = 20;

/// A bare date or time line is at most this long (in characters).
const MAX_DATELINE_CHARS: u32 = 40;

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
    "caption",
    "credit",
    "credits",
];

/// Words that make a `header` class token the article's own header (see [`is_own_header`]).
const OWN_HEADER: &[&str] = &[
    "article", "entry", "post", "content", "story", "news", "detail",
];

/// Fragments that mark boilerplate only as a whole class/id token: as a part of a longer
/// token they name something else (`field--label-hidden` hides a label, not the field).
const BOILERPLATE_WHOLE: &[&str] = &["hidden", "visually-hidden", "sr-only"];

/// Class/id fragments that mark a lead paragraph or standfirst: it often sits in the
/// article's header, outside the body container, and is part of the article.
const LEAD: &[&str] = &[
    "lead",
    "intro",
    "excerpt",
    "standfirst",
    "chapo",
    "teaser",
    "summary",
    "description",
    "subtitle",
    "deck",
];

/// A boilerplate-named element holding more than this share of the page's prose is the
/// article's wrapper whatever its class says (WordPress marks posts `tag-…`, themes `share`).
const WRAPPER_SHARE: f64 = 0.5;

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

/// Whether a `-`/`_`-separated part of a class/id token is a [`BOILERPLATE`] fragment (other
/// than the `header` of the article's own header): the same as [`token_matches`] over the
/// list, since no fragment holds a separator, with the token split once instead of once per
/// fragment (this runs for every element of every page).
fn names_boilerplate(token: &str) -> bool {
    token
        .split(['-', '_'])
        .any(|part| BOILERPLATE.contains(&part) && !is_own_header(token, part))
}

/// Whether a class/id token contains a [`CONTENT`] fragment. Every fragment contains one of
/// [`CONTENT_CORES`], so most tokens are rejected with four searches instead of thirty.
fn names_content(token: &str) -> bool {
    CONTENT_CORES.iter().any(|core| token.contains(core))
        && CONTENT.iter().any(|f| token.contains(f))
}

/// A word every [`CONTENT`] fragment contains (checked by a test).
const CONTENT_CORES: [&str; 4] = ["content", "body", "text", "entry"];

/// Whether a node's hints mark it as boilerplate.
fn is_boilerplate(node: &Node) -> bool {
    node.hints.split_ascii_whitespace().any(|token| {
        (names_boilerplate(token) || BOILERPLATE_WHOLE.contains(&token)) && !names_content(token)
    }) && !is_content(node)
}

/// Whether a token matched as `header` names the article's own header (`entry-header`,
/// `article__header`), which holds its standfirst, rather than the site's: its byline and
/// date are dropped by their own names.
fn is_own_header(token: &str, fragment: &str) -> bool {
    fragment == "header" && OWN_HEADER.iter().any(|part| token.contains(part))
}

/// Whether a node's hints mark it as a lead paragraph or standfirst.
fn is_lead(node: &Node) -> bool {
    node.hints
        .split_ascii_whitespace()
        .any(|token| LEAD.iter().any(|f| token_matches(token, f)))
}

/// Whether a node is a comments section (never a wrapper, however long).
fn is_comments(node: &Node) -> bool {
    node.hints
        .split_ascii_whitespace()
        .any(|t| t.contains("comment") || t == "disqus_thread" || t == "respond")
}

/// Whether a node's hints mark it as the article body: a body class or `hentry`, the
/// hAtom microformat's entry (WordPress's post element, whose `tag-…` taxonomy classes
/// would otherwise name it a tag list).
fn is_content(node: &Node) -> bool {
    node.hints
        .split_ascii_whitespace()
        .any(|token| token == "articlebody" || token == "hentry" || names_content(token))
}

/// What became of one paragraph, and why: the diagnostic behind [`crate::explain`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    /// Part of the article body.
    Kept,
    /// Inside boilerplate dropped in pass 1; the node is the dropped element.
    Boilerplate(u32),
    /// Outside the chosen container and its joined siblings.
    OutsideContainer,
    /// A short paragraph that is mostly link text.
    LinkList,
    /// A heading over nothing that was kept.
    EmptyHeading,
    /// A short furniture line inside the container: a label, a bare date, or what
    /// follows the article's last prose paragraph.
    Furniture,
    /// The page had no container; every paragraph outside boilerplate was kept.
    Fallback,
}

/// The article body of a parsed page: paragraphs joined by `"\n\n"`.
pub(crate) fn body(doc: &Doc) -> String {
    let fates = select(doc);
    let mut out = String::new();
    for (para, fate) in doc.paras.iter().zip(&fates) {
        if matches!(fate, Fate::Kept | Fate::Fallback) {
            if !out.is_empty() {
                out.push_str("\n\n");
            }
            out.push_str(&para.text);
        }
    }
    out
}

/// The fate of every paragraph of a parsed page, in document order.
pub(crate) fn select(doc: &Doc) -> Vec<Fate> {
    let n = doc.nodes.len();
    // Raw text per subtree, before anything is dropped: a wrapper holding most of the
    // page is never boilerplate, whatever its class says (`<div class="has-sidebar">`).
    let mut raw = vec![0u64; n];
    // Prose per subtree before anything is dropped: long paragraphs that are not links.
    let mut prose = vec![0u64; n];
    for para in &doc.paras {
        raw[para.node as usize] += u64::from(para.chars);
        if is_prose(para) {
            prose[para.node as usize] += u64::from(para.chars - para.link_chars);
        }
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
        prose[parent] += prose[i];
        holds_content[parent] |= holds_content[i];
    }
    let total = raw[0].max(1);
    let total_prose = prose[0] as f64;

    // Pass 1: boilerplate, inherited from ancestors (parents precede children).
    let mut dropped = vec![false; n];
    // The outermost dropped element each dropped node is inside: what `explain` names.
    let mut dropped_by = vec![0u32; n];
    for (i, node) in doc.nodes.iter().enumerate().skip(1) {
        let wrapper = matches!(node.tag, Tag::Html | Tag::Body | Tag::Main)
            || holds_content[i]
            || ((raw[i] * 2 > total || prose[i] as f64 > WRAPPER_SHARE * total_prose)
                && !is_comments(node));
        let own = node.hidden
            || node.tag == Tag::Figcaption
            || (!holds_content[i] && matches!(node.tag, Tag::Nav | Tag::Footer | Tag::Aside))
            || (!wrapper && is_boilerplate(node));
        let parent = node.parent as usize;
        dropped[i] = own || dropped[parent];
        dropped_by[i] = if dropped[parent] {
            dropped_by[parent]
        } else {
            i as u32
        };
    }
    let boilerplate = |owner: usize| Fate::Boilerplate(dropped_by[owner]);

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
        // Counted bytewise (SIMD), not by decoding chars: a UTF-8 sequence only matches
        // where the character is.
        let commas = memchr::memchr_iter(b',', para.text.as_bytes()).count()
            + ["，", "、", "،"]
                .iter()
                .map(|c| memchr::memmem::find_iter(para.text.as_bytes(), c).count())
                .sum::<usize>();
        let commas = commas as f64;
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
    // Good text outside headings: a page whose only long line is its headline has no prose
    // to find a container by (the headline would be chosen, then dropped as a heading over
    // nothing); all of it that is not boilerplate is kept instead.
    let mut body_prose = false;
    for para in &doc.paras {
        let owner = para.node as usize;
        if dropped[owner] || !is_prose(para) {
            continue;
        }
        good[owner] += f64::from(para.chars - para.link_chars);
        body_prose |= !matches!(doc.nodes[owner].tag, Tag::H(_));
    }
    for i in (1..n).rev() {
        let parent = doc.nodes[i].parent as usize;
        good[parent] += good[i];
    }
    if !body_prose {
        return doc
            .paras
            .iter()
            .map(|p| {
                let owner = p.node as usize;
                if dropped[owner] {
                    boilerplate(owner)
                } else {
                    Fate::Fallback
                }
            })
            .collect();
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
    // A lead paragraph or standfirst often sits just before the body container, as its
    // sibling: the nearest preceding siblings with prose join the article.
    let mut regions = vec![(top, doc.nodes[top].end as usize)];
    if top > 0 {
        let parent = doc.nodes[top].parent as usize;
        // Siblings without prose (an image, an empty ad slot) are passed over.
        let mut siblings: Vec<usize> = (parent + 1..top)
            .filter(|&i| doc.nodes[i].parent as usize == parent && !dropped[i] && good[i] > 0.0)
            .collect();
        siblings.reverse();
        for &s in siblings.iter().take(LEAD_SIBLINGS) {
            if good[s] > 0.0 && good[s] < LEAD_SHARE * good[top] {
                regions.push((s, doc.nodes[s].end as usize));
            }
        }
    }

    // A lead marked as such (`lead`, `intro`, `excerpt` …) before the container but inside
    // the same article is the article's, even inside its `<header>`, which pass 1 drops for
    // its title, byline and date.
    let scope = {
        let mut at = top;
        while at > 0 && doc.nodes[at].tag != Tag::Article {
            at = doc.nodes[at].parent as usize;
        }
        if at == 0 {
            let parent = doc.nodes[top].parent as usize;
            doc.nodes[parent].parent as usize
        } else {
            at
        }
    };
    let mut lead = vec![false; n];
    let mut furniture = vec![false; n];
    for (i, node) in doc
        .nodes
        .iter()
        .enumerate()
        .skip(scope.max(1))
        .take(top.saturating_sub(scope))
    {
        let parent = node.parent as usize;
        let inherited = |flags: &[bool]| parent >= scope && flags[parent];
        lead[i] = is_lead(node) || inherited(&lead);
        furniture[i] = node.hidden
            || is_comments(node)
            || matches!(
                node.tag,
                Tag::Nav | Tag::Aside | Tag::Footer | Tag::Figcaption
            )
            || inherited(&furniture);
    }
    let is_kept_lead = |owner: usize, para: &Para| {
        owner < top && lead[owner] && !furniture[owner] && is_prose(para)
    };

    // Pass 3: the paragraphs of the chosen regions.
    let mut fates = Vec::with_capacity(doc.paras.len());
    let mut kept: Vec<usize> = Vec::new();
    for (p, para) in doc.paras.iter().enumerate() {
        let owner = para.node as usize;
        let in_region = !dropped[owner] && regions.iter().any(|&(a, b)| a <= owner && owner <= b);
        let fate = if !in_region && !is_kept_lead(owner, para) {
            if dropped[owner] {
                boilerplate(owner)
            } else {
                Fate::OutsideContainer
            }
        } else if density(para.link_chars, para.chars) > MAX_LINK_DENSITY && para.chars < 200 {
            Fate::LinkList
        } else {
            kept.push(p);
            Fate::Kept
        };
        fates.push(fate);
    }
    // A heading that heads nothing (the next kept paragraph is a heading of the same or a
    // higher rank, or there is none) titled a block that was dropped: "Related articles"
    // over a link list, "Comments" over the comments.
    let level = |p: usize| match doc.nodes[doc.paras[p].node as usize].tag {
        Tag::H(level) => Some(level),
        _ => None,
    };
    for (i, &p) in kept.iter().enumerate() {
        if let Some(own) = level(p) {
            let heads_nothing = match kept.get(i + 1).map(|&next| level(next)) {
                None => true,
                Some(Some(next)) => next <= own,
                Some(None) => false,
            };
            if heads_nothing {
                fates[p] = Fate::EmptyHeading;
            }
        }
    }
    kept.retain(|&p| fates[p] == Fate::Kept);
    trim_furniture(doc, &kept, &mut fates);
    fates
}

/// Drops the short lines of a page's furniture that sit inside the article's container:
/// after the article's last prose paragraph, headings, link-dense lines and lines ending
/// in `:` or `?` head or are what follows an article ("More on this topic", "Contact:",
/// "Did you like this article?"); anywhere, a short line ending in `:` that labels no list
/// ("Related:", "Updated:") and a bare date or time.
fn trim_furniture(doc: &Doc, kept: &[usize], fates: &mut [Fate]) {
    let heading = |p: usize| matches!(doc.nodes[doc.paras[p].node as usize].tag, Tag::H(_));
    // A line ending in `:` just before a list or table labels it ("Ingredients:").
    let labels_a_list = |next: Option<&usize>| {
        next.is_some_and(|&next| {
            matches!(
                doc.nodes[doc.paras[next].node as usize].tag,
                Tag::Li | Tag::Td
            )
        })
    };
    let last_prose = kept
        .iter()
        .rposition(|&p| is_prose(&doc.paras[p]) && !heading(p));
    let mut left: Vec<usize> = Vec::with_capacity(kept.len());
    for (i, &p) in kept.iter().enumerate() {
        let para = &doc.paras[p];
        let text = para.text.trim();
        let trailing = last_prose.is_some_and(|last| i > last)
            && (heading(p)
                || text.ends_with('?')
                || text.ends_with('？')
                || (text.ends_with([':', '：']) && !labels_a_list(kept.get(i + 1)))
                || density(para.link_chars, para.chars) > TRAILING_LINK_DENSITY);
        if trailing {
            fates[p] = Fate::Furniture;
        } else {
            left.push(p);
        }
    }
    for (i, &p) in left.iter().enumerate() {
        let para = &doc.paras[p];
        let text = para.text.trim();
        let label = para.chars <= MAX_LABEL_CHARS
            && text.ends_with([':', '：'])
            && !labels_a_list(left.get(i + 1));
        if label || (para.chars <= MAX_DATELINE_CHARS && is_dateline(text)) {
            fates[p] = Fate::Furniture;
        }
    }
}

/// Whether a short line is a bare date or time: at most one word ("Updated 03.04.2020",
/// "19:49", "2020-04-03"), so a line that says anything else about the date is kept.
fn is_dateline(text: &str) -> bool {
    let mut words = 0;
    let mut in_word = false;
    for c in text.chars() {
        let letter = c.is_alphabetic();
        if letter && !in_word {
            words += 1;
        }
        in_word = letter;
    }
    words <= 1
        && text
            .split(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | '/' | ':' | '-')))
            .any(is_date_or_time)
}

/// Whether a run of digits and separators is a date (`31.05.2024`, `5/31/24`,
/// `2024-05-31`) or a time (`19:49`, `19:49:05`); a phone number (`158-23-2012`) or a
/// decimal (`0.091`) is not.
fn is_date_or_time(run: &str) -> bool {
    let run = run.trim_matches(|c: char| !c.is_ascii_digit());
    let groups: Vec<usize> = run.split(['.', '/', ':', '-']).map(str::len).collect();
    let only = |seps: &[char]| {
        run.chars()
            .filter(|c| !c.is_ascii_digit())
            .all(|c| seps.contains(&c))
    };
    match groups.as_slice() {
        [h, m] | [h, m, _] if only(&[':']) => (1..=2).contains(h) && *m == 2,
        [d, m, y] if only(&['.', '/']) => {
            (1..=2).contains(d) && (1..=2).contains(m) && (2..=4).contains(y)
        }
        [4, 2, 2] => only(&['-']),
        _ => false,
    }
}

/// Whether a paragraph is the article's kind of text: long and mostly not links.
fn is_prose(para: &Para) -> bool {
    para.chars >= GOOD_CHARS && density(para.link_chars, para.chars) <= 0.3
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fragment_lists_fit_their_fast_paths() {
        for f in CONTENT {
            assert!(CONTENT_CORES.iter().any(|c| f.contains(c)), "{f}");
        }
        for f in BOILERPLATE {
            assert!(!f.contains(['-', '_']), "{f}");
        }
        assert!(names_boilerplate("post-share-bar"));
        assert!(!names_boilerplate("shadow"));
        assert!(names_boilerplate("site-header") && !names_boilerplate("entry-header"));
        assert!(names_content("js-entry-content") && !names_content("entry"));
    }

    #[test]
    fn datelines_are_bare_dates_and_times() {
        let cases = [
            ("03.04.2020", true),
            ("19:49", true),
            ("Aktualisiert: 03.04.2020, 12:00", true),
            ("2024-05-31", true),
            ("5/31/24", true),
            ("Termin: 29.02.2020, 19 Uhr", false),
            ("+81 158-23-2012", false),
            ("0.091 GB/s", false),
            ("Version 1.2.3", false),
            ("1975", false),
        ];
        let wrong: Vec<_> = cases
            .iter()
            .filter(|(text, want)| is_dateline(text) != *want)
            .collect();
        assert!(wrong.is_empty(), "misread: {wrong:?}");
    }
}
