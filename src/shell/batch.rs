//! The batch runner behind `yusuan sql -c … | -f FILE` and the REPL's `\i FILE`.
//!
//! Before anything runs, every `$name` of every statement must have a value: an unbound
//! parameter is an error naming its line. Then statements run in order; the first that
//! fails stops the run (unless `continue_on_error`) and is reported as `FILE:LINE: message`
//! on standard error. With an output file, results are written aside and renamed only when
//! the whole run succeeded.

use std::io::Write;
use std::path::{Path, PathBuf};

use datafusion::execution::context::SessionContext;

use super::exec::{self, Destination, ExecError, Settings, StatementResult};
use super::output::{BOM, FileOutput};
use super::params::{self, Params};
use super::print_format::Format;
use super::script;

/// A script to run: its text and the file it came from.
#[derive(Debug, Clone)]
pub struct Source {
    pub text: String,
    pub file: Option<PathBuf>,
}

impl Source {
    pub fn read(path: &Path) -> Result<Source, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(Source {
            text,
            file: Some(path.to_path_buf()),
        })
    }
}

/// What a run did.
#[derive(Debug, Default)]
pub struct Summary {
    pub statements: usize,
    pub errors: Vec<ExecError>,
    /// The last result with rows (the REPL charts it).
    pub last: Option<StatementResult>,
}

impl Summary {
    pub fn ok(&self) -> bool {
        self.errors.is_empty()
    }
}

/// How a run is done.
pub struct Run<'a> {
    pub ctx: &'a SessionContext,
    pub params: &'a Params,
    pub settings: Settings,
    pub continue_on_error: bool,
    /// Whether a query's rows go into a result file as they are computed. Only where a
    /// failed run discards the whole file (`yusuan sql -o`): the REPL's `\o` file lives on
    /// after a failed statement, which must leave nothing of itself in it.
    pub stream_to_file: bool,
}

impl Run<'_> {
    fn error(&self, source: &Source, line: usize, message: String) -> ExecError {
        ExecError {
            file: source.file.clone(),
            line,
            message,
        }
    }

    /// Checks that every parameter has a value; the errors, one per unbound name.
    pub fn check_params(&self, source: &Source) -> Vec<ExecError> {
        let statements = script::split(&source.text);
        params::unbound(&statements, self.params)
            .into_iter()
            .map(|u| {
                self.error(
                    source,
                    u.line,
                    format!(
                        "parameter ${} has no value (give --param {}=…)",
                        u.name, u.name
                    ),
                )
            })
            .collect()
    }

    /// Runs `source`, printing each error to `errors` as it happens.
    pub async fn run(
        &self,
        source: &Source,
        dest: &mut Destination<'_>,
        notes: &mut dyn Write,
        errors: &mut dyn Write,
    ) -> Summary {
        let mut summary = Summary::default();
        let unbound = self.check_params(source);
        if !unbound.is_empty() {
            for e in &unbound {
                let _ = writeln!(errors, "{e}");
            }
            summary.errors = unbound;
            return summary;
        }
        for statement in script::split(&source.text) {
            summary.statements += 1;
            // Rows stream into a result file; with --continue-on-error a statement that
            // fails halfway must leave nothing of itself in the file, so it is collected first.
            let result = match dest {
                Destination::File(file) if self.stream_to_file && !self.continue_on_error => {
                    exec::execute_to_file(
                        self.ctx,
                        &statement.text,
                        self.params,
                        &self.settings,
                        file,
                    )
                    .await
                }
                _ => exec::execute(self.ctx, &statement.text, self.params).await,
            };
            let outcome = match result {
                Ok(result) => {
                    let emitted = exec::emit(&result, &self.settings, dest, notes);
                    if result.kind == exec::ResultKind::Rows {
                        summary.last = Some(result);
                    }
                    emitted.map_err(|m| self.error(source, statement.line, m))
                }
                Err(e) => {
                    let message = exec::message(&e);
                    // A parser error's line is within the statement.
                    let line = exec::error_position(&message).map_or(statement.line, |(l, _)| {
                        statement.line + l.saturating_sub(1)
                    });
                    Err(self.error(source, line, message))
                }
            };
            if let Err(e) = outcome {
                let _ = writeln!(errors, "{e}");
                summary.errors.push(e);
                if !self.continue_on_error {
                    break;
                }
            }
        }
        summary
    }
}

/// Runs a script for `yusuan sql`: results to standard output or to `output` (written
/// aside, renamed when everything succeeded). `bom` starts CSV output with the UTF-8 byte
/// order mark (an error for any other format). Whether it all succeeded.
pub async fn run_to(
    run: &Run<'_>,
    source: &Source,
    output: Option<&Path>,
    bom: bool,
) -> Result<bool, String> {
    let mut notes = std::io::stderr();
    let mut errors = std::io::stderr();
    match output {
        None => {
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            if bom {
                if run.settings.format != Format::Csv {
                    return Err(format!(
                        "--bom is for CSV output, not {} (give --format csv or -o FILE.csv)",
                        run.settings.format.name()
                    ));
                }
                out.write_all(BOM).map_err(|e| e.to_string())?;
            }
            let summary = run
                .run(
                    source,
                    &mut Destination::Writer(&mut out),
                    &mut notes,
                    &mut errors,
                )
                .await;
            Ok(summary.ok())
        }
        Some(path) => {
            // Unbound parameters are reported before the output file is even started.
            let unbound = run.check_params(source);
            if !unbound.is_empty() {
                for e in &unbound {
                    let _ = writeln!(errors, "{e}");
                }
                return Ok(false);
            }
            let mut file = FileOutput::create(path, run.settings.format, bom)?;
            let summary = run
                .run(
                    source,
                    &mut Destination::File(&mut file),
                    &mut notes,
                    &mut errors,
                )
                .await;
            if !summary.ok() && !run.continue_on_error {
                // Dropping the output removes its temporary: no partial file.
                return Ok(false);
            }
            file.commit()?;
            Ok(summary.ok())
        }
    }
}
