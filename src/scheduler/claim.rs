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

use entity::enums::JobStatus;

use crate::lifecycle::{self, JobState};

/// Key of the advisory lock held while claiming.
const CLAIM_LOCK: i64 = 0x6361_7573_6577_6179; // "causeway"

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
/// each a fresh upload token, in one short transaction.
pub async fn claim_batch(pool: &PgPool, limit: i64) -> Result<Vec<Claimed>, lifecycle::TransitionError> {
    let mut tx = pool.begin().await?;
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
