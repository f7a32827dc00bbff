//! The Parquet lake: a directory of Hive-partitioned Parquet files, one file per document
//! and table, committed whole or not at all.
//!
//! ```text
//! LAKE/facts/fiscal_year=2021/<doc_id>.parquet
//! LAKE/narrative/…  LAKE/targets/…  LAKE/findings/…  LAKE/documents/…
//! LAKE/_staging/    transactions being written (never read by queries)
//! LAKE/_observed_names.tsv   classification names printed in the documents (a cache)
//! ```
//!
//! Other tools read the layout as it is (DuckDB:
//! `read_parquet('LAKE/facts/**/*.parquet', hive_partitioning = true)`).
//! How a commit stays atomic is explained in [`commit`].

pub mod commit;
pub mod compact;
pub mod fault;
pub mod health;
pub mod observed_names;
pub mod schema;

use std::collections::HashMap;
use std::ffi::OsString;
use std::fs::{self, File};
use std::io;
use std::os::unix::fs::DirEntryExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::compute::concat_batches;
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

pub use commit::{CommitError, CommitSummary};

/// The default lake directory, relative to the working directory.
pub const DEFAULT_LAKE: &str = "data/lake";

/// A lake directory, opened (created if missing) and recovered.
#[derive(Debug, Clone)]
pub struct Lake {
    root: PathBuf,
    /// `documents` rows already read, by file, with the file's inode number when read:
    /// each commit looks up the year's documents to find a version to
    /// supersede, and re-reading every file each time made a batch ingest quadratic.
    documents_read: Arc<Mutex<DocumentsRead>>,
}

/// `documents` rows by year and file name, with the stamp of the file they were read from.
type DocumentsRead = HashMap<(i32, OsString), (FileStamp, Vec<CommittedDocument>)>;

/// What identifies one version of a lake file: its inode number (see
/// [`Lake::documents_in_year_where`]).
type FileStamp = u64;

impl Lake {
    /// Opens the lake at `root`, creating its directories, and finishes or rolls back any
    /// commit that a crash interrupted.
    pub fn open(root: impl Into<PathBuf>) -> io::Result<Lake> {
        let root = root.into();
        for table in schema::TABLES {
            fs::create_dir_all(root.join(table))?;
        }
        fs::create_dir_all(root.join(commit::STAGING))?;
        let lake = Lake {
            root,
            documents_read: Arc::default(),
        };
        commit::recover(&lake)?;
        Ok(lake)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The directory of one table (`LAKE/facts`).
    pub fn table_dir(&self, table: &str) -> PathBuf {
        self.root.join(table)
    }

    /// Where a document's file of a table lives.
    pub fn file_path(&self, table: &str, fiscal_year: i32, doc_id: &str) -> PathBuf {
        self.table_dir(table)
            .join(format!("{}={fiscal_year}", schema::PARTITION_COLUMN))
            .join(format!("{doc_id}.parquet"))
    }

    /// The ids of the committed documents (those with a `documents` file), sorted.
    pub fn document_ids(&self) -> io::Result<Vec<String>> {
        // Documents in compacted parts are listed by the parts' index.
        let mut ids = compact::compacted_doc_ids(self)?;
        for partition in read_dir_sorted(&self.table_dir("documents"))? {
            if !partition.is_dir() {
                continue;
            }
            for file in read_dir_sorted(&partition)? {
                if file.extension().is_some_and(|e| e == "parquet")
                    && let Some(stem) = file.file_stem().and_then(|s| s.to_str())
                    && !stem.starts_with(compact::PART_PREFIX)
                {
                    ids.push(stem.to_string());
                }
            }
        }
        ids.sort();
        ids.dedup();
        Ok(ids)
    }

    /// The committed `documents` rows of one year, read from their files.
    pub fn documents_in_year(
        &self,
        fiscal_year: i32,
    ) -> Result<Vec<CommittedDocument>, CommitError> {
        self.documents_in_year_where(fiscal_year, |_| true)
    }

    /// The committed `documents` rows of one year that `keep` accepts. Only those are
    /// copied out of the rows remembered from earlier reads: a commit looks for the one
    /// version it supersedes, and copying the whole year each time made a batch ingest
    /// quadratic again.
    pub fn documents_in_year_where(
        &self,
        fiscal_year: i32,
        keep: impl Fn(&CommittedDocument) -> bool,
    ) -> Result<Vec<CommittedDocument>, CommitError> {
        let dir = self
            .table_dir("documents")
            .join(format!("{}={fiscal_year}", schema::PARTITION_COLUMN));
        let dir_err = |source| CommitError::Io {
            path: dir.clone(),
            source,
        };
        // A file is identified by its name and inode number, both from the directory
        // listing itself: this runs at every commit over every file of the year, and a
        // `stat` per file made a batch ingest slow down as the year filled up. The lake
        // never rewrites a file in place (a new version is a new file renamed over the
        // old one, and a compaction swaps whole directories), so a changed file has a
        // new inode.
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(dir_err(e)),
        };
        let mut files: Vec<(OsString, FileStamp)> = Vec::new();
        for entry in entries {
            let entry = entry.map_err(dir_err)?;
            let name = entry.file_name();
            if name.as_encoded_bytes().ends_with(b".parquet") {
                files.push((name, entry.ino()));
            }
        }
        files.sort();
        let mut read = self
            .documents_read
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let mut out = Vec::new();
        for (name, now) in files {
            let key = (fiscal_year, name);
            if let Some((then, rows)) = read.get(&key)
                && *then == now
            {
                out.extend(rows.iter().filter(|d| keep(d)).cloned());
                continue;
            }
            let rows = read_documents_file(&dir.join(&key.1), fiscal_year)?;
            out.extend(rows.iter().filter(|d| keep(d)).cloned());
            read.insert(key, (now, rows));
        }
        Ok(out)
    }

    /// Whether no document has been committed yet.
    pub fn is_empty(&self) -> io::Result<bool> {
        Ok(self.document_ids()?.is_empty())
    }
}

/// A committed document's row of `documents`.
#[derive(Debug, Clone)]
pub struct CommittedDocument {
    pub doc_id: String,
    pub fiscal_year: i32,
    pub org_name: String,
    pub phase: String,
    /// `tables` or `narrative`: which part of a disclosure published in parts (a 情况说明
    /// apart from its 报表). Rows written before parts were told apart read as `tables`.
    pub content: String,
    /// False once a newer version of the same organisation's document replaced it.
    pub live: bool,
    /// The row itself, to rewrite it when it is superseded.
    pub batch: RecordBatch,
}

impl CommittedDocument {
    /// The statements the document's tables were read as (`tables_found`), comma-separated.
    pub fn tables_found(&self) -> String {
        self.batch
            .column_by_name("tables_found")
            .and_then(|c| c.as_string_opt::<i32>())
            .filter(|c| c.is_valid(0))
            .map(|c| c.value(0).to_string())
            .unwrap_or_default()
    }
}

/// The part of a disclosure a document is, from its `content`: `narrative` for a prose-only
/// part, `tables` otherwise (also for rows written before coverage was stored).
pub fn part_of(content: &str) -> &str {
    if content == "narrative" {
        "narrative"
    } else {
        "tables"
    }
}

/// The rows of one `documents` file: one for a per-document file, many for a compacted part.
fn read_documents_file(
    path: &Path,
    fiscal_year: i32,
) -> Result<Vec<CommittedDocument>, CommitError> {
    let rows = read_parquet(path)?;
    let mut out = Vec::with_capacity(rows.num_rows());
    for i in 0..rows.num_rows() {
        let batch = rows.slice(i, 1);
        let text = |name: &str| {
            batch
                .column_by_name(name)
                .and_then(|c| c.as_string_opt::<i32>())
                .filter(|c| c.is_valid(0))
                .map(|c| c.value(0).to_string())
                .unwrap_or_default()
        };
        let live = batch
            .column_by_name("live")
            .and_then(|c| c.as_boolean_opt())
            .is_none_or(|c| c.is_null(0) || c.value(0));
        out.push(CommittedDocument {
            doc_id: text("doc_id"),
            fiscal_year,
            org_name: text("org_name"),
            phase: text("phase"),
            content: part_of(&text("content")).to_string(),
            live,
            batch,
        });
    }
    Ok(out)
}

/// Reads a whole (small) Parquet file into one batch.
fn read_parquet(path: &Path) -> Result<RecordBatch, CommitError> {
    let parquet_err = |source| CommitError::Parquet {
        path: path.to_path_buf(),
        source,
    };
    let file = File::open(path).map_err(|source| CommitError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(parquet_err)?;
    let schema = builder.schema().clone();
    let batches = builder
        .build()
        .map_err(parquet_err)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(CommitError::Arrow)?;
    concat_batches(&schema, &batches).map_err(CommitError::Arrow)
}

fn read_dir_sorted(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut paths = match fs::read_dir(dir) {
        Ok(entries) => entries
            .map(|e| e.map(|e| e.path()))
            .collect::<io::Result<Vec<_>>>()?,
        Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(e),
    };
    paths.sort();
    Ok(paths)
}
