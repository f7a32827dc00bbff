//! The Parquet lake: a directory of Hive-partitioned Parquet files, one file per document
//! and table, committed whole or not at all.
//!
//! ```text
//! LAKE/facts/fiscal_year=2021/<doc_id>.parquet
//! LAKE/narrative/…  LAKE/targets/…  LAKE/findings/…  LAKE/documents/…
//! LAKE/_staging/    transactions being written (never read by queries)
//! ```
//!
//! Other tools read the layout as it is (DuckDB:
//! `read_parquet('LAKE/facts/**/*.parquet', hive_partitioning = true)`).
//! How a commit stays atomic is explained in [`commit`].

pub mod commit;
pub mod schema;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

pub use commit::{CommitError, CommitSummary};

/// The default lake directory, relative to the working directory.
pub const DEFAULT_LAKE: &str = "data/lake";

/// A lake directory, opened (created if missing) and recovered.
#[derive(Debug, Clone)]
pub struct Lake {
    root: PathBuf,
}

impl Lake {
    /// Opens the lake at `root`, creating its directories, and finishes or rolls back any
    /// commit that a crash interrupted.
    pub fn open(root: impl Into<PathBuf>) -> io::Result<Lake> {
        let root = root.into();
        for table in schema::TABLES {
            fs::create_dir_all(root.join(table))?;
        }
        fs::create_dir_all(root.join(commit::STAGING))?;
        let lake = Lake { root };
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
        let mut ids = Vec::new();
        for partition in read_dir_sorted(&self.table_dir("documents"))? {
            if !partition.is_dir() {
                continue;
            }
            for file in read_dir_sorted(&partition)? {
                if file.extension().is_some_and(|e| e == "parquet")
                    && let Some(stem) = file.file_stem().and_then(|s| s.to_str())
                {
                    ids.push(stem.to_string());
                }
            }
        }
        ids.sort();
        Ok(ids)
    }

    /// Whether no document has been committed yet.
    pub fn is_empty(&self) -> io::Result<bool> {
        Ok(self.document_ids()?.is_empty())
    }
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
