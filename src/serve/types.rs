//! How result columns are described to clients, beyond `arrow-pg`'s type mapping.
//!
//! `arrow-pg` maps `Decimal128` to NUMERIC, strings of every Arrow encoding (`Utf8View`,
//! dictionaries) to TEXT, and integers, booleans, dates and timestamps to their PostgreSQL
//! types. It leaves the type modifier unset, so a client cannot tell an amount's scale
//! from the row description; here NUMERIC columns get PostgreSQL's modifier
//! (`((precision << 16) | scale) + 4`), which JDBC's `getScale()` and BI tools read; and
//! `pg_catalog.pg_attribute` carries the same modifier ([`PgCatalogWithModifiers`]).

use std::sync::Arc;

use async_trait::async_trait;
use datafusion::arrow::array::{Array, AsArray, Int32Array, RecordBatch};
use datafusion::arrow::datatypes::{DataType, Int32Type, Schema, SchemaRef};
use datafusion::catalog::{CatalogProviderList, SchemaProvider, Session, TableProvider};
use datafusion::datasource::{MemTable, TableType};
use datafusion::error::Result;
use datafusion::logical_expr::Expr;
use datafusion::physical_plan::{ExecutionPlan, collect};
use datafusion::prelude::SessionContext;
use datafusion_postgres::pgwire::api::results::FieldInfo;

/// PostgreSQL's type modifier of `NUMERIC(precision, scale)`.
pub fn numeric_modifier(precision: u8, scale: i8) -> Option<i32> {
    let scale = u8::try_from(scale).ok()?;
    Some(((i32::from(precision) << 16) | i32::from(scale)) + 4)
}

/// `fields` (described from `schema`) with the NUMERIC modifiers set.
pub fn with_numeric_modifiers(fields: Vec<FieldInfo>, schema: &Schema) -> Vec<FieldInfo> {
    fields
        .into_iter()
        .zip(schema.fields().iter())
        .map(|(info, field)| match field.data_type() {
            DataType::Decimal128(p, s) => match numeric_modifier(*p, *s) {
                Some(m) => info.with_type_modifier(m),
                None => info,
            },
            _ => info,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_18_2() {
        // PostgreSQL: SELECT atttypmod FROM pg_attribute … for NUMERIC(18,2) is 1179654.
        assert_eq!(numeric_modifier(18, 2), Some(1_179_654));
        assert_eq!(numeric_modifier(10, -2), None);
    }
}

/// `pg_catalog` with `pg_attribute.atttypmod` filled in for NUMERIC columns.
///
/// `datafusion-pg-catalog` sets every `atttypmod` to -1, so `format_type(atttypid,
/// atttypmod)` — what psql's `\d`, SQLAlchemy's reflection (Superset) and JDBC's
/// `getColumns` (DBeaver, Metabase) read — says `numeric` without the scale. This schema
/// serves the upstream tables unchanged except `pg_attribute`, whose rows are patched from
/// the Arrow types of the same columns.
#[derive(Debug)]
pub struct PgCatalogWithModifiers {
    inner: Arc<dyn SchemaProvider>,
    catalogs: Arc<dyn CatalogProviderList>,
}

impl PgCatalogWithModifiers {
    /// Replaces the `pg_catalog` schema of `catalog` on `ctx` with the patched one.
    pub fn install(ctx: &SessionContext, catalog: &str) -> Result<()> {
        let Some(provider) = ctx.catalog(catalog) else {
            return Ok(());
        };
        let Some(inner) = provider.schema("pg_catalog") else {
            return Ok(());
        };
        let catalogs = Arc::clone(ctx.state().catalog_list());
        provider.register_schema(
            "pg_catalog",
            Arc::new(PgCatalogWithModifiers { inner, catalogs }),
        )?;
        Ok(())
    }
}

#[async_trait]
impl SchemaProvider for PgCatalogWithModifiers {
    fn table_names(&self) -> Vec<String> {
        self.inner.table_names()
    }

    async fn table(&self, name: &str) -> Result<Option<Arc<dyn TableProvider>>> {
        let table = self.inner.table(name).await?;
        Ok(match table {
            Some(inner) if name == "pg_attribute" => Some(Arc::new(PgAttribute {
                inner,
                catalogs: Arc::clone(&self.catalogs),
            })),
            other => other,
        })
    }

    fn table_exist(&self, name: &str) -> bool {
        self.inner.table_exist(name)
    }
}

#[derive(Debug)]
struct PgAttribute {
    inner: Arc<dyn TableProvider>,
    catalogs: Arc<dyn CatalogProviderList>,
}

impl PgAttribute {
    /// `(column name, modifier)` for every column of every table, in the order
    /// `datafusion-pg-catalog` lists them in `pg_attribute`.
    async fn modifiers(&self) -> Result<Vec<(String, i32)>> {
        let mut out = Vec::new();
        for catalog_name in self.catalogs.catalog_names() {
            let Some(catalog) = self.catalogs.catalog(&catalog_name) else {
                continue;
            };
            for schema_name in catalog.schema_names() {
                let Some(schema) = catalog.schema(&schema_name) else {
                    continue;
                };
                for table_name in schema.table_names() {
                    let Some(table) = schema.table(&table_name).await? else {
                        continue;
                    };
                    for field in table.schema().fields() {
                        let modifier = match field.data_type() {
                            DataType::Decimal128(p, s) => numeric_modifier(*p, *s).unwrap_or(-1),
                            _ => -1,
                        };
                        out.push((field.name().clone(), modifier));
                    }
                }
            }
        }
        Ok(out)
    }
}

#[async_trait]
impl TableProvider for PgAttribute {
    fn schema(&self) -> SchemaRef {
        self.inner.schema()
    }

    fn table_type(&self) -> TableType {
        self.inner.table_type()
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let plan = self.inner.scan(state, None, &[], None).await?;
        let batches = collect(plan, state.task_ctx()).await?;
        let modifiers = self.modifiers().await?;
        let schema = self.inner.schema();
        let (Ok(name_at), Ok(modifier_at)) =
            (schema.index_of("attname"), schema.index_of("atttypmod"))
        else {
            return MemTable::try_new(schema, vec![batches])?
                .scan(state, projection, filters, limit)
                .await;
        };
        let mut row = 0;
        let mut patched = Vec::with_capacity(batches.len());
        for batch in batches {
            let names = batch.column(name_at).as_string_opt::<i32>().cloned();
            let old = batch
                .column(modifier_at)
                .as_primitive_opt::<Int32Type>()
                .cloned();
            let (Some(names), Some(old)) = (names, old) else {
                patched.push(batch);
                continue;
            };
            let new: Int32Array = (0..batch.num_rows())
                .map(|i| {
                    let listed = modifiers.get(row + i);
                    match listed {
                        Some((name, m)) if !names.is_null(i) && names.value(i) == name => Some(*m),
                        _ => old.is_valid(i).then(|| old.value(i)),
                    }
                })
                .collect();
            row += batch.num_rows();
            let mut columns = batch.columns().to_vec();
            columns[modifier_at] = Arc::new(new);
            patched.push(RecordBatch::try_new(batch.schema(), columns)?);
        }
        MemTable::try_new(schema, vec![patched])?
            .scan(state, projection, filters, limit)
            .await
    }
}
