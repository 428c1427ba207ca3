//! Times model loading and tagging of a CoNLL file, for profiling outside criterion:
//! `cargo run --release -p tagger --example speed -- FILE [MODEL] [ROUNDS]`.

use std::time::Instant;

use tagger::{ConllFile, Tagger};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let path = args.get(1).ok_or("usage: speed FILE [MODEL] [ROUNDS]")?;
    let file = ConllFile::parse(&std::fs::read_to_string(path)?);
    let t = Instant::now();
    let tagger = match args.get(2).filter(|m| m.as_str() != "-") {
        Some(m) => Tagger::load(m)?,
        None => Tagger::embedded(),
    };
    let load = t.elapsed();
    let rounds: usize = args.get(3).and_then(|r| r.parse().ok()).unwrap_or(20);
    let mut docs: Vec<_> = file.documents.iter().map(|d| file.analysis(d)).collect();
    let tokens: usize = docs.iter().map(|(_, a)| a.tokens.len()).sum();
    let t = Instant::now();
    for _ in 0..rounds {
        for (text, a) in docs.iter_mut() {
            tagger.tag(text, a);
        }
    }
    let secs = t.elapsed().as_secs_f64();
    eprintln!(
        "load {:.1} ms; {:.0} tokens/s over {rounds} rounds",
        load.as_secs_f64() * 1e3,
        (tokens * rounds) as f64 / secs
    );
    Ok(())
}
