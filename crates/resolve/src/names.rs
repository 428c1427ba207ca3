//! How two mentions' names are compared: a normalised key, the ORG core without company
//! designators, and initials for acronyms.

/// Titles dropped from the front of a name, so "Mr Blinken" compares as "blinken". Only
/// words that are never a given name themselves.
const HONORIFICS: &[&str] = &[
    "mr",
    "mrs",
    "ms",
    "miss",
    "dr",
    "sir",
    "dame",
    "prof",
    "president",
    "senator",
    "sen",
    "rep",
    "gov",
    "governor",
    "minister",
    "secretary",
    "chancellor",
    "king",
    "queen",
    "pope",
];

/// Company designators dropped from the end of an ORG name, so "General Motors Corp" and
/// "General Motors" are one company.
const DESIGNATORS: &[&str] = &[
    "corp",
    "corporation",
    "inc",
    "incorporated",
    "co",
    "cos",
    "company",
    "ltd",
    "limited",
    "plc",
    "llc",
    "ag",
    "sa",
    "nv",
    "se",
    "group",
    "holdings",
];

/// A mention's name normalised for comparison: lowercase words without dots, possessive,
/// a leading "the" or title, one space between words.
#[cfg(test)]
pub(crate) fn key(text: &str) -> String {
    let mut key = String::new();
    key_into(text, &mut key);
    key
}

/// Appends [`key`]'s normalised name to `out`: one buffer holds an article's keys, so
/// normalising allocates nothing per mention.
pub(crate) fn key_into(text: &str, out: &mut String) {
    let base = out.len();
    let text = strip_possessive(text);
    for word in text.split_whitespace() {
        let before = out.len();
        let spaced = before > base;
        if spaced {
            out.push(' ');
        }
        if word.is_ascii() && !word.contains('.') {
            // Most names: a copy lowered in place, where the char by char path cost ~500
            // instructions a word (a third of resolution).
            let at = out.len();
            out.push_str(word);
            out[at..].make_ascii_lowercase();
        } else {
            out.extend(
                word.chars()
                    .filter(|&c| c != '.')
                    .flat_map(char::to_lowercase),
            );
        }
        if out.len() == before + usize::from(spaced) {
            out.truncate(before); // the word was all dots
        }
    }
    while let Some((first, _)) = out[base..].split_once(' ') {
        if first != "the" && !HONORIFICS.contains(&first) {
            break;
        }
        let cut = first.len() + 1;
        out.replace_range(base..base + cut, "");
    }
}

/// The mention as written, without a trailing possessive ("Blinken's" → "Blinken").
pub(crate) fn strip_possessive(text: &str) -> &str {
    let text = text.trim();
    for suffix in ["'s", "\u{2019}s", "'", "\u{2019}"] {
        if let Some(stem) = text.strip_suffix(suffix) {
            if !stem.is_empty() {
                return stem.trim_end();
            }
        }
    }
    text
}

/// An ORG key without trailing company designators; `None` when nothing would be left or
/// nothing was dropped.
pub(crate) fn org_core(key: &str) -> Option<&str> {
    let mut core = key;
    while let Some((head, last)) = core.rsplit_once(' ') {
        if !DESIGNATORS.contains(&last) {
            break;
        }
        core = head;
    }
    (core.len() < key.len()).then_some(core)
}

/// Initials of a multi-word name, lowercased, in the two ways acronyms are formed: of the
/// capitalised words only ("Organization for Security and Co-operation in Europe" →
/// "osce"; hyphenated parts count when capitalised) and of every word ("Bank of England" →
/// "boe"). `None` for a single word.
pub(crate) fn initials(text: &str) -> Option<(String, String)> {
    let text = strip_possessive(text);
    let mut capitals = String::new();
    let mut all = String::new();
    let mut words = 0;
    for word in text.split_whitespace() {
        words += 1;
        for (i, part) in word.split('-').enumerate() {
            let Some(first) = part.chars().find(|c| c.is_alphanumeric()) else {
                continue;
            };
            if first.is_uppercase() {
                capitals.extend(first.to_lowercase());
            }
            if i == 0 {
                all.extend(first.to_lowercase());
            }
        }
    }
    (words > 1 && capitals.chars().count() > 1).then_some((capitals, all))
}

/// Whether a key could be an acronym: one word of 2 to 8 letters.
pub(crate) fn acronym_like(key: &str) -> bool {
    let n = key.chars().count();
    (2..=8).contains(&n) && key.chars().all(char::is_alphabetic)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_ignore_case_dots_titles_and_possessives() {
        assert_eq!(key("Antony  Blinken"), "antony blinken");
        assert_eq!(key("U.S."), "us");
        assert_eq!(key("Mr. Blinken's"), "blinken");
        assert_eq!(key("The Hague"), "hague");
        assert_eq!(key("President"), "president");
        assert_eq!(key("Lavrov\u{2019}s"), "lavrov");
    }

    #[test]
    fn initials_of_expansions() {
        let (caps, all) = initials("Organization for Security and Co-operation in Europe").unwrap();
        assert_eq!((caps.as_str(), all.as_str()), ("osce", "ofsacie"));
        assert_eq!(initials("Bank of England").unwrap().1, "boe");
        assert_eq!(initials("United States").unwrap().0, "us");
        assert_eq!(initials("NATO"), None);
    }

    #[test]
    fn company_cores() {
        assert_eq!(org_core("general motors corp"), Some("general motors"));
        assert_eq!(org_core("ford motor co ltd"), Some("ford motor"));
        assert_eq!(org_core("general motors"), None);
        assert_eq!(org_core("corp"), None);
    }
}
