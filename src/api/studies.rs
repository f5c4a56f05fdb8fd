//! `/api/studies`, `/api/study/{id}/…` (docs/api.md "Studies", issue 14): parameter sweeps over
//! datasets × algorithms, their progress and their benchmark.
//!
//! Handlers stay thin: `studies::plan` checks a request, `studies::store` writes it,
//! `lifecycle::create_experiment_jobs` starts runs (the code path of
//! `POST /api/experiment/{id}/start`), `studies::benchmark` scores results.

use std::collections::{BTreeSet, HashMap};

use poem::web::Data;
use poem_openapi::{
    ApiResponse, Enum, Object, OpenApi,
    param::Path,
    payload::{Binary, Json},
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Map, Value, json};

use super::{
    body::{Fields, FromJsonBody, JsonBody},
    error::{ApiError, ApiResult, ErrorBody, FieldErrors},
    graphs::{ground_truth_graph, result_graphs},
    jobs::{check_data_unchanged, check_runs_here},
    views::iso,
};
use crate::{
    auth::{Editor, Viewer},
    events::{Entity, Event, outbox},
    graph::Graph,
    lifecycle,
    state::SharedState,
    studies::{
        benchmark::{self, Benchmark, Row, Run},
        grid,
        plan::{self, AlgorithmSpec},
        progress::{self, Progress, StudyState},
        store,
    },
};
use entity::{algorithm, experiment, study};

pub struct StudiesApi;

const MAX_DATASETS: usize = 20;
const MAX_ALGORITHMS: usize = 20;
const MAX_RUNS: i64 = 100;

/// One algorithm of a new study: its parameter grid and number of runs.
#[derive(Debug, Clone, Object)]
pub struct NewStudyAlgorithm {
    pub algorithm_id: i32,
    /// Parameter name → grid: a value (fixed), a list of values, or
    /// `{"from", "to", "steps", "scale": "linear"|"log"}`.
    pub parameters: Value,
    /// Runs of each of its experiments per start (1–100, default 1).
    #[oai(nullable)]
    pub runs: Option<i64>,
}

/// A new study (docs/api.md "Studies").
#[derive(Debug, Object)]
pub struct NewStudy {
    /// 1–200 characters.
    pub name: String,
    #[oai(nullable)]
    pub description: Option<String>,
    /// 1–20 datasets.
    pub dataset_ids: Vec<i32>,
    /// 1–20 algorithms.
    pub algorithms: Vec<NewStudyAlgorithm>,
    /// Retries of its jobs' infrastructure failures (0–100, default 0).
    #[oai(nullable)]
    pub max_retries: Option<i64>,
}

fn int_in(value: &Value, range: std::ops::RangeInclusive<i64>) -> Option<i64> {
    let n = match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }?;
    range.contains(&n).then_some(n)
}

impl FromJsonBody for NewStudy {
    fn from_json(object: &Map<String, Value>) -> Result<Self, FieldErrors> {
        let mut fields = Fields::new(object);
        let name = fields.required_string("name");
        if name.as_ref().is_some_and(|n| n.chars().count() > 200) {
            fields.fail::<()>("name", "Longer than maximum length 200.");
        }
        let description = fields.optional_string("description");
        let max_retries = fields.optional_int("max_retries");
        if max_retries.is_some_and(|m| !(0..=100).contains(&m)) {
            fields.fail::<()>("max_retries", "Must be between 0 and 100.");
        }
        let mut dataset_ids = Vec::new();
        match fields.raw("dataset_ids") {
            None => fields.errors.add("dataset_ids", super::body::MISSING),
            Some(Value::Array(items)) if (1..=MAX_DATASETS).contains(&items.len()) => {
                for (i, item) in items.iter().enumerate() {
                    match int_in(item, 1..=i64::from(i32::MAX)) {
                        Some(id) if !dataset_ids.contains(&(id as i32)) => dataset_ids.push(id as i32),
                        Some(id) => fields
                            .errors
                            .add(&format!("dataset_ids[{i}]"), format!("Dataset {id} is listed twice.")),
                        None => fields.errors.add(&format!("dataset_ids[{i}]"), "Not a valid id."),
                    }
                }
            }
            Some(Value::Array(_)) => {
                fields.errors.add("dataset_ids", format!("Must list between 1 and {MAX_DATASETS} datasets."))
            }
            Some(_) => fields.errors.add("dataset_ids", "Not a valid list."),
        }
        let mut algorithms = Vec::new();
        match fields.raw("algorithms") {
            None => fields.errors.add("algorithms", super::body::MISSING),
            Some(Value::Array(items)) if (1..=MAX_ALGORITHMS).contains(&items.len()) => {
                for (i, item) in items.iter().enumerate() {
                    let key = |field: &str| format!("algorithms[{i}].{field}");
                    let Some(entry) = item.as_object() else {
                        fields.errors.add(&format!("algorithms[{i}]"), "Not a valid mapping type.");
                        continue;
                    };
                    let algorithm_id = match entry.get("algorithm_id") {
                        None => {
                            fields.errors.add(&key("algorithm_id"), super::body::MISSING);
                            None
                        }
                        Some(value) => int_in(value, 1..=i64::from(i32::MAX)).or_else(|| {
                            fields.errors.add(&key("algorithm_id"), "Not a valid id.");
                            None
                        }),
                    };
                    let parameters = match entry.get("parameters") {
                        None | Some(Value::Null) => Some(Value::Object(Map::new())),
                        Some(Value::Object(map)) => Some(Value::Object(map.clone())),
                        Some(_) => {
                            fields.errors.add(&key("parameters"), "Not a valid mapping type.");
                            None
                        }
                    };
                    let runs = match entry.get("runs") {
                        None | Some(Value::Null) => Some(1),
                        Some(value) => int_in(value, 1..=MAX_RUNS).or_else(|| {
                            fields
                                .errors
                                .add(&key("runs"), format!("Must be an integer between 1 and {MAX_RUNS}."));
                            None
                        }),
                    };
                    if let (Some(algorithm_id), Some(parameters), Some(runs)) =
                        (algorithm_id, parameters, runs)
                    {
                        algorithms.push(NewStudyAlgorithm {
                            algorithm_id: algorithm_id as i32,
                            parameters,
                            runs: Some(runs),
                        });
                    }
                }
            }
            Some(Value::Array(_)) => fields
                .errors
                .add("algorithms", format!("Must list between 1 and {MAX_ALGORITHMS} algorithms.")),
            Some(_) => fields.errors.add("algorithms", "Not a valid list."),
        }
        match name {
            Some(name) if fields.errors.is_empty() => {
                Ok(NewStudy { name, description, dataset_ids, algorithms, max_retries })
            }
            _ => Err(fields.errors),
        }
    }
}

/// Job counts of the latest round of a study's (or an experiment's) jobs.
#[derive(Debug, Clone, Copy, Default, Object)]
#[oai(rename = "StudyProgress")]
pub struct ProgressView {
    pub waiting: i64,
    pub running: i64,
    pub done: i64,
    pub error: i64,
    pub cancelled: i64,
    pub total: i64,
}

impl From<Progress> for ProgressView {
    fn from(p: Progress) -> Self {
        ProgressView {
            waiting: p.waiting,
            running: p.running,
            done: p.done,
            error: p.error,
            cancelled: p.cancelled,
            total: p.total,
        }
    }
}

/// `new`: no jobs; `running`: some waiting or running; `finished` otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename = "StudyState", rename_all = "lowercase")]
pub enum StudyStateView {
    New,
    Running,
    Finished,
}

impl From<StudyState> for StudyStateView {
    fn from(state: StudyState) -> Self {
        match state {
            StudyState::New => StudyStateView::New,
            StudyState::Running => StudyStateView::Running,
            StudyState::Finished => StudyStateView::Finished,
        }
    }
}

/// A study in lists.
#[derive(Debug, Clone, Object)]
pub struct StudySummary {
    pub id: i32,
    pub name: String,
    #[oai(nullable)]
    pub description: Option<String>,
    pub created_at: String,
    #[oai(nullable)]
    pub created_by: Option<String>,
    pub dataset_ids: Vec<i32>,
    pub experiment_count: i64,
    pub progress: ProgressView,
    pub state: StudyStateView,
}

/// An algorithm of a study as requested (`runs` filled in).
#[derive(Debug, Clone, Object)]
pub struct StudyAlgorithm {
    pub algorithm_id: i32,
    pub parameters: Value,
    pub runs: i64,
}

/// One experiment of a study.
#[derive(Debug, Clone, Object)]
pub struct StudyExperiment {
    pub id: i32,
    pub name: String,
    pub dataset_id: i32,
    pub algorithm_id: i32,
    pub algorithm_name: String,
    /// Its grid point.
    pub parameters: Value,
    pub point_label: String,
    pub jobs: ProgressView,
}

/// A study with its algorithms and experiments.
#[derive(Debug, Clone, Object)]
pub struct Study {
    // The summary's fields first, inline (the JSON and the schema are those of one object).
    #[oai(flatten)]
    pub summary: StudySummary,
    pub algorithms: Vec<StudyAlgorithm>,
    pub experiments: Vec<StudyExperiment>,
}

/// What a study start queued.
#[derive(Debug, Clone, Object)]
pub struct StudyStart {
    pub study_id: i32,
    pub jobs: Vec<i32>,
}

#[derive(ApiResponse)]
pub enum CreatedStudy {
    /// The study with its experiments.
    #[oai(status = 201)]
    Created(Json<Study>),
}

#[derive(ApiResponse)]
pub enum BenchmarkCsv {
    /// One row per experiment, the JSON rows' columns with every statistic flattened.
    #[oai(status = 200, content_type = "text/csv; charset=utf-8")]
    Ok(Binary<Vec<u8>>, #[oai(header = "Content-Disposition")] String),
}

fn spec_parts(spec: &Value) -> (Vec<i32>, Vec<StudyAlgorithm>) {
    let dataset_ids = spec["dataset_ids"]
        .as_array()
        .map(|ids| ids.iter().filter_map(|v| v.as_i64()).map(|v| v as i32).collect())
        .unwrap_or_default();
    let algorithms = spec["algorithms"]
        .as_array()
        .map(|all| {
            all.iter()
                .map(|a| StudyAlgorithm {
                    algorithm_id: a["algorithm_id"].as_i64().unwrap_or_default() as i32,
                    parameters: a["parameters"].clone(),
                    runs: a["runs"].as_i64().unwrap_or(1),
                })
                .collect()
        })
        .unwrap_or_default();
    (dataset_ids, algorithms)
}

async fn find(state: &SharedState, id: i32) -> ApiResult<study::Model> {
    study::Entity::find_by_id(id).one(&state.db).await?.ok_or_else(|| ApiError::not_found("study", id))
}

async fn experiments_of(state: &SharedState, study_id: i32) -> ApiResult<Vec<experiment::Model>> {
    Ok(experiment::Entity::find()
        .filter(experiment::Column::StudyId.eq(study_id))
        .order_by_asc(experiment::Column::Id)
        .all(&state.db)
        .await?)
}

async fn algorithm_names(
    state: &SharedState,
    ids: impl IntoIterator<Item = i32>,
) -> ApiResult<HashMap<i32, String>> {
    let ids: BTreeSet<i32> = ids.into_iter().collect();
    Ok(algorithm::Entity::find()
        .filter(algorithm::Column::Id.is_in(ids))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|a| (a.id, plan::algorithm_name(&a)))
        .collect())
}

fn point_of(model: &experiment::Model) -> Map<String, Value> {
    model.study_point.as_ref().and_then(Value::as_object).cloned().unwrap_or_default()
}

async fn summaries(state: &SharedState, studies: Vec<study::Model>) -> ApiResult<Vec<StudySummary>> {
    let ids: Vec<i32> = studies.iter().map(|s| s.id).collect();
    let counts: HashMap<i32, i64> = sqlx::query_as::<_, (i32, i64)>(
        "SELECT study_id, count(*) FROM experiment WHERE study_id = ANY($1) GROUP BY study_id",
    )
    .bind(&ids)
    .fetch_all(&state.pool)
    .await?
    .into_iter()
    .collect();
    let mut conn = state.pool.acquire().await?;
    let progress = progress::by_study(&mut conn, &ids).await?;
    Ok(studies
        .into_iter()
        .map(|s| {
            let p = progress.get(&s.id).copied().unwrap_or_default();
            let (dataset_ids, _) = spec_parts(&s.spec);
            StudySummary {
                id: s.id,
                name: s.name,
                description: s.description,
                created_at: iso(&s.created_at),
                created_by: s.created_by,
                dataset_ids,
                experiment_count: counts.get(&s.id).copied().unwrap_or(0),
                progress: p.into(),
                state: p.state().into(),
            }
        })
        .collect())
}

async fn study_view(state: &SharedState, model: study::Model) -> ApiResult<Study> {
    let (_, algorithms) = spec_parts(&model.spec);
    let experiments = experiments_of(state, model.id).await?;
    let names = algorithm_names(state, experiments.iter().filter_map(|e| e.algorithm_id)).await?;
    let mut conn = state.pool.acquire().await?;
    let per_experiment = progress::by_experiment(&mut conn, &[model.id]).await?;
    drop(conn);
    let summary = summaries(state, vec![model]).await?.remove(0);
    let experiments = experiments
        .into_iter()
        .map(|e| {
            let point = point_of(&e);
            let algorithm_id = e.algorithm_id.unwrap_or_default();
            StudyExperiment {
                id: e.id,
                name: e.name.clone().unwrap_or_default(),
                dataset_id: e.dataset_id,
                algorithm_id,
                algorithm_name: names.get(&algorithm_id).cloned().unwrap_or_default(),
                point_label: grid::label(&point),
                parameters: Value::Object(point),
                jobs: per_experiment.get(&e.id).map(|(_, p)| (*p).into()).unwrap_or_default(),
            }
        })
        .collect();
    Ok(Study { summary, algorithms, experiments })
}

/// Checks a study request against the catalogue and the datasets and plans its experiments:
/// 404 for an unknown dataset or algorithm, 409 for an algorithm that cannot run here, 400 for
/// grids, points and sizes.
pub async fn plan_study(
    state: &SharedState,
    new: &store::NewStudy,
) -> ApiResult<Vec<plan::PlannedExperiment>> {
    let mut datasets = Vec::with_capacity(new.dataset_ids.len());
    for &id in &new.dataset_ids {
        let dataset = super::datasets::find_dataset(state, id).await?;
        datasets.push((dataset.id, dataset.name.unwrap_or_else(|| format!("dataset {id}"))));
    }
    let ids: Vec<i32> = new.algorithms.iter().map(|a| a.algorithm_id).collect();
    let found: HashMap<i32, algorithm::Model> = algorithm::Entity::find()
        .filter(algorithm::Column::Id.is_in(ids.clone()))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let mut algorithms = Vec::with_capacity(ids.len());
    for id in ids {
        let algorithm = found.get(&id).cloned().ok_or_else(|| ApiError::not_found("algorithm", id))?;
        check_runs_here(state, &algorithm)?;
        algorithms.push(algorithm);
    }
    plan::plan(&datasets, &new.algorithms, &algorithms).map_err(ApiError::bad_request)
}

#[OpenApi(tag = "crate::api::Tag::Studies")]
impl StudiesApi {
    /// All studies, newest first, with their progress.
    #[oai(path = "/studies", method = "get", operation_id = "listStudies")]
    async fn list(&self, _caller: Viewer, state: Data<&SharedState>) -> ApiResult<Json<Vec<StudySummary>>> {
        let all = study::Entity::find().order_by_desc(study::Column::Id).all(&state.db).await?;
        Ok(Json(summaries(&state, all).await?))
    }

    /// Create a study: one experiment per dataset × algorithm × grid point, every point checked
    /// against the algorithm's parameter schema; all or nothing.
    #[oai(path = "/studies", method = "post", operation_id = "createStudy")]
    async fn create(
        &self,
        caller: Editor,
        state: Data<&SharedState>,
        body: JsonBody<NewStudy>,
    ) -> ApiResult<CreatedStudy> {
        let body = body.0;
        let new = store::NewStudy {
            name: body.name,
            description: body.description,
            created_by: Some(caller.subject.clone()),
            dataset_ids: body.dataset_ids,
            algorithms: body
                .algorithms
                .into_iter()
                .map(|a| AlgorithmSpec {
                    algorithm_id: a.algorithm_id,
                    parameters: a.parameters.as_object().cloned().unwrap_or_default(),
                    runs: a.runs.unwrap_or(1) as i32,
                })
                .collect(),
            max_retries: body.max_retries.map(|m| m as i32),
        };
        let planned = plan_study(&state, &new).await?;
        let mut tx = state.pool.begin().await?;
        let (study_id, ids) = store::insert(&mut tx, &new, &planned).await?;
        tx.commit().await?;
        tracing::info!(study_id, experiments = ids.len(), "study created");
        Ok(CreatedStudy::Created(Json(study_view(&state, find(&state, study_id).await?).await?)))
    }

    /// One study with its algorithms, experiments and progress.
    #[oai(path = "/study/:study_id", method = "get", operation_id = "getStudy")]
    async fn get(
        &self,
        _caller: Viewer,
        state: Data<&SharedState>,
        study_id: Path<i32>,
    ) -> ApiResult<Json<Study>> {
        let model = find(&state, study_id.0).await?;
        Ok(Json(study_view(&state, model).await?))
    }

    /// Delete a study with its experiments, jobs and results (its creator or an admin); 409
    /// while any of its jobs runs.
    #[oai(path = "/study/:study_id", method = "delete", operation_id = "deleteStudy")]
    async fn delete(
        &self,
        caller: Editor,
        state: Data<&SharedState>,
        study_id: Path<i32>,
    ) -> ApiResult<Json<ErrorBody>> {
        let model = find(&state, study_id.0).await?;
        caller.may_delete(&format!("study {}", model.id), model.created_by.as_deref())?;
        let mut tx = state.pool.begin().await?;
        // Job rows first (the order job ends take: job, then study), so none starts meanwhile.
        let jobs: Vec<(i32, i32, String)> = sqlx::query_as(
            "SELECT j.id, j.experiment_id, j.status::text FROM job j JOIN experiment e ON e.id = j.experiment_id \
             WHERE e.study_id = $1 ORDER BY j.id FOR UPDATE OF j",
        )
        .bind(model.id)
        .fetch_all(&mut *tx)
        .await?;
        let running: Vec<String> =
            jobs.iter().filter(|(_, _, s)| s == "running").map(|(id, _, _)| id.to_string()).collect();
        if !running.is_empty() {
            return Err(ApiError::conflict(format!(
                "Study {} has running jobs ({}); cancel them first",
                model.id,
                running.join(", ")
            )));
        }
        let experiments: Vec<(i32, i32)> =
            sqlx::query_as("DELETE FROM experiment WHERE study_id = $1 RETURNING id, dataset_id")
                .bind(model.id)
                .fetch_all(&mut *tx)
                .await?;
        sqlx::query("DELETE FROM study WHERE id = $1").bind(model.id).execute(&mut *tx).await?;
        let mut events: Vec<Event> = jobs
            .iter()
            .map(|&(id, experiment_id, _)| {
                Event::new(Entity::Job, id, "deleted", json!({ "id": id, "experiment_id": experiment_id }))
            })
            .collect();
        events.extend(experiments.iter().map(|&(id, dataset_id)| {
            Event::new(Entity::Experiment, id, "deleted", json!({ "id": id, "dataset_id": dataset_id }))
        }));
        events.push(Event::new(Entity::Study, model.id, "deleted", json!({ "id": model.id })));
        outbox::record_sqlx(&mut tx, &events).await?;
        tx.commit().await?;
        tracing::info!(
            study_id = model.id,
            experiments = experiments.len(),
            jobs = jobs.len(),
            "study deleted"
        );
        Ok(Json(ErrorBody {
            message: json!(format!(
                "Study {} deleted with {} experiments and {} jobs",
                model.id,
                experiments.len(),
                jobs.len()
            )),
        }))
    }

    /// Start every experiment of the study its algorithm's `runs` times, as
    /// `POST /api/experiment/{id}/start` does; 409 while jobs of the study wait or run.
    #[oai(path = "/study/:study_id/start", method = "post", operation_id = "startStudy")]
    async fn start(
        &self,
        caller: Editor,
        state: Data<&SharedState>,
        study_id: Path<i32>,
    ) -> ApiResult<Json<StudyStart>> {
        let model = find(&state, study_id.0).await?;
        let (_, algorithms) = spec_parts(&model.spec);
        let experiments = experiments_of(&state, model.id).await?;
        let algorithm_ids: BTreeSet<i32> = experiments.iter().filter_map(|e| e.algorithm_id).collect();
        for algorithm in algorithm::Entity::find()
            .filter(algorithm::Column::Id.is_in(algorithm_ids))
            .all(&state.db)
            .await?
        {
            check_runs_here(&state, &algorithm)?;
        }
        let dataset_ids: BTreeSet<i32> = experiments.iter().map(|e| e.dataset_id).collect();
        for id in dataset_ids {
            check_data_unchanged(&state, &super::datasets::find_dataset(&state, id).await?).await?;
        }
        let mut tx = state.pool.begin().await?;
        // The study row's lock orders concurrent starts; a second one sees the first's jobs.
        sqlx::query("SELECT id FROM study WHERE id = $1 FOR UPDATE").bind(model.id).execute(&mut *tx).await?;
        let busy: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM job j JOIN experiment e ON e.id = j.experiment_id \
             WHERE e.study_id = $1 AND j.status IN ('waiting', 'running')",
        )
        .bind(model.id)
        .fetch_one(&mut *tx)
        .await?;
        if busy > 0 {
            return Err(ApiError::conflict(format!(
                "Study {} still has {busy} waiting or running jobs; wait for them or cancel them first",
                model.id
            )));
        }
        sqlx::query("UPDATE study SET started_at = now() WHERE id = $1")
            .bind(model.id)
            .execute(&mut *tx)
            .await?;
        let mut jobs = Vec::new();
        for e in &experiments {
            let runs = e
                .study_algorithm
                .and_then(|i| algorithms.get(i as usize))
                .map_or(1, |a| a.runs.clamp(1, MAX_RUNS) as i32);
            jobs.extend(
                lifecycle::create_experiment_jobs(
                    &mut tx,
                    &lifecycle::NewExperimentJobs {
                        experiment_id: e.id,
                        dataset_id: e.dataset_id,
                        runs,
                        // What an empty start body means (api.md §4.7).
                        parallel: Some(true),
                        enforce_cpus: Some(true),
                        created_by: Some(caller.subject.clone()),
                        ..Default::default()
                    },
                )
                .await?,
            );
        }
        let data = json!({ "id": model.id, "jobs": jobs.len() });
        outbox::record_sqlx(&mut tx, &[Event::new(Entity::Study, model.id, "started", data)]).await?;
        tx.commit().await?;
        tracing::info!(study_id = model.id, jobs = jobs.len(), "study started");
        Ok(Json(StudyStart { study_id: model.id, jobs }))
    }

    /// Every experiment's runs scored against its dataset's ground truth (median, min, max).
    #[oai(path = "/study/:study_id/benchmark", method = "get", operation_id = "getStudyBenchmark")]
    async fn benchmark(
        &self,
        _caller: Viewer,
        state: Data<&SharedState>,
        study_id: Path<i32>,
    ) -> ApiResult<Json<Benchmark>> {
        let model = find(&state, study_id.0).await?;
        Ok(Json(load_benchmark(&state, &model).await?))
    }

    /// The benchmark as CSV.
    #[oai(path = "/study/:study_id/benchmark.csv", method = "get", operation_id = "downloadStudyBenchmark")]
    async fn benchmark_csv(
        &self,
        _caller: Viewer,
        state: Data<&SharedState>,
        study_id: Path<i32>,
    ) -> ApiResult<BenchmarkCsv> {
        let model = find(&state, study_id.0).await?;
        let table = load_benchmark(&state, &model).await?;
        let body = benchmark::to_csv(&table).map_err(anyhow::Error::from)?;
        Ok(BenchmarkCsv::Ok(Binary(body), format!("attachment;filename=study_{}_benchmark.csv", model.id)))
    }
}

/// Loads a study's results and scores them (comparisons on a blocking thread).
async fn load_benchmark(state: &SharedState, model: &study::Model) -> ApiResult<Benchmark> {
    let experiments = experiments_of(state, model.id).await?;
    let names = algorithm_names(state, experiments.iter().filter_map(|e| e.algorithm_id)).await?;
    // A run is a job's latest result; hidden jobs are left out.
    type ResultRow = (i32, i32, i32, Option<f64>, Option<f64>, Option<f64>);
    let results: Vec<ResultRow> = sqlx::query_as(
        "SELECT DISTINCT ON (r.job_id) r.id, j.experiment_id, e.dataset_id, r.execution_time, \
                r.dataset_loading_time, \
                CASE WHEN json_typeof(r.meta_results -> 'n_tests') = 'number' \
                     THEN (r.meta_results ->> 'n_tests')::float8 END \
         FROM result r JOIN job j ON j.id = r.job_id JOIN experiment e ON e.id = j.experiment_id \
         WHERE e.study_id = $1 AND j.status <> 'hidden' ORDER BY r.job_id, r.id DESC",
    )
    .bind(model.id)
    .fetch_all(&state.pool)
    .await?;
    let dataset_ids: BTreeSet<i32> = experiments.iter().map(|e| e.dataset_id).collect();
    let mut truths: HashMap<i32, Graph> = HashMap::new();
    for &dataset_id in &dataset_ids {
        truths.insert(dataset_id, ground_truth_graph(state, dataset_id).await?);
    }
    let ground_truth = !dataset_ids.is_empty() && truths.values().all(|t| !t.edges.is_empty());
    let mut graphs = HashMap::new();
    for &dataset_id in &dataset_ids {
        let ids: Vec<i32> = results.iter().filter(|r| r.2 == dataset_id).map(|r| r.0).collect();
        graphs.extend(result_graphs(state, &truths[&dataset_id].nodes, &ids).await?);
    }
    let rows = tokio::task::spawn_blocking(move || {
        let mut runs: HashMap<i32, Vec<Run>> = HashMap::new();
        for (result_id, experiment_id, dataset_id, execution_time, dataset_loading_time, ci_tests) in results
        {
            let truth = truths.get(&dataset_id).filter(|t| !t.edges.is_empty());
            let scores = match (truth, graphs.get(&result_id)) {
                (Some(truth), Some(graph)) => Some(benchmark::score(truth, graph)),
                _ => None,
            };
            runs.entry(experiment_id).or_default().push(Run {
                scores,
                execution_time,
                dataset_loading_time,
                ci_tests,
            });
        }
        experiments
            .into_iter()
            .map(|e| {
                let runs = runs.remove(&e.id).unwrap_or_default();
                let (skeleton, directed, shd, execution_time, dataset_loading_time, ci_tests) =
                    benchmark::summarise(&runs);
                let point = point_of(&e);
                let algorithm_id = e.algorithm_id.unwrap_or_default();
                let row = Row {
                    experiment_id: e.id,
                    experiment_name: e.name.unwrap_or_default(),
                    dataset_id: e.dataset_id,
                    algorithm_id,
                    algorithm_name: names.get(&algorithm_id).cloned().unwrap_or_default(),
                    point_label: grid::label(&point),
                    parameters: Value::Object(point.clone()),
                    results: runs.len() as i64,
                    skeleton,
                    directed,
                    shd,
                    execution_time,
                    dataset_loading_time,
                    ci_tests,
                };
                (e.study_algorithm.unwrap_or_default(), point, row)
            })
            .collect::<Vec<_>>()
    })
    .await
    .map_err(anyhow::Error::from)?;
    let swept = benchmark::swept_parameters(rows.iter().map(|(index, point, _)| (*index, point)));
    let mut rows = rows;
    rows.sort_by(|(ia, pa, ra), (ib, pb, rb)| {
        ia.cmp(ib)
            .then_with(|| {
                swept.iter().fold(std::cmp::Ordering::Equal, |order, name| {
                    order.then_with(|| benchmark::compare_values(pa.get(name), pb.get(name)))
                })
            })
            .then(ra.dataset_id.cmp(&rb.dataset_id))
            .then(ra.experiment_id.cmp(&rb.experiment_id))
    });
    Ok(Benchmark {
        study_id: model.id,
        ground_truth,
        swept_parameters: swept,
        rows: rows.into_iter().map(|(_, _, row)| row).collect(),
    })
}
