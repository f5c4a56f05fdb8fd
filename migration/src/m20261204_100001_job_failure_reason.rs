//! `job.failure_reason`: why the scheduler gave up on a running job whose executor never ended
//! it: `vanished` (its run disappeared), `timed_out` (`CAUSEWAY_JOB_TIMEOUT`) or `no_run` (no
//! run was observed within `CAUSEWAY_LAUNCH_TIMEOUT`). A result that still arrives with the
//! job's upload token is accepted for such a job (and only for such a job); it is empty for
//! every other ending.

use sea_orm_migration::prelude::*;

const UP: &str = r#"
ALTER TABLE job ADD COLUMN failure_reason varchar
    CHECK (failure_reason IN ('vanished', 'timed_out', 'no_run'));
"#;

const DOWN: &str = r#"
ALTER TABLE job DROP COLUMN IF EXISTS failure_reason;
"#;

sql_migration!("m20261204_100001_job_failure_reason");
