//! The 48 English Golden Rules through `newsflow run`: each rule is one JSON Lines record,
//! and its output `sentences` (code point offsets into `text`) must match the expected list.

use std::collections::HashMap;
use std::io::Write;
use std::process::Stdio;

use serde_json::Value;

use crate::support::{newsflow, shared_dir};

/// Reads the rules file: `[{id, name, text, sentences}]`.
fn load_rules() -> Option<Vec<Value>> {
    let dir = shared_dir("golden_rules")?;
    let path = dir.join("data/golden_rules_en.json");
    let raw = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let rules: Value = serde_json::from_str(&raw).expect("golden rules file is a JSON array");
    Some(
        rules
            .as_array()
            .expect("golden rules file is a JSON array")
            .clone(),
    )
}

/// Slices `text` by code point offsets.
fn slice_chars(text: &str, start: usize, end: usize) -> String {
    text.chars()
        .skip(start)
        .take(end.saturating_sub(start))
        .collect()
}

#[test]
fn english_golden_rules_pass_through_the_binary() {
    let Some(rules) = load_rules() else { return };
    let mut input = String::new();
    for rule in &rules {
        let record =
            serde_json::json!({ "id": format!("rule-{}", rule["id"]), "body": rule["text"] });
        input.push_str(&record.to_string());
        input.push('\n');
    }

    let mut child = newsflow()
        .args(["run", "--quiet", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("newsflow starts");
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(input.as_bytes())
        .expect("write input");
    let output = child.wait_with_output().expect("newsflow finishes");
    assert!(
        output.status.success(),
        "newsflow run failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );

    let mut records = HashMap::new();
    for line in String::from_utf8(output.stdout)
        .expect("UTF-8 output")
        .lines()
    {
        let record: Value = serde_json::from_str(line).expect("each output line is JSON");
        let id = record["id"]
            .as_str()
            .expect("records carry their id")
            .to_string();
        records.insert(id, record);
    }

    let mut failures = Vec::new();
    for rule in &rules {
        let id = format!("rule-{}", rule["id"]);
        let want: Vec<String> = rule["sentences"]
            .as_array()
            .expect("sentences is an array")
            .iter()
            .map(|s| {
                s.as_str()
                    .expect("sentences are strings")
                    .trim()
                    .to_string()
            })
            .collect();
        let Some(record) = records.get(&id) else {
            failures.push(format!("{id} {}: no output record", rule["name"]));
            continue;
        };
        let text = record["text"].as_str().expect("records carry their text");
        let got: Vec<String> = record["sentences"]
            .as_array()
            .expect("records carry sentences")
            .iter()
            .map(|s| {
                let start = s["start"].as_u64().expect("start offset") as usize;
                let end = s["end"].as_u64().expect("end offset") as usize;
                slice_chars(text, start, end).trim().to_string()
            })
            .collect();
        if got != want {
            failures.push(format!(
                "{id} {}:\n  want {want:?}\n  got  {got:?}",
                rule["name"]
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} golden rules fail:\n{}",
        failures.len(),
        rules.len(),
        failures.join("\n")
    );
}
