//! Data-driven cases: texts with entities marked `[words](LABEL)`, and the clusters
//! expected, each as its canonical name and the texts of its mentions.

use article::{parse_marked, Analysis};

use crate::Resolver;

/// Text and entities of a marked text.
fn marked(source: &str) -> (String, Analysis) {
    let (text, entities) = parse_marked(source);
    let analysis = Analysis {
        entities,
        ..Analysis::default()
    };
    (text, analysis)
}

/// Resolves `source` (headline = its first line) and compares canonical names and
/// mention texts with `want`, cluster by cluster in order of first mention.
fn check(source: &str, want: &[(&str, &[&str])]) {
    let (text, mut analysis) = marked(source);
    let headline = 0..text.find('\n').unwrap_or(0);
    Resolver::new().resolve(&text, headline, &mut analysis);
    let got: Vec<(String, Vec<&str>)> = analysis
        .clusters
        .iter()
        .map(|c| {
            let mentions = c
                .mentions
                .iter()
                .map(|&m| analysis.entities[m].span.slice(&text))
                .collect();
            (c.canonical.clone(), mentions)
        })
        .collect();
    let want: Vec<(String, Vec<&str>)> = want
        .iter()
        .map(|(c, m)| (c.to_string(), m.to_vec()))
        .collect();
    assert_eq!(got, want, "\n{text}");
}

#[test]
fn surname_joins_the_full_name_before_or_after_it() {
    check(
        "[Lavrov](PER) meets [Blinken](PER)\n\n[Antony Blinken](PER) met [Sergey Lavrov](PER). \
         [Blinken](PER) said [Lavrov](PER)'s offer was late.",
        &[
            ("Sergey Lavrov", &["Lavrov", "Sergey Lavrov", "Lavrov"]),
            ("Antony Blinken", &["Blinken", "Antony Blinken", "Blinken"]),
        ],
    );
}

#[test]
fn shared_surname_goes_to_the_person_mentioned_last() {
    check(
        "\n[George Bush](PER) spoke. Later [Jeb Bush](PER) spoke, and [Bush](PER) left.",
        &[
            ("George Bush", &["George Bush"]),
            ("Jeb Bush", &["Jeb Bush", "Bush"]),
        ],
    );
}

#[test]
fn acronyms_join_their_expansion() {
    check(
        "\nThe [Organization for Security and Co-operation in Europe](ORG) met. The \
         [OSCE](ORG) said the [United Nations](ORG) and the [UN](ORG) agreed with the \
         [Bank of England](ORG) ([BoE](ORG)).",
        &[
            (
                "Organization for Security and Co-operation in Europe",
                &[
                    "Organization for Security and Co-operation in Europe",
                    "OSCE",
                ],
            ),
            ("United Nations", &["United Nations", "UN"]),
            ("Bank of England", &["Bank of England", "BoE"]),
        ],
    );
}

#[test]
fn aliases_dots_and_labels() {
    check(
        "\nThe [U.S.](LOC) and [Britain](LOC) met; the [United States](LOC) and the \
         [UK](LOC) and the [US](ORG) agreed.",
        &[
            ("United States", &["U.S.", "United States", "US"]),
            ("Britain", &["Britain", "UK"]),
        ],
    );
}

#[test]
fn companies_without_designators() {
    check(
        "\n[General Motors Corp](ORG) said [General Motors](ORG) and [GM](ORG) would \
         cut jobs; [Ford](ORG) did not.",
        &[
            (
                "General Motors Corp",
                &["General Motors Corp", "General Motors", "GM"],
            ),
            ("Ford", &["Ford"]),
        ],
    );
}

#[test]
fn different_things_stay_apart() {
    check(
        "\n[Russia](LOC) and the [Russian](MISC) team at the [NATO-Russia Council](ORG) \
         met [NATO](ORG) on [January 10](DATE) with [John Smith](PER) and [Smith](ORG).",
        &[
            ("Russia", &["Russia"]),
            ("Russian", &["Russian"]),
            ("NATO-Russia Council", &["NATO-Russia Council"]),
            ("NATO", &["NATO"]),
            ("John Smith", &["John Smith"]),
            ("Smith", &["Smith"]),
        ],
    );
}

#[test]
fn given_name_alone_only_when_unambiguous() {
    check(
        "\n[Hillary Rodham Clinton](PER) and [Hillary Clinton](PER) and [Hillary](PER).",
        &[(
            "Hillary Rodham Clinton",
            &["Hillary Rodham Clinton", "Hillary Clinton", "Hillary"],
        )],
    );
}

#[test]
fn salience_favours_mentions_and_the_headline() {
    let (text, mut analysis) = marked(
        "[Geneva](LOC) talks\n\n[Lavrov](PER) met [Blinken](PER) in [Geneva](LOC). \
         [Lavrov](PER) left. [Lavrov](PER) spoke.",
    );
    Resolver::new().resolve(&text, 0..12, &mut analysis);
    let names: Vec<&str> = analysis
        .salience_ranking()
        .into_iter()
        .map(|c| analysis.clusters[c].canonical.as_str())
        .collect();
    assert_eq!(names, ["Geneva", "Lavrov", "Blinken"]);
    assert_eq!(analysis.clusters[0].salience, 1.0);
    assert!(analysis.clusters.iter().all(|c| c.salience > 0.0));
}

#[test]
fn no_entities_no_clusters() {
    let mut analysis = Analysis::default();
    Resolver::new().resolve("", 0..0, &mut analysis);
    assert!(analysis.clusters.is_empty());
}
