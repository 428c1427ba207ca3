//! Prints the sentences of stdin (JSON Lines bodies or plain text), one per line, for
//! eyeballing the rules on real text: `cargo run -p segment --example split < file`.

use std::io::Read;

fn main() -> std::io::Result<()> {
    let mut input = String::new();
    std::io::stdin().read_to_string(&mut input)?;
    let segmenter = segment::Segmenter::new();
    let texts: Vec<String> = if input.trim_start().starts_with('{') {
        input
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter_map(|v| v.get("body").and_then(|b| b.as_str()).map(str::to_string))
            .collect()
    } else {
        vec![input]
    };
    let tokens = std::env::args().any(|a| a == "--tokens");
    for text in &texts {
        let analysis = segmenter.analyse(text);
        for s in &analysis.sentences {
            if tokens {
                let toks: Vec<_> = analysis.tokens[s.tokens.clone()]
                    .iter()
                    .map(|t| t.span.slice(text))
                    .collect();
                println!("{}", toks.join(" | "));
            } else {
                println!("{}", s.span.slice(text).replace('\n', " "));
            }
        }
        println!("----");
    }
    Ok(())
}
