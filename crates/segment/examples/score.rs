//! Boundary F1 of the segmenter on UD-style JSON Lines files, with the misses printed in
//! context: `cargo run -p segment --release --example score -- FILE.jsonl [--misses]`.

// An example prints its findings for a human; that is its whole job.
#![allow(clippy::print_stdout)]

#[path = "../tests/support/ud.rs"]
mod ud;

use std::collections::BTreeSet;

/// Characters shown on each side of a miss.
const CONTEXT: usize = 60;

/// `text` around byte `at`, on char boundaries, with the boundary marked `‖`.
fn around(text: &str, at: usize) -> String {
    let mut from = at.saturating_sub(CONTEXT);
    while !text.is_char_boundary(from) {
        from -= 1;
    }
    let mut to = (at + CONTEXT).min(text.len());
    while !text.is_char_boundary(to) {
        to += 1;
    }
    format!("{}‖{}", &text[from..at], &text[at..to]).replace('\n', "⏎")
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let misses = args.iter().any(|a| a == "--misses");
    let segmenter = segment::Segmenter::new();
    for path in args.iter().filter(|a| !a.starts_with("--")) {
        let Some(docs) = ud::load(std::path::Path::new(path)) else {
            println!("cannot read {path}");
            continue;
        };
        let total = ud::score(&segmenter, &docs);
        println!(
            "{path}: F1 {:.2}  (hits {}, false splits {}, missed {})",
            total.f1(),
            total.hits,
            total.extra,
            total.missed
        );
        if !misses {
            continue;
        }
        for doc in &docs {
            let got: BTreeSet<usize> = ud::predicted(&segmenter, doc).into_iter().collect();
            let gold: BTreeSet<usize> = doc.starts.iter().copied().collect();
            for &s in gold.difference(&got).filter(|&&s| s > 0) {
                println!("MISS  {}: {}", doc.id, around(&doc.text, s));
            }
            for &s in got.difference(&gold).filter(|&&s| s > 0) {
                println!("EXTRA {}: {}", doc.id, around(&doc.text, s));
            }
        }
    }
    Ok(())
}
