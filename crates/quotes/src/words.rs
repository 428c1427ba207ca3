//! The word lists the quote finder reads from `data/`, embedded at compile time (the binary
//! needs no data files) and parsed once into sorted tables shared by every worker.

use std::sync::OnceLock;

/// Verbs of saying; the same file the segmenter reads, so the two never disagree.
const SPEECH_VERBS: &str = include_str!("../../../data/abbreviations/speech_verbs.txt");

/// First names that are mostly men's, and mostly women's, in the 1990 US census.
const MALE_NAMES: &str = include_str!("../../../data/names/male.txt");
const FEMALE_NAMES: &str = include_str!("../../../data/names/female.txt");

/// Titles that say a person's gender ("Mr Blair", "Baroness Scotland").
const MALE_TITLES: &[&str] = &[
    "mr", "mr.", "sir", "lord", "mister", "king", "prince", "duke", "baron", "earl", "monsieur",
    "herr", "senor", "señor",
];
const FEMALE_TITLES: &[&str] = &[
    "mrs", "mrs.", "ms", "ms.", "miss", "lady", "dame", "queen", "princess", "duchess", "baroness",
    "madame", "frau", "senora", "señora",
];

/// A person's gender as far as the text tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Gender {
    Male,
    Female,
    /// Not known: agrees with either pronoun.
    Unknown,
}

impl Gender {
    /// Whether a person of this gender can be referred to as `other`.
    pub(crate) fn agrees(self, other: Gender) -> bool {
        self == other || self == Gender::Unknown || other == Gender::Unknown
    }
}

/// The gender of a pronoun that refers to a person ("he", "her").
pub(crate) fn pronoun_gender(word: &str) -> Option<Gender> {
    match word.to_ascii_lowercase().as_str() {
        "he" | "him" | "his" => Some(Gender::Male),
        "she" | "her" => Some(Gender::Female),
        _ => None,
    }
}

/// The gender of a pronoun that can be a sentence's subject ("he", "she"; not "his").
pub(crate) fn subject_gender(word: &str) -> Option<Gender> {
    if word.eq_ignore_ascii_case("he") {
        Some(Gender::Male)
    } else if word.eq_ignore_ascii_case("she") {
        Some(Gender::Female)
    } else {
        None
    }
}

/// The gender a title before a name gives ("Mrs" → female).
pub(crate) fn title_gender(word: &str) -> Option<Gender> {
    // Most tokens are not titles: a length outside the titles' and a first letter no title
    // has end the look-up before the two lists are walked (callgrind: the lists were most
    // of the quote stage's pronoun linking).
    let first = word.as_bytes().first()?.to_ascii_lowercase();
    if word.len() > 8 || !b"bdefhklmpqs".contains(&first) {
        return None;
    }
    let is = |list: &[&str]| list.iter().any(|t| word.eq_ignore_ascii_case(t));
    if is(MALE_TITLES) {
        Some(Gender::Male)
    } else if is(FEMALE_TITLES) {
        Some(Gender::Female)
    } else {
        None
    }
}

/// The gender of a first name, `Unknown` when the census lists do not tell.
pub(crate) fn name_gender(word: &str) -> Gender {
    if in_sorted_lines(MALE_NAMES, word) {
        Gender::Male
    } else if in_sorted_lines(FEMALE_NAMES, word) {
        Gender::Female
    } else {
        Gender::Unknown
    }
}

/// Whether `word`, in any ASCII case, is a line of `file`, a list kept sorted (bytewise,
/// checked by a test) under its `#` header. Searched in place: parsing and sorting the
/// 5,000 names into a table cost more than all the look-ups of a 100-article run
/// (callgrind, issue 18).
fn in_sorted_lines(file: &str, word: &str) -> bool {
    let bytes = word.as_bytes();
    if bytes.is_empty() || bytes.len() > MAX_WORD {
        return false;
    }
    let mut buf = [0u8; MAX_WORD];
    for (b, w) in buf.iter_mut().zip(bytes) {
        *b = w.to_ascii_lowercase();
    }
    let word = &buf[..bytes.len()];
    let mut list = file.as_bytes();
    while list.first() == Some(&b'#') {
        list = memchr::memchr(b'\n', list).map_or(&[], |n| &list[n + 1..]);
    }
    let (mut lo, mut hi) = (0, list.len());
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let start = memchr::memrchr(b'\n', &list[lo..mid]).map_or(lo, |n| lo + n + 1);
        let end = memchr::memchr(b'\n', &list[start..hi]).map_or(hi, |n| start + n);
        match list[start..end].cmp(word) {
            std::cmp::Ordering::Equal => return true,
            std::cmp::Ordering::Less => lo = end + 1,
            std::cmp::Ordering::Greater => hi = start,
        }
    }
    false
}

/// The longest word a lookup lowercases on the stack; longer tokens are in no list.
const MAX_WORD: usize = 32;

/// The entries of a list file: one lowercase entry per line, `#` starts a comment.
fn entries(file: &'static str) -> impl Iterator<Item = &'static str> {
    file.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// A word list shaped for the look-up the quote finder makes thousands of times an
/// article, nearly always for a token that is not in it: a bit per (length, first letter)
/// and per (length, last letter) rejects most words on two loads, and the few that pass
/// are compared with the entries of their length only (callgrind, issue 18: a binary
/// search over a lowercased copy cost 410 instructions a call, the largest share of the
/// quote stage).
struct Lexicon {
    /// By byte length: a bit for each first byte (ASCII-lowercased, modulo 32) an entry
    /// of that length has, and one for each last byte. Only a filter: letters and other
    /// bytes may share a bit, the comparison below decides.
    masks: Vec<(u32, u32)>,
    /// By byte length: the entries of that length.
    by_len: Vec<Vec<&'static str>>,
}

/// The bit of a byte in a [`Lexicon`] mask.
fn bit(b: u8) -> u32 {
    1 << (b.to_ascii_lowercase() & 31)
}

impl Lexicon {
    fn new(file: &'static str) -> Self {
        let mut lexicon = Lexicon {
            masks: Vec::new(),
            by_len: Vec::new(),
        };
        for word in entries(file) {
            let b = word.as_bytes();
            let (Some(&first), Some(&last)) = (b.first(), b.last()) else {
                continue;
            };
            if lexicon.by_len.len() <= b.len() {
                lexicon.masks.resize(b.len() + 1, (0, 0));
                lexicon.by_len.resize(b.len() + 1, Vec::new());
            }
            lexicon.masks[b.len()].0 |= bit(first);
            lexicon.masks[b.len()].1 |= bit(last);
            lexicon.by_len[b.len()].push(word);
        }
        lexicon
    }

    /// Whether `word`, in any ASCII case, is an entry (entries are lowercase).
    fn contains(&self, word: &str) -> bool {
        let b = word.as_bytes();
        let (Some(&first), Some(&last)) = (b.first(), b.last()) else {
            return false;
        };
        match self.masks.get(b.len()) {
            Some(&(f, l)) if f & bit(first) != 0 && l & bit(last) != 0 => {
                self.by_len[b.len()].iter().any(|e| {
                    e.as_bytes()[0] == first.to_ascii_lowercase() && e.eq_ignore_ascii_case(word)
                })
            }
            _ => false,
        }
    }
}

/// Whether `word` is a verb of saying ("said", "Told").
pub(crate) fn is_speech_verb(word: &str) -> bool {
    static TABLE: OnceLock<Lexicon> = OnceLock::new();
    TABLE
        .get_or_init(|| Lexicon::new(SPEECH_VERBS))
        .contains(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speech_verbs_are_lowercase_and_listed_once() {
        let all: Vec<_> = entries(SPEECH_VERBS).collect();
        let mut seen = std::collections::HashSet::new();
        for w in &all {
            assert!(seen.insert(*w), "{w} is listed twice in speech_verbs.txt");
            assert_eq!(*w, w.to_lowercase(), "{w} is not lowercase");
        }
        assert!(all.len() > 50);
    }

    #[test]
    fn first_names_and_titles_give_a_gender() {
        assert_eq!(name_gender("Maria"), Gender::Female);
        assert_eq!(name_gender("TOM"), Gender::Male);
        assert_eq!(name_gender("Lee"), Gender::Unknown);
        assert_eq!(title_gender("Mrs"), Some(Gender::Female));
        assert_eq!(title_gender("Sen."), None);
        for t in MALE_TITLES.iter().chain(FEMALE_TITLES) {
            assert!(title_gender(t).is_some(), "{t} passes the quick filter");
        }
        for list in [MALE_NAMES, FEMALE_NAMES] {
            let all: Vec<_> = entries(list).collect();
            assert!(
                all.windows(2).all(|w| w[0].as_bytes() < w[1].as_bytes()),
                "name lists are sorted bytewise, once each"
            );
            let lines = list.lines().filter(|l| !l.starts_with('#'));
            assert!(lines.eq(all.iter().copied()), "no blank lines or spaces");
            // The in-place search finds every entry, first and last included, and no
            // prefix or extension of one.
            for name in &all {
                assert!(in_sorted_lines(list, name), "{name}");
                assert!(!in_sorted_lines(list, &format!("{name}q")), "{name}q");
            }
        }
        assert!(!in_sorted_lines(MALE_NAMES, "#"));
    }

    #[test]
    fn speech_verbs_match_in_any_case() {
        assert!(is_speech_verb("said"));
        assert!(is_speech_verb("Told"));
        assert!(is_speech_verb("insisted"));
        assert!(!is_speech_verb("sad"));
        assert!(!is_speech_verb(""));
        // The filter lets every entry through, in any case, and no near miss.
        for verb in entries(SPEECH_VERBS) {
            assert!(is_speech_verb(verb), "{verb}");
            assert!(is_speech_verb(&verb.to_ascii_uppercase()), "{verb}");
            assert!(!is_speech_verb(&format!("{verb}x")), "{verb}x");
            assert!(!is_speech_verb(&verb[1..]), "{}", &verb[1..]);
        }
        assert!(!is_speech_verb("sajd"));
        assert!(!is_speech_verb("\u{e9}said"));
    }
}
