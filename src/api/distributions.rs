//! Distributions of a dataset column (api.md §9.1–9.2): marginal and conditional, with the
//! "auto20" histogram for continuous columns and counts for categorical ones (≤ 10 values).
//! NULLs are left out (MPCSL answered 500 when they were mixed with numbers).

use poem::web::Data;
use poem_openapi::{
    Object, OpenApi,
    param::Path,
    payload::Json,
    registry::{MetaSchema, MetaSchemaRef},
};
use serde_json::{Map, Value, json};

use super::{
    body::{FromJsonBody, JsonBody},
    datasets::find_dataset,
    error::{ApiError, ApiResult, FieldErrors},
    nodes::find_node,
    results::dataset_nodes,
    views::{DatasetView, NodeView},
};
use crate::{
    auth::Viewer,
    graph::{
        adjustment::{Remainder, adjusted_probabilities, continuous_intervention, expected_counts},
        categorical::{
            Condition, DISCRETE_LIMIT, Scalar, categorical_bins, distinct_count, is_categorical,
            most_frequent,
        },
        histogram::{auto20, counts_over_edges, most_populated_bin},
    },
    state::SharedState,
};
use entity::node;

pub struct DistributionsApi;

/// A column's distribution (api.md §1.12).
#[derive(Debug, Object)]
pub struct Distribution {
    pub node: NodeView,
    pub dataset: DatasetView,
    pub categorical: bool,
    /// `{value: count}` when categorical, else one count per histogram bin.
    pub bins: Value,
    /// Histogram edges (one more than bins); continuous columns only.
    #[oai(skip_serializing_if_is_none)]
    #[oai(nullable)]
    pub bin_edges: Option<Vec<f64>>,
    /// The conditions as applied, automatic ones filled in (conditional endpoint only).
    #[oai(skip_serializing_if_is_none)]
    #[oai(nullable)]
    pub conditions: Option<Value>,
}

/// `{"conditions": {"<node id>": {...}}}` (api.md §9.2).
#[derive(Debug, Object)]
pub struct ConditionalRequest {
    /// Node id → `{"categorical": true, "values": [...]}`, `{"categorical": false, "from_value":
    /// a, "to_value": b}` or `{"auto": true}`.
    pub conditions: ConditionsJson,
}

/// A condition in the document: one of the three shapes [`check_condition`] accepts.
fn condition_schema() -> MetaSchemaRef {
    fn constant(value: bool) -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema {
            enum_items: vec![json!(value)],
            ..MetaSchema::new("boolean")
        }))
    }
    fn shape(required: Vec<&'static str>, properties: Vec<(&'static str, MetaSchemaRef)>) -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema { required, properties, ..MetaSchema::new("object") }))
    }
    let not_auto = || MetaSchemaRef::Inline(Box::new(MetaSchema::new("boolean")));
    let number = || MetaSchemaRef::Inline(Box::new(MetaSchema::new("number")));
    MetaSchemaRef::Inline(Box::new(MetaSchema {
        any_of: vec![
            shape(vec!["auto"], vec![("auto", constant(true))]),
            shape(
                vec!["categorical", "values"],
                vec![
                    ("auto", not_auto()),
                    ("categorical", constant(true)),
                    (
                        "values",
                        MetaSchemaRef::Inline(Box::new(MetaSchema {
                            items: Some(Box::new(MetaSchemaRef::Inline(Box::new(MetaSchema::ANY)))),
                            ..MetaSchema::new("array")
                        })),
                    ),
                ],
            ),
            shape(
                vec!["categorical", "from_value", "to_value"],
                vec![
                    ("auto", not_auto()),
                    ("categorical", constant(false)),
                    ("from_value", number()),
                    ("to_value", number()),
                ],
            ),
        ],
        ..MetaSchema::ANY
    }))
}

crate::json_with_schema!(
    /// One condition: `{"auto": true}`, `{"categorical": true, "values": [...]}` or
    /// `{"categorical": false, "from_value": a, "to_value": b}`.
    ConditionJson,
    condition_schema()
);
crate::json_with_schema!(
    /// Node id → condition.
    ConditionsJson,
    MetaSchemaRef::Inline(Box::new(MetaSchema {
        additional_properties: Some(Box::new(condition_schema())),
        ..MetaSchema::new("object")
    }))
);

impl FromJsonBody for ConditionalRequest {
    fn from_json(object: &Map<String, Value>) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        let Some(Value::Object(conditions)) = object.get("conditions") else {
            errors.add("conditions", "Missing data for required field.");
            return Err(errors);
        };
        for (key, condition) in conditions {
            if let Err(message) = check_condition(condition) {
                errors.add("conditions", format!("{message} for key {key}"));
            }
        }
        if errors.is_empty() {
            Ok(ConditionalRequest { conditions: ConditionsJson(Value::Object(conditions.clone())) })
        } else {
            Err(errors)
        }
    }
}

fn check_condition(condition: &Value) -> Result<(), &'static str> {
    let Value::Object(c) = condition else { return Err("Condition must be an object") };
    match c.get("auto") {
        Some(Value::Bool(true)) => return Ok(()),
        Some(Value::Bool(false)) | None => {}
        Some(_) => return Err("Field `auto` must be bool"),
    }
    match c.get("categorical") {
        Some(Value::Bool(true)) => match c.get("values") {
            Some(Value::Array(_)) => Ok(()),
            _ => Err("Field `values` must be list"),
        },
        Some(Value::Bool(false)) => match (c.get("from_value"), c.get("to_value")) {
            (Some(Value::Number(_)), Some(Value::Number(_))) => Ok(()),
            _ => Err("Fields `from_value` and `to_value` must be numbers"),
        },
        _ => Err("Field `categorical` must be bool"),
    }
}

/// A text value of a column of database type `type_name` as the value MPCSL would have seen.
fn scalar(text: Option<&String>, type_name: &str) -> Scalar {
    let Some(text) = text else { return Scalar::Null };
    match type_name {
        "BOOL" | "BOOLEAN" => Scalar::Bool(text == "true" || text == "t" || text == "1"),
        t if t.starts_with("INT")
            || t == "BIGINT"
            || t == "SMALLINT"
            || t == "TINYINT"
            || t == "MEDIUMINT" =>
        {
            text.parse().map(Scalar::Int).unwrap_or_else(|_| Scalar::Text(text.clone()))
        }
        "FLOAT4" | "FLOAT8" | "NUMERIC" | "DOUBLE" | "FLOAT" | "DECIMAL" | "REAL" => {
            text.parse().map(Scalar::Float).unwrap_or_else(|_| Scalar::Text(text.clone()))
        }
        _ => Scalar::Text(text.clone()),
    }
}

/// A condition on a column, with categorical values matched as SQL would match them: a JSON
/// `"1"` selects the integer 1 (MPCSL built `IN ('1')`, which Postgres casts), and vice versa.
fn matches_loosely(condition: &Condition, value: &Scalar, inclusive: bool) -> bool {
    match condition {
        Condition::Values(values) => values
            .iter()
            .any(|v| v.python_eq(value) || (*value != Scalar::Null && v.python_str() == value.python_str())),
        Condition::Range { .. } if inclusive => condition.matches_inclusive(value),
        Condition::Range { .. } => condition.matches(value),
    }
}

fn json_scalar(value: &Value) -> Scalar {
    match value {
        Value::Bool(b) => Scalar::Bool(*b),
        Value::Number(n) => {
            n.as_i64().map(Scalar::Int).unwrap_or_else(|| Scalar::Float(n.as_f64().unwrap_or(f64::NAN)))
        }
        Value::String(s) => Scalar::Text(s.clone()),
        _ => Scalar::Null,
    }
}

fn scalar_json(value: &Scalar) -> Value {
    match value {
        Scalar::Null => Value::Null,
        Scalar::Bool(b) => json!(b),
        Scalar::Int(i) => json!(i),
        Scalar::Float(x) => json!(x),
        Scalar::Text(t) => json!(t),
    }
}

/// Columns (one per node) of a dataset, read together so rows stay aligned.
async fn load_columns(state: &SharedState, dataset_id: i32, nodes: &[i32]) -> ApiResult<Vec<Vec<Scalar>>> {
    let dataset = find_dataset(state, dataset_id).await?;
    let all: Vec<node::Model> = dataset_nodes(state, dataset_id).await?;
    let mut indexes = Vec::with_capacity(nodes.len());
    for id in nodes {
        let index = all.iter().position(|n| n.id == *id).ok_or_else(|| ApiError::not_found("node", id))?;
        indexes.push(index);
    }
    let source = state.sources.get(&dataset.data_source)?;
    let values = source.column_values(dataset.load_query.as_deref().unwrap_or_default(), &indexes).await?;
    let mut columns: Vec<Vec<Scalar>> = vec![Vec::with_capacity(values.rows.len()); nodes.len()];
    for row in &values.rows {
        for (i, column) in columns.iter_mut().enumerate() {
            column.push(scalar(row[i].as_ref(), &values.types[i]));
        }
    }
    Ok(columns)
}

fn numbers(node: &node::Model, values: &[&Scalar]) -> ApiResult<Vec<f64>> {
    values.iter().map(|v| v.as_f64()).collect::<Option<Vec<f64>>>().ok_or_else(|| {
        ApiError::bad_request(format!(
            "node {} has more than 10 distinct values that are not all numbers",
            node.id
        ))
    })
}

fn counts_json(bins: Vec<(String, u64)>) -> Value {
    Value::Object(bins.into_iter().map(|(k, v)| (k, json!(v))).collect())
}

type Marginal = (bool, Value, Option<Vec<f64>>);

/// The marginal of a numeric column read in binary (Postgres sources): a million values arrive
/// as 8 MB of floats instead of text. `None` when the column or source does not allow it (the
/// caller then reads text values).
async fn marginal_in_database(state: &SharedState, node: &node::Model) -> ApiResult<Option<Marginal>> {
    let dataset = find_dataset(state, node.dataset_id).await?;
    let query = dataset.load_query.as_deref().unwrap_or_default();
    let nodes = dataset_nodes(state, node.dataset_id).await?;
    let index =
        nodes.iter().position(|n| n.id == node.id).ok_or_else(|| ApiError::not_found("node", node.id))?;
    let source = state.sources.get(&dataset.data_source)?;
    let Some((values, integer)) = source.numeric_values(query, index).await? else { return Ok(None) };
    let mut distinct = std::collections::HashSet::new();
    for value in &values {
        if distinct.insert(value.to_bits()) && distinct.len() > DISCRETE_LIMIT {
            break;
        }
    }
    if distinct.len() <= DISCRETE_LIMIT {
        let scalars: Vec<Scalar> =
            values.iter().map(|&v| if integer { Scalar::Int(v as i64) } else { Scalar::Float(v) }).collect();
        return Ok(Some((true, counts_json(categorical_bins(&scalars)), None)));
    }
    let histogram = auto20(&values).map_err(|e| ApiError::bad_request(e.to_string()))?;
    Ok(Some((false, json!(histogram.counts), Some(histogram.edges))))
}

async fn distribution_base(state: &SharedState, node_id: i32) -> ApiResult<(node::Model, DatasetView)> {
    let node = find_node(state, node_id).await?;
    let dataset = find_dataset(state, node.dataset_id).await?;
    Ok((node, dataset.into()))
}

#[OpenApi(tag = "crate::api::Tag::Nodes")]
impl DistributionsApi {
    /// The marginal distribution of a node's column.
    #[oai(path = "/node/:node_id/marginal", method = "get", operation_id = "getMarginalDistribution")]
    async fn marginal(
        &self,
        _caller: Viewer,
        state: Data<&SharedState>,
        node_id: Path<i32>,
    ) -> ApiResult<Json<Distribution>> {
        let (node, dataset) = distribution_base(&state, node_id.0).await?;
        let (categorical, bins, bin_edges) = match marginal_in_database(&state, &node).await? {
            Some(computed) => computed,
            None => {
                let column = load_columns(&state, node.dataset_id, &[node.id]).await?.remove(0);
                let present: Vec<Scalar> = column.into_iter().filter(|v| *v != Scalar::Null).collect();
                if is_categorical(distinct_count(&present)) {
                    (true, counts_json(categorical_bins(&present)), None)
                } else {
                    let refs: Vec<&Scalar> = present.iter().collect();
                    let histogram =
                        auto20(&numbers(&node, &refs)?).map_err(|e| ApiError::bad_request(e.to_string()))?;
                    (false, json!(histogram.counts), Some(histogram.edges))
                }
            }
        };
        Ok(Json(Distribution { node: node.into(), dataset, categorical, bins, bin_edges, conditions: None }))
    }

    /// The distribution of a node's column among the rows that meet the conditions.
    #[oai(path = "/node/:node_id/conditional", method = "post", operation_id = "getConditionalDistribution")]
    async fn conditional(
        &self,
        _caller: Viewer,
        state: Data<&SharedState>,
        node_id: Path<i32>,
        body: JsonBody<ConditionalRequest>,
    ) -> ApiResult<Json<Distribution>> {
        let (node, dataset) = distribution_base(&state, node_id.0).await?;
        let Value::Object(mut conditions) = body.0.conditions.0 else { unreachable!("checked when parsed") };
        let mut ids = vec![node.id];
        for key in conditions.keys() {
            let id: i32 = key.parse().map_err(|_| ApiError::not_found("node", key))?;
            let condition_node = find_node(&state, id).await?;
            if condition_node.dataset_id != node.dataset_id {
                return Err(ApiError::bad_request("Nodes are not all from same dataset"));
            }
            ids.push(id);
        }
        let columns = load_columns(&state, node.dataset_id, &ids).await?;
        let target = &columns[0];
        let present: Vec<Scalar> = target.iter().filter(|v| **v != Scalar::Null).cloned().collect();
        let categorical = is_categorical(distinct_count(&present));
        let edges = if categorical {
            None
        } else {
            let refs: Vec<&Scalar> = present.iter().collect();
            Some(auto20(&numbers(&node, &refs)?).map_err(|e| ApiError::bad_request(e.to_string()))?.edges)
        };

        // Resolve the conditions (filling in automatic ones) in request order.
        let mut applied: Vec<(usize, Condition)> = vec![];
        for (position, (_, condition)) in conditions.iter_mut().enumerate() {
            let column = &columns[position + 1];
            let object = condition.as_object_mut().expect("checked when parsed");
            if object.get("auto") == Some(&Value::Bool(true)) {
                let values: Vec<Scalar> = column.iter().filter(|v| **v != Scalar::Null).cloned().collect();
                if is_categorical(distinct_count(&values)) {
                    let most = most_frequent(&values).cloned().unwrap_or(Scalar::Null);
                    object.insert("categorical".into(), json!(true));
                    object.insert("values".into(), json!([scalar_json(&most)]));
                } else {
                    let refs: Vec<&Scalar> = values.iter().collect();
                    let histogram =
                        auto20(&numbers(&node, &refs)?).map_err(|e| ApiError::bad_request(e.to_string()))?;
                    let (from, to) = most_populated_bin(&histogram).unwrap_or((0.0, 0.0));
                    object.insert("categorical".into(), json!(false));
                    object.insert("from_value".into(), json!(from));
                    object.insert("to_value".into(), json!(to));
                }
            }
            let resolved = if object.get("categorical") == Some(&Value::Bool(true)) {
                let values = object.get("values").and_then(Value::as_array).cloned().unwrap_or_default();
                Condition::Values(values.iter().map(json_scalar).collect())
            } else {
                let bound = |key: &str| object.get(key).and_then(Value::as_f64).unwrap_or(f64::NAN);
                Condition::Range { from: bound("from_value"), to: bound("to_value") }
            };
            applied.push((position + 1, resolved));
        }
        let rows: Vec<usize> = (0..target.len())
            .filter(|&row| {
                applied
                    .iter()
                    .all(|(column, condition)| matches_loosely(condition, &columns[*column][row], true))
            })
            .collect();
        let selected: Vec<Scalar> =
            rows.iter().map(|&row| target[row].clone()).filter(|v| *v != Scalar::Null).collect();
        let bins = match &edges {
            None => counts_json(categorical_bins(&selected)),
            Some(edges) => {
                let refs: Vec<&Scalar> = selected.iter().collect();
                json!(counts_over_edges(&numbers(&node, &refs)?, edges))
            }
        };
        Ok(Json(Distribution {
            node: node.into(),
            dataset,
            categorical,
            bins,
            bin_edges: edges,
            conditions: Some(Value::Object(conditions)),
        }))
    }
}

/// `POST /api/intervention` body (api.md §9.3).
#[derive(Debug, Object)]
pub struct InterventionRequest {
    pub cause_node_id: i32,
    pub effect_node_id: i32,
    pub factor_node_ids: Vec<i32>,
    /// `{"categorical": true, "values": [...]}` or `{"categorical": false, "from_value": a,
    /// "to_value": b}` (the cause is in `[a, b)`).
    pub cause_condition: ConditionJson,
}

impl FromJsonBody for InterventionRequest {
    fn from_json(object: &Map<String, Value>) -> Result<Self, FieldErrors> {
        let mut fields = super::body::Fields::new(object);
        let id = |fields: &mut super::body::Fields, key: &str| {
            let value = fields.required_int(key)?;
            i32::try_from(value).ok().or_else(|| fields.fail(key, "Not a valid integer."))
        };
        let cause = id(&mut fields, "cause_node_id");
        let effect = id(&mut fields, "effect_node_id");
        let factors: Option<Vec<i32>> = match fields.raw("factor_node_ids") {
            None | Some(Value::Null) => Some(vec![]),
            Some(Value::Array(items)) => items
                .iter()
                .map(|i| i.as_i64().and_then(|v| i32::try_from(v).ok()))
                .collect::<Option<Vec<i32>>>(),
            Some(_) => None,
        };
        if factors.is_none() {
            fields.fail::<()>("factor_node_ids", "Not a valid list of integers.");
        }
        let condition = fields.required_object("cause_condition").cloned();
        if let Some(condition) = &condition
            && let Err(message) = check_condition(&Value::Object(condition.clone()))
        {
            fields.fail::<()>("cause_condition", message);
        }
        match (cause, effect, factors, condition) {
            (Some(cause_node_id), Some(effect_node_id), Some(factor_node_ids), Some(condition))
                if fields.errors.is_empty() =>
            {
                Ok(InterventionRequest {
                    cause_node_id,
                    effect_node_id,
                    factor_node_ids,
                    cause_condition: ConditionJson(Value::Object(condition)),
                })
            }
            _ => Err(fields.errors),
        }
    }
}

fn condition_of(value: &Value) -> Condition {
    if value.get("categorical") == Some(&Value::Bool(true)) {
        let values = value.get("values").and_then(Value::as_array).cloned().unwrap_or_default();
        Condition::Values(values.iter().map(json_scalar).collect())
    } else {
        let bound = |key: &str| value.get(key).and_then(Value::as_f64).unwrap_or(f64::NAN);
        Condition::Range { from: bound("from_value"), to: bound("to_value") }
    }
}

#[OpenApi(tag = "crate::api::Tag::Nodes")]
impl InterventionApi {
    /// The effect's distribution under an intervention on the cause, adjusting for the factors
    /// (P(e | do(c ∈ C)) = Σ_f P(e | c ∈ C, f) P(f)). Categories are in ascending order and each
    /// is computed by the formula (the deterministic form of MPCSL's computation).
    #[oai(path = "/intervention", method = "post", operation_id = "getInterventionalDistribution")]
    async fn intervention(
        &self,
        _caller: Viewer,
        state: Data<&SharedState>,
        body: JsonBody<InterventionRequest>,
    ) -> ApiResult<Json<Distribution>> {
        let request = body.0;
        let cause = find_node(&state, request.cause_node_id).await?;
        let effect = find_node(&state, request.effect_node_id).await?;
        for factor in &request.factor_node_ids {
            find_node(&state, *factor).await?;
        }
        if request.factor_node_ids.contains(&effect.id) {
            return Err(ApiError::bad_request("The effect cannot be a predecessor of the cause"));
        }
        let mut ids = vec![effect.id, cause.id];
        ids.extend(&request.factor_node_ids);
        for id in &ids[1..] {
            if find_node(&state, *id).await?.dataset_id != effect.dataset_id {
                return Err(ApiError::bad_request("Nodes are not all from same dataset"));
            }
        }
        let dataset: DatasetView = find_dataset(&state, effect.dataset_id).await?.into();
        let columns = load_columns(&state, effect.dataset_id, &ids).await?;
        let condition = condition_of(&request.cause_condition.0);
        let rows = columns[0].len();
        let all_categorical = columns.iter().all(|c| is_categorical(distinct_count(c)));
        if all_categorical {
            let mut categories: Vec<Scalar> = Vec::new();
            for value in &columns[0] {
                if !categories.iter().any(|c| c.python_eq(value)) {
                    categories.push(value.clone());
                }
            }
            categories.sort_by(|a, b| a.python_cmp(b));
            let samples = (0..rows).map(|r| {
                let class = categories.iter().position(|c| c.python_eq(&columns[0][r])).unwrap_or(usize::MAX);
                let group: Vec<String> = columns[2..].iter().map(|f| f[r].python_str()).collect();
                (class, group, matches_loosely(&condition, &columns[1][r], false))
            });
            let p = adjusted_probabilities(categories.len(), samples, Remainder::Formula);
            let counts = expected_counts(&p, rows);
            let bins = Value::Object(
                categories.iter().zip(counts).map(|(c, n)| (c.python_str(), json!(n))).collect(),
            );
            return Ok(Json(Distribution {
                node: effect.into(),
                dataset,
                categorical: true,
                bins,
                bin_edges: None,
                conditions: None,
            }));
        }
        let effect_values: Vec<f64> = columns[0].iter().map(|v| v.as_f64().unwrap_or(f64::NAN)).collect();
        let factors: Vec<Vec<f64>> =
            columns[2..].iter().map(|f| f.iter().map(|v| v.as_f64().unwrap_or(f64::NAN)).collect()).collect();
        let factor_refs: Vec<&[f64]> = factors.iter().map(Vec::as_slice).collect();
        let result = continuous_intervention(&columns[1], &effect_values, &factor_refs, &condition)
            .map_err(|e| ApiError::bad_request(format!("the intervention needs numeric values: {e}")))?;
        Ok(Json(Distribution {
            node: effect.into(),
            dataset,
            categorical: false,
            bins: json!(result.bins),
            bin_edges: Some(result.bin_edges),
            conditions: None,
        }))
    }
}

pub struct InterventionApi;
