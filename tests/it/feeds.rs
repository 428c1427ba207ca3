//! Feeds through the binary: sample feeds, the shared real and hostile feeds, and URL
//! inputs served by a local HTTP server (fetch, `--follow` with ETag, dedup, state file).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::{newsflow, records, repo_root, scratch, shared_dir};

/// The acceptance bound for one hostile input, through the binary.
const MAX_BAD_INPUT_TIME: Duration = Duration::from_secs(10);

/// Strings that must never reach an article's text: live markup and local file content.
const FORBIDDEN_IN_TEXT: [&str; 4] = ["<script", "javascript:", "onload=", "root:x:0:0"];

fn run(args: &[&str]) -> std::process::Output {
    newsflow()
        .arg("run")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn assert_clean_text(what: &str, recs: &[Value], forbidden: &[&str]) {
    for r in recs {
        let text = r["text"].as_str().unwrap().to_lowercase();
        for bad in forbidden {
            assert!(!text.contains(bad), "{what}: {bad:?} in {text:?}");
        }
    }
}

#[test]
fn sample_feeds_print_one_record_per_item() {
    let root = repo_root();
    let rss = root.join("data/samples/wire.rss.xml");
    let atom = root.join("data/samples/newsroom.atom.xml");
    let out = run(&[rss.to_str().unwrap(), atom.to_str().unwrap(), "--ordered"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let recs = records(&out.stdout);
    let ids: Vec<&str> = recs.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "wire-ferry-terminal",
            "wire-lindqvist-funding",
            "https://example.org/wire/tram-vote",
            "urn:example:newsflow:newsroom:grb",
            "urn:example:newsflow:newsroom:night-trains",
        ]
    );
    let first = &recs[0];
    assert_eq!(first["source"], "newsflow sample wire");
    assert_eq!(first["published"], "2026-03-02T08:15:00Z");
    assert_eq!(first["author"], "Morag Duncan");
    let text = first["text"].as_str().unwrap();
    assert!(text.starts_with(
        "Harbour authority approves new ferry terminal in Aberdeen\n\nABERDEEN (newsflow) - The"
    ));
    assert!(text.contains("£120 million") && text.contains("artist’s impression"));
    assert!(
        !text.contains("trackReader") && !text.contains('<'),
        "{text}"
    );
    assert_clean_text("samples", &recs, &FORBIDDEN_IN_TEXT);
}

#[test]
fn a_directory_mixes_feeds_and_json_lines() {
    let dir = scratch("mixed");
    let root = repo_root();
    std::fs::copy(root.join("data/samples/wire.rss.xml"), dir.join("a.dat")).unwrap();
    std::fs::copy(root.join("data/samples/news.jsonl"), dir.join("b.txt")).unwrap();
    std::fs::write(dir.join("c.xml"), "<html><body>not a feed</body></html>").unwrap();
    let dead = dir.join("dead.jsonl");
    let out = run(&[
        dir.to_str().unwrap(),
        "--dead-letter",
        dead.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    // Since pages are an input (issue 14), the HTML file is one article, told from its
    // content whatever its name.
    let recs = records(&out.stdout);
    assert_eq!(recs.len(), 3 + 6 + 1);
    assert!(recs.iter().any(|r| r["text"] == "not a feed"), "{recs:?}");
    assert!(std::fs::read_to_string(&dead)
        .unwrap_or_default()
        .is_empty());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn real_feeds_give_the_reference_item_count_through_the_binary() {
    let Some(shared) = shared_dir("real_feeds_give_the_reference_item_count_through_the_binary")
    else {
        return;
    };
    let dir = shared.join("data/feeds/real");
    let manifest = std::fs::read_to_string(dir.join("MANIFEST.tsv")).unwrap();
    let mut wrong = Vec::new();
    let mut feeds = 0;
    for row in manifest.lines().skip(1).filter(|l| !l.is_empty()) {
        let cells: Vec<&str> = row.split('\t').collect();
        let (file, items) = (cells[0], cells[6].parse::<usize>().unwrap());
        let out = run(&[
            dir.join(file).to_str().unwrap(),
            "--quiet",
            "--workers",
            "1",
        ]);
        assert!(out.status.success(), "{file}");
        let recs = records(&out.stdout);
        if recs.len() != items {
            wrong.push(format!(
                "{file}: {} articles, manifest says {items}",
                recs.len()
            ));
        }
        // Real prose may say "in JavaScript: …"; markup is what must never get through.
        assert_clean_text(file, &recs, &["<script", "<p>", "onload="]);
        feeds += 1;
    }
    assert_eq!(feeds, 42);
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn hostile_inputs_end_quickly_and_report_what_they_reject() {
    let Some(shared) = shared_dir("hostile_inputs_end_quickly_and_report_what_they_reject") else {
        return;
    };
    let dir = shared.join("data/feeds/bad");
    let manifest = std::fs::read_to_string(dir.join("MANIFEST.tsv")).unwrap();
    let scratch = scratch("bad");
    for row in manifest.lines().skip(1).filter(|l| !l.is_empty()) {
        let cells: Vec<&str> = row.split('\t').collect();
        let (file, should) = (cells[0], cells[3]);
        let dead = scratch.join(format!("{file}.dead"));
        let start = Instant::now();
        let out = run(&[
            dir.join(file).to_str().unwrap(),
            "--dead-letter",
            dead.to_str().unwrap(),
        ]);
        let took = start.elapsed();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{file}: {stderr}");
        assert!(took < MAX_BAD_INPUT_TIME, "{file} took {took:?}");
        assert!(!stderr.contains("panicked"), "{file}: {stderr}");
        assert_clean_text(file, &records(&out.stdout), &FORBIDDEN_IN_TEXT);
        let dead = std::fs::read_to_string(&dead).unwrap_or_default();
        // An HTML page is an input since issue 14: one article, not a rejected feed.
        let is_page = file.ends_with(".html") || file.ends_with(".htm");
        if is_page {
            assert!(
                records(&out.stdout).len() == 1 || !dead.is_empty(),
                "{file}: a page must give one article or a rejection"
            );
        } else if should.starts_with("reject") || should.starts_with("skip each bad line") {
            assert!(
                !dead.is_empty(),
                "{file}: manifest says {should:?}; nothing rejected"
            );
            assert!(
                stderr.contains(file),
                "{file}: the error must name the file: {stderr}"
            );
        }
    }
    std::fs::remove_dir_all(&scratch).unwrap();
}

/// The feed the test server currently serves.
struct Served {
    /// The feed's items as (guid, title).
    items: Vec<(String, String)>,
    /// Its ETag.
    etag: String,
    /// The status to answer with instead (404 tests).
    status: u16,
    /// Every request's `If-None-Match` header ("" when absent), in order.
    requests: Vec<String>,
}

/// A one-thread HTTP/1.1 server on 127.0.0.1 that serves [`Served`] as RSS, honouring
/// `If-None-Match`.
fn serve(state: Arc<Mutex<Served>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/feed.xml", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            answer(stream, &state);
        }
    });
    url
}

/// Reads an HTTP/1.1 request's line and headers from `stream` and returns its path (empty
/// when the request is cut short).
fn request_path(stream: &TcpStream) -> String {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request = String::new();
    let _ = reader.read_line(&mut request);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
    }
    request.split(' ').nth(1).unwrap_or("").to_string()
}

fn answer(mut stream: TcpStream, state: &Mutex<Served>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut if_none_match = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("if-none-match:") {
            if_none_match = v.trim().to_string();
        }
    }
    let mut served = state.lock().unwrap();
    served.requests.push(if_none_match.clone());
    let response = if served.status != 200 {
        format!(
            "HTTP/1.1 {} Nope\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
            served.status
        )
    } else if if_none_match == served.etag.to_ascii_lowercase() {
        "HTTP/1.1 304 Not Modified\r\nconnection: close\r\n\r\n".to_string()
    } else {
        let items: String = served
            .items
            .iter()
            .map(|(id, title)| {
                format!("<item><guid>{id}</guid><title>{title}</title><description>Story {id}.</description></item>")
            })
            .collect();
        let body = format!(
            "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Local</title>{items}</channel></rss>"
        );
        format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/rss+xml\r\netag: {}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            served.etag,
            body.len()
        )
    };
    drop(served);
    let _ = stream.write_all(response.as_bytes());
    let _ = stream.flush();
    let mut rest = Vec::new();
    let _ = reader.read_to_end(&mut rest);
}

fn item(id: &str) -> (String, String) {
    (id.to_string(), format!("Title {id}"))
}

/// Polls `cond` until it holds; the bound only turns a hang into a failure.
/// Starts `command` (a `run --follow`) with its stdout read line by line into a shared list
/// as the lines come, so a test can wait for records while the process keeps running.
fn spawn_collecting(
    command: &mut Command,
) -> (
    std::process::Child,
    Arc<Mutex<Vec<String>>>,
    std::thread::JoinHandle<()>,
) {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = Arc::new(Mutex::new(Vec::<String>::new()));
    let reader = {
        let lines = Arc::clone(&lines);
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                lines.lock().unwrap().push(line.unwrap());
            }
        })
    };
    (child, lines, reader)
}

fn wait_until(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn ids(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

#[test]
fn followed_url_emits_only_new_items_and_remembers_them() {
    let state = Arc::new(Mutex::new(Served {
        items: vec![item("a"), item("b")],
        etag: "\"v1\"".into(),
        status: 200,
        requests: Vec::new(),
    }));
    let url = serve(Arc::clone(&state));
    let dir = scratch("follow");
    let state_file = dir.join("state.json");
    let (mut child, lines, reader) = spawn_collecting(
        newsflow()
            .args([
                "run",
                &url,
                "--follow",
                "--interval",
                "1",
                "--quiet",
                "--ordered",
            ])
            .arg("--state")
            .arg(&state_file),
    );
    wait_until("the first two items", || lines.lock().unwrap().len() == 2);
    // The next poll sends the ETag back and gets a 304.
    wait_until("a conditional poll", || {
        state.lock().unwrap().requests.iter().any(|r| r == "\"v1\"")
    });
    {
        let mut served = state.lock().unwrap();
        served.items = vec![item("c"), item("a"), item("b")];
        served.etag = "\"v2\"".into();
    }
    wait_until("the new item", || lines.lock().unwrap().len() == 3);
    wait_until("another conditional poll", || {
        state.lock().unwrap().requests.iter().any(|r| r == "\"v2\"")
    });
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    reader.join().unwrap();
    assert!(status.success(), "exit {status:?}");
    assert_eq!(ids(&lines.lock().unwrap()), ["a", "b", "c"]);

    let saved: Value =
        serde_json::from_str(&std::fs::read_to_string(&state_file).unwrap()).unwrap();
    assert_eq!(saved["feeds"][&url]["etag"], "\"v2\"");
    assert_eq!(
        saved["feeds"][&url]["seen"],
        serde_json::json!(["a", "b", "c"])
    );

    // A later run with the state file sends the stored ETag and prints nothing new; once
    // the feed changes, only the unseen item comes out.
    let out = run(&[&url, "--state", state_file.to_str().unwrap()]);
    assert!(out.status.success());
    assert!(records(&out.stdout).is_empty());
    state.lock().unwrap().items.push(item("d"));
    state.lock().unwrap().etag = "\"v3\"".into();
    let out = run(&[&url, "--state", state_file.to_str().unwrap()]);
    let recs = records(&out.stdout);
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0]["id"], "d");
    assert_eq!(recs[0]["source"], "Local");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn http_error_names_the_url_and_status() {
    let state = Arc::new(Mutex::new(Served {
        items: Vec::new(),
        etag: String::new(),
        status: 404,
        requests: Vec::new(),
    }));
    let url = serve(state);
    let out = run(&[&url]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&url) && stderr.contains("404"), "{stderr}");
}

#[test]
fn follow_without_a_url_is_refused() {
    let sample = repo_root().join("data/samples/wire.rss.xml");
    let out = run(&[sample.to_str().unwrap(), "--follow"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--follow needs"));
}

#[test]
fn follow_accepts_an_upper_case_url_scheme() {
    // `is_url` ignored case but the `--follow` check did not: the input was accepted as a
    // URL and then `--follow` refused it for lacking one.
    let state = Arc::new(Mutex::new(Served {
        items: vec![item("a")],
        etag: "\"v1\"".into(),
        status: 200,
        requests: Vec::new(),
    }));
    let url = serve(state).replacen("http://", "HTTP://", 1);
    let mut child = newsflow()
        .args(["run", &url, "--follow", "--quiet"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(ids(&[first]), ["a"]);
}

/// A one-thread HTTP/1.1 server on 127.0.0.1 for `--fetch-articles`: a feed linking to one
/// page that exists and one that does not, with no robots.txt (404). Returns the feed URL.
fn serve_linked_pages() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let feed = format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Local</title>\
         <item><guid>ok</guid><title>Found</title><link>{base}/ok.html</link><description>Short.</description></item>\
         <item><guid>gone</guid><title>Gone</title><link>{base}/gone.html</link><description>Short.</description></item>\
         </channel></rss>"
    );
    let page = "<html><head><title>Found</title></head><body><article><p>Gordon Brown \
                spoke in London on Tuesday about the budget and the economy of Britain.</p>\
                <p>He said the plan would help families across the country this year.</p>\
                </article></body></html>";
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let path = request_path(&stream);
            let (status, kind, body) = match path.as_str() {
                "/feed.xml" => ("200 OK", "application/rss+xml", feed.as_str()),
                "/ok.html" => ("200 OK", "text/html; charset=utf-8", page),
                _ => ("404 Not Found", "text/plain", "no such page"),
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\ncontent-type: {kind}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.flush();
        }
    });
    format!("{base}/feed.xml")
}

#[test]
fn fetched_pages_are_counted_by_status_in_the_metrics() {
    let url = serve_linked_pages();
    // --follow keeps the run (and its metrics listener) up until SIGTERM.
    let served = crate::serve::start(
        newsflow()
            .args([
                "run",
                &url,
                "--fetch-articles",
                "--follow",
                "--interval",
                "600",
            ])
            .args(["--metrics", "127.0.0.1:0"])
            .stdout(Stdio::null()),
    );
    let text = crate::serve::scrape_until(&served.addr, "both items written", |t| {
        crate::serve::sample(t, "newsflow_articles_written_total{sink=\"stdout\"}") == 2
    });
    let sample = |series| crate::serve::sample(&text, series);
    assert_eq!(
        sample("newsflow_fetches_total{status=\"200\"}"),
        1,
        "{text}"
    );
    // The 404 of robots.txt is not a page: only gone.html's counts.
    assert_eq!(
        sample("newsflow_fetches_total{status=\"404\"}"),
        1,
        "{text}"
    );
    let (status, stderr) = served.terminate();
    assert!(status.success(), "{stderr}");
    assert!(
        stderr.contains("fetched 1 linked pages, 1 kept the feed's text"),
        "{stderr}"
    );
}

/// A site served by [`serve_site`]: what each path answers, and how often it was asked.
#[derive(Default)]
struct Site {
    /// Path → (status line, extra header lines, body); other paths are 404s.
    routes: std::collections::HashMap<String, (String, String, String)>,
    /// Requests per path, counted as they arrive.
    hits: std::collections::HashMap<String, usize>,
}

impl Site {
    fn route(&mut self, path: &str, status: &str, headers: &str, body: &str) {
        self.routes
            .insert(path.into(), (status.into(), headers.into(), body.into()));
    }

    fn hits(&self, path: &str) -> usize {
        self.hits.get(path).copied().unwrap_or(0)
    }
}

/// A one-thread HTTP/1.1 server on 127.0.0.1 answering from `site`; returns its base URL
/// (`http://127.0.0.1:PORT`: two of them are two hosts to a client).
fn serve_site(site: Arc<Mutex<Site>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let path = request_path(&stream);
            let (status, headers, body) = {
                let mut site = site.lock().unwrap();
                *site.hits.entry(path.clone()).or_default() += 1;
                site.routes.get(&path).cloned().unwrap_or_else(|| {
                    ("404 Not Found".into(), String::new(), "no such page".into())
                })
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\n{headers}content-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.flush();
        }
    });
    base
}

/// An RSS feed of (guid, link) items.
fn feed_linking(items: &[(&str, String)]) -> String {
    let items: String = items
        .iter()
        .map(|(id, link)| {
            format!("<item><guid>{id}</guid><title>Item {id}</title><link>{link}</link><description>Summary {id}.</description></item>")
        })
        .collect();
    format!("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Local</title>{items}</channel></rss>")
}

/// An article page about `topic`, long enough to be extracted.
fn article_page(topic: &str) -> String {
    format!(
        "<html><head><title>{topic}</title></head><body><article><p>The council debated \
         the {topic} for most of Tuesday evening and approved it by a narrow margin.</p>\
         <p>Residents said the {topic} would change the town centre for a generation.</p>\
         </article></body></html>"
    )
}

const RSS: &str = "content-type: application/rss+xml\r\n";
const HTML: &str = "content-type: text/html; charset=utf-8\r\n";

#[test]
fn a_page_fetched_in_an_earlier_poll_or_run_is_not_fetched_again() {
    let site = Arc::new(Mutex::new(Site::default()));
    let base = serve_site(Arc::clone(&site));
    let feed_url = format!("{base}/feed.xml");
    let story = format!("{base}/story.html");
    let other = format!("{base}/other.html");
    {
        let mut s = site.lock().unwrap();
        s.route(
            "/feed.xml",
            "200 OK",
            RSS,
            &feed_linking(&[("a", story.clone())]),
        );
        s.route("/story.html", "200 OK", HTML, &article_page("bridge"));
        s.route("/other.html", "200 OK", HTML, &article_page("library"));
        s.route("/new.html", "200 OK", HTML, &article_page("harbour"));
    }
    let dir = scratch("fetch-state");
    let state_file = dir.join("state.json");
    let (mut child, lines, reader) = spawn_collecting(
        newsflow()
            .args(["run", &feed_url, "--fetch-articles", "--follow"])
            .args(["--interval", "1", "--quiet", "--ordered", "--state"])
            .arg(&state_file),
    );
    wait_until("the first item", || lines.lock().unwrap().len() == 1);
    // The next poll: the same page under a new guid (a re-published item), and a new page.
    site.lock().unwrap().route(
        "/feed.xml",
        "200 OK",
        RSS,
        &feed_linking(&[("b", story.clone()), ("c", other.clone())]),
    );
    wait_until("the new page's item", || lines.lock().unwrap().len() == 2);
    // One more poll of the same feed, so a late second fetch would have happened.
    let polls = site.lock().unwrap().hits("/feed.xml");
    wait_until("another poll", || {
        site.lock().unwrap().hits("/feed.xml") > polls + 1
    });
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    reader.join().unwrap();
    assert!(status.success(), "exit {status:?}");
    assert_eq!(ids(&lines.lock().unwrap()), ["a", "c"]);

    // A later run with the state file: both pages are known, only the new one is fetched.
    site.lock().unwrap().route(
        "/feed.xml",
        "200 OK",
        RSS,
        &feed_linking(&[
            ("d", story.clone()),
            ("e", other.clone()),
            ("f", format!("{base}/new.html")),
        ]),
    );
    let out = run(&[
        &feed_url,
        "--fetch-articles",
        "--state",
        state_file.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let recs = records(&out.stdout);
    assert_eq!(recs.len(), 1, "{recs:?}");
    assert_eq!(recs[0]["id"], "f");
    assert!(
        recs[0]["text"].as_str().unwrap().contains("harbour"),
        "{recs:?}"
    );
    let site = site.lock().unwrap();
    for page in ["/story.html", "/other.html", "/new.html"] {
        assert_eq!(
            site.hits(page),
            1,
            "{page} fetched {} times",
            site.hits(page)
        );
    }
    drop(site);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_redirect_to_another_host_obeys_that_hosts_robots_txt() {
    // Two loopback servers on two ports are two hosts (origins are scheme, host and port).
    let shortener = Arc::new(Mutex::new(Site::default()));
    let publisher = Arc::new(Mutex::new(Site::default()));
    let short = serve_site(Arc::clone(&shortener));
    let target = serve_site(Arc::clone(&publisher));
    let feed_url = format!("{short}/feed.xml");
    {
        let mut s = shortener.lock().unwrap();
        s.route(
            "/feed.xml",
            "200 OK",
            RSS,
            &feed_linking(&[
                ("closed", format!("{short}/go/closed")),
                ("open", format!("{short}/go/open")),
            ]),
        );
        // No robots.txt here (404): the shortener allows everything.
        let to = |path: &str| format!("location: {target}{path}\r\n");
        s.route("/go/closed", "302 Found", &to("/private/story.html"), "");
        s.route(
            "/go/open",
            "301 Moved Permanently",
            &to("/public/story.html"),
            "",
        );
    }
    {
        let mut p = publisher.lock().unwrap();
        p.route(
            "/robots.txt",
            "200 OK",
            "content-type: text/plain\r\n",
            "User-agent: *\nDisallow: /private/\n",
        );
        p.route(
            "/private/story.html",
            "200 OK",
            HTML,
            &article_page("bridge"),
        );
        p.route(
            "/public/story.html",
            "200 OK",
            HTML,
            &article_page("library"),
        );
    }
    let out = run(&[&feed_url, "--fetch-articles", "--ordered"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let recs = records(&out.stdout);
    assert_eq!(recs.len(), 2, "{recs:?}");
    let (closed, open) = (&recs[0], &recs[1]);
    assert_eq!(closed["id"], "closed");
    assert_eq!(closed["text_source"], "feed", "{closed}");
    assert!(
        closed["fetch_error"]
            .as_str()
            .is_some_and(|e| e.contains("robots.txt disallows")),
        "{closed}"
    );
    assert!(
        closed["text"].as_str().unwrap().contains("Summary closed."),
        "{closed}"
    );
    // The allowed redirect is followed to the page.
    assert_eq!(open["text_source"], "page", "{open}");
    assert!(open["text"].as_str().unwrap().contains("library"), "{open}");
    let publisher = publisher.lock().unwrap();
    assert_eq!(publisher.hits("/private/story.html"), 0);
    assert_eq!(publisher.hits("/public/story.html"), 1);
    assert_eq!(publisher.hits("/robots.txt"), 1);
}
