//! Sinks against the real PostgreSQL and NATS JetStream servers on 127.0.0.1. Outside CI a
//! missing server skips the test with a printed reason; in CI it fails the test.

use std::io::Write;
use std::net::{SocketAddr, TcpStream};
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::serve::{http, sample, scrape_until, start};
use crate::support::{newsflow, run_ok, scratch, shared_dir};

pub const POSTGRES: &str = "127.0.0.1:5432";
pub const NATS: &str = "127.0.0.1:4222";

/// True when a server answers on `addr`; otherwise skips (prints why) or, in CI, panics.
pub fn server_up(test: &str, name: &str, addr: &str) -> bool {
    let sock: SocketAddr = addr.parse().unwrap();
    if TcpStream::connect_timeout(&sock, Duration::from_secs(2)).is_ok() {
        return true;
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{test}: {name} does not answer on {addr}; CI must run the service tests");
    }
    eprintln!("SKIPPED {test}: {name} does not answer on {addr}");
    false
}

/// A name unique to this test process, for schemas, streams and subjects.
pub fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("{prefix}_{}_{nanos}", std::process::id())
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

pub async fn pg() -> tokio_postgres::Client {
    let (client, conn) = tokio_postgres::connect(
        "host=127.0.0.1 port=5432 user=postgres dbname=test",
        tokio_postgres::NoTls,
    )
    .await
    .unwrap();
    tokio::spawn(conn);
    client
}

pub async fn pg_count(client: &tokio_postgres::Client, sql: &str) -> i64 {
    client.query_one(sql, &[]).await.unwrap().get(0)
}

#[test]
fn same_articles_land_in_sqlite_postgres_and_nats_once() {
    let test = "same_articles_land_in_sqlite_postgres_and_nats_once";
    let Some(shared) = shared_dir(test) else {
        return;
    };
    if !server_up(test, "PostgreSQL", POSTGRES) || !server_up(test, "NATS", NATS) {
        return;
    }
    let corpus =
        std::fs::read_to_string(shared.join("data/news/bbc_news_2004_2005.jsonl")).unwrap();
    let first_300: String = corpus.lines().take(300).map(|l| format!("{l}\n")).collect();
    let dir = std::env::temp_dir().join(unique("newsflow_services"));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("bbc300.jsonl");
    std::fs::write(&input, first_300).unwrap();
    let db = dir.join("out.db");
    let schema = unique("nf_it");
    let stream = unique("NF_IT");
    let subject = format!("newsflow.it.{stream}");

    let rt = runtime();
    let _in_runtime = rt.enter();
    let nats = rt.block_on(async_nats::connect(NATS)).unwrap();
    let js = async_nats::jetstream::new(nats);
    rt.block_on(js.create_stream(async_nats::jetstream::stream::Config {
        name: stream.clone(),
        subjects: vec![subject.clone()],
        ..Default::default()
    }))
    .unwrap();

    let run = || {
        run_ok(
            newsflow()
                .args(["run", "-q"])
                .arg(&input)
                .arg(format!("--sink=sqlite:{}", db.display()))
                .arg(format!(
                    "--sink=postgres://postgres@127.0.0.1:5432/test?schema={schema}"
                ))
                .arg(format!("--sink=nats://{NATS}/{subject}")),
        );
    };
    run();
    run();

    let client = rt.block_on(pg());
    let articles = rt.block_on(pg_count(
        &client,
        &format!("SELECT count(*) FROM {schema}.articles"),
    ));
    let distinct = rt.block_on(pg_count(
        &client,
        &format!("SELECT count(DISTINCT id) FROM {schema}.articles"),
    ));
    let pg_sentences = rt.block_on(pg_count(
        &client,
        &format!("SELECT count(*) FROM {schema}.sentences"),
    ));
    let pg_entities = rt.block_on(pg_count(
        &client,
        &format!("SELECT count(*) FROM {schema}.entities"),
    ));
    assert_eq!((articles, distinct), (300, 300));

    let sqlite = rusqlite::Connection::open(&db).unwrap();
    let count = |sql: &str| sqlite.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
    assert_eq!(count("SELECT count(*) FROM articles"), 300);
    assert_eq!(count("SELECT count(*) FROM sentences"), pg_sentences);
    assert_eq!(count("SELECT count(*) FROM entities"), pg_entities);
    assert!(pg_sentences > 300 * 5, "too few sentences: {pg_sentences}");
    // Clusters, canonical names and quotes land identically in both databases.
    for sql in [
        "SELECT count(*) FROM clusters",
        "SELECT count(*) FROM entities WHERE canonical IS NOT NULL",
        "SELECT count(*) FROM entities e JOIN clusters c
           ON c.article_id = e.article_id AND c.idx = e.cluster AND c.canonical = e.canonical",
        "SELECT count(*) FROM quotes",
        "SELECT count(*) FROM quotes WHERE speaker_canonical IS NOT NULL",
    ] {
        let pg_sql = sql
            .replace("FROM ", &format!("FROM {schema}."))
            .replace("JOIN clusters", &format!("JOIN {schema}.clusters"));
        let pg_n = rt.block_on(pg_count(&client, &pg_sql));
        assert_eq!(count(sql), pg_n, "{sql}");
        assert!(pg_n > 100, "{sql}: only {pg_n} rows from 300 BBC articles");
    }

    let mut info = rt.block_on(js.get_stream(&stream)).unwrap();
    let messages = rt.block_on(info.info()).unwrap().state.messages;
    assert_eq!(
        messages, 300,
        "the second run must be de-duplicated by Nats-Msg-Id"
    );

    rt.block_on(client.batch_execute(&format!("DROP SCHEMA {schema} CASCADE")))
        .unwrap();
    rt.block_on(js.delete_stream(&stream)).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A TCP proxy to PostgreSQL that the test can cut, as if the server died.
struct Proxy {
    addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Proxy {
    async fn start(upstream: &'static str) -> Self {
        Self::start_on("127.0.0.1:0".parse().unwrap(), upstream).await
    }

    /// A proxy on `addr`: the same port again brings a killed proxy's server "back".
    async fn start_on(addr: SocketAddr, upstream: &'static str) -> Self {
        let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            let mut connections = tokio::task::JoinSet::new();
            while let Ok((mut inbound, _)) = listener.accept().await {
                connections.spawn(async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
            }
        });
        Self { addr, task }
    }

    /// Drops the listener and every open connection: later connects are refused.
    async fn kill(self) {
        self.task.abort();
        let _ = self.task.await;
    }
}

#[test]
fn postgres_outage_is_retried_then_fails_loudly() {
    let test = "postgres_outage_is_retried_then_fails_loudly";
    if !server_up(test, "PostgreSQL", POSTGRES) {
        return;
    }
    let rt = runtime();
    let proxy = rt.block_on(Proxy::start(POSTGRES));
    let schema = unique("nf_outage");
    let mut child = newsflow()
        .args(["run", "-q", "--batch", "1", "--retries", "2"])
        .arg(format!(
            "--sink=postgres://postgres@{}/test?schema={schema}&connect_timeout=2",
            proxy.addr
        ))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    for i in 0..10 {
        writeln!(
            stdin,
            r#"{{"id":"a{i}","body":"Before the outage, story {i}."}}"#
        )
        .unwrap();
    }
    stdin.flush().unwrap();

    let client = rt.block_on(pg());
    let count_sql = format!("SELECT count(*) FROM {schema}.articles");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let n = rt.block_on(async {
            match client.query_one(count_sql.as_str(), &[]).await {
                Ok(row) => row.get::<_, i64>(0),
                Err(_) => 0, // the schema does not exist yet
            }
        });
        if n == 10 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the first 10 articles never arrived ({n})"
        );
        std::thread::sleep(Duration::from_millis(20));
    }

    rt.block_on(proxy.kill());
    for i in 10..20 {
        writeln!(
            stdin,
            r#"{{"id":"b{i}","body":"During the outage, story {i}."}}"#
        )
        .unwrap();
    }
    stdin.flush().unwrap();
    let out = child.wait_with_output().unwrap();
    drop(stdin);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("retrying in"),
        "no retry was logged: {stderr}"
    );
    assert!(
        stderr.contains("sink postgres://127.0.0.1:")
            && stderr.contains("failed after 3 attempt(s)"),
        "{stderr}"
    );
    let n = rt.block_on(pg_count(&client, &count_sql));
    assert_eq!(
        n, 10,
        "nothing can have been written through the dead proxy"
    );
    rt.block_on(client.batch_execute(&format!("DROP SCHEMA {schema} CASCADE")))
        .unwrap();
}

/// Polls `path` until it answers `status`; each poll is a real round trip, the bound only
/// turns a hang into a failure.
fn wait_for_status(addr: &str, path: &str, status: u16, why: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let got = http(addr, "GET", path, b"").status;
        if got == status {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{path} stayed {got}, never {status}: {why}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn ready_is_503_while_a_sink_rides_out_an_outage_and_200_after() {
    let test = "ready_is_503_while_a_sink_rides_out_an_outage_and_200_after";
    if !server_up(test, "PostgreSQL", POSTGRES) {
        return;
    }
    let rt = runtime();
    let proxy = rt.block_on(Proxy::start(POSTGRES));
    let proxy_addr = proxy.addr;
    let schema = unique("nf_ready");
    let dir = scratch("ready_outage");
    // Short backoff and many retries: the outage lasts as long as the test wants.
    let config = dir.join("retry.toml");
    std::fs::write(
        &config,
        "[retry]\nretries = 1000\ninitial_backoff_ms = 20\nmax_backoff_ms = 100\n",
    )
    .unwrap();
    let mut served = start(
        newsflow()
            .args(["run", "--batch", "1", "--metrics", "127.0.0.1:0"])
            .arg("--config")
            .arg(&config)
            .arg(format!(
                "--sink=postgres://postgres@{proxy_addr}/test?schema={schema}&connect_timeout=2"
            ))
            .stdin(Stdio::piped())
            .stdout(Stdio::null()),
    );
    let a = served.addr.clone();
    let written = "newsflow_articles_written_total{sink=\"postgres://";
    let written_now = |t: &str| {
        t.lines()
            .find(|l| l.starts_with(written))
            .and_then(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
            .unwrap_or(0)
    };
    let mut stdin = served.child.stdin.take().unwrap();
    let mut send = |id: &str| {
        writeln!(
            stdin,
            r#"{{"id":"{id}","body":"Story {id} about the outage."}}"#
        )
        .unwrap();
        stdin.flush().unwrap();
    };
    for i in 0..5 {
        send(&format!("before{i}"));
    }
    scrape_until(&a, "5 articles written", |t| written_now(t) == 5);
    wait_for_status(&a, "/ready", 200, "sink and source connected");

    rt.block_on(proxy.kill());
    send("during");
    wait_for_status(&a, "/ready", 503, "the sink is retrying");
    assert_eq!(
        http(&a, "GET", "/health", b"").status,
        200,
        "alive while retrying"
    );
    let text = http(&a, "GET", "/metrics", b"").body;
    assert!(text.contains("newsflow_ready 0"), "{text}");
    assert_eq!(written_now(&text), 5, "nothing written during the outage");

    let proxy = rt.block_on(Proxy::start_on(proxy_addr, POSTGRES));
    wait_for_status(&a, "/ready", 200, "the sink wrote again");
    let text = scrape_until(&a, "the held article written", |t| written_now(t) == 6);
    assert!(
        text.lines()
            .any(|l| l.starts_with("newsflow_sink_retries_total") && !l.ends_with(" 0")),
        "no retry counted: {text}"
    );

    drop(stdin);
    let status = served.child.wait().unwrap();
    let stderr = served.stderr.join().unwrap();
    assert!(status.success(), "{stderr}");
    let client = rt.block_on(pg());
    let n = rt.block_on(pg_count(
        &client,
        &format!("SELECT count(*) FROM {schema}.articles"),
    ));
    assert_eq!(n, 6);
    rt.block_on(client.batch_execute(&format!("DROP SCHEMA {schema} CASCADE")))
        .unwrap();
    rt.block_on(proxy.kill());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn nats_worker_with_metrics_counts_exactly_what_was_published() {
    let test = "nats_worker_with_metrics_counts_exactly_what_was_published";
    if !server_up(test, "NATS", NATS) {
        return;
    }
    const PUBLISHED: u64 = 40;
    let dir = scratch("nats_metrics");
    let input = dir.join("in.jsonl");
    let lines: String = (0..PUBLISHED)
        .map(|i| format!("{{\"id\":\"n{i}\",\"body\":\"Angela Merkel met Tony Blair in Brussels. Story {i}.\"}}\n"))
        .collect();
    std::fs::write(&input, lines).unwrap();
    let stream = unique("NF_METRICS");
    let subject = format!("newsflow.metrics.{stream}");
    let to = format!("nats://{NATS}/{subject}?stream={stream}");
    run_ok(newsflow().args(["publish", "-q", "--to", &to]).arg(&input));

    let served = start(
        newsflow()
            .args(["run", "--metrics", "127.0.0.1:0", "--sink", "stdout"])
            .arg(format!("{to}&consumer=metrics"))
            .stdout(Stdio::null()),
    );
    let a = served.addr.clone();
    assert_eq!(http(&a, "GET", "/health", b"").status, 200);
    let text = scrape_until(&a, "every published article written", |t| {
        sample(t, "newsflow_articles_written_total{sink=\"stdout\"}") >= PUBLISHED
    });
    wait_for_status(&a, "/ready", 200, "consuming from NATS");
    assert_eq!(
        sample(&text, "newsflow_articles_written_total{sink=\"stdout\"}"),
        PUBLISHED,
        "{text}"
    );
    assert_eq!(
        sample(&text, "newsflow_articles_read_total{source=\"nats\"}"),
        PUBLISHED
    );
    for series in [
        "newsflow_stage_seconds_count{stage=\"parse\"}",
        "newsflow_stage_seconds_count{stage=\"tag\"}",
        "newsflow_stage_seconds_count{stage=\"render\"}",
    ] {
        assert_eq!(sample(&text, series), PUBLISHED, "{series} in\n{text}");
    }
    for gauge in [
        "newsflow_queue_depth{queue=\"source\"}",
        "newsflow_queue_depth{queue=\"results\"}",
        "newsflow_queue_depth{queue=\"sink:stdout\"}",
    ] {
        assert!(text.contains(gauge), "no {gauge} in\n{text}");
    }
    assert!(text.contains("newsflow_sink_write_seconds_bucket{le=\"+Inf\",sink=\"stdout\"}"));
    let (status, stderr) = served.terminate();
    assert!(status.success(), "SIGTERM must exit 0: {status}: {stderr}");

    let rt = runtime();
    let _in_runtime = rt.enter();
    let js = async_nats::jetstream::new(rt.block_on(async_nats::connect(NATS)).unwrap());
    rt.block_on(js.delete_stream(&stream)).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}
