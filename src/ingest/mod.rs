//! The ingest pipeline: read, parse, check, commit — for one document, or for many in
//! parallel.
//!
//! Nothing is written until a document has parsed and been checked whole, and the commit
//! itself is atomic (see [`crate::lake::commit`]), so a bad document leaves the lake as it
//! was and does not stop the others. Parsing and checking run on all cores; commits are
//! made one at a time in path order, so when a batch holds two versions of one
//! organisation's document the one later in path order is the live one, every run.

use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, mpsc};

use sha2::{Digest, Sha256};

pub mod inspect;
pub mod progress;

use crate::checks::{self, Finding};
use crate::lake::schema::DocumentRecord;
use crate::lake::{CommitError, CommitSummary, Lake, commit};
use crate::model::{MetaOverrides, ParseError, ParsedDocument};

/// Why a document did not go in.
#[derive(Debug)]
pub enum IngestError {
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    Parse(ParseError),
    Commit {
        path: PathBuf,
        source: CommitError,
    },
}

impl fmt::Display for IngestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IngestError::Read { path, source } => write!(f, "{}: {source}", path.display()),
            IngestError::Parse(e) => write!(f, "{e}"),
            IngestError::Commit { path, source } => {
                write!(f, "{}: not stored: {source}", path.display())
            }
        }
    }
}

impl std::error::Error for IngestError {}

/// The id of a document: the first 16 hex digits of the SHA-256 of its bytes.
pub fn doc_id(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// A document read and parsed, not yet stored.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub doc_id: String,
    pub path: PathBuf,
    pub source_bytes: u64,
    pub doc: ParsedDocument,
    pub findings: Vec<Finding>,
    /// The decoded text, to quote the lines findings point at.
    pub text: String,
}

/// Reads, parses and checks one document.
pub fn load(path: &Path) -> Result<Loaded, IngestError> {
    load_with(path, &MetaOverrides::default())
}

/// Reads, parses and checks one document, with the user's metadata taking precedence.
pub fn load_with(path: &Path, overrides: &MetaOverrides) -> Result<Loaded, IngestError> {
    load_bytes_with(path, &read(path)?, overrides)
}

fn read(path: &Path) -> Result<Vec<u8>, IngestError> {
    std::fs::read(path).map_err(|source| IngestError::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// Parses and checks a document's bytes; `path` names it in errors.
pub fn load_bytes(path: &Path, bytes: &[u8]) -> Result<Loaded, IngestError> {
    load_bytes_with(path, bytes, &MetaOverrides::default())
}

/// [`load_bytes`] with the user's metadata taking precedence.
pub fn load_bytes_with(
    path: &Path,
    bytes: &[u8],
    overrides: &MetaOverrides,
) -> Result<Loaded, IngestError> {
    let text = crate::document::decode(path, bytes).map_err(IngestError::Parse)?;
    let doc = crate::statements::parse_with(path, &text, overrides).map_err(IngestError::Parse)?;
    let findings = checks::run(&doc);
    Ok(Loaded {
        doc_id: doc_id(bytes),
        path: path.to_path_buf(),
        source_bytes: bytes.len() as u64,
        doc,
        findings,
        text,
    })
}

/// Reads, parses, checks and commits one document.
pub fn ingest(lake: &Lake, path: &Path) -> Result<(Loaded, CommitSummary), IngestError> {
    let loaded = load(path)?;
    commit(lake, path, loaded, false)
}

fn commit(
    lake: &Lake,
    path: &Path,
    loaded: Loaded,
    force: bool,
) -> Result<(Loaded, CommitSummary), IngestError> {
    let shown_path = path.display().to_string();
    let record = DocumentRecord {
        path: &shown_path,
        source_bytes: loaded.source_bytes,
        finding_count: loaded.findings.len(),
        ingested_at_micros: chrono::Utc::now().timestamp_micros(),
    };
    let summary = commit::commit_document(
        lake,
        &loaded.doc_id,
        &loaded.doc,
        &loaded.findings,
        &record,
        force,
    )
    .map_err(|source| IngestError::Commit {
        path: path.to_path_buf(),
        source,
    })?;
    Ok((loaded, summary))
}

/// How a batch ingest runs.
#[derive(Debug, Clone)]
pub struct BatchOptions {
    /// Worker threads for parsing and checking.
    pub jobs: usize,
    /// Ingest documents whose bytes are already in the lake again.
    pub force: bool,
    /// Metadata given by the user for every document of the batch.
    pub overrides: MetaOverrides,
}

impl Default for BatchOptions {
    fn default() -> Self {
        BatchOptions {
            jobs: std::thread::available_parallelism().map_or(1, |n| n.get()),
            force: false,
            overrides: MetaOverrides::default(),
        }
    }
}

/// What became of one document of a batch.
#[derive(Debug)]
pub enum Outcome {
    Stored(Box<(Loaded, CommitSummary)>),
    /// Its bytes are in the lake already (same `doc_id`).
    Skipped {
        path: PathBuf,
        doc_id: String,
    },
    Failed(IngestError),
    /// Not a document: a FIFO, a device, a folder reached again through a link.
    PassedOver {
        path: PathBuf,
        why: String,
    },
}

/// Ingests every document under `paths` (files, or folders recursively), in parallel.
/// `on_outcome(outcome, done, total)` is called on the calling thread as each document
/// finishes, for progress; the outcomes are returned in path order.
pub fn ingest_paths(
    lake: &Lake,
    paths: &[PathBuf],
    options: &BatchOptions,
    on_outcome: &mut dyn FnMut(&Outcome, usize, usize),
) -> Vec<Outcome> {
    let mut files = Vec::new();
    let mut outcomes: Vec<(usize, Outcome)> = Vec::new();
    for path in paths {
        match collect_paths(path) {
            Ok(found) => {
                files.extend(found.files);
                for (path, why) in found.passed_over {
                    outcomes.push((usize::MAX, Outcome::PassedOver { path, why }));
                }
            }
            Err(source) => outcomes.push((
                usize::MAX,
                Outcome::Failed(IngestError::Read {
                    path: path.clone(),
                    source,
                }),
            )),
        }
    }
    let total = files.len();
    let known: HashSet<String> = match lake.document_ids() {
        Ok(ids) => ids.into_iter().collect(),
        Err(_) => HashSet::new(),
    };
    let next = AtomicUsize::new(0);
    let turn = CommitTurn::default();
    let (sender, receiver) = mpsc::channel::<(usize, Outcome)>();
    std::thread::scope(|scope| {
        for _ in 0..options.jobs.clamp(1, total.max(1)) {
            let sender = sender.clone();
            let (files, known, next, turn) = (&files, &known, &next, &turn);
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(path) = files.get(i) else { break };
                    let outcome = ingest_one(lake, path, i, known, options, turn);
                    if sender.send((i, outcome)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(sender);
        for (done, (i, outcome)) in receiver.into_iter().enumerate() {
            on_outcome(&outcome, done + 1, total);
            outcomes.push((i, outcome));
        }
    });
    outcomes.sort_by_key(|(i, _)| *i);
    outcomes.into_iter().map(|(_, o)| o).collect()
}

/// Hands out commit turns in path order: document `i` commits after documents `0..i`
/// have committed or given up.
#[derive(Default)]
struct CommitTurn {
    next: Mutex<usize>,
    changed: Condvar,
}

impl CommitTurn {
    /// Runs `f` on document `i`'s turn, then passes the turn on (also if `f` panics, so
    /// that one failing worker cannot leave the others waiting).
    fn run<T>(&self, i: usize, f: impl FnOnce() -> T) -> T {
        struct PassOn<'a>(&'a CommitTurn);
        impl Drop for PassOn<'_> {
            fn drop(&mut self) {
                // A poisoned lock only means a worker panicked; the counter is sound.
                *self.0.next.lock().unwrap_or_else(|e| e.into_inner()) += 1;
                self.0.changed.notify_all();
            }
        }
        let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
        while *next != i {
            next = self.changed.wait(next).unwrap_or_else(|e| e.into_inner());
        }
        drop(next);
        let _pass_on = PassOn(self);
        f()
    }
}

fn ingest_one(
    lake: &Lake,
    path: &Path,
    i: usize,
    known: &HashSet<String>,
    options: &BatchOptions,
    turn: &CommitTurn,
) -> Outcome {
    let prepared = read(path).and_then(|bytes| {
        let id = doc_id(&bytes);
        if !options.force && known.contains(&id) {
            return Ok(Err(id));
        }
        load_bytes_with(path, &bytes, &options.overrides).map(Ok)
    });
    turn.run(i, || match prepared {
        Ok(Ok(loaded)) => match commit(lake, path, loaded, options.force) {
            Ok(stored) => Outcome::Stored(Box::new(stored)),
            Err(e) => Outcome::Failed(e),
        },
        Ok(Err(doc_id)) => Outcome::Skipped {
            path: path.to_path_buf(),
            doc_id,
        },
        Err(e) => Outcome::Failed(e),
    })
}

/// What [`collect_paths`] found under a path.
#[derive(Debug, Default)]
pub struct Collected {
    /// The files to read, sorted, each once.
    pub files: Vec<PathBuf>,
    /// What was passed over, and why: FIFOs, devices and sockets (reading one would block
    /// or never end), and folders already visited through a symbolic link (a loop).
    pub passed_over: Vec<(PathBuf, String)>,
}

/// The documents under `path`: the file itself, or every file of a folder (recursively,
/// sorted, hidden files skipped). Each file and folder is visited once however many
/// symbolic links lead to it, so a link loop ends; anything but a regular file is passed
/// over with the reason.
pub fn collect_paths(path: &Path) -> std::io::Result<Collected> {
    let mut out = Collected::default();
    let Ok(meta) = std::fs::metadata(path) else {
        // A missing file is reported when it is read, with its name.
        out.files.push(path.to_path_buf());
        return Ok(out);
    };
    if !meta.is_dir() {
        match not_a_regular_file(&meta) {
            Some(why) => out.passed_over.push((path.to_path_buf(), why.to_string())),
            None => out.files.push(path.to_path_buf()),
        }
        return Ok(out);
    }
    let mut seen: HashSet<(u64, u64)> = HashSet::new();
    seen.insert(identity(&meta));
    let mut stack = vec![path.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let p = entry?.path();
            let hidden = p
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'));
            if hidden {
                continue;
            }
            let meta = match std::fs::metadata(&p) {
                Ok(meta) => meta,
                Err(e) => {
                    // A dangling link, or a link loop the system refuses to follow.
                    out.passed_over
                        .push((p, format!("cannot be followed: {e}")));
                    continue;
                }
            };
            if !seen.insert(identity(&meta)) {
                let what = if meta.is_dir() { "folder" } else { "file" };
                out.passed_over
                    .push((p, format!("a {what} already visited through another path")));
                continue;
            }
            if meta.is_dir() {
                stack.push(p);
            } else if let Some(why) = not_a_regular_file(&meta) {
                out.passed_over.push((p, why.to_string()));
            } else {
                out.files.push(p);
            }
        }
    }
    out.files.sort();
    out.passed_over.sort();
    Ok(out)
}

/// Device and inode: what a file is, whatever the path to it.
fn identity(meta: &std::fs::Metadata) -> (u64, u64) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        (meta.dev(), meta.ino())
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        (0, NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
    }
}

/// Why a file that is not a folder cannot be a document: FIFOs, devices and sockets.
fn not_a_regular_file(meta: &std::fs::Metadata) -> Option<&'static str> {
    if meta.is_file() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return Some("a FIFO, not a file: not read");
        }
        if t.is_char_device() || t.is_block_device() {
            return Some("a device, not a file: not read");
        }
        if t.is_socket() {
            return Some("a socket, not a file: not read");
        }
    }
    Some("not a regular file: not read")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_id_is_sixteen_hex_digits_of_sha256() {
        // SHA-256("abc") = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
        assert_eq!(doc_id(b"abc"), "ba7816bf8f01cfea");
    }
}
