//! Load tool for `newsflow serve`'s `/v1/analyze`: C concurrent clients, each sending N
//! BBC articles one after another on its own keep-alive connection, then the latency
//! percentiles and the error count. It measures; no test asserts its timings.
//!
//! ```text
//! newsflow serve --listen 127.0.0.1:8080 &
//! NEWSFLOW_SHARED=../shared cargo run --release -p service --example load -- 127.0.0.1:8080 8 250
//! ```

// A measuring tool: its report is its output.
#![allow(clippy::print_stdout)]

use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper_util::rt::TokioIo;

/// Clients when not given: the acceptance point's 8.
const DEFAULT_CLIENTS: usize = 8;
/// Calls per client when not given: the acceptance point's 250.
const DEFAULT_CALLS: usize = 250;

/// What one client saw: the latency of each successful call and the failures.
struct ClientReport {
    /// Successful calls' latencies.
    latencies: Vec<Duration>,
    /// Failed calls: status or transport error.
    errors: Vec<String>,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().ok_or("usage: load ADDR [CLIENTS] [CALLS]")?;
    let clients: usize = args.next().map_or(Ok(DEFAULT_CLIENTS), |a| a.parse())?;
    let calls: usize = args.next().map_or(Ok(DEFAULT_CALLS), |a| a.parse())?;
    let shared = std::env::var("NEWSFLOW_SHARED").map_err(|_| "set NEWSFLOW_SHARED")?;
    let corpus = std::fs::read_to_string(format!("{shared}/data/news/bbc_news_2004_2005.jsonl"))?;
    let articles: Vec<Bytes> = corpus.lines().map(|l| Bytes::from(l.to_string())).collect();
    if articles.is_empty() {
        return Err("the BBC corpus is empty".into());
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let started = Instant::now();
    let reports = runtime.block_on(async {
        let mut tasks = tokio::task::JoinSet::new();
        for client in 0..clients {
            // Each client starts at its own place in the corpus, wrapping around.
            let mine: Vec<Bytes> = (0..calls)
                .map(|i| articles[(client * calls + i) % articles.len()].clone())
                .collect();
            let addr = addr.clone();
            tasks.spawn(async move { run_client(&addr, mine).await });
        }
        let mut reports = Vec::new();
        while let Some(report) = tasks.join_next().await {
            reports.push(report);
        }
        reports
    });
    let elapsed = started.elapsed();
    let mut latencies: Vec<Duration> = Vec::new();
    let mut errors: Vec<String> = Vec::new();
    for report in reports {
        match report {
            Ok(r) => {
                latencies.extend(r.latencies);
                errors.extend(r.errors);
            }
            Err(e) => errors.push(format!("client task: {e}")),
        }
    }
    latencies.sort();
    let pct = |p: f64| {
        let i = ((latencies.len() as f64 * p).ceil() as usize).saturating_sub(1);
        latencies
            .get(i.min(latencies.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1e3)
    };
    println!(
        "{clients} clients x {calls} calls: {} ok, {} errors in {:.1} s ({:.0} calls/s)",
        latencies.len(),
        errors.len(),
        elapsed.as_secs_f64(),
        latencies.len() as f64 / elapsed.as_secs_f64()
    );
    println!(
        "latency ms: p50 {:.1}  p95 {:.1}  p99 {:.1}  max {:.1}",
        pct(0.50),
        pct(0.95),
        pct(0.99),
        pct(1.0)
    );
    for e in errors.iter().take(5) {
        println!("error: {e}");
    }
    Ok(())
}

/// One client: one connection, calls one after another; a broken connection is reopened.
async fn run_client(addr: &str, articles: Vec<Bytes>) -> ClientReport {
    let mut report = ClientReport {
        latencies: Vec::with_capacity(articles.len()),
        errors: Vec::new(),
    };
    let mut sender = None;
    for body in articles {
        if sender.is_none() {
            match connect(addr).await {
                Ok(s) => sender = Some(s),
                Err(e) => {
                    report.errors.push(format!("connect: {e}"));
                    continue;
                }
            }
        }
        let Some(s) = sender.as_mut() else { continue };
        let request = Request::post("/v1/analyze")
            .header("host", addr)
            .header("content-type", "application/json")
            .body(Full::new(body));
        let request = match request {
            Ok(r) => r,
            Err(e) => {
                report.errors.push(format!("request: {e}"));
                continue;
            }
        };
        let t = Instant::now();
        let outcome = async {
            let response = s.send_request(request).await?;
            let status = response.status();
            response.into_body().collect().await?;
            Ok::<_, hyper::Error>(status)
        }
        .await;
        match outcome {
            Ok(status) if status.is_success() => report.latencies.push(t.elapsed()),
            Ok(status) => report.errors.push(format!("HTTP {status}")),
            Err(e) => {
                report.errors.push(format!("transport: {e}"));
                sender = None;
            }
        }
    }
    report
}

/// An HTTP/1 connection to `addr`, driven on its own task.
async fn connect(
    addr: &str,
) -> Result<hyper::client::conn::http1::SendRequest<Full<Bytes>>, Box<dyn std::error::Error>> {
    let stream = tokio::net::TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok(sender)
}
