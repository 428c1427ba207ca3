//! The safety pass every XML feed goes through before the feed parser sees it.
//!
//! One linear scan with quick-xml re-emits the document so that the parser only ever gets
//! balanced, bounded, self-contained XML:
//! - the XML declaration is dropped (the text is UTF-8 by now; a stale `encoding="…"` would
//!   make the parser decode it twice);
//! - the DOCTYPE is dropped, so no external DTD or entity is ever fetched. Entities it
//!   declares are **never expanded**: a document that uses one is rejected
//!   ([`Repaired::dtd_entity`]), because its text would be wrong without them and expanding
//!   them is what entity bombs and XXE rely on;
//! - HTML entities that XML does not define (`&eacute;`, `&hellip;` …) become character
//!   references; unknown ones and bare `&` become literal text;
//! - an item that breaks a limit ([`MAX_DEPTH`], [`MAX_TAG_BYTES`], [`MAX_ITEM_BYTES`]) or
//!   whose tags do not match is cut out and reported, and the rest of the feed is kept;
//! - at a syntax error or a premature end, the document is cut after the last complete item
//!   and every open element is closed, so a truncated feed keeps what came before the break.

use std::collections::HashSet;
use std::fmt::Write as _;

use quick_xml::events::Event;
use quick_xml::Reader;

/// Deepest element nesting accepted. Real feeds, XHTML content included, stay far below;
/// the cap keeps recursive consumers of the tree well inside their stack.
pub const MAX_DEPTH: usize = 100;

/// Longest single tag (name plus attributes) accepted. Real tags are under a few KiB;
/// a megabyte attribute is an attack or a bug.
pub const MAX_TAG_BYTES: usize = 64 << 10;

/// Largest single item or entry accepted. The longest real articles are a few hundred KiB of
/// HTML.
pub const MAX_ITEM_BYTES: usize = 8 << 20;

/// An item or entry that was cut out of the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DroppedItem {
    /// 1-based position among the document's items.
    pub index: u64,
    /// Why, in words a user can act on.
    pub reason: String,
}

/// The document after the safety pass.
#[derive(Debug, Default)]
pub struct Repaired {
    /// Balanced XML for the feed parser.
    pub xml: String,
    /// Items removed, in document order.
    pub dropped: Vec<DroppedItem>,
    /// Set when the document ended early or broke off at a syntax error: where and why.
    pub truncated: Option<String>,
    /// The name of a DTD-declared entity the document uses, if any: such a document is
    /// rejected rather than expanded.
    pub dtd_entity: Option<String>,
    /// Items seen, complete or not.
    pub items_seen: u64,
}

/// An item or entry being copied; it is committed only when its end tag arrives.
struct OpenItem {
    /// Where the item starts in the output.
    out_start: usize,
    /// Stack depth of the item element itself.
    depth: usize,
    /// Where it starts in the input, for the size limit.
    in_start: u64,
    /// First problem found inside it.
    problem: Option<String>,
}

/// Runs the safety pass over a decoded document. Never fails: whatever is wrong is recorded
/// in the result.
pub fn repair(text: &str) -> Repaired {
    let mut reader = Reader::from_str(text);
    let config = reader.config_mut();
    // Tags are balanced by hand below, so a stray end tag does not abort the scan.
    config.check_end_names = false;
    config.allow_unmatched_ends = true;
    config.allow_dangling_amp = true;
    config.check_comments = false;

    let mut out = Repaired {
        xml: String::with_capacity(text.len() + 64),
        ..Repaired::default()
    };
    let mut stack: Vec<String> = Vec::new();
    let mut item: Option<OpenItem> = None;
    let mut declared: HashSet<String> = HashSet::new();

    loop {
        let before = reader.buffer_position() as usize;
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(e) => {
                out.truncated = Some(format!(
                    "XML error at byte {}: {e}",
                    reader.error_position()
                ));
                break;
            }
        };
        let after = reader.buffer_position() as usize;
        let raw = text.get(before..after).unwrap_or_default();
        match event {
            Event::Eof => {
                if !stack.is_empty() {
                    out.truncated = Some(format!(
                        "document ends inside <{}> at byte {}",
                        stack.last().map(String::as_str).unwrap_or_default(),
                        text.len()
                    ));
                }
                break;
            }
            Event::Start(ref e) | Event::Empty(ref e) => {
                let is_empty = matches!(event, Event::Empty(_));
                let name = e.name().as_ref().to_string();
                let local = e.local_name().as_ref().to_string();
                if item.is_none() && is_item(&local, stack.len()) {
                    out.items_seen += 1;
                    item = Some(OpenItem {
                        out_start: out.xml.len(),
                        depth: stack.len() + 1,
                        in_start: before as u64,
                        problem: None,
                    });
                    if is_empty {
                        // `<item/>`: a complete, empty item.
                        item = None;
                    }
                }
                let problem = if raw.len() > MAX_TAG_BYTES {
                    Some(format!(
                        "<{name}> tag is {} bytes, over the {MAX_TAG_BYTES}-byte limit",
                        raw.len()
                    ))
                } else if stack.len() + 1 > MAX_DEPTH {
                    Some(format!("elements nested deeper than {MAX_DEPTH}"))
                } else {
                    e.attributes()
                        .find_map(Result::err)
                        .map(|err| format!("malformed attribute in <{name}>: {err}"))
                };
                if let Some(problem) = problem {
                    match item.as_mut() {
                        Some(open) => {
                            open.problem.get_or_insert(problem);
                        }
                        None => {
                            // Outside any item there is nothing smaller to drop.
                            out.truncated = Some(format!("{problem} at byte {before}"));
                            break;
                        }
                    }
                }
                if stack.is_empty() && local == "rss" {
                    let root = normalise_rss_root(e, is_empty);
                    fix_entities(&root, &declared, &mut out);
                } else if item.as_ref().is_none_or(|i| i.problem.is_none()) {
                    fix_entities(raw, &declared, &mut out);
                }
                if !is_empty {
                    stack.push(name);
                }
            }
            Event::End(ref e) => {
                let name = e.name().as_ref().to_string();
                let Some(pos) = stack.iter().rposition(|open| *open == name) else {
                    // An end tag nothing opened: drop it.
                    if let Some(open) = item.as_mut() {
                        open.problem
                            .get_or_insert(format!("end tag </{name}> without a start tag"));
                    }
                    continue;
                };
                if pos + 1 != stack.len() {
                    if let Some(open) = item.as_mut() {
                        open.problem.get_or_insert(format!(
                            "<{}> closed by </{name}>",
                            stack.last().map(String::as_str).unwrap_or_default()
                        ));
                    }
                }
                // Close everything down to the matching element, so the output stays
                // balanced whatever the input did.
                while stack.len() > pos {
                    let Some(open) = stack.pop() else { break };
                    let _ = write!(out.xml, "</{open}>");
                    if let Some(open_item) = item.take_if(|i| i.depth > stack.len()) {
                        close_item(open_item, before, &mut out);
                    }
                }
            }
            Event::Text(_) | Event::GeneralRef(_) => {
                if item.as_ref().is_none_or(|i| i.problem.is_none()) {
                    fix_entities(raw, &declared, &mut out);
                }
            }
            Event::CData(_) => {
                if item.as_ref().is_none_or(|i| i.problem.is_none()) {
                    out.xml.push_str(raw);
                }
            }
            Event::DocType(ref d) => {
                declared.extend(declared_entities(d));
            }
            // Declarations, comments and processing instructions carry nothing a feed needs.
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) => {}
        }
        if let Some(open) = item.as_mut() {
            let size = after as u64 - open.in_start;
            if size > MAX_ITEM_BYTES as u64 && open.problem.is_none() {
                open.problem = Some(format!("item over the {MAX_ITEM_BYTES}-byte limit"));
            }
        }
    }

    // Cut an unfinished item (its end is missing), then close what is still open.
    if let Some(open) = item.take() {
        out.xml.truncate(open.out_start);
        stack.truncate(open.depth - 1);
    }
    while let Some(open) = stack.pop() {
        let _ = write!(out.xml, "</{open}>");
    }
    out
}

/// RSS versions the feed parser dispatches on; it ignores an `<rss>` root with any other.
const PARSED_RSS_VERSIONS: [&str; 3] = ["0.91", "0.92", "2.0"];

/// Rewrites an `<rss>` root tag the way lenient readers treat it: a missing or unknown
/// version (`0.93`, `0.94`, none) is read as 2.0, and a default namespace is dropped (RSS
/// has none; `xmlns="http://backend.userland.com/rss2"` would hide every element).
fn normalise_rss_root(tag: &quick_xml::events::BytesStart<'_>, is_empty: bool) -> String {
    let mut out = String::from("<rss");
    let mut version = None;
    for attr in tag.attributes().flatten() {
        let key = attr.key.as_ref();
        if key == "xmlns" {
            continue;
        }
        if key == "version" {
            version = Some(attr.value.trim().to_string());
            continue;
        }
        let _ = write!(out, " {key}=\"{}\"", attr.value.replace('"', "&quot;"));
    }
    let version = version
        .filter(|v| PARSED_RSS_VERSIONS.contains(&v.as_str()))
        .unwrap_or_else(|| "2.0".into());
    let _ = write!(out, " version=\"{version}\"");
    out.push_str(if is_empty { "/>" } else { ">" });
    out
}

/// Commits or cuts an item whose end tag was just written.
fn close_item(item: OpenItem, at: usize, out: &mut Repaired) {
    if let Some(reason) = item.problem {
        out.xml.truncate(item.out_start);
        tracing::debug!(item = out.items_seen, at, %reason, "item cut from feed");
        out.dropped.push(DroppedItem {
            index: out.items_seen,
            reason,
        });
    }
}

/// Whether an element at this depth (0 = root) is one feed item: `<item>` under RSS's
/// channel or RDF's root, `<entry>` under Atom's feed.
fn is_item(local: &str, depth: usize) -> bool {
    matches!(local, "item" | "entry") && (1..=2).contains(&depth)
}

/// The general entities an internal DTD subset declares (parameter entities, `%name`, only
/// matter inside the DTD, which is dropped). A declaration that merely restates HTML's own
/// meaning as a character reference (`<!ENTITY nbsp "&#160;">`, as some feeds carry) is
/// left out: using it is harmless.
fn declared_entities(doctype: &str) -> Vec<String> {
    doctype
        .split("<!ENTITY")
        .skip(1)
        .filter_map(|decl| {
            let name = decl.split_whitespace().next()?;
            if name == "%" {
                return None;
            }
            // The quoted replacement text, if the entity is internal.
            let value = decl
                .find(['"', '\''])
                .and_then(|open| {
                    let quote = decl[open..].chars().next()?;
                    let rest = &decl[open + 1..];
                    rest.find(quote).map(|close| &rest[..close])
                })
                .unwrap_or_default();
            (!restates_html(name, value)).then(|| name.to_string())
        })
        .collect()
}

/// Whether `value` is a character reference to exactly what HTML's entity `name` means.
fn restates_html(name: &str, value: &str) -> bool {
    let Some(&(code, 0)) = html5ever::data::NAMED_ENTITIES.get(&format!("{name};")) else {
        return false;
    };
    let Some(num) = value.strip_prefix("&#").and_then(|v| v.strip_suffix(';')) else {
        return false;
    };
    let parsed = match num.strip_prefix(['x', 'X']) {
        Some(hex) => u32::from_str_radix(hex, 16).ok(),
        None => num.parse().ok(),
    };
    parsed == Some(code)
}

/// The five entities XML itself defines.
const XML_ENTITIES: [&str; 5] = ["amp", "lt", "gt", "quot", "apos"];

/// Longest entity name looked up; HTML's longest is 31 characters.
const MAX_ENTITY_NAME: usize = 40;

/// Copies markup or text, making every `&` safe for the parser: XML's own entities and
/// valid character references stay, HTML entities become character references, anything
/// else becomes a literal `&amp;`.
fn fix_entities(raw: &str, declared: &HashSet<String>, out: &mut Repaired) {
    let mut rest = raw;
    while let Some(amp) = rest.find('&') {
        out.xml.push_str(&rest[..amp]);
        rest = &rest[amp + 1..];
        let end = rest
            .char_indices()
            .take(MAX_ENTITY_NAME + 2)
            .find(|&(_, c)| c == ';' || c == '&' || c == '<' || c.is_whitespace())
            .filter(|&(_, c)| c == ';')
            .map(|(i, _)| i);
        let Some(end) = end else {
            out.xml.push_str("&amp;");
            continue;
        };
        let name = &rest[..end];
        if let Some(num) = name.strip_prefix('#') {
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok(),
                None => num.parse().ok(),
            };
            match code.and_then(char::from_u32) {
                Some(c) if is_xml_char(c) => {
                    let _ = write!(out.xml, "&#{};", c as u32);
                }
                // A reference to a character XML forbids (`&#0;`, `&#8;`) or to nothing.
                _ => out.xml.push('\u{FFFD}'),
            }
            rest = &rest[end + 1..];
            continue;
        }
        if XML_ENTITIES.contains(&name) {
            let _ = write!(out.xml, "&{name};");
        } else if declared.contains(name) {
            // Never expanded (see the module doc); the caller rejects the document.
            if out.dtd_entity.is_none() {
                out.dtd_entity = Some(name.to_string());
            }
            let _ = write!(out.xml, "&amp;{name};");
        } else if let Some(&(a, b)) = html5ever::data::NAMED_ENTITIES.get(&format!("{name};")) {
            for code in [a, b] {
                if code != 0 {
                    let _ = write!(out.xml, "&#{code};");
                }
            }
        } else {
            let _ = write!(out.xml, "&amp;{name};");
        }
        rest = &rest[end + 1..];
    }
    out.xml.push_str(rest);
}

/// Characters XML 1.0 allows in a document.
pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(input: &str, expected_xml: &str) {
        let got = repair(input);
        assert_eq!(got.xml, expected_xml, "input: {input:?}");
    }

    #[test]
    fn documents_come_out_balanced_and_self_contained() {
        check(
            "<?xml version=\"1.0\" encoding=\"latin1\"?><a>x</a>",
            "<a>x</a>",
        );
        check("<!-- c --><a><!--x-->y<?pi z?></a>", "<a>y</a>");
        check("<a>&eacute;&amp;&hellip;</a>", "<a>&#233;&amp;&#8230;</a>");
        check(
            "<a>AT&T &bogus; &#169; &#x41;</a>",
            "<a>AT&amp;T &amp;bogus; &#169; &#65;</a>",
        );
        check("<a>&#0;&#x8;</a>", "<a>\u{FFFD}\u{FFFD}</a>");
        check(
            "<a href=\"?a=1&b=2\">t</a>",
            "<a href=\"?a=1&amp;b=2\">t</a>",
        );
        check("<a><b>x</a>", "<a><b>x</b></a>");
        check("<a>x</b></a>", "<a>x</a>");
        check(
            "<a><![CDATA[<p>&x</p>]]></a>",
            "<a><![CDATA[<p>&x</p>]]></a>",
        );
        check(
            "<rss><channel/></rss>",
            "<rss version=\"2.0\"><channel/></rss>",
        );
        check(
            "<rss version=\"0.94\" xmlns=\"http://backend.userland.com/rss2\" xmlns:y=\"u\">x</rss>",
            "<rss xmlns:y=\"u\" version=\"2.0\">x</rss>",
        );
    }

    #[test]
    fn truncated_feed_keeps_complete_items() {
        let xml = "<rss><channel><title>t</title><item><title>one</title></item><item><ti";
        let got = repair(xml);
        assert_eq!(
            got.xml,
            "<rss version=\"2.0\"><channel><title>t</title><item><title>one</title></item></channel></rss>"
        );
        assert!(got.truncated.is_some());
        let got = repair("<rss><channel><item><title><![CD");
        assert_eq!(got.xml, "<rss version=\"2.0\"><channel></channel></rss>");
        assert!(got.truncated.is_some());
    }

    #[test]
    fn broken_items_are_cut_and_the_rest_kept() {
        let deep = "<div>".repeat(MAX_DEPTH + 5) + &"</div>".repeat(MAX_DEPTH + 5);
        let huge = format!("<enclosure url=\"{}\"/>", "x".repeat(MAX_TAG_BYTES));
        for bad in [deep, huge, "<title>x</wrong></foo>".to_string()] {
            let xml = format!(
                "<rss><channel><item>{bad}</item><item><title>next</title></item></channel></rss>"
            );
            let got = repair(&xml);
            assert_eq!(
                got.xml,
                "<rss version=\"2.0\"><channel><item><title>next</title></item></channel></rss>",
                "{:?}",
                got.dropped
            );
            assert_eq!(got.dropped.len(), 1);
            assert_eq!(got.dropped[0].index, 1);
        }
    }

    #[test]
    fn dtd_entities_are_never_expanded() {
        let bomb = "<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;\">]>\
                    <feed><title>&lol2;</title></feed>";
        let got = repair(bomb);
        assert_eq!(got.xml, "<feed><title>&amp;lol2;</title></feed>");
        assert_eq!(got.dtd_entity.as_deref(), Some("lol2"));
        let xxe = "<!DOCTYPE x [<!ENTITY ee SYSTEM \"file:///etc/passwd\">]><root>&ee;</root>";
        assert_eq!(repair(xxe).dtd_entity.as_deref(), Some("ee"));
        // A parameter entity pulling in HTML's entity set is harmless once the DTD is gone.
        let lat1 = "<!DOCTYPE r [<!ENTITY % HTMLlat1 PUBLIC \"x\" \"http://x/lat1.ent\">\
                    %HTMLlat1;]><r>&eacute;</r>";
        let got = repair(lat1);
        assert_eq!(got.xml, "<r>&#233;</r>");
        assert_eq!(got.dtd_entity, None);
        let restated = "<!DOCTYPE r [<!ENTITY nbsp \"&#160;\">]><r>&nbsp;</r>";
        assert_eq!(repair(restated).xml, "<r>&#160;</r>");
    }
}
