//! The interactive shell: `yusuan` with no arguments.
//!
//! Statements end at `;` and may span lines (kept as one history entry). History lives in
//! `YUSUAN_HISTORY` or `~/.yusuan_history`, up to 10,000 entries, appended as each
//! statement runs; Ctrl-R searches it. Ctrl-C cancels a running query and returns to the
//! prompt (the query's tasks are dropped, so its work stops); at the prompt it clears the
//! line. Ctrl-D or `\q` leaves. When standard input is not a terminal, the same shell reads
//! it line by line (meta commands included) and stops at the first error.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use datafusion::execution::context::SessionContext;
use rustyline::Editor;
use rustyline::config::{CompletionType, Config, EditMode};
use rustyline::error::ReadlineError;
use rustyline::history::FileHistory;

use super::command::{self, Flow, ShellState};
use super::exec::{self, Destination, ResultKind, RunError, Settings};
use super::helper::{Names, ShellHelper};
use super::params;
use super::print_format::TableOptions;
use super::script;

/// Rows a table shows in the REPL before it is cut in the middle.
pub const DEFAULT_MAX_ROWS: usize = 40;

const PROMPT: &str = "yusuan> ";

/// The history file: `YUSUAN_HISTORY`, or `.yusuan_history` in the home directory.
pub fn history_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("YUSUAN_HISTORY") {
        return (!p.is_empty()).then(|| PathBuf::from(p));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".yusuan_history"))
}

/// The width of the terminal on standard output, if it is one.
pub fn terminal_width() -> Option<usize> {
    if !std::io::stdout().is_terminal() {
        return None;
    }
    #[cfg(unix)]
    {
        let mut size = libc::winsize {
            ws_row: 0,
            ws_col: 0,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        // SAFETY: TIOCGWINSZ fills a winsize struct we own.
        let ok = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut size) } == 0;
        if ok && size.ws_col > 0 {
            return Some(size.ws_col as usize);
        }
    }
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .or(Some(100))
}

/// Whether to colour: a terminal, and no `NO_COLOR`.
pub fn use_color() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Runs the REPL until the user leaves. With standard input not a terminal, runs it as a
/// script and reports whether every statement succeeded.
pub async fn run(ctx: &SessionContext) -> Result<bool, String> {
    let settings = Settings {
        table: TableOptions {
            max_rows: Some(DEFAULT_MAX_ROWS),
            ..TableOptions::default()
        },
        ..Settings::default()
    };
    if !std::io::stdin().is_terminal() {
        return run_piped(ctx, settings).await;
    }

    // From here on Ctrl-C cancels queries instead of killing the shell.
    super::interrupt::install();
    let config = Config::builder()
        .max_history_size(10_000)
        .map_err(|e| e.to_string())?
        .history_ignore_dups(true)
        .map_err(|e| e.to_string())?
        .history_ignore_space(true)
        .auto_add_history(false)
        .completion_type(CompletionType::List)
        .edit_mode(EditMode::Emacs)
        .build();
    let mut editor: Editor<ShellHelper, FileHistory> =
        Editor::with_config(config).map_err(|e| e.to_string())?;
    editor.set_helper(Some(ShellHelper::new(Names::load(ctx).await, use_color())));
    let history = history_path();
    if let Some(path) = &history {
        // A missing file is a first run.
        let _ = editor.load_history(path);
    }
    let mut state = ShellState::new(settings, terminal_width);
    println!(
        "yusuan {} — SQL over budget disclosures. \\? for help, \\d for tables, \\q to quit.",
        env!("CARGO_PKG_VERSION")
    );
    loop {
        let input = match editor.readline(PROMPT) {
            Ok(input) => input,
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(e) => return Err(e.to_string()),
        };
        let trimmed = input.trim();
        if trimmed.is_empty() {
            continue;
        }
        let _ = editor.add_history_entry(input.trim_end());
        if let Some(path) = &history
            && let Err(e) = editor.append_history(path)
        {
            eprintln!("warning: cannot save history to {}: {e}", path.display());
        }
        if matches!(trimmed, "quit" | "exit") {
            break;
        }
        let (flow, changed, _ok) = handle(ctx, &mut state, &input).await;
        if changed && let Some(helper) = editor.helper_mut() {
            helper.names = Names::load(ctx).await;
        }
        if flow == Flow::Quit {
            break;
        }
    }
    close_output(&mut state);
    Ok(true)
}

/// Closes a `\o` file on the way out (a workbook is saved then, and said so); whether
/// that went well.
fn close_output(state: &mut ShellState) -> bool {
    let Some(o) = state.output.take() else {
        return true;
    };
    let workbook = matches!(o.sink, command::OutputSink::Workbook(_));
    match o.close() {
        Ok(done) => {
            if workbook {
                eprintln!("{done}.");
            }
            true
        }
        Err(e) => {
            eprintln!("error: {e}");
            false
        }
    }
}

/// Runs one input (a meta command or statements): whether to go on, whether the catalog
/// may have changed, whether it succeeded.
async fn handle(ctx: &SessionContext, state: &mut ShellState, input: &str) -> (Flow, bool, bool) {
    let trimmed = input.trim();
    if trimmed.starts_with('\\') {
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        return match command::run(ctx, state, trimmed, &mut out).await {
            Ok(flow) => (flow, false, true),
            Err(e) => {
                eprintln!("error: {e}");
                (Flow::Continue, false, false)
            }
        };
    }
    let (changed, ok) = run_statements(ctx, state, input).await;
    (Flow::Continue, changed, ok)
}

/// Standard input that is not a terminal: the same shell, reading lines until each input
/// is complete (a meta command, or SQL ending in `;`). Whether everything succeeded.
async fn run_piped(ctx: &SessionContext, settings: Settings) -> Result<bool, String> {
    super::interrupt::install();
    let mut state = ShellState::new(settings, || None);
    let mut all_ok = true;
    let mut buffer = String::new();
    let mut line = String::new();
    let stdin = std::io::stdin();
    loop {
        line.clear();
        let n = stdin
            .read_line(&mut line)
            .map_err(|e| format!("reading standard input: {e}"))?;
        if n > 0 {
            buffer.push_str(&line);
            if !super::helper::is_complete(&buffer) {
                continue;
            }
        }
        if !buffer.trim().is_empty() {
            let input = std::mem::take(&mut buffer);
            let trimmed = input.trim();
            if matches!(trimmed, "quit" | "exit") {
                break;
            }
            let (flow, _, ok) = handle(ctx, &mut state, &input).await;
            all_ok &= ok;
            if flow == Flow::Quit || !ok {
                break;
            }
        }
        if n == 0 {
            break;
        }
    }
    all_ok &= close_output(&mut state);
    Ok(all_ok)
}

/// Runs the statements typed at the prompt: whether any may have changed the catalog, and
/// whether all succeeded.
async fn run_statements(ctx: &SessionContext, state: &mut ShellState, input: &str) -> (bool, bool) {
    let statements = script::split(input);
    let unbound = params::unbound(&statements, &state.params);
    if !unbound.is_empty() {
        for u in unbound {
            eprintln!("error: ${} has no value (\\set {} VALUE)", u.name, u.name);
        }
        return (false, false);
    }
    let mut changed = false;
    let mut ok = true;
    for statement in statements {
        match exec::execute_cancellable(ctx, &statement.text, &state.params).await {
            Ok(result) => {
                let settings = state.current_settings();
                let stdout = std::io::stdout();
                let mut screen = stdout.lock();
                let emitted = match state.output.as_mut() {
                    Some(o) => {
                        let r = exec::emit(
                            &result,
                            &settings,
                            &mut o.destination(),
                            &mut std::io::stderr(),
                        );
                        let _ = o.flush();
                        r
                    }
                    None => exec::emit(
                        &result,
                        &settings,
                        &mut Destination::Writer(&mut screen),
                        &mut std::io::stderr(),
                    ),
                };
                if let Err(e) = emitted {
                    eprintln!("error: {e}");
                    ok = false;
                }
                match result.kind {
                    ResultKind::Rows => state.last = Some(result),
                    ResultKind::Empty | ResultKind::Count => changed = true,
                }
            }
            Err(RunError::Cancelled) => {
                eprintln!("Cancelled.");
                ok = false;
                break;
            }
            Err(RunError::Failed(e)) => {
                eprintln!("error: {}", exec::message(&e));
                ok = false;
                break;
            }
        }
    }
    let _ = std::io::stdout().flush();
    (changed, ok)
}
