//! `/api/node/{id}` (api.md §8.1): dataset columns as graph nodes.

use poem::web::Data;
use poem_openapi::{OpenApi, param::Path, payload::Json};
use sea_orm::EntityTrait;

use super::{
    error::{ApiError, ApiResult},
    views::NodeView,
};
use crate::auth::Viewer;
use crate::state::SharedState;
use entity::node;

pub struct NodesApi;

pub async fn find_node(state: &SharedState, id: i32) -> ApiResult<node::Model> {
    node::Entity::find_by_id(id).one(&state.db).await?.ok_or_else(|| ApiError::not_found("node", id))
}

#[OpenApi(tag = "crate::api::Tag::Nodes")]
impl NodesApi {
    /// One node.
    #[oai(path = "/node/:node_id", method = "get", operation_id = "getNode")]
    async fn get(
        &self,
        _caller: Viewer,
        state: Data<&SharedState>,
        node_id: Path<i32>,
    ) -> ApiResult<Json<NodeView>> {
        node::Entity::find_by_id(node_id.0)
            .one(&state.db)
            .await?
            .map(|n| Json(n.into()))
            .ok_or_else(|| ApiError::not_found("node", node_id.0))
    }
}
