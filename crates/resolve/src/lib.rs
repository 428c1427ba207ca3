//! In-article entity resolution: which of an article's entity mentions name the same
//! entity ("Antony Blinken" … "Blinken"; "OSCE" … "Organization for Security and
//! Co-operation in Europe"; "US" … "United States"), and how salient each entity is.
//!
//! Layout:
//! - `names`: how names are compared (normalised keys, company cores, initials).
//! - `aliases`: names no rule connects ("Britain" = "United Kingdom"), from
//!   `data/aliases/aliases.tsv`, compiled in.
//! - [`Resolver`]: groups mentions into [`article::Cluster`]s and scores their salience.
//!
//! The rules, tried in this order for each mention, longest names first (so a full name
//! exists before its surname is seen, wherever the two stand in the text):
//! 1. the same normalised name (case, dots, a possessive, "the" and titles ignored),
//!    whatever the tagger's label, so an inconsistent label does not split an entity;
//! 2. the same alias group;
//! 3. a one-word non-person name equal to the initials of a longer one;
//! 4. an organisation name equal to a longer one without company designators ("Corp");
//! 5. a person named by surname alone (or by given name, when only one person has it), or
//!    by given name and surname when the full name has a middle name: joined to that
//!    person, the one mentioned most recently before when several share the name.
//!
//! Dates, times and amounts belong to no cluster. Resolution is pure: no I/O, never fails.

mod aliases;
mod names;

use std::collections::BTreeSet;
use std::ops::Range;

use article::{Analysis, Cluster, Label};

use aliases::Aliases;

/// Per-article tables are small and short-lived: a fast hasher, not a DoS-resistant one
/// (the keys are names from one article, not an attacker's choice of many).
type HashMap<K, V> = foldhash::HashMap<K, V>;

/// Groups an article's entity mentions into clusters. Built once, shared by all workers.
#[derive(Debug, Clone)]
pub struct Resolver {
    /// Names that belong together though no rule connects them.
    aliases: Aliases,
}

impl Default for Resolver {
    fn default() -> Self {
        Self::new()
    }
}

/// One named mention being resolved.
struct Mention<'k> {
    /// Index into the analysis's entities.
    entity: usize,
    /// The normalised name, in the article's key buffer.
    key: &'k str,
    /// Words in `key`.
    words: usize,
}

/// A cluster under construction.
struct Building {
    /// Entity indices, ordered: rule 5 asks for a cluster's last mention before a given
    /// one, which a scan of a long article's cluster made quadratic.
    mentions: BTreeSet<usize>,
    /// The entity whose name is the fullest so far, and its word count.
    fullest: (usize, usize),
}

/// Lookup tables of the clusters built so far, by the ways a later mention can match.
/// Names are keyed by their 64-bit hash, so one set of tables per worker thread serves
/// article after article without allocating (two names of one article colliding is a
/// one-in-2^64 event).
#[derive(Default)]
struct Index {
    by_key: HashMap<u64, usize>,
    by_alias: HashMap<u32, usize>,
    by_initials: HashMap<u64, usize>,
    by_core: HashMap<u64, usize>,
    /// Clusters of people named with several words, by hashed surname, by given name,
    /// and by both, each cluster once per list: rule 5 looks a name up instead of
    /// scanning every person of the article.
    by_surname: HashMap<u64, Vec<usize>>,
    by_given: HashMap<u64, Vec<usize>>,
    by_full: HashMap<(u64, u64), Vec<usize>>,
}

thread_local! {
    /// Each worker's tables, emptied (not freed) between articles.
    static INDEX: std::cell::RefCell<Index> = std::cell::RefCell::new(Index::default());
}

/// The hash names are keyed by: fixed, so the same name always lands in the same slot.
fn hash(name: &str) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::with_seed(0x6e66).hash_one(name)
}

impl Resolver {
    /// A resolver with the alias list shipped with newsflow.
    pub fn new() -> Self {
        Self {
            aliases: Aliases::embedded(),
        }
    }

    /// Fills `analysis.clusters` from `analysis.entities` (replacing any clusters there).
    /// `headline` is the byte range of the title within `text` (empty when there is none):
    /// entities named there are more salient.
    pub fn resolve(&self, text: &str, headline: Range<usize>, analysis: &mut Analysis) {
        analysis.clusters.clear();
        let entities = &analysis.entities;
        // Every key in one buffer, then mentions borrow their slice of it.
        let mut keys = String::with_capacity(entities.len() * 12);
        let mut ranges = Vec::with_capacity(entities.len());
        for (i, e) in entities.iter().enumerate() {
            if named(&e.label) {
                let start = keys.len();
                names::key_into(e.span.slice(text), &mut keys);
                if keys.len() > start {
                    ranges.push((i, start..keys.len()));
                }
            }
        }
        let mut mentions: Vec<Mention> = ranges
            .into_iter()
            .map(|(entity, range)| {
                let key = &keys[range];
                Mention {
                    entity,
                    key,
                    words: key.split(' ').count(),
                }
            })
            .collect();
        if mentions.is_empty() {
            return;
        }
        // Longest names first: the full name founds the cluster its short forms then join.
        mentions.sort_by_key(|m| (std::cmp::Reverse(m.words), m.entity));

        // `cluster` never calls back into `resolve`, so the table is never borrowed twice.
        INDEX.with_borrow_mut(|index| {
            index.clear();
            self.cluster(text, headline, analysis, &mentions, index);
        });
    }

    /// Groups `mentions` (longest first) into clusters and stores them with their salience.
    fn cluster(
        &self,
        text: &str,
        headline: Range<usize>,
        analysis: &mut Analysis,
        mentions: &[Mention<'_>],
        index: &mut Index,
    ) {
        let entities = &analysis.entities;
        let mut building: Vec<Building> = Vec::new();
        for m in mentions {
            let key = hash(m.key);
            let label = &entities[m.entity].label;
            let alias = self.aliases.group(m.key);
            let found = index
                .by_key
                .get(&key)
                .copied()
                .or_else(|| alias.and_then(|g| index.by_alias.get(&g).copied()))
                .or_else(|| {
                    (m.words == 1 && *label != Label::Per && names::acronym_like(m.key))
                        .then(|| index.by_initials.get(&key).copied())
                        .flatten()
                })
                .or_else(|| {
                    (*label == Label::Org)
                        .then(|| {
                            let core = names::org_core(m.key).unwrap_or(m.key);
                            index.by_core.get(&hash(core)).copied()
                        })
                        .flatten()
                })
                .or_else(|| {
                    (*label == Label::Per)
                        .then(|| person(index, &building, m))
                        .flatten()
                });
            let c = match found {
                Some(c) => {
                    let b = &mut building[c];
                    b.mentions.insert(m.entity);
                    if m.words > b.fullest.1 {
                        b.fullest = (m.entity, m.words);
                    }
                    c
                }
                None => {
                    building.push(Building {
                        mentions: BTreeSet::from([m.entity]),
                        fullest: (m.entity, m.words),
                    });
                    building.len() - 1
                }
            };
            index.add(c, m, key, label, alias, entities[m.entity].span.slice(text));
        }

        let mut clusters: Vec<Cluster> = building
            .into_iter()
            .map(|b| {
                let mentions: Vec<usize> = b.mentions.into_iter().collect();
                let label = majority_label(&mentions, analysis, b.fullest.0);
                let canonical = names::strip_possessive(entities[b.fullest.0].span.slice(text));
                Cluster {
                    label,
                    canonical: canonical.to_string(),
                    mentions,
                    salience: 0.0,
                }
            })
            .collect();
        clusters.sort_by_key(|c| c.mentions[0]);
        score_salience(&mut clusters, analysis, text.len(), headline);
        analysis.clusters = clusters;
    }
}

impl Index {
    fn clear(&mut self) {
        self.by_key.clear();
        self.by_alias.clear();
        self.by_initials.clear();
        self.by_core.clear();
        self.by_surname.clear();
        self.by_given.clear();
        self.by_full.clear();
    }

    /// Makes cluster `c` findable by every way mention `m` (whose name hashes to `key`) can
    /// be matched later.
    fn add(
        &mut self,
        c: usize,
        m: &Mention<'_>,
        key: u64,
        label: &Label,
        alias: Option<u32>,
        written: &str,
    ) {
        self.by_key.entry(key).or_insert(c);
        if let Some(g) = alias {
            self.by_alias.entry(g).or_insert(c);
        }
        if m.words < 2 {
            return;
        }
        if *label == Label::Per {
            if let (Some((first, _)), Some((_, last))) =
                (m.key.split_once(' '), m.key.rsplit_once(' '))
            {
                let (first, last) = (hash(first), hash(last));
                let lists = [
                    self.by_surname.entry(last).or_default(),
                    self.by_given.entry(first).or_default(),
                    self.by_full.entry((first, last)).or_default(),
                ];
                for list in lists {
                    if !list.contains(&c) {
                        list.push(c);
                    }
                }
            }
            return;
        }
        if let Some((capitals, all)) = names::initials(written) {
            self.by_initials.entry(hash(&capitals)).or_insert(c);
            self.by_initials.entry(hash(&all)).or_insert(c);
        }
        if *label == Label::Org {
            let core = names::org_core(m.key).unwrap_or(m.key);
            self.by_core.entry(hash(core)).or_insert(c);
        }
    }
}

/// Rule 5: the person a partial name refers to.
fn person(index: &Index, building: &[Building], m: &Mention<'_>) -> Option<usize> {
    let first = hash(m.key.split(' ').next()?);
    let last = hash(m.key.rsplit(' ').next()?);
    let none = Vec::new();
    let candidates = if m.words == 1 {
        let by_surname = index.by_surname.get(&last).unwrap_or(&none);
        if by_surname.is_empty() {
            // A given name alone only when it picks out one person.
            let by_given = index.by_given.get(&first).unwrap_or(&none);
            if by_given.len() > 1 {
                return None;
            }
            by_given
        } else {
            by_surname
        }
    } else {
        // "Hillary Clinton" for "Hillary Rodham Clinton": same given name and surname.
        index.by_full.get(&(first, last)).unwrap_or(&none)
    };
    // Several people share the name: the one mentioned last before, else the next after.
    let before = candidates
        .iter()
        .filter_map(|&c| {
            let prior = building[c].mentions.range(..m.entity).next_back()?;
            Some((*prior, c))
        })
        .max()
        .map(|(_, c)| c);
    before.or_else(|| {
        candidates
            .iter()
            .filter_map(|&c| Some((*building[c].mentions.first()?, c)))
            .min()
            .map(|(_, c)| c)
    })
}

/// Labels that name something; dates and amounts are never resolved.
fn named(label: &Label) -> bool {
    !matches!(
        label,
        Label::Date | Label::Time | Label::Money | Label::Percent
    )
}

/// The label most of the mentions carry; a tie goes to the fullest name's label.
fn majority_label(mentions: &[usize], analysis: &Analysis, fullest: usize) -> Label {
    let label_of = |e: usize| &analysis.entities[e].label;
    // Counted once per label (a cluster has a handful), not once per mention: a long
    // article's most mentioned cluster made the per-mention count quadratic.
    let mut counts: Vec<(&Label, usize)> = Vec::new();
    for &e in mentions {
        let l = label_of(e);
        match counts.iter_mut().find(|(x, _)| *x == l) {
            Some(c) => c.1 += 1,
            None => counts.push((l, 1)),
        }
    }
    let count = |l: &Label| counts.iter().find(|(x, _)| *x == l).map_or(0, |c| c.1);
    let mut best = label_of(fullest);
    let mut best_count = count(best);
    for &e in mentions {
        let n = count(label_of(e));
        if n > best_count {
            best = label_of(e);
            best_count = n;
        }
    }
    best.clone()
}

/// Salience in `[0, 1]`: `ln(1 + mentions) + 0.5 × (1 − first position / text length) +
/// 1 if the headline names it`, divided by the article's highest score. Mentions weigh
/// most; position and headline break ties the way an editor would.
fn score_salience(
    clusters: &mut [Cluster],
    analysis: &Analysis,
    text_len: usize,
    headline: Range<usize>,
) {
    let len = text_len.max(1) as f32;
    let mut best = 0f32;
    for c in clusters.iter_mut() {
        let spans = c.mentions.iter().map(|&e| analysis.entities[e].span);
        let first = spans.clone().map(|s| s.start).min().unwrap_or(0) as f32;
        let in_headline = spans
            .clone()
            .any(|s| s.end <= headline.end && s.start >= headline.start)
            && !headline.is_empty();
        let raw = (1.0 + c.mentions.len() as f32).ln()
            + 0.5 * (1.0 - first / len)
            + if in_headline { 1.0 } else { 0.0 };
        c.salience = raw;
        best = best.max(raw);
    }
    for c in clusters.iter_mut() {
        c.salience = if best > 0.0 { c.salience / best } else { 0.0 };
    }
}

#[cfg(test)]
mod tests;
