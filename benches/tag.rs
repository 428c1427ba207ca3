//! Tagging throughput in tokens per second, and model load time.
//!
//! Input: the CoNLL-2003 development set (eng.testa, 51k tokens) when `NEWSFLOW_SHARED`
//! points at the shared folder, so the number is comparable across machines and with the
//! issue's target; otherwise a built-in news paragraph repeated, tokenised on whitespace
//! and punctuation here so the bench does not depend on the segmenter. Tagging is timed
//! alone: documents are built once, outside the measured loop.

use std::hint::black_box;
use std::path::PathBuf;

use article::{Analysis, Sentence, Span, Token};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use tagger::{ConllFile, Tagger};

/// Used when the shared data is absent: wire-style text with the entity kinds the model
/// knows, plus dates and amounts for the rules.
const BUILTIN: &str = "US Secretary of State Antony Blinken met his Russian counterpart \
Sergey Lavrov in Geneva on January 10 , as NATO and the OSCE prepared talks in Brussels \
and Vienna . Shares of General Motors Corp rose 3.5 percent to $ 41.25 on the New York \
Stock Exchange after the company said profit would reach $ 1.5 billion in 1996 .";

fn documents() -> Vec<(String, Analysis)> {
    if let Some(dir) = std::env::var_os("NEWSFLOW_SHARED").map(PathBuf::from) {
        let path = dir.join("data/conll2003/eng.testa");
        if let Ok(text) = std::fs::read_to_string(&path) {
            let file = ConllFile::parse(&text);
            return file.documents.iter().map(|d| file.analysis(d)).collect();
        }
        eprintln!("cannot read {}; using built-in text", path.display());
    }
    (0..200)
        .map(|_| {
            let text = BUILTIN.to_string();
            let mut a = Analysis::default();
            let mut at = 0;
            for w in text.split(' ') {
                a.tokens.push(Token {
                    span: Span::new(at, at + w.len()),
                });
                at += w.len() + 1;
            }
            a.sentences.push(Sentence {
                span: Span::new(0, text.len()),
                tokens: 0..a.tokens.len(),
            });
            (text, a)
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let docs = documents();
    let tokens: usize = docs.iter().map(|(_, a)| a.tokens.len()).sum();
    let tagger = Tagger::embedded();
    let mut group = c.benchmark_group("tag");
    group.throughput(Throughput::Elements(tokens as u64));
    group.sample_size(30);
    group.bench_function("documents", |b| {
        let mut docs = docs.clone();
        b.iter(|| {
            for (text, a) in docs.iter_mut() {
                tagger.tag(text, a);
            }
            black_box(&docs);
        })
    });
    group.finish();
    let mut load = c.benchmark_group("load");
    load.sample_size(10);
    load.bench_function("embedded_model", |b| {
        b.iter(|| black_box(Tagger::embedded()))
    });
    load.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
