//! Writing one exported table: the types every reader understands, the writer settings of
//! each profile, and the routing of rows to Hive partitions.
//!
//! Types are made portable before anything is written ([`portable_type`]): views and large
//! strings become `Utf8`, dictionaries are decoded, decimals wider than 18 digits (what
//! `sum()` returns) are narrowed to `Decimal128(18, s)` — checked, an overflow is an error,
//! never a rounded figure — so they are stored as INT64, and timestamps become microseconds
//! in UTC. The files of one table share one schema.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, RecordBatch, UInt32Array};
use datafusion::arrow::compute::{CastOptions, cast_with_options, take};
use datafusion::arrow::datatypes::{
    DataType, Field, FieldRef, Fields, Schema, SchemaRef, TimeUnit,
};
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::arrow::arrow_writer::ArrowWriterOptions;
use datafusion::parquet::basic::{Compression, ZstdLevel};
use datafusion::parquet::file::metadata::{KeyValue, SortingColumn};
use datafusion::parquet::file::properties::{EnabledStatistics, WriterProperties, WriterVersion};
use datafusion::parquet::schema::types::ColumnPath;

use super::{ExportError, Profile};

/// The value Hive readers take as NULL in a partition directory name.
pub const HIVE_NULL: &str = "__HIVE_DEFAULT_PARTITION__";

/// The type a column is written as: one every reader maps to the same logical type.
pub fn portable_type(t: &DataType) -> DataType {
    match t {
        DataType::Utf8View | DataType::LargeUtf8 | DataType::Null => DataType::Utf8,
        DataType::BinaryView | DataType::LargeBinary => DataType::Binary,
        DataType::Dictionary(_, values) => portable_type(values),
        DataType::Decimal128(p, s) | DataType::Decimal256(p, s)
            if *p > 18 && *s >= 0 && *s <= 18 =>
        {
            DataType::Decimal128(18, *s)
        }
        DataType::Decimal256(p, s) => DataType::Decimal128((*p).min(38), *s),
        DataType::Timestamp(_, _) => DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
        DataType::Date64 => DataType::Date32,
        DataType::Int8 | DataType::Int16 | DataType::UInt8 | DataType::UInt16 => DataType::Int32,
        DataType::UInt32 | DataType::UInt64 => DataType::Int64,
        DataType::Float16 => DataType::Float32,
        DataType::List(f)
        | DataType::LargeList(f)
        | DataType::ListView(f)
        | DataType::LargeListView(f) => DataType::List(Arc::new(Field::new(
            "element",
            portable_type(f.data_type()),
            true,
        ))),
        DataType::Struct(fields) => DataType::Struct(Fields::from(
            fields
                .iter()
                .map(|f| portable_field(f).as_ref().clone())
                .collect::<Vec<_>>(),
        )),
        other => other.clone(),
    }
}

fn portable_field(f: &FieldRef) -> FieldRef {
    Arc::new(Field::new(
        f.name(),
        portable_type(f.data_type()),
        f.is_nullable(),
    ))
}

/// Casts a column to its portable type; values that do not fit are an error.
pub fn to_portable(column: &ArrayRef, name: &str) -> Result<ArrayRef, ExportError> {
    let target = portable_type(column.data_type());
    if &target == column.data_type() {
        return Ok(column.clone());
    }
    let options = CastOptions {
        safe: false,
        ..Default::default()
    };
    cast_with_options(column, &target, &options).map_err(|e| {
        ExportError::new(format!(
            "column {name}: cannot write {} as {target}: {e}",
            column.data_type()
        ))
    })
}

/// Writer settings of a profile, with the table's key-value metadata and sort order.
pub fn writer_properties(
    profile: Profile,
    metadata: Vec<KeyValue>,
    sorting: Vec<SortingColumn>,
    bloom_columns: &[&str],
) -> WriterProperties {
    let builder = WriterProperties::builder()
        .set_created_by(format!("yusuan {} (parquet-rs)", env!("CARGO_PKG_VERSION")))
        .set_coerce_types(true)
        .set_key_value_metadata(Some(metadata))
        .set_sorting_columns((!sorting.is_empty()).then_some(sorting));
    match profile {
        Profile::Bi => builder
            .set_writer_version(WriterVersion::PARQUET_1_0)
            .set_compression(Compression::SNAPPY)
            .set_statistics_enabled(EnabledStatistics::Chunk)
            .build(),
        Profile::Archive => {
            let mut builder = builder
                .set_writer_version(WriterVersion::PARQUET_2_0)
                .set_compression(Compression::ZSTD(ZstdLevel::try_new(6).unwrap_or_default()))
                // Page-level statistics write the column and offset indexes (page indexes).
                .set_statistics_enabled(EnabledStatistics::Page);
            for column in bloom_columns {
                builder = builder.set_column_bloom_filter_enabled(ColumnPath::from(*column), true);
            }
            builder.build()
        }
    }
}

/// Escapes a partition value the way Hive does for a directory name.
pub fn escape_partition_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if c.is_control()
            || matches!(
                c,
                '"' | '#' | '%' | '\'' | '*' | '/' | ':' | '=' | '?' | '\\' | '{' | '[' | ']' | '^'
            )
        {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    if out.is_empty() {
        HIVE_NULL.to_string()
    } else {
        out
    }
}

/// Whether a column type can name a Hive partition directory.
pub fn partitionable(t: &DataType) -> bool {
    matches!(
        portable_type(t),
        DataType::Utf8 | DataType::Int32 | DataType::Int64 | DataType::Boolean | DataType::Date32
    )
}

/// One written file.
#[derive(Debug, Clone)]
pub struct WrittenFile {
    /// Relative to the export directory, with `/` separators.
    pub path: String,
    pub rows: usize,
}

struct OpenFile {
    relative: String,
    writer: ArrowWriter<File>,
    rows: usize,
}

/// Writes the rows of one table: one file, or one file per partition value.
pub struct TableSink {
    root: PathBuf,
    table: String,
    /// Schema of the files (partition columns removed), with the field descriptions.
    file_schema: SchemaRef,
    /// Indexes of the partition columns in the incoming batches, in order.
    partition_indexes: Vec<usize>,
    partition_names: Vec<String>,
    /// Indexes of the file columns in the incoming batches.
    file_indexes: Vec<usize>,
    options: ArrowWriterOptions,
    open: BTreeMap<Vec<String>, OpenFile>,
}

impl TableSink {
    /// `schema` is the portable schema of the incoming batches (with descriptions);
    /// `partition_by` names columns of it.
    pub fn new(
        root: &Path,
        table: &str,
        schema: &Schema,
        partition_by: &[String],
        profile: Profile,
        properties: WriterProperties,
    ) -> Result<TableSink, ExportError> {
        let mut partition_indexes = Vec::new();
        for name in partition_by {
            let index = schema.index_of(name).map_err(|_| {
                ExportError::new(format!(
                    "table {table} has no column {name} to partition by"
                ))
            })?;
            partition_indexes.push(index);
        }
        let file_indexes: Vec<usize> = (0..schema.fields().len())
            .filter(|i| !partition_indexes.contains(i))
            .collect();
        let file_schema = Arc::new(Schema::new_with_metadata(
            file_indexes
                .iter()
                .map(|&i| schema.field(i).clone())
                .collect::<Vec<_>>(),
            schema.metadata().clone(),
        ));
        let options = ArrowWriterOptions::new()
            .with_properties(properties)
            // bi: no ARROW:schema, so no reader can trip on Arrow-only types or metadata.
            .with_skip_arrow_metadata(profile == Profile::Bi);
        let mut sink = TableSink {
            root: root.to_path_buf(),
            table: table.to_string(),
            file_schema,
            partition_indexes,
            partition_names: partition_by.to_vec(),
            file_indexes,
            options,
            open: BTreeMap::new(),
        };
        if sink.partition_indexes.is_empty() {
            // One file, written even when the table is empty so every reader finds it.
            sink.file_for(Vec::new())?;
        }
        Ok(sink)
    }

    fn file_for(&mut self, key: Vec<String>) -> Result<&mut OpenFile, ExportError> {
        if !self.open.contains_key(&key) {
            let relative = if key.is_empty() {
                format!("{}.parquet", self.table)
            } else {
                let mut parts = vec![self.table.clone()];
                for (name, value) in self.partition_names.iter().zip(&key) {
                    parts.push(format!("{name}={value}"));
                }
                parts.push("part-0.parquet".to_string());
                parts.join("/")
            };
            let path = self.root.join(&relative);
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)
                    .map_err(|e| ExportError::new(format!("{}: {e}", dir.display())))?;
            }
            let file = File::create(&path)
                .map_err(|e| ExportError::new(format!("{}: {e}", path.display())))?;
            let writer = ArrowWriter::try_new_with_options(
                file,
                self.file_schema.clone(),
                self.options.clone(),
            )
            .map_err(|e| ExportError::new(format!("{}: {e}", path.display())))?;
            self.open.insert(
                key.clone(),
                OpenFile {
                    relative,
                    writer,
                    rows: 0,
                },
            );
        }
        self.open
            .get_mut(&key)
            .ok_or_else(|| ExportError::new("internal: partition file vanished"))
    }

    /// Writes a batch already in the portable schema.
    pub fn write(&mut self, batch: &RecordBatch) -> Result<(), ExportError> {
        if batch.num_rows() == 0 {
            return Ok(());
        }
        let schema = self.file_schema.clone();
        let file_batch = |columns: Vec<ArrayRef>| {
            RecordBatch::try_new(schema.clone(), columns)
                .map_err(|e| ExportError::new(format!("building a batch: {e}")))
        };
        if self.partition_indexes.is_empty() {
            let columns = self
                .file_indexes
                .iter()
                .map(|&i| batch.column(i).clone())
                .collect();
            let out = file_batch(columns)?;
            let file = self.file_for(Vec::new())?;
            file.writer
                .write(&out)
                .map_err(|e| ExportError::new(format!("{}: {e}", file.relative)))?;
            file.rows += out.num_rows();
            return Ok(());
        }
        // Group the rows by their partition values.
        let format = FormatOptions::default();
        let formatters = self
            .partition_indexes
            .iter()
            .map(|&i| ArrayFormatter::try_new(batch.column(i).as_ref(), &format))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| ExportError::new(format!("partition values: {e}")))?;
        let mut groups: BTreeMap<Vec<String>, Vec<u32>> = BTreeMap::new();
        for row in 0..batch.num_rows() {
            let key = self
                .partition_indexes
                .iter()
                .zip(&formatters)
                .map(|(&i, f)| {
                    if batch.column(i).is_null(row) {
                        HIVE_NULL.to_string()
                    } else {
                        escape_partition_value(&f.value(row).to_string())
                    }
                })
                .collect();
            groups.entry(key).or_default().push(row as u32);
        }
        for (key, rows) in groups {
            let indices = UInt32Array::from(rows);
            let columns = self
                .file_indexes
                .iter()
                .map(|&i| take(batch.column(i).as_ref(), &indices, None))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| ExportError::new(format!("partitioning: {e}")))?;
            let out = file_batch(columns)?;
            let file = self.file_for(key)?;
            file.writer
                .write(&out)
                .map_err(|e| ExportError::new(format!("{}: {e}", file.relative)))?;
            file.rows += out.num_rows();
        }
        Ok(())
    }

    /// Whether no file has been opened (a partitioned table without rows).
    pub fn is_empty(&self) -> bool {
        self.open.is_empty()
    }

    /// Closes every file and syncs it.
    pub fn finish(self) -> Result<Vec<WrittenFile>, ExportError> {
        let mut files = Vec::new();
        for (_, open) in self.open {
            let file = open
                .writer
                .into_inner()
                .map_err(|e| ExportError::new(format!("{}: {e}", open.relative)))?;
            file.sync_all()
                .map_err(|e| ExportError::new(format!("{}: {e}", open.relative)))?;
            files.push(WrittenFile {
                path: open.relative,
                rows: open.rows,
            });
        }
        Ok(files)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn portable_types() {
        assert_eq!(portable_type(&DataType::Utf8View), DataType::Utf8);
        assert_eq!(
            portable_type(&DataType::Dictionary(
                Box::new(DataType::UInt16),
                Box::new(DataType::Utf8View)
            )),
            DataType::Utf8
        );
        assert_eq!(
            portable_type(&DataType::Decimal128(28, 2)),
            DataType::Decimal128(18, 2)
        );
        assert_eq!(
            portable_type(&DataType::Decimal128(18, 2)),
            DataType::Decimal128(18, 2)
        );
        assert_eq!(
            portable_type(&DataType::Timestamp(TimeUnit::Nanosecond, None)),
            DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
        );
        assert_eq!(portable_type(&DataType::UInt8), DataType::Int32);
    }

    #[test]
    fn narrowing_a_decimal_that_does_not_fit_is_an_error() {
        use datafusion::arrow::array::Decimal128Array;
        let big: ArrayRef = Arc::new(
            Decimal128Array::from(vec![10i128.pow(20)])
                .with_precision_and_scale(28, 2)
                .unwrap(),
        );
        assert!(to_portable(&big, "amount").is_err());
        let ok: ArrayRef = Arc::new(
            Decimal128Array::from(vec![316_292_300i128])
                .with_precision_and_scale(28, 2)
                .unwrap(),
        );
        let out = to_portable(&ok, "amount").unwrap();
        assert_eq!(out.data_type(), &DataType::Decimal128(18, 2));
    }

    #[test]
    fn partition_values_are_escaped() {
        assert_eq!(escape_partition_value("2021"), "2021");
        assert_eq!(escape_partition_value("万源市"), "万源市");
        assert_eq!(escape_partition_value("a/b=c"), "a%2Fb%3Dc");
        assert_eq!(escape_partition_value(""), HIVE_NULL);
    }
}
