//! Atomic, idempotent commits of one document's files.
//!
//! A commit writes every table's file for the document into a private staging directory
//! (`LAKE/_staging/<doc_id>.<nonce>/`), syncs them, and then writes a `COMMIT` manifest
//! (itself written aside and renamed) listing where each file goes. The manifest is the
//! commit point: after it exists the files are renamed into place, `documents` last, and the
//! staging directory is removed.
//!
//! - A failure before the manifest leaves the lake untouched (the staging directory is
//!   removed, or swept by the next [`recover`]).
//! - A crash after the manifest is rolled forward by [`recover`] when the lake is next
//!   opened, so a committed document is never half there.
//! - File names are the `doc_id`, so ingesting the same bytes again replaces the old files
//!   instead of adding a second copy.
//! - A new version of a document (same organisation, year, phase and part, other bytes)
//!   supersedes the live one in the same commit: the old version's facts, narrative,
//!   targets and findings files are deleted and its `documents` row is rewritten with
//!   `live = false` and `superseded_by`, so `facts` holds one version and `documents` the
//!   history.
//!
//! Crash atomicity comes from the manifest. A reader that lists the files in the
//! milliseconds while the renames run can see a new version's facts next to the old
//! one's; readers that need a frozen view take it from a finished ingest.

use std::fmt;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::error::ArrowError;
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::basic::Compression;
use datafusion::parquet::errors::ParquetError;
use datafusion::parquet::file::properties::{EnabledStatistics, WriterProperties};

use super::schema::{self, DocumentKey, DocumentRecord};
use super::{CommittedDocument, Lake, compact};
use crate::checks::Finding;
use crate::model::ParsedDocument;

/// The staging directory under the lake root.
pub const STAGING: &str = "_staging";
const MANIFEST: &str = "COMMIT";

/// What a commit wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitSummary {
    pub doc_id: String,
    pub fiscal_year: i32,
    pub facts: usize,
    pub narrative: usize,
    pub targets: usize,
    pub findings: usize,
    /// The document was already in the lake and its files were replaced.
    pub replaced: bool,
    /// Earlier versions of the same organisation's document that this one superseded.
    pub superseded: Vec<String>,
}

/// A commit that did not happen; the lake is as it was.
#[derive(Debug)]
pub enum CommitError {
    Io { path: PathBuf, source: io::Error },
    Arrow(ArrowError),
    Parquet { path: PathBuf, source: ParquetError },
}

impl fmt::Display for CommitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CommitError::Io { path, source } => write!(f, "{}: {source}", path.display()),
            CommitError::Arrow(e) => write!(f, "cannot build the document's rows: {e}"),
            CommitError::Parquet { path, source } => {
                write!(f, "{}: writing Parquet: {source}", path.display())
            }
        }
    }
}

impl std::error::Error for CommitError {}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> CommitError + '_ {
    move |source| CommitError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Writer settings of per-document files: Snappy, statistics per page so readers can
/// prune. A commit writes five small files whose every column chunk would otherwise set up
/// a zstd context (a tenth of the CPU of a batch ingest in `perf`); compaction rewrites the
/// files with zstd ([`super::compact::writer_properties`]).
pub fn writer_properties() -> WriterProperties {
    WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_statistics_enabled(EnabledStatistics::Page)
        .build()
}

/// Writes `batch` to `path` as one Parquet file and syncs it.
pub fn write_parquet(path: &Path, batch: &RecordBatch) -> Result<(), CommitError> {
    let file = File::create(path).map_err(io_err(path))?;
    let parquet_err = |source| CommitError::Parquet {
        path: path.to_path_buf(),
        source,
    };
    let mut writer = ArrowWriter::try_new(file, batch.schema(), Some(writer_properties()))
        .map_err(parquet_err)?;
    writer.write(batch).map_err(parquet_err)?;
    let file = writer.into_inner().map_err(parquet_err)?;
    file.sync_all().map_err(io_err(path))
}

/// The advisory lock that serialises commits (`LAKE/.commit.lock`).
pub const COMMIT_LOCK_FILE: &str = ".commit.lock";

/// Commits one parsed and checked document: all of its tables, or nothing.
pub fn commit_document(
    lake: &Lake,
    doc_id: &str,
    doc: &ParsedDocument,
    findings: &[Finding],
    record: &DocumentRecord,
) -> Result<CommitSummary, CommitError> {
    let key = DocumentKey { doc_id, doc };
    // Build every batch first: a document that cannot be represented fails here, before
    // anything is written.
    let batches: Vec<(&str, RecordBatch)> = vec![
        (
            "facts",
            schema::facts_batch(&key).map_err(CommitError::Arrow)?,
        ),
        (
            "narrative",
            schema::narrative_batch(&key).map_err(CommitError::Arrow)?,
        ),
        (
            "targets",
            schema::targets_batch(&key).map_err(CommitError::Arrow)?,
        ),
        (
            "findings",
            schema::findings_batch(&key, findings).map_err(CommitError::Arrow)?,
        ),
        (
            "documents",
            schema::documents_batch(&key, record).map_err(CommitError::Arrow)?,
        ),
    ];
    let year = doc.meta.fiscal_year;
    // One commit at a time per lake, across processes: finding the version to supersede
    // and replacing it must not interleave with another commit of the same organisation
    // (two `yusuan ingest` runs would otherwise both leave their version live).
    let _one_at_a_time =
        compact::advisory_lock(lake, COMMIT_LOCK_FILE).map_err(io_err(lake.root()))?;
    // Rows of a compacted document are moved out of their part into per-document files
    // first, so that replacing or superseding it works as in a lake never compacted.
    compact::extract_document(lake, doc_id).map_err(io_err(lake.root()))?;
    let replaced = lake.file_path("documents", year, doc_id).exists();
    // A disclosure published in parts (情况说明 and 报表) is one organisation-year: a part
    // supersedes only an earlier version of the same part.
    let part = super::part_of(&doc.coverage.content);
    let superseded: Vec<CommittedDocument> = lake.documents_in_year_where(year, |d| {
        d.live
            && d.doc_id != doc_id
            && d.org_name == doc.meta.org_name
            && d.phase == doc.meta.phase.as_str()
            && d.content == part
    })?;
    for old in &superseded {
        compact::extract_document(lake, &old.doc_id).map_err(io_err(lake.root()))?;
    }

    let nonce = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let stage = lake
        .root()
        .join(STAGING)
        .join(format!("{doc_id}.{}.{nonce}", std::process::id()));
    fs::create_dir_all(&stage).map_err(io_err(&stage))?;

    let staged = write_staged(lake, &stage, doc_id, year, &batches, &superseded);
    let steps = match staged {
        Ok(moves) => moves,
        Err(e) => {
            let _ = fs::remove_dir_all(&stage);
            return Err(e);
        }
    };
    apply(&stage, &steps)?;

    Ok(CommitSummary {
        doc_id: doc_id.to_string(),
        fiscal_year: year,
        facts: doc.facts.len(),
        narrative: doc.narrative.len(),
        targets: doc.targets.len(),
        findings: findings.len(),
        replaced,
        superseded: superseded.into_iter().map(|d| d.doc_id).collect(),
    })
}

/// One step of a commit: move a staged file into place, or delete a file.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Move { staged: PathBuf, target: PathBuf },
    Delete(PathBuf),
}

/// In a manifest, a deletion is written with this in place of a staged file's name.
const DELETE: &str = "-";

/// Writes the staged files and the manifest; returns the steps in the order they apply:
/// the new data files, the superseded versions' data deleted, then the `documents` rows.
fn write_staged(
    lake: &Lake,
    stage: &Path,
    doc_id: &str,
    year: i32,
    batches: &[(&str, RecordBatch)],
    superseded: &[CommittedDocument],
) -> Result<Vec<Step>, CommitError> {
    let mut steps = Vec::new();
    let mut documents = Vec::new();
    for (table, batch) in batches {
        let staged = stage.join(format!("{table}.parquet"));
        write_parquet(&staged, batch)?;
        let step = Step::Move {
            staged,
            target: lake.file_path(table, year, doc_id),
        };
        if *table == "documents" {
            documents.push(step);
        } else {
            steps.push(step);
        }
    }
    for old in superseded {
        for table in schema::TABLES.iter().filter(|t| **t != "documents") {
            steps.push(Step::Delete(lake.file_path(
                table,
                old.fiscal_year,
                &old.doc_id,
            )));
        }
        let staged = stage.join(format!("superseded-{}.parquet", old.doc_id));
        let row = schema::superseded(&old.batch, doc_id).map_err(CommitError::Arrow)?;
        write_parquet(&staged, &row)?;
        documents.push(Step::Move {
            staged,
            target: lake.file_path("documents", old.fiscal_year, &old.doc_id),
        });
    }
    steps.extend(documents);
    let mut manifest = String::new();
    for step in &steps {
        // Relative to the lake root, so a lake moved after a crash still recovers.
        let (name, target) = match step {
            Step::Move { staged, target } => (
                staged.file_name().and_then(|n| n.to_str()).unwrap_or(""),
                target,
            ),
            Step::Delete(target) => (DELETE, target),
        };
        let relative = target.strip_prefix(lake.root()).unwrap_or(target);
        manifest.push_str(&format!("{name}\t{}\n", relative.display()));
    }
    let tmp = stage.join(format!("{MANIFEST}.tmp"));
    let mut file = File::create(&tmp).map_err(io_err(&tmp))?;
    file.write_all(manifest.as_bytes()).map_err(io_err(&tmp))?;
    file.sync_all().map_err(io_err(&tmp))?;
    let manifest_path = stage.join(MANIFEST);
    fs::rename(&tmp, &manifest_path).map_err(io_err(&manifest_path))?;
    sync_dir(stage);
    Ok(steps)
}

/// Applies the steps in order and removes the staging directory. Safe to repeat: a file
/// already moved or deleted is skipped.
fn apply(stage: &Path, steps: &[Step]) -> Result<(), CommitError> {
    for step in steps {
        match step {
            Step::Move { staged, target } => {
                if !staged.exists() {
                    continue;
                }
                if let Some(dir) = target.parent() {
                    fs::create_dir_all(dir).map_err(io_err(dir))?;
                }
                fs::rename(staged, target).map_err(io_err(target))?;
                if let Some(dir) = target.parent() {
                    sync_dir(dir);
                }
            }
            Step::Delete(target) => match fs::remove_file(target) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(io_err(target)(e)),
            },
        }
    }
    fs::remove_dir_all(stage).map_err(io_err(stage))
}

/// Finishes commits whose manifest was written and discards those whose was not, leaving
/// alone staging directories younger than a minute (another process may be committing).
pub fn recover(lake: &Lake) -> io::Result<()> {
    recover_older_than(lake, std::time::Duration::from_secs(60))
}

/// [`recover`] with the age below which a staging directory is taken to be in use.
pub fn recover_older_than(lake: &Lake, min_age: std::time::Duration) -> io::Result<()> {
    let staging = lake.root().join(STAGING);
    let entries = match fs::read_dir(&staging) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let stage = entry?.path();
        if !stage.is_dir() {
            let _ = fs::remove_file(&stage);
            continue;
        }
        // A directory of a commit still running in another process has no manifest yet
        // or is being applied: only sweep old ones.
        let age = fs::metadata(&stage)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| SystemTime::now().duration_since(t).ok())
            .unwrap_or_default();
        if age < min_age {
            continue;
        }
        match fs::read_to_string(stage.join(MANIFEST)) {
            Ok(manifest) => {
                let steps: Vec<Step> = manifest
                    .lines()
                    .filter_map(|l| l.split_once('\t'))
                    .map(|(name, target)| {
                        let target = lake.root().join(target);
                        if name == DELETE {
                            Step::Delete(target)
                        } else {
                            Step::Move {
                                staged: stage.join(name),
                                target,
                            }
                        }
                    })
                    .collect();
                apply(&stage, &steps).map_err(|e| io::Error::other(e.to_string()))?;
            }
            Err(_) => fs::remove_dir_all(&stage)?,
        }
    }
    Ok(())
}

fn sync_dir(dir: &Path) {
    // Directory fsync makes the rename durable on Linux; where it is not supported the
    // rename is still atomic, so a failure here is not an error.
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}
