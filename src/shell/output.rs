//! Writing results to a file (`-o FILE`, `\o FILE`), the format from the extension:
//! `.csv`, `.json`, `.ndjson` / `.jsonl`, `.parquet` / `.pq`, `.md` / `.markdown`, `.xlsx`;
//! `.txt` / `.text` or no extension take the `--format` (a table by default). Any other
//! extension is an error, so that `-o report.xls` does not quietly write a text table.
//!
//! The file is written aside (a hidden temporary in the same directory) and renamed over
//! the target only when the run succeeds, so a failed or interrupted run leaves no partial
//! file. Parquet files are written for other tools: plain `Utf8` strings (views and
//! dictionaries cast), microsecond timestamps, zstd like the compacted lake.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, RecordBatch};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use datafusion::arrow::error::ArrowError;
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::basic::{Compression, ZstdLevel};
use datafusion::parquet::file::properties::{EnabledStatistics, WriterProperties};

use super::excel::ExcelWriter;
use super::print_format::{self, Format};

/// What a file is written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    Text(Format),
    Parquet,
    Excel,
}

/// The extensions [`FileFormat::for_path`] knows, as its error lists them.
pub const KNOWN_EXTENSIONS: &str = ".csv, .json, .ndjson/.jsonl, .parquet/.pq, .md/.markdown, \
     .xlsx, or .txt/.text (or none) for the --format";

/// The UTF-8 byte order mark `--bom` puts at the start of a CSV file for Excel.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

impl FileFormat {
    /// The format for `path`'s extension; `fallback` (the `--format`) for `.txt`, `.text`
    /// or no extension; an error naming the known extensions for any other.
    pub fn for_path(path: &Path, fallback: Format) -> Result<FileFormat, String> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        Ok(match ext.as_deref() {
            Some("csv") => FileFormat::Text(Format::Csv),
            Some("json") => FileFormat::Text(Format::Json),
            Some("ndjson" | "jsonl") => FileFormat::Text(Format::Ndjson),
            Some("md" | "markdown") => FileFormat::Text(Format::Markdown),
            Some("parquet" | "pq") => FileFormat::Parquet,
            Some("xlsx") => FileFormat::Excel,
            Some("txt" | "text") | None => FileFormat::Text(fallback),
            Some(other) => {
                let hint = match other {
                    "xls" | "xlsm" | "xlsb" => " (write Excel workbooks as .xlsx)",
                    "tsv" => " (CSV is written as .csv)",
                    _ => "",
                };
                return Err(format!(
                    "{}: yusuan does not write .{other} files{hint}; the output's extension \
                     says its format: {KNOWN_EXTENSIONS}",
                    path.display()
                ));
            }
        })
    }

    /// Whether the file holds one result only (a JSON array, a Parquet file).
    fn single_result(self) -> bool {
        matches!(self, FileFormat::Parquet | FileFormat::Text(Format::Json))
    }
}

enum Sink {
    Text(BufWriter<File>),
    Parquet(Option<Box<ArrowWriter<File>>>),
    Excel(Box<ExcelWriter>, File),
}

/// A result file being written aside; [`FileOutput::commit`] renames it into place,
/// dropping it without a commit removes it.
pub struct FileOutput {
    path: PathBuf,
    tmp: PathBuf,
    format: FileFormat,
    sink: Sink,
    results: usize,
    /// The result being written.
    current: Option<Current>,
    committed: bool,
}

/// A result being written: its columns, the rows written so far, and (for layouts that
/// need every row first) the rows held back.
struct Current {
    schema: SchemaRef,
    /// The columns as a Parquet file stores them ([`export_schema`]).
    export: SchemaRef,
    rows: usize,
    buffered: Vec<RecordBatch>,
}

fn io_error(path: &Path, e: std::io::Error) -> String {
    format!("{}: {e}", path.display())
}

impl FileOutput {
    /// Starts writing `path` (its temporary is created now, so a bad directory fails early).
    /// `bom` starts a CSV file with the UTF-8 byte order mark; it is an error for any other
    /// format.
    pub fn create(path: &Path, fallback: Format, bom: bool) -> Result<Self, String> {
        let format = FileFormat::for_path(path, fallback)?;
        if bom && format != FileFormat::Text(Format::Csv) {
            return Err(format!(
                "{}: --bom is for CSV output, and this file is not CSV",
                path.display()
            ));
        }
        let name = path
            .file_name()
            .ok_or_else(|| format!("{}: not a file name", path.display()))?
            .to_string_lossy();
        let tmp = path.with_file_name(format!(".{name}.{}.partial", std::process::id()));
        let file = File::create(&tmp).map_err(|e| io_error(path, e))?;
        let sink = match format {
            FileFormat::Parquet => {
                drop(file);
                Sink::Parquet(None)
            }
            FileFormat::Text(_) => {
                let mut w = BufWriter::new(file);
                if bom {
                    w.write_all(BOM).map_err(|e| io_error(path, e))?;
                }
                Sink::Text(w)
            }
            FileFormat::Excel => {
                // The worksheets' rows wait in unnamed temporary files beside the target.
                let dir = tmp.parent().filter(|d| !d.as_os_str().is_empty());
                let writer = ExcelWriter::new(Some(dir.unwrap_or(Path::new("."))))
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                Sink::Excel(Box::new(writer), file)
            }
        };
        Ok(Self {
            path: path.to_path_buf(),
            tmp,
            format,
            sink,
            results: 0,
            current: None,
            committed: false,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn format(&self) -> FileFormat {
        self.format
    }

    /// Appends one result, whole.
    pub fn write(&mut self, schema: &SchemaRef, batches: &[RecordBatch]) -> Result<(), String> {
        self.begin(schema)?;
        for b in batches {
            self.append(b)?;
        }
        self.end()
    }

    /// How many results were begun.
    pub fn results(&self) -> usize {
        self.results
    }

    /// Starts a result with columns `schema`; its rows follow with [`FileOutput::append`],
    /// a batch at a time, and [`FileOutput::end`] closes it. CSV, JSON, NDJSON, Parquet and
    /// Excel are written as the batches arrive, so a result of any size takes the memory
    /// of a batch (a Parquet row group); a table or Markdown is laid out from all its rows
    /// at the end. In a workbook each result is a worksheet, `result1`, `result2`, ….
    pub fn begin(&mut self, schema: &SchemaRef) -> Result<(), String> {
        if self.results > 0 && self.format.single_result() {
            return Err(format!(
                "{} holds one result and an earlier statement already wrote it \
                 (write several results as .csv, .ndjson or .md)",
                self.path.display()
            ));
        }
        self.results += 1;
        let path = self.path.clone();
        let arrow = |e: ArrowError| format!("{}: {e}", path.display());
        let export = export_schema(schema);
        self.current = Some(Current {
            schema: schema.clone(),
            export: export.clone(),
            rows: 0,
            buffered: Vec::new(),
        });
        match (&mut self.sink, self.format) {
            (Sink::Text(w), FileFormat::Text(format)) => {
                if self.results > 1 && format != Format::Ndjson {
                    w.write_all(b"\n").map_err(|e| io_error(&path, e))?;
                }
                match format {
                    Format::Csv => print_format::write_csv_header(w, schema).map_err(arrow),
                    Format::Json => w.write_all(b"[").map_err(|e| io_error(&path, e)),
                    _ => Ok(()),
                }
            }
            (Sink::Parquet(writer), _) => {
                let file = File::create(&self.tmp).map_err(|e| io_error(&path, e))?;
                let w = ArrowWriter::try_new(file, export, Some(parquet_properties()))
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                *writer = Some(Box::new(w));
                Ok(())
            }
            (Sink::Excel(w, _), _) => {
                let sheet = format!("result{}", self.results);
                w.begin(&sheet, schema)
                    .map_err(|e| format!("{}: {e}", path.display()))
            }
            (Sink::Text(_), _) => Err("internal: text sink for a binary format".into()),
        }
    }

    /// Appends rows to the result begun last.
    pub fn append(&mut self, batch: &RecordBatch) -> Result<(), String> {
        let path = self.path.clone();
        let arrow = |e: ArrowError| format!("{}: {e}", path.display());
        let current = self
            .current
            .as_mut()
            .ok_or_else(|| format!("{}: rows before a result began", path.display()))?;
        match (&mut self.sink, self.format) {
            (Sink::Text(w), FileFormat::Text(format)) => match format {
                Format::Csv => print_format::write_csv_rows(w, batch).map_err(arrow),
                Format::Ndjson => {
                    let one = std::slice::from_ref(batch);
                    print_format::write(w, Format::Ndjson, &current.schema, one).map_err(arrow)
                }
                Format::Json => {
                    if batch.num_rows() == 0 {
                        return Ok(());
                    }
                    let mut buf = Vec::new();
                    let one = std::slice::from_ref(batch);
                    print_format::write(&mut buf, Format::Json, &current.schema, one)
                        .map_err(arrow)?;
                    // `[row,row]\n`: the rows go into the one array of the result.
                    let inner = buf
                        .strip_prefix(b"[")
                        .and_then(|b| b.strip_suffix(b"]\n"))
                        .unwrap_or(&buf);
                    if current.rows > 0 {
                        w.write_all(b",").map_err(|e| io_error(&path, e))?;
                    }
                    current.rows += batch.num_rows();
                    w.write_all(inner).map_err(|e| io_error(&path, e))
                }
                Format::Table | Format::Markdown => {
                    current.buffered.push(batch.clone());
                    Ok(())
                }
            },
            (Sink::Parquet(Some(w)), _) => {
                let b = export_batch(batch, &current.export).map_err(arrow)?;
                w.write(&b).map_err(|e| format!("{}: {e}", path.display()))
            }
            (Sink::Excel(w, _), _) => w
                .append(batch)
                .map_err(|e| format!("{}: {e}", path.display())),
            _ => Err(format!("{}: rows before a result began", path.display())),
        }
    }

    /// Closes the result begun last.
    pub fn end(&mut self) -> Result<(), String> {
        let path = self.path.clone();
        let arrow = |e: ArrowError| format!("{}: {e}", path.display());
        let Some(current) = self.current.take() else {
            return Ok(());
        };
        match (&mut self.sink, self.format) {
            (Sink::Text(w), FileFormat::Text(format)) => match format {
                Format::Json => w.write_all(b"]\n").map_err(|e| io_error(&path, e)),
                Format::Table | Format::Markdown => {
                    print_format::write(w, format, &current.schema, &current.buffered)
                        .map_err(arrow)
                }
                Format::Csv | Format::Ndjson => Ok(()),
            },
            (Sink::Excel(w, _), _) => w.end().map_err(|e| format!("{}: {e}", path.display())),
            _ => Ok(()),
        }
    }

    /// Finishes the file and renames it into place.
    pub fn commit(mut self) -> Result<(), String> {
        if self.results == 0 {
            return Err(format!(
                "nothing to write to {}: no statement returned a result",
                self.path.display()
            ));
        }
        let path = self.path.clone();
        let file = match std::mem::replace(&mut self.sink, Sink::Parquet(None)) {
            Sink::Text(w) => w
                .into_inner()
                .map_err(|e| io_error(&path, e.into_error()))?,
            Sink::Parquet(Some(w)) => w
                .into_inner()
                .map_err(|e| format!("{}: {e}", path.display()))?,
            Sink::Parquet(None) => return Err(format!("{}: nothing written", path.display())),
            Sink::Excel(mut w, mut file) => {
                w.save(&mut file)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                file
            }
        };
        file.sync_all().map_err(|e| io_error(&path, e))?;
        drop(file);
        fs::rename(&self.tmp, &self.path).map_err(|e| io_error(&path, e))?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for FileOutput {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

/// The type a column is exported as: plain strings, microsecond timestamps.
fn export_type(dt: &DataType) -> DataType {
    match dt {
        DataType::Utf8View | DataType::LargeUtf8 => DataType::Utf8,
        DataType::BinaryView | DataType::LargeBinary => DataType::Binary,
        DataType::Dictionary(_, v) => export_type(v),
        DataType::Timestamp(_, tz) => DataType::Timestamp(TimeUnit::Microsecond, tz.clone()),
        other => other.clone(),
    }
}

/// The schema of an exported file.
pub fn export_schema(schema: &SchemaRef) -> SchemaRef {
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .map(|f| {
            f.as_ref()
                .clone()
                .with_data_type(export_type(f.data_type()))
        })
        .collect();
    Arc::new(Schema::new(fields))
}

/// `batch` cast to the export schema.
pub fn export_batch(batch: &RecordBatch, schema: &SchemaRef) -> Result<RecordBatch, ArrowError> {
    let columns = batch
        .columns()
        .iter()
        .zip(schema.fields())
        .map(|(c, f)| {
            if c.data_type() == f.data_type() {
                Ok(c.clone())
            } else {
                cast(c, f.data_type())
            }
        })
        .collect::<Result<Vec<ArrayRef>, _>>()?;
    RecordBatch::try_new(schema.clone(), columns)
}

/// Parquet results: zstd and page statistics, like the compacted lake.
fn parquet_properties() -> WriterProperties {
    WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::try_new(3).unwrap_or_default()))
        .set_statistics_enabled(EnabledStatistics::Page)
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::StringViewArray;

    #[test]
    fn formats_from_extensions() {
        let f = |p: &str| FileFormat::for_path(Path::new(p), Format::Table).unwrap();
        assert_eq!(f("a.csv"), FileFormat::Text(Format::Csv));
        assert_eq!(f("a.JSON"), FileFormat::Text(Format::Json));
        assert_eq!(f("a.ndjson"), FileFormat::Text(Format::Ndjson));
        assert_eq!(f("a.md"), FileFormat::Text(Format::Markdown));
        assert_eq!(f("a.parquet"), FileFormat::Parquet);
        assert_eq!(f("a.XLSX"), FileFormat::Excel);
        assert_eq!(f("a.txt"), FileFormat::Text(Format::Table));
        assert_eq!(f("a.text"), FileFormat::Text(Format::Table));
        assert_eq!(f("report"), FileFormat::Text(Format::Table));
        assert_eq!(
            FileFormat::for_path(Path::new("out"), Format::Csv),
            Ok(FileFormat::Text(Format::Csv))
        );
        let e = FileFormat::for_path(Path::new("r.xls"), Format::Table).unwrap_err();
        assert!(
            e.contains(".xlsx") && e.contains(".csv") && e.contains(".xls files"),
            "{e}"
        );
        assert!(FileFormat::for_path(Path::new("r.2021"), Format::Table).is_err());
    }

    #[test]
    fn a_bom_is_for_csv_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.csv");
        let schema = Arc::new(Schema::new(vec![Field::new("名称", DataType::Utf8, true)]));
        let mut out = FileOutput::create(&path, Format::Table, true).unwrap();
        out.write(&schema, &[]).unwrap();
        out.commit().unwrap();
        assert_eq!(fs::read(&path).unwrap(), "\u{feff}名称\n".as_bytes());
        for name in ["r.xlsx", "r.json", "r.txt"] {
            let e = FileOutput::create(&dir.path().join(name), Format::Table, true).err();
            assert!(e.is_some_and(|e| e.contains("--bom")), "{name}");
        }
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn dropped_output_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.csv");
        let out = FileOutput::create(&path, Format::Csv, false).unwrap();
        drop(out);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn parquet_strings_are_plain_utf8() {
        let schema = Arc::new(Schema::new(vec![Field::new("s", DataType::Utf8View, true)]));
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![Arc::new(StringViewArray::from(vec!["万源"]))],
        )
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.parquet");
        let mut out = FileOutput::create(&path, Format::Table, false).unwrap();
        out.write(&schema, &[batch]).unwrap();
        out.commit().unwrap();
        let file = File::open(&path).unwrap();
        let reader =
            datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(
                file,
            )
            .unwrap();
        assert_eq!(reader.schema().field(0).data_type(), &DataType::Utf8);
    }
}
