//! Boundary F1 on the UD English EWT and GUM development sets must not drop below the
//! level reached (when `NEWSFLOW_SHARED` points at the shared data).

mod support {
    pub mod ud;
}

use support::ud;

/// F1 floors in percent: the level reached, minus a hair for harmless rule trade-offs.
const FLOORS: [(&str, f64); 2] = [("ewt_dev.jsonl", 94.6), ("gum_dev.jsonl", 98.2)];

#[test]
fn ud_dev_boundary_f1_holds() {
    let Some(dir) = std::env::var_os("NEWSFLOW_SHARED") else {
        eprintln!("SKIPPED ud dev F1: NEWSFLOW_SHARED is not set");
        return;
    };
    let segmenter = segment::Segmenter::new();
    let mut failures = Vec::new();
    for (file, floor) in FLOORS {
        let path = std::path::Path::new(&dir).join("data/ud").join(file);
        let Some(docs) = ud::load(&path) else {
            eprintln!("SKIPPED ud dev F1: cannot read {}", path.display());
            return;
        };
        let f1 = ud::score(&segmenter, &docs).f1();
        eprintln!("{file}: boundary F1 {f1:.2} (floor {floor:.2})");
        if f1 < floor {
            failures.push(format!("{file}: F1 {f1:.2} below {floor:.2}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
