//! Postgres enum types shared by several tables.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Job state (data-model.md §2.1). Transitions are owned by `causeway::lifecycle`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "Enum", enum_name = "job_status")]
#[serde(rename_all = "lowercase")]
pub enum JobStatus {
    #[sea_orm(string_value = "waiting")]
    Waiting,
    #[sea_orm(string_value = "running")]
    Running,
    #[sea_orm(string_value = "done")]
    Done,
    #[sea_orm(string_value = "error")]
    Error,
    #[sea_orm(string_value = "cancelled")]
    Cancelled,
    #[sea_orm(string_value = "hidden")]
    Hidden,
}

impl JobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Waiting => "waiting",
            JobStatus::Running => "running",
            JobStatus::Done => "done",
            JobStatus::Error => "error",
            JobStatus::Cancelled => "cancelled",
            JobStatus::Hidden => "hidden",
        }
    }
}

/// Why the scheduler failed a job (data-model.md §2.2). Stored by name, written as a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "Enum", enum_name = "job_error_code")]
pub enum JobErrorCode {
    #[sea_orm(string_value = "UNSCHEDULABLE")]
    Unschedulable,
    #[sea_orm(string_value = "IMAGE_NOT_FOUND")]
    ImageNotFound,
    #[sea_orm(string_value = "UNKNOWN")]
    Unknown,
}

impl JobErrorCode {
    /// The number MPCSL writes in JSON and events.
    pub fn code(self) -> i32 {
        match self {
            JobErrorCode::Unschedulable => -1,
            JobErrorCode::ImageNotFound => -2,
            JobErrorCode::Unknown => -127,
        }
    }

    pub fn from_code(code: i64) -> Option<Self> {
        match code {
            -1 => Some(JobErrorCode::Unschedulable),
            -2 => Some(JobErrorCode::ImageNotFound),
            -127 => Some(JobErrorCode::Unknown),
            _ => None,
        }
    }
}

/// A researcher's verdict on a learned edge (data-model.md §2.3, with the API's values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "Enum", enum_name = "edge_annotation")]
#[serde(rename_all = "lowercase")]
pub enum EdgeAnnotation {
    #[sea_orm(string_value = "approved")]
    Approved,
    #[sea_orm(string_value = "declined")]
    Declined,
    #[sea_orm(string_value = "missing")]
    Missing,
}
