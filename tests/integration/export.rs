//! `yusuan export`: the seed lake exported in both profiles and read back — by DataFusion
//! here, and by DuckDB, pyarrow and Spark through `tests/readers/check_export.py` — with the
//! same row counts, the same sums to the fen, strings as strings and amounts as decimals;
//! the data dictionary; and the atomic replacement of an earlier export.
//!
//! Expected sums are worked out by hand from the seed document
//! (data/docs/wanyuan-shebaoju-2021-yusuan.txt):
//! - 部门支出总表 leaves (lines 183–188), 合计 column: 2,592,139 + 257,070 + 25,920 +
//!   99,802 + 3,743 + 184,249 = 3,162,923.00; 基本支出: 3,162,923 − 50,000 =
//!   3,112,923.00; 项目支出: 50,000.00 (only 2080109).
//! - 基本支出表 款 leaves (lines 325–349): 301 款 855,276 + 680,136 + 71,273 + 257,070 +
//!   99,802 + 4,925 + 184,249 = 2,152,731; 302 款 sum 267,637; 303 款 312,360 + 144,720 +
//!   225,475 = 682,555; 310 款 10,000: total 3,112,923.00; 人员经费 2,152,731 + 682,555 =
//!   2,835,286.00; 公用经费 267,637 + 10,000 = 277,637.00.
//! - 项目支出表: 20,000 + 10,000 + 20,000 = 50,000.00 (3 projects).
//! - “三公” 公务接待费: 9,700.00 this year, 10,000.00 the year before.
//!
//! A reader that cannot run here is reported loudly on stderr (`READER SKIPPED`), and the
//! Rust-side checks still run.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;

use yusuan::datafusion::arrow::array::RecordBatch;
use yusuan::datafusion::arrow::datatypes::{DataType, TimeUnit};
use yusuan::datafusion::arrow::util::display::array_value_to_string;
use yusuan::datafusion::parquet::basic::{Compression, LogicalType, Type as PhysicalType};
use yusuan::datafusion::parquet::file::reader::{FileReader, SerializedFileReader};
use yusuan::datafusion::prelude::{ParquetReadOptions, SessionConfig, SessionContext};

use super::{seeded_lake, snapshot, stderr, yusuan};

fn export(cwd: &Path, args: &[&str]) -> std::process::Output {
    let mut all = vec!["--lake", "lake", "export"];
    all.extend_from_slice(args);
    yusuan(cwd, &all)
}

fn export_ok(cwd: &Path, args: &[&str]) {
    let out = export(cwd, args);
    assert!(
        out.status.success(),
        "export {args:?} failed: {}",
        stderr(&out)
    );
}

/// Every `.parquet` file under `dir`, relative, sorted.
fn parquet_files(dir: &Path) -> Vec<PathBuf> {
    snapshot(dir)
        .into_iter()
        .map(|(p, _)| p)
        .filter(|p| p.extension().is_some_and(|e| e == "parquet"))
        .map(|p| p.strip_prefix(dir).unwrap().to_path_buf())
        .collect()
}

/// The exported tables: name → (path, partition columns), from the directory layout.
fn tables_of(dir: &Path) -> BTreeMap<String, (PathBuf, Vec<String>)> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if let Some(table) = name.strip_suffix(".parquet") {
            out.insert(table.to_string(), (path, Vec::new()));
        } else if path.is_dir() {
            let mut partitions = Vec::new();
            let mut level = path.clone();
            loop {
                let sub = std::fs::read_dir(&level)
                    .unwrap()
                    .map(|e| e.unwrap().path())
                    .find(|p| p.is_dir());
                let Some(sub) = sub else { break };
                let dir_name = sub.file_name().unwrap().to_string_lossy().to_string();
                let Some((col, _)) = dir_name.split_once('=') else {
                    break;
                };
                partitions.push(col.to_string());
                level = sub;
            }
            out.insert(name, (path, partitions));
        }
    }
    out
}

/// A DataFusion context over the exported files, strings read as plain `Utf8`.
async fn read_back(dir: &Path) -> SessionContext {
    let config = SessionConfig::new().set_bool(
        "datafusion.execution.parquet.schema_force_view_types",
        false,
    );
    let ctx = SessionContext::new_with_config(config);
    for (table, (path, partitions)) in tables_of(dir) {
        let cols = partitions
            .iter()
            .map(|c| {
                (
                    c.clone(),
                    if c == "fiscal_year" {
                        DataType::Int32
                    } else {
                        DataType::Utf8
                    },
                )
            })
            .collect();
        let mut location = path.to_string_lossy().to_string();
        if path.is_dir() {
            location.push('/');
        }
        let options = ParquetReadOptions::default().table_partition_cols(cols);
        ctx.register_parquet(&table, &location, options)
            .await
            .unwrap();
    }
    ctx
}

async fn query(ctx: &SessionContext, sql: &str) -> Vec<RecordBatch> {
    ctx.sql(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .collect()
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// The rows of a query as strings (NULL for null).
async fn rows(ctx: &SessionContext, sql: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for batch in query(ctx, sql).await {
        for r in 0..batch.num_rows() {
            out.push(
                batch
                    .columns()
                    .iter()
                    .map(|c| {
                        if c.is_null(r) {
                            "NULL".to_string()
                        } else {
                            array_value_to_string(c, r).unwrap()
                        }
                    })
                    .collect(),
            );
        }
    }
    out
}

async fn one(ctx: &SessionContext, sql: &str) -> Vec<String> {
    let mut all = rows(ctx, sql).await;
    assert_eq!(all.len(), 1, "{sql}: {all:?}");
    all.remove(0)
}

/// What DataFusion reads from each exported table: rows, decimal sums, column kinds.
#[derive(Debug, Default)]
struct Reading {
    rows: BTreeMap<String, String>,
    sums: BTreeMap<(String, String), String>,
    kinds: BTreeMap<(String, String), String>,
}

fn kind_of(t: &DataType) -> String {
    match t {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => "string".into(),
        DataType::Decimal128(p, s) => format!("decimal({p},{s})"),
        DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::Int64 => "int".into(),
        DataType::Boolean => "bool".into(),
        DataType::Timestamp(TimeUnit::Microsecond, Some(tz)) if tz.as_ref() == "UTC" => {
            "timestamp_utc_us".into()
        }
        other => format!("other:{other}"),
    }
}

async fn datafusion_reading(dir: &Path) -> Reading {
    let ctx = read_back(dir).await;
    let mut reading = Reading::default();
    for table in tables_of(dir).keys() {
        let provider = ctx.table_provider(table.as_str()).await.unwrap();
        let schema = provider.schema();
        let mut select = vec!["CAST(count(*) AS VARCHAR)".to_string()];
        let mut decimals = Vec::new();
        for f in schema.fields() {
            reading
                .kinds
                .insert((table.clone(), f.name().clone()), kind_of(f.data_type()));
            if let DataType::Decimal128(_, _) = f.data_type() {
                select.push(format!("sum(\"{}\")", f.name()));
                decimals.push(f.name().clone());
            }
        }
        let row = one(
            &ctx,
            &format!("SELECT {} FROM \"{table}\"", select.join(", ")),
        )
        .await;
        reading.rows.insert(table.clone(), row[0].clone());
        for (col, value) in decimals.into_iter().zip(&row[1..]) {
            reading.sums.insert((table.clone(), col), value.clone());
        }
    }
    reading
}

/// The hand-worked figures of the seed (see the module doc), checked on an export.
async fn check_seed_figures(dir: &Path) {
    let ctx = read_back(dir).await;
    assert_eq!(
        one(&ctx, "SELECT CAST(sum(total) AS VARCHAR), CAST(sum(basic) AS VARCHAR), CAST(sum(project) AS VARCHAR), CAST(count(*) AS VARCHAR) FROM expenditure").await,
        ["3162923.00", "3112923.00", "50000.00", "6"]
    );
    assert_eq!(
        one(&ctx, "SELECT CAST(sum(total) AS VARCHAR), CAST(sum(personnel) AS VARCHAR), CAST(sum(public_use) AS VARCHAR), CAST(count(*) AS VARCHAR) FROM basic_by_econ").await,
        ["3112923.00", "2835286.00", "277637.00", "22"]
    );
    assert_eq!(
        one(
            &ctx,
            "SELECT CAST(sum(amount) AS VARCHAR), CAST(count(*) AS VARCHAR) FROM projects"
        )
        .await,
        ["50000.00", "3"]
    );
    assert_eq!(
        one(&ctx, "SELECT CAST(budget AS VARCHAR), CAST(prior_budget AS VARCHAR) FROM three_public WHERE item = '公务接待费'").await,
        ["9700.00", "10000.00"]
    );
    for table in ["facts", "facts_wide"] {
        assert_eq!(
            one(&ctx, &format!(
                "SELECT CAST(sum(amount) AS VARCHAR) FROM {table} WHERE statement = 'expenditure_by_func' \
                 AND NOT is_total AND measure = 'total' AND period = 'current'"
            ))
            .await,
            ["3162923.00"],
            "{table}"
        );
    }
    // facts_wide is facts, row for row, with the names of every level.
    assert_eq!(
        one(&ctx, "SELECT CAST(count(*) AS VARCHAR) FROM facts").await,
        one(&ctx, "SELECT CAST(count(*) AS VARCHAR) FROM facts_wide").await
    );
    assert_eq!(
        one(&ctx, "SELECT DISTINCT func_class_code, func_class_name, func_kuan_code, func_kuan_name, \
                   func_xiang_code, func_xiang_name, func_name FROM facts_wide WHERE func_code = '2080109'").await,
        ["208", "社会保障和就业支出", "20801", "人力资源和社会保障管理事务", "2080109", "社会保险经办机构", "社会保险经办机构"]
    );
    assert_eq!(
        one(&ctx, "SELECT DISTINCT econ_class_code, econ_class_name, econ_kuan_code, econ_kuan_name, econ_name \
                   FROM facts_wide WHERE econ_code = '30217'").await,
        ["302", "商品和服务支出", "30217", "公务接待费", "公务接待费"]
    );
    // A 类 code has no 款 name.
    assert_eq!(
        one(&ctx, "SELECT DISTINCT econ_kuan_code, econ_kuan_name, econ_class_name FROM facts_wide WHERE econ_code = '301'").await,
        ["NULL", "NULL", "工资福利支出"]
    );
}

/// `has_finding` is true exactly where a finding lists the fact's line.
async fn check_finding_flags(dir: &Path) {
    let ctx = read_back(dir).await;
    let pointed: BTreeSet<(String, String)> = rows(&ctx, "SELECT doc_id, lines FROM findings")
        .await
        .into_iter()
        .flat_map(|r| {
            let doc = r[0].clone();
            r[1].split(',')
                .filter(|l| !l.trim().is_empty())
                .map(|l| (doc.clone(), l.trim().to_string()))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(!pointed.is_empty(), "the seed has findings");
    let facts = rows(&ctx, "SELECT doc_id, CAST(src_line AS VARCHAR), CAST(has_finding AS VARCHAR), CAST(finding_count AS VARCHAR) FROM facts_wide").await;
    let mut flagged = 0;
    for r in &facts {
        let expected = pointed.contains(&(r[0].clone(), r[1].clone()));
        assert_eq!(
            r[2] == "true",
            expected,
            "line {}: has_finding {}",
            r[1],
            r[2]
        );
        assert_eq!(
            r[3] != "0",
            expected,
            "line {}: finding_count {}",
            r[1],
            r[3]
        );
        flagged += usize::from(expected);
    }
    assert!(flagged > 0, "some figure of the seed is doubted by a check");
}

/// What the Python readers saw, from `check_export.py --flat`.
#[derive(Debug, Default)]
struct Readers {
    versions: BTreeMap<String, String>,
    rows: BTreeMap<(String, String), String>,
    sums: BTreeMap<(String, String, String), String>,
    kinds: BTreeMap<(String, String, String), String>,
    footers: BTreeMap<(String, String), Vec<String>>,
    /// file → column → (physical, logical, compression, has_column_index)
    columns: BTreeMap<String, BTreeMap<String, Vec<String>>>,
    skipped: BTreeMap<String, String>,
}

fn loud(message: &str) {
    eprintln!("\n********************************************************************");
    eprintln!("READER SKIPPED: {message}");
    eprintln!("********************************************************************\n");
}

/// Runs the Python checker; `None` (said loudly) when python3 is missing.
fn python_readers(dir: &Path) -> Option<Readers> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/readers/check_export.py");
    let out = match Command::new("python3")
        .arg(&script)
        .arg(dir)
        .arg("--flat")
        .env("SPARK_LOCAL_IP", "127.0.0.1")
        .output()
    {
        Ok(out) => out,
        Err(e) => {
            loud(&format!(
                "python3 cannot run ({e}): DuckDB, pyarrow and Spark were not checked; \
                           install python3 and `pip install duckdb pyarrow pyspark`"
            ));
            return None;
        }
    };
    assert!(
        out.status.success(),
        "check_export.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut r = Readers::default();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let f: Vec<String> = line.split('\t').map(str::to_string).collect();
        match f[0].as_str() {
            "reader" => {
                r.versions.insert(f[1].clone(), f[2].clone());
            }
            "rows" => {
                r.rows.insert((f[1].clone(), f[2].clone()), f[3].clone());
            }
            "sum" => {
                r.sums
                    .insert((f[1].clone(), f[2].clone(), f[3].clone()), f[4].clone());
            }
            "kind" => {
                r.kinds
                    .insert((f[1].clone(), f[2].clone(), f[3].clone()), f[4].clone());
            }
            "footer" => r
                .footers
                .entry((f[1].clone(), f[2].clone()))
                .or_default()
                .push(f[3].clone()),
            "column" => {
                r.columns
                    .entry(f[1].clone())
                    .or_default()
                    .insert(f[2].clone(), f[3..].to_vec());
            }
            "skipped" => {
                r.skipped.insert(f[1].clone(), f[2..].join(" "));
            }
            _ => {}
        }
    }
    for (reader, reason) in &r.skipped {
        loud(&format!("{reader}: {reason}"));
    }
    eprintln!("readers that read {}: {:?}", dir.display(), r.versions);
    Some(r)
}

/// Every reader that ran sees what DataFusion sees: rows, sums to the fen, kinds.
fn compare_readers(readers: &Readers, expected: &Reading) {
    assert!(
        readers.versions.contains_key("duckdb") || readers.skipped.contains_key("duckdb"),
        "duckdb neither ran nor was reported skipped"
    );
    for reader in readers.versions.keys() {
        for (table, rows) in &expected.rows {
            assert_eq!(
                readers.rows.get(&(reader.clone(), table.clone())),
                Some(rows),
                "{reader}: rows of {table}"
            );
        }
        for ((table, col), sum) in &expected.sums {
            assert_eq!(
                readers
                    .sums
                    .get(&(reader.clone(), table.clone(), col.clone())),
                Some(sum),
                "{reader}: sum of {table}.{col}"
            );
        }
        for ((table, col), kind) in &expected.kinds {
            assert_eq!(
                readers
                    .kinds
                    .get(&(reader.clone(), table.clone(), col.clone())),
                Some(kind),
                "{reader}: type of {table}.{col}"
            );
        }
    }
}

/// Footer facts every exported file shares, read with the parquet crate.
fn check_footers(dir: &Path, profile: &str) {
    let files = parquet_files(dir);
    assert!(!files.is_empty());
    for rel in files {
        let reader = SerializedFileReader::new(File::open(dir.join(&rel)).unwrap()).unwrap();
        let meta = reader.metadata();
        let file_meta = meta.file_metadata();
        let kv: BTreeMap<String, String> = file_meta
            .key_value_metadata()
            .map(|kv| {
                kv.iter()
                    .map(|k| (k.key.clone(), k.value.clone().unwrap_or_default()))
                    .collect()
            })
            .unwrap_or_default();
        let name = rel.display();
        assert!(
            kv.get("yusuan.columns")
                .is_some_and(|c| c.contains("meaning_zh")),
            "{name}: yusuan.columns"
        );
        assert_eq!(
            kv.get("yusuan.profile").map(String::as_str),
            Some(profile),
            "{name}"
        );
        match profile {
            "bi" => {
                assert_eq!(file_meta.version(), 1, "{name}: Parquet writer version 1.0");
                assert!(
                    !kv.contains_key("ARROW:schema"),
                    "{name}: no Arrow metadata in bi files"
                );
            }
            _ => assert!(
                kv.contains_key("ARROW:schema"),
                "{name}: archive keeps the Arrow schema"
            ),
        }
        let schema = file_meta.schema_descr();
        for rg in meta.row_groups() {
            if profile == "archive" {
                assert!(
                    rg.sorting_columns().is_some_and(|s| !s.is_empty()),
                    "{name}: sorted"
                );
            }
            for (i, chunk) in rg.columns().iter().enumerate() {
                let col = schema.column(i);
                match (profile, chunk.compression()) {
                    ("bi", Compression::SNAPPY) | ("archive", Compression::ZSTD(_)) => {}
                    (p, c) => panic!("{name}.{}: {c:?} in profile {p}", col.name()),
                }
                if profile == "archive" {
                    assert!(
                        chunk.column_index_offset().is_some(),
                        "{name}.{}: page index",
                        col.name()
                    );
                }
            }
        }
        for col in schema.columns() {
            match col.logical_type_ref() {
                Some(LogicalType::Decimal(d)) => {
                    assert!(
                        d.precision <= 18,
                        "{name}.{}: precision {}",
                        col.name(),
                        d.precision
                    );
                    assert_eq!(
                        col.physical_type(),
                        PhysicalType::INT64,
                        "{name}.{}: INT64 decimal",
                        col.name()
                    );
                }
                Some(LogicalType::Timestamp(t)) => {
                    assert!(t.is_adjusted_to_u_t_c, "{name}.{}", col.name());
                    assert!(
                        matches!(t.unit, yusuan::datafusion::parquet::basic::TimeUnit::MICROS),
                        "{name}.{}: {:?}",
                        col.name(),
                        t.unit
                    );
                }
                _ => {}
            }
            if col.physical_type() == PhysicalType::BYTE_ARRAY {
                assert!(
                    matches!(col.logical_type_ref(), Some(LogicalType::String)),
                    "{name}.{}: strings are annotated as strings",
                    col.name()
                );
            }
        }
    }
}

/// The footers as pyarrow reports them agree with the profile.
fn check_pyarrow_footers(readers: &Readers, profile: &str) {
    if !readers.versions.contains_key("pyarrow") {
        return;
    }
    assert!(!readers.columns.is_empty());
    for ((file, key), values) in &readers.footers {
        match (key.as_str(), profile) {
            ("format_version", "bi") => assert_eq!(values, &["1.0"], "{file}"),
            ("has_arrow_schema", "bi") => assert_eq!(values, &["false"], "{file}"),
            ("kv_key", _) => assert!(values.iter().any(|k| k == "yusuan.columns"), "{file}"),
            _ => {}
        }
    }
    for (file, columns) in &readers.columns {
        for (col, c) in columns {
            if c[1].starts_with("Decimal") {
                assert_eq!(c[0], "INT64", "{file}.{col}: {c:?}");
            }
            if c[1].starts_with("Timestamp") {
                assert!(
                    c[1].contains("isAdjustedToUTC=true") && c[1].contains("microseconds"),
                    "{file}.{col}: {c:?}"
                );
            }
            let codec = if profile == "bi" { "SNAPPY" } else { "ZSTD" };
            assert_eq!(c[2], codec, "{file}.{col}");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn bi_export_reads_the_same_in_every_reader() {
    let dir = seeded_lake();
    export_ok(dir.path(), &["--to", "out", "--include-findings"]);
    let out = dir.path().join("out");
    let tables: Vec<String> = tables_of(&out).into_keys().collect();
    for t in [
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
        "facts_wide",
        "findings",
    ] {
        assert!(
            out.join(format!("{t}.parquet")).is_file(),
            "{t}.parquet is missing: {tables:?}"
        );
    }
    assert!(out.join("_dictionary.csv").is_file() && out.join("_dictionary.json").is_file());
    check_footers(&out, "bi");
    check_seed_figures(&out).await;
    check_finding_flags(&out).await;
    let expected = datafusion_reading(&out).await;
    assert_eq!(
        expected.kinds[&("documents".into(), "ingested_at".into())],
        "timestamp_utc_us"
    );
    assert_eq!(
        expected.kinds[&("facts".into(), "amount".into())],
        "decimal(18,2)"
    );
    assert_eq!(expected.kinds[&("facts".into(), "doc_id".into())], "string");
    if let Some(readers) = python_readers(&out) {
        compare_readers(&readers, &expected);
        check_pyarrow_footers(&readers, "bi");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn archive_export_is_partitioned_sorted_indexed_and_reads_the_same() {
    let dir = seeded_lake();
    export_ok(dir.path(), &["--to", "bi", "--include-findings"]);
    export_ok(
        dir.path(),
        &[
            "--to",
            "archive",
            "--profile",
            "archive",
            "--include-findings",
        ],
    );
    let out = dir.path().join("archive");
    assert!(out.join("facts/fiscal_year=2021/part-0.parquet").is_file());
    assert!(
        out.join("facts_wide/fiscal_year=2021/part-0.parquet")
            .is_file()
    );
    // The catalogs have no fiscal_year: one file each.
    assert!(out.join("func_class.parquet").is_file());
    check_footers(&out, "archive");
    check_seed_figures(&out).await;
    check_finding_flags(&out).await;
    let expected = datafusion_reading(&out).await;
    // Both profiles hold the same rows and sums.
    let bi = datafusion_reading(&dir.path().join("bi")).await;
    assert_eq!(expected.rows, bi.rows);
    assert_eq!(expected.sums, bi.sums);
    // Rows are sorted by document and line within the partition.
    let ctx = read_back(&out).await;
    let lines: Vec<i64> = rows(&ctx, "SELECT src_line FROM facts")
        .await
        .into_iter()
        .map(|r| r[0].parse().unwrap())
        .collect();
    assert!(
        lines.windows(2).all(|w| w[0] <= w[1]),
        "facts are sorted by src_line"
    );
    if let Some(readers) = python_readers(&out) {
        compare_readers(&readers, &expected);
        check_pyarrow_footers(&readers, "archive");
    }
}

/// A minimal RFC 4180 reader for the dictionary.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, '\r') => {}
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

#[test]
fn the_dictionary_lists_every_exported_column_with_a_meaning() {
    let dir = seeded_lake();
    for profile in ["bi", "archive"] {
        export_ok(
            dir.path(),
            &["--to", profile, "--profile", profile, "--include-findings"],
        );
        let out = dir.path().join(profile);
        let csv = parse_csv(&std::fs::read_to_string(out.join("_dictionary.csv")).unwrap());
        let header = &csv[0];
        let at = |name: &str| {
            header
                .iter()
                .position(|h| h == name)
                .unwrap_or_else(|| panic!("no {name} in {header:?}"))
        };
        let (table, column, zh, en, unit, class, partition) = (
            at("table"),
            at("column"),
            at("meaning_zh"),
            at("meaning_en"),
            at("unit"),
            at("classification"),
            at("partition"),
        );
        let listed: BTreeMap<(String, String), &Vec<String>> = csv[1..]
            .iter()
            .map(|r| ((r[table].clone(), r[column].clone()), r))
            .collect();
        assert_eq!(listed.len(), csv.len() - 1, "each column listed once");
        for r in &csv[1..] {
            assert!(
                !r[zh].trim().is_empty() && !r[en].trim().is_empty(),
                "{profile}: {r:?}"
            );
        }
        // Every column of every file is listed, and every partition column.
        for (name, (path, partitions)) in tables_of(&out) {
            let file = if path.is_dir() {
                parquet_files(&path)
                    .into_iter()
                    .next()
                    .map(|p| path.join(p))
                    .unwrap()
            } else {
                path.clone()
            };
            let reader = SerializedFileReader::new(File::open(&file).unwrap()).unwrap();
            for col in reader.metadata().file_metadata().schema_descr().columns() {
                assert!(
                    listed.contains_key(&(name.clone(), col.name().to_string())),
                    "{profile}: {name}.{} not in the dictionary",
                    col.name()
                );
            }
            for p in &partitions {
                let row = listed
                    .get(&(name.clone(), p.clone()))
                    .unwrap_or_else(|| panic!("{name}.{p}"));
                assert_eq!(
                    row[partition], "true",
                    "{profile}: {name}.{p} is a partition column"
                );
            }
        }
        let amount = listed[&("facts".to_string(), "amount".to_string())];
        assert_eq!(amount[unit], "元");
        assert!(
            listed[&("facts_wide".to_string(), "func_kuan_name".to_string())][class]
                .contains("功能分类")
        );
        assert!(
            listed[&("facts".to_string(), "econ_code".to_string())][class].contains("经济分类")
        );
        let json = std::fs::read_to_string(out.join("_dictionary.json")).unwrap();
        assert!(json.contains("\"yusuan_export\":1") && json.contains("\"meaning_en\""));
    }
}

#[test]
fn a_failed_export_leaves_the_previous_export_intact() {
    let dir = seeded_lake();
    export_ok(dir.path(), &["--to", "out"]);
    let out = dir.path().join("out");
    let before = snapshot(&out);
    let listing = |d: &Path| -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .collect();
        names.sort();
        names
    };
    let siblings = listing(dir.path());

    // A failure after facts was written aside: the unknown table fails the export.
    let failed = export(
        dir.path(),
        &[
            "--to",
            "out",
            "--table",
            "facts",
            "--table",
            "no_such_table",
        ],
    );
    assert!(!failed.status.success());
    assert!(
        stderr(&failed).contains("no_such_table"),
        "{}",
        stderr(&failed)
    );
    // A query that fails.
    let failed = export(
        dir.path(),
        &["--to", "out", "--query", "SELECT amount / 0 AS x FROM nope"],
    );
    assert!(!failed.status.success());
    assert!(stderr(&failed).contains("nope"), "{}", stderr(&failed));
    // An amount that does not fit Decimal(18,2): fails at execution, while writing.
    let failed = export(
        dir.path(),
        &[
            "--to",
            "out",
            "--query",
            "SELECT CAST(amount AS DECIMAL(38,2)) * CAST(100000000000000 AS DECIMAL(38,0)) AS x FROM facts",
        ],
    );
    assert!(!failed.status.success());
    assert!(stderr(&failed).contains("x"), "{}", stderr(&failed));

    assert_eq!(snapshot(&out), before, "the previous export is unchanged");
    assert_eq!(
        listing(dir.path()),
        siblings,
        "nothing left beside the export"
    );

    // A successful export replaces the previous one whole.
    export_ok(dir.path(), &["--to", "out", "--table", "projects"]);
    assert_eq!(
        listing(&out),
        ["_dictionary.csv", "_dictionary.json", "projects.parquet"]
    );
    assert_eq!(listing(dir.path()), siblings);
}

#[test]
fn a_directory_that_is_not_an_export_is_not_replaced() {
    let dir = seeded_lake();
    let mine = dir.path().join("mine");
    std::fs::create_dir(&mine).unwrap();
    std::fs::write(mine.join("notes.txt"), "keep me").unwrap();
    let out = export(dir.path(), &["--to", "mine"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("not a yusuan export"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read_to_string(mine.join("notes.txt")).unwrap(),
        "keep me"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_query_is_exported_as_one_named_file() {
    let dir = seeded_lake();
    export_ok(
        dir.path(),
        &[
            "--to",
            "q",
            "--name",
            "by_func",
            "--query",
            "SELECT func_code, sum(amount) AS amount, count(*) AS n FROM facts \
         WHERE statement = 'expenditure_by_func' AND NOT is_total AND measure = 'total' \
         GROUP BY func_code ORDER BY func_code",
        ],
    );
    let out = dir.path().join("q");
    assert!(out.join("by_func.parquet").is_file());
    // sum() is Decimal(28,2) in DataFusion; the file holds Decimal(18,2) as INT64.
    check_footers(&out, "bi");
    let ctx = read_back(&out).await;
    assert_eq!(
        one(
            &ctx,
            "SELECT CAST(sum(amount) AS VARCHAR), arrow_typeof(sum(amount)) FROM by_func"
        )
        .await[0],
        "3162923.00"
    );
    let types = one(
        &ctx,
        "SELECT arrow_typeof(amount), arrow_typeof(func_code) FROM by_func LIMIT 1",
    )
    .await;
    assert_eq!(types, ["Decimal128(18, 2)", "Utf8"]);
    let csv = std::fs::read_to_string(out.join("_dictionary.csv")).unwrap();
    assert!(
        csv.contains("by_func,n,"),
        "query columns are listed: {csv}"
    );
    assert!(csv.contains("by_func,amount,\"DECIMAL(18,2)\""), "{csv}");
    // The default file name is query.parquet.
    export_ok(dir.path(), &["--to", "q", "--query", "SELECT 1 AS one"]);
    assert!(out.join("query.parquet").is_file());
}

#[tokio::test(flavor = "multi_thread")]
async fn partition_by_writes_hive_directories_in_the_bi_profile() {
    let dir = seeded_lake();
    export_ok(
        dir.path(),
        &[
            "--to",
            "p",
            "--table",
            "facts",
            "--partition-by",
            "fiscal_year,statement",
        ],
    );
    let out = dir.path().join("p");
    let files = parquet_files(&out);
    assert!(
        files
            .iter()
            .any(|f| f.starts_with("facts/fiscal_year=2021/statement=expenditure_by_func")),
        "{files:?}"
    );
    let ctx = read_back(&out).await;
    assert_eq!(
        one(&ctx, "SELECT CAST(sum(amount) AS VARCHAR) FROM facts WHERE statement = 'expenditure_by_func' \
                   AND NOT is_total AND measure = 'total' AND period = 'current'").await,
        ["3162923.00"]
    );
    check_footers(&out, "bi");
}
