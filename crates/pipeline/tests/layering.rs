//! The runtime knows no NLP and no broker: `cargo tree` must show `pipeline` depending,
//! directly or not, on none of the analysis crates and not on `async-nats`, so a change to
//! the tagger never rebuilds the runtime, the sources or the sinks.

// Tests may panic on their own fixtures: a panic is a failed check.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::process::Command;

/// Crates the runtime must never build on: the NLP crates, the crate that wires them into
/// stages, the components that plug into the runtime, and the broker client.
const FORBIDDEN: &[&str] = &[
    "analysis",
    "segment",
    "tagger",
    "resolve",
    "quotes",
    "ingest",
    "sinks",
    "nats",
    "async-nats",
];

/// The names of every package `package` builds on (normal and build dependencies,
/// transitively, for this machine's platform), from `cargo tree`: unlike `cargo metadata`
/// it resolves for the host only, so it needs no other platform's packages offline.
fn dependencies_of(package: &str) -> BTreeSet<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "tree",
            "--offline",
            "--edges",
            "normal,build",
            "--prefix",
            "none",
            "-p",
        ])
        .arg(package)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree runs");
    assert!(
        output.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .skip(1) // the package itself
        .filter_map(|line| line.split_whitespace().next())
        .map(str::to_owned)
        .collect()
}

#[test]
fn runtime_depends_on_no_nlp_crate_and_no_broker() {
    let deps = dependencies_of("pipeline");
    assert!(deps.contains("article"), "the walk found nothing: {deps:?}");
    let bad: Vec<&&str> = FORBIDDEN.iter().filter(|f| deps.contains(**f)).collect();
    assert!(bad.is_empty(), "pipeline depends on {bad:?}");
}

#[test]
fn nlp_crates_take_no_broker_client() {
    for nlp in ["segment", "tagger", "resolve", "quotes", "analysis"] {
        let deps = dependencies_of(nlp);
        assert!(!deps.contains("async-nats"), "{nlp} depends on async-nats");
    }
}
