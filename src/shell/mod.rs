//! The shell: running SQL from the command line, scripts and the REPL, and rendering results.
//!
//! - [`exec`]: runs statements on a context and prints them
//! - [`script`]: splits scripts into statements with their line numbers
//! - [`print_format`]: table / CSV / JSON / NDJSON / Markdown output
//! - [`repl`]: the interactive shell

pub mod exec;
pub mod print_format;
pub mod repl;
pub mod script;
