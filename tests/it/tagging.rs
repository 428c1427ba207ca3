//! The trained tagger through the binary (`eval`, `tag`) and the library (the seed article).

use std::collections::BTreeMap;
use std::path::PathBuf;

use article::{Analysis, Sentence, Span, Token};
use serde_json::Value;

use crate::support::{newsflow, records, repo_root, run_ok, scratch, shared_dir};

/// The committed model scores 92.52 on eng.testa; a drop below this is a regression.
const TESTA_F1_FLOOR: f64 = 92.0;

#[test]
fn eval_on_testa_meets_the_committed_f1() {
    let Some(dir) = shared_dir("eval_on_testa_meets_the_committed_f1") else {
        return;
    };
    let testa = dir.join("data/conll2003/eng.testa");
    let out = run_ok(newsflow().args(["eval", "--json", "--conll"]).arg(&testa));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let f1 = v["overall"]["f1"].as_f64().unwrap();
    assert!(f1 >= TESTA_F1_FLOOR, "testa F1 {f1:.2} < {TESTA_F1_FLOOR}");
    assert_eq!(
        v["overall"]["gold"], 5942,
        "conlleval counts 5,942 entities in eng.testa"
    );
    for ty in ["PER", "ORG", "LOC", "MISC"] {
        assert!(
            v["types"][ty]["f1"].as_f64().unwrap() > 80.0,
            "{ty}: {}",
            v["types"][ty]
        );
    }
}

/// eng.testa written as wire stories and run through `newsflow run` (`eval --running`):
/// 92.38 with the committed model (its CoNLL tokens: 92.52), 91.21 with session 5's model
/// before the segmenter stopped cutting sentences after initials ("urges S. Korea").
const TESTA_RUNNING_F1_FLOOR: f64 = 91.9;

#[test]
fn testa_as_running_text_through_run_scores_like_its_tokens() {
    let Some(dir) = shared_dir("testa_as_running_text_through_run_scores_like_its_tokens") else {
        return;
    };
    let testa = dir.join("data/conll2003/eng.testa");
    let tmp = scratch("running-testa");
    let (records, output) = (tmp.join("records.jsonl"), tmp.join("out.jsonl"));
    let eval = |extra: &[&std::ffi::OsStr]| -> Value {
        let out = run_ok(
            newsflow()
                .args(["eval", "--json", "--running", "--conll"])
                .arg(&testa)
                .args(extra),
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let in_process = eval(&["--records".as_ref(), records.as_os_str()]);
    run_ok(
        newsflow()
            .args(["run", "-q", "--sink"])
            .arg(format!("jsonl:{}", output.display()))
            .arg(&records),
    );
    let through_run = eval(&["--output".as_ref(), output.as_os_str()]);
    // The in-process analysis is run's own: the same figures either way.
    assert_eq!(in_process["overall"], through_run["overall"]);
    assert_eq!(in_process["calibration"], through_run["calibration"]);
    let tokens: Value = serde_json::from_slice(
        &run_ok(newsflow().args(["eval", "--json", "--conll"]).arg(&testa)).stdout,
    )
    .unwrap();
    let v = &through_run;
    for (name, r) in [("CoNLL tokens", &tokens), ("running text", v)] {
        let cal = &r["calibration"];
        println!(
            "{name:<13} F1 {:.2} (P {:.2} R {:.2}), ECE {:.4}, >= 0.9: {:.1} % right, {:.1} % of the right ones",
            r["overall"]["f1"].as_f64().unwrap(),
            r["overall"]["precision"].as_f64().unwrap(),
            r["overall"]["recall"].as_f64().unwrap(),
            cal["ece"].as_f64().unwrap(),
            100.0 * cal["high_precision"].as_f64().unwrap(),
            100.0 * cal["high_share_of_correct"].as_f64().unwrap(),
        );
    }
    assert_eq!(
        v["overall"]["gold"], 5942,
        "every gold entity kept its span"
    );
    assert_eq!(v["running"]["missing"], 0, "{}", v["running"]);
    let f1 = v["overall"]["f1"].as_f64().unwrap();
    assert!(
        f1 >= TESTA_RUNNING_F1_FLOOR,
        "running-text F1 {f1:.2} < {TESTA_RUNNING_F1_FLOOR}"
    );
    let cal = &v["calibration"];
    assert!(cal["ece"].as_f64().unwrap() <= TESTA_ECE_CEILING, "{cal}");
    assert!(cal["high_precision"].as_f64().unwrap() >= 0.95, "{cal}");
    assert!(
        cal["high_share_of_correct"].as_f64().unwrap() >= 0.6,
        "{cal}"
    );
}

/// Calibration the committed model must keep on eng.testa (where its temperature was
/// fitted, so in-sample: 0.005 at commit; out of sample, fitted on half, 0.010–0.014).
const TESTA_ECE_CEILING: f64 = 0.03;

#[test]
fn testa_scores_are_calibrated_probabilities() {
    let Some(dir) = shared_dir("testa_scores_are_calibrated_probabilities") else {
        return;
    };
    let testa = dir.join("data/conll2003/eng.testa");
    let out = run_ok(newsflow().args(["eval", "--json", "--conll"]).arg(&testa));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let cal = &v["calibration"];
    let ece = cal["ece"].as_f64().unwrap();
    assert!(ece <= TESTA_ECE_CEILING, "ECE {ece:.4}: {cal}");
    assert!(cal["high_precision"].as_f64().unwrap() >= 0.95, "{cal}");
    assert!(
        cal["high_share_of_correct"].as_f64().unwrap() >= 0.6,
        "{cal}"
    );
    let bins = cal["bins"].as_array().unwrap();
    assert_eq!(bins.len(), 10);
    let counted: u64 = bins.iter().map(|b| b["count"].as_u64().unwrap()).sum();
    assert_eq!(counted, v["overall"]["predicted"].as_u64().unwrap());
}

#[test]
fn eval_html_report_has_scores_confusions_and_the_reliability_diagram() {
    // Gold: [Peter Blackburn]PER [EU]ORG [German]MISC [BRUSSELS]LOC.
    let input = "-DOCSTART- -X- O\n\nEU NNP I-ORG\nrejects VBZ O\nGerman JJ I-MISC\ncall NN O\n\n\
                 Peter NNP I-PER\nBlackburn NNP I-PER\n\nBRUSSELS NNP I-LOC\n";
    let file = TempFile::new("eval.conll", input);
    let html = TempFile::new("eval.html", "");
    let out = run_ok(
        newsflow()
            .args(["eval", "--conll"])
            .arg(&file.0)
            .arg("--html")
            .arg(&html.0),
    );
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("ECE"), "{table}");
    let page = std::fs::read_to_string(&html.0).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"), "{page}");
    assert!(page.contains("<svg"), "no inline diagram");
    assert!(page.contains("class=\"bar\""), "no reliability bars");
    for ty in ["PER", "ORG", "LOC", "MISC"] {
        assert!(page.contains(&format!("<th>{ty}</th>")), "no {ty} row");
    }
    assert!(page.contains("Boundaries") && page.contains("exact spans"));
    // Self-contained: nothing fetched (the SVG namespace URI is a name, not a fetch).
    for fetch in ["src=", "href=", "<link", "url("] {
        assert!(
            !page.contains(fetch),
            "the report must not load anything: {fetch}"
        );
    }
}

/// A scratch file in the system temp folder, removed on drop.
struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str, contents: &str) -> Self {
        let path = std::env::temp_dir().join(format!("newsflow-{}-{name}", std::process::id()));
        std::fs::write(&path, contents).unwrap();
        TempFile(path)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[test]
fn tag_appends_one_column_and_keeps_every_line() {
    // First document without -DOCSTART-, CRLF endings, three columns, a blank-line run.
    let input = "EU NNP I-ORG\r\nrejects VBZ O\r\nGerman JJ I-MISC\r\ncall NN O\r\n\r\n\r\n\
                 -DOCSTART- -X- O\r\n\r\nPeter NNP I-PER\r\nBlackburn NNP I-PER\r\n";
    let file = TempFile::new("tag.conll", input);
    let out = run_ok(
        newsflow()
            .args(["tag", "--scheme", "iob2", "--conll"])
            .arg(&file.0),
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let got: Vec<&str> = text.split_inclusive('\n').collect();
    let want: Vec<&str> = input.split_inclusive('\n').collect();
    assert_eq!(got.len(), want.len(), "{text}");
    for (g, w) in got.iter().zip(&want) {
        assert!(g.ends_with("\r\n"), "line ending lost: {g:?}");
        let (g, w) = (g.trim_end(), w.trim_end());
        if w.is_empty() {
            assert!(g.is_empty(), "blank line changed: {g:?}");
        } else {
            let tag = g
                .strip_prefix(w)
                .and_then(|t| t.strip_prefix(' '))
                .unwrap_or_else(|| panic!("{g:?}"));
            assert!(!tag.contains(' '), "exactly one column appended: {g:?}");
        }
    }
    assert!(text.contains("EU NNP I-ORG B-ORG\r\n"), "{text}");
    assert!(
        text.contains("Peter NNP I-PER B-PER\r\nBlackburn NNP I-PER I-PER\r\n"),
        "{text}"
    );
}

#[test]
fn tag_writes_iob1_by_default() {
    let file = TempFile::new("iob1.conll", "Peter\nBlackburn\nsaid\n");
    let out = newsflow()
        .args(["tag", "--conll"])
        .arg(&file.0)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "Peter I-PER\nBlackburn I-PER\nsaid O\n"
    );
}

#[test]
fn eval_of_a_missing_file_fails_with_its_name() {
    let out = newsflow()
        .args(["eval", "--conll", "/nonexistent/eng.testa"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/eng.testa"));
}

/// Splits text into PTB-like tokens: words (with inner hyphens, apostrophes and periods of
/// abbreviations), clitics "'s"/"'ve"/"n't", and single punctuation marks. Written here
/// rather than taken from `segment` so this test pins the tagger, not the tokenizer.
fn tokenize(text: &str) -> Analysis {
    let mut a = Analysis::default();
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let mut start = None;
    let word_char = |c: char| c.is_alphanumeric() || c == '-';
    for (i, c) in text.char_indices() {
        match (start, word_char(c)) {
            (None, true) => start = Some(i),
            (Some(_), true) => {}
            (Some(s), false) => {
                spans.push((s, i));
                start = None;
            }
            (None, false) => {}
        }
        if !word_char(c) && !c.is_whitespace() {
            spans.push((i, i + c.len_utf8()));
        }
    }
    if let Some(s) = start {
        spans.push((s, text.len()));
    }
    // Sentences end after ".", "?" or "!" (good enough for the seed article).
    let mut first = 0;
    for (s, e) in spans {
        a.tokens.push(Token {
            span: Span::new(s, e),
        });
        if matches!(&text[s..e], "." | "?" | "!") {
            let t = &a.tokens;
            a.sentences.push(Sentence {
                span: Span::new(t[first].span.start, e),
                tokens: first..t.len(),
            });
            first = t.len();
        }
    }
    if first < a.tokens.len() {
        let t = &a.tokens;
        a.sentences.push(Sentence {
            span: Span::new(t[first].span.start, text.len()),
            tokens: first..t.len(),
        });
    }
    a
}

#[test]
fn seed_article_people_places_and_organisations() {
    let Some(dir) = shared_dir("seed_article_people_places_and_organisations") else {
        return;
    };
    let text = std::fs::read_to_string(dir.join("data/samples/seed_article.txt")).unwrap();
    let mut a = tokenize(&text);
    tagger::Tagger::embedded().tag(&text, &mut a);
    let mut labels: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for e in &a.entities {
        labels
            .entry(e.span.slice(&text))
            .or_default()
            .push(e.label.to_string());
    }
    let expected = [
        ("Antony Blinken", "PER"),
        ("Sergey Lavrov", "PER"),
        ("Lavrov", "PER"),
        ("Blinken", "PER"),
        ("Putin", "PER"),
        ("Geneva", "LOC"),
        ("Switzerland", "LOC"),
        ("Russia", "LOC"),
        ("Ukraine", "LOC"),
        ("Brussels", "LOC"),
        ("Vienna", "LOC"),
        ("NATO", "ORG"),
        ("OSCE", "ORG"),
    ];
    for (name, label) in expected {
        let got = labels.get(name).cloned().unwrap_or_default();
        assert!(!got.is_empty(), "{name} not found; entities: {labels:?}");
        assert!(
            got.iter().all(|l| l == label),
            "{name} should be {label}, got {got:?}"
        );
    }
}

/// Every (label, text) entity of the TechCrunch feed through `newsflow run`, or `None`
/// when the shared data is missing.
fn techcrunch_entities(test: &str) -> Option<Vec<(String, String)>> {
    let dir = shared_dir(test)?;
    let feed = dir.join("data/feeds/real/techcrunch.xml");
    let out = run_ok(newsflow().arg("run").arg(&feed));
    let mut ents = Vec::new();
    for r in records(&out.stdout) {
        for e in r["entities"].as_array().into_iter().flatten() {
            let label = e["label"].as_str().unwrap_or_default().to_string();
            ents.push((label, e["text"].as_str().unwrap_or_default().to_string()));
        }
    }
    assert!(
        ents.len() > 500,
        "the feed has hundreds of entities: {}",
        ents.len()
    );
    Some(ents)
}

/// Issue 16's TechCrunch errors that the Title-Case copies and the company gazetteer
/// fixed: a Title-Case headline read as one organisation, Asana as a person, and
/// "T. Rowe Price" cut after the initial, then typed PER until the company list also
/// counted as organisations seen in training (`newsflow train --lists-as-org`).
#[test]
fn techcrunch_headlines_and_listed_companies_come_out_right() {
    let Some(ents) =
        techcrunch_entities("techcrunch_headlines_and_listed_companies_come_out_right")
    else {
        return;
    };
    let headline: Vec<&(String, String)> = ents
        .iter()
        .filter(|(_, t)| t.contains("Launches"))
        .collect();
    assert!(
        headline.is_empty(),
        "a headline read as a name: {headline:?}"
    );
    let asana: Vec<&str> = ents
        .iter()
        .filter(|(_, t)| t == "Asana")
        .map(|(l, _)| l.as_str())
        .collect();
    let orgs = asana.iter().filter(|&&l| l == "ORG").count();
    assert!(
        asana.len() >= 10 && orgs * 10 >= asana.len() * 9,
        "Asana is a company in at least 90 % of its mentions: {asana:?}"
    );
    assert!(
        !ents.iter().any(|(_, t)| t == "T. Rowe"),
        "T. Rowe Price is one name"
    );
    let rowe: Vec<&str> = ents
        .iter()
        .filter(|(_, t)| t == "T. Rowe Price")
        .map(|(l, _)| l.as_str())
        .collect();
    assert!(
        !rowe.is_empty() && rowe.iter().all(|&l| l == "ORG"),
        "T. Rowe Price is found, as a company: {rowe:?}"
    );
}

/// Issue 16's TechCrunch errors that the brand list (`data/gazetteers/org_brands.txt`,
/// counted as organisations seen in training) fixed: Gmail, Twitter and Facebook were
/// people. Google alone was a person in all 29 of its mentions and still is in 10, so only
/// a floor is asserted; Gmail comes out ORG where our labels say MISC, which is
/// no person either.
#[test]
fn techcrunch_brands_are_not_people() {
    let Some(ents) = techcrunch_entities("techcrunch_brands_are_not_people") else {
        return;
    };
    let labels = |name: &str| -> Vec<&str> {
        ents.iter()
            .filter(|(_, t)| t == name)
            .map(|(l, _)| l.as_str())
            .collect()
    };
    for name in ["Gmail", "Twitter", "Facebook"] {
        let ls = labels(name);
        assert!(
            ls.len() >= 5 && !ls.contains(&"PER"),
            "{name} is no person: {ls:?}"
        );
    }
    let google = labels("Google");
    let people = google.iter().filter(|&&l| l == "PER").count();
    assert!(
        google.len() >= 20 && people * 2 < google.len(),
        "Google is a person in fewer than half of its mentions: {google:?}"
    );
}

/// The judged sample of rule entities (`data/rule_precision/`): every sampled entity is
/// still found where it was judged, and each kind's score is its precision on the sample
/// (the add-one estimate `(right + 1) / (n + 2)`), so changing a rule or a score without
/// re-judging fails here.
#[test]
fn rule_scores_are_their_judged_precision() {
    let test = "rule_scores_are_their_judged_precision";
    let Some(dir) = shared_dir(test) else {
        return;
    };
    let sample = std::fs::read_to_string(repo_root().join("data/rule_precision/sample.tsv"))
        .expect("the judged sample is committed");
    // (article id, start, end, label, right)
    let rows: Vec<(String, u64, u64, String, bool)> = sample
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 5, "sample line {l:?}");
            (
                f[0].to_string(),
                f[1].parse().unwrap(),
                f[2].parse().unwrap(),
                f[3].to_string(),
                f[4] == "1",
            )
        })
        .collect();
    let ids: std::collections::HashSet<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    let mut articles = String::new();
    for name in ["reuters21578.jsonl", "bbc_news_2004_2005.jsonl"] {
        let text = std::fs::read_to_string(dir.join("data/news").join(name)).unwrap();
        for line in text.lines() {
            let v: Value = match serde_json::from_str(line) {
                Ok(v) => v,
                Err(_) => continue,
            };
            if v["id"].as_str().is_some_and(|id| ids.contains(id)) {
                articles.push_str(line);
                articles.push('\n');
            }
        }
    }
    let input = scratch(test).join("articles.jsonl");
    std::fs::write(&input, articles).unwrap();
    let out = run_ok(newsflow().arg("run").arg(&input));
    // (id, start, end, label) → score
    let mut found: BTreeMap<(String, u64, u64, String), f64> = BTreeMap::new();
    for rec in records(&out.stdout) {
        let id = rec["id"].as_str().unwrap().to_string();
        for e in rec["entities"].as_array().unwrap() {
            let key = (
                id.clone(),
                e["start"].as_u64().unwrap(),
                e["end"].as_u64().unwrap(),
                e["label"].as_str().unwrap().to_string(),
            );
            found.insert(key, e["score"].as_f64().unwrap());
        }
    }
    // label → (judged, right, the scores the run gave them)
    let mut tally: BTreeMap<&str, (usize, usize, Vec<f64>)> = BTreeMap::new();
    for (id, start, end, label, right) in &rows {
        let key = (id.clone(), *start, *end, label.clone());
        let Some(&score) = found.get(&key) else {
            panic!("{key:?} is no longer found: re-draw and re-judge the sample (its README)");
        };
        let t = tally.entry(label.as_str()).or_default();
        t.0 += 1;
        t.1 += usize::from(*right);
        t.2.push(score);
    }
    assert_eq!(
        tally.keys().copied().collect::<Vec<_>>(),
        ["DATE", "MONEY", "PERCENT", "TIME"]
    );
    for (label, (n, right, scores)) in tally {
        assert!(n >= 50, "{label}: only {n} judged");
        let precision = (right + 1) as f64 / (n + 2) as f64;
        for score in scores {
            assert!(
                (score - precision).abs() <= 1e-4,
                "{label} scores {score}, its judged precision is {precision:.4} ({right}/{n})"
            );
        }
    }
}
