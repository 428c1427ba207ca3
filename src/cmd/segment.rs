//! `newsflow segment`: sentences only, for users who do not need entities.
//!
//! Reads a file or stdin. JSON Lines input (as [`ingest::sniff`] decides, the same test
//! `newsflow run` uses) is segmented record by record, streaming, so it works on endless
//! pipes; anything else is one plain text.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::process::ExitCode;

use anyhow::Context;
use article::{Article, CharOffsets, Span};
use ingest::Format;
use segment::Segmenter;

/// Read buffer size: large enough that a JSON Lines record rarely spans two refills.
const READ_BUFFER: usize = 256 * 1024;

/// Arguments of `newsflow segment`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A text or JSON Lines file, or - for stdin.
    #[arg(value_name = "INPUT", default_value = "-")]
    pub input: String,
    /// Print one JSON object per sentence ({"id", "index", "start", "end", "text"}, offsets
    /// in code points) instead of one sentence per line.
    #[arg(long)]
    pub json: bool,
}

/// Runs the subcommand. Exits 1 when some JSON Lines records could not be read (each is
/// reported on stderr with its line number); the others are still segmented.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let reader: Box<dyn Read> = if args.input == "-" {
        Box::new(io::stdin().lock())
    } else {
        let file = File::open(&args.input)
            .with_context(|| format!("cannot open {}: check the path", args.input))?;
        Box::new(file)
    };
    let mut reader = BufReader::with_capacity(READ_BUFFER, reader);
    let stdout = io::stdout();
    let mut out = Printer {
        out: BufWriter::new(stdout.lock()),
        json: args.json,
        segmenter: Segmenter::new(),
        spans: Vec::new(),
    };
    let source = if args.input == "-" {
        "<stdin>"
    } else {
        args.input.as_str()
    };
    let (format, prefix) = sniff(&mut reader).with_context(|| format!("cannot read {source}"))?;
    let mut reader = io::Cursor::new(prefix).chain(reader);
    let failed = if format == Format::JsonLines {
        segment_records(&mut reader, source, &mut out)?
    } else {
        let mut bytes = Vec::new();
        reader
            .read_to_end(&mut bytes)
            .with_context(|| format!("cannot read {source}"))?;
        let text = String::from_utf8(bytes)
            .with_context(|| format!("{source} is not valid UTF-8: convert it first"))?;
        out.print(None, &text)?;
        0
    };
    out.out.flush().context("cannot write to stdout")?;
    Ok(if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Reads as much of the input as [`ingest::sniff`] needs to decide its format; returns the
/// format and the bytes read, which the caller reads again before the rest.
fn sniff(reader: &mut impl Read) -> io::Result<(Format, Vec<u8>)> {
    let mut prefix = Vec::new();
    let mut chunk = [0u8; 4096];
    let mut complete = false;
    loop {
        if let Some(format) = ingest::sniff(&prefix, complete) {
            return Ok((format, prefix));
        }
        let n = match reader.read(&mut chunk) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        complete = n == 0;
        prefix.extend_from_slice(&chunk[..n]);
    }
}

/// Segments every record; returns how many lines could not be read as articles.
fn segment_records(
    reader: &mut impl BufRead,
    source: &str,
    out: &mut Printer<impl Write>,
) -> anyhow::Result<usize> {
    let mut line = Vec::new();
    let mut number = 0u64;
    let mut failed = 0;
    loop {
        line.clear();
        let read = reader
            .read_until(b'\n', &mut line)
            .with_context(|| format!("cannot read {source}"))?;
        if read == 0 {
            return Ok(failed);
        }
        number += 1;
        let bytes = if number == 1 {
            ingest::sniff::strip_bom(&line)
        } else {
            &line
        };
        let Ok(text) = std::str::from_utf8(bytes) else {
            eprintln!("newsflow: {source}:{number}: skipped: the line is not valid UTF-8");
            failed += 1;
            continue;
        };
        if text.trim().is_empty() {
            continue;
        }
        match Article::from_json(text) {
            Ok(article) => out.print(Some(&article.id), &article.text())?,
            Err(err) => {
                eprintln!("newsflow: {source}:{number}: skipped: {err}");
                failed += 1;
            }
        }
    }
}

/// Writes sentences in the chosen format, reusing its span buffer between texts.
struct Printer<W: Write> {
    /// Buffered stdout.
    out: W,
    /// JSON objects instead of plain lines.
    json: bool,
    /// The shared segmenter.
    segmenter: Segmenter,
    /// Sentence spans of the current text, kept to avoid an allocation per article.
    spans: Vec<Span>,
}

impl<W: Write> Printer<W> {
    /// Prints the sentences of one text (`id` is the record's, for JSON output).
    fn print(&mut self, id: Option<&str>, text: &str) -> anyhow::Result<()> {
        self.spans.clear();
        self.segmenter.sentences_into(text, &mut self.spans);
        let offsets = self.json.then(|| CharOffsets::new(text));
        for (index, span) in self.spans.iter().enumerate() {
            let sentence = span.slice(text);
            match &offsets {
                Some(offsets) => {
                    let mut record = serde_json::Map::new();
                    if let Some(id) = id {
                        record.insert("id".into(), id.into());
                    }
                    record.insert("index".into(), index.into());
                    record.insert("start".into(), offsets.char_offset(span.start).into());
                    record.insert("end".into(), offsets.char_offset(span.end).into());
                    record.insert("text".into(), sentence.into());
                    serde_json::to_writer(&mut self.out, &record)
                        .context("cannot write to stdout")?;
                    self.out
                        .write_all(b"\n")
                        .context("cannot write to stdout")?;
                }
                None => {
                    // One sentence per line: line breaks inside a sentence become spaces.
                    for (n, piece) in sentence.split(['\n', '\r']).enumerate() {
                        if n > 0 {
                            self.out.write_all(b" ").context("cannot write to stdout")?;
                        }
                        self.out
                            .write_all(piece.as_bytes())
                            .context("cannot write to stdout")?;
                    }
                    self.out
                        .write_all(b"\n")
                        .context("cannot write to stdout")?;
                }
            }
        }
        Ok(())
    }
}
