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

use sqlx::PgPool;
use uuid::Uuid;

use crate::lifecycle::{self, JobState, Transition};

/// Key of the advisory lock held while claiming.
const CLAIM_LOCK: i64 = 0x6361_7573_6577_6179; // "causeway"

const CANDIDATE: &str = "
SELECT j.id FROM job j
WHERE j.status = 'waiting'
  AND (
    j.type = 'dataset_generation_job'
    OR (
      NOT EXISTS (SELECT 1 FROM job r WHERE r.status = 'running' AND r.type = 'experiment_job'
                  AND NOT coalesce(r.parallel, false))
      AND (coalesce(j.parallel, false)
           OR NOT EXISTS (SELECT 1 FROM job r WHERE r.status = 'running' AND r.type = 'experiment_job'))
      AND NOT EXISTS (SELECT 1 FROM job w WHERE w.status = 'waiting' AND w.type = 'experiment_job'
                      AND w.id < j.id AND NOT coalesce(w.parallel, false))
    )
  )
ORDER BY j.id
LIMIT 1
FOR UPDATE OF j SKIP LOCKED";

/// A claimed job, now `running`, with the token its executor must present.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub job: JobState,
    pub upload_token: Uuid,
}

/// Claims the next job that may start, if any: sets it running (event `job.started`) and gives
/// it a fresh upload token, in one short transaction (nothing slow happens under the lock).
pub async fn claim_next(pool: &PgPool) -> Result<Option<Claimed>, lifecycle::TransitionError> {
    let mut tx = pool.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(CLAIM_LOCK).execute(&mut *tx).await?;
    let Some(id): Option<i32> = sqlx::query_scalar(CANDIDATE).fetch_optional(&mut *tx).await? else {
        return Ok(None);
    };
    let upload_token = Uuid::new_v4();
    sqlx::query("UPDATE job SET upload_token = $2 WHERE id = $1")
        .bind(id)
        .bind(upload_token)
        .execute(&mut *tx)
        .await?;
    let job = lifecycle::apply(&mut tx, id, &Transition::Launch).await?;
    tx.commit().await?;
    Ok(Some(Claimed { job, upload_token }))
}
