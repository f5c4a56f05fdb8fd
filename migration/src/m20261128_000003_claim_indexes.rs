//! Partial indexes for the scheduler's claims (`src/scheduler/claim.rs`): its checks for running
//! (sequential) experiment jobs read only the few rows they are about, so claiming stays constant
//! time with thousands of running jobs. (The waiting-sequential index served an earlier form of
//! the claim query; it is small and harmless.)

use sea_orm_migration::prelude::*;

const UP: &str = r#"
CREATE INDEX job_running_experiment_idx ON job (id)
    WHERE status = 'running' AND type = 'experiment_job';
CREATE INDEX job_running_sequential_idx ON job (id)
    WHERE status = 'running' AND type = 'experiment_job' AND NOT coalesce(parallel, false);
CREATE INDEX job_waiting_sequential_idx ON job (id)
    WHERE status = 'waiting' AND type = 'experiment_job' AND NOT coalesce(parallel, false);
"#;

const DOWN: &str = r#"
DROP INDEX IF EXISTS job_running_experiment_idx, job_running_sequential_idx, job_waiting_sequential_idx;
"#;

sql_migration!("m20261128_000003_claim_indexes");
