//! `/api/algorithms`, `/api/algorithm/{id}` (api.md §2): the algorithm catalogue.

use poem::web::Data;
use poem_openapi::{Enum, Object, OpenApi, param::Path, payload::Json};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    TransactionTrait,
};
use serde_json::{Map, Value, json};

use super::{
    body::{Fields, FromJsonBody, JsonBody},
    error::{ApiError, ApiResult, FieldErrors},
    views::AlgorithmView,
};
use crate::{
    auth::{Admin, Viewer},
    db::{self, OrderedJsonColumn},
    parameters,
    state::SharedState,
};
use entity::{algorithm, experiment};

pub struct AlgorithmsApi;

/// A new catalogue entry; every field is optional (api.md §2.2).
#[derive(Debug, Object)]
pub struct NewAlgorithm {
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
    #[oai(nullable)]
    pub valid_parameters: Option<Value>,
    #[oai(nullable)]
    pub docker_parameters: Option<Value>,
}

/// Why `local_command` cannot come through the API: it is a command the scheduler runs on its
/// machine, so it is an operator's decision (docs/security.md).
pub const LOCAL_COMMAND_REFUSED: &str = "Commands run on the scheduler's machine and come only from the \
     catalogue file (`causeway catalogue load FILE`); they cannot be set through the API.";

impl FromJsonBody for NewAlgorithm {
    fn from_json(object: &Map<String, Value>) -> Result<Self, FieldErrors> {
        let mut fields = Fields::new(object);
        let algorithm = NewAlgorithm {
            package: fields.optional_string("package"),
            function: fields.optional_string("function"),
            script_filename: fields.optional_string("script_filename"),
            docker_image: fields.optional_string("docker_image"),
            description: fields.optional_string("description"),
            needs_gpu: fields.optional_bool("needs_gpu"),
            valid_parameters: fields.raw("valid_parameters").filter(|v| !v.is_null()).cloned(),
            docker_parameters: match fields.raw("docker_parameters") {
                None | Some(Value::Null) => None,
                Some(v @ Value::Object(_)) => Some(v.clone()),
                Some(_) => fields.fail("docker_parameters", "Not a valid mapping type."),
            },
        };
        if fields.raw("local_command").is_some_and(|v| !v.is_null()) {
            fields.fail::<()>("local_command", LOCAL_COMMAND_REFUSED);
        }
        let mut errors = fields.errors;
        if let Some(schema) = &algorithm.valid_parameters {
            parameters::check_schema(schema, &mut errors);
        }
        if errors.is_empty() { Ok(algorithm) } else { Err(errors) }
    }
}

/// Where this installation runs jobs (`CAUSEWAY_LAUNCHER`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum LauncherKindView {
    /// Processes on the scheduler's machine: algorithms need a `local_command`.
    Local,
    /// Pods on Kubernetes: algorithms need a `docker_image`.
    Kubernetes,
}

/// How this installation runs jobs, so that clients can tell which algorithms run here
/// (the rule of `launcher::runs_here`, which answers 409 when starting one that does not).
#[derive(Debug, Clone, Object)]
pub struct LauncherInfo {
    pub launcher: LauncherKindView,
}

async fn find(state: &SharedState, id: i32) -> ApiResult<algorithm::Model> {
    algorithm::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::not_found("algorithm", id))
}

#[OpenApi(tag = "crate::api::Tag::Algorithms")]
impl AlgorithmsApi {
    /// All algorithms of the catalogue.
    #[oai(path = "/algorithms", method = "get", operation_id = "listAlgorithms")]
    async fn list(&self, _caller: Viewer, state: Data<&SharedState>) -> ApiResult<Json<Vec<AlgorithmView>>> {
        let all = algorithm::Entity::find().order_by_asc(algorithm::Column::Id).all(&state.db).await?;
        Ok(Json(all.into_iter().map(Into::into).collect()))
    }

    /// The launcher this installation runs jobs with: with `local`, algorithms without a local
    /// command run on Kubernetes only; with `kubernetes`, those without an image cannot run.
    #[oai(path = "/launcher", method = "get", operation_id = "getLauncher")]
    async fn launcher(&self, _caller: Viewer, state: Data<&SharedState>) -> ApiResult<Json<LauncherInfo>> {
        let launcher = match state.config.launcher {
            crate::config::LauncherKind::Local => LauncherKindView::Local,
            crate::config::LauncherKind::Kubernetes => LauncherKindView::Kubernetes,
        };
        Ok(Json(LauncherInfo { launcher }))
    }

    /// Add an algorithm; `valid_parameters` is checked to be a valid parameter schema.
    #[oai(path = "/algorithms", method = "post", operation_id = "createAlgorithm")]
    async fn create(
        &self,
        caller: Admin,
        state: Data<&SharedState>,
        body: JsonBody<NewAlgorithm>,
    ) -> ApiResult<Json<AlgorithmView>> {
        let new = body.0;
        if let Some(image) = &new.docker_image
            && !state.config.image_allowed(image)
        {
            let mut errors = FieldErrors::default();
            errors.add(
                "docker_image",
                format!(
                    "Image {image:?} is not allowed: images must start with one of {:?} \
                     (CAUSEWAY_IMAGE_ALLOWLIST).",
                    state.config.image_allowlist
                ),
            );
            return Err(ApiError::invalid_fields(errors));
        }
        let tx = state.db.begin().await?;
        let mut model = algorithm::ActiveModel {
            package: Set(new.package),
            function: Set(new.function),
            script_filename: Set(new.script_filename),
            docker_image: Set(new.docker_image),
            description: Set(new.description),
            needs_gpu: Set(new.needs_gpu),
            valid_parameters: Set(new.valid_parameters.clone()),
            docker_parameters: Set(new.docker_parameters.unwrap_or_else(|| json!({}))),
            created_by: Set(Some(caller.subject.clone())),
            ..Default::default()
        }
        .insert(&tx)
        .await?;
        if let Some(schema) = &new.valid_parameters {
            db::write_ordered_json(&tx, OrderedJsonColumn::AlgorithmValidParameters, model.id, schema)
                .await?;
            model.valid_parameters = Some(schema.clone());
        }
        tx.commit().await?;
        tracing::info!(algorithm_id = model.id, "algorithm created");
        Ok(Json(model.into()))
    }

    /// One algorithm.
    #[oai(path = "/algorithm/:algorithm_id", method = "get", operation_id = "getAlgorithm")]
    async fn get(
        &self,
        _caller: Viewer,
        state: Data<&SharedState>,
        algorithm_id: Path<i32>,
    ) -> ApiResult<Json<AlgorithmView>> {
        Ok(Json(find(&state, algorithm_id.0).await?.into()))
    }

    /// Delete an algorithm that no experiment uses (409 otherwise).
    #[oai(path = "/algorithm/:algorithm_id", method = "delete", operation_id = "deleteAlgorithm")]
    async fn delete(
        &self,
        _caller: Admin,
        state: Data<&SharedState>,
        algorithm_id: Path<i32>,
    ) -> ApiResult<Json<AlgorithmView>> {
        let model = find(&state, algorithm_id.0).await?;
        let users = experiment::Entity::find()
            .filter(experiment::Column::AlgorithmId.eq(model.id))
            .count(&state.db)
            .await?;
        if users > 0 {
            return Err(ApiError::conflict(format!(
                "algorithm {} is used by {users} experiment(s); delete them first",
                model.id
            )));
        }
        algorithm::Entity::delete_by_id(model.id).exec(&state.db).await?;
        tracing::info!(algorithm_id = model.id, "algorithm deleted");
        Ok(Json(model.into()))
    }
}
