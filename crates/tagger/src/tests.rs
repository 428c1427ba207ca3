//! Unit tests of the tagger as a whole: the embedded model, rules and patterns together,
//! through the public `tag` API.

use std::sync::Arc;

use article::{Analysis, Entity, Label, Sentence, Span, Token};

use crate::{Patterns, Tagger, TaggerError};

/// Builds a one-sentence-per-line document from space-tokenised text.
fn analysis(text: &str) -> Analysis {
    let mut a = Analysis::default();
    let mut at = 0;
    for line in text.split('\n') {
        let first = a.tokens.len();
        let start = at;
        for w in line.split(' ') {
            if !w.is_empty() {
                a.tokens.push(Token {
                    span: Span::new(at, at + w.len()),
                });
            }
            at += w.len() + 1;
        }
        a.sentences.push(Sentence {
            span: Span::new(start, at - 1),
            tokens: first..a.tokens.len(),
        });
    }
    a
}

fn entities(tagger: &Tagger, text: &str) -> Vec<String> {
    let mut a = analysis(text);
    tagger.tag(text, &mut a);
    a.entities
        .iter()
        .map(|e| format!("{}:{}", e.label, e.span.slice(text)))
        .collect()
}

/// Checks the entities the embedded model (with rules) finds in space-tokenised text,
/// written as `LABEL:text` in text order.
fn check(text: &str, expected: &[&str]) {
    let tagger = embedded();
    assert_eq!(entities(&tagger, text), expected, "in {text:?}");
}

fn embedded() -> Tagger {
    static TAGGER: std::sync::OnceLock<Tagger> = std::sync::OnceLock::new();
    TAGGER.get_or_init(Tagger::embedded).clone()
}

#[test]
fn finds_conll_types_in_news_sentences() {
    check(
        "EU rejects German call to boycott British lamb .",
        &["ORG:EU", "MISC:German", "MISC:British"],
    );
    check(
        "Antony Blinken met Sergey Lavrov in Geneva .",
        &["PER:Antony Blinken", "PER:Sergey Lavrov", "LOC:Geneva"],
    );
    check(
        "Shares of General Motors rose in New York .",
        &["ORG:General Motors", "LOC:New York"],
    );
}

#[test]
fn headline_in_capitals_still_tagged() {
    check(
        "SOCCER - JAPAN GET LUCKY WIN , CHINA IN SURPRISE DEFEAT .",
        &["LOC:JAPAN", "LOC:CHINA"],
    );
}

#[test]
fn document_context_resolves_a_bare_surname() {
    // "Lavrov" alone in the second sentence is a person because the article named him.
    check(
        "Foreign Minister Sergey Lavrov arrived on Monday .\nLavrov said talks would go on .",
        &["PER:Sergey Lavrov", "DATE:Monday", "PER:Lavrov"],
    );
}

#[test]
fn rule_entities_sit_beside_model_entities() {
    check(
        "Ford said profit rose 3.5 percent to $ 1.5 billion on January 10 , 1996 .",
        &[
            "ORG:Ford",
            "PERCENT:3.5 percent",
            "MONEY:$ 1.5 billion",
            "DATE:January 10 , 1996",
        ],
    );
}

#[test]
fn patterns_override_the_model_on_token_boundaries() {
    let patterns = Patterns::from_jsonl(
        "{\"label\":\"PRODUCT\",\"pattern\":\"Model T\"}\n\n{\"label\":\"ORG\",\"pattern\":\"York\"}\n",
    )
    .unwrap();
    let tagger = embedded().with_patterns(patterns);
    let got = entities(
        &tagger,
        "Ford built the Model T in Detroit , not in Yorkshire .",
    );
    assert!(got.contains(&"PRODUCT:Model T".to_string()), "{got:?}");
    // "York" inside "Yorkshire" is not on a token boundary.
    assert!(!got.iter().any(|e| e == "ORG:York"), "{got:?}");
    let text = "He moved to New York .";
    let got = entities(&tagger, text);
    assert!(got.contains(&"ORG:York".to_string()), "{got:?}");
    assert!(
        !got.iter().any(|e| e.ends_with(":New York")),
        "pattern must win over the model: {got:?}"
    );
}

#[test]
fn custom_labels_keep_their_name() {
    let p = Patterns::new([(Label::parse("WEAPON"), "Kalashnikov".to_string())]).unwrap();
    let tagger = embedded().with_patterns(p);
    assert_eq!(
        entities(&tagger, "a Kalashnikov rifle"),
        ["WEAPON:Kalashnikov"]
    );
}

#[test]
fn bad_patterns_line_names_the_line() {
    let err =
        Patterns::from_jsonl("{\"label\":\"ORG\",\"pattern\":\"x\"}\nnot json\n").unwrap_err();
    assert!(
        matches!(err, TaggerError::Patterns { line: 2, .. }),
        "{err}"
    );
    let err = Patterns::from_jsonl("{\"label\":\"ORG\"}\n").unwrap_err();
    assert!(
        matches!(err, TaggerError::Patterns { line: 1, .. }),
        "{err}"
    );
}

#[test]
fn embedded_model_parses_and_round_trips() {
    let bytes = crate::EMBEDDED;
    let t = Tagger::from_bytes(bytes).unwrap();
    assert_eq!(t.stages(), 2);
    assert_eq!(
        t.to_bytes(),
        bytes,
        "writing a loaded model gives the same bytes"
    );
}

#[test]
fn corrupt_models_are_errors_not_panics() {
    assert!(matches!(
        Tagger::from_bytes(b"not a model"),
        Err(TaggerError::Format(_))
    ));
    let bytes = crate::EMBEDDED;
    for cut in [8, 12, 100, bytes.len() / 2, bytes.len() - 1] {
        assert!(
            Tagger::from_bytes(&bytes[..cut]).is_err(),
            "truncated at {cut}"
        );
    }
    assert!(matches!(
        Tagger::load("/nonexistent/model.bin"),
        Err(TaggerError::Read { .. })
    ));
}

#[test]
// The reversed range is the point: analyses are input and may be malformed.
#[allow(clippy::reversed_empty_ranges)]
fn odd_analyses_never_panic() {
    let tagger = embedded();
    let mut a = Analysis::default();
    tagger.tag("", &mut a);
    assert!(a.entities.is_empty());
    // A sentence whose token range runs past the tokens, and a span past the text.
    let mut a = analysis("Paris is big");
    a.sentences[0].tokens = 0..10;
    a.tokens.push(Token {
        span: Span::new(100, 120),
    });
    tagger.tag("Paris is big", &mut a);
    let mut a = analysis("Paris is big");
    a.sentences.push(Sentence {
        span: Span::new(0, 0),
        tokens: 2..1,
    });
    tagger.tag("Paris is big", &mut a);
}

#[test]
fn entities_are_sorted_and_disjoint_with_scores_in_range() {
    let text =
        "Lavrov thanked Blinken in Geneva on January 10 .\nNATO and the OSCE met in Vienna .";
    let mut a = analysis(text);
    embedded().tag(text, &mut a);
    assert!(a.entities.len() >= 6);
    for w in a.entities.windows(2) {
        assert!(w[0].span.end <= w[1].span.start, "{:?}", a.entities);
    }
    assert!(a.entities.iter().all(|e| (0.0..=1.0).contains(&e.score)));
}

#[test]
fn tagger_is_shareable_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Tagger>();
    let t = Arc::new(embedded());
    let text = "Sergey Lavrov met Antony Blinken in Geneva .";
    let alone = entities(&t, text);
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let t = Arc::clone(&t);
            std::thread::spawn(move || entities(&t, text))
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), alone);
    }
}

/// The pattern overlay before it was made linear: every match against every entity, then a
/// stable sort. Kept as the reference the linear walk must agree with.
fn overlay_by_pairs(mut entities: Vec<Entity>, found: Vec<(Span, Label)>) -> Vec<Entity> {
    entities.retain(|e| {
        !found
            .iter()
            .any(|(s, _)| s.start < e.span.end && e.span.start < s.end)
    });
    entities.extend(found.into_iter().map(|(span, label)| Entity {
        span,
        label,
        score: 1.0,
    }));
    entities.sort_by_key(|e| (e.span.start, e.span.end));
    entities
}

/// Disjoint spans in text order, from a seeded xorshift so every run sees the same cases:
/// gaps of 0..gap bytes (0 makes spans touch), lengths of 0..len bytes (0 makes them
/// empty).
fn spans(seed: u64, count: usize, gap: u64, len: u64) -> Vec<Span> {
    let mut x = seed;
    let mut next = move |m: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % m
    };
    let mut at = 0usize;
    (0..count)
        .map(|_| {
            let start = at + next(gap) as usize;
            let end = start + next(len) as usize;
            at = end;
            Span::new(start, end)
        })
        .collect()
}

#[test]
fn pattern_overlay_agrees_with_the_pairwise_check() {
    for seed in 1..40u64 {
        let entities: Vec<Entity> = spans(seed, 2_000, 12, 9)
            .into_iter()
            .enumerate()
            .map(|(i, span)| Entity {
                span,
                label: if i % 2 == 0 { Label::Per } else { Label::Date },
                score: 0.5,
            })
            .collect();
        let found: Vec<(Span, Label)> = spans(seed * 7919, 1_500, 20, 7)
            .into_iter()
            .map(|s| (s, Label::parse("CUSTOM")))
            .collect();
        let fast = crate::overlay(entities.clone(), found.clone());
        let slow = overlay_by_pairs(entities.clone(), found.clone());
        assert_eq!(fast, slow, "seed {seed}");
        // The case is not vacuous: some entities go, some stay.
        assert!(fast.len() < entities.len() + found.len(), "seed {seed}");
        assert!(fast.iter().any(|e| e.score == 0.5), "seed {seed}");
    }
}

/// Many patterns through the whole tagger: every match lands, and what it overlaps goes.
#[test]
fn many_patterns_override_what_they_overlap() {
    let words: Vec<String> = (0..3_000).map(|i| format!("Word{i}")).collect();
    let text = words.join(" ");
    let pairs = (0..3_000)
        .step_by(3)
        .map(|i| (Label::parse("THING"), format!("Word{i} Word{}", i + 1)));
    let tagger = embedded().with_patterns(Patterns::new(pairs).unwrap());
    let mut a = analysis(&text);
    tagger.tag(&text, &mut a);
    let things = a
        .entities
        .iter()
        .filter(|e| e.label.as_str() == "THING")
        .count();
    assert_eq!(things, 1_000);
    for w in a.entities.windows(2) {
        assert!(w[0].span.end <= w[1].span.start, "{w:?}");
    }
}
