//! Quote attribution scored on our own annotations of 27 BBC politics articles (shared
//! data): of the quotes attributed, how many name the right speaker, and how many of the
//! direct quotations get the right speaker. `data/quotes/README.md` says how the set was
//! chosen and labelled and how a speaker counts as right.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use crate::support::{records, repo_root, run_with_stdin, shared_dir};

/// Of the quotes attributed, the share that must name the right speaker: a floor just
/// under what the finder measures on this set (94.9 % at the commit that added this test;
/// 63.9 % before issue 18), so a regression fails. The target, 95 %, is for held-out
/// news we do not have.
const MIN_PRECISION: f64 = 0.94;
/// Of the direct quotations, the share that must get the right speaker (93.6 % measured,
/// 69.1 % before; the target is 85 %).
const MIN_DIRECT_RECALL: f64 = 0.92;

/// One annotated quotation: code point offsets into the record's text, kind, speaker.
struct Gold {
    start: usize,
    end: usize,
    direct: bool,
    /// `None` for a scare quote or title, which no one said.
    speaker: Option<String>,
}

/// The annotations by article id.
fn load_gold() -> HashMap<String, Vec<Gold>> {
    let path = repo_root().join("data/quotes/gold_bbc_politics.tsv");
    let raw = std::fs::read_to_string(&path).unwrap();
    let mut gold: HashMap<String, Vec<Gold>> = HashMap::new();
    for line in raw.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f.len(), 5, "bad line in {}: {line}", path.display());
        gold.entry(f[0].to_string()).or_default().push(Gold {
            start: f[1].parse().unwrap(),
            end: f[2].parse().unwrap(),
            direct: f[3] == "direct",
            speaker: (f[4] != "-").then(|| f[4].to_string()),
        });
    }
    gold
}

/// The words of a name that identify it: lowercase, without titles and articles.
fn name_words(name: &str) -> HashSet<String> {
    const TITLES: &[&str] = &[
        "the",
        "a",
        "an",
        "of",
        "mr",
        "mrs",
        "ms",
        "dr",
        "sir",
        "lord",
        "lady",
        "rt",
        "rev",
        "professor",
        "mp",
        "qc",
        "his",
        "her",
        "its",
        "their",
        "s",
    ];
    name.split(|c: char| !c.is_alphanumeric() && c != '-')
        .map(str::to_lowercase)
        .filter(|w| !w.is_empty() && !TITLES.contains(&w.as_str()))
        .collect()
}

#[test]
fn quote_speakers_on_annotated_bbc_politics() {
    let Some(shared) = shared_dir("quote_speakers_on_annotated_bbc_politics") else {
        return;
    };
    let gold = load_gold();
    let corpus =
        std::fs::read_to_string(shared.join("data/news/bbc_news_2004_2005.jsonl")).unwrap();
    let input: String = corpus
        .lines()
        .filter(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            v["id"].as_str().is_some_and(|id| gold.contains_key(id))
        })
        .flat_map(|l| [l, "\n"])
        .collect();
    let out = run_with_stdin(&["run", "-q", "--ordered", "-"], &input);
    let records = records(&out.stdout);
    assert_eq!(
        records.len(),
        gold.len(),
        "every annotated article is in the corpus"
    );

    let (mut attributed, mut right, mut direct, mut direct_right) = (0, 0, 0, 0);
    let mut wrong = Vec::new();
    for record in &records {
        let golds = &gold[record["id"].as_str().unwrap()];
        let mut found_right = HashSet::new();
        for q in record["quotes"].as_array().unwrap() {
            let Some(speaker) = q["speaker"].as_str() else {
                continue;
            };
            let name = q["speaker_canonical"].as_str().unwrap_or(speaker);
            let (start, end) = (
                q["start"].as_u64().unwrap() as usize,
                q["end"].as_u64().unwrap() as usize,
            );
            let overlap = |g: &Gold| g.end.min(end).saturating_sub(g.start.max(start));
            let matched = golds
                .iter()
                .enumerate()
                .filter(|(_, g)| overlap(g) > 0)
                .max_by_key(|(_, g)| overlap(g));
            let ok = matched.is_some_and(|(_, g)| {
                g.speaker
                    .as_deref()
                    .is_some_and(|s| !name_words(s).is_disjoint(&name_words(name)))
            });
            attributed += 1;
            if ok {
                right += 1;
                found_right.extend(matched.map(|(i, _)| i));
            } else {
                wrong.push(format!("{} {start}: {name}", record["id"]));
            }
        }
        for (i, _) in golds.iter().enumerate().filter(|(_, g)| g.direct) {
            direct += 1;
            direct_right += usize::from(found_right.contains(&i));
        }
    }
    let precision = right as f64 / attributed.max(1) as f64;
    let recall = direct_right as f64 / direct.max(1) as f64;
    eprintln!(
        "quotes attributed {attributed}, right speaker {right} ({:.1} %); direct quotations \
         {direct}, right speaker {direct_right} ({:.1} %)",
        100.0 * precision,
        100.0 * recall
    );
    assert!(
        precision >= MIN_PRECISION,
        "{:.1} % of attributed quotes name the right speaker; wrong: {wrong:#?}",
        100.0 * precision
    );
    assert!(
        recall >= MIN_DIRECT_RECALL,
        "{:.1} % of direct quotations get the right speaker",
        100.0 * recall
    );
}
