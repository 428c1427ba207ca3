//! One feed document (RSS 0.9x/2.0, RSS 1.0/RDF, Atom 1.0, JSON Feed) to articles.
//!
//! The stages, each of which turns hostile input into a bounded, reportable outcome:
//! gzip (by magic bytes, capped) → text ([`crate::decode`]: BOM, declaration, detection) →
//! the XML safety pass ([`crate::xml`]: no DTD, no entity expansion, limits, truncation
//! repair) → feed-rs, behind `catch_unwind` as a last line of defence → one [`Article`] per
//! item, with bodies turned into text by [`crate::html`].

use std::panic::AssertUnwindSafe;

use article::Article;
use feed_rs::model::{Entry, Feed, FeedType};
use serde_json::Value;

use crate::decode::{self, DecodeError, MAX_FEED_BYTES};
use crate::html::html_to_text;
use crate::xml;

/// Why a whole document was rejected. Each variant says what the input is, so the message
/// tells the user what to look at.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FeedError {
    /// Nothing but whitespace.
    #[error("empty document: not a feed")]
    Empty,
    /// Too big, or gzip that does not decompress.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// Well-formed or not, it is not RSS, Atom, RDF or JSON Feed.
    #[error("not a feed: {0}")]
    NotAFeed(String),
    /// The document uses an entity its own DTD declares. Expanding it is how entity bombs
    /// and external-entity attacks work, and its text is wrong without it.
    #[error("document uses the entity &{0}; declared in its DTD; DTD entities are never expanded, so the feed is rejected")]
    DtdEntity(String),
    /// The parser panicked: a bug in it, contained to this document.
    #[error("feed parser failed on this document: {0}")]
    Panic(String),
}

/// One item of a feed: an article, or the reason it was rejected.
#[derive(Debug)]
pub struct Item {
    /// 1-based position among the feed's items.
    pub index: u64,
    /// The article, or why the item was rejected.
    pub result: Result<Article, String>,
}

/// A parsed document.
#[derive(Debug)]
pub struct ParsedFeed {
    /// What kind of feed it was.
    pub format: &'static str,
    /// The feed's own title, as text.
    pub title: Option<String>,
    /// Its items in document order.
    pub items: Vec<Item>,
    /// Set when the document broke off early: the items before the break are kept.
    pub truncated: Option<String>,
}

/// Parses one feed document from its raw bytes (gzip, any encoding). Items that cannot
/// become articles are returned as rejected items; only a document that yields no feed at
/// all is an error.
pub fn parse_feed(bytes: &[u8]) -> Result<ParsedFeed, FeedError> {
    let unzipped;
    let bytes = if decode::is_gzip(bytes) {
        unzipped = decode::gunzip(bytes, MAX_FEED_BYTES)?;
        &unzipped[..]
    } else {
        bytes
    };
    if bytes.len() > MAX_FEED_BYTES {
        return Err(DecodeError::TooLarge {
            limit: MAX_FEED_BYTES,
        }
        .into());
    }
    let decoded = decode::decode(bytes);
    if decoded.had_errors {
        tracing::debug!(
            encoding = decoded.encoding.name(),
            "invalid bytes replaced with U+FFFD"
        );
    }
    let text = decoded.text.trim_start();
    match text.chars().next() {
        None => Err(FeedError::Empty),
        Some('{') => parse_json_feed(text),
        Some('<') => parse_xml_feed(text),
        Some(_) => Err(FeedError::NotAFeed(
            "the document is neither XML nor JSON".into(),
        )),
    }
}

fn parse_json_feed(text: &str) -> Result<ParsedFeed, FeedError> {
    // feed-rs reads any JSON object as a feed; only a JSON Feed declares its version.
    let is_json_feed = serde_json::from_str::<Value>(text).is_ok_and(|v| {
        v.get("version")
            .and_then(Value::as_str)
            .is_some_and(|s| s.contains("jsonfeed.org"))
    });
    if !is_json_feed {
        return Err(FeedError::NotAFeed(
            "JSON without a JSON Feed \"version\"".into(),
        ));
    }
    let feed = run_parser(text)?;
    Ok(to_parsed(feed, &[], None))
}

fn parse_xml_feed(text: &str) -> Result<ParsedFeed, FeedError> {
    let repaired = xml::repair(text);
    if let Some(name) = repaired.dtd_entity {
        return Err(FeedError::DtdEntity(name));
    }
    let feed = match run_parser(&repaired.xml) {
        Ok(feed) => feed,
        Err(FeedError::NotAFeed(why)) => {
            let mut why = match root_name(&repaired.xml) {
                Some(root) => format!("{why} (its first element is <{root}>)"),
                None => why,
            };
            if let Some(t) = &repaired.truncated {
                why.push_str("; ");
                why.push_str(t);
            }
            return Err(FeedError::NotAFeed(why));
        }
        Err(e) => return Err(e),
    };
    let truncated = repaired.truncated.map(|why| {
        format!(
            "feed is truncated or malformed ({why}); kept the {} items before the break",
            feed.entries.len()
        )
    });
    Ok(to_parsed(feed, &repaired.dropped, truncated))
}

/// Runs feed-rs, turning its errors and panics into [`FeedError`]s.
fn run_parser(text: &str) -> Result<Feed, FeedError> {
    let parser = feed_rs::parser::Builder::new()
        // An empty id tells `to_article` the feed gave none, so it can fall back to the
        // link and then to the content hash, as JSON Lines records do.
        .id_generator(|_, _, _| String::new())
        .build();
    match std::panic::catch_unwind(AssertUnwindSafe(|| parser.parse(text.as_bytes()))) {
        Ok(Ok(feed)) => Ok(feed),
        Ok(Err(e)) => Err(FeedError::NotAFeed(e.to_string())),
        Err(panic) => {
            let msg = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "panic".into());
            Err(FeedError::Panic(msg))
        }
    }
}

/// The name of the document's first element, for error messages.
fn root_name(xml: &str) -> Option<&str> {
    let start = xml.find('<')? + 1;
    let name = &xml[start..];
    let end = name.find(|c: char| c.is_whitespace() || c == '>' || c == '/')?;
    Some(&name[..end]).filter(|n| !n.is_empty())
}

fn to_parsed(feed: Feed, dropped: &[xml::DroppedItem], truncated: Option<String>) -> ParsedFeed {
    let format = match feed.feed_type {
        FeedType::Atom => "Atom",
        FeedType::JSON => "JSON Feed",
        FeedType::RSS0 => "RSS 0.9x",
        FeedType::RSS1 => "RSS 1.0",
        FeedType::RSS2 => "RSS 2.0",
    };
    let title = feed
        .title
        .as_ref()
        .map(|t| html_to_text(&t.content))
        .filter(|t| !t.is_empty());
    let declared = feed.language.clone().filter(|l| !l.trim().is_empty());
    let mut items: Vec<Item> = dropped
        .iter()
        .map(|d| Item {
            index: d.index,
            result: Err(d.reason.clone()),
        })
        .collect();
    let mut index = 0;
    for entry in feed.entries {
        index += 1;
        while dropped.iter().any(|d| d.index == index) {
            index += 1;
        }
        items.push(Item {
            index,
            result: to_article(entry, title.as_deref()),
        });
    }
    items.sort_by_key(|i| i.index);
    declare_language(&mut items, declared);
    ParsedFeed {
        format,
        title,
        items,
        truncated,
    }
}

/// How much of a feed's item text tells the language of a feed that declares none.
const FEED_LANGUAGE_SAMPLE_BYTES: usize = 16 * 1024;

/// Gives every item without a language of its own the feed's: the declared one, else the
/// language of all its items' text together. A feed item is often a headline alone, too short
/// for any detector; its feed is not.
fn declare_language(items: &mut [Item], declared: Option<String>) {
    let feed_lang = declared.or_else(|| {
        let mut sample = String::new();
        for article in items.iter().filter_map(|i| i.result.as_ref().ok()) {
            if sample.len() >= FEED_LANGUAGE_SAMPLE_BYTES {
                break;
            }
            for part in article.title.iter().chain([&article.body]) {
                sample.push_str(part);
                sample.push('\n');
            }
        }
        lang::feed_language(&sample).map(str::to_string)
    });
    let Some(feed_lang) = feed_lang else { return };
    for article in items.iter_mut().filter_map(|i| i.result.as_mut().ok()) {
        if article.declared_lang.is_none() {
            article.declared_lang = Some(feed_lang.clone());
        }
    }
}

/// Maps one entry to an article: the richest body present, as text.
fn to_article(entry: Entry, source: Option<&str>) -> Result<Article, String> {
    let title = entry
        .title
        .as_ref()
        .map(|t| html_to_text(&t.content))
        .filter(|t| !t.is_empty());
    let content = entry.content.as_ref().and_then(|c| c.body.as_deref());
    let summary = entry.summary.as_ref().map(|s| s.content.as_str());
    let media = entry
        .media
        .iter()
        .filter_map(|m| m.description.as_ref())
        .map(|d| d.content.as_str());
    // Richest first: full content, then the summary, then a media description (podcasts and
    // video feeds often have nothing else). Empty elements are common, so skip them.
    let body = content
        .into_iter()
        .chain(summary)
        .chain(media)
        .map(html_to_text)
        .find(|b| !b.is_empty())
        .unwrap_or_default();
    if title.is_none() && body.is_empty() {
        return Err("item has no text: no title, content or description".into());
    }
    let url = entry
        .links
        .iter()
        .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .or(entry.links.first())
        .map(|l| l.href.trim().to_string())
        .filter(|u| !u.is_empty());
    let published = entry
        .published
        .or(entry.updated)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string());
    let authors: Vec<String> = entry
        .authors
        .iter()
        .filter_map(|p| p.name.as_deref())
        .map(html_to_text)
        .filter(|n| !n.is_empty())
        .collect();
    let mut article = Article {
        id: String::new(),
        title,
        url,
        published,
        source: source.map(str::to_string),
        body,
        declared_lang: entry.language.clone().filter(|l| !l.trim().is_empty()),
        extra: serde_json::Map::new(),
    };
    if !authors.is_empty() {
        article
            .extra
            .insert("author".into(), Value::String(authors.join(", ")));
    }
    let id = entry.id.trim();
    article.id = if !id.is_empty() {
        id.to_string()
    } else if let Some(url) = &article.url {
        url.clone()
    } else {
        article.content_id()
    };
    Ok(article)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn articles(xml: &str) -> Vec<Article> {
        parse_feed(xml.as_bytes())
            .unwrap()
            .items
            .into_iter()
            .map(|i| i.result.unwrap())
            .collect()
    }

    #[test]
    fn rss_items_become_articles() {
        let got = articles(
            r#"<?xml version="1.0"?>
            <rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
                 xmlns:dc="http://purl.org/dc/elements/1.1/">
            <channel><title>Wire &amp; Co</title>
            <item><title>First</title><link>https://example.org/1</link>
              <guid isPermaLink="false">g-1</guid><dc:creator>Ann Smith</dc:creator>
              <pubDate>Tue, 03 Feb 2026 14:05:00 GMT</pubDate>
              <description>short</description>
              <content:encoded><![CDATA[<p>Long <b>body</b>.</p><p>Second.</p>]]></content:encoded>
            </item>
            <item><title>No guid</title><link>https://example.org/2</link></item>
            <item><description>Only a body &amp;eacute;</description></item>
            </channel></rss>"#,
        );
        assert_eq!(got.len(), 3);
        let a = &got[0];
        assert_eq!(a.id, "g-1");
        assert_eq!(a.title.as_deref(), Some("First"));
        assert_eq!(a.url.as_deref(), Some("https://example.org/1"));
        assert_eq!(a.published.as_deref(), Some("2026-02-03T14:05:00Z"));
        assert_eq!(a.source.as_deref(), Some("Wire & Co"));
        assert_eq!(a.body, "Long body.\n\nSecond.");
        assert_eq!(a.extra["author"], "Ann Smith");
        assert_eq!(got[1].id, "https://example.org/2");
        assert_eq!(got[2].body, "Only a body é");
        assert_eq!(got[2].id.len(), 32, "content hash id");
    }

    #[test]
    fn items_without_text_are_rejected() {
        let feed = parse_feed(
            b"<rss version=\"2.0\"><channel><item><guid>x</guid></item></channel></rss>",
        )
        .unwrap();
        assert_eq!(feed.items.len(), 1);
        assert!(feed.items[0]
            .result
            .as_ref()
            .unwrap_err()
            .contains("no text"));
    }

    #[test]
    fn whole_documents_are_rejected_with_a_reason() {
        let cases: [(&[u8], &str); 5] = [
            (b"", "empty document"),
            (b"  \n ", "empty document"),
            (b"<!doctype html><html><body>hi</body></html>", "<html>"),
            (b"hello", "neither XML nor JSON"),
            (b"{\"id\": 1}", "JSON Feed"),
        ];
        for (input, expected) in cases {
            let err = parse_feed(input).unwrap_err().to_string();
            assert!(err.contains(expected), "{input:?}: {err}");
        }
    }

    #[test]
    fn json_feeds_are_read() {
        let got = articles(
            r#"{"version": "https://jsonfeed.org/version/1.1", "title": "J",
                "items": [{"id": "1", "content_html": "<p>Hi <i>there</i></p>", "title": "T"}]}"#,
        );
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].body, "Hi there");
        assert_eq!(got[0].source.as_deref(), Some("J"));
    }

    #[test]
    fn truncation_keeps_earlier_items_and_says_so() {
        let feed = parse_feed(
            b"<rss version=\"2.0\"><channel><item><title>one</title></item><item><title>tw",
        )
        .unwrap();
        assert_eq!(feed.items.len(), 1);
        assert!(feed.truncated.unwrap().contains("kept the 1 items"));
    }
}
