//! Both job kinds share this table; `job_type` says which columns apply
//! (`experiment_job`: experiment_id, parallel, enforce_cpus, gpus;
//! `dataset_generation_job`: dataset_id, dataset_name, generator_type, parameters).

use sea_orm::entity::prelude::*;

use crate::enums::{JobErrorCode, JobStatus};

pub const EXPERIMENT_JOB: &str = "experiment_job";
pub const DATASET_GENERATION_JOB: &str = "dataset_generation_job";

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "job")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(column_name = "type")]
    pub job_type: String,
    pub start_time: DateTimeWithTimeZone,
    pub end_time: Option<DateTimeWithTimeZone>,
    pub container_id: Option<String>,
    pub node_hostname: Option<String>,
    pub status: JobStatus,
    #[sea_orm(column_type = "Text", nullable)]
    pub log: Option<String>,
    pub error_code: Option<JobErrorCode>,
    pub experiment_id: Option<i32>,
    pub parallel: Option<bool>,
    pub enforce_cpus: Option<bool>,
    pub gpus: Option<i32>,
    pub dataset_id: Option<i32>,
    pub dataset_name: Option<String>,
    pub generator_type: Option<String>,
    #[sea_orm(column_type = "Json", nullable)]
    pub parameters: Option<Json>,
    /// SHA-256 of the secret the executor of this run presents to the collector (the token
    /// itself is never stored).
    pub upload_token_hash: Option<Vec<u8>>,
    pub launched_at: Option<DateTimeWithTimeZone>,
    /// Subject of the caller who created the row (docs/security.md); null for rows made by
    /// Causeway itself or before identities existed.
    pub created_by: Option<String>,
    /// Why the scheduler gave up on the run (`vanished`, `timed_out`, `no_run`); a late result
    /// with the job's token is still accepted then.
    pub failure_reason: Option<String>,
    /// 1 for the first run, one more for each retry.
    pub attempt: i32,
    /// Retries of infrastructure failures this job may take, and their back-off (seconds).
    pub max_retries: i32,
    pub retry_backoff: f64,
    pub retry_backoff_cap: f64,
    /// Earlier attempts: JSON array of `{attempt, reason, at}`.
    #[sea_orm(column_type = "JsonBinary")]
    pub earlier_attempts: Json,
    /// A retried job waits until then.
    pub not_before: Option<DateTimeWithTimeZone>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::experiment::Entity",
        from = "Column::ExperimentId",
        to = "super::experiment::Column::Id"
    )]
    Experiment,
    #[sea_orm(has_many = "super::result::Entity")]
    Result,
}

impl Related<super::experiment::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Experiment.def()
    }
}

impl Related<super::result::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Result.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
