//! Helpers shared by the integration tests: locating the binary and the shared data.

use std::path::PathBuf;
use std::process::Command;

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
