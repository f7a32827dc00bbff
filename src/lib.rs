//! yusuan: an embedded SQL engine for Chinese government budget and final-account
//! disclosures (部门预算 / 部门决算).
//!
//! The pipeline, one module per arrow; data flows one way:
//!
//! ```text
//! document   -> statements -> checks   -> lake      -> session             -> shell
//! (text,        (tables to    (findings)  (Parquet,    (tables, views,        (REPL, batch,
//!  encodings)    facts)                    atomic)      functions)             formats)
//! ```
//!
//! Embedding: open a [`lake::Lake`] and call [`session::register`] on your own
//! `SessionContext` (or [`session::new_context`]).

pub mod catalog;
pub mod checks;
pub mod document;
pub mod export;
pub mod functions;
pub mod ingest;
pub mod lake;
pub mod model;
pub mod serve;
pub mod session;
pub mod shell;
pub mod statements;
pub mod synth;

pub use datafusion;
