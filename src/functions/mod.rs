//! The budget SQL functions and their registration: the classification functions
//! (`func_*` / `econ_*`: level, parent, rollup, name, path), the exact unit conversions
//! (`to_wan`, `to_yuan`), the table function `read_disclosure`, the `func_class` /
//! `econ_class` tables, and the optimizer rule that keeps Parquet pruning for roll-ups.
//!
//! One file per function; each `ScalarUDFImpl` serves both trees (function and economic
//! classification) and is registered once per tree under its own name with its own
//! documentation. [`kernel`] holds what they share.
//!
//! Names come from a snapshot of the catalogs taken when the functions are registered
//! ([`register_all`] reads the names printed in the lake once); after ingesting more
//! documents into an open session, call [`register_all`] again to see their names.

pub mod class_tables;
mod kernel;
pub mod level;
pub mod name;
pub mod parent;
pub mod path;
pub mod pruning;
pub mod read_disclosure;
pub mod rollup;
pub mod to_wan;
pub mod to_yuan;

use std::sync::Arc;

use datafusion::common::Result;
use datafusion::execution::context::SessionContext;
use datafusion::logical_expr::ScalarUDF;

use crate::catalog::{Catalogs, Classification};

pub use class_tables::{catalog_table, load_catalogs, load_catalogs_for_lake};

/// The SQL names of the scalar functions, in the order `\df` lists them.
pub const NAMES: [&str; 12] = [
    "func_level",
    "func_parent",
    "func_rollup",
    "func_name",
    "func_path",
    "econ_level",
    "econ_parent",
    "econ_rollup",
    "econ_name",
    "econ_path",
    "to_wan",
    "to_yuan",
];

/// The names of the catalog tables.
pub const FUNC_CLASS_TABLE: &str = "func_class";
pub const ECON_CLASS_TABLE: &str = "econ_class";

/// Registers everything on `ctx`: reads the names printed in the lake's documents (one
/// aggregate over `lake.facts`, if the context has it), then [`register_with`]. Safe to
/// call again to refresh the names after an ingest.
pub async fn register_all(ctx: &SessionContext) -> Result<()> {
    let catalogs = load_catalogs(ctx).await?;
    register_with(ctx, Arc::new(catalogs))
}

/// [`register_all`] for a context over `lake`: the observed names come from the lake's
/// cache when it is current ([`crate::lake::observed_names`]), so a session starts without
/// scanning `facts`.
pub async fn register_all_for_lake(ctx: &SessionContext, lake: &crate::lake::Lake) -> Result<()> {
    let catalogs = load_catalogs_for_lake(ctx, lake).await?;
    register_with(ctx, Arc::new(catalogs))
}

/// Registers the scalar functions over `catalogs`, `read_disclosure`, the
/// `func_class` / `econ_class` tables (replacing any already there) and the roll-up
/// pruning rule (once).
pub fn register_with(ctx: &SessionContext, catalogs: Arc<Catalogs>) -> Result<()> {
    for udf in all_functions(Arc::clone(&catalogs)) {
        ctx.register_udf(udf);
    }
    ctx.register_udtf(
        read_disclosure::NAME,
        Arc::new(read_disclosure::ReadDisclosure),
    );
    for (table, catalog) in [
        (FUNC_CLASS_TABLE, &catalogs.function),
        (ECON_CLASS_TABLE, &catalogs.economic),
    ] {
        ctx.deregister_table(table)?;
        ctx.register_table(table, catalog_table(catalog)?)?;
    }
    ctx.remove_optimizer_rule(pruning::RULE_NAME);
    ctx.add_optimizer_rule(Arc::new(pruning::RollupPruning));
    Ok(())
}

/// Every scalar function, in the order of [`NAMES`], for listing (name and
/// `documentation()`) or for registering on another context.
pub fn all_functions(catalogs: Arc<Catalogs>) -> Vec<ScalarUDF> {
    let mut all = Vec::with_capacity(NAMES.len());
    for class in [Classification::Function, Classification::Economic] {
        all.push(ScalarUDF::from(level::Level::new(class)));
        all.push(ScalarUDF::from(parent::Parent::new(class)));
        all.push(ScalarUDF::from(rollup::Rollup::new(class)));
        all.push(ScalarUDF::from(name::Name::new(
            class,
            Arc::clone(&catalogs),
        )));
        all.push(ScalarUDF::from(path::Path::new(
            class,
            Arc::clone(&catalogs),
        )));
    }
    all.push(ScalarUDF::from(to_wan::ToWan::default()));
    all.push(ScalarUDF::from(to_yuan::ToYuan::default()));
    all
}
