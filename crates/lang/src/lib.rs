//! Language identification of news text: an ISO 639-1 code for every article that has enough
//! text to tell, with a declared language (a feed's `<language>`, a page's `<html lang>`) as
//! a hint that never overrules clear evidence in the text.
//!
//! Design, measured on this machine (see the crate README):
//! - **Function words first.** For Latin-script text the first [`SAMPLE_BYTES`] are split into
//!   words and looked up in short lists of function words (`data/lang/*.txt`) of the seven
//!   languages that fill most news feeds. When one language covers a clear share of the words
//!   and leads the next by a margin, that is the answer: a few thousand instructions per
//!   article, where `whatlang` spends about 375 instructions per byte.
//! - **`whatlang` otherwise** (69 languages, trigram profiles), on the same sample: other
//!   scripts, other Latin languages, and texts the word lists cannot decide.
//! - **Hints decide only what the text cannot.** Short feed items ("Giant Bombcast 566") are
//!   where trigram detectors guess wildly; when `whatlang` itself calls its answer unreliable,
//!   the declared language wins. A long, clear text always wins over the declaration.

use std::collections::HashMap;

use foldhash::fast::FixedState;
use std::sync::OnceLock;

use whatlang::{Lang, Script};

/// How much of the text is read. The start of an article (title and lead) tells its language
/// as well as the whole does: on 990 real pages a 640-byte prefix agreed with the reference as
/// often as the whole text (see the README).
pub const SAMPLE_BYTES: usize = 640;

/// How much of the sample whatlang reads when the function words did not decide. On the 990
/// pages, 400 bytes agreed with the reference as often as 1,000 (see the README).
pub const TRIGRAM_SAMPLE_BYTES: usize = 400;

/// Fewer letters than this and no declared language: too short to tell, `None`.
pub const MIN_LETTERS: usize = 12;

/// Function-word hits the leading language needs before the word lists decide alone.
const MIN_HITS: u32 = 6;

/// Function-word hits that decide a plain-ASCII sample when no other language has any.
const MIN_WEAK_HITS: u32 = 1;

/// The lead in hits over the runner-up that decides a plain-ASCII sample.
const MIN_WEAK_LEAD: u32 = 2;

/// The share of the sample's words (in percent) the leading language's function words must
/// cover: running text in a language has 30–50 %, a text in another language that shares a
/// few short words stays well below.
const MIN_COVER_PERCENT: u32 = 15;

/// The leader needs this many times the runner-up's hits (shared words like "de" count for
/// every language that has them).
const MIN_MARGIN: u32 = 2;

/// Longest word looked up, in bytes; no function word is longer.
const MAX_WORD_BYTES: usize = 16;

/// Bytes of a word kept while reading it: past this a word is long, whatever its length.
const WORD_CAP: usize = MAX_WORD_BYTES * 2;

/// The function-word lists, one per language, compiled in.
const FUNCTION_WORDS: [(&str, &str); 7] = [
    ("en", include_str!("../../../data/lang/en.txt")),
    ("de", include_str!("../../../data/lang/de.txt")),
    ("fr", include_str!("../../../data/lang/fr.txt")),
    ("es", include_str!("../../../data/lang/es.txt")),
    ("it", include_str!("../../../data/lang/it.txt")),
    ("pt", include_str!("../../../data/lang/pt.txt")),
    ("nl", include_str!("../../../data/lang/nl.txt")),
];

/// Word → bit set of the languages (indices into [`FUNCTION_WORDS`]) that list it, the
/// word's bytes packed into the key (see [`pack`]). With it, the longest word's length in
/// bytes: longer words need no lookup.
fn function_words() -> &'static (HashMap<u128, u8, FixedState>, usize) {
    static TABLE: OnceLock<(HashMap<u128, u8, FixedState>, usize)> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = HashMap::with_hasher(FixedState::default());
        let mut longest = 0;
        for (index, (_, list)) in FUNCTION_WORDS.iter().enumerate() {
            for word in list.lines().map(str::trim).filter(|w| !w.is_empty()) {
                // A longer word could not be packed; none is (a test checks the lists).
                if word.len() > MAX_WORD_BYTES {
                    continue;
                }
                let mut bytes = [0u8; MAX_WORD_BYTES];
                bytes[..word.len()].copy_from_slice(word.as_bytes());
                *table.entry(pack(&bytes)).or_insert(0u8) |= 1 << index;
                longest = longest.max(word.len());
            }
        }
        (table, longest)
    })
}

/// A word of at most [`MAX_WORD_BYTES`] bytes, zero-padded, as one integer: letters are
/// never NUL, so the padding cannot make two words equal, and hashing one integer costs
/// less than hashing a string.
fn pack(bytes: &[u8; MAX_WORD_BYTES]) -> u128 {
    u128::from_le_bytes(*bytes)
}

/// What the text says about its language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Detection {
    /// ISO 639-1 code (`"en"`, `"de"`, `"zh"` …).
    pub lang: &'static str,
    /// Whether the text alone decided it (false: a hint or a weak guess did).
    pub reliable: bool,
}

/// Detects the language of `text`, with `declared` (any BCP 47 tag such as `en-US`, or
/// `None`) as the fallback for texts too short or too mixed to tell. `None` only when the
/// text has too few letters and nothing was declared.
pub fn detect(text: &str, declared: Option<&str>) -> Option<Detection> {
    let sample = prefix(text, SAMPLE_BYTES);
    let declared = declared.and_then(iso_639_1);
    if let Some(lang) = by_function_words(sample) {
        return Some(Detection {
            lang,
            reliable: true,
        });
    }
    // whatlang's trigram scoring costs about 375 instructions a byte: a shorter sample keeps
    // the texts the word lists cannot decide (other languages, tables of figures) cheap.
    let sample = prefix(sample, TRIGRAM_SAMPLE_BYTES);
    let letters = sample.chars().filter(|c| c.is_alphabetic()).count();
    let info = if ascii_letters(sample) {
        ascii_detector().detect(sample)
    } else {
        whatlang::detect(sample)
    };
    if let Some(info) = &info {
        if info.is_reliable() {
            if let Some(lang) = code(info.lang()) {
                return Some(Detection {
                    lang,
                    reliable: true,
                });
            }
        }
    }
    if let Some(lang) = declared {
        // A declaration in another script than the text's is wrong (a Kannada feed that
        // carries English items); the text's script still tells that much.
        let fits = info
            .as_ref()
            .is_none_or(|info| script_fits(info.script(), lang));
        if fits {
            return Some(Detection {
                lang,
                reliable: false,
            });
        }
    }
    if letters < MIN_LETTERS {
        return None;
    }
    info.and_then(|info| code(info.lang()))
        .map(|lang| Detection {
            lang,
            reliable: false,
        })
}

/// The language of a whole feed from the text of all its items (titles and summaries joined),
/// for feeds that declare none: one short item cannot tell its language, thirty together can.
/// Use it as the items' declared language.
pub fn feed_language(all_items: &str) -> Option<&'static str> {
    detect(all_items, None).map(|d| d.lang)
}

/// The ISO 639-1 code of a declared language tag (`en-US`, `pt_BR`, `IT-it`, `zh-Hans`), if
/// it names a language newsflow knows.
pub fn iso_639_1(tag: &str) -> Option<&'static str> {
    let primary = tag
        .trim()
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    match primary.len() {
        2 => Lang::all()
            .iter()
            .filter_map(|&l| code(l))
            .find(|c| *c == primary)
            .or(match primary.as_str() {
                // Norwegian: whatlang knows Bokmål; "no" is the macrolanguage most feeds declare.
                "no" => Some("nb"),
                _ => None,
            }),
        3 => Lang::all()
            .iter()
            .find(|l| l.code() == primary)
            .and_then(|&l| code(l)),
        _ => None,
    }
}

/// The longest prefix of `text` of at most `max` bytes that ends on a char boundary.
fn prefix(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Languages that news writes in plain ASCII and the function-word lists do not cover. Every
/// language whatlang compares costs 300 hash probes whatever the text's length, so a plain
/// ASCII text the word lists could not place (tables of figures, lists of names) is compared
/// with these only: the others spell with letters outside ASCII.
const ASCII_LANGS: [Lang; 9] = [
    Lang::Eng,
    Lang::Ind,
    Lang::Tgl,
    Lang::Jav,
    Lang::Zul,
    Lang::Sna,
    Lang::Lat,
    Lang::Afr,
    Lang::Nld,
];

/// whatlang restricted to [`ASCII_LANGS`].
fn ascii_detector() -> &'static whatlang::Detector {
    static DETECTOR: OnceLock<whatlang::Detector> = OnceLock::new();
    DETECTOR.get_or_init(|| whatlang::Detector::with_allowlist(ASCII_LANGS.to_vec()))
}

/// The language whose function words clearly dominate a Latin-script sample, if one does.
pub(crate) fn by_function_words(sample: &str) -> Option<&'static str> {
    let (table, longest) = function_words();
    let longest = *longest;
    let mut hits = [0u32; FUNCTION_WORDS.len()];
    let mut words = 0u32;
    let mut non_latin = 0u32;
    // Counts the languages that list a word (lowercase, zero-padded).
    let mut look = |key: &[u8; MAX_WORD_BYTES]| {
        if let Some(&set) = table.get(&pack(key)) {
            for (index, hit) in hits.iter_mut().enumerate() {
                *hit += u32::from(set >> index & 1);
            }
        }
    };
    let bytes = sample.as_bytes();
    if sample.is_ascii() {
        // Most news: every word is Latin and a run of letters, read straight from the
        // sample; only a word short enough to be listed is copied, to be lowercased.
        let mut i = 0;
        while i < bytes.len() {
            if !bytes[i].is_ascii_alphabetic() {
                i += 1;
                continue;
            }
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
                i += 1;
            }
            words += 1;
            let word = &bytes[start..i];
            if word.len() <= longest {
                let mut key = [0u8; MAX_WORD_BYTES];
                key[..word.len()].copy_from_slice(word);
                key.make_ascii_lowercase();
                look(&key);
            }
        }
    } else {
        // The word being read, lowercased, in a fixed buffer. It stops growing at
        // `WORD_CAP` bytes (plus what one char's lowercase adds); only the first
        // `MAX_WORD_BYTES` are ever looked up, and those are zero past the word's end.
        let mut buf = [0u8; WORD_CAP + 12];
        let mut len = 0usize;
        let mut word_is_latin = true;
        let mut count = |buf: &mut [u8; WORD_CAP + 12], len: &mut usize, latin: bool| {
            if *len == 0 {
                return;
            }
            words += 1;
            non_latin += u32::from(!latin);
            if *len <= longest {
                let mut key = [0u8; MAX_WORD_BYTES];
                key.copy_from_slice(&buf[..MAX_WORD_BYTES]);
                look(&key);
            }
            buf[..MAX_WORD_BYTES].fill(0);
            *len = 0;
        };
        // Bytes, not chars: an ASCII letter costs a compare and a store.
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if b.is_ascii() {
                if b.is_ascii_alphabetic() {
                    if len < WORD_CAP {
                        buf[len] = b.to_ascii_lowercase();
                        len += 1;
                    }
                } else {
                    count(&mut buf, &mut len, word_is_latin);
                    word_is_latin = true;
                }
                i += 1;
                continue;
            }
            let Some(c) = sample[i..].chars().next() else {
                break;
            };
            i += c.len_utf8();
            if c.is_alphabetic() {
                word_is_latin &= is_latin(c);
                if len < WORD_CAP {
                    for l in c.to_lowercase() {
                        len += l.encode_utf8(&mut buf[len..]).len();
                    }
                }
            } else {
                count(&mut buf, &mut len, word_is_latin);
                word_is_latin = true;
            }
        }
        count(&mut buf, &mut len, word_is_latin);
    }
    if non_latin * 4 > words {
        return None;
    }
    let (best, &top) = hits.iter().enumerate().max_by_key(|(_, h)| **h)?;
    let second = hits
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != best)
        .map(|(_, h)| *h)
        .max()
        .unwrap_or(0);
    let clear = top >= MIN_HITS
        && top * 100 >= MIN_COVER_PERCENT * words
        && top >= MIN_MARGIN * second.max(1);
    // Tables of figures and lists of names ("Shr 34 cts vs 1.19 dlrs … the company said")
    // carry a few function words of one language and none of another: enough when the
    // sample is plain ASCII, which rules out most other languages' spellings.
    // Short words are shared ("in", "we", "met" are Dutch too): a lead of two hits suffices.
    let leads = top > second && (second == 0 || top - second >= MIN_WEAK_LEAD);
    let weak = top >= MIN_WEAK_HITS && leads && ascii_letters(sample);
    (clear || weak).then_some(FUNCTION_WORDS[best].0)
}

/// Whether every letter of `text` is an ASCII letter (curly quotes and dashes allowed).
fn ascii_letters(text: &str) -> bool {
    text.is_ascii() || !text.chars().any(|c| !c.is_ascii() && c.is_alphabetic())
}

/// Latin letters: ASCII and the Latin-1, Extended-A/B and Extended Additional blocks.
fn is_latin(c: char) -> bool {
    c.is_ascii() || ('\u{C0}'..='\u{24F}').contains(&c) || ('\u{1E00}'..='\u{1EFF}').contains(&c)
}

/// Whether a text in `script` can be in language `lang`.
fn script_fits(script: Script, lang: &str) -> bool {
    script.langs().iter().any(|l| code(*l) == Some(lang))
        // Languages whatlang does not know: only a Latin text is taken to fit them.
        || (script == Script::Latin && !Lang::all().iter().any(|l| code(*l) == Some(lang)))
}

/// ISO 639-1 for a whatlang language (whatlang speaks ISO 639-3).
pub fn code(lang: Lang) -> Option<&'static str> {
    Some(match lang {
        Lang::Epo => "eo",
        Lang::Eng => "en",
        Lang::Rus => "ru",
        Lang::Cmn => "zh",
        Lang::Spa => "es",
        Lang::Por => "pt",
        Lang::Ita => "it",
        Lang::Ben => "bn",
        Lang::Fra => "fr",
        Lang::Deu => "de",
        Lang::Ukr => "uk",
        Lang::Kat => "ka",
        Lang::Ara => "ar",
        Lang::Hin => "hi",
        Lang::Jpn => "ja",
        Lang::Heb => "he",
        Lang::Yid => "yi",
        Lang::Pol => "pl",
        Lang::Amh => "am",
        Lang::Jav => "jv",
        Lang::Kor => "ko",
        Lang::Nob => "nb",
        Lang::Dan => "da",
        Lang::Swe => "sv",
        Lang::Fin => "fi",
        Lang::Tur => "tr",
        Lang::Nld => "nl",
        Lang::Hun => "hu",
        Lang::Ces => "cs",
        Lang::Ell => "el",
        Lang::Bul => "bg",
        Lang::Bel => "be",
        Lang::Mar => "mr",
        Lang::Kan => "kn",
        Lang::Ron => "ro",
        Lang::Slv => "sl",
        Lang::Hrv => "hr",
        Lang::Srp => "sr",
        Lang::Mkd => "mk",
        Lang::Lit => "lt",
        Lang::Lav => "lv",
        Lang::Est => "et",
        Lang::Tam => "ta",
        Lang::Vie => "vi",
        Lang::Urd => "ur",
        Lang::Tha => "th",
        Lang::Guj => "gu",
        Lang::Uzb => "uz",
        Lang::Pan => "pa",
        Lang::Aze => "az",
        Lang::Ind => "id",
        Lang::Tel => "te",
        Lang::Pes => "fa",
        Lang::Mal => "ml",
        Lang::Ori => "or",
        Lang::Mya => "my",
        Lang::Nep => "ne",
        Lang::Sin => "si",
        Lang::Khm => "km",
        Lang::Tuk => "tk",
        Lang::Aka => "ak",
        Lang::Zul => "zu",
        Lang::Sna => "sn",
        Lang::Afr => "af",
        Lang::Lat => "la",
        Lang::Slk => "sk",
        Lang::Cat => "ca",
        Lang::Tgl => "tl",
        Lang::Hye => "hy",
        Lang::Cym => "cy",
        // A language added to whatlang later has no mapping until we add one.
        #[allow(unreachable_patterns)]
        _ => return None,
    })
}

#[cfg(test)]
mod tests;
