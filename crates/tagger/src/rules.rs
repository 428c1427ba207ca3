//! Rule-based entities the CoNLL model does not know: DATE, TIME, MONEY and PERCENT.
//!
//! Rules work on tokens, not characters, so they see exactly what the model sees and their
//! spans always fall on token boundaries. They are deliberately conservative: a rule that
//! fires on "May" the verb or on a bare number costs more trust than it earns.

use std::ops::Range;

use article::Label;

const MONTHS: Words = Words::new(&[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]);
const MONTH_ABBR: Words = Words::new(&[
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "febr",
]);
const WEEKDAYS: Words = Words::new(&[
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
]);
const RELATIVE: Words = Words::new(&[
    "last",
    "next",
    "this",
    "past",
    "coming",
    "previous",
    "following",
]);
const PERIODS: Words = Words::new(&["week", "month", "year", "weekend", "quarter", "decade"]);
const DAYWORDS: Words = Words::new(&["yesterday", "today", "tomorrow"]);
const YEAR_CUES: Words = Words::new(&[
    "in", "since", "by", "until", "from", "early", "late", "mid", "of", "before",
]);
const SCALES: Words = Words::new(&[
    "thousand", "million", "billion", "trillion", "mln", "bln", "bn", "m", "k",
]);
const CURRENCY_SIGNS: Words = Words::new(&["$", "US$", "£", "€", "¥", "C$", "A$", "HK$", "NZ$"]);
const CURRENCY_WORDS: Words = Words::new(&[
    "dollar", "dollars", "cent", "cents", "euro", "euros", "pound", "pounds", "yen", "franc",
    "francs", "mark", "marks", "yuan", "rupee", "rupees", "peso", "pesos", "sterling", "rubles",
]);
const PERCENT_WORDS: Words = Words::new(&["percent", "pct", "%"]);
const AMPM: Words = Words::new(&["a.m.", "p.m.", "am", "pm", "a.m", "p.m"]);
const ZONES: Words = Words::new(&["gmt", "utc", "est", "edt", "pst", "pdt", "cet", "bst"]);

/// Scores of rule entities by kind: each rule's precision (exact span and kind) on the
/// judged sample of `data/rule_precision/sample.tsv` (60 entities per kind drawn from the
/// shared news corpus, how in its README), as the add-one estimate `(right + 1) / (n + 2)`
/// so that a sample with no error does not claim certainty. A test in `tests/it` re-scores
/// the sample and fails when these drift from it. Right / judged: DATE 54/60, TIME 52/60,
/// MONEY 59/60, PERCENT 60/60.
const DATE_SCORE: f32 = 0.8871;
/// See [`DATE_SCORE`].
const TIME_SCORE: f32 = 0.8548;
/// See [`DATE_SCORE`].
const MONEY_SCORE: f32 = 0.9677;
/// See [`DATE_SCORE`].
const PERCENT_SCORE: f32 = 0.9839;

/// The score of a rule entity of kind `label`: the probability that a rule's span and
/// kind are right, measured per kind (see `DATE_SCORE`). The language-neutral rules
/// ([`find_neutral`]) are the sign forms of the English MONEY and PERCENT rules and share
/// their figures. Labels no rule produces score 1.0.
pub fn score(label: &Label) -> f32 {
    match label {
        Label::Date => DATE_SCORE,
        Label::Time => TIME_SCORE,
        Label::Money => MONEY_SCORE,
        Label::Percent => PERCENT_SCORE,
        _ => 1.0,
    }
}

const ORDINALS: Words = Words::new(&["st", "nd", "rd", "th"]);
const NOON: Words = Words::new(&["noon", "midnight"]);

/// A word list matched without regard to ASCII case, with a pre-test of the first byte and
/// the length its words have. The rules ask a dozen lists about each word near a number,
/// and most words (numbers above all) share neither with any entry: scanning the lists
/// was most of the rules' cost.
struct Words {
    /// The words, lowercase.
    list: &'static [&'static str],
    /// Bit `b` set when an entry starts with ASCII byte `b` (lowercase); bit 127 stands for
    /// every non-ASCII first byte.
    first: u128,
    /// Bit `n` set when an entry is `n` bytes long (entries are shorter than 64).
    lens: u64,
}

impl Words {
    const fn new(list: &'static [&'static str]) -> Self {
        let mut first = 0u128;
        let mut lens = 0u64;
        let mut i = 0;
        while i < list.len() {
            let w = list[i].as_bytes();
            assert!(!w.is_empty() && w.len() < 64);
            let b = w[0].to_ascii_lowercase();
            first |= 1 << if b < 127 { b } else { 127 };
            lens |= 1 << w.len();
            i += 1;
        }
        Words { list, first, lens }
    }

    /// Whether `w` is one of the words, ignoring ASCII case.
    #[inline]
    fn has(&self, w: &str) -> bool {
        let Some(&b) = w.as_bytes().first() else {
            return false;
        };
        let b = b.to_ascii_lowercase();
        let bit = if b < 127 { b } else { 127 };
        w.len() < 64
            && self.lens >> w.len() & 1 == 1
            && self.first >> bit & 1 == 1
            && self.list.iter().any(|x| w.eq_ignore_ascii_case(x))
    }
}

/// A number written with digits: "10", "1,500", "3.5", "-2", "1/2".
fn is_num(w: &str) -> bool {
    let w = w.strip_prefix(['-', '+']).unwrap_or(w);
    !w.is_empty()
        && w.as_bytes()[0].is_ascii_digit()
        && w.bytes()
            .all(|b| b.is_ascii_digit() || b == b',' || b == b'.' || b == b'/')
        && w.as_bytes()[w.len() - 1].is_ascii_digit()
}

fn month(w: &str) -> Option<bool> {
    let base = w.strip_suffix('.').unwrap_or(w);
    if !w.starts_with(|c: char| c.is_ascii_uppercase()) {
        return None;
    }
    if MONTHS.has(w) {
        // "May" and "March" are also a verb and a noun; they need a day or year beside them.
        return Some(!w.eq_ignore_ascii_case("may") && !w.eq_ignore_ascii_case("march"));
    }
    if MONTH_ABBR.has(base) && (w.ends_with('.') || w.len() <= 4) {
        return Some(false);
    }
    None
}

fn day(w: &str) -> bool {
    let d = w.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let suffix = &w[d.len()..];
    (suffix.is_empty() || ORDINALS.has(suffix))
        && d.len() <= 2
        && d.parse::<u32>().is_ok_and(|n| (1..=31).contains(&n))
}

fn year(w: &str) -> bool {
    w.len() == 4 && w.parse::<u32>().is_ok_and(|y| (1000..=2100).contains(&y))
}

/// "1996-08-22", "22/08/1996", "08/22/96".
fn numeric_date(w: &str) -> bool {
    // Split without collecting: this runs on every number in the text.
    let mut parts = w.split(['-', '/']);
    let (Some(a), Some(b), Some(c), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    [a, b, c]
        .iter()
        .all(|p| !p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit()))
        && (a.len() == 4 || c.len() >= 2)
}

/// "10:30", "9.30" are times only beside am/pm or a zone; "10:30" alone is also a time.
fn clock(w: &str) -> bool {
    let Some((h, m)) = w.split_once(':') else {
        return false;
    };
    h.len() <= 2
        && m.len() == 2
        && h.parse::<u32>().is_ok_and(|h| h < 25)
        && m.parse::<u32>().is_ok_and(|m| m < 60)
}

fn money(w: &[&str], i: usize) -> Option<usize> {
    let at = |j: usize| w.get(j).copied().unwrap_or("");
    let scaled = |j: usize| if SCALES.has(at(j)) { j + 1 } else { j };
    if CURRENCY_SIGNS.has(at(i)) && is_num(at(i + 1)) {
        return Some(scaled(i + 2));
    }
    // "$1.5" as one token.
    let sign = CURRENCY_SIGNS.list.iter().find(|s| at(i).starts_with(**s));
    if let Some(s) = sign {
        if is_num(&at(i)[s.len()..]) {
            return Some(scaled(i + 1));
        }
    }
    if is_num(at(i)) {
        let j = scaled(i + 1);
        if CURRENCY_WORDS.has(at(j)) {
            return Some(j + 1);
        }
    }
    None
}

fn percent(w: &[&str], i: usize) -> Option<usize> {
    let at = |j: usize| w.get(j).copied().unwrap_or("");
    if at(i).len() > 1 && at(i).ends_with('%') && is_num(&at(i)[..at(i).len() - 1]) {
        return Some(i + 1);
    }
    if is_num(at(i)) {
        if PERCENT_WORDS.has(at(i + 1)) {
            return Some(i + 2);
        }
        if at(i + 1).eq_ignore_ascii_case("per") && at(i + 2).eq_ignore_ascii_case("cent") {
            return Some(i + 3);
        }
    }
    None
}

fn time(w: &[&str], i: usize) -> Option<usize> {
    let at = |j: usize| w.get(j).copied().unwrap_or("");
    let zoned = |j: usize| if ZONES.has(at(j)) { j + 1 } else { j };
    if NOON.has(at(i)) {
        return Some(i + 1);
    }
    let hour = at(i).parse::<u32>().is_ok_and(|h| (1..=12).contains(&h));
    if (hour || clock(at(i))) && AMPM.has(at(i + 1)) {
        return Some(zoned(i + 2));
    }
    if clock(at(i)) {
        return Some(zoned(i + 1));
    }
    None
}

fn date(w: &[&str], i: usize) -> Option<usize> {
    let at = |j: usize| w.get(j).copied().unwrap_or("");
    // ", 1996" after a day.
    let with_year = |j: usize| {
        if at(j) == "," && year(at(j + 1)) {
            j + 2
        } else if year(at(j)) {
            j + 1
        } else {
            j
        }
    };
    if numeric_date(at(i)) {
        return Some(i + 1);
    }
    if let Some(alone_ok) = month(at(i)) {
        if day(at(i + 1)) {
            return Some(with_year(i + 2));
        }
        if year(at(i + 1)) {
            return Some(i + 2);
        }
        return alone_ok.then_some(i + 1);
    }
    if day(at(i)) && month(at(i + 1)).is_some() {
        return Some(if year(at(i + 2)) { i + 3 } else { i + 2 });
    }
    if WEEKDAYS.has(at(i)) && at(i).starts_with(|c: char| c.is_ascii_uppercase()) {
        return Some(i + 1);
    }
    if DAYWORDS.has(at(i)) {
        return Some(i + 1);
    }
    if RELATIVE.has(at(i)) && (PERIODS.has(at(i + 1)) || WEEKDAYS.has(at(i + 1))) {
        return Some(i + 2);
    }
    if year(at(i)) && i > 0 && YEAR_CUES.has(at(i - 1)) {
        return Some(i + 1);
    }
    None
}

/// Whether any rule can start at `w`: a digit or a currency sign first, or one of the
/// words the rules begin with. Most tokens fail this cheap test, which keeps the rules off
/// the tagger's profile.
fn may_start(w: &str) -> bool {
    let Some(&b) = w.as_bytes().first() else {
        return false;
    };
    if b.is_ascii_digit() || b == b'$' || !b.is_ascii() {
        return true;
    }
    if b == b'-' || b == b'+' {
        // A sign starts a rule only before a digit ("-2", "+5 a.m."); a lone hyphen, the
        // commonest of these tokens, starts none.
        return w.as_bytes().get(1).is_some_and(u8::is_ascii_digit);
    }
    if !b.is_ascii_alphabetic() || w.len() > 9 {
        return w.starts_with("US$")
            || w.starts_with("C$")
            || w.starts_with("A$")
            || w.starts_with("HK$");
    }
    let st = starters();
    // Most words share no first letter and length with any starter: a bit test settles
    // them before the word is even lowercased.
    let lens = st.lens[usize::from(b.to_ascii_lowercase() - b'a') % 26];
    let base_len = w.len() - usize::from(w.ends_with('.'));
    if lens & (1 << w.len()) == 0 && lens & (1 << base_len) == 0 {
        return false;
    }
    let mut buf = [0u8; 9];
    for (o, c) in buf.iter_mut().zip(w.bytes()) {
        *o = c.to_ascii_lowercase();
    }
    let lw = &buf[..w.len()];
    let base = lw.strip_suffix(b".").unwrap_or(lw);
    let hit = |x: &[u8]| st.keys.binary_search(&starter_key(x)).is_ok();
    hit(lw) || hit(base)
}

/// A lowercase word of at most 9 bytes as one integer, zero-padded (letters are never NUL):
/// the starters' binary search compares integers, not strings.
fn starter_key(w: &[u8]) -> u128 {
    let mut b = [0u8; 16];
    let n = w.len().min(16);
    b[..n].copy_from_slice(&w[..n]);
    u128::from_le_bytes(b)
}

/// The words a rule can start with, and which lengths occur for each first letter.
struct Starters {
    /// Every lowercase word a rule can start with, as [`starter_key`]s, sorted for binary
    /// search.
    keys: Vec<u128>,
    /// Bit `n` of `lens[c]` is set when a starter of `n` bytes begins with letter `c`.
    lens: [u16; 26],
}

/// The starters, built once.
fn starters() -> &'static Starters {
    static WORDS: std::sync::OnceLock<Starters> = std::sync::OnceLock::new();
    WORDS.get_or_init(|| {
        let words: Vec<&'static str> = [
            MONTHS.list,
            MONTH_ABBR.list,
            WEEKDAYS.list,
            RELATIVE.list,
            DAYWORDS.list,
            NOON.list,
        ]
        .concat();
        let mut lens = [0u16; 26];
        for w in &words {
            if let Some(&b) = w.as_bytes().first() {
                lens[usize::from(b - b'a') % 26] |= 1 << w.len().min(15);
            }
        }
        let mut keys: Vec<u128> = words.iter().map(|w| starter_key(w.as_bytes())).collect();
        keys.sort_unstable();
        Starters { keys, lens }
    })
}

/// Rule entities of one sentence's words, as token ranges (sentence-local) with labels.
pub fn find(words: &[&str]) -> Vec<(Range<usize>, Label)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        if !may_start(words[i]) {
            i += 1;
            continue;
        }
        let candidates = [
            (money(words, i), Label::Money),
            (percent(words, i), Label::Percent),
            (time(words, i), Label::Time),
            (date(words, i), Label::Date),
        ];
        let best = candidates
            .into_iter()
            .filter_map(|(end, l)| Some((end?.min(words.len()), l)))
            .filter(|(end, _)| *end > i)
            .max_by_key(|(end, _)| *end);
        match best {
            Some((end, label)) => {
                out.push((i..end, label));
                i = end;
            }
            None => i += 1,
        }
    }
    out
}

/// Rule entities that hold in any language, for articles no model of theirs tags: amounts
/// written with a currency sign before or after the number (`$5`, `€ 1,5`, `100 €`) and
/// percentages written with `%` (`5%`, `5 %`). Words ("million", "percent", month names)
/// are English and left out.
pub fn find_neutral(words: &[&str]) -> Vec<(Range<usize>, Label)> {
    let at = |j: usize| words.get(j).copied().unwrap_or("");
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let w = at(i);
        let sign_before = CURRENCY_SIGNS.list.contains(&w) && is_num(at(i + 1));
        let glued_sign = CURRENCY_SIGNS
            .list
            .iter()
            .any(|s| w.len() > s.len() && w.starts_with(*s) && is_num(&w[s.len()..]));
        let sign_after = is_num(w) && CURRENCY_SIGNS.list.contains(&at(i + 1));
        let glued_percent = w.len() > 1 && w.ends_with('%') && is_num(&w[..w.len() - 1]);
        let percent_after = is_num(w) && at(i + 1) == "%";
        let found = if sign_before || sign_after {
            Some((i + 2, Label::Money))
        } else if glued_sign {
            Some((i + 1, Label::Money))
        } else if percent_after {
            Some((i + 2, Label::Percent))
        } else if glued_percent {
            Some((i + 1, Label::Percent))
        } else {
            None
        };
        match found {
            Some((end, label)) => {
                out.push((i..end, label));
                i = end;
            }
            None => i += 1,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_starter_may_start_a_rule_and_plain_words_do_not() {
        for l in [MONTHS, MONTH_ABBR, WEEKDAYS, RELATIVE, DAYWORDS, NOON] {
            for w in l.list {
                let upper = w.to_uppercase();
                let title = format!("{}{}", &upper[..1], &w[1..]);
                let mut variants = vec![w.to_string(), upper, title.clone()];
                // Longer tokens are never starters, a dot or not.
                if w.len() < 9 {
                    variants.push(format!("{title}."));
                }
                for v in variants {
                    assert!(may_start(&v), "{v:?}");
                }
            }
        }
        for w in [
            "the", "said", "Sepp", "Mayor", "thist", "nov.5", "", "-", "Reuters",
        ] {
            assert!(!may_start(w), "{w:?}");
        }
        for w in ["5", "-2", "$5", "€"] {
            assert!(may_start(w), "{w:?}");
        }
    }

    #[test]
    fn word_lists_match_what_a_scan_of_them_matches() {
        let lists = [
            MONTHS,
            MONTH_ABBR,
            WEEKDAYS,
            RELATIVE,
            PERIODS,
            DAYWORDS,
            YEAR_CUES,
            SCALES,
            CURRENCY_SIGNS,
            CURRENCY_WORDS,
            PERCENT_WORDS,
            AMPM,
            ZONES,
            ORDINALS,
            NOON,
        ];
        let mut probes: Vec<String> = [
            "", "1", "10", "1,500", "Mln", "PCT", "€", "£5", "ñ", "\u{7f}",
        ]
        .map(String::from)
        .to_vec();
        for l in &lists {
            for w in l.list {
                probes.extend([
                    w.to_string(),
                    w.to_uppercase(),
                    format!("{w}s"),
                    w.chars().skip(1).collect(),
                ]);
            }
        }
        for l in &lists {
            for p in &probes {
                let scan = l.list.iter().any(|x| p.eq_ignore_ascii_case(x));
                assert_eq!(l.has(p), scan, "{p:?} in {:?}", l.list);
            }
        }
    }

    #[test]
    fn neutral_rules_need_no_english_word() {
        let cases: [(&str, &[&str]); 5] = [
            (
                "Der Preis stieg um 5 % auf 100 € .",
                &["PERCENT:5 %", "MONEY:100 €"],
            ),
            (
                "Il costo è di € 1,5 e il 3% in più",
                &["MONEY:€ 1,5", "PERCENT:3%"],
            ),
            ("Es kostet $5 mehr", &["MONEY:$5"]),
            ("5 millones de dólares , 10 por ciento", &[]),
            ("am 10. Januar 2024", &[]),
        ];
        for (sentence, expected) in cases {
            let words: Vec<&str> = sentence.split(' ').collect();
            let got: Vec<String> = find_neutral(&words)
                .into_iter()
                .map(|(r, l)| format!("{l}:{}", words[r].join(" ")))
                .collect();
            assert_eq!(got, expected, "in {sentence:?}");
        }
    }

    /// Checks the rule entities of a space-tokenised sentence, written as `LABEL:text`.
    fn check(sentence: &str, expected: &[&str]) {
        let words: Vec<&str> = sentence.split(' ').collect();
        let got: Vec<String> = find(&words)
            .into_iter()
            .map(|(r, l)| format!("{l}:{}", words[r].join(" ")))
            .collect();
        assert_eq!(got, expected, "in {sentence:?}");
    }

    #[test]
    fn dates() {
        check("talks in Geneva on January 10 ended", &["DATE:January 10"]);
        check("on Jan. 10 , 1996 .", &["DATE:Jan. 10 , 1996"]);
        check("on 10 January 1996 .", &["DATE:10 January 1996"]);
        check("BRUSSELS 1996-08-22", &["DATE:1996-08-22"]);
        check(
            "last week and on Monday",
            &["DATE:last week", "DATE:Monday"],
        );
        check("profit rose in 1996", &["DATE:1996"]);
        check("in September", &["DATE:September"]);
    }

    #[test]
    fn ambiguous_months_need_a_number() {
        check("he May resign", &[]);
        check("the March on Rome", &[]);
        check("on May 5", &["DATE:May 5"]);
    }

    #[test]
    fn times() {
        check("at 10 a.m. GMT", &["TIME:10 a.m. GMT"]);
        check("at 14:30 today", &["TIME:14:30", "DATE:today"]);
        check("around noon", &["TIME:noon"]);
    }

    #[test]
    fn money_and_percent() {
        check("a $ 1.5 billion deal", &["MONEY:$ 1.5 billion"]);
        check("a $1.5 billion deal", &["MONEY:$1.5 billion"]);
        check(
            "rose 3.5 percent to 12%",
            &["PERCENT:3.5 percent", "PERCENT:12%"],
        );
        check("cost 200 million dollars", &["MONEY:200 million dollars"]);
        check("3 per cent", &["PERCENT:3 per cent"]);
    }

    #[test]
    fn plain_numbers_are_not_entities() {
        check("12 people met 3 times", &[]);
    }
}
