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
    /// Inputs: files, directories, `-`, URLs.
    #[serde(default)]
    pub inputs: Vec<String>,
    /// Keep polling URL inputs.
    pub follow: Option<bool>,
    /// Seconds between two polls of a followed feed.
    pub interval: Option<u64>,
    /// Where seen ids and HTTP validators persist.
    pub state: Option<PathBuf>,
    /// The User-Agent header sent when fetching feeds.
    pub user_agent: Option<String>,
    /// No progress bar and no summary.
    pub quiet: Option<bool>,
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
    /// Drop entities scoring below this.
    pub min_score: Option<f32>,
    /// Languages passed on (ISO 639-1); the others are skipped.
    pub languages: Option<Vec<String>>,
    /// Rotate `jsonl:` files at this size.
    pub rotate_bytes: Option<u64>,
    /// Seconds to drain after a signal.
    pub grace_secs: Option<u64>,
    /// Sink retry policy.
    pub retry: Option<RetryConfig>,
    /// Fetch each feed item's linked page (`--fetch-articles`).
    pub fetch_articles: Option<bool>,
    /// Requests at a time to one host when fetching pages.
    pub fetch_per_host: Option<usize>,
    /// Requests at a time overall when fetching pages.
    pub fetch_concurrency: Option<usize>,
    /// Seconds one page fetch may take.
    pub fetch_timeout_secs: Option<u64>,
    /// Address of the metrics and health listener.
    pub metrics: Option<String>,
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

    /// Every `newsflow run` flag is a key of the file, so a new flag cannot forget its key.
    /// The mapping rule: a flag's key is its argument id (the `Args` field name, `--user-agent`
    /// is `user_agent`, `--sink` is `sinks`), except those listed in `RENAMED`, and `config`
    /// itself, which a file cannot set.
    #[test]
    fn every_run_flag_is_a_config_key() {
        const RENAMED: &[(&str, &str)] = &[
            // The retry policy is one table with its backoffs, which have no flags.
            ("retries", "[retry]\nretries"),
            // The unit is in the name: the file has no --help to say it.
            ("grace", "grace_secs"),
            ("fetch_timeout", "fetch_timeout_secs"),
        ];
        let command =
            <crate::cmd::run::Args as clap::Args>::augment_args(clap::Command::new("run"));
        let mut checked = 0;
        for arg in command.get_arguments() {
            let id = arg.get_id().as_str();
            if matches!(id, "config" | "help" | "version") {
                continue;
            }
            let key = RENAMED
                .iter()
                .find(|(flag, _)| *flag == id)
                .map_or(id, |(_, key)| key);
            // Values of the wrong type still show that the key is known; only an unknown
            // key says "unknown field".
            for value in ["0", "true", "\"x\"", "[]"] {
                if let Err(e) = toml::from_str::<RunConfig>(&format!("{key} = {value}")) {
                    let message = e.to_string();
                    assert!(
                        !message.contains("unknown field"),
                        "--{} has no config key {key:?}: add it to RunConfig (and README), or to \
                         RENAMED here: {message}",
                        arg.get_long().unwrap_or(id)
                    );
                }
            }
            checked += 1;
        }
        assert!(checked >= 15, "only {checked} flags found");
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let err = toml::from_str::<RunConfig>("workerz = 2").unwrap_err();
        assert!(err.to_string().contains("workerz"), "{err}");
    }
}
