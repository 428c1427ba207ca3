//! `--fetch-articles` against a loopback server this test starts: robots.txt obeyed, at
//! most two requests at a time to the host, and every failure kept as the feed's text.

use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::Notify;

use super::*;

/// What the server saw.
#[derive(Default)]
struct Seen {
    /// Requests being answered right now.
    active: AtomicUsize,
    /// The most answered at once.
    max_active: AtomicUsize,
    /// Page requests still to come (the server holds each answer until a second request
    /// is in flight or none is left, so a client that allows two is seen to use two).
    remaining_pages: AtomicUsize,
    /// robots.txt requests.
    robots: AtomicUsize,
    /// Woken whenever `active` or `remaining_pages` changes.
    changed: Notify,
    /// Request paths in arrival order.
    paths: Mutex<Vec<String>>,
}

fn page(n: usize) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><title>Page {n}</title></head><body>\
         <nav><a href=\"/\">Home</a></nav><article><h1>Page {n}</h1>\
         <p>The harbour authority of town {n} approved the new ferry terminal on Monday after a long debate.</p>\
         <p>Construction starts in spring and should take two years, the mayor said.</p></article></body></html>"
    )
}

async fn answer(stream: tokio::net::TcpStream, seen: Arc<Seen>) {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    let mut request = String::new();
    if reader.read_line(&mut request).await.unwrap_or(0) == 0 {
        return;
    }
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).await.unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
    }
    let path = request.split_whitespace().nth(1).unwrap_or("/").to_string();
    seen.paths.lock().unwrap().push(path.clone());
    let now = seen.active.fetch_add(1, Ordering::SeqCst) + 1;
    seen.max_active.fetch_max(now, Ordering::SeqCst);
    seen.changed.notify_waiters();
    let (status, kind, body) = if path == "/robots.txt" {
        seen.robots.fetch_add(1, Ordering::SeqCst);
        (
            "200 OK",
            "text/plain",
            "User-agent: *\nDisallow: /private/\n".to_string(),
        )
    } else if path == "/slow" {
        // Never answers: only the client's timeout ends this request.
        std::future::pending::<()>().await;
        unreachable!()
    } else if let Some(n) = path.strip_prefix("/page/") {
        let left = seen.remaining_pages.fetch_sub(1, Ordering::SeqCst) - 1;
        seen.changed.notify_waiters();
        let mut left = left;
        loop {
            let notified = seen.changed.notified();
            if seen.active.load(Ordering::SeqCst) >= 2 || left == 0 {
                break;
            }
            notified.await;
            left = seen.remaining_pages.load(Ordering::SeqCst);
        }
        (
            "200 OK",
            "text/html; charset=windows-1252",
            page(n.parse().unwrap()),
        )
    } else if path == "/data.json" {
        ("200 OK", "application/json", "{}".to_string())
    } else {
        (
            "404 Not Found",
            "text/html",
            "<html><body>gone</body></html>".to_string(),
        )
    };
    let response = format!(
        "HTTP/1.1 {status}\r\ncontent-type: {kind}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    seen.active.fetch_sub(1, Ordering::SeqCst);
    seen.changed.notify_waiters();
    let _ = write.write_all(response.as_bytes()).await;
    let _ = write.shutdown().await;
}

async fn serve(seen: Arc<Seen>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(answer(stream, Arc::clone(&seen)));
        }
    });
    base
}

fn item(id: &str, url: Option<String>) -> Article {
    Article {
        id: id.into(),
        title: Some(format!("Feed title {id}")),
        url,
        body: format!("Summary of {id}."),
        ..Article::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn linked_pages_replace_summaries_politely_and_failures_keep_the_feed_text() {
    const PAGES: usize = 6;
    let seen = Arc::new(Seen::default());
    seen.remaining_pages.store(PAGES, Ordering::SeqCst);
    let base = serve(Arc::clone(&seen)).await;
    let mut items: Vec<Article> = (1..=PAGES)
        .map(|n| item(&format!("p{n}"), Some(format!("{base}/page/{n}"))))
        .collect();
    items.push(item("private", Some(format!("{base}/private/secret"))));
    items.push(item("missing", Some(format!("{base}/missing"))));
    items.push(item("json", Some(format!("{base}/data.json"))));
    items.push(item("slow", Some(format!("{base}/slow"))));
    items.push(item("nolink", None));
    let options = FetchOptions {
        timeout: Duration::from_millis(300),
        ..FetchOptions::default()
    };
    let counts = Arc::new(InputCounts::default());
    let fetcher = PageFetcher::new(&options, "newsflow-test/1.0", Arc::clone(&counts)).unwrap();
    let got = fetcher.enrich_all(items).await;

    let ids: Vec<&str> = got.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(
        ids,
        ["p1", "p2", "p3", "p4", "p5", "p6", "private", "missing", "json", "slow", "nolink"]
    );
    for a in &got[..PAGES] {
        assert_eq!(a.extra[crate::page::TEXT_SOURCE], "page", "{a:?}");
        assert!(a.body.contains("ferry terminal"), "{:?}", a.body);
        assert!(!a.body.contains("Home"), "{:?}", a.body);
        assert!(a.extra.get(crate::page::FETCH_ERROR).is_none());
    }
    let error = |i: usize| {
        got[i].extra[crate::page::FETCH_ERROR]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(error(6).contains("robots.txt disallows"), "{}", error(6));
    assert!(error(7).contains("404"), "{}", error(7));
    assert!(error(8).contains("not HTML"), "{}", error(8));
    assert!(!error(9).is_empty());
    for a in &got[6..10] {
        assert_eq!(a.extra[crate::page::TEXT_SOURCE], Value::from("feed"));
        assert!(a.body.starts_with("Summary of"), "{a:?}");
        assert!(a
            .title
            .as_deref()
            .is_some_and(|t| t.starts_with("Feed title")));
    }
    assert!(
        got[10].extra.is_empty(),
        "an item without a link is left alone"
    );

    assert_eq!(
        seen.robots.load(Ordering::SeqCst),
        1,
        "robots.txt once per host"
    );
    let paths = seen.paths.lock().unwrap().clone();
    assert!(
        !paths.iter().any(|p| p.starts_with("/private")),
        "{paths:?}"
    );
    assert_eq!(
        paths[0], "/robots.txt",
        "robots.txt is read before any page"
    );
    assert_eq!(
        seen.max_active.load(Ordering::SeqCst),
        2,
        "at most two at a time"
    );
    let described = counts.describe().join("\n");
    assert!(
        described.contains("fetched 6 linked pages, 4 kept"),
        "{described}"
    );
}
