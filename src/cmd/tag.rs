//! `newsflow tag`: appends a predicted entity tag to every token line of a CoNLL file.

use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

/// Tag scheme of the appended column.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum SchemeArg {
    /// CoNLL-2003 style: `B-` only between adjacent entities of one type.
    Iob1,
    /// Every entity opens with `B-`.
    Iob2,
}

/// Arguments of `newsflow tag`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// CoNLL file: token first, any columns after, blank lines between sentences.
    #[arg(long)]
    conll: PathBuf,
    /// Tag scheme of the appended column.
    #[arg(long, value_enum, default_value = "iob1")]
    scheme: SchemeArg,
    /// Model file; the embedded model when omitted.
    #[arg(long)]
    model: Option<PathBuf>,
    /// Also write DATE, TIME, MONEY, PERCENT and pattern labels, not only the CoNLL four.
    #[arg(long)]
    all_labels: bool,
    /// JSON Lines file of `{"label","pattern"}` phrases that override the model.
    #[arg(long)]
    patterns: Option<PathBuf>,
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let text = std::fs::read_to_string(&args.conll)
        .with_context(|| format!("cannot read {}", args.conll.display()))?;
    let file = tagger::ConllFile::parse(&text);
    let mut tagger = match &args.model {
        Some(p) => {
            tagger::Tagger::load(p).with_context(|| format!("cannot load model {}", p.display()))?
        }
        None => tagger::Tagger::embedded(),
    };
    if let Some(p) = &args.patterns {
        let patterns = tagger::Patterns::load(p)
            .with_context(|| format!("cannot load patterns {}", p.display()))?;
        tagger = tagger.with_patterns(patterns);
    }
    let scheme = match args.scheme {
        SchemeArg::Iob1 => tagger::Scheme::Iob1,
        SchemeArg::Iob2 => tagger::Scheme::Iob2,
    };
    let predicted = tagger.tag_conll(&file, !args.all_labels);
    // One predicted tag per line; -DOCSTART- lines get O, as conlleval expects.
    let mut tags: Vec<Option<String>> = file
        .lines
        .iter()
        .map(|l| l.is_docstart().then(|| "O".to_string()))
        .collect();
    for (doc, pred) in file.documents.iter().zip(predicted) {
        for (sent, spans) in doc.sentences.iter().zip(pred) {
            for (&line, tag) in sent
                .iter()
                .zip(tagger::labels::to_tags(sent.len(), &spans, scheme))
            {
                tags[line] = Some(tag);
            }
        }
    }
    let mut out = BufWriter::new(std::io::stdout().lock());
    for (line, tag) in file.lines.iter().zip(tags) {
        out.write_all(line.text.as_bytes())?;
        if let Some(tag) = tag {
            write!(out, " {tag}")?;
        }
        if line.terminated {
            out.write_all(if line.crlf { b"\r\n" } else { b"\n" })?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
