//! Claiming waiting jobs (job-lifecycle.md §3, with the intended behaviour of its quirks).
//!
//! A waiting job may start when
//! - it is a dataset-generation job (they never wait for, nor block, experiment jobs), or
//! - no sequential experiment job is running, and either this job is parallel or no
//!   experiment job is running at all, and no older sequential job is still waiting (so a
//!   sequential job is not starved by a stream of parallel ones).
//!
//! A job that may not start yet stays waiting (MPCSL set it to error). Claims of all scheduler
//! replicas are serialised by a transaction-scoped advisory lock, because the rule reads other
//! rows; `FOR UPDATE SKIP LOCKED` keeps replicas off each other's candidates all the same.

use sqlx::{PgPool, Postgres, pool::PoolConnection};
use uuid::Uuid;

use entity::enums::JobStatus;

use crate::lifecycle::{self, JobState};

/// Key of the advisory lock held while claiming.
const CLAIM_LOCK: i64 = 0x6361_7573_6577_6179; // "causeway"

/// First key of the session advisory locks (`pg_advisory_lock(CLAIMER_LOCK, job id)`) a
/// scheduler holds on each job it claimed, from before the claim commits until the job's run is
/// recorded. The lock goes with the scheduler's session: a claimed job without a run whose lock
/// is free was claimed by a scheduler that died, and is taken back at once instead of after
/// `CAUSEWAY_LAUNCH_TIMEOUT`.
pub const CLAIMER_LOCK: i32 = 0x6361_7573; // "caus"

/// The claimer's locks on a batch (see [`CLAIMER_LOCK`]), held on the claim's connection.
/// [`ClaimHold::release`] gives them back once the batch's runs are recorded; dropped without
/// it (an error, a panic), the connection is closed rather than pooled, which ends the locks.
pub struct ClaimHold {
    conn: Option<PoolConnection<Postgres>>,
}

impl ClaimHold {
    pub async fn release(mut self) -> Result<(), sqlx::Error> {
        if let Some(mut conn) = self.conn.take() {
            // The connection is the hold's alone: every session lock on it is the batch's.
            let unlocked = sqlx::query("SELECT pg_advisory_unlock_all()").execute(&mut *conn).await;
            if unlocked.is_err() {
                conn.close_on_drop();
            }
            unlocked?;
        }
        Ok(())
    }
}

impl Drop for ClaimHold {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.as_mut() {
            conn.close_on_drop();
        }
    }
}

/// Whether the scheduler that claimed job `id` is gone: nobody holds its claimer lock.
pub async fn claimer_gone(pool: &PgPool, id: i32) -> Result<bool, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    let free: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1, $2)")
        .bind(CLAIMER_LOCK)
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
    if free {
        sqlx::query("SELECT pg_advisory_unlock($1, $2)")
            .bind(CLAIMER_LOCK)
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(free)
}

/// A claimed job, now `running`, with the token its executor must present.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub job: JobState,
    pub upload_token: Uuid,
}

/// A waiting job as the claim rule sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Waiting {
    pub id: i32,
    pub experiment: bool,
    pub parallel: bool,
}

/// Which of the waiting jobs (oldest first) may start now, given what runs (job-lifecycle.md
/// §3.1 with its intended behaviour). Jobs started in the same pass count as running for the
/// later ones; a waiting sequential job is a barrier for every newer experiment job.
pub fn startable(waiting: &[Waiting], mut running_any: bool, mut running_sequential: bool) -> Vec<i32> {
    let mut start = vec![];
    let mut barrier = false;
    for job in waiting {
        if !job.experiment {
            start.push(job.id); // generation jobs neither wait for nor block experiment jobs
        } else if barrier || running_sequential {
            barrier = true;
        } else if job.parallel {
            start.push(job.id);
            running_any = true;
        } else if !running_any {
            start.push(job.id);
            running_any = true;
            running_sequential = true;
        } else {
            barrier = true;
        }
    }
    start
}

/// Claims up to `limit` jobs that may start: sets them running (events `job.started`) and gives
/// each a fresh upload token, in one short transaction. The returned hold keeps the claimer
/// locks ([`CLAIMER_LOCK`]) until the caller has recorded the runs.
pub async fn claim_batch(
    pool: &PgPool,
    limit: i64,
) -> Result<(Vec<Claimed>, ClaimHold), lifecycle::TransitionError> {
    let mut hold = ClaimHold { conn: Some(pool.acquire().await?) };
    let conn = hold.conn.as_mut().expect("just acquired");
    // An error drops the hold, which closes the connection with any lock taken.
    let claimed = claim_on(conn, limit).await?;
    Ok((claimed, hold))
}

async fn claim_on(
    conn: &mut sqlx::PgConnection,
    limit: i64,
) -> Result<Vec<Claimed>, lifecycle::TransitionError> {
    let mut tx = sqlx::Connection::begin(conn).await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(CLAIM_LOCK).execute(&mut *tx).await?;
    let waiting: Vec<(i32, String, bool)> = sqlx::query_as(
        "SELECT id, type, coalesce(parallel, false) FROM job WHERE status = $2::job_status \
         AND (not_before IS NULL OR not_before <= now()) \
         ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED",
    )
    .bind(limit)
    .bind(JobStatus::Waiting.as_str())
    .fetch_all(&mut *tx)
    .await?;
    if waiting.is_empty() {
        return Ok(vec![]);
    }
    let (running_any, running_sequential): (bool, bool) = sqlx::query_as(
        "SELECT EXISTS (SELECT 1 FROM job WHERE status = $1::job_status AND type = $2), \
                EXISTS (SELECT 1 FROM job WHERE status = $1::job_status AND type = $2 \
                        AND NOT coalesce(parallel, false))",
    )
    .bind(JobStatus::Running.as_str())
    .bind(entity::job::EXPERIMENT_JOB)
    .fetch_one(&mut *tx)
    .await?;
    let waiting: Vec<Waiting> = waiting
        .into_iter()
        .map(|(id, kind, parallel)| Waiting { id, experiment: kind == entity::job::EXPERIMENT_JOB, parallel })
        .collect();
    let ids = startable(&waiting, running_any, running_sequential);
    // Session locks, taken before the claim commits so that no moment shows the claim without
    // them. A job whose lock is still held (its earlier claimer, alive but past the launch
    // timeout, is still in its pass) waits for the next pass.
    let ids: Vec<i32> = sqlx::query_scalar(
        "SELECT id FROM unnest($2::int4[]) AS id WHERE pg_try_advisory_lock($1, id) ORDER BY id",
    )
    .bind(CLAIMER_LOCK)
    .bind(&ids)
    .fetch_all(&mut *tx)
    .await?;
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let claimed = lifecycle::claim(&mut tx, &ids).await?;
    let waited: Vec<f64> = sqlx::query_scalar(
        "SELECT extract(epoch FROM launched_at - start_time)::float8 FROM job WHERE id = ANY($1)",
    )
    .bind(&ids)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    for seconds in waited {
        crate::metrics::global()
            .scheduling_latency
            .observe(std::time::Duration::from_secs_f64(seconds.max(0.0)));
    }
    Ok(claimed.into_iter().map(|(job, upload_token)| Claimed { job, upload_token }).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(id: i32, parallel: bool) -> Waiting {
        Waiting { id, experiment: true, parallel }
    }

    #[test]
    fn parallel_jobs_start_together_and_a_sequential_one_only_alone() {
        assert_eq!(startable(&[job(1, true), job(2, true)], false, false), [1, 2]);
        assert_eq!(
            startable(&[job(1, false), job(2, true)], false, false),
            [1],
            "2 waits for the sequential 1"
        );
        assert_eq!(
            startable(&[job(1, true), job(2, false), job(3, true)], false, false),
            [1],
            "2 waits; 3 may not overtake"
        );
        assert_eq!(startable(&[job(1, false)], true, false), Vec::<i32>::new(), "something runs");
        assert_eq!(startable(&[job(1, true)], true, true), Vec::<i32>::new(), "a sequential job runs");
        assert_eq!(startable(&[job(1, true)], true, false), [1], "parallel next to parallel");
    }

    #[test]
    fn generation_jobs_start_whatever_runs() {
        let generation = Waiting { id: 9, experiment: false, parallel: false };
        assert_eq!(startable(&[job(1, false), generation], true, true), [9]);
    }
}
