//! The statement policy of `yusuan serve`: what a client may run.
//!
//! The server is read-only. A statement is let through only when it is a query (or
//! `EXPLAIN` of one, a cursor over one, `PREPARE` of one), a transaction statement, `SHOW`,
//! or `SET` of a client session setting. Everything else — DDL, `INSERT` / `UPDATE` /
//! `DELETE`, `COPY`, `SELECT … INTO`, `SET datafusion.…` — is refused with SQLSTATE
//! `25006` (read_only_sql_transaction) and a message naming what was refused. Table
//! functions that read files (`read_disclosure`, `read_parquet`, `read_csv`, …) and tables
//! named by a path are refused too (`42501`): a client sees the lake and nothing else.
//!
//! The check runs on the statement as the server will run it (parsed by
//! `datafusion-postgres`' PostgreSQL-compatibility parser, which also rewrites the catalog
//! queries clients send), before anything is planned.

use std::ops::ControlFlow;

use datafusion::sql::sqlparser::ast::{
    Expr, ObjectName, Query, Set, SetExpr, Statement, Visit, Visitor, visit_relations,
};
use datafusion_postgres::datafusion_pg_catalog::sql::PostgresCompatibilityParser;

/// Why a statement is refused: the SQLSTATE and the message the client sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: &'static str,
    pub message: String,
}

/// SQLSTATE for a write in a read-only transaction.
pub const READ_ONLY: &str = "25006";
/// SQLSTATE for insufficient privilege.
pub const NOT_PERMITTED: &str = "42501";
/// SQLSTATE for a syntax error.
pub const SYNTAX_ERROR: &str = "42601";

fn read_only(what: &str) -> Refusal {
    Refusal {
        code: READ_ONLY,
        message: format!(
            "{what} is not allowed: yusuan serve is read-only (queries, EXPLAIN, SHOW and session SET only)"
        ),
    }
}

/// Session settings a client may `SET`: the ones PostgreSQL clients send on connect,
/// and `statement_timeout` (capped by the server's own limit). DataFusion's settings
/// (`datafusion.…`) are the server's: memory, files and parallelism stay as configured.
const SETTABLE: &[&str] = &[
    "application_name",
    "bytea_output",
    "client_encoding",
    "client_min_messages",
    "datestyle",
    "extra_float_digits",
    "intervalstyle",
    "search_path",
    "standard_conforming_strings",
    "statement_timeout",
    "timezone",
    "time zone",
    "lock_timeout",
    "idle_in_transaction_session_timeout",
    "jit",
];

/// Table functions that read files from the server's disk.
fn reads_files(name: &str) -> bool {
    name.starts_with("read_")
        || name.ends_with("_metadata")
        || matches!(
            name,
            "parquet_scan" | "csv_scan" | "pg_read_file" | "pg_ls_dir"
        )
}

/// Splits `sql` into statements and checks each; the statements are returned for the
/// caller to run one at a time.
pub fn check_sql(
    parser: &PostgresCompatibilityParser,
    sql: &str,
) -> Result<Vec<Statement>, Refusal> {
    let statements = parser.parse(sql).map_err(|e| Refusal {
        code: SYNTAX_ERROR,
        message: format!("syntax error: {e}"),
    })?;
    for statement in &statements {
        check(statement)?;
    }
    Ok(statements)
}

/// Checks one statement against the policy.
pub fn check(statement: &Statement) -> Result<(), Refusal> {
    match statement {
        Statement::Query(query) => check_query(query),
        Statement::Explain { statement, .. } => match statement.as_ref() {
            Statement::Query(query) => check_query(query),
            other => check(other).and(Err(read_only("EXPLAIN of a non-query"))),
        },
        Statement::Declare { stmts } => {
            for declare in stmts {
                if let Some(query) = &declare.for_query {
                    check_query(query)?;
                }
            }
            Ok(())
        }
        Statement::Prepare { statement, .. } => match statement.as_ref() {
            Statement::Query(query) => check_query(query),
            _ => Err(read_only("PREPARE of a non-query")),
        },
        Statement::Execute { .. }
        | Statement::Deallocate { .. }
        | Statement::Fetch { .. }
        | Statement::Close { .. }
        | Statement::Discard { .. }
        | Statement::StartTransaction { .. }
        | Statement::Commit { .. }
        | Statement::Rollback { .. }
        | Statement::Savepoint { .. }
        | Statement::ReleaseSavepoint { .. }
        | Statement::ShowVariable { .. }
        | Statement::ShowVariables { .. }
        | Statement::ShowTables { .. }
        | Statement::ShowColumns { .. }
        | Statement::ShowSchemas { .. }
        | Statement::ShowCatalogs { .. }
        | Statement::ShowFunctions { .. }
        | Statement::ExplainTable { .. } => Ok(()),
        Statement::Set(set) => check_set(set),
        Statement::Copy { .. } => Err(read_only("COPY")),
        Statement::Insert(_) => Err(read_only("INSERT")),
        Statement::Update(_) => Err(read_only("UPDATE")),
        Statement::Delete(_) => Err(read_only("DELETE")),
        other => {
            let text = other.to_string();
            let words: Vec<&str> = text.split_whitespace().take(2).collect();
            Err(read_only(&words.join(" ").to_uppercase()))
        }
    }
}

fn check_set(set: &Set) -> Result<(), Refusal> {
    let allowed = |name: &ObjectName| {
        let name = name.to_string().to_lowercase();
        let name = name.trim_matches('"');
        if SETTABLE.contains(&name) {
            Ok(())
        } else {
            Err(Refusal {
                code: NOT_PERMITTED,
                message: format!(
                    "SET {name} is not allowed: a client may set only its session settings ({})",
                    SETTABLE.join(", ")
                ),
            })
        }
    };
    match set {
        Set::SingleAssignment { variable, .. } => allowed(variable),
        Set::ParenthesizedAssignments { variables, .. } => variables.iter().try_for_each(allowed),
        Set::MultipleAssignments { assignments } => {
            assignments.iter().try_for_each(|a| allowed(&a.name))
        }
        Set::SetTimeZone { .. } | Set::SetNames { .. } | Set::SetTransaction { .. } => Ok(()),
        other => Err(read_only(&format!("{other}"))),
    }
}

/// A query reads: no `SELECT … INTO`, no data-modifying body, no file-reading table
/// function, no table named by a path.
fn check_query(query: &Query) -> Result<(), Refusal> {
    struct Writes;
    impl Visitor for Writes {
        type Break = Refusal;
        fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<Refusal> {
            match body_writes(&query.body) {
                Some(r) => ControlFlow::Break(r),
                None => ControlFlow::Continue(()),
            }
        }
        fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<Refusal> {
            if let Expr::Function(f) = expr {
                let name = last_part(&f.name);
                if reads_files(&name) {
                    return ControlFlow::Break(file_refusal(&name));
                }
            }
            ControlFlow::Continue(())
        }
    }
    if let ControlFlow::Break(r) = query.visit(&mut Writes) {
        return Err(r);
    }
    let tables = visit_relations(query, |name| {
        let last = last_part(name);
        let full = name.to_string();
        if reads_files(&last) {
            ControlFlow::Break(file_refusal(&last))
        } else if full.contains('/') || full.contains('\\') || last.contains('.') {
            ControlFlow::Break(Refusal {
                code: NOT_PERMITTED,
                message: format!(
                    "reading {full} is not allowed: yusuan serve answers from its lake only (tables and views of the lake, not files)"
                ),
            })
        } else {
            ControlFlow::Continue(())
        }
    });
    match tables {
        ControlFlow::Break(r) => Err(r),
        ControlFlow::Continue(()) => Ok(()),
    }
}

fn body_writes(body: &SetExpr) -> Option<Refusal> {
    match body {
        SetExpr::Select(select) if select.into.is_some() => Some(read_only("SELECT … INTO")),
        SetExpr::Insert(_) => Some(read_only("INSERT")),
        SetExpr::Update(_) => Some(read_only("UPDATE")),
        SetExpr::Delete(_) => Some(read_only("DELETE")),
        SetExpr::Merge(_) => Some(read_only("MERGE")),
        SetExpr::SetOperation { left, right, .. } => {
            body_writes(left).or_else(|| body_writes(right))
        }
        _ => None,
    }
}

fn last_part(name: &ObjectName) -> String {
    name.0
        .last()
        .map(|p| p.to_string().trim_matches('"').to_lowercase())
        .unwrap_or_default()
}

fn file_refusal(name: &str) -> Refusal {
    Refusal {
        code: NOT_PERMITTED,
        message: format!(
            "{name}() is not allowed: yusuan serve reads no files outside its lake (ingest documents with `yusuan ingest`)"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_sql(sql: &str) -> Result<Vec<Statement>, Refusal> {
        super::check_sql(&PostgresCompatibilityParser::new(), sql)
    }

    fn refused(sql: &str) -> Refusal {
        match check_sql(sql) {
            Err(r) => r,
            Ok(_) => panic!("{sql} was let through"),
        }
    }

    #[test]
    fn queries_pass() {
        for sql in [
            "SELECT func_code, total FROM expenditure WHERE fiscal_year = 2021",
            "WITH t AS (SELECT 1 AS x) SELECT x FROM t UNION ALL SELECT 2",
            "EXPLAIN SELECT * FROM facts",
            "SHOW statement_timeout",
            "SET statement_timeout = '5s'",
            "SET application_name = 'x'",
            "SET TIME ZONE 'UTC'",
            "BEGIN",
            "SAVEPOINT s1",
            "RELEASE SAVEPOINT s1",
            "ROLLBACK TO SAVEPOINT s1",
            "COMMIT",
            "SELECT * FROM generate_series(1, 3)",
            "SELECT * FROM pg_catalog.pg_class",
            "SELECT n.nspname FROM pg_catalog.pg_namespace n",
        ] {
            assert!(check_sql(sql).is_ok(), "{sql}");
        }
    }

    #[test]
    fn writes_are_refused() {
        for (sql, word) in [
            ("CREATE TABLE t (x INT)", "CREATE TABLE"),
            ("CREATE VIEW v AS SELECT 1", "CREATE VIEW"),
            ("DROP TABLE facts", "DROP TABLE"),
            ("INSERT INTO facts VALUES (1)", "INSERT"),
            ("COPY (SELECT 1) TO '/tmp/x.csv'", "COPY"),
            ("COPY facts TO '/tmp/x.csv'", "COPY"),
            ("SELECT 1 INTO t2", "SELECT … INTO"),
        ] {
            let r = refused(sql);
            assert_eq!(r.code, READ_ONLY, "{sql}");
            assert!(r.message.contains(word), "{sql}: {}", r.message);
            assert!(r.message.contains("read-only"), "{sql}: {}", r.message);
        }
    }

    #[test]
    fn files_and_engine_settings_are_refused() {
        // Not even parsed as a table, or not by the PostgreSQL dialect: refused either way.
        refused("SELECT * FROM '/etc/passwd'");
        refused("CREATE EXTERNAL TABLE x STORED AS CSV LOCATION '/etc/passwd'");
        for sql in [
            "SELECT * FROM read_disclosure('/etc/passwd')",
            "SELECT * FROM read_parquet('/tmp/x.parquet')",
            "SELECT * FROM \"/tmp/x.parquet\"",
            "SELECT count(*) FROM (SELECT * FROM read_csv('/etc/passwd')) t",
            "SET datafusion.runtime.memory_limit = '100G'",
            "SET datafusion.execution.target_partitions = 64",
        ] {
            assert_eq!(refused(sql).code, NOT_PERMITTED, "{sql}");
        }
        assert!(
            refused("SELECT * FROM read_disclosure('/etc/passwd')")
                .message
                .contains("read_disclosure")
        );
    }
}
