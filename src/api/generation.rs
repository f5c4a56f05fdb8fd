//! Dataset-generation jobs (api.md §12): queue a generator, list and inspect the jobs, and the
//! generator's CSV upload that turns into a table and a dataset.

use poem::{Request, web::Data};
use poem_openapi::{
    Multipart, Object, OpenApi, param::Path, param::Query, payload::Json, types::multipart::Upload,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Map, Value};

use super::{
    body::{Fields, FromJsonBody, JsonBody, JsonObject},
    datasets::find_dataset,
    error::{ApiError, ApiResult, FieldErrors},
    views::{DatasetView, GenerationJobView},
};
use crate::{
    auth::{Editor, Viewer},
    collector::token,
    datasets::{
        sources::{self, OWN_SOURCE},
        store::{self, NewDataset},
        upload,
    },
    generators::GeneratorType,
    lifecycle::{self, Transition},
    state::SharedState,
};
use entity::job;

pub struct GenerationApi;

/// What to generate (api.md §12.2).
#[derive(Debug, Object)]
pub struct NewGenerationJob {
    /// Name of the dataset to create.
    #[oai(rename = "datasetName", validator(min_length = 1))]
    pub dataset_name: String,
    /// `CAUSEWAY` (the built-in generator, runs locally), `PCALG` or `MPCSL` (images).
    #[oai(validator(pattern = "^(CAUSEWAY|PCALG|MPCSL)$"))]
    pub generator_type: String,
    /// Generator parameters, passed on as `--key value`.
    pub parameters: JsonObject,
    /// Cluster node to run on.
    #[oai(rename = "kubernetesNode")]
    #[oai(nullable)]
    pub kubernetes_node: Option<String>,
}

impl FromJsonBody for NewGenerationJob {
    fn from_json(object: &Map<String, Value>) -> Result<Self, FieldErrors> {
        let mut fields = Fields::new(object);
        let dataset_name = fields.required_string("datasetName");
        let generator_type = fields.required_string("generator_type");
        if generator_type.as_deref().is_some_and(|g| GeneratorType::parse(g).is_none()) {
            fields.fail::<()>("generator_type", "Not a valid choice.");
        }
        let parameters = fields.required_object("parameters").cloned().map(|p| JsonObject(Value::Object(p)));
        let kubernetes_node = fields.optional_string("kubernetesNode");
        match (dataset_name, generator_type, parameters) {
            (Some(dataset_name), Some(generator_type), Some(parameters)) if fields.errors.is_empty() => {
                Ok(NewGenerationJob { dataset_name, generator_type, parameters, kubernetes_node })
            }
            _ => Err(fields.errors),
        }
    }
}

/// The generated samples (CSV with a header row).
#[derive(Debug, Multipart)]
pub struct GeneratedCsv {
    pub file: Upload,
}

async fn find_generation_job(state: &SharedState, id: i32) -> ApiResult<job::Model> {
    job::Entity::find_by_id(id)
        .filter(job::Column::JobType.eq(job::DATASET_GENERATION_JOB))
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::not_found("dataset-generation job", id))
}

#[OpenApi(tag = "crate::api::Tag::Generation")]
impl GenerationApi {
    /// Dataset-generation jobs; hidden ones only with `show_hidden=1`.
    #[oai(path = "/jobs/dataset_generation", method = "get", operation_id = "listGenerationJobs")]
    async fn list(
        &self,
        _caller: Viewer,
        state: Data<&SharedState>,
        show_hidden: Query<Option<i64>>,
    ) -> ApiResult<Json<Vec<GenerationJobView>>> {
        let mut query = job::Entity::find()
            .filter(job::Column::JobType.eq(job::DATASET_GENERATION_JOB))
            .order_by_asc(job::Column::Id);
        if show_hidden.0 != Some(1) {
            query = query.filter(job::Column::Status.ne(entity::enums::JobStatus::Hidden));
        }
        Ok(Json(query.all(&state.db).await?.iter().map(GenerationJobView::new).collect()))
    }

    /// Queue a generator run.
    #[oai(path = "/jobs/dataset_generation", method = "post", operation_id = "createGenerationJob")]
    async fn create(
        &self,
        caller: Editor,
        state: Data<&SharedState>,
        body: JsonBody<NewGenerationJob>,
    ) -> ApiResult<Json<GenerationJobView>> {
        let new = body.0;
        let mut tx = state.pool.begin().await?;
        let id = lifecycle::create_generation_job(
            &mut tx,
            &lifecycle::NewGenerationJob {
                node: new.kubernetes_node.clone(),
                dataset_name: new.dataset_name.clone(),
                generator_type: new.generator_type.clone(),
                parameters: new.parameters.0.clone(),
                created_by: Some(caller.subject.clone()),
            },
        )
        .await?;
        tx.commit().await?;
        tracing::info!(job_id = id, generator = new.generator_type, "generation job queued");
        Ok(Json(GenerationJobView::new(&find_generation_job(&state, id).await?)))
    }

    /// One dataset-generation job.
    #[oai(path = "/job/:job_id/dataset_generation", method = "get", operation_id = "getGenerationJob")]
    async fn get(
        &self,
        _caller: Viewer,
        state: Data<&SharedState>,
        job_id: Path<i32>,
    ) -> ApiResult<Json<GenerationJobView>> {
        Ok(Json(GenerationJobView::new(&find_generation_job(&state, job_id.0).await?)))
    }

    /// The generator's upload: the CSV becomes a table in `causeway_data` and a dataset, and
    /// the job is done. The generator then uploads the ground truth to the new dataset.
    #[oai(
        path = "/job/:job_id/dataset_generation",
        method = "put",
        tag = "crate::api::Tag::Executors",
        operation_id = "uploadGeneratedDataset"
    )]
    async fn upload(
        &self,
        state: Data<&SharedState>,
        request: &Request,
        job_id: Path<i32>,
        form: GeneratedCsv,
    ) -> ApiResult<Json<DatasetView>> {
        token::authorize_job(&state, request, job_id.0).await?;
        let generation = find_generation_job(&state, job_id.0).await?;
        if generation.dataset_id.is_some() {
            return Err(ApiError::conflict("Dataset generation job already mapped"));
        }
        let name = generation.dataset_name.clone().unwrap_or_else(|| format!("generated_{}", generation.id));
        let file = form.file.into_file().into_std().await;
        let mut tx = state.pool.begin().await?;
        let table = upload::load_csv(&mut tx, file, &name).await?;
        let info = sources::pg_inspect(&mut tx, &table.load_query).await?;
        let dataset_id = store::insert_dataset(
            &mut tx,
            &NewDataset {
                name: Some(&name),
                description: Some("generated"),
                load_query: &table.load_query,
                data_source: OWN_SOURCE,
                // Whoever asked for the generation owns what it produced.
                created_by: generation.created_by.as_deref(),
            },
            &info,
        )
        .await?;
        lifecycle::set_generated_dataset(&mut tx, generation.id, dataset_id).await?;
        lifecycle::apply(&mut tx, generation.id, &Transition::GenerationDone).await?;
        tx.commit().await?;
        tracing::info!(job_id = generation.id, dataset_id, rows = info.rows, "generated dataset stored");
        Ok(Json(find_dataset(&state, dataset_id).await?.into()))
    }
}
