//! Command-line inputs: files, directories, `-` for stdin, and http(s) URLs.

use std::fmt;
use std::path::{Path, PathBuf};

/// Why inputs could not be opened or read. Like every error of newsflow's libraries, a
/// variant either shows its cause in its message or exposes it as `source()`, never both, so
/// a printed chain names each cause once.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// An input path does not exist or cannot be read.
    #[error("cannot open {path}")]
    Open {
        /// The path as given.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A directory holds no files: almost always a wrong path.
    #[error("input directory {0} contains no files")]
    EmptyDirectory(PathBuf),
    /// A `nats://` input was mixed with other inputs.
    #[error("a nats:// input must be the only input")]
    MixedInputs,
    /// The NATS source failed.
    #[error(transparent)]
    Nats(#[from] crate::nats::NatsSourceError),
    /// An `http://` or `https://` input that is not a valid URL.
    #[error("invalid URL {url}: {reason}")]
    BadUrl {
        /// The input as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A URL could not be fetched (after retries, for network errors and server errors).
    #[error(transparent)]
    Fetch(#[from] crate::http::FetchError),
    /// The HTTP client could not be set up.
    #[error("cannot start the HTTP client: {0}")]
    HttpClient(String),
    /// The `--state` file cannot be read, parsed or written.
    #[error(transparent)]
    State(#[from] crate::state::StateError),
    /// Reading failed part-way (a disk or pipe error, not bad content).
    #[error("reading {input} failed at line {line}")]
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
    /// An `http://` or `https://` URL of a feed.
    Url(String),
}

impl Input {
    /// The size in bytes when known (files), for progress bars.
    pub fn size(&self) -> Option<u64> {
        match self {
            Input::Stdin | Input::Url(_) => None,
            Input::File(path) => std::fs::metadata(path).ok().map(|m| m.len()),
        }
    }
}

impl fmt::Display for Input {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Input::Stdin => f.write_str("-"),
            Input::File(path) => write!(f, "{}", path.display()),
            Input::Url(url) => f.write_str(url),
        }
    }
}

/// Resolves command-line inputs: no input or `-` is stdin, `http://…` and `https://…` are
/// feed URLs, a directory is every file below it in path order (hidden files skipped; the
/// format of each is detected from its content later, not from its name), anything else
/// must be a readable file.
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
        if is_url(arg) {
            let url = reqwest::Url::parse(arg).map_err(|e| IngestError::BadUrl {
                url: arg.clone(),
                reason: e.to_string(),
            })?;
            inputs.push(Input::Url(url.to_string()));
            continue;
        }
        let path = PathBuf::from(arg);
        let meta = std::fs::metadata(&path).map_err(|source| IngestError::Open {
            path: path.clone(),
            source,
        })?;
        if meta.is_dir() {
            let mut files = Vec::new();
            collect_files(&path, &mut files)?;
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

/// Whether an argument names a feed URL rather than a path: `http://` or `https://` in any
/// case, as URL schemes are. The one test of it: `--follow`'s check asks this too.
pub fn is_url(arg: &str) -> bool {
    let lower = arg.get(..8).unwrap_or(arg).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// Every file below `dir`, hidden entries skipped. Links are followed, so a linked folder
/// of feeds is read, but a link back to a folder being walked is skipped with a warning:
/// `walkdir` notices the loop, where a plain recursion walked it again and again until the
/// OS refused (ELOOP).
fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), IngestError> {
    let walk = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        // Hidden files are editor and VCS droppings, not inputs.
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walk {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) if e.loop_ancestor().is_some() => {
                tracing::warn!(path = ?e.path(), "skipped: a link back to a folder above it");
                continue;
            }
            // A dangling link names no file; it was always skipped.
            Err(e)
                if e.depth() > 0
                    && e.io_error().map(std::io::Error::kind)
                        == Some(std::io::ErrorKind::NotFound) =>
            {
                continue;
            }
            Err(e) => {
                let path = e.path().unwrap_or(dir).to_path_buf();
                let source = e
                    .into_io_error()
                    .unwrap_or_else(|| std::io::Error::other("cannot walk the directory"));
                return Err(IngestError::Open { path, source });
            }
        };
        if entry.file_type().is_file() {
            out.push(entry.into_path());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_expand_to_sorted_files() {
        let dir = std::env::temp_dir().join(format!("newsflow-inputs-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        for name in ["b.jsonl", "a.jsonl", "feed.xml", ".hidden", "sub/c.jsonl"] {
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
        assert_eq!(names, ["/a.jsonl", "/b.jsonl", "/feed.xml", "/sub/c.jsonl"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_link_to_a_parent_folder_is_walked_once() {
        let dir = std::env::temp_dir().join(format!("newsflow-loop-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        for name in ["b.jsonl", "a.jsonl"] {
            std::fs::write(dir.join(name), "{}\n").unwrap();
        }
        std::os::unix::fs::symlink("..", dir.join("sub/up")).unwrap();
        std::os::unix::fs::symlink("missing", dir.join("dangling")).unwrap();
        let got = resolve_inputs(&[dir.display().to_string()]).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        let expected: Vec<_> = ["a.jsonl", "b.jsonl"]
            .iter()
            .map(|n| Input::File(dir.join(n)))
            .collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn missing_input_is_an_error_naming_it() {
        let err = resolve_inputs(&["/no/such/file.jsonl".into()]).unwrap_err();
        assert!(err.to_string().contains("/no/such/file.jsonl"), "{err}");
    }

    #[test]
    fn urls_are_inputs_and_bad_ones_are_named() {
        assert_eq!(
            resolve_inputs(&["https://example.org/feed.xml".into()]).unwrap(),
            vec![Input::Url("https://example.org/feed.xml".into())]
        );
        let err = resolve_inputs(&["http://".into()]).unwrap_err();
        assert!(err.to_string().contains("invalid URL http://"), "{err}");
    }

    #[test]
    fn url_schemes_are_recognised_in_any_case() {
        for url in [
            "http://a.example/",
            "HTTP://a.example/",
            "Https://a.example/",
        ] {
            assert!(is_url(url), "{url}");
        }
        for path in ["http:/a", "feeds/http://a", "ftp://a.example/", "htt"] {
            assert!(!is_url(path), "{path}");
        }
    }

    #[test]
    fn no_input_means_stdin() {
        assert_eq!(resolve_inputs(&[]).unwrap(), vec![Input::Stdin]);
    }
}
