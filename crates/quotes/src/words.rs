//! The word lists the quote finder reads from `data/`, embedded at compile time (the binary
//! needs no data files) and parsed at compile time into sorted tables.

/// Verbs of saying; the same file the segmenter reads, so the two never disagree.
const SPEECH_VERBS: &str = include_str!("../../../data/abbreviations/speech_verbs.txt");

/// First names that are mostly men's, and mostly women's, in the 1990 US census.
const MALE_NAMES: &str = include_str!("../../../data/names/male.txt");
const FEMALE_NAMES: &str = include_str!("../../../data/names/female.txt");

/// Titles that stand before a person's name, with the gender each says ("Mr Blair",
/// "Baroness Scotland"; "Sen." and "Dr" say none). One list: a title is what makes a name
/// a person's ("Rep. Cardiss Collins" tagged ORG) whether or not it tells the gender.
const TITLES: &[(&str, Gender)] = &[
    ("mr", Gender::Male),
    ("mr.", Gender::Male),
    ("sir", Gender::Male),
    ("lord", Gender::Male),
    ("mister", Gender::Male),
    ("king", Gender::Male),
    ("prince", Gender::Male),
    ("duke", Gender::Male),
    ("baron", Gender::Male),
    ("earl", Gender::Male),
    ("monsieur", Gender::Male),
    ("herr", Gender::Male),
    ("senor", Gender::Male),
    ("señor", Gender::Male),
    ("mrs", Gender::Female),
    ("mrs.", Gender::Female),
    ("ms", Gender::Female),
    ("ms.", Gender::Female),
    ("miss", Gender::Female),
    ("lady", Gender::Female),
    ("dame", Gender::Female),
    ("queen", Gender::Female),
    ("princess", Gender::Female),
    ("duchess", Gender::Female),
    ("baroness", Gender::Female),
    ("madame", Gender::Female),
    ("frau", Gender::Female),
    ("senora", Gender::Female),
    ("señora", Gender::Female),
    // US political and professional titles, which say no gender.
    ("sen", Gender::Unknown),
    ("sen.", Gender::Unknown),
    ("senator", Gender::Unknown),
    ("rep", Gender::Unknown),
    ("rep.", Gender::Unknown),
    ("gov", Gender::Unknown),
    ("gov.", Gender::Unknown),
    ("governor", Gender::Unknown),
    ("dr", Gender::Unknown),
    ("dr.", Gender::Unknown),
    ("prof", Gender::Unknown),
    ("prof.", Gender::Unknown),
    ("professor", Gender::Unknown),
];

/// The [`Filter`] of [`TITLES`]: most tokens are no title, and three loads tell.
static TITLE_FILTER: Filter = {
    let mut filter = Filter::EMPTY;
    let mut i = 0;
    while i < TITLES.len() {
        filter = filter.with(TITLES[i].0);
        i += 1;
    }
    filter
};

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
    // Compared in place: lowercasing a copy allocated at every call.
    let is = |list: &[&str]| list.iter().any(|p| word.eq_ignore_ascii_case(p));
    if is(&["he", "him", "his"]) {
        Some(Gender::Male)
    } else if is(&["she", "her"]) {
        Some(Gender::Female)
    } else {
        None
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

/// The gender a title before a name gives ("Mrs" → female, "Sen." → unknown); `None` when
/// the word is no title.
pub(crate) fn title_gender(word: &str) -> Option<Gender> {
    // Most tokens are not titles: the filter ends their look-up before the list is walked
    // (callgrind: the walks were most of the quote stage's pronoun linking, and a length
    // and first-letter test let too many through once the US titles came in).
    if !TITLE_FILTER.admits(word) {
        return None;
    }
    TITLES
        .iter()
        .find(|(t, _)| word.eq_ignore_ascii_case(t))
        .map(|&(_, g)| g)
}

/// The gender of a first name, `Unknown` when the census lists do not tell.
pub(crate) fn name_gender(word: &str) -> Gender {
    if MALE_LINES.contains(word) {
        Gender::Male
    } else if FEMALE_LINES.contains(word) {
        Gender::Female
    } else {
        Gender::Unknown
    }
}

/// Where each line of a sorted list file starts and ends, worked out at compile time: a
/// look-up is a binary search over these offsets (about 200 instructions), where searching
/// the file in place had to find each probe's line ends (3,600 a name, callgrind, issue 18)
/// and parsing the 5,000 names at run time cost more than a 100-article run's look-ups.
struct SortedLines<const N: usize> {
    file: &'static str,
    /// `(start, end)` byte offsets of the entries, in file order.
    lines: [(u32, u32); N],
}

/// Where the entries of a list file start: after its `#` header lines.
const fn body_start(file: &str) -> usize {
    let b = file.as_bytes();
    let mut i = 0;
    while i < b.len() && b[i] == b'#' {
        while i < b.len() && b[i] != b'\n' {
            i += 1;
        }
        i += 1;
    }
    if i > b.len() {
        b.len()
    } else {
        i
    }
}

/// The non-empty lines of a list file after its header.
const fn line_count(file: &str) -> usize {
    let b = file.as_bytes();
    let (mut i, mut n, mut len) = (body_start(file), 0, 0);
    while i < b.len() {
        if b[i] == b'\n' {
            n += (len > 0) as usize;
            len = 0;
        } else {
            len += 1;
        }
        i += 1;
    }
    n + (len > 0) as usize
}

impl<const N: usize> SortedLines<N> {
    /// The table of `file`, which has `N` entries ([`line_count`]).
    const fn new(file: &'static str) -> Self {
        let b = file.as_bytes();
        let mut lines = [(0u32, 0u32); N];
        let (mut i, mut n, mut start) = (body_start(file), 0, body_start(file));
        while i <= b.len() {
            if i == b.len() || b[i] == b'\n' {
                if i > start {
                    lines[n] = (start as u32, i as u32);
                    n += 1;
                }
                start = i + 1;
            }
            i += 1;
        }
        SortedLines { file, lines }
    }

    /// Whether `word`, in any ASCII case, is an entry (the file kept sorted bytewise,
    /// checked by a test).
    fn contains(&self, word: &str) -> bool {
        let bytes = word.as_bytes();
        if bytes.is_empty() || bytes.len() > MAX_WORD {
            return false;
        }
        let mut buf = [0u8; MAX_WORD];
        for (b, w) in buf.iter_mut().zip(bytes) {
            *b = w.to_ascii_lowercase();
        }
        let word = &buf[..bytes.len()];
        let file = self.file.as_bytes();
        self.lines
            .binary_search_by(|&(s, e)| {
                file.get(s as usize..e as usize)
                    .unwrap_or_default()
                    .cmp(word)
            })
            .is_ok()
    }
}

/// The census lists' tables.
static MALE_LINES: SortedLines<{ line_count(MALE_NAMES) }> = SortedLines::new(MALE_NAMES);
static FEMALE_LINES: SortedLines<{ line_count(FEMALE_NAMES) }> = SortedLines::new(FEMALE_NAMES);

/// The longest word a lookup lowercases on the stack; longer tokens are in no list.
const MAX_WORD: usize = 32;

/// The entries of a list file: one lowercase entry per line, `#` starts a comment (what
/// the compile-time tables read, for the tests to check them against).
#[cfg(test)]
fn entries(file: &'static str) -> impl Iterator<Item = &'static str> {
    file.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// The longest word a [`Filter`] has bits for; longer entries make it pass every longer
/// word on to the comparison.
const FILTER_MAX_LEN: usize = 16;

/// A quick "certainly not in the list" for the look-ups the quote finder makes thousands of
/// times an article, nearly always for a token that is in no list: a bit per (length, first
/// byte), (length, second byte) and (length, last byte) of the entries rejects nearly every
/// other word on three loads ("this" has a speech verb's length and ends, "ths" does not
/// exist), and only the few that pass are compared (callgrind, issue 18: a binary search over a
/// lowercased copy cost 410 instructions a speech-verb look-up, and the linear walks of
/// the clause-word lists 150, together half the quote stage).
#[derive(Debug, Clone, Copy)]
struct Filter {
    /// By byte length: a bit for each first byte (modulo 32, so in either case) an entry of
    /// that length has, one for each second byte (the only one in a one-byte entry) and one
    /// for each last byte. Letters and other bytes may share a bit: the comparison after
    /// the filter decides.
    masks: [[u32; 3]; FILTER_MAX_LEN + 1],
    /// Whether an entry is longer than `FILTER_MAX_LEN` (then every such word passes).
    long: bool,
    /// Whether an entry is empty.
    empty: bool,
}

/// The bit of a byte in a [`Filter`] mask: its low five bits, which an ASCII letter shares
/// with its other case, so no lowercasing is needed.
const fn bit(b: u8) -> u32 {
    1 << (b & 31)
}

impl Filter {
    const EMPTY: Filter = Filter {
        masks: [[0; 3]; FILTER_MAX_LEN + 1],
        long: false,
        empty: false,
    };

    /// The filter with `word` let through too.
    const fn with(self, word: &str) -> Self {
        self.with_bytes(word.as_bytes())
    }

    /// [`Filter::with`] for an entry's bytes.
    const fn with_bytes(mut self, b: &[u8]) -> Self {
        if b.is_empty() {
            self.empty = true;
        } else if b.len() > FILTER_MAX_LEN {
            self.long = true;
        } else {
            let n = b.len();
            self.masks[n][0] |= bit(b[0]);
            self.masks[n][1] |= bit(b[if n > 1 { 1 } else { 0 }]);
            self.masks[n][2] |= bit(b[n - 1]);
        }
        self
    }

    /// Whether `word` may be an entry, in any ASCII case; `false` means it is not.
    #[inline]
    fn admits(&self, word: &str) -> bool {
        let b = word.as_bytes();
        let n = b.len();
        match self.masks.get(n) {
            None => self.long,
            Some(_) if n == 0 => self.empty,
            Some(m) => {
                m[0] & bit(b[0]) != 0
                    && m[1] & bit(b[if n > 1 { 1 } else { 0 }]) != 0
                    && m[2] & bit(b[n - 1]) != 0
            }
        }
    }
}

/// A fixed word list (one of the quote finder's clause-word lists) behind a [`Filter`],
/// with its sorted [`key`]s, built at compile time by [`word_set!`]; [`WordSet::contains`]
/// answers as a walk of the list comparing in any ASCII case would.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WordSet {
    filter: Filter,
    words: &'static [&'static str],
    /// The keys of the entries that have one, sorted.
    keys: &'static [u128],
}

/// The [`WordSet`] of a `&'static [&'static str]` constant, its keys built at compile time.
macro_rules! word_set {
    ($words:expr) => {{
        const KEYS: [u128; <[&str]>::len($words)] = $crate::words::sorted_keys($words);
        $crate::words::WordSet::new($words, &KEYS)
    }};
}
pub(crate) use word_set;

/// The [`key`]s of `words` sorted, `u128::MAX` for those without one (empty or long: a
/// word's key never has all its bits set, the length byte being at most [`KEY_MAX`]).
pub(crate) const fn sorted_keys<const N: usize>(words: &[&str]) -> [u128; N] {
    let mut keys = [u128::MAX; N];
    let mut n = 0;
    while n < N {
        let b = words[n].as_bytes();
        let k = match key(b, 0, b.len()) {
            Some(k) => k,
            None => u128::MAX,
        };
        insert_sorted(&mut keys, n, k);
        n += 1;
    }
    keys
}

/// Puts `k` into the sorted first `n` of `keys`, moving the larger ones up: an insertion
/// sort of a few dozen entries, once, at compile time.
const fn insert_sorted<const N: usize>(keys: &mut [u128; N], n: usize, k: u128) {
    let mut j = n;
    while j > 0 && keys[j - 1] > k {
        keys[j] = keys[j - 1];
        j -= 1;
    }
    keys[j] = k;
}

impl WordSet {
    /// The set of `words`, whose [`sorted_keys`] are `keys` (see [`word_set!`]).
    pub(crate) const fn new(words: &'static [&'static str], keys: &'static [u128]) -> Self {
        let mut filter = Filter::EMPTY;
        let mut i = 0;
        while i < words.len() {
            filter = filter.with(words[i]);
            i += 1;
        }
        WordSet {
            filter,
            words,
            keys,
        }
    }

    /// Whether `word`, in any ASCII case, is one of the words.
    #[inline] // the filter at the caller; only the rare comparison is a call
    pub(crate) fn contains(&self, word: &str) -> bool {
        self.filter.admits(word) && self.listed(word)
    }

    /// The comparison behind the filter: a binary search of the keys (a walk of the list
    /// cost 200 instructions a word that passed the filter, callgrind, issue 18), the rare
    /// empty or long word compared with the entries.
    #[inline(never)]
    fn listed(&self, word: &str) -> bool {
        let b = word.as_bytes();
        match key(b, 0, b.len()) {
            Some(k) => self.keys.binary_search(&k).is_ok(),
            None => self.words.iter().any(|w| w.eq_ignore_ascii_case(word)),
        }
    }
}

/// The longest entry a [`Keys`] table packs into one number.
const KEY_MAX: usize = 15;

/// Bytes `start..end` of `b`, ASCII-lowercased, and their length packed into one number:
/// equal keys mean equal words in any ASCII case. `None` when empty or longer than
/// [`KEY_MAX`].
const fn key(b: &[u8], start: usize, end: usize) -> Option<u128> {
    let n = end - start;
    if n == 0 || n > KEY_MAX {
        return None;
    }
    let mut k = (n as u128) << 120;
    let mut i = 0;
    while i < n {
        k |= (b[start + i].to_ascii_lowercase() as u128) << (8 * i);
        i += 1;
    }
    Some(k)
}

/// Calls `f` on each entry of a list file (trimmed lines, `#` comments skipped), as byte
/// ranges; a macro because `const fn` takes no closures.
macro_rules! for_each_entry {
    ($file:expr, |$s:ident, $e:ident| $body:block) => {{
        let b = $file.as_bytes();
        let mut i = 0;
        while i < b.len() {
            let mut end = i;
            while end < b.len() && b[end] != b'\n' {
                end += 1;
            }
            let (mut $s, mut $e) = (i, end);
            while $s < $e && b[$s].is_ascii_whitespace() {
                $s += 1;
            }
            while $e > $s && b[$e - 1].is_ascii_whitespace() {
                $e -= 1;
            }
            if $e > $s && b[$s] != b'#' {
                $body
            }
            i = end + 1;
        }
    }};
}

/// The entries of a list file.
const fn entry_count(file: &str) -> usize {
    let mut n = 0;
    for_each_entry!(file, |s, e| {
        let _ = (s, e);
        n += 1;
    });
    n
}

/// A list file's entries as sorted [`key`]s behind a [`Filter`], built at compile time: a
/// word that passes the filter costs one packing and a binary search, where comparing it
/// with each same-length entry, behind a table built at the first call, cost about 100
/// instructions a speech-verb look-up (callgrind, issue 18).
struct Keys<const N: usize> {
    filter: Filter,
    keys: [u128; N],
}

impl<const N: usize> Keys<N> {
    /// The table of `file`, which has `N` entries ([`entry_count`]), none longer than
    /// [`KEY_MAX`] (else the build fails).
    const fn new(file: &str) -> Self {
        let mut keys = [0u128; N];
        let mut filter = Filter::EMPTY;
        let mut n = 0;
        for_each_entry!(file, |s, e| {
            let b = file.as_bytes();
            filter = filter.with_bytes(b.split_at(e).0.split_at(s).1);
            let Some(k) = key(b, s, e) else {
                panic!("a list entry is longer than KEY_MAX");
            };
            insert_sorted(&mut keys, n, k);
            n += 1;
        });
        Keys { filter, keys }
    }

    /// Whether `word`, in any ASCII case, is an entry.
    #[inline]
    fn contains(&self, word: &str) -> bool {
        let b = word.as_bytes();
        self.filter.admits(word)
            && key(b, 0, b.len()).is_some_and(|k| self.keys.binary_search(&k).is_ok())
    }
}

/// The speech verbs' table.
static SPEECH_VERB_KEYS: Keys<{ entry_count(SPEECH_VERBS) }> = Keys::new(SPEECH_VERBS);

/// Whether `word` is a verb of saying ("said", "Told"). The filter at the caller, the rare
/// search behind it a call: the quote finder asks at thousands of tokens an article
/// (callgrind, issue 18).
#[inline]
pub(crate) fn is_speech_verb(word: &str) -> bool {
    SPEECH_VERB_KEYS.filter.admits(word) && speech_verb_listed(word)
}

/// [`is_speech_verb`] behind its filter.
#[inline(never)]
fn speech_verb_listed(word: &str) -> bool {
    SPEECH_VERB_KEYS.contains(word)
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
        assert_eq!(
            SPEECH_VERB_KEYS.keys.len(),
            all.len(),
            "the table reads every entry"
        );
    }

    #[test]
    fn first_names_and_titles_give_a_gender() {
        assert_eq!(name_gender("Maria"), Gender::Female);
        assert_eq!(name_gender("TOM"), Gender::Male);
        assert_eq!(name_gender("Lee"), Gender::Unknown);
        assert_eq!(title_gender("Mrs"), Some(Gender::Female));
        assert_eq!(title_gender("Sen."), Some(Gender::Unknown));
        assert_eq!(title_gender("Rep"), Some(Gender::Unknown));
        assert_eq!(title_gender("Senate"), None);
        for (t, g) in TITLES {
            assert_eq!(title_gender(t), Some(*g), "{t} passes the quick filter");
        }
        type Has = fn(&str) -> bool;
        let male: Has = |w| MALE_LINES.contains(w);
        let female: Has = |w| FEMALE_LINES.contains(w);
        for (list, has) in [(MALE_NAMES, male), (FEMALE_NAMES, female)] {
            let all: Vec<_> = entries(list).collect();
            assert!(
                all.windows(2).all(|w| w[0].as_bytes() < w[1].as_bytes()),
                "name lists are sorted bytewise, once each"
            );
            let lines = list.lines().filter(|l| !l.starts_with('#'));
            assert!(lines.eq(all.iter().copied()), "no blank lines or spaces");
            // The table's search finds every entry, first and last included, in any case,
            // and no prefix or extension of one.
            for name in &all {
                assert!(has(name), "{name}");
                assert!(has(&name.to_ascii_uppercase()), "{name}");
                assert!(!has(&format!("{name}q")), "{name}q");
                assert!(!has(&name[..name.len() - 1]) || all.contains(&&name[..name.len() - 1]));
            }
        }
        assert!(!MALE_LINES.contains("#"));
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

    #[test]
    fn word_sets_answer_as_the_list_does() {
        const LIST: &[&str] = &[
            "to",
            "was",
            "Because",
            "x",
            "-",
            "extraordinarily-long-word",
        ];
        const SET: WordSet = word_set!(LIST);
        let probes = [
            "to",
            "TO",
            "tO",
            "ta",
            "ot",
            "t",
            "was",
            "WAS",
            "wax",
            "because",
            "BECAUSE",
            "x",
            "X",
            "-",
            "=",
            "",
            "extraordinarily-long-word",
            "EXTRAORDINARILY-LONG-WORD",
            "extraordinarily-long-wore",
            "\u{e9}",
            "\u{e9}s",
            "caf\u{e9}",
            "m",
            "M",
            "8",
        ];
        for p in probes {
            let walked = LIST.iter().any(|w| w.eq_ignore_ascii_case(p));
            assert_eq!(SET.contains(p), walked, "{p:?}");
        }
        assert!(word_set!(&[""]).contains(""));
    }
}
