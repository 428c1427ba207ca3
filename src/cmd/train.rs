//! `newsflow train` (being written).

use std::process::ExitCode;

/// Arguments of `newsflow train`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs the subcommand.
pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("not implemented yet")
}
