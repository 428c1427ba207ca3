//! Helpers shared by the integration tests: locating the binary and the shared data.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::Value;

/// A `Command` for the `newsflow` binary built for these tests.
pub fn newsflow() -> Command {
    Command::new(env!("CARGO_BIN_EXE_newsflow"))
}

/// The repository root (where `data/` lives).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The shared data folder from `NEWSFLOW_SHARED`.
///
/// Outside CI a missing folder skips the calling test with a printed reason; in CI
/// (`CI=true`) it fails the test, because CI must run every data-backed check.
pub fn shared_dir(test: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("NEWSFLOW_SHARED").map(PathBuf::from);
    match dir {
        Some(dir) if dir.is_dir() => Some(dir),
        other => {
            let why = match other {
                Some(dir) => format!("NEWSFLOW_SHARED={} is not a directory", dir.display()),
                None => "NEWSFLOW_SHARED is not set".to_string(),
            };
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("{test}: {why}; CI must run the data-backed tests");
            }
            eprintln!("SKIPPED {test}: {why} (set it to the shared/ folder to run this test)");
            None
        }
    }
}

/// A fresh scratch directory for one test (`test` must be unique across the test binary).
pub fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("newsflow-it-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The JSON records of a run's standard output, one per line.
pub fn records(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

/// Runs `cmd` to completion; fails the test, showing its stderr, unless it exits 0.
pub fn run_ok(cmd: &mut Command) -> std::process::Output {
    let out = cmd.output().expect("newsflow runs");
    assert_success(&out);
    out
}

/// Runs the binary with `args`, feeding `input` on stdin; fails the test unless it exits 0.
pub fn run_with_stdin(args: &[&str], input: &str) -> std::process::Output {
    let mut cmd = newsflow();
    cmd.args(args);
    let out = output_with_stdin(&mut cmd, input);
    assert_success(&out);
    out
}

/// Runs `cmd` to completion with `input` on stdin, whatever its exit status.
pub fn output_with_stdin(cmd: &mut Command, input: &str) -> std::process::Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("newsflow runs");
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(input.as_bytes())
        .expect("newsflow reads its stdin");
    child.wait_with_output().expect("newsflow exits")
}

fn assert_success(out: &std::process::Output) {
    assert!(
        out.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
