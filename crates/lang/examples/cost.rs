//! `lang::detect` over a JSONL's texts, for instruction counts under callgrind:
//! `valgrind --tool=callgrind target/release/examples/cost FILE detect|none`.
#![allow(clippy::unwrap_used, clippy::print_stdout, missing_docs)]
fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().unwrap();
    let mode = args.next().unwrap();
    let rows: Vec<serde_json::Value> = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut hits = 0usize;
    for r in &rows {
        let t = r["text"].as_str().unwrap_or("");
        hits += match mode.as_str() {
            "detect" => lang::detect(t, None).map(|d| d.lang.len()).unwrap_or(0),
            _ => t.len() & 1,
        };
    }
    println!("{} texts {hits}", rows.len());
}
