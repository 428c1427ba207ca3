//! The `--state` file: what each followed URL has already delivered, so a restart neither
//! repeats old items nor re-downloads an unchanged feed.

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::http::Validators;

/// Item ids remembered per feed. Feeds carry tens to hundreds of items, so this covers many
/// feed lengths of history while keeping the file small; the oldest ids are forgotten first.
pub const MAX_SEEN_IDS: usize = 5000;

/// The state file's format version, bumped on incompatible changes.
const STATE_VERSION: u32 = 1;

/// Why the state file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// Reading or writing failed.
    #[error("state file {path}")]
    Io {
        /// The state file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not a newsflow state file (or a newer version of one).
    #[error(
        "state file {path} is not valid newsflow state ({reason}); move it away to start afresh"
    )]
    Invalid {
        /// The state file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

/// What newsflow remembers about one feed URL.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedState {
    /// The last response's `ETag`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    /// The last response's `Last-Modified`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// Ids already emitted, oldest first.
    #[serde(default)]
    seen: VecDeque<String>,
    /// `seen` as a set, for lookups; rebuilt after loading.
    #[serde(skip)]
    index: HashSet<String>,
}

impl FeedState {
    /// Whether an item with this id has been emitted before.
    pub fn has_seen(&self, id: &str) -> bool {
        self.index.contains(id)
    }

    /// Records an emitted id, forgetting the oldest beyond [`MAX_SEEN_IDS`].
    pub fn mark_seen(&mut self, id: &str) {
        if self.index.insert(id.to_string()) {
            self.seen.push_back(id.to_string());
        }
        while self.seen.len() > MAX_SEEN_IDS {
            if let Some(old) = self.seen.pop_front() {
                self.index.remove(&old);
            }
        }
    }

    /// Whether nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.seen.is_empty() && self.etag.is_none() && self.last_modified.is_none()
    }

    /// The validators to send with the next request.
    pub fn validators(&self) -> Validators {
        Validators {
            etag: self.etag.clone(),
            last_modified: self.last_modified.clone(),
        }
    }

    /// Remembers the validators of the latest response.
    pub fn set_validators(&mut self, v: Validators) {
        self.etag = v.etag;
        self.last_modified = v.last_modified;
    }
}

/// Everything the state file holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FollowState {
    /// Format version ([`STATE_VERSION`]).
    version: u32,
    /// Per feed URL.
    pub feeds: BTreeMap<String, FeedState>,
    /// Linked pages already fetched by `--fetch-articles` (their URLs as seen ids), so a
    /// page is fetched once however many polls, runs or items link to it.
    #[serde(default, skip_serializing_if = "FeedState::is_empty")]
    pub pages: FeedState,
}

impl Default for FollowState {
    fn default() -> Self {
        Self {
            version: STATE_VERSION,
            feeds: BTreeMap::new(),
            pages: FeedState::default(),
        }
    }
}

impl FollowState {
    /// Loads the state file; a missing file is an empty state (the first run).
    pub fn load(path: &Path) -> Result<Self, StateError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(source) => {
                return Err(StateError::Io {
                    path: path.to_path_buf(),
                    source,
                })
            }
        };
        let invalid = |reason: String| StateError::Invalid {
            path: path.to_path_buf(),
            reason,
        };
        let mut state: Self = serde_json::from_str(&text).map_err(|e| invalid(e.to_string()))?;
        if state.version != STATE_VERSION {
            return Err(invalid(format!("version {}", state.version)));
        }
        for feed in state.feeds.values_mut().chain([&mut state.pages]) {
            feed.index = feed.seen.iter().cloned().collect();
        }
        Ok(state)
    }

    /// Writes the state atomically: a temporary file beside it, then a rename, so a crash
    /// mid-write leaves the previous state intact.
    pub fn save(&self, path: &Path) -> Result<(), StateError> {
        let io = |source| StateError::Io {
            path: path.to_path_buf(),
            source,
        };
        let json = serde_json::to_string_pretty(self).map_err(|e| io(std::io::Error::other(e)))?;
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".tmp");
        let tmp = PathBuf::from(tmp);
        std::fs::write(&tmp, json + "\n").map_err(io)?;
        std::fs::rename(&tmp, path).map_err(io)
    }

    /// The state of one URL, created empty on first use.
    pub fn feed(&mut self, url: &str) -> &mut FeedState {
        self.feeds.entry(url.to_string()).or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_round_trips_and_forgets_oldest_ids() {
        let dir = std::env::temp_dir().join(format!("newsflow-state-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("state.json");
        let mut state = FollowState::load(&path).unwrap();
        let feed = state.feed("http://x/feed");
        for i in 0..MAX_SEEN_IDS + 2 {
            feed.mark_seen(&i.to_string());
        }
        feed.etag = Some("\"v1\"".into());
        state.save(&path).unwrap();
        let mut loaded = FollowState::load(&path).unwrap();
        let feed = loaded.feed("http://x/feed");
        assert!(!feed.has_seen("0") && !feed.has_seen("1"));
        assert!(feed.has_seen("2") && feed.has_seen(&(MAX_SEEN_IDS + 1).to_string()));
        assert_eq!(feed.validators().etag.as_deref(), Some("\"v1\""));
        std::fs::write(&path, "not json").unwrap();
        let err = FollowState::load(&path).unwrap_err().to_string();
        assert!(
            err.contains("state.json") && err.contains("not valid"),
            "{err}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
