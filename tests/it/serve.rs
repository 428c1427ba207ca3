//! `newsflow serve` and `run --metrics` over real HTTP on 127.0.0.1: the analyze record,
//! bad input, backpressure, SIGTERM draining, and metrics that equal the run summary.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::{newsflow, run_with_stdin, scratch, shared_dir};

/// One HTTP response: status, headers (lower-case names) and body.
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// A minimal HTTP/1.1 client: one request per connection, `Connection: close`.
pub fn http(addr: &str, method: &str, path: &str, body: &[u8]) -> Reply {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .unwrap();
    // The server may answer (413) before reading the whole body and close.
    let _ = stream.write_all(body);
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).to_string();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {text:?}"));
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_lowercase(), v.trim().to_string()))
        .collect();
    Reply {
        status,
        headers,
        body: body.to_string(),
    }
}

/// A running `newsflow` with an HTTP listener, its address read from stderr.
pub struct Served {
    pub child: Child,
    pub addr: String,
    pub stderr: std::thread::JoinHandle<String>,
}

/// Starts `cmd` (which must print `http://ADDR` on stderr) and waits for the address.
pub fn start(cmd: &mut Command) -> Served {
    let mut child = cmd.stderr(Stdio::piped()).spawn().unwrap();
    let pipe = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let stderr = std::thread::spawn(move || {
        let mut all = String::new();
        for line in BufReader::new(pipe).lines() {
            let line = line.unwrap_or_default();
            if let Some(at) = line.find("http://") {
                let addr: String = line[at + 7..]
                    .chars()
                    .take_while(|c| *c != '/' && !c.is_whitespace())
                    .collect();
                let _ = tx.send(addr);
            }
            all.push_str(&line);
            all.push('\n');
        }
        all
    });
    let addr = rx
        .recv_timeout(Duration::from_secs(120))
        .expect("the listener never started");
    Served {
        child,
        addr,
        stderr,
    }
}

impl Served {
    /// SIGTERM, then the exit status and stderr.
    pub fn terminate(mut self) -> (std::process::ExitStatus, String) {
        let ok = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(ok.success());
        let status = self.child.wait().unwrap();
        (status, self.stderr.join().unwrap())
    }
}

/// Scrapes `/metrics` until `done` holds (each scrape is a real round trip), or fails.
pub fn scrape_until(addr: &str, what: &str, done: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let text = http(addr, "GET", "/metrics", b"").body;
        if done(&text) {
            return text;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}:\n{text}"
        );
    }
}

/// The value of one sample line (`name{labels}`) in a metrics text, 0 when absent.
pub fn sample(text: &str, series: &str) -> u64 {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.trim().parse::<f64>().ok())
        .map_or(0, |v| v as u64)
}

fn serve(extra: &[&str]) -> Command {
    let mut cmd = newsflow();
    cmd.args(["serve", "--listen", "127.0.0.1:0"]).args(extra);
    cmd
}

#[test]
fn analyze_returns_the_record_run_writes_for_the_seed_article() {
    let Some(shared) = shared_dir("analyze_returns_the_record_run_writes_for_the_seed_article")
    else {
        return;
    };
    let body = std::fs::read_to_string(shared.join("data/samples/seed_article.txt")).unwrap();
    let input = serde_json::json!({"id": "seed", "body": body}).to_string();
    let out = run_with_stdin(&["run", "-q"], &format!("{input}\n"));
    let from_run = String::from_utf8(out.stdout).unwrap();
    let served = start(serve(&["--sink", "stdout"]).stdout(Stdio::null()));
    let reply = http(&served.addr, "POST", "/v1/analyze", input.as_bytes());
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert_eq!(reply.body, from_run.trim_end());
    let (status, stderr) = served.terminate();
    assert!(status.success(), "{stderr}");
}

#[test]
fn bad_requests_get_a_json_4xx_naming_the_problem() {
    let served = start(serve(&["--body-limit", "1000"]).stdout(Stdio::null()));
    let a = served.addr.clone();
    let check = |method: &str, path: &str, body: &[u8], status: u16, says: &str| {
        let reply = http(&a, method, path, body);
        assert_eq!(reply.status, status, "{method} {path}: {}", reply.body);
        let error = reply.json()["error"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(
            error.contains(says),
            "{method} {path}: {error:?} lacks {says:?}"
        );
    };
    check(
        "POST",
        "/v1/analyze",
        b"this is not json",
        400,
        "invalid JSON",
    );
    check("POST", "/v1/analyze", b"", 400, "no text");
    check("POST", "/v1/analyze", b"{\"id\":\"x\"}", 400, "");
    check("POST", "/v1/analyze", b"\xff\xfe{}", 400, "UTF-8");
    check("POST", "/v1/articles", b"  \n\n", 400, "no text");
    let big = format!(r#"{{"id":"big","body":"{}"}}"#, "word ".repeat(400));
    check(
        "POST",
        "/v1/analyze",
        big.as_bytes(),
        413,
        "limit of 1000 bytes",
    );
    check(
        "POST",
        "/v1/articles",
        big.as_bytes(),
        413,
        "limit of 1000 bytes",
    );
    check("GET", "/v1/analyze", b"", 405, "not allowed");
    check("GET", "/nowhere", b"", 404, "no route");
    let doc = http(&a, "GET", "/openapi.json", b"").json();
    assert!(doc["paths"]["/v1/articles"]["post"].is_object());
    assert_eq!(http(&a, "GET", "/health", b"").status, 200);
    let (status, stderr) = served.terminate();
    assert!(status.success(), "{stderr}");
}

#[test]
fn full_queue_answers_503_and_accepted_articles_survive_sigterm() {
    // stdout is a pipe nobody reads yet: once its buffer is full the sink blocks, the
    // bounded queues fill behind it, and the API must refuse rather than buffer.
    let mut served = start(
        serve(&[
            "--sink",
            "stdout",
            "--workers",
            "1",
            "--queue",
            "1",
            "--batch",
            "1",
            "--accept-queue",
            "2",
        ])
        .stdout(Stdio::piped()),
    );
    let text = "Gordon Brown spoke in London about the budget on Tuesday. ".repeat(150);
    let mut accepted = Vec::new();
    let refused = loop {
        assert!(accepted.len() < 2000, "the queue never filled");
        let id = format!("a{}", accepted.len());
        let line = serde_json::json!({"id": id, "body": text}).to_string();
        let reply = http(&served.addr, "POST", "/v1/articles", line.as_bytes());
        match reply.status {
            202 => {
                assert_eq!(reply.json()["accepted"], 1);
                accepted.push(id);
            }
            _ => break reply,
        }
    };
    assert_eq!(refused.status, 503, "{}", refused.body);
    assert_eq!(refused.header("retry-after"), Some("1"));
    assert!(refused.json()["error"]
        .as_str()
        .unwrap()
        .contains("queue full"));

    let stdout = served.child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        BufReader::new(stdout)
            .lines()
            .map(|l| serde_json::from_str::<Value>(&l.unwrap()).unwrap()["id"].to_string())
            .collect::<Vec<_>>()
    });
    let (status, stderr) = served.terminate();
    assert!(status.success(), "{stderr}");
    let mut written = reader.join().unwrap();
    written.sort();
    let mut expected: Vec<String> = accepted.iter().map(|id| format!("\"{id}\"")).collect();
    expected.sort();
    assert_eq!(written, expected, "every 202 article is written, once");
}

#[test]
fn posted_bbc_articles_are_all_in_sqlite_after_sigterm() {
    let Some(shared) = shared_dir("posted_bbc_articles_are_all_in_sqlite_after_sigterm") else {
        return;
    };
    let corpus =
        std::fs::read_to_string(shared.join("data/news/bbc_news_2004_2005.jsonl")).unwrap();
    let body: String = corpus.lines().take(300).map(|l| format!("{l}\n")).collect();
    let dir = scratch("serve_bbc");
    let db = dir.join("out.db");
    let served = start(serve(&[&format!("--sink=sqlite:{}", db.display())]).stdout(Stdio::null()));
    let reply = http(&served.addr, "POST", "/v1/articles", body.as_bytes());
    assert_eq!(reply.status, 202, "{}", reply.body);
    assert_eq!(
        (
            reply.json()["accepted"].as_u64(),
            reply.json()["rejected"].as_u64()
        ),
        (Some(300), Some(0))
    );
    let (status, stderr) = served.terminate();
    assert!(status.success(), "{stderr}");
    let sqlite = rusqlite::Connection::open(&db).unwrap();
    let n: i64 = sqlite
        .query_row("SELECT count(*) FROM articles", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 300);
}

#[test]
fn metrics_counters_equal_the_run_summary() {
    let mut served = start(
        newsflow()
            .args(["run", "--metrics", "127.0.0.1:0", "--sink", "stdout"])
            .args(["--languages", "en"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null()),
    );
    let a = served.addr.clone();
    let mut stdin = served.child.stdin.take().unwrap();
    for i in 0..20 {
        writeln!(
            stdin,
            r#"{{"id":"m{i}","body":"Angela Merkel visited Paris on Tuesday and said that the talks with the French president had been very good for both of the countries. Story {i}."}}"#
        )
        .unwrap();
    }
    writeln!(stdin, "not json").unwrap();
    writeln!(stdin, r#"{{"id":"empty"}}"#).unwrap();
    // Not English, so `--languages en` passes them over: counted, neither written nor rejected.
    for i in 0..3 {
        writeln!(
            stdin,
            r#"{{"id":"de{i}","body":"Die Bundesregierung hat am Dienstag in Berlin beschlossen, dass die Steuern in diesem Jahr nicht erhöht werden. Der Minister sagte, das sei gut für die Wirtschaft und für die Menschen im Land."}}"#
        )
        .unwrap();
    }
    stdin.flush().unwrap();
    assert_eq!(http(&a, "GET", "/health", b"").status, 200);
    let text = scrape_until(&a, "25 records resolved", |t| {
        sample(t, "newsflow_articles_written_total{sink=\"stdout\"}")
            + sample(t, "newsflow_rejected_total{reason=\"invalid\"}")
            + sample(t, "newsflow_skipped_total{reason=\"language\"}")
            == 25
    });
    assert_eq!(http(&a, "GET", "/ready", b"").status, 200);
    drop(stdin);
    let status = served.child.wait().unwrap();
    let stderr = served.stderr.join().unwrap();
    assert!(status.success(), "{stderr}");
    let summary = stderr
        .lines()
        .find(|l| l.contains(" articles, "))
        .unwrap_or_else(|| panic!("no summary in {stderr}"));
    let expected = format!(
        "newsflow: {} articles, {} sentences, {} tokens, {} entities, {} rejected",
        sample(&text, "newsflow_articles_written_total{sink=\"stdout\"}"),
        sample(&text, "newsflow_sentences_total"),
        sample(&text, "newsflow_tokens_total"),
        sample(&text, "newsflow_entities_total"),
        sample(&text, "newsflow_rejected_total{reason=\"invalid\"}"),
    );
    assert!(summary.starts_with(&expected), "{summary} vs {expected}");
    let skipped = sample(&text, "newsflow_skipped_total{reason=\"language\"}");
    // The summary of a run under a second (MIN_RATE_RUN) leaves its skip count out, so the
    // metric is checked against the three German articles sent.
    assert_eq!(skipped, 3, "{text}");
    assert_eq!(
        sample(&text, "newsflow_articles_read_total{source=\"inputs\"}"),
        25
    );
    assert!(
        text.contains("newsflow_stage_seconds_count{stage=\"tag\"} 20"),
        "{text}"
    );
    assert!(text.contains("newsflow_queue_depth{queue=\"source\"}"));
    assert!(text.contains("newsflow_sink_write_seconds_count{sink=\"stdout\"}"));
}

#[test]
fn concurrent_analyze_calls_of_bbc_articles_all_succeed() {
    let Some(shared) = shared_dir("concurrent_analyze_calls_of_bbc_articles_all_succeed") else {
        return;
    };
    const CLIENTS: usize = 8;
    const CALLS: usize = 25;
    let corpus =
        std::fs::read_to_string(shared.join("data/news/bbc_news_2004_2005.jsonl")).unwrap();
    let articles: Vec<String> = corpus
        .lines()
        .take(CLIENTS * CALLS)
        .map(str::to_string)
        .collect();
    let served = start(serve(&[]).stdout(Stdio::null()));
    let failures: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = articles
            .chunks(CALLS)
            .map(|mine| {
                let addr = served.addr.as_str();
                scope.spawn(move || {
                    mine.iter()
                        .filter_map(|article| {
                            let reply = http(addr, "POST", "/v1/analyze", article.as_bytes());
                            let sent: Value = serde_json::from_str(article).unwrap();
                            let ok = reply.status == 200 && reply.json()["id"] == sent["id"];
                            (!ok).then(|| format!("{}: {}", reply.status, reply.body))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert!(
        failures.is_empty(),
        "{} failed: {:?}",
        failures.len(),
        failures.first()
    );
    let (status, stderr) = served.terminate();
    assert!(status.success(), "{stderr}");
}
