//! Graphs as wholes (api.md §3.9–3.10, §6.7–6.9, §8.3): ground-truth upload and export, result
//! export, comparison with the ground truth or another result, and confounder sets. The graph
//! algorithms live in `crate::graph`; this module loads graphs from the database and answers.

use std::{borrow::Cow, collections::HashMap};

use poem::{IntoResponse, web::Data};
use poem_openapi::{
    ApiResponse, Multipart, Object, OpenApi,
    param::{Path, Query},
    payload::{Binary, Json},
    registry::{MetaHeader, MetaMediaType, MetaResponse, MetaResponses, MetaSchemaRef, Registry},
    types::{ToJSON, Type, multipart::Upload},
};
use serde_json::{Value, json};

use super::{
    datasets::find_dataset,
    error::{ApiError, ApiResult},
    results::{dataset_nodes, find_result, result_dataset},
    views::DatasetView,
};
use crate::{
    auth::{EditorOrJobToken, Viewer},
    events::{Entity, Event, outbox},
    graph::{
        Graph, GraphEdge, GraphNode, compare,
        confounders::confounder_sets,
        export::{EdgeLabels, ExportFormat, export},
        gml::parse_gml,
    },
    state::SharedState,
};

pub struct GraphsApi;

/// Undirected neighbours that are all adjacent give 2^|B| sets; answer with the first ones.
const MAX_CONFOUNDER_SETS: usize = 10_000;

/// A GML file (labels, or igraph `name`s, must be the dataset's column names).
#[derive(Debug, Multipart)]
pub struct GroundTruthUpload {
    pub graph_file: Upload,
}

// Only documents the answer: `ComparisonJson` writes `compare::Comparison` with serde directly.
/// A graph compared with a reference (api.md §6.8) plus SHD and skeleton/orientation scores.
#[derive(Debug, Object)]
#[oai(rename = "Comparison")]
pub struct ComparisonView {
    /// |FP| + |FN| (an undirected edge counts once per direction).
    pub graph_edit_distance: u64,
    pub mean_jaccard_coefficient: f64,
    pub error_types: ErrorTypesView,
    /// Share of adjacency-matrix cells that differ; -1 when it cannot be computed (different node
    /// sets), null when undefined (no nodes).
    #[oai(nullable)]
    pub hamming_distance: Option<f64>,
    /// The same against the reference completed to its CPDAG; -1 when the reference is not a DAG.
    #[oai(nullable)]
    pub hamming_distance_pcdag: Option<f64>,
    /// Structural Hamming distance between the two CPDAGs (each node pair counted once).
    pub shd_cpdag: u64,
    pub skeleton: SkeletonScoresView,
    pub oriented: OrientationScoresView,
}

#[derive(Debug, Object)]
#[oai(rename = "ErrorTypes")]
pub struct ErrorTypesView {
    pub false_positives: ErrorTypeView,
    pub true_negatives: ErrorTypeView,
    pub false_negatives: ErrorTypeView,
    pub true_positives: ErrorTypeView,
    pub precision: RateView,
}

#[derive(Debug, Object)]
#[oai(rename = "ErrorType")]
pub struct ErrorTypeView {
    pub rate: f64,
    /// `[from_node_id, to_node_id]` pairs.
    pub edges: Vec<Vec<i64>>,
}

#[derive(Debug, Object)]
#[oai(rename = "Rate")]
pub struct RateView {
    pub rate: f64,
}

#[derive(Debug, Object)]
#[oai(rename = "SkeletonScores")]
pub struct SkeletonScoresView {
    pub true_positives: u64,
    pub false_positives: u64,
    pub false_negatives: u64,
    #[oai(nullable)]
    pub precision: Option<f64>,
    #[oai(nullable)]
    pub recall: Option<f64>,
    #[oai(nullable)]
    pub f1: Option<f64>,
    #[oai(nullable)]
    pub fpr: Option<f64>,
}

#[derive(Debug, Object)]
#[oai(rename = "OrientationScores")]
pub struct OrientationScoresView {
    pub true_positives: u64,
    pub false_positives: u64,
    pub false_negatives: u64,
    #[oai(nullable)]
    pub precision: Option<f64>,
    #[oai(nullable)]
    pub recall: Option<f64>,
    #[oai(nullable)]
    pub f1: Option<f64>,
}

/// A comparison as the answer: the graph module serialises it with MPCSL's field names, once,
/// and the document shows [`ComparisonView`]'s schema for it.
pub struct ComparisonJson(compare::Comparison);

impl Type for ComparisonJson {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        ComparisonView::name()
    }

    fn schema_ref() -> MetaSchemaRef {
        ComparisonView::schema_ref()
    }

    fn register(registry: &mut Registry) {
        ComparisonView::register(registry);
    }

    fn as_raw_value(&self) -> Option<&Self> {
        Some(self)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self> + 'a> {
        Box::new(self.as_raw_value().into_iter())
    }
}

impl ToJSON for ComparisonJson {
    fn to_json(&self) -> Option<Value> {
        serde_json::to_value(&self.0).ok()
    }
}

/// Compares on a blocking thread (a 100k-edge comparison is CPU work).
async fn comparison(reference: Graph, candidate: Graph) -> ApiResult<ComparisonJson> {
    let comparison = tokio::task::spawn_blocking(move || compare::compare(&reference, &candidate))
        .await
        .map_err(anyhow::Error::from)?;
    Ok(ComparisonJson(comparison))
}

#[derive(Debug, Object)]
pub struct Confounders {
    /// Candidate adjustment sets (node ids) for an intervention on the node.
    pub confounders: Vec<Vec<i64>>,
}

/// A graph file whose content type depends on the format: one 200 response with four media
/// types in the OpenAPI document (a derived `ApiResponse` would repeat the status key).
pub struct GraphFile {
    format: ExportFormat,
    body: Vec<u8>,
    disposition: String,
}

impl IntoResponse for GraphFile {
    fn into_response(self) -> poem::Response {
        poem::Response::builder()
            .content_type(self.format.content_type())
            .header("Content-Disposition", self.disposition)
            .body(self.body)
    }
}

impl ApiResponse for GraphFile {
    fn meta() -> MetaResponses {
        let file = || <Binary<Vec<u8>> as poem_openapi::payload::Payload>::schema_ref();
        MetaResponses {
            responses: vec![MetaResponse {
                description: "The graph as GEXF, GraphML, GML or node-link JSON",
                status: Some(200),
                status_range: None,
                content: ExportFormat::ALL
                    .iter()
                    .map(|f| f.content_type())
                    .collect::<std::collections::BTreeSet<_>>()
                    .into_iter()
                    .map(|content_type| MetaMediaType { content_type, schema: file() })
                    .collect(),
                headers: vec![MetaHeader {
                    name: "Content-Disposition".into(),
                    description: Some("attachment;filename=Graph_<id>.<format>".into()),
                    required: true,
                    deprecated: false,
                    schema: String::schema_ref(),
                }],
            }],
        }
    }

    fn register(_registry: &mut Registry) {}
}

fn graph_file(graph: &Graph, format: ExportFormat, labels: EdgeLabels, file_id: String) -> GraphFile {
    GraphFile {
        format,
        body: export(graph, format, labels).into_bytes(),
        disposition: format.content_disposition(file_id),
    }
}

fn parse_format(format: Option<&str>) -> ApiResult<ExportFormat> {
    ExportFormat::from_query(format).map_err(|err| ApiError::bad_request(err.to_string()))
}

async fn graph_nodes(state: &SharedState, dataset_id: i32) -> ApiResult<Vec<GraphNode>> {
    Ok(dataset_nodes(state, dataset_id)
        .await?
        .into_iter()
        .map(|n| GraphNode { id: i64::from(n.id), label: n.name.unwrap_or_default() })
        .collect())
}

/// A result's graph: the dataset's nodes, the result's edges labelled with their annotations.
pub async fn result_graph(state: &SharedState, result_id: i32) -> ApiResult<Graph> {
    find_result(state, result_id).await?;
    let dataset = result_dataset(state, result_id).await?;
    let nodes = graph_nodes(state, dataset).await?;
    let annotations: HashMap<(i32, i32), String> = sqlx::query_as::<_, (i32, i32, String)>(
        "SELECT from_node_id, to_node_id, annotation::text FROM edge_information WHERE result_id = $1",
    )
    .bind(result_id)
    .fetch_all(&state.pool)
    .await?
    .into_iter()
    .map(|(from, to, annotation)| ((from, to), annotation))
    .collect();
    let edges: Vec<(i64, i32, i32, Option<f64>)> = sqlx::query_as(
        "SELECT id, from_node_id, to_node_id, weight FROM edge WHERE result_id = $1 ORDER BY id",
    )
    .bind(result_id)
    .fetch_all(&state.pool)
    .await?;
    let edges = edges
        .into_iter()
        .map(|(id, from, to, weight)| GraphEdge {
            id,
            from: i64::from(from),
            to: i64::from(to),
            weight,
            label: annotations.get(&(from, to)).cloned().unwrap_or_default(),
        })
        .collect();
    Ok(Graph::for_result(i64::from(result_id), nodes, edges))
}

/// The graphs of many results of one dataset (with its `nodes`), in one query for all their
/// edges; annotations are left out (comparisons ignore labels). Result id → graph.
pub async fn result_graphs(
    state: &SharedState,
    nodes: &[GraphNode],
    result_ids: &[i32],
) -> ApiResult<HashMap<i32, Graph>> {
    if result_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let edges: Vec<(i32, i64, i32, i32, Option<f64>)> = sqlx::query_as(
        "SELECT result_id, id, from_node_id, to_node_id, weight FROM edge WHERE result_id = ANY($1) ORDER BY id",
    )
    .bind(result_ids)
    .fetch_all(&state.pool)
    .await?;
    let mut graphs: HashMap<i32, Graph> =
        result_ids.iter().map(|&id| (id, Graph::for_result(i64::from(id), nodes.to_vec(), vec![]))).collect();
    for (result_id, id, from, to, weight) in edges {
        if let Some(graph) = graphs.get_mut(&result_id) {
            graph.edges.push(GraphEdge {
                id,
                from: i64::from(from),
                to: i64::from(to),
                weight,
                label: String::new(),
            });
        }
    }
    Ok(graphs)
}

/// A dataset's ground truth: all its nodes and the ground-truth edges between them.
pub async fn ground_truth_graph(state: &SharedState, dataset_id: i32) -> ApiResult<Graph> {
    let nodes = graph_nodes(state, dataset_id).await?;
    let edges: Vec<(i64, i32, i32, Option<f64>)> = sqlx::query_as(
        "SELECT e.id, e.from_node_id, e.to_node_id, e.weight FROM edge e JOIN node n ON n.id = e.from_node_id \
         WHERE e.result_id IS NULL AND e.is_ground_truth AND n.dataset_id = $1 ORDER BY e.id",
    )
    .bind(dataset_id)
    .fetch_all(&state.pool)
    .await?;
    let edges = edges
        .into_iter()
        .map(|(id, from, to, weight)| GraphEdge {
            id,
            from: i64::from(from),
            to: i64::from(to),
            weight,
            label: String::new(),
        })
        .collect();
    Ok(Graph::for_ground_truth(i64::from(dataset_id), nodes, edges))
}

#[OpenApi(tag = "crate::api::Tag::Results")]
impl GraphsApi {
    /// Upload a dataset's ground truth as GML (field `graph_file`); it replaces the previous one.
    #[oai(
        path = "/dataset/:dataset_id/ground-truth",
        method = "post",
        tag = "crate::api::Tag::Datasets",
        operation_id = "uploadGroundTruth"
    )]
    async fn upload_ground_truth(
        &self,
        _caller: EditorOrJobToken,
        state: Data<&SharedState>,
        request: &poem::Request,
        dataset_id: Path<i32>,
        form: GroundTruthUpload,
    ) -> ApiResult<Json<DatasetView>> {
        crate::collector::token::authorize_ground_truth(&state, request, dataset_id.0).await?;
        let file_name = form.graph_file.file_name().unwrap_or("graph_file").to_owned();
        let text = form.graph_file.into_string().await.map_err(|_| {
            ApiError::bad_request(format!("Could not parse file: \"{file_name}\": it is not UTF-8 text"))
        })?;
        let parsed = parse_gml(&text)
            .map_err(|err| ApiError::bad_request(format!("Could not parse file: \"{file_name}\": {err}")))?;
        let dataset = find_dataset(&state, dataset_id.0).await?;
        let nodes: HashMap<String, i32> = dataset_nodes(&state, dataset.id)
            .await?
            .into_iter()
            .filter_map(|n| Some((n.name?, n.id)))
            .collect();
        let mut pairs: Vec<(i32, i32)> = Vec::with_capacity(parsed.edges.len());
        for (from, to) in &parsed.edges {
            let lookup = |label: &String| {
                nodes.get(label).copied().ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "No node with Label: \"{label}\" in {}",
                        dataset.name.as_deref().unwrap_or_default()
                    ))
                })
            };
            pairs.push((lookup(from)?, lookup(to)?));
        }
        let mut tx = state.pool.begin().await?;
        sqlx::query(
            "DELETE FROM edge WHERE result_id IS NULL AND from_node_id IN (SELECT id FROM node WHERE dataset_id = $1)",
        )
        .bind(dataset.id)
        .execute(&mut *tx)
        .await?;
        let (froms, tos): (Vec<i32>, Vec<i32>) = pairs.into_iter().unzip();
        sqlx::query(
            "INSERT INTO edge (from_node_id, to_node_id, is_ground_truth) SELECT f, t, true FROM unnest($1::int[], $2::int[]) AS g(f, t)",
        )
        .bind(&froms)
        .bind(&tos)
        .execute(&mut *tx)
        .await?;
        outbox::record_sqlx(
            &mut tx,
            &[Event::new(
                Entity::Dataset,
                dataset.id,
                "updated",
                json!({"id": dataset.id, "ground_truth_edges": froms.len()}),
            )],
        )
        .await?;
        tx.commit().await?;
        tracing::info!(dataset_id = dataset.id, edges = froms.len(), "ground truth replaced");
        Ok(Json(dataset.into()))
    }

    /// A dataset's ground truth as GEXF (default), GraphML, GML or node-link JSON.
    #[oai(
        path = "/dataset/:dataset_id/ground-truth",
        method = "get",
        tag = "crate::api::Tag::Datasets",
        operation_id = "getGroundTruth"
    )]
    async fn export_ground_truth(
        &self,
        _caller: Viewer,
        state: Data<&SharedState>,
        dataset_id: Path<i32>,
        format: Query<Option<String>>,
    ) -> ApiResult<GraphFile> {
        let format = parse_format(format.0.as_deref())?;
        let dataset = find_dataset(&state, dataset_id.0).await?;
        let graph = ground_truth_graph(&state, dataset.id).await?;
        Ok(graph_file(&graph, format, EdgeLabels::Omit, dataset.id.to_string()))
    }

    /// A result's graph as GEXF (default), GraphML, GML or node-link JSON; edges carry their
    /// annotation as `label`.
    #[oai(path = "/result/:result_id/export", method = "get", operation_id = "exportResult")]
    async fn export_result(
        &self,
        _caller: Viewer,
        state: Data<&SharedState>,
        result_id: Path<i32>,
        format: Query<Option<String>>,
    ) -> ApiResult<GraphFile> {
        let format = parse_format(format.0.as_deref())?;
        let graph = result_graph(&state, result_id.0).await?;
        Ok(graph_file(&graph, format, EdgeLabels::Include, result_id.0.to_string()))
    }

    /// The result compared with its dataset's ground truth (`null` when there is none).
    #[oai(
        path = "/result/:result_id/gtcompare",
        method = "get",
        operation_id = "compareResultWithGroundTruth"
    )]
    async fn compare_with_ground_truth(
        &self,
        _caller: Viewer,
        state: Data<&SharedState>,
        result_id: Path<i32>,
    ) -> ApiResult<Json<Option<ComparisonJson>>> {
        let candidate = result_graph(&state, result_id.0).await?;
        let dataset = result_dataset(&state, result_id.0).await?;
        let truth = ground_truth_graph(&state, dataset).await?;
        if truth.edges.is_empty() {
            return Ok(Json(None));
        }
        Ok(Json(Some(comparison(truth, candidate).await?)))
    }

    /// Two results compared: `result_id` is the reference, `other_result_id` the candidate.
    #[oai(
        path = "/result/:result_id/compare/:other_result_id",
        method = "get",
        operation_id = "compareResults"
    )]
    async fn compare_results(
        &self,
        _caller: Viewer,
        state: Data<&SharedState>,
        result_id: Path<i32>,
        other_result_id: Path<i32>,
    ) -> ApiResult<Json<ComparisonJson>> {
        let reference = result_graph(&state, result_id.0).await?;
        let candidate = result_graph(&state, other_result_id.0).await?;
        Ok(Json(comparison(reference, candidate).await?))
    }

    /// Candidate adjustment sets for an intervention on a node (pcalg's new-collider check).
    #[oai(
        path = "/node/:node_id/result/:result_id/confounders",
        method = "get",
        tag = "crate::api::Tag::Nodes",
        operation_id = "getConfounders"
    )]
    async fn confounders(
        &self,
        _caller: Viewer,
        state: Data<&SharedState>,
        node_id: Path<i32>,
        result_id: Path<i32>,
    ) -> ApiResult<Json<Confounders>> {
        super::nodes::find_node(&state, node_id.0).await?;
        let graph = result_graph(&state, result_id.0).await?;
        let arcs = graph.edges.iter().map(|e| (e.from, e.to));
        Ok(Json(Confounders {
            confounders: confounder_sets(arcs, i64::from(node_id.0), Some(MAX_CONFOUNDER_SETS)),
        }))
    }
}
