//! `/api/experiments`, `/api/experiment/{id}/…` (api.md §4): experiments and their jobs.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use poem::web::Data;
use poem_openapi::{Object, OpenApi, param::Path, payload::Json};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::{NotSet, Set},
    ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use serde_json::{Map, Value, json};

use super::{
    body::{Fields, FromJsonBody, JsonBody},
    datasets::{DescriptionUpdate, find_dataset},
    error::{ApiError, ApiResult, FieldErrors},
    views::{ExecutionTimeStatistics, ExperimentJobView, ExperimentView, ResultView, iso},
};
use crate::{
    auth::{Editor, Viewer},
    db::{self, OrderedJsonColumn},
    events::{Entity, Event, outbox},
    parameters,
    state::SharedState,
};
use entity::{algorithm, experiment, job};

pub struct ExperimentsApi;

/// A new experiment: an algorithm with parameters over a dataset (api.md §4.2).
#[derive(Debug, Object)]
pub struct NewExperiment {
    pub name: String,
    #[oai(nullable)]
    pub description: Option<String>,
    pub dataset_id: i32,
    pub algorithm_id: i32,
    /// An object, checked and coerced against the algorithm's `valid_parameters`.
    pub parameters: Value,
    /// Default retries of its jobs' infrastructure failures, 0–100 (default 0, as in MPCSL); a
    /// start request may override it.
    #[oai(nullable)]
    pub max_retries: Option<i64>,
    /// Default first back-off of a retry in seconds (default 10), doubled per further retry.
    #[oai(nullable)]
    pub retry_backoff: Option<f64>,
    /// Default longest back-off in seconds (default 600).
    #[oai(nullable)]
    pub retry_backoff_cap: Option<f64>,
}

impl FromJsonBody for NewExperiment {
    fn from_json(object: &Map<String, Value>) -> Result<Self, FieldErrors> {
        let mut fields = Fields::new(object);
        let name = fields.required_string("name");
        let description = fields.optional_string("description");
        let dataset_id = fields.required_int("dataset_id");
        let algorithm_id = fields.required_int("algorithm_id");
        let parameters = fields.required_object("parameters").cloned().map(Value::Object);
        let retries = super::jobs::RetryOptions::from_fields(&mut fields);
        let in_range = |id: Option<i64>| id.and_then(|v| i32::try_from(v).ok());
        match (name, in_range(dataset_id), in_range(algorithm_id), parameters) {
            (Some(name), Some(dataset_id), Some(algorithm_id), Some(parameters))
                if fields.errors.is_empty() =>
            {
                Ok(NewExperiment {
                    name,
                    description,
                    dataset_id,
                    algorithm_id,
                    parameters,
                    max_retries: retries.max_retries,
                    retry_backoff: retries.retry_backoff,
                    retry_backoff_cap: retries.retry_backoff_cap,
                })
            }
            _ => {
                for (key, value) in [("dataset_id", dataset_id), ("algorithm_id", algorithm_id)] {
                    if value.is_some() && in_range(value).is_none() {
                        fields.errors.add(key, "Not a valid integer.");
                    }
                }
                Err(fields.errors)
            }
        }
    }
}

async fn find(state: &SharedState, id: i32) -> ApiResult<experiment::Model> {
    experiment::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::not_found("experiment", id))
}

/// Latest result of each job (by id: all results of a job share its start time).
pub async fn latest_results(state: &SharedState, job_ids: Vec<i32>) -> ApiResult<HashMap<i32, ResultView>> {
    if job_ids.is_empty() {
        return Ok(HashMap::new());
    }
    // One array parameter, not an IN list: a listing of 10,000 jobs stays one small statement.
    type Row = (i32, i32, DateTime<Utc>, DateTime<Utc>, Option<f64>, Option<f64>, Option<String>);
    // One job (a job's page, an executor's report) with `=`, so the prepared statement keeps one
    // generic plan (`= ANY($1)` is planned again on every execution).
    let matching = if job_ids.len() == 1 { "job_id = $1" } else { "job_id = ANY($1)" };
    let query = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT DISTINCT ON (job_id) id, job_id, start_time, end_time, execution_time, dataset_loading_time, \
                meta_results::text \
         FROM result WHERE {matching} ORDER BY job_id, id DESC"
    )));
    let query = match job_ids.as_slice() {
        [id] => query.bind(*id),
        _ => query.bind(&job_ids),
    };
    let rows: Vec<Row> = query.fetch_all(&state.pool).await?;
    Ok(rows
        .into_iter()
        .map(|(id, job_id, start, end, execution_time, dataset_loading_time, meta)| {
            let view = ResultView {
                id,
                job_id,
                job: job_id,
                start_time: iso(&start.fixed_offset()),
                end_time: iso(&end.fixed_offset()),
                execution_time,
                dataset_loading_time,
                meta_results: meta.and_then(|m| serde_json::from_str(&m).ok()),
            };
            (job_id, view)
        })
        .collect())
}

/// Experiment views for many experiments in a fixed number of queries: algorithms, last jobs
/// (with their latest results) and execution-time statistics are each fetched for all at once.
pub async fn experiment_views(
    state: &SharedState,
    experiments: Vec<experiment::Model>,
) -> ApiResult<Vec<ExperimentView>> {
    if experiments.is_empty() {
        return Ok(vec![]);
    }
    let ids: Vec<i32> = experiments.iter().map(|e| e.id).collect();
    let algorithm_ids: Vec<i32> = experiments.iter().filter_map(|e| e.algorithm_id).collect();
    let algorithms: HashMap<i32, algorithm::Model> = algorithm::Entity::find()
        .filter(algorithm::Column::Id.is_in(algorithm_ids))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let last_jobs: HashMap<i32, job::Model> = job::Entity::find()
        .filter(job::Column::ExperimentId.is_in(ids.clone()))
        .distinct_on([job::Column::ExperimentId])
        .order_by_asc(job::Column::ExperimentId)
        .order_by_desc(job::Column::StartTime)
        .order_by_desc(job::Column::Id)
        .all(&state.db)
        .await?
        .into_iter()
        .filter_map(|j| Some((j.experiment_id?, j)))
        .collect();
    let mut results = latest_results(state, last_jobs.values().map(|j| j.id).collect()).await?;
    let mut statistics = execution_time_statistics(state, &ids).await?;
    Ok(experiments
        .into_iter()
        .map(|e| {
            let last_job = last_jobs.get(&e.id).map(|j| ExperimentJobView::new(j, results.remove(&j.id)));
            ExperimentView {
                id: e.id,
                name: e.name,
                description: e.description,
                dataset_id: e.dataset_id,
                dataset: e.dataset_id,
                algorithm_id: e.algorithm_id,
                algorithm: e.algorithm_id.and_then(|a| algorithms.get(&a).cloned().map(Into::into)),
                parameters: e.parameters,
                max_retries: e.max_retries,
                retry_backoff: e.retry_backoff,
                retry_backoff_cap: e.retry_backoff_cap,
                last_job,
                execution_time_statistics: statistics.remove(&e.id),
                study_id: e.study_id,
            }
        })
        .collect())
}

/// min, max, mean, median and the 25 %/75 % quantiles (linear interpolation, as numpy) of the
/// execution times of all results of each experiment (api.md §1.11).
async fn execution_time_statistics(
    state: &SharedState,
    experiment_ids: &[i32],
) -> ApiResult<HashMap<i32, ExecutionTimeStatistics>> {
    let rows: Vec<(i32, f64, f64, f64, f64, f64, f64)> = sqlx::query_as(
        "SELECT j.experiment_id, min(r.execution_time), max(r.execution_time), avg(r.execution_time), \
                percentile_cont(0.5) WITHIN GROUP (ORDER BY r.execution_time), \
                percentile_cont(0.25) WITHIN GROUP (ORDER BY r.execution_time), \
                percentile_cont(0.75) WITHIN GROUP (ORDER BY r.execution_time) \
         FROM result r JOIN job j ON j.id = r.job_id \
         WHERE j.experiment_id = ANY($1) AND r.execution_time IS NOT NULL \
         GROUP BY j.experiment_id",
    )
    .bind(experiment_ids)
    .fetch_all(&state.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, min, max, mean, median, lower_quantile, upper_quantile)| {
            (id, ExecutionTimeStatistics { min, max, mean, median, lower_quantile, upper_quantile })
        })
        .collect())
}

async fn view(state: &SharedState, model: experiment::Model) -> ApiResult<ExperimentView> {
    Ok(experiment_views(state, vec![model]).await?.remove(0))
}

#[OpenApi(tag = "crate::api::Tag::Experiments")]
impl ExperimentsApi {
    /// All experiments.
    #[oai(path = "/experiments", method = "get", operation_id = "listExperiments")]
    async fn list(&self, _caller: Viewer, state: Data<&SharedState>) -> ApiResult<Json<Vec<ExperimentView>>> {
        let all = experiment::Entity::find().order_by_asc(experiment::Column::Id).all(&state.db).await?;
        Ok(Json(experiment_views(&state, all).await?))
    }

    /// Create an experiment; parameters are validated and coerced against the algorithm's
    /// schema, undeclared ones dropped.
    #[oai(path = "/experiments", method = "post", operation_id = "createExperiment")]
    async fn create(
        &self,
        caller: Editor,
        state: Data<&SharedState>,
        body: JsonBody<NewExperiment>,
    ) -> ApiResult<Json<ExperimentView>> {
        let new = body.0;
        let algorithm = algorithm::Entity::find_by_id(new.algorithm_id)
            .one(&state.db)
            .await?
            .ok_or_else(|| ApiError::not_found("algorithm", new.algorithm_id))?;
        let given = new.parameters.as_object().cloned().unwrap_or_default();
        let parameters = parameters::coerce_parameters(algorithm.valid_parameters.as_ref(), &given)
            .map_err(ApiError::invalid_fields)?;
        find_dataset(&state, new.dataset_id).await?;
        let parameters = Value::Object(parameters);
        let tx = state.db.begin().await?;
        let mut model = experiment::ActiveModel {
            dataset_id: Set(new.dataset_id),
            name: Set(Some(new.name)),
            algorithm_id: Set(Some(algorithm.id)),
            description: Set(new.description),
            parameters: Set(Some(parameters.clone())),
            created_by: Set(Some(caller.subject.clone())),
            // Unset: the column defaults (no retries).
            max_retries: new.max_retries.map_or(NotSet, |m| Set(m as i32)),
            retry_backoff: new.retry_backoff.map_or(NotSet, Set),
            retry_backoff_cap: new.retry_backoff_cap.map_or(NotSet, Set),
            ..Default::default()
        }
        .insert(&tx)
        .await?;
        db::write_ordered_json(&tx, OrderedJsonColumn::ExperimentParameters, model.id, &parameters).await?;
        model.parameters = Some(parameters);
        outbox::record(
            &tx,
            &[Event::new(
                Entity::Experiment,
                model.id,
                "created",
                json!({ "id": model.id, "dataset_id": model.dataset_id, "algorithm_id": algorithm.id }),
            )],
        )
        .await?;
        tx.commit().await?;
        tracing::info!(experiment_id = model.id, dataset_id = model.dataset_id, "experiment created");
        Ok(Json(view(&state, model).await?))
    }

    /// One experiment with its algorithm, last job and execution-time statistics.
    #[oai(path = "/experiment/:experiment_id", method = "get", operation_id = "getExperiment")]
    async fn get(
        &self,
        _caller: Viewer,
        state: Data<&SharedState>,
        experiment_id: Path<i32>,
    ) -> ApiResult<Json<ExperimentView>> {
        let model = find(&state, experiment_id.0).await?;
        Ok(Json(view(&state, model).await?))
    }

    /// Change the description (the only editable field; it cannot be emptied).
    #[oai(path = "/experiment/:experiment_id", method = "put", operation_id = "updateExperiment")]
    async fn update(
        &self,
        _caller: Editor,
        state: Data<&SharedState>,
        experiment_id: Path<i32>,
        body: JsonBody<DescriptionUpdate>,
    ) -> ApiResult<Json<ExperimentView>> {
        let model = find(&state, experiment_id.0).await?;
        let description = body.0.require()?;
        let tx = state.db.begin().await?;
        let mut active = model.into_active_model();
        active.description = Set(Some(description));
        let model = active.update(&tx).await?;
        outbox::record(
            &tx,
            &[Event::new(Entity::Experiment, model.id, "updated", json!({ "id": model.id }))],
        )
        .await?;
        tx.commit().await?;
        Ok(Json(view(&state, model).await?))
    }

    /// Delete an experiment with its jobs and results. Runs of its jobs are stopped by the
    /// scheduler's reconcile pass (their jobs no longer exist).
    #[oai(path = "/experiment/:experiment_id", method = "delete", operation_id = "deleteExperiment")]
    async fn delete(
        &self,
        caller: Editor,
        state: Data<&SharedState>,
        experiment_id: Path<i32>,
    ) -> ApiResult<Json<ExperimentView>> {
        let model = find(&state, experiment_id.0).await?;
        caller.may_delete(&format!("experiment {}", model.id), model.created_by.as_deref())?;
        let before = view(&state, model.clone()).await?;
        let tx = state.db.begin().await?;
        let job_ids: Vec<i32> = job::Entity::find()
            .select_only()
            .column(job::Column::Id)
            .filter(job::Column::ExperimentId.eq(model.id))
            .into_tuple()
            .all(&tx)
            .await?;
        experiment::Entity::delete_by_id(model.id).exec(&tx).await?;
        let mut events: Vec<Event> = job_ids
            .iter()
            .map(|&id| Event::new(Entity::Job, id, "deleted", json!({ "id": id, "experiment_id": model.id })))
            .collect();
        events.push(Event::new(
            Entity::Experiment,
            model.id,
            "deleted",
            json!({ "id": model.id, "dataset_id": model.dataset_id }),
        ));
        outbox::record(&tx, &events).await?;
        tx.commit().await?;
        tracing::info!(experiment_id = model.id, jobs = job_ids.len(), "experiment deleted");
        Ok(Json(before))
    }

    /// Jobs of an experiment, newest first, hidden ones included.
    #[oai(path = "/experiment/:experiment_id/jobs", method = "get", operation_id = "listExperimentJobs")]
    async fn jobs(
        &self,
        _caller: Viewer,
        state: Data<&SharedState>,
        experiment_id: Path<i32>,
    ) -> ApiResult<Json<Vec<ExperimentJobView>>> {
        let model = find(&state, experiment_id.0).await?;
        let jobs = job::Entity::find()
            .filter(job::Column::ExperimentId.eq(model.id))
            .order_by_desc(job::Column::StartTime)
            .order_by_desc(job::Column::Id)
            .all(&state.db)
            .await?;
        let mut results = latest_results(&state, jobs.iter().map(|j| j.id).collect()).await?;
        Ok(Json(jobs.iter().map(|j| ExperimentJobView::new(j, results.remove(&j.id))).collect()))
    }
}
