//! `newsflow eval`: conlleval-style precision, recall and F1 of the tagger on a CoNLL file.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;

/// Arguments of `newsflow eval`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// CoNLL file with the gold tag in the last column.
    #[arg(long)]
    conll: PathBuf,
    /// Model file; the embedded model when omitted.
    #[arg(long)]
    model: Option<PathBuf>,
    /// Print one JSON object instead of the table.
    #[arg(long)]
    json: bool,
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let text = std::fs::read_to_string(&args.conll)
        .with_context(|| format!("cannot read {}", args.conll.display()))?;
    let file = tagger::ConllFile::parse(&text);
    let loading = Instant::now();
    let tagger = match &args.model {
        Some(p) => {
            tagger::Tagger::load(p).with_context(|| format!("cannot load model {}", p.display()))?
        }
        None => tagger::Tagger::embedded(),
    };
    let load_ms = loading.elapsed().as_secs_f64() * 1e3;
    let tagging = Instant::now();
    let scores = tagger.evaluate(&file);
    let secs = tagging.elapsed().as_secs_f64();
    let mut out = std::io::stdout().lock();
    if args.json {
        let row = |c: &tagger::Counts| {
            serde_json::json!({
                "precision": c.precision(), "recall": c.recall(), "f1": c.f1(),
                "correct": c.correct, "predicted": c.predicted, "gold": c.gold,
            })
        };
        let types: serde_json::Map<String, serde_json::Value> = scores
            .per_type
            .iter()
            .map(|(t, c)| (t.clone(), row(c)))
            .collect();
        let doc = serde_json::json!({
            "tokens": scores.tokens, "overall": row(&scores.overall), "types": types,
            "load_ms": load_ms, "tag_seconds": secs,
        });
        writeln!(out, "{doc}")?;
        return Ok(ExitCode::SUCCESS);
    }
    let o = &scores.overall;
    writeln!(
        out,
        "processed {} tokens with {} phrases; found: {} phrases; correct: {}.",
        scores.tokens, o.gold, o.predicted, o.correct
    )?;
    writeln!(
        out,
        "{:<8} {:>9} {:>7} {:>6} {:>6} {:>6}",
        "type", "precision", "recall", "F1", "gold", "found"
    )?;
    let mut line = |name: &str, c: &tagger::Counts| {
        writeln!(
            out,
            "{:<8} {:>9.2} {:>7.2} {:>6.2} {:>6} {:>6}",
            name,
            c.precision(),
            c.recall(),
            c.f1(),
            c.gold,
            c.predicted
        )
    };
    line("overall", o)?;
    for (t, c) in &scores.per_type {
        line(t, c)?;
    }
    writeln!(
        out,
        "model loaded in {load_ms:.1} ms; tagged in {secs:.2} s ({:.0} tokens/s including rules and scoring)",
        scores.tokens as f64 / secs.max(1e-9)
    )?;
    Ok(ExitCode::SUCCESS)
}
