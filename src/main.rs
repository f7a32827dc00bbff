//! The `yusuan` command: parses arguments, dispatches to the library, maps errors to exit
//! codes. Everything else lives in the library (`src/lib.rs`).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use yusuan::lake::{DEFAULT_LAKE, Lake};
use yusuan::shell::exec;
use yusuan::shell::print_format::Format;

/// The bundled sample documents, ingested on first use of the default lake.
const BUNDLED_DOCS: &str = "data/docs";

#[derive(Parser)]
#[command(name = "yusuan", version, about = "SQL over Chinese government budget disclosures (部门预算 / 部门决算)")]
struct Cli {
    /// The lake directory.
    #[arg(long, global = true, env = "YUSUAN_LAKE", default_value = DEFAULT_LAKE)]
    lake: PathBuf,

    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run SQL statements and print their results.
    Sql {
        /// SQL to run (several statements separated by ';').
        #[arg(short = 'c', long = "command", conflicts_with = "file")]
        command: Option<String>,
        /// A SQL script to run.
        #[arg(short = 'f', long = "file")]
        file: Option<PathBuf>,
        /// Output format: table, csv, json, ndjson, markdown.
        #[arg(long, default_value = "table")]
        format: Format,
        /// Write results to this file instead of standard output.
        #[arg(short = 'o', long = "output")]
        output: Option<PathBuf>,
    },
    /// Parse, check and store documents (files or folders) in the lake.
    Ingest {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Parse and check documents and print the findings, without storing anything.
    Check {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<ExitCode, String> {
    let lake = Lake::open(&cli.lake)
        .map_err(|e| format!("cannot open the lake at {}: {e}", cli.lake.display()))?;
    match cli.command {
        None => {
            bootstrap_sample(&cli.lake, &lake)?;
            let ctx = context(&lake).await?;
            yusuan::shell::repl::run(&ctx).await.map_err(|e| e.to_string())?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Sql {
            command,
            file,
            format,
            output,
        }) => {
            let (sql, script) = match (command, file) {
                (Some(sql), None) => (sql, None),
                (None, Some(file)) => {
                    let sql = fs::read_to_string(&file)
                        .map_err(|e| format!("{}: {e}", file.display()))?;
                    (sql, Some(file))
                }
                _ => return Err("give SQL with -c \"…\" or a script with -f FILE".into()),
            };
            bootstrap_sample(&cli.lake, &lake)?;
            let ctx = context(&lake).await?;
            run_sql(&ctx, &sql, script.as_deref(), format, output.as_deref()).await?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Ingest { paths }) => Ok(ingest(&lake, &paths)),
        Some(Command::Check { paths }) => Ok(check(&paths)),
    }
}

async fn context(lake: &Lake) -> Result<yusuan::datafusion::prelude::SessionContext, String> {
    yusuan::session::new_context(lake)
        .await
        .map_err(|e| format!("cannot open the lake at {}: {e}", lake.root().display()))
}

/// On a fresh clone the default lake is empty: fill it from the bundled documents, saying so.
fn bootstrap_sample(lake_arg: &Path, lake: &Lake) -> Result<(), String> {
    let bundled = Path::new(BUNDLED_DOCS);
    if lake_arg != Path::new(DEFAULT_LAKE)
        || !bundled.is_dir()
        || !lake.is_empty().map_err(|e| e.to_string())?
    {
        return Ok(());
    }
    eprintln!(
        "The lake at {} is empty: building it from the sample documents in {} (first run only).",
        lake.root().display(),
        bundled.display()
    );
    if ingest(lake, &[bundled.to_path_buf()]) != ExitCode::SUCCESS {
        return Err(format!("could not build the lake from {}", bundled.display()));
    }
    Ok(())
}

async fn run_sql(
    ctx: &yusuan::datafusion::prelude::SessionContext,
    sql: &str,
    script: Option<&Path>,
    format: Format,
    output: Option<&Path>,
) -> Result<(), String> {
    match output {
        None => {
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            exec::run_script(ctx, sql, script, format, &mut out)
                .await
                .map_err(|e| e.to_string())?;
        }
        Some(path) => {
            // Written aside and renamed, so a failed run leaves no partial file.
            let tmp = path.with_extension("yusuan-partial");
            let mut file = fs::File::create(&tmp).map_err(|e| format!("{}: {e}", tmp.display()))?;
            let result = exec::run_script(ctx, sql, script, format, &mut file).await;
            let flushed = file.flush().and_then(|_| file.sync_all());
            if let Err(e) = result {
                let _ = fs::remove_file(&tmp);
                return Err(e.to_string());
            }
            flushed.map_err(|e| format!("{}: {e}", tmp.display()))?;
            fs::rename(&tmp, path).map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    Ok(())
}

fn ingest(lake: &Lake, paths: &[PathBuf]) -> ExitCode {
    let mut failed = Vec::new();
    let mut stored = 0;
    for arg in paths {
        let files = match yusuan::ingest::collect_paths(arg) {
            Ok(files) => files,
            Err(e) => {
                failed.push(format!("{}: {e}", arg.display()));
                continue;
            }
        };
        for path in files {
            match yusuan::ingest::ingest(lake, &path) {
                Ok((loaded, summary)) => {
                    stored += 1;
                    eprintln!(
                        "{} {} ({} {} {}, {} tables): {} facts, {} narrative figures, {} targets, {} findings{}",
                        if summary.replaced { "replaced" } else { "ingested" },
                        path.display(),
                        loaded.doc.meta.org_name,
                        loaded.doc.meta.fiscal_year,
                        loaded.doc.meta.phase.as_str(),
                        loaded.doc.tables.len(),
                        summary.facts,
                        summary.narrative,
                        summary.targets,
                        summary.findings,
                        if summary.replaced { " (same document, replaced)" } else { "" },
                    );
                }
                Err(e) => failed.push(e.to_string()),
            }
        }
    }
    eprintln!("{stored} document(s) stored, {} failed", failed.len());
    for f in &failed {
        eprintln!("error: {f}");
    }
    if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn check(paths: &[PathBuf]) -> ExitCode {
    let mut errors = 0;
    let mut failed = false;
    for arg in paths {
        let files = yusuan::ingest::collect_paths(arg).unwrap_or_else(|_| vec![arg.clone()]);
        for path in files {
            match yusuan::ingest::load(&path) {
                Ok(loaded) => {
                    println!("{} ({} findings)", path.display(), loaded.findings.len());
                    for f in &loaded.findings {
                        let lines: Vec<String> = f.lines.iter().map(u32::to_string).collect();
                        println!("  {:<7} {} line {}: {}", f.severity.as_str(), f.rule, lines.join(","), f.message);
                        if f.severity == yusuan::checks::Severity::Error {
                            errors += 1;
                        }
                    }
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    failed = true;
                }
            }
        }
    }
    if failed || errors > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
