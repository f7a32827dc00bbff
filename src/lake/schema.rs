//! The lake's Arrow schemas and the conversion of a parsed document into record batches.
//!
//! One function per lake table turns a [`ParsedDocument`] into that table's rows. The
//! partition column `fiscal_year` is not stored in the files (it is the Hive directory,
//! `fiscal_year=2021/`); [`with_partition`] gives the schema a query sees.

use std::sync::{Arc, LazyLock};

use datafusion::arrow::array::{
    ArrayRef, BooleanArray, Decimal128Builder, Int32Array, Int64Array, RecordBatch, StringArray,
    TimestampMicrosecondArray,
};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use datafusion::arrow::error::ArrowError;
use rust_decimal::Decimal;

use crate::checks::Finding;
use crate::model::ParsedDocument;

/// Amounts: `Decimal128(18, 2)` in 元.
pub const AMOUNT_TYPE: DataType = DataType::Decimal128(18, 2);

/// The Hive partition column of every lake table.
pub const PARTITION_COLUMN: &str = "fiscal_year";

/// The lake's tables, in the order they are committed (documents last: a document row
/// means its other files are in place).
pub const TABLES: [&str; 5] = ["facts", "narrative", "targets", "findings", "documents"];

fn utf8(name: &str, nullable: bool) -> Field {
    Field::new(name, DataType::Utf8, nullable)
}

/// Columns every per-document table starts with, after `doc_id`.
fn document_columns() -> Vec<Field> {
    vec![
        utf8("doc_id", false),
        utf8("phase", false),
        utf8("region", false),
        utf8("org_name", false),
        utf8("org_code", true),
    ]
}

fn schema_of(mut fields: Vec<Field>) -> SchemaRef {
    let mut all = document_columns();
    all.append(&mut fields);
    Arc::new(Schema::new(all))
}

/// The file schema of a lake table (without the partition column).
pub fn file_schema(table: &str) -> Option<SchemaRef> {
    static FACTS: LazyLock<SchemaRef> = LazyLock::new(|| {
        schema_of(vec![
            utf8("statement", false),
            utf8("direction", false),
            utf8("func_code", true),
            utf8("econ_code", true),
            utf8("fund", true),
            utf8("measure", false),
            utf8("measure_label", false),
            utf8("period", false),
            utf8("item", false),
            Field::new("is_total", DataType::Boolean, false),
            Field::new("amount", AMOUNT_TYPE, false),
            utf8("unit", false),
            Field::new("src_line", DataType::Int32, false),
            // Nullable: files written before places were resolved have no such column.
            utf8("province", true),
        ])
    });
    static NARRATIVE: LazyLock<SchemaRef> = LazyLock::new(|| {
        schema_of(vec![
            utf8("label", false),
            Field::new("amount", AMOUNT_TYPE, false),
            utf8("as_printed", false),
            utf8("unit", false),
            utf8("context", false),
            Field::new("src_line", DataType::Int32, false),
        ])
    });
    static TARGETS: LazyLock<SchemaRef> = LazyLock::new(|| {
        schema_of(vec![
            utf8("project", false),
            utf8("level1", true),
            utf8("level2", true),
            utf8("indicator", false),
            utf8("target", true),
            Field::new("src_line", DataType::Int32, false),
        ])
    });
    static FINDINGS: LazyLock<SchemaRef> = LazyLock::new(|| {
        schema_of(vec![
            utf8("rule", false),
            utf8("severity", false),
            utf8("message", false),
            utf8("message_en", false),
            Field::new("expected", AMOUNT_TYPE, true),
            Field::new("actual", AMOUNT_TYPE, true),
            Field::new("src_line", DataType::Int32, true),
            utf8("lines", false),
        ])
    });
    static DOCUMENTS: LazyLock<SchemaRef> = LazyLock::new(|| {
        schema_of(vec![
            utf8("path", false),
            utf8("title", false),
            utf8("units", false),
            utf8("tables_found", false),
            Field::new("table_count", DataType::Int32, false),
            Field::new("fact_count", DataType::Int64, false),
            Field::new("finding_count", DataType::Int64, false),
            Field::new("source_bytes", DataType::Int64, false),
            Field::new(
                "ingested_at",
                DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
                false,
            ),
            // Nullable: files written before versions were tracked have no such column,
            // and a document with no later version is live.
            Field::new("live", DataType::Boolean, true),
            utf8("superseded_by", true),
            // Coverage and the sources of the metadata; nullable, as files written
            // before they were measured have no such columns.
            utf8("status", true),
            utf8("status_reasons", true),
            utf8("content", true),
            utf8("tables_expected", true),
            utf8("tables_missing", true),
            utf8("tables_unrecognised", true),
            utf8("table_regions", true),
            Field::new("numbers_in_tables", DataType::Int64, true),
            Field::new("numbers_stored", DataType::Int64, true),
            Field::new("numbers_skipped", DataType::Int64, true),
            Field::new("numbers_unread", DataType::Int64, true),
            utf8("skipped_reasons", true),
            utf8("unread_lines", true),
            utf8("fiscal_year_source", true),
            utf8("phase_source", true),
            utf8("org_name_source", true),
            utf8("region_source", true),
            // The place from the division catalog; null where it is not known.
            utf8("province", true),
            utf8("city", true),
            utf8("county", true),
            utf8("admin_code", true),
        ])
    });
    match table {
        "facts" => Some(FACTS.clone()),
        "narrative" => Some(NARRATIVE.clone()),
        "targets" => Some(TARGETS.clone()),
        "findings" => Some(FINDINGS.clone()),
        "documents" => Some(DOCUMENTS.clone()),
        _ => None,
    }
}

/// The schema a query sees: the file schema with `fiscal_year` inserted after `doc_id`.
pub fn with_partition(file_schema: &Schema) -> SchemaRef {
    let mut fields: Vec<Field> = file_schema
        .fields()
        .iter()
        .map(|f| f.as_ref().clone())
        .collect();
    fields.insert(1, Field::new(PARTITION_COLUMN, DataType::Int32, false));
    Arc::new(Schema::new(fields))
}

/// Converts an amount in 元 to the `Decimal128(18, 2)` integer, exactly, or fails when it
/// needs more than two decimals or 18 digits.
pub fn amount_to_i128(amount: Decimal) -> Result<i128, ArrowError> {
    let mut scaled = amount;
    scaled.rescale(2);
    if scaled != amount {
        return Err(ArrowError::InvalidArgumentError(format!(
            "amount {amount} has more than two decimals (fen)"
        )));
    }
    let mantissa = scaled.mantissa();
    if mantissa.abs() >= 10i128.pow(18) {
        return Err(ArrowError::InvalidArgumentError(format!(
            "amount {amount} does not fit Decimal128(18, 2)"
        )));
    }
    Ok(mantissa)
}

fn amounts<I: IntoIterator<Item = Option<Decimal>>>(values: I) -> Result<ArrayRef, ArrowError> {
    let mut builder = Decimal128Builder::new();
    for v in values {
        match v {
            Some(d) => builder.append_value(amount_to_i128(d)?),
            None => builder.append_null(),
        }
    }
    Ok(Arc::new(builder.finish().with_precision_and_scale(18, 2)?))
}

fn strings<'a, I: IntoIterator<Item = Option<&'a str>>>(values: I) -> ArrayRef {
    Arc::new(values.into_iter().collect::<StringArray>())
}

fn repeat(value: &str, n: usize) -> ArrayRef {
    strings(std::iter::repeat_n(Some(value), n))
}

fn lines<I: IntoIterator<Item = u32>>(values: I) -> ArrayRef {
    Arc::new(
        values
            .into_iter()
            .map(|l| i32::try_from(l).unwrap_or(i32::MAX))
            .collect::<Int32Array>(),
    )
}

/// The identity of one document, shared by all its rows.
pub struct DocumentKey<'a> {
    pub doc_id: &'a str,
    pub doc: &'a ParsedDocument,
}

impl DocumentKey<'_> {
    /// The leading document columns for `n` rows; `org_codes` overrides the document's
    /// own code row by row where given.
    fn columns(&self, n: usize, org_codes: Option<Vec<Option<&str>>>) -> Vec<ArrayRef> {
        let meta = &self.doc.meta;
        let org_code = match org_codes {
            Some(codes) => strings(codes),
            None => strings(std::iter::repeat_n(meta.org_code.as_deref(), n)),
        };
        vec![
            repeat(self.doc_id, n),
            repeat(meta.phase.as_str(), n),
            repeat(&meta.region, n),
            repeat(&meta.org_name, n),
            org_code,
        ]
    }
}

fn batch(table: &str, columns: Vec<ArrayRef>) -> Result<RecordBatch, ArrowError> {
    let schema = file_schema(table).expect("lake table names are constants");
    RecordBatch::try_new(schema, columns)
}

pub fn facts_batch(key: &DocumentKey) -> Result<RecordBatch, ArrowError> {
    let facts = &key.doc.facts;
    let n = facts.len();
    let org = key.doc.meta.org_code.as_deref();
    let mut cols = key.columns(
        n,
        Some(
            facts
                .iter()
                .map(|f| f.org_code.as_deref().or(org))
                .collect(),
        ),
    );
    cols.extend([
        strings(facts.iter().map(|f| Some(f.statement.as_str()))),
        strings(facts.iter().map(|f| Some(f.direction.as_str()))),
        strings(facts.iter().map(|f| f.func_code.as_deref())),
        strings(facts.iter().map(|f| f.econ_code.as_deref())),
        strings(facts.iter().map(|f| f.fund.as_deref())),
        strings(facts.iter().map(|f| Some(f.measure.as_str()))),
        strings(facts.iter().map(|f| Some(f.measure_label.as_str()))),
        strings(facts.iter().map(|f| Some(f.period.as_str()))),
        strings(facts.iter().map(|f| Some(f.item.as_str()))),
        Arc::new(
            facts
                .iter()
                .map(|f| Some(f.is_total))
                .collect::<BooleanArray>(),
        ),
        amounts(facts.iter().map(|f| Some(f.amount)))?,
        strings(facts.iter().map(|f| Some(f.unit.as_str()))),
        lines(facts.iter().map(|f| f.src_line)),
        strings(std::iter::repeat_n(
            key.doc.meta.place.as_ref().map(|p| p.province.as_str()),
            n,
        )),
    ]);
    batch("facts", cols)
}

pub fn narrative_batch(key: &DocumentKey) -> Result<RecordBatch, ArrowError> {
    let rows = &key.doc.narrative;
    let mut cols = key.columns(rows.len(), None);
    cols.extend([
        strings(rows.iter().map(|r| Some(r.label.as_str()))),
        amounts(rows.iter().map(|r| Some(r.amount)))?,
        strings(rows.iter().map(|r| Some(r.as_printed.as_str()))),
        strings(rows.iter().map(|r| Some(r.unit.as_str()))),
        strings(rows.iter().map(|r| Some(r.context.as_str()))),
        lines(rows.iter().map(|r| r.src_line)),
    ]);
    batch("narrative", cols)
}

pub fn targets_batch(key: &DocumentKey) -> Result<RecordBatch, ArrowError> {
    let rows = &key.doc.targets;
    let mut cols = key.columns(rows.len(), None);
    cols.extend([
        strings(rows.iter().map(|r| Some(r.project.as_str()))),
        strings(rows.iter().map(|r| r.level1.as_deref())),
        strings(rows.iter().map(|r| r.level2.as_deref())),
        strings(rows.iter().map(|r| Some(r.indicator.as_str()))),
        strings(rows.iter().map(|r| r.target.as_deref())),
        lines(rows.iter().map(|r| r.src_line)),
    ]);
    batch("targets", cols)
}

pub fn findings_batch(key: &DocumentKey, findings: &[Finding]) -> Result<RecordBatch, ArrowError> {
    let mut cols = key.columns(findings.len(), None);
    let line_lists: Vec<String> = findings
        .iter()
        .map(|f| {
            f.lines
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect();
    cols.extend([
        strings(findings.iter().map(|f| Some(f.rule))),
        strings(findings.iter().map(|f| Some(f.severity.as_str()))),
        strings(findings.iter().map(|f| Some(f.message.as_str()))),
        strings(findings.iter().map(|f| Some(f.message_en.as_str()))),
        amounts(findings.iter().map(|f| f.expected))?,
        amounts(findings.iter().map(|f| f.actual))?,
        Arc::new(
            findings
                .iter()
                .map(|f| {
                    f.lines
                        .first()
                        .map(|&l| i32::try_from(l).unwrap_or(i32::MAX))
                })
                .collect::<Int32Array>(),
        ),
        strings(line_lists.iter().map(|s| Some(s.as_str()))),
    ]);
    batch("findings", cols)
}

/// What the `documents` row records besides the parsed metadata.
pub struct DocumentRecord<'a> {
    pub path: &'a str,
    pub source_bytes: u64,
    pub finding_count: usize,
    pub ingested_at_micros: i64,
}

pub fn documents_batch(
    key: &DocumentKey,
    record: &DocumentRecord,
) -> Result<RecordBatch, ArrowError> {
    let doc = key.doc;
    let mut tables: Vec<&str> = Vec::new();
    for t in &doc.tables {
        if !tables.contains(&t.statement.as_str()) {
            tables.push(&t.statement);
        }
    }
    let units = doc.meta.units.join("；");
    let tables_found = tables.join(",");
    let mut cols = key.columns(1, None);
    cols.extend([
        repeat(record.path, 1),
        repeat(&doc.meta.title, 1),
        repeat(&units, 1),
        repeat(&tables_found, 1),
        Arc::new(Int32Array::from(vec![doc.tables.len() as i32])),
        Arc::new(Int64Array::from(vec![doc.facts.len() as i64])),
        Arc::new(Int64Array::from(vec![record.finding_count as i64])),
        Arc::new(Int64Array::from(vec![record.source_bytes as i64])),
        Arc::new(
            TimestampMicrosecondArray::from(vec![record.ingested_at_micros]).with_timezone("UTC"),
        ),
        Arc::new(BooleanArray::from(vec![true])),
        strings([None]),
    ]);
    let c = &doc.coverage;
    let regions: Vec<String> = doc
        .tables
        .iter()
        .map(|t| {
            format!(
                "{} L{}-{} {} [{}]: {} numbers, {} stored, {} skipped, {} unread",
                t.statement,
                t.start_line,
                t.end_line,
                t.title,
                t.unit.as_str(),
                t.numbers,
                t.stored,
                t.skipped,
                t.unread
            )
        })
        .collect();
    let unrecognised: Vec<String> = c
        .unrecognised
        .iter()
        .map(|(a, b, title)| format!("L{a}-{b} {title}"))
        .collect();
    let skipped: Vec<String> = c
        .skipped
        .iter()
        .map(|(why, n)| format!("{why} {n}"))
        .collect();
    let mut unread_lines: Vec<u32> = c.unread.iter().map(|u| u.src_line).collect();
    unread_lines.dedup();
    let unread_lines: Vec<String> = unread_lines.iter().map(u32::to_string).collect();
    let count = |n: usize| Arc::new(Int64Array::from(vec![n as i64])) as ArrayRef;
    let s = &doc.meta.sources;
    cols.extend([
        repeat(c.status.as_str(), 1),
        repeat(&c.reasons.join("\n"), 1),
        repeat(&c.content, 1),
        repeat(&c.expected.join(","), 1),
        repeat(&c.missing.join(","), 1),
        repeat(&unrecognised.join("\n"), 1),
        repeat(&regions.join("\n"), 1),
        count(c.numbers),
        count(c.stored),
        count(c.skipped_total()),
        count(c.unread.len()),
        repeat(&skipped.join(", "), 1),
        repeat(&unread_lines.join(","), 1),
        repeat(s.fiscal_year.as_str(), 1),
        repeat(s.phase.as_str(), 1),
        repeat(s.org_name.as_str(), 1),
        repeat(s.region.as_str(), 1),
    ]);
    let place = doc.meta.place.as_ref();
    cols.extend([
        strings([place.map(|p| p.province.as_str())]),
        strings([place.and_then(|p| p.city.as_deref())]),
        strings([place.and_then(|p| p.county.as_deref())]),
        strings([place.map(|p| p.admin_code.as_str())]),
    ]);
    batch("documents", cols)
}

/// A committed `documents` row marked as replaced by a newer version of the same
/// organisation's document for the same year and phase.
pub fn superseded(documents: &RecordBatch, by: &str) -> Result<RecordBatch, ArrowError> {
    let schema = documents.schema();
    let n = documents.num_rows();
    let columns = schema
        .fields()
        .iter()
        .zip(documents.columns())
        .map(|(field, column)| match field.name().as_str() {
            "live" => Arc::new(BooleanArray::from(vec![false; n])) as ArrayRef,
            "superseded_by" => repeat(by, n),
            _ => column.clone(),
        })
        .collect();
    RecordBatch::try_new(schema, columns)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn amounts_are_exact_fen() {
        let d = Decimal::from_str("3162923.00").unwrap();
        assert_eq!(amount_to_i128(d).unwrap(), 316_292_300);
        assert_eq!(
            amount_to_i128(Decimal::from_str("0.97").unwrap() * Decimal::from(10_000)).unwrap(),
            970_000
        );
        assert!(amount_to_i128(Decimal::from_str("1.005").unwrap()).is_err());
        assert!(amount_to_i128(Decimal::from_str("10000000000000000").unwrap()).is_err());
    }
}
