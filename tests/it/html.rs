//! The `html:` report of the first 300 BBC articles, opened in headless Chromium.
//!
//! Chromium is driven over the DevTools protocol (a WebSocket on `--remote-debugging-port`)
//! rather than its `--screenshot`/`--dump-dom` flags, because only the protocol reports
//! console errors, uncaught exceptions, blocked and failed loads reliably, and it lets the
//! test count elements in the live DOM after the page's script ran. The client is a few
//! blocking calls over `tungstenite`; Chromium is killed by a drop guard, every read has a
//! timeout and the whole session a deadline, so a stuck browser fails the test instead of
//! hanging CI.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{json, Value};
use tungstenite::{Message, WebSocket};

use crate::support::{newsflow, run_ok, scratch, shared_dir};

/// Articles in the report, as the issue's acceptance criterion says.
const ARTICLES: usize = 300;

/// How long Chromium may take to start and print its DevTools address.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(30);

/// The whole browser session must end by then, so a stuck Chromium fails instead of hanging.
const SESSION_DEADLINE: Duration = Duration::from_secs(120);

/// Longest wait for any one DevTools message.
const READ_TIMEOUT: Duration = Duration::from_secs(30);

/// The viewport, and so the screenshot: wide enough for the text and the side panel.
const VIEWPORT: (u32, u32) = (1400, 2000);

/// A blank or nearly blank 1400×2000 PNG compresses to a few KB; a page of highlighted text
/// is well over this.
const MIN_SCREENSHOT_BYTES: usize = 60_000;

/// Whether CI is running us: then every check must run, nothing may be skipped.
fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// The `chromium` executable on `PATH`; a missing one skips the test with a printed reason
/// outside CI and fails it in CI (where `.ci/run` installs it).
fn chromium(test: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("chromium"))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        let why = "chromium is not installed (apt-get install chromium)";
        if in_ci() {
            panic!("{test}: {why}; CI must run the browser test");
        }
        eprintln!("SKIPPED {test}: {why}");
    }
    found
}

/// A headless Chromium started for one test, killed (with its whole process group) when
/// dropped, whatever happened in between.
struct Chromium {
    /// The browser process, leader of its own process group.
    child: Child,
    /// Its throwaway profile directory.
    profile: PathBuf,
    /// Everything it printed on stderr, for failure messages.
    log: Arc<Mutex<Vec<String>>>,
}

impl Chromium {
    /// Starts Chromium on an ephemeral DevTools port and returns it with the browser's
    /// WebSocket address, read from the line Chromium prints when it listens.
    fn launch(bin: &Path, profile: PathBuf) -> (Self, String) {
        std::fs::create_dir_all(&profile).unwrap();
        let mut child = Command::new(bin)
            .args([
                "--headless",
                // We run as root in CI containers, where the sandbox cannot start.
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-extensions",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--mute-audio",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--window-size={},{}", VIEWPORT.0, VIEWPORT.1))
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            // Its own group, so the renderer and helper processes can be killed with it.
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
        let log = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = mpsc::channel();
        let stderr = child.stderr.take().unwrap();
        let lines = Arc::clone(&log);
        // Keep draining stderr for the browser's whole life, or it would block on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(at) = line.find("ws://") {
                    let _ = tx.send(line[at..].trim().to_string());
                }
                lines.lock().unwrap().push(line);
            }
        });
        let chromium = Self {
            child,
            profile,
            log,
        };
        let url = rx.recv_timeout(STARTUP_TIMEOUT).unwrap_or_else(|_| {
            panic!(
                "chromium printed no DevTools address within {STARTUP_TIMEOUT:?}:\n{}",
                chromium.log()
            )
        });
        (chromium, url)
    }

    /// The last lines Chromium printed (the first ones are start-up noise such as D-Bus
    /// warnings).
    fn log(&self) -> String {
        let lines = self.log.lock().map(|l| l.clone()).unwrap_or_default();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }
}

impl Drop for Chromium {
    fn drop(&mut self) {
        // The group id is the browser's pid (`process_group(0)`): this ends exactly the
        // processes this test started.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// A minimal DevTools protocol client: numbered calls, events kept for later inspection.
struct DevTools {
    /// The browser-wide connection; page commands carry a `sessionId` (flat sessions).
    ws: WebSocket<TcpStream>,
    /// Id of the next call.
    next_id: u64,
    /// Every event received so far, in order.
    events: Vec<Value>,
    /// When the session must be over.
    deadline: Instant,
}

impl DevTools {
    fn connect(url: &str) -> Self {
        let addr = url
            .strip_prefix("ws://")
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_else(|| panic!("unexpected DevTools address {url}"));
        let stream = TcpStream::connect(addr).unwrap();
        stream.set_read_timeout(Some(READ_TIMEOUT)).unwrap();
        stream.set_write_timeout(Some(READ_TIMEOUT)).unwrap();
        let (ws, _) = tungstenite::client(url, stream).unwrap();
        Self {
            ws,
            next_id: 1,
            events: Vec::new(),
            deadline: Instant::now() + SESSION_DEADLINE,
        }
    }

    /// The next message from the browser.
    fn read(&mut self) -> Value {
        loop {
            assert!(
                Instant::now() < self.deadline,
                "the browser session took longer than {SESSION_DEADLINE:?}"
            );
            match self.ws.read() {
                Ok(Message::Text(text)) => return serde_json::from_str(text.as_str()).unwrap(),
                Ok(Message::Close(frame)) => panic!("DevTools closed the connection: {frame:?}"),
                Ok(_) => continue,
                Err(e) => panic!("no DevTools message (timeout {READ_TIMEOUT:?}): {e}"),
            }
        }
    }

    /// Calls `method` (on the page when `session` is given) and returns its result.
    fn call(&mut self, session: Option<&str>, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let mut message = json!({"id": id, "method": method, "params": params});
        if let Some(session) = session {
            message["sessionId"] = json!(session);
        }
        self.ws
            .send(Message::text(message.to_string()))
            .unwrap_or_else(|e| panic!("cannot send {method}: {e}"));
        loop {
            let reply = self.read();
            if reply["id"] == json!(id) {
                if let Some(error) = reply.get("error") {
                    panic!("{method} failed: {error}");
                }
                return reply["result"].clone();
            }
            if reply.get("method").is_some() {
                self.events.push(reply);
            }
        }
    }

    /// Waits for the event `method` (perhaps already received).
    fn wait_for(&mut self, method: &str) -> Value {
        if let Some(event) = self.events.iter().find(|e| e["method"] == method) {
            return event.clone();
        }
        loop {
            let message = self.read();
            let found = message["method"] == method;
            if message.get("method").is_some() {
                self.events.push(message.clone());
            }
            if found {
                return message;
            }
        }
    }

    /// Evaluates `expression` in the page and returns its value.
    fn evaluate(&mut self, session: &str, expression: &str) -> Value {
        let result = self.call(
            Some(session),
            "Runtime.evaluate",
            json!({"expression": expression, "returnByValue": true, "awaitPromise": true}),
        );
        if let Some(exception) = result.get("exceptionDetails") {
            panic!("evaluating {expression} threw: {exception}");
        }
        result["result"]["value"].clone()
    }

    /// Console errors, uncaught exceptions, error log entries (blocked loads, policy
    /// violations) and failed requests seen so far.
    fn problems(&self) -> Vec<String> {
        self.events
            .iter()
            .filter_map(|e| {
                let p = &e["params"];
                match e["method"].as_str()? {
                    "Runtime.consoleAPICalled"
                        if matches!(p["type"].as_str(), Some("error" | "assert")) =>
                    {
                        Some(format!("console.{}: {}", p["type"], p["args"]))
                    }
                    "Runtime.exceptionThrown" => {
                        Some(format!("exception: {}", p["exceptionDetails"]))
                    }
                    "Log.entryAdded" if p["entry"]["level"] == "error" => {
                        Some(format!("log error: {}", p["entry"]))
                    }
                    "Network.loadingFailed" => Some(format!("failed load: {p}")),
                    _ => None,
                }
            })
            .collect()
    }
}

/// What the report should show, counted from the JSON Lines written in the same run.
#[derive(Debug, Default)]
struct Expected {
    /// Entities by label.
    labels: HashMap<String, u64>,
    /// Quotations in all.
    quotes: u64,
    /// Quotations with a speaker (a resolved one or at least the speaker's words).
    attributed: u64,
    /// (entities, quotes) by article id.
    by_article: HashMap<String, (u64, u64)>,
    /// Articles by language, `none` for those too short to tell.
    languages: HashMap<String, u64>,
}

fn expected(jsonl: &Path) -> Expected {
    let mut expected = Expected::default();
    for line in std::fs::read_to_string(jsonl).unwrap().lines() {
        let record: Value = serde_json::from_str(line).unwrap();
        let entities = record["entities"].as_array().unwrap();
        let quotes = record["quotes"].as_array().unwrap();
        expected.attributed += quotes
            .iter()
            .filter(|q| {
                !q["speaker_canonical"].is_null()
                    || q["speaker"].as_str().is_some_and(|s| !s.is_empty())
            })
            .count() as u64;
        let quotes = quotes.len() as u64;
        for e in entities {
            let label = e["label"].as_str().unwrap().to_string();
            *expected.labels.entry(label).or_default() += 1;
        }
        expected.quotes += quotes;
        let lang = record["lang"].as_str().unwrap_or("none").to_string();
        *expected.languages.entry(lang).or_default() += 1;
        let id = record["id"].as_str().unwrap().to_string();
        let previous = expected
            .by_article
            .insert(id.clone(), (entities.len() as u64, quotes));
        assert!(previous.is_none(), "article id {id} twice in the input");
    }
    expected
}

/// Counts what the page shows, from the live DOM.
const DOM_COUNTS: &str = r#"(() => {
  const all = (selector, root) => [...(root || document).querySelectorAll(selector)];
  const labels = {};
  for (const mark of all('mark.ent:not(.cont)')) {
    labels[mark.dataset.label] = (labels[mark.dataset.label] || 0) + 1;
  }
  const stat = (name) => Number(document.querySelector(`#panel dd[data-stat="${name}"]`).textContent);
  const per = document.querySelector('mark.ent-PER');
  return {
    articles: all('article.doc').length,
    labels,
    quotes: all('.quote:not(.cont)').length,
    attributed: all('.quote:not(.cont):not(.unattributed)').length,
    by_article: all('article.doc').map((a) => [
      a.dataset.id,
      all('mark.ent:not(.cont)', a).length,
      all('.quote:not(.cont)', a).length,
    ]),
    panel_entries: all('#panel li.top').length,
    badges: all('article.doc').filter((a) => all('span.lang', a).length === 1).length,
    languages: Object.fromEntries(all('dl.langs dd').map((d) => [d.dataset.lang, Number(d.textContent)])),
    stats: [stat('articles'), stat('entities'), stat('quotes'), stat('attributed-quotes')],
    per_background: per && getComputedStyle(per).backgroundColor,
    panel_position: getComputedStyle(document.getElementById('panel')).position,
  };
})()"#;

/// Clicks the PER legend button and says how many PER highlights it switched off.
const TOGGLE_PER: &str = r#"(() => {
  document.querySelector('#legend button[data-label="PER"]').click();
  const off = document.querySelectorAll('mark.ent-PER.off').length;
  document.querySelector('#legend button[data-label="PER"]').click();
  return [off, document.querySelectorAll('mark.ent-PER.off').length];
})()"#;

/// Where the screenshot goes: `target/ci-artifacts/`, beside the build's other output.
fn artifact_path() -> PathBuf {
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("target"));
    target.join("ci-artifacts").join("html-report.png")
}

#[test]
fn html_report_of_300_bbc_articles_renders_in_chromium() {
    let test = "html_report_of_300_bbc_articles_renders_in_chromium";
    let Some(shared) = shared_dir(test) else {
        return;
    };
    let Some(chromium_bin) = chromium(test) else {
        return;
    };
    let dir = scratch("html-report");

    // The first 300 articles of the BBC set.
    let bbc = std::fs::read_to_string(shared.join("data/news/bbc_news_2004_2005.jsonl")).unwrap();
    let input = dir.join("bbc300.jsonl");
    let mut file = std::fs::File::create(&input).unwrap();
    for line in bbc.lines().take(ARTICLES) {
        writeln!(file, "{line}").unwrap();
    }
    drop(file);

    let report = dir.join("report.html");
    let jsonl = dir.join("out.jsonl");
    run_ok(
        newsflow()
            .arg("run")
            .arg(&input)
            .arg("--sink")
            .arg(format!("html:{}", report.display()))
            .arg("--sink")
            .arg(format!("jsonl:{}", jsonl.display()))
            .arg("--quiet"),
    );
    assert!(
        !dir.join("report.html.tmp").exists(),
        "the temporary report is left behind"
    );
    let expected = expected(&jsonl);
    assert_eq!(expected.by_article.len(), ARTICLES);

    let (browser, ws_url) = Chromium::launch(&chromium_bin, dir.join("profile"));
    let mut devtools = DevTools::connect(&ws_url);
    let target = devtools.call(None, "Target.createTarget", json!({"url": "about:blank"}));
    let attached = devtools.call(
        None,
        "Target.attachToTarget",
        json!({"targetId": target["targetId"], "flatten": true}),
    );
    let session = attached["sessionId"].as_str().unwrap().to_string();
    let page = Some(session.as_str());
    for domain in ["Page", "Runtime", "Log", "Network"] {
        devtools.call(page, &format!("{domain}.enable"), json!({}));
    }
    devtools.call(
        page,
        "Emulation.setDeviceMetricsOverride",
        json!({"width": VIEWPORT.0, "height": VIEWPORT.1, "deviceScaleFactor": 1, "mobile": false}),
    );
    let navigated = devtools.call(
        page,
        "Page.navigate",
        json!({"url": format!("file://{}", report.display())}),
    );
    assert!(
        navigated.get("errorText").is_none(),
        "cannot open the report: {navigated}"
    );
    devtools.wait_for("Page.loadEventFired");

    let dom = devtools.evaluate(&session, DOM_COUNTS);
    let toggled = devtools.evaluate(&session, TOGGLE_PER);
    let shot = devtools.call(page, "Page.captureScreenshot", json!({"format": "png"}));
    let png = base64::engine::general_purpose::STANDARD
        .decode(shot["data"].as_str().unwrap())
        .unwrap();
    // One more round trip, so that anything the page logged late has arrived.
    devtools.evaluate(&session, "1");
    let problems = devtools.problems();
    let log = browser.log();
    drop(browser);

    let path = artifact_path();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, &png).unwrap();
    eprintln!("screenshot of the HTML report: {}", path.display());

    assert!(
        problems.is_empty(),
        "the report logged errors in Chromium:\n{}\n\nchromium stderr:\n{log}",
        problems.join("\n")
    );
    assert_eq!(dom["articles"], json!(ARTICLES), "{dom}");

    // Highlights: the same entities, label by label, as the JSON Lines of the same run.
    let dom_labels: HashMap<String, u64> = serde_json::from_value(dom["labels"].clone()).unwrap();
    assert_eq!(dom_labels, expected.labels);
    for label in ["PER", "ORG", "LOC"] {
        assert!(
            expected.labels.get(label).copied().unwrap_or(0) > 0,
            "no {label} entities in 300 BBC articles: {:?}",
            expected.labels
        );
    }
    let total: u64 = expected.labels.values().sum();

    // Quotations, with their speakers, as the quote stage found them.
    assert!(expected.quotes > 0, "no quotes in 300 BBC articles");
    assert_eq!(dom["quotes"], json!(expected.quotes));
    assert_eq!(dom["attributed"], json!(expected.attributed));
    assert_eq!(
        dom["stats"],
        json!([ARTICLES, total, expected.quotes, expected.attributed]),
        "run totals in the panel"
    );
    for row in dom["by_article"].as_array().unwrap() {
        let id = row[0].as_str().unwrap();
        let counts = (row[1].as_u64().unwrap(), row[2].as_u64().unwrap());
        assert_eq!(
            Some(&counts),
            expected.by_article.get(id),
            "entities and quotes of article {id}"
        );
    }

    // The side panel lists entities and stands beside the articles; highlights are coloured
    // (displaCy's PER violet) and the legend's filter script works.
    assert!(dom["panel_entries"].as_u64().unwrap() >= 20, "{dom}");
    // Every article wears one language badge, and the panel counts languages as the JSON
    // Lines of the same run do.
    assert_eq!(
        dom["badges"],
        json!(ARTICLES),
        "articles with one language badge"
    );
    let dom_languages: HashMap<String, u64> =
        serde_json::from_value(dom["languages"].clone()).unwrap();
    assert_eq!(dom_languages, expected.languages, "languages in the panel");
    assert_eq!(dom["panel_position"], "fixed");
    assert_eq!(dom["per_background"], "rgb(170, 156, 252)");
    assert_eq!(toggled, json!([expected.labels["PER"], 0]), "PER filter");

    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    assert!(
        png.len() > MIN_SCREENSHOT_BYTES,
        "screenshot is only {} bytes: blank?",
        png.len()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
