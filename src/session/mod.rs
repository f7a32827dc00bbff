//! Registering a lake on a DataFusion `SessionContext`: the lake's Parquet tables, the
//! catalog tables, the views of `sql/views/` and the budget functions.
//!
//! This is the library's plugin entry point: [`register`] on any `SessionContext`, or
//! [`new_context`] for one configured the way the shell uses it.

use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::catalog::{MemorySchemaProvider, SchemaProvider};
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::{
    ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl,
};
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::FunctionRegistry;
use datafusion::execution::context::SessionContext;
use datafusion::prelude::SessionConfig;

use crate::lake::{Lake, schema};

mod exact;

pub use exact::NoFloatOverAmounts;

/// The schema that holds the lake's raw Parquet tables (`lake.facts`, …).
pub const LAKE_SCHEMA: &str = "lake";

/// The view definitions, in the order they are created (`sql/views/*.sql`).
pub const VIEWS: &[(&str, &str)] = &[
    ("00_facts.sql", include_str!("../../sql/views/00_facts.sql")),
    (
        "01_tables.sql",
        include_str!("../../sql/views/01_tables.sql"),
    ),
    (
        "10_expenditure.sql",
        include_str!("../../sql/views/10_expenditure.sql"),
    ),
    (
        "11_basic_by_econ.sql",
        include_str!("../../sql/views/11_basic_by_econ.sql"),
    ),
    (
        "12_projects.sql",
        include_str!("../../sql/views/12_projects.sql"),
    ),
    (
        "13_three_public.sql",
        include_str!("../../sql/views/13_three_public.sql"),
    ),
];

/// A session configured for yusuan: numeric literals with a decimal point read as exact
/// decimals, information schema on (`SHOW TABLES`), the default catalog and schema names of
/// DataFusion, filters pushed into the Parquet decoder, and partial aggregation skipped
/// sooner than DataFusion's default.
///
/// DataFusion reads `9700.00` as a binary float by default; compared with a
/// `Decimal128(18, 2)` amount the float is cast (to 9700.000000000000…6) and an exact filter
/// silently misses the row. Read as `Decimal128(6, 2)` it compares to the fen, as in
/// PostgreSQL and DuckDB. A float is still there for whoever asks: `CAST(x AS DOUBLE)`, `1e3`
/// stays a decimal too.
///
/// The views (`expenditure`, `basic_by_econ`, …) pivot a statement's measures into
/// columns, so their group-by meets each group about twice: a partial aggregation before
/// the shuffle halves the rows at best and costs a second hash table. Skipping it once the
/// first 100,000 rows show fewer than 2.5 rows per group (ratio 0.4; DataFusion's default
/// is 0.8) made the pivoting report questions 15–20% faster in
/// `benches/compare_duckdb.sh`; aggregations that do reduce (by 类, by year) are unaffected.
pub fn session_config() -> SessionConfig {
    let mut config = SessionConfig::new()
        .with_information_schema(true)
        .set_bool("datafusion.execution.parquet.pushdown_filters", true)
        .set_bool(PARSE_FLOAT_AS_DECIMAL, true);
    config
        .options_mut()
        .execution
        .skip_partial_aggregation_probe_ratio_threshold = 0.4;
    config
}

/// The option that makes `1.50` a `Decimal128(3, 2)` rather than a `Float64`.
const PARSE_FLOAT_AS_DECIMAL: &str = "datafusion.sql_parser.parse_float_as_decimal";

/// A new context with a lake registered.
pub async fn new_context(lake: &Lake) -> Result<SessionContext> {
    let ctx = SessionContext::new_with_config_rt(session_config(), runtime_builder().build_arc()?);
    register(&ctx, lake).await?;
    Ok(ctx)
}

/// The runtime of yusuan's contexts: DataFusion's, without its list-files cache.
///
/// DataFusion 55 remembers a table's file listing for the life of the context by default.
/// A lake is live — commits add, replace and delete files while a REPL session stays open
/// — so a remembered listing would keep offering a superseded version's deleted files (every
/// query failing with "not found") and never show the new ones. Listing a lake's partition
/// directories costs microseconds.
pub fn runtime_builder() -> datafusion::execution::runtime_env::RuntimeEnvBuilder {
    let caches = datafusion::execution::cache::cache_manager::CacheManagerConfig::default()
        .with_list_files_cache_limit(0);
    datafusion::execution::runtime_env::RuntimeEnvBuilder::new().with_cache_manager(caches)
}

/// [`new_context`] with the query memory capped at `memory_limit` bytes (`None`: no cap).
///
/// Under the cap, sorts, aggregations and joins that can spill write to the OS temp
/// directory (DataFusion's disk manager) and go on; an operator that cannot spill fails
/// with DataFusion's "Resources exhausted" error naming the operator and the memory it
/// asked for, never an abort. The pool is a `FairSpillPool` (spillable operators share it
/// evenly) wrapped in a `TrackConsumersPool`, so the error lists the top consumers.
pub async fn new_context_with_memory_limit(
    lake: &Lake,
    memory_limit: Option<usize>,
) -> Result<SessionContext> {
    let Some(limit) = memory_limit else {
        return new_context(lake).await;
    };
    let pool = datafusion::execution::memory_pool::TrackConsumersPool::new(
        datafusion::execution::memory_pool::FairSpillPool::new(limit),
        std::num::NonZeroUsize::new(5).unwrap_or(std::num::NonZeroUsize::MIN),
    );
    let runtime = runtime_builder()
        .with_memory_pool(Arc::new(pool))
        .build_arc()?;
    let ctx = SessionContext::new_with_config_rt(session_config(), runtime);
    register(&ctx, lake).await?;
    Ok(ctx)
}

/// Registers everything yusuan offers on `ctx`: the lake's tables (schema `lake`), the
/// contract views (`facts`, `expenditure`, …), `func_class` / `econ_class` and the budget
/// functions.
///
/// It also makes SQL on `ctx` exact over amounts: `datafusion.sql_parser.parse_float_as_decimal`
/// goes on, as a literal such as `9700.00` in a filter over the amounts has to be a decimal
/// too, or the comparison goes through a float and misses rows (see [`session_config`]);
/// and [`NoFloatOverAmounts`] refuses an amount mixed with a float without a cast.
pub async fn register(ctx: &SessionContext, lake: &Lake) -> Result<()> {
    {
        let state = ctx.state_ref();
        let mut state = state.write();
        state
            .config_mut()
            .options_mut()
            .set(PARSE_FLOAT_AS_DECIMAL, "true")?;
        state.register_function_rewrite(Arc::new(NoFloatOverAmounts))?;
    }
    let lake_schema = Arc::new(MemorySchemaProvider::new());
    for table in schema::TABLES {
        lake_schema.register_table(table.to_string(), listing_table(ctx, lake, table)?)?;
    }
    let catalog = ctx
        .catalog("datafusion")
        .ok_or_else(|| DataFusionError::Plan("the default catalog is missing".into()))?;
    catalog.register_schema(LAKE_SCHEMA, lake_schema)?;

    for (name, sql) in VIEWS {
        for statement in split_statements(sql) {
            ctx.sql(&statement).await.map_err(|e| {
                DataFusionError::Plan(format!("creating the views of sql/views/{name}: {e}"))
            })?;
        }
    }
    crate::functions::register_all_for_lake(ctx, lake).await?;
    Ok(())
}

/// One lake table as a Hive-partitioned listing over its directory.
fn listing_table(ctx: &SessionContext, lake: &Lake, table: &str) -> Result<Arc<ListingTable>> {
    let dir = std::path::absolute(lake.table_dir(table))?;
    let url = ListingTableUrl::parse(format!("{}/", dir.display()))?;
    let file_schema = schema::file_schema(table)
        .ok_or_else(|| DataFusionError::Plan(format!("unknown lake table {table}")))?;
    // The session's Parquet options (pushdown, page index, …) apply to the lake's scans.
    let format = ParquetFormat::default().with_options(ctx.state().table_options().parquet.clone());
    let options = ListingOptions::new(Arc::new(format))
        .with_file_extension(".parquet")
        .with_table_partition_cols(vec![(
            schema::PARTITION_COLUMN.to_string(),
            DataType::Int32,
        )]);
    let file_schema = view_strings(&file_schema);
    let config = ListingTableConfig::new(url)
        .with_listing_options(options)
        .with_schema(file_schema);
    Ok(Arc::new(ListingTable::try_new(config)?))
}

/// The schema a query sees: strings as `Utf8View`. The files store plain strings; reading
/// them as views skips copying every value into one contiguous buffer (codes and most names
/// fit in a view's 12 inline bytes), and DataFusion's filters and multi-column group-by
/// work on views directly. Measured in `benches/compare_duckdb.sh` against plain `Utf8`
/// (faster on every report question) and `Dictionary(Int32, Utf8)` (slower: group-by on
/// dictionaries goes through the row format).
pub fn view_strings(file_schema: &SchemaRef) -> SchemaRef {
    let fields: Vec<Field> = file_schema
        .fields()
        .iter()
        .map(|f| match f.data_type() {
            DataType::Utf8 => f.as_ref().clone().with_data_type(DataType::Utf8View),
            _ => f.as_ref().clone(),
        })
        .collect();
    Arc::new(Schema::new_with_metadata(
        fields,
        file_schema.metadata().clone(),
    ))
}

/// Splits a script into statements at `;` outside quotes and comments. Used for the
/// shipped views; the shell has its own splitter that tracks line numbers.
pub fn split_statements(sql: &str) -> Vec<String> {
    crate::shell::script::split(sql)
        .into_iter()
        .map(|s| s.text)
        .collect()
}
