//! One HTML page to one article, through `extract`: saved pages, WARC responses, page URLs
//! and `--fetch-articles` all come here, so they agree on ids, dates and the added fields.
//!
//! The fields a page adds beyond [`Article`]'s own travel in `extra`, so every sink carries
//! them without a schema change: `author`, `lang`, `canonical` (when the page declares
//! them), `text_source` (`page` or `feed`) and, when a linked page could not be had,
//! `fetch_error`.

use article::Article;
use extract::{Encoding, ExtractError, Limits, Page};
use serde_json::Value;

/// The `extra` field saying where an article's text came from.
pub const TEXT_SOURCE: &str = "text_source";

/// The `extra` field saying why a feed item's linked page could not be used.
pub const FETCH_ERROR: &str = "fetch_error";

/// Extracts `html` as an article. `charset` is the one its HTTP headers declared (a WARC
/// response's), if any; `url` is where the page came from; `published` the date to
/// use when the page declares none (a WARC record's crawl date); `fallback_id` the id when
/// there is no URL (a WARC record id). Extraction is CPU work: call it off the async threads.
pub fn page_article(
    html: &[u8],
    charset: Option<&'static Encoding>,
    url: Option<&str>,
    published: Option<&str>,
    fallback_id: Option<&str>,
) -> Result<Article, ExtractError> {
    let page = extract_declared(html, charset, url)?;
    let mut article = Article::default();
    let url = url.map(str::to_string).or_else(|| page.canonical.clone());
    article.published = page.published.clone().or(published.map(str::to_string));
    article.id = url
        .clone()
        .or(fallback_id.map(str::to_string))
        .unwrap_or_default();
    article.url = url;
    fill_from_page(&mut article, page);
    if article.id.is_empty() {
        article.id = article.content_id();
    }
    Ok(article)
}

/// Extracts a page that its server (or archive) declared to be HTML. Content sniffing alone
/// refuses a page that opens with something else, such as a PHP warning printed before the
/// markup (real pages in CC-NEWS do); the declared type outranks sniffing, as it does in a
/// browser, so such a page is read as HTML behind a doctype. `charset` is the one the
/// server declared (HTTP `Content-Type`), if any.
pub fn extract_declared(
    html: &[u8],
    charset: Option<&'static Encoding>,
    url: Option<&str>,
) -> Result<Page, ExtractError> {
    let limits = Limits::default();
    match extract::extract_with_charset(html, charset, url, &limits) {
        // A doctype in front would hide a byte-order mark.
        Err(ExtractError::NotHtml) if Encoding::for_bom(html).is_none() => {
            let mut prefixed = b"<!DOCTYPE html>\n".to_vec();
            prefixed.extend_from_slice(html);
            extract::extract_with_charset(&prefixed, charset, url, &limits)
        }
        result => result,
    }
}

/// Replaces a feed item's text with its linked page's, keeping the item's id, and its title
/// and date where the page has none.
pub fn merge_page(article: &mut Article, page: Page) {
    if page.published.is_some() {
        article.published = page.published.clone();
    }
    fill_from_page(article, page);
}

/// Marks a feed item whose linked page could not be used: it keeps the feed's text.
pub fn mark_fetch_error(article: &mut Article, why: String) {
    article
        .extra
        .insert(TEXT_SOURCE.into(), Value::String("feed".into()));
    article.extra.insert(FETCH_ERROR.into(), Value::String(why));
}

/// The page's body, title and metadata onto `article`.
fn fill_from_page(article: &mut Article, page: Page) {
    let Page {
        title,
        published: _,
        author,
        site,
        lang,
        canonical,
        text,
    } = page;
    if title.is_some() {
        article.title = title;
    }
    if site.is_some() {
        article.source = site;
    }
    article.body = text;
    for (name, value) in [("author", author), ("lang", lang), ("canonical", canonical)] {
        if let Some(value) = value {
            article.extra.insert(name.into(), Value::String(value));
        }
    }
    article
        .extra
        .insert(TEXT_SOURCE.into(), Value::String("page".into()));
}

#[cfg(test)]
mod tests {
    use super::*;

    const HTML: &[u8] = b"<!doctype html><html lang=\"en\"><head><title>A headline</title>\
        <meta property=\"article:published_time\" content=\"2024-05-31T10:00:00Z\"></head>\
        <body><article><p>The council voted on Tuesday to build the new bridge over the river.</p>\
        </article></body></html>";

    #[test]
    fn a_page_becomes_an_article_keyed_by_its_url() {
        let a = page_article(
            HTML,
            None,
            Some("https://x.test/a"),
            Some("2026-01-01T00:00:00Z"),
            Some("urn:1"),
        )
        .unwrap();
        assert_eq!(a.id, "https://x.test/a");
        assert_eq!(a.url.as_deref(), Some("https://x.test/a"));
        assert_eq!(a.title.as_deref(), Some("A headline"));
        assert_eq!(a.published.as_deref(), Some("2024-05-31T10:00:00Z"));
        assert!(a.body.contains("new bridge"), "{:?}", a.body);
        assert_eq!(a.extra[TEXT_SOURCE], "page");
        let no_url = page_article(HTML, None, None, None, Some("urn:1")).unwrap();
        assert_eq!(no_url.id, "urn:1");
    }

    #[test]
    fn a_feed_item_keeps_its_id_and_title_when_the_page_lacks_them() {
        let mut item = Article {
            id: "feed-1".into(),
            title: Some("Feed title".into()),
            published: Some("2020-01-01T00:00:00Z".into()),
            body: "Summary.".into(),
            ..Article::default()
        };
        let page = Page {
            text: "The whole story.".into(),
            ..Page::default()
        };
        merge_page(&mut item, page);
        assert_eq!(item.id, "feed-1");
        assert_eq!(item.title.as_deref(), Some("Feed title"));
        assert_eq!(item.published.as_deref(), Some("2020-01-01T00:00:00Z"));
        assert_eq!(item.body, "The whole story.");
        assert_eq!(item.extra[TEXT_SOURCE], "page");
    }
}
