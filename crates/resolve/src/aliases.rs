//! Alias groups: names of one entity that no rule connects, from `data/aliases/aliases.tsv`.

use crate::{names, HashMap};

/// The list shipped with newsflow, compiled in so it works from any folder.
static EMBEDDED: &str = include_str!("../../../data/aliases/aliases.tsv");

/// Alias groups, looked up by normalised name.
#[derive(Debug, Clone, Default)]
pub(crate) struct Aliases {
    /// Normalised name → group (the group is the line's number among the groups).
    groups: HashMap<String, u32>,
}

impl Aliases {
    /// The shipped list.
    pub(crate) fn embedded() -> Self {
        Self::parse(EMBEDDED)
    }

    /// Parses tab-separated groups; `#` starts a comment line. A name listed twice keeps
    /// its first group.
    pub(crate) fn parse(tsv: &str) -> Self {
        let mut aliases = Self::default();
        let mut group = 0u32;
        for line in tsv.lines() {
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            for name in line.split('\t').map(str::trim).filter(|n| !n.is_empty()) {
                let mut key = String::new();
                names::key_into(name, &mut key);
                aliases.groups.entry(key).or_insert(group);
            }
            group += 1;
        }
        aliases
    }

    /// The group of a normalised name.
    pub(crate) fn group(&self, key: &str) -> Option<u32> {
        self.groups.get(key).copied()
    }
}
