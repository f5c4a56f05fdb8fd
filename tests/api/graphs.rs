//! Ground truth, export, comparison, confounders and dataset generation.

use reqwest::{StatusCode, multipart};
use serde_json::{Value, json};

use crate::{
    helpers::{
        Scheduling, TestApp, eventually, expect_error, expect_json, spawn_app_scheduling, spawn_app_with,
    },
    results::stored_result,
};

async fn upload_gml(app: &TestApp, dataset_id: &Value, gml: &str) -> reqwest::Response {
    let form = multipart::Form::new()
        .part("graph_file", multipart::Part::text(gml.to_owned()).file_name("truth.gml"));
    app.client
        .post(app.url(&format!("/api/dataset/{dataset_id}/ground-truth")))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

fn gml(directed: bool, key: &str, nodes: &[&str], edges: &[(usize, usize)]) -> String {
    let mut text = format!("graph [\n  directed {}\n", u8::from(directed));
    for (i, n) in nodes.iter().enumerate() {
        text.push_str(&format!("  node [\n    id {i}\n    {key} \"{n}\"\n  ]\n"));
    }
    for (s, t) in edges {
        text.push_str(&format!("  edge [\n    source {s}\n    target {t}\n    weight 0.5\n  ]\n"));
    }
    text.push_str("]\n");
    text
}

async fn ground_truth_pairs(app: &TestApp) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT f.name, t.name FROM edge e JOIN node f ON f.id = e.from_node_id JOIN node t ON t.id = e.to_node_id \
         WHERE e.is_ground_truth ORDER BY f.name, t.name",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn ground_truth_is_uploaded_replaced_and_refused_when_invalid() {
    let app = spawn_app_scheduling(Scheduling::Manual, |_| {}).await;
    let (_, _) = stored_result(&app, &[(0, 1, Some(0.5))]).await;
    let dataset = &expect_json(app.get("/api/datasets").await, StatusCode::OK).await[0];
    let id = &dataset["id"];
    // Labelled, directed.
    let uploaded = expect_json(
        upload_gml(&app, id, &gml(true, "label", &["a", "b", "c"], &[(0, 1), (1, 2)])).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(uploaded["id"], *id);
    assert_eq!(ground_truth_pairs(&app).await, [("a".into(), "b".into()), ("b".into(), "c".into())]);
    let metadata = expect_json(app.get(&format!("/api/dataset/{id}/metadata")).await, StatusCode::OK).await;
    assert_eq!(metadata["has_ground_truth"], true);
    // igraph style (`name`), undirected: replaces the previous ground truth, oriented as declared.
    expect_json(upload_gml(&app, id, &gml(false, "name", &["d", "a"], &[(0, 1)])).await, StatusCode::OK)
        .await;
    assert_eq!(ground_truth_pairs(&app).await, [("d".into(), "a".into())]);

    let message =
        expect_error(upload_gml(&app, id, "this is not GML at all {").await, StatusCode::BAD_REQUEST).await;
    assert!(message.as_str().unwrap().starts_with("Could not parse file: \"truth.gml\""), "{message}");
    let message = expect_error(
        upload_gml(&app, id, &gml(true, "label", &["a", "zz"], &[(0, 1)])).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(message, "No node with Label: \"zz\" in res_obs");
    assert_eq!(
        ground_truth_pairs(&app).await,
        [("d".into(), "a".into())],
        "a refused upload changes nothing"
    );
    expect_error(
        upload_gml(&app, &json!(9999), &gml(true, "label", &["a"], &[])).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let response = app
        .client
        .post(app.url(&format!("/api/dataset/{id}/ground-truth")))
        .multipart(multipart::Form::new().text("x", "y"))
        .send()
        .await
        .unwrap();
    expect_error(response, StatusCode::BAD_REQUEST).await;
}

#[tokio::test]
async fn graphs_export_in_every_format_and_gml_round_trips() {
    let app = spawn_app_scheduling(Scheduling::Manual, |_| {}).await;
    let (result, n) = stored_result(&app, &[(0, 1, Some(0.75)), (1, 2, None)]).await;
    let id = &result["id"];
    expect_json(
        app.post_json(
            &format!("/api/edgeinformation/{id}"),
            &json!({"result_id": id, "from_node_id": n[0], "to_node_id": n[1], "annotation": "approved"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    for (format, content_type, extension) in [
        ("GEXF", "application/gexf+xml; charset=utf-8", "gexf"),
        ("graphml", "application/graphml+xml; charset=utf-8", "graphml"),
        ("Gml", "text/plain; charset=utf-8", "gml"),
        ("node_link_data.json", "application/json", "node_link_data.json"),
    ] {
        let response = app.get(&format!("/api/result/{id}/export?format={format}")).await;
        assert_eq!(response.status(), StatusCode::OK, "{format}");
        assert_eq!(response.headers()["content-type"], content_type, "{format}");
        assert_eq!(
            response.headers()["content-disposition"],
            format!("attachment;filename=Graph_{id}.{extension}")
        );
        let body = response.text().await.unwrap();
        match extension {
            "gexf" | "graphml" => {
                for node in &n {
                    assert!(body.contains(&format!("\"{node}\"")), "{format} lacks node {node}");
                }
                assert!(body.contains("approved"));
                assert_eq!(body.matches("<edge ").count(), 2, "{body}");
            }
            "node_link_data.json" => {
                let doc: Value = serde_json::from_str(&body).unwrap();
                assert_eq!(doc["directed"], true);
                assert_eq!(doc["multigraph"], false);
                assert_eq!(doc["graph"], json!({"id": id.to_string(), "name": format!("Graph_{id}")}));
                assert_eq!(doc["nodes"].as_array().unwrap().len(), 4);
                assert_eq!(doc["links"][0]["source"], n[0]);
                assert_eq!(doc["links"][0]["label"], "approved");
                assert_eq!(doc["links"][0]["weight"], 0.75);
            }
            _ => assert!(body.contains("directed 1")),
        }
    }
    let message =
        expect_error(app.get(&format!("/api/result/{id}/export?format=svg")).await, StatusCode::BAD_REQUEST)
            .await;
    assert_eq!(
        message,
        "Graph format `svg` is not one of the supported types: ['GEXF', 'GraphML', 'GML', 'node_link_data.json']"
    );
    expect_error(app.get("/api/result/9999/export").await, StatusCode::NOT_FOUND).await;

    // Ground truth round trip: upload GML, export GML, upload that again: same graph.
    let dataset_id = &expect_json(app.get("/api/datasets").await, StatusCode::OK).await[0]["id"];
    expect_json(
        upload_gml(&app, dataset_id, &gml(true, "label", &["a", "b", "c", "d"], &[(0, 1), (2, 1), (1, 3)]))
            .await,
        StatusCode::OK,
    )
    .await;
    let before = ground_truth_pairs(&app).await;
    let exported = app.get(&format!("/api/dataset/{dataset_id}/ground-truth?format=gml")).await;
    assert_eq!(
        exported.headers()["content-disposition"],
        format!("attachment;filename=Graph_{dataset_id}.gml")
    );
    let exported = exported.text().await.unwrap();
    let node_link: Value = app
        .get(&format!("/api/dataset/{dataset_id}/ground-truth?format=node_link_data.json"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(node_link["links"].as_array().unwrap().len(), 3);
    assert_eq!(node_link["graph"]["name"], format!("Graph_ground_truth_{dataset_id}"));
    // MPCSL's GML export labels nodes with their ids; map them back to names for the re-import.
    let mut renamed = exported.clone();
    for node in node_link["nodes"].as_array().unwrap() {
        renamed = renamed.replace(
            &format!("label \"{}\"", node["id"]),
            &format!("label \"{}\"", node["label"].as_str().unwrap()),
        );
    }
    expect_json(upload_gml(&app, dataset_id, &renamed).await, StatusCode::OK).await;
    assert_eq!(ground_truth_pairs(&app).await, before);
}

#[tokio::test]
async fn results_are_compared_with_the_ground_truth_and_with_each_other() {
    let app = spawn_app_scheduling(Scheduling::Manual, |_| {}).await;
    // Nodes a=0, b=1, c=2, d=3. Result: a→b, b→a, b→c. Ground truth: a→b, c→b (api.md §6.9's
    // worked example, plus an isolated d).
    let (result, _) = stored_result(&app, &[(0, 1, Some(1.0)), (1, 0, Some(1.0)), (1, 2, Some(1.0))]).await;
    let id = &result["id"];
    let dataset_id = &expect_json(app.get("/api/datasets").await, StatusCode::OK).await[0]["id"];
    assert_eq!(
        expect_json(app.get(&format!("/api/result/{id}/gtcompare")).await, StatusCode::OK).await,
        json!(null),
        "no ground truth yet"
    );
    expect_json(
        upload_gml(&app, dataset_id, &gml(true, "label", &["a", "b", "c"], &[(0, 1), (2, 1)])).await,
        StatusCode::OK,
    )
    .await;
    let comparison = expect_json(app.get(&format!("/api/result/{id}/gtcompare")).await, StatusCode::OK).await;
    // With d present there are 12 ordered pairs: TP {a→b}, FN {c→b}, FP {b→a, b→c}, TN 8.
    assert_eq!(comparison["error_types"]["true_positives"]["edges"].as_array().unwrap().len(), 1);
    assert_eq!(comparison["error_types"]["false_negatives"]["edges"].as_array().unwrap().len(), 1);
    assert_eq!(comparison["error_types"]["false_positives"]["edges"].as_array().unwrap().len(), 2);
    assert_eq!(comparison["error_types"]["true_negatives"]["edges"].as_array().unwrap().len(), 8);
    assert_eq!(comparison["graph_edit_distance"], 3);
    assert_eq!(comparison["error_types"]["false_negatives"]["rate"], 0.5);
    assert_eq!(comparison["error_types"]["precision"]["rate"], json!(1.0 / 3.0));
    assert_eq!(comparison["hamming_distance"], json!(3.0 / 12.0));
    assert!(comparison["shd_cpdag"].is_number());
    assert!(comparison["skeleton"]["f1"].is_number());

    let same = expect_json(app.get(&format!("/api/result/{id}/compare/{id}")).await, StatusCode::OK).await;
    assert_eq!(same["graph_edit_distance"], 0);
    assert_eq!(same["error_types"]["precision"]["rate"], 1.0);
    assert_eq!(
        same["hamming_distance_pcdag"].as_f64(),
        Some(-1.0),
        "the reference has a 2-cycle, so it is not a DAG"
    );
    expect_error(app.get(&format!("/api/result/{id}/compare/9999")).await, StatusCode::NOT_FOUND).await;
    expect_error(app.get("/api/result/9999/gtcompare").await, StatusCode::NOT_FOUND).await;
}

#[tokio::test]
async fn confounders_follow_pcalgs_new_collider_rule() {
    let app = spawn_app_scheduling(Scheduling::Manual, |_| {}).await;
    // api.md §8.3's example on a, b, c, d (+ one more is not needed): a↔c, b↔c, c→d, d→... use
    // nodes n0..n3 = a..d: a↔c, b↔c, c→d. For x = c: B = {a, b}, F = {}.
    let (result, n) =
        stored_result(&app, &[(0, 2, None), (2, 0, None), (1, 2, None), (2, 1, None), (2, 3, None)]).await;
    let body = expect_json(
        app.get(&format!("/api/node/{}/result/{}/confounders", n[2], result["id"])).await,
        StatusCode::OK,
    )
    .await;
    let sets = body["confounders"].as_array().unwrap();
    assert_eq!(sets[0], json!([]), "the empty set (F) comes first");
    // {a, b} would need a and b adjacent: they are not, so it creates a new collider.
    assert!(!sets.contains(&json!([n[0], n[1]])));
    assert!(sets.contains(&json!([n[0]])) && sets.contains(&json!([n[1]])), "{body}");
    expect_error(
        app.get(&format!("/api/node/999999/result/{}/confounders", result["id"])).await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[tokio::test]
async fn a_generation_job_delivers_a_dataset_with_its_ground_truth() {
    let app = spawn_app_with(|_| {}).await;
    let message = expect_error(
        app.post_json(
            "/api/jobs/dataset_generation",
            &json!({"datasetName": "g", "generator_type": "NOPE", "parameters": {}}),
        )
        .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(message, json!({"generator_type": ["Not a valid choice."]}));
    let job = expect_json(
        app.post_json(
            "/api/jobs/dataset_generation",
            &json!({"datasetName": "synthetic", "generator_type": "CAUSEWAY",
                    "parameters": {"num_nodes": 6, "num_samples": 300, "expected_degree": 2, "seed": 3}}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(job["type"], "dataset_generation_job");
    assert_eq!(job["datasetName"], "synthetic");
    let id = job["id"].clone();
    eventually("the generated dataset", || async {
        let job =
            expect_json(app.get(&format!("/api/job/{id}/dataset_generation")).await, StatusCode::OK).await;
        job["status"] == "done" && job["dataset_id"].is_number()
    })
    .await;
    let job = expect_json(app.get(&format!("/api/job/{id}/dataset_generation")).await, StatusCode::OK).await;
    let dataset_id = &job["dataset_id"];
    let dataset = expect_json(app.get(&format!("/api/dataset/{dataset_id}")).await, StatusCode::OK).await;
    assert_eq!(dataset["name"], "synthetic");
    assert_eq!(dataset["description"], "generated");
    eventually("the generated ground truth", || async {
        let metadata =
            expect_json(app.get(&format!("/api/dataset/{dataset_id}/metadata")).await, StatusCode::OK).await;
        metadata["has_ground_truth"] == true
    })
    .await;
    let metadata =
        expect_json(app.get(&format!("/api/dataset/{dataset_id}/metadata")).await, StatusCode::OK).await;
    assert_eq!((metadata["variables"].as_i64(), metadata["observations"].as_i64()), (Some(6), Some(300)));
    let listed = expect_json(app.get("/api/jobs/dataset_generation").await, StatusCode::OK).await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    expect_error(app.get("/api/job/999999/dataset_generation").await, StatusCode::NOT_FOUND).await;
    // A second upload for the same job is refused.
    let form = multipart::Form::new().part("file", multipart::Part::text("a\n1\n").file_name("x.csv"));
    let response = app
        .client
        .put(app.url(&format!("/api/job/{id}/dataset_generation")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(expect_error(response, StatusCode::CONFLICT).await, "Dataset generation job already mapped");
}
