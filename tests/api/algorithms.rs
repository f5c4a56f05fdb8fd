use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{expect_error, expect_json, spawn_app};

#[tokio::test]
async fn an_algorithm_is_created_listed_fetched_and_deleted() {
    let app = spawn_app().await;
    let schema = json!({
        "alpha": {"type": "float", "required": true, "minimum": 0.0, "maximum": 1.0},
        "test": {"type": "enum", "values": ["a", "b"]},
        "cores": {"type": "int", "minimum": 1}
    });
    let created = expect_json(
        app.post_json(
            "/api/algorithms",
            &json!({"package": "pkg", "function": "fn", "valid_parameters": schema,
                                                 "unknown_field": 1}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let id = created["id"].as_i64().unwrap();
    assert_eq!(created["package"], "pkg");
    assert_eq!(created["docker_parameters"], json!({}));
    assert_eq!(created["needs_gpu"], json!(null));
    // Key order of the schema is kept (forms and executor arguments follow it).
    let keys: Vec<_> = created["valid_parameters"].as_object().unwrap().keys().cloned().collect();
    assert_eq!(keys, ["alpha", "test", "cores"]);

    let fetched = expect_json(app.get(&format!("/api/algorithm/{id}")).await, StatusCode::OK).await;
    assert_eq!(fetched, created);
    let listed = expect_json(app.get("/api/algorithms").await, StatusCode::OK).await;
    assert_eq!(listed, json!([created]));

    let deleted = expect_json(app.delete(&format!("/api/algorithm/{id}")).await, StatusCode::OK).await;
    assert_eq!(deleted, created);
    expect_error(app.get(&format!("/api/algorithm/{id}")).await, StatusCode::NOT_FOUND).await;
    expect_error(app.delete(&format!("/api/algorithm/{id}")).await, StatusCode::NOT_FOUND).await;
}

#[tokio::test]
async fn an_empty_body_creates_an_algorithm_with_null_fields() {
    let app = spawn_app().await;
    let created = expect_json(app.post_json("/api/algorithms", &json!({})).await, StatusCode::OK).await;
    assert_eq!(created["package"], json!(null));
    assert_eq!(created["valid_parameters"], json!(null));
    assert_eq!(created["docker_parameters"], json!({}));
}

#[tokio::test]
async fn invalid_parameter_schemas_are_refused_with_the_key_named() {
    let app = spawn_app().await;
    let cases = [
        (json!({"a": {"type": "complex"}}), "Invalid type for key a"),
        (json!({"a": {"type": "int", "required": "yes"}}), "Field `required` must be bool for key a"),
        (json!({"a": {"type": "enum"}}), "Field `values` must be list for key a"),
        (json!({"a": {"type": "enum", "values": [1]}}), "Field `values` must be list of strings for key a"),
        (json!({"a": {"type": "float", "minimum": 0}}), "Field `minimum` must be <class 'float'> for key a"),
        (json!({"a": {"type": "int", "maximum": 0.5}}), "Field `maximum` must be <class 'int'> for key a"),
    ];
    for (schema, message) in cases {
        let error = expect_error(
            app.post_json("/api/algorithms", &json!({"valid_parameters": schema})).await,
            StatusCode::BAD_REQUEST,
        )
        .await;
        assert_eq!(error, json!({"valid_parameters": [message]}), "schema {schema}");
    }
    let error = expect_error(
        app.post_json("/api/algorithms", &json!({"package": 5, "needs_gpu": "maybe"})).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(error, json!({"package": ["Not a valid string."], "needs_gpu": ["Not a valid boolean."]}));
    assert_eq!(app.count("algorithm").await, 0);
}

#[tokio::test]
async fn bodies_that_are_not_json_objects_get_a_json_400() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.url("/api/algorithms"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    let message = expect_error(response, StatusCode::BAD_REQUEST).await;
    assert!(message.as_str().unwrap().contains("not valid JSON"), "{message}");
    let response = app.post_json("/api/algorithms", &json!([1, 2])).await;
    expect_error(response, StatusCode::BAD_REQUEST).await;
    let response = app
        .client
        .post(app.url("/api/algorithms"))
        .body("x")
        .header("content-type", "text/plain")
        .send()
        .await
        .unwrap();
    let status = response.status();
    assert!(status.is_client_error(), "{status}");
    expect_error(response, status).await;
}

#[tokio::test]
async fn an_algorithm_in_use_cannot_be_deleted() {
    let app = spawn_app().await;
    app.seed().await;
    let algorithms = expect_json(app.get("/api/algorithms").await, StatusCode::OK).await;
    let pc = algorithms
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["package"] == "causeway" && a["function"] == "pc")
        .unwrap();
    let message =
        expect_error(app.delete(&format!("/api/algorithm/{}", pc["id"])).await, StatusCode::CONFLICT).await;
    let users = app.count(&format!("experiment WHERE algorithm_id = {}", pc["id"])).await;
    assert!(users > 0);
    assert!(message.as_str().unwrap().contains(&format!("used by {users} experiment")), "{message}");
    expect_json(app.get(&format!("/api/algorithm/{}", pc["id"])).await, StatusCode::OK).await;
}

#[tokio::test]
async fn unknown_routes_and_bad_ids_answer_json() {
    let app = spawn_app().await;
    expect_error(app.get("/api/nope").await, StatusCode::NOT_FOUND).await;
    let response = app.get("/api/algorithm/abc").await;
    let status = response.status();
    assert!(status == StatusCode::BAD_REQUEST || status == StatusCode::NOT_FOUND, "{status}");
    expect_error(response, status).await;
    let response = app.client.patch(app.url("/api/algorithms")).send().await.unwrap();
    expect_error(response, StatusCode::METHOD_NOT_ALLOWED).await;
}

#[tokio::test]
async fn the_openapi_document_and_swagger_ui_are_served() {
    let app = spawn_app().await;
    let spec = expect_json(app.get("/api/openapi.json").await, StatusCode::OK).await;
    assert!(spec["openapi"].as_str().unwrap().starts_with("3."));
    for path in
        ["/algorithms", "/datasets", "/dataset/{dataset_id}/loadwithids", "/experiments", "/node/{node_id}"]
    {
        assert!(spec["paths"].get(path).is_some(), "{path} missing from the document");
    }
    let swagger = app.get("/swagger/").await;
    assert_eq!(swagger.status(), StatusCode::OK);
    assert!(swagger.text().await.unwrap().contains("swagger"));
}

#[tokio::test]
async fn the_launcher_is_named_so_clients_know_which_algorithms_run_here() {
    let app = spawn_app().await;
    let launcher = expect_json(app.get("/api/launcher").await, StatusCode::OK).await;
    assert_eq!(launcher, json!({"launcher": "local"}));
}
