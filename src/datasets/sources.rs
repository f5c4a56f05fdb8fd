//! Named data sources and the guarded execution of dataset queries (user SQL).
//!
//! Every dataset query runs
//! - as exactly one statement: it is first prepared with the extended protocol, which rejects
//!   `SELECT 1; DROP …`, and only then embedded as a subquery;
//! - read-only: in a `READ ONLY` transaction (Postgres) or a read-only session (MySQL);
//! - under a statement timeout (`CAUSEWAY_QUERY_TIMEOUT`).
//!
//! Reads stream: CSV downloads use `COPY … TO STDOUT` on Postgres and a row stream on MySQL, so
//! no table is ever held in memory.

use std::{io, time::Duration};

use blake2::{Blake2b512, Digest};
use bytes::Bytes;
use futures::{Stream, StreamExt, TryStreamExt};
use sqlx::{
    AssertSqlSafe, Column as _, Executor, MySqlPool, PgPool, Row, SqlSafeStr, Statement as _, TypeInfo as _,
    mysql::{MySqlPoolOptions, MySqlRow},
    postgres::{PgConnection, PgPoolOptions},
};
use tokio::sync::{mpsc, oneshot};

use super::{
    csv::CsvChunker,
    pgbinary::{BinaryCopyDecoder, Kind},
};
use crate::config::Config;

/// The name of Causeway's own database as a data source (MPCSL's `postgres`).
pub const OWN_SOURCE: &str = "postgres";

#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    #[error("Could not reach database \"{0}\"")]
    Unreachable(String),
    /// Every connection of the source's pool stayed in use for the whole acquire timeout: the
    /// server is overloaded for a moment, the request is fine (answered 500, which executors
    /// retry; a 400 would make them give up on their job).
    #[error("Database \"{0}\" is busy: no connection became free in time; try again")]
    Busy(String),
    #[error("Could not execute query \"{query}\" on database \"{source_name}\": {detail}")]
    Failed { query: String, source_name: String, detail: String },
    #[error(
        "The query \"{0}\" returns no columns; a dataset query must be a SELECT that returns at least one column"
    )]
    NoColumns(String),
}

/// One column of a query result.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    /// The database's type name, upper case (`FLOAT8`, `BOOL`, `BIGINT`, …).
    pub type_name: String,
}

/// What a dataset query returns: its columns, its row count and a fingerprint of its content.
#[derive(Debug, Clone)]
pub struct QueryInfo {
    pub columns: Vec<Column>,
    pub rows: i64,
    /// BLAKE2b-512 (hex) over the column names, the row count and an order-independent sum of
    /// per-row digests: it changes when any value changes, not only when rows are added.
    pub content_hash: String,
}

#[derive(Clone)]
pub enum Source {
    Postgres { name: String, pool: PgPool, timeout: Duration },
    MySql { name: String, pool: MySqlPool },
}

/// All data sources, in configuration order, with Causeway's own database last.
#[derive(Clone)]
pub struct DataSources {
    sources: Vec<Source>,
}

impl DataSources {
    /// Builds the sources; remote connections are opened lazily, so an unreachable remote
    /// database does not stop Causeway from starting (its datasets answer 400 until it is back).
    ///
    /// User queries on Causeway's own database get a pool of their own, logged in as the
    /// unprivileged query role (`query_role`), never as Causeway's role.
    pub fn new(config: &Config) -> anyhow::Result<Self> {
        let timeout = config.query_timeout;
        let mut sources = Vec::new();
        for (name, url) in &config.data_sources.0 {
            if name == OWN_SOURCE {
                tracing::warn!("ignoring configured data source `postgres`: the name is reserved");
                continue;
            }
            let source = if url.starts_with("mysql://") || url.starts_with("mariadb://") {
                let url = url.replacen("mariadb://", "mysql://", 1);
                let millis = timeout.as_millis();
                let seconds = timeout.as_secs_f64();
                let pool = MySqlPoolOptions::new()
                    .max_connections(8)
                    .acquire_timeout(Duration::from_secs(10))
                    .after_connect(move |conn, _| {
                        Box::pin(async move {
                            conn.execute("SET SESSION TRANSACTION READ ONLY").await?;
                            // MariaDB and MySQL name the statement timeout differently; set
                            // whichever this server knows.
                            let mariadb = format!("SET SESSION max_statement_time = {seconds}");
                            let mysql = format!("SET SESSION max_execution_time = {millis}");
                            if conn.execute(AssertSqlSafe(mariadb)).await.is_err() {
                                conn.execute(AssertSqlSafe(mysql)).await?;
                            }
                            Ok(())
                        })
                    })
                    .connect_lazy(&url)?;
                Source::MySql { name: name.clone(), pool }
            } else {
                let pool = PgPoolOptions::new()
                    .max_connections(8)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_lazy(url)?;
                Source::Postgres { name: name.clone(), pool, timeout }
            };
            sources.push(source);
        }
        let own = PgPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(10))
            .connect_lazy(&super::query_role::connection_url(config))?;
        sources.push(Source::Postgres { name: OWN_SOURCE.into(), pool: own, timeout });
        Ok(DataSources { sources })
    }

    /// Source names in configuration order, `postgres` last (api.md §3.12).
    pub fn names(&self) -> Vec<String> {
        self.sources.iter().map(|s| s.name().to_owned()).collect()
    }

    pub fn contains(&self, name: &str) -> bool {
        self.sources.iter().any(|s| s.name() == name)
    }

    pub fn get(&self, name: &str) -> Result<&Source, QueryError> {
        self.sources.iter().find(|s| s.name() == name).ok_or_else(|| QueryError::Unreachable(name.to_owned()))
    }
}

/// Trims whitespace and trailing semicolons, which would break the subquery wrapping.
pub fn normalize_query(query: &str) -> &str {
    query.trim().trim_end_matches(|c: char| c == ';' || c.is_whitespace())
}

impl Source {
    pub fn name(&self) -> &str {
        match self {
            Source::Postgres { name, .. } | Source::MySql { name, .. } => name,
        }
    }

    fn failed(&self, query: &str, err: impl std::fmt::Display) -> QueryError {
        QueryError::Failed {
            query: query.to_owned(),
            source_name: self.name().to_owned(),
            detail: err.to_string(),
        }
    }

    /// Connections the source's pool holds, idle or in use.
    fn open_connections(&self) -> u32 {
        match self {
            Source::Postgres { pool, .. } => pool.size(),
            Source::MySql { pool, .. } => pool.size(),
        }
    }

    fn classify(&self, query: &str, err: sqlx::Error) -> QueryError {
        match err {
            // sqlx also times out when no connection could be opened at all: only a pool
            // holding connections (all in use) is busy; an empty one did not reach the server.
            sqlx::Error::PoolTimedOut if self.open_connections() > 0 => {
                QueryError::Busy(self.name().to_owned())
            }
            sqlx::Error::PoolTimedOut => QueryError::Unreachable(self.name().to_owned()),
            sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::PoolClosed
            | sqlx::Error::Configuration(_) => QueryError::Unreachable(self.name().to_owned()),
            err => match err.as_database_error() {
                Some(db) if db.code().is_some_and(|code| server_unavailable(&code)) => {
                    QueryError::Unreachable(self.name().to_owned())
                }
                Some(db) => self.failed(query, db.message()),
                None => self.failed(query, err),
            },
        }
    }

    /// Columns, row count and content fingerprint of a query. Rejects a query that fails,
    /// writes, is more than one statement or returns no columns.
    #[tracing::instrument(skip(self), fields(source = self.name()))]
    pub async fn inspect(&self, query: &str) -> Result<QueryInfo, QueryError> {
        let query = normalize_query(query);
        match self {
            Source::Postgres { pool, timeout, .. } => {
                let mut tx = begin_read_only(pool, *timeout).await.map_err(|e| self.classify(query, e))?;
                let info = pg_inspect(&mut tx, query).await.map_err(|e| self.classify(query, e))?;
                tx.rollback().await.map_err(|e| self.classify(query, e))?;
                finish_info(query, info)
            }
            Source::MySql { pool, .. } => {
                let mut conn = pool.acquire().await.map_err(|e| self.classify(query, e))?;
                let info = mysql_inspect(&mut conn, query).await.map_err(|e| self.classify(query, e))?;
                finish_info(query, info)
            }
        }
    }

    /// Just the column list (one round trip; used before every download).
    pub async fn columns(&self, query: &str) -> Result<Vec<Column>, QueryError> {
        let query = normalize_query(query);
        let columns = match self {
            Source::Postgres { pool, timeout, .. } => {
                let mut tx = begin_read_only(pool, *timeout).await.map_err(|e| self.classify(query, e))?;
                pg_columns(&mut tx, query).await.map_err(|e| self.classify(query, e))?
            }
            Source::MySql { pool, .. } => {
                let mut conn = pool.acquire().await.map_err(|e| self.classify(query, e))?;
                mysql_columns(&mut conn, query).await.map_err(|e| self.classify(query, e))?
            }
        };
        if columns.is_empty() {
            return Err(QueryError::NoColumns(query.to_owned()));
        }
        Ok(columns)
    }

    /// `SELECT COUNT(*)` of the query.
    pub async fn count(&self, query: &str) -> Result<i64, QueryError> {
        let query = normalize_query(query);
        let sql = format!("SELECT COUNT(*) FROM (\n{query}\n) AS _subquery_");
        let result = match self {
            Source::Postgres { pool, timeout, .. } => {
                let mut tx = begin_read_only(pool, *timeout).await.map_err(|e| self.classify(query, e))?;
                pg_columns(&mut tx, query).await.map_err(|e| self.classify(query, e))?;
                sqlx::query_scalar::<_, i64>(AssertSqlSafe(sql)).fetch_one(&mut *tx).await
            }
            Source::MySql { pool, .. } => {
                let mut conn = pool.acquire().await.map_err(|e| self.classify(query, e))?;
                mysql_columns(&mut conn, query).await.map_err(|e| self.classify(query, e))?;
                sqlx::query_scalar::<_, i64>(AssertSqlSafe(sql)).fetch_one(&mut *conn).await
            }
        };
        result.map_err(|e| self.classify(query, e))
    }

    /// Streams the query result as CSV: `header` first, then one line per row, CRLF line ends
    /// (api.md §3.7). `columns` must be the query's columns (from [`Source::columns`]).
    ///
    /// The query is started before this returns, so a failing query is an `Err` here rather than
    /// a truncated body; a failure after the first bytes ends the stream with an I/O error.
    pub async fn stream_csv(
        &self,
        query: &str,
        columns: &[Column],
        header: Vec<String>,
    ) -> Result<impl Stream<Item = io::Result<Bytes>> + Send + 'static, QueryError> {
        let query = normalize_query(query).to_owned();
        let query_for_error = query.clone();
        let (chunks, receiver) = mpsc::channel::<io::Result<Bytes>>(8);
        let (started, has_started) = oneshot::channel::<Result<(), QueryError>>();
        let mut chunker = CsvChunker::new();
        chunker.write_record(header.iter().map(|h| Some(h.as_str())));
        let source = self.clone();
        let columns = columns.to_vec();
        tokio::spawn(async move {
            let outcome = match &source {
                Source::Postgres { pool, timeout, .. } => {
                    pg_copy_csv(&source, pool, *timeout, &query, &columns, chunker, &chunks, started).await
                }
                Source::MySql { pool, .. } => {
                    mysql_rows_csv(&source, pool, &query, columns.len(), chunker, &chunks, started).await
                }
            };
            if let Err(err) = outcome {
                tracing::warn!(error = %err, "CSV download ended early");
                let _ = chunks.send(Err(io::Error::other(err))).await;
            }
        });
        match has_started.await {
            Ok(Ok(())) => Ok(tokio_stream_from(receiver)),
            Ok(Err(err)) => Err(err),
            Err(_) => Err(self.failed(&query_for_error, "the download task stopped")),
        }
    }

    /// Values of some columns, read in one pass so that rows stay aligned: for each requested
    /// column index, its type and its values as text (NULL as `None`). For distributions.
    pub async fn column_values(&self, query: &str, indexes: &[usize]) -> Result<ColumnValues, QueryError> {
        let query = normalize_query(query);
        let (columns, rows): (Vec<Column>, Vec<Vec<Option<String>>>) = match self {
            Source::Postgres { pool, timeout, .. } => {
                let mut tx = begin_read_only(pool, *timeout).await.map_err(|e| self.classify(query, e))?;
                let columns = pg_columns(&mut tx, query).await.map_err(|e| self.classify(query, e))?;
                let list: Vec<String> = indexes.iter().map(|i| format!("c{i}::text")).collect();
                let sql = format!(
                    "SELECT {} FROM (\n{query}\n) AS _s({})",
                    list.join(", "),
                    aliases(columns.len())
                );
                let rows = sqlx::query(AssertSqlSafe(sql))
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(|e| self.classify(query, e))?;
                let rows = rows
                    .iter()
                    .map(|row| {
                        (0..indexes.len())
                            .map(|i| row.try_get::<Option<String>, _>(i).ok().flatten())
                            .collect()
                    })
                    .collect();
                (columns, rows)
            }
            Source::MySql { pool, .. } => {
                let mut conn = pool.acquire().await.map_err(|e| self.classify(query, e))?;
                let columns = mysql_columns(&mut conn, query).await.map_err(|e| self.classify(query, e))?;
                let mut list = Vec::with_capacity(indexes.len());
                for &i in indexes {
                    let column = columns.get(i).ok_or_else(|| self.failed(query, "column out of range"))?;
                    list.push(mysql_ident(&column.name));
                }
                let sql = format!("SELECT {} FROM (\n{query}\n) AS _s", list.join(", "));
                let rows: Vec<MySqlRow> = sqlx::raw_sql(AssertSqlSafe(sql))
                    .fetch(&mut *conn)
                    .try_collect()
                    .await
                    .map_err(|e| self.classify(query, e))?;
                let rows =
                    rows.iter().map(|row| (0..indexes.len()).map(|i| mysql_text(row, i)).collect()).collect();
                (columns, rows)
            }
        };
        let mut types = Vec::with_capacity(indexes.len());
        for &i in indexes {
            let column = columns
                .get(i)
                .ok_or_else(|| self.failed(query, "the dataset has fewer columns than nodes"))?;
            types.push(column.type_name.clone());
        }
        Ok(ColumnValues { types, rows })
    }
}

/// Rows of a few columns (see [`Source::column_values`]).
#[derive(Debug, Clone)]
pub struct ColumnValues {
    /// Database type names, one per requested column.
    pub types: Vec<String>,
    /// One entry per row, one value per requested column.
    pub rows: Vec<Vec<Option<String>>>,
}

fn tokio_stream_from(
    mut receiver: mpsc::Receiver<io::Result<Bytes>>,
) -> impl Stream<Item = io::Result<Bytes>> + Send + 'static {
    futures::stream::poll_fn(move |cx| receiver.poll_recv(cx))
}

fn finish_info(query: &str, info: QueryInfo) -> Result<QueryInfo, QueryError> {
    if info.columns.is_empty() { Err(QueryError::NoColumns(query.to_owned())) } else { Ok(info) }
}

/// `"c0", "c1", …`: positional aliases, so duplicate or odd column names cannot break the SQL.
fn aliases(count: usize) -> String {
    (0..count).map(|i| format!("c{i}")).collect::<Vec<_>>().join(", ")
}

fn content_hash(columns: &[Column], rows: i64, row_digest_sum: &str) -> String {
    let mut hasher = Blake2b512::new();
    for column in columns {
        hasher.update(column.name.as_bytes());
        hasher.update([0x1f]);
    }
    hasher.update(format!("\x1e{rows}\x1e{row_digest_sum}").as_bytes());
    hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

// ---- Postgres ----------------------------------------------------------------------------------

async fn begin_read_only(
    pool: &PgPool,
    timeout: Duration,
) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    tx.execute("SET TRANSACTION READ ONLY").await?;
    sqlx::query("SELECT set_config('statement_timeout', $1, true)")
        .bind(format!("{}ms", timeout.as_millis().max(1)))
        .execute(&mut *tx)
        .await?;
    Ok(tx)
}

/// Prepares the query as one statement (the extended protocol refuses several) and returns its
/// result columns.
///
/// sqlx caches prepared statements by their text, which would return the columns a table had
/// when the query was first seen; a nonce comment makes every description current.
pub async fn pg_columns(conn: &mut PgConnection, query: &str) -> Result<Vec<Column>, sqlx::Error> {
    let text = format!("{query}\n-- describe {}", uuid::Uuid::new_v4().simple());
    let statement = conn.prepare(AssertSqlSafe(text).into_sql_str()).await?;
    Ok(statement
        .columns()
        .iter()
        .map(|c| Column { name: c.name().to_owned(), type_name: c.type_info().name().to_uppercase() })
        .collect())
}

/// Columns, count and fingerprint, on a connection the caller has made safe (read-only
/// transaction, or the upload transaction that created the table).
pub async fn pg_inspect(conn: &mut PgConnection, query: &str) -> Result<QueryInfo, sqlx::Error> {
    let columns = pg_columns(conn, query).await?;
    if columns.is_empty() {
        return Ok(QueryInfo { columns, rows: 0, content_hash: String::new() });
    }
    // md5 of each row's text form, first 60 bits as a number, summed: independent of row order
    // (which SQL does not fix) but sensitive to every value.
    let sql = format!(
        "SELECT count(*)::int8, coalesce(sum(('x' || substr(md5(_s::text), 1, 15))::bit(60)::int8), 0)::text \
         FROM (\n{query}\n) AS _s"
    );
    let (rows, digest): (i64, String) = sqlx::query_as(AssertSqlSafe(sql)).fetch_one(&mut *conn).await?;
    let content_hash = content_hash(&columns, rows, &digest);
    Ok(QueryInfo { columns, rows, content_hash })
}

/// The SELECT inside the download's `COPY … (FORMAT binary)` and how each column decodes:
/// floats, integers, booleans and text travel as they are, anything else as text.
fn pg_binary_select(query: &str, columns: &[Column]) -> (String, Vec<Kind>) {
    let mut kinds = Vec::with_capacity(columns.len());
    let list: Vec<String> = columns
        .iter()
        .enumerate()
        .map(|(i, column)| {
            let (kind, cast) = Kind::for_type(&column.type_name);
            kinds.push(kind);
            if cast { format!("c{i}::text") } else { format!("c{i}") }
        })
        .collect();
    let select = format!("SELECT {} FROM (\n{query}\n) AS _s({})", list.join(", "), aliases(columns.len()));
    (select, kinds)
}

#[allow(clippy::too_many_arguments)]
async fn pg_copy_csv(
    source: &Source,
    pool: &PgPool,
    timeout: Duration,
    query: &str,
    columns: &[Column],
    mut chunker: CsvChunker,
    chunks: &mpsc::Sender<io::Result<Bytes>>,
    started: oneshot::Sender<Result<(), QueryError>>,
) -> Result<(), QueryError> {
    let (select, kinds) = pg_binary_select(query, columns);
    let copy = format!("COPY ({select}) TO STDOUT WITH (FORMAT binary)");
    let mut tx = match begin_read_only(pool, timeout).await {
        Ok(tx) => tx,
        Err(err) => {
            let _ = started.send(Err(source.classify(query, err)));
            return Ok(());
        }
    };
    // COPY goes over the simple protocol, which would run several statements: prepare the exact
    // SELECT it embeds first (the extended protocol refuses more than one statement).
    if let Err(err) = pg_columns(&mut tx, &select).await {
        let _ = started.send(Err(source.classify(query, err)));
        return Ok(());
    }
    let mut stream = match tx.copy_out_raw(&copy).await {
        Ok(stream) => stream,
        Err(err) => {
            let _ = started.send(Err(source.classify(query, err)));
            return Ok(());
        }
    };
    let mut started = ResponseStart(Some(started));
    let mut decoder = BinaryCopyDecoder::new(kinds);
    let copied: Result<(), QueryError> = async {
        while let Some(piece) = stream.next().await {
            let piece = piece.map_err(|e| source.classify(query, e))?;
            decoder.push(&piece, chunker.buffer()).map_err(|e| source.failed(query, e))?;
            // The client went away: stop; dropping the transaction ends COPY.
            if !started.send_if_full(&mut chunker, chunks).await {
                return Ok(());
            }
        }
        Ok(())
    }
    .await;
    drop(stream);
    let _ = tx.rollback().await;
    started.finish(copied, chunker, chunks).await
}

/// Whether a download's response has started. It starts with the first full chunk, so that a
/// query failing before it (a small table, an error in the first rows) is answered with a proper
/// error; a failure after it aborts the response, which clients see as an incomplete body.
struct ResponseStart(Option<oneshot::Sender<Result<(), QueryError>>>);

impl ResponseStart {
    /// Sends the gathered bytes once a chunk is full, starting the response. `false` when the
    /// client went away.
    async fn send_if_full(
        &mut self,
        chunker: &mut CsvChunker,
        chunks: &mpsc::Sender<io::Result<Bytes>>,
    ) -> bool {
        let Some(full) = chunker.take_if_full() else { return true };
        if let Some(started) = self.0.take() {
            let _ = started.send(Ok(()));
        }
        chunks.send(Ok(full)).await.is_ok()
    }

    /// Ends a download: the rest of the data, or the error as the answer if nothing was sent
    /// yet, or `Err` (which aborts the response) if something was.
    async fn finish(
        mut self,
        outcome: Result<(), QueryError>,
        chunker: CsvChunker,
        chunks: &mpsc::Sender<io::Result<Bytes>>,
    ) -> Result<(), QueryError> {
        match (outcome, self.0.take()) {
            (Err(err), Some(started)) => {
                let _ = started.send(Err(err));
                Ok(())
            }
            (Err(err), None) => Err(err),
            (Ok(()), started) => {
                if let Some(started) = started {
                    let _ = started.send(Ok(()));
                }
                if let Some(rest) = chunker.finish() {
                    let _ = chunks.send(Ok(rest)).await;
                }
                Ok(())
            }
        }
    }
}

// ---- MySQL / MariaDB ---------------------------------------------------------------------------

fn mysql_ident(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

/// Text of one value from the text protocol (what `raw_sql` uses): the bytes are the value's
/// text form whatever the column type, so the unchecked decode is exact.
fn mysql_text(row: &MySqlRow, index: usize) -> Option<String> {
    row.try_get_unchecked::<Option<String>, _>(index).ok().flatten()
}

async fn mysql_columns(
    conn: &mut sqlx::mysql::MySqlConnection,
    query: &str,
) -> Result<Vec<Column>, sqlx::Error> {
    // A nonce defeats sqlx's statement cache, as for Postgres.
    let text = format!("{query}\n-- describe {}", uuid::Uuid::new_v4().simple());
    let statement = conn.prepare(AssertSqlSafe(text).into_sql_str()).await?;
    Ok(statement
        .columns()
        .iter()
        .map(|c| Column { name: c.name().to_owned(), type_name: c.type_info().name().to_uppercase() })
        .collect())
}

async fn mysql_inspect(
    conn: &mut sqlx::mysql::MySqlConnection,
    query: &str,
) -> Result<QueryInfo, sqlx::Error> {
    let columns = mysql_columns(conn, query).await?;
    if columns.is_empty() {
        return Ok(QueryInfo { columns, rows: 0, content_hash: String::new() });
    }
    let row_text = columns
        .iter()
        .map(|c| format!("IFNULL({}, CHAR(0))", mysql_ident(&c.name)))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT COUNT(*), CAST(IFNULL(SUM(CAST(CONV(SUBSTRING(MD5(CONCAT_WS(CHAR(31), {row_text})), 1, 15), 16, 10) AS UNSIGNED)), 0) AS CHAR) \
         FROM (\n{query}\n) AS _s"
    );
    let row: MySqlRow = sqlx::raw_sql(AssertSqlSafe(sql)).fetch_one(&mut *conn).await?;
    let rows: i64 = mysql_text(&row, 0).and_then(|t| t.parse().ok()).unwrap_or_default();
    let digest = mysql_text(&row, 1).unwrap_or_default();
    let content_hash = content_hash(&columns, rows, &digest);
    Ok(QueryInfo { columns, rows, content_hash })
}

async fn mysql_rows_csv(
    source: &Source,
    pool: &MySqlPool,
    query: &str,
    width: usize,
    mut chunker: CsvChunker,
    chunks: &mpsc::Sender<io::Result<Bytes>>,
    started: oneshot::Sender<Result<(), QueryError>>,
) -> Result<(), QueryError> {
    let mut conn = match pool.acquire().await {
        Ok(conn) => conn,
        Err(err) => {
            let _ = started.send(Err(source.classify(query, err)));
            return Ok(());
        }
    };
    if let Err(err) = mysql_columns(&mut conn, query).await {
        let _ = started.send(Err(source.classify(query, err)));
        return Ok(());
    }
    let sql = format!("SELECT * FROM (\n{query}\n) AS _s");
    let mut rows = sqlx::raw_sql(AssertSqlSafe(sql)).fetch(&mut *conn);
    let mut started = ResponseStart(Some(started));
    let copied: Result<(), QueryError> = async {
        while let Some(row) = rows.next().await {
            let row = row.map_err(|err| source.classify(query, err))?;
            let values: Vec<Option<String>> = (0..width).map(|i| mysql_text(&row, i)).collect();
            chunker.write_record(values.iter().map(|v| v.as_deref()));
            if !started.send_if_full(&mut chunker, chunks).await {
                return Ok(());
            }
        }
        Ok(())
    }
    .await;
    drop(rows);
    started.finish(copied, chunker, chunks).await
}

impl Source {
    /// A numeric column's non-NULL values as `f64`, sent in binary (no text formatting), with
    /// whether the column holds integers. `None` for non-numeric columns and for sources other
    /// than Postgres (callers then read text values).
    pub async fn numeric_values(
        &self,
        query: &str,
        index: usize,
    ) -> Result<Option<(Vec<f64>, bool)>, QueryError> {
        let Source::Postgres { pool, timeout, .. } = self else { return Ok(None) };
        let query = normalize_query(query);
        let mut tx = begin_read_only(pool, *timeout).await.map_err(|e| self.classify(query, e))?;
        let columns = pg_columns(&mut tx, query).await.map_err(|e| self.classify(query, e))?;
        let column = columns
            .get(index)
            .ok_or_else(|| self.failed(query, "the dataset has fewer columns than nodes"))?;
        let integer = matches!(column.type_name.as_str(), "INT2" | "INT4" | "INT8");
        if !integer && !matches!(column.type_name.as_str(), "FLOAT4" | "FLOAT8" | "NUMERIC") {
            return Ok(None);
        }
        let sql = format!(
            "SELECT c{index}::float8 FROM (\n{query}\n) AS _s({}) WHERE c{index} IS NOT NULL",
            aliases(columns.len())
        );
        let values: Vec<f64> = sqlx::query_scalar(AssertSqlSafe(sql))
            .fetch_all(&mut *tx)
            .await
            .map_err(|e| self.classify(query, e))?;
        Ok(Some((values, integer)))
    }
}

/// PostgreSQL's codes for "the server is going away or not there yet" (a restart, a crash
/// recovery): connection exceptions (class 08), `admin_shutdown`, `crash_shutdown` and
/// `cannot_connect_now`. The query was not at fault.
fn server_unavailable(code: &str) -> bool {
    code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::error::ApiError;

    /// Found by the chaos suite: with hundreds of runs downloading at once, or while PostgreSQL
    /// restarted, downloads answered 400 "Could not reach database", and executors gave up on
    /// their jobs. A busy pool is 500 (retried); a source that cannot be reached is 400 when a
    /// dataset is defined, 500 when it is downloaded.
    #[tokio::test]
    async fn a_busy_pool_is_a_server_error_and_an_unreachable_source_a_bad_request() {
        let pool = PgPoolOptions::new().connect_lazy("postgres://nobody@127.0.0.1:1/none").unwrap();
        let source = Source::Postgres { name: OWN_SOURCE.into(), pool, timeout: Duration::from_secs(1) };
        // A pool that never opened a connection timed out reaching the server: unreachable.
        let never_connected = source.classify("SELECT 1", sqlx::Error::PoolTimedOut);
        assert!(matches!(never_connected, QueryError::Unreachable(_)), "{never_connected:?}");
        let busy = QueryError::Busy(OWN_SOURCE.into());
        assert_eq!(ApiError::from(busy).status(), poem::http::StatusCode::INTERNAL_SERVER_ERROR);
        let unreachable = || source.classify("SELECT 1", sqlx::Error::PoolClosed);
        assert_eq!(ApiError::from(unreachable()).status(), poem::http::StatusCode::BAD_REQUEST);
        // Executors download, and can only retry: to them a restarting database is a 500.
        let download = crate::api::datasets::download_error(unreachable());
        assert_eq!(download.status(), poem::http::StatusCode::INTERNAL_SERVER_ERROR);
        // "terminating connection due to administrator command" (pg_ctl restart) is the server
        // going away, not a failed query.
        assert!(server_unavailable("57P01") && server_unavailable("08006"));
        assert!(!server_unavailable("42P01"), "undefined table is the query's fault");
    }
}
