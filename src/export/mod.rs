//! `yusuan export`: Parquet for BI tools and notebooks, with its data dictionary.
//!
//! ```text
//! yusuan export --to DIR [--query SQL [--name NAME] | --table NAME ...]
//!               [--partition-by COLS] [--profile bi|archive] [--include-findings]
//! ```
//!
//! Profiles:
//! - `bi` (default): files every reader types the same way — plain `Utf8` strings,
//!   `Decimal(18,2)` amounts stored as INT64, microsecond UTC timestamps, Parquet writer
//!   version 1.0, snappy, no embedded Arrow schema; one file per table (`DIR/facts.parquet`)
//!   unless `--partition-by` is given.
//! - `archive`: the same types, zstd, Hive partitions by `fiscal_year`
//!   (`DIR/facts/fiscal_year=2021/part-0.parquet`), rows sorted, page indexes and bloom
//!   filters on the code columns, the Arrow schema kept (so per-field descriptions survive).
//!
//! By default every contract table and view is exported, plus `facts_wide` (facts with the
//! classification names at every level). `--include-findings` adds `findings` and, on
//! `facts_wide`, whether a finding points at each figure's line.
//!
//! Beside the files: `_dictionary.csv` and `_dictionary.json` (every column with its type,
//! meaning in Chinese and English, unit and classification; the JSON also lists each table's
//! files and row counts). Column descriptions also go into each file's key-value metadata
//! (`yusuan.columns`, JSON).
//!
//! The export is written into `DIR.tmp-…` beside `DIR` and swapped in by renames: a failed
//! export leaves the previous one as it was. `DIR` must be empty, missing, or an earlier
//! yusuan export (it is replaced whole).

pub mod dictionary;
pub mod wide;
pub mod writer;

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use datafusion::parquet::file::metadata::{KeyValue, SortingColumn};
use datafusion::prelude::{SessionContext, ident};
use futures::StreamExt;

use crate::lake::Lake;
use dictionary::{ColumnDoc, QUERY_COLUMN, column_doc, csv_field, json_string, table_doc};
use writer::{TableSink, WrittenFile, portable_type, to_portable, writer_properties};

/// The tables exported by default, in order (`facts_wide` is added after them).
pub const DEFAULT_TABLES: &[&str] = &[
    "facts",
    "documents",
    "narrative",
    "targets",
    "expenditure",
    "basic_by_econ",
    "projects",
    "three_public",
    "func_class",
    "econ_class",
];

/// The denormalised facts table.
pub const FACTS_WIDE: &str = "facts_wide";

/// The file that marks a directory as a yusuan export (and describes it).
pub const DICTIONARY_JSON: &str = "_dictionary.json";
pub const DICTIONARY_CSV: &str = "_dictionary.csv";

/// Columns rows are sorted by, those a table has, in this order (after the partitions).
const SORT_KEYS: &[&str] = &[
    "fiscal_year",
    "region",
    "org_name",
    "doc_id",
    "src_line",
    "func_code",
    "econ_code",
    "item",
    "project",
    "measure",
    "code",
    "from_year",
    "rule",
];

/// Columns that get a bloom filter in the archive profile (selective lookups).
const BLOOM_COLUMNS: &[&str] = &[
    "doc_id",
    "org_name",
    "org_code",
    "func_code",
    "econ_code",
    "code",
];

/// Which readers the files are written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Profile {
    /// Widest reader support: Parquet 1.0, snappy, one file per table, no Arrow metadata.
    Bi,
    /// Long-term storage: zstd, Hive partitions by fiscal_year, sorted, page indexes.
    Archive,
}

impl Profile {
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Bi => "bi",
            Profile::Archive => "archive",
        }
    }
}

/// The arguments of `yusuan export`.
#[derive(Debug, Clone, clap::Args)]
pub struct ExportArgs {
    /// Directory to write; replaced as a whole, atomically (it must be empty, missing or an
    /// earlier yusuan export).
    #[arg(long, value_name = "DIR")]
    pub to: PathBuf,
    /// Export the result of one SQL query (as query.parquet, or NAME.parquet with --name).
    #[arg(long, value_name = "SQL", conflicts_with = "tables")]
    pub query: Option<String>,
    /// File name (without .parquet) for --query.
    #[arg(long, value_name = "NAME", requires = "query")]
    pub name: Option<String>,
    /// A table or view to export (repeat for several); default: every contract table and
    /// view, and facts_wide.
    #[arg(long = "table", value_name = "NAME")]
    pub tables: Vec<String>,
    /// Hive-partition the files by these columns (comma-separated); tables without them are
    /// written as one file. Default: none for bi, fiscal_year for archive.
    #[arg(long = "partition-by", value_name = "COLS", value_delimiter = ',')]
    pub partition_by: Vec<String>,
    /// bi (default): widest reader support; archive: zstd, partitioned, sorted, indexed.
    #[arg(long, value_enum, default_value_t = Profile::Bi)]
    pub profile: Profile,
    /// Also export the findings of the checks, and flag the facts_wide rows they point at.
    #[arg(long)]
    pub include_findings: bool,
}

impl ExportArgs {
    /// Arguments for a default export of every table to `to`.
    pub fn new(to: impl Into<PathBuf>) -> Self {
        ExportArgs {
            to: to.into(),
            query: None,
            name: None,
            tables: Vec::new(),
            partition_by: Vec::new(),
            profile: Profile::Bi,
            include_findings: false,
        }
    }
}

/// Why an export failed; the previous export, if any, is left as it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportError(String);

impl ExportError {
    pub fn new(message: impl Into<String>) -> Self {
        ExportError(message.into())
    }
}

impl fmt::Display for ExportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ExportError {}

impl From<datafusion::error::DataFusionError> for ExportError {
    fn from(e: datafusion::error::DataFusionError) -> Self {
        ExportError(e.to_string())
    }
}

/// One exported column, as the dictionary lists it.
#[derive(Debug, Clone)]
pub struct ExportedColumn {
    pub name: String,
    /// Portable SQL type name (`VARCHAR`, `DECIMAL(18,2)`, …).
    pub sql_type: String,
    /// Arrow type as written.
    pub arrow_type: String,
    pub nullable: bool,
    /// A Hive partition column (in the directory names, not in the files).
    pub partition: bool,
    pub doc: ColumnDoc,
}

/// One exported table.
#[derive(Debug, Clone)]
pub struct ExportedTable {
    pub name: String,
    pub description_zh: String,
    pub description_en: String,
    /// `facts.parquet`, or `facts/` when partitioned.
    pub path: String,
    pub partition_by: Vec<String>,
    pub rows: usize,
    pub files: Vec<WrittenFile>,
    pub columns: Vec<ExportedColumn>,
    /// The SQL that produced it.
    pub sql: String,
}

/// What an export wrote.
#[derive(Debug, Clone)]
pub struct ExportSummary {
    pub dir: PathBuf,
    pub profile: Profile,
    pub tables: Vec<ExportedTable>,
}

impl fmt::Display for ExportSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "exported {} table(s) to {} (profile {}):",
            self.tables.len(),
            self.dir.display(),
            self.profile.as_str()
        )?;
        for t in &self.tables {
            let layout = if t.partition_by.is_empty() {
                String::new()
            } else {
                format!(
                    ", {} file(s) partitioned by {}",
                    t.files.len(),
                    t.partition_by.join(",")
                )
            };
            writeln!(f, "  {:<14} {:>8} rows  {}{layout}", t.name, t.rows, t.path)?;
        }
        write!(f, "data dictionary: {DICTIONARY_CSV}, {DICTIONARY_JSON}")
    }
}

/// What to export under one name.
struct Job {
    name: String,
    sql: String,
    wide: bool,
    /// A user query: keep its order, and its partition columns must exist.
    user_query: bool,
}

fn valid_name(name: &str, allow_dot: bool) -> bool {
    !name.is_empty()
        && name.len() <= 128
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || (allow_dot && c == '.') || c == '-')
        && !name.starts_with(['.', '-'])
}

fn jobs(args: &ExportArgs) -> Result<Vec<Job>, ExportError> {
    let mut jobs: Vec<Job> = Vec::new();
    let table_job = |name: &str| -> Result<Job, ExportError> {
        let name = name.trim().to_ascii_lowercase();
        if !valid_name(&name, true) || name.contains('-') {
            return Err(ExportError::new(format!(
                "--table {name:?}: give a table or view name (letters, digits, _ and .)"
            )));
        }
        let wide = name == FACTS_WIDE;
        Ok(Job {
            sql: if wide {
                wide::base_sql(args.include_findings)
            } else {
                format!("SELECT * FROM {name}")
            },
            name: name.replace('.', "_"),
            wide,
            user_query: false,
        })
    };
    if let Some(sql) = &args.query {
        let name = args.name.clone().unwrap_or_else(|| "query".to_string());
        if !valid_name(&name, false) {
            return Err(ExportError::new(format!(
                "--name {name:?}: use letters, digits, _ and - (the file is NAME.parquet)"
            )));
        }
        jobs.push(Job {
            name,
            sql: sql.clone(),
            wide: false,
            user_query: true,
        });
    } else if args.tables.is_empty() {
        for t in DEFAULT_TABLES {
            jobs.push(table_job(t)?);
        }
        jobs.push(table_job(FACTS_WIDE)?);
    } else {
        for t in &args.tables {
            jobs.push(table_job(t)?);
        }
    }
    if args.include_findings && !jobs.iter().any(|j| j.name == "findings") {
        jobs.push(table_job("findings")?);
    }
    let mut seen = std::collections::HashSet::new();
    jobs.retain(|j| seen.insert(j.name.clone()));
    Ok(jobs)
}

/// A portable SQL name for a written type.
fn sql_type(t: &DataType) -> String {
    match t {
        DataType::Utf8 => "VARCHAR".into(),
        DataType::Boolean => "BOOLEAN".into(),
        DataType::Int32 => "INTEGER".into(),
        DataType::Int64 => "BIGINT".into(),
        DataType::Float32 => "REAL".into(),
        DataType::Float64 => "DOUBLE".into(),
        DataType::Date32 => "DATE".into(),
        DataType::Decimal128(p, s) => format!("DECIMAL({p},{s})"),
        DataType::Timestamp(TimeUnit::Microsecond, Some(_)) => {
            "TIMESTAMP WITH TIME ZONE (UTC, µs)".into()
        }
        DataType::Binary => "BINARY".into(),
        other => other.to_string(),
    }
}

/// Checks that `to` may be replaced: missing, empty, or an earlier export.
fn check_target(to: &Path) -> Result<(), ExportError> {
    if to.file_name().is_none() {
        return Err(ExportError::new(format!(
            "--to {}: give the export directory by name (it is replaced whole)",
            to.display()
        )));
    }
    if !to.exists() {
        return Ok(());
    }
    if !to.is_dir() {
        return Err(ExportError::new(format!(
            "{} exists and is not a directory",
            to.display()
        )));
    }
    let mut entries =
        fs::read_dir(to).map_err(|e| ExportError::new(format!("{}: {e}", to.display())))?;
    if entries.next().is_none() {
        return Ok(());
    }
    let marker = fs::read_to_string(to.join(DICTIONARY_JSON)).unwrap_or_default();
    if !marker.contains("\"yusuan_export\"") {
        return Err(ExportError::new(format!(
            "{} is not empty and is not a yusuan export: refusing to replace it",
            to.display()
        )));
    }
    Ok(())
}

/// `DIR.<tag>-<pid>-<nanos>` beside `DIR`.
fn sibling(to: &Path, tag: &str) -> PathBuf {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let mut name = to.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(format!(".{tag}-{}-{nanos}", std::process::id()));
    to.with_file_name(name)
}

/// Runs an export on a lake (opens its own session).
pub async fn run(lake: &Lake, args: &ExportArgs) -> Result<ExportSummary, ExportError> {
    let ctx = crate::session::new_context(lake).await.map_err(|e| {
        ExportError::new(format!(
            "cannot open the lake at {}: {e}",
            lake.root().display()
        ))
    })?;
    run_with_context(&ctx, args).await
}

/// Runs an export on a context that has the lake registered.
pub async fn run_with_context(
    ctx: &SessionContext,
    args: &ExportArgs,
) -> Result<ExportSummary, ExportError> {
    let jobs = jobs(args)?;
    let to = args.to.as_path();
    check_target(to)?;
    for col in &args.partition_by {
        if !valid_name(col, false) {
            return Err(ExportError::new(format!(
                "--partition-by {col:?}: not a column name"
            )));
        }
    }
    if let Some(parent) = to.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent)
            .map_err(|e| ExportError::new(format!("{}: {e}", parent.display())))?;
    }
    let tmp = sibling(to, "tmp");
    fs::create_dir(&tmp).map_err(|e| ExportError::new(format!("{}: {e}", tmp.display())))?;

    let result = write_all(ctx, args, &jobs, &tmp).await;
    let tables = match result {
        Ok(tables) => tables,
        Err(e) => {
            let _ = fs::remove_dir_all(&tmp);
            return Err(e);
        }
    };
    swap_into_place(&tmp, to)?;
    Ok(ExportSummary {
        dir: to.to_path_buf(),
        profile: args.profile,
        tables,
    })
}

async fn write_all(
    ctx: &SessionContext,
    args: &ExportArgs,
    jobs: &[Job],
    dir: &Path,
) -> Result<Vec<ExportedTable>, ExportError> {
    let mut tables = Vec::new();
    for job in jobs {
        let table = export_one(ctx, args, job, dir)
            .await
            .map_err(|e| ExportError::new(format!("exporting {}: {e}", job.name)))?;
        tables.push(table);
    }
    write_dictionary(dir, args, &tables)?;
    Ok(tables)
}

/// Renames `tmp` to `to`, moving an earlier export aside first and removing it after.
fn swap_into_place(tmp: &Path, to: &Path) -> Result<(), ExportError> {
    let fail = |e: std::io::Error, what: &Path| {
        let _ = fs::remove_dir_all(tmp);
        ExportError::new(format!("{}: {e}", what.display()))
    };
    if to.exists() {
        let old = sibling(to, "old");
        fs::rename(to, &old).map_err(|e| fail(e, to))?;
        if let Err(e) = fs::rename(tmp, to) {
            let _ = fs::rename(&old, to);
            return Err(fail(e, to));
        }
        if let Err(e) = fs::remove_dir_all(&old) {
            eprintln!(
                "warning: the previous export was moved to {} and could not be removed: {e}",
                old.display()
            );
        }
    } else {
        fs::rename(tmp, to).map_err(|e| fail(e, to))?;
    }
    if let Some(parent) = to.parent().filter(|p| !p.as_os_str().is_empty())
        && let Ok(d) = fs::File::open(parent)
    {
        let _ = d.sync_all();
    }
    Ok(())
}

/// A column's meaning; a column the dictionary does not know (a query's own) gets the
/// generic meaning that points at the query.
fn describe(table: &str, column: &str) -> ColumnDoc {
    column_doc(table, column).copied().unwrap_or(QUERY_COLUMN)
}

async fn export_one(
    ctx: &SessionContext,
    args: &ExportArgs,
    job: &Job,
    dir: &Path,
) -> Result<ExportedTable, ExportError> {
    let mut df = ctx.sql(&job.sql).await?;
    let base: Schema = df.schema().as_arrow().clone();
    let logical: SchemaRef = if job.wide {
        wide::wide_schema(&base)?
    } else {
        Arc::new(base)
    };

    // Partition columns: those asked for (archive: fiscal_year by default) that the table has.
    let wanted: Vec<String> = if args.partition_by.is_empty() && args.profile == Profile::Archive {
        vec![crate::lake::schema::PARTITION_COLUMN.to_string()]
    } else {
        args.partition_by.clone()
    };
    let mut partition_by = Vec::new();
    for col in &wanted {
        match logical.field_with_name(col) {
            Ok(field) if writer::partitionable(field.data_type()) => partition_by.push(col.clone()),
            Ok(field) => {
                return Err(ExportError::new(format!(
                    "cannot partition by {col}: its type {} cannot name a directory",
                    field.data_type()
                )));
            }
            Err(_) if job.user_query && !args.partition_by.is_empty() => {
                return Err(ExportError::new(format!(
                    "the query has no column {col} to partition by"
                )));
            }
            Err(_) => {}
        }
    }

    // Sort order: partitions, then the table's natural keys (not for a user's query).
    let mut sort_keys: Vec<String> = Vec::new();
    if !job.user_query {
        for key in partition_by
            .iter()
            .map(String::as_str)
            .chain(SORT_KEYS.iter().copied())
        {
            let sortable = df.schema().field_with_unqualified_name(key).is_ok();
            if sortable && !sort_keys.iter().any(|k| k == key) {
                sort_keys.push(key.to_string());
            }
        }
        if !sort_keys.is_empty() {
            df = df.sort(
                sort_keys
                    .iter()
                    .map(|k| ident(k).sort(true, false))
                    .collect(),
            )?;
        }
    }

    // The written schema: portable types, descriptions on the fields.
    let mut columns = Vec::new();
    let mut fields = Vec::new();
    for field in logical.fields() {
        let t = portable_type(field.data_type());
        let doc = describe(&job.name, field.name());
        let mut meta = std::collections::HashMap::new();
        meta.insert(
            "description".to_string(),
            format!("{} / {}", doc.zh, doc.en),
        );
        if !doc.unit.is_empty() {
            meta.insert("unit".to_string(), doc.unit.to_string());
        }
        if !doc.classification.is_empty() {
            meta.insert("classification".to_string(), doc.classification.to_string());
        }
        fields.push(Field::new(field.name(), t.clone(), field.is_nullable()).with_metadata(meta));
        columns.push(ExportedColumn {
            name: field.name().clone(),
            sql_type: sql_type(&t),
            arrow_type: t.to_string(),
            nullable: field.is_nullable(),
            partition: partition_by.contains(field.name()),
            doc,
        });
    }
    let (zh, en) = table_doc(&job.name).unwrap_or(("导出查询的结果", "result of the export query"));
    let mut kv = vec![
        KeyValue::new("yusuan.table".to_string(), job.name.clone()),
        KeyValue::new(
            "yusuan.table_description".to_string(),
            format!("{zh} / {en}"),
        ),
        KeyValue::new(
            "yusuan.profile".to_string(),
            args.profile.as_str().to_string(),
        ),
        KeyValue::new(
            "yusuan.version".to_string(),
            env!("CARGO_PKG_VERSION").to_string(),
        ),
        KeyValue::new("yusuan.columns".to_string(), columns_json(&columns)),
    ];
    if job.user_query {
        kv.push(KeyValue::new("yusuan.query".to_string(), job.sql.clone()));
    }
    if !partition_by.is_empty() {
        kv.push(KeyValue::new(
            "yusuan.partition_by".to_string(),
            partition_by.join(","),
        ));
    }
    let schema = Arc::new(Schema::new(fields));

    let properties_for = |partitions: &[String]| {
        let file_cols: Vec<&str> = schema
            .fields()
            .iter()
            .map(|f| f.name().as_str())
            .filter(|n| !partitions.iter().any(|p| p == n))
            .collect();
        let sorting: Vec<SortingColumn> = sort_keys
            .iter()
            .filter(|k| !partitions.contains(k))
            .filter_map(|k| file_cols.iter().position(|c| c == k))
            .map(|i| SortingColumn {
                column_idx: i as i32,
                descending: false,
                nulls_first: false,
            })
            .collect();
        let bloom: Vec<&str> = BLOOM_COLUMNS
            .iter()
            .copied()
            .filter(|c| file_cols.contains(c))
            .collect();
        writer_properties(args.profile, kv.clone(), sorting, &bloom)
    };

    let mut sink = TableSink::new(
        dir,
        &job.name,
        &schema,
        &partition_by,
        args.profile,
        properties_for(&partition_by),
    )?;
    let mut stream = df.execute_stream().await?;
    while let Some(batch) = stream.next().await {
        let batch = batch?;
        let batch = if job.wide {
            wide::add_names(&batch)?
        } else {
            batch
        };
        let out = conform(&batch, &schema)?;
        sink.write(&out)?;
    }
    let mut files = sink.finish()?;
    if files.is_empty() {
        // A partitioned table without rows: one empty file, so every reader finds the table.
        partition_by.clear();
        for c in &mut columns {
            c.partition = false;
        }
        let sink = TableSink::new(
            dir,
            &job.name,
            &schema,
            &[],
            args.profile,
            properties_for(&[]),
        )?;
        files = sink.finish()?;
    }
    let rows = files.iter().map(|f| f.rows).sum();
    Ok(ExportedTable {
        name: job.name.clone(),
        description_zh: zh.to_string(),
        description_en: en.to_string(),
        path: if partition_by.is_empty() {
            format!("{}.parquet", job.name)
        } else {
            format!("{}/", job.name)
        },
        partition_by,
        rows,
        files,
        columns,
        sql: job.sql.clone(),
    })
}

/// Casts a batch to the written schema, column by column.
fn conform(batch: &RecordBatch, schema: &SchemaRef) -> Result<RecordBatch, ExportError> {
    if batch.num_columns() != schema.fields().len() {
        return Err(ExportError::new(format!(
            "the query returned {} columns, expected {}",
            batch.num_columns(),
            schema.fields().len()
        )));
    }
    let mut columns = Vec::with_capacity(batch.num_columns());
    for (column, field) in batch.columns().iter().zip(schema.fields()) {
        let portable = to_portable(column, field.name())?;
        let portable = if portable.data_type() == field.data_type() {
            portable
        } else {
            datafusion::arrow::compute::cast(&portable, field.data_type())
                .map_err(|e| ExportError::new(format!("column {}: {e}", field.name())))?
        };
        columns.push(portable);
    }
    RecordBatch::try_new(schema.clone(), columns)
        .map_err(|e| ExportError::new(format!("building the output rows: {e}")))
}

fn columns_json(columns: &[ExportedColumn]) -> String {
    let items: Vec<String> = columns
        .iter()
        .map(|c| {
            format!(
                "{{\"name\":{},\"type\":{},\"arrow_type\":{},\"nullable\":{},\"partition\":{},\"unit\":{},\"classification\":{},\"meaning_zh\":{},\"meaning_en\":{}}}",
                json_string(&c.name),
                json_string(&c.sql_type),
                json_string(&c.arrow_type),
                c.nullable,
                c.partition,
                json_string(c.doc.unit),
                json_string(c.doc.classification),
                json_string(c.doc.zh),
                json_string(c.doc.en),
            )
        })
        .collect();
    format!("[{}]", items.join(","))
}

fn write_dictionary(
    dir: &Path,
    args: &ExportArgs,
    tables: &[ExportedTable],
) -> Result<(), ExportError> {
    let mut csv = String::from(
        "table,column,type,arrow_type,nullable,partition,unit,classification,meaning_zh,meaning_en\n",
    );
    for t in tables {
        for c in &t.columns {
            let row = [
                t.name.as_str(),
                &c.name,
                &c.sql_type,
                &c.arrow_type,
                if c.nullable { "true" } else { "false" },
                if c.partition { "true" } else { "false" },
                c.doc.unit,
                c.doc.classification,
                c.doc.zh,
                c.doc.en,
            ];
            let fields: Vec<String> = row.iter().map(|f| csv_field(f)).collect();
            csv.push_str(&fields.join(","));
            csv.push('\n');
        }
    }
    let table_items: Vec<String> = tables
        .iter()
        .map(|t| {
            let files: Vec<String> = t
                .files
                .iter()
                .map(|f| format!("{{\"path\":{},\"rows\":{}}}", json_string(&f.path), f.rows))
                .collect();
            let partition: Vec<String> = t.partition_by.iter().map(|p| json_string(p)).collect();
            format!(
                "{{\"name\":{},\"description_zh\":{},\"description_en\":{},\"path\":{},\"partition_by\":[{}],\"rows\":{},\"sql\":{},\"files\":[{}],\"columns\":{}}}",
                json_string(&t.name),
                json_string(&t.description_zh),
                json_string(&t.description_en),
                json_string(&t.path),
                partition.join(","),
                t.rows,
                json_string(&t.sql),
                files.join(","),
                columns_json(&t.columns),
            )
        })
        .collect();
    let json = format!(
        "{{\"yusuan_export\":1,\"version\":{},\"profile\":{},\"include_findings\":{},\"amount_unit\":\"元\",\"tables\":[\n{}\n]}}\n",
        json_string(env!("CARGO_PKG_VERSION")),
        json_string(args.profile.as_str()),
        args.include_findings,
        table_items.join(",\n"),
    );
    for (name, text) in [(DICTIONARY_CSV, csv), (DICTIONARY_JSON, json)] {
        let path = dir.join(name);
        fs::write(&path, text).map_err(|e| ExportError::new(format!("{}: {e}", path.display())))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_jobs_cover_the_contract_and_facts_wide() {
        let names: Vec<String> = jobs(&ExportArgs::new("x"))
            .unwrap()
            .into_iter()
            .map(|j| j.name)
            .collect();
        assert!(names.contains(&"facts".to_string()));
        assert!(names.contains(&FACTS_WIDE.to_string()));
        assert!(!names.contains(&"findings".to_string()));
        let mut args = ExportArgs::new("x");
        args.include_findings = true;
        let names: Vec<String> = jobs(&args).unwrap().into_iter().map(|j| j.name).collect();
        assert!(names.contains(&"findings".to_string()));
    }

    #[test]
    fn bad_names_are_refused() {
        let mut args = ExportArgs::new("x");
        args.tables = vec!["facts; DROP VIEW facts".into()];
        assert!(jobs(&args).is_err());
        let mut args = ExportArgs::new("x");
        args.query = Some("SELECT 1".into());
        args.name = Some("../escape".into());
        assert!(jobs(&args).is_err());
    }

    #[test]
    fn a_directory_that_is_not_an_export_is_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
        assert!(check_target(dir.path()).is_err());
        assert!(check_target(&dir.path().join("new")).is_ok());
        assert!(check_target(Path::new("/")).is_err());
    }

    /// Every column of every table and view a session offers has a meaning, and so has
    /// every column facts_wide adds.
    #[tokio::test]
    async fn the_dictionary_covers_every_column() {
        let dir = tempfile::tempdir().unwrap();
        let lake = Lake::open(dir.path()).unwrap();
        let ctx = crate::session::new_context(&lake).await.unwrap();
        let rows = ctx
            .sql(
                "SELECT table_schema, table_name, column_name FROM information_schema.columns \
                 WHERE table_schema <> 'information_schema'",
            )
            .await
            .unwrap()
            .collect()
            .await
            .unwrap();
        let mut missing = Vec::new();
        let mut seen = 0;
        for batch in rows {
            let batch = crate::datafusion::arrow::compute::cast(batch.column(1), &DataType::Utf8)
                .map(|t| (t, batch.clone()))
                .unwrap();
            let (tables, batch) = batch;
            let tables = tables
                .as_any()
                .downcast_ref::<datafusion::arrow::array::StringArray>()
                .unwrap();
            let cols =
                crate::datafusion::arrow::compute::cast(batch.column(2), &DataType::Utf8).unwrap();
            let cols = cols
                .as_any()
                .downcast_ref::<datafusion::arrow::array::StringArray>()
                .unwrap();
            for i in 0..batch.num_rows() {
                seen += 1;
                if column_doc(tables.value(i), cols.value(i)).is_none() {
                    missing.push(format!("{}.{}", tables.value(i), cols.value(i)));
                }
            }
        }
        assert!(seen > 80, "only {seen} columns listed");
        let base = ctx.sql(&wide::base_sql(true)).await.unwrap();
        let wide = wide::wide_schema(base.schema().as_arrow()).unwrap();
        for f in wide.fields() {
            if column_doc(FACTS_WIDE, f.name()).is_none() {
                missing.push(format!("facts_wide.{}", f.name()));
            }
        }
        assert!(missing.is_empty(), "columns without a meaning: {missing:?}");
    }
}
