//! The one place that decides an input's format from its first bytes: `newsflow run`'s
//! source and `newsflow segment` both ask [`sniff()`], so they never disagree.

/// How much of an input is read to decide its format. A JSON Feed names its version near
/// the top; a JSON Lines record's first line is usually complete within this.
pub const SNIFF_BYTES: usize = 8 << 10;

/// Lines of a multi-line JSON document read before deciding it is not a JSON Feed (whose
/// `version` comes first or close to it).
const SNIFF_LINES: usize = 16;

/// What the first bytes of an input say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One JSON object per line, streamed record by record.
    JsonLines,
    /// A document read whole: XML feed, JSON Feed, gzip, plain text or something to reject.
    Document,
    /// Nothing but whitespace.
    Empty,
    /// A WARC archive (plain or gzip), streamed record by record.
    Warc,
    /// One HTML page (plain or gzip), read whole and extracted as one article.
    Page,
}

/// Decides the format from an input's first bytes (`complete` when they are all of it), or
/// `None` when more bytes are needed. It decides as early as it can, so a JSON Lines stream
/// on an open stdin flows as soon as its first line has arrived.
pub fn sniff(prefix: &[u8], complete: bool) -> Option<Format> {
    let gzip = crate::decode::is_gzip(prefix);
    let unzipped;
    // Gzip is looked inside: a `.warc.gz` or a saved `.html.gz` is told from what it holds.
    let head = if gzip {
        unzipped = crate::decode::gunzip_head(prefix, extract::SNIFF_BYTES);
        if unzipped.len() < extract::SNIFF_BYTES && !complete && prefix.len() < SNIFF_BYTES {
            return None;
        }
        &unzipped[..]
    } else {
        prefix
    };
    if head.starts_with(b"WARC/1.") {
        return Some(Format::Warc);
    }
    if extract::looks_like_html(head) {
        return Some(Format::Page);
    }
    if gzip {
        return Some(Format::Document);
    }
    let text = strip_bom(prefix);
    let Some(start) = text.iter().position(|b| !b.is_ascii_whitespace()) else {
        return complete.then_some(Format::Empty);
    };
    if text[start] != b'{' {
        return Some(Format::Document);
    }
    let body = &text[start..];
    let newline = body.iter().position(|&b| b == b'\n');
    let first_line = &body[..newline.unwrap_or(body.len())];
    let line_complete = complete || newline.is_some();
    if !line_complete {
        return None;
    }
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(first_line) {
        // A one-line object: a JSON Lines record, unless it is a whole JSON Feed.
        let json_feed = v
            .get("version")
            .and_then(serde_json::Value::as_str)
            .is_some_and(|s| s.contains("jsonfeed.org"));
        return Some(if json_feed {
            Format::Document
        } else {
            Format::JsonLines
        });
    }
    // A pretty-printed object spans lines: a JSON Feed if it says so near the top.
    // Otherwise it is JSON Lines with a bad first line, which that reader reports.
    if contains(body, b"jsonfeed.org/version") {
        return Some(Format::Document);
    }
    let lines = body.iter().filter(|&&b| b == b'\n').count();
    (complete || lines >= SNIFF_LINES || prefix.len() >= SNIFF_BYTES).then_some(Format::JsonLines)
}

/// `bytes` without a leading UTF-8 byte order mark, which editors on Windows add and JSON
/// parsers refuse.
pub fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// Whether `needle` occurs in `haystack`.
fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(prefix: &str, complete: bool, expected: Option<Format>) {
        assert_eq!(sniff(prefix.as_bytes(), complete), expected, "{prefix:?}");
    }

    #[test]
    fn formats_are_sniffed_from_content_as_early_as_possible() {
        use Format::*;
        check("{\"id\": 1}\n{\"id\": 2}\n", true, Some(JsonLines));
        check("{\"id\": 1}\n", false, Some(JsonLines));
        check("\u{feff}  {\"id\": 1}", true, Some(JsonLines));
        check("{\"id\": 1, \"body\": \"cut off", false, None);
        check("{\"id\": 1, \"body\": \"cut off", true, Some(JsonLines));
        check("{broken json\n{\"id\":2}\n", true, Some(JsonLines));
        check("{broken json\n{\"id\":2}\n", false, None);
        check(
            "{\n  \"version\": \"https://jsonfeed.org/version/1.1\",\n",
            false,
            Some(Document),
        );
        check(
            "{\"version\": \"https://jsonfeed.org/version/1\", \"items\": []}",
            true,
            Some(Document),
        );
        check("<?xml version=\"1.0\"?><rss>", false, Some(Document));
        check("<", false, Some(Document));
        check("WARC/1.1\r\nWARC-Type: warcinfo\r\n", false, Some(Warc));
        check("<!DOCTYPE html><html><head>", false, Some(Page));
        check("\n<html lang=\"de\">", false, Some(Page));
        check("Plain text, one sentence.", false, Some(Document));
        check("", true, Some(Empty));
        check("", false, None);
        check(" \n\t", true, Some(Empty));
        assert_eq!(sniff(b"\x1f\x8b\x08\0", true), Some(Document));
    }
}
