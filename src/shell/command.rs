//! The REPL's meta commands (`\d`, `\df`, `\timing`, `\format`, `\maxrows`, `\o`, `\i`,
//! `\unit`, `\chart`, `\excel`, `\set`, `\q`, `\?`) and the state they change.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use datafusion::arrow::array::RecordBatch;
use datafusion::execution::context::SessionContext;

use super::batch::{Run, Source};
use super::chart;
use super::describe;
use super::exec::{Destination, Settings, StatementResult};
use super::output::{FileFormat, FileOutput};
use super::params::Params;
use super::print_format::{self, Format};
use super::units::Unit;

/// One meta command: name, arguments and a line of help.
pub struct CommandInfo {
    pub name: &'static str,
    pub args: &'static str,
    pub help: &'static str,
}

/// Every meta command, in the order `\?` lists them.
pub const COMMANDS: &[CommandInfo] = &[
    CommandInfo {
        name: "\\?",
        args: "",
        help: "this help",
    },
    CommandInfo {
        name: "\\d",
        args: "[NAME]",
        help: "tables and views; or NAME's columns, types and meaning",
    },
    CommandInfo {
        name: "\\df",
        args: "[PATTERN]",
        help: "yusuan's functions with description, syntax and example",
    },
    CommandInfo {
        name: "\\timing",
        args: "[on|off]",
        help: "show how long each statement takes",
    },
    CommandInfo {
        name: "\\format",
        args: "FORMAT",
        help: "table | csv | json | ndjson | markdown",
    },
    CommandInfo {
        name: "\\maxrows",
        args: "N",
        help: "show at most N rows of a table (0: all)",
    },
    CommandInfo {
        name: "\\unit",
        args: "yuan|wan",
        help: "show amounts in 元 or 万元 (exact)",
    },
    CommandInfo {
        name: "\\o",
        args: "[FILE]",
        help: "send results to FILE (format from .csv/.json/.ndjson/.md/.xlsx); \\o alone: back to the screen",
    },
    CommandInfo {
        name: "\\i",
        args: "FILE",
        help: "run a SQL script",
    },
    CommandInfo {
        name: "\\chart",
        args: "[LABEL VALUE]",
        help: "the last result as a bar chart",
    },
    CommandInfo {
        name: "\\excel",
        args: "",
        help: "the last result as a workbook in the temporary directory, opened in the spreadsheet program",
    },
    CommandInfo {
        name: "\\set",
        args: "[NAME VALUE]",
        help: "bind $NAME to VALUE in later statements; \\set alone lists",
    },
    CommandInfo {
        name: "\\unset",
        args: "NAME",
        help: "forget $NAME",
    },
    CommandInfo {
        name: "\\q",
        args: "",
        help: "quit (or Ctrl-D)",
    },
];

/// Where results go when `\o FILE` is on.
pub struct OutputFile {
    pub path: PathBuf,
    pub format: Format,
    pub sink: OutputSink,
}

/// A text file is written as results come; a workbook is written aside and saved into
/// place when `\o` closes it (a worksheet per result).
pub enum OutputSink {
    Text(BufWriter<File>),
    Workbook(Box<FileOutput>),
}

impl OutputFile {
    /// Where the next result goes.
    pub fn destination(&mut self) -> Destination<'_> {
        match &mut self.sink {
            OutputSink::Text(w) => Destination::Writer(w),
            OutputSink::Workbook(f) => Destination::File(f),
        }
    }

    /// Flushes a text file (a workbook is written when it is closed).
    pub fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.sink {
            OutputSink::Text(w) => w.flush(),
            OutputSink::Workbook(_) => Ok(()),
        }
    }

    /// Finishes the file: a text file flushed, a workbook saved into place. What became of
    /// it, to tell the user.
    pub fn close(mut self) -> Result<String, String> {
        let shown = self.path.display().to_string();
        match self.sink {
            OutputSink::Text(ref mut w) => {
                w.flush().map_err(|e| format!("{shown}: {e}"))?;
                Ok(format!("{shown} written"))
            }
            OutputSink::Workbook(f) => {
                let sheets = f.results();
                if sheets == 0 {
                    // Dropping it removes its temporary.
                    return Ok(format!("no result was written: {shown} was not created"));
                }
                f.commit()?;
                Ok(format!(
                    "{shown} written, {sheets} worksheet{}",
                    if sheets == 1 { "" } else { "s" }
                ))
            }
        }
    }
}

/// What the REPL remembers between statements.
pub struct ShellState {
    pub settings: Settings,
    pub params: Params,
    pub output: Option<OutputFile>,
    pub last: Option<StatementResult>,
    /// The terminal's width, for tables and charts.
    pub width: fn() -> Option<usize>,
}

impl ShellState {
    pub fn new(settings: Settings, width: fn() -> Option<usize>) -> Self {
        Self {
            settings,
            params: Params::new(),
            output: None,
            last: None,
            width,
        }
    }

    /// The settings for the next result: the terminal's width when writing to it, the file's
    /// format when writing to a file.
    pub fn current_settings(&self) -> Settings {
        let mut s = self.settings;
        match &self.output {
            Some(o) => {
                s.format = o.format;
                s.table.width = None;
                s.table.max_rows = None;
            }
            None => s.table.width = (self.width)(),
        }
        s
    }
}

/// After a meta command: go on or leave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Continue,
    Quit,
}

/// The help text.
pub fn help() -> String {
    let mut s = String::from(
        "Type SQL ending with ';' (it may span lines). Tab completes; Ctrl-R searches history;\n\
         Ctrl-C cancels a running query or clears the line; Ctrl-D quits.\n\nMeta commands:\n",
    );
    for c in COMMANDS {
        let head = if c.args.is_empty() {
            c.name.to_string()
        } else {
            format!("{} {}", c.name, c.args)
        };
        s.push_str(&format!("  {head:<22} {}\n", c.help));
    }
    s.push_str(
        "\nTables: \\d lists them. Amounts are in 元 (\\unit wan for 万元).\n\
         Example: SELECT func_code, total FROM expenditure ORDER BY total DESC;\n",
    );
    s
}

fn print_batch(out: &mut dyn Write, batch: RecordBatch, settings: &Settings) -> Result<(), String> {
    let schema = batch.schema();
    print_format::write_with(out, settings.format, &schema, &[batch], settings.table)
        .map_err(|e| e.to_string())
}

fn on_off(arg: Option<&str>, current: bool) -> Result<bool, String> {
    match arg {
        None => Ok(!current),
        Some("on") => Ok(true),
        Some("off") => Ok(false),
        Some(other) => Err(format!("expected on or off, not '{other}'")),
    }
}

/// Runs one meta command line; screen output to `out`.
pub async fn run(
    ctx: &SessionContext,
    state: &mut ShellState,
    line: &str,
    out: &mut dyn Write,
) -> Result<Flow, String> {
    let line = line.trim().trim_end_matches(';').trim();
    let (name, rest) = match line.split_once(char::is_whitespace) {
        Some((n, r)) => (n, r.trim()),
        None => (line, ""),
    };
    let arg = (!rest.is_empty()).then_some(rest);
    let mut screen = state.settings;
    screen.table.width = (state.width)();
    screen.table.hide_types = true;
    if screen.format != Format::Table && screen.format != Format::Markdown {
        screen.format = Format::Table;
    }
    let w = |e: std::io::Error| e.to_string();
    match name {
        "\\q" | "\\quit" => return Ok(Flow::Quit),
        "\\?" | "\\h" | "\\help" => write!(out, "{}", help()).map_err(w)?,
        "\\d" => match arg {
            None => {
                let batch = describe::relations_batch(ctx)
                    .await
                    .map_err(|e| e.to_string())?;
                screen.table.max_rows = None;
                print_batch(out, batch, &screen)?;
            }
            Some(name) => {
                let (heading, batch) = describe::columns_batch(ctx, name)
                    .await
                    .map_err(|e| e.to_string())?;
                writeln!(out, "{heading}").map_err(w)?;
                screen.table.max_rows = None;
                print_batch(out, batch, &screen)?;
            }
        },
        "\\df" => {
            let functions = describe::functions(ctx, arg);
            if functions.is_empty() {
                match arg {
                    Some(p) => writeln!(out, "no yusuan function matches '{p}'").map_err(w)?,
                    None => writeln!(out, "no yusuan functions are registered").map_err(w)?,
                }
            }
            for f in &functions {
                writeln!(out, "{}", describe::render_function(f)).map_err(w)?;
            }
        }
        "\\timing" => {
            state.settings.timing = on_off(arg, state.settings.timing)?;
            writeln!(
                out,
                "Timing is {}.",
                if state.settings.timing { "on" } else { "off" }
            )
            .map_err(w)?;
        }
        "\\format" => match arg {
            None => writeln!(out, "Format is {}.", state.settings.format.name()).map_err(w)?,
            Some(f) => {
                state.settings.format = f.parse()?;
                writeln!(out, "Format is {}.", state.settings.format.name()).map_err(w)?;
            }
        },
        "\\maxrows" => {
            let n = arg.ok_or("\\maxrows N (0 shows all rows)")?;
            let n: usize = if n == "all" {
                0
            } else {
                n.parse()
                    .map_err(|_| format!("'{n}' is not a number of rows"))?
            };
            state.settings.table.max_rows = (n > 0).then_some(n);
            match n {
                0 => writeln!(out, "Showing all rows.").map_err(w)?,
                n => writeln!(out, "Showing at most {n} rows.").map_err(w)?,
            }
        }
        "\\unit" => match arg {
            None => {
                writeln!(out, "Amounts are shown in {}.", state.settings.unit.name()).map_err(w)?
            }
            Some(u) => {
                state.settings.unit = u.parse::<Unit>()?;
                writeln!(out, "Amounts are shown in {}.", state.settings.unit.name()).map_err(w)?;
            }
        },
        "\\o" => match arg {
            None => match state.output.take() {
                Some(o) => {
                    let done = o.close()?;
                    writeln!(out, "Results go to the screen ({done}).").map_err(w)?;
                }
                None => writeln!(out, "Results go to the screen.").map_err(w)?,
            },
            Some(path) => {
                let path = PathBuf::from(unquote(path));
                let (format, sink) = match FileFormat::for_path(&path, state.settings.format)? {
                    FileFormat::Text(f) => {
                        let file =
                            File::create(&path).map_err(|e| format!("{}: {e}", path.display()))?;
                        (f, OutputSink::Text(BufWriter::new(file)))
                    }
                    FileFormat::Excel => {
                        let file = FileOutput::create(&path, state.settings.format, false)?;
                        (state.settings.format, OutputSink::Workbook(Box::new(file)))
                    }
                    FileFormat::Parquet => {
                        return Err(
                            "\\o writes text or .xlsx; for Parquet use COPY (query) TO 'file.parquet' STORED AS PARQUET"
                                .into(),
                        );
                    }
                };
                if let Some(old) = state.output.take() {
                    match old.close() {
                        Ok(done) => writeln!(out, "{done}.").map_err(w)?,
                        Err(e) => writeln!(out, "error: {e}").map_err(w)?,
                    }
                }
                let shown = match sink {
                    OutputSink::Text(_) => format.name(),
                    OutputSink::Workbook(_) => "Excel workbook, saved when \\o closes it",
                };
                writeln!(out, "Results go to {} ({shown}).", path.display()).map_err(w)?;
                state.output = Some(OutputFile { path, format, sink });
            }
        },
        "\\i" => {
            let path = PathBuf::from(unquote(arg.ok_or("\\i FILE")?));
            let source = Source::read(&path)?;
            run_script(ctx, state, &source, out).await?;
        }
        "\\chart" => {
            let last = state
                .last
                .as_ref()
                .ok_or("no result to chart yet: run a query first")?;
            let mut cols = rest.split_whitespace();
            let (label, value) = (cols.next(), cols.next());
            let (label, value) = match (label, value) {
                (Some(l), None) => (None, Some(l)),
                other => other,
            };
            let width = (state.width)().unwrap_or(100);
            let (schema, batches) =
                super::units::convert(&last.schema, &last.batches, state.settings.unit)
                    .map_err(|e| e.to_string())?;
            let text = chart::render(&schema, &batches, label, value, width)?;
            write!(out, "{text}").map_err(w)?;
        }
        "\\excel" => {
            let last = state
                .last
                .as_ref()
                .ok_or("no result to open yet: run a query first")?;
            let (schema, batches) =
                super::units::convert(&last.schema, &last.batches, state.settings.unit)
                    .map_err(|e| e.to_string())?;
            let path = temporary_workbook();
            let mut file = FileOutput::create(&path, Format::Table, false)?;
            file.write(&schema, &batches)?;
            file.commit()?;
            writeln!(out, "Wrote {}", path.display()).map_err(w)?;
            match open_on_desktop(&path) {
                Ok(opener) => writeln!(out, "Opening it with {opener}.").map_err(w)?,
                Err(why) => writeln!(out, "Not opened: {why}.").map_err(w)?,
            }
        }
        "\\set" => match rest.split_once(char::is_whitespace) {
            Some((name, value)) => {
                state.params.set(name, unquote(value.trim()));
            }
            None if rest.is_empty() => {
                if state.params.is_empty() {
                    writeln!(out, "No parameters set (\\set NAME VALUE binds $NAME).")
                        .map_err(w)?;
                }
                for (k, v) in state.params.iter() {
                    writeln!(out, "${k} = {v}").map_err(w)?;
                }
            }
            None => return Err(format!("\\set {rest} VALUE")),
        },
        "\\unset" => {
            let name = arg.ok_or("\\unset NAME")?;
            if !state.params.unset(name) {
                return Err(format!("${} is not set", name.trim_start_matches('$')));
            }
        }
        other => return Err(format!("unknown command {other}; \\? lists them")),
    }
    out.flush().map_err(w)?;
    Ok(Flow::Continue)
}

/// Runs a script (`\i`) in the REPL's state; Ctrl-C stops it.
pub async fn run_script(
    ctx: &SessionContext,
    state: &mut ShellState,
    source: &Source,
    out: &mut dyn Write,
) -> Result<(), String> {
    let settings = state.current_settings();
    let params = state.params.clone();
    let run = Run {
        ctx,
        params: &params,
        settings,
        continue_on_error: false,
        // A failed statement must leave nothing in a `\o` workbook that lives on.
        stream_to_file: false,
    };
    let mut notes = std::io::stderr();
    let mut errors = std::io::stderr();
    let summary = {
        let mut dest = match state.output.as_mut() {
            Some(o) => o.destination(),
            None => Destination::Writer(out),
        };
        tokio::select! {
            s = run.run(source, &mut dest, &mut notes, &mut errors) => Some(s),
            _ = super::interrupt::ctrl_c() => None,
        }
    };
    if let Some(o) = state.output.as_mut() {
        let _ = o.flush();
    }
    match summary {
        None => Err("Cancelled.".into()),
        Some(s) => {
            if s.last.is_some() {
                state.last = s.last;
            }
            // Errors were printed as they happened.
            Ok(())
        }
    }
}

/// A new workbook's path in the temporary directory, unique to this process and moment.
fn temporary_workbook() -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static COUNT: AtomicUsize = AtomicUsize::new(0);
    let n = COUNT.fetch_add(1, Ordering::Relaxed);
    let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S");
    std::env::temp_dir().join(format!("yusuan-{stamp}-{}-{n}.xlsx", std::process::id()))
}

/// The desktop's program for opening files, when there is one to use here.
fn desktop_opener() -> Result<(&'static str, Vec<&'static str>), String> {
    if cfg!(windows) {
        // `start` takes a window title first: an empty one.
        return Ok(("cmd", vec!["/c", "start", ""]));
    }
    let program = if cfg!(target_os = "macos") {
        "open"
    } else {
        let display = ["DISPLAY", "WAYLAND_DISPLAY"]
            .iter()
            .any(|v| std::env::var_os(v).is_some_and(|d| !d.is_empty()));
        if !display {
            return Err("no display (DISPLAY or WAYLAND_DISPLAY is not set)".into());
        }
        "xdg-open"
    };
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(program).is_file()))
        .unwrap_or(false);
    if !on_path {
        return Err(format!("{program} is not on PATH"));
    }
    Ok((program, Vec::new()))
}

/// Opens `path` in the desktop's program for it, without waiting for it; the opener's name.
fn open_on_desktop(path: &std::path::Path) -> Result<String, String> {
    use std::process::{Command, Stdio};
    let (program, args) = desktop_opener()?;
    let mut child = Command::new(program)
        .args(args)
        .arg(path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("{program} did not start: {e}"))?;
    // Reaped in the background so that it leaves no zombie.
    std::thread::spawn(move || child.wait());
    Ok(program.to_string())
}

/// `'file name'` -> `file name`.
fn unquote(s: &str) -> &str {
    let s = s.trim();
    for q in ['\'', '"'] {
        if s.len() >= 2 && s.starts_with(q) && s.ends_with(q) {
            return &s[1..s.len() - 1];
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_lists_every_command() {
        let h = help();
        for c in COMMANDS {
            assert!(h.contains(c.name), "{}", c.name);
        }
    }

    #[tokio::test]
    async fn settings_change() {
        let ctx = SessionContext::new();
        let mut state = ShellState::new(Settings::default(), || Some(80));
        let mut out = Vec::new();
        run(&ctx, &mut state, "\\unit wan", &mut out).await.unwrap();
        assert_eq!(state.settings.unit, Unit::Wan);
        run(&ctx, &mut state, "\\maxrows 5", &mut out)
            .await
            .unwrap();
        assert_eq!(state.settings.table.max_rows, Some(5));
        run(&ctx, &mut state, "\\format csv", &mut out)
            .await
            .unwrap();
        assert_eq!(state.settings.format, Format::Csv);
        run(&ctx, &mut state, "\\set org '万源'", &mut out)
            .await
            .unwrap();
        assert_eq!(state.params.get("org"), Some("万源"));
        assert!(
            run(&ctx, &mut state, "\\unit euro", &mut out)
                .await
                .is_err()
        );
        assert!(run(&ctx, &mut state, "\\nope", &mut out).await.is_err());
        assert_eq!(run(&ctx, &mut state, "\\q", &mut out).await, Ok(Flow::Quit));
    }
}
