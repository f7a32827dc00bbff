//! Running SQL statements and printing their results.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use datafusion::error::DataFusionError;
use datafusion::execution::context::SessionContext;

use super::print_format::{self, Format};
use super::script;

/// A statement that failed, with where it came from.
#[derive(Debug)]
pub struct ExecError {
    /// The script, when the statement came from a file.
    pub file: Option<PathBuf>,
    /// 1-based line of the statement in its script or command.
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

/// Runs one statement and writes its result (nothing for statements without rows, such as
/// `CREATE VIEW`).
pub async fn run_statement(
    ctx: &SessionContext,
    sql: &str,
    format: Format,
    out: &mut dyn Write,
) -> Result<(), DataFusionError> {
    let df = ctx.sql(sql).await?;
    let schema = df.schema().inner().clone();
    let batches = df.collect().await?;
    if schema.fields().is_empty() {
        return Ok(());
    }
    print_format::write(out, format, &schema, &batches)?;
    out.flush()?;
    Ok(())
}

/// Runs every statement of `sql`, stopping at the first that fails.
pub async fn run_script(
    ctx: &SessionContext,
    sql: &str,
    file: Option<&Path>,
    format: Format,
    out: &mut dyn Write,
) -> Result<usize, ExecError> {
    let statements = script::split(sql);
    for statement in &statements {
        run_statement(ctx, &statement.text, format, out)
            .await
            .map_err(|e| ExecError {
                file: file.map(Path::to_path_buf),
                line: statement.line,
                message: e.to_string(),
            })?;
    }
    Ok(statements.len())
}
