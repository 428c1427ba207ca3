//! Several `newsflow run` workers sharing one JetStream durable consumer: a worker killed
//! mid-stream loses nothing, redelivered duplicates are absorbed, and the store ends with
//! every article exactly once.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::services::{pg, pg_count, runtime, server_up, unique, NATS, POSTGRES};
use crate::support::{newsflow, run_ok, shared_dir};

/// A running worker and its stderr, read on a thread.
struct Worker {
    child: Child,
    ready: std::sync::mpsc::Receiver<()>,
    stderr: std::thread::JoinHandle<String>,
}

/// Starts a worker and waits until it consumes (it logs that at info level), so a signal
/// sent later is never one that arrives before it could handle it.
fn worker(source: &str, sink: &str) -> Worker {
    let mut child = newsflow()
        .args(["run", "-q", "--workers", "1", "--batch", "64", source])
        .arg(format!("--sink={sink}"))
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, ready) = std::sync::mpsc::channel();
    let pipe = child.stderr.take().unwrap();
    let stderr = std::thread::spawn(move || {
        let mut all = String::new();
        for line in std::io::BufRead::lines(std::io::BufReader::new(pipe)) {
            let line = line.unwrap_or_default();
            if line.contains("nats: consuming") {
                let _ = tx.send(());
            }
            all.push_str(&line);
            all.push('\n');
        }
        all
    });
    let worker = Worker {
        child,
        ready,
        stderr,
    };
    assert!(
        worker.ready.recv_timeout(Duration::from_secs(60)).is_ok(),
        "worker never started consuming"
    );
    worker
}

fn signal(worker: &Worker, name: &str) {
    let child = &worker.child;
    let status = Command::new("kill")
        .args([name, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn killed_worker_loses_nothing_and_store_holds_each_article_once() {
    let test = "killed_worker_loses_nothing_and_store_holds_each_article_once";
    let Some(shared) = shared_dir(test) else {
        return;
    };
    if !server_up(test, "PostgreSQL", POSTGRES) || !server_up(test, "NATS", NATS) {
        return;
    }
    let corpus = shared.join("data/news/bbc_news_2004_2005.jsonl");
    let total = std::fs::read_to_string(&corpus).unwrap().lines().count() as i64;
    let stream = unique("NF_SCALE");
    let subject = format!("newsflow.scale.{stream}");
    let schema = unique("nf_scale");
    let to = format!("nats://{NATS}/{subject}?stream={stream}");
    // A short ack wait, so the killed worker's messages come back within the test.
    let source = format!("{to}&consumer=workers&ack_wait=3");
    let sink = format!("postgres://postgres@{POSTGRES}/test?schema={schema}");

    run_ok(newsflow().args(["publish", "-q", "--to", &to]).arg(&corpus));
    // Publishing again adds nothing: the stream drops duplicate Nats-Msg-Ids.
    run_ok(newsflow().args(["publish", "-q", "--to", &to]).arg(&corpus));

    let rt = runtime();
    let _in_runtime = rt.enter();
    let client = rt.block_on(pg());
    let count_sql = format!("SELECT count(*) FROM {schema}.articles");
    let rows = || {
        rt.block_on(async {
            client
                .query_one(count_sql.as_str(), &[])
                .await
                .map(|r| r.get::<_, i64>(0))
                .unwrap_or(0)
        })
    };
    let wait_for = |what: &str, cond: &dyn Fn(i64) -> bool| {
        let deadline = Instant::now() + Duration::from_secs(180);
        loop {
            let n = rows();
            if cond(n) {
                return n;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what} ({n} rows)"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    };

    let mut a = worker(&source, &sink);
    let b = worker(&source, &sink);
    // Kill A mid-stream: once some articles are stored, well before all are.
    wait_for("the first articles", &|n| n >= 200);
    signal(&a, "-KILL");
    let _ = a.child.wait();
    let a = worker(&source, &sink);
    wait_for("every article", &|n| n >= total);

    signal(&a, "-TERM");
    signal(&b, "-TERM");
    for (name, worker) in [("a", a), ("b", b)] {
        let Worker {
            mut child, stderr, ..
        } = worker;
        let status = child.wait().unwrap();
        let err = stderr.join().unwrap();
        assert!(
            status.success(),
            "worker {name} exited with {status}: {err}"
        );
    }
    let distinct = rt.block_on(pg_count(
        &client,
        &format!("SELECT count(DISTINCT id) FROM {schema}.articles"),
    ));
    assert_eq!((rows(), distinct), (total, total));

    let js = async_nats::jetstream::new(rt.block_on(async_nats::connect(NATS)).unwrap());
    let mut info_stream = rt.block_on(js.get_stream(&stream)).unwrap();
    let stream_info = rt.block_on(info_stream.info()).unwrap();
    assert_eq!(
        stream_info.state.messages as i64, total,
        "re-publishing duplicated messages"
    );
    let mut consumer: async_nats::jetstream::consumer::PullConsumer =
        rt.block_on(info_stream.get_consumer("workers")).unwrap();
    let info = rt.block_on(consumer.info()).unwrap();
    assert_eq!(
        (info.num_pending, info.num_ack_pending),
        (0, 0),
        "unacknowledged messages left"
    );

    rt.block_on(client.batch_execute(&format!("DROP SCHEMA {schema} CASCADE")))
        .unwrap();
    rt.block_on(js.delete_stream(&stream)).unwrap();
}
