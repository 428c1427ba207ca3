//! Quote attribution scored on our own annotations (shared data): 27 BBC politics articles
//! (the set the finder was tuned on) and a US set never tuned on — Reuters-21578 wire copy
//! and US news pages — split into a dev half and a check half, and a US holdout set labelled
//! blind. Of the quotes attributed, how many name the right speaker, and how many of the
//! direct quotations get the right speaker. `data/quotes/README.md` says how the sets were chosen and labelled and how a
//! speaker counts as right.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde_json::Value;

use crate::support::{newsflow, records, repo_root, run_ok, run_with_stdin, shared_dir};

/// Of the quotes attributed, the share that must name the right speaker: a floor just
/// under what the finder measures on this set (98.7 %; 96.8 % before the US precision
/// round, 94.9 % at the commit that added this test, 63.9 % before issue 18), so a
/// regression fails. The target, 95 %, is for held-out news we do not have.
const MIN_PRECISION: f64 = 0.98;
/// Of the direct quotations, the share that must get the right speaker (93.6 % measured,
/// 69.1 % before; the target is 85 %).
const MIN_DIRECT_RECALL: f64 = 0.92;

/// Of the quotes attributed on the US set's dev half (`gold_us_dev.tsv`, looked at while
/// fixing), the share that must name the right speaker: just under the 100 % measured (93.8 %
/// before US titles and unresolved pronouns, 84.8 % before the wrapped-copy and US fixes).
const MIN_US_DEV_PRECISION: f64 = 0.98;
/// Of the dev half's direct quotations, the share that must get the right speaker (95.6 %
/// measured, 32.4 % before).
const MIN_US_DEV_RECALL: f64 = 0.94;
/// Of the quotes attributed on the check half (`gold_us_check.tsv`, looked at in the US
/// precision round), the share that must name the right speaker: 100 % measured (88.4 %
/// before that round, 84.7 % before US titles and unresolved pronouns).
const MIN_US_CHECK_PRECISION: f64 = 0.98;
/// Of the check half's direct quotations, the share that must get the right speaker
/// (98.5 % measured, 87.7 % before the precision round, 56.9 % before the US fixes).
const MIN_US_CHECK_RECALL: f64 = 0.96;

/// Of the quotes attributed on the US holdout set (`gold_us_holdout.tsv`, labelled blind and
/// never looked at while fixing), the share that must name the right speaker: the issue's
/// 95 % (93.3 % when the set was added, 97.8 % after issue 18's second round).
const MIN_US_HOLDOUT_PRECISION: f64 = 0.95;
/// Of the holdout's direct quotations, the share that must get the right speaker (87.1 %
/// when the set was added, 90.5 % after the second round; the target is 85 %).
const MIN_US_HOLDOUT_RECALL: f64 = 0.88;

/// The files mapping a news page of the shared trafilatura set to its record id (the page's
/// URL): the US set's pages, then the holdout's.
const PAGE_LISTS: &[&str] = &["us_pages.tsv", "us_holdout_pages.tsv"];

/// One annotated quotation: code point offsets into the record's text, kind, speaker.
struct Gold {
    start: usize,
    end: usize,
    direct: bool,
    /// `None` for a scare quote or title, which no one said.
    speaker: Option<String>,
}

/// The annotations of `data/quotes/NAME` by article id.
fn load_gold(name: &str) -> HashMap<String, Vec<Gold>> {
    let path = repo_root().join("data/quotes").join(name);
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

/// The records `newsflow run` writes for the annotated articles: JSON Lines articles of
/// `corpus` (under the shared folder) by id, and the news pages of the [`PAGE_LISTS`].
fn annotated_records(shared: &Path, corpus: &str, gold: &HashMap<String, Vec<Gold>>) -> Vec<Value> {
    let lines = std::fs::read_to_string(shared.join(corpus)).unwrap();
    let input: String = lines
        .lines()
        .filter(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            v["id"].as_str().is_some_and(|id| gold.contains_key(id))
        })
        .flat_map(|l| [l, "\n"])
        .collect();
    let mut found = Vec::new();
    if !input.is_empty() {
        found = records(&run_with_stdin(&["run", "-q", "--ordered", "-"], &input).stdout);
    }
    let mut files = Vec::new();
    for list in PAGE_LISTS {
        let pages = std::fs::read_to_string(repo_root().join("data/quotes").join(list)).unwrap();
        files.extend(
            pages
                .lines()
                .skip(1)
                .filter_map(|l| l.split_once('\t'))
                .filter(|(_, id)| gold.contains_key(*id))
                .map(|(page, _)| shared.join("data/web/trafilatura_eval/pages").join(page)),
        );
    }
    if !files.is_empty() {
        let out = run_ok(newsflow().args(["run", "-q", "--ordered"]).args(&files));
        found.extend(records(&out.stdout));
    }
    assert_eq!(
        found.len(),
        gold.len(),
        "every annotated article is in the shared data"
    );
    found
}

/// Under `QUOTES_EVAL_LIST=1`, one error for reading: the quoted words, the gold and the
/// found speaker, and the 200 characters before the quote (code points, as the offsets).
fn list_error(what: &str, text: &[char], (start, end): (usize, usize), gold: &str, ours: &str) {
    if std::env::var_os("QUOTES_EVAL_LIST").is_none() {
        return;
    }
    let slice = |a: usize, b: usize| -> String {
        text[a.min(text.len())..b.min(text.len())]
            .iter()
            .map(|&c| if c == '\n' { '|' } else { c })
            .collect()
    };
    eprintln!(
        "--- {what} @{start}\n  quote: {}\n  gold: {gold} / ours: {ours}\n  before: …{}",
        slice(start, end.min(start + 120)),
        slice(start.saturating_sub(200), start)
    );
}

/// The two figures on one set: (of the quotes attributed, the share naming the right
/// speaker; of the direct quotations, the share found with the right speaker), printed with
/// the wrong attributions (and, under `QUOTES_EVAL_LIST=1`, every error with its context).
fn score(set: &str, gold: &HashMap<String, Vec<Gold>>, records: &[Value]) -> (f64, f64) {
    let (mut attributed, mut right, mut direct, mut direct_right) = (0, 0, 0, 0);
    let mut wrong = Vec::new();
    for record in records {
        let golds = &gold[record["id"].as_str().unwrap()];
        let text: Vec<char> = record["text"].as_str().unwrap_or("").chars().collect();
        let mut found_right = HashSet::new();
        let mut found_any = HashMap::new();
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
            if let Some((i, _)) = matched {
                found_any.insert(i, name.to_string());
            }
            if ok {
                right += 1;
                found_right.extend(matched.map(|(i, _)| i));
            } else {
                wrong.push(format!("{} {start}: {name}", record["id"]));
                let g = matched.and_then(|(_, g)| g.speaker.as_deref());
                let what = format!("{set} {} wrong", record["id"]);
                list_error(&what, &text, (start, end), g.unwrap_or("-"), name);
            }
        }
        for (i, g) in golds.iter().enumerate().filter(|(_, g)| g.direct) {
            direct += 1;
            direct_right += usize::from(found_right.contains(&i));
            if !found_right.contains(&i) {
                let ours = found_any.get(&i).map_or("(none)", String::as_str);
                let what = format!("{set} {} missed direct", record["id"]);
                let gold = g.speaker.as_deref().unwrap_or("-");
                list_error(&what, &text, (g.start, g.end), gold, ours);
            }
        }
    }
    let precision = right as f64 / attributed.max(1) as f64;
    let recall = direct_right as f64 / direct.max(1) as f64;
    eprintln!(
        "{set}: quotes attributed {attributed}, right speaker {right} ({:.1} %); direct \
         quotations {direct}, right speaker {direct_right} ({:.1} %); wrong: {wrong:#?}",
        100.0 * precision,
        100.0 * recall
    );
    (precision, recall)
}

/// Scores one annotated set and fails below the floors.
fn check_set(test: &str, tsv: &str, corpus: &str, min_precision: f64, min_recall: f64) {
    let Some(shared) = shared_dir(test) else {
        return;
    };
    let gold = load_gold(tsv);
    let records = annotated_records(&shared, corpus, &gold);
    let (precision, recall) = score(tsv, &gold, &records);
    assert!(
        precision >= min_precision,
        "{tsv}: {:.1} % of attributed quotes name the right speaker (floor {:.1} %)",
        100.0 * precision,
        100.0 * min_precision
    );
    assert!(
        recall >= min_recall,
        "{tsv}: {:.1} % of direct quotations get the right speaker (floor {:.1} %)",
        100.0 * recall,
        100.0 * min_recall
    );
}

#[test]
fn quote_speakers_on_annotated_bbc_politics() {
    check_set(
        "quote_speakers_on_annotated_bbc_politics",
        "gold_bbc_politics.tsv",
        "data/news/bbc_news_2004_2005.jsonl",
        MIN_PRECISION,
        MIN_DIRECT_RECALL,
    );
}

#[test]
fn quote_speakers_on_annotated_us_news_dev_half() {
    check_set(
        "quote_speakers_on_annotated_us_news_dev_half",
        "gold_us_dev.tsv",
        "data/news/reuters21578.jsonl",
        MIN_US_DEV_PRECISION,
        MIN_US_DEV_RECALL,
    );
}

#[test]
fn quote_speakers_on_annotated_us_news_check_half() {
    check_set(
        "quote_speakers_on_annotated_us_news_check_half",
        "gold_us_check.tsv",
        "data/news/reuters21578.jsonl",
        MIN_US_CHECK_PRECISION,
        MIN_US_CHECK_RECALL,
    );
}

#[test]
fn quote_speakers_on_annotated_us_news_holdout() {
    check_set(
        "quote_speakers_on_annotated_us_news_holdout",
        "gold_us_holdout.tsv",
        "data/news/reuters21578.jsonl",
        MIN_US_HOLDOUT_PRECISION,
        MIN_US_HOLDOUT_RECALL,
    );
}
