//! One module per subcommand; each has an `Args` (clap) and a `run`.

pub mod bench;
pub mod eval;
pub mod extract;
pub mod publish;
pub mod run;
pub mod segment;
pub mod tag;
pub mod train;

/// Logs go to stderr through `tracing`; the level comes from `RUST_LOG` (default `warn`).
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .init();
}

/// True when the error chain holds a broken pipe: `newsflow ... | head` must exit quietly.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
