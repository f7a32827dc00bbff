//! `yusuan serve`: the lake over the PostgreSQL wire protocol, read-only.
//!
//! Built on `datafusion-postgres` (its PostgreSQL-compatibility parser, `pg_catalog` /
//! `information_schema` emulation, `SET` / `SHOW` / transaction / cursor statements and
//! Arrow-to-PostgreSQL encoding) and the `pgwire` it re-exports. This module owns what is
//! yusuan's: the listener and its refusals (off loopback only with `--allow-remote` and
//! TLS), one DataFusion session per connection with its own memory pool, the statement
//! policy ([`guard`]), password checks ([`auth`]), TLS loading ([`tls`]), and the statement
//! timeout and cancel requests, which stop a query while its rows are produced, not only
//! while it is planned.
//!
//! The lake stays live: yusuan's contexts list the lake's files afresh for every query, so a
//! document ingested or compacted while the server runs is seen by the next statement. A
//! statement whose listed file vanished under it (a compaction or a new version moved it)
//! before its first row is run again, as the shell does.

pub mod auth;
pub mod cancel;
pub mod catalog;
pub mod guard;
pub mod tls;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use datafusion::execution::SessionStateBuilder;
use datafusion::prelude::SessionContext;
use datafusion::sql::sqlparser::ast::Statement;
use datafusion_postgres::datafusion_pg_catalog::pg_catalog::setup_pg_catalog;
use datafusion_postgres::datafusion_pg_catalog::sql::PostgresCompatibilityParser;
use datafusion_postgres::hooks::cursor::CursorStatementHook;
use datafusion_postgres::hooks::set_show::SetShowHook;
use datafusion_postgres::hooks::transactions::TransactionStatementHook;
use datafusion_postgres::{DfSessionService, Parser, QueryHook, pgwire};
use futures::{Sink, Stream, StreamExt};
use pgwire::api::auth::StartupHandler;
use pgwire::api::cancel::CancelHandler;
use pgwire::api::portal::{Format, Portal};
use pgwire::api::query::{ExtendedQueryHandler, SimpleQueryHandler};
use pgwire::api::results::{FieldInfo, Response, Tag};
use pgwire::api::stmt::QueryParser;
use pgwire::api::store::PortalStore;
use pgwire::api::{
    ClientInfo, ClientPortalStore, ConnectionManager, ErrorHandler, PgWireServerHandlers, Type,
};
use pgwire::error::{ErrorInfo, PgWireError, PgWireResult};
use pgwire::messages::PgWireBackendMessage;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tokio::time::Instant;

use crate::lake::Lake;

/// How `yusuan serve` runs.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// The users file (`NAME:VERIFIER` lines).
    pub users: PathBuf,
    /// PEM certificate chain and private key; both or neither.
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    /// Listening on an address other than loopback is refused without it.
    pub allow_remote: bool,
    /// The longest a statement may run (a client may set a shorter `statement_timeout`).
    pub statement_timeout: Duration,
    /// The memory of each connection's queries, in bytes.
    pub connection_memory: usize,
    /// Connections served at once; more are closed at once.
    pub max_connections: usize,
}

/// Checks the options, loads the users and the certificate, opens the lake's session and
/// listens; `ready` is called with the bound address. Returns only on an error.
pub async fn run(
    lake: &Lake,
    options: &ServeOptions,
    ready: impl FnOnce(SocketAddr, bool),
) -> Result<(), String> {
    let tls = match (&options.tls_cert, &options.tls_key) {
        (Some(cert), Some(key)) => Some(tls::acceptor(cert, key)?),
        (None, None) => None,
        _ => return Err("TLS needs both --tls-cert and --tls-key".into()),
    };
    if !options.listen.ip().is_loopback() {
        if !options.allow_remote {
            return Err(format!(
                "listening on {} (not loopback) needs --allow-remote, and TLS (--tls-cert, --tls-key)",
                options.listen
            ));
        }
        if tls.is_none() {
            return Err(format!(
                "listening on {} (not loopback) needs TLS: give --tls-cert and --tls-key",
                options.listen
            ));
        }
    }
    let users = Arc::new(auth::Users::load(&options.users)?);

    let base = crate::session::new_context(lake)
        .await
        .map_err(|e| format!("cannot open the lake at {}: {e}", lake.root().display()))?;
    // Files are read through the lake's tables only.
    base.deregister_udtf(crate::functions::read_disclosure::NAME);
    setup_pg_catalog(
        &base,
        "datafusion",
        Arc::new(datafusion_postgres::auth::AuthManager::default()),
    )
    .map_err(|e| format!("cannot set up pg_catalog: {e}"))?;
    types::PgCatalogWithModifiers::install(&base, "datafusion")
        .map_err(|e| format!("cannot set up pg_catalog: {e}"))?;
    catalog::register(&base);

    let listener = TcpListener::bind(options.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", options.listen))?;
    let bound = listener
        .local_addr()
        .map_err(|e| format!("cannot listen on {}: {e}", options.listen))?;
    ready(bound, tls.is_some());

    let shared = Arc::new(Shared {
        base,
        users,
        connections: Arc::new(ConnectionManager::new()),
        cancels: Arc::new(cancel::Cancels::default()),
        parser: Arc::new(PostgresCompatibilityParser::new()),
        statement_timeout: options.statement_timeout,
        connection_memory: options.connection_memory,
        require_tls: tls.is_some(),
    });
    let limit = Arc::new(Semaphore::new(options.max_connections.max(1)));
    loop {
        let (socket, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                eprintln!("yusuan serve: accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Ok(permit) = Arc::clone(&limit).try_acquire_owned() else {
            eprintln!(
                "yusuan serve: connection from {peer} refused: {} connections already",
                options.max_connections
            );
            continue;
        };
        let shared = Arc::clone(&shared);
        let tls = tls.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let handlers = match Connection::new(&shared) {
                Ok(handlers) => handlers,
                Err(e) => {
                    eprintln!("yusuan serve: connection from {peer}: {e}");
                    return;
                }
            };
            if let Err(e) = pgwire::tokio::process_socket(socket, tls, handlers).await {
                eprintln!("yusuan serve: connection from {peer}: {e}");
            }
        });
    }
}

/// What every connection shares.
struct Shared {
    /// The lake's session; each connection works on a copy of its state.
    base: SessionContext,
    users: Arc<auth::Users>,
    connections: Arc<ConnectionManager>,
    cancels: Arc<cancel::Cancels>,
    parser: Arc<PostgresCompatibilityParser>,
    statement_timeout: Duration,
    connection_memory: usize,
    require_tls: bool,
}

/// The handlers of one connection.
struct Connection {
    queries: Arc<Queries>,
    startup: Arc<auth::PasswordStartup>,
    cancel: Arc<cancel::Cancel>,
}

impl Connection {
    fn new(shared: &Shared) -> Result<Connection, String> {
        let pool = datafusion::execution::memory_pool::TrackConsumersPool::new(
            datafusion::execution::memory_pool::FairSpillPool::new(shared.connection_memory),
            std::num::NonZeroUsize::new(5).unwrap_or(std::num::NonZeroUsize::MIN),
        );
        let runtime = crate::session::runtime_builder()
            .with_memory_pool(Arc::new(pool))
            .build_arc()
            .map_err(|e| e.to_string())?;
        let state = SessionStateBuilder::new_from_existing(shared.base.state())
            .with_runtime_env(runtime)
            .build();
        let ctx = Arc::new(SessionContext::new_with_state(state));
        let hooks: Vec<Arc<dyn QueryHook>> = vec![
            Arc::new(CursorStatementHook),
            Arc::new(SetShowHook),
            Arc::new(TransactionStatementHook),
        ];
        let service = DfSessionService::new_with_hooks(ctx, hooks);
        let parser = Arc::new(GuardedParser {
            inner: service.query_parser(),
            parser: Arc::clone(&shared.parser),
        });
        Ok(Connection {
            queries: Arc::new(Queries {
                service,
                parser,
                statement_timeout: shared.statement_timeout,
            }),
            startup: Arc::new(auth::PasswordStartup::new(
                Arc::clone(&shared.users),
                Arc::clone(&shared.connections),
                Arc::clone(&shared.cancels),
                shared.require_tls,
            )),
            cancel: Arc::new(cancel::Cancel {
                manager: Arc::clone(&shared.connections),
                cancels: Arc::clone(&shared.cancels),
            }),
        })
    }
}

impl PgWireServerHandlers for Connection {
    fn simple_query_handler(&self) -> Arc<impl SimpleQueryHandler> {
        Arc::clone(&self.queries)
    }

    fn extended_query_handler(&self) -> Arc<impl ExtendedQueryHandler> {
        Arc::clone(&self.queries)
    }

    fn startup_handler(&self) -> Arc<impl StartupHandler> {
        Arc::clone(&self.startup)
    }

    fn cancel_handler(&self) -> Arc<impl CancelHandler> {
        Arc::clone(&self.cancel)
    }

    fn error_handler(&self) -> Arc<impl ErrorHandler> {
        Arc::new(pgwire::api::NoopHandler)
    }
}

/// A connection's query handlers: the policy, then `datafusion-postgres`' service, with
/// the statement timeout and cancel requests watched until the last row is sent.
struct Queries {
    service: DfSessionService,
    parser: Arc<GuardedParser>,
    statement_timeout: Duration,
}

type DfStatement = <DfSessionService as ExtendedQueryHandler>::Statement;

/// The extended protocol's parser: the policy first, then `datafusion-postgres`' parser.
struct GuardedParser {
    inner: Arc<Parser>,
    parser: Arc<PostgresCompatibilityParser>,
}

#[async_trait]
impl QueryParser for GuardedParser {
    type Statement = DfStatement;

    async fn parse_sql<C>(
        &self,
        client: &C,
        sql: &str,
        types: &[Option<Type>],
    ) -> PgWireResult<Option<Self::Statement>>
    where
        C: ClientInfo + Unpin + Send + Sync,
    {
        guard::check_sql(&self.parser, sql).map_err(refusal)?;
        let sql = catalog::rewrite_sql(&self.parser, sql);
        self.inner.parse_sql(client, &sql, types).await
    }

    fn get_parameter_types(&self, stmt: &Self::Statement) -> PgWireResult<Vec<Type>> {
        self.inner.get_parameter_types(stmt)
    }

    fn get_result_schema(
        &self,
        stmt: &Self::Statement,
        column_format: Option<&Format>,
    ) -> PgWireResult<Vec<FieldInfo>> {
        let fields = self.inner.get_result_schema(stmt, column_format)?;
        match stmt {
            (_, Some((_, plan))) => Ok(types::with_numeric_modifiers(
                fields,
                plan.schema().as_arrow(),
            )),
            _ => Ok(fields),
        }
    }
}

mod types;

fn refusal(r: guard::Refusal) -> PgWireError {
    PgWireError::UserError(Box::new(ErrorInfo::new(
        "ERROR".to_string(),
        r.code.to_string(),
        r.message,
    )))
}

fn query_canceled(why: &str) -> PgWireError {
    PgWireError::UserError(Box::new(ErrorInfo::new(
        "ERROR".to_string(),
        "57014".to_string(),
        format!("canceling statement due to {why}"),
    )))
}

/// How many times a statement is run again after a listed file vanished under it.
const VANISHED_FILE_RETRIES: usize = 3;

fn is_vanished_file(e: &PgWireError) -> bool {
    let message = e.to_string();
    message.contains("No such file or directory")
        || (message.contains("Object at location") && message.contains("not found"))
}

/// The watch over one statement: its deadline and the connection's cancel signal.
#[derive(Clone)]
struct Watch {
    deadline: Instant,
    /// The connection's cancel signal and its value when the statement started.
    cancelled: Option<(watch::Receiver<u64>, u64)>,
}

impl Watch {
    /// Starts watching a statement of `client`: the deadline is the server's statement
    /// timeout, or the client's `statement_timeout` when shorter; a cancel request for the
    /// connection moves its signal.
    fn start<C: ClientInfo + ?Sized>(client: &C, limit: Duration) -> Watch {
        let asked = client
            .metadata()
            .get("statement_timeout_ms")
            .and_then(|s| s.parse::<u64>().ok())
            .filter(|ms| *ms > 0)
            .map(Duration::from_millis);
        let timeout = asked.map_or(limit, |asked| asked.min(limit));
        let cancelled = client
            .session_extensions()
            .get::<cancel::Signal>()
            .map(|signal| signal.watch());
        Watch {
            deadline: Instant::now() + timeout,
            cancelled,
        }
    }

    /// Runs `work` until it ends, the deadline passes or a cancel request arrives.
    async fn run<T>(&self, work: impl Future<Output = PgWireResult<T>>) -> PgWireResult<T> {
        let cancel = async {
            match self.cancelled.clone() {
                Some((mut signal, started)) => {
                    if signal.wait_for(|n| *n > started).await.is_err() {
                        // The connection is gone: nothing will cancel any more.
                        std::future::pending::<()>().await;
                    }
                }
                None => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            result = work => result,
            _ = tokio::time::sleep_until(self.deadline) => Err(query_canceled("statement timeout")),
            _ = cancel => Err(query_canceled("user request")),
        }
    }

    /// The rows of `response`, stopped with an error when the deadline passes or a cancel
    /// request arrives. Dropping the rows drops DataFusion's streams, which stops its work.
    fn rows<S>(self, rows: S) -> impl Stream<Item = PgWireResult<pgwire::messages::data::DataRow>>
    where
        S: Stream<Item = PgWireResult<pgwire::messages::data::DataRow>> + Send + Unpin + 'static,
    {
        futures::stream::unfold(Some((rows, self)), |state| async move {
            let (mut rows, watch) = state?;
            let item = watch.run(async { Ok(rows.next().await) }).await;
            match item {
                Ok(Some(Ok(row))) => Some((Ok(row), Some((rows, watch)))),
                Ok(Some(Err(e))) | Err(e) => Some((Err(e), None)),
                Ok(None) => None,
            }
        })
    }
}

impl Queries {
    /// Runs one statement through `attempt` under `watch`, again when a listed file
    /// vanished before the first row, and watches the rows of the result.
    async fn watched<F, Fut>(&self, watch: &Watch, attempt: F) -> PgWireResult<Vec<Response>>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = PgWireResult<Vec<Response>>>,
    {
        let mut tries = 0;
        'again: loop {
            let responses = watch.run(attempt()).await?;
            let mut out = Vec::with_capacity(responses.len());
            for response in responses {
                match response {
                    Response::Query(mut query) => {
                        let first = watch
                            .run(async { Ok(query.data_rows.next().await) })
                            .await?;
                        if let Some(Err(e)) = &first
                            && is_vanished_file(e)
                            && tries < VANISHED_FILE_RETRIES
                        {
                            tries += 1;
                            continue 'again;
                        }
                        let rest = std::mem::replace(
                            &mut query.data_rows,
                            Box::pin(futures::stream::empty()),
                        );
                        let rows = futures::stream::iter(first).chain(rest);
                        query.data_rows = Box::pin(watch.clone().rows(rows));
                        out.push(Response::Query(query));
                    }
                    other => out.push(other),
                }
            }
            return Ok(out);
        }
    }
}

#[async_trait]
impl SimpleQueryHandler for Queries {
    async fn do_query<C>(&self, client: &mut C, query: &str) -> PgWireResult<Vec<Response>>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore,
        C::Error: std::fmt::Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let mut statements = guard::check_sql(&self.service_parser(), query).map_err(refusal)?;
        let mut rewritten = false;
        for statement in &mut statements {
            rewritten |= catalog::rewrite(statement);
        }
        if statements.is_empty() {
            return Ok(vec![Response::EmptyQuery]);
        }
        // One statement goes as the client wrote it; several one at a time, each under its
        // own deadline.
        let single = statements.len() == 1;
        let mut results = Vec::new();
        for statement in &statements {
            // Savepoints change nothing on a read-only server; clients (psycopg's nested
            // transactions, SQLAlchemy) set them around their catalog queries.
            let tag = match statement {
                Statement::Savepoint { .. } => Some("SAVEPOINT"),
                Statement::ReleaseSavepoint { .. } => Some("RELEASE"),
                Statement::Rollback {
                    savepoint: Some(_), ..
                } => Some("ROLLBACK"),
                _ => None,
            };
            if let Some(tag) = tag {
                results.push(Response::Execution(Tag::new(tag)));
                continue;
            }
            let text = if single && !rewritten {
                query.to_string()
            } else {
                statement.to_string()
            };
            let watch = Watch::start(&*client, self.statement_timeout);
            let client = tokio::sync::Mutex::new(&mut *client);
            let responses = self
                .watched(&watch, || async {
                    let mut client = client.lock().await;
                    SimpleQueryHandler::do_query(&self.service, &mut **client, &text).await
                })
                .await?;
            results.extend(responses);
        }
        Ok(results)
    }
}

impl Queries {
    fn service_parser(&self) -> Arc<PostgresCompatibilityParser> {
        Arc::clone(&self.parser.parser)
    }
}

#[async_trait]
impl ExtendedQueryHandler for Queries {
    type Statement = DfStatement;
    type QueryParser = GuardedParser;

    fn query_parser(&self) -> Arc<Self::QueryParser> {
        Arc::clone(&self.parser)
    }

    async fn do_query<C>(
        &self,
        client: &mut C,
        portal: &Portal<Self::Statement>,
        max_rows: usize,
    ) -> PgWireResult<Response>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore<Statement = Self::Statement>,
        C::Error: std::fmt::Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let watch = Watch::start(&*client, self.statement_timeout);
        let client = tokio::sync::Mutex::new(&mut *client);
        let mut responses = self
            .watched(&watch, || async {
                let mut client = client.lock().await;
                ExtendedQueryHandler::do_query(&self.service, &mut **client, portal, max_rows)
                    .await
                    .map(|r| vec![r])
            })
            .await?;
        Ok(responses.pop().unwrap_or(Response::EmptyQuery))
    }
}
