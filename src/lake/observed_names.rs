//! The names of classification codes printed in the lake's documents, kept beside the lake
//! so a session starts without scanning `facts`.
//!
//! Collecting them is one aggregate over every fact of two statements: at 10⁷ facts that
//! was most of the start-up time. Two caches in the lake's root make it cheap:
//!
//! - `_observed_names.tsv`: the result (one row per classification, year, code and name),
//!   under a fingerprint of the `facts` files it was computed from (every file's path,
//!   size and modification time). A session whose listing gives that fingerprint reads
//!   it and is ready in milliseconds.
//! - `_observed_names_by_file.tsv`: the names each `facts` file prints, by file identity.
//!   When the fingerprint does not match (a commit, supersede or compaction changed the
//!   files), only the files not in it are read — after an ingest of one more document,
//!   one small file — and the two caches are written again.
//!
//! Files are read directly with the Parquet reader, on all cores ([`load`]); the result
//! is the same as the aggregate `functions::class_tables` runs through DataFusion (a test
//! there compares them). Both caches are replaced atomically (written aside, renamed); a
//! read-only lake goes without them. `compact` and `gen` refresh them as they finish.
//!
//! ```text
//! # yusuan observed names v1 <fingerprint>
//! class<TAB>fiscal_year<TAB>code<TAB>name<TAB>count<TAB>doc_id
//!
//! # yusuan observed names by file v1
//! F<TAB>facts/fiscal_year=2021/<file>.parquet<TAB>fiscal_year<TAB>size<TAB>mtime_ns
//! N<TAB>class<TAB>code<TAB>name<TAB>count<TAB>doc_id
//! ```
//! Fields escape `\`, tab and newline as `\\`, `\t`, `\n`.

use std::fs;
use std::io::{self, Write};
use std::path::PathBuf;

use sha2::{Digest, Sha256};

use super::{Lake, read_dir_sorted};
use crate::catalog::{Classification, ObservedName};

/// The cache file, in the lake's root.
pub const FILE_NAME: &str = "_observed_names.tsv";

const HEADER: &str = "# yusuan observed names v1 ";

/// The names printed in the lake's documents, per classification.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ObservedNames {
    pub function: Vec<ObservedName>,
    pub economic: Vec<ObservedName>,
}

/// One version of one `facts` file: its path under the lake, its partition's year, its
/// size and modification time. A commit writes new files and a compaction swaps whole
/// directories, so a file whose identity is unchanged holds the same rows.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FactsFile {
    pub rel: String,
    pub fiscal_year: i32,
    pub len: u64,
    pub modified: u128,
}

/// The Parquet files of `LAKE/facts`, sorted by path.
pub fn facts_files(lake: &Lake) -> io::Result<Vec<FactsFile>> {
    let mut files = Vec::new();
    for partition in read_dir_sorted(&lake.table_dir("facts"))? {
        let Some(fiscal_year) = partition
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_prefix("fiscal_year="))
            .and_then(|y| y.parse::<i32>().ok())
        else {
            continue;
        };
        if !partition.is_dir() {
            continue;
        }
        for file in read_dir_sorted(&partition)? {
            if file.extension().is_none_or(|e| e != "parquet") {
                continue;
            }
            let meta = match fs::metadata(&file) {
                Ok(m) => m,
                // Removed between listing and stat (a concurrent commit): the list is of a
                // state that is already gone, which only costs a recomputation.
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e),
            };
            let modified = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            let rel = file.strip_prefix(lake.root()).unwrap_or(&file);
            files.push(FactsFile {
                rel: rel.to_string_lossy().into_owned(),
                fiscal_year,
                len: meta.len(),
                modified,
            });
        }
    }
    Ok(files)
}

/// What identifies the current contents of `LAKE/facts`: a hash of every Parquet file's
/// path, size and modification time.
pub fn fingerprint(lake: &Lake) -> io::Result<String> {
    Ok(fingerprint_of(&facts_files(lake)?))
}

fn fingerprint_of(files: &[FactsFile]) -> String {
    let mut hash = Sha256::new();
    for f in files {
        hash.update(f.rel.as_bytes());
        hash.update([0]);
        hash.update(f.len.to_le_bytes());
        hash.update(f.modified.to_le_bytes());
    }
    format!("{:x}", hash.finalize())
}

/// The names printed in the lake's documents: from the cache when it matches the files,
/// otherwise gathered file by file — from the per-file cache for files seen before, by
/// reading the others — and cached again. After an ingest of one more document that reads
/// one small file, not the whole lake. The cache files are best effort: a lake that cannot
/// be written to is read every time.
pub fn load(lake: &Lake) -> io::Result<ObservedNames> {
    let files = facts_files(lake)?;
    let fingerprint = fingerprint_of(&files);
    if let Some(names) = read(lake, &fingerprint) {
        return Ok(names);
    }
    let mut known = read_by_file(lake);
    let missing: Vec<&FactsFile> = files.iter().filter(|f| !known.contains_key(*f)).collect();
    for (file, names) in names_of_files(lake, &missing)? {
        known.insert(file, names);
    }
    let current: std::collections::HashSet<&FactsFile> = files.iter().collect();
    known.retain(|f, _| current.contains(f));
    let names = combine(&known);
    let _ = write_by_file(lake, &files, &known);
    // The files may have changed while they were read: then the names are stored under
    // the fingerprint taken before, which no longer matches, and are gathered again next
    // time. Never the other way round.
    let _ = write(lake, &fingerprint, &names);
    Ok(names)
}

/// The names one file prints: per classification, (code, name) → (rows, smallest doc_id).
type FileNames = Vec<(Classification, String, String, i64, String)>;

/// Reads `files` on all cores.
fn names_of_files(lake: &Lake, files: &[&FactsFile]) -> io::Result<Vec<(FactsFile, FileNames)>> {
    if files.is_empty() {
        return Ok(Vec::new());
    }
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(files.len());
    let chunk = files.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = files
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|f| {
                            let path = lake.root().join(&f.rel);
                            names_of_file(&path)
                                .map(|n| ((*f).clone(), n))
                                .map_err(|e| {
                                    io::Error::new(e.kind(), format!("{}: {e}", path.display()))
                                })
                        })
                        .collect::<io::Result<Vec<_>>>()
                })
            })
            .collect();
        let mut out = Vec::with_capacity(files.len());
        for h in handles {
            out.extend(
                h.join()
                    .map_err(|_| io::Error::other("a reader thread failed"))??,
            );
        }
        Ok(out)
    })
}

/// The (code, name) pairs printed in one `facts` file: the statements that print a code
/// and its name side by side (`expenditure_by_func` for the function classification,
/// `gpb_basic_by_econ` for the economic one), subtotal rows included.
fn names_of_file(path: &std::path::Path) -> io::Result<FileNames> {
    use datafusion::arrow::array::{Array, AsArray};
    use datafusion::arrow::compute::cast;
    use datafusion::arrow::datatypes::DataType;
    use datafusion::parquet::arrow::ProjectionMask;
    use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    let file = fs::File::open(path)?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(io::Error::other)?;
    let wanted = ["doc_id", "statement", "func_code", "econ_code", "item"];
    let schema = builder.schema().clone();
    let indices: Vec<usize> = wanted
        .iter()
        .map(|c| {
            schema
                .index_of(c)
                .map_err(|_| io::Error::other(format!("no column {c}")))
        })
        .collect::<io::Result<_>>()?;
    let mask = ProjectionMask::roots(builder.parquet_schema(), indices);
    let reader = builder
        .with_projection(mask)
        .build()
        .map_err(io::Error::other)?;
    let mut seen: std::collections::HashMap<(bool, String, String), (i64, String)> =
        std::collections::HashMap::new();
    for batch in reader {
        let batch = batch.map_err(io::Error::other)?;
        let column = |name: &str| -> io::Result<datafusion::arrow::array::ArrayRef> {
            let c = batch
                .column_by_name(name)
                .ok_or_else(|| io::Error::other(format!("no column {name}")))?;
            cast(c, &DataType::Utf8).map_err(io::Error::other)
        };
        let (doc, statement, func, econ, item) = (
            column("doc_id")?,
            column("statement")?,
            column("func_code")?,
            column("econ_code")?,
            column("item")?,
        );
        let (doc, statement, func, econ, item) = (
            doc.as_string::<i32>(),
            statement.as_string::<i32>(),
            func.as_string::<i32>(),
            econ.as_string::<i32>(),
            item.as_string::<i32>(),
        );
        for row in 0..batch.num_rows() {
            if statement.is_null(row) || item.is_null(row) || doc.is_null(row) {
                continue;
            }
            let (economic, code) = match statement.value(row) {
                "expenditure_by_func" => (false, func),
                "gpb_basic_by_econ" => (true, econ),
                _ => continue,
            };
            if code.is_null(row) {
                continue;
            }
            let key = (
                economic,
                code.value(row).to_string(),
                item.value(row).to_string(),
            );
            let doc_id = doc.value(row);
            let entry = seen.entry(key).or_insert_with(|| (0, doc_id.to_string()));
            entry.0 += 1;
            if doc_id < entry.1.as_str() {
                entry.1 = doc_id.to_string();
            }
        }
    }
    Ok(seen
        .into_iter()
        .map(|((economic, code, name), (count, doc_id))| {
            let class = if economic {
                Classification::Economic
            } else {
                Classification::Function
            };
            (class, code, name, count, doc_id)
        })
        .collect())
}

/// Adds up the names of every file: counts summed, the smallest doc_id kept, per
/// classification, year, code and name; sorted by year, code and name.
fn combine(by_file: &std::collections::HashMap<FactsFile, FileNames>) -> ObservedNames {
    let mut all: std::collections::BTreeMap<(bool, i32, String, String), (i64, String)> =
        std::collections::BTreeMap::new();
    for (file, names) in by_file {
        for (class, code, name, count, doc_id) in names {
            let key = (
                *class == Classification::Economic,
                file.fiscal_year,
                code.clone(),
                name.clone(),
            );
            let entry = all.entry(key).or_insert_with(|| (0, doc_id.clone()));
            entry.0 += count;
            if doc_id < &entry.1 {
                entry.1 = doc_id.clone();
            }
        }
    }
    let mut names = ObservedNames::default();
    for ((economic, fiscal_year, code, name), (count, doc_id)) in all {
        let observed = ObservedName {
            code,
            name,
            fiscal_year,
            count,
            doc_id,
        };
        if economic {
            names.economic.push(observed);
        } else {
            names.function.push(observed);
        }
    }
    for list in [&mut names.function, &mut names.economic] {
        list.sort_by(|a, b| {
            (a.fiscal_year, &a.code, &a.name).cmp(&(b.fiscal_year, &b.code, &b.name))
        });
    }
    names
}

/// The per-file cache, in the lake's root.
pub const BY_FILE_NAME: &str = "_observed_names_by_file.tsv";

const BY_FILE_HEADER: &str = "# yusuan observed names by file v1";

/// The per-file cache; empty when missing or unreadable.
fn read_by_file(lake: &Lake) -> std::collections::HashMap<FactsFile, FileNames> {
    let mut out = std::collections::HashMap::new();
    let Ok(text) = fs::read_to_string(lake.root().join(BY_FILE_NAME)) else {
        return out;
    };
    let mut lines = text.lines();
    if lines.next() != Some(BY_FILE_HEADER) {
        return out;
    }
    let mut current: Option<(FactsFile, FileNames)> = None;
    for line in lines {
        let fields: Vec<String> = line.split('\t').map(unescape).collect();
        match fields.as_slice() {
            [tag, rel, year, len, modified] if tag == "F" => {
                if let Some((f, n)) = current.take() {
                    out.insert(f, n);
                }
                let (Ok(fiscal_year), Ok(len), Ok(modified)) =
                    (year.parse(), len.parse(), modified.parse())
                else {
                    return std::collections::HashMap::new();
                };
                current = Some((
                    FactsFile {
                        rel: rel.clone(),
                        fiscal_year,
                        len,
                        modified,
                    },
                    Vec::new(),
                ));
            }
            [tag, class, code, name, count, doc_id] if tag == "N" => {
                let (Some((_, names)), Ok(count)) = (current.as_mut(), count.parse()) else {
                    return std::collections::HashMap::new();
                };
                let class = match class.as_str() {
                    "function" => Classification::Function,
                    "economic" => Classification::Economic,
                    _ => return std::collections::HashMap::new(),
                };
                names.push((class, code.clone(), name.clone(), count, doc_id.clone()));
            }
            _ => return std::collections::HashMap::new(),
        }
    }
    if let Some((f, n)) = current {
        out.insert(f, n);
    }
    out
}

fn write_by_file(
    lake: &Lake,
    files: &[FactsFile],
    by_file: &std::collections::HashMap<FactsFile, FileNames>,
) -> io::Result<()> {
    let mut text = format!("{BY_FILE_HEADER}\n");
    for f in files {
        let Some(names) = by_file.get(f) else {
            continue;
        };
        text.push_str(&format!(
            "F\t{}\t{}\t{}\t{}\n",
            escape(&f.rel),
            f.fiscal_year,
            f.len,
            f.modified
        ));
        for (class, code, name, count, doc_id) in names {
            text.push_str(&format!(
                "N\t{}\t{}\t{}\t{count}\t{}\n",
                class_name(*class),
                escape(code),
                escape(name),
                escape(doc_id)
            ));
        }
    }
    write_atomically(lake, BY_FILE_NAME, &text)
}

fn class_name(class: Classification) -> &'static str {
    match class {
        Classification::Function => "function",
        Classification::Economic => "economic",
    }
}

fn path(lake: &Lake) -> PathBuf {
    lake.root().join(FILE_NAME)
}

/// The stored names if they were computed from the files that are there now (`expected`
/// is [`fingerprint`]); `None` if there is no cache, it is stale or unreadable.
pub fn read(lake: &Lake, expected: &str) -> Option<ObservedNames> {
    let text = fs::read_to_string(path(lake)).ok()?;
    let mut lines = text.lines();
    let stored = lines.next()?.strip_prefix(HEADER)?;
    if stored != expected {
        return None;
    }
    let mut names = ObservedNames::default();
    for line in lines {
        let fields: Vec<String> = line.split('\t').map(unescape).collect();
        let [class, year, code, name, count, doc_id] = fields.as_slice() else {
            return None;
        };
        let observed = ObservedName {
            code: code.clone(),
            name: name.clone(),
            fiscal_year: year.parse().ok()?,
            count: count.parse().ok()?,
            doc_id: doc_id.clone(),
        };
        match class.as_str() {
            "function" => names.function.push(observed),
            "economic" => names.economic.push(observed),
            _ => return None,
        }
    }
    Some(names)
}

/// Stores `names` as computed from the files whose [`fingerprint`] is `fingerprint`.
pub fn write(lake: &Lake, fingerprint: &str, names: &ObservedNames) -> io::Result<()> {
    let mut text = format!("{HEADER}{fingerprint}\n");
    for (class, list) in [
        (Classification::Function, &names.function),
        (Classification::Economic, &names.economic),
    ] {
        for o in list {
            text.push_str(&format!(
                "{}\t{}\t{}\t{}\t{}\t{}\n",
                class_name(class),
                o.fiscal_year,
                escape(&o.code),
                escape(&o.name),
                o.count,
                escape(&o.doc_id)
            ));
        }
    }
    write_atomically(lake, FILE_NAME, &text)
}

/// Writes `LAKE/<name>` aside and renames it into place.
fn write_atomically(lake: &Lake, name: &str, text: &str) -> io::Result<()> {
    let target = lake.root().join(name);
    let aside = lake.root().join(format!(
        "{name}.tmp-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    ));
    let result = (|| {
        let mut file = fs::File::create(&aside)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        fs::rename(&aside, &target)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&aside);
    }
    result
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(code: &str, name: &str, year: i32) -> ObservedName {
        ObservedName {
            code: code.into(),
            name: name.into(),
            fiscal_year: year,
            count: 3,
            doc_id: "d1".into(),
        }
    }

    #[test]
    fn round_trips_and_refuses_another_fingerprint() {
        let dir = tempfile::tempdir().unwrap();
        let lake = Lake::open(dir.path()).unwrap();
        let names = ObservedNames {
            function: vec![name("20801", "人力资源和社会保障管理事务", 2021)],
            economic: vec![name("30101", "基本工资\t(含\\津贴)\n", 2022)],
        };
        let fp = fingerprint(&lake).unwrap();
        assert_eq!(read(&lake, &fp), None);
        write(&lake, &fp, &names).unwrap();
        assert_eq!(read(&lake, &fp), Some(names.clone()));
        assert_eq!(read(&lake, "another"), None);
    }

    #[test]
    fn a_new_facts_file_changes_the_fingerprint() {
        let dir = tempfile::tempdir().unwrap();
        let lake = Lake::open(dir.path()).unwrap();
        let before = fingerprint(&lake).unwrap();
        let partition = lake.table_dir("facts").join("fiscal_year=2021");
        fs::create_dir_all(&partition).unwrap();
        // Not Parquet: not part of the fingerprint.
        fs::write(partition.join("_compacted.tsv"), "x").unwrap();
        assert_eq!(fingerprint(&lake).unwrap(), before);
        fs::write(partition.join("a.parquet"), "x").unwrap();
        let one = fingerprint(&lake).unwrap();
        assert_ne!(one, before);
        fs::write(partition.join("a.parquet"), "xy").unwrap();
        assert_ne!(fingerprint(&lake).unwrap(), one);
    }
}
