//! A quick throughput check that also reports CPU time, for busy machines where criterion's
//! wall-clock figures understate single-core speed: `cargo run -p segment --release
//! --example throughput -- FILE.jsonl [ROUNDS]` (reads the `body` of each record). Give
//! `ROUNDS` 1 to count instructions under `valgrind --tool=callgrind`, which is steadier
//! than any clock on a shared machine.

// An example prints its findings for a human; that is its whole job.
#![allow(clippy::print_stdout)]

use std::time::Instant;

/// This thread's user+system CPU time in seconds, from /proc (Linux); 0 elsewhere.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/thread-self/stat") else {
        return 0.0;
    };
    // Fields after the command name (which ends with ')'): utime is the 12th, stime 13th.
    let Some(rest) = stat.rsplit(')').next() else {
        return 0.0;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

fn main() -> std::io::Result<()> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "data/samples/news.jsonl".into());
    let raw = std::fs::read_to_string(&path)?;
    let texts: Vec<String> = raw
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v.get("body").and_then(|b| b.as_str()).map(str::to_string))
        .collect();
    let bytes: usize = texts.iter().map(String::len).sum();
    let seg = segment::Segmenter::new();
    let rounds = std::env::args()
        .nth(2)
        .and_then(|r| r.parse().ok())
        .unwrap_or((400_000_000 / bytes.max(1)).max(1));
    let mut spans = Vec::new();
    let mut analysis = article::Analysis::default();
    for (name, tokens) in [("sentences", false), ("analyse", true)] {
        let (wall, cpu) = (Instant::now(), cpu_seconds());
        let mut count = 0;
        for _ in 0..rounds {
            for text in &texts {
                if tokens {
                    seg.analyse_into(text, &mut analysis);
                    count += analysis.tokens.len();
                } else {
                    spans.clear();
                    seg.sentences_into(text, &mut spans);
                    count += spans.len();
                }
            }
        }
        let mb = (bytes * rounds) as f64 / 1e6;
        let wall = wall.elapsed().as_secs_f64();
        let cpu = cpu_seconds() - cpu;
        println!(
            "{name}: {:.0} MB/s wall, {:.0} MB/s cpu ({count} items)",
            mb / wall,
            if cpu > 0.0 { mb / cpu } else { f64::NAN }
        );
    }
    Ok(())
}
