//! Results and their graphs (api.md §6.1–6.6, §6.10, §7, §8.2, §10): browsing, deleting,
//! neighbourhoods and edge annotations.

use std::collections::HashMap;

use poem::web::Data;
use poem_openapi::{Object, OpenApi, param::Path, payload::Json};
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
    sea_query::{NullOrdering, Order},
};
use serde_json::{Map, Value, json};

use super::{
    body::{Fields, FromJsonBody, JsonBody},
    error::{ApiError, ApiResult, FieldErrors},
    views::{
        AnnotationView, EdgeInformationView, EdgeView, NodeView, ResultFullView, ResultView, SepsetView,
    },
};
use crate::{
    auth::{Editor, Viewer},
    events::{Entity, Event, outbox},
    graph::context as graph_context,
    state::SharedState,
};
use entity::{edge, edge_information, enums::EdgeAnnotation, node, result, sepset};

pub struct ResultsApi;

/// One node with the result's edges that touch it and their other endpoints.
#[derive(Debug, Object)]
pub struct NodeContext {
    pub main_node: NodeView,
    pub context_nodes: Vec<NodeView>,
    pub edges: Vec<EdgeView>,
}

#[derive(Debug, Object)]
pub struct ResultContext {
    pub node_contexts: Vec<NodeContext>,
}

/// An annotation of a result edge (api.md §10.2); a second POST for the same edge updates it.
#[derive(Debug, Object)]
pub struct NewEdgeInformation {
    pub result_id: i32,
    pub from_node_id: i32,
    pub to_node_id: i32,
    pub annotation: AnnotationView,
}

impl FromJsonBody for NewEdgeInformation {
    fn from_json(object: &Map<String, Value>) -> Result<Self, FieldErrors> {
        let mut fields = Fields::new(object);
        let id = |fields: &mut Fields, key: &str| {
            let value = fields.required_int(key)?;
            i32::try_from(value).ok().or_else(|| fields.fail(key, "Not a valid integer."))
        };
        let result_id = id(&mut fields, "result_id");
        let from_node_id = id(&mut fields, "from_node_id");
        let to_node_id = id(&mut fields, "to_node_id");
        let annotation = match fields.required_string("annotation").as_deref() {
            Some("approved") => Some(AnnotationView::Approved),
            Some("declined") => Some(AnnotationView::Declined),
            Some("missing") => Some(AnnotationView::Missing),
            Some(_) => fields.fail("annotation", "Not a valid choice."),
            None => None,
        };
        match (result_id, from_node_id, to_node_id, annotation) {
            (Some(result_id), Some(from_node_id), Some(to_node_id), Some(annotation))
                if fields.errors.is_empty() =>
            {
                Ok(NewEdgeInformation { result_id, from_node_id, to_node_id, annotation })
            }
            _ => Err(fields.errors),
        }
    }
}

pub async fn find_result(state: &SharedState, id: i32) -> ApiResult<result::Model> {
    result::Entity::find_by_id(id).one(&state.db).await?.ok_or_else(|| ApiError::not_found("result", id))
}

/// The dataset a result was learned on.
pub async fn result_dataset(state: &SharedState, result_id: i32) -> ApiResult<i32> {
    let dataset: Option<i32> = sqlx::query_scalar(
        "SELECT e.dataset_id FROM result r JOIN job j ON j.id = r.job_id JOIN experiment e ON e.id = j.experiment_id \
         WHERE r.id = $1",
    )
    .bind(result_id)
    .fetch_optional(&state.pool)
    .await?;
    dataset.ok_or_else(|| ApiError::not_found("result", result_id))
}

pub async fn dataset_nodes(state: &SharedState, dataset_id: i32) -> ApiResult<Vec<node::Model>> {
    Ok(node::Entity::find()
        .filter(node::Column::DatasetId.eq(dataset_id))
        .order_by_asc(node::Column::Id)
        .all(&state.db)
        .await?)
}

pub async fn result_edges(state: &SharedState, result_id: i32) -> ApiResult<Vec<edge::Model>> {
    Ok(edge::Entity::find()
        .filter(edge::Column::ResultId.eq(result_id))
        .order_by_asc(edge::Column::Id)
        .all(&state.db)
        .await?)
}

/// The view of a context computed by `graph::context` (which returns indices into `edges`).
fn context_view(
    context: graph_context::NodeContext,
    main_node: &node::Model,
    edges: &[edge::Model],
    nodes: &HashMap<i32, node::Model>,
) -> NodeContext {
    NodeContext {
        main_node: main_node.clone().into(),
        context_nodes: context
            .context_nodes
            .iter()
            .filter_map(|id| nodes.get(&(*id as i32)).map(|n| NodeView::from(n.clone())))
            .collect(),
        edges: context.edges.iter().map(|&i| EdgeView::from(edges[i].clone())).collect(),
    }
}

fn endpoints(edge: &edge::Model) -> (i64, i64) {
    (i64::from(edge.from_node_id), i64::from(edge.to_node_id))
}

#[OpenApi(tag = "crate::api::Tag::Results")]
impl ResultsApi {
    /// All results.
    #[oai(path = "/results", method = "get", operation_id = "listResults")]
    async fn list(&self, _caller: Viewer, state: Data<&SharedState>) -> ApiResult<Json<Vec<ResultView>>> {
        let all = result::Entity::find().order_by_asc(result::Column::Id).all(&state.db).await?;
        Ok(Json(all.into_iter().map(Into::into).collect()))
    }

    /// A result with its edges, separating sets and the nodes of its dataset.
    #[oai(path = "/result/:result_id", method = "get", operation_id = "getResult")]
    async fn get(
        &self,
        _caller: Viewer,
        state: Data<&SharedState>,
        result_id: Path<i32>,
    ) -> ApiResult<Json<ResultFullView>> {
        let model = find_result(&state, result_id.0).await?;
        let dataset = result_dataset(&state, model.id).await?;
        let edges = result_edges(&state, model.id).await?;
        let sepsets = sepset::Entity::find()
            .filter(sepset::Column::ResultId.eq(model.id))
            .order_by_asc(sepset::Column::Id)
            .all(&state.db)
            .await?;
        let nodes = dataset_nodes(&state, dataset).await?;
        Ok(Json(ResultFullView {
            result: model.into(),
            edges: edges.into_iter().map(Into::into).collect(),
            sepsets: sepsets.into_iter().map(Into::into).collect(),
            nodes: nodes.into_iter().map(Into::into).collect(),
        }))
    }

    /// Delete a result with its edges, separating sets and annotations (the job stays).
    #[oai(path = "/result/:result_id", method = "delete", operation_id = "deleteResult")]
    async fn delete(
        &self,
        caller: Editor,
        state: Data<&SharedState>,
        result_id: Path<i32>,
    ) -> ApiResult<Json<ResultView>> {
        let model = find_result(&state, result_id.0).await?;
        // A result belongs to whoever started the run that produced it.
        let run_by: Option<String> = sqlx::query_scalar("SELECT created_by FROM job WHERE id = $1")
            .bind(model.job_id)
            .fetch_optional(&state.pool)
            .await?
            .flatten();
        caller.may_delete(&format!("result {}", model.id), run_by.as_deref())?;
        let tx = state.db.begin().await?;
        result::Entity::delete_by_id(model.id).exec(&tx).await?;
        outbox::record(
            &tx,
            &[Event::new(
                Entity::Result,
                model.id,
                "deleted",
                json!({"id": model.id, "job_id": model.job_id}),
            )],
        )
        .await?;
        tx.commit().await?;
        Ok(Json(model.into()))
    }

    /// Nodes of the dataset the result was learned on.
    #[oai(path = "/result/:result_id/nodes", method = "get", operation_id = "listResultNodes")]
    async fn nodes(
        &self,
        _caller: Viewer,
        state: Data<&SharedState>,
        result_id: Path<i32>,
    ) -> ApiResult<Json<Vec<NodeView>>> {
        let dataset = result_dataset(&state, result_id.0).await?;
        Ok(Json(dataset_nodes(&state, dataset).await?.into_iter().map(Into::into).collect()))
    }

    /// Edges of a result (an unknown result has none).
    #[oai(path = "/result/:result_id/edges", method = "get", operation_id = "listResultEdges")]
    async fn edges(
        &self,
        _caller: Viewer,
        state: Data<&SharedState>,
        result_id: Path<i32>,
    ) -> ApiResult<Json<Vec<EdgeView>>> {
        Ok(Json(result_edges(&state, result_id.0).await?.into_iter().map(Into::into).collect()))
    }

    /// The `amount` heaviest edges of a result (all for 0), null weights first.
    #[oai(
        path = "/result/:result_id/edges/important/:amount",
        method = "get",
        operation_id = "listImportantEdges"
    )]
    async fn important_edges(
        &self,
        _caller: Viewer,
        state: Data<&SharedState>,
        result_id: Path<i32>,
        amount: Path<u32>,
    ) -> ApiResult<Json<Vec<EdgeView>>> {
        let mut query = edge::Entity::find()
            .filter(edge::Column::ResultId.eq(result_id.0))
            .order_by_with_nulls(edge::Column::Weight, Order::Desc, NullOrdering::First)
            .order_by_asc(edge::Column::Id);
        if amount.0 > 0 {
            query = query.limit(u64::from(amount.0));
        }
        Ok(Json(query.all(&state.db).await?.into_iter().map(Into::into).collect()))
    }

    /// Separating sets of a result (an unknown result has none).
    #[oai(path = "/result/:result_id/sepsets", method = "get", operation_id = "listResultSepsets")]
    async fn sepsets(
        &self,
        _caller: Viewer,
        state: Data<&SharedState>,
        result_id: Path<i32>,
    ) -> ApiResult<Json<Vec<SepsetView>>> {
        let all = sepset::Entity::find()
            .filter(sepset::Column::ResultId.eq(result_id.0))
            .order_by_asc(sepset::Column::Id)
            .all(&state.db)
            .await?;
        Ok(Json(all.into_iter().map(Into::into).collect()))
    }

    /// Every node of the result's dataset with its neighbourhood in the result.
    #[oai(path = "/result/:result_id/context", method = "get", operation_id = "getResultContext")]
    async fn context(
        &self,
        _caller: Viewer,
        state: Data<&SharedState>,
        result_id: Path<i32>,
    ) -> ApiResult<Json<ResultContext>> {
        let dataset = result_dataset(&state, result_id.0).await?;
        let nodes = dataset_nodes(&state, dataset).await?;
        let edges = result_edges(&state, result_id.0).await?;
        let by_id: HashMap<i32, node::Model> = nodes.iter().map(|n| (n.id, n.clone())).collect();
        let ids: Vec<i64> = nodes.iter().map(|n| i64::from(n.id)).collect();
        let node_contexts = graph_context::result_context(&ids, &edges, endpoints)
            .into_iter()
            .zip(&nodes)
            .map(|(context, node)| context_view(context, node, &edges, &by_id))
            .collect();
        Ok(Json(ResultContext { node_contexts }))
    }

    /// A node's neighbourhood in a result (an unknown result gives empty lists).
    #[oai(
        path = "/node/:node_id/result/:result_id/context",
        method = "get",
        tag = "crate::api::Tag::Nodes",
        operation_id = "getNodeContext"
    )]
    async fn node_context(
        &self,
        _caller: Viewer,
        state: Data<&SharedState>,
        node_id: Path<i32>,
        result_id: Path<i32>,
    ) -> ApiResult<Json<NodeContext>> {
        let node = node::Entity::find_by_id(node_id.0)
            .one(&state.db)
            .await?
            .ok_or_else(|| ApiError::not_found("node", node_id.0))?;
        let edges = edge::Entity::find()
            .filter(edge::Column::ResultId.eq(result_id.0))
            .filter(
                Condition::any()
                    .add(edge::Column::FromNodeId.eq(node.id))
                    .add(edge::Column::ToNodeId.eq(node.id)),
            )
            .order_by_asc(edge::Column::Id)
            .all(&state.db)
            .await?;
        let nodes: HashMap<i32, node::Model> =
            dataset_nodes(&state, node.dataset_id).await?.into_iter().map(|n| (n.id, n)).collect();
        let context = graph_context::node_context(i64::from(node.id), &edges, endpoints);
        Ok(Json(context_view(context, &node, &edges, &nodes)))
    }

    /// One edge (result or ground-truth edge).
    #[oai(path = "/edge/:edge_id", method = "get", operation_id = "getEdge")]
    async fn edge(
        &self,
        _caller: Viewer,
        state: Data<&SharedState>,
        edge_id: Path<i64>,
    ) -> ApiResult<Json<EdgeView>> {
        edge::Entity::find_by_id(edge_id.0)
            .one(&state.db)
            .await?
            .map(|e| Json(e.into()))
            .ok_or_else(|| ApiError::not_found("edge", edge_id.0))
    }

    /// One separating set.
    #[oai(path = "/sepset/:sepset_id", method = "get", operation_id = "getSepset")]
    async fn sepset(
        &self,
        _caller: Viewer,
        state: Data<&SharedState>,
        sepset_id: Path<i64>,
    ) -> ApiResult<Json<SepsetView>> {
        sepset::Entity::find_by_id(sepset_id.0)
            .one(&state.db)
            .await?
            .map(|s| Json(s.into()))
            .ok_or_else(|| ApiError::not_found("sepset", sepset_id.0))
    }

    /// Annotations of a result's edges (`id` is a result id).
    #[oai(
        path = "/edgeinformation/:id",
        method = "get",
        tag = "crate::api::Tag::Annotations",
        operation_id = "listEdgeAnnotations"
    )]
    async fn annotations(
        &self,
        _caller: Viewer,
        state: Data<&SharedState>,
        id: Path<i32>,
    ) -> ApiResult<Json<Vec<EdgeInformationView>>> {
        let all = edge_information::Entity::find()
            .filter(edge_information::Column::ResultId.eq(id.0))
            .order_by_asc(edge_information::Column::Id)
            .all(&state.db)
            .await?;
        Ok(Json(all.into_iter().map(Into::into).collect()))
    }

    /// Annotate a result edge (`id` is a result id; the body's `result_id` is stored). One
    /// annotation per (result, from, to): posting again updates it.
    #[oai(
        path = "/edgeinformation/:id",
        method = "post",
        tag = "crate::api::Tag::Annotations",
        operation_id = "annotateEdge"
    )]
    async fn annotate(
        &self,
        caller: Editor,
        state: Data<&SharedState>,
        id: Path<i32>,
        body: JsonBody<NewEdgeInformation>,
    ) -> ApiResult<Json<EdgeInformationView>> {
        let _ = id;
        let new = body.0;
        let dataset = result_dataset(&state, new.result_id).await?;
        let known: i64 =
            sqlx::query_scalar("SELECT count(*) FROM node WHERE dataset_id = $1 AND id = ANY($2)")
                .bind(dataset)
                .bind(vec![new.from_node_id, new.to_node_id])
                .fetch_one(&state.pool)
                .await?;
        let expected = if new.from_node_id == new.to_node_id { 1 } else { 2 };
        if known != expected {
            return Err(ApiError::bad_request(format!(
                "nodes {} and {} must both be nodes of the result's dataset {dataset}",
                new.from_node_id, new.to_node_id
            )));
        }
        let annotation: EdgeAnnotation = new.annotation.into();
        let id: i32 = sqlx::query_scalar(
            "INSERT INTO edge_information (result_id, from_node_id, to_node_id, annotation, created_by) \
             VALUES ($1, $2, $3, $4::edge_annotation, $5) \
             ON CONFLICT ON CONSTRAINT edge_information_one_per_edge \
             DO UPDATE SET annotation = EXCLUDED.annotation, created_by = EXCLUDED.created_by \
             RETURNING id",
        )
        .bind(new.result_id)
        .bind(new.from_node_id)
        .bind(new.to_node_id)
        .bind(match annotation {
            EdgeAnnotation::Approved => "approved",
            EdgeAnnotation::Declined => "declined",
            EdgeAnnotation::Missing => "missing",
        })
        .bind(&caller.subject)
        .fetch_one(&state.pool)
        .await?;
        let model = edge_information::Entity::find_by_id(id)
            .one(&state.db)
            .await?
            .ok_or_else(|| anyhow::anyhow!("the annotation disappeared"))?;
        Ok(Json(model.into()))
    }

    /// Delete an annotation (`id` is the annotation's id).
    #[oai(
        path = "/edgeinformation/:id",
        method = "delete",
        tag = "crate::api::Tag::Annotations",
        operation_id = "deleteEdgeAnnotation"
    )]
    async fn delete_annotation(
        &self,
        caller: Editor,
        state: Data<&SharedState>,
        id: Path<i32>,
    ) -> ApiResult<Json<EdgeInformationView>> {
        let model = edge_information::Entity::find_by_id(id.0)
            .one(&state.db)
            .await?
            .ok_or_else(|| ApiError::not_found("edge information", id.0))?;
        caller.may_delete(&format!("annotation {}", model.id), model.created_by.as_deref())?;
        edge_information::Entity::delete_by_id(model.id).exec(&state.db).await?;
        Ok(Json(model.into()))
    }
}
