//! Metadata the page declares: meta tags (Open Graph, Dublin Core, article:*), JSON-LD,
//! `<time>`, `<html lang>`, `<link rel=canonical>`, and a date in the URL as a last resort.

use serde_json::Value;

use crate::dom::{Doc, Tag};
use crate::Page;

/// JSON-LD blocks longer than this are not read: metadata is small, and a page could carry
/// megabytes of script labelled JSON-LD.
pub(crate) const MAX_JSON_LD_BYTES: usize = 1 << 20;

/// What JSON-LD says about the article.
#[derive(Default)]
struct JsonLd {
    headline: Option<String>,
    published: Option<String>,
    author: Option<String>,
    publisher: Option<String>,
}

/// The metadata of a parsed page; `text` is left empty.
pub(crate) fn metadata(doc: &Doc, url: Option<&str>) -> Page {
    let ld = json_ld(doc);
    let meta = |keys: &[&str]| -> Option<String> {
        keys.iter().find_map(|key| {
            doc.metas
                .iter()
                .find(|(k, v)| k == key && !v.trim().is_empty())
                .map(|(_, v)| clean(v))
        })
    };
    let h1 = || {
        doc.paras
            .iter()
            .find(|p| doc.nodes[p.node as usize].tag == Tag::H(1))
            .map(|p| clean(&p.text))
    };
    let title = meta(&["og:title", "twitter:title"])
        .or_else(|| ld.headline.clone())
        .or_else(h1)
        .or_else(|| Some(clean(&doc.title)))
        .filter(|t| !t.is_empty());

    let published = ld
        .published
        .as_deref()
        .and_then(rfc3339)
        .or_else(|| {
            meta(&[
                "article:published_time",
                "og:published_time",
                "datepublished",
                "pubdate",
                "publishdate",
                "publish-date",
                "publish_date",
                "date",
                "dc.date.issued",
                "dc.date",
                "dcterms.date",
                "dcterms.created",
                "sailthru.date",
                "parsely-pub-date",
            ])
            .as_deref()
            .and_then(rfc3339)
        })
        .or_else(|| {
            let marked = doc.times.iter().find(|(_, marked)| *marked);
            marked
                .or_else(|| doc.times.first())
                .and_then(|(t, _)| rfc3339(t))
        })
        .or_else(|| url.and_then(url_date));

    let author = ld
        .author
        .clone()
        .or_else(|| {
            meta(&[
                "author",
                "article:author",
                "dc.creator",
                "parsely-author",
                "byl",
            ])
        })
        .filter(|a| !a.is_empty() && !a.starts_with("http"));
    let site = meta(&["og:site_name", "application-name"])
        .or(ld.publisher)
        .filter(|s| !s.is_empty());
    let lang = doc.lang.as_deref().and_then(iso639_1).or_else(|| {
        meta(&["og:locale", "content-language", "language", "dc.language"])
            .as_deref()
            .and_then(iso639_1)
    });
    let canonical = doc
        .canonical
        .clone()
        .or_else(|| meta(&["og:url"]))
        .map(|c| resolve(c.trim(), url))
        .filter(|c| !c.is_empty());
    Page {
        title,
        published,
        author,
        site,
        lang,
        canonical,
        text: String::new(),
    }
}

/// Whitespace collapsed to single spaces, ends trimmed.
fn clean(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Reads the article facts from the page's JSON-LD blocks: the first object whose type
/// is an article kind, else the first object that has them at all.
fn json_ld(doc: &Doc) -> JsonLd {
    let mut found = JsonLd::default();
    for block in &doc.json_ld {
        // Some pages wrap JSON-LD in CDATA or HTML comments.
        let body = block
            .trim()
            .trim_start_matches("<!--")
            .trim_end_matches("-->")
            .trim_start_matches("//<![CDATA[")
            .trim_end_matches("//]]>")
            .trim();
        let Ok(value) = serde_json::from_str::<Value>(body) else {
            continue;
        };
        let mut objects = Vec::new();
        collect_objects(&value, 0, &mut objects);
        // Article-typed objects first.
        objects.sort_by_key(|o| !is_article(o));
        for obj in objects {
            let text = |key: &str| obj.get(key).and_then(as_text);
            if found.headline.is_none() {
                found.headline =
                    text("headline").or_else(|| if is_article(obj) { text("name") } else { None });
            }
            if found.published.is_none() {
                found.published = text("datePublished").or_else(|| text("dateCreated"));
            }
            if found.author.is_none() {
                found.author = obj.get("author").and_then(person);
            }
            if found.publisher.is_none() {
                found.publisher = obj.get("publisher").and_then(person);
            }
        }
    }
    found
}

/// Objects of a JSON-LD value: the value itself, `@graph` members, array members.
fn collect_objects<'v>(value: &'v Value, depth: u32, out: &mut Vec<&'v Value>) {
    // JSON-LD nests a level or two; deeper is not metadata worth the walk.
    if depth > 4 {
        return;
    }
    match value {
        Value::Array(items) => {
            for item in items {
                collect_objects(item, depth + 1, out);
            }
        }
        Value::Object(map) => {
            out.push(value);
            if let Some(graph) = map.get("@graph") {
                collect_objects(graph, depth + 1, out);
            }
            if let Some(main) = map.get("mainEntity") {
                collect_objects(main, depth + 1, out);
            }
        }
        _ => {}
    }
}

/// Whether a JSON-LD object's `@type` is an article kind.
fn is_article(obj: &Value) -> bool {
    let is = |t: &Value| {
        t.as_str().is_some_and(|t| {
            t.ends_with("Article") || t == "BlogPosting" || t == "Report" || t == "LiveBlogPosting"
        })
    };
    match obj.get("@type") {
        Some(Value::Array(types)) => types.iter().any(is),
        Some(t) => is(t),
        None => false,
    }
}

/// A JSON-LD string value, trimmed; `None` when empty or not a string.
fn as_text(v: &Value) -> Option<String> {
    v.as_str().map(clean).filter(|s| !s.is_empty())
}

/// A person or organisation's name: a string, an object's `name`, or the names in an array
/// joined by ", ".
fn person(v: &Value) -> Option<String> {
    match v {
        Value::String(_) => as_text(v),
        Value::Object(map) => map.get("name").and_then(as_text),
        Value::Array(items) => {
            let names: Vec<String> = items.iter().filter_map(person).collect();
            (!names.is_empty()).then(|| names.join(", "))
        }
        _ => None,
    }
}

/// A date or date-time in one of the shapes pages write, as RFC 3339. A date alone is
/// midnight UTC; a time without an offset is read as UTC (pages that omit the zone mostly
/// mean local time, which is unknowable here).
pub(crate) fn rfc3339(s: &str) -> Option<String> {
    let s = s.trim();
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = b.get(r)?;
        if part.is_empty() || !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(part).ok()?.parse().ok()
    };
    let (year, month, day, rest) = if b.get(4) == Some(&b'-') || b.get(4) == Some(&b'/') {
        (num(0..4)?, num(5..7)?, num(8..10)?, 10)
    } else {
        (num(0..4)?, num(4..6)?, num(6..8)?, 8)
    };
    if !(1900..=2100).contains(&year) || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let date = format!("{year:04}-{month:02}-{day:02}");
    let tail = &s[rest.min(s.len())..];
    let tb = tail.as_bytes();
    if tb.is_empty() || !(tb[0] == b'T' || tb[0] == b' ' || tb[0] == b't') {
        return Some(format!("{date}T00:00:00Z"));
    }
    let t = &tail[1..];
    let tn = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = t.as_bytes().get(r)?;
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(part).ok()?.parse().ok()
    };
    let (Some(hour), Some(minute)) = (tn(0..2), tn(3..5)) else {
        return Some(format!("{date}T00:00:00Z"));
    };
    let mut i = 5;
    let second = if t.as_bytes().get(5) == Some(&b':') {
        i = 8;
        tn(6..8).unwrap_or(0)
    } else {
        0
    };
    if hour > 23 || minute > 59 || second > 60 {
        return Some(format!("{date}T00:00:00Z"));
    }
    // Fractions of a second are dropped.
    let zb = t.as_bytes();
    if zb.get(i) == Some(&b'.') || zb.get(i) == Some(&b',') {
        i += 1;
        while zb.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
    }
    let zone = t[i.min(t.len())..].trim();
    let offset = match zone.as_bytes() {
        [] | [b'Z' | b'z', ..] => "Z".to_string(),
        [sign @ (b'+' | b'-'), rest @ ..] => {
            let digits: Vec<u8> = rest.iter().copied().filter(u8::is_ascii_digit).collect();
            if digits.len() < 2 {
                "Z".to_string()
            } else {
                let hh = &digits[..2];
                let mm = digits.get(2..4).unwrap_or(b"00");
                format!(
                    "{}{}{}:{}{}",
                    *sign as char, hh[0] as char, hh[1] as char, mm[0] as char, mm[1] as char
                )
            }
        }
        _ => "Z".to_string(),
    };
    Some(format!("{date}T{hour:02}:{minute:02}:{second:02}{offset}"))
}

/// A date written into a URL path: `/2024/05/31/`, `/2024-05-31`, `/20240531/`.
pub(crate) fn url_date(url: &str) -> Option<String> {
    let path = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    for (i, seg) in segments.iter().enumerate() {
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        if digits(seg, 4) {
            let (Some(m), Some(d)) = (segments.get(i + 1), segments.get(i + 2)) else {
                continue;
            };
            let d = &d[..d.len().min(2)];
            if digits(m, 2) && digits(d, 2) {
                if let Some(date) = rfc3339(&format!("{seg}-{m}-{d}")) {
                    return Some(date);
                }
            }
        }
        for part in seg.split(['-', '_', '.']) {
            if digits(part, 8) && (part.starts_with("19") || part.starts_with("20")) {
                if let Some(date) = rfc3339(part) {
                    return Some(date);
                }
            }
        }
        if seg.len() >= 10 && digits(&seg[..4], 4) && seg.as_bytes()[4] == b'-' {
            if let Some(date) = rfc3339(&seg[..10]) {
                return Some(date);
            }
        }
    }
    None
}

/// The ISO 639-1 code of a language tag (`de-AT` → `de`, `EN_us` → `en`), if it has one.
pub(crate) fn iso639_1(tag: &str) -> Option<String> {
    let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
    if primary.len() == 2 && primary.bytes().all(|b| b.is_ascii_lowercase()) {
        return Some(primary);
    }
    // A few pages write ISO 639-2 codes; map the common ones.
    let two = match primary.as_str() {
        "eng" => "en",
        "deu" | "ger" => "de",
        "fra" | "fre" => "fr",
        "spa" => "es",
        "ita" => "it",
        "por" => "pt",
        "nld" | "dut" => "nl",
        "rus" => "ru",
        "zho" | "chi" => "zh",
        "jpn" => "ja",
        "pol" => "pl",
        "tur" => "tr",
        "ara" => "ar",
        _ => return None,
    };
    Some(two.to_string())
}

/// `href` made absolute against the page URL, when it is relative and the URL is known.
fn resolve(href: &str, base: Option<&str>) -> String {
    if href.contains("://") {
        return href.to_string();
    }
    let Some(base) = base else {
        return href.to_string();
    };
    let Some((scheme, rest)) = base.split_once("://") else {
        return href.to_string();
    };
    if let Some(net) = href.strip_prefix("//") {
        return format!("{scheme}://{net}");
    }
    let host = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    if href.starts_with('/') {
        return format!("{scheme}://{host}{href}");
    }
    let path = rest.split(['?', '#']).next().unwrap_or(rest);
    let dir = path.rfind('/').map_or(host, |i| &path[..i]);
    format!("{scheme}://{dir}/{href}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_normalise_to_rfc3339() {
        let check = |input: &str, expected: Option<&str>| {
            assert_eq!(rfc3339(input).as_deref(), expected, "input: {input:?}");
        };
        check("2024-05-31", Some("2024-05-31T00:00:00Z"));
        check("2024-05-31T10:20:30Z", Some("2024-05-31T10:20:30Z"));
        check(
            "2024-05-31T10:20:30+02:00",
            Some("2024-05-31T10:20:30+02:00"),
        );
        check(
            "2024-05-31T10:20:30.123+0200",
            Some("2024-05-31T10:20:30+02:00"),
        );
        check("2024-05-31 10:20", Some("2024-05-31T10:20:00Z"));
        check("20240531", Some("2024-05-31T00:00:00Z"));
        check("2024/05/31", Some("2024-05-31T00:00:00Z"));
        check("May 31, 2024", None);
        check("2024-13-01", None);
        check("", None);
    }

    #[test]
    fn dates_come_from_urls() {
        let check = |input: &str, expected: Option<&str>| {
            assert_eq!(url_date(input).as_deref(), expected, "input: {input:?}");
        };
        check(
            "https://die-partei.net/luebeck/2012/05/31/das-ministerium/",
            Some("2012-05-31T00:00:00Z"),
        );
        check(
            "https://x.org/news/2019-03-07-title",
            Some("2019-03-07T00:00:00Z"),
        );
        check(
            "https://x.org/a/20190307/title",
            Some("2019-03-07T00:00:00Z"),
        );
        check("https://x.org/a/12345678/title", None);
        check("https://x.org/2019/title", None);
    }

    #[test]
    fn languages_and_urls_normalise() {
        assert_eq!(iso639_1("de-AT").as_deref(), Some("de"));
        assert_eq!(iso639_1("EN_us").as_deref(), Some("en"));
        assert_eq!(iso639_1("ger").as_deref(), Some("de"));
        assert_eq!(iso639_1("x-klingon"), None);
        assert_eq!(
            resolve("/a/b", Some("https://h.org/x/y?q")),
            "https://h.org/a/b"
        );
        assert_eq!(resolve("b", Some("https://h.org/x/y")), "https://h.org/x/b");
        assert_eq!(
            resolve("//c.org/p", Some("http://h.org/")),
            "http://c.org/p"
        );
        assert_eq!(resolve("https://a.org/", None), "https://a.org/");
    }
}
