//! WARC reader tests on archives written here, record by record.

use std::io::Write;

use super::*;

/// One WARC record with the given type, extra headers and block.
pub(crate) fn record(kind: &str, uri: &str, block: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "WARC/1.1\r\nWARC-Type: {kind}\r\nWARC-Record-ID: <urn:uuid:{kind}-{}>\r\n\
         WARC-Target-URI: {uri}\r\nWARC-Date: 2026-01-02T03:04:05Z\r\n\
         Content-Type: application/http; msgtype=response\r\nContent-Length: {}\r\n\r\n",
        uri.len(),
        block.len()
    )
    .into_bytes();
    out.extend_from_slice(block);
    out.extend_from_slice(b"\r\n\r\n");
    out
}

/// An HTTP response block.
pub(crate) fn http(status: &str, headers: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status}\r\n{headers}\r\n").into_bytes();
    out.extend_from_slice(body);
    out
}

/// Each record gzipped on its own, as `.warc.gz` files are written.
pub(crate) fn gzip_members(records: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for r in records {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(r).unwrap();
        out.extend(enc.finish().unwrap());
    }
    out
}

const PAGE: &[u8] = b"<!doctype html><html><body><p>Hello.</p></body></html>";

fn entries(bytes: &[u8]) -> Vec<Result<(u64, Entry), String>> {
    let mut reader = WarcReader::new(bytes);
    std::iter::from_fn(|| reader.next_entry())
        .map(|r| r.map_err(|e| e.to_string()))
        .collect()
}

fn page(uri: &str, html: &[u8]) -> Entry {
    Entry::Page(WarcPage {
        target_uri: Some(uri.to_string()),
        record_id: Some(format!("<urn:uuid:response-{}>", uri.len())),
        date: Some("2026-01-02T03:04:05Z".into()),
        charset: None,
        html: html.to_vec(),
    })
}

#[test]
fn only_html_200_responses_are_pages_and_the_rest_is_skipped_with_a_reason() {
    let html = "Content-Type: text/html\r\n";
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(PAGE).unwrap();
    let gzipped = gz.finish().unwrap();
    let archive = [
        record("warcinfo", "", b"software: test\r\n"),
        record("request", "http://a.test/1", b"GET /1 HTTP/1.1\r\n\r\n"),
        record("response", "http://a.test/1", &http("200 OK", html, PAGE)),
        record(
            "response",
            "http://a.test/old",
            &http("301 Moved", "Location: /1\r\n", b""),
        ),
        record(
            "response",
            "http://a.test/gone",
            &http("404 Not Found", html, b"no"),
        ),
        record(
            "response",
            "http://a.test/robots.txt",
            &http("200 OK", "Content-Type: text/plain\r\n", b"User-agent: *"),
        ),
        record(
            "response",
            "http://a.test/i.jpg",
            &http("200 OK", "Content-Type: image/jpeg\r\n", b"\xff\xd8"),
        ),
        record("revisit", "http://a.test/1", &http("200 OK", html, b"")),
        record("metadata", "http://a.test/1", b"via: x\r\n"),
        record(
            "response",
            "http://a.test/gz",
            &http(
                "200 OK",
                &format!("{html}Content-Encoding: gzip\r\n"),
                &gzipped,
            ),
        ),
        record(
            "response",
            "http://a.test/chunked",
            &http(
                "200 OK",
                &format!("{html}Transfer-Encoding: chunked\r\n"),
                b"5\r\n<html\r\n3\r\n>ok\r\n0\r\n\r\n",
            ),
        ),
    ]
    .concat();
    let got = entries(&archive);
    let expected: Vec<Result<(u64, Entry), String>> = vec![
        Ok((1, Entry::Skipped("warcinfo"))),
        Ok((2, Entry::Skipped("request"))),
        Ok((3, page("http://a.test/1", PAGE))),
        Ok((4, Entry::Skipped("redirect"))),
        Ok((5, Entry::Skipped("error"))),
        Ok((6, Entry::Skipped("robots.txt"))),
        Ok((7, Entry::Skipped("not HTML"))),
        Ok((8, Entry::Skipped("revisit"))),
        Ok((9, Entry::Skipped("metadata"))),
        Ok((10, page("http://a.test/gz", PAGE))),
        Ok((11, page("http://a.test/chunked", b"<html>ok"))),
    ];
    assert_eq!(got, expected);
}

#[test]
fn a_multi_member_gzip_archive_reads_like_the_plain_one() {
    let html = "Content-Type: text/html\r\n";
    let records = vec![
        record("request", "http://a.test/1", b"GET / HTTP/1.1\r\n\r\n"),
        record("response", "http://a.test/1", &http("200 OK", html, PAGE)),
        record("response", "http://a.test/22", &http("200 OK", html, PAGE)),
    ];
    let gz = gzip_members(&records);
    let decoder = std::io::BufReader::new(flate2::read::MultiGzDecoder::new(&gz[..]));
    let mut reader = WarcReader::new(decoder);
    let got: Vec<_> = std::iter::from_fn(|| reader.next_entry())
        .map(|r| r.map_err(|e| e.to_string()))
        .collect();
    assert_eq!(got, entries(&records.concat()));
    assert_eq!(got.len(), 3);
}

#[test]
fn a_truncated_archive_keeps_the_records_before_the_break_and_reports_it() {
    let html = "Content-Type: text/html\r\n";
    let whole = [
        record("response", "http://a.test/1", &http("200 OK", html, PAGE)),
        record("response", "http://a.test/22", &http("200 OK", html, PAGE)),
    ]
    .concat();
    let cut = &whole[..whole.len() - 20];
    let got = entries(cut);
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(got[0], Ok((1, page("http://a.test/1", PAGE))));
    let err = got[1].as_ref().unwrap_err();
    assert!(err.contains("truncated in record 2"), "{err}");

    // Cut inside a gzip member: the same, from the decompressor's end of stream.
    let gz = gzip_members(&[
        record("response", "http://a.test/1", &http("200 OK", html, PAGE)),
        record("response", "http://a.test/22", &http("200 OK", html, PAGE)),
    ]);
    let decoder = std::io::BufReader::new(flate2::read::MultiGzDecoder::new(&gz[..gz.len() - 30]));
    let mut reader = WarcReader::new(decoder);
    let got: Vec<_> = std::iter::from_fn(|| reader.next_entry()).collect();
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(matches!(got[0], Ok((1, Entry::Page(_)))));
    assert!(
        matches!(got[1], Err(WarcError::Truncated { record: 2, .. })),
        "{got:?}"
    );
}

#[test]
fn garbage_where_a_record_should_start_stops_with_a_clear_error() {
    let mut bytes = record("request", "http://a.test/1", b"GET / HTTP/1.1\r\n\r\n");
    bytes.extend_from_slice(b"<html>not a record</html>\n");
    let got = entries(&bytes);
    assert_eq!(got[0], Ok((1, Entry::Skipped("request"))));
    let err = got[1].as_ref().unwrap_err();
    assert!(err.contains("record 2 is malformed"), "{err}");
    assert_eq!(got.len(), 2);
}

#[test]
fn an_oversized_page_is_rejected_without_stopping_the_archive() {
    let html = "Content-Type: text/html\r\n";
    let big = vec![b'a'; MAX_PAGE_BYTES + 1];
    let archive = [
        record("response", "http://a.test/big", &http("200 OK", html, &big)),
        record("response", "http://a.test/1", &http("200 OK", html, PAGE)),
    ]
    .concat();
    let got = entries(&archive);
    assert!(
        matches!(&got[0], Ok((1, Entry::Rejected(why))) if why.contains("limit")),
        "{:?}",
        got[0]
    );
    assert_eq!(got[1], Ok((2, page("http://a.test/1", PAGE))));
}

#[test]
fn a_response_keeps_the_charset_of_its_http_content_type() {
    // UTF-8 bytes under a stale `<meta charset>`: the archived header, which the browser
    // that fetched the page obeyed, outranks the meta tag.
    let body = "<html><head><meta charset=\"iso-8859-1\"></head><body>\
        <p>Café crème, served on the harbour since 1850, every day of the year.</p></body></html>";
    let archive = record(
        "response",
        "http://a.test/cafe",
        &http(
            "200 OK",
            "Content-Type: text/html; charset=UTF-8\r\n",
            body.as_bytes(),
        ),
    );
    let Some(Ok((_, Entry::Page(page)))) = WarcReader::new(&archive[..]).next_entry() else {
        panic!("not a page");
    };
    assert_eq!(page.charset.map(|e| e.name()), Some("UTF-8"));
    let article = crate::page::page_article(&page.html, page.charset, None, None, None).unwrap();
    assert!(article.body.contains("Café crème"), "{:?}", article.body);
}
