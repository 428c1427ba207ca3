//! Command-line inputs: files, directories of `.jsonl` files, and `-` for stdin.

use std::fmt;
use std::path::{Path, PathBuf};

/// Why inputs could not be opened or read.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// An input path does not exist or cannot be read.
    #[error("cannot read input {path}: {source}")]
    Open {
        /// The path as given.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A directory holds no `.jsonl` files: almost always a wrong path.
    #[error("input directory {0} contains no .jsonl files")]
    EmptyDirectory(PathBuf),
    /// A `nats://` input was mixed with other inputs.
    #[error("a nats:// input must be the only input")]
    MixedInputs,
    /// The NATS source failed.
    #[error(transparent)]
    Nats(#[from] crate::nats::NatsSourceError),
    /// Reading failed part-way (a disk or pipe error, not bad content).
    #[error("reading {input} failed at line {line}: {source}")]
    Read {
        /// The input's name.
        input: String,
        /// The line being read.
        line: u64,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// One resolved input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Standard input.
    Stdin,
    /// A file.
    File(PathBuf),
}

impl Input {
    /// The size in bytes when known (files), for progress bars.
    pub fn size(&self) -> Option<u64> {
        match self {
            Input::Stdin => None,
            Input::File(path) => std::fs::metadata(path).ok().map(|m| m.len()),
        }
    }
}

impl fmt::Display for Input {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Input::Stdin => f.write_str("-"),
            Input::File(path) => write!(f, "{}", path.display()),
        }
    }
}

/// Resolves command-line inputs: no input or `-` is stdin, a directory is every `.jsonl`
/// file below it in name order, anything else must be a readable file.
pub fn resolve_inputs(args: &[String]) -> Result<Vec<Input>, IngestError> {
    if args.is_empty() {
        return Ok(vec![Input::Stdin]);
    }
    let mut inputs = Vec::new();
    for arg in args {
        if arg == "-" {
            inputs.push(Input::Stdin);
            continue;
        }
        let path = PathBuf::from(arg);
        let meta = std::fs::metadata(&path).map_err(|source| IngestError::Open {
            path: path.clone(),
            source,
        })?;
        if meta.is_dir() {
            let mut files = Vec::new();
            collect_jsonl(&path, &mut files)?;
            if files.is_empty() {
                return Err(IngestError::EmptyDirectory(path));
            }
            files.sort();
            inputs.extend(files.into_iter().map(Input::File));
        } else {
            inputs.push(Input::File(path));
        }
    }
    Ok(inputs)
}

fn collect_jsonl(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), IngestError> {
    let open_err = |source| IngestError::Open {
        path: dir.to_path_buf(),
        source,
    };
    for entry in std::fs::read_dir(dir).map_err(open_err)? {
        let path = entry.map_err(open_err)?.path();
        if path.is_dir() {
            collect_jsonl(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "jsonl") {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_expand_to_sorted_jsonl_files() {
        let dir = std::env::temp_dir().join(format!("newsflow-inputs-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        for name in ["b.jsonl", "a.jsonl", "notes.txt", "sub/c.jsonl"] {
            std::fs::write(dir.join(name), "{}\n").unwrap();
        }
        let got = resolve_inputs(&[dir.display().to_string()]).unwrap();
        let names: Vec<_> = got
            .iter()
            .map(|i| {
                i.to_string()
                    .trim_start_matches(&dir.display().to_string())
                    .to_string()
            })
            .collect();
        assert_eq!(names, ["/a.jsonl", "/b.jsonl", "/sub/c.jsonl"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn missing_input_is_an_error_naming_it() {
        let err = resolve_inputs(&["/no/such/file.jsonl".into()]).unwrap_err();
        assert!(err.to_string().contains("/no/such/file.jsonl"), "{err}");
    }

    #[test]
    fn no_input_means_stdin() {
        assert_eq!(resolve_inputs(&[]).unwrap(), vec![Input::Stdin]);
    }
}
