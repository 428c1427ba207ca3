//! Bytes to text, the one place where newsflow decides what encoding some bytes are in.
//!
//! Pages: the byte-order mark, then the charset the transport declared (HTTP
//! `Content-Type`), then `<meta charset>` or `http-equiv` in the first 8 KiB, then UTF-8 if
//! the bytes are valid UTF-8, else statistical detection (chardetng) — the HTML standard's
//! order. Feeds (`ingest::decode`) read their own `<?xml encoding?>` declaration and share
//! the last two steps through [`detect_encoding`].

use std::borrow::Cow;

use encoding_rs::{Encoding, UTF_8};

/// How far into the page a `<meta charset>` is looked for. The HTML standard's prescan
/// reads 1024 bytes; real pages put long comments and scripts first, so read more.
const PRESCAN_BYTES: usize = 8192;

/// The encoding of an HTML page: its byte-order mark, else `declared` (the charset of the
/// HTTP `Content-Type`, when the page came over HTTP), else its `<meta charset>` /
/// `http-equiv` declaration in the first 8 KiB, else [`detect_encoding`].
pub fn sniff_encoding(bytes: &[u8], declared: Option<&'static Encoding>) -> &'static Encoding {
    if let Some((encoding, _)) = Encoding::for_bom(bytes) {
        return encoding;
    }
    declared
        .or_else(|| meta_charset(&bytes[..bytes.len().min(PRESCAN_BYTES)]))
        .unwrap_or_else(|| detect_encoding(bytes))
}

/// The encoding an HTTP `Content-Type` value declares (`text/html; charset=ISO-8859-1`),
/// if it names one encoding_rs knows: what a page fetched over HTTP, or archived with its
/// HTTP headers (a WARC response), hands [`sniff_encoding`] as `declared`.
pub fn declared_charset(content_type: &str) -> Option<&'static Encoding> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("charset") {
            return None;
        }
        Encoding::for_label(value.trim().trim_matches('"').as_bytes())
    })
}

/// The encoding of bytes that declare none: UTF-8 if they are valid UTF-8, else
/// chardetng's guess among the legacy encodings (ISO-2022-JP, a 7-bit encoding that can
/// make plain ASCII look like Japanese, is never guessed).
pub fn detect_encoding(bytes: &[u8]) -> &'static Encoding {
    if Encoding::utf8_valid_up_to(bytes) == bytes.len() {
        return UTF_8;
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    detector.guess(None, chardetng::Utf8Detection::Deny)
}

/// Decodes a page to text (see [`sniff_encoding`] for the encoding). Never fails:
/// undecodable bytes become U+FFFD.
pub(crate) fn decode<'b>(bytes: &'b [u8], declared: Option<&'static Encoding>) -> Cow<'b, str> {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        return encoding.decode_without_bom_handling(&bytes[bom_len..]).0;
    }
    let encoding = sniff_encoding(bytes, declared);
    if encoding == UTF_8 {
        // Valid UTF-8 is borrowed after one pass of encoding_rs's (SIMD) validation;
        // declared UTF-8 that is not quite (a stray Latin-1 byte) decodes lossily.
        return match UTF_8.decode_without_bom_handling_and_without_replacement(bytes) {
            Some(text) => text,
            None => String::from_utf8_lossy(bytes),
        };
    }
    encoding.decode_without_bom_handling(bytes).0
}

/// The charset a `<meta>` tag declares, if any (`<meta charset=x>` or
/// `<meta http-equiv=Content-Type content="text/html; charset=x">`).
fn meta_charset(head: &[u8]) -> Option<&'static Encoding> {
    let mut rest = head;
    while let Some(at) = find_ci(rest, b"charset") {
        let after = &rest[at + 7..];
        rest = after;
        // Only inside a tag that opened with `<meta`: look back for the nearest `<`.
        let before = &head[..head.len() - after.len() - 7];
        let Some(lt) = before.iter().rposition(|&b| b == b'<') else {
            continue;
        };
        let tag = &before[lt..];
        if tag.len() < 5 || !tag[..5].eq_ignore_ascii_case(b"<meta") || tag.contains(&b'>') {
            continue;
        }
        let value = after
            .iter()
            .skip_while(|b| b.is_ascii_whitespace())
            .copied()
            .collect::<Vec<u8>>();
        let Some(value) = value.strip_prefix(b"=") else {
            continue;
        };
        let value: Vec<u8> = value
            .iter()
            .copied()
            .skip_while(|&b| b.is_ascii_whitespace() || b == b'"' || b == b'\'')
            .take_while(|&b| !(b.is_ascii_whitespace() || b"\"';>/".contains(&b)))
            .collect();
        if let Some(encoding) = Encoding::for_label(&value) {
            // The standard maps a declared UTF-16 (impossible in an ASCII-compatible
            // prescan) to UTF-8, and x-user-defined to windows-1252.
            return Some(match encoding.name() {
                "UTF-16LE" | "UTF-16BE" => UTF_8,
                "x-user-defined" => encoding_rs::WINDOWS_1252,
                _ => encoding,
            });
        }
    }
    None
}

/// The first position of `needle` (lowercase ASCII) in `hay`, ignoring ASCII case.
fn find_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if hay.len() < needle.len() {
        return None;
    }
    (0..=hay.len() - needle.len()).find(|&i| hay[i..i + needle.len()].eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_page(bytes: &[u8]) -> Cow<'_, str> {
        decode(bytes, None)
    }

    #[test]
    fn declared_and_detected_charsets_decode() {
        assert_eq!(decode_page(b"<p>plain</p>"), "<p>plain</p>");
        assert_eq!(decode_page(b"\xEF\xBB\xBF<p>bom</p>"), "<p>bom</p>");
        let latin = b"<meta charset=\"iso-8859-1\"><p>caf\xE9</p>";
        assert!(decode_page(latin).contains("caf\u{e9}"));
        let equiv =
            b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1251\">\xCF\xF0\xE8";
        assert!(decode_page(equiv).ends_with("\u{41f}\u{440}\u{438}"));
        // No declaration, not UTF-8: detection reads it as a single-byte encoding.
        let undeclared = b"<p>Der B\xE4r l\xE4uft \xFCber die Stra\xDFe und \xE4rgert sich</p>";
        assert!(decode_page(undeclared).contains("B\u{e4}r"));
        // `charset` in text, not in a meta tag, declares nothing.
        assert_eq!(meta_charset(b"<p>charset=koi8-r</p>"), None);
    }

    #[test]
    fn the_bom_outranks_the_transport_which_outranks_meta() {
        use encoding_rs::{WINDOWS_1251, WINDOWS_1252};
        // "П" in UTF-8, under a meta tag that says Latin-1.
        let page = b"<meta charset=\"iso-8859-1\"><p>\xD0\x9F</p>";
        assert_eq!(sniff_encoding(page, None), WINDOWS_1252);
        assert_eq!(sniff_encoding(page, Some(UTF_8)), UTF_8);
        assert!(decode(page, Some(UTF_8)).contains('\u{41f}'));
        assert_eq!(
            sniff_encoding(b"\xEF\xBB\xBF<p>x</p>", Some(WINDOWS_1251)),
            UTF_8
        );
        assert_eq!(detect_encoding(b"caf\xC3\xA9"), UTF_8);
        assert_eq!(detect_encoding(b""), UTF_8);
    }

    #[test]
    fn the_header_charset_is_found() {
        let name = |ct: &str| declared_charset(ct).map(|e| e.name());
        assert_eq!(name("text/html; charset=ISO-8859-1"), Some("windows-1252"));
        assert_eq!(name("text/html;charset=\"utf-8\""), Some("UTF-8"));
        assert_eq!(name("text/html"), None);
        assert_eq!(name("text/html; charset=bogus"), None);
    }
}
