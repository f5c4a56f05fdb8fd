//! Jobs (api.md §4.7, §5, §11.1): starting experiments, listing, cancelling and hiding jobs,
//! logs, cluster nodes, and the executor routes (result upload, error report).

use std::time::Duration;

use poem::{Request, web::Data};
use poem_openapi::{
    Object, OpenApi,
    param::{Path, Query},
    payload::{Json, PlainText},
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Map, Value, json};

use super::{
    body::{Fields, FromJsonBody, JsonBody, OptionalJsonBody, StreamedJsonBody},
    error::{ApiError, ApiResult, FieldErrors},
    experiments::latest_results,
    views::{JobView, JsonList, ResultView},
};
use crate::{
    auth::{Editor, Viewer},
    collector::{
        result::{self, IngestError},
        token,
    },
    events::{Entity, Event, outbox},
    lifecycle::{self, Transition, TransitionError},
    state::SharedState,
};
use entity::{experiment, job};

pub struct JobsApi;

const MAX_RUNS: i64 = 10_000;

/// Options of `POST /api/experiment/{id}/start`; an absent or empty body means one parallel run.
#[derive(Debug, Object)]
pub struct StartOptions {
    /// Number of jobs to create (1–10000, default 1).
    #[oai(nullable)]
    pub runs: Option<i64>,
    /// May run next to other parallel jobs (default true for an empty body; an omitted key in a
    /// non-empty body means sequential, as in MPCSL).
    #[oai(nullable)]
    pub parallel: Option<bool>,
    /// Cluster node to run on.
    #[oai(nullable)]
    pub node: Option<String>,
    /// GPUs to request.
    #[oai(nullable)]
    pub gpus: Option<i64>,
    /// Limit CPUs to the `cores` parameter (default true).
    #[oai(nullable)]
    pub enforce_cpus: Option<bool>,
    /// Retries of infrastructure failures (run vanished, unschedulable, image not found, launch
    /// failed), 0–100; default: the experiment's (0 unless set, as in MPCSL).
    #[oai(nullable)]
    pub max_retries: Option<i64>,
    /// First back-off in seconds, doubled for each further retry, with jitter (default: the
    /// experiment's, 10).
    #[oai(nullable)]
    pub retry_backoff: Option<f64>,
    /// Longest back-off in seconds (default: the experiment's, 600).
    #[oai(nullable)]
    pub retry_backoff_cap: Option<f64>,
}

impl FromJsonBody for StartOptions {
    fn from_json(object: &Map<String, Value>) -> Result<Self, FieldErrors> {
        if object.is_empty() {
            return Ok(StartOptions {
                runs: Some(1),
                parallel: Some(true),
                node: None,
                gpus: None,
                enforce_cpus: Some(true),
                max_retries: None,
                retry_backoff: None,
                retry_backoff_cap: None,
            });
        }
        let mut fields = Fields::new(object);
        let runs = fields.optional_int("runs");
        let parallel = fields.optional_bool("parallel");
        let node = fields.optional_string("node");
        let gpus = fields.optional_int("gpus");
        let enforce_cpus = fields.optional_bool("enforce_cpus");
        let RetryOptions { max_retries, retry_backoff, retry_backoff_cap } =
            RetryOptions::from_fields(&mut fields);
        if let Some(runs) = runs
            && !(1..=MAX_RUNS).contains(&runs)
        {
            fields.fail::<()>("runs", &format!("Must be between 1 and {MAX_RUNS}."));
        }
        if gpus.is_some_and(|g| g < 0) {
            fields.fail::<()>("gpus", "Must be at least 0.");
        }
        if !fields.errors.is_empty() {
            return Err(fields.errors);
        }
        Ok(StartOptions {
            runs: Some(runs.unwrap_or(1)),
            parallel,
            node,
            gpus,
            enforce_cpus: Some(enforce_cpus.unwrap_or(true)),
            max_retries,
            retry_backoff,
            retry_backoff_cap,
        })
    }
}

/// `max_retries`, `retry_backoff`, `retry_backoff_cap` of an experiment or a start request.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct RetryOptions {
    pub max_retries: Option<i64>,
    pub retry_backoff: Option<f64>,
    pub retry_backoff_cap: Option<f64>,
}

impl RetryOptions {
    /// Reads and checks the three optional keys, adding errors to `fields`.
    pub fn from_fields(fields: &mut Fields) -> Self {
        let max_retries = fields.optional_int("max_retries");
        let retry_backoff = fields.optional_number("retry_backoff");
        let retry_backoff_cap = fields.optional_number("retry_backoff_cap");
        if max_retries.is_some_and(|m| !(0..=100).contains(&m)) {
            fields.fail::<()>("max_retries", "Must be between 0 and 100.");
        }
        for (key, seconds) in [("retry_backoff", retry_backoff), ("retry_backoff_cap", retry_backoff_cap)] {
            if seconds.is_some_and(|s| !(s > 0.0 && s <= 86_400.0)) {
                fields.fail::<()>(key, "Must be more than 0 and at most 86400 seconds.");
            }
        }
        RetryOptions { max_retries, retry_backoff, retry_backoff_cap }
    }
}

/// The scheduler's change notification (MPCSL compatibility).
#[derive(Debug, Object)]
pub struct JobNotification {
    #[oai(nullable)]
    pub error_code: Option<i64>,
}

impl FromJsonBody for JobNotification {
    fn from_json(object: &Map<String, Value>) -> Result<Self, FieldErrors> {
        let mut fields = Fields::new(object);
        if !fields.has("error_code") {
            fields.fail::<()>("error_code", super::body::MISSING);
        }
        let error_code = fields.optional_int("error_code");
        if fields.errors.is_empty() { Ok(JobNotification { error_code }) } else { Err(fields.errors) }
    }
}

/// What executors upload (executor-contract.md §3). Parsed as a stream.
#[derive(Debug, Object)]
pub struct ResultUpload {
    #[oai(nullable)]
    pub job_id: Option<i64>,
    #[oai(nullable)]
    pub meta_results: Option<Value>,
    pub edge_list: Vec<EdgeUpload>,
    #[oai(nullable)]
    pub sepset_list: Option<Vec<SepsetUpload>>,
    #[oai(nullable)]
    pub execution_time: Option<f64>,
    #[oai(nullable)]
    pub dataset_loading_time: Option<f64>,
}

#[derive(Debug, Object)]
pub struct EdgeUpload {
    pub from_node: i64,
    pub to_node: i64,
    #[oai(nullable)]
    pub weight: Option<f64>,
}

#[derive(Debug, Object)]
pub struct SepsetUpload {
    pub from_node: i64,
    pub to_node: i64,
    pub statistic: f64,
    pub level: i64,
    /// Members of the separating set (not stored).
    #[oai(nullable)]
    pub nodes: Option<Vec<Value>>,
}

async fn find(state: &SharedState, id: i32) -> ApiResult<job::Model> {
    job::Entity::find_by_id(id).one(&state.db).await?.ok_or_else(|| ApiError::not_found("job", id))
}

pub async fn job_view(state: &SharedState, model: &job::Model) -> ApiResult<JobView> {
    let mut results = latest_results(state, vec![model.id]).await?;
    Ok(JobView::new(model, results.remove(&model.id)))
}

impl From<TransitionError> for ApiError {
    fn from(err: TransitionError) -> Self {
        match err {
            TransitionError::NotFound(id) => ApiError::not_found("job", id),
            // The job's state does not allow the change: a conflict, not a malformed request.
            TransitionError::NotAllowed { .. } => ApiError::conflict(err.to_string()),
            TransitionError::Database(err) => err.into(),
        }
    }
}

impl From<IngestError> for ApiError {
    fn from(err: IngestError) -> Self {
        match err {
            IngestError::NotFound(id) => ApiError::not_found("job", id),
            IngestError::Invalid(message) => ApiError::bad_request(message),
            IngestError::Conflict(message) => ApiError::conflict(message),
            IngestError::TokenMismatch => ApiError::forbidden(err.to_string()),
            IngestError::Database(err) => err.into(),
        }
    }
}

/// 409 when `algorithm` cannot run under the configured launcher (`launcher::runs_here`), saying
/// where it can. Checked before any job of it is created (experiment and study starts, study
/// creation).
pub fn check_runs_here(state: &SharedState, algorithm: &entity::algorithm::Model) -> ApiResult<()> {
    crate::launcher::runs_here(
        state.config.launcher,
        algorithm.local_command.as_ref(),
        algorithm.docker_image.as_deref(),
    )
    .map_err(|why| {
        let name = format!(
            "{}/{}",
            algorithm.package.as_deref().unwrap_or_default(),
            algorithm.function.as_deref().unwrap_or_default()
        );
        ApiError::conflict(format!("Algorithm {name} cannot run here: {why}"))
    })
}

/// 409 when the data behind `dataset` changed since it was registered (its content
/// fingerprint), checked before its jobs are created.
pub async fn check_data_unchanged(state: &SharedState, dataset: &entity::dataset::Model) -> ApiResult<()> {
    let info = state
        .sources
        .get(&dataset.data_source)?
        .inspect(dataset.load_query.as_deref().unwrap_or_default())
        .await?;
    if info.content_hash != dataset.content_hash {
        return Err(ApiError::conflict("The underlying data has been modified"));
    }
    Ok(())
}

/// Asks the scheduler over NATS; `None` when no scheduler answered.
async fn ask_scheduler(state: &SharedState, command: &str, payload: String) -> Option<bytes::Bytes> {
    let subject = state.config.rpc_subject(command);
    let request = state.nats.request(subject, payload.into());
    match tokio::time::timeout(Duration::from_secs(3), request).await {
        Ok(Ok(message)) => Some(message.payload),
        Ok(Err(err)) => {
            tracing::warn!(command, error = %err, "scheduler request failed");
            None
        }
        Err(_) => None,
    }
}

fn scheduler_unavailable() -> ApiError {
    ApiError::Internal(poem_openapi::payload::Json(super::error::ErrorBody {
        message: json!("No scheduler answered; is `causeway scheduler` (or `up`) running?"),
    }))
}

#[OpenApi(tag = "crate::api::Tag::Jobs")]
impl JobsApi {
    /// Queue runs of an experiment. Fails with 409 when the data behind the dataset changed since
    /// it was registered.
    #[oai(path = "/experiment/:experiment_id/start", method = "post", operation_id = "startExperiment")]
    async fn start(
        &self,
        caller: Editor,
        state: Data<&SharedState>,
        experiment_id: Path<i32>,
        options: OptionalJsonBody<StartOptions>,
    ) -> ApiResult<Json<JobView>> {
        let experiment = experiment::Entity::find_by_id(experiment_id.0)
            .one(&state.db)
            .await?
            .ok_or_else(|| ApiError::not_found("experiment", experiment_id.0))?;
        if let Some(algorithm_id) = experiment.algorithm_id
            && let Some(algorithm) =
                entity::algorithm::Entity::find_by_id(algorithm_id).one(&state.db).await?
        {
            check_runs_here(&state, &algorithm)?;
        }
        let dataset = super::datasets::find_dataset(&state, experiment.dataset_id).await?;
        check_data_unchanged(&state, &dataset).await?;
        let options = options.0;
        let mut tx = state.pool.begin().await?;
        let ids = lifecycle::create_experiment_jobs(
            &mut tx,
            &lifecycle::NewExperimentJobs {
                experiment_id: experiment.id,
                dataset_id: experiment.dataset_id,
                runs: options.runs.unwrap_or(1) as i32,
                node: options.node.clone(),
                parallel: options.parallel,
                enforce_cpus: options.enforce_cpus,
                gpus: options.gpus.map(|g| g as i32),
                max_retries: options.max_retries.map(|m| m as i32),
                retry_backoff: options.retry_backoff,
                retry_backoff_cap: options.retry_backoff_cap,
                created_by: Some(caller.subject.clone()),
            },
        )
        .await?;
        tx.commit().await?;
        tracing::info!(experiment_id = experiment.id, jobs = ids.len(), "experiment started");
        let last = *ids.last().ok_or_else(|| anyhow::anyhow!("no job was created"))?;
        let model = find(&state, last).await?;
        Ok(Json(job_view(&state, &model).await?))
    }

    /// All jobs (both kinds); hidden ones only with `show_hidden=1`.
    #[oai(path = "/jobs", method = "get", operation_id = "listJobs")]
    async fn list(
        &self,
        _caller: Viewer,
        state: Data<&SharedState>,
        show_hidden: Query<Option<i64>>,
    ) -> ApiResult<JsonList<JobView>> {
        let mut query = job::Entity::find().order_by_asc(job::Column::Id);
        if show_hidden.0 != Some(1) {
            query = query.filter(job::Column::Status.ne(entity::enums::JobStatus::Hidden));
        }
        let jobs = query.all(&state.db).await?;
        let mut results = latest_results(&state, jobs.iter().map(|j| j.id).collect()).await?;
        Ok(JsonList(jobs.iter().map(|j| JobView::new(j, results.remove(&j.id))).collect()))
    }

    /// One job.
    #[oai(path = "/job/:job_id", method = "get", operation_id = "getJob")]
    async fn get(
        &self,
        _caller: Viewer,
        state: Data<&SharedState>,
        job_id: Path<i32>,
    ) -> ApiResult<Json<JobView>> {
        let model = find(&state, job_id.0).await?;
        Ok(Json(job_view(&state, &model).await?))
    }

    /// Executor error report: a running job becomes `error` (its error code stays as it is).
    #[oai(
        path = "/job/:job_id",
        method = "put",
        tag = "crate::api::Tag::Executors",
        operation_id = "reportJobError"
    )]
    async fn report_error(
        &self,
        state: Data<&SharedState>,
        request: &Request,
        job_id: Path<i32>,
    ) -> ApiResult<Json<JobView>> {
        token::authorize_job(&state, request, job_id.0).await?;
        let mut tx = state.pool.begin().await?;
        lifecycle::apply(&mut tx, job_id.0, &Transition::ReportError).await?;
        tx.commit().await?;
        let model = find(&state, job_id.0).await?;
        Ok(Json(job_view(&state, &model).await?))
    }

    /// MPCSL's scheduler notification; Causeway's scheduler does not need it, but external
    /// schedulers may still call it. The notification is passed on as an event.
    #[oai(path = "/job/:job_id", method = "post", operation_id = "notifyJob")]
    async fn notify(
        &self,
        _caller: Editor,
        state: Data<&SharedState>,
        job_id: Path<i32>,
        body: JsonBody<JobNotification>,
    ) -> ApiResult<Json<String>> {
        let model = find(&state, job_id.0).await?;
        let mut tx = state.pool.begin().await?;
        outbox::record_sqlx(
            &mut tx,
            &[Event::new(
                Entity::Job,
                model.id,
                "notified",
                json!({ "id": model.id, "error_code": body.0.error_code,
                                                                    "experiment_id": model.experiment_id }),
            )],
        )
        .await?;
        tx.commit().await?;
        Ok(Json("ok".to_owned()))
    }

    /// Cancel a running job (its run is stopped), or hide a job in any other state.
    #[oai(path = "/job/:job_id", method = "delete", operation_id = "cancelOrHideJob")]
    async fn delete(
        &self,
        caller: Editor,
        state: Data<&SharedState>,
        job_id: Path<i32>,
    ) -> ApiResult<Json<JobView>> {
        let job = find(&state, job_id.0).await?;
        caller.may_delete(&format!("job {}", job.id), job.created_by.as_deref())?;
        let mut tx = state.pool.begin().await?;
        match lifecycle::apply(&mut tx, job_id.0, &Transition::Cancel).await {
            Ok(_) => {}
            Err(TransitionError::NotAllowed { .. }) => {
                lifecycle::apply(&mut tx, job_id.0, &Transition::Hide).await?;
            }
            Err(err) => return Err(err.into()),
        }
        tx.commit().await?;
        let model = find(&state, job_id.0).await?;
        Ok(Json(job_view(&state, &model).await?))
    }

    /// The job's log: saved when the run ended, live from the scheduler while it runs.
    /// `offset` skips that many lines; `last` keeps only the last lines.
    #[oai(path = "/job/:job_id/logs", method = "get", operation_id = "getJobLogs")]
    async fn logs(
        &self,
        _caller: Viewer,
        state: Data<&SharedState>,
        job_id: Path<i32>,
        offset: Query<Option<i64>>,
        last: Query<Option<i64>>,
    ) -> ApiResult<PlainText<String>> {
        let model = find(&state, job_id.0).await?;
        let text = match model.log {
            Some(log) => log,
            None => {
                let reply = ask_scheduler(&state, "logs", model.id.to_string())
                    .await
                    .ok_or_else(scheduler_unavailable)?;
                String::from_utf8_lossy(&reply).into_owned()
            }
        };
        Ok(PlainText(select_lines(&text, offset.0.unwrap_or(0), last.0.unwrap_or(0))))
    }

    /// Names of the machines jobs can be pinned to (cluster nodes, or this machine).
    #[oai(path = "/k8s/nodes", method = "get", operation_id = "listNodes")]
    async fn nodes(&self, _caller: Viewer, state: Data<&SharedState>) -> ApiResult<Json<Vec<String>>> {
        let reply = ask_scheduler(&state, "nodes", String::new()).await.ok_or_else(scheduler_unavailable)?;
        let nodes: Vec<String> = serde_json::from_slice(&reply).map_err(anyhow::Error::from)?;
        Ok(Json(nodes))
    }

    /// Result upload by an executor: edges (and, when configured, separating sets) are stored
    /// and the job is marked done, all or nothing.
    #[oai(
        path = "/job/:job_id/result",
        method = "post",
        tag = "crate::api::Tag::Executors",
        operation_id = "uploadResult"
    )]
    async fn upload_result(
        &self,
        state: Data<&SharedState>,
        request: &Request,
        job_id: Path<i32>,
        upload: StreamedJsonBody<ResultUpload>,
    ) -> ApiResult<Json<ResultView>> {
        // The token is checked against the job's row when the upload locks it (one query less
        // for every upload); a token that is not the job's is explained by `token::refusal`.
        let presented = token::presented_hash(&state, request)?;
        let load_sepsets = state.config.load_separation_set;
        let length = request.header(poem::http::header::CONTENT_LENGTH).and_then(|l| l.parse::<usize>().ok());
        let ingested = match length {
            Some(length) if length <= result::SMALL_UPLOAD => {
                let body =
                    upload.body.into_bytes().await.map_err(|err| {
                        ApiError::bad_request(format!("the upload could not be read: {err}"))
                    })?;
                result::ingest_small(&state.pool, job_id.0, body, load_sepsets, presented.as_ref()).await
            }
            _ => {
                let body = upload.body.into_async_read();
                result::ingest(&state.pool, job_id.0, body, load_sepsets, presented.as_ref()).await
            }
        };
        let ingested = match (ingested, presented) {
            (Err(IngestError::TokenMismatch), Some(presented)) => {
                return Err(token::refusal(&state, job_id.0, &presented).await?);
            }
            (ingested, _) => ingested?,
        };
        Ok(Json(ingested.result.into()))
    }
}

/// Line selection of `GET /api/job/{id}/logs` (api.md §5.6).
pub fn select_lines(text: &str, offset: i64, last: i64) -> String {
    let lines: Vec<&str> = text.split('\n').collect();
    let selected: &[&str] = if offset > 0 && last == 0 {
        &lines[(offset as usize).min(lines.len())..]
    } else if last > 0 && offset == 0 {
        &lines[lines.len().saturating_sub(last as usize)..]
    } else {
        &lines
    };
    selected.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_lines_are_selected_like_mpcsl() {
        let log = "a\nb\nc\nd";
        assert_eq!(select_lines(log, 1, 0), "b\nc\nd");
        assert_eq!(select_lines(log, 0, 3), "b\nc\nd");
        assert_eq!(select_lines(log, 2, 2), log);
        assert_eq!(select_lines(log, -1, 0), log);
        assert_eq!(select_lines(log, 10, 0), "");
        assert_eq!(select_lines(log, 0, 10), log);
    }

    #[test]
    fn start_options_default_to_one_parallel_run() {
        let empty = StartOptions::from_json(&Map::new()).unwrap();
        assert_eq!((empty.runs, empty.parallel, empty.enforce_cpus), (Some(1), Some(true), Some(true)));
        let given = json!({"runs": 3, "parallel": false, "enforce_cpus": 0, "node": "n1", "gpus": 1});
        let options = StartOptions::from_json(given.as_object().unwrap()).unwrap();
        assert_eq!(
            (options.runs, options.parallel, options.enforce_cpus),
            (Some(3), Some(false), Some(false))
        );
        let partial = StartOptions::from_json(json!({"runs": 2}).as_object().unwrap()).unwrap();
        assert_eq!((partial.parallel, partial.enforce_cpus), (None, Some(true)));
        let errors =
            StartOptions::from_json(json!({"runs": 0, "gpus": -1}).as_object().unwrap()).unwrap_err();
        assert_eq!(
            errors.into_value(),
            json!({"runs": ["Must be between 1 and 10000."], "gpus": ["Must be at least 0."]})
        );
    }
}
