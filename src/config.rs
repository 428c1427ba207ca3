//! The `--config newsflow.toml` file: the same settings as `newsflow run`'s flags, so a
//! deployment can keep them in one reviewed file. A flag given on the command line wins over
//! the file; the file wins over the defaults.

use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Deserialize;

/// Settings of `newsflow run`, as read from a TOML file. Unknown keys are errors, so a typo
/// cannot silently fall back to a default.
#[derive(Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RunConfig {
    /// Inputs: files, directories, `-`.
    #[serde(default)]
    pub inputs: Vec<String>,
    /// Sink URIs.
    #[serde(default)]
    pub sinks: Vec<String>,
    /// Worker threads.
    pub workers: Option<usize>,
    /// Keep input order.
    pub ordered: Option<bool>,
    /// Dead-letter file.
    pub dead_letter: Option<PathBuf>,
    /// Articles queued between stages.
    pub queue: Option<usize>,
    /// Articles per sink write.
    pub batch: Option<usize>,
    /// Batches queued per sink.
    pub sink_queue: Option<usize>,
    /// Articles in flight at most with `ordered`.
    pub ordered_window: Option<usize>,
    /// Tagger model file.
    pub model: Option<PathBuf>,
    /// Entity patterns file.
    pub patterns: Option<PathBuf>,
    /// Languages passed on (ISO 639-1); the others are skipped.
    pub languages: Option<Vec<String>>,
    /// Rotate `jsonl:` files at this size.
    pub rotate_bytes: Option<u64>,
    /// Seconds to drain after a signal.
    pub grace_secs: Option<u64>,
    /// Sink retry policy.
    pub retry: Option<RetryConfig>,
}

/// The `[retry]` table.
#[derive(Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RetryConfig {
    /// Retries after a failed write.
    pub retries: Option<u32>,
    /// Wait before the first retry, in milliseconds.
    pub initial_backoff_ms: Option<u64>,
    /// Longest wait between retries, in milliseconds.
    pub max_backoff_ms: Option<u64>,
}

impl RunConfig {
    /// Reads and parses a config file.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read config file {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("invalid config file {}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_readme_example_parses() {
        let readme = include_str!("../README.md");
        let start = readme.find("```toml\n").expect("README has a TOML example") + 8;
        let end = start + readme[start..].find("```").expect("closed");
        let config: RunConfig = toml::from_str(&readme[start..end]).unwrap();
        assert_eq!(config.sinks.len(), 2);
        assert_eq!(config.retry.unwrap().retries, Some(5));
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let err = toml::from_str::<RunConfig>("workerz = 2").unwrap_err();
        assert!(err.to_string().contains("workerz"), "{err}");
    }
}
