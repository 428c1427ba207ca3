//! The word lists of `data/abbreviations/`, parsed once into one sorted table.
//!
//! Every lookup happens in the segmenter's hot path, so a word is packed into a `u64` (its
//! first eight bytes, ASCII-lowercased) and found in a small open-addressing hash table: no
//! allocation, no string hashing, one or two cache lines. Words longer than eight bytes are never abbreviations.

use std::sync::OnceLock;

/// Stands before a name or number; never ends a sentence ("Mr.", "Gen.", "e.g.").
pub(crate) const TITLE: u8 = 1;
/// May end a sentence; ends one only before a typical opener ("Inc.", "Jan.", "Calif.").
pub(crate) const COMMON: u8 = 2;
/// A typical sentence opener ("The", "He", "How").
pub(crate) const STARTER: u8 = 4;
/// A verb of saying ("said"), for quote attributions.
pub(crate) const SPEECH: u8 = 8;
/// A word that continues a sentence after a clock time ("Friday", "EST").
pub(crate) const TIME_FOLLOWER: u8 = 16;
/// A word of an e-mail sign-off ("Best regards,", "Thanks,").
pub(crate) const SIGN_OFF: u8 = 32;
/// A word that opens a letter ("Dear All,", "Hi Ann,").
pub(crate) const GREETING: u8 = 64;
/// The `TITLE`/`COMMON` flag only holds when the text is capitalised ("Ill." but not "ill.").
const CAP_ONLY: u8 = 128;

/// The word lists, embedded so the binary needs no data files at run time.
const LISTS: [(&str, u8); 7] = [
    (
        include_str!("../../../data/abbreviations/titles.txt"),
        TITLE,
    ),
    (
        include_str!("../../../data/abbreviations/common.txt"),
        COMMON,
    ),
    (
        include_str!("../../../data/abbreviations/starters.txt"),
        STARTER,
    ),
    (
        include_str!("../../../data/abbreviations/speech_verbs.txt"),
        SPEECH,
    ),
    (
        include_str!("../../../data/abbreviations/time_followers.txt"),
        TIME_FOLLOWER,
    ),
    (
        include_str!("../../../data/abbreviations/signoffs.txt"),
        SIGN_OFF,
    ),
    (
        include_str!("../../../data/abbreviations/greetings.txt"),
        GREETING,
    ),
];

/// Sorted `(key, flags)` pairs; a key is the packed lowercase word.
type Table = Vec<(u64, u8)>;

/// Slots of the lookup hash table: a power of two well above the ~500 words, so probes
/// are short.
const SLOTS: usize = 2048;

/// Open-addressing hash of the table: a multiply-shift hash and linear probing find a word
/// in one or two cache-line reads without the mispredicted branches of a binary search.
pub(crate) struct Index {
    /// `(key, flags)`; key 0 marks an empty slot (no word packs to 0).
    slots: Vec<(u64, u8)>,
}

impl Index {
    fn new(table: &Table) -> Self {
        let mut slots = vec![(0u64, 0u8); SLOTS];
        for &(key, flags) in table {
            let mut at = slot(key);
            while slots[at].0 != 0 {
                at = (at + 1) & (SLOTS - 1);
            }
            slots[at] = (key, flags);
        }
        Self { slots }
    }

    #[inline]
    fn get(&self, key: u64) -> u8 {
        let mut at = slot(key);
        loop {
            let (k, f) = self.slots[at];
            if k == key {
                return f;
            }
            if k == 0 {
                return 0;
            }
            at = (at + 1) & (SLOTS - 1);
        }
    }
}

#[inline]
fn slot(key: u64) -> usize {
    (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - SLOTS.trailing_zeros())) as usize
}

/// The hash index, built on first use and shared by every `Segmenter`.
fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(|| Index::new(table()))
}

/// The abbreviation lists of other languages (ISO 639-1 code, list), embedded like the
/// English ones. An entry is a title (never ends a sentence) unless it starts with `~`.
const LANGUAGE_LISTS: [(&str, &str); 6] = [
    ("de", include_str!("../../../data/abbreviations/de.txt")),
    ("fr", include_str!("../../../data/abbreviations/fr.txt")),
    ("es", include_str!("../../../data/abbreviations/es.txt")),
    ("it", include_str!("../../../data/abbreviations/it.txt")),
    ("pt", include_str!("../../../data/abbreviations/pt.txt")),
    ("nl", include_str!("../../../data/abbreviations/nl.txt")),
];

/// The codes of the languages with their own abbreviation list.
pub(crate) fn language_codes() -> impl Iterator<Item = &'static str> {
    LANGUAGE_LISTS.iter().map(|(code, _)| *code)
}

/// The abbreviation index of `lang` (ISO 639-1, any case), if it has a list; built on first
/// use and shared.
pub(crate) fn language(lang: &str) -> Option<&'static Index> {
    static INDEXES: [OnceLock<Index>; LANGUAGE_LISTS.len()] =
        [const { OnceLock::new() }; LANGUAGE_LISTS.len()];
    let at = LANGUAGE_LISTS
        .iter()
        .position(|(code, _)| code.eq_ignore_ascii_case(lang))?;
    Some(INDEXES[at].get_or_init(|| Index::new(&build_from(&[(LANGUAGE_LISTS[at].1, TITLE)]))))
}

/// The table, built on first use and shared by every `Segmenter`.
fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(build)
}

fn build() -> Table {
    build_from(&LISTS)
}

/// Parses `lists` into one merged table.
fn build_from(lists: &[(&str, u8)]) -> Table {
    let mut table: Table = Vec::new();
    for &(list, flag) in lists {
        for line in list.lines() {
            let word = line.trim();
            if word.is_empty() || word.starts_with('#') {
                continue;
            }
            // "~etc": an abbreviation that may also end a sentence.
            let (word, flag) = match word.strip_prefix('~') {
                Some(w) if flag == TITLE => (w.trim(), COMMON),
                _ => (word, flag),
            };
            let Some(key) = pack(word.as_bytes()) else {
                continue;
            };
            let cap_only = word.as_bytes()[0].is_ascii_uppercase() && flag & (TITLE | COMMON) != 0;
            let flags = flag | if cap_only { CAP_ONLY } else { 0 };
            table.push((key, flags));
        }
    }
    table.sort_unstable();
    // Merge duplicates: a word may be in several lists ("no" opens sentences and abbreviates
    // "number"); CAP_ONLY survives only if every abbreviation entry asked for it.
    let mut merged: Table = Vec::with_capacity(table.len());
    for (key, flags) in table {
        match merged.last_mut() {
            Some((k, f)) if *k == key => {
                let cap = (*f & CAP_ONLY) & (flags & CAP_ONLY);
                let cap = if *f & (TITLE | COMMON) == 0 || flags & (TITLE | COMMON) == 0 {
                    (*f | flags) & CAP_ONLY
                } else {
                    cap
                };
                *f = ((*f | flags) & !CAP_ONLY) | cap;
            }
            _ => merged.push((key, flags)),
        }
    }
    merged
}

/// Packs up to eight bytes, ASCII-lowercased, into a key; `None` when longer or empty.
#[inline]
fn pack(word: &[u8]) -> Option<u64> {
    if word.is_empty() || word.len() > 8 {
        return None;
    }
    let mut key = 0u64;
    for &b in word {
        key = (key << 8) | u64::from(b.to_ascii_lowercase());
    }
    Some(key)
}

/// The flags of `word` as written in the text (case matters for `CAP_ONLY` entries).
#[inline]
pub(crate) fn flags(word: &[u8]) -> u8 {
    flags_in(index(), word)
}

/// The flags of `word` in `index` (the English lists or a language's own).
#[inline]
pub(crate) fn flags_in(index: &Index, word: &[u8]) -> u8 {
    let Some(key) = pack(word) else { return 0 };
    let f = index.get(key);
    if f & CAP_ONLY != 0 && !word[0].is_ascii_uppercase() {
        f & !(TITLE | COMMON | CAP_ONLY)
    } else {
        f & !CAP_ONLY
    }
}

/// Words normally lowercase in prose (`data/abbreviations/lowercase.txt`), sorted. Kept
/// apart from the hashed lists: it is large and consulted only in one rare case (a
/// capitalised word after "U.S."-like abbreviations), so it must not grow the hot table.
const LOWERCASE: &str = include_str!("../../../data/abbreviations/lowercase.txt");

/// `word` (any case, ASCII letters) is a word normally written lowercase ("Millions").
pub(crate) fn is_lowercase_word(word: &[u8]) -> bool {
    static WORDS: OnceLock<Vec<&'static [u8]>> = OnceLock::new();
    let words = WORDS.get_or_init(|| {
        let mut words: Vec<&[u8]> = LOWERCASE
            .lines()
            .map(str::trim)
            .filter(|w| !w.is_empty() && !w.starts_with('#'))
            .map(str::as_bytes)
            .collect();
        words.sort_unstable();
        words
    });
    words
        .binary_search_by(|w| {
            w.iter()
                .copied()
                .cmp(word.iter().map(u8::to_ascii_lowercase))
        })
        .is_ok()
}

/// Slots of the prefix filter: three letters, each `a`–`z` or "none" (26).
const PREFIXES: usize = 27 * 27 * 27;

/// A byte as a prefix-filter letter: `a`–`z` (either case) as 0–25, anything else 26.
#[inline(always)]
const fn prefix_letter(c: u8) -> usize {
    let lower = c | 0x20;
    if c.is_ascii_alphabetic() {
        (lower - b'a') as usize
    } else {
        26
    }
}

/// The filter slot of a word's first three bytes (`b` shorter than three counts the
/// missing bytes as "none", so "Hi," and the entry "hi" meet).
#[inline(always)]
const fn prefix_slot(b: &[u8], from: usize, to: usize) -> usize {
    (prefix_at(b, from, to, 0) * 27 + prefix_at(b, from, to, 1)) * 27 + prefix_at(b, from, to, 2)
}

/// The filter letter of `b[from + i]`, or "none" past `to`.
#[inline(always)]
const fn prefix_at(b: &[u8], from: usize, to: usize, i: usize) -> usize {
    if from + i < to {
        prefix_letter(b[from + i])
    } else {
        26
    }
}

/// Sets the bit of every entry of `list` in `bits`; runs at compile time.
const fn add_prefixes(
    mut bits: [u64; PREFIXES.div_ceil(64)],
    list: &str,
) -> [u64; PREFIXES.div_ceil(64)] {
    let b = list.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let mut end = i;
        while end < b.len() && b[end] != b'\n' {
            end += 1;
        }
        let mut from = i;
        while from < end && b[from].is_ascii_whitespace() {
            from += 1;
        }
        let mut to = end;
        while to > from && b[to - 1].is_ascii_whitespace() {
            to -= 1;
        }
        if to > from && b[from] != b'#' {
            let slot = prefix_slot(b, from, to);
            bits[slot / 64] |= 1 << (slot % 64);
        }
        i = end + 1;
    }
    bits
}

/// A bit per three-letter prefix of the sign-off and greeting words, built at compile time:
/// nearly every sentence start is asked whether it opens "Best regards," and nearly all are
/// ruled out by one bit.
static LETTER_PREFIXES: [u64; PREFIXES.div_ceil(64)] = add_prefixes(
    add_prefixes([0; PREFIXES.div_ceil(64)], LISTS[5].0),
    LISTS[6].0,
);

/// Whether `text` (a sentence start) may begin with a sign-off or greeting word; false
/// means it surely does not.
#[inline]
pub(crate) fn may_open_letter(text: &[u8]) -> bool {
    let slot = prefix_slot(text, 0, text.len().min(3));
    LETTER_PREFIXES[slot / 64] >> (slot % 64) & 1 != 0
}

/// Forces the tables to be built, so the first segmented text does not pay for it.
pub(crate) fn preload() {
    let _ = index();
}

/// Lowercase words a complete line cannot end in ("the", "of"): a line that does was cut
/// mid-sentence. A set of its own because the flag byte of the lists above is full.
pub(crate) fn is_function_word(word: &[u8]) -> bool {
    static SET: std::sync::OnceLock<std::collections::HashSet<&'static [u8]>> =
        std::sync::OnceLock::new();
    SET.get_or_init(|| {
        include_str!("../../../data/abbreviations/function_words.txt")
            .lines()
            .map(str::trim)
            .filter(|w| !w.is_empty() && !w.starts_with('#'))
            .map(str::as_bytes)
            .collect()
    })
    .contains(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_words_by_list_and_case() {
        assert_eq!(flags(b"Mr") & TITLE, TITLE);
        assert_eq!(flags(b"MR") & TITLE, TITLE);
        assert_eq!(flags(b"Inc") & COMMON, COMMON);
        assert_eq!(flags(b"Ill") & COMMON, COMMON);
        assert_eq!(flags(b"ill") & COMMON, 0);
        assert_eq!(flags(b"e.g") & TITLE, TITLE);
        assert_eq!(flags(b"The") & STARTER, STARTER);
        assert_eq!(flags(b"No") & (STARTER | COMMON), STARTER | COMMON);
        assert_eq!(flags(b"said") & SPEECH, SPEECH);
        assert_eq!(flags(b"Friday") & TIME_FOLLOWER, TIME_FOLLOWER);
        assert_eq!(flags(b"Regards") & SIGN_OFF, SIGN_OFF);
        assert_eq!(flags(b"Dear") & GREETING, GREETING);
        assert_eq!(flags(b"Smith"), 0);
        let de = language("DE").map(|i| flags_in(i, b"z.B"));
        assert_eq!(de, Some(TITLE));
        let fr =
            language("fr").map(|i| (flags_in(i, b"M"), flags_in(i, b"m"), flags_in(i, b"etc")));
        assert_eq!(fr, Some((TITLE, 0, COMMON)));
        assert!(language("xx").is_none());
        assert!(may_open_letter(b"Regards,"));
        assert!(may_open_letter(b"Hi, Ann"));
        assert!(!may_open_letter(b"The"));
        assert!(!may_open_letter(b"He said"));
        assert_eq!(LISTS[5].1, SIGN_OFF);
        assert_eq!(LISTS[6].1, GREETING);
        assert_eq!(flags(b"extraordinarily"), 0);
        assert_eq!(flags(b""), 0);
    }
}
