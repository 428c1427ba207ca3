//! `newsflow eval`: conlleval-style precision, recall and F1 of the tagger on a CoNLL file,
//! with the calibration of its scores (reliability table, expected calibration error), as
//! a table, one JSON object, or a self-contained HTML report.
//!
//! `--running` scores the same documents as running text: each written as the wire story
//! it was cut from (`tagger::ConllFile::running_text`) and analysed exactly as `newsflow
//! run` analyses a record (`pipeline::analyse` over run's stages), scored on the output
//! record's entity offsets. It lives here rather than in a test so anyone can run it on the
//! held-out sets (CoNLL test, 2020 Reuters) with one command, and `--records`/`--output`
//! let the same scoring read a real `newsflow run` output.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use analysis::{Analyzer, NerModels, Step};
use anyhow::Context;
use article::{Article, CharOffsets};
use tagger::calibration::{BINS, HIGH};
use tagger::{Confusion, ConllFile, Counts, Evaluation, Reliability, TagSpan, TYPES};

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
    /// Also write a self-contained HTML report (per-type scores, confusion tables, the
    /// reliability diagram) to this file.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// Score running text instead of the CoNLL tokens: each document as a record
    /// {id,title,body} (the headline as title, detokenised), analysed as `newsflow run`
    /// does, scored on the output's entity offsets.
    #[arg(long)]
    running: bool,
    /// With --running: also write the records (JSON Lines, input for `newsflow run`) here.
    #[arg(long, value_name = "FILE", requires = "running")]
    records: Option<PathBuf>,
    /// With --running: score this output of `newsflow run RECORDS --sink jsonl:FILE`
    /// instead of analysing the records in-process.
    #[arg(long, value_name = "FILE", requires = "running")]
    output: Option<PathBuf>,
}

/// Everything `eval` measured, built once and rendered as text, JSON or HTML.
struct Report {
    /// The CoNLL file scored, as given.
    source: String,
    /// Precision/recall/F1, confusion counts and scored predictions.
    eval: Evaluation,
    /// Calibration of the predictions' scores.
    reliability: Reliability,
    /// The model's calibration temperature.
    temperature: f32,
    /// Model load time.
    load_ms: f64,
    /// Tagging and scoring time.
    tag_seconds: f64,
    /// With `--running`: how the documents went through the analysis.
    running: Option<Running>,
}

/// What a running-text evaluation saw besides the scores.
struct Running {
    /// Documents (records) scored.
    documents: usize,
    /// Records whose output names no entity model, by detected language (`none`: too
    /// short to tell): the English model never saw them, only the neutral rules did.
    untagged: BTreeMap<String, usize>,
    /// Records absent from the output (skipped or dead-lettered): all their gold is missed.
    missing: usize,
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
    let temperature = tagger.temperature();
    let (eval, running) = if args.running {
        let (eval, running) = evaluate_running(&file, tagger, &args)?;
        (eval, Some(running))
    } else {
        (tagger.evaluate_detailed(&file, &|_| true), None)
    };
    let tag_seconds = tagging.elapsed().as_secs_f64();
    let report = Report {
        source: args.conll.display().to_string(),
        reliability: Reliability::of(&eval.points, BINS),
        eval,
        temperature,
        load_ms,
        tag_seconds,
        running,
    };
    if let Some(path) = &args.html {
        std::fs::write(path, html(&report))
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", json(&report))?;
    } else {
        out.write_all(table(&report).as_bytes())?;
    }
    Ok(ExitCode::SUCCESS)
}

/// One document as a record for `newsflow run`, with what scoring its output needs.
struct RunningDoc {
    /// The record.
    article: Article,
    /// Gold entities as code point ranges of the record's text (`Article::text`: the
    /// title, a blank line, the body), as the output's offsets are.
    gold: Vec<TagSpan>,
    /// Code point offsets of the full stops CoNLL split off a sentence's last word
    /// (`RunningPart::split_stops`).
    split_stops: HashSet<usize>,
    /// CoNLL tokens in the document.
    tokens: usize,
}

impl RunningDoc {
    /// Document `index` of `file`.
    fn new(file: &ConllFile, index: usize) -> Self {
        let doc = &file.documents[index];
        let r = file.running_text(doc);
        let article = Article {
            id: format!("doc-{}", index + 1),
            title: Some(r.title.text.clone()),
            body: r.body.text.clone(),
            ..Article::default()
        };
        let text = article.text();
        let offsets = CharOffsets::new(&text);
        // The body ends the text whatever separates it from the title.
        let body_at = text.len() - article.body.len();
        let parts = [(0, r.title), (body_at, r.body)];
        let mut gold = Vec::new();
        let mut split_stops = HashSet::new();
        for (at, part) in parts {
            gold.extend(part.gold.into_iter().map(|g| TagSpan {
                tokens: offsets.char_offset(at + g.tokens.start)
                    ..offsets.char_offset(at + g.tokens.end),
                ty: g.ty,
            }));
            split_stops.extend(
                part.split_stops
                    .iter()
                    .map(|&p| offsets.char_offset(at + p)),
            );
        }
        let tokens = doc.sentences.iter().map(Vec::len).sum();
        Self {
            article,
            gold,
            split_stops,
            tokens,
        }
    }

    /// A predicted span as scored: one that ends with a split-off full stop ends before it,
    /// as the gold span does (the tokeniser was right to read `Corp.` as one word).
    fn scored(&self, mut span: TagSpan) -> TagSpan {
        if span.tokens.end > span.tokens.start + 1
            && self.split_stops.contains(&(span.tokens.end - 1))
        {
            span.tokens.end -= 1;
        }
        span
    }
}

/// The PER/ORG/LOC/MISC entities of an output record, as code point ranges with scores.
fn record_entities(record: &serde_json::Value) -> Vec<(TagSpan, f32)> {
    let Some(entities) = record.get("entities").and_then(|e| e.as_array()) else {
        return Vec::new();
    };
    entities
        .iter()
        .filter_map(|e| {
            let label = e.get("label")?.as_str()?;
            if !TYPES.contains(&label) {
                return None;
            }
            let start = usize::try_from(e.get("start")?.as_u64()?).ok()?;
            let end = usize::try_from(e.get("end")?.as_u64()?).ok()?;
            let score = e.get("score")?.as_f64()? as f32;
            Some((
                TagSpan {
                    tokens: start..end,
                    ty: label.to_string(),
                },
                score,
            ))
        })
        .collect()
}

/// Scores the documents of `file` as running text: records built by [`RunningDoc::new`],
/// analysed in-process through run's stages or read from `--output`, and scored on each
/// record's entity offsets with the same counts, confusion and calibration points as the
/// token-level evaluation.
fn evaluate_running(
    file: &ConllFile,
    tagger: tagger::Tagger,
    args: &Args,
) -> anyhow::Result<(Evaluation, Running)> {
    let docs: Vec<RunningDoc> = (0..file.documents.len())
        .map(|i| RunningDoc::new(file, i))
        .collect();
    if let Some(path) = &args.records {
        let mut lines = String::new();
        for d in &docs {
            lines.push_str(&d.article.to_json());
            lines.push('\n');
        }
        std::fs::write(path, lines).with_context(|| format!("cannot write {}", path.display()))?;
    }
    let mut outputs: HashMap<String, serde_json::Value> = HashMap::new();
    let mut keep = |json: &str| -> anyhow::Result<()> {
        let v: serde_json::Value =
            serde_json::from_str(json).context("output record is not JSON")?;
        if let Some(id) = v.get("id").and_then(|i| i.as_str()) {
            outputs.insert(id.to_string(), v);
        }
        Ok(())
    };
    match &args.output {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            for line in text.lines().filter(|l| !l.trim().is_empty()) {
                keep(line).with_context(|| format!("in {}", path.display()))?;
            }
        }
        None => {
            let stages = Analyzer::build(NerModels::english(tagger), Step::Quote, None).stages();
            for RunningDoc { article: a, .. } in &docs {
                let record = pipeline::analyse(a.clone(), &stages)
                    .map_err(|e| anyhow::anyhow!("{}: the analysis failed: {e}", a.id))?;
                if record.doc.skipped.is_none() {
                    keep(&record.json)?;
                }
            }
        }
    }
    let mut ev = Evaluation::default();
    let mut running = Running {
        documents: docs.len(),
        untagged: BTreeMap::new(),
        missing: 0,
    };
    for d in &docs {
        let predicted = match outputs.get(&d.article.id) {
            Some(record) => {
                if record.get("ner_model").is_none_or(|m| m.is_null()) {
                    let lang = record
                        .get("lang")
                        .and_then(|l| l.as_str())
                        .unwrap_or("none");
                    *running.untagged.entry(lang.to_string()).or_default() += 1;
                }
                record_entities(record)
                    .into_iter()
                    .map(|(e, s)| (d.scored(e), s))
                    .collect()
            }
            None => {
                running.missing += 1;
                Vec::new()
            }
        };
        let spans: Vec<TagSpan> = predicted.iter().map(|(e, _)| e.clone()).collect();
        ev.points
            .extend(predicted.iter().map(|(e, s)| (*s, d.gold.contains(e))));
        ev.scores.add(&d.gold, &spans);
        ev.confusion.add(&d.gold, &spans);
        ev.scores.tokens += d.tokens;
    }
    Ok((ev, running))
}

fn counts_json(c: &Counts) -> serde_json::Value {
    serde_json::json!({
        "precision": c.precision(), "recall": c.recall(), "f1": c.f1(),
        "correct": c.correct, "predicted": c.predicted, "gold": c.gold,
    })
}

fn json(r: &Report) -> serde_json::Value {
    let s = &r.eval.scores;
    let types: serde_json::Map<String, serde_json::Value> = s
        .per_type
        .iter()
        .map(|(t, c)| (t.clone(), counts_json(c)))
        .collect();
    let rel = &r.reliability;
    let bins: Vec<serde_json::Value> = rel
        .bins
        .iter()
        .map(|b| {
            serde_json::json!({
                "lo": b.lo, "hi": b.hi, "count": b.count,
                "mean_score": b.mean_score, "accuracy": b.accuracy,
            })
        })
        .collect();
    serde_json::json!({
        "tokens": s.tokens, "overall": counts_json(&s.overall), "types": types,
        "calibration": {
            "ece": rel.ece, "nll": rel.nll, "entities": rel.count, "temperature": r.temperature,
            "high_threshold": HIGH, "high_precision": rel.high_precision,
            "high_share_of_correct": rel.high_share, "bins": bins,
        },
        "running": r.running.as_ref().map(|run| serde_json::json!({
            "documents": run.documents, "untagged_by_lang": run.untagged, "missing": run.missing,
        })),
        "load_ms": r.load_ms, "tag_seconds": r.tag_seconds,
    })
}

fn table(r: &Report) -> String {
    let s = &r.eval.scores;
    let o = &s.overall;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "processed {} tokens with {} phrases; found: {} phrases; correct: {}.",
        s.tokens, o.gold, o.predicted, o.correct
    );
    let _ = writeln!(
        out,
        "{:<8} {:>9} {:>7} {:>6} {:>6} {:>6}",
        "type", "precision", "recall", "F1", "gold", "found"
    );
    let mut line = |name: &str, c: &Counts| {
        let _ = writeln!(
            out,
            "{:<8} {:>9.2} {:>7.2} {:>6.2} {:>6} {:>6}",
            name,
            c.precision(),
            c.recall(),
            c.f1(),
            c.gold,
            c.predicted
        );
    };
    line("overall", o);
    for (t, c) in &s.per_type {
        line(t, c);
    }
    if let Some(run) = &r.running {
        let _ = writeln!(
            out,
            "running text: {} documents as records, {} not tagged by the English model{}, {} missing from the output",
            run.documents,
            run.untagged.values().sum::<usize>(),
            if run.untagged.is_empty() {
                String::new()
            } else {
                let langs: Vec<String> =
                    run.untagged.iter().map(|(l, n)| format!("{l} {n}")).collect();
                format!(" (language: {})", langs.join(", "))
            },
            run.missing
        );
    }
    let rel = &r.reliability;
    let _ = writeln!(
        out,
        "calibration of {} entity scores (temperature {:.3}): ECE {:.4}; score >= {HIGH}: {:.2} % right, {:.2} % of the right ones",
        rel.count,
        r.temperature,
        rel.ece,
        100.0 * rel.high_precision,
        100.0 * rel.high_share
    );
    let _ = writeln!(
        out,
        "{:<11} {:>6} {:>10} {:>9}",
        "score", "count", "mean score", "accuracy"
    );
    for b in &rel.bins {
        let _ = writeln!(
            out,
            "{:<11} {:>6} {:>10.3} {:>9.3}",
            format!("{:.1}-{:.1}", b.lo, b.hi),
            b.count,
            b.mean_score,
            b.accuracy
        );
    }
    let _ = writeln!(
        out,
        "model loaded in {:.1} ms; tagged in {:.2} s ({:.0} tokens/s including rules and scoring)",
        r.load_ms,
        r.tag_seconds,
        s.tokens as f64 / r.tag_seconds.max(1e-9)
    );
    out
}

/// Escapes text for HTML element content and attribute values.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Size of the reliability diagram's plot square, in SVG user units.
const PLOT: f64 = 320.0;
/// Margin around the plot square for the axes' labels.
const PAD: f64 = 40.0;

/// The reliability diagram: accuracy per bin as bars against the diagonal of perfect
/// calibration, with each bin's mean score marked, as inline SVG.
fn reliability_svg(rel: &Reliability) -> String {
    let side = PLOT + 2.0 * PAD;
    let x = |v: f64| PAD + v * PLOT;
    let y = |v: f64| PAD + (1.0 - v) * PLOT;
    let mut s = String::new();
    let _ = write!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {side} {side}" width="{side}" height="{side}" role="img" aria-label="reliability diagram">"##
    );
    let _ = write!(
        s,
        r##"<rect x="{PAD}" y="{PAD}" width="{PLOT}" height="{PLOT}" fill="#fff" stroke="#999"/>"##
    );
    for b in rel.bins.iter().filter(|b| b.count > 0) {
        let w = (b.hi - b.lo) * PLOT;
        let top = y(b.accuracy);
        let _ = write!(
            s,
            r##"<rect class="bar" x="{:.1}" y="{top:.1}" width="{:.1}" height="{:.1}" fill="#4a7bd0" fill-opacity="0.75" stroke="#fff"><title>{:.1}–{:.1}: {} entities, mean score {:.3}, accuracy {:.3}</title></rect>"##,
            x(b.lo),
            w,
            PAD + PLOT - top,
            b.lo,
            b.hi,
            b.count,
            b.mean_score,
            b.accuracy
        );
        let _ = write!(
            s,
            r##"<circle cx="{:.1}" cy="{:.1}" r="3" fill="#c64600"/>"##,
            x(b.mean_score),
            y(b.accuracy)
        );
    }
    let _ = write!(
        s,
        r##"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#333" stroke-dasharray="4 3"/>"##,
        x(0.0),
        y(0.0),
        x(1.0),
        y(1.0)
    );
    for t in 0..=5 {
        let v = f64::from(t) / 5.0;
        let _ = write!(
            s,
            r##"<text x="{:.1}" y="{:.1}" font-size="11" text-anchor="middle">{v:.1}</text><text x="{:.1}" y="{:.1}" font-size="11" text-anchor="end">{v:.1}</text>"##,
            x(v),
            PAD + PLOT + 14.0,
            PAD - 4.0,
            y(v) + 4.0
        );
    }
    let _ = write!(
        s,
        r##"<text x="{:.1}" y="{:.1}" font-size="12" text-anchor="middle">score</text><text x="12" y="{:.1}" font-size="12" text-anchor="middle" transform="rotate(-90 12 {:.1})">accuracy</text></svg>"##,
        PAD + PLOT / 2.0,
        side - 6.0,
        PAD + PLOT / 2.0,
        PAD + PLOT / 2.0
    );
    s
}

/// The confusion tables: exact spans by gold and predicted type (with spurious and
/// missed entities in the `none` row and column), and boundary errors by the same.
fn confusion_html(c: &Confusion, types: &[String]) -> String {
    const NONE: &str = "none";
    let mut s = String::new();
    let cell = |v: usize, diag: bool| {
        if diag {
            format!("<td class=\"ok\">{v}</td>")
        } else if v == 0 {
            "<td class=\"zero\">0</td>".to_string()
        } else {
            format!("<td class=\"err\">{v}</td>")
        }
    };
    let get = |m: &std::collections::BTreeMap<(String, String), usize>, g: &str, p: &str| {
        m.get(&(g.to_string(), p.to_string())).copied().unwrap_or(0)
    };
    let head = |s: &mut String, extra: Option<&str>| {
        s.push_str("<tr><th>gold \\ predicted</th>");
        for t in types {
            let _ = write!(s, "<th>{}</th>", esc(t));
        }
        if let Some(e) = extra {
            let _ = write!(s, "<th>{e}</th>");
        }
        s.push_str("</tr>");
    };
    s.push_str("<h2>Types: exact spans</h2><p>Rows are gold types, columns predicted types, for predictions whose span matches a gold entity exactly; <em>none</em> counts predictions overlapping no gold entity (spurious) and gold entities no prediction overlaps (missed).</p><table class=\"conf\">");
    head(&mut s, Some(NONE));
    for g in types {
        let _ = write!(s, "<tr><th>{}</th>", esc(g));
        for p in types {
            s.push_str(&cell(get(&c.exact, g, p), g == p));
        }
        s.push_str(&cell(c.missed.get(g).copied().unwrap_or(0), false));
        s.push_str("</tr>");
    }
    let _ = write!(s, "<tr><th>{NONE}</th>");
    for p in types {
        s.push_str(&cell(c.spurious.get(p).copied().unwrap_or(0), false));
    }
    s.push_str("<td></td></tr></table>");
    s.push_str("<h2>Boundaries</h2><p>Predictions that overlap a gold entity but not with the same span, by the gold entity's type (rows) and the predicted type (columns): the diagonal is boundary errors of the right type.</p><table class=\"conf\">");
    head(&mut s, None);
    for g in types {
        let _ = write!(s, "<tr><th>{}</th>", esc(g));
        for p in types {
            let v = get(&c.boundary, g, p);
            s.push_str(&cell(v, false));
        }
        s.push_str("</tr>");
    }
    s.push_str("</table>");
    s
}

fn html(r: &Report) -> String {
    let s = &r.eval.scores;
    let rel = &r.reliability;
    let mut types: Vec<String> = s.per_type.keys().cloned().collect();
    types.sort();
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>newsflow eval: {}</title><style>{CSS}</style></head><body><main>",
        esc(&r.source)
    );
    let _ = write!(
        h,
        "<h1>Tagger evaluation</h1><p class=\"meta\">{} · {} tokens · {} gold entities · {} predicted · temperature {:.3}</p>",
        esc(&r.source),
        s.tokens,
        s.overall.gold,
        s.overall.predicted,
        r.temperature
    );
    h.push_str("<h2>Precision, recall, F1 (exact span and type)</h2><table><tr><th>type</th><th>precision</th><th>recall</th><th>F1</th><th>gold</th><th>found</th><th>correct</th></tr>");
    let mut row = |name: &str, c: &Counts| {
        let _ = write!(
            h,
            "<tr><th>{}</th><td>{:.2}</td><td>{:.2}</td><td>{:.2}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(name),
            c.precision(),
            c.recall(),
            c.f1(),
            c.gold,
            c.predicted,
            c.correct
        );
    };
    row("overall", &s.overall);
    for (t, c) in &s.per_type {
        row(t, c);
    }
    h.push_str("</table>");
    h.push_str(&confusion_html(&r.eval.confusion, &types));
    let _ = write!(
        h,
        "<h2>Calibration</h2><p>Of the entities scored about <var>p</var>, a fraction <var>p</var> should be right. Expected calibration error <strong>{:.4}</strong> over {} entities; of those scoring at least {HIGH}, {:.2} % are right, and they are {:.2} % of the right ones.</p><figure>{}<figcaption>Bars: accuracy per score bin; dots: the bin's mean score; dashed: perfect calibration.</figcaption></figure>",
        rel.ece,
        rel.count,
        100.0 * rel.high_precision,
        100.0 * rel.high_share,
        reliability_svg(rel)
    );
    h.push_str("<table><tr><th>score</th><th>count</th><th>mean score</th><th>accuracy</th></tr>");
    for b in &rel.bins {
        let _ = write!(
            h,
            "<tr><th>{:.1}–{:.1}</th><td>{}</td><td>{:.3}</td><td>{:.3}</td></tr>",
            b.lo, b.hi, b.count, b.mean_score, b.accuracy
        );
    }
    h.push_str("</table></main></body></html>\n");
    h
}

/// The report's style sheet, inline so the file stands alone.
const CSS: &str = "body{font:15px/1.5 system-ui,sans-serif;color:#222;background:#fafafa;margin:0}\
main{max-width:52rem;margin:0 auto;padding:1rem 2rem}\
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:1.6rem}.meta{color:#666}\
table{border-collapse:collapse;margin:.5rem 0}th,td{border:1px solid #ddd;padding:.2rem .6rem;text-align:right}\
th{background:#f0f0f0}td.ok{background:#e3f4e3}td.err{background:#fbe3dc}td.zero{color:#bbb}\
figure{margin:1rem 0}figcaption{color:#666;font-size:.85rem}";
