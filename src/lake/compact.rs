//! Compaction: one small file per document is right for ingest and wrong for a lake of
//! 10⁵ documents. [`compact`] rewrites each partition of each lake table into a few large
//! files, sorted, with row groups of about a million rows, page statistics and page
//! indexes, and swaps them in atomically.
//!
//! # Layout after compaction
//!
//! ```text
//! LAKE/facts/fiscal_year=2021/part-<generation>-00000.parquet   many documents, sorted
//! LAKE/facts/fiscal_year=2021/_compacted.tsv                     which doc_ids each part holds
//! LAKE/facts/fiscal_year=2021/<doc_id>.parquet                   documents ingested since
//! ```
//!
//! The layout stays plain: every `*.parquet` file under a table holds live rows and no row
//! is in two files, so DuckDB's `read_parquet('LAKE/facts/**/*.parquet', hive_partitioning
//! = true)` and the listing tables of [`crate::session`] read the same rows. `_compacted.tsv`
//! (`file<TAB>doc_id` lines) is not Parquet, so no reader lists it; only the lake reads it.
//! `facts` is sorted by `(statement, org_name, func_code, econ_code)` (nulls last), the other
//! tables by `(org_name, doc_id)`; the order is recorded as Parquet `sorting_columns`.
//! `statement` leads because every report reads one table family (the views filter on it):
//! sorted that way, a family is a contiguous run of pages, and the page index skips the
//! rest (`benches/compare_duckdb.sh`: the report questions ran 1.3–2× faster than with
//! `org_name` first, in DuckDB as well, through its row-group statistics).
//!
//! # Atomicity: a partition is swapped whole
//!
//! Readers list a partition directory and then open its files, so a partition changes from
//! one consistent set of files to another in a single step: the new partition is built in
//! `LAKE/_staging/compact-…/` (the compacted parts and the index; untouched files are hard
//! links), and then exchanged with the live directory by one `renameat2(RENAME_EXCHANGE)`.
//! At every instant the live directory holds either all the old files or all the new ones,
//! so a reader never sees a row twice (old per-document file and new part) or not at all.
//! The old files end up in the staging directory, which is then removed. A crash before the
//! exchange leaves the lake as it was, a crash after it leaves it compacted; either way the
//! staging directory has no `COMMIT` manifest and the lake's recovery
//! ([`super::commit::recover`]) sweeps it. A query that listed a partition just before the
//! exchange and opens a file just after it fails with "file not found" and can be re-run; it
//! never returns wrong rows. (Where `renameat2` is missing — not Linux, or a filesystem
//! without it — the swap falls back to two renames with a window of microseconds in which
//! the partition is absent.)
//!
//! Compactions take `LAKE/.compact.lock` (an advisory `flock`), so two never interleave. A
//! commit that lands in a partition while it is being compacted is not lost: the partition's
//! files are listed again before the exchange (a change aborts that partition, reported as
//! skipped), and anything that slipped in between the check and the exchange is moved into
//! the new partition after it.
//!
//! # Re-ingest after compaction
//!
//! A re-ingest writes `<doc_id>.parquet`; if the document's old rows are in a part, they
//! would be counted twice. [`extract_document`] is the fix, to be called before a commit
//! writes a document's files: for each partition whose `_compacted.tsv` names the document,
//! it rewrites the part without the document's rows and writes those rows to
//! `<doc_id>.parquet`, and swaps the partition as above. The rows a reader sees are the same
//! before and after (only the files that hold them change), so this step is safe on its
//! own, and the commit that follows replaces `<doc_id>.parquet` exactly as it does for a
//! lake that was never compacted. Cost: one rewrite of the part that held the document.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use datafusion::arrow::array::{Array, AsArray, BooleanArray, RecordBatch};
use datafusion::arrow::compute::filter_record_batch;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::execution::memory_pool::FairSpillPool;
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use datafusion::parquet::basic::{Compression, ZstdLevel};
use datafusion::parquet::file::metadata::SortingColumn;
use datafusion::parquet::file::properties::{EnabledStatistics, WriterProperties};
use datafusion::prelude::{ParquetReadOptions, SessionConfig, SessionContext, col};
use futures::StreamExt;

use super::{Lake, commit::STAGING, schema};

/// The index of a compacted partition: `file<TAB>doc_id` per line.
pub const INDEX_FILE: &str = "_compacted.tsv";
/// File-name prefix of compacted parts (document files are 16 hex digits).
pub const PART_PREFIX: &str = "part-";
const LOCK_FILE: &str = ".compact.lock";

/// How to compact.
#[derive(Debug, Clone)]
pub struct CompactOptions {
    /// Rows per row group (about a million).
    pub row_group_rows: usize,
    /// Rows per output file before a new part is started.
    pub max_rows_per_file: usize,
    /// Memory for the sort; past it the sort spills to disk.
    pub memory_limit: usize,
    /// Tables to compact (default: all lake tables).
    pub tables: Vec<String>,
    /// Leave a partition alone when it holds compacted parts only (no per-document
    /// files).
    pub skip_compacted: bool,
}

impl Default for CompactOptions {
    fn default() -> Self {
        CompactOptions {
            row_group_rows: 1 << 20,
            max_rows_per_file: 8 << 20,
            memory_limit: 2 << 30,
            tables: schema::TABLES.iter().map(|t| t.to_string()).collect(),
            skip_compacted: true,
        }
    }
}

/// What happened to one partition.
#[derive(Debug, Clone)]
pub struct PartitionReport {
    pub table: String,
    pub fiscal_year: i32,
    pub files_before: usize,
    pub files_after: usize,
    pub rows: u64,
    pub bytes_before: u64,
    pub bytes_after: u64,
    /// Why the partition was left as it was, if it was.
    pub skipped: Option<String>,
}

/// What a compaction did.
#[derive(Debug, Clone, Default)]
pub struct CompactReport {
    pub partitions: Vec<PartitionReport>,
    pub seconds: f64,
}

impl fmt::Display for CompactReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut by_table: BTreeMap<&str, (usize, usize, usize, u64, u64, u64)> = BTreeMap::new();
        for p in &self.partitions {
            let e = by_table.entry(&p.table).or_default();
            if p.skipped.is_none() {
                e.0 += 1;
                e.1 += p.files_before;
                e.2 += p.files_after;
                e.3 += p.rows;
                e.4 += p.bytes_before;
                e.5 += p.bytes_after;
            }
        }
        for (table, (parts, before, after, rows, bb, ba)) in &by_table {
            writeln!(
                f,
                "{table}: {parts} partition(s) compacted, {before} file(s) -> {after}, {rows} rows, {:.1} MB -> {:.1} MB",
                *bb as f64 / 1e6,
                *ba as f64 / 1e6
            )?;
        }
        for p in &self.partitions {
            if let Some(why) = &p.skipped {
                writeln!(
                    f,
                    "{} fiscal_year={}: left as it is: {why}",
                    p.table, p.fiscal_year
                )?;
            }
        }
        write!(f, "compaction took {:.2} s", self.seconds)
    }
}

/// The columns a table's compacted files are sorted by.
pub fn sort_columns(table: &str) -> &'static [&'static str] {
    match table {
        "facts" => &["statement", "org_name", "func_code", "econ_code"],
        _ => &["org_name", "doc_id"],
    }
}

/// Writer settings of compacted files: zstd, row groups of `row_group_rows`, page-level
/// statistics and page indexes, the sort order recorded as `sorting_columns`.
pub fn writer_properties(table: &str, row_group_rows: usize) -> WriterProperties {
    let file_schema = schema::file_schema(table);
    let sorting = file_schema.map(|s| {
        sort_columns(table)
            .iter()
            .filter_map(|c| s.index_of(c).ok())
            .map(|i| SortingColumn {
                column_idx: i as i32,
                descending: false,
                nulls_first: false,
            })
            .collect::<Vec<_>>()
    });
    WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::try_new(3).unwrap_or_default()))
        .set_statistics_enabled(EnabledStatistics::Page)
        .set_max_row_group_row_count(Some(row_group_rows.max(1)))
        .set_data_page_row_count_limit(20_000)
        .set_sorting_columns(sorting)
        .build()
}

fn other<E: fmt::Display>(context: &str) -> impl FnOnce(E) -> io::Error + '_ {
    move |e| io::Error::other(format!("{context}: {e}"))
}

fn nonce() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{:x}{:05x}", nanos, std::process::id() & 0xfffff)
}

/// A fresh directory under `LAKE/_staging/` for building a partition.
pub fn staging_dir(lake: &Lake, what: &str) -> io::Result<PathBuf> {
    let dir = lake
        .root()
        .join(STAGING)
        .join(format!("compact-{what}-{}", nonce()));
    fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// Writes sorted batches of one table into numbered parts in a directory, starting a new
/// part every `max_rows_per_file` rows, and records which doc_ids each part holds. Used by
/// the compaction and by the generator's direct lake writer.
pub struct PartWriter {
    dir: PathBuf,
    table: String,
    generation: String,
    props: WriterProperties,
    schema: SchemaRef,
    max_rows_per_file: usize,
    current: Option<(String, ArrowWriter<File>, usize)>,
    index: Vec<(String, BTreeSet<String>)>,
    rows: u64,
}

impl PartWriter {
    pub fn new(
        dir: &Path,
        table: &str,
        row_group_rows: usize,
        max_rows_per_file: usize,
    ) -> io::Result<PartWriter> {
        let schema = schema::file_schema(table)
            .ok_or_else(|| io::Error::other(format!("unknown lake table {table}")))?;
        Ok(PartWriter {
            dir: dir.to_path_buf(),
            table: table.to_string(),
            generation: nonce(),
            props: writer_properties(table, row_group_rows),
            schema,
            max_rows_per_file: max_rows_per_file.max(1),
            current: None,
            index: Vec::new(),
            rows: 0,
        })
    }

    /// Appends rows (in sort order). Batches are split across parts as needed.
    pub fn write(&mut self, batch: &RecordBatch) -> io::Result<()> {
        let mut offset = 0;
        while offset < batch.num_rows() {
            if self.current.is_none() {
                let name = format!(
                    "{PART_PREFIX}{}-{:05}.parquet",
                    self.generation,
                    self.index.len()
                );
                let path = self.dir.join(&name);
                let file = File::create(&path)?;
                let writer =
                    ArrowWriter::try_new(file, self.schema.clone(), Some(self.props.clone()))
                        .map_err(other(&self.table))?;
                self.index.push((name.clone(), BTreeSet::new()));
                self.current = Some((name, writer, 0));
            }
            let Some((_, writer, written)) = self.current.as_mut() else {
                continue;
            };
            let take = (self.max_rows_per_file - *written).min(batch.num_rows() - offset);
            let slice = batch.slice(offset, take);
            let slice = RecordBatch::try_new(self.schema.clone(), slice.columns().to_vec())
                .map_err(other(&self.table))?;
            writer.write(&slice).map_err(other(&self.table))?;
            *written += take;
            if let Some((_, ids)) = self.index.last_mut() {
                collect_doc_ids(&slice, ids);
            }
            self.rows += take as u64;
            offset += take;
            if *written >= self.max_rows_per_file {
                self.close_current()?;
            }
        }
        Ok(())
    }

    fn close_current(&mut self) -> io::Result<()> {
        if let Some((_, writer, _)) = self.current.take() {
            let file = writer.into_inner().map_err(other(&self.table))?;
            file.sync_all()?;
            super::fault::point("compacted part written");
        }
        Ok(())
    }

    /// Closes the last part and writes the index; returns the parts and the rows written.
    pub fn finish(mut self) -> io::Result<(Vec<String>, u64)> {
        self.close_current()?;
        write_index(&self.dir, &self.index)?;
        Ok((self.index.into_iter().map(|(n, _)| n).collect(), self.rows))
    }
}

fn collect_doc_ids(batch: &RecordBatch, ids: &mut BTreeSet<String>) {
    let Ok(i) = batch.schema().index_of("doc_id") else {
        return;
    };
    let column = batch.column(i);
    if let Some(strings) = column.as_string_opt::<i32>() {
        let mut last: Option<&str> = None;
        for v in strings.iter().flatten() {
            if last != Some(v) {
                if !ids.contains(v) {
                    ids.insert(v.to_string());
                }
                last = Some(v);
            }
        }
    } else if let Some(views) = column.as_string_view_opt() {
        for v in views.iter().flatten() {
            if !ids.contains(v) {
                ids.insert(v.to_string());
            }
        }
    }
}

fn write_index(dir: &Path, index: &[(String, BTreeSet<String>)]) -> io::Result<()> {
    let mut text = String::new();
    for (file, ids) in index {
        for id in ids {
            text.push_str(file);
            text.push('\t');
            text.push_str(id);
            text.push('\n');
        }
    }
    if text.is_empty() {
        return Ok(());
    }
    let path = dir.join(INDEX_FILE);
    let mut f = File::create(&path)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()?;
    super::fault::point("partition index written");
    Ok(())
}

/// Reads a partition's index: doc_id -> the parts holding its rows.
///
/// A partition with compacted parts but no index (the file lost or deleted by hand) has its
/// index read back from the parts' `doc_id` columns: without it a new version of a
/// compacted document would be stored next to the old one's rows instead of replacing them.
pub fn read_index(partition: &Path) -> io::Result<HashMap<String, Vec<String>>> {
    let text = match fs::read_to_string(partition.join(INDEX_FILE)) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return index_from_parts(partition),
        Err(e) => return Err(e),
    };
    let mut map: HashMap<String, Vec<String>> = HashMap::new();
    for line in text.lines() {
        if let Some((file, id)) = line.split_once('\t') {
            map.entry(id.to_string())
                .or_default()
                .push(file.to_string());
        }
    }
    Ok(map)
}

/// Whether a partition holds compacted parts.
fn has_parts(partition: &Path) -> io::Result<bool> {
    Ok(fs::read_dir(partition)?.filter_map(|e| e.ok()).any(|e| {
        let name = e.file_name();
        let name = name.to_string_lossy();
        name.starts_with(PART_PREFIX) && is_parquet(&name)
    }))
}

/// The index of a partition rebuilt from its parts (see [`read_index`]).
fn index_from_parts(partition: &Path) -> io::Result<HashMap<String, Vec<String>>> {
    use datafusion::parquet::arrow::ProjectionMask;
    use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let mut map: HashMap<String, Vec<String>> = HashMap::new();
    let parts = match fs::read_dir(partition) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(map),
        Err(e) => return Err(e),
    };
    let mut names: Vec<String> = parts
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(PART_PREFIX) && is_parquet(n))
        .collect();
    names.sort();
    for name in names {
        let file = File::open(partition.join(&name))?;
        let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(other(&name))?;
        let Some(i) = builder
            .schema()
            .fields()
            .iter()
            .position(|f| f.name() == "doc_id")
        else {
            continue;
        };
        let mask = ProjectionMask::roots(builder.parquet_schema(), [i]);
        let mut ids = BTreeSet::new();
        for batch in builder
            .with_projection(mask)
            .build()
            .map_err(other(&name))?
        {
            collect_doc_ids(&batch.map_err(other(&name))?, &mut ids);
        }
        for id in ids {
            map.entry(id).or_default().push(name.clone());
        }
    }
    Ok(map)
}

/// The doc_ids held in compacted parts of the `documents` table (a lake whose documents
/// were compacted has no `<doc_id>.parquet` for them).
pub fn compacted_doc_ids(lake: &Lake) -> io::Result<Vec<String>> {
    let mut ids = BTreeSet::new();
    for (_, dir) in partitions(&lake.table_dir("documents"))? {
        ids.extend(read_index(&dir)?.into_keys());
    }
    Ok(ids.into_iter().collect())
}

/// The partitions of a table directory: (fiscal_year, dir), sorted.
pub fn partitions(table_dir: &Path) -> io::Result<Vec<(i32, PathBuf)>> {
    let mut out = Vec::new();
    let entries = match fs::read_dir(table_dir) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let path = entry?.path();
        let year = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_prefix(&format!("{}=", schema::PARTITION_COLUMN)))
            .and_then(|y| y.parse::<i32>().ok());
        if let Some(year) = year
            && path.is_dir()
        {
            out.push((year, path));
        }
    }
    out.sort();
    Ok(out)
}

/// One file of a partition as listed: name, length, modification time.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Listed {
    name: String,
    len: u64,
    modified: Option<SystemTime>,
}

fn list_files(dir: &Path) -> io::Result<Vec<Listed>> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let meta = entry.metadata()?;
        if !meta.is_file() {
            continue;
        }
        out.push(Listed {
            name: entry.file_name().to_string_lossy().into_owned(),
            len: meta.len(),
            modified: meta.modified().ok(),
        });
    }
    out.sort();
    Ok(out)
}

fn is_parquet(name: &str) -> bool {
    name.ends_with(".parquet")
}

/// An advisory lock on the lake (released when dropped).
pub struct LakeLock {
    _file: File,
}

/// Takes `LAKE/.compact.lock`, waiting for another compaction to finish.
pub fn lock(lake: &Lake) -> io::Result<LakeLock> {
    advisory_lock(lake, LOCK_FILE)
}

/// Takes the advisory lock `LAKE/<name>` (`flock`, exclusive), waiting for its holder.
/// The lock goes with the returned value, and with the process if it dies.
pub fn advisory_lock(lake: &Lake, name: &str) -> io::Result<LakeLock> {
    flock(lake, name, true)?.ok_or_else(|| io::Error::other("a blocking lock was not taken"))
}

/// Takes the compaction lock if no compaction holds it; `None` while one runs.
pub fn try_lock(lake: &Lake) -> io::Result<Option<LakeLock>> {
    try_advisory_lock(lake, LOCK_FILE)
}

/// Takes the advisory lock `LAKE/<name>` if it is free; `None` when another holds it.
pub fn try_advisory_lock(lake: &Lake, name: &str) -> io::Result<Option<LakeLock>> {
    flock(lake, name, false)
}

/// `flock(LOCK_EX)` on `LAKE/<name>`, waiting for the holder or (`wait` false) giving
/// `None` while there is one.
fn flock(lake: &Lake, name: &str, wait: bool) -> io::Result<Option<LakeLock>> {
    let file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(lake.root().join(name))?;
    #[cfg(unix)]
    {
        use std::os::fd::AsRawFd;
        let mode = if wait {
            libc::LOCK_EX
        } else {
            libc::LOCK_EX | libc::LOCK_NB
        };
        // SAFETY: flock on a file descriptor we own; no memory is passed.
        let rc = unsafe { libc::flock(file.as_raw_fd(), mode) };
        if rc != 0 {
            let err = io::Error::last_os_error();
            if !wait && err.kind() == io::ErrorKind::WouldBlock {
                return Ok(None);
            }
            return Err(err);
        }
    }
    #[cfg(not(unix))]
    let _ = wait;
    Ok(Some(LakeLock { _file: file }))
}

/// Exchanges two directories atomically where the platform can; otherwise renames `live`
/// aside to `new` and `new` into place, which leaves a short window without the partition.
fn exchange(new: &Path, live: &Path) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use std::ffi::CString;
        use std::os::unix::ffi::OsStrExt;
        let a = CString::new(new.as_os_str().as_bytes()).map_err(io::Error::other)?;
        let b = CString::new(live.as_os_str().as_bytes()).map_err(io::Error::other)?;
        // SAFETY: two NUL-terminated paths that outlive the call.
        let rc = unsafe {
            libc::renameat2(
                libc::AT_FDCWD,
                a.as_ptr(),
                libc::AT_FDCWD,
                b.as_ptr(),
                libc::RENAME_EXCHANGE,
            )
        };
        if rc == 0 {
            return Ok(());
        }
        let err = io::Error::last_os_error();
        match err.raw_os_error() {
            Some(libc::EINVAL) | Some(libc::ENOSYS) | Some(libc::ENOTSUP) => {}
            _ => return Err(err),
        }
    }
    let aside = new.with_extension("old");
    fs::rename(live, &aside)?;
    fs::rename(new, live)?;
    fs::rename(&aside, new)
}

/// Puts a partition built in `new_dir` in place of `LAKE/<table>/fiscal_year=<year>`
/// (created if missing), atomically; `new_dir` then holds the old files and is removed.
/// `expected`: the live files the new partition was built from; if the live directory
/// changed since, nothing is swapped and an error says so. Files that arrive between that
/// check and the exchange are moved into the new partition afterwards.
fn install(live: &Path, new_dir: &Path, expected: &[Listed]) -> io::Result<()> {
    fs::create_dir_all(live)?;
    if list_files(live)? != expected {
        let _ = fs::remove_dir_all(new_dir);
        return Err(io::Error::other(
            "the partition changed while it was being compacted (a commit?); run compact again",
        ));
    }
    sync_dir(new_dir);
    super::fault::point("partition built, before the exchange");
    exchange(new_dir, live)?;
    if let Some(parent) = live.parent() {
        sync_dir(parent);
    }
    super::fault::point("partition exchanged");
    // Anything that slipped into the old directory after the check: move it over.
    for late in list_files(new_dir)?
        .into_iter()
        .filter(|f| !expected.contains(f))
    {
        if !is_parquet(&late.name) {
            continue;
        }
        if let Some(doc_id) = late.name.strip_suffix(".parquet")
            && read_index(live)?.contains_key(doc_id)
        {
            extract_in_partition(live, doc_id)?;
        }
        fs::rename(new_dir.join(&late.name), live.join(&late.name))?;
        super::fault::point("late file moved");
    }
    fs::remove_dir_all(new_dir)?;
    super::fault::point("old partition removed");
    Ok(())
}

fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Compacts the lake: every partition of every table in `options.tables`.
pub async fn compact(lake: &Lake, options: &CompactOptions) -> io::Result<CompactReport> {
    let started = Instant::now();
    let _lock = lock(lake)?;
    let runtime = RuntimeEnvBuilder::new()
        .with_memory_pool(Arc::new(FairSpillPool::new(
            options.memory_limit.max(64 << 20),
        )))
        .build_arc()
        .map_err(other("memory pool"))?;
    let config = SessionConfig::new()
        .set_bool(
            "datafusion.execution.parquet.schema_force_view_types",
            false,
        )
        .set_bool("datafusion.execution.parquet.pushdown_filters", false);
    let ctx = SessionContext::new_with_config_rt(config, runtime);
    let mut report = CompactReport::default();
    for table in &options.tables {
        if schema::file_schema(table).is_none() {
            return Err(io::Error::other(format!("unknown lake table {table}")));
        }
        for (year, dir) in partitions(&lake.table_dir(table))? {
            let p = compact_partition(&ctx, lake, table, year, &dir, options).await?;
            report.partitions.push(p);
        }
    }
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

async fn compact_partition(
    ctx: &SessionContext,
    lake: &Lake,
    table: &str,
    year: i32,
    live: &Path,
    options: &CompactOptions,
) -> io::Result<PartitionReport> {
    let listed = list_files(live)?;
    let inputs: Vec<&Listed> = listed.iter().filter(|f| is_parquet(&f.name)).collect();
    let mut report = PartitionReport {
        table: table.to_string(),
        fiscal_year: year,
        files_before: inputs.len(),
        files_after: inputs.len(),
        rows: 0,
        bytes_before: inputs.iter().map(|f| f.len).sum(),
        bytes_after: inputs.iter().map(|f| f.len).sum(),
        skipped: None,
    };
    let all_parts = inputs.iter().all(|f| f.name.starts_with(PART_PREFIX));
    // Compaction writes only parts: a partition of parts alone is compacted already (a
    // re-ingest or a commit since leaves a `<doc_id>.parquet` next to them).
    if inputs.is_empty() || (options.skip_compacted && all_parts) {
        report.skipped = Some(if inputs.is_empty() {
            "no files".into()
        } else {
            "already compacted".into()
        });
        return Ok(report);
    }
    let file_schema = schema::file_schema(table)
        .ok_or_else(|| io::Error::other(format!("unknown lake table {table}")))?;
    let paths: Vec<String> = inputs
        .iter()
        .map(|f| live.join(&f.name).display().to_string())
        .collect();
    let read = ParquetReadOptions::default().schema(&file_schema);
    let df = ctx
        .read_parquet(paths, read)
        .await
        .map_err(other("reading the partition"))?;
    let order = sort_columns(table)
        .iter()
        .map(|c| col(*c).sort(true, false))
        .collect::<Vec<_>>();
    let df = df.sort(order).map_err(other("sorting"))?;
    let mut stream = df.execute_stream().await.map_err(other("sorting"))?;

    let stage = staging_dir(lake, &format!("{table}-{year}"))?;
    let result: io::Result<(Vec<String>, u64)> = async {
        let mut writer = PartWriter::new(
            &stage,
            table,
            options.row_group_rows,
            options.max_rows_per_file,
        )?;
        while let Some(batch) = stream.next().await {
            let batch = batch.map_err(other("sorting"))?;
            writer.write(&batch)?;
        }
        writer.finish()
    }
    .await;
    let (parts, rows) = match result {
        Ok(r) => r,
        Err(e) => {
            let _ = fs::remove_dir_all(&stage);
            return Err(e);
        }
    };
    // Files other than Parquet (none today) travel along.
    for f in listed
        .iter()
        .filter(|f| !is_parquet(&f.name) && f.name != INDEX_FILE)
    {
        fs::hard_link(live.join(&f.name), stage.join(&f.name))?;
    }
    let bytes_after: u64 = parts
        .iter()
        .filter_map(|p| fs::metadata(stage.join(p)).ok())
        .map(|m| m.len())
        .sum();
    match install(live, &stage, &listed) {
        Ok(()) => {
            report.files_after = parts.len();
            report.rows = rows;
            report.bytes_after = bytes_after;
        }
        Err(e) => report.skipped = Some(e.to_string()),
    }
    Ok(report)
}

/// Moves a document's rows out of compacted parts into `<doc_id>.parquet`, in every
/// table and partition whose index names it, so that a commit can replace the document
/// as usual. Returns the number of partitions changed (0: the document was not compacted).
/// Readers see the same rows before, during and after.
pub fn extract_document(lake: &Lake, doc_id: &str) -> io::Result<usize> {
    // Cheap check first: most commits are of documents that were never compacted.
    let mut todo = Vec::new();
    for table in schema::TABLES {
        for (_, dir) in partitions(&lake.table_dir(table))? {
            let compacted = dir.join(INDEX_FILE).exists() || has_parts(&dir)?;
            if compacted && read_index(&dir)?.contains_key(doc_id) {
                todo.push(dir);
            }
        }
    }
    if todo.is_empty() {
        return Ok(0);
    }
    let _lock = lock(lake)?;
    let mut changed = 0;
    for dir in todo {
        if extract_in_partition(&dir, doc_id)? {
            changed += 1;
        }
    }
    Ok(changed)
}

/// [`extract_document`] for one partition directory.
fn extract_in_partition(live: &Path, doc_id: &str) -> io::Result<bool> {
    let index = read_index(live)?;
    let Some(holding) = index.get(doc_id) else {
        return Ok(false);
    };
    let table = live
        .parent()
        .and_then(|p| p.file_name())
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_string();
    let file_schema = schema::file_schema(&table)
        .ok_or_else(|| io::Error::other(format!("unknown lake table {table}")))?;
    let lake_root = live
        .parent()
        .and_then(|p| p.parent())
        .ok_or_else(|| io::Error::other("partition outside a lake"))?;
    let stage = lake_root
        .join(STAGING)
        .join(format!("compact-extract-{doc_id}-{}", nonce()));
    fs::create_dir_all(&stage)?;
    let listed = list_files(live)?;
    let result = (|| -> io::Result<()> {
        let mut new_index: Vec<(String, BTreeSet<String>)> = Vec::new();
        let mut by_file: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (id, files) in &index {
            for f in files {
                by_file.entry(f.clone()).or_default().insert(id.clone());
            }
        }
        let mut extracted: Vec<RecordBatch> = Vec::new();
        for f in listed.iter().filter(|f| f.name != INDEX_FILE) {
            if !holding.contains(&f.name) {
                fs::hard_link(live.join(&f.name), stage.join(&f.name))?;
                if let Some(ids) = by_file.remove(&f.name) {
                    new_index.push((f.name.clone(), ids));
                }
                continue;
            }
            // Rewrite the part without the document, under a new name.
            let name = format!("{PART_PREFIX}{}-x.parquet", nonce());
            let props = writer_properties(&table, 1 << 20);
            let out = File::create(stage.join(&name))?;
            let mut writer = ArrowWriter::try_new(out, file_schema.clone(), Some(props))
                .map_err(other(&f.name))?;
            let reader = ParquetRecordBatchReaderBuilder::try_new(File::open(live.join(&f.name))?)
                .and_then(|b| b.with_batch_size(65_536).build())
                .map_err(other(&f.name))?;
            for batch in reader {
                let batch = batch.map_err(other(&f.name))?;
                let (keep, take) = split_by_doc(&batch, doc_id).map_err(other(&f.name))?;
                if keep.num_rows() > 0 {
                    writer.write(&keep).map_err(other(&f.name))?;
                }
                if take.num_rows() > 0 {
                    extracted.push(take);
                }
            }
            writer.into_inner().map_err(other(&f.name))?.sync_all()?;
            let mut ids = by_file.remove(&f.name).unwrap_or_default();
            ids.remove(doc_id);
            if !ids.is_empty() {
                new_index.push((name, ids));
            } else {
                fs::remove_file(stage.join(&name))?;
            }
        }
        // The document's own file (its rows, in part order).
        let doc_file = stage.join(format!("{doc_id}.parquet"));
        let mut writer = ArrowWriter::try_new(
            File::create(&doc_file)?,
            file_schema.clone(),
            Some(super::commit::writer_properties()),
        )
        .map_err(other(doc_id))?;
        for b in &extracted {
            let b = RecordBatch::try_new(file_schema.clone(), b.columns().to_vec())
                .map_err(other(doc_id))?;
            writer.write(&b).map_err(other(doc_id))?;
        }
        writer.into_inner().map_err(other(doc_id))?.sync_all()?;
        super::fault::point("extracted document written");
        write_index(&stage, &new_index)
    })();
    if let Err(e) = result {
        let _ = fs::remove_dir_all(&stage);
        return Err(e);
    }
    install(live, &stage, &listed)?;
    Ok(true)
}

/// Splits a batch into the rows of other documents and the rows of `doc_id`.
fn split_by_doc(
    batch: &RecordBatch,
    doc_id: &str,
) -> Result<(RecordBatch, RecordBatch), datafusion::arrow::error::ArrowError> {
    let i = batch.schema().index_of("doc_id")?;
    let ids = batch.column(i);
    let is_doc: BooleanArray = match ids.as_string_opt::<i32>() {
        Some(s) => s.iter().map(|v| Some(v == Some(doc_id))).collect(),
        None => match ids.as_string_view_opt() {
            Some(s) => s.iter().map(|v| Some(v == Some(doc_id))).collect(),
            None => (0..ids.len()).map(|_| Some(false)).collect(),
        },
    };
    let keep = datafusion::arrow::compute::not(&is_doc)?;
    Ok((
        filter_record_batch(batch, &keep)?,
        filter_record_batch(batch, &is_doc)?,
    ))
}

/// Builds a partition directly from sorted batches (the generator's fast path): writes the
/// parts into a staging directory and installs it in place of the live partition, which
/// must be empty or absent.
pub fn install_new_partition(
    lake: &Lake,
    table: &str,
    fiscal_year: i32,
    staged: &Path,
) -> io::Result<()> {
    let live = lake
        .table_dir(table)
        .join(format!("{}={fiscal_year}", schema::PARTITION_COLUMN));
    fs::create_dir_all(&live)?;
    let listed = list_files(&live)?;
    if listed.iter().any(|f| is_parquet(&f.name)) {
        let _ = fs::remove_dir_all(staged);
        return Err(io::Error::other(format!(
            "{} already has files: generate into an empty lake",
            live.display()
        )));
    }
    install(&live, staged, &listed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exchange_swaps_directories() {
        let tmp = std::env::temp_dir().join(format!("yusuan-exchange-{}", nonce()));
        let a = tmp.join("a");
        let b = tmp.join("b");
        fs::create_dir_all(&a).unwrap();
        fs::create_dir_all(&b).unwrap();
        fs::write(a.join("x"), "new").unwrap();
        fs::write(b.join("y"), "old").unwrap();
        exchange(&a, &b).unwrap();
        assert!(b.join("x").exists() && a.join("y").exists());
        assert!(!b.join("y").exists());
        let _ = fs::remove_dir_all(&tmp);
    }

    #[test]
    fn index_round_trips() {
        let tmp = std::env::temp_dir().join(format!("yusuan-index-{}", nonce()));
        fs::create_dir_all(&tmp).unwrap();
        let ids: BTreeSet<String> = ["a".to_string(), "b".to_string()].into();
        write_index(&tmp, &[("part-1.parquet".into(), ids)]).unwrap();
        let read = read_index(&tmp).unwrap();
        assert_eq!(read["a"], vec!["part-1.parquet".to_string()]);
        let _ = fs::remove_dir_all(&tmp);
    }
}
