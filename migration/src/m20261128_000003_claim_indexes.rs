//! Partial indexes for the scheduler's claim query (`src/scheduler/claim.rs`): its three
//! `NOT EXISTS` checks then read only the few rows they are about, so claiming stays constant
//! time with thousands of running or waiting jobs.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261128_000003_claim_indexes"
    }
}

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

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.get_connection().execute_unprepared(UP).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.get_connection().execute_unprepared(DOWN).await?;
        Ok(())
    }
}
