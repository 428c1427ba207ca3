//! The 48 English Golden Rules through the library, when `NEWSFLOW_SHARED` points at the
//! shared data (the binary-level test in `tests/it/golden_rules.rs` is the one CI requires).

use segment::Segmenter;

#[test]
fn passes_the_english_golden_rules() {
    let Some(dir) = std::env::var_os("NEWSFLOW_SHARED") else {
        eprintln!("SKIPPED golden rules: NEWSFLOW_SHARED is not set");
        return;
    };
    let path = std::path::Path::new(&dir).join("data/golden_rules_en.json");
    let Ok(raw) = std::fs::read_to_string(&path) else {
        eprintln!("SKIPPED golden rules: cannot read {}", path.display());
        return;
    };
    let rules: serde_json::Value = serde_json::from_str(&raw).unwrap();
    let segmenter = Segmenter::new();
    let mut failures = Vec::new();
    let rules = rules.as_array().unwrap();
    for rule in rules {
        let text = rule["text"].as_str().unwrap();
        let want: Vec<&str> = rule["sentences"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().trim())
            .collect();
        let got: Vec<&str> = segmenter
            .sentences(text)
            .iter()
            .map(|s| s.slice(text))
            .collect();
        if got != want {
            failures.push(format!(
                "rule {} {}:\n  want {want:?}\n  got  {got:?}",
                rule["id"], rule["name"]
            ));
        }
    }
    eprintln!(
        "golden rules: {}/{} pass",
        rules.len() - failures.len(),
        rules.len()
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
