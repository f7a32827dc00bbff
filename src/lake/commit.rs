//! Atomic, idempotent commits of one document's files, and the recovery of commits a crash
//! interrupted.
//!
//! # The protocol
//!
//! Commits take `LAKE/.commit.lock` (an advisory `flock`, released with the process if it
//! dies), so one runs at a time across processes. Under the lock a commit:
//!
//! 1. recovers whatever earlier commits left in `LAKE/_staging/` (below), so that no
//!    interrupted commit can be finished after this one and undo it;
//! 2. finds the live version it supersedes (same organisation, year, phase and part);
//! 3. writes every table's file for the document into a private staging directory
//!    (`_staging/<doc_id>.<pid>.<nonce>/`) and syncs them;
//! 4. writes the `COMMIT` manifest (aside, synced, renamed into place): the document, the
//!    versions it supersedes, and each step — move a staged file to its target, or delete a
//!    superseded version's file. **The rename of the manifest is the commit point.**
//! 5. applies the steps in order — the old version's data deleted, the new data files
//!    moved in, then the `documents` rows (the new one, and the old one rewritten with
//!    `live = false`) — and removes the staging directory. A query listing the files while
//!    the steps run sees the old version, or neither, or the new one; never both.
//!
//! # What a crash can leave
//!
//! - Before the commit point: a staging directory without a manifest. The lake is as it
//!   was; recovery deletes the directory.
//! - After it: a manifest whose steps are partly applied. Recovery applies the rest; every
//!   step is idempotent (a file already moved or deleted is skipped), so a crash during
//!   recovery is recovered the same way.
//!
//! Recovery runs whenever a lake is opened and the commit lock is free (a process that is
//! committing holds it, and recovers before its own commit), and at step 1 of every commit.
//! So a process that opens the lake after a crash sees the interrupted commit finished, and
//! an interrupted commit can never be replayed after a later commit of the same
//! organisation-year: the later commit finishes it first and then supersedes it. As a
//! second guard a manifest names what it supersedes, and a replay checks that no other
//! version has become live since; a stale manifest is discarded, not applied.
//!
//! A manifest is data read back from disk: recovery applies only steps whose staged file is
//! a plain name in its staging directory and whose target is a lake table file
//! (`<table>/fiscal_year=<year>/<name>.parquet`). Anything else — an absolute path, `..`, a
//! file outside the tables — refuses the whole manifest: the staging directory is renamed
//! `….rejected`, reported, and nothing is touched. Compaction's staging directories
//! (`compact-…`) are swept only while no compaction holds its lock.
//!
//! File names are the `doc_id`, so ingesting the same bytes again replaces the old files
//! (a rename over them) instead of adding a second copy. A query that listed a superseded
//! file just before it was deleted fails to open it; the shell runs such a query again
//! ([`crate::shell::exec::execute`]). [`super::fault`] puts a crash point
//! between every two file operations of the protocol, for the crash tests.

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
use super::{CommittedDocument, Lake, compact, fault, health};
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
    Io {
        path: PathBuf,
        source: io::Error,
    },
    /// The new version reads fewer standard tables than the live one it would replace (a
    /// truncated copy?); `force` replaces it anyway.
    LessThanLive {
        live_doc_id: String,
        live_tables: Vec<String>,
        new_tables: Vec<String>,
    },
    Arrow(ArrowError),
    Parquet {
        path: PathBuf,
        source: ParquetError,
    },
}

impl fmt::Display for CommitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CommitError::Io { path, source } => write!(f, "{}: {source}", path.display()),
            CommitError::LessThanLive {
                live_doc_id,
                live_tables,
                new_tables,
            } => {
                let lost: Vec<&str> = live_tables
                    .iter()
                    .filter(|t| !new_tables.contains(t))
                    .map(String::as_str)
                    .collect();
                write!(
                    f,
                    "this version reads {} of the standard tables the live version {live_doc_id} \
                     reads ({}; missing here: {}): a truncated copy? The live version is kept; \
                     --force replaces it anyway",
                    new_tables.len(),
                    live_tables.len(),
                    lost.join(", ")
                )
            }
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
    force: bool,
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
    recover_locked(lake).map_err(io_err(&lake.root().join(STAGING)))?;
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
    // A new version that reads fewer standard tables than the live one is more likely a
    // copy cut short than a correction: it does not replace the live one unless forced.
    if !force {
        let new_tables = standard_tables(doc.tables.iter().map(|t| t.statement.as_str()));
        for old in &superseded {
            let live_tables = standard_tables(old.tables_found().split(','));
            if new_tables.len() < live_tables.len() {
                return Err(CommitError::LessThanLive {
                    live_doc_id: old.doc_id.clone(),
                    live_tables,
                    new_tables,
                });
            }
        }
    }
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

    let header = ManifestHeader {
        doc_id: doc_id.to_string(),
        fiscal_year: year,
        org_name: doc.meta.org_name.clone(),
        phase: doc.meta.phase.as_str().to_string(),
        part: part.to_string(),
        superseded: superseded.iter().map(|d| d.doc_id.clone()).collect(),
    };
    let staged = write_staged(lake, &stage, &header, &batches, &superseded);
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

/// The distinct standard tables among `statements` (not `unrecognised` regions).
fn standard_tables<'a>(statements: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in statements {
        let s = s.trim();
        if !s.is_empty() && s != "unrecognised" && !out.iter().any(|o| o == s) {
            out.push(s.to_string());
        }
    }
    out
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
/// the superseded versions' data deleted, the new data files, then the `documents` rows.
fn write_staged(
    lake: &Lake,
    stage: &Path,
    header: &ManifestHeader,
    batches: &[(&str, RecordBatch)],
    superseded: &[CommittedDocument],
) -> Result<Vec<Step>, CommitError> {
    let (doc_id, year) = (header.doc_id.as_str(), header.fiscal_year);
    // The superseded version's data goes first, then the new data, then the `documents`
    // rows: a query that lists the files while the steps run sees the old version, or
    // neither, or the new one — never both versions' facts at once.
    let mut deletions = Vec::new();
    let mut steps = Vec::new();
    let mut documents = Vec::new();
    for (table, batch) in batches {
        let staged = stage.join(format!("{table}.parquet"));
        write_parquet(&staged, batch)?;
        fault::point("staged file written");
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
            deletions.push(Step::Delete(lake.file_path(
                table,
                old.fiscal_year,
                &old.doc_id,
            )));
        }
        let staged = stage.join(format!("superseded-{}.parquet", old.doc_id));
        let row = schema::superseded(&old.batch, doc_id).map_err(CommitError::Arrow)?;
        write_parquet(&staged, &row)?;
        fault::point("superseded row staged");
        documents.push(Step::Move {
            staged,
            target: lake.file_path("documents", old.fiscal_year, &old.doc_id),
        });
    }
    deletions.extend(steps);
    let mut steps = deletions;
    steps.extend(documents);
    let mut manifest = header.to_lines();
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
    fault::point("manifest written aside");
    let manifest_path = stage.join(MANIFEST);
    fs::rename(&tmp, &manifest_path).map_err(io_err(&manifest_path))?;
    sync_dir(stage);
    fault::point("manifest renamed: committed");
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
                fault::point("file moved into place");
            }
            Step::Delete(target) => {
                match fs::remove_file(target) {
                    Ok(()) => {}
                    Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                    Err(e) => return Err(io_err(target)(e)),
                }
                fault::point("superseded file deleted");
            }
        }
    }
    fs::remove_dir_all(stage).map_err(io_err(stage))?;
    fault::point("staging removed");
    Ok(())
}

/// The suffix of a staging directory whose manifest was refused (kept for inspection).
const REJECTED: &str = ".rejected";

/// Finishes commits whose manifest was written and discards those whose was not — if no
/// other process is committing (it holds the commit lock, and recovers before its own
/// commit). See the module documentation for what a crash can leave.
///
/// Then, with no compaction running either, moves damaged table files aside with a warning
/// ([`super::health`]), so that one unreadable file does not stop every query.
pub fn recover(lake: &Lake) -> io::Result<()> {
    let Some(_lock) = compact::try_advisory_lock(lake, COMMIT_LOCK_FILE)? else {
        return Ok(());
    };
    recover_locked(lake)?;
    if let Some(_compaction) = compact::try_lock(lake)? {
        for damaged in health::quarantine_damaged(lake)? {
            eprintln!("{}", health::warning(&damaged));
        }
    }
    Ok(())
}

/// [`recover`] with the commit lock held by the caller.
fn recover_locked(lake: &Lake) -> io::Result<()> {
    let staging = lake.root().join(STAGING);
    let entries = match fs::read_dir(&staging) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    // Compaction builds partitions under `_staging/compact-…` holding its own lock.
    let compaction_idle = compact::try_lock(lake)?;
    let mut stages: Vec<PathBuf> = entries
        .map(|e| e.map(|e| e.path()))
        .collect::<io::Result<_>>()?;
    stages.sort();
    for stage in stages {
        let name = stage
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        if name.ends_with(REJECTED) {
            continue;
        }
        let is_dir = fs::symlink_metadata(&stage).is_ok_and(|m| m.is_dir());
        if !is_dir {
            let _ = fs::remove_file(&stage);
            continue;
        }
        if name.starts_with("compact-") {
            if compaction_idle.is_some() {
                fs::remove_dir_all(&stage)?;
            }
            continue;
        }
        let text = match fs::read_to_string(stage.join(MANIFEST)) {
            Ok(text) => text,
            // No commit point reached: the lake never saw this commit.
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                fs::remove_dir_all(&stage)?;
                continue;
            }
            Err(e) => return Err(e),
        };
        let manifest = match Manifest::parse(lake, &stage, &text) {
            Ok(m) => m,
            Err(why) => {
                let rejected = stage.with_file_name(format!("{name}{REJECTED}"));
                fs::rename(&stage, &rejected)?;
                eprintln!(
                    "warning: {}: refused an interrupted commit's manifest ({why}); nothing \
                     was applied, the directory is kept as {}",
                    stage.join(MANIFEST).display(),
                    rejected.display()
                );
                continue;
            }
        };
        if let Some(why) = manifest.stale(lake)? {
            eprintln!(
                "warning: {}: rolled back an interrupted commit that a later one overtook \
                 ({why})",
                stage.display()
            );
            manifest.roll_back()?;
            fs::remove_dir_all(&stage)?;
            continue;
        }
        apply(&stage, &manifest.steps).map_err(|e| io::Error::other(e.to_string()))?;
    }
    Ok(())
}

/// What a manifest says of its commit besides the steps: the document and the versions it
/// supersedes, so a replay can tell whether it is still due.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ManifestHeader {
    doc_id: String,
    fiscal_year: i32,
    org_name: String,
    phase: String,
    part: String,
    superseded: Vec<String>,
}

const DOC_LINE: &str = "#doc";
const SUPERSEDES_LINE: &str = "#supersedes";

impl ManifestHeader {
    fn to_lines(&self) -> String {
        format!(
            "{DOC_LINE}\t{}\t{}\t{}\t{}\t{}\n{SUPERSEDES_LINE}\t{}\n",
            self.doc_id,
            self.fiscal_year,
            self.phase,
            self.part,
            self.org_name.replace(['\t', '\n'], " "),
            self.superseded.join(",")
        )
    }
}

/// A manifest read back and checked.
#[derive(Debug)]
struct Manifest {
    /// `None` for a manifest written before manifests named their document.
    header: Option<ManifestHeader>,
    steps: Vec<Step>,
}

impl Manifest {
    /// Reads a manifest, refusing it whole if any step would reach outside the lake's
    /// tables or take a staged file from outside its staging directory.
    fn parse(lake: &Lake, stage: &Path, text: &str) -> Result<Manifest, String> {
        let mut header: Option<ManifestHeader> = None;
        let mut superseded: Option<Vec<String>> = None;
        let mut steps = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let fields: Vec<&str> = line.split('\t').collect();
            let bad = |what: &str| format!("line {}: {what}: {line:?}", i + 1);
            match fields.as_slice() {
                [DOC_LINE, doc_id, year, phase, part, org] => {
                    if !is_plain_name(doc_id) {
                        return Err(bad("not a document id"));
                    }
                    header = Some(ManifestHeader {
                        doc_id: doc_id.to_string(),
                        fiscal_year: year.parse().map_err(|_| bad("not a year"))?,
                        org_name: org.to_string(),
                        phase: phase.to_string(),
                        part: part.to_string(),
                        superseded: Vec::new(),
                    });
                }
                [SUPERSEDES_LINE, ids] => {
                    superseded = Some(
                        ids.split(',')
                            .filter(|s| !s.is_empty())
                            .map(str::to_string)
                            .collect(),
                    );
                }
                [name, target] => {
                    let target = lake_table_file(lake, target)
                        .ok_or_else(|| bad("the target is not a file of a lake table"))?;
                    if *name == DELETE {
                        steps.push(Step::Delete(target));
                    } else if is_plain_name(name) && name.ends_with(".parquet") {
                        steps.push(Step::Move {
                            staged: stage.join(name),
                            target,
                        });
                    } else {
                        return Err(bad(
                            "the staged file is not a file of the staging directory",
                        ));
                    }
                }
                [""] => {}
                _ => return Err(bad("not a manifest line")),
            }
        }
        if let (Some(h), Some(ids)) = (header.as_mut(), superseded) {
            h.superseded = ids;
        }
        Ok(Manifest { header, steps })
    }

    /// Removes the files this commit already moved into place for its own document (a
    /// stale commit's facts would otherwise be rows of no live document). The superseded
    /// versions' files are left as the later commit left them.
    fn roll_back(&self) -> io::Result<()> {
        let Some(h) = &self.header else {
            return Ok(());
        };
        let own = format!("{}.parquet", h.doc_id);
        for step in &self.steps {
            if let Step::Move { target, .. } = step
                && target.file_name().is_some_and(|n| n == own.as_str())
            {
                match fs::remove_file(target) {
                    Ok(()) => {}
                    Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(())
    }

    /// Why replaying this commit would undo a later one, if it would: a version of the same
    /// organisation-year-phase-part other than this document and those it supersedes is
    /// live.
    fn stale(&self, lake: &Lake) -> io::Result<Option<String>> {
        let Some(h) = &self.header else {
            return Ok(None);
        };
        let live = lake
            .documents_in_year_where(h.fiscal_year, |d| {
                d.live
                    && d.doc_id != h.doc_id
                    && !h.superseded.contains(&d.doc_id)
                    && d.org_name == h.org_name
                    && d.phase == h.phase
                    && d.content == h.part
            })
            .map_err(|e| io::Error::other(e.to_string()))?;
        Ok(live.first().map(|d| {
            format!(
                "{} {} {} is now {}",
                h.org_name, h.fiscal_year, h.phase, d.doc_id
            )
        }))
    }
}

/// A file or directory name with no path in it.
fn is_plain_name(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.contains(['/', '\\', '\0'])
}

/// `target` (relative to the lake root) if it names a table file,
/// `<table>/<partition>=<year>/<name>.parquet`; `None` for anything else.
fn lake_table_file(lake: &Lake, target: &str) -> Option<PathBuf> {
    let parts: Vec<&str> = target.split('/').collect();
    let [table, partition, file] = parts.as_slice() else {
        return None;
    };
    let year = partition.strip_prefix(&format!("{}=", schema::PARTITION_COLUMN))?;
    let ok = schema::TABLES.contains(table)
        && year.parse::<i32>().is_ok()
        && is_plain_name(file)
        && file.ends_with(".parquet");
    ok.then(|| lake.root().join(table).join(partition).join(file))
}

fn sync_dir(dir: &Path) {
    // Directory fsync makes the rename durable on Linux; where it is not supported the
    // rename is still atomic, so a failure here is not an error.
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}
