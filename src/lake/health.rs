//! Damaged lake files: found when the lake is opened, named, and moved aside so that the
//! rest of the lake answers.
//!
//! A Parquet file whose footer cannot be read (a disk error, a copy cut short, a file
//! written over by hand) would make every query of its table fail, and the lake's own
//! bookkeeping (the names printed in the documents) with it. [`quarantine_damaged`] reads
//! the footer of every table file, and moves a damaged one to `LAKE/_damaged/` with a
//! warning that names it. A document is kept whole or not at all: when one of a
//! document's own files is damaged, all its files of that year go aside with it, and the
//! warning says to ingest it again. A compacted part holds rows of many documents; it goes
//! aside alone, and the warning says which documents it held.
//!
//! Commits write into `_staging/` and rename complete files into place, and compaction
//! swaps whole partitions, so a file in a table directory is never half-written: a footer
//! that does not parse is damage, not a commit in progress.

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};

use datafusion::parquet::file::reader::{FileReader, SerializedFileReader};

use super::{Lake, compact, read_dir_sorted, schema};

/// Where damaged files are moved, under the lake root.
pub const DAMAGED: &str = "_damaged";

/// One file moved aside.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Damaged {
    /// Where it was, and where it is now.
    pub path: PathBuf,
    pub moved_to: PathBuf,
    /// Why it cannot be read.
    pub why: String,
}

/// Reads the footer of every table file and moves damaged ones (and the rest of their
/// document) to `_damaged/`; what was moved. Call with the commit lock held.
pub fn quarantine_damaged(lake: &Lake) -> io::Result<Vec<Damaged>> {
    let mut files: Vec<PathBuf> = Vec::new();
    for table in schema::TABLES {
        for partition in read_dir_sorted(&lake.table_dir(table))? {
            if !partition.is_dir() {
                continue;
            }
            for file in read_dir_sorted(&partition)? {
                if file.extension().is_some_and(|e| e == "parquet") {
                    files.push(file);
                }
            }
        }
    }
    // A footer read is two small reads; on all cores a lake of a thousand files is
    // checked in a few tens of milliseconds.
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, files.len().max(1));
    let chunk = files.len().div_ceil(threads).max(1);
    let damaged: Vec<(PathBuf, String)> = std::thread::scope(|scope| {
        let handles: Vec<_> = files
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .filter_map(|f| footer_error(f).map(|why| (f.clone(), why)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    let mut moved = Vec::new();
    for (file, why) in damaged {
        let stem = file
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        let partition = file.parent().and_then(|p| p.file_name()).map(PathBuf::from);
        // A document's own file takes the rest of the document with it.
        let mut files = vec![file.clone()];
        if !stem.starts_with(compact::PART_PREFIX)
            && let Some(partition) = &partition
        {
            for table in schema::TABLES {
                let sibling = lake
                    .table_dir(table)
                    .join(partition)
                    .join(format!("{stem}.parquet"));
                if sibling != file && sibling.exists() {
                    files.push(sibling);
                }
            }
        }
        for f in files {
            let Ok(relative) = f.strip_prefix(lake.root()) else {
                continue;
            };
            let target = lake.root().join(DAMAGED).join(relative);
            if let Some(dir) = target.parent() {
                fs::create_dir_all(dir)?;
            }
            match fs::rename(&f, &target) {
                Ok(()) => {}
                // Moved already with an earlier damaged file of the same document.
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e),
            }
            let why = if f == file {
                why.clone()
            } else {
                format!("its document's file {} is damaged", file.display())
            };
            moved.push(Damaged {
                path: f,
                moved_to: target,
                why,
            });
        }
    }
    Ok(moved)
}

/// Why a Parquet file's footer cannot be read, if it cannot.
fn footer_error(path: &Path) -> Option<String> {
    let file = match File::open(path) {
        Ok(file) => file,
        // Gone since it was listed (compaction swapped its partition): not damage.
        Err(e) if e.kind() == io::ErrorKind::NotFound => return None,
        Err(e) => return Some(e.to_string()),
    };
    match SerializedFileReader::new(file) {
        Ok(reader) => {
            // A footer that parses but describes no schema is as unreadable.
            let columns = reader
                .metadata()
                .file_metadata()
                .schema_descr()
                .num_columns();
            (columns == 0).then(|| "the file has no columns".to_string())
        }
        Err(e) => Some(e.to_string()),
    }
}

/// The warning for one file moved aside.
pub fn warning(d: &Damaged) -> String {
    let stem = d
        .path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    let what = if stem.starts_with(compact::PART_PREFIX) {
        "the rows of the documents it held are missing from every answer until they are \
         ingested again"
            .to_string()
    } else {
        format!("document {stem} is out of every answer until it is ingested again")
    };
    format!(
        "warning: {} cannot be read ({}): moved to {}; {what}",
        d.path.display(),
        d.why,
        d.moved_to.display()
    )
}
