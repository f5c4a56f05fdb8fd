//! What every scenario counts, and must find 0 of:
//!
//! - lost: a job that did not end `done` with its result;
//! - duplicated: a job given a result more than once, or launched (`job.started`) more often
//!   than it had attempts;
//! - stuck: a job still `waiting` or `running` at the deadline.

use std::time::Duration;

use sqlx::PgPool;

#[derive(Debug, PartialEq)]
pub struct Counts {
    pub lost: usize,
    pub duplicated: usize,
    pub stuck: usize,
}

impl std::fmt::Display for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "lost={} duplicated={} stuck={}", self.lost, self.duplicated, self.stuck)
    }
}

/// How many jobs are still waiting or running.
pub async fn open_jobs(pool: &PgPool) -> usize {
    sqlx::query_scalar::<_, i64>("SELECT count(*) FROM job WHERE status IN ('waiting', 'running')")
        .fetch_one(pool)
        .await
        .unwrap() as usize
}

/// Waits (up to `within`) until no job is waiting or running, then counts.
pub async fn counts(pool: &PgPool, within: Duration) -> Counts {
    let deadline = tokio::time::Instant::now() + within;
    while open_jobs(pool).await > 0 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let count = |sql: &'static str| async move {
        sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await.unwrap() as usize
    };
    Counts {
        lost: count(
            "SELECT count(*) FROM job j WHERE j.status NOT IN ('waiting', 'running') \
             AND (j.status <> 'done' OR NOT EXISTS (SELECT 1 FROM result r WHERE r.job_id = j.id))",
        )
        .await,
        duplicated: count(
            "SELECT count(*) FROM job j WHERE \
             (SELECT count(*) FROM result r WHERE r.job_id = j.id) > 1 OR \
             (SELECT count(*) FROM outbox o WHERE o.subject = 'job.' || j.id || '.started') > j.attempt",
        )
        .await,
        stuck: open_jobs(pool).await,
    }
}

/// The jobs behind a non-zero count, for the failure message.
pub async fn lost_jobs(pool: &PgPool) -> String {
    type Row = (i32, String, Option<String>, i32, Option<String>);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, status::text, error_code::text, attempt, right(log, 400) FROM job j \
         WHERE status <> 'done' OR NOT EXISTS (SELECT 1 FROM result r WHERE r.job_id = j.id) \
         OR (SELECT count(*) FROM result r WHERE r.job_id = j.id) > 1 \
         OR (SELECT count(*) FROM outbox o WHERE o.subject = 'job.' || j.id || '.started') > j.attempt \
         ORDER BY id LIMIT 20",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    format!("{rows:#?}")
}
