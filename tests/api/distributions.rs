//! Marginal and conditional distributions (api.md §9.1–9.2).

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Scheduling, expect_error, expect_json, spawn_app_scheduling};

#[tokio::test]
async fn marginal_and_conditional_distributions_count_what_they_should() {
    let app = spawn_app_scheduling(Scheduling::Manual, |_| {}).await;
    // kind: 0, 1, 2 repeating (categorical); value: 0..59 (continuous); flag: NULL every 10th row.
    app.sql(
        "CREATE TABLE dist AS SELECT g % 3 AS kind, g::float8 AS value, \
         CASE WHEN g % 10 = 0 THEN NULL ELSE g % 2 = 0 END AS flag FROM generate_series(0, 59) g",
    )
    .await;
    let dataset = expect_json(
        app.post_json("/api/datasets", &json!({"name": "dist", "load_query": "SELECT * FROM dist"})).await,
        StatusCode::OK,
    )
    .await;
    let nodes: Vec<i32> =
        sqlx::query_scalar("SELECT id FROM node ORDER BY id").fetch_all(&app.pool).await.unwrap();
    let (kind, value, flag) = (nodes[0], nodes[1], nodes[2]);

    let marginal = expect_json(app.get(&format!("/api/node/{kind}/marginal")).await, StatusCode::OK).await;
    assert_eq!(marginal["categorical"], true);
    assert_eq!(marginal["bins"], json!({"0": 20, "1": 20, "2": 20}));
    assert_eq!(marginal["dataset"]["id"], dataset["id"]);
    assert!(marginal.get("bin_edges").is_none());
    let flags = expect_json(app.get(&format!("/api/node/{flag}/marginal")).await, StatusCode::OK).await;
    assert_eq!(
        flags["bins"],
        json!({"False": 30, "True": 24}),
        "NULLs left out; booleans as Python writes them"
    );

    let continuous = expect_json(app.get(&format!("/api/node/{value}/marginal")).await, StatusCode::OK).await;
    assert_eq!(continuous["categorical"], false);
    let bins: Vec<u64> = continuous["bins"].as_array().unwrap().iter().map(|b| b.as_u64().unwrap()).collect();
    let edges = continuous["bin_edges"].as_array().unwrap();
    assert_eq!(edges.len(), bins.len() + 1);
    assert_eq!(bins.iter().sum::<u64>(), 60);
    assert_eq!((edges[0].as_f64(), edges[edges.len() - 1].as_f64()), (Some(0.0), Some(59.0)));

    // value given kind ∈ {1}: 20 rows, counted over the unconditioned edges.
    let conditional = expect_json(
        app.post_json(
            &format!("/api/node/{value}/conditional"),
            &json!({"conditions": {kind.to_string(): {"categorical": true, "values": [1]}}}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(conditional["bin_edges"], continuous["bin_edges"]);
    let total: u64 = conditional["bins"].as_array().unwrap().iter().map(|b| b.as_u64().unwrap()).sum();
    assert_eq!(total, 20);
    // kind given 10 ≤ value ≤ 19 (inclusive): 10 rows.
    let by_range = expect_json(
        app.post_json(&format!("/api/node/{kind}/conditional"), &json!({"conditions": {value.to_string(): {"categorical": false, "from_value": 10, "to_value": 19}}})).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(by_range["bins"], json!({"0": 3, "1": 4, "2": 3}));
    // Category values sent as text select the numbers they spell (as SQL's IN ('1') would).
    let as_text = expect_json(
        app.post_json(
            &format!("/api/node/{value}/conditional"),
            &json!({"conditions": {kind.to_string(): {"categorical": true, "values": ["1"]}}}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(as_text["bins"], conditional["bins"]);
    // An automatic condition is filled in and echoed.
    let auto = expect_json(
        app.post_json(
            &format!("/api/node/{value}/conditional"),
            &json!({"conditions": {kind.to_string(): {"auto": true}}}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let filled: &Value = &auto["conditions"][kind.to_string()];
    assert_eq!(
        (filled["auto"].clone(), filled["categorical"].clone(), filled["values"].clone()),
        (json!(true), json!(true), json!([0]))
    );
    let no_conditions = expect_json(
        app.post_json(&format!("/api/node/{kind}/conditional"), &json!({"conditions": {}})).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(no_conditions["bins"], marginal["bins"]);

    let message = expect_error(
        app.post_json(
            &format!("/api/node/{value}/conditional"),
            &json!({"conditions": {kind.to_string(): {"auto": "yes"}}}),
        )
        .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(message, json!({"conditions": [format!("Field `auto` must be bool for key {kind}")]}));
    expect_error(
        app.post_json(&format!("/api/node/{value}/conditional"), &json!({})).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    expect_error(
        app.post_json(
            &format!("/api/node/{value}/conditional"),
            &json!({"conditions": {"999999": {"auto": true}}}),
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    expect_error(app.get("/api/node/999999/marginal").await, StatusCode::NOT_FOUND).await;
}

#[tokio::test]
async fn interventions_adjust_for_the_factors() {
    let app = spawn_app_scheduling(Scheduling::Manual, |_| {}).await;
    // f = g % 2; c = f for half the rows of each f group, the opposite for the other half; e = c.
    app.sql(
        "CREATE TABLE iv AS SELECT g % 2 AS f, CASE WHEN g % 4 >= 2 THEN 1 - g % 2 ELSE g % 2 END AS c, \
         0 AS e, g::float8 AS x FROM generate_series(0, 399) g; UPDATE iv SET e = c",
    )
    .await;
    expect_json(
        app.post_json("/api/datasets", &json!({"name": "iv", "load_query": "SELECT f, c, e, x FROM iv"}))
            .await,
        StatusCode::OK,
    )
    .await;
    let nodes: Vec<i32> =
        sqlx::query_scalar("SELECT id FROM node ORDER BY id").fetch_all(&app.pool).await.unwrap();
    let (f, c, e, x) = (nodes[0], nodes[1], nodes[2], nodes[3]);
    // do(c = 1): e always follows c, so every one of the 400 rows lands in category 1.
    let body = json!({"cause_node_id": c, "effect_node_id": e, "factor_node_ids": [f],
                      "cause_condition": {"categorical": true, "values": [1]}});
    let result = expect_json(app.post_json("/api/intervention", &body).await, StatusCode::OK).await;
    assert_eq!(result["categorical"], true);
    assert_eq!(result["bins"], json!({"0": 0, "1": 400}));
    // A value that never occurs: no treated rows anywhere, so every probability is 0.
    let body = json!({"cause_node_id": c, "effect_node_id": e, "cause_condition": {"categorical": true, "values": [19]}});
    let none = expect_json(app.post_json("/api/intervention", &body).await, StatusCode::OK).await;
    assert_eq!(none["bins"], json!({"0": 0, "1": 0}));
    // Continuous effect: a histogram over the effect's own bins.
    let body = json!({"cause_node_id": c, "effect_node_id": x, "cause_condition": {"categorical": true, "values": [0]}});
    let continuous = expect_json(app.post_json("/api/intervention", &body).await, StatusCode::OK).await;
    assert_eq!(continuous["categorical"], false);
    assert_eq!(
        continuous["bin_edges"].as_array().unwrap().len(),
        continuous["bins"].as_array().unwrap().len() + 1
    );

    let body = json!({"cause_node_id": c, "effect_node_id": e, "factor_node_ids": [e], "cause_condition": {"categorical": true, "values": [1]}});
    assert_eq!(
        expect_error(app.post_json("/api/intervention", &body).await, StatusCode::BAD_REQUEST).await,
        "The effect cannot be a predecessor of the cause"
    );
    let message = expect_error(
        app.post_json("/api/intervention", &json!({"cause_condition": {"categorical": true, "values": []}}))
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(
        message,
        json!({"cause_node_id": ["Missing data for required field."], "effect_node_id": ["Missing data for required field."]})
    );
    let body = json!({"cause_node_id": 999999, "effect_node_id": e, "cause_condition": {"categorical": true, "values": [1]}});
    expect_error(app.post_json("/api/intervention", &body).await, StatusCode::NOT_FOUND).await;
}
