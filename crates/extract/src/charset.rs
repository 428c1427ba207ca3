//! Bytes to text: the page's own declaration first (BOM, then `<meta charset>` or
//! `http-equiv`), then UTF-8 if the bytes are valid UTF-8, else statistical detection.

use std::borrow::Cow;

use encoding_rs::{Encoding, UTF_8};

/// How far into the page a `<meta charset>` is looked for. The HTML standard's prescan
/// reads 1024 bytes; real pages put long comments and scripts first, so read more.
const PRESCAN_BYTES: usize = 8192;

/// Decodes a page to text. Never fails: undecodable bytes become U+FFFD.
pub(crate) fn decode(bytes: &[u8]) -> Cow<'_, str> {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        return encoding.decode_without_bom_handling(&bytes[bom_len..]).0;
    }
    let encoding = declared(&bytes[..bytes.len().min(PRESCAN_BYTES)]).unwrap_or_else(|| {
        if std::str::from_utf8(bytes).is_ok() {
            UTF_8
        } else {
            let mut detector =
                chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
            detector.feed(bytes, true);
            detector.guess(None, chardetng::Utf8Detection::Deny)
        }
    });
    if encoding == UTF_8 {
        // Declared UTF-8 that is not quite (a stray Latin-1 byte) decodes lossily.
        return String::from_utf8_lossy(bytes);
    }
    encoding.decode_without_bom_handling(bytes).0
}

/// The charset a `<meta>` tag declares, if any (`<meta charset=x>` or
/// `<meta http-equiv=Content-Type content="text/html; charset=x">`).
fn declared(head: &[u8]) -> Option<&'static Encoding> {
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

    #[test]
    fn declared_and_detected_charsets_decode() {
        assert_eq!(decode(b"<p>plain</p>"), "<p>plain</p>");
        assert_eq!(decode(b"\xEF\xBB\xBF<p>bom</p>"), "<p>bom</p>");
        let latin = b"<meta charset=\"iso-8859-1\"><p>caf\xE9</p>";
        assert!(decode(latin).contains("caf\u{e9}"));
        let equiv =
            b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1251\">\xCF\xF0\xE8";
        assert!(decode(equiv).ends_with("\u{41f}\u{440}\u{438}"));
        // No declaration, not UTF-8: detection reads it as a single-byte encoding.
        let undeclared = b"<p>Der B\xE4r l\xE4uft \xFCber die Stra\xDFe und \xE4rgert sich</p>";
        assert!(decode(undeclared).contains("B\u{e4}r"));
        // `charset` in text, not in a meta tag, declares nothing.
        assert_eq!(declared(b"<p>charset=koi8-r</p>"), None);
    }
}
