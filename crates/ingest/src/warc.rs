//! A streaming WARC 1.0/1.1 reader: one record at a time, so memory stays flat whatever the
//! archive's size.
//!
//! Our own reader rather than the `warc` crate: that crate reads each record's whole block
//! into memory before the caller can look at it, while a crawl's records include videos and
//! archives of any size. Here only the WARC and HTTP headers are read first; a record that
//! cannot be an article (a request, a redirect, an image) is skipped by discarding its block
//! unread, and only an HTML 200 response's body is read into memory, up to
//! [`MAX_PAGE_BYTES`]. `.warc.gz` is one gzip member per record; the caller wraps the input in
//! a `flate2::read::MultiGzDecoder`, and a stream cut mid-member is a [`WarcError::Truncated`]
//! like a stream cut mid-record.

use std::io::{self, BufRead, Read};

use crate::decode;

/// The largest HTML page read from an archive, as stored and as decoded: a real article page
/// is well under 1 MiB; a bigger one is a dead letter.
pub const MAX_PAGE_BYTES: usize = 8 << 20;

/// The longest WARC or HTTP header block read. Real ones are under 2 KiB; this stops a
/// corrupt archive from growing a header without bound.
pub const MAX_HEADER_BYTES: usize = 64 << 10;

/// Why reading an archive stopped. Records before the error have been returned.
#[derive(Debug, thiserror::Error)]
pub enum WarcError {
    /// The archive ends inside a record (or a gzip member).
    #[error("WARC archive is truncated in record {record}: {reason}")]
    Truncated {
        /// The 1-based number of the record cut off.
        record: u64,
        /// What was missing.
        reason: String,
    },
    /// The bytes where a record should start are not a WARC record.
    #[error("WARC record {record} is malformed: {reason}")]
    Malformed {
        /// The 1-based number of the record.
        record: u64,
        /// What is wrong.
        reason: String,
    },
}

impl WarcError {
    /// The 1-based number of the record where reading stopped.
    pub fn record(&self) -> u64 {
        match self {
            WarcError::Truncated { record, .. } | WarcError::Malformed { record, .. } => *record,
        }
    }
}

/// An HTML page found in a `response` record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WarcPage {
    /// `WARC-Target-URI`: the page's URL.
    pub target_uri: Option<String>,
    /// `WARC-Record-ID`, for an id when there is no URL.
    pub record_id: Option<String>,
    /// `WARC-Date`: when it was crawled, the fallback publication date.
    pub date: Option<String>,
    /// The charset of the archived HTTP `Content-Type`, which outranks the page's
    /// `<meta charset>` as it did for the browser that fetched it.
    pub charset: Option<&'static extract::Encoding>,
    /// The HTTP body, de-chunked and decompressed; the page's own bytes.
    pub html: Vec<u8>,
}

/// What one record holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// An HTML 200 response: one article.
    Page(WarcPage),
    /// A record that is not an article, with the reason it was skipped: its WARC-Type
    /// (`request`, `revisit`, `warcinfo`, `metadata`, …) or, for responses, `redirect`,
    /// `error` (4xx/5xx), `robots.txt` or `not HTML`.
    Skipped(&'static str),
    /// An HTML 200 response that cannot be used (over a limit, a body that does not
    /// decode): a dead letter.
    Rejected(String),
}

/// Reads records one by one from a decompressed WARC stream.
#[derive(Debug)]
pub struct WarcReader<R> {
    /// The (decompressed) archive.
    reader: R,
    /// How many records have been started, for messages and origins.
    record: u64,
    /// Set after an error: nothing after a break can be trusted.
    done: bool,
}

impl<R: BufRead> WarcReader<R> {
    /// A reader over a decompressed archive.
    pub fn new(reader: R) -> Self {
        Self {
            reader,
            record: 0,
            done: false,
        }
    }

    /// The next record as its 1-based number and what it holds; `None` at the end, an error
    /// (once, then `None`) where the archive breaks.
    pub fn next_entry(&mut self) -> Option<Result<(u64, Entry), WarcError>> {
        if self.done {
            return None;
        }
        let result = self.read_entry().transpose();
        if !matches!(result, Some(Ok(_))) {
            self.done = true;
        }
        result
    }

    fn read_entry(&mut self) -> Result<Option<(u64, Entry)>, WarcError> {
        let record = self.record + 1;
        let truncated = |reason: String| WarcError::Truncated { record, reason };
        let malformed = |reason: &str| WarcError::Malformed {
            record,
            reason: reason.to_string(),
        };
        // Records are separated by blank lines; skip them (and tolerate extra ones).
        let mut version = Vec::new();
        loop {
            version.clear();
            let n = read_line(&mut self.reader, &mut version, MAX_HEADER_BYTES)
                .map_err(|e| truncated(e.to_string()))?;
            if n == 0 {
                return Ok(None);
            }
            if !version.iter().all(u8::is_ascii_whitespace) {
                break;
            }
        }
        self.record = record;
        if !version.starts_with(b"WARC/1.") {
            return Err(malformed(
                "it does not start with a WARC/1.0 or WARC/1.1 line",
            ));
        }
        let headers = read_headers(&mut self.reader).map_err(|e| match e {
            HeaderError::Eof => truncated("the archive ends inside the WARC headers".into()),
            HeaderError::Io(e) => truncated(e.to_string()),
            HeaderError::TooLong => malformed("WARC headers over the size limit"),
        })?;
        let length: u64 = header(&headers, "content-length")
            .and_then(|v| v.trim().parse().ok())
            .ok_or_else(|| malformed("no valid Content-Length header"))?;
        let kind = header(&headers, "warc-type")
            .unwrap_or("")
            .to_ascii_lowercase();
        let mut block = (&mut self.reader).take(length);
        let entry = if kind == "response" {
            let page = WarcPage {
                target_uri: header(&headers, "warc-target-uri").map(clean_uri),
                record_id: header(&headers, "warc-record-id").map(str::to_string),
                date: header(&headers, "warc-date").map(str::to_string),
                charset: None,
                html: Vec::new(),
            };
            read_response(&mut block, page).map_err(|e| truncated(e.to_string()))?
        } else {
            Entry::Skipped(skip_reason(&kind))
        };
        // Whatever the entry did not need is discarded without being kept.
        let left = block.limit();
        let discarded =
            io::copy(&mut block, &mut io::sink()).map_err(|e| truncated(e.to_string()))?;
        if discarded < left {
            return Err(truncated(format!(
                "the archive ends {} bytes into a {length}-byte block",
                length - (left - discarded)
            )));
        }
        Ok(Some((record, entry)))
    }
}

/// The skip label of a non-response record (a closed set, for counting).
fn skip_reason(kind: &str) -> &'static str {
    match kind {
        "request" => "request",
        "metadata" => "metadata",
        "revisit" => "revisit",
        "warcinfo" => "warcinfo",
        "resource" => "resource",
        "conversion" => "conversion",
        "continuation" => "continuation",
        _ => "other",
    }
}

/// Some writers wrap the URI in angle brackets (WARC 1.0's grammar did).
fn clean_uri(uri: &str) -> String {
    uri.trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .to_string()
}

/// Reads the HTTP response inside a `response` record's block, stopping as soon as it knows
/// the record is not an HTML 200.
fn read_response<B: BufRead>(block: &mut B, mut page: WarcPage) -> io::Result<Entry> {
    let mut status_line = Vec::new();
    read_line(block, &mut status_line, MAX_HEADER_BYTES)?;
    let status: Option<u16> = std::str::from_utf8(&status_line)
        .ok()
        .filter(|s| s.starts_with("HTTP/"))
        .and_then(|s| s.split_ascii_whitespace().nth(1))
        .and_then(|s| s.parse().ok());
    let Some(status) = status else {
        // A response record whose block is not HTTP (e.g. a DNS record).
        return Ok(Entry::Skipped("not HTTP"));
    };
    let headers = match read_headers(block) {
        Ok(headers) => headers,
        Err(HeaderError::Io(e)) => return Err(e),
        Err(HeaderError::Eof | HeaderError::TooLong) => {
            return Ok(Entry::Rejected(
                "the HTTP headers are cut off or too long".into(),
            ))
        }
    };
    match status {
        200 => {}
        300..=399 => return Ok(Entry::Skipped("redirect")),
        400..=599 => return Ok(Entry::Skipped("error")),
        _ => return Ok(Entry::Skipped("not 200")),
    }
    let path_is_robots = page.target_uri.as_deref().is_some_and(|u| {
        reqwest::Url::parse(u).is_ok_and(|u| u.path().eq_ignore_ascii_case("/robots.txt"))
    });
    if path_is_robots {
        return Ok(Entry::Skipped("robots.txt"));
    }
    let content_type = header(&headers, "content-type")
        .unwrap_or("")
        .to_ascii_lowercase();
    let mime = content_type.split(';').next().unwrap_or("").trim();
    if !mime.is_empty() && !is_html_mime(mime) {
        return Ok(Entry::Skipped("not HTML"));
    }
    let mut body = Vec::new();
    block
        .take(MAX_PAGE_BYTES as u64 + 1)
        .read_to_end(&mut body)?;
    if body.len() > MAX_PAGE_BYTES {
        return Ok(Entry::Rejected(format!(
            "page is over the {MAX_PAGE_BYTES}-byte limit"
        )));
    }
    let chunked = header(&headers, "transfer-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    if chunked {
        match dechunk(&body) {
            Some(plain) => body = plain,
            None => return Ok(Entry::Rejected("bad chunked transfer encoding".into())),
        }
    }
    let encoding = header(&headers, "content-encoding")
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    body = match encoding.as_str() {
        "" | "identity" => body,
        // Some crawlers store the decoded body but keep the header: trust the magic bytes.
        "gzip" | "x-gzip" if decode::is_gzip(&body) => {
            match decode::gunzip(&body, MAX_PAGE_BYTES) {
                Ok(plain) => plain,
                Err(e) => return Ok(Entry::Rejected(format!("gzip body: {e}"))),
            }
        }
        "gzip" | "x-gzip" => body,
        "deflate" => match inflate(&body) {
            Some(plain) => plain,
            None => return Ok(Entry::Rejected("deflate body does not decompress".into())),
        },
        other => {
            return Ok(Entry::Rejected(format!(
                "unsupported Content-Encoding {other:?}"
            )))
        }
    };
    if mime.is_empty() && !extract::looks_like_html(&body) {
        return Ok(Entry::Skipped("not HTML"));
    }
    page.charset = extract::declared_charset(&content_type);
    page.html = body;
    Ok(Entry::Page(page))
}

/// Whether a media type is an HTML page.
pub(crate) fn is_html_mime(mime: &str) -> bool {
    matches!(mime, "text/html" | "application/xhtml+xml")
}

/// Decodes HTTP/1.1 chunked transfer encoding; `None` if the framing is broken.
fn dechunk(mut body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(body.len());
    loop {
        let line_end = memchr_newline(body)?;
        let size_text = std::str::from_utf8(&body[..line_end]).ok()?;
        let size_text = size_text.split(';').next()?.trim();
        let size = usize::from_str_radix(size_text, 16).ok()?;
        body = &body[line_end + 1..];
        if size == 0 {
            return Some(out);
        }
        let chunk = body.get(..size)?;
        out.extend_from_slice(chunk);
        body = &body[size..];
        body = body
            .strip_prefix(b"\r\n")
            .or_else(|| body.strip_prefix(b"\n"))?;
    }
}

fn memchr_newline(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == b'\n')
}

/// Inflates a `deflate` body: zlib-wrapped as the RFC says, or raw as some servers send.
fn inflate(body: &[u8]) -> Option<Vec<u8>> {
    let limit = MAX_PAGE_BYTES as u64 + 1;
    let mut out = Vec::new();
    if flate2::read::ZlibDecoder::new(body)
        .take(limit)
        .read_to_end(&mut out)
        .is_err()
    {
        out.clear();
        flate2::read::DeflateDecoder::new(body)
            .take(limit)
            .read_to_end(&mut out)
            .ok()?;
    }
    (out.len() <= MAX_PAGE_BYTES).then_some(out)
}

/// Why a header block could not be read.
enum HeaderError {
    /// The input ended first.
    Eof,
    /// Over [`MAX_HEADER_BYTES`].
    TooLong,
    /// Reading failed.
    Io(io::Error),
}

/// Reads `Name: value` lines up to the blank line; names lower-cased.
fn read_headers<R: BufRead>(reader: &mut R) -> Result<Vec<(String, String)>, HeaderError> {
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut total = 0;
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = read_line(reader, &mut line, MAX_HEADER_BYTES).map_err(HeaderError::Io)?;
        if n == 0 {
            return Err(HeaderError::Eof);
        }
        total += n;
        if total > MAX_HEADER_BYTES {
            return Err(HeaderError::TooLong);
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            return Ok(headers);
        }
        if text.starts_with([' ', '\t']) {
            // A folded continuation line belongs to the previous header.
            if let Some((_, value)) = headers.last_mut() {
                value.push(' ');
                value.push_str(text.trim());
            }
            continue;
        }
        if let Some((name, value)) = text.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
    }
}

/// The first header called `name` (lower case).
fn header<'h>(headers: &'h [(String, String)], name: &str) -> Option<&'h str> {
    headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// Reads one line (with its `\n`) into `buf`, at most `limit` bytes of it; the byte count
/// read, 0 at the end of input.
fn read_line<R: BufRead>(reader: &mut R, buf: &mut Vec<u8>, limit: usize) -> io::Result<usize> {
    reader.take(limit as u64).read_until(b'\n', buf)
}

#[cfg(test)]
mod tests;
