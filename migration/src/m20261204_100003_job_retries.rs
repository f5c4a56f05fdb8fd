//! Retries of infrastructure failures with exponential back-off:
//! - `experiment.max_retries` (default 0: MPCSL's behaviour), `retry_backoff` and
//!   `retry_backoff_cap` (seconds): the defaults of the experiment's jobs;
//! - `job.max_retries`, `retry_backoff`, `retry_backoff_cap`: the experiment's values or the
//!   start request's, fixed when the job is created;
//! - `job.attempt` (1 for the first run), `job.earlier_attempts` (JSON array of
//!   `{attempt, reason, at}`) and `job.not_before` (a retried job waits until then).

use sea_orm_migration::prelude::*;

const UP: &str = r#"
ALTER TABLE experiment
    ADD COLUMN max_retries integer NOT NULL DEFAULT 0 CHECK (max_retries BETWEEN 0 AND 100),
    ADD COLUMN retry_backoff double precision NOT NULL DEFAULT 10 CHECK (retry_backoff > 0),
    ADD COLUMN retry_backoff_cap double precision NOT NULL DEFAULT 600 CHECK (retry_backoff_cap > 0);
ALTER TABLE job
    ADD COLUMN attempt integer NOT NULL DEFAULT 1,
    ADD COLUMN max_retries integer NOT NULL DEFAULT 0 CHECK (max_retries BETWEEN 0 AND 100),
    ADD COLUMN retry_backoff double precision NOT NULL DEFAULT 10 CHECK (retry_backoff > 0),
    ADD COLUMN retry_backoff_cap double precision NOT NULL DEFAULT 600 CHECK (retry_backoff_cap > 0),
    ADD COLUMN earlier_attempts jsonb NOT NULL DEFAULT '[]',
    ADD COLUMN not_before timestamptz;
"#;

const DOWN: &str = r#"
ALTER TABLE job DROP COLUMN IF EXISTS attempt, DROP COLUMN IF EXISTS max_retries,
    DROP COLUMN IF EXISTS retry_backoff, DROP COLUMN IF EXISTS retry_backoff_cap,
    DROP COLUMN IF EXISTS earlier_attempts, DROP COLUMN IF EXISTS not_before;
ALTER TABLE experiment DROP COLUMN IF EXISTS max_retries, DROP COLUMN IF EXISTS retry_backoff,
    DROP COLUMN IF EXISTS retry_backoff_cap;
"#;

sql_migration!("m20261204_100003_job_retries");
