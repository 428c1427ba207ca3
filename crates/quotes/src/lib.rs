//! Direct quotations and their speakers.
//!
//! Layout:
//! - `marks`: where quotations open and close (curly or straight double marks, over
//!   paragraphs).
//! - [`QuoteFinder`]: attributes each quotation to a speaker through the patterns news
//!   uses, and links the speaker to an entity cluster.
//!
//! Attribution, tried in this order for each quotation:
//! 1. after it, in its sentence: `“…,” Lavrov said` / `“…,” said Lavrov` /
//!    `“…,” said the minister, who …` / `“…,” according to Lavrov`;
//! 2. before it, ending in `:` or `,`: `Blinken said: “…”` / `Lavrov … and said, “…”`
//!    (the sentence's first person is the subject when the verb has none of its own);
//! 3. a quotation with no attribution of its own right after an attributed one, in the same
//!    or the next paragraph with no other person named between, continues that speaker.
//!
//! The speaker is the named entity when the attribution names one; a pronoun (he, she) or
//! a definite description of a person ("the minister") is linked to the person mentioned
//! last before the quotation. Unattributed quotations are kept only when they read like
//! speech (four words or more with sentence punctuation), which leaves out scare quotes
//! and titles. Single quotation marks are not read: in English news they are nested
//! quotes or apostrophes far more often than quotations.
//!
//! Runs after entity resolution (it reads the clusters). Pure: no I/O, never fails.

mod marks;
mod words;

use article::{Analysis, Entity, Label, Quote, Span};

/// Adverbs allowed between a speaker and the verb ("Lavrov later said").
const ADVERBS: &[&str] = &["later", "then", "also", "again", "earlier", "once", "often"];

/// Pronouns that can name a speaker; `he` and `she` are linked to a person.
const PRONOUNS: &[&str] = &["he", "she", "they", "we", "i", "it"];

/// Words that start a description of a speaker ("the minister", "a spokesman").
const DETERMINERS: &[&str] = &["the", "a", "an", "his", "her", "its", "their", "our"];

/// Words that end a speaker phrase after the verb ("said the minister, who …").
const PHRASE_ENDS: &[&str] = &[
    "who", "which", "that", "on", "in", "at", "after", "as", "when", "during", "to", "from",
    "while", "adding", "before", "with", "of", "and", "but", "for", "by",
];

/// How far from the quotation an attribution may stand, in tokens.
const WINDOW: usize = 12;

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
    cue: Span,
}

/// Read-only views of the analysis that the patterns need.
struct Context<'a> {
    text: &'a str,
    analysis: &'a Analysis,
}

impl QuoteFinder {
    /// A finder with the built-in speech verbs.
    pub fn new() -> Self {
        Self
    }

    /// Fills `analysis.quotes` (replacing any there). Reads sentences, tokens, entities and
    /// clusters, so run it after tagging and resolution.
    pub fn find(&self, text: &str, analysis: &mut Analysis) {
        let found = marks::quotations(text);
        if found.is_empty() {
            analysis.quotes.clear();
            return;
        }
        let cx = Context { text, analysis };
        let cluster_of = analysis.entity_clusters();
        let mut quotes: Vec<Quote> = Vec::with_capacity(found.len());
        let mut previous: Option<(Span, Attribution)> = None;
        for q in found {
            let own = cx.after(q.outer).or_else(|| cx.before(q.outer));
            let attribution = own.or_else(|| {
                let (prev_outer, prev) = previous?;
                cx.continues(prev_outer, &prev, q.outer, &cluster_of)
                    .then_some(prev)
            });
            let Some(a) = attribution else {
                if reads_like_speech(q.inner.slice(text)) {
                    quotes.push(Quote {
                        span: q.inner,
                        speaker: None,
                        speaker_cluster: None,
                        cue: None,
                    });
                }
                previous = None;
                continue;
            };
            let speaker_cluster = match a.entity {
                Some(e) => cluster_of.get(e).copied().flatten(),
                None if a.anaphoric => {
                    cx.last_person_before(a.speaker.start.min(q.outer.start), &cluster_of)
                }
                None => None,
            };
            quotes.push(Quote {
                span: q.inner,
                speaker: Some(a.speaker),
                speaker_cluster,
                cue: own.map(|a| a.cue),
            });
            previous = Some((q.outer, a));
        }
        analysis.quotes = quotes;
    }
}

impl Context<'_> {
    fn word(&self, i: usize) -> &str {
        self.analysis.tokens[i].span.slice(self.text)
    }

    fn is(&self, i: usize, list: &[&str]) -> bool {
        let w = self.word(i);
        list.iter().any(|x| w.eq_ignore_ascii_case(x))
    }

    fn is_cue(&self, i: usize) -> bool {
        words::is_speech_verb(self.word(i))
    }

    /// Whether token `i` ends a clause: punctuation other than a hyphen or apostrophe.
    fn is_break(&self, i: usize) -> bool {
        let w = self.word(i);
        !w.is_empty()
            && w.chars()
                .all(|c| c.is_ascii_punctuation() || c == '\u{201C}' || c == '\u{201D}')
            && w != "-"
            && w != "'"
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

    /// Whether a paragraph break lies between two byte offsets.
    fn paragraph_between(&self, from: usize, to: usize) -> bool {
        self.text
            .get(from..to.max(from))
            .is_some_and(|s| s.contains('\n'))
    }

    fn span(&self, first: usize, last: usize) -> Span {
        let t = &self.analysis.tokens;
        Span::new(t[first].span.start, t[last].span.end)
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
        // `Lavrov said` / `he said` / `the minister said` / `Foreign Minister Sergey
        // Lavrov later said`: the verb within a few tokens, nothing but a name before it.
        let mut j = i;
        while j < end && j < i + 7 && !self.is_cue(j) {
            if self.is_break(j) || self.paragraph_between(tokens[i].span.start, tokens[j].span.end)
            {
                return None;
            }
            j += 1;
        }
        if j >= end || j == i || !self.is_cue(j) || self.word(j).eq_ignore_ascii_case("according") {
            return None;
        }
        let mut last = j - 1;
        if last > i && self.is(last, ADVERBS) {
            last -= 1;
        }
        self.speaker_phrase(i, last, self.analysis.tokens[j].span)
    }

    /// The speaker named after the verb: tokens from `from` up to a comma, a relative
    /// pronoun or a preposition.
    fn phrase_after_cue(&self, from: usize, end: usize, cue: Span) -> Option<Attribution> {
        let mut last = None;
        for k in from..end.min(from + 8) {
            if self.is_break(k) || (k > from && self.is(k, PHRASE_ENDS)) {
                break;
            }
            last = Some(k);
        }
        self.speaker_phrase(from, last?, cue)
    }

    /// Reads tokens `first..=last` as a speaker: the last person named in them, else an
    /// organisation, else a pronoun, else a description starting with a determiner or a
    /// capital.
    fn speaker_phrase(&self, first: usize, last: usize, cue: Span) -> Option<Attribution> {
        let named = |labels: &[Label]| {
            (first..=last).rev().find_map(|k| {
                let e = self.entity_ending(k)?;
                let start = self.entity(e).span.start;
                (start >= self.analysis.tokens[first].span.start
                    && labels.contains(&self.entity(e).label))
                .then_some(e)
            })
        };
        if let Some(e) = named(&[Label::Per]).or_else(|| named(&[Label::Org])) {
            return Some(Attribution {
                speaker: self.entity(e).span,
                entity: Some(e),
                anaphoric: false,
                cue,
            });
        }
        if first == last && self.is(first, PRONOUNS) {
            let w = self.word(first);
            let person = w.eq_ignore_ascii_case("he") || w.eq_ignore_ascii_case("she");
            return Some(Attribution {
                speaker: self.span(first, first),
                entity: None,
                anaphoric: person,
                cue,
            });
        }
        let starts_description = self.is(first, DETERMINERS)
            || self
                .word(first)
                .chars()
                .next()
                .is_some_and(char::is_uppercase);
        if !starts_description || last - first > 5 {
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
            _ if self.is_cue(p) => p,
            _ => return None,
        };
        let sentence = self
            .analysis
            .sentence_at(self.analysis.tokens[c].span.start)?;
        let sentence_start = self.analysis.sentences[sentence].tokens.start;
        // The nearest speech verb back from the mark, within the sentence.
        let lowest = c.saturating_sub(WINDOW).max(sentence_start);
        let cue = (lowest..=c)
            .rev()
            .find(|&k| self.is_cue(k) && !self.is(k, &["according"]))?;
        let verb = self.analysis.tokens[cue].span;
        if cue > sentence_start {
            let mut last = cue - 1;
            if last > sentence_start && self.is(last, ADVERBS) {
                last -= 1;
            }
            // The verb's own subject right before it: a name, a pronoun, a description.
            if let Some(e) = self.entity_ending(last) {
                return Some(Attribution {
                    speaker: self.entity(e).span,
                    entity: Some(e),
                    anaphoric: false,
                    cue: verb,
                });
            }
            if self.is(last, PRONOUNS) {
                return self.speaker_phrase(last, last, verb);
            }
            if let Some(d) = (last.saturating_sub(4).max(sentence_start)..=last)
                .find(|&k| self.is(k, DETERMINERS))
            {
                if !(d..=last).any(|k| self.is_break(k) || self.is(k, PHRASE_ENDS)) {
                    return self.speaker_phrase(d, last, verb);
                }
            }
        }
        // "Lavrov thanked Blinken …, and said, “…”": the verb shares the sentence's subject,
        // its first person (or he/she).
        (sentence_start..cue).find_map(|k| {
            if let Some(e) = self
                .entity_starting(k)
                .filter(|&e| self.entity(e).label == Label::Per)
            {
                return Some(Attribution {
                    speaker: self.entity(e).span,
                    entity: Some(e),
                    anaphoric: false,
                    cue: verb,
                });
            }
            self.is(k, &["he", "she"]).then(|| Attribution {
                speaker: self.span(k, k),
                entity: None,
                anaphoric: true,
                cue: verb,
            })
        })
    }

    /// Pattern 3: whether an unattributed quotation continues the previous speaker.
    fn continues(
        &self,
        prev_outer: Span,
        prev: &Attribution,
        outer: Span,
        cluster_of: &[Option<usize>],
    ) -> bool {
        let between = Span::new(prev_outer.end, outer.start);
        if paragraph_breaks(between.slice(self.text)) > 1 {
            return false;
        }
        let speaker_cluster = prev
            .entity
            .and_then(|e| cluster_of.get(e).copied().flatten());
        // Another person named in between makes the continuation doubtful. Entities are in
        // text order: only those from the previous quote's end on are looked at.
        let entities = &self.analysis.entities;
        let first = entities.partition_point(|e| e.span.start < between.start);
        !entities[first..]
            .iter()
            .take_while(|entity| entity.span.end <= between.end)
            .enumerate()
            .any(|(i, entity)| {
                let e = first + i;
                entity.label == Label::Per
                    && Some(e) != prev.entity
                    && (speaker_cluster.is_none()
                        || cluster_of.get(e).copied().flatten() != speaker_cluster)
            })
    }

    /// The cluster of the person mentioned last before byte `at`.
    fn last_person_before(&self, at: usize, cluster_of: &[Option<usize>]) -> Option<usize> {
        let entities = &self.analysis.entities;
        let end = entities.partition_point(|e| e.span.end <= at);
        entities[..end]
            .iter()
            .enumerate()
            .rev()
            .find(|(_, e)| e.label == Label::Per)
            .and_then(|(i, _)| cluster_of.get(i).copied().flatten())
    }
}

/// Paragraph breaks in `s`: runs of line breaks, blank lines included, count once.
fn paragraph_breaks(s: &str) -> usize {
    let mut breaks = 0;
    let mut in_break = false;
    for c in s.chars() {
        if c == '\n' {
            breaks += usize::from(!in_break);
            in_break = true;
        } else if !c.is_whitespace() {
            in_break = false;
        }
    }
    breaks
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
    ];
    NOUNS.iter().any(|n| word.eq_ignore_ascii_case(n))
}

/// Whether an unattributed quotation reads like reported speech rather than a scare quote
/// or a title: four words or more and sentence punctuation.
fn reads_like_speech(inner: &str) -> bool {
    inner.split_whitespace().count() >= 4
        && inner
            .trim_end()
            .ends_with(['.', ',', '?', '!', '\u{2026}', ':', ';'])
}

#[cfg(test)]
mod tests;
