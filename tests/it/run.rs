//! `newsflow run` end to end: records, sinks, bad input, signals.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::support::{newsflow, records, repo_root, run_ok, run_with_stdin, scratch, shared_dir};

fn sample(name: &str) -> PathBuf {
    repo_root().join("data/samples").join(name)
}

/// Python's `text[start:end]`: a slice by code points.
fn char_slice(text: &str, start: u64, end: u64) -> String {
    text.chars()
        .skip(start as usize)
        .take((end - start) as usize)
        .collect()
}

/// Checks the invariants every output record keeps.
fn check_record(r: &Value) {
    let text = r["text"].as_str().expect("text");
    let chars = text.chars().count() as u64;
    let mut last_end = 0;
    for s in r["sentences"].as_array().expect("sentences") {
        let (start, end) = (s["start"].as_u64().unwrap(), s["end"].as_u64().unwrap());
        assert!(
            last_end <= start && start < end && end <= chars,
            "bad sentence {s} in {r}"
        );
        last_end = end;
    }
    for e in r["entities"].as_array().expect("entities") {
        let (start, end) = (e["start"].as_u64().unwrap(), e["end"].as_u64().unwrap());
        assert_eq!(
            char_slice(text, start, end),
            e["text"].as_str().unwrap(),
            "entity {e}"
        );
    }
}

#[test]
fn sample_run_prints_one_record_per_article() {
    let out = run_ok(
        newsflow()
            .args(["run", "--ordered"])
            .arg(sample("news.jsonl")),
    );
    let recs = records(&out.stdout);
    assert_eq!(recs.len(), 6);
    recs.iter().for_each(check_record);
    assert_eq!(recs[0]["id"], "sample-001");
    // No id in the input: a stable 128-bit content hash.
    let derived = recs[4]["id"].as_str().unwrap();
    assert!(
        derived.len() == 32 && derived.chars().all(|c| c.is_ascii_hexdigit()),
        "{derived}"
    );
    // Unknown fields are carried through unchanged.
    assert_eq!(recs[2]["tags"], serde_json::json!(["weather", "europe"]));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("6 articles") && stderr.contains("0 rejected"),
        "{stderr}"
    );
}

#[test]
fn derived_ids_are_stable_across_runs() {
    let id = |out: std::process::Output| records(&out.stdout)[4]["id"].clone();
    let first = id(run_ok(
        newsflow()
            .args(["run", "--ordered", "-q"])
            .arg(sample("news.jsonl")),
    ));
    let again = id(run_ok(
        newsflow()
            .args(["run", "--ordered", "-q"])
            .arg(sample("news.jsonl")),
    ));
    assert_eq!(first, again);
}

#[test]
fn every_sink_receives_the_same_records() {
    let dir = scratch("sinks");
    let (jsonl, db) = (dir.join("out.jsonl"), dir.join("out.db"));
    let out = run_ok(
        newsflow()
            .args(["run", "-q", "--sink", "stdout"])
            .arg(format!("--sink=jsonl:{}", jsonl.display()))
            .arg(format!("--sink=sqlite:{}", db.display()))
            .arg(sample("news.jsonl")),
    );
    let file = std::fs::read(&jsonl).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&file)
    );
    let recs = records(&file);
    let sentences: usize = recs
        .iter()
        .map(|r| r["sentences"].as_array().unwrap().len())
        .sum();
    let entities: usize = recs
        .iter()
        .map(|r| r["entities"].as_array().unwrap().len())
        .sum();
    let conn = rusqlite::Connection::open(&db).unwrap();
    let count = |sql: &str| conn.query_row(sql, [], |row| row.get::<_, i64>(0)).unwrap() as usize;
    assert_eq!(count("SELECT count(*) FROM articles"), 6);
    assert_eq!(count("SELECT count(*) FROM sentences"), sentences);
    assert_eq!(count("SELECT count(*) FROM entities"), entities);
    let text: String = conn
        .query_row(
            "SELECT text FROM articles WHERE id = 'sample-003'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let want = recs.iter().find(|r| r["id"] == "sample-003").unwrap()["text"].clone();
    assert_eq!(text, want.as_str().unwrap());
    drop(conn);

    // A re-run upserts: still one row per article.
    run_ok(
        newsflow()
            .args(["run", "-q"])
            .arg(format!("--sink=sqlite:{}", db.display()))
            .arg(sample("news.jsonl")),
    );
    let conn = rusqlite::Connection::open(&db).unwrap();
    let again: i64 = conn
        .query_row("SELECT count(*) FROM articles", [], |r| r.get(0))
        .unwrap();
    assert_eq!(again, 6);
    let sentences_again: i64 = conn
        .query_row("SELECT count(*) FROM sentences", [], |r| r.get(0))
        .unwrap();
    assert_eq!(sentences_again as usize, sentences);
}

#[test]
fn broken_line_is_reported_and_the_rest_goes_on() {
    let dir = scratch("broken");
    let dead = dir.join("dead.jsonl");
    let out = run_ok(
        newsflow()
            .args(["run", "--ordered", "--dead-letter"])
            .arg(&dead)
            .arg(sample("broken.jsonl")),
    );
    let ids: Vec<_> = records(&out.stdout)
        .iter()
        .map(|r| r["id"].clone())
        .collect();
    assert_eq!(ids, ["sample-001", "sample-002"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("broken.jsonl:2: rejected record: invalid JSON"),
        "{stderr}"
    );
    assert!(stderr.contains("1 rejected"), "{stderr}");
    let letters = std::fs::read_to_string(&dead).unwrap();
    let letter: Value = serde_json::from_str(letters.trim()).unwrap();
    assert_eq!(letter["line"], 2);
    assert!(letter["record"]
        .as_str()
        .unwrap()
        .contains("this line is cut off"));
}

#[test]
fn records_without_text_or_with_bad_types_are_dead_lettered() {
    let input = concat!(
        "{\"id\":\"ok\",\"body\":\"Fine.\"}\n",
        "{\"id\":\"empty\"}\n",
        "[1,2]\n",
        "\n",
        "{\"id\":\"typed\",\"body\":42}\n",
        "{\"id\":\"ok2\",\"text\":\"Also fine.\"}\n",
    );
    let out = run_with_stdin(&["run", "--ordered"], input);
    let ids: Vec<_> = records(&out.stdout)
        .iter()
        .map(|r| r["id"].clone())
        .collect();
    assert_eq!(ids, ["ok", "ok2"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    for line in [
        "-:2: rejected record: no text",
        "-:3: rejected",
        "-:5: rejected",
    ] {
        assert!(stderr.contains(line), "missing {line:?} in {stderr}");
    }
    assert!(stderr.contains("3 rejected"), "{stderr}");
}

#[test]
fn missing_input_fails_before_running() {
    let out = newsflow()
        .args(["run", "/no/such/input.jsonl"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("/no/such/input.jsonl"), "{stderr}");
}

#[test]
fn sigterm_with_open_stdin_drains_and_exits_zero() {
    let mut child = newsflow()
        .args(["run", "--ordered"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    for i in 0..30 {
        writeln!(
            stdin,
            r#"{{"id":"{i}","body":"Story {i} from Geneva. Second sentence."}}"#
        )
        .unwrap();
    }
    stdin.flush().unwrap();
    // Wait for the records themselves rather than for time to pass.
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let seen: Vec<String> = lines.by_ref().take(30).map(|l| l.unwrap()).collect();
    assert_eq!(seen.len(), 30);
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let rest: Vec<String> = lines.map(|l| l.unwrap()).collect();
    let out = child.wait_with_output().unwrap();
    drop(stdin);
    assert!(out.status.success(), "exit {:?}", out.status);
    assert!(rest.is_empty(), "unexpected extra output {rest:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("30 articles"), "{stderr}");
}

#[test]
fn seed_article_keeps_its_text_and_offsets() {
    let Some(shared) = shared_dir("seed_article_keeps_its_text_and_offsets") else {
        return;
    };
    let body = std::fs::read_to_string(shared.join("data/samples/seed_article.txt")).unwrap();
    let record = serde_json::json!({"id": "seed", "body": body}).to_string();
    let out = run_with_stdin(&["run"], &record);
    let recs = records(&out.stdout);
    assert_eq!(recs.len(), 1);
    assert_eq!(
        recs[0]["text"].as_str().unwrap(),
        body,
        "text must be the body, unchanged"
    );
    check_record(&recs[0]);
    let n = recs[0]["sentences"].as_array().unwrap().len();
    assert!(
        (14..=18).contains(&n),
        "expected about 16 sentences, got {n}"
    );
}

#[test]
fn jsonl_sink_rotates_between_whole_records() {
    let dir = scratch("rotate");
    let path = dir.join("out.jsonl");
    run_ok(
        newsflow()
            .args([
                "run",
                "-q",
                "--ordered",
                "--batch",
                "1",
                "--rotate-bytes",
                "2000",
            ])
            .arg(format!("--sink=jsonl:{}", path.display()))
            .arg(sample("news.jsonl")),
    );
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 3, "expected rotated files, got {files:?}");
    let mut ids = Vec::new();
    // Rotated files in number order, then the live file: the original order.
    let mut ordered: Vec<&PathBuf> = files.iter().filter(|p| *p != &path).collect();
    ordered.sort_by_key(|p| {
        p.extension()
            .and_then(|e| e.to_str())
            .and_then(|e| e.parse::<u32>().ok())
    });
    ordered.push(&path);
    for file in ordered {
        for r in records(&std::fs::read(file).unwrap()) {
            ids.push(r["id"].as_str().unwrap().to_string());
        }
    }
    assert_eq!(ids.len(), 6);
    assert_eq!(ids[0], "sample-001");
    assert_eq!(ids[5], "sample-006");
}

#[test]
fn config_file_sets_sinks_and_flags_override_it() {
    let dir = scratch("config");
    let (from_file, from_flag) = (dir.join("file.jsonl"), dir.join("flag.jsonl"));
    let config = dir.join("newsflow.toml");
    let toml = format!(
        "inputs = [{:?}]\nsinks = [\"jsonl:{}\"]\nworkers = 1\nordered = true\n",
        sample("news.jsonl").display().to_string(),
        from_file.display()
    );
    std::fs::write(&config, toml).unwrap();
    run_ok(newsflow().args(["run", "-q", "--config"]).arg(&config));
    assert_eq!(records(&std::fs::read(&from_file).unwrap()).len(), 6);

    run_ok(
        newsflow()
            .args(["run", "-q", "--config"])
            .arg(&config)
            .arg(format!("--sink=jsonl:{}", from_flag.display())),
    );
    assert_eq!(records(&std::fs::read(&from_flag).unwrap()).len(), 6);
    assert_eq!(
        records(&std::fs::read(&from_file).unwrap()).len(),
        6,
        "flag must replace file sinks"
    );

    std::fs::write(&config, "workerz = 1\n").unwrap();
    let out = newsflow()
        .args(["run", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("workerz"));
}

#[test]
fn min_score_drops_only_the_less_likely_entities() {
    let all = records(
        &run_ok(
            newsflow()
                .args(["run", "-q", "--ordered"])
                .arg(sample("news.jsonl")),
        )
        .stdout,
    );
    let sure = records(
        &run_ok(
            newsflow()
                .args(["run", "-q", "--ordered", "--min-score", "0.9"])
                .arg(sample("news.jsonl")),
        )
        .stdout,
    );
    let key = |e: &Value| {
        (
            e["start"].to_string(),
            e["end"].to_string(),
            e["label"].to_string(),
        )
    };
    let (mut dropped, mut kept) = (0, 0);
    for (a, s) in all.iter().zip(&sure) {
        let high: Vec<_> = a["entities"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["score"].as_f64().unwrap() >= 0.9)
            .map(key)
            .collect();
        let got: Vec<_> = s["entities"].as_array().unwrap().iter().map(key).collect();
        assert_eq!(got, high, "article {}", a["id"]);
        kept += got.len();
        dropped += a["entities"].as_array().unwrap().len() - got.len();
    }
    assert!(kept > 0 && dropped > 0, "kept {kept}, dropped {dropped}");

    let out = newsflow()
        .args(["run", "--min-score", "1.5"])
        .arg(sample("news.jsonl"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--min-score"));
}

#[test]
fn patterns_file_overrides_the_model() {
    let dir = scratch("patterns");
    let patterns = dir.join("patterns.jsonl");
    std::fs::write(
        &patterns,
        "{\"label\":\"VENUE\",\"pattern\":\"Santiago Bernabeu\"}\n",
    )
    .unwrap();
    let out = run_ok(
        newsflow()
            .args(["run", "-q", "--ordered", "--patterns"])
            .arg(&patterns)
            .arg(sample("news.jsonl")),
    );
    let recs = records(&out.stdout);
    let venue: Vec<_> = recs[3]["entities"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["text"] == "Santiago Bernabeu")
        .map(|e| e["label"].clone())
        .collect();
    assert_eq!(venue, ["VENUE"]);
    recs.iter().for_each(check_record);

    let out = newsflow()
        .args(["run", "--model", "/no/such/model.bin"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/no/such/model.bin"));
}

#[test]
fn bench_reports_articles_per_language() {
    // Issue 15: `bench`, like the run summary, says how many articles each language had.
    let dir = scratch("bench-languages");
    let corpus = dir.join("mixed.jsonl");
    std::fs::write(
        &corpus,
        concat!(
            r#"{"id":"en1","body":"The central bank raised its interest rate on Tuesday, and officials said more increases were likely this year."}"#,
            "\n",
            r#"{"id":"en2","body":"Shares fell sharply in early trading after the company warned that its profits would be lower than expected."}"#,
            "\n",
            r#"{"id":"de1","body":"Die Regierung hat am Dienstag beschlossen, dass die neuen Regeln erst im nächsten Jahr in Kraft treten sollen."}"#,
            "\n",
        ),
    )
    .unwrap();
    let out = run_ok(
        newsflow()
            .args(["bench", "--workers", "1", "--json"])
            .arg(&corpus),
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        report["languages"],
        serde_json::json!({"de": 1, "en": 2}),
        "{report}"
    );
    let table = run_ok(newsflow().args(["bench", "--workers", "1"]).arg(&corpus));
    let table = String::from_utf8_lossy(&table.stdout);
    assert!(
        table.contains("languages              en 2, de 1"),
        "{table}"
    );
}
