//! The names of classification codes printed in the lake's documents, kept beside the lake
//! so a session starts without scanning `facts`.
//!
//! Collecting them is one aggregate over every fact of two statements
//! ([`crate::functions::class_tables`]): at 10⁷ facts that was most of the start-up time.
//! The result is small (one row per code, name and year), so it is stored in
//! `LAKE/_observed_names.tsv` with a fingerprint of the `facts` files it was computed from
//! (every partition's file names, sizes and modification times). A reader whose listing
//! gives another fingerprint ignores the file and computes the names again: a commit, a
//! supersede or a compaction changes the files, so a stale cache is never used. The first
//! session after an ingest recomputes it (on a lake of 10⁴ per-document files that scan
//! takes seconds; compacted, a fraction of one), and `compact` and `gen` refresh it as
//! they finish. The file is replaced atomically (write aside, rename); a read-only lake
//! simply goes without.
//!
//! ```text
//! # yusuan observed names v1 <fingerprint>
//! class<TAB>fiscal_year<TAB>code<TAB>name<TAB>count<TAB>doc_id
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

/// What identifies the current contents of `LAKE/facts`: a hash of every Parquet file's
/// partition, name, size and modification time.
pub fn fingerprint(lake: &Lake) -> io::Result<String> {
    let mut hash = Sha256::new();
    for partition in read_dir_sorted(&lake.table_dir("facts"))? {
        if !partition.is_dir() {
            continue;
        }
        for file in read_dir_sorted(&partition)? {
            if file.extension().is_none_or(|e| e != "parquet") {
                continue;
            }
            let meta = match fs::metadata(&file) {
                Ok(m) => m,
                // Removed between listing and stat (a concurrent commit): the fingerprint
                // is of a state that is already gone, which only costs a recomputation.
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e),
            };
            let modified = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            let rel = file.strip_prefix(lake.root()).unwrap_or(&file);
            hash.update(rel.to_string_lossy().as_bytes());
            hash.update([0]);
            hash.update(meta.len().to_le_bytes());
            hash.update(modified.to_le_bytes());
        }
    }
    Ok(format!("{:x}", hash.finalize()))
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
        let class = match class {
            Classification::Function => "function",
            Classification::Economic => "economic",
        };
        for o in list {
            text.push_str(&format!(
                "{class}\t{}\t{}\t{}\t{}\t{}\n",
                o.fiscal_year,
                escape(&o.code),
                escape(&o.name),
                o.count,
                escape(&o.doc_id)
            ));
        }
    }
    let target = path(lake);
    let aside = lake.root().join(format!(
        "{FILE_NAME}.tmp-{}-{}",
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
