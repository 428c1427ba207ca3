//! Main-content extraction throughput in MB/s of HTML: `extract::extract` page by page.
//!
//! Input: the 990 pages of trafilatura's evaluation set when `NEWSFLOW_SHARED` points at the
//! shared folder (143 MB of real HTML, many languages), otherwise a built-in page repeated.

use std::hint::black_box;
use std::io::Read;
use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use extract::{extract, Limits};

/// Used when no corpus is found: an article page with the usual furniture.
const BUILTIN: &str = "<!doctype html><html lang=en><head><title>Harbour</title>\
<meta property=og:title content=Harbour></head><body><nav><a href=/>Home</a> <a href=/w>World</a></nav>\
<article><h1>Harbour to grow</h1><p>The council voted on Tuesday to expand the harbour, a decision \
that followed months of debate.</p><p>Work starts in June, officials said, and ends in 2026.</p>\
</article><footer>Copyright</footer></body></html>";

/// The pages of the evaluation set, decompressed, or the built-in page.
fn corpus() -> (String, Vec<Vec<u8>>) {
    if let Some(dir) = std::env::var_os("NEWSFLOW_SHARED").map(PathBuf::from) {
        let dir = dir.join("data/web/trafilatura_eval/pages");
        if let Ok(entries) = std::fs::read_dir(&dir) {
            let mut paths: Vec<PathBuf> =
                entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
            paths.sort();
            let pages: Vec<Vec<u8>> = paths
                .iter()
                .filter_map(|p| {
                    let file = std::fs::File::open(p).ok()?;
                    let mut html = Vec::new();
                    flate2::read::GzDecoder::new(file)
                        .read_to_end(&mut html)
                        .ok()?;
                    Some(html)
                })
                .collect();
            if !pages.is_empty() {
                return ("trafilatura_eval".into(), pages);
            }
        }
    }
    ("builtin".into(), vec![BUILTIN.as_bytes().to_vec(); 100])
}

fn bench(c: &mut Criterion) {
    let (name, pages) = corpus();
    let bytes: usize = pages.iter().map(Vec::len).sum();
    let limits = Limits::default();
    let mut group = c.benchmark_group("extract");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.sample_size(10);
    group.bench_function(name, |b| {
        b.iter(|| {
            for page in &pages {
                let _ = black_box(extract(black_box(page), None, &limits));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
