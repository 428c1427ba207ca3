//! Bytes to UTF-8 text: gzip, byte-order marks, declared and undeclared legacy encodings.
//!
//! Decoding happens before any parsing so that every later stage sees UTF-8 only: feed-rs
//! panics on UTF-16 input, and a declared-but-wrong encoding must cost a few replacement
//! characters, never the feed.

use std::borrow::Cow;
use std::io::Read;

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE};

/// The largest feed read into memory, compressed or not. The largest real feeds are a few
/// MiB; the parsed form takes a few times the input, which keeps a run well under 300 MB.
pub const MAX_FEED_BYTES: usize = 32 << 20;

/// How far into the document the XML declaration is looked for.
const DECLARATION_WINDOW: usize = 1024;

/// Why bytes could not be turned into text.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DecodeError {
    /// The input, or what it decompresses to, is over [`MAX_FEED_BYTES`].
    #[error("feed is over the {limit}-byte limit")]
    TooLarge {
        /// The limit that was hit.
        limit: usize,
    },
    /// A gzip stream that yields nothing at all.
    #[error("gzip data is corrupt: {0}")]
    Gzip(String),
}

/// Is this a gzip stream? (Magic bytes, not a file name or header, decide.)
pub fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0x1f, 0x8b])
}

/// Decompresses gzip data (several members too), at most `limit` bytes of output. A stream
/// corrupt part-way yields what came before the damage, with a warning.
pub fn gunzip(bytes: &[u8], limit: usize) -> Result<Vec<u8>, DecodeError> {
    // The trailer's ISIZE is the last member's size mod 2^32: the whole output for the
    // usual one-member file, so the buffer is allocated once rather than doubled from
    // empty (capped, since the trailer is outside data). Read straight from the slice
    // (a `BufRead`): no copy into an intermediate buffer.
    let isize = bytes
        .len()
        .checked_sub(4)
        .and_then(|at| bytes.get(at..))
        .and_then(|tail| <[u8; 4]>::try_from(tail).ok())
        .map_or(0, |tail| u32::from_le_bytes(tail) as usize);
    // One byte more than the output, so `read_to_end` sees the end without growing.
    let mut out = Vec::with_capacity(isize.min(limit).saturating_add(1));
    let mut decoder = flate2::bufread::MultiGzDecoder::new(bytes).take(limit as u64 + 1);
    if let Err(e) = decoder.read_to_end(&mut out) {
        if out.is_empty() {
            return Err(DecodeError::Gzip(e.to_string()));
        }
        tracing::warn!(error = %e, kept = out.len(), "gzip data corrupt; using what decoded");
    }
    if out.len() > limit {
        return Err(DecodeError::TooLarge { limit });
    }
    Ok(out)
}

/// The first `limit` decompressed bytes of gzip data, or fewer when the data given ends
/// (or breaks) first: enough to tell a format from content without decompressing it all.
pub fn gunzip_head(bytes: &[u8], limit: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(limit);
    let mut decoder = flate2::read::MultiGzDecoder::new(bytes).take(limit as u64);
    let mut buf = [0u8; 1024];
    while let Ok(n) = decoder.read(&mut buf) {
        if n == 0 {
            break;
        }
        out.extend_from_slice(&buf[..n]);
    }
    out
}

/// Decoded text and how it was decoded.
#[derive(Debug)]
pub struct Decoded {
    /// The document as UTF-8, byte-order mark removed, characters XML forbids removed.
    pub text: String,
    /// The encoding used.
    pub encoding: &'static Encoding,
    /// Whether some bytes were invalid in that encoding (each became U+FFFD).
    pub had_errors: bool,
}

/// Decodes a feed: a byte-order mark wins, then the XML declaration's `encoding`, then
/// [`extract::detect_encoding`] (UTF-8 if the bytes are valid UTF-8, else chardetng's
/// guess), the fallback HTML pages share. HTML pages decode inside `extract`
/// ([`extract::sniff_encoding`]: `<meta charset>` rather than `<?xml encoding?>`). Invalid
/// bytes become U+FFFD; this never fails.
pub fn decode(bytes: &[u8]) -> Decoded {
    let encoding = match Encoding::for_bom(bytes) {
        Some((encoding, _)) => encoding,
        None => sniff_utf16(bytes)
            .or_else(|| declared_encoding(bytes))
            // The fallback for undeclared bytes is the one HTML pages use too.
            .unwrap_or_else(|| extract::detect_encoding(bytes)),
    };
    // `decode` strips a BOM and switches to the BOM's encoding if one is present.
    let (text, used, had_errors) = encoding.decode(bytes);
    Decoded {
        text: strip_non_xml_chars(text),
        encoding: used,
        had_errors,
    }
}

/// UTF-16 without a byte-order mark, recognised by `<` next to a NUL byte.
fn sniff_utf16(bytes: &[u8]) -> Option<&'static Encoding> {
    match bytes {
        [b'<', 0, b'?' | b'!' | b'a'..=b'z' | b'A'..=b'Z', 0, ..] => Some(UTF_16LE),
        [0, b'<', 0, b'?' | b'!' | b'a'..=b'z' | b'A'..=b'Z', ..] => Some(UTF_16BE),
        _ => None,
    }
}

/// The encoding named by `<?xml … encoding="…"?>`, if the document starts (after
/// whitespace or a comment) with one that names an encoding we know. A declaration of
/// UTF-16 on bytes that are evidently ASCII-compatible is a lie and is ignored.
fn declared_encoding(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(DECLARATION_WINDOW)];
    let head = String::from_utf8_lossy(head);
    let decl_start = head.find("<?xml")?;
    let decl = &head[decl_start..];
    let decl = &decl[..decl.find("?>")?];
    let after = &decl[decl.find("encoding")? + "encoding".len()..];
    let after = after.trim_start().strip_prefix('=')?.trim_start();
    let quote = after.chars().next().filter(|q| *q == '"' || *q == '\'')?;
    let label = &after[1..];
    let label = &label[..label.find(quote)?];
    let encoding = Encoding::for_label(label.trim().as_bytes())?;
    if encoding == UTF_16LE || encoding == UTF_16BE {
        return None;
    }
    Some(encoding)
}

/// Removes characters XML 1.0 forbids (C0 controls other than tab, newline and carriage
/// return; U+FFFE; U+FFFF) and a leading byte-order mark. Control characters in titles are
/// common in real feeds and otherwise make the whole document unparseable.
fn strip_non_xml_chars(text: Cow<'_, str>) -> String {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(&text);
    if text.chars().all(crate::xml::is_xml_char) {
        return text.to_string();
    }
    text.chars()
        .filter(|&c| crate::xml::is_xml_char(c))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(bytes: &[u8], expected: &str, encoding: &str) {
        let got = decode(bytes);
        assert_eq!(got.text, expected);
        assert_eq!(got.encoding.name(), encoding);
    }

    #[test]
    fn encodings_are_detected() {
        check(b"<a>caf\xc3\xa9</a>", "<a>café</a>", "UTF-8");
        check(b"\xef\xbb\xbf<a>x</a>", "<a>x</a>", "UTF-8");
        check(
            b"<?xml version='1.0' encoding='ISO-8859-1'?><a>caf\xe9</a>",
            "<?xml version='1.0' encoding='ISO-8859-1'?><a>café</a>",
            "windows-1252",
        );
        check(b"\xfe\xff\0<\0a\0>", "<a>", "UTF-16BE");
        check(b"\xff\xfe<\0a\0>\0", "<a>", "UTF-16LE");
        check(b"<\0a\0>\0", "<a>", "UTF-16LE");
        // Declared UTF-16 on single-byte text: the declaration is wrong, the bytes are right.
        check(
            b"<?xml encoding=\"utf-16\"?><a/>",
            "<?xml encoding=\"utf-16\"?><a/>",
            "UTF-8",
        );
        check(b"<a>\x08bell\x00</a>", "<a>bell</a>", "UTF-8");
    }

    #[test]
    fn invalid_bytes_become_replacement_characters() {
        let got = decode(b"<?xml version=\"1.0\" encoding=\"utf-8\"?><a>\xf1x</a>");
        assert!(got.text.contains("\u{FFFD}x"));
        assert!(got.had_errors);
    }

    #[test]
    fn undeclared_legacy_text_is_guessed() {
        // "Привет, мир. Это новости." in windows-1251, long enough to guess.
        let bytes = b"<a>\xcf\xf0\xe8\xe2\xe5\xf2, \xec\xe8\xf0. \xdd\xf2\xee \xed\xee\xe2\xee\xf1\xf2\xe8.</a>";
        let got = decode(bytes);
        assert!(
            got.text.contains("Привет"),
            "{} via {}",
            got.text,
            got.encoding.name()
        );
    }

    #[test]
    fn gzip_is_bounded() {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(&vec![b'a'; 10_000]).unwrap();
        let gz = enc.finish().unwrap();
        assert!(is_gzip(&gz));
        assert_eq!(gunzip(&gz, 10_000).unwrap().len(), 10_000);
        assert_eq!(
            gunzip(&gz, 9_999),
            Err(DecodeError::TooLarge { limit: 9_999 })
        );
        assert!(gunzip(&[0x1f, 0x8b, 0, 0], 100).is_err());
    }
}
