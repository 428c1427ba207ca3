//! Entity clusters, salience and quotes through `newsflow run`: the seed article (shared
//! data) and our own sample article, with the real tagger, resolver and quote finder.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::support::{records, repo_root, run_with_stdin, shared_dir};

/// Runs `newsflow run` on one JSON record and returns its output record.
fn run_one(record: &str) -> Value {
    let out = run_with_stdin(&["run", "-q", "-"], record);
    let mut recs = records(&out.stdout);
    assert_eq!(recs.len(), 1);
    recs.remove(0)
}

/// Each quote as (speaker as written, speaker's canonical name, cue, first words).
fn quotes(record: &Value) -> Vec<(String, String, String, String)> {
    let s = |v: &Value| v.as_str().unwrap_or("-").to_string();
    record["quotes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| {
            let first: String = s(&q["text"]).chars().take(24).collect();
            (
                s(&q["speaker"]),
                s(&q["speaker_canonical"]),
                s(&q["cue"]),
                first,
            )
        })
        .collect()
}

/// Cluster canonical name → texts of its mentions, and every entity's cluster agrees.
fn clusters(record: &Value) -> BTreeMap<String, Vec<String>> {
    let entities = record["entities"].as_array().unwrap();
    let mut out = BTreeMap::new();
    for (id, c) in record["clusters"].as_array().unwrap().iter().enumerate() {
        assert_eq!(c["id"], id);
        let canonical = c["canonical"].as_str().unwrap().to_string();
        let mentions: Vec<String> = c["mentions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                let e = &entities[m.as_u64().unwrap() as usize];
                assert_eq!(e["cluster"], id, "entity {e} is listed in cluster {id}");
                assert_eq!(e["canonical"], c["canonical"]);
                e["text"].as_str().unwrap().to_string()
            })
            .collect();
        assert!(
            out.insert(canonical.clone(), mentions).is_none(),
            "two clusters named {canonical}"
        );
    }
    out
}

/// All entity texts equal to one of `names`.
fn mentions_named(record: &Value, names: &[&str]) -> usize {
    record["entities"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| names.contains(&e["text"].as_str().unwrap()))
        .count()
}

#[test]
fn seed_article_quotes_and_clusters() {
    let Some(shared) = shared_dir("seed_article_quotes_and_clusters") else {
        return;
    };
    let body = std::fs::read_to_string(shared.join("data/samples/seed_article.txt")).unwrap();
    let record = run_one(&serde_json::json!({"id": "seed", "body": body}).to_string());

    let speakers: Vec<(String, String)> = quotes(&record)
        .into_iter()
        .map(|(speaker, canonical, _, _)| (speaker, canonical))
        .collect();
    let lavrov = ("Lavrov".to_string(), "Sergey Lavrov".to_string());
    let blinken = ("Blinken".to_string(), "Antony Blinken".to_string());
    assert_eq!(
        speakers,
        [lavrov.clone(), lavrov, blinken.clone(), blinken],
        "{:#?}",
        record["quotes"]
    );

    let clusters = clusters(&record);
    // Each of these clusters holds every mention of the entity, and nothing else.
    for (canonical, names) in [
        ("Antony Blinken", &["Antony Blinken", "Blinken"][..]),
        ("Sergey Lavrov", &["Sergey Lavrov", "Lavrov"]),
        ("NATO", &["NATO"]),
        ("OSCE", &["OSCE"]),
        ("Russia", &["Russia"]),
        ("Geneva", &["Geneva"]),
    ] {
        let got = clusters
            .get(canonical)
            .unwrap_or_else(|| panic!("no cluster {canonical}: {clusters:#?}"));
        assert!(
            got.iter().all(|m| names.contains(&m.as_str())),
            "{canonical}: {got:?}"
        );
        assert_eq!(
            got.len(),
            mentions_named(&record, names),
            "{canonical}: {got:?}"
        );
    }
    assert!(clusters["Antony Blinken"].len() >= 6 && clusters["Sergey Lavrov"].len() >= 5);

    // The two ministers are the most salient entities.
    let ranking = record["salience"].as_array().unwrap();
    let top: Vec<&str> = ranking[..2]
        .iter()
        .map(|c| {
            record["clusters"][c.as_u64().unwrap() as usize]["canonical"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert!(
        top.contains(&"Antony Blinken") && top.contains(&"Sergey Lavrov"),
        "{top:?}"
    );
}

#[test]
fn sample_article_covers_each_attribution_pattern() {
    let path = repo_root().join("data/samples/quotes.jsonl");
    let line = std::fs::read_to_string(path).unwrap();
    let record = run_one(&line);
    let got = quotes(&record);
    let want = [
        // “…,” Scholz told reporters …
        ("Scholz", "Olaf Scholz", "told", "We have found a common p"),
        // Macron said: “… \n“…” (one quote over two paragraphs)
        (
            "Macron",
            "Emmanuel Macron",
            "said",
            "This agreement shows tha",
        ),
        // "…," said Robert Habeck, the economy minister, who … (straight marks)
        (
            "Robert Habeck",
            "Robert Habeck",
            "said",
            "Prices will come down fo",
        ),
        // “…,” a spokesman said: a speaker, but no entity to link
        ("a spokesman", "-", "said", "It is a significant step"),
        // “…,” he said: the person named last
        ("he", "Olaf Scholz", "said", "Nobody can promise mirac"),
        // “…” right after: the same speaker continues, no cue of its own
        ("he", "Olaf Scholz", "-", "But we will do what we c"),
    ];
    let want: Vec<(String, String, String, String)> = want
        .iter()
        .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), d.to_string()))
        .collect();
    assert_eq!(got, want);
    let macron = &record["quotes"][1]["text"].as_str().unwrap();
    assert!(
        macron.contains('\n') && macron.ends_with("beginning."),
        "{macron}"
    );

    // The headline names Germany: it outranks a place mentioned once in the body.
    let rank = |name: &str| {
        record["salience"]
            .as_array()
            .unwrap()
            .iter()
            .position(|c| record["clusters"][c.as_u64().unwrap() as usize]["canonical"] == name)
            .unwrap()
    };
    assert!(rank("Germany") < rank("Brussels"));
    let clusters = clusters(&record);
    assert_eq!(clusters["Olaf Scholz"], ["Olaf Scholz", "Scholz", "Scholz"]);
    assert_eq!(clusters["Emmanuel Macron"], ["Emmanuel Macron", "Macron"]);
}
