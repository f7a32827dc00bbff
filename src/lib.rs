//! yusuan: an embedded SQL engine for Chinese government budget and final-account
//! disclosures (部门预算 / 部门决算).
//!
//! The pipeline, one module per arrow:
//!
//! ```text
//! document  ->  statements  ->  checks  ->  lake  ->  session (tables, views, functions)
//! (text)        (facts)         (findings)  (Parquet)  -> shell (REPL, batch, export)
//! ```

pub mod catalog;
pub mod document;
pub mod model;
pub mod statements;

pub use datafusion;
