//! One case per attribution pattern, on short articles written for these tests. Entities are
//! marked `[words](LABEL)`; sentences and tokens come from the real segmenter and clusters
//! from the real resolver, as in the pipeline.

use article::{parse_marked, Analysis};
use resolve::Resolver;
use segment::Segmenter;

use crate::QuoteFinder;

/// Text and analysis of a marked article, resolved, with quotes found.
fn analyse(source: &str) -> (String, Analysis) {
    let (text, entities) = parse_marked(source);
    let mut analysis = Segmenter::default().analyse(&text);
    analysis.entities = entities;
    Resolver::new().resolve(&text, 0..0, &mut analysis);
    QuoteFinder::new().find(&text, &mut analysis);
    (text, analysis)
}

/// What a test expects of one quote: its first words (up to 20 characters), the speaker as
/// written, the speaker's canonical name, the cue.
type Expected<'a> = (&'a str, Option<&'a str>, Option<&'a str>, Option<&'a str>);

/// Each quote found in `source`, compared with `want`.
fn check(source: &str, want: &[Expected<'_>]) {
    let (text, analysis) = analyse(source);
    let got: Vec<_> = analysis
        .quotes
        .iter()
        .map(|q| {
            let quoted: String = q.span.slice(&text).chars().take(20).collect();
            (
                quoted,
                q.speaker.map(|s| s.slice(&text)),
                q.speaker_cluster
                    .map(|c| analysis.clusters[c].canonical.as_str()),
                q.cue.map(|s| s.slice(&text)),
            )
        })
        .collect();
    let want: Vec<_> = want
        .iter()
        .map(|(q, s, c, cue)| (q.chars().take(20).collect::<String>(), *s, *c, *cue))
        .collect();
    assert_eq!(got, want, "\n{text}");
}

#[test]
fn name_then_verb_after_the_quote() {
    check(
        "[Sergey Lavrov](PER) arrived.\n“We do not expect a breakthrough,” [Lavrov](PER) said.",
        &[(
            "We do not expect a b",
            Some("Lavrov"),
            Some("Sergey Lavrov"),
            Some("said"),
        )],
    );
}

#[test]
fn verb_then_name_or_description_after_the_quote() {
    check(
        "[Antony Blinken](PER) spoke.\n\"This is a critical moment,\" said [Blinken](PER).\n\
         “We are committed to that path,” said the secretary, who arrived on Monday.",
        &[
            (
                "This is a critical m",
                Some("Blinken"),
                Some("Antony Blinken"),
                Some("said"),
            ),
            (
                "We are committed to ",
                Some("the secretary"),
                Some("Antony Blinken"),
                Some("said"),
            ),
        ],
    );
}

#[test]
fn title_and_name_before_the_verb() {
    check(
        "“Talks will go on,” Foreign Minister [Sergey Lavrov](PER) later told reporters.",
        &[(
            "Talks will go on,",
            Some("Sergey Lavrov"),
            Some("Sergey Lavrov"),
            Some("told"),
        )],
    );
}

#[test]
fn attribution_before_the_quote_with_colon_or_comma() {
    check(
        "[Blinken](PER) told reporters after the meeting: “We will respond in writing.”\n\
         In his statement, [Lavrov](PER) thanked [Blinken](PER) and his team, and said, \
         “We are very grateful to you for this proposal.”",
        &[
            (
                "We will respond in w",
                Some("Blinken"),
                Some("Blinken"),
                Some("told"),
            ),
            (
                "We are very grateful",
                Some("Lavrov"),
                Some("Lavrov"),
                Some("said"),
            ),
        ],
    );
}

#[test]
fn pronoun_speaker_refers_to_the_last_person() {
    check(
        "[Angela Merkel](PER) met [Macron](PER) later. [Merkel](PER) was cautious.\n\
         “Nothing is decided yet,” she said.",
        &[(
            "Nothing is decided y",
            Some("she"),
            Some("Angela Merkel"),
            Some("said"),
        )],
    );
}

#[test]
fn a_quote_over_two_paragraphs_is_one_and_keeps_its_speaker() {
    check(
        "[Lavrov](PER) said: “We expect concrete answers.\n\n“We expect them in writing.”\n\
         “And soon.” He left.",
        &[
            (
                "We expect concrete a",
                Some("Lavrov"),
                Some("Lavrov"),
                Some("said"),
            ),
            // The next paragraph's short quote has no cue of its own: it continues Lavrov.
            ("And soon.", Some("Lavrov"), Some("Lavrov"), None),
        ],
    );
}

#[test]
fn second_sentence_of_a_split_quote_continues_the_speaker() {
    check(
        "“This is a critical moment,” [Blinken](PER) said. “But I do hope that we can \
         test whether the path of diplomacy remains open.”",
        &[
            (
                "This is a critical m",
                Some("Blinken"),
                Some("Blinken"),
                Some("said"),
            ),
            (
                "But I do hope that w",
                Some("Blinken"),
                Some("Blinken"),
                None,
            ),
        ],
    );
}

#[test]
fn according_to_and_organisations() {
    check(
        "“Exports fell for the third month,” according to the [Commerce Department](ORG).\n\
         “Prices will rise,” [Shell](ORG) said in a statement.",
        &[
            (
                "Exports fell for the",
                Some("Commerce Department"),
                Some("Commerce Department"),
                Some("according to"),
            ),
            (
                "Prices will rise,",
                Some("Shell"),
                Some("Shell"),
                Some("said"),
            ),
        ],
    );
}

#[test]
fn scare_quotes_and_titles_are_not_quotes() {
    check(
        "The so-called “peace plan” was shown in “The Old Man and the Sea” by [Reuters](ORG).\n\
         A “very long unattributed sentence that reads like speech.”",
        &[("very long unattribut", None, None, None)],
    );
}

#[test]
fn another_person_between_stops_a_continuation() {
    check(
        "“We are ready,” [Lavrov](PER) said. [Blinken](PER) was not there. “Nobody else was \
         invited to these talks.”",
        &[
            (
                "We are ready,",
                Some("Lavrov"),
                Some("Lavrov"),
                Some("said"),
            ),
            ("Nobody else was invi", None, None, None),
        ],
    );
}

#[test]
fn no_marks_no_quotes() {
    let (_, analysis) = analyse("[Lavrov](PER) said nothing.");
    assert!(analysis.quotes.is_empty());
}
