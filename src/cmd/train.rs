//! `newsflow train`: trains the entity tagger on CoNLL files and writes the model.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;

/// Arguments of `newsflow train`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Training data, CoNLL columns with the gold tag last (eng.train).
    #[arg(long)]
    train: PathBuf,
    /// Development data for early stopping and model selection (eng.testa).
    #[arg(long)]
    dev: PathBuf,
    /// Where to write the model (for example data/model/ner.bin).
    #[arg(long)]
    out: PathBuf,
    /// Most epochs per stage; training stops early when dev F1 stops improving.
    #[arg(long, default_value_t = 30)]
    epochs: usize,
    /// Seed of the sentence shuffling: the same seed and data give the same model.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Epochs without a dev improvement before stopping.
    #[arg(long, default_value_t = 8)]
    patience: usize,
    /// Folder of gazetteer lists (see data/gazetteers/README.md).
    #[arg(long, default_value = "data/gazetteers")]
    gazetteers: PathBuf,
    /// Train without the external gazetteers.
    #[arg(long)]
    no_gazetteers: bool,
    /// Train without the entity strings harvested from the training data.
    #[arg(long)]
    no_harvest: bool,
    /// Train one stage only (no stacking on first-stage labels).
    #[arg(long)]
    no_stacking: bool,
    /// Word clusters file (`word<TAB>bit path` per line; see scripts/build_clusters.py).
    #[arg(long, default_value = "data/clusters/news.tsv")]
    clusters: PathBuf,
    /// Train without word clusters.
    #[arg(long)]
    no_clusters: bool,
    /// Train without Title-Case copies of the all-caps training headlines.
    #[arg(long)]
    no_title_case: bool,
    /// Words seen at most this many times in training lose their word and lowercase
    /// features while training, so names never seen are read from shape, affixes,
    /// clusters and context (0 keeps every word's; see crates/tagger/README.md).
    #[arg(long, default_value_t = 0)]
    rare_words: usize,
    /// Let the company and brand lists (`org_companies.txt`, `org_brands.txt`) also stand
    /// for organisations seen in training, in the saved model (see crates/tagger/README.md).
    #[arg(long)]
    lists_as_org: bool,
}

fn read(path: &PathBuf) -> anyhow::Result<tagger::ConllFile> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(tagger::ConllFile::parse(&text))
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let train = read(&args.train)?;
    let dev = read(&args.dev)?;
    let cfg = tagger::TrainConfig {
        epochs: args.epochs,
        seed: args.seed,
        patience: args.patience,
        stacking: !args.no_stacking,
        gazetteers: (!args.no_gazetteers).then(|| args.gazetteers.clone()),
        harvest: !args.no_harvest,
        clusters: (!args.no_clusters).then(|| args.clusters.clone()),
        title_case: !args.no_title_case,
        rare_words: args.rare_words,
        lists_as_org: args.lists_as_org,
        ..tagger::TrainConfig::default()
    };
    let started = Instant::now();
    let mut err = std::io::stderr();
    let mut log = |line: String| {
        let _ = writeln!(err, "[{:6.1}s] {line}", started.elapsed().as_secs_f64());
    };
    let model = tagger::train(&train, &dev, &cfg, &mut log).context("training failed")?;
    // The error names the file already.
    model.save(&args.out)?;
    let bytes = std::fs::metadata(&args.out).map(|m| m.len()).unwrap_or(0);
    // Score through the saved file and the same path `newsflow eval` takes, so the number
    // printed is the number the committed model gets.
    let reloaded =
        tagger::Tagger::load(&args.out).context("cannot reload the model just written")?;
    let scores = reloaded.evaluate(&dev);
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "wrote {} ({:.1} MB, {} stages, temperature {:.3}) in {:.0}s; dev F1 {:.2} (P {:.2} R {:.2})",
        args.out.display(),
        bytes as f64 / 1e6,
        reloaded.stages(),
        reloaded.temperature(),
        started.elapsed().as_secs_f64(),
        scores.overall.f1(),
        scores.overall.precision(),
        scores.overall.recall()
    )?;
    Ok(ExitCode::SUCCESS)
}
