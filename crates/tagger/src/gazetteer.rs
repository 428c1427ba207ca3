//! Phrase lists (places, names, entity strings seen in training) matched token by token.
//!
//! A phrase is stored only as the hash of its lowercased tokens, so the model carries no
//! strings and matching a sentence never allocates: each token's lowercase hash is already
//! computed for the features, and a phrase hash is folded from them.

use crate::features::Tok;
use crate::hash::{Fh, IdMap};

/// The lists, one bit each in a phrase's mask. The first five and the last two come from
/// `data/gazetteers/`; `train_*` are the entity strings of the training data. The company
/// and brand lists came last and went at the end, so the bits of models trained before
/// them keep their meaning.
pub const CATEGORIES: [&str; 11] = [
    "loc_cities",
    "loc_countries",
    "loc_regions",
    "per_first",
    "per_last",
    "train_PER",
    "train_ORG",
    "train_LOC",
    "train_MISC",
    "org_companies",
    "org_brands",
];
/// Number of lists.
pub(crate) const NCAT: usize = CATEGORIES.len();
/// Index of the first harvested list (`train_PER`); type `t` is at `TRAIN_BASE + t`.
pub(crate) const TRAIN_BASE: usize = 5;
/// Number of harvested lists, one per entity type.
pub(crate) const NTRAIN: usize = 4;

/// Whether list `c` is read from `data/gazetteers/` (not harvested from training data).
pub(crate) fn is_external(c: usize) -> bool {
    !(TRAIN_BASE..TRAIN_BASE + NTRAIN).contains(&c)
}
/// Longer phrases are not matched; 6 tokens covers "Federal Republic of Yugoslavia"-type
/// names while bounding the work per capitalised token.
pub(crate) const MAX_LEN: usize = 6;

/// Template id of phrase hashes.
const T_PHRASE: u64 = 0x5048;

/// Match tags per token and list: none, begin of a multi-token match, inside one, or a
/// single-token match.
pub(crate) const G_NONE: u8 = 0;
const G_B: u8 = 1;
const G_I: u8 = 2;
const G_U: u8 = 3;

/// The phrase hash of lowercase token hashes.
pub(crate) fn phrase_hash(lowers: impl IntoIterator<Item = u64>) -> u64 {
    lowers.into_iter().fold(Fh::new(T_PHRASE), Fh::u64).finish()
}

/// A set of phrases, each with the lists it belongs to.
#[derive(Debug, Clone, Default)]
pub(crate) struct Gazetteer {
    /// Phrase hash to a bit mask over [`CATEGORIES`].
    pub(crate) phrases: IdMap<u16>,
}

impl Gazetteer {
    /// Adds a phrase given as its tokens' lowercase hashes to list `cat`.
    pub(crate) fn insert(&mut self, lowers: &[u64], cat: usize) {
        if lowers.is_empty() || lowers.len() > MAX_LEN {
            return;
        }
        *self
            .phrases
            .entry(phrase_hash(lowers.iter().copied()))
            .or_default() |= 1 << cat;
    }

    /// Adds a phrase written as whitespace-separated tokens to list `cat`.
    pub(crate) fn insert_text(&mut self, phrase: &str, cat: usize) {
        let lowers: Vec<u64> = phrase
            .split_whitespace()
            .map(crate::features::lower_hash)
            .collect();
        self.insert(&lowers, cat);
    }

    /// Greedy longest matches of every list in one sentence, starting on capitalised tokens,
    /// case-insensitive. `out[i][c]` receives the tag of token `i` for list `c`.
    pub(crate) fn tag(&self, toks: &[Tok], out: &mut [[u8; NCAT]]) {
        for o in out.iter_mut() {
            *o = [G_NONE; NCAT];
        }
        if self.phrases.is_empty() {
            return;
        }
        let mut covered = [0usize; NCAT];
        for i in 0..toks.len() {
            if !toks[i].is_cap() {
                continue;
            }
            // masks[l] = lists holding the phrase of tokens i..=i+l.
            let mut masks = [0u16; MAX_LEN];
            let mut h = Fh::new(T_PHRASE);
            let mut any = 0u16;
            for (l, m) in masks.iter_mut().enumerate().take(toks.len() - i) {
                h = h.u64(toks[i + l].lower);
                *m = self.phrases.get(&h.finish()).copied().unwrap_or(0);
                any |= *m;
            }
            if any == 0 {
                continue;
            }
            for c in 0..NCAT {
                if covered[c] > i || any & (1 << c) == 0 {
                    continue;
                }
                let Some(l) = (0..MAX_LEN).rev().find(|&l| masks[l] & (1 << c) != 0) else {
                    continue;
                };
                if l == 0 {
                    out[i][c] = G_U;
                } else {
                    out[i][c] = G_B;
                    for o in &mut out[i + 1..=i + l] {
                        o[c] = G_I;
                    }
                }
                covered[c] = i + l + 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::Tok;

    #[test]
    fn longest_match_wins_and_case_is_ignored() {
        let mut g = Gazetteer::default();
        g.insert_text("New York", 0);
        g.insert_text("New York City", 0);
        g.insert_text("York", 0);
        g.insert_text("Smith", 4);
        let words = ["in", "NEW", "YORK", "CITY", "Smith", "york"];
        let toks: Vec<Tok> = words.iter().map(|w| Tok::new(w)).collect();
        let mut out = vec![[0u8; NCAT]; words.len()];
        g.tag(&toks, &mut out);
        let city: Vec<u8> = out.iter().map(|o| o[0]).collect();
        // "york" is lowercase, so no match starts there.
        assert_eq!(city, [0, G_B, G_I, G_I, 0, 0]);
        assert_eq!(out[4][4], G_U);
    }
}
