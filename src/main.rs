//! The `yusuan` command: parses arguments, dispatches to the library, maps errors to exit
//! codes. Everything else lives in the library (`src/lib.rs`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use yusuan::checks::report::{self, Checked, FailOn};
use yusuan::ingest::progress::Progress;
use yusuan::ingest::{BatchOptions, Outcome};
use yusuan::lake::{DEFAULT_LAKE, Lake};
use yusuan::shell::batch::{self, Run, Source};
use yusuan::shell::exec::Settings;
use yusuan::shell::interrupt;
use yusuan::shell::output::FileFormat;
use yusuan::shell::params::{self, Params};
use yusuan::shell::print_format::{Format, TableOptions};
use yusuan::shell::units::Unit;

/// The bundled sample documents, ingested on first use of the default lake.
const BUNDLED_DOCS: &str = "data/docs";

#[derive(Parser)]
#[command(
    name = "yusuan",
    version,
    about = "SQL over Chinese government budget disclosures (部门预算 / 部门决算)"
)]
struct Cli {
    /// The lake directory.
    #[arg(long, global = true, env = "YUSUAN_LAKE", default_value = DEFAULT_LAKE)]
    lake: PathBuf,

    /// Cap the memory of queries (512M, 2G, …): big sorts and aggregations spill to disk,
    /// a query that cannot spill fails with a clear message.
    #[arg(long, global = true, env = "YUSUAN_MEMORY_LIMIT", value_parser = yusuan::synth::parse_bytes)]
    memory_limit: Option<usize>,

    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run SQL statements and print their results.
    ///
    /// Parameters (`--param year=2021`) bind `$year` as a real query parameter; an unbound
    /// parameter is an error before anything runs. The first failing statement stops the
    /// run with `FILE:LINE: message` on stderr and a non-zero exit status; Ctrl-C stops it
    /// with status 130.
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
        /// Write results to this file, its format from the extension (.csv, .json,
        /// .ndjson, .parquet, .md, .xlsx; .txt or none: the --format); written aside and
        /// renamed, so a failed run leaves none.
        #[arg(short = 'o', long = "output")]
        output: Option<PathBuf>,
        /// Start CSV output with a UTF-8 byte order mark, so that Excel reads Chinese text
        /// right (CSV only).
        #[arg(long)]
        bom: bool,
        /// Bind a query parameter: NAME=VALUE makes $NAME that value (repeatable).
        #[arg(short = 'p', long = "param", value_name = "NAME=VALUE", value_parser = params::parse_assignment)]
        params: Vec<(String, String)>,
        /// Go on after a failing statement (the exit status is still non-zero).
        #[arg(long)]
        continue_on_error: bool,
        /// Show amounts in yuan (元) or wan (万元), exactly.
        #[arg(long, default_value = "yuan")]
        unit: Unit,
        /// Cut tables longer than N rows in the middle (table format).
        #[arg(long, value_name = "N")]
        maxrows: Option<usize>,
    },
    /// Parse, check and store documents (files or folders) in the lake.
    Ingest {
        /// Documents, or folders to search recursively.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Ingest documents already in the lake (same bytes) again, and let a new version
        /// replace the live one even when it reads fewer standard tables (a truncated copy
        /// is refused otherwise).
        #[arg(long)]
        force: bool,
        /// Documents parsed at once (default: the number of cores).
        #[arg(long, short = 'j')]
        jobs: Option<usize>,
        #[command(flatten)]
        meta: MetaArgs,
    },
    /// Parse and check documents and print the findings, without storing anything.
    Check {
        /// Documents, or folders to search recursively.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Output format: text (grouped, with the quoted lines) or json.
        #[arg(long, default_value = "text", value_parser = ["text", "json"])]
        format: String,
        /// Exit 1 when a finding of this severity or worse exists: warning, error, never.
        #[arg(long, default_value = "error")]
        fail_on: FailOn,
        /// One line per document (status, organisation, year, phase, tables found /
        /// expected, unread numbers) and a total line, instead of the findings.
        #[arg(long)]
        summary: bool,
        #[command(flatten)]
        meta: MetaArgs,
    },
    /// Show what the parser saw in a document: metadata and where each field came from,
    /// each table region with its lines, statement and unit, and every number's fate.
    Inspect {
        /// The document.
        file: PathBuf,
        /// Show only this table: its number in the list (1, 2, …) or a statement id or
        /// a part of its title (income_by_func, 三公).
        #[arg(long, short = 't', value_name = "N|NAME")]
        table: Option<String>,
        #[command(flatten)]
        meta: MetaArgs,
    },
    /// Write Parquet for BI tools and notebooks, with its data dictionary (profiles bi, archive).
    Export {
        #[command(flatten)]
        args: yusuan::export::ExportArgs,
    },
    /// Generate synthetic disclosures (N departments x M years): text documents or a lake.
    Gen {
        /// Where to write: a folder of documents (text) or a new lake directory (lake).
        #[arg(long)]
        out: PathBuf,
        /// text (documents in the seed's format) or lake (Parquet, compacted layout).
        #[arg(long, default_value = "lake", value_parser = |s: &str| s.parse::<yusuan::synth::GenFormat>())]
        format: yusuan::synth::GenFormat,
        /// Number of departments (20 per region).
        #[arg(long, value_parser = yusuan::synth::parse_count, conflicts_with = "facts")]
        departments: Option<u64>,
        /// Size the lake by facts instead (10M, 1e8, …).
        #[arg(long, value_parser = yusuan::synth::parse_count)]
        facts: Option<u64>,
        /// Fiscal years, e.g. 2015-2024.
        #[arg(long, default_value = "2015-2024", value_parser = yusuan::synth::parse_years)]
        years: std::ops::RangeInclusive<i32>,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Share of documents with an injected defect.
        #[arg(long, default_value_t = 0.02)]
        defect_rate: f64,
    },
    /// Serve the lake over the PostgreSQL protocol, read-only: psql, DBeaver, Metabase,
    /// Superset, Grafana and drivers (JDBC, psycopg) connect as to a PostgreSQL server.
    ///
    /// Users and their password verifiers come from --users (NAME:VERIFIER lines; make a
    /// verifier with --hash-password). Only queries run: DDL, writes, COPY and reading
    /// files outside the lake are refused. Each connection has its own session, memory
    /// limit and statement timeout; documents ingested while it runs are seen by the next
    /// statement.
    Serve {
        /// Address to listen on. Anything but loopback needs --allow-remote and TLS.
        #[arg(long, default_value = "127.0.0.1:5433")]
        listen: std::net::SocketAddr,
        /// The users file: NAME:SCRAM-SHA-256$… lines.
        #[arg(
            long,
            env = "YUSUAN_SERVE_USERS",
            required_unless_present = "hash_password"
        )]
        users: Option<PathBuf>,
        /// PEM certificate chain for TLS (with --tls-key). A certificate that cannot be
        /// loaded stops the server.
        #[arg(long, requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// PEM private key for TLS (with --tls-cert).
        #[arg(long, requires = "tls_cert")]
        tls_key: Option<PathBuf>,
        /// Allow listening on an address other than loopback (TLS is still required).
        #[arg(long)]
        allow_remote: bool,
        /// The longest a statement may run (30s, 5m, 500ms); a client may set a shorter
        /// statement_timeout.
        #[arg(long, default_value = "5m", value_parser = parse_duration)]
        statement_timeout: std::time::Duration,
        /// The query memory of each connection (512M, 2G): sorts and aggregations spill
        /// past it, a query that cannot spill fails.
        #[arg(long, default_value = "1G", value_parser = yusuan::synth::parse_bytes)]
        connection_memory: usize,
        /// Connections served at once.
        #[arg(long, default_value_t = 64)]
        max_connections: usize,
        /// Read a password from stdin, print its verifier for the users file, and exit.
        #[arg(long)]
        hash_password: bool,
    },
    /// Rewrite each lake partition into large sorted files (atomically).
    Compact {
        /// Only these tables (default: all).
        #[arg(long = "table")]
        tables: Vec<String>,
        /// Rows per row group.
        #[arg(long, default_value = "1M", value_parser = yusuan::synth::parse_count)]
        row_group_rows: u64,
        /// Rewrite partitions that are already compacted too.
        #[arg(long)]
        force: bool,
    },
}

/// Metadata given by the user, for documents whose own is missing or wrong.
#[derive(clap::Args, Clone, Default)]
struct MetaArgs {
    /// The organisation (department or unit), instead of what the document says.
    #[arg(long)]
    org: Option<String>,
    /// The fiscal year, instead of what the document says.
    #[arg(long)]
    year: Option<i32>,
    /// budget (预算) or final (决算), instead of what the document says.
    #[arg(long, value_parser = parse_phase)]
    phase: Option<yusuan::model::Phase>,
    /// The issuing government (e.g. 深圳市), instead of what the document says.
    #[arg(long)]
    region: Option<String>,
}

impl MetaArgs {
    fn overrides(&self) -> yusuan::model::MetaOverrides {
        yusuan::model::MetaOverrides {
            org_name: self.org.clone(),
            fiscal_year: self.year,
            phase: self.phase,
            region: self.region.clone(),
        }
    }
}

/// A duration: 500ms, 30s, 5m, 1h (a bare number is seconds).
fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let n: u64 = number
        .parse()
        .map_err(|_| format!("'{s}' is not a duration (500ms, 30s, 5m, 1h)"))?;
    let ms = match unit.trim() {
        "ms" => Some(n),
        "" | "s" => n.checked_mul(1000),
        "m" | "min" => n.checked_mul(60_000),
        "h" => n.checked_mul(3_600_000),
        _ => None,
    }
    .filter(|ms| *ms > 0)
    .ok_or_else(|| format!("'{s}' is not a duration (500ms, 30s, 5m, 1h)"))?;
    Ok(std::time::Duration::from_millis(ms))
}

fn parse_phase(s: &str) -> Result<yusuan::model::Phase, String> {
    match s {
        "budget" | "预算" => Ok(yusuan::model::Phase::Budget),
        "final" | "决算" => Ok(yusuan::model::Phase::Final),
        _ => Err(format!(
            "unknown phase '{s}': budget (预算) or final (决算)"
        )),
    }
}

static MEMORY_LIMIT: std::sync::OnceLock<Option<usize>> = std::sync::OnceLock::new();

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let _ = MEMORY_LIMIT.set(cli.memory_limit);
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
            let ok = yusuan::shell::repl::run(&ctx).await?;
            Ok(if ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Some(Command::Sql {
            command,
            file,
            format,
            output,
            bom,
            params: assignments,
            continue_on_error,
            unit,
            maxrows,
        }) => {
            // The output is checked before anything runs: a known extension, --bom for CSV.
            let written = match &output {
                Some(path) => FileFormat::for_path(path, format)?,
                None => FileFormat::Text(format),
            };
            if bom && written != FileFormat::Text(Format::Csv) {
                return Err("--bom is for CSV output (give --format csv or -o FILE.csv)".into());
            }
            let source = match (command, file) {
                (Some(text), None) => Source { text, file: None },
                (None, Some(file)) => Source::read(&file)?,
                _ => return Err("give SQL with -c \"…\" or a script with -f FILE".into()),
            };
            let mut bound = Params::new();
            for (name, value) in &assignments {
                bound.set(name, value);
            }
            bootstrap_sample(&cli.lake, &lake)?;
            let ctx = context(&lake).await?;
            let run = Run {
                ctx: &ctx,
                params: &bound,
                settings: Settings {
                    format,
                    unit,
                    table: TableOptions {
                        max_rows: maxrows.filter(|n| *n > 0),
                        ..TableOptions::default()
                    },
                    timing: false,
                },
                continue_on_error,
                stream_to_file: true,
            };
            interrupt::install();
            let finished = tokio::select! {
                ok = batch::run_to(&run, &source, output.as_deref(), bom) => Some(ok),
                _ = interrupt::ctrl_c() => None,
            };
            match finished {
                Some(ok) => Ok(if ok? {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::FAILURE
                }),
                None => {
                    // The run was dropped: a result file being written aside is removed.
                    // Exit at once rather than wait for busy query threads to wind down.
                    eprintln!("interrupted");
                    std::process::exit(130);
                }
            }
        }
        Some(Command::Ingest {
            paths,
            force,
            jobs,
            meta,
        }) => {
            let mut options = BatchOptions {
                force,
                overrides: meta.overrides(),
                ..BatchOptions::default()
            };
            if let Some(jobs) = jobs {
                options.jobs = jobs.max(1);
            }
            // The classification names are not recomputed here: on a lake of many
            // per-document files that is a scan of all of them, which the next session
            // does once (and caches) instead of every ingest of one more document.
            Ok(ingest(&lake, &paths, &options))
        }
        Some(Command::Check {
            paths,
            format,
            fail_on,
            summary,
            meta,
        }) => Ok(check(
            &paths,
            &CheckOptions {
                json: format == "json",
                fail_on,
                summary,
                overrides: meta.overrides(),
            },
        )),
        Some(Command::Inspect { file, table, meta }) => {
            let shown =
                yusuan::ingest::inspect::inspect(&file, table.as_deref(), &meta.overrides())
                    .map_err(|e| e.to_string())?;
            emit(&shown);
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Export { args }) => {
            bootstrap_sample(&cli.lake, &lake)?;
            let summary = yusuan::export::run(&lake, &args)
                .await
                .map_err(|e| e.to_string())?;
            eprintln!("{summary}");
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Gen {
            out,
            format,
            departments,
            facts,
            years,
            seed,
            defect_rate,
        }) => {
            let mut options = yusuan::synth::GenOptions {
                years,
                seed,
                defect_rate,
                ..Default::default()
            };
            options.departments = match (departments, facts) {
                (Some(d), _) => d as usize,
                (None, Some(f)) => options.departments_for_facts(f),
                (None, None) => options.departments,
            };
            let report = yusuan::synth::generate(format, &options, &out)
                .map_err(|e| format!("{}: {e}", out.display()))?;
            if format == yusuan::synth::GenFormat::Lake {
                let generated = Lake::open(&out).map_err(|e| format!("{}: {e}", out.display()))?;
                refresh_observed_names(&generated).await;
            }
            eprintln!("{report}");
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Serve {
            listen,
            users,
            tls_cert,
            tls_key,
            allow_remote,
            statement_timeout,
            connection_memory,
            max_connections,
            hash_password,
        }) => {
            if hash_password {
                let mut password = String::new();
                std::io::stdin()
                    .read_line(&mut password)
                    .map_err(|e| format!("cannot read the password from stdin: {e}"))?;
                let password = password.trim_end_matches(['\n', '\r']);
                if password.is_empty() {
                    return Err("the password read from stdin is empty".into());
                }
                let verifier = yusuan::serve::auth::hash_password(password)
                    .map_err(|e| format!("cannot make a salt: {e}"))?;
                println!("{verifier}");
                return Ok(ExitCode::SUCCESS);
            }
            let options = yusuan::serve::ServeOptions {
                listen,
                users: users.ok_or("give the users file with --users FILE")?,
                tls_cert,
                tls_key,
                allow_remote,
                statement_timeout,
                connection_memory,
                max_connections,
            };
            bootstrap_sample(&cli.lake, &lake)?;
            let root = cli.lake.display().to_string();
            yusuan::serve::run(&lake, &options, |addr, tls| {
                eprintln!(
                    "yusuan serve: listening on {addr} ({}), lake {root}",
                    if tls {
                        "TLS"
                    } else {
                        "plaintext, loopback only"
                    }
                );
            })
            .await?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Compact {
            tables,
            row_group_rows,
            force,
        }) => {
            let mut options = yusuan::lake::compact::CompactOptions {
                row_group_rows: row_group_rows.max(1) as usize,
                skip_compacted: !force,
                ..Default::default()
            };
            if let Some(limit) = cli.memory_limit {
                options.memory_limit = limit;
            }
            if !tables.is_empty() {
                options.tables = tables;
            }
            let report = yusuan::lake::compact::compact(&lake, &options)
                .await
                .map_err(|e| format!("compacting {}: {e}", cli.lake.display()))?;
            refresh_observed_names(&lake).await;
            eprintln!("{report}");
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn context(lake: &Lake) -> Result<yusuan::datafusion::prelude::SessionContext, String> {
    yusuan::session::new_context_with_memory_limit(lake, MEMORY_LIMIT.get().copied().flatten())
        .await
        .map_err(|e| format!("cannot open the lake at {}: {e}", lake.root().display()))
}

/// After compaction or generation rewrote the lake's files: compute the names
/// printed in its documents now, so the next session starts without scanning `facts`
/// (see `lake::observed_names`). A failure only costs that scan later: warn and go on.
async fn refresh_observed_names(lake: &Lake) {
    if let Err(e) = yusuan::functions::class_tables::observed_for_lake(lake).await {
        eprintln!("warning: could not cache the classification names of the lake: {e}");
    }
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
    if ingest(lake, &[bundled.to_path_buf()], &BatchOptions::default()) != ExitCode::SUCCESS {
        return Err(format!(
            "could not build the lake from {}",
            bundled.display()
        ));
    }
    Ok(())
}

fn ingest(lake: &Lake, paths: &[PathBuf], options: &BatchOptions) -> ExitCode {
    let mut progress = Progress::default();
    let outcomes =
        yusuan::ingest::ingest_paths(lake, paths, options, &mut |outcome, done, total| {
            progress.record(outcome, done, total)
        });
    eprint!("{}", progress.summary(&outcomes));
    if outcomes.iter().any(|o| matches!(o, Outcome::Failed(_))) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Writes to standard output; false when the reader has gone (`yusuan check | head`),
/// which ends the output quietly instead of panicking.
fn emit(text: &str) -> bool {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|_| out.flush())
        .is_ok()
}

/// How `yusuan check` runs.
struct CheckOptions {
    json: bool,
    fail_on: FailOn,
    summary: bool,
    overrides: yusuan::model::MetaOverrides,
}

fn check(paths: &[PathBuf], options: &CheckOptions) -> ExitCode {
    let mut unreadable = false;
    let mut failing = false;
    let mut documents = Vec::new();
    let mut totals = report::SummaryTotals::default();
    for arg in paths {
        let files = match yusuan::ingest::collect_paths(arg) {
            Ok(found) => {
                for (path, why) in &found.passed_over {
                    eprintln!("skipped   {} ({why})", path.display());
                }
                found.files
            }
            Err(_) => vec![arg.clone()],
        };
        for path in files {
            match yusuan::ingest::load_with(&path, &options.overrides) {
                Ok(loaded) => {
                    failing |= options.fail_on.fails(&loaded.findings);
                    let shown = path.display().to_string();
                    if options.summary {
                        if !emit(&totals.line(&shown, &loaded.doc, &loaded.findings)) {
                            return ExitCode::SUCCESS;
                        }
                        continue;
                    }
                    let doc = Checked {
                        path: &shown,
                        doc_id: &loaded.doc_id,
                        text: &loaded.text,
                        findings: &loaded.findings,
                    };
                    if options.json {
                        documents.push(report::render_json(&doc));
                    } else if !emit(&format!("{}\n", report::render_text(&doc))) {
                        return ExitCode::SUCCESS;
                    }
                }
                Err(e) => {
                    if options.summary {
                        if !emit(&totals.refused(&e.to_string())) {
                            return ExitCode::SUCCESS;
                        }
                    } else {
                        eprintln!("error: {e}");
                    }
                    unreadable = true;
                }
            }
        }
    }
    if options.summary && !emit(&totals.total()) {
        return ExitCode::SUCCESS;
    }
    if options.json && !options.summary && !emit(&format!("[{}]\n", documents.join(",\n"))) {
        return ExitCode::SUCCESS;
    }
    if unreadable {
        ExitCode::from(2)
    } else if failing {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
