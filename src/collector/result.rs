//! Result ingestion (executor-contract.md §3.1): the upload is parsed as a stream on a blocking
//! thread while its edges and sepsets are written with `COPY` into the transaction that creates
//! the result, marks the job done and records the events. Memory stays bounded whatever the
//! number of edges; any error rolls everything back.

use std::{collections::HashSet, fmt, io::BufReader};

use bytes::{Bytes, BytesMut};
use entity::enums::JobStatus;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Value, json};
use sqlx::{PgPool, postgres::PgConnection};
use tokio::sync::mpsc;
use tokio_util::io::SyncIoBridge;

use crate::{
    events::{Entity, Event},
    lifecycle::{self, LostRun, Transition, TransitionError},
};

const CHUNK: usize = 256 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("job {0} does not exist")]
    NotFound(i32),
    /// The upload is malformed or names nodes outside the dataset; nothing was stored.
    #[error("{0}")]
    Invalid(String),
    /// The job cannot take a result (already has one, or ended otherwise).
    #[error("{0}")]
    Conflict(String),
    /// The upload presented a token that is not the job's; nothing was stored.
    #[error("the upload token does not belong to the job")]
    TokenMismatch,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// What was stored.
#[derive(Debug, Clone)]
pub struct Ingested {
    pub result: entity::result::Model,
    pub edges: u64,
    pub sepsets: u64,
}

/// The result's row as `RETURNING` gives it (the columns of [`RESULT_COLUMNS`]).
type ResultRow = (
    i32,
    i32,
    chrono::DateTime<chrono::Utc>,
    chrono::DateTime<chrono::Utc>,
    Option<f64>,
    Option<f64>,
    Option<Value>,
);

const RESULT_COLUMNS: &str =
    "id, job_id, start_time, end_time, execution_time, dataset_loading_time, meta_results";

fn result_model(row: ResultRow) -> entity::result::Model {
    let (id, job_id, start_time, end_time, execution_time, dataset_loading_time, meta_results) = row;
    entity::result::Model {
        id,
        job_id,
        start_time: start_time.fixed_offset(),
        end_time: end_time.fixed_offset(),
        execution_time,
        dataset_loading_time,
        meta_results,
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum List {
    Edges,
    Sepsets,
}

enum Message {
    Begin(List),
    Chunk(Bytes),
    End,
}

/// Top-level members other than the two lists.
#[derive(Debug, Default)]
struct Summary {
    meta_results: Option<Value>,
    execution_time: Option<f64>,
    dataset_loading_time: Option<f64>,
    edges: u64,
    sepsets: u64,
}

/// Stores an uploaded result for `job_id` from `body` (a reader of the JSON document).
/// `token`: the hash of the upload token presented, checked against the job's row once it is
/// locked ([`IngestError::TokenMismatch`] when it is not the job's). With the job's own token, a
/// result for a job the scheduler abandoned (its run vanished, timed out or was never seen) is
/// its executor's, arriving late: it is accepted and the job recovered. Any other upload for an
/// ended job is refused.
pub async fn ingest(
    pool: &PgPool,
    job_id: i32,
    body: impl tokio::io::AsyncRead + Send + Unpin + 'static,
    load_sepsets: bool,
    token: Option<&[u8; 32]>,
) -> Result<Ingested, IngestError> {
    let started = std::time::Instant::now();
    let mut tx = pool.begin().await?;
    // (The last column is `set_config`'s answer: this transaction's outbox rows skip their
    // NOTIFY, as in `ingest_small`.)
    type JobRow =
        (String, String, chrono::DateTime<chrono::Utc>, Option<i32>, Option<String>, Option<Vec<u8>>, String);
    let job: Option<JobRow> = sqlx::query_as(
        "SELECT type, status::text, start_time, experiment_id, failure_reason, upload_token_hash, \
                set_config('causeway.outbox_notify', 'off', true) \
         FROM job WHERE id = $1 FOR UPDATE",
    )
    .bind(job_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((job_type, status, start_time, experiment_id, failure_reason, stored_token, _)) = job else {
        return Err(IngestError::NotFound(job_id));
    };
    let own_token = check_token(token, stored_token.as_deref())?;
    let recovering = check_accepts_result(job_id, &job_type, &status, failure_reason.as_deref(), own_token)?;
    let node_ids: Vec<i32> = sqlx::query_scalar(
        "SELECT n.id FROM node n JOIN experiment e ON e.dataset_id = n.dataset_id WHERE e.id = $1",
    )
    .bind(experiment_id)
    .fetch_all(&mut *tx)
    .await?;
    let result_id: i32 = sqlx::query_scalar(
        "INSERT INTO result (job_id, start_time, end_time) VALUES ($1, $2, now()) RETURNING id",
    )
    .bind(job_id)
    .bind(start_time)
    .fetch_one(&mut *tx)
    .await?;

    let (sender, receiver) = mpsc::channel::<Message>(4);
    let reader = SyncIoBridge::new(body);
    let context = ParseContext {
        sender,
        buffer: BytesMut::with_capacity(CHUNK + 1024),
        nodes: node_ids.into_iter().collect(),
        result_id,
        load_sepsets,
    };
    let parser = tokio::task::spawn_blocking(move || parse(reader, context));
    let copied = copy_lists(&mut tx, receiver).await;
    let parsed =
        parser.await.map_err(|err| IngestError::Invalid(format!("the upload could not be read: {err}")))?;
    let summary = parsed.map_err(IngestError::Invalid)?;
    copied?;

    let row: ResultRow = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "UPDATE result SET meta_results = CAST($2 AS json), execution_time = $3, dataset_loading_time = $4 \
         WHERE id = $1 RETURNING {RESULT_COLUMNS}"
    )))
    .bind(result_id)
    .bind(summary.meta_results.as_ref().map(Value::to_string))
    .bind(summary.execution_time)
    .bind(summary.dataset_loading_time)
    .fetch_one(&mut *tx)
    .await?;
    complete(tx, experiment_id, result_model(row), &summary, started, recovering).await
}

/// Uploads up to this size are read whole and stored by [`ingest_small`].
pub const SMALL_UPLOAD: usize = 64 * 1024;

/// A small upload, read whole: the lists go into the result's `INSERT` as arrays in one
/// statement, without a parser thread or `COPY` (each costs round trips a few edges do not
/// repay). Anything but a well-formed upload of the dataset's nodes is handed to [`ingest`],
/// whose streaming parser reports the problem, so both paths answer alike.
pub async fn ingest_small(
    pool: &PgPool,
    job_id: i32,
    body: Bytes,
    load_sepsets: bool,
    token: Option<&[u8; 32]>,
) -> Result<Ingested, IngestError> {
    let started = std::time::Instant::now();
    let streamed = |body: Bytes| ingest(pool, job_id, std::io::Cursor::new(body), load_sepsets, token);
    let Ok(upload) = serde_json::from_slice::<SmallUpload>(&body) else {
        return streamed(body).await;
    };
    let sepsets = match upload.sepset_list {
        Some(list) if load_sepsets => match serde_json::from_value::<Option<Vec<SepsetIn>>>(list) {
            Ok(sepsets) => sepsets.unwrap_or_default(),
            Err(_) => return streamed(body).await,
        },
        _ => vec![],
    };
    let edges = upload.edge_list.unwrap_or_default();

    let mut tx = pool.begin().await?;
    // The outbox rows of this transaction skip their NOTIFY (see `events::outbox`; in the same
    // round trip): concurrent uploads then share WAL flushes; `complete` wakes the relay.
    let job: Option<JobWithNodes> = sqlx::query_as(
        "SELECT j.type, j.status::text, j.start_time, j.experiment_id, j.failure_reason, j.upload_token_hash, \
                ARRAY(SELECT n.id FROM node n JOIN experiment e ON e.dataset_id = n.dataset_id \
                      WHERE e.id = j.experiment_id), \
                set_config('causeway.outbox_notify', 'off', true) \
         FROM job j WHERE j.id = $1 FOR UPDATE OF j",
    )
    .bind(job_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((job_type, status, start_time, experiment_id, failure_reason, stored_token, node_ids, _)) = job
    else {
        return Err(IngestError::NotFound(job_id));
    };
    let own_token = check_token(token, stored_token.as_deref())?;
    let recovering = check_accepts_result(job_id, &job_type, &status, failure_reason.as_deref(), own_token)?;
    let nodes: HashSet<i32> = node_ids.into_iter().collect();
    let known = |node: &NodeRef| i32::try_from(node.0).ok().filter(|id| nodes.contains(id));
    let edge_nodes: Option<Vec<(i32, i32)>> =
        edges.iter().map(|e| Some((known(&e.from_node)?, known(&e.to_node)?))).collect();
    let sepset_nodes: Option<Vec<(i32, i32)>> =
        sepsets.iter().map(|s| Some((known(&s.from_node)?, known(&s.to_node)?))).collect();
    let (Some(edge_nodes), Some(sepset_nodes)) = (edge_nodes, sepset_nodes) else {
        // The streaming path names the node; the job's row lock must be released first.
        tx.rollback().await?;
        return streamed(body).await;
    };
    let (edge_from, edge_to): (Vec<i32>, Vec<i32>) = edge_nodes.into_iter().unzip();
    let (sepset_from, sepset_to): (Vec<i32>, Vec<i32>) = sepset_nodes.into_iter().unzip();
    let row: ResultRow = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "WITH r AS ( \
             INSERT INTO result (job_id, start_time, end_time, meta_results, execution_time, dataset_loading_time) \
             VALUES ($1, $2, now(), CAST($3 AS json), $4, $5) RETURNING {RESULT_COLUMNS}), \
         e AS ( \
             INSERT INTO edge (result_id, from_node_id, to_node_id, weight) \
             SELECT r.id, f, t, w FROM r, unnest($6::int4[], $7::int4[], $8::float8[]) AS x(f, t, w)), \
         s AS ( \
             INSERT INTO sepset (result_id, from_node_id, to_node_id, statistic, level) \
             SELECT r.id, f, t, st, l FROM r, unnest($9::int4[], $10::int4[], $11::float8[], $12::int4[]) AS x(f, t, st, l)) \
         SELECT {RESULT_COLUMNS} FROM r"
    )))
    .bind(job_id)
    .bind(start_time)
    .bind(upload.meta_results.as_ref().map(Value::to_string))
    .bind(upload.execution_time)
    .bind(upload.dataset_loading_time)
    .bind(&edge_from)
    .bind(&edge_to)
    .bind(edges.iter().map(|e| e.weight).collect::<Vec<_>>())
    .bind(&sepset_from)
    .bind(&sepset_to)
    .bind(sepsets.iter().map(|s| s.statistic).collect::<Vec<_>>())
    .bind(sepsets.iter().map(|s| s.level).collect::<Vec<_>>())
    .fetch_one(&mut *tx)
    .await?;
    let summary = Summary { edges: edges.len() as u64, sepsets: sepsets.len() as u64, ..Summary::default() };
    complete(tx, experiment_id, result_model(row), &summary, started, recovering).await
}

/// The job's type, status, start time, experiment, failure reason and upload token hash, and its
/// dataset's node ids. (The last column is `set_config`'s answer.)
type JobWithNodes = (
    String,
    String,
    chrono::DateTime<chrono::Utc>,
    Option<i32>,
    Option<String>,
    Option<Vec<u8>>,
    Vec<i32>,
    String,
);

/// Whether the upload presented the job's own token (`false` without a token, which the caller
/// allowed); [`IngestError::TokenMismatch`] for another token.
fn check_token(presented: Option<&[u8; 32]>, stored: Option<&[u8]>) -> Result<bool, IngestError> {
    match presented {
        None => Ok(false),
        Some(presented) if super::token::token_matches(stored, presented) => Ok(true),
        Some(_) => Err(IngestError::TokenMismatch),
    }
}

/// The whole upload of [`ingest_small`]; unknown members are ignored, as by the streaming parser.
#[derive(serde::Deserialize)]
struct SmallUpload {
    #[serde(default)]
    meta_results: Option<Value>,
    #[serde(default)]
    execution_time: Option<f64>,
    #[serde(default)]
    dataset_loading_time: Option<f64>,
    #[serde(default)]
    edge_list: Option<Vec<EdgeIn>>,
    /// Validated only when separating sets are stored.
    #[serde(default)]
    sepset_list: Option<Value>,
}

/// Whether the job takes a result: `Ok(None)` while it waits or runs, `Ok(Some(reason))` for a
/// late result with the job's own token after the scheduler gave up on its run (it recovers the
/// job), a conflict for any other ended job.
fn check_accepts_result(
    job_id: i32,
    job_type: &str,
    status: &str,
    failure_reason: Option<&str>,
    own_token: bool,
) -> Result<Option<LostRun>, IngestError> {
    if job_type != entity::job::EXPERIMENT_JOB {
        return Err(IngestError::Invalid(format!(
            "job {job_id} is a dataset-generation job: it delivers a dataset, not a result"
        )));
    }
    let status = lifecycle::parse_status(status).unwrap_or(JobStatus::Error);
    match (status, failure_reason.and_then(LostRun::parse)) {
        (JobStatus::Waiting | JobStatus::Running, _) => Ok(None),
        (JobStatus::Error, Some(reason)) if own_token => Ok(Some(reason)),
        (JobStatus::Done, _) => Err(IngestError::Conflict(format!("job {job_id} already has its result"))),
        (other, _) => Err(IngestError::Conflict(format!(
            "job {job_id} is {}; its result is not accepted",
            other.as_str()
        ))),
    }
}

/// Marks the job done, records the result's event with the job's and commits.
async fn complete(
    mut tx: sqlx::Transaction<'_, sqlx::Postgres>,
    experiment_id: Option<i32>,
    result: entity::result::Model,
    summary: &Summary,
    started: std::time::Instant,
    recovering: Option<LostRun>,
) -> Result<Ingested, IngestError> {
    let (job_id, result_id) = (result.job_id, result.id);
    let transition = match recovering {
        Some(reason) => {
            let note = format!(
                "\nCauseway recovered this job: its result arrived, with the job's upload token, \
                 after the scheduler had given up on it ({}).\n",
                reason.describe()
            );
            lifecycle::append_log(&mut tx, job_id, &note).await?;
            tracing::info!(job_id, reason = reason.as_str(), "late result recovers an abandoned job");
            Transition::Recover
        }
        None => Transition::Complete,
    };
    let stored = Event::new(
        Entity::Result,
        result_id,
        "stored",
        json!({ "id": result_id, "job_id": job_id, "experiment_id": experiment_id,
                "edges": summary.edges, "sepsets": summary.sepsets }),
    );
    match lifecycle::apply_with_events(&mut tx, job_id, &transition, vec![stored]).await {
        Ok(_) => {}
        Err(TransitionError::Database(err)) => return Err(err.into()),
        Err(other) => return Err(IngestError::Conflict(other.to_string())),
    }
    tx.commit().await?;
    // The outbox rows sent no NOTIFY (see `ingest_small` and `ingest`).
    crate::events::relay::wake();
    crate::metrics::global().ingested(summary.edges + summary.sepsets, started.elapsed());
    tracing::info!(job_id, result_id, edges = summary.edges, sepsets = summary.sepsets, "result stored");
    Ok(Ingested { result, edges: summary.edges, sepsets: summary.sepsets })
}

/// Writes the lists the parser streams, one `COPY` per list. Stops quietly when the parser
/// stops (its error is the one reported).
async fn copy_lists(
    conn: &mut PgConnection,
    mut receiver: mpsc::Receiver<Message>,
) -> Result<(), IngestError> {
    while let Some(message) = receiver.recv().await {
        let Message::Begin(list) = message else {
            continue;
        };
        let statement = match list {
            List::Edges => {
                "COPY edge (result_id, from_node_id, to_node_id, weight) FROM STDIN WITH (FORMAT csv)"
            }
            List::Sepsets => {
                "COPY sepset (result_id, from_node_id, to_node_id, statistic, level) FROM STDIN WITH (FORMAT csv)"
            }
        };
        let mut copy = conn.copy_in_raw(statement).await?;
        loop {
            match receiver.recv().await {
                Some(Message::Chunk(chunk)) => {
                    copy.send(chunk).await?;
                }
                Some(Message::End) => {
                    copy.finish().await?;
                    break;
                }
                // The parser failed inside a list: end the COPY so the transaction rolls back.
                Some(Message::Begin(_)) | None => {
                    let _ = copy.abort("upload rejected").await;
                    return Ok(());
                }
            }
        }
    }
    Ok(())
}

struct ParseContext {
    sender: mpsc::Sender<Message>,
    buffer: BytesMut,
    nodes: HashSet<i32>,
    result_id: i32,
    load_sepsets: bool,
}

impl ParseContext {
    fn send(&self, message: Message) -> Result<(), String> {
        self.sender.blocking_send(message).map_err(|_| "the database stopped accepting rows".to_owned())
    }

    fn flush(&mut self, force: bool) -> Result<(), String> {
        if self.buffer.len() >= CHUNK || (force && !self.buffer.is_empty()) {
            let chunk = self.buffer.split().freeze();
            self.send(Message::Chunk(chunk))?;
        }
        Ok(())
    }

    fn node<E: de::Error>(&self, id: i64) -> Result<i32, E> {
        i32::try_from(id).ok().filter(|id| self.nodes.contains(id)).ok_or_else(|| {
            E::custom(format!("Invalid Node ID: {id} is not a node of the experiment's dataset"))
        })
    }
}

fn parse(reader: impl std::io::Read, mut context: ParseContext) -> Result<Summary, String> {
    let mut deserializer = serde_json::Deserializer::from_reader(BufReader::with_capacity(64 * 1024, reader));
    let summary = UploadSeed { context: &mut context }.deserialize(&mut deserializer).map_err(describe)?;
    deserializer.end().map_err(describe)?;
    Ok(summary)
}

fn describe(err: serde_json::Error) -> String {
    if err.is_io() {
        format!("the upload could not be read: {err}")
    } else if err.is_syntax() || err.is_eof() {
        format!("the upload is not valid JSON: {err}")
    } else {
        err.to_string()
    }
}

struct UploadSeed<'a> {
    context: &'a mut ParseContext,
}

impl<'de> DeserializeSeed<'de> for UploadSeed<'_> {
    type Value = Summary;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Summary, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for UploadSeed<'_> {
    type Value = Summary;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a result object with edge_list")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Summary, A::Error> {
        let mut summary = Summary::default();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "edge_list" => {
                    summary.edges +=
                        map.next_value_seed(ListSeed { context: self.context, list: List::Edges })?
                }
                "sepset_list" if self.context.load_sepsets => {
                    summary.sepsets +=
                        map.next_value_seed(ListSeed { context: self.context, list: List::Sepsets })?
                }
                "meta_results" => summary.meta_results = map.next_value::<Option<Value>>()?,
                "execution_time" => summary.execution_time = map.next_value::<Option<f64>>()?,
                "dataset_loading_time" => summary.dataset_loading_time = map.next_value::<Option<f64>>()?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(summary)
    }
}

struct ListSeed<'a> {
    context: &'a mut ParseContext,
    list: List,
}

impl<'de> DeserializeSeed<'de> for ListSeed<'_> {
    type Value = u64;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<u64, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ListSeed<'_> {
    type Value = u64;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list")
    }

    fn visit_unit<E: de::Error>(self) -> Result<u64, E> {
        Ok(0) // `null` counts as an empty list
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<u64, A::Error> {
        let context = self.context;
        context.send(Message::Begin(self.list)).map_err(de::Error::custom)?;
        let result_id = context.result_id;
        let mut count = 0;
        match self.list {
            List::Edges => {
                while let Some(edge) = seq.next_element::<EdgeIn>()? {
                    let from = context.node::<A::Error>(edge.from_node.0)?;
                    let to = context.node::<A::Error>(edge.to_node.0)?;
                    let line = match edge.weight {
                        Some(weight) => format!("{result_id},{from},{to},{weight}\n"),
                        None => format!("{result_id},{from},{to},\n"),
                    };
                    context.buffer.extend_from_slice(line.as_bytes());
                    context.flush(false).map_err(de::Error::custom)?;
                    count += 1;
                }
            }
            List::Sepsets => {
                while let Some(sepset) = seq.next_element::<SepsetIn>()? {
                    let from = context.node::<A::Error>(sepset.from_node.0)?;
                    let to = context.node::<A::Error>(sepset.to_node.0)?;
                    let line = format!("{result_id},{from},{to},{},{}\n", sepset.statistic, sepset.level);
                    context.buffer.extend_from_slice(line.as_bytes());
                    context.flush(false).map_err(de::Error::custom)?;
                    count += 1;
                }
            }
        }
        context.flush(true).map_err(de::Error::custom)?;
        context.send(Message::End).map_err(de::Error::custom)?;
        Ok(count)
    }
}

#[derive(serde::Deserialize)]
struct EdgeIn {
    from_node: NodeRef,
    to_node: NodeRef,
    #[serde(default)]
    weight: Option<f64>,
}

#[derive(serde::Deserialize)]
struct SepsetIn {
    from_node: NodeRef,
    to_node: NodeRef,
    statistic: f64,
    level: i32,
}

/// A node id, written as a number or as a string of digits (R's JSON writers do both).
struct NodeRef(i64);

impl<'de> serde::Deserialize<'de> for NodeRef {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NodeVisitor;
        impl Visitor<'_> for NodeVisitor {
            type Value = NodeRef;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a node id")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<NodeRef, E> {
                Ok(NodeRef(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<NodeRef, E> {
                i64::try_from(v).map(NodeRef).map_err(|_| E::custom(format!("Invalid Node ID: {v}")))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<NodeRef, E> {
                if v.fract() == 0.0 {
                    Ok(NodeRef(v as i64))
                } else {
                    Err(E::custom(format!("Invalid Node ID: {v}")))
                }
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<NodeRef, E> {
                v.trim().parse().map(NodeRef).map_err(|_| E::custom(format!("Invalid Node ID: {v:?}")))
            }
        }
        deserializer.deserialize_any(NodeVisitor)
    }
}
