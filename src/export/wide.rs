//! `facts_wide`: every fact with the classification codes and names at each level, so a BI
//! tool can drill down 类 → 款 → 项 without joins, and (with findings) a flag saying whether
//! a check doubts the figure's line.
//!
//! The names come from the classification catalog of the fact's year
//! ([`Catalog::name`]), the same rule as `func_name(code, year)`.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, RecordBatch, StringBuilder};
use datafusion::arrow::datatypes::{DataType, Field, Int32Type, Schema, SchemaRef};

use super::ExportError;
use crate::catalog::{Catalog, Classification, rollup};

/// The query behind `facts_wide`, before the name columns are added.
pub fn base_sql(include_findings: bool) -> String {
    if !include_findings {
        return "SELECT * FROM facts".to_string();
    }
    // A finding points at every line in its `lines` list.
    "SELECT f.*, \
       coalesce(fl.finding_count, 0) > 0 AS has_finding, \
       coalesce(fl.finding_count, 0) AS finding_count, \
       fl.finding_severity, fl.finding_rules \
     FROM facts f LEFT JOIN ( \
       SELECT doc_id, line, CAST(count(*) AS INT) AS finding_count, \
         CASE max(CASE severity WHEN 'error' THEN 3 WHEN 'warning' THEN 2 ELSE 1 END) \
           WHEN 3 THEN 'error' WHEN 2 THEN 'warning' ELSE 'info' END AS finding_severity, \
         array_to_string(array_sort(array_distinct(array_agg(rule))), ',') AS finding_rules \
       FROM ( \
         SELECT doc_id, rule, severity, try_cast(trim(part) AS INT) AS line \
         FROM (SELECT doc_id, rule, severity, unnest(string_to_array(lines, ',')) AS part \
               FROM findings WHERE lines <> '') \
       ) WHERE line IS NOT NULL \
       GROUP BY doc_id, line \
     ) fl ON f.doc_id = fl.doc_id AND f.src_line = fl.line"
        .to_string()
}

/// The name columns, in order: (column, classification, level; 0 = the code itself).
const NAME_COLUMNS: [(&str, Classification, u8, bool); 11] = [
    ("func_class_code", Classification::Function, 1, false),
    ("func_class_name", Classification::Function, 1, true),
    ("func_kuan_code", Classification::Function, 2, false),
    ("func_kuan_name", Classification::Function, 2, true),
    ("func_xiang_code", Classification::Function, 3, false),
    ("func_xiang_name", Classification::Function, 3, true),
    ("func_name", Classification::Function, 0, true),
    ("econ_class_code", Classification::Economic, 1, false),
    ("econ_class_name", Classification::Economic, 1, true),
    ("econ_kuan_code", Classification::Economic, 2, false),
    ("econ_kuan_name", Classification::Economic, 2, true),
];

/// `econ_name` is last: economic codes have two levels, so there is no `econ_xiang_*`.
const ECON_NAME: &str = "econ_name";

/// The schema of `facts_wide` given the base query's schema: the name columns go right
/// after `econ_code`.
pub fn wide_schema(base: &Schema) -> Result<SchemaRef, ExportError> {
    let at = base
        .index_of("econ_code")
        .map_err(|_| ExportError::new("facts has no econ_code column"))?;
    let mut fields: Vec<Field> = base.fields().iter().map(|f| f.as_ref().clone()).collect();
    let mut names: Vec<Field> = NAME_COLUMNS
        .iter()
        .map(|(name, ..)| Field::new(*name, DataType::Utf8, true))
        .collect();
    names.push(Field::new(ECON_NAME, DataType::Utf8, true));
    for (offset, field) in names.into_iter().enumerate() {
        fields.insert(at + 1 + offset, field);
    }
    Ok(Arc::new(Schema::new(fields)))
}

fn string_column(batch: &RecordBatch, name: &str) -> Result<Vec<Option<String>>, ExportError> {
    let column = batch
        .column_by_name(name)
        .ok_or_else(|| ExportError::new(format!("facts has no {name} column")))?;
    let column = super::writer::to_portable(column, name)?;
    let strings = column
        .as_string_opt::<i32>()
        .ok_or_else(|| ExportError::new(format!("facts.{name} is not a string column")))?;
    Ok((0..strings.len())
        .map(|i| strings.is_valid(i).then(|| strings.value(i).to_string()))
        .collect())
}

/// Adds the name columns to a batch of the base query.
pub fn add_names(batch: &RecordBatch) -> Result<RecordBatch, ExportError> {
    let schema = wide_schema(&batch.schema())?;
    let func = string_column(batch, "func_code")?;
    let econ = string_column(batch, "econ_code")?;
    let years_col = batch
        .column_by_name("fiscal_year")
        .ok_or_else(|| ExportError::new("facts has no fiscal_year column"))?;
    let years_col = datafusion::arrow::compute::cast(years_col, &DataType::Int32)
        .map_err(|e| ExportError::new(format!("fiscal_year: {e}")))?;
    let years = years_col.as_primitive::<Int32Type>();
    let year = |row: usize| years.is_valid(row).then(|| years.value(row));

    let mut added: Vec<ArrayRef> = Vec::new();
    for (_, class, level, is_name) in NAME_COLUMNS {
        let codes = if class == Classification::Function {
            &func
        } else {
            &econ
        };
        let catalog = Catalog::shipped(class);
        let mut builder = StringBuilder::new();
        for (row, code) in codes.iter().enumerate() {
            let code = code.as_deref().map(str::trim).filter(|c| !c.is_empty());
            let at_level = match (code, level) {
                (Some(c), 0) => Some(c),
                (Some(c), l) => rollup(class, c, l).ok().flatten(),
                (None, _) => None,
            };
            let value = match (at_level, is_name) {
                (Some(c), true) => catalog.name(c, year(row)),
                (Some(c), false) => Some(c),
                (None, _) => None,
            };
            builder.append_option(value);
        }
        added.push(Arc::new(builder.finish()));
    }
    let catalog = Catalog::shipped(Classification::Economic);
    let mut builder = StringBuilder::new();
    for (row, code) in econ.iter().enumerate() {
        let code = code.as_deref().map(str::trim).filter(|c| !c.is_empty());
        builder.append_option(code.and_then(|c| catalog.name(c, year(row))));
    }
    added.push(Arc::new(builder.finish()));

    let at = batch
        .schema()
        .index_of("econ_code")
        .map_err(|_| ExportError::new("facts has no econ_code column"))?;
    let mut columns: Vec<ArrayRef> = batch.columns().to_vec();
    for (offset, column) in added.into_iter().enumerate() {
        columns.insert(at + 1 + offset, column);
    }
    RecordBatch::try_new(schema, columns).map_err(|e| ExportError::new(format!("facts_wide: {e}")))
}
