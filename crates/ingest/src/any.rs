//! Choosing the source for command-line inputs.

use ::nats::NatsUri;
use pipeline::{CancellationToken, Source, SourceSender};

use crate::nats::NatsSourceError;
use crate::{resolve_inputs, FeedOptions, IngestError, Input, InputSource, NatsSource};

/// Every source newsflow has, behind one type for the runtime.
#[derive(Debug)]
pub enum AnySource {
    /// Files, directories, stdin and URLs, in any format newsflow reads.
    Inputs(InputSource),
    /// A JetStream durable consumer.
    Nats(NatsSource),
}

impl AnySource {
    /// The source for `inputs` as given on the command line: one `nats://` URI, or any
    /// number of files, directories, URLs and `-`. Also returns the total input size when
    /// known, for a progress bar.
    pub fn open(
        inputs: &[String],
        options: FeedOptions,
    ) -> Result<(Self, Option<u64>), IngestError> {
        let nats: Vec<&String> = inputs.iter().filter(|i| i.starts_with("nats://")).collect();
        match nats.as_slice() {
            [] => {
                let resolved = resolve_inputs(inputs)?;
                let total: Option<u64> = resolved.iter().map(Input::size).sum();
                Ok((
                    AnySource::Inputs(InputSource::new(resolved, options)),
                    total,
                ))
            }
            [uri] if inputs.len() == 1 => {
                let parsed = NatsUri::parse(uri).map_err(|reason| NatsSourceError::Invalid {
                    uri: uri.to_string(),
                    reason,
                })?;
                Ok((AnySource::Nats(NatsSource::new(parsed)?), None))
            }
            _ => Err(IngestError::MixedInputs),
        }
    }
}

impl Source for AnySource {
    type Error = IngestError;

    async fn run(self, out: SourceSender, shutdown: CancellationToken) -> Result<(), IngestError> {
        match self {
            AnySource::Inputs(s) => s.run(out, shutdown).await,
            AnySource::Nats(s) => Ok(s.run(out, shutdown).await?),
        }
    }
}
