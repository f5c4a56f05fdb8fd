//! Results: browsing, neighbourhoods, annotations.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Scheduling, TestApp, expect_error, expect_json, spawn_app_scheduling};

/// A dataset a, b, c, d with a stored result; returns (result, node ids a..d).
pub async fn stored_result(app: &TestApp, edges: &[(usize, usize, Option<f64>)]) -> (Value, Vec<i64>) {
    let dataset = app.dataset_over("res_obs", "a int, b int, c int, d int", "(1, 2, 3, 4)").await;
    let algorithm = expect_json(
        app.post_json("/api/algorithms", &json!({"package": "p", "function": "f", "valid_parameters": {}}))
            .await,
        StatusCode::OK,
    )
    .await;
    let experiment = expect_json(
        app.post_json("/api/experiments", &json!({"name": "e", "dataset_id": dataset["id"], "algorithm_id": algorithm["id"], "parameters": {}}))
            .await,
        StatusCode::OK,
    )
    .await;
    let job = expect_json(
        app.post_json(&format!("/api/experiment/{}/start", experiment["id"]), &json!({})).await,
        StatusCode::OK,
    )
    .await;
    let nodes: Vec<i64> =
        sqlx::query_scalar::<_, i32>("SELECT id FROM node WHERE dataset_id = $1 ORDER BY id")
            .bind(dataset["id"].as_i64().unwrap() as i32)
            .fetch_all(&app.pool)
            .await
            .unwrap()
            .into_iter()
            .map(i64::from)
            .collect();
    let edge_list: Vec<Value> = edges
        .iter()
        .map(|&(from, to, weight)| json!({"from_node": nodes[from], "to_node": nodes[to], "weight": weight}))
        .collect();
    let response = app
        .client
        .post(app.url(&format!("/api/job/{}/result", job["id"])))
        .json(&json!({"edge_list": edge_list, "execution_time": 3.0}))
        .send()
        .await
        .unwrap();
    (expect_json(response, StatusCode::OK).await, nodes)
}

#[tokio::test]
async fn a_result_is_browsed_with_its_edges_nodes_and_neighbourhoods() {
    let app = spawn_app_scheduling(Scheduling::Manual, |_| {}).await;
    // a→b (0.9), b→a (null: undirected pair), b→c (0.2), d isolated.
    let (result, n) = stored_result(&app, &[(0, 1, Some(0.9)), (1, 0, None), (1, 2, Some(0.2))]).await;
    let id = &result["id"];
    let full = expect_json(app.get(&format!("/api/result/{id}")).await, StatusCode::OK).await;
    assert_eq!(full["id"], *id);
    assert_eq!(full["execution_time"], 3.0);
    assert_eq!(full["edges"].as_array().unwrap().len(), 3);
    assert_eq!(full["nodes"].as_array().unwrap().len(), 4);
    assert_eq!(full["sepsets"], json!([]));
    assert_eq!(full["edges"][0]["from_node"], n[0]);
    assert_eq!(full["edges"][0]["result"], *id);
    assert_eq!(full["edges"][0]["is_ground_truth"], json!(null));
    assert_eq!(expect_json(app.get("/api/results").await, StatusCode::OK).await.as_array().unwrap().len(), 1);
    assert_eq!(
        expect_json(app.get(&format!("/api/result/{id}/nodes")).await, StatusCode::OK).await,
        full["nodes"]
    );
    assert_eq!(
        expect_json(app.get(&format!("/api/result/{id}/edges")).await, StatusCode::OK).await,
        full["edges"]
    );
    assert_eq!(expect_json(app.get("/api/result/999/edges").await, StatusCode::OK).await, json!([]));
    assert_eq!(expect_json(app.get("/api/result/999/sepsets").await, StatusCode::OK).await, json!([]));

    let important =
        expect_json(app.get(&format!("/api/result/{id}/edges/important/2")).await, StatusCode::OK).await;
    let weights: Vec<Value> = important.as_array().unwrap().iter().map(|e| e["weight"].clone()).collect();
    assert_eq!(weights, [json!(null), json!(0.9)], "null weights first, then heaviest");
    let all =
        expect_json(app.get(&format!("/api/result/{id}/edges/important/0")).await, StatusCode::OK).await;
    assert_eq!(all.as_array().unwrap().len(), 3);

    let edge_id = &full["edges"][0]["id"];
    assert_eq!(
        expect_json(app.get(&format!("/api/edge/{edge_id}")).await, StatusCode::OK).await,
        full["edges"][0]
    );
    expect_error(app.get("/api/edge/987654").await, StatusCode::NOT_FOUND).await;
    expect_error(app.get("/api/sepset/987654").await, StatusCode::NOT_FOUND).await;

    let context =
        expect_json(app.get(&format!("/api/node/{}/result/{id}/context", n[1])).await, StatusCode::OK).await;
    assert_eq!(context["main_node"]["id"], n[1]);
    assert_eq!(context["edges"].as_array().unwrap().len(), 3);
    let mut neighbours: Vec<i64> =
        context["context_nodes"].as_array().unwrap().iter().map(|n| n["id"].as_i64().unwrap()).collect();
    neighbours.sort();
    assert_eq!(neighbours, [n[0], n[2]]);
    let empty =
        expect_json(app.get(&format!("/api/node/{}/result/999/context", n[1])).await, StatusCode::OK).await;
    assert_eq!(empty["edges"], json!([]));
    expect_error(app.get(&format!("/api/node/999999/result/{id}/context")).await, StatusCode::NOT_FOUND)
        .await;
    let contexts = expect_json(app.get(&format!("/api/result/{id}/context")).await, StatusCode::OK).await;
    let contexts = contexts["node_contexts"].as_array().unwrap();
    assert_eq!(contexts.len(), 4);
    assert_eq!(contexts[3]["edges"], json!([]), "d is isolated");

    let deleted = expect_json(app.delete(&format!("/api/result/{id}")).await, StatusCode::OK).await;
    assert_eq!(deleted["id"], *id);
    assert_eq!(app.count("edge").await, 0);
    assert_eq!(app.count("job").await, 1, "the job stays");
    expect_error(app.get(&format!("/api/result/{id}")).await, StatusCode::NOT_FOUND).await;
    expect_error(app.get(&format!("/api/result/{id}/nodes")).await, StatusCode::NOT_FOUND).await;
}

#[tokio::test]
async fn an_edge_has_one_annotation_that_posting_again_updates() {
    let app = spawn_app_scheduling(Scheduling::Manual, |_| {}).await;
    let (result, n) = stored_result(&app, &[(0, 1, Some(0.5))]).await;
    let id = &result["id"];
    let body = json!({"result_id": id, "from_node_id": n[0], "to_node_id": n[1], "annotation": "approved"});
    let first =
        expect_json(app.post_json(&format!("/api/edgeinformation/{id}"), &body).await, StatusCode::OK).await;
    assert_eq!(first["annotation"], "approved");
    assert_eq!(first["result"], *id);
    let mut body = body;
    body["annotation"] = json!("declined");
    let second =
        expect_json(app.post_json(&format!("/api/edgeinformation/{id}"), &body).await, StatusCode::OK).await;
    assert_eq!(second["id"], first["id"], "updated in place");
    assert_eq!(second["annotation"], "declined");
    let listed = expect_json(app.get(&format!("/api/edgeinformation/{id}")).await, StatusCode::OK).await;
    assert_eq!(listed, json!([second]));

    body["annotation"] = json!("valid");
    let message = expect_error(
        app.post_json(&format!("/api/edgeinformation/{id}"), &body).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(message, json!({"annotation": ["Not a valid choice."]}));
    let message = expect_error(
        app.post_json(&format!("/api/edgeinformation/{id}"), &json!({})).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(message.as_object().unwrap().len(), 4);
    let bad_node =
        json!({"result_id": id, "from_node_id": n[0], "to_node_id": 999999, "annotation": "missing"});
    expect_error(
        app.post_json(&format!("/api/edgeinformation/{id}"), &bad_node).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    let bad_result =
        json!({"result_id": 999999, "from_node_id": n[0], "to_node_id": n[1], "annotation": "missing"});
    expect_error(
        app.post_json(&format!("/api/edgeinformation/{id}"), &bad_result).await,
        StatusCode::NOT_FOUND,
    )
    .await;

    let deleted =
        expect_json(app.delete(&format!("/api/edgeinformation/{}", second["id"])).await, StatusCode::OK)
            .await;
    assert_eq!(deleted, second);
    expect_error(app.delete(&format!("/api/edgeinformation/{}", second["id"])).await, StatusCode::NOT_FOUND)
        .await;
    assert_eq!(
        expect_json(app.get(&format!("/api/edgeinformation/{id}")).await, StatusCode::OK).await,
        json!([])
    );
}

/// A 4-edge upload used to take 48 ms: its COPY's last message waited for Postgres' delayed ACK
/// (40 ms at least) because the database sockets lacked TCP_NODELAY. The median of 21 uploads
/// stays far below that floor even in a debug build on a busy machine.
#[tokio::test]
async fn small_result_uploads_do_not_wait_for_delayed_acks() {
    let app = spawn_app_scheduling(Scheduling::Manual, |_| {}).await;
    let (_, nodes) = stored_result(&app, &[(0, 1, None)]).await;
    let experiment: i32 = sqlx::query_scalar("SELECT id FROM experiment").fetch_one(&app.pool).await.unwrap();
    let path = format!("/api/experiment/{experiment}/start");
    let job = expect_json(app.post_json(&path, &json!({"runs": 21})).await, StatusCode::OK).await;
    let last = job["id"].as_i64().unwrap();
    let edge =
        |from: usize, to: usize| json!({"from_node": nodes[from], "to_node": nodes[to], "weight": 0.5});
    let body = json!({"edge_list": [edge(0, 1), edge(1, 2), edge(2, 3), edge(3, 0)], "execution_time": 0.1});
    let mut times = vec![];
    for id in last - 20..=last {
        let started = std::time::Instant::now();
        let response =
            app.client.post(app.url(&format!("/api/job/{id}/result"))).json(&body).send().await.unwrap();
        expect_json(response, StatusCode::OK).await;
        times.push(started.elapsed());
    }
    times.sort();
    assert!(times[10] < std::time::Duration::from_millis(30), "median small upload took {:?}", times[10]);
}
