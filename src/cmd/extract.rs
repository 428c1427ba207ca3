//! `newsflow extract`: main-content extraction only, no NLP — one JSON line per HTML page
//! (`id, url, title, published, author, site, lang, canonical, text`).
//!
//! Inputs resolve as for `run` (files, directories, `-`); each file is one page, gzip or
//! not. A page that cannot be read or has no article is reported on stderr with its path
//! and the run goes on; the exit code is then 1.

use std::io::{self, BufWriter, Read, Write};
use std::process::ExitCode;

use anyhow::Context;
use extract::{Limits, Page};
use ingest::decode::{gunzip, is_gzip, DecodeError};
use ingest::Input;

/// Arguments of `newsflow extract`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// HTML page files (gzip or not), directories of them, or - for stdin (one page).
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<String>,
    /// The URL the page came from, when there is one input: resolves a relative canonical
    /// URL and lends a date from its path.
    #[arg(long)]
    pub url: Option<String>,
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let inputs = ingest::resolve_inputs(&args.inputs)?;
    let limits = Limits::default();
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut failed = 0usize;
    let url = if inputs.len() == 1 {
        args.url.as_deref()
    } else {
        None
    };
    for input in &inputs {
        match page(input, url, &limits) {
            Ok(page) => {
                write_page(&mut out, &input.to_string(), url, &page)
                    .context("cannot write to stdout")?;
            }
            Err(err) => {
                failed += 1;
                eprintln!("newsflow: {input}: skipped: {err:#}");
            }
        }
    }
    out.flush().context("cannot write to stdout")?;
    Ok(if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Reads and extracts one input.
fn page(input: &Input, url: Option<&str>, limits: &Limits) -> anyhow::Result<Page> {
    // Read one byte past the limit: enough to know the page is too large without
    // reading a 100 MB file whole.
    let cap = limits.max_bytes as u64 + 1;
    let mut bytes = Vec::new();
    match input {
        Input::Stdin => {
            io::stdin().lock().take(cap).read_to_end(&mut bytes)?;
        }
        Input::File(path) => {
            std::fs::File::open(path)?
                .take(cap)
                .read_to_end(&mut bytes)?;
        }
        // Fetching pages is `run`'s business (robots.txt, per-host limits).
        Input::Url(_) => {
            anyhow::bail!("URL inputs are not supported by extract yet; save the page to a file")
        }
    }
    if is_gzip(&bytes) {
        bytes = gunzip(&bytes, limits.max_bytes).map_err(|e| match e {
            DecodeError::TooLarge { limit } => {
                anyhow::anyhow!("page decompresses past the limit of {limit} bytes")
            }
            other => anyhow::Error::new(other),
        })?;
    }
    Ok(extract::extract(&bytes, url, limits)?)
}

/// One JSON line for a page.
fn write_page(out: &mut impl Write, id: &str, url: Option<&str>, page: &Page) -> io::Result<()> {
    let mut record = serde_json::Map::new();
    record.insert("id".into(), id.into());
    record.insert("url".into(), url.into());
    record.insert("title".into(), page.title.as_deref().into());
    record.insert("published".into(), page.published.as_deref().into());
    record.insert("author".into(), page.author.as_deref().into());
    record.insert("site".into(), page.site.as_deref().into());
    record.insert("lang".into(), page.lang.as_deref().into());
    record.insert("canonical".into(), page.canonical.as_deref().into());
    record.insert("text".into(), page.text.as_str().into());
    serde_json::to_writer(&mut *out, &record)?;
    out.write_all(b"\n")
}
