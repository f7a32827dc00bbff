//! Running one statement: plan it, bind its parameters, execute it (cancellable), and
//! print or write its result.
//!
//! Shared by the batch runner ([`super::batch`]) and the REPL ([`super::repl`]).

use std::fmt;
use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use datafusion::arrow::array::{Array, RecordBatch, UInt64Array};
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::context::SessionContext;
use datafusion::logical_expr::LogicalPlan;

use super::output::FileOutput;
use super::params::{self, Params};
use super::print_format::{self, Format, TableOptions};
use super::units::{self, Unit};

/// How results are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Settings {
    pub format: Format,
    pub table: TableOptions,
    pub unit: Unit,
    /// Print how long each statement took.
    pub timing: bool,
}

/// What a statement produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResultKind {
    /// A query's rows.
    Rows,
    /// A count of rows written (`COPY`, `INSERT`).
    Count,
    /// Nothing to show (`CREATE VIEW`, `SET`).
    Empty,
}

/// One statement's result.
#[derive(Debug, Clone)]
pub struct StatementResult {
    pub kind: ResultKind,
    pub schema: SchemaRef,
    pub batches: Vec<RecordBatch>,
    pub elapsed: Duration,
    /// The rows went into a result file as they were computed ([`execute_to_file`]);
    /// `batches` is empty.
    pub written: bool,
}

impl StatementResult {
    pub fn num_rows(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }

    /// For `COPY` and DML: the number of rows written.
    pub fn count(&self) -> Option<u64> {
        let batch = self.batches.first()?;
        let col = batch.columns().first()?;
        let a = col.as_any().downcast_ref::<UInt64Array>()?;
        (!a.is_empty()).then(|| a.value(0))
    }
}

/// A statement that failed, with where it came from.
#[derive(Debug, Clone)]
pub struct ExecError {
    /// The script, when the statement came from a file.
    pub file: Option<PathBuf>,
    /// 1-based line in the script or command.
    pub line: usize,
    pub message: String,
}

impl fmt::Display for ExecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.file {
            Some(file) => write!(f, "{}:{}: {}", file.display(), self.line, self.message),
            None => write!(f, "line {}: {}", self.line, self.message),
        }
    }
}

impl std::error::Error for ExecError {}

/// The message of a DataFusion error, without the noise of nested wrappers.
pub fn message(e: &DataFusionError) -> String {
    e.to_string()
}

/// The line offset (0-based) a parser error points at, from sqlparser's
/// "… at Line: 3, Column: 7".
pub fn error_position(message: &str) -> Option<(usize, usize)> {
    let at = message.rfind("Line: ")?;
    let rest = &message[at + 6..];
    let (line, rest) = rest.split_once(", Column: ")?;
    let column: String = rest.chars().take_while(char::is_ascii_digit).collect();
    Some((line.trim().parse().ok()?, column.parse().ok()?))
}

/// Plans `sql` (one statement) and binds `params`: what it produces, and the frame to run.
async fn plan(
    ctx: &SessionContext,
    sql: &str,
    params: &Params,
) -> Result<(ResultKind, datafusion::dataframe::DataFrame)> {
    let state = ctx.state();
    let mut plan = state.create_logical_plan(sql).await?;
    if !plan.get_parameter_names()?.is_empty() {
        plan = params::bind(plan, params)?;
    }
    let kind = match &plan {
        LogicalPlan::Copy(_) | LogicalPlan::Dml(_) => ResultKind::Count,
        LogicalPlan::Ddl(_) | LogicalPlan::Statement(_) => ResultKind::Empty,
        _ => ResultKind::Rows,
    };
    Ok((kind, ctx.execute_logical_plan(plan).await?))
}

/// Like [`execute`], but a query's rows go into `file` batch by batch as they are computed
/// (in the unit of `settings`), so writing a result of any size to a file takes the
/// memory of a batch, not of the result. The returned result holds no rows.
pub async fn execute_to_file(
    ctx: &SessionContext,
    sql: &str,
    params: &Params,
    settings: &Settings,
    file: &mut FileOutput,
) -> Result<StatementResult> {
    use futures::StreamExt;
    let start = Instant::now();
    let (kind, df) = plan(ctx, sql, params).await?;
    let schema = df.schema().inner().clone();
    if kind != ResultKind::Rows || schema.fields().is_empty() {
        let batches = df.collect().await?;
        let kind = if kind == ResultKind::Rows {
            ResultKind::Empty
        } else {
            kind
        };
        return Ok(StatementResult {
            kind,
            schema,
            batches,
            elapsed: start.elapsed(),
            written: false,
        });
    }
    let failed = |m: String| DataFusionError::Execution(m);
    let (shown, _) = units::convert(&schema, &[], settings.unit)?;
    let mut stream = df.execute_stream().await?;
    file.begin(&shown).map_err(failed)?;
    while let Some(batch) = stream.next().await {
        let (_, converted) = units::convert(&schema, &[batch?], settings.unit)?;
        for b in &converted {
            file.append(b).map_err(failed)?;
        }
    }
    file.end().map_err(failed)?;
    Ok(StatementResult {
        kind,
        schema,
        batches: Vec::new(),
        elapsed: start.elapsed(),
        written: true,
    })
}

/// Plans `sql` (one statement), binds `params` and runs it to completion.
///
/// A query that fails because a lake file it listed was gone when it opened it (a commit
/// superseded that document, or compaction swapped the partition, in between) is planned
/// and run again, up to [`VANISHED_FILE_RETRIES`] times: the new listing sees the lake
/// after the change. Only reads are run again; a statement that writes is not.
pub async fn execute(ctx: &SessionContext, sql: &str, params: &Params) -> Result<StatementResult> {
    let mut attempt = 0;
    let (start, kind, schema, batches) = loop {
        let start = Instant::now();
        let (kind, df) = plan(ctx, sql, params).await?;
        let schema = df.schema().inner().clone();
        match df.collect().await {
            Err(e)
                if kind == ResultKind::Rows
                    && attempt < VANISHED_FILE_RETRIES
                    && is_vanished_file(&e) =>
            {
                attempt += 1;
            }
            Err(e) => return Err(e),
            Ok(batches) => break (start, kind, schema, batches),
        }
    };
    let kind = if kind == ResultKind::Rows && schema.fields().is_empty() {
        ResultKind::Empty
    } else {
        kind
    };
    Ok(StatementResult {
        kind,
        schema,
        batches,
        elapsed: start.elapsed(),
        written: false,
    })
}

/// How many times a query is run again after a listed file vanished.
pub const VANISHED_FILE_RETRIES: usize = 3;

/// Whether an error says a file that was listed could not be opened.
fn is_vanished_file(e: &DataFusionError) -> bool {
    let message = e.to_string();
    message.contains("No such file or directory")
        || (message.contains("Object at location") && message.contains("not found"))
}

/// Why a cancellable statement did not finish.
#[derive(Debug)]
pub enum RunError {
    Failed(DataFusionError),
    /// Ctrl-C: the query was stopped.
    Cancelled,
}

/// Runs a statement on a task of its own, stopping it when Ctrl-C arrives. Dropping the
/// task drops DataFusion's streams, which stops their work.
pub async fn execute_cancellable(
    ctx: &SessionContext,
    sql: &str,
    params: &Params,
) -> Result<StatementResult, RunError> {
    let (ctx, sql, params) = (ctx.clone(), sql.to_string(), params.clone());
    let mut task = tokio::spawn(async move { execute(&ctx, &sql, &params).await });
    tokio::select! {
        joined = &mut task => match joined {
            Ok(result) => result.map_err(RunError::Failed),
            Err(e) => Err(RunError::Failed(DataFusionError::Execution(format!("the query stopped: {e}")))),
        },
        _ = super::interrupt::ctrl_c() => {
            task.abort();
            // An aborted task stops at its next yield point; DataFusion operators yield
            // regularly, but a few (a nested-loop join's output) can run on for a while.
            for _ in 0..10 {
                if task.is_finished() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            if !task.is_finished() {
                eprintln!("note: the query is still winding down in the background");
            }
            Err(RunError::Cancelled)
        }
    }
}

/// Where results go.
pub enum Destination<'a> {
    /// A stream (the terminal, standard output).
    Writer(&'a mut dyn Write),
    /// A result file written aside.
    File(&'a mut FileOutput),
}

/// Prints or writes a result. Counts (`COPY`) and timings go to `notes` (standard error
/// in batch mode, so that they never mix with the results).
pub fn emit(
    result: &StatementResult,
    settings: &Settings,
    dest: &mut Destination<'_>,
    notes: &mut dyn Write,
) -> Result<(), String> {
    match result.kind {
        ResultKind::Rows => {
            let (schema, batches) = units::convert(&result.schema, &result.batches, settings.unit)
                .map_err(|e| e.to_string())?;
            match dest {
                Destination::Writer(out) => {
                    print_format::write_with(
                        *out,
                        settings.format,
                        &schema,
                        &batches,
                        settings.table,
                    )
                    .map_err(|e| e.to_string())?;
                    out.flush().map_err(|e| e.to_string())?;
                }
                Destination::File(_) if result.written => {}
                Destination::File(file) => file.write(&schema, &batches)?,
            }
        }
        ResultKind::Count => {
            if let Some(n) = result.count() {
                let _ = writeln!(notes, "{n} row{} written", if n == 1 { "" } else { "s" });
            }
        }
        ResultKind::Empty => {}
    }
    if settings.timing {
        let _ = writeln!(notes, "Time: {:.3} s", result.elapsed.as_secs_f64());
    }
    let _ = notes.flush();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parser_positions() {
        assert_eq!(
            error_position(
                "SQL error: ParserError(\"Expected: an expression, found: FROM at Line: 2, Column: 8\")"
            ),
            Some((2, 8))
        );
        assert_eq!(error_position("Schema error: No field named x"), None);
    }

    #[tokio::test]
    async fn parameters_are_typed_by_their_use() {
        let ctx = SessionContext::new();
        ctx.sql("CREATE TABLE t (y INT, org VARCHAR) AS VALUES (2021, '万源'), (2020, '达州')")
            .await
            .unwrap();
        let mut p = Params::new();
        p.set("year", "2021");
        let r = execute(&ctx, "SELECT org FROM t WHERE y = $year", &p)
            .await
            .unwrap();
        assert_eq!(r.num_rows(), 1);
        let r = execute(&ctx, "SELECT $year + 1 AS next", &p).await.unwrap();
        assert_eq!(r.num_rows(), 1);
        p.set("year", "abc");
        let e = execute(&ctx, "SELECT org FROM t WHERE y = $year", &p)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("$year"), "{e}");
        let e = execute(&ctx, "SELECT org FROM t WHERE org = $org", &p)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("$org has no value"), "{e}");
    }
}
