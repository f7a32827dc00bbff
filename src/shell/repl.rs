//! The interactive shell: statements end at `;`, `\q` or Ctrl-D leaves.

use std::io::Write;

use datafusion::execution::context::SessionContext;
use rustyline::DefaultEditor;
use rustyline::error::ReadlineError;

use super::exec;
use super::print_format::Format;

const HELP: &str = "\
Type SQL ending with ';'. Meta commands:
  \\d          list tables and views
  \\d NAME     columns of a table or view
  \\format F   table | csv | json | ndjson | markdown
  \\q          quit (or Ctrl-D)
";

/// Runs the REPL until the user leaves.
pub async fn run(ctx: &SessionContext) -> rustyline::Result<()> {
    let mut editor = DefaultEditor::new()?;
    let mut format = Format::Table;
    let mut buffer = String::new();
    println!("yusuan {} — type \\? for help, \\q to quit", env!("CARGO_PKG_VERSION"));
    loop {
        let prompt = if buffer.is_empty() { "yusuan> " } else { "     -> " };
        match editor.readline(prompt) {
            Ok(line) => {
                let trimmed = line.trim();
                if buffer.is_empty() && trimmed.starts_with('\\') {
                    let _ = editor.add_history_entry(trimmed);
                    match meta(ctx, trimmed, &mut format).await {
                        Some(()) => continue,
                        None => break,
                    }
                }
                buffer.push_str(&line);
                buffer.push('\n');
                if trimmed.ends_with(';') {
                    let sql = std::mem::take(&mut buffer);
                    let _ = editor.add_history_entry(sql.trim());
                    let mut out = std::io::stdout();
                    if let Err(e) = exec::run_script(ctx, &sql, None, format, &mut out).await {
                        eprintln!("error: {}", e.message);
                    }
                }
            }
            Err(ReadlineError::Interrupted) => buffer.clear(),
            Err(ReadlineError::Eof) => break,
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Runs a meta command; `None` means quit.
async fn meta(ctx: &SessionContext, command: &str, format: &mut Format) -> Option<()> {
    let mut words = command.split_whitespace();
    let name = words.next().unwrap_or("");
    let arg = words.next();
    let mut out = std::io::stdout();
    let sql = match (name, arg) {
        ("\\q", _) => return None,
        ("\\?", _) | ("\\h", _) => {
            print!("{HELP}");
            return Some(());
        }
        ("\\d", None) => "SELECT table_schema, table_name, table_type FROM information_schema.tables \
             WHERE table_schema <> 'information_schema' ORDER BY table_schema, table_name"
            .to_string(),
        ("\\d", Some(table)) => format!(
            "SELECT column_name, data_type, is_nullable FROM information_schema.columns \
             WHERE table_name = '{}' ORDER BY ordinal_position",
            table.replace('\'', "''")
        ),
        ("\\format", Some(f)) => {
            match f.parse() {
                Ok(f) => *format = f,
                Err(e) => eprintln!("error: {e}"),
            }
            return Some(());
        }
        _ => {
            eprintln!("unknown command {command}; \\? for help");
            return Some(());
        }
    };
    if let Err(e) = exec::run_statement(ctx, &sql, *format, &mut out).await {
        eprintln!("error: {e}");
    }
    let _ = out.flush();
    Some(())
}
