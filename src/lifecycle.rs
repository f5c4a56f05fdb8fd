//! The job state machine (job-lifecycle.md §1): the only code that writes `job` rows.
//!
//! How can a job change? Only through this file:
//! - [`create_experiment_jobs`] / [`create_generation_job`]: a new `waiting` job (`job.created`);
//! - [`apply`] / [`apply_many`]: a [`Transition`] checked against the job's current status,
//!   written with a compare-and-set `UPDATE` (status, error code, timestamps, failure reason)
//!   with its event;
//! - [`claim`]: waiting → running with a fresh upload token (only its hash is stored);
//! - [`retry`]: running → waiting for the next attempt (`job.retrying`);
//! - [`lock_claims`]: a launch holds its jobs' rows until their runs are recorded;
//! - [`record_containers`], [`record_container`], [`set_log`], [`append_log`],
//!   [`set_generated_dataset`]: what the scheduler and the collector learn about a run, without
//!   a status change.
//!
//! Everything runs on the caller's transaction. Side effects (stopping a run, notifying
//! browsers) follow from the events, never from here.

use entity::enums::{JobErrorCode, JobStatus};
use serde_json::{Value, json};
use sqlx::postgres::PgConnection;
use uuid::Uuid;

use crate::{
    collector::token::token_hash,
    events::{Entity, Event, outbox},
};

/// One move of the state machine; the T-numbers are job-lifecycle.md's.
#[derive(Debug, Clone, PartialEq)]
pub enum Transition {
    /// T3: the scheduler claimed the job to launch it (waiting → running).
    Launch,
    /// T4 (failure branch): launching failed (waiting/running → error, -127).
    LaunchFailed,
    /// T5: a result was uploaded (running → done). MPCSL also accepts uploads for waiting jobs
    /// (spec §1 notes); Causeway refuses them for jobs that ended otherwise (409).
    Complete,
    /// T6: a generation job delivered its dataset (waiting/running → done).
    GenerationDone,
    /// T7: the executor reported a failure with `PUT /api/job/{id}` (running → error, no code).
    ReportError,
    /// T8–T10 and timeouts: the run failed, vanished, could not be scheduled or had no image
    /// (running → error with the code).
    Fail(JobErrorCode),
    /// The scheduler gave up on a run its executor never ended (running → error, -127), for a
    /// [`LostRun`] reason. Unlike [`Transition::Fail`], the executor may still be alive and
    /// deliver: see [`Transition::Recover`].
    Abandon(LostRun),
    /// A result arrived, with the job's upload token, for a job the scheduler had abandoned
    /// (error → done, the error code cleared).
    Recover,
    /// T11: cancelled by a user (running → cancelled).
    Cancel,
    /// T12: hidden by a user (any but running → hidden).
    Hide,
}

impl Transition {
    /// Statuses this transition may start from.
    pub fn allowed_from(&self) -> &'static [JobStatus] {
        use JobStatus::*;
        match self {
            Transition::Launch => &[Waiting],
            Transition::LaunchFailed => &[Waiting, Running],
            Transition::Complete => &[Waiting, Running],
            Transition::GenerationDone => &[Waiting, Running],
            Transition::ReportError => &[Running],
            Transition::Fail(_) => &[Running],
            Transition::Abandon(_) => &[Running],
            // Only abandoned jobs: `apply_many` also requires a failure reason.
            Transition::Recover => &[Error],
            Transition::Cancel => &[Running],
            Transition::Hide => &[Waiting, Done, Error, Cancelled, Hidden],
        }
    }

    pub fn target(&self) -> JobStatus {
        match self {
            Transition::Launch => JobStatus::Running,
            Transition::Complete | Transition::GenerationDone | Transition::Recover => JobStatus::Done,
            Transition::LaunchFailed
            | Transition::ReportError
            | Transition::Fail(_)
            | Transition::Abandon(_) => JobStatus::Error,
            Transition::Cancel => JobStatus::Cancelled,
            Transition::Hide => JobStatus::Hidden,
        }
    }

    /// The event verb published for this transition.
    pub fn event(&self) -> &'static str {
        match self {
            Transition::Launch => "started",
            Transition::Complete | Transition::GenerationDone | Transition::Recover => "succeeded",
            Transition::LaunchFailed
            | Transition::ReportError
            | Transition::Fail(_)
            | Transition::Abandon(_) => "failed",
            Transition::Cancel => "cancelled",
            Transition::Hide => "hidden",
        }
    }

    /// The error code written by this transition (`None` leaves it unchanged).
    fn error_code(&self) -> Option<JobErrorCode> {
        match self {
            Transition::LaunchFailed => Some(JobErrorCode::Unknown),
            Transition::Fail(code) => Some(*code),
            Transition::Abandon(_) => Some(JobErrorCode::Unknown),
            _ => None,
        }
    }

    /// The failure reason written by this transition (`None` leaves it unchanged).
    fn failure_reason(&self) -> Option<LostRun> {
        match self {
            Transition::Abandon(reason) => Some(*reason),
            _ => None,
        }
    }

    fn ends_job(&self) -> bool {
        matches!(
            self,
            Transition::Complete
                | Transition::GenerationDone
                | Transition::LaunchFailed
                | Transition::ReportError
                | Transition::Fail(_)
                | Transition::Abandon(_)
                | Transition::Recover
                | Transition::Cancel
        )
    }
}

/// Why the scheduler abandoned a running job (`job.failure_reason`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LostRun {
    /// Its run disappeared (Job deleted, run folder lost).
    Vanished,
    /// It ran longer than `CAUSEWAY_JOB_TIMEOUT`.
    TimedOut,
    /// No run was observed within `CAUSEWAY_LAUNCH_TIMEOUT` of the claim.
    NoRun,
}

impl LostRun {
    pub fn as_str(self) -> &'static str {
        match self {
            LostRun::Vanished => "vanished",
            LostRun::TimedOut => "timed_out",
            LostRun::NoRun => "no_run",
        }
    }

    /// How a log line names it.
    pub fn describe(self) -> &'static str {
        match self {
            LostRun::Vanished => "its run vanished",
            LostRun::TimedOut => "it timed out",
            LostRun::NoRun => "no run was observed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [LostRun::Vanished, LostRun::TimedOut, LostRun::NoRun].into_iter().find(|r| r.as_str() == text)
    }
}

/// The job as the state machine sees it after a transition.
#[derive(Debug, Clone, PartialEq)]
pub struct JobState {
    pub id: i32,
    pub job_type: String,
    pub status: JobStatus,
    pub error_code: Option<JobErrorCode>,
    pub experiment_id: Option<i32>,
    pub dataset_id: Option<i32>,
}

#[derive(Debug, thiserror::Error)]
pub enum TransitionError {
    #[error("job {0} does not exist")]
    NotFound(i32),
    #[error("job {id} is {status}; it cannot be {wanted}")]
    NotAllowed { id: i32, status: &'static str, wanted: &'static str },
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Every job status, in the order of the state machine.
pub const STATUSES: [JobStatus; 6] = [
    JobStatus::Waiting,
    JobStatus::Running,
    JobStatus::Done,
    JobStatus::Error,
    JobStatus::Cancelled,
    JobStatus::Hidden,
];

pub fn parse_status(text: &str) -> Option<JobStatus> {
    STATUSES.into_iter().find(|s| s.as_str() == text)
}

fn parse_error_code(text: &str) -> Option<JobErrorCode> {
    match text {
        "UNSCHEDULABLE" => Some(JobErrorCode::Unschedulable),
        "IMAGE_NOT_FOUND" => Some(JobErrorCode::ImageNotFound),
        "UNKNOWN" => Some(JobErrorCode::Unknown),
        _ => None,
    }
}

fn error_code_name(code: JobErrorCode) -> &'static str {
    match code {
        JobErrorCode::Unschedulable => "UNSCHEDULABLE",
        JobErrorCode::ImageNotFound => "IMAGE_NOT_FOUND",
        JobErrorCode::Unknown => "UNKNOWN",
    }
}

type JobRow = (i32, String, String, Option<String>, Option<i32>, Option<i32>);

/// A job row as a transition returns it, with its experiment's study.
type TransitionRow = (i32, String, String, Option<String>, Option<i32>, Option<i32>, Option<i32>);

fn job_state(row: JobRow) -> JobState {
    let (id, job_type, status, error_code, experiment_id, dataset_id) = row;
    JobState {
        id,
        job_type,
        status: parse_status(&status).unwrap_or(JobStatus::Error),
        error_code: error_code.as_deref().and_then(parse_error_code),
        experiment_id,
        dataset_id,
    }
}

/// The event payload for a job in `state`.
pub fn job_event(state: &JobState, what: &'static str) -> Event {
    Event::new(
        Entity::Job,
        state.id,
        what,
        json!({
            "id": state.id,
            "type": state.job_type,
            "status": state.status.as_str(),
            "error_code": state.error_code.map(JobErrorCode::code),
            "experiment_id": state.experiment_id,
            "dataset_id": state.dataset_id,
        }),
    )
}

/// Applies `transition` to job `id` on `conn` (inside the caller's transaction) and records its
/// event. Fails without writing when the job is missing or its status does not allow the move.
pub async fn apply(
    conn: &mut PgConnection,
    id: i32,
    transition: &Transition,
) -> Result<JobState, TransitionError> {
    apply_with_events(conn, id, transition, Vec::new()).await
}

/// As [`apply`], recording `also` (events of the same change, such as the stored result) in the
/// same outbox write as the job's; nothing is recorded when the job does not move.
pub async fn apply_with_events(
    conn: &mut PgConnection,
    id: i32,
    transition: &Transition,
    also: Vec<Event>,
) -> Result<JobState, TransitionError> {
    if let Some(state) = apply_recording(conn, &[id], transition, also).await?.pop() {
        return Ok(state);
    }
    let current: Option<String> = sqlx::query_scalar("SELECT status::text FROM job WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    Err(match current.as_deref().and_then(parse_status) {
        None => TransitionError::NotFound(id),
        Some(status) => {
            TransitionError::NotAllowed { id, status: status.as_str(), wanted: transition.target().as_str() }
        }
    })
}

/// Applies `transition` to every job of `ids` whose status allows it, in one statement, and
/// records their events; returns the jobs that moved (the others are left as they are).
pub async fn apply_many(
    conn: &mut PgConnection,
    ids: &[i32],
    transition: &Transition,
) -> Result<Vec<JobState>, TransitionError> {
    apply_recording(conn, ids, transition, Vec::new()).await
}

/// [`apply_many`], with `also` recorded after the jobs' events when at least one job moved.
async fn apply_recording(
    conn: &mut PgConnection,
    ids: &[i32],
    transition: &Transition,
    also: Vec<Event>,
) -> Result<Vec<JobState>, TransitionError> {
    let allowed: Vec<&str> = transition.allowed_from().iter().map(|s| s.as_str()).collect();
    // A recovery clears the error code and applies only to jobs with a failure reason.
    let recovers = *transition == Transition::Recover;
    // One job (the common case: an upload, a report, a run that ended) is matched with `=`:
    // PostgreSQL then keeps one generic plan for the prepared statement, where `= ANY($1)`
    // made it plan every execution again (≈ 120 µs, as much as the update itself).
    let matching = if ids.len() == 1 { "id = $1" } else { "id = ANY($1)" };
    let query = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "UPDATE job SET status = $2::job_status, \
                error_code = CASE WHEN $6 THEN NULL ELSE COALESCE($3::job_error_code, error_code) END, \
                end_time = CASE WHEN $4 THEN now() ELSE end_time END, \
                launched_at = CASE WHEN $2 = 'running' THEN now() ELSE launched_at END, \
                failure_reason = CASE WHEN $2 = 'error' THEN $7 ELSE failure_reason END \
         WHERE {matching} AND status::text = ANY($5) AND (NOT $6 OR failure_reason IS NOT NULL) \
         RETURNING id, type, status::text, error_code::text, experiment_id, dataset_id, \
                   (SELECT e.study_id FROM experiment e WHERE e.id = job.experiment_id)"
    )));
    let query = match ids {
        [id] => query.bind(*id),
        _ => query.bind(ids),
    };
    let rows: Vec<TransitionRow> = query
        .bind(transition.target().as_str())
        .bind(transition.error_code().map(error_code_name))
        .bind(transition.ends_job())
        .bind(&allowed)
        .bind(recovers)
        .bind(transition.failure_reason().map(LostRun::as_str))
        .fetch_all(&mut *conn)
        .await?;
    // Experiments of the jobs that belong to a study (asked in the same statement, so jobs
    // outside studies cost no query more).
    let mut in_studies: Vec<i32> =
        rows.iter().filter(|row| row.6.is_some()).filter_map(|row| row.4).collect();
    let mut states: Vec<JobState> = rows
        .into_iter()
        .map(|(id, kind, status, code, experiment, dataset, _)| {
            job_state((id, kind, status, code, experiment, dataset))
        })
        .collect();
    states.sort_by_key(|s| s.id);
    let mut events: Vec<Event> = states.iter().map(|s| job_event(s, transition.event())).collect();
    if transition.ends_job() && !in_studies.is_empty() {
        // Jobs of a study: its progress (and its end) in the same transaction.
        in_studies.sort_unstable();
        in_studies.dedup();
        events.extend(crate::studies::progress::job_end_events(conn, &in_studies).await?);
    }
    if !states.is_empty() {
        events.extend(also);
    }
    outbox::record_sqlx(conn, &events).await?;
    for state in &states {
        tracing::info!(
            job_id = state.id,
            status = state.status.as_str(),
            event = transition.event(),
            "job transition"
        );
    }
    Ok(states)
}

/// Experiment jobs to create: `runs` alike jobs of one experiment.
#[derive(Debug, Clone, Default)]
pub struct NewExperimentJobs {
    pub experiment_id: i32,
    pub dataset_id: i32,
    pub runs: i32,
    pub node: Option<String>,
    pub parallel: Option<bool>,
    pub enforce_cpus: Option<bool>,
    pub gpus: Option<i32>,
    /// `None`: the experiment's value.
    pub max_retries: Option<i32>,
    pub retry_backoff: Option<f64>,
    pub retry_backoff_cap: Option<f64>,
    /// Subject of the caller who started the runs.
    pub created_by: Option<String>,
}

/// Inserts `waiting` experiment jobs with a `job.created` event each; returns their ids.
pub async fn create_experiment_jobs(
    conn: &mut PgConnection,
    new: &NewExperimentJobs,
) -> Result<Vec<i32>, sqlx::Error> {
    let ids: Vec<i32> = sqlx::query_scalar(
        "INSERT INTO job (type, experiment_id, status, node_hostname, parallel, enforce_cpus, gpus, start_time, \
                          max_retries, retry_backoff, retry_backoff_cap, created_by) \
         SELECT $10, $1, $11::job_status, $2, $3, $4, $5, clock_timestamp(), \
                COALESCE($7, e.max_retries), COALESCE($8, e.retry_backoff), COALESCE($9, e.retry_backoff_cap), $12 \
         FROM experiment e, generate_series(1, $6) WHERE e.id = $1 \
         RETURNING id",
    )
    .bind(new.experiment_id)
    .bind(&new.node)
    .bind(new.parallel)
    .bind(new.enforce_cpus)
    .bind(new.gpus)
    .bind(new.runs)
    .bind(new.max_retries)
    .bind(new.retry_backoff)
    .bind(new.retry_backoff_cap)
    .bind(entity::job::EXPERIMENT_JOB)
    .bind(JobStatus::Waiting.as_str())
    .bind(&new.created_by)
    .fetch_all(&mut *conn)
    .await?;
    let events: Vec<Event> = ids
        .iter()
        .map(|&id| {
            let state = JobState {
                id,
                job_type: entity::job::EXPERIMENT_JOB.to_owned(),
                status: JobStatus::Waiting,
                error_code: None,
                experiment_id: Some(new.experiment_id),
                dataset_id: Some(new.dataset_id),
            };
            job_event(&state, "created")
        })
        .collect();
    outbox::record_sqlx(conn, &events).await?;
    Ok(ids)
}

/// A dataset-generation job to create.
#[derive(Debug, Clone)]
pub struct NewGenerationJob {
    pub node: Option<String>,
    pub dataset_name: String,
    pub generator_type: String,
    pub parameters: Value,
    /// Subject of the caller who asked for it (it will own the generated dataset).
    pub created_by: Option<String>,
}

/// Inserts a `waiting` dataset-generation job with its `job.created` event; returns its id.
pub async fn create_generation_job(
    conn: &mut PgConnection,
    new: &NewGenerationJob,
) -> Result<i32, sqlx::Error> {
    let id: i32 = sqlx::query_scalar(
        "INSERT INTO job (type, status, node_hostname, dataset_name, generator_type, parameters, created_by) \
         VALUES ($5, $6::job_status, $1, $2, $3, CAST($4 AS json), $7) RETURNING id",
    )
    .bind(&new.node)
    .bind(&new.dataset_name)
    .bind(&new.generator_type)
    .bind(new.parameters.to_string())
    .bind(entity::job::DATASET_GENERATION_JOB)
    .bind(JobStatus::Waiting.as_str())
    .bind(&new.created_by)
    .fetch_one(&mut *conn)
    .await?;
    let state = JobState {
        id,
        job_type: entity::job::DATASET_GENERATION_JOB.to_owned(),
        status: JobStatus::Waiting,
        error_code: None,
        experiment_id: None,
        dataset_id: None,
    };
    outbox::record_sqlx(conn, &[job_event(&state, "created")]).await?;
    Ok(id)
}

/// Claims `ids` (waiting → running, `job.started`) and gives each a fresh random upload token;
/// only the token's hash is stored, the token itself is returned for the executor.
pub async fn claim(conn: &mut PgConnection, ids: &[i32]) -> Result<Vec<(JobState, Uuid)>, TransitionError> {
    let tokens: std::collections::HashMap<i32, Uuid> = ids.iter().map(|&id| (id, Uuid::new_v4())).collect();
    let hashes: Vec<Vec<u8>> = ids.iter().map(|id| token_hash(&tokens[id]).to_vec()).collect();
    sqlx::query(
        "UPDATE job SET upload_token_hash = t.hash FROM unnest($1::int[], $2::bytea[]) AS t(id, hash) \
         WHERE job.id = t.id AND job.status = $3::job_status",
    )
    .bind(ids)
    .bind(&hashes)
    .bind(JobStatus::Waiting.as_str())
    .execute(&mut *conn)
    .await?;
    let states = apply_many(conn, ids, &Transition::Launch).await?;
    Ok(states
        .into_iter()
        .filter_map(|state| {
            let token = tokens.get(&state.id).copied()?;
            Some((state, token))
        })
        .collect())
}

/// Locks the rows (until the caller's transaction ends) of the claims, (job id, token), that are
/// still running under that token; returns their ids. The others were taken back by another
/// scheduler (launch timeout) or ended. A launch holds these locks until its runs are recorded.
pub async fn lock_claims(
    conn: &mut PgConnection,
    claims: &[(i32, Uuid)],
) -> Result<std::collections::HashSet<i32>, sqlx::Error> {
    let ids: Vec<i32> = claims.iter().map(|(id, _)| *id).collect();
    let hashes: Vec<Vec<u8>> = claims.iter().map(|(_, token)| token_hash(token).to_vec()).collect();
    let held: Vec<i32> = sqlx::query_scalar(
        "SELECT job.id FROM job JOIN unnest($1::int[], $2::bytea[]) AS c(id, hash) \
             ON job.id = c.id AND job.upload_token_hash = c.hash \
         WHERE job.status = $3::job_status ORDER BY job.id FOR UPDATE OF job",
    )
    .bind(&ids)
    .bind(&hashes)
    .bind(JobStatus::Running.as_str())
    .fetch_all(&mut *conn)
    .await?;
    Ok(held.into_iter().collect())
}

/// Names the runs (process or Kubernetes Job) of jobs, (job id, container id), in one statement.
pub async fn record_containers(conn: &mut PgConnection, runs: &[(i32, String)]) -> Result<(), sqlx::Error> {
    if runs.is_empty() {
        return Ok(());
    }
    let (ids, names): (Vec<i32>, Vec<String>) = runs.iter().cloned().unzip();
    sqlx::query(
        "UPDATE job SET container_id = c.name FROM unnest($1::int[], $2::varchar[]) AS c(id, name) \
         WHERE job.id = c.id",
    )
    .bind(&ids)
    .bind(&names)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Locks the job's row if it is running without a recorded run (waiting for a launch in
/// progress to record it first); `false` otherwise.
pub async fn lock_without_run(conn: &mut PgConnection, id: i32) -> Result<bool, sqlx::Error> {
    let row: Option<i32> = sqlx::query_scalar(
        "SELECT id FROM job WHERE id = $1 AND status = $2::job_status AND container_id IS NULL FOR UPDATE",
    )
    .bind(id)
    .bind(JobStatus::Running.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.is_some())
}

/// Names the job's run (process or Kubernetes Job), once it is known.
pub async fn record_container(
    conn: &mut PgConnection,
    id: i32,
    container_id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE job SET container_id = $2 WHERE id = $1 AND container_id IS DISTINCT FROM $2")
        .bind(id)
        .bind(container_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Stores the run's log (replacing what was saved before).
pub async fn set_log(conn: &mut PgConnection, id: i32, log: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE job SET log = $2 WHERE id = $1").bind(id).bind(log).execute(&mut *conn).await?;
    Ok(())
}

/// Adds `note` to the job's log; a job without a log gets the note (without its leading line
/// break), or MPCSL's empty-log marker when the note is empty too.
pub async fn append_log(conn: &mut PgConnection, id: i32, note: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE job SET log = COALESCE(log || $2, NULLIF(ltrim($2, E'\\n'), ''), $3) WHERE id = $1")
        .bind(id)
        .bind(note)
        .bind(crate::scheduler::EMPTY_LOGS)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Links a generation job to the dataset it delivered.
pub async fn set_generated_dataset(
    conn: &mut PgConnection,
    id: i32,
    dataset_id: i32,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE job SET dataset_id = $2 WHERE id = $1")
        .bind(id)
        .bind(dataset_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// How often a claimed job without a run goes back to `waiting` on top of its retries.
pub const NEVER_LAUNCHED_REQUEUES: i32 = 3;

/// A job's retry budget, read before deciding between [`retry`] and giving up.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryBudget {
    pub attempt: i32,
    pub max_retries: i32,
    /// Seconds.
    pub backoff: f64,
    pub backoff_cap: f64,
}

impl RetryBudget {
    pub async fn load(conn: &mut PgConnection, id: i32) -> Result<Option<Self>, sqlx::Error> {
        let row: Option<(i32, i32, f64, f64)> = sqlx::query_as(
            "SELECT attempt, max_retries, retry_backoff, retry_backoff_cap FROM job WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
        Ok(row.map(|(attempt, max_retries, backoff, backoff_cap)| RetryBudget {
            attempt,
            max_retries,
            backoff,
            backoff_cap,
        }))
    }

    /// Whether another attempt is allowed (attempt 1 is the first run, not a retry).
    pub fn allows_retry(&self) -> bool {
        self.attempt <= self.max_retries
    }

    /// Whether a job that was claimed but never launched may be claimed again: always, up to
    /// [`NEVER_LAUNCHED_REQUEUES`] times beyond its retries.
    pub fn allows_requeue(&self) -> bool {
        self.attempt <= self.max_retries + NEVER_LAUNCHED_REQUEUES
    }

    /// Exponential back-off with jitter: `min(cap, base · 2^(attempt-1))`, scaled by a random
    /// factor in [0.5, 1) (`unit` in [0, 1)), so retries of jobs that failed together spread.
    pub fn delay(&self, unit: f64) -> std::time::Duration {
        let exponent = (self.attempt - 1).clamp(0, 60);
        let full = (self.backoff * 2f64.powi(exponent)).min(self.backoff_cap).max(0.0);
        std::time::Duration::from_secs_f64(full * (0.5 + 0.5 * unit.clamp(0.0, 1.0)))
    }
}

/// Puts a running job whose run failed for an infrastructure reason back to `waiting` for its
/// next attempt after `delay`: the attempt number goes up, the reason joins
/// `earlier_attempts`, the run's traces (container, token, log, error) are cleared, and a
/// `job.retrying` event (with attempt, delay and reason) is recorded. `None` when the job was no
/// longer running.
pub async fn retry(
    conn: &mut PgConnection,
    id: i32,
    reason: &str,
    delay: std::time::Duration,
) -> Result<Option<JobState>, sqlx::Error> {
    let row: Option<(JobRow, i32)> =
        sqlx::query_as::<_, (i32, String, String, Option<String>, Option<i32>, Option<i32>, i32)>(
            "UPDATE job SET status = 'waiting', attempt = attempt + 1, \
                earlier_attempts = earlier_attempts || jsonb_build_array(jsonb_build_object( \
                    'attempt', attempt, 'reason', $2::text, 'at', now(), \
                    'token_hash', encode(upload_token_hash, 'hex'))), \
                not_before = now() + make_interval(secs => $3), \
                container_id = NULL, launched_at = NULL, upload_token_hash = NULL, log = NULL, \
                error_code = NULL, failure_reason = NULL \
         WHERE id = $1 AND status = 'running' \
         RETURNING id, type, status::text, error_code::text, experiment_id, dataset_id, attempt",
        )
        .bind(id)
        .bind(reason)
        .bind(delay.as_secs_f64())
        .fetch_optional(&mut *conn)
        .await?
        .map(|(id, kind, status, code, experiment, dataset, attempt)| {
            ((id, kind, status, code, experiment, dataset), attempt)
        });
    let Some((row, attempt)) = row else { return Ok(None) };
    let state = job_state(row);
    let mut event = job_event(&state, "retrying");
    if let Value::Object(data) = &mut event.data {
        data.insert("attempt".into(), json!(attempt));
        data.insert("delay_seconds".into(), json!(delay.as_secs_f64()));
        data.insert("reason".into(), json!(reason));
    }
    outbox::record_sqlx(conn, &[event]).await?;
    tracing::info!(job_id = id, attempt, delay_seconds = delay.as_secs_f64(), reason, "job retrying");
    Ok(Some(state))
}

/// The current state of a job, for callers that decide before they transition.
pub async fn load(conn: &mut PgConnection, id: i32) -> Result<Option<JobState>, sqlx::Error> {
    let row: Option<JobRow> = sqlx::query_as(
        "SELECT id, type, status::text, error_code::text, experiment_id, dataset_id FROM job WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(job_state))
}

/// `data` of a job event, for consumers that only have the JSON.
pub fn event_status(data: &Value) -> Option<JobStatus> {
    data.get("status").and_then(Value::as_str).and_then(parse_status)
}

#[cfg(test)]
mod tests {
    use super::*;
    use JobStatus::*;

    const ALL: [JobStatus; 6] = [Waiting, Running, Done, Error, Cancelled, Hidden];

    /// Every (status, transition) pair: the table of job-lifecycle.md §1.
    #[test]
    fn each_transition_starts_only_from_its_statuses() {
        let table: [(Transition, &[JobStatus], JobStatus); 10] = [
            (Transition::Launch, &[Waiting], Running),
            (Transition::LaunchFailed, &[Waiting, Running], Error),
            (Transition::Complete, &[Waiting, Running], Done),
            (Transition::GenerationDone, &[Waiting, Running], Done),
            (Transition::ReportError, &[Running], Error),
            (Transition::Fail(JobErrorCode::Unschedulable), &[Running], Error),
            (Transition::Abandon(LostRun::Vanished), &[Running], Error),
            (Transition::Recover, &[Error], Done),
            (Transition::Cancel, &[Running], Cancelled),
            // Hidden from anything but running: a running job is cancelled instead (api §5.5).
            (Transition::Hide, &[Waiting, Done, Error, Cancelled, Hidden], Hidden),
        ];
        for (transition, from, to) in table {
            for status in ALL {
                assert_eq!(
                    transition.allowed_from().contains(&status),
                    from.contains(&status),
                    "{transition:?} from {status:?}"
                );
            }
            assert_eq!(transition.target(), to, "{transition:?}");
        }
    }

    #[test]
    fn back_off_grows_exponentially_up_to_the_cap_with_jitter() {
        let budget = |attempt| RetryBudget { attempt, max_retries: 3, backoff: 10.0, backoff_cap: 35.0 };
        assert_eq!(budget(1).delay(1.0).as_secs_f64(), 10.0);
        assert_eq!(budget(1).delay(0.0).as_secs_f64(), 5.0, "jitter halves at most");
        assert_eq!(budget(2).delay(1.0).as_secs_f64(), 20.0);
        assert_eq!(budget(3).delay(1.0).as_secs_f64(), 35.0, "capped");
        assert!(budget(3).allows_retry() && !budget(4).allows_retry());
        let none = RetryBudget { attempt: 1, max_retries: 0, backoff: 10.0, backoff_cap: 600.0 };
        assert!(!none.allows_retry(), "MPCSL's behaviour by default");
    }

    #[test]
    fn failures_carry_their_codes_and_end_the_job() {
        assert_eq!(Transition::LaunchFailed.error_code(), Some(JobErrorCode::Unknown));
        assert_eq!(
            Transition::Fail(JobErrorCode::ImageNotFound).error_code(),
            Some(JobErrorCode::ImageNotFound)
        );
        assert_eq!(Transition::ReportError.error_code(), None, "an executor report leaves the code alone");
        assert!(Transition::Cancel.ends_job());
        assert!(!Transition::Launch.ends_job());
        assert!(!Transition::Hide.ends_job());
    }
}
