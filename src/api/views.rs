//! Response shapes shared by several resources, exactly as MPCSL writes them (api.md §1).
//!
//! Each foreign key appears twice, as `<rel>_id` and as `<rel>` with the same id; every listed
//! field is always present (`null` when unset); timestamps are ISO-8601 with an offset.

use chrono::{DateTime, Datelike, FixedOffset, Timelike, Utc};
use entity::enums::{JobErrorCode, JobStatus};
use poem_openapi::{Enum, Object};
use serde_json::Value;

/// A JSON list written straight from `serde` (no intermediate JSON tree), documented with `T`'s
/// schema: for large listings (10,000 jobs) the tree costs as much as the database.
pub struct JsonList<T>(pub Vec<T>);

impl<T: poem_openapi::types::ToJSON + serde::Serialize> poem_openapi::ApiResponse for JsonList<T> {
    fn meta() -> poem_openapi::registry::MetaResponses {
        <poem_openapi::payload::Json<Vec<T>> as poem_openapi::ApiResponse>::meta()
    }

    fn register(registry: &mut poem_openapi::registry::Registry) {
        <poem_openapi::payload::Json<Vec<T>> as poem_openapi::ApiResponse>::register(registry);
    }
}

impl<T: serde::Serialize + Send> poem::IntoResponse for JsonList<T> {
    fn into_response(self) -> poem::Response {
        match serde_json::to_vec(&self.0) {
            Ok(body) => poem::Response::builder().content_type("application/json; charset=utf-8").body(body),
            Err(err) => {
                tracing::error!(error = %err, "serialising a listing failed");
                poem::Response::builder().status(poem::http::StatusCode::INTERNAL_SERVER_ERROR).finish()
            }
        }
    }
}

/// A timestamp as MPCSL writes it: UTC, microseconds (omitted when zero, like Python's
/// `isoformat`) and an explicit `+00:00`.
pub fn iso(time: &DateTime<FixedOffset>) -> String {
    use std::fmt::Write as _;
    // Written field by field: chrono's `format` parses its pattern on every call, and listings
    // format tens of thousands of timestamps.
    let utc = time.with_timezone(&Utc);
    let mut out = String::with_capacity(32);
    let _ = write!(
        out,
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        utc.year(),
        utc.month(),
        utc.day(),
        utc.hour(),
        utc.minute(),
        utc.second()
    );
    let micros = utc.timestamp_subsec_micros();
    if micros != 0 {
        let _ = write!(out, ".{micros:06}");
    }
    out.push_str("+00:00");
    out
}

#[derive(Debug, Clone, Object)]
#[oai(rename = "Algorithm")]
pub struct AlgorithmView {
    pub id: i32,
    #[oai(nullable)]
    pub package: Option<String>,
    #[oai(nullable)]
    pub function: Option<String>,
    #[oai(nullable)]
    pub script_filename: Option<String>,
    #[oai(nullable)]
    pub docker_image: Option<String>,
    #[oai(nullable)]
    pub description: Option<String>,
    #[oai(nullable)]
    pub needs_gpu: Option<bool>,
    /// Parameter schema: name → `{type, required?, minimum?, maximum?, values?, default?}`.
    #[oai(nullable)]
    pub valid_parameters: Option<Value>,
    pub docker_parameters: Value,
    /// Causeway: how the local launcher runs it (`null`: image only).
    #[oai(nullable)]
    pub local_command: Option<Value>,
}

impl From<entity::algorithm::Model> for AlgorithmView {
    fn from(m: entity::algorithm::Model) -> Self {
        AlgorithmView {
            id: m.id,
            package: m.package,
            function: m.function,
            script_filename: m.script_filename,
            docker_image: m.docker_image,
            description: m.description,
            needs_gpu: m.needs_gpu,
            valid_parameters: m.valid_parameters,
            docker_parameters: m.docker_parameters,
            local_command: m.local_command,
        }
    }
}

#[derive(Debug, Clone, Object)]
#[oai(rename = "Dataset")]
pub struct DatasetView {
    pub id: i32,
    #[oai(nullable)]
    pub name: Option<String>,
    #[oai(nullable)]
    pub description: Option<String>,
    #[oai(nullable)]
    pub load_query: Option<String>,
    pub data_source: String,
    pub time_created: String,
    pub content_hash: String,
}

impl From<entity::dataset::Model> for DatasetView {
    fn from(m: entity::dataset::Model) -> Self {
        DatasetView {
            id: m.id,
            name: m.name,
            description: m.description,
            load_query: m.load_query,
            data_source: m.data_source,
            time_created: iso(&m.time_created),
            content_hash: m.content_hash,
        }
    }
}

#[derive(Debug, Clone, Object)]
#[oai(rename = "Node")]
pub struct NodeView {
    pub id: i32,
    #[oai(nullable)]
    pub name: Option<String>,
    pub dataset_id: i32,
    pub dataset: i32,
}

impl From<entity::node::Model> for NodeView {
    fn from(m: entity::node::Model) -> Self {
        NodeView { id: m.id, name: m.name, dataset_id: m.dataset_id, dataset: m.dataset_id }
    }
}

#[derive(Debug, Clone, Object, serde::Serialize)]
#[oai(rename = "Result")]
pub struct ResultView {
    pub id: i32,
    pub job_id: i32,
    pub job: i32,
    pub start_time: String,
    pub end_time: String,
    #[oai(nullable)]
    pub execution_time: Option<f64>,
    #[oai(nullable)]
    pub dataset_loading_time: Option<f64>,
    #[oai(nullable)]
    pub meta_results: Option<Value>,
}

impl From<entity::result::Model> for ResultView {
    fn from(m: entity::result::Model) -> Self {
        ResultView {
            id: m.id,
            job_id: m.job_id,
            job: m.job_id,
            start_time: iso(&m.start_time),
            end_time: iso(&m.end_time),
            execution_time: m.execution_time,
            dataset_loading_time: m.dataset_loading_time,
            meta_results: m.meta_results,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, serde::Serialize)]
#[oai(rename = "JobStatus", rename_all = "lowercase")]
#[serde(rename_all = "lowercase")]
pub enum JobStatusView {
    Waiting,
    Running,
    Done,
    Error,
    Cancelled,
    Hidden,
}

impl From<JobStatus> for JobStatusView {
    fn from(status: JobStatus) -> Self {
        match status {
            JobStatus::Waiting => JobStatusView::Waiting,
            JobStatus::Running => JobStatusView::Running,
            JobStatus::Done => JobStatusView::Done,
            JobStatus::Error => JobStatusView::Error,
            JobStatus::Cancelled => JobStatusView::Cancelled,
            JobStatus::Hidden => JobStatusView::Hidden,
        }
    }
}

/// The base Job shape (api.md §1.8), whatever the job's kind.
#[derive(Debug, Clone, Object, serde::Serialize)]
#[oai(rename = "Job")]
pub struct JobView {
    pub id: i32,
    /// `experiment_job` or `dataset_generation_job`.
    #[oai(rename = "type")]
    #[serde(rename = "type")]
    pub job_type: String,
    pub status: JobStatusView,
    pub start_time: String,
    #[oai(nullable)]
    pub end_time: Option<String>,
    #[oai(nullable)]
    pub container_id: Option<String>,
    #[oai(nullable)]
    pub node_hostname: Option<String>,
    #[oai(nullable)]
    pub log: Option<String>,
    /// -1 unschedulable, -2 image not found, -127 unknown failure.
    #[oai(nullable)]
    pub error_code: Option<i32>,
    /// The job's latest result.
    #[oai(nullable)]
    pub result: Option<ResultView>,
    /// 1 for the first run; one more for each retry of an infrastructure failure.
    pub attempt: i32,
    /// Why earlier attempts did not finish, oldest first.
    pub earlier_attempts: Vec<EarlierAttempt>,
}

/// An attempt of a job that failed for an infrastructure reason and was retried.
#[derive(Debug, Clone, Object, serde::Serialize, serde::Deserialize)]
pub struct EarlierAttempt {
    pub attempt: i32,
    pub reason: String,
    /// When it was given up (ISO 8601).
    pub at: String,
}

impl JobView {
    pub fn new(m: &entity::job::Model, result: Option<ResultView>) -> Self {
        JobView {
            id: m.id,
            job_type: m.job_type.clone(),
            status: m.status.into(),
            start_time: iso(&m.start_time),
            end_time: m.end_time.as_ref().map(iso),
            container_id: m.container_id.clone(),
            node_hostname: m.node_hostname.clone(),
            log: m.log.clone(),
            error_code: m.error_code.map(JobErrorCode::code),
            result,
            attempt: m.attempt,
            earlier_attempts: serde_json::from_value(m.earlier_attempts.clone()).unwrap_or_default(),
        }
    }
}

/// An experiment job: the base Job plus its experiment and scheduling options (api.md §1.9).
#[derive(Debug, Clone, Object)]
#[oai(rename = "ExperimentJob")]
pub struct ExperimentJobView {
    #[oai(flatten)]
    pub job: JobView,
    pub experiment_id: i32,
    pub experiment: i32,
    #[oai(nullable)]
    pub parallel: Option<bool>,
    #[oai(nullable)]
    pub enforce_cpus: Option<bool>,
    #[oai(nullable)]
    pub gpus: Option<i32>,
}

impl ExperimentJobView {
    pub fn new(m: &entity::job::Model, result: Option<ResultView>) -> Self {
        let experiment_id = m.experiment_id.unwrap_or_default();
        ExperimentJobView {
            job: JobView::new(m, result),
            experiment_id,
            experiment: experiment_id,
            parallel: m.parallel,
            enforce_cpus: m.enforce_cpus,
            gpus: m.gpus,
        }
    }
}

/// Summary of the execution times of every result of an experiment (api.md §1.11).
#[derive(Debug, Clone, PartialEq, Object)]
#[oai(rename = "ExecutionTimeStatistics")]
pub struct ExecutionTimeStatistics {
    pub min: f64,
    pub max: f64,
    pub mean: f64,
    pub median: f64,
    pub lower_quantile: f64,
    pub upper_quantile: f64,
}

#[derive(Debug, Clone, Object)]
#[oai(rename = "Experiment")]
pub struct ExperimentView {
    pub id: i32,
    #[oai(nullable)]
    pub name: Option<String>,
    #[oai(nullable)]
    pub description: Option<String>,
    pub dataset_id: i32,
    pub dataset: i32,
    #[oai(nullable)]
    pub algorithm_id: Option<i32>,
    #[oai(nullable)]
    pub algorithm: Option<AlgorithmView>,
    #[oai(nullable)]
    pub parameters: Option<Value>,
    /// Default retries of its jobs' infrastructure failures and their back-off (seconds).
    pub max_retries: i32,
    pub retry_backoff: f64,
    pub retry_backoff_cap: f64,
    /// The job with the latest start time, hidden jobs included.
    #[oai(nullable)]
    pub last_job: Option<ExperimentJobView>,
    #[oai(nullable)]
    pub execution_time_statistics: Option<ExecutionTimeStatistics>,
    /// The study that made it (`null`: made on its own).
    #[oai(nullable)]
    pub study_id: Option<i32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_written_like_python_isoformat_in_utc() {
        let t = DateTime::parse_from_rfc3339("2021-01-07T17:12:38.902808+01:00").unwrap();
        assert_eq!(iso(&t), "2021-01-07T16:12:38.902808+00:00");
        let t = DateTime::parse_from_rfc3339("2021-01-07T16:12:38Z").unwrap();
        assert_eq!(iso(&t), "2021-01-07T16:12:38+00:00");
    }
}

#[derive(Debug, Clone, Object)]
#[oai(rename = "Edge")]
pub struct EdgeView {
    pub id: i64,
    pub from_node_id: i32,
    pub from_node: i32,
    pub to_node_id: i32,
    pub to_node: i32,
    #[oai(nullable)]
    pub result_id: Option<i32>,
    #[oai(nullable)]
    pub result: Option<i32>,
    #[oai(nullable)]
    pub weight: Option<f64>,
    #[oai(nullable)]
    pub is_ground_truth: Option<bool>,
}

impl From<entity::edge::Model> for EdgeView {
    fn from(m: entity::edge::Model) -> Self {
        EdgeView {
            id: m.id,
            from_node_id: m.from_node_id,
            from_node: m.from_node_id,
            to_node_id: m.to_node_id,
            to_node: m.to_node_id,
            result_id: m.result_id,
            result: m.result_id,
            weight: m.weight,
            is_ground_truth: m.is_ground_truth,
        }
    }
}

#[derive(Debug, Clone, Object)]
#[oai(rename = "Sepset")]
pub struct SepsetView {
    pub id: i64,
    pub from_node_id: i32,
    pub from_node: i32,
    pub to_node_id: i32,
    pub to_node: i32,
    pub result_id: i32,
    pub result: i32,
    pub statistic: f64,
    pub level: i32,
}

impl From<entity::sepset::Model> for SepsetView {
    fn from(m: entity::sepset::Model) -> Self {
        SepsetView {
            id: m.id,
            from_node_id: m.from_node_id,
            from_node: m.from_node_id,
            to_node_id: m.to_node_id,
            to_node: m.to_node_id,
            result_id: m.result_id,
            result: m.result_id,
            statistic: m.statistic,
            level: m.level,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename = "EdgeAnnotation", rename_all = "lowercase")]
pub enum AnnotationView {
    Approved,
    Declined,
    Missing,
}

impl From<entity::enums::EdgeAnnotation> for AnnotationView {
    fn from(a: entity::enums::EdgeAnnotation) -> Self {
        use entity::enums::EdgeAnnotation::*;
        match a {
            Approved => AnnotationView::Approved,
            Declined => AnnotationView::Declined,
            Missing => AnnotationView::Missing,
        }
    }
}

impl From<AnnotationView> for entity::enums::EdgeAnnotation {
    fn from(a: AnnotationView) -> Self {
        use entity::enums::EdgeAnnotation::*;
        match a {
            AnnotationView::Approved => Approved,
            AnnotationView::Declined => Declined,
            AnnotationView::Missing => Missing,
        }
    }
}

#[derive(Debug, Clone, Object)]
#[oai(rename = "EdgeInformation")]
pub struct EdgeInformationView {
    pub id: i32,
    pub result_id: i32,
    pub result: i32,
    pub from_node_id: i32,
    pub from_node: i32,
    pub to_node_id: i32,
    pub to_node: i32,
    pub annotation: AnnotationView,
}

impl From<entity::edge_information::Model> for EdgeInformationView {
    fn from(m: entity::edge_information::Model) -> Self {
        EdgeInformationView {
            id: m.id,
            result_id: m.result_id,
            result: m.result_id,
            from_node_id: m.from_node_id,
            from_node: m.from_node_id,
            to_node_id: m.to_node_id,
            to_node: m.to_node_id,
            annotation: m.annotation.into(),
        }
    }
}

/// A result with its graph (`GET /api/result/{id}`).
#[derive(Debug, Clone, Object)]
#[oai(rename = "ResultFull")]
pub struct ResultFullView {
    #[oai(flatten)]
    pub result: ResultView,
    pub edges: Vec<EdgeView>,
    pub sepsets: Vec<SepsetView>,
    /// All nodes of the dataset of the result's experiment.
    pub nodes: Vec<NodeView>,
}

/// A dataset-generation job: the base Job plus what to generate (api.md §1.10).
#[derive(Debug, Clone, Object)]
#[oai(rename = "DatasetGenerationJob")]
pub struct GenerationJobView {
    #[oai(flatten)]
    pub job: JobView,
    #[oai(nullable)]
    pub dataset_id: Option<i32>,
    #[oai(nullable)]
    pub dataset: Option<i32>,
    #[oai(nullable)]
    pub parameters: Option<Value>,
    #[oai(nullable)]
    pub generator_type: Option<String>,
    #[oai(rename = "datasetName")]
    #[oai(nullable)]
    pub dataset_name: Option<String>,
}

impl GenerationJobView {
    pub fn new(m: &entity::job::Model) -> Self {
        GenerationJobView {
            job: JobView::new(m, None),
            dataset_id: m.dataset_id,
            dataset: m.dataset_id,
            parameters: m.parameters.clone(),
            generator_type: m.generator_type.clone(),
            dataset_name: m.dataset_name.clone(),
        }
    }
}
