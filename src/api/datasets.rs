//! `/api/datasets`, `/api/dataset/{id}/…`, `/api/datasources` (api.md §3): datasets, their
//! metadata and their data as CSV.

use futures::StreamExt;
use poem::{Body, IntoResponse, Request, web::Data};
use poem_openapi::{
    ApiResponse, Multipart, Object, OpenApi,
    param::Path,
    payload::{Json, Payload},
    registry::MetaSchemaRef,
    types::Type,
    types::multipart::Upload,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
    QuerySelect, TransactionTrait, sea_query::Expr,
};
use serde_json::{Map, Value, json};

use super::{
    body::{Fields, FromJsonBody, JsonBody},
    error::{ApiError, ApiResult, FieldErrors},
    experiments::experiment_views,
    views::{DatasetView, ExperimentView},
};
use crate::{
    auth::{Editor, Viewer, ViewerOrJobToken},
    collector::token,
    datasets::{
        QueryError,
        sources::{self, OWN_SOURCE},
        store::{self, NewDataset},
        upload::{self, UploadError},
    },
    events::{Entity, Event, outbox},
    state::SharedState,
};
use entity::{dataset, experiment, job, node, study};

pub struct DatasetsApi;

/// A dataset defined by a query on a data source (api.md §3.2).
#[derive(Debug, Object)]
pub struct NewQueryDataset {
    #[oai(validator(min_length = 1))]
    pub name: String,
    #[oai(nullable)]
    pub description: Option<String>,
    /// One SELECT statement; its columns become the dataset's nodes.
    #[oai(validator(min_length = 1))]
    pub load_query: String,
    /// A name from `GET /api/datasources`; default `postgres` (Causeway's own database).
    #[oai(nullable)]
    pub data_source: Option<String>,
}

impl FromJsonBody for NewQueryDataset {
    fn from_json(object: &Map<String, Value>) -> Result<Self, FieldErrors> {
        let mut fields = Fields::new(object);
        let name = fields.required_string("name");
        let load_query = fields.required_string("load_query");
        let description = fields.optional_string("description");
        let data_source = match fields.raw("data_source") {
            None => Some(OWN_SOURCE.to_owned()),
            Some(Value::Null) => fields.fail("data_source", "Field may not be null."),
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => fields.fail("data_source", "Not a valid string."),
        };
        match (name, load_query) {
            (Some(name), Some(load_query)) if fields.errors.is_empty() => {
                Ok(NewQueryDataset { name, description, load_query, data_source })
            }
            _ => Err(fields.errors),
        }
    }
}

/// A new description (the only editable field).
#[derive(Debug, Object)]
pub struct DescriptionUpdate {
    #[oai(nullable)]
    pub description: Option<String>,
}

impl FromJsonBody for DescriptionUpdate {
    fn from_json(object: &Map<String, Value>) -> Result<Self, FieldErrors> {
        // Checked by the handler, after the 404 check, with MPCSL's message.
        let description = object.get("description").and_then(Value::as_str).map(str::to_owned);
        Ok(DescriptionUpdate { description })
    }
}

impl DescriptionUpdate {
    pub fn require(self) -> ApiResult<String> {
        self.description
            .filter(|d| !d.is_empty())
            .ok_or_else(|| ApiError::bad_request("Body must contain description"))
    }
}

/// A CSV file to turn into a dataset (header row first).
#[derive(Debug, Multipart)]
pub struct CsvUpload {
    /// CSV with a header row; column types are inferred (integer, float, boolean, text).
    pub file: Upload,
    #[oai(validator(min_length = 1))]
    pub name: String,
    pub description: Option<String>,
}

#[derive(Debug, Object)]
pub struct DatasetMetadata {
    /// Number of nodes (columns).
    pub variables: i64,
    /// `time_created` as Unix epoch seconds.
    pub time_created: f64,
    /// Current row count of the load query.
    pub observations: i64,
    pub data_source: String,
    #[oai(nullable)]
    pub query: Option<String>,
    pub has_ground_truth: bool,
}

#[derive(Debug, Object)]
pub struct DataSourceList {
    pub data_sources: Vec<String>,
}

/// A streamed text body: a `string` in the document (not `binary`), so that generated clients
/// hand it out as text. The response's derive sets the exact content type (`text/csv`).
pub struct TextStream(pub Body);

impl Payload for TextStream {
    const CONTENT_TYPE: &'static str = "text/plain; charset=utf-8";

    fn schema_ref() -> MetaSchemaRef {
        String::schema_ref()
    }
}

impl IntoResponse for TextStream {
    fn into_response(self) -> poem::Response {
        poem::Response::builder().content_type(Self::CONTENT_TYPE).body(self.0)
    }
}

#[derive(ApiResponse)]
pub enum CsvResponse {
    /// The dataset as CSV (CRLF line ends, NULL as an empty field), streamed. `X-Content-Length`
    /// is MPCSL's header, which its Python executor reads: the body size in bytes when known
    /// before sending, otherwise `0` as MPCSL always sent (streamed downloads are not known).
    #[oai(status = 200, content_type = "text/csv; charset=utf-8")]
    Ok(TextStream, #[oai(header = "Content-Disposition")] String, #[oai(header = "X-Content-Length")] u64),
}

pub async fn find_dataset(state: &SharedState, id: i32) -> ApiResult<dataset::Model> {
    dataset::Entity::find_by_id(id).one(&state.db).await?.ok_or_else(|| ApiError::not_found("dataset", id))
}

impl From<QueryError> for ApiError {
    fn from(err: QueryError) -> Self {
        if let QueryError::Busy(_) = err {
            return server_error(err);
        }
        tracing::info!(error = %err, "dataset query refused");
        ApiError::bad_request(err.to_string())
    }
}

/// 500 with the query error's message: the request was fine, the server could not run it now.
fn server_error(err: QueryError) -> ApiError {
    tracing::warn!(error = %err, "dataset query not run");
    ApiError::Internal(poem_openapi::payload::Json(crate::api::error::ErrorBody {
        message: serde_json::Value::String(err.to_string()),
    }))
}

/// Downloads are what executors call, and they can only retry: a database that cannot be
/// reached (restarting) or is busy answers 500, which they retry, instead of the 400 a dataset
/// definition gets, which would cost the run (found by the chaos suite, tests/chaos).
pub fn download_error(err: QueryError) -> ApiError {
    match err {
        QueryError::Unreachable(_) | QueryError::Busy(_) => server_error(err),
        err => err.into(),
    }
}

impl From<UploadError> for ApiError {
    fn from(err: UploadError) -> Self {
        match err {
            UploadError::Invalid(_) => ApiError::bad_request(err.to_string()),
            UploadError::Database(err) => err.into(),
        }
    }
}

#[OpenApi(tag = "crate::api::Tag::Datasets")]
impl DatasetsApi {
    /// All datasets.
    #[oai(path = "/datasets", method = "get", operation_id = "listDatasets")]
    async fn list(&self, _caller: Viewer, state: Data<&SharedState>) -> ApiResult<Json<Vec<DatasetView>>> {
        let all = dataset::Entity::find().order_by_asc(dataset::Column::Id).all(&state.db).await?;
        Ok(Json(all.into_iter().map(Into::into).collect()))
    }

    /// Register a dataset defined by a query. The query is checked (one read-only statement with
    /// at least one column) and one node is created per column; a bad query changes nothing.
    #[oai(path = "/datasets", method = "post", operation_id = "createDataset")]
    async fn create(
        &self,
        caller: Editor,
        state: Data<&SharedState>,
        body: JsonBody<NewQueryDataset>,
    ) -> ApiResult<Json<DatasetView>> {
        let new = body.0;
        let source_name = new.data_source.as_deref().unwrap_or(OWN_SOURCE);
        if !state.sources.contains(source_name) {
            let mut errors = FieldErrors::default();
            errors.add("data_source", "Not a valid choice.");
            return Err(ApiError::invalid_fields(errors));
        }
        let load_query = sources::normalize_query(&new.load_query).to_owned();
        let info = state.sources.get(source_name)?.inspect(&load_query).await?;
        let mut tx = state.pool.begin().await?;
        let id = store::insert_dataset(
            &mut tx,
            &NewDataset {
                name: Some(&new.name),
                description: new.description.as_deref(),
                load_query: &load_query,
                data_source: source_name,
                created_by: Some(&caller.subject),
            },
            &info,
        )
        .await?;
        tx.commit().await?;
        tracing::info!(dataset_id = id, columns = info.columns.len(), rows = info.rows, "dataset created");
        Ok(Json(find_dataset(&state, id).await?.into()))
    }

    /// Upload a CSV file as a new dataset: it becomes a table in Causeway's database
    /// (schema `causeway_data`) and a dataset over it.
    #[oai(path = "/datasets/upload", method = "post", operation_id = "uploadDataset")]
    async fn upload(
        &self,
        caller: Editor,
        state: Data<&SharedState>,
        form: CsvUpload,
    ) -> ApiResult<Json<DatasetView>> {
        let mut errors = FieldErrors::default();
        if form.name.trim().is_empty() {
            errors.add("name", "Shorter than minimum length 1.");
        }
        for (field, text) in [("name", Some(&form.name)), ("description", form.description.as_ref())] {
            if text.is_some_and(|t| t.contains('\0')) {
                errors.add(field, super::body::NUL_CHARACTER);
            }
        }
        errors.finish()?;
        let file = form.file.into_file().into_std().await;
        let mut tx = state.pool.begin().await?;
        let table = upload::load_csv(&mut tx, file, &form.name).await?;
        let info = sources::pg_inspect(&mut tx, &table.load_query).await?;
        let id = store::insert_dataset(
            &mut tx,
            &NewDataset {
                name: Some(&form.name),
                description: form.description.as_deref(),
                load_query: &table.load_query,
                data_source: OWN_SOURCE,
                created_by: Some(&caller.subject),
            },
            &info,
        )
        .await?;
        tx.commit().await?;
        tracing::info!(
            dataset_id = id,
            table = table.qualified_name,
            rows = info.rows,
            "CSV uploaded as dataset"
        );
        Ok(Json(find_dataset(&state, id).await?.into()))
    }

    /// One dataset.
    #[oai(path = "/dataset/:dataset_id", method = "get", operation_id = "getDataset")]
    async fn get(
        &self,
        _caller: Viewer,
        state: Data<&SharedState>,
        dataset_id: Path<i32>,
    ) -> ApiResult<Json<DatasetView>> {
        Ok(Json(find_dataset(&state, dataset_id.0).await?.into()))
    }

    /// Change the description (the only editable field; it cannot be emptied).
    #[oai(path = "/dataset/:dataset_id", method = "put", operation_id = "updateDataset")]
    async fn update(
        &self,
        _caller: Editor,
        state: Data<&SharedState>,
        dataset_id: Path<i32>,
        body: JsonBody<DescriptionUpdate>,
    ) -> ApiResult<Json<DatasetView>> {
        let model = find_dataset(&state, dataset_id.0).await?;
        let description = body.0.require()?;
        let tx = state.db.begin().await?;
        let mut active = model.into_active_model();
        active.description = Set(Some(description));
        let model = active.update(&tx).await?;
        outbox::record(&tx, &[Event::new(Entity::Dataset, model.id, "updated", json!({ "id": model.id }))])
            .await?;
        tx.commit().await?;
        Ok(Json(model.into()))
    }

    /// Delete a dataset with its nodes, ground truth, experiments, jobs and results. The table
    /// behind it is left alone (other datasets may read it). 409 while a study lists it: delete
    /// the study first.
    #[oai(path = "/dataset/:dataset_id", method = "delete", operation_id = "deleteDataset")]
    async fn delete(
        &self,
        caller: Editor,
        state: Data<&SharedState>,
        dataset_id: Path<i32>,
    ) -> ApiResult<Json<DatasetView>> {
        let model = find_dataset(&state, dataset_id.0).await?;
        caller.may_delete(&format!("dataset {}", model.id), model.created_by.as_deref())?;
        let tx = state.db.begin().await?;
        // The row lock makes a study created meanwhile (its experiments' foreign keys share-lock
        // the row) either visible to the check below or refused.
        dataset::Entity::find_by_id(model.id).lock_exclusive().one(&tx).await?;
        // A study's definition names its datasets: it is deleted first, on purpose (its
        // experiments on other datasets and its benchmark would otherwise change silently).
        let studies: Vec<(i32, String)> = study::Entity::find()
            .select_only()
            .column(study::Column::Id)
            .column(study::Column::Name)
            .filter(Expr::cust_with_values(
                "EXISTS (SELECT 1 FROM json_array_elements_text(study.spec -> 'dataset_ids') AS d(id) \
                 WHERE d.id = $1)",
                [model.id.to_string()],
            ))
            .order_by_asc(study::Column::Id)
            .into_tuple()
            .all(&tx)
            .await?;
        if !studies.is_empty() {
            let listed: Vec<String> = studies.iter().map(|(id, name)| format!("{id} ({name:?})")).collect();
            let (noun, pronoun) = if studies.len() == 1 { ("study", "it") } else { ("studies", "them") };
            return Err(ApiError::conflict(format!(
                "Dataset {} is used by {noun} {}; delete {pronoun} first",
                model.id,
                listed.join(", ")
            )));
        }
        let experiment_ids: Vec<i32> = experiment::Entity::find()
            .select_only()
            .column(experiment::Column::Id)
            .filter(experiment::Column::DatasetId.eq(model.id))
            .into_tuple()
            .all(&tx)
            .await?;
        let job_ids: Vec<i32> = job::Entity::find()
            .select_only()
            .column(job::Column::Id)
            .filter(job::Column::ExperimentId.is_in(experiment_ids.clone()))
            .into_tuple()
            .all(&tx)
            .await?;
        // Foreign keys cascade: nodes, edges, experiments, jobs, results, sepsets, annotations.
        dataset::Entity::delete_by_id(model.id).exec(&tx).await?;
        let mut events: Vec<Event> =
            job_ids.iter().map(|&id| Event::new(Entity::Job, id, "deleted", json!({ "id": id }))).collect();
        events.extend(experiment_ids.iter().map(|&id| {
            Event::new(Entity::Experiment, id, "deleted", json!({ "id": id, "dataset_id": model.id }))
        }));
        events.push(Event::new(Entity::Dataset, model.id, "deleted", json!({ "id": model.id })));
        outbox::record(&tx, &events).await?;
        tx.commit().await?;
        tracing::info!(
            dataset_id = model.id,
            experiments = experiment_ids.len(),
            jobs = job_ids.len(),
            "dataset deleted"
        );
        Ok(Json(model.into()))
    }

    /// Size and provenance of a dataset; `observations` is counted now (never cached).
    #[oai(path = "/dataset/:dataset_id/metadata", method = "get", operation_id = "getDatasetMetadata")]
    async fn metadata(
        &self,
        _caller: Viewer,
        state: Data<&SharedState>,
        dataset_id: Path<i32>,
    ) -> ApiResult<Json<DatasetMetadata>> {
        let model = find_dataset(&state, dataset_id.0).await?;
        let source = state.sources.get(&model.data_source)?;
        let observations = source.count(model.load_query.as_deref().unwrap_or_default()).await?;
        let (variables, has_ground_truth): (i64, bool) = sqlx::query_as(
            "SELECT (SELECT count(*) FROM node WHERE dataset_id = $1), \
                    EXISTS (SELECT 1 FROM edge e JOIN node n ON n.id = e.from_node_id \
                            WHERE n.dataset_id = $1 AND e.is_ground_truth)",
        )
        .bind(model.id)
        .fetch_one(&state.pool)
        .await?;
        Ok(Json(DatasetMetadata {
            variables,
            time_created: model.time_created.timestamp_micros() as f64 / 1e6,
            observations,
            data_source: model.data_source,
            query: model.load_query,
            has_ground_truth,
        }))
    }

    /// Experiments of a dataset.
    #[oai(path = "/dataset/:dataset_id/experiments", method = "get", operation_id = "listDatasetExperiments")]
    async fn experiments(
        &self,
        _caller: Viewer,
        state: Data<&SharedState>,
        dataset_id: Path<i32>,
    ) -> ApiResult<Json<Vec<ExperimentView>>> {
        let model = find_dataset(&state, dataset_id.0).await?;
        let experiments = experiment::Entity::find()
            .filter(experiment::Column::DatasetId.eq(model.id))
            .order_by_asc(experiment::Column::Id)
            .all(&state.db)
            .await?;
        Ok(Json(experiment_views(&state, experiments).await?))
    }

    /// The dataset's data as CSV with column names as header.
    #[oai(path = "/dataset/:dataset_id/load", method = "get", operation_id = "downloadDataset")]
    async fn load(
        &self,
        _caller: ViewerOrJobToken,
        state: Data<&SharedState>,
        request: &Request,
        dataset_id: Path<i32>,
    ) -> ApiResult<CsvResponse> {
        download(&state, request, dataset_id.0, Header::Names).await
    }

    /// The dataset's data as CSV with node ids as header (what executors read).
    #[oai(path = "/dataset/:dataset_id/loadwithids", method = "get", operation_id = "downloadDatasetWithIds")]
    async fn load_with_ids(
        &self,
        _caller: ViewerOrJobToken,
        state: Data<&SharedState>,
        request: &Request,
        dataset_id: Path<i32>,
    ) -> ApiResult<CsvResponse> {
        download(&state, request, dataset_id.0, Header::NodeIds).await
    }

    /// Names of the data sources dataset queries may run on.
    #[oai(path = "/datasources", method = "get", operation_id = "listDataSources")]
    async fn data_sources(
        &self,
        _caller: Viewer,
        state: Data<&SharedState>,
    ) -> ApiResult<Json<DataSourceList>> {
        Ok(Json(DataSourceList { data_sources: state.sources.names() }))
    }
}

#[derive(Clone, Copy, PartialEq)]
pub enum Header {
    Names,
    NodeIds,
}

/// Cuts off a response whose download failed after it started (the failure is logged where it
/// happened), so that the client sees an incomplete body rather than a shorter file that looks
/// whole. A body error would not do: poem polls a failed connection once more for its graceful
/// shutdown, and hyper then ends the chunked body cleanly. Unwinding drops the connection:
/// poem's connection task catches it, and `resume_unwind` skips the panic hook.
fn abort_response() -> ! {
    std::panic::resume_unwind(Box::new("aborting a download whose query failed"))
}

/// Streams a dataset's CSV, for a caller whose job token (if any) reaches the dataset. The
/// query's columns must still be the dataset's nodes, in order: otherwise node ids would be
/// attached to the wrong columns, so that is a 409.
///
/// Executors download as soon as they start, which in a study is when the machine is busiest
/// (the other runs are starting too), and there every round trip to PostgreSQL waits for a
/// CPU. So the three lookups that do not depend on each other (the token, the dataset row,
/// its nodes) are made at once: one round trip's wait instead of three before the query runs.
/// Their answers are judged in the old order: a token that does not reach the dataset learns
/// nothing about it, not even whether it exists.
pub async fn download(
    state: &SharedState,
    request: &Request,
    dataset_id: i32,
    header: Header,
) -> ApiResult<CsvResponse> {
    let nodes = node::Entity::find()
        .filter(node::Column::DatasetId.eq(dataset_id))
        .order_by_asc(node::Column::Id)
        .all(&state.db);
    let (authorized, model, nodes) = tokio::join!(
        token::authorize_dataset(state, request, dataset_id),
        find_dataset(state, dataset_id),
        nodes
    );
    authorized?;
    let model = model?;
    let nodes = nodes?;
    let query = model.load_query.clone().unwrap_or_default();
    let source = state.sources.get(&model.data_source)?;
    let columns = source.columns(&query).await.map_err(download_error)?;
    let names_match = nodes.len() == columns.len()
        && nodes.iter().zip(&columns).all(|(n, c)| n.name.as_deref() == Some(c.name.as_str()));
    if !names_match {
        return Err(ApiError::conflict(format!(
            "The underlying data has been modified: the columns of dataset {} no longer match its nodes",
            model.id
        )));
    }
    let header_line = match header {
        Header::Names => columns.iter().map(|c| c.name.clone()).collect(),
        Header::NodeIds => nodes.iter().map(|n| n.id.to_string()).collect(),
    };
    let stream =
        source.stream_csv(&query, &columns, header_line).await.map_err(download_error)?.map(|chunk| {
            match chunk {
                Ok(bytes) => Ok::<_, std::io::Error>(bytes),
                Err(_) => abort_response(),
            }
        });
    let file = match header {
        Header::Names => format!("dataset_{}.csv", model.id),
        Header::NodeIds => format!("dataset_{}_ids.csv", model.id),
    };
    // The size of a streamed body is not known when the headers go out.
    const UNKNOWN_LENGTH: u64 = 0;
    Ok(CsvResponse::Ok(
        TextStream(Body::from_bytes_stream(stream)),
        format!("attachment;filename={file}"),
        UNKNOWN_LENGTH,
    ))
}
