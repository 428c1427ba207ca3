//! Small pages written for these tests: what is kept as the article, what is dropped, and
//! the metadata read from each kind of declaration.

// Tests may panic on their own fixtures: a panic is a failed check.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use extract::{extract, looks_like_html, ExtractError, Limits, Page};

/// Prose long enough to look like an article paragraph.
const PROSE: &str = "The council voted on Tuesday to expand the harbour, a decision that \
    followed months of debate, two public hearings and a report by outside engineers.";

/// Extracts a page with default limits, panicking on error.
#[track_caller]
fn page(html: &str) -> Page {
    extract(
        html.as_bytes(),
        Some("https://news.example/2024/05/31/harbour"),
        &Limits::default(),
    )
    .unwrap_or_else(|e| panic!("{e}: {html}"))
}

/// An article page with the usual furniture around `body`.
fn furnished(body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en-GB\"><head><title>Harbour | Example News</title></head>\
         <body><header><a href=/>Example News</a><nav><ul><li><a href=/a>World</a></li>\
         <li><a href=/b>Sport</a></li></ul></nav></header>\
         <div class=\"cookie-banner\">We use cookies to improve your experience on our site.</div>\
         <main><article><h1>Harbour to grow</h1>{body}</article>\
         <aside><h2>Most read</h2><p>Another story that everybody is reading this week, again.</p></aside></main>\
         <div id=\"comments\"><p>Reader one: I think this is a terrible idea, honestly, and so on.</p></div>\
         <footer><p>Copyright 2024 Example News Ltd. All rights reserved, everywhere.</p></footer>\
         </body></html>"
    )
}

#[test]
fn furniture_is_dropped_and_the_article_kept() {
    let html = furnished(&format!("<p>{PROSE}</p><p>{PROSE} Again.</p>"));
    let text = page(&html).text;
    assert_eq!(
        text,
        format!("Harbour to grow\n\n{PROSE}\n\n{PROSE} Again.")
    );
    for gone in [
        "World",
        "cookies",
        "Most read",
        "Reader one",
        "Copyright",
        "Example News",
    ] {
        assert!(!text.contains(gone), "{gone:?} leaked into {text:?}");
    }
}

#[test]
fn headings_and_list_items_inside_the_article_are_paragraphs() {
    let html = furnished(&format!(
        "<p>{PROSE}</p><h2>What happens next</h2><ul><li>Dredging starts in June</li>\
         <li>The new quay opens in 2026</li></ul><p>{PROSE}</p>"
    ));
    let text = page(&html).text;
    assert!(
        text.contains(
            "\n\nWhat happens next\n\nDredging starts in June\n\nThe new quay opens in 2026\n\n"
        ),
        "{text:?}"
    );
}

#[test]
fn share_buttons_related_links_and_bylines_are_dropped() {
    let html = furnished(&format!(
        "<div class=\"byline\">By Jane Doe, 31 May 2024</div><p>{PROSE}</p>\
         <div class=\"social-share\"><a href=/s>Share on Facebook</a><button>Tweet</button></div>\
         <ul class=\"related-links\"><li><a href=/r1>Related: the harbour in 1990</a></li></ul>\
         <ul><li><a href=/x>A list of links with no class</a></li><li><a href=/y>Another link</a></li></ul>\
         <p>{PROSE}</p>"
    ));
    let text = page(&html).text;
    for gone in ["Jane Doe", "Facebook", "Tweet", "1990", "list of links"] {
        assert!(!text.contains(gone), "{gone:?} leaked into {text:?}");
    }
    assert_eq!(text.matches(PROSE).count(), 2, "{text:?}");
}

#[test]
fn captions_go_and_boilerplate_names_on_the_article_wrapper_do_not() {
    // WordPress classes a post after its tags and themes call it `share`: the element
    // holding most of the prose stays; `field--label-hidden` hides a label, not the field.
    let menu: String = (0..60)
        .map(|i| format!("<li><a href=/{i}>Section number {i}</a></li>"))
        .collect();
    let html = format!(
        "<html><body><ul>{menu}</ul><div class=\"post tag-harbour entry share\">\
         <figure><img src=/a.jpg><figcaption>Photo: Jane Doe / Agency</figcaption></figure>\
         <div class=\"field field--label-hidden\"><p>{PROSE}</p><p>{PROSE} Two.</p></div>\
         <p class=\"wp-caption-text\">The harbour at dawn, seen from the old lighthouse.</p>\
         <p>{PROSE} Three.</p></div></body></html>"
    );
    let text = page(&html).text;
    assert_eq!(text, format!("{PROSE}\n\n{PROSE} Two.\n\n{PROSE} Three."));
}

#[test]
fn a_marked_lead_in_the_article_header_is_kept_without_the_byline() {
    let html = furnished(&format!(
        "<header class=\"article-header\"><p class=\"standfirst\">{PROSE} Lead.</p>\
         <p class=\"byline\">By Jane Doe, harbour correspondent of many years</p></header>\
         <div class=\"article-body\"><p>{PROSE}</p><p>{PROSE} Two.</p><p>{PROSE} Three.</p></div>"
    ));
    let text = page(&html).text;
    assert!(
        text.contains(&format!("{PROSE} Lead.\n\n{PROSE}\n\n")),
        "{text:?}"
    );
    assert!(!text.contains("Jane Doe"), "{text:?}");
}

#[test]
fn density_finds_the_article_without_any_markers() {
    let html = format!(
        "<html><body><div><a href=/1>Home</a> <a href=/2>News</a> <a href=/3>About</a></div>\
         <div><div><p>{PROSE}</p><p>{PROSE} Two.</p><p>{PROSE} Three.</p></div>\
         <div><a href=/4>Next story</a></div></div><div>Imprint</div></body></html>"
    );
    let text = page(&html).text;
    assert_eq!(text, format!("{PROSE}\n\n{PROSE} Two.\n\n{PROSE} Three."));
}

#[test]
fn metadata_comes_from_every_kind_of_declaration() {
    let html = format!(
        "<html lang=\"de-AT\"><head><title>Title tag</title>\
         <meta property=\"og:title\" content=\"OG title\">\
         <meta property=\"og:site_name\" content=\"Example News\">\
         <meta name=\"author\" content=\"Meta Author\">\
         <meta property=\"article:published_time\" content=\"2024-05-30T08:00:00+02:00\">\
         <link rel=\"canonical\" href=\"/2024/05/31/harbour\">\
         <script type=\"application/ld+json\">{{\"@type\":\"NewsArticle\",\"headline\":\"LD headline\",\
         \"datePublished\":\"2024-05-29\",\"author\":[{{\"@type\":\"Person\",\"name\":\"Jane Doe\"}}]}}</script>\
         </head><body><article><p>{PROSE}</p></article></body></html>"
    );
    let p = page(&html);
    assert_eq!(p.title.as_deref(), Some("OG title"));
    assert_eq!(p.published.as_deref(), Some("2024-05-29T00:00:00Z"));
    assert_eq!(p.author.as_deref(), Some("Jane Doe"));
    assert_eq!(p.site.as_deref(), Some("Example News"));
    assert_eq!(p.lang.as_deref(), Some("de"));
    assert_eq!(
        p.canonical.as_deref(),
        Some("https://news.example/2024/05/31/harbour")
    );
}

#[test]
fn metadata_falls_back_to_h1_time_and_url() {
    let html = format!(
        "<html><head><title>Title tag</title></head><body><article><h1>The h1</h1>\
         <time datetime=\"2024-05-28T10:00\">28 May</time><p>{PROSE}</p></article></body></html>"
    );
    let p = page(&html);
    assert_eq!(p.title.as_deref(), Some("The h1"));
    assert_eq!(p.published.as_deref(), Some("2024-05-28T10:00:00Z"));
    let bare =
        format!("<html><head><title>Only a title</title></head><body><p>{PROSE}</p></body></html>");
    let p = page(&bare);
    assert_eq!(p.title.as_deref(), Some("Only a title"));
    assert_eq!(
        p.published.as_deref(),
        Some("2024-05-31T00:00:00Z"),
        "from the URL"
    );
    assert_eq!((p.author, p.site, p.lang), (None, None, None));
}

#[test]
fn charsets_are_honoured() {
    let mut html = b"<html><head><meta charset=\"windows-1252\"></head><body><p>".to_vec();
    html.extend_from_slice(b"Caf\xe9 au lait, cr\xe8me br\xfbl\xe9e and a long enough sentence to count as prose here.");
    html.extend_from_slice(b"</p></body></html>");
    let p = extract(&html, None, &Limits::default()).unwrap();
    assert!(
        p.text
            .starts_with("Caf\u{e9} au lait, cr\u{e8}me br\u{fb}l\u{e9}e"),
        "{}",
        p.text
    );
}

#[test]
fn what_is_not_an_article_page_is_an_error() {
    let limits = Limits::default();
    assert_eq!(
        extract(b"{\"json\": true}", None, &limits),
        Err(ExtractError::NotHtml)
    );
    assert_eq!(
        extract(
            b"<?xml version=\"1.0\"?><rss><channel></channel></rss>",
            None,
            &limits
        ),
        Err(ExtractError::NotHtml)
    );
    assert_eq!(
        extract(
            b"<html><body><nav><a href=/>Home</a></nav></body></html>",
            None,
            &limits
        ),
        Err(ExtractError::NoContent)
    );
}

#[test]
fn sniffing_tells_html_from_other_content() {
    for yes in [
        &b"<!DOCTYPE html><html>"[..],
        b"\xEF\xBB\xBF  <html lang=en>",
        b"<!-- generated --><!doctype HTML>",
        b"<?xml version=\"1.0\"?><html xmlns=\"http://www.w3.org/1999/xhtml\">",
        b"\n<head><title>x</title>",
        b"<br />\n<b>Warning</b>: mysql_connect(): Access denied\n<!DOCTYPE html><html>",
    ] {
        assert!(looks_like_html(yes), "{:?}", String::from_utf8_lossy(yes));
    }
    for no in [
        &b"<?xml version=\"1.0\"?><rss version=\"2.0\">"[..],
        b"<feed xmlns=\"http://www.w3.org/2005/Atom\">",
        b"{\"id\": 1}",
        b"plain text <html> later",
        b"<rss version=\"2.0\"><channel><description><html>",
        b"\x89PNG\r\n",
        b"<htmlx>",
        b"",
    ] {
        assert!(!looks_like_html(no), "{:?}", String::from_utf8_lossy(no));
    }
}

#[test]
fn an_unclosed_svg_icon_ends_with_its_div() {
    // `<svg>` is left open inside a share link; browsers close it with the link, so the
    // article after it is still text, and not link text.
    let html = furnished(&format!(
        "<div class=\"tools\"><a href=/pdf><svg class=icon><use href=\"#pdf\"/></a></div>\
         <p>{PROSE}</p><p>{PROSE} Again.</p>"
    ));
    let text = page(&html).text;
    assert!(text.contains(&format!("{PROSE} Again.")), "{text:?}");
}

#[test]
fn a_div_inside_an_svg_does_not_close_the_svg() {
    let html = furnished(&format!(
        "<p>{PROSE}</p><svg><foreignObject><div>Chart label text that is not prose at all.</div>\
         </foreignObject></svg><p>{PROSE} Again.</p>"
    ));
    let text = page(&html).text;
    assert!(!text.contains("Chart label"), "{text:?}");
    assert!(text.contains(&format!("{PROSE} Again.")), "{text:?}");
}

#[test]
fn furniture_after_the_last_prose_and_short_labels_are_dropped() {
    let html = furnished(&format!(
        "<p>Updated: 31.05.2024</p><p>{PROSE}</p><p>Related:</p><p>{PROSE} Two.</p>\
         <p>Ingredients:</p><ul><li>Two eggs</li><li>Flour</li></ul>\
         <p>Yours, the harbour master</p><h2>More on this topic</h2>\
         <p>Did you like this article?</p><p>Contact:</p>\
         <p><a href=/t>Harbour news</a> every week in your inbox</p>"
    ));
    let text = page(&html).text;
    for gone in [
        "Updated",
        "Related:",
        "More on this topic",
        "Did you like",
        "Contact",
        "inbox",
    ] {
        assert!(!text.contains(gone), "{gone:?} leaked into {text:?}");
    }
    for kept in ["Ingredients:", "Two eggs", "Yours, the harbour master"] {
        assert!(text.contains(kept), "{kept:?} lost from {text:?}");
    }
}

#[test]
fn the_articles_own_header_keeps_its_standfirst_and_the_sites_header_goes() {
    let html = format!(
        "<html><body><div class=\"site-header\"><p>The harbour city's own newspaper, since 1850, daily.</p></div>\
         <article><div class=\"entry-header\"><h1>Harbour to grow</h1>\
         <p>Councillors back a plan that doubles the quay, after a long and heated debate.</p></div>\
         <div><p>{PROSE}</p><p>{PROSE} Two.</p><p>{PROSE} Three.</p></div></article></body></html>"
    );
    let text = page(&html).text;
    assert!(text.contains("Councillors back a plan"), "{text:?}");
    assert!(!text.contains("since 1850"), "{text:?}");
}

#[test]
fn ruby_readings_do_not_split_the_words_they_annotate() {
    // Furigana over kanji (`<rt>`, its end tag often implied) and the parentheses for
    // browsers without ruby (`<rp>`) are not text of the sentence.
    let html = furnished(&format!(
        "<p>{PROSE}</p><p><ruby>子<rp>(</rp><rt>こ</rt><rp>)</rp></ruby>どもへの\
         <ruby>虐待<rt>ぎゃくたい</ruby>をなくすための<ruby>法律<rt>ほう<rt>りつ</ruby>ができて、\
         親が子どもを教育するために、たたいたり蹴ったりする体罰を禁止することになりました。</p>"
    ));
    let text = page(&html).text;
    assert!(
        text.contains("子どもへの虐待をなくすための法律ができて、"),
        "{text:?}"
    );
    assert!(text.contains(PROSE), "{text:?}");
}

#[test]
fn a_page_of_short_lines_under_a_long_headline_keeps_its_lines() {
    // The headline is the only line of prose length: it must not be taken for the
    // article's container (and then dropped as a heading over nothing).
    let html = "<html><body><nav><a href=/>Home</a></nav><article>\
        <h1>Working together: Shuji and Walter, April 2018, part one</h1>\
        <h3>Film</h3><p>Fuji X-TRA 400.</p><h3>Cameras</h3><p>Walter: PENTAX Z-1 p.</p>\
        </article></body></html>";
    let text = page(html).text;
    for kept in ["Fuji X-TRA 400.", "Walter: PENTAX Z-1 p."] {
        assert!(text.contains(kept), "{kept:?} lost from {text:?}");
    }
    assert!(!text.contains("Home"), "{text:?}");
}

#[test]
fn a_script_rendered_article_is_read_from_its_noscript() {
    // Blogger's posts: the body is in a template script for the renderer and in
    // `<noscript>` for readers without scripts; outside them is one teaser line.
    let post = format!("<p>{PROSE}</p><p>{PROSE} Two.</p><p>{PROSE} Three.</p>");
    let html = format!(
        "<html><body><div class=\"header\"><p>The latest news and insights from the harbour team.</p></div>\
         <div class=\"post\"><h2>Harbour to grow</h2><div class=\"post-body\">\
         <script type=\"text/template\">{post}</script><noscript>{post}</noscript></div></div>\
         <noscript><img src=/pixel.gif></noscript></body></html>"
    );
    let text = page(&html).text;
    assert!(text.contains(&format!("{PROSE} Three.")), "{text:?}");
}

#[test]
fn a_wordpress_post_is_not_its_tag_classes() {
    // `tag-…` and `category-…` name what the post is filed under; with the comments
    // holding most of the page's prose, no wrapper rule saves it.
    let comment = format!("<li><p>{PROSE} I agree.</p></li>");
    let html = format!(
        "<html><body><div class=\"content\">\
         <div class=\"post-7 post type-post hentry tag-harbour tag-council category-news\">\
         <h2>Harbour to grow</h2><p>{PROSE}</p></div>\
         <div class=\"comments\"><ol>{}</ol></div></div></body></html>",
        comment.repeat(4)
    );
    let text = page(&html).text;
    assert!(text.contains(PROSE), "{text:?}");
    assert!(!text.contains("I agree"), "{text:?}");
}

#[test]
fn a_lead_before_an_image_joins_the_article() {
    // The lead sits before the body's container with image slots between them: siblings
    // without prose are passed over when looking for it.
    let body = format!("<p>{PROSE}</p>").repeat(6);
    let html = format!(
        "<html><body><div class=\"news\"><h1>Harbour</h1>\
         <p>The lead of the article, which says what happened at the harbour on Tuesday.</p>\
         <div class=\"image\"><img src=a.jpg></div><div class=\"slot\"></div>\
         <div class=\"gallery\">{body}</div></div></body></html>"
    );
    let text = page(&html).text;
    assert!(text.contains("The lead of the article"), "{text:?}");
}
