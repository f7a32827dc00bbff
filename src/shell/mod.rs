//! The shell: the REPL, the batch runner behind `yusuan sql`, and the rendering of results.
//!
//! - [`repl`]: the interactive loop (history, Ctrl-C, meta commands)
//! - [`helper`]: the rustyline helper (validation, highlighting, hints, completion)
//! - [`command`]: the meta commands and the REPL's state
//! - [`batch`]: scripts and `-c`, parameters checked first, errors as `FILE:LINE: message`
//! - [`exec`]: one statement planned, bound, run (cancellable) and emitted
//! - [`interrupt`]: Ctrl-C as an awaitable event
//! - [`params`]: `$name` parameters bound as typed values
//! - [`print_format`]: table / CSV / JSON / NDJSON / Markdown rendering
//! - [`output`]: result files by extension, written aside and renamed
//! - [`excel`]: Excel workbooks, a worksheet per result, written in constant memory
//! - [`units`]: amounts in 元 or 万元, exactly
//! - [`chart`]: horizontal bar charts
//! - [`describe`]: descriptions of tables, columns and functions
//! - [`script`]: splitting scripts into statements with their lines
//! - [`lex`]: a forgiving SQL lexer

pub mod batch;
pub mod chart;
pub mod command;
pub mod describe;
pub mod excel;
pub mod exec;
pub mod helper;
pub mod interrupt;
pub mod lex;
pub mod output;
pub mod params;
pub mod print_format;
pub mod repl;
pub mod script;
pub mod units;
