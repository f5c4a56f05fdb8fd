use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, expect_error, expect_json, spawn_app};

async fn algorithm(app: &TestApp) -> Value {
    expect_json(
        app.post_json(
            "/api/algorithms",
            &json!({"package": "p", "function": "f", "valid_parameters": {
                "alpha": {"type": "float", "required": true, "minimum": 0.0, "maximum": 1.0},
                "independence_test": {"type": "enum", "required": true, "values": ["gaussCI", "binCI"]},
                "cores": {"type": "int", "minimum": 1},
                "verbose": {"type": "bool"}
            }}),
        )
        .await,
        StatusCode::OK,
    )
    .await
}

#[tokio::test]
async fn an_experiment_stores_coerced_parameters_and_nests_its_algorithm() {
    let app = spawn_app().await;
    let dataset = app.dataset_over("e", "x int, y int", "(1, 2)").await;
    let algorithm = algorithm(&app).await;
    let created = expect_json(
        app.post_json(
            "/api/experiments",
            &json!({"name": "run", "dataset_id": dataset["id"], "algorithm_id": algorithm["id"],
                    "parameters": {"cores": "2", "alpha": "0.05", "independence_test": "binCI", "extra": true}}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(created["name"], "run");
    assert_eq!(created["dataset"], dataset["id"]);
    assert_eq!(created["algorithm"], algorithm);
    assert_eq!(created["parameters"], json!({"alpha": 0.05, "independence_test": "binCI", "cores": 2}));
    assert_eq!(created["last_job"], json!(null));
    assert_eq!(created["execution_time_statistics"], json!(null));
    let id = &created["id"];
    assert_eq!(expect_json(app.get(&format!("/api/experiment/{id}")).await, StatusCode::OK).await, created);
    assert_eq!(expect_json(app.get("/api/experiments").await, StatusCode::OK).await, json!([created]));
    assert_eq!(
        expect_json(app.get(&format!("/api/dataset/{}/experiments", dataset["id"])).await, StatusCode::OK)
            .await,
        json!([created])
    );
    assert_eq!(
        expect_json(app.get(&format!("/api/experiment/{id}/jobs")).await, StatusCode::OK).await,
        json!([])
    );
}

#[tokio::test]
async fn experiment_input_errors_are_400_or_404_and_store_nothing() {
    let app = spawn_app().await;
    let dataset = app.dataset_over("e", "x int", "(1)").await;
    let algorithm = algorithm(&app).await;
    let message =
        expect_error(app.post_json("/api/experiments", &json!({})).await, StatusCode::BAD_REQUEST).await;
    assert_eq!(
        message,
        json!({"name": ["Missing data for required field."], "dataset_id": ["Missing data for required field."],
               "algorithm_id": ["Missing data for required field."], "parameters": ["Missing data for required field."]})
    );
    let message = expect_error(
        app.post_json(
            "/api/experiments",
            &json!({"name": null, "dataset_id": "x", "algorithm_id": 1, "parameters": []}),
        )
        .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(
        message,
        json!({"name": ["Field may not be null."], "dataset_id": ["Not a valid integer."],
               "parameters": ["Not a valid mapping type."]})
    );
    let message = expect_error(
        app.post_json(
            "/api/experiments",
            &json!({"name": "x", "dataset_id": dataset["id"], "algorithm_id": algorithm["id"],
                    "parameters": {"alpha": 2, "independence_test": "nope", "cores": 0, "verbose": "perhaps"}}),
        )
        .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(
        message,
        json!({"alpha": ["Must be between 0.0 and 1.0."], "independence_test": ["Not a valid choice."],
               "cores": ["Must be at least 1."], "verbose": ["Not a valid boolean."]})
    );
    let valid = json!({"alpha": 0.1, "independence_test": "gaussCI"});
    expect_error(
        app.post_json(
            "/api/experiments",
            &json!({"name": "x", "dataset_id": dataset["id"], "algorithm_id": 999, "parameters": valid}),
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    expect_error(
        app.post_json(
            "/api/experiments",
            &json!({"name": "x", "dataset_id": 999, "algorithm_id": algorithm["id"], "parameters": valid}),
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(app.count("experiment").await, 0);
}

#[tokio::test]
async fn experiment_descriptions_update_and_deletes_cascade_to_jobs() {
    let app = spawn_app().await;
    app.seed().await;
    let experiments = expect_json(app.get("/api/experiments").await, StatusCode::OK).await;
    let id = experiments[0]["id"].clone();
    let updated = expect_json(
        app.put_json(&format!("/api/experiment/{id}"), &json!({"description": "d2"})).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(updated["description"], "d2");
    let message = expect_error(
        app.put_json(&format!("/api/experiment/{id}"), &json!({"description": ""})).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(message, "Body must contain description");

    // Two jobs with results: last_job is the newest, statistics cover every result.
    app.sql(&format!(
        "INSERT INTO job (type, experiment_id, start_time, status) VALUES \
           ('experiment_job', {id}, now() - interval '1 hour', 'done'), \
           ('experiment_job', {id}, now(), 'hidden'); \
         INSERT INTO result (job_id, start_time, end_time, execution_time) \
           SELECT j.id, j.start_time, now(), t FROM job j, (VALUES (2.0), (3.0)) v(t) WHERE j.status = 'done'; \
         INSERT INTO result (job_id, start_time, end_time, execution_time) \
           SELECT id, start_time, now(), NULL FROM job WHERE status = 'hidden';"
    ))
    .await;
    let fetched = expect_json(app.get(&format!("/api/experiment/{id}")).await, StatusCode::OK).await;
    assert_eq!(fetched["last_job"]["status"], "hidden");
    assert_eq!(fetched["last_job"]["experiment_id"], id);
    assert_eq!(fetched["last_job"]["type"], "experiment_job");
    assert!(fetched["last_job"]["result"]["id"].is_number());
    assert_eq!(
        fetched["execution_time_statistics"],
        json!({"min": 2.0, "max": 3.0, "mean": 2.5, "median": 2.5, "lower_quantile": 2.25, "upper_quantile": 2.75})
    );
    let jobs = expect_json(app.get(&format!("/api/experiment/{id}/jobs")).await, StatusCode::OK).await;
    let statuses: Vec<_> = jobs.as_array().unwrap().iter().map(|j| j["status"].clone()).collect();
    assert_eq!(statuses, [json!("hidden"), json!("done")], "newest first, hidden included");

    let deleted = expect_json(app.delete(&format!("/api/experiment/{id}")).await, StatusCode::OK).await;
    assert_eq!(deleted["id"], id);
    assert_eq!(app.count("job").await, 0);
    assert_eq!(app.count("result").await, 0);
    assert_eq!(app.count("dataset").await, 2, "the seeded datasets stay");
    expect_error(app.get(&format!("/api/experiment/{id}")).await, StatusCode::NOT_FOUND).await;
    expect_error(app.get(&format!("/api/experiment/{id}/jobs")).await, StatusCode::NOT_FOUND).await;
    expect_error(app.delete(&format!("/api/experiment/{id}")).await, StatusCode::NOT_FOUND).await;
}

#[tokio::test]
async fn nodes_are_served_with_their_dataset() {
    let app = spawn_app().await;
    let dataset = app.dataset_over("n", "alpha int", "(1)").await;
    let (node_id,): (i32,) = sqlx::query_as("SELECT id FROM node").fetch_one(&app.pool).await.unwrap();
    let node = expect_json(app.get(&format!("/api/node/{node_id}")).await, StatusCode::OK).await;
    assert_eq!(
        node,
        json!({"id": node_id, "name": "alpha", "dataset_id": dataset["id"], "dataset": dataset["id"]})
    );
    expect_error(app.get("/api/node/99999").await, StatusCode::NOT_FOUND).await;
}
