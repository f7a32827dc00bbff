//! The catalogs as SQL: the `func_class` / `econ_class` tables (every entry, shipped and
//! observed), and the one query that collects the names printed in the lake's documents
//! (cached beside the lake by [`crate::lake::observed_names`]).

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, Int32Array, RecordBatch, StringArray, UInt8Array,
};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, Int32Type, Int64Type, Schema};
use datafusion::common::{DataFusionError, Result};
use datafusion::datasource::MemTable;
use datafusion::execution::context::SessionContext;

use crate::catalog::{Catalog, Catalogs, ObservedName, Source};
use crate::lake::Lake;
use crate::lake::observed_names::{self, ObservedNames};

/// The table of the lake's facts the observed names are read from.
pub const FACTS_TABLE: &str = "lake.facts";

/// Names printed with their codes: only the tables that print code and name side by side
/// (`expenditure_by_func`, `gpb_basic_by_econ`), subtotal rows included (a 类 row prints
/// the 类 name). One small aggregate over the lake at session start.
const OBSERVED_SQL: &str = "\
SELECT 'function' AS class, fiscal_year, func_code AS code, item AS name, \
       count(*) AS n, min(doc_id) AS doc_id \
FROM lake.facts \
WHERE statement = 'expenditure_by_func' AND func_code IS NOT NULL \
GROUP BY fiscal_year, func_code, item \
UNION ALL \
SELECT 'economic', fiscal_year, econ_code, item, count(*), min(doc_id) \
FROM lake.facts \
WHERE statement = 'gpb_basic_by_econ' AND econ_code IS NOT NULL \
GROUP BY fiscal_year, econ_code, item";

/// The catalogs for a session: the shipped reference plus the names printed in the lake's
/// documents when `ctx` has a lake (`lake.facts`); the shipped ones alone otherwise.
pub async fn load_catalogs(ctx: &SessionContext) -> Result<Catalogs> {
    if !ctx.table_exist(FACTS_TABLE)? {
        return Ok(Catalogs::shipped());
    }
    let names = query_observed(ctx).await?;
    Ok(Catalogs::with_observed(&names.function, &names.economic))
}

/// [`load_catalogs`] for a context whose `lake.facts` is `lake`: the names come from the
/// lake's cache ([`observed_names`]) when it matches the files, and are computed and
/// cached otherwise. A cache that cannot be written (a read-only lake) is not an error.
pub async fn load_catalogs_for_lake(ctx: &SessionContext, lake: &Lake) -> Result<Catalogs> {
    if !ctx.table_exist(FACTS_TABLE)? {
        return Ok(Catalogs::shipped());
    }
    let names = observed_for_lake(lake).await?;
    Ok(Catalogs::with_observed(&names.function, &names.economic))
}

/// The observed names of `lake`, from its caches or gathered from its `facts` files
/// ([`observed_names::load`]): the files are read directly, and only those not seen before.
pub async fn observed_for_lake(lake: &Lake) -> Result<ObservedNames> {
    let lake = lake.clone();
    tokio::task::spawn_blocking(move || observed_names::load(&lake))
        .await
        .map_err(|e| DataFusionError::External(Box::new(e)))?
        .map_err(|e| {
            DataFusionError::Plan(format!(
                "reading the classification names printed in the lake's documents: {e}"
            ))
        })
}

/// One aggregate over `lake.facts`: the names printed with their codes.
async fn query_observed(ctx: &SessionContext) -> Result<ObservedNames> {
    let context = |e: DataFusionError| {
        DataFusionError::Plan(format!(
            "reading the classification names printed in the lake's documents: {e}"
        ))
    };
    let batches = ctx
        .sql(OBSERVED_SQL)
        .await
        .map_err(context)?
        .collect()
        .await
        .map_err(context)?;
    let mut names = ObservedNames::default();
    for batch in &batches {
        let text = |i: usize| -> Result<ArrayRef> { Ok(cast(batch.column(i), &DataType::Utf8)?) };
        let (class, code, name, doc) = (text(0)?, text(2)?, text(3)?, text(5)?);
        let (class, code, name, doc) = (
            class.as_string::<i32>(),
            code.as_string::<i32>(),
            name.as_string::<i32>(),
            doc.as_string::<i32>(),
        );
        let year = cast(batch.column(1), &DataType::Int32)?;
        let year = year.as_primitive::<Int32Type>();
        let count = cast(batch.column(4), &DataType::Int64)?;
        let count = count.as_primitive::<Int64Type>();
        for row in 0..batch.num_rows() {
            if code.is_null(row) || name.is_null(row) || year.is_null(row) {
                continue;
            }
            let observed = ObservedName {
                code: code.value(row).to_string(),
                name: name.value(row).to_string(),
                fiscal_year: year.value(row),
                count: count.value(row),
                doc_id: doc.value(row).to_string(),
            };
            match class.value(row) {
                "function" => names.function.push(observed),
                _ => names.economic.push(observed),
            }
        }
    }
    // A stable order, so the cache and the catalogs do not depend on how the aggregate
    // was partitioned.
    for list in [&mut names.function, &mut names.economic] {
        list.sort_by(|a, b| {
            (a.fiscal_year, &a.code, &a.name).cmp(&(b.fiscal_year, &b.code, &b.name))
        });
    }
    Ok(names)
}

/// `func_class` / `econ_class`: every entry of a catalog (reference names with their year
/// ranges, names observed in documents with their year), by code and year.
pub fn catalog_table(catalog: &Catalog) -> Result<Arc<MemTable>> {
    let mut entries: Vec<_> = catalog.all().collect();
    entries.sort_by(|a, b| (&a.code, a.from_year, a.source).cmp(&(&b.code, b.from_year, b.source)));
    let schema = Arc::new(Schema::new(vec![
        Field::new("code", DataType::Utf8, false),
        Field::new("name", DataType::Utf8, false),
        Field::new("level", DataType::UInt8, false),
        Field::new("parent", DataType::Utf8, true),
        Field::new("from_year", DataType::Int32, true),
        Field::new("to_year", DataType::Int32, true),
        Field::new("source", DataType::Utf8, false),
        Field::new("confidence", DataType::Utf8, false),
    ]));
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(
            entries.iter().map(|e| &e.code),
        )),
        Arc::new(StringArray::from_iter_values(
            entries.iter().map(|e| &e.name),
        )),
        Arc::new(UInt8Array::from_iter_values(
            entries.iter().map(|e| e.level),
        )),
        Arc::new(
            entries
                .iter()
                .map(|e| e.parent.as_deref())
                .collect::<StringArray>(),
        ),
        Arc::new(entries.iter().map(|e| e.from_year).collect::<Int32Array>()),
        Arc::new(entries.iter().map(|e| e.to_year).collect::<Int32Array>()),
        Arc::new(StringArray::from_iter_values(entries.iter().map(
            |e| match e.source {
                Source::Document => "document",
                Source::Reference => "reference",
            },
        ))),
        Arc::new(StringArray::from_iter_values(
            entries.iter().map(|e| &e.confidence),
        )),
    ];
    let batch = RecordBatch::try_new(schema.clone(), columns)?;
    Ok(Arc::new(MemTable::try_new(schema, vec![vec![batch]])?))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Gathering the names file by file gives what the one aggregate over `lake.facts`
    /// gives, on a parsed document and on a generated, compacted lake of many documents.
    #[tokio::test]
    async fn file_by_file_equals_the_aggregate() {
        let seed = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("data/docs/wanyuan-shebaoju-2021-yusuan.txt");
        let dir = tempfile::tempdir().unwrap();
        let parsed = Lake::open(dir.path().join("parsed")).unwrap();
        crate::ingest::ingest(&parsed, &seed).unwrap();
        let generated_dir = dir.path().join("generated");
        let options = crate::synth::GenOptions {
            departments: 30,
            years: 2018..=2021,
            ..Default::default()
        };
        crate::synth::generate(crate::synth::GenFormat::Lake, &options, &generated_dir).unwrap();
        let generated = Lake::open(&generated_dir).unwrap();
        for lake in [&parsed, &generated] {
            let ctx = crate::session::new_context(lake).await.unwrap();
            let by_query = query_observed(&ctx).await.unwrap();
            assert!(!by_query.function.is_empty() && !by_query.economic.is_empty());
            for cache in [observed_names::FILE_NAME, observed_names::BY_FILE_NAME] {
                let _ = std::fs::remove_file(lake.root().join(cache));
            }
            assert_eq!(observed_names::load(lake).unwrap(), by_query);
            // And again from the per-file cache alone.
            std::fs::remove_file(lake.root().join(observed_names::FILE_NAME)).unwrap();
            assert_eq!(observed_names::load(lake).unwrap(), by_query);
        }
    }
}
