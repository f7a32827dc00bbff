//! The ingest pipeline for one document: read, parse, check, commit.
//!
//! Nothing is written until the document has parsed and been checked whole, and the commit
//! itself is atomic (see [`crate::lake::commit`]), so a bad document leaves the lake as it was.

use std::fmt;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::checks::{self, Finding};
use crate::lake::schema::DocumentRecord;
use crate::lake::{CommitError, CommitSummary, Lake, commit};
use crate::model::{ParseError, ParsedDocument};

/// Why a document did not go in.
#[derive(Debug)]
pub enum IngestError {
    Read { path: PathBuf, source: std::io::Error },
    Parse(ParseError),
    Commit { path: PathBuf, source: CommitError },
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
}

/// Reads, parses and checks one document.
pub fn load(path: &Path) -> Result<Loaded, IngestError> {
    let bytes = std::fs::read(path).map_err(|source| IngestError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let text = crate::document::decode(path, &bytes).map_err(IngestError::Parse)?;
    let doc = crate::statements::parse(path, &text).map_err(IngestError::Parse)?;
    let findings = checks::run(&doc);
    Ok(Loaded {
        doc_id: doc_id(&bytes),
        path: path.to_path_buf(),
        source_bytes: bytes.len() as u64,
        doc,
        findings,
    })
}

/// Reads, parses, checks and commits one document.
pub fn ingest(lake: &Lake, path: &Path) -> Result<(Loaded, CommitSummary), IngestError> {
    let loaded = load(path)?;
    let shown_path = path.display().to_string();
    let record = DocumentRecord {
        path: &shown_path,
        source_bytes: loaded.source_bytes,
        finding_count: loaded.findings.len(),
        ingested_at_micros: chrono::Utc::now().timestamp_micros(),
    };
    let summary = commit::commit_document(lake, &loaded.doc_id, &loaded.doc, &loaded.findings, &record)
        .map_err(|source| IngestError::Commit {
            path: path.to_path_buf(),
            source,
        })?;
    Ok((loaded, summary))
}

/// The documents under `path`: the file itself, or every file of a folder (recursively,
/// sorted, hidden files skipped).
pub fn collect_paths(path: &Path) -> std::io::Result<Vec<PathBuf>> {
    if !path.is_dir() {
        // A missing file is reported when it is read, with its name.
        return Ok(vec![path.to_path_buf()]);
    }
    let mut out = Vec::new();
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
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
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
