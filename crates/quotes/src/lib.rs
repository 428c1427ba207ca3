//! Direct quotations and their speakers.
//!
//! Layout:
//! - `marks`: where quotations open and close (English curly and straight double marks,
//!   the marks of other languages, over paragraphs).
//! - `words`: the word lists from `data/` (speech verbs, gendered first names).
//! - [`QuoteFinder`]: attributes each quotation to a speaker through the patterns news
//!   uses, and links the speaker to an entity cluster.
//!
//! Attribution, tried in this order for each quotation:
//! 1. after it, in its sentence: `“…,” Lavrov said` / `“…,” said Lavrov` /
//!    `“…,” said the minister, who …` / `“…,” according to Lavrov` / `“…,” Senate Majority
//!    Whip Ann Lowe (R-TX) told reporters` / `“…,” said its chairman, Sir Anthony Greener` /
//!    `“…,” Rei Shiratori, professor of politics at Dokkyo University, told Reuters`;
//! 2. before it, ending in `:` or `,`: `Blinken said: “…”` / `Lavrov … and said, “…”` /
//!    `Reed shot back: “…”` (the sentence's subject speaks when the verb has none of its
//!    own, or when there is no speech verb before a colon);
//! 3. an exchange: after two people's quotes in alternate paragraphs, an unattributed quote
//!    opening the next paragraph is the reply of the one before last;
//! 4. a quotation with no attribution of its own right after an attributed one, in the same
//!    or the next paragraph with no other person named between, continues that speaker;
//! 5. a quotation opening a sentence after one whose subject is a person ("Ortiz sounded
//!    hopeful. “…”") is that person's.
//!
//! A partial quote (a fragment inside the reporter's sentence, a scare quote, a title) is
//! attributed only to the person who is the subject of its sentence with a speech verb
//! (`Blair said the families deserved “to be exonerated”`), or by a comma attribution
//! after it (`“in two weeks,” a spokesman said`); never to a noun phrase nearby.
//!
//! The speaker is the named entity when the attribution names one; a pronoun (he, she) or
//! a definite description of a person ("the minister") is linked to a person before it: the
//! subject of the nearest sentence that has one, of the pronoun's gender (first names from
//! the US census lists, titles such as Mr and Mrs), rather than the last name mentioned,
//! which is often inside a clause. An indefinite description ("a person familiar with the
//! talks") is a speaker without a cluster; a bare pronoun linked to no one ("it said" of a
//! report, "they") leaves its quote unattributed, since it names no one and precision
//! matters more than recall. Unattributed quotations are kept only when they
//! read like speech (four words or more with sentence punctuation), which leaves out scare
//! quotes and titles. Single quotation marks are not read: in English news they are nested
//! quotes or apostrophes far more often than quotations.
//!
//! Paragraphs are what `marks::Layout` says: every line break, except in hard-wrapped wire
//! copy, where only a blank or indented line starts one (the segmenter's judgement).
//!
//! Runs after entity resolution (it reads the clusters). Pure: no I/O, never fails.

mod marks;
mod words;

use article::{Analysis, Entity, Label, Quote, Span};

use crate::words::{word_set, Gender, WordSet};

/// Which attribution cues hold in an article's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Cues {
    /// English speech verbs, pronouns and word order: quotations get speakers.
    #[default]
    English,
    /// No cues known for the language: quotations are found by their marks and kept
    /// unattributed.
    None,
}

/// Adverbs allowed between a speaker and the verb ("Lavrov later said").
const ADVERBS: &[&str] = &["later", "then", "also", "again", "earlier", "once", "often"];

/// Pronouns that can name a speaker; `he` and `she` are linked to a person.
const PRONOUNS: &[&str] = &["he", "she", "they", "we", "i", "it"];

/// Words that start a description of a speaker ("the minister", "a spokesman").
const DETERMINERS: &[&str] = &[
    "the", "a", "an", "one", "another", "his", "her", "its", "their", "our",
];

/// Words that start an indefinite description, a new unnamed speaker rather than one named
/// before: "a spokesman", "one Republican strategist", "another official".
const INDEFINITES: &[&str] = &["a", "an", "one", "another"];

/// Words that end a speaker phrase after the verb ("said the minister, who …").
const PHRASE_ENDS: &[&str] = &[
    "who", "which", "that", "on", "in", "at", "after", "as", "when", "during", "to", "from",
    "while", "adding", "before", "with", "of", "and", "but", "for", "by",
];

/// Words that may open a sentence before its subject ("But Mr Clarke said …").
const OPENERS: &[&str] = &[
    "but",
    "and",
    "however",
    "meanwhile",
    "earlier",
    "later",
    "yet",
    "so",
    "still",
    "also",
    "then",
    "now",
    "instead",
];

/// Words that open an introductory phrase before the subject ("After the vote, Reed …"):
/// the persons named before its comma are not the subject.
const INTRODUCTIONS: &[&str] = &[
    "after",
    "before",
    "in",
    "on",
    "with",
    "during",
    "following",
    "despite",
    "unlike",
    "like",
    "for",
    "at",
    "under",
    "without",
    "since",
    "until",
    "among",
    "by",
    "asked",
    "speaking",
    "pointing",
    "when",
    "while",
    "as",
    "if",
    "although",
    "though",
    "because",
];

/// Words that show the subject was already passed: a clause, a preposition or an auxiliary
/// before any name means the name is not the sentence's subject.
const NOT_SUBJECT: &[&str] = &[
    "that", "who", "which", "when", "whom", "whose", "because", "if", "as", "after", "before",
    "with", "without", "by", "to", "from", "at", "on", "in", "during", "while", "than", "about",
    "against", "is", "was", "are", "were", "has", "have", "had", "will", "would", "could",
    "should", "can", "may", "must", "did", "does", "do", "be", "been", "not",
];

/// Auxiliary verbs: before a speech verb they show a sentence of its own ("has told").
const AUXILIARIES: &[&str] = &[
    "is", "was", "are", "were", "has", "have", "had", "will", "would", "could", "should", "can",
    "may", "must", "did", "does", "do", "be", "been",
];

/// How far from the quotation an attribution may stand, in tokens.
const WINDOW: usize = 12;

/// How many sentences back a pronoun looks for its referent, not counting those whose
/// subject is he or she: news repeats the name at least every few sentences, and a longer
/// reach finds a person from another story.
const REFERENT_SENTENCES: usize = 8;

/// How many sentences a pronoun's search may pass over in all, counting those whose
/// subject is he or she again (a long run of "he said" about one person).
const MAX_REFERENT_SENTENCES: usize = 30;

/// Prepositions before a name that make it an object, not the one who acts.
const PREPOSITIONS: &[&str] = &[
    "by", "of", "to", "with", "for", "from", "against", "on", "about", "than", "like", "at", "into",
];

/// How many tokens into a sentence its subject may start ("The chairman of the Bar Council,
/// Guy Mansfield QC, has warned …").
const SUBJECT_REACH: usize = 12;

/// The lists tested at every token of a scan, behind a filter that rejects most words at
/// once (callgrind, issue 18: walking them was a sixth of the quote stage).
static NOT_SUBJECT_SET: WordSet = word_set!(NOT_SUBJECT);
static AUXILIARY_SET: WordSet = word_set!(AUXILIARIES);
static OPENER_SET: WordSet = word_set!(OPENERS);
static INTRODUCTION_SET: WordSet = word_set!(INTRODUCTIONS);
static PHRASE_END_SET: WordSet = word_set!(PHRASE_ENDS);
static ADVERB_SET: WordSet = word_set!(ADVERBS);
static PRONOUN_SET: WordSet = word_set!(PRONOUNS);
static DETERMINER_SET: WordSet = word_set!(DETERMINERS);
static INDEFINITE_SET: WordSet = word_set!(INDEFINITES);
static PREPOSITION_SET: WordSet = word_set!(PREPOSITIONS);

/// Finds direct quotations and their speakers. Stateless; shared by all workers.
#[derive(Debug, Clone, Default)]
pub struct QuoteFinder;

/// Who a quotation is attributed to.
#[derive(Debug, Clone, Copy)]
struct Attribution {
    speaker: Span,
    /// The entity naming the speaker, when one does.
    entity: Option<usize>,
    /// A pronoun or description standing for a person mentioned before.
    anaphoric: bool,
    /// The speech verb, when the attribution has one.
    cue: Option<Span>,
}

/// An attributed quotation, remembered for the ones after it.
#[derive(Debug, Clone, Copy)]
struct Said {
    outer: Span,
    attribution: Attribution,
    cluster: Option<usize>,
}

impl Said {
    fn same_speaker(&self, other: &Said) -> bool {
        match (self.cluster, other.cluster) {
            (Some(a), Some(b)) => a == b,
            _ => self.attribution.speaker == other.attribution.speaker,
        }
    }
}

/// What stands at the start of a sentence.
#[derive(Debug, Clone, Copy)]
enum Subject {
    /// A named person or organisation.
    Entity(usize),
    /// "he" or "she" (the token).
    Pronoun(usize),
    /// A description that is not a person named before ("Blair's spokesman", "a man").
    Other,
    /// No subject found, or one that refers back ("the minister", "they").
    Unknown,
}

/// Read-only views of the analysis that the patterns need.
struct Context<'a> {
    text: &'a str,
    analysis: &'a Analysis,
    /// Every quotation, in text order (by its outer span: names inside quotes are not
    /// referents).
    quoted: &'a [marks::Quoted],
    /// Where paragraphs break (every line break, or only indented ones in wrapped copy).
    layout: marks::Layout<'a>,
    cluster_of: Vec<Option<usize>>,
    /// The gender each cluster's titles give, once worked out (`Unknown`: no title): pronoun
    /// linking asks about the same people again and again, and each answer walks all of a
    /// cluster's mentions.
    cluster_gender: Vec<std::cell::Cell<Option<Gender>>>,
    /// The subject of each whole sentence, once worked out: every pronoun looks back over
    /// the same sentences.
    sentence_subject: Vec<std::cell::Cell<Option<Subject>>>,
    /// The gender each entity's first names give, once worked out: the same speakers are
    /// asked about for every pronoun, and each answer searches the census lists.
    entity_name_gender: Vec<std::cell::Cell<Option<Gender>>>,
}

impl QuoteFinder {
    /// A finder with the built-in speech verbs.
    pub fn new() -> Self {
        Self
    }

    /// Fills `analysis.quotes` (replacing any there) with English attribution cues. Reads
    /// sentences, tokens, entities and clusters, so run it after tagging and resolution.
    pub fn find(&self, text: &str, analysis: &mut Analysis) {
        self.find_with(text, analysis, Cues::English);
    }

    /// Like [`QuoteFinder::find`], with the attribution cues of the article's language:
    /// under [`Cues::None`] quotations are found by their marks and left unattributed.
    pub fn find_with(&self, text: &str, analysis: &mut Analysis, cues: Cues) {
        let layout = marks::Layout::new(text);
        let found = marks::quotations(text, &layout);
        if found.is_empty() {
            analysis.quotes.clear();
            return;
        }
        if cues == Cues::None {
            analysis.quotes = found
                .iter()
                .filter(|q| reads_like_speech(q.inner.slice(text)) || stands_as_speech(text, q))
                .map(|q| Quote {
                    span: q.inner,
                    speaker: None,
                    speaker_cluster: None,
                    cue: None,
                })
                .collect();
            return;
        }
        let cx = Context {
            text,
            analysis,
            quoted: &found,
            layout,
            cluster_of: analysis.entity_clusters(),
            cluster_gender: vec![std::cell::Cell::new(None); analysis.clusters.len()],
            sentence_subject: vec![std::cell::Cell::new(None); analysis.sentences.len()],
            entity_name_gender: vec![std::cell::Cell::new(None); analysis.entities.len()],
        };
        let mut quotes: Vec<Quote> = Vec::with_capacity(found.len());
        // The last attributed quote, and the one of another speaker before it.
        let mut previous: Option<Said> = None;
        let mut other: Option<Said> = None;
        for &q in &found {
            let inner = q.inner.slice(text);
            if is_title(text, &q) {
                continue; // a programme or a book named, not a quotation of anyone
            }
            let partial = is_partial(inner);
            let own = if partial {
                cx.partial(q.outer, inner)
            } else {
                cx.after(q.outer).or_else(|| cx.before(q.outer))
            };
            let said = match own {
                Some(a) => Some(Said {
                    outer: q.outer,
                    attribution: a,
                    cluster: cx.cluster(&a, q.outer.start),
                }),
                // `“…,” he said, “that …”`: the quote's second half, same speaker.
                None if partial => previous.filter(|p| cx.resumes(p, q.outer)).map(|p| Said {
                    outer: q.outer,
                    attribution: Attribution {
                        cue: None,
                        ..p.attribution
                    },
                    ..p
                }),
                None => cx
                    .reply(other.as_ref(), previous.as_ref(), q.outer)
                    .or_else(|| {
                        let p = previous?;
                        cx.continues(&p, q.outer).then_some(p)
                    })
                    .map(|s| Said {
                        outer: q.outer,
                        attribution: Attribution {
                            cue: None,
                            ..s.attribution
                        },
                        ..s
                    })
                    .or_else(|| {
                        let a = cx.previous_subject(q.outer)?;
                        Some(Said {
                            outer: q.outer,
                            attribution: a,
                            cluster: cx.cluster(&a, q.outer.start),
                        })
                    }),
            };
            let Some(said) = said else {
                keep_unattributed(&mut quotes, q.inner, inner);
                if !partial {
                    previous = None;
                    other = None;
                }
                continue;
            };
            // `“…,” the editorial said. “…,” it added`: "it" is the unnamed speaker just quoted.
            let said = match previous {
                Some(p) if cx.unresolved(&said) && cx.is_it(&said) && cx.names_a_thing(&p) => {
                    if cx.continues(&p, q.outer) {
                        Said {
                            outer: q.outer,
                            attribution: Attribution {
                                cue: said.attribution.cue,
                                ..p.attribution
                            },
                            ..p
                        }
                    } else {
                        said
                    }
                }
                _ => said,
            };
            if cx.unresolved(&said) {
                // "he said" with no he found, "it said" of a report: the words name no one,
                // and a reader is better served by no speaker than by a pronoun. The quote
                // still passes its speaker on, so what continues it stays unattributed too.
                keep_unattributed(&mut quotes, q.inner, inner);
            } else {
                quotes.push(Quote {
                    span: q.inner,
                    speaker: Some(said.attribution.speaker),
                    speaker_cluster: said.cluster,
                    cue: said.attribution.cue,
                });
            }
            if partial {
                continue; // a fragment does not carry its speaker to the next quote
            }
            if let Some(p) = previous {
                if !p.same_speaker(&said) {
                    other = Some(p);
                }
            }
            previous = Some(said);
        }
        analysis.quotes = quotes;
    }
}

impl Context<'_> {
    /// Whether an attribution's speaker is a bare pronoun ("he", "it", "they") that no
    /// cluster stands behind, or a bare "one" ("said one" of the sources: which one is not
    /// said).
    fn unresolved(&self, said: &Said) -> bool {
        let word = said.attribution.speaker.slice(self.text);
        said.cluster.is_none()
            && said.attribution.entity.is_none()
            && (PRONOUNS.iter().any(|p| p.eq_ignore_ascii_case(word))
                || word.eq_ignore_ascii_case("one"))
    }

    /// Whether an attribution's speaker is the bare word "it".
    fn is_it(&self, said: &Said) -> bool {
        said.attribution
            .speaker
            .slice(self.text)
            .eq_ignore_ascii_case("it")
    }

    /// Whether a quote's speaker is an organisation or a description of a thing or an
    /// unnamed source ("the editorial", "the ministry"), which a later "it" may stand for,
    /// rather than a person or a pronoun.
    fn names_a_thing(&self, said: &Said) -> bool {
        match said.attribution.entity {
            Some(e) => self.entity(e).label == Label::Org && !self.is_person(e),
            // Only a description read after its quote (`“…,” the editorial said`): before
            // one, a subject's words are read more loosely.
            None => {
                !said.attribution.anaphoric
                    && !self.unresolved(said)
                    && said.attribution.speaker.start >= said.outer.end
            }
        }
    }

    fn word(&self, i: usize) -> &str {
        let span = self.analysis.tokens[i].span;
        // `Span::slice` inlined: the quote finder asks for a token's word tens of thousands
        // of times an article, and the call was a tenth of each look-up (callgrind, issue 18).
        self.text.get(span.start..span.end).unwrap_or("")
    }

    /// The index of the last token (0 when there are none).
    fn last_token(&self) -> usize {
        self.analysis.tokens.len().saturating_sub(1)
    }

    /// The token starting at or after byte `at`, if any.
    fn word_at(&self, at: usize) -> Option<&str> {
        let i = self.token_from(at);
        (i < self.analysis.tokens.len()).then(|| self.word(i))
    }

    fn is(&self, i: usize, list: &[&str]) -> bool {
        let w = self.word(i);
        // The first byte, lowered once, settles most same-length entries before the full
        // comparison lowers both words byte by byte (callgrind, issue 18).
        let first = w.as_bytes().first().map(u8::to_ascii_lowercase);
        list.iter().any(|x| {
            x.len() == w.len()
                && x.as_bytes().first().map(u8::to_ascii_lowercase) == first
                && w.eq_ignore_ascii_case(x)
        })
    }

    /// Like [`Context::is`], for a list behind a filter.
    fn is_in(&self, i: usize, set: &WordSet) -> bool {
        set.contains(self.word(i))
    }

    fn is_cue(&self, i: usize) -> bool {
        words::is_speech_verb(self.word(i))
    }

    /// Whether token `i` ends a clause: punctuation other than a hyphen or apostrophe.
    fn is_break(&self, i: usize) -> bool {
        let w = self.word(i);
        // Most tokens are words: their first byte answers without decoding them.
        if w.as_bytes().first().is_none_or(u8::is_ascii_alphanumeric) {
            return false;
        }
        w.chars()
            .all(|c| c.is_ascii_punctuation() || c == '\u{201C}' || c == '\u{201D}')
            && w != "-"
            && w != "'"
    }

    /// Whether token `i` is a possessive ending ("'s", "’s", a lone apostrophe).
    fn is_possessive(&self, i: usize) -> bool {
        i < self.analysis.tokens.len()
            && matches!(self.word(i), "'s" | "\u{2019}s" | "'" | "\u{2019}" | "'S")
    }

    /// First token starting at or after byte `at`.
    fn token_from(&self, at: usize) -> usize {
        self.analysis.tokens.partition_point(|t| t.span.start < at)
    }

    /// The entity starting exactly where token `i` starts.
    fn entity_starting(&self, i: usize) -> Option<usize> {
        let at = self.analysis.tokens[i].span.start;
        let e = self
            .analysis
            .entities
            .partition_point(|e| e.span.start < at);
        (self.analysis.entities.get(e)?.span.start == at).then_some(e)
    }

    /// The entity ending exactly where token `i` ends.
    fn entity_ending(&self, i: usize) -> Option<usize> {
        let at = self.analysis.tokens[i].span.end;
        let e = self.analysis.entities.partition_point(|e| e.span.end < at);
        (self.analysis.entities.get(e)?.span.end == at).then_some(e)
    }

    fn entity(&self, e: usize) -> &Entity {
        &self.analysis.entities[e]
    }

    /// Whether entity `e` is a person: tagged so, or an organisation or other name that
    /// opens with a person's title ("Sir Digby Jones" tagged ORG).
    fn is_person(&self, e: usize) -> bool {
        let entity = self.entity(e);
        match entity.label {
            Label::Per => true,
            Label::Org | Label::Misc => entity
                .span
                .slice(self.text)
                .split_whitespace()
                .next()
                .is_some_and(|w| words::title_gender(w).is_some()),
            _ => false,
        }
    }

    /// The token just after entity `e`.
    fn token_after(&self, e: usize) -> usize {
        self.token_from(self.entity(e).span.end)
    }

    /// Whether byte `at` lies inside a quotation.
    fn in_quote(&self, at: usize) -> bool {
        self.quote_at(at).is_some()
    }

    /// The quotation byte `at` lies inside, if any.
    fn quote_at(&self, at: usize) -> Option<Span> {
        let i = self.quoted.partition_point(|q| q.outer.end <= at);
        self.quoted
            .get(i)
            .map(|q| q.outer)
            .filter(|q| q.start <= at)
    }

    /// Whether a paragraph break lies between two byte offsets.
    fn paragraph_between(&self, from: usize, to: usize) -> bool {
        self.layout.any_break(from, to)
    }

    fn span(&self, first: usize, last: usize) -> Span {
        let t = &self.analysis.tokens;
        Span::new(t[first].span.start, t[last].span.end)
    }

    fn named(&self, e: usize, cue: Option<Span>) -> Attribution {
        Attribution {
            speaker: self.entity(e).span,
            entity: Some(e),
            anaphoric: false,
            cue,
        }
    }

    /// Pattern 1: the attribution follows the closing mark in the same sentence.
    fn after(&self, outer: Span) -> Option<Attribution> {
        let tokens = &self.analysis.tokens;
        let mut i = self.token_from(outer.end);
        if i < tokens.len() && self.word(i) == "," {
            i += 1; // British style: “…”, he said.
        }
        if i >= tokens.len() || self.paragraph_between(outer.end, tokens[i].span.start) {
            return None;
        }
        let end = (i + WINDOW).min(tokens.len());
        // `said Lavrov` / `said the minister, who …` / `according to Lavrov`.
        if self.is_cue(i) {
            let mut from = i + 1;
            if self.word(i).eq_ignore_ascii_case("according") {
                if from >= end || !self.word(from).eq_ignore_ascii_case("to") {
                    return None;
                }
                from += 1;
            }
            return self.phrase_after_cue(from, end, self.span(i, from - 1));
        }
        // “…”, while the Democrats said …: a new clause with its own subject, not ours.
        if self.is_in(i, &PHRASE_END_SET) {
            return None;
        }
        // `Lavrov said` / `he said` / `the minister said` / `Senate Majority Whip Ann Lowe
        // (R-TX) told`: the verb within a few words, nothing but a name (and a bracketed
        // aside) before it.
        let mut j = i;
        let mut last = None;
        let mut words = 0;
        // How far the text was searched for a paragraph break: each gap is looked at once,
        // not the whole phrase again at every word.
        let mut searched = tokens[i].span.start;
        while j < tokens.len() && words < 10 && !self.is_cue(j) {
            if self.paragraph_between(searched, tokens[j].span.end) {
                return None;
            }
            searched = tokens[j].span.end;
            if self.word(j) == "(" && j > i {
                // A party and state, an age, a constituency: skip to the closing bracket.
                let close = (j + 1..(j + 10).min(tokens.len())).find(|&k| self.word(k) == ")")?;
                j = close + 1;
                continue;
            }
            // A break ends the clause; an auxiliary means a new sentence ("… weak.” The
            // authority has also told …"), not an attribution.
            if self.is_break(j) || self.is_in(j, &AUXILIARY_SET) {
                // `“…,” Rei Shiratori, professor of politics at Dokkyo University, told
                // Reuters`: a person, a description between commas, then the verb.
                match self.cue_after_apposition(i, last, j) {
                    Some(cue) => {
                        j = cue;
                        break;
                    }
                    None => return None,
                }
            }
            last = Some(j);
            words += 1;
            j += 1;
        }
        let last = last?;
        if j >= tokens.len() || !self.is_cue(j) || self.word(j).eq_ignore_ascii_case("according") {
            return None;
        }
        // `… Bourn said: “…”` introduces the next quotation, and after a quote that ended
        // its sentence, `X said the inquiry …` is a new sentence reporting speech.
        let next = self.word_at(tokens[j].span.end).unwrap_or("");
        let ended = outer
            .slice(self.text)
            .trim_end_matches(|c: char| !c.is_alphanumeric() && !matches!(c, '.' | '?' | '!'))
            .ends_with(['.', '?', '!']);
        if next == ":" || (ended && self.is(j, &["said", "says"]) && is_clause_start(next)) {
            return None;
        }
        let last = if last > i && self.is_in(last, &ADVERB_SET) {
            last - 1
        } else {
            last
        };
        self.speaker_phrase(i, last, Some(self.analysis.tokens[j].span))
    }

    /// The speech verb after a person named from token `first` to `last` and a description
    /// in apposition from the comma at `comma` to the next comma (`Rei Shiratori, professor
    /// of politics at Dokkyo University, told`), in the same paragraph.
    fn cue_after_apposition(
        &self,
        first: usize,
        last: Option<usize>,
        comma: usize,
    ) -> Option<usize> {
        let tokens = &self.analysis.tokens;
        let e = self.entity_ending(last?)?;
        if self.word(comma) != ","
            || !self.is_person(e)
            || self.entity(e).span.start < tokens[first].span.start
        {
            return None;
        }
        let close = (comma + 2..(comma + 1 + WINDOW).min(tokens.len()))
            .find(|&k| self.is_break(k))
            .filter(|&k| self.word(k) == ",")?;
        let mut cue = close + 1;
        if cue < tokens.len() && self.is_in(cue, &ADVERB_SET) {
            cue += 1;
        }
        (cue < tokens.len()
            && self.is_cue(cue)
            && !self.paragraph_between(tokens[comma].span.end, tokens[cue].span.start))
        .then_some(cue)
    }

    /// The speaker named after the verb: tokens from `from` up to a comma, a relative
    /// pronoun or a preposition; an indefinite description runs on through prepositions
    /// ("a person familiar with the talks"), and a description followed by a name in
    /// apposition is that name ("its chairman, Sir Anthony Greener").
    fn phrase_after_cue(&self, from: usize, end: usize, cue: Span) -> Option<Attribution> {
        let indefinite = from < end && self.is_in(from, &INDEFINITE_SET);
        let mut last = None;
        for k in from..end.min(from + 8) {
            let stop = if indefinite {
                self.is(
                    k,
                    &[
                        "who", "which", "that", "and", "but", "adding", "while", "as",
                    ],
                )
            } else {
                self.is_in(k, &PHRASE_END_SET)
            };
            if self.is_break(k) || (k > from && stop) {
                break;
            }
            last = Some(k);
        }
        let last = last?;
        let a = self.speaker_phrase(from, last, Some(cue));
        if !indefinite && !a.is_some_and(|a| a.entity.is_some_and(|e| self.is_name(e))) {
            if let Some(e) = self.coordinated_name(last + 1, end) {
                return Some(self.named(e, Some(cue)));
            }
        }
        let a = a?;
        if a.entity.is_none() && !indefinite {
            if let Some(e) = self.apposition(last + 1, end) {
                return Some(self.named(e, Some(cue)));
            }
        }
        Some(a)
    }

    /// Whether entity `e` is a person's name, not a title the tagger read as one ("Nevada
    /// Sen." before a line break).
    fn is_name(&self, e: usize) -> bool {
        self.is_person(e)
            && self
                .entity(e)
                .span
                .slice(self.text)
                .split_whitespace()
                .next_back()
                .is_some_and(|w| words::title_gender(w).is_none())
    }

    /// `said former Nevada Sen. and Reagan confidant Paul Laxalt.`: after a description that
    /// names no one, "and" and a second description ending in a person's name, then the end
    /// of the phrase — one person described twice.
    fn coordinated_name(&self, and: usize, end: usize) -> Option<usize> {
        let tokens = &self.analysis.tokens;
        if and >= end || !self.word(and).eq_ignore_ascii_case("and") {
            return None;
        }
        let close = (and + 1..end).find(|&k| self.is_break(k) || self.is_cue(k))?;
        if self.is_cue(close) || close == and + 1 {
            return None;
        }
        let e = self.entity_ending(close - 1)?;
        (self.is_name(e) && self.entity(e).span.start > tokens[and].span.end).then_some(e)
    }

    /// A person named in apposition after a description: the first comma within reach of
    /// `from`, then (after at most two title words) a person's name that ends the phrase.
    fn apposition(&self, from: usize, end: usize) -> Option<usize> {
        let tokens = &self.analysis.tokens;
        let comma = (from..end.min(tokens.len()))
            .take_while(|&k| !self.is_break(k) || self.word(k) == ",")
            .find(|&k| self.word(k) == ",")?;
        (comma + 1..(comma + 4).min(tokens.len())).find_map(|k| {
            let e = self.entity_starting(k)?;
            let after = self.token_after(e);
            (self.is_person(e) && (after >= tokens.len() || self.is_break(after))).then_some(e)
        })
    }

    /// Reads tokens `first..=last` as a speaker: the last person named in them, else an
    /// organisation, else a pronoun, else a description starting with a determiner or a
    /// capital. A name followed by "'s" owns the speaker rather than being it, a name after
    /// a preposition is whom the speaker works for ("the aide to Lyng", "a lawyer for
    /// Smith"), and an indefinite description ("a Downing Street spokesman") is never a
    /// name inside it.
    fn speaker_phrase(&self, first: usize, last: usize, cue: Option<Span>) -> Option<Attribution> {
        let indefinite = self.is_in(first, &INDEFINITE_SET);
        let named = |labels: &[Label]| {
            (first..=last).rev().find_map(|k| {
                let e = self.entity_ending(k)?;
                let start = self.entity(e).span.start;
                let before = self.token_from(start);
                (start >= self.analysis.tokens[first].span.start
                    && labels.contains(&self.entity(e).label)
                    && !self.is_possessive(k + 1)
                    && !(before > first && self.is_in(before - 1, &PREPOSITION_SET)))
                .then_some(e)
            })
        };
        if !indefinite {
            if let Some(e) = named(&[Label::Per]).or_else(|| named(&[Label::Org])) {
                return Some(self.named(e, cue));
            }
        }
        if first == last && self.is_in(first, &PRONOUN_SET) {
            let w = self.word(first);
            let person = w.eq_ignore_ascii_case("he") || w.eq_ignore_ascii_case("she");
            return Some(Attribution {
                speaker: self.span(first, first),
                entity: None,
                anaphoric: person,
                cue,
            });
        }
        let starts_description = self.is_in(first, &DETERMINER_SET)
            || self
                .word(first)
                .chars()
                .next()
                .is_some_and(char::is_uppercase);
        if !starts_description || last - first > 7 {
            return None;
        }
        // "the minister" refers back to a person; "a spokesman" introduces a new one.
        let definite = self.is(first, &["the", "his", "her", "their", "our"])
            && is_person_noun(self.word(last));
        Some(Attribution {
            speaker: self.span(first, last),
            entity: None,
            anaphoric: definite,
            cue,
        })
    }

    /// Pattern 2: the attribution precedes the opening mark, ending in `:` or `,`.
    fn before(&self, outer: Span) -> Option<Attribution> {
        let first_inside = self.token_from(outer.start);
        let p = first_inside.checked_sub(1)?;
        // Only `…: “`, `…, “` or `… said “` introduce a quotation; after a full stop the
        // verb belongs to the sentence before.
        let c = match self.word(p) {
            ":" | "," => p.checked_sub(1)?,
            // "he added; “…”": a slip for the colon, right after the verb.
            ";" if p.checked_sub(1).is_some_and(|v| self.is_cue(v)) => p - 1,
            _ if self.is_cue(p) => p,
            _ => return None,
        };
        let sentence = self
            .analysis
            .sentence_at(self.analysis.tokens[c].span.start)?;
        let sentence_start = self.analysis.sentences[sentence].tokens.start;
        // The nearest speech verb back from the mark, within the sentence.
        let lowest = c.saturating_sub(WINDOW).max(sentence_start);
        let Some(cue) = (lowest..=c)
            .rev()
            .find(|&k| self.is_cue(k) && !self.is(k, &["according"]))
        else {
            // "Reed shot back: “…”": no verb of saying, but a colon hands the quote to the
            // sentence's subject.
            if self.word(p) != ":" {
                return None;
            }
            // "His message to the chancellor was: “…”": the owner speaks.
            let first = self.analysis.sentences[sentence].tokens.start;
            return self
                .subject_attribution(sentence, outer.start, None)
                .or_else(|| {
                    self.is(first, &["his", "her"]).then(|| Attribution {
                        speaker: self.span(first, first),
                        entity: None,
                        anaphoric: true,
                        cue: None,
                    })
                });
        };
        let verb = Some(self.analysis.tokens[cue].span);
        if cue > sentence_start {
            let mut last = cue - 1;
            if last > sentence_start && self.is_in(last, &ADVERB_SET) {
                last -= 1;
            }
            // The verb's own subject right before it: a name, a pronoun, a description.
            // A place is not a speaker ("detainee 'A' in Woodhill Prison said").
            if let Some(e) = self
                .entity_ending(last)
                .filter(|&e| matches!(self.entity(e).label, Label::Per | Label::Org))
            {
                return Some(self.named(e, verb));
            }
            if self.is_in(last, &PRONOUN_SET) {
                return self.speaker_phrase(last, last, verb);
            }
            if let Some(d) = (last.saturating_sub(4).max(sentence_start)..=last)
                .find(|&k| self.is_in(k, &DETERMINER_SET))
            {
                if !(d..=last).any(|k| self.is_break(k) || self.is_in(k, &PHRASE_END_SET)) {
                    return self.speaker_phrase(d, last, verb);
                }
            }
        }
        // "Lavrov thanked Blinken …, and said, “…”": the verb shares the sentence's subject,
        // its first person (or he/she) outside any earlier quotation.
        (sentence_start..cue).find_map(|k| {
            if self.in_quote(self.analysis.tokens[k].span.start) {
                return None;
            }
            if let Some(e) = self
                .entity_starting(k)
                .filter(|&e| self.is_person(e))
                .filter(|&e| !self.is_possessive(self.token_after(e)))
            {
                return Some(self.named(e, verb));
            }
            self.is(k, &["he", "she"]).then(|| Attribution {
                speaker: self.span(k, k),
                entity: None,
                anaphoric: true,
                cue: verb,
            })
        })
    }

    /// A partial quote: its sentence's subject when the sentence has a speech verb before
    /// the quote, or a comma attribution right after it (`“in two weeks,” a spokesman
    /// said`). A person or he/she only, never an organisation or a description.
    fn partial(&self, outer: Span, inner: &str) -> Option<Attribution> {
        let comma_after = self.word_at(outer.end) == Some(",");
        if inner.ends_with([',', '?', '!']) || comma_after {
            if let Some(a) = self.after(outer) {
                return Some(a);
            }
        }
        let first_inside = self.token_from(outer.start);
        let sentence = self
            .analysis
            .sentence_at(self.analysis.tokens.get(first_inside)?.span.start)?;
        let start = self.analysis.sentences[sentence].tokens.start;
        let cue = (start..first_inside).rev().find(|&k| self.is_cue(k))?;
        let verb = Some(self.analysis.tokens[cue].span);
        // The verb's own subject right before it ("after Mr Blair told members the Tories
        // offered a “hard right agenda”"), else the sentence's.
        let own = cue.checked_sub(1).filter(|&k| k >= start).and_then(|k| {
            let k = if k > start && self.is_in(k, &ADVERB_SET) {
                k - 1
            } else {
                k
            };
            if let Some(e) = self.entity_ending(k) {
                return Some(self.named(e, verb));
            }
            words::subject_gender(self.word(k)).map(|_| Attribution {
                speaker: self.span(k, k),
                entity: None,
                anaphoric: true,
                cue: verb,
            })
        });
        let a = match own {
            Some(a) => a,
            None => self.subject_attribution(sentence, outer.start, verb)?,
        };
        let person = a.anaphoric || a.entity.is_some_and(|e| self.is_person(e));
        person.then_some(a)
    }

    /// Pattern 3: an unattributed quote opening a paragraph, after quotes of two speakers
    /// in the two paragraphs before (one each), is the reply of the one before last.
    fn reply(&self, other: Option<&Said>, previous: Option<&Said>, outer: Span) -> Option<Said> {
        let (a, b) = (other?, previous?);
        let opens_paragraph = |s: Span| {
            let line = self.layout.paragraph_start(s.start);
            self.text[line..s.start].trim().is_empty() || self.ends_with_colon(line, s.start)
        };
        let consecutive = |x: Span, y: Span| self.layout.breaks(x.end, y.start) == 1;
        // A turn of an interview: the quote is its paragraph, after at most a short label
        // ("Reed asked:"), with nothing after it.
        let turn = |x: Span| {
            let end = self.layout.paragraph_end(x.end);
            opens_paragraph(x) && self.text[x.end..end].trim().is_empty()
        };
        (opens_paragraph(outer)
            && consecutive(a.outer, b.outer)
            && consecutive(b.outer, outer)
            && turn(a.outer)
            && turn(b.outer)
            && !a.same_speaker(b)
            && !self.person_between(b.outer.end, outer.start, None))
        .then_some(*a)
    }

    /// Whether `text[from..to]` is a short speaker label ending in a colon ("Reed:").
    fn ends_with_colon(&self, from: usize, to: usize) -> bool {
        let s = self.text[from..to].trim_end();
        s.ends_with(':') && s.split_whitespace().count() <= 8
    }

    /// Pattern 4: whether an unattributed quotation continues the previous speaker. Persons
    /// named in the rest of the attribution's own sentence (`said Paul Begala, who was an
    /// adviser to Bill Clinton.`) describe the speaker and do not interrupt.
    fn continues(&self, prev: &Said, outer: Span) -> bool {
        let between = Span::new(prev.outer.end, outer.start);
        let speaker = prev.attribution.speaker;
        let from = if speaker.start >= between.start {
            self.analysis
                .sentence_at(speaker.start)
                .map_or(between.start, |s| self.analysis.sentences[s].span.end)
                .clamp(between.start, between.end)
        } else {
            between.start
        };
        self.layout.breaks(between.start, between.end) <= 1
            && !self.person_between(from, between.end, Some(prev))
    }

    /// Whether a partial quote resumes the sentence of the quote before it after a comma
    /// attribution (`“It strikes me odd,” said the Illinois Democrat, “that the number …”`):
    /// nothing but the attribution and a comma lies between.
    fn resumes(&self, prev: &Said, outer: Span) -> bool {
        let attribution = prev.attribution.speaker;
        let end = prev
            .attribution
            .cue
            .map_or(attribution.end, |c| c.end.max(attribution.end));
        attribution.start >= prev.outer.end
            && end <= outer.start
            && self.text[end..outer.start].trim() == ","
    }

    /// Whether a person other than `speaker` is named between two byte offsets. Entities
    /// are in text order: only those from `from` on are looked at.
    fn person_between(&self, from: usize, to: usize, speaker: Option<&Said>) -> bool {
        let entities = &self.analysis.entities;
        let first = entities.partition_point(|e| e.span.start < from);
        entities[first..]
            .iter()
            .take_while(|entity| entity.span.end <= to)
            .enumerate()
            .any(|(i, _)| {
                let e = first + i;
                self.is_person(e)
                    && speaker.is_none_or(|s| {
                        Some(e) != s.attribution.entity
                            && (s.cluster.is_none() || self.cluster_of[e] != s.cluster)
                    })
            })
    }

    /// Pattern 5: a quotation opening a sentence is spoken by the subject of the sentence
    /// before it ("Ortiz sounded hopeful. “…”"), in its paragraph or the one before.
    fn previous_subject(&self, outer: Span) -> Option<Attribution> {
        let first_inside = self.token_from(outer.start);
        let p = first_inside.checked_sub(1)?;
        let w = self.word(p);
        let ends =
            matches!(w, "." | "!" | "?" | "\"" | "\u{201D}" | ":") || w.ends_with(['.', '!', '?']);
        if !ends
            || self
                .layout
                .breaks(self.analysis.tokens[p].span.end, outer.start)
                > 1
        {
            return None;
        }
        let sentence = self
            .analysis
            .sentence_at(self.analysis.tokens[p].span.start)?;
        self.subject_attribution(sentence, outer.start, None)
    }

    /// The subject of `sentence` (before byte `before`) as an attribution: a person, or
    /// he/she standing for one.
    fn subject_attribution(
        &self,
        sentence: usize,
        before: usize,
        cue: Option<Span>,
    ) -> Option<Attribution> {
        match self.subject(sentence, before) {
            Subject::Entity(e) if self.is_person(e) => Some(self.named(e, cue)),
            // An organisation speaks only as the subject of a speech verb ("the Cabinet
            // Office said it was reviewing the scheme").
            Subject::Entity(e) if self.is_cue(self.token_after(e).min(self.last_token())) => {
                Some(self.named(e, cue))
            }
            Subject::Pronoun(k) => Some(Attribution {
                speaker: self.span(k, k),
                entity: None,
                anaphoric: true,
                cue,
            }),
            _ => None,
        }
    }

    /// What stands at the start of `sentence`, before byte `before`: the first person or
    /// organisation before any clause word, preposition or verb, after sentence openers
    /// ("But", "However,") and an introductory phrase ("After the vote,").
    fn subject(&self, sentence: usize, before: usize) -> Subject {
        let range = self.analysis.sentences[sentence].tokens.clone();
        // No token search when the whole sentence lies before `before` (a pronoun's look-back).
        let end = if self.analysis.sentences[sentence].span.end <= before {
            range.end
        } else {
            range.end.min(self.token_from(before))
        };
        if end == range.end {
            if let Some(e) = self.inverted_speaker(range.clone()) {
                return Subject::Entity(e);
            }
        }
        let mut k = range.start;
        // Skip quotations and openers at the start ("“…,” he said. But …" has its own).
        while k < end {
            // A quotation is passed over whole, not one token and search at a time.
            if let Some(q) = self.quote_at(self.analysis.tokens[k].span.start) {
                k = self.token_from(q.end).max(k + 1);
            } else if self.is_in(k, &OPENER_SET) || self.word(k) == "," {
                k += 1;
            } else {
                break;
            }
        }
        if k < end && self.is_in(k, &INTRODUCTION_SET) {
            match (k..end).find(|&j| self.word(j) == ",") {
                Some(comma) => k = comma + 1,
                None => return Subject::Unknown,
            }
        }
        if k >= end {
            return Subject::Unknown;
        }
        if words::subject_gender(self.word(k)).is_some() {
            return Subject::Pronoun(k);
        }
        // Not "one": at a sentence's start it is mostly partitive ("One of the Guildford
        // Four, Gerry Conlon, said"), the name following.
        if self.is(k, &["a", "an"]) {
            return Subject::Other;
        }
        if self.untagged_name(k) {
            return Subject::Other; // a person, but one we cannot link
        }
        // Entities are in text order: walked alongside the tokens, not searched for at each
        // one (what `entity_starting` would find).
        let entities = &self.analysis.entities;
        let mut next =
            entities.partition_point(|e| e.span.start < self.analysis.tokens[k].span.start);
        for j in k..end.min(k + SUBJECT_REACH) {
            let at = self.analysis.tokens[j].span.start;
            while entities.get(next).is_some_and(|e| e.span.start < at) {
                next += 1;
            }
            let starting = entities.get(next).is_some_and(|e| e.span.start == at);
            if let Some(e) = starting.then_some(next) {
                let after = self.token_after(e);
                if self.is_possessive(after) {
                    if self.is_person(e) {
                        return Subject::Other; // "Blair's spokesman said"
                    }
                    continue; // "Labour's Mr Livingstone said"
                }
                // "The Reagan administration", "the Nakasone cabinet": a name after "the"
                // modifies the noun that follows; it is not the subject.
                if j > 0 && self.is(j - 1, &["the"]) && self.entity(e).label == Label::Per {
                    continue;
                }
                let label = &self.entity(e).label;
                // "The chairman of the Bar Council, Guy Mansfield": an organisation in a
                // description of the subject, not the subject.
                let in_description = *label == Label::Org
                    && ((after < end && self.word(after) == ",")
                        || (j > k && self.is(j - 1, &["of", "for"])));
                if self.is_person(e) || (*label == Label::Org && !in_description) {
                    return Subject::Entity(e);
                }
            }
            let w = self.word(j);
            let lower = w.chars().next().is_some_and(char::is_lowercase);
            if (self.is_break(j) && w != ",")
                || self.is_cue(j)
                || (lower
                    && (self.is_in(j, &NOT_SUBJECT_SET) || (w.len() > 4 && w.ends_with("ed"))))
            {
                return Subject::Unknown;
            }
        }
        Subject::Unknown
    }

    /// Whether token `k` opens a person's name the tagger missed ("Theresa May, shadow
    /// secretary, told …"): a census first name, capitalised, followed by a capitalised
    /// word, with no entity starting there. A pronoun after it stands for that person, not
    /// for the one named before.
    fn untagged_name(&self, k: usize) -> bool {
        let w = self.word(k);
        k + 1 < self.analysis.tokens.len()
            && w.chars().next().is_some_and(char::is_uppercase)
            && self
                .word(k + 1)
                .chars()
                .next()
                .is_some_and(char::is_uppercase)
            && self.entity_starting(k).is_none()
            // "Tory MP Peter Luff": a word before a title and a name is no first name.
            && !self.word(k + 1).chars().all(|c| c.is_uppercase())
            && words::title_gender(self.word(k + 1)).is_none()
            && (k + 2 >= self.analysis.tokens.len() || self.ends_name(k + 2))
            && !self.is_in(k, &DETERMINER_SET)
            // "Mr Blair", "Sen. Dole": a title before a tagged name.
            && words::title_gender(w).is_none()
            && self.entity_starting(k + 1).is_none()
            // Last: a census look-up costs thousands of instructions (callgrind).
            && words::name_gender(w) != Gender::Unknown
    }

    /// Whether token `k` can follow a two-word name: a break or a lowercase word ("Theresa
    /// May, shadow secretary", "Theresa May said"), not a third capitalised word.
    fn ends_name(&self, k: usize) -> bool {
        self.is_break(k) || self.word(k).chars().next().is_some_and(char::is_lowercase)
    }

    /// [`Context::subject`], remembered for a sentence that ends before byte `before` (whose
    /// subject does not depend on it).
    fn whole_subject(&self, sentence: usize, before: usize) -> Subject {
        let memo = self
            .sentence_subject
            .get(sentence)
            .filter(|_| self.analysis.sentences[sentence].span.end <= before);
        if let Some(s) = memo.and_then(std::cell::Cell::get) {
            return s;
        }
        let s = self.subject(sentence, before);
        if let Some(m) = memo {
            m.set(Some(s));
        }
        s
    }

    /// The speaker of a sentence that ends in an inverted attribution ("…, argued Mr
    /// Howard."): the person right after a comma and a speech verb at its end; or of one
    /// that ends in a reporter's attribution ("…, Sato said.", "…, the president said."),
    /// whose speaker is what a "he" after it most likely stands for, not a name in the
    /// reported words.
    fn inverted_speaker(&self, range: std::ops::Range<usize>) -> Option<usize> {
        let mut last = range.end.checked_sub(1)?;
        while last > range.start && self.is_break(last) {
            last -= 1;
        }
        if last > range.start + 2 && self.is(last, &["said", "says"]) {
            return self.reporters_attribution(range.start, last);
        }
        let e = self.entity_ending(last)?;
        if !self.is_person(e) {
            return None;
        }
        let mut k = self.token_from(self.entity(e).span.start).checked_sub(1)?;
        if k > range.start && words::title_gender(self.word(k)).is_some() {
            k -= 1;
        }
        (k > range.start && self.is_cue(k) && self.word(k - 1) == ",").then_some(e)
    }

    /// The person of `…, Sato said.` or `…, the president said.` (a role linked to the
    /// person named last before it), the verb at token `verb`, the sentence from `first`.
    fn reporters_attribution(&self, first: usize, verb: usize) -> Option<usize> {
        let k = verb - 1;
        if let Some(e) = self.entity_ending(k).filter(|&e| self.is_name(e)) {
            // A title may stand between ("…, Deputy Secretary of State John Whitehead said.").
            let mut b = self.token_from(self.entity(e).span.start).checked_sub(1)?;
            let lowest = b.saturating_sub(6).max(first + 1);
            while b > lowest
                && (self.is(b, &["of", "for"])
                    || self.word(b).chars().next().is_some_and(char::is_uppercase))
            {
                b -= 1;
            }
            return (b > first && self.word(b) == ",").then_some(e);
        }
        if !is_person_noun(self.word(k)) {
            return None;
        }
        let the = (k.saturating_sub(2).max(first)..k).find(|&d| self.is(d, &["the"]))?;
        if the <= first || self.word(the - 1) != "," || (the + 1..k).any(|j| self.is_break(j)) {
            return None;
        }
        let at = self.analysis.tokens[the].span.start;
        let floor = self.sentence_floor(at, REFERENT_SENTENCES);
        self.last_person_entity(floor, at, noun_gender(self.word(k)))
    }

    /// The gender a title before any of these mentions gives, `Unknown` without one.
    fn title_of(&self, mentions: &[usize]) -> Gender {
        mentions
            .iter()
            .find_map(|&m| {
                let t = self.token_from(self.entity(m).span.start);
                t.checked_sub(1)
                    .and_then(|p| words::title_gender(self.word(p)))
                    // "Sen. Dole" says no gender; another mention's "Mr Dole" may.
                    .filter(|g| *g != Gender::Unknown)
            })
            .unwrap_or(Gender::Unknown)
    }

    /// The cluster an attribution's speaker belongs to.
    fn cluster(&self, a: &Attribution, quote_start: usize) -> Option<usize> {
        if let Some(e) = a.entity {
            return self.cluster_of.get(e).copied().flatten();
        }
        if !a.anaphoric {
            return None;
        }
        let word = a.speaker.slice(self.text);
        let at = a.speaker.start.min(quote_start);
        match words::pronoun_gender(word) {
            Some(gender) => self.referent(at, gender),
            // "the prime minister" names a role, often of the person just mentioned in
            // passing ("even if Mr Blair asked. Later the prime minister said"), not the
            // subject before.
            None => {
                let floor = self.sentence_floor(at, REFERENT_SENTENCES);
                if self.introduced_unnamed(floor, a.speaker) {
                    return None;
                }
                self.titled_person(floor, a.speaker)
                    .or_else(|| self.last_person(floor, at, noun_gender(word)))
            }
        }
    }

    /// Whether the head noun of a definite description (`the diplomat`) was brought in by
    /// an indefinite one between byte `from` and the description ("Another diplomat said
    /// …"): then it is that unnamed person, not whoever was named last.
    fn introduced_unnamed(&self, from: usize, description: Span) -> bool {
        let head = description
            .slice(self.text)
            .rsplit(' ')
            .next()
            .unwrap_or("");
        // The text searched first: the token walk is paid only where the noun occurs.
        let before = self.text.get(from..description.start).unwrap_or("");
        if head.is_empty() || !before.contains(head) {
            return false;
        }
        let (first, end) = (self.token_from(from), self.token_from(description.start));
        (first..end).any(|k| {
            self.word(k).eq_ignore_ascii_case(head)
                && !self.in_quote(self.analysis.tokens[k].span.start)
                && (k.saturating_sub(3).max(first)..k)
                    .rev()
                    .take_while(|&d| !self.is_break(d))
                    .any(|d| self.is_in(d, &INDEFINITE_SET))
        })
    }

    /// The cluster of the last person named with a one-word description's noun as a
    /// lowercase title between byte `from` and the description ("White House spokesman
    /// Marlin Fitzwater" for "the spokesman"): firmer than the last person named, who may be
    /// the subject of the reported words ("that Reagan would …"). Longer descriptions and
    /// capitalised titles are left out: "the prime minister" is not "Deputy Prime Minister
    /// John Prescott", nor "the French president" "President Bush".
    fn titled_person(&self, from: usize, description: Span) -> Option<usize> {
        let mut words = description.slice(self.text).split_whitespace();
        let (_, head) = (words.next()?, words.next()?);
        if words.next().is_some() || !head.starts_with(|c: char| c.is_lowercase()) {
            return None;
        }
        let entities = &self.analysis.entities;
        let end = entities.partition_point(|e| e.span.end <= description.start);
        (0..end)
            .rev()
            .take_while(|&e| entities[e].span.start >= from)
            .find(|&e| {
                let k = self.token_from(entities[e].span.start);
                self.is_person(e)
                    && k > 0
                    && self.word(k - 1) == head
                    && !self.in_quote(entities[e].span.start)
            })
            .and_then(|e| self.cluster_of[e])
    }

    /// The cluster of the person a pronoun at byte `at` refers to: the subject of the
    /// nearest sentence before whose subject is a person of that gender; sentences whose
    /// subject is he/she continue the same referent and are passed over (their names are
    /// objects). Failing a subject, the first such person named in the sentence outside a
    /// prepositional phrase; failing that, the last one named before.
    fn referent(&self, at: usize, gender: Gender) -> Option<usize> {
        let sentences = &self.analysis.sentences;
        let here = sentences.partition_point(|s| s.span.end <= at);
        let top = here.min(sentences.len().checked_sub(1)?);
        let mut counted = 0;
        let mut lowest = top;
        for s in (top.saturating_sub(MAX_REFERENT_SENTENCES)..=top).rev() {
            lowest = s;
            if s == here && sentences[s].span.start >= at {
                continue;
            }
            match self.whole_subject(s, at) {
                Subject::Entity(e) if self.is_person(e) && self.gender(e).agrees(gender) => {
                    return self.cluster_of[e];
                }
                Subject::Other => return None,
                Subject::Pronoun(_) => continue,
                // The nearest subject is a person of the other gender: a referent in its
                // own sentence is read ("Mr Smith met Mrs Jones. She said"), one further
                // back is a guess past the person the story is about.
                Subject::Entity(e) if self.is_person(e) => {
                    return self.person_in(s, at, gender);
                }
                Subject::Entity(_) | Subject::Unknown => {
                    if let Some(c) = self.person_in(s, at, gender) {
                        return Some(c);
                    }
                }
            }
            counted += 1;
            if counted >= REFERENT_SENTENCES {
                break;
            }
        }
        self.last_person(sentences[lowest].span.start, at, gender)
    }

    /// Where the sentence `back` sentences before the one at byte `at` starts.
    fn sentence_floor(&self, at: usize, back: usize) -> usize {
        let sentences = &self.analysis.sentences;
        let here = sentences.partition_point(|s| s.span.end <= at);
        sentences
            .get(here.saturating_sub(back))
            .map_or(0, |s| s.span.start)
    }

    /// The cluster of the last person of `gender` named between two byte offsets, outside
    /// quotes.
    fn last_person(&self, from: usize, at: usize, gender: Gender) -> Option<usize> {
        self.last_person_entity(from, at, gender)
            .and_then(|e| self.cluster_of[e])
    }

    /// The last person of `gender` named between two byte offsets, outside quotes.
    fn last_person_entity(&self, from: usize, at: usize, gender: Gender) -> Option<usize> {
        let entities = &self.analysis.entities;
        let end = entities.partition_point(|e| e.span.end <= at);
        (0..end)
            .rev()
            .take_while(|&e| entities[e].span.start >= from)
            .find(|&e| {
                self.is_person(e)
                    && !self.in_quote(entities[e].span.start)
                    && self.gender(e).agrees(gender)
            })
    }

    /// The cluster of the first person of `gender` named in `sentence` before byte `at`,
    /// outside quotes, not as an owner and not after a preposition ("proposed by Lord
    /// Dubs").
    fn person_in(&self, sentence: usize, at: usize, gender: Gender) -> Option<usize> {
        let span = self.analysis.sentences[sentence].span;
        let entities = &self.analysis.entities;
        let first = entities.partition_point(|e| e.span.start < span.start);
        let after_preposition = |e: usize| {
            let mut k = self.token_from(entities[e].span.start);
            if k > 0 && words::title_gender(self.word(k - 1)).is_some() {
                k -= 1;
            }
            k > 0 && self.is_in(k - 1, &PREPOSITION_SET)
        };
        (first..entities.len())
            .take_while(|&e| entities[e].span.end <= span.end.min(at))
            .find(|&e| {
                self.is_person(e)
                    && !self.in_quote(entities[e].span.start)
                    && !self.is_possessive(self.token_after(e))
                    && !after_preposition(e)
                    && self.gender(e).agrees(gender)
            })
            .and_then(|e| self.cluster_of[e])
    }

    /// A person's gender from a title before any mention ("Mrs Maguire") or the first word
    /// of the entity or of its cluster's fullest name.
    fn gender(&self, e: usize) -> Gender {
        let titled = match self.cluster_of[e] {
            Some(c) => match self.cluster_gender.get(c).and_then(std::cell::Cell::get) {
                Some(g) => g,
                None => {
                    let g = self.title_of(&self.analysis.clusters[c].mentions);
                    if let Some(m) = self.cluster_gender.get(c) {
                        m.set(Some(g));
                    }
                    g
                }
            },
            None => self.title_of(std::slice::from_ref(&e)),
        };
        if titled != Gender::Unknown {
            return titled;
        }
        let memo = self.entity_name_gender.get(e);
        if let Some(g) = memo.and_then(std::cell::Cell::get) {
            return g;
        }
        // A first name only before another word: a name alone is mostly a surname
        // ("Reagan", "Kennedy", which the census lists also hold as first names).
        let first_word = |s: &str| {
            let mut words = s.split_whitespace();
            let w = words.next()?;
            if let Some(g) = words::title_gender(w) {
                return Some(g);
            }
            words.next()?;
            Some(words::name_gender(w))
        };
        let named = first_word(self.entity(e).span.slice(self.text))
            .filter(|g| *g != Gender::Unknown)
            .or_else(|| {
                self.cluster_of[e].and_then(|c| first_word(&self.analysis.clusters[c].canonical))
            })
            .unwrap_or(Gender::Unknown);
        if let Some(m) = memo {
            m.set(Some(named));
        }
        named
    }
}

/// The gender a role noun implies ("the spokeswoman"), for linking it to a person.
fn noun_gender(phrase: &str) -> Gender {
    let last = phrase.rsplit(' ').next().unwrap_or("");
    if [
        "spokeswoman",
        "chairwoman",
        "woman",
        "queen",
        "princess",
        "actress",
    ]
    .iter()
    .any(|n| last.eq_ignore_ascii_case(n))
    {
        Gender::Female
    } else if ["spokesman", "chairman", "man", "king", "prince"]
        .iter()
        .any(|n| last.eq_ignore_ascii_case(n))
    {
        Gender::Male
    } else {
        Gender::Unknown
    }
}

/// Nouns that name a person's role, for linking "the minister" to the last person named.
fn is_person_noun(word: &str) -> bool {
    const NOUNS: &[&str] = &[
        "minister",
        "president",
        "secretary",
        "spokesman",
        "spokeswoman",
        "spokesperson",
        "chancellor",
        "leader",
        "chief",
        "premier",
        "senator",
        "governor",
        "mayor",
        "ambassador",
        "diplomat",
        "official",
        "executive",
        "chairman",
        "chairwoman",
        "director",
        "manager",
        "coach",
        "king",
        "queen",
        "prince",
        "princess",
        "envoy",
        "general",
        "commander",
        "judge",
        "lawyer",
        "attorney",
        "prosecutor",
        "candidate",
        "star",
        "actor",
        "actress",
        "singer",
        "player",
        "striker",
        "author",
        "economist",
        "analyst",
        "professor",
        "man",
        "woman",
        "founder",
        "ceo",
        "boss",
        // US coverage names a politician by party after the name ("said the Illinois
        // Democrat", "the Kansas Republican").
        "democrat",
        "republican",
        "congressman",
        "congresswoman",
        "lawmaker",
    ];
    NOUNS.iter().any(|n| word.eq_ignore_ascii_case(n))
}

/// Whether a word after "said" opens a reported clause ("said the inquiry was …").
fn is_clause_start(word: &str) -> bool {
    [
        "the", "a", "an", "that", "it", "he", "she", "they", "there", "this", "his", "her", "its",
    ]
    .iter()
    .any(|w| word.eq_ignore_ascii_case(w))
}

/// Whether a quotation is a fragment of the reporter's sentence, a scare quote or a title
/// rather than the speaker's own sentences: it starts in lowercase, or it is short and ends
/// without punctuation ("desperate", "Work of God").
fn is_partial(inner: &str) -> bool {
    let lower_start = inner
        .chars()
        .find(|c| c.is_alphanumeric())
        .is_some_and(char::is_lowercase);
    // A long quotation may close without punctuation (“… where we are” Blinken said).
    lower_start || (!ends_like_a_sentence(inner) && inner.split_whitespace().count() < 5)
}

/// Whether a quotation is a title inside the reporter's sentence (`on the NBC program “Meet
/// the Press,” the senator said`, `told “CBS This Morning” co-host …`): two to six words,
/// every one longer than three letters capitalised, after a word or a comma rather than
/// opening a sentence. Quoted speech opening mid-sentence starts with a capital too, but
/// does not capitalise its every word.
fn is_title(text: &str, q: &marks::Quoted) -> bool {
    // The cheap test of what stands before the quote first: most quotations open a
    // sentence or follow a colon, and their words need no look (callgrind, issue 18).
    let before = text[..q.outer.start].trim_end_matches([' ', '\t', '\u{00A0}']);
    if !before
        .chars()
        .next_back()
        .is_some_and(|c| c.is_alphanumeric() || c == ',')
    {
        return false;
    }
    let inner = q.inner.slice(text);
    let mut words = 0;
    for w in inner.split_whitespace() {
        words += 1;
        let w = w.trim_matches(|c: char| !c.is_alphanumeric());
        let first = w.chars().next();
        let capital = first.is_some_and(|c| c.is_uppercase() || c.is_ascii_digit());
        if words > 6 || (!capital && (words == 1 || w.chars().count() > 3)) {
            return false;
        }
    }
    words >= 2
}

/// Whether quoted words end in punctuation that closes a sentence or a clause.
fn ends_like_a_sentence(inner: &str) -> bool {
    inner.trim_end().ends_with([
        '.', ',', '?', '!', '\u{2026}', ':', ';', '\u{3002}', '\u{FF01}', '\u{FF1F}',
    ])
}

/// Keeps a quotation with no speaker, if its words read like speech (else it is a scare
/// quote or a title, and goes).
fn keep_unattributed(quotes: &mut Vec<Quote>, span: Span, inner: &str) {
    if reads_like_speech(inner) {
        quotes.push(Quote {
            span,
            speaker: None,
            speaker_cluster: None,
            cue: None,
        });
    }
}

/// Whether an unattributed quotation reads like reported speech rather than a scare quote
/// or a title: four words or more and sentence punctuation.
fn reads_like_speech(inner: &str) -> bool {
    // Cheapest test first, and words counted only up to four: this runs on every
    // unattributed quotation (callgrind, issue 18).
    ends_like_a_sentence(inner)
        && (inner.split_whitespace().nth(3).is_some()
            // Scripts without spaces (Chinese, Japanese) have no words to count.
            || inner
                .chars()
                .any(|c| ('\u{3040}'..='\u{9FFF}').contains(&c)))
}

/// Whether a quotation found by marks alone (no cues for the language) is reported speech
/// though its words do not end a sentence: German and French put the comma of an
/// attribution outside the marks (`„Wir kommen“, sagte er`, `« On verra », a-t-il dit`),
/// Japanese closes with the particle と (`「明日来る」と述べた`). The quotation must
/// stand as a clause of its own (opening a sentence or after a colon, and followed by
/// punctuation), or, in CJK text, be followed by と other than in `という` (a name or
/// title, "called …"). Two words at least, so a one-word label is left out.
fn stands_as_speech(text: &str, q: &marks::Quoted) -> bool {
    let inner = q.inner.slice(text);
    let unspaced = inner
        .chars()
        .any(|c| ('\u{3040}'..='\u{9FFF}').contains(&c));
    if unspaced {
        let after = &text[q.outer.end..];
        if after.starts_with('\u{3068}')
            && ![
                "\u{3068}\u{3044}\u{3046}",
                "\u{3068}\u{3044}\u{3063}",
                "\u{3068}\u{3057}\u{3066}",
            ]
            .iter()
            .any(|p| after.starts_with(p))
        {
            return true;
        }
    } else if inner.split_whitespace().count() < 2 {
        return false;
    }
    let before = text[..q.outer.start].trim_end_matches([' ', '\t', '\u{00A0}', '\u{202F}']);
    let opens_clause = before.is_empty()
        || before.ends_with([
            '\n', '.', '!', '?', ':', '\u{FF1A}', '\u{3002}', '\u{FF01}', '\u{FF1F}',
        ]);
    let after = text[q.outer.end..].trim_start_matches([' ', '\u{00A0}', '\u{202F}']);
    let closes_clause = after.is_empty()
        || after.starts_with([
            ',', '.', '!', '?', ';', ':', '\n', '\u{3001}', '\u{3002}', '\u{FF0C}', '\u{FF01}',
            '\u{FF1F}',
        ]);
    opens_clause && closes_clause
}

#[cfg(test)]
mod tests;
