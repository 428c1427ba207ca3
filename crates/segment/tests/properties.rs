//! The segmenter's invariant on arbitrary text: spans in order, non-overlapping, on char
//! boundaries, trimmed, covering every non-whitespace character exactly once, and every
//! token inside its sentence.

use proptest::prelude::*;
use segment::Segmenter;

/// Fragments that exercise the rules; random mixes of them reach far more decisions than
/// uniformly random characters do.
const PIECES: &[&str] = &[
    ".",
    "!",
    "?",
    "...",
    ". . .",
    "…",
    " ",
    "  ",
    "\n",
    "\n\n",
    "\r\n",
    "\t",
    "\u{a0}",
    "\u{2029}",
    "U.S.",
    "Mr.",
    "Inc.",
    "a.m.",
    "e.g.",
    "J.",
    "I.",
    "1.",
    "2.",
    "a.",
    "b.",
    "1)",
    "2)",
    ".)",
    "•",
    "⁃",
    "-",
    "—",
    "“",
    "”",
    "\"",
    "'",
    "’",
    "'s",
    "n't",
    "don't",
    "(",
    ")",
    "[",
    "]",
    "[...]",
    "http://x.io/a.b",
    "www.e.com",
    "a@b.co",
    "@",
    "3.5",
    "1,000",
    "$",
    "%",
    "The",
    "the",
    "He",
    "said",
    "Smith",
    "word",
    "é",
    "e\u{301}",
    "。",
    "！",
    "？",
    "東京",
    "😀",
    "‽",
    "؟",
    "।",
    "ǅ",
    ":",
    ";",
    ",",
    "&",
    "/",
    "#tag",
    "Ill.",
    "ill.",
    "z. B.",
    "etc.",
    "Sra.",
    "M.",
    "08/16/2000 12:05 PM",
    "Regards,",
    "Dear",
    "-- ",
    "____",
    "<p>",
    "</p>",
    "[17]",
    "1,000.The",
    "」と",
    "ｶﾀ",
];

fn text_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        proptest::collection::vec(proptest::sample::select(PIECES), 0..40)
            .prop_map(|parts| parts.concat()),
        proptest::collection::vec(
            prop_oneof![
                proptest::sample::select(PIECES).prop_map(str::to_string),
                any::<String>()
            ],
            0..20
        )
        .prop_map(|parts| parts.concat()),
    ]
}

/// Checks the invariant for the English rules and for a language with its own list.
fn check_invariants(text: &str) -> Result<(), TestCaseError> {
    let seg = Segmenter::new();
    let english = seg.analyse(text);
    prop_assert_eq!(
        seg.sentences(text),
        english.sentences.iter().map(|s| s.span).collect::<Vec<_>>()
    );
    let unnamed = seg.analyse_lang(text, None);
    prop_assert_eq!(&unnamed.sentences, &english.sentences);
    prop_assert_eq!(&unnamed.tokens, &english.tokens);
    for lang in ["de", "fr"] {
        let analysis = seg.analyse_lang(text, Some(lang));
        prop_assert_eq!(
            seg.sentences_lang(text, Some(lang)),
            analysis
                .sentences
                .iter()
                .map(|s| s.span)
                .collect::<Vec<_>>()
        );
        check_analysis(text, &analysis)?;
    }
    check_analysis(text, &english)
}

/// The invariant on one analysis of `text`.
fn check_analysis(text: &str, analysis: &article::Analysis) -> Result<(), TestCaseError> {
    let mut sentence_cover = vec![0u8; text.len()];
    let mut token_cover = vec![0u8; text.len()];
    let mut last_end = 0;
    for sentence in &analysis.sentences {
        let span = sentence.span;
        prop_assert!(span.start >= last_end && span.start < span.end && span.end <= text.len());
        prop_assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
        let piece = span.slice(text);
        prop_assert_eq!(piece, piece.trim(), "sentence not trimmed");
        last_end = span.end;
        sentence_cover[span.range()]
            .iter_mut()
            .for_each(|c| *c += 1);
        let mut token_end = span.start;
        for token in &analysis.tokens[sentence.tokens.clone()] {
            let t = token.span;
            prop_assert!(
                t.start >= token_end && t.start < t.end,
                "token out of order {t:?}"
            );
            prop_assert!(
                t.start >= span.start && t.end <= span.end,
                "token outside sentence"
            );
            prop_assert!(text.is_char_boundary(t.start) && text.is_char_boundary(t.end));
            prop_assert!(
                !t.slice(text).chars().any(char::is_whitespace),
                "token with space"
            );
            token_end = t.end;
            token_cover[t.range()].iter_mut().for_each(|c| *c += 1);
        }
    }
    let mut covered_tokens = 0;
    for sentence in &analysis.sentences {
        prop_assert_eq!(
            sentence.tokens.start,
            covered_tokens,
            "token ranges not contiguous"
        );
        covered_tokens = sentence.tokens.end;
    }
    prop_assert_eq!(covered_tokens, analysis.tokens.len());
    for (i, c) in text.char_indices() {
        if !c.is_whitespace() {
            prop_assert_eq!(
                sentence_cover[i],
                1,
                "char {:?} at {} not in one sentence",
                c,
                i
            );
            prop_assert_eq!(token_cover[i], 1, "char {:?} at {} not in one token", c, i);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn spans_cover_text_in_order(text in text_strategy()) {
        check_invariants(&text)?;
    }
}

#[test]
fn edge_cases_keep_the_invariant() {
    for text in [
        "",
        " ",
        ".",
        "\n",
        "\n\n.",
        "..",
        "'",
        "’s",
        "n't",
        "a)",
        "1.",
        "•",
        ". . . .",
        "x.\u{301}",
        "http://",
        "a@",
        "@b.c",
        "U.S.-",
        "1,000,",
        "e\u{301}.",
        "“.”",
        "\u{2029}",
        // Regression: an ellipsis character before spaced dots pushed a boundary inside
        // the character and lost the whole text.
        "U.S.1)…. . ..) .",
    ] {
        check_invariants(text).unwrap();
    }
}

/// Adversarial repetitions must stay linear: each is 1 MB and gets a generous time budget
/// (debug build), far below what a quadratic rule would need.
#[test]
fn pathological_inputs_stay_linear() {
    let patterns = [
        "! ", ". ", "a. ", "A. ", "U.S. ", "... ", ". . . ", "\n", "\n\n", "x", "1) ", "• ", "\"“",
        ":) ", "Mr. ", "a.m. ", "é. ", "—", "a\n", "A\n", "x.The ", "'s ", "n't ",
    ];
    let segmenter = Segmenter::new();
    for pattern in patterns {
        let text = pattern.repeat(1_000_000 / pattern.len());
        let started = std::time::Instant::now();
        let analysis = segmenter.analyse(&text);
        let elapsed = started.elapsed();
        assert!(
            elapsed < std::time::Duration::from_secs(5),
            "{pattern:?} x {} took {elapsed:?} ({} sentences)",
            text.len() / pattern.len(),
            analysis.sentences.len()
        );
    }
}
